/*
 * Lossless JPEG (ITU-T T.81 process 14: SOF3, Huffman-coded prediction
 * differences), our own decoder: Debian 12's libjpeg-turbo 2.1 has no SOF3
 * support, and ANSI/NIST-ITL files carry such images as compression "JPEGL"
 * (NBIS writes them). image.c sends a JPEG stream here when its first frame
 * header is SOF3.
 *
 * Supported: one component (greyscale; colour frames are refused with
 * MID_ERR_UNSUPPORTED, since a fingerprint is grey and guessing the colour
 * transform of a lossless frame would be a silent loss), sample precision P of
 * 2..16 bits, predictors 1..7, point transform Pt, restart intervals (DRI/RSTn),
 * a JFIF APP0 density. The output is 8-bit grey: a sample s << Pt of P bits is
 * scaled to 0..255 with rounding (s * 255 / (2^P - 1)), so 8-bit images are
 * exact and deeper ones lose their low bits.
 *
 * Strictness: entropy data that runs into a marker or the end of the input
 * before the last sample, a wrong RSTn, an invalid Huffman code, a reconstructed
 * sample outside 0..2^(P-Pt)-1 or a missing EOI are MID_ERR_FORMAT with the byte
 * offset. One tolerance: NBIS's lossless encoder labels its table as class 1
 * (AC); a lossless scan uses "DC or lossless" class-0 tables (T.81 B.2.4.2), and
 * when the scan's class-0 table is undefined the class-1 table of the same
 * number is used instead (a lossless scan has no other use for it).
 */
#include "image/image_internal.h"

#include <stdlib.h>
#include <string.h>

#define JL_FAST_BITS 9

typedef struct jl_huff {
    bool defined;
    uint16_t nvals;
    uint8_t vals[256];
    int32_t maxcode[17]; /* largest code of each length, -1 when none */
    int32_t mincode[17];
    int32_t valptr[17];
    uint16_t fast[1u << JL_FAST_BITS]; /* (length << 8 | value), 0: longer code */
} jl_huff;

typedef struct jl_frame {
    bool seen;
    unsigned precision;
    uint32_t width, height;
    unsigned comp_id;
} jl_frame;

/* Bit reader over one entropy-coded segment: stops at the first marker (0xFF
 * not followed by a stuffed 0x00) or the end of the input and feeds zeros from
 * there, counting them as phantom bits; consuming a phantom bit means the data
 * ended early. */
typedef struct jl_bits {
    const uint8_t *d;
    size_t len, pos;
    uint64_t buf;
    unsigned cnt, phantom;
    bool stopped;
} jl_bits;

static void bits_init(jl_bits *b, const uint8_t *d, size_t len, size_t pos) {
    memset(b, 0, sizeof(*b));
    b->d = d;
    b->len = len;
    b->pos = pos;
}

static void bits_fill(jl_bits *b) {
    while (b->cnt <= 56) {
        unsigned byte = 0;
        if (!b->stopped && b->pos < b->len) {
            byte = b->d[b->pos];
            if (byte == 0xFF) {
                if (b->pos + 1 < b->len && b->d[b->pos + 1] == 0x00) {
                    b->pos += 2;
                } else {
                    b->stopped = true; /* a marker (or the end): pos stays on it */
                    byte = 0;
                    b->phantom += 8;
                }
            } else {
                b->pos++;
            }
        } else {
            b->stopped = true;
            b->phantom += 8;
        }
        b->buf |= (uint64_t)byte << (56u - b->cnt);
        b->cnt += 8;
    }
}

static unsigned bits_peek(const jl_bits *b, unsigned n) {
    return (unsigned)(b->buf >> (64u - n));
}

static void bits_skip(jl_bits *b, unsigned n) {
    b->buf <<= n;
    b->cnt -= n;
}

/* True when more bits were consumed than the segment holds. */
static bool bits_overrun(const jl_bits *b) {
    return b->cnt < b->phantom;
}

static size_t be16(const uint8_t *p) {
    return ((size_t)p[0] << 8) | p[1];
}

