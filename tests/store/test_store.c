/*
 * The store contract (mid/store.h), run against SQLite in a scratch directory
 * and, when a PostgreSQL server is available, against PostgreSQL: the same
 * tests, the same expectations. PostgreSQL comes from MID_TEST_PG_URI, or from
 * the file named by MID_TEST_PG_URI_FILE (written by scripts/pg-test-server.sh,
 * the ctest fixture); without either the PostgreSQL group skips.
 */
#include "support/testutil.h"

#include "mid/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

typedef struct fixture {
    char uri[1024];
    mid_store *st;
    mid_ctx *ctx;
} fixture;

static char pg_uri[1024];    /* "" when PostgreSQL is not available */
static unsigned sqlite_seq;  /* fresh directory per test */
static bool pg_group_active; /* which group the setup runs for */

/* Finds the PostgreSQL URI once. */
static void find_pg_uri(void) {
    const char *uri = getenv("MID_TEST_PG_URI");
    if (uri != NULL && uri[0] != '\0') {
        snprintf(pg_uri, sizeof(pg_uri), "%s", uri);
        return;
    }
    const char *file = getenv("MID_TEST_PG_URI_FILE");
    FILE *f = file ? fopen(file, "r") : NULL;
    if (f == NULL) {
        return;
    }
    if (fgets(pg_uri, sizeof(pg_uri), f) == NULL) {
        pg_uri[0] = '\0';
    }
    pg_uri[strcspn(pg_uri, "\r\n")] = '\0';
    fclose(f);
}

/* Empties the PostgreSQL test database so each test starts from nothing. */
static void pg_reset(void) {
    PGconn *c = PQconnectdb(pg_uri);
    assert_int_equal(PQstatus(c), CONNECTION_OK);
    PGresult *r = PQexec(c, "SET client_min_messages = warning; "
                            "DROP TABLE IF EXISTS person, print, officer, device, schema_version");
    assert_int_equal(PQresultStatus(r), PGRES_COMMAND_OK);
    PQclear(r);
    PQfinish(c);
}

static int setup(void **state) {
    fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    assert_int_equal(mid_ctx_create(&fx->ctx), MID_OK);
    if (pg_group_active) {
        if (pg_uri[0] != '\0') {
            pg_reset();
            snprintf(fx->uri, sizeof(fx->uri), "%s", pg_uri);
        }
    } else {
        char name[32];
        snprintf(name, sizeof(name), "store%u", sqlite_seq++);
        snprintf(fx->uri, sizeof(fx->uri), "sqlite:%s", tu_temp_path(name));
    }
    if (fx->uri[0] != '\0') {
        mid_status s = mid_store_open(fx->ctx, fx->uri, &fx->st);
        if (s != MID_OK) {
            fprintf(stderr, "store open failed: %s\n", mid_ctx_error(fx->ctx));
        }
        assert_int_equal(s, MID_OK);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state) {
    fixture *fx = *state;
    mid_store_close(fx->st);
    mid_ctx_free(fx->ctx);
    free(fx);
    return 0;
}

#define FIXTURE(fx)                                                                                \
    fixture *fx = *state;                                                                          \
    if (fx->st == NULL) {                                                                          \
        print_message("[  SKIP    ] PostgreSQL not available: set MID_TEST_PG_URI or run via "     \
                      "ctest fixture\n");                                                          \
        skip();                                                                                    \
        return;                                                                                    \
    }

static void put_person(fixture *fx, uint64_t id, const char *pnc, mid_status expect) {
    char json[256];
    int n = snprintf(json, sizeof(json),
                     "{\"person\":%llu,\"pnc_id\":\"%s\",\"surname\":\"TEST\",\"wanted\":false}",
                     (unsigned long long)id, pnc);
    mid_status s = mid_store_person_put(fx->st, fx->ctx, json, (size_t)n);
    if (s != expect) {
        fprintf(stderr, "person_put %llu: %s\n", (unsigned long long)id, mid_ctx_error(fx->ctx));
    }
    assert_int_equal(s, expect);
}

static uint64_t person_count(fixture *fx) {
    uint64_t n = 0;
    assert_int_equal(mid_store_person_count(fx->st, fx->ctx, &n), MID_OK);
    return n;
}

/* A small template whose minutiae encode (person, finger) so a read-back can be checked. */
static mid_template *make_template(mid_ctx *ctx, uint64_t person, unsigned finger) {
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(ctx, 400, 500, 500, &t), MID_OK);
    for (unsigned i = 0; i < 3 + finger; i++) {
        mid_minutia m = {(uint16_t)(10 + i * 7), (uint16_t)(20 + (person % 400)), (uint8_t)(i * 13),
                         MID_MINUTIA_ENDING, 60};
        assert_int_equal(mid_template_add(ctx, t, &m), MID_OK);
    }
    return t;
}

