/*
 * Semantic views of ANSI/NIST-ITL records (mid/an2k.h): the Type-1 header, image
 * records (legacy Type-3..6 binary headers and the tagged image records whose
 * fields follow the Type-13/14 numbering: x.003 IMP, x.004 SRC, x.005 date,
 * x.006 HLL, x.007 VLL, x.008 SLC, x.009 HPS, x.010 VPS, x.011 CGA, x.012 BPX,
 * x.013 FGP, x.999 DATA) and Type-9 minutiae.
 */
#include "an2k/an2k_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const CGA_NAMES[] = {"NONE", "WSQ20", "JPEGB", "JPEGL",
                                        "JP2",  "JP2L",  "PNG",   "OTHER"};

const char *mid_an2k_compression_name(mid_an2k_compression c) {
    return (unsigned)c <= MID_AN2K_CGA_OTHER ? CGA_NAMES[c] : "OTHER";
}

/* Table 15 names, with the spellings of older versions ("WSQ", "JPEG"). */
static mid_an2k_compression cga_from_text(const char *s) {
    for (unsigned i = 0; i < MID_AN2K_CGA_OTHER; i++) {
        if (strcmp(s, CGA_NAMES[i]) == 0) {
            return (mid_an2k_compression)i;
        }
    }
    if (strcmp(s, "WSQ") == 0) {
        return MID_AN2K_CGA_WSQ20;
    }
    if (strcmp(s, "JPEG") == 0) {
        return MID_AN2K_CGA_JPEGB;
    }
    return MID_AN2K_CGA_OTHER;
}

static bool get_uint(const mid_an2k *tx, size_t rec, unsigned num, unsigned long *out) {
    size_t len;
    const uint8_t *v = mid_an2k_get(tx, rec, num, &len);
    return v != NULL && an2k_parse_uint(v, len, out);
}

/* Decimal number such as "19.69" (digits with at most one '.'). */
static bool get_decimal(const mid_an2k *tx, size_t rec, unsigned num, double *out) {
    char buf[24];
    if (!mid_an2k_get_text(tx, rec, num, buf, sizeof(buf)) || buf[0] == '\0') {
        return false;
    }
    double v = 0, scale = 0;
    for (const char *p = buf; *p; p++) {
        if (*p >= '0' && *p <= '9') {
            if (scale == 0) {
                v = v * 10 + (*p - '0');
            } else {
                v += (*p - '0') * scale;
                scale /= 10;
            }
        } else if (*p == '.' && scale == 0) {
            scale = 0.1;
        } else {
            return false;
        }
    }
    *out = v;
    return true;
}

mid_status mid_an2k_type1_get(mid_ctx *ctx, const mid_an2k *tx, mid_an2k_type1 *out) {
    if (tx == NULL || out == NULL || tx->n_recs == 0) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_type1_get: no transaction");
    }
    memset(out, 0, sizeof(*out));
    mid_an2k_get_text(tx, 0, 2, out->version, sizeof(out->version));
    mid_an2k_get_text(tx, 0, 4, out->tot, sizeof(out->tot));
    mid_an2k_get_text(tx, 0, 5, out->date, sizeof(out->date));
    mid_an2k_get_text(tx, 0, 6, out->pry, sizeof(out->pry));
    mid_an2k_get_text(tx, 0, 7, out->dai, sizeof(out->dai));
    mid_an2k_get_text(tx, 0, 8, out->ori, sizeof(out->ori));
    mid_an2k_get_text(tx, 0, 9, out->tcn, sizeof(out->tcn));
    mid_an2k_get_text(tx, 0, 10, out->tcr, sizeof(out->tcr));
    get_decimal(tx, 0, 11, &out->nsr);
    get_decimal(tx, 0, 12, &out->ntr);
    mid_an2k_get_text(tx, 0, 14, out->gmt, sizeof(out->gmt));
    return MID_OK;
}

static bool is_tagged_image_type(unsigned type) {
    return type == 10 || type == 13 || type == 14 || type == 15 || type == 16 || type == 17 ||
           type == 19;
}

static uint32_t be16(const uint8_t *p) {
    return ((uint32_t)p[0] << 8) | p[1];
}

