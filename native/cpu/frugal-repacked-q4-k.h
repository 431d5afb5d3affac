// Frugal's products of a Q4_K matrix that llama.cpp repacked at load (block_q4_Kx8: eight rows' super-blocks
// interleaved) times one column of activations quantized to Q8_K (a decoded token), times two or three such columns at
// once (several sequences' decoded tokens in one step), or times a prompt's columns four at a time (llama.cpp's
// block_q8_Kx4).
//
// Why: on one AVX2 core without VNNI a Q4_K product is bound by its arithmetic, not by memory. Row by row (llama.cpp's
// kernel, and Frugal's frugal_q4_k_rows4 on the mapped file) every 32 weights cost their own scale: a shuffle to
// broadcast it and a multiplication to apply it, besides the two nibble multiplications, ≈16 vector instructions per 64
// weights. With eight rows interleaved eight bytes at a time, one 32-byte load holds four rows' eight-byte runs of the
// same sub-blocks, the activations' eight matching bytes are broadcast by a load, and each row's pairs of products
// stay in 16-bit lanes: summed over the four loads of a 32-weight sub-block (at most 4 x 2 x 15 x 128 = 15,360, no
// overflow) before one multiplication by the eight rows' scales — ≈9.5 instructions per 64 weights. Measured on Zen 3
// (one core, TinyLlama's 2,048-wide rows, from L2): 30 GB/s against 20 for frugal_q4_k_rows4; from memory, four row
// groups read side by side (four streams for the hardware prefetcher, as the other kernels do): 22-26 GB/s against
// 16-18. TinyLlama Q4_K_M decode with no .NET (its Q6_K matrices through frugal-matvec-k.h): 31.6 tokens/s against
// 27.0 from the map; llama.cpp's own AVX2 kernel for this layout decoded it at 19-21.
//
// The arithmetic (not llama.cpp's bit for bit; llama.cpp's own kernel for this layout is not its row kernel's either):
// per row and super-block the exact integer sums sumi = sum of scale * (quants . activations) over the eight
// sub-blocks and mins = sum of min * (the activations' 32-sums), then acc = fma(d * y.d, sumi, acc) and acc =
// fma(-(dmin * y.d), mins, acc) in float, super-block after super-block. native/cpu/test/repacked-q4-k-test.c checks it
// against a scalar model of exactly that, bit for bit.
//
// Self-contained besides frugal-matvec-k.h (C and C++): the block layout is ggml's block_q4_Kx8 (repack.h), which
// frugal-repack-hook.c checks.
#pragma once

#include "frugal-matvec-k.h"

#include <string.h>

#if defined(FRUGAL_MATVEC_K)
#define FRUGAL_REPACKED_Q4_K 1

// Eight Q4_K super-blocks: their d and dmin, then for each sub-block g the eight rows' 6-bit scales and mins packed in
// 12 bytes the way one Q4_K block packs its eight sub-blocks' (row r in place of sub-block r), then the quants: bytes
// 64c + 8r .. 64c + 8r + 7 are bytes 8c .. 8c + 7 of row r's own 128.
typedef struct {
    uint16_t d[8];
    uint16_t dmin[8];
    uint8_t scales[96];
    uint8_t qs[1024];
} frugal_q4_kx8_block;

// For the hooks compiled into llama.cpp's repack.cpp files, which name ggml's own types: its block_q4_Kx8 and block_q8_K
// laid out as the kernels read them.
#define FRUGAL_ASSERT_KX8_LAYOUT(q4_kx8, q8_k)                                                                                       \
    static_assert(sizeof(q4_kx8) == sizeof(frugal_q4_kx8_block) && offsetof(q4_kx8, scales) == offsetof(frugal_q4_kx8_block, scales) \
                      && offsetof(q4_kx8, qs) == offsetof(frugal_q4_kx8_block, qs),                                                  \
                  "ggml's block_q4_Kx8 layout changed");                                                                             \
    static_assert(sizeof(q8_k) == sizeof(frugal_q8_k_block) && offsetof(q8_k, bsums) == offsetof(frugal_q8_k_block, bsums),          \
                  "ggml's Q8_K block layout changed")

