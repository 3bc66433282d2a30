/*
 * Tests for the `mid` command line tool: runs the built binary (path in env
 * MID_TOOL, set by ctest) on images and templates this test draws and writes
 * itself, and checks exit codes, output lines, JSON and PNG outputs.
 */
#include "support/testutil.h"

#include "mid/mid.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define IMG_W 300u
#define IMG_H 300u

/* ---- running the tool ---- */

static char *path_dup(const char *name) {
    char *p = strdup(tu_temp_path(name));
    assert_non_null(p);
    return p;
}

static size_t count_lines(const char *s) {
    size_t n = 0;
    for (; *s; s++) {
        n += *s == '\n';
    }
    return n;
}

/* ---- synthetic inputs ---- */

/*
 * A fingerprint-like grey image: parallel ridges (period 9 px) whose orientation
 * bends slowly across the print, with phase dislocations (each one a ridge
 * ending/bifurcation pair) at places that depend on the finger, inside an
 * elliptic print area on white. Impressions of one finger differ by a small
 * shift and rotation.
 */
static mid_image *draw_print(mid_ctx *ctx, int finger, int impression) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(ctx, IMG_W, IMG_H, 500, &img), MID_OK);
    uint8_t *px = mid_image_pixels(img);
    uint32_t seed = 2654435761u * (uint32_t)(finger + 1);
    double dis_u[6], dis_v[6];
    for (int k = 0; k < 6; k++) {
        seed = seed * 1664525u + 1013904223u;
        dis_u[k] = (double)(seed >> 16 & 0xff) / 255.0 * 160.0 - 80.0;
        seed = seed * 1664525u + 1013904223u;
        dis_v[k] = (double)(seed >> 16 & 0xff) / 255.0 * 200.0 - 100.0;
    }
    double theta0 = 0.3 * finger, alpha = 0.04 * (impression - 2);
    double sx = 5.0 * (impression - 2), sy = -4.0 * (impression - 2);
    for (uint32_t y = 0; y < IMG_H; y++) {
        for (uint32_t x = 0; x < IMG_W; x++) {
            double dx = x - 150.0 - sx, dy = y - 150.0 - sy;
            double u = cos(alpha) * dx + sin(alpha) * dy, v = -sin(alpha) * dx + cos(alpha) * dy;
            double e = (u * u) / (115.0 * 115.0) + (v * v) / (135.0 * 135.0);
            if (e >= 1.0) {
                px[y * IMG_W + x] = 255;
                continue;
            }
            double phase = 2 * 3.14159265358979 / 9.0 * (u * cos(theta0) + v * sin(theta0)) +
                           4.0 * sin(v / 70.0) + 3.0 * cos(u / 90.0);
            for (int k = 0; k < 6; k++) {
                phase += (k % 2 ? 1.0 : -1.0) * atan2(v - dis_v[k], u - dis_u[k]);
            }
            double grey = 128.0 + 100.0 * cos(phase);
            px[y * IMG_W + x] =
                (uint8_t)(e > 0.85 ? grey + (255.0 - grey) * (e - 0.85) / 0.15 : grey);
        }
    }
    return img;
}

static void save_print(const char *path, int finger, int impression) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *img = draw_print(ctx, finger, impression);
    assert_int_equal(mid_image_save_png(ctx, img, path), MID_OK);
    mid_image_free(img);
    mid_ctx_free(ctx);
}

static void save_raw(const char *path, int finger, int impression) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *img = draw_print(ctx, finger, impression);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(mid_image_cpixels(img), 1, IMG_W * IMG_H, f), IMG_W * IMG_H);
    assert_int_equal(fclose(f), 0);
    mid_image_free(img);
    mid_ctx_free(ctx);
}

