// layer: json
/*
 * JSON fuzz target: parse; on success copy the tree through the writer (every
 * value type), which must succeed, re-parse, and serialise to the same text a
 * second time (the writer's output is canonical). The input is also run through
 * the strict base64 decoder, whose successes must re-encode to the input.
 */
#include "mid/json.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void copy_value(mid_json_writer *w, const mid_json_value *v) {
    switch (mid_json_type_of(v)) {
    case MID_JSON_NULL:
        mid_json_null(w);
        break;
    case MID_JSON_FALSE:
    case MID_JSON_TRUE: {
        bool b = false;
        mid_json_bool(v, &b);
        mid_json_bool_value(w, b);
        break;
    }
    case MID_JSON_NUMBER: {
        int64_t i = 0;
        double d = 0;
        if (mid_json_int64(v, &i)) {
            mid_json_int(w, i);
        } else if (mid_json_number(v, &d)) {
            mid_json_double(w, d);
        }
        break;
    }
    case MID_JSON_STRING: {
        size_t n = 0;
        const char *s = mid_json_string(v, &n);
        mid_json_string_n(w, s, n);
        break;
    }
    case MID_JSON_ARRAY:
        mid_json_begin_array(w);
        for (size_t k = 0; k < mid_json_length(v); k++) {
            copy_value(w, mid_json_at(v, k));
        }
        mid_json_end_array(w);
        break;
    case MID_JSON_OBJECT:
        mid_json_begin_object(w);
        for (size_t k = 0; k < mid_json_length(v); k++) {
            mid_json_key(w, mid_json_key_at(v, k));
            copy_value(w, mid_json_at(v, k));
        }
        mid_json_end_object(w);
        break;
    }
}

static char *serialise(mid_ctx *ctx, const mid_json *doc, size_t *len) {
    mid_json_writer *w = NULL;
    if (mid_json_writer_create(ctx, &w) != MID_OK) {
        return NULL;
    }
    copy_value(w, mid_json_root(doc));
    char *text = NULL;
    if (mid_json_writer_finish(w, &text, len) != MID_OK) {
        abort(); /* a parsed document must always be writable */
    }
    mid_json_writer_free(w);
    return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mid_ctx *ctx = NULL;
    if (mid_ctx_create(&ctx) != MID_OK) {
        return 0;
    }
    mid_json *doc = NULL;
    if (mid_json_parse(ctx, (const char *)data, size, &doc) == MID_OK) {
        size_t n1 = 0, n2 = 0;
        char *t1 = serialise(ctx, doc, &n1);
        mid_json *doc2 = NULL;
        if (t1 == NULL || mid_json_parse(ctx, t1, n1, &doc2) != MID_OK) {
            abort(); /* the writer's output must re-parse */
        }
        char *t2 = serialise(ctx, doc2, &n2);
        if (t2 == NULL || n1 != n2 || memcmp(t1, t2, n1) != 0) {
            abort();
        }
        /* raw insertion of the input itself must be accepted */
        mid_json_writer *w = NULL;
        if (mid_json_writer_create(ctx, &w) == MID_OK) {
            mid_json_begin_array(w);
            mid_json_raw(w, (const char *)data, size);
            mid_json_end_array(w);
            char *t3 = NULL;
            size_t n3 = 0;
            mid_status st = mid_json_writer_finish(w, &t3, &n3);
            mid_json *doc3 = NULL;
            /* only the nesting limit may refuse it (one level is added) */
            if (st == MID_OK && mid_json_parse(ctx, t3, n3, &doc3) != MID_OK) {
                abort();
            }
            mid_json_free(doc3);
            mid_free(t3);
            mid_json_writer_free(w);
        }
        mid_free(t1);
        mid_free(t2);
        mid_json_free(doc2);
        mid_json_free(doc);
    }
    uint8_t *bin = NULL;
    size_t bn = 0;
    if (mid_base64_decode(ctx, (const char *)data, size, &bin, &bn) == MID_OK) {
        char *enc = NULL;
        size_t en = 0;
        if (mid_base64_encode(ctx, bin, bn, &enc, &en) != MID_OK || en != size ||
            memcmp(enc, data, size) != 0) {
            abort();
        }
        mid_free(enc);
        mid_free(bin);
    }
    mid_ctx_free(ctx);
    return 0;
}
