/*
 * The back-end boundary (gateway.h): one in-memory search gallery per database,
 * loaded from the store at start, searched within a time budget, with fault
 * injection for tests.
 *
 * Boundary: a search takes prepared probes (finger position + mid_match_template)
 * in and gives ranked candidates (person id, scores, expected false matches) out;
 * nothing else crosses it: no store handle, no request, no officer. So a gallery
 * can later run in another process or machine: prepared probes serialise as
 * templates (the native record), candidates as a few numbers, the budget as a
 * deadline, and "unavailable" / "timed out" are what such a remote call reports
 * too. The store is read once, at creation; a person deleted later stays
 * searchable until the router is rebuilt (the record lookup after a hit then
 * finds nothing, and the handler must treat that as no candidate).
 *
 * Concurrency: galleries are read-only after creation and shared by every
 * request. Matchers hold scratch memory and are not thread-safe, so each search
 * borrows one from a small pool (mutex-protected stack), creating one when the
 * pool is empty; at most ROUTER_POOL_MAX idle matchers are kept.
 */
#include "gateway.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Idle matchers kept for reuse: about the number of concurrent requests served. */
#define ROUTER_POOL_MAX 32u

struct gw_router {
    gw_router_config cfg;
    mid_search_gallery *gallery[MID_DB_COUNT];
    pthread_mutex_t lock; /* guards pool and n_pool */
    mid_matcher *pool[ROUTER_POOL_MAX];
    size_t n_pool;
};

typedef struct load_state {
    mid_search_gallery *g;
    mid_ctx *ctx;
} load_state;

static mid_status load_print(void *user, uint64_t person, unsigned finger, const mid_template *t) {
    load_state *ls = user;
    return mid_search_gallery_add(ls->g, ls->ctx, person, finger, t);
}

void gw_router_free(gw_router *r) {
    if (r == NULL) {
        return;
    }
    for (unsigned d = 0; d < MID_DB_COUNT; d++) {
        mid_search_gallery_free(r->gallery[d]);
    }
    for (size_t k = 0; k < r->n_pool; k++) {
        mid_matcher_free(r->pool[k]);
    }
    pthread_mutex_destroy(&r->lock);
    free(r);
}

mid_status gw_router_create(mid_ctx *ctx, mid_store *store, const gw_router_config *cfg,
                            gw_router **out) {
    if (out == NULL) {
        return MID_ERR_ARG;
    }
    *out = NULL;
    if (store == NULL || cfg == NULL) {
        return MID_ERR_ARG;
    }
    gw_router *r = calloc(1, sizeof *r);
    if (r == NULL) {
        return MID_ERR_NOMEM;
    }
    r->cfg = *cfg;
    if (pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return MID_ERR_NOMEM;
    }
    mid_status st = MID_OK;
    for (unsigned d = 0; d < MID_DB_COUNT && st == MID_OK; d++) {
        st = mid_search_gallery_create(ctx, &r->gallery[d]);
        if (st == MID_OK) {
            load_state ls = {r->gallery[d], ctx};
            st = mid_store_print_each(store, ctx, (mid_db)d, load_print, &ls);
        }
    }
    if (st != MID_OK) {
        gw_router_free(r);
        return st;
    }
    *out = r;
    return MID_OK;
}

size_t gw_router_persons(gw_router *r, mid_db db) {
    if (r == NULL || (unsigned)db >= MID_DB_COUNT) {
        return 0;
    }
    return mid_search_gallery_persons(r->gallery[db]);
}

const gw_router_config *gw_router_config_of(const gw_router *r) {
    return r == NULL ? NULL : &r->cfg;
}

bool gw_router_permits(const gw_router *r, mid_db db, unsigned basis) {
    if (r == NULL || (unsigned)db >= MID_DB_COUNT) {
        return false;
    }
    if (db == MID_DB_IABS) {
        return basis < 32u && (r->cfg.iabs_bases & (1u << basis)) != 0;
    }
    return true;
}

