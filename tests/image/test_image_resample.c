/*
 * Resampling tests (sizes, brightness preservation, constant images, growth,
 * argument errors) and reference-data tests: every public sample the project
 * relies on decodes at its documented size (skipped when ../shared/data is
 * absent).
 */
#include "support/testutil.h"

#include "mid/image.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static double mean(const mid_image *img) {
    const uint8_t *p = mid_image_cpixels(img);
    size_t n = (size_t)mid_image_width(img) * mid_image_height(img);
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        s += p[i];
    }
    return s / (double)n;
}

static mid_image *make(uint32_t w, uint32_t h, double ppi, unsigned seed) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(tu_ctx, w, h, ppi, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    uint32_t s = seed;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        s = s * 1664525u + 1013904223u;
        /* ridge-like stripes plus noise */
        p[i] = (uint8_t)(128 + 90 * sin((double)(i % w) * 0.6) + (double)((s >> 24) % 31) - 15);
    }
    return img;
}

static void test_shrink_569_to_500(void **state) {
    (void)state;
    /* FVC2002 DB2: 296 x 560 at 569 ppi. */
    mid_image *in = make(296, 560, 569.0, 1);
    mid_image *out = NULL;
    assert_int_equal(mid_image_resample(tu_ctx, in, 500.0, &out), MID_OK);
    assert_int_equal(mid_image_width(out), 260);  /* round(296 * 500 / 569) */
    assert_int_equal(mid_image_height(out), 492); /* round(560 * 500 / 569) */
    assert_true(mid_image_ppi(out) == 500.0);
    assert_true(fabs(mean(out) - mean(in)) < 0.5);
    mid_image_free(out);
    /* Halving is an exact 2x2 box average. */
    assert_int_equal(mid_image_create(tu_ctx, 4, 2, 1000.0, &out), MID_OK);
    const uint8_t src[8] = {0, 10, 100, 200, 20, 30, 50, 51};
    memcpy(mid_image_pixels(out), src, 8);
    mid_image *half = NULL;
    assert_int_equal(mid_image_resample(tu_ctx, out, 500.0, &half), MID_OK);
    assert_int_equal(mid_image_width(half), 2);
    assert_int_equal(mid_image_height(half), 1);
    assert_int_equal(mid_image_cpixels(half)[0], 15);  /* (0+10+20+30)/4 */
    assert_int_equal(mid_image_cpixels(half)[1], 100); /* (100+200+50+51)/4 = 100.25 */
    mid_image_free(half);
    mid_image_free(out);
    mid_image_free(in);
}

static void test_constant_and_identity(void **state) {
    (void)state;
    mid_image *in = NULL, *out = NULL;
    assert_int_equal(mid_image_create(tu_ctx, 37, 23, 333.0, &in), MID_OK);
    memset(mid_image_pixels(in), 173, 37 * 23);
    const double targets[4] = {500.0, 250.0, 1000.0, 333.0};
    for (int t = 0; t < 4; t++) {
        assert_int_equal(mid_image_resample(tu_ctx, in, targets[t], &out), MID_OK);
        const uint8_t *p = mid_image_cpixels(out);
        for (size_t i = 0; i < (size_t)mid_image_width(out) * mid_image_height(out); i++) {
            assert_int_equal(p[i], 173);
        }
        mid_image_free(out);
    }
    /* Ratio 1: a new image with the same pixels. */
    mid_image *img = make(50, 40, 500.0, 7);
    assert_int_equal(mid_image_resample(tu_ctx, img, 500.0, &out), MID_OK);
    assert_ptr_not_equal(out, img);
    assert_memory_equal(mid_image_cpixels(out), mid_image_cpixels(img), 50 * 40);
    mid_image_free(out);
    mid_image_free(img);
    mid_image_free(in);
}

