/*
 * Durability and print destruction, measured against a real `mid serve`:
 *
 *  - kill -9 during a load run (four client threads over two devices): every
 *    transaction that got a 200 answer is in the audit log after the restart,
 *    with the seq its receipt named, and `mid audit verify` passes; a log with
 *    one entry altered fails verification, naming that entry;
 *  - no retention: after the load, no 32-byte window of any probe's WSQ bytes,
 *    their base64 text, the decoded pixels or the probe templates (extracted the
 *    way the gateway does, in every template encoding) appears in any file under
 *    the data directory, the gateway's log and stderr, or files written to
 *    $TMPDIR during the run.
 */
#define _DEFAULT_SOURCE /* DT_REG, usleep */
#include "support/gwtest.h"
#include "support/gwworld.h"
#include "support/testutil.h"

#include "mid/audit.h"
#include "mid/extract.h"
#include "mid/json.h"
#include "mid/template.h"
#include "mid/wsq.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PERSONS 120u
#define N_PROBES 4u
#define THREADS 4u
#define MAX_ANSWERS 4096u
#define WINDOW 32u

static const uint64_t probe_person[N_PROBES] = {11, 57, 98, 7000}; /* 7000: not enrolled */
static gww_probe probes[N_PROBES];
static gw_test world;
static time_t run_started;
static char orig_tmp[512]; /* $TMPDIR of the test run (shared) */
static char gw_tmp[600];   /* the gateway's own $TMPDIR */

/* ---- load clients ---------------------------------------------------------------- */

typedef struct answered {
    char txid[80];
    uint64_t seq;
} answered;

typedef struct load_state {
    pthread_mutex_t lock;
    answered got[MAX_ANSWERS];
    size_t n_got;
    unsigned failures; /* transport errors after the kill: expected */
    unsigned bad;      /* answers other than 200 before the kill: not expected */
    volatile int stop;
    char *token[2];
} load_state;

static load_state load;

typedef struct client {
    unsigned index;
} client;

static void *client_main(void *arg) {
    const client *c = arg;
    const char *device = c->index % 2 ? "dev2" : "dev1";
    mid_ctx *ctx = NULL; /* a context per thread; cmocka asserts stay in the main thread */
    if (mid_ctx_create(&ctx) != MID_OK) {
        return NULL;
    }
    for (unsigned i = 0; !load.stop && i < 1000; i++) {
        char tcn[48];
        snprintf(tcn, sizeof(tcn), "DUR%u-%05u", c->index, i);
        char *body = gww_request_json(tcn, "IDENT1,IABS", &probes[(c->index + i) % N_PROBES]);
        gwt_response r =
            gwt_json(&world, "POST", "/v1/identify", device, load.token[c->index % 2], body);
        free(body);
        mid_json *doc = NULL;
        if (r.status == 200 && mid_json_parse(ctx, r.body, r.len, &doc) == MID_OK) {
            const mid_json_value *root = mid_json_root(doc);
            const char *tx = mid_json_get_string(root, "transaction");
            int64_t seq = 0;
            bool has_seq = mid_json_int64(mid_json_get(mid_json_get(root, "audit"), "seq"), &seq);
            pthread_mutex_lock(&load.lock);
            if (tx != NULL && has_seq && load.n_got < MAX_ANSWERS) {
                answered *a = &load.got[load.n_got++];
                snprintf(a->txid, sizeof(a->txid), "%s", tx);
                a->seq = (uint64_t)seq;
            } else {
                load.bad++;
            }
            pthread_mutex_unlock(&load.lock);
            mid_json_free(doc);
        } else {
            long status = r.status;
            pthread_mutex_lock(&load.lock);
            if (status == 0) {
                load.failures++;
            } else if (!load.stop) {
                load.bad++;
            }
            pthread_mutex_unlock(&load.lock);
            gwt_response_free(&r);
            if (status == 0) {
                break; /* the gateway is gone */
            }
            continue;
        }
        gwt_response_free(&r);
    }
    mid_ctx_free(ctx);
    return NULL;
}

