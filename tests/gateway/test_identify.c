/*
 * POST /v1/identify parsing and validation without HTTP (gateway/identify.h):
 * both encodings give the same request, and every rejection has its exact
 * message and status.
 */
#include "identify.h"
#include "mid/mid.h"
#include "mid/store.h"
#include "mid/wsq.h"
#include "support/testutil.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define W 320u
#define H 400u

static uint8_t *g_wsq;
static size_t g_wsq_len;
static char *g_b64;

static mid_image *ridges(double phase) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(NULL, W, H, 500, &img), MID_OK);
    uint8_t *px = mid_image_pixels(img);
    for (uint32_t y = 0; y < H; y++) {
        for (uint32_t x = 0; x < W; x++) {
            double r = hypot((double)x - W / 2.0, (double)y - H / 2.0);
            px[y * W + x] = (uint8_t)lround(128 + 100 * sin(r * 0.6 + phase));
        }
    }
    return img;
}

static int setup(void **state) {
    tu_ctx_setup(state);
    mid_image *img = ridges(0);
    void *out = NULL;
    assert_int_equal(mid_wsq_encode(NULL, img, 0.75, &out, &g_wsq_len), MID_OK);
    g_wsq = out;
    size_t n = 0;
    assert_int_equal(mid_base64_encode(NULL, g_wsq, g_wsq_len, &g_b64, &n), MID_OK);
    mid_image_free(img);
    return 0;
}

static int teardown(void **state) {
    mid_free(g_wsq);
    mid_free(g_b64);
    return tu_ctx_teardown(state);
}

/* A JSON request: policy members (without braces), then the fingers array text. */
static char *json_req(const char *policy, const char *fingers) {
    size_t cap = strlen(policy) + strlen(fingers) + 64;
    char *b = malloc(cap);
    assert_non_null(b);
    snprintf(b, cap, "{%s,\"fingers\":%s}", policy, fingers);
    return b;
}

static char *two_fingers(unsigned p1, unsigned p2) {
    size_t cap = 2 * strlen(g_b64) + 256;
    char *b = malloc(cap);
    assert_non_null(b);
    snprintf(b, cap,
             "[{\"position\":%u,\"quality\":81,\"format\":\"wsq\",\"data\":\"%s\"},"
             "{\"position\":%u,\"quality\":77,\"format\":\"wsq\",\"data\":\"%s\"}]",
             p1, g_b64, p2, g_b64);
    return b;
}

#define POLICY                                                                                     \
    "\"tcn\":\"DEV1-20261124-0001\",\"basis\":\"pace-61-6a\",\"offence\":\"theft from a "          \
    "vehicle\",\"name_doubt\":\"gave two dates of birth\",\"told_reason\":true,"                   \
    "\"told_speculative\":true,\"reason\":\"driver without licence\",\"incident\":\"LOG-"          \
    "2026-0042\",\"location\":\"51.5014,-0.1419\",\"subject\":{\"ethnicity\":\"IC1\","             \
    "\"age_band\":\"25-34\",\"gender\":\"M\"},\"databases\":[\"IDENT1\",\"IABS\"]"

static bool parse(const char *ct, const void *body, size_t len, gw_identify_request *req,
                  gw_identify_problem *p) {
    return gw_identify_parse(tu_ctx, ct, body, len, req, p);
}

/* Expects a refusal with the given status and exact message. */
static void expect_json(const char *policy, const char *fingers, unsigned status,
                        const char *message) {
    char *b = json_req(policy, fingers);
    gw_identify_request req;
    gw_identify_problem p;
    bool ok = parse("application/json", b, strlen(b), &req, &p);
    /* A message ending in '(' is a prefix (a library detail follows). */
    size_t ml = strlen(message);
    bool prefix = ml > 0 && message[ml - 1] == '(';
    if (ok || p.status != status ||
        (prefix ? strncmp(p.message, message, ml) : strcmp(p.message, message)) != 0) {
        print_error("got %s %u '%s', want %u '%s'\n", ok ? "ok" : "refused", p.status, p.message,
                    status, message);
    }
    assert_false(ok);
    assert_int_equal(p.status, status);
    assert_int_equal(prefix ? strncmp(p.message, message, ml) : strcmp(p.message, message), 0);
    assert_null(req.reason);
    free(b);
}

