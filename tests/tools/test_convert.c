/*
 * Tests for `mid convert` (image formats) and `mid template convert` (template
 * formats): runs the built tool (env MID_TOOL, set by ctest) on small images and
 * records this test makes itself, and checks outputs through the library.
 */
#include "support/testutil.h"

#include "mid/mid.h"
#include "mid/wsq.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs and expects exit status rc. */
#define RUN(rc_expected, ...)                                                                      \
    do {                                                                                           \
        const char *args_[] = {__VA_ARGS__, NULL};                                                 \
        tu_run r_ = tu_run_tool(args_);                                                            \
        if (r_.rc != (rc_expected)) {                                                              \
            print_error("stderr: %s\n", r_.err);                                                   \
        }                                                                                          \
        assert_int_equal(r_.rc, (rc_expected));                                                    \
        tu_run_free(&r_);                                                                          \
    } while (0)

/* A 200x150 ridge-like grey pattern at ppi. */
static mid_image *pattern(double ppi) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(tu_ctx, 200, 150, ppi, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    for (uint32_t y = 0; y < 150; y++) {
        for (uint32_t x = 0; x < 200; x++) {
            double v = 128.0 + 100.0 * sin((double)x * 0.6 + 0.3 * sin((double)y * 0.05) * 8.0);
            p[(size_t)y * 200 + x] = (uint8_t)v;
        }
    }
    return img;
}

static mid_image *load(const char *path, uint32_t rw, uint32_t rh) {
    mid_decode_opts o;
    memset(&o, 0, sizeof(o));
    o.raw_width = rw;
    o.raw_height = rh;
    mid_image *img = NULL;
    mid_status st = mid_image_load(tu_ctx, path, &o, &img);
    if (st != MID_OK) {
        print_error("%s: %s\n", path, mid_ctx_error(tu_ctx));
    }
    assert_int_equal(st, MID_OK);
    return img;
}

static void assert_same_pixels(const mid_image *a, const mid_image *b) {
    assert_int_equal(mid_image_width(a), mid_image_width(b));
    assert_int_equal(mid_image_height(a), mid_image_height(b));
    assert_memory_equal(mid_image_cpixels(a), mid_image_cpixels(b),
                        (size_t)mid_image_width(a) * mid_image_height(a));
}

static double psnr(const mid_image *a, const mid_image *b) {
    size_t n = (size_t)mid_image_width(a) * mid_image_height(a);
    double se = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)mid_image_cpixels(a)[i] - (double)mid_image_cpixels(b)[i];
        se += d * d;
    }
    return se == 0.0 ? 99.0 : 10.0 * log10(255.0 * 255.0 / (se / (double)n));
}

static long file_size(const char *path) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fclose(f);
    return n;
}

static void test_image_convert(void **state) {
    (void)state;
    mid_image *orig = pattern(500.0);
    char png[4096], pgm[4096], raw[4096], wsq[4096], jp2[4096], jp2l[4096], back[4096];
    snprintf(png, sizeof(png), "%s", tu_temp_path("c.png"));
    snprintf(pgm, sizeof(pgm), "%s", tu_temp_path("c.pgm"));
    snprintf(raw, sizeof(raw), "%s", tu_temp_path("c.raw"));
    snprintf(wsq, sizeof(wsq), "%s", tu_temp_path("c.wsq"));
    snprintf(jp2, sizeof(jp2), "%s", tu_temp_path("c.jp2"));
    snprintf(jp2l, sizeof(jp2l), "%s", tu_temp_path("lossy.JP2"));
    snprintf(back, sizeof(back), "%s", tu_temp_path("back.png"));
    assert_int_equal(mid_image_save_png(tu_ctx, orig, png), MID_OK);

    /* Lossless chain: PNG -> PGM -> raw -> JP2 (lossless) -> PNG. */
    RUN(0, "convert", png, pgm);
    mid_image *a = load(pgm, 0, 0);
    assert_same_pixels(orig, a);
    mid_image_free(a);
    RUN(0, "convert", pgm, raw);
    assert_int_equal(file_size(raw), 200 * 150);
    RUN(1, "convert", raw, jp2); /* headerless raw input needs --size */
    RUN(0, "convert", raw, jp2, "--size", "200x150", "--ppi", "1000");
    RUN(0, "convert", jp2, back);
    a = load(jp2, 0, 0);
    assert_same_pixels(orig, a);
    assert_true(fabs(mid_image_ppi(a) - 1000.0) < 0.5); /* from the JP2 resc box */
    mid_image_free(a);
    a = load(back, 0, 0);
    assert_same_pixels(orig, a);
    mid_image_free(a);

    /* Lossy: JP2 at 1 bpp and WSQ at the default 0.75 bpp with --ppi carried. */
    RUN(0, "convert", png, jp2l, "--bitrate", "1");
    long n = file_size(jp2l);
    assert_true(n > 200 * 150 / 8 / 2 && n < 200 * 150 / 8 * 3 / 2);
    a = load(jp2l, 0, 0);
    assert_true(psnr(orig, a) > 25.0);
    mid_image_free(a);
    RUN(0, "convert", png, wsq, "--ppi", "569");
    a = load(wsq, 0, 0);
    assert_true(fabs(mid_image_ppi(a) - 569.0) < 0.5); /* NISTCOM PPI */
    assert_true(psnr(orig, a) > 25.0);
    mid_image_free(a);
    RUN(0, "convert", wsq, pgm);

    /* Usage and runtime errors. */
    RUN(2, "convert", png);
    RUN(2, "convert", png, tu_temp_path("x.gif"));
    RUN(2, "convert", png, pgm, "--bitrate", "1");
    RUN(2, "convert", png, wsq, "--bitrate", "0");
    RUN(2, "convert", png, wsq, "--bitrate", "9");
    RUN(2, "convert", png, wsq, "--ppi", "5");
    RUN(2, "convert", png, wsq, "--frobnicate");
    RUN(1, "convert", tu_temp_path("missing.png"), wsq);
    RUN(1, "convert", png, "/nonexistent-dir/x.png");
    RUN(0, "convert", "--help");
    mid_image_free(orig);
}

