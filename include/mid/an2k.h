/*
 * ANSI/NIST-ITL 1-2011 (Update 2015) transactions, traditional encoding.
 *
 * A transaction is a sequence of records: the Type-1 record first, whose CNT
 * field (1.003) lists every other record's type and IDC in order. Tagged records
 * (Type-1, 2, 9, 10, 13 .. 99) are fields "T.NNN:value" separated by GS (0x1D)
 * and ended by FS (0x1C); the first field is the record length LEN (T.001) and
 * image data is the last field (T.999), binary, running to the record's end.
 * Within a value, subfields are separated by RS (0x1E) and information items by
 * US (0x1F). The legacy binary records (Type-3 .. 8) are fixed layouts starting
 * with a 4-byte big-endian LEN and a 1-byte IDC.
 *
 * Versions 0200, 0201, 0300, 0400, 0500, 0501 and 0502 are read. Parsing keeps
 * every field and record verbatim (tag spelling such as "1.01", field order,
 * unknown fields and record types), so that serialising an unmodified
 * transaction reproduces its input byte for byte. Changing a tagged record
 * recomputes its LEN; adding or removing records rebuilds 1.003.
 *
 * Ownership: a mid_an2k belongs to the caller from mid_an2k_parse/create/build
 * until mid_an2k_free(); it keeps no reference to the parsed buffer. Pointers it
 * returns into field values stay valid until the transaction is changed or
 * freed. mid_an2k_serialize() returns a buffer the caller frees with mid_free().
 */
#ifndef MID_AN2K_H
#define MID_AN2K_H

#include "mid/core.h"
#include "mid/image.h"
#include "mid/template.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Separators of the traditional encoding. */
#define MID_AN2K_FS 0x1C
#define MID_AN2K_GS 0x1D
#define MID_AN2K_RS 0x1E
#define MID_AN2K_US 0x1F

/* Version written by the builders: ANSI/NIST-ITL 1-2011 Update 2015. */
#define MID_AN2K_VERSION "0502"

typedef struct mid_an2k mid_an2k;

/* ---- parse, serialise, free ---- */

/* Parses a transaction of len bytes. Structural faults (truncation, a length that
 * overruns, a separator or tag where none may be, a record type that 1.003 does
 * not announce, trailing bytes) fail with MID_ERR_FORMAT and a size or count beyond
 * mid/limits.h with MID_ERR_LIMIT; the detail names the record (index and type),
 * the field tag and the byte offset. Semantic faults (an unknown version, a field
 * tagged with another record type, repeated fields, bad values) do not stop
 * parsing: mid_an2k_check() reports them. */
mid_status mid_an2k_parse(mid_ctx *ctx, const void *data, size_t len, mid_an2k **out);

/* Reads and parses a file (at most MID_AN2K_MAX_BYTES). */
mid_status mid_an2k_load(mid_ctx *ctx, const char *path, mid_an2k **out);

/* A transaction holding only a Type-1 record with LEN, VER (version, 4 digits),
 * CNT and TOT (1..16 characters); the caller adds the other Type-1 fields. */
mid_status mid_an2k_create(mid_ctx *ctx, const char *version, const char *tot, mid_an2k **out);

/* Serialises into a new buffer (free with mid_free()). */
mid_status mid_an2k_serialize(mid_ctx *ctx, const mid_an2k *tx, void **out, size_t *len);

void mid_an2k_free(mid_an2k *tx);

/* ---- records ---- */

/* Number of records, Type-1 included (index 0). */
size_t mid_an2k_record_count(const mid_an2k *tx);
/* Record type (1, 2, 4, 9, 14, ...) of record rec; 0 when rec is out of range. */
unsigned mid_an2k_record_type(const mid_an2k *tx, size_t rec);
/* True for the legacy binary layouts (Type-3 .. 8). */
bool mid_an2k_record_is_binary(const mid_an2k *tx, size_t rec);
/* Byte offset of the record in the parsed input (SIZE_MAX for added records). */
size_t mid_an2k_record_offset(const mid_an2k *tx, size_t rec);
/* Bytes of a binary record, LEN included (NULL for tagged records). */
const uint8_t *mid_an2k_record_bytes(const mid_an2k *tx, size_t rec, size_t *len);
/* Index of the first record of the given type from index `from` on, or SIZE_MAX. */
size_t mid_an2k_find_record(const mid_an2k *tx, unsigned type, size_t from);

