// Frugal's matrix-vector products for the K-quant weights of Q4_K_M, Q5_K_M and Q6_K files: Q4_K, Q5_K and Q6_K
// matrices times one column of activations quantized to Q8_K (a decoded token), or times a prompt's batch of columns.
//
// Why: as for Q8_0 (frugal-matvec.h), llama.cpp computes these row after row, one stream of weights on one core; and
// its Q4_K row is arithmetic-bound besides (≈86 instructions per 256 weights on Zen 3, a third of them decoding the
// row's scales and block scales). Here four rows from four quarters of the matrix are computed together, so the
// hardware prefetcher runs four streams, and the work that does not depend on the row — the activations' loads and
// their block sums — is done once for the four. Each row's integer sums are the ones llama.cpp's AVX2 kernel forms
// (integer arithmetic is exact, so the scales may be decoded and applied in another way: two rows' scales are
// decoded side by side in one register, and each 16-bit scale is broadcast with one shuffle), and the float
// operations — the fused multiply-adds into eight lanes (four for Q4_K's mins, one for Q5_K's), the final sums — are
// llama.cpp's, in its order, so every result is bit-for-bit the one llama.cpp's own kernel gives.
//
// A prompt's batch goes over tiles of rows that stay in L2 while every column passes (frugal_k_matmul), four columns at
// a time through kernels that unpack each super-block's weights once for the four (frugal_q4_k_rows4_columns etc.) —
// about half the one-column kernel's instructions are that unpacking, the rest mostly its multiplications — with each
// (row, column) again the one-column arithmetic. TinyLlama's 128-token prompt on Zen 3, one core, medians of six
// alternating rounds: Q4_K_M 34.9 tokens/s column by column -> 49.1, Q6_K 25.9 -> 43.6, Q5_K_M 27.1 -> 42.8 (llama.cpp's
// row loop: ≈0.75 of column by column). Eight columns at a time, or six, measured no faster than four.
//
// Self-contained (no ggml header): the block layouts are ggml's block_q4_K, block_q5_K, block_q6_K and block_q8_K
// (frugal-hook.c checks their sizes against ggml's).
#pragma once

#include "frugal-matvec.h"

#if defined(FRUGAL_MATVEC_Q8_0)
#define FRUGAL_MATVEC_K 1

// 256 weights: an fp16 scale for the scales and one for the mins, eight 6-bit scales and eight 6-bit mins packed in
// 12 bytes, 128 bytes of 4-bit quants (bytes 32j..32j+31: sub-block 2j in the low nibbles, 2j+1 in the high).
typedef struct {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[128];
} frugal_q4_k_block;

// 256 weights: Q4_K's block with each quant's fifth bit: bit k of qh[l] is the high bit of weight l of sub-block k.
typedef struct {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qh[32];
    uint8_t qs[128];
} frugal_q5_k_block;

// 256 weights: the low four bits of each 6-bit quant, the high two, sixteen signed 8-bit scales, an fp16 scale.
typedef struct {
    uint8_t ql[128];
    uint8_t qh[64];
    int8_t scales[16];
    uint16_t d;
} frugal_q6_k_block;

// The activations: a float scale, 256 signed bytes and the sums of each 16 of them.
typedef struct {
    float d;
    int8_t qs[256];
    int16_t bsums[16];
} frugal_q8_k_block;

// llama.cpp's final sum of Q4_K's four min lanes: (m0 + m2) + (m1 + m3).
static inline float frugal_hsum_4(__m128 x) {
    x = _mm_add_ps(x, _mm_movehl_ps(x, x));
    x = _mm_add_ss(x, _mm_movehdup_ps(x));
    return _mm_cvtss_f32(x);
}

// Two rows' 16-byte block heads (fp16 d, fp16 dmin, the 12 scale bytes), one per 128-bit lane, to each lane's eight
// scales in bytes 0-7 and eight mins in bytes 8-15: the unpacking llama.cpp does with 32-bit words, for both at once.
// In 32-bit words u0 u1 u2 (scale bytes 0-3, 4-7, 8-11): scales 0-3 = u0 & 0x3f.., 4-7 = (u2 & 0x0f..) | the top two
// bits of u0 at bits 4-5, mins 0-3 = u1 & 0x3f.., 4-7 = (u2 >> 4 & 0x0f..) | the top two bits of u1 at bits 4-5.
static inline __m256i frugal_q4_k_scales_mins(__m256i heads) {
    const __m256i low = _mm256_and_si256(_mm256_srlv_epi32(_mm256_shuffle_epi32(heads, _MM_SHUFFLE(3, 2, 3, 1)), _mm256_setr_epi32(0, 0, 0, 4, 0, 0, 0, 4)),
                                         _mm256_setr_epi32(0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f, 0x3f3f3f3f, 0x0f0f0f0f));
    const __m256i high = _mm256_and_si256(_mm256_srli_epi32(_mm256_shuffle_epi32(heads, _MM_SHUFFLE(2, 0, 1, 0)), 2),
                                          _mm256_setr_epi32(0, 0x30303030, 0, 0x30303030, 0, 0x30303030, 0, 0x30303030));
    return _mm256_or_si256(low, high);
}

static inline __m256i frugal_load_heads(const void * a, const void * b) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *) a)), _mm_loadu_si128((const __m128i *) b), 1);
}

// Four rows' d and dmin as floats, from rows 0 and 1's block heads and rows 2 and 3's: d0 dmin0 d1 dmin1 d2 dmin2 d3
// dmin3.
static inline __m256 frugal_k_d_dmin_halves(__m256i heads01, __m256i heads23) {
    return _mm256_cvtph_ps(_mm256_castsi256_si128(_mm256_permutevar8x32_epi32(_mm256_unpacklo_epi32(heads01, heads23), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7))));
}

// Those times the activations' scale: llama.cpp's two products per row, d = y.d * x.d and dmin = -y.d * x.dmin.
static inline __m256 frugal_k_d_dmin_times(__m256 halves, float y_d) {
    return _mm256_mul_ps(halves, _mm256_xor_ps(_mm256_set1_ps(y_d), _mm256_setr_ps(0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f)));
}

