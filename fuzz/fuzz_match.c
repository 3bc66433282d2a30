// layer: match
/*
 * Fuzz target for the matcher: two templates built from the input (any
 * coordinates inside an 8192 x 8192 image, any direction, any resolution up
 * to MID_MAX_PPI, 0..255 minutiae each, duplicates allowed) are prepared and
 * compared both ways and with themselves. Checks the contract: scores are
 * finite, >= 0, and symmetric.
 *
 * Input: byte 0: resolution / 8 (0: unknown); byte 1: minutiae in the first
 * template; then 5 bytes per minutia (x hi, x lo, y hi, y lo, angle), the
 * first template's then the second's (all remaining whole records).
 */
#include "mid/match.h"

#include <math.h>
#include <stdlib.h>

#define SIDE 8192u

static mid_template *build(const uint8_t *p, size_t count, uint16_t ppi) {
    mid_template *t = NULL;
    if (mid_template_create(NULL, SIDE, SIDE, ppi, &t) != MID_OK) {
        return NULL;
    }
    for (size_t i = 0; i < count; i++, p += 5) {
        mid_minutia m = {(uint16_t)(((p[0] << 8) | p[1]) % SIDE),
                         (uint16_t)(((p[2] << 8) | p[3]) % SIDE), p[4], (uint8_t)(1 + (p[4] & 1)),
                         50};
        if (mid_template_add(NULL, t, &m) != MID_OK) {
            break; /* beyond MID_MAX_MINUTIAE */
        }
    }
    return t;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) {
        return 0;
    }
    unsigned ppi = data[0] * 8u;
    if (ppi > 2000u) {
        ppi = 2000u;
    }
    size_t records = (size - 2) / 5;
    size_t na = data[1] < records ? data[1] : records;
    size_t nb = records - na;
    mid_template *ta = build(data + 2, na, (uint16_t)ppi);
    mid_template *tb = build(data + 2 + 5 * na, nb, (uint16_t)ppi);
    mid_match_template *a = NULL, *b = NULL;
    mid_matcher *m = NULL;
    if (ta != NULL && tb != NULL && mid_match_prepare(NULL, ta, &a) == MID_OK &&
        mid_match_prepare(NULL, tb, &b) == MID_OK && mid_matcher_create(NULL, &m) == MID_OK) {
        double ab = mid_matcher_compare(m, a, b);
        double ba = mid_matcher_compare(m, b, a);
        double aa = mid_matcher_compare(m, a, a);
        if (!isfinite(ab) || !isfinite(aa) || ab < 0.0 || aa < 0.0 || fabs(ab - ba) > 1e-9) {
            abort();
        }
    }
    mid_matcher_free(m);
    mid_match_template_free(a);
    mid_match_template_free(b);
    mid_template_free(ta);
    mid_template_free(tb);
    return 0;
}
