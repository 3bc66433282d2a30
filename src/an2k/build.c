/*
 * Builders of the mobile identification search and its response (profile in
 * docs/transaction-profile.md): Type-1 with TOT RPIS / RPISR (FBI EBTS rapid
 * mobile search), a Type-2 carrying the policy fields or the result, and per
 * finger a Type-14 (WSQ20 at 500 ppi, FGP, FQM) plus an optional Type-9 with the
 * INCITS 378 minutiae block sharing the Type-14's IDC.
 */
#include "an2k/an2k_internal.h"
#include "mid/wsq.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Printable ASCII of minlen..maxlen characters (no separators, no control bytes). */
static mid_status check_text(mid_ctx *ctx, const char *what, const char *s, size_t minlen,
                             size_t maxlen) {
    if (s == NULL) {
        return minlen == 0 ? MID_OK : core_fail(ctx, MID_ERR_ARG, "%s is missing (NULL)", what);
    }
    size_t n = strnlen(s, maxlen + 1);
    if (n < minlen || n > maxlen) {
        return core_fail(ctx, MID_ERR_ARG, "%s must have %zu..%zu characters", what, minlen,
                         maxlen);
    }
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7E) {
            return core_fail(ctx, MID_ERR_ARG,
                             "%s: byte 0x%02X at position %zu is not printable ASCII", what, c, i);
        }
    }
    return MID_OK;
}

/* YYYYMMDDhhmmssZ with a real calendar date and time. */
static mid_status check_gmt(mid_ctx *ctx, const char *gmt) {
    mid_status st = check_text(ctx, "GMT", gmt, 15, 15);
    if (st != MID_OK) {
        return st;
    }
    unsigned long y, mo, d, h, mi, se;
    const uint8_t *g = (const uint8_t *)gmt;
    static const unsigned mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (!an2k_parse_uint(g, 4, &y) || !an2k_parse_uint(g + 4, 2, &mo) ||
        !an2k_parse_uint(g + 6, 2, &d) || !an2k_parse_uint(g + 8, 2, &h) ||
        !an2k_parse_uint(g + 10, 2, &mi) || !an2k_parse_uint(g + 12, 2, &se) || gmt[14] != 'Z' ||
        y < 1900 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h > 23 || mi > 59 ||
        se > 59 || (mo == 2 && d == 29 && (y % 4 != 0 || (y % 100 == 0 && y % 400 != 0)))) {
        return core_fail(ctx, MID_ERR_ARG, "GMT '%s' is not a valid YYYYMMDDhhmmssZ time", gmt);
    }
    return MID_OK;
}

static mid_status set_fmt(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned num, const char *fmt,
                          ...) __attribute__((format(printf, 5, 6)));

static mid_status set_fmt(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned num, const char *fmt,
                          ...) {
    char buf[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return mid_an2k_set_text(ctx, tx, rec, num, buf);
}

/* Type-1 common to both transactions. */
static mid_status build_type1(mid_ctx *ctx, const char *tot, const char *ori, const char *dai,
                              const char *tcn, const char *tcr, const char *gmt, mid_an2k **out) {
    mid_status st;
    if ((st = check_text(ctx, "ORI", ori, 1, 35)) != MID_OK ||
        (st = check_text(ctx, "DAI", dai, 1, 35)) != MID_OK ||
        (st = check_text(ctx, "TCN", tcn, 1, 40)) != MID_OK ||
        (st = check_text(ctx, "TCR", tcr, tcr ? 1 : 0, 40)) != MID_OK ||
        (st = check_gmt(ctx, gmt)) != MID_OK) {
        return st;
    }
    mid_an2k *tx = NULL;
    if ((st = mid_an2k_create(ctx, MID_AN2K_VERSION, tot, &tx)) != MID_OK) {
        return st;
    }
    char date[9];
    memcpy(date, gmt, 8);
    date[8] = '\0';
    /* 1.011/1.012 are "00.00" when the transaction holds no Type-4 record. */
    if ((st = mid_an2k_set_text(ctx, tx, 0, 5, date)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, 0, 7, dai)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, 0, 8, ori)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, 0, 9, tcn)) != MID_OK ||
        (tcr != NULL && (st = mid_an2k_set_text(ctx, tx, 0, 10, tcr)) != MID_OK) ||
        (st = mid_an2k_set_text(ctx, tx, 0, 11, "00.00")) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, 0, 12, "00.00")) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, 0, 14, gmt)) != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    *out = tx;
    return MID_OK;
}

