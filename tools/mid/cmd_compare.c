/* mid compare: one pair of images/templates, or a list of template pairs. */
#include "cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const CMD = "compare";

static void usage(FILE *f) {
    fprintf(f,
            "usage: mid compare [--ppi N] [--size WxH] A B\n"
            "       mid compare --pairs FILE [--bench]\n"
            "\n"
            "A and B are templates (native, ISO 19794-2, ANSI 378) or images (extracted\n"
            "first); prints 'score S' (higher is more similar; S = -10 log10 FMR).\n"
            "  --ppi N, --size WxH  image options, as for 'mid extract'\n"
            "  --pairs FILE  each line holds two template paths (TAB or blank separated);\n"
            "                prints one score per line, in order (%%.4f). A line whose\n"
            "                templates cannot be read scores -1, with a message on stderr\n"
            "                (and the exit status is 1; the other lines are still scored).\n"
            "  --bench       with --pairs: print 'BENCH pairs=N load_s=S match_s=S' on\n"
            "                stderr; match_s is the thread CPU time in mid_matcher_compare only,\n"
            "                load_s the time reading, decoding and preparing templates.\n");
}

/* ---- single comparison ---- */

static bool fail_false(const char *what, const mid_ctx *ctx, mid_status st) {
    cli_fail(CMD, what, ctx, st);
    return false;
}

/* Template file first (any format); otherwise an image to extract from. */
static bool load_any(mid_ctx *ctx, const cli_image_opts *opts, mid_extractor **ex, const char *path,
                     mid_match_template **out) {
    mid_template *t = NULL;
    mid_status st = mid_template_load(ctx, path, MID_TEMPLATE_AUTO, &t);
    if (st != MID_OK) {
        mid_image *img = NULL;
        st = cli_load_image(ctx, path, opts, &img);
        if (st != MID_OK) {
            char what[512];
            snprintf(what, sizeof(what), "cannot read '%s' as a template or an image", path);
            return fail_false(what, ctx, st);
        }
        if (*ex == NULL && (st = mid_extractor_create(ctx, ex)) != MID_OK) {
            mid_image_free(img);
            return fail_false("cannot create the extractor", ctx, st);
        }
        st = mid_extract(*ex, img, &t);
        mid_image_free(img);
        if (st != MID_OK) {
            char what[512];
            snprintf(what, sizeof(what), "extraction failed for '%s'", path);
            return fail_false(what, ctx, st);
        }
    }
    st = mid_match_prepare(ctx, t, out);
    mid_template_free(t);
    if (st != MID_OK) {
        char what[512];
        snprintf(what, sizeof(what), "cannot prepare '%s'", path);
        return fail_false(what, ctx, st);
    }
    return true;
}

static int compare_two(mid_ctx *ctx, const cli_image_opts *opts, const char *a, const char *b) {
    mid_extractor *ex = NULL;
    mid_match_template *ma = NULL, *mb = NULL;
    mid_matcher *m = NULL;
    int rc = CLI_EXIT_FAIL;
    if (load_any(ctx, opts, &ex, a, &ma) && load_any(ctx, opts, &ex, b, &mb)) {
        mid_status st = mid_matcher_create(ctx, &m);
        if (st != MID_OK) {
            cli_fail(CMD, "cannot create the matcher", ctx, st);
        } else {
            printf("score %.2f\n", mid_matcher_compare(m, ma, mb));
            rc = 0;
        }
    }
    mid_matcher_free(m);
    mid_match_template_free(ma);
    mid_match_template_free(mb);
    mid_extractor_free(ex);
    return rc;
}

/* ---- pair lists ---- */

/* One distinct template path: loaded and prepared once. */
typedef struct cache_entry {
    char *path;
    mid_match_template *mt; /* NULL when it could not be loaded */
    char *error;            /* why it could not, for the per-line messages */
} cache_entry;

/* Open-addressing hash table (FNV-1a, linear probing) from path to entry index. */
typedef struct cache {
    cache_entry *entries;
    size_t n, cap_entries;
    size_t *slots; /* entry index + 1; 0 = empty */
    size_t n_slots;
} cache;

static uint64_t hash_str(const char *s) {
    uint64_t h = 1469598103934665603u;
    for (; *s; s++) {
        h = (h ^ (uint8_t)*s) * 1099511628211u;
    }
    return h;
}

