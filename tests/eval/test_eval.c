/* Tests for src/eval: FVC EER, FNMR at fixed FMR, ZeroFMR and the DET curve. */
#include "support/testutil.h"

#include "mid/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))
#define EPS 1e-12

/* cmocka only compares floats; rates need double precision. */
static void near_impl(double a, double b, double eps, const char *expr, int line) {
    if (!(fabs(a - b) <= eps)) {
        fail_msg("line %d: %s: %.17g != %.17g", line, expr, a, b);
    }
}
#define assert_double_equal(a, b, eps) near_impl((a), (b), (eps), #a, __LINE__)

static mid_eval_metrics compute(const double *g, size_t ng, const double *i, size_t ni) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_eval_metrics m;
    assert_int_equal(mid_eval_compute(ctx, g, ng, i, ni, &m), MID_OK);
    mid_ctx_free(ctx);
    return m;
}

static void assert_metrics(const mid_eval_metrics *m, double low, double high, double f2, double f3,
                           double z) {
    assert_double_equal(m->eer_low, low, EPS);
    assert_double_equal(m->eer_high, high, EPS);
    assert_double_equal(m->eer, (low + high) / 2.0, EPS);
    assert_double_equal(m->fnmr_at_fmr_1e2, f2, EPS);
    assert_double_equal(m->fnmr_at_fmr_1e3, f3, EPS);
    assert_double_equal(m->zero_fmr, z, EPS);
}

/* Every genuine score above every impostor score: no error anywhere. */
static void test_perfect_separation(void **state) {
    (void)state;
    const double g[] = {4, 3}, i[] = {2, 1};
    mid_eval_metrics m = compute(g, N_OF(g), i, N_OF(i));
    assert_metrics(&m, 0, 0, 0, 0, 0);
}

/* One genuine and one impostor with the same score: t1 = 1 (FNMR 0, FMR 1), t2 is
 * above every score (FMR 0, FNMR 1); equal sums pick t1: [0, 1], EER 50 %. */
static void test_total_overlap_one_element(void **state) {
    (void)state;
    const double g[] = {1}, i[] = {1};
    mid_eval_metrics m = compute(g, 1, i, 1);
    assert_metrics(&m, 0, 1, 1, 1, 1);
    /* One element each, separated. */
    const double g2[] = {2}, i2[] = {1};
    m = compute(g2, 1, i2, 1);
    assert_metrics(&m, 0, 0, 0, 0, 0);
    /* One element each, reversed: at t = 2 both rates are 1 (t1 = t2 = 2). */
    m = compute(i2, 1, g2, 1);
    assert_metrics(&m, 1, 1, 1, 1, 1);
}

/* Ties across and within the arrays. Thresholds 0,1,2,3:
 *   t=0 FNMR 0    FMR 1;  t=1 FNMR 0   FMR .75;  t=2 FNMR .25 FMR .5;  t=3 FNMR .75 FMR 0.
 * t1 = 2, t2 = 3, sums .75 and .75: [FNMR(t1), FMR(t1)] = [.25, .5]. */
static void test_ties(void **state) {
    (void)state;
    const double g[] = {2, 1, 3, 2}, i[] = {2, 0, 2, 1};
    mid_eval_metrics m = compute(g, N_OF(g), i, N_OF(i));
    assert_metrics(&m, 0.25, 0.5, 0.75, 0.75, 0.75);
}

/* FNMR and FMR cross exactly at t = 0.6 (both .25). */
static void test_exact_crossing(void **state) {
    (void)state;
    const double g[] = {0.2, 0.6, 0.7, 0.9}, i[] = {0.1, 0.3, 0.4, 0.65};
    mid_eval_metrics m = compute(g, N_OF(g), i, N_OF(i));
    assert_metrics(&m, 0.25, 0.25, 0.5, 0.5, 0.5);
}

/* The t2 branch: t1 = 2 (FNMR .5, FMR 1, sum 1.5), t2 = 3 (FNMR .5, FMR 0, sum .5):
 * [FMR(t2), FNMR(t2)] = [0, .5]. */
static void test_t2_branch(void **state) {
    (void)state;
    const double g[] = {1, 3}, i[] = {2};
    mid_eval_metrics m = compute(g, N_OF(g), i, N_OF(i));
    assert_metrics(&m, 0, 0.5, 0.5, 0.5, 0.5);
    /* And the mirror case, where the t1 branch wins: [0, .5]. */
    const double g2[] = {2}, i2[] = {1, 3};
    m = compute(g2, N_OF(g2), i2, N_OF(i2));
    assert_metrics(&m, 0, 0.5, 1, 1, 1);
}

/* Failed comparisons (-1) count as non-matches for genuine pairs and never as
 * false matches above any real threshold. Thresholds -1,1,2,5,6:
 *   -1: 0, 1;  1: 1/3, 2/3;  2: 1/3, 1/3;  5: 1/3, 0;  6: 2/3, 0. */
