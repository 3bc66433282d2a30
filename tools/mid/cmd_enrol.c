/*
 * `mid enrol`: gallery prints into the data directory's store.
 *
 *   mid enrol --db IDENT1|IABS --person ID --an2k FILE        fingers of a tenprint
 *   mid enrol --db IDENT1|IABS --person ID --finger POS=IMAGE ...
 *   mid enrol --db IDENT1|IABS --gallery FILE.midg            bulk, one transaction
 *
 * Extraction runs before the store is written, so a failing finger enrols
 * nothing. Each enrolment is audited with ids, finger positions and counts only
 * (never templates or images).
 */
#include "cli.h"

#include "mid/gallery.h"
#include "mid/store.h"

#include <stdlib.h>
#include <string.h>

#define CMD "enrol"

static void usage(FILE *f) {
    fprintf(f, "usage: mid enrol --db IDENT1|IABS --person ID --an2k FILE [options]\n"
               "       mid enrol --db IDENT1|IABS --person ID --finger POS=IMAGE ... [options]\n"
               "       mid enrol --db IDENT1|IABS --gallery FILE.midg [options]\n"
               "\n"
               "options: --data DIR, --store URI, --ppi N, --size WxH (image input)\n"
               "\n"
               "--an2k enrols every finger image record (Type-4/14, positions 1..10) of an\n"
               "ANSI/NIST-ITL transaction; --finger takes one image per position. --gallery\n"
               "stores every record of a MIDG gallery (person, finger, template) in one\n"
               "transaction. A new print replaces the person's old one for that finger.\n");
}

typedef struct enrol_set {
    mid_template *t[11]; /* by finger position 1..10 */
    unsigned n;
} enrol_set;

static void set_free(enrol_set *s) {
    for (unsigned i = 0; i <= 10; i++) {
        mid_template_free(s->t[i]);
        s->t[i] = NULL;
    }
}

/* Extracts img into position pos of the set. */
static int extract_into(mid_ctx *ctx, mid_extractor *ex, const mid_image *img, unsigned pos,
                        enrol_set *set) {
    mid_template *t = NULL;
    mid_status s = mid_extract(ex, img, &t);
    if (s != MID_OK) {
        char what[32];
        snprintf(what, sizeof(what), "finger %u", pos);
        return cli_fail(CMD, what, ctx, s);
    }
    if (set->t[pos] != NULL) {
        mid_template_free(t);
        fprintf(stderr, "mid %s: finger %u given twice\n", CMD, pos);
        return CLI_EXIT_FAIL;
    }
    (void)mid_template_set_finger(ctx, t, (uint8_t)pos, mid_template_impression_type(t));
    set->t[pos] = t;
    set->n++;
    return 0;
}

static int from_an2k(mid_ctx *ctx, mid_extractor *ex, const char *path, enrol_set *set) {
    mid_an2k *tx = NULL;
    mid_status s = mid_an2k_load(ctx, path, &tx);
    if (s != MID_OK) {
        return cli_fail(CMD, path, ctx, s);
    }
    int rc = 0;
    size_t records = mid_an2k_record_count(tx);
    for (size_t rec = 0; rec < records && rc == 0; rec++) {
        if (!mid_an2k_is_image_record(tx, rec)) {
            continue;
        }
        mid_an2k_image_info info;
        if (mid_an2k_image_info_get(ctx, tx, rec, &info) != MID_OK ||
            (info.type != 4 && info.type != 14) || info.n_fgp == 0 || info.fgp[0] < 1 ||
            info.fgp[0] > 10) {
            continue; /* not a single-finger image: slaps, palms, faces */
        }
        mid_image *img = NULL;
        s = mid_an2k_image_decode(ctx, tx, rec, &img);
        if (s != MID_OK) {
            char what[48];
            snprintf(what, sizeof(what), "record %zu (finger %u)", rec + 1, info.fgp[0]);
            rc = cli_fail(CMD, what, ctx, s);
            break;
        }
        rc = extract_into(ctx, ex, img, info.fgp[0], set);
        mid_image_free(img);
    }
    mid_an2k_free(tx);
    if (rc == 0 && set->n == 0) {
        fprintf(stderr, "mid %s: %s holds no Type-4/14 finger image with a position 1..10\n", CMD,
                path);
        rc = CLI_EXIT_FAIL;
    }
    return rc;
}

