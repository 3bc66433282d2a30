/*
 * Tests for impressions (src/synth/impression.c, distort.c, profile.c):
 * determinism, profile sizes, every condition, the inverse of the elastic
 * transform, ground truth against the extractor, argument checks.
 *
 * Most tests use a hand-drawn master: straight-ish ridges of period 9 px with
 * phase dislocations, each of which is one minutia at a known place, inside an
 * elliptic fingertip. Tests of the public API use the real master generator.
 */
#include "support/testutil.h"

#include "mid/extract.h"
#include "mid/limits.h"
#include "mid/synth.h"
#include "synth/impression.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI 3.14159265358979323846
#define MW 400
#define MH 520
#define NDIS 10

typedef struct test_master {
    mid_ctx *ctx;
    mid_image *img;
    mid_template *truth;
    synth_master_view view;
} test_master;

/* Dislocation centres: well inside the fingertip ellipse and apart. */
static const double dis[NDIS][2] = {{140, 150}, {250, 140}, {200, 230}, {120, 290}, {290, 270},
                                    {200, 350}, {130, 410}, {270, 400}, {205, 460}, {320, 200}};

static int setup_master(void **state) {
    test_master *t = calloc(1, sizeof(*t));
    assert_non_null(t);
    assert_int_equal(mid_ctx_create(&t->ctx), MID_OK);
    assert_int_equal(mid_image_create(t->ctx, MW, MH, 500, &t->img), MID_OK);
    assert_int_equal(mid_template_create(t->ctx, MW, MH, 500, &t->truth), MID_OK);
    uint8_t *px = mid_image_pixels(t->img);
    for (int y = 0; y < MH; y++) {
        for (int x = 0; x < MW; x++) {
            double ex = (x - 200.0) / 175.0, ey = (y - 280.0) / 235.0;
            double e = ex * ex + ey * ey;
            if (e >= 1) {
                px[y * MW + x] = 255;
                continue;
            }
            double ph = 2 * PI / 9 * (0.3 * x + 0.954 * y) + 3 * sin(x / 80.0);
            for (int k = 0; k < NDIS; k++) {
                ph += (k % 2 ? 1 : -1) * atan2(y - dis[k][1], x - dis[k][0]);
            }
            double g = 128 + 127 * cos(ph);
            px[y * MW + x] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
        }
    }
    for (int k = 0; k < NDIS; k++) {
        mid_minutia m = {(uint16_t)dis[k][0], (uint16_t)dis[k][1], 0, MID_MINUTIA_ENDING, 60};
        assert_int_equal(mid_template_add(t->ctx, t->truth, &m), MID_OK);
    }
    t->view.image = t->img;
    t->view.truth = t->truth;
    *state = t;
    return 0;
}

static int teardown_master(void **state) {
    test_master *t = *state;
    mid_image_free(t->img);
    mid_template_free(t->truth);
    mid_ctx_free(t->ctx);
    free(t);
    return 0;
}

static void draw(test_master *t, uint32_t k, mid_synth_profile prof, mid_synth_condition cond,
                 synth_imp_params *p) {
    mid_synth_impression_opts o = {prof, cond, 0, 0};
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 7, 3, 2, k, &o, p), MID_OK);
}

static void test_deterministic(void **state) {
    test_master *t = *state;
    mid_image *a = NULL, *b = NULL, *c = NULL;
    mid_template *ta = NULL, *tb = NULL;
    synth_imp_params p;
    draw(t, 1, MID_PROFILE_OPTICAL, MID_CONDITION_RANDOM, &p);
    assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &a, &ta), MID_OK);
    draw(t, 1, MID_PROFILE_OPTICAL, MID_CONDITION_RANDOM, &p);
    assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &b, &tb), MID_OK);
    draw(t, 2, MID_PROFILE_OPTICAL, MID_CONDITION_RANDOM, &p);
    assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &c, NULL), MID_OK);
    size_t n = (size_t)mid_image_width(a) * mid_image_height(a);
    assert_memory_equal(mid_image_cpixels(a), mid_image_cpixels(b), n);
    assert_true(memcmp(mid_image_cpixels(a), mid_image_cpixels(c), n) != 0);
    assert_int_equal(mid_template_count(ta), mid_template_count(tb));
    assert_memory_equal(mid_template_minutiae(ta), mid_template_minutiae(tb),
                        mid_template_count(ta) * sizeof(mid_minutia));
    mid_image_free(a);
    mid_image_free(b);
    mid_image_free(c);
    mid_template_free(ta);
    mid_template_free(tb);
}