static int group_setup(void **state) {
    tu_ctx_setup(state);
    run_started = time(NULL);
    const char *tmp = getenv("TMPDIR");
    snprintf(orig_tmp, sizeof(orig_tmp), "%s", tmp != NULL && tmp[0] != '\0' ? tmp : "/tmp");
    gwt_init(&world);
    /* The gateway runs with a TMPDIR of its own, scanned whole afterwards. */
    snprintf(gw_tmp, sizeof(gw_tmp), "%s", tu_temp_path("gateway-tmp"));
    assert_int_equal(mkdir(gw_tmp, 0700), 0);
    assert_int_equal(setenv("TMPDIR", gw_tmp, 1), 0);
    static const uint64_t rendered[] = {11, 57, 98};
    static const uint64_t iabs_also[] = {98};
    gww_config cfg = {PERSONS, 100, rendered, 3, iabs_also, 1};
    char uri[600];
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    gww_build(uri, &cfg);
    for (size_t i = 0; i < N_PROBES; i++) {
        gww_probe_make(probe_person[i], 3, MID_CONDITION_RANDOM, &probes[i]);
    }
    pthread_mutex_init(&load.lock, NULL);
    return 0;
}

static int group_teardown(void **state) {
    gwt_stop(&world);
    for (size_t i = 0; i < N_PROBES; i++) {
        gww_probe_free(&probes[i]);
    }
    free(load.token[0]);
    free(load.token[1]);
    pthread_mutex_destroy(&load.lock);
    gwt_cleanup(&world);
    return tu_ctx_teardown(state);
}

/* ---- audit log ---------------------------------------------------------------- */

typedef struct txid_set {
    char (*ids)[80];
    uint64_t *seqs;
    size_t n, cap;
} txid_set;

static bool collect_txid(void *user, uint64_t seq, const char *entry, size_t len) {
    txid_set *s = user;
    mid_json *doc = NULL;
    if (mid_json_parse(tu_ctx, entry, len, &doc) != MID_OK) {
        return true;
    }
    const char *tx = mid_json_get_string(mid_json_root(doc), "txid");
    if (tx != NULL) {
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 256;
            s->ids = realloc(s->ids, s->cap * sizeof(*s->ids));
            s->seqs = realloc(s->seqs, s->cap * sizeof(*s->seqs));
            assert_non_null(s->ids);
            assert_non_null(s->seqs);
        }
        snprintf(s->ids[s->n], sizeof(s->ids[0]), "%s", tx);
        s->seqs[s->n++] = seq;
    }
    mid_json_free(doc);
    return true;
}

static const char *audit_path(void) {
    static char path[700];
    snprintf(path, sizeof(path), "%s/audit.log", world.dir);
    return path;
}

typedef struct problems {
    uint64_t first_seq, first_line;
    char first_what[256];
    unsigned n;
} problems;

static void on_problem(void *user, uint64_t line, uint64_t seq, const char *what) {
    problems *p = user;
    if (p->n++ == 0) {
        p->first_seq = seq;
        p->first_line = line;
        snprintf(p->first_what, sizeof(p->first_what), "%s", what);
    }
}

static void test_kill9_durability(void **state) {
    (void)state;
    static const char *const extra[] = {"--rate", "100000", NULL};
    gwt_start(&world, extra);
    load.token[0] = gwt_login(&world, "dev1", GWT_OFFICER, GWT_PIN);
    load.token[1] = gwt_login(&world, "dev2", GWT_SUPERVISOR, GWT_PIN);
    pthread_t th[THREADS];
    client cl[THREADS];
    for (unsigned i = 0; i < THREADS; i++) {
        cl[i].index = i;
        assert_int_equal(pthread_create(&th[i], NULL, client_main, &cl[i]), 0);
    }
    /* Kill once a dozen answers are in, while requests are in flight. */
    for (int waited = 0; waited < 120000; waited += 5) {
        pthread_mutex_lock(&load.lock);
        size_t n = load.n_got;
        pthread_mutex_unlock(&load.lock);
        if (n >= 12) {
            break;
        }
        usleep(5000);
    }
    gwt_kill(&world);
    load.stop = 1;
    for (unsigned i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
    }
    print_message("[          ] %zu answered before kill -9, %u cut off\n", load.n_got,
                  load.failures);
    assert_true(load.n_got >= 12);
    assert_int_equal(load.bad, 0);

    /* Restart on the same data: the log opens (a torn last line is cut). */
    gwt_start(&world, extra);
    txid_set s = {0};
    assert_int_equal(mid_audit_each(tu_ctx, audit_path(), collect_txid, &s), MID_OK);
    for (size_t i = 0; i < load.n_got; i++) {
        bool found = false;
        for (size_t j = 0; j < s.n && !found; j++) {
            if (strcmp(s.ids[j], load.got[i].txid) == 0) {
                found = true;
                assert_int_equal(s.seqs[j], load.got[i].seq);
            }
        }
        if (!found) {
            fail_msg("answered transaction %s (seq %llu) is not in the audit log", load.got[i].txid,
                     (unsigned long long)load.got[i].seq);
        }
    }
    free(s.ids);
    free(s.seqs);

    const char *verify[] = {"audit", "verify", "--data", world.dir, NULL};
    tu_run r = tu_run_tool(verify);
    if (r.rc != 0) {
        fail_msg("mid audit verify after kill -9: rc %d: %s%s", r.rc, r.out, r.err);
    }
    tu_run_free(&r);
}

