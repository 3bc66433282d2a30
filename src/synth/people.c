/*
 * The synthetic population: PNC-style person records (include/mid/person.h).
 *
 * Every field is drawn from an RNG seeded by (seed, person, 0, 0, stream), one
 * stream per purpose, so that the identity of person q (gender, ethnicity,
 * names, date of birth) can be recomputed cheaply when another record borrows
 * q's name as an alias.
 *
 * PNC IDs are unique within a seed by construction: the person number goes
 * through a keyed bijection of [0, MID_SYNTH_MAX_PERSONS) (a 26-bit Feistel
 * network with cycle walking), and the result indexes the serial space of the
 * record years 1975..2024 laid end to end. The record year is therefore an
 * output of the permutation, and the date of birth is drawn to fit it (age at
 * first record). The CRO number reuses the same (year, serial), so it is unique
 * too. Proportions and their sources: docs/population.md.
 */
#include "mid/person.h"

#include "core/core.h"
#include "synth/people_data.h"
#include "synth/rng.h"
#include "synth/synth_internal.h"

#include <math.h>
#include <string.h>

/* RNG streams of this file (distinct from the fingerprint stages'). */
#define STREAM_PERMUTE 0x50504c5045ull  /* "PPLPE": Feistel round keys */
#define STREAM_IDENTITY 0x50504c4944ull /* "PPLID": gender, ethnicity, names */
#define STREAM_DOB 0x50504c444full      /* "PPLDO": age at first record, birthday */
#define STREAM_RECORD 0x50504c5245ull   /* "PPLRE": everything else */

/* Check characters of PNC IDs and CRO numbers: remainder 0..22 of the number
 * modulo 23 indexes this alphabet (A..Z without I, O and S, with Z for 0). */
static const char CHECK_LETTERS[] = "ZABCDEFGHJKLMNPQRTUVWXY";

/* Letters allowed in the inward code of a UK postcode (not C, I, K, M, O, V). */
static const char INWARD_LETTERS[] = "ABDEFGHJLNPQRSTUWXYZ";

/* ---- Dates --------------------------------------------------------------- */

static bool is_leap(unsigned y) {
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m) {
    static const uint8_t days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29u : days[m - 1];
}

/* Days since 1 January 1900 (dates from 1900 on). */
static int32_t date_ordinal(mid_date d) {
    int32_t y = d.year;
    int32_t n = (y - 1900) * 365 + (y - 1901) / 4; /* leap days of 1904..y-1 (to 2099) */
    for (unsigned m = 1; m < d.month; m++) {
        n += (int32_t)month_days(d.year, m);
    }
    return n + d.day - 1;
}

static mid_date date_from_ordinal(int32_t n) {
    unsigned y = 1900 + (unsigned)(n / 366);
    mid_date jan1 = {(uint16_t)y, 1, 1};
    int32_t rest = n - date_ordinal(jan1);
    while (rest >= (is_leap(y) ? 366 : 365)) {
        rest -= is_leap(y) ? 366 : 365;
        y++;
    }
    unsigned m = 1;
    while (rest >= (int32_t)month_days(y, m)) {
        rest -= (int32_t)month_days(y, m);
        m++;
    }
    mid_date d = {(uint16_t)y, (uint8_t)m, (uint8_t)(rest + 1)};
    return d;
}

static const mid_date REFERENCE = {MID_PERSON_REFERENCE_YEAR, 1, 1};

/* Completed years of age on the reference date. */
static unsigned age_at_reference(mid_date dob) {
    unsigned age = (unsigned)(REFERENCE.year - dob.year);
    if (dob.month > 1 || dob.day > 1) {
        age--; /* the reference is 1 January: a later birthday has not come yet */
    }
    return age;
}

/* The reference date minus a number of days drawn in [0, span), denser near 0
 * (the minimum of two uniforms: reports are more often recent). */
static mid_date recent_date(synth_rng *r, uint32_t span) {
    uint32_t a = synth_rng_below(r, span), b = synth_rng_below(r, span);
    return date_from_ordinal(date_ordinal(REFERENCE) - (int32_t)(a < b ? a : b) - 1);
}

/* ---- Weighted tables ----------------------------------------------------- */

static uint32_t pick_index(synth_rng *r, const people_table *t) {
    uint32_t x = synth_rng_below(r, t->total);
    for (uint32_t i = 0; i < t->n; i++) {
        if (x < t->e[i].weight) {
            return i;
        }
        x -= t->e[i].weight;
    }
    return t->n - 1; /* unreachable while total is the sum */
}

static const char *pick(synth_rng *r, const people_table *t) {
    return t->e[pick_index(r, t)].name;
}

static bool chance(synth_rng *r, double p) {
    return synth_rng_uniform(r) < p;
}

/* Copies src into a fixed field, truncating (fields are sized for the tables),
 * and zero-fills the rest, so that equal records are equal byte for byte. */
static void set_field(char *dst, size_t size, const char *src) {
    size_t n = strlen(src);
    if (n >= size) {
        n = size - 1;
    }
    memcpy(dst, src, n);
    memset(dst + n, 0, size - n);
}

