/* mid extract: image -> minutiae template, one file or a list. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "extract";

static void usage(FILE *f) {
    fprintf(f, "usage: mid extract [--ppi N] [--size WxH] [--format native|iso|ansi] IMAGE -o "
               "TEMPLATE\n"
               "       mid extract --list FILE [--ppi N] [--size WxH] [--format F]\n"
               "\n"
               "Extracts the minutiae of a fingerprint image into a template file.\n"
               "  --ppi N      scan resolution, overriding the file's (default: the file's, or "
               "500)\n"
               "  --size WxH   dimensions of headerless 8-bit raw images\n"
               "  --format F   template format: native (default), iso (ISO/IEC 19794-2:2005),\n"
               "               ansi (ANSI INCITS 378-2004)\n"
               "  -o TEMPLATE  output file\n"
               "  --list FILE  batch mode: each line is IMAGE<TAB>TEMPLATE; failures are\n"
               "               reported per line and the batch goes on (exit 1 if any failed)\n");
}

/* Loads, extracts and saves one image. Reports a failure (prefixed with where, for
 * batch lines) and returns false. */
static bool extract_one(mid_ctx *ctx, mid_extractor *ex, const cli_image_opts *opts,
                        mid_template_format format, const char *image, const char *out,
                        const char *where) {
    char what[512];
    mid_image *img = NULL;
    mid_status st = cli_load_image(ctx, image, opts, &img);
    if (st != MID_OK) {
        snprintf(what, sizeof(what), "%scannot read image '%s'", where, image);
        cli_fail(CMD, what, ctx, st);
        return false;
    }
    mid_template *t = NULL;
    st = mid_extract(ex, img, &t);
    mid_image_free(img);
    if (st != MID_OK) {
        snprintf(what, sizeof(what), "%sextraction failed for '%s'", where, image);
        cli_fail(CMD, what, ctx, st);
        return false;
    }
    st = mid_template_save(ctx, t, format, out);
    mid_template_free(t);
    if (st != MID_OK) {
        snprintf(what, sizeof(what), "%scannot write template '%s'", where, out);
        cli_fail(CMD, what, ctx, st);
        return false;
    }
    return true;
}

static int run_list(mid_ctx *ctx, mid_extractor *ex, const cli_image_opts *opts,
                    mid_template_format format, const char *list) {
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot open list '%s': %s\n", CMD, list, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    char *line = NULL;
    size_t cap = 0, lineno = 0, done = 0, failed = 0;
    while (cli_read_line(f, &line, &cap)) {
        lineno++;
        char where[64];
        snprintf(where, sizeof(where), "%s:%zu: ", list, lineno);
        char *image, *out;
        if (line[0] == '\0' || line[0] == '#') {
            continue; /* blank lines and comments carry no job */
        }
        if (!cli_split_pair(line, &image, &out)) {
            fprintf(stderr, "mid %s: %sexpected IMAGE<TAB>TEMPLATE\n", CMD, where);
            failed++;
            continue;
        }
        if (extract_one(ctx, ex, opts, format, image, out, where)) {
            done++;
        } else {
            failed++;
        }
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
    printf("extracted %zu of %zu images, %zu failed\n", done, done + failed, failed);
    return failed ? CLI_EXIT_FAIL : 0;
}

int cli_cmd_extract(int argc, char **argv) {
    cli_image_opts opts = {0, 0, 0};
    mid_template_format format = MID_TEMPLATE_NATIVE;
    const char *list = NULL, *out = NULL, *image = NULL;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int r = cli_image_option(CMD, argc, argv, &i, &opts);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--format") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !cli_parse_format(CMD, v, &format)) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if ((out = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--list") == 0) {
            if ((list = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", arg);
        } else if (image == NULL) {
            image = arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", arg);
        }
    }
    if (list != NULL && (image != NULL || out != NULL)) {
        return cli_usage_error(CMD, "--list takes no IMAGE or -o");
    }
    if (list == NULL && (image == NULL || out == NULL)) {
        return cli_usage_error(CMD, "need IMAGE and -o TEMPLATE (or --list FILE)");
    }

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_extractor *ex = NULL;
    mid_status st = mid_extractor_create(ctx, &ex);
    int rc;
    if (st != MID_OK) {
        rc = cli_fail(CMD, "cannot create the extractor", ctx, st);
    } else if (list != NULL) {
        rc = run_list(ctx, ex, &opts, format, list);
    } else {
        rc = extract_one(ctx, ex, &opts, format, image, out, "") ? 0 : CLI_EXIT_FAIL;
    }
    mid_extractor_free(ex);
    mid_ctx_free(ctx);
    return rc;
}
