// layer: image
/*
 * Fuzzes auto-detection, with a headerless-raw fallback whose width and height
 * come from the first four bytes (two little-endian 16-bit values); see
 * fuzz_img_common.h.
 */
#include "fuzz_img_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mid_decode_opts opts = {.format = MID_IMAGE_AUTO};
    if (size >= 4) {
        opts.raw_width = (uint32_t)data[0] | ((uint32_t)data[1] << 8);
        opts.raw_height = (uint32_t)data[2] | ((uint32_t)data[3] << 8);
        data += 4;
        size -= 4;
    }
    return fz_img_run(data, size, &opts);
}
