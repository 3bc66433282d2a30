/*
 * Strict RFC 8259 parser into an immutable tree held in one arena per document.
 *
 * Recursive descent bounded by MID_JSON_MAX_DEPTH (so the C stack is bounded).
 * Children of the container being parsed are collected on one parser-wide stack
 * and copied into the arena when the container closes, so each container costs
 * one arena allocation whatever its size. Duplicate keys are found by sorting
 * the keys (n log n), so a hostile object with 50,000 members stays cheap.
 */
#include "json_internal.h"

#include "core/core.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct json_key {
    const char *s;
    size_t len;
} json_key;

struct mid_json_value {
    mid_json_type type;
    bool is_int; /* number written as an integer literal that fits int64 */
    int64_t i;
    double num;
    size_t len; /* string bytes, or number of children */
    const char *str;
    mid_json_value *items; /* array elements or object member values */
    json_key *keys;        /* object member keys (parallel to items) */
};

typedef struct arena_chunk {
    struct arena_chunk *next;
    size_t used, cap;
    max_align_t data[];
} arena_chunk;

struct mid_json {
    arena_chunk *chunks;
    mid_json_value root;
    unsigned depth;
    size_t values;
};

/* ---- locale and UTF-8 ------------------------------------------------------ */

static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static locale_t c_locale;

static void make_c_locale(void) {
    c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

locale_t json_c_locale(void) {
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

size_t json_utf8_seq(const uint8_t *p, size_t n) {
    if (n == 0) {
        return 0;
    }
    uint8_t c = p[0];
    if (c < 0x80) {
        return 1;
    }
    size_t len;
    uint32_t cp, min;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
        min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
        min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
        min = 0x10000;
    } else {
        return 0; /* continuation byte, overlong lead (c0, c1) or beyond U+10FFFF */
    }
    if (n < len) {
        return 0;
    }
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xc0u) != 0x80u) {
            return 0;
        }
        cp = cp << 6 | (p[k] & 0x3fu);
    }
    if (cp < min || cp > 0x10ffffu || (cp >= 0xd800u && cp <= 0xdfffu)) {
        return 0;
    }
    return len;
}

/* ---- arena ----------------------------------------------------------------- */

static void *arena_alloc(mid_json *doc, size_t n) {
    const size_t align = sizeof(max_align_t);
    if (n > SIZE_MAX - align) {
        return NULL;
    }
    n = (n + align - 1) / align * align;
    arena_chunk *c = doc->chunks;
    if (c == NULL || c->cap - c->used < n) {
        size_t cap = n > 65536u ? n : 65536u;
        c = malloc(sizeof(arena_chunk) + cap);
        if (c == NULL) {
            return NULL;
        }
        c->next = doc->chunks;
        c->used = 0;
        c->cap = cap;
        doc->chunks = c;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

void mid_json_free(mid_json *doc) {
    if (doc == NULL) {
        return;
    }
    /* Strings of a request body (base64 probe images, names) live in the arena,
     * and a document that failed to parse is freed here too: wipe every chunk. */
    arena_chunk *c = doc->chunks;
    while (c != NULL) {
        arena_chunk *next = c->next;
        core_wipe(c->data, c->used);
        free(c);
        c = next;
    }
    free(doc);
}

/* ---- parser ---------------------------------------------------------------- */

typedef struct parser {
    mid_ctx *ctx;
    mid_json *doc;
    const uint8_t *s;
    size_t len, pos;
    size_t values;
    unsigned depth, max_depth;
    /* children of the open containers, innermost last */
    mid_json_value *stack;
    json_key *kstack;
    size_t top, cap;
} parser;

static mid_status fail_at(parser *p, mid_status st, const char *what, size_t at) {
    return core_fail(p->ctx, st, "json: %s at byte %zu", what, at);
}

static void skip_ws(parser *p) {
    while (p->pos < p->len) {
        uint8_t c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
            break;
        }
        p->pos++;
    }
}

static mid_status push_child(parser *p, const mid_json_value *v, const json_key *k) {
    if (p->top == p->cap) {
        size_t ncap = p->cap == 0 ? 64 : p->cap * 2;
        mid_json_value *ns = core_mallocn(ncap, sizeof(*ns));
        json_key *nk = core_mallocn(ncap, sizeof(*nk));
        if (ns == NULL || nk == NULL) {
            free(ns);
            free(nk);
            return core_fail(p->ctx, MID_ERR_NOMEM, "json: out of memory");
        }
        if (p->top > 0) {
            memcpy(ns, p->stack, p->top * sizeof(*ns));
            memcpy(nk, p->kstack, p->top * sizeof(*nk));
        }
        free(p->stack);
        free(p->kstack);
        p->stack = ns;
        p->kstack = nk;
        p->cap = ncap;
    }
    p->stack[p->top] = *v;
    p->kstack[p->top] = k != NULL ? *k : (json_key){NULL, 0};
    p->top++;
    return MID_OK;
}

static bool hex4(const uint8_t *s, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = s[k];
        uint32_t d;
        if (c >= '0' && c <= '9') {
            d = (uint32_t)(c - '0');
        } else if (c >= 'a' && c <= 'f') {
            d = (uint32_t)(c - 'a') + 10u;
        } else if (c >= 'A' && c <= 'F') {
            d = (uint32_t)(c - 'A') + 10u;
        } else {
            return false;
        }
        v = v << 4 | d;
    }
    *out = v;
    return true;
}

