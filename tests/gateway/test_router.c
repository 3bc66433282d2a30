/* Tests for gateway/router.c: galleries loaded from a SQLite store, searches
 * per database, the time budget, fault injection (down, slow), the IABS policy
 * bits and concurrent searches sharing the matcher pool. */
#include "support/testutil.h"

#include "gateway.h"
#include "mid/synth.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define SEED 3u

static mid_store *store;
static mid_synth *synth;

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return 1e3 * (double)t.tv_sec + 1e-6 * (double)t.tv_nsec;
}

static int setup(void **state) {
    if (tu_ctx_setup(state) != 0 || mid_synth_create(tu_ctx, &synth) != MID_OK ||
        mid_store_open(tu_ctx, tu_temp_path("data"), &store) != MID_OK) {
        return -1;
    }
    /* IDENT1: persons 0..49; IABS: persons 40..59; fingers 2 and 7. */
    if (mid_store_begin(store, tu_ctx) != MID_OK) {
        return -1;
    }
    for (uint64_t p = 0; p < 60; p++) {
        for (unsigned f = 2; f <= 7; f += 5) {
            mid_template *t = NULL;
            if (mid_synth_template(synth, SEED, p, f, 1, &t) != MID_OK) {
                return -1;
            }
            mid_status st = MID_OK;
            if (p < 50) {
                st = mid_store_print_put(store, tu_ctx, MID_DB_IDENT1, p, f, t);
            }
            if (st == MID_OK && p >= 40) {
                st = mid_store_print_put(store, tu_ctx, MID_DB_IABS, p, f, t);
            }
            mid_template_free(t);
            if (st != MID_OK) {
                return -1;
            }
        }
    }
    return mid_store_commit(store, tu_ctx) == MID_OK ? 0 : -1;
}

static int teardown(void **state) {
    mid_store_close(store);
    mid_synth_free(synth);
    return tu_ctx_teardown(state);
}

static gw_router_config config(void) {
    gw_router_config c;
    memset(&c, 0, sizeof c);
    c.budget_ms = 5000;
    c.grading = mid_grade_policy_default();
    c.iabs_bases = 1u << 0;
    return c;
}

/* Probes of person p's fingers 2 and 7, impression 2, at positions f2, f7. */
typedef struct probes {
    mid_match_template *t[2];
    mid_search_probe p[2];
} probes;

static void probes_make(probes *pr, uint64_t person, unsigned f2, unsigned f7) {
    for (unsigned k = 0; k < 2; k++) {
        mid_template *t = NULL;
        assert_int_equal(mid_synth_template(synth, SEED, person, k == 0 ? 2 : 7, 2, &t), MID_OK);
        assert_int_equal(mid_match_prepare(tu_ctx, t, &pr->t[k]), MID_OK);
        mid_template_free(t);
        pr->p[k].finger = k == 0 ? f2 : f7;
        pr->p[k].tmpl = pr->t[k];
    }
}

static void probes_free(probes *pr) {
    mid_match_template_free(pr->t[0]);
    mid_match_template_free(pr->t[1]);
}

static void test_load_and_search(void **state) {
    (void)state;
    gw_router_config c = config();
    gw_router *r = NULL;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    assert_int_equal(gw_router_persons(r, MID_DB_IDENT1), 50);
    assert_int_equal(gw_router_persons(r, MID_DB_IABS), 20);
    assert_int_equal(gw_router_persons(r, (mid_db)7), 0);
    assert_int_equal(gw_router_config_of(r)->budget_ms, 5000);

    probes pr;
    probes_make(&pr, 45, 2, 7);
    mid_search_candidate out[3];
    size_t n = 0;
    const char *why = "x";
    for (unsigned d = 0; d < MID_DB_COUNT; d++) {
        assert_int_equal(gw_router_search(r, tu_ctx, (mid_db)d, pr.p, 2, out, 3, &n, &why), MID_OK);
        assert_null(why);
        assert_int_equal(n, 3);
        assert_int_equal(out[0].person, 45);
        assert_int_equal(mid_search_grade(&out[0], &c.grading), MID_GRADE_RED);
    }
    probes_free(&pr);

    /* a person only in IDENT1 is not red in IABS */
    probes_make(&pr, 10, 2, 7);
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IABS, pr.p, 2, out, 3, &n, &why), MID_OK);
    assert_int_not_equal(out[0].person, 10);
    assert_int_not_equal(mid_search_grade(&out[0], &c.grading), MID_GRADE_RED);
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IDENT1, pr.p, 2, out, 3, &n, &why), MID_OK);
    assert_int_equal(out[0].person, 10);

    /* bad arguments */
    assert_int_equal(gw_router_search(r, tu_ctx, (mid_db)5, pr.p, 2, out, 3, &n, &why),
                     MID_ERR_ARG);
    assert_string_equal(why, "failed");
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IDENT1, pr.p, 0, out, 3, &n, &why),
                     MID_ERR_ARG);
    assert_string_equal(why, "failed");
    probes_free(&pr);
    gw_router_free(r);
    gw_router_free(NULL);
}

