/*
 * Validation of ANSI/NIST-ITL transactions (mid_an2k_check): structure first (the
 * parser), then the records of Types 1, 2, 4, 9, 13 and 14 against the standard's
 * field definitions (ANSI/NIST-ITL 1-2011 Update 2015, sections 8.1, 8.2, 8.4,
 * 8.9, 8.13, 8.14 and Table 7 impression codes, Table 8 finger positions, Table
 * 15 compression codes). Every problem is reported; parsing tolerates all of
 * these so that such files can still be read and copied.
 */
#include "an2k/an2k_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

typedef struct checker {
    const mid_an2k *tx;
    mid_an2k_report_fn report;
    void *user;
    size_t problems;
    char first[MID_ERRMSG_SIZE];
} checker;

static void problem(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void problem(checker *c, const char *fmt, ...) {
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (c->problems == 0) {
        size_t n = strlen(msg) < sizeof(c->first) - 1 ? strlen(msg) : sizeof(c->first) - 1;
        memcpy(c->first, msg, n);
        c->first[n] = '\0';
    }
    c->problems++;
    if (c->report != NULL) {
        c->report(c->user, msg);
    }
}

/* Field f's value as printable text for messages (at most 24 bytes). */
static const char *shown(const an2k_field *f, char *buf, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < f->len && i < 24 && o + 5 < cap; i++) {
        uint8_t ch = f->value[i];
        if (ch >= 0x20 && ch < 0x7F) {
            buf[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", ch);
        }
    }
    if (f->len > 24 && o + 4 < cap) {
        memcpy(buf + o, "...", 3);
        o += 3;
    }
    buf[o] = '\0';
    return buf;
}

static size_t value_offset(const an2k_field *f) {
    return f->offset == SIZE_MAX ? SIZE_MAX : f->offset + strlen(f->tag) + 1;
}

static const an2k_field *field(const an2k_record *r, unsigned num) {
    size_t i = an2k_find_field(r, num);
    return i == SIZE_MAX ? NULL : &r->fields[i];
}

static const an2k_field *require(checker *c, size_t rec, const an2k_record *r, unsigned num,
                                 const char *name) {
    const an2k_field *f = field(r, num);
    if (f == NULL) {
        problem(c, "record %zu (Type-%u) field %u.%03u: mandatory field %s is missing", rec + 1,
                r->type, r->type, num, name);
    }
    return f;
}

static void bad(checker *c, size_t rec, const an2k_record *r, const an2k_field *f,
                const char *what) {
    char buf[128];
    problem(c, "record %zu (Type-%u) field %s: bad %s '%s' at offset %zu", rec + 1, r->type, f->tag,
            what, shown(f, buf, sizeof(buf)), value_offset(f));
}

/* Checks that f is a whole number in [lo, hi]; reports otherwise. */
static bool check_uint(checker *c, size_t rec, const an2k_record *r, const an2k_field *f,
                       unsigned long lo, unsigned long hi, const char *what, unsigned long *out) {
    unsigned long v = 0;
    if (f == NULL) {
        return false;
    }
    if (!an2k_parse_uint(f->value, f->len, &v) || v < lo || v > hi) {
        bad(c, rec, r, f, what);
        return false;
    }
    if (out != NULL) {
        *out = v;
    }
    return true;
}

static bool valid_date(const uint8_t *s, size_t len) {
    unsigned long y, m, d;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (len != 8 || !an2k_parse_uint(s, 4, &y) || !an2k_parse_uint(s + 4, 2, &m) ||
        !an2k_parse_uint(s + 6, 2, &d)) {
        return false;
    }
    return y >= 1900 && m >= 1 && m <= 12 && d >= 1 && d <= mdays[m - 1] &&
           !(m == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)));
}

static void check_date(checker *c, size_t rec, const an2k_record *r, const an2k_field *f) {
    if (f != NULL && !valid_date(f->value, f->len)) {
        bad(c, rec, r, f, "date (YYYYMMDD)");
    }
}

static void check_text(checker *c, size_t rec, const an2k_record *r, const an2k_field *f,
                       size_t maxlen, const char *what) {
    if (f == NULL) {
        return;
    }
    bool ok = f->len >= 1 && f->len <= maxlen;
    for (size_t i = 0; ok && i < f->len; i++) {
        ok = f->value[i] >= 0x20 || f->value[i] == MID_AN2K_RS || f->value[i] == MID_AN2K_US;
    }
    if (!ok) {
        bad(c, rec, r, f, what);
    }
}

