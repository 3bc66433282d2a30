/*
 * Writes the seed corpus of fuzz_identify (fuzz/corpus/identify): valid JSON and
 * RPIS identification requests built with the library's own encoders (WSQ, PNG,
 * JP2, mid_an2k_build_search) from a small synthetic ridge pattern, and broken
 * variants of each (missing fields, wrong types, wrong finger count, bad base64,
 * invalid UTF-8, bad TOT, truncation). Each file starts with the byte that picks
 * the Content-Type in fuzz_identify.c (0/2 JSON, 1/3 an2k). Not part of the
 * build; regenerate with (B=build/<dir>/src):
 *   cc -std=c11 -Iinclude fuzz/identify_corpus_gen.c -Wl,--start-group $B/libmid_an2k.a \
 *      $B/libmid_wsq.a $B/libmid_image.a $B/libmid_json.a $B/libmid_template.a \
 *      $B/libmid_core.a -Wl,--end-group $(pkg-config --libs libpng libjpeg libtiff-4 \
 *      libopenjp2) -lm -o /tmp/gen && /tmp/gen fuzz/corpus/identify
 * Output is deterministic; every file stays under 20 kB.
 */
#include "mid/an2k.h"
#include "mid/image.h"
#include "mid/json.h"
#include "mid/wsq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *g_dir;
static int g_rc;

static void put(const char *name, uint8_t sel, const void *d, size_t n) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s", g_dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fputc(sel, f) == EOF || (n > 0 && fwrite(d, 1, n, f) != n) || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        g_rc = 1;
    }
}

static void put_text(const char *name, uint8_t sel, const char *s) {
    put(name, sel, s, strlen(s));
}

static mid_image *ridges(uint32_t w, uint32_t h, double phase) {
    mid_image *img = NULL;
    if (mid_image_create(NULL, w, h, 500, &img) != MID_OK) {
        exit(1);
    }
    uint8_t *px = mid_image_pixels(img);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            double r = hypot((double)x - w / 2.0, (double)y - h / 2.0);
            px[y * w + x] = (uint8_t)lround(128 + 100 * sin(r * 0.6 + phase));
        }
    }
    return img;
}

static char *b64(const void *d, size_t n) {
    char *s = NULL;
    size_t sn = 0;
    if (mid_base64_encode(NULL, d, n, &s, &sn) != MID_OK) {
        exit(1);
    }
    return s;
}

#define POLICY_PACE                                                                                \
    "\"tcn\":\"DEV1-20261124-0001\",\"basis\":\"pace-61-6a\",\"offence\":\"theft from a "          \
    "vehicle\",\"name_doubt\":\"gave two dates of birth\",\"told_reason\":true,"                   \
    "\"told_speculative\":true,\"reason\":\"driver without licence\",\"incident\":\"LOG-"          \
    "2026-0042\",\"location\":\"51.5014,-0.1419\",\"subject\":{\"ethnicity\":\"IC1\","             \
    "\"age_band\":\"25-34\",\"gender\":\"M\"},\"databases\":[\"IDENT1\",\"IABS\"]"
#define POLICY_CONSENT                                                                             \
    "\"tcn\":\"DEV2-0002\",\"basis\":\"consent\",\"told_reason\":true,"                            \
    "\"told_speculative\":true,\"reason\":\"identity check\",\"incident\":\"LOG-7\","              \
    "\"subject\":{\"ethnicity\":\"IC9\",\"age_band\":\"65+\",\"gender\":\"U\"}"

/* {policy,"fingers":[{fmt1,data1},{fmt2,data2}]} */
static void json_two(const char *name, const char *policy, unsigned p1, const char *fmt1,
                     const char *d1, unsigned p2, const char *fmt2, const char *d2) {
    size_t cap = strlen(policy) + strlen(d1) + strlen(d2) + 256;
    char *b = malloc(cap);
    if (b == NULL) {
        exit(1);
    }
    snprintf(b, cap,
             "{%s,\"fingers\":[{\"position\":%u,\"quality\":81,\"format\":\"%s\",\"data\":\"%s\"},"
             "{\"position\":%u,\"format\":\"%s\",\"data\":\"%s\"}]}",
             policy, p1, fmt1, d1, p2, fmt2, d2);
    put_text(name, 0, b);
    free(b);
}

static void json_fingers(const char *name, const char *policy, const char *fingers) {
    size_t cap = strlen(policy) + strlen(fingers) + 32;
    char *b = malloc(cap);
    if (b == NULL) {
        exit(1);
    }
    snprintf(b, cap, "{%s,\"fingers\":%s}", policy, fingers);
    put_text(name, 0, b);
    free(b);
}

