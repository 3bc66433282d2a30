/*
 * Multi-finger, multi-view finger minutiae records in four interchange formats:
 * ISO/IEC 19794-2:2005 and :2011, ANSI INCITS 378-2004 and -2009. All
 * multi-byte fields are big-endian; every record starts "FMR\0".
 *
 * ISO 19794-2:2005 (version " 20\0"): record length (4), capture equipment (2),
 *   image width, height (2 + 2), x, y resolution in px/cm (2 + 2), views (1),
 *   reserved (1) = 24 bytes; view: finger position (1), view number (high 4
 *   bits) + impression type (low 4) (1), finger quality (1), minutiae count (1);
 *   minutiae; extended data length (2) and blocks.
 * ANSI 378-2004 (" 20\0"): record length (2, or 0 then 4), CBEFF product id (4),
 *   then as ISO 2005 from capture equipment on (26 or 30 bytes of header).
 * ANSI 378-2009 ("030\0"): record length (4), CBEFF product id (4), capture
 *   equipment (2), views (1), reserved (1) = 20 bytes; view: finger position (1),
 *   view number (1), impression type (1), finger quality (1), quality algorithm
 *   owner (2) and id (2), image width, height (2 + 2), x, y resolution (2 + 2),
 *   minutiae count (1) = 17 bytes; minutiae; extended data.
 * ISO 19794-2:2011 ("030\0", general header per ISO/IEC 19794-1:2011): record
 *   length (4), number of representations (2), certification flag (1) = 15
 *   bytes; representation: its length (4, including itself), capture date and
 *   time (9: year 2, month, day, hour, minute, second 1 each, millisecond 2),
 *   device technology (1), device vendor (2), device type (2), quality block
 *   count (1) and blocks of score (1), algorithm vendor (2), algorithm id (2),
 *   when the certification flag is 1 a certification block count (1) and blocks
 *   of authority (2) and scheme (1), then finger position (1), representation
 *   number (1), x, y resolution in px/cm (2 + 2), impression type (1), image
 *   width, height (2 + 2), bytes per minutia (high 4 bits: 5 without, 6 with
 *   minutia quality) + ridge ending type (low 4 bits) (1), minutiae count (1),
 *   minutiae, extended data length (2) and blocks.
 * Minutia (all formats): type (2 bits: 01 ending, 10 bifurcation, 00 other) +
 *   x (14 bits); 2 reserved bits + y (14 bits); angle (1: ISO 360/256-degree
 *   units, ANSI 2-degree units 0..179); quality (1, absent in 5-byte ISO 2011
 *   minutiae; ISO 2011 254 = not computed, 255 = failed, both read as 0).
 *
 * Decoding policy (as fmr.c's single-view decoder): the record length is the
 * record's extent (a shorter buffer is truncated, trailing bytes are ignored);
 * every field is range-checked with a message naming the field and offset;
 * extended data blocks must tile their declared length, and only for the last
 * view of a 2005/2004 record may the extended data overrun the record end or
 * leave bytes after it, by at most REC_SLACK bytes (published examples are off
 * by one or two there). ISO 2011 representations are exact: each one's length
 * must match its content.
 */
#include "template/tmpl.h"

#include <stdlib.h>
#include <string.h>

#define REC_SLACK 2u
#define MINUTIA_BYTES 6u
#define ISO11_HEADER 15u
#define ISO11_REP_MIN 34u /* representation with no blocks, minutiae or extended data */
#define ANSI09_HEADER 20u
#define ANSI09_VIEW 17u
#define ISO05_HEADER 24u
#define ANSI04_HEADER 26u
#define OLD_VIEW 4u

typedef struct rec_view {
    mid_template *t;
    mid_template_view_info info;
    uint8_t minutia_bytes; /* ISO 2011 only: 5 or 6 as read; 0 = not read from 2011 */
    uint8_t *quality;      /* ISO 2011 quality blocks, 5 bytes each, as read */
    size_t n_quality;
    uint8_t *cert; /* ISO 2011 certification blocks, 3 bytes each, as read */
    size_t n_cert;
    uint8_t *ext; /* extended data blocks as read (without the 2-byte length) */
    size_t ext_len;
} rec_view;

struct mid_template_record {
    mid_template_format source;
    mid_template_record_info header;
    bool cert_flag; /* ISO 2011 certification flag as read */
    size_t count;
    rec_view views[MID_MAX_TEMPLATE_VIEWS];
};

static const char *fmt_name(mid_template_format f) {
    switch (f) {
    case MID_TEMPLATE_ISO19794_2_2005:
        return "ISO 19794-2:2005";
    case MID_TEMPLATE_ISO19794_2_2011:
        return "ISO 19794-2:2011";
    case MID_TEMPLATE_ANSI378_2004:
        return "ANSI 378-2004";
    case MID_TEMPLATE_ANSI378_2009:
        return "ANSI 378-2009";
    case MID_TEMPLATE_NATIVE:
        return "native";
    case MID_TEMPLATE_AUTO:
        break;
    }
    return "template record";
}

static bool is_ansi(mid_template_format f) {
    return f == MID_TEMPLATE_ANSI378_2004 || f == MID_TEMPLATE_ANSI378_2009;
}

/* ---- record object ---------------------------------------------------------- */

