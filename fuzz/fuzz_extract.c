// layer: extract
/* Fuzz target: the extractor on arbitrary small images. Bytes 0-1 pick the
 * size (64..319 and 48..303, so some are too small), byte 2 the resolution
 * (0: unknown, else 250..760 ppi) and byte 3 a mode (raw bytes, or bytes as a
 * low-frequency pattern that segments as foreground); the rest are the pixels,
 * repeated to fill the image. */
#include "mid/mid.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 5) {
        return 0;
    }
    uint32_t w = 64u + data[0], h = 48u + data[1];
    double ppi = data[2] == 0 ? 0.0 : 250.0 + 2.0 * data[2];
    int mode = data[3] & 1;
    const uint8_t *px = data + 4;
    size_t n = size - 4;
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_image *img = NULL;
    mid_extractor *ex = NULL;
    if (mid_image_create(ctx, w, h, ppi, &img) == MID_OK &&
        mid_extractor_create(ctx, &ex) == MID_OK) {
        uint8_t *p = mid_image_pixels(img);
        for (uint32_t y = 0; y < h; y++) {
            for (uint32_t x = 0; x < w; x++) {
                size_t i = (size_t)y * w + x;
                /* mode 1: each input byte becomes a 4x4 cell, a blocky "print" */
                p[i] = mode ? px[((size_t)(y / 4) * (w / 4 + 1) + x / 4) % n] : px[i % n];
            }
        }
        mid_template *t = NULL;
        mid_status st = mid_extract(ex, img, &t);
        if (st == MID_OK) {
            const mid_minutia *m = mid_template_minutiae(t);
            for (size_t k = 0; k < mid_template_count(t); k++) {
                if (m[k].x >= mid_template_width(t) || m[k].y >= mid_template_height(t)) {
                    abort();
                }
            }
        } else if (st != MID_ERR_NO_PRINT && st != MID_ERR_LIMIT) {
            abort();
        }
        /* A second run on the same extractor exercises the reuse path. */
        mid_template_free(t);
        t = NULL;
        (void)mid_extract(ex, img, &t);
        mid_template_free(t);
    }
    mid_extractor_free(ex);
    mid_image_free(img);
    mid_ctx_free(ctx);
    return 0;
}
