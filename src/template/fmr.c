/*
 * Finger minutiae records: ISO/IEC 19794-2:2005 and ANSI INCITS 378 (2004
 * edition, plus decoding of the 2009 "030" edition). All multi-byte fields are
 * big-endian.
 *
 * Record header                         ISO 19794-2:2005   ANSI 378-2004
 *   format identifier "FMR\0"           4                  4
 *   version " 20\0"                     4                  4
 *   record length                       4                  2 (0 => 4 more bytes follow)
 *   CBEFF product identifier            -                  4
 *   capture equipment (compliance, id)  2                  2
 *   image size x, y (pixels)            2 + 2              2 + 2
 *   resolution x, y (pixels per cm)     2 + 2              2 + 2
 *   number of finger views              1                  1
 *   reserved                            1                  1
 * Finger view header: finger position (1), view number (high 4 bits) and
 * impression type (low 4 bits) (1), finger quality 0..100 (1), minutiae count (1).
 * Minutia, 6 bytes: type (2 bits: 01 ending, 10 bifurcation, 00 other, 11
 * reserved) + x (14 bits); 2 reserved bits + y (14 bits); angle (1): ISO in
 * 360/256-degree units, ANSI in 2-degree units 0..179, both counter-clockwise
 * from the x axis; quality 0..100 (1).
 * Extended data: a 2-byte total length, then blocks of type (2), length (2,
 * including these 4 bytes) and data (ridge counts type 1, cores and deltas type
 * 2, vendor types). This library does not use them: it walks the block headers
 * to check that they tile the declared length and skips them.
 *
 * ANSI INCITS 378-2009 (version "030\0") moves the image size and resolution
 * into each view: header = magic, version, record length (4), CBEFF product id
 * (4), capture equipment (2), number of views (1), reserved (1); view header =
 * finger position (1), view number (1), impression type (1), finger quality (1),
 * quality algorithm owner (2) and id (2), image size x, y (2 + 2), resolution x,
 * y (2 + 2), minutiae count (1); minutiae and extended data as in 2004. It is
 * decoded (libbiomeval's fmr.ansi2007 uses it) but never written.
 *
 * Decoding policy:
 *  - The record length field is authoritative for the record's extent: a buffer
 *    shorter than it is truncated (rejected); bytes after it are padding and
 *    ignored (some tools pad templates to a fixed size).
 *  - Every view's header and minutiae must lie inside the record and every
 *    minutia must be valid: known type, x < image width, y < image height
 *    (rejected, never clamped: a coordinate outside the declared image means the
 *    record is inconsistent), quality <= 100, ANSI angle <= 179. This holds for
 *    all views, though only the first is returned.
 *  - Extended data of every view but the last must lie inside the record, since
 *    it locates the next view. Published reference records disagree with
 *    themselves by a byte or two exactly there: the ISO 19794-2:2005 Annex C.2
 *    worked example declares a 340-byte record whose last view ends at 341;
 *    libbiomeval's fmr.iso2005 declares one byte more of extended data than the
 *    record holds, and its fmr.ansi2004 leaves two bytes between the last
 *    extended data and the record end. So for the last view only, extended data
 *    running past the record end, or bytes left after it, are tolerated up to
 *    FMR_SLACK bytes; those bytes are never read.
 *  - Resolution: ppi = round(x resolution [px/cm] * 2.54), 0 (unknown) stays 0;
 *    the y resolution is not used (the template has one resolution).
 */
#include "template/tmpl.h"

#include <string.h>

#define FMR_SLACK 2u
#define ISO_HEADER 24u
#define ANSI_HEADER 26u
#define ANSI09_HEADER 20u
#define VIEW_HEADER 4u
#define ANSI09_VIEW_HEADER 17u
#define MINUTIA_BYTES 6u

uint8_t tmpl_angle_to_ansi(uint8_t a256) {
    /* degrees/2 = a * 360/256/2 = a * 45/64, rounded half up, 256 units => 180 => 0. */
    unsigned v = ((unsigned)a256 * 45u + 32u) / 64u;
    return (uint8_t)(v % 180u);
}

uint8_t tmpl_angle_from_ansi(uint8_t a2deg) {
    /* a = 2 * d * 256/360 = d * 64/45, rounded half up; 180 units => 256 => 0. */
    unsigned v = ((unsigned)a2deg * 128u + 45u) / 90u;
    return (uint8_t)(v % 256u);
}

