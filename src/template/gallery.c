/*
 * The gallery container: a header, tagged records and an end mark (the byte
 * layout is in mid/gallery.h). Writing and reading are strictly sequential, so a
 * gallery can be produced into a pipe and consumed from one.
 *
 * The reader trusts nothing: every length is checked against the limits before it
 * is used, each template goes through the native decoder (which checks its CRC),
 * and every failure names the byte offset at fault.
 */
#include "mid/gallery.h"

#include "core/core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define GAL_VERSION 1u
#define GAL_HEADER 16u
#define GAL_FLAG_STREAMED 0x01u
#define GAL_TAG_RECORD 'R'
#define GAL_TAG_END 'E'
#define GAL_RECORD_HEAD 18u /* tag, person, finger, impression, length */
#define GAL_END 9u          /* tag, count */

static void put_le32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void put_le64(uint8_t *p, uint64_t v) {
    for (int i = 0; i < 8; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static uint32_t get_le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get_le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = v << 8 | p[i];
    }
    return v;
}

/* ---- Writer ------------------------------------------------------------- */

struct mid_gallery_writer {
    mid_ctx *ctx;
    FILE *f;
    bool owns_file;
    bool failed;       /* a write failed: close reports it */
    uint64_t expected; /* declared count or MID_GALLERY_STREAMED */
    uint64_t written;
};

static mid_status writer_put(mid_gallery_writer *w, const void *data, size_t len) {
    if (w->failed) {
        return core_fail(w->ctx, MID_ERR_IO, "gallery: an earlier write failed");
    }
    if (fwrite(data, 1, len, w->f) != len) {
        w->failed = true;
        return core_fail(w->ctx, MID_ERR_IO, "gallery: write failed: %s", strerror(errno));
    }
    return MID_OK;
}

static mid_status writer_start(mid_ctx *ctx, FILE *f, bool owns, uint64_t count,
                               mid_gallery_writer **out) {
    mid_gallery_writer *w = core_calloc(1, sizeof *w);
    if (w == NULL) {
        if (owns) {
            fclose(f);
        }
        return core_fail(ctx, MID_ERR_NOMEM, "gallery: out of memory");
    }
    w->ctx = ctx;
    w->f = f;
    w->owns_file = owns;
    w->expected = count;
    uint8_t h[GAL_HEADER] = {'M', 'I', 'D', 'G', GAL_VERSION, 0, 0, 0};
    if (count == MID_GALLERY_STREAMED) {
        h[5] = GAL_FLAG_STREAMED;
    } else {
        put_le64(h + 8, count);
    }
    mid_status st = writer_put(w, h, sizeof h);
    if (st != MID_OK) {
        w->failed = false; /* the message above is the one to keep */
        if (owns) {
            fclose(f);
        }
        free(w);
        return st;
    }
    *out = w;
    return MID_OK;
}

mid_status mid_gallery_writer_open(mid_ctx *ctx, FILE *f, uint64_t count,
                                   mid_gallery_writer **out) {
    if (f == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "gallery writer: NULL argument");
    }
    *out = NULL;
    if (count != MID_GALLERY_STREAMED && count > MID_MAX_GALLERY_RECORDS) {
        return core_fail(ctx, MID_ERR_LIMIT, "gallery writer: %llu records above the limit %llu",
                         (unsigned long long)count, (unsigned long long)MID_MAX_GALLERY_RECORDS);
    }
    return writer_start(ctx, f, false, count, out);
}

mid_status mid_gallery_writer_open_path(mid_ctx *ctx, const char *path, uint64_t count,
                                        mid_gallery_writer **out) {
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "gallery writer: NULL argument");
    }
    *out = NULL;
    if (count != MID_GALLERY_STREAMED && count > MID_MAX_GALLERY_RECORDS) {
        return core_fail(ctx, MID_ERR_LIMIT, "gallery writer: %llu records above the limit %llu",
                         (unsigned long long)count, (unsigned long long)MID_MAX_GALLERY_RECORDS);
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL) {
        return core_fail(ctx, MID_ERR_IO, "gallery writer: cannot create '%s': %s", path,
                         strerror(errno));
    }
    return writer_start(ctx, f, true, count, out);
}