static void put_print(fixture *fx, mid_db db, uint64_t person, unsigned finger) {
    mid_template *t = make_template(fx->ctx, person, finger);
    mid_status s = mid_store_print_put(fx->st, fx->ctx, db, person, finger, t);
    if (s != MID_OK) {
        fprintf(stderr, "print_put: %s\n", mid_ctx_error(fx->ctx));
    }
    assert_int_equal(s, MID_OK);
    mid_template_free(t);
}

/* ---- Persons ---------------------------------------------------------------- */

static void test_person_roundtrip(void **state) {
    FIXTURE(fx);
    assert_true(strcmp(mid_store_backend(fx->st), "sqlite") == 0 ||
                strcmp(mid_store_backend(fx->st), "postgresql") == 0);
    assert_int_equal(person_count(fx), 0);
    put_person(fx, 7, "99/1234567A", MID_OK);
    put_person(fx, 8, "99/1234568B", MID_OK);
    assert_int_equal(person_count(fx), 2);
    char *json = NULL;
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, 7, &json), MID_OK);
    assert_non_null(strstr(json, "\"pnc_id\":\"99/1234567A\""));
    assert_non_null(strstr(json, "\"surname\":\"TEST\""));
    mid_free(json);

    /* Replace: same id, new record (a new pnc_id too). */
    const char *rec = "{\"person\":7,\"pnc_id\":\"99/7654321Z\",\"wanted\":true}";
    assert_int_equal(mid_store_person_put(fx->st, fx->ctx, rec, strlen(rec)), MID_OK);
    assert_int_equal(person_count(fx), 2);
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, 7, &json), MID_OK);
    assert_string_equal(json, rec);
    mid_free(json);

    /* Not found, and the output is NULL. */
    json = (char *)"x";
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, 9, &json), MID_ERR_NOT_FOUND);
    assert_null(json);

    /* Delete, then it is gone; deleting again is NOT_FOUND. */
    assert_int_equal(mid_store_person_delete(fx->st, fx->ctx, 8), MID_OK);
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, 8, &json), MID_ERR_NOT_FOUND);
    assert_int_equal(mid_store_person_delete(fx->st, fx->ctx, 8), MID_ERR_NOT_FOUND);
    assert_int_equal(person_count(fx), 1);
}

static void test_person_invalid(void **state) {
    FIXTURE(fx);
    static const char *const bad[] = {
        "[1,2]",                                 /* not an object */
        "{\"pnc_id\":\"99/1A\"}",                /* no person */
        "{\"person\":-1,\"pnc_id\":\"99/1A\"}",  /* negative */
        "{\"person\":1.5,\"pnc_id\":\"99/1A\"}", /* not whole */
        "{\"person\":1}",                        /* no pnc_id */
        "{\"person\":1,\"pnc_id\":\"\"}",        /* empty pnc_id */
        "{\"person\":1,\"pnc_id\":7}",           /* pnc_id not a string */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_int_equal(mid_store_person_put(fx->st, fx->ctx, bad[i], strlen(bad[i])),
                         MID_ERR_FORMAT);
    }
    const char *broken = "{\"person\":1,\"pnc_id\":\"99/1A\"";
    assert_int_not_equal(mid_store_person_put(fx->st, fx->ctx, broken, strlen(broken)), MID_OK);
    assert_int_equal(mid_store_person_put(fx->st, fx->ctx, "", 0), MID_ERR_ARG);
    char *json = NULL;
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, (uint64_t)INT64_MAX + 1, &json),
                     MID_ERR_ARG);
    assert_int_equal(person_count(fx), 0);
}

