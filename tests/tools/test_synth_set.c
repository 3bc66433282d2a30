/*
 * Tests for `mid synth set` and `mid synth impressions`: the FVC layout that
 * `mid eval` reads, the truth folder, byte-identical output across runs, and
 * usage errors. Runs the built tool (MID_TOOL, set by ctest).
 */
#include "support/testutil.h"

#include "mid/mid.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static bool exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

static void test_set_layout_and_eval(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char a[4096], b[4096], path[4200], path2[4200];
    snprintf(a, sizeof(a), "%s", tu_temp_path("set-a"));
    snprintf(b, sizeof(b), "%s", tu_temp_path("set-b"));
    const char *args[] = {"synth",         "set", "--seed", "5", "--fingers", "4",
                          "--impressions", "3",   "--out",  a,   NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "4 fingers x 3 impressions"));
    tu_run_free(&r);
    for (unsigned f = 101; f <= 104; f++) {
        for (unsigned k = 1; k <= 3; k++) {
            snprintf(path, sizeof(path), "%s/%u_%u.png", a, f, k);
            assert_true(exists(path));
            snprintf(path, sizeof(path), "%s/truth/%u_%u.tmpl", a, f, k);
            assert_true(exists(path));
        }
    }
    snprintf(path, sizeof(path), "%s/105_1.png", a);
    assert_false(exists(path));
    snprintf(path, sizeof(path), "%s/101_4.png", a);
    assert_false(exists(path));
    /* Index: header and one line per image; finger 102 is person 0's left index. */
    snprintf(path, sizeof(path), "%s/truth/index.tsv", a);
    char *index = tu_slurp(path);
    size_t lines = 0;
    for (const char *c = index; *c; c++) {
        lines += *c == '\n';
    }
    assert_int_equal(lines, 13);
    assert_non_null(strstr(index, "\n102_1.png\t0\t7\t1\t"));
    assert_non_null(strstr(index, "\n103_2.png\t1\t2\t2\t"));
    free(index);
    /* The truth templates load and are at the image's size. */
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_template *t = NULL;
    snprintf(path, sizeof(path), "%s/truth/101_1.tmpl", a);
    assert_int_equal(mid_template_load(ctx, path, MID_TEMPLATE_AUTO, &t), MID_OK);
    assert_int_equal(mid_template_width(t), 388);
    assert_int_equal(mid_template_height(t), 374);
    assert_true(mid_template_count(t) > 5);
    mid_template_free(t);
    mid_ctx_free(ctx);

    /* A second run writes byte-identical files. */
    const char *args_b[] = {"synth",         "set", "--seed", "5", "--fingers", "4",
                            "--impressions", "3",   "--out",  b,   NULL};
    r = tu_run_tool(args_b);
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    const char *names[] = {"101_1.png", "104_3.png", "truth/102_2.tmpl", "truth/index.tsv"};
    for (size_t i = 0; i < 4; i++) {
        size_t la = 0, lb = 0;
        snprintf(path, sizeof(path), "%s/%s", a, names[i]);
        snprintf(path2, sizeof(path2), "%s/%s", b, names[i]);
        uint8_t *da = tu_read_file(path, &la), *db = tu_read_file(path2, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(da, db, la);
        free(da);
        free(db);
    }

    /* mid eval reads the layout: 4 fingers, 12 genuine pairs, no failures. */
    snprintf(path, sizeof(path), "%s", tu_temp_path("set-a.json"));
    const char *eval[] = {"eval", a, "--all-impostors", "--json", path, NULL};
    r = tu_run_tool(eval);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "images           12"));
    assert_non_null(strstr(r.out, "genuine pairs    12"));
    assert_non_null(strstr(r.out, "fte              0 "));
    tu_run_free(&r);
}

static void test_set_pgm_and_profile(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char d[4096], path[4200];
    snprintf(d, sizeof(d), "%s", tu_temp_path("set-pgm"));
    const char *args[] = {"synth",       "set",      "--fingers", "1",         "--impressions",
                          "2",           "--format", "pgm",       "--profile", "small-sensor",
                          "--condition", "dry",      "--out",     d,           NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    snprintf(path, sizeof(path), "%s/101_2.pgm", d);
    size_t len = 0;
    uint8_t *data = tu_read_file(path, &len);
    assert_true(len == strlen("P5\n256 256\n255\n") + 256 * 256);
    assert_memory_equal(data, "P5\n256 256\n255\n", 15);
    free(data);
    snprintf(path, sizeof(path), "%s/truth/index.tsv", d);
    char *index = tu_slurp(path);
    assert_non_null(strstr(index, "\tdry\t"));
    free(index);
}

/* --format wsq writes FBI WSQ files that decode back to the profile's window at 500 ppi. */
static void test_set_wsq(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char d[4096], path[4200];
    snprintf(d, sizeof(d), "%s", tu_temp_path("set-wsq"));
    const char *args[] = {"synth", "set",   "--fingers", "1", "--impressions", "1", "--format",
                          "wsq",   "--out", d,           NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    snprintf(path, sizeof(path), "%s/101_1.wsq", d);
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *img = NULL;
    assert_int_equal(mid_image_load(ctx, path, NULL, &img), MID_OK);
    assert_int_equal(mid_image_width(img), 388);
    assert_int_equal(mid_image_height(img), 374);
    assert_true(mid_image_ppi(img) == 500.0);
    mid_image_free(img);
    mid_ctx_free(ctx);
}

static void test_impressions(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char d[4096], path[4200];
    snprintf(d, sizeof(d), "%s", tu_temp_path("imps"));
    const char *args[] = {"synth",     "impressions",
                          "--seed",    "2",
                          "--person",  "9",
                          "--finger",  "7",
                          "--count",   "2",
                          "--first",   "4",
                          "--profile", "mobile-fap45",
                          "--out",     d,
                          NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "4: 400x750 mobile-fap45"));
    assert_non_null(strstr(r.out, "5: 400x750 mobile-fap45"));
    tu_run_free(&r);
    snprintf(path, sizeof(path), "%s/4.png", d);
    assert_true(exists(path));
    snprintf(path, sizeof(path), "%s/5.tmpl", d);
    assert_true(exists(path));
    snprintf(path, sizeof(path), "%s/3.png", d);
    assert_false(exists(path));
}

static void test_usage_errors(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char d[4096];
    snprintf(d, sizeof(d), "%s", tu_temp_path("bad"));
    const char *bad[][12] = {
        {"synth", "set", "--profile", "flatbed", "--out", d, NULL},
        {"synth", "set", "--condition", "soggy", "--out", d, NULL},
        {"synth", "set", "--fingers", "0", "--out", d, NULL},
        {"synth", "set", "--impressions", "100", "--out", d, NULL},
        {"synth", "set", "--format", "jpeg", "--out", d, NULL},
        {"synth", "set", NULL},
        {"synth", "impressions", "--finger", "11", "--out", d, NULL},
        {"synth", "impressions", "--count", "0", "--out", d, NULL},
        {"synth", "impressions", "--seed", "x", "--out", d, NULL},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        tu_run r = tu_run_tool(bad[i]);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "mid synth"));
        tu_run_free(&r);
    }
    assert_false(exists(d));
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_layout_and_eval),
        cmocka_unit_test(test_set_pgm_and_profile),
        cmocka_unit_test(test_set_wsq),
        cmocka_unit_test(test_impressions),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