// Both at once, for the one-column kernels: d0 dmin0 d1 dmin1 d2 dmin2 d3 dmin3, each x's fp16 times y.d (or -y.d).
static inline __m256 frugal_k_d_dmin(__m256i heads01, __m256i heads23, float y_d) {
    const __m256i halves = _mm256_permutevar8x32_epi32(_mm256_unpacklo_epi32(heads01, heads23), _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    const __m256 yd = _mm256_xor_ps(_mm256_set1_ps(y_d), _mm256_setr_ps(0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f, 0.0f, -0.0f));
    return _mm256_mul_ps(_mm256_cvtph_ps(_mm256_castsi256_si128(halves)), yd);
}

// A Q8_K block's eight 32-sums of its activations, in both 128-bit lanes (what a Q4_K or Q5_K row's mins multiply).
static inline __m256i frugal_q8_k_sums32(const frugal_q8_k_block * y) {
    return _mm256_broadcastsi128_si256(_mm_hadd_epi16(_mm_loadu_si128((const __m128i *) y->bsums), _mm_loadu_si128((const __m128i *) y->bsums + 1)));
}

// GCC schedules the Q4_K kernel before register allocation, under register pressure: without it GCC keeps some twenty
// vectors alive across the four rows and spills them, ≈10 % slower (one core, microbenchmark from L1; clang needs no
// hint, and the Q6_K kernel gains nothing from it).
#if defined(__GNUC__) && !defined(__clang__)
#define FRUGAL_SCHEDULE_UNDER_PRESSURE __attribute__((optimize("schedule-insns", "sched-pressure")))
#else
#define FRUGAL_SCHEDULE_UNDER_PRESSURE
#endif

// Four Q4_K rows times y. Per row and block, llama.cpp's sums: sumi (eight 32-bit lanes, lane k holding bytes 4k..4k+3
// of each 32-byte run of quants times their sub-block's scale) into acc with d = y.d * x.d, and the mins times the
// activations' 32-sums (four lanes) into acc_m with dmin = -y.d * x.dmin; out = hsum(acc) + hsum(acc_m).
FRUGAL_SCHEDULE_UNDER_PRESSURE
static inline void frugal_q4_k_rows4(int blocks, const char * const rows[4], const frugal_q8_k_block * y, float out[4]) {
    const frugal_q4_k_block * const x[4] = {(const frugal_q4_k_block *) rows[0], (const frugal_q4_k_block *) rows[1], (const frugal_q4_k_block *) rows[2], (const frugal_q4_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    __m256 acc_m[2] = {_mm256_setzero_ps(), _mm256_setzero_ps()}; // rows 2p and 2p+1, four lanes each
    for (int i = 0; i < blocks; ++i) {
        const __m256i sums32 = frugal_q8_k_sums32(&y[i]);
        const __m256i heads01 = frugal_load_heads(&x[0][i], &x[1][i]);
        const __m256i heads23 = frugal_load_heads(&x[2][i], &x[3][i]);
        const __m256 dm = frugal_k_d_dmin(heads01, heads23, y[i].d);
        const __m256i sm01 = frugal_q4_k_scales_mins(heads01);
        const __m256i sm23 = frugal_q4_k_scales_mins(heads23);
        const __m256i mins01 = _mm256_unpackhi_epi8(sm01, _mm256_setzero_si256());
        const __m256i mins23 = _mm256_unpackhi_epi8(sm23, _mm256_setzero_si256());
        acc_m[0] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3)), _mm256_cvtepi32_ps(_mm256_madd_epi16(mins01, sums32)), acc_m[0]);
        acc_m[1] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(5, 5, 5, 5, 7, 7, 7, 7)), _mm256_cvtepi32_ps(_mm256_madd_epi16(mins23, sums32)), acc_m[1]);
        // Each row's eight scale bytes in every 64-bit quarter: a shuffle then puts scale s, zero-extended, in each 16 bits.
        const __m256i scales[4] = {_mm256_permute4x64_epi64(sm01, 0x00), _mm256_permute4x64_epi64(sm01, 0xaa),
                                   _mm256_permute4x64_epi64(sm23, 0x00), _mm256_permute4x64_epi64(sm23, 0xaa)};
        __m256i sumi[4] = {_mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256(), _mm256_setzero_si256()};
        for (int j = 0; j < 4; ++j) {
            const __m256i y_low = _mm256_loadu_si256((const __m256i *) (y[i].qs + 64 * j));
            const __m256i y_high = _mm256_loadu_si256((const __m256i *) (y[i].qs + 64 * j + 32));
            const __m256i pick_low = _mm256_set1_epi16((short) (0x8000 | (2 * j)));
            const __m256i pick_high = _mm256_set1_epi16((short) (0x8000 | (2 * j + 1)));
            for (int r = 0; r < 4; ++r) {
                const __m256i q = _mm256_loadu_si256((const __m256i *) (x[r][i].qs + 32 * j));
                const __m256i low = _mm256_madd_epi16(_mm256_shuffle_epi8(scales[r], pick_low), _mm256_maddubs_epi16(_mm256_and_si256(q, nibble), y_low));
                const __m256i high = _mm256_madd_epi16(_mm256_shuffle_epi8(scales[r], pick_high), _mm256_maddubs_epi16(_mm256_and_si256(_mm256_srli_epi16(q, 4), nibble), y_high));
                sumi[r] = _mm256_add_epi32(sumi[r], _mm256_add_epi32(low, high));
            }
        }
        for (int r = 0; r < 4; ++r) {
            acc[r] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, _mm256_set1_epi32(2 * r)), _mm256_cvtepi32_ps(sumi[r]), acc[r]);
        }
    }
    for (int r = 0; r < 4; ++r) {
        const __m256 m = acc_m[r / 2];
        out[r] = frugal_hsum_8(acc[r]) + frugal_hsum_4(r % 2 == 0 ? _mm256_castps256_ps128(m) : _mm256_extractf128_ps(m, 1));
    }
}

// The columns a prompt's kernels take at once (frugal_k_matmul): each super-block's weights are unpacked once for
// them all.
#define FRUGAL_K_COLUMNS 4

