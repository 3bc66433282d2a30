/*
 * Tests for `mid audit verify` and `mid audit show`: logs are written here with
 * the public API (mid/audit.h), tampered with, and the tool's exit status and
 * messages checked.
 */
#include "support/testutil.h"

#include "mid/audit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* A log of n entries at DIR/audit.log under a new data directory; returns the
 * log's path (static) and the head in head. */
static const char *make_log(const char *dirname, int n, char head[MID_AUDIT_HEX_SIZE]) {
    static char path[4096];
    const char *dir = tu_temp_path(dirname);
    mkdir(dir, 0700);
    snprintf(path, sizeof(path), "%s/audit.log", dir);
    remove(path);
    mid_audit *a = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    for (int k = 1; k <= n; k++) {
        char entry[128];
        int len = snprintf(entry, sizeof(entry),
                           "{\"action\":\"identify\",\"device\":\"DEV%d\",\"status\":200}", k);
        assert_int_equal(mid_audit_append(a, tu_ctx, entry, (size_t)len, NULL, head), MID_OK);
    }
    mid_audit_close(a);
    return path;
}

/* Replaces the first occurrence of from with to (same length) in the file. */
static void tamper(const char *path, const char *from, const char *to) {
    char *text = tu_slurp(path);
    char *p = strstr(text, from);
    assert_non_null(p);
    assert_int_equal(strlen(from), strlen(to));
    memcpy(p, to, strlen(to));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    free(text);
}

static void test_verify_clean_and_altered(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char head[MID_AUDIT_HEX_SIZE];
    const char *path = make_log("data1", 4, head);
    char dir[4096];
    snprintf(dir, sizeof(dir), "%s", tu_temp_path("data1"));

    const char *args1[] = {"audit", "verify", path, NULL};
    tu_run r = tu_run_tool(args1);
    assert_int_equal(r.rc, 0);
    char want[200];
    snprintf(want, sizeof(want), "audit log: 4 entries, head %s: OK\n", head);
    assert_string_equal(r.out, want);
    tu_run_free(&r);

    /* --data DIR means DIR/audit.log; --head with the current head is clean. */
    const char *args2[] = {"audit", "verify", "--data", dir, "--head", head, NULL};
    r = tu_run_tool(args2);
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);

    tamper(path, "\"device\":\"DEV3\"", "\"device\":\"DEV9\"");
    r = tu_run_tool(args1);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "entry 3 (line 3): hash mismatch: entry altered\n"));
    assert_non_null(strstr(r.out, "audit log: 4 entries, head "));
    assert_non_null(strstr(r.out, ": 1 problem\n"));
    tu_run_free(&r);
}

static void test_verify_removed_and_head(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char head[MID_AUDIT_HEX_SIZE];
    const char *path = make_log("data2", 3, head);
    char *text = tu_slurp(path);
    /* Drop the last line: the chain is still clean, the kept head is not in it. */
    char *last = strrchr(text, '\n');
    *last = '\0';
    last = strrchr(text, '\n');
    last[1] = '\0';
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    free(text);
    const char *args1[] = {"audit", "verify", path, NULL};
    tu_run r = tu_run_tool(args1);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "audit log: 2 entries"));
    tu_run_free(&r);
    const char *args2[] = {"audit", "verify", "--head", head, path, NULL};
    r = tu_run_tool(args2);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "entry ? (line 3): expected head "));
    assert_non_null(strstr(r.out, "newest entries removed"));
    tu_run_free(&r);

    /* An entry removed from the middle. */
    path = make_log("data3", 5, head);
    text = tu_slurp(path);
    char *l2 = strchr(text, '\n') + 1;
    char *l3 = strchr(l2, '\n') + 1;
    memmove(l2, l3, strlen(l3) + 1);
    f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
    free(text);
    r = tu_run_tool(args1);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.out, "entry 3 (line 2): seq 2 missing: entry removed\n"));
    tu_run_free(&r);
}

static void test_usage_and_io_errors(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    char absent[4096]; /* tu_temp_path's buffer is reused by tu_run_tool */
    snprintf(absent, sizeof(absent), "%s", tu_temp_path("no-such.log"));
    const char *args1[] = {"audit", "verify", absent, NULL};
    tu_run r = tu_run_tool(args1);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "cannot open"));
    tu_run_free(&r);
    const char *args2[] = {"audit", "verify", "--head", "abc", "x.log", NULL};
    r = tu_run_tool(args2);
    assert_int_equal(r.rc, 2);
    tu_run_free(&r);
    const char *args3[] = {"audit", "frobnicate", NULL};
    r = tu_run_tool(args3);
    assert_int_equal(r.rc, 2);
    tu_run_free(&r);
}

static void test_show(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    const char *path = make_log("data4", 3, NULL);
    const char *args[] = {"audit", "show", "--from", "2", path, NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    assert_string_equal(r.out, "2 {\"action\":\"identify\",\"device\":\"DEV2\",\"status\":200}\n"
                               "3 {\"action\":\"identify\",\"device\":\"DEV3\",\"status\":200}\n");
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_verify_clean_and_altered),
        cmocka_unit_test(test_verify_removed_and_head),
        cmocka_unit_test(test_usage_and_io_errors),
        cmocka_unit_test(test_show),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
