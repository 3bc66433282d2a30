/*
 * Internal interface of the WSQ layer. The layer works on plain pixel buffers so
 * that it depends on the core layer only; the image layer wraps it into
 * mid_wsq_encode()/mid_wsq_decode() and the WSQ branch of mid_image_decode().
 */
#ifndef MID_SRC_WSQ_H
#define MID_SRC_WSQ_H

#include "core/core.h"

#include <stddef.h>
#include <stdint.h>

/* Decodes a WSQ file. On success *pixels is a malloc'd width*height buffer (free
 * with free()), *ppi the NISTCOM PPI or 0. Nothing is allocated on failure. */
mid_status wsq_decode(mid_ctx *ctx, const uint8_t *data, size_t len, uint32_t *width,
                      uint32_t *height, double *ppi, uint8_t **pixels);

/* Encodes width*height grey pixels (rows width bytes apart) at bitrate bits per pixel.
 * ppi <= 0 is written as 500. *out is malloc'd (free with mid_free()/free()). */
mid_status wsq_encode(mid_ctx *ctx, const uint8_t *pixels, uint32_t width, uint32_t height,
                      double ppi, double bitrate, uint8_t **out, size_t *len);

/* True when data starts with the WSQ SOI marker. */
static inline int wsq_sniff(const uint8_t *data, size_t len) {
    return len >= 2 && data[0] == 0xFF && data[1] == 0xA0;
}

#endif
