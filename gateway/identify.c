/*
 * POST /v1/identify (identify.h): parsing both encodings into one request,
 * policy validation with exact messages, and the search and answer.
 *
 * Validation happens in two stages: each encoding is read into a list of raw
 * values (strings with their source field for messages), then one function
 * checks the values and fills the request. The messages therefore agree between
 * encodings except for the field label ("reason" vs "reason (2.902)").
 */
#include "identify.h"

#include "gateway.h"
#include "mid/an2k.h"
#include "mid/extract.h"
#include "mid/match.h"
#include "mid/search.h"
#include "mid/json.h"
#include "mid/limits.h"
#include "mid/store.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

static const char *const BASIS_NAMES[GW_BASIS_COUNT] = {"consent", "pace-61-6a", "consent-refused"};
static const char *const FORMAT_NAMES[GW_FMT_COUNT] = {"wsq", "png", "jpeg", "jp2", "raw"};
static const char *const ETHNICITIES[] = {"IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9", NULL};
static const char *const AGE_BANDS[] = {"under-18", "18-24", "25-34", "35-44",
                                        "45-54",    "55-64", "65+",   NULL};
static const char *const GENDERS[] = {"M", "F", "X", "U", NULL};

const char *gw_basis_name(gw_basis b) {
    return (unsigned)b < GW_BASIS_COUNT ? BASIS_NAMES[b] : "unknown";
}

int gw_basis_parse(const char *s) {
    for (int i = 0; s != NULL && i < (int)GW_BASIS_COUNT; i++) {
        if (strcmp(s, BASIS_NAMES[i]) == 0) {
            return i;
        }
    }
    return -1;
}

const char *gw_image_format_name(gw_image_format f) {
    return (unsigned)f < GW_FMT_COUNT ? FORMAT_NAMES[f] : "unknown";
}

/* ---- problems ------------------------------------------------------------- */

static bool fail(gw_identify_problem *p, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(gw_identify_problem *p, unsigned status, const char *code, const char *fmt, ...) {
    p->status = status;
    p->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->message, sizeof(p->message), fmt, ap);
    va_end(ap);
    return false;
}

#define INVALID(p, ...) fail((p), 422, "invalid-request", __VA_ARGS__)

/* ---- the raw values of one request, from either encoding ----------------- */

enum {
    F_TCN,
    F_BASIS,
    F_OFFENCE,
    F_NAME_DOUBT,
    F_TOLD_REASON,
    F_TOLD_SPEC,
    F_REASON,
    F_INCIDENT,
    F_LOCATION,
    F_ETHNICITY,
    F_AGE_BAND,
    F_GENDER,
    F_COUNT
};
static const char *const FIELD_JSON[F_COUNT] = {
    "tcn",    "basis",    "offence",  "name_doubt",        "told_reason",      "told_speculative",
    "reason", "incident", "location", "subject.ethnicity", "subject.age_band", "subject.gender"};
static const char *const FIELD_AN2K[F_COUNT] = {"1.009", "2.906", "2.907", "2.908",
                                                "2.909", "2.913", "2.902", "2.903",
                                                "2.914", "2.915", "2.916", "2.917"};

typedef struct raw_finger {
    unsigned position; /* 0 when absent/invalid: checked by the reader */
    int quality;
    gw_image_format format;
    const uint8_t *data; /* borrowed from the parsed document */
    size_t len;
    uint32_t rec_w, rec_h; /* an2k: HLL/VLL of the record, 0 in JSON */
    double ppi;
    char label[80]; /* "fingers[0]" or "fingers[0] (record 3, Type-14)" */
} raw_finger;

typedef struct raw_request {
    bool an2k;
    const char *text[F_COUNT]; /* NUL-terminated, NULL when absent */
    size_t len[F_COUNT];
    bool want[MID_DB_COUNT];
    size_t n_fingers; /* as sent (may exceed the array) */
    raw_finger fingers[GW_ID_FINGERS];
    char an2k_buf[F_COUNT][4 * GW_ID_MAX_TEXT + 2]; /* an2k values copied out (NUL-ended) */
} raw_request;

static const char *label(const raw_request *r, int f, char *buf, size_t cap) {
    if (r->an2k) {
        snprintf(buf, cap, "%s (%s)", FIELD_JSON[f], FIELD_AN2K[f]);
    } else {
        snprintf(buf, cap, "%s", FIELD_JSON[f]);
    }
    return buf;
}

/* ---- text checks ---------------------------------------------------------- */

/* Counts code points of well-formed UTF-8 (no overlongs, surrogates or values
 * over U+10FFFF); false on the first malformed byte. *control set when a C0/C1
 * control or DEL occurs. */
static bool utf8_scan(const uint8_t *s, size_t n, size_t *chars, bool *control, size_t *bad_at) {
    size_t count = 0;
    *control = false;
    for (size_t i = 0; i < n;) {
        uint8_t c = s[i];
        uint32_t cp;
        size_t k;
        if (c < 0x80) {
            cp = c;
            k = 1;
        } else if (c >= 0xC2 && c <= 0xDF) {
            cp = c & 0x1Fu;
            k = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            cp = c & 0x0Fu;
            k = 3;
        } else if (c >= 0xF0 && c <= 0xF4) {
            cp = c & 0x07u;
            k = 4;
        } else {
            *bad_at = i;
            return false;
        }
        if (n - i < k) {
            *bad_at = i;
            return false;
        }
        for (size_t j = 1; j < k; j++) {
            if ((s[i + j] & 0xC0) != 0x80) {
                *bad_at = i;
                return false;
            }
            cp = (cp << 6) | (s[i + j] & 0x3Fu);
        }
        if ((k == 3 && cp < 0x800) || (k == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF)) {
            *bad_at = i;
            return false;
        }
        if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0)) {
            *control = true;
        }
        count++;
        i += k;
    }
    *chars = count;
    return true;
}

/* A free text of 1..max characters: valid UTF-8 without control characters. */
static bool check_text(const raw_request *r, int f, size_t max, gw_identify_problem *p) {
    char lb[40];
    const char *s = r->text[f];
    if (s == NULL) {
        return INVALID(p, "%s: required", label(r, f, lb, sizeof(lb)));
    }
    size_t chars = 0, bad = 0;
    bool control = false;
    if (!utf8_scan((const uint8_t *)s, r->len[f], &chars, &control, &bad)) {
        return INVALID(p, "%s: must be valid UTF-8 (bad byte at position %zu)",
                       label(r, f, lb, sizeof(lb)), bad);
    }
    if (control) {
        return INVALID(p, "%s: must not contain control characters", label(r, f, lb, sizeof(lb)));
    }
    if (chars < 1 || chars > max) {
        return INVALID(p, "%s: must be 1..%zu characters, got %zu", label(r, f, lb, sizeof(lb)),
                       max, chars);
    }
    return true;
}

static bool check_code(const raw_request *r, int f, const char *const *codes, char *out, size_t cap,
                       gw_identify_problem *p) {
    char lb[40];
    const char *s = r->text[f];
    if (s == NULL) {
        return INVALID(p, "%s: required", label(r, f, lb, sizeof(lb)));
    }
    for (size_t i = 0; codes[i] != NULL; i++) {
        if (strcmp(s, codes[i]) == 0 && strlen(codes[i]) < cap) {
            memcpy(out, codes[i], strlen(codes[i]) + 1);
            return true;
        }
    }
    char list[128] = "";
    size_t o = 0;
    for (size_t i = 0; codes[i] != NULL && o < sizeof(list); i++) {
        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", codes[i]);
    }
    return INVALID(p, "%s: must be one of %s", label(r, f, lb, sizeof(lb)), list);
}

