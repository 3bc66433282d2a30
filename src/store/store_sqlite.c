/*
 * SQLite back end: DIR/mid.db in WAL mode with synchronous=FULL (a committed
 * transaction survives a power cut), foreign keys on, a busy timeout for other
 * processes (the admin tool while the gateway runs), and every statement
 * prepared once at open. One connection; store.c serialises the calls.
 */
#include "store/store_internal.h"

#include "core/core.h"

#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum {
    Q_PERSON_PUT,
    Q_PERSON_GET,
    Q_PERSON_DEL,
    Q_PERSON_DEL_PRINTS,
    Q_PERSON_COUNT,
    Q_PRINT_PUT,
    Q_PRINT_EACH,
    Q_PRINT_COUNT,
    Q_OFFICER_PUT,
    Q_OFFICER_GET,
    Q_DEVICE_ADD,
    Q_DEVICE_GET,
    Q_DEVICE_BY_CERT,
    Q_DEVICE_REVOKE,
    Q_DEVICE_EACH,
    Q_COUNT
};

static const char *const sql_text[Q_COUNT] = {
    [Q_PERSON_PUT] = "INSERT INTO person(id, pnc_id, record) VALUES(?1, ?2, ?3) "
                     "ON CONFLICT(id) DO UPDATE SET pnc_id = excluded.pnc_id, "
                     "record = excluded.record",
    [Q_PERSON_GET] = "SELECT record FROM person WHERE id = ?1",
    [Q_PERSON_DEL] = "DELETE FROM person WHERE id = ?1",
    [Q_PERSON_DEL_PRINTS] = "DELETE FROM print WHERE person = ?1",
    [Q_PERSON_COUNT] = "SELECT count(*) FROM person",
    [Q_PRINT_PUT] = "INSERT INTO print(db, person, finger, template) VALUES(?1, ?2, ?3, ?4) "
                    "ON CONFLICT(db, person, finger) DO UPDATE SET template = excluded.template",
    [Q_PRINT_EACH] = "SELECT person, finger, template FROM print WHERE db = ?1 "
                     "ORDER BY person, finger",
    [Q_PRINT_COUNT] = "SELECT count(*), count(DISTINCT person) FROM print WHERE db = ?1",
    [Q_OFFICER_PUT] = "INSERT INTO officer(collar, pin_hash, roles, disabled) "
                      "VALUES(?1, ?2, ?3, ?4) ON CONFLICT(collar) DO UPDATE SET "
                      "pin_hash = excluded.pin_hash, roles = excluded.roles, "
                      "disabled = excluded.disabled",
    [Q_OFFICER_GET] = "SELECT collar, pin_hash, roles, disabled FROM officer WHERE collar = ?1",
    [Q_DEVICE_ADD] = "INSERT INTO device(id, cert_sha256, serial, enrolled_at, revoked_at) "
                     "VALUES(?1, ?2, ?3, ?4, ?5)",
    [Q_DEVICE_GET] = "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                     "WHERE id = ?1",
    [Q_DEVICE_BY_CERT] = "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                         "WHERE cert_sha256 = ?1",
    [Q_DEVICE_REVOKE] = "UPDATE device SET revoked_at = CASE WHEN revoked_at = 0 THEN ?2 "
                        "ELSE revoked_at END WHERE id = ?1",
    [Q_DEVICE_EACH] = "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                      "ORDER BY id",
};

