/*
 * End to end: `mid serve` over real TLS 1.3 on loopback, with the test world's
 * certificates, a small synthetic world (tests/support/gwworld.h) and officers
 * logged in through their devices. Every grade, both request encodings, IABS
 * (hit with the Border Force instruction, not permitted by policy, down, late),
 * refused consent, and the bad-input refusals, each checked in the answer and
 * in the audit log.
 */
#include "support/gwtest.h"
#include "support/gwworld.h"
#include "support/testutil.h"

#include "mid/json.h"
#include "mid/limits.h"
#include "mid/store.h"

#include <stdio.h>
#include <string.h>

/* The world: persons 0..199 in IDENT1; 180..199 and HIT_IABS in IABS. */
#define PERSONS 200u
#define IABS_FROM 180u
#define HIT_IDENT1 17u /* enrolled from rendered prints: probes of them hit */
#define HIT_IABS 42u   /* ... also enrolled in IABS */
#define NOT_ENROLLED 5000u

static gw_test world;
static char *token; /* GWT_OFFICER's, from dev1 */
static unsigned tcn_serial;
static gww_probe probe_ident1, probe_iabs, probe_nohit;

static void start_with(const char *const *extra) {
    gwt_stop(&world);
    gwt_start(&world, extra);
    free(token);
    token = gwt_login(&world, "dev1", GWT_OFFICER, GWT_PIN);
}

static int group_setup(void **state) {
    tu_ctx_setup(state);
    gwt_init(&world);
    static const uint64_t rendered[] = {HIT_IDENT1, HIT_IABS};
    static const uint64_t iabs_also[] = {HIT_IABS};
    gww_config cfg = {PERSONS, IABS_FROM, rendered, 2, iabs_also, 1};
    char uri[600];
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    gww_build(uri, &cfg);
    gww_probe_make(HIT_IDENT1, 2, MID_CONDITION_NORMAL, &probe_ident1);
    gww_probe_make(HIT_IABS, 2, MID_CONDITION_NORMAL, &probe_iabs);
    gww_probe_make(NOT_ENROLLED, 2, MID_CONDITION_NORMAL, &probe_nohit);
    static const char *const extra[] = {"--rate", "1000", NULL};
    gwt_start(&world, extra);
    token = gwt_login(&world, "dev1", GWT_OFFICER, GWT_PIN);
    return 0;
}

static int group_teardown(void **state) {
    gwt_stop(&world);
    free(token);
    gww_probe_free(&probe_ident1);
    gww_probe_free(&probe_iabs);
    gww_probe_free(&probe_nohit);
    gwt_cleanup(&world);
    return tu_ctx_teardown(state);
}

static const char *next_tcn(void) {
    static char tcn[48];
    snprintf(tcn, sizeof(tcn), "DEV1-20261124-%04u", ++tcn_serial);
    return tcn;
}

/* A parsed answer and a few accessors. */
typedef struct answer {
    gwt_response r;
    mid_json *doc;
    const mid_json_value *root;
} answer;

static answer parse_answer(gwt_response r) {
    answer a = {r, NULL, NULL};
    if (r.body != NULL && r.len > 0 && mid_json_parse(tu_ctx, r.body, r.len, &a.doc) == MID_OK) {
        a.root = mid_json_root(a.doc);
    }
    return a;
}

static void answer_free(answer *a) {
    mid_json_free(a->doc);
    gwt_response_free(&a->r);
}

static answer identify_json(const char *body) {
    gwt_req req = {.method = "POST",
                   .path = "/v1/identify",
                   .device = "dev1",
                   .token = token,
                   .content_type = "application/json",
                   .body = body,
                   .len = strlen(body)};
    return parse_answer(gwt_request(&world, &req));
}

static answer identify_probe(const gww_probe *p, const char *databases) {
    char *body = gww_request_json(next_tcn(), databases, p);
    answer a = identify_json(body);
    free(body);
    return a;
}

/* The result object of gallery db, failing when absent. */
static const mid_json_value *result_of(const answer *a, const char *db) {
    const mid_json_value *results = mid_json_get(a->root, "results");
    for (size_t i = 0; i < mid_json_length(results); i++) {
        const mid_json_value *r = mid_json_at(results, i);
        const char *name = mid_json_get_string(r, "database");
        if (name != NULL && strcmp(name, db) == 0) {
            return r;
        }
    }
    fail_msg("no result for %s in %s", db, a->r.body);
    return NULL;
}

static bool searched(const mid_json_value *r) {
    bool b = false;
    return mid_json_bool(mid_json_get(r, "searched"), &b) && b;
}

