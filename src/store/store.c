/*
 * The store's front end: URI dispatch, argument validation, person-record
 * checks, template encoding, locking and the bulk-transaction state shared by
 * both back ends (store_internal.h).
 */
#include "store/store_internal.h"

#include "core/core.h"
#include "mid/json.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- Names ------------------------------------------------------------------ */

const char *mid_db_name(mid_db db) {
    switch (db) {
    case MID_DB_IDENT1:
        return "IDENT1";
    case MID_DB_IABS:
        return "IABS";
    case MID_DB_COUNT:
        break;
    }
    return "unknown";
}

int mid_db_parse(const char *name) {
    if (name == NULL) {
        return -1;
    }
    for (int i = 0; i < (int)MID_DB_COUNT; i++) {
        if (strcasecmp(name, mid_db_name((mid_db)i)) == 0) {
            return i;
        }
    }
    return -1;
}

static const char *const role_names[] = {"officer", "supervisor", "auditor", "administrator"};

const char *mid_role_name(mid_role r) {
    for (unsigned i = 0; i < 4; i++) {
        if ((unsigned)r == 1u << i) {
            return role_names[i];
        }
    }
    return "unknown";
}

unsigned mid_role_parse(const char *name) {
    if (name == NULL) {
        return 0;
    }
    for (unsigned i = 0; i < 4; i++) {
        if (strcmp(name, role_names[i]) == 0) {
            return 1u << i;
        }
    }
    return 0;
}

bool store_copy_text(char *dst, size_t cap, const char *src, size_t len) {
    if (len >= cap) {
        return false;
    }
    memcpy(dst, src, len);
    dst[len] = '\0';
    return true;
}

/* ---- Open and close ---------------------------------------------------------- */

mid_status mid_store_open(mid_ctx *ctx, const char *uri, mid_store **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no output given");
    }
    *out = NULL;
    if (uri == NULL || uri[0] == '\0') {
        return core_fail(ctx, MID_ERR_ARG, "store: empty URI");
    }
    if (strlen(uri) > MID_STORE_MAX_URI) {
        return core_fail(ctx, MID_ERR_LIMIT, "store: URI longer than %u bytes", MID_STORE_MAX_URI);
    }
    const store_ops *ops;
    const char *arg;
    if (strncmp(uri, "postgresql://", 13) == 0 || strncmp(uri, "postgres://", 11) == 0) {
        ops = &store_pg_ops;
        arg = uri;
    } else if (strncmp(uri, "sqlite:", 7) == 0) {
        ops = &store_sqlite_ops;
        arg = uri + 7;
    } else if (strstr(uri, "://") == NULL) {
        ops = &store_sqlite_ops;
        arg = uri;
    } else {
        return core_fail(ctx, MID_ERR_ARG,
                         "store: unsupported URI scheme (use sqlite:DIR, a directory or "
                         "postgresql://...)");
    }
    if (arg[0] == '\0') {
        return core_fail(ctx, MID_ERR_ARG, "store: no directory in the sqlite: URI");
    }
    mid_store *st = calloc(1, sizeof(*st));
    if (st == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "store: out of memory");
    }
    pthread_mutexattr_t attr;
    if (pthread_mutexattr_init(&attr) != 0 ||
        pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE) != 0 ||
        pthread_mutex_init(&st->lock, &attr) != 0) {
        free(st);
        return core_fail(ctx, MID_ERR_NOMEM, "store: cannot create its mutex");
    }
    pthread_mutexattr_destroy(&attr);
    st->ops = ops;
    mid_status s = ops == &store_pg_ops ? store_pg_open(ctx, arg, &st->impl)
                                        : store_sqlite_open(ctx, arg, &st->impl);
    if (s != MID_OK) {
        pthread_mutex_destroy(&st->lock);
        free(st);
        return s;
    }
    *out = st;
    return MID_OK;
}

void mid_store_close(mid_store *st) {
    if (st == NULL) {
        return;
    }
    if (st->in_tx) {
        /* An unfinished bulk load is discarded, never half-committed. */
        (void)st->ops->exec(st->impl, NULL, "ROLLBACK");
    }
    st->ops->close(st->impl);
    pthread_mutex_destroy(&st->lock);
    free(st);
}

