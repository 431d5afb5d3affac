// Frugal's hook into ggml's CPU matrix multiplication (included into ggml-cpu.c by native/cpu/build.sh, which calls
// frugal_mul_mat after the activations are quantized, before llamafile's sgemm takes them and before ggml's own row
// loop). It takes Q8_0, Q4_K, Q5_K and Q6_K weights times one column of activations (a decoded token), Q4_K, Q5_K and
// Q6_K weights times a prompt's batch of columns too, Q8_0 weights times several columns (frugal-matmul-q8-0.h, ahead of
// llamafile's sgemm), and leaves every other case to ggml (returns false).
// Weights llama.cpp repacked at load (a Q4_K matrix with use_extra_bufts) never come here: the repacked buffer's own
// code multiplies them. It also quantizes activations to Q8_K for those weights (frugal_quantize_row_q8_K, which
// hook.py makes Q8_K's from_float), for a decoded token and a prompt's batch alike.
#include "frugal-matmul-q8-0.h"
#include "frugal-matvec.h"
#include "frugal-matvec-k.h"
#include "frugal-quantize-q8-k.h"
#include "frugal-setting.h"

#include <stdio.h>

#ifndef FRUGAL_Q8_0_PASS
#define FRUGAL_Q8_0_PASS ""
#endif

// The trace lines, once per weight type for one column (a decoded token) and once for several (a prompt's batch), from
// thread 0 of the first such product.
static void frugal_matvec_trace(const struct ggml_compute_params * params, const struct ggml_tensor * w, int64_t columns) {
    static int traced[GGML_TYPE_COUNT][2];
    if (params->ith == 0 && !__atomic_exchange_n(&traced[w->type][columns > 1], 1, __ATOMIC_RELAXED)) {
        const char * type = w->type == GGML_TYPE_Q8_0 ? "Q8_0" : w->type == GGML_TYPE_Q4_K ? "Q4_K" : w->type == GGML_TYPE_Q5_K ? "Q5_K" : "Q6_K";
        fprintf(stderr, "frugal-matvec: %s %lld x %lld times %lld column%s, %s\n", type, (long long) w->ne[1], (long long) w->ne[0], (long long) columns,
                columns > 1 ? "s" : "",
                columns == 1                   ? "four streams of rows"
                : w->type == GGML_TYPE_Q8_0 ? "sixteen rows interleaved, " FRUGAL_Q8_0_PASS
                                               : "four streams of rows in tiles, four columns at a time");
    }
}

// Whether a Q8_0 weight matrix holds no -128 byte, so frugal_q8_0_matvec may take the signs the faster way round. Checked
// once per matrix, at its first decoded token, and kept in the tensor's extra field as the address of one of two
// markers: a model's weights are written once, at the load, and the tensors live as long as their data. Only for
// tensors in a buffer of weights (llama.cpp marks the model's) that are not views; any other tensor, or one whose extra
// field another part of ggml uses, keeps llama.cpp's sign order.
#if defined(FRUGAL_MATVEC_K)
static char frugal_q8_0_without_min_marker, frugal_q8_0_holds_min_marker;

