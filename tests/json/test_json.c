/* Tests for src/json: strict parsing (every rejection class with its offset),
 * accessors, the writer (misuse, escapes, round trips) and base64 vectors. */
#include "support/testutil.h"

#include "mid/json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mid_json *parse_ok(const char *text) {
    mid_json *doc = NULL;
    mid_status st = mid_json_parse(tu_ctx, text, strlen(text), &doc);
    if (st != MID_OK) {
        fail_msg("'%s' rejected: %s", text, mid_ctx_error(tu_ctx));
    }
    return doc;
}

/* Asserts that text is rejected with status st and a detail containing what and
 * "at byte <at>". */
static void parse_bad_n(const char *text, size_t len, mid_status st, const char *what, size_t at) {
    mid_json *doc = (mid_json *)1;
    mid_status got = mid_json_parse(tu_ctx, text, len, &doc);
    if (got != st) {
        fail_msg("'%.*s': status %s, expected %s (%s)", (int)len, text, mid_status_name(got),
                 mid_status_name(st), mid_ctx_error(tu_ctx));
    }
    assert_null(doc);
    const char *err = mid_ctx_error(tu_ctx);
    if (strstr(err, what) == NULL) {
        fail_msg("'%.*s': detail '%s' lacks '%s'", (int)len, text, err, what);
    }
    char where[40];
    snprintf(where, sizeof(where), "at byte %zu", at);
    if (strstr(err, where) == NULL) {
        fail_msg("'%.*s': detail '%s' lacks '%s'", (int)len, text, err, where);
    }
}

static void parse_bad(const char *text, mid_status st, const char *what, size_t at) {
    parse_bad_n(text, strlen(text), st, what, at);
}

static const char request_example[] =
    "{\"tcn\":\"DEV1-20261124-0001\",\"basis\":\"pace-61-6a\",\"offence\":\"theft\","
    "\"name_doubt\":\"no documents\",\"told_reason\":true,\"told_speculative\":true,"
    "\"reason\":\"stopped driving\",\"incident\":\"LOG-1\",\"location\":\"51.5,-0.12\","
    "\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"25-34\",\"gender\":\"M\"},"
    "\"databases\":[\"IDENT1\",\"IABS\"],"
    "\"fingers\":[{\"position\":2,\"quality\":81,\"format\":\"wsq\",\"data\":\"AAEC\"},"
    "{\"position\":7,\"quality\":77,\"format\":\"wsq\",\"data\":\"/w==\"}]}";