void mid_template_view_info_init(mid_template_view_info *info) {
    if (info == NULL) {
        return;
    }
    memset(info, 0, sizeof(*info));
    info->capture.year = 0xFFFFu;
    info->capture.month = info->capture.day = info->capture.hour = 0xFFu;
    info->capture.minute = info->capture.second = 0xFFu;
    info->capture.millisecond = 0xFFFFu;
}

mid_status mid_template_record_create(mid_ctx *ctx, mid_template_record **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_create: NULL output");
    }
    *out = core_calloc(1, sizeof(**out));
    return *out ? MID_OK : core_fail(ctx, MID_ERR_NOMEM, "template_record_create: out of memory");
}

static void view_clear(rec_view *v) {
    mid_template_free(v->t);
    free(v->quality);
    free(v->cert);
    if (v->ext != NULL) {
        core_wipe(v->ext, v->ext_len);
        free(v->ext);
    }
    memset(v, 0, sizeof(*v));
}

void mid_template_record_free(mid_template_record *r) {
    if (r != NULL) {
        for (size_t i = 0; i < r->count; i++) {
            view_clear(&r->views[i]);
        }
        free(r);
    }
}

size_t mid_template_record_count(const mid_template_record *r) {
    return r ? r->count : 0;
}

const mid_template *mid_template_record_view(const mid_template_record *r, size_t i) {
    return r != NULL && i < r->count ? r->views[i].t : NULL;
}

mid_status mid_template_record_view_info(mid_ctx *ctx, const mid_template_record *r, size_t i,
                                         mid_template_view_info *out) {
    if (r == NULL || out == NULL || i >= r->count) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_view_info: no view %zu", i);
    }
    *out = r->views[i].info;
    return MID_OK;
}

mid_template_record_info mid_template_record_header(const mid_template_record *r) {
    mid_template_record_info z = {0, 0};
    return r ? r->header : z;
}

void mid_template_record_set_header(mid_template_record *r, const mid_template_record_info *info) {
    if (r != NULL && info != NULL) {
        r->header = *info;
    }
}

mid_template_format mid_template_record_source(const mid_template_record *r) {
    return r ? r->source : MID_TEMPLATE_AUTO;
}

/* Takes ownership of t (freed on failure). */
static mid_status push_view(mid_ctx *ctx, mid_template_record *r, mid_template *t,
                            const mid_template_view_info *info) {
    if (r->count >= MID_MAX_TEMPLATE_VIEWS) {
        mid_template_free(t);
        return core_fail(ctx, MID_ERR_LIMIT, "template record: more than %u finger views",
                         MID_MAX_TEMPLATE_VIEWS);
    }
    rec_view *v = &r->views[r->count++];
    memset(v, 0, sizeof(*v));
    v->t = t;
    if (info != NULL) {
        v->info = *info;
    } else {
        mid_template_view_info_init(&v->info);
    }
    return MID_OK;
}

mid_status mid_template_record_add(mid_ctx *ctx, mid_template_record *r, const mid_template *t,
                                   const mid_template_view_info *info) {
    if (r == NULL || t == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_add: NULL argument");
    }
    if (info != NULL && (info->view_number > 15 || info->ending_type > 15)) {
        return core_fail(ctx, MID_ERR_ARG,
                         "template_record_add: view number %u or ending type %u above 15",
                         (unsigned)info->view_number, (unsigned)info->ending_type);
    }
    mid_template *copy = tmpl_alloc(t->width, t->height, t->ppi);
    if (copy == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "template_record_add: out of memory");
    }
    *copy = *t;
    return push_view(ctx, r, copy, info);
}

/* Moves view i's template out of the record (single-template decoding). */
mid_template *tmpl_record_take(mid_template_record *r, size_t i) {
    mid_template *t = r->views[i].t;
    r->views[i].t = NULL;
    return t;
}

/* ---- decoding ---------------------------------------------------------------- */

static uint8_t *dup_bytes(const uint8_t *p, size_t n) {
    uint8_t *d = malloc(n ? n : 1);
    if (d != NULL && n > 0) {
        memcpy(d, p, n);
    }
    return d;
}

typedef struct geom {
    uint16_t width, height, xres;
} geom;

static mid_status check_geom(mid_ctx *ctx, const char *fmt, const geom *g, size_t off) {
    if (g->width == 0 || g->height == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: zero image size %ux%u at offset %zu", fmt,
                         (unsigned)g->width, (unsigned)g->height, off);
    }
    if (g->width > MID_MAX_IMAGE_SIDE || g->height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: image size %ux%u at offset %zu exceeds %u", fmt,
                         (unsigned)g->width, (unsigned)g->height, off, MID_MAX_IMAGE_SIDE);
    }
    if ((double)(((unsigned)g->xres * 254u + 50u) / 100u) > MID_MAX_PPI) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "%s: x resolution %u px/cm at offset %zu is above %.0f ppi", fmt,
                         (unsigned)g->xres, off, MID_MAX_PPI);
    }
    return MID_OK;
}

/* Reads the extended data of one view (r->off at its 2-byte length) into v.
 * slack: tolerate REC_SLACK bytes of overrun (last view of 2005/2004 records). */
