// Frugal's quantizer of a column of activations to Q8_K, the form a Q4_K, Q5_K or Q6_K matrix multiplies: each 256
// floats to a float scale, 256 signed bytes and the sums of each 16 of them.
//
// Why: on x86, ggml-cpu's quantize_row_q8_K is libggml-base's scalar quantize_row_q8_K_ref, whose search for the
// largest magnitude is one compare and branch per float (1.4-1.9 % of a Q4_K_M or Q6_K file's decode). Here the search
// and the sums are eight lanes wide, and every float operation is the reference's own, in its order — the maximum is
// the first element of the largest magnitude (+m before -m when both are there, as the reference's strict > keeps),
// iscale = -127/max, each byte nearest_int(iscale * x) by the reference's float trick (x + 1.5 * 2^23, the low 23 bits),
// at most 127, kept to its low byte, d = 1/iscale — so each block is byte for byte the reference's for every input,
// NaNs and infinities included (_mm256_cvtps_epi32 rounds finite products the same way, but not a NaN with a payload).
// A block of zeros is the reference's too: d = 0, 256 zero bytes, and the sums left as they were.
//
// Self-contained (no ggml header): the block is frugal-matvec-k.h's frugal_q8_k_block (ggml's block_q8_K).
#pragma once

#include "frugal-matvec-k.h"

#if defined(FRUGAL_MATVEC_K)
#include <string.h>

// The largest |x| of a block, in every lane. A NaN is passed over as the reference's `fabsf(x) > amax` passes it
// over: maxps returns its second operand when either is a NaN.
static inline __m256 frugal_q8_k_amax(const float * x) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    __m256 m[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    for (int j = 0; j < 256; j += 32) {
        for (int r = 0; r < 4; ++r) {
            m[r] = _mm256_max_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j + 8 * r)), m[r]);
        }
    }
    __m256 a = _mm256_max_ps(_mm256_max_ps(m[0], m[1]), _mm256_max_ps(m[2], m[3]));
    a = _mm256_max_ps(a, _mm256_permute2f128_ps(a, a, 1));
    a = _mm256_max_ps(a, _mm256_shuffle_ps(a, a, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm256_max_ps(a, _mm256_shuffle_ps(a, a, _MM_SHUFFLE(2, 3, 0, 1)));
}

// The first element whose |x| is amax (there is one: amax is a block's largest magnitude and not 0).
static inline float frugal_q8_k_first_max(const float * x, __m256 amax) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int j = 0;; j += 32) {
        uint32_t found = 0;
        for (int r = 0; r < 4; ++r) {
            const __m256 equal = _mm256_cmp_ps(_mm256_andnot_ps(sign, _mm256_loadu_ps(x + j + 8 * r)), amax, _CMP_EQ_OQ);
            found |= (uint32_t) _mm256_movemask_ps(equal) << (8 * r);
        }
        if (found != 0) {
            return x[j + __builtin_ctz(found)];
        }
    }
}

// Eight bytes nearest_int(iscale * x), at most 127, as 32-bit lanes.
static inline __m256i frugal_q8_k_round(__m256 iscale, const float * x) {
    __m256 product = _mm256_mul_ps(iscale, _mm256_loadu_ps(x));
    // The reference (libggml-base, built without FMA) rounds the product before adding 1.5 * 2^23; GCC would fuse the
    // two into one fused multiply-add under -ffp-contract=fast (ggml's build) unless the product is opaque to it.
    __asm__("" : "+x"(product));
    const __m256i bits = _mm256_castps_si256(_mm256_add_ps(product, _mm256_set1_ps(12582912.0f)));
    const __m256i rounded = _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0x007fffff)), _mm256_set1_epi32(0x00400000));
    return _mm256_min_epi32(rounded, _mm256_set1_epi32(127));
}

static inline void frugal_quantize_q8_k(const float * x, frugal_q8_k_block * y, int64_t k) {
    const __m256i low_byte = _mm256_set1_epi32(0xff);
    for (int64_t i = 0; i < k / 256; ++i, x += 256, ++y) {
        const __m256 amax = frugal_q8_k_amax(x);
        if (_mm256_cvtss_f32(amax) == 0.0f) {
            y->d = 0;
            memset(y->qs, 0, sizeof y->qs);
            continue;
        }
        const float iscale = -127.f / frugal_q8_k_first_max(x, amax);
        const __m256 iscale8 = _mm256_set1_ps(iscale);
        __m256i fours[8];
        for (int j = 0; j < 8; ++j) {
            // Each int32 to its low byte as the reference's (int8_t) store does (and 0xff, then packs that cannot
            // saturate); the packs interleave 128-bit lanes, the permutation puts the 32 bytes back in order.
            const float * xj = x + 32 * j;
            const __m256i q0 = _mm256_and_si256(frugal_q8_k_round(iscale8, xj), low_byte);
            const __m256i q1 = _mm256_and_si256(frugal_q8_k_round(iscale8, xj + 8), low_byte);
            const __m256i q2 = _mm256_and_si256(frugal_q8_k_round(iscale8, xj + 16), low_byte);
            const __m256i q3 = _mm256_and_si256(frugal_q8_k_round(iscale8, xj + 24), low_byte);
            const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(_mm256_packus_epi32(q0, q1), _mm256_packus_epi32(q2, q3)),
                                                              _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *) (y->qs + 32 * j), bytes);
            // The sums of each four signed bytes: elements 32j..32j+15 in the low lane, 32j+16..32j+31 in the high.
            fours[j] = _mm256_madd_epi16(_mm256_maddubs_epi16(_mm256_set1_epi8(1), bytes), _mm256_set1_epi16(1));
        }
        // Two rounds of pairwise sums: sums of 16 in the order 0 2 4 6 | 1 3 5 7 and 8 10 12 14 | 9 11 13 15.
        const __m256i first = _mm256_hadd_epi32(_mm256_hadd_epi32(fours[0], fours[1]), _mm256_hadd_epi32(fours[2], fours[3]));
        const __m256i second = _mm256_hadd_epi32(_mm256_hadd_epi32(fours[4], fours[5]), _mm256_hadd_epi32(fours[6], fours[7]));
        const __m256i sums = _mm256_packs_epi32(first, second); // |sum| <= 16 * 128: no saturation
        const __m128i low = _mm256_castsi256_si128(sums), high = _mm256_extracti128_si256(sums, 1);
        _mm_storeu_si128((__m128i *) y->bsums, _mm_unpacklo_epi16(low, high));
        _mm_storeu_si128((__m128i *) (y->bsums + 8), _mm_unpackhi_epi16(low, high));
        y->d = 1 / iscale;
    }
}
#endif
