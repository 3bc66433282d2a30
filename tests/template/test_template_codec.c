/* Tests for src/template: the in-memory template, the native, ISO 19794-2:2005 and
 * ANSI 378-2004 codecs, auto-detection and rejection of malformed records. */
#include "support/testutil.h"

#include "mid/template.h"
#include "template/tmpl.h"

#include <stdlib.h>
#include <string.h>

/*
 * A hand-built ISO 19794-2:2005 record, every field computed by hand:
 * image 256 x 400 at 197 px/cm (round(197 * 2.54) = 500 ppi), one view:
 * finger position 2 (right index), view 0, impression 1
 * (live-scan rolled), finger quality 77, two minutiae:
 *   ending at (10, 300), 90 degrees = 64 units (points up the image), quality 55:
 *     type 01 << 14 | 10 = 0x400A; y 300 = 0x012C; angle 0x40; quality 0x37
 *   bifurcation at (200, 5), 270 degrees = 192 units (points down), quality 100:
 *     type 10 << 14 | 200 = 0x80C8; y = 0x0005; angle 0xC0; quality 0x64
 * Record length 24 + 4 + 2 * 6 + 2 = 42.
 */
static const uint8_t iso_rec[42] = {
    'F',  'M',  'R',  0,    ' ',  '2',  '0',  0,    0x00, 0x00, 0x00, 0x2A, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x90, 0x00, 0xC5, 0x00, 0xC5, 0x01, 0x00, 0x02, 0x01, 0x4D, 0x02,
    0x40, 0x0A, 0x01, 0x2C, 0x40, 0x37, 0x80, 0xC8, 0x00, 0x05, 0xC0, 0x64, 0x00, 0x00};

/* The same in ANSI 378-2004: 2-byte record length 26 + 4 + 12 + 2 = 44, a 4-byte
 * CBEFF product id (0), angles in 2-degree units: 90 deg = 45 (0x2D), 270 deg =
 * 135 (0x87). */
static const uint8_t ansi_rec[44] = {
    'F',  'M',  'R',  0,    ' ',  '2',  '0',  0,    0x00, 0x2C, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x01, 0x90, 0x00, 0xC5, 0x00, 0xC5, 0x01, 0x00, 0x02, 0x01, 0x4D, 0x02,
    0x40, 0x0A, 0x01, 0x2C, 0x2D, 0x37, 0x80, 0xC8, 0x00, 0x05, 0x87, 0x64, 0x00, 0x00};

static void assert_hand_template(const mid_template *t) {
    assert_int_equal(mid_template_width(t), 256);
    assert_int_equal(mid_template_height(t), 400);
    assert_int_equal(mid_template_ppi(t), 500);
    assert_int_equal(mid_template_quality(t), 77);
    assert_int_equal(mid_template_finger_position(t), 2);
    assert_int_equal(mid_template_impression_type(t), 1);
    assert_int_equal(mid_template_count(t), 2);
    const mid_minutia *m = mid_template_minutiae(t);
    assert_int_equal(m[0].x, 10);
    assert_int_equal(m[0].y, 300);
    assert_int_equal(m[0].angle, 64);
    assert_int_equal(m[0].type, MID_MINUTIA_ENDING);
    assert_int_equal(m[0].quality, 55);
    assert_int_equal(m[1].x, 200);
    assert_int_equal(m[1].y, 5);
    assert_int_equal(m[1].angle, 192);
    assert_int_equal(m[1].type, MID_MINUTIA_BIFURCATION);
    assert_int_equal(m[1].quality, 100);
}

static mid_template *hand_template(void) {
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(tu_ctx, 256, 400, 500, &t), MID_OK);
    mid_template_set_quality(t, 77);
    assert_int_equal(mid_template_set_finger(tu_ctx, t, 2, 1), MID_OK);
    mid_minutia a = {10, 300, 64, MID_MINUTIA_ENDING, 55};
    mid_minutia b = {200, 5, 192, MID_MINUTIA_BIFURCATION, 100};
    assert_int_equal(mid_template_add(tu_ctx, t, &a), MID_OK);
    assert_int_equal(mid_template_add(tu_ctx, t, &b), MID_OK);
    return t;
}

