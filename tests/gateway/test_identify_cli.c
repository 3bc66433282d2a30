/*
 * `mid identify` against a real `mid serve` over TLS 1.3 (the test world of
 * tests/support/gwtest.h): exit status per grade, plain output with the record,
 * --json, both encodings, refused consent, a replayed TCN, a missing flag when
 * piped, a quality below --min-quality, and an unreachable gateway.
 */
#include "support/gwtest.h"
#include "support/gwworld.h"
#include "support/testutil.h"

#include "mid/json.h"

#include <stdio.h>
#include <string.h>

#define PERSONS 120u
#define IABS_FROM 100u
#define HIT 17u
#define NOT_ENROLLED 5000u

static gw_test world;
static char hit2[600], hit7[600], no2[600], no7[600];

static void save(const char *path, const uint8_t *d, size_t n) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(d, 1, n, f), n);
    fclose(f);
}

static int group_setup(void **state) {
    tu_ctx_setup(state);
    gwt_init(&world);
    static const uint64_t rendered[] = {HIT};
    gww_config cfg = {PERSONS, IABS_FROM, rendered, 1, NULL, 0};
    char uri[600];
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    gww_build(uri, &cfg);
    gww_probe p, q;
    gww_probe_make(HIT, 2, MID_CONDITION_NORMAL, &p);
    gww_probe_make(NOT_ENROLLED, 2, MID_CONDITION_NORMAL, &q);
    /* Synthetic captures only (no real person's prints). */
    snprintf(hit2, sizeof(hit2), "%s", tu_temp_path("hit2.wsq"));
    snprintf(hit7, sizeof(hit7), "%s", tu_temp_path("hit7.wsq"));
    snprintf(no2, sizeof(no2), "%s", tu_temp_path("no2.wsq"));
    snprintf(no7, sizeof(no7), "%s", tu_temp_path("no7.wsq"));
    save(hit2, p.wsq[0], p.len[0]);
    save(hit7, p.wsq[1], p.len[1]);
    save(no2, q.wsq[0], q.len[0]);
    save(no7, q.wsq[1], q.len[1]);
    gww_probe_free(&p);
    gww_probe_free(&q);
    static const char *const extra[] = {"--rate", "1000", NULL};
    gwt_start(&world, extra);
    setenv("MID_DATA", world.dir, 1);
    return 0;
}

static int group_teardown(void **state) {
    gwt_stop(&world);
    gwt_cleanup(&world);
    return tu_ctx_teardown(state);
}

/* Runs mid identify with the world's credentials, the fingers and `more`. */
static tu_run identify(const char *f2, const char *f7, const char *const *more) {
    static char a2[700], a7[700];
    snprintf(a2, sizeof(a2), "2=%s", f2);
    snprintf(a7, sizeof(a7), "7=%s", f7);
    /* The data directory comes from MID_DATA (tu_run_tool takes 30 arguments). */
    const char *args[32] = {"identify", "--gateway", world.url, "--device", "dev1",
                            "--collar", GWT_OFFICER, "--pin",   GWT_PIN,    "--finger",
                            a2,         "--finger",  a7};
    size_t n = 13;
    for (; more != NULL && *more != NULL; more++) {
        assert_true(n < 31);
        args[n++] = *more;
    }
    args[n] = NULL;
    return tu_run_tool(args);
}

#define POLICY(tcn)                                                                                \
    "--tcn", tcn, "--basis", "consent", "--told", "--reason", "roadside check", "--incident",      \
        "LOG-1", "--ethnicity", "IC1", "--age-band", "25-34", "--gender", "M"

static void test_red_plain(void **state) {
    (void)state;
    const char *more[] = {POLICY("CLI-0001"), NULL};
    tu_run r = identify(hit2, hit7, more);
    if (r.rc != 11) {
        print_error("rc %d\nstdout: %s\nstderr: %s\n", r.rc, r.out, r.err);
    }
    assert_int_equal(r.rc, 11);
    assert_non_null(strstr(r.out, "IDENT1  RED: IDENTIFIED"));
    assert_non_null(strstr(r.out, "PNC ID:"));
    assert_non_null(strstr(r.out, "Transaction "));
    assert_null(strstr(r.out, "\x1b[")); /* piped: no colour */
    tu_run_free(&r);
}

