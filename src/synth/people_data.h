/*
 * Constant tables of the synthetic population (people_data.c): weighted name
 * lists per name group, towns with postcode areas and forces, offences, street
 * stems and the PNC serial capacity of each record year. Read-only data.
 */
#ifndef MID_SYNTH_PEOPLE_DATA_H
#define MID_SYNTH_PEOPLE_DATA_H

#include <stdint.h>

typedef struct people_entry {
    const char *name;
    uint32_t weight;
} people_entry;

/* A weighted list; total is the sum of the weights (checked by the tests). */
typedef struct people_table {
    const people_entry *e;
    uint32_t n;
    uint32_t total;
} people_table;

typedef struct people_town {
    const char *name;
    const char *area;  /* postcode area, e.g. "LS" */
    uint8_t districts; /* districts are drawn in 1..districts */
    uint8_t force;     /* index into people_forces */
    uint32_t weight;   /* rough population in thousands */
} people_town;

/* Name groups: gb (English, Welsh, Scottish, Irish), sa (South Asian), ea (East and
 * South-East Asian), ar (Arab, North African), af (African, Caribbean), se (South
 * European), ee (East European). */
extern const people_table people_gb_surnames, people_gb_male, people_gb_female;
extern const people_table people_sa_surnames, people_sa_male, people_sa_female;
extern const people_table people_ea_surnames, people_ea_male, people_ea_female;
extern const people_table people_ar_surnames, people_ar_male, people_ar_female;
extern const people_table people_af_surnames, people_af_male, people_af_female;
extern const people_table people_se_surnames, people_se_male, people_se_female;
extern const people_table people_ee_surnames, people_ee_male, people_ee_female;
/* The long tail of British surnames: prefix + suffix ("Ash" + "worth"). */
extern const people_table people_surname_prefix, people_surname_suffix;
extern const people_table people_offences;
extern const people_table people_street_stem, people_street_end, people_street_type;

#define PEOPLE_FORCE_COUNT 45
extern const char *const people_forces[PEOPLE_FORCE_COUNT];

extern const people_town *const people_towns;
extern const uint32_t people_town_count, people_town_total;

/* Record years 1975..2024 and the PNC serials each offers (<= 999,999, so that
 * the CRO serial can be the same number). */
#define PEOPLE_FIRST_YEAR 1975
#define PEOPLE_YEARS 50
extern const uint32_t people_year_capacity[PEOPLE_YEARS];
extern const uint32_t people_year_total;

#endif