static int64_t first_candidate(const mid_json_value *r) {
    const mid_json_value *c = mid_json_at(mid_json_get(r, "candidates"), 0);
    int64_t person = -1;
    if (c == NULL || !mid_json_int64(mid_json_get(c, "person"), &person)) {
        return -1;
    }
    return person;
}

/* The audit entry of the answer's transaction id exists and holds fragments. */
static void assert_audited(const answer *a, const char *const *more) {
    const char *tx = mid_json_get_string(a->root, "transaction");
    assert_non_null(tx);
    char frag[128];
    snprintf(frag, sizeof(frag), "\"txid\":\"%s\"", tx);
    const char *fr[8] = {frag};
    size_t n = 1;
    for (; more != NULL && *more != NULL && n < 7; more++) {
        fr[n++] = *more;
    }
    fr[n] = NULL;
    char *entry = NULL;
    if (!gwt_audit_find(&world, 0, fr, &entry)) {
        fail_msg("no audit entry with %s (and the other fragments)", frag);
    }
    free(entry);
}

static void pnc_of(uint64_t person, char *out, size_t cap) {
    mid_store *st = NULL;
    char uri[600];
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    assert_int_equal(mid_store_open(tu_ctx, uri, &st), MID_OK);
    char *rec = NULL;
    assert_int_equal(mid_store_person_get(st, tu_ctx, person, &rec), MID_OK);
    mid_json *doc = NULL;
    assert_int_equal(mid_json_parse(tu_ctx, rec, strlen(rec), &doc), MID_OK);
    snprintf(out, cap, "%s", mid_json_get_string(mid_json_root(doc), "pnc_id"));
    mid_json_free(doc);
    mid_free(rec);
    mid_store_close(st);
}

/* ---- grades ------------------------------------------------------------------ */

static void check_red_ident1(answer *a) {
    assert_int_equal(a->r.status, 200);
    assert_non_null(a->root);
    assert_string_equal(mid_json_get_string(a->root, "outcome"), "answered");
    const mid_json_value *r = result_of(a, "IDENT1");
    assert_true(searched(r));
    assert_string_equal(mid_json_get_string(r, "grade"), "red");
    assert_int_equal(first_candidate(r), HIT_IDENT1);
    char pnc[32];
    pnc_of(HIT_IDENT1, pnc, sizeof(pnc));
    const mid_json_value *rec = mid_json_get(r, "record");
    assert_non_null(rec);
    assert_string_equal(mid_json_get_string(rec, "pnc_id"), pnc);
    assert_non_null(mid_json_get(rec, "name"));
    assert_non_null(mid_json_get(rec, "dob"));
    /* No IABS hit, no Border Force instruction. */
    assert_null(mid_json_get(a->root, "instruction"));
    char disclosed[64];
    snprintf(disclosed, sizeof(disclosed), "\"%s\"", pnc);
    const char *more[] = {"\"status\":200", "\"action\":\"identify\"", disclosed, NULL};
    assert_audited(a, more);
}

static void test_red_json(void **state) {
    (void)state;
    answer a = identify_probe(&probe_ident1, "IDENT1");
    check_red_ident1(&a);
    answer_free(&a);
}

static void test_red_an2k(void **state) {
    (void)state;
    size_t len = 0;
    uint8_t *body = gww_request_an2k(next_tcn(), "IDENT1", &probe_ident1, &len);
    gwt_req req = {.method = "POST",
                   .path = "/v1/identify",
                   .device = "dev1",
                   .token = token,
                   .content_type = "application/x-ansi-nist",
                   .body = body,
                   .len = len};
    answer a = parse_answer(gwt_request(&world, &req));
    mid_free(body);
    check_red_ident1(&a);
    answer_free(&a);
}

/* An RPISR answer (Accept: application/x-ansi-nist) carries candidate ids but no
 * record: the audit must not list a record as disclosed to the officer. */
static void test_red_rpisr_discloses_no_record(void **state) {
    (void)state;
    const char *tcn = next_tcn();
    size_t len = 0;
    uint8_t *body = gww_request_an2k(tcn, "IDENT1", &probe_ident1, &len);
    gwt_req req = {.method = "POST",
                   .path = "/v1/identify",
                   .device = "dev1",
                   .token = token,
                   .content_type = "application/x-ansi-nist",
                   .accept = "application/x-ansi-nist",
                   .body = body,
                   .len = len};
    gwt_response r = gwt_request(&world, &req);
    mid_free(body);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.content_type, "application/x-ansi-nist");
    char tcn_frag[96];
    snprintf(tcn_frag, sizeof(tcn_frag), "\"tcn\":\"%s\"", tcn);
    const char *fr[] = {tcn_frag, "\"grade\":\"red\"", "\"disclosed\":[]", NULL};
    assert_true(gwt_audit_find(&world, 0, fr, NULL));
    gwt_response_free(&r);
}

