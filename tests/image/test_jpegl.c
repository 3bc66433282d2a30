/* Lossless JPEG (src/image/jpegl.c): streams from a small T.81 process-14
 * encoder written here (one component, a fixed Huffman table with short and
 * long codes) decode exactly for every predictor 1..7, precisions 8/12/16,
 * point transforms and restart intervals; every truncation, corrupt Huffman
 * tables and scan headers, hostile dimensions and colour frames fail cleanly;
 * and the two JPEGL fingerprints of the NIST 2011 reference file
 * type-10-14-17-piv-index-iris.an2 decode (skipped when ../shared/data is
 * absent). */
#include "support/testutil.h"

#include "mid/an2k.h"
#include "mid/image.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the test encoder ---------------------------------------------------- */

/* Code lengths of the fixed table: SSSS 0 has 2 bits, 1-2 three, 3-6 four, 7-13
 * six and 14-16 twelve (beyond the decoder's 9-bit lookup). */
static const uint8_t COUNTS[16] = {0, 1, 2, 4, 0, 7, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0};

typedef struct enc {
    uint8_t *buf;
    size_t len, cap;
    uint32_t acc;
    unsigned nacc;
    uint16_t code[17];
    uint8_t size[17];
} enc;

static void put(enc *e, uint8_t b) {
    if (e->len == e->cap) {
        e->cap = e->cap ? 2 * e->cap : 1024;
        e->buf = realloc(e->buf, e->cap);
        assert_non_null(e->buf);
    }
    e->buf[e->len++] = b;
}

static void put16(enc *e, unsigned v) {
    put(e, (uint8_t)(v >> 8));
    put(e, (uint8_t)v);
}

static void put_bits(enc *e, uint32_t v, unsigned n) {
    for (unsigned i = n; i-- > 0;) {
        e->acc = (e->acc << 1) | ((v >> i) & 1u);
        if (++e->nacc == 8) {
            put(e, (uint8_t)e->acc);
            if ((e->acc & 0xFFu) == 0xFF) {
                put(e, 0x00); /* byte stuffing */
            }
            e->acc = 0;
            e->nacc = 0;
        }
    }
}

static void flush_bits(enc *e) {
    while (e->nacc != 0) {
        put_bits(e, 1, 1); /* pad with 1-bits */
    }
}

static void make_codes(enc *e) {
    unsigned code = 0, k = 0;
    for (unsigned l = 1; l <= 16; l++) {
        for (unsigned i = 0; i < COUNTS[l - 1]; i++, k++, code++) {
            e->code[k] = (uint16_t)code;
            e->size[k] = (uint8_t)l;
        }
        code <<= 1;
    }
    assert_int_equal(k, 17);
}

static int32_t predict(unsigned sel, int32_t ra, int32_t rb, int32_t rc) {
    switch (sel) {
    case 1:
        return ra;
    case 2:
        return rb;
    case 3:
        return rc;
    case 4:
        return ra + rb - rc;
    case 5:
        return ra + ((rb - rc) >> 1);
    case 6:
        return rb + ((ra - rc) >> 1);
    default:
        return (ra + rb) >> 1;
    }
}

typedef struct params {
    unsigned p, pt, sel, restart, ncomp;
    uint16_t ppi;
} params;

