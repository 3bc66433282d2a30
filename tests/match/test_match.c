/* Tests for src/match: invariance of the 1:1 matcher to rotation, translation,
 * resolution and noise, separation of unrelated templates, symmetry, degenerate
 * templates, and monotonicity of the score calibration. */
#include "support/testutil.h"

#include "match/match_internal.h"
#include "mid/match.h"
#include "mid/template.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

typedef struct rng {
    uint64_t s;
} rng;

static double rnd(rng *r) {
    r->s = r->s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return (double)(r->s >> 11) / 9007199254740992.0;
}

typedef struct pt {
    double x, y, a; /* a: radians, ISO convention (counter-clockwise, y down) */
    int type;
} pt;

/* n minutiae spread over a w x h print, at least 10 px apart (like real prints). */
static int random_points(rng *r, pt *p, int n, double w, double h) {
    int k = 0;
    for (int tries = 0; k < n && tries < 100000; tries++) {
        double x = 20 + rnd(r) * (w - 40), y = 20 + rnd(r) * (h - 40);
        int ok = 1;
        for (int i = 0; i < k && ok; i++) {
            ok = (p[i].x - x) * (p[i].x - x) + (p[i].y - y) * (p[i].y - y) >= 100.0;
        }
        if (ok) {
            p[k].x = x;
            p[k].y = y;
            p[k].a = rnd(r) * 2 * PI;
            p[k].type = rnd(r) < 0.5 ? MID_MINUTIA_ENDING : MID_MINUTIA_BIFURCATION;
            k++;
        }
    }
    return k;
}

static mid_match_template *make(const pt *p, int n, uint16_t w, uint16_t h, uint16_t ppi) {
    mid_ctx *ctx = NULL;
    mid_template *t = NULL;
    mid_match_template *mt = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    assert_int_equal(mid_template_create(ctx, w, h, ppi, &t), MID_OK);
    for (int i = 0; i < n; i++) {
        double a = fmod(p[i].a, 2 * PI);
        if (a < 0) {
            a += 2 * PI;
        }
        int x = (int)lround(p[i].x), y = (int)lround(p[i].y);
        if (x < 0 || y < 0 || x >= w || y >= h) {
            continue;
        }
        mid_minutia m = {(uint16_t)x, (uint16_t)y, (uint8_t)((int)lround(a * 256 / (2 * PI)) & 255),
                         (uint8_t)p[i].type, 60};
        assert_int_equal(mid_template_add(ctx, t, &m), MID_OK);
    }
    assert_int_equal(mid_match_prepare(ctx, t, &mt), MID_OK);
    mid_template_free(t);
    mid_ctx_free(ctx);
    return mt;
}

/* Rotates by deg degrees (as seen on the image) about (cx, cy), then shifts. */
static void transform(const pt *in, pt *out, int n, double deg, double cx, double cy, double dx,
                      double dy) {
    double t = deg * PI / 180, c = cos(t), s = sin(t);
    for (int i = 0; i < n; i++) {
        double x = in[i].x - cx, y = in[i].y - cy;
        /* counter-clockwise on screen with y down: (x, y) -> (x c + y s, -x s + y c) */
        out[i].x = cx + x * c + y * s + dx;
        out[i].y = cy - x * s + y * c + dy;
        out[i].a = in[i].a + t;
        out[i].type = in[i].type;
    }
}

static mid_matcher *matcher(void) {
    mid_matcher *m = NULL;
    assert_int_equal(mid_matcher_create(NULL, &m), MID_OK);
    return m;
}

static void test_self_match_scores_high(void **state) {
    (void)state;
    rng r = {1};
    pt p[40];
    mid_matcher *m = matcher();
    for (int rep = 0; rep < 5; rep++) {
        int n = random_points(&r, p, 40, 300, 400);
        mid_match_template *a = make(p, n, 300, 400, 500);
        double s = mid_matcher_compare(m, a, a);
        assert_true(s > 40.0);
        mid_match_template_free(a);
    }
    mid_matcher_free(m);
}

