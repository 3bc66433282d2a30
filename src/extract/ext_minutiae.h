/* Stage 6-7: minutia detection on the skeleton, then false-minutia filtering. */
#ifndef MID_EXT_MINUTIAE_H
#define MID_EXT_MINUTIAE_H

#include "extract/ext_work.h"

/* Finds endings (crossing number 1) and bifurcations (3) on the skeleton in
 * w->ridge, traces their branches to get the direction, and marks spurs,
 * short islands and bridges found by the trace as dead. */
void ext_detect(ext_work *w);

/* Removes minutiae near the mask border, in unreliable blocks, broken-ridge
 * pairs and clusters; computes the quality. Compacts w->min to survivors
 * sorted by decreasing quality. */
void ext_filter(ext_work *w);

#endif
