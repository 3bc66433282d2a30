/*
 * Every bound the library enforces on untrusted input, in one place.
 * Decoders and parsers reject input beyond these with MID_ERR_LIMIT.
 */
#ifndef MID_LIMITS_H
#define MID_LIMITS_H

/* Largest input file any loader reads into memory (bytes). */
#define MID_MAX_FILE_BYTES (64u * 1024u * 1024u)

/* Image side and area, before and after resampling to 500 ppi. A ten-print card
 * at 500 ppi is about 4000 x 4000; a mobile two-finger capture about 800 x 750. */
#define MID_MAX_IMAGE_SIDE 8192u
#define MID_MAX_IMAGE_PIXELS (40u * 1024u * 1024u)

/* Smallest image side the extractor accepts (pixels at 500 ppi). */
#define MID_MIN_EXTRACT_SIDE 64u

/* Accepted scan resolution range (pixels per inch). Values below MID_MIN_PPI in a
 * file are treated as "unknown" (the FVC TIFFs carry a dummy 1x1 tag). */
#define MID_MIN_PPI 100.0
#define MID_MAX_PPI 2000.0

/* The resolution all processing happens at. */
#define MID_WORK_PPI 500.0

/* Minutiae per template: ISO 19794-2 and ANSI 378 store the count in one byte. */
#define MID_MAX_MINUTIAE 255u

/* Largest template record accepted by the template decoders (bytes). */
#define MID_MAX_TEMPLATE_BYTES (1024u * 1024u)

/* Finger views in one multi-view template record: ISO 19794-2:2005 and ANSI 378
 * store the count in one byte (ISO 19794-2:2011 in two; more are refused). */
#define MID_MAX_TEMPLATE_VIEWS 255u

/* Gallery containers (mid/gallery.h): records in one gallery (a national gallery of
 * 10 million people x 10 fingers is 1e8), and bytes of one record's template (the
 * largest native record: 20 + 7 bytes per minutia). */
#define MID_MAX_GALLERY_RECORDS (1ull << 32)
#define MID_MAX_GALLERY_TEMPLATE_BYTES (20u + 7u * MID_MAX_MINUTIAE)

/* Persons of the synthetic population per seed (mid_synth_person): the PNC
 * serial space of the record years 1975..2024 (see src/synth/people_data.c). */
#define MID_SYNTH_MAX_PERSONS 22051782u

/* Largest capture window side of a synthetic impression (pixels at 500 ppi). */
#define MID_SYNTH_MAX_WINDOW_SIDE 2048u

/* ANSI/NIST-ITL transactions (mid/an2k.h): total bytes of one transaction, records in
 * one (Type-1 included; 1.003 lists them), fields in one tagged record, bytes of one
 * textual field value (image data x.999 is bounded by the total only), characters of
 * one policy text given to the builders, fingers and candidates per search. */
#define MID_AN2K_MAX_BYTES MID_MAX_FILE_BYTES
#define MID_AN2K_MAX_RECORDS 1000u
#define MID_AN2K_MAX_FIELDS 4096u
#define MID_AN2K_MAX_FIELD_BYTES (1024u * 1024u)
#define MID_AN2K_MAX_TEXT 1000u
#define MID_AN2K_MAX_FINGERS 10u
#define MID_AN2K_MAX_CANDIDATES 100u

/* JSON documents (mid/json.h): bytes of one document, nesting depth, values in one
 * document, bytes of one string. A JSON identification request carries two
 * base64 WSQ images of about 20 kB each; person records are under 4 kB. */
#define MID_JSON_MAX_BYTES (4u * 1024u * 1024u)
#define MID_JSON_MAX_DEPTH 32u
#define MID_JSON_MAX_VALUES 100000u
#define MID_JSON_MAX_STRING (4u * 1024u * 1024u)

/* Audit log (mid/audit.h): bytes of one entry's JSON object. */
#define MID_AUDIT_MAX_ENTRY_BYTES (16u * 1024u)

/* Gateway (docs/ARCHITECTURE.md, "Gateway"): request body bytes (a two-finger
 * RPIS at 0.75 bpp is about 50 kB; ten uncompressed fingers fit), concurrent
 * connections, login token lifetime in seconds, and requests per minute allowed
 * per device and per officer by default. */
#define MID_GW_MAX_BODY_BYTES (2u * 1024u * 1024u)
#define MID_GW_MAX_CONNECTIONS 256u
#define MID_GW_TOKEN_SECONDS 900u
#define MID_GW_RATE_PER_MINUTE 30u

#endif