/* A "Y"/"N" (an2k) or "true"/"false" (JSON, converted by the reader) flag. */
static bool check_flag(const raw_request *r, int f, bool *out, gw_identify_problem *p) {
    char lb[40];
    const char *s = r->text[f];
    if (s == NULL) {
        return INVALID(p, "%s: required", label(r, f, lb, sizeof(lb)));
    }
    if (strcmp(s, "Y") == 0 || strcmp(s, "true") == 0) {
        *out = true;
    } else if (strcmp(s, "N") == 0 || strcmp(s, "false") == 0) {
        *out = false;
    } else {
        return INVALID(p, "%s: must be %s", label(r, f, lb, sizeof(lb)),
                       r->an2k ? "Y or N" : "true or false");
    }
    return true;
}

static char *dup_text(const char *s, size_t n) {
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* ---- image headers: the declared size before any decoding ----------------- */

static uint32_t be16(const uint8_t *p) {
    return ((uint32_t)p[0] << 8) | p[1];
}
static uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* Width and height from the header of the encoded image; false when the data
 * is not of that format or has no readable header. */
static bool sniff_size(gw_image_format f, const uint8_t *d, size_t n, uint32_t *w, uint32_t *h) {
    switch (f) {
    case GW_FMT_WSQ: /* SOI, then segments up to SOF (black, white, Y, X, ...) */
    case GW_FMT_JPEG: {
        uint8_t soi = f == GW_FMT_WSQ ? 0xA0 : 0xD8;
        if (n < 4 || d[0] != 0xFF || d[1] != soi) {
            return false;
        }
        size_t pos = 2;
        while (n - pos >= 4 && d[pos] == 0xFF) {
            uint8_t m = d[pos + 1];
            if (f == GW_FMT_JPEG && (m == 0xFF)) {
                pos++; /* fill byte */
                continue;
            }
            size_t seg = be16(d + pos + 2);
            if (seg < 2 || seg > n - pos - 2) {
                return false;
            }
            const uint8_t *q = d + pos + 4;
            if (f == GW_FMT_WSQ && m == 0xA2 && seg >= 8) {
                *h = be16(q + 2);
                *w = be16(q + 4);
                return true;
            }
            if (f == GW_FMT_JPEG && m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC &&
                seg >= 7) {
                *h = be16(q + 1);
                *w = be16(q + 3);
                return true;
            }
            pos += 2 + seg;
        }
        return false;
    }
    case GW_FMT_PNG: {
        static const uint8_t sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
        if (n < 24 || memcmp(d, sig, 8) != 0 || memcmp(d + 12, "IHDR", 4) != 0) {
            return false;
        }
        *w = be32(d + 16);
        *h = be32(d + 20);
        return true;
    }
    case GW_FMT_JP2: {
        /* JP2 file: the 'ihdr' box (height, width) near the start; J2K codestream:
         * SIZ after SOC (Xsiz, Ysiz, XOsiz, YOsiz). */
        if (n >= 24 && d[0] == 0xFF && d[1] == 0x4F && d[2] == 0xFF && d[3] == 0x51) {
            uint32_t xs = be32(d + 8), ys = be32(d + 12), xo = be32(d + 16), yo = be32(d + 20);
            if (xo > xs || yo > ys) {
                return false;
            }
            *w = xs - xo;
            *h = ys - yo;
            return true;
        }
        size_t lim = n < 4096 ? n : 4096;
        for (size_t i = 0; i + 12 <= lim; i++) {
            if (memcmp(d + i, "ihdr", 4) == 0) {
                *h = be32(d + i + 4);
                *w = be32(d + i + 8);
                return true;
            }
        }
        return false;
    }
    default:
        return false;
    }
}

static bool check_finger_image(raw_finger *f, gw_identify_problem *p) {
    uint32_t w = f->rec_w, h = f->rec_h;
    if (f->format != GW_FMT_RAW) {
        uint32_t hw = 0, hh = 0;
        if (!sniff_size(f->format, f->data, f->len, &hw, &hh)) {
            return INVALID(p, "%s: the data is not a %s image (no readable header)", f->label,
                           gw_image_format_name(f->format));
        }
        if (f->rec_w != 0 && (hw != f->rec_w || hh != f->rec_h)) {
            return INVALID(p, "%s: the record declares %u x %u pixels but the %s header %u x %u",
                           f->label, f->rec_w, f->rec_h, gw_image_format_name(f->format), hw, hh);
        }
        w = hw;
        h = hh;
    }
    if (w > MID_MAX_IMAGE_SIDE || h > MID_MAX_IMAGE_SIDE ||
        (uint64_t)w * h > MID_MAX_IMAGE_PIXELS) {
        return fail(p, 413, "too-large",
                    "%s: declared image of %u x %u pixels exceeds the limit of %u pixels a side "
                    "and %u pixels",
                    f->label, w, h, MID_MAX_IMAGE_SIDE, MID_MAX_IMAGE_PIXELS);
    }
    double scale = f->ppi > 0 ? 500.0 / f->ppi : 1.0;
    if (f->ppi != 0 && (f->ppi < MID_MIN_PPI || f->ppi > MID_MAX_PPI)) {
        return INVALID(p, "%s: resolution %.0f ppi is outside %.0f..%.0f", f->label, f->ppi,
                       MID_MIN_PPI, MID_MAX_PPI);
    }
    double sw = w * scale, sh = h * scale;
    if (sw < GW_ID_MIN_SIDE || sh < GW_ID_MIN_SIDE || sw > GW_ID_MAX_SIDE || sh > GW_ID_MAX_SIDE) {
        return INVALID(p,
                       "%s: image of %u x %u pixels is not a mobile finger capture (each side "
                       "%u..%u pixels at 500 ppi)",
                       f->label, w, h, GW_ID_MIN_SIDE, GW_ID_MAX_SIDE);
    }
    if (f->format == GW_FMT_RAW && (uint64_t)w * h != f->len) {
        return INVALID(p, "%s: uncompressed data of %zu bytes is not %u x %u pixels", f->label,
                       f->len, w, h);
    }
    return true;
}

/* ---- the common validation ------------------------------------------------ */

static bool validate(raw_request *r, gw_identify_request *req, gw_identify_problem *p) {
    char lb[40];
    req->an2k = r->an2k;
    /* TCN: printable ASCII, no spaces (it appears in logs and the audit). */
    const char *tcn = r->text[F_TCN];
    if (tcn == NULL) {
        return INVALID(p, "%s: required", label(r, F_TCN, lb, sizeof(lb)));
    }
    bool ok = r->len[F_TCN] >= 1 && r->len[F_TCN] <= GW_ID_MAX_TCN;
    for (size_t i = 0; ok && i < r->len[F_TCN]; i++) {
        ok = tcn[i] > 0x20 && tcn[i] < 0x7F;
    }
    if (!ok) {
        return INVALID(p, "%s: must be 1..%u printable ASCII characters without spaces",
                       label(r, F_TCN, lb, sizeof(lb)), GW_ID_MAX_TCN);
    }
    memcpy(req->tcn, tcn, r->len[F_TCN] + 1);

    if (r->text[F_BASIS] == NULL) {
        return INVALID(p, "%s: required", label(r, F_BASIS, lb, sizeof(lb)));
    }
    int b = gw_basis_parse(r->text[F_BASIS]);
    if (b < 0) {
        return INVALID(p, "%s: must be one of consent, pace-61-6a, consent-refused",
                       label(r, F_BASIS, lb, sizeof(lb)));
    }
    req->basis = (gw_basis)b;
    bool refused = req->basis == GW_BASIS_CONSENT_REFUSED;

    if (req->basis == GW_BASIS_PACE_61_6A) {
        if (r->text[F_OFFENCE] == NULL) {
            return INVALID(p, "%s: required when basis is pace-61-6a",
                           label(r, F_OFFENCE, lb, sizeof(lb)));
        }
        if (r->text[F_NAME_DOUBT] == NULL) {
            return INVALID(p, "%s: required when basis is pace-61-6a",
                           label(r, F_NAME_DOUBT, lb, sizeof(lb)));
        }
    }
    if (r->text[F_OFFENCE] != NULL && !check_text(r, F_OFFENCE, GW_ID_MAX_TEXT, p)) {
        return false;
    }
    if (r->text[F_NAME_DOUBT] != NULL && !check_text(r, F_NAME_DOUBT, GW_ID_MAX_TEXT, p)) {
        return false;
    }
    if (!refused) {
        if (!check_flag(r, F_TOLD_REASON, &req->told_reason, p) ||
            !check_flag(r, F_TOLD_SPEC, &req->told_speculative, p)) {
            return false;
        }
        if (!req->told_reason) {
            return INVALID(p,
                           "%s: the person must be told the reason unless basis is "
                           "consent-refused",
                           label(r, F_TOLD_REASON, lb, sizeof(lb)));
        }
        if (!req->told_speculative) {
            return INVALID(p,
                           "%s: the person must be told of the speculative search unless "
                           "basis is consent-refused",
                           label(r, F_TOLD_SPEC, lb, sizeof(lb)));
        }
    } else {
        /* Optional with a refusal, but well-formed when given. */
        if ((r->text[F_TOLD_REASON] != NULL &&
             !check_flag(r, F_TOLD_REASON, &req->told_reason, p)) ||
            (r->text[F_TOLD_SPEC] != NULL &&
             !check_flag(r, F_TOLD_SPEC, &req->told_speculative, p))) {
            return false;
        }
    }
    if (!check_text(r, F_REASON, GW_ID_MAX_TEXT, p) ||
        !check_text(r, F_INCIDENT, GW_ID_MAX_INCIDENT, p)) {
        return false;
    }
    if (r->text[F_LOCATION] != NULL && !check_text(r, F_LOCATION, GW_ID_MAX_TEXT, p)) {
        return false;
    }
    if (!check_code(r, F_ETHNICITY, ETHNICITIES, req->ethnicity, sizeof(req->ethnicity), p) ||
        !check_code(r, F_AGE_BAND, AGE_BANDS, req->age_band, sizeof(req->age_band), p) ||
        !check_code(r, F_GENDER, GENDERS, req->gender, sizeof(req->gender), p)) {
        return false;
    }
    memcpy(req->incident, r->text[F_INCIDENT], r->len[F_INCIDENT] + 1);
    req->reason = dup_text(r->text[F_REASON], r->len[F_REASON]);
    if (r->text[F_OFFENCE] != NULL) {
        req->offence = dup_text(r->text[F_OFFENCE], r->len[F_OFFENCE]);
    }
    if (r->text[F_NAME_DOUBT] != NULL) {
        req->name_doubt = dup_text(r->text[F_NAME_DOUBT], r->len[F_NAME_DOUBT]);
    }
    if (r->text[F_LOCATION] != NULL) {
        req->location = dup_text(r->text[F_LOCATION], r->len[F_LOCATION]);
    }
    if (req->reason == NULL || (r->text[F_OFFENCE] && !req->offence) ||
        (r->text[F_NAME_DOUBT] && !req->name_doubt) || (r->text[F_LOCATION] && !req->location)) {
        return fail(p, 500, "internal", "out of memory");
    }
    req->want[MID_DB_IDENT1] = r->want[MID_DB_IDENT1];
    req->want[MID_DB_IABS] = r->want[MID_DB_IABS];

    size_t expect = refused ? 0 : GW_ID_FINGERS;
    if (r->n_fingers != expect) {
        if (refused) {
            return INVALID(p, "fingers: expected 0 fingers when basis is consent-refused, got %zu",
                           r->n_fingers);
        }
        return INVALID(p, "fingers: expected %zu fingers, got %zu", expect, r->n_fingers);
    }
    for (size_t i = 0; i < r->n_fingers; i++) {
        raw_finger *f = &r->fingers[i];
        for (size_t k = 0; k < i; k++) {
            if (r->fingers[k].position == f->position) {
                return INVALID(p, "%s: finger position %u appears twice", f->label, f->position);
            }
        }
        if (!check_finger_image(f, p)) {
            return false;
        }
    }
    for (size_t i = 0; i < r->n_fingers; i++) {
        raw_finger *f = &r->fingers[i];
        gw_id_finger *o = &req->fingers[i];
        o->position = f->position;
        o->quality = f->quality;
        o->format = f->format;
        o->ppi = f->ppi;
        if (f->format == GW_FMT_RAW) {
            o->width = f->rec_w;
            o->height = f->rec_h;
        } else {
            sniff_size(f->format, f->data, f->len, &o->width, &o->height);
        }
        o->data = malloc(f->len ? f->len : 1);
        if (o->data == NULL) {
            return fail(p, 500, "internal", "out of memory");
        }
        memcpy(o->data, f->data, f->len);
        o->len = f->len;
        req->n_fingers = i + 1;
    }
    return true;
}

/* ---- JSON ------------------------------------------------------------------ */

/* The member name whose value holds byte offset `at` of a JSON body: the last
 * "name": before it (for naming the field of an invalid UTF-8 byte). */
static void json_member_before(const uint8_t *b, size_t at, char *out, size_t cap) {
    snprintf(out, cap, "body");
    for (size_t i = at; i-- > 0;) {
        if (b[i] != ':') {
            continue;
        }
        size_t j = i;
        while (j > 0 &&
               (b[j - 1] == ' ' || b[j - 1] == '\t' || b[j - 1] == '\n' || b[j - 1] == '\r')) {
            j--;
        }
        if (j == 0 || b[j - 1] != '"') {
            continue;
        }
        size_t end = j - 1, start = end;
        while (start > 0 && b[start - 1] != '"' && end - start < 40) {
            start--;
        }
        if (start == 0 || b[start - 1] != '"' || end == start) {
            continue;
        }
        snprintf(out, cap, "%.*s", (int)(end - start), (const char *)b + start);
        return;
    }
}

static bool json_text(const mid_json_value *obj, const char *key, int f, const char *name,
                      raw_request *r, gw_identify_problem *p) {
    const mid_json_value *v = mid_json_get(obj, key);
    if (v == NULL || mid_json_type_of(v) == MID_JSON_NULL) {
        return true;
    }
    size_t n = 0;
    const char *s = mid_json_string(v, &n);
    if (s == NULL) {
        return INVALID(p, "%s: must be a string", name);
    }
    r->text[f] = s;
    r->len[f] = n;
    return true;
}

static bool json_flag(const mid_json_value *obj, const char *key, int f, raw_request *r,
                      gw_identify_problem *p) {
    const mid_json_value *v = mid_json_get(obj, key);
    if (v == NULL || mid_json_type_of(v) == MID_JSON_NULL) {
        return true;
    }
    bool b;
    if (!mid_json_bool(v, &b)) {
        return INVALID(p, "%s: must be true or false", key);
    }
    r->text[f] = b ? "true" : "false";
    r->len[f] = strlen(r->text[f]);
    return true;
}

static bool json_known_members(const mid_json_value *obj, const char *const *known,
                               const char *where, gw_identify_problem *p) {
    for (size_t i = 0; i < mid_json_length(obj); i++) {
        const char *k = mid_json_key_at(obj, i);
        bool ok = false;
        for (size_t j = 0; known[j] != NULL && !ok; j++) {
            ok = strcmp(k, known[j]) == 0;
        }
        if (!ok) {
            return INVALID(p, "%s: unknown member \"%.40s\"", where, k);
        }
    }
    return true;
}

static bool read_json(mid_ctx *ctx, const uint8_t *body, size_t len, raw_request *r,
                      mid_json **doc_out, gw_identify_problem *p) {
    /* Name the member holding invalid UTF-8 before the parser refuses the body. */
    size_t chars, bad = 0;
    bool control;
    if (!utf8_scan(body, len, &chars, &control, &bad)) {
        char name[48];
        json_member_before(body, bad, name, sizeof(name));
        /* Not UTF-8 is not JSON (RFC 8259 section 8.1): malformed, 400. */
        return fail(p, 400, "malformed", "%s: must be valid UTF-8 (bad byte at offset %zu)", name,
                    bad);
    }
    mid_json *doc = NULL;
    mid_status st = mid_json_parse(ctx, (const char *)body, len, &doc);
    if (st != MID_OK) {
        return fail(p, 400, "malformed", "malformed JSON: %s", mid_ctx_error(ctx));
    }
    *doc_out = doc;
    const mid_json_value *root = mid_json_root(doc);
    if (mid_json_type_of(root) != MID_JSON_OBJECT) {
        return fail(p, 400, "malformed", "the body must be a JSON object");
    }
    static const char *const top[] = {
        "tcn",    "basis",    "offence",  "name_doubt", "told_reason", "told_speculative",
        "reason", "incident", "location", "subject",    "databases",   "fingers",
        NULL};
    if (!json_known_members(root, top, "request", p)) {
        return false;
    }
    if (!json_text(root, "tcn", F_TCN, "tcn", r, p) ||
        !json_text(root, "basis", F_BASIS, "basis", r, p) ||
        !json_text(root, "offence", F_OFFENCE, "offence", r, p) ||
        !json_text(root, "name_doubt", F_NAME_DOUBT, "name_doubt", r, p) ||
        !json_flag(root, "told_reason", F_TOLD_REASON, r, p) ||
        !json_flag(root, "told_speculative", F_TOLD_SPEC, r, p) ||
        !json_text(root, "reason", F_REASON, "reason", r, p) ||
        !json_text(root, "incident", F_INCIDENT, "incident", r, p) ||
        !json_text(root, "location", F_LOCATION, "location", r, p)) {
        return false;
    }
    const mid_json_value *subj = mid_json_get(root, "subject");
    if (subj == NULL) {
        return INVALID(p, "subject: required");
    }
    if (mid_json_type_of(subj) != MID_JSON_OBJECT) {
        return INVALID(p, "subject: must be an object");
    }
    static const char *const subj_keys[] = {"ethnicity", "age_band", "gender", NULL};
    if (!json_known_members(subj, subj_keys, "subject", p) ||
        !json_text(subj, "ethnicity", F_ETHNICITY, "subject.ethnicity", r, p) ||
        !json_text(subj, "age_band", F_AGE_BAND, "subject.age_band", r, p) ||
        !json_text(subj, "gender", F_GENDER, "subject.gender", r, p)) {
        return false;
    }
    const mid_json_value *dbs = mid_json_get(root, "databases");
    if (dbs == NULL) {
        r->want[MID_DB_IDENT1] = true;
    } else {
        if (mid_json_type_of(dbs) != MID_JSON_ARRAY || mid_json_length(dbs) == 0) {
            return INVALID(p, "databases: must be a non-empty array of IDENT1, IABS");
        }
        for (size_t i = 0; i < mid_json_length(dbs); i++) {
            const char *s = mid_json_string(mid_json_at(dbs, i), NULL);
            int db = s != NULL ? mid_db_parse(s) : -1;
            if (db < 0) {
                return INVALID(p, "databases[%zu]: must be IDENT1 or IABS", i);
            }
            if (r->want[db]) {
                return INVALID(p, "databases[%zu]: %s named twice", i, mid_db_name((mid_db)db));
            }
            r->want[db] = true;
        }
    }
    const mid_json_value *fs = mid_json_get(root, "fingers");
    if (fs != NULL && mid_json_type_of(fs) != MID_JSON_ARRAY) {
        return INVALID(p, "fingers: must be an array");
    }
    r->n_fingers = mid_json_length(fs);
    for (size_t i = 0; i < r->n_fingers && i < GW_ID_FINGERS; i++) {
        const mid_json_value *f = mid_json_at(fs, i);
        raw_finger *o = &r->fingers[i];
        snprintf(o->label, sizeof(o->label), "fingers[%zu]", i);
        if (mid_json_type_of(f) != MID_JSON_OBJECT) {
            return INVALID(p, "%s: must be an object", o->label);
        }
        static const char *const fkeys[] = {"position", "quality", "format", "data", NULL};
        if (!json_known_members(f, fkeys, o->label, p)) {
            return false;
        }
        int64_t v;
        if (!mid_json_int64(mid_json_get(f, "position"), &v) || v < 1 || v > 10) {
            return INVALID(p, "%s.position: must be a finger position 1..10", o->label);
        }
        o->position = (unsigned)v;
        o->quality = -1;
        const mid_json_value *q = mid_json_get(f, "quality");
        if (q != NULL) {
            if (!mid_json_int64(q, &v) || v < 0 || v > 100) {
                return INVALID(p, "%s.quality: must be 0..100", o->label);
            }
            o->quality = (int)v;
        }
        const char *fmt = mid_json_get_string(f, "format");
        int k = -1;
        for (int j = 0; fmt != NULL && j < (int)GW_FMT_RAW; j++) {
            if (strcmp(fmt, FORMAT_NAMES[j]) == 0) {
                k = j;
            }
        }
        if (k < 0) {
            return INVALID(p, "%s.format: must be one of wsq, png, jpeg, jp2", o->label);
        }
        o->format = (gw_image_format)k;
        size_t n = 0;
        const char *b64 = mid_json_string(mid_json_get(f, "data"), &n);
        if (b64 == NULL || n == 0) {
            return INVALID(p, "%s.data: required (base64 of the encoded image)", o->label);
        }
        uint8_t *bytes = NULL;
        size_t blen = 0;
        if (mid_base64_decode(ctx, b64, n, &bytes, &blen) != MID_OK) {
            return INVALID(p, "%s.data: not valid base64 (%s)", o->label, mid_ctx_error(ctx));
        }
        /* Stored on the request right away so that clear() wipes it. */
        o->data = bytes;
        o->len = blen;
    }
    return true;
}

/* ---- ANSI/NIST ------------------------------------------------------------- */

static void an2k_text(const mid_an2k *tx, size_t rec, unsigned num, int f, raw_request *r) {
    size_t n = 0;
    const uint8_t *v = mid_an2k_get(tx, rec, num, &n);
    if (v == NULL) {
        return;
    }
    if (n > sizeof(r->an2k_buf[f]) - 1) {
        n = sizeof(r->an2k_buf[f]) - 1; /* longer than any valid value: fails the length check */
    }
    memcpy(r->an2k_buf[f], v, n);
    r->an2k_buf[f][n] = '\0';
    r->text[f] = r->an2k_buf[f];
    r->len[f] = n;
}

static bool read_an2k(mid_ctx *ctx, const uint8_t *body, size_t len, raw_request *r,
                      mid_an2k **tx_out, gw_identify_problem *p) {
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_parse(ctx, body, len, &tx);
    if (st != MID_OK) {
        return fail(p, st == MID_ERR_LIMIT ? 413 : 400,
                    st == MID_ERR_LIMIT ? "too-large" : "malformed", "malformed transaction: %s",
                    mid_ctx_error(ctx));
    }
    *tx_out = tx;
    r->an2k = true;
    char tot[17] = "";
    mid_an2k_get_text(tx, 0, 4, tot, sizeof(tot));
    if (strcmp(tot, MID_AN2K_TOT_SEARCH) != 0) {
        return INVALID(p, "TOT (1.004): must be %s, got \"%s\"", MID_AN2K_TOT_SEARCH, tot);
    }
    an2k_text(tx, 0, 9, F_TCN, r);
    size_t r2 = mid_an2k_find_record(tx, 2, 1);
    if (r2 == SIZE_MAX) {
        return INVALID(p, "Type-2 record: required (it carries the policy fields)");
    }
    an2k_text(tx, r2, MID_AN2K_F_BASIS, F_BASIS, r);
    an2k_text(tx, r2, MID_AN2K_F_OFFENCE, F_OFFENCE, r);
    an2k_text(tx, r2, MID_AN2K_F_NAME_DOUBT, F_NAME_DOUBT, r);
    an2k_text(tx, r2, MID_AN2K_F_TOLD_REASON, F_TOLD_REASON, r);
    an2k_text(tx, r2, MID_AN2K_F_TOLD_SPECULATIVE, F_TOLD_SPEC, r);
    an2k_text(tx, r2, MID_AN2K_F_REASON, F_REASON, r);
    an2k_text(tx, r2, MID_AN2K_F_INCIDENT, F_INCIDENT, r);
    an2k_text(tx, r2, MID_AN2K_F_LOCATION, F_LOCATION, r);
    an2k_text(tx, r2, MID_AN2K_F_ETHNICITY, F_ETHNICITY, r);
    an2k_text(tx, r2, MID_AN2K_F_AGE_BAND, F_AGE_BAND, r);
    an2k_text(tx, r2, MID_AN2K_F_GENDER, F_GENDER, r);
    size_t dn = 0;
    const uint8_t *dv = mid_an2k_get(tx, r2, MID_AN2K_F_DATABASES, &dn);
    if (dv == NULL) {
        r->want[MID_DB_IDENT1] = true;
    } else {
        size_t ns = mid_an2k_subfield_count(dv, dn);
        if (ns == 0) {
            return INVALID(p, "databases (2.918): must name IDENT1 and/or IABS");
        }
        for (size_t i = 0; i < ns; i++) {
            size_t il = 0;
            const uint8_t *it = mid_an2k_item(dv, dn, i, 0, &il);
            char name[17] = "";
            if (it != NULL && il < sizeof(name)) {
                memcpy(name, it, il);
                name[il] = '\0';
            }
            int db = mid_db_parse(name);
            if (db < 0) {
                return INVALID(p, "databases (2.918) subfield %zu: must be IDENT1 or IABS", i + 1);
            }
            if (r->want[db]) {
                return INVALID(p, "databases (2.918): %s named twice", mid_db_name((mid_db)db));
            }
            r->want[db] = true;
        }
    }
    /* Fingers: the Type-14 records (Type-9 minutiae are ignored: the gateway
     * extracts its own). */
    r->n_fingers = 0;
    for (size_t rec = 1; rec < mid_an2k_record_count(tx); rec++) {
        unsigned type = mid_an2k_record_type(tx, rec);
        if (type == 4 || type == 13) {
            return INVALID(p, "record %zu (Type-%u): fingers must come as Type-14 records", rec + 1,
                           type);
        }
        if (type != 14) {
            continue;
        }
        size_t i = r->n_fingers++;
        if (i >= GW_ID_FINGERS) {
            continue; /* counted for the message */
        }
        raw_finger *o = &r->fingers[i];
        snprintf(o->label, sizeof(o->label), "fingers[%zu] (record %zu, Type-14)", i, rec + 1);
        mid_an2k_image_info ii;
        if (mid_an2k_image_info_get(ctx, tx, rec, &ii) != MID_OK) {
            return INVALID(p, "%s: %s", o->label, mid_ctx_error(ctx));
        }
        if (ii.n_fgp != 1 || ii.fgp[0] < 1 || ii.fgp[0] > 10) {
            return INVALID(p, "%s: FGP (14.013) must be one finger position 1..10", o->label);
        }
        o->position = ii.fgp[0];
        o->quality = ii.quality >= 0 && ii.quality <= 100 ? ii.quality : -1;
        o->rec_w = ii.hll;
        o->rec_h = ii.vll;
        o->ppi = ii.ppi;
        switch (ii.compression) {
        case MID_AN2K_CGA_WSQ20:
            o->format = GW_FMT_WSQ;
            break;
        case MID_AN2K_CGA_PNG:
            o->format = GW_FMT_PNG;
            break;
        case MID_AN2K_CGA_JPEGB:
            o->format = GW_FMT_JPEG;
            break;
        case MID_AN2K_CGA_JP2:
        case MID_AN2K_CGA_JP2L:
            o->format = GW_FMT_JP2;
            break;
        case MID_AN2K_CGA_NONE:
            if (ii.bpx != 8) {
                return INVALID(p, "%s: uncompressed images must have 8 bits per pixel", o->label);
            }
            o->format = GW_FMT_RAW;
            break;
        default:
            return INVALID(p,
                           "%s: compression %s (14.011) is not accepted (WSQ20, PNG, JPEGB, "
                           "JP2, JP2L, NONE)",
                           o->label, ii.cga);
        }
        if (ii.data == NULL || ii.data_len == 0) {
            return INVALID(p, "%s: no image data (14.999)", o->label);
        }
        o->data = ii.data;
        o->len = ii.data_len;
    }
    return true;
}

/* ---- entry points ------------------------------------------------------------ */

/* The media type of a Content-Type header, lower-cased, parameters checked:
 * only charset=utf-8 is accepted (JSON). */
static bool media_type(const char *ct, char *out, size_t cap, bool *bad_param) {
    *bad_param = false;
    if (ct == NULL) {
        return false;
    }
    while (*ct == ' ') {
        ct++;
    }
    size_t n = strcspn(ct, ";");
    while (n > 0 && ct[n - 1] == ' ') {
        n--;
    }
    if (n == 0 || n >= cap) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        out[i] = (char)tolower((unsigned char)ct[i]);
    }
    out[n] = '\0';
    const char *param = strchr(ct, ';');
    if (param != NULL) {
        param++;
        while (*param == ' ') {
            param++;
        }
        if (strncasecmp(param, "charset=", 8) != 0 ||
            (strcasecmp(param + 8, "utf-8") != 0 && strcasecmp(param + 8, "\"utf-8\"") != 0)) {
            *bad_param = true;
        }
    }
    return true;
}