const char *mid_store_backend(const mid_store *st) {
    return st ? st->ops->name : "none";
}

/* Every public call brackets its back-end work with lock/unlock. */
static void lock(mid_store *st) {
    pthread_mutex_lock(&st->lock);
}

/* Releases the lock; a failed write inside a bulk transaction poisons it (a
 * PostgreSQL transaction is aborted by any error, so both back ends behave the
 * same: the commit rolls back). */
static mid_status unlock(mid_store *st, mid_status s) {
    if (st->in_tx && s != MID_OK && s != MID_ERR_NOT_FOUND && s != MID_ERR_ARG &&
        s != MID_ERR_CANCELLED) {
        st->tx_failed = true;
    }
    pthread_mutex_unlock(&st->lock);
    return s;
}

#define CHECK_STORE(st, ctx)                                                                       \
    do {                                                                                           \
        if ((st) == NULL) {                                                                        \
            return core_fail((ctx), MID_ERR_ARG, "store: no store given");                         \
        }                                                                                          \
    } while (0)

/* Person ids are stored as signed 64-bit integers (SQL BIGINT). */
static mid_status check_person(mid_ctx *ctx, uint64_t person) {
    if (person > (uint64_t)INT64_MAX) {
        return core_fail(ctx, MID_ERR_ARG, "store: person id above 2^63 - 1");
    }
    return MID_OK;
}

/* ---- Transactions ------------------------------------------------------------- */

mid_status mid_store_begin(mid_store *st, mid_ctx *ctx) {
    CHECK_STORE(st, ctx);
    lock(st);
    if (st->in_tx) {
        pthread_mutex_unlock(&st->lock);
        return core_fail(ctx, MID_ERR_ARG, "store: a transaction is already open");
    }
    mid_status s = st->ops->exec(st->impl, ctx, "BEGIN");
    if (s == MID_OK) {
        st->in_tx = true;
        st->tx_failed = false;
    }
    return unlock(st, s);
}

mid_status mid_store_commit(mid_store *st, mid_ctx *ctx) {
    CHECK_STORE(st, ctx);
    lock(st);
    if (!st->in_tx) {
        pthread_mutex_unlock(&st->lock);
        return core_fail(ctx, MID_ERR_ARG, "store: commit without begin");
    }
    mid_status s;
    if (st->tx_failed) {
        (void)st->ops->exec(st->impl, NULL, "ROLLBACK");
        s = core_fail(ctx, MID_ERR_STORE,
                      "%s: a call inside the transaction failed; everything since begin was "
                      "rolled back",
                      st->ops->name);
    } else {
        s = st->ops->exec(st->impl, ctx, "COMMIT");
        if (s != MID_OK) {
            (void)st->ops->exec(st->impl, NULL, "ROLLBACK");
        }
    }
    st->in_tx = false;
    st->tx_failed = false;
    pthread_mutex_unlock(&st->lock);
    return s;
}

mid_status mid_store_rollback(mid_store *st, mid_ctx *ctx) {
    CHECK_STORE(st, ctx);
    lock(st);
    if (!st->in_tx) {
        pthread_mutex_unlock(&st->lock);
        return core_fail(ctx, MID_ERR_ARG, "store: rollback without begin");
    }
    mid_status s = st->ops->exec(st->impl, ctx, "ROLLBACK");
    st->in_tx = false;
    st->tx_failed = false;
    pthread_mutex_unlock(&st->lock);
    return s;
}

/* ---- Persons ---------------------------------------------------------------- */

