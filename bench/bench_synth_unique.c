/*
 * Uniqueness of synthetic masters (issue 3, item 3): renders the masters of N
 * distinct people (one finger each), extracts them with our extractor, and
 * compares every pair with our matcher. Scores are calibrated as
 * -10 log10(FMR), so among P impostor pairs about P * 1e-3 should score 30 or
 * more and P * 1e-4 score 40 or more if the masters are as unrelated as real
 * fingers of different people; a near-duplicate pair would score at genuine
 * level (60 and more). The same all-pairs test is run on the ground-truth
 * minutiae, and, as the genuine reference, each master's extracted template is
 * compared with its own ground truth.
 *
 * Control: the calibration was fitted on FVC impressions (about 300 x 300 px,
 * 30-50 minutiae), and chance agreement grows with the number of minutiae and
 * the overlap, so whole-fingertip masters are expected to exceed the predicted
 * tail even if perfectly unrelated. The control replaces each master's ground
 * truth by the same number of structureless minutiae (uniform positions inside
 * the master's fingertip, at least 10 px from its outline; uniform directions
 * and types) and runs the same all-pairs test: the masters' excess over the
 * control is what their shared structure (classes, flow) contributes.
 *
 * usage: bench_synth_unique [--n N] [--seed S] [--finger F] [--top K]
 *   --n N       people (default 1000); --seed S population seed (default 1)
 *   --finger F  finger position 1..10 (default 2, right index); 0 = person % 10 + 1
 *   --top K     lists the K highest-scoring impostor pairs (default 5)
 *   --impressions  also renders impressions 1 and 2 of every master (optical
 *              profile, random condition), extracts them, and reports the
 *              impostor tail of impression 1 over all pairs of people and the
 *              genuine scores (impression 1 vs 2): the regime the calibration
 *              was fitted in
 * Timings are thread CPU time (other load on the machine does not count).
 */
#include "mid/extract.h"
#include "mid/match.h"
#include "mid/synth.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

typedef struct pair_score {
    double score;
    uint32_t a, b;
} pair_score;

static int by_score_desc(const void *x, const void *y) {
    double a = ((const pair_score *)x)->score, b = ((const pair_score *)y)->score;
    return (a < b) - (a > b);
}

/* xorshift64*: the control's random numbers (any fixed generator will do). */
static uint64_t next_rand(uint64_t *x) {
    *x ^= *x >> 12;
    *x ^= *x << 25;
    *x ^= *x >> 27;
    return *x * 0x2545f4914f6cdd1dull;
}

/* Structureless template with count minutiae inside the master's fingertip. */
static mid_template *control_template(mid_ctx *ctx, const mid_image *img, size_t count,
                                      uint64_t *rng) {
    uint32_t w = mid_image_width(img), h = mid_image_height(img);
    const uint8_t *px = mid_image_cpixels(img);
    mid_template *t = NULL;
    if (mid_template_create(ctx, (uint16_t)w, (uint16_t)h, 500, &t) != MID_OK) {
        return NULL;
    }
    for (size_t k = 0; k < count;) {
        int x = (int)(next_rand(rng) % w), y = (int)(next_rand(rng) % h);
        int inside = x >= 10 && y >= 10 && x + 10 < (int)w && y + 10 < (int)h;
        /* The master is 255 exactly outside its outline. */
        for (int d = -10; inside && d <= 10; d += 5) {
            inside = px[(size_t)(y + d) * w + (size_t)x] != 255 &&
                     px[(size_t)y * w + (size_t)(x + d)] != 255;
        }
        if (!inside) {
            continue;
        }
        uint64_t r = next_rand(rng);
        mid_minutia m = {.x = (uint16_t)x,
                         .y = (uint16_t)y,
                         .angle = (uint8_t)(r & 255),
                         .type = (uint8_t)(1 + (r >> 8 & 1)),
                         .quality = 100};
        if (mid_template_add(ctx, t, &m) != MID_OK) {
            mid_template_free(t);
            return NULL;
        }
        k++;
    }
    return t;
}