bool gw_identify_parse(mid_ctx *ctx, const char *content_type, const uint8_t *body, size_t len,
                       gw_identify_request *req, gw_identify_problem *problem) {
    memset(req, 0, sizeof(*req));
    memset(problem, 0, sizeof(*problem));
    char mt[64];
    bool bad_param = false;
    bool is_json = false;
    if (media_type(content_type, mt, sizeof(mt), &bad_param)) {
        is_json = strcmp(mt, "application/json") == 0;
        if (!is_json && strcmp(mt, "application/x-ansi-nist") != 0) {
            mt[0] = '\0';
        }
    } else {
        mt[0] = '\0';
    }
    if (mt[0] == '\0' || bad_param) {
        return fail(problem, 415, "unsupported-media-type",
                    "Content-Type must be application/x-ansi-nist or application/json "
                    "(charset utf-8)");
    }
    if (len > MID_GW_MAX_BODY_BYTES) {
        return fail(problem, 413, "too-large", "the body of %zu bytes exceeds %u bytes", len,
                    MID_GW_MAX_BODY_BYTES);
    }
    if (len == 0) {
        return fail(problem, 400, "malformed", "the body is empty");
    }
    raw_request *r = calloc(1, sizeof(*r));
    if (r == NULL) {
        return fail(problem, 500, "internal", "out of memory");
    }
    mid_json *doc = NULL;
    mid_an2k *tx = NULL;
    bool ok = is_json ? read_json(ctx, body, len, r, &doc, problem)
                      : read_an2k(ctx, body, len, r, &tx, problem);
    if (ok) {
        ok = validate(r, req, problem);
    }
    if (is_json) {
        /* Base64-decoded images belong to the raw request: wipe them. */
        for (size_t i = 0; i < GW_ID_FINGERS; i++) {
            if (r->fingers[i].data != NULL) {
                mid_wipe((void *)r->fingers[i].data, r->fingers[i].len);
                mid_free((void *)r->fingers[i].data);
            }
        }
        if (doc != NULL) {
            /* The base64 text is the image too: wipe it inside the document. */
            const mid_json_value *fs = mid_json_get(mid_json_root(doc), "fingers");
            for (size_t i = 0; i < mid_json_length(fs); i++) {
                size_t n = 0;
                const char *b64 = mid_json_string(mid_json_get(mid_json_at(fs, i), "data"), &n);
                if (b64 != NULL) {
                    mid_wipe((char *)b64, n);
                }
            }
        }
    }
    mid_json_free(doc);
    mid_an2k_free(tx); /* wipes its values */
    mid_wipe(r, sizeof(*r));
    free(r);
    if (!ok) {
        gw_identify_request_clear(req);
    }
    return ok;
}

