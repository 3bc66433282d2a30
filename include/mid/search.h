/*
 * 1:N identification: search one or more probe fingers against an in-memory
 * gallery, fuse the fingers' scores per person and grade the answer.
 *
 * Scores: mid_matcher_compare() returns a calibrated score s = -10 log10(FMR)
 * (mid/match.h). A person's fused score is the sum over probe fingers of the best
 * score against that person's prints of the same finger position (every position
 * when the probe's is 0, unknown).
 *
 * Expected false candidates: a calibrated impostor score is exponential,
 * P(s >= x) = exp(-lambda x) with lambda = ln(10)/10. Assuming the fingers'
 * impostor scores independent, the sum of k of them is Erlang(k, lambda), so the
 * chance that one impostor person reaches fused score t is
 *     P_k(t) = exp(-lambda t) * sum_{i<k} (lambda t)^i / i!
 * (k = probes compared with that person; for k = 2, 10^(-t/10) * (1 + lambda t):
 * the sum is NOT itself a calibrated score). With N persons in the gallery and
 * m_p prints tried for probe p (1 for a known position, up to 10 when unknown;
 * the max of m draws is about m times as likely to be high), the expected number
 * of false candidates at or above t is
 *     expected_false = N * prod_p m_p * P_k(t).
 * Assumptions: the calibration of src/match/calibrate.c (fitted on real FVC
 * impostors, docs/ARCHITECTURE.md, "Score calibration") holds for the gallery's
 * and probes' capture conditions; fingers of one person are independent (they are
 * not quite: related patterns make the real tail heavier); the tail beyond the
 * fitted range (FMR < 1e-4 per finger) follows the fitted exponential. Grading
 * compares expected_false with false-positive identification rates (FPIR) set by
 * policy; bench/bench_search.c measures how the figures hold.
 *
 * Ownership and threads: a mid_search_gallery belongs to its creator until
 * mid_search_gallery_free(); it copies what it is given. Building (add) is
 * single-threaded; once built it is read-only and may be searched from many
 * threads at once, each with its own mid_matcher and mid_ctx.
 */
#ifndef MID_SEARCH_H
#define MID_SEARCH_H

#include "mid/match.h"
#include "mid/template.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Probe fingers per search (two index fingers in practice). */
#define MID_SEARCH_MAX_PROBES 10u

typedef struct mid_search_gallery mid_search_gallery;

mid_status mid_search_gallery_create(mid_ctx *ctx, mid_search_gallery **out);
void mid_search_gallery_free(mid_search_gallery *g);
/* Adds person's print at finger position 1..10 (prepared for matching once). */
mid_status mid_search_gallery_add(mid_search_gallery *g, mid_ctx *ctx, uint64_t person,
                                  unsigned finger, const mid_template *t);
size_t mid_search_gallery_persons(const mid_search_gallery *g);
size_t mid_search_gallery_prints(const mid_search_gallery *g);

typedef struct mid_search_probe {
    unsigned finger;                /* 1..10, or 0 when unknown */
    const mid_match_template *tmpl; /* the caller's, prepared with mid_match_prepare() */
} mid_search_probe;

typedef struct mid_search_candidate {
    uint64_t person;
    double fused;                               /* sum of the per-finger scores */
    double finger_score[MID_SEARCH_MAX_PROBES]; /* per probe, in probe order */
    double expected_false;                      /* N * prod m_p * P_k(fused) (see above) */
} mid_search_candidate;

/* Polled about every thousand comparisons; return false to stop the search
 * (time budget spent, client gone): the call then fails with MID_ERR_CANCELLED. */
typedef bool (*mid_search_continue_fn)(void *user);

/* Searches n_probes (1..MID_SEARCH_MAX_PROBES) probes and returns up to cap
 * candidates, best fused score first (ties: lower person id first). keep_going
 * may be NULL. */
mid_status mid_search_run(const mid_search_gallery *g, mid_ctx *ctx, mid_matcher *m,
                          const mid_search_probe *probes, size_t n_probes,
                          mid_search_continue_fn keep_going, void *user, mid_search_candidate *out,
                          size_t cap, size_t *n_out);

/* The same over the persons [first, first + count) of the gallery only, in the
 * order they were first added (count may run past the end): to split one search
 * over threads, each with its own matcher and ctx, then merge the parts' outputs
 * with mid_search_sort() and keep the first cap. expected_false still counts
 * every person of the gallery. */
mid_status mid_search_run_part(const mid_search_gallery *g, mid_ctx *ctx, mid_matcher *m,
                               const mid_search_probe *probes, size_t n_probes, size_t first,
                               size_t count, mid_search_continue_fn keep_going, void *user,
                               mid_search_candidate *out, size_t cap, size_t *n_out);
/* Sorts candidates best first (fused score descending, then person id ascending). */
void mid_search_sort(mid_search_candidate *c, size_t n);

/* Red / Amber / Green, after the FBI RISC grading (docs/ARCHITECTURE.md). */
typedef enum mid_grade { MID_GRADE_GREEN = 0, MID_GRADE_AMBER = 1, MID_GRADE_RED = 2 } mid_grade;
const char *mid_grade_name(mid_grade g); /* "green", "amber", "red" */

typedef struct mid_grade_policy {
    double red_fpir;   /* Red when expected_false <= red_fpir (e.g. 1e-3) */
    double amber_fpir; /* Amber when expected_false <= amber_fpir (e.g. 1e-1) */
} mid_grade_policy;

/* The default policy (the figures measured in docs/BENCHMARKS.md support it). */
mid_grade_policy mid_grade_policy_default(void);
mid_grade mid_search_grade(const mid_search_candidate *c, const mid_grade_policy *p);

#ifdef __cplusplus
}
#endif
#endif
