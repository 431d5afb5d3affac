// Checks frugal_q8_0_matvec (native/cpu/frugal-matvec.h) against a scalar model of llama.cpp's AVX2 Q8_0 dot product —
// the same integer sums, the same fused multiply-adds in eight lanes, the same order of the final sum — so every
// result must be equal bit for bit, for any number of rows (multiples of four or not), row lengths and row ranges (how
// threads split a matrix). Built and run by Frugal.Cli.Tests (NativeKernelTests): cc -O2 -mavx2 -mfma -mf16c
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

int main(void) {
    const int row_counts[] = {1, 2, 3, 4, 5, 7, 8, 13, 64, 67, 256};
    const int block_counts[] = {1, 2, 3, 64, 176, FRUGAL_Q8_0_MAX_BLOCKS, FRUGAL_Q8_0_MAX_BLOCKS + 1};
    int cases = 0;
    for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
        for (size_t ri = 0; ri < sizeof row_counts / sizeof *row_counts; ++ri) {
            const int blocks = block_counts[bi], rows = row_counts[ri];
            const size_t row_bytes = (size_t) blocks * sizeof(frugal_q8_0_block);
            frugal_q8_0_block * w = malloc((size_t) rows * row_bytes);
            frugal_q8_0_block * y = malloc(row_bytes);
            float * out = malloc((size_t) rows * sizeof(float));
            fill(w, (size_t) rows * blocks, -128);
            fill(y, (size_t) blocks, -127);
            for (int threads = 1; threads <= 3; ++threads) {
                memset(out, 0xff, (size_t) rows * sizeof(float));
                for (int t = 0; t < threads; ++t) {
                    frugal_q8_0_matvec(blocks, w, row_bytes, y, out, (int64_t) rows * t / threads, (int64_t) rows * (t + 1) / threads);
                }
                for (int r = 0; r < rows; ++r) {
                    const float want = model_row(blocks, (const frugal_q8_0_block *) ((const char *) w + r * row_bytes), y);
                    if (memcmp(&want, &out[r], sizeof want) != 0) {
                        printf("differs: %d blocks, %d rows, %d threads, row %d: %.9g, want %.9g\n", blocks, rows, threads, r, out[r], want);
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