// One eight-byte run of two sub-blocks (quant bytes q: four rows' eight bytes, then the other four's; y_low: the eight
// activations of the low nibbles' sub-block, y_high the high's), as each row's pairs of products in 16-bit lanes:
// rows 0-3's low nibbles, their high nibbles, rows 4-7's low, their high.
static inline __attribute__((always_inline)) void frugal_q4_kx8_products(const uint8_t * q, const int8_t * y_low, const int8_t * y_high, __m256i products[4]) {
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    const __m256i q0123 = _mm256_loadu_si256((const __m256i *) q);
    const __m256i q4567 = _mm256_loadu_si256((const __m256i *) (q + 32));
    int64_t low, high;
    memcpy(&low, y_low, 8);
    memcpy(&high, y_high, 8);
    const __m256i yl = _mm256_set1_epi64x(low);
    const __m256i yh = _mm256_set1_epi64x(high);
    products[0] = _mm256_maddubs_epi16(_mm256_and_si256(q0123, nibble), yl);
    products[1] = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q0123, 4), nibble), yh);
    products[2] = _mm256_maddubs_epi16(_mm256_and_si256(q4567, nibble), yl);
    products[3] = _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q4567, 4), nibble), yh);
}

// The eight rows' fp16 d (or dmin) as floats, in the lanes' order 0 1 4 5 2 3 6 7.
static inline __attribute__((always_inline)) __m256 frugal_kx8_halves(const uint16_t h[8]) {
    return _mm256_cvtph_ps(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) h), _mm_setr_epi8(0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 12, 13, 14, 15)));
}

// Sub-blocks 2j and 2j + 1's 12-byte groups (the low nibbles of quant bytes 256j.. and the high), read as 16 bytes from
// 4 before (the bytes frugal_q4_k_scales_mins skips) and decoded side by side: lane 0 sub-block 2j's eight rows'
// scales in bytes 0-7 and mins in 8-15, lane 1 sub-block 2j + 1's.
static inline __attribute__((always_inline)) __m256i frugal_kx8_scales_mins(const frugal_q4_kx8_block * b, int j) {
    return frugal_q4_k_scales_mins(frugal_load_heads(b->scales + 24 * j - 4, b->scales + 24 * j + 8));
}

// One of those sub-blocks' scales (high: 2j + 1's) widened so that 16-bit lanes 4r..4r+3 hold row r's, for rows 0-3
// (the first 32 bytes of each 64 quants) or, with rows_4567, rows 4-7 (the second).
static inline __attribute__((always_inline)) __m256i frugal_kx8_row_scales(__m256i sm, int high, int rows_4567) {
    const __m256i lane = high ? _mm256_permute2x128_si256(sm, sm, 0x11) : _mm256_permute2x128_si256(sm, sm, 0x00);
    return _mm256_shuffle_epi8(lane, rows_4567 ? _mm256_setr_epi8(4, -1, 4, -1, 4, -1, 4, -1, 5, -1, 5, -1, 5, -1, 5, -1, 6, -1, 6, -1, 6, -1, 6, -1, 7, -1, 7, -1, 7, -1, 7, -1)
                                               : _mm256_setr_epi8(0, -1, 0, -1, 0, -1, 0, -1, 1, -1, 1, -1, 1, -1, 1, -1, 2, -1, 2, -1, 2, -1, 2, -1, 3, -1, 3, -1, 3, -1, 3, -1));
}

// The two sub-blocks' mins times the activations' 32-sums (sums32, frugal_q8_k_sums32) of sub-blocks 2j and 2j + 1,
// each row's two products added: rows in the lanes' order.
static inline __attribute__((always_inline)) __m256i frugal_kx8_mins(__m256i sm, __m256i sums32, int j) {
    const __m256i both_mins = _mm256_permute4x64_epi64(sm, _MM_SHUFFLE(3, 1, 3, 1));
    const __m256i pairs = _mm256_shuffle_epi8(both_mins, _mm256_setr_epi8(0, -1, 8, -1, 1, -1, 9, -1, 4, -1, 12, -1, 5, -1, 13, -1, 2, -1, 10, -1, 3, -1, 11, -1, 6,
                                                                          -1, 14, -1, 7, -1, 15, -1));
    return _mm256_madd_epi16(pairs, _mm256_permutevar8x32_epi32(sums32, _mm256_set1_epi32(j)));
}

