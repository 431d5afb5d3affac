// Checks frugal_q8_0_matmul (native/cpu/frugal-matmul-q8-0.h): Q8_0 rows, interleaved sixteen at a time, times several
// columns of Q8_0 activations, against a scalar model of the kernel's arithmetic — per row and column the exact integer
// sum of each block's 32 products, then acc = fma(d(x) * d(y), float(sum), acc) block after block — every result equal
// bit for bit, for 1 to 9 columns (a pass's worth at a time and the rest), row lengths of 1 to 512 blocks, 1 to 40
// groups of sixteen rows split between 1 to 3 threads, rows and columns with gaps after them, weights of every byte
// (-128 included), activations -127..127 as ggml quantizes them (-128 too with VNNI, whose products need no sign
// trick); two cases at the extremes (every product as large as it gets, of either sign). Built and run by
// Frugal.Cli.Tests (FrugalCpuKernelTests) twice: cc -O2 -mavx2 -mfma -mf16c -ffp-contract=off (the sign trick, two
// columns a pass) and, on a CPU with AVX-512 VNNI, with -mavx512f -mavx512vl -mavx512vnni (vpdpbusd, four columns a
// pass). Prints "ok CASES" and exits 0, else prints the first difference and exits 1.
#include "../frugal-matmul-q8-0.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_MATMUL_Q8_0)
#error "compile with -mavx2 -mfma -mf16c"
#endif

// The least activation the kernel takes.
#if defined(FRUGAL_MATMUL_Q8_0_VNNI)
#define LOWEST_Y -128
#else
#define LOWEST_Y -127
#endif

static uint32_t state = 2468;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }

static float model_row(int blocks, const frugal_q8_0_block * x, const frugal_q8_0_block * y) {
    float acc = 0.0f;
    for (int i = 0; i < blocks; ++i) {
        int sum = 0;
        for (int k = 0; k < 32; ++k) {
            sum += x[i].qs[k] * y[i].qs[k];
        }
        acc = fmaf(_cvtsh_ss(x[i].d) * _cvtsh_ss(y[i].d), (float) sum, acc);
    }
    return acc;
}

// Blocks of random scales (of either sign) and bytes lowest..127; extreme: every byte `extreme` or `lowest` alternating by
// block.
static void fill(frugal_q8_0_block * b, size_t count, int extreme, int lowest) {
    for (size_t i = 0; i < count; ++i) {
        const float scale = (float) (next() % 2000 + 1) * 1e-5f;
        b[i].d = _cvtss_sh(next() % 4 == 0 ? -scale : scale, 0);
        for (int k = 0; k < 32; ++k) {
            b[i].qs[k] = (int8_t) (extreme ? (i % 2 == 0 ? extreme : lowest) : (int) (next() % (unsigned) (128 - lowest)) + lowest);
        }
    }
}

// `groups` groups of sixteen rows of `blocks` blocks times `columns` columns, split between `threads`; rows and columns
// padded with `gap` bytes after each (the strides differ from a row's bytes); 1 if every result is the model's.
static int check(int blocks, int groups, int columns, int threads, int gap, int extreme) {
    const int rows = 16 * groups;
    const size_t row_bytes = (size_t) blocks * sizeof(frugal_q8_0_block);
    const size_t stride = row_bytes + (size_t) gap, y_stride = row_bytes + (size_t) gap;
    const size_t out_stride = (size_t) rows + 3;
    char * w = malloc((size_t) rows * stride);
    char * y = malloc((size_t) columns * y_stride);
    float * out = malloc((size_t) columns * out_stride * sizeof(float));
    memset(w, 0x5a, (size_t) rows * stride);
    memset(y, 0x5a, (size_t) columns * y_stride);
    for (int r = 0; r < rows; ++r) {
        fill((frugal_q8_0_block *) (w + r * stride), (size_t) blocks, extreme, -128);
    }
    for (int c = 0; c < columns; ++c) {
        fill((frugal_q8_0_block *) (y + c * y_stride), (size_t) blocks, extreme ? (c % 2 == 0 ? 127 : LOWEST_Y) : 0, LOWEST_Y);
    }
    memset(out, 0xff, (size_t) columns * out_stride * sizeof(float));
    for (int t = 0; t < threads; ++t) {
        frugal_q8_0_matmul(blocks, w, stride, y, y_stride, columns, out, out_stride, (int64_t) groups * t / threads, (int64_t) groups * (t + 1) / threads);
    }
    int ok = 1;
    for (int c = 0; c < columns && ok; ++c) {
        for (int r = 0; r < rows; ++r) {
            const float want = model_row(blocks, (const frugal_q8_0_block *) (w + r * stride), (const frugal_q8_0_block *) (y + c * y_stride));
            const float got = out[c * out_stride + r];
            if (memcmp(&want, &got, sizeof want) != 0) {
                printf("differs: %d blocks, %d rows, %d columns, %d threads, gap %d%s, row %d column %d: %.9g, want %.9g\n", blocks, rows, columns, threads, gap,
                       extreme ? " (extremes)" : "", r, c, got, want);
                ok = 0;
                break;
            }
        }
        // The padding after each column's results is not written.
        for (size_t r = (size_t) rows; r < out_stride && ok; ++r) {
            uint32_t bits;
            memcpy(&bits, &out[c * out_stride + r], sizeof bits);
            if (bits != 0xffffffffu) {
                printf("wrote past the rows: %d blocks, %d rows, column %d, at %zu\n", blocks, rows, c, r);
                ok = 0;
            }
        }
    }
    free(w);
    free(y);
    free(out);
    return ok;
}

int main(void) {
    int cases = 0;
    const int block_counts[] = {1, 2, 7, 64, 176, 512};
    const int group_counts[] = {1, 2, 5, 17, 40};
    const int column_counts[] = {1, 2, 3, 4, 5, 9};
    for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
        for (size_t gi = 0; gi < sizeof group_counts / sizeof *group_counts; ++gi) {
            for (size_t ci = 0; ci < sizeof column_counts / sizeof *column_counts; ++ci) {
                const int threads = 1 + (int) ((bi + gi + ci) % 3);
                if (!check(block_counts[bi], group_counts[gi], column_counts[ci], threads, (int) (ci % 2) * 6, 0)) {
                    return 1;
                }
                ++cases;
            }
        }
    }
    for (int extreme = 0; extreme < 2; ++extreme) {
        if (!check(64, 3, 5, 2, 0, extreme ? 127 : -128)) {
            return 1;
        }
        ++cases;
    }
    printf("ok %d\n", cases);
    return 0;
}