mid_status mid_gallery_writer_append(mid_gallery_writer *w, const mid_gallery_record *rec,
                                     const mid_template *t) {
    if (w == NULL || rec == NULL || t == NULL) {
        return w == NULL ? MID_ERR_ARG
                         : core_fail(w->ctx, MID_ERR_ARG, "gallery append: NULL argument");
    }
    if (rec->finger > 15) {
        return core_fail(w->ctx, MID_ERR_ARG, "gallery append: finger position %u not in 0..15",
                         (unsigned)rec->finger);
    }
    uint64_t cap = w->expected == MID_GALLERY_STREAMED ? MID_MAX_GALLERY_RECORDS : w->expected;
    if (w->written >= cap) {
        return core_fail(w->ctx, MID_ERR_ARG, "gallery append: more than the %llu records declared",
                         (unsigned long long)cap);
    }
    void *enc = NULL;
    size_t len = 0;
    mid_status st = mid_template_encode(w->ctx, t, MID_TEMPLATE_NATIVE, &enc, &len);
    if (st != MID_OK) {
        return st;
    }
    if (len > MID_MAX_GALLERY_TEMPLATE_BYTES) { /* cannot happen with a valid template */
        mid_free(enc);
        return core_fail(w->ctx, MID_ERR_LIMIT, "gallery append: template of %zu bytes", len);
    }
    uint8_t head[GAL_RECORD_HEAD];
    head[0] = GAL_TAG_RECORD;
    put_le64(head + 1, rec->person);
    head[9] = rec->finger;
    put_le32(head + 10, rec->impression);
    put_le32(head + 14, (uint32_t)len);
    st = writer_put(w, head, sizeof head);
    if (st == MID_OK) {
        st = writer_put(w, enc, len);
    }
    mid_free(enc);
    if (st == MID_OK) {
        w->written++;
    }
    return st;
}

mid_status mid_gallery_writer_close(mid_gallery_writer *w) {
    if (w == NULL) {
        return MID_OK;
    }
    mid_status st = MID_OK;
    if (w->expected != MID_GALLERY_STREAMED && w->written != w->expected) {
        st = core_fail(w->ctx, MID_ERR_ARG, "gallery close: %llu records appended, %llu declared",
                       (unsigned long long)w->written, (unsigned long long)w->expected);
    } else {
        uint8_t end[GAL_END];
        end[0] = GAL_TAG_END;
        put_le64(end + 1, w->written);
        st = writer_put(w, end, sizeof end);
    }
    if (fflush(w->f) != 0 && st == MID_OK) {
        st = core_fail(w->ctx, MID_ERR_IO, "gallery close: flush failed: %s", strerror(errno));
    }
    if (ferror(w->f) && st == MID_OK) {
        st = core_fail(w->ctx, MID_ERR_IO, "gallery close: write error on the stream");
    }
    if (w->owns_file && fclose(w->f) != 0 && st == MID_OK) {
        st = core_fail(w->ctx, MID_ERR_IO, "gallery close: close failed: %s", strerror(errno));
    }
    free(w);
    return st;
}

/* ---- Reader ------------------------------------------------------------- */

struct mid_gallery_reader {
    mid_ctx *ctx;
    FILE *f;
    bool owns_file;
    bool ended;                   /* the end mark was read and checked */
    mid_status error;             /* sticky failure, MID_OK while healthy */
    uint64_t count;               /* header count or MID_GALLERY_STREAMED */
    uint64_t read;                /* records returned so far */
    uint64_t offset;              /* bytes consumed, for messages */
    char detail[MID_ERRMSG_SIZE]; /* the first failure's message, repeated after it */
    uint8_t buf[MID_MAX_GALLERY_TEMPLATE_BYTES];
};

static mid_status reader_fail(mid_gallery_reader *r, mid_status st, const char *what) {
    r->error = st;
    return core_fail(r->ctx, st, "gallery: %s at offset %llu", what, (unsigned long long)r->offset);
}

