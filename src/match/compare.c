/*
 * 1:1 comparison of prepared templates.
 *
 * 1. Local similarity of every minutia pair (i in A, j in B) from their bit
 *    cylinders (MCC, Cappelli et al. 2010, eq. 17 restricted to the cells valid
 *    in both cylinders): 1 - sqrt|a^b| / (sqrt|a| + sqrt|b|). Three kernels
 *    (portable, POPCNT, AVX-512 VPOPCNTDQ), chosen at run time, give
 *    bit-identical results.
 * 2. The N_SEEDS most similar pairs (local similarity sort) are candidate
 *    alignments (rotation from the two directions, translation from the two
 *    positions). Each is scored by the similarities of the other candidates
 *    it brings into agreement; the N_EVAL best supported, distinct ones go on.
 * 3. Global consolidation per alignment: minutiae of A, moved by it, are
 *    paired one-to-one and greedily (cheapest first) with those of B within a
 *    distance tolerance that grows with the distance from the seed (to absorb
 *    non-linear skin distortion) and a direction tolerance. The pairing with
 *    the best raw score is refined once with a least-squares rigid fit.
 * 4. Raw score (score_pairing): pairs weighted by their local similarity,
 *    relative to the minutiae of each print in the region both cover; then
 *    the calibration of calibrate.c. Minutia type only adds a small bonus
 *    (endings and bifurcations swap under pressure).
 *
 * The comparison is made symmetric by always processing the two templates in a
 * canonical order (fewer minutiae first, then content hash), so compare(a, b)
 * and compare(b, a) run exactly the same computation. It allocates nothing:
 * all scratch lives in the mid_matcher (about 0.8 MB).
 */
#include "match/match_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_X86_KERNELS 1
#include <immintrin.h>
#endif

#define N_MAX MID_MAX_MINUTIAE
#define MIN_COMMON_CELLS 26    /* MCC min_ME: comparable cylinders share half of the 52 cells */
#define N_SEEDS 24             /* best local similarities kept as candidate alignment seeds */
#define SIM_BINS 256           /* histogram bins of local similarity for the seed threshold */
#define N_EVAL 4               /* distinct seeds, by support, that get a full pairing */
#define SUPPORT_DIST 20.0f     /* a pair supports a seed when the seed's transform maps */
#define SUPPORT_COS 0.8660254f /* it within this distance and 30 degrees */
#define SEED_SAME_ANGLE 0.15f  /* seeds closer than this in rotation (radians) */
#define SEED_SAME_DIST 12.0f   /* and in translation (pixels) are duplicates */
#define PAIR_D0 7.0f           /* pairing distance tolerance at the seed, pixels */
#define PAIR_D1 0.07f          /* ... growing by this much per pixel from the seed */
#define PAIR_DMAX 30.0f        /* ... up to this */
#define PAIR_ANGLE 0.4363f     /* pairing direction tolerance, radians (25 degrees) */
#define RAW_PAIR_WEIGHT 0.3    /* weight of a pair in the raw score beside its local similarity */
#define RAW_TYPE_BONUS 0.1     /* extra weight of a pair whose minutia types agree */
#define RAW_OVERLAP_PRIOR 12.0 /* added to the overlap counts */
#define TWO_PI 6.28318530717958647692f

typedef struct seed {
    float sim;
    uint16_t i, j;
} seed;

typedef struct cand {
    float cost;
    uint16_t i, j;
} cand;

typedef void (*lss_fn)(mid_matcher *m, const mid_match_template *a, const mid_match_template *b);

struct mid_matcher {
    lss_fn lss;
    match_kernel kernel;
    size_t n_sims; /* entries of sim filled by the last comparison */
    float sqrt_tab[MATCH_ND * 64 + 1];
    float sim[N_MAX * N_MAX]; /* local similarities, row i of A, column j of B */
    seed seeds[N_SEEDS];
    int n_seeds;
    cand cands[N_MAX * N_MAX];
    int16_t pair_of_a[N_MAX], pair_of_b[N_MAX];
    int16_t best_a[N_MAX];
    float ax[N_MAX], ay[N_MAX]; /* A moved into B's frame */
    float tried[N_EVAL][3];     /* evaluated alignments: rotation, image of A's centroid */
    float support[N_SEEDS];
    uint32_t hist[SIM_BINS];
    int order[N_SEEDS];
};

