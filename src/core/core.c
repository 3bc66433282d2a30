#include "core/core.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

mid_status mid_ctx_create(mid_ctx **out) {
    if (out == NULL) {
        return MID_ERR_ARG;
    }
    *out = calloc(1, sizeof(**out));
    return *out ? MID_OK : MID_ERR_NOMEM;
}

void mid_ctx_free(mid_ctx *ctx) {
    free(ctx);
}

const char *mid_ctx_error(const mid_ctx *ctx) {
    return ctx ? ctx->errmsg : "";
}

const char *mid_status_name(mid_status status) {
    switch (status) {
    case MID_OK:
        return "ok";
    case MID_ERR_ARG:
        return "invalid argument";
    case MID_ERR_NOMEM:
        return "out of memory";
    case MID_ERR_IO:
        return "i/o error";
    case MID_ERR_FORMAT:
        return "malformed input";
    case MID_ERR_UNSUPPORTED:
        return "unsupported input";
    case MID_ERR_LIMIT:
        return "limit exceeded";
    case MID_ERR_NO_PRINT:
        return "no fingerprint found";
    case MID_ERR_NOT_FOUND:
        return "not found";
    case MID_ERR_EXISTS:
        return "already exists";
    case MID_ERR_STORE:
        return "store failure";
    case MID_ERR_CANCELLED:
        return "cancelled";
    }
    return "unknown status";
}

void mid_free(void *buffer) {
    free(buffer);
}

mid_status core_fail(mid_ctx *ctx, mid_status status, const char *fmt, ...) {
    if (ctx != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ctx->errmsg, sizeof(ctx->errmsg), fmt, ap);
        va_end(ap);
    }
    return status;
}

void *core_calloc(size_t n, size_t size) {
    size_t total;
    if (!core_mul_size(n, size, &total)) {
        return NULL;
    }
    return calloc(n ? n : 1, size ? size : 1);
}

void *core_mallocn(size_t n, size_t size) {
    size_t total;
    if (!core_mul_size(n, size, &total)) {
        return NULL;
    }
    return malloc(total ? total : 1);
}

mid_status core_read_file(mid_ctx *ctx, const char *path, size_t max_bytes, uint8_t **data,
                          size_t *len) {
    if (path == NULL || data == NULL || len == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "read_file: NULL argument");
    }
    *data = NULL;
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return core_fail(ctx, MID_ERR_IO, "cannot open '%s': %s", path, strerror(errno));
    }
    size_t cap = 64 * 1024, n = 0;
    uint8_t *buf = malloc(cap);
    if (buf == NULL) {
        fclose(f);
        return core_fail(ctx, MID_ERR_NOMEM, "out of memory reading '%s'", path);
    }
    for (;;) {
        if (n == cap) {
            if (cap > max_bytes) {
                break;
            }
            size_t ncap = cap * 2;
            uint8_t *nb = realloc(buf, ncap);
            if (nb == NULL) {
                free(buf);
                fclose(f);
                return core_fail(ctx, MID_ERR_NOMEM, "out of memory reading '%s'", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            break;
        }
    }
    int err = ferror(f);
    fclose(f);
    if (err) {
        free(buf);
        return core_fail(ctx, MID_ERR_IO, "error reading '%s'", path);
    }
    if (n > max_bytes) {
        free(buf);
        return core_fail(ctx, MID_ERR_LIMIT, "'%s' is larger than the %zu-byte limit", path,
                         max_bytes);
    }
    *data = buf;
    *len = n;
    return MID_OK;
}

mid_status core_write_file(mid_ctx *ctx, const char *path, const void *data, size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return core_fail(ctx, MID_ERR_IO, "cannot create '%s': %s", path, strerror(errno));
    }
    size_t put = fwrite(data, 1, len, f);
    int rc = fclose(f);
    if (put != len || rc != 0) {
        return core_fail(ctx, MID_ERR_IO, "cannot write '%s'", path);
    }
    return MID_OK;
}

void core_wipe(void *p, size_t len) {
    if (p != NULL && len > 0) {
        memset(p, 0, len);
        /* Keep the stores: the compiler must assume p's memory is observed. */
        __asm__ __volatile__("" : : "r"(p) : "memory");
    }
}
