/*
 * WSQ decoder (IAFIS-IC-0110 v3.1, Part 1 and Annex A/B). The file is a sequence
 * of marker segments: SOI, then tables (DTT, DQT, DHT), comments (COM), the frame
 * header (SOF) and three blocks (SOB followed by entropy-coded data), then EOI.
 * Every length, count and index read from the file is checked against the bytes
 * present and against mid/limits.h before use; errors name the marker and offset.
 */
#include "wsq/wsq_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FAST_BITS 9

typedef struct huff {
    bool defined;
    uint8_t count[17]; /* codes of each length 1..16 */
    uint8_t val[256];
    int32_t mincode[17], maxcode[17], valptr[17];
    uint16_t fast[1u << FAST_BITS]; /* (length << 8) | symbol; 0 = not a short code */
} huff;

typedef struct dec {
    mid_ctx *ctx;
    const uint8_t *d;
    size_t len;
    bool have_sof, have_dtt, have_dqt;
    uint32_t w, h;
    double m_shift, r_scale;
    wsq_filters f;
    double bin_center;
    double q[WSQ_SUBBANDS], z[WSQ_SUBBANDS];
    huff ht[WSQ_MAX_TABLES];
    double ppi;
    wsq_layout lay;
    float *img;
    int blocks; /* blocks decoded so far */
} dec;

typedef struct cursor {
    const dec *s;
    int band, last;
    uint32_t r, c;
} cursor;

static const char *marker_name(unsigned m) {
    switch (m) {
    case WSQ_SOI:
        return "SOI";
    case WSQ_EOI:
        return "EOI";
    case WSQ_SOF:
        return "SOF";
    case WSQ_SOB:
        return "SOB";
    case WSQ_DTT:
        return "DTT";
    case WSQ_DQT:
        return "DQT";
    case WSQ_DHT:
        return "DHT";
    case WSQ_DRT:
        return "DRT";
    case WSQ_COM:
        return "COM";
    default:
        return "unknown";
    }
}

static inline uint32_t be16(const uint8_t *p) {
    return ((uint32_t)p[0] << 8) | p[1];
}

static inline uint32_t be32(const uint8_t *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

/* ---- table segments ---- */

static mid_status parse_sof(dec *s, const uint8_t *p, size_t n, size_t off) {
    if (s->have_sof) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: SOF at offset %zu: second frame header",
                         off);
    }
    if (n != 15) {
        return core_fail(s->ctx, MID_ERR_FORMAT,
                         "wsq: SOF at offset %zu: length %zu, the frame header has 17", off, n + 2);
    }
    uint32_t h = be16(p + 2), w = be16(p + 4);
    if (w == 0 || h == 0) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: SOF at offset %zu: zero size %ux%u", off,
                         (unsigned)w, (unsigned)h);
    }
    if (w > MID_MAX_IMAGE_SIDE || h > MID_MAX_IMAGE_SIDE ||
        (uint64_t)w * h > MID_MAX_IMAGE_PIXELS) {
        return core_fail(s->ctx, MID_ERR_LIMIT,
                         "wsq: SOF at offset %zu: %ux%u exceeds the image limits (%u side, %u "
                         "pixels)",
                         off, (unsigned)w, (unsigned)h, (unsigned)MID_MAX_IMAGE_SIDE,
                         (unsigned)MID_MAX_IMAGE_PIXELS);
    }
    s->w = w;
    s->h = h;
    s->m_shift = wsq_unscale(p[6], be16(p + 7));
    s->r_scale = wsq_unscale(p[9], be16(p + 10));
    s->have_sof = true;
    return MID_OK;
}

