/* Tests for the master prints (src/synth/master.c, synth.c): determinism,
 * distinct identities, plausible minutiae, ridge period against the model,
 * agreement with our own extractor, error handling, names. */
#include "support/testutil.h"

#include "mid/extract.h"
#include "mid/synth.h"
#include "synth/synth_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846

typedef struct fixture {
    mid_ctx *ctx;
    mid_synth *s;
} fixture;

static int setup(void **state) {
    fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(mid_ctx_create(&f->ctx), MID_OK);
    assert_int_equal(mid_synth_create(f->ctx, &f->s), MID_OK);
    *state = f;
    return 0;
}

static int teardown(void **state) {
    fixture *f = *state;
    mid_synth_free(f->s);
    mid_ctx_free(f->ctx);
    free(f);
    return 0;
}

static mid_synth_master *make(fixture *f, uint64_t seed, uint64_t person, unsigned finger) {
    mid_synth_master *m = NULL;
    assert_int_equal(mid_synth_master_create(f->s, seed, person, finger, &m), MID_OK);
    assert_non_null(m);
    return m;
}

static void test_deterministic(void **state) {
    fixture *f = *state;
    mid_synth_master *a = make(f, 42, 1000, 3);
    /* A fresh generator gives the same bytes: nothing depends on history. */
    mid_synth *s2 = NULL;
    assert_int_equal(mid_synth_create(f->ctx, &s2), MID_OK);
    mid_synth_master *b = NULL;
    assert_int_equal(mid_synth_master_create(s2, 42, 1000, 3, &b), MID_OK);
    const mid_image *ia = mid_synth_master_image(a), *ib = mid_synth_master_image(b);
    assert_int_equal(mid_image_width(ia), mid_image_width(ib));
    assert_int_equal(mid_image_height(ia), mid_image_height(ib));
    assert_memory_equal(mid_image_cpixels(ia), mid_image_cpixels(ib),
                        (size_t)mid_image_width(ia) * mid_image_height(ia));
    const mid_template *ta = mid_synth_master_minutiae(a), *tb = mid_synth_master_minutiae(b);
    assert_int_equal(mid_template_count(ta), mid_template_count(tb));
    assert_memory_equal(mid_template_minutiae(ta), mid_template_minutiae(tb),
                        mid_template_count(ta) * sizeof(mid_minutia));
    assert_int_equal(mid_synth_master_class(a), mid_synth_master_class(b));
    void *ea = NULL, *eb = NULL;
    size_t la = 0, lb = 0;
    assert_int_equal(mid_template_encode(f->ctx, ta, MID_TEMPLATE_ISO19794_2_2005, &ea, &la),
                     MID_OK);
    assert_int_equal(mid_template_encode(f->ctx, tb, MID_TEMPLATE_ISO19794_2_2005, &eb, &lb),
                     MID_OK);
    assert_int_equal(la, lb);
    assert_memory_equal(ea, eb, la);
    mid_free(ea);
    mid_free(eb);
    mid_synth_master_free(b);
    mid_synth_free(s2);
    mid_synth_master_free(a);
}

static void test_people_differ(void **state) {
    fixture *f = *state;
    mid_synth_master *a = make(f, 42, 1, 2);
    mid_synth_master *b = make(f, 42, 2, 2);
    mid_synth_master *c = make(f, 43, 1, 2); /* another population seed */
    mid_synth_master *d = make(f, 42, 1, 7); /* another finger of person 1 */
    mid_synth_master *others[3] = {b, c, d};
    const mid_image *ia = mid_synth_master_image(a);
    for (int k = 0; k < 3; k++) {
        const mid_image *io = mid_synth_master_image(others[k]);
        /* Same-size overlap: a large part of the pixels differ. */
        uint32_t w =
            mid_image_width(ia) < mid_image_width(io) ? mid_image_width(ia) : mid_image_width(io);
        uint32_t h = mid_image_height(ia) < mid_image_height(io) ? mid_image_height(ia)
                                                                 : mid_image_height(io);
        size_t differ = 0;
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                int pa = mid_image_cpixels(ia)[(size_t)y * mid_image_width(ia) + x];
                int po = mid_image_cpixels(io)[(size_t)y * mid_image_width(io) + x];
                differ += abs(pa - po) > 64;
            }
        }
        assert_true(differ > (size_t)w * h / 5);
    }
    mid_synth_master_free(a);
    mid_synth_master_free(b);
    mid_synth_master_free(c);
    mid_synth_master_free(d);
}

