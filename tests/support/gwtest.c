#define _DEFAULT_SOURCE /* kill() with SIGTERM, usleep */
#include "gwtest.h"
#include "testutil.h"

#include "mid/audit.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void run_ok(const char *const *args) {
    tu_run r = tu_run_tool(args);
    if (r.rc != 0) {
        fail_msg("mid %s %s failed (%d): %s", args[0], args[1] ? args[1] : "", r.rc, r.err);
    }
    tu_run_free(&r);
}

static void add_officer(const gw_test *t, const char *collar, const char *role) {
    const char *args[] = {"officer", "add",    collar, "--role",        role, "--pin",
                          GWT_PIN,   "--data", t->dir, "--argon2-test", NULL};
    run_ok(args);
}

void gwt_init(gw_test *t) {
    static unsigned serial;
    memset(t, 0, sizeof(*t));
    char name[64];
    snprintf(name, sizeof(name), "gw-%u", serial++);
    snprintf(t->dir, sizeof(t->dir), "%s", tu_temp_path(name));
    assert_int_equal(mkdir(t->dir, 0700), 0);
    snprintf(name, sizeof(name), "gw-%u.log", serial - 1);
    snprintf(t->log, sizeof(t->log), "%s", tu_temp_path(name));
    snprintf(name, sizeof(name), "gw-%u.stderr", serial - 1);
    snprintf(t->stderr_path, sizeof(t->stderr_path), "%s", tu_temp_path(name));

    const char *ca[] = {"ca", "init", "--data", t->dir, NULL};
    run_ok(ca);
    const char *devs[] = {"dev1", "dev2", "dev3"};
    for (size_t i = 0; i < 3; i++) {
        const char *enrol[] = {"device", "enrol", devs[i], "--data", t->dir, NULL};
        run_ok(enrol);
    }
    const char *revoke[] = {"device", "revoke", "dev3", "--data", t->dir, NULL};
    run_ok(revoke);
    add_officer(t, GWT_OFFICER, "officer");
    add_officer(t, GWT_SUPERVISOR, "supervisor");
    add_officer(t, GWT_AUDITOR, "auditor");
    add_officer(t, GWT_ADMIN, "administrator");

    /* A second CA the gateway does not trust, with a client certificate of its own. */
    char rogue[600];
    snprintf(rogue, sizeof(rogue), "%s/rogue", t->dir);
    assert_int_equal(mkdir(rogue, 0700), 0);
    const char *rca[] = {"ca", "init", "--data", rogue, NULL};
    run_ok(rca);
    const char *renrol[] = {"device", "enrol", "rogue", "--data", rogue, NULL};
    run_ok(renrol);
}

const char *gwt_cert(const gw_test *t, const char *device) {
    static _Thread_local char path[700]; /* per thread: clients run concurrently */
    if (strcmp(device, "rogue") == 0) {
        snprintf(path, sizeof(path), "%s/rogue/devices/rogue.pem", t->dir);
    } else {
        snprintf(path, sizeof(path), "%s/devices/%s.pem", t->dir, device);
    }
    return path;
}

const char *gwt_key(const gw_test *t, const char *device) {
    static _Thread_local char path[700]; /* per thread: clients run concurrently */
    if (strcmp(device, "rogue") == 0) {
        snprintf(path, sizeof(path), "%s/rogue/devices/rogue-key.pem", t->dir);
    } else {
        snprintf(path, sizeof(path), "%s/devices/%s-key.pem", t->dir, device);
    }
    return path;
}

const char *gwt_ca(const gw_test *t) {
    static _Thread_local char path[700]; /* per thread: clients run concurrently */
    snprintf(path, sizeof(path), "%s/pki/ca.pem", t->dir);
    return path;
}

static void sleep_ms(unsigned ms) {
    struct timespec ts = {ms / 1000u, (long)(ms % 1000u) * 1000000L};
    nanosleep(&ts, NULL);
}

