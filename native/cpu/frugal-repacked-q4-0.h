// Frugal's products of a Q4_0 matrix that llama.cpp repacked at load (block_q4_0x8: eight rows' blocks, their quants
// interleaved eight bytes at a time, each nibble XORed with 8) times one column of Q8_0 activations (a decoded token),
// two or three columns at once (several sequences' tokens), or a prompt's columns four at a time (llama.cpp's
// block_q8_0x4).
//
// Why: llama.cpp's AVX2 / AVX-512 code for this layout turns every nibble into a signed byte through a table and then
// multiplies two signed operands through the sign trick (|x|, y given x's signs) before each unsigned-by-signed
// multiplication: TinyLlama Q4_0 decoded at 0.48-0.60 of the memory ceiling on Zen 3 and Zen 4. Here the nibbles are
// multiplied as they are, unsigned (0..15, the XOR taken back), and the −8 of every weight is taken back once per row and
// block as −8 times the block's 32 activations. One 32-byte load holds four rows' eight-byte runs, the activations' eight
// matching bytes are broadcast, so each row's products fall in two 32-bit lanes — summed with VNNI's vpdpbusd (AVX-512
// VNNI), or as 16-bit pairs (vpmaddubsw: at most 4 x 2 x 15 x 128 = 15,360 over a block, no overflow) widened once (AVX2)
// — and one horizontal add leaves the eight rows' exact block sums in the lanes (order 0 1 4 5 2 3 6 7) for one
// conversion and one fused multiply-add with their scales.
//
// The arithmetic (not llama.cpp's bit for bit): per row and column the exact integer sum of the block's 32 products
// (q − 8) * y, then acc = fma(d(x) * d(y), float(sum), acc) block after block. native/cpu/test/repacked-q4-0-test.c
// checks it against a scalar model of exactly that, bit for bit, both ways of summing.
//
// Self-contained besides frugal-matvec.h (C and C++): the block layouts are ggml's block_q4_0x8 and block_q8_0x4
// (repack.h), which frugal-repack-hook.c checks.
#pragma once

#include "frugal-matvec.h"

#include <string.h>

#if defined(FRUGAL_MATVEC_Q8_0)
#define FRUGAL_REPACKED_Q4_0 1

// Eight Q4_0 blocks: their fp16 scales, then their quants: bytes 8k .. 8k + 7 are bytes 8(k / 8) .. 8(k / 8) + 7 of row
// k % 8's sixteen, each nibble XORed with 8.
typedef struct {
    uint16_t d[8];
    uint8_t qs[128];
} frugal_q4_0x8_block;

// Four columns' Q8_0 blocks: their fp16 scales, then their quants: column c's bytes 8t .. 8t + 7 at 32t + 8c.
typedef struct {
    uint16_t d[4];
    int8_t qs[128];
} frugal_q8_0x4_block;

// The eight rows' fp16 scales as floats, in the lanes' order 0 1 4 5 2 3 6 7.
static inline __attribute__((always_inline)) __m256 frugal_q4_0x8_scales(const uint16_t d[8]) {
    return _mm256_cvtph_ps(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) d), _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15)));
}

// A block's eight rows' quants as unsigned nibbles, split: [0] rows 0-3's bytes 0-7 low nibbles (weights 0-7), [1] their
// high nibbles (weights 16-23), [2] and [3] bytes 8-15's (weights 8-15, 24-31); [4]-[7] rows 4-7's likewise.
static inline __attribute__((always_inline)) void frugal_q4_0x8_nibbles(const frugal_q4_0x8_block * b, __m256i q[8]) {
    const __m256i low = _mm256_set1_epi8(0x0f), flip = _mm256_set1_epi8((char) 0x88);
    for (int h = 0; h < 2; ++h) {
        const __m256i bytes_0_7 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (b->qs + 32 * h)), flip);
        const __m256i bytes_8_15 = _mm256_xor_si256(_mm256_loadu_si256((const __m256i *) (b->qs + 64 + 32 * h)), flip);
        q[4 * h + 0] = _mm256_and_si256(bytes_0_7, low);
        q[4 * h + 1] = _mm256_and_si256(_mm256_srli_epi16(bytes_0_7, 4), low);
        q[4 * h + 2] = _mm256_and_si256(bytes_8_15, low);
        q[4 * h + 3] = _mm256_and_si256(_mm256_srli_epi16(bytes_8_15, 4), low);
    }
}