void gw_identify_request_clear(gw_identify_request *req) {
    if (req == NULL) {
        return;
    }
    for (size_t i = 0; i < GW_ID_FINGERS; i++) {
        if (req->fingers[i].data != NULL) {
            mid_wipe(req->fingers[i].data, req->fingers[i].len);
            free(req->fingers[i].data);
        }
    }
    free(req->offence);
    free(req->name_doubt);
    free(req->reason);
    free(req->location);
    memset(req, 0, sizeof(*req));
}

void gw_identify_audit_request(mid_json_writer *w, const gw_identify_request *req) {
    mid_json_key(w, "tcn");
    mid_json_string_value(w, req->tcn);
    mid_json_key(w, "encoding");
    mid_json_string_value(w, req->an2k ? "an2k" : "json");
    mid_json_key(w, "basis");
    mid_json_string_value(w, gw_basis_name(req->basis));
    if (req->offence != NULL) {
        mid_json_key(w, "offence");
        mid_json_string_value(w, req->offence);
    }
    if (req->name_doubt != NULL) {
        mid_json_key(w, "name_doubt");
        mid_json_string_value(w, req->name_doubt);
    }
    mid_json_key(w, "told_reason");
    mid_json_bool_value(w, req->told_reason);
    mid_json_key(w, "told_speculative");
    mid_json_bool_value(w, req->told_speculative);
    mid_json_key(w, "reason");
    mid_json_string_value(w, req->reason);
    mid_json_key(w, "incident");
    mid_json_string_value(w, req->incident);
    if (req->location != NULL) {
        mid_json_key(w, "location");
        mid_json_string_value(w, req->location);
    }
    mid_json_key(w, "subject");
    mid_json_begin_object(w);
    mid_json_key(w, "ethnicity");
    mid_json_string_value(w, req->ethnicity);
    mid_json_key(w, "age_band");
    mid_json_string_value(w, req->age_band);
    mid_json_key(w, "gender");
    mid_json_string_value(w, req->gender);
    mid_json_end_object(w);
    mid_json_key(w, "databases_requested");
    mid_json_begin_array(w);
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        if (req->want[db]) {
            mid_json_string_value(w, mid_db_name((mid_db)db));
        }
    }
    mid_json_end_array(w);
    mid_json_key(w, "fingers");
    mid_json_begin_array(w);
    for (size_t i = 0; i < req->n_fingers; i++) {
        const gw_id_finger *f = &req->fingers[i];
        uint8_t h[MID_SHA256_SIZE];
        char hex[2 * MID_SHA256_SIZE + 1];
        mid_sha256(f->data, f->len, h);
        mid_hex(h, sizeof(h), hex);
        mid_json_begin_object(w);
        mid_json_key(w, "position");
        mid_json_int(w, f->position);
        if (f->quality >= 0) {
            mid_json_key(w, "quality");
            mid_json_int(w, f->quality);
        }
        mid_json_key(w, "format");
        mid_json_string_value(w, gw_image_format_name(f->format));
        mid_json_key(w, "width");
        mid_json_int(w, f->width);
        mid_json_key(w, "height");
        mid_json_int(w, f->height);
        mid_json_key(w, "bytes");
        mid_json_int(w, (int64_t)f->len);
        mid_json_key(w, "sha256");
        mid_json_string_value(w, hex);
        mid_json_end_object(w);
    }
    mid_json_end_array(w);
}