/* The finger image at 500 ppi, WSQ-compressed (the FBI WSQ specification is for
 * 500 ppi; other resolutions are resampled, unknown ones taken as 500). */
static mid_status finger_wsq(mid_ctx *ctx, const mid_image *img, double bitrate, void **wsq,
                             size_t *len, uint32_t *w, uint32_t *h) {
    double ppi = mid_image_ppi(img);
    mid_image *work = NULL;
    const mid_image *use = img;
    mid_status st;
    if (ppi > 0 && fabs(ppi - MID_WORK_PPI) > 0.01 * MID_WORK_PPI) {
        if ((st = mid_image_resample(ctx, img, MID_WORK_PPI, &work)) != MID_OK) {
            return st;
        }
        use = work;
    }
    st = mid_wsq_encode(ctx, use, bitrate > 0 ? bitrate : MID_WSQ_DEFAULT_BITRATE, wsq, len);
    *w = mid_image_width(use);
    *h = mid_image_height(use);
    mid_image_free(work);
    return st;
}

static mid_status add_type9(mid_ctx *ctx, mid_an2k *tx, const mid_an2k_finger *f, unsigned idc) {
    const mid_template *t = f->minutiae;
    size_t rec;
    mid_status st = mid_an2k_add_record(ctx, tx, 9, idc, &rec);
    if (st != MID_OK) {
        return st;
    }
    unsigned ppi = mid_template_ppi(t) ? mid_template_ppi(t) : 500;
    size_t n = mid_template_count(t);
    const mid_minutia *m = mid_template_minutiae(t);
    /* 9.137: index~X~Y~theta~type~quality, at most 28 bytes each with separators. */
    size_t cap = (n ? n : 1) * 32 + 1;
    char *fmd = malloc(cap);
    if (fmd == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        /* 360/256-degree units to the 2-degree units of INCITS 378. */
        unsigned theta = (unsigned)lround(m[i].angle * 360.0 / 256.0 / 2.0) % 180;
        o += (size_t)snprintf(fmd + o, cap - o, "%s%03zu%c%u%c%u%c%u%c%u%c%u", i ? "\x1e" : "",
                              i + 1, MID_AN2K_US, m[i].x, MID_AN2K_US, m[i].y, MID_AN2K_US, theta,
                              MID_AN2K_US, m[i].type, MID_AN2K_US, m[i].quality);
    }
    if ((st = set_fmt(ctx, tx, rec, 3, "%u", f->impression)) == MID_OK &&
        (st = mid_an2k_set_text(ctx, tx, rec, 4, "U")) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 126, "27%c513", MID_AN2K_US)) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 128, "%u", mid_template_width(t))) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 129, "%u", mid_template_height(t))) == MID_OK &&
        (st = mid_an2k_set_text(ctx, tx, rec, 130, "1")) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 131, "%u", ppi)) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 132, "%u", ppi)) == MID_OK &&
        (st = mid_an2k_set_text(ctx, tx, rec, 133, "0")) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 134, "%02u", f->position)) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 135, "%u%c0000%c0", mid_template_quality(t), MID_AN2K_US,
                      MID_AN2K_US)) == MID_OK &&
        (st = set_fmt(ctx, tx, rec, 136, "%zu", n)) == MID_OK && n > 0) {
        st = mid_an2k_set(ctx, tx, rec, 137, fmd, o);
    }
    free(fmd);
    return st;
}

/* s is NULL (absent) or one of the NULL-terminated list codes. */
static mid_status check_code(mid_ctx *ctx, const char *what, const char *s,
                             const char *const *codes) {
    if (s == NULL) {
        return MID_OK;
    }
    for (size_t i = 0; codes[i] != NULL; i++) {
        if (strcmp(s, codes[i]) == 0) {
            return MID_OK;
        }
    }
    char list[160] = "";
    size_t o = 0;
    for (size_t i = 0; codes[i] != NULL && o < sizeof(list); i++) {
        o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", codes[i]);
    }
    return core_fail(ctx, MID_ERR_ARG, "%s must be one of %s", what, list);
}

