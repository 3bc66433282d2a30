// layer: image
/* Fuzzes the JPEG 2000 decoder (JP2 files and J2K codestreams, format forced);
 * see fuzz_img_common.h for the shared checks. A decoded image of up to 64
 * kpixel is also re-encoded losslessly as JP2 and must decode to the same
 * pixels and resolution. */
#include "fuzz_img_common.h"

static const mid_decode_opts JP2_OPTS = {.format = MID_IMAGE_JP2};

static void jp2_round_trip(const uint8_t *data, size_t size) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return;
    }
    mid_image *img = NULL;
    if (mid_image_decode(ctx, data, size, &JP2_OPTS, &img) == MID_OK &&
        (size_t)mid_image_width(img) * mid_image_height(img) <= 65536u) {
        uint32_t w = mid_image_width(img), h = mid_image_height(img);
        double ppi = mid_image_ppi(img);
        void *enc = NULL;
        size_t len = 0;
        if (mid_image_encode_jp2(ctx, img, 0.0, &enc, &len) != MID_OK) {
            __builtin_trap();
        }
        mid_image *back = NULL;
        if (mid_image_decode(ctx, enc, len, &JP2_OPTS, &back) != MID_OK ||
            mid_image_width(back) != w || mid_image_height(back) != h ||
            memcmp(mid_image_cpixels(back), mid_image_cpixels(img), (size_t)w * h) != 0 ||
            mid_image_ppi(back) - ppi > 0.5 || ppi - mid_image_ppi(back) > 0.5) {
            __builtin_trap();
        }
        mid_image_free(back);
        mid_free(enc);
    }
    mid_image_free(img);
    mid_ctx_free(ctx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    jp2_round_trip(data, size);
    return fz_img_run(data, size, &JP2_OPTS);
}
