/*
 * Synthetic population: PNC-style person records for tests, the demo and 1:N
 * benchmarks. No record describes a real person: names, places and numbers are
 * drawn from public frequency tables and invented street names.
 *
 * Identity: record p of seed S is a pure function of (S, p). Person p is the same
 * person p whose finger masters mid_synth_master_create(s, S, p, finger) draws,
 * so a record and its ten prints belong together.
 *
 * Ownership: a mid_person is a plain value with fixed-size fields (every string
 * is NUL-terminated inside the struct); it owns no memory and may be copied.
 * Dates are "as of" MID_PERSON_REFERENCE_DATE: ages, live reports and
 * disqualifications are relative to it, so that output does not depend on
 * the day it is generated.
 *
 * Field distributions and their sources: docs/population.md.
 */
#ifndef MID_PERSON_H
#define MID_PERSON_H

#include "mid/limits.h"
#include "mid/synth.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The date every record is "as of": 1 January 2025. */
#define MID_PERSON_REFERENCE_YEAR 2025

/* Sizes of the fixed fields (bytes, including the terminating NUL). */
#define MID_PERSON_NAME_SIZE 32
#define MID_PERSON_STREET_SIZE 40
#define MID_PERSON_TOWN_SIZE 32
#define MID_PERSON_POSTCODE_SIZE 10
#define MID_PERSON_PNC_SIZE 12 /* "YY/NNNNNNNC" */
#define MID_PERSON_CRO_SIZE 12 /* "NNNNNN/YYC" */

/* Bounded arrays. */
#define MID_PERSON_MAX_ADDRESSES 2
#define MID_PERSON_MAX_ALIASES 4
#define MID_PERSON_MAX_WANTED 2

/* A calendar date; year 0 means "none". */
typedef struct mid_date {
    uint16_t year;
    uint8_t month; /* 1..12 */
    uint8_t day;   /* 1..31 */
} mid_date;

typedef enum mid_gender { MID_GENDER_UNKNOWN = 0, MID_GENDER_MALE, MID_GENDER_FEMALE } mid_gender;

/* Officer-defined ethnicity: the UK police "IC" codes. */
typedef enum mid_ethnicity {
    MID_IC0 = 0, /* not recorded */
    MID_IC1,     /* White - North European */
    MID_IC2,     /* White - South European */
    MID_IC3,     /* Black */
    MID_IC4,     /* Asian (Indian sub-continent) */
    MID_IC5,     /* Chinese, Japanese or other South-East Asian */
    MID_IC6,     /* Arab or North African */
    MID_IC9 = 9  /* unknown */
} mid_ethnicity;

/* Warning markers: bit i of mid_person.markers is marker i. Two-letter codes in
 * the style of PNC warning signals (ours; see docs/population.md). */
typedef enum mid_marker {
    MID_MARKER_VIOLENT = 0,  /* VI */
    MID_MARKER_WEAPONS,      /* WE */
    MID_MARKER_FIREARMS,     /* FI */
    MID_MARKER_DRUGS,        /* DR */
    MID_MARKER_SELF_HARM,    /* SH */
    MID_MARKER_SUICIDAL,     /* SU */
    MID_MARKER_MENTAL,       /* MH */
    MID_MARKER_ESCAPER,      /* ES */
    MID_MARKER_CONTAGIOUS,   /* CO */
    MID_MARKER_AILMENT,      /* AI */
    MID_MARKER_IMPERSONATES, /* IP: impersonates police */
    MID_MARKER_ALLEGES,      /* AT: makes allegations against officers */
    MID_MARKER_EXPLOSIVES,   /* EX */
    MID_MARKER_COUNT
} mid_marker;

typedef struct mid_person_name {
    char forename[MID_PERSON_NAME_SIZE];
    char middle[MID_PERSON_NAME_SIZE]; /* "" when none */
    char surname[MID_PERSON_NAME_SIZE];
} mid_person_name;

