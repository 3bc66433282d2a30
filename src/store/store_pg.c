/*
 * PostgreSQL back end: one libpq connection, every statement prepared once at
 * open (PQprepare), integers and text passed as text parameters, templates as a
 * binary BYTEA parameter. Gallery walks use a cursor fetched in batches so a
 * gallery of millions never sits in memory at once. Server notices (e.g. from
 * CREATE TABLE IF NOT EXISTS) are swallowed: the library never prints.
 */
#include "store/store_internal.h"

#include "core/core.h"

#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Rows per FETCH of a gallery walk. */
#define PG_FETCH_ROWS 2000

typedef struct pg_stmt {
    const char *name;
    const char *sql;
    int nparams;
} pg_stmt;

enum {
    P_PERSON_PUT,
    P_PERSON_GET,
    P_PERSON_DEL,
    P_PERSON_DEL_PRINTS,
    P_PERSON_COUNT,
    P_PRINT_PUT,
    P_PRINT_COUNT,
    P_OFFICER_PUT,
    P_OFFICER_GET,
    P_DEVICE_ADD,
    P_DEVICE_GET,
    P_DEVICE_BY_CERT,
    P_DEVICE_REVOKE,
    P_DEVICE_EACH,
    P_COUNT
};

static const pg_stmt stmts[P_COUNT] = {
    [P_PERSON_PUT] = {"mid_person_put",
                      "INSERT INTO person(id, pnc_id, record) VALUES($1::bigint, $2, $3) "
                      "ON CONFLICT(id) DO UPDATE SET pnc_id = excluded.pnc_id, "
                      "record = excluded.record",
                      3},
    [P_PERSON_GET] = {"mid_person_get", "SELECT record FROM person WHERE id = $1::bigint", 1},
    [P_PERSON_DEL] = {"mid_person_del", "DELETE FROM person WHERE id = $1::bigint", 1},
    [P_PERSON_DEL_PRINTS] = {"mid_person_del_prints", "DELETE FROM print WHERE person = $1::bigint",
                             1},
    [P_PERSON_COUNT] = {"mid_person_count", "SELECT count(*) FROM person", 0},
    [P_PRINT_PUT] = {"mid_print_put",
                     "INSERT INTO print(db, person, finger, template) "
                     "VALUES($1::smallint, $2::bigint, $3::smallint, $4::bytea) "
                     "ON CONFLICT(db, person, finger) DO UPDATE SET template = excluded.template",
                     4},
    [P_PRINT_COUNT] = {"mid_print_count",
                       "SELECT count(*), count(DISTINCT person) FROM print WHERE db = $1::smallint",
                       1},
    [P_OFFICER_PUT] = {"mid_officer_put",
                       "INSERT INTO officer(collar, pin_hash, roles, disabled) "
                       "VALUES($1, $2, $3::integer, $4::boolean) ON CONFLICT(collar) DO UPDATE "
                       "SET pin_hash = excluded.pin_hash, roles = excluded.roles, "
                       "disabled = excluded.disabled",
                       4},
    [P_OFFICER_GET] = {"mid_officer_get",
                       "SELECT collar, pin_hash, roles, disabled FROM officer WHERE collar = $1",
                       1},
    [P_DEVICE_ADD] = {"mid_device_add",
                      "INSERT INTO device(id, cert_sha256, serial, enrolled_at, revoked_at) "
                      "VALUES($1, $2, $3, $4::bigint, $5::bigint)",
                      5},
    [P_DEVICE_GET] = {"mid_device_get",
                      "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                      "WHERE id = $1",
                      1},
    [P_DEVICE_BY_CERT] = {"mid_device_by_cert",
                          "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                          "WHERE cert_sha256 = $1",
                          1},
    [P_DEVICE_REVOKE] = {"mid_device_revoke",
                         "UPDATE device SET revoked_at = CASE WHEN revoked_at = 0 THEN $2::bigint "
                         "ELSE revoked_at END WHERE id = $1",
                         2},
    [P_DEVICE_EACH] = {"mid_device_each",
                       "SELECT id, cert_sha256, serial, enrolled_at, revoked_at FROM device "
                       "ORDER BY id",
                       0},
};