void gwt_start(gw_test *t, const char *const *extra) {
    const char *tool = getenv("MID_TOOL");
    assert_non_null(tool);
    char port_file[700];
    snprintf(port_file, sizeof(port_file), "%s.port", t->log);
    unlink(port_file);
    const char *argv[48];
    size_t n = 0;
    argv[n++] = tool;
    argv[n++] = "serve";
    argv[n++] = "--data";
    argv[n++] = t->dir;
    argv[n++] = "--listen";
    argv[n++] = "127.0.0.1:0";
    argv[n++] = "--port-file";
    argv[n++] = port_file;
    argv[n++] = "--log";
    argv[n++] = t->log;
    for (; extra != NULL && *extra != NULL; extra++) {
        assert_true(n < 46);
        argv[n++] = *extra;
    }
    argv[n] = NULL;
    posix_spawn_file_actions_t fa;
    assert_int_equal(posix_spawn_file_actions_init(&fa), 0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0),
                     0);
    /* stdout away from ctest's pipe: an orphaned gateway (a crashed test) must not
     * keep ctest waiting for the pipe to close. */
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0),
                     0);
    assert_int_equal(posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, t->stderr_path,
                                                      O_WRONLY | O_CREAT | O_APPEND, 0600),
                     0);
    assert_int_equal(posix_spawn(&t->pid, tool, &fa, NULL, (char *const *)argv, environ), 0);
    posix_spawn_file_actions_destroy(&fa);

    /* The gateway writes its port once it listens; then /healthz must answer. */
    for (int waited = 0; waited < 30000; waited += 20) {
        int status = 0;
        if (waitpid(t->pid, &status, WNOHANG) == t->pid) {
            t->pid = 0;
            char *err = tu_slurp(t->stderr_path);
            fail_msg("mid serve exited early (status %d): %s", status, err);
        }
        FILE *f = fopen(port_file, "r");
        if (f != NULL) {
            unsigned port = 0;
            int got = fscanf(f, "%u", &port);
            fclose(f);
            if (got == 1 && port > 0) {
                t->port = port;
                snprintf(t->url, sizeof(t->url), "https://127.0.0.1:%u", port);
                gwt_req req = {.method = "GET", .path = "/healthz"};
                gwt_response r = gwt_request(t, &req);
                long st = r.status;
                gwt_response_free(&r);
                if (st == 200) {
                    return;
                }
            }
        }
        sleep_ms(20);
    }
    fail_msg("mid serve did not answer /healthz within 30 s");
}

static int wait_child(gw_test *t) {
    int status = 0;
    for (int waited = 0; waited < 20000; waited += 10) {
        pid_t p = waitpid(t->pid, &status, WNOHANG);
        if (p == t->pid) {
            t->pid = 0;
            return status;
        }
        sleep_ms(10);
    }
    kill(t->pid, SIGKILL);
    waitpid(t->pid, &status, 0);
    t->pid = 0;
    fail_msg("mid serve did not stop within 20 s of SIGTERM");
    return status;
}

void gwt_stop(gw_test *t) {
    if (t->pid <= 0) {
        return;
    }
    assert_int_equal(kill(t->pid, SIGTERM), 0);
    int status = wait_child(t);
    char *err = tu_slurp(t->stderr_path);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || strstr(err, "Sanitizer") != NULL ||
        strstr(err, "runtime error") != NULL) {
        fail_msg("mid serve stopped badly (status %d): %s", status, err);
    }
    free(err);
}

void gwt_kill(gw_test *t) {
    if (t->pid <= 0) {
        return;
    }
    kill(t->pid, SIGKILL);
    int status = 0;
    waitpid(t->pid, &status, 0);
    t->pid = 0;
}

