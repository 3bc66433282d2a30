/*
 * Helpers shared by the commands of the `mid` tool: error reporting, option
 * parsing, image and template loading, timing. The tool uses only the public
 * API in include/mid/.
 *
 * Exit codes: 0 success, 1 a runtime failure (reported on stderr as
 * `mid <cmd>: <what>: <detail>`), 2 a usage error.
 */
#ifndef MID_TOOL_CLI_H
#define MID_TOOL_CLI_H

#include "mid/mid.h"
#include "mid/store.h"

#include <stdbool.h>
#include <stdio.h>

#define CLI_EXIT_FAIL 1
#define CLI_EXIT_USAGE 2

/* Image input options shared by extract, compare and eval. */
typedef struct cli_image_opts {
    double ppi;          /* > 0 overrides the file's resolution */
    uint32_t raw_width;  /* --size WxH, for headerless raw files */
    uint32_t raw_height; /* 0 when not given */
} cli_image_opts;

/* Prints `mid <cmd>: <what>: <detail>` on stderr, the detail being the context's
 * last error (or the status name when the context has none). Returns CLI_EXIT_FAIL. */
int cli_fail(const char *cmd, const char *what, const mid_ctx *ctx, mid_status st);

/* Prints `mid <cmd>: <message>` and a hint to `mid <cmd> --help` on stderr.
 * Returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Option parsing: each returns false (after a usage message) on a bad value. */
bool cli_parse_ppi(const char *cmd, const char *text, double *out);
bool cli_parse_size(const char *cmd, const char *text, uint32_t *w, uint32_t *h);
/* A decimal whole number below 2^64 (seeds, person numbers, counts). */
bool cli_parse_u64(const char *cmd, const char *opt, const char *text, uint64_t *out);
bool cli_parse_count(const char *cmd, const char *opt, const char *text, size_t *out);
bool cli_parse_format(const char *cmd, const char *text, mid_template_format *out);

/* Handles the image options (--ppi N, --size WxH) at argv[*i]. Returns 1 when
 * argv[*i] was one of them (and advances *i past its value), 0 when it is not,
 * -1 on a usage error (already reported). */
int cli_image_option(const char *cmd, int argc, char **argv, int *i, cli_image_opts *opts);

/* The value following option argv[*i], advancing *i; NULL (reported) if missing. */
const char *cli_option_value(const char *cmd, int argc, char **argv, int *i);

/* Loads an image with the options applied. */
mid_status cli_load_image(mid_ctx *ctx, const char *path, const cli_image_opts *opts,
                          mid_image **out);

/* Image file formats the tool writes, chosen by the output file's extension. */
typedef enum cli_image_kind {
    CLI_IMAGE_PNG,
    CLI_IMAGE_PGM,
    CLI_IMAGE_RAW, /* headerless 8-bit grey */
    CLI_IMAGE_WSQ,
    CLI_IMAGE_JP2
} cli_image_kind;

/* The kind named by path's extension (.png .pgm .raw .wsq .jp2, any case); false if none. */
bool cli_image_kind_of(const char *path, cli_image_kind *kind);

/* Writes img to path in the format its extension names. bitrate < 0 takes the
 * format's default (WSQ 0.75 bpp, JPEG 2000 lossless). Returns 0, or
 * CLI_EXIT_FAIL after printing `mid <cmd>: ...` on stderr. */
int cli_save_image(const char *cmd, mid_ctx *ctx, const mid_image *img, const char *path,
                   double bitrate);

/* Monotonic clock in seconds. */
double cli_now(void);

/* CPU time of the calling thread in seconds. Benchmark figures use it: on a
 * shared machine it counts the work of one core, not the time spent waiting
 * for one. */
double cli_cpu_now(void);

/* Reads one line without its end-of-line characters into *line (grown as
 * needed, free() when done). Returns false at end of file. */
bool cli_read_line(FILE *f, char **line, size_t *cap);

/* Splits a list line into two fields: at the first TAB when there is one,
 * otherwise at the first run of blanks. Trailing blanks are dropped. Returns
 * false unless there are exactly two non-empty fields. Modifies line. */
bool cli_split_pair(char *line, char **first, char **second);

/* Median of n values (reorders them); 0 when n is 0. */
double cli_median(double *values, size_t n);