/* Resolution "NN.NN" in pixels per mm (1.011, 1.012). */
static void check_resolution(checker *c, size_t rec, const an2k_record *r, const an2k_field *f) {
    if (f == NULL) {
        return;
    }
    bool ok = f->len == 5 && f->value[2] == '.';
    for (size_t i = 0; ok && i < 5; i++) {
        ok = i == 2 || (f->value[i] >= '0' && f->value[i] <= '9');
    }
    if (!ok) {
        bad(c, rec, r, f, "resolution (NN.NN pixels per mm)");
    }
}

/* Table 7 impression codes. */
static bool valid_imp(unsigned long v) {
    return v <= 8 || (v >= 10 && v <= 15) || (v >= 20 && v <= 29);
}

/* Table 8 finger positions usable in a Type-14 record (fingers, plain thumbs and
 * slaps, EJI 19, and the multiple-finger codes 40..50). */
static bool valid_fgp14(unsigned long v) {
    return v <= 15 || v == 19 || (v >= 40 && v <= 50);
}

static void check_type1(checker *c, const an2k_record *r) {
    const mid_an2k *tx = c->tx;
    const an2k_field *ver = require(c, 0, r, 2, "VER");
    static const char *const versions[] = {"0200", "0201", "0300", "0400", "0500", "0501", "0502"};
    bool known = false;
    for (size_t i = 0; ver != NULL && i < sizeof(versions) / sizeof(versions[0]); i++) {
        known = known || (ver->len == 4 && memcmp(ver->value, versions[i], 4) == 0);
    }
    if (ver != NULL && !known) {
        bad(c, 0, r, ver, "version (0200 .. 0502)");
    }
    require(c, 0, r, 3, "CNT");
    const an2k_field *f = require(c, 0, r, 4, "TOT");
    check_text(c, 0, r, f, 16, "type of transaction");
    check_date(c, 0, r, require(c, 0, r, 5, "DAT"));
    f = field(r, 6);
    if (f != NULL) {
        check_uint(c, 0, r, f, 1, 9, "priority (1..9)", NULL);
    }
    check_text(c, 0, r, require(c, 0, r, 7, "DAI"), 40, "destination agency");
    check_text(c, 0, r, require(c, 0, r, 8, "ORI"), 40, "originating agency");
    check_text(c, 0, r, require(c, 0, r, 9, "TCN"), 40, "transaction control number");
    check_resolution(c, 0, r, require(c, 0, r, 11, "NSR"));
    check_resolution(c, 0, r, require(c, 0, r, 12, "NTR"));
    /* 1.003: each listed IDC equals the record's own IDC. */
    const an2k_field *cnt = field(r, 3);
    for (size_t i = 1; cnt != NULL && i < tx->n_recs; i++) {
        size_t il;
        const uint8_t *it = mid_an2k_item(cnt->value, cnt->len, i, 1, &il);
        unsigned long listed = 0, own = 0;
        const an2k_record *ri = &tx->recs[i];
        bool have_own;
        if (ri->binary) {
            own = ri->bytes[4];
            have_own = true;
        } else {
            const an2k_field *idc = field(ri, 2);
            have_own = idc != NULL && an2k_parse_uint(idc->value, idc->len, &own);
        }
        if (it == NULL || !an2k_parse_uint(it, il, &listed)) {
            problem(c, "record 1 (Type-1) field %s: subfield %zu has no valid IDC (offset %zu)",
                    cnt->tag, i + 1, value_offset(cnt));
        } else if (have_own && listed != own) {
            problem(c,
                    "record 1 (Type-1) field %s: subfield %zu lists IDC %lu but record %zu "
                    "(Type-%u) at offset %zu has IDC %lu",
                    cnt->tag, i + 1, listed, i + 1, ri->type, ri->offset, own);
        }
    }
}

static void check_tagged_common(checker *c, size_t rec, const an2k_record *r) {
    if (rec > 0) {
        check_uint(c, rec, r, require(c, rec, r, 2, "IDC"), 0, 255, "IDC (0..255)", NULL);
    }
    for (size_t i = 1; i < r->n_fields; i++) {
        if (r->fields[i].type != r->type) {
            problem(c, "record %zu (Type-%u) field %s: tag of a Type-%u field at offset %zu",
                    rec + 1, r->type, r->fields[i].tag, r->fields[i].type, r->fields[i].offset);
        }
        for (size_t k = 0; k < i; k++) {
            if (r->fields[k].number == r->fields[i].number) {
                problem(c, "record %zu (Type-%u) field %s: repeated at offset %zu", rec + 1,
                        r->type, r->fields[i].tag, r->fields[i].offset);
                break;
            }
        }
    }
}