/* Encodes w x h samples s (each < 2^(p - pt)); the caller frees the result. */
static uint8_t *encode(const uint16_t *s, uint32_t w, uint32_t h, const params *pr, size_t *len) {
    enc e = {0};
    make_codes(&e);
    put(&e, 0xFF);
    put(&e, 0xD8);
    if (pr->ppi) { /* JFIF APP0, dots per inch */
        static const uint8_t jfif[] = {'J', 'F', 'I', 'F', 0, 1, 2, 1};
        put(&e, 0xFF);
        put(&e, 0xE0);
        put16(&e, 16);
        for (size_t i = 0; i < sizeof(jfif); i++) {
            put(&e, jfif[i]);
        }
        put16(&e, pr->ppi);
        put16(&e, pr->ppi);
        put(&e, 0);
        put(&e, 0);
    }
    put(&e, 0xFF); /* a comment, then a fill byte before the next marker */
    put(&e, 0xFE);
    put16(&e, 5);
    put(&e, 'h');
    put(&e, 'i');
    put(&e, '!');
    put(&e, 0xFF);
    put(&e, 0xFF);
    put(&e, 0xC4);
    put16(&e, 2 + 17 + 17);
    put(&e, 0x00);
    for (unsigned i = 0; i < 16; i++) {
        put(&e, COUNTS[i]);
    }
    for (unsigned i = 0; i <= 16; i++) {
        put(&e, (uint8_t)i);
    }
    if (pr->restart) {
        put(&e, 0xFF);
        put(&e, 0xDD);
        put16(&e, 4);
        put16(&e, pr->restart);
    }
    unsigned nc = pr->ncomp ? pr->ncomp : 1;
    put(&e, 0xFF);
    put(&e, 0xC3);
    put16(&e, 8 + 3 * nc);
    put(&e, (uint8_t)pr->p);
    put16(&e, h);
    put16(&e, w);
    put(&e, (uint8_t)nc);
    for (unsigned c = 0; c < nc; c++) {
        put(&e, (uint8_t)(c + 1));
        put(&e, 0x11);
        put(&e, 0);
    }
    put(&e, 0xFF);
    put(&e, 0xDA);
    put16(&e, 8);
    put(&e, 1);
    put(&e, 1);
    put(&e, 0x00);
    put(&e, (uint8_t)pr->sel);
    put(&e, 0);
    put(&e, (uint8_t)pr->pt);
    size_t count = 0;
    unsigned rst = 0;
    for (uint32_t y = 0; y < h; y++) {
        bool first = y == 0;
        if (pr->restart && count > 0 && count % pr->restart == 0) {
            flush_bits(&e);
            put(&e, 0xFF);
            put(&e, (uint8_t)(0xD0 + rst));
            rst = (rst + 1) & 7;
            first = true;
        }
        for (uint32_t x = 0; x < w; x++) {
            const uint16_t *row = s + (size_t)y * w;
            int32_t px;
            if (first) {
                px = x == 0 ? 1 << (pr->p - pr->pt - 1) : row[x - 1];
            } else if (x == 0) {
                px = row[(ptrdiff_t)x - (ptrdiff_t)w];
            } else {
                px = predict(pr->sel, row[x - 1], row[(ptrdiff_t)x - (ptrdiff_t)w],
                             row[(ptrdiff_t)x - 1 - (ptrdiff_t)w]);
            }
            int32_t diff = (int32_t)(((uint32_t)(row[x] - px)) & 0xFFFFu);
            if (diff > 32768) {
                diff -= 65536;
            }
            unsigned t = 0;
            for (int32_t a = diff < 0 ? -diff : diff; a != 0; a >>= 1) {
                t++;
            }
            put_bits(&e, e.code[t], e.size[t]);
            if (t > 0 && t < 16) {
                uint32_t bits = (uint32_t)(diff < 0 ? diff + (1 << t) - 1 : diff);
                put_bits(&e, bits, t);
            }
            count++;
        }
    }
    flush_bits(&e);
    put(&e, 0xFF);
    put(&e, 0xD9);
    *len = e.len;
    return e.buf;
}

/* ---- helpers --------------------------------------------------------------- */

static uint32_t rng = 12345u;

static uint32_t next_rand(void) {
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

/* Samples of w x h: a mix of smooth gradient and noise, or pure noise. */
static uint16_t *samples(uint32_t w, uint32_t h, unsigned bits, bool noise) {
    uint16_t *s = calloc((size_t)w * h, sizeof(*s));
    assert_non_null(s);
    uint32_t maxv = (1u << bits) - 1u;
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            uint32_t v =
                noise ? next_rand() : (x * 37u + y * 11u) * (maxv / 255u + 1u) + (next_rand() % 5u);
            s[(size_t)y * w + x] = (uint16_t)(v & maxv);
        }
    }
    return s;
}

static mid_status decode(const uint8_t *d, size_t n, mid_image **img) {
    *img = NULL;
    return mid_image_decode(tu_ctx, d, n, NULL, img);
}