static mid_status read_extended(mid_ctx *ctx, tmpl_reader *r, bool slack, size_t view,
                                rec_view *v) {
    mid_status st = tmpl_need(ctx, r, 2, "extended data length");
    if (st != MID_OK) {
        return st;
    }
    size_t at = r->off;
    size_t ext = tmpl_be16(r);
    size_t avail = r->len - r->off;
    if (ext > avail && (!slack || ext - avail > REC_SLACK)) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: view %zu extended data length %zu at offset %zu runs past the end "
                         "(%zu bytes left)",
                         r->fmt, view, ext, at, avail);
    }
    size_t have = ext < avail ? ext : avail;
    for (size_t q = 0; q < ext;) {
        if (ext - q < 4 || have < q + 4) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %zu extended data block header at offset %zu truncated",
                             r->fmt, view, r->off + q);
        }
        size_t blen = (size_t)r->p[r->off + q + 2] << 8 | r->p[r->off + q + 3];
        if (blen < 4 || blen > ext - q) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %zu extended data block at offset %zu has length %zu "
                             "(outside 4..%zu)",
                             r->fmt, view, r->off + q, blen, ext - q);
        }
        q += blen;
    }
    if (have == ext && ext > 0) { /* an overrunning block is not kept: it is incomplete */
        if ((v->ext = dup_bytes(r->p + r->off, ext)) == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", r->fmt);
        }
        v->ext_len = ext;
    }
    r->off += have;
    return MID_OK;
}

/* Reads count minutiae of min_bytes (5 or 6) bytes into t. */
static mid_status read_minutiae(mid_ctx *ctx, tmpl_reader *r, bool ansi, bool iso2011, size_t view,
                                size_t count, unsigned min_bytes, mid_template *t) {
    mid_status st = tmpl_need(ctx, r, count * min_bytes, "minutiae");
    if (st != MID_OK) {
        return st;
    }
    for (size_t i = 0; i < count; i++) {
        size_t at = r->off;
        unsigned a = tmpl_be16(r);
        unsigned b = tmpl_be16(r);
        uint8_t angle = tmpl_u8(r);
        uint8_t mq = min_bytes == 6 ? tmpl_u8(r) : 0;
        unsigned type = a >> 14;
        if (type == 3) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %zu minutia %zu at offset %zu has reserved type 11", r->fmt,
                             view, i, at);
        }
        if (ansi && angle > 179) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %zu minutia %zu at offset %zu has angle %u > 179", r->fmt,
                             view, i, at, (unsigned)angle);
        }
        if (iso2011 && mq >= 254) {
            mq = 0; /* ISO 2011: quality not computed (254) or computation failed (255) */
        }
        mid_minutia m = {(uint16_t)(a & 0x3FFFu), (uint16_t)(b & 0x3FFFu),
                         ansi ? tmpl_angle_from_ansi(angle) : angle,
                         (uint8_t)(type == 1   ? MID_MINUTIA_ENDING
                                   : type == 2 ? MID_MINUTIA_BIFURCATION
                                               : MID_MINUTIA_OTHER),
                         mq};
        if (!tmpl_minutia_ok(t, &m)) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: view %zu minutia %zu at offset %zu: (%u,%u) outside the %ux%u "
                             "image or quality %u > 100",
                             r->fmt, view, i, at, (unsigned)m.x, (unsigned)m.y, (unsigned)t->width,
                             (unsigned)t->height, (unsigned)mq);
        }
        t->m[t->count++] = m;
    }
    return MID_OK;
}

static mid_status check_finger(mid_ctx *ctx, const char *fmt, size_t view, unsigned position,
                               unsigned impression, unsigned quality, size_t off) {
    if (position > 15 || impression > 15) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: view %zu finger position %u or impression type %u above 15 near "
                         "offset %zu",
                         fmt, view, position, impression, off);
    }
    if (quality > 100) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: view %zu finger quality %u > 100 near offset %zu", fmt, view, quality,
                         off);
    }
    return MID_OK;
}

static uint16_t ppi_of(uint16_t xres) {
    return (uint16_t)(((unsigned)xres * 254u + 50u) / 100u);
}

