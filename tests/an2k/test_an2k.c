/*
 * ANSI/NIST-ITL transactions: builders round trip, verbatim preservation of unknown
 * fields and records, LEN/CNT maintenance, hostile input (truncation at every
 * offset, oversized lengths, nested garbage) with clear errors, and the check mode.
 */
#include "mid/an2k.h"
#include "mid/image.h"
#include "mid/template.h"
#include "support/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char GMT[] = "20250314093000Z";

/* A ridge-like test pattern. */
static mid_image *pattern(uint32_t w, uint32_t h, double ppi) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(NULL, w, h, ppi, &img), MID_OK);
    uint8_t *px = mid_image_pixels(img);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            px[(size_t)y * w + x] = (uint8_t)lround(128 + 90 * sin((x + 0.5 * y) * 0.6));
        }
    }
    return img;
}

static mid_template *minutiae(void) {
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(NULL, 200, 240, 500, &t), MID_OK);
    const mid_minutia ms[] = {{10, 20, 0, 1, 80}, {150, 200, 64, 2, 60}, {199, 239, 250, 1, 0}};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(mid_template_add(NULL, t, &ms[i]), MID_OK);
    }
    mid_template_set_quality(t, 77);
    return t;
}

typedef struct built {
    mid_image *img[2];
    mid_template *tmpl;
    mid_an2k_finger fingers[2];
    mid_an2k_search_request req;
} built;

static void make_request(built *b) {
    memset(b, 0, sizeof(*b));
    b->img[0] = pattern(200, 240, 500);
    b->img[1] = pattern(160, 180, 0);
    b->tmpl = minutiae();
    b->fingers[0] = (mid_an2k_finger){2, 0, 85, b->img[0], b->tmpl};
    b->fingers[1] = (mid_an2k_finger){7, 0, 254, b->img[1], NULL};
    static const char *const dbs[] = {"IDENT1", "IABS"};
    b->req = (mid_an2k_search_request){.ori = "GB0000001",
                                       .dai = "GBIDENT01",
                                       .tcn = "TCN-2025-000042",
                                       .gmt = GMT,
                                       .legal_basis = "PACE s.61",
                                       .reason = "identity unknown at roadside",
                                       .incident = "INC/2025/7781",
                                       .officer = "PC 4521 SMITH",
                                       .device = "MID-DEV-0007",
                                       .fingers = b->fingers,
                                       .n_fingers = 2,
                                       .bitrate = 0,
                                       .basis = "pace-61-6a",
                                       .offence = "theft from a vehicle",
                                       .name_doubt = "gave two different dates of birth",
                                       .told_reason = MID_AN2K_FLAG_YES,
                                       .told_speculative = MID_AN2K_FLAG_NO,
                                       .location = "51.5014,-0.1419",
                                       .ethnicity = "IC1",
                                       .age_band = "25-34",
                                       .gender = "M",
                                       .databases = dbs,
                                       .n_databases = 2};
}

static void free_request(built *b) {
    mid_image_free(b->img[0]);
    mid_image_free(b->img[1]);
    mid_template_free(b->tmpl);
}

static uint8_t *serialize(mid_an2k *tx, size_t *len) {
    void *out = NULL;
    assert_int_equal(mid_an2k_serialize(NULL, tx, &out, len), MID_OK);
    return out;
}

static mid_an2k *parse_ok(const uint8_t *d, size_t len) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_parse(ctx, d, len, &tx);
    if (st != MID_OK) {
        print_error("parse: %s\n", mid_ctx_error(ctx));
    }
    assert_int_equal(st, MID_OK);
    mid_ctx_free(ctx);
    return tx;
}

/* Parses expecting failure; returns the detail (static buffer). */
static const char *parse_fail(const uint8_t *d, size_t len, mid_status expect) {
    static char msg[512];
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_parse(ctx, d, len, &tx), expect);
    assert_null(tx);
    snprintf(msg, sizeof(msg), "%s", mid_ctx_error(ctx));
    mid_ctx_free(ctx);
    return msg;
}

static void assert_text(const mid_an2k *tx, size_t rec, unsigned num, const char *want) {
    char buf[256];
    assert_true(mid_an2k_get_text(tx, rec, num, buf, sizeof(buf)));
    assert_string_equal(buf, want);
}

static uint8_t *built_search(size_t *len) {
    built b;
    make_request(&b);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_OK);
    uint8_t *d = serialize(tx, len);
    mid_an2k_free(tx);
    free_request(&b);
    return d;
}