// One super-block of eight rows times a column's super-block of activations, into acc: the activations' eight-byte
// groups (weights 8t..8t+7) at y_qs + stride * t (8 in a Q8_K block, 32 in llama.cpp's four interleaved columns), their
// scale y_d, their 32-sums (frugal_q8_k_sums32); the rows' results in the lanes in the order 0 1 4 5 2 3 6 7 (the order
// one horizontal add leaves the row sums in; frugal_q4_kx8_store puts them back).
static inline __attribute__((always_inline)) __m256 frugal_q4_kx8_block8(const frugal_q4_kx8_block * b, const int8_t * y_qs, int stride, float y_d,
                                                                        __m256i sums32, __m256 acc) {
    const __m256 yd = _mm256_set1_ps(y_d);
    const __m256 d = _mm256_mul_ps(frugal_kx8_halves(b->d), yd);
    const __m256 dmin = _mm256_mul_ps(frugal_kx8_halves(b->dmin), yd);
    __m256i sumi_0123 = _mm256_setzero_si256(), sumi_4567 = _mm256_setzero_si256(), mins = _mm256_setzero_si256();
    for (int j = 0; j < 4; ++j) {
        const __m256i sm = frugal_kx8_scales_mins(b, j);
        mins = _mm256_add_epi32(mins, frugal_kx8_mins(sm, sums32, j));
        // Summed in 16 bits over the sub-blocks' four eight-byte runs.
        __m256i sums[4];
        // Bytes 8k..8k+7 of the sub-blocks' 32 weights: the activations' groups 8j + k (low) and 8j + 4 + k (high).
        frugal_q4_kx8_products(b->qs + 256 * j, y_qs + stride * 8 * j, y_qs + stride * (8 * j + 4), sums);
        for (int k = 1; k < 4; ++k) {
            __m256i products[4];
            frugal_q4_kx8_products(b->qs + 256 * j + 64 * k, y_qs + stride * (8 * j + k), y_qs + stride * (8 * j + 4 + k), products);
            for (int p = 0; p < 4; ++p) {
                sums[p] = _mm256_add_epi16(sums[p], products[p]);
            }
        }
        sumi_0123 = _mm256_add_epi32(sumi_0123, _mm256_add_epi32(_mm256_madd_epi16(frugal_kx8_row_scales(sm, 0, 0), sums[0]),
                                                                 _mm256_madd_epi16(frugal_kx8_row_scales(sm, 1, 0), sums[1])));
        sumi_4567 = _mm256_add_epi32(sumi_4567, _mm256_add_epi32(_mm256_madd_epi16(frugal_kx8_row_scales(sm, 0, 1), sums[2]),
                                                                 _mm256_madd_epi16(frugal_kx8_row_scales(sm, 1, 1), sums[3])));
    }
    // Each row's two 32-bit halves added: rows 0 1 4 5 | 2 3 6 7.
    acc = _mm256_fmadd_ps(d, _mm256_cvtepi32_ps(_mm256_hadd_epi32(sumi_0123, sumi_4567)), acc);
    return _mm256_fnmadd_ps(dmin, _mm256_cvtepi32_ps(mins), acc);
}

// The eight rows' results in row order.
static inline void frugal_q4_kx8_store(__m256 acc, float * out) {
    _mm256_storeu_ps(out, _mm256_permutevar8x32_ps(acc, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7)));
}

// out[0 .. 8 * groups) for `groups` groups of eight rows (each `blocks` super-blocks, one after another from x) times y:
// four groups from the four quarters of the span side by side, super-block by super-block (four streams), the few
// groups left over one at a time.
static inline void frugal_q4_kx8_matvec(int blocks, const frugal_q4_kx8_block * x, int64_t groups, const frugal_q8_k_block * y, float * out) {
    const int64_t quarter = groups / 4;
    for (int64_t g = 0; g < quarter; ++g) {
        const frugal_q4_kx8_block * const x0 = x + g * blocks;
        const frugal_q4_kx8_block * const x1 = x0 + quarter * blocks;
        const frugal_q4_kx8_block * const x2 = x1 + quarter * blocks;
        const frugal_q4_kx8_block * const x3 = x2 + quarter * blocks;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps(), acc2 = _mm256_setzero_ps(), acc3 = _mm256_setzero_ps();
        for (int i = 0; i < blocks; ++i) {
            const __m256i sums32 = frugal_q8_k_sums32(&y[i]);
            acc0 = frugal_q4_kx8_block8(&x0[i], y[i].qs, 8, y[i].d, sums32, acc0);
            acc1 = frugal_q4_kx8_block8(&x1[i], y[i].qs, 8, y[i].d, sums32, acc1);
            acc2 = frugal_q4_kx8_block8(&x2[i], y[i].qs, 8, y[i].d, sums32, acc2);
            acc3 = frugal_q4_kx8_block8(&x3[i], y[i].qs, 8, y[i].d, sums32, acc3);
        }
        frugal_q4_kx8_store(acc0, out + 8 * g);
        frugal_q4_kx8_store(acc1, out + 8 * (g + quarter));
        frugal_q4_kx8_store(acc2, out + 8 * (g + 2 * quarter));
        frugal_q4_kx8_store(acc3, out + 8 * (g + 3 * quarter));
    }
    for (int64_t g = 4 * quarter; g < groups; ++g) {
        __m256 acc = _mm256_setzero_ps();
        for (int i = 0; i < blocks; ++i) {
            acc = frugal_q4_kx8_block8(&x[g * blocks + i], y[i].qs, 8, y[i].d, frugal_q8_k_sums32(&y[i]), acc);
        }
        frugal_q4_kx8_store(acc, out + 8 * g);
    }
}