/* A template of 30 pseudo-random minutiae, saved in the given format. */
static void save_template(const char *path, uint32_t seed, mid_template_format format) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(ctx, IMG_W, IMG_H, 500, &t), MID_OK);
    for (int k = 0; k < 30; k++) {
        seed = seed * 1664525u + 1013904223u;
        mid_minutia m = {(uint16_t)(20 + (seed >> 8) % 260), (uint16_t)(20 + (seed >> 20) % 260),
                         (uint8_t)(seed >> 3), (uint8_t)(1 + (seed >> 30) % 2), 60};
        assert_int_equal(mid_template_add(ctx, t, &m), MID_OK);
    }
    assert_int_equal(mid_template_save(ctx, t, format, path), MID_OK);
    mid_template_free(t);
    mid_ctx_free(ctx);
}

static void write_text(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

static bool file_exists(const char *path) {
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- tests ---- */

static void test_version_and_help(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    tu_run r = tu_run_tool((const char *[]){"version", NULL});
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "mid " MID_VERSION "\n");
    tu_run_free(&r);
    r = tu_run_tool((const char *[]){"help", NULL});
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "usage: mid <command>"));
    tu_run_free(&r);
    const char *cmds[] = {"extract", "compare", "eval"};
    for (size_t i = 0; i < 3; i++) {
        r = tu_run_tool((const char *[]){cmds[i], "--help", NULL});
        assert_int_equal(r.rc, 0);
        assert_non_null(strstr(r.out, "usage: mid "));
        assert_non_null(strstr(r.out, cmds[i]));
        tu_run_free(&r);
    }
    r = tu_run_tool((const char *[]){NULL});
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "usage"));
    tu_run_free(&r);
    r = tu_run_tool((const char *[]){"frobnicate", NULL});
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "unknown command 'frobnicate'"));
    tu_run_free(&r);
}

/* Each bad command line exits 2 with `mid <cmd>: ...` on stderr and nothing on stdout. */
static void test_usage_errors(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    static const char *const cases[][8] = {
        {"extract", NULL},
        {"extract", "a.png", NULL},
        {"extract", "--ppi", "abc", "a.png", "-o", "b.mid", NULL},
        {"extract", "--ppi", "50", "a.png", "-o", "b.mid", NULL},
        {"extract", "--size", "300", "a.raw", "-o", "b.mid", NULL},
        {"extract", "--format", "xml", "a.png", "-o", "b.mid", NULL},
        {"extract", "--list", "l.txt", "a.png", NULL},
        {"extract", "a.png", "-o", NULL},
        {"compare", "a.mid", NULL},
        {"compare", "a.mid", "b.mid", "c.mid", NULL},
        {"compare", "--bench", "a.mid", "b.mid", NULL},
        {"compare", "--frob", "a.mid", "b.mid", NULL},
        {"eval", NULL},
        {"eval", "dir", "--name-regex", "^([0-9]+)\\.png$", NULL},
        {"eval", "dir", "--name-regex", "([", NULL},
        {"eval", "dir", "--limit", "0", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_run r = tu_run_tool(cases[i]);
        if (r.rc != 2) {
            fail_msg("case %zu (%s ...): exit %d, stderr: %s", i, cases[i][0], r.rc, r.err);
        }
        char prefix[32];
        snprintf(prefix, sizeof(prefix), "mid %s: ", cases[i][0]);
        assert_non_null(strstr(r.err, prefix));
        assert_string_equal(r.out, "");
        tu_run_free(&r);
    }
}

static void test_extract_and_compare(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char *img1 = path_dup("print1.png"), *img2 = path_dup("print2.png");
    char *tn = path_dup("print1.mid"), *ti = path_dup("print1.iso"), *bad = path_dup("bad.bin");
    save_print(img1, 1, 1);
    save_print(img2, 1, 2);
    tu_run r = tu_run_tool((const char *[]){"extract", img1, "-o", tn, NULL});
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    r = tu_run_tool(
        (const char *[]){"extract", "--format", "iso", "--ppi", "500", img1, "-o", ti, NULL});
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    /* Both outputs are templates the library reads back, in the asked format. */
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_template *t = NULL;
    assert_int_equal(mid_template_load(ctx, tn, MID_TEMPLATE_NATIVE, &t), MID_OK);
    mid_template_free(t);
    assert_int_equal(mid_template_load(ctx, ti, MID_TEMPLATE_ISO19794_2_2005, &t), MID_OK);
    mid_template_free(t);
    mid_ctx_free(ctx);

    /* Image against image, template against image, template against template. */
    const char *pairs[][2] = {{img1, img2}, {tn, img2}, {tn, ti}};
    for (size_t i = 0; i < 3; i++) {
        r = tu_run_tool((const char *[]){"compare", pairs[i][0], pairs[i][1], NULL});
        assert_int_equal(r.rc, 0);
        double score = -1;
        assert_int_equal(sscanf(r.out, "score %lf", &score), 1);
        assert_true(score >= 0);
        assert_int_equal(count_lines(r.out), 1);
        tu_run_free(&r);
    }

    /* Neither a template nor an image: exit 1 and `mid compare: <what>: <detail>`. */
    write_text(bad, "this is neither an image nor a template\n");
    r = tu_run_tool((const char *[]){"compare", tn, bad, NULL});
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "mid compare: cannot read '"));
    assert_non_null(strstr(r.err, "bad.bin"));
    assert_string_equal(r.out, "");
    tu_run_free(&r);
    r = tu_run_tool((const char *[]){"extract", bad, "-o", tn, NULL});
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "mid extract: cannot read image '"));
    tu_run_free(&r);
    free(img1);
    free(img2);
    free(tn);
    free(ti);
    free(bad);
}

