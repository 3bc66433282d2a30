#include "support/testutil.h"

#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

extern char **environ;

char *tu_slurp(const char *path) {
    size_t len = 0;
    uint8_t *data = tu_read_file(path, &len);
    data[len] = '\0'; /* tu_read_file allocates one spare byte */
    return (char *)data;
}

tu_run tu_run_tool(const char *const *args) {
    const char *tool = getenv("MID_TOOL");
    assert_non_null(tool);
    const char *argv[32];
    size_t n = 0;
    argv[n++] = tool;
    for (; *args != NULL; args++) {
        assert_true(n < 31);
        argv[n++] = *args;
    }
    argv[n] = NULL;
    char out_path[600], err_path[600];
    snprintf(out_path, sizeof(out_path), "%s", tu_temp_path("tool-stdout.txt"));
    snprintf(err_path, sizeof(err_path), "%s", tu_temp_path("tool-stderr.txt"));
    posix_spawn_file_actions_t fa;
    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
                     0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, out_path,
                                                      O_WRONLY | O_CREAT | O_TRUNC, 0600),
                     0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, err_path,
                                                      O_WRONLY | O_CREAT | O_TRUNC, 0600),
                     0);
    pid_t pid;
    assert_int_equal(posix_spawn(&pid, tool, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status)); /* a crash is a failure */
    tu_run r = {WEXITSTATUS(status), tu_slurp(out_path), tu_slurp(err_path)};
    if (strstr(r.err, "Sanitizer") != NULL || strstr(r.err, "runtime error") != NULL) {
        fail_msg("sanitizer report from mid %s:\n%s", n > 1 ? argv[1] : "", r.err);
    }
    return r;
}

void tu_run_free(tu_run *r) {
    free(r->out);
    free(r->err);
}

mid_ctx *tu_ctx;

int tu_ctx_setup(void **state) {
    (void)state;
    return mid_ctx_create(&tu_ctx) == MID_OK ? 0 : -1;
}

int tu_ctx_teardown(void **state) {
    (void)state;
    mid_ctx_free(tu_ctx);
    tu_ctx = NULL;
    return 0;
}