/* ---- the search and the answer --------------------------------------------- */

/* Fewer minutiae than this hold too little for a search: the officer re-captures. */
#define GW_ID_MIN_MINUTIAE 5u
/* Candidates kept per gallery and shown at most in an answer. */
#define GW_ID_CANDIDATES 10u
#define GW_ID_SHOWN 3u

static const char *const BORDER_FORCE = "Take the person into custody and contact UK Border Force.";

typedef struct db_result {
    bool requested, searched;
    const char *why; /* when not searched */
    mid_grade grade;
    mid_search_candidate cand[GW_ID_CANDIDATES];
    size_t n;
    char *record;    /* IDENT1 red/amber: the top candidate's record JSON */
    char pnc_id[32]; /* from the record, for the audit */
} db_result;

static void reply_json(gw_reply *reply, unsigned status, const char *outcome, char *body,
                       size_t len) {
    reply->status = status;
    reply->content_type = "application/json";
    reply->outcome = outcome;
    reply->body = body;
    reply->len = len;
}

/* An error body {"error":code,"message":message}. */
static void reply_error(gw_reply *reply, mid_ctx *ctx, unsigned status, const char *code,
                        const char *message) {
    mid_json_writer *w = NULL;
    char *text = NULL;
    size_t n = 0;
    if (mid_json_writer_create(ctx, &w) == MID_OK) {
        mid_json_begin_object(w);
        mid_json_key(w, "error");
        mid_json_string_value(w, code);
        mid_json_key(w, "message");
        mid_json_string_value(w, message);
        mid_json_end_object(w);
        text = gw_json_finish(w, &n);
        mid_json_writer_free(w);
    }
    reply_json(reply, status, status >= 500 ? "failed" : "refused", text, text ? n : 0);
    snprintf(reply->detail, sizeof(reply->detail), "%s", message);
}

