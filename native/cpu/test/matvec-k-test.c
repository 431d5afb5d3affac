// Checks frugal_q4_k_matvec, frugal_q5_k_matvec and frugal_q6_k_matvec (native/cpu/frugal-matvec-k.h) against scalar
// models of llama.cpp's AVX2 Q4_K, Q5_K and Q6_K dot products with Q8_K activations — the same integer sums per lane,
// the same fused multiply-adds in eight lanes (four for Q4_K's mins, one for Q5_K's), the same order of the final sums; the scales and mins are
// unpacked here the way ggml's reference code does it, not the kernel's way — so every result must be equal bit for
// bit, for any number of rows (multiples of four or not), row lengths and row ranges (how threads split a matrix).
// Quants, scales and mins take every value their bits can hold; the activations -128..127 (ggml's Q8_K quantizer
// writes -128 for a block's largest magnitude), and one case sets everything to its extreme. The several-column forms
// (frugal_q4_k_matmul etc., a prompt's batch: four columns at a time, the rest one by one) likewise, every column
// against the model, one case at the extremes too, with tiles of rows made small here
// (FRUGAL_K_TILE_BYTES) so a matrix takes several tiles and a tile's rows are not always a multiple of the threads'
// ranges; the floats between one column's results and the next stay untouched. Built and run by
// Frugal.Cli.Tests (FrugalCpuKernelTests): cc -O2 -mavx2 -mfma -mf16c -ffp-contract=off. Prints "ok CASES" and exits
// 0, else prints the first difference and exits 1.
// Tiles of 2 KiB: 12 rows of one Q4_K block, none of 22 blocks (rows at a time, as one column).
#define FRUGAL_K_TILE_BYTES 2048
#include "../frugal-matvec-k.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_MATVEC_K)
#error "compile with -mavx2 -mfma -mf16c"
#endif

static uint32_t state = 12345;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }

static float hsum_model(const float acc[8]) {
    const float r0 = acc[4] + acc[0], r1 = acc[5] + acc[1], r2 = acc[6] + acc[2], r3 = acc[7] + acc[3];
    return (r0 + r2) + (r1 + r3);
}