static void test_policy_bits(void **state) {
    (void)state;
    gw_router_config c = config();
    gw_router *r = NULL;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    assert_true(gw_router_permits(r, MID_DB_IDENT1, 0));
    assert_true(gw_router_permits(r, MID_DB_IDENT1, 1));
    assert_true(gw_router_permits(r, MID_DB_IABS, 0));
    assert_false(gw_router_permits(r, MID_DB_IABS, 1));
    assert_false(gw_router_permits(r, MID_DB_IABS, 40));
    assert_false(gw_router_permits(NULL, MID_DB_IDENT1, 0));
    gw_router_free(r);
}

static void test_faults(void **state) {
    (void)state;
    gw_router_config c = config();
    c.fault[MID_DB_IABS] = GW_FAULT_DOWN;
    c.fault[MID_DB_IDENT1] = GW_FAULT_SLOW;
    c.slow_ms[MID_DB_IDENT1] = 60;
    c.budget_ms = 2000;
    gw_router *r = NULL;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    probes pr;
    probes_make(&pr, 42, 2, 7);
    mid_search_candidate out[2];
    size_t n = 9;
    const char *why = NULL;

    double t0 = now_ms();
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IABS, pr.p, 2, out, 2, &n, &why),
                     MID_ERR_IO);
    assert_string_equal(why, "unavailable");
    assert_int_equal(n, 0);
    assert_true(now_ms() - t0 < 50.0); /* at once */

    /* slow but within budget: answered after the delay */
    t0 = now_ms();
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IDENT1, pr.p, 2, out, 2, &n, &why), MID_OK);
    assert_true(now_ms() - t0 >= 60.0);
    assert_null(why);
    assert_int_equal(out[0].person, 42);
    gw_router_free(r);

    /* slower than the budget: given up at the deadline */
    c.slow_ms[MID_DB_IDENT1] = 3000;
    c.budget_ms = 100;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    t0 = now_ms();
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IDENT1, pr.p, 2, out, 2, &n, &why),
                     MID_ERR_CANCELLED);
    double took = now_ms() - t0;
    assert_string_equal(why, "timed out");
    assert_true(took >= 99.0 && took < 1000.0);
    gw_router_free(r);

    /* no fault, a budget too small for the search itself (200 comparisons with
     * unknown positions, several microseconds each) */
    memset(c.fault, 0, sizeof c.fault);
    c.budget_ms = 1;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    probes_free(&pr);
    probes_make(&pr, 42, 0, 0);
    assert_int_equal(gw_router_search(r, tu_ctx, MID_DB_IDENT1, pr.p, 2, out, 2, &n, &why),
                     MID_ERR_CANCELLED);
    assert_string_equal(why, "timed out");
    probes_free(&pr);
    gw_router_free(r);
}

typedef struct worker {
    gw_router *r;
    probes *pr;
    uint64_t top[20];
    int fails;
} worker;

static void *work(void *arg) {
    worker *w = arg;
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        w->fails++;
        return NULL;
    }
    for (unsigned i = 0; i < 20; i++) {
        mid_search_candidate out[1];
        size_t n = 0;
        const char *why = NULL;
        if (gw_router_search(w->r, ctx, MID_DB_IDENT1, w->pr[i % 4].p, 2, out, 1, &n, &why) !=
                MID_OK ||
            n != 1) {
            w->fails++;
        } else {
            w->top[i] = out[0].person;
        }
    }
    mid_ctx_free(ctx);
    return NULL;
}

