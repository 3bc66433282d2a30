/* Gallery container: round trips (declared count and streamed, FILE* and path),
 * truncation at every offset, corrupt lengths, counts, tags and headers. */
#include "support/testutil.h"

#include "mid/gallery.h"
#include "mid/limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A template of n minutiae whose values depend on k. */
static mid_template *make_template(mid_ctx *ctx, unsigned n, unsigned k) {
    mid_template *t = NULL;
    assert_int_equal(mid_template_create(ctx, 388, 374, 500, &t), MID_OK);
    for (unsigned i = 0; i < n; i++) {
        mid_minutia m = {(uint16_t)((i * 37 + k) % 388), (uint16_t)((i * 53 + 3 * k) % 374),
                         (uint8_t)(i * 11 + k), (uint8_t)(1 + (i + k) % 2),
                         (uint8_t)((i * 7 + k) % 101)};
        assert_int_equal(mid_template_add(ctx, t, &m), MID_OK);
    }
    assert_int_equal(mid_template_set_finger(ctx, t, (uint8_t)(k % 11), 0), MID_OK);
    return t;
}

static void assert_same_template(const mid_template *a, const mid_template *b) {
    assert_int_equal(mid_template_count(a), mid_template_count(b));
    assert_int_equal(mid_template_width(a), mid_template_width(b));
    assert_int_equal(mid_template_height(a), mid_template_height(b));
    assert_int_equal(mid_template_finger_position(a), mid_template_finger_position(b));
    const mid_minutia *ma = mid_template_minutiae(a), *mb = mid_template_minutiae(b);
    for (size_t i = 0; i < mid_template_count(a); i++) { /* field by field: no padding */
        assert_int_equal(ma[i].x, mb[i].x);
        assert_int_equal(ma[i].y, mb[i].y);
        assert_int_equal(ma[i].angle, mb[i].angle);
        assert_int_equal(ma[i].type, mb[i].type);
        assert_int_equal(ma[i].quality, mb[i].quality);
    }
}

#define N_RECORDS 4

/* Writes N_RECORDS records into a memory buffer (through a temporary FILE). */
static uint8_t *write_gallery(mid_ctx *ctx, uint64_t declared, size_t *len) {
    FILE *f = tmpfile();
    assert_non_null(f);
    mid_gallery_writer *w = NULL;
    assert_int_equal(mid_gallery_writer_open(ctx, f, declared, &w), MID_OK);
    for (unsigned k = 0; k < N_RECORDS; k++) {
        mid_template *t = make_template(ctx, k == 2 ? 0 : 3 + k, k);
        mid_gallery_record rec = {1000000007ull * k + 5, (uint8_t)(k % 11), 10 + k};
        assert_int_equal(mid_gallery_writer_append(w, &rec, t), MID_OK);
        mid_template_free(t);
    }
    assert_int_equal(mid_gallery_writer_close(w), MID_OK);
    long size = ftell(f);
    assert_true(size > 0);
    rewind(f);
    uint8_t *buf = malloc((size_t)size);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
    fclose(f);
    *len = (size_t)size;
    return buf;
}

/* Reads a buffer as a gallery: returns the number of records read, or -1 on a
 * failure (the first status in *st). Never leaks. */
static long read_buffer(mid_ctx *ctx, const uint8_t *data, size_t len, mid_status *st_out) {
    FILE *f = tmpfile();
    assert_non_null(f);
    if (len > 0) {
        assert_int_equal(fwrite(data, 1, len, f), len);
    }
    rewind(f);
    mid_gallery_reader *r = NULL;
    mid_status st = mid_gallery_reader_open(ctx, f, &r);
    long n = 0;
    while (st == MID_OK) {
        mid_gallery_record rec;
        mid_template *t = NULL;
        st = mid_gallery_reader_next(r, &rec, &t);
        if (st != MID_OK || t == NULL) {
            break;
        }
        mid_template_free(t);
        n++;
    }
    if (st != MID_OK && r != NULL) {
        /* Sticky: the next call fails too. */
        mid_gallery_record rec;
        mid_template *t = NULL;
        assert_int_not_equal(mid_gallery_reader_next(r, &rec, &t), MID_OK);
        assert_null(t);
    }
    mid_gallery_reader_close(r);
    fclose(f);
    *st_out = st;
    return st == MID_OK ? n : -1;
}