/* ---- PNC serial permutation ---------------------------------------------- */

#define FEISTEL_HALF_BITS 13u
#define FEISTEL_ROUNDS 6

/* A keyed permutation of [0, 2^26): a balanced Feistel network is a bijection
 * whatever its round function. */
static uint32_t feistel(const uint64_t *keys, uint32_t x) {
    const uint32_t mask = (1u << FEISTEL_HALF_BITS) - 1;
    uint32_t l = x >> FEISTEL_HALF_BITS, r = x & mask;
    for (int i = 0; i < FEISTEL_ROUNDS; i++) {
        uint32_t t = l ^ (uint32_t)(synth_mix64(r ^ keys[i]) & mask);
        l = r;
        r = t;
    }
    return l << FEISTEL_HALF_BITS | r;
}

/* The serial index of person (< people_year_total) in the concatenated serial
 * spaces of the record years: cycle walking restricts the permutation of
 * [0, 2^26) to a permutation of [0, people_year_total). */
static uint32_t serial_index(uint64_t seed, uint32_t person) {
    uint64_t keys[FEISTEL_ROUNDS];
    for (int i = 0; i < FEISTEL_ROUNDS; i++) {
        keys[i] = synth_mix64(seed ^ STREAM_PERMUTE ^ ((uint64_t)(i + 1) << 56));
    }
    uint32_t x = person;
    do {
        x = feistel(keys, x);
    } while (x >= people_year_total);
    return x;
}

/* Record year and 1-based serial of an index. */
static void year_serial(uint32_t index, unsigned *year, uint32_t *serial) {
    for (unsigned i = 0; i < PEOPLE_YEARS; i++) {
        if (index < people_year_capacity[i]) {
            *year = PEOPLE_FIRST_YEAR + i;
            *serial = index + 1;
            return;
        }
        index -= people_year_capacity[i];
    }
    *year = PEOPLE_FIRST_YEAR + PEOPLE_YEARS - 1; /* unreachable for valid indices */
    *serial = 1;
}

