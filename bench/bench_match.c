/*
 * Matcher benchmark on FVC-style template folders (FFF_I.<ext>, fingers 101..110,
 * impressions 1..8): every genuine pair (280) and every cross-finger impostor
 * pair (2,880) per folder; prints EER, FNMR@FMR1e-2/1e-3 (mid_eval_compute),
 * comparisons per second on one core (only the mid_matcher_compare loop is timed,
 * in thread CPU time so that other load on the machine does not count), and
 * the pooled empirical FMR at calibrated thresholds 20/30/40 as a check of the
 * score calibration.
 *
 * usage: bench_match [--ext iso] [--scores FILE] [--repeat N] DIR...
 *   --scores FILE  appends "dir G|I a b score" lines (for calibration fits)
 *   --repeat N     runs the comparison loop N times for steadier timing
 * A template that fails to load or prepare stays in the test: each of its
 * comparisons scores -1 (a false non-match for genuine pairs).
 */
#include "mid/eval.h"
#include "mid/match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define FINGERS 10
#define IMPRESSIONS 8
#define N_T (FINGERS * IMPRESSIONS)

static double now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct pooled {
    double *imp;
    size_t n, cap;
} pooled;

static int pool_add(pooled *p, double s) {
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 4096;
        double *q = realloc(p->imp, cap * sizeof(double));
        if (q == NULL) {
            return -1;
        }
        p->imp = q;
        p->cap = cap;
    }
    p->imp[p->n++] = s;
    return 0;
}

