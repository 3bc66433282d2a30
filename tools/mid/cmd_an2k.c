/* mid an2k: dump, check and copy ANSI/NIST-ITL transactions (traditional encoding). */
#include "cli.h"
#include "mid/an2k.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *const CMD = "an2k";

static void usage(FILE *f) {
    fprintf(f, "usage: mid an2k dump FILE [--extract DIR]\n"
               "       mid an2k check FILE\n"
               "       mid an2k copy IN OUT\n"
               "\n"
               "ANSI/NIST-ITL 1-2011 (Update 2015) transactions, traditional encoding\n"
               "(versions 0200 .. 0502).\n"
               "  dump   one line per field: 'T.NNN [record R Type-T @ offset O]: value', with\n"
               "         separators shown as <RS> (subfield) and <US> (item) and other control\n"
               "         bytes as \\xNN; image data is summarised (bytes, compression, size).\n"
               "         --extract DIR writes each record's image data to DIR as\n"
               "         rNNN-typeT.<ext> (the data as stored: wsq, jpg, jp2, png, raw or bin)\n"
               "         and, for images that decode, rNNN-typeT-decoded.png (8-bit grey).\n"
               "  check  validates the file and prints every problem found, one per line;\n"
               "         exit status 0 only when there is none.\n"
               "  copy   parses IN and serialises it to OUT (unchanged records are byte-exact).\n");
}

static void print_text(const uint8_t *v, size_t len) {
    for (size_t i = 0; i < len; i++) {
        if (v[i] == MID_AN2K_RS) {
            fputs("<RS>", stdout);
        } else if (v[i] == MID_AN2K_US) {
            fputs("<US>", stdout);
        } else if (v[i] < 0x20 || v[i] >= 0x7F) {
            printf("\\x%02X", v[i]);
        } else {
            putchar(v[i]);
        }
    }
}

static const char *data_ext(const mid_an2k_image_info *ii) {
    switch (ii->compression) {
    case MID_AN2K_CGA_WSQ20:
        return "wsq";
    case MID_AN2K_CGA_JPEGB:
    case MID_AN2K_CGA_JPEGL:
        return "jpg";
    case MID_AN2K_CGA_JP2:
    case MID_AN2K_CGA_JP2L:
        return "jp2";
    case MID_AN2K_CGA_PNG:
        return "png";
    case MID_AN2K_CGA_NONE:
        return "raw";
    default:
        return "bin";
    }
}

static void print_image_summary(const mid_an2k_image_info *ii) {
    printf("[image data %zu bytes, compression %s (%s), %ux%u, %u bpp, %.0f ppi]", ii->data_len,
           mid_an2k_compression_name(ii->compression), ii->cga, ii->hll, ii->vll, ii->bpx, ii->ppi);
}

/* Decodes image record rec and saves it as DIR/rNNN-typeT-decoded.png; a record
 * that does not decode is noted on stderr and skipped (the stored data is still
 * written). */
static int write_decoded(mid_ctx *ctx, const mid_an2k *tx, const char *dir, size_t rec) {
    mid_image *img = NULL;
    mid_status st = mid_an2k_image_decode(ctx, tx, rec, &img);
    if (st != MID_OK) {
        fprintf(stderr, "mid %s: record %zu not decoded: %s\n", CMD, rec + 1, mid_ctx_error(ctx));
        return 0;
    }
    char path[4096];
    snprintf(path, sizeof(path), "%s/r%03zu-type%u-decoded.png", dir, rec + 1,
             mid_an2k_record_type(tx, rec));
    st = mid_image_save_png(ctx, img, path);
    mid_image_free(img);
    if (st != MID_OK) {
        return cli_fail(CMD, "cannot write the decoded image", ctx, st);
    }
    return 0;
}

