/*
 * base64 (RFC 4648 section 4): standard alphabet, '=' padding. The decoder is
 * strict: length a multiple of 4, padding only at the end, no whitespace, and
 * the unused bits before the padding must be zero (one text per byte string).
 */
#include "json_internal.h"

#include "core/core.h"

#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

mid_status mid_base64_encode(mid_ctx *ctx, const void *data, size_t n, char **out,
                             size_t *out_len) {
    if (out == NULL || (data == NULL && n > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "base64: NULL argument");
    }
    *out = NULL;
    size_t groups = n / 3 + (n % 3 != 0), len;
    if (!core_mul_size(groups, 4, &len) || len == SIZE_MAX) {
        return core_fail(ctx, MID_ERR_LIMIT, "base64: input of %zu bytes is too large", n);
    }
    char *s = malloc(len + 1);
    if (s == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "base64: out of memory");
    }
    const uint8_t *p = data;
    size_t o = 0, i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        s[o++] = alphabet[v >> 18];
        s[o++] = alphabet[v >> 12 & 63];
        s[o++] = alphabet[v >> 6 & 63];
        s[o++] = alphabet[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)p[i] << 16;
        s[o++] = alphabet[v >> 18];
        s[o++] = alphabet[v >> 12 & 63];
        s[o++] = '=';
        s[o++] = '=';
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8;
        s[o++] = alphabet[v >> 18];
        s[o++] = alphabet[v >> 12 & 63];
        s[o++] = alphabet[v >> 6 & 63];
        s[o++] = '=';
    }
    s[o] = '\0';
    *out = s;
    if (out_len != NULL) {
        *out_len = o;
    }
    return MID_OK;
}

static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

mid_status mid_base64_decode(mid_ctx *ctx, const char *text, size_t n, uint8_t **out,
                             size_t *out_len) {
    if (out == NULL || (text == NULL && n > 0)) {
        return core_fail(ctx, MID_ERR_ARG, "base64: NULL argument");
    }
    *out = NULL;
    if (out_len != NULL) {
        *out_len = 0;
    }
    if (n % 4 != 0) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "base64: length %zu is not a multiple of 4 (bad character at byte %zu)", n,
                         n - n % 4);
    }
    size_t pad = 0;
    if (n >= 4 && text[n - 1] == '=') {
        pad = text[n - 2] == '=' ? 2 : 1;
    }
    size_t len = n / 4 * 3 - pad;
    uint8_t *b = malloc(len > 0 ? len : 1);
    if (b == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "base64: out of memory");
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i += 4) {
        bool last = i + 4 == n;
        size_t data_chars = last ? 4 - pad : 4;
        uint32_t v = 0;
        for (size_t k = 0; k < 4; k++) {
            int s = 0;
            if (k < data_chars) {
                s = sextet(text[i + k]);
                if (s < 0) {
                    core_wipe(b, o); /* the bytes decoded so far may be a probe image */
                    free(b);
                    return core_fail(ctx, MID_ERR_FORMAT, "base64: bad character at byte %zu",
                                     i + k);
                }
            }
            v = v << 6 | (uint32_t)s;
        }
        if (last && pad > 0 && (v & (pad == 1 ? 0xffu : 0xffffu)) != 0) {
            core_wipe(b, o);
            free(b);
            return core_fail(ctx, MID_ERR_FORMAT,
                             "base64: non-zero bits before the padding at byte %zu",
                             i + data_chars - 1);
        }
        b[o++] = (uint8_t)(v >> 16);
        if (data_chars > 2) {
            b[o++] = (uint8_t)(v >> 8);
        }
        if (data_chars > 3) {
            b[o++] = (uint8_t)v;
        }
    }
    *out = b;
    if (out_len != NULL) {
        *out_len = o;
    }
    return MID_OK;
}
