/* mid synth set: an FVC-shaped set of synthetic impressions, DIR/FFF_I.png, that
 * `mid eval DIR` reads, with the ground truth under DIR/truth/. */
#include "cli.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const CMD = "synth set";

static void usage(FILE *f) {
    fprintf(f, "usage: mid synth set [--seed S] [--fingers N] [--impressions K] [--profile P]\n"
               "                     [--condition C] [--format png|pgm|wsq] [--first-person P0]\n"
               "                     --out DIR\n"
               "\n"
               "Writes an FVC-shaped set: DIR/FFF_I.png for fingers FFF = 101 .. 100+N and\n"
               "impressions I = 1 .. K (the layout `mid eval DIR` reads), and under DIR/truth/\n"
               "the ground-truth minutiae FFF_I.tmpl (native) and index.tsv (file, person,\n"
               "finger position, impression, class, condition, truth minutiae).\n"
               "Finger FFF is person P0 + (FFF - 101) / 2, right index (position 2) when\n"
               "FFF - 101 is even and left index (7) when odd: the two index fingers of\n"
               "N/2 people, as in a two-finger mobile capture.\n"
               "  --seed S          64-bit population seed (default 1)\n"
               "  --fingers N       number of fingers (default 10, at most 899)\n"
               "  --impressions K   impressions per finger (default 8, at most 99)\n"
               "  --profile P       optical (default), small-sensor, mobile-fap45\n"
               "  --condition C     random (default: mostly normal), normal, dry, wet,\n"
               "                    distorted, small-area\n"
               "  --format F        png (default), pgm or wsq (FBI WSQ at 0.75 bpp)\n"
               "  --first-person P0 first person number (default 0)\n"
               "  --out DIR         output folder (created if missing)\n");
}

static int make_dir(const char *path) {
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mid %s: cannot create '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* Renders and writes every impression of one finger. */
static int write_finger(mid_ctx *ctx, mid_synth *s, FILE *index, const char *out, uint64_t seed,
                        uint64_t person, unsigned position, unsigned fff, unsigned nimp,
                        const mid_synth_impression_opts *opts, const char *ext, size_t *ntruth) {
    mid_synth_master *m = NULL;
    mid_status st = mid_synth_master_create(s, seed, person, position, &m);
    if (st != MID_OK) {
        return cli_fail(CMD, "cannot create a master", ctx, st);
    }
    char path[4096];
    int rc = 0;
    for (unsigned k = 1; rc == 0 && k <= nimp; k++) {
        mid_image *img = NULL;
        mid_template *truth = NULL;
        st = mid_synth_impression(s, m, k, opts, &img, &truth);
        if (st != MID_OK) {
            rc = cli_fail(CMD, "cannot render an impression", ctx, st);
            break;
        }
        snprintf(path, sizeof(path), "%s/%u_%u.%s", out, fff, k, ext);
        rc = cli_save_image(CMD, ctx, img, path, -1.0);
        if (rc == 0) {
            snprintf(path, sizeof(path), "%s/truth/%u_%u.tmpl", out, fff, k);
            st = mid_template_save(ctx, truth, MID_TEMPLATE_NATIVE, path);
            if (st != MID_OK) {
                rc = cli_fail(CMD, "cannot write a truth template", ctx, st);
            } else {
                mid_synth_condition c = mid_synth_impression_condition(m, k, opts->condition);
                fprintf(index, "%u_%u.%s\t%" PRIu64 "\t%u\t%u\t%s\t%s\t%zu\n", fff, k, ext, person,
                        position, k, mid_finger_class_name(mid_synth_master_class(m)),
                        mid_synth_condition_name(c), mid_template_count(truth));
                *ntruth += mid_template_count(truth);
            }
        }
        mid_image_free(img);
        mid_template_free(truth);
    }
    mid_synth_master_free(m);
    return rc;
}

int cli_cmd_synth_set(int argc, char **argv) {
    uint64_t seed = 1, fingers = 10, impressions = 8, first_person = 0;
    mid_synth_impression_opts opts = {MID_PROFILE_OPTICAL, MID_CONDITION_RANDOM, 0, 0};
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
        uint64_t *num = strcmp(arg, "--seed") == 0           ? &seed
                        : strcmp(arg, "--fingers") == 0      ? &fingers
                        : strcmp(arg, "--impressions") == 0  ? &impressions
                        : strcmp(arg, "--first-person") == 0 ? &first_person
                                                             : NULL;
        const char *v = NULL;
        if (num != NULL) {
            if ((v = cli_option_value(CMD, argc, argv, &i)) == NULL ||
                !cli_parse_u64(CMD, arg, v, num)) {
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
    /* Three-digit finger numbers (101..999) and one- or two-digit impressions. */
    if (fingers < 1 || fingers > 899) {
        return cli_usage_error(CMD, "--fingers %" PRIu64 ": expected 1..899", fingers);
    }
    if (impressions < 1 || impressions > 99) {
        return cli_usage_error(CMD, "--impressions %" PRIu64 ": expected 1..99", impressions);
    }
    if (first_person > UINT64_MAX - fingers) {
        return cli_usage_error(CMD, "--first-person: too large");
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/truth", out);
    if (make_dir(out) != 0 || make_dir(path) != 0) {
        return CLI_EXIT_FAIL;
    }
    snprintf(path, sizeof(path), "%s/truth/index.tsv", out);
    FILE *index = fopen(path, "w");
    if (index == NULL) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    fprintf(index, "file\tperson\tfinger\timpression\tclass\tcondition\ttruth_minutiae\n");

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fclose(index);
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_synth *s = NULL;
    int rc = 0;
    mid_status st = mid_synth_create(ctx, &s);
    if (st != MID_OK) {
        rc = cli_fail(CMD, "cannot create the generator", ctx, st);
    }
    double t0 = cli_now();
    size_t ntruth = 0;
    for (unsigned i = 0; rc == 0 && i < (unsigned)fingers; i++) {
        uint64_t person = first_person + i / 2;
        unsigned position = i % 2 == 0 ? 2 : 7;
        rc = write_finger(ctx, s, index, out, seed, person, position, 101 + i,
                          (unsigned)impressions, &opts, ext, &ntruth);
    }
    if (fclose(index) != 0 && rc == 0) {
        fprintf(stderr, "mid %s: cannot write the index: %s\n", CMD, strerror(errno));
        rc = CLI_EXIT_FAIL;
    }
    if (rc == 0) {
        double n = (double)(fingers * impressions);
        printf("%s: %" PRIu64 " fingers x %" PRIu64 " impressions (%s, %s), seed %" PRIu64
               ", mean %.1f truth minutiae, %.2f s\n",
               out, fingers, impressions, mid_synth_profile_name(opts.profile),
               mid_synth_condition_name(opts.condition), seed, (double)ntruth / n, cli_now() - t0);
    }
    mid_synth_free(s);
    mid_ctx_free(ctx);
    return rc;
}