static void put_digits(char *dst, uint64_t v, unsigned width) {
    for (unsigned i = width; i-- > 0;) {
        dst[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

static void format_pnc(char *dst, unsigned year, uint32_t serial) {
    unsigned yy = year % 100;
    put_digits(dst, yy, 2);
    dst[2] = '/';
    put_digits(dst + 3, serial, 7);
    dst[10] = CHECK_LETTERS[((uint64_t)yy * 10000000u + serial) % 23];
    dst[11] = '\0';
}

static void format_cro(char *dst, unsigned year, uint32_t serial) {
    unsigned yy = year % 100;
    put_digits(dst, serial, 6);
    dst[6] = '/';
    put_digits(dst + 7, yy, 2);
    dst[9] = CHECK_LETTERS[((uint64_t)yy * 1000000u + serial) % 23];
    dst[10] = '\0';
}

static bool all_digits(const char *s, size_t n, uint64_t *value) {
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        v = v * 10 + (uint64_t)(s[i] - '0');
    }
    *value = v;
    return true;
}

bool mid_person_pnc_valid(const char *pnc) {
    uint64_t yy, serial;
    if (pnc == NULL || strlen(pnc) != 11 || pnc[2] != '/' || !all_digits(pnc, 2, &yy) ||
        !all_digits(pnc + 3, 7, &serial)) {
        return false;
    }
    return pnc[10] == CHECK_LETTERS[(yy * 10000000u + serial) % 23];
}

bool mid_person_cro_valid(const char *cro) {
    uint64_t yy, serial;
    if (cro == NULL || strlen(cro) != 10 || cro[6] != '/' || !all_digits(cro, 6, &serial) ||
        !all_digits(cro + 7, 2, &yy)) {
        return false;
    }
    return cro[9] == CHECK_LETTERS[(yy * 1000000u + serial) % 23];
}

/* ---- Identity: gender, ethnicity, names ---------------------------------- */

typedef enum name_group { G_GB = 0, G_SA, G_EA, G_AR, G_AF, G_SE, G_EE, G_COUNT } name_group;

typedef struct group_tables {
    const people_table *surnames, *male, *female;
} group_tables;

static const group_tables GROUPS[G_COUNT] = {
    {&people_gb_surnames, &people_gb_male, &people_gb_female},
    {&people_sa_surnames, &people_sa_male, &people_sa_female},
    {&people_ea_surnames, &people_ea_male, &people_ea_female},
    {&people_ar_surnames, &people_ar_male, &people_ar_female},
    {&people_af_surnames, &people_af_male, &people_af_female},
    {&people_se_surnames, &people_se_male, &people_se_female},
    {&people_ee_surnames, &people_ee_male, &people_ee_female},
};

/* Officer-defined ethnicity, per mille (docs/population.md). */
static const struct {
    mid_ethnicity code;
    uint16_t per_mille;
    uint16_t group[G_COUNT]; /* name group given the code, per mille */
} ETHNICITY[] = {
    {MID_IC1, 700, {940, 0, 0, 0, 0, 20, 40}},    {MID_IC2, 40, {100, 0, 0, 0, 0, 850, 50}},
    {MID_IC3, 120, {450, 0, 0, 0, 550, 0, 0}},    {MID_IC4, 80, {50, 950, 0, 0, 0, 0, 0}},
    {MID_IC5, 15, {100, 0, 900, 0, 0, 0, 0}},     {MID_IC6, 20, {100, 0, 0, 900, 0, 0, 0}},
    {MID_IC9, 20, {700, 50, 50, 50, 50, 50, 50}}, {MID_IC0, 5, {700, 50, 50, 50, 50, 50, 50}},
};
#define ETHNICITY_COUNT (sizeof(ETHNICITY) / sizeof(ETHNICITY[0]))

#define MALE_SHARE 0.80        /* criminal records: about four in five are men */
#define MIDDLE_NAME_SHARE 0.55 /* people with a middle name */
#define DOUBLE_BARREL_SHARE 0.005
#define GB_SURNAME_SCALE 100000u /* gb surname weights are per 100,000 people */

typedef struct identity {
    mid_gender gender;
    mid_ethnicity ethnicity;
    name_group group;
    mid_person_name name;
} identity;

static name_group draw_group(synth_rng *r, unsigned eth_index) {
    uint32_t x = synth_rng_below(r, 1000);
    for (unsigned g = 0; g < G_COUNT; g++) {
        if (x < ETHNICITY[eth_index].group[g]) {
            return (name_group)g;
        }
        x -= ETHNICITY[eth_index].group[g];
    }
    return G_GB;
}

static void draw_surname(synth_rng *r, name_group g, char *dst) {
    if (g != G_GB) {
        set_field(dst, MID_PERSON_NAME_SIZE, pick(r, GROUPS[g].surnames));
        return;
    }
    /* The listed names carry their share per 100,000; the rest of the population
     * has the long tail, built from common English surname elements. */
    if (synth_rng_below(r, GB_SURNAME_SCALE) < people_gb_surnames.total) {
        set_field(dst, MID_PERSON_NAME_SIZE, pick(r, &people_gb_surnames));
    } else {
        char buf[MID_PERSON_NAME_SIZE * 2];
        const char *a = pick(r, &people_surname_prefix), *b = pick(r, &people_surname_suffix);
        size_t la = strlen(a), lb = strlen(b);
        memcpy(buf, a, la);
        memcpy(buf + la, b, lb + 1);
        set_field(dst, MID_PERSON_NAME_SIZE, buf);
    }
}

/* A full name for gender and group: forename, maybe a middle name, surname. */
static void draw_name(synth_rng *r, mid_gender gender, name_group g, mid_person_name *out) {
    name_group fg = chance(r, 0.8) ? g : G_GB; /* forenames cross groups more often */
    const people_table *t = gender == MID_GENDER_FEMALE ? GROUPS[fg].female : GROUPS[fg].male;
    set_field(out->forename, sizeof(out->forename), pick(r, t));
    memset(out->middle, 0, sizeof(out->middle));
    if (chance(r, MIDDLE_NAME_SHARE)) {
        for (int tries = 0; tries < 4; tries++) {
            const char *m = pick(r, t);
            if (strcmp(m, out->forename) != 0) {
                set_field(out->middle, sizeof(out->middle), m);
                break;
            }
        }
    }
    draw_surname(r, g, out->surname);
    if (g == G_GB && chance(r, DOUBLE_BARREL_SHARE)) {
        char second[MID_PERSON_NAME_SIZE], buf[MID_PERSON_NAME_SIZE * 2 + 1];
        draw_surname(r, g, second);
        size_t la = strlen(out->surname), lb = strlen(second);
        if (la + 1 + lb < MID_PERSON_NAME_SIZE) {
            memcpy(buf, out->surname, la);
            buf[la] = '-';
            memcpy(buf + la + 1, second, lb + 1);
            set_field(out->surname, sizeof(out->surname), buf);
        }
    }
}

static void draw_identity(uint64_t seed, uint64_t person, identity *id) {
    synth_rng r;
    synth_rng_init(&r, seed, person, 0, 0, STREAM_IDENTITY);
    memset(id, 0, sizeof(*id));
    id->gender = chance(&r, MALE_SHARE) ? MID_GENDER_MALE : MID_GENDER_FEMALE;
    uint32_t x = synth_rng_below(&r, 1000);
    unsigned e = 0;
    while (e + 1 < ETHNICITY_COUNT && x >= ETHNICITY[e].per_mille) {
        x -= ETHNICITY[e].per_mille;
        e++;
    }
    id->ethnicity = ETHNICITY[e].code;
    id->group = draw_group(&r, e);
    draw_name(&r, id->gender, id->group, &id->name);
}

/* ---- Date of birth -------------------------------------------------------- */

#define OLDEST_BIRTH_YEAR (MID_PERSON_REFERENCE_YEAR - 90) /* at most 90 on the reference */

/* Age at first record: 10 + lognormal (median 18, 95 % below about 32), and
 * the date of birth that puts the person at that age in the record year. */
static mid_date draw_dob(uint64_t seed, uint64_t person, unsigned record_year) {
    synth_rng r;
    synth_rng_init(&r, seed, person, 0, 0, STREAM_DOB);
    int birth = 0;
    for (int tries = 0; tries < 16; tries++) {
        double a0 = 10.0 + exp(2.1 + 0.6 * synth_rng_normal(&r));
        birth = (int)record_year - (int)a0 - (int)synth_rng_below(&r, 2);
        if (birth >= OLDEST_BIRTH_YEAR) {
            break;
        }
    }
    if (birth < OLDEST_BIRTH_YEAR) {
        birth = OLDEST_BIRTH_YEAR;
    }
    mid_date d;
    d.year = (uint16_t)birth;
    d.month = (uint8_t)(1 + synth_rng_below(&r, 12));
    d.day = (uint8_t)(1 + synth_rng_below(&r, month_days(d.year, d.month)));
    return d;
}

/* ---- Addresses ------------------------------------------------------------ */

static const people_town *pick_town(synth_rng *r) {
    uint32_t x = synth_rng_below(r, people_town_total);
    for (uint32_t i = 0; i < people_town_count; i++) {
        if (x < people_towns[i].weight) {
            return &people_towns[i];
        }
        x -= people_towns[i].weight;
    }
    return &people_towns[0];
}

static void draw_address(synth_rng *r, const people_town *town, mid_person_address *a) {
    /* House numbers: mostly low (short streets), some long roads. */
    a->number = (uint16_t)(1 + (chance(r, 0.7) ? synth_rng_below(r, 40) : synth_rng_below(r, 250)));
    char street[MID_PERSON_STREET_SIZE * 2];
    const char *stem = pick(r, &people_street_stem), *end = pick(r, &people_street_end);
    const char *type = pick(r, &people_street_type);
    size_t ls = strlen(stem), le = strlen(end), lt = strlen(type);
    if (le <= ls && memcmp(stem + ls - le, end, le) == 0) {
        le = 0; /* "Speedwell" + "well": keep the stem alone */
    }
    memcpy(street, stem, ls);
    memcpy(street + ls, end, le);
    street[ls + le] = ' ';
    memcpy(street + ls + le + 1, type, lt + 1);
    set_field(a->street, sizeof(a->street), street);
    set_field(a->town, sizeof(a->town), town->name);
    /* Outward code: area + district; inward code: sector digit + two unit letters. */
    char pc[MID_PERSON_POSTCODE_SIZE];
    size_t n = strlen(town->area);
    memcpy(pc, town->area, n);
    unsigned district = 1 + synth_rng_below(r, town->districts);
    if (district >= 10) {
        pc[n++] = (char)('0' + district / 10);
    }
    pc[n++] = (char)('0' + district % 10);
    pc[n++] = ' ';
    pc[n++] = (char)('0' + synth_rng_below(r, 10));
    pc[n++] = INWARD_LETTERS[synth_rng_below(r, sizeof(INWARD_LETTERS) - 1)];
    pc[n++] = INWARD_LETTERS[synth_rng_below(r, sizeof(INWARD_LETTERS) - 1)];
    pc[n] = '\0';
    memcpy(a->postcode, pc, n + 1);
}

/* ---- Markers and reports -------------------------------------------------- */

/* Independent base rates, with the usual associations: weapons and firearms
 * markers go with violence, suicidal with self-harm (docs/population.md). */
static uint32_t draw_markers(synth_rng *r, const mid_person *p) {
    uint32_t m = 0;
#define SET(marker, prob)                                                                          \
    do {                                                                                           \
        if (chance(r, (prob))) {                                                                   \
            m |= 1u << (marker);                                                                   \
        }                                                                                          \
    } while (0)
#define HAS(marker) ((m >> (marker)) & 1u)
    double male = p->gender == MID_GENDER_MALE ? 1.0 : 0.5;
    SET(MID_MARKER_VIOLENT, 0.12 * male);
    SET(MID_MARKER_WEAPONS, HAS(MID_MARKER_VIOLENT) ? 0.25 : 0.015);
    SET(MID_MARKER_FIREARMS, HAS(MID_MARKER_WEAPONS) ? 0.12 : 0.002);
    SET(MID_MARKER_DRUGS, 0.08);
    SET(MID_MARKER_SELF_HARM, 0.03);
    SET(MID_MARKER_SUICIDAL, HAS(MID_MARKER_SELF_HARM) ? 0.40 : 0.008);
    SET(MID_MARKER_MENTAL, HAS(MID_MARKER_SELF_HARM) ? 0.35 : 0.03);
    SET(MID_MARKER_ESCAPER, 0.008);
    SET(MID_MARKER_CONTAGIOUS, 0.004);
    SET(MID_MARKER_AILMENT, 0.02);
    SET(MID_MARKER_IMPERSONATES, 0.002);
    SET(MID_MARKER_ALLEGES, 0.012);
    SET(MID_MARKER_EXPLOSIVES, 0.001);
#undef SET
#undef HAS
    return m;
}

#define WANTED_SHARE 0.035        /* live wanted report */
#define SECOND_WANTED_SHARE 0.15  /* of the wanted, those wanted by two forces */
#define HOME_FORCE_SHARE 0.65     /* reports by the force of the current address */
#define MISSING_SHARE_CHILD 0.04  /* under 18 */
#define MISSING_SHARE_ADULT 0.003 /* 18 and over */
#define ALIAS_SHARE 0.15
#define SHARED_ALIAS_SHARE 0.35   /* of aliases: another person's real name */
#define VARIANT_ALIAS_SHARE 0.25  /* of aliases: a variant of the own name */
#define SHARED_ALIAS_WINDOW 1000u /* a shared name is a person within this distance */

static uint8_t report_force(synth_rng *r, const people_town *home) {
    if (chance(r, HOME_FORCE_SHARE)) {
        return home->force;
    }
    return pick_town(r)->force; /* elsewhere, in proportion to population */
}

/* A date of birth given as an alias: the real one, a transposition of day and
 * month, or a nearby year. */
static mid_date alias_dob(synth_rng *r, mid_date dob) {
    double u = synth_rng_uniform(r);
    if (u < 0.5) {
        return dob;
    }
    mid_date d = dob;
    if (u < 0.75 && dob.day <= 12 && dob.day != dob.month) {
        d.month = dob.day;
        d.day = dob.month;
        return d;
    }
    int shift = 1 + (int)synth_rng_below(r, 3);
    d.year = (uint16_t)(dob.year + (chance(r, 0.5) ? shift : -shift));
    if (d.month == 2 && d.day == 29 && !is_leap(d.year)) {
        d.day = 28;
    }
    return d;
}

static void draw_alias(synth_rng *r, uint64_t seed, const mid_person *p, const identity *own,
                       mid_person_alias *a) {
    a->shared_with = UINT64_MAX;
    double u = synth_rng_uniform(r);
    if (u < SHARED_ALIAS_SHARE) {
        /* Another person's real name: a nearby person of the same gender. */
        for (int tries = 0; tries < 8; tries++) {
            uint64_t d = 1 + synth_rng_below(r, SHARED_ALIAS_WINDOW), q;
            if (p->person >= d && (chance(r, 0.5) || p->person + d >= MID_SYNTH_MAX_PERSONS)) {
                q = p->person - d;
            } else {
                q = p->person + d;
            }
            identity other;
            draw_identity(seed, q, &other);
            if (other.gender != own->gender) {
                continue;
            }
            a->name = other.name;
            a->shared_with = q;
            if (chance(r, 0.5)) {
                unsigned year;
                uint32_t serial;
                year_serial(serial_index(seed, (uint32_t)q), &year, &serial);
                a->dob = draw_dob(seed, q, year);
            } else {
                a->dob = alias_dob(r, p->dob);
            }
            return;
        }
    }
    if (u < SHARED_ALIAS_SHARE + VARIANT_ALIAS_SHARE) {
        /* A variant: the middle name as forename, or another surname (a partner's,
         * a maiden name). */
        a->name = own->name;
        if (own->name.middle[0] != '\0' && chance(r, 0.5)) {
            memcpy(a->name.forename, own->name.middle, sizeof(a->name.forename));
            memcpy(a->name.middle, own->name.forename, sizeof(a->name.middle));
        } else {
            draw_surname(r, own->group, a->name.surname);
        }
    } else {
        draw_name(r, own->gender, own->group, &a->name); /* an invented false name */
    }
    a->dob = alias_dob(r, p->dob);
}

/* ---- The record ---------------------------------------------------------- */

static void generate(uint64_t seed, uint64_t person, mid_person *p) {
    memset(p, 0, sizeof(*p));
    p->person = person;

    unsigned year;
    uint32_t serial;
    year_serial(serial_index(seed, (uint32_t)person), &year, &serial);
    format_pnc(p->pnc_id, year, serial);

    identity id;
    draw_identity(seed, person, &id);
    p->name = id.name;
    p->gender = id.gender;
    p->ethnicity = id.ethnicity;
    p->dob = draw_dob(seed, person, year);
    unsigned age = age_at_reference(p->dob);

    synth_rng r;
    synth_rng_init(&r, seed, person, 0, 0, STREAM_RECORD);
    if (chance(&r, 0.6)) {
        format_cro(p->cro, year, serial); /* a fingerprinted conviction */
    }

    const people_town *home = pick_town(&r);
    draw_address(&r, home, &p->address[0]);
    p->n_addresses = 1;
    if (chance(&r, 0.35)) {
        draw_address(&r, chance(&r, 0.6) ? home : pick_town(&r), &p->address[1]);
        p->n_addresses = 2;
    }

    p->markers = draw_markers(&r, p);

    if (chance(&r, WANTED_SHARE)) {
        p->n_wanted = chance(&r, SECOND_WANTED_SHARE) ? 2 : 1;
        for (unsigned i = 0; i < p->n_wanted; i++) {
            p->wanted[i].force = report_force(&r, home);
            p->wanted[i].offence = (uint8_t)(1 + pick_index(&r, &people_offences));
            p->wanted[i].date = recent_date(&r, 3 * 365);
        }
    }
    if (chance(&r, age < 18 ? MISSING_SHARE_CHILD : MISSING_SHARE_ADULT)) {
        p->missing = true;
        p->missing_report.force = report_force(&r, home);
        p->missing_report.date = recent_date(&r, 180);
    }
    double disq = age < 17 ? 0.0 : p->gender == MID_GENDER_MALE ? 0.035 : 0.012;
    if (chance(&r, disq)) {
        int32_t days = 30 + (int32_t)synth_rng_below(&r, 5 * 365);
        p->disqualified_until = date_from_ordinal(date_ordinal(REFERENCE) + days);
    }

    if (chance(&r, ALIAS_SHARE)) {
        uint32_t x = synth_rng_below(&r, 100);
        p->n_aliases = x < 60 ? 1 : x < 85 ? 2 : x < 95 ? 3 : 4;
        for (unsigned i = 0; i < p->n_aliases; i++) {
            draw_alias(&r, seed, p, &id, &p->alias[i]);
        }
    }
    p->immigration_interest = chance(&r, id.group == G_GB ? 0.01 : 0.05);
}

mid_status mid_synth_person(mid_synth *s, uint64_t seed, uint64_t person, mid_person *out) {
    mid_ctx *ctx = s != NULL ? s->ctx : NULL;
    if (out == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "synth person: no output record");
    }
    if (person >= MID_SYNTH_MAX_PERSONS) {
        return core_fail(ctx, MID_ERR_LIMIT,
                         "synth person: person %llu beyond the population size %u",
                         (unsigned long long)person, MID_SYNTH_MAX_PERSONS);
    }
    generate(seed, person, out);
    return MID_OK;
}

/* ---- Names of table entries ----------------------------------------------- */

static const char *const MARKER_CODES[MID_MARKER_COUNT] = {"VI", "WE", "FI", "DR", "SH", "SU", "MH",
                                                           "ES", "CO", "AI", "IP", "AT", "EX"};
static const char *const MARKER_NAMES[MID_MARKER_COUNT] = {
    "violent",       "weapons", "firearms",           "drugs",   "self-harm",           "suicidal",
    "mental health", "escaper", "contagious disease", "ailment", "impersonates police", "alleges",
    "explosives"};

const char *mid_person_force_name(unsigned force) {
    return force < PEOPLE_FORCE_COUNT ? people_forces[force] : "?";
}

const char *mid_person_offence_name(unsigned offence) {
    return offence >= 1 && offence <= people_offences.n ? people_offences.e[offence - 1].name : "?";
}

const char *mid_person_marker_code(mid_marker m) {
    return (unsigned)m < MID_MARKER_COUNT ? MARKER_CODES[m] : "?";
}

const char *mid_person_marker_name(mid_marker m) {
    return (unsigned)m < MID_MARKER_COUNT ? MARKER_NAMES[m] : "?";
}

const char *mid_person_ethnicity_code(mid_ethnicity e) {
    static const char *const codes[10] = {"IC0", "IC1", "IC2", "IC3", "IC4",
                                          "IC5", "IC6", "?",   "?",   "IC9"};
    return (unsigned)e < 10 ? codes[e] : "?";
}

/* ---- Streaming output ------------------------------------------------------
 * Hand-written appenders (no printf per field): the population is written at
 * millions of records per minute. A writer never writes past end; once a piece
 * does not fit it stops and reports failure. */

typedef struct writer {
    char *p, *end;
    bool full;
} writer;

static void put_mem(writer *w, const char *s, size_t n) {
    if (w->full || (size_t)(w->end - w->p) < n) {
        w->full = true;
        return;
    }
    memcpy(w->p, s, n);
    w->p += n;
}

static void put_str(writer *w, const char *s) {
    put_mem(w, s, strlen(s));
}

static void put_char(writer *w, char c) {
    put_mem(w, &c, 1);
}

static void put_u64(writer *w, uint64_t v) {
    char buf[20];
    size_t n = 0;
    do {
        buf[sizeof(buf) - 1 - n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    put_mem(w, buf + sizeof(buf) - n, n);
}

static void put_date(writer *w, mid_date d) {
    char buf[10];
    put_digits(buf, d.year, 4);
    buf[4] = '-';
    put_digits(buf + 5, d.month, 2);
    buf[7] = '-';
    put_digits(buf + 8, d.day, 2);
    put_mem(w, buf, sizeof(buf));
}

/* RFC 4180: a field holding a comma, quote, CR or LF is quoted, its quotes doubled. */
static void put_csv(writer *w, const char *s, size_t n) {
    bool quote = false;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r') {
            quote = true;
            break;
        }
    }
    if (!quote) {
        put_mem(w, s, n);
        return;
    }
    put_char(w, '"');
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') {
            put_mem(w, s + start, i + 1 - start); /* up to and with the quote */
            put_char(w, '"');
            start = i + 1;
        }
    }
    put_mem(w, s + start, n - start);
    put_char(w, '"');
}

