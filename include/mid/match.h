/*
 * 1:1 comparison of minutiae templates.
 *
 * Scores are calibrated: score = -10 * log10(FMR), where FMR is the false-match
 * rate at which a threshold equal to the score operates (see docs/ARCHITECTURE.md
 * for how the mapping was fitted). So a threshold of 30 means FMR = 1e-3 and 40
 * means 1e-4. Scores are >= 0; higher means more similar.
 *
 * Ownership: a mid_match_template is an immutable, prepared form of a template;
 * it belongs to the caller until mid_match_template_free() and may be shared by
 * threads. A mid_matcher holds scratch memory, belongs to the caller until
 * mid_matcher_free(), and is not thread-safe: use one per thread.
 */
#ifndef MID_MATCH_H
#define MID_MATCH_H

#include "mid/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_match_template mid_match_template;
typedef struct mid_matcher mid_matcher;

/* Prepares a template for fast repeated comparison. The template may be freed after. */
mid_status mid_match_prepare(mid_ctx *ctx, const mid_template *t, mid_match_template **out);
void mid_match_template_free(mid_match_template *mt);

mid_status mid_matcher_create(mid_ctx *ctx, mid_matcher **out);
void mid_matcher_free(mid_matcher *m);

/* Compares two prepared templates; symmetric up to rounding. Never fails. */
double mid_matcher_compare(mid_matcher *m, const mid_match_template *a,
                           const mid_match_template *b);

#ifdef __cplusplus
}
#endif
#endif
