/*
 * Scanner capture through libfprint (built with -DMID_WITH_LIBFPRINT=ON only):
 * libfprint's virtual_image device listens on the unix socket named by
 * FP_VIRTUAL_IMAGE and takes images as width and height (two native, here
 * little-endian, 32-bit ints) followed by width*height grey bytes.
 *   1. cli_scanner_capture() returns exactly the pixels sent, twice in a row.
 *   2. `mid identify --capture` against a real gateway (tests/support/gwtest.h)
 *      takes fingers 2 and 7 from the device and gets a red answer.
 * Images are synthetic (no real person's prints).
 */
#include "support/gwtest.h"
#include "support/gwworld.h"
#include "support/testutil.h"

#include "../tools/mid/capture_fprint.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PERSONS 40u
#define IABS_FROM 30u
#define HIT 11u

static gw_test world;
static char sock_path[600];

/* Connects to the virtual device's socket, retrying for up to 10 s while the
 * device is being opened. Returns the descriptor or -1. */
static int connect_device(void) {
    struct sockaddr_un sa;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    if (strlen(sock_path) >= sizeof(sa.sun_path)) {
        return -1;
    }
    memcpy(sa.sun_path, sock_path, strlen(sock_path) + 1);
    for (int tries = 0; tries < 200; tries++) {
        int fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0) {
            return -1;
        }
        if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
            return fd;
        }
        close(fd);
        struct timespec ts = {0, 50 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    return -1;
}

static bool write_all(int fd, const void *p, size_t n) {
    const uint8_t *b = p;
    while (n > 0) {
        ssize_t k = write(fd, b, n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            return false;
        }
        b += k;
        n -= (size_t)k;
    }
    return true;
}

/* Sends one image in the virtual_image protocol. */
static bool send_image(int fd, uint32_t w, uint32_t h, const uint8_t *px) {
    uint8_t hdr[8];
    for (int i = 0; i < 4; i++) {
        hdr[i] = (uint8_t)(w >> (8 * i));
        hdr[4 + i] = (uint8_t)(h >> (8 * i));
    }
    return write_all(fd, hdr, sizeof(hdr)) && write_all(fd, px, (size_t)w * h);
}

/* A synthetic grey pattern (not a fingerprint): pixel values depend on seed. */
static uint8_t *pattern(uint32_t w, uint32_t h, unsigned seed) {
    uint8_t *p = malloc((size_t)w * h);
    assert_non_null(p);
    for (uint32_t y = 0; y < h; y++) {
        for (uint32_t x = 0; x < w; x++) {
            p[(size_t)y * w + x] = (uint8_t)((x * 7u + y * 13u + seed * 31u + (x ^ y)) & 0xffu);
        }
    }
    return p;
}

static void feeder_wait(int fd) {
    char c;
    while (read(fd, &c, 1) < 0 && errno == EINTR) {
    }
}