static void test_valid_documents(void **state) {
    (void)state;
    mid_json *doc = parse_ok(request_example);
    const mid_json_value *r = mid_json_root(doc);
    assert_int_equal(mid_json_type_of(r), MID_JSON_OBJECT);
    assert_int_equal(mid_json_length(r), 12);
    assert_string_equal(mid_json_get_string(r, "tcn"), "DEV1-20261124-0001");
    assert_string_equal(mid_json_key_at(r, 1), "basis");
    assert_null(mid_json_key_at(r, 12));
    bool b = false;
    assert_true(mid_json_bool(mid_json_get(r, "told_reason"), &b));
    assert_true(b);
    const mid_json_value *subj = mid_json_get(r, "subject");
    assert_string_equal(mid_json_get_string(subj, "age_band"), "25-34");
    const mid_json_value *fingers = mid_json_get(r, "fingers");
    assert_int_equal(mid_json_type_of(fingers), MID_JSON_ARRAY);
    assert_int_equal(mid_json_length(fingers), 2);
    int64_t pos = 0;
    assert_true(mid_json_int64(mid_json_get(mid_json_at(fingers, 1), "position"), &pos));
    assert_int_equal(pos, 7);
    assert_null(mid_json_at(fingers, 2));
    assert_null(mid_json_get(r, "absent"));
    assert_null(mid_json_get(fingers, "tcn"));
    assert_null(mid_json_get_string(r, "told_reason"));
    assert_int_equal(mid_json_type_of(NULL), MID_JSON_NULL);
    mid_json_free(doc);

    /* Scalars at the root, whitespace, empty containers. */
    doc = parse_ok(" \t\r\n[ ] ");
    assert_int_equal(mid_json_length(mid_json_root(doc)), 0);
    mid_json_free(doc);
    doc = parse_ok("{}");
    assert_int_equal(mid_json_type_of(mid_json_root(doc)), MID_JSON_OBJECT);
    mid_json_free(doc);
    doc = parse_ok("null");
    assert_int_equal(mid_json_type_of(mid_json_root(doc)), MID_JSON_NULL);
    mid_json_free(doc);
    doc = parse_ok("[true,false,null,-0,0.5,1e3,-1.25E-2,9223372036854775807,"
                   "-9223372036854775808,9223372036854775808,1.5e300]");
    r = mid_json_root(doc);
    int64_t i = 0;
    double d = 0;
    assert_int_equal(mid_json_type_of(mid_json_at(r, 0)), MID_JSON_TRUE);
    assert_int_equal(mid_json_type_of(mid_json_at(r, 1)), MID_JSON_FALSE);
    assert_true(mid_json_number(mid_json_at(r, 4), &d));
    assert_true(d == 0.5);
    assert_false(mid_json_int64(mid_json_at(r, 4), &i));
    assert_true(mid_json_int64(mid_json_at(r, 5), &i));
    assert_int_equal(i, 1000);
    assert_true(mid_json_number(mid_json_at(r, 6), &d));
    assert_true(d == -0.0125);
    assert_true(mid_json_int64(mid_json_at(r, 7), &i));
    assert_true(i == INT64_MAX);
    assert_true(mid_json_int64(mid_json_at(r, 8), &i));
    assert_true(i == INT64_MIN);
    assert_false(mid_json_int64(mid_json_at(r, 9), &i));
    assert_true(mid_json_number(mid_json_at(r, 9), &d));
    assert_false(mid_json_int64(mid_json_at(r, 10), &i));
    assert_false(mid_json_number(mid_json_at(r, 0), &d));
    assert_false(mid_json_bool(mid_json_at(r, 2), &b));
    mid_json_free(doc);

    /* Escapes and UTF-8: BMP, a surrogate pair, raw multibyte. */
    doc = parse_ok(
        "\"a\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00\xc3\xa9\xf0\x9f\x98\x80\"");
    size_t len = 0;
    const char *s = mid_json_string(mid_json_root(doc), &len);
    const char want[] =
        "a\"\\/\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xc3\xa9\xf0\x9f\x98\x80";
    assert_int_equal(len, sizeof(want) - 1);
    assert_memory_equal(s, want, len);
    mid_json_free(doc);
}