// ggml's get_scale_min_k4: sub-block j's 6-bit scale and min.
static void scale_min(int j, const uint8_t * q, int * scale, int * min) {
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// A Q4_K or Q5_K super-block's head as ggml's reference reads it: d and -dmin times the activations' scale, and the
// eight 6-bit scales and mins.
static void block_head(uint16_t xd, uint16_t xdmin, const uint8_t * scales, float yd, float * d, float * dmin, int scale[8], int min[8]) {
    *d = yd * _cvtsh_ss(xd);
    *dmin = -yd * _cvtsh_ss(xdmin);
    for (int j = 0; j < 8; ++j) {
        scale_min(j, scales, &scale[j], &min[j]);
    }
}

static float model_q4_k(int blocks, const frugal_q4_k_block * x, const frugal_q8_k_block * y) {
    float acc[8] = {0}, acc_m[4] = {0};
    for (int i = 0; i < blocks; ++i) {
        float d, dmin;
        int scale[8], min[8];
        block_head(x[i].d, x[i].dmin, x[i].scales, y[i].d, &d, &dmin, scale, min);
        for (int lane = 0; lane < 4; ++lane) {
            const int a = y[i].bsums[4 * lane] + y[i].bsums[4 * lane + 1], b = y[i].bsums[4 * lane + 2] + y[i].bsums[4 * lane + 3];
            acc_m[lane] = fmaf(dmin, (float) (min[2 * lane] * a + min[2 * lane + 1] * b), acc_m[lane]);
        }
        for (int lane = 0; lane < 8; ++lane) {
            int sum = 0;
            for (int j = 0; j < 4; ++j) {
                int low = 0, high = 0;
                for (int k = 4 * lane; k < 4 * lane + 4; ++k) {
                    low += (x[i].qs[32 * j + k] & 0xF) * y[i].qs[64 * j + k];
                    high += (x[i].qs[32 * j + k] >> 4) * y[i].qs[64 * j + 32 + k];
                }
                sum += scale[2 * j] * low + scale[2 * j + 1] * high;
            }
            acc[lane] = fmaf(d, (float) sum, acc[lane]);
        }
    }
    const float m0 = acc_m[0] + acc_m[2], m1 = acc_m[1] + acc_m[3];
    return hsum_model(acc) + (m0 + m1);
}

// llama.cpp's Q5_K: Q4_K's lanes with each quant's fifth bit, the mins' products summed as integers and added times
// dmin to one float (a fused multiply-add, as GCC compiles ggml's scalar line).
static float model_q5_k(int blocks, const frugal_q5_k_block * x, const frugal_q8_k_block * y) {
    float acc[8] = {0}, summs = 0.0f;
    for (int i = 0; i < blocks; ++i) {
        float d, dmin;
        int scale[8], min[8];
        block_head(x[i].d, x[i].dmin, x[i].scales, y[i].d, &d, &dmin, scale, min);
        int mins = 0;
        for (int j = 0; j < 8; ++j) {
            mins += min[j] * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
        }
        summs = fmaf(dmin, (float) mins, summs);
        // Weight n (ggml's dequantize_row_q5_K): sub-block s = n/32, position l = n%32; the low nibble of
        // qs[32*(s/2) + l] for even s, the high for odd, plus 16 when bit s of qh[l] is set.
        int sum[8] = {0};
        for (int n = 0; n < 256; ++n) {
            const int s = n / 32, l = n % 32;
            const uint8_t low = x[i].qs[32 * (s / 2) + l];
            const int q = ((s % 2 == 0 ? low : low >> 4) & 0xF) | (((x[i].qh[l] >> s) & 1) << 4);
            sum[l / 4] += scale[s] * q * y[i].qs[n];
        }
        for (int lane = 0; lane < 8; ++lane) {
            acc[lane] = fmaf(d, (float) sum[lane], acc[lane]);
        }
    }
    return hsum_model(acc) + summs;
}

static float model_q6_k(int blocks, const frugal_q6_k_block * x, const frugal_q8_k_block * y) {
    float acc[8] = {0};
    for (int i = 0; i < blocks; ++i) {
        const float d = y[i].d * _cvtsh_ss(x[i].d);
        int sum[8] = {0};
        // Weight n (ggml's dequantize_row_q6_K): half n/128, run (n%128)/32, position n%32; scale n/16.
        for (int n = 0; n < 256; ++n) {
            const int half = n / 128, run = n % 128 / 32, l = n % 32;
            const uint8_t low = x[i].ql[64 * half + 32 * (run & 1) + l];
            const int q = ((run < 2 ? low : low >> 4) & 0xF) | (((x[i].qh[32 * half + l] >> (2 * run)) & 3) << 4);
            sum[l / 4] += x[i].scales[n / 16] * q * y[i].qs[n];
        }
        for (int lane = 0; lane < 8; ++lane) {
            const int offset = 32 * (y[i].bsums[2 * lane] * x[i].scales[2 * lane] + y[i].bsums[2 * lane + 1] * x[i].scales[2 * lane + 1]);
            acc[lane] = fmaf(d, (float) (sum[lane] - offset), acc[lane]);
        }
    }
    return hsum_model(acc);
}

static uint16_t random_half(void) { return _cvtss_sh((float) (next() % 2000 + 1) * 1e-4f, 0); }

// Random bytes, or all 0xFF for the extreme case.
static void fill_bytes(uint8_t * bytes, int count, int extreme) {
    for (int k = 0; k < count; ++k) {
        bytes[k] = extreme ? 0xFF : (uint8_t) next();
    }
}

static void fill_q4_k(frugal_q4_k_block * b, size_t count, int extreme) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = extreme ? _cvtss_sh(65504.0f, 0) : random_half();
        b[i].dmin = extreme ? _cvtss_sh(65504.0f, 0) : random_half();
        fill_bytes(b[i].scales, 12, extreme);
        fill_bytes(b[i].qs, 128, extreme);
    }
}

static void fill_q5_k(frugal_q5_k_block * b, size_t count, int extreme) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = extreme ? _cvtss_sh(65504.0f, 0) : random_half();
        b[i].dmin = extreme ? _cvtss_sh(65504.0f, 0) : random_half();
        fill_bytes(b[i].scales, 12, extreme);
        fill_bytes(b[i].qh, 32, extreme);
        fill_bytes(b[i].qs, 128, extreme);
    }
}