/* A JSON string (RFC 8259): quote, backslash and control characters escaped. */
static void put_json(writer *w, const char *s) {
    static const char hex[] = "0123456789abcdef";
    put_char(w, '"');
    const char *run = s;
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        put_mem(w, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"':
            put_str(w, "\\\"");
            break;
        case '\\':
            put_str(w, "\\\\");
            break;
        case '\n':
            put_str(w, "\\n");
            break;
        case '\r':
            put_str(w, "\\r");
            break;
        case '\t':
            put_str(w, "\\t");
            break;
        default: {
            char esc[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            put_mem(w, esc, sizeof(esc));
        }
        }
    }
    put_mem(w, run, (size_t)(s - run));
    put_char(w, '"');
}

static void put_full_name(writer *w, const mid_person_name *n) {
    put_str(w, n->forename);
    if (n->middle[0] != '\0') {
        put_char(w, ' ');
        put_str(w, n->middle);
    }
    put_char(w, ' ');
    put_str(w, n->surname);
}

static void put_address_text(writer *w, const mid_person_address *a) {
    put_u64(w, a->number);
    put_char(w, ' ');
    put_str(w, a->street);
    put_str(w, ", ");
    put_str(w, a->town);
    put_str(w, ", ");
    put_str(w, a->postcode);
}

