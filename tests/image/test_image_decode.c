/*
 * Decoder tests: every format decodes images built here (with libpng, libjpeg
 * and libtiff writers, or by hand for BMP, PGM and raw) to the expected grey
 * pixels and resolution, and corrupt, truncated, empty and oversized inputs
 * fail with the right status and a message.
 */
#include "support/testutil.h"

#include "core/core.h"
#include "mid/image.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

typedef struct tbuf {
    uint8_t *data;
    size_t len;
} tbuf;

static void tb_write(png_structp png, png_bytep d, size_t n) {
    tbuf *b = png_get_io_ptr(png);
    b->data = realloc(b->data, b->len + n);
    assert_non_null(b->data);
    memcpy(b->data + b->len, d, n);
    b->len += n;
}

static void tb_flush(png_structp png) {
    (void)png;
}

static tbuf tw_png(uint32_t w, uint32_t h, int color_type, int bit_depth, const uint8_t *samples,
                   const uint8_t *palette, int npal, const uint8_t *trns, int ntrns, uint32_t ppm,
                   int interlace) {
    tbuf b = {NULL, 0};
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(png);
    assert_non_null(info);
    if (setjmp(png_jmpbuf(png))) {
        fail_msg("libpng write failed");
    }
    png_set_write_fn(png, &b, tb_write, tb_flush);
    png_set_IHDR(png, info, w, h, bit_depth, color_type,
                 interlace ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT,
                 PNG_FILTER_TYPE_DEFAULT);
    if (palette) {
        png_color pal[256];
        for (int i = 0; i < npal; i++) {
            pal[i].red = palette[3 * i];
            pal[i].green = palette[3 * i + 1];
            pal[i].blue = palette[3 * i + 2];
        }
        png_set_PLTE(png, info, pal, npal);
    }
    if (trns) {
        png_set_tRNS(png, info, trns, ntrns, NULL);
    }
    if (ppm) {
        png_set_pHYs(png, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(png, info);
    int channels = color_type == PNG_COLOR_TYPE_RGB         ? 3
                   : color_type == PNG_COLOR_TYPE_RGB_ALPHA ? 4
                   : color_type == PNG_COLOR_TYPE_GA        ? 2
                                                            : 1;
    size_t rowbytes = ((size_t)w * channels * bit_depth + 7) / 8;
    int passes = png_set_interlace_handling(png);
    for (int p = 0; p < passes; p++) {
        for (uint32_t y = 0; y < h; y++) {
            png_write_row(png, samples + y * rowbytes);
        }
    }
    png_write_end(png, info);
    png_destroy_write_struct(&png, &info);
    return b;
}

static tbuf tw_jpeg(uint32_t w, uint32_t h, int components, const uint8_t *samples, int unit,
                    uint16_t density, int progressive) {
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr err;
    c.err = jpeg_std_error(&err);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long outlen = 0;
    jpeg_mem_dest(&c, &out, &outlen);
    c.image_width = w;
    c.image_height = h;
    c.input_components = components;
    c.in_color_space = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 95, TRUE);
    if (progressive) {
        jpeg_simple_progression(&c);
    }
    c.write_JFIF_header = TRUE;
    c.density_unit = (UINT8)unit;
    c.X_density = density;
    c.Y_density = density;
    jpeg_start_compress(&c, TRUE);
    while (c.next_scanline < h) {
        JSAMPROW row = (JSAMPROW)(samples + (size_t)c.next_scanline * w * components);
        jpeg_write_scanlines(&c, &row, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    tbuf b = {malloc(outlen), outlen};
    memcpy(b.data, out, outlen);
    free(out);
    return b;
}

static tbuf tw_tiff(uint32_t w, uint32_t h, int spp, int bps, int photometric, int compression,
                    const uint8_t *samples, const uint16_t *colormap, float xres, int unit) {
    const char *path = tu_temp_path("writer.tif");
    TIFF *t = TIFFOpen(path, "w");
    assert_non_null(t);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photometric);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, compression);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 3);
    if (colormap) {
        size_t n = (size_t)1 << bps;
        TIFFSetField(t, TIFFTAG_COLORMAP, colormap, colormap + n, colormap + 2 * n);
    }
    if (xres > 0) {
        TIFFSetField(t, TIFFTAG_XRESOLUTION, xres);
        TIFFSetField(t, TIFFTAG_YRESOLUTION, xres);
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, unit);
    }
    size_t rowbytes = ((size_t)w * spp * bps + 7) / 8;
    for (uint32_t y = 0; y < h; y++) {
        assert_int_equal(TIFFWriteScanline(t, (void *)(samples + y * rowbytes), y, 0), 1);
    }
    TIFFClose(t);
    tbuf b;
    b.data = tu_read_file(path, &b.len);
    return b;
}

/* CRC-32 (ISO 3309, as PNG uses it) of the chunk type and data, stored after them. */
static void tw_png_fix_crc(uint8_t *d, size_t type_off, size_t data_len) {
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < 4 + data_len; i++) {
        c ^= d[type_off + i];
        for (int k = 0; k < 8; k++) {
            c = (c >> 1) ^ (0xEDB88320u & (0u - (c & 1u)));
        }
    }
    c ^= 0xFFFFFFFFu;
    uint8_t *p = d + type_off + 4 + data_len;
    p[0] = (uint8_t)(c >> 24), p[1] = (uint8_t)(c >> 16), p[2] = (uint8_t)(c >> 8),
    p[3] = (uint8_t)c;
}