static const char *const BASES[] = {"consent", "pace-61-6a", "consent-refused", NULL};
static const char *const ETHNICITIES[] = {"IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "IC9", NULL};
static const char *const AGE_BANDS[] = {"under-18", "18-24", "25-34", "35-44",
                                        "45-54",    "55-64", "65+",   NULL};
static const char *const GENDERS[] = {"M", "F", "X", "U", NULL};

/* The optional policy fields of 2.906 .. 2.918 (see mid_an2k_search_request). */
static mid_status check_policy(mid_ctx *ctx, const mid_an2k_search_request *req) {
    mid_status st;
    if ((st = check_code(ctx, "basis", req->basis, BASES)) != MID_OK ||
        (st = check_text(ctx, "offence", req->offence, 0, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "name doubt", req->name_doubt, 0, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "location", req->location, 0, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_code(ctx, "ethnicity", req->ethnicity, ETHNICITIES)) != MID_OK ||
        (st = check_code(ctx, "age band", req->age_band, AGE_BANDS)) != MID_OK ||
        (st = check_code(ctx, "gender", req->gender, GENDERS)) != MID_OK) {
        return st;
    }
    /* An empty optional text is as good as absent but would write an empty field. */
    if ((req->offence != NULL && req->offence[0] == '\0') ||
        (req->name_doubt != NULL && req->name_doubt[0] == '\0') ||
        (req->location != NULL && req->location[0] == '\0')) {
        return core_fail(ctx, MID_ERR_ARG,
                         "offence, name doubt and location are NULL or 1..%u "
                         "characters",
                         MID_AN2K_MAX_TEXT);
    }
    if ((unsigned)req->told_reason > MID_AN2K_FLAG_YES ||
        (unsigned)req->told_speculative > MID_AN2K_FLAG_YES) {
        return core_fail(ctx, MID_ERR_ARG, "told flags must be absent, no or yes");
    }
    if (req->n_databases > MID_AN2K_MAX_DATABASES ||
        (req->n_databases > 0 && req->databases == NULL)) {
        return core_fail(ctx, MID_ERR_ARG, "a search names 0..%u databases (got %zu)",
                         MID_AN2K_MAX_DATABASES, req->n_databases);
    }
    for (size_t i = 0; i < req->n_databases; i++) {
        const char *d = req->databases[i];
        size_t n = d ? strnlen(d, 17) : 0;
        bool ok = n >= 1 && n <= 16;
        for (size_t k = 0; ok && k < n; k++) {
            ok = (d[k] >= 'A' && d[k] <= 'Z') || (d[k] >= '0' && d[k] <= '9');
        }
        if (!ok) {
            return core_fail(ctx, MID_ERR_ARG, "database %zu must be 1..16 of A-Z 0-9", i + 1);
        }
    }
    return MID_OK;
}

static mid_status set_opt(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned num, const char *text) {
    return text == NULL ? MID_OK : mid_an2k_set_text(ctx, tx, rec, num, text);
}

static mid_status set_flag(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned num, mid_an2k_flag f) {
    return f == MID_AN2K_FLAG_ABSENT
               ? MID_OK
               : mid_an2k_set_text(ctx, tx, rec, num, f == MID_AN2K_FLAG_YES ? "Y" : "N");
}

/* 2.906 .. 2.918 after the mandatory fields; databases as one subfield each. */
static mid_status write_policy(mid_ctx *ctx, mid_an2k *tx, size_t r2,
                               const mid_an2k_search_request *req) {
    mid_status st;
    if ((st = set_opt(ctx, tx, r2, MID_AN2K_F_BASIS, req->basis)) != MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_OFFENCE, req->offence)) != MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_NAME_DOUBT, req->name_doubt)) != MID_OK ||
        (st = set_flag(ctx, tx, r2, MID_AN2K_F_TOLD_REASON, req->told_reason)) != MID_OK ||
        (st = set_flag(ctx, tx, r2, MID_AN2K_F_TOLD_SPECULATIVE, req->told_speculative)) !=
            MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_LOCATION, req->location)) != MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_ETHNICITY, req->ethnicity)) != MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_AGE_BAND, req->age_band)) != MID_OK ||
        (st = set_opt(ctx, tx, r2, MID_AN2K_F_GENDER, req->gender)) != MID_OK) {
        return st;
    }
    if (req->n_databases > 0) {
        /* At most 8 names of 16 characters plus separators. */
        char v[MID_AN2K_MAX_DATABASES * 17 + 1];
        size_t o = 0;
        for (size_t i = 0; i < req->n_databases; i++) {
            o += (size_t)snprintf(v + o, sizeof(v) - o, "%s%s", i ? "\x1e" : "", req->databases[i]);
        }
        st = mid_an2k_set(ctx, tx, r2, MID_AN2K_F_DATABASES, v, o);
    }
    return st;
}

