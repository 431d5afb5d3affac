// Frugal's attention for decoded tokens: one query row per head (or the few rows of a batch of decoded tokens) over
// an f16 KV cache, the heads that share a KV head (grouped-query attention) computed together, eight to a vector.
//
// Why: ggml's CPU flash attention takes a decoded token's heads one at a time and, for each cell of the cache, makes a
// 64-wide f16 dot product (with its horizontal sum), one scalar expf, and a multiply-add of the value row into an f16
// accumulator (converting the 64 accumulators to f32 and back each time) — ≈100 cycles a head and cell on Zen 3, and the
// keys and values read again for each of the eight heads that share them. TinyLlama's decode at 1,900 cells ran at half
// its speed at 16 cells. Here the keys and values are read once per KV head: per cell the key row is converted once and
// multiplied with the eight queries (lane h of one vector holds head h's score), the softmax runs on those vectors
// (ggml's own vector expf), and the value rows are accumulated in f32 in blocks of four heads by sixteen dimensions.
//
// The arithmetic is not ggml's bit for bit (sums in another order, the value accumulator in f32 where ggml's is f16, a
// two-pass softmax per chunk of cells): the results agree with a double-precision reference to a few parts in 10^6
// (native/cpu/test/attention-test.c), closer than ggml's own f16 accumulator does.
//
// Self-contained (no ggml header) so the C harness can include it: the caller passes plain pointers and strides, and
// FRUGAL_EXP8 (e^x of eight floats; ggml's ggml_v_expf in the library, -inf giving 0).
#pragma once

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__AVX2__) && defined(__F16C__) && defined(__FMA__)
#include <immintrin.h>
#define FRUGAL_ATTENTION 1

#ifndef FRUGAL_EXP8
#error "define FRUGAL_EXP8(x): e^x of eight floats"
#endif

// Heads per pass (one per lane), cells per chunk of scores (the chunk's scores stay in L1: 128 vectors, 4 KiB), the
// largest head size handled (the queries of a pass are copied to the stack: 8 x 256 floats).
#define FRUGAL_ATTN_LANES 8
#define FRUGAL_ATTN_CHUNK 128
#define FRUGAL_ATTN_MAX_D 256

// One KV head's cache as the kernel reads it: `cells` key rows of dk f16 values k_stride bytes apart, value rows of dv
// f16 values v_stride bytes apart, and the token's mask (one f16 per cell: 0, a bias, or -inf for a cell it does not
// see; NULL: every cell seen).
typedef struct {
    int dk, dv;
    int64_t cells;
    const uint16_t * k;
    size_t k_stride;
    const uint16_t * v;
    size_t v_stride;
    const uint16_t * mask;
    float scale;
} frugal_attn_kv;

// A KV head's rows are a few hundred bytes apart (the cache interleaves the KV heads), a stride the hardware prefetcher
// follows too late: without these the first use of each key and value row waited on memory (two thirds of the time at
// 1,900 cells). The key row FRUGAL_ATTN_AHEAD cells ahead, and each seen cell's value row before the values pass.
#define FRUGAL_ATTN_AHEAD 8

static inline void frugal_attn_prefetch(const char * row, int values) {
    for (int at = 0; at < values * 2; at += 64) {
        _mm_prefetch(row + at, _MM_HINT_T0);
    }
}

// Lane h of the result: the sum of a[h]'s eight lanes.
static inline __m256 frugal_attn_sum8(const __m256 a[FRUGAL_ATTN_LANES]) {
    const __m256 t0 = _mm256_hadd_ps(a[0], a[1]), t1 = _mm256_hadd_ps(a[2], a[3]);
    const __m256 t2 = _mm256_hadd_ps(a[4], a[5]), t3 = _mm256_hadd_ps(a[6], a[7]);
    const __m256 u0 = _mm256_hadd_ps(t0, t1), u1 = _mm256_hadd_ps(t2, t3); // heads 0-3 / 4-7: each 128-bit half a partial sum
    return _mm256_add_ps(_mm256_permute2f128_ps(u0, u1, 0x20), _mm256_permute2f128_ps(u0, u1, 0x31));
}