/* Builds the decoding tables of Annex C / F.2.2.3 from BITS and HUFFVAL. */
static mid_status huff_build(mid_ctx *ctx, jl_huff *h, const uint8_t counts[16], size_t off) {
    memset(h->fast, 0, sizeof(h->fast));
    uint32_t code = 0;
    unsigned k = 0;
    for (unsigned l = 1; l <= 16; l++) {
        unsigned n = counts[l - 1];
        h->valptr[l] = (int32_t)k;
        h->mincode[l] = (int32_t)code;
        h->maxcode[l] = n ? (int32_t)(code + n - 1) : -1;
        for (unsigned i = 0; i < n; i++, k++, code++) {
            if (code >= (1u << l)) {
                return core_fail(ctx, MID_ERR_FORMAT,
                                 "JPEGL: Huffman table at offset %zu has more codes of length "
                                 "%u than fit",
                                 off, l);
            }
            if (l <= JL_FAST_BITS) {
                unsigned shift = JL_FAST_BITS - l;
                for (uint32_t f = code << shift; f < ((code + 1) << shift); f++) {
                    h->fast[f] = (uint16_t)((l << 8) | h->vals[k]);
                }
            }
        }
        code <<= 1;
    }
    h->defined = true;
    return MID_OK;
}

/* DHT (B.2.4.2): one or more tables. */
static mid_status parse_dht(mid_ctx *ctx, jl_huff tables[2][4], const uint8_t *s, size_t n,
                            size_t off) {
    size_t p = 0;
    while (p < n) {
        if (n - p < 17) {
            return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: DHT segment at offset %zu is too short",
                             off);
        }
        unsigned tc = s[p] >> 4, th = s[p] & 15u;
        if (tc > 1 || th > 3) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "JPEGL: DHT at offset %zu names table class %u number %u", off, tc,
                             th);
        }
        const uint8_t *counts = s + p + 1;
        size_t total = 0;
        for (unsigned i = 0; i < 16; i++) {
            total += counts[i];
        }
        if (total == 0 || total > 256 || n - p - 17 < total) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "JPEGL: DHT at offset %zu declares %zu codes (1..256 and within "
                             "the segment allowed)",
                             off, total);
        }
        jl_huff *h = &tables[tc][th];
        h->nvals = (uint16_t)total;
        memcpy(h->vals, s + p + 17, total);
        mid_status st = huff_build(ctx, h, counts, off);
        if (st != MID_OK) {
            return st;
        }
        p += 17 + total;
    }
    return MID_OK;
}

/* SOF3 (B.2.2). */
static mid_status parse_sof(mid_ctx *ctx, jl_frame *f, const uint8_t *s, size_t n, size_t off) {
    if (f->seen) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: second frame header at offset %zu", off);
    }
    if (n < 6) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: SOF3 at offset %zu is too short", off);
    }
    unsigned nf = s[5];
    if (nf != 1) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "JPEGL: frame at offset %zu has %u components; only greyscale (1) "
                         "lossless JPEG is supported",
                         off, nf);
    }
    if (n != 6 + 3 * (size_t)nf) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: SOF3 at offset %zu has length %zu, not %zu",
                         off, n + 2, 8 + 3 * (size_t)nf);
    }
    f->precision = s[0];
    f->height = (uint32_t)be16(s + 1);
    f->width = (uint32_t)be16(s + 3);
    f->comp_id = s[6];
    unsigned hv = s[7];
    if (f->precision < 2 || f->precision > 16) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: sample precision %u at offset %zu (lossless allows 2..16)",
                         f->precision, off);
    }
    if ((hv >> 4) < 1 || (hv >> 4) > 4 || (hv & 15u) < 1 || (hv & 15u) > 4) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: sampling factors 0x%02x at offset %zu", hv,
                         off);
    }
    if (f->height == 0) {
        return core_fail(ctx, MID_ERR_UNSUPPORTED,
                         "JPEGL: height 0 at offset %zu (height in a DNL marker) unsupported", off);
    }
    f->seen = true;
    return img_check_dims(ctx, "JPEGL", f->width, f->height);
}

/* JFIF APP0: density in dots per inch (unit 1) or per cm (unit 2). */
static double jfif_ppi(const uint8_t *s, size_t n) {
    if (n < 14 || memcmp(s, "JFIF\0", 5) != 0) {
        return 0.0;
    }
    double x = (double)be16(s + 8);
    if (s[7] == 1) {
        return x;
    }
    if (s[7] == 2) {
        return img_ppi_from_metric(x, 2.54);
    }
    return 0.0;
}

typedef struct jl_scan {
    const jl_huff *h;
    unsigned predictor, pt;
} jl_scan;

/* One Huffman-coded difference (H.1.2.2 and F.1.2.1.1): SSSS then SSSS extra
 * bits; SSSS 16 means 32768 with no extra bits. */
