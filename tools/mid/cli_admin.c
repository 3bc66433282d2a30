/* Administration helpers shared by the gateway's commands: opening the data
 * directory's store and auditing administrative acts. */
#include "cli.h"

#include "mid/audit.h"
#include "mid/json.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

mid_status cli_admin_open_store(const char *cmd, mid_ctx *ctx, const cli_data *d, mid_store **out) {
    mid_status st = mid_store_open(ctx, d->store, out);
    if (st != MID_OK) {
        cli_fail(cmd, "opening the store", ctx, st);
    }
    return st;
}

void cli_utc_now(char out[CLI_TIME_SIZE]) {
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(out, CLI_TIME_SIZE, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int cli_audit_admin(const char *cmd, mid_ctx *ctx, const cli_data *d, const char *action,
                    const char *target_key, const char *target_value, const char *detail) {
    char path[CLI_PATH_SIZE + 16];
    if (!cli_data_path(cmd, d, "audit.log", path, sizeof(path))) {
        return CLI_EXIT_FAIL;
    }
    /* A transaction id for the act: time, process and clock bits, hashed. */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    char seed[96];
    snprintf(seed, sizeof(seed), "%lld.%ld.%ld", (long long)ts.tv_sec, ts.tv_nsec, (long)getpid());
    uint8_t h[MID_SHA256_SIZE];
    mid_sha256(seed, strlen(seed), h);
    char hex[2 * MID_SHA256_SIZE + 1];
    mid_hex(h, 8, hex);
    char txid[4 + sizeof(hex)];
    snprintf(txid, sizeof(txid), "adm-%s", hex);
    char when[CLI_TIME_SIZE];
    cli_utc_now(when);
    /* Who: the operating-system account that ran the command. */
    const struct passwd *pw = getpwuid(getuid());
    char actor[64];
    snprintf(actor, sizeof(actor), "%s", pw != NULL && pw->pw_name != NULL ? pw->pw_name : "?");

    mid_json_writer *w = NULL;
    mid_status st = mid_json_writer_create(ctx, &w);
    if (st != MID_OK) {
        return cli_fail(cmd, "audit entry", ctx, st);
    }
    mid_json_begin_object(w);
    mid_json_key(w, "time");
    mid_json_string_value(w, when);
    mid_json_key(w, "txid");
    mid_json_string_value(w, txid);
    mid_json_key(w, "action");
    mid_json_string_value(w, action);
    mid_json_key(w, "actor");
    mid_json_string_value(w, actor);
    mid_json_key(w, "remote");
    mid_json_string_value(w, "local");
    mid_json_key(w, "outcome");
    mid_json_string_value(w, "done");
    if (target_key != NULL && target_value != NULL) {
        mid_json_key(w, target_key);
        mid_json_string_value(w, target_value);
    }
    if (detail != NULL) {
        mid_json_key(w, "detail");
        mid_json_string_value(w, detail);
    }
    mid_json_end_object(w);
    char *text = NULL;
    size_t len = 0;
    st = mid_json_writer_finish(w, &text, &len);
    mid_json_writer_free(w);
    if (st != MID_OK) {
        return cli_fail(cmd, "audit entry", ctx, st);
    }
    mid_audit *a = NULL;
    st = mid_audit_open(ctx, path, &a);
    if (st == MID_OK) {
        st = mid_audit_append(a, ctx, text, len, NULL, NULL);
        mid_audit_close(a);
    }
    mid_free(text);
    return st == MID_OK ? 0 : cli_fail(cmd, "appending to the audit log", ctx, st);
}
