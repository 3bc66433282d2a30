/*
 * JPEG 2000 (ISO/IEC 15444-1) through openjpeg: JP2 files and raw J2K
 * codestreams from memory, and JP2 encoding (lossless or at a bitrate).
 *
 * The decoder reads the main header first and checks the image area, the
 * component count and precision against mid/limits.h before any tile is
 * decoded. Strict mode is on, so a truncated codestream is an error rather than
 * a partial image. Colour (3 or more components of equal size) becomes BT.601
 * luma; YCC or subsampled chroma keeps the first (luma) component only.
 * openjpeg's messages never reach stdout/stderr: its error and warning callbacks
 * copy the last message into the decoder's state, and it becomes the context's
 * detail when the call fails.
 *
 * Resolution: JP2 carries it in the 'res ' superbox inside the 'jp2h' header
 * box (15444-1 Annex I.5.3.7): 'resc' (capture) and 'resd' (default display)
 * each hold VR_N, VR_D, HR_N, HR_D (2 bytes each), VR_E, HR_E (signed bytes);
 * the horizontal grid resolution is HR_N / HR_D * 10^HR_E points per metre.
 * openjpeg does not expose these, so this file walks the boxes itself; capture
 * wins over display. A raw codestream has no resolution (0, unknown). The
 * encoder writes a 'resc' box with the image's ppi.
 */
#include "image/image_internal.h"

#include <openjpeg.h>
#include <stdlib.h>
#include <string.h>

#define JP2_MSG 160
#define JP2_MAX_COMPONENTS 4u
#define JP2_MAX_PRECISION 16u

static const uint8_t JP2_SIG[12] = {0, 0, 0, 12, 'j', 'P', ' ', ' ', 0x0D, 0x0A, 0x87, 0x0A};

bool img_jp2_sniff(const uint8_t *d, size_t len) {
    if (len >= sizeof(JP2_SIG) && memcmp(d, JP2_SIG, sizeof(JP2_SIG)) == 0) {
        return true;
    }
    /* A codestream starts with SOC (FF4F) then SIZ (FF51), 15444-1 A.4.1/A.5.1. */
    return len >= 4 && d[0] == 0xFF && d[1] == 0x4F && d[2] == 0xFF && d[3] == 0x51;
}

/* ---- openjpeg glue --------------------------------------------------------- */

typedef struct jp2_mem {
    const uint8_t *data; /* decoding: the input */
    uint8_t *out;        /* encoding: the growing output */
    size_t len;          /* bytes of data / bytes written to out (high-water mark) */
    size_t cap;          /* encoding: allocated bytes of out */
    size_t pos;
    bool failed; /* encoding: out of memory */
} jp2_mem;

typedef struct jp2_msgs {
    char error[JP2_MSG];
    char warning[JP2_MSG];
} jp2_msgs;

static void copy_msg(char *dst, const char *msg) {
    size_t n = strlen(msg);
    while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) {
        n--;
    }
    if (n >= JP2_MSG) {
        n = JP2_MSG - 1;
    }
    memcpy(dst, msg, n);
    dst[n] = '\0';
}

static void on_error(const char *msg, void *user) {
    copy_msg(((jp2_msgs *)user)->error, msg);
}

static void on_warning(const char *msg, void *user) {
    copy_msg(((jp2_msgs *)user)->warning, msg);
}

static void on_info(const char *msg, void *user) {
    (void)msg;
    (void)user;
}

static void set_handlers(opj_codec_t *codec, jp2_msgs *msgs) {
    opj_set_error_handler(codec, on_error, msgs);
    opj_set_warning_handler(codec, on_warning, msgs);
    opj_set_info_handler(codec, on_info, msgs);
}

static OPJ_SIZE_T mem_read(void *buf, OPJ_SIZE_T n, void *user) {
    jp2_mem *m = user;
    if (m->pos >= m->len) {
        return (OPJ_SIZE_T)-1;
    }
    size_t left = m->len - m->pos;
    size_t k = n < left ? n : left;
    memcpy(buf, m->data + m->pos, k);
    m->pos += k;
    return k;
}

