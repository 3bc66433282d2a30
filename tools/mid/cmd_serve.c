/* mid serve: the Biometric Services Gateway. */
#define _DEFAULT_SOURCE /* prctl */
#include "cli.h"

#include "gateway.h"
#include "identify.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/resource.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid serve [--data DIR] [--store URI] [--listen ADDR:PORT] [--threads N]\n"
            "                 [--budget-ms MS] [--rate N] [--token-seconds S]\n"
            "                 [--fault DB=down|DB=slow:MS]... [--iabs-bases B[,B]]\n"
            "                 [--red-fpir X] [--amber-fpir X] [--log FILE] [--port-file FILE]\n"
            "\n"
            "Serves the identification API over HTTPS (TLS 1.3 only) with the CA and server\n"
            "certificate in DIR/pki (mid ca init). Devices authenticate with their\n"
            "certificate, officers log in with collar and PIN. Every request is audited to\n"
            "DIR/audit.log before it is answered. Defaults: --listen 127.0.0.1:8443,\n"
            "--threads 1 (search threads per request), --budget-ms 5000, --rate %u per\n"
            "minute per device and per officer, --token-seconds %u, --iabs-bases consent,\n"
            "pace-61-6a. --log takes one JSON line per request (default stderr); --port-file\n"
            "receives the port once listening (use with port 0). SIGTERM or SIGINT stops it.\n",
            MID_GW_RATE_PER_MINUTE, MID_GW_TOKEN_SECONDS);
}

static bool parse_uint(const char *cmd, const char *opt, const char *v, unsigned max,
                       unsigned *out) {
    uint64_t x = 0;
    if (!cli_parse_u64(cmd, opt, v, &x)) {
        return false;
    }
    if (x > max) {
        cli_usage_error(cmd, "%s must be at most %u", opt, max);
        return false;
    }
    *out = (unsigned)x;
    return true;
}

static bool parse_fault(const char *cmd, const char *v, gw_router_config *rc) {
    const char *eq = strchr(v, '=');
    char db_name[16];
    if (eq == NULL || (size_t)(eq - v) >= sizeof(db_name)) {
        cli_usage_error(cmd, "--fault takes DB=down or DB=slow:MS");
        return false;
    }
    memcpy(db_name, v, (size_t)(eq - v));
    db_name[eq - v] = '\0';
    int db = mid_db_parse(db_name);
    if (db < 0) {
        cli_usage_error(cmd, "--fault: unknown database '%s'", db_name);
        return false;
    }
    if (strcmp(eq + 1, "down") == 0) {
        rc->fault[db] = GW_FAULT_DOWN;
        return true;
    }
    if (strncmp(eq + 1, "slow:", 5) == 0) {
        rc->fault[db] = GW_FAULT_SLOW;
        return parse_uint(cmd, "--fault slow", eq + 6, 600000u, &rc->slow_ms[db]);
    }
    cli_usage_error(cmd, "--fault takes DB=down or DB=slow:MS");
    return false;
}

static bool parse_bases(const char *cmd, const char *v, unsigned *out) {
    char buf[128];
    if (strlen(v) >= sizeof(buf)) {
        cli_usage_error(cmd, "--iabs-bases is too long");
        return false;
    }
    snprintf(buf, sizeof(buf), "%s", v);
    *out = 0;
    if (strcmp(buf, "none") == 0) {
        return true;
    }
    char *save = NULL;
    for (char *t = strtok_r(buf, ",", &save); t != NULL; t = strtok_r(NULL, ",", &save)) {
        int b = gw_basis_parse(t);
        if (b < 0 || b == GW_BASIS_CONSENT_REFUSED) {
            cli_usage_error(cmd, "--iabs-bases takes consent, pace-61-6a or none");
            return false;
        }
        *out |= 1u << (unsigned)b;
    }
    return true;
}

static bool parse_fpir(const char *cmd, const char *opt, const char *v, double *out) {
    char *end = NULL;
    errno = 0;
    double x = strtod(v, &end);
    if (errno != 0 || end == v || *end != '\0' || !(x > 0.0) || x > 1e6) {
        cli_usage_error(cmd, "%s takes a positive rate such as 1e-3", opt);
        return false;
    }
    *out = x;
    return true;
}

static bool parse_listen(const char *cmd, const char *v, char *host, size_t cap, unsigned *port) {
    const char *colon = strrchr(v, ':');
    if (colon == NULL || colon == v || (size_t)(colon - v) >= cap) {
        cli_usage_error(cmd, "--listen takes ADDRESS:PORT, e.g. 127.0.0.1:8443 or [::1]:8443");
        return false;
    }
    const char *h = v;
    size_t n = (size_t)(colon - v);
    if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    memcpy(host, h, n);
    host[n] = '\0';
    return parse_uint(cmd, "--listen port", colon + 1, 65535u, port);
}