/* The audit member: the request, then what was searched and disclosed. */
static void set_audit(gw_reply *reply, mid_ctx *ctx, const gw_identify_request *req,
                      const db_result *res, const char *officer, const char *stage) {
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(ctx, &w) != MID_OK) {
        return;
    }
    mid_json_begin_object(w);
    if (req != NULL && req->reason != NULL) {
        gw_identify_audit_request(w, req);
    }
    if (stage != NULL) {
        mid_json_key(w, "stage");
        mid_json_string_value(w, stage);
    }
    if (res != NULL) {
        mid_json_key(w, "databases");
        mid_json_begin_array(w);
        for (int db = 0; db < (int)MID_DB_COUNT; db++) {
            const db_result *d = &res[db];
            mid_json_begin_object(w);
            mid_json_key(w, "database");
            mid_json_string_value(w, mid_db_name((mid_db)db));
            mid_json_key(w, "searched");
            mid_json_bool_value(w, d->searched);
            if (d->searched) {
                mid_json_key(w, "grade");
                mid_json_string_value(w, mid_grade_name(d->grade));
                mid_json_key(w, "candidates");
                mid_json_begin_array(w);
                for (size_t i = 0; i < d->n && i < GW_ID_SHOWN; i++) {
                    mid_json_int(w, (int64_t)d->cand[i].person);
                }
                mid_json_end_array(w);
            } else {
                mid_json_key(w, "why");
                mid_json_string_value(w, d->why);
            }
            mid_json_end_object(w);
        }
        mid_json_end_array(w);
        mid_json_key(w, "disclosed");
        mid_json_begin_array(w);
        const db_result *id1 = &res[MID_DB_IDENT1];
        if (id1->record != NULL && id1->n > 0) {
            mid_json_begin_object(w);
            mid_json_key(w, "database");
            mid_json_string_value(w, "IDENT1");
            mid_json_key(w, "person");
            mid_json_int(w, (int64_t)id1->cand[0].person);
            mid_json_key(w, "pnc_id");
            mid_json_string_value(w, id1->pnc_id);
            mid_json_key(w, "disclosed_to");
            mid_json_string_value(w, officer);
            mid_json_end_object(w);
        }
        mid_json_end_array(w);
        const db_result *iabs = &res[MID_DB_IABS];
        mid_json_key(w, "border_force_instruction");
        mid_json_bool_value(w, iabs->searched && iabs->grade != MID_GRADE_GREEN);
    }
    mid_json_end_object(w);
    size_t n = 0;
    reply->audit_json = gw_json_finish(w, &n);
    mid_json_writer_free(w);
}

