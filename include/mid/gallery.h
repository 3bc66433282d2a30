/*
 * Galleries: a streaming binary container of many minutiae templates, each
 * labelled with a person id, a finger position and an impression number. It is
 * what `mid synth gallery` writes and what 1:N benchmarks read, one record at a
 * time, so a gallery of millions never has to fit in memory.
 *
 * Format (version 1; all multi-byte fields little-endian):
 *
 *   header, 16 bytes
 *     0   4  magic "MIDG"
 *     4   1  version, 1
 *     5   1  flags: bit 0 set = "streamed" (the record count was not known when
 *            the header was written); every other bit must be 0
 *     6   2  reserved, 0
 *     8   8  record count (must be 0 when streamed; at most MID_MAX_GALLERY_RECORDS)
 *   then records, each
 *     0   1  tag 'R'
 *     1   8  person id
 *     9   1  finger position code (0..15, as in ISO/IEC 19794-2)
 *     10  4  impression number
 *     14  4  template length L (1..MID_MAX_GALLERY_TEMPLATE_BYTES)
 *     18  L  the template in the native encoding (mid/template.h; it carries its own CRC-32)
 *   then the end mark, 9 bytes
 *     0   1  tag 'E'
 *     1   8  number of records written (must equal the header's count unless streamed)
 *   and nothing after it.
 *
 * The end mark makes truncation at a record boundary detectable in streamed
 * galleries too: a reader reports every truncated, over-long or corrupt input as
 * MID_ERR_FORMAT (or MID_ERR_LIMIT / MID_ERR_UNSUPPORTED) with the offset at fault.
 *
 * Ownership: a mid_gallery_writer belongs to the caller from open until
 * mid_gallery_writer_close(), which always frees it; a mid_gallery_reader from open
 * until mid_gallery_reader_close(). A FILE* handed to an open function stays the
 * caller's (it is neither closed nor rewound); one opened from a path is closed by
 * close. Each object reports errors into the mid_ctx given at open, which must
 * outlive it. Neither is thread-safe. Templates returned by the reader belong to
 * the caller.
 */
#ifndef MID_GALLERY_H
#define MID_GALLERY_H

#include "mid/template.h"

#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Pass as the expected count to a writer when the number of records is unknown. */
#define MID_GALLERY_STREAMED UINT64_MAX

/* The labels of one gallery record. */
typedef struct mid_gallery_record {
    uint64_t person;     /* person id */
    uint8_t finger;      /* finger position code 0..15 (1 right thumb .. 10 left little) */
    uint32_t impression; /* impression number */
} mid_gallery_record;

/* ---- Writer ------------------------------------------------------------- */

typedef struct mid_gallery_writer mid_gallery_writer;

/* Starts a gallery on f (written from its current position). count is the exact
 * number of records that will be appended, or MID_GALLERY_STREAMED. MID_ERR_LIMIT
 * when count exceeds MID_MAX_GALLERY_RECORDS, MID_ERR_IO when the header cannot be
 * written. */
mid_status mid_gallery_writer_open(mid_ctx *ctx, FILE *f, uint64_t count, mid_gallery_writer **out);
/* The same on a new file at path (replaced if it exists). */
mid_status mid_gallery_writer_open_path(mid_ctx *ctx, const char *path, uint64_t count,
                                        mid_gallery_writer **out);

/* Appends one record holding t in the native encoding. MID_ERR_ARG when finger > 15
 * or more records than the declared count are appended; MID_ERR_IO on a write error. */
mid_status mid_gallery_writer_append(mid_gallery_writer *w, const mid_gallery_record *rec,
                                     const mid_template *t);

/* Writes the end mark, flushes, closes a path-opened file and frees w (always, even
 * on failure; NULL is allowed). MID_ERR_ARG when fewer records than the declared
 * count were appended; MID_ERR_IO when writing or flushing failed at any point. */
mid_status mid_gallery_writer_close(mid_gallery_writer *w);

/* ---- Reader ------------------------------------------------------------- */

typedef struct mid_gallery_reader mid_gallery_reader;

/* Reads and checks the header from f's current position. */
mid_status mid_gallery_reader_open(mid_ctx *ctx, FILE *f, mid_gallery_reader **out);
mid_status mid_gallery_reader_open_path(mid_ctx *ctx, const char *path, mid_gallery_reader **out);

/* The record count from the header, or MID_GALLERY_STREAMED. */
uint64_t mid_gallery_reader_count(const mid_gallery_reader *r);

/* Reads the next record into *rec and its decoded template into *t. At the end of
 * a well-formed gallery returns MID_OK with *t set to NULL. Any malformed input
 * fails with a message naming the byte offset; after a failure every further call
 * fails the same way. */
mid_status mid_gallery_reader_next(mid_gallery_reader *r, mid_gallery_record *rec,
                                   mid_template **t);

/* Frees r and closes a path-opened file. NULL is allowed. */
void mid_gallery_reader_close(mid_gallery_reader *r);

#ifdef __cplusplus
}
#endif
#endif
