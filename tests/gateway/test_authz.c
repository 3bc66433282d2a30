/*
 * The gateway's authorisation matrix, over real TLS 1.3 on loopback with real
 * certificates: every refusal has the right HTTP status AND an audit entry
 * (found in DIR/audit.log with mid_audit_each) naming the action, the status and
 * who asked.
 */
#define _DEFAULT_SOURCE /* usleep-free sleeping via nanosleep is POSIX; strndup */
#include "support/gwtest.h"
#include "support/testutil.h"

#include "mid/limits.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static gw_test world;
static const char *const fast[] = {"--rate", "1000", NULL};

static int setup(void **state) {
    tu_ctx_setup(state);
    gwt_init(&world);
    gwt_start(&world, fast);
    return 0;
}

static int teardown(void **state) {
    gwt_stop(&world);
    gwt_cleanup(&world);
    return tu_ctx_teardown(state);
}

static void restart(const char *const *extra) {
    gwt_stop(&world);
    gwt_start(&world, extra);
}

/* Sends a request and checks its status and that an audit entry with the given
 * action, status and device (and extra fragment, may be NULL) was appended. */
static gwt_response expect(const gwt_req *req, long status, const char *action, const char *device,
                           const char *fragment) {
    uint64_t before = gwt_audit_count(&world);
    gwt_response r = gwt_request(&world, req);
    if (r.status != status) {
        fail_msg("%s %s (device %s): expected %ld, got %ld: %s", req->method, req->path,
                 req->device ? req->device : "none", status, r.status, r.body);
    }
    char st[32], act[64], dev[64];
    snprintf(st, sizeof(st), "\"status\":%ld", status);
    snprintf(act, sizeof(act), "\"action\":\"%s\"", action);
    snprintf(dev, sizeof(dev), "\"device\":\"%s\"", device != NULL ? device : "");
    const char *fr[] = {st, act, dev, fragment, NULL};
    char *entry = NULL;
    if (!gwt_audit_find(&world, before, fr, &entry)) {
        fail_msg("no audit entry for %s %s with %s %s %s %s", req->method, req->path, st, act, dev,
                 fragment ? fragment : "");
    }
    /* Never a token in the audit. */
    if (req->token != NULL) {
        assert_null(strstr(entry, req->token));
    }
    free(entry);
    return r;
}

static void expect_free(const gwt_req *req, long status, const char *action, const char *device,
                        const char *fragment) {
    gwt_response r = expect(req, status, action, device, fragment);
    gwt_response_free(&r);
}

static void test_public_endpoints(void **state) {
    (void)state;
    gwt_req h = {.method = "GET", .path = "/healthz"};
    gwt_response r = expect(&h, 200, "health", NULL, NULL);
    assert_non_null(strstr(r.body, "\"status\":\"ok\""));
    assert_non_null(strstr(r.body, "\"IDENT1\""));
    gwt_response_free(&r);
    gwt_req m = {.method = "GET", .path = "/metrics"};
    r = expect(&m, 200, "metrics", NULL, NULL);
    assert_non_null(strstr(r.body, "mid_requests_total{endpoint=\"healthz\",status=\"200\"} "));
    assert_non_null(strstr(r.body, "mid_audit_head_info{"));
    gwt_response_free(&r);
    gwt_req nf = {.method = "GET", .path = "/v1/nothing-here", .device = "dev1"};
    expect_free(&nf, 404, "unknown", NULL, NULL);
    gwt_req wm = {.method = "GET", .path = "/v1/login", .device = "dev1"};
    expect_free(&wm, 405, "unknown", NULL, NULL);
}

static const char login_body[] = "{\"collar\":\"" GWT_OFFICER "\",\"pin\":\"" GWT_PIN "\"}";

static gwt_req login_req(const char *device, const char *body) {
    gwt_req r = {.method = "POST",
                 .path = "/v1/login",
                 .device = device,
                 .content_type = "application/json",
                 .body = body,
                 .len = strlen(body)};
    return r;
}

static void test_no_certificate(void **state) {
    (void)state;
    gwt_req r = login_req(NULL, login_body);
    expect_free(&r, 401, "login", NULL, "certificate is required");
}

static void test_revoked_certificate(void **state) {
    (void)state;
    gwt_req r = login_req("dev3", login_body);
    expect_free(&r, 401, "login", "dev3", "revoked");
}

