/*
 * The native mobileid template record. All multi-byte fields little-endian.
 *
 *   offset  size  field
 *   0       4     magic "MIDT"
 *   4       1     version, 1
 *   5       1     reserved, 0
 *   6       2     image width in pixels (1..MID_MAX_IMAGE_SIDE)
 *   8       2     image height in pixels (1..MID_MAX_IMAGE_SIDE)
 *   10      2     resolution in pixels per inch (0 = unknown, at most MID_MAX_PPI)
 *   12      1     overall quality 0..100 (0 = unknown)
 *   13      1     finger position code (0..15)
 *   14      1     impression type code (0..15)
 *   15      1     minutiae count n (0..MID_MAX_MINUTIAE)
 *   16      7n    minutiae: x (2), y (2), angle in 360/256-degree units (1),
 *                 type 0 other / 1 ending / 2 bifurcation (1), quality 0..100 (1)
 *   16+7n   4     CRC-32 (IEEE polynomial, reflected) of bytes 0 .. 16+7n-1
 *
 * The record is exactly 20 + 7n bytes; any other length, an unknown version, a
 * nonzero reserved byte, a bad CRC or an invalid field is rejected.
 */
#include "template/tmpl.h"

#include <string.h>

#define NATIVE_VERSION 1u
#define NATIVE_HEADER 16u
#define NATIVE_MINUTIA 7u
#define NATIVE_CRC 4u

static void put_le16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static unsigned get_le16(const uint8_t *p) {
    return (unsigned)p[0] | (unsigned)p[1] << 8;
}

mid_status tmpl_native_encode(mid_ctx *ctx, const mid_template *t, uint8_t **out, size_t *len) {
    if (t->count > MID_MAX_MINUTIAE) {
        return core_fail(ctx, MID_ERR_LIMIT, "native encode: %zu minutiae", t->count);
    }
    size_t total = NATIVE_HEADER + t->count * NATIVE_MINUTIA + NATIVE_CRC; /* small */
    uint8_t *p = core_calloc(total, 1);
    if (p == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "native encode: out of memory");
    }
    memcpy(p, "MIDT", 4);
    p[4] = NATIVE_VERSION;
    p[5] = 0;
    put_le16(p + 6, t->width);
    put_le16(p + 8, t->height);
    put_le16(p + 10, t->ppi);
    p[12] = t->quality;
    p[13] = t->finger_position;
    p[14] = t->impression_type;
    p[15] = (uint8_t)t->count;
    uint8_t *q = p + NATIVE_HEADER;
    for (size_t i = 0; i < t->count; i++, q += NATIVE_MINUTIA) {
        const mid_minutia *m = &t->m[i];
        put_le16(q, m->x);
        put_le16(q + 2, m->y);
        q[4] = m->angle;
        q[5] = m->type;
        q[6] = m->quality;
    }
    uint32_t crc = tmpl_crc32(p, total - NATIVE_CRC);
    q[0] = (uint8_t)crc;
    q[1] = (uint8_t)(crc >> 8);
    q[2] = (uint8_t)(crc >> 16);
    q[3] = (uint8_t)(crc >> 24);
    *out = p;
    *len = total;
    return MID_OK;
}

mid_status tmpl_native_decode(mid_ctx *ctx, const uint8_t *p, size_t len, mid_template **out) {
    if (len < NATIVE_HEADER + NATIVE_CRC) {
        return core_fail(ctx, MID_ERR_FORMAT, "native: truncated: %zu bytes, header needs %u", len,
                         NATIVE_HEADER + NATIVE_CRC);
    }
    if (memcmp(p, "MIDT", 4) != 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "native: bad magic at offset 0");
    }
    if (p[4] != NATIVE_VERSION) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED, "native: unsupported version %u at offset 4",
                         (unsigned)p[4]);
    }
    size_t count = p[15];
    size_t want = NATIVE_HEADER + count * NATIVE_MINUTIA + NATIVE_CRC;
    if (len != want) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "native: record is %zu bytes but its count at offset 15 (%zu) needs %zu",
                         len, count, want);
    }
    size_t body = len - NATIVE_CRC;
    uint32_t stored = (uint32_t)p[body] | (uint32_t)p[body + 1] << 8 | (uint32_t)p[body + 2] << 16 |
                      (uint32_t)p[body + 3] << 24;
    if (tmpl_crc32(p, body) != stored) {
        return core_fail(ctx, MID_ERR_FORMAT, "native: CRC-32 at offset %zu does not match", body);
    }
    if (p[5] != 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "native: reserved byte at offset 5 is not zero");
    }
    unsigned width = get_le16(p + 6), height = get_le16(p + 8);
    if (width == 0 || height == 0 || width > MID_MAX_IMAGE_SIDE || height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_FORMAT, "native: image size %ux%u at offset 6 not in 1..%u",
                         width, height, MID_MAX_IMAGE_SIDE);
    }
    if ((double)get_le16(p + 10) > MID_MAX_PPI) {
        return core_fail(ctx, MID_ERR_LIMIT, "native: resolution %u ppi at offset 10 above %.0f",
                         get_le16(p + 10), MID_MAX_PPI);
    }
    if (p[12] > 100 || p[13] > 15 || p[14] > 15) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "native: quality/finger/impression at offset 12 out of range");
    }
    mid_template *t = tmpl_alloc((uint16_t)width, (uint16_t)height, (uint16_t)get_le16(p + 10));
    if (t == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "native: out of memory");
    }
    t->quality = p[12];
    t->finger_position = p[13];
    t->impression_type = p[14];
    const uint8_t *q = p + NATIVE_HEADER;
    for (size_t i = 0; i < count; i++, q += NATIVE_MINUTIA) {
        mid_minutia m = {(uint16_t)get_le16(q), (uint16_t)get_le16(q + 2), q[4], q[5], q[6]};
        if (!tmpl_minutia_ok(t, &m)) {
            size_t at = (size_t)(q - p);
            mid_template_free(t);
            return core_fail(ctx, MID_ERR_FORMAT,
                             "native: minutia %zu at offset %zu invalid (outside the image, "
                             "unknown type or quality > 100)",
                             i, at);
        }
        t->m[t->count++] = m;
    }
    *out = t;
    return MID_OK;
}
