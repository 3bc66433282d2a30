/*
 * `mid synth people` (tools/mid/cmd_synth_people.c): runs the built tool (env
 * MID_TOOL, set by ctest) with small counts and checks that its output is the
 * header plus exactly the library's records, to stdout and to a file, and its
 * usage errors.
 */
#include "support/testutil.h"

#include "mid/mid.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs `mid synth people args...` (NULL-terminated), capturing stdout and stderr. */
static tu_run run_people(const char *const *args) {
    const char *argv[24] = {"synth", "people"};
    size_t n = 2;
    for (; *args != NULL; args++) {
        assert_true(n < 23);
        argv[n++] = *args;
    }
    argv[n] = NULL;
    return tu_run_tool(argv);
}

/* The expected output: header, then the library's records of first..first+n-1. */
static char *expected(uint64_t seed, uint64_t first, unsigned n, mid_person_format f) {
    size_t cap = 256 + (size_t)n * MID_PERSON_FORMAT_MAX, used = 0;
    char *buf = malloc(cap + 1);
    assert_non_null(buf);
    const char *h = mid_person_header(f);
    memcpy(buf, h, strlen(h));
    used = strlen(h);
    for (unsigned i = 0; i < n; i++) {
        mid_person p;
        assert_int_equal(mid_synth_person(NULL, seed, first + i, &p), MID_OK);
        size_t k = mid_person_write(&p, f, buf + used, cap - used);
        assert_true(k > 0);
        used += k;
    }
    buf[used] = '\0';
    return buf;
}

static void test_csv_stdout(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    tu_run r = run_people((const char *const[]){"--count", "25", "--seed", "9", NULL});
    assert_int_equal(r.rc, 0);
    char *want = expected(9, 0, 25, MID_PERSON_CSV);
    assert_string_equal(r.out, want);
    assert_memory_equal(r.out, "person,pnc_id,cro,", 18);
    free(want);
    tu_run_free(&r);
}

static void test_jsonl_file_start(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char path[512];
    snprintf(path, sizeof(path), "%s", tu_temp_path("people.jsonl"));
    tu_run r = run_people((const char *const[]){"--start", "1000", "--count", "40", "--format",
                                                "jsonl", "-o", path, NULL});
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "");
    char *got = tu_slurp(path), *want = expected(1, 1000, 40, MID_PERSON_JSONL);
    assert_string_equal(got, want);
    free(got);
    free(want);
    tu_run_free(&r);
}

static void test_usage_errors(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char max[32], near[32];
    snprintf(max, sizeof(max), "%u", MID_SYNTH_MAX_PERSONS);
    snprintf(near, sizeof(near), "%u", MID_SYNTH_MAX_PERSONS - 1);
    const char *const *cases[] = {
        (const char *const[]){NULL},
        (const char *const[]){"--count", "0", NULL},
        (const char *const[]){"--count", "5", "--format", "xml", NULL},
        (const char *const[]){"--count", "x5", NULL},
        (const char *const[]){"--count", "5", "--seed", "-1", NULL},
        (const char *const[]){"--count", "1", "--start", max, NULL},
        (const char *const[]){"--count", "2", "--start", near, NULL},
        (const char *const[]){"--count", "5", "--bogus", NULL},
        (const char *const[]){"--count", NULL},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        tu_run r = run_people(cases[i]);
        assert_int_equal(r.rc, 2);
        assert_non_null(strstr(r.err, "mid synth people:"));
        tu_run_free(&r);
    }
    /* The last person exists. */
    tu_run r = run_people((const char *const[]){"--count", "1", "--start", near, NULL});
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
    /* An unwritable output is a runtime failure. */
    r = run_people((const char *const[]){"--count", "1", "-o", "/nonexistent/dir/x.csv", NULL});
    assert_int_equal(r.rc, 1);
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_stdout),
        cmocka_unit_test(test_jsonl_file_start),
        cmocka_unit_test(test_usage_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