/* A Type-7 record (user-defined after LEN and IDC) that follows the Type-4 layout,
 * as EBTS and NIST's type-7-latent file do: recognised only when the layout is
 * self-consistent (uncompressed data of exactly HLL x VLL bytes, or WSQ data). */
static bool type7_as_type4(const an2k_record *r) {
    if (r->n_bytes <= 18) {
        return false;
    }
    const uint8_t *b = r->bytes;
    size_t hll = be16(b + 13), vll = be16(b + 15), n = r->n_bytes - 18;
    return (b[17] == 0 && hll * vll == n && n > 0) ||
           (b[17] == 1 && n >= 2 && b[18] == 0xFF && b[19] == 0xA0);
}

/* Bits per pixel of an uncompressed Type-8 signature (SRT 0), from the data size:
 * 1 (packed rows), 8 or 24; 0 when none matches. */
static unsigned type8_bpx(const an2k_record *r) {
    const uint8_t *b = r->bytes;
    size_t hll = be16(b + 8), vll = be16(b + 10), n = r->n_bytes - 12;
    if (b[6] == 1) {
        return 1; /* scanned, CCITT Group 4 compressed: binary */
    }
    if (b[6] != 0 || hll == 0 || vll == 0) {
        return 0;
    }
    if ((hll + 7) / 8 * vll == n) {
        return 1;
    }
    if (hll * vll == n) {
        return 8;
    }
    return hll * vll * 3 == n ? 24 : 0;
}

bool mid_an2k_is_image_record(const mid_an2k *tx, size_t rec) {
    if (tx == NULL || rec >= tx->n_recs) {
        return false;
    }
    const an2k_record *r = &tx->recs[rec];
    if (r->binary) {
        return (r->type >= 3 && r->type <= 6) || (r->type == 7 && type7_as_type4(r)) ||
               (r->type == 8 && type8_bpx(r) != 0);
    }
    return is_tagged_image_type(r->type) && an2k_find_field(r, 999) != SIZE_MAX;
}