// llama.cpp's activations for four columns at once (block_q8_Kx4): their scales, their quants interleaved eight bytes at
// a time (column c's weights 8t..8t+7 at 32t + 8c), their 16-sums (column c's sums of weights 64h..64h+63 at 16h + 4c).
typedef struct {
    float d[4];
    int8_t qs[1024];
    int16_t bsums[64];
} frugal_q8_kx4_block;

// Column c's eight 32-sums, in both 128-bit lanes (as frugal_q8_k_sums32).
static inline __m256i frugal_q8_kx4_sums32(const frugal_q8_kx4_block * y, int c) {
    int64_t h[4];
    memcpy(h, y->bsums + 4 * c, 8);
    memcpy(h + 1, y->bsums + 16 + 4 * c, 8);
    memcpy(h + 2, y->bsums + 32 + 4 * c, 8);
    memcpy(h + 3, y->bsums + 48 + 4 * c, 8);
    return _mm256_broadcastsi128_si256(_mm_hadd_epi16(_mm_set_epi64x(h[1], h[0]), _mm_set_epi64x(h[3], h[2])));
}

// The bytes of repacked weights a tile of row groups holds while every column passes over it (a prompt's batch).
#ifndef FRUGAL_KX8_TILE_BYTES
#define FRUGAL_KX8_TILE_BYTES (96 * 1024)
#endif