static size_t put_utf8(uint32_t cp, char *out) {
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xc0 | cp >> 6);
        out[1] = (char)(0x80 | (cp & 0x3f));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xe0 | cp >> 12);
        out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        out[2] = (char)(0x80 | (cp & 0x3f));
        return 3;
    }
    out[0] = (char)(0xf0 | cp >> 18);
    out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
    out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
    out[3] = (char)(0x80 | (cp & 0x3f));
    return 4;
}

/* Parses the string starting at the opening quote at p->pos into the arena. */
static mid_status parse_string(parser *p, const char **out, size_t *out_len) {
    size_t start = p->pos++;
    /* Find the closing quote first: the decoded text is never longer than the raw
     * text, so one arena allocation of the raw length suffices. */
    size_t end = p->pos;
    while (end < p->len && p->s[end] != '"') {
        end += p->s[end] == '\\' ? 2 : 1;
    }
    if (end >= p->len) {
        return fail_at(p, MID_ERR_FORMAT, "unterminated string", start);
    }
    if (end - p->pos > MID_JSON_MAX_STRING) {
        return fail_at(p, MID_ERR_LIMIT, "string longer than MID_JSON_MAX_STRING", start);
    }
    char *buf = arena_alloc(p->doc, end - p->pos + 1);
    if (buf == NULL) {
        return core_fail(p->ctx, MID_ERR_NOMEM, "json: out of memory");
    }
    size_t n = 0;
    while (p->pos < end) {
        uint8_t c = p->s[p->pos];
        if (c == '\\') {
            size_t at = p->pos;
            uint8_t e = p->s[p->pos + 1];
            p->pos += 2;
            switch (e) {
            case '"':
            case '\\':
            case '/':
                buf[n++] = (char)e;
                break;
            case 'b':
                buf[n++] = '\b';
                break;
            case 'f':
                buf[n++] = '\f';
                break;
            case 'n':
                buf[n++] = '\n';
                break;
            case 'r':
                buf[n++] = '\r';
                break;
            case 't':
                buf[n++] = '\t';
                break;
            case 'u': {
                uint32_t cp;
                if (end - p->pos < 4 || !hex4(p->s + p->pos, &cp)) {
                    return fail_at(p, MID_ERR_FORMAT, "bad \\u escape", at);
                }
                p->pos += 4;
                if (cp >= 0xdc00 && cp <= 0xdfff) {
                    return fail_at(p, MID_ERR_FORMAT, "unpaired low surrogate escape", at);
                }
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    uint32_t lo;
                    if (end - p->pos < 6 || p->s[p->pos] != '\\' || p->s[p->pos + 1] != 'u' ||
                        !hex4(p->s + p->pos + 2, &lo) || lo < 0xdc00 || lo > 0xdfff) {
                        return fail_at(p, MID_ERR_FORMAT, "unpaired high surrogate escape", at);
                    }
                    p->pos += 6;
                    cp = 0x10000u + ((cp - 0xd800u) << 10) + (lo - 0xdc00u);
                }
                if (cp == 0) {
                    return fail_at(p, MID_ERR_FORMAT, "\\u0000 is not allowed", at);
                }
                n += put_utf8(cp, buf + n);
                break;
            }
            default:
                return fail_at(p, MID_ERR_FORMAT, "bad escape", at);
            }
        } else if (c < 0x20) {
            return fail_at(p, MID_ERR_FORMAT, "control character in string", p->pos);
        } else {
            size_t k = json_utf8_seq(p->s + p->pos, end - p->pos);
            if (k == 0) {
                return fail_at(p, MID_ERR_FORMAT, "invalid UTF-8", p->pos);
            }
            memcpy(buf + n, p->s + p->pos, k);
            n += k;
            p->pos += k;
        }
    }
    buf[n] = '\0';
    p->pos = end + 1;
    *out = buf;
    *out_len = n;
    return MID_OK;
}

