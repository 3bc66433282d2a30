/*
 * Netpbm decoding: PGM (P5 binary, P2 plain) and, converted to grey, PPM (P6,
 * P3). Header per the Netpbm format specification: magic, then width, height
 * and maxval as ASCII decimals separated by whitespace, '#' comments running to
 * end of line; in the binary forms exactly one whitespace byte precedes the
 * raster, whose samples are 1 byte (maxval < 256) or 2 bytes big-endian.
 */
#include "image/image_internal.h"

#include <string.h>

typedef struct cursor {
    const uint8_t *d;
    size_t len;
    size_t pos;
} cursor;

static int is_space(uint8_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Skips whitespace and comments. */
static void skip_ws(cursor *c) {
    while (c->pos < c->len) {
        if (c->d[c->pos] == '#') {
            while (c->pos < c->len && c->d[c->pos] != '\n' && c->d[c->pos] != '\r') {
                c->pos++;
            }
        } else if (is_space(c->d[c->pos])) {
            c->pos++;
        } else {
            break;
        }
    }
}

/* Reads a decimal number up to max; 0 on success, -1 if absent, -2 if too big. */
static int read_uint(cursor *c, uint32_t max, uint32_t *v) {
    skip_ws(c);
    if (c->pos >= c->len || c->d[c->pos] < '0' || c->d[c->pos] > '9') {
        return -1;
    }
    uint64_t x = 0;
    while (c->pos < c->len && c->d[c->pos] >= '0' && c->d[c->pos] <= '9') {
        x = x * 10u + (uint64_t)(c->d[c->pos] - '0');
        if (x > max) {
            return -2;
        }
        c->pos++;
    }
    *v = (uint32_t)x;
    return 0;
}

mid_status img_decode_pgm(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    if (len < 2 || data[0] != 'P' ||
        (data[1] != '2' && data[1] != '3' && data[1] != '5' && data[1] != '6')) {
        return core_fail(ctx, MID_ERR_FORMAT, "PGM: no P2, P3, P5 or P6 signature");
    }
    const int plain = data[1] == '2' || data[1] == '3';
    const int channels = (data[1] == '3' || data[1] == '6') ? 3 : 1;
    cursor c = {data, len, 2};
    if (c.pos < len && !is_space(data[c.pos]) && data[c.pos] != '#') {
        return core_fail(ctx, MID_ERR_FORMAT, "PGM: no whitespace after the magic number");
    }
    uint32_t w = 0, h = 0, maxval = 0;
    static const char *const names[3] = {"width", "height", "maxval"};
    uint32_t *vals[3] = {&w, &h, &maxval};
    for (int i = 0; i < 3; i++) {
        /* Sides are read up to a bound above the limit so that the limit check
         * can report them; maxval is at most 65535 by the specification. */
        int r = read_uint(&c, i == 2 ? 65535u : 1000000000u, vals[i]);
        if (r == -1) {
            return core_fail(ctx, MID_ERR_FORMAT, "PGM: header %s missing or not a number",
                             names[i]);
        }
        if (r == -2) {
            return core_fail(ctx, i == 2 ? MID_ERR_FORMAT : MID_ERR_LIMIT,
                             "PGM: header %s too large", names[i]);
        }
    }
    if (maxval == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "PGM: maxval is 0");
    }
    mid_status st = img_check_dims(ctx, "PGM", w, h);
    if (st != MID_OK) {
        return st;
    }
    const size_t n = (size_t)w * h; /* bounded by img_check_dims */
    const size_t bps = maxval < 256 ? 1 : 2;
    if (!plain) {
        if (c.pos >= len || !is_space(data[c.pos])) {
            return core_fail(ctx, MID_ERR_FORMAT, "PGM: no whitespace before the raster");
        }
        c.pos++;
        size_t need = n * (size_t)channels * bps;
        if (len - c.pos < need) {
            return core_fail(ctx, MID_ERR_FORMAT, "PGM: raster truncated (%zu of %zu bytes)",
                             len - c.pos, need);
        }
    }
    st = img_alloc(ctx, "PGM", w, h, 0.0, out);
    if (st != MID_OK) {
        return st;
    }
    uint8_t *px = (*out)->pixels;
    for (size_t i = 0; i < n; i++) {
        uint32_t s[3] = {0, 0, 0};
        for (int k = 0; k < channels; k++) {
            if (plain) {
                int r = read_uint(&c, maxval, &s[k]);
                if (r != 0) {
                    mid_image_free(*out);
                    *out = NULL;
                    return core_fail(ctx, MID_ERR_FORMAT,
                                     r == -1 ? "PGM: plain raster truncated or not a number at "
                                               "sample %zu"
                                             : "PGM: sample %zu exceeds maxval",
                                     i * (size_t)channels + (size_t)k);
                }
            } else if (bps == 1) {
                s[k] = data[c.pos++];
            } else {
                s[k] = ((uint32_t)data[c.pos] << 8) | data[c.pos + 1];
                c.pos += 2;
            }
            if (s[k] > maxval) {
                mid_image_free(*out);
                *out = NULL;
                return core_fail(ctx, MID_ERR_FORMAT, "PGM: sample %zu exceeds maxval",
                                 i * (size_t)channels + (size_t)k);
            }
        }
        if (channels == 1) {
            px[i] = img_scale8(s[0], maxval);
        } else {
            px[i] = img_luma(img_scale8(s[0], maxval), img_scale8(s[1], maxval),
                             img_scale8(s[2], maxval));
        }
    }
    return MID_OK;
}
