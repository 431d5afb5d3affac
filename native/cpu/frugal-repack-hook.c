// Frugal's hook into llama.cpp's products of a repacked Q4_0 or Q4_K matrix (included into arch/x86/repack.cpp, a C++
// file, by native/cpu/hook.py, which calls frugal_gemv_q4_0_8x8_q8_0 / frugal_gemm_q4_0_8x8_q8_0 first in llama.cpp's
// gemv / gemm for block_q4_0x8, frugal_gemv_q4_K_8x8_q8_K first in ggml_gemv_q4_K_8x8_q8_K and
// frugal_gemm_q4_K_8x8_q8_K first in ggml_gemm_q4_K_8x8_q8_K): a Q4_0 matrix that llama.cpp repacked eight rows at a
// time at load times one column of Q8_0 activations or a prompt's columns four at a time in llama.cpp's interleaved
// Q8_0 (frugal-repacked-q4-0.h); a Q4_K matrix repacked likewise (use_extra_bufts) times one column of activations
// quantized to Q8_K (a decoded token, or the one column of a batch past its last multiple of four; two or three go
// through frugal-repack-columns-hook.c), or times a prompt's columns four at a time in llama.cpp's interleaved Q8_K,
// through frugal-repacked-q4-k.h. Anything else stays llama.cpp's (returns false), as does everything with
// FRUGAL_CPU_MATVEC=off.
#include "frugal-repacked-q4-0.h"
#include "frugal-repacked-q4-k.h"
#include "frugal-setting.h"

#include <stdio.h>

// n weights a row, nc rows (a multiple of eight: groups of eight from vx), nr columns (one here) of Q8_0 activations
// from vy, results to s.
static bool frugal_gemv_q4_0_8x8_q8_0(int n, float * s, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_0)
    static_assert(sizeof(block_q4_0x8) == sizeof(frugal_q4_0x8_block) && offsetof(block_q4_0x8, qs) == offsetof(frugal_q4_0x8_block, qs),
                  "ggml's block_q4_0x8 layout changed");
    static_assert(sizeof(block_q8_0) == sizeof(frugal_q8_0_block) && offsetof(block_q8_0, qs) == offsetof(frugal_q8_0_block, qs), "ggml's Q8_0 block layout changed");
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr != 1 || n % QK8_0 != 0 || n / QK8_0 > FRUGAL_Q4_0X8_MAX_BLOCKS || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_0 repacked %d x %d times 1 column, eight rows a vector, four streams of row groups\n", nc, n);
        }
    }
    frugal_q4_0x8_matvec(n / QK8_0, (const frugal_q4_0x8_block *) vx, nc / 8, (const frugal_q8_0_block *) vy, s);
    return true;
#else
    (void) n, (void) s, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

// nr columns (a multiple of four) of Q8_0 activations interleaved four at a time (vy), results bs floats apart per column.
static bool frugal_gemm_q4_0_8x8_q8_0(int n, float * s, size_t bs, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_0)
    static_assert(sizeof(block_q8_0x4) == sizeof(frugal_q8_0x4_block) && offsetof(block_q8_0x4, qs) == offsetof(frugal_q8_0x4_block, qs),
                  "ggml's block_q8_0x4 layout changed");
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr % 4 != 0 || n % QK8_0 != 0 || n / QK8_0 > FRUGAL_Q4_0X8_MAX_BLOCKS || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_0 repacked %d x %d times %d columns, eight rows a vector, in tiles, four columns at a time\n", nc, n, nr);
        }
    }
    frugal_q4_0x8_matmul(n / QK8_0, (const frugal_q4_0x8_block *) vx, nc / 8, (const frugal_q8_0x4_block *) vy, nr / 4, s, bs);
    return true;
#else
    (void) n, (void) s, (void) bs, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

// n weights a row, nc rows (a multiple of eight: groups of eight from vx), nr columns (one here) of Q8_K activations
// from vy, results to s.
static bool frugal_gemv_q4_K_8x8_q8_K(int n, float * s, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_K)
    FRUGAL_ASSERT_KX8_LAYOUT(block_q4_Kx8, block_q8_K);
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr != 1 || n % QK_K != 0 || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_K repacked %d x %d times 1 column, eight rows a vector, four streams of row groups\n", nc, n);
        }
    }
    frugal_q4_kx8_matvec(n / QK_K, (const frugal_q4_kx8_block *) vx, nc / 8, (const frugal_q8_k_block *) vy, s);
    return true;
#else
    (void) n, (void) s, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

// nr columns (a multiple of four) of activations interleaved four at a time (vy), results bs floats apart per column.
static bool frugal_gemm_q4_K_8x8_q8_K(int n, float * s, size_t bs, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_K)
    static_assert(sizeof(block_q8_Kx4) == sizeof(frugal_q8_kx4_block) && offsetof(block_q8_Kx4, qs) == offsetof(frugal_q8_kx4_block, qs)
                      && offsetof(block_q8_Kx4, bsums) == offsetof(frugal_q8_kx4_block, bsums),
                  "ggml's block_q8_Kx4 layout changed");
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr % 4 != 0 || n % QK_K != 0 || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_K repacked %d x %d times %d columns, eight rows a vector, in tiles, four columns at a time\n", nc, n, nr);
        }
    }
    frugal_q4_kx8_matmul(n / QK_K, (const frugal_q4_kx8_block *) vx, nc / 8, (const frugal_q8_kx4_block *) vy, nr / 4, s, bs);
    return true;
#else
    (void) n, (void) s, (void) bs, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

// The weight types this backend multiplies by a decoded token's column itself when llama.cpp has repacked them (bit N:
// ggml type N), read by Frugal's engine (FrugalCpuKernels) to choose between the mapped file and a repacked copy. None
// with FRUGAL_CPU_MATVEC=off.
extern "C" __attribute__((visibility("default"))) uint64_t frugal_repacked_types(void);

uint64_t frugal_repacked_types(void) {
#if defined(FRUGAL_REPACKED_Q4_K)
    return frugal_matvec_mode() == 0 ? 0 : (1ull << GGML_TYPE_Q4_K) | (1ull << GGML_TYPE_Q4_0);
#else
    return 0;
#endif
}
