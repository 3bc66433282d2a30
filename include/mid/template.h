/*
 * Minutiae templates: the in-memory record, the compact native encoding, and
 * ISO/IEC 19794-2:2005 and ANSI INCITS 378-2004 interchange.
 *
 * Conventions (shared by every format here): origin at the top-left pixel, x to
 * the right, y downward, coordinates in pixels at the template's resolution.
 * Angles are measured counter-clockwise from the positive x axis as seen on the
 * image (y down), in units of 360/256 degrees (the ISO 19794-2 unit). The
 * direction of a ridge ending points from the ending along its ridge; that of a
 * bifurcation points away from the fork, along the valley that splits it.
 *
 * Ownership: a mid_template belongs to the caller from create/decode/load until
 * mid_template_free(). Encoders return a new buffer to free with mid_free().
 */
#ifndef MID_TEMPLATE_H
#define MID_TEMPLATE_H

#include "mid/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mid_minutia_type {
    MID_MINUTIA_OTHER = 0,
    MID_MINUTIA_ENDING = 1,
    MID_MINUTIA_BIFURCATION = 2
} mid_minutia_type;

typedef struct mid_minutia {
    uint16_t x;      /* pixels from the left */
    uint16_t y;      /* pixels from the top */
    uint8_t angle;   /* counter-clockwise, 360/256 degree units */
    uint8_t type;    /* mid_minutia_type */
    uint8_t quality; /* 0 (unknown/worst) .. 100 (best) */
} mid_minutia;

typedef struct mid_template mid_template;

typedef enum mid_template_format {
    MID_TEMPLATE_AUTO = 0, /* detect from the header */
    MID_TEMPLATE_NATIVE,   /* compact mobileid record, "MIDT" */
    MID_TEMPLATE_ISO19794_2_2005,
    MID_TEMPLATE_ANSI378_2004, /* decoding also accepts the 2009 edition (see below) */
    MID_TEMPLATE_ISO19794_2_2011,
    MID_TEMPLATE_ANSI378_2009
} mid_template_format;

/* An empty template for an image of width x height pixels (1..MID_MAX_IMAGE_SIDE) at ppi
 * (0 = unknown, at most MID_MAX_PPI). */
mid_status mid_template_create(mid_ctx *ctx, uint16_t width, uint16_t height, uint16_t ppi,
                               mid_template **out);
void mid_template_free(mid_template *t);

/* Appends a copy of *m. MID_ERR_LIMIT beyond MID_MAX_MINUTIAE, MID_ERR_ARG when m lies
 * outside the image or has an unknown type or a quality above 100. */
mid_status mid_template_add(mid_ctx *ctx, mid_template *t, const mid_minutia *m);

size_t mid_template_count(const mid_template *t);
const mid_minutia *mid_template_minutiae(const mid_template *t);
uint16_t mid_template_width(const mid_template *t);
uint16_t mid_template_height(const mid_template *t);
uint16_t mid_template_ppi(const mid_template *t);
/* Overall quality 0..100 (0 when unknown). */
uint8_t mid_template_quality(const mid_template *t);
void mid_template_set_quality(mid_template *t, uint8_t quality);
/* Finger position code of ISO 19794-2 / ANSI 378 (0 unknown, 1 right thumb .. 10 left
 * little) and impression type (0 live-scan plain, 1 live-scan rolled, 2 non-live plain,
 * 3 non-live rolled, 8 swipe). Both 0 on a new template; decoders copy them from the
 * first finger view, encoders write them. */
uint8_t mid_template_finger_position(const mid_template *t);
uint8_t mid_template_impression_type(const mid_template *t);
/* MID_ERR_ARG when position > 15 or impression > 15 (both are 4-bit fields in practice). */
mid_status mid_template_set_finger(mid_ctx *ctx, mid_template *t, uint8_t position,
                                   uint8_t impression);

/* Encodes in the given format (not AUTO). */
mid_status mid_template_encode(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                               void **out, size_t *len);
/* Decodes a record. For multi-view records the first finger view is returned.
 * AUTO tells all four interchange formats apart (both 2011/2009 editions use the
 * version "030": ISO 19794-2:2011 is recognised by its representation lengths). */
mid_status mid_template_decode(mid_ctx *ctx, const void *data, size_t len,
                               mid_template_format format, mid_template **out);

mid_status mid_template_load(mid_ctx *ctx, const char *path, mid_template_format format,
                             mid_template **out);
mid_status mid_template_save(mid_ctx *ctx, const mid_template *t, mid_template_format format,
                             const char *path);

