/*
 * Generates the seed corpora of the image fuzz targets (fuzz/corpus/img_*):
 * small valid files of the kinds each decoder handles, written with libpng,
 * libjpeg and libtiff or by hand (BMP, PGM, raw). Not part of the build:
 *   cc -O2 fuzz/make_image_corpus.c -o /tmp/mkcorpus $(pkg-config --cflags --libs libpng libjpeg
 * libtiff-4) /tmp/mkcorpus fuzz/corpus Output is deterministic; every file stays well under 4 KiB.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jpeglib.h>
#include <png.h>
#include <tiffio.h>

static const char *g_root;

static void put(const char *dir, const char *name, const void *d, size_t n) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s/%s", g_root, dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(d, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        exit(1);
    }
}

static uint8_t sample(unsigned x, unsigned y, unsigned c) {
    return (uint8_t)(x * 29u + y * 13u + c * 71u + ((x ^ y) & 7u) * 9u);
}

/* ------------------------------------------------------------------ PNG */

typedef struct mbuf {
    uint8_t *d;
    size_t n;
} mbuf;

static void mb_write(png_structp p, png_bytep d, size_t n) {
    mbuf *b = png_get_io_ptr(p);
    b->d = realloc(b->d, b->n + n);
    memcpy(b->d + b->n, d, n);
    b->n += n;
}

static void mb_flush(png_structp p) {
    (void)p;
}

static void png_kind(const char *name, unsigned w, unsigned h, int ct, int depth, int interlace,
                     int trns, unsigned ppm) {
    mbuf b = {NULL, 0};
    png_structp p = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
    png_infop info = png_create_info_struct(p);
    if (setjmp(png_jmpbuf(p))) {
        exit(1);
    }
    png_set_write_fn(p, &b, mb_write, mb_flush);
    png_set_IHDR(p, info, w, h, depth, ct, interlace, 0, 0);
    int ch = ct == PNG_COLOR_TYPE_RGB    ? 3
             : ct == PNG_COLOR_TYPE_RGBA ? 4
             : ct == PNG_COLOR_TYPE_GA   ? 2
                                         : 1;
    if (ct == PNG_COLOR_TYPE_PALETTE) {
        png_color pal[16];
        for (int i = 0; i < 16; i++) {
            pal[i].red = (uint8_t)(i * 16), pal[i].green = (uint8_t)(255 - i * 9);
            pal[i].blue = (uint8_t)(i * 5);
        }
        png_set_PLTE(p, info, pal, 1 << (depth < 4 ? depth : 4));
        if (trns) {
            png_byte a[2] = {0, 128};
            png_set_tRNS(p, info, a, 2, NULL);
        }
    } else if (trns && ct == PNG_COLOR_TYPE_GRAY) {
        png_color_16 t = {0, 0, 0, 0, 1};
        png_set_tRNS(p, info, NULL, 0, &t);
    }
    if (ppm) {
        png_set_pHYs(p, info, ppm, ppm, PNG_RESOLUTION_METER);
    }
    png_write_info(p, info);
    size_t rb = ((size_t)w * ch * depth + 7) / 8;
    uint8_t *row = calloc(1, rb);
    int passes = png_set_interlace_handling(p);
    for (int pass = 0; pass < passes; pass++) {
        for (unsigned y = 0; y < h; y++) {
            for (size_t i = 0; i < rb; i++) {
                row[i] = sample((unsigned)i, y, 0);
            }
            if (ct == PNG_COLOR_TYPE_PALETTE && depth == 8) {
                for (size_t i = 0; i < rb; i++) {
                    row[i] &= 15;
                }
            }
            png_write_row(p, row);
        }
    }
    png_write_end(p, info);
    png_destroy_write_struct(&p, &info);
    free(row);
    put("img_png", name, b.d, b.n);
    free(b.d);
}

/* ------------------------------------------------------------------ JPEG */