/* Appends a tagged record of `type` (2, 9, 10, 13 .. 99) holding LEN and IDC
 * (x.002, two digits, 0..99) and adds it to 1.003; its index goes to *index. */
mid_status mid_an2k_add_record(mid_ctx *ctx, mid_an2k *tx, unsigned type, unsigned idc,
                               size_t *index);
/* Appends a legacy binary record of `type` (3 .. 8) given as its complete bytes
 * (the 4-byte LEN must equal len, len at least the type's header) and adds it to
 * 1.003. */
mid_status mid_an2k_add_binary_record(mid_ctx *ctx, mid_an2k *tx, unsigned type, const void *bytes,
                                      size_t len, size_t *index);
/* Removes record rec (not the Type-1 record) and rebuilds 1.003. */
mid_status mid_an2k_remove_record(mid_ctx *ctx, mid_an2k *tx, size_t rec);

/* ---- fields of tagged records ---- */

typedef struct mid_an2k_field {
    unsigned type;        /* record type in the tag */
    unsigned number;      /* field number in the tag (1 .. 99999) */
    const char *tag;      /* the tag as written, e.g. "14.013" or "1.01" */
    const uint8_t *value; /* value bytes (not NUL-terminated) */
    size_t len;
    size_t offset; /* byte offset of the tag in the parsed input (SIZE_MAX when set later) */
} mid_an2k_field;

/* Number of fields of a tagged record (0 for binary records). */
size_t mid_an2k_field_count(const mid_an2k *tx, size_t rec);
/* The i-th field in stored order. MID_ERR_ARG when out of range. */
mid_status mid_an2k_field_at(const mid_an2k *tx, size_t rec, size_t i, mid_an2k_field *out);
/* The first field numbered `number` in record rec: its value, or NULL when absent. */
const uint8_t *mid_an2k_get(const mid_an2k *tx, size_t rec, unsigned number, size_t *len);
/* Copies the value as a NUL-terminated string into buf (truncated to cap - 1 bytes);
 * returns false when the field is absent. */
bool mid_an2k_get_text(const mid_an2k *tx, size_t rec, unsigned number, char *buf, size_t cap);
/* Item `item` of subfield `sub` (both from 0) of a value: pointer and length, or NULL. */
const uint8_t *mid_an2k_item(const uint8_t *value, size_t len, size_t sub, size_t item,
                             size_t *item_len);
/* Number of subfields of a value (1 for a value without RS; 0 for an empty value). */
size_t mid_an2k_subfield_count(const uint8_t *value, size_t len);

/* Sets field `number` of tagged record rec to a copy of value (replacing the first
 * field with that number, or inserting it in numeric order). LEN (x.001) is
 * recomputed by the library and cannot be set; 1.003 is rebuilt from the records.
 * Field 999 may hold any bytes; other values may not contain FS or GS. */
mid_status mid_an2k_set(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number, const void *value,
                        size_t len);
/* mid_an2k_set with a NUL-terminated string. */
mid_status mid_an2k_set_text(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number,
                             const char *text);
/* Removes every field numbered `number` (not LEN). MID_ERR_ARG when there is none. */
mid_status mid_an2k_remove(mid_ctx *ctx, mid_an2k *tx, size_t rec, unsigned number);

/* ---- semantic views ---- */

/* Type-1 fields as text (each "" when absent). */
typedef struct mid_an2k_type1 {
    char version[8]; /* 1.002 VER */
    char tot[17];    /* 1.004 TOT */
    char date[9];    /* 1.005 DAT, YYYYMMDD */
    char pry[2];     /* 1.006 PRY */
    char dai[41];    /* 1.007 DAI */
    char ori[41];    /* 1.008 ORI */
    char tcn[41];    /* 1.009 TCN */
    char tcr[41];    /* 1.010 TCR */
    double nsr;      /* 1.011 NSR, pixels per mm (0 when absent) */
    double ntr;      /* 1.012 NTR, pixels per mm */
    char gmt[16];    /* 1.014 GMT, YYYYMMDDhhmmssZ */
} mid_an2k_type1;
mid_status mid_an2k_type1_get(mid_ctx *ctx, const mid_an2k *tx, mid_an2k_type1 *out);