/* Reads exactly len bytes; a short read is a truncation (or an I/O error). */
static mid_status reader_get(mid_gallery_reader *r, void *dst, size_t len, const char *what) {
    size_t got = fread(dst, 1, len, r->f);
    if (got != len) {
        r->offset += got;
        r->error = ferror(r->f) ? MID_ERR_IO : MID_ERR_FORMAT;
        return core_fail(r->ctx, r->error, "gallery: %s %s at offset %llu",
                         r->error == MID_ERR_IO ? "read error in" : "truncated", what,
                         (unsigned long long)r->offset);
    }
    r->offset += len;
    return MID_OK;
}

static mid_status reader_start(mid_ctx *ctx, FILE *f, bool owns, mid_gallery_reader **out) {
    mid_gallery_reader *r = core_calloc(1, sizeof *r);
    if (r == NULL) {
        if (owns) {
            fclose(f);
        }
        return core_fail(ctx, MID_ERR_NOMEM, "gallery: out of memory");
    }
    r->ctx = ctx;
    r->f = f;
    r->owns_file = owns;
    uint8_t h[GAL_HEADER];
    mid_status st = reader_get(r, h, sizeof h, "header");
    if (st == MID_OK && memcmp(h, "MIDG", 4) != 0) {
        r->offset = 0;
        st = reader_fail(r, MID_ERR_FORMAT, "bad magic (not a gallery)");
    } else if (st == MID_OK && h[4] != GAL_VERSION) {
        r->offset = 4;
        st = core_fail(ctx, MID_ERR_UNSUPPORTED, "gallery: unsupported version %u at offset 4",
                       (unsigned)h[4]);
    } else if (st == MID_OK && (h[5] & ~GAL_FLAG_STREAMED) != 0) {
        r->offset = 5;
        st = reader_fail(r, MID_ERR_FORMAT, "unknown flags");
    } else if (st == MID_OK && (h[6] != 0 || h[7] != 0)) {
        r->offset = 6;
        st = reader_fail(r, MID_ERR_FORMAT, "reserved bytes not zero");
    } else if (st == MID_OK) {
        uint64_t count = get_le64(h + 8);
        r->offset = 8;
        if ((h[5] & GAL_FLAG_STREAMED) != 0) {
            r->count = MID_GALLERY_STREAMED;
            if (count != 0) {
                st = reader_fail(r, MID_ERR_FORMAT, "streamed gallery with a nonzero count");
            }
        } else if (count > MID_MAX_GALLERY_RECORDS) {
            st = core_fail(ctx, MID_ERR_LIMIT, "gallery: count %llu at offset 8 above %llu",
                           (unsigned long long)count, (unsigned long long)MID_MAX_GALLERY_RECORDS);
        } else {
            r->count = count;
        }
        r->offset = GAL_HEADER;
    }
    if (st != MID_OK) {
        mid_gallery_reader_close(r);
        return st;
    }
    *out = r;
    return MID_OK;
}

mid_status mid_gallery_reader_open(mid_ctx *ctx, FILE *f, mid_gallery_reader **out) {
    if (f == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "gallery reader: NULL argument");
    }
    *out = NULL;
    return reader_start(ctx, f, false, out);
}

mid_status mid_gallery_reader_open_path(mid_ctx *ctx, const char *path, mid_gallery_reader **out) {
    if (path == NULL || out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "gallery reader: NULL argument");
    }
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        return core_fail(ctx, MID_ERR_IO, "gallery reader: cannot open '%s': %s", path,
                         strerror(errno));
    }
    return reader_start(ctx, f, true, out);
}

uint64_t mid_gallery_reader_count(const mid_gallery_reader *r) {
    return r == NULL ? 0 : r->count;
}

