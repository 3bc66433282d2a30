/*
 * ANSI/NIST-ITL 1-2011 (Update 2015) traditional encoding: parsing, serialising,
 * record and field access (mid/an2k.h).
 *
 * Parsing follows the transaction's own description of itself: the Type-1 record
 * is tagged and comes first; its CNT field (1.003) says how many records follow
 * and of which types, and therefore whether each one is a tagged record (length in
 * its first field, x.001) or a legacy binary one (Types 3..8: 4-byte big-endian
 * length). Every length and count is checked against what is left of the input
 * before it is used. Values are kept as read, so output equals input until
 * something is changed.
 */
#include "an2k/an2k_internal.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t an2k_binary_header_size(unsigned type) {
    switch (type) {
    case 3: /* LEN 4, IDC 1, IMP 1, FGP 6, ISR 1, HLL 2, VLL 2, GCA/CGA 1 */
    case 4:
    case 5:
    case 6:
        return 18;
    case 7: /* LEN 4, IDC 1, then user-defined */
        return 5;
    case 8: /* LEN 4, IDC 1, SIG 1, SRT 1, ISR 1, HLL 2, VLL 2 */
        return 12;
    default:
        return 0;
    }
}

bool an2k_is_binary_type(unsigned type) {
    return type >= 3 && type <= 8;
}

const char *an2k_type_name(unsigned type, char *buf, size_t cap) {
    snprintf(buf, cap, "Type-%u", type);
    return buf;
}

bool an2k_parse_uint(const uint8_t *s, size_t len, unsigned long *out) {
    if (len == 0 || len > 9) {
        return false;
    }
    unsigned long v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (unsigned long)(s[i] - '0');
    }
    *out = v;
    return true;
}

size_t an2k_find_field(const an2k_record *r, unsigned number) {
    for (size_t i = 0; i < r->n_fields; i++) {
        if (r->fields[i].number == number) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* Values are wiped before release: a search transaction carries probe images
 * (the gateway frees a request's transaction after the search). */
static void record_clear(an2k_record *r) {
    for (size_t i = 0; i < r->n_fields; i++) {
        if (r->fields[i].value != NULL) {
            core_wipe(r->fields[i].value, r->fields[i].len);
        }
        free(r->fields[i].value);
    }
    free(r->fields);
    if (r->bytes != NULL) {
        core_wipe(r->bytes, r->n_bytes);
    }
    free(r->bytes);
    memset(r, 0, sizeof(*r));
}

void mid_an2k_free(mid_an2k *tx) {
    if (tx == NULL) {
        return;
    }
    for (size_t i = 0; i < tx->n_recs; i++) {
        record_clear(&tx->recs[i]);
    }
    free(tx->recs);
    free(tx);
}

an2k_record *an2k_append_record(mid_an2k *tx) {
    if (tx->n_recs == tx->cap_recs) {
        size_t cap = tx->cap_recs ? tx->cap_recs * 2 : 8;
        an2k_record *nr = core_mallocn(cap, sizeof(*nr));
        if (nr == NULL) {
            return NULL;
        }
        if (tx->n_recs) {
            memcpy(nr, tx->recs, tx->n_recs * sizeof(*nr));
        }
        free(tx->recs);
        tx->recs = nr;
        tx->cap_recs = cap;
    }
    an2k_record *r = &tx->recs[tx->n_recs++];
    memset(r, 0, sizeof(*r));
    r->offset = SIZE_MAX;
    return r;
}

/* Appends a field to r with a copy of the value. */
static an2k_field *record_push_field(an2k_record *r, unsigned type, unsigned number,
                                     const char *tag, const uint8_t *value, size_t len,
                                     size_t offset) {
    if (r->n_fields == r->cap_fields) {
        size_t cap = r->cap_fields ? r->cap_fields * 2 : 16;
        an2k_field *nf = core_mallocn(cap, sizeof(*nf));
        if (nf == NULL) {
            return NULL;
        }
        if (r->n_fields) {
            memcpy(nf, r->fields, r->n_fields * sizeof(*nf));
        }
        free(r->fields);
        r->fields = nf;
        r->cap_fields = cap;
    }
    uint8_t *copy = NULL;
    if (len > 0) {
        copy = malloc(len);
        if (copy == NULL) {
            return NULL;
        }
        memcpy(copy, value, len);
    }
    an2k_field *f = &r->fields[r->n_fields++];
    memset(f, 0, sizeof(*f));
    f->type = type;
    f->number = number;
    snprintf(f->tag, sizeof(f->tag), "%s", tag);
    f->value = copy;
    f->len = len;
    f->offset = offset;
    return f;
}

/* ---- parsing ---- */

typedef struct parser {
    mid_ctx *ctx;
    const uint8_t *d;
    size_t n;
} parser;

static bool is_digit(uint8_t c) {
    return c >= '0' && c <= '9';
}

static void printable(const uint8_t *s, size_t len, char *buf, size_t cap) {
    size_t o = 0;
    for (size_t i = 0; i < len && o + 5 < cap; i++) {
        if (s[i] >= 0x20 && s[i] < 0x7F) {
            buf[o++] = (char)s[i];
        } else {
            o += (size_t)snprintf(buf + o, cap - o, "\\x%02X", s[i]);
        }
    }
    buf[o] = '\0';
}

/* Reads a tag "T.N:" at p (bounded by end). On success *f gets type, number and tag
 * text and *value_at the offset after ':'. */
static mid_status parse_tag(parser *ps, size_t rec, unsigned rec_type, bool first, size_t p,
                            size_t end, an2k_field *f, size_t *value_at) {
    char tn[16];
    size_t q = p;
    unsigned long type = 0, number = 0;
    size_t type_digits = 0, num_digits = 0;
    while (q < end && is_digit(ps->d[q]) && type_digits < 4) {
        type = type * 10 + (unsigned long)(ps->d[q] - '0');
        q++;
        type_digits++;
    }
    bool ok = type_digits >= 1 && type_digits <= 3 && q < end && ps->d[q] == '.';
    if (ok) {
        q++;
        while (q < end && is_digit(ps->d[q]) && num_digits < 10) {
            number = number * 10 + (unsigned long)(ps->d[q] - '0');
            q++;
            num_digits++;
        }
        ok = num_digits >= 1 && num_digits <= 9 && q < end && ps->d[q] == ':';
    }
    if (!ok) {
        char seen[40];
        printable(ps->d + p, (end - p) < 8 ? end - p : 8, seen, sizeof(seen));
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s): bad field tag '%s' at offset %zu (expected "
                         "'%u.NNN:')",
                         rec, an2k_type_name(rec_type, tn, sizeof(tn)), seen, p, rec_type);
    }
    if (type != rec_type && first) {
        char seen[40];
        printable(ps->d + p, q - p, seen, sizeof(seen));
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s): field tag '%s' at offset %zu belongs to a Type-%lu "
                         "record (1.003 lists %s)",
                         rec, an2k_type_name(rec_type, tn, sizeof(tn)), seen, p, type, tn);
    }
    /* A later field whose tag names another type is kept as it is (some producers
     * write such fields); mid_an2k_check() reports it. */
    if (number == 0 || number > 99999) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s): field number %lu out of range at offset %zu", rec,
                         an2k_type_name(rec_type, tn, sizeof(tn)), number, p);
    }
    f->type = (unsigned)type;
    f->number = (unsigned)number;
    memcpy(f->tag, ps->d + p, q - p);
    f->tag[q - p] = '\0';
    f->offset = p;
    *value_at = q + 1;
    return MID_OK;
}