bool tmpl_fmr_looks_ansi(const uint8_t *p, size_t len) {
    /* Only meaningful for "FMR\0" records. "030\0" is taken for ANSI 378-2009
     * (ISO 19794-2:2011 shares the string but is not supported here anyway).
     * For " 20\0" the record length decides: ANSI keeps 2 bytes at offset 8
     * (>= 32 for any record with a view) or 0 there and 4 bytes at 10; ISO keeps
     * 4 bytes at offset 8. So a nonzero 16-bit value at 8 is ANSI unless it is
     * below ANSI's minimum record size (then it is the high half of an ISO
     * length of 64 KiB or more). A zero there is ISO when the next 16 bits are
     * at least the ISO minimum record size (24; an ANSI long length would then
     * be >= 24 * 65536 bytes, beyond MID_MAX_TEMPLATE_BYTES), else ANSI's long
     * form. */
    if (len < 12) {
        return false;
    }
    if (memcmp(p + 4, "030\0", 4) == 0) {
        return true;
    }
    unsigned hi = (unsigned)p[8] << 8 | p[9];
    unsigned lo = (unsigned)p[10] << 8 | p[11];
    if (hi != 0) {
        return hi >= ANSI_HEADER + VIEW_HEADER + 2u;
    }
    return lo < ISO_HEADER;
}

typedef struct fmr_geom {
    uint16_t width, height, xres;
} fmr_geom;

static mid_status check_geom(mid_ctx *ctx, const char *fmt, const fmr_geom *g, size_t off) {
    if (g->width == 0 || g->height == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: zero image size %ux%u at offset %zu", fmt,
                         (unsigned)g->width, (unsigned)g->height, off);
    }
    if (g->width > MID_MAX_IMAGE_SIDE || g->height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: image size %ux%u at offset %zu exceeds %u", fmt,
                         (unsigned)g->width, (unsigned)g->height, off, MID_MAX_IMAGE_SIDE);
    }
    unsigned ppi = ((unsigned)g->xres * 254u + 50u) / 100u;
    if ((double)ppi > MID_MAX_PPI) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "%s: x resolution %u px/cm at offset %zu is above %.0f ppi", fmt,
                         (unsigned)g->xres, off, MID_MAX_PPI);
    }
    return MID_OK;
}

/* Walks the extended data blocks of one view: r->off is at the 2-byte length.
 * last: apply the FMR_SLACK tolerance (see the policy above). */
static mid_status skip_extended(mid_ctx *ctx, tmpl_reader *r, bool last, unsigned view) {
    mid_status st = tmpl_need(ctx, r, 2, "extended data length");
    if (st != MID_OK) {
        return st;
    }
    size_t at = r->off;
    size_t ext = tmpl_be16(r);
    size_t avail = r->len - r->off;
    if (ext > avail && (!last || ext - avail > FMR_SLACK)) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: view %u extended data length %zu at offset %zu runs past the record "
                         "end (%zu bytes left)",
                         r->fmt, view, ext, at, avail);
    }
    size_t base = r->off;
    size_t q = 0;
    while (q < ext) {
        if (ext - q < 4 || avail < q + 4) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %u extended data block header at offset %zu truncated",
                             r->fmt, view, base + q);
        }
        size_t blen = (size_t)r->p[base + q + 2] << 8 | r->p[base + q + 3];
        if (blen < 4 || blen > ext - q) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %u extended data block at offset %zu has length %zu "
                             "(outside 4..%zu)",
                             r->fmt, view, base + q, blen, ext - q);
        }
        q += blen;
    }
    r->off += ext < avail ? ext : avail;
    if (last && r->len - r->off > FMR_SLACK) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: record length %zu disagrees with the data, which ends at offset %zu",
                         r->fmt, r->len, r->off);
    }
    return MID_OK;
}

