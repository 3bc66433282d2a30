// layer: image
/*
 * WSQ decoder fuzz target: decode; on success check the result, re-encode it at
 * the default bitrate and decode that again (our own output must always decode to
 * the same size). The image layer carries the WSQ layer and the public wrappers.
 */
#include "mid/image.h"
#include "mid/wsq.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_image *img = NULL;
    if (mid_wsq_decode(ctx, data, size, &img) == MID_OK) {
        uint32_t w = mid_image_width(img), h = mid_image_height(img);
        if (w == 0 || h == 0 || mid_image_cpixels(img) == NULL) {
            abort();
        }
        const uint8_t *px = mid_image_cpixels(img);
        unsigned sum = 0;
        for (size_t i = 0; i < (size_t)w * h; i++) {
            sum += px[i];
        }
        __asm__ __volatile__("" : : "r"(sum)); /* keep the reads */
        /* Keep re-encoding cheap: large declared images are decoded only. */
        if ((uint64_t)w * h <= 512u * 512u) {
            void *buf = NULL;
            size_t len = 0;
            if (mid_wsq_encode(ctx, img, MID_WSQ_DEFAULT_BITRATE, &buf, &len) != MID_OK) {
                abort();
            }
            mid_image *again = NULL;
            if (mid_image_decode(ctx, buf, len, NULL, &again) != MID_OK ||
                mid_image_width(again) != w || mid_image_height(again) != h) {
                abort();
            }
            mid_image_free(again);
            mid_free(buf);
        }
        mid_image_free(img);
    }
    mid_ctx_free(ctx);
    return 0;
}
