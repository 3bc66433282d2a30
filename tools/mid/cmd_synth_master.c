/* mid synth master: render the master print of (seed, person, finger) and its
 * ground-truth minutiae. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "synth master";

static void usage(FILE *f) {
    fprintf(f, "usage: mid synth master [--seed S] [--person P] [--finger F] -o MASTER.png\n"
               "                        [--minutiae OUT.tmpl] [--format native|iso|ansi]\n"
               "\n"
               "Renders the synthetic master fingerprint (the whole fingertip at 500 ppi) of\n"
               "one identity and prints its pattern class and minutiae count. The output is\n"
               "a pure function of (seed, person, finger).\n"
               "  --seed S       64-bit population seed (default 1)\n"
               "  --person P     person number (default 0)\n"
               "  --finger F     finger position 1..10 (1 right thumb .. 10 left little;\n"
               "                 default 2, right index)\n"
               "  -o MASTER.png  output image\n"
               "  --minutiae T   also write the ground-truth minutiae template\n"
               "  --format F     its format: native (default), iso, ansi\n");
}

int cli_cmd_synth_master(int argc, char **argv) {
    uint64_t seed = 1, person = 0, finger = 2;
    mid_template_format format = MID_TEMPLATE_NATIVE;
    const char *out = NULL, *tmpl = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        uint64_t *num = strcmp(arg, "--seed") == 0     ? &seed
                        : strcmp(arg, "--person") == 0 ? &person
                        : strcmp(arg, "--finger") == 0 ? &finger
                                                       : NULL;
        if (num != NULL) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !cli_parse_u64(CMD, arg, v, num)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--format") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !cli_parse_format(CMD, v, &format)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if ((out = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--minutiae") == 0) {
            if ((tmpl = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", arg);
        }
    }
    if (out == NULL) {
        return cli_usage_error(CMD, "need -o MASTER.png");
    }
    if (finger < 1 || finger > 10) {
        return cli_usage_error(CMD, "--finger %" PRIu64 ": expected 1..10", finger);
    }

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_synth *s = NULL;
    mid_synth_master *m = NULL;
    int rc = 0;
    double t0 = cli_now();
    mid_status st = mid_synth_create(ctx, &s);
    if (st == MID_OK) {
        st = mid_synth_master_create(s, seed, person, (unsigned)finger, &m);
    }
    double t1 = cli_now();
    if (st != MID_OK) {
        rc = cli_fail(CMD, "cannot create the master", ctx, st);
    } else if ((st = mid_image_save_png(ctx, mid_synth_master_image(m), out)) != MID_OK) {
        rc = cli_fail(CMD, "cannot write the image", ctx, st);
    } else if (tmpl != NULL && (st = mid_template_save(ctx, mid_synth_master_minutiae(m), format,
                                                       tmpl)) != MID_OK) {
        rc = cli_fail(CMD, "cannot write the minutiae", ctx, st);
    } else {
        const mid_image *img = mid_synth_master_image(m);
        printf("seed %" PRIu64 " person %" PRIu64 " finger %" PRIu64
               ": class %s, %zu minutiae, %ux%u px, %.0f ms\n",
               seed, person, finger, mid_finger_class_name(mid_synth_master_class(m)),
               mid_template_count(mid_synth_master_minutiae(m)), mid_image_width(img),
               mid_image_height(img), (t1 - t0) * 1000.0);
    }
    mid_synth_master_free(m);
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return rc;
}