/* True when the bytes at v are a short printable text, a GS and another field tag:
 * a textual x.999 field followed by more fields (NIST's own valid1.11 test file has
 * "10.999:010110<GS>10.999:<JPEG>"). Image data never starts so: the compressed
 * formats begin with a binary signature. */
static bool text_then_tag(const uint8_t *d, size_t v, size_t end) {
    size_t q = v;
    while (q < end && q - v < 64 && d[q] >= 0x20 && d[q] < 0x7F) {
        q++;
    }
    if (q >= end || d[q] != MID_AN2K_GS) {
        return false;
    }
    q++;
    size_t digits_before = 0, digits_after = 0;
    while (q < end && is_digit(d[q]) && digits_before < 4) {
        q++;
        digits_before++;
    }
    if (digits_before == 0 || q >= end || d[q] != '.') {
        return false;
    }
    q++;
    while (q < end && is_digit(d[q]) && digits_after < 10) {
        q++;
        digits_after++;
    }
    return digits_after > 0 && q < end && d[q] == ':';
}

static mid_status parse_tagged(parser *ps, mid_an2k *tx, size_t rec, unsigned type, size_t p,
                               size_t *next) {
    char tn[16];
    an2k_type_name(type, tn, sizeof(tn));
    an2k_field f;
    size_t v;
    mid_status st = parse_tag(ps, rec, type, true, p, ps->n, &f, &v);
    if (st != MID_OK) {
        return st;
    }
    if (f.number != 1) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s): first field is %s at offset %zu, not the record "
                         "length %u.001",
                         rec, tn, f.tag, p, type);
    }
    size_t s = v;
    while (s < ps->n && s - v < 10 && is_digit(ps->d[s])) {
        s++;
    }
    unsigned long len = 0;
    if (s >= ps->n) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %s: truncated at offset %zu (input ends)", rec, tn,
                         f.tag, ps->n);
    }
    if ((ps->d[s] != MID_AN2K_GS && ps->d[s] != MID_AN2K_FS) ||
        !an2k_parse_uint(ps->d + v, s - v, &len)) {
        char seen[40];
        printable(ps->d + v, (s - v + 1) < 12 ? s - v + 1 : 12, seen, sizeof(seen));
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %s: bad record length '%s' at offset %zu", rec, tn,
                         f.tag, seen, v);
    }
    size_t left = ps->n - p;
    if (len <= s - p || len > left) {
        return core_fail(ps->ctx, len > left ? MID_ERR_FORMAT : MID_ERR_FORMAT,
                         "record %zu (%s) field %s: record length %lu at offset %zu %s (%zu "
                         "bytes left from offset %zu)",
                         rec, tn, f.tag, len, v,
                         len > left ? "overruns the input" : "is shorter than its own field", left,
                         p);
    }
    size_t end = p + len;
    if (ps->d[end - 1] != MID_AN2K_FS) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %s: record length %lu at offset %zu does not end "
                         "at a FS separator (byte 0x%02X at offset %zu)",
                         rec, tn, f.tag, len, v, ps->d[end - 1], end - 1);
    }
    an2k_record *r = an2k_append_record(tx);
    if (r == NULL) {
        return core_fail(ps->ctx, MID_ERR_NOMEM, "out of memory");
    }
    r->type = type;
    r->offset = p;
    if (record_push_field(r, type, 1, f.tag, ps->d + v, s - v, p) == NULL) {
        return core_fail(ps->ctx, MID_ERR_NOMEM, "out of memory");
    }
    size_t q = s + 1;
    if (ps->d[s] == MID_AN2K_FS && q != end) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %s: FS separator at offset %zu inside the record "
                         "(record length %lu ends at offset %zu)",
                         rec, tn, f.tag, s, len, end);
    }
    while (q < end) {
        if (r->n_fields >= MID_AN2K_MAX_FIELDS) {
            return core_fail(ps->ctx, MID_ERR_LIMIT,
                             "record %zu (%s): more than %u fields (offset %zu)", rec, tn,
                             MID_AN2K_MAX_FIELDS, q);
        }
        st = parse_tag(ps, rec, type, false, q, end, &f, &v);
        if (st != MID_OK) {
            return st;
        }
        size_t stop;
        if (f.number == 999 && !text_then_tag(ps->d, v, end)) {
            /* Image data is binary and may hold separator bytes: it runs to the FS
             * that ends the record. */
            stop = end - 1;
        } else {
            stop = v;
            while (stop < end && ps->d[stop] != MID_AN2K_GS && ps->d[stop] != MID_AN2K_FS) {
                stop++;
            }
            /* end - 1 holds FS, so stop < end here. */
            if (ps->d[stop] == MID_AN2K_FS && stop != end - 1) {
                return core_fail(ps->ctx, MID_ERR_FORMAT,
                                 "record %zu (%s) field %s: FS separator at offset %zu inside the "
                                 "record (record length %lu ends at offset %zu)",
                                 rec, tn, f.tag, stop, len, end);
            }
            if (stop - v > MID_AN2K_MAX_FIELD_BYTES) {
                return core_fail(ps->ctx, MID_ERR_LIMIT,
                                 "record %zu (%s) field %s: value of %zu bytes at offset %zu "
                                 "exceeds %u",
                                 rec, tn, f.tag, stop - v, v, MID_AN2K_MAX_FIELD_BYTES);
            }
        }
        if (record_push_field(r, type, f.number, f.tag, ps->d + v, stop - v, q) == NULL) {
            return core_fail(ps->ctx, MID_ERR_NOMEM, "out of memory");
        }
        q = stop + 1;
    }
    *next = end;
    return MID_OK;
}