static bool valid_position(unsigned p) {
    return p <= 15;
}

mid_status mid_an2k_build_search(mid_ctx *ctx, const mid_an2k_search_request *req, mid_an2k **out) {
    if (req == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_build_search: NULL argument");
    }
    *out = NULL;
    mid_status st;
    if ((st = check_text(ctx, "legal basis", req->legal_basis, 1, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "reason", req->reason, 1, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "incident reference", req->incident, 1, MID_AN2K_MAX_TEXT)) !=
            MID_OK ||
        (st = check_text(ctx, "officer", req->officer, 1, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "device", req->device, 1, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_policy(ctx, req)) != MID_OK) {
        return st;
    }
    /* A refused consent is recorded as a transaction without prints. */
    bool refused = req->basis != NULL && strcmp(req->basis, "consent-refused") == 0;
    if (refused && req->n_fingers != 0) {
        return core_fail(ctx, MID_ERR_ARG,
                         "a search with basis consent-refused carries no "
                         "fingers (got %zu)",
                         req->n_fingers);
    }
    if (!refused &&
        (req->n_fingers == 0 || req->n_fingers > MID_AN2K_MAX_FINGERS || req->fingers == NULL)) {
        return core_fail(ctx, MID_ERR_ARG, "a search carries 1..%u fingers (got %zu)",
                         MID_AN2K_MAX_FINGERS, req->n_fingers);
    }
    if (!(req->bitrate >= 0 && req->bitrate <= 8)) {
        return core_fail(ctx, MID_ERR_ARG, "WSQ bitrate must be 0 (default) or in (0, 8]");
    }
    for (size_t i = 0; i < req->n_fingers; i++) {
        const mid_an2k_finger *f = &req->fingers[i];
        if (f->image == NULL || !valid_position(f->position) ||
            !(f->quality <= 100 || f->quality == 254 || f->quality == 255) ||
            !(f->impression <= 8 || (f->impression >= 20 && f->impression <= 29))) {
            return core_fail(ctx, MID_ERR_ARG,
                             "finger %zu: needs an image, a finger position 0..15, an impression "
                             "type of Table 7 and a quality 0..100, 254 or 255 (got FGP %u IMP "
                             "%u quality %u)",
                             i + 1, f->position, f->impression, f->quality);
        }
        for (size_t k = 0; k < i; k++) {
            if (f->position != 0 && req->fingers[k].position == f->position) {
                return core_fail(ctx, MID_ERR_ARG, "finger %zu repeats finger position %u", i + 1,
                                 f->position);
            }
        }
    }
    mid_an2k *tx = NULL;
    if ((st = build_type1(ctx, MID_AN2K_TOT_SEARCH, req->ori, req->dai, req->tcn, NULL, req->gmt,
                          &tx)) != MID_OK) {
        return st;
    }
    size_t r2;
    if ((st = mid_an2k_add_record(ctx, tx, 2, 0, &r2)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_LEGAL_BASIS, req->legal_basis)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_REASON, req->reason)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_INCIDENT, req->incident)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_OFFICER, req->officer)) != MID_OK ||
        (st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_DEVICE, req->device)) != MID_OK ||
        (st = write_policy(ctx, tx, r2, req)) != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    char date[9];
    memcpy(date, req->gmt, 8);
    date[8] = '\0';
    for (size_t i = 0; i < req->n_fingers && st == MID_OK; i++) {
        const mid_an2k_finger *f = &req->fingers[i];
        unsigned idc = (unsigned)i + 1;
        void *wsq = NULL;
        size_t wsq_len = 0;
        uint32_t w = 0, h = 0;
        size_t rec;
        st = finger_wsq(ctx, f->image, req->bitrate, &wsq, &wsq_len, &w, &h);
        if (st == MID_OK && (w < 10 || h < 10)) {
            /* HLL and VLL are 10..99999 (ANSI/NIST-ITL 1-2011, 8.14.6 / 8.14.7). */
            st = core_fail(ctx, MID_ERR_ARG,
                           "finger %zu: image of %ux%u at 500 ppi is under "
                           "the 10-pixel minimum side",
                           i + 1, w, h);
        }
        if (st == MID_OK && (st = mid_an2k_add_record(ctx, tx, 14, idc, &rec)) == MID_OK &&
            (st = set_fmt(ctx, tx, rec, 3, "%u", f->impression)) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 4, req->ori)) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 5, date)) == MID_OK &&
            (st = set_fmt(ctx, tx, rec, 6, "%u", w)) == MID_OK &&
            (st = set_fmt(ctx, tx, rec, 7, "%u", h)) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 8, "1")) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 9, "500")) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 10, "500")) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 11, "WSQ20")) == MID_OK &&
            (st = mid_an2k_set_text(ctx, tx, rec, 12, "8")) == MID_OK &&
            (st = set_fmt(ctx, tx, rec, 13, "%02u", f->position)) == MID_OK &&
            (st = set_fmt(ctx, tx, rec, 24, "%02u%c%u%c0000%c0", f->position, MID_AN2K_US,
                          f->quality, MID_AN2K_US, MID_AN2K_US)) == MID_OK) {
            st = mid_an2k_set(ctx, tx, rec, 999, wsq, wsq_len);
        }
        mid_free(wsq);
        if (st == MID_OK && f->minutiae != NULL) {
            st = add_type9(ctx, tx, f, idc);
        }
    }
    if (st != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    *out = tx;
    return MID_OK;
}