/* The same schema as store_sqlite.c in PostgreSQL types. The advisory lock
 * makes concurrent first opens (gateway and tool) create it once. */
static const char schema_sql[] =
    "SELECT pg_advisory_xact_lock(7236125);"
    "CREATE TABLE IF NOT EXISTS schema_version(version INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS person(id BIGINT PRIMARY KEY, pnc_id TEXT UNIQUE NOT NULL,"
    " record TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS print(db SMALLINT NOT NULL, person BIGINT NOT NULL,"
    " finger SMALLINT NOT NULL CHECK(finger BETWEEN 1 AND 10), template BYTEA NOT NULL,"
    " PRIMARY KEY(db, person, finger));"
    "CREATE INDEX IF NOT EXISTS print_person ON print(person);"
    "CREATE TABLE IF NOT EXISTS officer(collar TEXT PRIMARY KEY, pin_hash TEXT NOT NULL,"
    " roles INTEGER NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false);"
    "CREATE TABLE IF NOT EXISTS device(id TEXT PRIMARY KEY, cert_sha256 TEXT UNIQUE NOT NULL,"
    " serial TEXT NOT NULL, enrolled_at BIGINT NOT NULL, revoked_at BIGINT NOT NULL DEFAULT 0);"
    "INSERT INTO schema_version SELECT 1 WHERE NOT EXISTS (SELECT 1 FROM schema_version);";

typedef struct pg_store {
    PGconn *conn;
    unsigned cursors; /* nesting depth of gallery walks (cursor names) */
} pg_store;

/* Fails with the server's message (first line only, without the newline). */
static mid_status pg_fail_msg(mid_ctx *ctx, mid_status status, const char *what, const char *msg) {
    char line[160];
    size_t n = strcspn(msg ? msg : "", "\n");
    if (n >= sizeof(line)) {
        n = sizeof(line) - 1;
    }
    memcpy(line, msg ? msg : "", n);
    line[n] = '\0';
    return core_fail(ctx, status, "postgresql: %s: %s", what, line);
}

/* Checks a result; on failure clears it, maps unique violations to
 * MID_ERR_EXISTS and everything else to MID_ERR_STORE. */
static mid_status pg_check(pg_store *p, mid_ctx *ctx, PGresult *r, const char *what) {
    ExecStatusType es = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
    if (es == PGRES_COMMAND_OK || es == PGRES_TUPLES_OK) {
        return MID_OK;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    mid_status st;
    if (state != NULL && strcmp(state, "23505") == 0) {
        st = core_fail(ctx, MID_ERR_EXISTS, "postgresql: %s: a unique key exists already", what);
    } else {
        /* The primary message names the constraint or failure, never parameter values. */
        const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
        st = pg_fail_msg(ctx, MID_ERR_STORE, what, msg ? msg : PQerrorMessage(p->conn));
    }
    PQclear(r);
    return st;
}

static void ignore_notice(void *arg, const char *message) {
    (void)arg;
    (void)message;
}

static void pg_close(void *impl) {
    pg_store *p = impl;
    if (p == NULL) {
        return;
    }
    PQfinish(p->conn);
    free(p);
}

static mid_status pg_exec(void *impl, mid_ctx *ctx, const char *sql) {
    pg_store *p = impl;
    PGresult *r = PQexec(p->conn, sql);
    mid_status st = pg_check(p, ctx, r, sql);
    if (st == MID_OK) {
        PQclear(r);
    }
    return st;
}

mid_status store_pg_open(mid_ctx *ctx, const char *conninfo, void **impl) {
    *impl = NULL;
    pg_store *p = calloc(1, sizeof(*p));
    if (p == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "postgresql: out of memory");
    }
    p->conn = PQconnectdb(conninfo);
    if (p->conn == NULL) {
        free(p);
        return core_fail(ctx, MID_ERR_NOMEM, "postgresql: out of memory");
    }
    if (PQstatus(p->conn) != CONNECTION_OK) {
        mid_status st = pg_fail_msg(ctx, MID_ERR_STORE, "cannot connect", PQerrorMessage(p->conn));
        pg_close(p);
        return st;
    }
    PQsetNoticeProcessor(p->conn, ignore_notice, NULL);
    mid_status st = pg_exec(p, ctx, "SET client_encoding = 'UTF8'");
    if (st == MID_OK) {
        st = pg_exec(p, ctx, "BEGIN");
    }
    if (st == MID_OK) {
        st = pg_exec(p, ctx, schema_sql);
        if (st == MID_OK) {
            st = pg_exec(p, ctx, "COMMIT");
        } else {
            (void)pg_exec(p, NULL, "ROLLBACK");
        }
    }
    if (st == MID_OK) {
        PGresult *r = PQexec(p->conn, "SELECT max(version) FROM schema_version");
        st = pg_check(p, ctx, r, "reading the schema version");
        if (st == MID_OK) {
            long v = PQntuples(r) == 1 ? strtol(PQgetvalue(r, 0, 0), NULL, 10) : 0;
            if (v != STORE_SCHEMA_VERSION) {
                st = core_fail(ctx, MID_ERR_UNSUPPORTED,
                               "postgresql: schema version %ld (expected %d)", v,
                               STORE_SCHEMA_VERSION);
            }
            PQclear(r);
        }
    }
    for (int i = 0; st == MID_OK && i < P_COUNT; i++) {
        PGresult *r = PQprepare(p->conn, stmts[i].name, stmts[i].sql, stmts[i].nparams, NULL);
        st = pg_check(p, ctx, r, "preparing a statement");
        if (st == MID_OK) {
            PQclear(r);
        }
    }
    if (st != MID_OK) {
        pg_close(p);
        return st;
    }
    *impl = p;
    return MID_OK;
}

