/*
 * Accuracy metrics for verification tests (FVC protocol).
 *
 * Scores: higher means more similar. A comparison that failed (for example a
 * failed extraction) must be passed as a score below every real score, such as
 * -1: for a genuine pair it then counts as a false non-match.
 *
 * Ownership: all inputs are borrowed; outputs are written into caller storage.
 */
#ifndef MID_EVAL_H
#define MID_EVAL_H

#include "mid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_eval_metrics {
    double eer; /* (eer_low + eer_high) / 2, FVC2000 definition, fraction 0..1 */
    double eer_low;
    double eer_high;
    double fnmr_at_fmr_1e2; /* lowest FNMR at any threshold whose FMR <= 1e-2 */
    double fnmr_at_fmr_1e3; /* lowest FNMR at any threshold whose FMR <= 1e-3 */
    double zero_fmr;        /* lowest FNMR at any threshold whose FMR == 0 */
} mid_eval_metrics;

/* Computes the metrics. Both score arrays must be non-empty. */
mid_status mid_eval_compute(mid_ctx *ctx, const double *genuine, size_t n_genuine,
                            const double *impostor, size_t n_impostor, mid_eval_metrics *out);

/* One point of a DET curve. */
typedef struct mid_det_point {
    double threshold;
    double fmr;
    double fnmr;
} mid_det_point;

/* DET curve: one point per distinct threshold, ordered by increasing threshold
 * (FMR falling, FNMR rising). *points is new memory to free with mid_free(). */
mid_status mid_eval_det(mid_ctx *ctx, const double *genuine, size_t n_genuine,
                        const double *impostor, size_t n_impostor, mid_det_point **points,
                        size_t *n_points);

#ifdef __cplusplus
}
#endif
#endif
