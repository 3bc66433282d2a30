/*
 * mid template: minutiae template tools. `mid template convert` reads any
 * record the library knows (auto-detected) with all its finger views and
 * writes it in the format given by --to.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

static const char *const CMD = "template";

static const struct {
    const char *name;
    mid_template_format format;
} FORMATS[] = {{"iso2005", MID_TEMPLATE_ISO19794_2_2005},
               {"iso2011", MID_TEMPLATE_ISO19794_2_2011},
               {"ansi2004", MID_TEMPLATE_ANSI378_2004},
               {"ansi2009", MID_TEMPLATE_ANSI378_2009},
               {"native", MID_TEMPLATE_NATIVE}};

static void usage(FILE *f) {
    fprintf(f, "usage: mid template convert IN OUT --to FORMAT [--view N]\n"
               "\n"
               "Reads a finger minutiae record (ISO/IEC 19794-2:2005 or :2011, ANSI INCITS\n"
               "378-2004 or -2009, or a native mobileid template; detected from its header)\n"
               "with every finger view, and writes it as FORMAT:\n"
               "  iso2005 | iso2011 | ansi2004 | ansi2009 | native\n"
               "Angles are converted between the ISO (360/256 degree) and ANSI (2 degree)\n"
               "units. ISO 2005 and ANSI 2004 hold one image size per record; native holds\n"
               "one view. Extended data and certification blocks are kept only when FORMAT\n"
               "is the input's own format.\n"
               "  --view N  write only finger view N (0 = the first)\n"
               "Prints one line per view written: view, finger position, minutiae, size, ppi.\n");
}

static bool parse_to(const char *text, mid_template_format *out) {
    for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++) {
        if (strcmp(text, FORMATS[i].name) == 0) {
            *out = FORMATS[i].format;
            return true;
        }
    }
    cli_usage_error(CMD, "--to '%s': expected iso2005, iso2011, ansi2004, ansi2009 or native",
                    text);
    return false;
}

static const char *format_label(mid_template_format f) {
    for (size_t i = 0; i < sizeof(FORMATS) / sizeof(FORMATS[0]); i++) {
        if (FORMATS[i].format == f) {
            return FORMATS[i].name;
        }
    }
    return "?";
}

/* A record holding only view i of src (with its header fields). */
static mid_status pick_view(mid_ctx *ctx, const mid_template_record *src, size_t i,
                            mid_template_record **out) {
    mid_template_view_info info;
    mid_status st = mid_template_record_view_info(ctx, src, i, &info);
    if (st != MID_OK) {
        return st;
    }
    if ((st = mid_template_record_create(ctx, out)) != MID_OK) {
        return st;
    }
    mid_template_record_info h = mid_template_record_header(src);
    mid_template_record_set_header(*out, &h);
    st = mid_template_record_add(ctx, *out, mid_template_record_view(src, i), &info);
    if (st != MID_OK) {
        mid_template_record_free(*out);
        *out = NULL;
    }
    return st;
}

static int cmd_convert(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    bool have_to = false, have_view = false;
    mid_template_format to = MID_TEMPLATE_AUTO;
    size_t view = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(a, "--to") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !parse_to(v, &to)) {
                return CLI_EXIT_USAGE;
            }
            have_to = true;
        } else if (strcmp(a, "--view") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            char *end = NULL;
            unsigned long n = v != NULL ? strtoul(v, &end, 10) : 0;
            if (v == NULL || v[0] < '0' || v[0] > '9' || *end != '\0' ||
                n >= MID_MAX_TEMPLATE_VIEWS) {
                return v == NULL ? CLI_EXIT_USAGE
                                 : cli_usage_error(CMD, "--view '%s': expected 0..%u", v,
                                                   MID_MAX_TEMPLATE_VIEWS - 1);
            }
            view = n;
            have_view = true;
        } else if (a[0] == '-' && a[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", a);
        } else if (in == NULL) {
            in = a;
        } else if (outp == NULL) {
            outp = a;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", a);
        }
    }
    if (in == NULL || outp == NULL) {
        return cli_usage_error(CMD, "convert: expected an input and an output file");
    }
    if (!have_to) {
        return cli_usage_error(CMD, "convert: --to FORMAT is required");
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    int rc = 0;
    mid_template_record *rec = NULL, *one = NULL;
    mid_status st = mid_template_record_load(ctx, in, MID_TEMPLATE_AUTO, &rec);
    if (st != MID_OK) {
        rc = cli_fail(CMD, in, ctx, st);
        goto done;
    }
    const mid_template_record *w = rec;
    if (have_view) {
        if (view >= mid_template_record_count(rec)) {
            fprintf(stderr, "mid %s: %s: --view %zu but the record has %zu view(s)\n", CMD, in,
                    view, mid_template_record_count(rec));
            rc = CLI_EXIT_FAIL;
            goto done;
        }
        if ((st = pick_view(ctx, rec, view, &one)) != MID_OK) {
            rc = cli_fail(CMD, in, ctx, st);
            goto done;
        }
        w = one;
    }
    if ((st = mid_template_record_save(ctx, w, to, outp)) != MID_OK) {
        rc = cli_fail(CMD, outp, ctx, st);
        goto done;
    }
    printf("%s -> %s: %zu view(s)\n", format_label(mid_template_record_source(rec)),
           format_label(to), mid_template_record_count(w));
    for (size_t i = 0; i < mid_template_record_count(w); i++) {
        const mid_template *t = mid_template_record_view(w, i);
        printf("view %zu  finger %u  minutiae %zu  %ux%u  %u ppi\n", have_view ? view : i,
               (unsigned)mid_template_finger_position(t), mid_template_count(t),
               (unsigned)mid_template_width(t), (unsigned)mid_template_height(t),
               (unsigned)mid_template_ppi(t));
    }
done:
    mid_template_record_free(one);
    mid_template_record_free(rec);
    mid_ctx_free(ctx);
    return rc;
}

int cli_cmd_template(int argc, char **argv) {
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "convert") == 0) {
        return cmd_convert(argc - 1, argv + 1);
    }
    return cli_usage_error(CMD, "unknown subcommand '%s' (expected convert)", argv[1]);
}