static void test_grow_bilinear(void **state) {
    (void)state;
    mid_image *in = NULL, *out = NULL;
    assert_int_equal(mid_image_create(tu_ctx, 2, 1, 250.0, &in), MID_OK);
    mid_image_pixels(in)[0] = 0;
    mid_image_pixels(in)[1] = 200;
    assert_int_equal(mid_image_resample(tu_ctx, in, 500.0, &out), MID_OK);
    assert_int_equal(mid_image_width(out), 4);
    assert_int_equal(mid_image_height(out), 2);
    /* Centres at source x = -0.25 (clamped), 0.25, 0.75, 1.25 (clamped). */
    const uint8_t expect[4] = {0, 50, 150, 200};
    assert_memory_equal(mid_image_cpixels(out), expect, 4);
    assert_memory_equal(mid_image_cpixels(out) + 4, expect, 4);
    mid_image_free(out);
    mid_image_free(in);
    mid_image *img = make(100, 80, 400.0, 3);
    assert_int_equal(mid_image_resample(tu_ctx, img, 500.0, &out), MID_OK);
    assert_int_equal(mid_image_width(out), 125);
    assert_int_equal(mid_image_height(out), 100);
    assert_true(fabs(mean(out) - mean(img)) < 1.0);
    mid_image_free(out);
    mid_image_free(img);
}

static void test_resample_errors(void **state) {
    (void)state;
    mid_image *in = NULL, *out = (mid_image *)&in;
    assert_int_equal(mid_image_create(tu_ctx, 10, 10, 0.0, &in), MID_OK);
    assert_int_equal(mid_image_resample(tu_ctx, in, 500.0, &out), MID_ERR_ARG);
    assert_null(out);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "unknown"));
    mid_image_set_ppi(in, 500.0);
    assert_int_equal(mid_image_resample(tu_ctx, in, 0.0, &out), MID_ERR_ARG);
    assert_int_equal(mid_image_resample(tu_ctx, NULL, 500.0, &out), MID_ERR_ARG);
    /* A tiny image never goes below 1 pixel. */
    mid_image_set_ppi(in, 2000.0);
    assert_int_equal(mid_image_resample(tu_ctx, in, 100.0, &out), MID_OK);
    assert_int_equal(mid_image_width(out), 1);
    mid_image_free(out);
    /* Growing past the side limit is refused before allocating. */
    mid_image_free(in);
    assert_int_equal(mid_image_create(tu_ctx, 4000, 10, 100.0, &in), MID_OK);
    assert_int_equal(mid_image_resample(tu_ctx, in, 500.0, &out), MID_ERR_LIMIT);
    mid_image_free(in);
}

/* ------------------------------------------------------------ reference data */

static mid_image *load(const char *path, const mid_decode_opts *o) {
    mid_image *img = NULL;
    mid_status st = mid_image_load(tu_ctx, path, o, &img);
    if (st != MID_OK) {
        fail_msg("%s: %s: %s", path, mid_status_name(st), mid_ctx_error(tu_ctx));
    }
    return img;
}

static void test_ref_fvc(void **state) {
    (void)state;
    static const struct {
        const char *dir;
        uint32_t w, h;
    } sets[] = {{"fvc2000-db1-b", 300, 300}, {"fvc2000-db2-b", 256, 364},
                {"fvc2000-db3-b", 448, 478}, {"fvc2000-db4-b", 240, 320},
                {"fvc2002-db1-b", 388, 374}, {"fvc2002-db2-b", 296, 560},
                {"fvc2002-db3-b", 300, 300}, {"fvc2002-db4-b", 288, 384}};
    TU_REQUIRE_SHARED(probe, "fvc2000-db1-b/101_1.tif");
    (void)probe;
    int count = 0;
    for (size_t s = 0; s < sizeof(sets) / sizeof(sets[0]); s++) {
        for (int f = 101; f <= 110; f++) {
            for (int i = 1; i <= 8; i++) {
                char rel[64];
                snprintf(rel, sizeof(rel), "%s/%d_%d.tif", sets[s].dir, f, i);
                const char *path = tu_shared_path(rel);
                if (path == NULL) {
                    continue;
                }
                mid_image *img = load(path, NULL);
                assert_int_equal(mid_image_width(img), sets[s].w);
                assert_int_equal(mid_image_height(img), sets[s].h);
                assert_true(mid_image_ppi(img) == 0.0); /* dummy 1x1 tag */
                mid_image_free(img);
                count++;
            }
        }
    }
    assert_true(count >= 80);
    print_message("decoded %d FVC TIFFs\n", count);
}

