/*
 * WSQ codec tests: round trips of generated prints of many sizes (down to 1x1),
 * bitrate control, NISTCOM resolution, detection through mid_image_decode, clean
 * failure on truncation at every offset and on corrupt lengths, tables and sizes,
 * and the reference-data acceptance (skipped when ../shared/data is absent).
 */
#include "support/testutil.h"

#include "mid/image.h"
#include "mid/wsq.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mid_image *make_print(uint32_t w, uint32_t h, double period) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(NULL, w, h, 500.0, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            double dx = x - w * 0.45, dy = y - h * 0.55;
            double r = sqrt(dx * dx + dy * dy) + 0.15 * x;
            p[(size_t)y * w + x] =
                (uint8_t)(128.0 + 90.0 * sin(2.0 * 3.14159265358979 * r / period));
        }
    }
    return img;
}

static bool contains(const void *hay, size_t n, const char *needle) {
    size_t m = strlen(needle);
    for (size_t i = 0; i + m <= n; i++) {
        if (memcmp((const char *)hay + i, needle, m) == 0) {
            return true;
        }
    }
    return false;
}

static double psnr(const mid_image *a, const mid_image *b) {
    size_t n = (size_t)mid_image_width(a) * mid_image_height(a);
    const uint8_t *pa = mid_image_cpixels(a), *pb = mid_image_cpixels(b);
    double se = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)pa[i] - pb[i];
        se += d * d;
    }
    return se == 0.0 ? 99.0 : 10.0 * log10(255.0 * 255.0 * (double)n / se);
}

static void encode(const mid_image *img, double rate, void **buf, size_t *len) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_status st = mid_wsq_encode(ctx, img, rate, buf, len);
    if (st != MID_OK) {
        fail_msg("encode: %s", mid_ctx_error(ctx));
    }
    mid_ctx_free(ctx);
}

static mid_image *decode(const void *buf, size_t len) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *out = NULL;
    mid_status st = mid_wsq_decode(ctx, buf, len, &out);
    if (st != MID_OK) {
        fail_msg("decode: %s", mid_ctx_error(ctx));
    }
    mid_ctx_free(ctx);
    return out;
}

static void test_round_trip_sizes(void **state) {
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1},    {1, 40},    {40, 1},    {2, 3},
                                        {17, 9},   {9, 17},    {31, 33},   {64, 64},
                                        {100, 37}, {255, 257}, {300, 300}, {416, 560}};
    for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
        uint32_t w = sizes[i][0], h = sizes[i][1];
        mid_image *img = make_print(w, h, 9.0);
        void *buf = NULL;
        size_t len = 0;
        encode(img, 2.0, &buf, &len);
        mid_image *back = decode(buf, len);
        assert_int_equal(mid_image_width(back), w);
        assert_int_equal(mid_image_height(back), h);
        assert_true(mid_image_ppi(back) == 500.0);
        double p = psnr(img, back);
        /* Large images keep ridge detail; tiny ones keep at least their mean level. */
        double want = (w >= 64 && h >= 64) ? 30.0 : 5.0;
        if (p < want) {
            fail_msg("%ux%u: PSNR %.2f dB < %.1f", (unsigned)w, (unsigned)h, p, want);
        }
        mid_free(buf);
        mid_image_free(back);
        mid_image_free(img);
    }
}

/* Bytes of zero bits between the last coded coefficient and EOI (as some NBIS-era
 * encoders write in ANSI/NIST Type-4 records) are padding: the image decodes as
 * without them. */
