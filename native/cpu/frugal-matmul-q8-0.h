// Frugal's product of a Q8_0 matrix (the mapped file's rows, as they are) times several columns of Q8_0 activations (a
// prompt's batch, or several sequences' decoded tokens).
//
// Why: llama.cpp's prompt code for Q8_0 (llamafile's tinyBLAS) takes every (row, column, 32-weight block) through the
// sign trick that lets an unsigned-by-signed multiplication serve two signed operands, a multiplication that leaves
// eight partial sums, and a conversion, a scale and a multiply-add of those eight in float. Here sixteen rows at a time
// are copied into a small buffer (the tile, from L1/L2 while the columns pass): each block's bytes interleaved four at a
// time, eight rows to a vector, so one multiplication takes four weights of eight rows by the same four activations (a
// broadcast) and eight of them sum the whole block, a row to a lane, in integers; eight rows' block then share one
// conversion, one multiplication of their scales by the column's and one fused multiply-add.
// - With AVX-512 VNNI the weights are made unsigned in the copy (x + 128: a flip of the top bit) and one vpdpbusd does
//   each step; the +128 is taken back through the value the sums start from (−128 times the block's activations, once
//   per column and block). Four columns a pass (the 32 vector registers hold their sums and accumulators).
// - With AVX2 the weights stay signed: their magnitudes once per step for the columns, each column's activations given
//   the weights' signs, vpmaddubsw (at most 2 x 128 x 127, no saturation: ggml's activations are −127..127) and
//   vpmaddwd. Two columns a pass (16 registers).
// Zen 4, TinyLlama's 2,048 x 2,048 by 128 columns from L2: 0.22 ns a row, column and block with VNNI (sgemm's ≈0.53);
// AVX2 code on the same core 0.55 (TinyLlama Q8_0 128-token prompts 57.7 against 43 tokens/s through sgemm's AVX2 code).
//
// The arithmetic (not llama.cpp's bit for bit: it adds each block's eight partial sums in float): per row and column
// the exact integer sum of the block's 32 products, then acc = fma(d(x) * d(y), float(sum), acc) block after block.
// native/cpu/test/matmul-q8-0-test.c checks it against a scalar model of exactly that, bit for bit, both ways.
//
// Self-contained besides frugal-matvec.h (C and C++).
#pragma once

#include "frugal-matvec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(FRUGAL_MATVEC_Q8_0)
#define FRUGAL_MATMUL_Q8_0 1

#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define FRUGAL_MATMUL_Q8_0_VNNI 1
// Columns a pass over sixteen interleaved rows takes: their sums and accumulators stay in the 32 vector registers.
#define FRUGAL_Q8_0_COLUMNS 4
#define FRUGAL_Q8_0_PASS "four columns at a time with VNNI"
#else
// AVX2's 16 registers hold two columns' sums and accumulators beside the rows' quants and their magnitudes.
#define FRUGAL_Q8_0_COLUMNS 2
#define FRUGAL_Q8_0_PASS "two columns at a time"
#endif

// Eight rows' block: their scales, then their quants interleaved four bytes at a time (bytes 32k + 4r .. 32k + 4r + 3
// are row r's bytes 4k .. 4k + 3), each plus 128.
typedef struct {
    float d[8];
    uint8_t qs[256];
} frugal_q8_0x8_block;

// A column's block: the value its sums start from (−128 times the sum of its 32 activations) and its scale.
typedef struct {
    int32_t start;
    float d;
} frugal_q8_0_column_block;

// Up to how many columns frugal_q8_0_matmul asks for the next group's rows while it copies a group (see there).
// TinyLlama Q8_0 on Zen 4, a decode step of two / three sequences: 75-83 / 86-89 ms against 134-153 / 129-153 without;
// 128-token prompts (not asked for) the same.
#ifndef FRUGAL_Q8_0_PREFETCH_COLUMNS
#define FRUGAL_Q8_0_PREFETCH_COLUMNS 8
#endif

