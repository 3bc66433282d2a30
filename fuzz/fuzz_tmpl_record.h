/*
 * Shared body of the multi-view record fuzz targets (fuzz_tmpl_iso2011.c,
 * fuzz_tmpl_ansi2009.c): decode a record in one format; on success it must
 * re-encode in its own format and decode to the same views exactly, convert to
 * every other format (ISO 2005 / ANSI 2004 may refuse views of different image
 * sizes, nothing else) and decode to the same views within the format's
 * precision, and the single-template decoder must return its first view. A
 * failed decode must leave no record and say why.
 */
#ifndef MID_FUZZ_TMPL_RECORD_H
#define MID_FUZZ_TMPL_RECORD_H

#include "mid/template.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fzr_ansi(mid_template_format f) {
    return f == MID_TEMPLATE_ANSI378_2004 || f == MID_TEMPLATE_ANSI378_2009;
}

static void fzr_same_view(const mid_template *a, const mid_template *b, unsigned angle_tol) {
    if (mid_template_count(a) != mid_template_count(b) ||
        mid_template_width(a) != mid_template_width(b) ||
        mid_template_height(a) != mid_template_height(b) ||
        mid_template_quality(a) != mid_template_quality(b) ||
        mid_template_finger_position(a) != mid_template_finger_position(b) ||
        mid_template_impression_type(a) != mid_template_impression_type(b)) {
        abort();
    }
    int dppi = (int)mid_template_ppi(a) - (int)mid_template_ppi(b);
    if (dppi < -2 || dppi > 2) {
        abort();
    }
    const mid_minutia *ma = mid_template_minutiae(a), *mb = mid_template_minutiae(b);
    for (size_t i = 0; i < mid_template_count(a); i++) {
        unsigned d = (unsigned)(ma[i].angle - mb[i].angle + 256) % 256u;
        if (ma[i].x != mb[i].x || ma[i].y != mb[i].y || ma[i].type != mb[i].type ||
            ma[i].quality != mb[i].quality || (d > angle_tol && 256u - d > angle_tol)) {
            abort();
        }
    }
}

static void fzr_same(const mid_template_record *a, const mid_template_record *b,
                     unsigned angle_tol) {
    if (mid_template_record_count(a) != mid_template_record_count(b)) {
        abort();
    }
    for (size_t v = 0; v < mid_template_record_count(a); v++) {
        fzr_same_view(mid_template_record_view(a, v), mid_template_record_view(b, v), angle_tol);
        mid_template_view_info x, y;
        if (mid_template_record_view_info(NULL, a, v, &x) != MID_OK ||
            mid_template_record_view_info(NULL, b, v, &y) != MID_OK ||
            x.view_number != y.view_number) {
            abort();
        }
    }
}

static int fzr_run(const uint8_t *data, size_t size, mid_template_format f) {
    static const mid_template_format all[] = {MID_TEMPLATE_ISO19794_2_2005,
                                              MID_TEMPLATE_ISO19794_2_2011,
                                              MID_TEMPLATE_ANSI378_2004, MID_TEMPLATE_ANSI378_2009};
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_template_record *r = NULL;
    if (mid_template_record_decode(ctx, data, size, f, &r) != MID_OK) {
        if (r != NULL || mid_ctx_error(ctx)[0] == '\0') {
            abort();
        }
        mid_ctx_free(ctx);
        return 0;
    }
    mid_template_format src = mid_template_record_source(r);
    mid_template *first = NULL;
    if (mid_template_decode(ctx, data, size, f, &first) != MID_OK) {
        abort();
    }
    fzr_same_view(first, mid_template_record_view(r, 0), 0);
    mid_template_free(first);
    for (size_t k = 0; k < sizeof(all) / sizeof(all[0]); k++) {
        void *buf = NULL;
        size_t len = 0;
        mid_status st = mid_template_record_encode(ctx, r, all[k], &buf, &len);
        if (st == MID_ERR_ARG &&
            (all[k] == MID_TEMPLATE_ISO19794_2_2005 || all[k] == MID_TEMPLATE_ANSI378_2004)) {
            continue;
        }
        if (st != MID_OK) {
            abort();
        }
        mid_template_record *c = NULL;
        if (mid_template_record_decode(ctx, buf, len, MID_TEMPLATE_AUTO, &c) != MID_OK ||
            mid_template_record_source(c) != all[k]) {
            abort();
        }
        fzr_same(r, c, all[k] == src || fzr_ansi(src) || !fzr_ansi(all[k]) ? 0u : 1u);
        mid_template_record_free(c);
        mid_free(buf);
    }
    mid_template_record_free(r);
    mid_ctx_free(ctx);
    return 0;
}

#endif
