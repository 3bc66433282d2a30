/*
 * 1:N search (contract in mid/search.h).
 *
 * Layout: one record per person, holding a prepared print per finger position
 * (index position - 1, NULL when not enrolled), so a probe of a known position
 * costs exactly one comparison per person and an unknown one (position 0) one
 * per enrolled print. Records live in one growing array in insertion order; an
 * open-addressing table maps person ids to record indices while building.
 *
 * Search: one pass over the records. For each person and probe the best score
 * over the prints tried is kept; the fused score is their sum; the top `cap`
 * persons are kept in a min-heap (root = the worst kept candidate) built in the
 * caller's output array, so a search allocates nothing besides the matcher's
 * scratch.
 */
#include "mid/search.h"

#include "core/core.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_FINGERS 10u
/* Comparisons between two calls of the caller's keep_going callback. */
#define SEARCH_POLL_EVERY 1024u

typedef struct search_person {
    uint64_t id;
    mid_match_template *print[SEARCH_FINGERS];
} search_person;

struct mid_search_gallery {
    search_person *persons;
    size_t n, cap;
    size_t prints;
    /* id -> index + 1 (0: empty slot); size a power of two, load <= 1/2 */
    size_t *slots;
    size_t n_slots;
};

static size_t hash_id(uint64_t id) {
    id ^= id >> 33;
    id *= UINT64_C(0xff51afd7ed558ccd);
    id ^= id >> 33;
    id *= UINT64_C(0xc4ceb9fe1a85ec53);
    id ^= id >> 33;
    return (size_t)id;
}

/* Slot holding id, or the empty slot where it would go. */
static size_t find_slot(const mid_search_gallery *g, uint64_t id) {
    size_t mask = g->n_slots - 1, i = hash_id(id) & mask;
    while (g->slots[i] != 0 && g->persons[g->slots[i] - 1].id != id) {
        i = (i + 1) & mask;
    }
    return i;
}

static mid_status grow_slots(mid_search_gallery *g, mid_ctx *ctx) {
    size_t want;
    if (!core_mul_size(g->n_slots, 2, &want)) {
        return core_fail(ctx, MID_ERR_LIMIT, "search gallery: too many persons");
    }
    size_t *slots = core_calloc(want, sizeof *slots);
    if (slots == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "search gallery: out of memory (%zu slots)", want);
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = want;
    for (size_t k = 0; k < g->n; k++) {
        g->slots[find_slot(g, g->persons[k].id)] = k + 1;
    }
    return MID_OK;
}

mid_status mid_search_gallery_create(mid_ctx *ctx, mid_search_gallery **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "search gallery: NULL output");
    }
    *out = NULL;
    mid_search_gallery *g = calloc(1, sizeof *g);
    if (g == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "search gallery: out of memory");
    }
    g->n_slots = 64;
    g->slots = core_calloc(g->n_slots, sizeof *g->slots);
    if (g->slots == NULL) {
        free(g);
        return core_fail(ctx, MID_ERR_NOMEM, "search gallery: out of memory");
    }
    *out = g;
    return MID_OK;
}

void mid_search_gallery_free(mid_search_gallery *g) {
    if (g == NULL) {
        return;
    }
    for (size_t k = 0; k < g->n; k++) {
        for (unsigned f = 0; f < SEARCH_FINGERS; f++) {
            mid_match_template_free(g->persons[k].print[f]);
        }
    }
    free(g->persons);
    free(g->slots);
    free(g);
}

/* The record of person, created when absent. */
static mid_status person_record(mid_search_gallery *g, mid_ctx *ctx, uint64_t person,
                                search_person **out) {
    size_t s = find_slot(g, person);
    if (g->slots[s] != 0) {
        *out = &g->persons[g->slots[s] - 1];
        return MID_OK;
    }
    if ((uint64_t)g->n >= MID_MAX_GALLERY_RECORDS) {
        return core_fail(ctx, MID_ERR_LIMIT, "search gallery: more than %llu persons",
                         (unsigned long long)MID_MAX_GALLERY_RECORDS);
    }
    if (g->n == g->cap) {
        size_t want = g->cap == 0 ? 256 : g->cap, bytes;
        if (!core_mul_size(want, 2, &want) || !core_mul_size(want, sizeof *g->persons, &bytes)) {
            return core_fail(ctx, MID_ERR_LIMIT, "search gallery: too many persons");
        }
        search_person *p = realloc(g->persons, bytes);
        if (p == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "search gallery: out of memory (%zu persons)",
                             want);
        }
        g->persons = p;
        g->cap = want;
    }
    if ((g->n + 1) * 2 > g->n_slots) {
        mid_status st = grow_slots(g, ctx);
        if (st != MID_OK) {
            return st;
        }
        s = find_slot(g, person);
    }
    search_person *p = &g->persons[g->n];
    memset(p, 0, sizeof *p);
    p->id = person;
    g->n++;
    g->slots[s] = g->n;
    *out = p;
    return MID_OK;
}

