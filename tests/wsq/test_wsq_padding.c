/* WSQ block padding (src/wsq/wsq_decode.c): a block whose data ends on a byte
 * boundary may be followed by one whole 0xFF byte of 1-padding (stuffed FF 00),
 * as in MITRE's sample.eft; the image then decodes to the same pixels as
 * without it. More than a byte of padding (the spec's under-a-byte plus a whole
 * byte) is still refused. Then the two sample.eft prints that need it (skipped
 * when ../shared/data is absent). */
#include "support/testutil.h"

#include "mid/an2k.h"
#include "mid/image.h"
#include "mid/wsq.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static mid_image *ridges(uint32_t w, uint32_t h, double period, double phase) {
    mid_image *img = NULL;
    assert_int_equal(mid_image_create(tu_ctx, w, h, 500.0, &img), MID_OK);
    uint8_t *p = mid_image_pixels(img);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            double r = sqrt((x - w / 2.0) * (x - w / 2.0) + (y - h / 3.0) * (y - h / 3.0));
            p[(size_t)y * w + x] = (uint8_t)(128.0 + 100.0 * sin(r * 6.2832 / period + phase));
        }
    }
    return img;
}

/* Offset just past the entropy-coded data of the first block (the marker that
 * follows it), walking the marker segments from SOI. */
static size_t first_block_end(const uint8_t *d, size_t len) {
    size_t p = 2;
    while (p + 4 <= len) {
        assert_int_equal(d[p], 0xFF);
        unsigned m = d[p + 1];
        p += 2 + (((size_t)d[p + 2] << 8) | d[p + 3]);
        if (m == 0xA3) {
            while (p + 1 < len && !(d[p] == 0xFF && d[p + 1] != 0x00)) {
                p++;
            }
            return p;
        }
    }
    fail_msg("no SOB");
    return 0;
}

static void test_whole_byte_padding(void **state) {
    (void)state;
    unsigned ok = 0, refused = 0;
    for (unsigned k = 0; k < 24; k++) {
        mid_image *img = ridges(200 + 8 * k, 180 + 4 * k, 8.0 + k * 0.37, k * 0.5);
        void *enc = NULL;
        size_t len = 0;
        assert_int_equal(mid_wsq_encode(tu_ctx, img, 0.75, &enc, &len), MID_OK);
        mid_image *ref = NULL;
        assert_int_equal(mid_wsq_decode(tu_ctx, enc, len, &ref), MID_OK);
        size_t at = first_block_end(enc, len);
        uint8_t *padded = malloc(len + 2);
        memcpy(padded, enc, at);
        padded[at] = 0xFF;
        padded[at + 1] = 0x00;
        memcpy(padded + at + 2, (uint8_t *)enc + at, len - at);
        mid_image *out = NULL;
        mid_status st = mid_wsq_decode(tu_ctx, padded, len + 2, &out);
        if (st == MID_OK) {
            /* Block 1 had ended on a byte boundary: the byte is padding only. */
            ok++;
            assert_memory_equal(mid_image_cpixels(out), mid_image_cpixels(ref),
                                (size_t)mid_image_width(ref) * mid_image_height(ref));
            mid_image_free(out);
        } else {
            /* 1..7 bits of padding plus a whole byte: not a valid block end. */
            refused++;
            assert_null(out);
            assert_non_null(strstr(mid_ctx_error(tu_ctx), "invalid Huffman code"));
        }
        free(padded);
        mid_free(enc);
        mid_image_free(ref);
        mid_image_free(img);
    }
    print_message("  aligned blocks (padding accepted) %u, unaligned (refused) %u\n", ok, refused);
    assert_true(ok > 0 && refused > 0);
}

static void test_mitre_sample_eft(void **state) {
    (void)state;
    TU_REQUIRE_SHARED(path, "mitre-jet-wsq-ebts-vectors/sample.eft");
    size_t len = 0;
    uint8_t *data = tu_read_file(path, &len);
    mid_an2k *tx = NULL;
    assert_int_equal(mid_an2k_parse(tu_ctx, data, len, &tx), MID_OK);
    static const size_t recs[] = {4, 6}; /* records 5 and 7 */
    for (size_t k = 0; k < 2; k++) {
        mid_image *img = NULL;
        mid_status st = mid_an2k_image_decode(tu_ctx, tx, recs[k], &img);
        if (st != MID_OK) {
            print_error("%s\n", mid_ctx_error(tu_ctx));
        }
        assert_int_equal(st, MID_OK);
        assert_int_equal(mid_image_width(img), 800);
        assert_int_equal(mid_image_height(img), 750);
        /* A print on a white card: mostly light, with a share of dark ridges. */
        const uint8_t *p = mid_image_cpixels(img);
        size_t n = 800u * 750u, dark = 0, light = 0;
        for (size_t i = 0; i < n; i++) {
            dark += p[i] < 128;
            light += p[i] > 200;
        }
        print_message("  record %zu: dark %.3f light %.3f\n", recs[k] + 1, (double)dark / n,
                      (double)light / n);
        assert_true(dark > n / 200 && light > n / 2);
        mid_image_free(img);
    }
    mid_an2k_free(tx);
    free(data);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_byte_padding),
        cmocka_unit_test(test_mitre_sample_eft),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
