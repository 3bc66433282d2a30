/* Tests for src/audit: the chain as written, verification naming the exact entry
 * for each kind of tampering, torn lines, expected heads, reopening, several
 * threads appending, and iteration. */
#include "support/testutil.h"

#include "audit/audit_internal.h"
#include "mid/audit.h"
#include "mid/limits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_PROBLEMS 16

typedef struct problem {
    uint64_t line, seq;
    char what[200];
} problem;

typedef struct problems {
    size_t n;
    problem p[MAX_PROBLEMS];
} problems;

static void on_problem(void *user, uint64_t line, uint64_t seq, const char *what) {
    problems *ps = user;
    if (ps->n < MAX_PROBLEMS) {
        ps->p[ps->n].line = line;
        ps->p[ps->n].seq = seq;
        snprintf(ps->p[ps->n].what, sizeof(ps->p[ps->n].what), "%s", what);
    }
    ps->n++;
}

/* Verifies path and returns the problems found. */
static problems verify(const char *path, const char *expected_head, mid_audit_summary *sum) {
    problems ps;
    memset(&ps, 0, sizeof(ps));
    mid_audit_summary local;
    assert_int_equal(
        mid_audit_verify(tu_ctx, path, expected_head, on_problem, &ps, sum != NULL ? sum : &local),
        MID_OK);
    assert_int_equal((sum != NULL ? sum : &local)->problems, ps.n);
    return ps;
}

static void expect_problem(const problems *ps, size_t i, uint64_t line, uint64_t seq,
                           const char *what) {
    assert_true(i < ps->n);
    const problem *p = &ps->p[i];
    if (p->line != line || p->seq != seq || strstr(p->what, what) == NULL) {
        fail_msg("problem %zu: line %llu seq %llu '%s'; expected line %llu seq %llu '%s'", i,
                 (unsigned long long)p->line, (unsigned long long)p->seq, p->what,
                 (unsigned long long)line, (unsigned long long)seq, what);
    }
}

/* Writes a fresh log of n entries at a new temp path. */
static const char *make_log(const char *name, int n, char head[MID_AUDIT_HEX_SIZE]) {
    const char *path = tu_temp_path(name);
    remove(path);
    mid_audit *a = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    for (int k = 1; k <= n; k++) {
        char entry[128];
        int len = snprintf(entry, sizeof(entry), "{\"action\":\"test\",\"n\":%d}", k);
        uint64_t seq = 0;
        assert_int_equal(mid_audit_append(a, tu_ctx, entry, (size_t)len, &seq, head), MID_OK);
        assert_int_equal(seq, (uint64_t)k);
    }
    mid_audit_close(a);
    return path;
}

/* The log's lines (each with its "\n"), at most 64. */
typedef struct lines {
    size_t n;
    char *l[64];
} lines;

static lines read_lines(const char *path) {
    lines ls = {0};
    char *text = tu_slurp(path);
    char *p = text;
    while (*p != '\0') {
        char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) + 1 : strlen(p);
        assert_true(ls.n < 64);
        ls.l[ls.n] = strndup(p, len);
        ls.n++;
        p += len;
    }
    free(text);
    return ls;
}

static void write_lines(const char *path, const lines *ls) {
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t k = 0; k < ls->n; k++) {
        fputs(ls->l[k], f);
    }
    assert_int_equal(fclose(f), 0);
}

static void free_lines(lines *ls) {
    for (size_t k = 0; k < ls->n; k++) {
        free(ls->l[k]);
    }
    ls->n = 0;
}

