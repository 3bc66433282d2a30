// layer: an2k
/*
 * Transaction builder fuzz target: the input supplies the policy strings, agency
 * and control numbers, time, finger positions, impression codes, qualities, image
 * sizes and pixels, minutiae and response candidates. The builders must either
 * reject the input with MID_ERR_ARG (never crash) or produce a transaction that
 * serialises, parses back byte for byte and passes the check mode.
 *
 * Layout: 12 header bytes, then fields separated by '\n': legal basis, reason,
 * incident, officer, device, ORI, DAI, TCN, GMT, message, candidate ids...; the
 * remaining bytes after the last field seed the pixels.
 */
#include "mid/an2k.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NSTR 14

/* Prints a problem of a built transaction before the target aborts. */
static void report(void *user, const char *problem) {
    (void)user;
    fprintf(stderr, "built transaction: %s\n", problem);
}

static void verify(mid_ctx *ctx, mid_an2k *tx) {
    void *out = NULL;
    size_t len = 0;
    if (mid_an2k_serialize(ctx, tx, &out, &len) != MID_OK) {
        abort();
    }
    size_t problems = 0;
    if (mid_an2k_check(ctx, out, len, report, NULL, &problems) != MID_OK || problems != 0) {
        abort();
    }
    mid_an2k *back = NULL;
    void *again = NULL;
    size_t len2 = 0;
    if (mid_an2k_parse(ctx, out, len, &back) != MID_OK ||
        mid_an2k_serialize(ctx, back, &again, &len2) != MID_OK || len2 != len ||
        memcmp(again, out, len) != 0) {
        abort();
    }
    for (size_t r = 0; r < mid_an2k_record_count(back); r++) {
        if (mid_an2k_record_type(back, r) == 14) {
            mid_image *img = NULL;
            if (mid_an2k_image_decode(ctx, back, r, &img) != MID_OK) {
                abort();
            }
            mid_image_free(img);
        } else if (mid_an2k_record_type(back, r) == 9) {
            mid_template *t = NULL;
            if (mid_an2k_minutiae_get(ctx, back, r, &t) != MID_OK) {
                abort();
            }
            mid_template_free(t);
        }
    }
    mid_an2k_free(back);
    mid_free(again);
    mid_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 12 || size > 8192) {
        return 0;
    }
    char *copy = malloc(size - 12 + 1);
    if (copy == NULL) {
        return 0;
    }
    memcpy(copy, data + 12, size - 12);
    copy[size - 12] = '\0';
    const char *str[NSTR] = {0};
    size_t ns = 0;
    char *p = copy, *end = copy + (size - 12);
    while (ns < NSTR && p <= end) {
        char *nl = memchr(p, '\n', (size_t)(end - p));
        str[ns++] = p;
        if (nl == NULL) {
            p = end + 1;
            break;
        }
        *nl = '\0';
        p = nl + 1;
    }
    const uint8_t *seed = p <= end ? (const uint8_t *)p : data;
    size_t seed_len = p <= end ? (size_t)(end - p) : 12;
    for (size_t i = ns; i < NSTR; i++) {
        str[i] = NULL;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        free(copy);
        return 0;
    }
    size_t nf = 1 + data[0] % 3;
    mid_image *imgs[3] = {0};
    mid_template *tmpls[3] = {0};
    mid_an2k_finger fingers[3];
    for (size_t i = 0; i < nf; i++) {
        uint32_t w = 1 + data[1 + i] % 48, h = 1 + data[4 + i] % 48;
        double ppi = data[7] & 1 ? 0 : (data[7] & 2 ? 500 : 1000);
        if (mid_image_create(ctx, w, h, ppi, &imgs[i]) != MID_OK) {
            abort();
        }
        uint8_t *px = mid_image_pixels(imgs[i]);
        for (size_t k = 0; k < (size_t)w * h; k++) {
            px[k] = seed_len ? (uint8_t)(seed[k % seed_len] + k * 7) : (uint8_t)k;
        }
        if (data[8] & (1u << i)) {
            if (mid_template_create(ctx, (uint16_t)w, (uint16_t)h, 500, &tmpls[i]) != MID_OK) {
                abort();
            }
            for (size_t k = 0; k < (size_t)(data[9] % 6); k++) {
                uint8_t b = seed_len ? seed[(k * 3 + i) % seed_len] : (uint8_t)k;
                mid_minutia m = {(uint16_t)(b % w), (uint16_t)((b * 7u) % h), (uint8_t)(b * 13u),
                                 (uint8_t)(b % 3), (uint8_t)(b % 101)};
                mid_template_add(ctx, tmpls[i], &m);
            }
        }
        fingers[i] = (mid_an2k_finger){(uint8_t)((data[10] + i * 3) % 17), (uint8_t)(data[11] % 30),
                                       (uint8_t)(data[9] + i * 50), imgs[i], tmpls[i]};
    }
    mid_an2k_search_request req = {.ori = str[5],
                                   .dai = str[6],
                                   .tcn = str[7],
                                   .gmt = str[8],
                                   .legal_basis = str[0],
                                   .reason = str[1],
                                   .incident = str[2],
                                   .officer = str[3],
                                   .device = str[4],
                                   .fingers = fingers,
                                   .n_fingers = nf,
                                   .bitrate = (data[7] & 4) ? 2.25 : 0};
    if (data[7] & 8) {
        /* The optional policy fields (2.906 ..) from the same strings. */
        static const char *const dbs[] = {"IDENT1", "IABS"};
        req.basis = str[0];
        req.offence = str[1];
        req.name_doubt = str[2];
        req.location = str[3];
        req.ethnicity = str[4];
        req.age_band = str[5];
        req.gender = str[6];
        req.told_reason = (mid_an2k_flag)(data[7] >> 4 & 3);
        req.told_speculative = (mid_an2k_flag)(data[7] >> 6 & 3);
        req.databases = dbs;
        req.n_databases = data[8] >> 4 & 3;
    }
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_build_search(ctx, &req, &tx);
    if (st == MID_OK) {
        verify(ctx, tx);
        mid_an2k_free(tx);
    } else if (st != MID_ERR_ARG) {
        abort();
    }
    mid_an2k_candidate cands[4];
    size_t nc = 0;
    for (size_t i = 10; i < NSTR && str[i] != NULL; i++) {
        cands[nc] = (mid_an2k_candidate){str[i], (unsigned)data[1 + nc] * 4001u};
        nc++;
    }
    mid_an2k_search_response resp = {
        str[5], str[6], str[8], str[7], str[0], (mid_an2k_result)(data[0] % 4), cands, nc, str[9]};
    tx = NULL;
    st = mid_an2k_build_response(ctx, &resp, &tx);
    if (st == MID_OK) {
        verify(ctx, tx);
        mid_an2k_free(tx);
    } else if (st != MID_ERR_ARG) {
        abort();
    }
    for (size_t i = 0; i < nf; i++) {
        mid_image_free(imgs[i]);
        mid_template_free(tmpls[i]);
    }
    mid_ctx_free(ctx);
    free(copy);
    return 0;
}