static void test_capture_exact_pixels(void **state) {
    (void)state;
    const uint32_t w1 = 256, h1 = 360, w2 = 301, h2 = 299;
    uint8_t *a = pattern(w1, h1, 1), *b = pattern(w2, h2, 2);
    int go[2];
    assert_int_equal(pipe(go), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Feeder: image A now, image B once the first capture has returned. */
        close(go[1]);
        int fd = connect_device();
        bool ok = fd >= 0 && send_image(fd, w1, h1, a);
        feeder_wait(go[0]);
        ok = ok && send_image(fd, w2, h2, b);
        feeder_wait(go[0]); /* EOF: the parent is done */
        _exit(ok ? 0 : 1);
    }
    close(go[0]);
    char err[256] = "";
    cli_scanner *sc = cli_scanner_open(err, sizeof(err));
    if (sc == NULL) {
        print_error("open: %s\n", err);
    }
    assert_non_null(sc);
    mid_image *img = NULL;
    bool ok = cli_scanner_capture(sc, tu_ctx, &img, err, sizeof(err));
    if (!ok) {
        print_error("capture 1: %s\n", err);
    }
    assert_true(ok);
    assert_int_equal(mid_image_width(img), w1);
    assert_int_equal(mid_image_height(img), h1);
    assert_memory_equal(mid_image_cpixels(img), a, (size_t)w1 * h1);
    assert_true(mid_image_ppi(img) >= MID_MIN_PPI && mid_image_ppi(img) <= MID_MAX_PPI);
    mid_image_free(img);
    img = NULL;
    assert_int_equal(write(go[1], "x", 1), 1);
    ok = cli_scanner_capture(sc, tu_ctx, &img, err, sizeof(err));
    if (!ok) {
        print_error("capture 2: %s\n", err);
    }
    assert_true(ok);
    assert_int_equal(mid_image_width(img), w2);
    assert_int_equal(mid_image_height(img), h2);
    assert_memory_equal(mid_image_cpixels(img), b, (size_t)w2 * h2);
    mid_image_free(img);
    cli_scanner_close(sc);
    close(go[1]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    free(a);
    free(b);
}

/* Runs `mid identify --capture ...`; feeds the probe's finger images to the
 * device as the tool asks for each finger. Returns the exit status; the
 * tool's stdout and stderr go into out and err. */
static int identify_capture(const gww_probe *p, const char *tcn, char *out, size_t outcap,
                            char *err, size_t errcap) {
    const char *tool = getenv("MID_TOOL");
    int epipe[2];
    assert_int_equal(pipe(epipe), 0);
    const char *out_path = tu_temp_path("identify-capture.out");
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int in = open("/dev/null", O_RDONLY);
        int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (in < 0 || o < 0) {
            _exit(127);
        }
        dup2(in, STDIN_FILENO);
        dup2(o, STDOUT_FILENO);
        dup2(epipe[1], STDERR_FILENO);
        close(epipe[0]);
        execl(tool, tool, "identify", "--gateway", world.url, "--device", "dev1", "--collar",
              GWT_OFFICER, "--pin", GWT_PIN, "--capture", "--tcn", tcn, "--basis", "consent",
              "--told", "--reason", "roadside check", "--incident", "LOG-1", "--ethnicity", "IC1",
              "--age-band", "25-34", "--gender", "M", (char *)NULL);
        _exit(127);
    }
    close(epipe[1]);
    size_t n = 0;
    int fd = -1;
    size_t sent = 0;
    for (;;) {
        ssize_t k = read(epipe[0], err + n, errcap - 1 - n);
        if (k < 0 && errno == EINTR) {
            continue;
        }
        if (k <= 0) {
            break;
        }
        n += (size_t)k;
        err[n] = '\0';
        /* One image per prompt, in order: finger 2, then finger 7. */
        static const char *const prompts[] = {"Place finger 2 (right index)",
                                              "Place finger 7 (left index)"};
        while (sent < 2 && strstr(err, prompts[sent]) != NULL) {
            if (fd < 0) {
                fd = connect_device();
                assert_true(fd >= 0);
            }
            const mid_image *img = p->image[sent];
            assert_true(send_image(fd, mid_image_width(img), mid_image_height(img),
                                   mid_image_cpixels(img)));
            sent++;
        }
        assert_true(n < errcap - 1);
    }
    close(epipe[0]);
    if (fd >= 0) {
        close(fd);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    char *o = tu_slurp(out_path);
    snprintf(out, outcap, "%s", o);
    free(o);
    assert_int_equal(sent, 2);
    return WEXITSTATUS(status);
}

static void test_identify_capture_red(void **state) {
    (void)state;
    TU_REQUIRE_TOOL();
    static const uint64_t rendered[] = {HIT};
    gww_config cfg = {PERSONS, IABS_FROM, rendered, 1, NULL, 0};
    char uri[600];
    gwt_init(&world);
    snprintf(uri, sizeof(uri), "sqlite:%s", world.dir);
    gww_build(uri, &cfg);
    gwt_start(&world, NULL);
    setenv("MID_DATA", world.dir, 1);
    gww_probe p;
    gww_probe_make(HIT, 2, MID_CONDITION_NORMAL, &p);
    static char out[1 << 16], err[1 << 16];
    int rc = identify_capture(&p, "CAP-0001", out, sizeof(out), err, sizeof(err));
    gww_probe_free(&p);
    if (rc != 11) {
        print_error("rc %d\nstdout: %s\nstderr: %s\n", rc, out, err);
    }
    assert_int_equal(rc, 11);
    assert_non_null(strstr(out, "IDENT1  RED: IDENTIFIED"));
    /* As tu_run_tool: a sanitizer report (leaks included) fails the test. */
    assert_null(strstr(err, "Sanitizer"));
    assert_null(strstr(err, "runtime error"));
    gwt_stop(&world);
    gwt_cleanup(&world);
}

static int group_setup(void **state) {
    tu_ctx_setup(state);
    snprintf(sock_path, sizeof(sock_path), "%s", tu_temp_path("fp.sock"));
    setenv("FP_VIRTUAL_IMAGE", sock_path, 1);
    signal(SIGPIPE, SIG_IGN);
    return 0;
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capture_exact_pixels),
        cmocka_unit_test(test_identify_capture_red),
    };
    return cmocka_run_group_tests(tests, group_setup, tu_ctx_teardown);
}
