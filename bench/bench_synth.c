/*
 * Synthetic impression benchmark: rendering speed on one core, and the
 * extractor checked against ground truth.
 *
 * Speed: renders impressions at a given window (default 400 x 500 px) of a few
 * masters made beforehand; only mid_synth_impression() is timed, in thread CPU
 * time (other load on the machine does not count) and wall time.
 *
 * Ground truth: for each condition, renders K impressions of each of F fingers
 * (the set mapping of `mid synth set`: finger i is person i / 2, right index
 * when i is even, left index when odd), extracts them with mid_extract(), and
 * pairs extracted minutiae with truth minutiae one to one: a pair is admissible
 * when the points lie within 15 px and the directions within 30 degrees, and
 * pairs are taken greedily by increasing distance. Recall = pairs / truth
 * minutiae, precision = pairs / extracted minutiae, pooled over the impressions.
 *
 * Folder statistics (--stats, for the realism comparison with real sets): the
 * extractor's minutiae count and template quality (mid_template_quality(), our
 * stand-in for NFIQ) over every FFF_I.* image of each folder, mean, standard
 * deviation and deciles. DIR:PPI gives the scan resolution (FVC TIFFs carry a
 * dummy one).
 *
 * usage: bench_synth [--seed S] [--speed N] [--size WxH] [--fingers F]
 *                    [--impressions K] [--profile P] [--conditions a,b,...]
 *        bench_synth --stats DIR[:PPI]...
 *   --speed 0 or --fingers 0 skips that part.
 */
#include "mid/mid.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TOL_PX 15.0
#define TOL_DEG 30.0

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double wall_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct cand {
    float d;
    uint16_t i, j;
} cand;

static int cmp_cand(const void *a, const void *b) {
    float x = ((const cand *)a)->d, y = ((const cand *)b)->d;
    return x < y ? -1 : x > y;
}

/* One-to-one pairs between truth t and extracted e within the tolerances. */
static size_t pair_count(const mid_template *t, const mid_template *e, cand *buf) {
    size_t nt = mid_template_count(t), ne = mid_template_count(e), nc = 0;
    const mid_minutia *a = mid_template_minutiae(t), *b = mid_template_minutiae(e);
    for (size_t i = 0; i < nt; i++) {
        for (size_t j = 0; j < ne; j++) {
            double d = hypot((double)a[i].x - b[j].x, (double)a[i].y - b[j].y);
            int da = abs((int)a[i].angle - (int)b[j].angle);
            da = da > 128 ? 256 - da : da;
            if (d <= TOL_PX && da * (360.0 / 256.0) <= TOL_DEG) {
                buf[nc++] = (cand){(float)d, (uint16_t)i, (uint16_t)j};
            }
        }
    }
    qsort(buf, nc, sizeof(cand), cmp_cand);
    uint8_t used_t[256] = {0}, used_e[256] = {0};
    size_t pairs = 0;
    for (size_t k = 0; k < nc; k++) {
        if (!used_t[buf[k].i] && !used_e[buf[k].j]) {
            used_t[buf[k].i] = used_e[buf[k].j] = 1;
            pairs++;
        }
    }
    return pairs;
}

static int speed(mid_synth *s, mid_ctx *ctx, uint64_t seed, int n, uint32_t w, uint32_t h,
                 mid_synth_profile prof) {
    enum { MASTERS = 4 };
    mid_synth_master *m[MASTERS] = {0};
    double mc0 = cpu_s();
    for (int i = 0; i < MASTERS; i++) {
        if (mid_synth_master_create(s, seed, (uint64_t)i / 2, i % 2 ? 7 : 2, &m[i]) != MID_OK) {
            fprintf(stderr, "bench_synth: master: %s\n", mid_ctx_error(ctx));
            return 1;
        }
    }
    double mc1 = cpu_s();
    mid_synth_impression_opts o = {prof, MID_CONDITION_RANDOM, w, h};
    double c0 = cpu_s(), w0 = wall_s();
    for (int k = 0; k < n; k++) {
        mid_image *img = NULL;
        mid_template *t = NULL;
        if (mid_synth_impression(s, m[k % MASTERS], (uint32_t)(k / MASTERS + 1), &o, &img, &t) !=
            MID_OK) {
            fprintf(stderr, "bench_synth: impression: %s\n", mid_ctx_error(ctx));
            return 1;
        }
        mid_image_free(img);
        mid_template_free(t);
    }
    double c1 = cpu_s(), w1 = wall_s();
    printf("speed: %d impressions %ux%u (%s window, conditions drawn at random): "
           "%.1f impressions/s on one core (thread CPU %.3f s, %.2f ms each; wall %.3f s); "
           "masters %.0f ms each\n",
           n, w, h, mid_synth_profile_name(prof), n / (c1 - c0), c1 - c0, 1e3 * (c1 - c0) / n,
           w1 - w0, 1e3 * (mc1 - mc0) / MASTERS);
    for (int i = 0; i < MASTERS; i++) {
        mid_synth_master_free(m[i]);
    }
    return 0;
}