/* Runs prepared statement i with text parameters (lengths and formats only
 * for a binary last parameter); returns the result or NULL after failing. */
static PGresult *pg_run(pg_store *p, mid_ctx *ctx, int i, const char *const *values,
                        const int *lengths, const int *formats, const char *what, mid_status *st) {
    PGresult *r =
        PQexecPrepared(p->conn, stmts[i].name, stmts[i].nparams, values, lengths, formats, 0);
    *st = pg_check(p, ctx, r, what);
    return *st == MID_OK ? r : NULL;
}

/* Runs a statement whose result is not needed. */
static mid_status pg_run_clear(pg_store *p, mid_ctx *ctx, int i, const char *const *values,
                               const char *what, uint64_t *affected) {
    mid_status st;
    PGresult *r = pg_run(p, ctx, i, values, NULL, NULL, what, &st);
    if (r != NULL) {
        if (affected != NULL) {
            *affected = strtoull(PQcmdTuples(r), NULL, 10);
        }
        PQclear(r);
    }
    return st;
}

/* ---- Persons ---------------------------------------------------------------- */

static mid_status pg_person_put(void *impl, mid_ctx *ctx, int64_t person, const char *pnc,
                                const char *json, size_t len) {
    pg_store *p = impl;
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, person);
    /* The record is not NUL-terminated: pass it with its length. */
    const char *values[3] = {id, pnc, json};
    int lengths[3] = {0, 0, (int)len};
    int formats[3] = {0, 0, 1};
    mid_status st;
    PGresult *r = pg_run(p, ctx, P_PERSON_PUT, values, lengths, formats, "storing a person", &st);
    PQclear(r);
    if (st == MID_ERR_EXISTS) {
        return core_fail(ctx, MID_ERR_EXISTS,
                         "postgresql: person %" PRId64 ": the pnc_id belongs to another person",
                         person);
    }
    return st;
}

static mid_status pg_person_get(void *impl, mid_ctx *ctx, int64_t person, char **json) {
    pg_store *p = impl;
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, person);
    const char *values[1] = {id};
    mid_status st;
    PGresult *r = pg_run(p, ctx, P_PERSON_GET, values, NULL, NULL, "reading a person", &st);
    if (r == NULL) {
        return st;
    }
    if (PQntuples(r) == 0) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: person %" PRId64 " not found", person);
    } else {
        size_t n = (size_t)PQgetlength(r, 0, 0);
        *json = malloc(n + 1);
        if (*json == NULL) {
            st = core_fail(ctx, MID_ERR_NOMEM, "postgresql: out of memory");
        } else {
            memcpy(*json, PQgetvalue(r, 0, 0), n);
            (*json)[n] = '\0';
        }
    }
    PQclear(r);
    return st;
}