/* ISO 19794-2:2011: r->off just after the record length. */
static mid_status decode_iso2011(mid_ctx *ctx, tmpl_reader *r, mid_template_record *rec) {
    mid_status st = tmpl_need(ctx, r, 3, "representation count and certification flag");
    if (st != MID_OK) {
        return st;
    }
    size_t n = tmpl_be16(r);
    size_t flag_at = r->off;
    unsigned flag = tmpl_u8(r);
    if (flag > 1) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: certification flag %u at offset %zu is not 0/1",
                         r->fmt, flag, flag_at);
    }
    rec->cert_flag = flag == 1;
    if (n == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: zero finger representations at offset 12",
                         r->fmt);
    }
    if (n > MID_MAX_TEMPLATE_VIEWS) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: %zu finger representations exceed %u", r->fmt, n,
                         MID_MAX_TEMPLATE_VIEWS);
    }
    for (size_t v = 0; v < n; v++) {
        size_t start = r->off;
        if ((st = tmpl_need(ctx, r, 4, "representation length")) != MID_OK) {
            return st;
        }
        size_t rl = tmpl_be32(r);
        if (rl < ISO11_REP_MIN || rl > r->len - start) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: representation %zu length %zu at offset %zu outside %u..%zu",
                             r->fmt, v, rl, start, ISO11_REP_MIN, r->len - start);
        }
        tmpl_reader rr = {r->p, start + rl, r->off, r->fmt}; /* reads stay in this representation */
        mid_template_view_info info;
        mid_template_view_info_init(&info);
        if ((st = tmpl_need(ctx, &rr, 15, "capture time, device and quality count")) != MID_OK) {
            return st;
        }
        info.capture.year = tmpl_be16(&rr);
        info.capture.month = tmpl_u8(&rr);
        info.capture.day = tmpl_u8(&rr);
        info.capture.hour = tmpl_u8(&rr);
        info.capture.minute = tmpl_u8(&rr);
        info.capture.second = tmpl_u8(&rr);
        info.capture.millisecond = tmpl_be16(&rr);
        info.device_technology = tmpl_u8(&rr);
        info.device_vendor = tmpl_be16(&rr);
        info.device_type = tmpl_be16(&rr);
        size_t nq = tmpl_u8(&rr);
        size_t q_at = rr.off;
        if ((st = tmpl_need(ctx, &rr, nq * 5, "quality blocks")) != MID_OK) {
            return st;
        }
        rr.off += nq * 5;
        unsigned quality = 0;
        if (nq > 0) {
            quality = rr.p[q_at] <= 100 ? rr.p[q_at] : 0; /* 255: quality computation failed */
            info.quality_owner = (uint16_t)(rr.p[q_at + 1] << 8 | rr.p[q_at + 2]);
            info.quality_algorithm = (uint16_t)(rr.p[q_at + 3] << 8 | rr.p[q_at + 4]);
            for (size_t k = 0; k < nq; k++) {
                if (rr.p[q_at + 5 * k] > 100 && rr.p[q_at + 5 * k] != 255) {
                    return core_fail(ctx, MID_ERR_FORMAT,
                                     "%s: representation %zu quality score %u at offset %zu is "
                                     "neither 0..100 nor 255",
                                     r->fmt, v, (unsigned)rr.p[q_at + 5 * k], q_at + 5 * k);
                }
            }
        }
        size_t nc = 0, c_at = rr.off;
        if (rec->cert_flag) {
            if ((st = tmpl_need(ctx, &rr, 1, "certification block count")) != MID_OK) {
                return st;
            }
            nc = tmpl_u8(&rr);
            c_at = rr.off;
            if ((st = tmpl_need(ctx, &rr, nc * 3, "certification blocks")) != MID_OK) {
                return st;
            }
            rr.off += nc * 3;
        }
        if ((st = tmpl_need(ctx, &rr, 13, "finger view header")) != MID_OK) {
            return st;
        }
        size_t f_at = rr.off;
        unsigned position = tmpl_u8(&rr);
        unsigned number = tmpl_u8(&rr);
        geom g;
        g.xres = tmpl_be16(&rr);
        rr.off += 2; /* y resolution */
        unsigned impression = tmpl_u8(&rr);
        size_t g_at = rr.off;
        g.width = tmpl_be16(&rr);
        g.height = tmpl_be16(&rr);
        size_t mb_at = rr.off;
        unsigned mb = tmpl_u8(&rr);
        size_t count = tmpl_u8(&rr);
        if ((st = check_geom(ctx, r->fmt, &g, g_at)) != MID_OK ||
            (st = check_finger(ctx, r->fmt, v, position, impression, quality, f_at)) != MID_OK) {
            return st;
        }
        if (number > 15) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: representation %zu number %u at offset %zu above 15", r->fmt, v,
                             number, f_at + 1);
        }
        if ((mb >> 4) != 5 && (mb >> 4) != 6) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: representation %zu minutia field length %u at offset %zu is "
                             "not 5 or 6",
                             r->fmt, v, mb >> 4, mb_at);
        }
        info.view_number = (uint8_t)number;
        info.ending_type = (uint8_t)(mb & 0x0Fu);
        mid_template *t = tmpl_alloc(g.width, g.height, ppi_of(g.xres));
        if (t == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", r->fmt);
        }
        t->quality = (uint8_t)quality;
        t->finger_position = (uint8_t)position;
        t->impression_type = (uint8_t)impression;
        if ((st = push_view(ctx, rec, t, &info)) != MID_OK) {
            return st;
        }
        rec_view *rv = &rec->views[rec->count - 1];
        rv->minutia_bytes = (uint8_t)(mb >> 4);
        if ((nq > 0 && (rv->quality = dup_bytes(rr.p + q_at, nq * 5)) == NULL) ||
            (nc > 0 && (rv->cert = dup_bytes(rr.p + c_at, nc * 3)) == NULL)) {
            return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", r->fmt);
        }
        rv->n_quality = nq;
        rv->n_cert = nc;
        if ((st = read_minutiae(ctx, &rr, false, true, v, count, mb >> 4, t)) != MID_OK ||
            (st = read_extended(ctx, &rr, false, v, rv)) != MID_OK) {
            return st;
        }
        if (rr.off != rr.len) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "%s: representation %zu at offset %zu declares %zu bytes but its "
                             "content ends after %zu",
                             r->fmt, v, start, rl, rr.off - start);
        }
        r->off = rr.off;
    }
    return MID_OK;
}

