/*
 * mid eval: the FVC verification protocol over a folder of images
 * (Maio et al., FVC2000/FVC2002 reports).
 *
 * Genuine pairs: every pair (i < j) of impressions of the same finger.
 * Impostor pairs: the first impression of each finger against the first impression
 * of every other finger (i < j), or with --all-impostors every cross-finger pair.
 * A failed extraction stays in the test: each of its comparisons scores -1.
 */
#include "cli.h"

#include <errno.h>
#include <dirent.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *const CMD = "eval";

/* FVC naming: FINGER_IMPRESSION.ext, e.g. 101_3.tif. */
static const char *const DEFAULT_REGEX = "^([0-9]+)_([0-9]+)\\.[A-Za-z0-9]+$";

#define DET_WIDTH 640u
#define DET_HEIGHT 480u
#define COMPARE_BLOCK 2048u

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid eval DIR [--ppi N] [--size WxH] [--name-regex RE] [--all-impostors]\n"
            "                [--json OUT] [--det OUT.png] [--limit N]\n"
            "\n"
            "Runs the FVC protocol over the images in DIR: extracts every image once,\n"
            "compares all genuine pairs (impressions of one finger, i<j) and the impostor\n"
            "pairs (first impressions of different fingers, i<j), and prints EER\n"
            "(FVC2000 definition), FNMR at FMR 1e-2 and 1e-3, ZeroFMR, failures to extract,\n"
            "the median extraction time and the comparison speed on one core.\n"
            "  --ppi N          scan resolution, overriding the files' (e.g. 569 for\n"
            "                   fvc2002-db2-b)\n"
            "  --size WxH       dimensions of headerless raw images\n"
            "  --name-regex RE  POSIX extended regex on file names whose groups 1 and 2 are\n"
            "                   the finger and the impression (default: FVC names\n"
            "                   '%s'); e.g. '^f([0-9]+)R([0-9]+)\\.raw$'\n"
            "                   for veridicom-fps110 files such as f001R1.raw\n"
            "  --all-impostors  every cross-finger pair is an impostor pair\n"
            "  --json OUT       also write every figure as JSON\n"
            "  --det OUT.png    draw the DET curve (%ux%u PNG)\n"
            "  --limit N        use only the first N fingers\n"
            "Extraction time is the thread CPU time spent in mid_extract only (file reading\n"
            "and decoding excluded); comparisons/s is the number of comparisons divided by\n"
            "the thread CPU time spent in mid_matcher_compare.\n",
            DEFAULT_REGEX, DET_WIDTH, DET_HEIGHT);
}

typedef struct sample {
    char *name;       /* file name inside DIR */
    char *finger;     /* regex group 1 */
    char *impression; /* regex group 2 */
    size_t finger_index;
    bool first_of_finger;
    mid_match_template *mt; /* NULL: failed to extract */
} sample;

typedef struct eval_run {
    const char *dir;
    cli_image_opts opts;
    bool all_impostors;
    bool progress;
    sample *samples;
    size_t n_samples;
    size_t n_fingers;
    size_t n_fte;
    double *extract_ms;
    size_t n_extract_ms;
    double *genuine, *impostor;
    size_t n_genuine, n_impostor;
    size_t n_compared;
    double match_s;
} eval_run;

static char *dup_range(const char *s, regoff_t start, regoff_t end) {
    size_t n = (size_t)(end - start);
    char *out = malloc(n + 1);
    if (out != NULL) {
        memcpy(out, s + start, n);
        out[n] = '\0';
    }
    return out;
}

static bool all_digits(const char *s) {
    if (*s == '\0') {
        return false;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9') {
            return false;
        }
    }
    return true;
}

/* Numeric order for numbers (so 9 < 10), byte order otherwise. */
static int cmp_key(const char *a, const char *b) {
    if (all_digits(a) && all_digits(b)) {
        while (*a == '0' && a[1] != '\0') {
            a++;
        }
        while (*b == '0' && b[1] != '\0') {
            b++;
        }
        size_t la = strlen(a), lb = strlen(b);
        if (la != lb) {
            return la < lb ? -1 : 1;
        }
    }
    return strcmp(a, b);
}

static int cmp_sample(const void *pa, const void *pb) {
    const sample *a = pa, *b = pb;
    int c = cmp_key(a->finger, b->finger);
    if (c == 0) {
        c = cmp_key(a->impression, b->impression);
    }
    return c != 0 ? c : strcmp(a->name, b->name);
}

