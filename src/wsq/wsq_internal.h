/*
 * Shared internals of the WSQ codec: markers, the 64-subband layout, the wavelet
 * filter bank and the Huffman symbol alphabet (IAFIS-IC-0110 v3.1).
 */
#ifndef MID_SRC_WSQ_INTERNAL_H
#define MID_SRC_WSQ_INTERNAL_H

#include "wsq/wsq.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Marker codes (second byte after 0xFF). */
enum {
    WSQ_SOI = 0xA0,
    WSQ_EOI = 0xA1,
    WSQ_SOF = 0xA2,
    WSQ_SOB = 0xA3,
    WSQ_DTT = 0xA4,
    WSQ_DQT = 0xA5,
    WSQ_DHT = 0xA6,
    WSQ_DRT = 0xA7,
    WSQ_COM = 0xA8
};

#define WSQ_SUBBANDS 64
#define WSQ_NODES 20 /* two-dimensional splits of the decomposition */
#define WSQ_BLOCKS 3 /* subbands 0-18, 19-51 and 52-63 are coded as three blocks */
#define WSQ_CODED 60 /* the encoder never quantises subbands 60-63 (spec Part 3) */
#define WSQ_MAX_TABLES 8

/* Huffman input categories: 1-100 are runs of that many zeros, 101/102 a positive/
 * negative coefficient in the next 8 bits, 103/104 the same in 16 bits, 105/106 a
 * zero run in the next 8/16 bits, 107-254 the coefficient (symbol - 180). */
#define WSQ_MAX_RUN_SYM 100
#define WSQ_SYM_POS8 101
#define WSQ_SYM_NEG8 102
#define WSQ_SYM_POS16 103
#define WSQ_SYM_NEG16 104
#define WSQ_SYM_RUN8 105
#define WSQ_SYM_RUN16 106
#define WSQ_COEF_BIAS 180
#define WSQ_MIN_DIRECT (-73)
#define WSQ_MAX_DIRECT 74

typedef struct wsq_rect {
    uint32_t x, y, w, h;
} wsq_rect;

typedef struct wsq_node {
    wsq_rect r;
    bool inv_x; /* spectrally inverted horizontally: high band first, low band second */
    bool inv_y; /* the same vertically */
} wsq_node;

typedef struct wsq_layout {
    wsq_node node[WSQ_NODES]; /* in decomposition order (parents first) */
    wsq_rect band[WSQ_SUBBANDS];
} wsq_layout;

/* First subband of each block, and one past the last. */
static const int wsq_block_first[WSQ_BLOCKS + 1] = {0, 19, 52, 64};

void wsq_layout_build(uint32_t width, uint32_t height, wsq_layout *out);

/* The analysis filter bank: odd-length, whole-sample symmetric filters given by
 * their centre tap and one side (coef[0] is the centre, coef[i] = h[+-i]). */
#define WSQ_MAX_HALF 16
typedef struct wsq_filters {
    int lo_half, hi_half; /* number of taps on each side of the centre */
    float lo[WSQ_MAX_HALF], hi[WSQ_MAX_HALF];
    /* synthesis filters derived from the analysis pair (perfect reconstruction) */
    float glo[WSQ_MAX_HALF], ghi[WSQ_MAX_HALF];
} wsq_filters;

/* The spec's 9/7 analysis filters (as the encoder transmits them in DTT). */
extern const double wsq_std_lo[5];
extern const double wsq_std_hi[4];

/* Derives the synthesis filters; false when the pair cannot reconstruct (zero gain). */
bool wsq_filters_prepare(wsq_filters *f);

/* Forward and inverse decomposition of the whole image in place. scratch must
 * hold max(width, height) * ... see wsq_dwt_scratch_floats(). */
size_t wsq_dwt_scratch_floats(uint32_t width, uint32_t height);
void wsq_forward(float *img, uint32_t width, const wsq_layout *lay, const wsq_filters *f,
                 float *scratch);
void wsq_inverse(float *img, uint32_t width, const wsq_layout *lay, const wsq_filters *f,
                 float *scratch);

/* Scaled numbers: value = v / 10^scale. */
double wsq_unscale(unsigned scale, uint32_t v);
/* Largest scale <= 9 with round(x * 10^scale) <= maxv (x >= 0). */
void wsq_scale(double x, uint32_t maxv, unsigned *scale, uint32_t *v);

#endif