int main(int argc, char **argv) {
    const char *ext = "iso";
    const char *scores_path = NULL;
    int repeat = 1;
    int first = 1;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--ext") == 0 && first + 1 < argc) {
            ext = argv[first + 1];
        } else if (strcmp(argv[first], "--scores") == 0 && first + 1 < argc) {
            scores_path = argv[first + 1];
        } else if (strcmp(argv[first], "--repeat") == 0 && first + 1 < argc) {
            repeat = atoi(argv[first + 1]);
            if (repeat < 1) {
                repeat = 1;
            }
        } else {
            fprintf(stderr, "unknown option %s\n", argv[first]);
            return 2;
        }
        first += 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [--ext iso] [--scores FILE] [--repeat N] DIR...\n", argv[0]);
        return 2;
    }
    mid_ctx *ctx = NULL;
    mid_matcher *m = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_matcher_create(ctx, &m) != MID_OK) {
        fprintf(stderr, "cannot create matcher\n");
        return 1;
    }
    FILE *sf = NULL;
    if (scores_path != NULL) {
        sf = fopen(scores_path, "a");
        if (sf == NULL) {
            fprintf(stderr, "cannot open %s\n", scores_path);
            return 1;
        }
    }
    pooled pool = {0};
    double sum_eer = 0, sum_f2 = 0, sum_f3 = 0, total_time = 0;
    long total_cmp = 0;
    int n_sets = 0, failed_total = 0;
    long long minutiae = 0;
    int n_prepared = 0;
    for (int s = first; s < argc; s++) {
        mid_match_template *t[N_T] = {0};
        int failed = 0;
        for (int f = 0; f < FINGERS; f++) {
            for (int i = 0; i < IMPRESSIONS; i++) {
                char path[4096];
                snprintf(path, sizeof(path), "%s/%d_%d.%s", argv[s], 101 + f, i + 1, ext);
                mid_template *tm = NULL;
                if (mid_template_load(ctx, path, MID_TEMPLATE_AUTO, &tm) != MID_OK ||
                    mid_match_prepare(ctx, tm, &t[f * IMPRESSIONS + i]) != MID_OK) {
                    fprintf(stderr, "%s: %s\n", path, mid_ctx_error(ctx));
                    failed++;
                } else {
                    minutiae += (long long)mid_template_count(tm);
                    n_prepared++;
                }
                mid_template_free(tm);
            }
        }
        failed_total += failed;
        static double gen[N_T * N_T], imp[N_T * N_T];
        size_t ng = 0, ni = 0;
        double t0 = now_s();
        for (int r = 0; r < repeat; r++) {
            ng = ni = 0;
            for (int a = 0; a < N_T; a++) {
                for (int b = a + 1; b < N_T; b++) {
                    double sc = (t[a] && t[b]) ? mid_matcher_compare(m, t[a], t[b]) : -1.0;
                    if (a / IMPRESSIONS == b / IMPRESSIONS) {
                        gen[ng++] = sc;
                    } else {
                        imp[ni++] = sc;
                    }
                }
            }
        }
        double dt = now_s() - t0;
        total_time += dt;
        total_cmp += (long)(ng + ni) * repeat;
        if (sf != NULL) {
            size_t g = 0, im = 0;
            for (int a = 0; a < N_T; a++) {
                for (int b = a + 1; b < N_T; b++) {
                    int same = a / IMPRESSIONS == b / IMPRESSIONS;
                    fprintf(sf, "%s %c %d_%d %d_%d %.6f\n", argv[s], same ? 'G' : 'I',
                            101 + a / IMPRESSIONS, 1 + a % IMPRESSIONS, 101 + b / IMPRESSIONS,
                            1 + b % IMPRESSIONS, same ? gen[g++] : imp[im++]);
                }
            }
        }
        for (size_t i = 0; i < ni; i++) {
            if (pool_add(&pool, imp[i]) != 0) {
                fprintf(stderr, "out of memory\n");
                return 1;
            }
        }
        mid_eval_metrics mt;
        if (mid_eval_compute(ctx, gen, ng, imp, ni, &mt) != MID_OK) {
            fprintf(stderr, "eval: %s\n", mid_ctx_error(ctx));
            return 1;
        }
        size_t above30 = 0;
        for (size_t i = 0; i < ni; i++) {
            above30 += imp[i] >= 30.0;
        }
        printf("%-40s EER %6.2f %%  FNMR@1e-2 %6.2f %%  FNMR@1e-3 %6.2f %%  FMR(>=30) %.1e  "
               "failed %d  %6.0f cmp/s\n",
               argv[s], 100 * mt.eer, 100 * mt.fnmr_at_fmr_1e2, 100 * mt.fnmr_at_fmr_1e3,
               (double)above30 / (double)ni, failed, (double)(ng + ni) * repeat / dt);
        sum_eer += mt.eer;
        sum_f2 += mt.fnmr_at_fmr_1e2;
        sum_f3 += mt.fnmr_at_fmr_1e3;
        n_sets++;
        for (int i = 0; i < N_T; i++) {
            mid_match_template_free(t[i]);
        }
    }
    printf("MEAN over %d sets: EER %.2f %%  FNMR@1e-2 %.2f %%  FNMR@1e-3 %.2f %%  failed %d  "
           "%.0f cmp/s (one core)  %.1f minutiae/template\n",
           n_sets, 100 * sum_eer / n_sets, 100 * sum_f2 / n_sets, 100 * sum_f3 / n_sets,
           failed_total, (double)total_cmp / total_time,
           n_prepared ? (double)minutiae / n_prepared : 0.0);
    const double thr[] = {10, 20, 30, 40};
    printf("calibration check, pooled impostors (%zu):", pool.n);
    for (size_t k = 0; k < sizeof(thr) / sizeof(thr[0]); k++) {
        size_t above = 0;
        for (size_t i = 0; i < pool.n; i++) {
            above += pool.imp[i] >= thr[k];
        }
        printf("  FMR(>=%.0f) = %.2e", thr[k], pool.n ? (double)above / (double)pool.n : 0.0);
    }
    printf("\n");
    free(pool.imp);
    if (sf != NULL) {
        fclose(sf);
    }
    mid_matcher_free(m);
    mid_ctx_free(ctx);
    return 0;
}