/* Decodes, extracts and prepares one finger. On failure *msg says why (422). */
static mid_status prepare_finger(mid_ctx *ctx, mid_extractor *ex, const gw_id_finger *f,
                                 size_t index, mid_match_template **out, char *msg, size_t cap) {
    mid_image *img = NULL;
    mid_status st;
    if (f->format == GW_FMT_RAW) {
        st = mid_image_create(ctx, f->width, f->height, f->ppi, &img);
        if (st == MID_OK) {
            memcpy(mid_image_pixels(img), f->data, f->len);
        }
    } else {
        static const mid_image_format fmts[GW_FMT_COUNT] = {
            MID_IMAGE_WSQ, MID_IMAGE_PNG, MID_IMAGE_JPEG, MID_IMAGE_JP2, MID_IMAGE_RAW};
        mid_decode_opts o = {.format = fmts[f->format]};
        st = mid_image_decode(ctx, f->data, f->len, &o, &img);
        if (st == MID_OK && mid_image_ppi(img) == 0 && f->ppi > 0) {
            mid_image_set_ppi(img, f->ppi);
        }
    }
    if (st != MID_OK) {
        snprintf(msg, cap, "fingers[%zu]: the %s image does not decode: %s", index,
                 gw_image_format_name(f->format), mid_ctx_error(ctx));
        mid_image_free(img);
        return st;
    }
    mid_template *t = NULL;
    st = mid_extract(ex, img, &t);
    mid_image_free(img); /* wipes its pixels */
    if (st != MID_OK) {
        snprintf(msg, cap, "fingers[%zu]: no usable fingerprint found (%s); re-capture the finger",
                 index, mid_status_name(st));
        return st;
    }
    if (mid_template_count(t) < GW_ID_MIN_MINUTIAE) {
        snprintf(msg, cap,
                 "fingers[%zu]: quality too low (%zu minutiae, at least %u needed); re-capture "
                 "the finger",
                 index, mid_template_count(t), GW_ID_MIN_MINUTIAE);
        mid_template_free(t);
        return MID_ERR_NO_PRINT;
    }
    st = mid_match_prepare(ctx, t, out);
    mid_template_free(t); /* wipes its minutiae */
    if (st != MID_OK) {
        snprintf(msg, cap, "fingers[%zu]: %s", index, mid_ctx_error(ctx));
    }
    return st;
}

/* The record's "pnc_id" member, cut to cap - 1 characters (for the audit). */
static void record_pnc(mid_ctx *ctx, const char *record, char *out, size_t cap) {
    out[0] = '\0';
    mid_json *doc = NULL;
    if (mid_json_parse(ctx, record, strlen(record), &doc) != MID_OK) {
        return;
    }
    const char *pnc = mid_json_get_string(mid_json_root(doc), "pnc_id");
    if (pnc != NULL) {
        snprintf(out, cap, "%s", pnc);
    }
    mid_json_free(doc);
}

static void utc_now(char gmt[16], char iso[21]) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(gmt, 16, "%Y%m%d%H%M%SZ", &tm);
    strftime(iso, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The RPISR answer (Accept: application/x-ansi-nist). */
static bool answer_an2k(mid_ctx *ctx, const gw_caller *who, const char *txid,
                        const gw_identify_request *req, const db_result *res, gw_reply *reply) {
    mid_an2k_candidate cands[MID_DB_COUNT * GW_ID_SHOWN];
    char ids[MID_DB_COUNT * GW_ID_SHOWN][41];
    size_t nc = 0;
    bool hit = false;
    char message[512] = "";
    size_t mo = 0;
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        const db_result *d = &res[db];
        if (d->searched) {
            mo += (size_t)snprintf(message + mo, sizeof(message) - mo, "%s%s %s", mo ? "; " : "",
                                   mid_db_name((mid_db)db), mid_grade_name(d->grade));
            for (size_t i = 0; d->grade != MID_GRADE_GREEN && i < d->n && i < GW_ID_SHOWN; i++) {
                snprintf(ids[nc], sizeof(ids[nc]), "%s:%llu", mid_db_name((mid_db)db),
                         (unsigned long long)d->cand[i].person);
                double sc = d->cand[i].fused < 0 ? 0 : d->cand[i].fused;
                cands[nc].id = ids[nc];
                cands[nc].score = sc > 999999 ? 999999u : (unsigned)(sc + 0.5);
                nc++;
                hit = true;
            }
        } else if (d->requested) {
            mo += (size_t)snprintf(message + mo, sizeof(message) - mo, "%s%s not searched (%s)",
                                   mo ? "; " : "", mid_db_name((mid_db)db), d->why);
        }
        if (mo >= sizeof(message)) {
            mo = sizeof(message) - 1;
        }
    }
    if (res[MID_DB_IABS].searched && res[MID_DB_IABS].grade != MID_GRADE_GREEN) {
        snprintf(message + mo, sizeof(message) - mo, "%s%s", mo ? ". " : "", BORDER_FORCE);
    }
    char gmt[16], iso[21], dai[36], tcn[41];
    utc_now(gmt, iso);
    /* DAI holds 1..35 characters; device ids may have 39. */
    const char *dev = who->device[0] ? who->device : "UNKNOWN";
    size_t dl = strnlen(dev, sizeof(dai) - 1);
    memcpy(dai, dev, dl);
    dai[dl] = '\0';
    snprintf(tcn, sizeof(tcn), "%s", txid);
    mid_an2k_search_response resp = {.ori = "GBMIDGW",
                                     .dai = dai,
                                     .gmt = gmt,
                                     .tcn = tcn,
                                     .tcr = req->tcn,
                                     .result = hit ? MID_AN2K_HIT : MID_AN2K_NO_HIT,
                                     .candidates = cands,
                                     .n_candidates = nc,
                                     .message = message};
    mid_an2k *tx = NULL;
    void *out = NULL;
    size_t len = 0;
    if (mid_an2k_build_response(ctx, &resp, &tx) != MID_OK ||
        mid_an2k_serialize(ctx, tx, &out, &len) != MID_OK) {
        mid_an2k_free(tx);
        return false;
    }
    mid_an2k_free(tx);
    char *b = malloc(len ? len : 1);
    if (b == NULL) {
        mid_free(out);
        return false;
    }
    memcpy(b, out, len);
    mid_free(out);
    reply->status = 200;
    reply->content_type = "application/x-ansi-nist";
    reply->outcome = "answered";
    reply->body = b;
    reply->len = len;
    return true;
}