static void test_unknown_ca(void **state) {
    (void)state;
    gwt_req r = login_req("rogue", login_body);
    expect_free(&r, 401, "login", NULL, "not issued by the force CA");
}

static void test_tls12_refused(void **state) {
    (void)state;
    gwt_req r = {.method = "GET", .path = "/healthz", .tls12_only = true};
    gwt_response a = gwt_request(&world, &r);
    assert_int_equal(a.status, 0); /* no HTTP exchange at all */
    assert_int_not_equal(a.curl_code, 0);
    gwt_response_free(&a);
}

static void test_login(void **state) {
    (void)state;
    gwt_req bad = login_req("dev1", "{\"collar\":\"" GWT_OFFICER "\",\"pin\":\"999999\"}");
    expect_free(&bad, 401, "login", "dev1", "\"officer\":\"" GWT_OFFICER "\"");
    gwt_req unknown = login_req("dev1", "{\"collar\":\"7777\",\"pin\":\"999999\"}");
    expect_free(&unknown, 401, "login", "dev1", "wrong");
    gwt_req ok = login_req("dev1", login_body);
    gwt_response r = expect(&ok, 200, "login", "dev1", "\"outcome\":\"answered\"");
    assert_non_null(strstr(r.body, "\"expires_in\":900"));
    assert_non_null(strstr(r.body, "\"roles\":[\"officer\"]"));
    assert_non_null(strstr(r.body, "\"audit\":{\"seq\":"));
    gwt_response_free(&r);
    gwt_req ct = ok;
    ct.content_type = "text/plain";
    expect_free(&ct, 415, "login", "dev1", NULL);
    /* A declared body over the bound is refused before it is read. */
    static char big[MID_GW_MAX_BODY_BYTES + 16];
    memset(big, ' ', sizeof(big));
    gwt_req tl = login_req("dev1", "");
    tl.body = big;
    tl.len = sizeof(big);
    expect_free(&tl, 413, "login", "dev1", NULL);
}

/* No token, a forged token, and a token used from another device. */
static void test_tokens(void **state) {
    (void)state;
    gwt_req none = {.method = "GET", .path = "/v1/devices", .device = "dev1"};
    expect_free(&none, 401, "list-devices", "dev1", "token is required");
    gwt_req forged = none;
    forged.token = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    expect_free(&forged, 401, "list-devices", "dev1", "not valid");
    char *tok = gwt_login(&world, "dev1", GWT_SUPERVISOR, GWT_PIN);
    gwt_req other = {.method = "GET", .path = "/v1/devices", .device = "dev2", .token = tok};
    expect_free(&other, 403, "list-devices", "dev2", "another device");
    gwt_req same = other;
    same.device = "dev1";
    gwt_response r =
        expect(&same, 200, "list-devices", "dev1", "\"officer\":\"" GWT_SUPERVISOR "\"");
    assert_non_null(strstr(r.body, "\"id\":\"dev3\",\"status\":\"revoked\""));
    assert_non_null(strstr(r.body, "\"id\":\"dev1\",\"status\":\"valid\""));
    gwt_response_free(&r);
    free(tok);
}

/* Sets officer GWT_ADMIN's record as `mid officer add` does while the gateway runs. */
static void set_admin(const char *role, bool disabled) {
    const char *args[] = {"officer",
                          "add",
                          GWT_ADMIN,
                          "--role",
                          role,
                          "--pin",
                          GWT_PIN,
                          "--data",
                          world.dir,
                          "--argon2-test",
                          disabled ? "--disabled" : NULL,
                          NULL};
    tu_run r = tu_run_tool(args);
    assert_int_equal(r.rc, 0);
    tu_run_free(&r);
}

/* Officer accounts are checked on every request, like devices: a role change or
 * a disabled account takes effect on the next request, not when the token expires. */
static void test_officer_changes_immediate(void **state) {
    (void)state;
    char *tok = gwt_login(&world, "dev1", GWT_ADMIN, GWT_PIN);
    gwt_req list = {.method = "GET", .path = "/v1/devices", .device = "dev1", .token = tok};
    expect_free(&list, 200, "list-devices", "dev1", NULL);
    set_admin("officer", false);
    expect_free(&list, 403, "list-devices", "dev1", "roles do not allow");
    set_admin("administrator", true);
    expect_free(&list, 401, "list-devices", "dev1", "disabled or removed");
    set_admin("administrator", false);
    expect_free(&list, 200, "list-devices", "dev1", NULL);
    free(tok);
}

