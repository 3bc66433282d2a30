/*
 * The extractor object and the pipeline: resample to 500 ppi, gradients and
 * segmentation, orientation, along-ridge smoothing, ridge period, across-ridge
 * band-pass and binarisation, thinning, minutia detection and filtering.
 *
 * Memory: one scratch arena per extractor, grown when an image needs more and
 * reused otherwise, so an extraction makes no allocation beyond the template
 * (and the resampled copy when the input is not at 500 ppi). The arena holds
 * biometric data, so the part used is wiped after every extraction and the whole
 * arena before it is released.
 */
#include "extract/ext_extractor.h"

#include "core/core.h"
#include "extract/ext_enhance.h"
#include "extract/ext_frequency.h"
#include "extract/ext_minutiae.h"
#include "extract/ext_orientation.h"
#include "extract/ext_segment.h"
#include "extract/ext_thin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CANDIDATES 2048 /* minutia candidates before filtering */
#define MIN_FG_BLOCKS 48    /* about 55 x 55 pixels of print */

struct mid_extractor {
    mid_ctx *ctx;
    ext_bank bank;
    uint8_t *arena;
    size_t cap;
    ext_work work;
};

mid_status mid_extractor_create(mid_ctx *ctx, mid_extractor **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "extractor: NULL output");
    }
    *out = NULL;
    mid_extractor *ex = calloc(1, sizeof(*ex));
    if (ex == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "extractor: out of memory");
    }
    ex->ctx = ctx;
    ext_bank_init(&ex->bank);
    *out = ex;
    return MID_OK;
}

void mid_extractor_free(mid_extractor *ex) {
    if (ex == NULL) {
        return;
    }
    if (ex->arena != NULL) {
        core_wipe(ex->arena, ex->cap);
        free(ex->arena);
    }
    free(ex);
}

/* Carves the buffers of a w x h image out of the arena (base may be NULL to
 * measure). Returns the bytes needed, or 0 on overflow. */
static size_t layout(ext_work *k, uint8_t *base, int w, int h) {
    size_t off = 0, n = 0;
    const size_t pw = (size_t)w + 2 * EXT_PAD, ph = (size_t)h + 2 * EXT_PAD;
    const size_t bw = ((size_t)w + EXT_BS - 1) / EXT_BS, bh = ((size_t)h + EXT_BS - 1) / EXT_BS;
    const size_t nb = bw * bh, rp = ((size_t)w + 2) * ((size_t)h + 2);
    int ok = 1;
#define TAKE(ptr, type, count)                                                                     \
    do {                                                                                           \
        ok = ok && core_mul_size((count), sizeof(type), &n);                                       \
        off = (off + 63) & ~(size_t)63;                                                            \
        ok = ok && off + n >= off;                                                                 \
        (ptr) = base ? (type *)(void *)(base + off) : NULL;                                        \
        off += n;                                                                                  \
    } while (0)
    TAKE(k->img, float, pw *ph);
    TAKE(k->smooth, float, pw *ph);
    TAKE(k->ridge, uint8_t, rp);
    TAKE(k->list, int32_t, rp);
    TAKE(k->gxx, float, nb);
    TAKE(k->gyy, float, nb);
    TAKE(k->gxy, float, nb);
    TAKE(k->energy, float, nb);
    TAKE(k->coh, float, nb);
    TAKE(k->vx, float, nb);
    TAKE(k->vy, float, nb);
    TAKE(k->grad_dir, float, nb);
    TAKE(k->period, float, nb);
    TAKE(k->ftmp, float, nb);
    TAKE(k->ftmp2, float, nb);
    TAKE(k->mask, uint8_t, nb);
    TAKE(k->dist, uint8_t, nb);
    TAKE(k->btmp, uint8_t, nb);
    TAKE(k->ori_q, uint8_t, nb);
    TAKE(k->per_q, uint8_t, nb);
    TAKE(k->min, ext_minutia, (size_t)MAX_CANDIDATES);
#undef TAKE
    k->w = w;
    k->h = h;
    k->pw = (int)pw;
    k->ph = (int)ph;
    k->bw = (int)bw;
    k->bh = (int)bh;
    k->capmin = MAX_CANDIDATES;
    k->nmin = 0;
    return ok ? off + 64 : 0;
}

