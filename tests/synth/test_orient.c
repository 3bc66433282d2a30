/* Tests for src/synth/orient: singular points of the orientation model (Poincare
 * index), class tables and draws, period range, outline, determinism. */
#include "support/testutil.h"

#include "synth/orient.h"

#include <math.h>
#include <string.h>

#define PI 3.14159265358979323846

/* Poincare index of the model's orientation field on a circle of radius r
 * around (x, y), walked counter-clockwise as seen in mathematical axes (y up):
 * the sum of the orientation changes, each taken modulo pi into (-pi/2, pi/2],
 * divided by 2 pi. */
static double poincare(const synth_finger_model *m, double x, double y, double r) {
    const int n = 256;
    double total = 0;
    double prev = -synth_model_orientation(m, x + r, y); /* to mathematical sense */
    for (int k = 1; k <= n; k++) {
        double t = 2 * PI * k / n;
        double cur = -synth_model_orientation(m, x + r * cos(t), y - r * sin(t));
        double d = cur - prev;
        while (d > PI / 2) {
            d -= PI;
        }
        while (d <= -PI / 2) {
            d += PI;
        }
        total += d;
        prev = cur;
    }
    return total / (2 * PI);
}

static void test_poincare_cores_and_deltas(void **state) {
    (void)state;
    for (int cls = MID_CLASS_TENTED_ARCH; cls <= MID_CLASS_WHORL; cls++) {
        for (uint64_t person = 0; person < 20; person++) {
            synth_finger_model m;
            synth_model_init_class(&m, 7, person, 1 + (unsigned)(person % 10),
                                   (mid_finger_class)cls);
            int want = cls == MID_CLASS_WHORL ? 2 : 1;
            assert_int_equal(m.ncore, want);
            assert_int_equal(m.ndelta, want);
            for (int k = 0; k < m.ncore; k++) {
                assert_true(synth_model_inside(&m, m.core[k].x, m.core[k].y));
                assert_float_equal(poincare(&m, m.core[k].x, m.core[k].y, 4.0), 0.5, 1e-9);
            }
            for (int k = 0; k < m.ndelta; k++) {
                assert_true(synth_model_inside(&m, m.delta[k].x, m.delta[k].y));
                assert_float_equal(poincare(&m, m.delta[k].x, m.delta[k].y, 4.0), -0.5, 1e-9);
            }
            /* A circle away from every singular point has index 0. */
            double fx = m.cx, fy = m.cy + 0.8 * m.bottom;
            assert_float_equal(poincare(&m, fx, fy, 8.0), 0.0, 1e-9);
        }
    }
}

static void test_arch_has_no_singularity(void **state) {
    (void)state;
    for (uint64_t person = 0; person < 10; person++) {
        synth_finger_model m;
        synth_model_init_class(&m, 3, person, 2, MID_CLASS_ARCH);
        assert_int_equal(m.ncore, 0);
        assert_int_equal(m.ndelta, 0);
        /* Circles of radius 10 tiling the fingertip all have index 0. */
        for (double y = 10; y < m.height - 10; y += 15) {
            for (double x = 10; x < m.width - 10; x += 15) {
                if (synth_model_inside(&m, x, y)) {
                    assert_float_equal(poincare(&m, x, y, 10.0), 0.0, 1e-9);
                }
            }
        }
    }
}

static void test_loop_sides(void **state) {
    (void)state;
    /* The delta lies on the side opposite the loop's opening. */
    for (uint64_t person = 0; person < 50; person++) {
        synth_finger_model l, r;
        synth_model_init_class(&l, 11, person, 3, MID_CLASS_LEFT_LOOP);
        synth_model_init_class(&r, 11, person, 3, MID_CLASS_RIGHT_LOOP);
        assert_true(l.delta[0].x > l.core[0].x + 20);
        assert_true(r.delta[0].x < r.core[0].x - 20);
        assert_true(l.delta[0].y > l.core[0].y + 30);
        assert_true(r.delta[0].y > r.core[0].y + 30);
    }
}

static void test_class_tables(void **state) {
    (void)state;
    static const double population[5] = {3.7, 2.9, 33.8, 31.7, 27.9};
    double mean[5] = {0};
    for (unsigned f = 1; f <= 10; f++) {
        const double *t = synth_class_table(f);
        assert_non_null(t);
        double sum = 0;
        for (int c = 0; c < 5; c++) {
            sum += t[c];
            mean[c] += t[c] / 10;
        }
        assert_float_equal(sum, 100.0, 1e-9);
        /* Ulnar loops dominate: right loops on the right hand, left on the left. */
        const double *p = synth_position_table[(f - 1) % 5];
        assert_float_equal(t[f <= 5 ? MID_CLASS_RIGHT_LOOP : MID_CLASS_LEFT_LOOP], p[2], 0);
        assert_float_equal(t[f <= 5 ? MID_CLASS_LEFT_LOOP : MID_CLASS_RIGHT_LOOP], p[3], 0);
        assert_true(p[2] > p[3]);
    }
    assert_null(synth_class_table(0));
    assert_null(synth_class_table(11));
    /* Index fingers carry the most arches and tented arches. */
    for (int pos = 0; pos < 5; pos++) {
        assert_true(synth_position_table[1][0] >= synth_position_table[pos][0]);
        assert_true(synth_position_table[1][1] >= synth_position_table[pos][1]);
    }
    /* The per-finger tables average to the published population figures. */
    assert_float_equal(mean[MID_CLASS_ARCH], population[0], 0.05);
    assert_float_equal(mean[MID_CLASS_TENTED_ARCH], population[1], 0.05);
    assert_float_equal(mean[MID_CLASS_WHORL], population[4], 0.05);
    assert_float_equal(mean[MID_CLASS_LEFT_LOOP] + mean[MID_CLASS_RIGHT_LOOP],
                       population[2] + population[3], 0.05);
    assert_float_equal(mean[MID_CLASS_LEFT_LOOP], population[2], 1.5);
    assert_float_equal(mean[MID_CLASS_RIGHT_LOOP], population[3], 1.5);
}

