// Checks a built CPU backend's products of a repacked Q4_K matrix as llama.cpp computes them: the weights put into the
// backend's repack buffer type (CPU_REPACK, what use_extra_bufts loads weights into, which repacks a Q4_K matrix eight
// rows at a time as it is set), then ggml graphs of ggml_mul_mat times 1 to 7 or 9 F32 columns (one column: the
// repacked gemv; four: the gemm on llama.cpp's interleaved activations; two, three, six and seven: the columns past the
// last four, which Frugal multiplies at once and llama.cpp one at a time; five and nine: gemm and gemv), on one or two
// threads, compared with the product computed here in double precision from the same Q4_K blocks and the activations
// quantized to Q8_K as ggml's reference quantizer does (what the library multiplies: Frugal's quantizer gives its
// bytes, and llama.cpp's four-column one does too on these inputs). Every result must be within 1e-5 of the sum of its
// terms' magnitudes — float rounding, where a wrong layout, scale or column is off by whole terms — with Frugal's
// repacked arithmetic (FRUGAL_CPU_MATVEC unset) and with llama.cpp's (=off), which checks the reference against
// llama.cpp's own answer too. The columns past the last four, when two or three, must also equal bit for bit the same
// column multiplied alone in a graph of its own (the one-column kernel's result: Frugal's defined arithmetic, whatever
// the column count). Links to the library's libggml-base.so and libggml-cpu.so (declarations below: no ggml header
// needed). Run by Frugal.Cli.Tests (NativeBuildCommandTests) after a real `frugal native build`. Prints "ok CASES worst
// RATIO" (the largest error as a fraction of its bound) and exits 0, else the first result out of bounds and exits 1.
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
typedef struct ggml_backend_reg * ggml_backend_reg_t;
typedef struct ggml_backend_device * ggml_backend_dev_t;
typedef struct ggml_backend_buffer_type * ggml_backend_buffer_type_t;
typedef struct ggml_backend_buffer * ggml_backend_buffer_t;
typedef ggml_backend_buffer_type_t * (*get_extra_bufts_t)(ggml_backend_dev_t device);
struct ggml_init_params {
    size_t mem_size;
    void * mem_buffer;
    bool no_alloc;
};
enum { TYPE_F32 = 0, TYPE_Q4_K = 12 };
struct ggml_context * ggml_init(struct ggml_init_params params);
void ggml_free(struct ggml_context * ctx);
struct ggml_tensor * ggml_new_tensor_2d(struct ggml_context * ctx, int type, int64_t ne0, int64_t ne1);
struct ggml_tensor * ggml_mul_mat(struct ggml_context * ctx, struct ggml_tensor * a, struct ggml_tensor * b);
void * ggml_get_data(const struct ggml_tensor * tensor);
struct ggml_cgraph * ggml_new_graph(struct ggml_context * ctx);
void ggml_build_forward_expand(struct ggml_cgraph * cgraph, struct ggml_tensor * tensor);
int ggml_graph_compute_with_ctx(struct ggml_context * ctx, struct ggml_cgraph * cgraph, int n_threads);
void ggml_cpu_init(void);
ggml_backend_reg_t ggml_backend_cpu_reg(void);
void * ggml_backend_reg_get_proc_address(ggml_backend_reg_t reg, const char * name);
ggml_backend_dev_t ggml_backend_reg_dev_get(ggml_backend_reg_t reg, size_t index);
const char * ggml_backend_buft_name(ggml_backend_buffer_type_t buft);
ggml_backend_buffer_t ggml_backend_alloc_ctx_tensors_from_buft(struct ggml_context * ctx, ggml_backend_buffer_type_t buft);
void ggml_backend_buffer_free(ggml_backend_buffer_t buffer);
void ggml_backend_tensor_set(struct ggml_tensor * tensor, const void * data, size_t offset, size_t size);

