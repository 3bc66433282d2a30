/*
 * Verification accuracy metrics (FVC protocol).
 *
 * Definitions (Maio et al., "FVC2000: Fingerprint Verification Competition",
 * IEEE PAMI 24(3), 2002, section 3):
 *   FMR(t)  = fraction of impostor scores >= t
 *   FNMR(t) = fraction of genuine scores  <  t
 *   t1 = max{t : FNMR(t) <= FMR(t)},  t2 = min{t : FNMR(t) >= FMR(t)}
 *   [EERlow, EERhigh] = [FNMR(t1), FMR(t1)] if FNMR(t1)+FMR(t1) <= FMR(t2)+FNMR(t2),
 *                       [FMR(t2), FNMR(t2)] otherwise;  EER = (EERlow + EERhigh) / 2.
 *
 * Both rates are step functions of t that only change at score values, so it is
 * enough to evaluate them at every distinct score, plus one threshold above every
 * score (FMR = 0, FNMR = 1) that makes t2 and the FMR-bounded minima always
 * defined. Below the lowest score the rates equal those at the lowest score.
 * Cost: two sorts and one merged walk, O((n+m) log(n+m)).
 */
#include "core/core.h"
#include "mid/eval.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorted copies of both score arrays. NaN scores are rejected: they have no order. */
typedef struct sorted_scores {
    double *gen;
    size_t n_gen;
    double *imp;
    size_t n_imp;
} sorted_scores;

static void sorted_free(sorted_scores *s) {
    free(s->gen);
    free(s->imp);
}

static mid_status sorted_copy(mid_ctx *ctx, const double *src, size_t n, const char *what,
                              double **out) {
    *out = NULL;
    if (src == NULL || n == 0) {
        return core_fail(ctx, MID_ERR_ARG, "eval: %s scores are missing (need at least one)", what);
    }
    for (size_t i = 0; i < n; i++) {
        if (isnan(src[i])) {
            return core_fail(ctx, MID_ERR_ARG, "eval: %s score %zu is NaN", what, i);
        }
    }
    double *copy = core_mallocn(n, sizeof(*copy));
    if (copy == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "eval: out of memory for %zu %s scores", n, what);
    }
    memcpy(copy, src, n * sizeof(*copy)); /* n * size checked by core_mallocn */
    qsort(copy, n, sizeof(*copy), cmp_double);
    *out = copy;
    return MID_OK;
}

static mid_status sorted_init(mid_ctx *ctx, const double *genuine, size_t n_genuine,
                              const double *impostor, size_t n_impostor, sorted_scores *s) {
    memset(s, 0, sizeof(*s));
    mid_status st = sorted_copy(ctx, genuine, n_genuine, "genuine", &s->gen);
    if (st == MID_OK) {
        st = sorted_copy(ctx, impostor, n_impostor, "impostor", &s->imp);
    }
    if (st != MID_OK) {
        sorted_free(s);
        return st;
    }
    s->n_gen = n_genuine;
    s->n_imp = n_impostor;
    return MID_OK;
}

/*
 * Walks the distinct thresholds in increasing order. Each step yields the rates
 * at threshold t: genuine scores below t and impostor scores at or above t. After
 * the last distinct score, one final step yields the "above every score" point
 * (is_top set, FMR = 0, FNMR = 1).
 */
typedef struct walker {
    const sorted_scores *s;
    size_t gi; /* genuine scores < current threshold */
    size_t ii; /* impostor scores < current threshold */
    int done;
} walker;

typedef struct rate_point {
    double threshold;
    double fmr;
    double fnmr;
    int is_top;
} rate_point;

static int walker_next(walker *w, rate_point *p) {
    const sorted_scores *s = w->s;
    if (w->done) {
        return 0;
    }
    if (w->gi == s->n_gen && w->ii == s->n_imp) {
        w->done = 1;
        p->threshold = INFINITY;
        p->fmr = 0.0;
        p->fnmr = 1.0;
        p->is_top = 1;
        return 1;
    }
    /* Next threshold: the smallest score not yet passed. */
    double t;
    if (w->gi == s->n_gen) {
        t = s->imp[w->ii];
    } else if (w->ii == s->n_imp) {
        t = s->gen[w->gi];
    } else {
        t = s->gen[w->gi] < s->imp[w->ii] ? s->gen[w->gi] : s->imp[w->ii];
    }
    p->threshold = t;
    p->fnmr = (double)w->gi / (double)s->n_gen;
    p->fmr = (double)(s->n_imp - w->ii) / (double)s->n_imp;
    p->is_top = 0;
    /* Move past every score equal to t, ready for the next threshold. */
    while (w->gi < s->n_gen && s->gen[w->gi] <= t) {
        w->gi++;
    }
    while (w->ii < s->n_imp && s->imp[w->ii] <= t) {
        w->ii++;
    }
    return 1;
}