// Four rows' products with a column's four eight-byte groups (y[0]: weights 0-7, y[1]: 8-15, y[2]: 16-23, y[3]: 24-31,
// each broadcast), each row's in two 32-bit lanes: q as frugal_q4_0x8_nibbles gives them, from q[first].
static inline __attribute__((always_inline)) __m256i frugal_q4_0x8_rows4(const __m256i * q, const __m256i y[4]) {
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
    __m256i sum = _mm256_dpbusd_epi32(_mm256_setzero_si256(), q[0], y[0]);
    sum = _mm256_dpbusd_epi32(sum, q[1], y[2]);
    sum = _mm256_dpbusd_epi32(sum, q[2], y[1]);
    return _mm256_dpbusd_epi32(sum, q[3], y[3]);
#else
    const __m256i pairs = _mm256_add_epi16(_mm256_add_epi16(_mm256_maddubs_epi16(q[0], y[0]), _mm256_maddubs_epi16(q[1], y[2])),
                                           _mm256_add_epi16(_mm256_maddubs_epi16(q[2], y[1]), _mm256_maddubs_epi16(q[3], y[3])));
    return _mm256_madd_epi16(pairs, _mm256_set1_epi16(1));
#endif
}

// One block of eight rows (split quants q, scales dx in lane order) times one column's block (its four eight-byte groups
// y, −8 times the sum of its activations, its scale), into acc: rows in the lanes' order 0 1 4 5 2 3 6 7.
static inline __attribute__((always_inline)) __m256 frugal_q4_0x8_block8(const __m256i q[8], __m256 dx, const __m256i y[4], int32_t minus_8_sum, float dy, __m256 acc) {
    const __m256i sums = _mm256_add_epi32(_mm256_hadd_epi32(frugal_q4_0x8_rows4(q, y), frugal_q4_0x8_rows4(q + 4, y)), _mm256_set1_epi32(minus_8_sum));
    return _mm256_fmadd_ps(_mm256_mul_ps(dx, _mm256_set1_ps(dy)), _mm256_cvtepi32_ps(sums), acc);
}

// The eight rows' results in row order.
static inline void frugal_q4_0x8_store(__m256 acc, float * out) {
    _mm256_storeu_ps(out, _mm256_permutevar8x32_ps(acc, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7)));
}

// −8 times the sum of 32 activations.
static inline int32_t frugal_q8_minus_8_sum(const int8_t * qs) {
    const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), _mm256_loadu_si256((const __m256i *) qs));
    return -8 * frugal_hsum_epi32_8(_mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
}

// A column's block's four eight-byte groups (bytes 8t .. 8t + 7 at qs + stride * t), each broadcast.
static inline __attribute__((always_inline)) void frugal_q8_groups(const int8_t * qs, int stride, __m256i y[4]) {
    for (int t = 0; t < 4; ++t) {
        int64_t group;
        memcpy(&group, qs + stride * t, 8);
        y[t] = _mm256_set1_epi64x(group);
    }
}

// One row group's block times one column's Q8_0 block.
static inline __attribute__((always_inline)) __m256 frugal_q4_0x8_times_q8_0(const frugal_q4_0x8_block * b, const frugal_q8_0_block * y, int32_t minus_8_sum, __m256 acc) {
    __m256i q[8], groups[4];
    frugal_q4_0x8_nibbles(b, q);
    frugal_q8_groups(y->qs, 8, groups);
    return frugal_q4_0x8_block8(q, frugal_q4_0x8_scales(b->d), groups, minus_8_sum, _cvtsh_ss(y->d), acc);
}

// The widest rows the one-column product takes (blocks of 32; their −8 sums are on the stack).
#define FRUGAL_Q4_0X8_MAX_BLOCKS 4096

