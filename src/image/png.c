/* Placeholder until the PNG decoder lands. */
#include "image/image_internal.h"

mid_status img_decode_png(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    (void)data;
    (void)len;
    (void)out;
    return core_fail(ctx, MID_ERR_UNSUPPORTED, "PNG: decoder not available yet");
}

mid_status mid_image_encode_png(mid_ctx *ctx, const mid_image *img, void **out, size_t *len) {
    (void)img;
    (void)out;
    (void)len;
    return core_fail(ctx, MID_ERR_UNSUPPORTED, "PNG: encoder not available yet");
}

mid_status mid_image_save_png(mid_ctx *ctx, const mid_image *img, const char *path) {
    (void)img;
    (void)path;
    return core_fail(ctx, MID_ERR_UNSUPPORTED, "PNG: encoder not available yet");
}