static void an2k_put(const char *name, mid_an2k *tx, size_t cut) {
    void *out = NULL;
    size_t len = 0;
    if (mid_an2k_serialize(NULL, tx, &out, &len) != MID_OK) {
        fprintf(stderr, "%s: serialize failed\n", name);
        g_rc = 1;
        return;
    }
    put(name, 1, out, len > cut ? len - cut : 0);
    mid_free(out);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus dir>\n", argv[0]);
        return 2;
    }
    g_dir = argv[1];
    mid_image *img = ridges(96, 112, 0), *img2 = ridges(80, 96, 1.3), *tiny = ridges(40, 40, 0);
    void *wsq = NULL, *wsq2 = NULL, *wsq_tiny = NULL, *png = NULL, *jp2 = NULL;
    size_t wn = 0, wn2 = 0, wtn = 0, pn = 0, jn = 0;
    if (mid_wsq_encode(NULL, img, 0.75, &wsq, &wn) != MID_OK ||
        mid_wsq_encode(NULL, img2, 0.75, &wsq2, &wn2) != MID_OK ||
        mid_wsq_encode(NULL, tiny, 0.75, &wsq_tiny, &wtn) != MID_OK ||
        mid_image_encode_png(NULL, img, &png, &pn) != MID_OK ||
        mid_image_encode_jp2(NULL, img2, 1.0, &jp2, &jn) != MID_OK) {
        fprintf(stderr, "encoding failed\n");
        return 1;
    }
    char *w1 = b64(wsq, wn), *w2 = b64(wsq2, wn2), *wt = b64(wsq_tiny, wtn), *p1 = b64(png, pn),
         *j1 = b64(jp2, jn);
    /* A JPEG header only (SOI, APP0, SOF0 of 100 x 120): the parser reads the
     * declared size and never decodes, so this is accepted by validation. */
    static const uint8_t jpeg_hdr[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0x4A, 0x46,
                                       0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x78, 0x00,
                                       0x64, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xD9};
    char *jh = b64(jpeg_hdr, sizeof(jpeg_hdr));

    /* ---- valid JSON ---- */
    json_two("json_ok_wsq", POLICY_PACE, 2, "wsq", w1, 7, "wsq", w2);
    json_two("json_ok_png_jp2", POLICY_CONSENT, 1, "png", p1, 6, "jp2", j1);
    json_two("json_ok_jpeg_header", POLICY_CONSENT, 3, "jpeg", jh, 8, "wsq", w2);
    put_text("json_consent_refused", 2,
             "{\"tcn\":\"DEV3-9\",\"basis\":\"consent-refused\",\"reason\":\"stop and "
             "account\",\"incident\":\"LOG-9\",\"location\":\"Caf\xC3\xA9 on the "
             "corner\",\"subject\":{\"ethnicity\":\"IC3\",\"age_band\":\"18-24\",\"gender\":"
             "\"F\"},\"fingers\":[]}");

    /* ---- broken JSON ---- */
    json_two("json_bad_missing_tcn",
             "\"basis\":\"consent\",\"told_reason\":true,\"told_speculative\":true,\"reason\":"
             "\"r\",\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"18-24\","
             "\"gender\":\"M\"}",
             2, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_reason_type",
             "\"tcn\":\"T1\",\"basis\":\"consent\",\"told_reason\":true,\"told_speculative\":"
             "true,\"reason\":42,\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC1\","
             "\"age_band\":\"18-24\",\"gender\":\"M\"}",
             2, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_pace_no_offence",
             "\"tcn\":\"T2\",\"basis\":\"pace-61-6a\",\"told_reason\":true,\"told_speculative\":"
             "true,\"reason\":\"r\",\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC1\","
             "\"age_band\":\"18-24\",\"gender\":\"M\"}",
             2, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_subject_code",
             "\"tcn\":\"T3\",\"basis\":\"consent\",\"told_reason\":true,\"told_speculative\":true,"
             "\"reason\":\"r\",\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC7\","
             "\"age_band\":\"old\",\"gender\":\"Q\"}",
             2, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_databases",
             "\"tcn\":\"T3\",\"basis\":\"consent\",\"told_reason\":true,\"told_speculative\":true,"
             "\"reason\":\"r\",\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC1\","
             "\"age_band\":\"18-24\",\"gender\":\"M\"},\"databases\":[\"IABS\","
             "\"IABS\"]",
             2, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_dup_position", POLICY_PACE, 7, "wsq", w1, 7, "wsq", w2);
    json_two("json_bad_format", POLICY_PACE, 2, "bmp", w1, 7, "wsq", w2);
    json_two("json_bad_base64", POLICY_PACE, 2, "wsq", "AAAA*AAA=", 7, "wsq", w2);
    json_two("json_bad_not_wsq", POLICY_PACE, 2, "wsq", p1, 7, "wsq", w2);
    json_two("json_bad_tiny_image", POLICY_PACE, 2, "wsq", wt, 7, "wsq", w2);
    {
        size_t cap = strlen(w1) + 128;
        char *f = malloc(cap);
        if (f == NULL) {
            return 1;
        }
        snprintf(f, cap, "[{\"position\":2,\"format\":\"wsq\",\"data\":\"%s\"}]", w1);
        json_fingers("json_bad_one_finger", POLICY_PACE, f);
        free(f);
        cap = 3 * strlen(w1) + 256;
        f = malloc(cap);
        if (f == NULL) {
            return 1;
        }
        snprintf(f, cap,
                 "[{\"position\":2,\"format\":\"wsq\",\"data\":\"%s\"},{\"position\":3,"
                 "\"format\":\"wsq\",\"data\":\"%s\"},{\"position\":4,\"format\":\"wsq\","
                 "\"data\":\"%s\"}]",
                 w1, w1, w1);
        json_fingers("json_bad_three_fingers", POLICY_PACE, f);
        free(f);
    }
    json_fingers("json_bad_finger_types", POLICY_PACE,
                 "[{\"position\":11,\"quality\":101,\"format\":\"wsq\",\"data\":\"\"},\"x\"]");
    json_fingers("json_bad_fingers_object", POLICY_PACE, "{\"position\":2}");
    put_text("json_bad_utf8", 0,
             "{\"tcn\":\"T4\",\"basis\":\"consent\",\"reason\":\"bad \xC3\x28 byte\","
             "\"incident\":\"i\"}");
    put_text("json_bad_overlong_utf8", 0,
             "{\"tcn\":\"T5\",\"basis\":\"consent\",\"reason\":\"over\xC0\xAFlong\"}");
    put_text("json_bad_control_char", 0,
             "{\"tcn\":\"T6\",\"basis\":\"consent-refused\",\"reason\":\"tab\\there\","
             "\"incident\":\"i\",\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"18-24\","
             "\"gender\":\"M\"}}");
    put_text("json_bad_not_object", 2, "[\"tcn\",\"basis\"]");
    put_text("json_bad_truncated", 0, "{\"tcn\":\"T7\",\"basis\":\"cons");
    put_text("json_bad_unknown_member", 0, "{\"tcn\":\"T8\",\"extra\":1}");
    put_text("json_bad_tcn_space", 0,
             "{\"tcn\":\"T 9\",\"basis\":\"consent\",\"subject\":{\"ethnicity\":\"IC1\","
             "\"age_band\":\"18-24\",\"gender\":\"M\"}}");

    /* ---- RPIS transactions ---- */
    mid_an2k_finger fs[3] = {{2, 0, 81, img, NULL}, {7, 0, 77, img2, NULL}, {3, 0, 60, img, NULL}};
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
    if (mid_an2k_build_search(NULL, &sr, &tx) != MID_OK) {
        fprintf(stderr, "build_search failed\n");
        return 1;
    }
    an2k_put("an2k_ok", tx, 0);
    an2k_put("an2k_bad_truncated", tx, 300);
    mid_an2k_set_text(NULL, tx, 0, 4, "CAR");
    an2k_put("an2k_bad_tot", tx, 0);
    mid_an2k_free(tx);

    /* Type-14 compression changed: NONE (raw size mismatch), PNG (not a PNG). */
    mid_an2k_build_search(NULL, &sr, &tx);
    mid_an2k_set_text(NULL, tx, 2, 11, "NONE");
    an2k_put("an2k_bad_raw_size", tx, 0);
    mid_an2k_set_text(NULL, tx, 2, 11, "PNG");
    an2k_put("an2k_bad_cga_png", tx, 0);
    mid_an2k_set_text(NULL, tx, 2, 11, "WSQ20");
    mid_an2k_set_text(NULL, tx, 2, 6, "9000");
    mid_an2k_set_text(NULL, tx, 2, 7, "9000");
    an2k_put("an2k_bad_declared_size", tx, 0);
    mid_an2k_free(tx);

    sr.n_fingers = 3;
    mid_an2k_build_search(NULL, &sr, &tx);
    an2k_put("an2k_bad_three_fingers", tx, 0);
    mid_an2k_free(tx);

    /* The builder refuses a repeated position: set FGP of the second Type-14. */
    sr.n_fingers = 2;
    mid_an2k_build_search(NULL, &sr, &tx);
    mid_an2k_set_text(NULL, tx, 3, 13, "2");
    an2k_put("an2k_bad_dup_position", tx, 0);
    mid_an2k_free(tx);

    sr.basis = NULL;
    sr.told_reason = MID_AN2K_FLAG_NO;
    sr.databases = NULL;
    sr.n_databases = 0;
    mid_an2k_build_search(NULL, &sr, &tx);
    an2k_put("an2k_bad_no_basis", tx, 0);
    mid_an2k_free(tx);

    sr.basis = "consent-refused";
    sr.offence = NULL;
    sr.name_doubt = NULL;
    sr.told_reason = MID_AN2K_FLAG_ABSENT;
    sr.told_speculative = MID_AN2K_FLAG_ABSENT;
    sr.n_fingers = 0;
    sr.fingers = NULL;
    sr.tcn = "DEV1-20261124-0002";
    if (mid_an2k_build_search(NULL, &sr, &tx) != MID_OK) {
        fprintf(stderr, "consent-refused build failed\n");
        return 1;
    }
    an2k_put("an2k_consent_refused", tx, 0);
    mid_an2k_free(tx);

    mid_free(wsq);
    mid_free(wsq2);
    mid_free(wsq_tiny);
    mid_free(png);
    mid_free(jp2);
    mid_free(w1);
    mid_free(w2);
    mid_free(wt);
    mid_free(p1);
    mid_free(j1);
    mid_free(jh);
    mid_image_free(img);
    mid_image_free(img2);
    mid_image_free(tiny);
    return g_rc;
}
