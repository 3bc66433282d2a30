/* Multi-view records and the 2011/2009 editions (src/template/record.c):
 * hand-built ISO 19794-2:2011 bytes, round trips through every format,
 * metadata kept, hostile input (truncation at every offset, oversized lengths,
 * garbage), and every template vector in ../shared/data (skipped when absent). */
#include "support/testutil.h"

#include "mid/template.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const mid_template_format ALL[] = {MID_TEMPLATE_ISO19794_2_2005,
                                          MID_TEMPLATE_ISO19794_2_2011, MID_TEMPLATE_ANSI378_2004,
                                          MID_TEMPLATE_ANSI378_2009};

static bool ansi(mid_template_format f) {
    return f == MID_TEMPLATE_ANSI378_2004 || f == MID_TEMPLATE_ANSI378_2009;
}

/* A hand-assembled ISO 19794-2:2011 record: two representations, the first with
 * a capture time, device ids, two quality blocks, one certification block, two
 * 6-byte minutiae and a 6-byte extended data block; the second 320x480 at 394
 * px/cm (1000 ppi), 5-byte minutiae. */
static const uint8_t ISO2011[] = {
    'F', 'M', 'R', 0, '0', '3', '0', 0, 0, 0, 0, 126, /* record length 126 */
    0, 2, 1,                                          /* 2 representations, certification flag */
    /* representation 0, 66 bytes */
    0, 0, 0, 66, 0x07, 0xE9, 3, 14, 15, 9, 26, 0x01, 0xF4,      /* 2025-03-14 15:09:26.500 */
    2, 0x12, 0x34, 0x56, 0x78,                                  /* technology, vendor, type */
    2, 80, 0x00, 0x0F, 0x00, 0x01, 255, 0x01, 0x02, 0x03, 0x04, /* quality blocks */
    1, 0x00, 0x0A, 0x01,                                        /* certification block */
    3, 1, 0, 197, 0, 197, 1, 1, 0x2C, 1, 0x90, /* pos 3, view 1, 197 px/cm, rolled, 300x400 */
    0x61, 2,                                   /* 6-byte minutiae, ending type 1, 2 minutiae */
    0x40, 100, 0, 14, 64, 90,                  /* ending (100,14) angle 64 quality 90 */
    0x81, 0x00, 0x01, 0x2C, 200, 254,          /* bifurcation (256,300) angle 200 q n/a */
    0, 6, 0x00, 0x02, 0x00, 0x06, 0xAB, 0xCD,  /* extended data: one 6-byte block */
    /* representation 1, 45 bytes */
    0, 0, 0, 45, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, /* none */
    0,                                                       /* no certification blocks */
    4, 0, 0x01, 0x8A, 0x01, 0x8A, 0, 0x01, 0x40, 0x01, 0xE0, /* pos 4, 394 px/cm, 320x480 */
    0x50, 2,                                                 /* 5-byte minutiae */
    0x80, 10, 0, 20, 128,                                    /* bifurcation (10,20) angle 128 */
    0x01, 0x3F, 0x01, 0xDF, 0,                               /* other (319,479) angle 0 */
    0, 0};

static mid_template_record *decode(const uint8_t *p, size_t n, mid_template_format f) {
    mid_template_record *r = NULL;
    mid_status st = mid_template_record_decode(tu_ctx, p, n, f, &r);
    if (st != MID_OK) {
        print_error("decode: %s\n", mid_ctx_error(tu_ctx));
    }
    assert_int_equal(st, MID_OK);
    return r;
}