static void fill_q6_k(frugal_q6_k_block * b, size_t count, int extreme) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = extreme ? _cvtss_sh(65504.0f, 0) : random_half();
        for (int k = 0; k < 16; ++k) {
            b[i].scales[k] = (int8_t) (extreme ? (k % 2 == 0 ? -128 : 127) : (int) (next() % 256) - 128);
        }
        fill_bytes(b[i].ql, 128, extreme);
        fill_bytes(b[i].qh, 64, extreme);
    }
}

// Q6_K blocks and activations with extremes mixed in, value by value: each scale -128, 127, -1, 0, 1 or random, each
// byte of quants 0x00, 0xFF or random (6-bit quants of 0 and 63 side by side), each d the largest half, the smallest
// subnormal, zero or random, each activation -128, 127 or random (the 16-sums recomputed). Every row's d differs from
// its neighbours', so a row given another's scale, scales or quants shows.
static uint8_t mixed_byte(void) {
    const uint32_t k = next() % 4;
    return k == 0 ? 0x00 : k == 1 ? 0xFF : (uint8_t) next();
}

static void fill_q6_k_mixed(frugal_q6_k_block * b, size_t count) {
    static const int8_t scales[] = {-128, 127, -1, 0, 1};
    static const uint16_t halves[] = {0x7bff, 0x0001, 0x0000};
    for (size_t i = 0; i < count; ++i) {
        const uint32_t k = next() % 6;
        b[i].d = k < 3 ? halves[k] : random_half();
        for (int s = 0; s < 16; ++s) {
            const uint32_t pick = next() % 8;
            b[i].scales[s] = pick < 5 ? scales[pick] : (int8_t) ((int) (next() % 256) - 128);
        }
        for (int q = 0; q < 128; ++q) {
            b[i].ql[q] = mixed_byte();
        }
        for (int q = 0; q < 64; ++q) {
            b[i].qh[q] = mixed_byte();
        }
    }
}

static void fill_q8_k_mixed(frugal_q8_k_block * b, size_t count) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = next() % 4 == 0 ? 1.0f : (float) (next() % 2000 + 1) * 1e-5f;
        for (int k = 0; k < 256; ++k) {
            const uint32_t pick = next() % 4;
            b[i].qs[k] = (int8_t) (pick == 0 ? -128 : pick == 1 ? 127 : (int) (next() % 256) - 128);
        }
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int k = 16 * g; k < 16 * g + 16; ++k) {
                sum += b[i].qs[k];
            }
            b[i].bsums[g] = (int16_t) sum;
        }
    }
}

static void fill_q8_k(frugal_q8_k_block * b, size_t count, int extreme) {
    for (size_t i = 0; i < count; ++i) {
        b[i].d = extreme ? 1.0f : (float) (next() % 2000 + 1) * 1e-5f;
        for (int k = 0; k < 256; ++k) {
            b[i].qs[k] = (int8_t) (extreme ? -128 : (int) (next() % 256) - 128);
        }
        for (int g = 0; g < 16; ++g) {
            int sum = 0;
            for (int k = 16 * g; k < 16 * g + 16; ++k) {
                sum += b[i].qs[k];
            }
            b[i].bsums[g] = (int16_t) sum;
        }
    }
}

typedef void (*matvec_fn)(int, const void *, size_t, const frugal_q8_k_block *, float *, int64_t, int64_t);
typedef float (*model_fn)(int, const void *, const frugal_q8_k_block *);

static float model_q4_k_any(int blocks, const void * x, const frugal_q8_k_block * y) { return model_q4_k(blocks, x, y); }
static float model_q5_k_any(int blocks, const void * x, const frugal_q8_k_block * y) { return model_q5_k(blocks, x, y); }
static float model_q6_k_any(int blocks, const void * x, const frugal_q8_k_block * y) { return model_q6_k(blocks, x, y); }