mid_status mid_store_person_put(mid_store *st, mid_ctx *ctx, const char *record_json, size_t len) {
    CHECK_STORE(st, ctx);
    if (record_json == NULL || len == 0) {
        return core_fail(ctx, MID_ERR_ARG, "store: empty person record");
    }
    if (len > MID_STORE_MAX_RECORD_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "store: person record longer than %u bytes",
                         MID_STORE_MAX_RECORD_BYTES);
    }
    mid_json *doc = NULL;
    mid_status s = mid_json_parse(ctx, record_json, len, &doc);
    if (s != MID_OK) {
        return s; /* the parser's detail names the offset, not the content */
    }
    const mid_json_value *root = mid_json_root(doc);
    int64_t person = -1;
    size_t pnc_len = 0;
    const char *pnc = NULL;
    if (mid_json_type_of(root) != MID_JSON_OBJECT) {
        s = core_fail(ctx, MID_ERR_FORMAT, "store: a person record must be a JSON object");
    } else if (!mid_json_int64(mid_json_get(root, "person"), &person) || person < 0) {
        s = core_fail(ctx, MID_ERR_FORMAT,
                      "store: person record without a \"person\" id (a whole number >= 0)");
    } else if ((pnc = mid_json_string(mid_json_get(root, "pnc_id"), &pnc_len)) == NULL ||
               pnc_len == 0 || pnc_len > MID_STORE_MAX_PNC) {
        s = core_fail(ctx, MID_ERR_FORMAT,
                      "store: person %lld: record without a \"pnc_id\" string of 1..%u bytes",
                      (long long)person, MID_STORE_MAX_PNC);
    }
    if (s == MID_OK) {
        char pnc_buf[MID_STORE_MAX_PNC + 1];
        memcpy(pnc_buf, pnc, pnc_len);
        pnc_buf[pnc_len] = '\0';
        lock(st);
        s = unlock(st, st->ops->person_put(st->impl, ctx, person, pnc_buf, record_json, len));
    }
    mid_json_free(doc);
    return s;
}

mid_status mid_store_person_get(mid_store *st, mid_ctx *ctx, uint64_t person, char **record_json) {
    CHECK_STORE(st, ctx);
    if (record_json == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no output given");
    }
    *record_json = NULL;
    mid_status s = check_person(ctx, person);
    if (s != MID_OK) {
        return s;
    }
    lock(st);
    return unlock(st, st->ops->person_get(st->impl, ctx, (int64_t)person, record_json));
}

mid_status mid_store_person_delete(mid_store *st, mid_ctx *ctx, uint64_t person) {
    CHECK_STORE(st, ctx);
    mid_status s = check_person(ctx, person);
    if (s != MID_OK) {
        return s;
    }
    lock(st);
    /* Record and prints go together: inside the caller's transaction, or one of our own. */
    bool own_tx = !st->in_tx;
    if (own_tx && (s = st->ops->exec(st->impl, ctx, "BEGIN")) != MID_OK) {
        return unlock(st, s);
    }
    bool found = false;
    s = st->ops->person_delete(st->impl, ctx, (int64_t)person, &found);
    if (own_tx) {
        if (s == MID_OK) {
            s = st->ops->exec(st->impl, ctx, "COMMIT");
        }
        if (s != MID_OK) {
            (void)st->ops->exec(st->impl, NULL, "ROLLBACK");
        }
    }
    if (s == MID_OK && !found) {
        s = core_fail(ctx, MID_ERR_NOT_FOUND, "store: person %llu not found",
                      (unsigned long long)person);
    }
    return unlock(st, s);
}

mid_status mid_store_person_count(mid_store *st, mid_ctx *ctx, uint64_t *count) {
    CHECK_STORE(st, ctx);
    if (count == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no output given");
    }
    lock(st);
    return unlock(st, st->ops->person_count(st->impl, ctx, count));
}

/* ---- Prints ------------------------------------------------------------------- */

static mid_status check_db(mid_ctx *ctx, mid_db db) {
    if ((unsigned)db >= (unsigned)MID_DB_COUNT) {
        return core_fail(ctx, MID_ERR_ARG, "store: unknown gallery %d", (int)db);
    }
    return MID_OK;
}

mid_status mid_store_print_put(mid_store *st, mid_ctx *ctx, mid_db db, uint64_t person,
                               unsigned finger, const mid_template *t) {
    CHECK_STORE(st, ctx);
    mid_status s = check_db(ctx, db);
    if (s == MID_OK) {
        s = check_person(ctx, person);
    }
    if (s != MID_OK) {
        return s;
    }
    if (finger < 1 || finger > 10) {
        return core_fail(ctx, MID_ERR_ARG, "store: finger position %u outside 1..10", finger);
    }
    if (t == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no template given");
    }
    void *blob = NULL;
    size_t len = 0;
    s = mid_template_encode(ctx, t, MID_TEMPLATE_NATIVE, &blob, &len);
    if (s != MID_OK) {
        return s;
    }
    lock(st);
    s = unlock(st,
               st->ops->print_put(st->impl, ctx, (int)db, (int64_t)person, (int)finger, blob, len));
    mid_wipe(blob, len);
    mid_free(blob);
    return s;
}

