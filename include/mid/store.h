/*
 * Stores: person records, the gallery prints of the IDENT1 and IABS galleries,
 * officers and devices, behind one interface with two back ends:
 *   - SQLite (the embedded default): one directory holding mid.db;
 *   - PostgreSQL (larger deployments): a libpq connection string.
 * Both keep the same schema (docs/ARCHITECTURE.md, "Stores"), created on open.
 *
 * Probe prints are never stored: only enrolled (custody) gallery prints are.
 *
 * URIs for mid_store_open(): "sqlite:DIR", a plain directory path (SQLite), or
 * "postgresql://..." / "postgres://..." (PostgreSQL; libpq's URI syntax).
 *
 * Ownership and threads: a mid_store belongs to its opener until
 * mid_store_close(). Every function may be called from several threads; calls on
 * one store are serialised internally. Errors go to the ctx passed to each call
 * (MID_ERR_STORE carries the back end's message, never record contents).
 * Strings returned through char ** belong to the caller (mid_free()).
 */
#ifndef MID_STORE_H
#define MID_STORE_H

#include "mid/core.h"
#include "mid/template.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_store mid_store;

/* The galleries searched by the gateway. */
typedef enum mid_db { MID_DB_IDENT1 = 0, MID_DB_IABS = 1, MID_DB_COUNT } mid_db;
const char *mid_db_name(mid_db db); /* "IDENT1", "IABS" */
int mid_db_parse(const char *name); /* case-insensitive; -1 when unknown */

mid_status mid_store_open(mid_ctx *ctx, const char *uri, mid_store **out);
void mid_store_close(mid_store *st);
const char *mid_store_backend(const mid_store *st); /* "sqlite" or "postgresql" */

/* Bounds: bytes of one person record's JSON (records are under 4 kB), of its
 * pnc_id, and of a store URI. */
#define MID_STORE_MAX_RECORD_BYTES (64u * 1024u)
#define MID_STORE_MAX_PNC 32u
#define MID_STORE_MAX_URI 4096u

/* ---- Person records --------------------------------------------------------
 * A record is one JSON object in the form `mid synth people --format jsonl`
 * writes (docs/population.md): "person" (the id, 0 .. 2^63 - 1) and "pnc_id"
 * are required; a pnc_id belongs to one person only (MID_ERR_EXISTS). */

/* Inserts or replaces the record of person (the id in the JSON must agree). */
mid_status mid_store_person_put(mid_store *st, mid_ctx *ctx, const char *record_json, size_t len);
/* The record's JSON; MID_ERR_NOT_FOUND when absent. */
mid_status mid_store_person_get(mid_store *st, mid_ctx *ctx, uint64_t person, char **record_json);
/* Deletes the record and all its gallery prints in every gallery;
 * MID_ERR_NOT_FOUND when there is neither a record nor a print of person.
 * (The caller audits the deletion.) */
mid_status mid_store_person_delete(mid_store *st, mid_ctx *ctx, uint64_t person);
mid_status mid_store_person_count(mid_store *st, mid_ctx *ctx, uint64_t *count);

/* Bulk loading: all puts between begin and commit are one transaction (fast
 * imports); rollback discards them. Not nestable. The transaction belongs to the
 * store, not the thread: other threads' calls meanwhile join it. When any call
 * inside it fails (other than MID_ERR_NOT_FOUND or a bad argument), commit
 * rolls everything back and returns MID_ERR_STORE (both back ends alike). */
mid_status mid_store_begin(mid_store *st, mid_ctx *ctx);
mid_status mid_store_commit(mid_store *st, mid_ctx *ctx);
mid_status mid_store_rollback(mid_store *st, mid_ctx *ctx);

/* ---- Gallery prints ---------------------------------------------------------
 * One enrolled template per (gallery, person, finger position 1..10); a new one
 * replaces the old. The person need not have a record (IABS subjects may have
 * none), but IDENT1 hits are answered from the record. */
mid_status mid_store_print_put(mid_store *st, mid_ctx *ctx, mid_db db, uint64_t person,
                               unsigned finger, const mid_template *t);
/* Called for each print of gallery db, in (person, finger) order; return anything
 * but MID_OK to stop (that status is returned). t is valid during the call only.
 * The store stays locked during the walk: other threads wait, while fn itself
 * may call the store (same thread) but must not write to gallery db. */
typedef mid_status (*mid_store_print_fn)(void *user, uint64_t person, unsigned finger,
                                         const mid_template *t);
mid_status mid_store_print_each(mid_store *st, mid_ctx *ctx, mid_db db, mid_store_print_fn fn,
                                void *user);
mid_status mid_store_print_count(mid_store *st, mid_ctx *ctx, mid_db db, uint64_t *prints,
                                 uint64_t *persons);

/* ---- Officers ---------------------------------------------------------------- */

/* Roles, as a bit set. */
typedef enum mid_role {
    MID_ROLE_OFFICER = 1u << 0,
    MID_ROLE_SUPERVISOR = 1u << 1,
    MID_ROLE_AUDITOR = 1u << 2,
    MID_ROLE_ADMIN = 1u << 3
} mid_role;
/* "officer", "supervisor", "auditor", "administrator"; parse returns 0 if unknown. */
const char *mid_role_name(mid_role r);
unsigned mid_role_parse(const char *name);

#define MID_COLLAR_SIZE 16u /* collar number / staff id: 1..15 of [A-Za-z0-9-] */
#define MID_PIN_HASH_SIZE                                                                          \
    160u /* an Argon2id PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$hash" */

typedef struct mid_officer {
    char collar[MID_COLLAR_SIZE];
    char pin_hash[MID_PIN_HASH_SIZE];
    unsigned roles; /* mid_role bits, at least one */
    bool disabled;
} mid_officer;

mid_status mid_store_officer_put(mid_store *st, mid_ctx *ctx,
                                 const mid_officer *o); /* insert or replace */
mid_status mid_store_officer_get(mid_store *st, mid_ctx *ctx, const char *collar, mid_officer *out);

/* ---- Devices ------------------------------------------------------------------ */

#define MID_DEVICE_ID_SIZE 40u /* 1..39 of [A-Za-z0-9._-] */
#define MID_CERT_HASH_SIZE 65u /* SHA-256 of the certificate's DER, hex */

typedef struct mid_device {
    char id[MID_DEVICE_ID_SIZE];
    char cert_sha256[MID_CERT_HASH_SIZE];
    char serial[41];     /* certificate serial, hex */
    int64_t enrolled_at; /* Unix seconds */
    int64_t revoked_at;  /* Unix seconds; 0 while valid */
} mid_device;

/* Enrols a device; MID_ERR_EXISTS when the id or certificate is known. */
mid_status mid_store_device_add(mid_store *st, mid_ctx *ctx, const mid_device *d);
mid_status mid_store_device_get(mid_store *st, mid_ctx *ctx, const char *id, mid_device *out);
mid_status mid_store_device_by_cert(mid_store *st, mid_ctx *ctx, const char *cert_sha256,
                                    mid_device *out);
/* Marks the device revoked at time `when` > 0 (effective for the next request);
 * a device revoked already keeps its first revocation time. */
mid_status mid_store_device_revoke(mid_store *st, mid_ctx *ctx, const char *id, int64_t when);
typedef mid_status (*mid_store_device_fn)(void *user, const mid_device *d);
mid_status mid_store_device_each(mid_store *st, mid_ctx *ctx, mid_store_device_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