// One matrix of `rows` rows of `blocks` blocks, computed whole and split among 1-3 threads' row ranges.
static int check(const char * type, matvec_fn matvec, model_fn model, void * w, size_t block_bytes, int blocks, int rows,
                 const frugal_q8_k_block * y, int * cases) {
    const size_t row_bytes = (size_t) blocks * block_bytes;
    float * out = malloc((size_t) rows * sizeof(float));
    for (int threads = 1; threads <= 3; ++threads) {
        memset(out, 0xff, (size_t) rows * sizeof(float));
        for (int t = 0; t < threads; ++t) {
            matvec(blocks, w, row_bytes, y, out, (int64_t) rows * t / threads, (int64_t) rows * (t + 1) / threads);
        }
        for (int r = 0; r < rows; ++r) {
            const float want = model(blocks, (const char *) w + r * row_bytes, y);
            if (memcmp(&want, &out[r], sizeof want) != 0) {
                printf("%s differs: %d blocks, %d rows, %d threads, row %d: %.9g, want %.9g\n", type, blocks, rows, threads, r, out[r], want);
                free(out);
                return 1;
            }
        }
        ++*cases;
    }
    free(out);
    return 0;
}

typedef void (*matmul_fn)(int, const void *, size_t, const void *, size_t, int64_t, void *, size_t, int64_t, int64_t);

// The same matrix times `columns` columns of activations, results `stride` floats apart (more than the rows: the gap
// must stay as it was), split among 1-3 threads' row ranges.
static int check_columns(const char * type, matmul_fn matmul, model_fn model, void * w, size_t block_bytes, int blocks, int rows,
                         int columns, int extreme, int * cases) {
    const size_t row_bytes = (size_t) blocks * block_bytes;
    const int stride = rows + 3;
    frugal_q8_k_block * y = malloc((size_t) columns * blocks * sizeof *y);
    fill_q8_k(y, (size_t) columns * blocks, extreme);
    float * out = malloc((size_t) columns * stride * sizeof(float));
    int failed = 0;
    for (int threads = 1; threads <= 3 && !failed; ++threads) {
        memset(out, 0xff, (size_t) columns * stride * sizeof(float));
        for (int t = 0; t < threads; ++t) {
            matmul(blocks, w, row_bytes, y, (size_t) blocks * sizeof *y, columns, out, (size_t) stride * sizeof(float),
                   (int64_t) rows * t / threads, (int64_t) rows * (t + 1) / threads);
        }
        for (int c = 0; c < columns && !failed; ++c) {
            for (int r = 0; r < stride && !failed; ++r) {
                const float got = out[(size_t) c * stride + r];
                uint32_t bits;
                memcpy(&bits, &got, sizeof bits);
                if (r >= rows) {
                    failed = bits != 0xffffffffu;
                    if (failed) {
                        printf("%s wrote past column %d's results: %d blocks, %d rows, %d columns, %d threads\n", type, c, blocks, rows, columns, threads);
                    }
                    continue;
                }
                const float want = model(blocks, (const char *) w + r * row_bytes, y + (size_t) c * blocks);
                failed = memcmp(&want, &got, sizeof want) != 0;
                if (failed) {
                    printf("%s differs: %d blocks, %d rows, %d columns, %d threads, row %d column %d: %.9g, want %.9g\n", type, blocks, rows, columns, threads,
                           r, c, got, want);
                }
            }
        }
        ++*cases;
    }
    free(y);
    free(out);
    return failed;
}

