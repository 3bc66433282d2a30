/*
 * Helpers for tests that run the gateway (`mid serve`) as a child process and
 * talk to it over real TLS 1.3 on loopback with libcurl.
 *
 * A test world (gwt_init) is a fresh data directory under the test's scratch
 * directory holding:
 *   - the force CA (`mid ca init`) and the gateway's server certificate;
 *   - devices "dev1" and "dev2" (valid) and "dev3" (enrolled, then revoked);
 *   - officers (PIN GWT_PIN for all): GWT_OFFICER (officer), GWT_SUPERVISOR
 *     (supervisor), GWT_AUDITOR (auditor), GWT_ADMIN (administrator);
 *   - a second, unknown CA in DIR/rogue/ with a client certificate "rogue" that
 *     the gateway must refuse (its files: gwt_rogue_cert / gwt_rogue_key).
 * Galleries are empty; a test that needs prints or records loads them into
 * t->store_uri (or DIR) before gwt_start().
 *
 * Every helper fails the running cmocka test on error; the audit helpers use
 * tu_ctx (register tu_ctx_setup/teardown as group fixtures). Officer PINs use the
 * cheapest Argon2id parameters `mid officer add` accepts for tests
 * (--argon2-test) so that a world is made in well under a second.
 */
#ifndef MID_GWTEST_H
#define MID_GWTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define GWT_PIN "246810"
#define GWT_OFFICER "1001"
#define GWT_SUPERVISOR "2001"
#define GWT_AUDITOR "3001"
#define GWT_ADMIN "4001"

typedef struct gw_test {
    char dir[512]; /* the data directory */
    char url[64];  /* "https://127.0.0.1:PORT" once started */
    unsigned port; /* 0 until started */
    pid_t pid;     /* the `mid serve` child, 0 when not running */
    char log[600]; /* the gateway's --log file (DIR/../gateway-N.log) */
    char stderr_path[600];
} gw_test;

/* Creates the world described above in a new directory. */
void gwt_init(gw_test *t);
/* Starts `mid serve --data DIR --listen 127.0.0.1:PORT --log LOG extra...` on a
 * free port (extra: NULL-terminated, may be NULL) and waits (up to 30 s) until
 * GET /healthz answers 200. */
void gwt_start(gw_test *t, const char *const *extra);
/* SIGTERM, then waits for the child; asserts it exited with status 0. */
void gwt_stop(gw_test *t);
/* SIGKILL and wait (durability tests). */
void gwt_kill(gw_test *t);

/* Paths of a device's credentials: DIR/devices/<id>.pem and <id>-key.pem, or the
 * rogue CA's client for id "rogue". Per-thread static buffers, overwritten by the next call. */
const char *gwt_cert(const gw_test *t, const char *device);
const char *gwt_key(const gw_test *t, const char *device);
const char *gwt_ca(const gw_test *t); /* DIR/pki/ca.pem */

/* One HTTP exchange. */
typedef struct gwt_response {
    long status; /* HTTP status, 0 when no answer (TLS refused, connection reset) */
    char *body;  /* NUL-terminated, free with gwt_response_free */
    size_t len;
    char content_type[128];
    int curl_code; /* CURLcode of the transfer */
} gwt_response;

typedef struct gwt_req {
    const char *method;       /* "GET", "POST", "DELETE" */
    const char *path;         /* "/v1/identify" */
    const char *device;       /* client certificate to present (NULL: none) */
    const char *token;        /* bearer token (NULL: none) */
    const char *content_type; /* NULL: none */
    const char *accept;       /* NULL: none */
    const void *body;         /* NULL: none */
    size_t len;
    bool tls12_only; /* offer TLS 1.2 at most (must be refused) */
} gwt_req;

gwt_response gwt_request(const gw_test *t, const gwt_req *req);
void gwt_response_free(gwt_response *r);
/* Shorthand for a JSON request. */
gwt_response gwt_json(const gw_test *t, const char *method, const char *path, const char *device,
                      const char *token, const char *json);

/* Logs in through `device`; returns the token (free()), failing the test unless
 * the answer is 200. */
char *gwt_login(const gw_test *t, const char *device, const char *collar, const char *pin);

/* The number of entries in DIR/audit.log now. */
uint64_t gwt_audit_count(const gw_test *t);
/* True when an audit entry with seq > after_seq has every one of the given
 * `"key":value` fragments (NULL-terminated), e.g. "\"status\":401",
 * "\"action\":\"login\"". The entry's JSON is returned in *entry when found and
 * entry is not NULL (free()). */
bool gwt_audit_find(const gw_test *t, uint64_t after_seq, const char *const *fragments,
                    char **entry);

/* Removes the world's directory (after gwt_stop). */
void gwt_cleanup(gw_test *t);

#endif