mid_status mid_search_gallery_add(mid_search_gallery *g, mid_ctx *ctx, uint64_t person,
                                  unsigned finger, const mid_template *t) {
    if (g == NULL || t == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "search gallery add: NULL argument");
    }
    if (finger < 1 || finger > SEARCH_FINGERS) {
        return core_fail(ctx, MID_ERR_ARG, "search gallery add: finger position %u not in 1..10",
                         finger);
    }
    /* Prepare first: a failure then leaves the gallery unchanged. */
    mid_match_template *mt = NULL;
    mid_status st = mid_match_prepare(ctx, t, &mt);
    if (st != MID_OK) {
        return st;
    }
    search_person *p = NULL;
    st = person_record(g, ctx, person, &p);
    if (st != MID_OK || p == NULL) {
        mid_match_template_free(mt);
        return st != MID_OK ? st : core_fail(ctx, MID_ERR_ARG, "search gallery add: no record");
    }
    if (p->print[finger - 1] != NULL) {
        mid_match_template_free(p->print[finger - 1]); /* a new print replaces the old */
    } else {
        g->prints++;
    }
    p->print[finger - 1] = mt;
    return MID_OK;
}

size_t mid_search_gallery_persons(const mid_search_gallery *g) {
    return g == NULL ? 0 : g->n;
}

size_t mid_search_gallery_prints(const mid_search_gallery *g) {
    return g == NULL ? 0 : g->prints;
}

/* ---- search ---------------------------------------------------------------- */

/* Probability that the sum of k independent calibrated impostor scores reaches
 * t. A calibrated score s has P(s >= x) = 10^(-x/10) = exp(-lambda x) with
 * lambda = ln(10) / 10, an exponential law; the sum of k of them is Erlang(k,
 * lambda): P(S >= t) = exp(-lambda t) * sum_{i<k} (lambda t)^i / i!. For two
 * fingers at t = 60 that is 14.8 times 10^(-t/10): reading the fused score as
 * if it were itself calibrated would understate false matches that much. */
static double fused_tail(double t, unsigned k) {
    const double lambda = 2.302585092994046 / 10.0;
    if (!(t > 0.0) || k == 0) {
        return 1.0;
    }
    double x = lambda * t, term = 1.0, sum = 1.0;
    for (unsigned i = 1; i < k; i++) {
        term *= x / (double)i;
        sum += term;
    }
    double p = exp(-x) * sum;
    return p < 1.0 ? p : 1.0;
}

/* True when a ranks below b: lower fused score, or equal and higher person id. */
static bool worse(const mid_search_candidate *a, const mid_search_candidate *b) {
    return a->fused < b->fused || (a->fused == b->fused && a->person > b->person);
}

static void swap_cand(mid_search_candidate *a, mid_search_candidate *b) {
    mid_search_candidate t = *a;
    *a = *b;
    *b = t;
}

/* Min-heap on `worse`: h[0] is the worst kept candidate. */
static void heap_down(mid_search_candidate *h, size_t n, size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < n && worse(&h[l], &h[m])) {
            m = l;
        }
        if (r < n && worse(&h[r], &h[m])) {
            m = r;
        }
        if (m == i) {
            return;
        }
        swap_cand(&h[i], &h[m]);
        i = m;
    }
}

static void heap_up(mid_search_candidate *h, size_t i) {
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (!worse(&h[i], &h[parent])) {
            return;
        }
        swap_cand(&h[i], &h[parent]);
        i = parent;
    }
}

static int cmp_rank(const void *pa, const void *pb) {
    const mid_search_candidate *a = pa, *b = pb;
    if (worse(b, a)) {
        return -1;
    }
    return worse(a, b) ? 1 : 0;
}

void mid_search_sort(mid_search_candidate *c, size_t n) {
    if (c != NULL && n > 1) {
        qsort(c, n, sizeof *c, cmp_rank);
    }
}

mid_status mid_search_run(const mid_search_gallery *g, mid_ctx *ctx, mid_matcher *m,
                          const mid_search_probe *probes, size_t n_probes,
                          mid_search_continue_fn keep_going, void *user, mid_search_candidate *out,
                          size_t cap, size_t *n_out) {
    return mid_search_run_part(g, ctx, m, probes, n_probes, 0, SIZE_MAX, keep_going, user, out, cap,
                               n_out);
}

