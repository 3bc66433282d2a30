/*
 * Synthetic population (include/mid/person.h): determinism, PNC ID and CRO
 * formats and check characters, uniqueness of PNC IDs, realised proportions
 * against the targets of docs/population.md, and CSV / JSON escaping.
 */
#include "mid/person.h"
#include "synth/people_data.h"
#include "support/testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static mid_person gen(uint64_t seed, uint64_t person) {
    mid_person p;
    assert_int_equal(mid_synth_person(NULL, seed, person, &p), MID_OK);
    return p;
}

static size_t format(const mid_person *p, mid_person_format f, char *buf) {
    size_t n = mid_person_write(p, f, buf, MID_PERSON_FORMAT_MAX);
    assert_true(n > 0 && n < MID_PERSON_FORMAT_MAX);
    buf[n] = '\0';
    return n;
}

static void test_determinism(void **state) {
    (void)state;
    char a[MID_PERSON_FORMAT_MAX], b[MID_PERSON_FORMAT_MAX];
    size_t differ_seed = 0;
    for (uint64_t person = 0; person < 2000; person += 7) {
        mid_person p1 = gen(42, person), p2 = gen(42, person);
        assert_memory_equal(&p1, &p2, sizeof(p1));
        assert_int_equal(p1.person, person);
        format(&p1, MID_PERSON_JSONL, a);
        format(&p2, MID_PERSON_JSONL, b);
        assert_string_equal(a, b);
        mid_person q = gen(43, person);
        format(&q, MID_PERSON_JSONL, b);
        differ_seed += strcmp(a, b) != 0;
        assert_true(strcmp(p1.pnc_id, q.pnc_id) != 0 || strcmp(p1.name.surname, q.name.surname));
    }
    assert_int_equal(differ_seed, 286); /* every sampled record changes with the seed */
    /* A record does not depend on which records were generated before it. */
    mid_person x = gen(42, 1234567), y;
    (void)gen(42, 99);
    y = gen(42, 1234567);
    assert_memory_equal(&x, &y, sizeof(x));
}

static void test_check_characters(void **state) {
    (void)state;
    /* Known answers: modulus 23 of YYNNNNNNN (PNC) and YYNNNNNN (CRO). */
    assert_true(mid_person_pnc_valid("02/0123456W"));
    assert_true(mid_person_pnc_valid("99/0000001G"));
    assert_false(mid_person_pnc_valid("02/0123456X"));
    assert_false(mid_person_pnc_valid("02/0123465W")); /* transposed digits */
    assert_false(mid_person_pnc_valid("2002/0123456W"));
    assert_false(mid_person_pnc_valid("02-0123456W"));
    assert_false(mid_person_pnc_valid(NULL));
    assert_true(mid_person_cro_valid("123456/12U"));
    assert_true(mid_person_cro_valid("054321/79J"));
    assert_false(mid_person_cro_valid("123456/12V"));
    assert_false(mid_person_cro_valid("12345/12U"));
    assert_false(mid_person_cro_valid("12345a/12U"));

    size_t with_cro = 0;
    for (uint64_t person = 0; person < 20000; person++) {
        mid_person p = gen(7, person);
        assert_true(mid_person_pnc_valid(p.pnc_id));
        unsigned yy = (unsigned)atoi(p.pnc_id);
        assert_true(yy <= 24 || yy >= 75); /* record years 1975..2024 */
        if (p.cro[0] != '\0') {
            with_cro++;
            assert_true(mid_person_cro_valid(p.cro));
            /* Same year and serial as the PNC ID. */
            assert_memory_equal(p.cro, p.pnc_id + 4, 6);
            assert_memory_equal(p.cro + 7, p.pnc_id, 2);
        }
    }
    assert_in_range(with_cro, 11600, 12400); /* 60 % */
}

/* No two persons of a seed share a PNC ID: a bitmap over (year, serial). */
static void test_pnc_injective(void **state) {
    (void)state;
    const size_t bits = 100u * 10000000u;
    uint8_t *seen = calloc(bits / 8, 1);
    assert_non_null(seen);
    for (uint64_t person = 0; person < 1000000; person++) {
        mid_person p = gen(2024, person);
        size_t key = (size_t)atoi(p.pnc_id) * 10000000u + (size_t)atol(p.pnc_id + 3);
        assert_true(key < bits);
        assert_false(seen[key / 8] >> (key % 8) & 1);
        seen[key / 8] |= (uint8_t)(1u << (key % 8));
    }
    free(seen);
    /* The very last persons too (the end of the permuted range). */
    mid_person a = gen(2024, MID_SYNTH_MAX_PERSONS - 1), b = gen(2024, MID_SYNTH_MAX_PERSONS - 2);
    assert_string_not_equal(a.pnc_id, b.pnc_id);
}