int main(void) {
    const int row_counts[] = {1, 2, 3, 4, 5, 7, 8, 13, 64, 67};
    const int block_counts[] = {1, 2, 3, 8, 22};
    int cases = 0;
    for (int extreme = 0; extreme <= 1; ++extreme) {
        for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
            for (size_t ri = 0; ri < sizeof row_counts / sizeof *row_counts; ++ri) {
                const int blocks = block_counts[bi], rows = row_counts[ri];
                if (extreme && (bi != 1 || ri != 5)) {
                    continue; // one all-extreme case per type: 2 blocks, 7 rows
                }
                frugal_q8_k_block * y = malloc((size_t) blocks * sizeof *y);
                frugal_q4_k_block * w4 = malloc((size_t) rows * blocks * sizeof *w4);
                frugal_q5_k_block * w5 = malloc((size_t) rows * blocks * sizeof *w5);
                frugal_q6_k_block * w6 = malloc((size_t) rows * blocks * sizeof *w6);
                fill_q8_k(y, (size_t) blocks, extreme);
                fill_q4_k(w4, (size_t) rows * blocks, extreme);
                fill_q5_k(w5, (size_t) rows * blocks, extreme);
                fill_q6_k(w6, (size_t) rows * blocks, extreme);
                const int failed = check("Q4_K", frugal_q4_k_matvec, model_q4_k_any, w4, sizeof *w4, blocks, rows, y, &cases)
                                   || check("Q5_K", frugal_q5_k_matvec, model_q5_k_any, w5, sizeof *w5, blocks, rows, y, &cases)
                                   || check("Q6_K", frugal_q6_k_matvec, model_q6_k_any, w6, sizeof *w6, blocks, rows, y, &cases);
                free(y);
                free(w4);
                free(w5);
                free(w6);
                if (failed) {
                    return 1;
                }
            }
        }
    }
    // Q6_K with extremes mixed in (fill_q6_k_mixed): 1, 3, 8 and 22 blocks a row x 4, 7, 13 and 64 rows x 1-3 threads,
    // and the several-column forms over the same matrices, 5 columns.
    const int mixed_blocks[] = {1, 3, 8, 22};
    const int mixed_rows[] = {4, 7, 13, 64};
    for (size_t bi = 0; bi < sizeof mixed_blocks / sizeof *mixed_blocks; ++bi) {
        for (size_t ri = 0; ri < sizeof mixed_rows / sizeof *mixed_rows; ++ri) {
            const int blocks = mixed_blocks[bi], rows = mixed_rows[ri];
            frugal_q8_k_block * y = malloc((size_t) blocks * sizeof *y);
            frugal_q6_k_block * w6 = malloc((size_t) rows * blocks * sizeof *w6);
            fill_q8_k_mixed(y, (size_t) blocks);
            fill_q6_k_mixed(w6, (size_t) rows * blocks);
            const int failed = check("Q6_K mixed", frugal_q6_k_matvec, model_q6_k_any, w6, sizeof *w6, blocks, rows, y, &cases)
                               || check_columns("Q6_K mixed", frugal_q6_k_matmul, model_q6_k_any, w6, sizeof *w6, blocks, rows, 5, 0, &cases);
            free(y);
            free(w6);
            if (failed) {
                return 1;
            }
        }
    }
    // Several columns: 1, 2 and 22 blocks a row; 4, 13, 67 rows; 2, 3, 4, 5, 9 columns (the several-column kernels
    // take FRUGAL_K_COLUMNS = 4 at a time, the rest one by one); one all-extreme case per type: 2 blocks, 13 rows, 5
    // columns.
    const int column_counts[] = {2, 3, 4, 5, 9};
    const int column_rows[] = {4, 13, 67};
    const int column_blocks[] = {1, 2, 22};
    for (int extreme = 0; extreme <= 1; ++extreme) {
        for (size_t bi = 0; bi < 3; ++bi) {
            for (size_t ri = 0; ri < 3; ++ri) {
                for (size_t ci = 0; ci < sizeof column_counts / sizeof *column_counts; ++ci) {
                    if (extreme && (bi != 1 || ri != 1 || ci != 3)) {
                        continue;
                    }
                    const int blocks = column_blocks[bi], rows = column_rows[ri], columns = column_counts[ci];
                    frugal_q4_k_block * w4 = malloc((size_t) rows * blocks * sizeof *w4);
                    frugal_q5_k_block * w5 = malloc((size_t) rows * blocks * sizeof *w5);
                    frugal_q6_k_block * w6 = malloc((size_t) rows * blocks * sizeof *w6);
                    fill_q4_k(w4, (size_t) rows * blocks, extreme);
                    fill_q5_k(w5, (size_t) rows * blocks, extreme);
                    fill_q6_k(w6, (size_t) rows * blocks, extreme);
                    const int failed = check_columns("Q4_K", frugal_q4_k_matmul, model_q4_k_any, w4, sizeof *w4, blocks, rows, columns, extreme, &cases)
                                       || check_columns("Q5_K", frugal_q5_k_matmul, model_q5_k_any, w5, sizeof *w5, blocks, rows, columns, extreme, &cases)
                                       || check_columns("Q6_K", frugal_q6_k_matmul, model_q6_k_any, w6, sizeof *w6, blocks, rows, columns, extreme, &cases);
                    free(w4);
                    free(w5);
                    free(w6);
                    if (failed) {
                        return 1;
                    }
                }
            }
        }
    }
    printf("ok %d\n", cases);
    return 0;
}