static void round_trip(uint64_t declared) {
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    size_t len = 0;
    uint8_t *buf = write_gallery(ctx, declared, &len);
    assert_memory_equal(buf, "MIDG\x01", 5);
    assert_int_equal(buf[5], declared == MID_GALLERY_STREAMED ? 1 : 0);

    FILE *f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    rewind(f);
    mid_gallery_reader *r = NULL;
    assert_int_equal(mid_gallery_reader_open(ctx, f, &r), MID_OK);
    assert_true(mid_gallery_reader_count(r) == declared);
    for (unsigned k = 0; k < N_RECORDS; k++) {
        mid_gallery_record rec;
        mid_template *t = NULL;
        assert_int_equal(mid_gallery_reader_next(r, &rec, &t), MID_OK);
        assert_non_null(t);
        assert_true(rec.person == 1000000007ull * k + 5);
        assert_int_equal(rec.finger, k % 11);
        assert_int_equal(rec.impression, 10 + k);
        mid_template *want = make_template(ctx, k == 2 ? 0 : 3 + k, k);
        assert_same_template(t, want);
        mid_template_free(want);
        mid_template_free(t);
    }
    for (int again = 0; again < 2; again++) { /* the end is reported, and stays */
        mid_gallery_record rec;
        mid_template *t = (mid_template *)1;
        assert_int_equal(mid_gallery_reader_next(r, &rec, &t), MID_OK);
        assert_null(t);
    }
    mid_gallery_reader_close(r);
    fclose(f);
    free(buf);
    mid_ctx_free(ctx);
}

static void test_round_trip_counted(void **state) {
    (void)state;
    round_trip(N_RECORDS);
}

static void test_round_trip_streamed(void **state) {
    (void)state;
    round_trip(MID_GALLERY_STREAMED);
}

static void test_path_round_trip_and_empty(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    const char *path = tu_temp_path("g.midg");
    mid_gallery_writer *w = NULL;
    assert_int_equal(mid_gallery_writer_open_path(ctx, path, 0, &w), MID_OK);
    assert_int_equal(mid_gallery_writer_close(w), MID_OK);
    size_t len = 0;
    uint8_t *data = tu_read_file(path, &len);
    assert_int_equal(len, 16 + 9); /* header and end mark only */
    free(data);
    mid_gallery_reader *r = NULL;
    assert_int_equal(mid_gallery_reader_open_path(ctx, path, &r), MID_OK);
    assert_true(mid_gallery_reader_count(r) == 0);
    mid_gallery_record rec;
    mid_template *t = NULL;
    assert_int_equal(mid_gallery_reader_next(r, &rec, &t), MID_OK);
    assert_null(t);
    mid_gallery_reader_close(r);

    assert_int_equal(mid_gallery_reader_open_path(ctx, "/nonexistent/dir/g.midg", &r), MID_ERR_IO);
    assert_non_null(strstr(mid_ctx_error(ctx), "cannot open"));
    assert_int_equal(mid_gallery_writer_open_path(ctx, "/nonexistent/dir/g.midg", 1, &w),
                     MID_ERR_IO);
    assert_null(w);
    mid_ctx_free(ctx);
}

static void test_truncation_every_offset(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    for (int mode = 0; mode < 2; mode++) {
        size_t len = 0;
        uint8_t *buf = write_gallery(ctx, mode == 0 ? N_RECORDS : MID_GALLERY_STREAMED, &len);
        mid_status st;
        assert_int_equal(read_buffer(ctx, buf, len, &st), N_RECORDS);
        for (size_t cut = 0; cut < len; cut++) {
            assert_int_equal(read_buffer(ctx, buf, cut, &st), -1);
            assert_int_equal(st, MID_ERR_FORMAT);
            assert_non_null(strstr(mid_ctx_error(ctx), "offset"));
        }
        free(buf);
    }
    mid_ctx_free(ctx);
}

/* Offset of record k's header in a gallery written by write_gallery. */
static size_t record_offset(const uint8_t *buf, unsigned k) {
    size_t off = 16;
    for (unsigned i = 0; i < k; i++) {
        uint32_t l = (uint32_t)buf[off + 14] | (uint32_t)buf[off + 15] << 8 |
                     (uint32_t)buf[off + 16] << 16 | (uint32_t)buf[off + 17] << 24;
        off += 18 + l;
    }
    return off;
}

static void expect_bad(mid_ctx *ctx, const uint8_t *buf, size_t len, mid_status want,
                       const char *message) {
    mid_status st;
    assert_int_equal(read_buffer(ctx, buf, len, &st), -1);
    assert_int_equal(st, want);
    if (strstr(mid_ctx_error(ctx), message) == NULL) {
        fail_msg("error '%s' lacks '%s'", mid_ctx_error(ctx), message);
    }
}

static void put32(uint8_t *p, uint32_t v) {
    for (int i = 0; i < 4; i++) {
        p[i] = (uint8_t)(v >> (8 * i));
    }
}