static bool frugal_q8_0_without_min(const struct ggml_compute_params * params, struct ggml_tensor * w, bool trace) {
    if (w->view_src != NULL || w->buffer == NULL || ggml_backend_buffer_get_usage(w->buffer) != GGML_BACKEND_BUFFER_USAGE_WEIGHTS) {
        return false;
    }
    const void * seen = __atomic_load_n(&w->extra, __ATOMIC_ACQUIRE);
    if (seen == NULL) {
        // Every thread that finds the matrix unchecked reads it whole and reaches the same answer; the first stores it.
        const bool holds_min = frugal_q8_0_holds_min((int) (w->ne[0] / QK8_0), w->data, w->nb[1], w->ne[1]);
        void * expected = NULL;
        void * marker = (void *) (holds_min ? &frugal_q8_0_holds_min_marker : &frugal_q8_0_without_min_marker);
        __atomic_compare_exchange_n(&w->extra, &expected, marker, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE);
        seen = expected == NULL ? marker : expected;
        static int traced_min;
        if (trace && holds_min && !__atomic_exchange_n(&traced_min, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q8_0 %lld x %lld holds a -128 byte: llama.cpp's sign order for it\n", (long long) w->ne[1], (long long) w->ne[0]);
        }
    }
    const bool without_min = seen == &frugal_q8_0_without_min_marker;
    static int traced;
    if (trace && without_min && params->ith == 0 && !__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
        fputs("frugal-matvec: Q8_0 weights without a -128 byte: the column's signs taken once for four rows\n", stderr);
    }
    return without_min;
}
#endif

// FRUGAL_CPU_MATMUL=off leaves Q8_0 weights times several columns to llamafile's sgemm (the rest of Frugal's kernels
// stay). Read once.
static int frugal_matmul_mode(void) {
    static int mode = -1;
    return frugal_setting_once("FRUGAL_CPU_MATMUL", &mode);
}

// Whether frugal_q8_0_matmul takes Q8_0 weights times these several columns: whole groups of sixteen rows, and
// FRUGAL_CPU_MATMUL not off.
static bool frugal_q8_0_matmul_takes(const struct ggml_tensor * w, const struct ggml_tensor * a) {
#if defined(FRUGAL_MATMUL_Q8_0)
    return a->ne[1] > 1 && w->ne[1] % 16 == 0 && frugal_matmul_mode() != 0;
#else
    (void) w, (void) a;
    return false;
#endif
}

// One matrix (no batches of matrices) times one set of columns, results packed as floats in each column.
static bool frugal_one_matrix(const struct ggml_tensor * w, const struct ggml_tensor * a, const struct ggml_tensor * dst) {
    return w->ne[2] == 1 && w->ne[3] == 1 && a->ne[2] == 1 && a->ne[3] == 1 && dst->nb[0] == sizeof(float);
}

static bool frugal_mul_mat(const struct ggml_compute_params * params, struct ggml_tensor * dst) {
#if defined(FRUGAL_MATVEC_K)
    const struct ggml_tensor * w = dst->src[0];
    const struct ggml_tensor * a = dst->src[1];
    _Static_assert(sizeof(block_q8_0) == sizeof(frugal_q8_0_block), "ggml's Q8_0 block layout changed");
    _Static_assert(sizeof(block_q4_K) == sizeof(frugal_q4_k_block) && offsetof(block_q4_K, qs) == offsetof(frugal_q4_k_block, qs), "ggml's Q4_K block layout changed");
    _Static_assert(sizeof(block_q5_K) == sizeof(frugal_q5_k_block) && offsetof(block_q5_K, qh) == offsetof(frugal_q5_k_block, qh)
                   && offsetof(block_q5_K, qs) == offsetof(frugal_q5_k_block, qs), "ggml's Q5_K block layout changed");
    _Static_assert(sizeof(block_q6_K) == sizeof(frugal_q6_k_block) && offsetof(block_q6_K, d) == offsetof(frugal_q6_k_block, d), "ggml's Q6_K block layout changed");
    _Static_assert(sizeof(block_q8_K) == sizeof(frugal_q8_k_block) && offsetof(block_q8_K, bsums) == offsetof(frugal_q8_k_block, bsums), "ggml's Q8_K block layout changed");
    if (params->use_ref || !frugal_one_matrix(w, a, dst)) {
        return false;
    }
    const bool q8_0 = w->type == GGML_TYPE_Q8_0 && w->ne[0] % QK8_0 == 0 && (a->type == GGML_TYPE_F32 || a->type == GGML_TYPE_Q8_0)
                      && (a->ne[1] == 1 || frugal_q8_0_matmul_takes(w, a));
    // Q4_K, Q5_K and Q6_K: ggml quantized the F32 columns to its vec_dot_type, Q8_K, in the work buffer (a row of
    // ne[0]/256 blocks per column, one after another).
    const bool k_quant = (w->type == GGML_TYPE_Q4_K || w->type == GGML_TYPE_Q5_K || w->type == GGML_TYPE_Q6_K) && w->ne[0] % QK_K == 0 && a->type == GGML_TYPE_F32
                         && type_traits_cpu[w->type].vec_dot_type == GGML_TYPE_Q8_K;
    if (!q8_0 && !k_quant) {
        return false;
    }
    const int mode = frugal_matvec_mode();
    if (mode == 0) {
        return false;
    }
    if (mode == 2) {
        frugal_matvec_trace(params, w, a->ne[1]);
    }
    const int64_t rows = w->ne[1];
    const int64_t first = rows * params->ith / params->nth;
    const int64_t last = rows * (params->ith + 1) / params->nth;
    float * out = (float *) dst->data;
    if (q8_0 && a->ne[1] > 1) {
#if defined(FRUGAL_MATMUL_Q8_0)
        // Groups of sixteen rows, split between the threads; the columns as ggml quantized them into the work buffer.
        const int64_t groups = rows / 16;
        const bool quantized = a->type == GGML_TYPE_Q8_0;
        frugal_q8_0_matmul((int) (w->ne[0] / QK8_0), w->data, w->nb[1], quantized ? a->data : params->wdata,
                           quantized ? a->nb[1] : ggml_row_size(GGML_TYPE_Q8_0, a->ne[0]), a->ne[1], out, dst->nb[1] / sizeof(float),
                           groups * params->ith / params->nth, groups * (params->ith + 1) / params->nth);
#endif
    } else if (q8_0) {
        // The activations as Q8_0: ggml quantized an F32 column into the work buffer before calling here.
        const frugal_q8_0_block * y = (const frugal_q8_0_block *) (a->type == GGML_TYPE_Q8_0 ? a->data : params->wdata);
        const bool without_min = frugal_q8_0_without_min(params, dst->src[0], mode == 2);
        frugal_q8_0_matvec((int) (w->ne[0] / QK8_0), w->data, w->nb[1], y, without_min, out, first, last);
    } else {
        const int blocks = (int) (w->ne[0] / QK_K);
        const size_t y_bytes = ggml_row_size(GGML_TYPE_Q8_K, a->ne[0]);
        if (w->type == GGML_TYPE_Q4_K) {
            frugal_q4_k_matmul(blocks, w->data, w->nb[1], params->wdata, y_bytes, a->ne[1], out, dst->nb[1], first, last);
        } else if (w->type == GGML_TYPE_Q5_K) {
            frugal_q5_k_matmul(blocks, w->data, w->nb[1], params->wdata, y_bytes, a->ne[1], out, dst->nb[1], first, last);
        } else {
            frugal_q6_k_matmul(blocks, w->data, w->nb[1], params->wdata, y_bytes, a->ne[1], out, dst->nb[1], first, last);
        }
    }
    return true;
#else
    (void) params;
    (void) dst;
    return false;
#endif
}

// Q8_K's from_float in type_traits_cpu (hook.py puts it there in place of ggml's quantize_row_q8_K, on x86 the scalar
// quantize_row_q8_K_ref): every matrix product with Q4_K, Q5_K or Q6_K weights quantizes its F32 activations here,
// whoever multiplies them after. The same bytes as ggml's (frugal-quantize-q8-k.h); ggml's own with
// FRUGAL_CPU_MATVEC=off or without AVX2.
static void frugal_quantize_row_q8_K(const float * GGML_RESTRICT x, void * GGML_RESTRICT y, int64_t k) {
#if defined(FRUGAL_MATVEC_K)
    const int mode = frugal_matvec_mode();
    if (mode != 0) {
        static int traced;
        if (mode == 2 && !__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fputs("frugal-quantize: Q8_K activations, eight lanes\n", stderr);
        }
        frugal_quantize_q8_k(x, (frugal_q8_k_block *) y, k);
        return;
    }
#endif
    quantize_row_q8_K(x, y, k);
}

// The weight types this backend multiplies by a decoded token's column itself (bit N: ggml type N), read by Frugal's
// engine (FrugalCpuKernels): with kernels for every type of a 4-bit file's matrices, the engine reads the file from the
// map as it is rather than have llama.cpp repack it for its own code. None with FRUGAL_CPU_MATVEC=off.
__attribute__((visibility("default"))) uint64_t frugal_matvec_types(void);

uint64_t frugal_matvec_types(void) {
#if defined(FRUGAL_MATVEC_K)
    return frugal_matvec_mode() == 0 ? 0 : (1ull << GGML_TYPE_Q8_0) | (1ull << GGML_TYPE_Q4_K) | (1ull << GGML_TYPE_Q5_K)
                                        | (1ull << GGML_TYPE_Q6_K);
#else
    return 0;
#endif
}