static mid_status parse_dtt(dec *s, const uint8_t *p, size_t n, size_t off) {
    if (n < 2) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: DTT at offset %zu: segment too short", off);
    }
    unsigned lo_len = p[0], hi_len = p[1];
    if (lo_len % 2 == 0 || hi_len % 2 == 0) {
        return core_fail(s->ctx, MID_ERR_UNSUPPORTED,
                         "wsq: DTT at offset %zu: even-length filters (%u/%u taps) are not "
                         "supported",
                         off, lo_len, hi_len);
    }
    if (lo_len > 2 * WSQ_MAX_HALF - 1 || hi_len > 2 * WSQ_MAX_HALF - 1) {
        return core_fail(s->ctx, MID_ERR_LIMIT,
                         "wsq: DTT at offset %zu: %u/%u filter taps exceed the limit of %d", off,
                         lo_len, hi_len, 2 * WSQ_MAX_HALF - 1);
    }
    size_t nlo = (lo_len + 1) / 2, nhi = (hi_len + 1) / 2;
    if (n != 2 + 6 * (nlo + nhi)) {
        return core_fail(s->ctx, MID_ERR_FORMAT,
                         "wsq: DTT at offset %zu: length %zu does not match %u+%u filter taps", off,
                         n + 2, lo_len, hi_len);
    }
    wsq_filters f = {0};
    f.lo_half = (int)nlo - 1;
    f.hi_half = (int)nhi - 1;
    const uint8_t *c = p + 2;
    for (size_t i = 0; i < nlo + nhi; i++, c += 6) {
        if (c[0] > 1) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: DTT at offset %zu: coefficient %zu has sign byte %u", off, i,
                             c[0]);
        }
        double v = wsq_unscale(c[1], be32(c + 2));
        if (c[0]) {
            v = -v;
        }
        if (i < nlo) {
            f.lo[i] = (float)v;
        } else {
            f.hi[i - nlo] = (float)v;
        }
    }
    if (!wsq_filters_prepare(&f)) {
        return core_fail(s->ctx, MID_ERR_FORMAT,
                         "wsq: DTT at offset %zu: the filter pair has no usable gain", off);
    }
    s->f = f;
    s->have_dtt = true;
    return MID_OK;
}

static mid_status parse_dqt(dec *s, const uint8_t *p, size_t n, size_t off) {
    if (n != 3 + 6 * WSQ_SUBBANDS) {
        return core_fail(s->ctx, MID_ERR_FORMAT,
                         "wsq: DQT at offset %zu: length %zu, the table has %d", off, n + 2,
                         5 + 6 * WSQ_SUBBANDS);
    }
    s->bin_center = wsq_unscale(p[0], be16(p + 1));
    const uint8_t *c = p + 3;
    for (int k = 0; k < WSQ_SUBBANDS; k++, c += 6) {
        s->q[k] = wsq_unscale(c[0], be16(c + 1));
        s->z[k] = wsq_unscale(c[3], be16(c + 4));
    }
    s->have_dqt = true;
    return MID_OK;
}