typedef struct mid_person_address {
    uint16_t number; /* house number, >= 1 */
    char street[MID_PERSON_STREET_SIZE];
    char town[MID_PERSON_TOWN_SIZE];
    char postcode[MID_PERSON_POSTCODE_SIZE]; /* e.g. "LS6 2QT" */
} mid_person_address;

typedef struct mid_person_alias {
    mid_person_name name;
    mid_date dob;
    uint64_t shared_with; /* the person whose real name this is, or UINT64_MAX if invented */
} mid_person_alias;

/* A live report by a police force: wanted (with an offence) or missing. */
typedef struct mid_person_report {
    uint8_t force;   /* index for mid_person_force_name() */
    uint8_t offence; /* index for mid_person_offence_name(); 0 for missing reports */
    mid_date date;   /* when it was made */
} mid_person_report;

typedef struct mid_person {
    uint64_t person; /* the identity number (fingerprints: same person) */
    char pnc_id[MID_PERSON_PNC_SIZE];
    char cro[MID_PERSON_CRO_SIZE]; /* "" when the person has no CRO number */
    mid_person_name name;
    mid_date dob;
    mid_gender gender;
    mid_ethnicity ethnicity;
    unsigned n_addresses; /* 1..MID_PERSON_MAX_ADDRESSES; [0] is the current one */
    mid_person_address address[MID_PERSON_MAX_ADDRESSES];
    uint32_t markers; /* bit set of mid_marker */
    unsigned n_wanted;
    mid_person_report wanted[MID_PERSON_MAX_WANTED];
    bool missing;
    mid_person_report missing_report; /* valid when missing */
    mid_date disqualified_until;      /* driving disqualification; year 0 when none */
    unsigned n_aliases;
    mid_person_alias alias[MID_PERSON_MAX_ALIASES];
    bool immigration_interest;
} mid_person;

/* Generates the record of person 0 <= person < MID_SYNTH_MAX_PERSONS for seed.
 * A pure function of (seed, person). The PNC ID (and CRO number, when present)
 * is an injective function of person within a seed: no two persons of a seed
 * share one. s holds no state for this and may be NULL (errors then carry no
 * detail). Fails with MID_ERR_ARG (out NULL) or MID_ERR_LIMIT (person too large). */
mid_status mid_synth_person(mid_synth *s, uint64_t seed, uint64_t person, mid_person *out);

/* Checks the format and check character of a PNC ID "YY/NNNNNNNC" and of a CRO
 * number "NNNNNN/YYC" (both: modulus 23 of the digits YYNNNNNNN resp.
 * YYNNNNNN, mapped onto ZABCDEFGHJKLMNPQRTUVWXY). */
bool mid_person_pnc_valid(const char *pnc);
bool mid_person_cro_valid(const char *cro);

/* Names of the tables' entries; "?" when out of range. */
const char *mid_person_force_name(unsigned force); /* 0..MID_PERSON_FORCE_COUNT-1 */
const char *mid_person_offence_name(unsigned offence);
const char *mid_person_marker_code(mid_marker m);       /* "VI", ... */
const char *mid_person_marker_name(mid_marker m);       /* "violent", ... */
const char *mid_person_ethnicity_code(mid_ethnicity e); /* "IC1", ... */
#define MID_PERSON_FORCE_COUNT 45u                      /* 43 England & Wales, Scotland, PSNI */

/* ---- Streaming output ---------------------------------------------------- */

typedef enum mid_person_format {
    MID_PERSON_CSV = 0, /* RFC 4180: CRLF-free lines ending in "\n", fields quoted as needed */
    MID_PERSON_JSONL    /* one JSON object per line */
} mid_person_format;

/* Upper bound of one formatted record, in bytes. */
#define MID_PERSON_FORMAT_MAX 4096u

/* The CSV header line (with its "\n"); "" for JSON lines. */
const char *mid_person_header(mid_person_format format);

/* Writes one record (ending in "\n", not NUL-terminated) into buf and returns its
 * length, or 0 when cap is too small (cap >= MID_PERSON_FORMAT_MAX always suffices). */
size_t mid_person_write(const mid_person *p, mid_person_format format, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