static void jpeg_kind(const char *name, unsigned w, unsigned h, int comps, int progressive,
                      int unit, unsigned density) {
    struct jpeg_compress_struct c;
    struct jpeg_error_mgr e;
    c.err = jpeg_std_error(&e);
    jpeg_create_compress(&c);
    unsigned char *out = NULL;
    unsigned long n = 0;
    jpeg_mem_dest(&c, &out, &n);
    c.image_width = w, c.image_height = h, c.input_components = comps;
    c.in_color_space = comps == 1 ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_set_defaults(&c);
    jpeg_set_quality(&c, 60, TRUE);
    if (progressive) {
        jpeg_simple_progression(&c);
    }
    c.density_unit = (UINT8)unit, c.X_density = (UINT16)density, c.Y_density = (UINT16)density;
    jpeg_start_compress(&c, TRUE);
    uint8_t *row = malloc((size_t)w * comps);
    while (c.next_scanline < h) {
        for (unsigned i = 0; i < w * (unsigned)comps; i++) {
            row[i] = sample(i / comps, c.next_scanline, i % comps);
        }
        JSAMPROW r = row;
        jpeg_write_scanlines(&c, &r, 1);
    }
    jpeg_finish_compress(&c);
    jpeg_destroy_compress(&c);
    free(row);
    put("img_jpeg", name, out, n);
    free(out);
}

/* ------------------------------------------------------------------ TIFF */

static void tiff_kind(const char *name, unsigned w, unsigned h, int spp, int bps, int photo,
                      int comp, float xres, int unit, int tiled) {
    const char *tmp = "/tmp/mid_corpus.tif";
    TIFF *t = TIFFOpen(tmp, "w");
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, spp);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, bps);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, photo);
    TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
    TIFFSetField(t, TIFFTAG_COMPRESSION, comp);
    if (photo == PHOTOMETRIC_PALETTE) {
        static uint16_t r[256], g[256], b[256];
        for (int i = 0; i < 256; i++) {
            r[i] = (uint16_t)(i * 257), g[i] = (uint16_t)(65535 - i * 200),
            b[i] = (uint16_t)(i * 99);
        }
        TIFFSetField(t, TIFFTAG_COLORMAP, r, g, b);
    }
    if (xres > 0) {
        TIFFSetField(t, TIFFTAG_XRESOLUTION, xres);
        TIFFSetField(t, TIFFTAG_YRESOLUTION, xres);
        TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, unit);
    }
    size_t rb = ((size_t)w * spp * bps + 7) / 8;
    if (tiled) {
        TIFFSetField(t, TIFFTAG_TILEWIDTH, 16);
        TIFFSetField(t, TIFFTAG_TILELENGTH, 16);
        size_t tb = (size_t)TIFFTileSize(t);
        uint8_t *tile = malloc(tb);
        for (unsigned ty = 0; ty < h; ty += 16) {
            for (unsigned tx = 0; tx < w; tx += 16) {
                for (size_t i = 0; i < tb; i++) {
                    tile[i] = sample((unsigned)i + tx, ty, 1);
                }
                TIFFWriteTile(t, tile, tx, ty, 0, 0);
            }
        }
        free(tile);
    } else {
        TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, 4);
        uint8_t *row = malloc(rb);
        for (unsigned y = 0; y < h; y++) {
            for (size_t i = 0; i < rb; i++) {
                row[i] = sample((unsigned)i, y, 2);
            }
            TIFFWriteScanline(t, row, y, 0);
        }
        free(row);
    }
    TIFFClose(t);
    FILE *f = fopen(tmp, "rb");
    uint8_t buf[8192];
    size_t n = fread(buf, 1, sizeof(buf), f);
    fclose(f);
    remove(tmp);
    put("img_tiff", name, buf, n);
}

/* ------------------------------------------------------------------ BMP */

static void le16(uint8_t *p, unsigned v) {
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v) {
    le16(p, v & 0xFFFF), le16(p + 2, v >> 16);
}

