/* mid ca init: the force's certificate authority and the gateway's certificate. */
#include "cli.h"

#include "gateway.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid ca init [--data DIR] [--store URI]\n"
            "\n"
            "Creates the force CA (DIR/pki/ca.pem, ca-key.pem, ECDSA P-256, 10 years) and the\n"
            "gateway's server certificate for localhost, 127.0.0.1 and ::1 (DIR/pki/server.pem,\n"
            "server-key.pem, 2 years). Keys are mode 0600. An existing CA is never replaced.\n"
            "DIR defaults to $MID_DATA.\n");
}

int cli_cmd_ca(int argc, char **argv) {
    const char *cmd = "ca";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    if (strcmp(argv[1], "init") != 0) {
        return cli_usage_error(cmd, "unknown subcommand '%s'", argv[1]);
    }
    cli_data d = {0};
    for (int i = 2; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r == 0) {
            return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
        }
    }
    if (!cli_data_finish(cmd, &d)) {
        return CLI_EXIT_USAGE;
    }
    char err[GW_ERR_SIZE] = "";
    mid_status st = gw_pki_ca_init(d.dir, err);
    if (st != MID_OK) {
        fprintf(stderr, "mid ca: %s\n", err);
        return CLI_EXIT_FAIL;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return cli_fail(cmd, "context", NULL, MID_ERR_NOMEM);
    }
    int rc =
        cli_audit_admin(cmd, ctx, &d, "ca-init", NULL, NULL, "force CA and server certificate");
    mid_ctx_free(ctx);
    if (rc == 0) {
        printf("CA and server certificate created in %s/pki\n", d.dir);
    }
    return rc;
}