static void test_clean_log(void **state) {
    (void)state;
    char head[MID_AUDIT_HEX_SIZE];
    const char *path = make_log("clean.log", 5, head);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    mid_audit_summary sum;
    problems ps = verify(path, head, &sum);
    assert_int_equal(ps.n, 0);
    assert_int_equal(sum.entries, 5);
    assert_int_equal(sum.last_seq, 5);
    assert_string_equal(sum.head, head);
    /* The first entry follows 64 zeros; each line is canonical and one line. */
    lines ls = read_lines(path);
    assert_int_equal(ls.n, 5);
    assert_non_null(strstr(ls.l[0], "{\"seq\":1,\"prev\":\"00000000000000000000000000000000000"
                                    "00000000000000000000000000000\",\"entry\":{\"action\":"));
    audit_line l;
    const char *why;
    assert_true(audit_split_line(ls.l[4], strlen(ls.l[4]) - 1, &l, &why));
    assert_int_equal(l.seq, 5);
    assert_memory_equal(l.hash_hex, head, 64);
    free_lines(&ls);
    /* An empty log verifies clean with the zero head. */
    const char *empty = make_log("empty.log", 0, head);
    ps = verify(empty, NULL, &sum);
    assert_int_equal(ps.n, 0);
    assert_int_equal(sum.entries, 0);
    assert_string_equal(sum.head,
                        "0000000000000000000000000000000000000000000000000000000000000000");
}

static void test_altered_entry(void **state) {
    (void)state;
    const char *path = make_log("altered.log", 5, NULL);
    lines ls = read_lines(path);
    char *p = strstr(ls.l[2], "\"n\":3");
    assert_non_null(p);
    p[4] = '9';
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 3, 3, "hash mismatch: entry altered");
}

static void test_removed_entry(void **state) {
    (void)state;
    const char *path = make_log("removed.log", 6, NULL);
    lines ls = read_lines(path);
    free(ls.l[2]);
    memmove(&ls.l[2], &ls.l[3], (ls.n - 3) * sizeof(ls.l[0]));
    ls.n--;
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 3, 4, "seq 3 missing: entry removed");

    /* Several consecutive entries removed: one problem naming the range. */
    path = make_log("removed2.log", 8, NULL);
    ls = read_lines(path);
    for (int k = 2; k <= 4; k++) {
        free(ls.l[k]);
    }
    memmove(&ls.l[2], &ls.l[5], 3 * sizeof(ls.l[0]));
    ls.n = 5;
    write_lines(path, &ls);
    free_lines(&ls);
    ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 3, 6, "seq 3 to 5 missing: 3 entries removed");

    /* The first entry removed. */
    path = make_log("removed3.log", 3, NULL);
    ls = read_lines(path);
    free(ls.l[0]);
    memmove(&ls.l[0], &ls.l[1], 2 * sizeof(ls.l[0]));
    ls.n = 2;
    write_lines(path, &ls);
    free_lines(&ls);
    ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 1, 2, "seq 1 missing: entry removed");
}

static void test_inserted_entry(void **state) {
    (void)state;
    /* A copy of entry 2 inserted after entry 4. */
    const char *path = make_log("inserted.log", 5, NULL);
    lines ls = read_lines(path);
    memmove(&ls.l[5], &ls.l[4], sizeof(ls.l[0]));
    ls.l[4] = strdup(ls.l[1]);
    ls.n = 6;
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 5, 2, "duplicate seq 2 (also at line 2): entry inserted");

    /* A forged entry 3 with a correct hash, chained to entry 2, placed before the real one. */
    path = make_log("forged.log", 5, NULL);
    ls = read_lines(path);
    audit_line l2;
    const char *why;
    assert_true(audit_split_line(ls.l[1], strlen(ls.l[1]) - 1, &l2, &why));
    char forged[400];
    int n = snprintf(forged, sizeof(forged), "{\"seq\":3,\"prev\":\"%.64s\",\"entry\":{\"x\":1}",
                     l2.hash_hex);
    uint8_t prev[MID_SHA256_SIZE];
    assert_true(audit_unhex(l2.hash_hex, prev));
    char hex[MID_AUDIT_HEX_SIZE];
    audit_line_hash(prev, forged, (size_t)n, hex);
    snprintf(forged + n, sizeof(forged) - (size_t)n, ",\"hash\":\"%s\"}\n", hex);
    memmove(&ls.l[3], &ls.l[2], 3 * sizeof(ls.l[0]));
    ls.l[2] = strdup(forged);
    ls.n = 6;
    write_lines(path, &ls);
    free_lines(&ls);
    ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 4, 3, "duplicate seq 3 (also at line 3): entry inserted");
}