static uint8_t luma(unsigned r, unsigned g, unsigned b) {
    return (uint8_t)((299u * r + 587u * g + 114u * b + 500u) / 1000u);
}

static uint8_t pattern(uint32_t x, uint32_t y) {
    return (uint8_t)(x * 37u + y * 11u + (x * y) % 7u);
}

/* Decodes with the format forced (and again auto-detected when it has a
 * signature); returns the image, failing the test on error. */
static mid_image *decode_ok(const tbuf *b, mid_image_format fmt) {
    mid_decode_opts o = {0};
    o.format = fmt;
    mid_image *img = NULL;
    mid_status st = mid_image_decode(tu_ctx, b->data, b->len, &o, &img);
    if (st != MID_OK) {
        fail_msg("decode failed: %s: %s", mid_status_name(st), mid_ctx_error(tu_ctx));
    }
    if (fmt != MID_IMAGE_RAW) {
        mid_image *again = NULL;
        assert_int_equal(mid_image_decode(tu_ctx, b->data, b->len, NULL, &again), MID_OK);
        assert_int_equal(mid_image_width(again), mid_image_width(img));
        assert_memory_equal(mid_image_cpixels(again), mid_image_cpixels(img),
                            (size_t)mid_image_width(img) * mid_image_height(img));
        mid_image_free(again);
    }
    return img;
}

static mid_status decode_status(const void *data, size_t len, mid_image_format fmt) {
    mid_decode_opts o = {0};
    o.format = fmt;
    mid_image *img = (mid_image *)&o; /* must be reset to NULL on failure */
    mid_status st = mid_image_decode(tu_ctx, data, len, &o, &img);
    if (st == MID_OK) {
        mid_image_free(img);
    } else {
        assert_null(img);
        assert_true(strlen(mid_ctx_error(tu_ctx)) > 0);
    }
    return st;
}

/* Every prefix shorter than len - slack must fail as malformed/unsupported, with
 * a message, without crashing or leaking (ASan run). */
static void check_truncations(const tbuf *b, mid_image_format fmt, size_t slack) {
    size_t step = b->len > 3000 ? b->len / 1500 : 1;
    for (size_t cut = 0; cut + slack < b->len; cut += step) {
        mid_status st = decode_status(b->data, cut, fmt);
        if (st != MID_ERR_FORMAT && st != MID_ERR_UNSUPPORTED) {
            fail_msg("prefix of %zu/%zu bytes gave %s (%s)", cut, b->len, mid_status_name(st),
                     mid_ctx_error(tu_ctx));
        }
    }
}

static void assert_pixels(const mid_image *img, uint32_t w, uint32_t h, const uint8_t *expect) {
    assert_int_equal(mid_image_width(img), w);
    assert_int_equal(mid_image_height(img), h);
    assert_memory_equal(mid_image_cpixels(img), expect, (size_t)w * h);
}

/* ---------------------------------------------------------------- PNG */

static void test_png_grey_and_phys(void **state) {
    (void)state;
    enum { W = 13, H = 7 };
    uint8_t px[W * H];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            px[y * W + x] = pattern(x, y);
        }
    }
    tbuf b = tw_png(W, H, PNG_COLOR_TYPE_GRAY, 8, px, NULL, 0, NULL, 0, 19685, 0);
    mid_image *img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, px);
    assert_true(mid_image_ppi(img) == 500.0); /* 19685 px/m snaps to 500 ppi */
    mid_image_free(img);
    free(b.data);
    /* A 1x1 pHYs is a placeholder: resolution unknown. */
    b = tw_png(W, H, PNG_COLOR_TYPE_GRAY, 8, px, NULL, 0, NULL, 0, 1, 1);
    img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, px);
    assert_true(mid_image_ppi(img) == 0.0);
    mid_image_free(img);
    free(b.data);
}

static void test_png_colour_types(void **state) {
    (void)state;
    enum { W = 9, H = 5, N = W * H };
    uint8_t rgba[N * 4], expect[N], buf[N * 8];
    for (int i = 0; i < N; i++) {
        rgba[4 * i] = (uint8_t)(i * 5), rgba[4 * i + 1] = (uint8_t)(255 - i * 3);
        rgba[4 * i + 2] = (uint8_t)(i * 11), rgba[4 * i + 3] = (uint8_t)(i * 6);
    }
    /* RGB */
    for (int i = 0; i < N; i++) {
        memcpy(buf + 3 * i, rgba + 4 * i, 3);
        expect[i] = luma(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]);
    }
    tbuf b = tw_png(W, H, PNG_COLOR_TYPE_RGB, 8, buf, NULL, 0, NULL, 0, 0, 0);
    mid_image *img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* RGBA: alpha composited on white (alpha 0 gives white). */
    for (int i = 0; i < N; i++) {
        unsigned a = rgba[4 * i + 3];
        expect[i] = (uint8_t)((luma(rgba[4 * i], rgba[4 * i + 1], rgba[4 * i + 2]) * a +
                               255u * (255u - a) + 127u) /
                              255u);
    }
    b = tw_png(W, H, PNG_COLOR_TYPE_RGB_ALPHA, 8, rgba, NULL, 0, NULL, 0, 0, 1);
    img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, expect);
    assert_int_equal(mid_image_cpixels(img)[0], 255);
    mid_image_free(img);
    free(b.data);
    /* 16-bit grey: v * 257 must come back as v. */
    for (int i = 0; i < N; i++) {
        expect[i] = (uint8_t)(i * 5);
        buf[2 * i] = expect[i], buf[2 * i + 1] = expect[i];
    }
    b = tw_png(W, H, PNG_COLOR_TYPE_GRAY, 16, buf, NULL, 0, NULL, 0, 0, 0);
    img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* 4-bit palette with a transparent entry. */
    uint8_t pal[16 * 3], trns[2] = {255, 0};
    for (int i = 0; i < 16; i++) {
        pal[3 * i] = (uint8_t)(i * 16), pal[3 * i + 1] = (uint8_t)(i * 8),
                pal[3 * i + 2] = (uint8_t)(255 - i * 16);
    }
    size_t rowbytes = (W + 1) / 2;
    memset(buf, 0, sizeof(buf));
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            unsigned idx = (unsigned)(x + y) % 16u;
            buf[y * rowbytes + x / 2] |= (uint8_t)(x % 2 ? idx : idx << 4);
            expect[y * W + x] =
                idx == 1 ? 255 : luma(pal[3 * idx], pal[3 * idx + 1], pal[3 * idx + 2]);
        }
    }
    b = tw_png(W, H, PNG_COLOR_TYPE_PALETTE, 4, buf, pal, 16, trns, 2, 0, 0);
    img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* 1-bit grey, interlaced. */
    rowbytes = (W + 7) / 8;
    memset(buf, 0, sizeof(buf));
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int on = (x * y) % 3 == 0;
            buf[y * rowbytes + x / 8] |= (uint8_t)(on << (7 - x % 8));
            expect[y * W + x] = on ? 255 : 0;
        }
    }
    b = tw_png(W, H, PNG_COLOR_TYPE_GRAY, 1, buf, NULL, 0, NULL, 0, 0, 1);
    img = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
}