// Four Q4_K or Q5_K rows' super-block heads (the same 16 bytes first in both blocks) decoded for the several-column
// kernels: d and dmin as floats (frugal_k_d_dmin_halves), rows 0 and 1's scales and mins side by side (sm01), rows 2 and
// 3's (sm23), and their mins widened to 16 bits.
typedef struct {
    __m256 halves;
    __m256i sm01, sm23, mins01, mins23;
} frugal_k_heads4;

static inline __attribute__((always_inline)) frugal_k_heads4 frugal_k_decode_heads4(const void * x0, const void * x1, const void * x2, const void * x3) {
    const __m256i heads01 = frugal_load_heads(x0, x1);
    const __m256i heads23 = frugal_load_heads(x2, x3);
    frugal_k_heads4 h;
    h.halves = frugal_k_d_dmin_halves(heads01, heads23);
    h.sm01 = frugal_q4_k_scales_mins(heads01);
    h.sm23 = frugal_q4_k_scales_mins(heads23);
    h.mins01 = _mm256_unpackhi_epi8(h.sm01, _mm256_setzero_si256());
    h.mins23 = _mm256_unpackhi_epi8(h.sm23, _mm256_setzero_si256());
    return h;
}

// The several-column Q4_K and Q5_K kernels' shared steps. Each row's eight 16-bit scales (rows 0 and 1 decoded side by
// side in sm01, rows 2 and 3 in sm23) broadcast to both 128-bit halves, for one shuffle to pick a sub-block's.
static inline __attribute__((always_inline)) void frugal_k_row_scales(__m256i sm01, __m256i sm23, __m256i scales[4]) {
    scales[0] = _mm256_permute4x64_epi64(sm01, 0x00);
    scales[1] = _mm256_permute4x64_epi64(sm01, 0xaa);
    scales[2] = _mm256_permute4x64_epi64(sm23, 0x00);
    scales[3] = _mm256_permute4x64_epi64(sm23, 0xaa);
}

// One 64-weight run j of a row (sub-blocks 2j and 2j + 1: quants q_low and q_high as unsigned bytes, their scales
// picked from row_scales) times each column's block i, added to sumi[c]: llama.cpp's integer lanes.
static inline __attribute__((always_inline)) void frugal_k_run_columns(__m256i q_low, __m256i q_high, __m256i row_scales, int j,
                                                                       const frugal_q8_k_block * const y[FRUGAL_K_COLUMNS], int i,
                                                                       __m256i sumi[FRUGAL_K_COLUMNS]) {
    const __m256i scale_low = _mm256_shuffle_epi8(row_scales, _mm256_set1_epi16((short) (0x8000 | (2 * j))));
    const __m256i scale_high = _mm256_shuffle_epi8(row_scales, _mm256_set1_epi16((short) (0x8000 | (2 * j + 1))));
    for (int c = 0; c < FRUGAL_K_COLUMNS; ++c) {
        const __m256i y_low = _mm256_loadu_si256((const __m256i *) (y[c][i].qs + 64 * j));
        const __m256i y_high = _mm256_loadu_si256((const __m256i *) (y[c][i].qs + 64 * j + 32));
        const __m256i low = _mm256_madd_epi16(scale_low, _mm256_maddubs_epi16(q_low, y_low));
        const __m256i high = _mm256_madd_epi16(scale_high, _mm256_maddubs_epi16(q_high, y_high));
        sumi[c] = _mm256_add_epi32(sumi[c], _mm256_add_epi32(low, high));
    }
}

// Row r's block sums into its accumulators: acc_r[c] += d (x.d * y[c].d, dm[c][2r]) * sumi[c].
static inline __attribute__((always_inline)) void frugal_k_add_row_sums(__m256 acc_r[FRUGAL_K_COLUMNS], float dm[FRUGAL_K_COLUMNS][8], int r,
                                                                        const __m256i sumi[FRUGAL_K_COLUMNS]) {
    for (int c = 0; c < FRUGAL_K_COLUMNS; ++c) {
        acc_r[c] = _mm256_fmadd_ps(_mm256_broadcast_ss(&dm[c][2 * r]), _mm256_cvtepi32_ps(sumi[c]), acc_r[c]);
    }
}

