/*
 * The appearance of each scanner class (the names are in synth.c).
 *
 * Window sizes (pixels at 500 ppi):
 *   optical       388 x 374: FVC2002 DB1 (Identix TouchView II), a plain optical
 *                 single-finger scanner: white platen, dark ridges, pale valleys.
 *   small-sensor  256 x 256: 0.512 in square consumer capacitive sensor: grey
 *                 background, lower contrast, more noise, column read-out stripes.
 *   mobile-fap45  400 x 750: one finger's half of a two-finger 1.6 x 1.5 in
 *                 (800 x 750 px) FAP 45 mobile platen: 0.8 x 1.5 in, so the whole
 *                 fingertip fits and the lower window shows the empty platen.
 */
#include "synth/impression.h"

static const synth_profile_desc profiles[MID_PROFILE_COUNT] = {
    [MID_PROFILE_OPTICAL] = {"optical", 388, 374, 250.0f, 3.0f, 242.0f, 14.0f, 3.5f, 0.0f, 0.8f},
    [MID_PROFILE_SMALL_SENSOR] = {"small-sensor", 256, 256, 150.0f, 8.0f, 125.0f, 45.0f, 8.0f, 4.0f,
                                  0.9f},
    [MID_PROFILE_MOBILE_FAP45] = {"mobile-fap45", 400, 750, 244.0f, 6.0f, 232.0f, 32.0f, 5.0f, 0.0f,
                                  0.9f},
};

const synth_profile_desc *synth_profile_get(mid_synth_profile p) {
    if ((unsigned)p >= MID_PROFILE_COUNT) {
        return NULL;
    }
    return &profiles[p];
}