static void test_extract_list(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char *img1 = path_dup("l1.png"), *img2 = path_dup("l2.png");
    char *o1 = path_dup("l1.mid"), *o2 = path_dup("l2.mid"), *o3 = path_dup("l3.mid");
    char *missing = path_dup("absent.png"), *list = path_dup("list.txt");
    save_print(img1, 2, 1);
    save_print(img2, 2, 3);
    char text[4096];
    snprintf(text, sizeof(text), "%s\t%s\n%s\t%s\n%s\t%s\n", img1, o1, missing, o3, img2, o2);
    write_text(list, text);
    tu_run r = tu_run_tool((const char *[]){"extract", "--list", list, NULL});
    assert_int_equal(r.rc, 1); /* one line failed */
    assert_true(file_exists(o1));
    assert_true(file_exists(o2));
    assert_false(file_exists(o3));
    assert_non_null(strstr(r.err, "list.txt:2: cannot read image"));
    assert_non_null(strstr(r.out, "extracted 2 of 3 images, 1 failed"));
    tu_run_free(&r);
    free(img1);
    free(img2);
    free(o1);
    free(o2);
    free(o3);
    free(missing);
    free(list);
}

static void test_pairs(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char *a = path_dup("pa.mid"), *b = path_dup("pb.iso"), *c = path_dup("pc.ansi");
    char *missing = path_dup("nothere.mid"), *junk = path_dup("junk.mid");
    char *list = path_dup("pairs.txt");
    save_template(a, 11, MID_TEMPLATE_NATIVE);
    save_template(b, 22, MID_TEMPLATE_ISO19794_2_2005);
    save_template(c, 11, MID_TEMPLATE_ANSI378_2004);
    write_text(junk, "MIDT but not really a template");
    char text[8192];
    /* 7 lines: blank- and TAB-separated, a missing file, a corrupt file, a repeat,
     * a malformed line. */
    snprintf(text, sizeof(text), "%s %s\n%s\t%s\n%s %s\n%s  %s\n%s %s\n%s\n%s\t%s\n", a, b, a, c, a,
             missing, junk, b, a, b, a, c, b);
    write_text(list, text);
    tu_run r = tu_run_tool((const char *[]){"compare", "--pairs", list, NULL});
    assert_int_equal(r.rc, 1); /* some lines could not be scored */
    assert_int_equal(count_lines(r.out), 7);
    double s[7];
    const char *p = r.out;
    for (int k = 0; k < 7; k++) {
        char *end = NULL;
        s[k] = strtod(p, &end);
        assert_true(end != p && *end == '\n');
        p = end + 1;
    }
    assert_true(s[0] >= 0 && s[1] >= 0 && s[6] >= 0);
    assert_true(s[2] < 0 && s[3] < 0 && s[5] < 0);
    assert_true(s[4] == s[0]); /* same pair, same score, in order */
    /* a and c hold the same minutiae: they must score above a against b. */
    assert_true(s[1] > s[0]);
    assert_non_null(strstr(r.err, "pairs.txt:3: cannot read template '"));
    assert_non_null(strstr(r.err, "nothere.mid"));
    assert_non_null(strstr(r.err, "pairs.txt:4: cannot read template '"));
    assert_non_null(strstr(r.err, "pairs.txt:6: expected two template paths"));
    tu_run_free(&r);

    /* --bench: the BENCH line counts the scored pairs. */
    snprintf(text, sizeof(text), "%s %s\n%s %s\n%s %s\n", a, b, b, c, c, a);
    write_text(list, text);
    r = tu_run_tool((const char *[]){"compare", "--pairs", list, "--bench", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(count_lines(r.out), 3);
    const char *bench = strstr(r.err, "BENCH pairs=");
    assert_non_null(bench);
    unsigned long n = 0;
    double load_s = -1, match_s = -1;
    assert_int_equal(sscanf(bench, "BENCH pairs=%lu load_s=%lf match_s=%lf", &n, &load_s, &match_s),
                     3);
    assert_int_equal(n, 3);
    /* Both are durations of this short run: a mixed-up clock shows as a huge value. */
    assert_true(load_s >= 0 && load_s < 60 && match_s >= 0 && match_s < 60);
    tu_run_free(&r);
    free(a);
    free(b);
    free(c);
    free(missing);
    free(junk);
    free(list);
}

/* Value of a `label   value` line in the eval report, as text after the label. */
static const char *field(const char *out, const char *label) {
    const char *p = strstr(out, label);
    if (p == NULL) {
        fail_msg("eval output lacks '%s':\n%s", label, out);
    }
    p += strlen(label);
    while (*p == ' ') {
        p++;
    }
    return p;
}

static void make_fvc_folder(const char *dir, int fingers, int impressions) {
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[1024];
    for (int f = 0; f < fingers; f++) {
        for (int i = 1; i <= impressions; i++) {
            snprintf(path, sizeof(path), "%s/%d_%d.png", dir, 101 + f, i);
            save_print(path, f, i);
        }
    }
    snprintf(path, sizeof(path), "%s/README.txt", dir);
    write_text(path, "not an image: the name pattern skips it\n");
}

static void test_eval(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char *dir = path_dup("fvc-set"), *json = path_dup("eval.json"), *det = path_dup("det.png");
    make_fvc_folder(dir, 3, 3);
    tu_run r = tu_run_tool(
        (const char *[]){"eval", dir, "--json", json, "--det", det, "--ppi", "500", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(strncmp(field(r.out, "set"), "fvc-set\n", 8), 0);
    assert_int_equal(atoi(field(r.out, "images")), 9);
    assert_int_equal(atoi(field(r.out, "fingers")), 3);
    assert_int_equal(atoi(field(r.out, "genuine pairs")), 9);  /* 3 fingers x C(3,2) */
    assert_int_equal(atoi(field(r.out, "impostor pairs")), 3); /* C(3,2) first impressions */
    const char *labels[] = {"fte",     "EER",        "FNMR@FMR1e-2", "FNMR@FMR1e-3",
                            "ZeroFMR", "extract ms", "comparisons/s"};
    for (size_t i = 0; i < sizeof(labels) / sizeof(labels[0]); i++) {
        const char *v = field(r.out, labels[i]);
        assert_true(*v >= '0' && *v <= '9');
    }
    assert_non_null(strstr(r.out, "mid_extract only"));
    assert_non_null(strstr(r.err, "1 file(s)")); /* README.txt skipped, and said so */
    tu_run_free(&r);

    char *j = tu_slurp(json);
    const char *keys[] = {"\"version\": \"" MID_VERSION "\"",
                          "\"date\": \"",
                          "\"command_line\": [\"mid\", \"eval\", ",
                          "\"images\": 9,",
                          "\"genuine_pairs\": 9,",
                          "\"impostor_pairs\": 3,",
                          "\"eer\": ",
                          "\"eer_low\": ",
                          "\"eer_high\": ",
                          "\"fnmr_at_fmr_1e2\": ",
                          "\"fnmr_at_fmr_1e3\": ",
                          "\"zero_fmr\": ",
                          "\"fte\": ",
                          "\"extract_ms_median\": ",
                          "\"comparisons_per_second\": "};
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
        if (strstr(j, keys[i]) == NULL) {
            fail_msg("JSON lacks %s:\n%s", keys[i], j);
        }
    }
    assert_int_equal(j[0], '{');
    assert_non_null(strstr(j, "}\n"));
    free(j);

    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_image *img = NULL;
    assert_int_equal(mid_image_load(ctx, det, NULL, &img), MID_OK);
    assert_int_equal(mid_image_width(img), 640);
    assert_int_equal(mid_image_height(img), 480);
    /* Not blank: a white background with dark grid, labels and curve. */
    const uint8_t *px = mid_image_cpixels(img);
    size_t dark = 0, white = 0;
    for (size_t i = 0; i < 640u * 480u; i++) {
        dark += px[i] < 64;
        white += px[i] == 255;
    }
    assert_true(white > 640u * 480u / 2);
    assert_true(dark > 1000);
    mid_image_free(img);
    mid_ctx_free(ctx);

    /* Every cross-finger pair, and the first two fingers only. */
    r = tu_run_tool((const char *[]){"eval", dir, "--all-impostors", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(atoi(field(r.out, "impostor pairs")), 27); /* C(9,2) - 9 */
    tu_run_free(&r);
    r = tu_run_tool((const char *[]){"eval", dir, "--limit", "2", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(atoi(field(r.out, "images")), 6);
    assert_int_equal(atoi(field(r.out, "impostor pairs")), 1);
    tu_run_free(&r);

    /* A missing folder is a runtime failure. */
    r = tu_run_tool((const char *[]){"eval", "/nonexistent/folder", NULL});
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "mid eval: cannot open folder"));
    tu_run_free(&r);
    free(dir);
    free(json);
    free(det);
}

/* Veridicom-style headerless raw files (f001R1.raw) with --size and --name-regex. */
static void test_eval_raw_regex(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char *dir = path_dup("raw-set");
    assert_int_equal(mkdir(dir, 0700), 0);
    char path[1024];
    for (int f = 1; f <= 3; f++) {
        for (int i = 1; i <= 2; i++) {
            snprintf(path, sizeof(path), "%s/f%03dR%d.raw", dir, f, i);
            save_raw(path, f, i);
        }
    }
    tu_run r = tu_run_tool((const char *[]){"eval", dir, "--size", "300x300", "--name-regex",
                                            "^f([0-9]+)R([0-9]+)\\.raw$", NULL});
    assert_int_equal(r.rc, 0);
    assert_int_equal(atoi(field(r.out, "images")), 6);
    assert_int_equal(atoi(field(r.out, "fingers")), 3);
    assert_int_equal(atoi(field(r.out, "genuine pairs")), 3);
    assert_null(strstr(r.err, "cannot read image")); /* every raw file was decoded */
    tu_run_free(&r);
    /* Without a matching pattern, nothing is found. */
    r = tu_run_tool((const char *[]){"eval", dir, NULL});
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "matches the name pattern"));
    tu_run_free(&r);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_version_and_help),
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_extract_and_compare),
        cmocka_unit_test(test_extract_list),
        cmocka_unit_test(test_pairs),
        cmocka_unit_test(test_eval),
        cmocka_unit_test(test_eval_raw_regex),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
