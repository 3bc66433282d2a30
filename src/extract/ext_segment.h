/* Stage 1-2: padded float image, block gradient moments, foreground segmentation. */
#ifndef MID_EXT_SEGMENT_H
#define MID_EXT_SEGMENT_H

#include "extract/ext_work.h"

/* Copies w->pix into the padded float image and accumulates the Sobel gradient
 * moments of every block (gxx, gyy, gxy). */
void ext_gradients(ext_work *w);

/* Block-wise foreground mask from gradient energy and coherence (Bazen & Gerez
 * 2002 style features) with an adaptive threshold, morphological clean-up, hole
 * filling and small-component removal; then the distance map. Also fills
 * energy and coh. Returns the number of foreground blocks. */
int ext_segment(ext_work *w);

#endif
