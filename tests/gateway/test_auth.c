/*
 * The gateway's authentication tables (gateway/auth.c) in-process: PIN hashing
 * and verification, token issue/check/expiry/eviction, the TCN replay table and
 * the rate limiter's refill.
 */
#include "support/testutil.h"

#include "auth.h"

#include <stdio.h>
#include <string.h>

static void test_pins(void **state) {
    (void)state;
    char phc[MID_PIN_HASH_SIZE], err[GW_ERR_SIZE];
    assert_int_equal(gw_pin_hash("246810", true, phc, err), MID_OK);
    assert_true(strncmp(phc, "$argon2id$v=19$m=1024,t=1,p=1$", 30) == 0);
    assert_true(gw_pin_verify(phc, "246810"));
    assert_false(gw_pin_verify(phc, "246811"));
    assert_false(gw_pin_verify(phc, ""));
    char phc2[MID_PIN_HASH_SIZE];
    assert_int_equal(gw_pin_hash("246810", true, phc2, err), MID_OK);
    assert_string_not_equal(phc, phc2); /* random salt */
    assert_int_equal(gw_pin_hash("12", true, phc, err), MID_ERR_ARG);
    assert_int_equal(gw_pin_hash("12\n34", true, phc, err), MID_ERR_ARG);
    assert_true(gw_collar_valid("1001"));
    assert_true(gw_collar_valid("PC-12345"));
    assert_false(gw_collar_valid(""));
    assert_false(gw_collar_valid("1001 "));
    assert_false(gw_collar_valid("0123456789abcdef")); /* 16 characters */
}

static void test_tokens(void **state) {
    (void)state;
    gw_tokens *t = gw_tokens_create();
    assert_non_null(t);
    gw_token_info info = {.device = "dev1", .officer = "1001", .roles = 1, .expires = 1000};
    char tok[GW_TOKEN_CHARS + 1];
    assert_int_equal(gw_tokens_issue(t, &info, tok), MID_OK);
    assert_int_equal(strlen(tok), GW_TOKEN_CHARS);
    assert_int_equal(
        strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
        GW_TOKEN_CHARS);
    gw_token_info got;
    assert_int_equal(gw_tokens_check(t, tok, 999, &got), 1);
    assert_string_equal(got.device, "dev1");
    assert_string_equal(got.officer, "1001");
    char bad[GW_TOKEN_CHARS + 1];
    memcpy(bad, tok, sizeof(bad));
    bad[0] = bad[0] == 'A' ? 'B' : 'A';
    assert_int_equal(gw_tokens_check(t, bad, 999, &got), 0);
    assert_int_equal(gw_tokens_check(t, "short", 999, &got), 0);
    assert_int_equal(gw_tokens_check(t, tok, 1000, &got), -1); /* expired, and removed */
    assert_int_equal(gw_tokens_check(t, tok, 10, &got), 0);
    /* A full table evicts the token that expires first, never a fresher one. */
    char first[GW_TOKEN_CHARS + 1];
    info.expires = 5000;
    assert_int_equal(gw_tokens_issue(t, &info, first), MID_OK);
    info.expires = 9000;
    for (unsigned i = 0; i < GW_MAX_TOKENS; i++) {
        assert_int_equal(gw_tokens_issue(t, &info, tok), MID_OK);
    }
    assert_int_equal(gw_tokens_check(t, first, 100, &got), 0);
    assert_int_equal(gw_tokens_check(t, tok, 100, &got), 1);
    gw_tokens_free(t);
}

static void test_tcns(void **state) {
    (void)state;
    gw_tcns *t = gw_tcns_create();
    assert_non_null(t);
    assert_true(gw_tcns_claim(t, "dev1", "T-1", 100));
    assert_false(gw_tcns_claim(t, "dev1", "T-1", 101));
    assert_true(gw_tcns_claim(t, "dev2", "T-1", 101)); /* another device's own */
    assert_true(gw_tcns_claim(t, "dev1", "T-2", 102));
    /* "dev1"+"T-1" must not collide with "dev"+"1T-1". */
    assert_true(gw_tcns_claim(t, "dev", "1T-1", 103));
    /* Kept 24 hours, then the pair may be used again. */
    assert_false(gw_tcns_claim(t, "dev1", "T-1", 100 + GW_TCN_KEEP_SECONDS - 1));
    assert_true(gw_tcns_claim(t, "dev1", "T-1", 100 + GW_TCN_KEEP_SECONDS));
    assert_false(gw_tcns_claim(t, "dev1", "T-1", 101 + GW_TCN_KEEP_SECONDS));
    gw_tcns_free(t);
}

static void test_rate(void **state) {
    (void)state;
    gw_rate *r = gw_rate_create(6); /* one every 10 s, burst 6 */
    assert_non_null(r);
    for (int i = 0; i < 6; i++) {
        assert_true(gw_rate_take(r, "dev1", 100.0));
    }
    assert_false(gw_rate_take(r, "dev1", 100.0));
    assert_true(gw_rate_take(r, "dev2", 100.0)); /* buckets are per key */
    assert_false(gw_rate_take(r, "dev1", 109.0));
    assert_true(gw_rate_take(r, "dev1", 110.5));
    assert_false(gw_rate_take(r, "dev1", 111.0));
    /* Many keys: the table stays bounded and an idle key starts full again. */
    char key[32];
    for (unsigned i = 0; i < 2 * GW_MAX_RATE_KEYS; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        assert_true(gw_rate_take(r, key, 200.0 + i * 1e-3));
    }
    assert_true(gw_rate_take(r, "dev1", 300.0));
    gw_rate_free(r);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pins),
        cmocka_unit_test(test_tokens),
        cmocka_unit_test(test_tcns),
        cmocka_unit_test(test_rate),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
