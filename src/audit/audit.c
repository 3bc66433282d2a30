/*
 * Appending to the hash-chained audit log (format in mid/audit.h).
 *
 * Writers: a mutex serialises the threads of one process, and a POSIX record
 * lock (fcntl F_SETLKW on the whole file) serialises processes (the gateway
 * and an administrator's `mid` command may append to the same log). Under the
 * lock the file's size is compared with the size after our own last append;
 * when another process has appended since, the head is re-read from the file's
 * last line, so the chain never forks.
 *
 * Durability: the whole line is written with O_APPEND and fdatasync()ed before
 * append returns. A failed write is cut back off the file so a partial line is
 * never followed by another entry; if even that fails the log refuses further
 * appends (the caller must then refuse the transaction).
 */
#define _DEFAULT_SOURCE
#include "audit_internal.h"

#include "core/core.h"
#include "json/json_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct mid_audit {
    int fd;
    pthread_mutex_t lock;
    uint64_t seq;
    uint8_t head[MID_SHA256_SIZE];
    char head_hex[MID_AUDIT_HEX_SIZE];
    off_t size; /* file size after our last read or append */
    uint64_t torn;
    bool broken; /* a failed append could not be undone */
    char *path;
};

static mid_status lock_file(mid_ctx *ctx, int fd, short type) {
    struct flock fl = {.l_type = type, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    while (fcntl(fd, F_SETLKW, &fl) != 0) {
        if (errno != EINTR) {
            return core_fail(ctx, MID_ERR_IO, "audit: cannot lock the log: %s", strerror(errno));
        }
    }
    return MID_OK;
}

static void unlock_file(int fd) {
    struct flock fl = {.l_type = F_UNLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
    (void)fcntl(fd, F_SETLK, &fl);
}

/* Brings a->seq/head/size up to date with the file (called with the file lock
 * held): cuts a torn final line, then reads the head from the last line. */
static mid_status sync_tail(mid_audit *a, mid_ctx *ctx) {
    struct stat st;
    if (fstat(a->fd, &st) != 0) {
        return core_fail(ctx, MID_ERR_IO, "audit: cannot stat '%s': %s", a->path, strerror(errno));
    }
    off_t size = st.st_size;
    a->seq = 0;
    memset(a->head, 0, sizeof(a->head));
    mid_hex(a->head, sizeof(a->head), a->head_hex);
    a->size = 0;
    if (size == 0) {
        return MID_OK;
    }
    /* The last line, torn or not, lies within the final window. */
    const size_t max_line = MID_AUDIT_MAX_ENTRY_BYTES + AUDIT_LINE_OVERHEAD;
    size_t win = (uint64_t)size < 2 * max_line + 2 ? (size_t)size : 2 * max_line + 2;
    char *buf = malloc(win);
    if (buf == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "audit: out of memory");
    }
    off_t base = size - (off_t)win;
    size_t got = 0;
    while (got < win) {
        ssize_t r = pread(a->fd, buf + got, win - got, base + (off_t)got);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            free(buf);
            return core_fail(ctx, MID_ERR_IO, "audit: cannot read '%s'", a->path);
        }
        got += (size_t)r;
    }
    /* Cut a final line without its newline: it was never acknowledged. */
    size_t end = win;
    while (end > 0 && buf[end - 1] != '\n') {
        end--;
    }
    if (end < win) {
        if (end == 0 && base > 0) {
            free(buf);
            return core_fail(ctx, MID_ERR_FORMAT, "audit: '%s' ends in an over-long torn line",
                             a->path);
        }
        off_t keep = base + (off_t)end;
        if (ftruncate(a->fd, keep) != 0 || fdatasync(a->fd) != 0) {
            free(buf);
            return core_fail(ctx, MID_ERR_IO, "audit: cannot cut the torn line of '%s': %s",
                             a->path, strerror(errno));
        }
        a->torn += (uint64_t)(size - keep);
        size = keep;
    }
    a->size = size;
    if (end == 0) {
        free(buf);
        return MID_OK;
    }
    size_t start = end - 1;
    while (start > 0 && buf[start - 1] != '\n') {
        start--;
    }
    if (start == 0 && base > 0) {
        free(buf);
        return core_fail(ctx, MID_ERR_FORMAT, "audit: the last line of '%s' is too long", a->path);
    }
    audit_line l;
    const char *why = NULL;
    if (!audit_split_line(buf + start, end - 1 - start, &l, &why) ||
        !audit_unhex(l.hash_hex, a->head)) {
        free(buf);
        return core_fail(ctx, MID_ERR_FORMAT,
                         "audit: the last entry of '%s' does not parse (%s); run mid audit verify",
                         a->path, why != NULL ? why : "bad hash");
    }
    a->seq = l.seq;
    mid_hex(a->head, sizeof(a->head), a->head_hex);
    free(buf);
    return MID_OK;
}