static mid_status parse_dht(dec *s, const uint8_t *p, size_t n, size_t off) {
    size_t i = 0;
    if (n == 0) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: DHT at offset %zu: empty segment", off);
    }
    while (i < n) {
        if (n - i < 17) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: DHT at offset %zu: table header truncated at byte %zu", off,
                             off + 4 + i);
        }
        unsigned id = p[i];
        if (id >= WSQ_MAX_TABLES) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: DHT at offset %zu: table id %u (at most %d tables)", off, id,
                             WSQ_MAX_TABLES);
        }
        huff *t = &s->ht[id];
        memset(t, 0, sizeof(*t));
        size_t total = 0;
        for (int l = 1; l <= 16; l++) {
            t->count[l] = p[i + (size_t)l];
            total += t->count[l];
        }
        i += 17;
        if (total == 0 || total > 256) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: DHT at offset %zu: table %u declares %zu codes (1..256)", off,
                             id, total);
        }
        if (n - i < total) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: DHT at offset %zu: table %u needs %zu values, %zu bytes left",
                             off, id, total, n - i);
        }
        memcpy(t->val, p + i, total);
        i += total;
        /* Canonical codes, shortest first (as JPEG, ISO/IEC 10918-1 Annex C). */
        int32_t code = 0, k = 0;
        for (int l = 1; l <= 16; l++) {
            t->valptr[l] = k;
            t->mincode[l] = code;
            code += t->count[l];
            k += t->count[l];
            t->maxcode[l] = t->count[l] ? code - 1 : -1;
            if (code > (1 << l)) {
                return core_fail(s->ctx, MID_ERR_FORMAT,
                                 "wsq: DHT at offset %zu: table %u has more %d-bit codes than "
                                 "fit",
                                 off, id, l);
            }
            if (l <= FAST_BITS) {
                for (int32_t cd = t->mincode[l]; cd <= t->maxcode[l]; cd++) {
                    uint8_t sym = t->val[t->valptr[l] + cd - t->mincode[l]];
                    uint32_t first = (uint32_t)cd << (FAST_BITS - l);
                    for (uint32_t f = 0; f < (1u << (FAST_BITS - l)); f++) {
                        t->fast[first + f] = (uint16_t)((l << 8) | sym);
                    }
                }
            }
            code <<= 1;
        }
        t->defined = true;
    }
    return MID_OK;
}

static void parse_com(dec *s, const uint8_t *p, size_t n) {
    /* NISTCOM: "NIST_COM <count>\n" then "NAME VALUE\n" lines; PPI is the resolution. */
    static const char tag[] = "NIST_COM";
    if (n < sizeof(tag) - 1 || memcmp(p, tag, sizeof(tag) - 1) != 0) {
        return;
    }
    size_t i = 0;
    while (i < n) {
        size_t e = i;
        while (e < n && p[e] != '\n' && p[e] != '\r') {
            e++;
        }
        if (e - i > 4 && e - i < 32 && memcmp(p + i, "PPI ", 4) == 0) {
            char buf[32];
            memcpy(buf, p + i + 4, e - i - 4);
            buf[e - i - 4] = '\0';
            char *end;
            long v = strtol(buf, &end, 10);
            s->ppi = (end != buf && v > 0 && v <= 100000) ? (double)v : 0.0;
        }
        i = e + 1;
    }
}

/* ---- entropy-coded data ---- */

typedef struct bitreader {
    const uint8_t *p, *end;
    uint64_t acc; /* valid bits are the most significant */
    int nbits;
    size_t pad; /* bytes of 1-bits supplied past the end */
} bitreader;

static inline void br_fill(bitreader *b) {
    while (b->nbits <= 56) {
        uint64_t byte;
        if (b->p < b->end) {
            byte = *b->p++;
        } else {
            byte = 0xFF;
            b->pad++;
        }
        b->acc |= byte << (56 - b->nbits);
        b->nbits += 8;
    }
}

static inline uint32_t br_get(bitreader *b, int n) {
    br_fill(b);
    uint32_t v = (uint32_t)(b->acc >> (64 - n));
    b->acc <<= n;
    b->nbits -= n;
    return v;
}

static inline int br_symbol(bitreader *b, const huff *t) {
    br_fill(b);
    uint16_t e = t->fast[b->acc >> (64 - FAST_BITS)];
    if (e != 0) {
        int l = e >> 8;
        b->acc <<= l;
        b->nbits -= l;
        return e & 0xFF;
    }
    for (int l = FAST_BITS + 1; l <= 16; l++) {
        int32_t code = (int32_t)(b->acc >> (64 - l));
        if (t->maxcode[l] >= 0 && code <= t->maxcode[l] && code >= t->mincode[l]) {
            b->acc <<= l;
            b->nbits -= l;
            return t->val[t->valptr[l] + code - t->mincode[l]];
        }
    }
    return -1;
}

