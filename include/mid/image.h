/*
 * Image input: decoding of fingerprint images into 8-bit grey, and resampling.
 *
 * Ownership: a mid_image belongs to the caller from its create/decode/load/
 * resample call until mid_image_free(); pixel pointers stay valid until then.
 * Decoders never keep a reference to the input buffer.
 */
#ifndef MID_IMAGE_H
#define MID_IMAGE_H

#include "mid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* 8-bit grey image, row-major, rows are width bytes apart, 0 = black. */
typedef struct mid_image mid_image;

typedef enum mid_image_format {
    MID_IMAGE_AUTO = 0, /* detect from the content's signature */
    MID_IMAGE_PNG,
    MID_IMAGE_JPEG,
    MID_IMAGE_BMP,
    MID_IMAGE_TIFF,
    MID_IMAGE_PGM,
    MID_IMAGE_RAW, /* headerless 8-bit grey; raw_width and raw_height are required */
    MID_IMAGE_WSQ, /* FBI WSQ (mid/wsq.h); the resolution is the NISTCOM PPI */
    MID_IMAGE_JP2  /* JPEG 2000: JP2 file or J2K codestream; resolution from the JP2 'res ' box */
} mid_image_format;

typedef struct mid_decode_opts {
    mid_image_format format; /* MID_IMAGE_AUTO unless forced */
    uint32_t raw_width;      /* for MID_IMAGE_RAW */
    uint32_t raw_height;     /* for MID_IMAGE_RAW */
    double ppi;              /* > 0 overrides the resolution found in the file */
} mid_decode_opts;

/* A zero-filled image. ppi may be 0 (unknown). */
mid_status mid_image_create(mid_ctx *ctx, uint32_t width, uint32_t height, double ppi,
                            mid_image **out);
void mid_image_free(mid_image *img);

uint32_t mid_image_width(const mid_image *img);
uint32_t mid_image_height(const mid_image *img);
/* Resolution in pixels per inch, or 0 when neither the file nor the options gave one. */
double mid_image_ppi(const mid_image *img);
void mid_image_set_ppi(mid_image *img, double ppi);
uint8_t *mid_image_pixels(mid_image *img);
const uint8_t *mid_image_cpixels(const mid_image *img);

/* Decodes len bytes. opts may be NULL (auto-detect, resolution from the file). */
mid_status mid_image_decode(mid_ctx *ctx, const void *data, size_t len, const mid_decode_opts *opts,
                            mid_image **out);

/* Reads and decodes a file. With MID_IMAGE_AUTO, a file no signature matches is
 * decoded as raw when raw_width and raw_height are set. */
mid_status mid_image_load(mid_ctx *ctx, const char *path, const mid_decode_opts *opts,
                          mid_image **out);

/* Resamples to target_ppi (area averaging when shrinking, bilinear when growing).
 * The input's ppi must be known. The result is a new image even when the ratio is 1. */
mid_status mid_image_resample(mid_ctx *ctx, const mid_image *in, double target_ppi,
                              mid_image **out);

/* Encodes as an 8-bit grey PNG (with pHYs when ppi is known). Free *out with mid_free(). */
mid_status mid_image_encode_png(mid_ctx *ctx, const mid_image *img, void **out, size_t *len);
mid_status mid_image_save_png(mid_ctx *ctx, const mid_image *img, const char *path);

/* Encodes as a JP2 file with one 8-bit grey component: lossless (reversible 5/3
 * wavelet) when bitrate is 0, otherwise the irreversible 9/7 wavelet at about
 * bitrate bits per pixel (0 < bitrate <= 8). The ppi, when known, goes into a
 * 'resc' (capture resolution) box. Free *out with mid_free(). */
mid_status mid_image_encode_jp2(mid_ctx *ctx, const mid_image *img, double bitrate, void **out,
                                size_t *len);

#ifdef __cplusplus
}
#endif
#endif
