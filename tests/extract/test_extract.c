/* Tests for src/extract: the whole extractor on synthetic ridge patterns with a
 * known orientation and a known minutia, error cases, resampling, robustness on
 * noise, and the FVC images when the reference data is present. */
#include "support/testutil.h"

#include "core/core.h"
#include "extract/ext_extractor.h"
#include "mid/mid.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979

static mid_ctx *g_ctx;
static mid_extractor *g_ex;

static int setup(void **state) {
    (void)state;
    if (mid_ctx_create(&g_ctx) != MID_OK) {
        return -1;
    }
    return mid_extractor_create(g_ctx, &g_ex) == MID_OK ? 0 : -1;
}

static int teardown(void **state) {
    (void)state;
    mid_extractor_free(g_ex);
    mid_ctx_free(g_ctx);
    return 0;
}

/*
 * Ridges along direction alpha (radians, image coordinates, y down) with period
 * t. With charge != 0, a phase singularity at (x0, y0): in the frame u along the
 * ridges and v across them, phase = 2 pi v / t + atan2(v, u) + shift. Going
 * around the point adds one fringe, so the side u > 0 has one ridge more than
 * the side u < 0: a single ridge ending or bifurcation (which one depends on
 * shift) whose direction, in the ANSI/NIST convention, is +u, i.e. alpha, for
 * both kinds (an ending and its dual bifurcation point the same way).
 */
static mid_image *ridges(int w, int h, double ppi, double alpha, double t, double x0, double y0,
                         int charge, double shift) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(g_ctx, (uint32_t)w, (uint32_t)h, ppi, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    const double ca = cos(alpha), sa = sin(alpha);
    for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
            double dx = x - x0, dy = y - y0;
            double u = dx * ca + dy * sa, v = -dx * sa + dy * ca;
            double ph = 2 * PI * v / t + shift + (charge ? atan2(v, u) : 0.0);
            p[(size_t)y * w + x] = (uint8_t)lrint(128.0 + 90.0 * cos(ph));
        }
    }
    return img;
}

static double ang_diff(double a, double b) {
    double d = fmod(fabs(a - b), 2 * PI);
    return d > PI ? 2 * PI - d : d;
}

static void test_orientation_of_straight_ridges(void **state) {
    (void)state;
    const double alphas[] = {0.0, 0.5, 1.2, 2.0, 2.8};
    for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
        mid_image *img = ridges(160, 160, 500, alphas[a], 9.0, 80, 80, 0, 0);
        ext_work *k = NULL;
        assert_int_equal(ext_run(g_ex, mid_image_cpixels(img), 160, 160, &k), MID_OK);
        /* The gradient direction is the ridge normal: alpha + 90 degrees (mod 180). */
        double expect = fmod(alphas[a] + PI / 2, PI);
        int checked = 0;
        for (int by = 3; by < k->bh - 3; by++) {
            for (int bx = 3; bx < k->bw - 3; bx++) {
                int i = by * k->bw + bx;
                assert_true(k->mask[i]);
                double d = fabs(k->grad_dir[i] - expect);
                d = d > PI / 2 ? PI - d : d;
                assert_true(d < 3.0 * PI / 180);
                assert_true(k->coh[i] > 0.9f);
                assert_true(fabs(k->period[i] - 9.0) < 1.0);
                checked++;
            }
        }
        assert_true(checked > 100);
        /* Straight ridges have no minutiae away from the border. */
        assert_int_equal(k->nmin, 0);
        ext_wipe(g_ex);
        mid_image_free(img);
    }
}

/* Finds the template minutia nearest (x, y). */
static const mid_minutia *nearest(const mid_template *t, double x, double y, double *dist) {
    const mid_minutia *best = NULL;
    *dist = 1e9;
    for (size_t i = 0; i < mid_template_count(t); i++) {
        const mid_minutia *m = &mid_template_minutiae(t)[i];
        double d = hypot(m->x - x, m->y - y);
        if (d < *dist) {
            *dist = d;
            best = m;
        }
    }
    return best;
}

