/* Placeholder until the BMP decoder lands. */
#include "image/image_internal.h"

mid_status img_decode_bmp(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    (void)data;
    (void)len;
    (void)out;
    return core_fail(ctx, MID_ERR_UNSUPPORTED, "BMP: decoder not available yet");
}