mid_status ext_run(mid_extractor *ex, const uint8_t *pix, int w, int h, ext_work **work) {
    mid_ctx *ctx = ex->ctx;
    if (w < (int)MID_MIN_EXTRACT_SIDE || h < (int)MID_MIN_EXTRACT_SIDE) {
        return core_fail(ctx, MID_ERR_LIMIT, "extract: image %dx%d is smaller than %u pixels", w, h,
                         MID_MIN_EXTRACT_SIDE);
    }
    if ((unsigned)w > MID_MAX_IMAGE_SIDE || (unsigned)h > MID_MAX_IMAGE_SIDE ||
        (size_t)w * (size_t)h > MID_MAX_IMAGE_PIXELS) {
        return core_fail(ctx, MID_ERR_LIMIT, "extract: image %dx%d is too large", w, h);
    }
    ext_work *k = &ex->work;
    size_t need = layout(k, NULL, w, h);
    if (need == 0) {
        return core_fail(ctx, MID_ERR_LIMIT, "extract: image %dx%d is too large", w, h);
    }
    if (need > ex->cap) {
        if (ex->arena != NULL) {
            core_wipe(ex->arena, ex->cap);
            free(ex->arena);
        }
        ex->cap = 0;
        ex->arena = malloc(need);
        if (ex->arena == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "extract: out of memory (%zu bytes)", need);
        }
        ex->cap = need;
    }
    uint8_t *base = (uint8_t *)(((uintptr_t)ex->arena + 63) & ~(uintptr_t)63);
    layout(k, base, w, h);
    k->pix = pix;
    *work = k;

    ext_gradients(k);
    if (ext_segment(k) < MIN_FG_BLOCKS) {
        return core_fail(ctx, MID_ERR_NO_PRINT, "extract: no fingerprint area found");
    }
    ext_orientation(k);
    ext_smooth_along(k, &ex->bank);
    ext_frequency(k, &ex->bank);
    ext_bandpass(k, &ex->bank);
    ext_thin(k->ridge, w + 2, h + 2, k->list);
    ext_detect(k);
    ext_filter(k);
    return MID_OK;
}

void ext_wipe(mid_extractor *ex) {
    if (ex->arena != NULL) {
        core_wipe(ex->arena, ex->cap);
    }
}

mid_status mid_extract(mid_extractor *ex, const mid_image *img, mid_template **out) {
    if (out != NULL) {
        *out = NULL;
    }
    if (ex == NULL || img == NULL || out == NULL) {
        return core_fail(ex ? ex->ctx : NULL, MID_ERR_ARG, "extract: NULL argument");
    }
    mid_ctx *ctx = ex->ctx;
    mid_image *rs = NULL;
    const mid_image *src = img;
    double ppi = mid_image_ppi(img);
    if (ppi > 0 && !(ppi >= MID_MIN_PPI && ppi <= MID_MAX_PPI)) {
        return core_fail(ctx, MID_ERR_LIMIT, "extract: resolution %g ppi outside %g..%g", ppi,
                         MID_MIN_PPI, MID_MAX_PPI);
    }
    if (ppi > 0 && fabs(ppi - MID_WORK_PPI) > 0.5) {
        mid_status st = mid_image_resample(ctx, img, MID_WORK_PPI, &rs);
        if (st != MID_OK) {
            return st;
        }
        src = rs;
    }
    uint32_t w = mid_image_width(src), h = mid_image_height(src);
    ext_work *k = NULL;
    mid_status st;
    if (w > MID_MAX_IMAGE_SIDE || h > MID_MAX_IMAGE_SIDE) {
        st = core_fail(ctx, MID_ERR_LIMIT, "extract: image %ux%u is too large", w, h);
    } else {
        st = ext_run(ex, mid_image_cpixels(src), (int)w, (int)h, &k);
    }
    mid_template *t = NULL;
    if (st == MID_OK) {
        st = mid_template_create(ctx, (uint16_t)w, (uint16_t)h, (uint16_t)MID_WORK_PPI, &t);
    }
    for (int i = 0; st == MID_OK && i < k->nmin; i++) {
        const ext_minutia *e = &k->min[i];
        /* Image angles are clockwise (y down); the template's are counter-clockwise. */
        float a = -e->dir * (256.0f / (2.0f * EXT_PI));
        int units = (int)lrintf(a) & 255;
        int q = (int)lrintf(e->quality * 100.0f);
        mid_minutia m = {
            .x = (uint16_t)e->x,
            .y = (uint16_t)e->y,
            .angle = (uint8_t)units,
            .type = e->type,
            .quality = (uint8_t)(q < 1 ? 1 : (q > 100 ? 100 : q)),
        };
        st = mid_template_add(ctx, t, &m);
    }
    if (st == MID_OK) {
        float area = (float)k->n_fg * EXT_BS * EXT_BS / (float)(w * h);
        float q = 100.0f * k->mean_coh * (area < 0.25f ? area * 4.0f : 1.0f);
        mid_template_set_quality(t, (uint8_t)(q < 1 ? 1 : (q > 100 ? 100 : q)));
        *out = t;
        t = NULL;
    }
    mid_template_free(t);
    ext_wipe(ex);
    if (rs != NULL) {
        core_wipe(mid_image_pixels(rs), (size_t)mid_image_width(rs) * mid_image_height(rs));
        mid_image_free(rs);
    }
    return st;
}
