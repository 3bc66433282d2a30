/* Stage 4: ridge period per block. */
#ifndef MID_EXT_FREQUENCY_H
#define MID_EXT_FREQUENCY_H

#include "extract/ext_enhance.h"
#include "extract/ext_work.h"

/* x-signature period estimate (Hong, Wan & Jain 1998) on the along-ridge
 * smoothed image (ext_smooth_along), sampled across the ridges, in every foreground
 * block, invalid blocks interpolated from their neighbours, then smoothed and
 * clamped to [EXT_PERIOD_MIN, EXT_PERIOD_MAX]. Fills period and per_q. */
void ext_frequency(ext_work *w, const ext_bank *b);

#endif
