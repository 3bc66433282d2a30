/*
 * Direct template generation (mid_synth_template): speed, and the statistics
 * that docs/synth-templates.md compares between direct templates and templates
 * our extractor finds on real or rendered images.
 *
 *   bench_tmplgen speed [--seed S] [--people N]
 *       templates per second (two index fingers per person, native encoding
 *       included), thread CPU time.
 *   bench_tmplgen read GALLERY
 *       reads a gallery file (mid/gallery.h) through: records, minutiae, records/s.
 *   bench_tmplgen stats --synth SEED FINGERS IMPRESSIONS
 *       statistics of direct templates: finger f (0-based) is person f / 2's right
 *       index (f even) or left index (f odd), impressions 1..IMPRESSIONS: the
 *       identities of `mid synth set --seed SEED` (which renders them instead).
 *   bench_tmplgen stats --dir DIR FINGERS IMPRESSIONS
 *       the same over DIR/FFF_I.<any extension> templates (FFF from 101), as made by
 *       `mid extract --list` from an FVC-shaped set.
 *
 * Statistics: minutiae count, bifurcation fraction, minutia quality, distance
 * from the template's centroid, nearest-neighbour distance, direction histogram,
 * and matcher scores: genuine = every pair of impressions of a finger; impostor =
 * every pair of impressions of different fingers (first impressions only when that
 * would exceed 300,000 pairs). Empirical FMR at calibrated thresholds t should be
 * close to 10^(-t/10) when impostors look like the real ones the matcher was
 * calibrated on.
 */
#include "mid/gallery.h"
#include "mid/mid.h"

#include <stdbool.h>

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p) {
    if (n == 0) {
        return 0;
    }
    qsort(v, n, sizeof *v, cmp_double);
    return v[(size_t)(p * (double)(n - 1) + 0.5)];
}

static int die(const char *what, const mid_ctx *ctx) {
    fprintf(stderr, "bench_tmplgen: %s: %s\n", what, mid_ctx_error(ctx));
    return 1;
}

static int run_speed(uint64_t seed, size_t people) {
    mid_ctx *ctx = NULL;
    mid_synth *s = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_synth_create(ctx, &s) != MID_OK) {
        return die("create", ctx);
    }
    size_t minutiae = 0, bytes = 0;
    double t0 = cpu_now();
    for (size_t p = 0; p < people; p++) {
        for (unsigned f = 2; f <= 7; f += 5) {
            mid_template *t = NULL;
            if (mid_synth_template(s, seed, p, f, 1, &t) != MID_OK) {
                return die("template", ctx);
            }
            void *enc = NULL;
            size_t len = 0;
            if (mid_template_encode(ctx, t, MID_TEMPLATE_NATIVE, &enc, &len) != MID_OK) {
                return die("encode", ctx);
            }
            minutiae += mid_template_count(t);
            bytes += len;
            mid_free(enc);
            mid_template_free(t);
        }
    }
    double dt = cpu_now() - t0;
    double n = 2.0 * (double)people;
    printf("templates %.0f, cpu %.3f s, %.0f templates/s, %.1f us/template, mean minutiae %.1f, "
           "mean native bytes %.0f\n",
           n, dt, n / dt, 1e6 * dt / n, (double)minutiae / n, (double)bytes / n);
    printf("projected 1,000,000 people x 2 fingers: %.0f s\n", 2e6 * dt / n);
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return 0;
}

/* Loads DIR/FFF_I.* for finger f (0-based), impression i (1-based). */
static mid_status load_dir(mid_ctx *ctx, const char *dir, size_t f, size_t i, mid_template **t) {
    DIR *d = opendir(dir);
    if (d == NULL) {
        return MID_ERR_IO;
    }
    char prefix[64], path[4096];
    snprintf(prefix, sizeof prefix, "%zu_%zu.", 101 + f, i);
    mid_status st = MID_ERR_IO;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            st = mid_template_load(ctx, path, MID_TEMPLATE_AUTO, t);
            break;
        }
    }
    closedir(d);
    return st;
}

static void summary(const char *name, double *v, size_t n) {
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        sq += v[i] * v[i];
    }
    double mean = n ? sum / (double)n : 0;
    double sd = n ? sqrt(fmax(0, sq / (double)n - mean * mean)) : 0;
    printf("%-22s n %-7zu mean %6.1f sd %5.1f  p10 %6.1f p25 %6.1f p50 %6.1f p75 %6.1f p90 %6.1f\n",
           name, n, mean, sd, pct(v, n, 0.10), pct(v, n, 0.25), pct(v, n, 0.50), pct(v, n, 0.75),
           pct(v, n, 0.90));
}

