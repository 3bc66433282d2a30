/*
 * DET plot: FNMR against FMR, both on log axes, drawn into a grey mid_image
 * (white background, decade grid, black curve, EER marked on the FMR = FNMR
 * diagonal) with Bresenham lines and a small built-in bitmap font.
 */
#include "cli.h"

#include <math.h>
#include <string.h>

static const double PI = 3.14159265358979323846;

enum { INK = 0, GRID = 200, MINOR = 232, DIAG = 150, PAPER = 255 };
enum { MARGIN_L = 64, MARGIN_R = 20, MARGIN_T = 34, MARGIN_B = 48, FONT_SCALE = 2 };

typedef struct canvas {
    uint8_t *px;
    int w, h;
} canvas;

typedef struct axes {
    int x0, x1, y0, y1;  /* plot area: x0 left, x1 right, y0 top, y1 bottom */
    double lx_lo, ly_lo; /* log10 of the lowest FMR and FNMR shown; both end at 1 */
} axes;

static void put(canvas *c, int x, int y, uint8_t v) {
    if (x >= 0 && y >= 0 && x < c->w && y < c->h) {
        c->px[(size_t)y * (size_t)c->w + (size_t)x] = v;
    }
}

/* Bresenham's line; dash > 0 draws dash pixels on, dash pixels off. */
static void line(canvas *c, int xa, int ya, int xb, int yb, uint8_t v, int dash) {
    int dx = xb > xa ? xb - xa : xa - xb, sx = xa < xb ? 1 : -1;
    int dy = yb > ya ? ya - yb : yb - ya, sy = ya < yb ? 1 : -1;
    int err = dx + dy, step = 0;
    for (;;) {
        if (dash <= 0 || (step / dash) % 2 == 0) {
            put(c, xa, ya, v);
        }
        step++;
        if (xa == xb && ya == yb) {
            break;
        }
        int e2 = 2 * err;
        if (e2 >= dy) {
            err += dy;
            xa += sx;
        }
        if (e2 <= dx) {
            err += dx;
            ya += sy;
        }
    }
}

/* 3x5 glyphs, one row per entry, bit 2 = left column. */
typedef struct glyph {
    char ch;
    uint8_t rows[5];
} glyph;

static const glyph FONT[] = {
    {'0', {7, 5, 5, 5, 7}}, {'1', {2, 6, 2, 2, 7}}, {'2', {7, 1, 7, 4, 7}}, {'3', {7, 1, 7, 1, 7}},
    {'4', {5, 5, 7, 1, 1}}, {'5', {7, 4, 7, 1, 7}}, {'6', {7, 4, 7, 5, 7}}, {'7', {7, 1, 1, 1, 1}},
    {'8', {7, 5, 7, 5, 7}}, {'9', {7, 5, 7, 1, 7}}, {'.', {0, 0, 0, 0, 2}}, {'-', {0, 0, 7, 0, 0}},
    {'e', {0, 7, 7, 4, 7}}, {'%', {5, 1, 2, 4, 5}}, {'E', {7, 4, 7, 4, 7}}, {'R', {6, 5, 6, 5, 5}},
    {'F', {7, 4, 7, 4, 4}}, {'M', {5, 7, 7, 5, 5}}, {'N', {7, 5, 5, 5, 5}}, {'D', {6, 5, 5, 5, 6}},
    {'T', {7, 2, 2, 2, 2}}, {'=', {0, 7, 0, 7, 0}},
};

static const glyph *find_glyph(char ch) {
    for (size_t i = 0; i < sizeof(FONT) / sizeof(FONT[0]); i++) {
        if (FONT[i].ch == ch) {
            return &FONT[i];
        }
    }
    return NULL; /* drawn as a space */
}

/* Width in pixels of text drawn by text(). */
static int text_width(const char *s) {
    int n = (int)strlen(s);
    return n > 0 ? (4 * n - 1) * FONT_SCALE : 0;
}

static void text(canvas *c, int x, int y, const char *s) {
    for (; *s; s++, x += 4 * FONT_SCALE) {
        const glyph *g = find_glyph(*s);
        for (int row = 0; g != NULL && row < 5; row++) {
            for (int col = 0; col < 3; col++) {
                if (g->rows[row] & (4 >> col)) {
                    for (int k = 0; k < FONT_SCALE * FONT_SCALE; k++) {
                        put(c, x + col * FONT_SCALE + k % FONT_SCALE,
                            y + row * FONT_SCALE + k / FONT_SCALE, INK);
                    }
                }
            }
        }
    }
}

/* Lowest decade that still shows one error in n trials (1/n), within 1e-6..1e-1. */
static double low_decade(size_t n) {
    double d = floor(log10(1.0 / (double)(n > 0 ? n : 1)));
    return d < -6 ? -6 : (d > -1 ? -1 : d);
}

