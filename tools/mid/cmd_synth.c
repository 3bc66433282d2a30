/*
 * `mid synth <what>`: the synthetic data generators. Each subcommand lives in
 * its own cmd_synth_<what>.c and is listed in the table below.
 */
#include "cli.h"

#include <string.h>

typedef struct synth_subcommand {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
} synth_subcommand;

static const synth_subcommand subcommands[] = {
    {"master", cli_cmd_synth_master, "render a master fingerprint and its minutiae"},
    {"gallery", cli_cmd_synth_gallery, "direct templates of many people into a gallery file"},
    {"people", cli_cmd_synth_people, "synthetic PNC-style person records (CSV or JSON lines)"},
    {"impressions", cli_cmd_synth_impressions, "impressions of one finger and their ground truth"},
    {"set", cli_cmd_synth_set, "an FVC-shaped set FFF_I.png (for mid eval) with ground truth"},
    {NULL, NULL, NULL},
};

int cli_synth_render_option(const char *cmd, int argc, char **argv, int *i,
                            mid_synth_impression_opts *opts, const char **ext) {
    const char *arg = argv[*i], *v;
    if (strcmp(arg, "--profile") == 0) {
        if ((v = cli_option_value(cmd, argc, argv, i)) == NULL) {
            return -1;
        }
        int p = mid_synth_profile_parse(v);
        if (p < 0) {
            cli_usage_error(cmd, "--profile '%s': unknown profile", v);
            return -1;
        }
        opts->profile = (mid_synth_profile)p;
        return 1;
    }
    if (strcmp(arg, "--condition") == 0) {
        if ((v = cli_option_value(cmd, argc, argv, i)) == NULL) {
            return -1;
        }
        int c = mid_synth_condition_parse(v);
        if (c < 0) {
            cli_usage_error(cmd, "--condition '%s': unknown condition", v);
            return -1;
        }
        opts->condition = (mid_synth_condition)c;
        return 1;
    }
    if (strcmp(arg, "--format") == 0) {
        if ((v = cli_option_value(cmd, argc, argv, i)) == NULL) {
            return -1;
        }
        static const char *const formats[] = {"png", "pgm", "wsq"};
        for (size_t k = 0; k < sizeof(formats) / sizeof(formats[0]); k++) {
            if (strcmp(v, formats[k]) == 0) {
                *ext = formats[k];
                return 1;
            }
        }
        cli_usage_error(cmd, "--format '%s': expected png, pgm or wsq", v);
        return -1;
    }
    return 0;
}

static void print_help(FILE *f) {
    fprintf(f, "usage: mid synth <what> [options]\n\n");
    for (const synth_subcommand *c = subcommands; c->name != NULL; c++) {
        fprintf(f, "  %-12s %s\n", c->name, c->summary);
    }
    fprintf(f, "\n'mid synth <what> --help' describes its options.\n");
}

int cli_cmd_synth(int argc, char **argv) {
    if (argc < 2) {
        print_help(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_help(stdout);
        return 0;
    }
    for (const synth_subcommand *c = subcommands; c->name != NULL; c++) {
        if (strcmp(argv[1], c->name) == 0) {
            return c->run(argc - 1, argv + 1);
        }
    }
    return cli_usage_error("synth", "unknown generator '%s'", argv[1]);
}