static void test_rejections(void **state) {
    (void)state;
    /* truncated */
    parse_bad("", MID_ERR_FORMAT, "empty document", 0);
    parse_bad("   ", MID_ERR_FORMAT, "empty document", 3);
    parse_bad("{\"a\":1", MID_ERR_FORMAT, "unexpected end", 6);
    parse_bad("[1,", MID_ERR_FORMAT, "unexpected end", 3);
    parse_bad("\"abc", MID_ERR_FORMAT, "unterminated string", 0);
    parse_bad("tru", MID_ERR_FORMAT, "bad literal", 0);
    parse_bad("{\"a\"", MID_ERR_FORMAT, "':' expected", 4);
    /* trailing garbage and structure */
    parse_bad("{} x", MID_ERR_FORMAT, "trailing characters", 3);
    parse_bad("1 2", MID_ERR_FORMAT, "trailing characters", 2);
    parse_bad("[1,]", MID_ERR_FORMAT, "unexpected character", 3);
    parse_bad("{\"a\":1,}", MID_ERR_FORMAT, "object key expected", 7);
    parse_bad("{a:1}", MID_ERR_FORMAT, "object key expected", 1);
    parse_bad("[1 2]", MID_ERR_FORMAT, "',' or ']' expected", 3);
    parse_bad("// c\n1", MID_ERR_FORMAT, "unexpected character", 0);
    parse_bad("\xef\xbb\xbf{}", MID_ERR_FORMAT, "unexpected character", 0);
    parse_bad("NaN", MID_ERR_FORMAT, "unexpected character", 0);
    /* numbers */
    parse_bad("01", MID_ERR_FORMAT, "leading zero", 0);
    parse_bad("[-012]", MID_ERR_FORMAT, "leading zero", 1);
    parse_bad("1.", MID_ERR_FORMAT, "digit expected after '.'", 2);
    parse_bad(".5", MID_ERR_FORMAT, "unexpected character", 0);
    parse_bad("1e", MID_ERR_FORMAT, "digit expected in exponent", 2);
    parse_bad("-", MID_ERR_FORMAT, "bad number", 0);
    parse_bad("+1", MID_ERR_FORMAT, "unexpected character", 0);
    parse_bad("1e400", MID_ERR_LIMIT, "out of range", 0);
    /* bad escapes */
    parse_bad("\"\\x\"", MID_ERR_FORMAT, "bad escape", 1);
    parse_bad("\"ab\\u12G4\"", MID_ERR_FORMAT, "bad \\u escape", 3);
    parse_bad("\"\\u0000\"", MID_ERR_FORMAT, "\\u0000", 1);
    parse_bad("\"\\ud800\"", MID_ERR_FORMAT, "unpaired high surrogate", 1);
    parse_bad("\"\\ud800\\u0041\"", MID_ERR_FORMAT, "unpaired high surrogate", 1);
    parse_bad("\"x\\udc00\"", MID_ERR_FORMAT, "unpaired low surrogate", 2);
    parse_bad("\"a\tb\"", MID_ERR_FORMAT, "control character", 2);
    parse_bad_n("\"a\0b\"", 5, MID_ERR_FORMAT, "control character", 2);
    /* bad UTF-8: overlongs, surrogates, out of range, truncated, stray continuation */
    parse_bad("\"\xc0\xaf\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xc1\xbf\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"ab\xe0\x80\xaf\"", MID_ERR_FORMAT, "invalid UTF-8", 3);
    parse_bad("\"\xf0\x80\x80\xaf\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xed\xa0\x80\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xf4\x90\x80\x80\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xf5\x80\x80\x80\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xe2\x82\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\x80\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    parse_bad("\"\xff\"", MID_ERR_FORMAT, "invalid UTF-8", 1);
    /* duplicate keys, small and large objects */
    parse_bad("{\"a\":1,\"b\":2,\"a\":3}", MID_ERR_FORMAT, "duplicate key", 0);
    parse_bad("[0,{\"\\u0061\":1,\"a\":2}]", MID_ERR_FORMAT, "duplicate key", 3);
    char big[4096];
    size_t o = 0;
    o += (size_t)snprintf(big + o, sizeof(big) - o, "{");
    for (int k = 0; k < 100; k++) {
        o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k%d\":%d,", k, k);
    }
    o += (size_t)snprintf(big + o, sizeof(big) - o, "\"k57\":0}");
    parse_bad(big, MID_ERR_FORMAT, "duplicate key", 0);
}

static void test_limits(void **state) {
    (void)state;
    /* depth: 32 nested arrays parse, 33 do not */
    char deep[80];
    memset(deep, '[', 32);
    memset(deep + 32, ']', 32);
    deep[64] = '\0';
    mid_json_free(parse_ok(deep));
    memset(deep, '[', 33);
    memset(deep + 33, ']', 33);
    deep[66] = '\0';
    parse_bad(deep, MID_ERR_LIMIT, "nesting deeper", 32);
    /* oversized document */
    size_t n = MID_JSON_MAX_BYTES + 1;
    char *huge = malloc(n);
    assert_non_null(huge);
    memset(huge, ' ', n);
    huge[0] = '1';
    mid_json *big = (mid_json *)1;
    assert_int_equal(mid_json_parse(tu_ctx, huge, n, &big), MID_ERR_LIMIT);
    assert_null(big);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "byte limit"));
    /* too many values: [0,0,...] with MID_JSON_MAX_VALUES elements (+ the array) */
    size_t count = MID_JSON_MAX_VALUES;
    char *many = malloc(2 * count + 2);
    assert_non_null(many);
    many[0] = '[';
    for (size_t k = 0; k < count; k++) {
        many[1 + 2 * k] = '0';
        many[2 + 2 * k] = ',';
    }
    many[2 * count] = ']';
    mid_json *doc = NULL;
    assert_int_equal(mid_json_parse(tu_ctx, many, 2 * count + 1, &doc), MID_ERR_LIMIT);
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "MID_JSON_MAX_VALUES"));
    /* one fewer element fits */
    many[2 * count - 2] = ']';
    assert_int_equal(mid_json_parse(tu_ctx, many, 2 * count - 1, &doc), MID_OK);
    assert_int_equal(mid_json_length(mid_json_root(doc)), count - 1);
    mid_json_free(doc);
    free(many);
    /* a long number */
    memset(huge, '1', 300);
    parse_bad_n(huge, 300, MID_ERR_LIMIT, "number longer", 0);
    free(huge);
}