static void seed_insert(mid_matcher *m, float s, int i, int j) {
    int k = m->n_seeds;
    if (k == N_SEEDS) {
        if (s <= m->seeds[N_SEEDS - 1].sim) {
            return;
        }
        k = N_SEEDS - 1;
    } else {
        m->n_seeds++;
    }
    while (k > 0 && m->seeds[k - 1].sim < s) {
        m->seeds[k] = m->seeds[k - 1];
        k--;
    }
    m->seeds[k].sim = s;
    m->seeds[k].i = (uint16_t)i;
    m->seeds[k].j = (uint16_t)j;
}

/* The local-similarity kernel; instantiated with and without the popcount
 * instruction (chosen at runtime in mid_matcher_create). */
static inline __attribute__((always_inline)) void
lss_body(mid_matcher *m, const mid_match_template *a, const mid_match_template *b) {
    const uint32_t na = a->n, nb = b->n;
    memset(m->hist, 0, sizeof(m->hist));
    for (uint32_t i = 0; i < na; i++) {
        float *row = &m->sim[i * nb];
        if (!a->pts[i].cyl_ok) {
            memset(row, 0, nb * sizeof(float));
            m->hist[0] += nb;
            continue;
        }
        const uint64_t *ca = &a->cyl[i * MATCH_CYL_WORDS];
        const int a_full = a->pts[i].cyl_full;
        const float sa = m->sqrt_tab[a->pts[i].cyl_pop];
        for (uint32_t j = 0; j < nb; j++) {
            const match_point *pj = &b->pts[j];
            const uint64_t *cb = &b->cyl[j * MATCH_CYL_WORDS];
            float s = 0.0f;
            if (a_full && pj->cyl_full) {
                /* Both cylinders entirely valid: norms are precomputed. */
                int px = 0;
                for (int l = 1; l <= MATCH_ND; l++) {
                    px += __builtin_popcountll(ca[l] ^ cb[l]);
                }
                float den = sa + m->sqrt_tab[pj->cyl_pop];
                s = den > 0.0f ? 1.0f - m->sqrt_tab[px] / den : 0.0f;
            } else {
                uint64_t v = ca[0] & cb[0];
                if (pj->cyl_ok && __builtin_popcountll(v) >= MIN_COMMON_CELLS) {
                    /* Restricted to the cells valid in both (bits are only
                     * ever set in valid cells). */
                    int pa = 0, pb = 0, px = 0;
                    for (int l = 1; l <= MATCH_ND; l++) {
                        uint64_t x = ca[l] & v, y = cb[l] & v;
                        px += __builtin_popcountll(x ^ y);
                        pa += __builtin_popcountll(x);
                        pb += __builtin_popcountll(y);
                    }
                    float den = m->sqrt_tab[pa] + m->sqrt_tab[pb];
                    s = den > 0.0f ? 1.0f - m->sqrt_tab[px] / den : 0.0f;
                }
            }
            row[j] = s;
            m->hist[(int)(s * (float)(SIM_BINS - 1))]++;
        }
    }
}

/* Local similarity sort: the N_SEEDS most similar pairs, best first. A
 * histogram of the similarities (filled by the kernel) gives the threshold, so
 * only the few pairs above it go through the sorted insertion. */
