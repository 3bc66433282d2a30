/*
 * JSON writer: compact output (no whitespace) that always re-parses with
 * mid_json_parse(). Structure is checked on every call (a value inside an object
 * needs a key first, ends must balance, nesting and size stay within the parser's
 * limits, strings must be UTF-8 without NUL); the first misuse is kept and
 * reported by mid_json_writer_finish().
 */
#include "json_internal.h"

#include "core/core.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct level {
    bool object;
    bool have_key; /* object: a key was written, its value is due */
    size_t count;  /* members or elements written */
} level;

struct mid_json_writer {
    mid_ctx *ctx;
    char *buf;
    size_t len, cap;
    mid_status err;
    char msg[160];
    unsigned depth;
    level stack[MID_JSON_MAX_DEPTH];
    bool root_done;
    size_t values;
};

static void w_fail(mid_json_writer *w, mid_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void w_fail(mid_json_writer *w, mid_status st, const char *fmt, ...) {
    if (w->err != MID_OK) {
        return;
    }
    w->err = st;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof(w->msg), fmt, ap);
    va_end(ap);
    core_fail(w->ctx, st, "json writer: %s", w->msg);
}

static bool w_put(mid_json_writer *w, const char *s, size_t n) {
    if (w->err != MID_OK) {
        return false;
    }
    if (n > MID_JSON_MAX_BYTES || w->len + n > MID_JSON_MAX_BYTES) {
        w_fail(w, MID_ERR_LIMIT, "output exceeds MID_JSON_MAX_BYTES");
        return false;
    }
    if (w->len + n + 1 > w->cap) {
        size_t ncap = w->cap == 0 ? 256 : w->cap;
        while (ncap < w->len + n + 1) {
            ncap *= 2;
        }
        /* Grown by copy, wipe and free rather than realloc: answers and audit
         * entries hold personal data, and realloc may leave the old block behind. */
        char *nb = malloc(ncap);
        if (nb == NULL) {
            w_fail(w, MID_ERR_NOMEM, "out of memory");
            return false;
        }
        if (w->buf != NULL) {
            memcpy(nb, w->buf, w->len + 1);
            mid_wipe(w->buf, w->cap);
            free(w->buf);
        }
        w->buf = nb;
        w->cap = ncap;
    }
    memcpy(w->buf + w->len, s, n);
    w->len += n;
    w->buf[w->len] = '\0';
    return true;
}

mid_status mid_json_writer_create(mid_ctx *ctx, mid_json_writer **out) {
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "json writer: NULL argument");
    }
    *out = calloc(1, sizeof(**out));
    if (*out == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "json writer: out of memory");
    }
    (*out)->ctx = ctx;
    return MID_OK;
}

void mid_json_writer_free(mid_json_writer *w) {
    if (w == NULL) {
        return;
    }
    if (w->buf != NULL) {
        mid_wipe(w->buf, w->cap);
    }
    free(w->buf);
    free(w);
}

/* Checks that a value may come now and writes the separator before it. */
static bool begin_value(mid_json_writer *w) {
    if (w == NULL || w->err != MID_OK) {
        return false;
    }
    if (++w->values > MID_JSON_MAX_VALUES) {
        w_fail(w, MID_ERR_LIMIT, "more than MID_JSON_MAX_VALUES values");
        return false;
    }
    if (w->depth == 0) {
        if (w->root_done) {
            w_fail(w, MID_ERR_ARG, "a second value after the document's root");
            return false;
        }
        return true;
    }
    level *l = &w->stack[w->depth - 1];
    if (l->object) {
        if (!l->have_key) {
            w_fail(w, MID_ERR_ARG, "value inside an object without a key");
            return false;
        }
        l->have_key = false;
        l->count++;
        return true;
    }
    if (l->count++ > 0) {
        return w_put(w, ",", 1);
    }
    return true;
}

/* Called when a scalar value or a container has been completed. */
static void end_value(mid_json_writer *w) {
    if (w->depth == 0) {
        w->root_done = true;
    }
}