static mid_status pg_person_delete(void *impl, mid_ctx *ctx, int64_t person, bool *found) {
    pg_store *p = impl;
    char id[24];
    snprintf(id, sizeof(id), "%" PRId64, person);
    const char *values[1] = {id};
    uint64_t prints = 0, persons = 0;
    mid_status st = pg_run_clear(p, ctx, P_PERSON_DEL_PRINTS, values, "deleting prints", &prints);
    if (st == MID_OK) {
        st = pg_run_clear(p, ctx, P_PERSON_DEL, values, "deleting a person", &persons);
    }
    *found = prints > 0 || persons > 0;
    return st;
}

/* Runs a counting statement: one row of one or two numbers. */
static mid_status pg_counts(pg_store *p, mid_ctx *ctx, int i, const char *const *values,
                            uint64_t *a, uint64_t *b) {
    mid_status st;
    PGresult *r = pg_run(p, ctx, i, values, NULL, NULL, "counting", &st);
    if (r == NULL) {
        return st;
    }
    if (PQntuples(r) != 1) {
        st = core_fail(ctx, MID_ERR_STORE, "postgresql: counting: no result row");
    } else {
        *a = strtoull(PQgetvalue(r, 0, 0), NULL, 10);
        if (b != NULL) {
            *b = strtoull(PQgetvalue(r, 0, 1), NULL, 10);
        }
    }
    PQclear(r);
    return st;
}

static mid_status pg_person_count(void *impl, mid_ctx *ctx, uint64_t *count) {
    return pg_counts(impl, ctx, P_PERSON_COUNT, NULL, count, NULL);
}

/* ---- Prints ------------------------------------------------------------------- */

static mid_status pg_print_put(void *impl, mid_ctx *ctx, int db, int64_t person, int finger,
                               const uint8_t *blob, size_t len) {
    pg_store *p = impl;
    char dbs[8], id[24], fs[8];
    snprintf(dbs, sizeof(dbs), "%d", db);
    snprintf(id, sizeof(id), "%" PRId64, person);
    snprintf(fs, sizeof(fs), "%d", finger);
    const char *values[4] = {dbs, id, fs, (const char *)blob};
    int lengths[4] = {0, 0, 0, (int)len}; /* len <= MID_MAX_GALLERY_TEMPLATE_BYTES-ish */
    int formats[4] = {0, 0, 0, 1};
    mid_status st;
    PGresult *r = pg_run(p, ctx, P_PRINT_PUT, values, lengths, formats, "storing a print", &st);
    PQclear(r);
    return st;
}

/* Big-endian integers of the binary result format. */
static int64_t be64(const uint8_t *b) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) {
        v = v << 8 | b[i];
    }
    return (int64_t)v;
}