static void test_green(void **state) {
    (void)state;
    answer a = identify_probe(&probe_nohit, "IDENT1");
    assert_int_equal(a.r.status, 200);
    const mid_json_value *r = result_of(&a, "IDENT1");
    assert_true(searched(r));
    assert_string_equal(mid_json_get_string(r, "grade"), "green");
    assert_null(mid_json_get(r, "record"));
    const char *more[] = {"\"status\":200", NULL};
    assert_audited(&a, more);
    answer_free(&a);
}

/* Amber: the same genuine probe under a force policy whose Red threshold no
 * search can reach (expected false candidates <= 1e-300) while Amber stays at the
 * default: the candidate is then offered for confirmation, and no record is
 * disclosed as an identification without the "unconfirmed" mark. */
static void test_amber(void **state) {
    (void)state;
    static const char *const extra[] = {"--rate", "1000", "--red-fpir", "1e-300", NULL};
    start_with(extra);
    answer a = identify_probe(&probe_ident1, "IDENT1");
    assert_int_equal(a.r.status, 200);
    const mid_json_value *r = result_of(&a, "IDENT1");
    assert_string_equal(mid_json_get_string(r, "grade"), "amber");
    assert_int_equal(first_candidate(r), HIT_IDENT1);
    assert_non_null(strstr(a.r.body, "unconfirmed"));
    const char *more[] = {"\"status\":200", "amber", NULL};
    assert_audited(&a, more);
    answer_free(&a);
    /* The non-enrolled person stays green under the same policy. */
    a = identify_probe(&probe_nohit, "IDENT1");
    assert_string_equal(mid_json_get_string(result_of(&a, "IDENT1"), "grade"), "green");
    answer_free(&a);
    static const char *const normal[] = {"--rate", "1000", NULL};
    start_with(normal);
}

/* ---- IABS ---------------------------------------------------------------------- */

static void test_iabs_hit(void **state) {
    (void)state;
    answer a = identify_probe(&probe_iabs, "IDENT1,IABS");
    assert_int_equal(a.r.status, 200);
    const mid_json_value *r = result_of(&a, "IABS");
    assert_true(searched(r));
    assert_string_equal(mid_json_get_string(r, "grade"), "red");
    assert_int_equal(first_candidate(r), HIT_IABS);
    const char *instr = mid_json_get_string(a.root, "instruction");
    assert_non_null(instr);
    assert_non_null(strstr(instr, "Border Force"));
    assert_string_equal(mid_json_get_string(result_of(&a, "IDENT1"), "grade"), "red");
    const char *more[] = {"\"status\":200", "IABS", NULL};
    assert_audited(&a, more);
    answer_free(&a);
    /* A person only in IDENT1: IABS searched, green, no instruction. */
    a = identify_probe(&probe_ident1, "IDENT1,IABS");
    r = result_of(&a, "IABS");
    assert_true(searched(r));
    assert_string_equal(mid_json_get_string(r, "grade"), "green");
    assert_null(mid_json_get(a.root, "instruction"));
    answer_free(&a);
}

static void test_iabs_not_permitted(void **state) {
    (void)state;
    /* Force policy: IABS only under the PACE power, not on consent. */
    static const char *const extra[] = {"--rate", "1000", "--iabs-bases", "pace-61-6a", NULL};
    start_with(extra);
    answer a = identify_probe(&probe_iabs, "IDENT1,IABS");
    assert_int_equal(a.r.status, 200);
    const mid_json_value *r = result_of(&a, "IABS");
    assert_false(searched(r));
    assert_string_equal(mid_json_get_string(r, "why"), "not permitted by force policy");
    assert_null(mid_json_get(a.root, "instruction"));
    assert_string_equal(mid_json_get_string(result_of(&a, "IDENT1"), "grade"), "red");
    const char *more[] = {"\"status\":200", "not permitted by force policy", NULL};
    assert_audited(&a, more);
    answer_free(&a);
    static const char *const normal[] = {"--rate", "1000", NULL};
    start_with(normal);
}

