/*
 * The store's back-end interface. store.c owns the public contract: it checks
 * every argument, parses person records, encodes templates, serialises calls
 * with the store's mutex and tracks the bulk transaction. A back end
 * (store_sqlite.c, store_pg.c) only runs SQL against already valid values and
 * reports failures as MID_ERR_STORE ("sqlite: ..." / "postgresql: ..."),
 * MID_ERR_EXISTS for a unique-key violation and MID_ERR_NOT_FOUND.
 *
 * Back-end functions are called with the store's mutex held.
 */
#ifndef MID_SRC_STORE_INTERNAL_H
#define MID_SRC_STORE_INTERNAL_H

#include "mid/store.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called by print_each for every print; blob is the native template encoding,
 * valid during the call only. */
typedef mid_status (*store_blob_fn)(void *user, uint64_t person, unsigned finger,
                                    const uint8_t *blob, size_t len);

typedef struct store_ops {
    const char *name; /* "sqlite" or "postgresql" */
    void (*close)(void *impl);
    /* Plain transaction control: sql is "BEGIN", "COMMIT" or "ROLLBACK". */
    mid_status (*exec)(void *impl, mid_ctx *ctx, const char *sql);

    mid_status (*person_put)(void *impl, mid_ctx *ctx, int64_t person, const char *pnc,
                             const char *json, size_t len);
    mid_status (*person_get)(void *impl, mid_ctx *ctx, int64_t person, char **json);
    /* Deletes the record and every print of person; *found tells whether anything
     * existed. Runs inside a transaction the front end opened. */
    mid_status (*person_delete)(void *impl, mid_ctx *ctx, int64_t person, bool *found);
    mid_status (*person_count)(void *impl, mid_ctx *ctx, uint64_t *count);

    mid_status (*print_put)(void *impl, mid_ctx *ctx, int db, int64_t person, int finger,
                            const uint8_t *blob, size_t len);
    /* In (person, finger) order; stops at the first status other than MID_OK. */
    mid_status (*print_each)(void *impl, mid_ctx *ctx, int db, bool in_tx, store_blob_fn fn,
                             void *user);
    mid_status (*print_count)(void *impl, mid_ctx *ctx, int db, uint64_t *prints,
                              uint64_t *persons);

    mid_status (*officer_put)(void *impl, mid_ctx *ctx, const mid_officer *o);
    mid_status (*officer_get)(void *impl, mid_ctx *ctx, const char *collar, mid_officer *out);

    mid_status (*device_add)(void *impl, mid_ctx *ctx, const mid_device *d);
    /* key_is_cert: look up by cert_sha256 instead of id. */
    mid_status (*device_get)(void *impl, mid_ctx *ctx, const char *key, bool key_is_cert,
                             mid_device *out);
    /* Sets revoked_at where it is 0; MID_ERR_NOT_FOUND when the id is unknown. */
    mid_status (*device_revoke)(void *impl, mid_ctx *ctx, const char *id, int64_t when);
    mid_status (*device_each)(void *impl, mid_ctx *ctx, mid_store_device_fn fn, void *user);
} store_ops;

struct mid_store {
    const store_ops *ops;
    void *impl;
    pthread_mutex_t lock; /* recursive: print_each callbacks may call the store */
    bool in_tx;           /* between mid_store_begin and commit/rollback */
    bool tx_failed;       /* a write inside the transaction failed: commit rolls back */
};

/* The schema version both back ends create and accept. */
#define STORE_SCHEMA_VERSION 1

/* Back-end constructors: *impl on success. */
mid_status store_sqlite_open(mid_ctx *ctx, const char *dir, void **impl);
mid_status store_pg_open(mid_ctx *ctx, const char *conninfo, void **impl);
extern const store_ops store_sqlite_ops;
extern const store_ops store_pg_ops;

/* Copies src into dst[cap] (NUL-terminated); false when it does not fit. */
bool store_copy_text(char *dst, size_t cap, const char *src, size_t len);

#endif
