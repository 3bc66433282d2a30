/*
 * JPEG decoding through libjpeg(-turbo). Grey and YCbCr images decode straight
 * to the luminance channel, which JFIF defines with the BT.601 weights; RGB
 * (Adobe transform 0) is converted by libjpeg the same way. CMYK/YCCK are
 * refused. libjpeg's fatal errors longjmp back here and its messages are kept
 * out of stderr; a premature end of data (which libjpeg only warns about,
 * padding the image with grey) is treated as a truncated file. The resolution
 * comes from the JFIF APP0 density when its unit is dots per inch or per cm.
 */
#include "image/image_internal.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jerror.h>
#include <jpeglib.h>

/* Progressive files can carry thousands of tiny scans that each cost a pass
 * over the coefficients; real images use about ten. */
#define JPEG_MAX_SCANS 500

typedef struct jpeg_state {
    struct jpeg_error_mgr pub; /* first: libjpeg hands us a pointer to it */
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    mid_ctx *ctx;
    int failed;
    uint8_t *row;
    mid_image *img;
} jpeg_state;

static void record(j_common_ptr cinfo, const char *what) {
    jpeg_state *s = (jpeg_state *)cinfo->err;
    if (!s->failed) {
        char msg[JMSG_LENGTH_MAX];
        (*cinfo->err->format_message)(cinfo, msg);
        core_fail(s->ctx, MID_ERR_FORMAT, "JPEG: %s%s", what, msg);
        s->failed = 1;
    }
}

static void on_error_exit(j_common_ptr cinfo) {
    record(cinfo, "");
    longjmp(((jpeg_state *)cinfo->err)->jump, 1);
}

static void on_emit(j_common_ptr cinfo, int level) {
    /* level -1 is a warning about corrupt data. A premature end means the file
     * was truncated: fail rather than return a grey-padded image. Other
     * warnings (extraneous bytes, unknown markers) are tolerated silently. */
    if (level == -1 && cinfo->err->msg_code == JWRN_JPEG_EOF) {
        record(cinfo, "truncated: ");
        longjmp(((jpeg_state *)cinfo->err)->jump, 1);
    }
}

static void on_output(j_common_ptr cinfo) {
    (void)cinfo; /* never print */
}

static void on_progress(j_common_ptr cinfo) {
    if (cinfo->is_decompressor && ((j_decompress_ptr)cinfo)->input_scan_number > JPEG_MAX_SCANS) {
        jpeg_state *s = (jpeg_state *)cinfo->err;
        if (!s->failed) {
            core_fail(s->ctx, MID_ERR_LIMIT, "JPEG: more than %d scans", JPEG_MAX_SCANS);
            s->failed = 2;
        }
        longjmp(s->jump, 1);
    }
}

static mid_status decode(struct jpeg_decompress_struct *cinfo, jpeg_state *s, const uint8_t *data,
                         size_t len, mid_image **out) {
    jpeg_mem_src(cinfo, data, (unsigned long)len);
    jpeg_read_header(cinfo, TRUE);
    mid_status st = img_check_dims(s->ctx, "JPEG", cinfo->image_width, cinfo->image_height);
    if (st != MID_OK) {
        return st;
    }
    switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE:
    case JCS_YCbCr:
    case JCS_RGB:
        cinfo->out_color_space = JCS_GRAYSCALE;
        break;
    default:
        return core_fail(s->ctx, MID_ERR_UNSUPPORTED,
                         "JPEG: colour space %d (CMYK/YCCK) unsupported",
                         (int)cinfo->jpeg_color_space);
    }
    double ppi = 0.0;
    if (cinfo->saw_JFIF_marker && cinfo->X_density > 0) {
        if (cinfo->density_unit == 1) {
            ppi = cinfo->X_density;
        } else if (cinfo->density_unit == 2) {
            ppi = img_ppi_from_metric(cinfo->X_density, 2.54);
        }
    }
    jpeg_start_decompress(cinfo);
    if (cinfo->output_components != 1) {
        return core_fail(s->ctx, MID_ERR_UNSUPPORTED, "JPEG: could not convert to grey");
    }
    st = img_alloc(s->ctx, "JPEG", cinfo->output_width, cinfo->output_height, ppi, &s->img);
    if (st != MID_OK) {
        return st;
    }
    while (cinfo->output_scanline < cinfo->output_height) {
        JSAMPROW row = s->img->pixels + (size_t)cinfo->output_scanline * cinfo->output_width;
        if (jpeg_read_scanlines(cinfo, &row, 1) != 1) {
            return core_fail(s->ctx, MID_ERR_FORMAT, "JPEG: data truncated");
        }
    }
    jpeg_finish_decompress(cinfo);
    *out = s->img;
    s->img = NULL;
    return MID_OK;
}

mid_status img_decode_jpeg(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    if (len < 3 || data[0] != 0xFF || data[1] != 0xD8) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEG: SOI marker missing");
    }
    if (len > (size_t)(unsigned long)-1) {
        return core_fail(ctx, MID_ERR_LIMIT, "JPEG: input too large");
    }
    struct jpeg_decompress_struct cinfo;
    jpeg_state *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "JPEG: out of memory");
    }
    s->ctx = ctx;
    cinfo.err = jpeg_std_error(&s->pub);
    s->pub.error_exit = on_error_exit;
    s->pub.emit_message = on_emit;
    s->pub.output_message = on_output;
    mid_status st;
    if (setjmp(s->jump) == 0) {
        jpeg_create_decompress(&cinfo);
        s->progress.progress_monitor = on_progress;
        cinfo.progress = &s->progress;
        /* Bound libjpeg's working memory (coefficient buffers of progressive
         * images): generous for the largest image the limits allow. */
        cinfo.mem->max_memory_to_use = 1024L * 1024L * 1024L;
        st = decode(&cinfo, s, data, len, out);
    } else {
        st = s->failed == 2 ? MID_ERR_LIMIT : MID_ERR_FORMAT;
    }
    jpeg_destroy_decompress(&cinfo);
    mid_image_free(s->img);
    free(s);
    return st;
}