static char *audit_of(const gw_identify_request *req) {
    mid_json_writer *w = NULL;
    assert_int_equal(mid_json_writer_create(NULL, &w), MID_OK);
    mid_json_begin_object(w);
    gw_identify_audit_request(w, req);
    mid_json_end_object(w);
    char *t = NULL;
    size_t n = 0;
    assert_int_equal(mid_json_writer_finish(w, &t, &n), MID_OK);
    mid_json_writer_free(w);
    return t;
}

static void test_json_ok(void **state) {
    (void)state;
    char *f = two_fingers(2, 7);
    char *b = json_req(POLICY, f);
    gw_identify_request req;
    gw_identify_problem p;
    bool ok = parse("application/json; charset=utf-8", b, strlen(b), &req, &p);
    if (!ok) {
        print_error("%s\n", p.message);
    }
    assert_true(ok);
    assert_string_equal(req.tcn, "DEV1-20261124-0001");
    assert_int_equal(req.basis, GW_BASIS_PACE_61_6A);
    assert_string_equal(req.offence, "theft from a vehicle");
    assert_string_equal(req.name_doubt, "gave two dates of birth");
    assert_true(req.told_reason && req.told_speculative);
    assert_string_equal(req.reason, "driver without licence");
    assert_string_equal(req.incident, "LOG-2026-0042");
    assert_string_equal(req.location, "51.5014,-0.1419");
    assert_string_equal(req.ethnicity, "IC1");
    assert_string_equal(req.age_band, "25-34");
    assert_string_equal(req.gender, "M");
    assert_true(req.want[MID_DB_IDENT1] && req.want[MID_DB_IABS]);
    assert_int_equal(req.n_fingers, 2);
    assert_int_equal(req.fingers[0].position, 2);
    assert_int_equal(req.fingers[1].quality, 77);
    assert_int_equal(req.fingers[0].format, GW_FMT_WSQ);
    assert_int_equal(req.fingers[0].width, W);
    assert_int_equal(req.fingers[0].height, H);
    assert_int_equal(req.fingers[0].len, g_wsq_len);
    assert_memory_equal(req.fingers[0].data, g_wsq, g_wsq_len);
    /* The audit holds the hash and size of each image, never its bytes. */
    char *a = audit_of(&req);
    uint8_t h[MID_SHA256_SIZE];
    char hex[65];
    mid_sha256(g_wsq, g_wsq_len, h);
    mid_hex(h, sizeof(h), hex);
    assert_non_null(strstr(a, hex));
    assert_null(strstr(a, g_b64));
    assert_non_null(strstr(a, "\"databases_requested\":[\"IDENT1\",\"IABS\"]"));
    mid_free(a);
    gw_identify_request_clear(&req);
    assert_null(req.reason);
    free(b);
    free(f);
}

/* The same request as an RPIS transaction parses into the same request. */
static void test_an2k_equals_json(void **state) {
    (void)state;
    mid_image *img[2] = {ridges(0), ridges(0)};
    mid_an2k_finger fs[2] = {{2, 0, 81, img[0], NULL}, {7, 0, 77, img[1], NULL}};
    static const char *const dbs[] = {"IDENT1", "IABS"};
    mid_an2k_search_request sr = {.ori = "GB0000001",
                                  .dai = "GBMIDGW",
                                  .tcn = "DEV1-20261124-0001",
                                  .gmt = "20261124100000Z",
                                  .legal_basis = "PACE s.61(6A)",
                                  .reason = "driver without licence",
                                  .incident = "LOG-2026-0042",
                                  .officer = "1234",
                                  .device = "DEV1",
                                  .fingers = fs,
                                  .n_fingers = 2,
                                  .basis = "pace-61-6a",
                                  .offence = "theft from a vehicle",
                                  .name_doubt = "gave two dates of birth",
                                  .told_reason = MID_AN2K_FLAG_YES,
                                  .told_speculative = MID_AN2K_FLAG_YES,
                                  .location = "51.5014,-0.1419",
                                  .ethnicity = "IC1",
                                  .age_band = "25-34",
                                  .gender = "M",
                                  .databases = dbs,
                                  .n_databases = 2};
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    /* The JSON twin carries the transaction's own WSQ bytes. */
    mid_an2k_image_info ii;
    assert_int_equal(mid_an2k_image_info_get(NULL, tx, 2, &ii), MID_OK);
    char *b64 = NULL;
    size_t n = 0;
    assert_int_equal(mid_base64_encode(NULL, ii.data, ii.data_len, &b64, &n), MID_OK);
    void *bytes = NULL;
    size_t len = 0;
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);

    gw_identify_request ra, rj;
    gw_identify_problem p;
    bool ok = parse("application/x-ansi-nist", bytes, len, &ra, &p);
    if (!ok) {
        print_error("%s\n", p.message);
    }
    assert_true(ok);
    assert_true(ra.an2k);
    size_t cap = 2 * n + 256;
    char *f = malloc(cap);
    snprintf(f, cap,
             "[{\"position\":2,\"quality\":81,\"format\":\"wsq\",\"data\":\"%s\"},"
             "{\"position\":7,\"quality\":77,\"format\":\"wsq\",\"data\":\"%s\"}]",
             b64, b64);
    char *b = json_req(POLICY, f);
    assert_true(parse("application/json", b, strlen(b), &rj, &p));
    char *aa = audit_of(&ra), *aj = audit_of(&rj);
    /* Identical apart from the encoding member. */
    char *e = strstr(aa, "\"encoding\":\"an2k\"");
    assert_non_null(e);
    memcpy(e, "\"encoding\":\"json\"", strlen("\"encoding\":\"json\""));
    assert_string_equal(aa, aj);
    mid_free(aa);
    mid_free(aj);
    gw_identify_request_clear(&ra);
    gw_identify_request_clear(&rj);
    free(b);
    free(f);
    mid_free(b64);
    mid_free(bytes);
    mid_image_free(img[0]);
    mid_image_free(img[1]);
}