/* hsize 12/40/108/124; masks written in the header (V4/V5) or after a 40-byte one. */
static void bmp_kind(const char *name, unsigned hsize, int w, int h, unsigned bpp, unsigned comp,
                     const uint32_t *masks, unsigned nmasks, const uint8_t *rle, size_t rle_n) {
    static uint8_t d[4096];
    memset(d, 0, sizeof(d));
    unsigned npal = bpp <= 8 ? 1u << bpp : 0;
    size_t ent = hsize == 12 ? 3 : 4;
    size_t extra = hsize == 40 ? 4u * nmasks : 0;
    size_t off = 14 + hsize + extra + ent * npal;
    unsigned ah = (unsigned)(h < 0 ? -h : h);
    size_t stride = (((size_t)w * bpp + 31) / 32) * 4;
    size_t bits = rle ? rle_n : stride * ah;
    d[0] = 'B', d[1] = 'M';
    le32(d + 2, (uint32_t)(off + bits)), le32(d + 10, (uint32_t)off), le32(d + 14, hsize);
    uint8_t *p = d + 14;
    if (hsize == 12) {
        le16(p + 4, (unsigned)w), le16(p + 6, ah), le16(p + 8, 1), le16(p + 10, bpp);
    } else {
        le32(p + 4, (uint32_t)w), le32(p + 8, (uint32_t)h), le16(p + 12, 1), le16(p + 14, bpp);
        le32(p + 16, comp), le32(p + 20, (uint32_t)bits), le32(p + 24, 19685);
        le32(p + 28, 19685);
        for (unsigned i = 0; i < nmasks; i++) {
            le32(p + 40 + 4 * i, masks[i]);
        }
    }
    for (unsigned i = 0; i < npal; i++) {
        uint8_t *e = d + 14 + hsize + extra + ent * i;
        e[0] = (uint8_t)(i * 7), e[1] = (uint8_t)(255 - i), e[2] = (uint8_t)(i * 3);
    }
    if (rle) {
        memcpy(d + off, rle, rle_n);
    } else {
        for (size_t i = 0; i < bits; i++) {
            d[off + i] = bpp == 8 ? (uint8_t)(i % npal) : sample((unsigned)i, 0, 3);
        }
    }
    put("img_bmp", name, d, off + bits);
}

