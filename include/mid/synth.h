/*
 * Synthetic fingerprints, templates and population: the project's own test data.
 *
 * Everything here is a pure function of a 64-bit seed and an identity: person
 * p's finger f has one master print, and impression k of it is reproducible on
 * any run of the same build. Different (seed, person, finger) never share a
 * master.
 *
 * Finger positions follow ISO/IEC 19794-2 and ANSI/NIST-ITL: 1 right thumb,
 * 2 right index, 3 right middle, 4 right ring, 5 right little, 6 left thumb,
 * 7 left index, ... 10 left little.
 *
 * Ownership: a mid_synth holds scratch memory and belongs to the caller until
 * mid_synth_free(); it is not thread-safe (one per thread). Masters, images and
 * templates it returns belong to the caller. Errors are reported in the ctx given
 * to mid_synth_create().
 */
#ifndef MID_SYNTH_H
#define MID_SYNTH_H

#include "mid/image.h"
#include "mid/template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_synth mid_synth;

mid_status mid_synth_create(mid_ctx *ctx, mid_synth **out);
void mid_synth_free(mid_synth *s);

/* Henry-style pattern classes. */
typedef enum mid_finger_class {
    MID_CLASS_ARCH = 0,
    MID_CLASS_TENTED_ARCH,
    MID_CLASS_LEFT_LOOP,
    MID_CLASS_RIGHT_LOOP,
    MID_CLASS_WHORL
} mid_finger_class;

/* "arch", "tented-arch", "left-loop", "right-loop", "whorl"; "?" otherwise. */
const char *mid_finger_class_name(mid_finger_class c);

/* ---- Master fingerprints ------------------------------------------------ */

typedef struct mid_synth_master mid_synth_master;

/* Creates the master print of (seed, person, finger 1..10). */
mid_status mid_synth_master_create(mid_synth *s, uint64_t seed, uint64_t person, unsigned finger,
                                   mid_synth_master **out);
void mid_synth_master_free(mid_synth_master *m);

/* The whole fingertip at 500 ppi, dark ridges on white. Owned by the master. */
const mid_image *mid_synth_master_image(const mid_synth_master *m);
/* Ground-truth minutiae taken from the master's own ridge skeleton, in the master
 * image's coordinates. Owned by the master. */
const mid_template *mid_synth_master_minutiae(const mid_synth_master *m);
mid_finger_class mid_synth_master_class(const mid_synth_master *m);

/* ---- Impressions -------------------------------------------------------- */

/* Scanner classes: capture area and optics. */
typedef enum mid_synth_profile {
    MID_PROFILE_OPTICAL = 0,  /* plain 500 ppi optical, about 390 x 370 px (the default) */
    MID_PROFILE_SMALL_SENSOR, /* small consumer capacitive sensor, about 0.5 x 0.5 in */
    MID_PROFILE_MOBILE_FAP45, /* one finger of a two-finger 1.6 x 1.5 in mobile platen */
    MID_PROFILE_COUNT
} mid_synth_profile;

/* Skin and capture conditions. */
typedef enum mid_synth_condition {
    MID_CONDITION_RANDOM = 0, /* drawn from the identity, in realistic proportions */
    MID_CONDITION_NORMAL,
    MID_CONDITION_DRY,        /* thin, broken ridges */
    MID_CONDITION_WET,        /* thick ridges, merged valleys */
    MID_CONDITION_DISTORTED,  /* strong non-linear elastic distortion */
    MID_CONDITION_SMALL_AREA, /* partial contact */
    MID_CONDITION_COUNT
} mid_synth_condition;

/* "optical", "small-sensor", "mobile-fap45"; "normal", "dry", ... Parse returns -1 if unknown. */
const char *mid_synth_profile_name(mid_synth_profile p);
int mid_synth_profile_parse(const char *name);
const char *mid_synth_condition_name(mid_synth_condition c);
int mid_synth_condition_parse(const char *name);

typedef struct mid_synth_impression_opts {
    mid_synth_profile profile;     /* MID_PROFILE_OPTICAL when zeroed */
    mid_synth_condition condition; /* MID_CONDITION_RANDOM when zeroed */
    uint32_t width, height;        /* capture window in pixels, 64..2048; 0: the profile's */
} mid_synth_impression_opts;

/* Renders impression k (1, 2, ...) of a master: placement, rotation, elastic
 * distortion, skin condition, creases, noise. *image is at 500 ppi; *truth holds
 * the master's minutiae under the same transform that fall inside the captured
 * area. opts may be NULL (defaults). Either output pointer may be NULL if unwanted. */
mid_status mid_synth_impression(mid_synth *s, const mid_synth_master *m, uint32_t impression,
                                const mid_synth_impression_opts *opts, mid_image **image,
                                mid_template **truth);

/* The condition impression k of the master is rendered in: `requested` itself, or
 * the one drawn from the identity when `requested` is MID_CONDITION_RANDOM. */
mid_synth_condition mid_synth_impression_condition(const mid_synth_master *m, uint32_t impression,
                                                   mid_synth_condition requested);

/* ---- Templates at scale ------------------------------------------------- */

/* The template of impression k of (seed, person, finger), generated directly from a
 * minutiae-level model of the master and the impression transform, without
 * rendering an image: fast enough for galleries of millions. */
mid_status mid_synth_template(mid_synth *s, uint64_t seed, uint64_t person, unsigned finger,
                              uint32_t impression, mid_template **out);

#ifdef __cplusplus
}
#endif
#endif