static mid_status parse_number(parser *p, mid_json_value *v) {
    size_t start = p->pos, i = p->pos;
    const uint8_t *s = p->s;
    bool integer = true;
    if (i < p->len && s[i] == '-') {
        i++;
    }
    if (i >= p->len || s[i] < '0' || s[i] > '9') {
        return fail_at(p, MID_ERR_FORMAT, "bad number", start);
    }
    if (s[i] == '0') {
        i++;
        if (i < p->len && s[i] >= '0' && s[i] <= '9') {
            return fail_at(p, MID_ERR_FORMAT, "leading zero in number", start);
        }
    } else {
        while (i < p->len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < p->len && s[i] == '.') {
        integer = false;
        i++;
        if (i >= p->len || s[i] < '0' || s[i] > '9') {
            return fail_at(p, MID_ERR_FORMAT, "digit expected after '.'", i);
        }
        while (i < p->len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    if (i < p->len && (s[i] == 'e' || s[i] == 'E')) {
        integer = false;
        i++;
        if (i < p->len && (s[i] == '+' || s[i] == '-')) {
            i++;
        }
        if (i >= p->len || s[i] < '0' || s[i] > '9') {
            return fail_at(p, MID_ERR_FORMAT, "digit expected in exponent", i);
        }
        while (i < p->len && s[i] >= '0' && s[i] <= '9') {
            i++;
        }
    }
    size_t n = i - start;
    if (n > JSON_MAX_NUMBER_CHARS) {
        return fail_at(p, MID_ERR_LIMIT, "number longer than 256 characters", start);
    }
    char copy[JSON_MAX_NUMBER_CHARS + 1];
    memcpy(copy, s + start, n);
    copy[n] = '\0';
    locale_t c = json_c_locale();
    locale_t old = c != (locale_t)0 ? uselocale(c) : (locale_t)0;
    errno = 0;
    char *endp = NULL;
    double d = strtod(copy, &endp);
    int err = errno;
    if (old != (locale_t)0) {
        uselocale(old);
    }
    if (endp != copy + n) {
        return fail_at(p, MID_ERR_FORMAT, "bad number", start);
    }
    if (err == ERANGE && (d > 1.0 || d < -1.0)) {
        return fail_at(p, MID_ERR_LIMIT, "number out of range", start);
    }
    v->type = MID_JSON_NUMBER;
    v->num = d;
    v->is_int = false;
    if (integer) {
        /* Exact integer value (doubles lose precision above 2^53). */
        bool neg = copy[0] == '-';
        uint64_t mag = 0, lim = neg ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
        bool fits = true;
        for (size_t k = neg ? 1 : 0; k < n; k++) {
            uint64_t digit = (uint64_t)(copy[k] - '0');
            if (mag > (lim - digit) / 10u) {
                fits = false;
                break;
            }
            mag = mag * 10u + digit;
        }
        if (fits) {
            v->is_int = true;
            v->i =
                neg ? (mag == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)mag) : (int64_t)mag;
        }
    }
    p->pos = i;
    return MID_OK;
}

static bool match_word(parser *p, const char *w) {
    size_t n = strlen(w);
    if (p->len - p->pos >= n && memcmp(p->s + p->pos, w, n) == 0) {
        p->pos += n;
        return true;
    }
    return false;
}

static int key_cmp(const void *a, const void *b) {
    const json_key *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->s, y->s, n);
    if (c != 0) {
        return c;
    }
    return x->len < y->len ? -1 : x->len > y->len;
}

/* Checks the n keys of an object for duplicates. */
static mid_status check_duplicates(parser *p, const json_key *keys, size_t n, size_t at) {
    if (n < 2) {
        return MID_OK;
    }
    if (n <= 8) {
        for (size_t a = 0; a < n; a++) {
            for (size_t b = a + 1; b < n; b++) {
                if (key_cmp(&keys[a], &keys[b]) == 0) {
                    return fail_at(p, MID_ERR_FORMAT, "duplicate key in object", at);
                }
            }
        }
        return MID_OK;
    }
    json_key *sorted = core_mallocn(n, sizeof(*sorted));
    if (sorted == NULL) {
        return core_fail(p->ctx, MID_ERR_NOMEM, "json: out of memory");
    }
    memcpy(sorted, keys, n * sizeof(*sorted));
    qsort(sorted, n, sizeof(*sorted), key_cmp);
    mid_status st = MID_OK;
    for (size_t k = 1; k < n; k++) {
        if (key_cmp(&sorted[k - 1], &sorted[k]) == 0) {
            st = fail_at(p, MID_ERR_FORMAT, "duplicate key in object", at);
            break;
        }
    }
    free(sorted);
    return st;
}

static mid_status parse_value(parser *p, mid_json_value *v);

/* Parses an array or object whose opening bracket is at p->pos. */
static mid_status parse_container(parser *p, mid_json_value *v, bool object) {
    size_t open = p->pos++;
    if (++p->depth > MID_JSON_MAX_DEPTH) {
        return fail_at(p, MID_ERR_LIMIT, "nesting deeper than MID_JSON_MAX_DEPTH", open);
    }
    if (p->depth > p->max_depth) {
        p->max_depth = p->depth;
    }
    const uint8_t close = object ? '}' : ']';
    size_t base = p->top;
    mid_status st;
    skip_ws(p);
    if (p->pos < p->len && p->s[p->pos] == close) {
        p->pos++;
    } else {
        for (;;) {
            json_key key = {NULL, 0};
            skip_ws(p);
            if (object) {
                if (p->pos >= p->len) {
                    return fail_at(p, MID_ERR_FORMAT, "unexpected end of input", p->pos);
                }
                if (p->s[p->pos] != '"') {
                    return fail_at(p, MID_ERR_FORMAT, "object key expected", p->pos);
                }
                st = parse_string(p, &key.s, &key.len);
                if (st != MID_OK) {
                    return st;
                }
                skip_ws(p);
                if (p->pos >= p->len || p->s[p->pos] != ':') {
                    return fail_at(p, MID_ERR_FORMAT, "':' expected", p->pos);
                }
                p->pos++;
            }
            mid_json_value child;
            st = parse_value(p, &child);
            if (st != MID_OK) {
                return st;
            }
            st = push_child(p, &child, &key);
            if (st != MID_OK) {
                return st;
            }
            skip_ws(p);
            if (p->pos >= p->len) {
                return fail_at(p, MID_ERR_FORMAT, "unexpected end of input", p->pos);
            }
            if (p->s[p->pos] == ',') {
                p->pos++;
                continue;
            }
            if (p->s[p->pos] == close) {
                p->pos++;
                break;
            }
            return fail_at(p, MID_ERR_FORMAT,
                           object ? "',' or '}' expected" : "',' or ']' expected", p->pos);
        }
    }
    size_t n = p->top - base;
    memset(v, 0, sizeof(*v));
    v->type = object ? MID_JSON_OBJECT : MID_JSON_ARRAY;
    v->len = n;
    if (n > 0) {
        v->items = arena_alloc(p->doc, n * sizeof(*v->items));
        if (v->items == NULL) {
            return core_fail(p->ctx, MID_ERR_NOMEM, "json: out of memory");
        }
        memcpy(v->items, p->stack + base, n * sizeof(*v->items));
        if (object) {
            st = check_duplicates(p, p->kstack + base, n, open);
            if (st != MID_OK) {
                return st;
            }
            v->keys = arena_alloc(p->doc, n * sizeof(*v->keys));
            if (v->keys == NULL) {
                return core_fail(p->ctx, MID_ERR_NOMEM, "json: out of memory");
            }
            memcpy(v->keys, p->kstack + base, n * sizeof(*v->keys));
        }
    }
    p->top = base;
    p->depth--;
    return MID_OK;
}

static mid_status parse_value(parser *p, mid_json_value *v) {
    skip_ws(p);
    if (p->pos >= p->len) {
        return fail_at(p, MID_ERR_FORMAT, "unexpected end of input", p->pos);
    }
    if (++p->values > MID_JSON_MAX_VALUES) {
        return fail_at(p, MID_ERR_LIMIT, "more than MID_JSON_MAX_VALUES values", p->pos);
    }
    memset(v, 0, sizeof(*v));
    size_t at = p->pos;
    uint8_t c = p->s[p->pos];
    switch (c) {
    case '{':
        return parse_container(p, v, true);
    case '[':
        return parse_container(p, v, false);
    case '"':
        v->type = MID_JSON_STRING;
        return parse_string(p, &v->str, &v->len);
    case 't':
        v->type = MID_JSON_TRUE;
        return match_word(p, "true") ? MID_OK : fail_at(p, MID_ERR_FORMAT, "bad literal", at);
    case 'f':
        v->type = MID_JSON_FALSE;
        return match_word(p, "false") ? MID_OK : fail_at(p, MID_ERR_FORMAT, "bad literal", at);
    case 'n':
        v->type = MID_JSON_NULL;
        return match_word(p, "null") ? MID_OK : fail_at(p, MID_ERR_FORMAT, "bad literal", at);
    default:
        if (c == '-' || (c >= '0' && c <= '9')) {
            return parse_number(p, v);
        }
        return fail_at(p, MID_ERR_FORMAT, "unexpected character", at);
    }
}

mid_status mid_json_parse(mid_ctx *ctx, const char *text, size_t len, mid_json **out) {
    if (out == NULL || (text == NULL && len > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "json: NULL argument");
    }
    *out = NULL;
    if (len > MID_JSON_MAX_BYTES) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "json: document of %zu bytes exceeds the %u-byte limit", len,
                         MID_JSON_MAX_BYTES);
    }
    mid_json *doc = calloc(1, sizeof(*doc));
    if (doc == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "json: out of memory");
    }
    parser p = {.ctx = ctx, .doc = doc, .s = (const uint8_t *)text, .len = len};
    mid_status st;
    skip_ws(&p);
    if (p.pos >= p.len) {
        st = fail_at(&p, MID_ERR_FORMAT, "empty document", p.pos);
    } else {
        st = parse_value(&p, &doc->root);
        if (st == MID_OK) {
            skip_ws(&p);
            if (p.pos < p.len) {
                st = fail_at(&p, MID_ERR_FORMAT, "trailing characters after the document", p.pos);
            }
        }
    }
    free(p.stack);
    free(p.kstack);
    if (st != MID_OK) {
        mid_json_free(doc);
        return st;
    }
    doc->depth = p.max_depth;
    doc->values = p.values;
    *out = doc;
    return MID_OK;
}