typedef struct each_state {
    mid_ctx *ctx;
    mid_store_print_fn fn;
    void *user;
} each_state;

/* Decodes one stored blob and hands the template to the caller. */
static mid_status each_blob(void *user, uint64_t person, unsigned finger, const uint8_t *blob,
                            size_t len) {
    each_state *es = user;
    mid_template *t = NULL;
    mid_status s = mid_template_decode(es->ctx, blob, len, MID_TEMPLATE_NATIVE, &t);
    if (s != MID_OK) {
        return core_fail(es->ctx, MID_ERR_STORE, "store: print of person %llu finger %u: %s",
                         (unsigned long long)person, finger, mid_ctx_error(es->ctx));
    }
    s = es->fn(es->user, person, finger, t);
    mid_template_free(t);
    return s;
}

mid_status mid_store_print_each(mid_store *st, mid_ctx *ctx, mid_db db, mid_store_print_fn fn,
                                void *user) {
    CHECK_STORE(st, ctx);
    mid_status s = check_db(ctx, db);
    if (s != MID_OK) {
        return s;
    }
    if (fn == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no callback given");
    }
    each_state es = {ctx, fn, user};
    lock(st);
    s = st->ops->print_each(st->impl, ctx, (int)db, st->in_tx, each_blob, &es);
    if (s == MID_ERR_STORE) {
        return unlock(st, s);
    }
    /* A caller's stop is not a store failure: it does not poison a transaction. */
    pthread_mutex_unlock(&st->lock);
    return s;
}

mid_status mid_store_print_count(mid_store *st, mid_ctx *ctx, mid_db db, uint64_t *prints,
                                 uint64_t *persons) {
    CHECK_STORE(st, ctx);
    mid_status s = check_db(ctx, db);
    if (s != MID_OK) {
        return s;
    }
    uint64_t p = 0, q = 0;
    lock(st);
    s = unlock(st, st->ops->print_count(st->impl, ctx, (int)db, &p, &q));
    if (prints != NULL) {
        *prints = p;
    }
    if (persons != NULL) {
        *persons = q;
    }
    return s;
}

/* ---- Officers ---------------------------------------------------------------- */

/* 1..max-1 characters of [A-Za-z0-9] plus the given extra punctuation, NUL-terminated
 * within max bytes. */
static bool valid_name(const char *s, size_t max, const char *extra) {
    size_t n = 0;
    for (; n < max && s[n] != '\0'; n++) {
        char c = s[n];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  strchr(extra, c) != NULL;
        if (!ok) {
            return false;
        }
    }
    return n > 0 && n < max;
}

