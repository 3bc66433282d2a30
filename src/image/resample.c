/*
 * Resampling to a target resolution. Separable: each axis gets a table of
 * (first source index, tap count, weights), then a horizontal pass into a float
 * buffer and a vertical pass into the output. Shrinking uses area averaging
 * (each output pixel is the mean of the source pixels it covers, partially
 * covered ones weighted by the covered fraction), which keeps mean brightness
 * and avoids aliasing of ridges; growing uses bilinear interpolation with
 * pixel centres aligned. Memory: two small tables and one float buffer of
 * out_width x in_height; nothing is allocated per pixel.
 */
#include "image/image_internal.h"

#include <math.h>
#include <stdlib.h>

typedef struct axis {
    uint32_t *first; /* first source index of each output index */
    uint32_t *count; /* taps of each output index */
    float *weight;   /* taps, max_taps per output index */
    uint32_t max_taps;
} axis;

static void axis_free(axis *a) {
    free(a->first);
    free(a->count);
    free(a->weight);
}

static int axis_build(axis *a, uint32_t in, uint32_t out) {
    const double scale = (double)in / (double)out; /* source pixels per output pixel */
    a->max_taps = out < in ? (uint32_t)ceil(scale) + 1u : 2u;
    a->first = calloc(out, sizeof(uint32_t));
    a->count = calloc(out, sizeof(uint32_t));
    a->weight = core_calloc((size_t)out * a->max_taps, sizeof(float));
    if (a->first == NULL || a->count == NULL || a->weight == NULL) {
        return -1;
    }
    for (uint32_t o = 0; o < out; o++) {
        float *wt = a->weight + (size_t)o * a->max_taps;
        if (out < in) {
            /* Source interval [lo, hi) covered by output pixel o. */
            double lo = o * scale, hi = (o + 1) * scale;
            uint32_t s0 = (uint32_t)floor(lo);
            uint32_t n = 0;
            for (uint32_t s = s0; s < in && (double)s < hi && n < a->max_taps; s++) {
                double a0 = s > lo ? (double)s : lo;
                double a1 = (double)(s + 1) < hi ? (double)(s + 1) : hi;
                wt[n++] = (float)((a1 - a0) / scale);
            }
            a->first[o] = s0;
            a->count[o] = n;
        } else {
            double src = (o + 0.5) * scale - 0.5;
            if (src < 0.0) {
                src = 0.0;
            }
            uint32_t s0 = (uint32_t)floor(src);
            if (s0 >= in - 1u) {
                a->first[o] = in - 1u;
                a->count[o] = 1;
                wt[0] = 1.0f;
                continue;
            }
            float f = (float)(src - s0);
            a->first[o] = s0;
            a->count[o] = 2;
            wt[0] = 1.0f - f;
            wt[1] = f;
        }
    }
    return 0;
}

static uint32_t out_side(uint32_t side, double ratio) {
    double v = floor((double)side * ratio + 0.5);
    return v < 1.0 ? 1u : (v > (double)UINT32_MAX ? UINT32_MAX : (uint32_t)v);
}

mid_status mid_image_resample(mid_ctx *ctx, const mid_image *in, double target_ppi,
                              mid_image **out) {
    if (in == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "resample: NULL argument");
    }
    *out = NULL;
    if (!(in->ppi > 0.0)) {
        return core_fail(ctx, MID_ERR_ARG, "resample: the image resolution is unknown");
    }
    if (!(target_ppi >= MID_MIN_PPI && target_ppi <= MID_MAX_PPI)) {
        return core_fail(ctx, MID_ERR_ARG, "resample: target %g ppi outside %g..%g", target_ppi,
                         MID_MIN_PPI, MID_MAX_PPI);
    }
    const double ratio = target_ppi / in->ppi;
    const uint32_t iw = in->width, ih = in->height;
    const uint32_t ow = out_side(iw, ratio), oh = out_side(ih, ratio);
    mid_status st = img_alloc(ctx, "resample", ow, oh, target_ppi, out);
    if (st != MID_OK) {
        return st;
    }
    axis ax = {0}, ay = {0};
    float *tmp = core_mallocn((size_t)ow * ih, sizeof(float));
    float *row = core_mallocn(ow, sizeof(float));
    if (tmp == NULL || row == NULL || axis_build(&ax, iw, ow) != 0 ||
        axis_build(&ay, ih, oh) != 0) {
        free(tmp);
        free(row);
        axis_free(&ax);
        axis_free(&ay);
        mid_image_free(*out);
        *out = NULL;
        return core_fail(ctx, MID_ERR_NOMEM, "resample: out of memory");
    }
    /* Horizontal pass: ih rows of ow floats. */
    for (uint32_t y = 0; y < ih; y++) {
        const uint8_t *src = in->pixels + (size_t)y * iw;
        float *dst = tmp + (size_t)y * ow;
        for (uint32_t x = 0; x < ow; x++) {
            const float *wt = ax.weight + (size_t)x * ax.max_taps;
            const uint8_t *s = src + ax.first[x];
            float acc = 0.0f;
            for (uint32_t k = 0; k < ax.count[x]; k++) {
                acc += wt[k] * (float)s[k];
            }
            dst[x] = acc;
        }
    }
    /* Vertical pass: each output row accumulates its source rows, tap by tap, so
     * every inner loop runs along memory. */
    uint8_t *opx = (*out)->pixels;
    for (uint32_t y = 0; y < oh; y++) {
        const float *wt = ay.weight + (size_t)y * ay.max_taps;
        const float *rows = tmp + (size_t)ay.first[y] * ow;
        uint8_t *dst = opx + (size_t)y * ow;
        for (uint32_t x = 0; x < ow; x++) {
            row[x] = wt[0] * rows[x];
        }
        for (uint32_t k = 1; k < ay.count[y]; k++) {
            const float *r = rows + (size_t)k * ow;
            const float w = wt[k];
            for (uint32_t x = 0; x < ow; x++) {
                row[x] += w * r[x];
            }
        }
        for (uint32_t x = 0; x < ow; x++) {
            float v = row[x] + 0.5f;
            dst[x] = v <= 0.0f ? 0 : (v >= 255.0f ? 255 : (uint8_t)v);
        }
    }
    free(row);
    free(tmp);
    axis_free(&ax);
    axis_free(&ay);
    return MID_OK;
}
