/*
 * `mid records` and `mid enrol` against a SQLite data directory: import of
 * synthetic person records, get, delete (audited), a failing import that
 * stores nothing, enrolment from synthetic finger images and from a MIDG
 * gallery and from an ANSI/NIST-ITL transaction, with the counts checked through
 * `mid records count`.
 */
#include "mid/an2k.h"
#include "mid/synth.h"
#include "support/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char data_dir[512];

static void run_ok(const char *const *args, const char *expect_out) {
    tu_run r = tu_run_tool(args);
    if (r.rc != 0 || (expect_out != NULL && strstr(r.out, expect_out) == NULL)) {
        fprintf(stderr, "%s %s: rc %d\nstdout: %s\nstderr: %s\n", args[0], args[1], r.rc, r.out,
                r.err);
    }
    assert_int_equal(r.rc, 0);
    if (expect_out != NULL) {
        assert_non_null(strstr(r.out, expect_out));
    }
    tu_run_free(&r);
}

static void expect_count(const char *line) {
    const char *args[] = {"records", "count", "--data", data_dir, NULL};
    run_ok(args, line);
}

static void test_records(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    snprintf(data_dir, sizeof(data_dir), "%s", tu_temp_path("data"));
    char people[512];
    snprintf(people, sizeof(people), "%s", tu_temp_path("people.jsonl"));
    const char *gen[] = {"synth",    "people", "--seed", "1",    "--count", "5",
                         "--format", "jsonl",  "-o",     people, NULL};
    run_ok(gen, NULL);

    const char *imp[] = {"records", "import", people, "--data", data_dir, NULL};
    run_ok(imp, "imported 5 records into sqlite");
    expect_count("records 5");

    const char *get[] = {"records", "get", "2", "--data", data_dir, NULL};
    run_ok(get, "\"person\":2,");

    const char *del[] = {"records", "delete", "2", "--data", data_dir, NULL};
    run_ok(del, "deleted person 2");
    expect_count("records 4");
    tu_run r = tu_run_tool(get);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "not found"));
    tu_run_free(&r);
    r = tu_run_tool(del);
    assert_int_equal(r.rc, 1);
    tu_run_free(&r);

    /* The consultation and the deletion are in the audit log: ids only, no record
     * contents. */
    char audit[600];
    snprintf(audit, sizeof(audit), "%s/audit.log", data_dir);
    char *log = tu_slurp(audit);
    assert_non_null(strstr(log, "\"action\":\"consult\""));
    assert_non_null(strstr(log, "\"action\":\"delete\""));
    assert_non_null(strstr(log, "\"person\":\"2\""));
    assert_null(strstr(log, "pnc_id"));
    free(log);

    /* A bad line stores nothing and is named by its number. */
    char bad[512];
    snprintf(bad, sizeof(bad), "%s", tu_temp_path("bad.jsonl"));
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\"person\":100,\"pnc_id\":\"20/0000100A\"}\n{\"person\":101}\n", f);
    fclose(f);
    const char *imp_bad[] = {"records", "import", bad, "--data", data_dir, NULL};
    r = tu_run_tool(imp_bad);
    assert_int_equal(r.rc, 1);
    assert_non_null(strstr(r.err, "line 2"));
    tu_run_free(&r);
    expect_count("records 4");

    /* Usage errors. */
    const char *no_id[] = {"records", "get", "--data", data_dir, NULL};
    r = tu_run_tool(no_id);
    assert_int_equal(r.rc, 2);
    tu_run_free(&r);
}

