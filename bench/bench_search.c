/*
 * 1:N identification accuracy and speed (mid/search.h), and the evidence for the
 * default grading policy (mid_grade_policy_default).
 *
 *   bench_search [--people N] [--searches M] [--fingers 2|all] [--probes rendered|direct]
 *                [--seed S] [--unknown] [--red FPIR] [--amber FPIR]
 *
 * Gallery: N persons (default 10,000), ids 0..N-1, fingers 2 and 7 (or all ten),
 * direct templates of impression 1 (mid_synth_template; what `mid synth gallery`
 * writes). Searches: M mated (default 100: persons spread over the gallery) and M
 * non-mated (persons N + 10^6 + j, never enrolled), probes fingers 2 and 7 at
 * impression 2 + j % 3.
 *
 * --probes rendered (default, the real probe path): each probe finger is rendered
 * (mid_synth_impression, MID_PROFILE_MOBILE_FAP45) and extracted (mid_extract).
 * Direct templates and rendered masters of one identity do not share minutiae
 * (docs/synth-templates.md), so the mated persons' fingers 2 and 7 are enrolled
 * the same way a custody print is: rendered (MID_PROFILE_OPTICAL, impression 1)
 * and extracted; every other gallery print is a direct template.
 * --probes direct: probes are direct templates of impression 2+ (fast; the
 * direct templates' impostor law follows the calibration, docs/synth-templates.md).
 *
 * Reports: rank-1 identification rate; FNIR at Red and at Red+Amber (mated
 * searches where the mated person is not returned at that grade or better); FPIR
 * at Red and at Amber (non-mated searches with any candidate at Red, or at Amber or
 * better); search time per probe pair (thread CPU time, one thread, median and
 * p95); gallery build time and resident memory; and a sweep of FNIR / FPIR over
 * red thresholds, from which the default policy was chosen.
 */
#include "mid/extract.h"
#include "mid/match.h"
#include "mid/search.h"
#include "mid/synth.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define CAP 10u

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Resident set size in MiB (Linux /proc), 0 when unknown. */
static double rss_mib(void) {
    FILE *f = fopen("/proc/self/status", "r");
    if (f == NULL) {
        return 0.0;
    }
    char line[256];
    double kb = 0.0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (strncmp(line, "VmRSS:", 6) == 0) {
            kb = strtod(line + 6, NULL);
        }
    }
    fclose(f);
    return kb / 1024.0;
}

static void die(const char *what, mid_ctx *ctx, mid_status st) {
    fprintf(stderr, "bench_search: %s: %s (%s)\n", what, mid_status_name(st), mid_ctx_error(ctx));
    exit(1);
}

typedef struct bench {
    mid_ctx *ctx;
    mid_synth *synth;
    mid_extractor *ex;
    uint64_t seed;
} bench;

/* Rendered impression `imp` of (person, finger) under profile, extracted. */
static mid_template *rendered(bench *b, uint64_t person, unsigned finger, uint32_t imp,
                              mid_synth_profile profile) {
    mid_synth_master *m = NULL;
    mid_status st = mid_synth_master_create(b->synth, b->seed, person, finger, &m);
    if (st != MID_OK) {
        die("master", b->ctx, st);
    }
    mid_synth_impression_opts o;
    memset(&o, 0, sizeof o);
    o.profile = profile;
    mid_image *img = NULL;
    st = mid_synth_impression(b->synth, m, imp, &o, &img, NULL);
    if (st != MID_OK) {
        die("impression", b->ctx, st);
    }
    mid_template *t = NULL;
    st = mid_extract(b->ex, img, &t);
    mid_image_free(img);
    mid_synth_master_free(m);
    if (st != MID_OK) {
        return NULL; /* no usable print: a failure to enrol / acquire */
    }
    mid_template_set_finger(b->ctx, t, (uint8_t)finger, 0);
    return t;
}