/* Walks the coded subbands (those with a non-zero bin width) in coefficient order.
 * The blocks are consecutive pieces of one symbol stream: each SOB continues where
 * the previous block's data ended (the spec's encoder splits at subbands 19 and 52,
 * other encoders elsewhere), and a zero run may cross subband and block ends. */
static void cur_settle(cursor *k) {
    while (k->band < k->last &&
           (k->s->q[k->band] <= 0.0 || k->s->lay.band[k->band].w == 0 ||
            k->s->lay.band[k->band].h == 0 || k->r >= k->s->lay.band[k->band].h)) {
        k->band++;
        k->r = 0;
        k->c = 0;
    }
}

static void cur_skip(cursor *k, size_t run) {
    while (run > 0 && k->band < k->last) {
        const wsq_rect *b = &k->s->lay.band[k->band];
        size_t left = b->w - k->c;
        if (run < left) {
            k->c += (uint32_t)run;
            return;
        }
        run -= left;
        k->c = 0;
        k->r++;
        cur_settle(k);
    }
}

static size_t coded_coefficients(const dec *s) {
    size_t n = 0;
    for (int k = 0; k < WSQ_SUBBANDS; k++) {
        if (s->q[k] > 0.0) {
            n += (size_t)s->lay.band[k].w * s->lay.band[k].h;
        }
    }
    return n;
}

/* True when the table has a code of at most maxlen bits that is all 1-bits
 * (canonical tables built as in the spec's Annex never do). */
static bool has_ones_code(const huff *t, unsigned maxlen) {
    for (unsigned l = 1; l <= maxlen; l++) {
        if (t->count[l] != 0 && t->maxcode[l] == (int32_t)((1u << l) - 1u)) {
            return true;
        }
    }
    return false;
}

/* Decodes the entropy-coded data of block blk starting at *pos (just past the SOB
 * header) up to the next marker, continuing the stream at cursor k (*done of total
 * coefficients so far), and leaves *pos at that marker. unstuffed is scratch of >= len
 * bytes. */