static void test_iso2011_fields(void **state) {
    (void)state;
    mid_template_record *r = decode(ISO2011, sizeof(ISO2011), MID_TEMPLATE_AUTO);
    assert_int_equal(mid_template_record_source(r), MID_TEMPLATE_ISO19794_2_2011);
    assert_int_equal(mid_template_record_count(r), 2);
    const mid_template *t = mid_template_record_view(r, 0);
    assert_int_equal(mid_template_width(t), 300);
    assert_int_equal(mid_template_height(t), 400);
    assert_int_equal(mid_template_ppi(t), 500);
    assert_int_equal(mid_template_finger_position(t), 3);
    assert_int_equal(mid_template_impression_type(t), 1);
    assert_int_equal(mid_template_quality(t), 80);
    assert_int_equal(mid_template_count(t), 2);
    const mid_minutia *m = mid_template_minutiae(t);
    assert_int_equal(m[0].x, 100);
    assert_int_equal(m[0].y, 14);
    assert_int_equal(m[0].angle, 64);
    assert_int_equal(m[0].type, MID_MINUTIA_ENDING);
    assert_int_equal(m[0].quality, 90);
    assert_int_equal(m[1].x, 256);
    assert_int_equal(m[1].y, 300);
    assert_int_equal(m[1].type, MID_MINUTIA_BIFURCATION);
    assert_int_equal(m[1].quality, 0); /* 254: not computed */
    mid_template_view_info info;
    assert_int_equal(mid_template_record_view_info(tu_ctx, r, 0, &info), MID_OK);
    assert_int_equal(info.view_number, 1);
    assert_int_equal(info.capture.year, 2025);
    assert_int_equal(info.capture.month, 3);
    assert_int_equal(info.capture.millisecond, 500);
    assert_int_equal(info.device_technology, 2);
    assert_int_equal(info.device_vendor, 0x1234);
    assert_int_equal(info.device_type, 0x5678);
    assert_int_equal(info.quality_owner, 15);
    assert_int_equal(info.quality_algorithm, 1);
    assert_int_equal(info.ending_type, 1);
    t = mid_template_record_view(r, 1);
    assert_int_equal(mid_template_ppi(t), 1001); /* round(394 * 2.54) */
    assert_int_equal(mid_template_width(t), 320);
    assert_int_equal(mid_template_minutiae(t)[1].x, 319);
    assert_int_equal(mid_template_minutiae(t)[1].type, MID_MINUTIA_OTHER);
    assert_int_equal(mid_template_record_view_info(tu_ctx, r, 1, &info), MID_OK);
    assert_int_equal(info.capture.year, 0xFFFF);
    assert_int_equal(mid_template_record_view_info(tu_ctx, r, 2, &info), MID_ERR_ARG);
    assert_null(mid_template_record_view(r, 2));

    /* Same format: byte for byte, quality blocks, certification, 5-byte minutiae
     * and extended data included, except the 254 minutia quality (read as 0). */
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(
        mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ISO19794_2_2011, &buf, &len), MID_OK);
    assert_int_equal(len, sizeof(ISO2011));
    uint8_t expect[sizeof(ISO2011)];
    memcpy(expect, ISO2011, sizeof(expect));
    expect[15 + 57] = 0; /* the 254 */
    assert_memory_equal(buf, expect, len);
    mid_free(buf);

    /* The single-template API returns the first view. */
    mid_template *first = NULL;
    assert_int_equal(
        mid_template_decode(tu_ctx, ISO2011, sizeof(ISO2011), MID_TEMPLATE_AUTO, &first), MID_OK);
    assert_int_equal(mid_template_count(first), 2);
    assert_int_equal(mid_template_finger_position(first), 3);
    mid_template_free(first);

    /* Two image sizes cannot go into one 2005/2004 record. */
    assert_int_equal(
        mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ISO19794_2_2005, &buf, &len),
        MID_ERR_ARG);
    assert_int_equal(mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ANSI378_2004, &buf, &len),
                     MID_ERR_ARG);
    assert_int_equal(mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_NATIVE, &buf, &len),
                     MID_ERR_ARG);
    mid_template_record_free(r);
}

