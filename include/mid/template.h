/*
 * Minutiae templates: the in-memory record, the compact native encoding, and
 * ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 interchange.
 *
 * Conventions (shared by every format here): origin at the top-left pixel, x to
 * the right, y downward, coordinates in pixels at the template's resolution.
 * Angles are measured counter-clockwise from the positive x axis as seen on the
 * image (y down), in units of 360/256 degrees (the ISO 19794-2 unit). The
 * direction of a ridge ending points from the ending along its ridge; that of a
 * bifurcation points away from the fork, along the valley that splits it.
 *
 * Ownership: a mid_template belongs to the caller from create/decode/load until
 * mid_template_free(). Encoders return a new buffer to free with mid_free().
 */
#ifndef MID_TEMPLATE_H
#define MID_TEMPLATE_H

#include "mid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mid_minutia_type {
    MID_MINUTIA_OTHER = 0,
    MID_MINUTIA_ENDING = 1,
    MID_MINUTIA_BIFURCATION = 2
} mid_minutia_type;

typedef struct mid_minutia {
    uint16_t x;      /* pixels from the left */
    uint16_t y;      /* pixels from the top */
    uint8_t angle;   /* counter-clockwise, 360/256 degree units */
    uint8_t type;    /* mid_minutia_type */
    uint8_t quality; /* 0 (unknown/worst) .. 100 (best) */
} mid_minutia;

typedef struct mid_template mid_template;

typedef enum mid_template_format {
    MID_TEMPLATE_AUTO = 0, /* detect from the header */
    MID_TEMPLATE_NATIVE,   /* compact mobileid record, "MIDT" */
    MID_TEMPLATE_ISO19794_2_2005,
    MID_TEMPLATE_ANSI378_2004
} mid_template_format;

/* An empty template for an image of width x height pixels (1..MID_MAX_IMAGE_SIDE) at ppi
 * (0 = unknown, at most MID_MAX_PPI). */
mid_status mid_template_create(mid_ctx *ctx, uint16_t width, uint16_t height, uint16_t ppi,
                               mid_template **out);
void mid_template_free(mid_template *t);

/* Appends a copy of *m. MID_ERR_LIMIT beyond MID_MAX_MINUTIAE, MID_ERR_ARG when m lies
 * outside the image or has an unknown type or a quality above 100. */
mid_status mid_template_add(mid_ctx *ctx, mid_template *t, const mid_minutia *m);

size_t mid_template_count(const mid_template *t);
const mid_minutia *mid_template_minutiae(const mid_template *t);
uint16_t mid_template_width(const mid_template *t);
uint16_t mid_template_height(const mid_template *t);
uint16_t mid_template_ppi(const mid_template *t);
/* Overall quality 0..100 (0 when unknown). */
uint8_t mid_template_quality(const mid_template *t);
void mid_template_set_quality(mid_template *t, uint8_t quality);
/* Finger position code of ISO 19794-2 / ANSI 378 (0 unknown, 1 right thumb .. 10 left
 * little) and impression type (0 live-scan plain, 1 live-scan rolled, 2 non-live plain,
 * 3 non-live rolled, 8 swipe). Both 0 on a new template; decoders copy them from the
 * first finger view, encoders write them. */
uint8_t mid_template_finger_position(const mid_template *t);
uint8_t mid_template_impression_type(const mid_template *t);
/* MID_ERR_ARG when position > 15 or impression > 15 (both are 4-bit fields in practice). */
mid_status mid_template_set_finger(mid_ctx *ctx, mid_template *t, uint8_t position,
                                   uint8_t impression);

/* Encodes in the given format (not AUTO). */
mid_status mid_template_encode(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                               void **out, size_t *len);
/* Decodes a record. For multi-view records the first finger view is returned. */
mid_status mid_template_decode(mid_ctx *ctx, const void *data, size_t len,
                               mid_template_format format, mid_template **out);

mid_status mid_template_load(mid_ctx *ctx, const char *path, mid_template_format format,
                             mid_template **out);
mid_status mid_template_save(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                             const char *path);

#ifdef __cplusplus
}
#endif
#endif