// Four Q4_K rows times FRUGAL_K_COLUMNS columns y[c] (a prompt's batch), out[c][r]: per (row, column) exactly
// frugal_q4_k_rows4's integer lanes, fused multiply-adds and final sums, so each result is the one-column one bit for
// bit. What depends only on the rows is done once per super-block for all the columns: the heads' scales and mins
// decoded, d and dmin converted, and — the bulk of the one-column kernel's work besides its multiplications — each
// 32-byte run of quants split into its two nibbles and its two scales broadcast; every column then costs its two
// multiplications per run (maddubs, madd) and an add. Row after row within a super-block, the columns side by side:
// the unpacked run (four registers) and the columns' sums (one each) stay in registers; the float accumulators, one
// per (row, column), live in memory (one load and store per super-block, against ≈25 instructions).
FRUGAL_SCHEDULE_UNDER_PRESSURE
static inline void frugal_q4_k_rows4_columns(int blocks, const char * const rows[4], const frugal_q8_k_block * const y[FRUGAL_K_COLUMNS],
                                             float out[FRUGAL_K_COLUMNS][4]) {
    enum { C = FRUGAL_K_COLUMNS };
    const frugal_q4_k_block * const x[4] = {(const frugal_q4_k_block *) rows[0], (const frugal_q4_k_block *) rows[1], (const frugal_q4_k_block *) rows[2], (const frugal_q4_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256 acc[4][C], acc_m[2][C];
    for (int c = 0; c < C; ++c) {
        acc[0][c] = acc[1][c] = acc[2][c] = acc[3][c] = acc_m[0][c] = acc_m[1][c] = _mm256_setzero_ps();
    }
    for (int i = 0; i < blocks; ++i) {
        const frugal_k_heads4 h = frugal_k_decode_heads4(&x[0][i], &x[1][i], &x[2][i], &x[3][i]);
        const __m256 halves = h.halves;
        const __m256i sm01 = h.sm01, sm23 = h.sm23, mins01 = h.mins01, mins23 = h.mins23;
        // Each column's d and dmin for the four rows, kept in memory: a row's d is then broadcast by a load, where a
        // permutation from a register costs three shuffles' work (Zen 3) beside the shuffles the quants need.
        float dm[C][8];
        for (int c = 0; c < C; ++c) {
            const __m256i sums32 = frugal_q8_k_sums32(&y[c][i]);
            const __m256 dm_c = frugal_k_d_dmin_times(halves, y[c][i].d);
            _mm256_storeu_ps(dm[c], dm_c);
            acc_m[0][c] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm_c, _mm256_setr_epi32(1, 1, 1, 1, 3, 3, 3, 3)), _mm256_cvtepi32_ps(_mm256_madd_epi16(mins01, sums32)), acc_m[0][c]);
            acc_m[1][c] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm_c, _mm256_setr_epi32(5, 5, 5, 5, 7, 7, 7, 7)), _mm256_cvtepi32_ps(_mm256_madd_epi16(mins23, sums32)), acc_m[1][c]);
        }
        __m256i scales[4];
        frugal_k_row_scales(sm01, sm23, scales);
        for (int r = 0; r < 4; ++r) {
            __m256i sumi[C];
            for (int c = 0; c < C; ++c) {
                sumi[c] = _mm256_setzero_si256();
            }
            for (int j = 0; j < 4; ++j) {
                const __m256i q = _mm256_loadu_si256((const __m256i *) (x[r][i].qs + 32 * j));
                frugal_k_run_columns(_mm256_and_si256(q, nibble), _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble), scales[r], j, y, i, sumi);
            }
            frugal_k_add_row_sums(acc[r], dm, r, sumi);
        }
    }
    for (int c = 0; c < C; ++c) {
        for (int r = 0; r < 4; ++r) {
            const __m256 m = acc_m[r / 2][c];
            out[c][r] = frugal_hsum_8(acc[r][c]) + frugal_hsum_4(r % 2 == 0 ? _mm256_castps256_ps128(m) : _mm256_extractf128_ps(m, 1));
        }
    }
}

// Bit b of each byte of h moved to bit 4, every other bit cleared (the 16-bit shifts carry bits across bytes, but only
// into positions the mask clears).
static inline __m256i frugal_bit_at_4(__m256i h, int b) {
    const __m256i moved = b < 4 ? _mm256_slli_epi16(h, 4 - b) : b > 4 ? _mm256_srli_epi16(h, b - 4) : h;
    return _mm256_and_si256(moved, _mm256_set1_epi8(0x10));
}

// Four Q5_K rows times y: Q4_K's kernel with each quant's fifth bit added (sub-block k's from bit k of qh), and
// llama.cpp's other way with the mins: per row and block it sums the mins times the activations' 32-sums in integers
// (exact, so done here for the four rows in two horizontal adds) and adds that times dmin = -y.d * x.dmin to one float,
// a fused multiply-add (its scalar line `summs += dmin * sum`, which GCC contracts in ggml's gnu11 build: checked in
// the built library's code); out = hsum(acc) + that float.
static inline void frugal_q5_k_rows4(int blocks, const char * const rows[4], const frugal_q8_k_block * y, float out[4]) {
    const frugal_q5_k_block * const x[4] = {(const frugal_q5_k_block *) rows[0], (const frugal_q5_k_block *) rows[1], (const frugal_q5_k_block *) rows[2], (const frugal_q5_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    __m128 mins = _mm_setzero_ps(); // llama.cpp's summs, row r in lane r
    for (int i = 0; i < blocks; ++i) {
        const __m256i sums32 = frugal_q8_k_sums32(&y[i]);
        const __m256i heads01 = frugal_load_heads(&x[0][i], &x[1][i]);
        const __m256i heads23 = frugal_load_heads(&x[2][i], &x[3][i]);
        const __m256 dm = frugal_k_d_dmin(heads01, heads23, y[i].d);
        const __m256i sm01 = frugal_q4_k_scales_mins(heads01);
        const __m256i sm23 = frugal_q4_k_scales_mins(heads23);
        // Lanes: rows 0 and 1's four products (one per 128 bits), rows 2 and 3's; two horizontal adds leave row 0's
        // sum in 32-bit lane 0, row 2's in 1, row 1's in 4 and row 3's in 5.
        const __m256i products01 = _mm256_madd_epi16(_mm256_unpackhi_epi8(sm01, _mm256_setzero_si256()), sums32);
        const __m256i products23 = _mm256_madd_epi16(_mm256_unpackhi_epi8(sm23, _mm256_setzero_si256()), sums32);
        const __m256i pairs = _mm256_hadd_epi32(products01, products23);
        const __m256i row_sums = _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(pairs, pairs), _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5));
        const __m128 dmin = _mm256_castps256_ps128(_mm256_permutevar8x32_ps(dm, _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7)));
        mins = _mm_fmadd_ps(dmin, _mm_cvtepi32_ps(_mm256_castsi256_si128(row_sums)), mins);
        const __m256i scales[4] = {_mm256_permute4x64_epi64(sm01, 0x00), _mm256_permute4x64_epi64(sm01, 0xaa),
                                   _mm256_permute4x64_epi64(sm23, 0x00), _mm256_permute4x64_epi64(sm23, 0xaa)};
        // Row after row, each reading y again from L1: with the four rows side by side in the inner loop (Q4_K's order)
        // GCC spills (78 stack accesses a super-block) and streamed 14.9-15.8 GB/s with Q4_K's scheduling hint, 17.1-17.3
        // without; this way 16.8-18.1 (one core, microbenchmark, 8 super-blocks a row; llama.cpp's row loop 10.7-12.2).
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) {
            const __m256i fifth = _mm256_loadu_si256((const __m256i *) x[r][i].qh);
            __m256i sumi = _mm256_setzero_si256();
            // Unrolled, for constant shifts of the fifth bits.
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j) {
                const __m256i y_low = _mm256_loadu_si256((const __m256i *) (y[i].qs + 64 * j));
                const __m256i y_high = _mm256_loadu_si256((const __m256i *) (y[i].qs + 64 * j + 32));
                const __m256i pick_low = _mm256_set1_epi16((short) (0x8000 | (2 * j)));
                const __m256i pick_high = _mm256_set1_epi16((short) (0x8000 | (2 * j + 1)));
                const __m256i q = _mm256_loadu_si256((const __m256i *) (x[r][i].qs + 32 * j));
                const __m256i q_low = _mm256_or_si256(_mm256_and_si256(q, nibble), frugal_bit_at_4(fifth, 2 * j));
                const __m256i q_high = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), nibble), frugal_bit_at_4(fifth, 2 * j + 1));
                const __m256i low = _mm256_madd_epi16(_mm256_shuffle_epi8(scales[r], pick_low), _mm256_maddubs_epi16(q_low, y_low));
                const __m256i high = _mm256_madd_epi16(_mm256_shuffle_epi8(scales[r], pick_high), _mm256_maddubs_epi16(q_high, y_high));
                sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(low, high));
            }
            acc[r] = _mm256_fmadd_ps(_mm256_permutevar8x32_ps(dm, _mm256_set1_epi32(2 * r)), _mm256_cvtepi32_ps(sumi), acc[r]);
        }
    }
    float m[4];
    _mm_storeu_ps(m, mins);
    for (int r = 0; r < 4; ++r) {
        out[r] = frugal_hsum_8(acc[r]) + m[r];
    }
}