static void test_failed_comparisons(void **state) {
    (void)state;
    const double g[] = {-1, 5, 6}, i[] = {1, -1, 2};
    mid_eval_metrics m = compute(g, N_OF(g), i, N_OF(i));
    const double third = 1.0 / 3.0;
    assert_metrics(&m, third, third, third, third, third);
}

/* FMR exactly at the 1e-2 and 1e-3 bounds counts as meeting them. Impostors
 * 0..1999, genuine 0.5..1999.5: at t = 1979.5 FMR = 20/2000 = 1e-2 and FNMR =
 * 1979/2000; at 1997.5 FMR = 1e-3, FNMR = 1997/2000; FMR 0 first at 1999.5. */
static void test_fmr_bounds(void **state) {
    (void)state;
    enum { N = 2000 };
    double *g = malloc(N * sizeof(double)), *i = malloc(N * sizeof(double));
    assert_non_null(g);
    assert_non_null(i);
    for (int k = 0; k < N; k++) {
        i[k] = k;
        g[N - 1 - k] = k + 0.5;
    }
    mid_eval_metrics m = compute(g, N, i, N);
    assert_double_equal(m.fnmr_at_fmr_1e2, 1979.0 / N, EPS);
    assert_double_equal(m.fnmr_at_fmr_1e3, 1997.0 / N, EPS);
    assert_double_equal(m.zero_fmr, 1999.0 / N, EPS);
    /* FNMR(t) and FMR(t) cross at t = 1000 (FNMR 1000/2000, FMR 1000/2000). */
    assert_double_equal(m.eer, 0.5, EPS);
    free(g);
    free(i);
}

static void test_bad_arguments(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    const double g[] = {1, 2}, i[] = {0};
    mid_eval_metrics m;
    assert_int_equal(mid_eval_compute(ctx, g, 0, i, 1, &m), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "genuine"));
    assert_int_equal(mid_eval_compute(ctx, g, 2, NULL, 1, &m), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "impostor"));
    assert_int_equal(mid_eval_compute(ctx, g, 2, i, 1, NULL), MID_ERR_ARG);
    const double bad[] = {1, NAN};
    assert_int_equal(mid_eval_compute(ctx, bad, 2, i, 1, &m), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "NaN"));
    mid_det_point *pts = (mid_det_point *)1;
    size_t n = 7;
    assert_int_equal(mid_eval_det(ctx, g, 2, i, 0, &pts, &n), MID_ERR_ARG);
    assert_null(pts);
    assert_int_equal(n, 0);
    assert_int_equal(mid_eval_det(ctx, g, 2, i, 1, NULL, &n), MID_ERR_ARG);
    mid_ctx_free(ctx);
}

/* The DET curve on the tie case: one point per distinct score 0,1,2,3. */
static void test_det_small(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    const double g[] = {2, 1, 3, 2}, i[] = {2, 0, 2, 1};
    mid_det_point *pts = NULL;
    size_t n = 0;
    assert_int_equal(mid_eval_det(ctx, g, N_OF(g), i, N_OF(i), &pts, &n), MID_OK);
    assert_int_equal(n, 4);
    const double th[] = {0, 1, 2, 3}, fmr[] = {1, 0.75, 0.5, 0}, fnmr[] = {0, 0, 0.25, 0.75};
    for (size_t k = 0; k < n; k++) {
        assert_double_equal(pts[k].threshold, th[k], EPS);
        assert_double_equal(pts[k].fmr, fmr[k], EPS);
        assert_double_equal(pts[k].fnmr, fnmr[k], EPS);
    }
    mid_free(pts);
    mid_ctx_free(ctx);
}

/* Reference implementation of the definitions, O(n * m) per threshold, over every
 * distinct score plus one threshold above them all. */
static void brute_rates(const double *g, size_t ng, const double *i, size_t ni, double t,
                        double *fmr, double *fnmr) {
    size_t a = 0, b = 0;
    for (size_t k = 0; k < ng; k++) {
        a += g[k] < t;
    }
    for (size_t k = 0; k < ni; k++) {
        b += i[k] >= t;
    }
    *fnmr = (double)a / (double)ng;
    *fmr = (double)b / (double)ni;
}