static OPJ_OFF_T mem_skip(OPJ_OFF_T n, void *user) {
    jp2_mem *m = user;
    size_t limit = m->data != NULL ? m->len : SIZE_MAX / 2;
    if (n < 0) {
        size_t back = (size_t)(-(n + 1)) + 1u;
        if (back > m->pos) {
            return -1;
        }
        m->pos -= back;
        return n;
    }
    if ((uint64_t)n > limit - m->pos) {
        if (m->data != NULL) {
            OPJ_OFF_T done = (OPJ_OFF_T)(m->len - m->pos);
            m->pos = m->len;
            return done;
        }
        return -1;
    }
    m->pos += (size_t)n;
    return n;
}

static OPJ_BOOL mem_seek(OPJ_OFF_T n, void *user) {
    jp2_mem *m = user;
    if (n < 0 || (m->data != NULL && (uint64_t)n > m->len)) {
        return OPJ_FALSE;
    }
    m->pos = (size_t)n;
    return OPJ_TRUE;
}

static OPJ_SIZE_T mem_write(void *buf, OPJ_SIZE_T n, void *user) {
    jp2_mem *m = user;
    if (n > SIZE_MAX / 2 - m->pos) {
        m->failed = true;
        return (OPJ_SIZE_T)-1;
    }
    size_t end = m->pos + n;
    if (end > m->cap) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap < end) {
            cap *= 2;
        }
        uint8_t *p = realloc(m->out, cap);
        if (p == NULL) {
            m->failed = true;
            return (OPJ_SIZE_T)-1;
        }
        memset(p + m->cap, 0, cap - m->cap);
        m->out = p;
        m->cap = cap;
    }
    memcpy(m->out + m->pos, buf, n);
    m->pos = end;
    if (end > m->len) {
        m->len = end;
    }
    return n;
}

static opj_stream_t *make_stream(jp2_mem *m, bool input) {
    opj_stream_t *s = opj_stream_create(OPJ_J2K_STREAM_CHUNK_SIZE, input ? OPJ_TRUE : OPJ_FALSE);
    if (s == NULL) {
        return NULL;
    }
    opj_stream_set_user_data(s, m, NULL);
    if (input) {
        opj_stream_set_read_function(s, mem_read);
        opj_stream_set_user_data_length(s, m->len);
    } else {
        opj_stream_set_write_function(s, mem_write);
    }
    opj_stream_set_skip_function(s, mem_skip);
    opj_stream_set_seek_function(s, mem_seek);
    return s;
}

/* ---- JP2 boxes (resolution) ------------------------------------------------ */

/* Reads the box header at *off inside [0, end): *type, payload start and end.
 * false when the box does not fit (the walk then stops quietly: openjpeg judges
 * the file's validity, this only looks for an optional box). */
static bool next_box(const uint8_t *d, size_t end, size_t *off, uint32_t *type, size_t *pay,
                     size_t *pay_end) {
    size_t o = *off;
    if (end < 8 || o > end - 8) {
        return false;
    }
    uint64_t lbox =
        (uint64_t)d[o] << 24 | (uint64_t)d[o + 1] << 16 | (uint64_t)d[o + 2] << 8 | d[o + 3];
    *type =
        (uint32_t)d[o + 4] << 24 | (uint32_t)d[o + 5] << 16 | (uint32_t)d[o + 6] << 8 | d[o + 7];
    size_t hdr = 8;
    if (lbox == 1) {
        if (o > end - 16) {
            return false;
        }
        lbox = 0;
        for (int i = 0; i < 8; i++) {
            lbox = lbox << 8 | d[o + 8 + (size_t)i];
        }
        hdr = 16;
    } else if (lbox == 0) {
        lbox = end - o; /* to the end of the enclosing box */
    }
    if (lbox < hdr || lbox > end - o) {
        return false;
    }
    *pay = o + hdr;
    *pay_end = o + (size_t)lbox;
    *off = *pay_end;
    return true;
}

#define BOX(a, b, c, e) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (e))

/* Horizontal resolution in ppi of a resc/resd payload, or 0. */
static double res_ppi(const uint8_t *p, size_t n) {
    if (n != 10) {
        return 0.0;
    }
    unsigned hn = (unsigned)p[4] << 8 | p[5];
    unsigned hd = (unsigned)p[6] << 8 | p[7];
    int he = (int8_t)p[9];
    if (hn == 0 || hd == 0 || he < -10 || he > 10) {
        return 0.0;
    }
    double per_m = (double)hn / (double)hd;
    for (int i = 0; i < he; i++) {
        per_m *= 10.0;
    }
    for (int i = 0; i > he; i--) {
        per_m /= 10.0;
    }
    return img_ppi_from_metric(per_m, 0.0254);
}

