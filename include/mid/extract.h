/*
 * Minutiae extraction from a grey fingerprint image.
 *
 * Ownership: a mid_extractor holds reusable scratch memory and belongs to the
 * caller until mid_extractor_free(). It is not thread-safe: use one per thread.
 * Templates it returns belong to the caller.
 */
#ifndef MID_EXTRACT_H
#define MID_EXTRACT_H

#include "mid/image.h"
#include "mid/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_extractor mid_extractor;

mid_status mid_extractor_create(mid_ctx *ctx, mid_extractor **out);
void mid_extractor_free(mid_extractor *ex);

/* Extracts minutiae. The image is resampled to 500 ppi first when its ppi differs
 * (an unknown ppi is taken as 500). The template is at 500 ppi, in the
 * coordinates of the resampled image. MID_ERR_NO_PRINT when no usable print area is
 * found; MID_ERR_LIMIT when the image is too small or too large. Errors are reported
 * in the ctx given to mid_extractor_create(). */
mid_status mid_extract(mid_extractor *ex, const mid_image *img, mid_template **out);

#ifdef __cplusplus
}
#endif
#endif
