/*
 * Officer PINs (Argon2id), login tokens, the TCN replay table and rate limits.
 */
#include "auth.h"

#include <argon2.h>
#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- PINs -------------------------------------------------------------------- */

#define SALT_BYTES 16u
#define HASH_BYTES 32u

bool gw_pin_valid(const char *pin) {
    size_t n = strnlen(pin, GW_PIN_MAX + 1);
    if (n < GW_PIN_MIN || n > GW_PIN_MAX) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (pin[i] < 0x20 || pin[i] > 0x7e) {
            return false;
        }
    }
    return true;
}

bool gw_collar_valid(const char *collar) {
    size_t n = strnlen(collar, MID_COLLAR_SIZE);
    if (n == 0 || n >= MID_COLLAR_SIZE) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        char c = collar[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-')) {
            return false;
        }
    }
    return true;
}

mid_status gw_pin_hash(const char *pin, bool test_params, char out[MID_PIN_HASH_SIZE],
                       char err[GW_ERR_SIZE]) {
    if (!gw_pin_valid(pin)) {
        snprintf(err, GW_ERR_SIZE, "a PIN is %u..%u printable ASCII characters", GW_PIN_MIN,
                 GW_PIN_MAX);
        return MID_ERR_ARG;
    }
    uint8_t salt[SALT_BYTES];
    int rc = gnutls_rnd(GNUTLS_RND_RANDOM, salt, sizeof(salt));
    if (rc < 0) {
        snprintf(err, GW_ERR_SIZE, "random salt: %s", gnutls_strerror(rc));
        return MID_ERR_IO;
    }
    uint32_t t = test_params ? 1u : GW_ARGON2_T;
    uint32_t m = test_params ? 1024u : GW_ARGON2_M_KIB;
    rc = argon2id_hash_encoded(t, m, GW_ARGON2_P, pin, strlen(pin), salt, sizeof(salt), HASH_BYTES,
                               out, MID_PIN_HASH_SIZE);
    if (rc != ARGON2_OK) {
        snprintf(err, GW_ERR_SIZE, "Argon2id: %s", argon2_error_message(rc));
        return rc == ARGON2_MEMORY_ALLOCATION_ERROR ? MID_ERR_NOMEM : MID_ERR_ARG;
    }
    return MID_OK;
}

/* Each verification allocates the hash's m (64 MiB in production): a semaphore
 * bounds how many run at once so that a burst of logins cannot exhaust memory. */
static sem_t verify_slots;
static pthread_once_t verify_once = PTHREAD_ONCE_INIT;
static void verify_init(void) {
    sem_init(&verify_slots, 0, GW_PIN_VERIFY_PARALLEL);
}

bool gw_pin_verify(const char *phc, const char *pin) {
    pthread_once(&verify_once, verify_init);
    while (sem_wait(&verify_slots) != 0) {
    }
    bool ok = argon2id_verify(phc, pin, strlen(pin)) == ARGON2_OK;
    sem_post(&verify_slots);
    return ok;
}

/* ---- Tokens -------------------------------------------------------------------- */

typedef struct token_slot {
    uint8_t hash[MID_SHA256_SIZE];
    gw_token_info info;
    bool used;
} token_slot;

struct gw_tokens {
    pthread_mutex_t lock;
    token_slot slot[GW_MAX_TOKENS];
};

gw_tokens *gw_tokens_create(void) {
    gw_tokens *t = calloc(1, sizeof(*t));
    if (t != NULL && pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t);
        return NULL;
    }
    return t;
}

void gw_tokens_free(gw_tokens *t) {
    if (t != NULL) {
        pthread_mutex_destroy(&t->lock);
        mid_wipe(t->slot, sizeof(t->slot));
        free(t);
    }
}

static void base64url(const uint8_t *in, size_t n, char *out) {
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 8) | in[i];
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            out[o++] = abc[(acc >> bits) & 63u];
        }
    }
    if (bits > 0) {
        out[o++] = abc[(acc << (6 - bits)) & 63u];
    }
    out[o] = '\0';
}

