/* Helpers shared by the `mid` commands (see cli.h). */
#include "cli.h"

#include "mid/wsq.h"

#include <errno.h>
#include <sys/types.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

int cli_fail(const char *cmd, const char *what, const mid_ctx *ctx, mid_status st) {
    const char *detail = ctx != NULL ? mid_ctx_error(ctx) : "";
    if (detail[0] == '\0') {
        detail = mid_status_name(st);
    }
    fprintf(stderr, "mid %s: %s: %s\n", cmd, what, detail);
    return CLI_EXIT_FAIL;
}

int cli_usage_error(const char *cmd, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "mid %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n(see 'mid %s --help')\n", cmd);
    return CLI_EXIT_USAGE;
}

/* Parses a whole decimal string as a double; false on trailing junk or overflow. */
static bool parse_double(const char *text, double *out) {
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0' || errno == ERANGE) {
        return false;
    }
    *out = v;
    return true;
}

static bool parse_u32(const char *text, const char **end_out, uint32_t *out) {
    if (*text < '0' || *text > '9') {
        return false;
    }
    char *end = NULL;
    errno = 0;
    unsigned long v = strtoul(text, &end, 10);
    if (errno == ERANGE || v > UINT32_MAX) {
        return false;
    }
    *end_out = end;
    *out = (uint32_t)v;
    return true;
}

bool cli_parse_ppi(const char *cmd, const char *text, double *out) {
    double v;
    if (!parse_double(text, &v) || !(v >= MID_MIN_PPI && v <= MID_MAX_PPI)) {
        cli_usage_error(cmd, "--ppi '%s': expected a resolution from %.0f to %.0f", text,
                        MID_MIN_PPI, MID_MAX_PPI);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_size(const char *cmd, const char *text, uint32_t *w, uint32_t *h) {
    const char *p = text;
    uint32_t a, b;
    if (!parse_u32(p, &p, &a) || (*p != 'x' && *p != 'X') || !parse_u32(p + 1, &p, &b) ||
        *p != '\0' || a == 0 || b == 0 || a > MID_MAX_IMAGE_SIDE || b > MID_MAX_IMAGE_SIDE) {
        cli_usage_error(cmd, "--size '%s': expected WIDTHxHEIGHT, each 1..%u", text,
                        MID_MAX_IMAGE_SIDE);
        return false;
    }
    *w = a;
    *h = b;
    return true;
}

bool cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out) {
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno != 0) {
        cli_usage_error(cmd, "%s '%s': expected a whole number below 2^64", opt, text);
        return false;
    }
    *out = (uint64_t)v;
    return true;
}

bool cli_parse_count(const char *cmd, const char *opt, const char *text, size_t *out) {
    const char *end;
    uint32_t v;
    if (!parse_u32(text, &end, &v) || *end != '\0' || v == 0) {
        cli_usage_error(cmd, "%s '%s': expected a positive whole number", opt, text);
        return false;
    }
    *out = v;
    return true;
}

bool cli_parse_format(const char *cmd, const char *text, mid_template_format *out) {
    if (strcmp(text, "native") == 0) {
        *out = MID_TEMPLATE_NATIVE;
    } else if (strcmp(text, "iso") == 0) {
        *out = MID_TEMPLATE_ISO19794_2_2005;
    } else if (strcmp(text, "ansi") == 0) {
        *out = MID_TEMPLATE_ANSI378_2004;
    } else {
        cli_usage_error(cmd, "--format '%s': expected native, iso or ansi", text);
        return false;
    }
    return true;
}

const char *cli_option_value(const char *cmd, int argc, char **argv, int *i) {
    if (*i + 1 >= argc) {
        cli_usage_error(cmd, "option %s needs a value", argv[*i]);
        return NULL;
    }
    *i += 1;
    return argv[*i];
}

int cli_image_option(const char *cmd, int argc, char **argv, int *i, cli_image_opts *opts) {
    const char *arg = argv[*i];
    if (strcmp(arg, "--ppi") == 0) {
        const char *v = cli_option_value(cmd, argc, argv, i);
        return v != NULL && cli_parse_ppi(cmd, v, &opts->ppi) ? 1 : -1;
    }
    if (strcmp(arg, "--size") == 0) {
        const char *v = cli_option_value(cmd, argc, argv, i);
        return v != NULL && cli_parse_size(cmd, v, &opts->raw_width, &opts->raw_height) ? 1 : -1;
    }
    return 0;
}

mid_status cli_load_image(mid_ctx *ctx, const char *path, const cli_image_opts *opts,
                          mid_image **out) {
    mid_decode_opts dopts;
    memset(&dopts, 0, sizeof(dopts));
    dopts.format = MID_IMAGE_AUTO; /* raw only when no signature matches and --size is given */
    dopts.raw_width = opts->raw_width;
    dopts.raw_height = opts->raw_height;
    dopts.ppi = opts->ppi;
    return mid_image_load(ctx, path, &dopts, out);
}

bool cli_image_kind_of(const char *path, cli_image_kind *kind) {
    static const struct {
        const char *ext;
        cli_image_kind kind;
    } table[] = {{".png", CLI_IMAGE_PNG},
                 {".pgm", CLI_IMAGE_PGM},
                 {".raw", CLI_IMAGE_RAW},
                 {".wsq", CLI_IMAGE_WSQ},
                 {".jp2", CLI_IMAGE_JP2}};
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot == NULL || (slash != NULL && dot < slash)) {
        return false;
    }
    for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
        if (strcasecmp(dot, table[i].ext) == 0) {
            *kind = table[i].kind;
            return true;
        }
    }
    return false;
}

