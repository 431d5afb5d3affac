// Checks frugal_attention_heads (native/cpu/frugal-attention.h) against attention computed in double precision from
// the same f16 keys and values and the queries rounded to f16 (as ggml's flash attention rounds them): every output
// within 2e-6 of the head's largest output magnitude (plus 1e-7) — f32 sums over up to 1,000 cells in another order
// than the reference's, and no f16 accumulator (ggml's own is off by ~1e-3). Head sizes 16, 64 and 128; 2, 3, 8 and 12
// query heads per KV head (lanes left idle, a second pass); 1 to 1,000 cells (one chunk, several, a partial last one);
// masks: none, a causal edge, random hidden cells, finite biases, every cell hidden (zeros out, as ggml's). The e^x is
// the C library's per lane here (ggml's vector expf in the library). Built and run by Frugal.Cli.Tests
// (FrugalCpuKernelTests): cc -O2 -mavx2 -mfma -mf16c. Prints "ok CASES" and exits 0, else the first difference, exit 1.
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <immintrin.h>

static inline __m256 exp8(__m256 x) {
    float v[8];
    _mm256_storeu_ps(v, x);
    for (int i = 0; i < 8; ++i) {
        v[i] = expf(v[i]);
    }
    return _mm256_loadu_ps(v);
}
#define FRUGAL_EXP8(x) exp8(x)
#include "../frugal-attention.h"

#if !defined(FRUGAL_ATTENTION)
#error "compile with -mavx2 -mfma -mf16c"
#endif

static uint32_t state = 2024;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) (next() % 1000000) / 1000000.0f; }
static uint16_t half(float x) { return _cvtss_sh(x, 0); }

enum { MASK_NONE, MASK_CAUSAL, MASK_RANDOM, MASK_BIAS, MASK_ALL };

// One KV head with `group` query heads over `cells` cells; the keys and values in rows with a gap (stride > size).
static int check(int d, int group, int cells, int mask_kind, int * cases) {
    const size_t stride = (size_t) d + 8; // f16 values a row
    uint16_t * k = malloc((size_t) cells * stride * 2);
    uint16_t * v = malloc((size_t) cells * stride * 2);
    uint16_t * mask = malloc((size_t) cells * 2);
    float * q = malloc((size_t) group * d * sizeof(float));
    float * out = malloc((size_t) group * d * sizeof(float));
    for (size_t i = 0; i < (size_t) cells * stride; ++i) {
        k[i] = half(uniform(-2.0f, 2.0f));
        v[i] = half(uniform(-2.0f, 2.0f));
    }
    for (int i = 0; i < group * d; ++i) {
        q[i] = uniform(-3.0f, 3.0f);
    }
    for (int c = 0; c < cells; ++c) {
        float m = 0.0f;
        switch (mask_kind) {
            case MASK_CAUSAL: m = c > cells * 2 / 3 ? -INFINITY : 0.0f; break;
            case MASK_RANDOM: m = next() % 10 < 3 ? -INFINITY : 0.0f; break;
            case MASK_BIAS: m = next() % 10 < 2 ? -INFINITY : uniform(-4.0f, 1.0f); break;
            case MASK_ALL: m = -INFINITY; break;
        }
        mask[c] = half(m);
    }
    frugal_attn_kv kv = {d, d, cells, k, stride * 2, v, stride * 2, mask_kind == MASK_NONE ? NULL : mask, 1.0f / sqrtf((float) d)};
    int failed = 0;
    // The heads in passes of up to eight, as the hook does.
    for (int first = 0; first < group; first += FRUGAL_ATTN_LANES) {
        const int count = group - first < FRUGAL_ATTN_LANES ? group - first : FRUGAL_ATTN_LANES;
        const float * queries[FRUGAL_ATTN_LANES];
        float * outs[FRUGAL_ATTN_LANES];
        for (int h = 0; h < count; ++h) {
            queries[h] = q + (size_t) (first + h) * d;
            outs[h] = out + (size_t) (first + h) * d;
        }
        frugal_attention_heads(&kv, count, queries, outs);
    }
    double * score = malloc((size_t) cells * sizeof(double));
    for (int h = 0; h < group && !failed; ++h) {
        double max = -INFINITY, sum = 0.0;
        for (int c = 0; c < cells; ++c) {
            const float m = _cvtsh_ss(mask[c]);
            if (mask_kind != MASK_NONE && m == -INFINITY) {
                score[c] = -INFINITY;
                continue;
            }
            double dot = 0.0;
            for (int j = 0; j < d; ++j) {
                dot += (double) _cvtsh_ss(half(q[h * d + j])) * _cvtsh_ss(k[c * stride + j]);
            }
            score[c] = dot * kv.scale + (mask_kind == MASK_NONE ? 0.0 : m);
            max = score[c] > max ? score[c] : max;
        }
        double want[FRUGAL_ATTN_MAX_D] = {0}, peak = 0.0;
        for (int c = 0; c < cells && max != -INFINITY; ++c) {
            const double p = score[c] == -INFINITY ? 0.0 : exp(score[c] - max);
            sum += p;
            for (int j = 0; j < d; ++j) {
                want[j] += p * _cvtsh_ss(v[c * stride + j]);
            }
        }
        for (int j = 0; j < d; ++j) {
            want[j] = sum == 0.0 ? 0.0 : want[j] / sum;
            peak = fabs(want[j]) > peak ? fabs(want[j]) : peak;
        }
        for (int j = 0; j < d && !failed; ++j) {
            const double got = out[h * d + j];
            failed = !(fabs(got - want[j]) <= 2e-6 * peak + 1e-7);
            if (failed) {
                printf("differs: d %d, group %d, cells %d, mask %d, head %d, dim %d: %.9g, want %.9g\n", d, group, cells, mask_kind, h, j, got, want[j]);
            }
        }
    }
    ++*cases;
    free(score);
    free(k);
    free(v);
    free(mask);
    free(q);
    free(out);
    return failed;
}

int main(void) {
    const int sizes[] = {16, 64, 128};
    const int groups[] = {2, 3, 8, 12};
    const int cell_counts[] = {1, 7, 128, 129, 300, 1000};
    int cases = 0;
    for (size_t si = 0; si < sizeof sizes / sizeof *sizes; ++si) {
        for (size_t gi = 0; gi < sizeof groups / sizeof *groups; ++gi) {
            for (size_t ci = 0; ci < sizeof cell_counts / sizeof *cell_counts; ++ci) {
                for (int mask = MASK_NONE; mask <= MASK_ALL; ++mask) {
                    if (check(sizes[si], groups[gi], cell_counts[ci], mask, &cases)) {
                        return 1;
                    }
                }
            }
        }
    }
    printf("ok %d\n", cases);
    return 0;
}
