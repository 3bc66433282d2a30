/* Stage 3: orientation field and its reliability. */
#ifndef MID_EXT_ORIENTATION_H
#define MID_EXT_ORIENTATION_H

#include "extract/ext_work.h"

/* Least-squares orientation (Hong, Wan & Jain 1998): doubled-angle gradient
 * vectors over 3x3-block windows, Gaussian-smoothed over the foreground.
 * Fills vx, vy, grad_dir and ori_q. Needs ext_segment() first. */
void ext_orientation(ext_work *w);

/* Quantised index of a gradient direction in radians (any value). */
int ext_ori_index(float grad_dir);

#endif
