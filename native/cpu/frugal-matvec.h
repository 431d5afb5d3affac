// Frugal's matrix-vector product for Q8_0 weights (one decoded token: the activations are one column).
//
// Why: llama.cpp computes a Q8_0 matrix times a vector row after row, so one core reads the weights as one sequential
// stream. On an AMD Zen 3 core one stream reads ~20 GB/s where four read ~28, and llama.cpp's loop reached ~14.5 GB/s
// (0.47 of the measured ceiling). Here four rows from four quarters of the matrix are computed together, so the
// hardware prefetcher runs four streams; each row's arithmetic is llama.cpp's AVX2 arithmetic in the same order, so
// every result is bit-for-bit the one llama.cpp's own kernel gives.
//
// Self-contained (no ggml header): the block layout is ggml's block_q8_0 (an fp16 scale, then 32 signed bytes).
#pragma once

#include <stddef.h>
#include <stdint.h>

#if defined(__AVX2__) && defined(__F16C__) && defined(__FMA__)
#include <immintrin.h>
#define FRUGAL_MATVEC_Q8_0 1

typedef struct {
    uint16_t d;
    int8_t qs[32];
} frugal_q8_0_block;

static inline float frugal_hsum_8(__m256 x) {
    __m128 r = _mm_add_ps(_mm256_extractf128_ps(x, 1), _mm256_castps256_ps128(x));
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

// The 32 products of one block pair, summed pairwise into 8 floats (the signs moved onto y: maddubs multiplies
// unsigned by signed bytes).
static inline __m256 frugal_block_dot(__m256i x, __m256i y) {
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    const __m256i pairs = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// One row: out = sum over the blocks of (scale(x) * scale(y)) * dot(x, y).
static inline float frugal_q8_0_row(int blocks, const frugal_q8_0_block * x, const frugal_q8_0_block * y) {
    __m256 acc = _mm256_setzero_ps();
    for (int i = 0; i < blocks; ++i) {
        const __m256 d = _mm256_set1_ps(_cvtsh_ss(x[i].d) * _cvtsh_ss(y[i].d));
        const __m256 q = frugal_block_dot(_mm256_loadu_si256((const __m256i *) x[i].qs), _mm256_loadu_si256((const __m256i *) y[i].qs));
        acc = _mm256_fmadd_ps(d, q, acc);
    }
    return frugal_hsum_8(acc);
}

// Four rows at once, each with its own accumulator; y's block is loaded once for the four.
static inline void frugal_q8_0_rows4(int blocks, const frugal_q8_0_block * x0, const frugal_q8_0_block * x1,
                                     const frugal_q8_0_block * x2, const frugal_q8_0_block * x3,
                                     const frugal_q8_0_block * y, float * s0, float * s1, float * s2, float * s3) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    for (int i = 0; i < blocks; ++i) {
        const __m256i qy = _mm256_loadu_si256((const __m256i *) y[i].qs);
        const float dy = _cvtsh_ss(y[i].d);
        a0 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x0[i].d) * dy), frugal_block_dot(_mm256_loadu_si256((const __m256i *) x0[i].qs), qy), a0);
        a1 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x1[i].d) * dy), frugal_block_dot(_mm256_loadu_si256((const __m256i *) x1[i].qs), qy), a1);
        a2 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x2[i].d) * dy), frugal_block_dot(_mm256_loadu_si256((const __m256i *) x2[i].qs), qy), a2);
        a3 = _mm256_fmadd_ps(_mm256_set1_ps(_cvtsh_ss(x3[i].d) * dy), frugal_block_dot(_mm256_loadu_si256((const __m256i *) x3[i].qs), qy), a3);
    }
    *s0 = frugal_hsum_8(a0);
    *s1 = frugal_hsum_8(a1);
    *s2 = frugal_hsum_8(a2);
    *s3 = frugal_hsum_8(a3);
}

// out[r] for the rows [first, last) of a matrix whose rows are row_bytes apart: the span is cut into four quarters
// read side by side; the few rows left over go one at a time.
static inline void frugal_q8_0_matvec(int blocks, const void * matrix, size_t row_bytes, const frugal_q8_0_block * y,
                                      float * out, int64_t first, int64_t last) {
    const char * m = (const char *) matrix;
    const int64_t quarter = (last - first) / 4;
    for (int64_t i = 0; i < quarter; ++i) {
        const int64_t r0 = first + i, r1 = r0 + quarter, r2 = r1 + quarter, r3 = r2 + quarter;
        frugal_q8_0_rows4(blocks,
                          (const frugal_q8_0_block *) (m + r0 * row_bytes), (const frugal_q8_0_block *) (m + r1 * row_bytes),
                          (const frugal_q8_0_block *) (m + r2 * row_bytes), (const frugal_q8_0_block *) (m + r3 * row_bytes),
                          y, out + r0, out + r1, out + r2, out + r3);
    }
    for (int64_t r = first + 4 * quarter; r < last; ++r) {
        out[r] = frugal_q8_0_row(blocks, (const frugal_q8_0_block *) (m + r * row_bytes), y);
    }
}
#endif
