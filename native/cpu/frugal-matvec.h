// Frugal's matrix-vector product for Q8_0 weights (one decoded token: the activations are one column).
//
// Why: llama.cpp computes a Q8_0 matrix times a vector row after row, so one core reads the weights as one sequential
// stream. On an AMD Zen 3 core one stream reads ~20 GB/s where four read ~28, and llama.cpp's loop reached ~14.5 GB/s
// (0.47 of the measured ceiling). Here four rows from four quarters of the matrix are computed together, so the
// hardware prefetcher runs four streams; each row's arithmetic is llama.cpp's AVX2 arithmetic in the same order, so
// every result is bit-for-bit the one llama.cpp's own kernel gives.
// A matrix without a -128 byte (all of llama.cpp's quantizer writes: it rounds to -127..127) takes the signs the other
// way round — |y| once per block for the four rows, x given y's signs — one instruction less a row and block, the same
// products; a -128 byte would wrap when negated, so a matrix holding one keeps llama.cpp's order (frugal-hook.c checks
// each weight matrix once).
//
// Self-contained (no ggml header): the block layout is ggml's block_q8_0 (an fp16 scale, then 32 signed bytes).
#pragma once

#include <stdbool.h>
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

// The sum of eight 32-bit integers.
static inline int32_t frugal_hsum_epi32_8(__m256i x) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(x), _mm256_extracti128_si256(x, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

// The 32 products of one block pair, summed pairwise into 8 floats (the signs moved onto y: maddubs multiplies
// unsigned by signed bytes).
static inline __m256 frugal_block_dot(__m256i x, __m256i y) {
    const __m256i ax = _mm256_sign_epi8(x, x);
    const __m256i sy = _mm256_sign_epi8(y, x);
    const __m256i pairs = _mm256_maddubs_epi16(ax, sy);
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// The same 8 sums with y's signs moved onto x and |y| (ay) taken once for several rows: exact only when x holds no
// -128 byte (its negation wraps), which the caller has checked.
static inline __m256 frugal_block_dot_ay(__m256i x, __m256i y, __m256i ay) {
    const __m256i pairs = _mm256_maddubs_epi16(ay, _mm256_sign_epi8(x, y));
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

// Four rows at once, each with its own accumulator; y's block is loaded once for the four. The four rows' scales are
// gathered in an integer register, converted and multiplied by y's (dy: y's scales as floats) with one instruction
// each, and broadcast from memory (a load): per block and row, the vector pipes do only the dot product and its
// multiply-add — 15 % more blocks a second from L2 than a scale converted and broadcast per row. The same products,
// rounded the same way: every result is llama.cpp's bit for bit. without_min: no row holds a -128 byte (see above).
static inline __attribute__((always_inline)) void frugal_q8_0_rows4(int blocks, const frugal_q8_0_block * x0, const frugal_q8_0_block * x1,
                                                                    const frugal_q8_0_block * x2, const frugal_q8_0_block * x3,
                                                                    const frugal_q8_0_block * y, const float * dy, bool without_min,
                                                                    float * s0, float * s1, float * s2, float * s3) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    float d[4] __attribute__((aligned(16)));
    for (int i = 0; i < blocks; ++i) {
        const __m256i qy = _mm256_loadu_si256((const __m256i *) y[i].qs);
        const __m256i ay = _mm256_sign_epi8(qy, qy);
        const uint64_t dx = (uint64_t) x0[i].d | ((uint64_t) x1[i].d << 16) | ((uint64_t) x2[i].d << 32) | ((uint64_t) x3[i].d << 48);
        _mm_store_ps(d, _mm_mul_ps(_mm_cvtph_ps(_mm_cvtsi64_si128((long long) dx)), _mm_broadcast_ss(dy + i)));
        // Keeps the four broadcasts as loads of d (without it GCC shuffles them out of the register, on the busy pipes).
        __asm__ volatile("" ::: "memory");
        const __m256i q0 = _mm256_loadu_si256((const __m256i *) x0[i].qs), q1 = _mm256_loadu_si256((const __m256i *) x1[i].qs);
        const __m256i q2 = _mm256_loadu_si256((const __m256i *) x2[i].qs), q3 = _mm256_loadu_si256((const __m256i *) x3[i].qs);
        a0 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 0), without_min ? frugal_block_dot_ay(q0, qy, ay) : frugal_block_dot(q0, qy), a0);
        a1 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 1), without_min ? frugal_block_dot_ay(q1, qy, ay) : frugal_block_dot(q1, qy), a1);
        a2 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 2), without_min ? frugal_block_dot_ay(q2, qy, ay) : frugal_block_dot(q2, qy), a2);
        a3 = _mm256_fmadd_ps(_mm256_broadcast_ss(d + 3), without_min ? frugal_block_dot_ay(q3, qy, ay) : frugal_block_dot(q3, qy), a3);
    }
    *s0 = frugal_hsum_8(a0);
    *s1 = frugal_hsum_8(a1);
    *s2 = frugal_hsum_8(a2);
    *s3 = frugal_hsum_8(a3);
}