static void test_zero_padding_after_last_coefficient(void **state) {
    (void)state;
    mid_image *img = make_print(64, 48, 9.0);
    void *buf = NULL;
    size_t len = 0;
    encode(img, 0.75, &buf, &len);
    const uint8_t *p = buf;
    assert_true(len > 4 && p[len - 2] == 0xFF && p[len - 1] == 0xA1); /* ends with EOI */
    uint8_t *padded = malloc(len + 2);
    assert_non_null(padded);
    memcpy(padded, p, len - 2);
    padded[len - 2] = 0x00;
    padded[len - 1] = 0x00;
    padded[len] = 0xFF;
    padded[len + 1] = 0xA1;
    mid_image *a = decode(buf, len), *b = decode(padded, len + 2);
    assert_memory_equal(mid_image_cpixels(a), mid_image_cpixels(b), 64 * 48);
    mid_image_free(a);
    mid_image_free(b);
    free(padded);
    mid_free(buf);
    mid_image_free(img);
}

static void test_high_rate_is_near_lossless(void **state) {
    (void)state;
    mid_image *img = make_print(200, 180, 11.0);
    void *buf = NULL;
    size_t len = 0;
    encode(img, 6.0, &buf, &len);
    mid_image *back = decode(buf, len);
    double p = psnr(img, back);
    if (p < 44.0) {
        fail_msg("6 bpp: PSNR %.2f dB", p);
    }
    mid_free(buf);
    mid_image_free(back);
    mid_image_free(img);
}

static void test_bitrate_control(void **state) {
    (void)state;
    mid_image *img = make_print(320, 320, 8.0);
    size_t prev = 0;
    static const double rates[] = {0.4, 0.75, 1.5, 2.5};
    for (size_t i = 0; i < 4; i++) {
        void *buf = NULL;
        size_t len = 0;
        encode(img, rates[i], &buf, &len);
        double bpp = (double)len * 8.0 / (320.0 * 320.0);
        /* more bits asked, more bits spent, within a loose band of the target */
        assert_true(len > prev);
        if (bpp < rates[i] * 0.5 || bpp > rates[i] * 1.5) {
            fail_msg("target %.2f bpp, got %.3f", rates[i], bpp);
        }
        prev = len;
        mid_free(buf);
    }
    mid_image_free(img);
}

static void test_nistcom_and_image_decode(void **state) {
    (void)state;
    mid_image *img = make_print(60, 50, 7.0);
    mid_image_set_ppi(img, 1000.0);
    void *buf = NULL;
    size_t len = 0;
    encode(img, MID_WSQ_DEFAULT_BITRATE, &buf, &len);
    assert_true(contains(buf, len, "NIST_COM 9\n"));
    assert_true(contains(buf, len, "PPI 1000\n"));
    assert_true(contains(buf, len, "PIX_WIDTH 60\n"));
    mid_image *back = NULL;
    assert_int_equal(mid_image_decode(NULL, buf, len, NULL, &back), MID_OK);
    assert_int_equal(mid_image_width(back), 60);
    assert_true(mid_image_ppi(back) == 1000.0);
    mid_image_free(back);
    mid_decode_opts o = {.format = MID_IMAGE_WSQ, .ppi = 0.0};
    assert_int_equal(mid_image_decode(NULL, buf, len, &o, &back), MID_OK);
    mid_image_free(back);
    mid_free(buf);
    mid_image_free(img);
}

static void expect_fail(const void *buf, size_t len, mid_status want, const char *needle) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *out = (mid_image *)&out; /* must be reset to NULL */
    mid_status st = mid_wsq_decode(ctx, buf, len, &out);
    if (st != want) {
        fail_msg("status %s, wanted %s (%s)", mid_status_name(st), mid_status_name(want),
                 mid_ctx_error(ctx));
    }
    assert_null(out);
    if (needle != NULL && strstr(mid_ctx_error(ctx), needle) == NULL) {
        fail_msg("message '%s' lacks '%s'", mid_ctx_error(ctx), needle);
    }
    mid_ctx_free(ctx);
}

static size_t find_marker(const uint8_t *d, size_t len, uint8_t m) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (d[i] == 0xFF && d[i + 1] == m) {
            return i;
        }
    }
    fail_msg("marker %02X not found", m);
    return 0;
}