/* Checks the end mark whose tag has been read, and that nothing follows it. */
static mid_status reader_end(mid_gallery_reader *r) {
    uint8_t n[GAL_END - 1];
    mid_status st = reader_get(r, n, sizeof n, "end mark");
    if (st != MID_OK) {
        return st;
    }
    if (get_le64(n) != r->read) {
        r->offset -= sizeof n;
        return reader_fail(r, MID_ERR_FORMAT, "end mark count differs from the records read");
    }
    if (r->count != MID_GALLERY_STREAMED && r->read != r->count) {
        r->offset -= GAL_END;
        return reader_fail(r, MID_ERR_FORMAT, "end mark before the header's record count");
    }
    if (fgetc(r->f) != EOF) {
        return reader_fail(r, MID_ERR_FORMAT, "trailing bytes after the end mark");
    }
    if (ferror(r->f)) {
        return reader_fail(r, MID_ERR_IO, "read error");
    }
    r->ended = true;
    return MID_OK;
}

static mid_status reader_next(mid_gallery_reader *r, mid_gallery_record *rec, mid_template **t) {
    if (r->ended) {
        return MID_OK;
    }
    uint8_t head[GAL_RECORD_HEAD];
    mid_status st = reader_get(r, head, 1, "record tag or end mark");
    if (st != MID_OK) {
        return st;
    }
    if (head[0] == GAL_TAG_END) {
        return reader_end(r);
    }
    if (head[0] != GAL_TAG_RECORD) {
        r->offset -= 1;
        return reader_fail(r, MID_ERR_FORMAT, "neither a record tag nor the end mark");
    }
    if (r->read >= r->count || r->read >= MID_MAX_GALLERY_RECORDS) {
        r->offset -= 1;
        return reader_fail(r, MID_ERR_FORMAT, "more records than the header's count");
    }
    uint64_t start = r->offset - 1;
    st = reader_get(r, head + 1, sizeof head - 1, "record header");
    if (st != MID_OK) {
        return st;
    }
    uint32_t len = get_le32(head + 14);
    if (head[9] > 15) {
        r->offset = start + 9;
        return reader_fail(r, MID_ERR_FORMAT, "finger position above 15");
    }
    if (len == 0 || len > MID_MAX_GALLERY_TEMPLATE_BYTES) {
        r->offset = start + 14;
        return reader_fail(r, len == 0 ? MID_ERR_FORMAT : MID_ERR_LIMIT,
                           "template length zero or above MID_MAX_GALLERY_TEMPLATE_BYTES");
    }
    st = reader_get(r, r->buf, len, "template");
    if (st != MID_OK) {
        return st;
    }
    mid_template *tmpl = NULL;
    st = mid_template_decode(r->ctx, r->buf, len, MID_TEMPLATE_NATIVE, &tmpl);
    core_wipe(r->buf, len);
    if (st != MID_OK) {
        /* Keep the decoder's detail, prefixed with where the record is. */
        char detail[MID_ERRMSG_SIZE];
        snprintf(detail, sizeof detail, "%s", mid_ctx_error(r->ctx));
        r->error = st;
        return core_fail(r->ctx, st, "gallery: record at offset %llu: %s",
                         (unsigned long long)start, detail);
    }
    rec->person = get_le64(head + 1);
    rec->finger = head[9];
    rec->impression = get_le32(head + 10);
    r->read++;
    *t = tmpl;
    return MID_OK;
}

mid_status mid_gallery_reader_next(mid_gallery_reader *r, mid_gallery_record *rec,
                                   mid_template **t) {
    if (r == NULL || rec == NULL || t == NULL) {
        return r == NULL ? MID_ERR_ARG
                         : core_fail(r->ctx, MID_ERR_ARG, "gallery next: NULL argument");
    }
    *t = NULL;
    if (r->error != MID_OK) {
        return core_fail(r->ctx, r->error, "%s", r->detail);
    }
    mid_status st = reader_next(r, rec, t);
    if (st != MID_OK) {
        r->error = st;
        snprintf(r->detail, sizeof r->detail, "%s", mid_ctx_error(r->ctx));
    }
    return st;
}

void mid_gallery_reader_close(mid_gallery_reader *r) {
    if (r == NULL) {
        return;
    }
    if (r->owns_file) {
        fclose(r->f);
    }
    free(r);
}