static bool valid_hex(const char *s, size_t min, size_t max_with_nul) {
    size_t n = 0;
    for (; n < max_with_nul && s[n] != '\0'; n++) {
        char c = s[n];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return n >= min && n < max_with_nul;
}

mid_status mid_store_officer_put(mid_store *st, mid_ctx *ctx, const mid_officer *o) {
    CHECK_STORE(st, ctx);
    if (o == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no officer given");
    }
    if (!valid_name(o->collar, MID_COLLAR_SIZE, "-")) {
        return core_fail(ctx, MID_ERR_ARG, "store: collar number must be 1..%u of [A-Za-z0-9-]",
                         MID_COLLAR_SIZE - 1);
    }
    size_t hl = strnlen(o->pin_hash, MID_PIN_HASH_SIZE);
    if (hl == 0 || hl == MID_PIN_HASH_SIZE || o->pin_hash[0] != '$') {
        return core_fail(ctx, MID_ERR_ARG, "store: officer %s: the PIN hash is not a PHC string",
                         o->collar);
    }
    if (o->roles == 0 || (o->roles & ~0xFu) != 0) {
        return core_fail(ctx, MID_ERR_ARG, "store: officer %s: roles must be a non-empty set",
                         o->collar);
    }
    lock(st);
    return unlock(st, st->ops->officer_put(st->impl, ctx, o));
}

mid_status mid_store_officer_get(mid_store *st, mid_ctx *ctx, const char *collar,
                                 mid_officer *out) {
    CHECK_STORE(st, ctx);
    if (collar == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no collar number or output given");
    }
    memset(out, 0, sizeof(*out));
    if (!valid_name(collar, MID_COLLAR_SIZE, "-")) {
        return core_fail(ctx, MID_ERR_NOT_FOUND, "store: no such officer (malformed collar)");
    }
    lock(st);
    return unlock(st, st->ops->officer_get(st->impl, ctx, collar, out));
}

/* ---- Devices ------------------------------------------------------------------ */

mid_status mid_store_device_add(mid_store *st, mid_ctx *ctx, const mid_device *d) {
    CHECK_STORE(st, ctx);
    if (d == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no device given");
    }
    if (!valid_name(d->id, MID_DEVICE_ID_SIZE, "._-")) {
        return core_fail(ctx, MID_ERR_ARG, "store: device id must be 1..%u of [A-Za-z0-9._-]",
                         MID_DEVICE_ID_SIZE - 1);
    }
    if (!valid_hex(d->cert_sha256, 64, MID_CERT_HASH_SIZE)) {
        return core_fail(ctx, MID_ERR_ARG,
                         "store: device %s: certificate hash must be 64 lower-case hex digits",
                         d->id);
    }
    if (!valid_hex(d->serial, 1, sizeof(d->serial))) {
        return core_fail(ctx, MID_ERR_ARG,
                         "store: device %s: serial must be 1..40 lower-case hex digits", d->id);
    }
    if (d->enrolled_at <= 0 || d->revoked_at < 0) {
        return core_fail(ctx, MID_ERR_ARG, "store: device %s: bad enrolment or revocation time",
                         d->id);
    }
    lock(st);
    return unlock(st, st->ops->device_add(st->impl, ctx, d));
}

mid_status mid_store_device_get(mid_store *st, mid_ctx *ctx, const char *id, mid_device *out) {
    CHECK_STORE(st, ctx);
    if (id == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no device id or output given");
    }
    memset(out, 0, sizeof(*out));
    if (!valid_name(id, MID_DEVICE_ID_SIZE, "._-")) {
        return core_fail(ctx, MID_ERR_NOT_FOUND, "store: no such device (malformed id)");
    }
    lock(st);
    return unlock(st, st->ops->device_get(st->impl, ctx, id, false, out));
}

mid_status mid_store_device_by_cert(mid_store *st, mid_ctx *ctx, const char *cert_sha256,
                                    mid_device *out) {
    CHECK_STORE(st, ctx);
    if (cert_sha256 == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no certificate hash or output given");
    }
    memset(out, 0, sizeof(*out));
    if (!valid_hex(cert_sha256, 64, MID_CERT_HASH_SIZE)) {
        return core_fail(ctx, MID_ERR_NOT_FOUND, "store: no device with that certificate");
    }
    lock(st);
    return unlock(st, st->ops->device_get(st->impl, ctx, cert_sha256, true, out));
}

mid_status mid_store_device_revoke(mid_store *st, mid_ctx *ctx, const char *id, int64_t when) {
    CHECK_STORE(st, ctx);
    if (id == NULL || when <= 0) {
        return core_fail(ctx, MID_ERR_ARG, "store: no device id or a bad revocation time");
    }
    if (!valid_name(id, MID_DEVICE_ID_SIZE, "._-")) {
        return core_fail(ctx, MID_ERR_NOT_FOUND, "store: no such device (malformed id)");
    }
    lock(st);
    return unlock(st, st->ops->device_revoke(st->impl, ctx, id, when));
}

mid_status mid_store_device_each(mid_store *st, mid_ctx *ctx, mid_store_device_fn fn, void *user) {
    CHECK_STORE(st, ctx);
    if (fn == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "store: no callback given");
    }
    lock(st);
    mid_status s = st->ops->device_each(st->impl, ctx, fn, user);
    pthread_mutex_unlock(&st->lock);
    return s;
}