mid_status mid_an2k_image_info_get(mid_ctx *ctx, const mid_an2k *tx, size_t rec,
                                   mid_an2k_image_info *out) {
    if (out == NULL || !mid_an2k_is_image_record(tx, rec)) {
        return core_fail(ctx, MID_ERR_ARG, "record %zu (Type-%u) is not an image record", rec + 1,
                         mid_an2k_record_type(tx, rec));
    }
    memset(out, 0, sizeof(*out));
    const an2k_record *r = &tx->recs[rec];
    out->type = r->type;
    out->quality = -1;
    out->bpx = 8;
    if (r->binary && r->type == 8) {
        /* Type-8: LEN 4, IDC 1, SIG 1, SRT 1, ISR 1, HLL 2, VLL 2, then the data. */
        const uint8_t *b = r->bytes;
        out->idc = b[4];
        out->imp = -1;
        out->hll = be16(b + 8);
        out->vll = be16(b + 10);
        out->bpx = type8_bpx(r);
        /* SRT 0 scanned uncompressed, 1 scanned and Group 4 compressed. */
        out->compression = b[6] == 0 ? MID_AN2K_CGA_NONE : MID_AN2K_CGA_OTHER;
        snprintf(out->cga, sizeof(out->cga), "SRT%u", b[6]);
        double ppmm = 0;
        if (get_decimal(tx, 0, b[7] ? 12 : 11, &ppmm) && ppmm > 0) {
            out->ppi = ppmm * 25.4;
        }
        out->data = b + 12;
        out->data_len = r->n_bytes - 12;
        return MID_OK;
    }
    if (r->binary) {
        /* Types 3..6 (and Type-7 in the same layout): LEN 4, IDC 1, IMP 1, FGP 6, ISR 1,
         * HLL 2, VLL 2, GCA 1. */
        const uint8_t *b = r->bytes;
        out->idc = b[4];
        out->imp = b[5];
        for (size_t i = 0; i < 6; i++) {
            if (b[6 + i] != 255) {
                out->fgp[out->n_fgp++] = b[6 + i];
            }
        }
        out->hll = be16(b + 13);
        out->vll = be16(b + 15);
        snprintf(out->cga, sizeof(out->cga), "%u", b[17]);
        out->compression =
            b[17] < MID_AN2K_CGA_OTHER ? (mid_an2k_compression)b[17] : MID_AN2K_CGA_OTHER;
        if (r->type == 5 || r->type == 6) {
            /* Binary (1 bit per pixel) images; GCA 1 is CCITT Group 4 there. */
            out->bpx = 1;
            out->compression = b[17] == 0 ? MID_AN2K_CGA_NONE : MID_AN2K_CGA_OTHER;
        }
        /* ISR 0: the native scanning resolution 1.011, 1: the transmitting one 1.012. */
        double ppmm = 0;
        if (get_decimal(tx, 0, b[12] ? 12 : 11, &ppmm) && ppmm > 0) {
            out->ppi = ppmm * 25.4;
        }
        out->slc = 0;
        out->data = b + 18;
        out->data_len = r->n_bytes - 18;
        return MID_OK;
    }
    unsigned long v;
    if (get_uint(tx, rec, 2, &v)) {
        out->idc = (unsigned)v;
    }
    out->imp = get_uint(tx, rec, 3, &v) ? (int)v : -1;
    mid_an2k_get_text(tx, rec, 4, out->src, sizeof(out->src));
    mid_an2k_get_text(tx, rec, 5, out->date, sizeof(out->date));
    out->hll = get_uint(tx, rec, 6, &v) ? (uint32_t)v : 0;
    out->vll = get_uint(tx, rec, 7, &v) ? (uint32_t)v : 0;
    out->slc = get_uint(tx, rec, 8, &v) ? (unsigned)v : 0;
    out->hps = get_uint(tx, rec, 9, &v) ? (uint32_t)v : 0;
    out->vps = get_uint(tx, rec, 10, &v) ? (uint32_t)v : 0;
    mid_an2k_get_text(tx, rec, 11, out->cga, sizeof(out->cga));
    out->compression = cga_from_text(out->cga);
    if (r->type != 10 && get_uint(tx, rec, 12, &v)) {
        out->bpx = (unsigned)v;
    } else if (r->type == 10) {
        /* Type-10 has no BPX; 10.012 is the colour space (GRAY or colour). */
        char csp[16];
        out->bpx =
            mid_an2k_get_text(tx, rec, 12, csp, sizeof(csp)) && strcmp(csp, "GRAY") != 0 ? 24 : 8;
    }
    if (out->slc == 1) {
        out->ppi = out->hps;
    } else if (out->slc == 2) {
        out->ppi = out->hps * 2.54;
    }
    size_t len;
    const uint8_t *fg = r->type == 10 ? NULL : mid_an2k_get(tx, rec, 13, &len);
    size_t nsub = fg ? mid_an2k_subfield_count(fg, len) : 0;
    for (size_t s = 0; s < nsub && out->n_fgp < 6; s++) {
        size_t il;
        const uint8_t *it = mid_an2k_item(fg, len, s, 0, &il);
        if (it != NULL && an2k_parse_uint(it, il, &v)) {
            out->fgp[out->n_fgp++] = (unsigned)v;
        }
    }
    /* Quality: Type-14 FQM (14.024) FGP~QVU~QAV~QAP, Type-13 LQM (13.024) likewise. */
    const uint8_t *q = mid_an2k_get(tx, rec, 24, &len);
    if (q != NULL && (r->type == 13 || r->type == 14)) {
        size_t il;
        const uint8_t *it = mid_an2k_item(q, len, 0, 1, &il);
        if (it != NULL && an2k_parse_uint(it, il, &v) && v <= 255) {
            out->quality = (int)v;
        }
    }
    size_t di = an2k_find_field(r, 999);
    for (size_t i = di + 1; i < r->n_fields; i++) {
        if (r->fields[i].number == 999) {
            di = i; /* the image is the last x.999 (see text_then_tag in an2k.c) */
        }
    }
    out->data = r->fields[di].value ? r->fields[di].value : (const uint8_t *)"";
    out->data_len = r->fields[di].len;
    return MID_OK;
}