static void test_image_and_minutiae_plausible(void **state) {
    fixture *f = *state;
    double sum = 0;
    const int n = 6;
    int endings = 0, bifurcations = 0;
    for (int p = 0; p < n; p++) {
        unsigned finger = 1 + (unsigned)(p * 3 % 10);
        mid_synth_master *m = make(f, 9, (uint64_t)p, finger);
        const mid_image *img = mid_synth_master_image(m);
        uint32_t w = mid_image_width(img), h = mid_image_height(img);
        assert_true(w >= 300 && w <= 390 && h >= 400 && h <= 510);
        assert_float_equal(mid_image_ppi(img), 500.0, 0);
        const uint8_t *px = mid_image_cpixels(img);
        /* White outside the fingertip, dark ridges and light valleys inside. */
        assert_int_equal(px[0], 255);
        assert_int_equal(px[(size_t)w * h - 1], 255);
        size_t dark = 0, light = 0, inside = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) {
            if (m->mask[i] && m->border[i] > 6) {
                inside++;
                dark += px[i] < 80;
                light += px[i] > 176;
            } else if (!m->mask[i]) {
                assert_int_equal(px[i], 255);
            }
        }
        assert_true(inside > (size_t)w * h / 2);
        assert_true(dark > inside / 4 && light > inside / 4);

        const mid_template *t = mid_synth_master_minutiae(m);
        size_t cnt = mid_template_count(t);
        assert_true(cnt >= 25 && cnt <= 140);
        sum += (double)cnt;
        assert_int_equal(mid_template_width(t), w);
        assert_int_equal(mid_template_height(t), h);
        assert_int_equal(mid_template_ppi(t), 500);
        assert_int_equal(mid_template_finger_position(t), finger);
        const mid_minutia *mm = mid_template_minutiae(t);
        for (size_t k = 0; k < cnt; k++) {
            size_t i = (size_t)mm[k].y * w + mm[k].x;
            assert_true(m->mask[i] && m->border[i] >= 10);
            assert_true(mm[k].type == MID_MINUTIA_ENDING || mm[k].type == MID_MINUTIA_BIFURCATION);
            endings += mm[k].type == MID_MINUTIA_ENDING;
            bifurcations += mm[k].type == MID_MINUTIA_BIFURCATION;
            /* An ending sits at the tip of a ridge: the ridge signal is positive
             * at the minutia or next to it. */
            if (mm[k].type == MID_MINUTIA_ENDING) {
                float best = -1;
                for (int dy = -1; dy <= 1; dy++) {
                    for (int dx = -1; dx <= 1; dx++) {
                        float v = m->ridge[i + (size_t)(dy * (int)w) + (size_t)dx];
                        best = v > best ? v : best;
                    }
                }
                assert_true(best > 0);
            }
        }
        mid_synth_master_free(m);
    }
    assert_true(sum / n >= 40);
    assert_true(endings > 20 && bifurcations > 20);
}

/* Counts ridge/valley transitions of sign(ridge) along the rows, deep inside
 * the fingertip, against what the model's period and orientation predict: a row
 * crosses a ridge field of period T at angle theta 2 |sin theta| / T times per
 * pixel. */
static void test_period_matches_model(void **state) {
    fixture *f = *state;
    for (int p = 0; p < 3; p++) {
        mid_synth_master *m = make(f, 77, (uint64_t)p, 4);
        double measured = 0, expected = 0;
        for (int y = 0; y < m->height; y++) {
            for (int x = 1; x < m->width; x++) {
                size_t i = (size_t)y * m->width + x;
                if (m->border[i] < 20 || m->border[i - 1] < 20) {
                    continue;
                }
                measured += (m->ridge[i] > 0) != (m->ridge[i - 1] > 0);
                expected += 2 * fabs(sin(m->orient[i])) / m->period[i];
            }
        }
        double ratio = measured / expected;
        print_message("person %d: %.0f transitions, model %.0f (ratio %.3f)\n", p, measured,
                      expected, ratio);
        assert_true(ratio > 0.9 && ratio < 1.1);
        mid_synth_master_free(m);
    }
}