static void test_search_round_trip(void **state) {
    (void)state;
    built b;
    make_request(&b);
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_OK);
    size_t len;
    uint8_t *d = serialize(tx, &len);
    mid_an2k_free(tx);

    /* Valid per the check mode, and parse + serialise is the identity. */
    size_t problems = 99;
    assert_int_equal(mid_an2k_check(ctx, d, len, NULL, NULL, &problems), MID_OK);
    assert_int_equal(problems, 0);
    tx = parse_ok(d, len);
    size_t len2;
    uint8_t *d2 = serialize(tx, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(d2, d, len);
    free(d2);

    /* Records: Type-1, Type-2, Type-14 + Type-9 (finger 1), Type-14 (finger 2). */
    assert_int_equal(mid_an2k_record_count(tx), 5);
    assert_int_equal(mid_an2k_record_type(tx, 1), 2);
    assert_int_equal(mid_an2k_record_type(tx, 2), 14);
    assert_int_equal(mid_an2k_record_type(tx, 3), 9);
    assert_int_equal(mid_an2k_record_type(tx, 4), 14);
    mid_an2k_type1 t1;
    assert_int_equal(mid_an2k_type1_get(ctx, tx, &t1), MID_OK);
    assert_string_equal(t1.version, "0502");
    assert_string_equal(t1.tot, "RPIS");
    assert_string_equal(t1.date, "20250314");
    assert_string_equal(t1.ori, "GB0000001");
    assert_string_equal(t1.dai, "GBIDENT01");
    assert_string_equal(t1.tcn, "TCN-2025-000042");
    assert_string_equal(t1.gmt, GMT);
    assert_text(tx, 0, 3,
                "1\x1f"
                "4\x1e"
                "2\x1f"
                "00\x1e"
                "14\x1f"
                "01\x1e"
                "9\x1f"
                "01\x1e"
                "14\x1f"
                "02");
    assert_text(tx, 1, MID_AN2K_F_LEGAL_BASIS, "PACE s.61");
    assert_text(tx, 1, MID_AN2K_F_REASON, "identity unknown at roadside");
    assert_text(tx, 1, MID_AN2K_F_INCIDENT, "INC/2025/7781");
    assert_text(tx, 1, MID_AN2K_F_OFFICER, "PC 4521 SMITH");
    assert_text(tx, 1, MID_AN2K_F_DEVICE, "MID-DEV-0007");
    assert_text(tx, 1, MID_AN2K_F_BASIS, "pace-61-6a");
    assert_text(tx, 1, MID_AN2K_F_OFFENCE, "theft from a vehicle");
    assert_text(tx, 1, MID_AN2K_F_NAME_DOUBT, "gave two different dates of birth");
    assert_text(tx, 1, MID_AN2K_F_TOLD_REASON, "Y");
    assert_text(tx, 1, MID_AN2K_F_TOLD_SPECULATIVE, "N");
    assert_text(tx, 1, MID_AN2K_F_LOCATION, "51.5014,-0.1419");
    assert_text(tx, 1, MID_AN2K_F_ETHNICITY, "IC1");
    assert_text(tx, 1, MID_AN2K_F_AGE_BAND, "25-34");
    assert_text(tx, 1, MID_AN2K_F_GENDER, "M");
    assert_text(tx, 1, MID_AN2K_F_DATABASES, "IDENT1\x1eIABS");
    /* The policy fields follow the mandatory ones in numeric order, before 2.910. */
    mid_an2k_field fl;
    assert_int_equal(mid_an2k_field_at(tx, 1, 7, &fl), MID_OK);
    assert_int_equal(fl.number, MID_AN2K_F_BASIS);
    assert_int_equal(mid_an2k_field_count(tx, 1), 2 + 5 + 10);

    mid_an2k_image_info ii;
    assert_int_equal(mid_an2k_image_info_get(ctx, tx, 2, &ii), MID_OK);
    assert_int_equal(ii.idc, 1);
    assert_int_equal(ii.n_fgp, 1);
    assert_int_equal(ii.fgp[0], 2);
    assert_int_equal(ii.quality, 85);
    assert_int_equal(ii.compression, MID_AN2K_CGA_WSQ20);
    assert_int_equal(ii.hll, 200);
    assert_int_equal(ii.vll, 240);
    assert_true(ii.ppi == 500.0);
    assert_string_equal(ii.src, "GB0000001");
    assert_string_equal(ii.date, "20250314");
    mid_image *img = NULL;
    assert_int_equal(mid_an2k_image_decode(ctx, tx, 2, &img), MID_OK);
    assert_int_equal(mid_image_width(img), 200);
    assert_int_equal(mid_image_height(img), 240);
    /* WSQ is lossy: the pattern survives approximately. */
    const uint8_t *a = mid_image_cpixels(img), *o = mid_image_cpixels(b.img[0]);
    double err = 0;
    for (size_t i = 0; i < 200 * 240; i++) {
        err += abs((int)a[i] - (int)o[i]);
    }
    print_message("mean absolute WSQ error %.2f\n", err / (200 * 240));
    assert_true(err / (200 * 240) < 20);
    mid_image_free(img);
    assert_int_equal(mid_an2k_image_info_get(ctx, tx, 4, &ii), MID_OK);
    assert_int_equal(ii.fgp[0], 7);
    assert_int_equal(ii.quality, 254);

    /* Type-9 back into a template. */
    mid_template *t = NULL;
    assert_int_equal(mid_an2k_minutiae_get(ctx, tx, 3, &t), MID_OK);
    assert_int_equal(mid_template_count(t), 3);
    assert_int_equal(mid_template_width(t), 200);
    assert_int_equal(mid_template_height(t), 240);
    assert_int_equal(mid_template_ppi(t), 500);
    assert_int_equal(mid_template_finger_position(t), 2);
    assert_int_equal(mid_template_quality(t), 77);
    const mid_minutia *got = mid_template_minutiae(t), *want = mid_template_minutiae(b.tmpl);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(got[i].x, want[i].x);
        assert_int_equal(got[i].y, want[i].y);
        assert_int_equal(got[i].type, want[i].type);
        assert_int_equal(got[i].quality, want[i].quality);
        int da = abs((int)got[i].angle - (int)want[i].angle);
        assert_true(da <= 1 || da >= 255); /* 2-degree units in between */
    }
    mid_template_free(t);
    mid_an2k_free(tx);
    free(d);
    free_request(&b);
    mid_ctx_free(ctx);
}

