/* Stage 5b: thinning of the binary ridge map. */
#ifndef MID_EXT_THIN_H
#define MID_EXT_THIN_H

#include <stdint.h>

/* Thins a binary image (nonzero = ridge) of width x height to an 8-connected
 * skeleton one pixel wide, in place: Zhang & Suen parallel thinning with
 * lookup tables, then removal of the remaining non-essential (simple, non-end)
 * pixels so that every skeleton pixel has a crossing number of 1, 2, 3 or 4.
 * The outermost frame of the image is cleared first. scratch holds width*height
 * entries. Output values are 0 or 1. */
void ext_thin(uint8_t *img, int width, int height, int32_t *scratch);

/* Crossing number (Rutovitz) of the pixel at index i of a 0/1 image with the
 * given row stride: half the number of 0/1 transitions around its 8 neighbours.
 * The pixel must not lie on the image frame. */
int ext_crossing_number(const uint8_t *img, int stride, int i);

#endif