mid_status mid_search_run_part(const mid_search_gallery *g, mid_ctx *ctx, mid_matcher *m,
                               const mid_search_probe *probes, size_t n_probes, size_t first,
                               size_t count, mid_search_continue_fn keep_going, void *user,
                               mid_search_candidate *out, size_t cap, size_t *n_out) {
    if (n_out != NULL) {
        *n_out = 0;
    }
    if (g == NULL || m == NULL || probes == NULL || out == NULL || n_out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "search: NULL argument");
    }
    if (n_probes < 1 || n_probes > MID_SEARCH_MAX_PROBES) {
        return core_fail(ctx, MID_ERR_ARG, "search: %zu probes (1..%u allowed)", n_probes,
                         MID_SEARCH_MAX_PROBES);
    }
    if (cap < 1) {
        return core_fail(ctx, MID_ERR_ARG, "search: no room for candidates (cap 0)");
    }
    for (size_t p = 0; p < n_probes; p++) {
        if (probes[p].tmpl == NULL) {
            return core_fail(ctx, MID_ERR_ARG, "search: probe %zu has no template", p + 1);
        }
        if (probes[p].finger > SEARCH_FINGERS) {
            return core_fail(ctx, MID_ERR_ARG, "search: probe %zu finger position %u not in 0..10",
                             p + 1, probes[p].finger);
        }
    }

    size_t kept = 0;
    unsigned since_poll = 0;
    size_t end = first < g->n ? first + (count < g->n - first ? count : g->n - first) : first;
    for (size_t k = first; k < end; k++) {
        const search_person *person = &g->persons[k];
        mid_search_candidate c;
        memset(&c, 0, sizeof c);
        c.person = person->id;
        /* Multiplicity of the search for this person: the product over probes of
         * the prints compared (each comparison is one chance of a false match). */
        double tries = 1.0;
        unsigned compared = 0; /* probes with at least one print of this person */
        for (size_t p = 0; p < n_probes; p++) {
            unsigned lo = 1, hi = SEARCH_FINGERS, tried = 0;
            if (probes[p].finger != 0) {
                lo = hi = probes[p].finger;
            }
            double best = 0.0;
            for (unsigned f = lo; f <= hi; f++) {
                const mid_match_template *gt = person->print[f - 1];
                if (gt == NULL) {
                    continue;
                }
                double s = mid_matcher_compare(m, probes[p].tmpl, gt);
                if (s > best) {
                    best = s;
                }
                tried++;
                if (++since_poll >= SEARCH_POLL_EVERY) {
                    since_poll = 0;
                    if (keep_going != NULL && !keep_going(user)) {
                        return core_fail(ctx, MID_ERR_CANCELLED, "search: stopped by the caller");
                    }
                }
            }
            c.finger_score[p] = best;
            c.fused += best;
            if (tried > 1) {
                tries *= (double)tried;
            }
            compared += tried > 0;
        }
        c.expected_false = (double)g->n * tries * fused_tail(c.fused, compared);
        if (kept < cap) {
            out[kept] = c;
            heap_up(out, kept);
            kept++;
        } else if (worse(&out[0], &c)) {
            out[0] = c;
            heap_down(out, kept, 0);
        }
    }
    if (keep_going != NULL && !keep_going(user)) {
        return core_fail(ctx, MID_ERR_CANCELLED, "search: stopped by the caller");
    }
    qsort(out, kept, sizeof *out, cmp_rank);
    *n_out = kept;
    return MID_OK;
}

/* ---- grading --------------------------------------------------------------- */

const char *mid_grade_name(mid_grade g) {
    switch (g) {
    case MID_GRADE_GREEN:
        return "green";
    case MID_GRADE_AMBER:
        return "amber";
    case MID_GRADE_RED:
        return "red";
    }
    return "?";
}

mid_grade_policy mid_grade_policy_default(void) {
    /* Chosen from bench_search sweeps (fingers 2 and 7, known positions):
     *   direct probes, 2,000 persons, seed 2, 1000 mated + 1000 non-mated:
     *     FPIR at expected_false <= 1e-5: 0/1000, 1e-4: 0.1 %, 1e-3: 0.5 %;
     *     FNIR 2.3 % at 1e-5, 1.4 % at 1e-4; at 1e-2: FPIR 1.6 %, FNIR 0.6 %;
     *   direct probes, 10,000 persons, seed 1, 200 + 200: FPIR 0 at 1e-5 (0.5 %
     *     at 1e-4), FNIR 2.0 %; at 1e-2 FPIR 2.0 %, FNIR 1.0 %;
     *   rendered mobile probes, 10,000 persons, 100 + 100: FPIR 0 up to 1e-2,
     *     FNIR 1.0 % from 1e-7 to 1e-1.
     * The measured false-positive tail is about 5 times what the independence
     * model predicts (mid/search.h), so Red at 1e-5 is the strictest setting
     * with no false Red measured that still keeps FNIR near 2 %; Amber at 1e-2
     * asks for confirmation in about 2 % of no-hit searches. */
    mid_grade_policy p = {.red_fpir = 1e-5, .amber_fpir = 1e-2};
    return p;
}

mid_grade mid_search_grade(const mid_search_candidate *c, const mid_grade_policy *p) {
    if (c == NULL || p == NULL || !(c->expected_false >= 0.0)) {
        return MID_GRADE_GREEN;
    }
    if (c->expected_false <= p->red_fpir) {
        return MID_GRADE_RED;
    }
    if (c->expected_false <= p->amber_fpir) {
        return MID_GRADE_AMBER;
    }
    return MID_GRADE_GREEN;
}
