// Frugal's hook into ggml's CPU flash attention (included into ops.cpp, C++, by native/cpu/hook.py, which calls
// frugal_flash_attn_ext first in ggml_compute_forward_flash_attn_ext). It takes decoded tokens — fewer query rows than
// ggml's tiled prompt path starts at — over an f16 KV cache where two or more query heads share each KV head, with
// ggml's causal mask and no ALiBi, soft-capping or sinks (frugal-attention.h), and leaves every other case to ggml
// (returns false; every thread decides the same, before any barrier).
// ggml has one ggml_v_expf for the widest vectors the build targets: built with AVX-512 (TARGET=native on such a CPU) only
// the 16-float one, whose lanes compute what the eight-float one's do.
#if defined(__AVX512F__) && defined(__AVX512DQ__)
#define FRUGAL_EXP8(x) _mm512_castps512_ps256(ggml_v_expf(_mm512_zextps256_ps512(x)))
#else
#define FRUGAL_EXP8(x) ggml_v_expf(x)
#endif
#include "frugal-attention.h"
#include "frugal-setting.h"

#include <stdio.h>
#include <string.h>

// FRUGAL_CPU_MATVEC=off (every Frugal kernel off) or FRUGAL_CPU_ATTENTION=off leaves attention to ggml; =trace (either)
// prints a line the first time this computes one token a stream, and one the first time it computes several. Read once.
static int frugal_attention_mode(void) {
    static int mode = -1;
    int m = __atomic_load_n(&mode, __ATOMIC_RELAXED);
    if (m < 0) {
        const int all = frugal_setting("FRUGAL_CPU_MATVEC"), attention = frugal_setting("FRUGAL_CPU_ATTENTION");
        m = all == 0 || attention == 0 ? 0 : all == 2 || attention == 2 ? 2 : 1;
        __atomic_store_n(&mode, m, __ATOMIC_RELAXED);
    }
    return m;
}

static bool frugal_flash_attn_ext(const struct ggml_compute_params * params, struct ggml_tensor * dst) {
#if defined(FRUGAL_ATTENTION)
    const struct ggml_tensor * q = dst->src[0];
    const struct ggml_tensor * k = dst->src[1];
    const struct ggml_tensor * v = dst->src[2];
    const struct ggml_tensor * mask = dst->src[3];
    float scale, max_bias, softcap;
    memcpy(&scale, (const float *) dst->op_params + 0, sizeof scale);
    memcpy(&max_bias, (const float *) dst->op_params + 1, sizeof max_bias);
    memcpy(&softcap, (const float *) dst->op_params + 2, sizeof softcap);
    // A batch's tokens in streams (a non-unified KV cache gives each sequence its own: q, k, v and the mask then have one
    // slice per stream in dimension 3).
    const int64_t tokens = q->ne[1], heads = q->ne[2], kv_heads = k->ne[2], streams = q->ne[3];
    const int dk = (int) k->ne[0], dv = (int) v->ne[0];
    const bool shapes = q->type == GGML_TYPE_F32 && k->type == GGML_TYPE_F16 && v->type == GGML_TYPE_F16 && q->ne[0] == dk && dk % 16 == 0
                        && dv % 16 == 0 && dk <= FRUGAL_ATTN_MAX_D && dv <= FRUGAL_ATTN_MAX_D && k->ne[3] == streams && v->ne[3] == streams
                        && v->ne[1] == k->ne[1] && v->ne[2] == kv_heads && heads % kv_heads == 0 && heads / kv_heads >= 2 && q->nb[0] == sizeof(float)
                        && k->nb[0] == 2 && v->nb[0] == 2 && dst->nb[0] == sizeof(float) && dst->ne[1] == heads && dst->ne[2] == tokens;
    // Decoded tokens only (a prompt's rows go through ggml's tiled path); ggml's causal mask, one row per token.
    const bool plain = tokens < GGML_FA_TILE_Q && max_bias == 0.0f && softcap == 0.0f && dst->src[4] == NULL
                       && (mask == NULL || (mask->type == GGML_TYPE_F16 && mask->ne[0] >= k->ne[1] && mask->ne[1] >= tokens && mask->ne[2] == 1
                                           && (mask->ne[3] == streams || mask->ne[3] == 1)));
    if (params->use_ref || !shapes || !plain) {
        return false;
    }
    const int mode = frugal_attention_mode();
    if (mode == 0) {
        return false;
    }
    static int traced[2]; // once for one token a stream, once for several
    if (mode == 2 && params->ith == 0 && !__atomic_exchange_n(&traced[tokens > 1], 1, __ATOMIC_RELAXED)) {
        fprintf(stderr, "frugal-attention: %lld heads over %lld KV heads, %lld cells, %lld token(s) in %lld stream(s)\n", (long long) heads,
                (long long) kv_heads, (long long) k->ne[1], (long long) tokens, (long long) streams);
    }
    // The work: per stream, token and KV head, its heads in passes of eight; each thread a contiguous share.
    const int64_t group = heads / kv_heads;
    const int64_t passes = (group + FRUGAL_ATTN_LANES - 1) / FRUGAL_ATTN_LANES;
    const int64_t items = streams * tokens * kv_heads * passes;
    for (int64_t item = items * params->ith / params->nth; item < items * (params->ith + 1) / params->nth; ++item) {
        const int64_t pass = item % passes, g = item / passes % kv_heads, token = item / (passes * kv_heads) % tokens;
        const int64_t stream = item / (passes * kv_heads * tokens);
        const int64_t first = g * group + pass * FRUGAL_ATTN_LANES;
        const int count = (int) (group - pass * FRUGAL_ATTN_LANES < FRUGAL_ATTN_LANES ? group - pass * FRUGAL_ATTN_LANES : FRUGAL_ATTN_LANES);
        frugal_attn_kv kv;
        kv.dk = dk;
        kv.dv = dv;
        kv.cells = k->ne[1];
        kv.k = (const uint16_t *) ((const char *) k->data + g * k->nb[2] + stream * k->nb[3]);
        kv.k_stride = k->nb[1];
        kv.v = (const uint16_t *) ((const char *) v->data + g * v->nb[2] + stream * v->nb[3]);
        kv.v_stride = v->nb[1];
        kv.mask = mask ? (const uint16_t *) ((const char *) mask->data + token * mask->nb[1] + stream % mask->ne[3] * mask->nb[3]) : NULL;
        kv.scale = scale;
        const float * queries[FRUGAL_ATTN_LANES];
        float * out[FRUGAL_ATTN_LANES];
        for (int h = 0; h < count; ++h) {
            queries[h] = (const float *) ((const char *) q->data + token * q->nb[1] + (first + h) * q->nb[2] + stream * q->nb[3]);
            // ggml's layout of the result: permute(0, 2, 1, 3), a row per head within a token, the tokens within a stream.
            out[h] = (float *) ((char *) dst->data + ((stream * tokens + token) * heads + first + h) * dst->nb[1]);
        }
        frugal_attention_heads(&kv, count, queries, out);
    }
    return true;
#else
    (void) params;
    (void) dst;
    return false;
#endif
}