static void test_png_corrupt(void **state) {
    (void)state;
    enum { W = 40, H = 30 };
    uint8_t px[W * H];
    for (int i = 0; i < W * H; i++) {
        px[i] = (uint8_t)(i * 7);
    }
    tbuf b = tw_png(W, H, PNG_COLOR_TYPE_GRAY, 8, px, NULL, 0, NULL, 0, 0, 0);
    /* The IEND chunk (12 bytes) is not needed once every row is in. */
    check_truncations(&b, MID_IMAGE_PNG, 12);
    assert_int_equal(decode_status(b.data, 0, MID_IMAGE_PNG), MID_ERR_FORMAT);
    assert_int_equal(decode_status(b.data, 0, MID_IMAGE_AUTO), MID_ERR_FORMAT);
    /* Flipped bit in the image data: the CRC check catches it. */
    b.data[b.len - 20] ^= 0x10;
    assert_int_equal(decode_status(b.data, b.len, MID_IMAGE_PNG), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "PNG"));
    b.data[b.len - 20] ^= 0x10;
    /* IHDR claiming 100000 x 100000 (valid CRC): refused by the limit, fast. */
    uint8_t *ihdr = b.data + 16;
    uint32_t big = 100000;
    for (int k = 0; k < 2; k++) {
        ihdr[4 * k] = (uint8_t)(big >> 24), ihdr[4 * k + 1] = (uint8_t)(big >> 16);
        ihdr[4 * k + 2] = (uint8_t)(big >> 8), ihdr[4 * k + 3] = (uint8_t)big;
    }
    tw_png_fix_crc(b.data, 12, 13);
    assert_int_equal(decode_status(b.data, b.len, MID_IMAGE_PNG), MID_ERR_LIMIT);
    /* 8000 x 8000 passes the side check but not the area limit. */
    big = 8000;
    for (int k = 0; k < 2; k++) {
        ihdr[4 * k] = (uint8_t)(big >> 24), ihdr[4 * k + 1] = (uint8_t)(big >> 16);
        ihdr[4 * k + 2] = (uint8_t)(big >> 8), ihdr[4 * k + 3] = (uint8_t)big;
    }
    tw_png_fix_crc(b.data, 12, 13);
    assert_int_equal(decode_status(b.data, b.len, MID_IMAGE_PNG), MID_ERR_LIMIT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "limit"));
    free(b.data);
}

static void test_png_encode_roundtrip(void **state) {
    (void)state;
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(tu_ctx, 31, 17, 500.0, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    for (int i = 0; i < 31 * 17; i++) {
        p[i] = (uint8_t)(i * 13);
    }
    void *enc = NULL;
    size_t len = 0;
    assert_int_equal(mid_image_encode_png(tu_ctx, img, &enc, &len), MID_OK);
    tbuf b = {enc, len};
    mid_image *back = decode_ok(&b, MID_IMAGE_PNG);
    assert_pixels(back, 31, 17, p);
    assert_true(mid_image_ppi(back) == 500.0);
    mid_image_free(back);
    mid_free(enc);
    const char *path = tu_temp_path("enc.png");
    assert_int_equal(mid_image_save_png(tu_ctx, img, path), MID_OK);
    mid_decode_opts o = {0};
    o.ppi = 569.0;
    assert_int_equal(mid_image_load(tu_ctx, path, &o, &back), MID_OK);
    assert_pixels(back, 31, 17, p);
    assert_true(mid_image_ppi(back) == 569.0); /* override beats the file */
    mid_image_free(back);
    /* Unknown resolution: no pHYs, decodes to 0. */
    mid_image_set_ppi(img, 0.0);
    assert_int_equal(mid_image_encode_png(tu_ctx, img, &enc, &len), MID_OK);
    for (size_t i = 0; i + 4 <= len; i++) {
        assert_false(memcmp((const uint8_t *)enc + i, "pHYs", 4) == 0);
    }
    mid_free(enc);
    mid_image_free(img);
}

/* ---------------------------------------------------------------- JPEG */

static double mad(const uint8_t *a, const uint8_t *b, size_t n) {
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        s += a[i] > b[i] ? a[i] - b[i] : b[i] - a[i];
    }
    return s / (double)n;
}