/* One entry's status altered in a copy of the log: verification names it. */
static void test_tamper_named(void **state) {
    (void)state;
    char *log = tu_slurp(audit_path());
    /* The 5th identification's entry: change the first digit of its "status". */
    char *line = log;
    uint64_t line_no = 1;
    int seen = 0;
    for (;;) {
        char *eol = strchr(line, '\n');
        assert_non_null(eol);
        char *id = strstr(line, "\"action\":\"identify\"");
        if (id != NULL && id < eol && ++seen == 5) {
            break;
        }
        line = eol + 1;
        line_no++;
    }
    char *status = strstr(line, "\"status\":");
    assert_non_null(status);
    assert_true(status < strchr(line, '\n'));
    status += 9;
    *status = *status == '2' ? '5' : '2';
    char copy_dir[700];
    snprintf(copy_dir, sizeof(copy_dir), "%s-tampered", world.dir);
    assert_int_equal(mkdir(copy_dir, 0700), 0);
    char copy[760];
    snprintf(copy, sizeof(copy), "%s/audit.log", copy_dir);
    FILE *f = fopen(copy, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(log, 1, strlen(log), f), strlen(log));
    fclose(f);
    free(log);

    problems p = {0};
    mid_audit_summary sum;
    assert_int_equal(mid_audit_verify(tu_ctx, copy, NULL, on_problem, &p, &sum), MID_OK);
    assert_true(sum.problems >= 1);
    assert_int_equal(p.first_line, line_no);
    assert_int_equal(p.first_seq, line_no); /* seq counts lines from 1 */
    print_message("[          ] tampered line %llu: \"%s\"\n", (unsigned long long)line_no,
                  p.first_what);

    const char *verify[] = {"audit", "verify", "--data", copy_dir, NULL};
    tu_run r = tu_run_tool(verify);
    assert_int_not_equal(r.rc, 0);
    char *all = malloc(strlen(r.out) + strlen(r.err) + 1);
    assert_non_null(all);
    strcpy(all, r.out);
    strcat(all, r.err);
    char named[32];
    snprintf(named, sizeof(named), "%llu", (unsigned long long)line_no);
    if (strstr(all, named) == NULL) {
        fail_msg("mid audit verify does not name entry %s: %s", named, all);
    }
    print_message("[          ] mid audit verify: %s", all);
    free(all);
    tu_run_free(&r);
    unlink(copy);
    rmdir(copy_dir);
}

/* ---- no retention ---------------------------------------------------------------- */

typedef struct window {
    uint64_t hash;
    const uint8_t *at;
} window;

typedef struct secrets {
    window *w;
    size_t n, cap;
    uint8_t **blobs;
    size_t n_blobs;
} secrets;

static const uint64_t HBASE = 1099511628211ull;

static uint64_t hash_window(const uint8_t *p) {
    uint64_t h = 0;
    for (size_t i = 0; i < WINDOW; i++) {
        h = h * HBASE + p[i];
    }
    return h;
}

/* Windows with fewer than 8 distinct bytes (blank paper, padding, zeros) say
 * nothing about a probe: they are left out. */
static bool informative(const uint8_t *p) {
    uint8_t seen[256] = {0};
    unsigned distinct = 0;
    for (size_t i = 0; i < WINDOW; i++) {
        distinct += !seen[p[i]];
        seen[p[i]] = 1;
    }
    return distinct >= 8;
}

/* Keeps a copy of data and adds all its informative windows. */
static void add_secret(secrets *s, const void *data, size_t n) {
    if (n < WINDOW) {
        return;
    }
    uint8_t *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, data, n);
    s->blobs = realloc(s->blobs, (s->n_blobs + 1) * sizeof(*s->blobs));
    assert_non_null(s->blobs);
    s->blobs[s->n_blobs++] = copy;
    for (size_t i = 0; i + WINDOW <= n; i++) {
        if (!informative(copy + i)) {
            continue;
        }
        if (s->n == s->cap) {
            s->cap = s->cap ? 2 * s->cap : 65536;
            s->w = realloc(s->w, s->cap * sizeof(*s->w));
            assert_non_null(s->w);
        }
        s->w[s->n].hash = hash_window(copy + i);
        s->w[s->n++].at = copy + i;
    }
}