static mid_template *direct(bench *b, uint64_t person, unsigned finger, uint32_t imp) {
    mid_template *t = NULL;
    mid_status st = mid_synth_template(b->synth, b->seed, person, finger, imp, &t);
    if (st != MID_OK) {
        die("direct template", b->ctx, st);
    }
    return t;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double quantile(double *v, size_t n, double q) {
    if (n == 0) {
        return NAN;
    }
    qsort(v, n, sizeof *v, cmp_double);
    size_t k = (size_t)ceil(q * (double)n);
    return v[k == 0 ? 0 : k - 1];
}

int main(int argc, char **argv) {
    size_t people = 10000, searches = 100;
    bool all_fingers = false, rendered_probes = true, unknown = false;
    bench b = {.seed = 1};
    mid_grade_policy pol = mid_grade_policy_default();
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--unknown") == 0) {
            unknown = true;
            continue;
        }
        if (v == NULL) {
            fprintf(stderr, "bench_search: %s needs a value\n", a);
            return 2;
        }
        i++;
        if (strcmp(a, "--people") == 0) {
            people = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--searches") == 0) {
            searches = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--seed") == 0) {
            b.seed = strtoull(v, NULL, 10);
        } else if (strcmp(a, "--fingers") == 0) {
            all_fingers = strcmp(v, "all") == 0;
        } else if (strcmp(a, "--probes") == 0) {
            rendered_probes = strcmp(v, "direct") != 0;
        } else if (strcmp(a, "--red") == 0) {
            pol.red_fpir = strtod(v, NULL);
        } else if (strcmp(a, "--amber") == 0) {
            pol.amber_fpir = strtod(v, NULL);
        } else {
            fprintf(stderr, "bench_search: unknown option %s\n", a);
            return 2;
        }
    }
    if (people < 1 || searches < 1 || searches > people || people > 10000000) {
        fprintf(stderr, "bench_search: need 1 <= searches <= people <= 10^7\n");
        return 2;
    }
    mid_status st;
    if ((st = mid_ctx_create(&b.ctx)) != MID_OK || (st = mid_synth_create(b.ctx, &b.synth)) ||
        (st = mid_extractor_create(b.ctx, &b.ex))) {
        die("setup", b.ctx, st);
    }
    mid_matcher *m = NULL;
    mid_search_gallery *g = NULL;
    if ((st = mid_matcher_create(b.ctx, &m)) || (st = mid_search_gallery_create(b.ctx, &g))) {
        die("setup", b.ctx, st);
    }

    /* Mated persons: every (people / searches)-th, offset to avoid id 0 bias. */
    size_t stride = people / searches;
    double rss0 = rss_mib(), c0 = cpu_now(), w0 = wall_now(), render_cpu = 0.0;
    size_t next_mated = stride / 2, fte = 0;
    for (uint64_t p = 0; p < people; p++) {
        bool mated = rendered_probes && p == next_mated;
        if (p == next_mated) {
            next_mated += stride;
        }
        for (unsigned f = 1; f <= 10; f++) {
            if (!all_fingers && f != 2 && f != 7) {
                continue;
            }
            mid_template *t = NULL;
            if (mated && (f == 2 || f == 7)) {
                double r0 = cpu_now();
                t = rendered(&b, p, f, 1, MID_PROFILE_OPTICAL);
                render_cpu += cpu_now() - r0;
                if (t == NULL) {
                    fte++;
                    continue;
                }
            } else {
                t = direct(&b, p, f, 1);
            }
            st = mid_search_gallery_add(g, b.ctx, p, f, t);
            mid_template_free(t);
            if (st != MID_OK) {
                die("gallery add", b.ctx, st);
            }
        }
    }
    double build_cpu = cpu_now() - c0 - render_cpu, build_wall = wall_now() - w0;
    double rss1 = rss_mib();
    printf("gallery: %zu persons, %zu prints (%s), seed %llu; build %.1f s CPU (%.1f us/print, "
           "rendering of mated custody prints excluded: %.1f s), %.1f s wall; RSS %.0f -> %.0f MiB "
           "(%.1f KiB/print)\n",
           mid_search_gallery_persons(g), mid_search_gallery_prints(g),
           all_fingers ? "all ten fingers" : "fingers 2 and 7", (unsigned long long)b.seed,
           build_cpu, 1e6 * build_cpu / (double)mid_search_gallery_prints(g), render_cpu,
           build_wall, rss0, rss1, (rss1 - rss0) * 1024.0 / (double)mid_search_gallery_prints(g));
    if (fte > 0) {
        printf("gallery: %zu mated custody prints failed to extract (not enrolled)\n", fte);
    }

    size_t total = 2 * searches;
    double *ef_mated = calloc(searches, sizeof(double)); /* mated person's expected false */
    double *ef_top = calloc(searches, sizeof(double));   /* non-mated: best candidate's */
    double *times = calloc(total, sizeof(double));
    if (ef_mated == NULL || ef_top == NULL || times == NULL) {
        fprintf(stderr, "bench_search: out of memory\n");
        return 1;
    }
    size_t rank1 = 0, n_times = 0, probe_fail = 0;
    double probe_cpu = 0.0;
    for (size_t j = 0; j < total; j++) {
        bool mated_search = j < searches;
        size_t k = mated_search ? j : j - searches;
        uint64_t person = mated_search ? stride / 2 + k * stride : people + 1000000u + k;
        uint32_t imp = 2 + (uint32_t)(k % 3);
        mid_template *t[2] = {NULL, NULL};
        double p0 = cpu_now();
        for (unsigned q = 0; q < 2; q++) {
            unsigned f = q == 0 ? 2 : 7;
            t[q] = rendered_probes ? rendered(&b, person, f, imp, MID_PROFILE_MOBILE_FAP45)
                                   : direct(&b, person, f, imp);
        }
        probe_cpu += cpu_now() - p0;
        double ef = INFINITY;
        if (t[0] == NULL || t[1] == NULL) {
            probe_fail++; /* counted as a miss (mated) / no candidate (non-mated) */
        } else {
            mid_match_template *mt[2] = {NULL, NULL};
            for (unsigned q = 0; q < 2; q++) {
                if ((st = mid_match_prepare(b.ctx, t[q], &mt[q])) != MID_OK) {
                    die("prepare", b.ctx, st);
                }
            }
            mid_search_probe pr[2] = {{unknown ? 0 : 2, mt[0]}, {unknown ? 0 : 7, mt[1]}};
            mid_search_candidate c[CAP];
            size_t n = 0;
            double s0 = cpu_now();
            st = mid_search_run(g, b.ctx, m, pr, 2, NULL, NULL, c, CAP, &n);
            times[n_times++] = cpu_now() - s0;
            if (st != MID_OK) {
                die("search", b.ctx, st);
            }
            if (mated_search) {
                rank1 += n > 0 && c[0].person == person;
                for (size_t r = 0; r < n; r++) {
                    if (c[r].person == person) {
                        ef = c[r].expected_false;
                    }
                }
            } else if (n > 0) {
                ef = c[0].expected_false;
            }
            mid_match_template_free(mt[0]);
            mid_match_template_free(mt[1]);
        }
        mid_template_free(t[0]);
        mid_template_free(t[1]);
        if (mated_search) {
            ef_mated[k] = ef;
        } else {
            ef_top[k] = ef;
        }
    }

    size_t fn_red = 0, fn_amber = 0, fp_red = 0, fp_amber = 0;
    for (size_t k = 0; k < searches; k++) {
        fn_red += !(ef_mated[k] <= pol.red_fpir);
        fn_amber += !(ef_mated[k] <= pol.amber_fpir);
        fp_red += ef_top[k] <= pol.red_fpir;
        fp_amber += ef_top[k] <= pol.amber_fpir;
    }
    double dm = (double)searches;
    printf("searches: %zu mated + %zu non-mated, probes %s (fingers 2 and 7, positions %s), "
           "%zu probe pairs failed to extract; probe making %.0f ms CPU per pair\n",
           searches, searches,
           rendered_probes ? "rendered mobile-fap45 + extracted" : "direct templates",
           unknown ? "unknown" : "known", probe_fail, 1e3 * probe_cpu / (double)total);
    printf("policy: red_fpir %g, amber_fpir %g\n", pol.red_fpir, pol.amber_fpir);
    printf("rank-1 identification rate: %.1f %% (%zu/%zu)\n", 100.0 * (double)rank1 / dm, rank1,
           searches);
    printf("FNIR at Red: %.1f %% (%zu), at Red+Amber: %.1f %% (%zu)\n", 100.0 * (double)fn_red / dm,
           fn_red, 100.0 * (double)fn_amber / dm, fn_amber);
    printf("FPIR at Red: %.1f %% (%zu), at Amber or Red: %.1f %% (%zu)\n",
           100.0 * (double)fp_red / dm, fp_red, 100.0 * (double)fp_amber / dm, fp_amber);
    printf("search time per probe pair (thread CPU, 1 thread): median %.1f ms, p95 %.1f ms "
           "(%.2f us per person)\n",
           1e3 * quantile(times, n_times, 0.5), 1e3 * quantile(times, n_times, 0.95),
           1e6 * quantile(times, n_times, 0.5) / (double)people);

    printf("sweep: threshold  FNIR  FPIR (non-mated with a candidate at or below it)\n");
    static const double sweep[] = {1e-9, 1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0};
    for (size_t s = 0; s < sizeof sweep / sizeof sweep[0]; s++) {
        size_t fn = 0, fp = 0;
        for (size_t k = 0; k < searches; k++) {
            fn += !(ef_mated[k] <= sweep[s]);
            fp += ef_top[k] <= sweep[s];
        }
        printf("sweep: %-8g %5.1f %% %5.1f %%\n", sweep[s], 100.0 * (double)fn / dm,
               100.0 * (double)fp / dm);
    }
    double lowest_fp = quantile(ef_top, searches, 0.0), worst_m = quantile(ef_mated, searches, 1.0);
    printf("non-mated: lowest expected_false %.3g; mated: median %.3g, p90 %.3g, highest %.3g\n",
           lowest_fp, quantile(ef_mated, searches, 0.5), quantile(ef_mated, searches, 0.9),
           worst_m);

    free(ef_mated);
    free(ef_top);
    free(times);
    mid_search_gallery_free(g);
    mid_matcher_free(m);
    mid_extractor_free(b.ex);
    mid_synth_free(b.synth);
    mid_ctx_free(b.ctx);
    return 0;
}
