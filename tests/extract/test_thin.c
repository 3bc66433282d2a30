/* Tests for src/extract thinning and crossing number on hand-made bitmaps. */
#include "support/testutil.h"

#include "extract/ext_thin.h"

#include <stdlib.h>
#include <string.h>

#define W 48
#define H 40

static uint8_t g_img[W * H];
static int32_t g_scratch[W * H];

static void fill_rect(int x0, int y0, int x1, int y1) {
    for (int y = y0; y <= y1; y++) {
        for (int x = x0; x <= x1; x++) {
            g_img[y * W + x] = 1;
        }
    }
}

static int count_set(void) {
    int n = 0;
    for (int i = 0; i < W * H; i++) {
        n += g_img[i] != 0;
    }
    return n;
}

/* Number of 8-connected components of set pixels. */
static int components8(void) {
    static uint8_t seen[W * H];
    static int stack[W * H];
    memset(seen, 0, sizeof(seen));
    int comps = 0;
    for (int s = 0; s < W * H; s++) {
        if (!g_img[s] || seen[s]) {
            continue;
        }
        comps++;
        int top = 0;
        stack[top++] = s;
        seen[s] = 1;
        while (top) {
            int i = stack[--top];
            int x = i % W, y = i / W;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    int xx = x + dx, yy = y + dy;
                    if (xx < 0 || yy < 0 || xx >= W || yy >= H) {
                        continue;
                    }
                    int j = yy * W + xx;
                    if (g_img[j] && !seen[j]) {
                        seen[j] = 1;
                        stack[top++] = j;
                    }
                }
            }
        }
    }
    return comps;
}

/* One pixel wide: no 2x2 square of set pixels. */
static int has_2x2(void) {
    for (int y = 0; y + 1 < H; y++) {
        for (int x = 0; x + 1 < W; x++) {
            if (g_img[y * W + x] && g_img[y * W + x + 1] && g_img[(y + 1) * W + x] &&
                g_img[(y + 1) * W + x + 1]) {
                return 1;
            }
        }
    }
    return 0;
}

static void count_cn(int counts[5]) {
    memset(counts, 0, 5 * sizeof(int));
    for (int y = 1; y < H - 1; y++) {
        for (int x = 1; x < W - 1; x++) {
            if (g_img[y * W + x]) {
                int cn = ext_crossing_number(g_img, W, y * W + x);
                assert_true(cn >= 0 && cn <= 4);
                counts[cn]++;
            }
        }
    }
}

static void test_thick_bar_becomes_line(void **state) {
    (void)state;
    memset(g_img, 0, sizeof(g_img));
    fill_rect(5, 10, 40, 15); /* 36 x 6 */
    ext_thin(g_img, W, H, g_scratch);
    assert_false(has_2x2());
    assert_int_equal(components8(), 1);
    int cn[5];
    count_cn(cn);
    assert_int_equal(cn[1], 2); /* two ends */
    assert_int_equal(cn[3], 0);
    assert_true(count_set() >= 25);
    /* Stays inside the bar. */
    for (int i = 0; i < W * H; i++) {
        if (g_img[i]) {
            int x = i % W, y = i / W;
            assert_true(x >= 5 && x <= 40 && y >= 10 && y <= 15);
        }
    }
}

static void test_thick_t_has_one_bifurcation(void **state) {
    (void)state;
    memset(g_img, 0, sizeof(g_img));
    fill_rect(4, 5, 43, 9);   /* top bar */
    fill_rect(22, 5, 26, 34); /* stem */
    ext_thin(g_img, W, H, g_scratch);
    assert_false(has_2x2());
    assert_int_equal(components8(), 1);
    int cn[5];
    count_cn(cn);
    assert_int_equal(cn[1], 3);
    assert_int_equal(cn[3], 1);
}

static void test_ring_keeps_its_hole(void **state) {
    (void)state;
    memset(g_img, 0, sizeof(g_img));
    fill_rect(8, 6, 38, 32);
    /* punch a hole */
    for (int y = 13; y <= 25; y++) {
        for (int x = 15; x <= 31; x++) {
            g_img[y * W + x] = 0;
        }
    }
    ext_thin(g_img, W, H, g_scratch);
    assert_false(has_2x2());
    assert_int_equal(components8(), 1);
    int cn[5];
    count_cn(cn);
    assert_int_equal(cn[1], 0); /* a closed loop has no ends */
    assert_int_equal(cn[3], 0);
    assert_int_equal(g_img[19 * W + 23], 0);
    assert_true(count_set() > 40);
}

static void test_diagonal_and_frame(void **state) {
    (void)state;
    memset(g_img, 0, sizeof(g_img));
    /* A thick diagonal band, touching the image frame (which is cleared). */
    for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
            int d = x - y;
            if (d >= 0 && d <= 3) {
                g_img[y * W + x] = 1;
            }
        }
    }
    ext_thin(g_img, W, H, g_scratch);
    assert_false(has_2x2());
    assert_int_equal(components8(), 1);
    for (int x = 0; x < W; x++) {
        assert_int_equal(g_img[x], 0);
        assert_int_equal(g_img[(H - 1) * W + x], 0);
    }
    int cn[5];
    count_cn(cn);
    assert_int_equal(cn[1], 2);
    assert_int_equal(cn[3], 0);
    /* Minimal: no pixel of the line has 3 or more neighbours. */
    for (int y = 1; y < H - 1; y++) {
        for (int x = 1; x < W - 1; x++) {
            if (!g_img[y * W + x]) {
                continue;
            }
            int n = 0;
            for (int dy = -1; dy <= 1; dy++) {
                for (int dx = -1; dx <= 1; dx++) {
                    n += (dx || dy) && g_img[(y + dy) * W + x + dx];
                }
            }
            assert_true(n <= 2);
        }
    }
}

static void test_crossing_number_patterns(void **state) {
    (void)state;
    /* 3x3 patterns around the centre pixel, row-major; the centre is set. */
    static const struct {
        const char *p;
        int cn;
    } cases[] = {
        {"000"
         "010"
         "000",
         0},
        {"100"
         "010"
         "000",
         1},
        {"010"
         "010"
         "010",
         2},
        {"110"
         "010"
         "000",
         1}, /* two adjacent neighbours: still an end */
        {"101"
         "010"
         "010",
         3},
        {"010"
         "111"
         "010",
         4},
        {"101"
         "010"
         "101",
         4},
    };
    uint8_t img[5 * 5];
    for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
        memset(img, 0, sizeof(img));
        for (int k = 0; k < 9; k++) {
            img[(k / 3 + 1) * 5 + (k % 3) + 1] = cases[c].p[k] == '1';
        }
        assert_int_equal(ext_crossing_number(img, 5, 2 * 5 + 2), cases[c].cn);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_thick_bar_becomes_line),
        cmocka_unit_test(test_thick_t_has_one_bifurcation),
        cmocka_unit_test(test_ring_keeps_its_hole),
        cmocka_unit_test(test_diagonal_and_frame),
        cmocka_unit_test(test_crossing_number_patterns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
