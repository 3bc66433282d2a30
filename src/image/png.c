/*
 * PNG decoding and encoding through libpng. Every colour type and bit depth is
 * expanded by libpng to 8-bit grey, grey+alpha, RGB or RGBA (palette and tRNS
 * become explicit colours and alpha, 16-bit samples are scaled); the layer then
 * applies BT.601 luma and composites alpha over white. The resolution comes
 * from pHYs when its unit is the metre (PNG spec 11.3.5.3). libpng errors
 * longjmp back here; everything allocated is reachable from one state struct,
 * so the error path frees it all.
 */
#include "image/image_internal.h"

#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct png_state {
    mid_ctx *ctx;
    const uint8_t *data;
    size_t len;
    size_t pos;
    int failed;     /* an error message is already in ctx (2: a limit was hit) */
    int over_limit; /* libpng warned that a side exceeds our limit */
    uint8_t *buf;   /* decoded rows */
    size_t buf_len; /* bytes in buf */
    png_bytep *rows;
    mid_image *img;
} png_state;

static void on_error(png_structp png, png_const_charp msg) {
    png_state *s = png_get_error_ptr(png);
    if (!s->failed) {
        /* libpng enforces the side limit we gave it with png_set_user_limits: it
         * warns "... exceeds user limit" and then fails with "Invalid IHDR data". */
        int limit = s->over_limit || strstr(msg, "user limit") != NULL;
        core_fail(s->ctx, limit ? MID_ERR_LIMIT : MID_ERR_FORMAT, "PNG: %s", msg);
        s->failed = limit ? 2 : 1;
    }
    png_longjmp(png, 1);
}

static void on_warning(png_structp png, png_const_charp msg) {
    /* Benign (e.g. a bad ancillary chunk): stay silent, but remember a limit hit. */
    png_state *s = png_get_error_ptr(png);
    if (strstr(msg, "user limit") != NULL) {
        s->over_limit = 1;
    }
}

static void enc_warning(png_structp png, png_const_charp msg) {
    (void)png;
    (void)msg;
}

static void read_mem(png_structp png, png_bytep out, size_t n) {
    png_state *s = png_get_io_ptr(png);
    if (n > s->len - s->pos) {
        core_fail(s->ctx, MID_ERR_FORMAT, "PNG: data truncated at byte %zu", s->len);
        s->failed = 1;
        png_longjmp(png, 1);
    }
    memcpy(out, s->data + s->pos, n);
    s->pos += n;
}

static mid_status decode(png_structp png, png_infop info, png_state *s, mid_image **out) {
    png_set_read_fn(png, s, read_mem);
    /* libpng's own checks against the side limit; area is checked below. */
    png_set_user_limits(png, MID_MAX_IMAGE_SIDE, MID_MAX_IMAGE_SIDE);
    png_set_chunk_malloc_max(png, 8u * 1024u * 1024u);
    png_read_info(png, info);
    png_uint_32 w = png_get_image_width(png, info), h = png_get_image_height(png, info);
    mid_status st = img_check_dims(s->ctx, "PNG", w, h);
    if (st != MID_OK) {
        s->failed = 1;
        return st;
    }
    png_set_expand(png); /* palette -> RGB, grey < 8 bits -> 8, tRNS -> alpha */
    png_set_scale_16(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);
    const int channels = png_get_channels(png, info);
    const size_t rowbytes = png_get_rowbytes(png, info);
    if (png_get_bit_depth(png, info) != 8 || channels < 1 || channels > 4 ||
        rowbytes != (size_t)w * (size_t)channels) {
        s->failed = 1;
        return core_fail(s->ctx, MID_ERR_UNSUPPORTED, "PNG: unexpected layout after expansion");
    }
    if (!core_mul_size(rowbytes, h, &s->buf_len) || (s->buf = malloc(s->buf_len)) == NULL ||
        (s->rows = core_mallocn(h, sizeof(*s->rows))) == NULL) {
        s->failed = 1;
        return core_fail(s->ctx, MID_ERR_NOMEM, "PNG: out of memory for %ux%u", w, h);
    }
    for (png_uint_32 y = 0; y < h; y++) {
        s->rows[y] = s->buf + (size_t)y * rowbytes;
    }
    png_read_image(png, s->rows);
    /* The end chunk is not needed: stop at the last row. */
    double ppi = 0.0;
    png_uint_32 rx = 0, ry = 0;
    int unit = 0;
    if (png_get_pHYs(png, info, &rx, &ry, &unit) && unit == PNG_RESOLUTION_METER) {
        ppi = img_ppi_from_metric((double)rx, 0.0254);
    }
    st = img_alloc(s->ctx, "PNG", w, h, ppi, &s->img);
    if (st != MID_OK) {
        s->failed = 1;
        return st;
    }
    uint8_t *px = s->img->pixels;
    const size_t n = (size_t)w * h;
    const uint8_t *b = s->buf;
    for (size_t i = 0; i < n; i++, b += channels) {
        switch (channels) {
        case 1:
            px[i] = b[0];
            break;
        case 2:
            px[i] = img_over_white(b[0], b[1]);
            break;
        case 3:
            px[i] = img_luma(b[0], b[1], b[2]);
            break;
        default:
            px[i] = img_over_white(img_luma(b[0], b[1], b[2]), b[3]);
            break;
        }
    }
    *out = s->img;
    s->img = NULL;
    return MID_OK;
}

