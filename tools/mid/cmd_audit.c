/* mid audit: verify the hash-chained audit log, or show its entries (for auditors). */
#include "cli.h"

#include "mid/audit.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static void audit_help(FILE *f) {
    fprintf(f, "usage: mid audit verify [--head HEX] (--data DIR | LOGFILE)\n"
               "       mid audit show [--from SEQ] (--data DIR | LOGFILE)\n"
               "\n"
               "verify  checks the hash chain of the audit log (DIR/audit.log with --data or\n"
               "        MID_DATA) and prints each problem as 'entry <seq> (line <n>): <what>'\n"
               "        and a summary line. --head HEX is a head hash kept elsewhere (from a\n"
               "        response's audit receipt or /metrics): a log that no longer contains\n"
               "        it has lost its newest entries.\n"
               "        Exit status: 0 clean, 1 problems found, 2 usage or read error.\n"
               "show    prints each entry as '<seq> <entry JSON>', from entry SEQ on.\n");
}

/* Resolves the log path from LOGFILE or --data/MID_DATA. */
static bool log_path(const char *cmd, const char *file, cli_data *d, char *buf, size_t cap) {
    if (file != NULL) {
        if (d->dir != NULL) {
            cli_usage_error(cmd, "give either --data DIR or LOGFILE, not both");
            return false;
        }
        if (strlen(file) >= cap) {
            cli_usage_error(cmd, "LOGFILE path is too long");
            return false;
        }
        snprintf(buf, cap, "%s", file);
        return true;
    }
    return cli_data_finish(cmd, d) && cli_data_path(cmd, d, "audit.log", buf, cap);
}

static void print_problem(void *user, uint64_t line, uint64_t seq, const char *what) {
    (void)user;
    if (seq == 0) {
        printf("entry ? (line %llu): %s\n", (unsigned long long)line, what);
    } else {
        printf("entry %llu (line %llu): %s\n", (unsigned long long)seq, (unsigned long long)line,
               what);
    }
}

static int audit_verify_cmd(int argc, char **argv) {
    const char *cmd = "audit verify";
    const char *file = NULL;
    char head[MID_AUDIT_HEX_SIZE] = "";
    cli_data d = {0};
    for (int i = 1; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        if (strcmp(argv[i], "--head") == 0) {
            const char *v = cli_option_value(cmd, argc, argv, &i);
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (strlen(v) != 64) {
                return cli_usage_error(cmd, "--head needs 64 hex digits");
            }
            for (int k = 0; k < 64; k++) {
                if (!isxdigit((unsigned char)v[k])) {
                    return cli_usage_error(cmd, "--head needs 64 hex digits");
                }
                head[k] = (char)tolower((unsigned char)v[k]);
            }
            head[64] = '\0';
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            audit_help(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (file == NULL) {
            file = argv[i];
        } else {
            return cli_usage_error(cmd, "more than one LOGFILE");
        }
    }
    char path[CLI_PATH_SIZE];
    if (!log_path(cmd, file, &d, path, sizeof(path))) {
        return CLI_EXIT_USAGE;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", cmd);
        return CLI_EXIT_USAGE;
    }
    mid_audit_summary sum;
    mid_status st =
        mid_audit_verify(ctx, path, head[0] != '\0' ? head : NULL, print_problem, NULL, &sum);
    if (st != MID_OK) {
        cli_fail(cmd, path, ctx, st);
        mid_ctx_free(ctx);
        return CLI_EXIT_USAGE; /* a log that cannot be read is not a verdict */
    }
    mid_ctx_free(ctx);
    if (sum.problems == 0) {
        printf("audit log: %llu entries, head %s: OK\n", (unsigned long long)sum.entries, sum.head);
        return 0;
    }
    printf("audit log: %llu entries, head %s: %llu problem%s\n", (unsigned long long)sum.entries,
           sum.head, (unsigned long long)sum.problems, sum.problems == 1 ? "" : "s");
    return CLI_EXIT_FAIL;
}

typedef struct show_state {
    uint64_t from;
    uint64_t shown;
} show_state;

static bool show_entry(void *user, uint64_t seq, const char *entry, size_t len) {
    show_state *s = user;
    if (seq >= s->from) {
        printf("%llu %.*s\n", (unsigned long long)seq, (int)len, entry);
        s->shown++;
    }
    return true;
}

static int audit_show_cmd(int argc, char **argv) {
    const char *cmd = "audit show";
    const char *file = NULL;
    cli_data d = {0};
    show_state s = {1, 0};
    for (int i = 1; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        if (strcmp(argv[i], "--from") == 0) {
            const char *v = cli_option_value(cmd, argc, argv, &i);
            if (v == NULL || !cli_parse_u64(cmd, "--from", v, &s.from)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            audit_help(stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(cmd, "unknown option '%s'", argv[i]);
        } else if (file == NULL) {
            file = argv[i];
        } else {
            return cli_usage_error(cmd, "more than one LOGFILE");
        }
    }
    char path[CLI_PATH_SIZE];
    if (!log_path(cmd, file, &d, path, sizeof(path))) {
        return CLI_EXIT_USAGE;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", cmd);
        return CLI_EXIT_FAIL;
    }
    mid_status st = mid_audit_each(ctx, path, show_entry, &s);
    int rc = st == MID_OK ? 0 : cli_fail(cmd, path, ctx, st);
    mid_ctx_free(ctx);
    return rc;
}

int cli_cmd_audit(int argc, char **argv) {
    if (argc < 2) {
        audit_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "verify") == 0) {
        return audit_verify_cmd(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "show") == 0) {
        return audit_show_cmd(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        audit_help(stdout);
        return 0;
    }
    return cli_usage_error("audit", "unknown subcommand '%s'", argv[1]);
}