static void test_jpeg(void **state) {
    (void)state;
    enum { W = 48, H = 40, N = W * H };
    uint8_t grey[N], rgb[N * 3], expect[N];
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int i = y * W + x;
            grey[i] = (uint8_t)(x < W / 2 ? 40 + y : 200 - x);
            rgb[3 * i] = (uint8_t)(x * 5), rgb[3 * i + 1] = (uint8_t)(y * 6),
                    rgb[3 * i + 2] = (uint8_t)(128);
            expect[i] = luma(rgb[3 * i], rgb[3 * i + 1], rgb[3 * i + 2]);
        }
    }
    tbuf b = tw_jpeg(W, H, 1, grey, 1, 500, 0);
    mid_image *img = decode_ok(&b, MID_IMAGE_JPEG);
    assert_int_equal(mid_image_width(img), W);
    assert_int_equal(mid_image_height(img), H);
    assert_true(mad(mid_image_cpixels(img), grey, N) < 1.5);
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    check_truncations(&b, MID_IMAGE_JPEG, 2);
    /* SOF claiming 65000 x 65000: refused before any allocation. */
    for (size_t i = 2; i + 9 < b.len; i++) {
        if (b.data[i] == 0xFF && b.data[i + 1] == 0xC0) {
            b.data[i + 5] = 0xFD, b.data[i + 6] = 0xE8, b.data[i + 7] = 0xFD, b.data[i + 8] = 0xE8;
            break;
        }
    }
    assert_int_equal(decode_status(b.data, b.len, MID_IMAGE_JPEG), MID_ERR_LIMIT);
    free(b.data);
    /* Colour, progressive, 197 dots per cm = 500 ppi. */
    b = tw_jpeg(W, H, 3, rgb, 2, 197, 1);
    img = decode_ok(&b, MID_IMAGE_JPEG);
    assert_true(mad(mid_image_cpixels(img), expect, N) < 2.0);
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    check_truncations(&b, MID_IMAGE_JPEG, 2);
    free(b.data);
    /* Aspect-ratio-only density: unknown. */
    b = tw_jpeg(W, H, 1, grey, 0, 1, 0);
    img = decode_ok(&b, MID_IMAGE_JPEG);
    assert_true(mid_image_ppi(img) == 0.0);
    mid_image_free(img);
    free(b.data);
    const uint8_t junk[] = {0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x02, 0x12, 0x34};
    assert_int_equal(decode_status(junk, sizeof(junk), MID_IMAGE_AUTO), MID_ERR_FORMAT);
}

/* ---------------------------------------------------------------- BMP */

static void put16(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v) {
    put16(p, v & 0xFFFFu);
    put16(p + 2, v >> 16);
}

typedef struct bmp_spec {
    uint32_t hsize;
    int32_t w, h;
    unsigned bpp;
    uint32_t compression;
    uint32_t xppm;
    const uint8_t *pal; /* BGR triples */
    uint32_t npal;
    const uint32_t *masks; /* 3 or 4 */
    unsigned nmasks;
    const uint8_t *bits;
    size_t nbits;
} bmp_spec;

static tbuf make_bmp(const bmp_spec *s) {
    const int core = s->hsize == 12;
    size_t extra = s->hsize == 40 ? 4u * s->nmasks : 0;
    size_t ent = core ? 3 : 4;
    size_t off = 14 + s->hsize + extra + ent * s->npal;
    tbuf b = {calloc(1, off + s->nbits), off + s->nbits};
    uint8_t *d = b.data;
    d[0] = 'B', d[1] = 'M';
    put32(d + 2, (uint32_t)b.len);
    put32(d + 10, (uint32_t)off);
    uint8_t *h = d + 14;
    put32(h, s->hsize);
    if (core) {
        put16(h + 4, (uint32_t)s->w), put16(h + 6, (uint32_t)s->h), put16(h + 8, 1);
        put16(h + 10, s->bpp);
    } else {
        put32(h + 4, (uint32_t)s->w), put32(h + 8, (uint32_t)s->h), put16(h + 12, 1);
        put16(h + 14, s->bpp), put32(h + 16, s->compression);
        put32(h + 20, (uint32_t)s->nbits), put32(h + 24, s->xppm), put32(h + 28, s->xppm);
        put32(h + 32, s->npal);
        for (unsigned i = 0; i < s->nmasks; i++) {
            put32(h + 40 + 4 * i, s->masks[i]); /* in the header (V2+) or after it */
        }
    }
    uint8_t *p = d + 14 + s->hsize + extra;
    for (uint32_t i = 0; i < s->npal; i++) {
        memcpy(p + i * ent, s->pal + 3 * i, 3);
    }
    memcpy(d + off, s->bits, s->nbits);
    return b;
}