/* A pseudo-random template (LCG, fixed seed) for round trips. */
static mid_template *random_template(unsigned seed, size_t n) {
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(tu_ctx, 388, 374, 500, &t), MID_OK);
    mid_template_set_quality(t, 63);
    uint32_t s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        mid_minutia m = {(uint16_t)((s >> 8) % 388), 0, 0, 0, 0};
        s = s * 1103515245u + 12345u;
        m.y = (uint16_t)((s >> 8) % 374);
        m.angle = (uint8_t)(s >> 20);
        m.type = (uint8_t)((s >> 12) % 3);
        m.quality = (uint8_t)((s >> 4) % 101);
        assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
    }
    return t;
}

static void test_add_bounds(void **state) {
    (void)state;
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(tu_ctx, 0, 10, 500, &t), MID_ERR_ARG);
    assert_null(t);
    assert_int_equal(mid_template_create(tu_ctx, 9000, 10, 500, &t), MID_ERR_LIMIT);
    assert_int_equal(mid_template_create(tu_ctx, 100, 50, 500, &t), MID_OK);
    mid_minutia m = {99, 49, 0, MID_MINUTIA_ENDING, 100};
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
    m.x = 100;
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "outside"));
    m.x = 0;
    m.y = 50;
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_ERR_ARG);
    m.y = 0;
    m.type = 3;
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_ERR_ARG);
    m.type = MID_MINUTIA_OTHER;
    m.quality = 101;
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_ERR_ARG);
    m.quality = 0;
    assert_int_equal(mid_template_count(t), 1);
    for (size_t i = 1; i < MID_MAX_MINUTIAE; i++) {
        assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
    }
    assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_ERR_LIMIT);
    assert_int_equal(mid_template_count(t), MID_MAX_MINUTIAE);
    mid_template_set_quality(t, 250);
    assert_int_equal(mid_template_quality(t), 100);
    assert_int_equal(mid_template_set_finger(tu_ctx, t, 16, 0), MID_ERR_ARG);
    mid_template_free(t);
    mid_template_free(NULL);
}

static void test_iso_hand_record(void **state) {
    (void)state;
    mid_template *t = NULL;
    assert_int_equal(
        mid_template_decode(tu_ctx, iso_rec, sizeof(iso_rec), MID_TEMPLATE_ISO19794_2_2005, &t),
        MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    /* Encoding the same template gives back exactly the hand-computed bytes. */
    t = hand_template();
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_ISO19794_2_2005, &buf, &len),
                     MID_OK);
    assert_int_equal(len, sizeof(iso_rec));
    assert_memory_equal(buf, iso_rec, len);
    mid_free(buf);
    mid_template_free(t);
}

static void test_ansi_hand_record(void **state) {
    (void)state;
    mid_template *t = NULL;
    assert_int_equal(
        mid_template_decode(tu_ctx, ansi_rec, sizeof(ansi_rec), MID_TEMPLATE_ANSI378_2004, &t),
        MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    t = hand_template();
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_ANSI378_2004, &buf, &len), MID_OK);
    assert_int_equal(len, sizeof(ansi_rec));
    assert_memory_equal(buf, ansi_rec, len);
    mid_free(buf);
    mid_template_free(t);
}

static void test_ansi_angle_rounding(void **state) {
    (void)state;
    /* Hand values: 1 unit = 1.40625 deg = 0.703 ANSI units -> 1; 2 units = 1.41 -> 1;
     * 255 units = 358.6 deg = 179.3 -> 179; 0 -> 0. And back: 1 -> 1.42 -> 1;
     * 179 -> 254.6 -> 255; 90 (180 deg) -> 128. */
    assert_int_equal(tmpl_angle_to_ansi(0), 0);
    assert_int_equal(tmpl_angle_to_ansi(1), 1);
    assert_int_equal(tmpl_angle_to_ansi(2), 1);
    assert_int_equal(tmpl_angle_to_ansi(128), 90);
    assert_int_equal(tmpl_angle_to_ansi(255), 179);
    assert_int_equal(tmpl_angle_from_ansi(1), 1);
    assert_int_equal(tmpl_angle_from_ansi(90), 128);
    assert_int_equal(tmpl_angle_from_ansi(179), 255);
    for (unsigned a = 0; a < 256; a++) {
        uint8_t b = tmpl_angle_from_ansi(tmpl_angle_to_ansi((uint8_t)a));
        unsigned d = (unsigned)((a - b) & 0xFFu);
        if (d > 128) {
            d = 256 - d;
        }
        assert_true(d <= 1);
        assert_true(tmpl_angle_to_ansi((uint8_t)a) < 180);
    }
    /* ANSI -> 256 units -> ANSI is exact: re-encoding a decoded ANSI record is lossless. */
    for (unsigned d = 0; d < 180; d++) {
        assert_int_equal(tmpl_angle_to_ansi(tmpl_angle_from_ansi((uint8_t)d)), d);
    }
}