/* The schema, shared in substance with store_pg.c (types differ by dialect). */
static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS person(id INTEGER PRIMARY KEY, pnc_id TEXT UNIQUE NOT NULL,"
    " record TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS print(db INTEGER NOT NULL, person INTEGER NOT NULL,"
    " finger INTEGER NOT NULL CHECK(finger BETWEEN 1 AND 10), template BLOB NOT NULL,"
    " PRIMARY KEY(db, person, finger)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS print_person ON print(person);"
    "CREATE TABLE IF NOT EXISTS officer(collar TEXT PRIMARY KEY, pin_hash TEXT NOT NULL,"
    " roles INTEGER NOT NULL, disabled INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE IF NOT EXISTS device(id TEXT PRIMARY KEY, cert_sha256 TEXT UNIQUE NOT NULL,"
    " serial TEXT NOT NULL, enrolled_at INTEGER NOT NULL, revoked_at INTEGER NOT NULL DEFAULT 0);";

typedef struct sq_store {
    sqlite3 *db;
    sqlite3_stmt *q[Q_COUNT];
} sq_store;

static mid_status sq_fail(sq_store *s, mid_ctx *ctx, const char *what) {
    int code = sqlite3_extended_errcode(s->db);
    if ((code & 0xff) == SQLITE_CONSTRAINT &&
        (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)) {
        return core_fail(ctx, MID_ERR_EXISTS, "sqlite: %s: a unique key exists already", what);
    }
    return core_fail(ctx, MID_ERR_STORE, "sqlite: %s: %s", what, sqlite3_errmsg(s->db));
}

/* Resets a statement after use so it holds no read lock and no bound data. */
static void done(sqlite3_stmt *q) {
    sqlite3_reset(q);
    sqlite3_clear_bindings(q);
}

/* Runs a bound statement that returns no rows. */
static mid_status run(sq_store *s, mid_ctx *ctx, sqlite3_stmt *q, const char *what) {
    int rc = sqlite3_step(q);
    mid_status st = rc == SQLITE_DONE ? MID_OK : sq_fail(s, ctx, what);
    done(q);
    return st;
}

static void sq_close(void *impl) {
    sq_store *s = impl;
    if (s == NULL) {
        return;
    }
    for (int i = 0; i < Q_COUNT; i++) {
        sqlite3_finalize(s->q[i]);
    }
    sqlite3_close(s->db);
    free(s);
}

static mid_status sq_exec(void *impl, mid_ctx *ctx, const char *sql) {
    sq_store *s = impl;
    /* Writers take the write lock up front: a deferred transaction that later
     * upgrades can fail with SQLITE_BUSY despite the busy timeout. */
    if (strcmp(sql, "BEGIN") == 0) {
        sql = "BEGIN IMMEDIATE";
    }
    if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK) {
        return sq_fail(s, ctx, sql);
    }
    return MID_OK;
}

/* Creates the schema if missing and checks its version. */
static mid_status sq_schema(sq_store *s, mid_ctx *ctx) {
    mid_status st = sq_exec(s, ctx, "BEGIN IMMEDIATE");
    if (st != MID_OK) {
        return st;
    }
    if (sqlite3_exec(s->db, schema_sql, NULL, NULL, NULL) != SQLITE_OK) {
        st = sq_fail(s, ctx, "creating the schema");
    }
    sqlite3_stmt *q = NULL;
    if (st == MID_OK && sqlite3_prepare_v2(s->db, "SELECT max(version) FROM schema_version", -1, &q,
                                           NULL) != SQLITE_OK) {
        st = sq_fail(s, ctx, "reading the schema version");
    }
    if (st == MID_OK) {
        if (sqlite3_step(q) != SQLITE_ROW) {
            st = sq_fail(s, ctx, "reading the schema version");
        } else if (sqlite3_column_type(q, 0) == SQLITE_NULL) {
            char sql[80];
            snprintf(sql, sizeof(sql), "INSERT INTO schema_version VALUES(%d)",
                     STORE_SCHEMA_VERSION);
            sqlite3_finalize(q);
            q = NULL;
            st = sq_exec(s, ctx, sql);
        } else if (sqlite3_column_int64(q, 0) != STORE_SCHEMA_VERSION) {
            st = core_fail(ctx, MID_ERR_UNSUPPORTED, "sqlite: schema version %lld (expected %d)",
                           (long long)sqlite3_column_int64(q, 0), STORE_SCHEMA_VERSION);
        }
    }
    sqlite3_finalize(q);
    if (st == MID_OK) {
        return sq_exec(s, ctx, "COMMIT");
    }
    (void)sq_exec(s, NULL, "ROLLBACK");
    return st;
}

