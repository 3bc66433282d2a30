// layer: image
/* Fuzzes the BMP decoder, format forced; see fuzz_img_common.h. */
#include "fuzz_img_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const mid_decode_opts opts = {.format = MID_IMAGE_BMP};
    return fz_img_run(data, size, &opts);
}