static int run_stats(const char *dir, uint64_t seed, size_t fingers, size_t imps) {
    mid_ctx *ctx = NULL;
    mid_synth *s = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_synth_create(ctx, &s) != MID_OK) {
        return die("create", ctx);
    }
    size_t n = fingers * imps;
    mid_template **tp = calloc(n, sizeof *tp);
    mid_match_template **mt = calloc(n, sizeof *mt);
    double *counts = calloc(n, sizeof *counts);
    size_t cap = n * MID_MAX_MINUTIAE + 1;
    double *radial = calloc(cap, sizeof *radial), *nn = calloc(cap, sizeof *nn),
           *qual = calloc(cap, sizeof *qual);
    if (!tp || !mt || !counts || !radial || !nn || !qual) {
        fprintf(stderr, "bench_tmplgen: out of memory\n");
        return 1;
    }
    size_t nr = 0, nnn = 0, nq = 0, bif = 0, total = 0, dirs[8] = {0};
    for (size_t f = 0; f < fingers; f++) {
        for (size_t i = 1; i <= imps; i++) {
            size_t k = f * imps + i - 1;
            mid_status st =
                dir ? load_dir(ctx, dir, f, i, &tp[k])
                    : mid_synth_template(s, seed, f / 2, f % 2 ? 7 : 2, (uint32_t)i, &tp[k]);
            if (st != MID_OK) {
                fprintf(stderr, "bench_tmplgen: finger %zu impression %zu: %s\n", f, i,
                        mid_ctx_error(ctx));
                return 1;
            }
            if (mid_match_prepare(ctx, tp[k], &mt[k]) != MID_OK) {
                return die("prepare", ctx);
            }
            const mid_minutia *m = mid_template_minutiae(tp[k]);
            size_t c = mid_template_count(tp[k]);
            counts[k] = (double)c;
            double cx = 0, cy = 0;
            for (size_t a = 0; a < c; a++) {
                cx += m[a].x;
                cy += m[a].y;
            }
            cx /= c ? (double)c : 1;
            cy /= c ? (double)c : 1;
            for (size_t a = 0; a < c; a++) {
                radial[nr++] = hypot(m[a].x - cx, m[a].y - cy);
                qual[nq++] = m[a].quality;
                bif += m[a].type == MID_MINUTIA_BIFURCATION;
                dirs[m[a].angle / 32]++;
                total++;
                double best = INFINITY;
                for (size_t b = 0; b < c; b++) {
                    if (b != a) {
                        best = fmin(best, hypot((double)m[a].x - m[b].x, (double)m[a].y - m[b].y));
                    }
                }
                if (c > 1) {
                    nn[nnn++] = best;
                }
            }
        }
    }
    printf("%s: %zu fingers x %zu impressions\n", dir ? dir : "direct synthetic", fingers, imps);
    summary("minutiae count", counts, n);
    summary("distance to centroid", radial, nr);
    summary("nearest neighbour", nn, nnn);
    summary("minutia quality", qual, nq);
    printf("bifurcation fraction %.3f\n", total ? (double)bif / (double)total : 0);
    printf("direction histogram (45-degree bins from 0):");
    for (int b = 0; b < 8; b++) {
        printf(" %.3f", total ? (double)dirs[b] / (double)total : 0);
    }
    printf("\n");

    mid_matcher *mm = NULL;
    if (mid_matcher_create(ctx, &mm) != MID_OK) {
        return die("matcher", ctx);
    }
    size_t ng = fingers * imps * (imps - 1) / 2;
    bool all = n * (n - imps) / 2 <= 300000;
    size_t ni = all ? n * (n - imps) / 2 : fingers * (fingers - 1) / 2;
    double *gen = calloc(ng + 1, sizeof *gen), *imp = calloc(ni + 1, sizeof *imp);
    if (!gen || !imp) {
        fprintf(stderr, "bench_tmplgen: out of memory\n");
        return 1;
    }
    size_t g = 0, im = 0;
    double t0 = cpu_now();
    for (size_t a = 0; a < n; a++) {
        for (size_t b = a + 1; b < n; b++) {
            size_t fa = a / imps, fb = b / imps;
            if (fa == fb) {
                gen[g++] = mid_matcher_compare(mm, mt[a], mt[b]);
            } else if (all || (a % imps == 0 && b % imps == 0)) {
                imp[im++] = mid_matcher_compare(mm, mt[a], mt[b]);
            }
        }
    }
    double dt = cpu_now() - t0;
    mid_eval_metrics em;
    if (mid_eval_compute(ctx, gen, g, imp, im, &em) != MID_OK) {
        return die("eval", ctx);
    }
    summary("genuine scores", gen, g);
    summary("impostor scores", imp, im);
    printf("impostor tail: p99 %.1f p99.9 %.1f max %.1f\n", pct(imp, im, 0.99), pct(imp, im, 0.999),
           pct(imp, im, 1.0));
    printf("empirical FMR at threshold (calibrated 10^(-t/10)):");
    for (int t = 10; t <= 40; t += 10) {
        size_t above = 0;
        for (size_t k = 0; k < im; k++) {
            above += imp[k] >= t;
        }
        printf(" t=%d %.2g", t, (double)above / (double)(im ? im : 1));
    }
    printf("\nFNMR at threshold:");
    for (int t = 10; t <= 40; t += 10) {
        size_t below = 0;
        for (size_t k = 0; k < g; k++) {
            below += gen[k] < t;
        }
        printf(" t=%d %.3f", t, (double)below / (double)(g ? g : 1));
    }
    printf("\nEER %.2f %%, FNMR@FMR1e-2 %.2f %%, FNMR@FMR1e-3 %.2f %% (%zu genuine, %zu impostor, "
           "%.0f cmp/s)\n",
           100 * em.eer, 100 * em.fnmr_at_fmr_1e2, 100 * em.fnmr_at_fmr_1e3, g, im,
           (double)(g + im) / dt);
    for (size_t k = 0; k < n; k++) {
        mid_match_template_free(mt[k]);
        mid_template_free(tp[k]);
    }
    free(gen);
    free(imp);
    free(tp);
    free(mt);
    free(counts);
    free(radial);
    free(nn);
    free(qual);
    mid_matcher_free(mm);
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return 0;
}