/* Uncompressed pixels into 8-bit grey (1 bit: 1 is black per the legacy binary
 * records; 16 bit: the high byte; 24 bit RGB: luma). */
static mid_status decode_raw(mid_ctx *ctx, const mid_an2k_image_info *ii, size_t rec,
                             mid_image **out) {
    size_t row_bytes, need;
    if (ii->hll == 0 || ii->vll == 0 || ii->hll > MID_MAX_IMAGE_SIDE ||
        ii->vll > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_FORMAT, "record %zu (Type-%u): bad image size %ux%u", rec + 1,
                         ii->type, ii->hll, ii->vll);
    }
    if (ii->bpx == 1) {
        row_bytes = (ii->hll + 7) / 8;
    } else if (ii->bpx == 8 || ii->bpx == 16 || ii->bpx == 24) {
        row_bytes = (size_t)ii->hll * (ii->bpx / 8);
    } else {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "record %zu (Type-%u): %u bits per pixel uncompressed is not supported",
                         rec + 1, ii->type, ii->bpx);
    }
    if (!core_mul_size(row_bytes, ii->vll, &need) || need > ii->data_len) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "record %zu (Type-%u): %zu bytes of image data, %ux%u at %u bits needs "
                         "%zu",
                         rec + 1, ii->type, ii->data_len, ii->hll, ii->vll, ii->bpx, need);
    }
    mid_image *img = NULL;
    double ppi = ii->ppi >= MID_MIN_PPI && ii->ppi <= MID_MAX_PPI ? ii->ppi : 0;
    mid_status st = mid_image_create(ctx, ii->hll, ii->vll, ppi, &img);
    if (st != MID_OK) {
        return st;
    }
    uint8_t *px = mid_image_pixels(img);
    for (uint32_t y = 0; y < ii->vll; y++) {
        const uint8_t *row = ii->data + (size_t)y * row_bytes;
        uint8_t *o = px + (size_t)y * ii->hll;
        for (uint32_t x = 0; x < ii->hll; x++) {
            switch (ii->bpx) {
            case 1:
                o[x] = (row[x / 8] >> (7 - x % 8)) & 1 ? 0 : 255;
                break;
            case 8:
                o[x] = row[x];
                break;
            case 16:
                o[x] = row[2 * x];
                break;
            default:
                o[x] = (uint8_t)((299u * row[3 * x] + 587u * row[3 * x + 1] +
                                  114u * row[3 * x + 2] + 500u) /
                                 1000u);
                break;
            }
        }
    }
    *out = img;
    return MID_OK;
}

mid_status mid_an2k_image_decode(mid_ctx *ctx, const mid_an2k *tx, size_t rec, mid_image **out) {
    mid_an2k_image_info ii;
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_image_decode: NULL output");
    }
    *out = NULL;
    mid_status st = mid_an2k_image_info_get(ctx, tx, rec, &ii);
    if (st != MID_OK) {
        return st;
    }
    if (ii.data_len == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "record %zu (Type-%u): the image data is empty",
                         rec + 1, ii.type);
    }
    if (ii.compression == MID_AN2K_CGA_NONE) {
        st = decode_raw(ctx, &ii, rec, out);
        /* Some producers wrap legacy binary images in a container (the WVU Type-5/6
         * files hold TIFFs under GCA 0 and 1): a data signature decides then. */
        if (st == MID_ERR_FORMAT && mid_an2k_record_is_binary(tx, rec)) {
            char msg[MID_ERRMSG_SIZE];
            snprintf(msg, sizeof(msg), "%s", mid_ctx_error(ctx));
            if (mid_image_decode(ctx, ii.data, ii.data_len, NULL, out) == MID_OK) {
                return MID_OK;
            }
            return core_fail(ctx, st, "%s", msg);
        }
        return st;
    }
    /* Without a CGA field (some EBTS producers omit it) the data's own signature
     * decides; data of exactly HLL x VLL x BPX bits is raw. */
    bool absent = ii.cga[0] == '\0' && !mid_an2k_record_is_binary(tx, rec);
    if (ii.compression == MID_AN2K_CGA_OTHER && !absent) {
        if (mid_an2k_record_is_binary(tx, rec) &&
            mid_image_decode(ctx, ii.data, ii.data_len, NULL, out) == MID_OK) {
            return MID_OK; /* a container the image layer knows (see above) */
        }
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "record %zu (Type-%u): compression '%s' is not supported", rec + 1,
                         ii.type, ii.cga);
    }
    st = mid_image_decode(ctx, ii.data, ii.data_len, NULL, out);
    if (st != MID_OK && absent && ii.bpx >= 8 &&
        (size_t)ii.hll * ii.vll * (ii.bpx / 8) == ii.data_len) {
        return decode_raw(ctx, &ii, rec, out);
    }
    if (st != MID_OK) {
        char msg[MID_ERRMSG_SIZE];
        snprintf(msg, sizeof(msg), "%s", mid_ctx_error(ctx));
        return core_fail(ctx, st, "record %zu (Type-%u) %s image: %s", rec + 1, ii.type,
                         absent ? "(no CGA)" : ii.cga, msg);
    }
    if (mid_image_ppi(*out) <= 0 && ii.ppi >= MID_MIN_PPI && ii.ppi <= MID_MAX_PPI) {
        mid_image_set_ppi(*out, ii.ppi);
    }
    return MID_OK;
}