/* Without the optional policy fields the Type-2 holds only the five mandatory ones. */
static void test_search_policy_optional(void **state) {
    (void)state;
    built b;
    make_request(&b);
    b.req.basis = b.req.offence = b.req.name_doubt = b.req.location = NULL;
    b.req.ethnicity = b.req.age_band = b.req.gender = NULL;
    b.req.told_reason = b.req.told_speculative = MID_AN2K_FLAG_ABSENT;
    b.req.n_databases = 0;
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_OK);
    assert_int_equal(mid_an2k_field_count(tx, 1), 2 + 5);
    assert_null(mid_an2k_get(tx, 1, MID_AN2K_F_BASIS, NULL));
    mid_an2k_free(tx);
    /* A refused consent: a transaction without prints, and only then. */
    b.req.basis = "consent-refused";
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_ERR_ARG);
    b.req.n_fingers = 0;
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_OK);
    assert_int_equal(mid_an2k_record_count(tx), 2);
    assert_text(tx, 1, MID_AN2K_F_BASIS, "consent-refused");
    mid_an2k_free(tx);
    b.req.basis = "consent";
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_ERR_ARG);
    free_request(&b);
}

static void test_search_bad_inputs(void **state) {
    (void)state;
    built b;
    make_request(&b);
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_an2k *tx = NULL;
    b.req.officer = "PC\x1d"
                    "4521";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "officer"));
    b.req.officer = "";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.officer = "PC 1";
    b.req.gmt = "20250230120000Z";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "GMT"));
    b.req.gmt = GMT;
    b.req.n_fingers = 0;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.n_fingers = 2;
    b.fingers[1].position = 2;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "repeats"));
    b.fingers[1].position = 16;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.fingers[1].position = 7;
    b.fingers[1].quality = 101;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.fingers[1].quality = 90;
    /* The policy fields: coded values, texts, flags, database names. */
    b.req.basis = "consented";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_string_equal(mid_ctx_error(ctx),
                        "basis must be one of consent, pace-61-6a, consent-refused");
    b.req.basis = "consent";
    b.req.ethnicity = "IC7";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "ethnicity must be one of IC1"));
    b.req.ethnicity = NULL;
    b.req.age_band = "30";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.age_band = NULL;
    b.req.gender = "male";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.gender = NULL;
    b.req.offence = "";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.offence = "caf\xc3\xa9";
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "offence"));
    b.req.offence = NULL;
    b.req.told_reason = (mid_an2k_flag)3;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    b.req.told_reason = MID_AN2K_FLAG_YES;
    static const char *const bad_dbs[] = {"IDENT1", "iabs"};
    b.req.databases = bad_dbs;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "database 2"));
    b.req.n_databases = MID_AN2K_MAX_DATABASES + 1;
    assert_int_equal(mid_an2k_build_search(ctx, &b.req, &tx), MID_ERR_ARG);
    assert_null(tx);
    free_request(&b);
    mid_ctx_free(ctx);
}