/* ISO 2005, ANSI 2004 and ANSI 2009: r->off just after the record length. */
static mid_status decode_views(mid_ctx *ctx, tmpl_reader *r, mid_template_format f,
                               mid_template_record *rec) {
    bool ansi = is_ansi(f), v2009 = f == MID_TEMPLATE_ANSI378_2009;
    mid_status st;
    if (ansi) {
        rec->header.cbeff_product = tmpl_be32(r);
    }
    rec->header.capture_equipment = tmpl_be16(r);
    geom g = {0, 0, 0};
    if (!v2009) {
        size_t at = r->off;
        g.width = tmpl_be16(r);
        g.height = tmpl_be16(r);
        g.xres = tmpl_be16(r);
        r->off += 2;
        if ((st = check_geom(ctx, r->fmt, &g, at)) != MID_OK) {
            return st;
        }
    }
    size_t n = tmpl_u8(r);
    r->off += 1; /* reserved */
    if (n == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: zero finger views at offset %zu", r->fmt,
                         r->off - 2);
    }
    for (size_t v = 0; v < n; v++) {
        if ((st = tmpl_need(ctx, r, v2009 ? ANSI09_VIEW : OLD_VIEW, "finger view header")) !=
            MID_OK) {
            return st;
        }
        size_t at = r->off;
        mid_template_view_info info;
        mid_template_view_info_init(&info);
        unsigned position = tmpl_u8(r), impression, quality;
        if (v2009) {
            info.view_number = tmpl_u8(r);
            impression = tmpl_u8(r);
            quality = tmpl_u8(r);
            info.quality_owner = tmpl_be16(r);
            info.quality_algorithm = tmpl_be16(r);
            size_t g_at = r->off;
            g.width = tmpl_be16(r);
            g.height = tmpl_be16(r);
            g.xres = tmpl_be16(r);
            r->off += 2;
            if ((st = check_geom(ctx, r->fmt, &g, g_at)) != MID_OK) {
                return st;
            }
            if (info.view_number > 15) {
                return core_fail(ctx, MID_ERR_FORMAT,
                                 "%s: view %zu view number %u at offset %zu above 15", r->fmt, v,
                                 (unsigned)info.view_number, at + 1);
            }
        } else {
            unsigned b = tmpl_u8(r);
            info.view_number = (uint8_t)(b >> 4);
            impression = b & 0x0Fu;
            quality = tmpl_u8(r);
        }
        if ((st = check_finger(ctx, r->fmt, v, position, impression, quality, at)) != MID_OK) {
            return st;
        }
        size_t count = tmpl_u8(r);
        mid_template *t = tmpl_alloc(g.width, g.height, ppi_of(g.xres));
        if (t == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "%s: out of memory", r->fmt);
        }
        t->quality = (uint8_t)quality;
        t->finger_position = (uint8_t)position;
        t->impression_type = (uint8_t)impression;
        if ((st = push_view(ctx, rec, t, &info)) != MID_OK) {
            return st;
        }
        rec_view *rv = &rec->views[rec->count - 1];
        if ((st = read_minutiae(ctx, r, ansi, false, v, count, MINUTIA_BYTES, t)) != MID_OK ||
            (st = read_extended(ctx, r, v + 1 == n, v, rv)) != MID_OK) {
            return st;
        }
    }
    if (r->len - r->off > REC_SLACK) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: record length %zu disagrees with the data, which ends at offset %zu",
                         r->fmt, r->len, r->off);
    }
    return MID_OK;
}

/* Does a "FMR\0" "030\0" record walk as ISO 19794-2:2011 (representation lengths
 * adding up to the record length)? Otherwise it is taken for ANSI 378-2009. */
bool tmpl_looks_iso2011(const uint8_t *p, size_t len) {
    if (len < ISO11_HEADER || memcmp(p + 4, "030\0", 4) != 0 || p[14] > 1) {
        return false;
    }
    size_t rl = (size_t)p[8] << 24 | (size_t)p[9] << 16 | (size_t)p[10] << 8 | p[11];
    size_t n = (size_t)p[12] << 8 | p[13];
    if (rl > len || n == 0) {
        return false;
    }
    size_t off = ISO11_HEADER;
    for (size_t v = 0; v < n; v++) {
        if (rl < 4 || off > rl - 4) {
            return false;
        }
        size_t l =
            (size_t)p[off] << 24 | (size_t)p[off + 1] << 16 | (size_t)p[off + 2] << 8 | p[off + 3];
        if (l < ISO11_REP_MIN || l > rl - off) {
            return false;
        }
        off += l;
    }
    return off == rl;
}

mid_template_format tmpl_detect_fmr(const uint8_t *p, size_t len) {
    if (len >= 8 && memcmp(p + 4, "030\0", 4) == 0) {
        return tmpl_looks_iso2011(p, len) ? MID_TEMPLATE_ISO19794_2_2011
                                          : MID_TEMPLATE_ANSI378_2009;
    }
    return tmpl_fmr_looks_ansi(p, len) ? MID_TEMPLATE_ANSI378_2004 : MID_TEMPLATE_ISO19794_2_2005;
}