// Rows [0, 8) of x (`stride` bytes apart), `blocks` blocks each, into out[0 .. blocks); with `prefetch` (a constant
// where it is inlined) the same blocks of the rows `ahead` bytes further asked for into L2.
static inline __attribute__((always_inline)) void frugal_q8_0x8_interleave(int blocks, const char * x, size_t stride, int prefetch, size_t ahead,
                                                                          frugal_q8_0x8_block * out) {
#if defined(FRUGAL_MATMUL_Q8_0_VNNI)
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
#else
    const __m256i bias = _mm256_setzero_si256();
#endif
    for (int b = 0; b < blocks; ++b) {
        __m256i q[8];
        for (int r = 0; r < 8; ++r) {
            const frugal_q8_0_block * const block = (const frugal_q8_0_block *) (x + r * stride) + b;
            if (prefetch) {
                _mm_prefetch((const char *) block + ahead, _MM_HINT_T1);
            }
            out[b].d[r] = _cvtsh_ss(block->d);
            q[r] = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) block->qs), bias);
        }
        // An 8 x 8 transpose of four-byte groups: row r's group k to place 8k + r.
        const __m256i t0 = _mm256_unpacklo_epi32(q[0], q[1]), t1 = _mm256_unpackhi_epi32(q[0], q[1]);
        const __m256i t2 = _mm256_unpacklo_epi32(q[2], q[3]), t3 = _mm256_unpackhi_epi32(q[2], q[3]);
        const __m256i t4 = _mm256_unpacklo_epi32(q[4], q[5]), t5 = _mm256_unpackhi_epi32(q[4], q[5]);
        const __m256i t6 = _mm256_unpacklo_epi32(q[6], q[7]), t7 = _mm256_unpackhi_epi32(q[6], q[7]);
        const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
        const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
        const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
        const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
        __m256i * const qs = (__m256i *) out[b].qs;
        _mm256_storeu_si256(qs + 0, _mm256_permute2x128_si256(u0, u4, 0x20));
        _mm256_storeu_si256(qs + 1, _mm256_permute2x128_si256(u1, u5, 0x20));
        _mm256_storeu_si256(qs + 2, _mm256_permute2x128_si256(u2, u6, 0x20));
        _mm256_storeu_si256(qs + 3, _mm256_permute2x128_si256(u3, u7, 0x20));
        _mm256_storeu_si256(qs + 4, _mm256_permute2x128_si256(u0, u4, 0x31));
        _mm256_storeu_si256(qs + 5, _mm256_permute2x128_si256(u1, u5, 0x31));
        _mm256_storeu_si256(qs + 6, _mm256_permute2x128_si256(u2, u6, 0x31));
        _mm256_storeu_si256(qs + 7, _mm256_permute2x128_si256(u3, u7, 0x31));
    }
}

// One column's blocks: their start values (0 without VNNI, whose weights stay signed) and scales.
static inline void frugal_q8_0_column_blocks(int blocks, const frugal_q8_0_block * y, frugal_q8_0_column_block * out) {
    for (int b = 0; b < blocks; ++b) {
#if defined(FRUGAL_MATMUL_Q8_0_VNNI)
        const __m256i sums = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_set1_epi8((char) 0x80), _mm256_loadu_si256((const __m256i *) y[b].qs));
        out[b].start = -frugal_hsum_epi32_8(sums);
#else
        out[b].start = 0;
#endif
        out[b].d = _cvtsh_ss(y[b].d);
    }
}

// Eight rows' four weights (w; |w| in aw) times four activations broadcast (a), added to each row's sum in its lane.
static inline __attribute__((always_inline)) __m256i frugal_q8_0x8_dot4(__m256i sum, __m256i w, __m256i aw, __m256i a) {
#if defined(FRUGAL_MATMUL_Q8_0_VNNI)
    (void) aw;
    return _mm256_dpbusd_epi32(sum, w, a);
#else
    // The sign trick (a -128 weight's magnitude is 128 unsigned; activations are -127..127, as ggml quantizes them).
    return _mm256_add_epi32(sum, _mm256_madd_epi16(_mm256_maddubs_epi16(aw, _mm256_sign_epi8(a, w)), _mm256_set1_epi16(1)));
#endif
}

// Sixteen rows (two interleaved groups, x0 and x1) times `columns` (a constant, 1 to 4) columns: their quants y[c], their
// blocks' start values and scales cb[c]; results to out[c * out_stride + r].
static inline __attribute__((always_inline)) void frugal_q8_0x16_columns(int blocks, const frugal_q8_0x8_block * x0, const frugal_q8_0x8_block * x1, int columns,
                                                                        const frugal_q8_0_block * const y[], const frugal_q8_0_column_block * const cb[], float * out,
                                                                        size_t out_stride) {
    __m256 acc[2][4];
    for (int c = 0; c < columns; ++c) {
        acc[0][c] = acc[1][c] = _mm256_setzero_ps();
    }
    for (int b = 0; b < blocks; ++b) {
        __m256i sum[2][4];
        for (int c = 0; c < columns; ++c) {
            sum[0][c] = sum[1][c] = _mm256_set1_epi32(cb[c][b].start);
        }
#pragma GCC unroll 8
        for (int k = 0; k < 8; ++k) {
            const __m256i w0 = _mm256_loadu_si256((const __m256i *) x0[b].qs + k);
            const __m256i w1 = _mm256_loadu_si256((const __m256i *) x1[b].qs + k);
#if defined(FRUGAL_MATMUL_Q8_0_VNNI)
            const __m256i aw0 = w0, aw1 = w1;
#else
            const __m256i aw0 = _mm256_sign_epi8(w0, w0), aw1 = _mm256_sign_epi8(w1, w1);
#endif
#pragma GCC unroll 4
            for (int c = 0; c < columns; ++c) {
                int32_t four;
                memcpy(&four, y[c][b].qs + 4 * k, 4);
                const __m256i a = _mm256_set1_epi32(four);
                sum[0][c] = frugal_q8_0x8_dot4(sum[0][c], w0, aw0, a);
                sum[1][c] = frugal_q8_0x8_dot4(sum[1][c], w1, aw1, a);
            }
        }
        const __m256 d0 = _mm256_loadu_ps(x0[b].d), d1 = _mm256_loadu_ps(x1[b].d);
#pragma GCC unroll 4
        for (int c = 0; c < columns; ++c) {
            const __m256 dy = _mm256_set1_ps(cb[c][b].d);
            acc[0][c] = _mm256_fmadd_ps(_mm256_mul_ps(d0, dy), _mm256_cvtepi32_ps(sum[0][c]), acc[0][c]);
            acc[1][c] = _mm256_fmadd_ps(_mm256_mul_ps(d1, dy), _mm256_cvtepi32_ps(sum[1][c]), acc[1][c]);
        }
    }
    for (int c = 0; c < columns; ++c) {
        _mm256_storeu_ps(out + c * out_stride, acc[0][c]);
        _mm256_storeu_ps(out + c * out_stride + 8, acc[1][c]);
    }
}