static void test_response_round_trip(void **state) {
    (void)state;
    const mid_an2k_candidate c[] = {{"PNC/1999/0012345X", 4512}, {"PNC/2004/0999999A", 310}};
    mid_an2k_search_response r = {"GBIDENT01",       "GB0000001",  GMT, "R-77",
                                  "TCN-2025-000042", MID_AN2K_HIT, c,   2,
                                  "two candidates"};
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_response(NULL, &r, &tx), MID_OK);
    size_t len;
    uint8_t *d = serialize(tx, &len);
    mid_an2k_free(tx);
    assert_int_equal(mid_an2k_check(NULL, d, len, NULL, NULL, NULL), MID_OK);
    tx = parse_ok(d, len);
    assert_int_equal(mid_an2k_record_count(tx), 2);
    assert_text(tx, 0, 4, "RPISR");
    assert_text(tx, 0, 10, "TCN-2025-000042");
    assert_text(tx, 1, MID_AN2K_F_RESULT, "HIT");
    assert_text(tx, 1, MID_AN2K_F_MESSAGE, "two candidates");
    size_t vl;
    const uint8_t *v = mid_an2k_get(tx, 1, MID_AN2K_F_CANDIDATES, &vl);
    assert_non_null(v);
    assert_int_equal(mid_an2k_subfield_count(v, vl), 2);
    size_t il;
    const uint8_t *it = mid_an2k_item(v, vl, 1, 0, &il);
    assert_int_equal(il, strlen("PNC/2004/0999999A"));
    assert_memory_equal(it, "PNC/2004/0999999A", il);
    it = mid_an2k_item(v, vl, 0, 1, &il);
    assert_memory_equal(it, "4512", il);
    assert_null(mid_an2k_item(v, vl, 2, 0, &il));
    assert_null(mid_an2k_item(v, vl, 0, 2, &il));
    mid_an2k_free(tx);
    free(d);
    /* No hit, no candidates, no message. */
    r.result = MID_AN2K_NO_HIT;
    r.n_candidates = 0;
    r.message = NULL;
    assert_int_equal(mid_an2k_build_response(NULL, &r, &tx), MID_OK);
    assert_text(tx, 1, MID_AN2K_F_RESULT, "NOHIT");
    assert_null(mid_an2k_get(tx, 1, MID_AN2K_F_CANDIDATES, NULL));
    mid_an2k_free(tx);
    r.tcr = NULL;
    assert_int_equal(mid_an2k_build_response(NULL, &r, &tx), MID_ERR_ARG);
}

/* Unknown fields (with subfields and items) and an unknown record type survive a
 * round trip byte for byte; changing one record leaves the others' bytes alone. */