static void test_single_minutia_position_direction_type(void **state) {
    (void)state;
    const double alphas[] = {0.0, 0.7, 1.9, 3.5, 5.0};
    int kinds[3] = {0};
    for (size_t a = 0; a < sizeof(alphas) / sizeof(alphas[0]); a++) {
        for (int s = 0; s < 2; s++) {
            double x0 = 101.3, y0 = 97.6;
            mid_image *img = ridges(200, 200, 500, alphas[a], 9.0, x0, y0, 1, s ? PI : 0.0);
            mid_template *t = NULL;
            assert_int_equal(mid_extract(g_ex, img, &t), MID_OK);
            assert_int_equal(mid_template_ppi(t), 500);
            assert_int_equal(mid_template_width(t), 200);
            double d;
            const mid_minutia *m = nearest(t, x0, y0, &d);
            assert_non_null(m);
            assert_true(d < 6.0);
            /* Template angles are counter-clockwise as seen (y down). */
            double got = m->angle * 2 * PI / 256;
            double expect = fmod(-alphas[a] + 4 * PI, 2 * PI);
            assert_true(ang_diff(got, expect) < 20.0 * PI / 180);
            assert_true(m->quality >= 1 && m->quality <= 100);
            kinds[m->type]++;
            /* Nothing else but the singularity (the border is filtered). */
            assert_true(mid_template_count(t) <= 2);
            mid_template_free(t);
            mid_image_free(img);
        }
    }
    /* The two phase shifts give the two dual kinds. */
    assert_int_equal(kinds[MID_MINUTIA_ENDING], 5);
    assert_int_equal(kinds[MID_MINUTIA_BIFURCATION], 5);
}

static void test_resampled_input_gives_500ppi_coordinates(void **state) {
    (void)state;
    /* At 569 ppi everything is 569/500 larger: period 9 * 1.138, point (125, 120). */
    const double r = 569.0 / 500.0;
    mid_image *img = ridges(228, 228, 569, 0.4, 9.0 * r, 110 * r, 105 * r, 1, 0.0);
    mid_template *t = NULL;
    assert_int_equal(mid_extract(g_ex, img, &t), MID_OK);
    assert_int_equal(mid_template_ppi(t), 500);
    assert_true(abs((int)mid_template_width(t) - 200) <= 1);
    assert_true(abs((int)mid_template_height(t) - 200) <= 1);
    double d;
    const mid_minutia *m = nearest(t, 110, 105, &d);
    assert_non_null(m);
    assert_true(d < 6.0);
    mid_template_free(t);
    mid_image_free(img);
}

static void test_blank_image_is_no_print(void **state) {
    (void)state;
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(g_ctx, 200, 180, 500, &img), MID_OK);
    memset(mid_image_pixels(img), 200, 200 * 180);
    mid_template *t = (mid_template *)&t;
    assert_int_equal(mid_extract(g_ex, img, &t), MID_ERR_NO_PRINT);
    assert_null(t);
    assert_true(strlen(mid_ctx_error(g_ctx)) > 0);
    /* Faint sensor noise is not a print either. */
    uint8_t *p = mid_image_pixels(img);
    unsigned s = 7;
    for (int i = 0; i < 200 * 180; i++) {
        s = s * 1103515245u + 12345u;
        p[i] = (uint8_t)(200 + (s >> 16) % 3);
    }
    assert_int_equal(mid_extract(g_ex, img, &t), MID_ERR_NO_PRINT);
    mid_image_free(img);
}

static void test_limits_and_arguments(void **state) {
    (void)state;
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(g_ctx, 63, 300, 500, &img), MID_OK);
    mid_template *t = NULL;
    assert_int_equal(mid_extract(g_ex, img, &t), MID_ERR_LIMIT);
    assert_null(t);
    mid_image_free(img);
    /* 70 px at 250 ppi become 140 px, but 40 px become 80: both fine, 30 -> 60 is not. */
    assert_int_equal(mid_image_create(g_ctx, 30, 200, 250, &img), MID_OK);
    assert_int_equal(mid_extract(g_ex, img, &t), MID_ERR_LIMIT);
    mid_image_free(img);
    assert_int_equal(mid_extract(g_ex, NULL, &t), MID_ERR_ARG);
    assert_int_equal(mid_extract(NULL, NULL, &t), MID_ERR_ARG);
    assert_int_equal(mid_extractor_create(g_ctx, NULL), MID_ERR_ARG);
    mid_extractor_free(NULL);
}

