/*
 * Internal helpers shared by every layer: failure reporting into the context,
 * overflow-checked size arithmetic and whole-file reading.
 */
#ifndef MID_SRC_CORE_H
#define MID_SRC_CORE_H

#include "mid/core.h"
#include "mid/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MID_ERRMSG_SIZE 256

struct mid_ctx {
    char errmsg[MID_ERRMSG_SIZE];
};

/* Records a printf-style detail in ctx (if ctx is not NULL) and returns status. */
mid_status core_fail(mid_ctx *ctx, mid_status status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* a * b into *out; false on overflow. */
static inline bool core_mul_size(size_t a, size_t b, size_t *out) {
    return !__builtin_mul_overflow(a, b, out);
}

/* a * b * c into *out; false on overflow. */
static inline bool core_mul3_size(size_t a, size_t b, size_t c, size_t *out) {
    size_t ab;
    return core_mul_size(a, b, &ab) && core_mul_size(ab, c, out);
}

/* calloc(n, size) with overflow check; NULL on failure. */
void *core_calloc(size_t n, size_t size);
/* malloc(n * size) with overflow check; NULL on failure. */
void *core_mallocn(size_t n, size_t size);

/* Reads a whole file of at most max_bytes into a new buffer (free with mid_free).
 * Fails with MID_ERR_IO, MID_ERR_LIMIT or MID_ERR_NOMEM, detail in ctx. */
mid_status core_read_file(mid_ctx *ctx, const char *path, size_t max_bytes, uint8_t **data,
                          size_t *len);

/* Writes len bytes to path (replacing it). MID_ERR_IO on failure. */
mid_status core_write_file(mid_ctx *ctx, const char *path, const void *data, size_t len);

/* Overwrites len bytes with zeros in a way the compiler does not elide (biometric data). */
void core_wipe(void *p, size_t len);

#endif