static void round_trip(mid_template_format f, unsigned seed, size_t n) {
    mid_template *t = random_template(seed, n);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, f, &buf, &len), MID_OK);
    mid_template *u = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, buf, len, f, &u), MID_OK);
    mid_template *v = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, buf, len, MID_TEMPLATE_AUTO, &v), MID_OK);
    assert_int_equal(mid_template_count(u), n);
    assert_int_equal(mid_template_count(v), n);
    assert_int_equal(mid_template_width(u), 388);
    assert_int_equal(mid_template_height(u), 374);
    assert_int_equal(mid_template_ppi(u), 500);
    assert_int_equal(mid_template_quality(u), 63);
    const mid_minutia *a = mid_template_minutiae(t), *b = mid_template_minutiae(u);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].x, b[i].x);
        assert_int_equal(a[i].y, b[i].y);
        assert_int_equal(a[i].type, b[i].type);
        assert_int_equal(a[i].quality, b[i].quality);
        if (f == MID_TEMPLATE_ANSI378_2004) {
            unsigned d = (unsigned)((a[i].angle - b[i].angle) & 0xFF);
            assert_true(d <= 1 || d == 255);
        } else {
            assert_int_equal(a[i].angle, b[i].angle);
        }
    }
    assert_memory_equal(mid_template_minutiae(v), b, n * sizeof(mid_minutia));
    mid_free(buf);
    mid_template_free(t);
    mid_template_free(u);
    mid_template_free(v);
}

static void test_round_trips(void **state) {
    (void)state;
    static const size_t counts[] = {0, 1, 37, 255};
    for (size_t k = 0; k < 4; k++) {
        round_trip(MID_TEMPLATE_NATIVE, 11u + (unsigned)k, counts[k]);
        round_trip(MID_TEMPLATE_ISO19794_2_2005, 21u + (unsigned)k, counts[k]);
        round_trip(MID_TEMPLATE_ANSI378_2004, 31u + (unsigned)k, counts[k]);
    }
}

static void test_resolution_conversion(void **state) {
    (void)state;
    /* 1000 ppi -> round(393.7) = 394 px/cm -> round(1000.76) = 1001 ppi; 0 stays 0. */
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(tu_ctx, 10, 10, 1000, &t), MID_OK);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_ISO19794_2_2005, &buf, &len),
                     MID_OK);
    const uint8_t *p = buf;
    assert_int_equal(p[18] << 8 | p[19], 394);
    assert_int_equal(p[20] << 8 | p[21], 394);
    mid_template *u = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, buf, len, MID_TEMPLATE_AUTO, &u), MID_OK);
    assert_int_equal(mid_template_ppi(u), 1001);
    mid_free(buf);
    mid_template_free(u);
    mid_template_free(t);
    assert_int_equal(mid_template_create(tu_ctx, 10, 10, 0, &t), MID_OK);
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_ANSI378_2004, &buf, &len), MID_OK);
    assert_int_equal(mid_template_decode(tu_ctx, buf, len, MID_TEMPLATE_AUTO, &u), MID_OK);
    assert_int_equal(mid_template_ppi(u), 0);
    mid_free(buf);
    mid_template_free(u);
    mid_template_free(t);
}

