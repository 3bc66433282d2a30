/* mid officer add: officers, their roles and PINs (Argon2id). */
#include "cli.h"

#include "auth.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid officer add COLLAR --role ROLE[,ROLE...] (--pin PIN | --pin-stdin)\n"
            "                       [--disabled] [--data DIR] [--store URI]\n"
            "\n"
            "Adds or replaces an officer. Roles: officer, supervisor, auditor, administrator.\n"
            "The PIN (4..64 printable characters) is kept only as an Argon2id hash (t=%u,\n"
            "m=%u MiB, p=%u); --pin-stdin reads it from the first line of standard input.\n"
            "--argon2-test uses t=1, m=1 MiB (test worlds only). The act is audited.\n",
            GW_ARGON2_T, GW_ARGON2_M_KIB / 1024u, GW_ARGON2_P);
}

static bool parse_roles(const char *text, unsigned *roles) {
    char buf[128];
    if (strlen(text) >= sizeof(buf)) {
        return false;
    }
    snprintf(buf, sizeof(buf), "%s", text);
    *roles = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        unsigned r = mid_role_parse(tok);
        if (r == 0) {
            return false;
        }
        *roles |= r;
    }
    return *roles != 0;
}

int cli_cmd_officer(int argc, char **argv) {
    const char *cmd = "officer";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "add") != 0) {
        return cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    }
    cli_data d = {0};
    const char *collar = NULL, *pin_arg = NULL;
    bool pin_stdin = false, test_params = false, disabled = false;
    unsigned roles = 0;
    for (int i = 2; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r == 1) {
            continue;
        }
        const char *a = argv[i];
        if (strcmp(a, "--role") == 0) {
            const char *v = cli_option_value(cmd, argc, argv, &i);
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (!parse_roles(v, &roles)) {
                return cli_usage_error(cmd, "--role takes officer, supervisor, auditor or "
                                            "administrator, comma-separated");
            }
        } else if (strcmp(a, "--pin") == 0) {
            pin_arg = cli_option_value(cmd, argc, argv, &i);
            if (pin_arg == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(a, "--pin-stdin") == 0) {
            pin_stdin = true;
        } else if (strcmp(a, "--argon2-test") == 0) {
            test_params = true;
        } else if (strcmp(a, "--disabled") == 0) {
            disabled = true;
        } else if (a[0] != '-' && collar == NULL) {
            collar = a;
        } else {
            return cli_usage_error(cmd, "unexpected argument '%s'", a);
        }
    }
    if (collar == NULL || !gw_collar_valid(collar)) {
        return cli_usage_error(cmd, "give a collar number of 1..%u of [A-Za-z0-9-]",
                               MID_COLLAR_SIZE - 1);
    }
    if (roles == 0) {
        return cli_usage_error(cmd, "give at least one --role");
    }
    if ((pin_arg != NULL) == pin_stdin) {
        return cli_usage_error(cmd, "give exactly one of --pin PIN and --pin-stdin");
    }
    if (!cli_data_finish(cmd, &d)) {
        return CLI_EXIT_USAGE;
    }
    char pin[GW_PIN_MAX + 2] = "";
    if (pin_stdin) {
        if (fgets(pin, sizeof(pin), stdin) == NULL) {
            return cli_usage_error(cmd, "no PIN on standard input");
        }
        pin[strcspn(pin, "\r\n")] = '\0';
    } else {
        snprintf(pin, sizeof(pin), "%s", pin_arg);
    }
    mid_officer o;
    memset(&o, 0, sizeof(o));
    snprintf(o.collar, sizeof(o.collar), "%s", collar);
    o.roles = roles;
    o.disabled = disabled;
    char err[GW_ERR_SIZE] = "";
    double t0 = cli_now();
    mid_status st = gw_pin_hash(pin, test_params, o.pin_hash, err);
    double hash_s = cli_now() - t0;
    mid_wipe(pin, sizeof(pin));
    if (st != MID_OK) {
        fprintf(stderr, "mid %s: %s\n", cmd, err);
        return st == MID_ERR_ARG ? CLI_EXIT_USAGE : CLI_EXIT_FAIL;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return cli_fail(cmd, "context", NULL, MID_ERR_NOMEM);
    }
    mid_store *store = NULL;
    int rc = CLI_EXIT_FAIL;
    if (cli_admin_open_store(cmd, ctx, &d, &store) == MID_OK) {
        st = mid_store_officer_put(store, ctx, &o);
        if (st != MID_OK) {
            rc = cli_fail(cmd, "recording the officer", ctx, st);
        } else {
            char detail[128] = "roles";
            for (unsigned b = 0; b < 4; b++) {
                if (roles & (1u << b)) {
                    size_t n = strlen(detail);
                    snprintf(detail + n, sizeof(detail) - n, " %s", mid_role_name(1u << b));
                }
            }
            rc = cli_audit_admin(cmd, ctx, &d, "add-officer", "officer_added", collar, detail);
            if (rc == 0) {
                printf("officer %s: %s (Argon2id hash in %.3f s)\n", collar, detail, hash_s);
            }
        }
        mid_store_close(store);
    }
    mid_wipe(&o, sizeof(o));
    mid_ctx_free(ctx);
    return rc;
}