static void test_an2k_rejections(void **state) {
    (void)state;
    gw_identify_request req;
    gw_identify_problem p;
    /* Malformed: the library's detail names the record, field and offset. */
    const char junk[] = "1.001:10\x1d"
                        "1.002:0502\x1c";
    assert_false(parse("application/x-ansi-nist", junk, sizeof(junk) - 1, &req, &p));
    assert_int_equal(p.status, 400);
    assert_string_equal(p.code, "malformed");
    assert_non_null(strstr(p.message, "malformed transaction: "));
    assert_non_null(strstr(p.message, "offset"));

    /* A valid RPIS without the policy fields: the first missing one is named. */
    mid_image *img = ridges(0);
    mid_an2k_finger fs[2] = {{2, 0, 81, img, NULL}, {7, 0, 77, img, NULL}};
    mid_an2k_search_request sr = {.ori = "GB0000001",
                                  .dai = "GBMIDGW",
                                  .tcn = "T1",
                                  .gmt = "20261124100000Z",
                                  .legal_basis = "consent",
                                  .reason = "r",
                                  .incident = "i",
                                  .officer = "1234",
                                  .device = "DEV1",
                                  .fingers = fs,
                                  .n_fingers = 2};
    mid_an2k *tx = NULL;
    void *bytes = NULL;
    size_t len = 0;
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);
    assert_false(parse("application/x-ansi-nist", bytes, len, &req, &p));
    assert_int_equal(p.status, 422);
    assert_string_equal(p.message, "basis (2.906): required");
    mid_free(bytes);

    /* Three fingers. */
    mid_an2k_finger f3[3] = {{2, 0, 81, img, NULL}, {7, 0, 77, img, NULL}, {3, 0, 70, img, NULL}};
    sr.fingers = f3;
    sr.n_fingers = 3;
    sr.basis = "consent";
    sr.told_reason = sr.told_speculative = MID_AN2K_FLAG_YES;
    sr.ethnicity = "IC9";
    sr.age_band = "65+";
    sr.gender = "U";
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);
    assert_false(parse("application/x-ansi-nist", bytes, len, &req, &p));
    assert_string_equal(p.message, "fingers: expected 2 fingers, got 3");
    mid_free(bytes);

    /* Told flags: "N" refused with the field's tag. */
    sr.n_fingers = 2;
    sr.told_speculative = MID_AN2K_FLAG_NO;
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);
    assert_false(parse("application/x-ansi-nist", bytes, len, &req, &p));
    assert_string_equal(p.message, "told_speculative (2.913): the person must be told of the "
                                   "speculative search unless basis is consent-refused");
    mid_free(bytes);

    /* A huge declared image: the record says 5000 x 5000 (checked before decoding). */
    sr.told_speculative = MID_AN2K_FLAG_YES;
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 2, 6, "9000"), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 2, 7, "9000"), MID_OK);
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);
    assert_false(parse("application/x-ansi-nist", bytes, len, &req, &p));
    assert_int_equal(p.status, 422);
    assert_string_equal(p.message, "fingers[0] (record 3, Type-14): the record declares 9000 x "
                                   "9000 pixels but the wsq header 320 x 400");
    mid_free(bytes);

    /* Consent refused: a transaction without prints is a valid request. */
    sr.basis = "consent-refused";
    sr.n_fingers = 0;
    assert_int_equal(mid_an2k_build_search(NULL, &sr, &tx), MID_OK);
    assert_int_equal(mid_an2k_serialize(NULL, tx, &bytes, &len), MID_OK);
    mid_an2k_free(tx);
    assert_true(parse("application/x-ansi-nist", bytes, len, &req, &p));
    assert_int_equal(req.basis, GW_BASIS_CONSENT_REFUSED);
    assert_int_equal(req.n_fingers, 0);
    gw_identify_request_clear(&req);
    mid_free(bytes);
    mid_image_free(img);
}