static void test_enrol(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    if (data_dir[0] == '\0') {
        snprintf(data_dir, sizeof(data_dir), "%s", tu_temp_path("data"));
    }
    /* From images: two fingers of synthetic person 3. */
    char imgs[512];
    snprintf(imgs, sizeof(imgs), "%s", tu_temp_path("imgs"));
    const char *synth2[] = {"synth", "impressions", "--seed", "1",     "--person", "3", "--finger",
                            "2",     "--count",     "1",      "--out", imgs,       NULL};
    run_ok(synth2, NULL);
    char f2[600], f7[600];
    snprintf(f2, sizeof(f2), "2=%s/1.png", imgs);
    char imgs7[512];
    snprintf(imgs7, sizeof(imgs7), "%s", tu_temp_path("imgs7"));
    const char *synth7[] = {"synth", "impressions", "--seed", "1",     "--person", "3", "--finger",
                            "7",     "--count",     "1",      "--out", imgs7,      NULL};
    run_ok(synth7, NULL);
    snprintf(f7, sizeof(f7), "7=%s/1.png", imgs7);
    const char *enrol[] = {"enrol", "--db",     "IDENT1", "--person", "3",      "--finger",
                           f2,      "--finger", f7,       "--data",   data_dir, NULL};
    run_ok(enrol, "enrolled person 3 in IDENT1: fingers 2,7");
    expect_count("IDENT1 prints 2 persons 1");

    /* A MIDG gallery: 3 people x 2 fingers into IABS in one transaction. */
    char gal[512];
    snprintf(gal, sizeof(gal), "%s", tu_temp_path("g.midg"));
    const char *sg[] = {"synth", "gallery", "--seed", "1", "--people", "3", "-o", gal, NULL};
    run_ok(sg, NULL);
    const char *eg[] = {"enrol", "--db", "iabs", "--gallery", gal, "--data", data_dir, NULL};
    run_ok(eg, "enrolled 6 prints into IABS");
    expect_count("IABS prints 6 persons 3");

    /* Deleting person 1 removes its prints from every gallery. */
    const char *del[] = {"records", "delete", "1", "--data", data_dir, NULL};
    run_ok(del, NULL);
    expect_count("IABS prints 4 persons 2");

    /* The audit log has the enrolments, and no template bytes. */
    char audit[600];
    snprintf(audit, sizeof(audit), "%s/audit.log", data_dir);
    char *log = tu_slurp(audit);
    assert_non_null(strstr(log, "\"action\":\"enrol\""));
    assert_null(strstr(log, "MIDT"));
    free(log);

    /* Usage: exactly one source. */
    const char *both[] = {"enrol",     "--db", "IDENT1", "--person", "3",
                          "--gallery", gal,    "--data", data_dir,   NULL};
    tu_run r = tu_run_tool(both);
    assert_int_equal(r.rc, 2);
    tu_run_free(&r);
}

/* A custody transaction with three finger records (Type-14, WSQ, positions 1, 2
 * and 7) of synthetic person 8, built with the public builder: `mid enrol --an2k`
 * must decode, extract and store exactly those three fingers. */
static void test_enrol_an2k(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    if (data_dir[0] == '\0') {
        snprintf(data_dir, sizeof(data_dir), "%s", tu_temp_path("data"));
    }
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_synth *syn = NULL;
    assert_int_equal(mid_synth_create(ctx, &syn), MID_OK);
    static const unsigned positions[3] = {1, 2, 7};
    mid_image *img[3] = {NULL, NULL, NULL};
    mid_an2k_finger fingers[3];
    memset(fingers, 0, sizeof(fingers));
    for (int i = 0; i < 3; i++) {
        mid_synth_master *m = NULL;
        assert_int_equal(mid_synth_master_create(syn, 1, 8, positions[i], &m), MID_OK);
        assert_int_equal(mid_synth_impression(syn, m, 1, NULL, &img[i], NULL), MID_OK);
        mid_synth_master_free(m);
        fingers[i].position = (uint8_t)positions[i];
        fingers[i].impression = 0;
        fingers[i].quality = 254;
        fingers[i].image = img[i];
    }
    mid_an2k_search_request req;
    memset(&req, 0, sizeof(req));
    req.ori = "CUSTODY01";
    req.dai = "IDENT1";
    req.tcn = "CUSTODY01-0001";
    req.gmt = "20261124100000Z";
    req.legal_basis = "PACE s.61 custody";
    req.reason = "custody enrolment test";
    req.incident = "TEST-1";
    req.officer = "1001";
    req.device = "LIVESCAN-1";
    req.fingers = fingers;
    req.n_fingers = 3;
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_build_search(ctx, &req, &tx), MID_OK);
    void *bytes = NULL;
    size_t len = 0;
    assert_int_equal(mid_an2k_serialize(ctx, tx, &bytes, &len), MID_OK);
    char path[512];
    snprintf(path, sizeof(path), "%s", tu_temp_path("custody.an2"));
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    mid_free(bytes);
    mid_an2k_free(tx);
    for (int i = 0; i < 3; i++) {
        mid_image_free(img[i]);
    }
    mid_synth_free(syn);
    mid_ctx_free(ctx);

    const char *enrol[] = {"enrol",  "--db", "IDENT1", "--person", "8",
                           "--an2k", path,   "--data", data_dir,   NULL};
    run_ok(enrol, "enrolled person 8 in IDENT1: fingers 1,2,7");

    /* A file that is not a transaction is refused and stores nothing. */
    char junk[512];
    snprintf(junk, sizeof(junk), "%s", tu_temp_path("junk.an2"));
    f = fopen(junk, "wb");
    assert_non_null(f);
    fputs("1.001:not a transaction", f);
    assert_int_equal(fclose(f), 0);
    const char *bad[] = {"enrol",  "--db", "IDENT1", "--person", "9",
                         "--an2k", junk,   "--data", data_dir,   NULL};
    tu_run r = tu_run_tool(bad);
    assert_int_not_equal(r.rc, 0);
    tu_run_free(&r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_records),
        cmocka_unit_test(test_enrol),
        cmocka_unit_test(test_enrol_an2k),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
