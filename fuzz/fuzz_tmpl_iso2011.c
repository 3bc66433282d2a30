// layer: template
/* Fuzzes the multi-view record decoder with format MID_TEMPLATE_ISO19794_2_2011
 * (ISO/IEC 19794-2:2011) and the conversions to every format; see fuzz_tmpl_record.h. */
#include "fuzz_tmpl_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fzr_run(data, size, MID_TEMPLATE_ISO19794_2_2011);
}