static void select_seeds(mid_matcher *m, uint32_t na, uint32_t nb) {
    m->n_seeds = 0;
    uint32_t above = 0;
    int bin = SIM_BINS - 1;
    while (bin > 1 && above + m->hist[bin] < N_SEEDS) {
        above += m->hist[bin];
        bin--;
    }
    size_t total = (size_t)na * nb;
    for (size_t k = 0; k < total; k++) {
        float s = m->sim[k];
        if (s > 0.0f && (int)(s * (float)(SIM_BINS - 1)) >= bin) {
            seed_insert(m, s, (int)(k / nb), (int)(k % nb));
        }
    }
}

static void lss_generic(mid_matcher *m, const mid_match_template *a, const mid_match_template *b) {
    lss_body(m, a, b);
}

#ifdef HAVE_X86_KERNELS
__attribute__((target("popcnt"))) static void
lss_popcnt(mid_matcher *m, const mid_match_template *a, const mid_match_template *b) {
    lss_body(m, a, b);
}

/* The same computation for 8 minutiae of B at once (word-major layout of
 * prepare.c). The float arithmetic is the scalar one, lane by lane (IEEE
 * sqrt and division are exact-rounded), so the results are bit-identical. */
__attribute__((target("avx512f,avx512vpopcntdq"))) static void
lss_avx512(mid_matcher *m, const mid_match_template *a, const mid_match_template *b) {
    const uint32_t na = a->n, nb = b->n, npad = b->npad;
    const __m512i min_common = _mm512_set1_epi64(MIN_COMMON_CELLS);
    const __m512 zero = _mm512_setzero_ps(), one = _mm512_set1_ps(1.0f);
    float out[16];
    memset(m->hist, 0, sizeof(m->hist));
    for (uint32_t i = 0; i < na; i++) {
        float *row = &m->sim[i * nb];
        if (!a->pts[i].cyl_ok) {
            memset(row, 0, nb * sizeof(float));
            m->hist[0] += nb;
            continue;
        }
        const uint64_t *ca = &a->cyl[i * MATCH_CYL_WORDS];
        const __m512i a0 = _mm512_set1_epi64((long long)ca[0]);
        for (uint32_t j = 0; j < nb; j += 8) {
            __m512i v = _mm512_and_si512(a0, _mm512_loadu_si512(&b->cyl_soa[j]));
            __mmask8 ok = (__mmask8)(b->ok_bits[j / 8] &
                                     _mm512_cmpge_epi64_mask(_mm512_popcnt_epi64(v), min_common));
            __m512i pa = _mm512_setzero_si512(), pb = pa, px = pa;
            for (uint32_t l = 1; l <= MATCH_ND; l++) {
                __m512i x = _mm512_and_si512(_mm512_set1_epi64((long long)ca[l]), v);
                __m512i y =
                    _mm512_and_si512(_mm512_loadu_si512(&b->cyl_soa[(size_t)l * npad + j]), v);
                px = _mm512_add_epi64(px, _mm512_popcnt_epi64(_mm512_xor_si512(x, y)));
                pa = _mm512_add_epi64(pa, _mm512_popcnt_epi64(x));
                pb = _mm512_add_epi64(pb, _mm512_popcnt_epi64(y));
            }
            __m512 fa = _mm512_sqrt_ps(
                _mm512_cvtepi32_ps(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(pa))));
            __m512 fb = _mm512_sqrt_ps(
                _mm512_cvtepi32_ps(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(pb))));
            __m512 fx = _mm512_sqrt_ps(
                _mm512_cvtepi32_ps(_mm512_castsi256_si512(_mm512_cvtepi64_epi32(px))));
            __m512 den = _mm512_add_ps(fa, fb);
            __mmask16 keep = (__mmask16)(ok & _mm512_cmp_ps_mask(den, zero, _CMP_GT_OQ));
            /* lanes with den <= 0 divide by a safe 1 and are then zeroed */
            __m512 sden = _mm512_mask_blend_ps(keep, one, den);
            __m512 sim = _mm512_maskz_sub_ps(keep, one, _mm512_div_ps(fx, sden));
            _mm512_storeu_ps(out, sim);
            uint32_t cnt = nb - j < 8 ? nb - j : 8;
            for (uint32_t k = 0; k < cnt; k++) {
                row[j + k] = out[k];
                m->hist[(int)(out[k] * (float)(SIM_BINS - 1))]++;
            }
        }
    }
}
#endif