static int write_extract(const char *dir, size_t rec, unsigned type, const char *ext,
                         const uint8_t *data, size_t len) {
    char path[4096];
    snprintf(path, sizeof(path), "%s/r%03zu-type%u.%s", dir, rec + 1, type, ext);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, len, f) != len) {
        if (f != NULL) {
            fclose(f);
        }
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    if (fclose(f) != 0) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

/* The header fields of a legacy binary record as pseudo-fields, each with the
 * byte offset of its first byte. */
static void dump_binary(const mid_an2k *tx, size_t rec) {
    unsigned t = mid_an2k_record_type(tx, rec);
    size_t n, o = mid_an2k_record_offset(tx, rec);
    const uint8_t *b = mid_an2k_record_bytes(tx, rec, &n);
#define WHERE(field, at)                                                                           \
    "%u.%03u [record %zu Type-%u @ offset %zu]: ", t, field, rec + 1, t, o + (at)
    printf(WHERE(1, 0));
    printf("LEN %zu\n", n);
    printf(WHERE(2, 4));
    printf("IDC %u\n", b[4]);
    if (n >= 18 && ((t >= 3 && t <= 6) || (t == 7 && mid_an2k_is_image_record(tx, rec)))) {
        printf(WHERE(3, 5));
        printf("IMP %u\n", b[5]);
        printf(WHERE(4, 6));
        printf("FGP %u %u %u %u %u %u\n", b[6], b[7], b[8], b[9], b[10], b[11]);
        printf(WHERE(5, 12));
        printf("ISR %u\n", b[12]);
        printf(WHERE(6, 13));
        printf("HLL %u\n", ((unsigned)b[13] << 8) | b[14]);
        printf(WHERE(7, 15));
        printf("VLL %u\n", ((unsigned)b[15] << 8) | b[16]);
        printf(WHERE(8, 17));
        printf("GCA %u\n", b[17]);
    } else if (t == 8) {
        printf(WHERE(3, 5));
        printf("SIG %u\n", b[5]);
        printf(WHERE(4, 6));
        printf("SRT %u\n", b[6]);
        printf(WHERE(5, 7));
        printf("ISR %u\n", b[7]);
        printf(WHERE(6, 8));
        printf("HLL %u\n", ((unsigned)b[8] << 8) | b[9]);
        printf(WHERE(7, 10));
        printf("VLL %u\n", ((unsigned)b[10] << 8) | b[11]);
    }
#undef WHERE
}

static int cmd_dump(mid_ctx *ctx, const char *path, const char *dir) {
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_load(ctx, path, &tx);
    if (st != MID_OK) {
        char what[4200];
        snprintf(what, sizeof(what), "cannot read '%s'", path);
        return cli_fail(CMD, what, ctx, st);
    }
    if (dir != NULL && mkdir(dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "mid %s: cannot create '%s': %s\n", CMD, dir, strerror(errno));
        mid_an2k_free(tx);
        return CLI_EXIT_FAIL;
    }
    int rc = 0;
    for (size_t r = 0; r < mid_an2k_record_count(tx); r++) {
        unsigned t = mid_an2k_record_type(tx, r);
        char where[96];
        snprintf(where, sizeof(where), "[record %zu Type-%u @ offset %zu]", r + 1, t,
                 mid_an2k_record_offset(tx, r) + (t == 8 ? 12 : 18));
        mid_an2k_image_info ii;
        bool image =
            mid_an2k_is_image_record(tx, r) && mid_an2k_image_info_get(ctx, tx, r, &ii) == MID_OK;
        if (mid_an2k_record_is_binary(tx, r)) {
            dump_binary(tx, r);
            size_t n;
            const uint8_t *b = mid_an2k_record_bytes(tx, r, &n);
            size_t hdr = t == 8 ? 12 : (t == 7 && !image) ? 5 : 18;
            printf("%u.999 %s: ", t, where);
            if (image) {
                print_image_summary(&ii);
            } else {
                printf("[data %zu bytes]", n - hdr);
            }
            putchar('\n');
            if (dir != NULL && rc == 0) {
                rc = write_extract(dir, r, t, image ? data_ext(&ii) : "bin", b + hdr, n - hdr);
            }
            if (dir != NULL && rc == 0 && image) {
                rc = write_decoded(ctx, tx, dir, r);
            }
            continue;
        }
        for (size_t i = 0; i < mid_an2k_field_count(tx, r); i++) {
            mid_an2k_field f;
            mid_an2k_field_at(tx, r, i, &f);
            printf("%s [record %zu Type-%u @ offset %zu]: ", f.tag, r + 1, t, f.offset);
            if (f.number == 999) {
                if (image) {
                    print_image_summary(&ii);
                } else {
                    printf("[data %zu bytes]", f.len);
                }
                if (dir != NULL && rc == 0) {
                    rc = write_extract(dir, r, t, image ? data_ext(&ii) : "bin", f.value, f.len);
                }
                if (dir != NULL && rc == 0 && image) {
                    rc = write_decoded(ctx, tx, dir, r);
                }
            } else {
                print_text(f.value, f.len);
            }
            putchar('\n');
        }
    }
    mid_an2k_free(tx);
    return rc;
}

static void report_line(void *user, const char *problem) {
    (void)user;
    printf("%s\n", problem);
}

static int cmd_check(mid_ctx *ctx, const char *path) {
    uint8_t *data = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        fprintf(stderr, "mid %s: cannot open '%s': %s\n", CMD, path, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    size_t cap = 1 << 16;
    data = malloc(cap);
    size_t got;
    while (data != NULL && (got = fread(data + len, 1, cap - len, f)) > 0) {
        len += got;
        if (len == cap) {
            if (cap >= MID_AN2K_MAX_BYTES) {
                break;
            }
            uint8_t *nd = realloc(data, cap * 2);
            if (nd == NULL) {
                free(data);
                data = NULL;
                break;
            }
            data = nd;
            cap *= 2;
        }
    }
    fclose(f);
    if (data == NULL) {
        fprintf(stderr, "mid %s: out of memory reading '%s'\n", CMD, path);
        return CLI_EXIT_FAIL;
    }
    size_t problems = 0;
    mid_status st = mid_an2k_check(ctx, data, len, report_line, NULL, &problems);
    free(data);
    if (st == MID_OK) {
        printf("%s: valid\n", path);
        return 0;
    }
    printf("%s: %zu problem(s)\n", path, problems);
    return CLI_EXIT_FAIL;
}

static int cmd_copy(mid_ctx *ctx, const char *in, const char *outp) {
    mid_an2k *tx = NULL;
    mid_status st = mid_an2k_load(ctx, in, &tx);
    if (st != MID_OK) {
        char what[4200];
        snprintf(what, sizeof(what), "cannot read '%s'", in);
        return cli_fail(CMD, what, ctx, st);
    }
    void *buf = NULL;
    size_t len = 0;
    st = mid_an2k_serialize(ctx, tx, &buf, &len);
    mid_an2k_free(tx);
    if (st != MID_OK) {
        return cli_fail(CMD, "cannot serialise", ctx, st);
    }
    FILE *f = fopen(outp, "wb");
    bool ok = f != NULL && fwrite(buf, 1, len, f) == len;
    if (f != NULL && fclose(f) != 0) {
        ok = false;
    }
    mid_free(buf);
    if (!ok) {
        fprintf(stderr, "mid %s: cannot write '%s': %s\n", CMD, outp, strerror(errno));
        return CLI_EXIT_FAIL;
    }
    return 0;
}

int cli_cmd_an2k(int argc, char **argv) {
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc < 2) {
        usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *sub = argv[1];
    const char *extract = NULL;
    const char *pos[2] = {NULL, NULL};
    size_t npos = 0;
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--extract") == 0 && strcmp(sub, "dump") == 0) {
            if ((extract = cli_option_value(CMD, argc, argv, &i)) == NULL) {
                return CLI_EXIT_USAGE;
            }
        } else if (argv[i][0] == '-' && argv[i][1] != '\0') {
            return cli_usage_error(CMD, "unknown option '%s'", argv[i]);
        } else if (npos < 2) {
            pos[npos++] = argv[i];
        } else {
            return cli_usage_error(CMD, "too many arguments");
        }
    }
    size_t want = strcmp(sub, "copy") == 0 ? 2 : 1;
    if (strcmp(sub, "dump") != 0 && strcmp(sub, "check") != 0 && strcmp(sub, "copy") != 0) {
        return cli_usage_error(CMD, "unknown subcommand '%s'", sub);
    }
    if (npos != want) {
        return cli_usage_error(CMD, "%s takes %zu file argument(s)", sub, want);
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        fprintf(stderr, "mid %s: out of memory\n", CMD);
        return CLI_EXIT_FAIL;
    }
    int rc;
    if (strcmp(sub, "dump") == 0) {
        rc = cmd_dump(ctx, pos[0], extract);
    } else if (strcmp(sub, "check") == 0) {
        rc = cmd_check(ctx, pos[0]);
    } else {
        rc = cmd_copy(ctx, pos[0], pos[1]);
    }
    mid_ctx_free(ctx);
    return rc;
}
