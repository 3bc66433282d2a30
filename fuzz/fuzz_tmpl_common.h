/*
 * Shared body of the template fuzz targets: decode the input in one format; on
 * success re-encode it (in the same format, and for the auto target in every
 * format), decode that again and abort unless the result is stable. Silent
 * corruption in a codec thereby becomes a crash the fuzzer reports.
 */
#ifndef MID_FUZZ_TMPL_COMMON_H
#define MID_FUZZ_TMPL_COMMON_H

#include "mid/template.h"

#include <stdlib.h>

static int fz_near(unsigned a, unsigned b, unsigned tol, unsigned mod) {
    unsigned d = a > b ? a - b : b - a;
    if (mod != 0 && d > mod / 2) {
        d = mod - d;
    }
    return d <= tol;
}

/* Same template up to the precision of format f (angle_tol: ANSI; ppi_tol: px/cm). */
static void fz_check_same(const mid_template *a, const mid_template *b, unsigned angle_tol,
                          unsigned ppi_tol) {
    if (mid_template_count(a) != mid_template_count(b) ||
        mid_template_width(a) != mid_template_width(b) ||
        mid_template_height(a) != mid_template_height(b) ||
        !fz_near(mid_template_ppi(a), mid_template_ppi(b), ppi_tol, 0) ||
        mid_template_quality(a) != mid_template_quality(b) ||
        mid_template_finger_position(a) != mid_template_finger_position(b) ||
        mid_template_impression_type(a) != mid_template_impression_type(b)) {
        abort();
    }
    const mid_minutia *ma = mid_template_minutiae(a), *mb = mid_template_minutiae(b);
    for (size_t i = 0; i < mid_template_count(a); i++) {
        if (ma[i].x != mb[i].x || ma[i].y != mb[i].y || ma[i].type != mb[i].type ||
            ma[i].quality != mb[i].quality || !fz_near(ma[i].angle, mb[i].angle, angle_tol, 256)) {
            abort();
        }
    }
}

/* Encodes t in f, decodes it back (both must succeed) and compares. */
static void fz_round_trip(mid_ctx *ctx, const mid_template *t, mid_template_format f,
                          unsigned angle_tol, unsigned ppi_tol) {
    void *buf = NULL;
    size_t len = 0;
    if (mid_template_encode(ctx, t, f, &buf, &len) != MID_OK) {
        abort();
    }
    mid_template *u = NULL;
    if (mid_template_decode(ctx, buf, len, f, &u) != MID_OK) {
        abort();
    }
    fz_check_same(t, u, angle_tol, ppi_tol);
    mid_template *v = NULL; /* auto-detection must agree with the explicit format */
    if (mid_template_decode(ctx, buf, len, MID_TEMPLATE_AUTO, &v) != MID_OK) {
        abort();
    }
    fz_check_same(u, v, 0, 0);
    mid_template_free(v);
    mid_template_free(u);
    mid_free(buf);
}

static int fz_run(const uint8_t *data, size_t size, mid_template_format f) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_template *t = NULL;
    if (mid_template_decode(ctx, data, size, f, &t) == MID_OK) {
        if (f == MID_TEMPLATE_AUTO) {
            /* Cross-format: ANSI angles are 2-degree units, resolutions px/cm. */
            fz_round_trip(ctx, t, MID_TEMPLATE_NATIVE, 0, 0);
            fz_round_trip(ctx, t, MID_TEMPLATE_ISO19794_2_2005, 0, 2);
            fz_round_trip(ctx, t, MID_TEMPLATE_ANSI378_2004, 1, 2);
        } else {
            /* Same format: everything read from a record is written back exactly. */
            fz_round_trip(ctx, t, f, 0, 0);
        }
        mid_template_free(t);
    } else if (t != NULL || mid_ctx_error(ctx)[0] == '\0') {
        abort(); /* a failure must leave no output and say why */
    }
    mid_ctx_free(ctx);
    return 0;
}

#endif