static const char CSV_HEADER[] =
    "person,pnc_id,cro,surname,forenames,gender,dob,ethnicity,address,previous_address,"
    "markers,wanted,missing,disqualified_until,aliases,immigration_interest\n";

const char *mid_person_header(mid_person_format format) {
    return format == MID_PERSON_CSV ? CSV_HEADER : "";
}

static const char *gender_code(mid_gender g) {
    return g == MID_GENDER_MALE ? "M" : g == MID_GENDER_FEMALE ? "F" : "U";
}

/* Composite CSV fields are built in a scratch buffer and then escaped as one. */
#define CSV_FIELD_MAX 1024

typedef void (*field_fn)(writer *w, const mid_person *p);

static void put_csv_composite(writer *w, const mid_person *p, field_fn fn) {
    char buf[CSV_FIELD_MAX];
    writer f = {buf, buf + sizeof(buf), false};
    fn(&f, p);
    if (f.full) {
        w->full = true;
        return;
    }
    put_csv(w, buf, (size_t)(f.p - buf));
}

static void field_forenames(writer *w, const mid_person *p) {
    put_str(w, p->name.forename);
    if (p->name.middle[0] != '\0') {
        put_char(w, ' ');
        put_str(w, p->name.middle);
    }
}

static void field_address(writer *w, const mid_person *p) {
    put_address_text(w, &p->address[0]);
}

