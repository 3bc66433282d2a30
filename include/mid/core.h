/*
 * mobileid core: status codes, the library context and memory release.
 *
 * Error idiom: every fallible function returns a mid_status. On failure a
 * human-readable detail (never containing biometric data, names or tokens) is
 * kept in the mid_ctx passed to the call and can be read with mid_ctx_error()
 * until the next failing call on that context. The library never prints and
 * never exits.
 *
 * Ownership: the caller owns a mid_ctx from mid_ctx_create() until
 * mid_ctx_free(). A context is not thread-safe; use one per thread. Objects
 * created through a context may outlive it unless their API says otherwise.
 */
#ifndef MID_CORE_H
#define MID_CORE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mid_status {
    MID_OK = 0,
    MID_ERR_ARG,         /* invalid argument from the caller */
    MID_ERR_NOMEM,       /* allocation failed */
    MID_ERR_IO,          /* file could not be read or written */
    MID_ERR_FORMAT,      /* input is malformed, corrupt or truncated */
    MID_ERR_UNSUPPORTED, /* input is well formed but uses an unsupported feature */
    MID_ERR_LIMIT,       /* input exceeds a limit from mid/limits.h */
    MID_ERR_NO_PRINT     /* no usable fingerprint area was found */
} mid_status;

typedef struct mid_ctx mid_ctx;

/* Creates a context. Returns MID_ERR_NOMEM if it cannot be allocated. */
mid_status mid_ctx_create(mid_ctx **out);

/* Frees a context. NULL is allowed. */
void mid_ctx_free(mid_ctx *ctx);

/* Detail of the last failure on ctx, or "" if none. Valid until the next call on ctx. */
const char *mid_ctx_error(const mid_ctx *ctx);

/* Stable short name of a status, e.g. "format". */
const char *mid_status_name(mid_status status);

/* Releases a buffer that the library returned to the caller (encoders). NULL is allowed. */
void mid_free(void *buffer);

#ifdef __cplusplus
}
#endif
#endif