static void test_pnc_unique(void **state) {
    FIXTURE(fx);
    put_person(fx, 1, "01/0000001A", MID_OK);
    put_person(fx, 2, "01/0000001A", MID_ERR_EXISTS);
    /* The message names the person, never the record's contents. */
    assert_null(strstr(mid_ctx_error(fx->ctx), "01/0000001A"));
    put_person(fx, 1, "01/0000001A", MID_OK); /* same person, same pnc: a replace */
    put_person(fx, 2, "01/0000002B", MID_OK);
    assert_int_equal(person_count(fx), 2);
}

/* ---- Prints ------------------------------------------------------------------- */

typedef struct walk {
    mid_ctx *ctx;
    uint64_t n;
    uint64_t last_key;
    uint64_t stop_after; /* 0: never */
} walk;

static mid_status walk_fn(void *user, uint64_t person, unsigned finger, const mid_template *t) {
    walk *w = user;
    uint64_t key = person * 16 + finger;
    assert_true(w->n == 0 || key > w->last_key); /* strictly (person, finger) order */
    w->last_key = key;
    assert_int_equal(mid_template_count(t), 3 + finger);
    assert_int_equal(mid_template_minutiae(t)[0].y, 20 + person % 400);
    w->n++;
    if (w->stop_after != 0 && w->n == w->stop_after) {
        return MID_ERR_CANCELLED;
    }
    return MID_OK;
}

static void test_prints(void **state) {
    FIXTURE(fx);
    /* Out of order on purpose. */
    static const uint64_t persons[] = {30, 5, 1000000000000ull, 17};
    for (size_t i = 0; i < 4; i++) {
        for (int f = 10; f >= 1; f -= 3) {
            put_print(fx, MID_DB_IDENT1, persons[i], (unsigned)f);
        }
    }
    put_print(fx, MID_DB_IABS, 5, 2);
    put_print(fx, MID_DB_IABS, 5, 7);
    put_print(fx, MID_DB_IABS, 99, 2);
    put_print(fx, MID_DB_IDENT1, 5, 10); /* replace */

    uint64_t prints = 0, people = 0;
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IDENT1, &prints, &people),
                     MID_OK);
    assert_int_equal(prints, 16);
    assert_int_equal(people, 4);
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IABS, &prints, &people), MID_OK);
    assert_int_equal(prints, 3);
    assert_int_equal(people, 2);

    walk w = {fx->ctx, 0, 0, 0};
    assert_int_equal(mid_store_print_each(fx->st, fx->ctx, MID_DB_IDENT1, walk_fn, &w), MID_OK);
    assert_int_equal(w.n, 16);
    walk stop = {fx->ctx, 0, 0, 5};
    assert_int_equal(mid_store_print_each(fx->st, fx->ctx, MID_DB_IDENT1, walk_fn, &stop),
                     MID_ERR_CANCELLED);
    assert_int_equal(stop.n, 5);

    /* Deleting a person removes its prints in both galleries, even without a record. */
    put_person(fx, 5, "05/0000005E", MID_OK);
    assert_int_equal(mid_store_person_delete(fx->st, fx->ctx, 5), MID_OK);
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IDENT1, &prints, &people),
                     MID_OK);
    assert_int_equal(prints, 12);
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IABS, &prints, &people), MID_OK);
    assert_int_equal(prints, 1);
    assert_int_equal(mid_store_person_delete(fx->st, fx->ctx, 99), MID_OK); /* prints only */
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IABS, &prints, &people), MID_OK);
    assert_int_equal(prints, 0);

    /* Bad arguments. */
    mid_template *t = make_template(fx->ctx, 1, 1);
    assert_int_equal(mid_store_print_put(fx->st, fx->ctx, MID_DB_IDENT1, 1, 0, t), MID_ERR_ARG);
    assert_int_equal(mid_store_print_put(fx->st, fx->ctx, MID_DB_IDENT1, 1, 11, t), MID_ERR_ARG);
    assert_int_equal(mid_store_print_put(fx->st, fx->ctx, MID_DB_COUNT, 1, 1, t), MID_ERR_ARG);
    mid_template_free(t);
    assert_int_equal(mid_db_parse("iabs"), MID_DB_IABS);
    assert_int_equal(mid_db_parse("IDENT1"), MID_DB_IDENT1);
    assert_int_equal(mid_db_parse("PND"), -1);
}

