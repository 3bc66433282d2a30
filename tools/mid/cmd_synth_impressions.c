/* mid synth impressions: K rendered impressions of one synthetic finger, each with
 * its ground-truth minutiae. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const CMD = "synth impressions";

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid synth impressions [--seed S] [--person P] [--finger F] [--count K]\n"
            "                             [--first K0] [--profile P] [--condition C]\n"
            "                             [--format png|pgm|wsq] [--truth-format native|iso|ansi]\n"
            "                             --out DIR\n"
            "\n"
            "Renders impressions K0 .. K0+K-1 of the master of (seed, person, finger) and\n"
            "writes DIR/<k>.png (or .pgm, .wsq), 500 ppi, and DIR/<k>.tmpl, the master's minutiae\n"
            "under the same transform that are visible in the impression (ground truth).\n"
            "Every file is a pure function of the options.\n"
            "  --seed S        64-bit population seed (default 1)\n"
            "  --person P      person number (default 0)\n"
            "  --finger F      finger position 1..10 (default 2, right index)\n"
            "  --count K       number of impressions (default 8)\n"
            "  --first K0      number of the first impression (default 1)\n"
            "  --profile P     optical (388x374, default), small-sensor (256x256),\n"
            "                  mobile-fap45 (400x750)\n"
            "  --condition C   random (default: mostly normal), normal, dry, wet,\n"
            "                  distorted, small-area\n"
            "  --format F      image format: png (default), pgm or wsq (0.75 bpp)\n"
            "  --truth-format F  template format: native (default), iso, ansi\n"
            "  --out DIR       output folder (created if missing)\n");
}

int cli_cmd_synth_impressions(int argc, char **argv) {
    uint64_t seed = 1, person = 0, finger = 2, count = 8, first = 1;
    mid_synth_impression_opts opts = {MID_PROFILE_OPTICAL, MID_CONDITION_RANDOM, 0, 0};
    mid_template_format tformat = MID_TEMPLATE_NATIVE;
    const char *ext = "png";
    const char *out = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        int r = cli_synth_render_option(CMD, argc, argv, &i, &opts, &ext);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        uint64_t *num = strcmp(arg, "--seed") == 0     ? &seed
                        : strcmp(arg, "--person") == 0 ? &person
                        : strcmp(arg, "--finger") == 0 ? &finger
                        : strcmp(arg, "--count") == 0  ? &count
                        : strcmp(arg, "--first") == 0  ? &first
                                                       : NULL;
        const char *v = NULL;
        if (num != NULL) {
            if ((v = cli_option_value(CMD, argc, argv, &i)) == NULL ||
                !cli_parse_u64(CMD, arg, v, num)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--truth-format") == 0) {
            if ((v = cli_option_value(CMD, argc, argv, &i)) == NULL ||
                !cli_parse_format(CMD, v, &tformat)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--out") == 0 || strcmp(arg, "-o") == 0) {
            if ((out = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", arg);
        }
    }
    if (out == NULL) {
        return cli_usage_error(CMD, "need --out DIR");
    }
    if (finger < 1 || finger > 10) {
        return cli_usage_error(CMD, "--finger %" PRIu64 ": expected 1..10", finger);
    }
    if (count < 1 || first < 1 || first > UINT32_MAX || count > UINT32_MAX - first + 1) {
        return cli_usage_error(CMD, "--first/--count: impressions are numbered 1..%" PRIu32,
                               UINT32_MAX);
    }
    if (mkdir(out, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mid %s: cannot create '%s': %s\n", CMD, out, strerror(errno));
        return CLI_EXIT_FAIL;
    }

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_synth *s = NULL;
    mid_synth_master *m = NULL;
    int rc = 0;
    mid_status st = mid_synth_create(ctx, &s);
    if (st == MID_OK) {
        st = mid_synth_master_create(s, seed, person, (unsigned)finger, &m);
    }
    if (st != MID_OK) {
        rc = cli_fail(CMD, "cannot create the master", ctx, st);
    }
    char path[4096];
    for (uint64_t k = first; rc == 0 && k < first + count; k++) {
        mid_image *img = NULL;
        mid_template *truth = NULL;
        st = mid_synth_impression(s, m, (uint32_t)k, &opts, &img, &truth);
        if (st != MID_OK) {
            rc = cli_fail(CMD, "cannot render the impression", ctx, st);
            break;
        }
        snprintf(path, sizeof(path), "%s/%" PRIu64 ".%s", out, k, ext);
        rc = cli_save_image(CMD, ctx, img, path, -1.0);
        if (rc == 0) {
            snprintf(path, sizeof(path), "%s/%" PRIu64 ".tmpl", out, k);
            st = mid_template_save(ctx, truth, tformat, path);
            if (st != MID_OK) {
                rc = cli_fail(CMD, "cannot write the truth template", ctx, st);
            } else {
                mid_synth_condition c =
                    mid_synth_impression_condition(m, (uint32_t)k, opts.condition);
                printf("%" PRIu64 ": %ux%u %s, %s, %zu truth minutiae\n", k, mid_image_width(img),
                       mid_image_height(img), mid_synth_profile_name(opts.profile),
                       mid_synth_condition_name(c), mid_template_count(truth));
            }
        }
        mid_image_free(img);
        mid_template_free(truth);
    }
    mid_synth_master_free(m);
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return rc;
}