static int cmp_window(const void *a, const void *b) {
    uint64_t x = ((const window *)a)->hash, y = ((const window *)b)->hash;
    return (x > y) - (x < y);
}

/* Offset of the first secret window in data, or -1. */
static long find_secret(const secrets *s, const uint8_t *data, size_t n) {
    if (n < WINDOW) {
        return -1;
    }
    uint64_t top = 1; /* HBASE^(WINDOW-1) */
    for (size_t i = 1; i < WINDOW; i++) {
        top *= HBASE;
    }
    uint64_t h = hash_window(data);
    for (size_t i = 0;; i++) {
        size_t lo = 0, hi = s->n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (s->w[mid].hash < h) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (size_t k = lo; k < s->n && s->w[k].hash == h; k++) {
            if (memcmp(s->w[k].at, data + i, WINDOW) == 0) {
                return (long)i;
            }
        }
        if (i + WINDOW >= n) {
            return -1;
        }
        h = (h - data[i] * top) * HBASE + data[i + WINDOW];
    }
}

static void add_template_encodings(secrets *s, const mid_template *t) {
    static const mid_template_format formats[] = {
        MID_TEMPLATE_NATIVE, MID_TEMPLATE_ISO19794_2_2005, MID_TEMPLATE_ANSI378_2004,
        MID_TEMPLATE_ISO19794_2_2011, MID_TEMPLATE_ANSI378_2009};
    for (size_t f = 0; f < sizeof(formats) / sizeof(formats[0]); f++) {
        void *enc = NULL;
        size_t len = 0;
        assert_int_equal(mid_template_encode(tu_ctx, t, formats[f], &enc, &len), MID_OK);
        add_secret(s, enc, len);
        mid_free(enc);
    }
    /* The raw minutiae array as it sits in memory. */
    add_secret(s, mid_template_minutiae(t), mid_template_count(t) * sizeof(mid_minutia));
}

/* Every form of the probes' prints (see the file comment), for the given probes. */
static void add_probe_forms(secrets *s, const gww_probe *list, size_t n) {
    mid_extractor *ex = NULL;
    assert_int_equal(mid_extractor_create(tu_ctx, &ex), MID_OK);
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < 2; k++) {
            const gww_probe *p = &list[i];
            add_secret(s, p->wsq[k], p->len[k]);
            char *b64 = gww_base64(p->wsq[k], p->len[k]);
            add_secret(s, b64, strlen(b64));
            free(b64);
            /* As the gateway sees it: decoded from the WSQ, then extracted. */
            mid_image *img = NULL;
            assert_int_equal(mid_wsq_decode(tu_ctx, p->wsq[k], p->len[k], &img), MID_OK);
            add_secret(s, mid_image_cpixels(img),
                       (size_t)mid_image_width(img) * mid_image_height(img));
            mid_template *t = NULL;
            assert_int_equal(mid_extract(ex, img, &t), MID_OK);
            add_template_encodings(s, t);
            mid_template_free(t);
            mid_image_free(img);
            /* The template of the rendered image (before compression), too. */
            assert_int_equal(mid_extract(ex, p->image[k], &t), MID_OK);
            add_template_encodings(s, t);
            mid_template_free(t);
        }
    }
    mid_extractor_free(ex);
    qsort(s->w, s->n, sizeof(*s->w), cmp_window);
}

/* The probes' windows, less those that the same forms of two unrelated captures
 * share (WSQ tables, template headers: structure, not prints), so that files of
 * other programs in a shared TMPDIR do not count as hits. */