static void test_noise_images_of_odd_sizes(void **state) {
    (void)state;
    const int sizes[][2] = {{64, 64}, {65, 333}, {301, 77}, {127, 129}, {513, 67}, {64, 700}};
    unsigned s = 12345;
    for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
        for (int amp = 0; amp < 3; amp++) {
            int w = sizes[k][0], h = sizes[k][1];
            mid_image *img = NULL;
            assert_int_equal(mid_image_create(g_ctx, (uint32_t)w, (uint32_t)h, 0, &img), MID_OK);
            uint8_t *p = mid_image_pixels(img);
            for (int i = 0; i < w * h; i++) {
                s = s * 1103515245u + 12345u;
                int v = amp == 0 ? (int)(s >> 24) : (amp == 1 ? 100 + (int)(s >> 27) : 0);
                if (amp == 2) { /* blobs: noise at low frequency */
                    int x = i % w, y = i / w;
                    v = (int)(128 + 100 * sin(x * 0.21 + (s >> 28)) * cos(y * 0.13));
                }
                p[i] = (uint8_t)v;
            }
            mid_template *t = NULL;
            mid_status st = mid_extract(g_ex, img, &t);
            assert_true(st == MID_OK || st == MID_ERR_NO_PRINT);
            if (st == MID_OK) {
                assert_true(mid_template_count(t) <= MID_MAX_MINUTIAE);
                for (size_t i = 0; i < mid_template_count(t); i++) {
                    assert_true(mid_template_minutiae(t)[i].x < w);
                    assert_true(mid_template_minutiae(t)[i].y < h);
                }
            }
            mid_template_free(t);
            mid_image_free(img);
        }
    }
}

static void test_reuse_is_deterministic(void **state) {
    (void)state;
    mid_image *a = ridges(220, 260, 500, 1.0, 8.5, 110, 120, 1, 0.0);
    mid_image *b = ridges(90, 100, 500, 0.3, 10.0, 40, 50, 1, 0.0);
    mid_template *t1 = NULL, *t2 = NULL, *t3 = NULL;
    assert_int_equal(mid_extract(g_ex, a, &t1), MID_OK);
    assert_int_equal(mid_extract(g_ex, b, &t2), MID_OK);
    assert_int_equal(mid_extract(g_ex, a, &t3), MID_OK);
    assert_int_equal(mid_template_count(t1), mid_template_count(t3));
    assert_memory_equal(mid_template_minutiae(t1), mid_template_minutiae(t3),
                        mid_template_count(t1) * sizeof(mid_minutia));
    assert_true(mid_template_quality(t1) > 50);
    mid_template_free(t1);
    mid_template_free(t2);
    mid_template_free(t3);
    mid_image_free(a);
    mid_image_free(b);
}

/* Real prints: every image of a set extracts, with a plausible minutiae count. */
static void test_fvc_images(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(first, "fvc2002-db1-b/101_1.tif");
    (void)first;
    static const char *const names[] = {"fvc2000-db1-b/101_1.tif", "fvc2000-db3-b/105_2.tif",
                                        "fvc2002-db2-b/103_4.tif", "fvc2002-db3-b/110_8.tif"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        const char *path = tu_shared_path(names[i]);
        if (path == NULL) {
            continue;
        }
        mid_decode_opts o = {.ppi = strstr(names[i], "2002-db2") ? 569.0 : 500.0};
        mid_image *img = NULL;
        assert_int_equal(mid_image_load(g_ctx, path, &o, &img), MID_OK);
        mid_template *t = NULL;
        assert_int_equal(mid_extract(g_ex, img, &t), MID_OK);
        assert_true(mid_template_count(t) >= 12);
        assert_true(mid_template_count(t) <= 120);
        assert_true(mid_template_quality(t) > 20);
        mid_template_free(t);
        mid_image_free(img);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_orientation_of_straight_ridges),
        cmocka_unit_test(test_single_minutia_position_direction_type),
        cmocka_unit_test(test_resampled_input_gives_500ppi_coordinates),
        cmocka_unit_test(test_blank_image_is_no_print),
        cmocka_unit_test(test_limits_and_arguments),
        cmocka_unit_test(test_noise_images_of_odd_sizes),
        cmocka_unit_test(test_reuse_is_deterministic),
        cmocka_unit_test(test_fvc_images),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