/* ---- Officers and devices --------------------------------------------------- */

static void test_officers(void **state) {
    FIXTURE(fx);
    mid_officer o = {"1234", "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA",
                     MID_ROLE_OFFICER | MID_ROLE_SUPERVISOR, false};
    assert_int_equal(mid_store_officer_put(fx->st, fx->ctx, &o), MID_OK);
    mid_officer got;
    assert_int_equal(mid_store_officer_get(fx->st, fx->ctx, "1234", &got), MID_OK);
    assert_string_equal(got.collar, "1234");
    assert_string_equal(got.pin_hash, o.pin_hash);
    assert_int_equal(got.roles, MID_ROLE_OFFICER | MID_ROLE_SUPERVISOR);
    assert_false(got.disabled);
    o.disabled = true;
    o.roles = MID_ROLE_AUDITOR;
    assert_int_equal(mid_store_officer_put(fx->st, fx->ctx, &o), MID_OK);
    assert_int_equal(mid_store_officer_get(fx->st, fx->ctx, "1234", &got), MID_OK);
    assert_true(got.disabled);
    assert_int_equal(got.roles, MID_ROLE_AUDITOR);
    assert_int_equal(mid_store_officer_get(fx->st, fx->ctx, "9999", &got), MID_ERR_NOT_FOUND);
    assert_int_equal(mid_store_officer_get(fx->st, fx->ctx, "bad collar!", &got),
                     MID_ERR_NOT_FOUND);
    mid_officer bad = o;
    snprintf(bad.collar, sizeof(bad.collar), "a b");
    assert_int_equal(mid_store_officer_put(fx->st, fx->ctx, &bad), MID_ERR_ARG);
    bad = o;
    bad.roles = 0;
    assert_int_equal(mid_store_officer_put(fx->st, fx->ctx, &bad), MID_ERR_ARG);
    assert_int_equal(mid_role_parse("administrator"), MID_ROLE_ADMIN);
    assert_string_equal(mid_role_name(MID_ROLE_AUDITOR), "auditor");
    assert_int_equal(mid_role_parse("root"), 0);
}

static mid_device device(const char *id, char hexdigit) {
    mid_device d;
    memset(&d, 0, sizeof(d));
    snprintf(d.id, sizeof(d.id), "%s", id);
    memset(d.cert_sha256, hexdigit, 64);
    snprintf(d.serial, sizeof(d.serial), "0a1b%c", hexdigit);
    d.enrolled_at = 1790000000;
    return d;
}

typedef struct dev_list {
    char ids[8][MID_DEVICE_ID_SIZE];
    size_t n;
} dev_list;

static mid_status dev_fn(void *user, const mid_device *d) {
    dev_list *l = user;
    assert_true(l->n < 8);
    snprintf(l->ids[l->n++], MID_DEVICE_ID_SIZE, "%s", d->id);
    return MID_OK;
}