static void test_bmp_formats(void **state) {
    (void)state;
    enum { W = 5, H = 3, N = W * H };
    uint8_t bits[256], expect[N];
    uint8_t pal[16 * 3];
    for (int i = 0; i < 16; i++) {
        pal[3 * i] = (uint8_t)(i * 15), pal[3 * i + 1] = (uint8_t)(100 + i),
                pal[3 * i + 2] = (uint8_t)(255 - i * 9);
    }
#define PALY(i) luma(pal[3 * (i) + 2], pal[3 * (i) + 1], pal[3 * (i)])
    /* 24-bit bottom-up, stride 16. */
    memset(bits, 0, sizeof(bits));
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            uint8_t *q = bits + (H - 1 - y) * 16 + 3 * x; /* B, G, R */
            q[0] = (uint8_t)(x * 40), q[1] = (uint8_t)(y * 70), q[2] = (uint8_t)(x + y * 50);
            expect[y * W + x] = luma(q[2], q[1], q[0]);
        }
    }
    bmp_spec s = {40, W, H, 24, 0, 19685, NULL, 0, NULL, 0, bits, 16 * H};
    tbuf b = make_bmp(&s);
    mid_image *img = decode_ok(&b, MID_IMAGE_BMP);
    assert_pixels(img, W, H, expect);
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    check_truncations(&b, MID_IMAGE_BMP, 1);
    free(b.data);
    /* Same, top-down with a V5 header. */
    uint8_t flip[64];
    for (int y = 0; y < H; y++) {
        memcpy(flip + y * 16, bits + (H - 1 - y) * 16, 16);
    }
    s.hsize = 124, s.h = -H, s.bits = flip;
    b = make_bmp(&s);
    img = decode_ok(&b, MID_IMAGE_BMP);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* 8-bit and 4-bit and 1-bit palette, 16-entry palette (and core header for 4-bit). */
    for (unsigned bpp = 1; bpp <= 8; bpp *= 2) {
        if (bpp == 2) {
            continue;
        }
        size_t stride = ((W * bpp + 31) / 32) * 4;
        memset(bits, 0, sizeof(bits));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                unsigned idx = (unsigned)(x * 3 + y) % (bpp == 1 ? 2u : 16u);
                uint8_t *row = bits + (H - 1 - y) * stride;
                if (bpp == 8) {
                    row[x] = (uint8_t)idx;
                } else if (bpp == 4) {
                    row[x / 2] |= (uint8_t)(x % 2 ? idx : idx << 4);
                } else {
                    row[x / 8] |= (uint8_t)(idx << (7 - x % 8));
                }
                expect[y * W + x] = PALY(idx);
            }
        }
        bmp_spec sp = {bpp == 4 ? 12u : 40u, W,    H, bpp,  0,         0, pal,
                       bpp == 1 ? 2u : 16u,  NULL, 0, bits, stride * H};
        b = make_bmp(&sp);
        img = decode_ok(&b, MID_IMAGE_BMP);
        assert_pixels(img, W, H, expect);
        assert_true(mid_image_ppi(img) == 0.0);
        mid_image_free(img);
        /* The last row's padding may be missing. */
        check_truncations(&b, MID_IMAGE_BMP, stride - (W * bpp + 7) / 8);
        if (bpp == 8) {
            /* An index past the 16-entry palette. */
            b.data[b.len - 1 - 3] = 200;
            assert_int_equal(decode_status(b.data, b.len, MID_IMAGE_BMP), MID_ERR_FORMAT);
            assert_non_null(strstr(mid_ctx_error(tu_ctx), "palette index"));
        }
        free(b.data);
    }
    /* 16-bit default 5-5-5, then 5-6-5 bit fields, 32-bit with alpha (V4). */
    uint32_t m565[3] = {0xF800, 0x07E0, 0x001F};
    for (int variant = 0; variant < 3; variant++) {
        size_t stride = variant == 2 ? W * 4 : ((W * 16 + 31) / 32) * 4;
        memset(bits, 0, sizeof(bits));
        for (int y = 0; y < H; y++) {
            for (int x = 0; x < W; x++) {
                unsigned r = (unsigned)(x * 7) % 32, g = (unsigned)(y * 9 + x) % 32,
                         bl = (unsigned)(x + y) % 32;
                uint8_t *q = bits + (H - 1 - y) * stride;
                if (variant == 0) {
                    put16(q + 2 * x, (r << 10) | (g << 5) | bl);
                    expect[y * W + x] =
                        luma((r * 255 + 15) / 31, (g * 255 + 15) / 31, (bl * 255 + 15) / 31);
                } else if (variant == 1) {
                    unsigned g6 = g * 2;
                    put16(q + 2 * x, (r << 11) | (g6 << 5) | bl);
                    expect[y * W + x] =
                        luma((r * 255 + 15) / 31, (g6 * 255 + 31) / 63, (bl * 255 + 15) / 31);
                } else {
                    unsigned a = (unsigned)(x * 60);
                    put32(q + 4 * x, (a << 24) | ((r * 8) << 16) | ((g * 8) << 8) | (bl * 8));
                    uint8_t yv = luma(r * 8, g * 8, bl * 8);
                    expect[y * W + x] = (uint8_t)((yv * a + 255 * (255 - a) + 127) / 255);
                }
            }
        }
        uint32_t m8888[4] = {0xFF0000, 0xFF00, 0xFF, 0xFF000000u};
        bmp_spec sp = {variant == 2 ? 108u : 40u,
                       W,
                       H,
                       variant == 2 ? 32u : 16u,
                       variant == 0 ? 0u : 3u,
                       0,
                       NULL,
                       0,
                       variant == 2 ? m8888 : m565,
                       variant == 0 ? 0u : (variant == 2 ? 4u : 3u),
                       bits,
                       stride * H};
        b = make_bmp(&sp);
        img = decode_ok(&b, MID_IMAGE_BMP);
        assert_pixels(img, W, H, expect);
        mid_image_free(img);
        free(b.data);
    }
}