static void test_limits(void **state) {
    (void)state;
    mid_person p;
    assert_int_equal(mid_synth_person(NULL, 1, MID_SYNTH_MAX_PERSONS, &p), MID_ERR_LIMIT);
    assert_int_equal(mid_synth_person(NULL, 1, UINT64_MAX, &p), MID_ERR_LIMIT);
    assert_int_equal(mid_synth_person(NULL, 1, 0, NULL), MID_ERR_ARG);
    char small[64];
    p = gen(1, 5);
    assert_int_equal(mid_person_write(&p, MID_PERSON_CSV, small, sizeof(small)), 0);
    assert_int_equal(mid_person_write(&p, MID_PERSON_JSONL, small, sizeof(small)), 0);
}

static void test_tables(void **state) {
    (void)state;
    const people_table *tables[] = {
        &people_gb_surnames, &people_gb_male,        &people_gb_female,      &people_sa_surnames,
        &people_sa_male,     &people_sa_female,      &people_ea_surnames,    &people_ea_male,
        &people_ea_female,   &people_ar_surnames,    &people_ar_male,        &people_ar_female,
        &people_af_surnames, &people_af_male,        &people_af_female,      &people_se_surnames,
        &people_se_male,     &people_se_female,      &people_ee_surnames,    &people_ee_male,
        &people_ee_female,   &people_surname_prefix, &people_surname_suffix, &people_offences,
        &people_street_stem, &people_street_end,     &people_street_type};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        uint32_t sum = 0;
        for (uint32_t i = 0; i < tables[t]->n; i++) {
            assert_true(tables[t]->e[i].weight > 0);
            if (tables[t] != &people_offences) {
                assert_true(strlen(tables[t]->e[i].name) < MID_PERSON_NAME_SIZE);
            }
            sum += tables[t]->e[i].weight;
        }
        assert_int_equal(sum, tables[t]->total);
    }
    uint32_t towns = 0;
    for (uint32_t i = 0; i < people_town_count; i++) {
        towns += people_towns[i].weight;
        assert_true(people_towns[i].force < PEOPLE_FORCE_COUNT);
        assert_true(people_towns[i].districts >= 1 && people_towns[i].districts <= 99);
    }
    assert_int_equal(towns, people_town_total);
    uint32_t cap = 0;
    for (unsigned y = 0; y < PEOPLE_YEARS; y++) {
        assert_true(people_year_capacity[y] >= 1 && people_year_capacity[y] <= 999999);
        cap += people_year_capacity[y];
    }
    assert_int_equal(cap, people_year_total);
    assert_int_equal(cap, MID_SYNTH_MAX_PERSONS);
    assert_int_equal(PEOPLE_FORCE_COUNT, MID_PERSON_FORCE_COUNT);
    assert_string_equal(mid_person_force_name(24), "Metropolitan Police Service");
    assert_string_equal(mid_person_force_name(44), "Police Service of Northern Ireland");
    assert_string_equal(mid_person_force_name(45), "?");
    assert_string_equal(mid_person_marker_code(MID_MARKER_SUICIDAL), "SU");
    assert_string_equal(mid_person_ethnicity_code(MID_IC9), "IC9");
    assert_string_equal(mid_person_offence_name(0), "?");
}

static bool is_upper(char c) {
    return c >= 'A' && c <= 'Z';
}

static bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

/* Syntax of the postcodes we make: A9 9AA, A99 9AA, AA9 9AA or AA99 9AA, the
 * inward letters without C, I, K, M, O, V. */
static bool postcode_ok(const char *pc) {
    size_t i = 0;
    if (!is_upper(pc[i++])) {
        return false;
    }
    if (is_upper(pc[i])) {
        i++;
    }
    if (!is_digit(pc[i++])) {
        return false;
    }
    if (is_digit(pc[i])) {
        i++;
    }
    if (pc[i++] != ' ' || !is_digit(pc[i++])) {
        return false;
    }
    for (int k = 0; k < 2; k++, i++) {
        if (!is_upper(pc[i]) || strchr("CIKMOV", pc[i]) != NULL) {
            return false;
        }
    }
    return pc[i] == '\0';
}

static int days_in(int y, int m) {
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0) ? 29 : d[m - 1];
}

static bool date_ok(mid_date d) {
    return d.year >= 1900 && d.month >= 1 && d.month <= 12 && d.day >= 1 &&
           d.day <= days_in(d.year, d.month);
}

static long ymd(mid_date d) {
    return (long)d.year * 10000 + d.month * 100 + d.day;
}

