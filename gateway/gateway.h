/*
 * The Biometric Services Gateway (`mid serve`): internal interfaces between its
 * modules. The gateway is built on the public libmid API only (include/mid/);
 * this header is not installed.
 *
 *   server.c    HTTPS (libmicrohttpd + GnuTLS, TLS 1.3 only), request dispatch,
 *               role checks, audit of every request, /healthz, /metrics
 *   auth.c      device certificates, officer login (Argon2id), tokens bound to
 *               the device, replay and rate limits
 *   pki.c       the force CA: key pairs and certificates (GnuTLS)
 *   identify.c  POST /v1/identify: request parsing and policy validation
 *   router.c    the back-end boundary: searches each permitted gallery within a
 *               time budget, fuses and grades
 *
 * Ownership: the gw_server owns the store, the audit log, the router and every
 * table; handlers borrow them for one request. Handlers run on libmicrohttpd's
 * worker threads, concurrently.
 */
#ifndef MID_GATEWAY_H
#define MID_GATEWAY_H

#include "mid/audit.h"
#include "mid/json.h"
#include "mid/search.h"
#include "mid/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gw_server gw_server;
typedef struct gw_router gw_router;

/* Who is calling: filled by the dispatcher from the client certificate and the
 * bearer token before a handler runs. */
typedef struct gw_caller {
    char device[MID_DEVICE_ID_SIZE]; /* "" when no valid device certificate */
    char officer[MID_COLLAR_SIZE];   /* "" when no valid token */
    unsigned roles;                  /* mid_role bits of the officer (0 when none) */
    char remote[48];                 /* peer address */
} gw_caller;

/* A handler's answer. body is malloc()ed (the dispatcher frees it). */
typedef struct gw_reply {
    unsigned status;          /* HTTP status */
    const char *content_type; /* static string */
    char *body;
    size_t len;
    /* For the audit entry and the metrics: */
    const char *outcome;     /* "answered", "refused" or "failed" (static) */
    char detail[256];        /* why it was refused or failed; no personal data */
    char *audit_json;        /* malloc()ed JSON object with the handler's own audit
                                members (justification, databases, results...), or NULL */
    int grade[MID_DB_COUNT]; /* mid_grade per gallery, -1 when not searched */
} gw_reply;

/* ---- Errors ----------------------------------------------------------------
 * The gateway uses only the public API, so its own modules report failures as a
 * status plus a message in a caller's buffer of GW_ERR_SIZE bytes (never
 * personal data, keys or tokens). */
#define GW_ERR_SIZE 256u

/* ---- The force PKI (pki.c) ----------------------------------------------------
 * Files under the data directory DIR (docs/ARCHITECTURE.md, "Gateway"):
 *   DIR/pki/ca.pem, ca-key.pem        the force CA (ECDSA P-256, 10 years)
 *   DIR/pki/server.pem, server-key.pem the gateway (localhost, 127.0.0.1, ::1; 2 years)
 *   DIR/devices/<id>.pem, <id>-key.pem a device (CN = id, clientAuth, 1 year)
 * Private keys are created with mode 0600, certificates 0644; nothing is ever
 * overwritten (MID_ERR_EXISTS). */

/* Creates DIR/pki with the CA and the server certificate. */
mid_status gw_pki_ca_init(const char *data_dir, char err[GW_ERR_SIZE]);
/* Issues the certificate of device id (1..39 of [A-Za-z0-9._-]) signed by the CA
 * and writes its files; cert_sha256 receives the SHA-256 of the certificate's DER
 * (hex), serial its 128-bit random serial (hex). */
mid_status gw_pki_device_issue(const char *data_dir, const char *id,
                               char cert_sha256[MID_CERT_HASH_SIZE], char serial[41],
                               char err[GW_ERR_SIZE]);
/* True when id is a valid device id. */
bool gw_device_id_valid(const char *id);
/* Reads a whole (small) file of at most max bytes, NUL-terminated (free()). */
mid_status gw_read_small_file(const char *path, size_t max, char **data, size_t *len,
                              char err[GW_ERR_SIZE]);

/* ---- Back ends (router.c) -------------------------------------------------- */

typedef enum gw_fault { GW_FAULT_NONE = 0, GW_FAULT_DOWN, GW_FAULT_SLOW } gw_fault;