// ggml's block_q4_K: fp16 d and dmin, eight 6-bit scales and mins in 12 bytes, 128 bytes of 4-bit quants.
typedef struct {
    uint16_t d;
    uint16_t dmin;
    uint8_t scales[12];
    uint8_t qs[128];
} q4_k_block;

static uint32_t state = 99;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }
static float uniform(float lo, float hi) { return lo + (hi - lo) * (float) (next() % 1000000) / 1000000.0f; }

// ggml's get_scale_min_k4.
static void scale_min(int j, const uint8_t * q, int * scale, int * min) {
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Weight w of a Q4_K block, dequantized as ggml does it, in double.
static double weight(const q4_k_block * b, int w) {
    int scale, min;
    scale_min(w / 32, b->scales, &scale, &min);
    const uint8_t byte = b->qs[32 * (w / 64) + w % 32];
    const int q = (w / 32) % 2 == 0 ? byte & 15 : byte >> 4;
    return (double) _cvtsh_ss(b->d) * scale * q - (double) _cvtsh_ss(b->dmin) * min;
}

// ggml's quantize_row_q8_K_ref for one super-block of x: the scale d and the quants q.
static void quantize_q8_k(const float * x, float * d, int8_t q[256]) {
    float max = 0.0f, amax = 0.0f;
    for (int j = 0; j < 256; ++j) {
        if (fabsf(x[j]) > amax) {
            amax = fabsf(x[j]);
            max = x[j];
        }
    }
    if (amax == 0.0f) {
        *d = 0.0f;
        memset(q, 0, 256);
        return;
    }
    const float iscale = -127.0f / max;
    for (int j = 0; j < 256; ++j) {
        const long v = lrintf(iscale * x[j]);
        q[j] = (int8_t) (v < 127 ? v : 127);
    }
    *d = 1.0f / iscale;
}

static double worst;

static int check(ggml_backend_buffer_type_t repack, int rows, int blocks, int columns, int threads, int * cases) {
    const int k = 256 * blocks;
    q4_k_block * w = malloc(sizeof(q4_k_block) * rows * blocks);
    for (int i = 0; i < rows * blocks; ++i) {
        w[i].d = _cvtss_sh(uniform(1e-3f, 2e-2f), 0);
        w[i].dmin = _cvtss_sh(uniform(1e-3f, 2e-2f), 0);
        for (int b = 0; b < 12; ++b) {
            w[i].scales[b] = (uint8_t) next();
        }
        for (int b = 0; b < 128; ++b) {
            w[i].qs[b] = (uint8_t) next();
        }
    }
    struct ggml_init_params weight_params = {1024 * 1024, NULL, true};
    struct ggml_context * weight_ctx = ggml_init(weight_params);
    struct ggml_tensor * matrix = ggml_new_tensor_2d(weight_ctx, TYPE_Q4_K, k, rows);
    ggml_backend_buffer_t buffer = ggml_backend_alloc_ctx_tensors_from_buft(weight_ctx, repack);
    ggml_backend_tensor_set(matrix, w, 0, sizeof(q4_k_block) * rows * blocks);

    struct ggml_init_params params = {64u * 1024 * 1024, NULL, false};
    struct ggml_context * ctx = ggml_init(params);
    struct ggml_tensor * activations = ggml_new_tensor_2d(ctx, TYPE_F32, k, columns);
    float * x = ggml_get_data(activations);
    for (int i = 0; i < k * columns; ++i) {
        x[i] = uniform(-1.0f, 1.0f);
    }
    struct ggml_tensor * product = ggml_mul_mat(ctx, matrix, activations);
    struct ggml_cgraph * graph = ggml_new_graph(ctx);
    ggml_build_forward_expand(graph, product);
    ggml_graph_compute_with_ctx(ctx, graph, threads);
    const float * out = ggml_get_data(product);

    int failed = 0;
    for (int c = 0; c < columns && !failed; ++c) {
        for (int r = 0; r < rows && !failed; ++r) {
            double exact = 0.0, bound = 1e-6;
            for (int i = 0; i < blocks; ++i) {
                float d;
                int8_t q[256];
                quantize_q8_k(x + c * k + 256 * i, &d, q);
                for (int j = 0; j < 256; ++j) {
                    const double term = weight(&w[r * blocks + i], j) * d * q[j];
                    exact += term;
                    bound += 1e-5 * fabs(term);
                }
            }
            const double error = fabs(out[c * rows + r] - exact);
            if (error / bound > worst) {
                worst = error / bound;
            }
            if (!(error <= bound)) {
                printf("%d rows x %d, %d columns, %d threads: column %d, row %d: %.9g, expected %.9g (bound %.3g)\n", rows, k, columns, threads, c, r,
                       out[c * rows + r], exact, bound);
                failed = 1;
            }
        }
    }
    // The last columns past a multiple of four, when two or three, each alone in a graph of one column: bit for bit.
    for (int c = columns % 4 >= 2 ? columns - columns % 4 : columns; c < columns && !failed; ++c) {
        struct ggml_init_params alone_params = {16u * 1024 * 1024, NULL, false};
        struct ggml_context * alone_ctx = ggml_init(alone_params);
        struct ggml_tensor * column = ggml_new_tensor_2d(alone_ctx, TYPE_F32, k, 1);
        memcpy(ggml_get_data(column), x + c * k, sizeof(float) * k);
        struct ggml_tensor * alone = ggml_mul_mat(alone_ctx, matrix, column);
        struct ggml_cgraph * alone_graph = ggml_new_graph(alone_ctx);
        ggml_build_forward_expand(alone_graph, alone);
        ggml_graph_compute_with_ctx(alone_ctx, alone_graph, threads);
        const float * expected = ggml_get_data(alone);
        for (int r = 0; r < rows && !failed; ++r) {
            if (memcmp(&out[c * rows + r], &expected[r], sizeof(float)) != 0) {
                printf("%d rows x %d, %d columns, %d threads: column %d, row %d: %.9g, alone %.9g\n", rows, k, columns, threads, c, r, out[c * rows + r],
                       expected[r]);
                failed = 1;
            }
        }
        ggml_free(alone_ctx);
    }
    ++*cases;
    ggml_free(ctx);
    ggml_backend_buffer_free(buffer);
    ggml_free(weight_ctx);
    free(w);
    return failed;
}

int main(void) {
    ggml_cpu_init();
    ggml_backend_reg_t reg = ggml_backend_cpu_reg();
    get_extra_bufts_t get_extra_bufts = (get_extra_bufts_t) ggml_backend_reg_get_proc_address(reg, "ggml_backend_dev_get_extra_bufts");
    ggml_backend_buffer_type_t repack = NULL;
    for (ggml_backend_buffer_type_t * b = get_extra_bufts ? get_extra_bufts(ggml_backend_reg_dev_get(reg, 0)) : NULL; b && *b; ++b) {
        if (strcmp(ggml_backend_buft_name(*b), "CPU_REPACK") == 0) {
            repack = *b;
        }
    }
    if (repack == NULL) {
        printf("the library has no CPU_REPACK buffer type\n");
        return 1;
    }
    static const int rows[] = {8, 16, 40, 256};
    static const int blocks[] = {1, 8};
    static const int columns[] = {1, 2, 3, 4, 5, 6, 7, 9};
    int cases = 0;
    for (size_t r = 0; r < sizeof rows / sizeof rows[0]; ++r) {
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; ++b) {
            for (size_t c = 0; c < sizeof columns / sizeof columns[0]; ++c) {
                if (check(repack, rows[r], blocks[b], columns[c], 1 + (int) ((r + b + c) % 2), &cases)) {
                    return 1;
                }
            }
        }
    }
    printf("ok %d worst %.3f\n", cases, worst);
    return 0;
}
