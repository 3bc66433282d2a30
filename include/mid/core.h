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
    MID_ERR_NO_PRINT,    /* no usable fingerprint area was found */
    MID_ERR_NOT_FOUND,   /* the named object (person, device, officer, ...) does not exist */
    MID_ERR_EXISTS,      /* the object to be created exists already */
    MID_ERR_STORE,       /* the database back end failed (detail names the back end) */
    MID_ERR_CANCELLED    /* the caller's cancel callback stopped the operation */
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

/* Overwrites n bytes at p with zeros in a way the compiler may not elide (probe
 * images and templates are wiped after a search). NULL with n == 0 is allowed. */
void mid_wipe(void *p, size_t n);

/* SHA-256 (FIPS 180-4) of n bytes. Incremental use: init, update*, final. */
#define MID_SHA256_SIZE 32u
typedef struct mid_sha256_state {
    uint32_t h[8];
    uint64_t bytes;
    uint8_t block[64];
    size_t used;
} mid_sha256_state;
void mid_sha256_init(mid_sha256_state *st);
void mid_sha256_update(mid_sha256_state *st, const void *data, size_t n);
void mid_sha256_final(mid_sha256_state *st, uint8_t out[MID_SHA256_SIZE]);
void mid_sha256(const void *data, size_t n, uint8_t out[MID_SHA256_SIZE]);
/* Lower-case hex of n bytes into out (2n + 1 bytes with the NUL). */
void mid_hex(const uint8_t *bytes, size_t n, char *out);

#ifdef __cplusplus
}
#endif
#endif
