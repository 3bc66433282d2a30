/*
 * Internals of the JSON layer shared by the parser, the writer and the layers
 * that link mid_json (the audit log).
 */
#ifndef MID_SRC_JSON_INTERNAL_H
#define MID_SRC_JSON_INTERNAL_H

#include "mid/json.h"

#include <locale.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest number literal accepted (characters). RFC 8259 allows any length; a
 * bound keeps the strtod copy on the stack. */
#define JSON_MAX_NUMBER_CHARS 256u

/* The "C" numeric locale, created once; (locale_t)0 when it could not be
 * created (the process locale is then used, which is "C" unless the program
 * called setlocale()). Used with uselocale() around strtod and snprintf so a
 * host program's locale cannot turn '.' into ','. */
locale_t json_c_locale(void);

/* Length of the well-formed UTF-8 sequence at p (at most n bytes available): 1..4,
 * or 0 when it is malformed (overlong, surrogate, above U+10FFFF, truncated). */
size_t json_utf8_seq(const uint8_t *p, size_t n);

/* Deepest container nesting of a parsed document (0 for a scalar root). */
unsigned json_doc_depth(const mid_json *doc);
/* Values in a parsed document. */
size_t json_doc_values(const mid_json *doc);

/* Copies valid JSON text into out (at least n bytes) without the whitespace
 * outside strings; returns the copied length. The input must have parsed. */
size_t json_compact(const char *text, size_t n, char *out);

#endif