static mid_status decode_fmr(mid_ctx *ctx, const uint8_t *p, size_t len, mid_template_format f,
                             mid_template_record *rec) {
    tmpl_reader r = {p, len, 0, fmt_name(f)};
    mid_status st = tmpl_need(ctx, &r, 8, "format identifier and version");
    if (st != MID_OK) {
        return st;
    }
    if (memcmp(p, "FMR\0", 4) != 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: format identifier at offset 0 is not FMR",
                         r.fmt);
    }
    bool v030 = memcmp(p + 4, "030\0", 4) == 0;
    if (f == MID_TEMPLATE_ANSI378_2004 && v030) {
        f = MID_TEMPLATE_ANSI378_2009; /* the ANSI format code reads either edition */
        r.fmt = fmt_name(f);
    }
    bool want030 = f == MID_TEMPLATE_ISO19794_2_2011 || f == MID_TEMPLATE_ANSI378_2009;
    if (v030 != want030 || (!v030 && memcmp(p + 4, " 20\0", 4) != 0)) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED, "%s: version at offset 4 is not \"%s\"", r.fmt,
                         want030 ? "030" : " 20");
    }
    rec->source = f;
    r.off = 8;
    size_t header = f == MID_TEMPLATE_ISO19794_2_2011   ? ISO11_HEADER
                    : f == MID_TEMPLATE_ANSI378_2009    ? ANSI09_HEADER
                    : f == MID_TEMPLATE_ISO19794_2_2005 ? ISO05_HEADER
                                                        : ANSI04_HEADER;
    size_t rl;
    if (f == MID_TEMPLATE_ANSI378_2004) {
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
    } else {
        if ((st = tmpl_need(ctx, &r, 4, "record length")) != MID_OK) {
            return st;
        }
        rl = tmpl_be32(&r);
    }
    if (rl < header) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s: record length %zu is below the %zu-byte header",
                         r.fmt, rl, header);
    }
    if (rl > MID_MAX_TEMPLATE_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s: record length %zu exceeds the %u byte limit",
                         r.fmt, rl, MID_MAX_TEMPLATE_BYTES);
    }
    if (rl > len) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: truncated: record length field says %zu bytes, only %zu present",
                         r.fmt, rl, len);
    }
    r.len = rl;
    return f == MID_TEMPLATE_ISO19794_2_2011 ? decode_iso2011(ctx, &r, rec)
                                             : decode_views(ctx, &r, f, rec);
}

mid_status mid_template_record_decode(mid_ctx *ctx, const void *data, size_t len,
                                      mid_template_format format, mid_template_record **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_decode: NULL output");
    }
    *out = NULL;
    if (data == NULL && len != 0) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_decode: NULL data");
    }
    if (len > MID_MAX_TEMPLATE_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "template_record_decode: %zu bytes exceed the %u byte limit", len,
                         MID_MAX_TEMPLATE_BYTES);
    }
    const uint8_t *p = data;
    if (format == MID_TEMPLATE_AUTO) {
        if (len >= 4 && memcmp(p, "MIDT", 4) == 0) {
            format = MID_TEMPLATE_NATIVE;
        } else if (len >= 8 && memcmp(p, "FMR\0", 4) == 0) {
            format = tmpl_detect_fmr(p, len);
        } else {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "template: unrecognised record (no \"MIDT\" or \"FMR\\0\" magic at "
                             "offset 0)");
        }
    }
    mid_template_record *rec = NULL;
    mid_status st = mid_template_record_create(ctx, &rec);
    if (st != MID_OK) {
        return st;
    }
    switch (format) {
    case MID_TEMPLATE_NATIVE: {
        mid_template *t = NULL;
        st = tmpl_native_decode(ctx, p, len, &t);
        if (st == MID_OK) {
            rec->source = MID_TEMPLATE_NATIVE;
            st = push_view(ctx, rec, t, NULL);
        }
        break;
    }
    case MID_TEMPLATE_ISO19794_2_2005:
    case MID_TEMPLATE_ISO19794_2_2011:
    case MID_TEMPLATE_ANSI378_2004:
    case MID_TEMPLATE_ANSI378_2009:
        st = decode_fmr(ctx, p, len, format, rec);
        break;
    case MID_TEMPLATE_AUTO:
    default:
        st = core_fail(ctx, MID_ERR_ARG, "template_record_decode: unknown format %d", (int)format);
        break;
    }
    if (st != MID_OK) {
        mid_template_record_free(rec);
        return st;
    }
    *out = rec;
    return MID_OK;
}

/* ---- encoding ---------------------------------------------------------------- */

typedef struct writer {
    uint8_t *p; /* NULL: measuring pass */
    size_t o;
} writer;

static void w8(writer *w, unsigned v) {
    if (w->p != NULL) {
        w->p[w->o] = (uint8_t)v;
    }
    w->o++;
}

static void w16(writer *w, unsigned v) {
    w8(w, (v >> 8) & 0xFFu);
    w8(w, v & 0xFFu);
}

static void w32(writer *w, size_t v) {
    w16(w, (unsigned)((v >> 16) & 0xFFFFu));
    w16(w, (unsigned)(v & 0xFFFFu));
}

static void wbytes(writer *w, const uint8_t *b, size_t n) {
    if (w->p != NULL && n > 0) {
        memcpy(w->p + w->o, b, n);
    }
    w->o += n;
}

static unsigned res_of(uint16_t ppi) {
    return ((unsigned)ppi * 100u + 127u) / 254u; /* round(ppi / 2.54) */
}