static int run_read(const char *path) {
    mid_ctx *ctx = NULL;
    mid_gallery_reader *r = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_gallery_reader_open_path(ctx, path, &r) != MID_OK) {
        return die("open", ctx);
    }
    double t0 = cpu_now();
    size_t records = 0, minutiae = 0;
    for (;;) {
        mid_gallery_record rec;
        mid_template *t = NULL;
        if (mid_gallery_reader_next(r, &rec, &t) != MID_OK) {
            return die("read", ctx);
        }
        if (t == NULL) {
            break;
        }
        records++;
        minutiae += mid_template_count(t);
        mid_template_free(t);
    }
    double dt = cpu_now() - t0;
    printf("%zu records (header count %llu), mean %.1f minutiae, cpu %.2f s, %.0f records/s\n",
           records, (unsigned long long)mid_gallery_reader_count(r),
           records ? (double)minutiae / (double)records : 0.0, dt, dt > 0 ? records / dt : 0.0);
    mid_gallery_reader_close(r);
    mid_ctx_free(ctx);
    return 0;
}

static int usage(void) {
    fprintf(stderr, "usage: bench_tmplgen speed [--seed S] [--people N]\n"
                    "       bench_tmplgen read GALLERY\n"
                    "       bench_tmplgen stats --synth SEED FINGERS IMPRESSIONS\n"
                    "       bench_tmplgen stats --dir DIR FINGERS IMPRESSIONS\n");
    return 2;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "speed") == 0) {
        uint64_t seed = 1;
        size_t people = 20000;
        for (int i = 2; i + 1 < argc; i += 2) {
            if (strcmp(argv[i], "--seed") == 0) {
                seed = strtoull(argv[i + 1], NULL, 10);
            } else if (strcmp(argv[i], "--people") == 0) {
                people = strtoull(argv[i + 1], NULL, 10);
            } else {
                return usage();
            }
        }
        return run_speed(seed, people);
    }
    if (argc == 3 && strcmp(argv[1], "read") == 0) {
        return run_read(argv[2]);
    }
    if (argc == 6 && strcmp(argv[1], "stats") == 0) {
        size_t fingers = strtoull(argv[4], NULL, 10), imps = strtoull(argv[5], NULL, 10);
        if (fingers < 2 || imps < 2 || fingers > 10000 || imps > 100) {
            return usage();
        }
        if (strcmp(argv[2], "--synth") == 0) {
            return run_stats(NULL, strtoull(argv[3], NULL, 10), fingers, imps);
        }
        if (strcmp(argv[2], "--dir") == 0) {
            return run_stats(argv[3], 0, fingers, imps);
        }
    }
    return usage();
}