static void test_bmp_rle_and_errors(void **state) {
    (void)state;
    uint8_t pal[4 * 3] = {0, 0, 0, 255, 255, 255, 0, 0, 255, 0, 255, 0};
    /* 4x3 RLE8: bottom row "1 1 1 1", then delta, then absolute "2 3 1", end. */
    const uint8_t rle8[] = {4, 1, 0, 0, 0, 2, 1, 0, 0, 3, 2, 3, 1, 0, 0, 0, 0, 1};
    bmp_spec s = {40, 4, 3, 8, 1, 0, pal, 4, NULL, 0, rle8, sizeof(rle8)};
    tbuf b = make_bmp(&s);
    mid_image *img = decode_ok(&b, MID_IMAGE_BMP);
    const uint8_t p0 = 0, p1 = 255, p2 = luma(255, 0, 0), p3 = luma(0, 255, 0);
    /* Rows top to bottom: untouched (entry 0); delta to x=1 then 2 3 1; 1 1 1 1. */
    const uint8_t expect8[12] = {p0, p0, p0, p0, p0, p2, p3, p1, p1, p1, p1, p1};
    assert_pixels(img, 4, 3, expect8);
    mid_image_free(img);
    check_truncations(&b, MID_IMAGE_BMP, 1);
    free(b.data);
    /* RLE4: 5 pixels alternating 1,2 then absolute 3 pixels 3,0,3 on the next row. */
    const uint8_t rle4[] = {5, 0x12, 0, 0, 0, 3, 0x30, 0x30, 0, 1};
    bmp_spec s4 = {40, 5, 2, 4, 2, 0, pal, 4, NULL, 0, rle4, sizeof(rle4)};
    b = make_bmp(&s4);
    img = decode_ok(&b, MID_IMAGE_BMP);
    const uint8_t expect4[10] = {p3, p0, p3, p0, p0, p1, p2, p1, p2, p1};
    assert_pixels(img, 5, 2, expect4);
    mid_image_free(img);
    free(b.data);
    /* Hostile headers. */
    uint8_t hdr[54] = {'B', 'M'};
    put32(hdr + 10, 54), put32(hdr + 14, 40), put32(hdr + 18, 100000), put32(hdr + 22, 100000);
    put16(hdr + 26, 1), put16(hdr + 28, 24);
    assert_int_equal(decode_status(hdr, sizeof(hdr), MID_IMAGE_AUTO), MID_ERR_LIMIT);
    put32(hdr + 18, 0);
    assert_int_equal(decode_status(hdr, sizeof(hdr), MID_IMAGE_BMP), MID_ERR_FORMAT);
    put32(hdr + 18, 4), put32(hdr + 22, 4), put32(hdr + 14, 77);
    assert_int_equal(decode_status(hdr, sizeof(hdr), MID_IMAGE_BMP), MID_ERR_UNSUPPORTED);
    put32(hdr + 14, 40), put32(hdr + 30, 4); /* BI_JPEG */
    assert_int_equal(decode_status(hdr, sizeof(hdr), MID_IMAGE_BMP), MID_ERR_UNSUPPORTED);
    put32(hdr + 30, 0);
    assert_int_equal(decode_status(hdr, sizeof(hdr), MID_IMAGE_BMP), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "BMP"));
    /* A 20-byte file claiming a huge image fails with the limit through load(). */
    const char *path = tu_temp_path("huge.pgm");
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs("P5 100000 100000 255\n", f);
    fclose(f);
    assert_int_equal(mid_image_load(tu_ctx, path, NULL, &img), MID_ERR_LIMIT);
    assert_null(img);
    assert_int_equal(mid_image_load(tu_ctx, tu_temp_path("absent.png"), NULL, &img), MID_ERR_IO);
}

/* ---------------------------------------------------------------- TIFF */