static void test_unknown_kept_verbatim(void **state) {
    (void)state;
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_create(NULL, "0400", "XYZ", &tx), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 0, 5, "20240101"), MID_OK);
    size_t r2, r22;
    assert_int_equal(mid_an2k_add_record(NULL, tx, 2, 0, &r2), MID_OK);
    const char odd[] = "a\x1e"
                       "b\x1f"
                       "c\x1f\x1e"
                       "\x7f\x80";
    assert_int_equal(mid_an2k_set(NULL, tx, r2, 7777, odd, sizeof(odd) - 1), MID_OK);
    assert_int_equal(mid_an2k_add_record(NULL, tx, 22, 5, &r22), MID_OK);
    const uint8_t bin[] = {0x1c, 0x1d, 0x1e, 0x1f, 0x00, 0xff, '2', '2', '.', '0', ':', 0x1c};
    assert_int_equal(mid_an2k_set(NULL, tx, r22, 999, bin, sizeof(bin)), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, r22, 3, "x"), MID_OK);
    /* 999 stays last although set first. */
    mid_an2k_field f;
    assert_int_equal(mid_an2k_field_at(tx, r22, mid_an2k_field_count(tx, r22) - 1, &f), MID_OK);
    assert_int_equal(f.number, 999);
    size_t len;
    uint8_t *d = serialize(tx, &len);
    mid_an2k_free(tx);

    tx = parse_ok(d, len);
    size_t vl;
    const uint8_t *v = mid_an2k_get(tx, 1, 7777, &vl);
    assert_int_equal(vl, sizeof(odd) - 1);
    assert_memory_equal(v, odd, vl);
    v = mid_an2k_get(tx, 2, 999, &vl);
    assert_int_equal(vl, sizeof(bin));
    assert_memory_equal(v, bin, vl);
    assert_int_equal(mid_an2k_record_type(tx, 2), 22);
    size_t len2;
    uint8_t *d2 = serialize(tx, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(d2, d, len);
    free(d2);

    /* Grow the Type-2 across a LEN digit boundary: only its bytes change. */
    size_t off22 = mid_an2k_record_offset(tx, 2);
    char big[200];
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    assert_int_equal(mid_an2k_set_text(NULL, tx, 1, 8, big), MID_OK);
    d2 = serialize(tx, &len2);
    mid_an2k *tx2 = parse_ok(d2, len2);
    size_t l2001;
    const uint8_t *lv = mid_an2k_get(tx2, 1, 1, &l2001);
    char lentext[16];
    memcpy(lentext, lv, l2001);
    lentext[l2001] = '\0';
    size_t off22b = mid_an2k_record_offset(tx2, 2);
    assert_int_equal((size_t)atoi(lentext), off22b - mid_an2k_record_offset(tx2, 1));
    assert_memory_equal(d2 + off22b, d + off22, len - off22);
    assert_memory_equal(d2, d, mid_an2k_record_offset(tx, 1));
    mid_an2k_free(tx2);
    free(d2);
    /* Tag spelling such as "1.01" is kept as written. */
    mid_an2k_free(tx);
    free(d);
    const char buf[] = "1.01:39\x1d"
                       "1.02:0201\x1d"
                       "1.03:1\x1f"
                       "1\x1e"
                       "2\x1f"
                       "00\x1d"
                       "1.04:A\x1c"
                       "2.001:18\x1d"
                       "2.002:00\x1c";
    tx = parse_ok((const uint8_t *)buf, strlen(buf));
    assert_int_equal(mid_an2k_field_at(tx, 0, 1, &f), MID_OK);
    assert_string_equal(f.tag, "1.02");
    assert_int_equal(f.number, 2);
    d = serialize(tx, &len);
    assert_int_equal(len, strlen(buf));
    assert_memory_equal(d, buf, len);
    free(d);
    mid_an2k_free(tx);
}

static void test_records_add_remove(void **state) {
    (void)state;
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_create(NULL, "0502", "T", &tx), MID_OK);
    /* A Type-4 raw 4x3 image as its legacy binary layout. */
    uint8_t t4[18 + 12] = {0, 0, 0, 30, 7, 1, 3, 255, 255, 255, 255, 255, 1, 0, 4, 0, 3, 0};
    for (size_t i = 0; i < 12; i++) {
        t4[18 + i] = (uint8_t)(i * 20);
    }
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    assert_int_equal(mid_an2k_set_text(ctx, tx, 0, 12, "19.69"), MID_OK);
    size_t r4;
    assert_int_equal(mid_an2k_add_binary_record(ctx, tx, 4, t4, sizeof(t4), &r4), MID_OK);
    assert_int_equal(mid_an2k_add_binary_record(ctx, tx, 4, t4, sizeof(t4) - 1, NULL), MID_ERR_ARG);
    assert_int_equal(mid_an2k_add_binary_record(ctx, tx, 9, t4, sizeof(t4), NULL), MID_ERR_ARG);
    mid_an2k_image_info ii;
    assert_int_equal(mid_an2k_image_info_get(ctx, tx, r4, &ii), MID_OK);
    assert_int_equal(ii.idc, 7);
    assert_int_equal(ii.imp, 1);
    assert_int_equal(ii.n_fgp, 1);
    assert_int_equal(ii.fgp[0], 3);
    assert_int_equal(ii.hll, 4);
    assert_int_equal(ii.vll, 3);
    assert_true(ii.ppi > 500.0 && ii.ppi < 500.2); /* ISR 1: 1.012 = 19.69 ppmm */
    mid_image *img = NULL;
    assert_int_equal(mid_an2k_image_decode(ctx, tx, r4, &img), MID_OK);
    assert_int_equal(mid_image_cpixels(img)[11], 220);
    mid_image_free(img);
    size_t r2;
    assert_int_equal(mid_an2k_add_record(ctx, tx, 2, 0, &r2), MID_OK);
    assert_text(tx, 0, 3,
                "1\x1f"
                "2\x1e"
                "4\x1f"
                "07\x1e"
                "2\x1f"
                "00");
    assert_int_equal(mid_an2k_add_record(ctx, tx, 4, 0, NULL), MID_ERR_ARG);
    assert_int_equal(mid_an2k_remove_record(ctx, tx, r4), MID_OK);
    assert_text(tx, 0, 3,
                "1\x1f"
                "1\x1e"
                "2\x1f"
                "00");
    assert_int_equal(mid_an2k_remove_record(ctx, tx, 0), MID_ERR_ARG);
    assert_int_equal(mid_an2k_set_text(ctx, tx, 1, 1, "5"), MID_ERR_ARG);
    assert_int_equal(mid_an2k_set_text(ctx, tx, 1, 5, "a\x1c"), MID_ERR_ARG);
    assert_int_equal(mid_an2k_remove(ctx, tx, 1, 5), MID_ERR_ARG);
    assert_int_equal(mid_an2k_set_text(ctx, tx, 1, 5, "v"), MID_OK);
    assert_int_equal(mid_an2k_remove(ctx, tx, 1, 5), MID_OK);
    assert_null(mid_an2k_get(tx, 1, 5, NULL));
    mid_an2k_free(tx);
    mid_ctx_free(ctx);
}

