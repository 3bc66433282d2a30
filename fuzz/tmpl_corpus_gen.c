/*
 * Writes the seed corpora of the template fuzz targets (fuzz/corpus/tmpl_*),
 * using the library's own encoders plus a few byte-level variants (two finger
 * views with extended data, ANSI long length form, padding) that the encoders
 * never produce. Not part of the build; regenerate with:
 *   cc -std=c11 -Iinclude -Isrc fuzz/tmpl_corpus_gen.c \
 *      build/<dir>/src/libmid_template.a build/<dir>/src/libmid_core.a -lm -o /tmp/gen &&
 *   /tmp/gen fuzz/corpus
 */
#include "mid/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int write_file(const char *root, const char *dir, const char *name, const void *p,
                      size_t n) {
    char path[1024];
    snprintf(path, sizeof(path), "%s/%s/%s", root, dir, name);
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(p, 1, n, f) != n || fclose(f) != 0) {
        fprintf(stderr, "cannot write %s\n", path);
        return -1;
    }
    return 0;
}

static mid_template *make(mid_ctx *ctx, size_t n, unsigned seed) {
    mid_template *t = NULL;
    if (mid_template_create(ctx, 300, 400, 500, &t) != MID_OK) {
        return NULL;
    }
    mid_template_set_quality(t, 60);
    mid_template_set_finger(ctx, t, 3, 0);
    unsigned s = seed;
    for (size_t i = 0; i < n; i++) {
        s = s * 1103515245u + 12345u;
        mid_minutia m = {(uint16_t)((s >> 8) % 300), (uint16_t)((s >> 4) % 400), (uint8_t)(s >> 16),
                         (uint8_t)((s >> 24) % 3), (uint8_t)(s % 101)};
        mid_template_add(ctx, t, &m);
    }
    return t;
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s <corpus root>\n", argv[0]);
        return 2;
    }
    const char *root = argv[1];
    mid_ctx *ctx = NULL;
    mid_ctx_create(&ctx);
    static const size_t counts[] = {0, 1, 5, 30};
    static const struct {
        mid_template_format f;
        const char *dir;
    } fmts[] = {{MID_TEMPLATE_NATIVE, "tmpl_native"},
                {MID_TEMPLATE_ISO19794_2_2005, "tmpl_iso"},
                {MID_TEMPLATE_ANSI378_2004, "tmpl_ansi"}};
    int rc = 0;
    for (size_t k = 0; k < 4; k++) {
        mid_template *t = make(ctx, counts[k], 7u + (unsigned)k);
        for (size_t j = 0; j < 3 && t != NULL; j++) {
            void *buf = NULL;
            size_t len = 0;
            if (mid_template_encode(ctx, t, fmts[j].f, &buf, &len) != MID_OK) {
                rc = 1;
                continue;
            }
            char name[64];
            snprintf(name, sizeof(name), "min%zu.bin", counts[k]);
            rc |= write_file(root, fmts[j].dir, name, buf, len);
            char auto_name[80];
            snprintf(auto_name, sizeof(auto_name), "%s_%s", fmts[j].dir + 5, name);
            rc |= write_file(root, "tmpl_auto", auto_name, buf, len);
            if (k == 2 && fmts[j].f != MID_TEMPLATE_NATIVE) {
                /* Two views: copy the view, add a 7-byte vendor extended data block
                 * to the first, patch the record length and view count. */
                int ansi = fmts[j].f == MID_TEMPLATE_ANSI378_2004;
                size_t hdr = ansi ? 26 : 24, view = len - hdr;
                size_t total = hdr + view + 7 + view;
                uint8_t *two = calloc(total, 1);
                if (two == NULL) {
                    return 1;
                }
                memcpy(two, buf, hdr + view - 2);
                static const uint8_t ext[9] = {0, 7, 0x01, 0x01, 0, 7, 1, 2, 3};
                memcpy(two + hdr + view - 2, ext, 9);
                memcpy(two + hdr + view + 7, (uint8_t *)buf + hdr, view);
                two[hdr - 2] = 2;
                if (ansi) {
                    two[8] = (uint8_t)(total >> 8);
                    two[9] = (uint8_t)total;
                } else {
                    two[10] = (uint8_t)(total >> 8);
                    two[11] = (uint8_t)total;
                }
                rc |= write_file(root, fmts[j].dir, "two_views.bin", two, total);
                if (ansi) {
                    /* Long length form: 2-byte 0 then a 4-byte length. */
                    uint8_t *lf = calloc(len + 4, 1);
                    if (lf == NULL) {
                        return 1;
                    }
                    memcpy(lf, buf, 8);
                    size_t n = len + 4;
                    lf[12] = (uint8_t)(n >> 8);
                    lf[13] = (uint8_t)n;
                    memcpy(lf + 14, (uint8_t *)buf + 10, len - 10);
                    rc |= write_file(root, "tmpl_ansi", "long_length.bin", lf, n);
                    rc |= write_file(root, "tmpl_auto", "ansi_long_length.bin", lf, n);
                    free(lf);
                } else {
                    rc |= write_file(root, "tmpl_auto", "iso_two_views.bin", two, total);
                }
                free(two);
            }
            mid_free(buf);
        }
        mid_template_free(t);
    }
    mid_ctx_free(ctx);
    return rc;
}