// out[0 .. 8 * groups) for `groups` groups of eight rows (each `blocks` blocks, one after another from x) times one
// column y: four groups from the four quarters of the span side by side, block by block (four streams for the hardware
// prefetcher), the few groups left over one at a time. blocks <= FRUGAL_Q4_0X8_MAX_BLOCKS.
static inline void frugal_q4_0x8_matvec(int blocks, const frugal_q4_0x8_block * x, int64_t groups, const frugal_q8_0_block * y, float * out) {
    int32_t minus_8_sum[FRUGAL_Q4_0X8_MAX_BLOCKS];
    for (int i = 0; i < blocks; ++i) {
        minus_8_sum[i] = frugal_q8_minus_8_sum(y[i].qs);
    }
    const int64_t quarter = groups / 4;
    for (int64_t g = 0; g < quarter; ++g) {
        const frugal_q4_0x8_block * const x0 = x + g * blocks;
        const frugal_q4_0x8_block * const x1 = x0 + quarter * blocks;
        const frugal_q4_0x8_block * const x2 = x1 + quarter * blocks;
        const frugal_q4_0x8_block * const x3 = x2 + quarter * blocks;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
        for (int i = 0; i < blocks; ++i) {
            acc0 = frugal_q4_0x8_times_q8_0(&x0[i], &y[i], minus_8_sum[i], acc0);
            acc1 = frugal_q4_0x8_times_q8_0(&x1[i], &y[i], minus_8_sum[i], acc1);
            acc2 = frugal_q4_0x8_times_q8_0(&x2[i], &y[i], minus_8_sum[i], acc2);
            acc3 = frugal_q4_0x8_times_q8_0(&x3[i], &y[i], minus_8_sum[i], acc3);
        }
        frugal_q4_0x8_store(acc0, out + 8 * g);
        frugal_q4_0x8_store(acc1, out + 8 * (g + quarter));
        frugal_q4_0x8_store(acc2, out + 8 * (g + 2 * quarter));
        frugal_q4_0x8_store(acc3, out + 8 * (g + 3 * quarter));
    }
    for (int64_t g = 4 * quarter; g < groups; ++g) {
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < blocks; ++i) {
            acc = frugal_q4_0x8_times_q8_0(&x[g * blocks + i], &y[i], minus_8_sum[i], acc);
        }
        frugal_q4_0x8_store(acc, out + 8 * g);
    }
}

// −8 times the sums of four interleaved columns' activations of one block (llama.cpp's block_q8_0x4), in column order.
static inline void frugal_q8_0x4_minus_8_sums(const frugal_q8_0x4_block * y, int32_t out[4]) {
    // Each 32-byte run holds eight bytes of every column; a column's bytes end up in one 64-bit lane, then one 32-bit lane.
    __m256i sums = _mm256_setzero_si256();
    for (int t = 0; t < 4; ++t) {
        const __m256i pairs = _mm256_maddubs_epi16(_mm256_set1_epi8(1), _mm256_loadu_si256((const __m256i *) (y->qs + 32 * t)));
        sums = _mm256_add_epi32(sums, _mm256_madd_epi16(pairs, _mm256_set1_epi16(1)));
    }
    // Lanes [c0 c0 c1 c1 | c2 c2 c3 c3] -> [c0 c1 c0 c1 | c2 c3 c2 c3].
    const __m256i per_column = _mm256_hadd_epi32(sums, sums);
    out[0] = -8 * _mm256_extract_epi32(per_column, 0);
    out[1] = -8 * _mm256_extract_epi32(per_column, 1);
    out[2] = -8 * _mm256_extract_epi32(per_column, 4);
    out[3] = -8 * _mm256_extract_epi32(per_column, 5);
}

// out[c * out_stride + 8g + r] for `groups` groups of eight rows times `columns` (a constant, 2 or 3) columns of plain
// Q8_0 activations, column c's blocks at y + c * blocks: a decode step's few columns (several sequences' tokens past a
// batch's last multiple of four), each group's blocks read once for all of them, in memory order, the block two ahead
// asked for (each result equals frugal_q4_0x8_matvec's for that column bit for bit). blocks <= FRUGAL_Q4_0X8_MAX_BLOCKS.
static inline __attribute__((always_inline)) void frugal_q4_0x8_matvec_columns_n(int blocks, const frugal_q4_0x8_block * x, int64_t groups,
                                                                                const frugal_q8_0_block * y, int columns, float * out, size_t out_stride) {
    int32_t minus_8_sum[3 * FRUGAL_Q4_0X8_MAX_BLOCKS];
    for (int i = 0; i < columns * blocks; ++i) {
        minus_8_sum[i] = frugal_q8_minus_8_sum(y[i].qs);
    }
    for (int64_t g = 0; g < groups; ++g) {
        __m256 acc[3] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        for (int i = 0; i < blocks; ++i) {
            const frugal_q4_0x8_block * const b = &x[g * blocks + i];
            for (size_t line = 0; line < sizeof *b; line += 64) {
                _mm_prefetch((const char *) (b + 2) + line, _MM_HINT_T0);
            }
            __m256i q[8];
            frugal_q4_0x8_nibbles(b, q);
            const __m256 dx = frugal_q4_0x8_scales(b->d);
            for (int c = 0; c < columns; ++c) {
                const frugal_q8_0_block * const yc = &y[c * blocks + i];
                __m256i groups_c[4];
                frugal_q8_groups(yc->qs, 8, groups_c);
                acc[c] = frugal_q4_0x8_block8(q, dx, groups_c, minus_8_sum[c * blocks + i], _cvtsh_ss(yc->d), acc[c]);
            }
        }
        for (int c = 0; c < columns; ++c) {
            frugal_q4_0x8_store(acc[c], out + c * out_stride + 8 * g);
        }
    }
}