static mid_status pg_print_each(void *impl, mid_ctx *ctx, int db, bool in_tx, store_blob_fn fn,
                                void *user) {
    pg_store *p = impl;
    /* A cursor lives in a transaction: the caller's bulk one, or ours. */
    mid_status st = in_tx ? MID_OK : pg_exec(p, ctx, "BEGIN");
    if (st != MID_OK) {
        return st;
    }
    char name[32], sql[256];
    snprintf(name, sizeof(name), "mid_walk_%u", p->cursors);
    snprintf(sql, sizeof(sql),
             "DECLARE %s NO SCROLL CURSOR FOR SELECT person, finger, template FROM print "
             "WHERE db = %d ORDER BY person, finger",
             name, db);
    st = pg_exec(p, ctx, sql);
    bool declared = st == MID_OK;
    p->cursors++;
    char fetch[64];
    snprintf(fetch, sizeof(fetch), "FETCH %d FROM %s", PG_FETCH_ROWS, name);
    while (st == MID_OK) {
        /* Binary results: int8, int2 and the raw bytea. */
        PGresult *r = PQexecParams(p->conn, fetch, 0, NULL, NULL, NULL, NULL, 1);
        st = pg_check(p, ctx, r, "listing prints");
        if (st != MID_OK) {
            break;
        }
        int rows = PQntuples(r);
        for (int i = 0; i < rows && st == MID_OK; i++) {
            const uint8_t *pv = (const uint8_t *)PQgetvalue(r, i, 0);
            const uint8_t *fv = (const uint8_t *)PQgetvalue(r, i, 1);
            if (PQgetlength(r, i, 0) != 8 || PQgetlength(r, i, 1) != 2) {
                st = core_fail(ctx, MID_ERR_STORE, "postgresql: a print row is malformed");
                break;
            }
            int64_t person = be64(pv);
            int finger = fv[0] << 8 | fv[1];
            if (person < 0 || finger < 1 || finger > 10) {
                st = core_fail(ctx, MID_ERR_STORE, "postgresql: a print row is malformed");
                break;
            }
            st = fn(user, (uint64_t)person, (unsigned)finger, (const uint8_t *)PQgetvalue(r, i, 2),
                    (size_t)PQgetlength(r, i, 2));
        }
        PQclear(r);
        if (rows == 0) {
            break;
        }
    }
    p->cursors--;
    if (in_tx) {
        if (declared) {
            snprintf(sql, sizeof(sql), "CLOSE %s", name);
            (void)pg_exec(p, NULL, sql); /* fails harmlessly when the transaction aborted */
        }
    } else if (st == MID_OK) {
        st = pg_exec(p, ctx, "COMMIT");
    } else {
        (void)pg_exec(p, NULL, "ROLLBACK");
    }
    return st;
}

static mid_status pg_print_count(void *impl, mid_ctx *ctx, int db, uint64_t *prints,
                                 uint64_t *persons) {
    char dbs[8];
    snprintf(dbs, sizeof(dbs), "%d", db);
    const char *values[1] = {dbs};
    return pg_counts(impl, ctx, P_PRINT_COUNT, values, prints, persons);
}

/* ---- Officers and devices --------------------------------------------------- */

static mid_status pg_officer_put(void *impl, mid_ctx *ctx, const mid_officer *o) {
    char roles[16];
    snprintf(roles, sizeof(roles), "%u", o->roles);
    const char *values[4] = {o->collar, o->pin_hash, roles, o->disabled ? "true" : "false"};
    return pg_run_clear(impl, ctx, P_OFFICER_PUT, values, "storing an officer", NULL);
}

static mid_status pg_officer_get(void *impl, mid_ctx *ctx, const char *collar, mid_officer *out) {
    const char *values[1] = {collar};
    mid_status st;
    PGresult *r = pg_run(impl, ctx, P_OFFICER_GET, values, NULL, NULL, "reading an officer", &st);
    if (r == NULL) {
        return st;
    }
    if (PQntuples(r) == 0) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: officer %s not found", collar);
    } else if (!store_copy_text(out->collar, sizeof(out->collar), PQgetvalue(r, 0, 0),
                                (size_t)PQgetlength(r, 0, 0)) ||
               !store_copy_text(out->pin_hash, sizeof(out->pin_hash), PQgetvalue(r, 0, 1),
                                (size_t)PQgetlength(r, 0, 1))) {
        st = core_fail(ctx, MID_ERR_STORE, "postgresql: officer row is malformed");
    } else {
        out->roles = (unsigned)strtoul(PQgetvalue(r, 0, 2), NULL, 10);
        out->disabled = PQgetvalue(r, 0, 3)[0] == 't';
    }
    PQclear(r);
    return st;
}

