/* JPEG 2000 (src/image/jp2.c): lossless round trips of odd sizes, the 'resc'
 * resolution box, raw J2K codestreams, lossy rate, colour to grey, limits
 * checked from the header, truncation, garbage, and libbiomeval's img.jp2
 * (skipped when ../shared/data is absent). */
#include "support/testutil.h"

#include "mid/image.h"

#include <math.h>
#include <openjpeg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mid_image *pattern(uint32_t w, uint32_t h, double ppi) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(tu_ctx, w, h, ppi, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            p[(size_t)y * w + x] =
                (uint8_t)(128.0 + 120.0 * sin((double)x * 0.7 + (double)y * 0.2) * cos(y * 0.05));
        }
    }
    return img;
}

static mid_image *decode(const void *d, size_t n) {
    mid_image *img = NULL;
    mid_status st = mid_image_decode(tu_ctx, d, n, NULL, &img);
    if (st != MID_OK) {
        print_error("decode: %s\n", mid_ctx_error(tu_ctx));
    }
    assert_int_equal(st, MID_OK);
    return img;
}

static void assert_same(const mid_image *a, const mid_image *b) {
    assert_int_equal(mid_image_width(a), mid_image_width(b));
    assert_int_equal(mid_image_height(a), mid_image_height(b));
    assert_memory_equal(mid_image_cpixels(a), mid_image_cpixels(b),
                        (size_t)mid_image_width(a) * mid_image_height(a));
}

/* Offset of the codestream inside a JP2 file (payload of its 'jp2c' box). */
static size_t codestream_at(const uint8_t *p, size_t n) {
    for (size_t i = 4; i + 4 <= n; i++) {
        if (memcmp(p + i, "jp2c", 4) == 0) {
            return i + 4;
        }
    }
    fail_msg("no jp2c box");
    return 0;
}

static void test_lossless_round_trip(void **state) {
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {2, 3}, {17, 5}, {64, 64}, {300, 200}, {33, 600}};
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        double ppi = k % 2 ? 500.0 : 1000.0;
        mid_image *img = pattern(sizes[k][0], sizes[k][1], ppi);
        void *buf = NULL;
        size_t len = 0;
        assert_int_equal(mid_image_encode_jp2(tu_ctx, img, 0.0, &buf, &len), MID_OK);
        mid_image *back = decode(buf, len);
        assert_same(img, back);
        assert_true(fabs(mid_image_ppi(back) - ppi) < 1e-9); /* resc box, snapped */
        mid_image_free(back);
        /* The bare codestream decodes too, with no resolution. */
        size_t at = codestream_at(buf, len);
        back = decode((const uint8_t *)buf + at, len - at);
        assert_same(img, back);
        assert_true(mid_image_ppi(back) == 0.0);
        mid_image_free(back);
        mid_free(buf);
        mid_image_free(img);
    }
    /* Unknown ppi: no resolution box, decodes as unknown. */
    mid_image *img = pattern(40, 30, 0.0);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_image_encode_jp2(tu_ctx, img, 0.0, &buf, &len), MID_OK);
    mid_image *back = decode(buf, len);
    assert_true(mid_image_ppi(back) == 0.0);
    mid_image_free(back);
    mid_free(buf);
    assert_int_equal(mid_image_encode_jp2(tu_ctx, img, -1.0, &buf, &len), MID_ERR_ARG);
    assert_int_equal(mid_image_encode_jp2(tu_ctx, img, 9.0, &buf, &len), MID_ERR_ARG);
    assert_int_equal(mid_image_encode_jp2(tu_ctx, NULL, 0.0, &buf, &len), MID_ERR_ARG);
    mid_image_free(img);
}

static void test_lossy_rate(void **state) {
    (void)state;
    mid_image *img = pattern(320, 320, 500.0);
    double rates[] = {0.5, 0.75, 2.0};
    for (size_t k = 0; k < 3; k++) {
        void *buf = NULL;
        size_t len = 0;
        assert_int_equal(mid_image_encode_jp2(tu_ctx, img, rates[k], &buf, &len), MID_OK);
        double bpp = (double)len * 8.0 / (320.0 * 320.0);
        assert_true(bpp < rates[k] * 1.1);
        assert_true(bpp > rates[k] * 0.5);
        mid_image *back = decode(buf, len);
        assert_int_equal(mid_image_width(back), 320);
        double se = 0.0;
        for (size_t i = 0; i < 320u * 320u; i++) {
            double d = (double)mid_image_cpixels(img)[i] - (double)mid_image_cpixels(back)[i];
            se += d * d;
        }
        assert_true(10.0 * log10(255.0 * 255.0 / (se / (320.0 * 320.0))) > 20.0);
        mid_image_free(back);
        mid_free(buf);
    }
    mid_image_free(img);
}