mid_status store_sqlite_open(mid_ctx *ctx, const char *dir, void **impl) {
    *impl = NULL;
    /* The directory holds personal data: owner only. */
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        return core_fail(ctx, MID_ERR_IO, "sqlite: cannot create directory %s: %s", dir,
                         strerror(errno));
    }
    size_t n = strlen(dir) + sizeof("/mid.db");
    char *path = malloc(n);
    if (path == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "sqlite: out of memory");
    }
    snprintf(path, n, "%s/mid.db", dir);
    /* Create the file 0600 ourselves; SQLite gives its -wal and -shm files the
     * database file's mode. */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        mid_status st =
            core_fail(ctx, MID_ERR_IO, "sqlite: cannot open %s: %s", path, strerror(errno));
        free(path);
        return st;
    }
    close(fd);
    sq_store *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        free(path);
        return core_fail(ctx, MID_ERR_NOMEM, "sqlite: out of memory");
    }
    int rc = sqlite3_open_v2(
        path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE, NULL);
    free(path);
    if (rc != SQLITE_OK) {
        mid_status st = core_fail(ctx, MID_ERR_STORE, "sqlite: cannot open the database: %s",
                                  s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
        sq_close(s);
        return st;
    }
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, 10000);
    mid_status st = sq_exec(s, ctx,
                            "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
                            "PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON;");
    if (st == MID_OK) {
        st = sq_schema(s, ctx);
    }
    for (int i = 0; st == MID_OK && i < Q_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, sql_text[i], -1, SQLITE_PREPARE_PERSISTENT, &s->q[i], NULL) !=
            SQLITE_OK) {
            st = sq_fail(s, ctx, "preparing a statement");
        }
    }
    if (st != MID_OK) {
        sq_close(s);
        return st;
    }
    *impl = s;
    return MID_OK;
}

/* ---- Persons ---------------------------------------------------------------- */

static mid_status sq_person_put(void *impl, mid_ctx *ctx, int64_t person, const char *pnc,
                                const char *json, size_t len) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_PERSON_PUT];
    sqlite3_bind_int64(q, 1, person);
    sqlite3_bind_text(q, 2, pnc, -1, SQLITE_STATIC);
    sqlite3_bind_text64(q, 3, json, len, SQLITE_STATIC, SQLITE_UTF8);
    mid_status st = run(s, ctx, q, "storing a person");
    if (st == MID_ERR_EXISTS) {
        return core_fail(ctx, MID_ERR_EXISTS,
                         "sqlite: person %lld: the pnc_id belongs to another person",
                         (long long)person);
    }
    return st;
}

static mid_status sq_person_get(void *impl, mid_ctx *ctx, int64_t person, char **json) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_PERSON_GET];
    sqlite3_bind_int64(q, 1, person);
    int rc = sqlite3_step(q);
    mid_status st = MID_OK;
    if (rc == SQLITE_ROW) {
        const unsigned char *text = sqlite3_column_text(q, 0);
        size_t n = (size_t)sqlite3_column_bytes(q, 0);
        *json = malloc(n + 1);
        if (*json == NULL) {
            st = core_fail(ctx, MID_ERR_NOMEM, "sqlite: out of memory");
        } else {
            memcpy(*json, text, n);
            (*json)[n] = '\0';
        }
    } else if (rc == SQLITE_DONE) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: person %lld not found", (long long)person);
    } else {
        st = sq_fail(s, ctx, "reading a person");
    }
    done(q);
    return st;
}

static mid_status sq_person_delete(void *impl, mid_ctx *ctx, int64_t person, bool *found) {
    sq_store *s = impl;
    sqlite3_bind_int64(s->q[Q_PERSON_DEL_PRINTS], 1, person);
    mid_status st = run(s, ctx, s->q[Q_PERSON_DEL_PRINTS], "deleting prints");
    if (st != MID_OK) {
        return st;
    }
    bool any = sqlite3_changes(s->db) > 0;
    sqlite3_bind_int64(s->q[Q_PERSON_DEL], 1, person);
    st = run(s, ctx, s->q[Q_PERSON_DEL], "deleting a person");
    *found = any || sqlite3_changes(s->db) > 0;
    return st;
}