static void test_profile_sizes(void **state) {
    test_master *t = *state;
    static const uint32_t size[MID_PROFILE_COUNT][2] = {{388, 374}, {256, 256}, {400, 750}};
    for (int k = 0; k < MID_PROFILE_COUNT; k++) {
        synth_imp_params p;
        draw(t, 1, (mid_synth_profile)k, MID_CONDITION_NORMAL, &p);
        mid_image *img = NULL;
        mid_template *tr = NULL;
        assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &img, &tr), MID_OK);
        assert_int_equal(mid_image_width(img), size[k][0]);
        assert_int_equal(mid_image_height(img), size[k][1]);
        assert_true(mid_image_ppi(img) == 500.0);
        assert_int_equal(mid_template_width(tr), size[k][0]);
        assert_int_equal(mid_template_height(tr), size[k][1]);
        assert_int_equal(mid_template_ppi(tr), 500);
        assert_int_equal(mid_template_finger_position(tr), 2);
        assert_int_equal(mid_synth_profile_parse(mid_synth_profile_name((mid_synth_profile)k)), k);
        mid_image_free(img);
        mid_template_free(tr);
    }
    assert_int_equal(mid_synth_profile_parse("nonsense"), -1);
    assert_string_equal(mid_synth_profile_name(MID_PROFILE_COUNT), "?");
    for (int c = 0; c < MID_CONDITION_COUNT; c++) {
        const char *name = mid_synth_condition_name((mid_synth_condition)c);
        assert_int_equal(mid_synth_condition_parse(name), c);
    }
    assert_int_equal(mid_synth_condition_parse("soggy"), -1);
    /* Window override. */
    synth_imp_params p;
    mid_synth_impression_opts o = {MID_PROFILE_OPTICAL, MID_CONDITION_NORMAL, 400, 500};
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 1, &o, &p), MID_OK);
    assert_int_equal(p.width, 400);
    assert_int_equal(p.height, 500);
}

/* Fraction of dark pixels (< 128) in the image. */
static double dark_fraction(const mid_image *img) {
    size_t n = (size_t)mid_image_width(img) * mid_image_height(img), d = 0;
    const uint8_t *px = mid_image_cpixels(img);
    for (size_t i = 0; i < n; i++) {
        d += px[i] < 128;
    }
    return (double)d / (double)n;
}

static void test_every_condition(void **state) {
    test_master *t = *state;
    mid_extractor *ex = NULL;
    assert_int_equal(mid_extractor_create(t->ctx, &ex), MID_OK);
    double dark[MID_CONDITION_COUNT] = {0};
    for (int c = MID_CONDITION_NORMAL; c < MID_CONDITION_COUNT; c++) {
        for (uint32_t k = 1; k <= 3; k++) {
            synth_imp_params p;
            draw(t, k, MID_PROFILE_OPTICAL, (mid_synth_condition)c, &p);
            assert_int_equal(p.condition, c);
            mid_image *img = NULL;
            mid_template *tr = NULL, *got = NULL;
            assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &img, &tr), MID_OK);
            assert_true(mid_template_count(tr) <= NDIS);
            double d = dark_fraction(img);
            assert_true(d > 0.02 && d < 0.6);
            dark[c] += d / 3;
            /* The extractor finds a print in every condition. */
            assert_int_equal(mid_extract(ex, img, &got), MID_OK);
            assert_true(mid_template_count(got) >= (c == MID_CONDITION_SMALL_AREA ? 1u : 3u));
            mid_template_free(got);
            mid_image_free(img);
            mid_template_free(tr);
        }
    }
    /* Wet skin prints more ink than normal skin, dry skin less. */
    assert_true(dark[MID_CONDITION_WET] > dark[MID_CONDITION_NORMAL]);
    assert_true(dark[MID_CONDITION_DRY] < dark[MID_CONDITION_NORMAL]);
    mid_extractor_free(ex);
}