typedef struct gw_router_config {
    unsigned budget_ms;             /* time budget for one search, per gallery */
    gw_fault fault[MID_DB_COUNT];   /* fault injection for tests (docs: `mid serve --fault`) */
    unsigned slow_ms[MID_DB_COUNT]; /* delay for GW_FAULT_SLOW */
    mid_grade_policy grading;
    unsigned threads;    /* search threads per request (0: 1) */
    unsigned iabs_bases; /* force policy: bit (1u << basis) set for each legal
                            basis (identify.h) under which IABS may be searched */
} gw_router_config;

/* Loads every gallery's prints from the store into memory. */
mid_status gw_router_create(mid_ctx *ctx, mid_store *store, const gw_router_config *cfg,
                            gw_router **out);
void gw_router_free(gw_router *r);

/* Searches gallery db (router.c): n prepared probes in, up to cap candidates out
 * (best first; mid_search_run). Enforces cfg.budget_ms (0: no limit) with a
 * CLOCK_MONOTONIC deadline and the fault injection. On failure *why_not says
 * what the answer reports for that database: "unavailable" (back end down or
 * failing: MID_ERR_IO, or the search's own error), "timed out" (over budget:
 * MID_ERR_CANCELLED), "failed" (bad arguments: MID_ERR_ARG); NULL on success.
 * Thread-safe: requests search concurrently (each borrows a pooled matcher). The
 * probes stay the caller's (it wipes them). */
mid_status gw_router_search(gw_router *r, mid_ctx *ctx, mid_db db, const mid_search_probe *p,
                            size_t n, mid_search_candidate *out, size_t cap, size_t *n_out,
                            const char **why_not);
/* Persons loaded in gallery db (for /healthz); 0 for an unknown db. */
size_t gw_router_persons(gw_router *r, mid_db db);
/* The configuration the router was created with (grading policy, IABS bases). */
const gw_router_config *gw_router_config_of(const gw_router *r);
/* Force policy: IDENT1 always; IABS when bit (1u << basis) of cfg.iabs_bases is set. */
bool gw_router_permits(const gw_router *r, mid_db db, unsigned basis);

/* ---- The server (server.c) ----------------------------------------------------- */

typedef struct gw_server_config {
    const char *data_dir;     /* DIR: pki/, audit.log, the default store */
    const char *store_uri;    /* the store ("sqlite:DIR" by default) */
    const char *host;         /* listen address, numeric IPv4 or IPv6 ("127.0.0.1") */
    unsigned port;            /* 0: any free port (gw_server_port tells which) */
    unsigned rate_per_minute; /* per device and per officer (0: MID_GW_RATE_PER_MINUTE) */
    unsigned token_seconds;   /* token lifetime (0: MID_GW_TOKEN_SECONDS) */
    const char *log_path;     /* structured log (NULL: stderr) */
    gw_router_config router;
} gw_server_config;

/* Opens the store, the audit log and the CA material, loads the galleries and
 * starts serving on libmicrohttpd's threads. The caller blocks SIGTERM/SIGINT
 * before (worker threads inherit the mask) and calls gw_server_stop on them. */
mid_status gw_server_start(const gw_server_config *cfg, gw_server **out, char err[GW_ERR_SIZE]);
unsigned gw_server_port(const gw_server *s);
/* Stops accepting, waits for the requests in progress, closes everything. */
void gw_server_stop(gw_server *s);

/* ---- Handlers ---------------------------------------------------------------- */

/* POST /v1/identify (identify.c). txid is the gateway's transaction id for this
 * request. Always fills reply (4xx with a precise message on bad input). The
 * probe images and templates are wiped before it returns. */
void gw_identify_handle(gw_server *s, gw_router *r, const gw_caller *who, const char *txid,
                        const char *content_type, const char *accept, const uint8_t *body,
                        size_t len, gw_reply *reply);

/* The writer's text as a malloc()ed copy, the form reply bodies and audit members
 * take (the dispatcher wipes and free()s them); the library's own buffer is wiped.
 * The writer stays the caller's. NULL on failure (len untouched). */
char *gw_json_finish(mid_json_writer *w, size_t *len);

/* Accessors a handler may use. */
mid_store *gw_server_store(gw_server *s);
/* True when the (device, tcn) pair was not seen before (records it); false on replay. */
bool gw_server_claim_tcn(gw_server *s, const char *device, const char *tcn);

#endif
