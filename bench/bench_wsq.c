/*
 * WSQ encode/decode timing on one core (thread CPU time), to compare with the NBIS
 * cwsq/dwsq figures in ../shared/docs/reference-figures.md.
 * Usage: bench_wsq [image ...]   (default: a synthetic 300x300 print)
 * Prints, per image, size, bitrate, PSNR and the median encode/decode time.
 */
#include "mid/image.h"
#include "mid/wsq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

#define REPS 21

static int bench(mid_ctx *ctx, const char *name, const mid_image *img) {
    double te[REPS], td[REPS];
    void *buf = NULL;
    size_t len = 0;
    mid_image *back = NULL;
    for (int i = 0; i < REPS; i++) {
        mid_free(buf);
        mid_image_free(back);
        back = NULL;
        double t0 = now_ms();
        if (mid_wsq_encode(ctx, img, MID_WSQ_DEFAULT_BITRATE, &buf, &len) != MID_OK) {
            fprintf(stderr, "%s: %s\n", name, mid_ctx_error(ctx));
            return 1;
        }
        double t1 = now_ms();
        if (mid_wsq_decode(ctx, buf, len, &back) != MID_OK) {
            fprintf(stderr, "%s: %s\n", name, mid_ctx_error(ctx));
            return 1;
        }
        double t2 = now_ms();
        te[i] = t1 - t0;
        td[i] = t2 - t1;
    }
    qsort(te, REPS, sizeof(double), cmp);
    qsort(td, REPS, sizeof(double), cmp);
    uint32_t w = mid_image_width(img), h = mid_image_height(img);
    size_t n = (size_t)w * h;
    double se = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)mid_image_cpixels(img)[i] - mid_image_cpixels(back)[i];
        se += d * d;
    }
    printf("%s %ux%u: %.3f bpp (%.1f:1), PSNR %.2f dB, encode %.2f ms, decode %.2f ms\n", name,
           (unsigned)w, (unsigned)h, len * 8.0 / n, n / (double)len,
           10.0 * log10(255.0 * 255.0 * n / (se > 0 ? se : 1e-9)), te[REPS / 2], td[REPS / 2]);
    mid_free(buf);
    mid_image_free(back);
    return 0;
}

int main(int argc, char **argv) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 1;
    }
    int rc = 0;
    if (argc < 2) {
        mid_image *img = NULL;
        if (mid_image_create(ctx, 300, 300, 500.0, &img) != MID_OK) {
            return 1;
        }
        uint8_t *p = mid_image_pixels(img);
        for (uint32_t y = 0; y < 300; y++) {
            for (uint32_t x = 0; x < 300; x++) {
                double r = sqrt((x - 140.0) * (x - 140.0) + (y - 160.0) * (y - 160.0));
                p[y * 300 + x] = (uint8_t)(128.0 + 90.0 * sin(r * 0.7 + x * 0.05));
            }
        }
        rc = bench(ctx, "synthetic", img);
        mid_image_free(img);
    }
    for (int i = 1; i < argc; i++) {
        mid_image *img = NULL;
        if (mid_image_load(ctx, argv[i], NULL, &img) != MID_OK) {
            fprintf(stderr, "%s: %s\n", argv[i], mid_ctx_error(ctx));
            rc = 1;
            continue;
        }
        rc |= bench(ctx, argv[i], img);
        mid_image_free(img);
    }
    mid_ctx_free(ctx);
    return rc;
}