static void test_reordered_entries(void **state) {
    (void)state;
    const char *path = make_log("reordered.log", 6, NULL);
    lines ls = read_lines(path);
    char *t = ls.l[2];
    ls.l[2] = ls.l[3];
    ls.l[3] = t;
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 2);
    expect_problem(&ps, 0, 3, 4, "seq 4 appears before seq 3: entries reordered");
    expect_problem(&ps, 1, 4, 3, "seq 3 appears after seq 4: entries reordered");
}

static void test_unparsable_and_torn(void **state) {
    (void)state;
    const char *path = make_log("garbage.log", 5, NULL);
    lines ls = read_lines(path);
    free(ls.l[1]);
    ls.l[1] = strdup("not json at all\n");
    free(ls.l[3]);
    ls.l[3] = strdup("{\"seq\":4,\"prev\":\"xyz\"}\n");
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 2);
    expect_problem(&ps, 0, 2, 0, "unparsable line");
    expect_problem(&ps, 1, 4, 4, "unparsable line: bad or missing prev");

    /* A torn final line: verify names it; open cuts it and the chain goes on. */
    char head[MID_AUDIT_HEX_SIZE];
    path = make_log("torn.log", 3, head);
    FILE *f = fopen(path, "ab");
    assert_non_null(f);
    fputs("{\"seq\":4,\"prev\":\"00", f);
    fclose(f);
    mid_audit_summary sum;
    ps = verify(path, NULL, &sum);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 4, 4, "torn last line: 19 bytes without a newline");
    assert_int_equal(sum.entries, 3);
    assert_string_equal(sum.head, head);
    mid_audit *a = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    assert_int_equal(mid_audit_torn(a), 19);
    uint64_t seq = 0;
    char h[MID_AUDIT_HEX_SIZE];
    mid_audit_head(a, &seq, h);
    assert_int_equal(seq, 3);
    assert_string_equal(h, head);
    assert_int_equal(mid_audit_append(a, tu_ctx, "{}", 2, &seq, NULL), MID_OK);
    assert_int_equal(seq, 4);
    mid_audit_close(a);
    ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 0);

    /* A log whose last complete line does not parse cannot be opened for appending. */
    f = fopen(path, "ab");
    fputs("garbage\n", f);
    fclose(f);
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_ERR_FORMAT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "mid audit verify"));
}

static void test_expected_head(void **state) {
    (void)state;
    char head[MID_AUDIT_HEX_SIZE], older[MID_AUDIT_HEX_SIZE];
    const char *path = make_log("head.log", 6, head);
    lines ls = read_lines(path);
    audit_line l;
    const char *why;
    assert_true(audit_split_line(ls.l[3], strlen(ls.l[3]) - 1, &l, &why));
    snprintf(older, sizeof(older), "%.64s", l.hash_hex);
    /* The newest two entries removed: the chain alone is still clean. */
    free(ls.l[4]);
    free(ls.l[5]);
    ls.n = 4;
    write_lines(path, &ls);
    free_lines(&ls);
    mid_audit_summary sum;
    problems ps = verify(path, NULL, &sum);
    assert_int_equal(ps.n, 0);
    assert_int_equal(sum.last_seq, 4);
    ps = verify(path, older, NULL);
    assert_int_equal(ps.n, 0);
    ps = verify(path, head, NULL);
    assert_int_equal(ps.n, 1);
    expect_problem(&ps, 0, 5, 0, "is not in the log: newest entries removed");
    /* A malformed expected head is a caller error. */
    assert_int_equal(mid_audit_verify(tu_ctx, path, "abc", NULL, NULL, &sum), MID_ERR_ARG);
    assert_int_equal(mid_audit_verify(tu_ctx, tu_temp_path("absent.log"), NULL, NULL, NULL, &sum),
                     MID_ERR_IO);
}

