/*
 * bench_people: realised field distributions of the synthetic population and a
 * uniqueness check of its PNC IDs, with generation and formatting speed.
 *
 *   bench_people [--seed S] [--count N] [--unique M]
 *
 * Generates persons 0..N-1 of seed S (default 1, 1,000,000), prints the
 * distributions documented in docs/population.md as Markdown, then checks that
 * persons 0..M-1 (default 10,000,000) have pairwise different PNC IDs with a
 * bitmap over (year, serial). Times are thread CPU seconds.
 */
#include "mid/mid.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void row(const char *what, double count, double n) {
    printf("| %s | %.0f | %.3f %% |\n", what, count, 100.0 * count / n);
}

#define TOP_SURNAMES 10

typedef struct name_count {
    char name[MID_PERSON_NAME_SIZE];
    unsigned long count;
} name_count;

/* Small open-addressing tally of surnames (the tables are moderate in size). */
#define TALLY_SIZE 8192u

static unsigned hash_name(const char *s) {
    unsigned h = 2166136261u;
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 16777619u;
    }
    return h;
}

static void tally(name_count *t, const char *name) {
    unsigned i = hash_name(name) % TALLY_SIZE;
    for (unsigned k = 0; k < TALLY_SIZE; k++, i = (i + 1) % TALLY_SIZE) {
        if (t[i].count == 0) {
            snprintf(t[i].name, sizeof(t[i].name), "%s", name);
        }
        if (strcmp(t[i].name, name) == 0) {
            t[i].count++;
            return;
        }
    }
}

static int by_count(const void *a, const void *b) {
    const name_count *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : strcmp(x->name, y->name);
}

