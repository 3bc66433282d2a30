/*
 * Internal representation of an ANSI/NIST-ITL transaction (mid/an2k.h).
 *
 * Every field keeps its tag text and value bytes as read, every binary record its
 * complete bytes, so that an unmodified transaction serialises to its input. A
 * tagged record marked dirty gets its LEN recomputed on output.
 */
#ifndef MID_SRC_AN2K_INTERNAL_H
#define MID_SRC_AN2K_INTERNAL_H

#include "core/core.h"
#include "mid/an2k.h"

/* Longest tag text accepted: 3 digits of type, '.', 9 digits of field number. */
#define AN2K_TAG_MAX 14

typedef struct an2k_field {
    unsigned type;
    unsigned number;
    char tag[AN2K_TAG_MAX + 1];
    uint8_t *value; /* owned; may be NULL when len is 0 */
    size_t len;
    size_t offset;
} an2k_field;

typedef struct an2k_record {
    unsigned type;
    bool binary;
    bool dirty; /* LEN must be recomputed when serialising */
    size_t offset;
    an2k_field *fields; /* tagged records */
    size_t n_fields, cap_fields;
    uint8_t *bytes; /* binary records: the complete record */
    size_t n_bytes;
} an2k_record;

struct mid_an2k {
    an2k_record *recs;
    size_t n_recs, cap_recs;
};

/* Header sizes of the legacy binary records (LEN included); 0 for other types. */
size_t an2k_binary_header_size(unsigned type);
bool an2k_is_binary_type(unsigned type);
/* "Type-14" style name of a record's position, for messages: "record 3 (Type-14)". */
const char *an2k_type_name(unsigned type, char *buf, size_t cap);

/* Field lookup in a record: index of the first field with that number or SIZE_MAX. */
size_t an2k_find_field(const an2k_record *r, unsigned number);

/* Appends a record (empty, tagged or binary) to tx; returns its pointer or NULL. */
an2k_record *an2k_append_record(mid_an2k *tx);

/* Rebuilds 1.003 from the records (types and IDCs). */
mid_status an2k_rebuild_cnt(mid_ctx *ctx, mid_an2k *tx);

/* Parses an unsigned decimal of 1..9 digits spanning exactly len bytes. */
bool an2k_parse_uint(const uint8_t *s, size_t len, unsigned long *out);

#endif