/* Every proper prefix of a valid transaction fails cleanly with a message that
 * names a record and an offset. */
static void test_truncated(void **state) {
    (void)state;
    size_t len;
    uint8_t *d = built_search(&len);
    for (size_t n = 0; n < len; n += (n < 400 ? 1 : 97)) {
        const char *msg = parse_fail(d, n, MID_ERR_FORMAT);
        assert_non_null(strstr(msg, "record "));
        if (n > 0) {
            assert_non_null(strstr(msg, "offset"));
        }
    }
    const char *msg = parse_fail(d, len - 1, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "record 5 (Type-14) field 14.001: record length"));
    assert_non_null(strstr(msg, "overruns the input"));
    free(d);
}

static void test_oversized_lengths(void **state) {
    (void)state;
    size_t len;
    uint8_t *d = built_search(&len);
    mid_an2k *tx = parse_ok(d, len);
    size_t off14 = mid_an2k_record_offset(tx, 2);
    mid_an2k_free(tx);
    /* Type-14 LEN replaced by a larger number of the same width. */
    uint8_t *bad = malloc(len);
    memcpy(bad, d, len);
    assert_memory_equal(bad + off14, "14.001:", 7);
    bad[off14 + 7] = '9';
    const char *msg = parse_fail(bad, len, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "record 3 (Type-14) field 14.001"));
    assert_non_null(strstr(msg, "overruns the input"));
    /* A LEN of 10 digits and more. */
    char big[64];
    int n = snprintf(big, sizeof(big), "1.001:99999999999\x1d");
    msg = parse_fail((const uint8_t *)big, (size_t)n, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "bad record length"));
    /* A legacy binary record whose 4-byte LEN overruns. */
    mid_an2k *t = NULL;
    assert_int_equal(mid_an2k_create(NULL, "0400", "T", &t), MID_OK);
    uint8_t t4[18 + 4] = {0, 0, 0, 22, 1, 0, 1, 255, 255, 255, 255, 255, 0, 0, 2, 0, 2, 0};
    assert_int_equal(mid_an2k_add_binary_record(NULL, t, 4, t4, sizeof(t4), NULL), MID_OK);
    size_t tl;
    uint8_t *td = serialize(t, &tl);
    mid_an2k_free(t);
    td[tl - 22] = 0x7f;
    msg = parse_fail(td, tl, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "(Type-4) field 4.001: record length"));
    assert_non_null(strstr(msg, "overruns"));
    td[tl - 22] = 0;
    td[tl - 19] = 5; /* shorter than the 18-byte header */
    msg = parse_fail(td, tl, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "shorter than the record header"));
    free(td);
    /* A CNT announcing more records than the limit. */
    n = snprintf(big, sizeof(big),
                 "1.001:33\x1d"
                 "1.002:0502\x1d"
                 "1.003:1\x1f"
                 "5000\x1c");
    msg = parse_fail((const uint8_t *)big, (size_t)n, MID_ERR_LIMIT);
    assert_non_null(strstr(msg, "1.003"));
    free(bad);
    free(d);
}

