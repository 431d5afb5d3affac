// Checks a built CPU backend's flash attention as llama.cpp calls it: ggml graphs of ggml_flash_attn_ext over an f16
// KV cache laid out as llama.cpp lays it out (a cell's row holds every KV head; keys and values seen through permuted
// views), with the causal mask of a batch of tokens, one or two streams (a non-unified cache: a slice per sequence),
// grouped-query heads (3, 4 or 8 query heads per KV head) and one or two threads, computed by the library and compared
// with attention computed here in double precision (the queries rounded to f16, as ggml's flash attention does).
// With Frugal's attention (FRUGAL_CPU_ATTENTION unset) every output must be within 4e-6 of its row's largest magnitude
// (plus 1e-7); with FRUGAL_CPU_ATTENTION=off (ggml's own code, which accumulates values in f16) within 3e-2 — so the
// reference is checked against ggml's own answer too. Links to the library's libggml-base.so and libggml-cpu.so
// (declarations below: no ggml header needed). Run by Frugal.Cli.Tests (NativeBuildCommandTests) after a real
// `frugal native build`. Prints "ok CASES worst ERROR" and exits 0, else the first difference and exits 1.
#include <immintrin.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ggml_context;
struct ggml_tensor;
struct ggml_cgraph;
struct ggml_init_params {
    size_t mem_size;
    void * mem_buffer;
    bool no_alloc;
};
enum { TYPE_F32 = 0, TYPE_F16 = 1 };
struct ggml_context * ggml_init(struct ggml_init_params params);
void ggml_free(struct ggml_context * ctx);
struct ggml_tensor * ggml_new_tensor_4d(struct ggml_context * ctx, int type, int64_t ne0, int64_t ne1, int64_t ne2, int64_t ne3);
struct ggml_tensor * ggml_permute(struct ggml_context * ctx, struct ggml_tensor * a, int axis0, int axis1, int axis2, int axis3);
struct ggml_tensor * ggml_flash_attn_ext(struct ggml_context * ctx, struct ggml_tensor * q, struct ggml_tensor * k, struct ggml_tensor * v,
                                         struct ggml_tensor * mask, float scale, float max_bias, float logit_softcap);
void * ggml_get_data(const struct ggml_tensor * tensor);
struct ggml_cgraph * ggml_new_graph(struct ggml_context * ctx);
void ggml_build_forward_expand(struct ggml_cgraph * cgraph, struct ggml_tensor * tensor);
int ggml_graph_compute_with_ctx(struct ggml_context * ctx, struct ggml_cgraph * cgraph, int n_threads);
void ggml_cpu_init(void);

static uint32_t state = 77;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) (next() % 1000000) / 1000000.0f; }

static double worst;