static mid_status parse_binary(parser *ps, mid_an2k *tx, size_t rec, unsigned type, size_t p,
                               size_t *next) {
    char tn[16];
    an2k_type_name(type, tn, sizeof(tn));
    size_t left = ps->n - p;
    size_t hdr = an2k_binary_header_size(type);
    if (left < 4) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %u.001: truncated length at offset %zu (%zu bytes "
                         "left)",
                         rec, tn, type, p, left);
    }
    const uint8_t *d = ps->d + p;
    uint32_t len = ((uint32_t)d[0] << 24) | ((uint32_t)d[1] << 16) | ((uint32_t)d[2] << 8) | d[3];
    if (len < hdr || len > left) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record %zu (%s) field %u.001: record length %u at offset %zu %s (header "
                         "%zu bytes, %zu bytes left)",
                         rec, tn, type, len, p,
                         len < hdr ? "is shorter than the record header" : "overruns the input",
                         hdr, left);
    }
    an2k_record *r = an2k_append_record(tx);
    if (r == NULL || (r->bytes = malloc(len)) == NULL) {
        return core_fail(ps->ctx, MID_ERR_NOMEM, "out of memory");
    }
    memcpy(r->bytes, d, len);
    r->n_bytes = len;
    r->type = type;
    r->binary = true;
    r->offset = p;
    *next = p + len;
    return MID_OK;
}