/* Compression of an image record (Table 15 of the standard; Type-4 GCA codes 0..6). */
typedef enum mid_an2k_compression {
    MID_AN2K_CGA_NONE = 0,
    MID_AN2K_CGA_WSQ20,
    MID_AN2K_CGA_JPEGB,
    MID_AN2K_CGA_JPEGL,
    MID_AN2K_CGA_JP2,
    MID_AN2K_CGA_JP2L,
    MID_AN2K_CGA_PNG,
    MID_AN2K_CGA_OTHER /* a value the standard does not define */
} mid_an2k_compression;

/* Name of a compression as written in Type-13/14 CGA ("NONE", "WSQ20", ...). */
const char *mid_an2k_compression_name(mid_an2k_compression c);

/* An image record: Type-3/4/5/6 (binary header), a Type-7 that follows the Type-4
 * layout consistently, an uncompressed Type-8 signature (SRT 0; bits per pixel
 * from the data size), or a tagged image record (Type-10, 13, 14, 15, 16, 17, 19
 * with HLL/VLL at x.006/x.007 and data in x.999). */
typedef struct mid_an2k_image_info {
    unsigned type;
    unsigned idc;
    int imp;           /* impression type (x.003 / IMP byte), -1 when absent */
    unsigned fgp[6];   /* finger/palm positions (Type-4: the 6 FGP bytes, 255 unused) */
    size_t n_fgp;      /* positions present */
    uint32_t hll, vll; /* width and height in pixels */
    unsigned slc;      /* scale units: 0 none, 1 ppi, 2 pixels per cm */
    uint32_t hps, vps; /* horizontal / vertical pixel scale (in slc units) */
    double ppi;        /* resolution in ppi, 0 when unknown */
    mid_an2k_compression compression;
    char cga[8];         /* compression as written ("WSQ20", "1", ...) */
    unsigned bpx;        /* bits per pixel (8 when absent: binary records) */
    int quality;         /* Type-14 FQM/NQM or Type-13 LQM of the first position, -1 unknown */
    char src[41];        /* x.004 source agency ("" when absent) */
    char date[9];        /* x.005 capture date YYYYMMDD ("" when absent) */
    const uint8_t *data; /* image data (x.999 or after the binary header); borrowed */
    size_t data_len;
} mid_an2k_image_info;

/* True when record rec carries an image that mid_an2k_image_info_get describes. */
bool mid_an2k_is_image_record(const mid_an2k *tx, size_t rec);
mid_status mid_an2k_image_info_get(mid_ctx *ctx, const mid_an2k *tx, size_t rec,
                                   mid_an2k_image_info *out);
/* Decodes the image of record rec into 8-bit grey: uncompressed data by the record's
 * size and bits per pixel (1: packed rows, 1 is black; 8; 16: high byte; 24: luma),
 * compressed data (WSQ, JPEG, PNG, JPEG 2000, and containers such as TIFF found in
 * legacy records) through mid_image_decode. The image's resolution is taken from
 * the record when the data carries none. MID_ERR_UNSUPPORTED for compressions the
 * image layer lacks (lossless JPEG with the system libjpeg, CCITT data not in a
 * container), MID_ERR_FORMAT for empty or short data. */
mid_status mid_an2k_image_decode(mid_ctx *ctx, const mid_an2k *tx, size_t rec, mid_image **out);