static double jp2_file_ppi(const uint8_t *d, size_t len) {
    size_t off = 0, pay, pend;
    uint32_t type;
    while (next_box(d, len, &off, &type, &pay, &pend)) {
        if (type != BOX('j', 'p', '2', 'h')) {
            continue;
        }
        size_t o2 = pay, p2, e2;
        while (next_box(d, pend, &o2, &type, &p2, &e2)) {
            if (type != BOX('r', 'e', 's', ' ')) {
                continue;
            }
            double capture = 0.0, display = 0.0;
            size_t o3 = p2, p3, e3;
            while (next_box(d, e2, &o3, &type, &p3, &e3)) {
                if (type == BOX('r', 'e', 's', 'c')) {
                    capture = res_ppi(d + p3, e3 - p3);
                } else if (type == BOX('r', 'e', 's', 'd')) {
                    display = res_ppi(d + p3, e3 - p3);
                }
            }
            return capture > 0.0 ? capture : display;
        }
        return 0.0;
    }
    return 0.0;
}

/* ---- decoding -------------------------------------------------------------- */

static uint8_t sample8(const opj_image_comp_t *c, size_t i) {
    int32_t v = c->data[i];
    if (c->sgnd) {
        v += (int32_t)(1u << (c->prec - 1u));
    }
    if (v < 0) {
        v = 0;
    }
    uint32_t maxval = (1u << c->prec) - 1u;
    if ((uint32_t)v > maxval) {
        v = (int32_t)maxval;
    }
    return c->prec == 8 ? (uint8_t)v : img_scale8((uint32_t)v, maxval);
}

static mid_status fail_msg(mid_ctx *ctx, mid_status st, const jp2_msgs *msgs, const char *what) {
    const char *detail = msgs->error[0] ? msgs->error : msgs->warning;
    return core_fail(ctx, st, "JPEG 2000: %s%s%s", what, detail[0] ? ": " : "", detail);
}