int cli_cmd_serve(int argc, char **argv) {
    const char *cmd = "serve";
    cli_data d = {0};
    gw_server_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    char host[64] = "127.0.0.1";
    cfg.port = 8443;
    cfg.router.budget_ms = 5000;
    cfg.router.threads = 1;
    cfg.router.grading = mid_grade_policy_default();
    cfg.router.iabs_bases = (1u << GW_BASIS_CONSENT) | (1u << GW_BASIS_PACE_61_6A);
    const char *port_file = NULL;
    for (int i = 1; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r == 1) {
            continue;
        }
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        const char *v = cli_option_value(cmd, argc, argv, &i);
        if (v == NULL) {
            return CLI_EXIT_USAGE;
        }
        bool ok = true;
        if (strcmp(a, "--listen") == 0) {
            ok = parse_listen(cmd, v, host, sizeof(host), &cfg.port);
        } else if (strcmp(a, "--threads") == 0) {
            ok = parse_uint(cmd, a, v, 64u, &cfg.router.threads);
        } else if (strcmp(a, "--budget-ms") == 0) {
            ok = parse_uint(cmd, a, v, 600000u, &cfg.router.budget_ms);
        } else if (strcmp(a, "--rate") == 0) {
            ok = parse_uint(cmd, a, v, 1000000u, &cfg.rate_per_minute);
        } else if (strcmp(a, "--token-seconds") == 0) {
            ok = parse_uint(cmd, a, v, 86400u, &cfg.token_seconds);
        } else if (strcmp(a, "--fault") == 0) {
            ok = parse_fault(cmd, v, &cfg.router);
        } else if (strcmp(a, "--iabs-bases") == 0) {
            ok = parse_bases(cmd, v, &cfg.router.iabs_bases);
        } else if (strcmp(a, "--red-fpir") == 0) {
            ok = parse_fpir(cmd, a, v, &cfg.router.grading.red_fpir);
        } else if (strcmp(a, "--amber-fpir") == 0) {
            ok = parse_fpir(cmd, a, v, &cfg.router.grading.amber_fpir);
        } else if (strcmp(a, "--log") == 0) {
            cfg.log_path = v;
        } else if (strcmp(a, "--port-file") == 0) {
            port_file = v;
        } else {
            return cli_usage_error(cmd, "unknown option '%s'", a);
        }
        if (!ok) {
            return CLI_EXIT_USAGE;
        }
    }
    if (!cli_data_finish(cmd, &d)) {
        return CLI_EXIT_USAGE;
    }
    if (cfg.router.grading.red_fpir > cfg.router.grading.amber_fpir) {
        return cli_usage_error(cmd, "--red-fpir must not exceed --amber-fpir");
    }
    cfg.data_dir = d.dir;
    cfg.store_uri = d.store;
    cfg.host = host;

    /* Probes live in this process's memory: no core file may ever hold them. */
    struct rlimit no_core = {0, 0};
    if (setrlimit(RLIMIT_CORE, &no_core) != 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) {
        fprintf(stderr, "mid serve: cannot disable core dumps: %s\n", strerror(errno));
        return CLI_EXIT_FAIL;
    }
    /* SIGTERM/SIGINT are taken by sigwait below; every thread started from here
     * on inherits the blocked mask. SIGPIPE: a vanished client is not fatal. */
    sigset_t stop_set;
    sigemptyset(&stop_set);
    sigaddset(&stop_set, SIGTERM);
    sigaddset(&stop_set, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
    signal(SIGPIPE, SIG_IGN);

    gw_server *s = NULL;
    char err[GW_ERR_SIZE] = "";
    if (gw_server_start(&cfg, &s, err) != MID_OK) {
        fprintf(stderr, "mid serve: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    if (port_file != NULL) {
        char tmp[CLI_PATH_SIZE + 8];
        snprintf(tmp, sizeof(tmp), "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (f == NULL || fprintf(f, "%u\n", gw_server_port(s)) < 0 || fclose(f) != 0 ||
            rename(tmp, port_file) != 0) {
            fprintf(stderr, "mid serve: cannot write %s\n", port_file);
            gw_server_stop(s);
            return CLI_EXIT_FAIL;
        }
    }
    fprintf(stderr, "mid serve: listening on https://%s:%u/\n", host, gw_server_port(s));
    int sig = 0;
    while (sigwait(&stop_set, &sig) != 0) {
    }
    fprintf(stderr, "mid serve: stopping (signal %d)\n", sig);
    gw_server_stop(s);
    return 0;
}