/* Type-9 minutiae into a template (pixels, top-left origin, mid/template.h angles):
 * - the INCITS 378 block when present (9.128 HLL, 9.129 VLL, 9.130..9.132 scale,
 *   9.134 FGP, 9.135 quality, 9.137 index~X~Y~theta (2-degree units)~type~quality);
 * - otherwise the legacy standard block 9.012 (or the FBI IAFIS block's 9.023):
 *   0.01 mm from the lower-left corner, theta in degrees pointing the other way;
 *   placed in pixels with the size and resolution of the image record that has the
 *   same IDC (MID_ERR_UNSUPPORTED without one). Types A/B become ending/bifurcation,
 *   qualities 2..63 scale to 0..100 (0 and 1 give 0). */
mid_status mid_an2k_minutiae_get(mid_ctx *ctx, const mid_an2k *tx, size_t rec, mid_template **out);

/* One minutia of the legacy standard block (9.012 MRC). */
typedef struct mid_an2k_legacy_minutia {
    unsigned index;
    unsigned x, y;    /* 0.01 mm from the lower-left corner */
    unsigned theta;   /* degrees, 0..359 */
    unsigned quality; /* 0..63 */
    char type;        /* 'A' ending, 'B' bifurcation, 'C' compound, 'D' undetermined */
} mid_an2k_legacy_minutia;
/* Reads up to cap minutiae of 9.012 into out (may be NULL with cap 0); *count gets
 * how many the field holds. */
mid_status mid_an2k_legacy_minutiae(mid_ctx *ctx, const mid_an2k *tx, size_t rec,
                                    mid_an2k_legacy_minutia *out, size_t cap, size_t *count);

/* ---- validation ---- */

/* Receives one problem per call (a complete sentence naming record, field, offset). */
typedef void (*mid_an2k_report_fn)(void *user, const char *problem);

/* Checks a transaction completely: parses it (a structural fault is the one
 * problem reported), then checks every record of Types 1, 2, 4, 9, 13 and 14
 * against the standard (mandatory fields, value syntax and ranges, 1.003 against
 * the records, IDC references, image sizes) and reports every problem found.
 * Returns MID_OK when there is none, MID_ERR_FORMAT otherwise (the first problem
 * is also the ctx detail); *problems (may be NULL) gets the count. */
mid_status mid_an2k_check(mid_ctx *ctx, const void *data, size_t len, mid_an2k_report_fn report,
                          void *user, size_t *problems);

/* ---- mobile identification search (docs/transaction-profile.md) ---- */

typedef struct mid_an2k_finger {
    uint8_t position;             /* FGP 0 (unknown) .. 10, or 11..15 per Table 8 */
    uint8_t impression;           /* IMP, e.g. 0 live-scan plain, 1 live-scan rolled */
    uint8_t quality;              /* 0..100, 254 not computed, 255 failed */
    const mid_image *image;       /* 8-bit grey; 500 ppi assumed when unknown */
    const mid_template *minutiae; /* optional: adds a Type-9 (INCITS 378 block) */
} mid_an2k_finger;

/* A yes/no policy flag; ABSENT (0) leaves the field out. Written "Y" / "N". */
typedef enum mid_an2k_flag {
    MID_AN2K_FLAG_ABSENT = 0,
    MID_AN2K_FLAG_NO = 1,
    MID_AN2K_FLAG_YES = 2
} mid_an2k_flag;

/* Galleries one search may name (2.918). */
#define MID_AN2K_MAX_DATABASES 8u