unsigned json_doc_depth(const mid_json *doc) {
    return doc->depth;
}
size_t json_doc_values(const mid_json *doc) {
    return doc->values;
}

/* ---- accessors ------------------------------------------------------------- */

const mid_json_value *mid_json_root(const mid_json *doc) {
    return doc != NULL ? &doc->root : NULL;
}

mid_json_type mid_json_type_of(const mid_json_value *v) {
    return v != NULL ? v->type : MID_JSON_NULL;
}

const mid_json_value *mid_json_get(const mid_json_value *v, const char *key) {
    if (v == NULL || v->type != MID_JSON_OBJECT || key == NULL) {
        return NULL;
    }
    size_t n = strlen(key);
    for (size_t k = 0; k < v->len; k++) {
        if (v->keys[k].len == n && memcmp(v->keys[k].s, key, n) == 0) {
            return &v->items[k];
        }
    }
    return NULL;
}

size_t mid_json_length(const mid_json_value *v) {
    if (v == NULL || (v->type != MID_JSON_ARRAY && v->type != MID_JSON_OBJECT)) {
        return 0;
    }
    return v->len;
}

const mid_json_value *mid_json_at(const mid_json_value *v, size_t i) {
    if (i >= mid_json_length(v)) {
        return NULL;
    }
    return &v->items[i];
}