mid_status img_decode_jp2(mid_ctx *ctx, const uint8_t *data, size_t len, mid_image **out) {
    bool jp2 = len >= sizeof(JP2_SIG) && memcmp(data, JP2_SIG, sizeof(JP2_SIG)) == 0;
    jp2_mem mem = {data, NULL, len, 0, 0, false};
    jp2_msgs msgs = {{0}, {0}};
    opj_codec_t *codec = opj_create_decompress(jp2 ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K);
    opj_stream_t *stream = make_stream(&mem, true);
    opj_image_t *im = NULL;
    mid_status st = MID_OK;
    if (codec == NULL || stream == NULL) {
        st = core_fail(ctx, MID_ERR_NOMEM, "JPEG 2000: out of memory");
        goto done;
    }
    set_handlers(codec, &msgs);
    opj_dparameters_t params;
    opj_set_default_decoder_parameters(&params);
    if (!opj_setup_decoder(codec, &params) || !opj_decoder_set_strict_mode(codec, OPJ_TRUE)) {
        st = fail_msg(ctx, MID_ERR_FORMAT, &msgs, "decoder setup failed");
        goto done;
    }
    if (!opj_read_header(stream, codec, &im) || im == NULL) {
        st = fail_msg(ctx, MID_ERR_FORMAT, &msgs, "cannot read the header");
        goto done;
    }
    /* Limits from the main header, before any tile is decoded. */
    if (im->x1 <= im->x0 || im->y1 <= im->y0) {
        st = core_fail(ctx, MID_ERR_FORMAT, "JPEG 2000: empty image area");
        goto done;
    }
    uint64_t w = (uint64_t)im->x1 - im->x0, h = (uint64_t)im->y1 - im->y0;
    if ((st = img_check_dims(ctx, "JPEG 2000", w, h)) != MID_OK) {
        goto done;
    }
    if (im->numcomps == 0 || im->numcomps > JP2_MAX_COMPONENTS) {
        st = core_fail(ctx, MID_ERR_UNSUPPORTED, "JPEG 2000: %u components (1..%u supported)",
                       (unsigned)im->numcomps, JP2_MAX_COMPONENTS);
        goto done;
    }
    for (unsigned c = 0; c < im->numcomps; c++) {
        if (im->comps[c].prec == 0 || im->comps[c].prec > JP2_MAX_PRECISION) {
            st = core_fail(ctx, MID_ERR_UNSUPPORTED, "JPEG 2000: component %u has %u-bit samples",
                           c, (unsigned)im->comps[c].prec);
            goto done;
        }
    }
    /* Only the luma component is needed when chroma cannot be used. */
    bool rgb = im->numcomps >= 3 && im->color_space != OPJ_CLRSPC_SYCC &&
               im->color_space != OPJ_CLRSPC_EYCC && im->color_space != OPJ_CLRSPC_CMYK;
    if (!rgb && im->numcomps > 1) {
        OPJ_UINT32 first = 0;
        if (!opj_set_decoded_components(codec, 1, &first, OPJ_FALSE)) {
            st = fail_msg(ctx, MID_ERR_FORMAT, &msgs, "cannot select the first component");
            goto done;
        }
    }
    if (!opj_decode(codec, stream, im) || !opj_end_decompress(codec, stream)) {
        st = fail_msg(ctx, MID_ERR_FORMAT, &msgs, "decoding failed");
        goto done;
    }
    const opj_image_comp_t *c0 = &im->comps[0];
    if (c0->data == NULL || c0->w == 0 || c0->h == 0 || c0->w > w || c0->h > h) {
        st = core_fail(ctx, MID_ERR_FORMAT, "JPEG 2000: no usable first component");
        goto done;
    }
    if (rgb) {
        for (unsigned c = 1; c < 3; c++) {
            const opj_image_comp_t *ci = &im->comps[c];
            if (ci->data == NULL || ci->w != c0->w || ci->h != c0->h || ci->prec != c0->prec) {
                rgb = false; /* subsampled chroma: keep the first component */
            }
        }
    }
    mid_image *img = NULL;
    if ((st = img_alloc(ctx, "JPEG 2000", c0->w, c0->h, jp2 ? jp2_file_ppi(data, len) : 0.0,
                        &img)) != MID_OK) {
        goto done;
    }
    size_t n = (size_t)c0->w * c0->h;
    for (size_t i = 0; i < n; i++) {
        img->pixels[i] = rgb ? img_luma(sample8(&im->comps[0], i), sample8(&im->comps[1], i),
                                        sample8(&im->comps[2], i))
                             : sample8(c0, i);
    }
    *out = img;
done:
    if (im != NULL) {
        for (unsigned c = 0; c < im->numcomps; c++) {
            if (im->comps[c].data != NULL) {
                core_wipe(im->comps[c].data,
                          (size_t)im->comps[c].w * im->comps[c].h * sizeof(OPJ_INT32));
            }
        }
        opj_image_destroy(im);
    }
    if (stream != NULL) {
        opj_stream_destroy(stream);
    }
    if (codec != NULL) {
        opj_destroy_codec(codec);
    }
    return st;
}

/* ---- encoding -------------------------------------------------------------- */

static void put32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Inserts a 'res ' superbox holding 'resc' at the end of the 'jp2h' box of the
 * JP2 file in m (openjpeg writes none). The JP2 format has no absolute offsets
 * outside the codestream, so growing jp2h only needs its own length updated. */
static mid_status add_resolution(mid_ctx *ctx, jp2_mem *m, double ppi) {
    double per_m = ppi / 0.0254;
    int e = 0;
    while (per_m > 65535.0) {
        per_m /= 10.0;
        e++;
    }
    unsigned n = (unsigned)(per_m + 0.5);
    uint8_t box[8 + 8 + 10];
    put32(box, sizeof(box));
    memcpy(box + 4, "res ", 4);
    put32(box + 8, 18);
    memcpy(box + 12, "resc", 4);
    uint8_t *r = box + 16;
    r[0] = r[4] = (uint8_t)(n >> 8);
    r[1] = r[5] = (uint8_t)n;
    r[2] = r[6] = 0;
    r[3] = r[7] = 1;
    r[8] = r[9] = (uint8_t)(int8_t)e;

    size_t off = 0, pay, pend;
    uint32_t type;
    while (next_box(m->out, m->len, &off, &type, &pay, &pend)) {
        if (type != BOX('j', 'p', '2', 'h')) {
            continue;
        }
        size_t start = pay - 8;
        if (pay - start != 8 || pend - start > UINT32_MAX - sizeof(box)) {
            break;
        }
        uint8_t *p = realloc(m->out, m->len + sizeof(box));
        if (p == NULL) {
            return core_fail(ctx, MID_ERR_NOMEM, "JPEG 2000 encode: out of memory");
        }
        m->out = p;
        m->cap = m->len + sizeof(box);
        memmove(p + pend + sizeof(box), p + pend, m->len - pend);
        memcpy(p + pend, box, sizeof(box));
        put32(p + start, (uint32_t)(pend - start + sizeof(box)));
        m->len += sizeof(box);
        return MID_OK;
    }
    return core_fail(ctx, MID_ERR_FORMAT, "JPEG 2000 encode: no jp2h box in openjpeg's output");
}

