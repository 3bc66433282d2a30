/*
 * The in-memory minutiae template, format dispatch, auto-detection and file I/O.
 * The codecs live in native.c (mobileid's own record) and fmr.c (ISO/IEC
 * 19794-2:2005 and ANSI INCITS 378 finger minutiae records).
 */
#include "template/tmpl.h"

#include <stdlib.h>
#include <string.h>

mid_template *tmpl_alloc(uint16_t width, uint16_t height, uint16_t ppi) {
    mid_template *t = core_calloc(1, sizeof(*t));
    if (t != NULL) {
        t->width = width;
        t->height = height;
        t->ppi = ppi;
    }
    return t;
}

mid_status mid_template_create(mid_ctx *ctx, uint16_t width, uint16_t height, uint16_t ppi,
                               mid_template **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_create: NULL output");
    }
    *out = NULL;
    if (width == 0 || height == 0) {
        return core_fail(ctx, MID_ERR_ARG, "template_create: empty image size %ux%u",
                         (unsigned)width, (unsigned)height);
    }
    /* Every encoded format stores coordinates in 14 bits (ISO/ANSI), so the
     * image side is bounded by that as well as by the image limits. */
    if (width > MID_MAX_IMAGE_SIDE || height > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "template_create: image %ux%u exceeds %u pixels a side", (unsigned)width,
                         (unsigned)height, MID_MAX_IMAGE_SIDE);
    }
    if ((double)ppi > MID_MAX_PPI) {
        return core_fail(ctx, MID_ERR_ARG, "template_create: resolution %u ppi above %.0f",
                         (unsigned)ppi, MID_MAX_PPI);
    }
    *out = tmpl_alloc(width, height, ppi);
    return *out ? MID_OK : core_fail(ctx, MID_ERR_NOMEM, "template_create: out of memory");
}

void mid_template_free(mid_template *t) {
    if (t != NULL) {
        core_wipe(t, sizeof(*t)); /* minutiae are biometric data */
        free(t);
    }
}

bool tmpl_minutia_ok(const mid_template *t, const mid_minutia *m) {
    return m->x < t->width && m->y < t->height && m->type <= MID_MINUTIA_BIFURCATION &&
           m->quality <= 100;
}

mid_status mid_template_add(mid_ctx *ctx, mid_template *t, const mid_minutia *m) {
    if (t == NULL || m == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_add: NULL argument");
    }
    if (t->count >= MID_MAX_MINUTIAE) {
        return core_fail(ctx, MID_ERR_LIMIT, "template_add: more than %u minutiae",
                         MID_MAX_MINUTIAE);
    }
    if (m->x >= t->width || m->y >= t->height) {
        return core_fail(ctx, MID_ERR_ARG, "template_add: minutia (%u,%u) outside %ux%u image",
                         (unsigned)m->x, (unsigned)m->y, (unsigned)t->width, (unsigned)t->height);
    }
    if (m->type > MID_MINUTIA_BIFURCATION) {
        return core_fail(ctx, MID_ERR_ARG, "template_add: unknown minutia type %u",
                         (unsigned)m->type);
    }
    if (m->quality > 100) {
        return core_fail(ctx, MID_ERR_ARG, "template_add: minutia quality %u above 100",
                         (unsigned)m->quality);
    }
    t->m[t->count++] = *m;
    return MID_OK;
}

size_t mid_template_count(const mid_template *t) {
    return t ? t->count : 0;
}

const mid_minutia *mid_template_minutiae(const mid_template *t) {
    return t ? t->m : NULL;
}

uint16_t mid_template_width(const mid_template *t) {
    return t ? t->width : 0;
}

uint16_t mid_template_height(const mid_template *t) {
    return t ? t->height : 0;
}

uint16_t mid_template_ppi(const mid_template *t) {
    return t ? t->ppi : 0;
}

uint8_t mid_template_quality(const mid_template *t) {
    return t ? t->quality : 0;
}