static void test_inverse(void **state) {
    test_master *t = *state;
    for (uint32_t k = 1; k <= 20; k++) {
        synth_imp_params p;
        draw(t, k, MID_PROFILE_OPTICAL, MID_CONDITION_DISTORTED, &p);
        double moved = 0;
        for (int i = 0; i < 200; i++) {
            double qx = (i * 37) % 388, qy = (i * 53) % 374, mx, my, rx, ry;
            synth_imp_inverse(&p, qx, qy, &mx, &my);
            synth_imp_forward(&p, mx, my, &rx, &ry);
            assert_true(fabs(rx - qx) < 0.05 && fabs(ry - qy) < 0.05);
            /* The distortion is not the identity. */
            double sx, sy;
            synth_imp_params rigid = p;
            rigid.d_tx = rigid.d_ty = rigid.d_theta = 0;
            synth_imp_forward(&rigid, mx, my, &sx, &sy);
            moved = fmax(moved, hypot(sx - qx, sy - qy));
        }
        assert_true(moved > 5.0);
    }
}

/* Fraction of truth minutiae with an extracted minutia within tol px. */
static double found_fraction(const mid_template *truth, const mid_template *got, double tol) {
    size_t n = mid_template_count(truth), m = mid_template_count(got), hit = 0;
    const mid_minutia *a = mid_template_minutiae(truth), *b = mid_template_minutiae(got);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < m; j++) {
            if (hypot((double)a[i].x - b[j].x, (double)a[i].y - b[j].y) <= tol) {
                hit++;
                break;
            }
        }
    }
    return n ? (double)hit / (double)n : 0;
}

static void test_truth_follows_image(void **state) {
    test_master *t = *state;
    mid_extractor *ex = NULL;
    assert_int_equal(mid_extractor_create(t->ctx, &ex), MID_OK);
    double good = 0, bad = 0;
    size_t ntruth = 0;
    for (uint32_t k = 1; k <= 4; k++) {
        synth_imp_params p;
        draw(t, k, MID_PROFILE_MOBILE_FAP45, MID_CONDITION_NORMAL, &p);
        /* Rotation and translation only, clean rendering. */
        p.d_tx = p.d_ty = p.d_theta = 0;
        p.noise = false;
        p.creases = false;
        p.breaks = 0;
        p.theta = (k % 2 ? 1 : -1) * 0.25 * k;
        p.ct = cos(p.theta);
        p.st = sin(p.theta);
        mid_image *img = NULL;
        mid_template *tr = NULL, *got = NULL, *wrong = NULL;
        assert_int_equal(synth_imp_render(t->ctx, &t->view, &p, &img, &tr), MID_OK);
        assert_int_equal(mid_extract(ex, img, &got), MID_OK);
        /* The same truth under a transform rotated by a further 12 degrees. */
        synth_imp_params q = p;
        q.theta += 12 * PI / 180;
        q.ct = cos(q.theta);
        q.st = sin(q.theta);
        assert_int_equal(synth_imp_truth(t->ctx, &q, t->truth, &wrong), MID_OK);
        ntruth += mid_template_count(tr);
        good += found_fraction(tr, got, 6.0) / 4;
        bad += found_fraction(wrong, got, 6.0) / 4;
        mid_image_free(img);
        mid_template_free(tr);
        mid_template_free(got);
        mid_template_free(wrong);
    }
    assert_true(ntruth >= 20);
    assert_true(good >= 0.8);
    assert_true(bad <= 0.4);
    mid_extractor_free(ex);
}

