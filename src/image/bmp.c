/*
 * Windows/OS2 bitmap decoding (own parser; no library). Layout per the Win32
 * GDI documentation of BITMAPFILEHEADER, BITMAPCOREHEADER (12 bytes),
 * BITMAPINFOHEADER (40), its V2/V3 extensions (52/56, with colour masks),
 * BITMAPV4HEADER (108) and BITMAPV5HEADER (124), plus the OS/2 2.x header
 * (16..64 bytes). All fields are little-endian. Supported: 1/4/8-bit palette,
 * 16/24/32-bit (BI_RGB, BI_BITFIELDS, BI_ALPHABITFIELDS), RLE8 and RLE4,
 * bottom-up and top-down rows. Every offset and size is checked against the
 * buffer before use, and the dimensions against the limits before allocating.
 */
#include "image/image_internal.h"

#include <string.h>

enum { BI_RGB = 0, BI_RLE8 = 1, BI_RLE4 = 2, BI_BITFIELDS = 3, BI_ALPHABITFIELDS = 6 };

static uint32_t rd16(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8);
}

static uint32_t rd32(const uint8_t *p) {
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

typedef struct chan {
    uint32_t mask;
    unsigned shift;
    uint32_t max; /* mask >> shift */
} chan;

/* Masks must be one contiguous run of bits (possibly empty). */
static int chan_init(chan *c, uint32_t mask) {
    c->mask = mask;
    c->shift = 0;
    c->max = 0;
    if (mask == 0) {
        return 0;
    }
    while (((mask >> c->shift) & 1u) == 0) {
        c->shift++;
    }
    c->max = mask >> c->shift;
    return (c->max & (c->max + 1u)) == 0 ? 0 : -1;
}

static unsigned chan_get(const chan *c, uint32_t v) {
    if (c->max == 0) {
        return 0;
    }
    return img_scale8((v & c->mask) >> c->shift, c->max);
}

typedef struct bmp {
    const uint8_t *d;
    size_t len;
    uint32_t width, height;
    int top_down;
    unsigned bpp;
    uint32_t compression;
    uint8_t pal[256]; /* palette entries as grey */
    uint32_t pal_n;
    chan r, g, b, a;
} bmp;

static mid_status fail_index(mid_ctx *ctx, unsigned idx, uint32_t n) {
    return core_fail(ctx, MID_ERR_FORMAT, "BMP: palette index %u beyond palette of %u entries", idx,
                     (unsigned)n);
}

static mid_status decode_rle(mid_ctx *ctx, const bmp *b, size_t pos, uint8_t *px) {
    /* Unwritten pixels (skipped by delta or end-of-line codes) take palette entry 0. */
    memset(px, b->pal_n ? b->pal[0] : 0, (size_t)b->width * b->height);
    const int four = b->compression == BI_RLE4;
    uint32_t x = 0, y = 0; /* y counts rows from the bottom */
    for (;;) {
        if (pos + 2 > b->len) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE data truncated at row %u", (unsigned)y);
        }
        unsigned n = b->d[pos], v = b->d[pos + 1];
        pos += 2;
        if (n > 0) { /* encoded run: n pixels of v (RLE4: alternating nibbles) */
            for (unsigned i = 0; i < n; i++, x++) {
                unsigned idx = four ? ((i & 1u) ? (v & 15u) : (v >> 4)) : v;
                if (idx >= b->pal_n) {
                    return fail_index(ctx, idx, b->pal_n);
                }
                if (x < b->width && y < b->height) {
                    px[(size_t)(b->height - 1u - y) * b->width + x] = b->pal[idx];
                }
            }
            continue;
        }
        if (v == 0) { /* end of line */
            x = 0;
            y++;
        } else if (v == 1) { /* end of bitmap */
            return MID_OK;
        } else if (v == 2) { /* delta */
            if (pos + 2 > b->len) {
                return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE delta truncated");
            }
            x += b->d[pos];
            y += b->d[pos + 1];
            pos += 2;
        } else { /* absolute run of v pixels, padded to a 16-bit boundary */
            size_t bytes = four ? ((size_t)v + 1u) / 2u : (size_t)v;
            size_t padded = (bytes + 1u) & ~(size_t)1u;
            if (padded > b->len - pos) {
                return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE absolute run truncated");
            }
            for (unsigned i = 0; i < v; i++, x++) {
                unsigned byte = b->d[pos + (four ? i / 2u : i)];
                unsigned idx = four ? ((i & 1u) ? (byte & 15u) : (byte >> 4)) : byte;
                if (idx >= b->pal_n) {
                    return fail_index(ctx, idx, b->pal_n);
                }
                if (x < b->width && y < b->height) {
                    px[(size_t)(b->height - 1u - y) * b->width + x] = b->pal[idx];
                }
            }
            pos += padded;
        }
        if (y > b->height) {
            /* Runs past the last row cannot draw anything; a real file ends here. */
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE data runs past the last row");
        }
        if (x > 0xFFFF) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE row overflows");
        }
    }
}