static const char *const VERSIONS[] = {"0200", "0201", "0300", "0400", "0500", "0501", "0502"};

/* Reads 1.002 and 1.003 of the parsed Type-1 record into the list of record types. */
static mid_status read_cnt(parser *ps, const an2k_record *t1, unsigned **types, size_t *count) {
    size_t iv = an2k_find_field(t1, 2);
    if (iv == SIZE_MAX) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record 1 (Type-1): version field 1.002 is missing");
    }
    /* Unknown versions are read all the same (NIST's own reference files include
     * one with version "0"); mid_an2k_check() reports them. */
    size_t ic = an2k_find_field(t1, 3);
    if (ic == SIZE_MAX) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record 1 (Type-1): content field 1.003 is missing");
    }
    const an2k_field *fc = &t1->fields[ic];
    size_t nsub = mid_an2k_subfield_count(fc->value, fc->len);
    size_t l0, l1;
    const uint8_t *i0 = mid_an2k_item(fc->value, fc->len, 0, 0, &l0);
    const uint8_t *i1 = mid_an2k_item(fc->value, fc->len, 0, 1, &l1);
    unsigned long one = 0, n = 0;
    if (i0 == NULL || i1 == NULL || !an2k_parse_uint(i0, l0, &one) || one != 1 ||
        !an2k_parse_uint(i1, l1, &n)) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record 1 (Type-1) field %s: first subfield must be '1<US>count' (offset "
                         "%zu)",
                         fc->tag, fc->offset);
    }
    if (n + 1 > MID_AN2K_MAX_RECORDS) {
        return core_fail(ps->ctx, MID_ERR_LIMIT,
                         "record 1 (Type-1) field %s: %lu records at offset %zu exceed %u", fc->tag,
                         n + 1, fc->offset, MID_AN2K_MAX_RECORDS);
    }
    if (nsub != n + 1) {
        return core_fail(ps->ctx, MID_ERR_FORMAT,
                         "record 1 (Type-1) field %s: announces %lu records but lists %zu (offset "
                         "%zu)",
                         fc->tag, n, nsub - 1, fc->offset);
    }
    unsigned *t = core_calloc(n ? n : 1, sizeof(*t));
    if (t == NULL) {
        return core_fail(ps->ctx, MID_ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        size_t lt;
        const uint8_t *it = mid_an2k_item(fc->value, fc->len, i + 1, 0, &lt);
        unsigned long ty = 0;
        if (it == NULL || !an2k_parse_uint(it, lt, &ty) || ty < 2 || ty > 99) {
            free(t);
            return core_fail(ps->ctx, MID_ERR_FORMAT,
                             "record 1 (Type-1) field %s: subfield %zu has no valid record type "
                             "(2..99) (offset %zu)",
                             fc->tag, i + 2, fc->offset);
        }
        t[i] = (unsigned)ty;
    }
    *types = t;
    *count = n;
    return MID_OK;
}