static void free_samples(eval_run *r) {
    for (size_t i = 0; i < r->n_samples; i++) {
        free(r->samples[i].name);
        free(r->samples[i].finger);
        free(r->samples[i].impression);
        mid_match_template_free(r->samples[i].mt);
    }
    free(r->samples);
    r->samples = NULL;
    r->n_samples = 0;
}

/* Lists DIR, keeps the names the regex matches, sorts by finger then impression,
 * and keeps the first `limit` fingers (0: all). */
static int scan_dir(eval_run *r, const regex_t *re, size_t limit) {
    DIR *d = opendir(r->dir);
    if (d == NULL) {
        fprintf(stderr, "mid %s: cannot open folder '%s': %s\n", CMD, r->dir, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    size_t cap = 0, skipped = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        regmatch_t m[3];
        if (de->d_name[0] == '.') {
            continue;
        }
        if (regexec(re, de->d_name, 3, m, 0) != 0 || m[1].rm_so < 0 || m[2].rm_so < 0) {
            skipped++;
            continue;
        }
        if (r->n_samples == cap) {
            cap = cap ? cap * 2 : 128;
            sample *ns = realloc(r->samples, cap * sizeof(*ns));
            if (ns == NULL) {
                closedir(d);
                fprintf(stderr, "mid %s: out of memory listing '%s'\n", CMD, r->dir);
                return CLI_EXIT_FAIL;
            }
            r->samples = ns;
        }
        sample *s = &r->samples[r->n_samples++];
        memset(s, 0, sizeof(*s));
        s->name = strdup(de->d_name);
        s->finger = dup_range(de->d_name, m[1].rm_so, m[1].rm_eo);
        s->impression = dup_range(de->d_name, m[2].rm_so, m[2].rm_eo);
        if (s->name == NULL || s->finger == NULL || s->impression == NULL) {
            closedir(d);
            fprintf(stderr, "mid %s: out of memory listing '%s'\n", CMD, r->dir);
            return CLI_EXIT_FAIL;
        }
    }
    closedir(d);
    if (r->n_samples == 0) {
        fprintf(stderr, "mid %s: no file in '%s' matches the name pattern (%zu skipped)\n", CMD,
                r->dir, skipped);
        return CLI_EXIT_FAIL;
    }
    if (skipped > 0) {
        fprintf(stderr, "mid %s: %zu file(s) in '%s' do not match the name pattern, ignored\n", CMD,
                skipped, r->dir);
    }
    qsort(r->samples, r->n_samples, sizeof(*r->samples), cmp_sample);
    size_t fingers = 0;
    for (size_t i = 0; i < r->n_samples; i++) {
        sample *s = &r->samples[i];
        s->first_of_finger = i == 0 || strcmp(s->finger, r->samples[i - 1].finger) != 0;
        if (s->first_of_finger && limit > 0 && fingers == limit) {
            /* Drop this finger and every later one. */
            for (size_t k = i; k < r->n_samples; k++) {
                free(r->samples[k].name);
                free(r->samples[k].finger);
                free(r->samples[k].impression);
            }
            r->n_samples = i;
            break;
        }
        fingers += s->first_of_finger;
        s->finger_index = fingers - 1;
    }
    r->n_fingers = fingers;
    return 0;
}

static void progress(const eval_run *r, const char *what, size_t done, size_t total) {
    if (r->progress) {
        fprintf(stderr, "\r %s %zu/%zu ", what, done, total);
        if (done == total) {
            fprintf(stderr, "\n");
        }
        fflush(stderr);
    }
}

/* Extracts and prepares every image once; failures stay in with mt == NULL. */
static int extract_all(eval_run *r, mid_ctx *ctx) {
    mid_extractor *ex = NULL;
    mid_status st = mid_extractor_create(ctx, &ex);
    if (st != MID_OK) {
        return cli_fail(CMD, "cannot create the extractor", ctx, st);
    }
    r->extract_ms = calloc(r->n_samples, sizeof(*r->extract_ms));
    if (r->extract_ms == NULL) {
        mid_extractor_free(ex);
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    size_t dir_len = strlen(r->dir);
    for (size_t i = 0; i < r->n_samples; i++) {
        sample *s = &r->samples[i];
        size_t len = dir_len + strlen(s->name) + 2;
        char *path = malloc(len);
        char what[600];
        mid_image *img = NULL;
        mid_template *t = NULL;
        if (path == NULL) {
            mid_extractor_free(ex);
            fprintf(stderr, "mid %s: out of memory\n", CMD);
            return CLI_EXIT_FAIL;
        }
        snprintf(path, len, "%s/%s", r->dir, s->name);
        st = cli_load_image(ctx, path, &r->opts, &img);
        if (st != MID_OK) {
            snprintf(what, sizeof(what), "cannot read image '%s' (counted as a failure to extract)",
                     path);
            cli_fail(CMD, what, ctx, st);
        } else {
            double t0 = cli_cpu_now();
            st = mid_extract(ex, img, &t);
            r->extract_ms[r->n_extract_ms++] = (cli_cpu_now() - t0) * 1e3;
            mid_image_free(img);
            if (st != MID_OK) {
                snprintf(what, sizeof(what), "failure to extract '%s'", path);
                cli_fail(CMD, what, ctx, st);
            } else {
                st = mid_match_prepare(ctx, t, &s->mt);
                mid_template_free(t);
                if (st != MID_OK) {
                    snprintf(what, sizeof(what), "cannot prepare the template of '%s'", path);
                    cli_fail(CMD, what, ctx, st);
                }
            }
        }
        if (s->mt == NULL) {
            r->n_fte++;
        }
        free(path);
        progress(r, "extract", i + 1, r->n_samples);
    }
    mid_extractor_free(ex);
    return 0;
}

typedef struct pair_ref {
    uint32_t a, b;
    bool genuine;
} pair_ref;

/* Lists the protocol's pairs (genuine first, then impostor). */
static pair_ref *make_pairs(eval_run *r, size_t *n_out) {
    size_t n = 0, cap = 1024;
    if (r->n_samples > UINT32_MAX) {
        return NULL;
    }
    pair_ref *p = malloc(cap * sizeof(*p));
    for (size_t i = 0; p != NULL && i < r->n_samples; i++) {
        for (size_t j = i + 1; j < r->n_samples; j++) {
            const sample *a = &r->samples[i], *b = &r->samples[j];
            bool same = a->finger_index == b->finger_index;
            bool impostor =
                !same && (r->all_impostors || (a->first_of_finger && b->first_of_finger));
            if (!same && !impostor) {
                continue;
            }
            if (n == cap) {
                cap *= 2;
                pair_ref *np = realloc(p, cap * sizeof(*np));
                if (np == NULL) {
                    free(p);
                    return NULL;
                }
                p = np;
            }
            p[n++] = (pair_ref){(uint32_t)i, (uint32_t)j, same};
            if (same) {
                r->n_genuine++;
            } else {
                r->n_impostor++;
            }
        }
    }
    *n_out = n;
    return p;
}

/* Scores every pair. Only the mid_matcher_compare calls are timed, in blocks, so
 * that progress output stays outside the measured time. */
static int compare_all(eval_run *r, mid_ctx *ctx) {
    size_t n = 0;
    pair_ref *pairs = make_pairs(r, &n);
    mid_matcher *m = NULL;
    if (pairs == NULL) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    r->genuine = calloc(r->n_genuine ? r->n_genuine : 1, sizeof(double));
    r->impostor = calloc(r->n_impostor ? r->n_impostor : 1, sizeof(double));
    double *scores = calloc(n ? n : 1, sizeof(double));
    if (r->genuine == NULL || r->impostor == NULL || scores == NULL) {
        free(pairs);
        free(scores);
        fprintf(stderr, "mid %s: out of memory for %zu scores\n", CMD, n);
        return CLI_EXIT_FAIL;
    }
    mid_status st = mid_matcher_create(ctx, &m);
    if (st != MID_OK) {
        free(pairs);
        free(scores);
        return cli_fail(CMD, "cannot create the matcher", ctx, st);
    }
    for (size_t start = 0; start < n; start += COMPARE_BLOCK) {
        size_t end = start + COMPARE_BLOCK < n ? start + COMPARE_BLOCK : n, compared = 0;
        double t0 = cli_cpu_now();
        for (size_t k = start; k < end; k++) {
            const mid_match_template *a = r->samples[pairs[k].a].mt, *b = r->samples[pairs[k].b].mt;
            if (a == NULL || b == NULL) {
                scores[k] = -1.0;
            } else {
                scores[k] = mid_matcher_compare(m, a, b);
                compared++;
            }
        }
        r->match_s += cli_cpu_now() - t0;
        r->n_compared += compared;
        progress(r, "compare", end, n);
    }
    size_t g = 0, i = 0;
    for (size_t k = 0; k < n; k++) {
        if (pairs[k].genuine) {
            r->genuine[g++] = scores[k];
        } else {
            r->impostor[i++] = scores[k];
        }
    }
    mid_matcher_free(m);
    free(scores);
    free(pairs);
    return 0;
}

static void json_string(FILE *f, const char *s) {
    fputc('"', f);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            fprintf(f, "\\%c", c);
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
        } else {
            fputc(c, f);
        }
    }
    fputc('"', f);
}