static void check_image_fields(checker *c, size_t rec, const an2k_record *r) {
    unsigned t = r->type;
    unsigned long v;
    const an2k_field *f = require(c, rec, r, 3, "IMP");
    if (f != NULL && (!an2k_parse_uint(f->value, f->len, &v) || !valid_imp(v))) {
        bad(c, rec, r, f, "impression type");
    }
    check_text(c, rec, r, require(c, rec, r, 4, "SRC"), 40, "source agency");
    check_date(c, rec, r, require(c, rec, r, 5, t == 13 ? "LCD" : "FCD"));
    check_uint(c, rec, r, require(c, rec, r, 6, "HLL"), 10, 99999, "horizontal line length", NULL);
    check_uint(c, rec, r, require(c, rec, r, 7, "VLL"), 10, 99999, "vertical line length", NULL);
    check_uint(c, rec, r, require(c, rec, r, 8, "SLC"), 0, 2, "scale units (0..2)", NULL);
    check_uint(c, rec, r, require(c, rec, r, 9, "HPS"), 1, 99999, "horizontal pixel scale", NULL);
    check_uint(c, rec, r, require(c, rec, r, 10, "VPS"), 1, 99999, "vertical pixel scale", NULL);
    f = require(c, rec, r, 11, "CGA");
    if (f != NULL) {
        static const char *const ok[] = {"NONE", "WSQ20", "JPEGB", "JPEGL", "JP2", "JP2L", "PNG"};
        bool known = false;
        for (size_t i = 0; i < 7; i++) {
            known = known || (f->len == strlen(ok[i]) && memcmp(f->value, ok[i], f->len) == 0);
        }
        if (!known) {
            bad(c, rec, r, f, "compression algorithm");
        }
    }
    check_uint(c, rec, r, require(c, rec, r, 12, "BPX"), 1, 99, "bits per pixel", NULL);
    f = require(c, rec, r, 13, "FGP");
    size_t n = f ? mid_an2k_subfield_count(f->value, f->len) : 0;
    for (size_t s = 0; s < n; s++) {
        size_t il;
        const uint8_t *it = mid_an2k_item(f->value, f->len, s, 0, &il);
        if (it == NULL || !an2k_parse_uint(it, il, &v) || (t == 14 ? !valid_fgp14(v) : v > 99)) {
            char buf[24];
            size_t k = it ? (il < 8 ? il : 8) : 0;
            if (it) {
                memcpy(buf, it, k);
            }
            buf[k] = '\0';
            for (size_t j = 0; j < k; j++) {
                buf[j] = (buf[j] >= 0x20 && buf[j] < 0x7F) ? buf[j] : '?';
            }
            problem(c, "record %zu (Type-%u) field %s: bad finger position '%s' at offset %zu",
                    rec + 1, t, f->tag, buf, value_offset(f) + (it ? (size_t)(it - f->value) : 0));
        }
    }
    f = require(c, rec, r, 999, "DATA");
    if (f != NULL && f->len == 0) {
        problem(c, "record %zu (Type-%u) field %s: empty image data at offset %zu", rec + 1, t,
                f->tag, value_offset(f));
    }
}

static void check_type4(checker *c, size_t rec, const an2k_record *r) {
    const uint8_t *b = r->bytes;
    size_t o = r->offset;
    if (!valid_imp(b[5]) || b[5] > 3) {
        problem(c, "record %zu (Type-4) field 4.003: bad impression type '%u' at offset %zu",
                rec + 1, b[5], o + 5);
    }
    if (b[6] > 15) {
        problem(c, "record %zu (Type-4) field 4.004: bad finger position '%u' at offset %zu",
                rec + 1, b[6], o + 6);
    }
    for (size_t i = 1; i < 6; i++) {
        if (b[6 + i] > 15 && b[6 + i] != 255) {
            problem(c, "record %zu (Type-4) field 4.004: bad finger position '%u' at offset %zu",
                    rec + 1, b[6 + i], o + 6 + i);
        }
    }
    if (b[12] > 1) {
        problem(c, "record %zu (Type-4) field 4.005: bad scanning resolution '%u' at offset %zu",
                rec + 1, b[12], o + 12);
    }
    unsigned hll = ((unsigned)b[13] << 8) | b[14], vll = ((unsigned)b[15] << 8) | b[16];
    if (hll == 0 || vll == 0) {
        problem(c, "record %zu (Type-4) field 4.006: bad image size %ux%u at offset %zu", rec + 1,
                hll, vll, o + 13);
    }
    if (b[17] > 6) {
        problem(c, "record %zu (Type-4) field 4.008: bad compression algorithm '%u' at offset %zu",
                rec + 1, b[17], o + 17);
    } else if (b[17] == 0 && (size_t)hll * vll != r->n_bytes - 18) {
        problem(c,
                "record %zu (Type-4) field 4.009: %zu bytes of uncompressed data for %ux%u at "
                "offset %zu",
                rec + 1, r->n_bytes - 18, hll, vll, o + 18);
    }
    if (r->n_bytes == 18) {
        problem(c, "record %zu (Type-4) field 4.009: no image data at offset %zu", rec + 1, o + 18);
    }
}