static void test_truncation_every_offset(void **state) {
    (void)state;
    mid_image *img = make_print(40, 33, 6.0);
    void *buf = NULL;
    size_t len = 0;
    encode(img, 1.0, &buf, &len);
    for (size_t n = 0; n < len; n++) {
        mid_ctx *ctx = NULL;
        assert_int_equal(mid_ctx_create(&ctx), MID_OK);
        mid_image *out = NULL;
        mid_status st = mid_wsq_decode(ctx, buf, n, &out);
        if (st == MID_OK) {
            fail_msg("truncated at %zu of %zu decoded", n, len);
        }
        assert_true(st == MID_ERR_FORMAT);
        assert_true(strlen(mid_ctx_error(ctx)) > 0);
        mid_ctx_free(ctx);
    }
    mid_free(buf);
    mid_image_free(img);
}

static void test_corrupt_headers(void **state) {
    (void)state;
    mid_image *img = make_print(48, 40, 6.0);
    void *buf = NULL;
    size_t len = 0;
    encode(img, 1.0, &buf, &len);
    uint8_t *c = malloc(len);
    assert_non_null(c);
    const uint8_t *d = buf;

    /* oversized declared dimensions */
    memcpy(c, d, len);
    size_t sof = find_marker(c, len, 0xA2);
    c[sof + 6] = 0xFF;
    c[sof + 7] = 0xFF;
    expect_fail(c, len, MID_ERR_LIMIT, "SOF");
    c[sof + 6] = c[sof + 7] = c[sof + 8] = c[sof + 9] = 0;
    expect_fail(c, len, MID_ERR_FORMAT, "zero size");

    /* marker segment length past the end of the file */
    memcpy(c, d, len);
    size_t dqt = find_marker(c, len, 0xA5);
    c[dqt + 2] = 0xFF;
    c[dqt + 3] = 0xF0;
    expect_fail(c, len, MID_ERR_FORMAT, "DQT at offset");
    /* length shorter than the table */
    c[dqt + 2] = 0x00;
    c[dqt + 3] = 0x10;
    expect_fail(c, len, MID_ERR_FORMAT, "DQT");

    /* Huffman table: over-subscribed code lengths, bad id, too many values */
    memcpy(c, d, len);
    size_t dht = find_marker(c, len, 0xA6);
    c[dht + 5] = 2; /* three 1-bit codes cannot exist */
    c[dht + 6] = 0;
    c[dht + 5] = 3;
    expect_fail(c, len, MID_ERR_FORMAT, "DHT");
    memcpy(c, d, len);
    c[dht + 4] = 9;
    expect_fail(c, len, MID_ERR_FORMAT, "table id");
    memcpy(c, d, len);
    for (int l = 1; l <= 16; l++) {
        c[dht + 4 + l] = 200;
    }
    expect_fail(c, len, MID_ERR_FORMAT, "DHT");

    /* a block that names an undefined Huffman table */
    memcpy(c, d, len);
    size_t sob = find_marker(c, len, 0xA3);
    c[sob + 4] = 5;
    expect_fail(c, len, MID_ERR_FORMAT, "Huffman table 5");

    /* even-length filters and a filter pair without gain */
    memcpy(c, d, len);
    size_t dtt = find_marker(c, len, 0xA4);
    c[dtt + 4] = 8;
    expect_fail(c, len, MID_ERR_UNSUPPORTED, "DTT");
    memcpy(c, d, len);
    for (int i = 0; i < 9; i++) {
        memset(c + dtt + 6 + 6 * i + 2, 0, 4);
    }
    expect_fail(c, len, MID_ERR_FORMAT, "DTT");

    /* not WSQ, empty, garbage after SOI */
    expect_fail(d + 2, len - 2, MID_ERR_FORMAT, "SOI");
    expect_fail(d, 0, MID_ERR_FORMAT, NULL);
    memcpy(c, d, len);
    c[2] = 0x12;
    expect_fail(c, len, MID_ERR_FORMAT, "offset 2");
    memcpy(c, d, len);
    c[3] = 0xC4;
    expect_fail(c, len, MID_ERR_FORMAT, "marker");

    free(c);
    mid_free(buf);
    mid_image_free(img);
}