// Four Q5_K rows times FRUGAL_K_COLUMNS columns y[c], out[c][r]: per (row, column) exactly frugal_q5_k_rows4's integer
// lanes and float operations (its mins summed in integers, one fused multiply-add per block), so each result is the
// one-column one bit for bit. As in the Q4_K kernel, the heads are decoded and each run's quants — here with their
// fifth bits — and scales unpacked once for all the columns; the float accumulators live in memory.
static inline void frugal_q5_k_rows4_columns(int blocks, const char * const rows[4], const frugal_q8_k_block * const y[FRUGAL_K_COLUMNS],
                                             float out[FRUGAL_K_COLUMNS][4]) {
    enum { C = FRUGAL_K_COLUMNS };
    const frugal_q5_k_block * const x[4] = {(const frugal_q5_k_block *) rows[0], (const frugal_q5_k_block *) rows[1], (const frugal_q5_k_block *) rows[2], (const frugal_q5_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256 acc[4][C];
    __m128 mins[C]; // llama.cpp's summs, row r in lane r
    for (int c = 0; c < C; ++c) {
        acc[0][c] = acc[1][c] = acc[2][c] = acc[3][c] = _mm256_setzero_ps();
        mins[c] = _mm_setzero_ps();
    }
    for (int i = 0; i < blocks; ++i) {
        const frugal_k_heads4 h = frugal_k_decode_heads4(&x[0][i], &x[1][i], &x[2][i], &x[3][i]);
        const __m256 halves = h.halves;
        const __m256i sm01 = h.sm01, sm23 = h.sm23, mins01 = h.mins01, mins23 = h.mins23;
        float dm[C][8]; // as in the Q4_K kernel
        for (int c = 0; c < C; ++c) {
            // frugal_q5_k_rows4's four rows' integer sums of the mins, for this column.
            const __m256i sums32 = frugal_q8_k_sums32(&y[c][i]);
            const __m256i pairs = _mm256_hadd_epi32(_mm256_madd_epi16(mins01, sums32), _mm256_madd_epi16(mins23, sums32));
            const __m256i row_sums = _mm256_permutevar8x32_epi32(_mm256_hadd_epi32(pairs, pairs), _mm256_setr_epi32(0, 4, 1, 5, 0, 4, 1, 5));
            const __m256 dm_c = frugal_k_d_dmin_times(halves, y[c][i].d);
            _mm256_storeu_ps(dm[c], dm_c);
            const __m128 dmin = _mm256_castps256_ps128(_mm256_permutevar8x32_ps(dm_c, _mm256_setr_epi32(1, 3, 5, 7, 1, 3, 5, 7)));
            mins[c] = _mm_fmadd_ps(dmin, _mm_cvtepi32_ps(_mm256_castsi256_si128(row_sums)), mins[c]);
        }
        __m256i scales[4];
        frugal_k_row_scales(sm01, sm23, scales);
        for (int r = 0; r < 4; ++r) {
            const __m256i fifth = _mm256_loadu_si256((const __m256i *) x[r][i].qh);
            __m256i sumi[C];
            for (int c = 0; c < C; ++c) {
                sumi[c] = _mm256_setzero_si256();
            }
            // Unrolled, for constant shifts of the fifth bits.
#pragma GCC unroll 4
            for (int j = 0; j < 4; ++j) {
                const __m256i q = _mm256_loadu_si256((const __m256i *) (x[r][i].qs + 32 * j));
                frugal_k_run_columns(_mm256_or_si256(_mm256_and_si256(q, nibble), frugal_bit_at_4(fifth, 2 * j)),
                                     _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), nibble), frugal_bit_at_4(fifth, 2 * j + 1)), scales[r], j, y, i,
                                     sumi);
            }
            frugal_k_add_row_sums(acc[r], dm, r, sumi);
        }
    }
    for (int c = 0; c < C; ++c) {
        float m[4];
        _mm_storeu_ps(m, mins[c]);
        for (int r = 0; r < 4; ++r) {
            out[c][r] = frugal_hsum_8(acc[r][c]) + m[r];
        }
    }
}

