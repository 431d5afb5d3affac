// Checks frugal_q8_0_matvec (native/cpu/frugal-matvec.h) against a scalar model of llama.cpp's AVX2 Q8_0 dot product —
// the same integer sums, the same fused multiply-adds in eight lanes, the same order of the final sum — so every
// result must be equal bit for bit, for any number of rows (multiples of four or not), row lengths and row ranges (how
// threads split a matrix), with llama.cpp's sign order (weights of every byte) and with the column's signs taken once
// (weights without a -128 byte, as frugal-hook.c passes them); and frugal_q8_0_holds_min finds a single -128 byte
// anywhere in a matrix and none in the bytes between rows. Built and run by Frugal.Cli.Tests (NativeKernelTests): cc -O2 -mavx2 -mfma -mf16c
// -ffp-contract=off. Prints "ok CASES" and exits 0, else prints the first difference and exits 1.
#include "../frugal-matvec.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_MATVEC_Q8_0)
#error "compile with -mavx2 -mfma -mf16c"
#endif

static uint32_t state = 12345;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }

static float model_row(int blocks, const frugal_q8_0_block * x, const frugal_q8_0_block * y) {
    float acc[8] = {0};
    for (int i = 0; i < blocks; ++i) {
        const float d = _cvtsh_ss(x[i].d) * _cvtsh_ss(y[i].d);
        for (int lane = 0; lane < 8; ++lane) {
            int sum = 0;
            for (int k = 4 * lane; k < 4 * lane + 4; ++k) {
                sum += x[i].qs[k] * y[i].qs[k];
            }
            acc[lane] = fmaf(d, (float) sum, acc[lane]);
        }
    }
    const float r0 = acc[4] + acc[0], r1 = acc[5] + acc[1], r2 = acc[6] + acc[2], r3 = acc[7] + acc[3];
    return (r0 + r2) + (r1 + r3);
}

// Weights take every byte, -128 included (llama.cpp's quantizer writes -127..127, but a file may hold anything);
// activations -127..127, as ggml quantizes them.
static void fill(frugal_q8_0_block * b, size_t count, int lowest) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = _cvtss_sh((float) (next() % 2000 + 1) * 1e-5f, 0);
        for (int k = 0; k < 32; ++k) {
            b[i].qs[k] = (int8_t) ((int) (next() % (unsigned) (128 - lowest)) + lowest);
        }
    }
}

// A matrix of `rows` rows of `blocks` blocks, row_bytes apart (the rest of each row filled with -128 bytes, which are not
// the matrix's), with every byte -127..127 but one -128 at block `at_block`, byte `at_byte` of row `at_row` (none if
// at_row < 0): holds_min must say whether that byte is there.
static int check_holds_min(int blocks, int rows, int at_row, int at_block, int at_byte) {
    const size_t row_bytes = (size_t) blocks * sizeof(frugal_q8_0_block) + 40;
    char * m = malloc((size_t) rows * row_bytes);
    memset(m, -128, (size_t) rows * row_bytes);
    for (int r = 0; r < rows; ++r) {
        fill((frugal_q8_0_block *) (m + r * row_bytes), (size_t) blocks, -127);
    }
    if (at_row >= 0) {
        ((frugal_q8_0_block *) (m + at_row * row_bytes))[at_block].qs[at_byte] = -128;
    }
    const bool found = frugal_q8_0_holds_min(blocks, m, row_bytes, rows);
    free(m);
    if (found != (at_row >= 0)) {
        printf("holds_min: %d blocks, %d rows, -128 at row %d block %d byte %d: %s\n", blocks, rows, at_row, at_block, at_byte, found ? "found" : "missed");
        return 0;
    }
    return 1;
}

int main(void) {
    int cases = 0;
    const int min_cases[][5] = {{1, 1, -1, 0, 0}, {3, 7, -1, 0, 0}, {1, 1, 0, 0, 0}, {1, 1, 0, 0, 31}, {3, 7, 6, 2, 31}, {64, 13, 5, 17, 9}, {176, 4, 0, 0, 0}};
    for (size_t i = 0; i < sizeof min_cases / sizeof *min_cases; ++i) {
        if (!check_holds_min(min_cases[i][0], min_cases[i][1], min_cases[i][2], min_cases[i][3], min_cases[i][4])) {
            return 1;
        }
        ++cases;
    }
    const int row_counts[] = {1, 2, 3, 4, 5, 7, 8, 13, 64, 67, 256};
    const int block_counts[] = {1, 2, 3, 64, 176, FRUGAL_Q8_0_MAX_BLOCKS, FRUGAL_Q8_0_MAX_BLOCKS + 1};
    for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
        for (size_t ri = 0; ri < sizeof row_counts / sizeof *row_counts; ++ri) {
            const int blocks = block_counts[bi], rows = row_counts[ri];
            const size_t row_bytes = (size_t) blocks * sizeof(frugal_q8_0_block);
            frugal_q8_0_block * w = malloc((size_t) rows * row_bytes);
            frugal_q8_0_block * y = malloc(row_bytes);
            float * out = malloc((size_t) rows * sizeof(float));
            fill(y, (size_t) blocks, -127);
            for (int threads = 1; threads <= 4; ++threads) {
                // 1-3 threads: every byte, llama.cpp's sign order; 4: the same split as 2, weights without -128.
                const bool without_min = threads == 4;
                fill(w, (size_t) rows * blocks, without_min ? -127 : -128);
                memset(out, 0xff, (size_t) rows * sizeof(float));
                const int parts = without_min ? 2 : threads;
                for (int t = 0; t < parts; ++t) {
                    frugal_q8_0_matvec(blocks, w, row_bytes, y, without_min, out, (int64_t) rows * t / parts, (int64_t) rows * (t + 1) / parts);
                }
                for (int r = 0; r < rows; ++r) {
                    const float want = model_row(blocks, (const frugal_q8_0_block *) ((const char *) w + r * row_bytes), y);
                    if (memcmp(&want, &out[r], sizeof want) != 0) {
                        printf("differs: %d blocks, %d rows, %d threads%s, row %d: %.9g, want %.9g\n", blocks, rows, parts, without_min ? " (without -128)" : "", r, out[r], want);
                        return 1;
                    }
                }
                ++cases;
            }
            free(w);
            free(y);
            free(out);
        }
    }
    printf("ok %d\n", cases);
    return 0;
}
