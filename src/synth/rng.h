/*
 * Deterministic random numbers for the synthetic generators.
 *
 * xoshiro256** (Blackman & Vigna, 2018) seeded through SplitMix64 from an
 * identity tuple, so that every (seed, person, finger, impression, stream) has
 * its own independent sequence and nothing depends on call order elsewhere.
 * Use a distinct `stream` constant for each independent purpose (orientation,
 * ridge seeds, distortion, noise, ...), so that changing one stage does not
 * shift the random numbers of another.
 */
#ifndef MID_SYNTH_RNG_H
#define MID_SYNTH_RNG_H

#include <stdint.h>

typedef struct synth_rng {
    uint64_t s[4];
} synth_rng;

/* Seeds r from the identity tuple. */
void synth_rng_init(synth_rng *r, uint64_t seed, uint64_t person, uint64_t finger,
                    uint64_t impression, uint64_t stream);

uint64_t synth_rng_next(synth_rng *r);

/* Uniform in [0, 1), 53 bits. */
double synth_rng_uniform(synth_rng *r);

/* Uniform in [lo, hi). */
double synth_rng_range(synth_rng *r, double lo, double hi);

/* Uniform integer in [0, n), unbiased; 0 when n is 0. */
uint32_t synth_rng_below(synth_rng *r, uint32_t n);

/* Standard normal (Box-Muller; no state kept between calls). */
double synth_rng_normal(synth_rng *r);

/* A 64-bit mix of a value (SplitMix64 finaliser): for hashing identities. */
uint64_t synth_mix64(uint64_t x);

#endif