// Four Q6_K rows times y. Per row and block, llama.cpp's sums: the quants as unsigned 6-bit values times y (lane k
// holding bytes 4k..4k+3 of each 32-byte run, times its 16-weight scale), less 32 times the scales times y's 16-sums,
// into acc with d = y.d * x.d; out = hsum(acc).
// Row after row within a super-block, each reading y again from L1 (memory operands), both 128-weight halves unrolled
// so that every scale-picking shuffle has a constant pattern, and the four rows' d converted and multiplied at once
// (their fp16 scales packed in an integer register, one vcvtph2ps and one vmulps, each broadcast by a load: as in
// frugal_q8_0_rows4). With the four rows side by side in the inner loop (the order before), GCC kept the halves as a
// loop, building each pattern at run time (a vmovd and a vpbroadcastw), and spilled the four rows' sums every half.
// Zen 3, one core, a microbenchmark over TinyLlama's Q6_K shapes (kernels alternating pass by pass, medians of the
// ratios): from L2 (attn_v, 64 rows of ffn_down) 1.04-1.07x the kernel before; from memory (output, ffn_down, attn_v;
// the kernel then reads ≈19 GB/s where a plain read of the same bytes gets ≈26) 1.04-1.10x.
static inline void frugal_q6_k_rows4(int blocks, const char * const rows[4], const frugal_q8_k_block * y, float out[4]) {
    const frugal_q6_k_block * const x[4] = {(const frugal_q6_k_block *) rows[0], (const frugal_q6_k_block *) rows[1], (const frugal_q6_k_block *) rows[2], (const frugal_q6_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    // The sixteen scales reordered even ones first, so that widened to 16 bits the low lane holds scales 0, 2, .., 14
    // and the high lane 1, 3, .., 15: one shuffle then gives a 32-weight run its two scales, one per lane.
    const __m128i even_odd = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    __m256 acc[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    float d[4] __attribute__((aligned(16)));
    for (int i = 0; i < blocks; ++i) {
        // llama.cpp's d = y.d * x.d per row, the same products.
        const uint64_t dx = (uint64_t) x[0][i].d | ((uint64_t) x[1][i].d << 16) | ((uint64_t) x[2][i].d << 32) | ((uint64_t) x[3][i].d << 48);
        _mm_store_ps(d, _mm_mul_ps(_mm_set1_ps(y[i].d), _mm_cvtph_ps(_mm_cvtsi64_si128((long long) dx))));
        // Keeps the four broadcasts as loads of d (as in frugal_q8_0_rows4).
        __asm__ volatile("" ::: "memory");
        // The four rows' next super-blocks (210 bytes each, four lines from its start): row after row, a row's lines
        // are asked for only when its turn comes; from memory this order alone measured 0.97-1.05x the kernel before,
        // with the prefetch 1.04-1.10x (a prefetch past the matrix's end does not fault).
        for (int r = 0; r < 4; ++r) {
            const char * next = (const char *) &x[r][i + 1];
            _mm_prefetch(next, _MM_HINT_T0);
            _mm_prefetch(next + 64, _MM_HINT_T0);
            _mm_prefetch(next + 128, _MM_HINT_T0);
            _mm_prefetch(next + 192, _MM_HINT_T0);
        }
        const __m256i sums16 = _mm256_loadu_si256((const __m256i *) y[i].bsums);
#pragma GCC unroll 4
        for (int r = 0; r < 4; ++r) {
            const __m256i scales = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) x[r][i].scales), even_odd));
            __m256i sumi = _mm256_setzero_si256();
#pragma GCC unroll 2
            for (int j = 0; j < 2; ++j) {
                const int8_t * q8 = y[i].qs + 128 * j;
                const __m256i a = _mm256_loadu_si256((const __m256i *) (x[r][i].ql + 64 * j));
                const __m256i b = _mm256_loadu_si256((const __m256i *) (x[r][i].ql + 64 * j + 32));
                const __m256i h = _mm256_loadu_si256((const __m256i *) (x[r][i].qh + 32 * j));
                const __m256i q0 = _mm256_or_si256(_mm256_and_si256(a, nibble), _mm256_and_si256(_mm256_slli_epi16(h, 4), bits45));
                const __m256i q1 = _mm256_or_si256(_mm256_and_si256(b, nibble), _mm256_and_si256(_mm256_slli_epi16(h, 2), bits45));
                const __m256i q2 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 4), nibble), _mm256_and_si256(h, bits45));
                const __m256i q3 = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b, 4), nibble), _mm256_and_si256(_mm256_srli_epi16(h, 2), bits45));
                // Runs 4j..4j+3 of 32 weights; run c's scales are 2c (low lane) and 2c+1 (high lane).
                const __m256i p0 = _mm256_madd_epi16(_mm256_shuffle_epi8(scales, _mm256_set1_epi16((short) (((8 * j + 1) << 8) | (8 * j)))),
                                                     _mm256_maddubs_epi16(q0, _mm256_loadu_si256((const __m256i *) q8)));
                const __m256i p1 = _mm256_madd_epi16(_mm256_shuffle_epi8(scales, _mm256_set1_epi16((short) (((8 * j + 3) << 8) | (8 * j + 2)))),
                                                     _mm256_maddubs_epi16(q1, _mm256_loadu_si256((const __m256i *) (q8 + 32))));
                const __m256i p2 = _mm256_madd_epi16(_mm256_shuffle_epi8(scales, _mm256_set1_epi16((short) (((8 * j + 5) << 8) | (8 * j + 4)))),
                                                     _mm256_maddubs_epi16(q2, _mm256_loadu_si256((const __m256i *) (q8 + 64))));
                const __m256i p3 = _mm256_madd_epi16(_mm256_shuffle_epi8(scales, _mm256_set1_epi16((short) (((8 * j + 7) << 8) | (8 * j + 6)))),
                                                     _mm256_maddubs_epi16(q3, _mm256_loadu_si256((const __m256i *) (q8 + 96))));
                sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(_mm256_add_epi32(p0, p1), _mm256_add_epi32(p2, p3)));
            }
            const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(sums16, _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) x[r][i].scales))), 5);
            acc[r] = _mm256_fmadd_ps(_mm256_broadcast_ss(d + r), _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi, offset)), acc[r]);
        }
    }
    for (int r = 0; r < 4; ++r) {
        out[r] = frugal_hsum_8(acc[r]);
    }
}

