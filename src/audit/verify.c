/*
 * Reading the audit log: line splitting, verification of the hash chain and
 * iteration for reports.
 *
 * Verification reads every line once more after a first pass has collected the
 * seq each line claims, so a gap can be told apart from a reordering (the
 * missing seq appears elsewhere) and a duplicate from a line out of place. After
 * a problem it resynchronises on the line's own seq and hash, so one run lists
 * every problem instead of stopping at the first or flagging every later entry.
 */
#include "audit_internal.h"

#include "core/core.h"
#include "mid/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define HASH_TAIL_LEN 75u /* ,"hash":"<64 hex>"} */

static bool is_hex64(const char *p) {
    for (int k = 0; k < 64; k++) {
        char c = p[k];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

bool audit_unhex(const char *hex, uint8_t out[MID_SHA256_SIZE]) {
    if (!is_hex64(hex)) {
        return false;
    }
    for (int k = 0; k < 32; k++) {
        char h = hex[2 * k], l = hex[2 * k + 1];
        int hv = h <= '9' ? h - '0' : h - 'a' + 10;
        int lv = l <= '9' ? l - '0' : l - 'a' + 10;
        out[k] = (uint8_t)(hv << 4 | lv);
    }
    return true;
}

void audit_line_hash(const uint8_t prev[MID_SHA256_SIZE], const char *line, size_t hashed_len,
                     char hex[MID_AUDIT_HEX_SIZE]) {
    mid_sha256_state st;
    uint8_t d[MID_SHA256_SIZE];
    mid_sha256_init(&st);
    mid_sha256_update(&st, prev, MID_SHA256_SIZE);
    mid_sha256_update(&st, line, hashed_len);
    mid_sha256_final(&st, d);
    mid_hex(d, sizeof(d), hex);
}

/* Reads the seq digits at p (n bytes available); 0 when absent or malformed. */
static uint64_t parse_seq(const char *p, size_t n, size_t *used) {
    uint64_t v = 0;
    size_t k = 0;
    while (k < n && k < 20 && p[k] >= '0' && p[k] <= '9') {
        uint64_t d = (uint64_t)(p[k] - '0');
        if (v > (UINT64_MAX - d) / 10u) {
            return 0;
        }
        v = v * 10u + d;
        k++;
    }
    if (k == 0 || (p[0] == '0')) {
        return 0; /* seq counts from 1, without leading zeros */
    }
    *used = k;
    return v;
}

bool audit_split_line(const char *line, size_t n, audit_line *out, const char **why) {
    static const char head[] = "{\"seq\":";
    static const char prev[] = ",\"prev\":\"";
    static const char entry[] = "\",\"entry\":";
    static const char tail[] = ",\"hash\":\"";
    const size_t hl = sizeof(head) - 1, pl = sizeof(prev) - 1, el = sizeof(entry) - 1,
                 tl = sizeof(tail) - 1;
    memset(out, 0, sizeof(*out));
    if (n < hl || memcmp(line, head, hl) != 0) {
        *why = "does not start with {\"seq\":";
        return false;
    }
    size_t used = 0;
    uint64_t seq = parse_seq(line + hl, n - hl, &used);
    if (seq == 0) {
        *why = "bad seq";
        return false;
    }
    out->seq = seq; /* reported even when the rest is malformed */
    size_t p = hl + used;
    if (n - p < pl + 64 + el + 2 + HASH_TAIL_LEN || memcmp(line + p, prev, pl) != 0) {
        *why = "bad or missing prev";
        return false;
    }
    p += pl;
    if (!is_hex64(line + p) || memcmp(line + p + 64, entry, el) != 0) {
        *why = "bad or missing prev";
        return false;
    }
    out->prev_hex = line + p;
    p += 64 + el;
    size_t t = n - HASH_TAIL_LEN;
    if (memcmp(line + t, tail, tl) != 0 || !is_hex64(line + t + tl) || line[n - 2] != '"' ||
        line[n - 1] != '}') {
        *why = "bad or missing hash";
        return false;
    }
    out->entry = line + p;
    out->entry_len = t - p;
    out->hash_hex = line + t + tl;
    out->hashed_len = t;
    return true;
}

/* ---- verification -------------------------------------------------------- */

typedef struct seq_line {
    uint64_t seq, line;
} seq_line;

static int seq_line_cmp(const void *a, const void *b) {
    const seq_line *x = a, *y = b;
    if (x->seq != y->seq) {
        return x->seq < y->seq ? -1 : 1;
    }
    return x->line < y->line ? -1 : x->line > y->line;
}

/* Index of the first element with seq s in the sorted array, or n. */
static size_t seq_find(const seq_line *v, size_t n, uint64_t s) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid].seq < s) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < n && v[lo].seq == s ? lo : n;
}

typedef struct verifier {
    mid_audit_problem_fn problem;
    void *user;
    mid_audit_summary *sum;
} verifier;