// One graph: `streams` x `tokens` query rows of `heads` heads over `cells` cells of `kv_heads` KV heads, head size d.
static int check(int d, int heads, int kv_heads, int cells, int tokens, int streams, int threads, double tolerance, int * cases) {
    struct ggml_init_params params = {256u * 1024 * 1024, NULL, false};
    struct ggml_context * ctx = ggml_init(params);
    // The cache as llama.cpp holds it: per stream, cells of kv_heads rows of d values; viewed as [d, cells, kv_heads].
    struct ggml_tensor * k_cache = ggml_new_tensor_4d(ctx, TYPE_F16, d, kv_heads, cells, streams);
    struct ggml_tensor * v_cache = ggml_new_tensor_4d(ctx, TYPE_F16, d, kv_heads, cells, streams);
    struct ggml_tensor * q_rows = ggml_new_tensor_4d(ctx, TYPE_F32, d, heads, tokens, streams);
    struct ggml_tensor * mask = ggml_new_tensor_4d(ctx, TYPE_F16, cells, tokens, 1, streams);
    uint16_t * k = ggml_get_data(k_cache);
    uint16_t * v = ggml_get_data(v_cache);
    float * q = ggml_get_data(q_rows);
    uint16_t * m = ggml_get_data(mask);
    const size_t kv_values = (size_t) d * kv_heads * cells * streams;
    for (size_t i = 0; i < kv_values; ++i) {
        k[i] = _cvtss_sh(uniform(-2.0f, 2.0f), 0);
        v[i] = _cvtss_sh(uniform(-2.0f, 2.0f), 0);
    }
    for (size_t i = 0; i < (size_t) d * heads * tokens * streams; ++i) {
        q[i] = uniform(-3.0f, 3.0f);
    }
    // Causal: token t of stream s sees the cells up to its position (a stream's own length), less every seventh cell
    // (another sequence's, in a unified cache).
    for (int s = 0; s < streams; ++s) {
        const int length = cells - 5 * s - tokens;
        for (int t = 0; t < tokens; ++t) {
            for (int c = 0; c < cells; ++c) {
                const bool seen = c <= length + t && c % 7 != 3;
                m[((size_t) s * tokens + t) * cells + c] = _cvtss_sh(seen ? 0.0f : -INFINITY, 0);
            }
        }
    }
    struct ggml_tensor * q_view = ggml_permute(ctx, q_rows, 0, 2, 1, 3); // [d, tokens, heads, streams], as llama.cpp's q
    struct ggml_tensor * k_view = ggml_permute(ctx, k_cache, 0, 2, 1, 3);
    struct ggml_tensor * v_view = ggml_permute(ctx, v_cache, 0, 2, 1, 3);
    const float scale = 1.0f / sqrtf((float) d);
    struct ggml_tensor * out = ggml_flash_attn_ext(ctx, q_view, k_view, v_view, mask, scale, 0.0f, 0.0f);
    struct ggml_cgraph * graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(graph, out);
    if (ggml_graph_compute_with_ctx(ctx, graph, threads) != 0) {
        printf("graph failed\n");
        return 1;
    }
    const float * result = ggml_get_data(out); // [d, heads, tokens, streams]
    const int group = heads / kv_heads;
    int failed = 0;
    double * score = malloc((size_t) cells * sizeof(double));
    for (int s = 0; s < streams && !failed; ++s) {
        for (int t = 0; t < tokens && !failed; ++t) {
            for (int h = 0; h < heads && !failed; ++h) {
                const float * qh = q + (((size_t) s * tokens + t) * heads + h) * d;
                const int g = h / group;
                double max = -INFINITY, sum = 0.0, want[256] = {0}, peak = 0.0;
                for (int c = 0; c < cells; ++c) {
                    const float bias = _cvtsh_ss(m[((size_t) s * tokens + t) * cells + c]);
                    const uint16_t * kr = k + (((size_t) s * cells + c) * kv_heads + g) * d;
                    double dot = 0.0;
                    for (int j = 0; j < d; ++j) {
                        dot += (double) _cvtsh_ss(_cvtss_sh(qh[j], 0)) * _cvtsh_ss(kr[j]);
                    }
                    score[c] = bias == -INFINITY ? -INFINITY : dot * scale + bias;
                    max = score[c] > max ? score[c] : max;
                }
                for (int c = 0; c < cells; ++c) {
                    const double p = score[c] == -INFINITY ? 0.0 : exp(score[c] - max);
                    const uint16_t * vr = v + (((size_t) s * cells + c) * kv_heads + g) * d;
                    sum += p;
                    for (int j = 0; j < d; ++j) {
                        want[j] += p * _cvtsh_ss(vr[j]);
                    }
                }
                for (int j = 0; j < d; ++j) {
                    want[j] /= sum;
                    peak = fabs(want[j]) > peak ? fabs(want[j]) : peak;
                }
                const float * got = result + (((size_t) s * tokens + t) * heads + h) * d;
                for (int j = 0; j < d && !failed; ++j) {
                    const double error = fabs(got[j] - want[j]) / (peak + 1e-7 / tolerance);
                    worst = error > worst ? error : worst;
                    failed = !(error <= tolerance);
                    if (failed) {
                        printf("differs: d %d, heads %d/%d, cells %d, tokens %d, streams %d, threads %d; stream %d token %d head %d dim %d: %.9g, want %.9g\n", d,
                               heads, kv_heads, cells, tokens, streams, threads, s, t, h, j, got[j], want[j]);
                    }
                }
            }
        }
    }
    free(score);
    ggml_free(ctx);
    ++*cases;
    return failed;
}

int main(void) {
    ggml_cpu_init();
    const char * attention = getenv("FRUGAL_CPU_ATTENTION");
    const double tolerance = attention != NULL && strcmp(attention, "off") == 0 ? 3e-2 : 4e-6;
    // d, heads, KV heads, cells, tokens, streams, threads: TinyLlama's heads, other groups, batches, two streams.
    const int shapes[][7] = {
        {64, 32, 4, 300, 1, 1, 1}, {64, 32, 4, 300, 1, 1, 2}, {64, 32, 4, 700, 3, 1, 1}, {64, 32, 4, 257, 2, 2, 1},
        {64, 32, 4, 257, 2, 2, 2}, {128, 8, 2, 130, 1, 2, 1}, {64, 6, 2, 200, 5, 1, 2}, {64, 24, 2, 129, 1, 1, 1},
    };
    int cases = 0;
    for (size_t i = 0; i < sizeof shapes / sizeof *shapes; ++i) {
        const int * s = shapes[i];
        if (check(s[0], s[1], s[2], s[3], s[4], s[5], s[6], tolerance, &cases)) {
            return 1;
        }
    }
    printf("ok %d worst %.3g\n", cases, worst);
    return 0;
}