static void field_previous(writer *w, const mid_person *p) {
    if (p->n_addresses > 1) {
        put_address_text(w, &p->address[1]);
    }
}

static void field_markers(writer *w, const mid_person *p) {
    bool first = true;
    for (unsigned i = 0; i < MID_MARKER_COUNT; i++) {
        if ((p->markers >> i) & 1u) {
            if (!first) {
                put_char(w, ';');
            }
            put_str(w, MARKER_CODES[i]);
            first = false;
        }
    }
}

static void field_wanted(writer *w, const mid_person *p) {
    for (unsigned i = 0; i < p->n_wanted && i < MID_PERSON_MAX_WANTED; i++) {
        if (i > 0) {
            put_char(w, ';');
        }
        put_str(w, mid_person_force_name(p->wanted[i].force));
        put_char(w, '|');
        put_str(w, mid_person_offence_name(p->wanted[i].offence));
        put_char(w, '|');
        put_date(w, p->wanted[i].date);
    }
}

static void field_missing(writer *w, const mid_person *p) {
    if (p->missing) {
        put_str(w, mid_person_force_name(p->missing_report.force));
        put_char(w, '|');
        put_date(w, p->missing_report.date);
    }
}

static void field_aliases(writer *w, const mid_person *p) {
    for (unsigned i = 0; i < p->n_aliases && i < MID_PERSON_MAX_ALIASES; i++) {
        if (i > 0) {
            put_char(w, ';');
        }
        put_full_name(w, &p->alias[i].name);
        put_char(w, '|');
        put_date(w, p->alias[i].dob);
    }
}