static char *write_finish(mid_json_writer *w, mid_status want) {
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(mid_json_writer_finish(w, &text, &len), want);
    mid_json_writer_free(w);
    if (text != NULL) {
        assert_int_equal(strlen(text), len);
    }
    return text;
}

static void test_writer(void **state) {
    (void)state;
    mid_json_writer *w = NULL;
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_object(w);
    mid_json_key(w, "s");
    mid_json_string_value(w, "q\"b\\s\n\t\x01/\xc3\xa9");
    mid_json_key(w, "n");
    mid_json_int(w, -42);
    mid_json_key(w, "big");
    mid_json_int(w, INT64_MIN);
    mid_json_key(w, "d");
    mid_json_double(w, 0.1);
    mid_json_key(w, "third");
    mid_json_double(w, 1.0 / 3.0);
    mid_json_key(w, "e");
    mid_json_double(w, 1e-300);
    mid_json_key(w, "a");
    mid_json_begin_array(w);
    mid_json_bool_value(w, true);
    mid_json_bool_value(w, false);
    mid_json_null(w);
    const char *raw = " { \"x\" : [ 1 , \"a b\" ] }\n";
    mid_json_raw(w, raw, strlen(raw));
    mid_json_string_n(w, "ab", 1);
    mid_json_end_array(w);
    mid_json_key(w, "");
    mid_json_begin_object(w);
    mid_json_end_object(w);
    mid_json_end_object(w);
    char *text = write_finish(w, MID_OK);
    assert_string_equal(text, "{\"s\":\"q\\\"b\\\\s\\n\\t\\u0001/\xc3\xa9\",\"n\":-42,"
                              "\"big\":-9223372036854775808,\"d\":0.1,"
                              "\"third\":0.3333333333333333,\"e\":1e-300,"
                              "\"a\":[true,false,null,{\"x\":[1,\"a b\"]},\"a\"],\"\":{}}");
    /* The output re-parses to the same values. */
    mid_json *doc = parse_ok(text);
    const mid_json_value *r = mid_json_root(doc);
    assert_string_equal(mid_json_get_string(r, "s"), "q\"b\\s\n\t\x01/\xc3\xa9");
    double d = 0;
    assert_true(mid_json_number(mid_json_get(r, "third"), &d));
    assert_true(d == 1.0 / 3.0);
    assert_true(mid_json_number(mid_json_get(r, "e"), &d));
    assert_true(d == 1e-300);
    int64_t i = 0;
    assert_true(mid_json_int64(mid_json_get(r, "big"), &i));
    assert_true(i == INT64_MIN);
    mid_json_free(doc);
    mid_free(text);
}

static void test_writer_round_trip_doubles(void **state) {
    (void)state;
    const double vals[] = {0.0,
                           -0.0,
                           1.0,
                           -1.5,
                           87.2,
                           1e-7,
                           123456789.125,
                           5e-324,
                           1.7976931348623157e308,
                           2.2250738585072014e-308,
                           0.30000000000000004};
    for (size_t k = 0; k < sizeof(vals) / sizeof(vals[0]); k++) {
        mid_json_writer *w = NULL;
        assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
        mid_json_double(w, vals[k]);
        char *text = write_finish(w, MID_OK);
        mid_json *doc = parse_ok(text);
        double d = 1;
        assert_true(mid_json_number(mid_json_root(doc), &d));
        assert_memory_equal(&d, &vals[k], sizeof(d));
        mid_json_free(doc);
        mid_free(text);
    }
}

