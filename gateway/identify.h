/*
 * POST /v1/identify: the identification request, its policy validation and the
 * answer (docs/openapi.yaml; the RPIS profile in docs/transaction-profile.md).
 *
 * A request arrives as an ANSI/NIST-ITL RPIS transaction
 * (application/x-ansi-nist) or as JSON with base64 images (application/json);
 * both parse into one gw_identify_request, so that the policy checks, the audit
 * and the answer do not depend on the encoding.
 *
 * Ownership: a gw_identify_request owns its texts and finger data from
 * gw_identify_parse() until gw_identify_request_clear(), which wipes the finger
 * data (probe images) before releasing it.
 */
#ifndef MID_GATEWAY_IDENTIFY_H
#define MID_GATEWAY_IDENTIFY_H

#include "mid/core.h"
#include "mid/json.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The legal basis of a check. The force policy (gw_router_config.iabs_bases)
 * holds bit (1u << basis) for each basis under which IABS may be searched. */
typedef enum gw_basis {
    GW_BASIS_CONSENT = 0,         /* "consent" */
    GW_BASIS_PACE_61_6A = 1,      /* "pace-61-6a": PACE s.61(6A), without consent */
    GW_BASIS_CONSENT_REFUSED = 2, /* "consent-refused": audited, never searched */
    GW_BASIS_COUNT
} gw_basis;
const char *gw_basis_name(gw_basis b);
/* -1 when s is none of the names. */
int gw_basis_parse(const char *s);

/* Fingers per request: two (index fingers, or any two distinct positions). */
#define GW_ID_FINGERS 2u
/* Free texts: characters (code points) of reason, offence, name doubt, location. */
#define GW_ID_MAX_TEXT 1000u
/* Incident or log reference, TCN: characters. */
#define GW_ID_MAX_INCIDENT 64u
#define GW_ID_MAX_TCN 40u
/* Mobile capture bounds for a declared image, in pixels: a finger at 500 ppi is
 * about 250 x 350; a two-finger or flat capture window stays within 1600 x 1600.
 * Sides below GW_ID_MIN_SIDE hold no usable print. */
#define GW_ID_MIN_SIDE 64u
#define GW_ID_MAX_SIDE 1600u

/* Image encodings a finger may use (JSON "format"; from Type-14 CGA). */
typedef enum gw_image_format {
    GW_FMT_WSQ = 0,
    GW_FMT_PNG,
    GW_FMT_JPEG,
    GW_FMT_JP2,
    GW_FMT_RAW, /* Type-14 CGA NONE: width x height bytes (an2k only) */
    GW_FMT_COUNT
} gw_image_format;

typedef struct gw_id_finger {
    unsigned position; /* 1..10, distinct */
    int quality;       /* the device's figure 0..100, -1 when not given */
    gw_image_format format;
    uint32_t width, height; /* declared (an2k record / WSQ or PNG header) */
    double ppi;             /* declared resolution, 0 unknown */
    uint8_t *data;          /* the encoded image (owned; wiped on clear) */
    size_t len;
} gw_id_finger;

typedef struct gw_identify_request {
    bool an2k; /* encoding of the request */
    char tcn[GW_ID_MAX_TCN + 1];
    gw_basis basis;
    char *offence;    /* NULL unless given */
    char *name_doubt; /* NULL unless given */
    bool told_reason, told_speculative;
    char *reason;
    char incident[4 * GW_ID_MAX_INCIDENT + 1];
    char *location;    /* NULL unless given */
    char ethnicity[4]; /* IC1..IC6, IC9 */
    char age_band[9];  /* under-18 .. 65+ */
    char gender[2];    /* M F X U */
    bool want[2];      /* databases requested: [0] IDENT1, [1] IABS */
    gw_id_finger fingers[GW_ID_FINGERS];
    size_t n_fingers; /* 2, or 0 with consent-refused */
} gw_identify_request;

/* Why a request was refused: HTTP status (400, 413, 415, 422), the API's error
 * code ("malformed", "too-large", "unsupported-media-type", "invalid-request")
 * and an exact sentence naming the field. */
typedef struct gw_identify_problem {
    unsigned status;
    const char *code;
    char message[256];
} gw_identify_problem;

/* Parses and validates body of the given Content-Type into req (zeroed first).
 * Returns true when the request is complete and valid; false with *problem
 * filled otherwise (req is then cleared). No image is decoded here: declared
 * sizes are checked from the record or image header. ctx receives library
 * details (a malformed transaction's record, field and offset go into the
 * message). */
bool gw_identify_parse(mid_ctx *ctx, const char *content_type, const uint8_t *body, size_t len,
                       gw_identify_request *req, gw_identify_problem *problem);

/* Wipes the finger data and frees everything req owns; req is zeroed. */
void gw_identify_request_clear(gw_identify_request *req);

/* Writes the request's audit members into the JSON object being written by w:
 * tcn, encoding, basis, offence, name_doubt, told flags, reason, incident,
 * location, subject (ethnicity, age band, gender), databases requested and per
 * finger its position, quality, format, size, bytes and the SHA-256 of the
 * encoded image. Never image data. */
void gw_identify_audit_request(mid_json_writer *w, const gw_identify_request *req);

/* "wsq", "png", "jpeg", "jp2", "raw". */
const char *gw_image_format_name(gw_image_format f);

#endif
