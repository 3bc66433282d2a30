// layer: audit
/*
 * Audit verification fuzz target: the input is a whole log held in memory
 * (audit_verify_buffer, no file). Verification must never fail on content, must
 * count every problem it reports, and must report at least one problem for
 * anything that is not a clean chain ending in a newline.
 */
#include "audit/audit_internal.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count_problem(void *user, uint64_t line, uint64_t seq, const char *what) {
    (void)line;
    (void)seq;
    if (what == NULL || what[0] == '\0') {
        abort();
    }
    (*(uint64_t *)user)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    uint64_t seen = 0;
    mid_audit_summary sum;
    if (audit_verify_buffer(ctx, (const char *)data, size, NULL, count_problem, &seen, &sum) !=
            MID_OK ||
        seen != sum.problems) {
        abort();
    }
    if (size > 0 && data[size - 1] != '\n' && sum.problems == 0) {
        abort(); /* a torn final line is always a problem */
    }
    /* The same with an expected head that no real log contains. */
    const char *bogus = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
    seen = 0;
    if (audit_verify_buffer(ctx, (const char *)data, size, bogus, count_problem, &seen, &sum) !=
            MID_OK ||
        seen != sum.problems || sum.problems == 0) {
        abort();
    }
    mid_ctx_free(ctx);
    return 0;
}
