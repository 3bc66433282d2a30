/*
 * JSON (RFC 8259) for the gateway's API, person records and the audit log: a
 * strict parser into a read-only tree, a writer that cannot produce invalid JSON,
 * and base64 (RFC 4648 section 4, with padding) for binary members.
 *
 * Hostile input: the parser accepts exactly RFC 8259 (no comments, no trailing
 * commas, no leading zeros, no NaN), requires well-formed UTF-8 (no overlongs,
 * no surrogates, no U+0000 even when escaped), rejects duplicate object keys,
 * and bounds input bytes, nesting depth and value count (MID_JSON_MAX_* in
 * mid/limits.h). Each failure is MID_ERR_FORMAT or MID_ERR_LIMIT with the byte
 * offset in the context's detail.
 *
 * Ownership: a mid_json document owns every value, key and string reachable from
 * its root; they are valid until mid_json_free(). A document is immutable and may
 * be read from several threads. A mid_json_writer belongs to its caller until
 * mid_json_writer_free(); the text returned by mid_json_writer_finish() belongs to
 * the caller (mid_free()).
 */
#ifndef MID_JSON_H
#define MID_JSON_H

#include "mid/core.h"
#include "mid/limits.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mid_json_type {
    MID_JSON_NULL = 0,
    MID_JSON_FALSE,
    MID_JSON_TRUE,
    MID_JSON_NUMBER,
    MID_JSON_STRING,
    MID_JSON_ARRAY,
    MID_JSON_OBJECT
} mid_json_type;

typedef struct mid_json mid_json;
typedef struct mid_json_value mid_json_value;

/* Parses len bytes of text (not NUL-terminated). */
mid_status mid_json_parse(mid_ctx *ctx, const char *text, size_t len, mid_json **out);
/* Frees doc, wiping its strings first (request bodies carry probe images). */
void mid_json_free(mid_json *doc);

const mid_json_value *mid_json_root(const mid_json *doc);
mid_json_type mid_json_type_of(const mid_json_value *v); /* MID_JSON_NULL for NULL */

/* Object member by key; NULL when v is not an object or has no such key. */
const mid_json_value *mid_json_get(const mid_json_value *v, const char *key);
/* Number of array elements or object members; 0 for other types. */
size_t mid_json_length(const mid_json_value *v);
/* Array element i, or the value of object member i (in document order). */
const mid_json_value *mid_json_at(const mid_json_value *v, size_t i);
/* Key of object member i; NULL when out of range. */
const char *mid_json_key_at(const mid_json_value *v, size_t i);

/* The decoded UTF-8 string (NUL-terminated; it contains no NUL) and its length;
 * NULL when v is not a string. len may be NULL. */
const char *mid_json_string(const mid_json_value *v, size_t *len);
/* The number; false when v is not a number. */
bool mid_json_number(const mid_json_value *v, double *out);
/* The number as an integer; false when not a number or not an integer in range. */
bool mid_json_int64(const mid_json_value *v, int64_t *out);
/* true/false; false when v is not a boolean. */
bool mid_json_bool(const mid_json_value *v, bool *out);

/* Convenience: member key of object v as a string, or NULL (absent or not a string). */
const char *mid_json_get_string(const mid_json_value *v, const char *key);

/* ---- Writer ---------------------------------------------------------------- */

typedef struct mid_json_writer mid_json_writer;

mid_status mid_json_writer_create(mid_ctx *ctx, mid_json_writer **out);
void mid_json_writer_free(mid_json_writer *w);

/* Structure calls. Inside an object every value must be preceded by
 * mid_json_key(); misuse (a value without a key, unbalanced end, a string that is
 * not valid UTF-8) makes the writer fail and finish() return MID_ERR_ARG. Errors
 * are sticky: later calls do nothing, finish() reports the first. */
void mid_json_begin_object(mid_json_writer *w);
void mid_json_end_object(mid_json_writer *w);
void mid_json_begin_array(mid_json_writer *w);
void mid_json_end_array(mid_json_writer *w);
void mid_json_key(mid_json_writer *w, const char *key);
void mid_json_string_value(mid_json_writer *w, const char *s);
void mid_json_string_n(mid_json_writer *w, const char *s, size_t n);
void mid_json_int(mid_json_writer *w, int64_t v);
void mid_json_double(mid_json_writer *w, double v); /* finite only; shortest round-trip form */
void mid_json_bool_value(mid_json_writer *w, bool v);
void mid_json_null(mid_json_writer *w);
/* Inserts text that is already one valid JSON value (checked by parsing). */
void mid_json_raw(mid_json_writer *w, const char *json, size_t n);

/* Ends writing: *text (NUL-terminated, free with mid_free()) and its length. The
 * writer may be freed afterwards only. */
mid_status mid_json_writer_finish(mid_json_writer *w, char **text, size_t *len);

/* ---- base64 ---------------------------------------------------------------- */

/* Encodes n bytes; *out is NUL-terminated (free with mid_free()). */
mid_status mid_base64_encode(mid_ctx *ctx, const void *data, size_t n, char **out, size_t *out_len);
/* Decodes strict padded base64 (no whitespace, no URL alphabet); MID_ERR_FORMAT
 * with the offset of the first bad character. *out is freed with mid_free(). */
mid_status mid_base64_decode(mid_ctx *ctx, const char *text, size_t n, uint8_t **out,
                             size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif
