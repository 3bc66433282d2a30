/*
 * Minutia detection on the skeleton by the crossing number (Rutovitz; see
 * Maltoni et al., Handbook of Fingerprint Recognition, 3.7): 1 = ridge ending,
 * 3 = bifurcation. Directions come from tracing the skeleton branches ~14 px:
 * an ending points from the ending into its ridge; a bifurcation points away
 * from the fork, along the bisector of the two branches that form the
 * smallest angle (the valley between them), as in ANSI/NIST and ISO 19794-2.
 * The traced direction alone is used: averaging it with the (smoothed)
 * orientation field was measured to cost accuracy on the FVC sets (FNMR at FMR
 * 1e-3 12.2 % traced only, 13.5 % with the field at weight 0.25, 15.2 % at 1).
 *
 * The traces also reveal skeleton artefacts: an ending that reaches a junction
 * within a few pixels is a spur, one that reaches another ending is a short
 * island, and a bifurcation that reaches another bifurcation within a few
 * pixels is a bridge or a small lake. Both minutiae of such pairs are removed.
 */
#include "extract/ext_minutiae.h"
#include "extract/ext_thin.h"

#include "mid/template.h"

#include <math.h>
#include <string.h>

#define TRACE_LEN 14  /* pixels traced for the direction */
#define SPUR_LEN 10   /* ending -> junction closer than this: spur */
#define ISLAND_LEN 14 /* ending -> ending closer than this: short island */
#define BRIDGE_LEN 8  /* junction -> junction closer than this: bridge or lake */

enum { STOP_LEN, STOP_END, STOP_JUNCTION };

typedef struct trace_res {
    int end;   /* index of the last pixel */
    int steps; /* pixels walked */
    int stop;
} trace_res;

/* Neighbour offsets in bit order N, NE, E, SE, S, SW, W, NW. */
static void neighbour_offsets(int st, int off[8]) {
    off[0] = -st;
    off[1] = -st + 1;
    off[2] = 1;
    off[3] = st + 1;
    off[4] = st;
    off[5] = st - 1;
    off[6] = -1;
    off[7] = -st - 1;
}

static int in_list(const int *l, int n, int v) {
    for (int k = 0; k < n; k++) {
        if (l[k] == v) {
            return 1;
        }
    }
    return 0;
}

/* Walks the skeleton from `first`, never revisiting `path` pixels (which holds
 * np pixels to avoid: the start and its other branches). */
static trace_res trace(const uint8_t *img, int st, const int off[8], int *path, int np, int first,
                       int maxlen) {
    static const int order[8] = {0, 2, 4, 6, 1, 3, 5, 7};
    trace_res r = {first, 1, STOP_LEN};
    path[np++] = first;
    int cur = first;
    for (;;) {
        int cn = ext_crossing_number(img, st, cur);
        if (cn == 1) {
            r.stop = STOP_END;
            break;
        }
        if (cn >= 3) {
            r.stop = STOP_JUNCTION;
            break;
        }
        if (r.steps >= maxlen) {
            break;
        }
        int next = -1;
        for (int k = 0; k < 8; k++) {
            int j = cur + off[order[k]];
            if (img[j] && !in_list(path, np, j)) {
                next = j;
                break;
            }
        }
        if (next < 0) {
            r.stop = STOP_END;
            break;
        }
        path[np++] = next;
        cur = next;
        r.steps++;
    }
    r.end = cur;
    return r;
}

/* Candidate index stored at or next to skeleton pixel i, or -1. */
static int find_near(const int32_t *map, const int off[8], int i) {
    if (map[i]) {
        return map[i] - 1;
    }
    for (int k = 0; k < 8; k++) {
        if (map[i + off[k]]) {
            return map[i + off[k]] - 1;
        }
    }
    return -1;
}