static void write_csv(writer *w, const mid_person *p) {
    put_u64(w, p->person);
    put_char(w, ',');
    put_str(w, p->pnc_id);
    put_char(w, ',');
    put_str(w, p->cro);
    put_char(w, ',');
    put_csv(w, p->name.surname, strlen(p->name.surname));
    put_char(w, ',');
    put_csv_composite(w, p, field_forenames);
    put_char(w, ',');
    put_str(w, gender_code(p->gender));
    put_char(w, ',');
    put_date(w, p->dob);
    put_char(w, ',');
    put_str(w, mid_person_ethnicity_code(p->ethnicity));
    put_char(w, ',');
    put_csv_composite(w, p, field_address);
    put_char(w, ',');
    put_csv_composite(w, p, field_previous);
    put_char(w, ',');
    put_csv_composite(w, p, field_markers);
    put_char(w, ',');
    put_csv_composite(w, p, field_wanted);
    put_char(w, ',');
    put_csv_composite(w, p, field_missing);
    put_char(w, ',');
    if (p->disqualified_until.year != 0) {
        put_date(w, p->disqualified_until);
    }
    put_char(w, ',');
    put_csv_composite(w, p, field_aliases);
    put_char(w, ',');
    put_char(w, p->immigration_interest ? '1' : '0');
    put_char(w, '\n');
}

