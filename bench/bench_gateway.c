/*
 * Load benchmark of a running gateway (`mid serve`): C concurrent devices, each
 * with its own device certificate and officer, send N identification requests
 * each (POST /v1/identify, the JSON encoding with two WSQ fingers) over HTTPS
 * (TLS 1.3, one keep-alive connection per device). For each concurrency level it
 * reports throughput (answers per second of wall time) and the p50/p95/p99 answer
 * time (from sending the request to the last byte of the answer).
 *
 * Every answer is checked: a request counts as answered only with status 200 and
 * an "outcome" of "answered"; anything else is counted by status and reported.
 * Logins (Argon2id, deliberately slow) happen before each level's clock starts.
 *
 * usage: bench_gateway --url https://127.0.0.1:PORT --data DIR --probes LIST
 *                      [--levels 1,4,16] [--requests N] [--pin PIN]
 *                      [--device-prefix bench-] [--officer-prefix B] [--fresh]
 *   --data DIR     the gateway's data directory: DIR/pki/ca.pem is trusted and
 *                  device k (1-based) uses DIR/devices/<prefix><kk>.pem and
 *                  <prefix><kk>-key.pem (kk: two digits)
 *   --probes LIST  lines "RIGHT_INDEX.wsq LEFT_INDEX.wsq" (fingers 2 and 7); device k
 *                  cycles through them starting at line k
 *   --pin PIN      every bench officer's PIN (officer k is <officer-prefix><kk>)
 *   --fresh        a new TLS connection for every request (no keep-alive)
 *   --json FILE    also writes the figures as JSON
 */
#define _DEFAULT_SOURCE
#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX_DEVICES 64u
#define MAX_LEVELS 8u
#define MAX_PROBES 256u
#define MAX_WSQ_BYTES (1024u * 1024u)
#define STATUS_SLOTS 600u

typedef struct probe_pair {
    char *b64[2]; /* base64 of the right and left index WSQ files */
    size_t b64_len[2];
} probe_pair;

typedef struct bench_opts {
    const char *url;
    const char *data;
    const char *pin;
    const char *device_prefix;
    const char *officer_prefix;
    unsigned requests;
    bool fresh;
} bench_opts;

typedef struct device_run {
    const bench_opts *o;
    const probe_pair *probes;
    size_t n_probes;
    unsigned index; /* 1-based device number */
    unsigned level;
    CURL *curl;
    char token[512];
    double *lat; /* seconds, one per answered request */
    size_t n_lat;
    unsigned status_count[STATUS_SLOTS];
    unsigned transport_errors;
    unsigned unanswered; /* 200 without "outcome":"answered" */
    char first_error[256];
} device_run;

static double wall_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *base64(const unsigned char *in, size_t n, size_t *out_len) {
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    size_t len = (n + 2) / 3 * 4;
    char *out = malloc(len + 1);
    if (out == NULL) {
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16;
        if (i + 1 < n) {
            v |= (uint32_t)in[i + 1] << 8;
        }
        if (i + 2 < n) {
            v |= in[i + 2];
        }
        out[j++] = tab[(v >> 18) & 63];
        out[j++] = tab[(v >> 12) & 63];
        out[j++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
        out[j++] = i + 2 < n ? tab[v & 63] : '=';
    }
    out[j] = '\0';
    *out_len = j;
    return out;
}

static char *read_b64(const char *path, size_t *out_len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "bench_gateway: cannot open %s\n", path);
        return NULL;
    }
    unsigned char *buf = malloc(MAX_WSQ_BYTES);
    size_t n = buf ? fread(buf, 1, MAX_WSQ_BYTES, f) : 0;
    int more = buf ? fgetc(f) : EOF;
    fclose(f);
    if (buf == NULL || n == 0 || more != EOF) {
        fprintf(stderr, "bench_gateway: %s is empty or over %u bytes\n", path, MAX_WSQ_BYTES);
        free(buf);
        return NULL;
    }
    char *b = base64(buf, n, out_len);
    free(buf);
    return b;
}

static size_t load_probes(const char *list, probe_pair *out) {
    FILE *f = fopen(list, "r");
    if (f == NULL) {
        fprintf(stderr, "bench_gateway: cannot open %s\n", list);
        return 0;
    }
    char line[8192];
    size_t n = 0;
    while (n < MAX_PROBES && fgets(line, sizeof line, f) != NULL) {
        char *save = NULL;
        char *a = strtok_r(line, " \t\r\n", &save);
        char *b = a ? strtok_r(NULL, " \t\r\n", &save) : NULL;
        if (a == NULL) {
            continue;
        }
        if (b == NULL) {
            fprintf(stderr, "bench_gateway: %s: a line needs two WSQ files\n", list);
            n = 0;
            break;
        }
        out[n].b64[0] = read_b64(a, &out[n].b64_len[0]);
        out[n].b64[1] = read_b64(b, &out[n].b64_len[1]);
        if (out[n].b64[0] == NULL || out[n].b64[1] == NULL) {
            free(out[n].b64[0]);
            free(out[n].b64[1]);
            n = 0;
            break;
        }
        n++;
    }
    fclose(f);
    return n;
}