static mid_status decode_diff(mid_ctx *ctx, jl_bits *b, const jl_huff *h, int32_t *diff) {
    bits_fill(b);
    unsigned peek = bits_peek(b, 16);
    unsigned e = h->fast[peek >> (16 - JL_FAST_BITS)];
    unsigned len = 0, t = 0;
    if (e != 0) {
        len = e >> 8;
        t = e & 0xFFu;
    } else {
        for (unsigned l = JL_FAST_BITS + 1; l <= 16; l++) {
            int32_t code = (int32_t)(peek >> (16 - l));
            if (code <= h->maxcode[l]) {
                len = l;
                t = h->vals[h->valptr[l] + code - h->mincode[l]];
                break;
            }
        }
        if (len == 0) {
            return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: invalid Huffman code near offset %zu",
                             b->pos);
        }
    }
    bits_skip(b, len);
    if (t == 0) {
        *diff = 0;
    } else if (t == 16) {
        *diff = 32768;
    } else {
        int32_t v = (int32_t)bits_peek(b, t);
        bits_skip(b, t);
        *diff = v < (1 << (t - 1)) ? v - (1 << t) + 1 : v;
    }
    if (bits_overrun(b)) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: entropy-coded data ends early (marker or end of input at "
                         "offset %zu)",
                         b->pos);
    }
    return MID_OK;
}

/* Floor division by two of a signed value (T.81's arithmetic right shift). */
static int32_t half_floor(int32_t v) {
    return v >= 0 ? v / 2 : -((1 - v) / 2);
}

/* After an interval (or the scan): fewer than 8 bits of padding may be left, then
 * the marker must follow. Returns the marker's position (fill 0xFF skipped). */
static mid_status end_of_segment(mid_ctx *ctx, jl_bits *b, size_t *marker_pos) {
    unsigned real = b->cnt > b->phantom ? b->cnt - b->phantom : 0;
    if (real >= 8) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: extra entropy-coded data before offset %zu where a marker "
                         "should follow",
                         b->pos);
    }
    size_t p = b->pos;
    /* The reader may have stopped short of the marker only if its buffer was
     * full; any byte left before the marker is extra data. */
    if (p >= b->len || b->d[p] != 0xFF) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: marker expected at offset %zu", p);
    }
    while (p + 1 < b->len && b->d[p + 1] == 0xFF) {
        p++;
    }
    if (p + 1 >= b->len) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: input ends at offset %zu inside a marker", p);
    }
    *marker_pos = p;
    return MID_OK;
}

/* Decodes the samples of the one-component scan starting at pos (H.1.2.1 for
 * the predictions); on success *end is the offset of the marker after it. */
static mid_status decode_scan(mid_ctx *ctx, const uint8_t *d, size_t len, size_t pos,
                              const jl_frame *f, const jl_scan *sc, unsigned restart,
                              mid_image *img, size_t *end) {
    uint32_t w = f->width, h = f->height;
    uint32_t maxv = (1u << (f->precision - sc->pt)) - 1u;
    uint32_t full = (1u << f->precision) - 1u;
    mid_status st = MID_OK;
    uint16_t *rows = core_mallocn(2, (size_t)w * sizeof(uint16_t));
    uint8_t *lut = core_mallocn((size_t)maxv + 1, 1);
    if (rows == NULL || lut == NULL) {
        st = core_fail(ctx, MID_ERR_NOMEM, "JPEGL: out of memory");
        goto done;
    }
    for (uint32_t v = 0; v <= maxv; v++) {
        lut[v] = img_scale8(v << sc->pt, full);
    }
    uint16_t *prev = rows, *cur = rows + w;
    const int32_t initial = 1 << (f->precision - sc->pt - 1);
    jl_bits b;
    bits_init(&b, d, len, pos);
    uint32_t left = restart; /* samples (MCUs) before the next restart marker */
    unsigned next_rst = 0;
    for (uint32_t y = 0; y < h; y++) {
        bool first_line = y == 0;
        if (restart != 0 && left == 0) {
            size_t mp = 0;
            st = end_of_segment(ctx, &b, &mp);
            if (st != MID_OK) {
                goto done;
            }
            if (d[mp + 1] != 0xD0 + next_rst) {
                st = core_fail(ctx, MID_ERR_FORMAT,
                               "JPEGL: marker 0x%02x at offset %zu where RST%u was expected",
                               d[mp + 1], mp, next_rst);
                goto done;
            }
            next_rst = (next_rst + 1) & 7u;
            bits_init(&b, d, len, mp + 2);
            left = restart;
            first_line = true;
        }
        for (uint32_t x = 0; x < w; x++) {
            int32_t diff = 0;
            st = decode_diff(ctx, &b, sc->h, &diff);
            if (st != MID_OK) {
                goto done;
            }
            int32_t px;
            if (first_line) {
                px = x == 0 ? initial : cur[x - 1];
            } else if (x == 0) {
                px = prev[0];
            } else {
                int32_t ra = cur[x - 1], rb = prev[x], rc = prev[x - 1];
                switch (sc->predictor) {
                case 1:
                    px = ra;
                    break;
                case 2:
                    px = rb;
                    break;
                case 3:
                    px = rc;
                    break;
                case 4:
                    px = ra + rb - rc;
                    break;
                case 5:
                    px = ra + half_floor(rb - rc);
                    break;
                case 6:
                    px = rb + half_floor(ra - rc);
                    break;
                default:
                    px = (ra + rb) / 2;
                    break;
                }
            }
            uint32_t v = (uint32_t)(px + diff) & 0xFFFFu; /* modulo 2^16 (H.1.2.2) */
            if (v > maxv) {
                st = core_fail(ctx, MID_ERR_FORMAT,
                               "JPEGL: sample %u at (%u,%u) exceeds %u bits (corrupt data near "
                               "offset %zu)",
                               (unsigned)v, (unsigned)x, (unsigned)y, f->precision - sc->pt, b.pos);
                goto done;
            }
            cur[x] = (uint16_t)v;
        }
        if (restart != 0) {
            left -= w; /* restart is a multiple of w (checked by the caller) */
        }
        uint8_t *out = img->pixels + (size_t)y * w;
        for (uint32_t x = 0; x < w; x++) {
            out[x] = lut[cur[x]];
        }
        uint16_t *t = prev;
        prev = cur;
        cur = t;
    }
    st = end_of_segment(ctx, &b, end);
done:
    if (rows != NULL) {
        core_wipe(rows, 2 * (size_t)w * sizeof(uint16_t));
    }
    free(rows);
    free(lut);
    return st;
}