/* With MID_JPEGL_SEED_DIR set, small streams are also written there: that is
 * how fuzz/corpus/img_jpegl/ was made. */
static void save_seed(const uint8_t *jpg, size_t len, const params *pr, uint32_t w, uint32_t h) {
    const char *dir = getenv("MID_JPEGL_SEED_DIR");
    if (dir == NULL || len > 600 || w * h < 9) {
        return;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/p%u_pt%u_sel%u_rst%u_%ux%u.jpg", dir, pr->p, pr->pt, pr->sel,
             pr->restart, w, h);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(jpg, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Decodes and compares with the samples scaled to 8 bits with rounding. */
static void check_exact(const uint16_t *s, uint32_t w, uint32_t h, const params *pr) {
    size_t len = 0;
    uint8_t *jpg = encode(s, w, h, pr, &len);
    save_seed(jpg, len, pr, w, h);
    mid_image *img = NULL;
    mid_status st = decode(jpg, len, &img);
    if (st != MID_OK) {
        print_error("P=%u Pt=%u sel=%u rst=%u %ux%u: %s\n", pr->p, pr->pt, pr->sel, pr->restart, w,
                    h, mid_ctx_error(tu_ctx));
    }
    assert_int_equal(st, MID_OK);
    assert_int_equal(mid_image_width(img), w);
    assert_int_equal(mid_image_height(img), h);
    uint32_t full = (1u << pr->p) - 1u;
    const uint8_t *px = mid_image_cpixels(img);
    for (size_t i = 0; i < (size_t)w * h; i++) {
        uint32_t v = (uint32_t)s[i] << pr->pt;
        uint8_t want = (uint8_t)(((uint64_t)v * 255u + full / 2u) / full);
        if (px[i] != want) {
            fail_msg("P=%u Pt=%u sel=%u: pixel %zu is %u, want %u", pr->p, pr->pt, pr->sel, i,
                     px[i], want);
        }
    }
    mid_image_free(img);
    free(jpg);
}

/* ---- tests ----------------------------------------------------------------- */

static void test_predictors(void **state) {
    (void)state;
    static const uint32_t sizes[][2] = {{1, 1}, {5, 3}, {37, 23}, {1, 9}, {12, 1}};
    static const unsigned precs[] = {8, 12, 16, 2};
    for (unsigned pi = 0; pi < 4; pi++) {
        for (unsigned pt = 0; pt <= 2; pt += 2) {
            for (unsigned sel = 1; sel <= 7; sel++) {
                for (size_t k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
                    params pr = {.p = precs[pi], .pt = pt, .sel = sel};
                    if (pt >= pr.p) {
                        continue;
                    }
                    for (int noise = 0; noise <= 1; noise++) {
                        uint16_t *s = samples(sizes[k][0], sizes[k][1], pr.p - pt, noise);
                        check_exact(s, sizes[k][0], sizes[k][1], &pr);
                        free(s);
                    }
                }
            }
        }
    }
}

/* 8-bit samples come back unchanged, and the JFIF density is the resolution. */
static void test_8bit_identity_and_ppi(void **state) {
    (void)state;
    uint16_t *s = samples(64, 48, 8, true);
    params pr = {.p = 8, .sel = 4, .ppi = 500};
    size_t len = 0;
    uint8_t *jpg = encode(s, 64, 48, &pr, &len);
    mid_image *img = NULL;
    assert_int_equal(decode(jpg, len, &img), MID_OK);
    for (size_t i = 0; i < 64u * 48u; i++) {
        assert_int_equal(mid_image_cpixels(img)[i], s[i]);
    }
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    /* Format forced to JPEG takes the same path. */
    mid_decode_opts o = {.format = MID_IMAGE_JPEG};
    assert_int_equal(mid_image_decode(tu_ctx, jpg, len, &o, &img), MID_OK);
    mid_image_free(img);
    free(jpg);
    free(s);
}

/* 16-bit differences of exactly 32768 use category 16 with no extra bits. */
static void test_category_16(void **state) {
    (void)state;
    uint16_t s[2 * 6];
    for (unsigned i = 0; i < 12; i++) {
        s[i] = (uint16_t)((i % 2) ? 32768u + (i / 6) : (i / 6));
    }
    params pr = {.p = 16, .sel = 1};
    check_exact(s, 6, 2, &pr);
}

static void test_restarts(void **state) {
    (void)state;
    const uint32_t w = 13, h = 20;
    uint16_t *s = samples(w, h, 8, true);
    for (unsigned rows = 1; rows <= 3; rows++) {
        for (unsigned sel = 1; sel <= 7; sel++) {
            params pr = {.p = 8, .sel = sel, .restart = rows * w};
            check_exact(s, w, h, &pr); /* 19 markers at one row: RST0..7 wrap */
        }
    }
    params pr = {.p = 8, .sel = 4, .restart = w};
    size_t len = 0;
    uint8_t *jpg = encode(s, w, h, &pr, &len);
    mid_image *img = NULL;
    /* A wrong restart number. */
    size_t at = 0;
    for (size_t i = len - 3; i > 0; i--) {
        if (jpg[i] == 0xFF && jpg[i + 1] >= 0xD0 && jpg[i + 1] <= 0xD7) {
            at = i;
            break;
        }
    }
    assert_true(at > 0);
    jpg[at + 1] = (uint8_t)(0xD0 + ((jpg[at + 1] - 0xD0 + 3) & 7));
    assert_int_equal(decode(jpg, len, &img), MID_ERR_FORMAT);
    assert_null(img);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "RST"));
    free(jpg);
    /* An interval that is not a whole number of lines. */
    pr.restart = w + 1;
    jpg = encode(s, w, h, &pr, &len);
    assert_int_equal(decode(jpg, len, &img), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "restart interval"));
    free(jpg);
    free(s);
}