void ext_detect(ext_work *w) {
    const int st = w->w + 2, H = w->h + 2;
    uint8_t *img = w->ridge;
    int32_t *map = w->list; /* candidate index + 1 per skeleton pixel */
    int off[8];
    neighbour_offsets(st, off);
    memset(map, 0, (size_t)st * H * sizeof(int32_t));
    w->nmin = 0;
    for (int y = 1; y < H - 1 && w->nmin < w->capmin; y++) {
        for (int x = 1; x < st - 1; x++) {
            int i = y * st + x;
            if (!img[i]) {
                continue;
            }
            int cn = ext_crossing_number(img, st, i);
            if (cn != 1 && cn != 3) {
                continue;
            }
            if (w->nmin >= w->capmin) {
                break;
            }
            ext_minutia *m = &w->min[w->nmin++];
            m->x = (float)(x - 1);
            m->y = (float)(y - 1);
            m->dir = 0;
            m->quality = 0;
            m->type = cn == 1 ? MID_MINUTIA_ENDING : MID_MINUTIA_BIFURCATION;
            m->dead = 0;
            map[i] = w->nmin;
        }
    }
    int path[TRACE_LEN + 16];
    for (int n = 0; n < w->nmin; n++) {
        ext_minutia *m = &w->min[n];
        int i = ((int)m->y + 1) * st + (int)m->x + 1;
        int v = 0;
        for (int k = 0; k < 8; k++) {
            v |= (img[i + off[k]] != 0) << k;
        }
        if (m->type == MID_MINUTIA_ENDING) {
            int first = -1;
            for (int k = 0; k < 8 && first < 0; k++) {
                if (v >> k & 1) {
                    first = i + off[k];
                }
            }
            path[0] = i;
            trace_res r = trace(img, st, off, path, 1, first, TRACE_LEN);
            if (r.stop == STOP_JUNCTION && r.steps < SPUR_LEN) {
                m->dead = 1;
                int j = find_near(map, off, r.end);
                if (j >= 0 && w->min[j].type == MID_MINUTIA_BIFURCATION) {
                    w->min[j].dead = 1;
                }
            } else if (r.stop == STOP_END && r.steps < ISLAND_LEN) {
                m->dead = 1;
                int j = find_near(map, off, r.end);
                if (j >= 0) {
                    w->min[j].dead = 1;
                }
            }
            float dx = (float)(r.end % st - i % st), dy = (float)(r.end / st - i / st);
            float len = sqrtf(dx * dx + dy * dy);
            float ux = len > 0 ? dx / len : 1.0f, uy = len > 0 ? dy / len : 0.0f;
            m->dir = atan2f(uy, ux);
        } else {
            /* One start pixel per run of set neighbours, preferring 4-neighbours. */
            int starts[4], nst = 0;
            int runpix[8], nrun = 0;
            for (int k = 0; k < 8; k++) {
                if ((v >> k & 1) && !(v >> ((k + 7) & 7) & 1)) {
                    /* run begins at k */
                    int best = k, kk = k;
                    while (v >> (kk & 7) & 1) {
                        if ((kk & 1) == 0) {
                            best = kk & 7;
                        }
                        kk++;
                        if (kk - k >= 8) {
                            break;
                        }
                    }
                    if (nst < 4) {
                        starts[nst++] = i + off[best];
                    }
                }
            }
            for (int k = 0; k < 8; k++) {
                if (v >> k & 1) {
                    runpix[nrun++] = i + off[k];
                }
            }
            float ux[4] = {0}, uy[4] = {0};
            for (int s = 0; s < nst; s++) {
                int np = 0;
                path[np++] = i;
                for (int k = 0; k < nrun; k++) {
                    if (runpix[k] != starts[s]) {
                        int same_run = 0;
                        /* neighbours adjacent to this start belong to its run */
                        for (int q = 0; q < 8; q++) {
                            if (starts[s] + off[q] == runpix[k]) {
                                same_run = 1;
                            }
                        }
                        if (!same_run) {
                            path[np++] = runpix[k];
                        }
                    }
                }
                trace_res r = trace(img, st, off, path, np, starts[s], TRACE_LEN);
                if (r.stop == STOP_JUNCTION && r.steps < BRIDGE_LEN) {
                    int j = find_near(map, off, r.end);
                    if (j >= 0 && j != n && w->min[j].type == MID_MINUTIA_BIFURCATION) {
                        w->min[j].dead = 1;
                        m->dead = 1;
                    }
                }
                float dx = (float)(r.end % st - i % st), dy = (float)(r.end / st - i / st);
                float len = sqrtf(dx * dx + dy * dy);
                ux[s] = len > 0 ? dx / len : 0;
                uy[s] = len > 0 ? dy / len : 0;
            }
            int a = 0, b = 1;
            float best = -2;
            for (int p = 0; p < nst; p++) {
                for (int q = p + 1; q < nst; q++) {
                    float d = ux[p] * ux[q] + uy[p] * uy[q];
                    if (d > best) {
                        best = d;
                        a = p;
                        b = q;
                    }
                }
            }
            float bx = ux[a] + ux[b], by = uy[a] + uy[b];
            float len = sqrtf(bx * bx + by * by);
            float dx = len > 1e-6f ? bx / len : 1.0f, dy = len > 1e-6f ? by / len : 0.0f;
            m->dir = atan2f(dy, dx);
        }
    }
}
