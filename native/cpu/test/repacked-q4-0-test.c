// Checks frugal_q4_0x8_matvec, frugal_q4_0x8_matvec_columns and frugal_q4_0x8_matmul (native/cpu/frugal-repacked-q4-0.h): Q4_0 rows repacked eight
// at a time the way llama.cpp repacks them at load (block_q4_0x8, written here from that layout: the eight rows' scales,
// their quants interleaved eight bytes at a time, each nibble XORed with 8) times Q8_0 activations — one column, and
// two or three plain columns at once, and columns four at a time in llama.cpp's interleaved layout (block_q8_0x4) — against a scalar model of the kernel's
// arithmetic: per row and column the exact integer sum of each block's 32 products (q - 8) * y, then
// acc = fma(d(x) * d(y), float(sum), acc) block after block. Every result must be equal bit for bit, for row groups of 1
// to 33 (the four streams and the groups left over) and 1 to 70 blocks a row, and each of a prompt's columns equal to
// that column alone; one case sets every nibble and activation to its extreme. Tiles of 2 KiB here
// (FRUGAL_Q4_0X8_TILE_BYTES), so a matrix takes several. Built and run by Frugal.Cli.Tests (FrugalCpuKernelTests)
// twice: cc -O2 -mavx2 -mfma -mf16c -ffp-contract=off (16-bit pairs) and, on a CPU with AVX-512 VNNI, with -mavx512f
// -mavx512vl -mavx512vnni (vpdpbusd). Prints "ok CASES" and exits 0, else prints the first difference and exits 1.
#define FRUGAL_Q4_0X8_TILE_BYTES 2048
#include "../frugal-repacked-q4-0.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_REPACKED_Q4_0)
#error "compile with -mavx2 -mfma -mf16c"
#endif

static uint32_t state = 97531;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }

// ggml's block_q4_0: a scale, then 16 bytes (low nibbles weights 0-15, high nibbles 16-31).
typedef struct {
    uint16_t d;
    uint8_t qs[16];
} q4_0_block;

static uint16_t random_scale(void) {
    const float scale = (float) (next() % 2000 + 1) * 1e-5f;
    return _cvtss_sh(next() % 4 == 0 ? -scale : scale, 0);
}

// llama.cpp's make_block_q4_0x8 (interleave 8).
static void repack(const q4_0_block * const in[8], frugal_q4_0x8_block * out) {
    for (int r = 0; r < 8; ++r) {
        out->d[r] = in[r]->d;
    }
    for (int i = 0; i < 16; ++i) {
        for (int k = 0; k < 8; ++k) {
            out->qs[8 * i + k] = in[i % 8]->qs[8 * (i / 8) + k] ^ 0x88;
        }
    }
}

static float model(int blocks, const q4_0_block * x, const frugal_q8_0_block * y) {
    float acc = 0.0f;
    for (int b = 0; b < blocks; ++b) {
        int sum = 0;
        for (int i = 0; i < 16; ++i) {
            sum += ((x[b].qs[i] & 15) - 8) * y[b].qs[i] + ((x[b].qs[i] >> 4) - 8) * y[b].qs[i + 16];
        }
        acc = fmaf(_cvtsh_ss(x[b].d) * _cvtsh_ss(y[b].d), (float) sum, acc);
    }
    return acc;
}

static int same(float got, float want, const char * what, int blocks, int groups, int row, int column) {
    if (memcmp(&got, &want, sizeof got) != 0) {
        printf("differs (%s): %d blocks, %d groups, row %d, column %d: %.9g, want %.9g\n", what, blocks, groups, row, column, got, want);
        return 0;
    }
    return 1;
}