static void put_json_date(writer *w, mid_date d) {
    put_char(w, '"');
    put_date(w, d);
    put_char(w, '"');
}

static void put_json_name(writer *w, const mid_person_name *n) {
    put_str(w, "\"forename\":");
    put_json(w, n->forename);
    put_str(w, ",\"middle\":");
    put_json(w, n->middle);
    put_str(w, ",\"surname\":");
    put_json(w, n->surname);
}

static void write_json(writer *w, const mid_person *p) {
    put_str(w, "{\"person\":");
    put_u64(w, p->person);
    put_str(w, ",\"pnc_id\":");
    put_json(w, p->pnc_id);
    put_str(w, ",\"cro\":");
    if (p->cro[0] != '\0') {
        put_json(w, p->cro);
    } else {
        put_str(w, "null");
    }
    put_str(w, ",\"name\":{");
    put_json_name(w, &p->name);
    put_str(w, "},\"gender\":\"");
    put_str(w, gender_code(p->gender));
    put_str(w, "\",\"dob\":");
    put_json_date(w, p->dob);
    put_str(w, ",\"ethnicity\":\"");
    put_str(w, mid_person_ethnicity_code(p->ethnicity));
    put_str(w, "\",\"addresses\":[");
    for (unsigned i = 0; i < p->n_addresses && i < MID_PERSON_MAX_ADDRESSES; i++) {
        const mid_person_address *a = &p->address[i];
        put_str(w, i > 0 ? ",{\"number\":" : "{\"number\":");
        put_u64(w, a->number);
        put_str(w, ",\"street\":");
        put_json(w, a->street);
        put_str(w, ",\"town\":");
        put_json(w, a->town);
        put_str(w, ",\"postcode\":");
        put_json(w, a->postcode);
        put_char(w, '}');
    }
    put_str(w, "],\"markers\":[");
    bool first = true;
    for (unsigned i = 0; i < MID_MARKER_COUNT; i++) {
        if ((p->markers >> i) & 1u) {
            put_str(w, first ? "\"" : ",\"");
            put_str(w, MARKER_CODES[i]);
            put_char(w, '"');
            first = false;
        }
    }
    put_str(w, "],\"wanted\":[");
    for (unsigned i = 0; i < p->n_wanted && i < MID_PERSON_MAX_WANTED; i++) {
        put_str(w, i > 0 ? ",{\"force\":" : "{\"force\":");
        put_json(w, mid_person_force_name(p->wanted[i].force));
        put_str(w, ",\"offence\":");
        put_json(w, mid_person_offence_name(p->wanted[i].offence));
        put_str(w, ",\"date\":");
        put_json_date(w, p->wanted[i].date);
        put_char(w, '}');
    }
    put_str(w, "],\"missing\":");
    if (p->missing) {
        put_str(w, "{\"force\":");
        put_json(w, mid_person_force_name(p->missing_report.force));
        put_str(w, ",\"date\":");
        put_json_date(w, p->missing_report.date);
        put_char(w, '}');
    } else {
        put_str(w, "null");
    }
    put_str(w, ",\"disqualified_until\":");
    if (p->disqualified_until.year != 0) {
        put_json_date(w, p->disqualified_until);
    } else {
        put_str(w, "null");
    }
    put_str(w, ",\"aliases\":[");
    for (unsigned i = 0; i < p->n_aliases && i < MID_PERSON_MAX_ALIASES; i++) {
        const mid_person_alias *a = &p->alias[i];
        put_str(w, i > 0 ? ",{" : "{");
        put_json_name(w, &a->name);
        put_str(w, ",\"dob\":");
        put_json_date(w, a->dob);
        put_str(w, ",\"shared_with\":");
        if (a->shared_with != UINT64_MAX) {
            put_u64(w, a->shared_with);
        } else {
            put_str(w, "null");
        }
        put_char(w, '}');
    }
    put_str(w, "],\"immigration_interest\":");
    put_str(w, p->immigration_interest ? "true" : "false");
    put_str(w, "}\n");
}

size_t mid_person_write(const mid_person *p, mid_person_format format, char *buf, size_t cap) {
    if (p == NULL || buf == NULL) {
        return 0;
    }
    writer w = {buf, buf + cap, false};
    if (format == MID_PERSON_JSONL) {
        write_json(&w, p);
    } else {
        write_csv(&w, p);
    }
    return w.full ? 0 : (size_t)(w.p - buf);
}