/* ---- The gateway's data directory (docs/ARCHITECTURE.md, "Gateway") ----------
 * Every gateway and administration command takes --data DIR (default: the
 * MID_DATA environment variable) and --store URI (default "sqlite:DIR"). Paths
 * under DIR: mid.db, audit.log, pki/, devices/ (see CLI_DATA_* below). */
#define CLI_PATH_SIZE 4096u

typedef struct cli_data {
    const char *dir;   /* NULL until given or found in MID_DATA */
    const char *store; /* --store URI; NULL: "sqlite:DIR" */
    char store_buf[CLI_PATH_SIZE + 8];
} cli_data;

/* Handles --data DIR and --store URI at argv[*i]. Returns 1 when argv[*i] was one
 * of them (advancing *i past its value), 0 when it is not, -1 on a usage error. */
int cli_data_option(const char *cmd, int argc, char **argv, int *i, cli_data *d);
/* Applies the defaults after parsing; false (usage error reported) when neither
 * --data nor MID_DATA names a directory. */
bool cli_data_finish(const char *cmd, cli_data *d);
/* DIR/relative into buf (cap bytes); false (reported) when it does not fit. */
bool cli_data_path(const char *cmd, const cli_data *d, const char *relative, char *buf, size_t cap);

/* Opens the data directory's store (reports failures as `mid <cmd>: ...`). */
mid_status cli_admin_open_store(const char *cmd, mid_ctx *ctx, const cli_data *d, mid_store **out);
/* The current UTC time as "2026-11-24T10:00:00Z". */
#define CLI_TIME_SIZE 24u
void cli_utc_now(char out[CLI_TIME_SIZE]);
/* Appends an administrative act to DIR/audit.log: {"time","txid":"adm-...",
 * "action","actor" (the account that ran the command),"remote":"local",
 * "outcome":"done", target_key: target_value (when both given), "detail"
 * (when given)}. No personal data beyond ids. Returns 0 or CLI_EXIT_FAIL
 * (reported). */
int cli_audit_admin(const char *cmd, mid_ctx *ctx, const cli_data *d, const char *action,
                    const char *target_key, const char *target_value, const char *detail);

/* Command entry points: argv[0] is the command name. */
int cli_cmd_records(int argc, char **argv);
int cli_cmd_enrol(int argc, char **argv);
int cli_cmd_audit(int argc, char **argv);
int cli_cmd_extract(int argc, char **argv);
int cli_cmd_compare(int argc, char **argv);
int cli_cmd_eval(int argc, char **argv);
int cli_cmd_synth(int argc, char **argv);
int cli_cmd_an2k(int argc, char **argv);
int cli_cmd_convert(int argc, char **argv);
int cli_cmd_template(int argc, char **argv);
int cli_cmd_identify(int argc, char **argv);
int cli_cmd_ca(int argc, char **argv);
int cli_cmd_device(int argc, char **argv);
int cli_cmd_officer(int argc, char **argv);
int cli_cmd_serve(int argc, char **argv);

/* Handles the rendering options shared by the synth generators at argv[*i]:
 * --profile P, --condition C and --format png|pgm|wsq (*ext becomes the file
 * extension). Returns 1 when argv[*i] was one (advancing *i past its value), 0
 * when it is not, -1 on a usage error (already reported). */
int cli_synth_render_option(const char *cmd, int argc, char **argv, int *i,
                            mid_synth_impression_opts *opts, const char **ext);

/* `mid synth` generators (cmd_synth_<what>.c); argv[0] is the generator name. */
int cli_cmd_synth_master(int argc, char **argv);
int cli_cmd_synth_impressions(int argc, char **argv);
int cli_cmd_synth_set(int argc, char **argv);
int cli_cmd_synth_people(int argc, char **argv);
int cli_cmd_synth_gallery(int argc, char **argv);

/* Draws a DET curve (FNMR against FMR, log axes with decade grid, EER marked)
 * into a new width x height image and saves it as PNG. */
mid_status cli_det_plot(mid_ctx *ctx, const mid_det_point *pts, size_t n, size_t n_genuine,
                        size_t n_impostor, double eer, uint32_t width, uint32_t height,
                        const char *path);

#endif