static void test_auto_detect(void **state) {
    (void)state;
    assert_false(tmpl_fmr_looks_ansi(iso_rec, sizeof(iso_rec)));
    assert_true(tmpl_fmr_looks_ansi(ansi_rec, sizeof(ansi_rec)));
    mid_template *t = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, iso_rec, sizeof(iso_rec), MID_TEMPLATE_AUTO, &t),
                     MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    assert_int_equal(mid_template_decode(tu_ctx, ansi_rec, sizeof(ansi_rec), MID_TEMPLATE_AUTO, &t),
                     MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    /* ANSI long form: 2-byte length 0, then a 4-byte length 48 (44 + 4). */
    uint8_t longform[48];
    memcpy(longform, ansi_rec, 8);
    memcpy(longform + 8, "\0\0\0\0\0\x30", 6);
    memcpy(longform + 14, ansi_rec + 10, sizeof(ansi_rec) - 10);
    assert_true(tmpl_fmr_looks_ansi(longform, sizeof(longform)));
    assert_int_equal(mid_template_decode(tu_ctx, longform, sizeof(longform), MID_TEMPLATE_AUTO, &t),
                     MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    /* Unknown magic. */
    static const uint8_t junk[16] = "FIR\0 20\0";
    assert_int_equal(mid_template_decode(tu_ctx, junk, sizeof(junk), MID_TEMPLATE_AUTO, &t),
                     MID_ERR_FORMAT);
    assert_null(t);
    assert_int_equal(mid_template_decode(tu_ctx, junk, 0, MID_TEMPLATE_AUTO, &t), MID_ERR_FORMAT);
    /* Wrong explicit format. */
    assert_int_not_equal(
        mid_template_decode(tu_ctx, iso_rec, sizeof(iso_rec), MID_TEMPLATE_NATIVE, &t), MID_OK);
}

static void check_truncations(const uint8_t *rec, size_t len, mid_template_format f) {
    for (size_t n = 0; n < len; n++) {
        /* A fresh copy of exactly n bytes, so ASan sees any read past it. */
        uint8_t *cut = malloc(n ? n : 1);
        assert_non_null(cut);
        memcpy(cut, rec, n);
        mid_template *t = (mid_template *)1;
        mid_status st = mid_template_decode(tu_ctx, cut, n, f, &t);
        assert_int_not_equal(st, MID_OK);
        assert_null(t);
        assert_true(strlen(mid_ctx_error(tu_ctx)) > 0);
        st = mid_template_decode(tu_ctx, cut, n, MID_TEMPLATE_AUTO, &t);
        assert_int_not_equal(st, MID_OK);
        free(cut);
    }
}

static void test_every_truncation_fails(void **state) {
    (void)state;
    check_truncations(iso_rec, sizeof(iso_rec), MID_TEMPLATE_ISO19794_2_2005);
    check_truncations(ansi_rec, sizeof(ansi_rec), MID_TEMPLATE_ANSI378_2004);
    mid_template *t = random_template(5, 40);
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_NATIVE, &buf, &len), MID_OK);
    check_truncations(buf, len, MID_TEMPLATE_NATIVE);
    mid_free(buf);
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_ISO19794_2_2005, &buf, &len),
                     MID_OK);
    check_truncations(buf, len, MID_TEMPLATE_ISO19794_2_2005);
    mid_free(buf);
    mid_template_free(t);
}

static void test_native_corruption(void **state) {
    (void)state;
    mid_template *t = hand_template();
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, t, MID_TEMPLATE_NATIVE, &buf, &len), MID_OK);
    assert_int_equal(len, 16 + 2 * 7 + 4);
    uint8_t *p = buf;
    assert_memory_equal(p, "MIDT\x01", 5);
    assert_int_equal(p[6] | p[7] << 8, 256); /* little-endian width */
    assert_int_equal(p[8] | p[9] << 8, 400);
    assert_int_equal(p[16] | p[17] << 8, 10); /* first minutia x */
    assert_int_equal(p[18] | p[19] << 8, 300);
    for (size_t i = 4; i < len; i++) { /* bytes 0..3 fail on magic instead */
        for (unsigned bit = 0; bit < 8; bit++) {
            p[i] ^= (uint8_t)(1u << bit);
            mid_template *u = NULL;
            mid_status st = mid_template_decode(tu_ctx, p, len, MID_TEMPLATE_NATIVE, &u);
            assert_int_not_equal(st, MID_OK);
            assert_null(u);
            p[i] ^= (uint8_t)(1u << bit);
        }
    }
    p[len - 1] ^= 0x80;
    mid_template *u = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, p, len, MID_TEMPLATE_NATIVE, &u), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "CRC"));
    p[len - 1] ^= 0x80;
    /* Trailing bytes are rejected in the native format. */
    uint8_t longer[64];
    memcpy(longer, p, len);
    longer[len] = 0;
    assert_int_equal(mid_template_decode(tu_ctx, longer, len + 1, MID_TEMPLATE_NATIVE, &u),
                     MID_ERR_FORMAT);
    assert_int_equal(mid_template_decode(tu_ctx, p, len, MID_TEMPLATE_AUTO, &u), MID_OK);
    assert_hand_template(u);
    mid_template_free(u);
    mid_free(buf);
    mid_template_free(t);
}

