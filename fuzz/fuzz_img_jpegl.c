// layer: image
/* Fuzzes the lossless JPEG (SOF3) decoder: format forced to JPEG, seeds are
 * lossless streams, so mutants that keep their SOF3 header reach jpegl.c; see
 * fuzz_img_common.h. */
#include "fuzz_img_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const mid_decode_opts opts = {.format = MID_IMAGE_JPEG};
    return fz_img_run(data, size, &opts);
}