/* The minutiae of t inside the CROP x CROP window centred on the image centre,
 * in the window's coordinates: an FVC-sized plain impression's worth. */
#define CROP 300
static mid_template *crop_template(mid_ctx *ctx, const mid_template *t) {
    int x0 = (int)mid_template_width(t) / 2 - CROP / 2;
    int y0 = (int)mid_template_height(t) / 2 - CROP / 2;
    mid_template *c = NULL;
    if (mid_template_create(ctx, CROP, CROP, 500, &c) != MID_OK) {
        return NULL;
    }
    const mid_minutia *m = mid_template_minutiae(t);
    for (size_t k = 0; k < mid_template_count(t); k++) {
        int x = m[k].x - x0, y = m[k].y - y0;
        if (x < 0 || y < 0 || x >= CROP || y >= CROP) {
            continue;
        }
        mid_minutia mm = m[k];
        mm.x = (uint16_t)x;
        mm.y = (uint16_t)y;
        if (mid_template_add(ctx, c, &mm) != MID_OK) {
            mid_template_free(c);
            return NULL;
        }
    }
    return c;
}

static int cmp_double(const void *x, const void *y) {
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

/* Score at the given upper quantile (0.001 = the 99.9th percentile) of n scores
 * sorted in decreasing order. */
static double upper_quantile(const pair_score *s, size_t n, double q) {
    size_t k = (size_t)(q * (double)n);
    return s[k < n ? k : n - 1].score;
}

static void report(const char *what, pair_score *s, size_t n, const unsigned *finger_of,
                   const uint64_t *person_of, const mid_finger_class *class_of, int top) {
    qsort(s, n, sizeof(*s), by_score_desc);
    size_t over30 = 0, over40 = 0, over60 = 0;
    double sum = 0;
    for (size_t k = 0; k < n; k++) {
        over30 += s[k].score >= 30;
        over40 += s[k].score >= 40;
        over60 += s[k].score >= 60;
        sum += s[k].score;
    }
    printf("%s: %zu impostor pairs, mean %.2f, max %.2f, 99th pct %.2f, 99.9th pct %.2f, "
           "99.99th pct %.2f\n",
           what, n, n ? sum / (double)n : 0.0, n ? s[0].score : 0.0, upper_quantile(s, n, 0.01),
           upper_quantile(s, n, 0.001), upper_quantile(s, n, 0.0001));
    printf("%s: >= 30 (FMR 1e-3): %zu (calibration predicts %.1f); >= 40 (FMR 1e-4): %zu "
           "(predicts %.1f); >= 60: %zu (predicts %.3f)\n",
           what, over30, (double)n * 1e-3, over40, (double)n * 1e-4, over60, (double)n * 1e-6);
    for (int k = 0; k < top && (size_t)k < n; k++) {
        printf("%s:   top %d: %.2f  person %" PRIu64 " finger %u (%s) vs person %" PRIu64
               " finger %u (%s)\n",
               what, k + 1, s[k].score, person_of[s[k].a], finger_of[s[k].a],
               mid_finger_class_name(class_of[s[k].a]), person_of[s[k].b], finger_of[s[k].b],
               mid_finger_class_name(class_of[s[k].b]));
    }
}

int main(int argc, char **argv) {
    size_t n = 1000;
    uint64_t seed = 1;
    unsigned finger_opt = 2;
    int top = 5, impressions = 0;
    for (int i = 1; i < argc; i++) {
        if (i + 1 < argc && strcmp(argv[i], "--n") == 0) {
            n = strtoull(argv[++i], NULL, 10);
        } else if (i + 1 < argc && strcmp(argv[i], "--seed") == 0) {
            seed = strtoull(argv[++i], NULL, 0);
        } else if (i + 1 < argc && strcmp(argv[i], "--finger") == 0) {
            finger_opt = (unsigned)strtoul(argv[++i], NULL, 10);
        } else if (strcmp(argv[i], "--impressions") == 0) {
            impressions = 1;
        } else if (i + 1 < argc && strcmp(argv[i], "--top") == 0) {
            top = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: bench_synth_unique [--n N] [--seed S] [--finger F] [--top K] "
                            "[--impressions]\n");
            return 2;
        }
    }
    if (n < 2 || n > 100000 || finger_opt > 10) {
        fprintf(stderr, "bench_synth_unique: need 2 <= N <= 100000 and finger 0..10\n");
        return 2;
    }
    mid_ctx *ctx = NULL;
    mid_synth *s = NULL;
    mid_extractor *ex = NULL;
    mid_matcher *mt = NULL;
    if (mid_ctx_create(&ctx) != MID_OK || mid_synth_create(ctx, &s) != MID_OK ||
        mid_extractor_create(ctx, &ex) != MID_OK || mid_matcher_create(ctx, &mt) != MID_OK) {
        fprintf(stderr, "bench_synth_unique: setup failed\n");
        return 1;
    }
    mid_match_template **ext = calloc(n, sizeof(*ext));
    mid_match_template **gt = calloc(n, sizeof(*gt));
    mid_match_template **ctl = calloc(n, sizeof(*ctl));
    mid_match_template **cex = calloc(n, sizeof(*cex)); /* cropped extracted */
    mid_match_template **cgt = calloc(n, sizeof(*cgt)); /* cropped ground truth */
    mid_match_template **im1 = calloc(n, sizeof(*im1)), **im2 = calloc(n, sizeof(*im2));
    double *gen = calloc(n, sizeof(*gen));
    uint64_t rng = 0x9e3779b97f4a7c15ull ^ seed;
    unsigned *finger_of = calloc(n, sizeof(*finger_of));
    uint64_t *person_of = calloc(n, sizeof(*person_of));
    mid_finger_class *class_of = calloc(n, sizeof(*class_of));
    double *self = calloc(n, sizeof(*self));
    size_t npairs = n * (n - 1) / 2;
    pair_score *imp_ext = malloc(npairs * sizeof(*imp_ext));
    pair_score *imp_gt = malloc(npairs * sizeof(*imp_gt));
    pair_score *imp_ctl = malloc(npairs * sizeof(*imp_ctl));
    pair_score *imp_cex = malloc(npairs * sizeof(*imp_cex));
    pair_score *imp_cgt = malloc(npairs * sizeof(*imp_cgt));
    pair_score *imp_im = impressions ? malloc(npairs * sizeof(*imp_im)) : NULL;
    if (!ext || !gt || !ctl || !imp_ctl || !cex || !cgt || !imp_cex || !imp_cgt || !im1 || !im2 ||
        !gen || (impressions && !imp_im) || !finger_of || !person_of || !class_of || !self ||
        !imp_ext || !imp_gt) {
        fprintf(stderr, "bench_synth_unique: out of memory\n");
        return 1;
    }
    unsigned classes[5] = {0};
    double t_master = 0, t_extract = 0, sum_gt = 0, sum_ext = 0, sum_crop = 0;
    size_t min_gt = (size_t)-1, max_gt = 0, failed = 0;
    for (size_t p = 0; p < n; p++) {
        unsigned finger = finger_opt ? finger_opt : (unsigned)(p % 10) + 1;
        finger_of[p] = finger;
        person_of[p] = p;
        double t0 = cpu_s();
        mid_synth_master *m = NULL;
        mid_status st = mid_synth_master_create(s, seed, p, finger, &m);
        double t1 = cpu_s();
        mid_template *t = NULL;
        if (st == MID_OK) {
            st = mid_extract(ex, mid_synth_master_image(m), &t);
        }
        double t2 = cpu_s();
        if (st == MID_OK) {
            st = mid_match_prepare(ctx, t, &ext[p]);
        }
        if (st == MID_OK) {
            st = mid_match_prepare(ctx, mid_synth_master_minutiae(m), &gt[p]);
        }
        if (st == MID_OK) {
            mid_template *c =
                control_template(ctx, mid_synth_master_image(m),
                                 mid_template_count(mid_synth_master_minutiae(m)), &rng);
            st = c != NULL ? mid_match_prepare(ctx, c, &ctl[p]) : MID_ERR_NOMEM;
            mid_template_free(c);
        }
        if (st == MID_OK) {
            mid_template *c1 = crop_template(ctx, t);
            mid_template *c2 = crop_template(ctx, mid_synth_master_minutiae(m));
            sum_crop += c2 != NULL ? (double)mid_template_count(c2) : 0.0;
            st = c1 != NULL ? mid_match_prepare(ctx, c1, &cex[p]) : MID_ERR_NOMEM;
            if (st == MID_OK) {
                st = c2 != NULL ? mid_match_prepare(ctx, c2, &cgt[p]) : MID_ERR_NOMEM;
            }
            mid_template_free(c1);
            mid_template_free(c2);
        }
        for (uint32_t k = 1; impressions && st == MID_OK && k <= 2; k++) {
            mid_image *ii = NULL;
            mid_template *it = NULL;
            st = mid_synth_impression(s, m, k, NULL, &ii, NULL);
            if (st == MID_OK) {
                st = mid_extract(ex, ii, &it);
            }
            if (st == MID_OK) {
                st = mid_match_prepare(ctx, it, k == 1 ? &im1[p] : &im2[p]);
            }
            mid_template_free(it);
            mid_image_free(ii);
        }
        if (impressions && st == MID_OK) {
            gen[p] = mid_matcher_compare(mt, im1[p], im2[p]);
        }
        if (st != MID_OK) {
            fprintf(stderr, "bench_synth_unique: person %zu: %s\n", p, mid_ctx_error(ctx));
            failed++;
        } else {
            size_t c = mid_template_count(mid_synth_master_minutiae(m));
            classes[mid_synth_master_class(m)]++;
            class_of[p] = mid_synth_master_class(m);
            sum_gt += (double)c;
            sum_ext += (double)mid_template_count(t);
            min_gt = c < min_gt ? c : min_gt;
            max_gt = c > max_gt ? c : max_gt;
            self[p] = mid_matcher_compare(mt, ext[p], gt[p]);
        }
        t_master += t1 - t0;
        t_extract += t2 - t1;
        mid_template_free(t);
        mid_synth_master_free(m);
    }
    size_t ok = n - failed;
    printf("masters: %zu people, seed %" PRIu64 ", finger %s%u, %zu failed\n", n, seed,
           finger_opt ? "" : "cycling from ", finger_opt ? finger_opt : 1, failed);
    printf("classes: arch %u, tented-arch %u, left-loop %u, right-loop %u, whorl %u\n", classes[0],
           classes[1], classes[2], classes[3], classes[4]);
    printf("minutiae: ground truth mean %.1f (min %zu, max %zu); extracted mean %.1f\n",
           ok ? sum_gt / (double)ok : 0.0, min_gt, max_gt, ok ? sum_ext / (double)ok : 0.0);
    printf("minutiae in the central %dx%d window (ground truth): mean %.1f\n", CROP, CROP,
           ok ? sum_crop / (double)ok : 0.0);
    printf("time (thread CPU): master %.1f ms, extraction %.1f ms per finger\n",
           1e3 * t_master / (double)n, 1e3 * t_extract / (double)n);

    size_t k = 0;
    double t0 = cpu_s();
    for (size_t a = 0; a < n; a++) {
        for (size_t b = a + 1; b < n; b++) {
            double se = (ext[a] && ext[b]) ? mid_matcher_compare(mt, ext[a], ext[b]) : 0.0;
            double sg = (gt[a] && gt[b]) ? mid_matcher_compare(mt, gt[a], gt[b]) : 0.0;
            imp_ext[k] = (pair_score){se, (uint32_t)a, (uint32_t)b};
            double sc = (ctl[a] && ctl[b]) ? mid_matcher_compare(mt, ctl[a], ctl[b]) : 0.0;
            imp_gt[k] = (pair_score){sg, (uint32_t)a, (uint32_t)b};
            imp_ctl[k] = (pair_score){sc, (uint32_t)a, (uint32_t)b};
            double ce = (cex[a] && cex[b]) ? mid_matcher_compare(mt, cex[a], cex[b]) : 0.0;
            double cg = (cgt[a] && cgt[b]) ? mid_matcher_compare(mt, cgt[a], cgt[b]) : 0.0;
            imp_cex[k] = (pair_score){ce, (uint32_t)a, (uint32_t)b};
            imp_cgt[k] = (pair_score){cg, (uint32_t)a, (uint32_t)b};
            if (impressions) {
                double si = (im1[a] && im1[b]) ? mid_matcher_compare(mt, im1[a], im1[b]) : 0.0;
                imp_im[k] = (pair_score){si, (uint32_t)a, (uint32_t)b};
            }
            k++;
        }
    }
    double t1 = cpu_s();
    printf("comparisons: %zu in %.1f s (%.0f per s)\n", 5 * k, t1 - t0,
           t1 > t0 ? 5.0 * (double)k / (t1 - t0) : 0.0);
    report("extracted", imp_ext, k, finger_of, person_of, class_of, top);
    report("ground-truth", imp_gt, k, finger_of, person_of, class_of, top);
    report("control", imp_ctl, k, finger_of, person_of, class_of, 0);
    report("extracted-300", imp_cex, k, finger_of, person_of, class_of, top);
    report("ground-truth-300", imp_cgt, k, finger_of, person_of, class_of, top);
    if (impressions) {
        report("impression-1", imp_im, k, finger_of, person_of, class_of, top);
        qsort(gen, n, sizeof(double), cmp_double);
        size_t g30 = 0, g60 = 0;
        for (size_t p = 0; p < n; p++) {
            g30 += gen[p] >= 30;
            g60 += gen[p] >= 60;
        }
        printf("genuine (impression 1 vs 2 of the same master): min %.2f, 10th pct %.2f, median "
               "%.2f; >= 30: %.1f %%, >= 60: %.1f %%\n",
               gen[0], gen[n / 10], gen[n / 2], 100.0 * (double)g30 / (double)n,
               100.0 * (double)g60 / (double)n);
    }

    /* Genuine-level reference: extracted master vs its own ground truth. */
    qsort(self, n, sizeof(double), cmp_double);
    printf("genuine reference (extracted vs own ground truth): min %.2f, 1st pct %.2f, median "
           "%.2f\n",
           self[0], self[n / 100], self[n / 2]);

    for (size_t p = 0; p < n; p++) {
        mid_match_template_free(ext[p]);
        mid_match_template_free(gt[p]);
        mid_match_template_free(ctl[p]);
        mid_match_template_free(cex[p]);
        mid_match_template_free(cgt[p]);
        mid_match_template_free(im1[p]);
        mid_match_template_free(im2[p]);
    }
    free(im1);
    free(im2);
    free(gen);
    free(imp_im);
    free(cex);
    free(cgt);
    free(imp_cex);
    free(imp_cgt);
    free(ctl);
    free(imp_ctl);
    free(ext);
    free(gt);
    free(finger_of);
    free(person_of);
    free(class_of);
    free(self);
    free(imp_ext);
    free(imp_gt);
    mid_matcher_free(mt);
    mid_extractor_free(ex);
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return failed ? 1 : 0;
}
