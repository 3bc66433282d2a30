/*
 * mid_image objects, format dispatch and the resolution policy shared by all
 * decoders (file value, range check, caller override).
 */
#include "image/image_internal.h"
#include "mid/wsq.h"
#include "wsq/wsq.h"

#include <stdlib.h>
#include <string.h>

mid_status img_check_dims(mid_ctx *ctx, const char *fmt, uint64_t width, uint64_t height) {
    if (width == 0 || height == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: image has zero size (%llux%llu)", fmt,
                         (unsigned long long)width, (unsigned long long)height);
    }
    if (width > MID_MAX_IMAGE_SIDE || height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: %llux%llu exceeds the %u-pixel side limit", fmt,
                         (unsigned long long)width, (unsigned long long)height,
                         (unsigned)MID_MAX_IMAGE_SIDE);
    }
    if (width * height > MID_MAX_IMAGE_PIXELS) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: %llux%llu exceeds the %u-pixel area limit", fmt,
                         (unsigned long long)width, (unsigned long long)height,
                         (unsigned)MID_MAX_IMAGE_PIXELS);
    }
    return MID_OK;
}

mid_status img_alloc(mid_ctx *ctx, const char *fmt, uint32_t width, uint32_t height, double ppi,
                     mid_image **out) {
    mid_status st = img_check_dims(ctx, fmt, width, height);
    if (st != MID_OK) {
        return st;
    }
    mid_image *img = calloc(1, sizeof(*img));
    if (img == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", fmt);
    }
    img->pixels = core_mallocn(width, height);
    if (img->pixels == NULL) {
        free(img);
        return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory for %ux%u pixels", fmt,
                         (unsigned)width, (unsigned)height);
    }
    img->width = width;
    img->height = height;
    img->ppi = ppi;
    *out = img;
    return MID_OK;
}

mid_status mid_image_create(mid_ctx *ctx, uint32_t width, uint32_t height, double ppi,
                            mid_image **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "image_create: NULL output");
    }
    *out = NULL;
    if (ppi != 0.0 && !(ppi >= MID_MIN_PPI && ppi <= MID_MAX_PPI)) {
        return core_fail(ctx, MID_ERR_ARG, "image_create: resolution %g out of range", ppi);
    }
    if (width == 0 || height == 0) {
        return core_fail(ctx, MID_ERR_ARG, "image_create: zero size %ux%u", (unsigned)width,
                         (unsigned)height);
    }
    mid_status st = img_alloc(ctx, "image_create", width, height, ppi, out);
    if (st == MID_OK) {
        memset((*out)->pixels, 0, (size_t)width * height);
    }
    return st;
}

void mid_image_free(mid_image *img) {
    if (img != NULL) {
        /* Pixels are biometric data: do not leave them in freed memory. */
        core_wipe(img->pixels, (size_t)img->width * img->height);
        free(img->pixels);
        free(img);
    }
}

uint32_t mid_image_width(const mid_image *img) {
    return img ? img->width : 0;
}

uint32_t mid_image_height(const mid_image *img) {
    return img ? img->height : 0;
}

double mid_image_ppi(const mid_image *img) {
    return img ? img->ppi : 0.0;
}

void mid_image_set_ppi(mid_image *img, double ppi) {
    if (img != NULL) {
        img->ppi = (ppi >= MID_MIN_PPI && ppi <= MID_MAX_PPI) ? ppi : 0.0;
    }
}

uint8_t *mid_image_pixels(mid_image *img) {
    return img ? img->pixels : NULL;
}

const uint8_t *mid_image_cpixels(const mid_image *img) {
    return img ? img->pixels : NULL;
}

mid_image_format img_sniff(const uint8_t *d, size_t len) {
    static const uint8_t png_sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len >= 8 && memcmp(d, png_sig, 8) == 0) {
        return MID_IMAGE_PNG;
    }
    if (len >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF) {
        return MID_IMAGE_JPEG;
    }
    /* TIFF 6.0 section 2: "II" or "MM" then 42; BigTIFF uses 43. */
    if (len >= 4 && ((d[0] == 'I' && d[1] == 'I' && (d[2] == 42 || d[2] == 43) && d[3] == 0) ||
                     (d[0] == 'M' && d[1] == 'M' && d[2] == 0 && (d[3] == 42 || d[3] == 43)))) {
        return MID_IMAGE_TIFF;
    }
    if (len >= 2 && d[0] == 'B' && d[1] == 'M') {
        return MID_IMAGE_BMP;
    }
    if (len >= 3 && d[0] == 'P' && (d[1] == '2' || d[1] == '3' || d[1] == '5' || d[1] == '6') &&
        (d[2] == ' ' || d[2] == '\t' || d[2] == '\r' || d[2] == '\n' || d[2] == '#')) {
        return MID_IMAGE_PGM;
    }
    if (wsq_sniff(d, len)) {
        return MID_IMAGE_WSQ;
    }
    if (img_jp2_sniff(d, len)) {
        return MID_IMAGE_JP2;
    }
    return MID_IMAGE_AUTO;
}

/* WSQ lives in its own layer on plain buffers; these wrap it in mid_image. */
static mid_status img_decode_wsq(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    uint32_t w = 0, h = 0;
    double ppi = 0.0;
    uint8_t *px = NULL;
    mid_status st = wsq_decode(ctx, data, len, &w, &h, &ppi, &px);
    if (st != MID_OK) {
        return st;
    }
    mid_image *img = calloc(1, sizeof(*img));
    if (img == NULL) {
        core_wipe(px, (size_t)w * h);
        free(px);
        return core_fail(ctx, MID_ERR_NOMEM, "wsq: out of memory");
    }
    img->width = w;
    img->height = h;
    img->ppi = ppi;
    img->pixels = px;
    *out = img;
    return MID_OK;
}