static mid_status decode_block(dec *s, int blk, const huff *t, size_t *pos, uint8_t *unstuffed,
                               size_t sob_off, cursor *kp, size_t *done_io, size_t total) {
    size_t i = *pos, n = 0;
    while (i < s->len) {
        if (s->d[i] != 0xFF) {
            unstuffed[n++] = s->d[i++];
            continue;
        }
        if (i + 1 >= s->len) {
            break; /* a lone 0xFF at the end: truncated, reported below */
        }
        if (s->d[i + 1] == 0x00) {
            unstuffed[n++] = 0xFF;
            i += 2;
            continue;
        }
        if (s->d[i + 1] >= 0xB0 && s->d[i + 1] <= 0xB7) {
            return core_fail(s->ctx, MID_ERR_UNSUPPORTED,
                             "wsq: SOB at offset %zu: restart marker at offset %zu is not "
                             "supported",
                             sob_off, i);
        }
        break;
    }
    *pos = i;
    bitreader b = {unstuffed, unstuffed + n, 0, 0, 0};
    size_t done = *done_io;
    cursor k = *kp;
    const float cc = (float)s->bin_center;
    for (;;) {
        /* Once every coded coefficient has its value, nothing else can follow:
         * what is left of the block is padding. Some encoders pad with zero
         * bits, or a whole byte, instead of the spec's under-a-byte of ones. */
        if (done >= total) {
            break;
        }
        /* The block ends where only its 1-padding is left: under a byte per the
         * spec, or one whole byte of ones (0xFF, stuffed FF 00) after data that
         * ended on a byte boundary, as the producer of MITRE's sample.eft writes
         * between blocks. A whole byte counts as padding only when no code of the
         * table is made of eight or fewer 1-bits, so no codeword is lost to it. */
        size_t used = ((size_t)(b.p - unstuffed) + b.pad) * 8 - (size_t)b.nbits;
        if (used >= n * 8) {
            break;
        }
        size_t left = n * 8 - used;
        if (left < 8 || (left == 8 && !has_ones_code(t, 8))) {
            br_fill(&b);
            uint32_t rest = (uint32_t)(b.acc >> (64 - left));
            if (rest == (1u << left) - 1u) {
                break;
            }
        }
        int sym = br_symbol(&b, t);
        size_t run = 0;
        int32_t v = 0;
        if (sym < 0) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: SOB at offset %zu: invalid Huffman code after %zu of %zu "
                             "coefficients (block %d)",
                             sob_off, done, total, blk + 1);
        }
        if (sym >= 1 && sym <= WSQ_MAX_RUN_SYM) {
            run = (size_t)sym;
        } else if (sym == WSQ_SYM_RUN8) {
            run = br_get(&b, 8);
        } else if (sym == WSQ_SYM_RUN16) {
            run = br_get(&b, 16);
        } else if (sym == WSQ_SYM_POS8) {
            v = (int32_t)br_get(&b, 8);
        } else if (sym == WSQ_SYM_NEG8) {
            v = -(int32_t)br_get(&b, 8);
        } else if (sym == WSQ_SYM_POS16) {
            v = (int32_t)br_get(&b, 16);
        } else if (sym == WSQ_SYM_NEG16) {
            v = -(int32_t)br_get(&b, 16);
        } else if (sym > WSQ_SYM_RUN16) {
            v = sym - WSQ_COEF_BIAS;
        } else {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: SOB at offset %zu: Huffman symbol 0 is not a category "
                             "(block %d)",
                             sob_off, blk + 1);
        }
        if (sym <= WSQ_MAX_RUN_SYM || sym == WSQ_SYM_RUN8 || sym == WSQ_SYM_RUN16) {
            if (run > total - done) {
                return core_fail(s->ctx, MID_ERR_FORMAT,
                                 "wsq: SOB at offset %zu: zero run of %zu overflows the image "
                                 "(block %d, %zu coefficients left)",
                                 sob_off, run, blk + 1, total - done);
            }
            done += run;
            cur_skip(&k, run);
            continue;
        }
        if (done >= total) {
            return core_fail(s->ctx, MID_ERR_FORMAT,
                             "wsq: SOB at offset %zu: more coefficients than the %zu coded "
                             "(block %d)",
                             sob_off, total, blk + 1);
        }
        /* Dequantisation (spec A.4): bin centre C, bin width Q, zero bin Z. */
        const wsq_rect *rb = &s->lay.band[k.band];
        float q = (float)s->q[k.band], hz = (float)(s->z[k.band] / 2.0);
        float a = v > 0 ? ((float)v - cc) * q + hz : v < 0 ? ((float)v + cc) * q - hz : 0.0f;
        s->img[(size_t)(rb->y + k.r) * s->w + rb->x + k.c] = a;
        done++;
        cur_skip(&k, 1);
    }
    /* Bits read past the data mean that it ended inside a code. */
    size_t used_bits = ((size_t)(b.p - unstuffed) + b.pad) * 8 - (size_t)b.nbits;
    if (used_bits > n * 8) {
        return core_fail(s->ctx, MID_ERR_FORMAT,
                         "wsq: SOB at offset %zu: entropy-coded data truncated inside a code "
                         "(block %d, after %zu of %zu coefficients)",
                         sob_off, blk + 1, done, total);
    }
    *kp = k;
    *done_io = done;
    return MID_OK;
}