static void test_bad_arguments(void **state) {
    (void)state;
    mid_image *img = make_print(20, 20, 6.0);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_wsq_encode(NULL, img, 0.0, &buf, &len), MID_ERR_ARG);
    assert_int_equal(mid_wsq_encode(NULL, img, NAN, &buf, &len), MID_ERR_ARG);
    assert_int_equal(mid_wsq_encode(NULL, NULL, 0.75, &buf, &len), MID_ERR_ARG);
    assert_int_equal(mid_wsq_decode(NULL, NULL, 4, NULL), MID_ERR_ARG);
    mid_image_free(img);
}

/* ---- reference data ---- */

static void test_reference_decodes(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(root, "jnbis-wsq-samples/sample.wsq");
    (void)root;
    static const char *pairs[][2] = {
        {"jnbis-wsq-samples/sample.wsq", "jnbis-wsq-samples/sample.png"},
        {"jnbis-wsq-samples/fp-1.wsq", "jnbis-wsq-samples/fp-1.png"},
        {"jnbis-wsq-samples/fp-2.wsq", "jnbis-wsq-samples/fp-2.png"},
        {"jnbis-wsq-samples/fp-3.wsq", "jnbis-wsq-samples/fp-3.png"},
        {"jnbis-wsq-samples/fp-4.wsq", "jnbis-wsq-samples/fp-4.png"},
        {"jnbis-wsq-samples/fp-5.wsq", "jnbis-wsq-samples/fp-5.png"},
        {"jnbis-wsq-samples/fp-6.wsq", "jnbis-wsq-samples/fp-6.png"},
        {"jnbis-wsq-samples/fp-7.wsq", "jnbis-wsq-samples/fp-7.png"},
        {"jnbis-wsq-samples/fp-8.wsq", "jnbis-wsq-samples/fp-8.png"},
        {"jnbis-wsq-samples/fp-9.wsq", "jnbis-wsq-samples/fp-9.png"},
        {"jnbis-wsq-samples/fp-10.wsq", "jnbis-wsq-samples/fp-10.png"},
        {"jnbis-wsq-samples/fp-11.wsq", "jnbis-wsq-samples/fp-11.png"},
        {"jnbis-wsq-samples/fp-12.wsq", "jnbis-wsq-samples/fp-12.png"},
        {"jnbis-wsq-samples/fp-13.wsq", "jnbis-wsq-samples/fp-13.png"},
        {"jnbis-wsq-samples/fp-14.wsq", "jnbis-wsq-samples/fp-14.png"},
        {"sourceafis-test-images/wsq-original.wsq", "sourceafis-test-images/wsq-converted.png"},
    };
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    double mad_sum = 0.0, worst = 1e9;
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        char wsq[4096];
        const char *p = tu_shared_path(pairs[i][0]);
        assert_non_null(p);
        snprintf(wsq, sizeof(wsq), "%s", p);
        const char *ref = tu_shared_path(pairs[i][1]);
        assert_non_null(ref);
        mid_image *a = NULL, *b = NULL;
        if (mid_image_load(ctx, wsq, NULL, &a) != MID_OK) {
            fail_msg("%s: %s", pairs[i][0], mid_ctx_error(ctx));
        }
        /* the PNGs are RGB; the loader converts them to grey */
        assert_int_equal(mid_image_load(ctx, ref, NULL, &b), MID_OK);
        assert_int_equal(mid_image_width(a), mid_image_width(b));
        assert_int_equal(mid_image_height(a), mid_image_height(b));
        size_t n = (size_t)mid_image_width(a) * mid_image_height(a);
        double ad = 0.0;
        for (size_t k = 0; k < n; k++) {
            ad += abs((int)mid_image_cpixels(a)[k] - (int)mid_image_cpixels(b)[k]);
        }
        double p_db = psnr(a, b);
        mad_sum += ad / (double)n;
        worst = p_db < worst ? p_db : worst;
        if (p_db < 40.0) {
            fail_msg("%s: PSNR %.2f dB against the third-party decode", pairs[i][0], p_db);
        }
        mid_image_free(a);
        mid_image_free(b);
    }
    print_message("[  INFO    ] %zu third-party decodes: worst PSNR %.2f dB, mean abs diff %.4f\n",
                  sizeof(pairs) / sizeof(pairs[0]), worst,
                  mad_sum / (double)(sizeof(pairs) / sizeof(pairs[0])));
    /* everything else decodes */
    static const char *others[] = {
        "mitre-jet-wsq-ebts-vectors/a001.wsq", "mitre-jet-wsq-ebts-vectors/a002.wsq",
        "mitre-jet-wsq-ebts-vectors/sample.wsq",
        "mitre-jet-wsq-ebts-vectors/image_not_provided.wsq", "libbiomeval-test-data/img.wsq"};
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        const char *p = tu_shared_path(others[i]);
        if (p == NULL) {
            continue;
        }
        mid_image *a = NULL;
        if (mid_image_load(ctx, p, NULL, &a) != MID_OK) {
            fail_msg("%s: %s", others[i], mid_ctx_error(ctx));
        }
        mid_image_free(a);
    }
    mid_ctx_free(ctx);
}

