/*
 * Internals of the image layer shared by the decoders: the image struct, the
 * dimension check every decoder runs before allocating, and colour-to-grey
 * helpers (ITU-R BT.601 luma, alpha composited on white).
 */
#ifndef MID_SRC_IMAGE_INTERNAL_H
#define MID_SRC_IMAGE_INTERNAL_H

#include "core/core.h"
#include "mid/image.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mid_image {
    uint32_t width;
    uint32_t height;
    double ppi; /* 0 = unknown */
    uint8_t *pixels;
};

/* Checks width and height (named fmt in the message) against MID_MAX_IMAGE_SIDE and
 * MID_MAX_IMAGE_PIXELS: zero sides give MID_ERR_FORMAT, oversize MID_ERR_LIMIT.
 * Every decoder calls this before allocating anything sized from the header. */
mid_status img_check_dims(mid_ctx *ctx, const char *fmt, uint64_t width, uint64_t height);

/* Allocates an uninitialised image after img_check_dims; ppi is the file's raw value. */
mid_status img_alloc(mid_ctx *ctx, const char *fmt, uint32_t width, uint32_t height, double ppi,
                     mid_image **out);

/* BT.601 luma of an 8-bit RGB triple, rounded. */
static inline uint8_t img_luma(unsigned r, unsigned g, unsigned b) {
    return (uint8_t)((299u * r + 587u * g + 114u * b + 500u) / 1000u);
}

/* Composites an 8-bit grey value with 8-bit alpha over white. */
static inline uint8_t img_over_white(unsigned v, unsigned a) {
    return (uint8_t)((v * a + 255u * (255u - a) + 127u) / 255u);
}

/* Scales a sample of maxval range to 0..255, rounded. */
static inline uint8_t img_scale8(uint32_t v, uint32_t maxval) {
    return (uint8_t)(((uint64_t)v * 255u + maxval / 2u) / maxval);
}

/* Resolution in ppi from a count per metric unit (inch_per_unit = 0.0254 for
 * metres, 2.54 for centimetres). The metric count is an integer, so a value that
 * was written from a whole ppi (500 ppi -> 19685 per metre -> 499.999) is snapped
 * back to that whole ppi when it lies within the unit's rounding step. */
static inline double img_ppi_from_metric(double count, double inch_per_unit) {
    double ppi = count * inch_per_unit;
    double whole = (double)(long long)(ppi + 0.5);
    double diff = ppi > whole ? ppi - whole : whole - ppi;
    return diff <= inch_per_unit / 2.0 ? whole : ppi;
}

/* Format decoders: on success *out holds the pixels and the resolution the file
 * states (0 when it states none); the caller applies range checks and overrides. */
mid_status img_decode_png(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
mid_status img_decode_jpeg(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
/* Lossless JPEG (SOF3) through our own decoder (jpegl.c); img_jpegl_sniff is true
 * when the first frame header of a JPEG stream is SOF3. */
mid_status img_decode_jpegl(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
bool img_jpegl_sniff(const uint8_t *data, size_t len);
mid_status img_decode_bmp(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
mid_status img_decode_tiff(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
mid_status img_decode_pgm(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
mid_status img_decode_raw(mid_ctx *ctx, const uint8_t *data, size_t len, uint32_t width,
                          uint32_t height, mid_image **out);
mid_status img_decode_jp2(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out);
/* True when data starts with a JP2 signature box or a J2K SOC+SIZ marker pair. */
bool img_jp2_sniff(const uint8_t *data, size_t len);

/* The format whose signature starts data, or MID_IMAGE_AUTO when none matches. */
mid_image_format img_sniff(const uint8_t *data, size_t len);

#endif
