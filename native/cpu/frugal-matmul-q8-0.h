// Frugal's product of a Q8_0 matrix (the mapped file's rows, as they are) times several columns of Q8_0 activations (a
// prompt's batch, or several sequences' decoded tokens), on CPUs with AVX-512 VNNI.
//
// Why: llama.cpp's prompt code for Q8_0 (llamafile's tinyBLAS) takes every (row, column, block) through the sign trick
// that lets an unsigned-by-signed multiplication serve two signed operands — |x|, y given x's signs, then the
// multiplication — and builds each pair's scale from scalars. Here the weights are made unsigned once per row and block
// (x + 128: a flip of the top bit) and shared by the columns, and the +128 is taken back through the accumulator the
// multiplication starts from: −128 times each lane's four activations, computed once per column and block and shared by
// the rows. So a (row, column, block) costs one vpdpbusd (from that start), one conversion, one shuffle for its scale and
// one fused multiply-add; a column's block scale is multiplied by four rows' at once.
//
// Each lane's integer is exactly llama.cpp's (the sum of four products), each block is taken as llama.cpp's AVX2 kernel
// takes it — acc = fma(d(x) * d(y), float(lanes), acc) — and the eight lanes are added in its order at the end, so every
// result equals frugal_q8_0_row's (llama.cpp's vec_dot for Q8_0) bit for bit: native/cpu/test/matmul-q8-0-test.c.
//
// Four rows by four columns at a time (sixteen accumulators: AVX-512's 32 vector registers; with 16, as AVX-VNNI
// CPUs have, they would spill, so this is AVX-512 VNNI only), in tiles of rows that stay in L2 while every column passes.
//
// Self-contained besides frugal-matvec.h (C and C++).
#pragma once

#include "frugal-matvec.h"

#if defined(FRUGAL_MATVEC_Q8_0) && defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define FRUGAL_MATMUL_Q8_0 1

// The bytes of weights a tile of row groups holds while every column passes over it.
#ifndef FRUGAL_Q8_0_TILE_BYTES
#define FRUGAL_Q8_0_TILE_BYTES (128 * 1024)
#endif

// The widest rows taken (blocks of 32): each column group's start values and scales are on the stack (36 bytes a column
// and block).
#define FRUGAL_Q8_0_MATMUL_MAX_BLOCKS 512

// One column's start values for the multiplications (−128 times each lane's four activations) and its block scales.
static inline __attribute__((always_inline)) void frugal_q8_0_column_starts(int blocks, const frugal_q8_0_block * y, __m256i * start, float * d) {
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
    for (int b = 0; b < blocks; ++b) {
        const __m256i sums = _mm256_dpbusd_epi32(_mm256_setzero_si256(), bias, _mm256_loadu_si256((const __m256i *) y[b].qs));
        start[b] = _mm256_sub_epi32(_mm256_setzero_si256(), sums);
        d[b] = _cvtsh_ss(y[b].d);
    }
}

// Rows 4g..4g+3 (from x, `stride` bytes apart) times `columns` (a constant, 1 to 4) columns (y[c]), with their start
// values and scales: results to out[c * out_stride + 4g + r].
static inline __attribute__((always_inline)) void frugal_q8_0_group(int blocks, const char * x, size_t stride, int columns, const frugal_q8_0_block * const y[],
                                                                   const __m256i * const start[], const float * const d[], float * out, size_t out_stride) {
    const frugal_q8_0_block * const x0 = (const frugal_q8_0_block *) x;
    const frugal_q8_0_block * const x1 = (const frugal_q8_0_block *) (x + stride);
    const frugal_q8_0_block * const x2 = (const frugal_q8_0_block *) (x + 2 * stride);
    const frugal_q8_0_block * const x3 = (const frugal_q8_0_block *) (x + 3 * stride);
    const __m256i bias = _mm256_set1_epi8((char) 0x80);
    __m256 acc[4][4];
    for (int c = 0; c < columns; ++c) {
        for (int r = 0; r < 4; ++r) {
            acc[r][c] = _mm256_setzero_ps();
        }
    }
    for (int b = 0; b < blocks; ++b) {
        // The four rows' scales, in both halves.
        const __m128 dx = _mm_cvtph_ps(_mm_setr_epi16((short) x0[b].d, (short) x1[b].d, (short) x2[b].d, (short) x3[b].d, 0, 0, 0, 0));
        const __m256 dx8 = _mm256_set_m128(dx, dx);
        const __m256i u0 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) x0[b].qs), bias);
        const __m256i u1 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) x1[b].qs), bias);
        const __m256i u2 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) x2[b].qs), bias);
        const __m256i u3 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) x3[b].qs), bias);
