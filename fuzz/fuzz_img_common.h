/*
 * Shared body of the image decoder fuzz targets. A decoded image is checked
 * against the limits, read in full, resampled and round-tripped through the PNG
 * encoder (a mismatch traps). A failed decode must leave no image and must say
 * why. Everything is freed on every path.
 */
#ifndef MID_FUZZ_IMG_COMMON_H
#define MID_FUZZ_IMG_COMMON_H

#include "mid/image.h"
#include "mid/limits.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void exercise(mid_ctx *ctx, mid_image *img) {
    const uint32_t w = mid_image_width(img), h = mid_image_height(img);
    if (w == 0 || h == 0 || w > MID_MAX_IMAGE_SIDE || h > MID_MAX_IMAGE_SIDE ||
        (uint64_t)w * h > MID_MAX_IMAGE_PIXELS) {
        __builtin_trap();
    }
    const uint8_t *p = mid_image_cpixels(img);
    unsigned sum = 0;
    for (size_t i = 0; i < (size_t)w * h; i++) {
        sum += p[i];
    }
    /* Keep the sum observable so the reads are not optimised away. */
    __asm__ __volatile__("" : : "r"(sum));
    if ((size_t)w * h > 1000000u) {
        return; /* keep executions fast */
    }
    mid_image_set_ppi(img, 569.0);
    mid_image *r = NULL;
    if (mid_image_resample(ctx, img, 500.0, &r) == MID_OK) {
        mid_image_free(r);
    }
    void *enc = NULL;
    size_t len = 0;
    if (mid_image_encode_png(ctx, img, &enc, &len) == MID_OK) {
        mid_image *back = NULL;
        if (mid_image_decode(ctx, enc, len, NULL, &back) != MID_OK || mid_image_width(back) != w ||
            mid_image_height(back) != h || memcmp(mid_image_cpixels(back), p, (size_t)w * h) != 0) {
            __builtin_trap();
        }
        mid_image_free(back);
        mid_free(enc);
    }
}

static int fz_img_run(const uint8_t *data, size_t size, const mid_decode_opts *opts) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_image *img = NULL;
    if (mid_image_decode(ctx, data, size, opts, &img) == MID_OK) {
        exercise(ctx, img);
    } else if (img != NULL || mid_ctx_error(ctx)[0] == '\0') {
        __builtin_trap(); /* failures leave no image and always say why */
    }
    mid_image_free(img);
    mid_ctx_free(ctx);
    return 0;
}

#endif