int match_matcher_set_kernel(mid_matcher *m, match_kernel k) {
    switch (k) {
    case MATCH_KERNEL_GENERIC:
        m->lss = lss_generic;
        m->kernel = k;
        return 0;
#ifdef HAVE_X86_KERNELS
    case MATCH_KERNEL_POPCNT:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("popcnt")) {
            return -1;
        }
        m->lss = lss_popcnt;
        m->kernel = k;
        return 0;
    case MATCH_KERNEL_AVX512:
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f") || !__builtin_cpu_supports("avx512vpopcntdq")) {
            return -1;
        }
        m->lss = lss_avx512;
        m->kernel = k;
        return 0;
#endif
    default:
        return -1;
    }
}

match_kernel match_matcher_kernel(const mid_matcher *m) {
    return m->kernel;
}

size_t match_matcher_last_sims(const mid_matcher *m, const float **sims) {
    *sims = m->sim;
    return m->n_sims;
}

mid_status mid_matcher_create(mid_ctx *ctx, mid_matcher **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "mid_matcher_create: out is NULL");
    }
    mid_matcher *m = core_calloc(1, sizeof(*m));
    if (m == NULL) {
        *out = NULL;
        return core_fail(ctx, MID_ERR_NOMEM, "mid_matcher_create: out of memory");
    }
    for (size_t i = 0; i < sizeof(m->sqrt_tab) / sizeof(m->sqrt_tab[0]); i++) {
        m->sqrt_tab[i] = sqrtf((float)i);
    }
    if (match_matcher_set_kernel(m, MATCH_KERNEL_AVX512) != 0 &&
        match_matcher_set_kernel(m, MATCH_KERNEL_POPCNT) != 0) {
        match_matcher_set_kernel(m, MATCH_KERNEL_GENERIC);
    }
    *out = m;
    return MID_OK;
}

void mid_matcher_free(mid_matcher *m) {
    free(m);
}

/* Strict order on candidates: cost, then indices (a total order keeps the
 * pairing deterministic). */
static int cand_less(const cand *a, const cand *b) {
    if (a->cost != b->cost) {
        return a->cost < b->cost;
    }
    if (a->i != b->i) {
        return a->i < b->i;
    }
    return a->j < b->j;
}

static int cmp_cand(const void *pa, const void *pb) {
    const cand *a = pa, *b = pb;
    return cand_less(a, b) ? -1 : (cand_less(b, a) ? 1 : 0);
}

/* Insertion sort for the usual handful of candidates; qsort when there are
 * many (dense or degenerate templates), so the worst case stays n log n. */
static void sort_cands(cand *c, int n) {
    if (n > 48) {
        qsort(c, (size_t)n, sizeof(cand), cmp_cand);
        return;
    }
    for (int i = 1; i < n; i++) {
        cand x = c[i];
        int j = i;
        while (j > 0 && cand_less(&x, &c[j - 1])) {
            c[j] = c[j - 1];
            j--;
        }
        c[j] = x;
    }
}

/* Moves A by rotation phi and translation (tx, ty) into B's frame, then pairs
 * greedily. Tolerances grow with the distance from (cx, cy) in A's frame.
 * Returns the number of pairs; pair_of_a / pair_of_b hold them. */