/* Each misuse makes finish() fail with MID_ERR_ARG (or LIMIT) and a detail. */
static void test_writer_misuse(void **state) {
    (void)state;
    mid_json_writer *w = NULL;
    /* value without a key */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_object(w);
    mid_json_int(w, 1);
    mid_json_end_object(w);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "without a key"));
    /* unbalanced */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_array(w);
    mid_json_end_object(w);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_array(w);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "open container"));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    assert_null(write_finish(w, MID_ERR_ARG));
    /* key without value, key in an array, two roots */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_object(w);
    mid_json_key(w, "a");
    mid_json_end_object(w);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_array(w);
    mid_json_key(w, "a");
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_int(w, 1);
    mid_json_int(w, 2);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "second value"));
    /* invalid UTF-8, NUL inside a string, non-finite number, bad raw text */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_string_value(w, "a\xc0\xafz");
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "UTF-8 at byte 1"));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_string_n(w, "a\0b", 3);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_double(w, 1.0 / 0.0);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_begin_array(w);
    mid_json_raw(w, "{\"a\":1", 6);
    mid_json_end_array(w);
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "raw text"));
    /* errors are sticky: the first is reported */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    mid_json_end_array(w);
    mid_json_key(w, "x");
    assert_null(write_finish(w, MID_ERR_ARG));
    assert_non_null(strstr(mid_ctx_error(tu_ctx), "end_array"));
    /* too deep */
    assert_int_equal(mid_json_writer_create(tu_ctx, &w), MID_OK);
    for (unsigned k = 0; k < MID_JSON_MAX_DEPTH + 1; k++) {
        mid_json_begin_array(w);
    }
    assert_null(write_finish(w, MID_ERR_LIMIT));
}

static void b64_vector(const char *plain, const char *coded) {
    char *enc = NULL;
    size_t n = 0;
    assert_int_equal(mid_base64_encode(tu_ctx, plain, strlen(plain), &enc, &n), MID_OK);
    assert_string_equal(enc, coded);
    assert_int_equal(n, strlen(coded));
    mid_free(enc);
    uint8_t *dec = NULL;
    assert_int_equal(mid_base64_decode(tu_ctx, coded, strlen(coded), &dec, &n), MID_OK);
    assert_int_equal(n, strlen(plain));
    assert_memory_equal(dec, plain, n);
    mid_free(dec);
}

static void b64_bad(const char *coded, const char *what) {
    uint8_t *dec = (uint8_t *)1;
    size_t n = 0;
    assert_int_equal(mid_base64_decode(tu_ctx, coded, strlen(coded), &dec, &n), MID_ERR_FORMAT);
    assert_null(dec);
    if (strstr(mid_ctx_error(tu_ctx), what) == NULL) {
        fail_msg("'%s': detail '%s' lacks '%s'", coded, mid_ctx_error(tu_ctx), what);
    }
}

static void test_base64(void **state) {
    (void)state;
    /* RFC 4648 section 10 */
    b64_vector("", "");
    b64_vector("f", "Zg==");
    b64_vector("fo", "Zm8=");
    b64_vector("foo", "Zm9v");
    b64_vector("foob", "Zm9vYg==");
    b64_vector("fooba", "Zm9vYmE=");
    b64_vector("foobar", "Zm9vYmFy");
    /* every byte value */
    uint8_t all[256];
    for (int k = 0; k < 256; k++) {
        all[k] = (uint8_t)k;
    }
    char *enc = NULL;
    size_t n = 0;
    assert_int_equal(mid_base64_encode(tu_ctx, all, sizeof(all), &enc, &n), MID_OK);
    uint8_t *dec = NULL;
    assert_int_equal(mid_base64_decode(tu_ctx, enc, n, &dec, &n), MID_OK);
    assert_int_equal(n, 256);
    assert_memory_equal(dec, all, 256);
    mid_free(enc);
    mid_free(dec);
    /* rejections with offsets */
    b64_bad("Zm9", "multiple of 4");
    b64_bad("Zm9v YmFy", "multiple of 4");
    b64_bad("Zm9vYm!y", "bad character at byte 6");
    b64_bad("Zm=v", "bad character at byte 2");
    b64_bad("Z===", "bad character at byte 1");
    b64_bad("Zm9vYmF\n", "bad character at byte 7");
    b64_bad("Zm-v", "bad character at byte 2");
    b64_bad("Zh==", "non-zero bits");
    b64_bad("Zm9=", "non-zero bits");
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_documents),
        cmocka_unit_test(test_rejections),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_writer),
        cmocka_unit_test(test_writer_round_trip_doubles),
        cmocka_unit_test(test_writer_misuse),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, tu_ctx_setup, tu_ctx_teardown);
}