/* Views equal after a conversion: ISO<->ANSI angles within one ANSI step. */
static void assert_same_views(const mid_template_record *a, const mid_template_record *b,
                              bool angle_exact) {
    assert_int_equal(mid_template_record_count(a), mid_template_record_count(b));
    for (size_t v = 0; v < mid_template_record_count(a); v++) {
        const mid_template *x = mid_template_record_view(a, v);
        const mid_template *y = mid_template_record_view(b, v);
        assert_int_equal(mid_template_width(x), mid_template_width(y));
        assert_int_equal(mid_template_height(x), mid_template_height(y));
        int dppi = (int)mid_template_ppi(x) - (int)mid_template_ppi(y);
        assert_true(dppi >= -2 && dppi <= 2); /* px/cm rounding */
        assert_int_equal(mid_template_quality(x), mid_template_quality(y));
        assert_int_equal(mid_template_finger_position(x), mid_template_finger_position(y));
        assert_int_equal(mid_template_impression_type(x), mid_template_impression_type(y));
        assert_int_equal(mid_template_count(x), mid_template_count(y));
        for (size_t i = 0; i < mid_template_count(x); i++) {
            const mid_minutia *p = &mid_template_minutiae(x)[i];
            const mid_minutia *q = &mid_template_minutiae(y)[i];
            assert_int_equal(p->x, q->x);
            assert_int_equal(p->y, q->y);
            assert_int_equal(p->type, q->type);
            assert_int_equal(p->quality, q->quality);
            int d = ((int)p->angle - (int)q->angle + 256) % 256;
            if (angle_exact) {
                assert_int_equal(d, 0);
            } else {
                assert_true(d <= 1 || d >= 255); /* 2 degrees = 1.42 units */
            }
        }
        mid_template_view_info ix, iy;
        assert_int_equal(mid_template_record_view_info(tu_ctx, a, v, &ix), MID_OK);
        assert_int_equal(mid_template_record_view_info(tu_ctx, b, v, &iy), MID_OK);
        assert_int_equal(ix.view_number, iy.view_number);
    }
}

/* Converts r to every format its views fit, decodes each, compares, and
 * converts back to src (where it must equal the original exactly). */
static void convert_all(const mid_template_record *r, mid_template_format src) {
    for (size_t k = 0; k < sizeof(ALL) / sizeof(ALL[0]); k++) {
        mid_template_format f = ALL[k];
        void *buf = NULL;
        size_t len = 0;
        mid_status st = mid_template_record_encode(tu_ctx, r, f, &buf, &len);
        if (st == MID_ERR_ARG &&
            (f == MID_TEMPLATE_ISO19794_2_2005 || f == MID_TEMPLATE_ANSI378_2004)) {
            continue; /* views of several image sizes */
        }
        assert_int_equal(st, MID_OK);
        mid_template_record *c = decode(buf, len, MID_TEMPLATE_AUTO);
        assert_int_equal(mid_template_record_source(c), f);
        mid_free(buf);
        assert_same_views(r, c, ansi(src) || !ansi(f));
        /* Back to the source format: the same record again. */
        assert_int_equal(mid_template_record_encode(tu_ctx, c, src, &buf, &len), MID_OK);
        mid_template_record *back = decode(buf, len, src);
        mid_free(buf);
        assert_same_views(r, back, ansi(src) || !ansi(f));
        mid_template_record_free(back);
        mid_template_record_free(c);
    }
}

static void test_iso2011_convert(void **state) {
    (void)state;
    mid_template_record *r = decode(ISO2011, sizeof(ISO2011), MID_TEMPLATE_ISO19794_2_2011);
    convert_all(r, MID_TEMPLATE_ISO19794_2_2011);
    /* ANSI 2009 keeps the quality algorithm ids; ISO 2011 metadata is dropped. */
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ANSI378_2009, &buf, &len),
                     MID_OK);
    mid_template_record *a = decode(buf, len, MID_TEMPLATE_AUTO);
    assert_int_equal(mid_template_record_source(a), MID_TEMPLATE_ANSI378_2009);
    mid_free(buf);
    mid_template_view_info info;
    assert_int_equal(mid_template_record_view_info(tu_ctx, a, 0, &info), MID_OK);
    assert_int_equal(info.quality_owner, 15);
    assert_int_equal(info.quality_algorithm, 1);
    assert_int_equal(info.view_number, 1);
    assert_int_equal(info.capture.year, 0xFFFF);
    /* ANSI angle unit: 64 * 360/256 = 90 degrees = 45 units; back to 64. */
    assert_int_equal(mid_template_minutiae(mid_template_record_view(a, 0))[0].angle, 64);
    mid_template_record_free(a);
    mid_template_record_free(r);
}

