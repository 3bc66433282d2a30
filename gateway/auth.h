/*
 * Authentication state of the gateway (auth.c): officer PIN hashing, login
 * tokens bound to a device, the TCN replay table and the rate limiters.
 *
 * Ownership and threads: each table belongs to its creator until its free
 * function; every other function may be called from several threads at once
 * (each table has its own mutex). Tokens exist in memory only and only as their
 * SHA-256: a token is never stored, logged or audited.
 */
#ifndef MID_GW_AUTH_H
#define MID_GW_AUTH_H

#include "gateway.h"

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

/* ---- PINs (Argon2id, PHC string) ------------------------------------------- */

/* Production parameters: t=3 passes over m=64 MiB, 1 lane (RFC 9106's second
 * recommended option); test parameters (t=1, m=1 MiB) keep test worlds fast and are
 * only chosen explicitly (`mid officer add --argon2-test`). */
#define GW_ARGON2_T 3u
#define GW_ARGON2_M_KIB (64u * 1024u)
#define GW_ARGON2_P 1u
#define GW_PIN_MIN 4u
#define GW_PIN_MAX 64u

/* True when pin is 4..64 printable ASCII characters. */
bool gw_pin_valid(const char *pin);
/* Hashes pin into a PHC string "$argon2id$v=19$m=...,t=...,p=...$salt$hash". */
mid_status gw_pin_hash(const char *pin, bool test_params, char out[MID_PIN_HASH_SIZE],
                       char err[GW_ERR_SIZE]);
/* True when pin matches the PHC string (its own parameters). At most
 * GW_PIN_VERIFY_PARALLEL verifications run at once (each takes m of memory). */
bool gw_pin_verify(const char *phc, const char *pin);
#define GW_PIN_VERIFY_PARALLEL 4

/* True when collar is 1..15 of [A-Za-z0-9-]. */
bool gw_collar_valid(const char *collar);

/* ---- Tokens ------------------------------------------------------------------ */

#define GW_TOKEN_CHARS 43u /* 32 random bytes in unpadded base64url */
#define GW_MAX_TOKENS 8192u

typedef struct gw_tokens gw_tokens;
typedef struct gw_token_info {
    char device[MID_DEVICE_ID_SIZE];
    char officer[MID_COLLAR_SIZE];
    unsigned roles;
    int64_t expires; /* Unix seconds */
} gw_token_info;

gw_tokens *gw_tokens_create(void);
void gw_tokens_free(gw_tokens *t);
/* Issues a token for info (expires set by the caller) into token (43 chars +
 * NUL). When the table is full, expired tokens go first, then the soonest to
 * expire. */
mid_status gw_tokens_issue(gw_tokens *t, const gw_token_info *info, char token[GW_TOKEN_CHARS + 1]);
/* Looks a presented token up: 1 valid (info filled), 0 unknown, -1 expired
 * (removed). */
int gw_tokens_check(gw_tokens *t, const char *token, int64_t now, gw_token_info *info);

/* ---- TCN replay table ------------------------------------------------------- */

/* Remembers (device, TCN) pairs for 24 hours in a table of GW_MAX_TCNS entries
 * (one table-full condition is reported as a replay: fail closed). */
#define GW_MAX_TCNS (1u << 18)
#define GW_TCN_KEEP_SECONDS (24 * 60 * 60)
typedef struct gw_tcns gw_tcns;
gw_tcns *gw_tcns_create(void);
void gw_tcns_free(gw_tcns *t);
bool gw_tcns_claim(gw_tcns *t, const char *device, const char *tcn, int64_t now);

/* ---- Rate limits --------------------------------------------------------------- */

/* Token buckets of `per_minute` requests per key (device id or collar), a full
 * bucket holding one minute's worth. Bounded to GW_MAX_RATE_KEYS keys: the key
 * idle longest is forgotten first (its bucket would be full again anyway). */
#define GW_MAX_RATE_KEYS 4096u
typedef struct gw_rate gw_rate;
gw_rate *gw_rate_create(unsigned per_minute);
void gw_rate_free(gw_rate *r);
/* Takes one request from key's bucket; false when it is empty. */
bool gw_rate_take(gw_rate *r, const char *key, double now);

#endif