int main(int argc, char **argv) {
    uint64_t seed = 1, n = 1000000, unique_n = 10000000;
    for (int i = 1; i + 1 < argc; i += 2) {
        uint64_t v = strtoull(argv[i + 1], NULL, 10);
        if (strcmp(argv[i], "--seed") == 0) {
            seed = v;
        } else if (strcmp(argv[i], "--count") == 0) {
            n = v;
        } else if (strcmp(argv[i], "--unique") == 0) {
            unique_n = v;
        } else {
            fprintf(stderr, "usage: bench_people [--seed S] [--count N] [--unique M]\n");
            return 2;
        }
    }
    if (n == 0 || n > MID_SYNTH_MAX_PERSONS || unique_n > MID_SYNTH_MAX_PERSONS) {
        fprintf(stderr, "bench_people: counts must be 1..%u\n", MID_SYNTH_MAX_PERSONS);
        return 2;
    }

    unsigned long male = 0, ic[10] = {0}, wanted = 0, wanted2 = 0, missing = 0, missing_child = 0;
    unsigned long children = 0, disq = 0, with_alias = 0, alias_total = 0, alias_shared = 0;
    unsigned long alias_n[MID_PERSON_MAX_ALIASES + 1] = {0}, markers[MID_MARKER_COUNT] = {0};
    unsigned long any_marker = 0, immig = 0, cro = 0, middle = 0, two_addr = 0, hyphen = 0;
    unsigned long ages[10] = {0}, age_sum = 0, force_hits[MID_PERSON_FORCE_COUNT] = {0};
    unsigned long year_hist[6] = {0}; /* PNC record year: 1975-84, ..., 2015-24 */
    name_count *surnames = calloc(TALLY_SIZE, sizeof(*surnames));
    char *buf = malloc(MID_PERSON_FORMAT_MAX);
    if (surnames == NULL || buf == NULL) {
        return 1;
    }
    size_t csv_bytes = 0;
    double t0 = cpu_now(), t_gen = 0, t_fmt = 0;
    for (uint64_t person = 0; person < n; person++) {
        mid_person p;
        double a = cpu_now();
        if (mid_synth_person(NULL, seed, person, &p) != MID_OK) {
            return 1;
        }
        double b = cpu_now();
        csv_bytes += mid_person_write(&p, MID_PERSON_CSV, buf, MID_PERSON_FORMAT_MAX);
        t_gen += b - a;
        t_fmt += cpu_now() - b;
        int age = MID_PERSON_REFERENCE_YEAR - p.dob.year - (p.dob.month > 1 || p.dob.day > 1);
        age_sum += (unsigned long)age;
        ages[age >= 90 ? 8 : age / 10 - 1]++;
        male += p.gender == MID_GENDER_MALE;
        ic[p.ethnicity]++;
        cro += p.cro[0] != '\0';
        middle += p.name.middle[0] != '\0';
        two_addr += p.n_addresses == 2;
        hyphen += strchr(p.name.surname, '-') != NULL;
        tally(surnames, p.name.surname);
        unsigned yy = (unsigned)atoi(p.pnc_id), year = yy >= 75 ? 1900 + yy : 2000 + yy;
        year_hist[(year - 1975) / 10 > 5 ? 5 : (year - 1975) / 10]++;
        any_marker += p.markers != 0;
        for (unsigned m = 0; m < MID_MARKER_COUNT; m++) {
            markers[m] += (p.markers >> m) & 1u;
        }
        wanted += p.n_wanted > 0;
        wanted2 += p.n_wanted > 1;
        for (unsigned w = 0; w < p.n_wanted; w++) {
            force_hits[p.wanted[w].force]++;
        }
        children += age < 18;
        missing += p.missing;
        missing_child += p.missing && age < 18;
        disq += p.disqualified_until.year != 0;
        with_alias += p.n_aliases > 0;
        alias_n[p.n_aliases]++;
        alias_total += p.n_aliases;
        for (unsigned k = 0; k < p.n_aliases; k++) {
            alias_shared += p.alias[k].shared_with != UINT64_MAX;
        }
        immig += p.immigration_interest;
    }
    double t_all = cpu_now() - t0;
    double dn = (double)n;

    printf("## Realised distributions: seed %llu, persons 0..%llu\n\n", (unsigned long long)seed,
           (unsigned long long)(n - 1));
    printf("| field | count | share |\n|---|---:|---:|\n");
    row("male", (double)male, dn);
    const char *codes[] = {"IC0", "IC1", "IC2", "IC3", "IC4", "IC5", "IC6", "", "", "IC9"};
    for (int e = 0; e < 10; e++) {
        if (codes[e][0] != '\0') {
            char what[32];
            snprintf(what, sizeof(what), "ethnicity %s", codes[e]);
            row(what, (double)ic[e], dn);
        }
    }
    const char *bands[] = {"10-19", "20-29", "30-39", "40-49", "50-59",
                           "60-69", "70-79", "80-89", "90"};
    for (int b = 0; b < 9; b++) {
        char what[32];
        snprintf(what, sizeof(what), "age %s", bands[b]);
        row(what, (double)ages[b], dn);
    }
    const char *decades[] = {"1975-84", "1985-94", "1995-2004", "2005-14", "2015-24"};
    for (int d = 0; d < 5; d++) {
        char what[40];
        snprintf(what, sizeof(what), "first record (PNC year) %s", decades[d]);
        row(what, (double)year_hist[d], dn);
    }
    row("has a CRO number", (double)cro, dn);
    row("has a middle name", (double)middle, dn);
    row("double-barrelled surname", (double)hyphen, dn);
    row("has a previous address", (double)two_addr, dn);
    row("any warning marker", (double)any_marker, dn);
    for (unsigned m = 0; m < MID_MARKER_COUNT; m++) {
        char what[48];
        snprintf(what, sizeof(what), "marker %s (%s)", mid_person_marker_code((mid_marker)m),
                 mid_person_marker_name((mid_marker)m));
        row(what, (double)markers[m], dn);
    }
    row("wanted (live report)", (double)wanted, dn);
    row("wanted by two forces", (double)wanted2, dn);
    row("missing (live report)", (double)missing, dn);
    row("aged under 18", (double)children, dn);
    row("missing, aged under 18", (double)missing_child, dn);
    row("driving disqualification", (double)disq, dn);
    row("has aliases", (double)with_alias, dn);
    for (unsigned k = 1; k <= MID_PERSON_MAX_ALIASES; k++) {
        char what[32];
        snprintf(what, sizeof(what), "exactly %u alias%s", k, k > 1 ? "es" : "");
        row(what, (double)alias_n[k], dn);
    }
    row("immigration interest", (double)immig, dn);
    printf("\nmean age %.1f; aliases %lu, of which another person's real name %lu (%.1f %%)\n",
           (double)age_sum / dn, alias_total, alias_shared,
           alias_total ? 100.0 * (double)alias_shared / (double)alias_total : 0.0);

    qsort(surnames, TALLY_SIZE, sizeof(*surnames), by_count);
    unsigned distinct = 0;
    for (unsigned i = 0; i < TALLY_SIZE; i++) {
        distinct += surnames[i].count > 0;
    }
    printf("\ndistinct surnames %u; most frequent:", distinct);
    for (int i = 0; i < TOP_SURNAMES; i++) {
        printf(" %s %.2f %%%s", surnames[i].name, 100.0 * (double)surnames[i].count / dn,
               i + 1 < TOP_SURNAMES ? "," : "\n");
    }
    unsigned long top_force = 0;
    for (unsigned f = 1; f < MID_PERSON_FORCE_COUNT; f++) {
        top_force = force_hits[f] > force_hits[top_force] ? f : top_force;
    }
    printf("wanted reports by the most frequent force (%s): %lu\n",
           mid_person_force_name((unsigned)top_force), force_hits[top_force]);
    printf("\nspeed (thread CPU): %.2f s for %llu records: generate %.2f us, CSV format %.2f us "
           "per record (%.0f bytes/record; timer overhead included)\n",
           t_all, (unsigned long long)n, 1e6 * t_gen / dn, 1e6 * t_fmt / dn,
           (double)csv_bytes / dn);

    /* Uniqueness of PNC IDs: one bit per (two-digit year, 7-digit serial). */
    if (unique_n > 0) {
        const size_t bits = 100u * 10000000u;
        uint8_t *seen = calloc(bits / 8, 1);
        if (seen == NULL) {
            return 1;
        }
        unsigned long dup = 0;
        double u0 = cpu_now();
        for (uint64_t person = 0; person < unique_n; person++) {
            mid_person p;
            if (mid_synth_person(NULL, seed, person, &p) != MID_OK) {
                return 1;
            }
            size_t key = (size_t)atoi(p.pnc_id) * 10000000u + (size_t)atol(p.pnc_id + 3);
            if ((seen[key / 8] >> (key % 8)) & 1) {
                dup++;
            }
            seen[key / 8] |= (uint8_t)(1u << (key % 8));
        }
        printf("\nPNC IDs of persons 0..%llu: %lu duplicates (%.1f s CPU)\n",
               (unsigned long long)(unique_n - 1), dup, cpu_now() - u0);
        free(seen);
        if (dup != 0) {
            return 1;
        }
    }
    free(surnames);
    free(buf);
    return 0;
}