static void test_rotation_translation_invariance(void **state) {
    (void)state;
    rng r = {2};
    pt p[40], q[40];
    const double angles[] = {30, -30, 90, 180, 250};
    int n = random_points(&r, p, 40, 300, 400);
    for (int i = 0; i < n; i++) {
        p[i].x += 250; /* centre the print in a 800 x 900 image so rotations fit */
        p[i].y += 250;
    }
    mid_matcher *m = matcher();
    mid_match_template *a = make(p, n, 800, 900, 500);
    for (size_t k = 0; k < sizeof(angles) / sizeof(angles[0]); k++) {
        transform(p, q, n, angles[k], 400, 450, 37, -21);
        mid_match_template *b = make(q, n, 800, 900, 500);
        double s = mid_matcher_compare(m, a, b);
        print_message("rotation %.0f: score %.1f\n", angles[k], s);
        assert_true(s > 40.0);
        mid_match_template_free(b);
    }
    mid_match_template_free(a);
    mid_matcher_free(m);
}

/* Jitter +-3 px and +-10 degrees, 30 % dropped, 6 spurious minutiae added. */
static int perturb(rng *r, const pt *in, int n, pt *out, double w, double h) {
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (rnd(r) < 0.3) {
            continue;
        }
        out[k] = in[i];
        out[k].x += (rnd(r) * 2 - 1) * 3;
        out[k].y += (rnd(r) * 2 - 1) * 3;
        out[k].a += (rnd(r) * 2 - 1) * 10 * PI / 180;
        k++;
    }
    pt extra[6];
    int ne = random_points(r, extra, 6, w, h);
    for (int i = 0; i < ne; i++) {
        out[k++] = extra[i];
    }
    return k;
}

static void test_noisy_copy_above_fmr_1e3(void **state) {
    (void)state;
    rng r = {3};
    pt p[45], q[60], q2[60];
    mid_matcher *m = matcher();
    double worst = 1e9;
    for (int rep = 0; rep < 20; rep++) {
        int n = random_points(&r, p, 45, 300, 400);
        int nq = perturb(&r, p, n, q, 300, 400);
        transform(q, q2, nq, (rnd(&r) * 2 - 1) * 20, 150, 200, 0, 0);
        mid_match_template *a = make(p, n, 300, 400, 500);
        mid_match_template *b = make(q2, nq, 300, 400, 500);
        double s = mid_matcher_compare(m, a, b);
        worst = s < worst ? s : worst;
        mid_match_template_free(a);
        mid_match_template_free(b);
    }
    print_message("worst noisy genuine score %.1f\n", worst);
    assert_true(worst > 30.0);
    mid_matcher_free(m);
}

static void test_unrelated_score_low_and_symmetric(void **state) {
    (void)state;
    rng r = {4};
    pt p[50], q[50];
    mid_matcher *m = matcher();
    double worst = 0, sum = 0;
    const int reps = 60;
    for (int rep = 0; rep < reps; rep++) {
        int n = random_points(&r, p, 20 + rep % 30, 300, 400);
        int nq = random_points(&r, q, 50 - rep % 25, 300, 400);
        mid_match_template *a = make(p, n, 300, 400, 500);
        mid_match_template *b = make(q, nq, 300, 400, 500);
        double s = mid_matcher_compare(m, a, b);
        double s2 = mid_matcher_compare(m, b, a);
        assert_true(s >= 0.0);
        assert_true(fabs(s - s2) < 1e-9);
        worst = s > worst ? s : worst;
        sum += s;
        mid_match_template_free(a);
        mid_match_template_free(b);
    }
    print_message("unrelated: mean %.2f max %.2f\n", sum / reps, worst);
    assert_true(worst < 25.0);
    assert_true(sum / reps < 12.0);
    mid_matcher_free(m);
}

static void test_symmetry_of_genuine_pairs(void **state) {
    (void)state;
    rng r = {5};
    pt p[40], q[60];
    mid_matcher *m = matcher();
    for (int rep = 0; rep < 10; rep++) {
        int n = random_points(&r, p, 40, 300, 400);
        int nq = perturb(&r, p, n, q, 300, 400);
        mid_match_template *a = make(p, n, 300, 400, 500);
        mid_match_template *b = make(q, nq, 300, 400, 500);
        assert_true(fabs(mid_matcher_compare(m, a, b) - mid_matcher_compare(m, b, a)) < 1e-9);
        mid_match_template_free(a);
        mid_match_template_free(b);
    }
    mid_matcher_free(m);
}