static void test_nested_garbage(void **state) {
    (void)state;
    size_t len;
    uint8_t *d = built_search(&len);
    mid_an2k *tx = parse_ok(d, len);
    size_t off2 = mid_an2k_record_offset(tx, 1);
    mid_an2k_field f;
    assert_int_equal(mid_an2k_field_at(tx, 1, 2, &f), MID_OK); /* 2.901 */
    size_t foff = f.offset;
    mid_an2k_free(tx);
    uint8_t *bad = malloc(len);

    /* A FS inside a Type-2 text field. */
    memcpy(bad, d, len);
    bad[foff + 7] = 0x1c;
    const char *msg = parse_fail(bad, len, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "record 2 (Type-2) field 2.901: FS separator at offset"));
    /* Garbage where a tag should be. */
    memcpy(bad, d, len);
    memcpy(bad + foff, "2x901", 5);
    msg = parse_fail(bad, len, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "record 2 (Type-2): bad field tag '2x901:"));
    char want[64];
    snprintf(want, sizeof(want), "at offset %zu", foff);
    assert_non_null(strstr(msg, want));
    /* A record whose type is not the one 1.003 lists. */
    memcpy(bad, d, len);
    bad[off2] = '3';
    msg = parse_fail(bad, len, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "belongs to a Type-3 record (1.003 lists Type-2)"));
    /* Trailing bytes after the last record. */
    uint8_t *longer = malloc(len + 3);
    memcpy(longer, d, len);
    memcpy(longer + len, "abc", 3);
    msg = parse_fail(longer, len + 3, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "3 trailing byte(s)"));
    free(longer);
    /* CNT counts that disagree. */
    const char cnt[] = "1.001:35\x1d"
                       "1.002:0502\x1d"
                       "1.003:1\x1f"
                       "2\x1e"
                       "2\x1f"
                       "00\x1c";
    msg = parse_fail((const uint8_t *)cnt, sizeof(cnt) - 1, MID_ERR_FORMAT);
    assert_non_null(strstr(msg, "announces 2 records but lists 1"));
    /* Random bytes. */
    uint8_t noise[300];
    uint32_t x = 12345;
    for (size_t i = 0; i < sizeof(noise); i++) {
        x = x * 1103515245u + 12345u;
        noise[i] = (uint8_t)(x >> 16);
    }
    parse_fail(noise, sizeof(noise), MID_ERR_FORMAT);
    free(bad);
    free(d);
}

typedef struct collected {
    char lines[16][512];
    size_t n;
} collected;

static void collect(void *user, const char *problem) {
    collected *c = user;
    if (c->n < 16) {
        snprintf(c->lines[c->n++], 512, "%s", problem);
    }
}

static void test_check_reports_every_problem(void **state) {
    (void)state;
    built b;
    make_request(&b);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(NULL, &b.req, &tx), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 2, 13, "99"), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 2, 3, "77"), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 4, 5, "20251301"), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, 4, 11, "GIF"), MID_OK);
    assert_int_equal(mid_an2k_remove(NULL, tx, 0, 9), MID_OK);
    size_t len;
    uint8_t *d = serialize(tx, &len);
    mid_an2k *back = parse_ok(d, len);
    mid_an2k_field f;
    size_t i13 = 0;
    while (mid_an2k_field_at(back, 2, i13, &f) == MID_OK && f.number != 13) {
        i13++;
    }
    size_t fgp_off = f.offset + 7;
    mid_an2k_free(back);
    collected c = {0};
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    size_t problems = 0;
    assert_int_equal(mid_an2k_check(ctx, d, len, collect, &c, &problems), MID_ERR_FORMAT);
    assert_int_equal(problems, 5);
    assert_int_equal(c.n, 5);
    char want[128];
    snprintf(want, sizeof(want),
             "record 3 (Type-14) field 14.013: bad finger position '99' at offset %zu", fgp_off);
    bool found = false;
    for (size_t i = 0; i < c.n; i++) {
        found = found || strcmp(c.lines[i], want) == 0;
    }
    if (!found) {
        for (size_t i = 0; i < c.n; i++) {
            print_error("%s\n", c.lines[i]);
        }
    }
    assert_true(found);
    assert_non_null(strstr(c.lines[0], "1.009: mandatory field TCN is missing"));
    /* The first problem is also the context's detail. */
    assert_string_equal(mid_ctx_error(ctx), c.lines[0]);
    mid_an2k_free(tx);
    free(d);
    free_request(&b);
    mid_ctx_free(ctx);
}