/* SOS (B.2.3) and its scan. */
static mid_status do_scan(mid_ctx *ctx, const uint8_t *d, size_t len, const uint8_t *s, size_t n,
                          size_t off, const jl_frame *f, jl_huff tables[2][4], unsigned restart,
                          double ppi, mid_image **img, size_t *end) {
    if (!f->seen) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: scan at offset %zu before the frame header",
                         off);
    }
    if (*img != NULL) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: second scan at offset %zu", off);
    }
    if (n < 1 || s[0] != 1 || n != 6) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: scan header at offset %zu is not a one-component header", off);
    }
    if (s[1] != f->comp_id) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: scan at offset %zu names component %u; the frame has %u", off,
                         s[1], f->comp_id);
    }
    unsigned td = s[2] >> 4;
    jl_scan sc = {.predictor = s[3], .pt = s[5] & 15u};
    if (sc.predictor < 1 || sc.predictor > 7) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: predictor %u at offset %zu (lossless allows 1..7)", sc.predictor,
                         off);
    }
    if ((s[5] >> 4) != 0 || sc.pt >= f->precision) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: point transform 0x%02x at offset %zu (Ah 0, Al < P required)",
                         s[5], off);
    }
    if (td > 3) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: Huffman table %u at offset %zu", td, off);
    }
    sc.h = tables[0][td].defined ? &tables[0][td] : &tables[1][td];
    if (!sc.h->defined) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: scan at offset %zu uses undefined Huffman table %u", off, td);
    }
    for (unsigned i = 0; i < sc.h->nvals; i++) {
        if (sc.h->vals[i] > 16) {
            return core_fail(ctx, MID_ERR_FORMAT,
                             "JPEGL: Huffman table %u has difference category %u (> 16)", td,
                             sc.h->vals[i]);
        }
    }
    if (restart % f->width != 0) {
        return core_fail(ctx, MID_ERR_FORMAT,
                         "JPEGL: restart interval %u is not a multiple of the line width %u",
                         restart, (unsigned)f->width);
    }
    mid_status st = img_alloc(ctx, "JPEGL", f->width, f->height, ppi, img);
    if (st != MID_OK) {
        return st;
    }
    return decode_scan(ctx, d, len, off + 2 + n + 2, f, &sc, restart, *img, end);
}

bool img_jpegl_sniff(const uint8_t *d, size_t len) {
    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8) {
        return false;
    }
    size_t p = 2;
    while (p + 4 <= len) {
        if (d[p] != 0xFF) {
            return false;
        }
        while (p + 1 < len && d[p + 1] == 0xFF) {
            p++;
        }
        if (p + 4 > len) {
            return false;
        }
        unsigned m = d[p + 1];
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC) {
            return m == 0xC3;
        }
        if (m == 0xDA || m == 0xD9 || m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01 ||
            m == 0x00) {
            return false;
        }
        p += 2 + be16(d + p + 2);
    }
    return false;
}

