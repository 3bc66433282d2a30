/*
 * Internal layout of prepared templates and of the matcher scratch, shared by
 * prepare.c (per-template precomputation), compare.c (the 1:1 comparison) and
 * calibrate.c (raw score -> calibrated score).
 *
 * Geometry convention inside this layer: coordinates are scaled to MID_WORK_PPI
 * and the y axis is flipped (Y = -y), so that the ISO counter-clockwise angle is
 * the ordinary mathematical angle and a minutia direction is (cos t, sin t).
 */
#ifndef MID_SRC_MATCH_INTERNAL_H
#define MID_SRC_MATCH_INTERNAL_H

#include "mid/match.h"
#include "core/core.h"

#include <stdint.h>

/* Local descriptor: a bit-quantised Minutia Cylinder-Code (Cappelli, Ferrara &
 * Maltoni, IEEE TPAMI 32(12), 2010). A cylinder of radius MATCH_CYL_R around each
 * minutia, aligned with its direction, is split into MATCH_NS x MATCH_NS spatial
 * cells and MATCH_ND direction layers; a bit is set where the Gaussian-weighted
 * density of neighbouring minutiae with that relative direction is high. One
 * 64-bit word holds one 8x8 layer, so a pair of cylinders compares with a few
 * AND/XOR/popcount operations. */
#define MATCH_NS 8
#define MATCH_ND 6
#define MATCH_CYL_R 70.0f
#define MATCH_CYL_WORDS (MATCH_ND + 1) /* word 0: cell validity, 1..ND: layers */

/* Coarse "print area" mask used to count the minutiae that lie in the region
 * covered by both prints (overlap normalisation of the score). */
#define MATCH_MASK_MAX_SIDE 128u

/* Spatial grid over the minutiae (bucket sort by cell), so pairing under an
 * alignment looks only at the minutiae near each moved point. */
#define MATCH_GRID_CELL 32.0f   /* cell side, pixels (grown for very large prints) */
#define MATCH_GRID_MAX_SIDE 64u /* cells per side at most */

typedef struct match_point {
    float x, y;   /* 500 ppi, y up */
    float t;      /* direction, radians in [0, 2pi) */
    float dx, dy; /* cos t, sin t */
    uint8_t type;
    uint8_t cyl_ok;   /* cylinder has enough valid cells and contributing minutiae */
    uint8_t cyl_full; /* cyl_ok and every cell of the cylinder is valid */
    uint16_t cyl_pop; /* set bits over all layers of the cylinder */
} match_point;

struct mid_match_template {
    uint32_t n;
    match_point *pts;
    uint64_t *cyl; /* n * MATCH_CYL_WORDS */
    /* The same cylinders word-major for vector kernels: word w of minutia j at
     * cyl_soa[w * npad + j]; npad = n rounded up to 8, padding zero. Bit k of
     * ok_bits[j / 8] is cyl_ok of minutia 8 * (j / 8) + k. */
    uint32_t npad;
    uint64_t *cyl_soa;
    uint8_t *ok_bits;
    uint64_t hash; /* content hash: canonical argument order for symmetry */
    /* print-area mask: cell (cx, cy) covers [ox + cx*cell, ...) x [oy + cy*cell, ...) */
    float ox, oy, cell;
    uint32_t mw, mh;
    uint8_t *mask; /* mw * mh, 1 = inside the (dilated) convex hull of the minutiae */
    /* grid: minutiae of cell c are idx[start[c] .. start[c + 1]) */
    float gx, gy, gcell;
    uint32_t gw, gh;
    uint16_t *gstart; /* gw * gh + 1 */
    uint16_t *gidx;   /* n */
};

/* Grid cell index of a point (clamped to the grid). */
static inline size_t match_grid_cell(const mid_match_template *t, float x, float y) {
    float fx = (x - t->gx) / t->gcell, fy = (y - t->gy) / t->gcell;
    uint32_t cx = fx <= 0.0f ? 0u : (fx >= (float)(t->gw - 1) ? t->gw - 1 : (uint32_t)fx);
    uint32_t cy = fy <= 0.0f ? 0u : (fy >= (float)(t->gh - 1) ? t->gh - 1 : (uint32_t)fy);
    return (size_t)cy * t->gw + cx;
}

/* Raw comparison result before calibration (also used by tuning harnesses). */
typedef struct match_detail {
    double raw;     /* raw similarity fed to the calibration */
    int paired;     /* minutiae paired under the best alignment */
    int overlap_a;  /* minutiae of the first template inside the other's area */
    int overlap_b;  /* and vice versa */
    double sim_sum; /* sum of local similarities of the paired minutiae */
    double lss;     /* mean of the best local similarities */
} match_detail;

/* Uncalibrated comparison; fills *d when d is not NULL. Returns d->raw. */
double match_compare_raw(mid_matcher *m, const mid_match_template *a, const mid_match_template *b,
                         match_detail *d);

/* Local-similarity kernels, best available chosen by mid_matcher_create. All
 * give bit-identical results. */
typedef enum match_kernel {
    MATCH_KERNEL_GENERIC = 0, /* portable C */
    MATCH_KERNEL_POPCNT,      /* x86-64 POPCNT instruction */
    MATCH_KERNEL_AVX512       /* AVX-512F + VPOPCNTDQ, 8 pairs at a time */
} match_kernel;

/* Selects a kernel; returns 0, or -1 (nothing changed) when this CPU lacks it. */
int match_matcher_set_kernel(mid_matcher *m, match_kernel k);
match_kernel match_matcher_kernel(const mid_matcher *m);

/* The local-similarity matrix of the last comparison (rows: the template
 * processed first), for tests; returns its number of entries. */
size_t match_matcher_last_sims(const mid_matcher *m, const float **sims);

/* Monotone map from raw score to -10 log10(FMR). */
double match_calibrate(double raw);

/* Calibration knots, exposed for the monotonicity test. */
size_t match_calibration_knots(const double **raw, const double **score);

#endif