mid_status mid_image_encode_jp2(mid_ctx *ctx, const mid_image *img, double bitrate, void **out,
                                size_t *len) {
    if (img == NULL || out == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "jp2_encode: NULL argument");
    }
    *out = NULL;
    *len = 0;
    if (!(bitrate >= 0.0 && bitrate <= 8.0)) {
        return core_fail(ctx, MID_ERR_ARG, "jp2_encode: bitrate %g outside 0 (lossless)..8",
                         bitrate);
    }
    opj_image_cmptparm_t cp;
    memset(&cp, 0, sizeof(cp));
    cp.dx = cp.dy = 1;
    cp.w = img->width;
    cp.h = img->height;
    cp.prec = 8;
    cp.sgnd = 0;
    jp2_msgs msgs = {{0}, {0}};
    jp2_mem mem = {NULL, NULL, 0, 0, 0, false};
    opj_image_t *im = opj_image_create(1, &cp, OPJ_CLRSPC_GRAY);
    opj_codec_t *codec = opj_create_compress(OPJ_CODEC_JP2);
    opj_stream_t *stream = make_stream(&mem, false);
    mid_status st = MID_OK;
    if (im == NULL || codec == NULL || stream == NULL) {
        st = core_fail(ctx, MID_ERR_NOMEM, "JPEG 2000 encode: out of memory");
        goto done;
    }
    im->x0 = im->y0 = 0;
    im->x1 = img->width;
    im->y1 = img->height;
    for (size_t i = 0, n = (size_t)img->width * img->height; i < n; i++) {
        im->comps[0].data[i] = img->pixels[i];
    }
    set_handlers(codec, &msgs);
    opj_cparameters_t params;
    opj_set_default_encoder_parameters(&params);
    /* Each decomposition level halves the smallest side; openjpeg refuses more
     * levels than the image allows. */
    uint32_t side = img->width < img->height ? img->width : img->height;
    int levels = 1;
    while (levels < 6 && (side >> levels) > 0) {
        levels++;
    }
    params.numresolution = levels;
    params.tcp_numlayers = 1;
    params.cp_disto_alloc = 1;
    if (bitrate > 0.0) {
        params.irreversible = 1;
        params.tcp_rates[0] = (float)(8.0 / bitrate); /* compression ratio */
    } else {
        params.irreversible = 0;
        params.tcp_rates[0] = 0.0f; /* lossless */
    }
    if (!opj_setup_encoder(codec, &params, im) || !opj_start_compress(codec, im, stream) ||
        !opj_encode(codec, stream) || !opj_end_compress(codec, stream)) {
        st = mem.failed ? core_fail(ctx, MID_ERR_NOMEM, "JPEG 2000 encode: out of memory")
                        : fail_msg(ctx, MID_ERR_FORMAT, &msgs, "encoding failed");
        goto done;
    }
    if (img->ppi > 0.0) {
        st = add_resolution(ctx, &mem, img->ppi);
    }
done:
    if (stream != NULL) {
        opj_stream_destroy(stream);
    }
    if (codec != NULL) {
        opj_destroy_codec(codec);
    }
    if (im != NULL) {
        if (im->comps[0].data != NULL) {
            core_wipe(im->comps[0].data, (size_t)cp.w * cp.h * sizeof(OPJ_INT32));
        }
        opj_image_destroy(im);
    }
    if (st == MID_OK) {
        *out = mem.out;
        *len = mem.len;
    } else {
        free(mem.out);
    }
    return st;
}
