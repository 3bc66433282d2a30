// layer: template
/*
 * Fuzzes the gallery reader (mid/gallery.h) on arbitrary bytes: every record is
 * read and decoded until the end or the first failure. Whatever was read is
 * written again into a memory stream with the same header mode; when the whole
 * input was accepted, the rewrite must reproduce it byte for byte (the format
 * has one encoding per content), otherwise the target aborts.
 *
 * Seed corpus (fuzz/corpus/gallery/): small galleries written by `mid synth gallery`
 * (counted and streamed) and damaged copies of them; the commands that made them are
 * in docs/synth-templates.md.
 */
#include "mid/gallery.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0) {
        return 0; /* fmemopen needs a buffer; an empty gallery is a truncated header */
    }
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    FILE *in = fmemopen((void *)data, size, "rb");
    char *copy = NULL;
    size_t copy_len = 0;
    FILE *out = open_memstream(&copy, &copy_len);
    if (in == NULL || out == NULL) {
        abort();
    }
    mid_gallery_reader *r = NULL;
    mid_gallery_writer *w = NULL;
    mid_status st = mid_gallery_reader_open(ctx, in, &r);
    bool whole = false;
    if (st == MID_OK) {
        if (mid_gallery_writer_open(ctx, out, mid_gallery_reader_count(r), &w) != MID_OK) {
            abort();
        }
        for (;;) {
            mid_gallery_record rec;
            mid_template *t = NULL;
            st = mid_gallery_reader_next(r, &rec, &t);
            if (st != MID_OK || t == NULL) {
                whole = st == MID_OK;
                break;
            }
            if (mid_gallery_writer_append(w, &rec, t) != MID_OK) {
                /* Only a count the reader has already checked can make this fail. */
                abort();
            }
            mid_template_free(t);
        }
        if (st != MID_OK) {
            /* Failures are sticky and leave no template behind. */
            mid_gallery_record rec;
            mid_template *t = NULL;
            if (mid_gallery_reader_next(r, &rec, &t) == MID_OK || t != NULL) {
                abort();
            }
            if (strlen(mid_ctx_error(ctx)) == 0) {
                abort();
            }
        }
    }
    mid_status wst = mid_gallery_writer_close(w);
    mid_gallery_reader_close(r);
    fclose(in);
    fclose(out);
    if (whole && (wst != MID_OK || copy_len != size || memcmp(copy, data, size) != 0)) {
        abort();
    }
    free(copy);
    mid_ctx_free(ctx);
    return 0;
}