static void write_minutiae(writer *w, const mid_template *t, bool ansi, bool with_quality) {
    for (size_t i = 0; i < t->count; i++) {
        const mid_minutia *m = &t->m[i];
        unsigned type = m->type == MID_MINUTIA_ENDING        ? 1u
                        : m->type == MID_MINUTIA_BIFURCATION ? 2u
                                                             : 0u;
        w16(w, type << 14 | m->x);
        w16(w, m->y);
        w8(w, ansi ? tmpl_angle_to_ansi(m->angle) : m->angle);
        if (with_quality) {
            w8(w, m->quality);
        }
    }
}

/* Extended data for view v in format f: kept only for the format it was read in. */
static void write_extended(writer *w, const mid_template_record *r, const rec_view *v,
                           mid_template_format f) {
    bool keep = r->source == f && v->ext != NULL;
    w16(w, keep ? (unsigned)v->ext_len : 0u);
    if (keep) {
        wbytes(w, v->ext, v->ext_len);
    }
}

static bool all_quality_zero(const mid_template *t) {
    for (size_t i = 0; i < t->count; i++) {
        if (t->m[i].quality != 0) {
            return false;
        }
    }
    return true;
}

static void write_iso2011(writer *w, const mid_template_record *r) {
    bool same = r->source == MID_TEMPLATE_ISO19794_2_2011;
    /* Certification blocks are copied only from a record read in this format. */
    bool cert = same && r->cert_flag;
    w16(w, (unsigned)r->count);
    w8(w, cert ? 1u : 0u);
    for (size_t i = 0; i < r->count; i++) {
        const rec_view *v = &r->views[i];
        const mid_template *t = v->t;
        size_t start = w->o;
        w32(w, 0); /* patched below */
        const mid_capture_time *c = &v->info.capture;
        w16(w, c->year);
        w8(w, c->month);
        w8(w, c->day);
        w8(w, c->hour);
        w8(w, c->minute);
        w8(w, c->second);
        w16(w, c->millisecond);
        w8(w, v->info.device_technology);
        w16(w, v->info.device_vendor);
        w16(w, v->info.device_type);
        if (same && v->n_quality > 0) {
            /* As read, with the first score updated if the template's changed. */
            w8(w, (unsigned)v->n_quality);
            unsigned first = v->quality[0];
            w8(w, (first > 100 && t->quality == 0) ? first : t->quality);
            wbytes(w, v->quality + 1, v->n_quality * 5 - 1);
        } else if (t->quality > 0 || v->info.quality_owner || v->info.quality_algorithm) {
            w8(w, 1);
            w8(w, t->quality);
            w16(w, v->info.quality_owner);
            w16(w, v->info.quality_algorithm);
        } else {
            w8(w, 0);
        }
        if (cert) {
            w8(w, (unsigned)v->n_cert);
            wbytes(w, v->cert, v->n_cert * 3);
        }
        w8(w, t->finger_position);
        w8(w, v->info.view_number);
        w16(w, res_of(t->ppi));
        w16(w, res_of(t->ppi));
        w8(w, t->impression_type);
        w16(w, t->width);
        w16(w, t->height);
        bool q = !(same && v->minutia_bytes == 5 && all_quality_zero(t));
        w8(w, (q ? 6u : 5u) << 4 | (v->info.ending_type & 0x0Fu));
        w8(w, (unsigned)t->count);
        write_minutiae(w, t, false, q);
        write_extended(w, r, v, MID_TEMPLATE_ISO19794_2_2011);
        if (w->p != NULL) {
            size_t len = w->o - start;
            w->p[start] = (uint8_t)(len >> 24);
            w->p[start + 1] = (uint8_t)(len >> 16);
            w->p[start + 2] = (uint8_t)(len >> 8);
            w->p[start + 3] = (uint8_t)len;
        }
    }
}

/* One pass of the encoder: w->p NULL measures. total is the record length. */
static void write_record(writer *w, const mid_template_record *r, mid_template_format f,
                         size_t total) {
    bool ansi = is_ansi(f);
    wbytes(w, (const uint8_t *)"FMR\0", 4);
    bool v030 = f == MID_TEMPLATE_ISO19794_2_2011 || f == MID_TEMPLATE_ANSI378_2009;
    wbytes(w, (const uint8_t *)(v030 ? "030\0" : " 20\0"), 4);
    if (f == MID_TEMPLATE_ANSI378_2004 && total <= 0xFFFFu) {
        w16(w, (unsigned)total);
    } else if (f == MID_TEMPLATE_ANSI378_2004) {
        w16(w, 0);
        w32(w, total);
    } else {
        w32(w, total);
    }
    if (f == MID_TEMPLATE_ISO19794_2_2011) {
        write_iso2011(w, r);
        return;
    }
    if (ansi) {
        w32(w, r->header.cbeff_product);
    }
    w16(w, r->header.capture_equipment);
    const mid_template *t0 = r->views[0].t;
    if (f != MID_TEMPLATE_ANSI378_2009) {
        w16(w, t0->width);
        w16(w, t0->height);
        w16(w, res_of(t0->ppi));
        w16(w, res_of(t0->ppi));
    }
    w8(w, (unsigned)r->count);
    w8(w, 0);
    for (size_t i = 0; i < r->count; i++) {
        const rec_view *v = &r->views[i];
        const mid_template *t = v->t;
        w8(w, t->finger_position);
        if (f == MID_TEMPLATE_ANSI378_2009) {
            w8(w, v->info.view_number);
            w8(w, t->impression_type);
            w8(w, t->quality);
            w16(w, v->info.quality_owner);
            w16(w, v->info.quality_algorithm);
            w16(w, t->width);
            w16(w, t->height);
            w16(w, res_of(t->ppi));
            w16(w, res_of(t->ppi));
        } else {
            w8(w, (unsigned)(v->info.view_number & 0x0Fu) << 4 | (t->impression_type & 0x0Fu));
            w8(w, t->quality);
        }
        w8(w, (unsigned)t->count);
        write_minutiae(w, t, ansi, true);
        write_extended(w, r, v, f);
    }
}