/* Writes s (n bytes, validated as UTF-8 without NUL) as a quoted string. */
static void put_string(mid_json_writer *w, const char *s, size_t n) {
    if (s == NULL && n > 0) {
        w_fail(w, MID_ERR_ARG, "NULL string");
        return;
    }
    if (n > MID_JSON_MAX_STRING) {
        w_fail(w, MID_ERR_LIMIT, "string longer than MID_JSON_MAX_STRING");
        return;
    }
    if (!w_put(w, "\"", 1)) {
        return;
    }
    const uint8_t *p = (const uint8_t *)s;
    size_t run = 0; /* start of the pending run of bytes copied verbatim */
    size_t i = 0;
    while (i < n) {
        uint8_t c = p[i];
        const char *esc = NULL;
        char ubuf[8];
        if (c == 0) {
            w_fail(w, MID_ERR_ARG, "string contains NUL at byte %zu", i);
            return;
        }
        if (c == '"') {
            esc = "\\\"";
        } else if (c == '\\') {
            esc = "\\\\";
        } else if (c == '\n') {
            esc = "\\n";
        } else if (c == '\r') {
            esc = "\\r";
        } else if (c == '\t') {
            esc = "\\t";
        } else if (c == '\b') {
            esc = "\\b";
        } else if (c == '\f') {
            esc = "\\f";
        } else if (c < 0x20) {
            snprintf(ubuf, sizeof(ubuf), "\\u%04x", (unsigned)c);
            esc = ubuf;
        }
        if (esc != NULL) {
            if (!w_put(w, s + run, i - run) || !w_put(w, esc, strlen(esc))) {
                return;
            }
            i++;
            run = i;
            continue;
        }
        size_t k = json_utf8_seq(p + i, n - i);
        if (k == 0) {
            w_fail(w, MID_ERR_ARG, "string is not valid UTF-8 at byte %zu", i);
            return;
        }
        i += k;
    }
    if (w_put(w, s + run, n - run)) {
        w_put(w, "\"", 1);
    }
}

void mid_json_begin_object(mid_json_writer *w) {
    if (!begin_value(w)) {
        return;
    }
    if (w->depth >= MID_JSON_MAX_DEPTH) {
        w_fail(w, MID_ERR_LIMIT, "nesting deeper than MID_JSON_MAX_DEPTH");
        return;
    }
    w->stack[w->depth++] = (level){.object = true};
    w_put(w, "{", 1);
}

void mid_json_begin_array(mid_json_writer *w) {
    if (!begin_value(w)) {
        return;
    }
    if (w->depth >= MID_JSON_MAX_DEPTH) {
        w_fail(w, MID_ERR_LIMIT, "nesting deeper than MID_JSON_MAX_DEPTH");
        return;
    }
    w->stack[w->depth++] = (level){.object = false};
    w_put(w, "[", 1);
}

static void end_container(mid_json_writer *w, bool object) {
    if (w == NULL || w->err != MID_OK) {
        return;
    }
    if (w->depth == 0 || w->stack[w->depth - 1].object != object) {
        w_fail(w, MID_ERR_ARG,
               object ? "end_object without a matching begin_object"
                      : "end_array without a matching begin_array");
        return;
    }
    if (object && w->stack[w->depth - 1].have_key) {
        w_fail(w, MID_ERR_ARG, "end_object after a key without its value");
        return;
    }
    w->depth--;
    if (w_put(w, object ? "}" : "]", 1)) {
        end_value(w);
    }
}

void mid_json_end_object(mid_json_writer *w) {
    end_container(w, true);
}
void mid_json_end_array(mid_json_writer *w) {
    end_container(w, false);
}

void mid_json_key(mid_json_writer *w, const char *key) {
    if (w == NULL || w->err != MID_OK) {
        return;
    }
    if (key == NULL) {
        w_fail(w, MID_ERR_ARG, "NULL key");
        return;
    }
    if (w->depth == 0 || !w->stack[w->depth - 1].object) {
        w_fail(w, MID_ERR_ARG, "key outside an object");
        return;
    }
    level *l = &w->stack[w->depth - 1];
    if (l->have_key) {
        w_fail(w, MID_ERR_ARG, "two keys without a value");
        return;
    }
    if (l->count > 0 && !w_put(w, ",", 1)) {
        return;
    }
    put_string(w, key, strlen(key));
    if (w_put(w, ":", 1)) {
        l->have_key = true;
    }
}

void mid_json_string_n(mid_json_writer *w, const char *s, size_t n) {
    if (begin_value(w)) {
        put_string(w, s, n);
        end_value(w);
    }
}