static void test_class_draws_follow_tables(void **state) {
    (void)state;
    const int n = 20000;
    for (unsigned f = 1; f <= 10; f++) {
        int count[5] = {0};
        for (int p = 0; p < n; p++) {
            mid_finger_class c = synth_model_class(2024, (uint64_t)p, f);
            assert_true((unsigned)c < 5);
            count[c]++;
            if (p < 200) {
                synth_finger_model m;
                synth_model_init(&m, 2024, (uint64_t)p, f);
                assert_int_equal(m.cls, c);
            }
        }
        const double *t = synth_class_table(f);
        for (int c = 0; c < 5; c++) {
            /* 4 standard deviations of a binomial proportion, at least 0.5 points. */
            double sd = 100.0 * sqrt(t[c] / 100 * (1 - t[c] / 100) / n);
            assert_float_equal(100.0 * count[c] / n, t[c], fmax(4 * sd, 0.5));
        }
    }
}

static void test_period_and_outline(void **state) {
    (void)state;
    for (uint64_t person = 0; person < 30; person++) {
        unsigned f = 1 + (unsigned)(person % 10);
        synth_finger_model m;
        synth_model_init(&m, 5, person, f);
        assert_true(m.width >= 300 && m.width <= 390);
        assert_true(m.height >= 400 && m.height <= 510);
        assert_true(synth_model_inside(&m, m.cx, m.cy));
        assert_false(synth_model_inside(&m, 1, 1));
        assert_false(synth_model_inside(&m, m.width - 2, m.height - 2));
        assert_false(synth_model_inside(&m, m.cx, 0));
        double lo = 1e9, hi = 0, maxstep = 0;
        for (double y = 0; y < m.height; y += 2) {
            double prev = -1;
            for (double x = 0; x < m.width; x += 2) {
                if (!synth_model_inside(&m, x, y)) {
                    prev = -1;
                    continue;
                }
                double t = synth_model_period(&m, x, y);
                lo = fmin(lo, t);
                hi = fmax(hi, t);
                if (prev > 0) {
                    maxstep = fmax(maxstep, fabs(t - prev));
                }
                prev = t;
                double o = synth_model_orientation(&m, x, y);
                assert_true(o >= 0 && o < PI);
            }
        }
        assert_true(lo >= 7.0 && hi <= 12.0);
        assert_true(hi - lo > 0.5);  /* it does vary */
        assert_true(maxstep < 0.25); /* smoothly: under 0.25 px per 2 px */
    }
}

/* The flow-following period: never narrows, leaves arches alone, and widens the
 * ridges of loops towards their delta (where the flow diverges) but not at the
 * core. */
static void test_flow_period(void **state) {
    (void)state;
    for (uint64_t person = 0; person < 20; person++) {
        synth_finger_model a, l;
        synth_model_init_class(&a, 13, person, 2, MID_CLASS_ARCH);
        synth_model_init_class(&l, 13, person, 2, MID_CLASS_RIGHT_LOOP);
        double hi = 1.0;
        for (double y = 0; y < l.height; y += 4) {
            for (double x = 0; x < l.width; x += 4) {
                assert_float_equal(synth_model_flow_factor(&a, x, y), 1.0, 0);
                double f = synth_model_flow_factor(&l, x, y);
                assert_true(f >= 1.0 && f <= 1.3);
                if (synth_model_inside(&l, x, y)) {
                    hi = fmax(hi, f);
                }
            }
        }
        assert_true(hi > 1.05); /* it does widen somewhere */
        assert_float_equal(synth_model_flow_factor(&l, l.core[0].x, l.core[0].y), 1.0, 0);
        assert_true(synth_model_flow_factor(&l, l.delta[0].x, l.delta[0].y) > 1.05);
    }
}

static void test_determinism(void **state) {
    (void)state;
    synth_finger_model a, b, c;
    synth_model_init(&a, 99, 12345, 7);
    synth_model_init(&b, 99, 12345, 7);
    assert_memory_equal(&a, &b, sizeof(a));
    synth_model_init(&c, 99, 12346, 7);
    assert_true(memcmp(&a, &c, sizeof(a)) != 0);
    assert_float_equal(synth_model_orientation(&a, 100.5, 200.5),
                       synth_model_orientation(&b, 100.5, 200.5), 0);
    /* An invalid finger is treated as the right index. */
    synth_model_init(&a, 99, 12345, 0);
    synth_model_init(&b, 99, 12345, 2);
    assert_memory_equal(&a, &b, sizeof(a));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_poincare_cores_and_deltas),
        cmocka_unit_test(test_arch_has_no_singularity),
        cmocka_unit_test(test_loop_sides),
        cmocka_unit_test(test_flow_period),
        cmocka_unit_test(test_class_tables),
        cmocka_unit_test(test_class_draws_follow_tables),
        cmocka_unit_test(test_period_and_outline),
        cmocka_unit_test(test_determinism),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