void mid_template_set_quality(mid_template *t, uint8_t quality) {
    if (t != NULL) {
        t->quality = quality > 100 ? 100 : quality;
    }
}

uint8_t mid_template_finger_position(const mid_template *t) {
    return t ? t->finger_position : 0;
}

uint8_t mid_template_impression_type(const mid_template *t) {
    return t ? t->impression_type : 0;
}

mid_status mid_template_set_finger(mid_ctx *ctx, mid_template *t, uint8_t position,
                                   uint8_t impression) {
    if (t == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_set_finger: NULL template");
    }
    if (position > 15 || impression > 15) {
        return core_fail(ctx, MID_ERR_ARG,
                         "template_set_finger: position %u or impression %u above 15",
                         (unsigned)position, (unsigned)impression);
    }
    t->finger_position = position;
    t->impression_type = impression;
    return MID_OK;
}

/* ---- bounds-checked reader ---------------------------------------------- */

mid_status tmpl_need(mid_ctx *ctx, const tmpl_reader *r, size_t n, const char *field) {
    if (r->off > r->len || r->len - r->off < n) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "%s: truncated at offset %zu reading %s (%zu bytes needed, %zu left)",
                         r->fmt, r->off, field, n, r->off > r->len ? (size_t)0 : r->len - r->off);
    }
    return MID_OK;
}

uint8_t tmpl_u8(tmpl_reader *r) {
    return r->p[r->off++];
}

uint16_t tmpl_be16(tmpl_reader *r) {
    uint16_t v = (uint16_t)((unsigned)r->p[r->off] << 8 | r->p[r->off + 1]);
    r->off += 2;
    return v;
}

uint32_t tmpl_be32(tmpl_reader *r) {
    uint32_t v = (uint32_t)r->p[r->off] << 24 | (uint32_t)r->p[r->off + 1] << 16 |
                 (uint32_t)r->p[r->off + 2] << 8 | r->p[r->off + 3];
    r->off += 4;
    return v;
}

uint32_t tmpl_crc32(const uint8_t *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) {
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
        }
    }
    return crc ^ 0xFFFFFFFFu;
}

/* ---- dispatch ------------------------------------------------------------ */

static const char *format_name(mid_template_format f) {
    switch (f) {
    case MID_TEMPLATE_AUTO:
        return "auto";
    case MID_TEMPLATE_NATIVE:
        return "native";
    case MID_TEMPLATE_ISO19794_2_2005:
        return "ISO 19794-2:2005";
    case MID_TEMPLATE_ANSI378_2004:
        return "ANSI 378";
    case MID_TEMPLATE_ISO19794_2_2011:
        return "ISO 19794-2:2011";
    case MID_TEMPLATE_ANSI378_2009:
        return "ANSI 378-2009";
    }
    return "unknown";
}

/* ISO/ANSI records of every edition go through the multi-view record (record.c). */
static mid_status encode_one_view(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                                  void **out, size_t *len) {
    mid_template_record *r = NULL;
    mid_status st = mid_template_record_create(ctx, &r);
    if (st == MID_OK && (st = mid_template_record_add(ctx, r, t, NULL)) == MID_OK) {
        st = mid_template_record_encode(ctx, r, format, out, len);
    }
    mid_template_record_free(r);
    return st;
}

static mid_status decode_first_view(mid_ctx *ctx, const uint8_t *p, size_t len,
                                    mid_template_format format, mid_template **out) {
    mid_template_record *r = NULL;
    mid_status st = mid_template_record_decode(ctx, p, len, format, &r);
    if (st == MID_OK) {
        *out = tmpl_record_take(r, 0);
        mid_template_record_free(r);
    }
    return st;
}

