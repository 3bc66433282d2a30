/*
 * The gateway's HTTPS front end: libmicrohttpd over GnuTLS (TLS 1.3 only), one
 * thread per connection (identification requests block for up to the search
 * budget, so a pool of polling threads would stall other devices behind them).
 *
 * Every request goes through handle_request():
 *   route -> device certificate -> device rate limit -> token -> officer rate
 *   limit -> role -> handler -> audit (fdatasync'ed) -> log, metrics -> answer.
 * A refusal at any step is audited like an answer. If the audit append fails the
 * answer becomes 503: nothing is answered that is not on disk.
 *
 * Nothing personal reaches the log (ids, collar, status, latency only); tokens
 * never leave the token table (which holds only their hashes); request bodies
 * are wiped when the request ends.
 */
#define _DEFAULT_SOURCE /* strcasecmp, strncasecmp */
#include "auth.h"
#include "gateway.h"

#include "mid/json.h"

#include <arpa/inet.h>
#include <errno.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

/* ---- The endpoint table: which roles may call what ------------------------------ */

typedef enum auth_level {
    AUTH_NONE,   /* no client certificate needed */
    AUTH_DEVICE, /* a valid, enrolled, unrevoked device certificate */
    AUTH_TOKEN   /* device certificate and a token issued to that device */
} auth_level;

typedef enum route_id {
    R_HEALTHZ,
    R_METRICS,
    R_LOGIN,
    R_IDENTIFY,
    R_AUDIT_VERIFY,
    R_DEVICES,
    R_DEVICE_REVOKE,
    R_PERSON_DELETE,
    R_UNKNOWN, /* 404 / 405 */
    R_COUNT
} route_id;

typedef struct route {
    const char *method;
    const char *path; /* "{id}" matches one path segment */
    auth_level auth;
    unsigned roles; /* mid_role bits allowed (AUTH_TOKEN only) */
    const char *action;
    const char *name; /* metrics label */
} route;

#define ANY_OFFICER (MID_ROLE_OFFICER | MID_ROLE_SUPERVISOR | MID_ROLE_AUDITOR | MID_ROLE_ADMIN)

/* The authorisation policy, in one place (docs/openapi.yaml repeats it). */
static const route routes[R_COUNT] = {
    [R_HEALTHZ] = {"GET", "/healthz", AUTH_NONE, 0, "health", "healthz"},
    [R_METRICS] = {"GET", "/metrics", AUTH_NONE, 0, "metrics", "metrics"},
    [R_LOGIN] = {"POST", "/v1/login", AUTH_DEVICE, ANY_OFFICER, "login", "login"},
    [R_IDENTIFY] = {"POST", "/v1/identify", AUTH_TOKEN, MID_ROLE_OFFICER | MID_ROLE_SUPERVISOR,
                    "identify", "identify"},
    [R_AUDIT_VERIFY] = {"GET", "/v1/audit/verify", AUTH_TOKEN, MID_ROLE_AUDITOR, "audit-verify",
                        "audit_verify"},
    [R_DEVICES] = {"GET", "/v1/devices", AUTH_TOKEN, MID_ROLE_SUPERVISOR | MID_ROLE_ADMIN,
                   "list-devices", "devices"},
    [R_DEVICE_REVOKE] = {"POST", "/v1/devices/{id}/revoke", AUTH_TOKEN, MID_ROLE_ADMIN,
                         "revoke-device", "device_revoke"},
    [R_PERSON_DELETE] = {"DELETE", "/v1/persons/{id}", AUTH_TOKEN, MID_ROLE_ADMIN, "delete-person",
                         "person_delete"},
    [R_UNKNOWN] = {NULL, NULL, AUTH_NONE, 0, "unknown", "other"},
};

/* Matches path against pattern; the "{id}" segment (1..63 chars) goes to id. */
static bool path_match(const char *pattern, const char *path, char id[64]) {
    const char *brace = strstr(pattern, "{id}");
    if (brace == NULL) {
        return strcmp(pattern, path) == 0;
    }
    size_t pre = (size_t)(brace - pattern);
    if (strncmp(pattern, path, pre) != 0) {
        return false;
    }
    const char *seg = path + pre;
    size_t n = strcspn(seg, "/");
    if (n == 0 || n >= 64 || strcmp(seg + n, brace + 4) != 0) {
        return false;
    }
    memcpy(id, seg, n);
    id[n] = '\0';
    return true;
}

/* ---- Metrics --------------------------------------------------------------------- */

static const double latency_bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1,  0.25,
                                        0.5,   1.0,  2.5,   5.0,  10.0, 30.0};
#define N_BOUNDS (sizeof(latency_bounds) / sizeof(latency_bounds[0]))

typedef struct metrics {
    pthread_mutex_t lock;
    uint64_t requests[R_COUNT][600];
    uint64_t identify[MID_DB_COUNT][3];
    uint64_t latency_bucket[R_COUNT][N_BOUNDS + 1];
    double latency_sum[R_COUNT];
    uint64_t latency_count[R_COUNT];
    uint64_t audit_failures;
} metrics;

/* ---- The server ------------------------------------------------------------------- */

struct gw_server {
    gw_server_config cfg;
    char audit_path[4200];
    mid_store *store;
    mid_audit *audit;
    pthread_mutex_t audit_lock; /* appends and /v1/audit/verify read a whole line each */
    gw_router *router;
    gw_tokens *tokens;
    gw_tcns *tcns;
    gw_rate *rate_device, *rate_officer;
    char *key_pem, *cert_pem, *ca_pem;
    size_t key_len;
    gnutls_x509_trust_list_t ca_tl; /* the CA alone, for verifying devices */
    struct MHD_Daemon *daemon;
    unsigned port;
    FILE *log;
    bool own_log;
    pthread_mutex_t log_lock;
    char boot[9]; /* random prefix of this run's transaction ids */
    atomic_uint_fast64_t next_tx;
    metrics m;
};

mid_store *gw_server_store(gw_server *s) {
    return s->store;
}

bool gw_server_claim_tcn(gw_server *s, const char *device, const char *tcn) {
    return gw_tcns_claim(s->tcns, device, tcn, (int64_t)time(NULL));
}

unsigned gw_server_port(const gw_server *s) {
    return s->port;
}

/* ---- Per-request state ---------------------------------------------------------------- */

typedef struct request {
    uint8_t *body;
    size_t len, cap;
    bool too_large;
    bool done; /* answered */
    struct timespec start;
} request;

static void request_free(request *rq) {
    if (rq != NULL) {
        if (rq->body != NULL) {
            mid_wipe(rq->body, rq->cap); /* probe images never outlive their request */
            free(rq->body);
        }
        free(rq);
    }
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls;
    (void)c;
    (void)toe;
    request_free(*con_cls);
    *con_cls = NULL;
}