static int pair_under(mid_matcher *m, const mid_match_template *a, const mid_match_template *b,
                      float phi, float tx, float ty, float cx, float cy) {
    const uint32_t na = a->n, nb = b->n;
    const float cos_tol = cosf(PAIR_ANGLE), inv_cos_span = 1.0f / (1.0f - cosf(PAIR_ANGLE));
    float c = cosf(phi), s = sinf(phi);
    int nc = 0;
    for (uint32_t i = 0; i < na; i++) {
        const match_point *p = &a->pts[i];
        float qx = c * p->x - s * p->y + tx, qy = s * p->x + c * p->y + ty;
        float ux = c * p->dx - s * p->dy, uy = s * p->dx + c * p->dy;
        m->ax[i] = qx;
        m->ay[i] = qy;
        float rx = p->x - cx, ry = p->y - cy;
        float tol = PAIR_D0 + PAIR_D1 * sqrtf(rx * rx + ry * ry);
        if (tol > PAIR_DMAX) {
            tol = PAIR_DMAX;
        }
        float tol2 = tol * tol, inv_tol = 1.0f / tol;
        float fx0 = (qx - tol - b->gx) / b->gcell, fx1 = (qx + tol - b->gx) / b->gcell;
        float fy0 = (qy - tol - b->gy) / b->gcell, fy1 = (qy + tol - b->gy) / b->gcell;
        if (fx1 < 0.0f || fy1 < 0.0f || fx0 >= (float)b->gw || fy0 >= (float)b->gh) {
            continue;
        }
        uint32_t x0 = fx0 <= 0.0f ? 0u : (uint32_t)fx0, y0 = fy0 <= 0.0f ? 0u : (uint32_t)fy0;
        uint32_t x1 = fx1 >= (float)(b->gw - 1) ? b->gw - 1 : (uint32_t)fx1;
        uint32_t y1 = fy1 >= (float)(b->gh - 1) ? b->gh - 1 : (uint32_t)fy1;
        for (uint32_t gy = y0; gy <= y1; gy++) {
            const uint16_t *st = &b->gstart[(size_t)gy * b->gw];
            for (uint32_t k = st[x0]; k < st[x1 + 1]; k++) {
                uint32_t j = b->gidx[k];
                const match_point *pb = &b->pts[j];
                float dx = pb->x - qx, dy = pb->y - qy;
                float d2 = dx * dx + dy * dy;
                float dot = ux * pb->dx + uy * pb->dy;
                if (d2 > tol2 || dot < cos_tol) {
                    continue;
                }
                m->cands[nc].cost = sqrtf(d2) * inv_tol + (1.0f - dot) * inv_cos_span;
                m->cands[nc].i = (uint16_t)i;
                m->cands[nc].j = (uint16_t)j;
                nc++;
            }
        }
    }
    sort_cands(m->cands, nc);
    for (uint32_t i = 0; i < na; i++) {
        m->pair_of_a[i] = -1;
    }
    for (uint32_t j = 0; j < nb; j++) {
        m->pair_of_b[j] = -1;
    }
    int k = 0;
    for (int q = 0; q < nc; q++) {
        const cand *cd = &m->cands[q];
        if (m->pair_of_a[cd->i] < 0 && m->pair_of_b[cd->j] < 0) {
            m->pair_of_a[cd->i] = (int16_t)cd->j;
            m->pair_of_b[cd->j] = (int16_t)cd->i;
            k++;
        }
    }
    return k;
}

static int mask_has(const mid_match_template *t, float x, float y) {
    if (t->mask == NULL) {
        return 0;
    }
    float fx = (x - t->ox) / t->cell, fy = (y - t->oy) / t->cell;
    if (!(fx >= 0.0f && fy >= 0.0f && fx < (float)t->mw && fy < (float)t->mh)) {
        return 0;
    }
    return t->mask[(size_t)fy * t->mw + (size_t)fx];
}

/* Scores the pairing in pair_of_a under the transform (phi, tx, ty) of A
 * into B. Raw score: the squared weight of the pairs (local similarity plus a
 * constant per pair) over the product of the overlap counts (minutiae of each
 * print inside the other's area), i.e. the product of the shares of each
 * print's overlapping minutiae that found a partner. The prior added to each
 * count keeps a handful of pairs in a tiny overlap from scoring like a full
 * match (small overlaps dominated the impostor tail). */