static void test_condition_proportions(void **state) {
    (void)state;
    unsigned count[MID_CONDITION_COUNT] = {0};
    for (uint32_t k = 1; k <= 4000; k++) {
        mid_synth_condition c = synth_imp_condition(9, k / 8, k % 8, k, MID_CONDITION_RANDOM);
        assert_true(c > MID_CONDITION_RANDOM && c < MID_CONDITION_COUNT);
        count[c]++;
    }
    assert_true(count[MID_CONDITION_NORMAL] > 2400 && count[MID_CONDITION_NORMAL] < 2750);
    for (int c = MID_CONDITION_DRY; c < MID_CONDITION_COUNT; c++) {
        assert_true(count[c] > 150 && count[c] < 600);
    }
    assert_int_equal(synth_imp_condition(1, 2, 3, 4, MID_CONDITION_WET), MID_CONDITION_WET);
}

static void test_bad_arguments(void **state) {
    test_master *t = *state;
    synth_imp_params p;
    mid_synth_impression_opts o = {MID_PROFILE_OPTICAL, MID_CONDITION_NORMAL, 0, 0};
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 0, &o, &p), MID_ERR_ARG);
    o.profile = MID_PROFILE_COUNT;
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 1, &o, &p), MID_ERR_ARG);
    o.profile = MID_PROFILE_OPTICAL;
    o.condition = MID_CONDITION_COUNT;
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 1, &o, &p), MID_ERR_ARG);
    o.condition = MID_CONDITION_NORMAL;
    o.width = MID_SYNTH_MAX_WINDOW_SIDE + 1;
    o.height = 100;
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 1, &o, &p), MID_ERR_LIMIT);
    o.width = 63;
    assert_int_equal(synth_imp_draw(t->ctx, &t->view, 1, 1, 1, 1, &o, &p), MID_ERR_LIMIT);
    assert_true(strstr(mid_ctx_error(t->ctx), "window") != NULL);
}

/* ---- public API, real masters ---------------------------------------------- */

typedef struct api_fixture {
    mid_ctx *ctx;
    mid_synth *s;
    mid_synth_master *m;
} api_fixture;

static int setup_api(void **state) {
    api_fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    assert_int_equal(mid_ctx_create(&f->ctx), MID_OK);
    assert_int_equal(mid_synth_create(f->ctx, &f->s), MID_OK);
    assert_int_equal(mid_synth_master_create(f->s, 11, 5, 2, &f->m), MID_OK);
    *state = f;
    return 0;
}

static int teardown_api(void **state) {
    api_fixture *f = *state;
    mid_synth_master_free(f->m);
    mid_synth_free(f->s);
    mid_ctx_free(f->ctx);
    free(f);
    return 0;
}