// One super-block of eight rows times `columns` (1 to 4) columns' super-blocks of activations, into acc[c]: column c's
// eight-byte groups (weights 8t..8t+7) at y_qs[c] + stride * t (8 in a Q8_K block, 32 in llama.cpp's four interleaved
// columns), its scale y_d[c], its 32-sums sums32[c]. Per (row, column) exactly frugal_q4_kx8_block8's integer sums and
// float operations, so each result equals the one-column one bit for bit. What depends only on the rows is done once for
// the columns — the scales and mins decoded, each 32-byte load of quants split into its nibbles, a sub-block's scales
// widened for the multiplication — and each column costs its own two multiplications per load and one per sub-block and
// four rows. Rows 0-3 then rows 4-7, a sub-block pair at a time: its four loads' split quants (eight registers) stay in
// registers while the columns pass, one column's two 16-bit sums at a time. Four columns (a prompt's): on Zen 3 from L2,
// 3.9 ns a row, column and super-block against 4.9 for the mapped file's four-column kernel
// (frugal_q4_k_rows4_columns); GCC keeps some values on the stack either way, and the loads (a broadcast per eight
// activations) are as many as the arithmetic allows. TinyLlama Q4_K_M's 128-token prompt, no .NET: 68 tokens/s against
// 54.5 from the map, and ≈45 through llama.cpp's own code for this layout. Two or three columns: several sequences'
// decoded tokens in one step (frugal_q4_kx8_matvec_columns). `columns` a constant where it is inlined.
static inline __attribute__((always_inline)) void frugal_q4_kx8_block8_columns(const frugal_q4_kx8_block * b, int columns, const int8_t * const y_qs[],
                                                                              int stride, const float y_d[], const __m256i sums32[], __m256 acc[]) {
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    const __m256 d = frugal_kx8_halves(b->d);
    const __m256 dmin = frugal_kx8_halves(b->dmin);
    __m256i sm[4];
    for (int j = 0; j < 4; ++j) {
        sm[j] = frugal_kx8_scales_mins(b, j);
    }
    // Each sub-block's scales widened for the multiplication, per half: kept in memory (the multiplications read them
    // from there), so that the four runs' split quants stay in registers.
    __m256i scale[2][4][2];
    for (int half = 0; half < 2; ++half) {
        for (int j = 0; j < 4; ++j) {
            scale[half][j][0] = frugal_kx8_row_scales(sm[j], 0, half);
            scale[half][j][1] = frugal_kx8_row_scales(sm[j], 1, half);
        }
    }
    __m256i sumi[2][4], mins[4];
    for (int c = 0; c < columns; ++c) {
        mins[c] = _mm256_setzero_si256();
        for (int j = 0; j < 4; ++j) {
            mins[c] = _mm256_add_epi32(mins[c], frugal_kx8_mins(sm[j], sums32[c], j));
        }
        sumi[0][c] = sumi[1][c] = _mm256_setzero_si256();
    }
    for (int half = 0; half < 2; ++half) {
        for (int j = 0; j < 4; ++j) {
            // The four eight-byte runs' quants (four rows' each) split into their nibbles once, for the columns.
            __m256i q_low[4], q_high[4];
#pragma GCC unroll 4
            for (int k = 0; k < 4; ++k) {
                const __m256i q = _mm256_loadu_si256((const __m256i *) (b->qs + 256 * j + 64 * k + 32 * half));
                q_low[k] = _mm256_and_si256(q, nibble);
                q_high[k] = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
            }
#pragma GCC unroll 4
            for (int c = 0; c < columns; ++c) {
                __m256i low = _mm256_setzero_si256(), high = _mm256_setzero_si256();
#pragma GCC unroll 4
                for (int k = 0; k < 4; ++k) {
                    int64_t yl, yh;
                    memcpy(&yl, y_qs[c] + stride * (8 * j + k), 8);
                    memcpy(&yh, y_qs[c] + stride * (8 * j + 4 + k), 8);
                    low = _mm256_add_epi16(low, _mm256_maddubs_epi16(q_low[k], _mm256_set1_epi64x(yl)));
                    high = _mm256_add_epi16(high, _mm256_maddubs_epi16(q_high[k], _mm256_set1_epi64x(yh)));
                }
                sumi[half][c] = _mm256_add_epi32(sumi[half][c], _mm256_add_epi32(_mm256_madd_epi16(scale[half][j][0], low), _mm256_madd_epi16(scale[half][j][1], high)));
            }
        }
    }
    for (int c = 0; c < columns; ++c) {
        const __m256 yd = _mm256_set1_ps(y_d[c]);
        acc[c] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(_mm256_hadd_epi32(sumi[0][c], sumi[1][c])), acc[c]);
        acc[c] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(mins[c]), acc[c]);
    }
}

// Four columns in llama.cpp's interleaved layout (a prompt's).
static inline __attribute__((always_inline)) void frugal_q4_kx8_block8_columns4(const frugal_q4_kx8_block * b, const frugal_q8_kx4_block * y, __m256 acc[4]) {
    const int8_t * const y_qs[4] = {y->qs, y->qs + 8, y->qs + 16, y->qs + 24};
    const __m256i sums32[4] = {frugal_q8_kx4_sums32(y, 0), frugal_q8_kx4_sums32(y, 1), frugal_q8_kx4_sums32(y, 2), frugal_q8_kx4_sums32(y, 3)};
    frugal_q4_kx8_block8_columns(b, 4, y_qs, 32, y->d, sums32, acc);
}

// How many super-blocks of eight rows ahead the several-column products ask for with software prefetch while they read a
// matrix from memory (0: none). With two or three columns a super-block costs 1.4-2x one column's arithmetic, and the
// four side-by-side streams that keep the one-column kernel fed did not help (microbenchmark, one core, 75 MB matrix):
// asking two super-blocks ahead did, ≈10 % (TinyLlama Q4_K_M, a decode step of 2 / 3 sequences: 58 / 72 ms against
// 63-68 / 76-77 ms without).
#ifndef FRUGAL_KX8_COLUMNS_PREFETCH
#define FRUGAL_KX8_COLUMNS_PREFETCH 2
#endif