/* Our extractor, run on the master image, finds mostly the ground-truth minutiae. */
static void test_extractor_agrees(void **state) {
    fixture *f = *state;
    mid_extractor *ex = NULL;
    assert_int_equal(mid_extractor_create(f->ctx, &ex), MID_OK);
    for (int p = 0; p < 3; p++) {
        mid_synth_master *m = make(f, 5, (uint64_t)p, 2);
        mid_template *t = NULL;
        assert_int_equal(mid_extract(ex, mid_synth_master_image(m), &t), MID_OK);
        const mid_template *gt = mid_synth_master_minutiae(m);
        const mid_minutia *a = mid_template_minutiae(t), *b = mid_template_minutiae(gt);
        size_t na = mid_template_count(t), nb = mid_template_count(gt), found = 0;
        for (size_t k = 0; k < nb; k++) {
            for (size_t j = 0; j < na; j++) {
                int dx = a[j].x - b[k].x, dy = a[j].y - b[k].y;
                int da = abs((int)a[j].angle - (int)b[k].angle);
                da = da > 128 ? 256 - da : da;
                if (dx * dx + dy * dy <= 64 && da <= 16) { /* 8 px, 22.5 degrees */
                    found++;
                    break;
                }
            }
        }
        print_message("person %d: %zu ground truth, %zu extracted, %zu found\n", p, nb, na, found);
        assert_true(found * 10 >= nb * 6);
        mid_template_free(t);
        mid_synth_master_free(m);
    }
    mid_extractor_free(ex);
}

static void test_errors(void **state) {
    fixture *f = *state;
    mid_synth_master *m = (mid_synth_master *)(uintptr_t)1;
    assert_int_equal(mid_synth_master_create(f->s, 1, 1, 0, &m), MID_ERR_ARG);
    assert_null(m);
    assert_non_null(strstr(mid_ctx_error(f->ctx), "finger"));
    assert_int_equal(mid_synth_master_create(f->s, 1, 1, 11, &m), MID_ERR_ARG);
    assert_int_equal(mid_synth_master_create(f->s, 1, 1, 2, NULL), MID_ERR_ARG);
    assert_int_equal(mid_synth_master_create(NULL, 1, 1, 2, &m), MID_ERR_ARG);
    assert_int_equal(mid_synth_create(f->ctx, NULL), MID_ERR_ARG);
    mid_synth_master_free(NULL);
    mid_synth_free(NULL);
    assert_null(mid_synth_master_image(NULL));
    assert_null(mid_synth_master_minutiae(NULL));
}

static void test_names(void **state) {
    (void)state;
    assert_string_equal(mid_finger_class_name(MID_CLASS_ARCH), "arch");
    assert_string_equal(mid_finger_class_name(MID_CLASS_TENTED_ARCH), "tented-arch");
    assert_string_equal(mid_finger_class_name(MID_CLASS_LEFT_LOOP), "left-loop");
    assert_string_equal(mid_finger_class_name(MID_CLASS_RIGHT_LOOP), "right-loop");
    assert_string_equal(mid_finger_class_name(MID_CLASS_WHORL), "whorl");
    assert_string_equal(mid_finger_class_name((mid_finger_class)5), "?");
    for (int p = 0; p < MID_PROFILE_COUNT; p++) {
        const char *name = mid_synth_profile_name((mid_synth_profile)p);
        assert_string_not_equal(name, "?");
        assert_int_equal(mid_synth_profile_parse(name), p);
    }
    for (int c = 0; c < MID_CONDITION_COUNT; c++) {
        const char *name = mid_synth_condition_name((mid_synth_condition)c);
        assert_string_not_equal(name, "?");
        assert_int_equal(mid_synth_condition_parse(name), c);
    }
    assert_string_equal(mid_synth_profile_name(MID_PROFILE_SMALL_SENSOR), "small-sensor");
    assert_string_equal(mid_synth_condition_name(MID_CONDITION_SMALL_AREA), "small-area");
    assert_string_equal(mid_synth_profile_name(MID_PROFILE_COUNT), "?");
    assert_string_equal(mid_synth_condition_name(MID_CONDITION_COUNT), "?");
    assert_int_equal(mid_synth_profile_parse("Optical"), -1);
    assert_int_equal(mid_synth_profile_parse(""), -1);
    assert_int_equal(mid_synth_profile_parse(NULL), -1);
    assert_int_equal(mid_synth_condition_parse("soaked"), -1);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_people_differ, setup, teardown),
        cmocka_unit_test_setup_teardown(test_image_and_minutiae_plausible, setup, teardown),
        cmocka_unit_test_setup_teardown(test_period_matches_model, setup, teardown),
        cmocka_unit_test_setup_teardown(test_extractor_agrees, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