static void check_type9(checker *c, size_t rec, const an2k_record *r) {
    unsigned long v, count;
    const an2k_field *f = require(c, rec, r, 3, "IMP");
    if (f != NULL && (!an2k_parse_uint(f->value, f->len, &v) || !valid_imp(v))) {
        bad(c, rec, r, f, "impression type");
    }
    f = require(c, rec, r, 4, "FMT");
    if (f != NULL && !(f->len == 1 && (f->value[0] == 'S' || f->value[0] == 'U'))) {
        bad(c, rec, r, f, "minutiae format (S or U)");
    }
    /* Standard block: 9.010 NMN counts the subfields of 9.012 MRC. */
    const an2k_field *nmn = field(r, 10), *mrc = field(r, 12);
    if (nmn != NULL && check_uint(c, rec, r, nmn, 0, 9999, "number of minutiae", &count) &&
        mrc != NULL && mid_an2k_subfield_count(mrc->value, mrc->len) != count) {
        problem(c, "record %zu (Type-9) field %s: %lu minutiae announced at offset %zu, %zu listed",
                rec + 1, mrc->tag, count, value_offset(nmn),
                mid_an2k_subfield_count(mrc->value, mrc->len));
    }
    /* INCITS 378 block: 9.136 NOM counts 9.137 FMD, each index~X~Y~theta~type~quality
     * inside 9.128 x 9.129. */
    const an2k_field *nom = field(r, 136), *fmd = field(r, 137);
    unsigned long hll = 0, vll = 0;
    const an2k_field *fh = field(r, 128), *fv = field(r, 129);
    bool have_size = fh && fv &&
                     check_uint(c, rec, r, fh, 1, 99999, "horizontal line length", &hll) &&
                     check_uint(c, rec, r, fv, 1, 99999, "vertical line length", &vll);
    if (field(r, 134) != NULL) {
        check_uint(c, rec, r, field(r, 134), 0, 15, "finger position", NULL);
    }
    if (nom != NULL && check_uint(c, rec, r, nom, 0, 255, "number of minutiae", &count) &&
        fmd != NULL && mid_an2k_subfield_count(fmd->value, fmd->len) != count) {
        problem(c, "record %zu (Type-9) field %s: %lu minutiae announced at offset %zu, %zu listed",
                rec + 1, fmd->tag, count, value_offset(nom),
                mid_an2k_subfield_count(fmd->value, fmd->len));
    }
    size_t n = fmd ? mid_an2k_subfield_count(fmd->value, fmd->len) : 0;
    for (size_t s = 0; s < n; s++) {
        unsigned long it[6];
        bool ok = true;
        for (size_t k = 0; k < 6 && ok; k++) {
            size_t il;
            const uint8_t *p = mid_an2k_item(fmd->value, fmd->len, s, k, &il);
            ok = p != NULL && an2k_parse_uint(p, il, &it[k]);
        }
        ok = ok && it[3] <= 179 && it[4] <= 2 && it[5] <= 100 &&
             (!have_size || (it[1] < hll && it[2] < vll));
        if (!ok) {
            problem(c, "record %zu (Type-9) field %s: bad minutia %zu at offset %zu", rec + 1,
                    fmd->tag, s + 1, value_offset(fmd));
        }
    }
}

mid_status mid_an2k_check(mid_ctx *ctx, const void *data, size_t len, mid_an2k_report_fn report,
                          void *user, size_t *problems) {
    if (problems != NULL) {
        *problems = 0;
    }
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_parse(ctx, data, len, &tx);
    if (st != MID_OK) {
        if (report != NULL) {
            report(user, mid_ctx_error(ctx));
        }
        if (problems != NULL) {
            *problems = 1;
        }
        return st == MID_ERR_NOMEM || st == MID_ERR_ARG ? st : MID_ERR_FORMAT;
    }
    checker c = {tx, report, user, 0, ""};
    for (size_t i = 0; i < tx->n_recs; i++) {
        const an2k_record *r = &tx->recs[i];
        if (!r->binary) {
            check_tagged_common(&c, i, r);
        }
        switch (r->type) {
        case 1:
            check_type1(&c, r);
            break;
        case 4:
            check_type4(&c, i, r);
            break;
        case 9:
            check_type9(&c, i, r);
            break;
        case 13:
        case 14:
            check_image_fields(&c, i, r);
            break;
        default:
            break;
        }
    }
    mid_an2k_free(tx);
    if (problems != NULL) {
        *problems = c.problems;
    }
    if (c.problems > 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "%s", c.first);
    }
    return MID_OK;
}
