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
 * pool is empty; at most ROUTER_POOL_MAX idle matchers are kept. (Creating one
 * costs about 17 us against about 0.5 s for a search of 10,000 persons, so the
 * pool only saves allocator churn.) With cfg.threads > 1 one search is split
 * into that many slices of the gallery (mid_search_run_part), each on its own
 * thread with its own matcher and ctx, merged by rank; a slice that times out
 * makes the whole search time out.
 */
#include "gateway.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Idle matchers kept for reuse: about the number of concurrent requests served. */
#define ROUTER_POOL_MAX 32u
/* Search threads per request at most (cfg.threads), and the fewest persons a
 * thread is given (below that a thread costs more than it saves). */
#define ROUTER_MAX_THREADS 64u
#define ROUTER_MIN_SLICE 256u

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

/* One slice of a search split over cfg.threads threads. */
typedef struct part {
    const mid_search_gallery *g;
    const mid_search_probe *p;
    size_t n, first, count, cap, n_out;
    deadline *dl;
    mid_matcher *m;
    mid_ctx *ctx;
    mid_search_candidate *out;
    mid_status st;
} part;

static void run_part(part *pt) {
    pt->st = mid_search_run_part(pt->g, pt->ctx, pt->m, pt->p, pt->n, pt->first, pt->count,
                                 pt->dl->limited ? before_deadline : NULL, pt->dl, pt->out, pt->cap,
                                 &pt->n_out);
}

static void *part_thread(void *arg) {
    run_part(arg);
    return NULL;
}

/* The search proper: one slice per thread (the caller's thread runs the first),
 * each with its own matcher and ctx, merged by rank. */
static mid_status search_split(gw_router *r, mid_ctx *ctx, const mid_search_gallery *g,
                               const mid_search_probe *p, size_t n, deadline *dl,
                               mid_search_candidate *out, size_t cap, size_t *n_out) {
    size_t persons = mid_search_gallery_persons(g);
    size_t threads = r->cfg.threads == 0 ? 1 : r->cfg.threads;
    if (threads > ROUTER_MAX_THREADS) {
        threads = ROUTER_MAX_THREADS;
    }
    if (threads > persons / ROUTER_MIN_SLICE) {
        threads = persons / ROUTER_MIN_SLICE > 0 ? persons / ROUTER_MIN_SLICE : 1;
    }
    mid_matcher *m = NULL;
    mid_status st = borrow_matcher(r, ctx, &m);
    if (st != MID_OK) {
        return st;
    }
    if (threads == 1) {
        st = mid_search_run(g, ctx, m, p, n, dl->limited ? before_deadline : NULL, dl, out, cap,
                            n_out);
        return_matcher(r, m);
        return st;
    }
    part parts[ROUTER_MAX_THREADS];
    pthread_t tid[ROUTER_MAX_THREADS];
    bool started[ROUTER_MAX_THREADS] = {false};
    mid_search_candidate *buf = NULL;
    size_t cells = 0;
    if (cap > SIZE_MAX / sizeof *buf / threads ||
        (buf = malloc((cells = cap * threads) * sizeof *buf)) == NULL) {
        return_matcher(r, m);
        return MID_ERR_NOMEM;
    }
    size_t slice = (persons + threads - 1) / threads;
    memset(parts, 0, sizeof parts);
    for (size_t t = 0; t < threads; t++) {
        part *pt = &parts[t];
        pt->g = g;
        pt->p = p;
        pt->n = n;
        pt->first = t * slice;
        pt->count = slice;
        pt->cap = cap;
        pt->dl = dl;
        pt->out = buf + t * cap;
        pt->st = MID_ERR_NOMEM;
        if (t == 0) {
            pt->m = m;
            pt->ctx = ctx;
            continue;
        }
        if (mid_ctx_create(&pt->ctx) != MID_OK || borrow_matcher(r, pt->ctx, &pt->m) != MID_OK) {
            continue; /* st stays NOMEM */
        }
        started[t] = pthread_create(&tid[t], NULL, part_thread, pt) == 0;
        if (!started[t]) {
            pt->st = MID_ERR_NOMEM;
        }
    }
    run_part(&parts[0]);
    st = MID_OK;
    size_t got = 0;
    for (size_t t = 0; t < threads; t++) {
        part *pt = &parts[t];
        if (started[t]) {
            pthread_join(tid[t], NULL);
        }
        if (pt->st != MID_OK && (st == MID_OK || pt->st == MID_ERR_CANCELLED)) {
            st = pt->st; /* a timeout wins: it is what the answer reports */
        }
        if (pt->st == MID_OK) {
            memmove(buf + got, pt->out, pt->n_out * sizeof *buf);
            got += pt->n_out;
        }
        if (pt->m != NULL) {
            return_matcher(r, pt->m);
        }
        if (t > 0) {
            mid_ctx_free(pt->ctx);
        }
    }
    if (st == MID_OK) {
        mid_search_sort(buf, got);
        *n_out = got < cap ? got : cap;
        memcpy(out, buf, *n_out * sizeof *out);
    }
    mid_wipe(buf, cells * sizeof *buf);
    free(buf);
    return st;
}

mid_status gw_router_search(gw_router *r, mid_ctx *ctx, mid_db db, const mid_search_probe *p,
                            size_t n, mid_search_candidate *out, size_t cap, size_t *n_out,
                            const char **why_not) {
    if (n_out != NULL) {
        *n_out = 0;
    }
    if (why_not != NULL) {
        *why_not = NULL;
    }
    if (r == NULL || (unsigned)db >= MID_DB_COUNT || n_out == NULL || why_not == NULL ||
        out == NULL || cap == 0) {
        if (why_not != NULL) {
            *why_not = "failed";
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
            sleep_ns(left > 0 ? left : 0); /* a late back end is given up on at the deadline */
            *why_not = "timed out";
            return MID_ERR_CANCELLED;
        }
        sleep_ns(want);
    }
    mid_status st = search_split(r, ctx, r->gallery[db], p, n, &dl, out, cap, n_out);
    if (st == MID_ERR_CANCELLED) {
        *why_not = "timed out";
    } else if (st != MID_OK) {
        *why_not = st == MID_ERR_ARG ? "failed" : "unavailable";
    }
    return st;
}