/* Decodes a patched copy of iso_rec and expects failure with the given status. */
static void expect_iso_patch(size_t off, uint8_t value, mid_status want, const char *msg_part) {
    uint8_t r[sizeof(iso_rec)];
    memcpy(r, iso_rec, sizeof(r));
    r[off] = value;
    mid_template *t = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, r, sizeof(r), MID_TEMPLATE_ISO19794_2_2005, &t),
                     want);
    assert_null(t);
    if (msg_part != NULL) {
        assert_non_null(strstr(mid_ctx_error(tu_ctx), msg_part));
    }
}

static void test_fmr_rejects(void **state) {
    (void)state;
    expect_iso_patch(22, 0, MID_ERR_FORMAT, "zero finger views");
    expect_iso_patch(27, 3, MID_ERR_FORMAT, "truncated");     /* count beyond the data */
    expect_iso_patch(11, 0x2B, MID_ERR_FORMAT, "truncated");  /* record length > buffer */
    expect_iso_patch(11, 0x20, MID_ERR_FORMAT, "truncated");  /* minutiae past record length */
    expect_iso_patch(11, 0x10, MID_ERR_FORMAT, "below");      /* shorter than the header */
    expect_iso_patch(28, 0xC0, MID_ERR_FORMAT, "reserved");   /* minutia type 11 */
    expect_iso_patch(17, 0x2C, MID_ERR_FORMAT, "outside");    /* height 300: y = 300 is out */
    expect_iso_patch(34, 0x81, MID_ERR_FORMAT, "outside");    /* x = 0x1C8 = 456 >= 256 */
    expect_iso_patch(14, 0x00, MID_ERR_FORMAT, "zero image"); /* width 0 */
    expect_iso_patch(33, 101, MID_ERR_FORMAT, "quality");     /* minutia quality */
    expect_iso_patch(26, 101, MID_ERR_FORMAT, "quality");     /* finger quality */
    expect_iso_patch(5, '1', MID_ERR_UNSUPPORTED, "version"); /* " 10" */
    expect_iso_patch(18, 0x0F, MID_ERR_LIMIT, "resolution");  /* 0x0FC5 px/cm > 2000 ppi */
    expect_iso_patch(41, 5, MID_ERR_FORMAT, "extended");      /* extended data past the end */
    /* Second view: the first is valid, the second's minutia is out of the image. */
    uint8_t two[42 + 4 + 6 + 2];
    memcpy(two, iso_rec, 42);
    two[11] = sizeof(two);
    two[22] = 2;
    static const uint8_t view2[] = {3, 0, 50, 1, 0x41, 0x00, 0x00, 0x01, 0x10, 0x20, 0, 0};
    memcpy(two + 42, view2, sizeof(view2));
    mid_template *t = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, two, sizeof(two), MID_TEMPLATE_AUTO, &t),
                     MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "view 1"));
    two[46] = 0x40; /* x = 0 */
    assert_int_equal(mid_template_decode(tu_ctx, two, sizeof(two), MID_TEMPLATE_AUTO, &t), MID_OK);
    assert_hand_template(t); /* the first view is returned */
    mid_template_free(t);
    /* ANSI: angle beyond 179. */
    uint8_t a[sizeof(ansi_rec)];
    memcpy(a, ansi_rec, sizeof(a));
    a[34] = 180;
    assert_int_equal(mid_template_decode(tu_ctx, a, sizeof(a), MID_TEMPLATE_ANSI378_2004, &t),
                     MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "angle"));
}