typedef struct endpoint {
    const char *method, *path, *action;
    unsigned allowed; /* bit per officer index below */
} endpoint;

/* Officer index: 0 officer, 1 supervisor, 2 auditor, 3 administrator. */
static const char *const collars[4] = {GWT_OFFICER, GWT_SUPERVISOR, GWT_AUDITOR, GWT_ADMIN};

static const char consent_refused_fmt[] =
    "{\"tcn\":\"%s\",\"basis\":\"consent-refused\",\"reason\":\"Suspected false name\","
    "\"incident\":\"LOG-2026-1124-0007\","
    "\"subject\":{\"ethnicity\":\"IC9\",\"age_band\":\"25-34\",\"gender\":\"U\"},"
    "\"databases\":[\"IDENT1\"],\"fingers\":[]}";

/* The wrong role for EACH endpoint is refused with 403 and audited; the right
 * role gets past the role check (whatever the handler then answers). */
static void test_roles(void **state) {
    (void)state;
    static const endpoint eps[] = {
        {"POST", "/v1/identify", "identify", 1u | 2u},
        {"GET", "/v1/audit/verify", "audit-verify", 4u},
        {"GET", "/v1/devices", "list-devices", 2u | 8u},
        {"POST", "/v1/devices/no-such-device/revoke", "revoke-device", 8u},
        {"DELETE", "/v1/persons/424242", "delete-person", 8u},
    };
    char *tok[4];
    for (int o = 0; o < 4; o++) {
        tok[o] = gwt_login(&world, "dev1", collars[o], GWT_PIN);
    }
    unsigned serial = 0;
    for (size_t e = 0; e < sizeof(eps) / sizeof(eps[0]); e++) {
        for (int o = 0; o < 4; o++) {
            char body[512];
            char tcn[40];
            snprintf(tcn, sizeof(tcn), "DEV1-ROLE-%04u", serial++);
            snprintf(body, sizeof(body), consent_refused_fmt, tcn);
            bool post_identify = strcmp(eps[e].action, "identify") == 0;
            gwt_req req = {.method = eps[e].method,
                           .path = eps[e].path,
                           .device = "dev1",
                           .token = tok[o],
                           .content_type = post_identify ? "application/json" : NULL,
                           .body = post_identify ? body : NULL,
                           .len = post_identify ? strlen(body) : 0};
            char who[64];
            snprintf(who, sizeof(who), "\"officer\":\"%s\"", collars[o]);
            if (eps[e].allowed & (1u << o)) {
                uint64_t before = gwt_audit_count(&world);
                gwt_response r = gwt_request(&world, &req);
                assert_int_not_equal(r.status, 403);
                assert_int_not_equal(r.status, 401);
                const char *fr[] = {who, "\"device\":\"dev1\"", NULL};
                assert_true(gwt_audit_find(&world, before, fr, NULL));
                gwt_response_free(&r);
            } else {
                expect_free(&req, 403, eps[e].action, "dev1", who);
            }
        }
    }
    for (int o = 0; o < 4; o++) {
        free(tok[o]);
    }
}

static void test_replay(void **state) {
    (void)state;
    char *tok = gwt_login(&world, "dev1", GWT_OFFICER, GWT_PIN);
    char body[512];
    snprintf(body, sizeof(body), consent_refused_fmt, "DEV1-20261124-0001");
    gwt_req req = {.method = "POST",
                   .path = "/v1/identify",
                   .device = "dev1",
                   .token = tok,
                   .content_type = "application/json",
                   .body = body,
                   .len = strlen(body)};
    gwt_response r = expect(&req, 200, "identify", "dev1", NULL);
    assert_non_null(strstr(r.body, "\"outcome\":\"not-searched\""));
    gwt_response_free(&r);
    expect_free(&req, 409, "identify", "dev1", "replay");
    /* The same TCN from another device is that device's own transaction. */
    char *tok2 = gwt_login(&world, "dev2", GWT_OFFICER, GWT_PIN);
    req.device = "dev2";
    req.token = tok2;
    expect_free(&req, 200, "identify", "dev2", NULL);
    free(tok);
    free(tok2);
}