// `groups` groups of eight rows of `blocks` blocks times one column and times 4 * column_groups columns; extreme: every
// nibble 0 or 15 and every activation 127 or -128.
static int check(int blocks, int groups, int column_groups, int extreme) {
    const int rows = 8 * groups, columns = 4 * column_groups;
    q4_0_block * x = malloc((size_t) rows * blocks * sizeof *x);
    frugal_q8_0_block * y = malloc((size_t) columns * blocks * sizeof *y);
    frugal_q4_0x8_block * packed = malloc((size_t) groups * blocks * sizeof *packed);
    frugal_q8_0x4_block * y4 = malloc((size_t) column_groups * blocks * sizeof *y4);
    float * out = malloc((size_t) columns * rows * sizeof *out);
    for (int i = 0; i < rows * blocks; ++i) {
        x[i].d = random_scale();
        for (int k = 0; k < 16; ++k) {
            x[i].qs[k] = (uint8_t) (extreme ? (next() % 2 ? 0xff : 0x00) : next() % 256);
        }
    }
    for (int i = 0; i < columns * blocks; ++i) {
        y[i].d = random_scale();
        for (int k = 0; k < 32; ++k) {
            y[i].qs[k] = (int8_t) (extreme ? (next() % 2 ? 127 : -128) : (int) (next() % 256) - 128);
        }
    }
    for (int g = 0; g < groups; ++g) {
        for (int b = 0; b < blocks; ++b) {
            const q4_0_block * in[8];
            for (int r = 0; r < 8; ++r) {
                in[r] = &x[(8 * g + r) * blocks + b];
            }
            repack(in, &packed[g * blocks + b]);
        }
    }
    for (int cg = 0; cg < column_groups; ++cg) {
        for (int b = 0; b < blocks; ++b) {
            frugal_q8_0x4_block * const o = &y4[cg * blocks + b];
            for (int c = 0; c < 4; ++c) {
                const frugal_q8_0_block * const in = &y[(4 * cg + c) * blocks + b];
                o->d[c] = in->d;
                for (int t = 0; t < 4; ++t) {
                    memcpy(o->qs + 32 * t + 8 * c, in->qs + 8 * t, 8);
                }
            }
        }
    }
    int ok = 1;
    // One column at a time (the first two columns).
    for (int c = 0; c < 2 && ok; ++c) {
        frugal_q4_0x8_matvec(blocks, packed, groups, y + c * blocks, out);
        for (int r = 0; r < rows && ok; ++r) {
            ok = same(out[r], model(blocks, x + r * blocks, y + c * blocks), "one column", blocks, groups, r, c);
        }
    }
    // Two and three columns at once (a decode step of several sequences), each equal to that column alone.
    for (int n = 2; n <= 3 && n <= columns && ok; ++n) {
        memset(out, 0xff, (size_t) columns * rows * sizeof *out);
        frugal_q4_0x8_matvec_columns(blocks, packed, groups, y, n, out, (size_t) rows);
        for (int c = 0; c < n && ok; ++c) {
            for (int r = 0; r < rows && ok; ++r) {
                ok = same(out[c * rows + r], model(blocks, x + r * blocks, y + c * blocks), "few columns", blocks, groups, r, c);
            }
        }
    }
    // A prompt's columns.
    memset(out, 0xff, (size_t) columns * rows * sizeof *out);
    frugal_q4_0x8_matmul(blocks, packed, groups, y4, column_groups, out, (size_t) rows);
    for (int c = 0; c < columns && ok; ++c) {
        for (int r = 0; r < rows && ok; ++r) {
            ok = same(out[c * rows + r], model(blocks, x + r * blocks, y + c * blocks), "columns", blocks, groups, r, c);
        }
    }
    free(x);
    free(y);
    free(packed);
    free(y4);
    free(out);
    return ok;
}

int main(void) {
    int cases = 0;
    const int group_counts[] = {1, 2, 3, 4, 5, 7, 8, 9, 16, 33};
    const int block_counts[] = {1, 2, 5, 64, 70};
    for (size_t gi = 0; gi < sizeof group_counts / sizeof *group_counts; ++gi) {
        for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
            if (!check(block_counts[bi], group_counts[gi], 1 + (int) ((gi + bi) % 3), 0)) {
                return 1;
            }
            ++cases;
        }
    }
    if (!check(64, 5, 2, 1)) {
        return 1;
    }
    ++cases;
    printf("ok %d\n", cases);
    return 0;
}