// out[c * out_stride + r] for rows 16 * first .. 16 * last (x: row r at x + r * stride) times `columns` columns of Q8_0
// activations (column c at y + c * y_stride): sixteen rows interleaved into a buffer, then every column times them, four
// at a time. The buffers (576 bytes a block of the rows, 8 a block of each column) come from malloc; without them the
// process stops, as ggml does when its allocations fail.
static inline void frugal_q8_0_matmul(int blocks, const void * x, size_t stride, const void * y, size_t y_stride, int64_t columns, float * out,
                                      size_t out_stride, int64_t first, int64_t last) {
    frugal_q8_0x8_block * const tile = (frugal_q8_0x8_block *) malloc(2 * (size_t) blocks * sizeof(frugal_q8_0x8_block));
    frugal_q8_0_column_block * const column_blocks = (frugal_q8_0_column_block *) malloc((size_t) columns * blocks * sizeof(frugal_q8_0_column_block));
    if (tile == NULL || column_blocks == NULL) {
        fprintf(stderr, "frugal-matmul: out of memory for %d blocks x %lld columns\n", blocks, (long long) columns);
        abort();
    }
    for (int64_t c = 0; c < columns; ++c) {
        frugal_q8_0_column_blocks(blocks, (const frugal_q8_0_block *) ((const char *) y + c * y_stride), column_blocks + c * blocks);
    }
    const int64_t whole = columns - columns % FRUGAL_Q8_0_COLUMNS;
    for (int64_t g = first; g < last; ++g) {
        const char * const rows = (const char *) x + (size_t) (16 * g) * stride;
        // A few columns (several users' decoded tokens) wait on memory, and sixteen short rows at once are more streams
        // than the hardware prefetcher follows: the next group's rows are asked for into L2 while this one is copied.
        // A prompt's many columns keep the core busy, and there it costs more than it saves.
        if (columns <= FRUGAL_Q8_0_PREFETCH_COLUMNS && g + 1 < last) {
            frugal_q8_0x8_interleave(blocks, rows, stride, 1, 16 * stride, tile);
            frugal_q8_0x8_interleave(blocks, rows + 8 * stride, stride, 1, 16 * stride, tile + blocks);
        } else {
            frugal_q8_0x8_interleave(blocks, rows, stride, 0, 0, tile);
            frugal_q8_0x8_interleave(blocks, rows + 8 * stride, stride, 0, 0, tile + blocks);
        }
        const frugal_q8_0_block * yc[4] = {NULL, NULL, NULL, NULL};
        const frugal_q8_0_column_block * cb[4] = {NULL, NULL, NULL, NULL};
        for (int64_t c0 = 0; c0 < columns; c0 += FRUGAL_Q8_0_COLUMNS) {
            for (int c = 0; c < FRUGAL_Q8_0_COLUMNS && c0 + c < columns; ++c) {
                yc[c] = (const frugal_q8_0_block *) ((const char *) y + (c0 + c) * y_stride);
                cb[c] = column_blocks + (c0 + c) * blocks;
            }
            float * const o = out + c0 * out_stride + 16 * g;
            switch (c0 < whole ? FRUGAL_Q8_0_COLUMNS : columns - whole) {
                case 1:
                    frugal_q8_0x16_columns(blocks, tile, tile + blocks, 1, yc, cb, o, out_stride);
                    break;
#if FRUGAL_Q8_0_COLUMNS > 2
                case 2:
                    frugal_q8_0x16_columns(blocks, tile, tile + blocks, 2, yc, cb, o, out_stride);
                    break;
                case 3:
                    frugal_q8_0x16_columns(blocks, tile, tile + blocks, 3, yc, cb, o, out_stride);
                    break;
#endif
                default:
                    frugal_q8_0x16_columns(blocks, tile, tile + blocks, FRUGAL_Q8_0_COLUMNS, yc, cb, o, out_stride);
                    break;
            }
        }
    }
    free(tile);
    free(column_blocks);
}
#endif