/* Writes a 3-component RGB J2K codestream with openjpeg directly (to a file). */
static uint8_t *rgb_codestream(uint32_t w, uint32_t h, size_t *len) {
    opj_image_cmptparm_t cp[3];
    memset(cp, 0, sizeof(cp));
    for (int c = 0; c < 3; c++) {
        cp[c].dx = cp[c].dy = 1;
        cp[c].w = w;
        cp[c].h = h;
        cp[c].prec = 8;
    }
    opj_image_t *im = opj_image_create(3, cp, OPJ_CLRSPC_SRGB);
    assert_non_null(im);
    im->x1 = w;
    im->y1 = h;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        im->comps[0].data[i] = (int)(i % 256);
        im->comps[1].data[i] = 255 - (int)(i % 256);
        im->comps[2].data[i] = 77;
    }
    opj_codec_t *codec = opj_create_compress(OPJ_CODEC_J2K);
    opj_cparameters_t params;
    opj_set_default_encoder_parameters(&params);
    params.numresolution = 3;
    params.tcp_numlayers = 1;
    params.cp_disto_alloc = 1;
    params.tcp_rates[0] = 0.0f;
    const char *path = tu_temp_path("rgb.j2k");
    opj_stream_t *s = opj_stream_create_default_file_stream(path, OPJ_FALSE);
    assert_non_null(s);
    assert_true(opj_setup_encoder(codec, &params, im));
    assert_true(opj_start_compress(codec, im, s));
    assert_true(opj_encode(codec, s));
    assert_true(opj_end_compress(codec, s));
    opj_stream_destroy(s);
    opj_destroy_codec(codec);
    opj_image_destroy(im);
    return tu_read_file(path, len);
}

static void test_colour_to_grey(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *cs = rgb_codestream(40, 20, &len);
    mid_image *img = decode(cs, len);
    assert_int_equal(mid_image_width(img), 40);
    assert_int_equal(mid_image_height(img), 20);
    for (size_t i = 0; i < 800; i++) {
        unsigned r = (unsigned)(i % 256), g = 255u - r, b = 77u;
        unsigned luma = (299u * r + 587u * g + 114u * b + 500u) / 1000u;
        assert_int_equal(mid_image_cpixels(img)[i], luma);
    }
    mid_image_free(img);
    free(cs);
}

static void test_hostile(void **state) {
    (void)state;
    mid_image *img = pattern(48, 40, 500.0);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_image_encode_jp2(tu_ctx, img, 0.0, &buf, &len), MID_OK);
    const uint8_t *p = buf;
    mid_image *out = NULL;
    /* Truncation anywhere is an error (strict mode), never a partial image. */
    for (size_t n = 0; n < len; n += (n < 200 ? 1 : 7)) {
        assert_int_not_equal(mid_image_decode(tu_ctx, p, n, NULL, &out), MID_OK);
        assert_null(out);
    }
    /* Image side beyond MID_MAX_IMAGE_SIDE in SIZ: refused from the header. */
    size_t at = codestream_at(p, len);
    uint8_t *cs = malloc(len - at);
    assert_non_null(cs);
    memcpy(cs, p + at, len - at);
    assert_int_equal(cs[2] << 8 | cs[3], 0xFF51); /* SIZ after SOC */
    cs[8] = 0x00;
    cs[9] = 0x01;
    cs[10] = 0x00;
    cs[11] = 0x00; /* Xsiz = 65536 */
    assert_int_equal(mid_image_decode(tu_ctx, cs, len - at, NULL, &out), MID_ERR_LIMIT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "JPEG 2000"));
    /* Forced format on garbage: openjpeg's message lands in the context. */
    uint8_t junk[200];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 89u + 3u);
    }
    memcpy(junk, p, 12); /* a JP2 signature, then garbage boxes */
    assert_int_not_equal(mid_image_decode(tu_ctx, junk, sizeof(junk), NULL, &out), MID_OK);
    assert_null(out);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "JPEG 2000"));
    mid_decode_opts o;
    memset(&o, 0, sizeof(o));
    o.format = MID_IMAGE_JP2;
    assert_int_not_equal(mid_image_decode(tu_ctx, junk + 12, 100, &o, &out), MID_OK);
    free(cs);
    mid_free(buf);
    mid_image_free(img);
}

static void test_libbiomeval_img(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(path, "libbiomeval-test-data/img.jp2");
    mid_image *img = NULL;
    assert_int_equal(mid_image_load(tu_ctx, path, NULL, &img), MID_OK);
    assert_int_equal(mid_image_width(img), 908);
    assert_int_equal(mid_image_height(img), 1007);
    assert_true(fabs(mid_image_ppi(img) - 1000.0) < 1e-9); /* resc 39370 px/m */
    /* A fingerprint, not a flat field: both dark and light pixels. */
    size_t dark = 0, light = 0, n = 908u * 1007u;
    for (size_t i = 0; i < n; i++) {
        dark += mid_image_cpixels(img)[i] < 80;
        light += mid_image_cpixels(img)[i] > 180;
    }
    assert_true(dark > n / 50 && light > n / 50);
    /* Lossless re-encode decodes to the same pixels and resolution. */
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_image_encode_jp2(tu_ctx, img, 0.0, &buf, &len), MID_OK);
    mid_image *back = decode(buf, len);
    assert_same(img, back);
    assert_true(fabs(mid_image_ppi(back) - 1000.0) < 1e-9);
    mid_image_free(back);
    mid_free(buf);
    mid_image_free(img);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lossless_round_trip), cmocka_unit_test(test_lossy_rate),
        cmocka_unit_test(test_colour_to_grey),      cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_libbiomeval_img),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