/* Rates below the axis (including 0) are drawn on its lowest line. */
static int map_x(const axes *a, double fmr) {
    double l = fmr > 0 ? log10(fmr) : a->lx_lo;
    l = l < a->lx_lo ? a->lx_lo : (l > 0 ? 0 : l);
    return a->x0 + (int)lround((l - a->lx_lo) / -a->lx_lo * (a->x1 - a->x0));
}

static int map_y(const axes *a, double fnmr) {
    double l = fnmr > 0 ? log10(fnmr) : a->ly_lo;
    l = l < a->ly_lo ? a->ly_lo : (l > 0 ? 0 : l);
    return a->y1 - (int)lround((l - a->ly_lo) / -a->ly_lo * (a->y1 - a->y0));
}

static void decade_label(char *buf, size_t size, int d) {
    if (d == 0) {
        snprintf(buf, size, "1");
    } else {
        snprintf(buf, size, "1e%d", d);
    }
}

static void draw_grid(canvas *c, const axes *a) {
    char label[16];
    for (int d = (int)a->lx_lo; d <= 0; d++) {
        for (int k = 2; k <= 9 && d < 0; k++) {
            int x = map_x(a, (double)k * pow(10.0, d));
            line(c, x, a->y0, x, a->y1, MINOR, 0);
        }
        int x = map_x(a, pow(10.0, d));
        line(c, x, a->y0, x, a->y1, GRID, 0);
        decade_label(label, sizeof(label), d);
        text(c, x - text_width(label) / 2, a->y1 + 8, label);
    }
    for (int d = (int)a->ly_lo; d <= 0; d++) {
        for (int k = 2; k <= 9 && d < 0; k++) {
            int y = map_y(a, (double)k * pow(10.0, d));
            line(c, a->x0, y, a->x1, y, MINOR, 0);
        }
        int y = map_y(a, pow(10.0, d));
        line(c, a->x0, y, a->x1, y, GRID, 0);
        decade_label(label, sizeof(label), d);
        text(c, a->x0 - 8 - text_width(label), y - 5 * FONT_SCALE / 2, label);
    }
    /* The FMR = FNMR diagonal, where the EER lies. */
    double lo = pow(10.0, a->lx_lo > a->ly_lo ? a->lx_lo : a->ly_lo);
    line(c, map_x(a, lo), map_y(a, lo), map_x(a, 1), map_y(a, 1), DIAG, 4);
    /* Frame. */
    line(c, a->x0, a->y0, a->x1, a->y0, INK, 0);
    line(c, a->x0, a->y1, a->x1, a->y1, INK, 0);
    line(c, a->x0, a->y0, a->x0, a->y1, INK, 0);
    line(c, a->x1, a->y0, a->x1, a->y1, INK, 0);
    text(c, (a->x0 + a->x1 - text_width("FMR")) / 2, a->y1 + 8 + 8 * FONT_SCALE, "FMR");
    text(c, 4, 6, "FNMR");
}

static void draw_curve(canvas *c, const axes *a, const mid_det_point *pts, size_t n) {
    /* Above every score the rates are FMR 0, FNMR 1: the curve's end point. */
    int px = map_x(a, 0), py = map_y(a, 1);
    for (size_t k = n; k-- > 0;) {
        int x = map_x(a, pts[k].fmr), y = map_y(a, pts[k].fnmr);
        line(c, px, py, x, y, INK, 0);
        line(c, px + 1, py, x + 1, y, INK, 0); /* two pixels wide */
        px = x;
        py = y;
    }
}

static void draw_eer(canvas *c, const axes *a, double eer) {
    int cx = map_x(a, eer), cy = map_y(a, eer);
    /* A ring of radius 6 around the EER point. */
    for (int k = 0; k < 64; k++) {
        double t = k * (2 * PI / 64);
        put(c, cx + (int)lround(6 * cos(t)), cy + (int)lround(6 * sin(t)), INK);
        put(c, cx + (int)lround(7 * cos(t)), cy + (int)lround(7 * sin(t)), INK);
    }
    char label[48];
    snprintf(label, sizeof(label), "DET   EER=%.2f%%", 100 * eer);
    text(c, a->x1 - text_width(label), 10, label);
}

mid_status cli_det_plot(mid_ctx *ctx, const mid_det_point *pts, size_t n, size_t n_genuine,
                        size_t n_impostor, double eer, uint32_t width, uint32_t height,
                        const char *path) {
    /* Every pixel write is bounds-checked, so any size is safe to draw into. */
    mid_image *img = NULL;
    mid_status st = mid_image_create(ctx, width, height, 0, &img);
    if (st != MID_OK) {
        return st;
    }
    canvas c = {mid_image_pixels(img), (int)width, (int)height};
    memset(c.px, PAPER, (size_t)width * height);
    axes a = {MARGIN_L,
              (int)width - MARGIN_R,
              MARGIN_T,
              (int)height - MARGIN_B,
              low_decade(n_impostor),
              low_decade(n_genuine)};
    draw_grid(&c, &a);
    draw_curve(&c, &a, pts, n);
    draw_eer(&c, &a, eer);
    st = mid_image_save_png(ctx, img, path);
    mid_image_free(img);
    return st;
}