mid_status tmpl_fmr_decode(mid_ctx *ctx, const uint8_t *p, size_t len, bool ansi,
                           mid_template **out) {
    const char *fmt = ansi ? "ANSI 378" : "ISO 19794-2";
    tmpl_reader r = {p, len, 0, fmt};
    mid_status st = tmpl_need(ctx, &r, 8, "format identifier and version");
    if (st != MID_OK) {
        return st;
    }
    if (memcmp(p, "FMR\0", 4) != 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: format identifier at offset 0 is not FMR", fmt);
    }
    bool v2009 = false;
    if (memcmp(p + 4, "030\0", 4) == 0 && ansi) {
        v2009 = true;
    } else if (memcmp(p + 4, " 20\0", 4) != 0) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED, "%s: unsupported version at offset 4", fmt);
    }
    r.off = 8;
    size_t rl;
    size_t header;
    if (!ansi) {
        header = ISO_HEADER;
        if ((st = tmpl_need(ctx, &r, 4, "record length")) != MID_OK) {
            return st;
        }
        rl = tmpl_be32(&r);
    } else if (v2009) {
        header = ANSI09_HEADER;
        if ((st = tmpl_need(ctx, &r, 4, "record length")) != MID_OK) {
            return st;
        }
        rl = tmpl_be32(&r);
    } else {
        header = ANSI_HEADER;
        if ((st = tmpl_need(ctx, &r, 2, "record length")) != MID_OK) {
            return st;
        }
        rl = tmpl_be16(&r);
        if (rl == 0) {
            header += 4;
            if ((st = tmpl_need(ctx, &r, 4, "long record length")) != MID_OK) {
                return st;
            }
            rl = tmpl_be32(&r);
        }
    }
    if (rl < header) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: record length %zu is below the %zu-byte header",
                         fmt, rl, header);
    }
    if (rl > MID_MAX_TEMPLATE_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: record length %zu exceeds the %u byte limit", fmt,
                         rl, MID_MAX_TEMPLATE_BYTES);
    }
    if (rl > len) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: truncated: record length field says %zu bytes, only %zu present", fmt,
                         rl, len);
    }
    r.len = rl; /* everything below reads inside the declared record */
    if (ansi) {
        r.off += 4; /* CBEFF product identifier */
    }
    r.off += 2; /* capture equipment */
    fmr_geom g = {0, 0, 0};
    if (!v2009) {
        size_t at = r.off;
        g.width = tmpl_be16(&r);
        g.height = tmpl_be16(&r);
        g.xres = tmpl_be16(&r);
        r.off += 2; /* y resolution */
        if ((st = check_geom(ctx, fmt, &g, at)) != MID_OK) {
            return st;
        }
    }
    unsigned views = tmpl_u8(&r);
    r.off += 1; /* reserved */
    if (views == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: zero finger views at offset %zu", fmt,
                         r.off - 2);
    }
    mid_template *t = NULL;
    for (unsigned v = 0; v < views; v++) {
        size_t vh = v2009 ? ANSI09_VIEW_HEADER : VIEW_HEADER;
        if ((st = tmpl_need(ctx, &r, vh, "finger view header")) != MID_OK) {
            goto fail;
        }
        uint8_t position = tmpl_u8(&r);
        uint8_t impression;
        if (v2009) {
            r.off += 1; /* view number */
            impression = tmpl_u8(&r);
        } else {
            impression = tmpl_u8(&r) & 0x0Fu;
        }
        size_t qat = r.off;
        uint8_t quality = tmpl_u8(&r);
        if (v2009) {
            r.off += 4; /* quality algorithm owner and id */
            size_t at = r.off;
            g.width = tmpl_be16(&r);
            g.height = tmpl_be16(&r);
            g.xres = tmpl_be16(&r);
            r.off += 2;
            if ((st = check_geom(ctx, fmt, &g, at)) != MID_OK) {
                goto fail;
            }
        }
        if (position > 15 || impression > 15) {
            st = core_fail(ctx, MID_ERR_FORMAT,
                           "%s: view %u finger position %u or impression type %u above 15 at "
                           "offset %zu",
                           fmt, v, (unsigned)position, (unsigned)impression, qat - 2);
            goto fail;
        }
        if (quality > 100) {
            st = core_fail(ctx, MID_ERR_FORMAT, "%s: view %u finger quality %u at offset %zu > 100",
                           fmt, v, (unsigned)quality, qat);
            goto fail;
        }
        size_t count = tmpl_u8(&r);
        size_t bytes = count * MINUTIA_BYTES; /* <= 255 * 6: no overflow */
        if ((st = tmpl_need(ctx, &r, bytes, "minutiae")) != MID_OK) {
            goto fail;
        }
        mid_template scratch;
        mid_template *dst = &scratch;
        if (v == 0) {
            unsigned ppi = ((unsigned)g.xres * 254u + 50u) / 100u;
            t = tmpl_alloc(g.width, g.height, (uint16_t)ppi);
            if (t == NULL) {
                return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", fmt);
            }
            t->quality = quality;
            t->finger_position = position;
            t->impression_type = impression;
            dst = t;
        } else {
            scratch.width = g.width;
            scratch.height = g.height;
        }
        for (size_t i = 0; i < count; i++) {
            size_t at = r.off;
            unsigned a = tmpl_be16(&r);
            unsigned b = tmpl_be16(&r);
            uint8_t angle = tmpl_u8(&r);
            uint8_t mq = tmpl_u8(&r);
            unsigned type = a >> 14;
            if (type == 3) {
                st = core_fail(ctx, MID_ERR_FORMAT,
                               "%s: view %u minutia %zu at offset %zu has reserved type 11", fmt, v,
                               i, at);
                goto fail;
            }
            if (ansi && angle > 179) {
                st = core_fail(ctx, MID_ERR_FORMAT,
                               "%s: view %u minutia %zu at offset %zu has angle %u > 179", fmt, v,
                               i, at, (unsigned)angle);
                goto fail;
            }
            mid_minutia m = {(uint16_t)(a & 0x3FFFu), (uint16_t)(b & 0x3FFFu),
                             ansi ? tmpl_angle_from_ansi(angle) : angle,
                             (uint8_t)(type == 1   ? MID_MINUTIA_ENDING
                                       : type == 2 ? MID_MINUTIA_BIFURCATION
                                                   : MID_MINUTIA_OTHER),
                             mq};
            if (!tmpl_minutia_ok(dst, &m)) {
                st = core_fail(ctx, MID_ERR_FORMAT,
                               "%s: view %u minutia %zu at offset %zu: (%u,%u) outside the %ux%u "
                               "image or quality %u > 100",
                               fmt, v, i, at, (unsigned)m.x, (unsigned)m.y, (unsigned)g.width,
                               (unsigned)g.height, (unsigned)mq);
                goto fail;
            }
            if (dst == t) {
                t->m[t->count++] = m;
            }
        }
        if ((st = skip_extended(ctx, &r, v + 1 == views, v)) != MID_OK) {
            goto fail;
        }
    }
    *out = t;
    return MID_OK;