static void test_many_problems_in_one_run(void **state) {
    (void)state;
    const char *path = make_log("many.log", 10, NULL);
    lines ls = read_lines(path);
    char *p = strstr(ls.l[1], "\"n\":2");
    p[4] = '7';    /* entry 2 altered */
    free(ls.l[5]); /* entry 6 removed */
    memmove(&ls.l[5], &ls.l[6], 4 * sizeof(ls.l[0]));
    ls.n = 9;
    char *t = ls.l[6]; /* entries 8 and 9 (now at lines 7 and 8) swapped */
    ls.l[6] = ls.l[7];
    ls.l[7] = t;
    write_lines(path, &ls);
    free_lines(&ls);
    problems ps = verify(path, NULL, NULL);
    assert_int_equal(ps.n, 4);
    expect_problem(&ps, 0, 2, 2, "hash mismatch");
    expect_problem(&ps, 1, 6, 7, "seq 6 missing");
    expect_problem(&ps, 2, 7, 9, "seq 9 appears before seq 8");
    expect_problem(&ps, 3, 8, 8, "seq 8 appears after seq 9");
}

static void test_append_checks(void **state) {
    (void)state;
    const char *path = tu_temp_path("checks.log");
    remove(path);
    mid_audit *a = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    assert_int_equal(mid_audit_append(a, tu_ctx, "[1]", 3, NULL, NULL), MID_ERR_ARG);
    assert_int_equal(mid_audit_append(a, tu_ctx, "{\"a\":", 5, NULL, NULL), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "not valid JSON"));
    size_t big = MID_AUDIT_MAX_ENTRY_BYTES + 1;
    char *text = malloc(big);
    memset(text, ' ', big);
    text[0] = '{';
    text[big - 1] = '}';
    assert_int_equal(mid_audit_append(a, tu_ctx, text, big, NULL, NULL), MID_ERR_LIMIT);
    free(text);
    /* Whitespace and newlines in the caller's text never split a line. */
    const char *entry = "{\n  \"action\" : \"login\",\n  \"detail\" : \"a b\\nc\"\n}\n";
    uint64_t seq = 0;
    char head[MID_AUDIT_HEX_SIZE];
    assert_int_equal(mid_audit_append(a, tu_ctx, entry, strlen(entry), &seq, head), MID_OK);
    assert_int_equal(seq, 1);
    mid_audit_close(a);
    char *all = tu_slurp(path);
    assert_non_null(strstr(all, "\"entry\":{\"action\":\"login\",\"detail\":\"a b\\nc\"},"));
    assert_ptr_equal(strchr(all, '\n'), all + strlen(all) - 1);
    free(all);
    /* Reopening continues the chain. */
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    char h2[MID_AUDIT_HEX_SIZE];
    mid_audit_head(a, &seq, h2);
    assert_int_equal(seq, 1);
    assert_string_equal(h2, head);
    assert_int_equal(mid_audit_torn(a), 0);
    assert_int_equal(mid_audit_append(a, tu_ctx, "{}", 2, &seq, NULL), MID_OK);
    assert_int_equal(seq, 2);
    /* A second writer on the same file (as another process would be) picks up the
     * first one's entries instead of forking the chain. */
    mid_audit *b = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &b), MID_OK);
    assert_int_equal(mid_audit_append(b, tu_ctx, "{\"w\":\"b\"}", 9, &seq, NULL), MID_OK);
    assert_int_equal(seq, 3);
    assert_int_equal(mid_audit_append(a, tu_ctx, "{\"w\":\"a\"}", 9, &seq, NULL), MID_OK);
    assert_int_equal(seq, 4);
    mid_audit_close(b);
    mid_audit_close(a);
    mid_audit_summary sum;
    problems ps = verify(path, NULL, &sum);
    assert_int_equal(ps.n, 0);
    assert_int_equal(sum.last_seq, 4);
}

typedef struct worker {
    mid_audit *a;
    int id;
    int failures;
} worker;

static void *append_worker(void *arg) {
    worker *w = arg;
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        w->failures++;
        return NULL;
    }
    for (int k = 0; k < 200; k++) {
        char entry[64];
        int n = snprintf(entry, sizeof(entry), "{\"thread\":%d,\"k\":%d}", w->id, k);
        if (mid_audit_append(w->a, ctx, entry, (size_t)n, NULL, NULL) != MID_OK) {
            w->failures++;
        }
    }
    mid_ctx_free(ctx);
    return NULL;
}

