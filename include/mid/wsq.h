/*
 * WSQ: the FBI "WSQ Gray-scale Fingerprint Image Compression Specification"
 * (IAFIS-IC-0110, version 3.1) for 8-bit grey fingerprint images at 500 ppi.
 *
 * The decoder reads any conforming file (odd-length filter banks as transmitted
 * in DTT, any Huffman tables, NISTCOM comments); restart markers (DRT/RSTn) and
 * even-length filter banks are reported as MID_ERR_UNSUPPORTED. mid_image_decode()
 * and mid_image_load() recognise WSQ by its SOI marker (0xFFA0) as well.
 *
 * Ownership: mid_wsq_encode() returns a buffer the caller frees with mid_free();
 * mid_wsq_decode() returns an image the caller frees with mid_image_free(). Neither
 * keeps a reference to its input.
 */
#ifndef MID_WSQ_H
#define MID_WSQ_H

#include "mid/core.h"
#include "mid/image.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The default target bitrate in bits per pixel (about 15:1). */
#define MID_WSQ_DEFAULT_BITRATE 0.75

/* Compresses img at the target bitrate (bits per pixel, 0 < bitrate <= 8; pass
 * MID_WSQ_DEFAULT_BITRATE for the usual 15:1) with the spec's subband
 * variance-based bit allocation. Any size from 1x1 up is accepted. The file carries a
 * NISTCOM comment with the image's ppi (500 when the image's is unknown). */
mid_status mid_wsq_encode(mid_ctx *ctx, const mid_image *img, double bitrate, void **out,
                          size_t *len);

/* Decodes a WSQ file. The image's ppi is the NISTCOM PPI, or 0 (unknown) when the
 * file has no usable one. */
mid_status mid_wsq_decode(mid_ctx *ctx, const void *data, size_t len, mid_image **out);

#ifdef __cplusplus
}
#endif
#endif