mid_status mid_an2k_parse(mid_ctx *ctx, const void *data, size_t len, mid_an2k **out) {
    if (out == NULL || (data == NULL && len > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_parse: NULL argument");
    }
    *out = NULL;
    if (len > MID_AN2K_MAX_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "transaction of %zu bytes exceeds %u", len,
                         (unsigned)MID_AN2K_MAX_BYTES);
    }
    if (len == 0) {
        return core_fail(ctx, MID_ERR_FORMAT, "record 1 (Type-1): empty input");
    }
    mid_an2k *tx = calloc(1, sizeof(*tx));
    if (tx == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    parser ps = {ctx, data, len};
    size_t p = 0;
    unsigned *types = NULL;
    size_t n_types = 0;
    mid_status st = parse_tagged(&ps, tx, 1, 1, 0, &p);
    if (st == MID_OK) {
        st = read_cnt(&ps, &tx->recs[0], &types, &n_types);
    }
    for (size_t i = 0; st == MID_OK && i < n_types; i++) {
        if (p >= len) {
            char tn[16];
            st = core_fail(ctx, MID_ERR_FORMAT,
                           "record %zu (%s): truncated: input ends at offset %zu but 1.003 lists "
                           "%zu more record(s)",
                           i + 2, an2k_type_name(types[i], tn, sizeof(tn)), p, n_types - i);
            break;
        }
        if (an2k_is_binary_type(types[i])) {
            st = parse_binary(&ps, tx, i + 2, types[i], p, &p);
        } else {
            st = parse_tagged(&ps, tx, i + 2, types[i], p, &p);
        }
    }
    free(types);
    if (st == MID_OK && p != len) {
        st = core_fail(ctx, MID_ERR_FORMAT,
                       "record %zu: %zu trailing byte(s) at offset %zu after the last record "
                       "listed in 1.003",
                       tx->n_recs, len - p, p);
    }
    if (st != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    *out = tx;
    return MID_OK;
}

mid_status mid_an2k_load(mid_ctx *ctx, const char *path, mid_an2k **out) {
    uint8_t *data = NULL;
    size_t len = 0;
    if (out != NULL) {
        *out = NULL;
    }
    mid_status st = core_read_file(ctx, path, MID_AN2K_MAX_BYTES, &data, &len);
    if (st != MID_OK) {
        return st;
    }
    st = mid_an2k_parse(ctx, data, len, out);
    mid_free(data);
    return st;
}

/* ---- serialising ---- */

static size_t digits(size_t v) {
    size_t d = 1;
    while (v >= 10) {
        v /= 10;
        d++;
    }
    return d;
}

/* Bytes of a tagged record; with dirty records, *len_value gets the LEN to write. */
static size_t tagged_size(const an2k_record *r, size_t *len_value) {
    size_t rest = 0;
    for (size_t i = 0; i < r->n_fields; i++) {
        rest += strlen(r->fields[i].tag) + 2 + (i == 0 && r->dirty ? 0 : r->fields[i].len);
    }
    if (!r->dirty) {
        *len_value = 0;
        return rest;
    }
    size_t d = 1;
    while (digits(rest + d) != d) {
        d++;
    }
    *len_value = rest + d;
    return rest + d;
}

mid_status mid_an2k_serialize(mid_ctx *ctx, const mid_an2k *tx, void **out, size_t *len) {
    if (tx == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_serialize: NULL argument");
    }
    *out = NULL;
    *len = 0;
    size_t total = 0;
    for (size_t i = 0; i < tx->n_recs; i++) {
        const an2k_record *r = &tx->recs[i];
        size_t lv;
        size_t add = r->binary ? r->n_bytes : tagged_size(r, &lv);
        if (__builtin_add_overflow(total, add, &total)) {
            return core_fail(ctx, MID_ERR_LIMIT, "transaction size overflows");
        }
    }
    if (total > MID_AN2K_MAX_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "transaction of %zu bytes exceeds %u", total,
                         (unsigned)MID_AN2K_MAX_BYTES);
    }
    uint8_t *buf = malloc(total ? total : 1);
    if (buf == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < tx->n_recs; i++) {
        const an2k_record *r = &tx->recs[i];
        if (r->binary) {
            memcpy(buf + o, r->bytes, r->n_bytes);
            o += r->n_bytes;
            continue;
        }
        size_t lv;
        tagged_size(r, &lv);
        for (size_t k = 0; k < r->n_fields; k++) {
            const an2k_field *f = &r->fields[k];
            size_t tl = strlen(f->tag);
            memcpy(buf + o, f->tag, tl);
            o += tl;
            buf[o++] = ':';
            if (k == 0 && r->dirty) {
                char num[24];
                int w = snprintf(num, sizeof(num), "%zu", lv);
                memcpy(buf + o, num, (size_t)w);
                o += (size_t)w;
            } else if (f->len) {
                memcpy(buf + o, f->value, f->len);
                o += f->len;
            }
            buf[o++] = k + 1 == r->n_fields ? MID_AN2K_FS : MID_AN2K_GS;
        }
    }
    *out = buf;
    *len = o;
    return MID_OK;
}

/* ---- records ---- */

size_t mid_an2k_record_count(const mid_an2k *tx) {
    return tx ? tx->n_recs : 0;
}

unsigned mid_an2k_record_type(const mid_an2k *tx, size_t rec) {
    return tx && rec < tx->n_recs ? tx->recs[rec].type : 0;
}

bool mid_an2k_record_is_binary(const mid_an2k *tx, size_t rec) {
    return tx && rec < tx->n_recs && tx->recs[rec].binary;
}

size_t mid_an2k_record_offset(const mid_an2k *tx, size_t rec) {
    return tx && rec < tx->n_recs ? tx->recs[rec].offset : SIZE_MAX;
}

const uint8_t *mid_an2k_record_bytes(const mid_an2k *tx, size_t rec, size_t *len) {
    if (tx == NULL || rec >= tx->n_recs || !tx->recs[rec].binary) {
        return NULL;
    }
    if (len != NULL) {
        *len = tx->recs[rec].n_bytes;
    }
    return tx->recs[rec].bytes;
}

size_t mid_an2k_find_record(const mid_an2k *tx, unsigned type, size_t from) {
    for (size_t i = from; tx && i < tx->n_recs; i++) {
        if (tx->recs[i].type == type) {
            return i;
        }
    }
    return SIZE_MAX;
}

/* IDC of a record: x.002 of tagged records, byte 4 of binary ones (0 when absent). */
static unsigned record_idc(const an2k_record *r) {
    if (r->binary) {
        return r->n_bytes > 4 ? r->bytes[4] : 0;
    }
    size_t i = an2k_find_field(r, 2);
    unsigned long v = 0;
    if (i != SIZE_MAX && an2k_parse_uint(r->fields[i].value, r->fields[i].len, &v) && v < 256) {
        return (unsigned)v;
    }
    return 0;
}

mid_status an2k_rebuild_cnt(mid_ctx *ctx, mid_an2k *tx) {
    size_t cap;
    if (!core_mul_size(tx->n_recs, 12, &cap)) {
        return core_fail(ctx, MID_ERR_LIMIT, "too many records");
    }
    char *v = malloc(cap + 16);
    if (v == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    int o = snprintf(v, cap + 16, "1%c%zu", MID_AN2K_US, tx->n_recs - 1);
    for (size_t i = 1; i < tx->n_recs; i++) {
        o += snprintf(v + o, cap + 16 - (size_t)o, "%c%u%c%02u", MID_AN2K_RS, tx->recs[i].type,
                      MID_AN2K_US, record_idc(&tx->recs[i]));
    }
    mid_status st = mid_an2k_set(ctx, tx, 0, 3, v, (size_t)o);
    free(v);
    return st;
}

mid_status mid_an2k_create(mid_ctx *ctx, const char *version, const char *tot, mid_an2k **out) {
    if (out == NULL || version == NULL || tot == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_create: NULL argument");
    }
    *out = NULL;
    bool known = false;
    for (size_t i = 0; i < sizeof(VERSIONS) / sizeof(VERSIONS[0]); i++) {
        known = known || strcmp(version, VERSIONS[i]) == 0;
    }
    if (!known) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_create: unknown version '%.8s'", version);
    }
    size_t tl = strlen(tot);
    if (tl == 0 || tl > 16) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_create: TOT must have 1..16 characters");
    }
    for (size_t i = 0; i < tl; i++) {
        if (tot[i] < 0x21 || tot[i] > 0x7E) {
            return core_fail(ctx, MID_ERR_ARG, "mid_an2k_create: TOT has a bad character");
        }
    }
    mid_an2k *tx = calloc(1, sizeof(*tx));
    an2k_record *r = tx ? an2k_append_record(tx) : NULL;
    if (r == NULL) {
        mid_an2k_free(tx);
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    r->type = 1;
    r->dirty = true;
    mid_status st = MID_OK;
    if (record_push_field(r, 1, 1, "1.001", NULL, 0, SIZE_MAX) == NULL ||
        record_push_field(r, 1, 2, "1.002", (const uint8_t *)version, 4, SIZE_MAX) == NULL ||
        record_push_field(r, 1, 4, "1.004", (const uint8_t *)tot, tl, SIZE_MAX) == NULL) {
        st = core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    if (st == MID_OK) {
        st = an2k_rebuild_cnt(ctx, tx);
    }
    if (st != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    *out = tx;
    return MID_OK;
}

mid_status mid_an2k_add_record(mid_ctx *ctx, mid_an2k *tx, unsigned type, unsigned idc,
                               size_t *index) {
    if (tx == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_add_record: NULL transaction");
    }
    if (type < 2 || type > 99 || an2k_is_binary_type(type) || idc > 99) {
        return core_fail(ctx, MID_ERR_ARG,
                         "mid_an2k_add_record: Type-%u IDC %u is not a tagged record type "
                         "(2, 9..99) with IDC 0..99",
                         type, idc);
    }
    if (tx->n_recs >= MID_AN2K_MAX_RECORDS) {
        return core_fail(ctx, MID_ERR_LIMIT, "more than %u records", MID_AN2K_MAX_RECORDS);
    }
    an2k_record *r = an2k_append_record(tx);
    if (r == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    r->type = type;
    r->dirty = true;
    char t1[16], t2[16], iv[4];
    snprintf(t1, sizeof(t1), "%u.001", type);
    snprintf(t2, sizeof(t2), "%u.002", type);
    snprintf(iv, sizeof(iv), "%02u", idc);
    if (record_push_field(r, type, 1, t1, NULL, 0, SIZE_MAX) == NULL ||
        record_push_field(r, type, 2, t2, (const uint8_t *)iv, 2, SIZE_MAX) == NULL) {
        tx->n_recs--;
        record_clear(r);
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    if (index != NULL) {
        *index = tx->n_recs - 1;
    }
    return an2k_rebuild_cnt(ctx, tx);
}

mid_status mid_an2k_add_binary_record(mid_ctx *ctx, mid_an2k *tx, unsigned type, const void *bytes,
                                      size_t len, size_t *index) {
    if (tx == NULL || (bytes == NULL && len > 0) || !an2k_is_binary_type(type)) {
        return core_fail(ctx, MID_ERR_ARG,
                         "mid_an2k_add_binary_record: Type-%u is not a binary record type (3..8)",
                         type);
    }
    const uint8_t *b = bytes;
    if (len < an2k_binary_header_size(type) ||
        (((uint32_t)b[0] << 24) | ((uint32_t)b[1] << 16) | ((uint32_t)b[2] << 8) | b[3]) != len) {
        return core_fail(ctx, MID_ERR_ARG,
                         "mid_an2k_add_binary_record: Type-%u record of %zu bytes has a wrong "
                         "LEN or no complete header",
                         type, len);
    }
    if (tx->n_recs >= MID_AN2K_MAX_RECORDS) {
        return core_fail(ctx, MID_ERR_LIMIT, "more than %u records", MID_AN2K_MAX_RECORDS);
    }
    uint8_t *copy = malloc(len);
    an2k_record *r = copy ? an2k_append_record(tx) : NULL;
    if (r == NULL) {
        free(copy);
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    memcpy(copy, bytes, len);
    r->type = type;
    r->binary = true;
    r->bytes = copy;
    r->n_bytes = len;
    if (index != NULL) {
        *index = tx->n_recs - 1;
    }
    return an2k_rebuild_cnt(ctx, tx);
}

mid_status mid_an2k_remove_record(mid_ctx *ctx, mid_an2k *tx, size_t rec) {
    if (tx == NULL || rec == 0 || rec >= tx->n_recs) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_remove_record: no record %zu to remove",
                         rec + 1);
    }
    record_clear(&tx->recs[rec]);
    memmove(&tx->recs[rec], &tx->recs[rec + 1], (tx->n_recs - rec - 1) * sizeof(tx->recs[0]));
    tx->n_recs--;
    return an2k_rebuild_cnt(ctx, tx);
}

/* ---- fields ---- */

size_t mid_an2k_field_count(const mid_an2k *tx, size_t rec) {
    return tx && rec < tx->n_recs ? tx->recs[rec].n_fields : 0;
}

mid_status mid_an2k_field_at(const mid_an2k *tx, size_t rec, size_t i, mid_an2k_field *out) {
    if (tx == NULL || out == NULL || rec >= tx->n_recs || i >= tx->recs[rec].n_fields) {
        return MID_ERR_ARG;
    }
    const an2k_field *f = &tx->recs[rec].fields[i];
    out->type = f->type;
    out->number = f->number;
    out->tag = f->tag;
    out->value = f->value ? f->value : (const uint8_t *)"";
    out->len = f->len;
    out->offset = f->offset;
    return MID_OK;
}

const uint8_t *mid_an2k_get(const mid_an2k *tx, size_t rec, unsigned number, size_t *len) {
    if (tx == NULL || rec >= tx->n_recs) {
        return NULL;
    }
    size_t i = an2k_find_field(&tx->recs[rec], number);
    if (i == SIZE_MAX) {
        return NULL;
    }
    const an2k_field *f = &tx->recs[rec].fields[i];
    if (len != NULL) {
        *len = f->len;
    }
    return f->value ? f->value : (const uint8_t *)"";
}

bool mid_an2k_get_text(const mid_an2k *tx, size_t rec, unsigned number, char *buf, size_t cap) {
    size_t len = 0;
    const uint8_t *v = mid_an2k_get(tx, rec, number, &len);
    if (cap > 0) {
        buf[0] = '\0';
    }
    if (v == NULL) {
        return false;
    }
    if (cap > 0) {
        size_t n = len < cap - 1 ? len : cap - 1;
        memcpy(buf, v, n);
        buf[n] = '\0';
    }
    return true;
}

size_t mid_an2k_subfield_count(const uint8_t *value, size_t len) {
    if (value == NULL || len == 0) {
        return 0;
    }
    size_t n = 1;
    for (size_t i = 0; i < len; i++) {
        n += value[i] == MID_AN2K_RS;
    }
    return n;
}

const uint8_t *mid_an2k_item(const uint8_t *value, size_t len, size_t sub, size_t item,
                             size_t *item_len) {
    if (value == NULL || len == 0) {
        return NULL;
    }
    size_t p = 0;
    for (size_t s = 0; s < sub; s++) {
        while (p < len && value[p] != MID_AN2K_RS) {
            p++;
        }
        if (p >= len) {
            return NULL;
        }
        p++;
    }
    for (size_t k = 0; k < item; k++) {
        while (p < len && value[p] != MID_AN2K_US && value[p] != MID_AN2K_RS) {
            p++;
        }
        if (p >= len || value[p] == MID_AN2K_RS) {
            return NULL;
        }
        p++;
    }
    size_t q = p;
    while (q < len && value[q] != MID_AN2K_US && value[q] != MID_AN2K_RS) {
        q++;
    }
    if (item_len != NULL) {
        *item_len = q - p;
    }
    return value + p;
}

mid_status mid_an2k_set(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number, const void *value,
                        size_t len) {
    if (tx == NULL || rec >= tx->n_recs || (value == NULL && len > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_set: no record %zu", rec + 1);
    }
    an2k_record *r = &tx->recs[rec];
    char tn[16];
    an2k_type_name(r->type, tn, sizeof(tn));
    if (r->binary) {
        return core_fail(ctx, MID_ERR_ARG,
                         "record %zu (%s) is a binary record: it has no tagged fields", rec + 1,
                         tn);
    }
    if (number <= 1 || number > 99999) {
        return core_fail(ctx, MID_ERR_ARG, "record %zu (%s): field %u.%03u cannot be set", rec + 1,
                         tn, r->type, number);
    }
    if (number != 999) {
        if (len > MID_AN2K_MAX_FIELD_BYTES) {
            return core_fail(ctx, MID_ERR_LIMIT,
                             "record %zu (%s) field %u.%03u: %zu bytes exceed %u", rec + 1, tn,
                             r->type, number, len, MID_AN2K_MAX_FIELD_BYTES);
        }
        const uint8_t *b = value;
        for (size_t i = 0; i < len; i++) {
            if (b[i] == MID_AN2K_FS || b[i] == MID_AN2K_GS) {
                return core_fail(ctx, MID_ERR_ARG,
                                 "record %zu (%s) field %u.%03u: value holds a FS or GS separator",
                                 rec + 1, tn, r->type, number);
            }
        }
    }
    uint8_t *copy = NULL;
    if (len > 0) {
        if ((copy = malloc(len)) == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
        }
        memcpy(copy, value, len);
    }
    size_t i = an2k_find_field(r, number);
    if (i == SIZE_MAX) {
        if (r->n_fields >= MID_AN2K_MAX_FIELDS) {
            free(copy);
            return core_fail(ctx, MID_ERR_LIMIT, "record %zu (%s): more than %u fields", rec + 1,
                             tn, MID_AN2K_MAX_FIELDS);
        }
        char tag[AN2K_TAG_MAX + 1];
        snprintf(tag, sizeof(tag), "%u.%03u", r->type, number);
        /* Insert before the first field with a larger number (999 stays last). */
        if (record_push_field(r, r->type, number, tag, NULL, 0, SIZE_MAX) == NULL) {
            free(copy);
            return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
        }
        size_t at = r->n_fields - 1;
        while (at > 1 && r->fields[at - 1].number > number) {
            at--;
        }
        an2k_field nf = r->fields[r->n_fields - 1];
        memmove(&r->fields[at + 1], &r->fields[at], (r->n_fields - 1 - at) * sizeof(nf));
        r->fields[at] = nf;
        i = at;
    }
    free(r->fields[i].value);
    r->fields[i].value = copy;
    r->fields[i].len = len;
    r->fields[i].offset = SIZE_MAX;
    r->dirty = true;
    if (number == 2 && rec > 0) {
        return an2k_rebuild_cnt(ctx, tx);
    }
    return MID_OK;
}

mid_status mid_an2k_set_text(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number,
                             const char *text) {
    if (text == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_set_text: NULL text");
    }
    return mid_an2k_set(ctx, tx, rec, number, text, strlen(text));
}

mid_status mid_an2k_remove(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number) {
    if (tx == NULL || rec >= tx->n_recs || number <= 1) {
        return core_fail(ctx, MID_ERR_ARG,
                         "mid_an2k_remove: field %u of record %zu cannot be removed", number,
                         rec + 1);
    }
    an2k_record *r = &tx->recs[rec];
    size_t w = 0, removed = 0;
    for (size_t i = 0; i < r->n_fields; i++) {
        if (r->fields[i].number == number) {
            free(r->fields[i].value);
            removed++;
        } else {
            r->fields[w++] = r->fields[i];
        }
    }
    r->n_fields = w;
    if (removed == 0) {
        return core_fail(ctx, MID_ERR_ARG, "record %zu (Type-%u) has no field %u.%03u", rec + 1,
                         r->type, r->type, number);
    }
    r->dirty = true;
    return MID_OK;
}