static void score_pairing(const mid_matcher *m, const mid_match_template *a,
                          const mid_match_template *b, float phi, float tx, float ty,
                          match_detail *d) {
    float c = cosf(phi), s = sinf(phi);
    int ova = 0, ovb = 0, paired = 0, same_type = 0;
    double simsum = 0.0;
    for (uint32_t i = 0; i < a->n; i++) {
        ova += mask_has(b, m->ax[i], m->ay[i]);
        int j = m->pair_of_a[i];
        if (j >= 0) {
            paired++;
            simsum += m->sim[i * b->n + (uint32_t)j];
            same_type += a->pts[i].type == b->pts[j].type;
        }
    }
    for (uint32_t j = 0; j < b->n; j++) {
        const match_point *p = &b->pts[j];
        float ux = p->x - tx, uy = p->y - ty;
        ovb += mask_has(a, c * ux + s * uy, -s * ux + c * uy);
    }
    double fa = (ova > paired ? ova : paired) + RAW_OVERLAP_PRIOR;
    double fb = (ovb > paired ? ovb : paired) + RAW_OVERLAP_PRIOR;
    double w = simsum + RAW_PAIR_WEIGHT * paired + RAW_TYPE_BONUS * same_type;
    memset(d, 0, sizeof(*d));
    d->paired = paired;
    d->overlap_a = ova;
    d->overlap_b = ovb;
    d->sim_sum = simsum;
    d->raw = w * w / (fa * fb);
}