/* Runs a statement returning one row of one or two counts. */
static mid_status sq_counts(sq_store *s, mid_ctx *ctx, sqlite3_stmt *q, uint64_t *a, uint64_t *b) {
    mid_status st = MID_OK;
    if (sqlite3_step(q) == SQLITE_ROW) {
        *a = (uint64_t)sqlite3_column_int64(q, 0);
        if (b != NULL) {
            *b = (uint64_t)sqlite3_column_int64(q, 1);
        }
    } else {
        st = sq_fail(s, ctx, "counting");
    }
    done(q);
    return st;
}

static mid_status sq_person_count(void *impl, mid_ctx *ctx, uint64_t *count) {
    sq_store *s = impl;
    return sq_counts(s, ctx, s->q[Q_PERSON_COUNT], count, NULL);
}

/* ---- Prints ------------------------------------------------------------------- */

static mid_status sq_print_put(void *impl, mid_ctx *ctx, int db, int64_t person, int finger,
                               const uint8_t *blob, size_t len) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_PRINT_PUT];
    sqlite3_bind_int(q, 1, db);
    sqlite3_bind_int64(q, 2, person);
    sqlite3_bind_int(q, 3, finger);
    sqlite3_bind_blob64(q, 4, blob, len, SQLITE_STATIC);
    return run(s, ctx, q, "storing a print");
}

static mid_status sq_print_each(void *impl, mid_ctx *ctx, int db, bool in_tx, store_blob_fn fn,
                                void *user) {
    (void)in_tx; /* a SQLite read statement is consistent on its own */
    sq_store *s = impl;
    /* A statement of our own: the callback may use the shared ones. */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql_text[Q_PRINT_EACH], -1, &q, NULL) != SQLITE_OK) {
        return sq_fail(s, ctx, "listing prints");
    }
    sqlite3_bind_int(q, 1, db);
    mid_status st = MID_OK;
    for (;;) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            break;
        }
        if (rc != SQLITE_ROW) {
            st = sq_fail(s, ctx, "listing prints");
            break;
        }
        int64_t person = sqlite3_column_int64(q, 0);
        int finger = sqlite3_column_int(q, 1);
        const uint8_t *blob = sqlite3_column_blob(q, 2);
        size_t len = (size_t)sqlite3_column_bytes(q, 2);
        if (person < 0 || finger < 1 || finger > 10 || blob == NULL) {
            st = core_fail(ctx, MID_ERR_STORE, "sqlite: a print row is malformed");
            break;
        }
        st = fn(user, (uint64_t)person, (unsigned)finger, blob, len);
        if (st != MID_OK) {
            break;
        }
    }
    sqlite3_finalize(q);
    return st;
}

static mid_status sq_print_count(void *impl, mid_ctx *ctx, int db, uint64_t *prints,
                                 uint64_t *persons) {
    sq_store *s = impl;
    sqlite3_bind_int(s->q[Q_PRINT_COUNT], 1, db);
    return sq_counts(s, ctx, s->q[Q_PRINT_COUNT], prints, persons);
}

/* ---- Officers and devices --------------------------------------------------- */

static mid_status sq_officer_put(void *impl, mid_ctx *ctx, const mid_officer *o) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_OFFICER_PUT];
    sqlite3_bind_text(q, 1, o->collar, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, o->pin_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 3, o->roles);
    sqlite3_bind_int(q, 4, o->disabled ? 1 : 0);
    return run(s, ctx, q, "storing an officer");
}

/* Copies column col of q into dst[cap]; false when absent or too long. */
static bool col_text(sqlite3_stmt *q, int col, char *dst, size_t cap) {
    const unsigned char *t = sqlite3_column_text(q, col);
    return t != NULL &&
           store_copy_text(dst, cap, (const char *)t, (size_t)sqlite3_column_bytes(q, col));
}

static mid_status sq_officer_get(void *impl, mid_ctx *ctx, const char *collar, mid_officer *out) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_OFFICER_GET];
    sqlite3_bind_text(q, 1, collar, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    mid_status st = MID_OK;
    if (rc == SQLITE_ROW) {
        if (!col_text(q, 0, out->collar, sizeof(out->collar)) ||
            !col_text(q, 1, out->pin_hash, sizeof(out->pin_hash))) {
            st = core_fail(ctx, MID_ERR_STORE, "sqlite: officer row is malformed");
        }
        out->roles = (unsigned)sqlite3_column_int64(q, 2);
        out->disabled = sqlite3_column_int(q, 3) != 0;
    } else if (rc == SQLITE_DONE) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: officer %s not found", collar);
    } else {
        st = sq_fail(s, ctx, "reading an officer");
    }
    done(q);
    return st;
}