/* Writes a header (may be empty) and a buffer; the library has no PGM/raw writer. */
static int write_file(const char *cmd, const char *path, const char *header, const void *buf,
                      size_t len) {
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", cmd, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    bool ok = fputs(header, f) >= 0 && fwrite(buf, 1, len, f) == len;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        fprintf(stderr, "mid %s: cannot write '%s'\n", cmd, path);
        return CLI_EXIT_FAIL;
    }
    return 0;
}

int cli_save_image(const char *cmd, mid_ctx *ctx, const mid_image *img, const char *path,
                   double bitrate) {
    cli_image_kind kind;
    if (!cli_image_kind_of(path, &kind)) {
        fprintf(stderr, "mid %s: '%s': unknown image extension\n", cmd, path);
        return CLI_EXIT_FAIL;
    }
    uint32_t w = mid_image_width(img), h = mid_image_height(img);
    char header[64] = "";
    void *buf = NULL;
    size_t len = 0;
    mid_status st = MID_OK;
    int rc;
    switch (kind) {
    case CLI_IMAGE_PNG:
        st = mid_image_save_png(ctx, img, path);
        return st == MID_OK ? 0 : cli_fail(cmd, path, ctx, st);
    case CLI_IMAGE_PGM:
        snprintf(header, sizeof(header), "P5\n%u %u\n255\n", (unsigned)w, (unsigned)h);
        /* fall through */
    case CLI_IMAGE_RAW:
        return write_file(cmd, path, header, mid_image_cpixels(img), (size_t)w * h);
    case CLI_IMAGE_WSQ:
        st =
            mid_wsq_encode(ctx, img, bitrate > 0.0 ? bitrate : MID_WSQ_DEFAULT_BITRATE, &buf, &len);
        break;
    case CLI_IMAGE_JP2:
        st = mid_image_encode_jp2(ctx, img, bitrate > 0.0 ? bitrate : 0.0, &buf, &len);
        break;
    }
    rc = st == MID_OK ? write_file(cmd, path, "", buf, len) : cli_fail(cmd, path, ctx, st);
    mid_free(buf);
    return rc;
}

double cli_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double cli_cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

bool cli_read_line(FILE *f, char **line, size_t *cap) {
    ssize_t n = getline(line, cap, f);
    if (n < 0) {
        return false;
    }
    while (n > 0 && ((*line)[n - 1] == '\n' || (*line)[n - 1] == '\r')) {
        (*line)[--n] = '\0';
    }
    return true;
}

static bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

static void trim_end(char *s) {
    size_t n = strlen(s);
    while (n > 0 && is_blank(s[n - 1])) {
        s[--n] = '\0';
    }
}

bool cli_split_pair(char *line, char **first, char **second) {
    while (is_blank(*line)) {
        line++;
    }
    trim_end(line);
    char *sep = strchr(line, '\t');
    bool tab = sep != NULL;
    if (!tab) {
        sep = strchr(line, ' ');
    }
    if (sep == NULL || sep == line) {
        return false;
    }
    *sep = '\0';
    trim_end(line);
    char *b = sep + 1;
    while (is_blank(*b)) {
        b++;
    }
    /* With a TAB the fields may contain spaces (paths) but not another TAB; with
     * blanks, a third field is an error. */
    if (*b == '\0' || strchr(b, '\t') != NULL || (!tab && strchr(b, ' ') != NULL)) {
        return false;
    }
    *first = line;
    *second = b;
    return true;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

double cli_median(double *values, size_t n) {
    if (n == 0) {
        return 0.0;
    }
    qsort(values, n, sizeof(*values), cmp_double);
    return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

int cli_data_option(const char *cmd, int argc, char **argv, int *i, cli_data *d) {
    const char *arg = argv[*i];
    if (strcmp(arg, "--data") == 0 || strcmp(arg, "--store") == 0) {
        const char *v = cli_option_value(cmd, argc, argv, i);
        if (v == NULL) {
            return -1;
        }
        if (v[0] == '\0' || strlen(v) >= CLI_PATH_SIZE) {
            cli_usage_error(cmd, "%s needs a value of 1..%u characters", arg, CLI_PATH_SIZE - 1);
            return -1;
        }
        if (arg[2] == 'd') {
            d->dir = v;
        } else {
            d->store = v;
        }
        return 1;
    }
    return 0;
}

bool cli_data_finish(const char *cmd, cli_data *d) {
    if (d->dir == NULL) {
        const char *env = getenv("MID_DATA");
        if (env == NULL || env[0] == '\0') {
            cli_usage_error(cmd, "no data directory: give --data DIR or set MID_DATA");
            return false;
        }
        if (strlen(env) >= CLI_PATH_SIZE) {
            cli_usage_error(cmd, "MID_DATA is longer than %u characters", CLI_PATH_SIZE - 1);
            return false;
        }
        d->dir = env;
    }
    if (d->store == NULL) {
        snprintf(d->store_buf, sizeof(d->store_buf), "sqlite:%s", d->dir);
        d->store = d->store_buf;
    }
    return true;
}

bool cli_data_path(const char *cmd, const cli_data *d, const char *relative, char *buf,
                   size_t cap) {
    int n = snprintf(buf, cap, "%s/%s", d->dir, relative);
    if (n < 0 || (size_t)n >= cap) {
        fprintf(stderr, "mid %s: path under the data directory is too long\n", cmd);
        return false;
    }
    return true;
}
