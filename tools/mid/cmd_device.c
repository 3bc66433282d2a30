/* mid device enrol|revoke|list: the force's mobile devices. */
#include "cli.h"

#include "gateway.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static void usage(FILE *f) {
    fprintf(f, "usage: mid device enrol ID [--data DIR] [--store URI]\n"
               "       mid device revoke ID [--data DIR] [--store URI]\n"
               "       mid device list [--data DIR] [--store URI]\n"
               "\n"
               "enrol issues the device's client certificate from the force CA\n"
               "(DIR/devices/ID.pem, ID-key.pem, 1 year) and records it in the store; revoke\n"
               "takes effect at the gateway's next request from the device. Both are audited.\n"
               "ID is 1..39 of [A-Za-z0-9._-]. DIR defaults to $MID_DATA.\n");
}

static mid_status print_device(void *user, const mid_device *dev) {
    (void)user;
    char when[32] = "-";
    time_t t = (time_t)dev->enrolled_at;
    struct tm tm;
    if (gmtime_r(&t, &tm) != NULL) {
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    printf("%-20s %-8s enrolled %s cert %.16s serial %s\n", dev->id,
           dev->revoked_at != 0 ? "revoked" : "valid", when, dev->cert_sha256, dev->serial);
    return MID_OK;
}

static int enrol(const char *cmd, mid_ctx *ctx, const cli_data *d, mid_store *store,
                 const char *id) {
    mid_device dev;
    memset(&dev, 0, sizeof(dev));
    mid_status st = mid_store_device_get(store, ctx, id, &dev);
    if (st == MID_OK) {
        fprintf(stderr, "mid %s: device %s is enrolled already\n", cmd, id);
        return CLI_EXIT_FAIL;
    }
    if (st != MID_ERR_NOT_FOUND) {
        return cli_fail(cmd, "looking the device up", ctx, st);
    }
    memset(&dev, 0, sizeof(dev));
    snprintf(dev.id, sizeof(dev.id), "%s", id);
    char err[GW_ERR_SIZE] = "";
    st = gw_pki_device_issue(d->dir, id, dev.cert_sha256, dev.serial, err);
    if (st != MID_OK) {
        fprintf(stderr, "mid %s: %s\n", cmd, err);
        return CLI_EXIT_FAIL;
    }
    dev.enrolled_at = (int64_t)time(NULL);
    st = mid_store_device_add(store, ctx, &dev);
    if (st != MID_OK) {
        return cli_fail(cmd, "recording the device", ctx, st);
    }
    char detail[128];
    snprintf(detail, sizeof(detail), "certificate sha256 %s", dev.cert_sha256);
    int rc = cli_audit_admin(cmd, ctx, d, "enrol-device", "device", id, detail);
    if (rc == 0) {
        printf("device %s enrolled: %s/devices/%s.pem (sha256 %s)\n", id, d->dir, id,
               dev.cert_sha256);
    }
    return rc;
}

static int revoke(const char *cmd, mid_ctx *ctx, const cli_data *d, mid_store *store,
                  const char *id) {
    mid_status st = mid_store_device_revoke(store, ctx, id, (int64_t)time(NULL));
    if (st != MID_OK) {
        return cli_fail(cmd, "revoking the device", ctx, st);
    }
    int rc = cli_audit_admin(cmd, ctx, d, "revoke-device", "device", id, NULL);
    if (rc == 0) {
        printf("device %s revoked\n", id);
    }
    return rc;
}

int cli_cmd_device(int argc, char **argv) {
    const char *cmd = "device";
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : 0;
    }
    const char *sub = argv[1];
    bool list = strcmp(sub, "list") == 0;
    if (!list && strcmp(sub, "enrol") != 0 && strcmp(sub, "revoke") != 0) {
        return cli_usage_error(cmd, "unknown subcommand '%s'", sub);
    }
    cli_data d = {0};
    const char *id = NULL;
    for (int i = 2; i < argc; i++) {
        int r = cli_data_option(cmd, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r == 0) {
            if (list || id != NULL || argv[i][0] == '-') {
                return cli_usage_error(cmd, "unexpected argument '%s'", argv[i]);
            }
            id = argv[i];
        }
    }
    if (!list && id == NULL) {
        return cli_usage_error(cmd, "%s needs a device ID", sub);
    }
    if (id != NULL && !gw_device_id_valid(id)) {
        return cli_usage_error(cmd, "device ID must be 1..%u of [A-Za-z0-9._-]",
                               MID_DEVICE_ID_SIZE - 1);
    }
    if (!cli_data_finish(cmd, &d)) {
        return CLI_EXIT_USAGE;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return cli_fail(cmd, "context", NULL, MID_ERR_NOMEM);
    }
    mid_store *store = NULL;
    int rc = CLI_EXIT_FAIL;
    if (cli_admin_open_store(cmd, ctx, &d, &store) == MID_OK) {
        if (list) {
            mid_status st = mid_store_device_each(store, ctx, print_device, NULL);
            rc = st == MID_OK ? 0 : cli_fail(cmd, "listing devices", ctx, st);
        } else if (sub[0] == 'e') {
            rc = enrol(cmd, ctx, &d, store, id);
        } else {
            rc = revoke(cmd, ctx, &d, store, id);
        }
        mid_store_close(store);
    }
    mid_ctx_free(ctx);
    return rc;
}
