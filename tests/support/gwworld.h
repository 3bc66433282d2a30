/*
 * A small synthetic world for the gateway's end-to-end tests (synthetic seed 1;
 * nobody in it is real), loaded into a store before `mid serve` starts, and the
 * roadside probes that go with it.
 *
 *   - persons 0..n-1: their records (mid_synth_person) and, in IDENT1, direct
 *     templates (mid_synth_template, impression 1) of fingers 2 and 7;
 *   - IABS: persons iabs_from..n-1 (direct templates of fingers 2 and 7);
 *   - "rendered" persons: enrolled from rendered impression 1 of their masters,
 *     extracted (replacing the direct templates), because probes are rendered
 *     impressions and direct templates are not prints of the rendered masters
 *     (docs/synth-templates.md); listed ones are also enrolled in IABS.
 * Probes (gww_probe_make) are impression k >= 2 of fingers 2 and 7, the mobile
 * FAP 45 profile, WSQ-compressed in memory.
 *
 * Every helper fails the running cmocka test on error and uses tu_ctx.
 */
#ifndef MID_GWWORLD_H
#define MID_GWWORLD_H

#include "mid/synth.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct gww_config {
    uint64_t persons;         /* 0..persons-1 */
    uint64_t iabs_from;       /* persons iabs_from..persons-1 are in IABS too */
    const uint64_t *rendered; /* enrolled from rendered prints (they can be probed) */
    size_t n_rendered;
    const uint64_t *iabs_also; /* rendered persons enrolled in IABS as well */
    size_t n_iabs_also;
} gww_config;

/* Loads the world into the store at uri (created if absent) and closes it. */
void gww_build(const char *store_uri, const gww_config *cfg);

/* The two probe fingers (right index 2, left index 7) of one capture. */
typedef struct gww_probe {
    uint8_t *wsq[2];
    size_t len[2];
    mid_image *image[2]; /* the rendered images the WSQ was made from */
} gww_probe;

/* Renders impression `impression` of person's fingers 2 and 7 under `condition`. */
void gww_probe_make(uint64_t person, uint32_t impression, mid_synth_condition condition,
                    gww_probe *out);
/* Wipes and frees. */
void gww_probe_free(gww_probe *p);

/* Base64 (RFC 4648, with padding) of n bytes; free(). */
char *gww_base64(const uint8_t *data, size_t n);

/* The policy members of a valid consent request (no braces), for composing JSON
 * bodies: basis, told flags, reason, incident, subject. */
#define GWW_POLICY                                                                                 \
    "\"basis\":\"consent\",\"told_reason\":true,\"told_speculative\":true,"                        \
    "\"reason\":\"Driver gave details that do not match the vehicle keeper\","                     \
    "\"incident\":\"LOG-2026-1124-0042\",\"location\":\"53.8008,-1.5491\","                        \
    "\"subject\":{\"ethnicity\":\"IC1\",\"age_band\":\"25-34\",\"gender\":\"M\"}"

/* A complete JSON identification request: {"tcn":tcn, GWW_POLICY, "databases":
 * [databases_csv as strings], "fingers":[the probe's two WSQ fingers]}. free(). */
char *gww_request_json(const char *tcn, const char *databases_csv, const gww_probe *p);

/* The same request as an ANSI/NIST-ITL RPIS transaction (mid_an2k_build_search);
 * *len gets its size. free() with mid_free(). */
uint8_t *gww_request_an2k(const char *tcn, const char *databases_csv, const gww_probe *p,
                          size_t *len);

#endif
