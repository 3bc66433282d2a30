/* mid synth people: stream synthetic PNC-style person records as CSV or JSON lines. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "synth people";

/* Output is gathered in a large buffer and written in big blocks. */
#define OUT_BUFFER (1u << 20)

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid synth people --count N [--seed S] [--start K] [--format csv|jsonl] "
            "[-o FILE]\n"
            "\n"
            "Writes the records of persons K .. K+N-1 of the synthetic population of seed S.\n"
            "Person p is the person whose finger masters 'mid synth master' draws for p.\n"
            "  --count N     number of records (at most %u in all)\n"
            "  --seed S      population seed (default 1)\n"
            "  --start K     first person number (default 0)\n"
            "  --format F    csv (RFC 4180, with a header line; the default) or jsonl\n"
            "  -o FILE       output file (default: standard output)\n",
            MID_SYNTH_MAX_PERSONS);
}

static bool write_block(FILE *f, const char *buf, size_t n, const char *path) {
    if (n > 0 && fwrite(buf, 1, n, f) != n) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return false;
    }
    return true;
}

int cli_cmd_synth_people(int argc, char **argv) {
    uint64_t seed = 1, start = 0, count = 0;
    const char *out_path = NULL;
    mid_person_format format = MID_PERSON_CSV;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--start") == 0 || strcmp(a, "--count") == 0 ||
            strcmp(a, "--format") == 0 || strcmp(a, "-o") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
            if (strcmp(a, "-o") == 0) {
                out_path = v;
            } else if (strcmp(a, "--format") == 0) {
                if (strcmp(v, "csv") == 0) {
                    format = MID_PERSON_CSV;
                } else if (strcmp(v, "jsonl") == 0) {
                    format = MID_PERSON_JSONL;
                } else {
                    return cli_usage_error(CMD, "--format '%s': expected csv or jsonl", v);
                }
            } else if (!cli_parse_u64(CMD, a, v,
                                      strcmp(a, "--seed") == 0    ? &seed
                                      : strcmp(a, "--start") == 0 ? &start
                                                                  : &count)) {
                return CLI_EXIT_USAGE;
            }
            continue;
        }
        return cli_usage_error(CMD, "unexpected argument '%s'", a);
    }
    if (count == 0) {
        return cli_usage_error(CMD, "--count N is required (N >= 1)");
    }
    if (start >= MID_SYNTH_MAX_PERSONS || count > MID_SYNTH_MAX_PERSONS - start) {
        return cli_usage_error(CMD, "persons %llu + %llu exceed the population size %u",
                               (unsigned long long)start, (unsigned long long)count,
                               MID_SYNTH_MAX_PERSONS);
    }

    bool to_stdout = out_path == NULL || strcmp(out_path, "-") == 0;
    const char *shown = to_stdout ? "(stdout)" : out_path;
    FILE *f = to_stdout ? stdout : fopen(out_path, "wb");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot open '%s': %s\n", CMD, out_path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    mid_ctx *ctx = NULL;
    char *buf = malloc(OUT_BUFFER);
    if (buf == NULL || mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        free(buf);
        if (!to_stdout) {
            fclose(f);
        }
        return CLI_EXIT_FAIL;
    }
    int rc = 0;
    const char *header = mid_person_header(format);
    size_t used = strlen(header);
    memcpy(buf, header, used);
    for (uint64_t p = start; p < start + count; p++) {
        if (OUT_BUFFER - used < MID_PERSON_FORMAT_MAX) {
            if (!write_block(f, buf, used, shown)) {
                rc = CLI_EXIT_FAIL;
                break;
            }
            used = 0;
        }
        mid_person rec;
        /* No mid_synth handle: a record needs no scratch memory. */
        mid_status st = mid_synth_person(NULL, seed, p, &rec);
        if (st != MID_OK) {
            rc = cli_fail(CMD, "cannot generate record", ctx, st);
            break;
        }
        size_t n = mid_person_write(&rec, format, buf + used, OUT_BUFFER - used);
        if (n == 0) {
            fprintf(stderr, "mid %s: record %llu does not fit the output buffer\n", CMD,
                    (unsigned long long)p);
            rc = CLI_EXIT_FAIL;
            break;
        }
        used += n;
    }
    if (rc == 0 && !write_block(f, buf, used, shown)) {
        rc = CLI_EXIT_FAIL;
    }
    if (fflush(f) != 0 && rc == 0) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, shown, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    if (!to_stdout && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, shown, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    free(buf);
    mid_ctx_free(ctx);
    return rc;
}
