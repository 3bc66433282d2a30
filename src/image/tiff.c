/*
 * TIFF decoding through libtiff, opened on the caller's memory buffer with
 * TIFFClientOpenExt so that libtiff's error and warning messages land in the
 * mid_ctx (no process-global handler is installed) and its allocations are
 * capped. Pixels go through libtiff's RGBA interface, which covers every
 * photometric interpretation and bit depth this layer supports (grey min-is-black
 * and min-is-white, palette, RGB, 1/4/8/16 bits) and every compression libtiff
 * was built with; the result is reduced to grey with BT.601 luma. Only the first
 * image file directory is read.
 */
#include "image/image_internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

typedef struct tiff_mem {
    const uint8_t *data;
    size_t len;
    size_t pos;
    mid_ctx *ctx;
    int failed; /* libtiff reported an error; the first message is in ctx */
} tiff_mem;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t n) {
    tiff_mem *m = (tiff_mem *)h;
    if (n < 0) {
        return -1;
    }
    size_t avail = m->pos < m->len ? m->len - m->pos : 0;
    size_t take = (size_t)n < avail ? (size_t)n : avail;
    if (take > 0) {
        memcpy(buf, m->data + m->pos, take);
    }
    m->pos += take;
    return (tmsize_t)take;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t n) {
    (void)h;
    (void)buf;
    (void)n;
    return -1; /* read-only */
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence) {
    tiff_mem *m = (tiff_mem *)h;
    uint64_t base;
    switch (whence) {
    case SEEK_SET:
        base = 0;
        break;
    case SEEK_CUR:
        base = m->pos;
        break;
    case SEEK_END:
        base = m->len;
        break;
    default:
        return (toff_t)-1;
    }
    if (off > UINT64_MAX - base || base + off > SIZE_MAX) {
        return (toff_t)-1;
    }
    /* Positions past the end are allowed (as for a file); reads there return 0 bytes. */
    m->pos = (size_t)(base + off);
    return (toff_t)m->pos;
}

static int mem_close(thandle_t h) {
    (void)h;
    return 0;
}

static toff_t mem_size(thandle_t h) {
    return (toff_t)((tiff_mem *)h)->len;
}

static int mem_map(thandle_t h, void **base, toff_t *size) {
    (void)h;
    (void)base;
    (void)size;
    return 0; /* no mapping: libtiff reads through mem_read */
}

static void mem_unmap(thandle_t h, void *base, toff_t size) {
    (void)h;
    (void)base;
    (void)size;
}

/* fmt comes from libtiff itself, so it is a trusted printf format. */
__attribute__((format(printf, 4, 0))) static int on_error(TIFF *tif, void *user, const char *module,
                                                          const char *fmt, va_list ap) {
    (void)tif;
    tiff_mem *m = user;
    if (!m->failed) {
        /* Keep the first error: later ones are usually consequences of it. */
        char msg[200];
        vsnprintf(msg, sizeof(msg), fmt, ap);
        core_fail(m->ctx, MID_ERR_FORMAT, "TIFF: %s%s%s", module ? module : "", module ? ": " : "",
                  msg);
        m->failed = 1;
    }
    return 1; /* handled: never reaches libtiff's global handler */
}

static int on_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap) {
    (void)tif;
    (void)user;
    (void)module;
    (void)fmt;
    (void)ap;
    return 1; /* warnings (unknown tags etc.) are not failures; stay silent */
}

static double tiff_ppi(TIFF *tif) {
    float xres = 0.0f;
    uint16_t unit = RESUNIT_INCH;
    if (TIFFGetField(tif, TIFFTAG_XRESOLUTION, &xres) != 1 || !(xres > 0.0f)) {
        return 0.0;
    }
    TIFFGetFieldDefaulted(tif, TIFFTAG_RESOLUTIONUNIT, &unit);
    if (unit == RESUNIT_INCH) {
        return (double)xres;
    }
    if (unit == RESUNIT_CENTIMETER) {
        return img_ppi_from_metric((double)xres, 2.54);
    }
    return 0.0; /* RESUNIT_NONE: aspect ratio only */
}

