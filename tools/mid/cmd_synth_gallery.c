/* mid synth gallery: a gallery file of directly generated templates (mid/gallery.h). */
#include "cli.h"
#include "mid/gallery.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "synth gallery";

static void usage(FILE *f) {
    fprintf(f, "usage: mid synth gallery --seed S --people N [--start K] [--fingers 2,7]\n"
               "                          [--impression K] -o FILE\n"
               "\n"
               "Writes the templates of people K .. K+N-1 (the given finger positions of\n"
               "each, impression K of each finger), generated directly from the minutiae\n"
               "model without rendering, into a gallery file (\"-\" for standard output).\n"
               "  --seed S        the synthetic world's seed (0 .. 2^64-1)\n"
               "  --people N      number of people\n"
               "  --start K       first person id (default 0)\n"
               "  --fingers LIST  comma-separated finger positions 1..10 (default 2,7: the\n"
               "                  right and left index fingers)\n"
               "  --impression K  impression number of every template (default 1)\n"
               "  -o FILE         output gallery\n");
}

/* Parses "2,7" into fingers[]; returns the count, 0 after a usage error. */
static size_t parse_fingers(const char *text, unsigned fingers[10]) {
    size_t n = 0;
    const char *p = text;
    for (;;) {
        char *end = NULL;
        long v = (*p >= '0' && *p <= '9') ? strtol(p, &end, 10) : -1;
        if (v < 1 || v > 10 || n == 10 || (*end != ',' && *end != '\0')) {
            cli_usage_error(CMD, "--fingers '%s': expected up to 10 positions 1..10, e.g. 2,7",
                            text);
            return 0;
        }
        fingers[n++] = (unsigned)v;
        if (*end == '\0') {
            return n;
        }
        p = end + 1;
    }
}

int cli_cmd_synth_gallery(int argc, char **argv) {
    uint64_t seed = 0, start = 0, people = 0, impression = 1;
    bool have_seed = false;
    unsigned fingers[10] = {2, 7};
    size_t nfingers = 2;
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        const char *v = NULL;
        if (strcmp(a, "--seed") == 0 || strcmp(a, "--people") == 0 || strcmp(a, "--start") == 0 ||
            strcmp(a, "--fingers") == 0 || strcmp(a, "--impression") == 0 || strcmp(a, "-o") == 0) {
            v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a);
        }
        bool ok = true;
        if (strcmp(a, "--seed") == 0) {
            ok = cli_parse_u64(CMD, a, v, &seed);
            have_seed = true;
        } else if (strcmp(a, "--people") == 0) {
            ok = cli_parse_u64(CMD, a, v, &people);
        } else if (strcmp(a, "--start") == 0) {
            ok = cli_parse_u64(CMD, a, v, &start);
        } else if (strcmp(a, "--impression") == 0) {
            ok = cli_parse_u64(CMD, a, v, &impression);
            if (ok && impression > UINT32_MAX) {
                return cli_usage_error(CMD, "--impression '%s': at most %u", v, UINT32_MAX);
            }
        } else if (strcmp(a, "--fingers") == 0) {
            nfingers = parse_fingers(v, fingers);
            ok = nfingers > 0;
        } else {
            out = v;
        }
        if (!ok) {
            return CLI_EXIT_USAGE;
        }
    }
    if (!have_seed || people == 0 || out == NULL) {
        return cli_usage_error(CMD, "--seed, a positive --people and -o are required");
    }
    if (start + people < start) {
        return cli_usage_error(CMD, "--start + --people overflows the 64-bit person id");
    }
    if (people > MID_MAX_GALLERY_RECORDS / nfingers) {
        return cli_usage_error(CMD,
                               "%llu people x %zu fingers exceed the gallery limit of %llu "
                               "records",
                               (unsigned long long)people, nfingers,
                               (unsigned long long)MID_MAX_GALLERY_RECORDS);
    }

    bool to_stdout = strcmp(out, "-") == 0;
    FILE *f = to_stdout ? stdout : fopen(out, "wb");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot create '%s': %s\n", CMD, out, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    static char buffer[1 << 20];
    setvbuf(f, buffer, _IOFBF, sizeof buffer);

    mid_ctx *ctx = NULL;
    mid_synth *s = NULL;
    mid_gallery_writer *w = NULL;
    mid_status st = mid_ctx_create(&ctx);
    if (st == MID_OK) {
        st = mid_synth_create(ctx, &s);
    }
    if (st == MID_OK) {
        st = mid_gallery_writer_open(ctx, f, people * nfingers, &w);
    }
    const char *what = "cannot start the gallery";
    double t0 = cli_now();
    size_t minutiae = 0;
    for (uint64_t p = start; st == MID_OK && p < start + people; p++) {
        for (size_t k = 0; st == MID_OK && k < nfingers; k++) {
            mid_template *t = NULL;
            st = mid_synth_template(s, seed, p, fingers[k], (uint32_t)impression, &t);
            what = "template generation failed";
            if (st == MID_OK) {
                mid_gallery_record rec = {p, (uint8_t)fingers[k], (uint32_t)impression};
                minutiae += mid_template_count(t);
                st = mid_gallery_writer_append(w, &rec, t);
                what = "cannot write the gallery";
            }
            mid_template_free(t);
        }
    }
    if (w != NULL) {
        mid_status cst = mid_gallery_writer_close(w);
        if (st == MID_OK && cst != MID_OK) {
            st = cst;
            what = "cannot finish the gallery";
        }
    }
    int rc = 0;
    if (st != MID_OK) {
        rc = cli_fail(CMD, what, ctx, st);
    }
    if (!to_stdout && fclose(f) != 0 && rc == 0) {
        fprintf(stderr, "mid %s: cannot close '%s': %s\n", CMD, out, strerror(errno));
        rc = CLI_EXIT_FAIL;
    } else if (to_stdout && fflush(f) != 0 && rc == 0) {
        fprintf(stderr, "mid %s: cannot write to standard output: %s\n", CMD, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    if (rc == 0) {
        double dt = cli_now() - t0;
        double n = (double)people * (double)nfingers;
        fprintf(to_stdout ? stderr : stdout,
                "wrote %.0f templates (%llu people x %zu fingers, mean %.1f minutiae) to %s in "
                "%.1f s (%.0f templates/s)\n",
                n, (unsigned long long)people, nfingers, (double)minutiae / n, out, dt,
                dt > 0 ? n / dt : 0.0);
    }
    mid_synth_free(s);
    mid_ctx_free(ctx);
    if (rc != 0 && !to_stdout) {
        remove(out); /* no half-written gallery left behind */
    }
    return rc;
}