// True when a byte of the rows [0, rows) of a matrix (blocks a row, rows row_bytes apart) is -128.
static inline bool frugal_q8_0_holds_min(int blocks, const void * matrix, size_t row_bytes, int64_t rows) {
    __m256i lowest = _mm256_set1_epi8(127);
    for (int64_t r = 0; r < rows; ++r) {
        const frugal_q8_0_block * x = (const frugal_q8_0_block *) ((const char *) matrix + r * row_bytes);
        for (int i = 0; i < blocks; ++i) {
            lowest = _mm256_min_epi8(lowest, _mm256_loadu_si256((const __m256i *) x[i].qs));
        }
    }
    return _mm256_movemask_epi8(_mm256_cmpeq_epi8(lowest, _mm256_set1_epi8(-128))) != 0;
}

// The longest row whose y scales frugal_q8_0_matvec converts once on the stack (16 KiB; 131,072 weights — a model's
// longest rows are a few thousand blocks). Longer rows go one at a time through frugal_q8_0_row, with the same results.
#define FRUGAL_Q8_0_MAX_BLOCKS 4096

// out[r] for the rows [first, last) of a matrix whose rows are row_bytes apart: the span is cut into four quarters
// read side by side; the few rows left over go one at a time. without_min: the caller knows no row holds a -128 byte.
static inline void frugal_q8_0_matvec(int blocks, const void * matrix, size_t row_bytes, const frugal_q8_0_block * y,
                                      bool without_min, float * out, int64_t first, int64_t last) {
    const char * m = (const char *) matrix;
    const int64_t quarter = blocks <= FRUGAL_Q8_0_MAX_BLOCKS ? (last - first) / 4 : 0;
    if (quarter > 0) {
        float dy[FRUGAL_Q8_0_MAX_BLOCKS];
        for (int i = 0; i < blocks; ++i) {
            dy[i] = _cvtsh_ss(y[i].d);
        }
        for (int64_t i = 0; i < quarter; ++i) {
            const int64_t r0 = first + i, r1 = r0 + quarter, r2 = r1 + quarter, r3 = r2 + quarter;
            const frugal_q8_0_block * x0 = (const frugal_q8_0_block *) (m + r0 * row_bytes), * x1 = (const frugal_q8_0_block *) (m + r1 * row_bytes);
            const frugal_q8_0_block * x2 = (const frugal_q8_0_block *) (m + r2 * row_bytes), * x3 = (const frugal_q8_0_block *) (m + r3 * row_bytes);
            // Two copies of the loop, one for each sign order (the flag is a constant in each).
            if (without_min) {
                frugal_q8_0_rows4(blocks, x0, x1, x2, x3, y, dy, true, out + r0, out + r1, out + r2, out + r3);
            } else {
                frugal_q8_0_rows4(blocks, x0, x1, x2, x3, y, dy, false, out + r0, out + r1, out + r2, out + r3);
            }
        }
    }
    for (int64_t r = first + 4 * quarter; r < last; ++r) {
        out[r] = frugal_q8_0_row(blocks, (const frugal_q8_0_block *) (m + r * row_bytes), y);
    }
}
#endif
