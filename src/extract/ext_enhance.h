/* Stage 5a: contextual (Gabor-like) enhancement and binarisation. */
#ifndef MID_EXT_ENHANCE_H
#define MID_EXT_ENHANCE_H

#include "extract/ext_work.h"

#define EXT_RIDGE_R 12 /* half-length of the along-ridge smoothing */
#define EXT_NORM_R 20  /* largest half-length of the across-ridge band-pass */

/* The filter bank: an oriented Gabor filter split into a Gaussian along the
 * ridge and an even Gabor (cosine x Gaussian) across it, each applied as a 1-D
 * filter along a digital line. Precomputed once per extractor. */
typedef struct ext_bank {
    int8_t rdx[EXT_NORI][2 * EXT_RIDGE_R + 1], rdy[EXT_NORI][2 * EXT_RIDGE_R + 1];
    int8_t ndx[EXT_NORI][2 * EXT_NORM_R + 1], ndy[EXT_NORI][2 * EXT_NORM_R + 1];
    float rw[2 * EXT_RIDGE_R + 1];
    float nw[EXT_NPER][2 * EXT_NORM_R + 1];
    int nr[EXT_NPER]; /* half-length per period bin */
} ext_bank;

void ext_bank_init(ext_bank *b);

/* Pass 1: smooths the image along the local ridge direction into w->smooth, in
 * the foreground blocks and a margin around them (zero elsewhere). */
void ext_smooth_along(ext_work *w, const ext_bank *b);

/* Pass 2: band-pass across the ridges with the period of each block, and
 * binarisation by the sign of the response into w->ridge (1 = ridge) inside the
 * foreground. */
void ext_bandpass(ext_work *w, const ext_bank *b);

#endif