#define P_TCN "\"tcn\":\"T-1\""
#define P_SUBJ "\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"25-34\",\"gender\":\"M\"}"
#define P_TOLD "\"told_reason\":true,\"told_speculative\":true"
#define P_RI "\"reason\":\"r\",\"incident\":\"i\""
#define P_OK P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI "," P_SUBJ

static void test_json_rejections(void **state) {
    (void)state;
    char *f = two_fingers(2, 7);
    char *f_same = two_fingers(2, 2);
    char *f_bad_pos = two_fingers(2, 11);
    expect_json(P_OK, "[]", 422, "fingers: expected 2 fingers, got 0");
    expect_json(P_OK, f_same, 422, "fingers[1]: finger position 2 appears twice");
    expect_json(P_OK, f_bad_pos, 422, "fingers[1].position: must be a finger position 1..10");
    expect_json(P_TCN ",\"basis\":\"maybe\"," P_TOLD "," P_RI "," P_SUBJ, f, 422,
                "basis: must be one of consent, pace-61-6a, consent-refused");
    expect_json(P_TCN "," P_TOLD "," P_RI "," P_SUBJ, f, 422, "basis: required");
    expect_json(P_TCN ",\"basis\":\"pace-61-6a\"," P_TOLD "," P_RI "," P_SUBJ, f, 422,
                "offence: required when basis is pace-61-6a");
    expect_json(P_TCN ",\"basis\":\"pace-61-6a\",\"offence\":\"x\"," P_TOLD "," P_RI "," P_SUBJ, f,
                422, "name_doubt: required when basis is pace-61-6a");
    expect_json(P_TCN ",\"basis\":\"consent\",\"told_reason\":false,\"told_speculative\":true," P_RI
                      "," P_SUBJ,
                f, 422,
                "told_reason: the person must be told the reason unless basis is consent-refused");
    expect_json(P_TCN
                ",\"basis\":\"consent\",\"told_reason\":\"yes\",\"told_speculative\":true," P_RI
                "," P_SUBJ,
                f, 422, "told_reason: must be true or false");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD ",\"incident\":\"i\"," P_SUBJ, f, 422,
                "reason: required");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD
                      ",\"reason\":\"\",\"incident\":\"i\"," P_SUBJ,
                f, 422, "reason: must be 1..1000 characters, got 0");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD
                      ",\"reason\":\"caf\xc3\",\"incident\":\"i\"," P_SUBJ,
                f, 400, "reason: must be valid UTF-8 (bad byte at offset 87)");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD
                      ",\"reason\":\"a\\u0007b\",\"incident\":\"i\"," P_SUBJ,
                f, 422, "reason: must not contain control characters");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD
                      ",\"reason\":\"r\",\"incident\":\"0123456789012345678901234567890123456789"
                      "01234567890123456789012345\"," P_SUBJ,
                f, 422, "incident: must be 1..64 characters, got 66");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI, f, 422, "subject: required");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI
                      ",\"subject\":{\"ethnicity\":\"W1\",\"age_band\":\"25-34\",\"gender\":\"M\"}",
                f, 422, "subject.ethnicity: must be one of IC1, IC2, IC3, IC4, IC5, IC6, IC9");
    expect_json(
        P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI
              ",\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"30\",\"gender\":\"M\"}",
        f, 422,
        "subject.age_band: must be one of under-18, 18-24, 25-34, 35-44, 45-54, 55-64, 65+");
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI
                      ",\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"65+\"}",
                f, 422, "subject.gender: required");
    expect_json(P_OK ",\"databases\":[\"IDENT1\",\"PNC\"]", f, 422,
                "databases[1]: must be IDENT1 or IABS");
    expect_json(P_OK ",\"databases\":[]", f, 422,
                "databases: must be a non-empty array of IDENT1, IABS");
    expect_json(P_OK ",\"colour\":\"blue\"", f, 422, "request: unknown member \"colour\"");
    expect_json("\"basis\":\"consent\"," P_TOLD "," P_RI "," P_SUBJ, f, 422, "tcn: required");
    expect_json("\"tcn\":\"a b\",\"basis\":\"consent\"," P_TOLD "," P_RI "," P_SUBJ, f, 422,
                "tcn: must be 1..40 printable ASCII characters without spaces");
    expect_json(P_TCN ",\"basis\":\"consent-refused\"," P_RI "," P_SUBJ, f, 422,
                "fingers: expected 0 fingers when basis is consent-refused, got 2");
    expect_json(P_OK, "[{\"position\":2,\"format\":\"bmp\",\"data\":\"AA==\"},{}]", 422,
                "fingers[0].format: must be one of wsq, png, jpeg, jp2");
    expect_json(P_OK,
                "[{\"position\":2,\"format\":\"wsq\",\"data\":\"A*==\"},"
                "{\"position\":7,\"format\":\"wsq\",\"data\":\"AA==\"}]",
                422, "fingers[0].data: not valid base64 (" /* detail follows */);
    free(f);
    free(f_same);
    free(f_bad_pos);
}