/*
 * Multi-finger, multi-view records: every finger view of an ISO/IEC 19794-2
 * (2005, 2011) or ANSI INCITS 378 (2004, 2009) record, with the header fields
 * that a template does not hold, so that a record read and written in the same
 * format keeps them. Conversion between formats maps what both carry:
 *  - angles: ISO 360/256-degree units, ANSI 2-degree units, rounded to nearest;
 *    axes (origin top left, y down, counter-clockwise angles) are the same in all;
 *  - resolution: px/cm in every format (ppi = round(px/cm * 2.54));
 *  - finger quality: ISO 2005 / ANSI 2004 one byte, ANSI 2009 byte plus algorithm
 *    owner and id, ISO 2011 the first quality block (score, vendor, algorithm);
 *  - ISO 2005 and ANSI 2004 keep one image size and resolution per record, so
 *    every view written in them must share them (MID_ERR_ARG otherwise).
 * Extended data (ridge counts, cores and deltas, vendor blocks), certification
 * blocks, ISO 2011 quality blocks after the first and minutia qualities 254/255
 * ("not computed"/"failed", read as 0) are kept verbatim only when writing the
 * format the record was read from; other formats get none.
 */
typedef struct mid_template_record mid_template_record;

/* ISO 19794-2:2011 capture date and time (UTC); every field all ones (0xFF..)
 * means "not given". */
typedef struct mid_capture_time {
    uint16_t year;
    uint8_t month, day, hour, minute, second;
    uint16_t millisecond;
} mid_capture_time;

/* Per-view header fields beyond mid_template's. */
typedef struct mid_template_view_info {
    uint8_t view_number;        /* 0..15: views of one finger */
    uint8_t device_technology;  /* ISO 2011 capture device technology (0 unknown) */
    uint16_t device_vendor;     /* ISO 2011 capture device vendor (0 unknown) */
    uint16_t device_type;       /* ISO 2011 capture device type id */
    uint16_t quality_owner;     /* quality algorithm vendor: ANSI 2009, ISO 2011 */
    uint16_t quality_algorithm; /* quality algorithm id: ANSI 2009, ISO 2011 */
    uint8_t ending_type;        /* ISO 2011 ridge ending location: 0 valley skeleton bifurcation,
                                   1 ridge skeleton end point */
    mid_capture_time capture;   /* ISO 2011 */
} mid_template_view_info;

/* Record header fields. */
typedef struct mid_template_record_info {
    uint16_t capture_equipment; /* ISO 2005 / ANSI: compliance (4 bits) + equipment id (12) */
    uint32_t cbeff_product;     /* ANSI: CBEFF product identifier (owner << 16 | type) */
} mid_template_record_info;

/* An empty record (no views, header fields zero). */
mid_status mid_template_record_create(mid_ctx *ctx, mid_template_record **out);
void mid_template_record_free(mid_template_record *r);

/* Defaults for a new view: view 0, unknown device, capture time not given. */
void mid_template_view_info_init(mid_template_view_info *info);

size_t mid_template_record_count(const mid_template_record *r);
/* The i-th view's template (owned by the record), NULL when i is out of range. */
const mid_template *mid_template_record_view(const mid_template_record *r, size_t i);
/* Copies the i-th view's header fields; MID_ERR_ARG when i is out of range. */
mid_status mid_template_record_view_info(mid_ctx *ctx, const mid_template_record *r, size_t i,
                                         mid_template_view_info *out);
mid_template_record_info mid_template_record_header(const mid_template_record *r);
void mid_template_record_set_header(mid_template_record *r, const mid_template_record_info *info);
/* The format the record was decoded from (MID_TEMPLATE_AUTO for a created one). */
mid_template_format mid_template_record_source(const mid_template_record *r);

/* Appends a copy of t as a new view (info NULL: defaults). MID_ERR_LIMIT beyond
 * MID_MAX_TEMPLATE_VIEWS, MID_ERR_ARG on a view number above 15. */
mid_status mid_template_record_add(mid_ctx *ctx, mid_template_record *r, const mid_template *t,
                                   const mid_template_view_info *info);

/* Decodes every view of an interchange record (or the one of a native record).
 * format: as mid_template_decode; MID_TEMPLATE_ANSI378_2004 accepts 2009 as well. */
mid_status mid_template_record_decode(mid_ctx *ctx, const void *data, size_t len,
                                      mid_template_format format, mid_template_record **out);
/* Encodes all views (NATIVE: only a one-view record). MID_ERR_ARG on an empty record. */
mid_status mid_template_record_encode(mid_ctx *ctx, const mid_template_record *r,
                                      mid_template_format format, void **out, size_t *len);
mid_status mid_template_record_load(mid_ctx *ctx, const char *path, mid_template_format format,
                                    mid_template_record **out);
mid_status mid_template_record_save(mid_ctx *ctx, const mid_template_record *r,
                                    mid_template_format format, const char *path);

#ifdef __cplusplus
}
#endif
#endif