static const char *set_name(const char *dir, char *buf, size_t size) {
    size_t len = strlen(dir);
    while (len > 1 && dir[len - 1] == '/') {
        len--;
    }
    size_t start = len;
    while (start > 0 && dir[start - 1] != '/') {
        start--;
    }
    snprintf(buf, size, "%.*s", (int)(len - start), dir + start);
    return buf;
}

typedef struct eval_figures {
    const char *set;
    mid_eval_metrics m;
    double extract_ms_median;
    double comparisons_per_s;
} eval_figures;

static void print_figures(const eval_run *r, const eval_figures *fig) {
    printf("set              %s\n", fig->set);
    printf("images           %zu\n", r->n_samples);
    printf("fingers          %zu\n", r->n_fingers);
    printf("fte              %zu (%.2f %%)\n", r->n_fte,
           100.0 * (double)r->n_fte / (double)r->n_samples);
    printf("genuine pairs    %zu\n", r->n_genuine);
    printf("impostor pairs   %zu (%s)\n", r->n_impostor,
           r->all_impostors ? "all cross-finger pairs" : "first impressions, FVC protocol");
    printf("EER              %.2f %% (low %.2f %%, high %.2f %%)\n", 100 * fig->m.eer,
           100 * fig->m.eer_low, 100 * fig->m.eer_high);
    printf("FNMR@FMR1e-2     %.2f %%\n", 100 * fig->m.fnmr_at_fmr_1e2);
    printf("FNMR@FMR1e-3     %.2f %%\n", 100 * fig->m.fnmr_at_fmr_1e3);
    printf("ZeroFMR          %.2f %%\n", 100 * fig->m.zero_fmr);
    printf("extract ms       %.2f median per image (CPU time in mid_extract only, excluding file "
           "reading and decoding)\n",
           fig->extract_ms_median);
    printf(
        "comparisons/s    %.0f on one core (%zu comparisons / %.4f s CPU in mid_matcher_compare)\n",
        fig->comparisons_per_s, r->n_compared, r->match_s);
}

