// layer: template
/* Fuzzes the template decoder with format MID_TEMPLATE_NATIVE; see fuzz_tmpl_common.h. */
#include "fuzz_tmpl_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fz_run(data, size, MID_TEMPLATE_NATIVE);
}