/* ---- Type-9 ---- */

/* The image record (Types 3..7, 13, 14) sharing the IDC of Type-9 record rec. */
static size_t image_for_idc(const mid_an2k *tx, size_t rec) {
    unsigned long idc = 0;
    if (!get_uint(tx, rec, 2, &idc)) {
        return SIZE_MAX;
    }
    for (size_t i = 1; i < tx->n_recs; i++) {
        unsigned t = tx->recs[i].type;
        mid_an2k_image_info ii;
        if ((t <= 7 || t == 13 || t == 14) && mid_an2k_is_image_record(tx, i) &&
            mid_an2k_image_info_get(NULL, tx, i, &ii) == MID_OK && ii.idc == idc) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* The legacy blocks (9.012 standard format, or 9.023 of the FBI IAFIS block): X and Y
 * in 0.01 mm from the lower-left corner and theta in degrees, with the direction
 * opposite to INCITS 378's (NIST's type-9-13-std / -m1 pair agree within rounding
 * once theta + 180 and y = VLL - y are applied). Placing them in pixels needs the
 * image: its size and resolution come from the image record with the same IDC. */
static mid_status legacy_to_template(mid_ctx *ctx, const mid_an2k *tx, size_t rec,
                                     mid_template **out) {
    size_t n = 0;
    mid_status st = mid_an2k_legacy_minutiae(ctx, tx, rec, NULL, 0, &n);
    if (st != MID_OK) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "record %zu (Type-9): no minutiae block (9.012, 9.023 or 9.137)", rec + 1);
    }
    size_t img = image_for_idc(tx, rec);
    mid_an2k_image_info ii;
    if (img == SIZE_MAX || mid_an2k_image_info_get(ctx, tx, img, &ii) != MID_OK || ii.hll == 0 ||
        ii.vll == 0 || ii.hll > MID_MAX_IMAGE_SIDE || ii.vll > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "record %zu (Type-9): legacy minutiae need the image record with the same "
                         "IDC (none found) to place lower-left millimetre coordinates",
                         rec + 1);
    }
    double ppi = ii.ppi >= MID_MIN_PPI && ii.ppi <= MID_MAX_PPI ? ii.ppi : MID_WORK_PPI;
    mid_an2k_legacy_minutia *m = core_mallocn(n ? n : 1, sizeof(*m));
    if (m == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    mid_template *t = NULL;
    if ((st = mid_an2k_legacy_minutiae(ctx, tx, rec, m, n, &n)) == MID_OK) {
        st =
            mid_template_create(ctx, (uint16_t)ii.hll, (uint16_t)ii.vll, (uint16_t)lround(ppi), &t);
    }
    if (st == MID_OK) {
        unsigned pos = ii.n_fgp > 0 && ii.fgp[0] <= 15 ? ii.fgp[0] : 0;
        unsigned imp = ii.imp >= 0 && ii.imp <= 15 ? (unsigned)ii.imp : 0;
        mid_template_set_finger(ctx, t, (uint8_t)pos, (uint8_t)imp);
    }
    for (size_t i = 0; st == MID_OK && i < n && i < MID_MAX_MINUTIAE; i++) {
        long x = lround(m[i].x * ppi / 2540.0);
        long y = (long)ii.vll - lround(m[i].y * ppi / 2540.0);
        x = x < 0 ? 0 : x >= (long)ii.hll ? (long)ii.hll - 1 : x;
        y = y < 0 ? 0 : y >= (long)ii.vll ? (long)ii.vll - 1 : y;
        mid_minutia mm;
        mm.x = (uint16_t)x;
        mm.y = (uint16_t)y;
        mm.angle = (uint8_t)(lround(((m[i].theta + 180) % 360) * 256.0 / 360.0) & 255);
        mm.type = m[i].type == 'A'   ? MID_MINUTIA_ENDING
                  : m[i].type == 'B' ? MID_MINUTIA_BIFURCATION
                                     : MID_MINUTIA_OTHER;
        /* Quality 0 (manual) and 1 (none given) are "unknown"; 2..63 scale to 0..100. */
        mm.quality = m[i].quality >= 2 && m[i].quality <= 63
                         ? (uint8_t)lround(m[i].quality * 100.0 / 63.0)
                         : 0;
        st = mid_template_add(ctx, t, &mm);
    }
    free(m);
    if (st != MID_OK) {
        mid_template_free(t);
        return st;
    }
    *out = t;
    return MID_OK;
}