typedef struct each_state {
    uint64_t next_seq;
    int per_thread[4];
    bool ok;
    uint64_t stop_at;
} each_state;

static bool on_entry(void *user, uint64_t seq, const char *entry, size_t len) {
    each_state *es = user;
    if (seq != es->next_seq) {
        es->ok = false;
    }
    es->next_seq++;
    int t = -1, k = -1;
    char buf[64];
    if (len < sizeof(buf)) {
        memcpy(buf, entry, len);
        buf[len] = '\0';
        if (sscanf(buf, "{\"thread\":%d,\"k\":%d}", &t, &k) == 2 && t >= 0 && t < 4) {
            /* each thread's entries appear in its own order */
            if (k != es->per_thread[t]) {
                es->ok = false;
            }
            es->per_thread[t]++;
        } else {
            es->ok = false;
        }
    }
    return es->stop_at == 0 || seq < es->stop_at;
}

static void test_concurrent_appends(void **state) {
    (void)state;
    const char *path = tu_temp_path("threads.log");
    remove(path);
    mid_audit *a = NULL;
    assert_int_equal(mid_audit_open(tu_ctx, path, &a), MID_OK);
    pthread_t th[4];
    worker w[4];
    for (int k = 0; k < 4; k++) {
        w[k] = (worker){a, k, 0};
        assert_int_equal(pthread_create(&th[k], NULL, append_worker, &w[k]), 0);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(th[k], NULL);
        assert_int_equal(w[k].failures, 0);
    }
    uint64_t seq = 0;
    char head[MID_AUDIT_HEX_SIZE];
    mid_audit_head(a, &seq, head);
    assert_int_equal(seq, 800);
    mid_audit_close(a);
    mid_audit_summary sum;
    problems ps = verify(path, head, &sum);
    assert_int_equal(ps.n, 0);
    assert_int_equal(sum.entries, 800);
    assert_int_equal(sum.last_seq, 800);
    each_state es = {.next_seq = 1, .ok = true};
    assert_int_equal(mid_audit_each(tu_ctx, path, on_entry, &es), MID_OK);
    assert_true(es.ok);
    assert_int_equal(es.next_seq, 801);
    for (int k = 0; k < 4; k++) {
        assert_int_equal(es.per_thread[k], 200);
    }
    /* each stops when the callback says so */
    es = (each_state){.next_seq = 1, .ok = true, .stop_at = 10};
    assert_int_equal(mid_audit_each(tu_ctx, path, on_entry, &es), MID_OK);
    assert_int_equal(es.next_seq, 11);
}

static void test_verify_buffer(void **state) {
    (void)state;
    /* The memory variant used by the fuzzer: odd inputs are problems, not failures. */
    const char *inputs[] = {"",
                            "\n",
                            "\n\n",
                            "{",
                            "{\"seq\":1}\n",
                            "{\"seq\":0,\"prev\":\"\"}\n",
                            "{\"seq\":99999999999999999999999\n"};
    for (size_t k = 0; k < sizeof(inputs) / sizeof(inputs[0]); k++) {
        mid_audit_summary sum;
        problems ps;
        memset(&ps, 0, sizeof(ps));
        assert_int_equal(
            audit_verify_buffer(tu_ctx, inputs[k], strlen(inputs[k]), NULL, on_problem, &ps, &sum),
            MID_OK);
        assert_int_equal(sum.problems, ps.n);
        assert_int_equal(ps.n > 0, k > 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clean_log),         cmocka_unit_test(test_altered_entry),
        cmocka_unit_test(test_removed_entry),     cmocka_unit_test(test_inserted_entry),
        cmocka_unit_test(test_reordered_entries), cmocka_unit_test(test_unparsable_and_torn),
        cmocka_unit_test(test_expected_head),     cmocka_unit_test(test_many_problems_in_one_run),
        cmocka_unit_test(test_append_checks),     cmocka_unit_test(test_concurrent_appends),
        cmocka_unit_test(test_verify_buffer),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