static void test_revocation_immediate(void **state) {
    (void)state;
    /* A device enrolled now, logged in, then revoked over the API by an
     * administrator: its next request is refused. */
    const char *enrol[] = {"device", "enrol", "dev4", "--data", world.dir, NULL};
    tu_run t = tu_run_tool(enrol);
    assert_int_equal(t.rc, 0);
    tu_run_free(&t);
    char *tok = gwt_login(&world, "dev4", GWT_SUPERVISOR, GWT_PIN);
    char *admin = gwt_login(&world, "dev1", GWT_ADMIN, GWT_PIN);
    gwt_req rv = {
        .method = "POST", .path = "/v1/devices/dev4/revoke", .device = "dev1", .token = admin};
    expect_free(&rv, 200, "revoke-device", "dev1", "\"target_device\":\"dev4\"");
    gwt_req use = {.method = "GET", .path = "/v1/devices", .device = "dev4", .token = tok};
    expect_free(&use, 401, "list-devices", "dev4", "revoked");
    free(tok);
    free(admin);
}

static void test_audit_verify_endpoint(void **state) {
    (void)state;
    char *tok = gwt_login(&world, "dev2", GWT_AUDITOR, GWT_PIN);
    gwt_req req = {.method = "GET", .path = "/v1/audit/verify", .device = "dev2", .token = tok};
    gwt_response r = expect(&req, 200, "audit-verify", "dev2", NULL);
    assert_non_null(strstr(r.body, "\"problems\":0"));
    assert_non_null(strstr(r.body, "\"valid\":true"));
    gwt_response_free(&r);
    free(tok);
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

static void test_expired_token(void **state) {
    (void)state;
    static const char *const short_tokens[] = {"--rate", "1000", "--token-seconds", "1", NULL};
    restart(short_tokens);
    char *tok = gwt_login(&world, "dev1", GWT_SUPERVISOR, GWT_PIN);
    sleep_ms(2100);
    gwt_req req = {.method = "GET", .path = "/v1/devices", .device = "dev1", .token = tok};
    expect_free(&req, 401, "list-devices", "dev1", "expired");
    free(tok);
}

static void test_rate_limits(void **state) {
    (void)state;
    static const char *const slow[] = {"--rate", "3", NULL};
    restart(slow);
    /* Per device: 3 requests a minute from dev2, the 4th refused. */
    gwt_req req = login_req("dev2", "{\"collar\":\"" GWT_OFFICER "\",\"pin\":\"000000\"}");
    for (int i = 0; i < 3; i++) {
        expect_free(&req, 401, "login", "dev2", NULL);
    }
    expect_free(&req, 429, "login", "dev2", "device dev2");
    /* Per officer: the officer's bucket was spent by those attempts, whichever
     * device asks next. */
    gwt_req other = login_req("dev1", "{\"collar\":\"" GWT_OFFICER "\",\"pin\":\"000000\"}");
    expect_free(&other, 429, "login", "dev1", "officer " GWT_OFFICER);
    restart(fast);
}

/* The log has one JSON line per request and never a token or PIN. */
static void test_log_clean(void **state) {
    (void)state;
    char *log = tu_slurp(world.log);
    assert_non_null(strstr(log, "\"endpoint\":\"login\""));
    assert_null(strstr(log, GWT_PIN));
    assert_null(strstr(log, "Bearer"));
    assert_null(strstr(log, "\"token\""));
    free(log);
    char path[700];
    snprintf(path, sizeof(path), "%s/audit.log", world.dir);
    char *audit = tu_slurp(path);
    assert_null(strstr(audit, GWT_PIN));
    assert_null(strstr(audit, "\"token\""));
    free(audit);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_endpoints),
        cmocka_unit_test(test_no_certificate),
        cmocka_unit_test(test_revoked_certificate),
        cmocka_unit_test(test_unknown_ca),
        cmocka_unit_test(test_tls12_refused),
        cmocka_unit_test(test_login),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_officer_changes_immediate),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_replay),
        cmocka_unit_test(test_revocation_immediate),
        cmocka_unit_test(test_audit_verify_endpoint),
        cmocka_unit_test(test_expired_token),
        cmocka_unit_test(test_rate_limits),
        cmocka_unit_test(test_log_clean),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