mid_status mid_audit_open(mid_ctx *ctx, const char *path, mid_audit **out) {
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "audit: NULL argument");
    }
    *out = NULL;
    mid_audit *a = calloc(1, sizeof(*a));
    if (a == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "audit: out of memory");
    }
    a->path = strdup(path);
    if (a->path == NULL || pthread_mutex_init(&a->lock, NULL) != 0) {
        free(a->path);
        free(a);
        return core_fail(ctx, MID_ERR_NOMEM, "audit: out of memory");
    }
    a->fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (a->fd < 0) {
        mid_status st =
            core_fail(ctx, MID_ERR_IO, "audit: cannot open '%s': %s", path, strerror(errno));
        pthread_mutex_destroy(&a->lock);
        free(a->path);
        free(a);
        return st;
    }
    mid_status st = lock_file(ctx, a->fd, F_WRLCK);
    if (st == MID_OK) {
        st = sync_tail(a, ctx);
        unlock_file(a->fd);
    }
    if (st != MID_OK) {
        mid_audit_close(a);
        return st;
    }
    *out = a;
    return MID_OK;
}

void mid_audit_close(mid_audit *a) {
    if (a == NULL) {
        return;
    }
    close(a->fd);
    pthread_mutex_destroy(&a->lock);
    free(a->path);
    free(a);
}

void mid_audit_head(mid_audit *a, uint64_t *seq, char head[MID_AUDIT_HEX_SIZE]) {
    pthread_mutex_lock(&a->lock);
    if (seq != NULL) {
        *seq = a->seq;
    }
    if (head != NULL) {
        memcpy(head, a->head_hex, MID_AUDIT_HEX_SIZE);
    }
    pthread_mutex_unlock(&a->lock);
}

uint64_t mid_audit_torn(const mid_audit *a) {
    return a != NULL ? a->torn : 0;
}

static bool write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) {
            continue;
        }
        if (w <= 0) {
            return false;
        }
        p += w;
        n -= (size_t)w;
    }
    return true;
}

/* Appends under both locks. */
static mid_status append_locked(mid_audit *a, mid_ctx *ctx, const char *entry, size_t entry_len,
                                uint64_t *seq, char *head) {
    struct stat st;
    if (fstat(a->fd, &st) != 0) {
        return core_fail(ctx, MID_ERR_IO, "audit: cannot stat '%s': %s", a->path, strerror(errno));
    }
    if (st.st_size != a->size) {
        /* Another process appended (or a crash left a torn line): re-read the head. */
        mid_status s = sync_tail(a, ctx);
        if (s != MID_OK) {
            return s;
        }
    }
    size_t cap = entry_len + AUDIT_LINE_OVERHEAD;
    char *line = malloc(cap);
    if (line == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "audit: out of memory");
    }
    uint64_t next = a->seq + 1;
    int n =
        snprintf(line, cap, "{\"seq\":%llu,\"prev\":\"%s\",\"entry\":", (unsigned long long)next,
                 a->head_hex);
    size_t len = (size_t)n;
    len += json_compact(entry, entry_len, line + len);
    size_t hashed = len;
    char hex[MID_AUDIT_HEX_SIZE];
    audit_line_hash(a->head, line, hashed, hex);
    n = snprintf(line + len, cap - len, ",\"hash\":\"%s\"}\n", hex);
    len += (size_t)n;
    if (!write_all(a->fd, line, len) || fdatasync(a->fd) != 0) {
        int err = errno;
        free(line);
        if (ftruncate(a->fd, a->size) != 0) {
            a->broken = true;
        }
        return core_fail(ctx, MID_ERR_IO, "audit: cannot append to '%s': %s", a->path,
                         strerror(err));
    }
    free(line);
    a->seq = next;
    audit_unhex(hex, a->head);
    memcpy(a->head_hex, hex, sizeof(hex));
    a->size += (off_t)len;
    if (seq != NULL) {
        *seq = next;
    }
    if (head != NULL) {
        memcpy(head, hex, sizeof(hex));
    }
    return MID_OK;
}

mid_status mid_audit_append(mid_audit *a, mid_ctx *ctx, const char *entry_json, size_t len,
                            uint64_t *seq, char *head) {
    if (a == NULL || (entry_json == NULL && len > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "audit: NULL argument");
    }
    if (len > MID_AUDIT_MAX_ENTRY_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT, "audit: entry of %zu bytes exceeds the %u-byte limit",
                         len, MID_AUDIT_MAX_ENTRY_BYTES);
    }
    /* The entry must be one JSON object; its text goes into the line compacted. */
    mid_json *doc = NULL;
    mid_status st = mid_json_parse(ctx, entry_json, len, &doc);
    if (st != MID_OK) {
        char detail[MID_ERRMSG_SIZE];
        snprintf(detail, sizeof(detail), "%s", mid_ctx_error(ctx));
        return core_fail(ctx, MID_ERR_ARG, "audit: entry is not valid JSON (%s)", detail);
    }
    bool object = mid_json_type_of(mid_json_root(doc)) == MID_JSON_OBJECT;
    mid_json_free(doc);
    if (!object) {
        return core_fail(ctx, MID_ERR_ARG, "audit: entry is not a JSON object");
    }
    pthread_mutex_lock(&a->lock);
    if (a->broken) {
        st = core_fail(ctx, MID_ERR_IO,
                       "audit: '%s' refuses appends after an unrecoverable write "
                       "failure",
                       a->path);
    } else {
        st = lock_file(ctx, a->fd, F_WRLCK);
        if (st == MID_OK) {
            st = append_locked(a, ctx, entry_json, len, seq, head);
            unlock_file(a->fd);
        }
    }
    pthread_mutex_unlock(&a->lock);
    return st;
}