static void test_devices(void **state) {
    FIXTURE(fx);
    mid_device a = device("DEV-2", 'a'), b = device("DEV-1", 'b');
    assert_int_equal(mid_store_device_add(fx->st, fx->ctx, &a), MID_OK);
    assert_int_equal(mid_store_device_add(fx->st, fx->ctx, &b), MID_OK);
    mid_device dup = device("DEV-2", 'c');
    assert_int_equal(mid_store_device_add(fx->st, fx->ctx, &dup), MID_ERR_EXISTS);
    dup = device("DEV-3", 'a');
    assert_int_equal(mid_store_device_add(fx->st, fx->ctx, &dup), MID_ERR_EXISTS);
    dup = device("DEV 3", 'd');
    assert_int_equal(mid_store_device_add(fx->st, fx->ctx, &dup), MID_ERR_ARG);

    mid_device got;
    assert_int_equal(mid_store_device_get(fx->st, fx->ctx, "DEV-2", &got), MID_OK);
    assert_string_equal(got.cert_sha256, a.cert_sha256);
    assert_string_equal(got.serial, "0a1ba");
    assert_int_equal(got.enrolled_at, 1790000000);
    assert_int_equal(got.revoked_at, 0);
    assert_int_equal(mid_store_device_by_cert(fx->st, fx->ctx, b.cert_sha256, &got), MID_OK);
    assert_string_equal(got.id, "DEV-1");
    char other[65];
    memset(other, 'e', 64);
    other[64] = '\0';
    assert_int_equal(mid_store_device_by_cert(fx->st, fx->ctx, other, &got), MID_ERR_NOT_FOUND);
    assert_int_equal(mid_store_device_get(fx->st, fx->ctx, "DEV-9", &got), MID_ERR_NOT_FOUND);

    assert_int_equal(mid_store_device_revoke(fx->st, fx->ctx, "DEV-2", 1790000100), MID_OK);
    assert_int_equal(mid_store_device_revoke(fx->st, fx->ctx, "DEV-2", 1790000200), MID_OK);
    assert_int_equal(mid_store_device_get(fx->st, fx->ctx, "DEV-2", &got), MID_OK);
    assert_int_equal(got.revoked_at, 1790000100); /* the first revocation stands */
    assert_int_equal(mid_store_device_revoke(fx->st, fx->ctx, "DEV-9", 1790000100),
                     MID_ERR_NOT_FOUND);

    dev_list l = {{{0}}, 0};
    assert_int_equal(mid_store_device_each(fx->st, fx->ctx, dev_fn, &l), MID_OK);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.ids[0], "DEV-1");
    assert_string_equal(l.ids[1], "DEV-2");
}

/* ---- Transactions and threads ----------------------------------------------- */