static void test_truncated(void **state) {
    (void)state;
    uint16_t *s = samples(19, 11, 12, true);
    params pr = {.p = 12, .sel = 6, .restart = 19 * 3};
    size_t len = 0;
    uint8_t *jpg = encode(s, 19, 11, &pr, &len);
    for (size_t n = 0; n < len; n++) {
        uint8_t *cut = malloc(n ? n : 1);
        memcpy(cut, jpg, n);
        mid_image *img = NULL;
        mid_status st = decode(cut, n, &img);
        if (st == MID_OK) {
            fail_msg("prefix of %zu of %zu bytes decoded", n, len);
        }
        assert_null(img);
        free(cut);
    }
    /* Also given straight to the lossless decoder: the message names an offset. */
    mid_image *img = NULL;
    mid_decode_opts o = {.format = MID_IMAGE_JPEG};
    assert_int_equal(mid_image_decode(tu_ctx, jpg, len - 40, &o, &img), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "JPEGL"));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "offset"));
    free(jpg);
    free(s);
}

/* Offset of the first marker m in a stream. */
static size_t find_marker(const uint8_t *d, size_t len, uint8_t m) {
    for (size_t i = 0; i + 1 < len; i++) {
        if (d[i] == 0xFF && d[i + 1] == m) {
            return i;
        }
    }
    fail_msg("marker %02x missing", m);
    return 0;
}

static void expect_fail(uint8_t *jpg, size_t len, mid_status want, const char *msg) {
    mid_image *img = NULL;
    mid_status st = decode(jpg, len, &img);
    if (st != want) {
        fail_msg("%s: got %d (%s), want %d", msg, (int)st, mid_ctx_error(tu_ctx), (int)want);
    }
    assert_null(img);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "JPEGL"));
}