static void test_json_output(void **state) {
    (void)state;
    const char *more[] = {POLICY("CLI-0002"), "--json", NULL};
    tu_run r = identify(hit2, hit7, more);
    assert_int_equal(r.rc, 11);
    mid_json *doc = NULL;
    assert_int_equal(mid_json_parse(tu_ctx, r.out, strlen(r.out), &doc), MID_OK);
    const mid_json_value *res = mid_json_at(mid_json_get(mid_json_root(doc), "results"), 0);
    assert_string_equal(mid_json_get_string(res, "grade"), "red");
    assert_non_null(mid_json_get(res, "record"));
    mid_json_free(doc);
    tu_run_free(&r);
}

/* The JSON twin of the request gets the same answer. */
static void test_json_encoding(void **state) {
    (void)state;
    const char *more[] = {POLICY("CLI-0006"), "--encoding", "json", NULL};
    tu_run r = identify(hit2, hit7, more);
    assert_int_equal(r.rc, 11);
    assert_non_null(strstr(r.out, "IDENT1  RED: IDENTIFIED"));
    tu_run_free(&r);
}

static void test_green(void **state) {
    (void)state;
    const char *more[] = {POLICY("CLI-0003"), NULL};
    tu_run r = identify(no2, no7, more);
    assert_int_equal(r.rc, 0);
    assert_non_null(strstr(r.out, "GREEN"));
    tu_run_free(&r);
}

static void test_refused_consent_and_replay(void **state) {
    (void)state;
    const char *more[] = {"--tcn",       "CLI-0004", "--basis",    "consent-refused",
                          "--reason",    "declined", "--incident", "LOG-2",
                          "--ethnicity", "IC9",      "--age-band", "65+",
                          "--gender",    "U",        NULL};
    tu_run r = identify(hit2, hit7, more);
    assert_int_equal(r.rc, 12);
    assert_non_null(strstr(r.out, "NOT SEARCHED: consent refused"));
    tu_run_free(&r);
    /* The same TCN again from the same device: refused. */
    r = identify(hit2, hit7, more);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "HTTP 409"));
    tu_run_free(&r);
}

static void test_usage_quality_unreachable(void **state) {
    (void)state;
    /* Piped, without --reason: a usage error naming the flag. */
    const char *no_reason[] = {"--basis", "consent",    "--told", "--incident", "L", "--ethnicity",
                               "IC1",     "--age-band", "25-34",  "--gender",   "M", NULL};
    tu_run r = identify(hit2, hit7, no_reason);
    assert_int_equal(r.rc, 2);
    assert_non_null(strstr(r.err, "--reason is required"));
    tu_run_free(&r);
    /* Quality 100 required: the capture is refused before anything is sent. */
    const char *strict[] = {POLICY("CLI-0005"), "--min-quality", "100", NULL};
    r = identify(hit2, hit7, strict);
    assert_int_equal(r.rc, 3);
    assert_non_null(strstr(r.err, "is below --min-quality 100"));
    tu_run_free(&r);
    /* Nothing listens on port 1. */
    const char *args[] = {"identify",
                          "--gateway",
                          "https://127.0.0.1:1",
                          "--device",
                          "dev1",
                          "--collar",
                          GWT_OFFICER,
                          "--pin",
                          GWT_PIN,
                          "--basis",
                          "consent-refused",
                          "--reason",
                          "x",
                          "--incident",
                          "y",
                          "--ethnicity",
                          "IC9",
                          "--age-band",
                          "65+",
                          "--gender",
                          "U",
                          NULL};
    r = tu_run_tool(args);
    assert_int_equal(r.rc, 4);
    assert_non_null(strstr(r.err, "gateway unreachable"));
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_red_plain),
        cmocka_unit_test(test_json_output),
        cmocka_unit_test(test_json_encoding),
        cmocka_unit_test(test_green),
        cmocka_unit_test(test_refused_consent_and_replay),
        cmocka_unit_test(test_usage_quality_unreachable),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