static void test_bulk(void **state) {
    FIXTURE(fx);
    assert_int_equal(mid_store_commit(fx->st, fx->ctx), MID_ERR_ARG);
    assert_int_equal(mid_store_rollback(fx->st, fx->ctx), MID_ERR_ARG);

    assert_int_equal(mid_store_begin(fx->st, fx->ctx), MID_OK);
    assert_int_equal(mid_store_begin(fx->st, fx->ctx), MID_ERR_ARG); /* not nestable */
    put_person(fx, 1, "01/0000001A", MID_OK);
    put_print(fx, MID_DB_IDENT1, 1, 2);
    assert_int_equal(person_count(fx), 1); /* visible inside */
    assert_int_equal(mid_store_rollback(fx->st, fx->ctx), MID_OK);
    assert_int_equal(person_count(fx), 0);
    uint64_t prints = 9;
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IDENT1, &prints, NULL), MID_OK);
    assert_int_equal(prints, 0);

    assert_int_equal(mid_store_begin(fx->st, fx->ctx), MID_OK);
    for (uint64_t i = 0; i < 100; i++) {
        char pnc[16];
        snprintf(pnc, sizeof(pnc), "02/%07lluX", (unsigned long long)i);
        put_person(fx, i, pnc, MID_OK);
        put_print(fx, MID_DB_IDENT1, i, 2);
    }
    /* A delete inside the bulk transaction joins it. */
    assert_int_equal(mid_store_person_delete(fx->st, fx->ctx, 0), MID_OK);
    assert_int_equal(mid_store_commit(fx->st, fx->ctx), MID_OK);
    assert_int_equal(person_count(fx), 99);

    /* A failed write poisons the transaction: commit rolls back, on both back ends. */
    assert_int_equal(mid_store_begin(fx->st, fx->ctx), MID_OK);
    put_person(fx, 500, "03/0000500A", MID_OK);
    put_person(fx, 501, "02/0000001X", MID_ERR_EXISTS); /* pnc of person 1 */
    char *json = NULL;
    (void)mid_store_person_get(fx->st, fx->ctx, 1, &json); /* reads may fail once poisoned */
    mid_free(json);
    assert_int_equal(mid_store_commit(fx->st, fx->ctx), MID_ERR_STORE);
    assert_int_equal(person_count(fx), 99);
    assert_int_equal(mid_store_person_get(fx->st, fx->ctx, 500, &json), MID_ERR_NOT_FOUND);

    /* An open transaction is rolled back on close. */
    assert_int_equal(mid_store_begin(fx->st, fx->ctx), MID_OK);
    put_person(fx, 600, "03/0000600A", MID_OK);
    mid_store_close(fx->st);
    fx->st = NULL;
    assert_int_equal(mid_store_open(fx->ctx, fx->uri, &fx->st), MID_OK);
    assert_int_equal(person_count(fx), 99);
}

typedef struct worker {
    mid_store *st;
    unsigned index;
    mid_status status;
} worker;

enum { THREADS = 4, PER_THREAD = 150 };

static void *worker_main(void *arg) {
    worker *w = arg;
    mid_ctx *ctx = NULL;
    w->status = mid_ctx_create(&ctx);
    for (unsigned i = 0; i < PER_THREAD && w->status == MID_OK; i++) {
        uint64_t id = (uint64_t)w->index * 100000u + i;
        char json[128];
        int n = snprintf(json, sizeof(json), "{\"person\":%llu,\"pnc_id\":\"04/%07lluT\"}",
                         (unsigned long long)id, (unsigned long long)id);
        w->status = mid_store_person_put(w->st, ctx, json, (size_t)n);
        if (w->status == MID_OK) {
            mid_template *t = NULL;
            w->status = mid_template_create(ctx, 300, 300, 500, &t);
            mid_minutia m = {10, 10, 0, MID_MINUTIA_BIFURCATION, 50};
            if (w->status == MID_OK) {
                w->status = mid_template_add(ctx, t, &m);
            }
            if (w->status == MID_OK) {
                w->status = mid_store_print_put(w->st, ctx, MID_DB_IABS, id, 1 + i % 10, t);
            }
            mid_template_free(t);
        }
        if (w->status == MID_OK && i % 10 == 0) {
            char *back = NULL;
            w->status = mid_store_person_get(w->st, ctx, id, &back);
            mid_free(back);
        }
    }
    if (w->status != MID_OK) {
        fprintf(stderr, "worker %u: %s\n", w->index, mid_ctx_error(ctx));
    }
    mid_ctx_free(ctx);
    return NULL;
}

static void test_threads(void **state) {
    FIXTURE(fx);
    pthread_t th[THREADS];
    worker w[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        w[i] = (worker){fx->st, i, MID_OK};
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (unsigned i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].status, MID_OK);
    }
    assert_int_equal(person_count(fx), THREADS * PER_THREAD);
    uint64_t prints = 0, people = 0;
    assert_int_equal(mid_store_print_count(fx->st, fx->ctx, MID_DB_IABS, &prints, &people), MID_OK);
    assert_int_equal(prints, THREADS * PER_THREAD);
    assert_int_equal(people, THREADS * PER_THREAD);
}