static void test_build_multi_view(void **state) {
    (void)state;
    mid_template_record *r = NULL;
    assert_int_equal(mid_template_record_create(tu_ctx, &r), MID_OK);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(
        mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ISO19794_2_2011, &buf, &len),
        MID_ERR_ARG); /* empty */
    for (unsigned f = 1; f <= 10; f++) {
        mid_template *t = NULL;
        assert_int_equal(mid_template_create(tu_ctx, 400, 500, 500, &t), MID_OK);
        assert_int_equal(mid_template_set_finger(tu_ctx, t, (uint8_t)f, 0), MID_OK);
        mid_template_set_quality(t, (uint8_t)(50 + f));
        for (unsigned i = 0; i < f * 7; i++) {
            mid_minutia m = {(uint16_t)(i * 13 % 400), (uint16_t)(i * 29 % 500), (uint8_t)(i * 37),
                             (uint8_t)(1 + i % 2), (uint8_t)(i % 101)};
            assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
        }
        mid_template_view_info info;
        mid_template_view_info_init(&info);
        info.view_number = (uint8_t)(f % 3);
        assert_int_equal(mid_template_record_add(tu_ctx, r, t, &info), MID_OK);
        mid_template_free(t);
    }
    assert_int_equal(mid_template_record_count(r), 10);
    convert_all(r, MID_TEMPLATE_ISO19794_2_2005);
    /* As if read from ANSI 378-2009 (angles on the 2-degree grid). */
    assert_int_equal(mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ANSI378_2009, &buf, &len),
                     MID_OK);
    mid_template_record *a9 = decode(buf, len, MID_TEMPLATE_AUTO);
    mid_free(buf);
    assert_int_equal(mid_template_record_source(a9), MID_TEMPLATE_ANSI378_2009);
    convert_all(a9, MID_TEMPLATE_ANSI378_2009);
    mid_template_record_free(a9);
    /* Record header fields survive ANSI. */
    mid_template_record_info h = {0x1234, 0x00330044};
    mid_template_record_set_header(r, &h);
    assert_int_equal(mid_template_record_encode(tu_ctx, r, MID_TEMPLATE_ANSI378_2004, &buf, &len),
                     MID_OK);
    mid_template_record *a = decode(buf, len, MID_TEMPLATE_AUTO);
    mid_free(buf);
    assert_int_equal(mid_template_record_header(a).capture_equipment, 0x1234);
    assert_int_equal(mid_template_record_header(a).cbeff_product, 0x00330044);
    mid_template_record_free(a);
    mid_template_view_info bad;
    mid_template_view_info_init(&bad);
    bad.view_number = 16;
    assert_int_equal(mid_template_record_add(tu_ctx, r, mid_template_record_view(r, 0), &bad),
                     MID_ERR_ARG);
    mid_template_record_free(r);
}