static mid_status sq_device_add(void *impl, mid_ctx *ctx, const mid_device *d) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_DEVICE_ADD];
    sqlite3_bind_text(q, 1, d->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 2, d->cert_sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(q, 3, d->serial, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 4, d->enrolled_at);
    sqlite3_bind_int64(q, 5, d->revoked_at);
    mid_status st = run(s, ctx, q, "enrolling a device");
    if (st == MID_ERR_EXISTS) {
        return core_fail(ctx, MID_ERR_EXISTS,
                         "store: device %s: the id or the certificate is enrolled already", d->id);
    }
    return st;
}

/* Reads a device row (id, cert, serial, enrolled, revoked). */
static bool device_row(sqlite3_stmt *q, mid_device *out) {
    memset(out, 0, sizeof(*out));
    out->enrolled_at = sqlite3_column_int64(q, 3);
    out->revoked_at = sqlite3_column_int64(q, 4);
    return col_text(q, 0, out->id, sizeof(out->id)) &&
           col_text(q, 1, out->cert_sha256, sizeof(out->cert_sha256)) &&
           col_text(q, 2, out->serial, sizeof(out->serial));
}

static mid_status sq_device_get(void *impl, mid_ctx *ctx, const char *key, bool key_is_cert,
                                mid_device *out) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[key_is_cert ? Q_DEVICE_BY_CERT : Q_DEVICE_GET];
    sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(q);
    mid_status st = MID_OK;
    if (rc == SQLITE_ROW) {
        if (!device_row(q, out)) {
            st = core_fail(ctx, MID_ERR_STORE, "sqlite: device row is malformed");
        }
    } else if (rc == SQLITE_DONE) {
        st = key_is_cert
                 ? core_fail(ctx, MID_ERR_NOT_FOUND, "store: no device with that certificate")
                 : core_fail(ctx, MID_ERR_NOT_FOUND, "store: device %s not found", key);
    } else {
        st = sq_fail(s, ctx, "reading a device");
    }
    done(q);
    return st;
}

static mid_status sq_device_revoke(void *impl, mid_ctx *ctx, const char *id, int64_t when) {
    sq_store *s = impl;
    sqlite3_stmt *q = s->q[Q_DEVICE_REVOKE];
    sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(q, 2, when);
    mid_status st = run(s, ctx, q, "revoking a device");
    if (st == MID_OK && sqlite3_changes(s->db) == 0) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: device %s not found", id);
    }
    return st;
}

static mid_status sq_device_each(void *impl, mid_ctx *ctx, mid_store_device_fn fn, void *user) {
    sq_store *s = impl;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(s->db, sql_text[Q_DEVICE_EACH], -1, &q, NULL) != SQLITE_OK) {
        return sq_fail(s, ctx, "listing devices");
    }
    mid_status st = MID_OK;
    for (;;) {
        int rc = sqlite3_step(q);
        if (rc == SQLITE_DONE) {
            break;
        }
        mid_device d;
        if (rc != SQLITE_ROW) {
            st = sq_fail(s, ctx, "listing devices");
            break;
        }
        if (!device_row(q, &d)) {
            st = core_fail(ctx, MID_ERR_STORE, "sqlite: device row is malformed");
            break;
        }
        if ((st = fn(user, &d)) != MID_OK) {
            break;
        }
    }
    sqlite3_finalize(q);
    return st;
}

const store_ops store_sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .exec = sq_exec,
    .person_put = sq_person_put,
    .person_get = sq_person_get,
    .person_delete = sq_person_delete,
    .person_count = sq_person_count,
    .print_put = sq_print_put,
    .print_each = sq_print_each,
    .print_count = sq_print_count,
    .officer_put = sq_officer_put,
    .officer_get = sq_officer_get,
    .device_add = sq_device_add,
    .device_get = sq_device_get,
    .device_revoke = sq_device_revoke,
    .device_each = sq_device_each,
};