// Four Q6_K rows times FRUGAL_K_COLUMNS columns y[c], out[c][r]: per (row, column) exactly frugal_q6_k_rows4's integer
// lanes and fused multiply-adds, so each result is the one-column one bit for bit. Once per row and super-block for all
// the columns: the scales widened and reordered, each 32-weight run's 6-bit quants assembled from their low and high
// bits and its two scales broadcast; every column then costs its two multiplications per run, its offset (the scales
// times its 16-sums) and one fused multiply-add. As in the Q4_K kernel the float accumulators live in memory.
static inline void frugal_q6_k_rows4_columns(int blocks, const char * const rows[4], const frugal_q8_k_block * const y[FRUGAL_K_COLUMNS],
                                             float out[FRUGAL_K_COLUMNS][4]) {
    enum { C = FRUGAL_K_COLUMNS };
    const frugal_q6_k_block * const x[4] = {(const frugal_q6_k_block *) rows[0], (const frugal_q6_k_block *) rows[1], (const frugal_q6_k_block *) rows[2], (const frugal_q6_k_block *) rows[3]};
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    const __m256i bits45 = _mm256_set1_epi8(0x30);
    const __m128i even_odd = _mm_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    __m256 acc[4][C];
    for (int c = 0; c < C; ++c) {
        acc[0][c] = acc[1][c] = acc[2][c] = acc[3][c] = _mm256_setzero_ps();
    }
    for (int i = 0; i < blocks; ++i) {
        for (int r = 0; r < 4; ++r) {
            const __m256i scales = _mm256_cvtepi8_epi16(_mm_shuffle_epi8(_mm_loadu_si128((const __m128i *) x[r][i].scales), even_odd));
            __m256i sumi[C];
            for (int c = 0; c < C; ++c) {
                sumi[c] = _mm256_setzero_si256();
            }
            for (int j = 0; j < 2; ++j) {
                const __m256i a = _mm256_loadu_si256((const __m256i *) (x[r][i].ql + 64 * j));
                const __m256i b = _mm256_loadu_si256((const __m256i *) (x[r][i].ql + 64 * j + 32));
                const __m256i h = _mm256_loadu_si256((const __m256i *) (x[r][i].qh + 32 * j));
                // Runs 4j..4j+3 of 32 weights (frugal_q6_k_rows4's q0..q3), each with its scales 2k and 2k+1, one by one.
                for (int k = 0; k < 4; ++k) {
                    const __m256i low = _mm256_and_si256(k < 2 ? (k == 0 ? a : b) : _mm256_srli_epi16(k == 2 ? a : b, 4), nibble);
                    const __m256i high = _mm256_and_si256(k == 0 ? _mm256_slli_epi16(h, 4) : k == 1 ? _mm256_slli_epi16(h, 2) : k == 2 ? h : _mm256_srli_epi16(h, 2), bits45);
                    const __m256i q = _mm256_or_si256(low, high);
                    const __m256i scale = _mm256_shuffle_epi8(scales, _mm256_set1_epi16((short) (((8 * j + 2 * k + 1) << 8) | (8 * j + 2 * k))));
                    for (int c = 0; c < C; ++c) {
                        const __m256i yk = _mm256_loadu_si256((const __m256i *) (y[c][i].qs + 128 * j + 32 * k));
                        sumi[c] = _mm256_add_epi32(sumi[c], _mm256_madd_epi16(scale, _mm256_maddubs_epi16(q, yk)));
                    }
                }
            }
            const __m256i scales16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *) x[r][i].scales));
            const float x_d = _cvtsh_ss(x[r][i].d);
            for (int c = 0; c < C; ++c) {
                const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(_mm256_loadu_si256((const __m256i *) y[c][i].bsums), scales16), 5);
                acc[r][c] = _mm256_fmadd_ps(_mm256_set1_ps(y[c][i].d * x_d), _mm256_cvtepi32_ps(_mm256_sub_epi32(sumi[c], offset)), acc[r][c]);
            }
        }
    }
    for (int c = 0; c < C; ++c) {
        for (int r = 0; r < 4; ++r) {
            out[c][r] = frugal_hsum_8(acc[r][c]);
        }
    }
}

// The four-row kernels' shape: row starts in, four results out.
typedef void (*frugal_k_rows4_fn)(int blocks, const char * const rows[4], const frugal_q8_k_block * y, float out[4]);

// out[r] for the rows [first, last) of a Q4_K, Q5_K or Q6_K matrix whose rows are row_bytes apart: the span is cut into four
// quarters read side by side; each of the few rows left over goes through the same four-row code alone (the row four
// times), so every row has one arithmetic.
static inline __attribute__((always_inline)) void frugal_k_matvec(frugal_k_rows4_fn rows4, int blocks, const void * matrix, size_t row_bytes,
                                                                  const frugal_q8_k_block * y, float * out, int64_t first, int64_t last) {
    const char * m = (const char *) matrix;
    const int64_t quarter = (last - first) / 4;
    float s[4];
    for (int64_t i = 0; i < quarter; ++i) {
        const int64_t r0 = first + i, r1 = r0 + quarter, r2 = r1 + quarter, r3 = r2 + quarter;
        const char * const rows[4] = {m + r0 * row_bytes, m + r1 * row_bytes, m + r2 * row_bytes, m + r3 * row_bytes};
        rows4(blocks, rows, y, s);
        out[r0] = s[0];
        out[r1] = s[1];
        out[r2] = s[2];
        out[r3] = s[3];
    }
    for (int64_t r = first + 4 * quarter; r < last; ++r) {
        const char * const rows[4] = {m + r * row_bytes, m + r * row_bytes, m + r * row_bytes, m + r * row_bytes};
        rows4(blocks, rows, y, s);
        out[r] = s[0];
    }
}

// The bytes of weights a tile of rows holds while every column passes over it (a prompt's batch): within this core's L2
// with the columns' activations beside them, so the weights are read from memory once per product.
#ifndef FRUGAL_K_TILE_BYTES
#define FRUGAL_K_TILE_BYTES (96 * 1024)
#endif

// The several-column kernels' shape: row starts and FRUGAL_K_COLUMNS columns in, out[column][row] out.
typedef void (*frugal_k_rows4_columns_fn)(int blocks, const char * const rows[4], const frugal_q8_k_block * const y[FRUGAL_K_COLUMNS],
                                          float out[FRUGAL_K_COLUMNS][4]);