mid_status gw_tokens_issue(gw_tokens *t, const gw_token_info *info,
                           char token[GW_TOKEN_CHARS + 1]) {
    uint8_t raw[32];
    if (gnutls_rnd(GNUTLS_RND_KEY, raw, sizeof(raw)) < 0) {
        return MID_ERR_IO;
    }
    base64url(raw, sizeof(raw), token);
    mid_wipe(raw, sizeof(raw));
    uint8_t h[MID_SHA256_SIZE];
    mid_sha256(token, GW_TOKEN_CHARS, h);
    pthread_mutex_lock(&t->lock);
    /* A free slot, else the one that expires first (expired ones first of all). */
    size_t pick = 0;
    for (size_t i = 0; i < GW_MAX_TOKENS; i++) {
        if (!t->slot[i].used) {
            pick = i;
            break;
        }
        if (t->slot[i].info.expires < t->slot[pick].info.expires) {
            pick = i;
        }
    }
    token_slot *s = &t->slot[pick];
    memcpy(s->hash, h, sizeof(h));
    s->info = *info;
    s->used = true;
    pthread_mutex_unlock(&t->lock);
    return MID_OK;
}

int gw_tokens_check(gw_tokens *t, const char *token, int64_t now, gw_token_info *info) {
    if (strnlen(token, GW_TOKEN_CHARS + 1) != GW_TOKEN_CHARS) {
        return 0;
    }
    uint8_t h[MID_SHA256_SIZE];
    mid_sha256(token, GW_TOKEN_CHARS, h);
    int found = 0;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < GW_MAX_TOKENS; i++) {
        token_slot *s = &t->slot[i];
        if (s->used && memcmp(s->hash, h, sizeof(h)) == 0) {
            if (s->info.expires <= now) {
                memset(s, 0, sizeof(*s));
                found = -1;
            } else {
                *info = s->info;
                found = 1;
            }
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return found;
}

/* ---- TCN replay table ------------------------------------------------------------
 * Open addressing on SHA-256(device NUL tcn); expired entries are dropped by a
 * rebuild when the table is three quarters full. */

typedef struct tcn_slot {
    uint8_t key[16]; /* first 128 bits of the hash: collisions are negligible */
    int64_t seen;    /* 0: empty */
} tcn_slot;

struct gw_tcns {
    pthread_mutex_t lock;
    size_t used;
    tcn_slot *slot; /* GW_MAX_TCNS */
};

gw_tcns *gw_tcns_create(void) {
    gw_tcns *t = calloc(1, sizeof(*t));
    if (t == NULL) {
        return NULL;
    }
    t->slot = calloc(GW_MAX_TCNS, sizeof(tcn_slot));
    if (t->slot == NULL || pthread_mutex_init(&t->lock, NULL) != 0) {
        free(t->slot);
        free(t);
        return NULL;
    }
    return t;
}

void gw_tcns_free(gw_tcns *t) {
    if (t != NULL) {
        pthread_mutex_destroy(&t->lock);
        free(t->slot);
        free(t);
    }
}

static size_t tcn_index(const uint8_t key[16]) {
    uint64_t v;
    memcpy(&v, key, sizeof(v));
    return (size_t)(v & (GW_MAX_TCNS - 1u));
}

static void tcn_purge(gw_tcns *t, int64_t now) {
    /* Collect the live entries, clear, reinsert (keeps probe chains intact). The
     * copy is allocated before the table is touched: on failure the table stays
     * as it was, full, and claims fail closed. */
    tcn_slot *keep = malloc(t->used * sizeof(tcn_slot) + 1);
    if (keep == NULL) {
        return;
    }
    size_t live = 0;
    for (size_t i = 0; i < GW_MAX_TCNS; i++) {
        if (t->slot[i].seen != 0 && now - t->slot[i].seen < GW_TCN_KEEP_SECONDS) {
            keep[live++] = t->slot[i];
        }
    }
    memset(t->slot, 0, GW_MAX_TCNS * sizeof(tcn_slot));
    for (size_t k = 0; k < live; k++) {
        size_t i = tcn_index(keep[k].key);
        while (t->slot[i].seen != 0) {
            i = (i + 1) & (GW_MAX_TCNS - 1u);
        }
        t->slot[i] = keep[k];
    }
    t->used = live;
    free(keep);
}

bool gw_tcns_claim(gw_tcns *t, const char *device, const char *tcn, int64_t now) {
    mid_sha256_state st;
    uint8_t h[MID_SHA256_SIZE];
    mid_sha256_init(&st);
    mid_sha256_update(&st, device, strlen(device) + 1);
    mid_sha256_update(&st, tcn, strlen(tcn));
    mid_sha256_final(&st, h);
    if (now <= 0) {
        now = 1;
    }
    bool fresh = false;
    pthread_mutex_lock(&t->lock);
    if (t->used >= GW_MAX_TCNS / 4u * 3u) {
        tcn_purge(t, now);
    }
    if (t->used < GW_MAX_TCNS / 4u * 3u) {
        size_t i = tcn_index(h);
        fresh = true;
        while (t->slot[i].seen != 0) {
            if (memcmp(t->slot[i].key, h, 16) == 0 && now - t->slot[i].seen < GW_TCN_KEEP_SECONDS) {
                fresh = false;
                break;
            }
            if (memcmp(t->slot[i].key, h, 16) == 0) {
                t->slot[i].seen = now; /* an expired claim of the same pair: renew it */
                break;
            }
            i = (i + 1) & (GW_MAX_TCNS - 1u);
        }
        if (fresh && t->slot[i].seen == 0) {
            memcpy(t->slot[i].key, h, 16);
            t->slot[i].seen = now;
            t->used++;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return fresh;
}

/* ---- Rate limits ------------------------------------------------------------------ */

typedef struct rate_slot {
    char key[MID_DEVICE_ID_SIZE];
    double tokens;
    double last; /* seconds; 0: empty */
} rate_slot;

struct gw_rate {
    pthread_mutex_t lock;
    double capacity, per_second;
    rate_slot slot[GW_MAX_RATE_KEYS];
};

gw_rate *gw_rate_create(unsigned per_minute) {
    gw_rate *r = calloc(1, sizeof(*r));
    if (r != NULL && pthread_mutex_init(&r->lock, NULL) != 0) {
        free(r);
        return NULL;
    }
    if (r != NULL) {
        r->capacity = per_minute;
        r->per_second = per_minute / 60.0;
    }
    return r;
}

void gw_rate_free(gw_rate *r) {
    if (r != NULL) {
        pthread_mutex_destroy(&r->lock);
        free(r);
    }
}

bool gw_rate_take(gw_rate *r, const char *key, double now) {
    if (now <= 0) {
        now = 1e-9;
    }
    pthread_mutex_lock(&r->lock);
    rate_slot *s = NULL, *oldest = &r->slot[0];
    for (size_t i = 0; i < GW_MAX_RATE_KEYS; i++) {
        rate_slot *c = &r->slot[i];
        if (c->last != 0 && strncmp(c->key, key, sizeof(c->key)) == 0) {
            s = c;
            break;
        }
        if (c->last < oldest->last) {
            oldest = c;
        }
    }
    if (s == NULL) {
        s = oldest;
        snprintf(s->key, sizeof(s->key), "%s", key);
        s->tokens = r->capacity;
        s->last = now;
    }
    s->tokens += (now - s->last) * r->per_second;
    if (s->tokens > r->capacity) {
        s->tokens = r->capacity;
    }
    s->last = now;
    bool ok = s->tokens >= 1.0;
    if (ok) {
        s->tokens -= 1.0;
    }
    pthread_mutex_unlock(&r->lock);
    return ok;
}