static void test_ref_sourceafis(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(png_path, "sourceafis-test-images/probe.png");
    mid_image *png = load(png_path, NULL);
    mid_image *bmp = load(tu_shared_path("sourceafis-test-images/probe.bmp"), NULL);
    mid_image *jpg = load(tu_shared_path("sourceafis-test-images/probe.jpeg"), NULL);
    mid_image *all[3] = {png, bmp, jpg};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(mid_image_width(all[i]), 388);
        assert_int_equal(mid_image_height(all[i]), 374);
    }
    const size_t n = 388 * 374;
    double d_bmp = 0, d_jpg = 0;
    for (size_t i = 0; i < n; i++) {
        d_bmp += abs(mid_image_cpixels(png)[i] - mid_image_cpixels(bmp)[i]);
        d_jpg += abs(mid_image_cpixels(png)[i] - mid_image_cpixels(jpg)[i]);
    }
    print_message("probe MAD png-bmp %.3f png-jpeg %.3f\n", d_bmp / n, d_jpg / n);
    assert_true(d_bmp / n < 0.5);
    assert_true(d_jpg / n < 4.0);
    for (int i = 0; i < 3; i++) {
        mid_image_free(all[i]);
    }
    /* gray-probe.dat is headerless 8-bit: it holds 176956 bytes = 332 x 533 (its
     * rows autocorrelate at 332), not 388 x 374, so that size must be refused. */
    const char *raw = tu_shared_path("sourceafis-test-images/gray-probe.dat");
    assert_non_null(raw);
    mid_decode_opts o = {0};
    o.raw_width = 388, o.raw_height = 374;
    mid_image *img = NULL;
    assert_int_equal(mid_image_load(tu_ctx, raw, &o, &img), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "exactly"));
    o.raw_width = 332, o.raw_height = 533;
    img = load(raw, &o);
    assert_int_equal(mid_image_width(img), 332);
    mid_image_free(img);
}

static void test_ref_pgm_raw_png(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(first, "nfiq2-sfinge-synthetic-examples/SFinGe_Test01.pgm");
    (void)first;
    for (int i = 1; i <= 5; i++) {
        char rel[80];
        snprintf(rel, sizeof(rel), "nfiq2-sfinge-synthetic-examples/SFinGe_Test%02d.pgm", i);
        mid_image *img = load(tu_shared_path(rel), NULL);
        assert_int_equal(mid_image_width(img), 416);
        assert_int_equal(mid_image_height(img), 560);
        mid_image_free(img);
    }
    mid_decode_opts o = {0};
    o.raw_width = 300, o.raw_height = 300;
    int raws = 0;
    for (int f = 1; f <= 28; f++) {
        for (int r = 1; r <= 4; r++) {
            char rel[80];
            snprintf(rel, sizeof(rel), "veridicom-fps110-rindex28/f%03dR%d.raw", f, r);
            const char *path = tu_shared_path(rel);
            if (path != NULL) {
                mid_image *img = load(path, &o);
                assert_int_equal(mid_image_width(img), 300);
                mid_image_free(img);
                raws++;
            }
        }
    }
    assert_true(raws > 0);
    const char *dir = tu_shared_path("libfprint-sensor-captures");
    assert_non_null(dir);
    char dirpath[1024];
    snprintf(dirpath, sizeof(dirpath), "%s", dir);
    DIR *d = opendir(dirpath);
    assert_non_null(d);
    struct dirent *e;
    int pngs = 0;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".png") == 0) {
            char path[2048];
            snprintf(path, sizeof(path), "%s/%s", dirpath, e->d_name);
            mid_image *img = load(path, NULL);
            assert_true(mid_image_width(img) > 0);
            mid_image_free(img);
            pngs++;
        }
    }
    closedir(d);
    assert_true(pngs > 0);
    print_message("%d veridicom raws, %d libfprint PNGs\n", raws, pngs);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shrink_569_to_500), cmocka_unit_test(test_constant_and_identity),
        cmocka_unit_test(test_grow_bilinear),     cmocka_unit_test(test_resample_errors),
        cmocka_unit_test(test_ref_fvc),           cmocka_unit_test(test_ref_sourceafis),
        cmocka_unit_test(test_ref_pgm_raw_png),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