static mid_status pg_device_add(void *impl, mid_ctx *ctx, const mid_device *d) {
    char enrolled[24], revoked[24];
    snprintf(enrolled, sizeof(enrolled), "%" PRId64, d->enrolled_at);
    snprintf(revoked, sizeof(revoked), "%" PRId64, d->revoked_at);
    const char *values[5] = {d->id, d->cert_sha256, d->serial, enrolled, revoked};
    mid_status st = pg_run_clear(impl, ctx, P_DEVICE_ADD, values, "enrolling a device", NULL);
    if (st == MID_ERR_EXISTS) {
        return core_fail(ctx, MID_ERR_EXISTS,
                         "store: device %s: the id or the certificate is enrolled already", d->id);
    }
    return st;
}

/* Reads device row i (id, cert, serial, enrolled, revoked). */
static bool device_row(PGresult *r, int i, mid_device *out) {
    memset(out, 0, sizeof(*out));
    out->enrolled_at = strtoll(PQgetvalue(r, i, 3), NULL, 10);
    out->revoked_at = strtoll(PQgetvalue(r, i, 4), NULL, 10);
    return store_copy_text(out->id, sizeof(out->id), PQgetvalue(r, i, 0),
                           (size_t)PQgetlength(r, i, 0)) &&
           store_copy_text(out->cert_sha256, sizeof(out->cert_sha256), PQgetvalue(r, i, 1),
                           (size_t)PQgetlength(r, i, 1)) &&
           store_copy_text(out->serial, sizeof(out->serial), PQgetvalue(r, i, 2),
                           (size_t)PQgetlength(r, i, 2));
}

static mid_status pg_device_get(void *impl, mid_ctx *ctx, const char *key, bool key_is_cert,
                                mid_device *out) {
    const char *values[1] = {key};
    mid_status st;
    PGresult *r = pg_run(impl, ctx, key_is_cert ? P_DEVICE_BY_CERT : P_DEVICE_GET, values, NULL,
                         NULL, "reading a device", &st);
    if (r == NULL) {
        return st;
    }
    if (PQntuples(r) == 0) {
        st = key_is_cert
                 ? core_fail(ctx, MID_ERR_NOT_FOUND, "store: no device with that certificate")
                 : core_fail(ctx, MID_ERR_NOT_FOUND, "store: device %s not found", key);
    } else if (!device_row(r, 0, out)) {
        st = core_fail(ctx, MID_ERR_STORE, "postgresql: device row is malformed");
    }
    PQclear(r);
    return st;
}

static mid_status pg_device_revoke(void *impl, mid_ctx *ctx, const char *id, int64_t when) {
    char ws[24];
    snprintf(ws, sizeof(ws), "%" PRId64, when);
    const char *values[2] = {id, ws};
    uint64_t n = 0;
    mid_status st = pg_run_clear(impl, ctx, P_DEVICE_REVOKE, values, "revoking a device", &n);
    if (st == MID_OK && n == 0) {
        st = core_fail(ctx, MID_ERR_NOT_FOUND, "store: device %s not found", id);
    }
    return st;
}

static mid_status pg_device_each(void *impl, mid_ctx *ctx, mid_store_device_fn fn, void *user) {
    mid_status st;
    /* The fleet is small (thousands of rows): one result. */
    PGresult *r = pg_run(impl, ctx, P_DEVICE_EACH, NULL, NULL, NULL, "listing devices", &st);
    if (r == NULL) {
        return st;
    }
    int rows = PQntuples(r);
    for (int i = 0; i < rows && st == MID_OK; i++) {
        mid_device d;
        if (!device_row(r, i, &d)) {
            st = core_fail(ctx, MID_ERR_STORE, "postgresql: device row is malformed");
        } else {
            st = fn(user, &d);
        }
    }
    PQclear(r);
    return st;
}

const store_ops store_pg_ops = {
    .name = "postgresql",
    .close = pg_close,
    .exec = pg_exec,
    .person_put = pg_person_put,
    .person_get = pg_person_get,
    .person_delete = pg_person_delete,
    .person_count = pg_person_count,
    .print_put = pg_print_put,
    .print_each = pg_print_each,
    .print_count = pg_print_count,
    .officer_put = pg_officer_put,
    .officer_get = pg_officer_get,
    .device_add = pg_device_add,
    .device_get = pg_device_get,
    .device_revoke = pg_device_revoke,
    .device_each = pg_device_each,
};