static void test_api_deterministic(void **state) {
    api_fixture *f = *state;
    /* A second master object of the same identity gives the same impression. */
    mid_synth_master *m2 = NULL;
    assert_int_equal(mid_synth_master_create(f->s, 11, 5, 2, &m2), MID_OK);
    for (uint32_t k = 1; k <= 3; k++) {
        mid_image *a = NULL, *b = NULL;
        mid_template *ta = NULL, *tb = NULL;
        assert_int_equal(mid_synth_impression(f->s, f->m, k, NULL, &a, &ta), MID_OK);
        assert_int_equal(mid_synth_impression(f->s, m2, k, NULL, &b, &tb), MID_OK);
        assert_int_equal(mid_image_width(a), 388);
        assert_int_equal(mid_image_height(a), 374);
        assert_memory_equal(mid_image_cpixels(a), mid_image_cpixels(b), 388 * 374);
        void *ea = NULL, *eb = NULL;
        size_t la = 0, lb = 0;
        assert_int_equal(mid_template_encode(f->ctx, ta, MID_TEMPLATE_NATIVE, &ea, &la), MID_OK);
        assert_int_equal(mid_template_encode(f->ctx, tb, MID_TEMPLATE_NATIVE, &eb, &lb), MID_OK);
        assert_int_equal(la, lb);
        assert_memory_equal(ea, eb, la);
        assert_true(mid_template_count(ta) > 10);
        /* Truth only: the same template as with the image. */
        mid_template *tc = NULL;
        assert_int_equal(mid_synth_impression(f->s, f->m, k, NULL, NULL, &tc), MID_OK);
        assert_int_equal(mid_template_count(tc), mid_template_count(ta));
        mid_free(ea);
        mid_free(eb);
        mid_image_free(a);
        mid_image_free(b);
        mid_template_free(ta);
        mid_template_free(tb);
        mid_template_free(tc);
    }
    mid_synth_master_free(m2);
    mid_image *img = NULL;
    assert_int_equal(mid_synth_impression(f->s, f->m, 0, NULL, &img, NULL), MID_ERR_ARG);
    assert_null(img);
    assert_int_equal(mid_synth_impression(f->s, NULL, 1, NULL, &img, NULL), MID_ERR_ARG);
}

/* Truth minutiae of a real master agree with what the extractor finds in the
 * rendered image, in position and direction; a wrong transform does not. */
static void test_api_truth_matches_extractor(void **state) {
    api_fixture *f = *state;
    mid_extractor *ex = NULL;
    assert_int_equal(mid_extractor_create(f->ctx, &ex), MID_OK);
    size_t truth = 0, found = 0, found_angle = 0;
    for (uint32_t k = 1; k <= 4; k++) {
        mid_synth_impression_opts o = {MID_PROFILE_OPTICAL, MID_CONDITION_NORMAL, 0, 0};
        mid_image *img = NULL;
        mid_template *tr = NULL, *got = NULL;
        assert_int_equal(mid_synth_impression(f->s, f->m, k, &o, &img, &tr), MID_OK);
        assert_int_equal(mid_extract(ex, img, &got), MID_OK);
        const mid_minutia *a = mid_template_minutiae(tr), *b = mid_template_minutiae(got);
        for (size_t i = 0; i < mid_template_count(tr); i++) {
            bool near = false, aligned = false;
            for (size_t j = 0; j < mid_template_count(got); j++) {
                if (hypot((double)a[i].x - b[j].x, (double)a[i].y - b[j].y) > 8) {
                    continue;
                }
                near = true;
                int d = abs((int)a[i].angle - (int)b[j].angle);
                d = d > 128 ? 256 - d : d;
                aligned = aligned || d <= 22; /* 31 degrees */
            }
            truth++;
            found += near;
            found_angle += aligned;
        }
        mid_image_free(img);
        mid_template_free(tr);
        mid_template_free(got);
    }
    assert_true(truth >= 80);
    assert_true(found >= truth * 7 / 10);
    assert_true(found_angle >= truth * 6 / 10);
    mid_extractor_free(ex);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_deterministic, setup_master, teardown_master),
        cmocka_unit_test_setup_teardown(test_profile_sizes, setup_master, teardown_master),
        cmocka_unit_test_setup_teardown(test_every_condition, setup_master, teardown_master),
        cmocka_unit_test_setup_teardown(test_inverse, setup_master, teardown_master),
        cmocka_unit_test_setup_teardown(test_truth_follows_image, setup_master, teardown_master),
        cmocka_unit_test(test_condition_proportions),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup_master, teardown_master),
        cmocka_unit_test_setup_teardown(test_api_deterministic, setup_api, teardown_api),
        cmocka_unit_test_setup_teardown(test_api_truth_matches_extractor, setup_api, teardown_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