/* Copies dir/name into img_auto with a 4-byte zero prefix (no raw size). */
static void auto_seed(const char *dir, const char *name) {
    char path[512];
    snprintf(path, sizeof(path), "%s/%s/%s", g_root, dir, name);
    FILE *f = fopen(path, "rb");
    uint8_t buf[4 + 4096] = {0, 0, 0, 0};
    size_t n = f ? fread(buf + 4, 1, sizeof(buf) - 4, f) : 0;
    if (f) {
        fclose(f);
    }
    char out[256];
    snprintf(out, sizeof(out), "%s.bin", name);
    put("img_auto", out, buf, n + 4);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s CORPUS_ROOT (e.g. fuzz/corpus)\n", argv[0]);
        return 2;
    }
    g_root = argv[1];
    png_kind("grey8.png", 16, 12, PNG_COLOR_TYPE_GRAY, 8, 0, 0, 19685);
    png_kind("grey1_interlaced.png", 17, 9, PNG_COLOR_TYPE_GRAY, 1, 1, 0, 0);
    png_kind("grey16_trns.png", 8, 8, PNG_COLOR_TYPE_GRAY, 16, 0, 1, 0);
    png_kind("palette4_trns.png", 15, 10, PNG_COLOR_TYPE_PALETTE, 4, 0, 1, 0);
    png_kind("palette8.png", 12, 12, PNG_COLOR_TYPE_PALETTE, 8, 1, 0, 22402);
    png_kind("rgb8.png", 10, 6, PNG_COLOR_TYPE_RGB, 8, 0, 0, 0);
    png_kind("rgba16.png", 6, 5, PNG_COLOR_TYPE_RGBA, 16, 0, 0, 0);
    png_kind("ga8.png", 7, 7, PNG_COLOR_TYPE_GA, 8, 1, 0, 0);
    jpeg_kind("grey.jpg", 24, 16, 1, 0, 1, 500);
    jpeg_kind("rgb.jpg", 20, 18, 3, 0, 2, 197);
    jpeg_kind("grey_progressive.jpg", 33, 17, 1, 1, 0, 1);
    jpeg_kind("rgb_progressive.jpg", 16, 16, 3, 1, 1, 1000);
    tiff_kind("grey8_none.tif", 12, 9, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, 1.0f,
              RESUNIT_NONE, 0);
    tiff_kind("grey8_lzw.tif", 20, 10, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_LZW, 500.0f,
              RESUNIT_INCH, 0);
    tiff_kind("white8_packbits.tif", 20, 10, 1, 8, PHOTOMETRIC_MINISWHITE, COMPRESSION_PACKBITS,
              196.85f, RESUNIT_CENTIMETER, 0);
    tiff_kind("palette8_deflate.tif", 16, 8, 1, 8, PHOTOMETRIC_PALETTE, COMPRESSION_ADOBE_DEFLATE,
              0, 0, 0);
    tiff_kind("palette4.tif", 15, 7, 1, 4, PHOTOMETRIC_PALETTE, COMPRESSION_NONE, 0, 0, 0);
    tiff_kind("rgb_lzw.tif", 10, 10, 3, 8, PHOTOMETRIC_RGB, COMPRESSION_LZW, 0, 0, 0);
    tiff_kind("grey16.tif", 9, 6, 1, 16, PHOTOMETRIC_MINISBLACK, COMPRESSION_NONE, 0, 0, 0);
    tiff_kind("bilevel_packbits.tif", 30, 8, 1, 1, PHOTOMETRIC_MINISWHITE, COMPRESSION_PACKBITS, 0,
              0, 0);
    tiff_kind("grey8_tiled.tif", 20, 20, 1, 8, PHOTOMETRIC_MINISBLACK, COMPRESSION_LZW, 0, 0, 1);
    static const uint32_t m565[3] = {0xF800, 0x07E0, 0x001F};
    static const uint32_t m8888[4] = {0xFF0000, 0xFF00, 0xFF, 0xFF000000u};
    bmp_kind("rgb24.bmp", 7, 5, 24, 0, 0, NULL, 0, NULL, 0);
    bmp_kind("rgb24_topdown.bmp", 40, 6, -4, 24, 0, NULL, 0, NULL, 0);
    bmp_kind("pal8.bmp", 40, 9, 4, 8, 0, NULL, 0, NULL, 0);
    bmp_kind("pal4_core.bmp", 12, 9, 4, 4, 0, NULL, 0, NULL, 0);
    bmp_kind("pal1.bmp", 40, 19, 3, 1, 0, NULL, 0, NULL, 0);
    bmp_kind("rgb555.bmp", 40, 5, 3, 16, 0, NULL, 0, NULL, 0);
    bmp_kind("bitfields565.bmp", 40, 5, 3, 16, 3, m565, 3, NULL, 0);
    bmp_kind("argb32_v4.bmp", 108, 4, 3, 32, 3, m8888, 4, NULL, 0);
    bmp_kind("rgb32_v5.bmp", 124, 4, 3, 32, 0, NULL, 0, NULL, 0);
    static const uint8_t rle8[] = {4, 1, 0, 0, 0, 2, 1, 0, 0, 3, 2, 3, 1, 0, 0, 0, 0, 1};
    static const uint8_t rle4[] = {5, 0x12, 0, 0, 0, 3, 0x30, 0x30, 0, 1};
    bmp_kind("rle8.bmp", 40, 4, 3, 8, 1, NULL, 0, rle8, sizeof(rle8));
    bmp_kind("rle4.bmp", 40, 5, 2, 4, 2, NULL, 0, rle4, sizeof(rle4));
    static const char p5[] =
        "P5\n# seed\n4 3\n255\n\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\xff";
    static const char p2[] = "P2 3 2 15\n0 1 2\n# c\n3 14 15\n";
    static const char p5w[] = "P5 2 2 65535\n\x12\x34\xff\xff\x00\x00\x80\x00";
    static const char p6[] = "P6 2 1 255\n\xff\x00\x00\x10\x20\x30";
    static const char p3[] = "P3 2 1 7 0 7 0 1 2 3\n";
    put("img_pgm", "p5.pgm", p5, sizeof(p5) - 1);
    put("img_pgm", "p2.pgm", p2, sizeof(p2) - 1);
    put("img_pgm", "p5_16bit.pgm", p5w, sizeof(p5w) - 1);
    put("img_pgm", "p6.ppm", p6, sizeof(p6) - 1);
    put("img_pgm", "p3.ppm", p3, sizeof(p3) - 1);
    /* fuzz_img_auto: the first 4 bytes give the raw size; then any file. */
    uint8_t raw[4 + 48];
    raw[0] = 8, raw[1] = 0, raw[2] = 6, raw[3] = 0;
    for (int i = 0; i < 48; i++) {
        raw[4 + i] = (uint8_t)(i * 5);
    }
    put("img_auto", "raw_8x6.bin", raw, sizeof(raw));
    uint8_t pre[4 + sizeof(p5) - 1] = {0, 0, 0, 0};
    memcpy(pre + 4, p5, sizeof(p5) - 1);
    put("img_auto", "pgm.bin", pre, sizeof(pre));
    static const uint8_t bmp_pre[] = {0, 0, 0, 0, 'B', 'M'};
    put("img_auto", "bmp_sig_only.bin", bmp_pre, sizeof(bmp_pre));
    auto_seed("img_png", "palette4_trns.png");
    auto_seed("img_jpeg", "grey.jpg");
    auto_seed("img_tiff", "grey8_lzw.tif");
    auto_seed("img_bmp", "rle8.bmp");
    return 0;
}