static void test_fmr_length_policy(void **state) {
    (void)state;
    mid_template *t = NULL;
    /* Padding after the declared record is ignored. */
    uint8_t padded[sizeof(iso_rec) + 100];
    memset(padded, 0xEE, sizeof(padded));
    memcpy(padded, iso_rec, sizeof(iso_rec));
    assert_int_equal(mid_template_decode(tu_ctx, padded, sizeof(padded), MID_TEMPLATE_AUTO, &t),
                     MID_OK);
    assert_hand_template(t);
    mid_template_free(t);
    /* A record length claiming 3 bytes more than the views use (beyond the 2-byte
     * slack documented in fmr.c) disagrees with the data. */
    padded[11] = (uint8_t)(sizeof(iso_rec) + 3);
    assert_int_equal(mid_template_decode(tu_ctx, padded, sizeof(padded), MID_TEMPLATE_AUTO, &t),
                     MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "disagrees"));
    padded[11] = (uint8_t)(sizeof(iso_rec) + 2);
    assert_int_equal(mid_template_decode(tu_ctx, padded, sizeof(padded), MID_TEMPLATE_AUTO, &t),
                     MID_OK);
    mid_template_free(t);
    /* Extended data: one 8-byte vendor block, properly tiled. */
    uint8_t ext[sizeof(iso_rec) + 8];
    memcpy(ext, iso_rec, sizeof(iso_rec));
    ext[11] = sizeof(ext);
    ext[41] = 8;
    static const uint8_t block[8] = {0x01, 0x00, 0x00, 0x08, 1, 2, 3, 4};
    memcpy(ext + 42, block, 8);
    assert_int_equal(mid_template_decode(tu_ctx, ext, sizeof(ext), MID_TEMPLATE_AUTO, &t), MID_OK);
    mid_template_free(t);
    ext[45] = 3; /* block length below its own header */
    assert_int_equal(mid_template_decode(tu_ctx, ext, sizeof(ext), MID_TEMPLATE_AUTO, &t),
                     MID_ERR_FORMAT);
    ext[45] = 9; /* block longer than the extended data */
    assert_int_equal(mid_template_decode(tu_ctx, ext, sizeof(ext), MID_TEMPLATE_AUTO, &t),
                     MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "block"));
}

static void test_size_limit_and_args(void **state) {
    (void)state;
    size_t big = (size_t)MID_MAX_TEMPLATE_BYTES + 1;
    uint8_t *p = calloc(big, 1);
    assert_non_null(p);
    memcpy(p, iso_rec, sizeof(iso_rec));
    mid_template *t = NULL;
    assert_int_equal(mid_template_decode(tu_ctx, p, big, MID_TEMPLATE_AUTO, &t), MID_ERR_LIMIT);
    free(p);
    assert_int_equal(mid_template_decode(tu_ctx, NULL, 5, MID_TEMPLATE_AUTO, &t), MID_ERR_ARG);
    assert_int_equal(mid_template_decode(tu_ctx, iso_rec, 42, MID_TEMPLATE_AUTO, NULL),
                     MID_ERR_ARG);
    mid_template *h = hand_template();
    void *buf = NULL;
    size_t len = 0;
    assert_int_equal(mid_template_encode(tu_ctx, h, MID_TEMPLATE_AUTO, &buf, &len), MID_ERR_ARG);
    assert_null(buf);
    mid_template_free(h);
}

static void test_file_io(void **state) {
    (void)state;
    mid_template *t = hand_template();
    const char *path = tu_temp_path("t.ansi");
    assert_int_equal(mid_template_save(tu_ctx, t, MID_TEMPLATE_ANSI378_2004, path), MID_OK);
    mid_template *u = NULL;
    assert_int_equal(mid_template_load(tu_ctx, path, MID_TEMPLATE_AUTO, &u), MID_OK);
    assert_hand_template(u);
    mid_template_free(u);
    assert_int_equal(mid_template_load(tu_ctx, tu_temp_path("missing"), MID_TEMPLATE_AUTO, &u),
                     MID_ERR_IO);
    assert_null(u);
    mid_template_free(t);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_bounds),        cmocka_unit_test(test_iso_hand_record),
        cmocka_unit_test(test_ansi_hand_record),  cmocka_unit_test(test_ansi_angle_rounding),
        cmocka_unit_test(test_round_trips),       cmocka_unit_test(test_resolution_conversion),
        cmocka_unit_test(test_auto_detect),       cmocka_unit_test(test_every_truncation_fails),
        cmocka_unit_test(test_native_corruption), cmocka_unit_test(test_fmr_rejects),
        cmocka_unit_test(test_fmr_length_policy), cmocka_unit_test(test_size_limit_and_args),
        cmocka_unit_test(test_file_io),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