static void build_secrets(secrets *s) {
    add_probe_forms(s, probes, N_PROBES);
    gww_probe others[2];
    gww_probe_make(4242, 5, MID_CONDITION_NORMAL, &others[0]);
    gww_probe_make(4243, 6, MID_CONDITION_DRY, &others[1]);
    secrets benign = {0};
    add_probe_forms(&benign, others, 2);
    size_t kept = 0;
    for (size_t i = 0; i < s->n; i++) {
        bool common = false;
        window w = s->w[i];
        size_t lo = 0, hi = benign.n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (benign.w[mid].hash < w.hash) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        for (size_t k = lo; k < benign.n && benign.w[k].hash == w.hash && !common; k++) {
            common = memcmp(benign.w[k].at, w.at, WINDOW) == 0;
        }
        if (!common) {
            s->w[kept++] = w;
        }
    }
    print_message("[          ] %zu of %zu probe windows are structure shared with other "
                  "captures\n",
                  s->n - kept, s->n);
    s->n = kept;
    for (size_t b = 0; b < benign.n_blobs; b++) {
        free(benign.blobs[b]);
    }
    free(benign.blobs);
    free(benign.w);
    gww_probe_free(&others[0]);
    gww_probe_free(&others[1]);
}

static void free_secrets(secrets *s) {
    for (size_t i = 0; i < s->n_blobs; i++) {
        mid_wipe(s->blobs[i], 1);
        free(s->blobs[i]);
    }
    free(s->blobs);
    free(s->w);
}

typedef struct scan {
    const secrets *s;
    unsigned files;
    size_t bytes;
    char hit[800];
} scan;

static void scan_file(scan *sc, const char *path) {
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
        return;
    }
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return; /* another user's file in a shared TMPDIR */
    }
    size_t n = (size_t)st.st_size;
    uint8_t *data = malloc(n ? n : 1);
    assert_non_null(data);
    size_t got = fread(data, 1, n, f);
    fclose(f);
    sc->files++;
    sc->bytes += got;
    long at = find_secret(sc->s, data, got);
    if (at >= 0 && sc->hit[0] == '\0') {
        snprintf(sc->hit, sizeof(sc->hit), "%s at offset %ld", path, at);
    }
    free(data);
}

/* Every regular file under dir; with since > 0, only files modified since then. */
static void scan_tree(scan *sc, const char *dir, time_t since, int depth) {
    DIR *d = opendir(dir);
    if (d == NULL || depth > 8) {
        if (d != NULL) {
            closedir(d);
        }
        return;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) {
            continue;
        }
        char path[1200];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) != 0) {
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            scan_tree(sc, path, since, depth + 1);
        } else if (S_ISREG(st.st_mode) && (since == 0 || st.st_mtime >= since) &&
                   st.st_size < 512 * 1024 * 1024) {
            scan_file(sc, path);
        }
    }
    closedir(d);
}

static void test_no_retention(void **state) {
    (void)state;
    /* A second load run on the restarted gateway, then a clean stop (logs flushed). */
    char *tok = gwt_login(&world, "dev1", GWT_OFFICER, GWT_PIN);
    for (unsigned i = 0; i < 2 * N_PROBES; i++) {
        char tcn[48];
        snprintf(tcn, sizeof(tcn), "RET-%05u", i);
        char *body = gww_request_json(tcn, "IDENT1,IABS", &probes[i % N_PROBES]);
        gwt_response r = gwt_json(&world, "POST", "/v1/identify", "dev1", tok, body);
        assert_int_equal(r.status, 200);
        gwt_response_free(&r);
        free(body);
    }
    free(tok);
    gwt_stop(&world);

    secrets s = {0};
    build_secrets(&s);
    print_message("[          ] %zu probe windows of %u bytes\n", s.n, WINDOW);
    assert_true(s.n > 10000);

    /* The scanner finds what is there: a probe's WSQ bytes in the middle of a file. */
    const char *control = tu_temp_path("control.bin");
    FILE *f = fopen(control, "wb");
    assert_non_null(f);
    fputs("some text before ", f);
    fwrite(probes[1].wsq[1] + probes[1].len[1] / 2, 1, 40, f);
    fputs(" and after", f);
    fclose(f);
    scan sc = {&s, 0, 0, ""};
    scan_file(&sc, control);
    assert_true(sc.hit[0] != '\0');
    unlink(control);

    scan all = {&s, 0, 0, ""};
    scan_tree(&all, world.dir, 0, 0);
    scan_file(&all, world.log);
    scan_file(&all, world.stderr_path);
    scan_tree(&all, gw_tmp, 0, 0);
    scan_tree(&all, orig_tmp, run_started, 0);
    print_message("[          ] scanned %u files, %zu bytes\n", all.files, all.bytes);
    if (all.hit[0] != '\0') {
        fail_msg("probe bytes found on disk: %s", all.hit);
    }
    assert_true(all.files >= 3);
    free_secrets(&s);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kill9_durability),
        cmocka_unit_test(test_tamper_named),
        cmocka_unit_test(test_no_retention),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