static double seconds_since(const struct timespec *t0) {
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

static void utc_now(char out[24]) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, 24, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

char *gw_json_finish(mid_json_writer *w, size_t *len) {
    char *text = NULL;
    size_t n = 0;
    if (mid_json_writer_finish(w, &text, &n) != MID_OK) {
        return NULL;
    }
    char *copy = malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, text, n + 1);
        *len = n;
    }
    mid_wipe(text, n);
    mid_free(text);
    return copy;
}

/* A reply with a JSON error body {"error":code,"message":message}. */
static void reply_error(gw_reply *r, unsigned status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void reply_error(gw_reply *r, unsigned status, const char *code, const char *fmt, ...) {
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    free(r->body);
    r->body = NULL;
    r->len = 0;
    r->status = status;
    r->content_type = "application/json";
    r->outcome = status >= 500 ? "failed" : "refused";
    snprintf(r->detail, sizeof(r->detail), "%s", msg);
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(NULL, &w) != MID_OK) {
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "error");
    mid_json_string_value(w, code);
    mid_json_key(w, "message");
    mid_json_string_value(w, msg);
    mid_json_end_object(w);
    size_t len = 0;
    r->body = gw_json_finish(w, &len);
    r->len = r->body != NULL ? len : 0;
    mid_json_writer_free(w);
}

/* Takes the writer's text as the reply body (200 unless status says otherwise). */
static void reply_json(gw_reply *r, unsigned status, mid_json_writer *w) {
    size_t len = 0;
    char *body = gw_json_finish(w, &len);
    mid_json_writer_free(w);
    if (body == NULL) {
        reply_error(r, 500, "internal", "The answer could not be composed.");
        return;
    }
    r->body = body;
    r->len = len;
    r->status = status;
    r->content_type = "application/json";
    r->outcome = "answered";
}

static void writer_or_fail(gw_reply *r, mid_json_writer **w) {
    if (mid_json_writer_create(NULL, w) != MID_OK) {
        *w = NULL;
        reply_error(r, 500, "internal", "Out of memory.");
    }
}

/* Sets the handler's audit member from a writer (ignored on failure). */
static void set_audit_json(gw_reply *r, mid_json_writer *w) {
    size_t len = 0;
    r->audit_json = gw_json_finish(w, &len);
    mid_json_writer_free(w);
}

/* ---- Device certificates -------------------------------------------------------------- */

/* Checks the peer's certificate chain against the force CA and looks the device
 * up in the store (every request: revocation is effective at once). Returns 0
 * when the caller is a valid device (who->device set), else the refusal. */
