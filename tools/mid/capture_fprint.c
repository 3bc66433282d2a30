/*
 * libfprint capture (sync API) for `mid identify --capture`. Compiled only
 * when the build option MID_WITH_LIBFPRINT is on.
 */
#include "capture_fprint.h"

#include <fprint.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Assumed resolution when the driver reports none (FBI Appendix F scanners). */
#define DEFAULT_PPI 500.0
#define MM_PER_INCH 25.4

struct cli_scanner {
    FpContext *fctx;
    FpDevice *dev; /* a reference of our own, opened */
};

static void set_err(char *err, size_t errcap, const char *what, const GError *e) {
    snprintf(err, errcap, "%s%s%s", what, e != NULL ? ": " : "", e != NULL ? e->message : "");
}

cli_scanner *cli_scanner_open(char *err, size_t errcap) {
    cli_scanner *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, errcap, "out of memory");
        return NULL;
    }
    s->fctx = fp_context_new();
    GPtrArray *devs = s->fctx != NULL ? fp_context_get_devices(s->fctx) : NULL;
    for (guint i = 0; devs != NULL && i < devs->len; i++) {
        FpDevice *d = g_ptr_array_index(devs, i);
        if (fp_device_has_feature(d, FP_DEVICE_FEATURE_CAPTURE)) {
            s->dev = g_object_ref(d);
            break;
        }
    }
    if (s->dev == NULL) {
        snprintf(err, errcap, "no fingerprint scanner that captures images was found");
        cli_scanner_close(s);
        return NULL;
    }
    GError *e = NULL;
    if (!fp_device_open_sync(s->dev, NULL, &e)) {
        set_err(err, errcap, "cannot open the scanner", e);
        g_clear_error(&e);
        g_clear_object(&s->dev);
        cli_scanner_close(s);
        return NULL;
    }
    return s;
}

bool cli_scanner_capture(cli_scanner *s, mid_ctx *ctx, mid_image **out, char *err, size_t errcap) {
    *out = NULL;
    GError *e = NULL;
    FpImage *fi = fp_device_capture_sync(s->dev, TRUE, NULL, &e);
    if (fi == NULL) {
        set_err(err, errcap, "capture failed", e);
        g_clear_error(&e);
        return false;
    }
    gsize len = 0;
    const guchar *px = fp_image_get_data(fi, &len);
    guint w = fp_image_get_width(fi), h = fp_image_get_height(fi);
    double ppmm = fp_image_get_ppmm(fi);
    double ppi = ppmm > 0 ? ppmm * MM_PER_INCH : DEFAULT_PPI;
    bool ok = false;
    if (px == NULL || w == 0 || h == 0 || w > MID_MAX_IMAGE_SIDE || h > MID_MAX_IMAGE_SIDE ||
        (uint64_t)w * h > MID_MAX_IMAGE_PIXELS || len < (gsize)w * h) {
        snprintf(err, errcap, "the scanner returned an unusable image (%ux%u)", w, h);
    } else if (mid_image_create(ctx, w, h, ppi, out) != MID_OK) {
        snprintf(err, errcap, "%s", mid_ctx_error(ctx));
    } else {
        memcpy(mid_image_pixels(*out), px, (size_t)w * h);
        ok = true;
    }
    /* We hold the only reference to the FpImage, so its pixel buffer is ours
     * to wipe before it is released (the const is libfprint's API, not a
     * promise that the memory is read-only). */
    if (px != NULL) {
        mid_wipe((void *)(uintptr_t)px, len);
    }
    g_object_unref(fi);
    return ok;
}

void cli_scanner_close(cli_scanner *s) {
    if (s == NULL) {
        return;
    }
    if (s->dev != NULL) {
        fp_device_close_sync(s->dev, NULL, NULL);
        g_object_unref(s->dev);
    }
    if (s->fctx != NULL) {
        g_object_unref(s->fctx);
    }
    free(s);
}