static void test_tiff_kinds(void **state) {
    (void)state;
    enum { W = 11, H = 7, N = W * H };
    uint8_t px[N * 6], expect[N];
    for (int i = 0; i < N; i++) {
        px[i] = (uint8_t)(i * 3 + 1);
    }
    const int comps[4] = {COMPRESSION_NONE, COMPRESSION_LZW, COMPRESSION_PACKBITS,
                          COMPRESSION_ADOBE_DEFLATE};
    for (int c = 0; c < 4; c++) {
        tbuf b =
            tw_tiff(W, H, 1, 8, PHOTOMETRIC_MINISBLACK, comps[c], px, NULL, 500.0f, RESUNIT_INCH);
        mid_image *img = decode_ok(&b, MID_IMAGE_TIFF);
        assert_pixels(img, W, H, px);
        assert_true(mid_image_ppi(img) == 500.0);
        mid_image_free(img);
        check_truncations(&b, MID_IMAGE_TIFF, 0);
        free(b.data);
    }
    /* Min-is-white, resolution in cm; dummy 1x1 resolution. */
    for (int i = 0; i < N; i++) {
        expect[i] = (uint8_t)(255 - px[i]);
    }
    tbuf b = tw_tiff(W, H, 1, 8, PHOTOMETRIC_MINISWHITE, COMPRESSION_NONE, px, NULL, 196.85f,
                     RESUNIT_CENTIMETER);
    mid_image *img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    free(b.data);
    b = tw_tiff(W, H, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, px, NULL, 1.0f, RESUNIT_INCH);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_true(mid_image_ppi(img) == 0.0);
    mid_image_free(img);
    free(b.data);
    /* 8-bit palette (LZW) and 4-bit palette. */
    uint16_t cmap[3 * 256];
    for (int i = 0; i < 256; i++) {
        cmap[i] = (uint16_t)(i * 257), cmap[256 + i] = (uint16_t)((255 - i) * 257),
        cmap[512 + i] = (uint16_t)(((i * 7) & 255) * 257);
    }
    for (int i = 0; i < N; i++) {
        unsigned idx = px[i];
        expect[i] = luma(idx, 255 - idx, (idx * 7) & 255);
    }
    b = tw_tiff(W, H, 1, 8, PHOTOMETRIC_PALETTE, COMPRESSION_LZW, px, cmap, 0, 0);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    uint16_t cmap4[3 * 16];
    for (int i = 0; i < 16; i++) {
        cmap4[i] = (uint16_t)(i * 17 * 257), cmap4[16 + i] = (uint16_t)(65535 - i * 4000),
        cmap4[32 + i] = (uint16_t)(i * 1000);
    }
    uint8_t p4[N];
    memset(p4, 0, sizeof(p4));
    size_t rb = (W + 1) / 2;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            unsigned idx = (unsigned)(x + 2 * y) % 16u;
            p4[y * rb + x / 2] |= (uint8_t)(x % 2 ? idx : idx << 4);
            expect[y * W + x] = luma(cmap4[idx] >> 8, cmap4[16 + idx] >> 8, cmap4[32 + idx] >> 8);
        }
    }
    b = tw_tiff(W, H, 1, 4, PHOTOMETRIC_PALETTE, COMPRESSION_NONE, p4, cmap4, 0, 0);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* RGB. */
    for (int i = 0; i < N; i++) {
        px[3 * i] = (uint8_t)(i * 3), px[3 * i + 1] = (uint8_t)(200 - i), px[3 * i + 2] = 77;
        expect[i] = luma(px[3 * i], px[3 * i + 1], px[3 * i + 2]);
    }
    b = tw_tiff(W, H, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, px, NULL, 0, 0);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* 16-bit grey (native byte order, as libtiff writes it). */
    uint16_t p16[N];
    for (int i = 0; i < N; i++) {
        expect[i] = (uint8_t)(i * 3);
        p16[i] = (uint16_t)(expect[i] * 257);
    }
    b = tw_tiff(W, H, 1, 16, PHOTOMETRIC_MINISBLACK, COMPRESSION_ADOBE_DEFLATE, (uint8_t *)p16,
                NULL, 0, 0);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
    /* 1-bit bilevel, PackBits. */
    uint8_t p1[N];
    memset(p1, 0, sizeof(p1));
    rb = (W + 7) / 8;
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int on = (x + y) % 3 == 0;
            p1[y * rb + x / 8] |= (uint8_t)(on << (7 - x % 8));
            expect[y * W + x] = on ? 255 : 0;
        }
    }
    b = tw_tiff(W, H, 1, 1, PHOTOMETRIC_MINISBLACK, COMPRESSION_PACKBITS, p1, NULL, 0, 0);
    img = decode_ok(&b, MID_IMAGE_TIFF);
    assert_pixels(img, W, H, expect);
    mid_image_free(img);
    free(b.data);
}

static void test_tiff_hostile(void **state) {
    (void)state;
    /* Little-endian TIFF, one IFD: 100000 x 100000 8-bit grey, one strip. */
    uint8_t t[8 + 2 + 8 * 12 + 4];
    memset(t, 0, sizeof(t));
    t[0] = 'I', t[1] = 'I', t[2] = 42;
    put32(t + 4, 8);
    put16(t + 8, 8);
    const uint16_t tags[8][3] = {{256, 4, 0}, {257, 4, 0}, {258, 3, 8}, {262, 3, 1},
                                 {273, 4, 8}, {277, 3, 1}, {278, 4, 1}, {279, 4, 100}};
    for (int i = 0; i < 8; i++) {
        uint8_t *e = t + 10 + 12 * i;
        put16(e, tags[i][0]), put16(e + 2, tags[i][1]), put32(e + 4, 1);
        put32(e + 8, i < 2 ? 100000u : tags[i][2]);
    }
    assert_int_equal(decode_status(t, sizeof(t), MID_IMAGE_AUTO), MID_ERR_LIMIT);
    /* Now 10 x 10 whose strip lies past the end of the file. */
    put32(t + 10 + 8, 10), put32(t + 22 + 8, 10), put32(t + 10 + 12 * 4 + 8, 5000);
    assert_int_equal(decode_status(t, sizeof(t), MID_IMAGE_TIFF), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "TIFF"));
    /* Bad magic after the byte order. */
    const uint8_t bad[8] = {'I', 'I', 42, 0, 0xFF, 0xFF, 0xFF, 0x7F};
    assert_int_equal(decode_status(bad, sizeof(bad), MID_IMAGE_TIFF), MID_ERR_FORMAT);
}

/* ---------------------------------------------------------------- PGM, raw */