mid_status mid_wsq_decode(mid_ctx *ctx, const void *data, size_t len, mid_image **out) {
    if (out == NULL || data == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "wsq_decode: NULL argument");
    }
    *out = NULL;
    mid_status st = img_decode_wsq(ctx, data, len, out);
    if (st == MID_OK) {
        mid_image_set_ppi(*out, (*out)->ppi);
    }
    return st;
}

mid_status mid_wsq_encode(mid_ctx *ctx, const mid_image *img, double bitrate, void **out,
                          size_t *len) {
    if (img == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "wsq_encode: NULL argument");
    }
    uint8_t *buf = NULL;
    mid_status st =
        wsq_encode(ctx, img->pixels, img->width, img->height, img->ppi, bitrate, &buf, len);
    *out = buf;
    return st;
}

mid_status mid_image_decode(mid_ctx *ctx, const void *data, size_t len, const mid_decode_opts *opts,
                            mid_image **out) {
    if (out == NULL || (data == NULL && len > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "image_decode: NULL argument");
    }
    *out = NULL;
    mid_decode_opts o = {0};
    if (opts != NULL) {
        o = *opts;
    }
    if (o.ppi != 0.0 && !(o.ppi >= MID_MIN_PPI && o.ppi <= MID_MAX_PPI)) {
        return core_fail(ctx, MID_ERR_ARG, "resolution override %g ppi outside %g..%g", o.ppi,
                         MID_MIN_PPI, MID_MAX_PPI);
    }
    if (len == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "image: input is empty");
    }
    const uint8_t *d = data;
    mid_image_format fmt = o.format;
    if (fmt == MID_IMAGE_AUTO) {
        fmt = img_sniff(d, len);
        if (fmt == MID_IMAGE_AUTO) {
            if (o.raw_width == 0 || o.raw_height == 0) {
                return core_fail(
                    ctx, MID_ERR_UNSUPPORTED,
                    "image: unknown format (no PNG, JPEG, BMP, TIFF, PGM, WSQ or JPEG 2000 "
                    "signature; "
                    "give a width and height to read headerless raw)");
            }
            fmt = MID_IMAGE_RAW;
        }
    }
    mid_status st;
    switch (fmt) {
    case MID_IMAGE_PNG:
        st = img_decode_png(ctx, d, len, out);
        break;
    case MID_IMAGE_JPEG:
        /* libjpeg-turbo 2.1 has no lossless (SOF3) decoder: ours does those. */
        st = img_jpegl_sniff(d, len) ? img_decode_jpegl(ctx, d, len, out)
                                     : img_decode_jpeg(ctx, d, len, out);
        break;
    case MID_IMAGE_BMP:
        st = img_decode_bmp(ctx, d, len, out);
        break;
    case MID_IMAGE_TIFF:
        st = img_decode_tiff(ctx, d, len, out);
        break;
    case MID_IMAGE_PGM:
        st = img_decode_pgm(ctx, d, len, out);
        break;
    case MID_IMAGE_RAW:
        st = img_decode_raw(ctx, d, len, o.raw_width, o.raw_height, out);
        break;
    case MID_IMAGE_WSQ:
        st = img_decode_wsq(ctx, d, len, out);
        break;
    case MID_IMAGE_JP2:
        st = img_decode_jp2(ctx, d, len, out);
        break;
    default:
        return core_fail(ctx, MID_ERR_ARG, "image_decode: unknown format code %d", (int)fmt);
    }
    if (st != MID_OK) {
        *out = NULL;
        return st;
    }
    /* A file's resolution outside the plausible range is a placeholder (the FVC
     * TIFFs say 1x1): treat it as unknown. The caller's value always wins. */
    if (o.ppi > 0.0) {
        (*out)->ppi = o.ppi;
    } else {
        mid_image_set_ppi(*out, (*out)->ppi);
    }
    return MID_OK;
}

mid_status mid_image_load(mid_ctx *ctx, const char *path, const mid_decode_opts *opts,
                          mid_image **out) {
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "image_load: NULL argument");
    }
    *out = NULL;
    uint8_t *data = NULL;
    size_t len = 0;
    mid_status st = core_read_file(ctx, path, MID_MAX_FILE_BYTES, &data, &len);
    if (st != MID_OK) {
        return st;
    }
    st = mid_image_decode(ctx, data, len, opts, out);
    core_wipe(data, len);
    free(data);
    return st;
}

mid_status img_decode_raw(mid_ctx *ctx, const uint8_t *data, size_t len, uint32_t width,
                          uint32_t height, mid_image **out) {
    if (width == 0 || height == 0) {
        return core_fail(ctx, MID_ERR_ARG, "raw: width and height are required for raw input");
    }
    mid_status st = img_check_dims(ctx, "raw", width, height);
    if (st != MID_OK) {
        return st;
    }
    size_t want = (size_t)width * height;
    if (len != want) {
        return core_fail(ctx, MID_ERR_FORMAT, "raw: %zu bytes given, %ux%u needs exactly %zu", len,
                         (unsigned)width, (unsigned)height, want);
    }
    st = img_alloc(ctx, "raw", width, height, 0.0, out);
    if (st == MID_OK) {
        memcpy((*out)->pixels, data, want);
    }
    return st;
}
