/* Tests for src/core/sha256.c: FIPS 180-4 / NIST example vectors, incremental
 * use across block boundaries, hex and wiping. */
#include "support/testutil.h"

#include "mid/core.h"

#include <stdlib.h>
#include <string.h>

static void hash_hex(const void *data, size_t n, char out[65]) {
    uint8_t d[MID_SHA256_SIZE];
    mid_sha256(data, n, d);
    mid_hex(d, sizeof(d), out);
}

static void test_vectors(void **state) {
    (void)state;
    char hex[65];
    hash_hex("abc", 3, hex);
    assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    hash_hex("", 0, hex);
    assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    hash_hex(m448, strlen(m448), hex);
    assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                       "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    hash_hex(m896, strlen(m896), hex);
    assert_string_equal(hex, "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void **state) {
    (void)state;
    char *a = malloc(1000000);
    assert_non_null(a);
    memset(a, 'a', 1000000);
    char hex[65];
    hash_hex(a, 1000000, hex);
    const char *want = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
    assert_string_equal(hex, want);
    /* The same message fed in uneven pieces that straddle block boundaries. */
    mid_sha256_state st;
    mid_sha256_init(&st);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = step < 1000000 - off ? step : 1000000 - off;
        mid_sha256_update(&st, a + off, n);
        off += n;
        step = step * 7 % 131 + 1;
    }
    uint8_t d[MID_SHA256_SIZE];
    mid_sha256_final(&st, d);
    mid_hex(d, sizeof(d), hex);
    assert_string_equal(hex, want);
    free(a);
}

static void test_padding_boundaries(void **state) {
    (void)state;
    /* Lengths around the 55/56/64-byte padding edges: one-shot equals byte-by-byte. */
    uint8_t msg[130];
    for (size_t i = 0; i < sizeof(msg); i++) {
        msg[i] = (uint8_t)(i * 31u + 5u);
    }
    for (size_t len = 0; len <= sizeof(msg); len++) {
        uint8_t one[MID_SHA256_SIZE], inc[MID_SHA256_SIZE];
        mid_sha256(msg, len, one);
        mid_sha256_state st;
        mid_sha256_init(&st);
        for (size_t i = 0; i < len; i++) {
            mid_sha256_update(&st, msg + i, 1);
        }
        mid_sha256_final(&st, inc);
        assert_memory_equal(one, inc, sizeof(one));
    }
}

static void test_hex_and_wipe(void **state) {
    (void)state;
    const uint8_t b[4] = {0x00, 0x0f, 0xa5, 0xff};
    char hex[9];
    mid_hex(b, 4, hex);
    assert_string_equal(hex, "000fa5ff");
    mid_hex(b, 0, hex);
    assert_string_equal(hex, "");
    uint8_t buf[33];
    memset(buf, 0xab, sizeof(buf));
    mid_wipe(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0);
    }
    mid_wipe(NULL, 0);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_million_a),
        cmocka_unit_test(test_padding_boundaries),
        cmocka_unit_test(test_hex_and_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