mid_status mid_eval_compute(mid_ctx *ctx, const double *genuine, size_t n_genuine,
                            const double *impostor, size_t n_impostor, mid_eval_metrics *out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "eval: NULL output");
    }
    memset(out, 0, sizeof(*out));
    sorted_scores s;
    mid_status st = sorted_init(ctx, genuine, n_genuine, impostor, n_impostor, &s);
    if (st != MID_OK) {
        return st;
    }
    walker w = {&s, 0, 0, 0};
    rate_point p, t1 = {0}, t2 = {0};
    int have_t2 = 0, have_1e2 = 0, have_1e3 = 0, have_zero = 0;
    while (walker_next(&w, &p)) {
        /* FNMR - FMR never decreases with t: {t : FNMR <= FMR} is a prefix of the
         * walk, so t1 is its last member and t2 the first with FNMR >= FMR. */
        if (p.fnmr <= p.fmr) {
            t1 = p;
        }
        if (!have_t2 && p.fnmr >= p.fmr) {
            t2 = p;
            have_t2 = 1;
        }
        /* FNMR never decreases with t either, so the lowest FNMR under an FMR bound
         * is at the first threshold meeting the bound. */
        if (!have_1e2 && p.fmr <= 1e-2) {
            out->fnmr_at_fmr_1e2 = p.fnmr;
            have_1e2 = 1;
        }
        if (!have_1e3 && p.fmr <= 1e-3) {
            out->fnmr_at_fmr_1e3 = p.fnmr;
            have_1e3 = 1;
        }
        if (!have_zero && p.fmr == 0.0) {
            out->zero_fmr = p.fnmr;
            have_zero = 1;
        }
    }
    sorted_free(&s);
    /* The lowest score gives FNMR = 0 <= FMR = 1, and the top point FNMR = 1 >=
     * FMR = 0, so t1, t2 and every bounded minimum always exist. */
    if (t1.fnmr + t1.fmr <= t2.fmr + t2.fnmr) {
        out->eer_low = t1.fnmr;
        out->eer_high = t1.fmr;
    } else {
        out->eer_low = t2.fmr;
        out->eer_high = t2.fnmr;
    }
    out->eer = (out->eer_low + out->eer_high) / 2.0;
    return MID_OK;
}

mid_status mid_eval_det(mid_ctx *ctx, const double *genuine, size_t n_genuine,
                        const double *impostor, size_t n_impostor, mid_det_point **points,
                        size_t *n_points) {
    if (points == NULL || n_points == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "eval: NULL output");
    }
    *points = NULL;
    *n_points = 0;
    sorted_scores s;
    mid_status st = sorted_init(ctx, genuine, n_genuine, impostor, n_impostor, &s);
    if (st != MID_OK) {
        return st;
    }
    size_t total;
    if (__builtin_add_overflow(n_genuine, n_impostor, &total)) {
        sorted_free(&s);
        return core_fail(ctx, MID_ERR_LIMIT, "eval: too many scores");
    }
    /* At most one point per score; the "above every score" point is not a
     * distinct score and is left out (it is always FMR 0, FNMR 1). */
    mid_det_point *pts = core_mallocn(total, sizeof(*pts));
    if (pts == NULL) {
        sorted_free(&s);
        return core_fail(ctx, MID_ERR_NOMEM, "eval: out of memory for %zu DET points", total);
    }
    walker w = {&s, 0, 0, 0};
    rate_point p;
    size_t n = 0;
    while (walker_next(&w, &p)) {
        if (p.is_top) {
            break;
        }
        pts[n].threshold = p.threshold;
        pts[n].fmr = p.fmr;
        pts[n].fnmr = p.fnmr;
        n++;
    }
    sorted_free(&s);
    *points = pts;
    *n_points = n;
    return MID_OK;
}
