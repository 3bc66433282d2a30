/* Internal entry points of the extractor (for mid_extract, tests and tools). */
#ifndef MID_EXT_EXTRACTOR_H
#define MID_EXT_EXTRACTOR_H

#include "extract/ext_work.h"
#include "mid/extract.h"

/* Runs the whole pipeline on w x h 8-bit grey pixels already at 500 ppi. On
 * success *work describes the result (minutiae sorted by quality, and every
 * intermediate field) until the next call on ex or ext_wipe(). Fails with
 * MID_ERR_LIMIT, MID_ERR_NOMEM or MID_ERR_NO_PRINT, detail in the ctx. */
mid_status ext_run(mid_extractor *ex, const uint8_t *pix, int w, int h, ext_work **work);

/* Wipes the scratch arena (biometric data). */
void ext_wipe(mid_extractor *ex);

#endif