// The scores of the chunk's cells [first, first + count) for the eight lanes' queries (q: eight rows of dk floats):
// dot(key, q) * scale + mask. The cells the mask hides are left out: live[n] is the n-th seen cell, scores[n] its
// scores; returns how many were seen.
static inline int frugal_attn_scores(const frugal_attn_kv * kv, const float * q, int64_t first, int count, int live[], __m256 scores[]) {
    const __m256 scale = _mm256_set1_ps(kv->scale);
    int seen = 0;
    for (int i = 0; i < count; ++i) {
        const int64_t cell = first + i;
        const float bias = kv->mask ? _cvtsh_ss(kv->mask[cell]) : 0.0f;
        if (bias == -INFINITY) {
            continue;
        }
        frugal_attn_prefetch((const char *) kv->k + (cell + FRUGAL_ATTN_AHEAD) * kv->k_stride, kv->dk);
        frugal_attn_prefetch((const char *) kv->v + cell * kv->v_stride, kv->dv);
        const uint16_t * key = (const uint16_t *) ((const char *) kv->k + cell * kv->k_stride);
        __m256 acc[FRUGAL_ATTN_LANES];
        for (int h = 0; h < FRUGAL_ATTN_LANES; ++h) {
            acc[h] = _mm256_setzero_ps();
        }
        for (int j = 0; j < kv->dk; j += 8) {
            const __m256 k8 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (key + j)));
            for (int h = 0; h < FRUGAL_ATTN_LANES; ++h) {
                acc[h] = _mm256_fmadd_ps(k8, _mm256_loadu_ps(q + h * kv->dk + j), acc[h]);
            }
        }
        live[seen] = i;
        scores[seen] = _mm256_fmadd_ps(frugal_attn_sum8(acc), scale, _mm256_set1_ps(bias));
        ++seen;
    }
    return seen;
}

// out[h] (dv floats each, h < heads) = out[h] * rescale[h] + sum over the seen cells of weights[n][h] * value row.
// Four heads by sixteen dimensions a block: eight accumulators, two value vectors, one broadcast a head.
static inline void frugal_attn_values(const frugal_attn_kv * kv, int64_t first, const int live[], int seen, const float * weights, const float * rescale,
                                      int heads, float * out) {
    for (int h0 = 0; h0 < heads; h0 += 4) {
        for (int d = 0; d < kv->dv; d += 16) {
            __m256 o[4][2];
            for (int r = 0; r < 4; ++r) {
                const __m256 f = _mm256_set1_ps(rescale[h0 + r]);
                o[r][0] = _mm256_mul_ps(_mm256_loadu_ps(out + (h0 + r) * kv->dv + d), f);
                o[r][1] = _mm256_mul_ps(_mm256_loadu_ps(out + (h0 + r) * kv->dv + d + 8), f);
            }
            for (int n = 0; n < seen; ++n) {
                const uint16_t * value = (const uint16_t *) ((const char *) kv->v + (first + live[n]) * kv->v_stride) + d;
                const __m256 v0 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) value));
                const __m256 v1 = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *) (value + 8)));
                for (int r = 0; r < 4; ++r) {
                    const __m256 w = _mm256_broadcast_ss(weights + n * FRUGAL_ATTN_LANES + h0 + r);
                    o[r][0] = _mm256_fmadd_ps(w, v0, o[r][0]);
                    o[r][1] = _mm256_fmadd_ps(w, v1, o[r][1]);
                }
            }
            for (int r = 0; r < 4; ++r) {
                _mm256_storeu_ps(out + (h0 + r) * kv->dv + d, o[r][0]);
                _mm256_storeu_ps(out + (h0 + r) * kv->dv + d + 8, o[r][1]);
            }
        }
    }
}