mid_status img_decode_tiff(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    tiff_mem m = {data, len, 0, ctx, 0};
    TIFFOpenOptions *topts = TIFFOpenOptionsAlloc();
    if (topts == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "TIFF: out of memory");
    }
    TIFFOpenOptionsSetErrorHandlerExtR(topts, on_error, &m);
    TIFFOpenOptionsSetWarningHandlerExtR(topts, on_warning, &m);
    /* Largest single buffer libtiff may need: a strip or tile of the largest image
     * at 16-bit RGBA; anything bigger is a hostile header. */
    TIFFOpenOptionsSetMaxSingleMemAlloc(topts, (tmsize_t)MID_MAX_IMAGE_PIXELS * 8);
    /* "r": read; "m": do not try to map the (nonexistent) file. */
    TIFF *tif = TIFFClientOpenExt("input", "rm", (thandle_t)&m, mem_read, mem_write, mem_seek,
                                  mem_close, mem_size, mem_map, mem_unmap, topts);
    TIFFOpenOptionsFree(topts);
    if (tif == NULL) {
        if (!m.failed) {
            core_fail(ctx, MID_ERR_FORMAT, "TIFF: cannot open the image");
        }
        return MID_ERR_FORMAT;
    }
    mid_status st = MID_OK;
    uint32_t *raster = NULL;
    uint32_t w = 0, h = 0;
    if (TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &w) != 1 ||
        TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &h) != 1) {
        st = core_fail(ctx, MID_ERR_FORMAT, "TIFF: ImageWidth or ImageLength tag missing");
        goto done;
    }
    st = img_check_dims(ctx, "TIFF", w, h);
    if (st != MID_OK) {
        goto done;
    }
    char why[1024];
    if (!TIFFRGBAImageOK(tif, why)) {
        st = core_fail(ctx, m.failed ? MID_ERR_FORMAT : MID_ERR_UNSUPPORTED, "TIFF: %s", why);
        goto done;
    }
    TIFFRGBAImage rgba;
    if (!TIFFRGBAImageBegin(&rgba, tif, 0, why)) {
        st = core_fail(ctx, m.failed ? MID_ERR_FORMAT : MID_ERR_UNSUPPORTED, "TIFF: %s", why);
        goto done;
    }
    rgba.req_orientation = ORIENTATION_TOPLEFT;
    raster = core_mallocn((size_t)w * h, sizeof(uint32_t));
    if (raster == NULL) {
        TIFFRGBAImageEnd(&rgba);
        st = core_fail(ctx, MID_ERR_NOMEM, "TIFF: out of memory for %ux%u", w, h);
        goto done;
    }
    int ok = TIFFRGBAImageGet(&rgba, raster, w, h);
    TIFFRGBAImageEnd(&rgba);
    if (!ok || m.failed) {
        /* Truncated or corrupt strips: libtiff said why (first message in ctx). */
        if (!m.failed) {
            core_fail(ctx, MID_ERR_FORMAT, "TIFF: pixel data could not be decoded");
        }
        st = MID_ERR_FORMAT;
        goto done;
    }
    st = img_alloc(ctx, "TIFF", w, h, tiff_ppi(tif), out);
    if (st != MID_OK) {
        goto done;
    }
    uint8_t *px = (*out)->pixels;
    size_t n = (size_t)w * h;
    for (size_t i = 0; i < n; i++) {
        uint32_t p = raster[i];
        unsigned y = img_luma(TIFFGetR(p), TIFFGetG(p), TIFFGetB(p));
        /* libtiff's RGBA output is premultiplied (it multiplies unassociated alpha
         * in), so compositing over white adds the uncovered part; A is 255 when
         * the image has no alpha. */
        unsigned v = y + (255u - TIFFGetA(p));
        px[i] = (uint8_t)(v > 255u ? 255u : v);
    }
done:
    if (raster != NULL) {
        core_wipe(raster, (size_t)w * h * sizeof(uint32_t));
        free(raster);
    }
    TIFFClose(tif);
    return st;
}
