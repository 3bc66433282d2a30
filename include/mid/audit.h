/*
 * The audit log: an append-only, hash-chained file of JSON lines, one entry per
 * gateway transaction (accepted, refused or failed) and per administrative act.
 *
 * Line format (one line per entry, "\n" terminated, UTF-8):
 *
 *   {"seq":N,"prev":"<64 hex>","entry":<the caller's JSON object>,"hash":"<64 hex>"}
 *
 * seq counts from 1. prev is the previous entry's hash (64 zeros for entry 1).
 * hash = SHA-256(prev as 32 bytes || the line's bytes from its first '{' up to,
 * not including, ",\"hash\""). Altering, removing, inserting or reordering any
 * entry breaks the chain at that entry, and mid_audit_verify() names it. What the
 * chain cannot show alone is the removal of the newest entries; comparing the
 * head (seq and hash, published by the gateway's /metrics and in each response's
 * audit receipt) with a copy kept elsewhere shows that.
 *
 * Durability: mid_audit_append() returns only after the line is written and
 * fdatasync()ed, so the gateway answers only transactions that are on disk. On
 * open, a final line without its "\n" (a crash mid-write; never acknowledged) is
 * cut off and counted in mid_audit_torn().
 *
 * Content: entries never hold images, templates, names or tokens; the caller
 * passes hashes and metadata only.
 *
 * Ownership and threads: a mid_audit belongs to its opener until
 * mid_audit_close(); append may be called from several threads at once (entries
 * are serialised internally). Errors go to the ctx passed to each call.
 */
#ifndef MID_AUDIT_H
#define MID_AUDIT_H

#include "mid/core.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mid_audit mid_audit;

/* The hash of the newest entry, as 64 hex digits and NUL. */
#define MID_AUDIT_HEX_SIZE 65u

/* Opens (creating if absent, mode 0600) the log at path and reads it to its end to
 * find the head. MID_ERR_FORMAT when the existing log's last complete entry does
 * not parse (run mid_audit_verify() for the detail). */
mid_status mid_audit_open(mid_ctx *ctx, const char *path, mid_audit **out);
void mid_audit_close(mid_audit *a);

/* Appends one entry. entry_json must be one JSON object (checked) of at most
 * MID_AUDIT_MAX_ENTRY_BYTES. On success *seq (may be NULL) is its number and
 * head (may be NULL, MID_AUDIT_HEX_SIZE bytes) its hash. */
mid_status mid_audit_append(mid_audit *a, mid_ctx *ctx, const char *entry_json, size_t len,
                            uint64_t *seq, char *head);

/* The current head: number of entries and hash of the last (64 zeros if none). */
void mid_audit_head(mid_audit *a, uint64_t *seq, char head[MID_AUDIT_HEX_SIZE]);
/* Bytes cut off a torn final line when the log was opened. */
uint64_t mid_audit_torn(const mid_audit *a);

/* One problem found by verification: the entry's line number (from 1), the seq
 * it claims (0 when unreadable) and what is wrong, e.g. "hash mismatch: entry
 * altered", "seq 17 missing: entry removed", "prev does not match entry 16". */
typedef void (*mid_audit_problem_fn)(void *user, uint64_t line, uint64_t seq, const char *what);

typedef struct mid_audit_summary {
    uint64_t entries;  /* lines read */
    uint64_t problems; /* problems reported */
    uint64_t last_seq; /* seq of the last valid entry */
    char head[MID_AUDIT_HEX_SIZE];
} mid_audit_summary;

/* Verifies the whole log at path. Returns MID_OK when it was read (even if it has
 * problems: see summary->problems), MID_ERR_IO when it cannot be read.
 * expected_head (NULL: none) is a hash the caller kept; when given, a log whose
 * chain does not contain it is a problem (its newest entries were removed). */
mid_status mid_audit_verify(mid_ctx *ctx, const char *path, const char *expected_head,
                            mid_audit_problem_fn problem, void *user, mid_audit_summary *summary);

/* Calls fn for each complete entry's "entry" object (raw JSON text, length) in
 * order, for reports; stops early when fn returns false. */
typedef bool (*mid_audit_entry_fn)(void *user, uint64_t seq, const char *entry_json, size_t len);
mid_status mid_audit_each(mid_ctx *ctx, const char *path, mid_audit_entry_fn fn, void *user);

#ifdef __cplusplus
}
#endif
#endif