static void test_corrupt_tables(void **state) {
    (void)state;
    uint16_t *s = samples(16, 8, 8, true);
    params pr = {.p = 8, .sel = 1};
    size_t len = 0;
    uint8_t *orig = encode(s, 16, 8, &pr, &len);
    uint8_t *jpg = malloc(len);
    size_t dht = find_marker(orig, len, 0xC4), sof = find_marker(orig, len, 0xC3),
           sos = find_marker(orig, len, 0xDA);

    /* Over-subscribed lengths: five 2-bit codes. */
    memcpy(jpg, orig, len);
    jpg[dht + 5 + 1] = 5;
    jpg[dht + 5 + 2] = 0;
    jpg[dht + 5 + 5] = 5;
    expect_fail(jpg, len, MID_ERR_FORMAT, "over-subscribed");
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "than fit"));
    /* Count total beyond the segment. */
    memcpy(jpg, orig, len);
    jpg[dht + 5 + 15] = 200;
    expect_fail(jpg, len, MID_ERR_FORMAT, "counts beyond segment");
    /* No codes at all. */
    memcpy(jpg, orig, len);
    memset(jpg + dht + 5, 0, 16);
    expect_fail(jpg, len, MID_ERR_FORMAT, "empty table");
    /* A difference category above 16. */
    memcpy(jpg, orig, len);
    jpg[dht + 5 + 16 + 3] = 17;
    expect_fail(jpg, len, MID_ERR_FORMAT, "category 17");
    /* Table class 2 / number 4. */
    memcpy(jpg, orig, len);
    jpg[dht + 4] = 0x24;
    expect_fail(jpg, len, MID_ERR_FORMAT, "table class");
    /* The scan uses table 1, never defined. */
    memcpy(jpg, orig, len);
    jpg[sos + 6] = 0x10;
    expect_fail(jpg, len, MID_ERR_FORMAT, "undefined table");
    /* An invalid code: sixteen 1-bits (stuffed) are no code of the table. */
    memcpy(jpg, orig, len);
    jpg[sos + 10] = 0xFF;
    jpg[sos + 11] = 0x00;
    jpg[sos + 12] = 0xFF;
    jpg[sos + 13] = 0x00;
    expect_fail(jpg, len, MID_ERR_FORMAT, "invalid code");
    /* Scan headers: predictor 0 and 8, Pt >= P, Ah != 0, wrong component. */
    static const struct {
        unsigned at;
        uint8_t v;
    } bad_sos[] = {{7, 0}, {7, 8}, {9, 8}, {9, 0x10}, {5, 7}};
    for (size_t i = 0; i < sizeof(bad_sos) / sizeof(bad_sos[0]); i++) {
        memcpy(jpg, orig, len);
        jpg[sos + bad_sos[i].at] = bad_sos[i].v;
        expect_fail(jpg, len, MID_ERR_FORMAT, "scan header");
    }
    /* Precision 1 and 17, sampling factor 0. */
    memcpy(jpg, orig, len);
    jpg[sof + 4] = 1;
    expect_fail(jpg, len, MID_ERR_FORMAT, "precision 1");
    jpg[sof + 4] = 17;
    expect_fail(jpg, len, MID_ERR_FORMAT, "precision 17");
    memcpy(jpg, orig, len);
    jpg[sof + 11] = 0x01;
    expect_fail(jpg, len, MID_ERR_FORMAT, "sampling");
    /* Extra data after the scan, before EOI. */
    memcpy(jpg, orig, len);
    uint8_t *more = malloc(len + 4);
    memcpy(more, orig, len - 2);
    memcpy(more + len - 2, "\x12\x34\x56\x78\xFF\xD9", 6);
    expect_fail(more, len + 4, MID_ERR_FORMAT, "extra data");
    free(more);
    /* A sample outside P bits: 2-bit precision, random differences overflow. */
    memcpy(jpg, orig, len);
    jpg[sof + 4] = 2;
    expect_fail(jpg, len, MID_ERR_FORMAT, "sample range");
    free(jpg);
    free(orig);
    free(s);
}

