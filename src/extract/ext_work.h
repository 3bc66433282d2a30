/*
 * Internal state of one minutiae extraction: the image at 500 ppi, the block
 * fields (segmentation, orientation, frequency), the binary ridge map and the
 * minutia candidates. Every buffer points into the extractor's reusable scratch
 * arena (see extractor.c); nothing here owns memory.
 *
 * Geometry: image coordinates, x to the right, y downward. A "block" is an
 * EXT_BS x EXT_BS square of pixels; block (bx, by) covers pixels
 * [bx*EXT_BS, bx*EXT_BS+EXT_BS) x [by*EXT_BS, ...). Angles inside the extractor
 * are radians in image coordinates (clockwise as seen); the conversion to the
 * template's counter-clockwise convention happens only at output.
 */
#ifndef MID_EXT_WORK_H
#define MID_EXT_WORK_H

#include <stddef.h>
#include <stdint.h>

#define EXT_BS 8    /* block side in pixels */
#define EXT_PAD 24  /* border of the padded float images; >= every filter reach */
#define EXT_NORI 24 /* quantised orientations over 180 degrees (7.5 degree steps) */

/* Ridge period range (pixels at 500 ppi) and the period bins of the filter bank. */
#define EXT_PERIOD_MIN 5.0f
#define EXT_PERIOD_MAX 15.0f
#define EXT_PERIOD_STEP 0.5f
#define EXT_NPER 21 /* (MAX - MIN) / STEP + 1 */

#define EXT_PI 3.14159265358979f

typedef struct ext_minutia {
    float x, y;    /* pixel position */
    float dir;     /* radians, image coordinates (atan2(dy, dx) with y down) */
    float quality; /* 0..1 */
    uint8_t type;  /* mid_minutia_type */
    uint8_t dead;  /* set by the filters */
} ext_minutia;

typedef struct ext_work {
    int w, h;           /* image size */
    int pw, ph;         /* padded size: w + 2*EXT_PAD, h + 2*EXT_PAD */
    int bw, bh;         /* block grid size */
    const uint8_t *pix; /* source pixels, w*h, row-major */

    float *img;     /* padded copy of the image (edge replicated), pw*ph */
    float *smooth;  /* padded: image smoothed along the ridges (enhancement pass 1) */
    uint8_t *ridge; /* (w+2)*(h+2), 1-pixel zero frame: binary ridges, then skeleton */
    int32_t *list;  /* w*h scratch indices (thinning) */

    /* Block fields, bw*bh each. */
    float *gxx, *gyy, *gxy; /* gradient moment sums over the block */
    float *energy;          /* mean squared gradient over a 3x3-block window */
    float *coh;             /* coherence 0..1 over a 3x3-block window */
    float *vx, *vy;         /* smoothed doubled-angle gradient vector */
    float *grad_dir;        /* dominant gradient direction (ridge normal), [0, pi) */
    float *period;          /* ridge period in pixels */
    float *ftmp, *ftmp2;    /* scratch */
    uint8_t *mask;          /* 1 = foreground */
    uint8_t *dist;          /* chessboard distance to background in blocks, capped */
    uint8_t *btmp;          /* scratch */
    uint8_t *ori_q;         /* quantised gradient direction index 0..EXT_NORI-1 */
    uint8_t *per_q;         /* quantised period index 0..EXT_NPER-1 */

    ext_minutia *min; /* candidates */
    int nmin, capmin;

    int n_fg; /* foreground blocks */
    float mean_coh;
} ext_work;

#endif