static mid_status run_decoder(dec *s, uint8_t **pixels) {
    if (s->len < 2 || s->d[0] != 0xFF || s->d[1] != WSQ_SOI) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: no SOI marker (0xFFA0) at offset 0");
    }
    uint8_t *unstuffed = NULL;
    size_t pos = 2, done = 0, total = 0;
    cursor k = {s, 0, WSQ_SUBBANDS, 0, 0};
    mid_status st = MID_OK;
    bool eoi = false;
    while (!eoi) {
        if (s->len - pos < 2) {
            st = core_fail(s->ctx, MID_ERR_FORMAT,
                           "wsq: file ends at offset %zu before the EOI marker", s->len);
            break;
        }
        size_t off = pos;
        if (s->d[pos] != 0xFF) {
            st = core_fail(s->ctx, MID_ERR_FORMAT,
                           "wsq: expected a marker at offset %zu, found byte 0x%02X", off,
                           s->d[pos]);
            break;
        }
        unsigned m = s->d[pos + 1];
        pos += 2;
        if (m == WSQ_EOI) {
            eoi = true;
            break;
        }
        if (m < WSQ_SOF || m > WSQ_COM) {
            st = core_fail(s->ctx, MID_ERR_FORMAT, "wsq: unexpected marker 0xFF%02X at offset %zu",
                           m, off);
            break;
        }
        if (s->len - pos < 2) {
            st = core_fail(s->ctx, MID_ERR_FORMAT,
                           "wsq: %s at offset %zu: segment length truncated", marker_name(m), off);
            break;
        }
        size_t seglen = be16(s->d + pos);
        if (seglen < 2 || seglen > s->len - pos) {
            st = core_fail(s->ctx, MID_ERR_FORMAT,
                           "wsq: %s at offset %zu: segment length %zu, %zu bytes left",
                           marker_name(m), off, seglen, s->len - pos);
            break;
        }
        const uint8_t *p = s->d + pos + 2;
        size_t n = seglen - 2;
        pos += seglen;
        switch (m) {
        case WSQ_SOF:
            st = parse_sof(s, p, n, off);
            if (st == MID_OK) {
                wsq_layout_build(s->w, s->h, &s->lay);
                s->img = core_calloc((size_t)s->w * s->h, sizeof(float));
                if (s->img == NULL) {
                    st = core_fail(s->ctx, MID_ERR_NOMEM, "wsq: out of memory for %ux%u",
                                   (unsigned)s->w, (unsigned)s->h);
                }
            }
            break;
        case WSQ_DTT:
            st = parse_dtt(s, p, n, off);
            break;
        case WSQ_DQT:
            if (s->blocks > 0) {
                st = core_fail(s->ctx, MID_ERR_FORMAT,
                               "wsq: DQT at offset %zu: quantisation table after the first block",
                               off);
                break;
            }
            st = parse_dqt(s, p, n, off);
            break;
        case WSQ_DHT:
            st = parse_dht(s, p, n, off);
            break;
        case WSQ_COM:
            parse_com(s, p, n);
            break;
        case WSQ_DRT:
            if (n != 2) {
                st = core_fail(s->ctx, MID_ERR_FORMAT, "wsq: DRT at offset %zu: length %zu", off,
                               seglen);
            }
            break;
        case WSQ_SOB: {
            if (n != 1) {
                st = core_fail(s->ctx, MID_ERR_FORMAT,
                               "wsq: SOB at offset %zu: length %zu, the block header has 3", off,
                               seglen);
                break;
            }
            if (!s->have_sof || !s->have_dqt) {
                st =
                    core_fail(s->ctx, MID_ERR_FORMAT, "wsq: SOB at offset %zu: block before the %s",
                              off, s->have_sof ? "DQT table" : "SOF frame header");
                break;
            }
            if (s->blocks >= WSQ_BLOCKS) {
                st = core_fail(s->ctx, MID_ERR_FORMAT,
                               "wsq: SOB at offset %zu: more than %d blocks", off, WSQ_BLOCKS);
                break;
            }
            unsigned td = p[0];
            if (td >= WSQ_MAX_TABLES || !s->ht[td].defined) {
                st = core_fail(s->ctx, MID_ERR_FORMAT,
                               "wsq: SOB at offset %zu: Huffman table %u is not defined", off, td);
                break;
            }
            if (s->blocks == 0) {
                /* The set of coded subbands is fixed by the DQT in force at the first block. */
                total = coded_coefficients(s);
                cur_settle(&k);
            }
            if (s->blocks > 0 && k.band < wsq_block_first[s->blocks]) {
                /* The previous block stopped short of the spec's block boundary: its
                 * encoder left out the final zero run. Resume at the boundary. */
                size_t skipped = 0;
                cursor j = k;
                while (j.band < wsq_block_first[s->blocks]) {
                    const wsq_rect *rb = &s->lay.band[j.band];
                    skipped += (size_t)(rb->h - j.r) * rb->w - j.c;
                    j.band++;
                    j.r = 0;
                    j.c = 0;
                    cur_settle(&j);
                }
                k = j;
                done += skipped;
            }
            if (unstuffed == NULL) {
                unstuffed = malloc(s->len);
                if (unstuffed == NULL) {
                    st = core_fail(s->ctx, MID_ERR_NOMEM, "wsq: out of memory");
                    break;
                }
            }
            st = decode_block(s, s->blocks, &s->ht[td], &pos, unstuffed, off, &k, &done, total);
            s->blocks++;
            break;
        }
        default:
            break;
        }
        if (st != MID_OK) {
            break;
        }
    }
    free(unstuffed);
    if (st != MID_OK) {
        return st;
    }
    if (!s->have_sof) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: EOI without a SOF frame header");
    }
    if (!s->have_dtt) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: no DTT transform table before EOI");
    }
    /* Coefficients after the last block's data are zero: some encoders leave out the
     * final zero run. A file with coded subbands needs at least one block. */
    if (!s->have_dqt) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: no DQT quantisation table before EOI");
    }
    if (s->blocks == 0 && coded_coefficients(s) > 0) {
        return core_fail(s->ctx, MID_ERR_FORMAT, "wsq: EOI before any block (SOB)");
    }
    float *scratch = core_mallocn(wsq_dwt_scratch_floats(s->w, s->h), sizeof(float));
    uint8_t *px = core_mallocn(s->w, s->h);
    if (scratch == NULL || px == NULL) {
        free(scratch);
        free(px);
        return core_fail(s->ctx, MID_ERR_NOMEM, "wsq: out of memory for %ux%u", (unsigned)s->w,
                         (unsigned)s->h);
    }
    wsq_inverse(s->img, s->w, &s->lay, &s->f, scratch);
    free(scratch);
    /* Pixel = coefficient * R + M (spec A.2), rounded and clamped; NaN gives 0. */
    const float r = (float)s->r_scale, m = (float)s->m_shift + 0.5f;
    size_t np = (size_t)s->w * s->h;
    for (size_t i = 0; i < np; i++) {
        float v = s->img[i] * r + m;
        px[i] = v >= 255.0f ? 255 : v >= 0.0f ? (uint8_t)v : 0;
    }
    *pixels = px;
    return MID_OK;
}

mid_status wsq_decode(mid_ctx *ctx, const uint8_t *data, size_t len, uint32_t *width,
                      uint32_t *height, double *ppi, uint8_t **pixels) {
    if (data == NULL || width == NULL || height == NULL || ppi == NULL || pixels == NULL) {
        return core_fail(ctx, MID_ERR_ARG, "wsq_decode: NULL argument");
    }
    *pixels = NULL;
    dec *s = calloc(1, sizeof(*s));
    if (s == NULL) {
        return core_fail(ctx, MID_ERR_NOMEM, "wsq: out of memory");
    }
    s->ctx = ctx;
    s->d = data;
    s->len = len;
    mid_status st = run_decoder(s, pixels);
    if (st == MID_OK) {
        *width = s->w;
        *height = s->h;
        *ppi = s->ppi;
    }
    if (s->img != NULL) {
        core_wipe(s->img, (size_t)s->w * s->h * sizeof(float));
        free(s->img);
    }
    free(s);
    return st;
}