static bool cache_grow_slots(cache *c) {
    size_t n_slots = c->n_slots ? c->n_slots * 2 : 1024;
    size_t *slots = calloc(n_slots, sizeof(*slots));
    if (slots == NULL) {
        return false;
    }
    for (size_t e = 0; e < c->n; e++) {
        size_t k = hash_str(c->entries[e].path) & (n_slots - 1);
        while (slots[k] != 0) {
            k = (k + 1) & (n_slots - 1);
        }
        slots[k] = e + 1;
    }
    free(c->slots);
    c->slots = slots;
    c->n_slots = n_slots;
    return true;
}

/* Index of path's entry, adding an unloaded one when new; SIZE_MAX when out of memory. */
static size_t cache_find(cache *c, const char *path, bool *is_new) {
    *is_new = false;
    if ((c->n + 1) * 2 > c->n_slots && !cache_grow_slots(c)) {
        return SIZE_MAX;
    }
    size_t k = hash_str(path) & (c->n_slots - 1);
    while (c->slots[k] != 0) {
        size_t e = c->slots[k] - 1;
        if (strcmp(c->entries[e].path, path) == 0) {
            return e;
        }
        k = (k + 1) & (c->n_slots - 1);
    }
    if (c->n == c->cap_entries) {
        size_t cap = c->cap_entries ? c->cap_entries * 2 : 256;
        cache_entry *ne = realloc(c->entries, cap * sizeof(*ne));
        if (ne == NULL) {
            return SIZE_MAX;
        }
        c->entries = ne;
        c->cap_entries = cap;
    }
    char *copy = strdup(path);
    if (copy == NULL) {
        return SIZE_MAX;
    }
    c->entries[c->n] = (cache_entry){copy, NULL, NULL};
    c->slots[k] = ++c->n;
    *is_new = true;
    return c->n - 1;
}

static void cache_free(cache *c) {
    for (size_t e = 0; e < c->n; e++) {
        free(c->entries[e].path);
        free(c->entries[e].error);
        mid_match_template_free(c->entries[e].mt);
    }
    free(c->entries);
    free(c->slots);
}

static void load_entry(mid_ctx *ctx, cache_entry *e) {
    mid_template *t = NULL;
    mid_status st = mid_template_load(ctx, e->path, MID_TEMPLATE_AUTO, &t);
    if (st == MID_OK) {
        st = mid_match_prepare(ctx, t, &e->mt);
        mid_template_free(t);
    }
    if (st != MID_OK) {
        const char *detail = mid_ctx_error(ctx);
        e->mt = NULL;
        e->error = strdup(detail[0] ? detail : mid_status_name(st));
    }
}

/* One input line: the two entries, or SIZE_MAX when the line is malformed. */
typedef struct pair_job {
    size_t a, b;
} pair_job;

