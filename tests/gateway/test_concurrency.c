/*
 * Four concurrent clients against one gateway: logins, identifications (hit,
 * no hit, IABS), refusals, /healthz and /metrics at the same time. Every answer
 * must be right and the gateway must stop cleanly. In a ThreadSanitizer build
 * (`ctest -L tsan`, scripts/tsan-gateway.sh) the gateway runs instrumented and
 * any race report fails the test (gwt_stop checks its exit status and stderr).
 */
#include "support/gwtest.h"
#include "support/gwworld.h"
#include "support/testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define CLIENTS 4u
#define ROUNDS 3u

static gw_test world;
static gww_probe probes[3]; /* IDENT1 hit, IABS hit, not enrolled */
static const uint64_t probe_person[3] = {5, 33, 9000};

typedef struct client {
    unsigned index;
    char *token;    /* logged in by the main thread (cmocka asserts only there) */
    unsigned wrong; /* answers that were not what they should be */
    char first[300];
} client;

static void wrong(client *c, const char *what, long status, const char *body) {
    if (c->wrong++ == 0) {
        snprintf(c->first, sizeof(c->first), "%s: HTTP %ld: %.200s", what, status,
                 body ? body : "");
    }
}

static void *client_main(void *arg) {
    client *c = arg;
    const char *device = c->index % 2 ? "dev2" : "dev1";
    const char *token = c->token;
    for (unsigned round = 0; round < ROUNDS; round++) {
        for (unsigned k = 0; k < 3; k++) {
            char tcn[48];
            snprintf(tcn, sizeof(tcn), "CONC%u-%u-%u", c->index, round, k);
            char *body = gww_request_json(tcn, "IDENT1,IABS", &probes[k]);
            gwt_response r = gwt_json(&world, "POST", "/v1/identify", device, token, body);
            const char *expect = k == 2 ? "\"grade\":\"green\"" : "\"grade\":\"red\"";
            if (r.status != 200 || strstr(r.body, expect) == NULL) {
                wrong(c, "identify", r.status, r.body);
            }
            gwt_response_free(&r);
            /* The same TCN again from the same device: a replay. */
            if (k == 0) {
                r = gwt_json(&world, "POST", "/v1/identify", device, token, body);
                if (r.status != 409) {
                    wrong(c, "replay", r.status, r.body);
                }
                gwt_response_free(&r);
            }
            free(body);
        }
        gwt_response r = gwt_json(&world, "POST", "/v1/identify", device, token, "{\"tcn\":");
        if (r.status != 400) {
            wrong(c, "malformed", r.status, r.body);
        }
        gwt_response_free(&r);
        gwt_req health = {.method = "GET", .path = "/healthz"};
        r = gwt_request(&world, &health);
        if (r.status != 200) {
            wrong(c, "healthz", r.status, r.body);
        }
        gwt_response_free(&r);
        gwt_req metrics = {.method = "GET", .path = "/metrics"};
        r = gwt_request(&world, &metrics);
        if (r.status != 200) {
            wrong(c, "metrics", r.status, r.body);
        }
        gwt_response_free(&r);
    }
    return NULL;
}

static void test_concurrent_clients(void **state) {
    (void)state;
    gwt_init(&world);
    static const uint64_t rendered[] = {5, 33};
    static const uint64_t iabs_also[] = {33};
    gww_config cfg = {60, 50, rendered, 2, iabs_also, 1};
    char uri[600];
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    gww_build(uri, &cfg);
    for (size_t i = 0; i < 3; i++) {
        gww_probe_make(probe_person[i], 2, MID_CONDITION_NORMAL, &probes[i]);
    }
    static const char *const extra[] = {"--rate", "100000", NULL};
    gwt_start(&world, extra);
    pthread_t th[CLIENTS];
    client cl[CLIENTS];
    memset(cl, 0, sizeof(cl));
    for (unsigned i = 0; i < CLIENTS; i++) {
        cl[i].index = i;
        cl[i].token = gwt_login(&world, i % 2 ? "dev2" : "dev1",
                                i % 2 ? GWT_SUPERVISOR : GWT_OFFICER, GWT_PIN);
    }
    for (unsigned i = 0; i < CLIENTS; i++) {
        assert_int_equal(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);
    }
    for (unsigned i = 0; i < CLIENTS; i++) {
        pthread_join(th[i], NULL);
    }
    gwt_stop(&world); /* fails on a sanitizer report or an unclean exit */
    for (unsigned i = 0; i < CLIENTS; i++) {
        if (cl[i].wrong != 0) {
            fail_msg("client %u: %u wrong answers, first: %s", i, cl[i].wrong, cl[i].first);
        }
        free(cl[i].token);
    }
    for (size_t i = 0; i < 3; i++) {
        gww_probe_free(&probes[i]);
    }
    gwt_cleanup(&world);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_concurrent_clients),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
