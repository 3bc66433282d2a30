/*
 * mid convert: image format conversion. The input format is detected from the
 * content (headerless raw needs --size); the output format comes from the
 * output file's extension.
 */
#include "cli.h"
#include "mid/wsq.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const CMD = "convert";

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid convert IN OUT [--bitrate B] [--ppi N] [--size WxH]\n"
            "\n"
            "Converts a fingerprint image to 8-bit grey in the format named by OUT's\n"
            "extension: .png, .pgm, .raw (headerless), .wsq (FBI WSQ 3.1) or .jp2\n"
            "(JPEG 2000). IN may be PNG, JPEG, BMP, TIFF, PGM/PPM, WSQ, JPEG 2000 or\n"
            "headerless raw (with --size).\n"
            "  --bitrate B  bits per pixel: WSQ (default %.2f) or JPEG 2000 (default 0 =\n"
            "               lossless); not accepted for other outputs\n"
            "  --ppi N      resolution to record, overriding the input's (WSQ writes it in\n"
            "               its NISTCOM comment, JP2 in a capture resolution box, PNG in\n"
            "               pHYs); WSQ assumes 500 when neither gives one\n"
            "  --size WxH   dimensions of a headerless raw input\n",
            MID_WSQ_DEFAULT_BITRATE);
}

static bool parse_bitrate(const char *text, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno != 0 || !(v >= 0.0 && v <= 8.0)) {
        cli_usage_error(CMD, "--bitrate '%s': expected bits per pixel from 0 to 8", text);
        return false;
    }
    *out = v;
    return true;
}

int cli_cmd_convert(int argc, char **argv) {
    const char *in = NULL, *outp = NULL;
    cli_image_opts opts = {0.0, 0, 0};
    double bitrate = -1.0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        }
        int r = cli_image_option(CMD, argc, argv, &i, &opts);
        if (r < 0) {
            return CLI_EXIT_USAGE;
        }
        if (r > 0) {
            continue;
        }
        if (strcmp(a, "--bitrate") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !parse_bitrate(v, &bitrate)) {
                return CLI_EXIT_USAGE;
            }
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
        return cli_usage_error(CMD, "expected an input and an output file");
    }
    cli_image_kind kind;
    if (!cli_image_kind_of(outp, &kind)) {
        return cli_usage_error(CMD, "'%s': output extension must be .png, .pgm, .raw, .wsq or .jp2",
                               outp);
    }
    if (bitrate >= 0.0 && kind != CLI_IMAGE_WSQ && kind != CLI_IMAGE_JP2) {
        return cli_usage_error(CMD, "--bitrate applies to .wsq and .jp2 outputs only");
    }
    if (kind == CLI_IMAGE_WSQ && bitrate == 0.0) {
        return cli_usage_error(CMD, "--bitrate 0 (lossless) is not possible with WSQ");
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    mid_image *img = NULL;
    int rc = 0;
    mid_status st = cli_load_image(ctx, in, &opts, &img);
    if (st != MID_OK) {
        rc = cli_fail(CMD, in, ctx, st);
        goto done;
    }
    rc = cli_save_image(CMD, ctx, img, outp, bitrate);
done:
    mid_image_free(img);
    mid_ctx_free(ctx);
    return rc;
}