mid_status mid_template_record_encode(mid_ctx *ctx, const mid_template_record *r,
                                      mid_template_format format, void **out, size_t *len) {
    if (r == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_encode: NULL argument");
    }
    *out = NULL;
    *len = 0;
    const char *fmt = fmt_name(format);
    if (r->count == 0) {
        return core_fail(ctx, MID_ERR_ARG, "%s encode: the record has no finger views", fmt);
    }
    if (format == MID_TEMPLATE_NATIVE) {
        if (r->count != 1) {
            return core_fail(ctx, MID_ERR_ARG,
                             "native encode: the native record holds one view, not %zu", r->count);
        }
        uint8_t *buf = NULL;
        mid_status st = tmpl_native_encode(ctx, r->views[0].t, &buf, len);
        *out = buf;
        return st;
    }
    if (format != MID_TEMPLATE_ISO19794_2_2005 && format != MID_TEMPLATE_ISO19794_2_2011 &&
        format != MID_TEMPLATE_ANSI378_2004 && format != MID_TEMPLATE_ANSI378_2009) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_encode: format %d cannot be written",
                         (int)format);
    }
    bool per_view_geom =
        format == MID_TEMPLATE_ISO19794_2_2011 || format == MID_TEMPLATE_ANSI378_2009;
    const mid_template *t0 = r->views[0].t;
    for (size_t i = 0; i < r->count; i++) {
        const mid_template *t = r->views[i].t;
        if (!per_view_geom && (t->width != t0->width || t->height != t0->height ||
                               res_of(t->ppi) != res_of(t0->ppi))) {
            return core_fail(ctx, MID_ERR_ARG,
                             "%s encode: view %zu is %ux%u at %u ppi but the format has one image "
                             "size and resolution per record (%ux%u at %u ppi)",
                             fmt, i, (unsigned)t->width, (unsigned)t->height, (unsigned)t->ppi,
                             (unsigned)t0->width, (unsigned)t0->height, (unsigned)t0->ppi);
        }
        if (t->count > MID_MAX_MINUTIAE || t->width > 0x3FFFu || t->height > 0x3FFFu) {
            return core_fail(ctx, MID_ERR_LIMIT, "%s encode: view %zu exceeds the record limits",
                             fmt, i);
        }
        for (size_t k = 0; k < t->count; k++) {
            if (!tmpl_minutia_ok(t, &t->m[k])) {
                return core_fail(ctx, MID_ERR_ARG, "%s encode: view %zu minutia %zu is invalid",
                                 fmt, i, k);
            }
        }
    }
    writer m = {NULL, 0};
    write_record(&m, r, format, 0); /* measure; the length field's size does not depend on it */
    size_t total = m.o;
    if (format == MID_TEMPLATE_ANSI378_2004 && total > 0xFFFFu) {
        total += 4; /* long form of the record length */
    }
    if (total > MID_MAX_TEMPLATE_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "%s encode: %zu bytes exceed the %u byte limit", fmt,
                         total, MID_MAX_TEMPLATE_BYTES);
    }
    uint8_t *p = core_calloc(total, 1);
    if (p == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "%s encode: out of memory", fmt);
    }
    writer w = {p, 0};
    write_record(&w, r, format, total);
    *out = p;
    *len = total;
    return MID_OK;
}

mid_status mid_template_record_load(mid_ctx *ctx, const char *path, mid_template_format format,
                                    mid_template_record **out) {
    if (out != NULL) {
        *out = NULL;
    }
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_load: NULL argument");
    }
    uint8_t *data = NULL;
    size_t len = 0;
    mid_status st = core_read_file(ctx, path, MID_MAX_TEMPLATE_BYTES, &data, &len);
    if (st != MID_OK) {
        return st;
    }
    st = mid_template_record_decode(ctx, data, len, format, out);
    core_wipe(data, len);
    mid_free(data);
    return st;
}

mid_status mid_template_record_save(mid_ctx *ctx, const mid_template_record *r,
                                    mid_template_format format, const char *path) {
    if (path == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_record_save: NULL path");
    }
    void *buf = NULL;
    size_t len = 0;
    mid_status st = mid_template_record_encode(ctx, r, format, &buf, &len);
    if (st != MID_OK) {
        return st;
    }
    st = core_write_file(ctx, path, buf, len);
    core_wipe(buf, len);
    mid_free(buf);
    return st;
}
