#include "support/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *tu_shared_path(const char *relative) {
    static char path[4096];
    const char *root = getenv("MID_SHARED_DATA");
    if (root == NULL || root[0] == '\0') {
        return NULL;
    }
    snprintf(path, sizeof(path), "%s/%s", root, relative);
    struct stat st;
    return stat(path, &st) == 0 ? path : NULL;
}

uint8_t *tu_read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long size = ftell(f);
    assert_true(size >= 0);
    assert_int_equal(fseek(f, 0, SEEK_SET), 0);
    uint8_t *buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static char scratch_dir[256];

static void remove_scratch(void) {
    char cmd[300];
    if (scratch_dir[0] != '\0') {
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch_dir);
        if (system(cmd) != 0) {
            fprintf(stderr, "could not remove %s\n", scratch_dir);
        }
    }
}

const char *tu_temp_path(const char *name) {
    static char path[512];
    if (scratch_dir[0] == '\0') {
        const char *tmp = getenv("TMPDIR");
        snprintf(scratch_dir, sizeof(scratch_dir), "%s/mid-test-XXXXXX", tmp ? tmp : "/tmp");
        assert_non_null(mkdtemp(scratch_dir));
        atexit(remove_scratch);
    }
    snprintf(path, sizeof(path), "%s/%s", scratch_dir, name);
    return path;
}