/* NBIS reference decode (dwsq raw output beside its WSQ file). */
static void test_reference_nbis_decode(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(raw, "nbis-reference-outputs-fvc2000-db1-b/wsq/101_1.raw");
    char rawp[4096];
    snprintf(rawp, sizeof(rawp), "%s", raw);
    const char *wsq = tu_shared_path("nbis-reference-outputs-fvc2000-db1-b/wsq/101_1.wsq");
    assert_non_null(wsq);
    mid_image *a = NULL, *b = NULL;
    assert_int_equal(mid_image_load(NULL, wsq, NULL, &a), MID_OK);
    mid_decode_opts o = {.format = MID_IMAGE_RAW, .raw_width = 300, .raw_height = 300};
    assert_int_equal(mid_image_load(NULL, rawp, &o, &b), MID_OK);
    for (size_t k = 0; k < 300 * 300; k++) {
        assert_true(abs((int)mid_image_cpixels(a)[k] - (int)mid_image_cpixels(b)[k]) <= 1);
    }
    mid_image_free(a);
    mid_image_free(b);
}

static void encode_check(const mid_image *img, const char *name, double nbis_db, double *bpp_out,
                         double *db_out) {
    void *buf = NULL;
    size_t len = 0;
    encode(img, MID_WSQ_DEFAULT_BITRATE, &buf, &len);
    mid_image *back = decode(buf, len);
    size_t n = (size_t)mid_image_width(img) * mid_image_height(img);
    double bpp = (double)len * 8.0 / (double)n, db = psnr(img, back);
    if (fabs(bpp - 0.75) > 0.075) {
        fail_msg("%s: %.3f bpp, target 0.75 +-10 %%", name, bpp);
    }
    if (nbis_db > 0.0 && db < nbis_db - 0.5) {
        fail_msg("%s: PSNR %.2f dB, NBIS %.2f dB", name, db, nbis_db);
    }
    *bpp_out = bpp;
    *db_out = db;
    mid_free(buf);
    mid_image_free(back);
}