// Asks for the super-block FRUGAL_KX8_COLUMNS_PREFETCH after b (a prefetch past a matrix's end does not fault).
static inline __attribute__((always_inline)) void frugal_kx8_prefetch_ahead(const frugal_q4_kx8_block * b) {
#if FRUGAL_KX8_COLUMNS_PREFETCH > 0
    const uintptr_t ahead = (uintptr_t) b + FRUGAL_KX8_COLUMNS_PREFETCH * sizeof(frugal_q4_kx8_block);
    for (size_t line = 0; line < sizeof(frugal_q4_kx8_block); line += 64) {
        _mm_prefetch((const char *) (ahead + line), _MM_HINT_T0);
    }
#else
    (void) b;
#endif
}

// out[c * out_stride + r] for `groups` groups of eight rows times 4 * column_groups columns given as llama.cpp's
// interleaved activations (column group g's super-blocks at y + g * blocks): a tile of row groups that stays in L2,
// then every column group times it, four columns at a time (each result equals frugal_q4_kx8_matvec's for the same
// column bit for bit).
static inline void frugal_q4_kx8_matmul(int blocks, const frugal_q4_kx8_block * x, int64_t groups, const frugal_q8_kx4_block * y, int64_t column_groups,
                                        float * out, size_t out_stride) {
    int64_t tile = (int64_t) (FRUGAL_KX8_TILE_BYTES / (blocks * sizeof(frugal_q4_kx8_block)));
    if (tile < 1) {
        tile = 1;
    }
    for (int64_t start = 0; start < groups; start += tile) {
        const int64_t end = start + tile < groups ? start + tile : groups;
        for (int64_t cg = 0; cg < column_groups; ++cg) {
            const frugal_q8_kx4_block * yc = y + cg * blocks;
            for (int64_t g = start; g < end; ++g) {
                __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
                for (int i = 0; i < blocks; ++i) {
                    frugal_q4_kx8_block8_columns4(&x[g * blocks + i], &yc[i], acc);
                }
                for (int c = 0; c < 4; ++c) {
                    frugal_q4_kx8_store(acc[c], out + (4 * cg + c) * out_stride + 8 * g);
                }
            }
        }
    }
}

// out[c * out_stride + 8g + r] for `groups` groups of eight rows times `columns` (a constant, 1 to 4) columns of plain
// Q8_K activations, column c's super-blocks at y + c * blocks: each group's super-blocks read once for all the columns,
// one after another in memory with prefetch.
static inline __attribute__((always_inline)) void frugal_q4_kx8_matvec_columns_n(int blocks, const frugal_q4_kx8_block * x, int64_t groups,
                                                                                const frugal_q8_k_block * y, int columns, float * out, size_t out_stride) {
    for (int64_t g = 0; g < groups; ++g) {
        __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
        for (int i = 0; i < blocks; ++i) {
            frugal_kx8_prefetch_ahead(&x[g * blocks + i]);
            const int8_t * y_qs[4];
            float y_d[4];
            __m256i sums32[4];
            for (int c = 0; c < columns; ++c) {
                const frugal_q8_k_block * const yc = y + (size_t) c * blocks + i;
                y_qs[c] = yc->qs;
                y_d[c] = yc->d;
                sums32[c] = frugal_q8_k_sums32(yc);
            }
            frugal_q4_kx8_block8_columns(&x[g * blocks + i], columns, y_qs, 8, y_d, sums32, acc);
        }
        for (int c = 0; c < columns; ++c) {
            frugal_q4_kx8_store(acc[c], out + c * out_stride + 8 * g);
        }
    }
}

// A decode step's few columns: several sequences' tokens that llama.cpp quantizes as plain Q8_K rows one after another
// (the columns of a batch past its last multiple of four; ggml's generic repack.cpp would multiply them one at a time,
// each reading the weights again). 2 or 3 columns here; each result equals frugal_q4_kx8_matvec's for that column bit
// for bit. Other counts: 1 through frugal_q4_kx8_matvec, 4 through this kernel too.
static inline void frugal_q4_kx8_matvec_columns(int blocks, const frugal_q4_kx8_block * x, int64_t groups, const frugal_q8_k_block * y, int columns,
                                                float * out, size_t out_stride) {
    switch (columns) {
        case 1:
            frugal_q4_kx8_matvec(blocks, x, groups, y, out);
            break;
        case 2:
            frugal_q4_kx8_matvec_columns_n(blocks, x, groups, y, 2, out, out_stride);
            break;
        case 3:
            frugal_q4_kx8_matvec_columns_n(blocks, x, groups, y, 3, out, out_stride);
            break;
        default:
            frugal_q4_kx8_matvec_columns_n(blocks, x, groups, y, 4, out, out_stride);
            break;
    }
}
#endif