mid_status mid_an2k_minutiae_get(mid_ctx *ctx, const mid_an2k *tx, size_t rec, mid_template **out) {
    if (out == NULL || tx == NULL || rec >= tx->n_recs || tx->recs[rec].type != 9) {
        return core_fail(ctx, MID_ERR_ARG, "record %zu is not a Type-9 record", rec + 1);
    }
    *out = NULL;
    unsigned long hll, vll, slc = 0, hps = 0, v;
    size_t len;
    const uint8_t *fmd = mid_an2k_get(tx, rec, 137, &len);
    if (!get_uint(tx, rec, 128, &hll) || !get_uint(tx, rec, 129, &vll)) {
        return legacy_to_template(ctx, tx, rec, out);
    }
    if (hll == 0 || vll == 0 || hll > MID_MAX_IMAGE_SIDE || vll > MID_MAX_IMAGE_SIDE) {
        return core_fail(ctx, MID_ERR_FORMAT, "record %zu (Type-9) field 9.128: bad size %lux%lu",
                         rec + 1, hll, vll);
    }
    get_uint(tx, rec, 130, &slc);
    get_uint(tx, rec, 131, &hps);
    double ppi = slc == 1 ? (double)hps : slc == 2 ? hps * 2.54 : 0;
    if (ppi > MID_MAX_PPI) {
        ppi = 0;
    }
    mid_template *t = NULL;
    mid_status st =
        mid_template_create(ctx, (uint16_t)hll, (uint16_t)vll, (uint16_t)lround(ppi), &t);
    if (st != MID_OK) {
        return st;
    }
    unsigned long fgp = 0, imp = 0;
    get_uint(tx, rec, 134, &fgp);
    get_uint(tx, rec, 3, &imp);
    mid_template_set_finger(ctx, t, fgp <= 15 ? (uint8_t)fgp : 0, imp <= 15 ? (uint8_t)imp : 0);
    const uint8_t *fq = mid_an2k_get(tx, rec, 135, &len);
    size_t il;
    const uint8_t *it = fq ? mid_an2k_item(fq, len, 0, 0, &il) : NULL;
    if (it != NULL && an2k_parse_uint(it, il, &v) && v <= 100) {
        mid_template_set_quality(t, (uint8_t)v);
    }
    size_t flen = 0;
    fmd = mid_an2k_get(tx, rec, 137, &flen);
    size_t n = fmd ? mid_an2k_subfield_count(fmd, flen) : 0;
    for (size_t s = 0; s < n; s++) {
        unsigned long item[6] = {0};
        for (size_t k = 0; k < 6; k++) {
            it = mid_an2k_item(fmd, flen, s, k, &il);
            if (it == NULL || !an2k_parse_uint(it, il, &item[k])) {
                mid_template_free(t);
                return core_fail(ctx, MID_ERR_FORMAT,
                                 "record %zu (Type-9) field 9.137: minutia %zu item %zu is not a "
                                 "number",
                                 rec + 1, s + 1, k + 1);
            }
        }
        if (item[1] >= hll || item[2] >= vll || item[3] > 179 || item[4] > 2 || item[5] > 100) {
            mid_template_free(t);
            return core_fail(ctx, MID_ERR_FORMAT,
                             "record %zu (Type-9) field 9.137: minutia %zu (%lu,%lu,%lu type %lu "
                             "quality %lu) out of range",
                             rec + 1, s + 1, item[1], item[2], item[3], item[4], item[5]);
        }
        mid_minutia m;
        m.x = (uint16_t)item[1];
        m.y = (uint16_t)item[2];
        /* 2-degree units, counter-clockwise, to 360/256-degree units. */
        m.angle = (uint8_t)(lround(item[3] * 2.0 * 256.0 / 360.0) & 255);
        m.type = (uint8_t)item[4];
        m.quality = (uint8_t)item[5];
        st = mid_template_add(ctx, t, &m);
        if (st != MID_OK) {
            mid_template_free(t);
            return st;
        }
    }
    *out = t;
    return MID_OK;
}