void mid_json_string_value(mid_json_writer *w, const char *s) {
    if (s == NULL) {
        if (w != NULL) {
            w_fail(w, MID_ERR_ARG, "NULL string");
        }
        return;
    }
    mid_json_string_n(w, s, strlen(s));
}

void mid_json_int(mid_json_writer *w, int64_t v) {
    if (begin_value(w)) {
        char buf[24];
        int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
        w_put(w, buf, (size_t)n);
        end_value(w);
    }
}

void mid_json_double(mid_json_writer *w, double v) {
    if (w == NULL || w->err != MID_OK) {
        return;
    }
    if (!isfinite(v)) {
        w_fail(w, MID_ERR_ARG, "number is not finite");
        return;
    }
    if (!begin_value(w)) {
        return;
    }
    /* Shortest of %.15g..%.17g that reads back as the same double; %.17g always does. */
    char buf[40];
    int n = 0;
    locale_t c = json_c_locale();
    locale_t old = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, sizeof(buf), "%.*g", prec, v);
        if (strtod(buf, NULL) == v) {
            break;
        }
    }
    if (old != (locale_t)0) {
        uselocale(old);
    }
    w_put(w, buf, (size_t)n);
    end_value(w);
}

void mid_json_bool_value(mid_json_writer *w, bool v) {
    if (begin_value(w)) {
        w_put(w, v ? "true" : "false", v ? 4 : 5);
        end_value(w);
    }
}

void mid_json_null(mid_json_writer *w) {
    if (begin_value(w)) {
        w_put(w, "null", 4);
        end_value(w);
    }
}

void mid_json_raw(mid_json_writer *w, const char *json, size_t n) {
    if (w == NULL || w->err != MID_OK) {
        return;
    }
    mid_json *doc = NULL;
    mid_ctx *ctx = NULL;
    mid_ctx_create(&ctx); /* a private context, so the detail can be quoted */
    mid_status st = mid_json_parse(ctx, json, n, &doc);
    if (st != MID_OK) {
        w_fail(w, MID_ERR_ARG, "raw text is not one JSON value (%s)",
               ctx != NULL ? mid_ctx_error(ctx) : mid_status_name(st));
        mid_ctx_free(ctx);
        return;
    }
    mid_ctx_free(ctx);
    unsigned depth = json_doc_depth(doc);
    size_t values = json_doc_values(doc);
    mid_json_free(doc);
    if (w->depth + depth > MID_JSON_MAX_DEPTH) {
        w_fail(w, MID_ERR_LIMIT, "raw value nests deeper than MID_JSON_MAX_DEPTH");
        return;
    }
    if (!begin_value(w)) {
        return;
    }
    w->values += values - 1;
    if (w->values > MID_JSON_MAX_VALUES) {
        w_fail(w, MID_ERR_LIMIT, "more than MID_JSON_MAX_VALUES values");
        return;
    }
    /* Whitespace is dropped so the output stays on one line (audit log lines). */
    char *tmp = malloc(n > 0 ? n : 1);
    if (tmp == NULL) {
        w_fail(w, MID_ERR_NOMEM, "out of memory");
        return;
    }
    size_t m = json_compact(json, n, tmp);
    w_put(w, tmp, m);
    mid_wipe(tmp, m);
    free(tmp);
    end_value(w);
}

mid_status mid_json_writer_finish(mid_json_writer *w, char **text, size_t *len) {
    if (w == NULL || text == NULL) {
        return core_fail(w != NULL ? w->ctx : NULL, MID_ERR_ARG, "json writer: NULL argument");
    }
    *text = NULL;
    if (len != NULL) {
        *len = 0;
    }
    if (w->err != MID_OK) {
        return core_fail(w->ctx, w->err, "json writer: %s", w->msg);
    }
    if (w->depth != 0 || !w->root_done) {
        w->err = MID_ERR_ARG;
        snprintf(w->msg, sizeof(w->msg), "%s",
                 w->root_done ? "finish inside an open container" : "finish before any value");
        if (w->depth != 0) {
            snprintf(w->msg, sizeof(w->msg), "finish inside an open container");
        }
        return core_fail(w->ctx, MID_ERR_ARG, "json writer: %s", w->msg);
    }
    *text = w->buf;
    if (len != NULL) {
        *len = w->len;
    }
    w->buf = NULL;
    w->len = w->cap = 0;
    w->err = MID_ERR_ARG;
    snprintf(w->msg, sizeof(w->msg), "writer already finished");
    return MID_OK;
}
