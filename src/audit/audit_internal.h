/*
 * Internals of the audit log shared with its fuzz target and tests.
 */
#ifndef MID_SRC_AUDIT_INTERNAL_H
#define MID_SRC_AUDIT_INTERNAL_H

#include "mid/audit.h"

/* Bytes of a line around its entry: {"seq":<20 digits>,"prev":"<64>","entry": ... ,"hash":"<64>"}\n
 */
#define AUDIT_LINE_OVERHEAD 200u

/* The parts of one canonical line (without its "\n"). */
typedef struct audit_line {
    uint64_t seq;
    const char *prev_hex; /* 64 lower-case hex digits */
    const char *entry;    /* the entry object's text */
    size_t entry_len;
    const char *hash_hex; /* 64 lower-case hex digits */
    size_t hashed_len;    /* bytes of the line covered by the hash (before ,"hash") */
} audit_line;

/* Splits a line of n bytes into its parts; false with *why set when it is not in
 * the canonical form (the entry object itself is not parsed here). */
bool audit_split_line(const char *line, size_t n, audit_line *out, const char **why);

/* Parses 64 hex digits into 32 bytes; false when they are not lower-case hex. */
bool audit_unhex(const char *hex, uint8_t out[MID_SHA256_SIZE]);

/* SHA-256(prev || line[0..hashed_len)) as hex (MID_AUDIT_HEX_SIZE bytes). */
void audit_line_hash(const uint8_t prev[MID_SHA256_SIZE], const char *line, size_t hashed_len,
                     char hex[MID_AUDIT_HEX_SIZE]);

/* mid_audit_verify() over a log held in memory (n bytes at buf); the file
 * variant maps the file and calls this. */
mid_status audit_verify_buffer(mid_ctx *ctx, const char *buf, size_t n, const char *expected_head,
                               mid_audit_problem_fn problem, void *user,
                               mid_audit_summary *summary);

#endif