static void partial_answer(const char *fault, const char *budget, const char *why) {
    const char *extra[] = {"--rate", "1000", "--fault", fault, NULL, NULL, NULL};
    if (budget != NULL) {
        extra[4] = "--budget-ms";
        extra[5] = budget;
    }
    start_with(extra);
    answer a = identify_probe(&probe_iabs, "IDENT1,IABS");
    assert_int_equal(a.r.status, 200);
    assert_string_equal(mid_json_get_string(a.root, "outcome"), "answered");
    const mid_json_value *r = result_of(&a, "IABS");
    assert_false(searched(r));
    assert_string_equal(mid_json_get_string(r, "why"), why);
    assert_null(mid_json_get(a.root, "instruction"));
    const mid_json_value *id1 = result_of(&a, "IDENT1");
    assert_true(searched(id1));
    assert_string_equal(mid_json_get_string(id1, "grade"), "red");
    const char *more[] = {"\"status\":200", why, NULL};
    assert_audited(&a, more);
    answer_free(&a);
    static const char *const normal[] = {"--rate", "1000", NULL};
    start_with(normal);
}

static void test_iabs_down(void **state) {
    (void)state;
    partial_answer("IABS=down", NULL, "unavailable");
}

static void test_iabs_slow(void **state) {
    (void)state;
    partial_answer("IABS=slow:5000", "1500", "timed out");
}

static void test_consent_refused(void **state) {
    (void)state;
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"tcn\":\"%s\",\"basis\":\"consent-refused\",\"told_reason\":true,"
             "\"told_speculative\":true,\"reason\":\"Stopped vehicle, driver refused\","
             "\"incident\":\"LOG-2026-1124-0043\","
             "\"subject\":{\"ethnicity\":\"IC9\",\"age_band\":\"18-24\",\"gender\":\"M\"},"
             "\"databases\":[\"IDENT1\"],\"fingers\":[]}",
             next_tcn());
    answer a = identify_json(body);
    assert_int_equal(a.r.status, 200);
    assert_string_equal(mid_json_get_string(a.root, "outcome"), "not-searched");
    assert_string_equal(mid_json_get_string(a.root, "reason"), "consent refused");
    assert_null(mid_json_get(a.root, "results"));
    const char *more[] = {"\"status\":200", "consent-refused", NULL};
    assert_audited(&a, more);
    answer_free(&a);
}

/* ---- bad input: a 4xx with a message naming what is wrong, and an audit entry --- */

/* Sends body; expects status, a JSON error whose message contains `says`, and an
 * audit entry for it (a new entry with that status after the count before). */
static void refused(const char *content_type, const void *body, size_t len, long status,
                    const char *says) {
    uint64_t before = gwt_audit_count(&world);
    gwt_req req = {.method = "POST",
                   .path = "/v1/identify",
                   .device = "dev1",
                   .token = token,
                   .content_type = content_type,
                   .body = body,
                   .len = len};
    answer a = parse_answer(gwt_request(&world, &req));
    if (a.r.status != status) {
        fail_msg("expected HTTP %ld, got %ld: %s", status, a.r.status, a.r.body);
    }
    assert_non_null(a.root);
    assert_non_null(mid_json_get_string(a.root, "error"));
    const char *msg = mid_json_get_string(a.root, "message");
    assert_non_null(msg);
    /* "=sentence": the exact message; otherwise a part of it. */
    if (says[0] == '=' ? strcmp(msg, says + 1) != 0 : strstr(msg, says) == NULL) {
        fail_msg("message '%s' is not '%s'", msg, says);
    }
    char st[32];
    snprintf(st, sizeof(st), "\"status\":%ld", status);
    const char *fr[] = {st, "\"action\":\"identify\"", "\"outcome\":\"refused\"", NULL};
    if (!gwt_audit_find(&world, before, fr, NULL)) {
        fail_msg("refusal (HTTP %ld, %s) not audited", status, says);
    }
    answer_free(&a);
}

static void refused_json(const char *json, long status, const char *says) {
    refused("application/json", json, strlen(json), status, says);
}