static uint32_t get_px(const uint8_t *row, uint32_t x, unsigned bpp) {
    if (bpp == 16) {
        return rd16(row + (size_t)x * 2u);
    }
    return rd32(row + (size_t)x * 4u);
}

mid_status img_decode_bmp(mid_ctx *ctx, const uint8_t *d, size_t len, mid_image **out) {
    if (len < 14 + 12 || d[0] != 'B' || d[1] != 'M') {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: %s",
                         len >= 2 && d[0] == 'B' && d[1] == 'M' ? "header truncated"
                                                                : "BM signature missing");
    }
    bmp b;
    memset(&b, 0, sizeof(b));
    b.d = d;
    b.len = len;
    const uint32_t off_bits = rd32(d + 10);
    const uint32_t hsize = rd32(d + 14);
    const int core = hsize == 12;
    const int os2 = hsize == 16 || hsize == 64;
    if (!core && !os2 && hsize != 40 && hsize != 52 && hsize != 56 && hsize != 108 &&
        hsize != 124) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED, "BMP: unknown header size %u", (unsigned)hsize);
    }
    if (hsize > len - 14) {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: %u-byte info header truncated",
                         (unsigned)hsize);
    }
    const uint8_t *h = d + 14;
    int64_t w, ht;
    unsigned planes;
    uint32_t xppm = 0, clr_used = 0;
    if (core) {
        w = rd16(h + 4);
        ht = rd16(h + 6);
        planes = rd16(h + 8);
        b.bpp = rd16(h + 10);
    } else {
        w = (int32_t)rd32(h + 4);
        ht = (int32_t)rd32(h + 8);
        planes = rd16(h + 12);
        b.bpp = rd16(h + 14);
        if (hsize >= 20) {
            b.compression = rd32(h + 16);
        }
        if (hsize >= 28) {
            xppm = rd32(h + 24);
        }
        if (hsize >= 36) {
            clr_used = rd32(h + 32);
        }
    }
    if (planes != 1) {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: %u planes (must be 1)", planes);
    }
    if (w <= 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: width %lld is not positive", (long long)w);
    }
    if (ht < 0) {
        b.top_down = 1;
        ht = -ht;
    }
    mid_status st = img_check_dims(ctx, "BMP", (uint64_t)w, (uint64_t)ht);
    if (st != MID_OK) {
        return st;
    }
    b.width = (uint32_t)w;
    b.height = (uint32_t)ht;
    if (os2 && b.compression >= 3) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED, "BMP: OS/2 compression %u unsupported",
                         (unsigned)b.compression);
    }
    /* Which depth goes with which compression (Win32 BITMAPINFOHEADER docs). */
    switch (b.compression) {
    case BI_RGB:
        if (b.bpp != 1 && b.bpp != 4 && b.bpp != 8 && b.bpp != 16 && b.bpp != 24 && b.bpp != 32) {
            return core_fail(ctx, MID_ERR_UNSUPPORTED, "BMP: %u bits per pixel unsupported", b.bpp);
        }
        if (core && (b.bpp == 16 || b.bpp == 32)) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: %u bits per pixel invalid in a core header",
                             b.bpp);
        }
        break;
    case BI_RLE8:
    case BI_RLE4:
        if (b.bpp != (b.compression == BI_RLE8 ? 8u : 4u)) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE%u with %u bits per pixel",
                             b.compression == BI_RLE8 ? 8u : 4u, b.bpp);
        }
        if (b.top_down) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: RLE bitmaps cannot be top-down");
        }
        break;
    case BI_BITFIELDS:
    case BI_ALPHABITFIELDS:
        if (b.bpp != 16 && b.bpp != 32) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: bit fields with %u bits per pixel", b.bpp);
        }
        break;
    default:
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "BMP: compression %u (JPEG/PNG/other) unsupported",
                         (unsigned)b.compression);
    }
    /* Colour masks: in the header for V2+ (52 bytes and up), else right after a
     * 40-byte header when the compression says bit fields. */
    size_t pal_pos = 14u + hsize;
    uint32_t masks[4] = {0, 0, 0, 0};
    if (b.bpp == 16) {
        masks[0] = 0x7C00u, masks[1] = 0x03E0u, masks[2] = 0x001Fu;
    } else if (b.bpp == 32) {
        masks[0] = 0xFF0000u, masks[1] = 0xFF00u, masks[2] = 0xFFu;
    }
    if (b.compression == BI_BITFIELDS || b.compression == BI_ALPHABITFIELDS) {
        unsigned nm = b.compression == BI_ALPHABITFIELDS ? 4u : 3u;
        const uint8_t *mp = h + 40;
        if (hsize == 40) {
            if (len - pal_pos < 4u * nm) {
                return core_fail(ctx, MID_ERR_FORMAT, "BMP: colour masks truncated");
            }
            pal_pos += 4u * nm;
        } else if (hsize < 52 || (nm == 4 && hsize < 56)) {
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: bit fields without colour masks");
        }
        for (unsigned i = 0; i < nm; i++) {
            masks[i] = rd32(mp + 4u * i);
        }
        if (hsize >= 56 && nm == 3) {
            masks[3] = rd32(mp + 12);
        }
    } else if (hsize >= 56 && b.compression == BI_RGB && b.bpp == 32) {
        masks[3] = rd32(h + 52); /* V3+ alpha mask applies to 32-bit BI_RGB too */
    }
    if (chan_init(&b.r, masks[0]) || chan_init(&b.g, masks[1]) || chan_init(&b.b, masks[2]) ||
        chan_init(&b.a, masks[3])) {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: colour mask is not a contiguous bit run");
    }
    /* Palette (grey values of its entries). */
    if (b.bpp <= 8) {
        const uint32_t full = 1u << b.bpp;
        const size_t ent = core ? 3u : 4u;
        uint32_t n = clr_used == 0 || clr_used > full ? full : clr_used;
        if (pal_pos > len || (len - pal_pos) / ent < n) {
            /* Files written with a shorter palette than declared are common only when
             * the pixel data follows directly; be exact instead of guessing. */
            return core_fail(ctx, MID_ERR_FORMAT, "BMP: palette of %u entries truncated",
                             (unsigned)n);
        }
        if (off_bits != 0 && off_bits < pal_pos + n * ent && off_bits >= pal_pos) {
            n = (uint32_t)((off_bits - pal_pos) / ent); /* palette overlaps the pixels */
        }
        for (uint32_t i = 0; i < n; i++) {
            const uint8_t *e = d + pal_pos + i * ent; /* B, G, R(, reserved) */
            b.pal[i] = img_luma(e[2], e[1], e[0]);
        }
        b.pal_n = n;
    }
    if (off_bits < 14u + 12u || off_bits >= len) {
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: pixel data offset %u outside the file",
                         (unsigned)off_bits);
    }
    double ppi = xppm > 0 && xppm < 0x7FFFFFFFu ? img_ppi_from_metric(xppm, 0.0254) : 0.0;
    st = img_alloc(ctx, "BMP", b.width, b.height, ppi, out);
    if (st != MID_OK) {
        return st;
    }
    uint8_t *px = (*out)->pixels;
    if (b.compression == BI_RLE8 || b.compression == BI_RLE4) {
        st = decode_rle(ctx, &b, off_bits, px);
        if (st != MID_OK) {
            mid_image_free(*out);
            *out = NULL;
        }
        return st;
    }
    /* Rows are padded to 4 bytes; the last row's padding may be missing. */
    const size_t stride = (((size_t)b.width * b.bpp + 31u) / 32u) * 4u;
    const size_t last = ((size_t)b.width * b.bpp + 7u) / 8u;
    const size_t avail = len - off_bits;
    if ((size_t)(b.height - 1u) * stride + last > avail) {
        mid_image_free(*out);
        *out = NULL;
        return core_fail(ctx, MID_ERR_FORMAT, "BMP: pixel data truncated (%zu of %zu bytes)", avail,
                         (size_t)(b.height - 1u) * stride + last);
    }
    /* Alpha only counts when some pixel uses it: many writers leave it all zero. */
    int use_alpha = 0;
    if (b.a.mask != 0) {
        for (uint32_t y = 0; y < b.height && !use_alpha; y++) {
            const uint8_t *row = d + off_bits + (size_t)y * stride;
            for (uint32_t x = 0; x < b.width; x++) {
                if (get_px(row, x, b.bpp) & b.a.mask) {
                    use_alpha = 1;
                    break;
                }
            }
        }
    }
    for (uint32_t y = 0; y < b.height; y++) {
        const uint8_t *row = d + off_bits + (size_t)y * stride;
        uint8_t *o = px + (size_t)(b.top_down ? y : b.height - 1u - y) * b.width;
        for (uint32_t x = 0; x < b.width; x++) {
            if (b.bpp <= 8) {
                unsigned idx;
                if (b.bpp == 8) {
                    idx = row[x];
                } else {
                    unsigned per = 8u / b.bpp, bit = (x % per) * b.bpp;
                    idx = (row[x / per] >> (8u - b.bpp - bit)) & ((1u << b.bpp) - 1u);
                }
                if (idx >= b.pal_n) {
                    mid_image_free(*out);
                    *out = NULL;
                    return fail_index(ctx, idx, b.pal_n);
                }
                o[x] = b.pal[idx];
            } else if (b.bpp == 24) {
                const uint8_t *p = row + (size_t)x * 3u;
                o[x] = img_luma(p[2], p[1], p[0]);
            } else {
                uint32_t v = get_px(row, x, b.bpp);
                uint8_t yv = img_luma(chan_get(&b.r, v), chan_get(&b.g, v), chan_get(&b.b, v));
                o[x] = use_alpha ? img_over_white(yv, chan_get(&b.a, v)) : yv;
            }
        }
    }
    return MID_OK;
}
