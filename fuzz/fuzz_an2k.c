// layer: an2k
/*
 * ANSI/NIST-ITL parser fuzz target: parse; on success the serialisation must equal
 * the input byte for byte (nothing was changed) and parse again to the same
 * records. Every view is exercised on every record (fields, items, Type-1, image
 * info and decode of small images, Type-9 minutiae both ways) and the check mode
 * runs over the input; none may crash, leak or disagree with the parse.
 */
#include "mid/an2k.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* False when the image data declares a frame over 256 kpixel: a WSQ SOF (FFA2, height
 * then width at +6), a JPEG SOF0..3 (FFC0..FFC3, height then width at +5) or a PNG
 * IHDR. Such frames are legal and bounded by MID_MAX_IMAGE_PIXELS, but decoding one
 * from a few bytes takes seconds under the sanitizers and starves the search (the
 * image fuzz targets cover those decoders). */
static int small_frames(const uint8_t *d, size_t n) {
    for (size_t i = 0; i + 12 < n; i++) {
        uint64_t w = 0, h = 0;
        if (d[i] == 0xFF && d[i + 1] == 0xA2) {
            h = ((uint32_t)d[i + 6] << 8) | d[i + 7];
            w = ((uint32_t)d[i + 8] << 8) | d[i + 9];
        } else if (d[i] == 0xFF && d[i + 1] >= 0xC0 && d[i + 1] <= 0xC3) {
            h = ((uint32_t)d[i + 5] << 8) | d[i + 6];
            w = ((uint32_t)d[i + 7] << 8) | d[i + 8];
        } else if (memcmp(d + i, "IHDR", 4) == 0) {
            w = ((uint32_t)d[i + 4] << 24) | ((uint32_t)d[i + 5] << 16) |
                ((uint32_t)d[i + 6] << 8) | d[i + 7];
            h = ((uint32_t)d[i + 8] << 24) | ((uint32_t)d[i + 9] << 16) |
                ((uint32_t)d[i + 10] << 8) | d[i + 11];
        }
        if (w * h > (1u << 18)) {
            return 0;
        }
    }
    return 1;
}

static void exercise(mid_ctx *ctx, const mid_an2k *tx) {
    mid_an2k_type1 t1;
    if (mid_an2k_type1_get(ctx, tx, &t1) != MID_OK) {
        abort();
    }
    for (size_t r = 0; r < mid_an2k_record_count(tx); r++) {
        for (size_t i = 0; i < mid_an2k_field_count(tx, r); i++) {
            mid_an2k_field f;
            if (mid_an2k_field_at(tx, r, i, &f) != MID_OK || f.type == 0 || f.number == 0) {
                abort();
            }
            size_t n = mid_an2k_subfield_count(f.value, f.len);
            for (size_t s = 0; s < n && s < 4; s++) {
                size_t il;
                for (size_t k = 0; k < 4; k++) {
                    const uint8_t *it = mid_an2k_item(f.value, f.len, s, k, &il);
                    if (it != NULL && (it < f.value || it + il > f.value + f.len)) {
                        abort();
                    }
                }
            }
        }
        if (mid_an2k_is_image_record(tx, r)) {
            mid_an2k_image_info ii;
            if (mid_an2k_image_info_get(ctx, tx, r, &ii) != MID_OK) {
                abort();
            }
            /* Decoding is bounded to small frames to keep the search fast. */
            if ((uint64_t)ii.hll * ii.vll <= (1u << 16) && ii.data_len <= (1u << 16) &&
                small_frames(ii.data, ii.data_len)) {
                mid_image *img = NULL;
                if (mid_an2k_image_decode(ctx, tx, r, &img) == MID_OK &&
                    (mid_image_width(img) == 0 || mid_image_height(img) == 0)) {
                    abort();
                }
                mid_image_free(img);
            }
        }
        if (mid_an2k_record_type(tx, r) == 9) {
            mid_template *t = NULL;
            if (mid_an2k_minutiae_get(ctx, tx, r, &t) == MID_OK) {
                mid_template_free(t);
            }
            mid_an2k_legacy_minutia m[8];
            size_t n;
            mid_an2k_legacy_minutiae(ctx, tx, r, m, 8, &n);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_parse(ctx, data, size, &tx);
    size_t problems = 0;
    mid_status cs = mid_an2k_check(ctx, data, size, NULL, NULL, &problems);
    /* The check mode parses exactly like parse: a parse failure is its one problem. */
    if (st != MID_OK && st != MID_ERR_NOMEM && (cs == MID_OK || problems != 1)) {
        abort();
    }
    if (st == MID_OK && (cs == MID_OK) != (problems == 0)) {
        abort();
    }
    if (st == MID_OK) {
        void *out = NULL;
        size_t len = 0;
        if (mid_an2k_serialize(ctx, tx, &out, &len) != MID_OK || len != size ||
            memcmp(out, data, size) != 0) {
            abort();
        }
        mid_an2k *again = NULL;
        if (mid_an2k_parse(ctx, out, len, &again) != MID_OK ||
            mid_an2k_record_count(again) != mid_an2k_record_count(tx)) {
            abort();
        }
        exercise(ctx, again);
        mid_an2k_free(again);
        mid_free(out);
        exercise(ctx, tx);
        mid_an2k_free(tx);
    }
    mid_ctx_free(ctx);
    return 0;
}