/* text with its first `from` replaced by `to` (which must occur); free(). */
static char *replaced(const char *text, const char *from, const char *to) {
    const char *at = strstr(text, from);
    assert_non_null(at);
    size_t cap = strlen(text) + strlen(to) + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    snprintf(out, cap, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    return out;
}

/* A valid request with member `drop` removed (its "key":value text). */
static char *without(const char *drop) {
    char *body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    char *at = strstr(body, drop);
    assert_non_null(at);
    size_t n = strlen(drop);
    if (at[n] == ',') {
        n++;
    }
    memmove(at, at + n, strlen(at + n) + 1);
    return body;
}

static void test_malformed(void **state) {
    (void)state;
    refused_json("{\"tcn\":\"X\",", 400, "JSON");
    refused_json("[1,2,3]", 400, "object");
    static const char garbage[] = "1.002:0502\x1d"
                                  "1.003:1\x1e";
    refused("application/x-ansi-nist", garbage, sizeof(garbage) - 1, 400, "");
    refused("text/plain", "hello", 5, 415, "");
}

static void test_wrong_finger_count(void **state) {
    (void)state;
    char *body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    /* Cut the second finger: "...},{"position":7,...}]}" -> "...}]}". */
    char *second = strstr(body, ",{\"position\":7");
    assert_non_null(second);
    memcpy(second, "]}", 3);
    refused_json(body, 422, "=fingers: expected 2 fingers, got 1");
    free(body);
    /* Two fingers at the same position. */
    body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    char *same = replaced(body, "\"position\":7", "\"position\":2");
    refused_json(same, 422, "finger position 2 appears twice");
    free(same);
    free(body);
}

static void test_oversized(void **state) {
    (void)state;
    size_t n = MID_GW_MAX_BODY_BYTES + 1024u;
    char *body = malloc(n + 1);
    assert_non_null(body);
    memset(body, ' ', n);
    body[0] = '{';
    body[n - 1] = '}';
    body[n] = '\0';
    refused("application/json", body, n, 413, "");
    free(body);
}

/* A WSQ image whose frame header declares 60000 x 60000 pixels (3.6 gigapixels),
 * in a body of a few kilobytes: refused from the header, never decoded. */
static void test_huge_declared_image(void **state) {
    (void)state;
    uint8_t *wsq = malloc(probe_ident1.len[0]);
    assert_non_null(wsq);
    memcpy(wsq, probe_ident1.wsq[0], probe_ident1.len[0]);
    /* SOF marker 0xFFA2: Lf(2) A(1) M(2) R(1) Y(2) X(2) ... */
    bool patched = false;
    for (size_t i = 0; i + 12 < probe_ident1.len[0]; i++) {
        if (wsq[i] == 0xFF && wsq[i + 1] == 0xA2) {
            wsq[i + 8] = 0xEA;
            wsq[i + 9] = 0x60;
            wsq[i + 10] = 0xEA;
            wsq[i + 11] = 0x60;
            patched = true;
            break;
        }
    }
    assert_true(patched);
    gww_probe big = probe_ident1;
    big.wsq[0] = wsq;
    char *body = gww_request_json(next_tcn(), "IDENT1", &big);
    refused_json(body, 413, "declared image of 60000 x 750 pixels exceeds the limit");
    free(body);
    free(wsq);
}

static void test_invalid_utf8(void **state) {
    (void)state;
    char *body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    char *reason = strstr(body, "Driver gave");
    assert_non_null(reason);
    reason[0] = (char)0xC3; /* a lead byte followed by ASCII: not UTF-8 */
    refused_json(body, 400, "UTF-8");
    free(body);
}

static void test_missing_policy_fields(void **state) {
    (void)state;
    static const struct {
        const char *drop;
        const char *says;
    } cases[] = {
        {"\"basis\":\"consent\"", "basis"},
        {"\"reason\":\"Driver gave details that do not match the vehicle keeper\"", "reason"},
        {"\"incident\":\"LOG-2026-1124-0042\"", "incident"},
        {"\"told_reason\":true", "told_reason"},
        {"\"told_speculative\":true", "told_speculative"},
        {"\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"25-34\",\"gender\":\"M\"}", "subject"},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *body = without(cases[i].drop);
        refused_json(body, 422, cases[i].says);
        free(body);
    }
    /* The PACE power needs the suspected offence and why the name is doubted. */
    char *body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    char *pace = replaced(body, "\"basis\":\"consent\"", "\"basis\":\"pace-61-6a\"");
    refused_json(pace, 422, "=offence: required when basis is pace-61-6a");
    free(pace);
    free(body);
    /* Told the reason: false is refused unless consent was refused. */
    body = gww_request_json(next_tcn(), "IDENT1", &probe_ident1);
    char *untold = replaced(body, "\"told_reason\":true", "\"told_reason\":false");
    refused_json(untold, 422,
                 "=told_reason: the person must be told the reason unless basis is "
                 "consent-refused");
    free(untold);
    free(body);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_red_json),
        cmocka_unit_test(test_red_an2k),
        cmocka_unit_test(test_red_rpisr_discloses_no_record),
        cmocka_unit_test(test_green),
        cmocka_unit_test(test_iabs_hit),
        cmocka_unit_test(test_consent_refused),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_wrong_finger_count),
        cmocka_unit_test(test_oversized),
        cmocka_unit_test(test_huge_declared_image),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_missing_policy_fields),
        cmocka_unit_test(test_amber),
        cmocka_unit_test(test_iabs_not_permitted),
        cmocka_unit_test(test_iabs_down),
        cmocka_unit_test(test_iabs_slow),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
