// Frugal's hook into ggml's CPU matrix multiplication (included into ggml-cpu.c by native/cpu/build.sh, which calls
// frugal_mul_mat after the activations are quantized and before ggml's own row loop). It takes one case — Q8_0
// weights times one column of activations, a decoded token — and leaves every other case to ggml (returns false).
#include "frugal-matvec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// FRUGAL_CPU_MATVEC=off leaves every product to ggml (the same library measured both ways); =trace also prints one
// line to stderr the first time the hook computes one. Read once.
static int frugal_matvec_mode(void) {
    static int mode = -1;
    int m = __atomic_load_n(&mode, __ATOMIC_RELAXED);
    if (m < 0) {
        const char * setting = getenv("FRUGAL_CPU_MATVEC");
        m = setting == NULL ? 1 : strcmp(setting, "off") == 0 ? 0 : strcmp(setting, "trace") == 0 ? 2 : 1;
        __atomic_store_n(&mode, m, __ATOMIC_RELAXED);
    }
    return m;
}

static bool frugal_mul_mat(const struct ggml_compute_params * params, struct ggml_tensor * dst) {
#if defined(FRUGAL_MATVEC_Q8_0)
    const struct ggml_tensor * w = dst->src[0];
    const struct ggml_tensor * a = dst->src[1];
    _Static_assert(sizeof(block_q8_0) == sizeof(frugal_q8_0_block), "ggml's Q8_0 block layout changed");
    if (params->use_ref || w->type != GGML_TYPE_Q8_0 || w->ne[0] % QK8_0 != 0 || w->ne[2] != 1 || w->ne[3] != 1
        || a->ne[1] != 1 || a->ne[2] != 1 || a->ne[3] != 1 || dst->nb[0] != sizeof(float)
        || (a->type != GGML_TYPE_F32 && a->type != GGML_TYPE_Q8_0)) {
        return false;
    }
    const int mode = frugal_matvec_mode();
    if (mode == 0) {
        return false;
    }
    static int traced = 0;
    if (mode == 2 && params->ith == 0 && !__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
        fprintf(stderr, "frugal-matvec: Q8_0 %lld x %lld times one column, four streams of rows\n", (long long) w->ne[1], (long long) w->ne[0]);
    }
    // The activations as Q8_0: ggml quantized an F32 column into the work buffer before calling here.
    const frugal_q8_0_block * y = (const frugal_q8_0_block *) (a->type == GGML_TYPE_Q8_0 ? a->data : params->wdata);
    const int64_t rows = w->ne[1];
    const int64_t first = rows * params->ith / params->nth;
    const int64_t last = rows * (params->ith + 1) / params->nth;
    frugal_q8_0_matvec((int) (w->ne[0] / QK8_0), w->data, w->nb[1], y, (float *) dst->data, first, last);
    return true;
#else
    (void) params;
    (void) dst;
    return false;
#endif
}