// frugal_k_matvec for FRUGAL_K_COLUMNS columns at once (column c's activations at y + c * y_bytes, its results at out
// + c * out_bytes): the same quarters, the same leftover rows taken alone.
static inline __attribute__((always_inline)) void frugal_k_matvec_columns(frugal_k_rows4_columns_fn rows4, int blocks, const void * matrix, size_t row_bytes,
                                                                          const void * y, size_t y_bytes, void * out, size_t out_bytes, int64_t first,
                                                                          int64_t last) {
    const char * m = (const char *) matrix;
    const frugal_q8_k_block * ys[FRUGAL_K_COLUMNS];
    float * outs[FRUGAL_K_COLUMNS];
    for (int c = 0; c < FRUGAL_K_COLUMNS; ++c) {
        ys[c] = (const frugal_q8_k_block *) ((const char *) y + c * y_bytes);
        outs[c] = (float *) ((char *) out + c * out_bytes);
    }
    const int64_t quarter = (last - first) / 4;
    float s[FRUGAL_K_COLUMNS][4];
    for (int64_t i = 0; i < quarter; ++i) {
        const int64_t r0 = first + i, r1 = r0 + quarter, r2 = r1 + quarter, r3 = r2 + quarter;
        const char * const rows[4] = {m + r0 * row_bytes, m + r1 * row_bytes, m + r2 * row_bytes, m + r3 * row_bytes};
        rows4(blocks, rows, ys, s);
        for (int c = 0; c < FRUGAL_K_COLUMNS; ++c) {
            outs[c][r0] = s[c][0];
            outs[c][r1] = s[c][1];
            outs[c][r2] = s[c][2];
            outs[c][r3] = s[c][3];
        }
    }
    for (int64_t r = first + 4 * quarter; r < last; ++r) {
        const char * const rows[4] = {m + r * row_bytes, m + r * row_bytes, m + r * row_bytes, m + r * row_bytes};
        rows4(blocks, rows, ys, s);
        for (int c = 0; c < FRUGAL_K_COLUMNS; ++c) {
            outs[c][r] = s[c][0];
        }
    }
}

// The same for several columns (a prompt's batch, column c's activations at y + c * y_bytes, its results at out + c *
// out_bytes): the rows [first, last) in tiles of a multiple of four rows, and every column times a tile before the next
// tile, FRUGAL_K_COLUMNS columns at a time through rows4_columns, the rest one by one through rows4; each
// (row, column) has the one-column arithmetic, so a prompt's products equal a decoded token's bit for bit.
static inline __attribute__((always_inline)) void frugal_k_matmul(frugal_k_rows4_fn rows4, frugal_k_rows4_columns_fn rows4_columns, int blocks,
                                                                  const void * matrix, size_t row_bytes, const void * y, size_t y_bytes, int64_t columns,
                                                                  void * out, size_t out_bytes, int64_t first, int64_t last) {
    int64_t tile = (int64_t) (FRUGAL_K_TILE_BYTES / row_bytes) / 4 * 4;
    if (columns == 1 || tile < 4) {
        tile = last - first;
    }
    for (int64_t start = first; start < last; start += tile) {
        const int64_t end = start + tile < last ? start + tile : last;
        const int64_t grouped = columns - columns % FRUGAL_K_COLUMNS;
        for (int64_t c = 0; c < grouped; c += FRUGAL_K_COLUMNS) {
            frugal_k_matvec_columns(rows4_columns, blocks, matrix, row_bytes, (const char *) y + c * y_bytes, y_bytes, (char *) out + c * out_bytes,
                                    out_bytes, start, end);
        }
        for (int64_t c = grouped; c < columns; ++c) {
            frugal_k_matvec(rows4, blocks, matrix, row_bytes, (const frugal_q8_k_block *) ((const char *) y + c * y_bytes),
                            (float *) ((char *) out + c * out_bytes), start, end);
        }
    }
}

static inline void frugal_q4_k_matmul(int blocks, const void * matrix, size_t row_bytes, const void * y, size_t y_bytes, int64_t columns, void * out,
                                      size_t out_bytes, int64_t first, int64_t last) {
    frugal_k_matmul(frugal_q4_k_rows4, frugal_q4_k_rows4_columns, blocks, matrix, row_bytes, y, y_bytes, columns, out, out_bytes, first, last);
}

static inline void frugal_q5_k_matmul(int blocks, const void * matrix, size_t row_bytes, const void * y, size_t y_bytes, int64_t columns, void * out,
                                      size_t out_bytes, int64_t first, int64_t last) {
    frugal_k_matmul(frugal_q5_k_rows4, frugal_q5_k_rows4_columns, blocks, matrix, row_bytes, y, y_bytes, columns, out, out_bytes, first, last);
}

static inline void frugal_q6_k_matmul(int blocks, const void * matrix, size_t row_bytes, const void * y, size_t y_bytes, int64_t columns, void * out,
                                      size_t out_bytes, int64_t first, int64_t last) {
    frugal_k_matmul(frugal_q6_k_rows4, frugal_q6_k_rows4_columns, blocks, matrix, row_bytes, y, y_bytes, columns, out, out_bytes, first, last);
}

static inline void frugal_q4_k_matvec(int blocks, const void * matrix, size_t row_bytes, const frugal_q8_k_block * y, float * out, int64_t first, int64_t last) {
    frugal_k_matvec(frugal_q4_k_rows4, blocks, matrix, row_bytes, y, out, first, last);
}

static inline void frugal_q5_k_matvec(int blocks, const void * matrix, size_t row_bytes, const frugal_q8_k_block * y, float * out, int64_t first, int64_t last) {
    frugal_k_matvec(frugal_q5_k_rows4, blocks, matrix, row_bytes, y, out, first, last);
}

static inline void frugal_q6_k_matvec(int blocks, const void * matrix, size_t row_bytes, const frugal_q8_k_block * y, float * out, int64_t first, int64_t last) {
    frugal_k_matvec(frugal_q6_k_rows4, blocks, matrix, row_bytes, y, out, first, last);
}
#endif
