/* Tests for src/core: status names, context error detail, checked arithmetic, file I/O. */
#include "support/testutil.h"

#include "core/core.h"

#include <stdlib.h>
#include <string.h>

static void test_ctx_error_detail(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    assert_string_equal(mid_ctx_error(ctx), "");
    assert_int_equal(core_fail(ctx, MID_ERR_FORMAT, "bad %s at %d", "marker", 7), MID_ERR_FORMAT);
    assert_string_equal(mid_ctx_error(ctx), "bad marker at 7");
    mid_ctx_free(ctx);
    assert_int_equal(mid_ctx_create(NULL), MID_ERR_ARG);
}

static void test_status_names(void **state) {
    (void)state;
    assert_string_equal(mid_status_name(MID_OK), "ok");
    assert_string_equal(mid_status_name(MID_ERR_LIMIT), "limit exceeded");
    assert_string_equal(mid_status_name((mid_status)999), "unknown status");
}

static void test_checked_multiplication(void **state) {
    (void)state;
    size_t out = 0;
    assert_true(core_mul_size(1000, 1000, &out));
    assert_int_equal(out, 1000000);
    assert_false(core_mul_size(SIZE_MAX / 2 + 1, 2, &out));
    assert_false(core_mul3_size(SIZE_MAX / 4, 2, 3, &out));
    assert_null(core_mallocn(SIZE_MAX / 8, 16));
    assert_null(core_calloc(SIZE_MAX / 8, 16));
}

static void test_read_write_file(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    const char *path = tu_temp_path("core.bin");
    uint8_t payload[200000];
    for (size_t i = 0; i < sizeof(payload); i++) {
        payload[i] = (uint8_t)(i * 7u);
    }
    assert_int_equal(core_write_file(ctx, path, payload, sizeof(payload)), MID_OK);
    uint8_t *data = NULL;
    size_t len = 0;
    assert_int_equal(core_read_file(ctx, path, sizeof(payload), &data, &len), MID_OK);
    assert_int_equal(len, sizeof(payload));
    assert_memory_equal(data, payload, len);
    mid_free(data);
    /* One byte over the limit is refused, with a message. */
    assert_int_equal(core_read_file(ctx, path, sizeof(payload) - 1, &data, &len), MID_ERR_LIMIT);
    assert_null(data);
    assert_non_null(strstr(mid_ctx_error(ctx), "limit"));
    assert_int_equal(core_read_file(ctx, tu_temp_path("absent"), 10, &data, &len), MID_ERR_IO);
    mid_ctx_free(ctx);
}

static void test_wipe(void **state) {
    (void)state;
    uint8_t buf[64];
    memset(buf, 0xAB, sizeof(buf));
    core_wipe(buf, sizeof(buf));
    for (size_t i = 0; i < sizeof(buf); i++) {
        assert_int_equal(buf[i], 0);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ctx_error_detail),
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_checked_multiplication),
        cmocka_unit_test(test_read_write_file),
        cmocka_unit_test(test_wipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