static void test_hostile_frames(void **state) {
    (void)state;
    uint16_t *s = samples(8, 8, 8, true);
    params pr = {.p = 8, .sel = 1};
    size_t len = 0;
    uint8_t *jpg = encode(s, 8, 8, &pr, &len);
    size_t sof = find_marker(jpg, len, 0xC3);
    /* 65535 x 65535 declared: refused from the header before any allocation. */
    jpg[sof + 5] = jpg[sof + 6] = jpg[sof + 7] = jpg[sof + 8] = 0xFF;
    expect_fail(jpg, len, MID_ERR_LIMIT, "huge");
    /* 8192 x 8192 is within the side limit but over the area limit. */
    jpg[sof + 5] = 0x20;
    jpg[sof + 6] = 0x00;
    jpg[sof + 7] = 0x20;
    jpg[sof + 8] = 0x00;
    expect_fail(jpg, len, MID_ERR_LIMIT, "area");
    /* Height 0 (DNL) and width 0. */
    jpg[sof + 5] = jpg[sof + 6] = 0;
    expect_fail(jpg, len, MID_ERR_UNSUPPORTED, "height 0");
    jpg[sof + 6] = 8;
    jpg[sof + 7] = jpg[sof + 8] = 0;
    expect_fail(jpg, len, MID_ERR_FORMAT, "width 0");
    free(jpg);
    /* Three components: refused as unsupported. */
    pr.ncomp = 3;
    jpg = encode(s, 8, 8, &pr, &len);
    expect_fail(jpg, len, MID_ERR_UNSUPPORTED, "colour");
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "3 components"));
    free(jpg);
    free(s);
}

/* The two JPEGL images of the NIST reference file (NBIS-encoded fingerprints,
 * predictor 4). No third-party decode of them is in ../shared/data, so the check
 * is on the header facts and on the pixels looking like a print: full range,
 * mostly light background with a substantial share of dark ridge pixels, and
 * neighbouring pixels correlated (a wrong prediction or Huffman step turns the
 * rest of the image into streaks or noise). */
static void test_nist_reference(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(path,
                      "nist-ansi-nist-itl-2011-reference-files/type-10-14-17-piv-index-iris.an2");
    size_t len = 0;
    uint8_t *data = tu_read_file(path, &len);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_parse(tu_ctx, data, len, &tx), MID_OK);
    static const struct {
        size_t rec;
        uint32_t w, h;
    } want[] = {{4, 288, 512}, {5, 288, 464}};
    for (size_t k = 0; k < 2; k++) {
        mid_an2k_image_info ii;
        assert_int_equal(mid_an2k_image_info_get(tu_ctx, tx, want[k].rec, &ii), MID_OK);
        assert_int_equal(ii.compression, MID_AN2K_CGA_JPEGL);
        mid_image *img = NULL;
        mid_status st = mid_an2k_image_decode(tu_ctx, tx, want[k].rec, &img);
        if (st != MID_OK) {
            print_error("%s\n", mid_ctx_error(tu_ctx));
        }
        assert_int_equal(st, MID_OK);
        uint32_t w = mid_image_width(img), h = mid_image_height(img);
        assert_int_equal(w, want[k].w);
        assert_int_equal(h, want[k].h);
        assert_true(mid_image_ppi(img) == 500.0);
        const uint8_t *p = mid_image_cpixels(img);
        size_t n = (size_t)w * h, dark = 0, light = 0, smooth = 0;
        uint64_t sum = 0;
        unsigned lo = 255, hi = 0;
        for (size_t i = 0; i < n; i++) {
            sum += p[i];
            dark += p[i] < 100;
            light += p[i] > 200;
            lo = p[i] < lo ? p[i] : lo;
            hi = p[i] > hi ? p[i] : hi;
            if (i % w != 0) {
                int d = (int)p[i] - (int)p[i - 1];
                smooth += d > -64 && d < 64;
            }
        }
        double mean = (double)sum / (double)n;
        print_message("  record %zu: %ux%u mean %.1f dark %.3f light %.3f smooth %.3f\n",
                      want[k].rec + 1, w, h, mean, (double)dark / n, (double)light / n,
                      (double)smooth / (double)(n - h));
        assert_true(lo == 0 && hi == 255);
        assert_true(mean > 150.0 && mean < 210.0);
        assert_true(dark > n / 10 && light > n / 3);
        assert_true(smooth > (n - h) * 3 / 4);
        mid_image_free(img);
    }
    mid_an2k_free(tx);
    free(data);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_predictors),     cmocka_unit_test(test_8bit_identity_and_ppi),
        cmocka_unit_test(test_category_16),    cmocka_unit_test(test_restarts),
        cmocka_unit_test(test_truncated),      cmocka_unit_test(test_corrupt_tables),
        cmocka_unit_test(test_hostile_frames), cmocka_unit_test(test_nist_reference),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