static int compare_pairs(mid_ctx *ctx, const char *list, bool bench) {
    FILE *f = strcmp(list, "-") == 0 ? stdin : fopen(list, "r");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot open pair list '%s': %s\n", CMD, list, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    cache c;
    memset(&c, 0, sizeof(c));
    pair_job *jobs = NULL;
    size_t n_jobs = 0, cap_jobs = 0, n_bad = 0;
    double load_s = 0;
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    /* Phase 1: read the list, load and prepare every distinct template once. */
    while (cli_read_line(f, &line, &cap)) {
        if (n_jobs == cap_jobs) {
            size_t ncap = cap_jobs ? cap_jobs * 2 : 1024;
            pair_job *nj = realloc(jobs, ncap * sizeof(*nj));
            if (nj == NULL) {
                rc = CLI_EXIT_FAIL;
                break;
            }
            jobs = nj;
            cap_jobs = ncap;
        }
        pair_job *job = &jobs[n_jobs++];
        char *pa, *pb;
        if (!cli_split_pair(line, &pa, &pb)) {
            job->a = job->b = SIZE_MAX;
            continue;
        }
        bool new_a, new_b;
        job->a = cache_find(&c, pa, &new_a);
        if (job->a != SIZE_MAX && new_a) {
            double t0 = cli_now();
            load_entry(ctx, &c.entries[job->a]);
            load_s += cli_now() - t0;
        }
        job->b = cache_find(&c, pb, &new_b);
        if (job->b != SIZE_MAX && new_b) {
            double t0 = cli_now();
            load_entry(ctx, &c.entries[job->b]);
            load_s += cli_now() - t0;
        }
        if (job->a == SIZE_MAX || job->b == SIZE_MAX) {
            rc = CLI_EXIT_FAIL;
            break;
        }
    }
    free(line);
    if (f != stdin) {
        fclose(f);
    }
    if (rc != 0) {
        fprintf(stderr, "mid %s: out of memory reading '%s'\n", CMD, list);
        free(jobs);
        cache_free(&c);
        return rc;
    }

    /* Phase 2: compare, timing only the mid_matcher_compare loop. */
    double *scores = calloc(n_jobs ? n_jobs : 1, sizeof(*scores));
    mid_matcher *m = NULL;
    if (scores == NULL) {
        fprintf(stderr, "mid %s: out of memory for %zu scores\n", CMD, n_jobs);
        free(jobs);
        cache_free(&c);
        return CLI_EXIT_FAIL;
    }
    mid_status st = mid_matcher_create(ctx, &m);
    if (st != MID_OK) {
        free(scores);
        free(jobs);
        cache_free(&c);
        return cli_fail(CMD, "cannot create the matcher", ctx, st);
    }
    size_t n_timed = 0;
    double t0 = cli_cpu_now();
    for (size_t j = 0; j < n_jobs; j++) {
        const pair_job *job = &jobs[j];
        if (job->a == SIZE_MAX || c.entries[job->a].mt == NULL || c.entries[job->b].mt == NULL) {
            scores[j] = -1.0;
            continue;
        }
        scores[j] = mid_matcher_compare(m, c.entries[job->a].mt, c.entries[job->b].mt);
        n_timed++;
    }
    double match_s = cli_cpu_now() - t0;

    /* Phase 3: report, in input order. */
    for (size_t j = 0; j < n_jobs; j++) {
        const pair_job *job = &jobs[j];
        if (job->a == SIZE_MAX) {
            fprintf(stderr, "mid %s: %s:%zu: expected two template paths\n", CMD, list, j + 1);
            n_bad++;
        } else {
            for (int k = 0; k < 2; k++) {
                const cache_entry *e = &c.entries[k ? job->b : job->a];
                if (e->mt == NULL) {
                    fprintf(stderr, "mid %s: %s:%zu: cannot read template '%s': %s\n", CMD, list,
                            j + 1, e->path, e->error ? e->error : "out of memory");
                }
            }
            n_bad += scores[j] < 0;
        }
        printf("%.4f\n", scores[j]);
    }
    if (bench) {
        fprintf(stderr, "BENCH pairs=%zu load_s=%.6f match_s=%.6f\n", n_timed, load_s, match_s);
    }
    mid_matcher_free(m);
    free(scores);
    free(jobs);
    cache_free(&c);
    /* Every line got its score; bad lines still make the exit status 1. */
    return n_bad ? CLI_EXIT_FAIL : 0;
}

int cli_cmd_compare(int argc, char **argv) {
    cli_image_opts opts = {0, 0, 0};
    const char *pairs = NULL, *paths[2] = {NULL, NULL};
    bool bench = false;
    int n_paths = 0;
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
        } else if (strcmp(arg, "--pairs") == 0) {
            if ((pairs = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (strcmp(arg, "--bench") == 0) {
            bench = true;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", arg);
        } else if (n_paths < 2) {
            paths[n_paths++] = arg;
        } else {
            return cli_usage_error(CMD, "unexpected argument '%s'", arg);
        }
    }
    if (pairs != NULL && n_paths != 0) {
        return cli_usage_error(CMD, "--pairs takes no A B arguments");
    }
    if (pairs == NULL && n_paths != 2) {
        return cli_usage_error(CMD, "need two files A B (or --pairs FILE)");
    }
    if (bench && pairs == NULL) {
        return cli_usage_error(CMD, "--bench needs --pairs");
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    int rc = pairs ? compare_pairs(ctx, pairs, bench) : compare_two(ctx, &opts, paths[0], paths[1]);
    mid_ctx_free(ctx);
    return rc;
}