/* A two-view record: two fingers, 300x400 at 500 ppi. */
static mid_template_record *two_views(void) {
    mid_template_record *r = NULL;
    assert_int_equal(mid_template_record_create(tu_ctx, &r), MID_OK);
    for (unsigned f = 0; f < 2; f++) {
        mid_template *t = NULL;
        assert_int_equal(mid_template_create(tu_ctx, 300, 400, 500, &t), MID_OK);
        assert_int_equal(mid_template_set_finger(tu_ctx, t, (uint8_t)(2 + f), 0), MID_OK);
        for (unsigned i = 0; i < 20 + f; i++) {
            mid_minutia m = {(uint16_t)(i * 11 + f), (uint16_t)(i * 17), (uint8_t)(i * 45),
                             (uint8_t)(1 + i % 2), 60};
            assert_int_equal(mid_template_add(tu_ctx, t, &m), MID_OK);
        }
        assert_int_equal(mid_template_record_add(tu_ctx, r, t, NULL), MID_OK);
        mid_template_free(t);
    }
    return r;
}

static void test_template_convert(void **state) {
    (void)state;
    mid_template_record *r = two_views();
    char in[4096], out[4096];
    snprintf(in, sizeof(in), "%s", tu_temp_path("in.iso2011"));
    assert_int_equal(mid_template_record_save(tu_ctx, r, MID_TEMPLATE_ISO19794_2_2011, in), MID_OK);
    static const struct {
        const char *name;
        mid_template_format f;
    } to[] = {{"iso2005", MID_TEMPLATE_ISO19794_2_2005},
              {"iso2011", MID_TEMPLATE_ISO19794_2_2011},
              {"ansi2004", MID_TEMPLATE_ANSI378_2004},
              {"ansi2009", MID_TEMPLATE_ANSI378_2009}};
    for (size_t k = 0; k < 4; k++) {
        snprintf(out, sizeof(out), "%s", tu_temp_path(to[k].name));
        RUN(0, "template", "convert", in, out, "--to", to[k].name);
        mid_template_record *c = NULL;
        assert_int_equal(mid_template_record_load(tu_ctx, out, MID_TEMPLATE_AUTO, &c), MID_OK);
        assert_int_equal(mid_template_record_source(c), to[k].f);
        assert_int_equal(mid_template_record_count(c), 2);
        for (size_t v = 0; v < 2; v++) {
            const mid_template *x = mid_template_record_view(r, v);
            const mid_template *y = mid_template_record_view(c, v);
            assert_int_equal(mid_template_count(x), mid_template_count(y));
            assert_int_equal(mid_template_finger_position(x), mid_template_finger_position(y));
            for (size_t i = 0; i < mid_template_count(x); i++) {
                const mid_minutia *p = &mid_template_minutiae(x)[i];
                const mid_minutia *q = &mid_template_minutiae(y)[i];
                assert_int_equal(p->x, q->x);
                assert_int_equal(p->y, q->y);
                int d = ((int)p->angle - (int)q->angle + 256) % 256;
                assert_true(d <= 1 || d >= 255);
            }
        }
        mid_template_record_free(c);
    }
    /* One view to native, and back to ANSI 378-2009. */
    snprintf(out, sizeof(out), "%s", tu_temp_path("one.midt"));
    RUN(1, "template", "convert", in, out, "--to", "native"); /* two views */
    RUN(0, "template", "convert", in, out, "--to", "native", "--view", "1");
    mid_template *t = NULL;
    assert_int_equal(mid_template_load(tu_ctx, out, MID_TEMPLATE_AUTO, &t), MID_OK);
    assert_int_equal(mid_template_count(t), 21);
    assert_int_equal(mid_template_finger_position(t), 3);
    mid_template_free(t);
    char out2[4096];
    snprintf(out2, sizeof(out2), "%s", tu_temp_path("one.ansi2009"));
    RUN(0, "template", "convert", out, out2, "--to", "ansi2009");
    assert_int_equal(mid_template_load(tu_ctx, out2, MID_TEMPLATE_AUTO, &t), MID_OK);
    assert_int_equal(mid_template_count(t), 21);
    mid_template_free(t);

    /* Errors: usage (2) and unreadable or corrupt input (1). */
    RUN(2, "template");
    RUN(2, "template", "frob");
    RUN(2, "template", "convert", in, out);
    RUN(2, "template", "convert", in, out, "--to", "iso2020");
    RUN(2, "template", "convert", in, out, "--to", "native", "--view", "x");
    RUN(1, "template", "convert", in, out, "--to", "native", "--view", "7");
    RUN(1, "template", "convert", tu_temp_path("missing"), out, "--to", "iso2005");
    FILE *f = fopen(in, "r+b");
    assert_non_null(f);
    fseek(f, 8, SEEK_SET);
    fputc(0x40, f); /* record length of 1 GiB */
    fclose(f);
    RUN(1, "template", "convert", in, out, "--to", "iso2005");
    RUN(0, "template", "--help");
    mid_template_record_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_image_convert),
        cmocka_unit_test(test_template_convert),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