typedef struct mid_an2k_search_request {
    const char *ori;         /* originating agency identifier (1.008, Type-14 SRC), 1..35 */
    const char *dai;         /* destination agency (1.007), 1..35 */
    const char *tcn;         /* transaction control number (1.009), 1..40 */
    const char *gmt;         /* capture/transmission time YYYYMMDDhhmmssZ; the date fields
                                (1.005, 14.005) are its first 8 characters */
    const char *legal_basis; /* Type-2 policy fields, 1..MID_AN2K_MAX_TEXT printable */
    const char *reason;
    const char *incident;
    const char *officer;
    const char *device;
    const mid_an2k_finger *fingers;
    size_t n_fingers; /* 1 .. MID_AN2K_MAX_FINGERS; 0 exactly when basis is consent-refused */
    double bitrate;   /* WSQ bitrate, 0 for MID_WSQ_DEFAULT_BITRATE */
    /* The policy fields of a UK mobile identification (docs/transaction-profile.md,
     * 2.906 ..). Each is optional here (NULL or MID_AN2K_FLAG_ABSENT: the field is
     * not written); the receiving gateway decides which it requires. Free texts are
     * 1..MID_AN2K_MAX_TEXT printable; coded values must be one of those listed. */
    const char *basis;              /* "consent", "pace-61-6a" or "consent-refused" */
    const char *offence;            /* suspected offence (with pace-61-6a) */
    const char *name_doubt;         /* why the name given is doubted (with pace-61-6a) */
    mid_an2k_flag told_reason;      /* the person was told the reason for the check */
    mid_an2k_flag told_speculative; /* ... and that the prints are searched speculatively */
    const char *location;           /* free text or "lat,lon" */
    const char *ethnicity;          /* officer-recorded: "IC1".."IC6" or "IC9" */
    const char *age_band; /* "under-18", "18-24", "25-34", "35-44", "45-54", "55-64", "65+" */
    const char *gender;   /* "M", "F", "X" or "U" */
    const char *const *databases; /* requested galleries, 1..16 of [A-Z0-9] each */
    size_t n_databases;           /* 0 (field absent) .. MID_AN2K_MAX_DATABASES */
} mid_an2k_search_request;

/* TOT of the search and its response (FBI EBTS rapid mobile search). */
#define MID_AN2K_TOT_SEARCH "RPIS"
#define MID_AN2K_TOT_RESPONSE "RPISR"

/* Builds the search transaction: Type-1 (TOT RPIS), Type-2 (IDC 0) with the policy
 * fields, per finger a Type-14 (WSQ20, FGP, FQM) and, when given, a Type-9 with the
 * same IDC. MID_ERR_ARG names the offending input. */
mid_status mid_an2k_build_search(mid_ctx *ctx, const mid_an2k_search_request *req, mid_an2k **out);

typedef struct mid_an2k_candidate {
    const char *id; /* subject identifier, 1..40 printable */
    unsigned score; /* 0..999999 */
} mid_an2k_candidate;

typedef enum mid_an2k_result {
    MID_AN2K_NO_HIT = 0,
    MID_AN2K_HIT = 1,
    MID_AN2K_ERROR = 2
} mid_an2k_result;

typedef struct mid_an2k_search_response {
    const char *ori, *dai, *gmt; /* as in the request (the responder's ORI) */
    const char *tcn;             /* the response's own control number */
    const char *tcr;             /* the request's TCN (1.010) */
    mid_an2k_result result;
    const mid_an2k_candidate *candidates;
    size_t n_candidates; /* 0 .. MID_AN2K_MAX_CANDIDATES */
    const char *message; /* optional (NULL), printable */
} mid_an2k_search_response;

/* Builds the response: Type-1 (TOT RPISR, TCR) and a Type-2 carrying the result. */
mid_status mid_an2k_build_response(mid_ctx *ctx, const mid_an2k_search_response *resp,
                                   mid_an2k **out);

/* Profile's Type-2 user-defined field numbers (docs/transaction-profile.md). */
#define MID_AN2K_F_LEGAL_BASIS 901u
#define MID_AN2K_F_REASON 902u
#define MID_AN2K_F_INCIDENT 903u
#define MID_AN2K_F_OFFICER 904u
#define MID_AN2K_F_DEVICE 905u
#define MID_AN2K_F_BASIS 906u
#define MID_AN2K_F_OFFENCE 907u
#define MID_AN2K_F_NAME_DOUBT 908u
#define MID_AN2K_F_TOLD_REASON 909u
#define MID_AN2K_F_TOLD_SPECULATIVE 913u
#define MID_AN2K_F_LOCATION 914u
#define MID_AN2K_F_ETHNICITY 915u
#define MID_AN2K_F_AGE_BAND 916u
#define MID_AN2K_F_GENDER 917u
#define MID_AN2K_F_DATABASES 918u
#define MID_AN2K_F_RESULT 910u
#define MID_AN2K_F_CANDIDATES 911u
#define MID_AN2K_F_MESSAGE 912u

#ifdef __cplusplus
}
#endif
#endif