// 1 to 3 columns of plain Q8_0 activations (column c's blocks at y + c * blocks): one through frugal_q4_0x8_matvec,
// two or three at once.
static inline void frugal_q4_0x8_matvec_columns(int blocks, const frugal_q4_0x8_block * x, int64_t groups, const frugal_q8_0_block * y, int columns,
                                                float * out, size_t out_stride) {
    switch (columns) {
        case 1:
            frugal_q4_0x8_matvec(blocks, x, groups, y, out);
            break;
        case 2:
            frugal_q4_0x8_matvec_columns_n(blocks, x, groups, y, 2, out, out_stride);
            break;
        default:
            frugal_q4_0x8_matvec_columns_n(blocks, x, groups, y, 3, out, out_stride);
            break;
    }
}

// The bytes of repacked weights a tile of row groups holds while every column passes over it (a prompt's batch).
#ifndef FRUGAL_Q4_0X8_TILE_BYTES
#define FRUGAL_Q4_0X8_TILE_BYTES (96 * 1024)
#endif

// out[c * out_stride + r] for `groups` groups of eight rows times 4 * column_groups columns given as llama.cpp's
// interleaved activations (column group g's blocks at y + g * blocks): a tile of row groups that stays in L2, then every
// column group times it, each block's quants split once for the four columns (each result equals
// frugal_q4_0x8_matvec's for the same column bit for bit). blocks <= FRUGAL_Q4_0X8_MAX_BLOCKS.
static inline void frugal_q4_0x8_matmul(int blocks, const frugal_q4_0x8_block * x, int64_t groups, const frugal_q8_0x4_block * y, int64_t column_groups,
                                        float * out, size_t out_stride) {
    int32_t minus_8_sums[4 * FRUGAL_Q4_0X8_MAX_BLOCKS];
    int64_t tile = (int64_t) (FRUGAL_Q4_0X8_TILE_BYTES / (blocks * sizeof(frugal_q4_0x8_block)));
    if (tile < 1) {
        tile = 1;
    }
    for (int64_t start = 0; start < groups; start += tile) {
        const int64_t end = start + tile < groups ? start + tile : groups;
        for (int64_t cg = 0; cg < column_groups; ++cg) {
            const frugal_q8_0x4_block * const yc = y + cg * blocks;
            for (int i = 0; i < blocks; ++i) {
                frugal_q8_0x4_minus_8_sums(&yc[i], minus_8_sums + 4 * i);
            }
            for (int64_t g = start; g < end; ++g) {
                __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
                for (int i = 0; i < blocks; ++i) {
                    const frugal_q4_0x8_block * const b = &x[g * blocks + i];
                    __m256i q[8];
                    frugal_q4_0x8_nibbles(b, q);
                    const __m256 dx = frugal_q4_0x8_scales(b->d);
#pragma GCC unroll 4
                    for (int c = 0; c < 4; ++c) {
                        __m256i groups_c[4];
                        frugal_q8_groups(yc[i].qs + 8 * c, 32, groups_c);
                        acc[c] = frugal_q4_0x8_block8(q, dx, groups_c, minus_8_sums[4 * i + c], _cvtsh_ss(yc[i].d[c]), acc[c]);
                    }
                }
                for (int c = 0; c < 4; ++c) {
                    frugal_q4_0x8_store(acc[c], out + (4 * cg + c) * out_stride + 8 * g);
                }
            }
        }
    }
}
#endif