static int from_images(mid_ctx *ctx, mid_extractor *ex, char **specs, size_t n,
                       const cli_image_opts *opts, enrol_set *set) {
    for (size_t i = 0; i < n; i++) {
        char *eq = strchr(specs[i], '=');
        uint64_t pos = 0;
        if (eq == NULL) {
            return cli_usage_error(CMD, "--finger takes POS=IMAGE, not '%s'", specs[i]);
        }
        *eq = '\0';
        if (!cli_parse_u64(CMD, "--finger", specs[i], &pos) || pos < 1 || pos > 10) {
            return cli_usage_error(CMD, "finger position must be 1..10");
        }
        mid_image *img = NULL;
        mid_status s = cli_load_image(ctx, eq + 1, opts, &img);
        if (s != MID_OK) {
            return cli_fail(CMD, eq + 1, ctx, s);
        }
        int rc = extract_into(ctx, ex, img, (unsigned)pos, set);
        mid_image_free(img);
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

static int store_set(mid_ctx *ctx, mid_store *st, mid_db db, uint64_t person, enrol_set *set,
                     const cli_data *d) {
    mid_status s = mid_store_begin(st, ctx);
    char fingers[40] = "";
    for (unsigned f = 1; f <= 10 && s == MID_OK; f++) {
        if (set->t[f] != NULL) {
            s = mid_store_print_put(st, ctx, db, person, f, set->t[f]);
            size_t used = strlen(fingers);
            snprintf(fingers + used, sizeof(fingers) - used, "%s%u", used ? "," : "", f);
        }
    }
    if (s != MID_OK) {
        (void)mid_store_rollback(st, NULL);
        return cli_fail(CMD, "storing the prints", ctx, s);
    }
    if ((s = mid_store_commit(st, ctx)) != MID_OK) {
        return cli_fail(CMD, "storing the prints", ctx, s);
    }
    char ids[24], detail[96];
    snprintf(ids, sizeof(ids), "%llu", (unsigned long long)person);
    snprintf(detail, sizeof(detail), "%s fingers %s", mid_db_name(db), fingers);
    if (cli_audit_admin(CMD, ctx, d, "enrol", "person", ids, detail) != 0) {
        return CLI_EXIT_FAIL;
    }
    printf("enrolled person %s in %s: fingers %s\n", ids, mid_db_name(db), fingers);
    return 0;
}

static int from_gallery(mid_ctx *ctx, mid_store *st, mid_db db, const char *path,
                        const cli_data *d) {
    mid_gallery_reader *r = NULL;
    mid_status s = mid_gallery_reader_open_path(ctx, path, &r);
    if (s != MID_OK) {
        return cli_fail(CMD, path, ctx, s);
    }
    double t0 = cli_now();
    uint64_t n = 0;
    s = mid_store_begin(st, ctx);
    while (s == MID_OK) {
        mid_gallery_record rec;
        mid_template *t = NULL;
        s = mid_gallery_reader_next(r, &rec, &t);
        if (s != MID_OK || t == NULL) {
            break;
        }
        if (rec.finger < 1 || rec.finger > 10) {
            mid_template_free(t);
            fprintf(stderr, "mid %s: record %llu: finger position %u outside 1..10\n", CMD,
                    (unsigned long long)n + 1, rec.finger);
            (void)mid_store_rollback(st, NULL);
            mid_gallery_reader_close(r);
            return CLI_EXIT_FAIL;
        }
        s = mid_store_print_put(st, ctx, db, rec.person, rec.finger, t);
        mid_template_free(t);
        n += s == MID_OK;
    }
    mid_gallery_reader_close(r);
    if (s != MID_OK) {
        (void)mid_store_rollback(st, NULL);
        char what[48];
        snprintf(what, sizeof(what), "record %llu", (unsigned long long)n + 1);
        return cli_fail(CMD, what, ctx, s);
    }
    if ((s = mid_store_commit(st, ctx)) != MID_OK) {
        return cli_fail(CMD, "committing the gallery", ctx, s);
    }
    double secs = cli_now() - t0;
    char detail[96];
    snprintf(detail, sizeof(detail), "%s gallery import: %llu prints", mid_db_name(db),
             (unsigned long long)n);
    if (cli_audit_admin(CMD, ctx, d, "enrol", NULL, NULL, detail) != 0) {
        return CLI_EXIT_FAIL;
    }
    printf("enrolled %llu prints into %s (%s) in %.2f s (%.0f prints/s)\n", (unsigned long long)n,
           mid_db_name(db), mid_store_backend(st), secs, secs > 0 ? (double)n / secs : 0.0);
    return 0;
}

int cli_cmd_enrol(int argc, char **argv) {
    cli_data d;
    memset(&d, 0, sizeof(d));
    cli_image_opts opts = {0, 0, 0};
    int db = -1;
    uint64_t person = 0;
    bool have_person = false;
    const char *an2k = NULL, *gallery = NULL;
    char **fingers = calloc((size_t)argc + 1, sizeof(*fingers));
    size_t n_fingers = 0;
    if (fingers == NULL) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    int rc = 0;
    for (int i = 1; i < argc && rc == 0; i++) {
        int r = cli_data_option(CMD, argc, argv, &i, &d);
        if (r == 0) {
            r = cli_image_option(CMD, argc, argv, &i, &opts);
        }
        if (r < 0) {
            rc = CLI_EXIT_USAGE;
            break;
        }
        if (r > 0) {
            continue;
        }
        const char *a = argv[i];
        const char *v = NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            free(fingers);
            return 0;
        }
        if (strcmp(a, "--db") == 0 || strcmp(a, "--person") == 0 || strcmp(a, "--an2k") == 0 ||
            strcmp(a, "--finger") == 0 || strcmp(a, "--gallery") == 0) {
            if ((v = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                rc = CLI_EXIT_USAGE;
                break;
            }
        } else {
            rc = cli_usage_error(CMD, "unexpected argument '%s'", a);
            break;
        }
        if (strcmp(a, "--db") == 0) {
            if ((db = mid_db_parse(v)) < 0) {
                rc = cli_usage_error(CMD, "--db must be IDENT1 or IABS");
            }
        } else if (strcmp(a, "--person") == 0) {
            if (!cli_parse_u64(CMD, "--person", v, &person)) {
                rc = CLI_EXIT_USAGE;
            }
            have_person = true;
        } else if (strcmp(a, "--an2k") == 0) {
            an2k = v;
        } else if (strcmp(a, "--gallery") == 0) {
            gallery = v;
        } else {
            fingers[n_fingers++] = argv[i];
        }
    }
    if (rc == 0 && db < 0) {
        rc = cli_usage_error(CMD, "--db IDENT1|IABS is required");
    }
    int sources = (an2k != NULL) + (gallery != NULL) + (n_fingers > 0);
    if (rc == 0 && sources != 1) {
        rc = cli_usage_error(CMD, "give exactly one of --an2k, --finger or --gallery");
    }
    if (rc == 0 && gallery == NULL && !have_person) {
        rc = cli_usage_error(CMD, "--person ID is required with --an2k and --finger");
    }
    if (rc == 0 && gallery != NULL && have_person) {
        rc = cli_usage_error(CMD, "--gallery takes the persons from the gallery, not --person");
    }
    if (rc == 0 && !cli_data_finish(CMD, &d)) {
        rc = CLI_EXIT_USAGE;
    }
    if (rc != 0) {
        free(fingers);
        return rc;
    }

    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        free(fingers);
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    enrol_set set;
    memset(&set, 0, sizeof(set));
    if (gallery == NULL) {
        mid_extractor *ex = NULL;
        mid_status s = mid_extractor_create(ctx, &ex);
        if (s != MID_OK) {
            rc = cli_fail(CMD, "extractor", ctx, s);
        } else {
            rc = an2k != NULL ? from_an2k(ctx, ex, an2k, &set)
                              : from_images(ctx, ex, fingers, n_fingers, &opts, &set);
            mid_extractor_free(ex);
        }
    }
    mid_store *st = NULL;
    if (rc == 0 && cli_admin_open_store(CMD, ctx, &d, &st) != MID_OK) {
        rc = CLI_EXIT_FAIL;
    }
    if (rc == 0) {
        rc = gallery != NULL ? from_gallery(ctx, st, (mid_db)db, gallery, &d)
                             : store_set(ctx, st, (mid_db)db, person, &set, &d);
    }
    mid_store_close(st);
    set_free(&set);
    mid_ctx_free(ctx);
    free(fingers);
    return rc;
}