mid_status img_decode_jpegl(mid_ctx *ctx, const uint8_t *d, size_t len, mid_image **out) {
    if (len < 4 || d[0] != 0xFF || d[1] != 0xD8) {
        return core_fail(ctx, MID_ERR_FORMAT, "JPEGL: SOI marker missing");
    }
    jl_huff(*tables)[4] = calloc(2, sizeof(*tables));
    if (tables == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "JPEGL: out of memory");
    }
    jl_frame f = {0};
    mid_image *img = NULL;
    unsigned restart = 0;
    double ppi = 0.0;
    mid_status st = MID_OK;
    size_t p = 2;
    for (;;) {
        if (p >= len) {
            st = core_fail(ctx, MID_ERR_FORMAT, "JPEGL: input ends at offset %zu before EOI", p);
            break;
        }
        if (d[p] != 0xFF) {
            st = core_fail(ctx, MID_ERR_FORMAT, "JPEGL: marker expected at offset %zu", p);
            break;
        }
        while (p + 1 < len && d[p + 1] == 0xFF) {
            p++; /* fill bytes (B.1.1.2) */
        }
        if (p + 1 >= len) {
            st = core_fail(ctx, MID_ERR_FORMAT, "JPEGL: input ends at offset %zu inside a marker",
                           p);
            break;
        }
        unsigned m = d[p + 1];
        size_t off = p;
        if (m == 0xD9) {
            if (img == NULL) {
                st =
                    core_fail(ctx, MID_ERR_FORMAT, "JPEGL: EOI at offset %zu before any scan", off);
            }
            break;
        }
        if (m == 0x00 || m == 0x01 || (m >= 0xD0 && m <= 0xD8)) {
            st = core_fail(ctx, MID_ERR_FORMAT, "JPEGL: unexpected marker 0x%02x at offset %zu", m,
                           off);
            break;
        }
        if (len - p < 4) {
            st = core_fail(ctx, MID_ERR_FORMAT,
                           "JPEGL: input ends at offset %zu inside a segment length", p);
            break;
        }
        size_t seg = be16(d + p + 2);
        if (seg < 2 || seg > len - p - 2) {
            st = core_fail(ctx, MID_ERR_FORMAT,
                           "JPEGL: segment 0x%02x at offset %zu has length %zu beyond the input", m,
                           off, seg);
            break;
        }
        const uint8_t *s = d + p + 4;
        size_t n = seg - 2;
        p += 2 + seg;
        if (m == 0xC4) {
            st = parse_dht(ctx, tables, s, n, off);
        } else if (m == 0xC3) {
            st = parse_sof(ctx, &f, s, n, off);
        } else if (m == 0xCC) {
            st = core_fail(ctx, MID_ERR_UNSUPPORTED,
                           "JPEGL: arithmetic coding (DAC at offset %zu) unsupported", off);
        } else if (m >= 0xC0 && m <= 0xCF && m != 0xC8) {
            st = core_fail(ctx, MID_ERR_UNSUPPORTED,
                           "JPEGL: frame type SOF%u at offset %zu (only SOF3 lossless Huffman)",
                           m - 0xC0, off);
        } else if (m == 0xDD) {
            if (n != 2) {
                st = core_fail(ctx, MID_ERR_FORMAT, "JPEGL: DRI at offset %zu has length %zu", off,
                               seg);
            } else {
                restart = (unsigned)be16(s);
            }
        } else if (m == 0xDC || m == 0xDE || m == 0xDF) {
            st = core_fail(ctx, MID_ERR_UNSUPPORTED,
                           "JPEGL: marker 0x%02x at offset %zu (DNL or hierarchical) unsupported",
                           m, off);
        } else if (m == 0xE0) {
            if (ppi == 0.0) {
                ppi = jfif_ppi(s, n);
            }
        } else if (m == 0xDA) {
            st = do_scan(ctx, d, len, s, n, off, &f, tables, restart, ppi, &img, &p);
        }
        /* Anything else (APPn, COM, DQT, JPGn) carries nothing for us. */
        if (st != MID_OK) {
            break;
        }
    }
    free(tables);
    if (st != MID_OK) {
        mid_image_free(img);
        return st;
    }
    *out = img;
    return MID_OK;
}