static int truth(mid_synth *s, mid_ctx *ctx, uint64_t seed, int fingers, int imps,
                 mid_synth_profile prof, const int *conds, int nconds) {
    mid_extractor *ex = NULL;
    if (mid_extractor_create(ctx, &ex) != MID_OK) {
        return 1;
    }
    static cand buf[256 * 256];
    printf("\n| condition | impressions | truth/imp | extracted/imp | recall | precision | "
           "failures |\n|---|---|---|---|---|---|---|\n");
    for (int c = 0; c < nconds; c++) {
        size_t nt = 0, ne = 0, np = 0, nimp = 0, fail = 0;
        mid_synth_impression_opts o = {prof, (mid_synth_condition)conds[c], 0, 0};
        for (int f = 0; f < fingers; f++) {
            mid_synth_master *m = NULL;
            if (mid_synth_master_create(s, seed, (uint64_t)f / 2, f % 2 ? 7 : 2, &m) != MID_OK) {
                fprintf(stderr, "bench_synth: master: %s\n", mid_ctx_error(ctx));
                mid_extractor_free(ex);
                return 1;
            }
            for (int k = 1; k <= imps; k++) {
                mid_image *img = NULL;
                mid_template *t = NULL, *e = NULL;
                if (mid_synth_impression(s, m, (uint32_t)k, &o, &img, &t) != MID_OK) {
                    fprintf(stderr, "bench_synth: impression: %s\n", mid_ctx_error(ctx));
                    mid_synth_master_free(m);
                    mid_extractor_free(ex);
                    return 1;
                }
                nimp++;
                nt += mid_template_count(t);
                if (mid_extract(ex, img, &e) != MID_OK) {
                    fail++; /* counts as nothing found */
                } else {
                    ne += mid_template_count(e);
                    np += pair_count(t, e, buf);
                }
                mid_template_free(e);
                mid_template_free(t);
                mid_image_free(img);
            }
            mid_synth_master_free(m);
        }
        printf("| %s | %zu | %.1f | %.1f | %.3f | %.3f | %zu |\n",
               mid_synth_condition_name((mid_synth_condition)conds[c]), nimp, (double)nt / nimp,
               (double)ne / nimp, nt ? (double)np / nt : 0, ne ? (double)np / ne : 0, fail);
        fflush(stdout);
    }
    mid_extractor_free(ex);
    return 0;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Mean, standard deviation, 10th / 50th / 90th percentiles of v (sorted in place). */
static void summary(const char *what, double *v, size_t n) {
    double sum = 0, sum2 = 0;
    for (size_t i = 0; i < n; i++) {
        sum += v[i];
        sum2 += v[i] * v[i];
    }
    qsort(v, n, sizeof(double), cmp_double);
    double mean = n ? sum / n : 0, sd = n > 1 ? sqrt(fmax(sum2 / n - mean * mean, 0)) : 0;
    printf(" | %s %.1f +- %.1f (p10 %.0f, p50 %.0f, p90 %.0f)", what, mean, sd, n ? v[n / 10] : 0,
           n ? v[n / 2] : 0, n ? v[n * 9 / 10] : 0);
}

static int stats(mid_ctx *ctx, int argc, char **argv) {
    mid_extractor *ex = NULL;
    if (mid_extractor_create(ctx, &ex) != MID_OK) {
        return 1;
    }
    int rc = 0;
    for (int a = 0; a < argc && rc == 0; a++) {
        char dir[2048];
        snprintf(dir, sizeof(dir), "%s", argv[a]);
        double ppi = 0;
        char *colon = strrchr(dir, ':');
        if (colon != NULL) {
            *colon = '\0';
            ppi = atof(colon + 1);
        }
        DIR *d = opendir(dir);
        if (d == NULL) {
            fprintf(stderr, "bench_synth: cannot open '%s'\n", dir);
            rc = 1;
            break;
        }
        double count[1024], qual[1024];
        size_t n = 0, fail = 0;
        struct dirent *de;
        while ((de = readdir(d)) != NULL && n < 1024) {
            unsigned f, k;
            char ext[8];
            if (sscanf(de->d_name, "%u_%u.%7s", &f, &k, ext) != 3) {
                continue;
            }
            char path[4096];
            snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
            mid_decode_opts o = {MID_IMAGE_AUTO, 0, 0, ppi};
            mid_image *img = NULL;
            mid_template *t = NULL;
            if (mid_image_load(ctx, path, &o, &img) != MID_OK) {
                fprintf(stderr, "bench_synth: %s: %s\n", path, mid_ctx_error(ctx));
                continue;
            }
            if (mid_extract(ex, img, &t) != MID_OK) {
                fail++;
                count[n] = 0;
                qual[n++] = 0;
            } else {
                count[n] = (double)mid_template_count(t);
                qual[n++] = mid_template_quality(t);
            }
            mid_template_free(t);
            mid_image_free(img);
        }
        closedir(d);
        printf("%s: %zu images, %zu failed", dir, n, fail);
        summary("minutiae", count, n);
        summary("quality", qual, n);
        printf("\n");
    }
    mid_extractor_free(ex);
    return rc;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--stats") == 0) {
        mid_ctx *ctx = NULL;
        if (mid_ctx_create(&ctx) != MID_OK) {
            return 1;
        }
        int rc = stats(ctx, argc - 2, argv + 2);
        mid_ctx_free(ctx);
        return rc;
    }
    uint64_t seed = 1;
    int nspeed = 200, fingers = 25, imps = 8;
    uint32_t w = 400, h = 500;
    mid_synth_profile prof = MID_PROFILE_OPTICAL;
    int conds[MID_CONDITION_COUNT] = {MID_CONDITION_NORMAL, MID_CONDITION_DRY, MID_CONDITION_WET,
                                      MID_CONDITION_DISTORTED, MID_CONDITION_SMALL_AREA};
    int nconds = 5;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (v == NULL) {
            fprintf(stderr, "bench_synth: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--seed") == 0) {
            seed = strtoull(v, NULL, 0);
        } else if (strcmp(a, "--speed") == 0) {
            nspeed = atoi(v);
        } else if (strcmp(a, "--size") == 0) {
            if (sscanf(v, "%ux%u", &w, &h) != 2) {
                fprintf(stderr, "bench_synth: --size WxH\n");
                return 2;
            }
        } else if (strcmp(a, "--fingers") == 0) {
            fingers = atoi(v);
        } else if (strcmp(a, "--impressions") == 0) {
            imps = atoi(v);
        } else if (strcmp(a, "--profile") == 0) {
            int p = mid_synth_profile_parse(v);
            if (p < 0) {
                fprintf(stderr, "bench_synth: unknown profile '%s'\n", v);
                return 2;
            }
            prof = (mid_synth_profile)p;
        } else if (strcmp(a, "--conditions") == 0) {
            char tmp[256];
            snprintf(tmp, sizeof(tmp), "%s", v);
            nconds = 0;
            for (char *tok = strtok(tmp, ","); tok != NULL && nconds < MID_CONDITION_COUNT;
                 tok = strtok(NULL, ",")) {
                int c = mid_synth_condition_parse(tok);
                if (c < 0) {
                    fprintf(stderr, "bench_synth: unknown condition '%s'\n", tok);
                    return 2;
                }
                conds[nconds++] = c;
            }
        } else {
            fprintf(stderr, "bench_synth: unknown option '%s'\n", a);
            return 2;
        }
    }
    mid_ctx *ctx = NULL;
    mid_synth *s = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_synth_create(ctx, &s) != MID_OK) {
        fprintf(stderr, "bench_synth: out of memory\n");
        return 1;
    }
    int rc = 0;
    if (nspeed > 0) {
        rc = speed(s, ctx, seed, nspeed, w, h, prof);
    }
    if (rc == 0 && fingers > 0 && imps > 0) {
        printf("\nground truth: seed %llu, %d fingers x %d impressions per condition, %s "
               "profile; match within %.0f px and %.0f degrees, one to one\n",
               (unsigned long long)seed, fingers, imps, mid_synth_profile_name(prof), TOL_PX,
               TOL_DEG);
        rc = truth(s, ctx, seed, fingers, imps, prof, conds, nconds);
    }
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return rc;
}