static void test_media_and_size(void **state) {
    (void)state;
    gw_identify_request req;
    gw_identify_problem p;
    assert_false(parse("text/plain", "{}", 2, &req, &p));
    assert_int_equal(p.status, 415);
    assert_false(parse(NULL, "{}", 2, &req, &p));
    assert_int_equal(p.status, 415);
    assert_false(parse("application/json; charset=latin1", "{}", 2, &req, &p));
    assert_int_equal(p.status, 415);
    assert_false(parse("application/json", "{\"a\":", 5, &req, &p));
    assert_int_equal(p.status, 400);
    assert_string_equal(p.code, "malformed");
    assert_false(parse("application/json", "{}", MID_GW_MAX_BODY_BYTES + 1, &req, &p));
    assert_int_equal(p.status, 413);

    /* A PNG declaring 30000 x 30000 pixels: 413 from its header, nothing decoded. */
    uint8_t png[33] = {0x89, 'P', 'N', 'G',  '\r', '\n', 0x1A, '\n', 0,    0, 0, 13, 'I', 'H', 'D',
                       'R',  0,   0,   0x75, 0x30, 0,    0,    0x75, 0x30, 8, 0, 0,  0,   0};
    char *b64 = NULL;
    size_t n = 0;
    assert_int_equal(mid_base64_encode(NULL, png, sizeof(png), &b64, &n), MID_OK);
    char fingers[512];
    snprintf(fingers, sizeof(fingers),
             "[{\"position\":2,\"format\":\"png\",\"data\":\"%s\"},"
             "{\"position\":7,\"format\":\"png\",\"data\":\"%s\"}]",
             b64, b64);
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI "," P_SUBJ, fingers, 413,
                "fingers[0]: declared image of 30000 x 30000 pixels exceeds the limit of 8192 "
                "pixels a side and 41943040 pixels");
    /* Data that is not what the format says. */
    snprintf(fingers, sizeof(fingers),
             "[{\"position\":2,\"format\":\"wsq\",\"data\":\"%s\"},"
             "{\"position\":7,\"format\":\"png\",\"data\":\"%s\"}]",
             b64, b64);
    expect_json(P_TCN ",\"basis\":\"consent\"," P_TOLD "," P_RI "," P_SUBJ, fingers, 422,
                "fingers[0]: the data is not a wsq image (no readable header)");
    mid_free(b64);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_ok),         cmocka_unit_test(test_an2k_equals_json),
        cmocka_unit_test(test_an2k_rejections), cmocka_unit_test(test_json_rejections),
        cmocka_unit_test(test_media_and_size),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
