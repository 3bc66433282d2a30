/*
 * `mid an2k dump|check|copy` on transactions this test builds with the library:
 * byte-exact copy, one line per field in dump, extraction of stored and decoded
 * images, check's exit status and problem lines, usage errors. Runs the tool named
 * by MID_TOOL (set by ctest); skipped when it is unset or not built.
 */
#include "mid/an2k.h"
#include "support/testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct run_result {
    int status;
    char *out; /* stdout and stderr together */
} run_result;

static bool tool_ready(void) {
    const char *tool = getenv("MID_TOOL");
    return tool != NULL && access(tool, X_OK) == 0;
}

#define REQUIRE_TOOL()                                                                             \
    if (!tool_ready()) {                                                                           \
        print_message("[  SKIP    ] MID_TOOL is not set or not built (run through ctest)\n");      \
        skip();                                                                                    \
        return;                                                                                    \
    }

/* Runs `mid an2k <args>` through the shell (arguments are our own temp paths). */
static run_result run(const char *args) {
    char cmd[4096];
    snprintf(cmd, sizeof(cmd), "'%s' an2k %s 2>&1", getenv("MID_TOOL"), args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap);
    assert_non_null(buf);
    while ((got = fread(buf + n, 1, cap - 1 - n, p)) > 0) {
        n += got;
        if (n == cap - 1) {
            cap *= 2;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
    }
    buf[n] = '\0';
    int st = pclose(p);
    assert_true(WIFEXITED(st));
    if (strstr(buf, "Sanitizer") != NULL || strstr(buf, "runtime error") != NULL) {
        fail_msg("sanitizer report from mid an2k %s:\n%s", args, buf);
    }
    return (run_result){WEXITSTATUS(st), buf};
}

static void write_search(const char *path, bool bad_fgp) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(NULL, 64, 80, 500, &img), MID_OK);
    uint8_t *px = mid_image_pixels(img);
    for (size_t i = 0; i < 64 * 80; i++) {
        px[i] = (uint8_t)lround(128 + 90 * sin((double)(i % 64) * 0.7 + (double)(i / 64) * 0.3));
    }
    mid_an2k_finger f = {3, 0, 90, img, NULL};
    mid_an2k_search_request req = {.ori = "ORI1",
                                   .dai = "DAI1",
                                   .tcn = "TCN1",
                                   .gmt = "20250101120000Z",
                                   .legal_basis = "basis",
                                   .reason = "reason",
                                   .incident = "incident",
                                   .officer = "officer",
                                   .device = "device",
                                   .fingers = &f,
                                   .n_fingers = 1};
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(NULL, &req, &tx), MID_OK);
    if (bad_fgp) {
        assert_int_equal(mid_an2k_set_text(NULL, tx, 2, 13, "99"), MID_OK);
    }
    void *out = NULL;
    size_t len = 0;
    assert_int_equal(mid_an2k_serialize(NULL, tx, &out, &len), MID_OK);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(out, 1, len, fp), len);
    fclose(fp);
    mid_free(out);
    mid_an2k_free(tx);
    mid_image_free(img);
}

static void test_copy_is_byte_exact(void **state) {
    (void)state;
    REQUIRE_TOOL();
    char in[1024], out[1024], args[2100];
    snprintf(in, sizeof(in), "%s", tu_temp_path("search.an2"));
    snprintf(out, sizeof(out), "%s", tu_temp_path("copy.an2"));
    write_search(in, false);
    snprintf(args, sizeof(args), "copy '%s' '%s'", in, out);
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    free(r.out);
    size_t la, lb;
    uint8_t *a = tu_read_file(in, &la), *b = tu_read_file(out, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(a, b, la);
    free(a);
    free(b);
}

static void test_dump_and_extract(void **state) {
    (void)state;
    REQUIRE_TOOL();
    char in[1024], dir[1024], args[2100];
    snprintf(in, sizeof(in), "%s", tu_temp_path("dump.an2"));
    snprintf(dir, sizeof(dir), "%s", tu_temp_path("extracted"));
    write_search(in, false);
    snprintf(args, sizeof(args), "dump '%s' --extract '%s'", in, dir);
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "1.001 [record 1 Type-1 @ offset 0]: "));
    assert_non_null(strstr(r.out, "]: RPIS\n"));
    assert_non_null(strstr(r.out, "2.904 [record 2 Type-2 @ offset "));
    assert_non_null(strstr(r.out, "14.013 [record 3 Type-14 @ offset "));
    assert_non_null(strstr(r.out, "]: 03\n"));
    assert_non_null(strstr(r.out, "compression WSQ20 (WSQ20), 64x80, 8 bpp, 500 ppi]"));
    assert_non_null(strstr(r.out, "1<US>2<RS>2<US>00<RS>14<US>01"));
    /* One line per field: Type-1 11, Type-2 7, Type-14 15. */
    size_t lines = 0;
    for (const char *s = r.out; *s; s++) {
        lines += *s == '\n';
    }
    assert_int_equal(lines, 11 + 7 + 15);
    free(r.out);
    char path[2100];
    struct stat sb;
    snprintf(path, sizeof(path), "%s/r003-type14.wsq", dir);
    assert_int_equal(stat(path, &sb), 0);
    assert_true(sb.st_size > 0);
    snprintf(path, sizeof(path), "%s/r003-type14-decoded.png", dir);
    assert_int_equal(stat(path, &sb), 0);
    mid_image *img = NULL;
    assert_int_equal(mid_image_load(NULL, path, NULL, &img), MID_OK);
    assert_int_equal(mid_image_width(img), 64);
    assert_int_equal(mid_image_height(img), 80);
    mid_image_free(img);
}

static void test_check_status(void **state) {
    (void)state;
    REQUIRE_TOOL();
    char good[1024], bad[1024], args[2100];
    snprintf(good, sizeof(good), "%s", tu_temp_path("good.an2"));
    snprintf(bad, sizeof(bad), "%s", tu_temp_path("bad.an2"));
    write_search(good, false);
    write_search(bad, true);
    snprintf(args, sizeof(args), "check '%s'", good);
    run_result r = run(args);
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, ": valid"));
    free(r.out);
    snprintf(args, sizeof(args), "check '%s'", bad);
    r = run(args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "record 3 (Type-14) field 14.013: bad finger position '99' at "
                                  "offset "));
    assert_non_null(strstr(r.out, ": 1 problem(s)"));
    free(r.out);
    /* A truncated file: the structural fault is the one problem. */
    size_t len;
    uint8_t *d = tu_read_file(good, &len);
    FILE *fp = fopen(bad, "wb");
    assert_non_null(fp);
    fwrite(d, 1, len / 2, fp);
    fclose(fp);
    free(d);
    r = run(args);
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "overruns the input"));
    free(r.out);
}

static void test_usage_errors(void **state) {
    (void)state;
    REQUIRE_TOOL();
    const char *cases[] = {"", "dump", "frob x", "copy onlyone", "check a b", "dump x --bogus"};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        run_result r = run(cases[i]);
        assert_int_equal(r.status, 2);
        free(r.out);
    }
    run_result r = run("dump /nonexistent/file.an2");
    assert_int_equal(r.status, 1);
    assert_non_null(strstr(r.out, "cannot read"));
    free(r.out);
    r = run("--help");
    assert_int_equal(r.status, 0);
    assert_non_null(strstr(r.out, "mid an2k dump FILE [--extract DIR]"));
    free(r.out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_is_byte_exact),
        cmocka_unit_test(test_dump_and_extract),
        cmocka_unit_test(test_check_status),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