static unsigned check_device(gw_server *s, mid_ctx *ctx, struct MHD_Connection *c, gw_caller *who,
                             gw_reply *r) {
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    if (ci == NULL || ci->tls_session == NULL) {
        reply_error(r, 401, "unauthenticated", "No TLS session.");
        return 401;
    }
    gnutls_session_t session = (gnutls_session_t)ci->tls_session;
    unsigned n = 0;
    const gnutls_datum_t *chain = gnutls_certificate_get_peers(session, &n);
    if (chain == NULL || n == 0) {
        reply_error(r, 401, "unauthenticated", "A device certificate is required.");
        return 401;
    }
    /* Verify against the CA alone (the server's own trust list is the same CA;
     * verifying here keeps the decision in one place with the time checks). */
    gnutls_x509_crt_t *crts = NULL;
    unsigned n_crts = 0;
    unsigned verify = 0;
    int rc = gnutls_x509_crt_list_import2(&crts, &n_crts, chain, GNUTLS_X509_FMT_DER, 0);
    if (rc >= 0) {
        gnutls_typed_vdata_st purpose = {GNUTLS_DT_KEY_PURPOSE_OID,
                                         (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
        rc = gnutls_x509_trust_list_verify_crt2(s->ca_tl, crts, n_crts, &purpose, 1, 0, &verify,
                                                NULL);
        for (unsigned i = 0; i < n_crts; i++) {
            gnutls_x509_crt_deinit(crts[i]);
        }
        gnutls_free(crts);
    }
    if (rc < 0 || verify != 0) {
        const char *why = "The device certificate was not issued by the force CA.";
        if (verify & GNUTLS_CERT_EXPIRED) {
            why = "The device certificate has expired.";
        } else if (verify & GNUTLS_CERT_NOT_ACTIVATED) {
            why = "The device certificate is not valid yet.";
        } else if (verify & GNUTLS_CERT_PURPOSE_MISMATCH) {
            why = "The certificate is not a device (client) certificate.";
        }
        reply_error(r, 401, "unauthenticated", "%s", why);
        return 401;
    }
    uint8_t h[MID_SHA256_SIZE];
    char hex[MID_CERT_HASH_SIZE];
    mid_sha256(chain[0].data, chain[0].size, h);
    mid_hex(h, sizeof(h), hex);
    mid_device dev;
    memset(&dev, 0, sizeof(dev));
    mid_status st = mid_store_device_by_cert(s->store, ctx, hex, &dev);
    if (st == MID_ERR_NOT_FOUND) {
        reply_error(r, 401, "unauthenticated", "The device is not enrolled.");
        return 401;
    }
    if (st != MID_OK) {
        reply_error(r, 503, "unavailable", "The device register is unavailable.");
        return 503;
    }
    if (dev.revoked_at != 0) {
        snprintf(who->device, sizeof(who->device), "%s", dev.id);
        reply_error(r, 401, "revoked", "The device has been revoked.");
        return 401;
    }
    snprintf(who->device, sizeof(who->device), "%s", dev.id);
    return 0;
}

/* ---- Handlers ------------------------------------------------------------------------------ */

static void handle_healthz(gw_server *s, gw_reply *r) {
    mid_json_writer *w;
    writer_or_fail(r, &w);
    if (w == NULL) {
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "status");
    mid_json_string_value(w, "ok");
    mid_json_key(w, "galleries");
    mid_json_begin_object(w);
    for (int db = 0; db < MID_DB_COUNT; db++) {
        mid_json_key(w, mid_db_name((mid_db)db));
        mid_json_int(w, (int64_t)gw_router_persons(s->router, (mid_db)db));
    }
    mid_json_end_object(w);
    mid_json_end_object(w);
    reply_json(r, 200, w);
}

/* Appends printf output to a growing buffer; false on allocation failure. */
typedef struct textbuf {
    char *p;
    size_t len, cap;
    bool bad;
} textbuf;

static void tb_printf(textbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tb_printf(textbuf *b, const char *fmt, ...) {
    if (b->bad) {
        return;
    }
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p == NULL ? NULL : b->p + b->len, b->p == NULL ? 0 : b->cap - b->len,
                          fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->bad = true;
            return;
        }
        if (b->p != NULL && b->len + (size_t)n < b->cap) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = (b->cap + (size_t)n + 1) * 2;
        char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->bad = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

static void handle_metrics(gw_server *s, gw_reply *r) {
    textbuf b = {0};
    uint64_t seq = 0;
    char head[MID_AUDIT_HEX_SIZE];
    mid_audit_head(s->audit, &seq, head);
    pthread_mutex_lock(&s->m.lock);
    tb_printf(&b, "# HELP mid_requests_total Requests answered, by endpoint and HTTP status.\n"
                  "# TYPE mid_requests_total counter\n");
    for (int e = 0; e < R_COUNT; e++) {
        for (int st = 100; st < 600; st++) {
            if (s->m.requests[e][st] != 0) {
                tb_printf(&b, "mid_requests_total{endpoint=\"%s\",status=\"%d\"} %" PRIu64 "\n",
                          routes[e].name, st, s->m.requests[e][st]);
            }
        }
    }
    tb_printf(&b, "# HELP mid_identify_total Galleries searched, by database and grade.\n"
                  "# TYPE mid_identify_total counter\n");
    for (int db = 0; db < MID_DB_COUNT; db++) {
        for (int g = 0; g < 3; g++) {
            tb_printf(&b, "mid_identify_total{database=\"%s\",grade=\"%s\"} %" PRIu64 "\n",
                      mid_db_name((mid_db)db), mid_grade_name((mid_grade)g), s->m.identify[db][g]);
        }
    }
    tb_printf(&b,
              "# HELP mid_audit_entries Entries in the audit log.\n"
              "# TYPE mid_audit_entries gauge\nmid_audit_entries %" PRIu64 "\n"
              "# HELP mid_audit_head_info The audit log's head (compare with a copy kept "
              "elsewhere).\n# TYPE mid_audit_head_info gauge\n"
              "mid_audit_head_info{seq=\"%" PRIu64 "\",hash=\"%s\"} 1\n"
              "# HELP mid_audit_failures_total Requests answered 503 because the audit append "
              "failed.\n# TYPE mid_audit_failures_total counter\nmid_audit_failures_total %" PRIu64
              "\n",
              seq, seq, head, s->m.audit_failures);
    tb_printf(&b, "# HELP mid_request_duration_seconds Time from request to answer.\n"
                  "# TYPE mid_request_duration_seconds histogram\n");
    for (int e = 0; e < R_COUNT; e++) {
        if (s->m.latency_count[e] == 0) {
            continue;
        }
        uint64_t cum = 0;
        for (size_t i = 0; i <= N_BOUNDS; i++) {
            cum += s->m.latency_bucket[e][i];
            if (i < N_BOUNDS) {
                tb_printf(&b,
                          "mid_request_duration_seconds_bucket{endpoint=\"%s\",le=\"%g\"} %" PRIu64
                          "\n",
                          routes[e].name, latency_bounds[i], cum);
            } else {
                tb_printf(&b,
                          "mid_request_duration_seconds_bucket{endpoint=\"%s\",le=\"+Inf\"} "
                          "%" PRIu64 "\n",
                          routes[e].name, cum);
            }
        }
        tb_printf(&b,
                  "mid_request_duration_seconds_sum{endpoint=\"%s\"} %.6f\n"
                  "mid_request_duration_seconds_count{endpoint=\"%s\"} %" PRIu64 "\n",
                  routes[e].name, s->m.latency_sum[e], routes[e].name, s->m.latency_count[e]);
    }
    pthread_mutex_unlock(&s->m.lock);
    if (b.bad) {
        free(b.p);
        reply_error(r, 500, "internal", "Out of memory.");
        return;
    }
    r->status = 200;
    r->content_type = "text/plain; version=0.0.4";
    r->body = b.p;
    r->len = b.len;
    r->outcome = "answered";
}

/* A dummy PHC string: unknown collars cost one Argon2id verification as well, so
 * that answer times do not tell which collars exist. */
static const char dummy_phc[] = "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHRzb21lc2FsdA$"
                                "RdescudvJCsgt3ub+b+dWRWJTmaaJObG5F0pTxKBr6k";

/* Sets who->officer (the collar tried, for the audit) and, on success, who->roles. */
static void handle_login(gw_server *s, mid_ctx *ctx, gw_caller *who, const request *rq,
                         gw_reply *r) {
    mid_json *doc = NULL;
    if (rq->len == 0 || mid_json_parse(ctx, (const char *)rq->body, rq->len, &doc) != MID_OK) {
        reply_error(r, 400, "malformed", "The body must be a JSON object with collar and pin.");
        return;
    }
    const mid_json_value *root = mid_json_root(doc);
    const char *collar = mid_json_get_string(root, "collar");
    const char *pin = mid_json_get_string(root, "pin");
    if (mid_json_type_of(root) != MID_JSON_OBJECT || collar == NULL || pin == NULL) {
        mid_json_free(doc);
        reply_error(r, 422, "invalid-request", "Both collar and pin are required strings.");
        return;
    }
    if (!gw_collar_valid(collar)) {
        mid_json_free(doc);
        reply_error(r, 422, "invalid-request", "collar must be 1..%u of [A-Za-z0-9-].",
                    MID_COLLAR_SIZE - 1);
        return;
    }
    snprintf(who->officer, sizeof(who->officer), "%s", collar);
    /* Login attempts count against the collar's bucket too (PIN guessing). */
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if (!gw_rate_take(s->rate_officer, collar, (double)now.tv_sec + now.tv_nsec / 1e9)) {
        mid_json_free(doc);
        reply_error(r, 429, "rate-limited", "Too many requests for officer %s; try again later.",
                    who->officer);
        return;
    }
    mid_officer o;
    memset(&o, 0, sizeof(o));
    mid_status st = mid_store_officer_get(s->store, ctx, collar, &o);
    if (st != MID_OK && st != MID_ERR_NOT_FOUND) {
        mid_json_free(doc);
        reply_error(r, 503, "unavailable", "The officer register is unavailable.");
        return;
    }
    bool known = st == MID_OK;
    bool pin_ok = gw_pin_verify(known ? o.pin_hash : dummy_phc, pin) && known;
    mid_json_free(doc);
    if (!pin_ok || o.disabled) {
        /* "disabled" only to the holder of the right PIN: otherwise the answer
         * would tell anyone which collars exist. */
        bool disabled = pin_ok && o.disabled;
        mid_wipe(&o, sizeof(o));
        reply_error(r, 401, "unauthenticated",
                    disabled ? "The officer account is disabled."
                             : "The collar number or PIN is wrong.");
        return;
    }
    gw_token_info info;
    memset(&info, 0, sizeof(info));
    snprintf(info.device, sizeof(info.device), "%s", who->device);
    snprintf(info.officer, sizeof(info.officer), "%s", who->officer); /* doc is freed */
    info.roles = o.roles;
    who->roles = o.roles;
    unsigned ttl = s->cfg.token_seconds;
    info.expires = (int64_t)time(NULL) + ttl;
    mid_wipe(&o, sizeof(o));
    char token[GW_TOKEN_CHARS + 1];
    if (gw_tokens_issue(s->tokens, &info, token) != MID_OK) {
        reply_error(r, 500, "internal", "No token could be issued.");
        return;
    }
    mid_json_writer *w;
    writer_or_fail(r, &w);
    if (w == NULL) {
        mid_wipe(token, sizeof(token));
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "token");
    mid_json_string_value(w, token);
    mid_json_key(w, "expires_in");
    mid_json_int(w, ttl);
    mid_json_key(w, "roles");
    mid_json_begin_array(w);
    for (unsigned b = 0; b < 4; b++) {
        if (info.roles & (1u << b)) {
            mid_json_string_value(w, mid_role_name((mid_role)(1u << b)));
        }
    }
    mid_json_end_array(w);
    mid_json_end_object(w);
    mid_wipe(token, sizeof(token));
    reply_json(r, 200, w);
}

typedef struct verify_state {
    mid_json_writer *w;
    uint64_t listed;
} verify_state;

#define MAX_LISTED_PROBLEMS 100u

static void on_problem(void *user, uint64_t line, uint64_t seq, const char *what) {
    verify_state *v = user;
    if (v->listed++ >= MAX_LISTED_PROBLEMS) {
        return;
    }
    mid_json_begin_object(v->w);
    mid_json_key(v->w, "line");
    mid_json_int(v->w, (int64_t)line);
    mid_json_key(v->w, "seq");
    mid_json_int(v->w, (int64_t)seq);
    mid_json_key(v->w, "problem");
    mid_json_string_value(v->w, what);
    mid_json_end_object(v->w);
}

static void handle_audit_verify(gw_server *s, mid_ctx *ctx, gw_reply *r) {
    verify_state v = {0};
    writer_or_fail(r, &v.w);
    if (v.w == NULL) {
        return;
    }
    mid_json_begin_object(v.w);
    mid_json_key(v.w, "problem_list");
    mid_json_begin_array(v.w);
    mid_audit_summary sum;
    memset(&sum, 0, sizeof(sum));
    pthread_mutex_lock(&s->audit_lock);
    mid_status st = mid_audit_verify(ctx, s->audit_path, NULL, on_problem, &v, &sum);
    pthread_mutex_unlock(&s->audit_lock);
    if (st != MID_OK) {
        mid_json_writer_free(v.w);
        reply_error(r, 503, "unavailable", "The audit log could not be read.");
        return;
    }
    mid_json_end_array(v.w);
    mid_json_key(v.w, "entries");
    mid_json_int(v.w, (int64_t)sum.entries);
    mid_json_key(v.w, "problems");
    mid_json_int(v.w, (int64_t)sum.problems);
    mid_json_key(v.w, "last_seq");
    mid_json_int(v.w, (int64_t)sum.last_seq);
    mid_json_key(v.w, "head");
    mid_json_string_value(v.w, sum.head);
    mid_json_key(v.w, "valid");
    mid_json_bool_value(v.w, sum.problems == 0);
    mid_json_end_object(v.w);
    reply_json(r, 200, v.w);
}

/* Certificates are issued for one year (pki.c): the fleet list flags devices
 * whose certificate is past or near that. */
#define DEVICE_CERT_SECONDS (366 * 24 * 3600)
#define RENEW_WARNING_SECONDS (30 * 24 * 3600)

static mid_status list_device(void *user, const mid_device *d) {
    mid_json_writer *w = user;
    int64_t now = (int64_t)time(NULL);
    int64_t expires = d->enrolled_at + DEVICE_CERT_SECONDS;
    mid_json_begin_object(w);
    mid_json_key(w, "id");
    mid_json_string_value(w, d->id);
    mid_json_key(w, "status");
    mid_json_string_value(w, d->revoked_at != 0 ? "revoked" : "valid");
    mid_json_key(w, "enrolled_at");
    mid_json_int(w, d->enrolled_at);
    mid_json_key(w, "revoked_at");
    if (d->revoked_at != 0) {
        mid_json_int(w, d->revoked_at);
    } else {
        mid_json_null(w);
    }
    mid_json_key(w, "cert_sha256");
    mid_json_string_value(w, d->cert_sha256);
    mid_json_key(w, "serial");
    mid_json_string_value(w, d->serial);
    mid_json_key(w, "checks");
    mid_json_begin_object(w);
    mid_json_key(w, "revoked");
    mid_json_bool_value(w, d->revoked_at != 0);
    mid_json_key(w, "certificate_expired");
    mid_json_bool_value(w, now >= expires);
    mid_json_key(w, "certificate_renew_soon");
    mid_json_bool_value(w, now < expires && expires - now < RENEW_WARNING_SECONDS);
    mid_json_end_object(w);
    mid_json_end_object(w);
    return MID_OK;
}

static void handle_devices(gw_server *s, mid_ctx *ctx, gw_reply *r) {
    mid_json_writer *w;
    writer_or_fail(r, &w);
    if (w == NULL) {
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "devices");
    mid_json_begin_array(w);
    mid_status st = mid_store_device_each(s->store, ctx, list_device, w);
    if (st != MID_OK) {
        mid_json_writer_free(w);
        reply_error(r, 503, "unavailable", "The device register is unavailable.");
        return;
    }
    mid_json_end_array(w);
    mid_json_end_object(w);
    reply_json(r, 200, w);
}

static void handle_revoke(gw_server *s, mid_ctx *ctx, const char *id, gw_reply *r) {
    mid_json_writer *a = NULL;
    if (mid_json_writer_create(NULL, &a) == MID_OK) {
        mid_json_begin_object(a);
        mid_json_key(a, "target_device");
        mid_json_string_value(a, id);
        mid_json_end_object(a);
        set_audit_json(r, a);
    }
    if (!gw_device_id_valid(id)) {
        reply_error(r, 404, "not-found", "No device has that id.");
        return;
    }
    int64_t now = (int64_t)time(NULL);
    mid_status st = mid_store_device_revoke(s->store, ctx, id, now);
    if (st == MID_ERR_NOT_FOUND) {
        reply_error(r, 404, "not-found", "No device has that id.");
        return;
    }
    if (st != MID_OK) {
        reply_error(r, 503, "unavailable", "The device register is unavailable.");
        return;
    }
    mid_json_writer *w;
    writer_or_fail(r, &w);
    if (w == NULL) {
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "device");
    mid_json_string_value(w, id);
    mid_json_key(w, "revoked_at");
    mid_json_int(w, now);
    mid_json_end_object(w);
    reply_json(r, 200, w);
}

static void handle_delete_person(gw_server *s, mid_ctx *ctx, const char *id, gw_reply *r) {
    uint64_t person = 0;
    bool ok = id[0] != '\0' && strlen(id) <= 19;
    for (const char *p = id; ok && *p != '\0'; p++) {
        ok = *p >= '0' && *p <= '9';
        person = person * 10u + (uint64_t)(*p - '0');
    }
    if (!ok) {
        reply_error(r, 404, "not-found", "A person id is a decimal number.");
        return;
    }
    mid_json_writer *a = NULL;
    if (mid_json_writer_create(NULL, &a) == MID_OK) {
        mid_json_begin_object(a);
        mid_json_key(a, "person");
        mid_json_int(a, (int64_t)person);
        mid_json_end_object(a);
        set_audit_json(r, a);
    }
    mid_status st = mid_store_person_delete(s->store, ctx, person);
    if (st == MID_ERR_NOT_FOUND) {
        reply_error(r, 404, "not-found", "No person has that id.");
        return;
    }
    if (st != MID_OK) {
        reply_error(r, 503, "unavailable", "The store is unavailable.");
        return;
    }
    mid_json_writer *w;
    writer_or_fail(r, &w);
    if (w == NULL) {
        return;
    }
    mid_json_begin_object(w);
    mid_json_key(w, "person");
    mid_json_int(w, (int64_t)person);
    mid_json_key(w, "deleted");
    mid_json_bool_value(w, true);
    mid_json_key(w, "note");
    mid_json_string_value(w, "Gallery prints stay searchable until the gateway restarts.");
    mid_json_end_object(w);
    reply_json(r, 200, w);
}

/* ---- Audit, log, metrics ---------------------------------------------------------------- */

/* Writes and appends the request's audit entry. Returns false when it could not be
 * appended (the caller answers 503). */
static bool audit_request(gw_server *s, mid_ctx *ctx, const char *txid, route_id rid,
                          const char *method, const gw_caller *who, const gw_reply *r,
                          uint64_t *seq, char head[MID_AUDIT_HEX_SIZE]) {
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(ctx, &w) != MID_OK) {
        return false;
    }
    char when[24];
    utc_now(when);
    mid_json_begin_object(w);
    mid_json_key(w, "time");
    mid_json_string_value(w, when);
    mid_json_key(w, "txid");
    mid_json_string_value(w, txid);
    mid_json_key(w, "action");
    mid_json_string_value(w, routes[rid].action);
    mid_json_key(w, "method");
    mid_json_string_value(w, method);
    mid_json_key(w, "device");
    mid_json_string_value(w, who->device);
    mid_json_key(w, "officer");
    mid_json_string_value(w, who->officer);
    mid_json_key(w, "roles");
    mid_json_begin_array(w);
    for (unsigned b = 0; b < 4; b++) {
        if (who->roles & (1u << b)) {
            mid_json_string_value(w, mid_role_name((mid_role)(1u << b)));
        }
    }
    mid_json_end_array(w);
    mid_json_key(w, "remote");
    mid_json_string_value(w, who->remote);
    mid_json_key(w, "status");
    mid_json_int(w, r->status);
    mid_json_key(w, "outcome");
    mid_json_string_value(w, r->outcome != NULL ? r->outcome : "failed");
    mid_json_key(w, "detail");
    mid_json_string_value(w, r->detail);
    if (r->audit_json != NULL) {
        mid_json_key(w, "request");
        mid_json_raw(w, r->audit_json, strlen(r->audit_json));
    }
    mid_json_end_object(w);
    char *text = NULL;
    size_t len = 0;
    mid_status st = mid_json_writer_finish(w, &text, &len);
    mid_json_writer_free(w);
    if (st != MID_OK) {
        return false;
    }
    pthread_mutex_lock(&s->audit_lock);
    st = mid_audit_append(s->audit, ctx, text, len, seq, head);
    pthread_mutex_unlock(&s->audit_lock);
    mid_free(text);
    return st == MID_OK;
}

static void log_request(gw_server *s, const char *txid, route_id rid, const char *method,
                        const gw_caller *who, unsigned status, double seconds) {
    char when[24];
    utc_now(when);
    /* Device ids and collars are [A-Za-z0-9._-] (checked): no escaping needed. */
    pthread_mutex_lock(&s->log_lock);
    fprintf(s->log,
            "{\"time\":\"%s\",\"txid\":\"%s\",\"endpoint\":\"%s\",\"method\":\"%s\","
            "\"status\":%u,\"device\":\"%s\",\"officer\":\"%s\",\"latency_ms\":%.1f}\n",
            when, txid, routes[rid].name,
            strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ||
                    strcmp(method, "DELETE") == 0
                ? method
                : "other",
            status, who->device, who->officer, seconds * 1000.0);
    fflush(s->log);
    pthread_mutex_unlock(&s->log_lock);
}

static void count_request(gw_server *s, route_id rid, const gw_reply *r, double seconds) {
    pthread_mutex_lock(&s->m.lock);
    if (r->status < 600) {
        s->m.requests[rid][r->status]++;
    }
    if (rid == R_IDENTIFY && r->status == 200) {
        for (int db = 0; db < MID_DB_COUNT; db++) {
            if (r->grade[db] >= 0 && r->grade[db] <= 2) {
                s->m.identify[db][r->grade[db]]++;
            }
        }
    }
    size_t i = 0;
    while (i < N_BOUNDS && seconds > latency_bounds[i]) {
        i++;
    }
    s->m.latency_bucket[rid][i]++;
    s->m.latency_sum[rid] += seconds;
    s->m.latency_count[rid]++;
    pthread_mutex_unlock(&s->m.lock);
}

/* Adds the audit receipt to a JSON object body: ...,"audit":{"seq":N,"head":"..."}}. */
static void add_receipt(gw_reply *r, uint64_t seq, const char *head) {
    if (r->body == NULL || r->len < 2 || r->content_type == NULL ||
        strcmp(r->content_type, "application/json") != 0 || r->body[0] != '{' ||
        r->body[r->len - 1] != '}') {
        return;
    }
    char tail[160];
    int n = snprintf(tail, sizeof(tail), "%s\"audit\":{\"seq\":%" PRIu64 ",\"head\":\"%s\"}}",
                     r->len > 2 ? "," : "", seq, head);
    if (n < 0 || (size_t)n >= sizeof(tail)) {
        return;
    }
    char *p = realloc(r->body, r->len + (size_t)n + 1);
    if (p == NULL) {
        return;
    }
    memcpy(p + r->len - 1, tail, (size_t)n + 1);
    r->body = p;
    r->len = r->len - 1 + (size_t)n;
}

/* libmicrohttpd's own messages (TLS handshake failures and the like) become JSON
 * lines in the structured log; they carry no request data. */
__attribute__((format(printf, 2, 0))) static void mhd_logger(void *cls, const char *fmt,
                                                             va_list ap) {
    gw_server *s = cls;
    char msg[256];
    vsnprintf(msg, sizeof(msg), fmt, ap);
    char when[24];
    utc_now(when);
    pthread_mutex_lock(&s->log_lock);
    fprintf(s->log, "{\"time\":\"%s\",\"event\":\"http\",\"message\":\"", when);
    for (const char *p = msg; *p != '\0'; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') {
            fprintf(s->log, "\\%c", ch);
        } else if (ch >= 0x20 && ch < 0x7f) {
            fputc(ch, s->log);
        }
    }
    fputs("\"}\n", s->log);
    fflush(s->log);
    pthread_mutex_unlock(&s->log_lock);
}

/* An answer body handed to libmicrohttpd: answers may hold a person's record, so
 * the body is wiped when libmicrohttpd releases it. */
typedef struct answer_body {
    char *buf;
    size_t len;
} answer_body;

static void free_body(void *cls) {
    answer_body *b = cls;
    mid_wipe(b->buf, b->len);
    free(b->buf);
    free(b);
}

/* ---- Dispatch ------------------------------------------------------------------------------ */

static const char *header(struct MHD_Connection *c, const char *name) {
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
}

static void remote_of(struct MHD_Connection *c, char out[48]) {
    snprintf(out, 48, "?");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci == NULL || ci->client_addr == NULL) {
        return;
    }
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, out, 48);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, out, 48);
    }
}