static void test_degenerate_templates_score_zero(void **state) {
    (void)state;
    rng r = {6};
    pt p[30];
    int n = random_points(&r, p, 30, 300, 400);
    mid_matcher *m = matcher();
    mid_match_template *empty = make(p, 0, 300, 400, 500);
    mid_match_template *one = make(p, 1, 300, 400, 500);
    mid_match_template *full = make(p, n, 300, 400, 500);
    assert_true(mid_matcher_compare(m, empty, empty) == 0.0);
    assert_true(mid_matcher_compare(m, empty, full) == 0.0);
    assert_true(mid_matcher_compare(m, full, empty) == 0.0);
    assert_true(mid_matcher_compare(m, one, one) == 0.0);
    assert_true(mid_matcher_compare(m, one, full) == 0.0);
    mid_match_template_free(empty);
    mid_match_template_free(one);
    mid_match_template_free(full);
    mid_matcher_free(m);
}

static void test_resolution_is_normalised(void **state) {
    (void)state;
    rng r = {7};
    pt p[40], half[40];
    int n = random_points(&r, p, 40, 300, 400);
    for (int i = 0; i < n; i++) {
        half[i] = p[i];
        half[i].x = p[i].x / 2;
        half[i].y = p[i].y / 2;
    }
    mid_matcher *m = matcher();
    mid_match_template *a = make(p, n, 300, 400, 500);
    mid_match_template *b = make(half, n, 150, 200, 250);
    double s = mid_matcher_compare(m, a, b);
    print_message("500 vs 250 ppi: %.1f\n", s);
    assert_true(s > 40.0);
    /* The same numbers read as 500 ppi describe a print half the size: no match. */
    mid_match_template *c = make(half, n, 150, 200, 500);
    assert_true(mid_matcher_compare(m, a, c) < 20.0);
    mid_match_template_free(a);
    mid_match_template_free(b);
    mid_match_template_free(c);
    mid_matcher_free(m);
}

/* Every local-similarity kernel this CPU supports gives bit-identical results
 * (random prints of varied size, so cylinders are partly valid, and noisy
 * copies, so similarities spread over the whole range). */
static void test_kernels_agree(void **state) {
    (void)state;
    rng r = {8};
    pt p[80], q[100];
    mid_matcher *ref = matcher(), *m = matcher();
    assert_int_equal(match_matcher_set_kernel(ref, MATCH_KERNEL_GENERIC), 0);
    int tested = 0;
    size_t compared = 0;
    for (int k = MATCH_KERNEL_POPCNT; k <= MATCH_KERNEL_AVX512; k++) {
        if (match_matcher_set_kernel(m, (match_kernel)k) != 0) {
            print_message("kernel %d not supported here\n", k);
            continue;
        }
        tested++;
        for (int rep = 0; rep < 30; rep++) {
            int n = random_points(&r, p, 5 + rep * 2, 150 + rep * 8, 200 + rep * 8);
            int nq = rep % 2 ? perturb(&r, p, n, q, 150 + rep * 8, 200 + rep * 8)
                             : random_points(&r, q, 3 + rep * 3, 300, 400);
            mid_match_template *a = make(p, n, 400, 500, 500);
            mid_match_template *b = make(q, nq, 400, 500, 500);
            match_detail d1, d2;
            double s1 = match_compare_raw(ref, a, b, &d1);
            double s2 = match_compare_raw(m, a, b, &d2);
            assert_true(s1 == s2);
            assert_int_equal(d1.paired, d2.paired);
            assert_true(d1.lss == d2.lss);
            const float *m1 = NULL, *m2 = NULL;
            size_t n1 = match_matcher_last_sims(ref, &m1);
            size_t n2 = match_matcher_last_sims(m, &m2);
            assert_true(n1 == n2);
            for (size_t e = 0; e < n1; e++) {
                assert_true(memcmp(&m1[e], &m2[e], sizeof(float)) == 0);
            }
            compared += n1;
            mid_match_template_free(a);
            mid_match_template_free(b);
        }
    }
    print_message("%d accelerated kernel(s) checked against the generic one (%zu similarities)\n",
                  tested, compared);
    mid_matcher_free(ref);
    mid_matcher_free(m);
}