mid_status mid_template_encode(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                               void **out, size_t *len) {
    if (t == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_encode: NULL argument");
    }
    *out = NULL;
    *len = 0;
    uint8_t *buf = NULL;
    mid_status st;
    switch (format) {
    case MID_TEMPLATE_NATIVE:
        st = tmpl_native_encode(ctx, t, &buf, len);
        break;
    case MID_TEMPLATE_ISO19794_2_2005:
    case MID_TEMPLATE_ANSI378_2004:
    case MID_TEMPLATE_ISO19794_2_2011:
    case MID_TEMPLATE_ANSI378_2009:
        return encode_one_view(ctx, t, format, out, len);
    case MID_TEMPLATE_AUTO:
    default:
        return core_fail(ctx, MID_ERR_ARG, "template_encode: format %s cannot be written",
                         format_name(format));
    }
    if (st == MID_OK) {
        *out = buf;
    }
    return st;
}

/*
 * Auto-detection: "MIDT" is the native record. "FMR\0" starts both ISO/IEC
 * 19794-2 and ANSI INCITS 378 records, which share the version string " 20\0"
 * in their 2005/2004 editions; tmpl_fmr_looks_ansi() (fmr.c) tells them apart
 * by where the record length sits. Their 2011/2009 editions share "030\0";
 * tmpl_detect_fmr() (record.c) walks the ISO representation lengths to tell
 * them apart. Anything else is MID_ERR_FORMAT.
 */
static mid_status detect(mid_ctx *ctx, const uint8_t *p, size_t len, mid_template_format *out) {
    if (len >= 4 && memcmp(p, "MIDT", 4) == 0) {
        *out = MID_TEMPLATE_NATIVE;
        return MID_OK;
    }
    if (len >= 8 && memcmp(p, "FMR\0", 4) == 0) {
        *out = tmpl_detect_fmr(p, len);
        return MID_OK;
    }
    return core_fail(ctx, MID_ERR_FORMAT,
                     "template: unrecognised record (no \"MIDT\" or \"FMR\\0\" magic at offset 0)");
}

mid_status mid_template_decode(mid_ctx *ctx, const void *data, size_t len,
                               mid_template_format format, mid_template **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_decode: NULL output");
    }
    *out = NULL;
    if (data == NULL && len != 0) {
        return core_fail(ctx, MID_ERR_ARG, "template_decode: NULL data");
    }
    if (len > MID_MAX_TEMPLATE_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "template_decode: %zu bytes exceed the %u byte limit",
                         len, MID_MAX_TEMPLATE_BYTES);
    }
    const uint8_t *p = data;
    if (format == MID_TEMPLATE_AUTO) {
        mid_status st = detect(ctx, p, len, &format);
        if (st != MID_OK) {
            return st;
        }
    }
    switch (format) {
    case MID_TEMPLATE_NATIVE:
        return tmpl_native_decode(ctx, p, len, out);
    case MID_TEMPLATE_ISO19794_2_2005:
    case MID_TEMPLATE_ANSI378_2004:
    case MID_TEMPLATE_ISO19794_2_2011:
    case MID_TEMPLATE_ANSI378_2009:
        return decode_first_view(ctx, p, len, format, out);
    case MID_TEMPLATE_AUTO:
    default:
        return core_fail(ctx, MID_ERR_ARG, "template_decode: unknown format %d", (int)format);
    }
}

mid_status mid_template_load(mid_ctx *ctx, const char *path, mid_template_format format,
                             mid_template **out) {
    if (out != NULL) {
        *out = NULL;
    }
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_load: NULL argument");
    }
    uint8_t *data = NULL;
    size_t len = 0;
    mid_status st = core_read_file(ctx, path, MID_MAX_TEMPLATE_BYTES, &data, &len);
    if (st != MID_OK) {
        return st;
    }
    st = mid_template_decode(ctx, data, len, format, out);
    core_wipe(data, len);
    mid_free(data);
    return st;
}

mid_status mid_template_save(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                             const char *path) {
    if (path == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "template_save: NULL path");
    }
    void *buf = NULL;
    size_t len = 0;
    mid_status st = mid_template_encode(ctx, t, format, &buf, &len);
    if (st != MID_OK) {
        return st;
    }
    st = core_write_file(ctx, path, buf, len);
    core_wipe(buf, len);
    mid_free(buf);
    return st;
}