/* ---- matcher pool ----------------------------------------------------------- */

static mid_status borrow_matcher(gw_router *r, mid_ctx *ctx, mid_matcher **out) {
    *out = NULL;
    pthread_mutex_lock(&r->lock);
    if (r->n_pool > 0) {
        *out = r->pool[--r->n_pool];
    }
    pthread_mutex_unlock(&r->lock);
    return *out != NULL ? MID_OK : mid_matcher_create(ctx, out);
}

static void return_matcher(gw_router *r, mid_matcher *m) {
    pthread_mutex_lock(&r->lock);
    if (r->n_pool < ROUTER_POOL_MAX) {
        r->pool[r->n_pool++] = m;
        m = NULL;
    }
    pthread_mutex_unlock(&r->lock);
    mid_matcher_free(m);
}

/* ---- deadline ----------------------------------------------------------------- */

typedef struct deadline {
    bool limited;
    struct timespec end; /* CLOCK_MONOTONIC */
} deadline;

static int64_t ns_of(const struct timespec *t) {
    return (int64_t)t->tv_sec * 1000000000 + t->tv_nsec;
}

/* Nanoseconds left before the deadline (<= 0 when past; INT64_MAX when unlimited). */
static int64_t ns_left(const deadline *d) {
    if (!d->limited) {
        return INT64_MAX;
    }
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return ns_of(&d->end) - ns_of(&now);
}

static bool before_deadline(void *user) {
    return ns_left(user) > 0;
}

static void sleep_ns(int64_t ns) {
    struct timespec t = {.tv_sec = (time_t)(ns / 1000000000), .tv_nsec = (long)(ns % 1000000000)};
    while (nanosleep(&t, &t) != 0 && errno == EINTR) {
    }
}

mid_status gw_router_search(gw_router *r, mid_ctx *ctx, mid_db db, const mid_search_probe *p,
                            size_t n, mid_search_candidate *out, size_t cap, size_t *n_out,
                            const char **why_not) {
    const char *why = "failed";
    if (n_out != NULL) {
        *n_out = 0;
    }
    if (why_not != NULL) {
        *why_not = NULL;
    }
    if (r == NULL || (unsigned)db >= MID_DB_COUNT || n_out == NULL || why_not == NULL) {
        if (why_not != NULL) {
            *why_not = why;
        }
        return MID_ERR_ARG;
    }
    deadline dl = {.limited = r->cfg.budget_ms > 0};
    if (dl.limited) {
        clock_gettime(CLOCK_MONOTONIC, &dl.end);
        int64_t end = ns_of(&dl.end) + (int64_t)r->cfg.budget_ms * 1000000;
        dl.end.tv_sec = (time_t)(end / 1000000000);
        dl.end.tv_nsec = (long)(end % 1000000000);
    }
    if (r->cfg.fault[db] == GW_FAULT_DOWN || r->gallery[db] == NULL) {
        *why_not = "unavailable";
        return MID_ERR_IO;
    }
    if (r->cfg.fault[db] == GW_FAULT_SLOW) {
        int64_t want = (int64_t)r->cfg.slow_ms[db] * 1000000, left = ns_left(&dl);
        if (want >= left) {
            sleep_ns(left); /* a late back end is given up on at the deadline */
            *why_not = "timed out";
            return MID_ERR_CANCELLED;
        }
        sleep_ns(want);
    }
    mid_matcher *m = NULL;
    mid_status st = borrow_matcher(r, ctx, &m);
    if (st != MID_OK) {
        *why_not = "unavailable";
        return st;
    }
    st = mid_search_run(r->gallery[db], ctx, m, p, n, dl.limited ? before_deadline : NULL, &dl, out,
                        cap, n_out);
    return_matcher(r, m);
    if (st == MID_ERR_CANCELLED) {
        *why_not = "timed out";
    } else if (st != MID_OK) {
        *why_not = st == MID_ERR_ARG ? "failed" : "unavailable";
    }
    return st;
}