static void test_calibration_monotone(void **state) {
    (void)state;
    const double *raw = NULL, *score = NULL;
    size_t n = match_calibration_knots(&raw, &score);
    assert_true(n >= 2);
    assert_true(raw[0] == 0.0 && score[0] == 0.0);
    for (size_t i = 1; i < n; i++) {
        assert_true(raw[i] > raw[i - 1]);
        assert_true(score[i] > score[i - 1]);
    }
    double prev = match_calibrate(0.0);
    assert_true(prev == 0.0);
    assert_true(match_calibrate(-1.0) == 0.0);
    assert_true(match_calibrate(NAN) == 0.0);
    for (int i = 1; i <= 10000; i++) {
        double s = match_calibrate(i * 1e-4);
        assert_true(s >= prev);
        prev = s;
    }
    /* Knots map to their scores. */
    for (size_t i = 0; i < n; i++) {
        assert_true(fabs(match_calibrate(raw[i]) - score[i]) < 1e-9);
    }
    /* The tail keeps growing beyond the last knot. */
    assert_true(match_calibrate(raw[n - 1] * 2) > score[n - 1] + 5);
}

static void test_argument_errors(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    mid_match_template *mt = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    assert_int_equal(mid_match_prepare(ctx, NULL, &mt), MID_ERR_ARG);
    assert_null(mt);
    assert_true(strlen(mid_ctx_error(ctx)) > 0);
    assert_int_equal(mid_matcher_create(ctx, NULL), MID_ERR_ARG);
    mid_match_template_free(NULL);
    mid_matcher_free(NULL);
    /* compare never fails: missing arguments score 0 */
    mid_matcher *m = matcher();
    assert_true(mid_matcher_compare(m, NULL, NULL) == 0.0);
    assert_true(mid_matcher_compare(NULL, NULL, NULL) == 0.0);
    mid_matcher_free(m);
    mid_ctx_free(ctx);
}

/* Real templates (optional reference data): genuine pairs far above impostors. */
static void test_reference_templates(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(dir, "iso19794-2-openafis-secugen/fvc2002-db1-b/101_1.iso");
    (void)dir;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_match_template *t[2][8];
    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < 8; i++) {
            char rel[128];
            snprintf(rel, sizeof(rel), "iso19794-2-openafis-secugen/fvc2002-db1-b/%d_%d.iso",
                     101 + f, i + 1);
            const char *path = tu_shared_path(rel);
            assert_non_null(path);
            mid_template *tm = NULL;
            assert_int_equal(mid_template_load(ctx, path, MID_TEMPLATE_AUTO, &tm), MID_OK);
            assert_int_equal(mid_match_prepare(ctx, tm, &t[f][i]), MID_OK);
            mid_template_free(tm);
        }
    }
    mid_matcher *m = matcher();
    double gen = 0, imp = 0;
    int ng = 0, ni = 0;
    for (int i = 0; i < 8; i++) {
        for (int j = i + 1; j < 8; j++) {
            gen += mid_matcher_compare(m, t[0][i], t[0][j]);
            gen += mid_matcher_compare(m, t[1][i], t[1][j]);
            ng += 2;
        }
        for (int j = 0; j < 8; j++) {
            imp += mid_matcher_compare(m, t[0][i], t[1][j]);
            ni++;
        }
    }
    print_message("reference: genuine mean %.1f, impostor mean %.1f\n", gen / ng, imp / ni);
    assert_true(gen / ng > 30.0);
    assert_true(imp / ni < 10.0);
    for (int f = 0; f < 2; f++) {
        for (int i = 0; i < 8; i++) {
            mid_match_template_free(t[f][i]);
        }
    }
    mid_matcher_free(m);
    mid_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_self_match_scores_high),
        cmocka_unit_test(test_rotation_translation_invariance),
        cmocka_unit_test(test_noisy_copy_above_fmr_1e3),
        cmocka_unit_test(test_unrelated_score_low_and_symmetric),
        cmocka_unit_test(test_symmetry_of_genuine_pairs),
        cmocka_unit_test(test_degenerate_templates_score_zero),
        cmocka_unit_test(test_resolution_is_normalised),
        cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_calibration_monotone),
        cmocka_unit_test(test_argument_errors),
        cmocka_unit_test(test_reference_templates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