static void test_pgm(void **state) {
    (void)state;
    const char p5[] = "P5\n# comment\n3 2\n255\n\x01\x02\x03\x04\x05\xff";
    const uint8_t e5[6] = {1, 2, 3, 4, 5, 255};
    tbuf b = {(uint8_t *)p5, sizeof(p5) - 1};
    mid_image *img = decode_ok(&b, MID_IMAGE_PGM);
    assert_pixels(img, 3, 2, e5);
    assert_true(mid_image_ppi(img) == 0.0);
    mid_image_free(img);
    check_truncations(&b, MID_IMAGE_PGM, 0);
    const char p2[] = "P2 # plain\n3 2 # size\n15\n0 1 2\n3 14 15\n";
    const uint8_t e2[6] = {0, 17, 34, 51, 238, 255};
    b = (tbuf){(uint8_t *)p2, sizeof(p2) - 1};
    img = decode_ok(&b, MID_IMAGE_PGM);
    assert_pixels(img, 3, 2, e2);
    mid_image_free(img);
    const char p5w[] = "P5 2 1 65535\n\x12\x34\xff\xff";
    const uint8_t e5w[2] = {(0x1234 * 255 + 32767) / 65535, 255};
    b = (tbuf){(uint8_t *)p5w, sizeof(p5w) - 1};
    img = decode_ok(&b, MID_IMAGE_PGM);
    assert_pixels(img, 2, 1, e5w);
    mid_image_free(img);
    const char p6[] = "P6 2 1 255\n\xff\x00\x00\x10\x20\x30";
    const uint8_t e6[2] = {luma(255, 0, 0), luma(16, 32, 48)};
    b = (tbuf){(uint8_t *)p6, sizeof(p6) - 1};
    img = decode_ok(&b, MID_IMAGE_PGM);
    assert_pixels(img, 2, 1, e6);
    mid_image_free(img);
    const char p3[] = "P3 1 1 255 0 255 0";
    const uint8_t e3[1] = {luma(0, 255, 0)};
    b = (tbuf){(uint8_t *)p3, sizeof(p3) - 1};
    img = decode_ok(&b, MID_IMAGE_PGM);
    assert_pixels(img, 1, 1, e3);
    mid_image_free(img);
    assert_int_equal(decode_status("P2 2 1 15 3 16", 14, MID_IMAGE_PGM), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "maxval"));
    assert_int_equal(decode_status("P5 2 1 0\n\0\0", 11, MID_IMAGE_PGM), MID_ERR_FORMAT);
    assert_int_equal(decode_status("P5 2 1 70000\n\0\0", 15, MID_IMAGE_PGM), MID_ERR_FORMAT);
    assert_int_equal(decode_status("P5 9000 2 255\n", 14, MID_IMAGE_PGM), MID_ERR_LIMIT);
    assert_int_equal(decode_status("P5 0 2 255\n", 11, MID_IMAGE_PGM), MID_ERR_FORMAT);
    assert_int_equal(decode_status("P5 99999999999 2 255\n", 21, MID_IMAGE_PGM), MID_ERR_LIMIT);
}

static void test_raw_and_dispatch(void **state) {
    (void)state;
    uint8_t px[12];
    for (int i = 0; i < 12; i++) {
        px[i] = (uint8_t)(i * 20);
    }
    mid_decode_opts o = {0};
    o.format = MID_IMAGE_RAW;
    o.raw_width = 4, o.raw_height = 3;
    mid_image *img = NULL;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_OK);
    assert_pixels(img, 4, 3, px);
    mid_image_free(img);
    assert_int_equal(mid_image_decode(tu_ctx, px, 11, &o, &img), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "exactly 12"));
    o.raw_width = 0;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_ERR_ARG);
    /* Auto-detection falls back to raw only with dimensions. */
    o.format = MID_IMAGE_AUTO;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_ERR_UNSUPPORTED);
    o.raw_width = 4;
    o.ppi = 569.0;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_OK);
    assert_true(mid_image_ppi(img) == 569.0);
    mid_image_free(img);
    /* Overrides outside the accepted range are the caller's error. */
    o.ppi = 50.0;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_ERR_ARG);
    o.ppi = 5000.0;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_ERR_ARG);
    o.ppi = 0.0;
    o.format = (mid_image_format)99;
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, &o, &img), MID_ERR_ARG);
    assert_int_equal(mid_image_decode(tu_ctx, px, 12, NULL, NULL), MID_ERR_ARG);
    /* TIFF ppi 500 in the file, override wins. */
    tbuf b = tw_tiff(4, 3, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, px, NULL, 500.0f,
                     RESUNIT_INCH);
    o = (mid_decode_opts){0};
    o.ppi = 569.0;
    assert_int_equal(mid_image_decode(tu_ctx, b.data, b.len, &o, &img), MID_OK);
    assert_true(mid_image_ppi(img) == 569.0);
    mid_image_free(img);
    free(b.data);
    /* create/accessors */
    assert_int_equal(mid_image_create(tu_ctx, 0, 3, 0, &img), MID_ERR_ARG);
    assert_int_equal(mid_image_create(tu_ctx, 3, 3, 5.0, &img), MID_ERR_ARG);
    assert_int_equal(mid_image_create(tu_ctx, 9000, 3, 0, &img), MID_ERR_LIMIT);
    assert_int_equal(mid_image_create(tu_ctx, 3, 2, 0, &img), MID_OK);
    assert_int_equal(mid_image_cpixels(img)[5], 0);
    mid_image_set_ppi(img, 1.0);
    assert_true(mid_image_ppi(img) == 0.0);
    mid_image_free(img);
    mid_image_free(NULL);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_png_grey_and_phys),
        cmocka_unit_test(test_png_colour_types),
        cmocka_unit_test(test_png_corrupt),
        cmocka_unit_test(test_png_encode_roundtrip),
        cmocka_unit_test(test_jpeg),
        cmocka_unit_test(test_bmp_formats),
        cmocka_unit_test(test_bmp_rle_and_errors),
        cmocka_unit_test(test_tiff_kinds),
        cmocka_unit_test(test_tiff_hostile),
        cmocka_unit_test(test_pgm),
        cmocka_unit_test(test_raw_and_dispatch),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