/* Realised proportions over 100,000 persons against the documented targets. */
static void test_proportions(void **state) {
    (void)state;
    const unsigned n = 100000;
    unsigned male = 0, ic[10] = {0}, wanted = 0, missing = 0, disq = 0, aliases = 0, shared = 0;
    unsigned any_marker = 0, immig = 0, young = 0, smith = 0, middle = 0, two_addr = 0;
    unsigned age_hist[100] = {0};
    const long ref = (long)MID_PERSON_REFERENCE_YEAR * 10000 + 101;
    for (uint64_t person = 0; person < n; person++) {
        mid_person p = gen(11, person);
        assert_true(date_ok(p.dob));
        int age = MID_PERSON_REFERENCE_YEAR - p.dob.year - (p.dob.month > 1 || p.dob.day > 1);
        assert_in_range(age, 10, 90);
        age_hist[age]++;
        young += age < 35;
        male += p.gender == MID_GENDER_MALE;
        assert_true(p.ethnicity <= MID_IC9);
        ic[p.ethnicity]++;
        smith += strcmp(p.name.surname, "Smith") == 0;
        middle += p.name.middle[0] != '\0';
        assert_true(p.n_addresses >= 1 && p.n_addresses <= MID_PERSON_MAX_ADDRESSES);
        two_addr += p.n_addresses == 2;
        for (unsigned a = 0; a < p.n_addresses; a++) {
            assert_true(postcode_ok(p.address[a].postcode));
            assert_true(p.address[a].number >= 1);
        }
        any_marker += p.markers != 0;
        assert_true(p.markers < (1u << MID_MARKER_COUNT));
        wanted += p.n_wanted > 0;
        for (unsigned w = 0; w < p.n_wanted; w++) {
            assert_true(date_ok(p.wanted[w].date) && ymd(p.wanted[w].date) < ref);
            assert_string_not_equal(mid_person_force_name(p.wanted[w].force), "?");
            assert_string_not_equal(mid_person_offence_name(p.wanted[w].offence), "?");
        }
        if (p.missing) {
            missing++;
            assert_true(date_ok(p.missing_report.date) && ymd(p.missing_report.date) < ref);
        }
        if (p.disqualified_until.year != 0) {
            disq++;
            assert_true(age >= 17);
            assert_true(date_ok(p.disqualified_until) && ymd(p.disqualified_until) > ref);
        }
        aliases += p.n_aliases > 0;
        for (unsigned a = 0; a < p.n_aliases; a++) {
            assert_true(date_ok(p.alias[a].dob));
            if (p.alias[a].shared_with != UINT64_MAX) {
                shared++;
                /* The alias is the other person's real name. */
                mid_person q = gen(11, p.alias[a].shared_with);
                assert_memory_equal(&q.name, &p.alias[a].name, sizeof(q.name));
                assert_int_equal(q.gender, p.gender);
            }
        }
        immig += p.immigration_interest;
    }
    /* Targets (docs/population.md) with about 4 standard errors of tolerance. */
    assert_in_range(male, 79500, 80500);                                  /* 80 % */
    assert_in_range(ic[MID_IC1], 69400, 70600);                           /* 70 % */
    assert_in_range(ic[MID_IC3], 11600, 12400);                           /* 12 % */
    assert_in_range(ic[MID_IC4], 7650, 8350);                             /* 8 % */
    assert_in_range(ic[MID_IC2] + ic[MID_IC5] + ic[MID_IC6], 7100, 7900); /* 7.5 % */
    assert_in_range(ic[MID_IC0] + ic[MID_IC9], 2300, 2700);               /* 2.5 % */
    assert_in_range(wanted, 3250, 3750);                                  /* 3.5 % */
    assert_in_range(missing, 250, 550);                                   /* rarer: ~0.4 % */
    assert_in_range(disq, 2500, 3300);                                    /* ~2.9 % of all */
    assert_in_range(aliases, 14550, 15450);                               /* 15 % */
    assert_in_range(shared, 7300, 8800);       /* ~34 % of ~24,000 aliases */
    assert_in_range(any_marker, 25000, 36000); /* most people have none */
    assert_in_range(immig, 1750, 2450);        /* ~2.1 % */
    assert_in_range(smith, 1000, 1520);        /* Smith 1.26 % */
    assert_in_range(middle, 54300, 55700);     /* 55 % */
    assert_in_range(two_addr, 34400, 35600);   /* 35 % */
    assert_in_range(young, 45000, 62000);      /* skewed young: about half under 35 */
    assert_true(age_hist[10] + age_hist[11] > 0 && age_hist[85] + age_hist[90] > 0);
}