static const char *const RESULTS[] = {"NOHIT", "HIT", "ERROR"};

mid_status mid_an2k_build_response(mid_ctx *ctx, const mid_an2k_search_response *resp,
                                   mid_an2k **out) {
    if (resp == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_an2k_build_response: NULL argument");
    }
    *out = NULL;
    mid_status st;
    if ((unsigned)resp->result > MID_AN2K_ERROR) {
        return core_fail(ctx, MID_ERR_ARG, "unknown result %d", (int)resp->result);
    }
    if (resp->n_candidates > MID_AN2K_MAX_CANDIDATES ||
        (resp->n_candidates > 0 && resp->candidates == NULL)) {
        return core_fail(ctx, MID_ERR_ARG, "a response carries 0..%u candidates (got %zu)",
                         MID_AN2K_MAX_CANDIDATES, resp->n_candidates);
    }
    if ((st = check_text(ctx, "message", resp->message, 0, MID_AN2K_MAX_TEXT)) != MID_OK ||
        (st = check_text(ctx, "TCR", resp->tcr, 1, 40)) != MID_OK) {
        return st;
    }
    for (size_t i = 0; i < resp->n_candidates; i++) {
        char what[48];
        snprintf(what, sizeof(what), "candidate %zu id", i + 1);
        if ((st = check_text(ctx, what, resp->candidates[i].id, 1, 40)) != MID_OK) {
            return st;
        }
        if (resp->candidates[i].score > 999999) {
            return core_fail(ctx, MID_ERR_ARG, "candidate %zu: score %u exceeds 999999", i + 1,
                             resp->candidates[i].score);
        }
    }
    mid_an2k *tx = NULL;
    if ((st = build_type1(ctx, MID_AN2K_TOT_RESPONSE, resp->ori, resp->dai, resp->tcn, resp->tcr,
                          resp->gmt, &tx)) != MID_OK) {
        return st;
    }
    size_t r2;
    if ((st = mid_an2k_add_record(ctx, tx, 2, 0, &r2)) == MID_OK) {
        st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_RESULT, RESULTS[resp->result]);
    }
    if (st == MID_OK && resp->n_candidates > 0) {
        /* Subfields id<US>score: at most 40 + 1 + 6 + 1 bytes each. */
        size_t cap = resp->n_candidates * 48 + 1;
        char *v = malloc(cap);
        if (v == NULL) {
            st = core_fail(ctx, MID_ERR_NOMEM, "out of memory");
        } else {
            size_t o = 0;
            for (size_t i = 0; i < resp->n_candidates; i++) {
                o += (size_t)snprintf(v + o, cap - o, "%s%s%c%u", i ? "\x1e" : "",
                                      resp->candidates[i].id, MID_AN2K_US,
                                      resp->candidates[i].score);
            }
            st = mid_an2k_set(ctx, tx, r2, MID_AN2K_F_CANDIDATES, v, o);
            free(v);
        }
    }
    if (st == MID_OK && resp->message != NULL && resp->message[0] != '\0') {
        st = mid_an2k_set_text(ctx, tx, r2, MID_AN2K_F_MESSAGE, resp->message);
    }
    if (st != MID_OK) {
        mid_an2k_free(tx);
        return st;
    }
    *out = tx;
    return MID_OK;
}