fail:
    mid_template_free(t);
    return st;
}

static void put16(uint8_t *p, size_t *o, unsigned v) {
    p[(*o)++] = (uint8_t)(v >> 8);
    p[(*o)++] = (uint8_t)v;
}

mid_status tmpl_fmr_encode(mid_ctx *ctx, const mid_template *t, bool ansi, uint8_t **out,
                           size_t *len) {
    const char *fmt = ansi ? "ANSI 378" : "ISO 19794-2";
    if (t->count > MID_MAX_MINUTIAE || t->width > MID_MAX_IMAGE_SIDE ||
        t->height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s encode: template exceeds the record limits", fmt);
    }
    size_t header = ansi ? ANSI_HEADER : ISO_HEADER;
    size_t total = header + VIEW_HEADER + t->count * MINUTIA_BYTES + 2; /* < 2000: no overflow */
    uint8_t *p = core_calloc(total, 1);
    if (p == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "%s encode: out of memory", fmt);
    }
    size_t o = 0;
    memcpy(p, "FMR\0 20\0", 8);
    o = 8;
    if (ansi) {
        put16(p, &o, (unsigned)total);
        o += 4; /* CBEFF product identifier: none */
    } else {
        put16(p, &o, (unsigned)(total >> 16));
        put16(p, &o, (unsigned)(total & 0xFFFFu));
    }
    o += 2;                                                 /* capture equipment: unreported */
    unsigned res = ((unsigned)t->ppi * 100u + 127u) / 254u; /* round(ppi / 2.54) */
    put16(p, &o, t->width);
    put16(p, &o, t->height);
    put16(p, &o, res);
    put16(p, &o, res);
    p[o++] = 1; /* one finger view */
    p[o++] = 0;
    p[o++] = t->finger_position;
    p[o++] = (uint8_t)(t->impression_type & 0x0Fu); /* view number 0 */
    p[o++] = t->quality > 100 ? 100 : t->quality;
    p[o++] = (uint8_t)t->count;
    for (size_t i = 0; i < t->count; i++) {
        const mid_minutia *m = &t->m[i];
        if (!tmpl_minutia_ok(t, m)) {
            mid_free(p);
            return core_fail(ctx, MID_ERR_ARG, "%s encode: minutia %zu is invalid", fmt, i);
        }
        unsigned type = m->type == MID_MINUTIA_ENDING        ? 1u
                        : m->type == MID_MINUTIA_BIFURCATION ? 2u
                                                             : 0u;
        put16(p, &o, type << 14 | m->x);
        put16(p, &o, m->y);
        p[o++] = ansi ? tmpl_angle_to_ansi(m->angle) : m->angle;
        p[o++] = m->quality;
    }
    put16(p, &o, 0); /* no extended data */
    *out = p;
    *len = total;
    return MID_OK;
}