static mid_eval_metrics brute_metrics(const double *g, size_t ng, const double *i, size_t ni) {
    size_t nt = ng + ni + 1;
    double *ts = malloc(nt * sizeof(double));
    assert_non_null(ts);
    memcpy(ts, g, ng * sizeof(double));
    memcpy(ts + ng, i, ni * sizeof(double));
    ts[nt - 1] = INFINITY;
    double t1 = -INFINITY, t2 = INFINITY;
    mid_eval_metrics m = {0, 0, 0, 1, 1, 1};
    for (size_t k = 0; k < nt; k++) {
        double fmr, fnmr;
        brute_rates(g, ng, i, ni, ts[k], &fmr, &fnmr);
        if (fnmr <= fmr && ts[k] > t1) {
            t1 = ts[k];
        }
        if (fnmr >= fmr && ts[k] < t2) {
            t2 = ts[k];
        }
        if (fmr <= 1e-2 && fnmr < m.fnmr_at_fmr_1e2) {
            m.fnmr_at_fmr_1e2 = fnmr;
        }
        if (fmr <= 1e-3 && fnmr < m.fnmr_at_fmr_1e3) {
            m.fnmr_at_fmr_1e3 = fnmr;
        }
        if (fmr == 0 && fnmr < m.zero_fmr) {
            m.zero_fmr = fnmr;
        }
    }
    double fmr1, fnmr1, fmr2, fnmr2;
    brute_rates(g, ng, i, ni, t1, &fmr1, &fnmr1);
    brute_rates(g, ng, i, ni, t2, &fmr2, &fnmr2);
    if (fnmr1 + fmr1 <= fmr2 + fnmr2) {
        m.eer_low = fnmr1;
        m.eer_high = fmr1;
    } else {
        m.eer_low = fmr2;
        m.eer_high = fnmr2;
    }
    m.eer = (m.eer_low + m.eer_high) / 2;
    free(ts);
    return m;
}

/* Deterministic pseudo-random scores (xorshift), coarsely quantised to force ties. */
static uint32_t rng_next(uint32_t *s) {
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

/* Property tests on random score sets: the metrics equal the brute-force
 * definition, and the DET curve is ordered with FMR falling and FNMR rising. */
static void test_random_properties(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    uint32_t seed = 12345;
    for (int round = 0; round < 200; round++) {
        size_t ng = 1 + rng_next(&seed) % 60, ni = 1 + rng_next(&seed) % 300;
        uint32_t levels = 2 + rng_next(&seed) % 50, shift = rng_next(&seed) % 20;
        double g[60], i[300];
        for (size_t k = 0; k < ng; k++) {
            g[k] = (rng_next(&seed) % 8 == 0) ? -1.0 : (double)(rng_next(&seed) % levels + shift);
        }
        for (size_t k = 0; k < ni; k++) {
            i[k] = (double)(rng_next(&seed) % levels);
        }
        mid_eval_metrics m, ref = brute_metrics(g, ng, i, ni);
        assert_int_equal(mid_eval_compute(ctx, g, ng, i, ni, &m), MID_OK);
        assert_double_equal(m.eer_low, ref.eer_low, EPS);
        assert_double_equal(m.eer_high, ref.eer_high, EPS);
        assert_double_equal(m.eer, ref.eer, EPS);
        assert_double_equal(m.fnmr_at_fmr_1e2, ref.fnmr_at_fmr_1e2, EPS);
        assert_double_equal(m.fnmr_at_fmr_1e3, ref.fnmr_at_fmr_1e3, EPS);
        assert_double_equal(m.zero_fmr, ref.zero_fmr, EPS);
        assert_true(m.eer_low <= m.eer_high);
        assert_true(m.fnmr_at_fmr_1e2 <= m.fnmr_at_fmr_1e3);
        assert_true(m.fnmr_at_fmr_1e3 <= m.zero_fmr);

        mid_det_point *pts = NULL;
        size_t n = 0;
        assert_int_equal(mid_eval_det(ctx, g, ng, i, ni, &pts, &n), MID_OK);
        assert_true(n >= 1 && n <= ng + ni);
        assert_double_equal(pts[0].fmr, 1.0, EPS);
        assert_double_equal(pts[0].fnmr, 0.0, EPS);
        for (size_t k = 0; k < n; k++) {
            double fmr, fnmr;
            brute_rates(g, ng, i, ni, pts[k].threshold, &fmr, &fnmr);
            assert_double_equal(pts[k].fmr, fmr, EPS);
            assert_double_equal(pts[k].fnmr, fnmr, EPS);
            if (k > 0) {
                assert_true(pts[k].threshold > pts[k - 1].threshold);
                assert_true(pts[k].fmr <= pts[k - 1].fmr);
                assert_true(pts[k].fnmr >= pts[k - 1].fnmr);
            }
        }
        mid_free(pts);
    }
    mid_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_perfect_separation),
        cmocka_unit_test(test_total_overlap_one_element),
        cmocka_unit_test(test_ties),
        cmocka_unit_test(test_exact_crossing),
        cmocka_unit_test(test_t2_branch),
        cmocka_unit_test(test_failed_comparisons),
        cmocka_unit_test(test_fmr_bounds),
        cmocka_unit_test(test_bad_arguments),
        cmocka_unit_test(test_det_small),
        cmocka_unit_test(test_random_properties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