/* ---- Opening ----------------------------------------------------------------- */

static void test_bad_uri(void **state) {
    (void)state;
    mid_store *st = NULL;
    assert_int_equal(mid_store_open(tu_ctx, "mysql://localhost/x", &st), MID_ERR_ARG);
    assert_null(st);
    assert_int_equal(mid_store_open(tu_ctx, "", &st), MID_ERR_ARG);
    assert_int_equal(mid_store_open(tu_ctx, NULL, &st), MID_ERR_ARG);
    assert_int_equal(mid_store_open(tu_ctx, "sqlite:", &st), MID_ERR_ARG);
    /* A directory that cannot be created. */
    assert_int_equal(mid_store_open(tu_ctx, "sqlite:/nonexistent-dir/a/b", &st), MID_ERR_IO);
    /* Nothing listens on port 1. */
    assert_int_equal(mid_store_open(tu_ctx, "postgresql://127.0.0.1:1/mid?connect_timeout=2", &st),
                     MID_ERR_STORE);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "postgresql:"));
    assert_null(st);
}

static void test_sqlite_files(void **state) {
    (void)state;
    const char *dir = tu_temp_path("private");
    char uri[600], db[600];
    snprintf(uri, sizeof(uri), "%s", dir); /* a plain path is SQLite too */
    snprintf(db, sizeof(db), "%s/mid.db", dir);
    mid_store *st = NULL;
    assert_int_equal(mid_store_open(tu_ctx, uri, &st), MID_OK);
    assert_string_equal(mid_store_backend(st), "sqlite");
    struct stat sb;
    assert_int_equal(stat(dir, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0700);
    assert_int_equal(stat(db, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    const char *rec = "{\"person\":3,\"pnc_id\":\"11/0000003C\"}";
    assert_int_equal(mid_store_person_put(st, tu_ctx, rec, strlen(rec)), MID_OK);
    mid_store_close(st);
    /* Reopening finds the data (the schema is not recreated). */
    assert_int_equal(mid_store_open(tu_ctx, uri, &st), MID_OK);
    char *json = NULL;
    assert_int_equal(mid_store_person_get(st, tu_ctx, 3, &json), MID_OK);
    assert_string_equal(json, rec);
    mid_free(json);
    mid_store_close(st);
}

static int group_sqlite(void **state) {
    pg_group_active = false;
    return tu_ctx_setup(state);
}

static int group_pg(void **state) {
    pg_group_active = true;
    if (pg_uri[0] == '\0') {
        print_message("[  SKIP    ] PostgreSQL not available: set MID_TEST_PG_URI or run via ctest "
                      "fixture\n");
    }
    return tu_ctx_setup(state);
}

#define CONTRACT                                                                                   \
    cmocka_unit_test_setup_teardown(test_person_roundtrip, setup, teardown),                       \
        cmocka_unit_test_setup_teardown(test_person_invalid, setup, teardown),                     \
        cmocka_unit_test_setup_teardown(test_pnc_unique, setup, teardown),                         \
        cmocka_unit_test_setup_teardown(test_prints, setup, teardown),                             \
        cmocka_unit_test_setup_teardown(test_officers, setup, teardown),                           \
        cmocka_unit_test_setup_teardown(test_devices, setup, teardown),                            \
        cmocka_unit_test_setup_teardown(test_bulk, setup, teardown),                               \
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown)

int main(void) {
    find_pg_uri();
    const struct CMUnitTest sqlite_tests[] = {
        CONTRACT,
        cmocka_unit_test(test_bad_uri),
        cmocka_unit_test(test_sqlite_files),
    };
    const struct CMUnitTest pg_tests[] = {CONTRACT};
    int failed =
        cmocka_run_group_tests_name("store_sqlite", sqlite_tests, group_sqlite, tu_ctx_teardown);
    failed += cmocka_run_group_tests_name("store_postgresql", pg_tests, group_pg, tu_ctx_teardown);
    return failed;
}
