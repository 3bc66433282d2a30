// layer: template
/* Fuzzes the multi-view record decoder with format MID_TEMPLATE_ANSI378_2009
 * (ANSI INCITS 378-2009) and the conversions to every format; see fuzz_tmpl_record.h. */
#include "fuzz_tmpl_record.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    return fzr_run(data, size, MID_TEMPLATE_ANSI378_2009);
}
