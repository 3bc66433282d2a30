/*
 * Internal view of the template layer: the in-memory record and the per-format
 * codecs that template.c dispatches to.
 */
#ifndef MID_SRC_TEMPLATE_TMPL_H
#define MID_SRC_TEMPLATE_TMPL_H

#include "core/core.h"
#include "mid/template.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct mid_template {
    uint16_t width;
    uint16_t height;
    uint16_t ppi;            /* 0 = unknown */
    uint8_t quality;         /* 0..100, 0 = unknown */
    uint8_t finger_position; /* ISO/ANSI finger position code, 0 = unknown */
    uint8_t impression_type; /* ISO/ANSI impression type code (4 bits) */
    size_t count;
    mid_minutia m[MID_MAX_MINUTIAE];
};

/* Bounds-checked big/little-endian reader over an untrusted buffer. Every read
 * names the field it reads so that failures say what and where. */
typedef struct tmpl_reader {
    const uint8_t *p;
    size_t len;      /* readable bytes from p */
    size_t off;      /* next byte */
    const char *fmt; /* format name for messages */
} tmpl_reader;

mid_status tmpl_need(mid_ctx *ctx, const tmpl_reader *r, size_t n, const char *field);
uint8_t tmpl_u8(tmpl_reader *r);
uint16_t tmpl_be16(tmpl_reader *r);
uint32_t tmpl_be32(tmpl_reader *r);

/* Validates one minutia against a template's image; message names where. */
bool tmpl_minutia_ok(const mid_template *t, const mid_minutia *m);

/* Allocates an empty template without argument checks beyond sizes (decoders). */
mid_template *tmpl_alloc(uint16_t width, uint16_t height, uint16_t ppi);

/* CRC-32 (IEEE 802.3 polynomial, reflected, init and final xor 0xFFFFFFFF). */
uint32_t tmpl_crc32(const uint8_t *p, size_t n);

/* Per-format codecs. Decoders get len <= MID_MAX_TEMPLATE_BYTES. */
mid_status tmpl_native_encode(mid_ctx *ctx, const mid_template *t, uint8_t **out, size_t *len);
mid_status tmpl_native_decode(mid_ctx *ctx, const uint8_t *p, size_t len, mid_template **out);
/* Which of ISO 19794-2:2005 / ANSI 378 an "FMR\0" record looks like (see fmr.c). */
bool tmpl_fmr_looks_ansi(const uint8_t *p, size_t len);

/* Multi-view records (record.c): the format of an "FMR\0" record of len >= 8
 * bytes, telling ISO 19794-2:2011 from ANSI 378-2009 for version "030"; and
 * moving view i's template out of a record (the record keeps a NULL there). */
mid_template_format tmpl_detect_fmr(const uint8_t *p, size_t len);
bool tmpl_looks_iso2011(const uint8_t *p, size_t len);
mid_template *tmpl_record_take(mid_template_record *r, size_t i);

/* Angle conversions between 360/256-degree units and ANSI 378 2-degree units. */
uint8_t tmpl_angle_to_ansi(uint8_t a256);
uint8_t tmpl_angle_from_ansi(uint8_t a2deg);

#endif