static bool answer_json(mid_ctx *ctx, const char *txid, const gw_identify_request *req,
                        const db_result *res, gw_reply *reply) {
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(ctx, &w) != MID_OK) {
        return false;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "transaction");
    mid_json_string_value(w, txid);
    mid_json_key(w, "tcn");
    mid_json_string_value(w, req->tcn);
    mid_json_key(w, "outcome");
    mid_json_string_value(w, "answered");
    mid_json_key(w, "results");
    mid_json_begin_array(w);
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        const db_result *d = &res[db];
        mid_json_begin_object(w);
        mid_json_key(w, "database");
        mid_json_string_value(w, mid_db_name((mid_db)db));
        mid_json_key(w, "searched");
        mid_json_bool_value(w, d->searched);
        if (!d->searched) {
            mid_json_key(w, "why");
            mid_json_string_value(w, d->why);
            mid_json_end_object(w);
            continue;
        }
        mid_json_key(w, "grade");
        mid_json_string_value(w, mid_grade_name(d->grade));
        mid_json_key(w, "candidates");
        mid_json_begin_array(w);
        for (size_t i = 0; d->grade != MID_GRADE_GREEN && i < d->n && i < GW_ID_SHOWN; i++) {
            mid_json_begin_object(w);
            mid_json_key(w, "person");
            mid_json_int(w, (int64_t)d->cand[i].person);
            mid_json_key(w, "score");
            mid_json_double(w, d->cand[i].fused);
            mid_json_key(w, "expected_false");
            mid_json_double(w, d->cand[i].expected_false);
            mid_json_end_object(w);
        }
        mid_json_end_array(w);
        if (d->grade == MID_GRADE_AMBER) {
            mid_json_key(w, "unconfirmed");
            mid_json_bool_value(w, true);
        }
        if (d->record != NULL) {
            mid_json_key(w, "record");
            mid_json_raw(w, d->record, strlen(d->record));
        }
        mid_json_end_object(w);
    }
    mid_json_end_array(w);
    const db_result *iabs = &res[MID_DB_IABS];
    if (iabs->searched && iabs->grade != MID_GRADE_GREEN) {
        mid_json_key(w, "instruction");
        mid_json_string_value(w, BORDER_FORCE);
    }
    mid_json_end_object(w);
    size_t n = 0;
    char *b = gw_json_finish(w, &n);
    mid_json_writer_free(w);
    if (b == NULL) {
        return false;
    }
    reply_json(reply, 200, "answered", b, n);
    return true;
}

static bool accepts_an2k(const char *accept) {
    return accept != NULL && strstr(accept, "application/x-ansi-nist") != NULL;
}

void gw_identify_handle(gw_server *s, gw_router *r, const gw_caller *who, const char *txid,
                        const char *content_type, const char *accept, const uint8_t *body,
                        size_t len, gw_reply *reply) {
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        reply->grade[db] = -1;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        reply->status = 500;
        reply->outcome = "failed";
        snprintf(reply->detail, sizeof(reply->detail), "out of memory");
        return;
    }
    gw_identify_request req;
    gw_identify_problem prob;
    if (!gw_identify_parse(ctx, content_type, body, len, &req, &prob)) {
        reply_error(reply, ctx, prob.status, prob.code, prob.message);
        set_audit(reply, ctx, NULL, NULL, who->officer, "validation");
        mid_ctx_free(ctx);
        return;
    }
    if (!gw_server_claim_tcn(s, who->device, req.tcn)) {
        char msg[128];
        snprintf(msg, sizeof(msg), "tcn: %s was already used by this device (replay)", req.tcn);
        reply_error(reply, ctx, 409, "replay", msg);
        set_audit(reply, ctx, &req, NULL, who->officer, "replay");
        gw_identify_request_clear(&req);
        mid_ctx_free(ctx);
        return;
    }
    if (req.basis == GW_BASIS_CONSENT_REFUSED) {
        mid_json_writer *w = NULL;
        char *b = NULL;
        size_t n = 0;
        if (mid_json_writer_create(ctx, &w) == MID_OK) {
            mid_json_begin_object(w);
            mid_json_key(w, "transaction");
            mid_json_string_value(w, txid);
            mid_json_key(w, "tcn");
            mid_json_string_value(w, req.tcn);
            mid_json_key(w, "outcome");
            mid_json_string_value(w, "not-searched");
            mid_json_key(w, "reason");
            mid_json_string_value(w, "consent refused");
            mid_json_end_object(w);
            b = gw_json_finish(w, &n);
            mid_json_writer_free(w);
        }
        reply_json(reply, b ? 200 : 500, b ? "answered" : "failed", b, n);
        snprintf(reply->detail, sizeof(reply->detail), "consent refused: not searched");
        set_audit(reply, ctx, &req, NULL, who->officer, "consent-refused");
        gw_identify_request_clear(&req);
        mid_ctx_free(ctx);
        return;
    }

    /* Decode, extract, prepare; the encoded images are wiped right after. */
    mid_match_template *mt[GW_ID_FINGERS] = {0};
    mid_extractor *ex = NULL;
    char msg[256] = "";
    mid_status st = mid_extractor_create(ctx, &ex);
    for (size_t i = 0; st == MID_OK && i < req.n_fingers; i++) {
        st = prepare_finger(ctx, ex, &req.fingers[i], i, &mt[i], msg, sizeof(msg));
    }
    mid_extractor_free(ex); /* wipes its scratch */
    db_result res[MID_DB_COUNT];
    memset(res, 0, sizeof(res));
    bool answered = false;
    if (st != MID_OK) {
        bool internal = st == MID_ERR_NOMEM || msg[0] == '\0';
        reply_error(reply, ctx, internal ? 500 : 422, internal ? "internal" : "invalid-request",
                    internal ? "the prints could not be processed" : msg);
        set_audit(reply, ctx, &req, NULL, who->officer, "extraction");
    } else {
        mid_search_probe probes[GW_ID_FINGERS];
        for (size_t i = 0; i < req.n_fingers; i++) {
            probes[i].finger = req.fingers[i].position;
            probes[i].tmpl = mt[i];
        }
        const gw_router_config *cfg = gw_router_config_of(r);
        size_t attempted = 0, failed = 0;
        for (int db = 0; db < (int)MID_DB_COUNT; db++) {
            db_result *d = &res[db];
            d->requested = req.want[db];
            if (!d->requested) {
                d->why = "not requested";
                continue;
            }
            if (!gw_router_permits(r, (mid_db)db, (unsigned)req.basis)) {
                d->why = "not permitted by force policy";
                continue;
            }
            attempted++;
            const char *why = NULL;
            if (gw_router_search(r, ctx, (mid_db)db, probes, req.n_fingers, d->cand,
                                 GW_ID_CANDIDATES, &d->n, &why) != MID_OK) {
                d->why = why != NULL ? why : "unavailable";
                failed++;
                continue;
            }
            d->searched = true;
            d->grade = d->n > 0 ? mid_search_grade(&d->cand[0], &cfg->grading) : MID_GRADE_GREEN;
            reply->grade[db] = (int)d->grade;
        }
        /* The record of an IDENT1 red or amber candidate, for the JSON answer
         * only: the RPISR carries candidate ids, not records, and the audit's
         * "disclosed" must list only what the officer received. */
        bool an2k_answer = accepts_an2k(accept);
        db_result *id1 = &res[MID_DB_IDENT1];
        if (!an2k_answer && id1->searched && id1->grade != MID_GRADE_GREEN && id1->n > 0) {
            if (mid_store_person_get(gw_server_store(s), ctx, id1->cand[0].person, &id1->record) ==
                MID_OK) {
                record_pnc(ctx, id1->record, id1->pnc_id, sizeof(id1->pnc_id));
            } else {
                id1->record = NULL;
            }
        }
        if (attempted > 0 && failed == attempted) {
            reply_error(reply, ctx, 503, "unavailable",
                        "no gallery could be searched: every requested back end is unavailable "
                        "or timed out");
            reply->outcome = "failed";
        } else {
            answered = an2k_answer ? answer_an2k(ctx, who, txid, &req, res, reply)
                                   : answer_json(ctx, txid, &req, res, reply);
            if (!answered) {
                reply_error(reply, ctx, 500, "internal", "the answer could not be written");
            } else {
                snprintf(reply->detail, sizeof(reply->detail), "IDENT1 %s, IABS %s",
                         res[0].searched ? mid_grade_name(res[0].grade) : res[0].why,
                         res[1].searched ? mid_grade_name(res[1].grade) : res[1].why);
            }
        }
        if (!answered) {
            mid_free(id1->record); /* not sent: not disclosed */
            id1->record = NULL;
        }
        set_audit(reply, ctx, &req, res, who->officer, NULL);
    }
    for (size_t i = 0; i < GW_ID_FINGERS; i++) {
        mid_match_template_free(mt[i]); /* wipes */
    }
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        mid_free(res[db].record);
    }
    gw_identify_request_clear(&req);
    mid_ctx_free(ctx);
}
