/*
 * Helpers shared by the cmocka tests: locating the optional reference data and
 * making scratch files.
 */
#ifndef MID_TESTUTIL_H
#define MID_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

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

#endif