static int write_json(const eval_run *r, const eval_figures *fig, const char *path, int argc,
                      char **argv) {
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    char date[32];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%SZ", &tm);
    fprintf(f, "{\n  \"tool\": \"mid\",\n  \"version\": \"%s\",\n  \"date\": \"%s\",\n",
            MID_VERSION, date);
    fprintf(f, "  \"command_line\": [");
    fprintf(f, "\"mid\"");
    for (int i = 0; i < argc; i++) {
        fprintf(f, ", ");
        json_string(f, argv[i]);
    }
    fprintf(f, "],\n  \"set\": ");
    json_string(f, fig->set);
    fprintf(f, ",\n  \"dir\": ");
    json_string(f, r->dir);
    fprintf(f,
            ",\n  \"ppi\": %.6g,\n  \"images\": %zu,\n  \"fingers\": %zu,\n  \"fte\": %zu,\n"
            "  \"fte_rate\": %.6f,\n  \"genuine_pairs\": %zu,\n  \"impostor_pairs\": %zu,\n"
            "  \"all_impostors\": %s,\n",
            r->opts.ppi, r->n_samples, r->n_fingers, r->n_fte,
            (double)r->n_fte / (double)r->n_samples, r->n_genuine, r->n_impostor,
            r->all_impostors ? "true" : "false");
    fprintf(f,
            "  \"rates_are\": \"fractions 0..1\",\n  \"eer\": %.6f,\n  \"eer_low\": %.6f,\n"
            "  \"eer_high\": %.6f,\n  \"fnmr_at_fmr_1e2\": %.6f,\n  \"fnmr_at_fmr_1e3\": %.6f,\n"
            "  \"zero_fmr\": %.6f,\n",
            fig->m.eer, fig->m.eer_low, fig->m.eer_high, fig->m.fnmr_at_fmr_1e2,
            fig->m.fnmr_at_fmr_1e3, fig->m.zero_fmr);
    fprintf(f,
            "  \"extract_ms_median\": %.4f,\n  \"extract_ms_note\": \"thread CPU time in "
            "mid_extract only, "
            "excluding file reading and decoding\",\n"
            "  \"comparisons\": %zu,\n  \"match_seconds\": %.6f,\n"
            "  \"comparisons_per_second\": %.1f\n}\n",
            fig->extract_ms_median, r->n_compared, r->match_s, fig->comparisons_per_s);
    if (fclose(f) != 0) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

static int write_det(const eval_run *r, mid_ctx *ctx, const eval_figures *fig, const char *path) {
    mid_det_point *pts = NULL;
    size_t n = 0;
    mid_status st =
        mid_eval_det(ctx, r->genuine, r->n_genuine, r->impostor, r->n_impostor, &pts, &n);
    if (st == MID_OK) {
        st = cli_det_plot(ctx, pts, n, r->n_genuine, r->n_impostor, fig->m.eer, DET_WIDTH,
                          DET_HEIGHT, path);
    }
    mid_free(pts);
    if (st != MID_OK) {
        char what[600];
        snprintf(what, sizeof(what), "cannot draw the DET curve into '%s'", path);
        return cli_fail(CMD, what, ctx, st);
    }
    return 0;
}

int cli_cmd_eval(int argc, char **argv) {
    eval_run r;
    memset(&r, 0, sizeof(r));
    const char *regex_text = DEFAULT_REGEX, *json = NULL, *det = NULL;
    size_t limit = 0;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        int rc = cli_image_option(CMD, argc, argv, &i, &r.opts);
        if (rc < 0) {
            return CLI_EXIT_USAGE;
        }
        if (rc > 0) {
            continue;
        }
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(arg, "--all-impostors") == 0) {
            r.all_impostors = true;
        } else if (strcmp(arg, "--name-regex") == 0) {
            if ((regex_text = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--json") == 0) {
            if ((json = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--det") == 0) {
            if ((det = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--limit") == 0) {
            const char *v = cli_option_value(CMD, argc, argv, &i);
            if (v == NULL || !cli_parse_count(CMD, "--limit", v, &limit)) {
                return CLI_EXIT_USAGE;
            }
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", arg);
        } else if (r.dir == NULL) {
            r.dir = arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", arg);
        }
    }
    if (r.dir == NULL) {
        return cli_usage_error(CMD, "need a folder of images");
    }
    regex_t re;
    int rerr = regcomp(&re, regex_text, REG_EXTENDED);
    if (rerr != 0) {
        char msg[200];
        regerror(rerr, &re, msg, sizeof(msg));
        return cli_usage_error(CMD, "--name-regex '%s': %s", regex_text, msg);
    }
    if (re.re_nsub < 2) {
        regfree(&re);
        return cli_usage_error(CMD, "--name-regex '%s': needs two groups (finger, impression)",
                               regex_text);
    }
    r.progress = isatty(STDERR_FILENO) != 0;

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        regfree(&re);
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    int rc = scan_dir(&r, &re, limit);
    regfree(&re);
    if (rc == 0) {
        rc = extract_all(&r, ctx);
    }
    if (rc == 0) {
        rc = compare_all(&r, ctx);
    }
    if (rc == 0 && (r.n_genuine == 0 || r.n_impostor == 0)) {
        fprintf(stderr,
                "mid %s: no %s pairs in '%s' (%zu images, %zu fingers): need two fingers, one "
                "of them with two impressions\n",
                CMD, r.n_genuine == 0 ? "genuine" : "impostor", r.dir, r.n_samples, r.n_fingers);
        rc = CLI_EXIT_FAIL;
    }
    eval_figures fig;
    char name[256];
    memset(&fig, 0, sizeof(fig));
    if (rc == 0) {
        mid_status st =
            mid_eval_compute(ctx, r.genuine, r.n_genuine, r.impostor, r.n_impostor, &fig.m);
        if (st != MID_OK) {
            rc = cli_fail(CMD, "cannot compute the metrics", ctx, st);
        }
    }
    if (rc == 0) {
        fig.set = set_name(r.dir, name, sizeof(name));
        fig.extract_ms_median = cli_median(r.extract_ms, r.n_extract_ms);
        fig.comparisons_per_s = r.match_s > 0 ? (double)r.n_compared / r.match_s : 0.0;
        print_figures(&r, &fig);
        if (json != NULL) {
            rc = write_json(&r, &fig, json, argc, argv);
        }
        if (rc == 0 && det != NULL) {
            rc = write_det(&r, ctx, &fig, det);
        }
    }
    free_samples(&r);
    free(r.extract_ms);
    free(r.genuine);
    free(r.impostor);
    mid_ctx_free(ctx);
    return rc;
}