/* The whole request has arrived (or was refused early): decide, audit, answer. */
static enum MHD_Result answer(gw_server *s, struct MHD_Connection *c, const char *url,
                              const char *method, request *rq) {
    gw_reply r;
    memset(&r, 0, sizeof(r));
    for (int db = 0; db < MID_DB_COUNT; db++) {
        r.grade[db] = -1;
    }
    gw_caller who;
    memset(&who, 0, sizeof(who));
    remote_of(c, who.remote);
    char txid[40];
    snprintf(txid, sizeof(txid), "%s-%08" PRIx64, s->boot,
             (uint64_t)atomic_fetch_add(&s->next_tx, 1));
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return MHD_NO;
    }

    /* Route. */
    route_id rid = R_UNKNOWN;
    char id[64] = "";
    bool path_known = false;
    for (int i = 0; i < R_UNKNOWN; i++) {
        char tmp[64];
        if (path_match(routes[i].path, url, tmp)) {
            path_known = true;
            if (strcmp(routes[i].method, method) == 0) {
                rid = (route_id)i;
                memcpy(id, tmp, sizeof(id));
                break;
            }
        }
    }
    const route *rt = &routes[rid];
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    double now_s = (double)now.tv_sec + now.tv_nsec / 1e9;
    bool refused = false;

    if (rid == R_UNKNOWN) {
        if (path_known) {
            reply_error(&r, 405, "method-not-allowed", "%s is not allowed on this path.",
                        strcmp(method, "GET") == 0 || strcmp(method, "POST") == 0 ||
                                strcmp(method, "DELETE") == 0 || strcmp(method, "PUT") == 0
                            ? method
                            : "This method");
        } else {
            reply_error(&r, 404, "not-found", "There is no such endpoint.");
        }
        refused = true;
    }
    /* Device certificate. */
    if (!refused && rt->auth != AUTH_NONE && check_device(s, ctx, c, &who, &r) != 0) {
        refused = true;
    }
    if (!refused && rt->auth != AUTH_NONE && !gw_rate_take(s->rate_device, who.device, now_s)) {
        reply_error(&r, 429, "rate-limited", "Too many requests from device %s; try again later.",
                    who.device);
        refused = true;
    }
    /* Token. */
    if (!refused && rt->auth == AUTH_TOKEN) {
        const char *auth = header(c, MHD_HTTP_HEADER_AUTHORIZATION);
        gw_token_info info;
        memset(&info, 0, sizeof(info));
        int found = 0;
        if (auth == NULL || strncasecmp(auth, "Bearer ", 7) != 0) {
            reply_error(&r, 401, "unauthenticated", "An officer token is required (log in first).");
            refused = true;
        } else if ((found = gw_tokens_check(s->tokens, auth + 7, (int64_t)time(NULL), &info)) !=
                   1) {
            reply_error(&r, 401, "unauthenticated",
                        found < 0 ? "The officer token has expired; log in again."
                                  : "The officer token is not valid; log in again.");
            refused = true;
        } else {
            snprintf(who.officer, sizeof(who.officer), "%s", info.officer);
            who.roles = info.roles;
            /* The officer is looked up on every request, like the device: disabling
             * an account or changing its roles takes effect at once, not when the
             * token expires. */
            mid_officer o;
            mid_status ost = mid_store_officer_get(s->store, ctx, info.officer, &o);
            bool active = ost == MID_OK && !o.disabled;
            if (active) {
                who.roles = o.roles;
            }
            mid_wipe(&o, sizeof(o));
            if (strcmp(info.device, who.device) != 0) {
                reply_error(&r, 403, "forbidden",
                            "The officer token was issued to another device.");
                refused = true;
            } else if (ost != MID_OK && ost != MID_ERR_NOT_FOUND) {
                reply_error(&r, 503, "unavailable", "The officer register is unavailable.");
                refused = true;
            } else if (!active) {
                reply_error(&r, 401, "unauthenticated",
                            "The officer account is disabled or removed; the token is void.");
                refused = true;
            } else if (!gw_rate_take(s->rate_officer, who.officer, now_s)) {
                reply_error(&r, 429, "rate-limited",
                            "Too many requests for officer %s; try again later.", who.officer);
                refused = true;
            } else if ((who.roles & rt->roles) == 0) {
                reply_error(&r, 403, "forbidden", "The officer's roles do not allow this request.");
                refused = true;
            }
        }
    }
    /* Body. */
    if (!refused && rq->too_large) {
        reply_error(&r, 413, "too-large", "The request body is larger than %u bytes.",
                    MID_GW_MAX_BODY_BYTES);
        refused = true;
    }
    const char *ctype = header(c, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (!refused && rid == R_LOGIN &&
        (ctype == NULL || strncasecmp(ctype, "application/json", 16) != 0)) {
        reply_error(&r, 415, "unsupported-media-type",
                    "Log in with Content-Type application/json.");
        refused = true;
    }

    if (!refused) {
        switch (rid) {
        case R_HEALTHZ:
            handle_healthz(s, &r);
            break;
        case R_METRICS:
            handle_metrics(s, &r);
            break;
        case R_LOGIN:
            handle_login(s, ctx, &who, rq, &r);
            break;
        case R_IDENTIFY:
            gw_identify_handle(s, s->router, &who, txid, ctype, header(c, MHD_HTTP_HEADER_ACCEPT),
                               rq->body, rq->len, &r);
            break;
        case R_AUDIT_VERIFY:
            handle_audit_verify(s, ctx, &r);
            break;
        case R_DEVICES:
            handle_devices(s, ctx, &r);
            break;
        case R_DEVICE_REVOKE:
            handle_revoke(s, ctx, id, &r);
            break;
        case R_PERSON_DELETE:
            handle_delete_person(s, ctx, id, &r);
            break;
        default:
            reply_error(&r, 500, "internal", "No handler.");
            break;
        }
    }
    /* The body (probe images) is not needed any more. */
    if (rq->body != NULL) {
        mid_wipe(rq->body, rq->cap);
    }
    if (r.status == 0) {
        reply_error(&r, 500, "internal", "The handler gave no answer.");
    }

    /* Audit before answering; a failed append turns the answer into a 503. */
    uint64_t seq = 0;
    char head[MID_AUDIT_HEX_SIZE] = "";
    if (!audit_request(s, ctx, txid, rid, method, &who, &r, &seq, head)) {
        pthread_mutex_lock(&s->log_lock);
        fprintf(s->log, "{\"txid\":\"%s\",\"error\":\"audit append failed\",\"detail\":\"%s\"}\n",
                txid, "see the audit log's file system");
        fflush(s->log);
        pthread_mutex_unlock(&s->log_lock);
        pthread_mutex_lock(&s->m.lock);
        s->m.audit_failures++;
        pthread_mutex_unlock(&s->m.lock);
        r.grade[0] = r.grade[1] = -1;
        reply_error(&r, 503, "audit-unavailable",
                    "The request could not be recorded in the audit log and was not answered.");
        seq = 0;
    } else {
        add_receipt(&r, seq, head);
    }
    double seconds = seconds_since(&rq->start);
    log_request(s, txid, rid, method, &who, r.status, seconds);
    count_request(s, rid, &r, seconds);
    free(r.audit_json);
    mid_ctx_free(ctx);

    /* An empty answer still gets a buffer of its own: free_body releases it. */
    answer_body *body = malloc(sizeof(*body));
    if (body != NULL) {
        body->buf = r.body != NULL ? r.body : calloc(1, 1);
        body->len = r.body != NULL ? r.len : 0;
    }
    struct MHD_Response *resp = body != NULL && body->buf != NULL
                                    ? MHD_create_response_from_buffer_with_free_callback_cls(
                                          body->len, body->buf, free_body, body)
                                    : NULL;
    if (resp == NULL) {
        if (body != NULL) {
            free_body(body);
        } else {
            mid_wipe(r.body, r.body != NULL ? r.len : 0);
            free(r.body);
        }
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r.content_type != NULL ? r.content_type : "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(resp, "X-Transaction-Id", txid);
    if (seq != 0) {
        char seqs[24];
        snprintf(seqs, sizeof(seqs), "%" PRIu64, seq);
        MHD_add_response_header(resp, "X-Audit-Seq", seqs);
        MHD_add_response_header(resp, "X-Audit-Head", head);
    }
    if (r.status == 401) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    }
    if (r.status == 413) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    }
    enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    rq->done = true;
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls) {
    (void)version;
    gw_server *s = cls;
    request *rq = *con_cls;
    if (rq == NULL) {
        rq = calloc(1, sizeof(*rq));
        if (rq == NULL) {
            return MHD_NO;
        }
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        *con_cls = rq;
        /* A declared length over the bound is refused before any body is read. */
        const char *cl = header(c, MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl != NULL) {
            char *end = NULL;
            errno = 0;
            unsigned long long n = strtoull(cl, &end, 10);
            if (errno != 0 || end == cl || n > MID_GW_MAX_BODY_BYTES) {
                rq->too_large = true;
                return answer(s, c, url, method, rq);
            }
        }
        return MHD_YES;
    }
    if (rq->done) {
        *upload_size = 0; /* answered early: discard what still arrives */
        return MHD_YES;
    }
    if (*upload_size != 0) {
        size_t n = *upload_size;
        if (rq->too_large || rq->len + n > MID_GW_MAX_BODY_BYTES) {
            /* Chunked bodies carry no length up front: past the bound the rest is
             * discarded unread into memory and the answer is 413. */
            rq->too_large = true;
            *upload_size = 0;
            return MHD_YES;
        }
        if (rq->len + n > rq->cap) {
            size_t cap = rq->cap == 0 ? 64 * 1024 : rq->cap;
            while (cap < rq->len + n) {
                cap *= 2;
            }
            if (cap > MID_GW_MAX_BODY_BYTES) {
                cap = MID_GW_MAX_BODY_BYTES;
            }
            uint8_t *p = malloc(cap);
            if (p == NULL) {
                return MHD_NO;
            }
            if (rq->body != NULL) {
                /* realloc could leave a copy of probe bytes behind: copy, wipe, free. */
                memcpy(p, rq->body, rq->len);
                mid_wipe(rq->body, rq->cap);
                free(rq->body);
            }
            rq->body = p;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        *upload_size = 0;
        return MHD_YES;
    }
    return answer(s, c, url, method, rq);
}

/* ---- Start and stop ----------------------------------------------------------------------------
 */

static mid_status load_pem(const char *dir, const char *name, char **out, size_t *len,
                           char err[GW_ERR_SIZE]) {
    char path[4300];
    int n = snprintf(path, sizeof(path), "%s/pki/%s", dir, name);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        snprintf(err, GW_ERR_SIZE, "data directory path too long");
        return MID_ERR_ARG;
    }
    mid_status st = gw_read_small_file(path, 64 * 1024, out, len, err);
    if (st == MID_ERR_NOT_FOUND) {
        snprintf(err, GW_ERR_SIZE, "%.200s is missing (run `mid ca init` first)", path);
    }
    return st;
}