mid_status mid_an2k_legacy_minutiae(mid_ctx *ctx, const mid_an2k *tx, size_t rec,
                                    mid_an2k_legacy_minutia *out, size_t cap, size_t *count) {
    if (count == NULL || tx == NULL || rec >= tx->n_recs || tx->recs[rec].type != 9) {
        return core_fail(ctx, MID_ERR_ARG, "record %zu is not a Type-9 record", rec + 1);
    }
    size_t len;
    unsigned field = 12;
    const uint8_t *mrc = mid_an2k_get(tx, rec, 12, &len);
    if (mrc == NULL) {
        field = 23; /* the FBI IAFIS block's MAT uses the same item layout */
        mrc = mid_an2k_get(tx, rec, 23, &len);
    }
    if (mrc == NULL) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "record %zu (Type-9): no standard minutiae field 9.012 or 9.023", rec + 1);
    }
    size_t n = mid_an2k_subfield_count(mrc, len);
    *count = n;
    for (size_t s = 0; s < n && s < cap; s++) {
        size_t l0, l1, l2, l3;
        const uint8_t *idx = mid_an2k_item(mrc, len, s, 0, &l0);
        const uint8_t *pos = mid_an2k_item(mrc, len, s, 1, &l1);
        const uint8_t *q = mid_an2k_item(mrc, len, s, 2, &l2);
        const uint8_t *ty = mid_an2k_item(mrc, len, s, 3, &l3);
        unsigned long vi, vx, vy, vt, vq = 0;
        /* XXXXYYYYTTT: 4 digits X, 4 digits Y (0.01 mm), 3 digits theta (degrees). */
        if (idx == NULL || pos == NULL || l1 != 11 || !an2k_parse_uint(idx, l0, &vi) ||
            !an2k_parse_uint(pos, 4, &vx) || !an2k_parse_uint(pos + 4, 4, &vy) ||
            !an2k_parse_uint(pos + 8, 3, &vt)) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "record %zu (Type-9) field 9.%03u: minutia %zu is not "
                             "index<US>XXXXYYYYTTT",
                             rec + 1, field, s + 1);
        }
        if (q != NULL) {
            an2k_parse_uint(q, l2, &vq);
        }
        out[s].index = (unsigned)vi;
        out[s].x = (unsigned)vx;
        out[s].y = (unsigned)vy;
        out[s].theta = (unsigned)vt;
        out[s].quality = (unsigned)vq;
        out[s].type = ty != NULL && l3 == 1 ? (char)ty[0] : 'D';
    }
    return MID_OK;
}