/* Single-template API: 2011 and 2009 encode and decode with their own codes. */
static void test_single_template(void **state) {
    (void)state;
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(tu_ctx, 256, 360, 500, &t), MID_OK);
    mid_minutia m = {255, 359, 255, MID_MINUTIA_BIFURCATION, 100};
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
    mid_template_format fs[] = {MID_TEMPLATE_ISO19794_2_2011, MID_TEMPLATE_ANSI378_2009};
    for (size_t k = 0; k < 2; k++) {
        void *buf = NULL;
        size_t len = 0;
        assert_int_equal(mid_template_encode(tu_ctx, t, fs[k], &buf, &len), MID_OK);
        assert_memory_equal(buf,
                            "FMR\0"
                            "030\0",
                            8);
        mid_template *u = NULL;
        assert_int_equal(mid_template_decode(tu_ctx, buf, len, MID_TEMPLATE_AUTO, &u), MID_OK);
        assert_int_equal(mid_template_count(u), 1);
        assert_int_equal(mid_template_minutiae(u)[0].x, 255);
        assert_int_equal(mid_template_minutiae(u)[0].quality, 100);
        /* The wrong edition is refused with a clear error. */
        mid_template *w = NULL;
        assert_int_equal(mid_template_decode(tu_ctx, buf, len,
                                             k == 0 ? MID_TEMPLATE_ISO19794_2_2005
                                                    : MID_TEMPLATE_ISO19794_2_2011,
                                             &w),
                         k == 0 ? MID_ERR_UNSUPPORTED : MID_ERR_FORMAT);
        assert_null(w);
        mid_template_free(u);
        mid_free(buf);
    }
    mid_template_free(t);
}

static void test_hostile(void **state) {
    (void)state;
    mid_template_record *r = NULL;
    /* Every truncation is an error, never a crash or a partial record. */
    for (size_t n = 0; n < sizeof(ISO2011); n++) {
        assert_int_not_equal(
            mid_template_record_decode(tu_ctx, ISO2011, n, MID_TEMPLATE_ISO19794_2_2011, &r),
            MID_OK);
        assert_null(r);
    }
    assert_int_equal(
        mid_template_record_decode(tu_ctx, ISO2011, 60, MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "truncated"));
    uint8_t b[sizeof(ISO2011)];
    /* Oversized record length. */
    memcpy(b, ISO2011, sizeof(b));
    b[8] = 0x7F;
    assert_int_equal(mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_AUTO, &r),
                     MID_ERR_LIMIT);
    /* Representation length past the record, and one byte short of its content. */
    memcpy(b, ISO2011, sizeof(b));
    b[18] = 200;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "representation 0 length"));
    /* Minutia field length other than 5/6, bad certification flag, bad quality. */
    memcpy(b, ISO2011, sizeof(b));
    b[15 + 44] = 0x71;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "minutia field length"));
    memcpy(b, ISO2011, sizeof(b));
    b[14] = 2;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    memcpy(b, ISO2011, sizeof(b));
    b[15 + 19] = 101;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    /* Nested garbage: an extended data block whose length breaks the tiling. */
    memcpy(b, ISO2011, sizeof(b));
    b[15 + 63] = 9;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "extended data block"));
    /* Minutia outside the image. */
    memcpy(b, ISO2011, sizeof(b));
    b[15 + 46] = 0x41;
    b[15 + 47] = 0x2C;
    assert_int_equal(
        mid_template_record_decode(tu_ctx, b, sizeof(b), MID_TEMPLATE_ISO19794_2_2011, &r),
        MID_ERR_FORMAT);
    /* Garbage. */
    uint8_t junk[64];
    for (size_t i = 0; i < sizeof(junk); i++) {
        junk[i] = (uint8_t)(i * 151u + 7u);
    }
    assert_int_equal(mid_template_record_decode(tu_ctx, junk, sizeof(junk), MID_TEMPLATE_AUTO, &r),
                     MID_ERR_FORMAT);
    memcpy(junk,
           "FMR\0"
           "030\0",
           8);
    assert_int_not_equal(
        mid_template_record_decode(tu_ctx, junk, sizeof(junk), MID_TEMPLATE_AUTO, &r), MID_OK);
    assert_null(r);
}

/* ---- reference vectors --------------------------------------------------------- */

static size_t g_files;