double match_compare_raw(mid_matcher *m, const mid_match_template *a, const mid_match_template *b,
                         match_detail *d) {
    match_detail tmp;
    if (d == NULL) {
        d = &tmp;
    }
    memset(d, 0, sizeof(*d));
    if (m == NULL || a == NULL || b == NULL) {
        return 0.0;
    }
    m->n_sims = 0;
    if (a->n > b->n || (a->n == b->n && a->hash > b->hash)) {
        const mid_match_template *t = a;
        a = b;
        b = t;
    }
    if (a->n < 2 || b->n < 2) {
        return 0.0;
    }
    m->lss(m, a, b);
    m->n_sims = (size_t)a->n * b->n;
    select_seeds(m, a->n, b->n);
    if (m->n_seeds == 0) {
        return 0.0;
    }
    double lss = 0.0;
    for (int q = 0; q < m->n_seeds; q++) {
        lss += m->seeds[q].sim;
    }
    d->lss = lss / m->n_seeds;

    /* Consolidation: the alignment whose pairing scores best. */
    match_detail best = {0};
    float gx = 0.0f, gy = 0.0f;
    for (uint32_t i = 0; i < a->n; i++) {
        gx += a->pts[i].x;
        gy += a->pts[i].y;
    }
    gx /= (float)a->n;
    gy /= (float)a->n;
    /* Support of each seed: the local similarities of the other candidate
     * pairs that its transform brings into agreement (a one-step relaxation,
     * cf. Cappelli et al. 2010, section 4.2). Only the best supported seeds
     * get the full pairing. */
    for (int q = 0; q < m->n_seeds; q++) {
        const match_point *pa = &a->pts[m->seeds[q].i], *pb = &b->pts[m->seeds[q].j];
        float phi = pb->t - pa->t;
        float c = cosf(phi), s = sinf(phi);
        float tx = pb->x - (c * pa->x - s * pa->y), ty = pb->y - (s * pa->x + c * pa->y);
        float sup = m->seeds[q].sim;
        for (int r = 0; r < m->n_seeds; r++) {
            if (m->seeds[r].i == m->seeds[q].i || m->seeds[r].j == m->seeds[q].j) {
                continue;
            }
            const match_point *ra = &a->pts[m->seeds[r].i], *rb = &b->pts[m->seeds[r].j];
            float ex = c * ra->x - s * ra->y + tx - rb->x, ey = s * ra->x + c * ra->y + ty - rb->y;
            float dot = (c * ra->dx - s * ra->dy) * rb->dx + (s * ra->dx + c * ra->dy) * rb->dy;
            if (ex * ex + ey * ey < SUPPORT_DIST * SUPPORT_DIST && dot > SUPPORT_COS) {
                sup += m->seeds[r].sim;
            }
        }
        m->support[q] = sup;
        int k = q;
        while (k > 0 && m->support[m->order[k - 1]] < sup) {
            m->order[k] = m->order[k - 1];
            k--;
        }
        m->order[k] = q;
    }
    int n_tried = 0;
    for (int oq = 0; oq < m->n_seeds && n_tried < N_EVAL; oq++) {
        int q = m->order[oq];
        const match_point *pa = &a->pts[m->seeds[q].i], *pb = &b->pts[m->seeds[q].j];
        float phi = pb->t - pa->t;
        float c = cosf(phi), s = sinf(phi);
        float tx = pb->x - (c * pa->x - s * pa->y), ty = pb->y - (s * pa->x + c * pa->y);
        /* Seeds from one true alignment give nearly the same transform: skip
         * those that move A's centroid and rotate like one already tried. */
        float hx = c * gx - s * gy + tx, hy = s * gx + c * gy + ty;
        int dup = 0;
        for (int r = 0; r < n_tried && !dup; r++) {
            float dphi = fabsf(remainderf(phi - m->tried[r][0], TWO_PI));
            float ex = hx - m->tried[r][1], ey = hy - m->tried[r][2];
            dup = dphi < SEED_SAME_ANGLE && ex * ex + ey * ey < SEED_SAME_DIST * SEED_SAME_DIST;
        }
        if (dup) {
            continue;
        }
        m->tried[n_tried][0] = phi;
        m->tried[n_tried][1] = hx;
        m->tried[n_tried][2] = hy;
        n_tried++;
        pair_under(m, a, b, phi, tx, ty, pa->x, pa->y);
        match_detail cur;
        score_pairing(m, a, b, phi, tx, ty, &cur);
        if (cur.raw > best.raw) {
            best = cur;
            memcpy(m->best_a, m->pair_of_a, a->n * sizeof(int16_t));
        }
    }
    if (best.paired < 3) {
        *d = best;
        d->lss = lss / m->n_seeds;
        return d->raw;
    }

    /* Refinement: least-squares rigid fit to the best pairing, then re-pair
     * with tolerances growing from the centroid of the paired minutiae. */
    double sax = 0, say = 0, sbx = 0, sby = 0;
    int k = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (m->best_a[i] >= 0) {
            const match_point *pb = &b->pts[m->best_a[i]];
            sax += a->pts[i].x;
            say += a->pts[i].y;
            sbx += pb->x;
            sby += pb->y;
            k++;
        }
    }
    sax /= k;
    say /= k;
    sbx /= k;
    sby /= k;
    double sc = 0, ss = 0;
    for (uint32_t i = 0; i < a->n; i++) {
        if (m->best_a[i] >= 0) {
            const match_point *pb = &b->pts[m->best_a[i]];
            double ux = a->pts[i].x - sax, uy = a->pts[i].y - say;
            double vx = pb->x - sbx, vy = pb->y - sby;
            sc += ux * vx + uy * vy;
            ss += ux * vy - uy * vx;
        }
    }
    float phi = (float)atan2(ss, sc);
    float c = cosf(phi), s = sinf(phi);
    float tx = (float)(sbx - (c * sax - s * say)), ty = (float)(sby - (s * sax + c * say));
    pair_under(m, a, b, phi, tx, ty, (float)sax, (float)say);
    match_detail cur;
    score_pairing(m, a, b, phi, tx, ty, &cur);
    if (cur.raw > best.raw) {
        best = cur;
    }
    *d = best;
    d->lss = lss / m->n_seeds;
    return d->raw;
}

double mid_matcher_compare(mid_matcher *m, const mid_match_template *a,
                           const mid_match_template *b) {
    return match_calibrate(match_compare_raw(m, a, b, NULL));
}
