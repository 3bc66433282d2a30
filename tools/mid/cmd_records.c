/*
 * `mid records`: person records in the data directory's store.
 *
 *   mid records import FILE.jsonl   one record per line, all in one transaction
 *   mid records get ID              prints the record's JSON
 *   mid records delete ID           deletes the record and its gallery prints (audited)
 *   mid records count               records and prints per gallery
 *
 * Every subcommand takes --data DIR and --store URI (cli_data_option).
 */
#include "cli.h"

#include "mid/store.h"

#include <stdlib.h>
#include <string.h>

#define CMD "records"

static void usage(FILE *f) {
    fprintf(f, "usage: mid records import FILE.jsonl [--data DIR] [--store URI]\n"
               "       mid records get ID [--data DIR] [--store URI]\n"
               "       mid records delete ID [--data DIR] [--store URI]\n"
               "       mid records count [--data DIR] [--store URI]\n"
               "\n"
               "import: one JSON person record per line (as `mid synth people --format jsonl`\n"
               "writes), all in one transaction: a bad line stores nothing and names its\n"
               "line number. delete: removes the record and its prints in every gallery and\n"
               "appends the deletion to DIR/audit.log.\n");
}

static int do_import(mid_ctx *ctx, mid_store *st, const char *path, const cli_data *d) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot open %s\n", CMD, path);
        return CLI_EXIT_FAIL;
    }
    double t0 = cli_now();
    mid_status s = mid_store_begin(st, ctx);
    if (s != MID_OK) {
        fclose(f);
        return cli_fail(CMD, "starting the import", ctx, s);
    }
    char *line = NULL;
    size_t cap = 0;
    uint64_t lineno = 0, count = 0;
    while (s == MID_OK && cli_read_line(f, &line, &cap)) {
        lineno++;
        size_t n = strlen(line);
        if (n == 0) {
            continue; /* blank lines (a trailing newline) carry nothing */
        }
        s = mid_store_person_put(st, ctx, line, n);
        count += s == MID_OK;
    }
    bool read_error = ferror(f) != 0;
    free(line);
    fclose(f);
    if (s != MID_OK) {
        char what[64];
        snprintf(what, sizeof(what), "line %llu", (unsigned long long)lineno);
        (void)mid_store_rollback(st, NULL);
        return cli_fail(CMD, what, ctx, s);
    }
    if (read_error) {
        (void)mid_store_rollback(st, NULL);
        fprintf(stderr, "mid %s: reading %s failed; nothing imported\n", CMD, path);
        return CLI_EXIT_FAIL;
    }
    s = mid_store_commit(st, ctx);
    if (s != MID_OK) {
        return cli_fail(CMD, "committing the import", ctx, s);
    }
    double secs = cli_now() - t0;
    char detail[64];
    snprintf(detail, sizeof(detail), "%llu person records imported", (unsigned long long)count);
    if (cli_audit_admin(CMD, ctx, d, "import", NULL, NULL, detail) != 0) {
        return CLI_EXIT_FAIL;
    }
    printf("imported %llu records into %s in %.2f s (%.0f records/s)\n", (unsigned long long)count,
           mid_store_backend(st), secs, secs > 0 ? (double)count / secs : 0.0);
    return 0;
}

/* A consultation of personal data (Data Protection Act 2018 s.62): it is audited
 * before the record is shown, and not shown when it cannot be audited. */
static int do_get(mid_ctx *ctx, mid_store *st, uint64_t id, const cli_data *d) {
    char *json = NULL;
    mid_status s = mid_store_person_get(st, ctx, id, &json);
    if (s != MID_OK) {
        return cli_fail(CMD, "get", ctx, s);
    }
    char ids[24];
    snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);
    int rc = cli_audit_admin(CMD, ctx, d, "consult", "person", ids, "record shown to the operator");
    if (rc == 0) {
        printf("%s\n", json);
    }
    mid_wipe(json, strlen(json));
    mid_free(json);
    return rc != 0 ? CLI_EXIT_FAIL : 0;
}

static int do_delete(mid_ctx *ctx, mid_store *st, uint64_t id, const cli_data *d) {
    mid_status s = mid_store_person_delete(st, ctx, id);
    if (s != MID_OK) {
        return cli_fail(CMD, "delete", ctx, s);
    }
    char ids[24];
    snprintf(ids, sizeof(ids), "%llu", (unsigned long long)id);
    if (cli_audit_admin(CMD, ctx, d, "delete", "person", ids,
                        "record and gallery prints deleted") != 0) {
        return CLI_EXIT_FAIL;
    }
    printf("deleted person %s\n", ids);
    return 0;
}

static int do_count(mid_ctx *ctx, mid_store *st) {
    uint64_t people = 0;
    mid_status s = mid_store_person_count(st, ctx, &people);
    if (s != MID_OK) {
        return cli_fail(CMD, "count", ctx, s);
    }
    printf("records %llu\n", (unsigned long long)people);
    for (int db = 0; db < (int)MID_DB_COUNT; db++) {
        uint64_t prints = 0, persons = 0;
        s = mid_store_print_count(st, ctx, (mid_db)db, &prints, &persons);
        if (s != MID_OK) {
            return cli_fail(CMD, "count", ctx, s);
        }
        printf("%s prints %llu persons %llu\n", mid_db_name((mid_db)db), (unsigned long long)prints,
               (unsigned long long)persons);
    }
    return 0;
}

int cli_cmd_records(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
        usage(stdout);
        return 0;
    }
    cli_data d;
    memset(&d, 0, sizeof(d));
    const char *operand = NULL;
    for (int i = 2; i < argc; i++) {
        int r = cli_data_option(CMD, argc, argv, &i, &d);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        if (strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        }
        if (argv[i][0] == '-' || operand != NULL) {
            return cli_usage_error(CMD, "unexpected argument '%s'", argv[i]);
        }
        operand = argv[i];
    }
    bool needs_operand = strcmp(sub, "count") != 0;
    if (strcmp(sub, "import") != 0 && strcmp(sub, "get") != 0 && strcmp(sub, "delete") != 0 &&
        needs_operand) {
        return cli_usage_error(CMD, "unknown subcommand '%s'", sub);
    }
    if (needs_operand && operand == NULL) {
        return cli_usage_error(CMD, "%s needs %s", sub,
                               strcmp(sub, "import") == 0 ? "a FILE" : "a person ID");
    }
    if (!needs_operand && operand != NULL) {
        return cli_usage_error(CMD, "count takes no operand");
    }
    uint64_t id = 0;
    if (needs_operand && strcmp(sub, "import") != 0 && !cli_parse_u64(CMD, "ID", operand, &id)) {
        return CLI_EXIT_USAGE;
    }
    if (!cli_data_finish(CMD, &d)) {
        return CLI_EXIT_USAGE;
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_store *st = NULL;
    int rc = CLI_EXIT_FAIL;
    if (cli_admin_open_store(CMD, ctx, &d, &st) == MID_OK) {
        if (strcmp(sub, "import") == 0) {
            rc = do_import(ctx, st, operand, &d);
        } else if (strcmp(sub, "get") == 0) {
            rc = do_get(ctx, st, id, &d);
        } else if (strcmp(sub, "delete") == 0) {
            rc = do_delete(ctx, st, id, &d);
        } else {
            rc = do_count(ctx, st);
        }
        mid_store_close(st);
    }
    mid_ctx_free(ctx);
    return rc;
}