#pragma GCC unroll 4
        for (int c = 0; c < columns; ++c) {
            const __m256 scales = _mm256_mul_ps(dx8, _mm256_set1_ps(d[c][b]));
            const __m256i yq = _mm256_loadu_si256((const __m256i *) y[c][b].qs);
            acc[0][c] = _mm256_fmadd_ps(_mm256_shuffle_ps(scales, scales, 0x00), _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(start[c][b], u0, yq)), acc[0][c]);
            acc[1][c] = _mm256_fmadd_ps(_mm256_shuffle_ps(scales, scales, 0x55), _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(start[c][b], u1, yq)), acc[1][c]);
            acc[2][c] = _mm256_fmadd_ps(_mm256_shuffle_ps(scales, scales, 0xaa), _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(start[c][b], u2, yq)), acc[2][c]);
            acc[3][c] = _mm256_fmadd_ps(_mm256_shuffle_ps(scales, scales, 0xff), _mm256_cvtepi32_ps(_mm256_dpbusd_epi32(start[c][b], u3, yq)), acc[3][c]);
        }
    }
    for (int c = 0; c < columns; ++c) {
        for (int r = 0; r < 4; ++r) {
            out[c * out_stride + r] = frugal_hsum_8(acc[r][c]);
        }
    }
}

// Row groups [first, last) of a tile times one group of `columns` (a constant) columns starting at column c0.
static inline __attribute__((always_inline)) void frugal_q8_0_tile_columns(int blocks, const char * x, size_t stride, int64_t first, int64_t last,
                                                                          const char * y, size_t y_stride, int64_t c0, int columns, float * out,
                                                                          size_t out_stride, __m256i * start_area, float * d_area) {
    const frugal_q8_0_block * yc[4];
    const __m256i * start[4];
    const float * d[4];
    for (int c = 0; c < columns; ++c) {
        yc[c] = (const frugal_q8_0_block *) (y + (size_t) (c0 + c) * y_stride);
        start[c] = start_area + (size_t) c * blocks;
        d[c] = d_area + (size_t) c * blocks;
        frugal_q8_0_column_starts(blocks, yc[c], start_area + (size_t) c * blocks, d_area + (size_t) c * blocks);
    }
    for (int64_t g = first; g < last; ++g) {
        frugal_q8_0_group(blocks, x + (size_t) (4 * g) * stride, stride, columns, yc, start, d, out + c0 * out_stride + 4 * g, out_stride);
    }
}

// out[c * out_stride + r] for rows 4 * first_group .. 4 * last_group (x: row r at x + r * stride) times `columns` columns
// of Q8_0 activations (column c at y + c * y_stride), each equal bit for bit to frugal_q8_0_row(blocks, row, column).
// blocks <= FRUGAL_Q8_0_MATMUL_MAX_BLOCKS.
static inline void frugal_q8_0_matmul(int blocks, const void * x, size_t stride, const void * y, size_t y_stride, int64_t columns, float * out,
                                      size_t out_stride, int64_t first_group, int64_t last_group) {
    __m256i start_area[4 * FRUGAL_Q8_0_MATMUL_MAX_BLOCKS];
    float d_area[4 * FRUGAL_Q8_0_MATMUL_MAX_BLOCKS];
    int64_t tile = (int64_t) (FRUGAL_Q8_0_TILE_BYTES / (4 * stride));
    if (tile < 1) {
        tile = 1;
    }
    const int64_t whole = columns - columns % 4;
    for (int64_t first = first_group; first < last_group; first += tile) {
        const int64_t last = first + tile < last_group ? first + tile : last_group;
        for (int64_t c0 = 0; c0 < whole; c0 += 4) {
            frugal_q8_0_tile_columns(blocks, (const char *) x, stride, first, last, (const char *) y, y_stride, c0, 4, out, out_stride, start_area, d_area);
        }
        switch (columns - whole) {
            case 1:
                frugal_q8_0_tile_columns(blocks, (const char *) x, stride, first, last, (const char *) y, y_stride, whole, 1, out, out_stride, start_area, d_area);
                break;
            case 2:
                frugal_q8_0_tile_columns(blocks, (const char *) x, stride, first, last, (const char *) y, y_stride, whole, 2, out, out_stride, start_area, d_area);
                break;
            case 3:
                frugal_q8_0_tile_columns(blocks, (const char *) x, stride, first, last, (const char *) y, y_stride, whole, 3, out, out_stride, start_area, d_area);
                break;
            default:
                break;
        }
    }
}
#endif