static void test_corrupt_lengths_and_fields(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    size_t len = 0;
    uint8_t *good = write_gallery(ctx, N_RECORDS, &len);
    uint8_t *b = malloc(len + 8);
    assert_non_null(b);
    size_t r1 = record_offset(good, 1);
    uint32_t l1 = (uint32_t)good[r1 + 14] | (uint32_t)good[r1 + 15] << 8;

    struct {
        size_t offset;
        uint32_t value; /* written as le32 at offset */
        mid_status want;
        const char *message;
    } lens[] = {
        {r1 + 14, 0, MID_ERR_FORMAT, "template length"},
        {r1 + 14, MID_MAX_GALLERY_TEMPLATE_BYTES + 1, MID_ERR_LIMIT, "template length"},
        {r1 + 14, 0xffffffffu, MID_ERR_LIMIT, "template length"},
        {r1 + 14, l1 - 1, MID_ERR_FORMAT, "record at offset"},
        {r1 + 14, l1 + 1, MID_ERR_FORMAT, "record at offset"},
        {r1 + 14, l1 + 7, MID_ERR_FORMAT, "record at offset"},
    };
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        memcpy(b, good, len);
        put32(b + lens[i].offset, lens[i].value);
        expect_bad(ctx, b, len, lens[i].want, lens[i].message);
    }

    /* Header count above and below the records present. */
    memcpy(b, good, len);
    b[8] = N_RECORDS + 1;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "end mark before");
    b[8] = N_RECORDS - 1;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "more records than");
    memcpy(b, good, len);
    b[15] = 0x80; /* count far above the limit */
    expect_bad(ctx, b, len, MID_ERR_LIMIT, "above");
    /* End mark count wrong. */
    memcpy(b, good, len);
    b[len - 8] ^= 1;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "end mark count");
    /* Trailing byte after the end mark. */
    memcpy(b, good, len);
    b[len] = 0;
    expect_bad(ctx, b, len + 1, MID_ERR_FORMAT, "trailing");
    /* Bad tag, finger, magic, version, flags, reserved. */
    memcpy(b, good, len);
    b[r1] = 'X';
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "neither a record tag");
    memcpy(b, good, len);
    b[r1 + 9] = 16;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "finger position");
    memcpy(b, good, len);
    b[r1 + 18 + 20] ^= 0x40; /* inside the template: its CRC catches it */
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "CRC");
    memcpy(b, good, len);
    b[0] = 'X';
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "magic");
    memcpy(b, good, len);
    b[4] = 2;
    expect_bad(ctx, b, len, MID_ERR_UNSUPPORTED, "version");
    memcpy(b, good, len);
    b[5] = 2;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "flags");
    memcpy(b, good, len);
    b[7] = 1;
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "reserved");
    memcpy(b, good, len);
    b[5] = 1; /* streamed, but with a count */
    expect_bad(ctx, b, len, MID_ERR_FORMAT, "nonzero count");

    free(b);
    free(good);
    mid_ctx_free(ctx);
}

static void test_writer_contract(void **state) {
    (void)state;
    mid_ctx *ctx = NULL;
    assert_int_equal(mid_ctx_create(&ctx), MID_OK);
    mid_template *t = make_template(ctx, 5, 1);
    FILE *f = tmpfile();
    assert_non_null(f);
    mid_gallery_writer *w = NULL;
    assert_int_equal(mid_gallery_writer_open(ctx, f, MID_MAX_GALLERY_RECORDS + 1, &w),
                     MID_ERR_LIMIT);
    assert_null(w);

    /* Declared 1: a second append is refused; finger 16 refused. */
    assert_int_equal(mid_gallery_writer_open(ctx, f, 1, &w), MID_OK);
    mid_gallery_record rec = {1, 16, 1};
    assert_int_equal(mid_gallery_writer_append(w, &rec, t), MID_ERR_ARG);
    rec.finger = 2;
    assert_int_equal(mid_gallery_writer_append(w, &rec, t), MID_OK);
    assert_int_equal(mid_gallery_writer_append(w, &rec, t), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "declared"));
    assert_int_equal(mid_gallery_writer_close(w), MID_OK);

    /* Declared 2, one appended: close reports it. */
    assert_int_equal(mid_gallery_writer_open(ctx, f, 2, &w), MID_OK);
    assert_int_equal(mid_gallery_writer_append(w, &rec, t), MID_OK);
    assert_int_equal(mid_gallery_writer_close(w), MID_ERR_ARG);
    assert_non_null(strstr(mid_ctx_error(ctx), "declared"));
    assert_int_equal(mid_gallery_writer_close(NULL), MID_OK);
    mid_gallery_reader_close(NULL);
    fclose(f);

    /* A full device: the failure reaches the caller as MID_ERR_IO. */
    FILE *full = fopen("/dev/full", "wb");
    if (full != NULL) {
        mid_status st = mid_gallery_writer_open(ctx, full, MID_GALLERY_STREAMED, &w);
        for (int i = 0; st == MID_OK && i < 10000; i++) {
            st = mid_gallery_writer_append(w, &rec, t);
        }
        if (st == MID_OK) {
            st = mid_gallery_writer_close(w);
        } else {
            assert_int_equal(mid_gallery_writer_close(w), MID_ERR_IO);
        }
        assert_int_equal(st, MID_ERR_IO);
        fclose(full);
    }
    mid_template_free(t);
    mid_ctx_free(ctx);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_counted),
        cmocka_unit_test(test_round_trip_streamed),
        cmocka_unit_test(test_path_round_trip_and_empty),
        cmocka_unit_test(test_truncation_every_offset),
        cmocka_unit_test(test_corrupt_lengths_and_fields),
        cmocka_unit_test(test_writer_contract),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
