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
    /* Huge declared frames cost seconds each (the decoder must reconstruct them from
     * a few bytes of zero runs) and starve the search; the unit tests cover the size
     * limits. Skip frames over 256 kpixel. */
    for (size_t i = 0; i + 9 < size; i++) {
        if (data[i] == 0xFF && data[i + 1] == 0xA2) {
            uint32_t h = ((uint32_t)data[i + 6] << 8) | data[i + 7];
            uint32_t w = ((uint32_t)data[i + 8] << 8) | data[i + 9];
            if ((uint64_t)w * h > (1u << 18)) {
                return 0;
            }
        }
    }
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
        if ((uint64_t)w * h <= 256u * 256u) {
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