mid_status img_decode_png(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    if (len < 8 || memcmp(data, sig, 8) != 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "PNG: signature missing");
    }
    png_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "PNG: out of memory");
    }
    s->ctx = ctx;
    s->data = data;
    s->len = len;
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, s, on_error, on_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    mid_status st = MID_ERR_NOMEM;
    if (png == NULL || info == NULL) {
        core_fail(ctx, MID_ERR_NOMEM, "PNG: out of memory");
    } else if (setjmp(png_jmpbuf(png)) == 0) {
        st = decode(png, info, s, out);
    } else {
        st = s->failed == 2 ? MID_ERR_LIMIT : MID_ERR_FORMAT;
        if (!s->failed) {
            core_fail(ctx, MID_ERR_FORMAT, "PNG: decoding failed");
        }
    }
    png_destroy_read_struct(png ? &png : NULL, info ? &info : NULL, NULL);
    if (s->buf != NULL) {
        core_wipe(s->buf, s->buf_len);
    }
    free(s->buf);
    free(s->rows);
    mid_image_free(s->img);
    free(s);
    return st;
}

/* Encoder: growing output buffer. */
typedef struct png_out {
    mid_ctx *ctx;
    uint8_t *buf;
    size_t len;
    size_t cap;
    int failed;
} png_out;

static void enc_error(png_structp png, png_const_charp msg) {
    png_out *o = png_get_error_ptr(png);
    if (!o->failed) {
        core_fail(o->ctx, MID_ERR_NOMEM, "PNG encoder: %s", msg);
        o->failed = 1;
    }
    png_longjmp(png, 1);
}

static void write_mem(png_structp png, png_bytep data, size_t n) {
    png_out *o = png_get_io_ptr(png);
    if (n > o->cap - o->len) {
        size_t cap = o->cap ? o->cap : 4096;
        while (n > cap - o->len) {
            if (cap > SIZE_MAX / 2) {
                png_error(png, "output too large");
            }
            cap *= 2;
        }
        uint8_t *nb = realloc(o->buf, cap);
        if (nb == NULL) {
            png_error(png, "out of memory");
        }
        o->buf = nb;
        o->cap = cap;
    }
    memcpy(o->buf + o->len, data, n);
    o->len += n;
}

static void flush_mem(png_structp png) {
    (void)png;
}

static void encode(png_structp png, png_infop info, const mid_image *img, png_out *o) {
    png_set_write_fn(png, o, write_mem, flush_mem);
    png_set_IHDR(png, info, img->width, img->height, 8, PNG_COLOR_TYPE_GRAY, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    if (img->ppi > 0.0) {
        png_uint_32 ppm = (png_uint_32)(img->ppi / 0.0254 + 0.5);
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    for (uint32_t y = 0; y < img->height; y++) {
        png_write_row(png, img->pixels + (size_t)y * img->width);
    }
    png_write_end(png, info);
}

mid_status mid_image_encode_png(mid_ctx *ctx, const mid_image *img, void **out, size_t *len) {
    if (img == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "encode_png: NULL argument");
    }
    *out = NULL;
    *len = 0;
    png_out *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "PNG encoder: out of memory");
    }
    o->ctx = ctx;
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, o, enc_error, enc_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    mid_status st = MID_ERR_NOMEM;
    if (png == NULL || info == NULL) {
        core_fail(ctx, MID_ERR_NOMEM, "PNG encoder: out of memory");
    } else if (setjmp(png_jmpbuf(png)) == 0) {
        encode(png, info, img, o);
        st = MID_OK;
    } else if (!o->failed) {
        core_fail(ctx, MID_ERR_NOMEM, "PNG encoder: failed");
    }
    png_destroy_write_struct(png ? &png : NULL, info ? &info : NULL);
    if (st == MID_OK) {
        *out = o->buf;
        *len = o->len;
    } else {
        free(o->buf);
    }
    free(o);
    return st;
}

mid_status mid_image_save_png(mid_ctx *ctx, const mid_image *img, const char *path) {
    if (path == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "save_png: NULL path");
    }
    void *buf = NULL;
    size_t len = 0;
    mid_status st = mid_image_encode_png(ctx, img, &buf, &len);
    if (st == MID_OK) {
        st = core_write_file(ctx, path, buf, len);
    }
    free(buf);
    return st;
}
