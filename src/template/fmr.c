/*
 * Finger minutiae records: ISO/IEC 19794-2:2005 and ANSI INCITS 378 (2004
 * edition, plus decoding of the 2009 "030" edition). All multi-byte fields are
 * big-endian.
 *
 * Record header                         ISO 19794-2:2005   ANSI 378-2004
 *   format identifier "FMR\0"           4                  4
 *   version " 20\0"                     4                  4
 *   record length                       4                  2 (0 => 4 more bytes follow)
 *   CBEFF product identifier            -                  4
 *   capture equipment (compliance, id)  2                  2
 *   image size x, y (pixels)            2 + 2              2 + 2
 *   resolution x, y (pixels per cm)     2 + 2              2 + 2
 *   number of finger views              1                  1
 *   reserved                            1                  1
 * Finger view header: finger position (1), view number (high 4 bits) and
 * impression type (low 4 bits) (1), finger quality 0..100 (1), minutiae count (1).
 * Minutia, 6 bytes: type (2 bits: 01 ending, 10 bifurcation, 00 other, 11
 * reserved) + x (14 bits); 2 reserved bits + y (14 bits); angle (1): ISO in
 * 360/256-degree units, ANSI in 2-degree units 0..179, both counter-clockwise
 * from the x axis; quality 0..100 (1).
 * Extended data: a 2-byte total length, then blocks of type (2), length (2,
 * including these 4 bytes) and data (ridge counts type 1, cores and deltas type
 * 2, vendor types). This library does not use them: it walks the block headers
 * to check that they tile the declared length and skips them.
 *
 * ANSI INCITS 378-2009 (version "030\0") moves the image size and resolution
 * into each view: header = magic, version, record length (4), CBEFF product id
 * (4), capture equipment (2), number of views (1), reserved (1); view header =
 * finger position (1), view number (1), impression type (1), finger quality (1),
 * quality algorithm owner (2) and id (2), image size x, y (2 + 2), resolution x,
 * y (2 + 2), minutiae count (1); minutiae and extended data as in 2004. It is
 * read and written, as is ISO/IEC 19794-2:2011 (also "030\0").
 *
 * This file holds what the editions share (angle units, telling ISO from ANSI);
 * record.c parses and writes records of every edition, single- and multi-view,
 * under the policy below.
 *
 * Decoding policy:
 *  - The record length field is authoritative for the record's extent: a buffer
 *    shorter than it is truncated (rejected); bytes after it are padding and
 *    ignored (some tools pad templates to a fixed size).
 *  - Every view's header and minutiae must lie inside the record and every
 *    minutia must be valid: known type, x < image width, y < image height
 *    (rejected, never clamped: a coordinate outside the declared image means the
 *    record is inconsistent), quality <= 100, ANSI angle <= 179. This holds for
 *    all views, though only the first is returned.
 *  - Extended data of every view but the last must lie inside the record, since
 *    it locates the next view. Published reference records disagree with
 *    themselves by a byte or two exactly there: the ISO 19794-2:2005 Annex C.2
 *    worked example declares a 340-byte record whose last view ends at 341;
 *    libbiomeval's fmr.iso2005 declares one byte more of extended data than the
 *    record holds, and its fmr.ansi2004 leaves two bytes between the last
 *    extended data and the record end. So for the last view only, extended data
 *    running past the record end, or bytes left after it, are tolerated up to
 *    2 bytes (REC_SLACK in record.c); those bytes are never read.
 *  - Resolution: ppi = round(x resolution [px/cm] * 2.54), 0 (unknown) stays 0;
 *    the y resolution is not used (the template has one resolution).
 */
#include "template/tmpl.h"

#include <string.h>

#define ISO_HEADER 24u
#define ANSI_HEADER 26u
#define VIEW_HEADER 4u

uint8_t tmpl_angle_to_ansi(uint8_t a256) {
    /* degrees/2 = a * 360/256/2 = a * 45/64, rounded half up, 256 units => 180 => 0. */
    unsigned v = ((unsigned)a256 * 45u + 32u) / 64u;
    return (uint8_t)(v % 180u);
}

uint8_t tmpl_angle_from_ansi(uint8_t a2deg) {
    /* a = 2 * d * 256/360 = d * 64/45, rounded half up; 180 units => 256 => 0. */
    unsigned v = ((unsigned)a2deg * 128u + 45u) / 90u;
    return (uint8_t)(v % 256u);
}

bool tmpl_fmr_looks_ansi(const uint8_t *p, size_t len) {
    /* Only meaningful for "FMR\0" records. "030\0" is taken for ANSI 378-2009
     * (ISO 19794-2:2011 shares the string but is not supported here anyway).
     * For " 20\0" the record length decides: ANSI keeps 2 bytes at offset 8
     * (>= 32 for any record with a view) or 0 there and 4 bytes at 10; ISO keeps
     * 4 bytes at offset 8. So a nonzero 16-bit value at 8 is ANSI unless it is
     * below ANSI's minimum record size (then it is the high half of an ISO
     * length of 64 KiB or more). A zero there is ISO when the next 16 bits are
     * at least the ISO minimum record size (24; an ANSI long length would then
     * be >= 24 * 65536 bytes, beyond MID_MAX_TEMPLATE_BYTES), else ANSI's long
     * form. */
    if (len < 12) {
        return false;
    }
    if (memcmp(p + 4, "030\0", 4) == 0) {
        return true;
    }
    unsigned hi = (unsigned)p[8] << 8 | p[9];
    unsigned lo = (unsigned)p[10] << 8 | p[11];
    if (hi != 0) {
        return hi >= ANSI_HEADER + VIEW_HEADER + 2u;
    }
    return lo < ISO_HEADER;
}
