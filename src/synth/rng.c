#include "synth/rng.h"

#include <math.h>

uint64_t synth_mix64(uint64_t x) {
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

void synth_rng_init(synth_rng *r, uint64_t seed, uint64_t person, uint64_t finger,
                    uint64_t impression, uint64_t stream) {
    uint64_t h = synth_mix64(seed);
    h = synth_mix64(h ^ person);
    h = synth_mix64(h ^ (finger << 32 ^ impression));
    h = synth_mix64(h ^ stream);
    for (int i = 0; i < 4; i++) {
        h = synth_mix64(h + (uint64_t)i);
        r->s[i] = h;
    }
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0) {
        r->s[0] = 1; /* the all-zero state is the one xoshiro cannot leave */
    }
}

static inline uint64_t rotl(uint64_t x, int k) {
    return (x << k) | (x >> (64 - k));
}

uint64_t synth_rng_next(synth_rng *r) {
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double synth_rng_uniform(synth_rng *r) {
    return (double)(synth_rng_next(r) >> 11) * 0x1.0p-53;
}

double synth_rng_range(synth_rng *r, double lo, double hi) {
    return lo + (hi - lo) * synth_rng_uniform(r);
}

uint32_t synth_rng_below(synth_rng *r, uint32_t n) {
    if (n == 0) {
        return 0;
    }
    /* Lemire's multiply-and-reject: unbiased without a division in the common case. */
    uint64_t m = (synth_rng_next(r) >> 32) * (uint64_t)n;
    uint32_t low = (uint32_t)m;
    if (low < n) {
        uint32_t threshold = (uint32_t)(-n) % n;
        while (low < threshold) {
            m = (synth_rng_next(r) >> 32) * (uint64_t)n;
            low = (uint32_t)m;
        }
    }
    return (uint32_t)(m >> 32);
}

double synth_rng_normal(synth_rng *r) {
    double u1 = synth_rng_uniform(r);
    double u2 = synth_rng_uniform(r);
    if (u1 < 1e-300) {
        u1 = 1e-300;
    }
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