// Attention of up to eight query heads that share one KV head: out[h] = softmax(q[h] . keys * scale + mask) . values
// for h < heads (dk and dv multiples of 16, at most FRUGAL_ATTN_MAX_D). A head whose every cell is hidden gets zeros
// (as ggml's). The queries are rounded to f16 first, as ggml's flash attention multiplies them.
static inline void frugal_attention_heads(const frugal_attn_kv * kv, int heads, const float * const q[], float * const out[]) {
    float queries[FRUGAL_ATTN_LANES * FRUGAL_ATTN_MAX_D] __attribute__((aligned(32)));
    float acc[FRUGAL_ATTN_LANES * FRUGAL_ATTN_MAX_D] __attribute__((aligned(32)));
    float weights[FRUGAL_ATTN_CHUNK * FRUGAL_ATTN_LANES] __attribute__((aligned(32)));
    float rescale[FRUGAL_ATTN_LANES] __attribute__((aligned(32)));
    __m256 scores[FRUGAL_ATTN_CHUNK];
    int live[FRUGAL_ATTN_CHUNK];
    for (int h = 0; h < FRUGAL_ATTN_LANES; ++h) {
        for (int j = 0; j < kv->dk; j += 8) {
            const __m256 x = h < heads ? _mm256_loadu_ps(q[h] + j) : _mm256_setzero_ps();
            _mm256_storeu_ps(queries + h * kv->dk + j, _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT)));
        }
        for (int d = 0; d < kv->dv; d += 8) {
            _mm256_storeu_ps(acc + h * kv->dv + d, _mm256_setzero_ps());
        }
    }
    const __m256 minus_inf = _mm256_set1_ps(-INFINITY);
    __m256 max = minus_inf, sum = _mm256_setzero_ps();
    for (int64_t first = 0; first < kv->cells; first += FRUGAL_ATTN_CHUNK) {
        const int count = kv->cells - first < FRUGAL_ATTN_CHUNK ? (int) (kv->cells - first) : FRUGAL_ATTN_CHUNK;
        const int seen = frugal_attn_scores(kv, queries, first, count, live, scores);
        if (seen == 0) {
            continue;
        }
        __m256 chunk_max = minus_inf;
        for (int n = 0; n < seen; ++n) {
            chunk_max = _mm256_max_ps(chunk_max, scores[n]);
        }
        // The new maximum, 0 in a lane that has seen only hidden cells (so no -inf - -inf); the earlier sums and
        // accumulators are scaled to it.
        const __m256 new_max = _mm256_max_ps(max, chunk_max);
        const __m256 shift = _mm256_blendv_ps(new_max, _mm256_setzero_ps(), _mm256_cmp_ps(new_max, minus_inf, _CMP_EQ_OQ));
        const __m256 factor = FRUGAL_EXP8(_mm256_sub_ps(max, shift));
        __m256 chunk_sum = _mm256_setzero_ps();
        for (int n = 0; n < seen; ++n) {
            const __m256 w = FRUGAL_EXP8(_mm256_sub_ps(scores[n], shift));
            _mm256_store_ps(weights + n * FRUGAL_ATTN_LANES, w);
            chunk_sum = _mm256_add_ps(chunk_sum, w);
        }
        sum = _mm256_fmadd_ps(sum, factor, chunk_sum);
        max = new_max;
        _mm256_store_ps(rescale, factor);
        frugal_attn_values(kv, first, live, seen, weights, rescale, heads, acc);
    }
    float total[FRUGAL_ATTN_LANES] __attribute__((aligned(32)));
    _mm256_store_ps(total, sum);
    for (int h = 0; h < heads; ++h) {
        const __m256 inverse = _mm256_set1_ps(total[h] == 0.0f ? 0.0f : 1.0f / total[h]);
        for (int d = 0; d < kv->dv; d += 8) {
            _mm256_storeu_ps(out[h] + d, _mm256_mul_ps(_mm256_loadu_ps(acc + h * kv->dv + d), inverse));
        }
    }
}
#endif
