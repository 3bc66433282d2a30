/*
 * Helpers shared by the cmocka tests: locating the optional reference data and
 * making scratch files.
 */
#ifndef MID_TESTUTIL_H
#define MID_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mid/core.h"

/* A context shared by the tests of one binary: tu_ctx_setup and tu_ctx_teardown
 * are cmocka group fixtures that create and free tu_ctx. */
extern mid_ctx *tu_ctx;
int tu_ctx_setup(void **state);
int tu_ctx_teardown(void **state);

/* Path of a file under the reference data (../shared/data), or NULL when that data
 * or the file is absent. The result is a static buffer overwritten by the next call. */
const char *tu_shared_path(const char *relative);

/* Skips the current test with a message when the reference file is absent. */
#define TU_REQUIRE_SHARED(var, relative)                                                           \
    const char *var = tu_shared_path(relative);                                                    \
    if (var == NULL) {                                                                             \
        print_message("[  SKIP    ] reference data '%s' absent (../shared/data)\n", relative);     \
        skip();                                                                                    \
        return;                                                                                    \
    }

/* Reads a whole file into a new buffer (free with free()); fails the test on error. */
uint8_t *tu_read_file(const char *path, size_t *len);

/* A fresh file path in a per-process scratch directory (removed at exit). */
const char *tu_temp_path(const char *name);

/* Result of running the mid tool: exit status and NUL-terminated stdout/stderr. */
typedef struct tu_run {
    int rc;
    char *out;
    char *err;
} tu_run;

/* Runs `$MID_TOOL args...` (args NULL-terminated, at most 30) with stdin from
 * /dev/null, capturing stdout and stderr. Fails the test when the tool crashes or
 * prints a sanitizer report (leaks included), whatever its exit status. */
tu_run tu_run_tool(const char *const *args);
void tu_run_free(tu_run *r);

/* A whole file as a NUL-terminated string (free with free()); fails the test on error. */
char *tu_slurp(const char *path);

/* Skips the current test when MID_TOOL is not set (the test was not run by ctest). */
#define TU_REQUIRE_TOOL()                                                                          \
    if (getenv("MID_TOOL") == NULL) {                                                              \
        print_message("[  SKIP    ] MID_TOOL is not set (run through ctest)\n");                   \
        skip();                                                                                    \
        return;                                                                                    \
    }

#endif
