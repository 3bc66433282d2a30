/*
 * Calibration: raw comparison score -> -10 log10(FMR) (contract of mid/match.h).
 *
 * The map is monotone: piecewise linear between knots taken at empirical
 * quantiles of an impostor score distribution, then an exponential tail beyond
 * the last knot. For raw >= u: FMR(raw) = p_u * exp(-(raw - u) / beta), so the
 * score grows linearly, by 10 / (ln 10 * beta) per raw unit. The tail is the
 * maximum-likelihood exponential fit (beta = mean excess over u) of the
 * impostor scores above u; it extends the map past the largest observed
 * impostor score, where the empirical FMR would be 0.
 *
 * Fit of the table below:
 *   data:   all cross-finger impostor pairs (i < j, different fingers) of the
 *           8 FVC2000/2002 B sets, templates from mobileid's own extractor at
 *           commit 7e735eb (FVC2002 DB2 read at 569 ppi, the others at 500):
 *           8 x 2,880 = 23,040 raw scores, pooled.
 *   knots:  raw 0 -> 0; then the raw value whose empirical P(impostor >= raw)
 *           is p for p = 0.5, 0.3, 0.2, 0.1, 0.05, 0.03, 0.02, 0.01, 0.005,
 *           0.003 (linear interpolation between order statistics) -> -10 log10 p.
 *   tail:   u = the p = 0.003 quantile (69 exceedances), beta = mean(raw - u)
 *           = 0.008593 (largest impostor raw 0.0981 maps to 44.9).
 *   check:  empirical FMR of the same impostors at score >= 20: 9.98e-03,
 *           >= 30: 9.98e-04, >= 40: 4.34e-05 (bench_match prints this).
 * The raw score depends on the extractor: refit when it changes materially.
 */
#include "match/match_internal.h"

#include <math.h>

static const double knot_raw[] = {0.000000, 0.015273, 0.020310, 0.023988, 0.029937, 0.035879,
                                  0.039974, 0.043468, 0.048146, 0.054506, 0.059170};
static const double knot_score[] = {0.0000,  3.0103,  5.2288,  6.9897,  10.0000, 13.0103,
                                    15.2288, 16.9897, 20.0000, 23.0103, 25.2288};
#define TAIL_BETA 0.008593

#define N_KNOTS (sizeof(knot_raw) / sizeof(knot_raw[0]))

size_t match_calibration_knots(const double **raw, const double **score) {
    *raw = knot_raw;
    *score = knot_score;
    return N_KNOTS;
}

double match_calibrate(double raw) {
    if (!(raw > 0.0)) {
        return 0.0; /* also maps NaN to 0 */
    }
    const double u = knot_raw[N_KNOTS - 1];
    if (raw >= u) {
        return knot_score[N_KNOTS - 1] + 10.0 / (log(10.0) * TAIL_BETA) * (raw - u);
    }
    size_t k = 1;
    while (raw > knot_raw[k]) {
        k++;
    }
    double f = (raw - knot_raw[k - 1]) / (knot_raw[k] - knot_raw[k - 1]);
    return knot_score[k - 1] + f * (knot_score[k] - knot_score[k - 1]);
}