static mid_person awkward(void) {
    mid_person p = gen(3, 3);
    strcpy(p.name.surname, "O'Neil-Smith, \"JJ\"");
    strcpy(p.name.forename, "Ann\\e");
    strcpy(p.name.middle, "Tab\tCtl\x01");
    p.markers = 1u << MID_MARKER_VIOLENT | 1u << MID_MARKER_DRUGS;
    p.n_aliases = 1;
    memset(&p.alias[0], 0, sizeof(p.alias[0]));
    strcpy(p.alias[0].name.forename, "D'Arcy");
    strcpy(p.alias[0].name.surname, "Le \"Q\"");
    p.alias[0].dob = (mid_date){1990, 2, 28};
    p.alias[0].shared_with = 17;
    return p;
}

static void test_csv(void **state) {
    (void)state;
    char buf[MID_PERSON_FORMAT_MAX + 1];
    mid_person p = awkward();
    format(&p, MID_PERSON_CSV, buf);
    /* Quoted with doubled quotes where a field holds a comma or a quote. */
    assert_non_null(strstr(buf, ",\"O'Neil-Smith, \"\"JJ\"\"\",Ann\\e Tab\tCtl\x01,"));
    assert_non_null(strstr(buf, ",VI;DR,"));
    assert_non_null(strstr(buf, ",\"D'Arcy Le \"\"Q\"\"|1990-02-28\","));
    assert_int_equal(buf[strlen(buf) - 1], '\n');
    /* Every line has the header's 16 fields (counting commas outside quotes). */
    const char *h = mid_person_header(MID_PERSON_CSV);
    unsigned header_commas = 0, commas = 0;
    for (const char *c = h; *c; c++) {
        header_commas += *c == ',';
    }
    bool quoted = false;
    for (const char *c = buf; *c; c++) {
        if (*c == '"') {
            quoted = !quoted;
        } else if (*c == ',' && !quoted) {
            commas++;
        }
    }
    assert_false(quoted);
    assert_int_equal(header_commas, 15);
    assert_int_equal(commas, header_commas);
    /* Plain generated records too. */
    for (uint64_t person = 0; person < 500; person++) {
        mid_person q = gen(5, person);
        format(&q, MID_PERSON_CSV, buf);
        commas = 0;
        quoted = false;
        for (const char *c = buf; *c; c++) {
            if (*c == '"') {
                quoted = !quoted;
            } else if (*c == ',' && !quoted) {
                commas++;
            }
        }
        assert_int_equal(commas, 15);
        assert_non_null(strstr(buf, q.pnc_id));
    }
    assert_string_equal(mid_person_header(MID_PERSON_JSONL), "");
}

static void test_jsonl(void **state) {
    (void)state;
    char buf[MID_PERSON_FORMAT_MAX + 1];
    mid_person p = awkward();
    size_t n = format(&p, MID_PERSON_JSONL, buf);
    assert_non_null(strstr(buf, "\"surname\":\"O'Neil-Smith, \\\"JJ\\\"\""));
    assert_non_null(strstr(buf, "\"forename\":\"Ann\\\\e\""));
    assert_non_null(strstr(buf, "\"middle\":\"Tab\\tCtl\\u0001\""));
    assert_non_null(strstr(buf, "\"markers\":[\"VI\",\"DR\"]"));
    assert_non_null(strstr(buf, "\"dob\":\"1990-02-28\",\"shared_with\":17}"));
    assert_int_equal(buf[n - 1], '\n');
    for (size_t i = 0; i + 1 < n; i++) {
        assert_true((unsigned char)buf[i] >= 0x20); /* one line, no raw control bytes */
    }
    /* Balanced braces and brackets outside strings, for generated records. */
    for (uint64_t person = 0; person < 500; person++) {
        mid_person q = gen(5, person);
        n = format(&q, MID_PERSON_JSONL, buf);
        int depth = 0;
        bool in_str = false;
        for (size_t i = 0; i < n; i++) {
            char c = buf[i];
            if (in_str) {
                if (c == '\\') {
                    i++;
                } else if (c == '"') {
                    in_str = false;
                }
            } else if (c == '"') {
                in_str = true;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
                assert_true(depth >= 0);
            }
        }
        assert_false(in_str);
        assert_int_equal(depth, 0);
        assert_memory_equal(buf, "{\"person\":", 10);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_determinism),   cmocka_unit_test(test_check_characters),
        cmocka_unit_test(test_pnc_injective), cmocka_unit_test(test_limits),
        cmocka_unit_test(test_tables),        cmocka_unit_test(test_proportions),
        cmocka_unit_test(test_csv),           cmocka_unit_test(test_jsonl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
