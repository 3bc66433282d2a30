/*
 * False-minutia filtering (Maltoni et al., Handbook of Fingerprint Recognition,
 * 3.8: structural post-processing) and minutia quality.
 *
 * Rules, in order: minutiae on the print border (the mask cuts ridges) or in
 * incoherent blocks go; two endings facing each other across a short gap are a
 * broken ridge; any two minutiae closer than a fraction of a ridge period are
 * noise; minutiae in dense clusters are noise. Survivors are sorted by quality
 * and capped at MID_MAX_MINUTIAE.
 */
#include "extract/ext_minutiae.h"

#include "mid/limits.h"
#include "mid/template.h"

#include <math.h>

#define BORDER_BLOCKS 2 /* keep minutiae in blocks at least this far from background */
#define MIN_COHERENCE 0.1f
#define GAP_DIST 14.0f  /* broken ridge: facing endings closer than this */
#define GAP_ANGLE 0.8f  /* radians */
#define CLOSE_DIST 5.0f /* any pair closer than this */
#define CLUSTER_DIST 14.0f
#define CLUSTER_MAX 3 /* more neighbours than this within CLUSTER_DIST: cluster */

static float angle_diff(float a, float b) {
    float d = fabsf(a - b);
    d = fmodf(d, 2 * EXT_PI);
    return d > EXT_PI ? 2 * EXT_PI - d : d;
}

void ext_filter(ext_work *w) {
    ext_minutia *m = w->min;
    const int n = w->nmin;
    for (int k = 0; k < n; k++) {
        int bi = ((int)m[k].y / EXT_BS) * w->bw + (int)m[k].x / EXT_BS;
        int d = w->dist[bi];
        if (d < BORDER_BLOCKS || w->coh[bi] < MIN_COHERENCE) {
            m[k].dead = 1;
        }
        float border = d >= BORDER_BLOCKS + 2 ? 1.0f : 0.5f + 0.25f * (float)(d - BORDER_BLOCKS);
        m[k].quality = border * (0.25f + 0.75f * w->coh[bi]);
    }
    /* Pairwise rules on the survivors of the local rules. Decisions are taken on
     * the state before this pass (flag 2), then applied. */
    for (int a = 0; a < n; a++) {
        if (m[a].dead) {
            continue;
        }
        int close = 0;
        for (int b = 0; b < n; b++) {
            if (b == a || m[b].dead == 1) {
                continue;
            }
            float dx = m[b].x - m[a].x, dy = m[b].y - m[a].y;
            float d2 = dx * dx + dy * dy;
            if (d2 > CLUSTER_DIST * CLUSTER_DIST && d2 > GAP_DIST * GAP_DIST) {
                continue;
            }
            if (d2 < CLOSE_DIST * CLOSE_DIST) {
                m[a].dead = 2;
            }
            if (d2 <= CLUSTER_DIST * CLUSTER_DIST) {
                close++;
            }
            if (m[a].type == MID_MINUTIA_ENDING && m[b].type == MID_MINUTIA_ENDING &&
                d2 <= GAP_DIST * GAP_DIST) {
                /* a's direction points into a's ridge, away from the gap; b's the
                 * other way; the gap runs along the ridge. */
                float gap = atan2f(dy, dx);
                if (angle_diff(m[a].dir, m[b].dir + EXT_PI) < GAP_ANGLE &&
                    angle_diff(m[a].dir + EXT_PI, gap) < GAP_ANGLE) {
                    m[a].dead = 2;
                }
            }
        }
        if (close > CLUSTER_MAX) {
            m[a].dead = 2;
        }
    }
    /* Compact, then sort by decreasing quality (insertion sort: n is small
     * after filtering). */
    int k = 0;
    for (int a = 0; a < n; a++) {
        if (!m[a].dead) {
            m[k++] = m[a];
        }
    }
    for (int a = 1; a < k; a++) {
        ext_minutia t = m[a];
        int b = a - 1;
        while (b >= 0 && m[b].quality < t.quality) {
            m[b + 1] = m[b];
            b--;
        }
        m[b + 1] = t;
    }
    w->nmin = k > (int)MID_MAX_MINUTIAE ? (int)MID_MAX_MINUTIAE : k;
}