static void server_free(gw_server *s) {
    if (s->router != NULL) {
        gw_router_free(s->router);
    }
    if (s->audit != NULL) {
        mid_audit_close(s->audit);
    }
    if (s->store != NULL) {
        mid_store_close(s->store);
    }
    gw_tokens_free(s->tokens);
    gw_tcns_free(s->tcns);
    gw_rate_free(s->rate_device);
    gw_rate_free(s->rate_officer);
    if (s->key_pem != NULL) {
        mid_wipe(s->key_pem, s->key_len);
        free(s->key_pem);
    }
    free(s->cert_pem);
    free(s->ca_pem);
    if (s->ca_tl != NULL) {
        gnutls_x509_trust_list_deinit(s->ca_tl, 1);
    }
    if (s->own_log && s->log != NULL) {
        fclose(s->log);
    }
    pthread_mutex_destroy(&s->audit_lock);
    pthread_mutex_destroy(&s->log_lock);
    pthread_mutex_destroy(&s->m.lock);
    free(s);
}

mid_status gw_server_start(const gw_server_config *cfg, gw_server **out, char err[GW_ERR_SIZE]) {
    *out = NULL;
    gw_server *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        snprintf(err, GW_ERR_SIZE, "out of memory");
        return MID_ERR_NOMEM;
    }
    pthread_mutex_init(&s->audit_lock, NULL);
    pthread_mutex_init(&s->log_lock, NULL);
    pthread_mutex_init(&s->m.lock, NULL);
    s->cfg = *cfg;
    if (s->cfg.rate_per_minute == 0) {
        s->cfg.rate_per_minute = MID_GW_RATE_PER_MINUTE;
    }
    if (s->cfg.token_seconds == 0) {
        s->cfg.token_seconds = MID_GW_TOKEN_SECONDS;
    }
    s->log = stderr;
    if (cfg->log_path != NULL) {
        s->log = fopen(cfg->log_path, "a");
        if (s->log == NULL) {
            snprintf(err, GW_ERR_SIZE, "cannot open the log %s: %s", cfg->log_path,
                     strerror(errno));
            s->log = NULL;
            server_free(s);
            return MID_ERR_IO;
        }
        s->own_log = true;
    }
    uint8_t boot[4];
    gnutls_rnd(GNUTLS_RND_NONCE, boot, sizeof(boot));
    mid_hex(boot, sizeof(boot), s->boot);
    atomic_init(&s->next_tx, 1);

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        server_free(s);
        snprintf(err, GW_ERR_SIZE, "out of memory");
        return MID_ERR_NOMEM;
    }
    mid_status st = MID_OK;
    size_t len = 0;
    st = load_pem(cfg->data_dir, "server-key.pem", &s->key_pem, &s->key_len, err);
    if (st == MID_OK) {
        st = load_pem(cfg->data_dir, "server.pem", &s->cert_pem, &len, err);
    }
    if (st == MID_OK) {
        st = load_pem(cfg->data_dir, "ca.pem", &s->ca_pem, &len, err);
    }
    if (st == MID_OK) {
        gnutls_datum_t ca = {(unsigned char *)s->ca_pem, (unsigned)len};
        if (gnutls_x509_trust_list_init(&s->ca_tl, 0) < 0 ||
            gnutls_x509_trust_list_add_trust_mem(s->ca_tl, &ca, NULL, GNUTLS_X509_FMT_PEM, 0, 0) !=
                1) {
            snprintf(err, GW_ERR_SIZE, "the CA certificate does not load");
            st = MID_ERR_FORMAT;
        }
    }
    if (st == MID_OK) {
        int n = snprintf(s->audit_path, sizeof(s->audit_path), "%s/audit.log", cfg->data_dir);
        st = n > 0 && (size_t)n < sizeof(s->audit_path) ? MID_OK : MID_ERR_ARG;
        if (st == MID_OK) {
            st = mid_audit_open(ctx, s->audit_path, &s->audit);
        }
        if (st != MID_OK) {
            snprintf(err, GW_ERR_SIZE, "audit log: %s", mid_ctx_error(ctx));
        }
    }
    if (st == MID_OK) {
        st = mid_store_open(ctx, cfg->store_uri, &s->store);
        if (st != MID_OK) {
            snprintf(err, GW_ERR_SIZE, "store: %s", mid_ctx_error(ctx));
        }
    }
    if (st == MID_OK) {
        st = gw_router_create(ctx, s->store, &cfg->router, &s->router);
        if (st != MID_OK) {
            snprintf(err, GW_ERR_SIZE, "galleries: %s", mid_ctx_error(ctx));
        }
    }
    mid_ctx_free(ctx);
    if (st == MID_OK) {
        s->tokens = gw_tokens_create();
        s->tcns = gw_tcns_create();
        s->rate_device = gw_rate_create(s->cfg.rate_per_minute);
        s->rate_officer = gw_rate_create(s->cfg.rate_per_minute);
        if (s->tokens == NULL || s->tcns == NULL || s->rate_device == NULL ||
            s->rate_officer == NULL) {
            snprintf(err, GW_ERR_SIZE, "out of memory");
            st = MID_ERR_NOMEM;
        }
    }
    if (st != MID_OK) {
        server_free(s);
        return st;
    }

    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof(addr));
    const char *host = cfg->host != NULL ? cfg->host : "127.0.0.1";
    struct sockaddr_in *in4 = (struct sockaddr_in *)(void *)&addr;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)(void *)&addr;
    unsigned flags = MHD_USE_TLS | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                     MHD_USE_ERROR_LOG;
    if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons((uint16_t)cfg->port);
    } else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)cfg->port);
        flags |= MHD_USE_IPv6;
    } else {
        snprintf(err, GW_ERR_SIZE, "listen address %s is not a numeric IPv4 or IPv6 address", host);
        server_free(s);
        return MID_ERR_ARG;
    }
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)cfg->port, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_HTTPS_MEM_KEY, s->key_pem, MHD_OPTION_HTTPS_MEM_CERT,
        s->cert_pem, MHD_OPTION_HTTPS_MEM_TRUST, s->ca_pem, MHD_OPTION_HTTPS_PRIORITIES,
        "NORMAL:-VERS-ALL:+VERS-TLS1.3", MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)MID_GW_MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, mhd_logger, s,
        MHD_OPTION_END);
    if (s->daemon == NULL) {
        snprintf(err, GW_ERR_SIZE, "cannot listen on %s port %u", host, cfg->port);
        server_free(s);
        return MID_ERR_IO;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di != NULL ? di->port : cfg->port;
    *out = s;
    return MID_OK;
}

void gw_server_stop(gw_server *s) {
    if (s == NULL) {
        return;
    }
    if (s->daemon != NULL) {
        MHD_stop_daemon(s->daemon); /* joins the connection threads */
    }
    server_free(s);
}