static void report(verifier *v, uint64_t line, uint64_t seq, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(verifier *v, uint64_t line, uint64_t seq, const char *fmt, ...) {
    char what[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    v->sum->problems++;
    if (v->problem != NULL) {
        v->problem(v->user, line, seq, what);
    }
}

/* Next complete line at *pos: its start and length (without "\n"); false at the
 * end or at a final line without its newline (left at *pos). */
static bool next_line(const char *buf, size_t n, size_t *pos, const char **line, size_t *len) {
    if (*pos >= n) {
        return false;
    }
    const char *nl = memchr(buf + *pos, '\n', n - *pos);
    if (nl == NULL) {
        return false;
    }
    *line = buf + *pos;
    *len = (size_t)(nl - *line);
    *pos += *len + 1;
    return true;
}

static bool entry_is_object(const char *text, size_t n) {
    mid_json *doc = NULL;
    if (mid_json_parse(NULL, text, n, &doc) != MID_OK) {
        return false;
    }
    bool ok = mid_json_type_of(mid_json_root(doc)) == MID_JSON_OBJECT;
    mid_json_free(doc);
    return ok;
}

mid_status audit_verify_buffer(mid_ctx *ctx, const char *buf, size_t n, const char *expected_head,
                               mid_audit_problem_fn problem, void *user,
                               mid_audit_summary *summary) {
    mid_audit_summary local;
    if (summary == NULL) {
        summary = &local;
    }
    memset(summary, 0, sizeof(*summary));
    uint8_t zero[MID_SHA256_SIZE] = {0};
    mid_hex(zero, sizeof(zero), summary->head);
    if (buf == NULL && n > 0) {
        return core_fail(ctx, MID_ERR_ARG, "audit verify: NULL buffer");
    }
    if (expected_head != NULL && (strlen(expected_head) != 64 || !is_hex64(expected_head))) {
        return core_fail(ctx, MID_ERR_ARG,
                         "audit verify: expected head is not 64 lower-case hex "
                         "digits");
    }
    const size_t max_line = MID_AUDIT_MAX_ENTRY_BYTES + AUDIT_LINE_OVERHEAD;

    /* Pass 1: the seq each complete line claims. */
    size_t count = 0, cap = 0, pos = 0;
    seq_line *seqs = NULL;
    const char *line;
    size_t len;
    uint64_t lineno = 0;
    while (next_line(buf, n, &pos, &line, &len)) {
        lineno++;
        audit_line l;
        const char *why;
        if (len > max_line || !audit_split_line(line, len, &l, &why)) {
            continue;
        }
        if (count == cap) {
            size_t ncap = cap == 0 ? 1024 : cap * 2;
            seq_line *ns =
                ncap <= SIZE_MAX / sizeof(*ns) ? realloc(seqs, ncap * sizeof(*ns)) : NULL;
            if (ns == NULL) {
                free(seqs);
                return core_fail(ctx, MID_ERR_NOMEM, "audit verify: out of memory");
            }
            seqs = ns;
            cap = ncap;
        }
        seqs[count++] = (seq_line){l.seq, lineno};
    }
    if (count > 1) {
        qsort(seqs, count, sizeof(*seqs), seq_line_cmp);
    }

    /* Pass 2: each line against the chain so far. */
    verifier v = {problem, user, summary};
    uint64_t bseq = 0; /* the entry the next line should follow */
    uint8_t bhash[MID_SHA256_SIZE] = {0};
    bool bknown = true; /* false after an unreadable line: its hash is unknown */
    bool head_found = false;
    pos = 0;
    lineno = 0;
    while (next_line(buf, n, &pos, &line, &len)) {
        lineno++;
        summary->entries++;
        audit_line l;
        const char *why = "";
        if (len > max_line) {
            report(&v, lineno, 0, "unparsable line: longer than the entry limit");
            bseq++;
            bknown = false;
            continue;
        }
        if (!audit_split_line(line, len, &l, &why)) {
            report(&v, lineno, l.seq, "unparsable line: %s", why);
            bseq++;
            bknown = false;
            continue;
        }
        if (!entry_is_object(l.entry, l.entry_len)) {
            report(&v, lineno, l.seq, "unparsable line: entry is not a JSON object");
            bseq++;
            bknown = false;
            continue;
        }
        uint8_t prev[MID_SHA256_SIZE], stored[MID_SHA256_SIZE];
        audit_unhex(l.prev_hex, prev);
        audit_unhex(l.hash_hex, stored);
        char hex[MID_AUDIT_HEX_SIZE];
        audit_line_hash(prev, line, l.hashed_len, hex);
        if (memcmp(hex, l.hash_hex, 64) != 0) {
            /* Assume it is the expected entry with its content changed: the next
             * line's prev still names the stored hash. */
            report(&v, lineno, l.seq, "hash mismatch: entry altered");
            bseq++;
            memcpy(bhash, stored, sizeof(bhash));
            bknown = true;
            continue;
        }
        summary->last_seq = l.seq;
        memcpy(summary->head, hex, sizeof(hex));
        if (expected_head != NULL && memcmp(expected_head, hex, 64) == 0) {
            head_found = true;
        }
        uint64_t expected = bseq + 1;
        bool adopt = true;
        if (l.seq == expected) {
            if (bknown && memcmp(prev, bhash, sizeof(prev)) != 0) {
                report(&v, lineno, l.seq,
                       "prev does not match entry %llu: entry inserted or "
                       "entries before it removed or altered",
                       (unsigned long long)bseq);
            }
        } else if (l.seq > expected) {
            if (seq_find(seqs, count, expected) < count) {
                report(&v, lineno, l.seq, "seq %llu appears before seq %llu: entries reordered",
                       (unsigned long long)l.seq, (unsigned long long)expected);
            } else if (l.seq - expected == 1) {
                report(&v, lineno, l.seq, "seq %llu missing: entry removed",
                       (unsigned long long)expected);
            } else {
                report(&v, lineno, l.seq, "seq %llu to %llu missing: %llu entries removed",
                       (unsigned long long)expected, (unsigned long long)(l.seq - 1),
                       (unsigned long long)(l.seq - expected));
            }
        } else {
            uint64_t other = 0;
            for (size_t k = seq_find(seqs, count, l.seq); k < count && seqs[k].seq == l.seq; k++) {
                if (seqs[k].line != lineno) {
                    other = seqs[k].line;
                    break;
                }
            }
            if (other != 0) {
                report(&v, lineno, l.seq, "duplicate seq %llu (also at line %llu): entry inserted",
                       (unsigned long long)l.seq, (unsigned long long)other);
            } else {
                report(&v, lineno, l.seq, "seq %llu appears after seq %llu: entries reordered",
                       (unsigned long long)l.seq, (unsigned long long)bseq);
            }
            /* Follow this line only when the chain continues from it. */
            adopt = false;
            size_t peek = pos;
            const char *nline;
            size_t nlen;
            audit_line nl;
            const char *nwhy;
            if (next_line(buf, n, &peek, &nline, &nlen) && nlen <= max_line &&
                audit_split_line(nline, nlen, &nl, &nwhy) &&
                memcmp(nl.prev_hex, l.hash_hex, 64) == 0) {
                adopt = true;
            }
        }
        if (adopt) {
            bseq = l.seq;
            memcpy(bhash, stored, sizeof(bhash));
            bknown = true;
        }
    }
    if (pos < n) {
        audit_line l;
        const char *why;
        audit_split_line(buf + pos, n - pos, &l, &why);
        report(&v, lineno + 1, l.seq, "torn last line: %zu bytes without a newline", n - pos);
    }
    if (expected_head != NULL && !head_found) {
        report(&v, lineno + 1, 0, "expected head %.64s is not in the log: newest entries removed",
               expected_head);
    }
    free(seqs);
    return MID_OK;
}

/* Maps the log at path read-only (*buf NULL for an empty file). */
static mid_status map_log(mid_ctx *ctx, const char *path, const char **buf, size_t *n) {
    *buf = NULL;
    *n = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return core_fail(ctx, MID_ERR_IO, "audit: cannot open '%s': %s", path, strerror(errno));
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return core_fail(ctx, MID_ERR_IO, "audit: '%s' is not a readable file", path);
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            return core_fail(ctx, MID_ERR_IO, "audit: cannot map '%s': %s", path, strerror(errno));
        }
        *buf = p;
        *n = (size_t)st.st_size;
    }
    close(fd);
    return MID_OK;
}