static void test_legacy_minutiae(void **state) {
    (void)state;
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_create(NULL, "0300", "T", &tx), MID_OK);
    size_t r9;
    assert_int_equal(mid_an2k_add_record(NULL, tx, 9, 1, &r9), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, r9, 10, "2"), MID_OK);
    assert_int_equal(mid_an2k_set_text(NULL, tx, r9, 12,
                                       "001\x1f"
                                       "01320715248\x1f"
                                       "0\x1f"
                                       "A\x1f"
                                       "2,1\x1e"
                                       "002\x1f"
                                       "02280918078\x1f"
                                       "5\x1f"
                                       "B"),
                     MID_OK);
    mid_an2k_legacy_minutia m[4];
    size_t n = 0;
    assert_int_equal(mid_an2k_legacy_minutiae(NULL, tx, r9, m, 4, &n), MID_OK);
    assert_int_equal(n, 2);
    assert_int_equal(m[0].x, 132);
    assert_int_equal(m[0].y, 715);
    assert_int_equal(m[0].theta, 248);
    assert_int_equal(m[0].type, 'A');
    assert_int_equal(m[1].quality, 5);
    assert_int_equal(m[1].type, 'B');
    /* Without an image record of IDC 1 the millimetre coordinates cannot be placed. */
    mid_template *t = NULL;
    assert_int_equal(mid_an2k_minutiae_get(NULL, tx, r9, &t), MID_ERR_UNSUPPORTED);
    /* With one (800 x 768 at 500 ppi): x = 1.32 mm -> 26 px, y = 768 - 7.15 mm -> 627,
     * theta 248 degrees turned by 180 -> 68 degrees -> 48 in 360/256 units. */
    size_t r14;
    assert_int_equal(mid_an2k_add_record(NULL, tx, 14, 1, &r14), MID_OK);
    const unsigned nums[] = {3, 6, 7, 8, 9, 10, 11, 12, 13, 999};
    const char *vals[] = {"1", "800", "768", "1", "500", "500", "NONE", "8", "04", "x"};
    for (size_t i = 0; i < 10; i++) {
        assert_int_equal(mid_an2k_set_text(NULL, tx, r14, nums[i], vals[i]), MID_OK);
    }
    assert_int_equal(mid_an2k_minutiae_get(NULL, tx, r9, &t), MID_OK);
    assert_int_equal(mid_template_count(t), 2);
    assert_int_equal(mid_template_width(t), 800);
    assert_int_equal(mid_template_height(t), 768);
    assert_int_equal(mid_template_finger_position(t), 4);
    const mid_minutia *mm = mid_template_minutiae(t);
    assert_int_equal(mm[0].x, 26);
    assert_int_equal(mm[0].y, 768 - 141);
    assert_int_equal(mm[0].angle, 48);
    assert_int_equal(mm[0].type, MID_MINUTIA_ENDING);
    assert_int_equal(mm[0].quality, 0);
    assert_int_equal(mm[1].type, MID_MINUTIA_BIFURCATION);
    assert_int_equal(mm[1].quality, 8); /* 5 of 63 */
    mid_template_free(t);
    t = NULL;
    assert_int_equal(mid_an2k_set_text(NULL, tx, r9, 12,
                                       "001\x1f"
                                       "0132"),
                     MID_OK);
    assert_int_equal(mid_an2k_legacy_minutiae(NULL, tx, r9, m, 4, &n), MID_ERR_FORMAT);
    mid_an2k_free(tx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_search_round_trip),
        cmocka_unit_test(test_search_policy_optional),
        cmocka_unit_test(test_search_bad_inputs),
        cmocka_unit_test(test_response_round_trip),
        cmocka_unit_test(test_unknown_kept_verbatim),
        cmocka_unit_test(test_records_add_remove),
        cmocka_unit_test(test_truncated),
        cmocka_unit_test(test_oversized_lengths),
        cmocka_unit_test(test_nested_garbage),
        cmocka_unit_test(test_check_reports_every_problem),
        cmocka_unit_test(test_legacy_minutiae),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