static void test_concurrent(void **state) {
    (void)state;
    gw_router_config c = config();
    gw_router *r = NULL;
    assert_int_equal(gw_router_create(tu_ctx, store, &c, &r), MID_OK);
    probes pr[4];
    static const uint64_t who[4] = {1, 17, 33, 49};
    for (unsigned k = 0; k < 4; k++) {
        probes_make(&pr[k], who[k], 2, 7);
    }
    worker w[4];
    pthread_t th[4];
    for (unsigned k = 0; k < 4; k++) {
        memset(&w[k], 0, sizeof w[k]);
        w[k].r = r;
        w[k].pr = pr;
        assert_int_equal(pthread_create(&th[k], NULL, work, &w[k]), 0);
    }
    for (unsigned k = 0; k < 4; k++) {
        assert_int_equal(pthread_join(th[k], NULL), 0);
        assert_int_equal(w[k].fails, 0);
        for (unsigned i = 0; i < 20; i++) {
            assert_int_equal(w[k].top[i], who[i % 4]);
        }
    }
    for (unsigned k = 0; k < 4; k++) {
        probes_free(&pr[k]);
    }
    gw_router_free(r);
}

/* One search split over threads answers what one thread answers. */
static void test_threads(void **state) {
    (void)state;
    mid_store *big = NULL;
    assert_int_equal(mid_store_open(tu_ctx, tu_temp_path("data-big"), &big), MID_OK);
    assert_int_equal(mid_store_begin(big, tu_ctx), MID_OK);
    for (uint64_t p = 0; p < 700; p++) {
        for (unsigned f = 2; f <= 7; f += 5) {
            mid_template *t = NULL;
            assert_int_equal(mid_synth_template(synth, SEED, p, f, 1, &t), MID_OK);
            assert_int_equal(mid_store_print_put(big, tu_ctx, MID_DB_IDENT1, p, f, t), MID_OK);
            mid_template_free(t);
        }
    }
    assert_int_equal(mid_store_commit(big, tu_ctx), MID_OK);
    gw_router_config c = config();
    gw_router *one = NULL, *three = NULL;
    assert_int_equal(gw_router_create(tu_ctx, big, &c, &one), MID_OK);
    c.threads = 3;
    assert_int_equal(gw_router_create(tu_ctx, big, &c, &three), MID_OK);
    assert_int_equal(gw_router_persons(three, MID_DB_IDENT1), 700);
    static const uint64_t who[3] = {5, 350, 699};
    for (unsigned k = 0; k < 3; k++) {
        probes pr;
        probes_make(&pr, who[k], 2, 7);
        mid_search_candidate a[5], b[5];
        size_t na = 0, nb = 0;
        const char *why = NULL;
        assert_int_equal(gw_router_search(one, tu_ctx, MID_DB_IDENT1, pr.p, 2, a, 5, &na, &why),
                         MID_OK);
        assert_int_equal(gw_router_search(three, tu_ctx, MID_DB_IDENT1, pr.p, 2, b, 5, &nb, &why),
                         MID_OK);
        assert_int_equal(na, 5);
        assert_int_equal(nb, 5);
        assert_int_equal(a[0].person, who[k]);
        for (size_t i = 0; i < 5; i++) {
            assert_int_equal(a[i].person, b[i].person);
            assert_true(a[i].fused == b[i].fused && a[i].expected_false == b[i].expected_false);
        }
        probes_free(&pr);
    }
    gw_router_free(three);
    /* every slice polls the same deadline */
    c.budget_ms = 1;
    assert_int_equal(gw_router_create(tu_ctx, big, &c, &three), MID_OK);
    probes pr;
    probes_make(&pr, 9, 0, 0);
    mid_search_candidate out[2];
    size_t n = 0;
    const char *why = NULL;
    assert_int_equal(gw_router_search(three, tu_ctx, MID_DB_IDENT1, pr.p, 2, out, 2, &n, &why),
                     MID_ERR_CANCELLED);
    assert_string_equal(why, "timed out");
    probes_free(&pr);
    gw_router_free(three);
    gw_router_free(one);
    mid_store_close(big);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_and_search), cmocka_unit_test(test_policy_bits),
        cmocka_unit_test(test_faults),          cmocka_unit_test(test_concurrent),
        cmocka_unit_test(test_threads),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