typedef struct sink {
    char *data;
    size_t len, cap;
} sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user) {
    sink *s = user;
    size_t n = size * nmemb;
    if (s->len + n + 1 > s->cap) {
        size_t cap = (s->len + n + 1) * 2;
        char *p = realloc(s->data, cap);
        if (p == NULL) {
            return 0;
        }
        s->data = p;
        s->cap = cap;
    }
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

gwt_response gwt_request(const gw_test *t, const gwt_req *req) {
    static bool global;
    if (!global) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        global = true;
    }
    gwt_response r = {0};
    sink s = {0};
    CURL *c = curl_easy_init();
    assert_non_null(c);
    char url[700];
    snprintf(url, sizeof(url), "%s%s", t->url, req->path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(c, CURLOPT_CAINFO, gwt_ca(t));
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    if (req->tls12_only) {
        curl_easy_setopt(c, CURLOPT_SSLVERSION,
                         (long)(CURL_SSLVERSION_TLSv1_2 | CURL_SSLVERSION_MAX_TLSv1_2));
    } else {
        curl_easy_setopt(c, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
    }
    char cert[700], key[700];
    if (req->device != NULL) {
        snprintf(cert, sizeof(cert), "%s", gwt_cert(t, req->device));
        snprintf(key, sizeof(key), "%s", gwt_key(t, req->device));
        curl_easy_setopt(c, CURLOPT_SSLCERT, cert);
        curl_easy_setopt(c, CURLOPT_SSLKEY, key);
    }
    struct curl_slist *h = NULL;
    char line[1200];
    if (req->token != NULL) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", req->token);
        h = curl_slist_append(h, line);
    }
    if (req->content_type != NULL) {
        snprintf(line, sizeof(line), "Content-Type: %s", req->content_type);
        h = curl_slist_append(h, line);
    }
    if (req->accept != NULL) {
        snprintf(line, sizeof(line), "Accept: %s", req->accept);
        h = curl_slist_append(h, line);
    }
    if (req->len <= 1024 * 1024) {
        /* Small bodies go at once; larger ones wait for "100 Continue", so that a
         * body the gateway refuses on its declared length (413) is never sent. */
        h = curl_slist_append(h, "Expect:");
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (req->body != NULL) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, req->body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->len);
    }
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    r.curl_code = (int)curl_easy_perform(c);
    if (r.curl_code == CURLE_OK) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
        char *ct = NULL;
        if (curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct != NULL) {
            snprintf(r.content_type, sizeof(r.content_type), "%s", ct);
        }
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (s.data == NULL) {
        s.data = calloc(1, 1);
        assert_non_null(s.data);
    }
    r.body = s.data;
    r.len = s.len;
    return r;
}

void gwt_response_free(gwt_response *r) {
    free(r->body);
    r->body = NULL;
}

gwt_response gwt_json(const gw_test *t, const char *method, const char *path, const char *device,
                      const char *token, const char *json) {
    gwt_req req = {.method = method,
                   .path = path,
                   .device = device,
                   .token = token,
                   .content_type = json != NULL ? "application/json" : NULL,
                   .body = json,
                   .len = json != NULL ? strlen(json) : 0};
    return gwt_request(t, &req);
}

char *gwt_login(const gw_test *t, const char *device, const char *collar, const char *pin) {
    char body[256];
    snprintf(body, sizeof(body), "{\"collar\":\"%s\",\"pin\":\"%s\"}", collar, pin);
    gwt_response r = gwt_json(t, "POST", "/v1/login", device, NULL, body);
    if (r.status != 200) {
        fail_msg("login of %s on %s: %ld %s", collar, device, r.status, r.body);
    }
    const char *k = strstr(r.body, "\"token\":\"");
    assert_non_null(k);
    k += 9;
    const char *e = strchr(k, '"');
    assert_non_null(e);
    char *tok = strndup(k, (size_t)(e - k));
    assert_non_null(tok);
    gwt_response_free(&r);
    return tok;
}

typedef struct find_state {
    uint64_t after, count;
    const char *const *fragments;
    char *found;
} find_state;

static bool count_entry(void *user, uint64_t seq, const char *json, size_t len) {
    (void)json;
    (void)len;
    find_state *f = user;
    f->count = seq;
    return true;
}

uint64_t gwt_audit_count(const gw_test *t) {
    char path[700];
    snprintf(path, sizeof(path), "%s/audit.log", t->dir);
    find_state f = {0};
    assert_int_equal(mid_audit_each(tu_ctx, path, count_entry, &f), MID_OK);
    return f.count;
}

static bool match_entry(void *user, uint64_t seq, const char *json, size_t len) {
    find_state *f = user;
    if (seq <= f->after) {
        return true;
    }
    char *copy = strndup(json, len);
    if (copy == NULL) {
        return false;
    }
    for (const char *const *p = f->fragments; *p != NULL; p++) {
        if (strstr(copy, *p) == NULL) {
            free(copy);
            return true;
        }
    }
    f->found = copy;
    return false;
}

bool gwt_audit_find(const gw_test *t, uint64_t after_seq, const char *const *fragments,
                    char **entry) {
    char path[700];
    snprintf(path, sizeof(path), "%s/audit.log", t->dir);
    find_state f = {.after = after_seq, .fragments = fragments};
    assert_int_equal(mid_audit_each(tu_ctx, path, match_entry, &f), MID_OK);
    if (f.found == NULL) {
        return false;
    }
    if (entry != NULL) {
        *entry = f.found;
    } else {
        free(f.found);
    }
    return true;
}

void gwt_cleanup(gw_test *t) {
    gwt_kill(t);
    /* The scratch directory (and this world in it) is removed at exit by testutil. */
    memset(t->url, 0, sizeof(t->url));
}