const char *mid_json_key_at(const mid_json_value *v, size_t i) {
    if (v == NULL || v->type != MID_JSON_OBJECT || i >= v->len) {
        return NULL;
    }
    return v->keys[i].s;
}

const char *mid_json_string(const mid_json_value *v, size_t *len) {
    if (v == NULL || v->type != MID_JSON_STRING) {
        return NULL;
    }
    if (len != NULL) {
        *len = v->len;
    }
    return v->str;
}

bool mid_json_number(const mid_json_value *v, double *out) {
    if (v == NULL || v->type != MID_JSON_NUMBER) {
        return false;
    }
    if (out != NULL) {
        *out = v->num;
    }
    return true;
}

bool mid_json_int64(const mid_json_value *v, int64_t *out) {
    if (v == NULL || v->type != MID_JSON_NUMBER) {
        return false;
    }
    int64_t r;
    if (v->is_int) {
        r = v->i;
    } else {
        /* 1.0 or 1e3 are integers too; 2^63 is not in range. */
        double d = v->num;
        if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0)) {
            return false;
        }
        r = (int64_t)d;
        if ((double)r != d) {
            return false;
        }
    }
    if (out != NULL) {
        *out = r;
    }
    return true;
}

bool mid_json_bool(const mid_json_value *v, bool *out) {
    if (v == NULL || (v->type != MID_JSON_TRUE && v->type != MID_JSON_FALSE)) {
        return false;
    }
    if (out != NULL) {
        *out = v->type == MID_JSON_TRUE;
    }
    return true;
}

const char *mid_json_get_string(const mid_json_value *v, const char *key) {
    return mid_json_string(mid_json_get(v, key), NULL);
}

/* ---- compaction (for mid_json_raw) ------------------------------------------- */

size_t json_compact(const char *text, size_t n, char *out) {
    size_t o = 0;
    bool in_string = false;
    for (size_t i = 0; i < n; i++) {
        char c = text[i];
        if (in_string) {
            out[o++] = c;
            if (c == '\\') {
                out[o++] = text[++i];
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            continue;
        } else {
            if (c == '"') {
                in_string = true;
            }
            out[o++] = c;
        }
    }
    return o;
}