/* Response body collector, bounded. */
typedef struct body_buf {
    char data[16384];
    size_t len;
} body_buf;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *user) {
    body_buf *b = user;
    size_t n = size * nmemb;
    size_t room = sizeof b->data - 1 - b->len;
    size_t take = n < room ? n : room;
    memcpy(b->data + b->len, ptr, take);
    b->len += take;
    b->data[b->len] = '\0';
    return n;
}

static bool setup_tls(device_run *d) {
    char cert[1024], key[1024], ca[1024];
    snprintf(ca, sizeof ca, "%s/pki/ca.pem", d->o->data);
    snprintf(cert, sizeof cert, "%s/devices/%s%02u.pem", d->o->data, d->o->device_prefix, d->index);
    snprintf(key, sizeof key, "%s/devices/%s%02u-key.pem", d->o->data, d->o->device_prefix,
             d->index);
    d->curl = curl_easy_init();
    if (d->curl == NULL) {
        return false;
    }
    curl_easy_setopt(d->curl, CURLOPT_CAINFO, ca);
    curl_easy_setopt(d->curl, CURLOPT_SSLCERT, cert);
    curl_easy_setopt(d->curl, CURLOPT_SSLKEY, key);
    curl_easy_setopt(d->curl, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_3);
    curl_easy_setopt(d->curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(d->curl, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(d->curl, CURLOPT_WRITEFUNCTION, on_body);
    if (d->o->fresh) {
        curl_easy_setopt(d->curl, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(d->curl, CURLOPT_FRESH_CONNECT, 1L);
    }
    return true;
}

/* POSTs body to path; returns the HTTP status (0 on a transport error). */
static long post(device_run *d, const char *path, const char *auth, const char *body, size_t len,
                 body_buf *resp) {
    char url[1024];
    snprintf(url, sizeof url, "%s%s", d->o->url, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    if (auth != NULL) {
        char line[600];
        snprintf(line, sizeof line, "Authorization: Bearer %s", auth);
        h = curl_slist_append(h, line);
    }
    resp->len = 0;
    resp->data[0] = '\0';
    curl_easy_setopt(d->curl, CURLOPT_URL, url);
    curl_easy_setopt(d->curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(d->curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(d->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(d->curl, CURLOPT_WRITEDATA, resp);
    CURLcode rc = curl_easy_perform(d->curl);
    long status = 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(d->curl, CURLINFO_RESPONSE_CODE, &status);
    } else if (d->first_error[0] == '\0') {
        snprintf(d->first_error, sizeof d->first_error, "%s", curl_easy_strerror(rc));
    }
    curl_slist_free_all(h);
    return status;
}

static bool login(device_run *d) {
    char body[256];
    int n = snprintf(body, sizeof body, "{\"collar\":\"%s%02u\",\"pin\":\"%s\"}",
                     d->o->officer_prefix, d->index, d->o->pin);
    body_buf resp;
    long st = post(d, "/v1/login", NULL, body, (size_t)n, &resp);
    const char *t = strstr(resp.data, "\"token\":\"");
    if (st != 200 || t == NULL) {
        fprintf(stderr, "bench_gateway: device %u: login failed (HTTP %ld): %.200s\n", d->index, st,
                resp.data);
        return false;
    }
    t += 9;
    size_t k = 0;
    while (t[k] != '"' && t[k] != '\0' && k + 1 < sizeof d->token) {
        d->token[k] = t[k];
        k++;
    }
    d->token[k] = '\0';
    return true;
}

static char *request_body(const device_run *d, unsigned i, size_t *len) {
    const probe_pair *p = &d->probes[(d->index - 1 + i) % d->n_probes];
    size_t cap = p->b64_len[0] + p->b64_len[1] + 1024;
    char *b = malloc(cap);
    if (b == NULL) {
        return NULL;
    }
    int n =
        snprintf(b, cap,
                 "{\"tcn\":\"BENCH%02u-L%02u-%06u-%ld\",\"basis\":\"consent\","
                 "\"told_reason\":true,\"told_speculative\":true,"
                 "\"reason\":\"load benchmark\",\"incident\":\"BENCH-%02u\","
                 "\"subject\":{\"ethnicity\":\"IC9\",\"age_band\":\"25-34\",\"gender\":\"U\"},"
                 "\"databases\":[\"IDENT1\",\"IABS\"],"
                 "\"fingers\":[{\"position\":2,\"quality\":80,\"format\":\"wsq\",\"data\":\"%s\"},"
                 "{\"position\":7,\"quality\":80,\"format\":\"wsq\",\"data\":\"%s\"}]}",
                 d->index, d->level, i, (long)getpid(), d->index, p->b64[0], p->b64[1]);
    if (n < 0 || (size_t)n >= cap) {
        free(b);
        return NULL;
    }
    *len = (size_t)n;
    return b;
}

static void *device_main(void *arg) {
    device_run *d = arg;
    for (unsigned i = 0; i < d->o->requests; i++) {
        size_t len = 0;
        char *body = request_body(d, i, &len);
        if (body == NULL) {
            d->transport_errors++;
            continue;
        }
        body_buf resp;
        double t0 = wall_now();
        long st = post(d, "/v1/identify", d->token, body, len, &resp);
        double dt = wall_now() - t0;
        free(body);
        if (st == 0) {
            d->transport_errors++;
            continue;
        }
        d->status_count[st < (long)STATUS_SLOTS ? st : 0]++;
        if (st == 200 && strstr(resp.data, "\"outcome\":\"answered\"") != NULL) {
            d->lat[d->n_lat++] = dt;
        } else {
            d->unanswered++;
            if (d->first_error[0] == '\0') {
                snprintf(d->first_error, sizeof d->first_error, "HTTP %ld: %.200s", st, resp.data);
            }
        }
    }
    return NULL;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted values. */
static double percentile(const double *v, size_t n, double q) {
    if (n == 0) {
        return 0;
    }
    size_t rank = (size_t)(q / 100.0 * (double)n + 0.999999);
    if (rank < 1) {
        rank = 1;
    }
    return v[rank > n ? n - 1 : rank - 1];
}

typedef struct level_result {
    unsigned devices;
    size_t sent, answered;
    double wall, throughput, p50, p95, p99, mean;
} level_result;

static bool run_level(const bench_opts *o, const probe_pair *probes, size_t n_probes,
                      unsigned devices, level_result *res) {
    device_run *runs = calloc(devices, sizeof *runs);
    pthread_t *th = calloc(devices, sizeof *th);
    bool ok = runs != NULL && th != NULL;
    for (unsigned k = 0; ok && k < devices; k++) {
        device_run *d = &runs[k];
        d->o = o;
        d->probes = probes;
        d->n_probes = n_probes;
        d->index = k + 1;
        d->level = devices;
        d->lat = calloc(o->requests ? o->requests : 1, sizeof(double));
        ok = d->lat != NULL && setup_tls(d) && login(d);
    }
    double t0 = wall_now(), wall = 0;
    unsigned started = 0;
    for (unsigned k = 0; ok && k < devices; k++) {
        if (pthread_create(&th[k], NULL, device_main, &runs[k]) != 0) {
            ok = false;
            break;
        }
        started++;
    }
    for (unsigned k = 0; k < started; k++) {
        pthread_join(th[k], NULL);
    }
    wall = wall_now() - t0;
    memset(res, 0, sizeof *res);
    res->devices = devices;
    size_t total = (size_t)devices * o->requests;
    double *all = ok ? calloc(total ? total : 1, sizeof(double)) : NULL;
    size_t n = 0;
    unsigned status_count[STATUS_SLOTS] = {0};
    unsigned transport = 0;
    for (unsigned k = 0; k < devices && runs != NULL; k++) {
        device_run *d = &runs[k];
        for (size_t j = 0; all != NULL && j < d->n_lat; j++) {
            all[n++] = d->lat[j];
        }
        for (unsigned s = 0; s < STATUS_SLOTS; s++) {
            status_count[s] += d->status_count[s];
        }
        transport += d->transport_errors;
        if (d->first_error[0] != '\0') {
            fprintf(stderr, "bench_gateway: device %u: first problem: %s\n", d->index,
                    d->first_error);
        }
        free(d->lat);
        if (d->curl != NULL) {
            curl_easy_cleanup(d->curl);
        }
    }
    if (all != NULL) {
        qsort(all, n, sizeof(double), cmp_double);
        double sum = 0;
        for (size_t j = 0; j < n; j++) {
            sum += all[j];
        }
        res->sent = total;
        res->answered = n;
        res->wall = wall;
        res->throughput = wall > 0 ? (double)n / wall : 0;
        res->p50 = percentile(all, n, 50);
        res->p95 = percentile(all, n, 95);
        res->p99 = percentile(all, n, 99);
        res->mean = n ? sum / (double)n : 0;
        for (unsigned s = 0; s < STATUS_SLOTS; s++) {
            if (s != 200 && status_count[s] != 0) {
                fprintf(stderr, "bench_gateway: %u devices: %u answers with HTTP %u\n", devices,
                        status_count[s], s);
            }
        }
        if (transport != 0) {
            fprintf(stderr, "bench_gateway: %u devices: %u transport errors\n", devices, transport);
        }
    }
    free(all);
    free(runs);
    free(th);
    return ok && res->answered == total;
}

static size_t parse_levels(const char *text, unsigned *levels) {
    size_t n = 0;
    const char *p = text;
    while (*p != '\0' && n < MAX_LEVELS) {
        char *end = NULL;
        unsigned long v = strtoul(p, &end, 10);
        if (end == p || v == 0 || v > MAX_DEVICES || (*end != ',' && *end != '\0')) {
            return 0;
        }
        levels[n++] = (unsigned)v;
        p = *end == ',' ? end + 1 : end;
    }
    return *p == '\0' ? n : 0;
}

static void usage(void) {
    fprintf(stderr, "usage: bench_gateway --url URL --data DIR --probes LIST [--levels 1,4,16]\n"
                    "                     [--requests N] [--pin PIN] [--device-prefix P]\n"
                    "                     [--officer-prefix P] [--fresh] [--json FILE]\n");
}

int main(int argc, char **argv) {
    bench_opts o = {NULL, NULL, "2468", "bench-", "B", 10, false};
    const char *probes_path = NULL, *levels_text = "1,4,16", *json_path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--fresh") == 0) {
            o.fresh = true;
            continue;
        }
        if (v == NULL) {
            usage();
            return 2;
        }
        i++;
        if (strcmp(a, "--url") == 0) {
            o.url = v;
        } else if (strcmp(a, "--data") == 0) {
            o.data = v;
        } else if (strcmp(a, "--probes") == 0) {
            probes_path = v;
        } else if (strcmp(a, "--levels") == 0) {
            levels_text = v;
        } else if (strcmp(a, "--requests") == 0) {
            o.requests = (unsigned)strtoul(v, NULL, 10);
        } else if (strcmp(a, "--pin") == 0) {
            o.pin = v;
        } else if (strcmp(a, "--device-prefix") == 0) {
            o.device_prefix = v;
        } else if (strcmp(a, "--officer-prefix") == 0) {
            o.officer_prefix = v;
        } else if (strcmp(a, "--json") == 0) {
            json_path = v;
        } else {
            usage();
            return 2;
        }
    }
    unsigned levels[MAX_LEVELS];
    size_t n_levels = parse_levels(levels_text, levels);
    if (o.url == NULL || o.data == NULL || probes_path == NULL || n_levels == 0 ||
        o.requests == 0 || o.requests > 100000) {
        usage();
        return 2;
    }
    static probe_pair probes[MAX_PROBES];
    size_t n_probes = load_probes(probes_path, probes);
    if (n_probes == 0) {
        fprintf(stderr, "bench_gateway: no probe pairs in %s\n", probes_path);
        return 1;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return 1;
    }
    level_result res[MAX_LEVELS];
    bool all_ok = true;
    printf("%-8s %8s %8s %9s %12s %8s %8s %8s %8s\n", "devices", "requests", "answered", "wall s",
           "answers/s", "mean s", "p50 s", "p95 s", "p99 s");
    for (size_t l = 0; l < n_levels; l++) {
        bool ok = run_level(&o, probes, n_probes, levels[l], &res[l]);
        all_ok = all_ok && ok;
        printf("%-8u %8zu %8zu %9.2f %12.2f %8.3f %8.3f %8.3f %8.3f\n", res[l].devices, res[l].sent,
               res[l].answered, res[l].wall, res[l].throughput, res[l].mean, res[l].p50, res[l].p95,
               res[l].p99);
        fflush(stdout);
    }
    if (json_path != NULL) {
        FILE *f = fopen(json_path, "w");
        if (f != NULL) {
            fprintf(f, "{\"levels\":[");
            for (size_t l = 0; l < n_levels; l++) {
                fprintf(f,
                        "%s{\"devices\":%u,\"requests\":%zu,\"answered\":%zu,\"wall_s\":%.3f,"
                        "\"throughput\":%.3f,\"mean_s\":%.4f,\"p50_s\":%.4f,\"p95_s\":%.4f,"
                        "\"p99_s\":%.4f}",
                        l ? "," : "", res[l].devices, res[l].sent, res[l].answered, res[l].wall,
                        res[l].throughput, res[l].mean, res[l].p50, res[l].p95, res[l].p99);
            }
            fprintf(f, "]}\n");
            fclose(f);
        }
    }
    for (size_t k = 0; k < n_probes; k++) {
        free(probes[k].b64[0]);
        free(probes[k].b64[1]);
    }
    curl_global_cleanup();
    return all_ok ? 0 : 1;
}