static void vector(const char *path) {
    size_t n = 0;
    uint8_t *p = tu_read_file(path, &n);
    mid_template_record *r = NULL;
    mid_status st = mid_template_record_decode(tu_ctx, p, n, MID_TEMPLATE_AUTO, &r);
    if (st != MID_OK) {
        print_error("%s: %s\n", path, mid_ctx_error(tu_ctx));
    }
    assert_int_equal(st, MID_OK);
    mid_template_format src = mid_template_record_source(r);
    /* The first view agrees with the single-template decoder. */
    mid_template *t = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, p, n, MID_TEMPLATE_AUTO, &t), MID_OK);
    assert_int_equal(mid_template_count(t), mid_template_count(mid_template_record_view(r, 0)));
    assert_memory_equal(mid_template_minutiae(t),
                        mid_template_minutiae(mid_template_record_view(r, 0)),
                        mid_template_count(t) * sizeof(mid_minutia));
    mid_template_free(t);
    /* Same-format round trip: equal again, and the bytes equal the file's up to
     * its stated record length except where the file is inconsistent. */
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_record_encode(tu_ctx, r, src, &buf, &len), MID_OK);
    mid_template_record *again = decode(buf, len, src);
    assert_same_views(r, again, true);
    mid_template_record_free(again);
    mid_free(buf);
    convert_all(r, src);
    mid_template_record_free(r);
    free(p);
    g_files++;
}

static void vectors_in(const char *dir, const char *suffix) {
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char path[4200];
    while ((e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name), s = strlen(suffix);
        if (e->d_name[0] == '.' || n < s || strcmp(e->d_name + n - s, suffix) != 0) {
            continue;
        }
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        vector(path);
    }
    closedir(d);
}

static void test_reference_vectors(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(root, "iso19794-2-openafis-secugen");
    char base[4096];
    snprintf(base, sizeof(base), "%s/..", root);
    static const char *files[] = {
        "biomdi-standard-example-templates/ANSI-INCITS-378_2004_Appendix-B2_Example.raw",
        "biomdi-standard-example-templates/ISO-19794-2_2005_Appendix-C2_Example.raw",
        "libbiomeval-test-data/fmr.ansi2004",
        "libbiomeval-test-data/fmr.ansi2007",
        "libbiomeval-test-data/fmr.iso2005",
        "sourceafis-test-images/iso-matching.dat",
        "sourceafis-test-images/iso-nonmatching.dat",
        "sourceafis-test-images/iso-probe.dat"};
    char path[4400];
    g_files = 0;
    for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
        snprintf(path, sizeof(path), "%s/%s", base, files[i]);
        vector(path);
    }
    static const char *dirs[] = {
        "iso19794-2-openafis-secugen/fvc2002-db1-b", "iso19794-2-openafis-secugen/fvc2002-db2-b",
        "iso19794-2-openafis-secugen/fvc2002-db3-b", "iso19794-2-openafis-secugen/fvc2002-db4-b"};
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof(path), "%s/%s", base, dirs[i]);
        vectors_in(path, ".iso");
    }
    snprintf(path, sizeof(path), "%s/fingerjetfx-minex-samples/templates-iso", base);
    vectors_in(path, ".ist");
    assert_int_equal(g_files, 8 + 320 + 9);

    /* libbiomeval's ANSI 378-2009 record is multi-view: every view is read. */
    snprintf(path, sizeof(path), "%s/libbiomeval-test-data/fmr.ansi2007", base);
    mid_template_record *r = NULL;
    assert_int_equal(mid_template_record_load(tu_ctx, path, MID_TEMPLATE_AUTO, &r), MID_OK);
    assert_int_equal(mid_template_record_source(r), MID_TEMPLATE_ANSI378_2009);
    assert_true(mid_template_record_count(r) >= 1);
    mid_template_record_free(r);
    /* The truncated negatives stay rejected. */
    snprintf(path, sizeof(path),
             "%s/iso19794-2-openafis-secugen/invalid-truncated/101_1_truncate_1_byte.iso", base);
    assert_int_equal(mid_template_record_load(tu_ctx, path, MID_TEMPLATE_AUTO, &r), MID_ERR_FORMAT);
    assert_null(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_iso2011_fields),   cmocka_unit_test(test_iso2011_convert),
        cmocka_unit_test(test_build_multi_view), cmocka_unit_test(test_single_template),
        cmocka_unit_test(test_hostile),          cmocka_unit_test(test_reference_vectors),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