static void unmap_log(const char *buf, size_t n) {
    if (buf != NULL) {
        munmap((void *)(uintptr_t)buf, n);
    }
}

mid_status mid_audit_verify(mid_ctx *ctx, const char *path, const char *expected_head,
                            mid_audit_problem_fn problem, void *user, mid_audit_summary *summary) {
    if (path == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "audit verify: NULL path");
    }
    const char *buf;
    size_t n;
    mid_status st = map_log(ctx, path, &buf, &n);
    if (st != MID_OK) {
        return st;
    }
    st = audit_verify_buffer(ctx, buf, n, expected_head, problem, user, summary);
    unmap_log(buf, n);
    return st;
}

mid_status mid_audit_each(mid_ctx *ctx, const char *path, mid_audit_entry_fn fn, void *user) {
    if (path == NULL || fn == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "audit: NULL argument");
    }
    const char *buf;
    size_t n;
    mid_status st = map_log(ctx, path, &buf, &n);
    if (st != MID_OK) {
        return st;
    }
    size_t pos = 0, len;
    const char *line;
    while (next_line(buf, n, &pos, &line, &len)) {
        audit_line l;
        const char *why;
        if (audit_split_line(line, len, &l, &why) && !fn(user, l.seq, l.entry, l.entry_len)) {
            break;
        }
    }
    unmap_log(buf, n);
    return MID_OK;
}