static void test_reference_encode(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(dir, "nbis-reference-outputs-fvc2000-db1-b/lab-wsq-0.75bpp/sample1.pgm");
    (void)dir;
    /* The NBIS lab files were made from the PGM files read as raw, so their pixels
     * are the PGM's shifted by its 15-byte header; compare them with that offset. */
    double sb = 0.0, sd = 0.0, sn = 0.0;
    for (int i = 1; i <= 3; i++) {
        char rel[128], pgm[4096];
        snprintf(rel, sizeof(rel),
                 "nbis-reference-outputs-fvc2000-db1-b/lab-wsq-0.75bpp/sample%d.pgm", i);
        snprintf(pgm, sizeof(pgm), "%s", tu_shared_path(rel));
        snprintf(rel, sizeof(rel),
                 "nbis-reference-outputs-fvc2000-db1-b/lab-wsq-0.75bpp/sample%d.wsq", i);
        const char *nw = tu_shared_path(rel);
        assert_non_null(nw);
        mid_image *img = NULL, *nb = NULL;
        assert_int_equal(mid_image_load(NULL, pgm, NULL, &img), MID_OK);
        assert_int_equal(mid_image_load(NULL, nw, NULL, &nb), MID_OK);
        size_t n = (size_t)mid_image_width(img) * mid_image_height(img);
        double se = 0.0;
        for (size_t k = 0; k + 15 < n; k++) {
            double d = (double)mid_image_cpixels(img)[k] - mid_image_cpixels(nb)[k + 15];
            se += d * d;
        }
        double nbis_db = 10.0 * log10(255.0 * 255.0 * (double)(n - 15) / se);
        double bpp, db;
        encode_check(img, pgm, nbis_db, &bpp, &db);
        sn += nbis_db;
        sb += bpp;
        sd += db;
        mid_image_free(img);
        mid_image_free(nb);
    }
    print_message("[  INFO    ] NBIS lab pairs: ours %.3f bpp %.2f dB, NBIS %.2f dB (means)\n",
                  sb / 3, sd / 3, sn / 3);
    /* Whole FVC2000 DB1 B set: the reference figure is 39.3 dB at 10.9:1. */
    sb = sd = 0.0;
    int count = 0;
    for (int f = 101; f <= 110; f++) {
        for (int v = 1; v <= 8; v++) {
            char rel[128];
            snprintf(rel, sizeof(rel), "nbis-reference-outputs-fvc2000-db1-b/pgm/%d_%d.pgm", f, v);
            const char *p = tu_shared_path(rel);
            if (p == NULL) {
                continue;
            }
            mid_image *img = NULL;
            assert_int_equal(mid_image_load(NULL, p, NULL, &img), MID_OK);
            double bpp, db;
            encode_check(img, rel, 0.0, &bpp, &db);
            sb += bpp;
            sd += db;
            count++;
            mid_image_free(img);
        }
    }
    assert_true(count > 0);
    print_message("[  INFO    ] FVC2000 DB1 B (%d): %.3f bpp, %.2f dB (NBIS 39.3 dB)\n", count,
                  sb / count, sd / count);
    assert_true(sd / count >= 39.3 - 0.5);
    /* MITRE slap scans */
    static const struct {
        const char *rel;
        uint32_t w, h;
    } raws[] = {{"mitre-jet-wsq-ebts-vectors/a001.raw", 1508, 1008},
                {"mitre-jet-wsq-ebts-vectors/a002.raw", 1452, 1006}};
    for (int i = 0; i < 2; i++) {
        const char *p = tu_shared_path(raws[i].rel);
        if (p == NULL) {
            continue;
        }
        mid_decode_opts o = {
            .format = MID_IMAGE_RAW, .raw_width = raws[i].w, .raw_height = raws[i].h};
        mid_image *img = NULL;
        assert_int_equal(mid_image_load(NULL, p, &o, &img), MID_OK);
        double bpp, db;
        encode_check(img, raws[i].rel, 0.0, &bpp, &db);
        print_message("[  INFO    ] %s: %.3f bpp, %.2f dB\n", raws[i].rel, bpp, db);
        mid_image_free(img);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_sizes),
        cmocka_unit_test(test_zero_padding_after_last_coefficient),
        cmocka_unit_test(test_high_rate_is_near_lossless),
        cmocka_unit_test(test_bitrate_control),
        cmocka_unit_test(test_nistcom_and_image_decode),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_corrupt_headers),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_reference_decodes),
        cmocka_unit_test(test_reference_nbis_decode),
        cmocka_unit_test(test_reference_encode),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
