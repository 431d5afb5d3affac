// Frugal's hook into the generic ggml-cpu/repack.cpp (a C++ file; included by native/cpu/hook.py after its includes): a
// repacked matrix's product with a batch's columns past its last multiple of four. llama.cpp multiplies those one at a
// time through gemv, each reading all the weights again, so that a decode step of two or three sequences cost 1.9x and
// 2.7x one (TinyLlama Q4_K_M, one core), more than four (2.3x, through the four-column gemm). hook.py calls
// frugal_gemv_columns in forward_mul_mat_one_chunk before that loop, with the columns' results, their stride, the
// chunk's rows and the columns' activations (plain Q8_K or Q8_0 rows one after another, quantized by from_float); for a
// repacked Q4_K (block_q4_Kx8) or Q4_0 (block_q4_0x8) matrix and two or three columns it multiplies them at once
// through frugal-repacked-q4-k.h or frugal-repacked-q4-0.h and returns true. Anything else stays llama.cpp's (false), as does everything with
// FRUGAL_CPU_MATVEC=off.
#include "frugal-repacked-q4-0.h"
#include "frugal-repacked-q4-k.h"
#include "frugal-setting.h"

#include <stdio.h>
#include <sys/mman.h>

// n weights a row, nc rows (the chunk's; a multiple of eight: groups of eight from vx), nr columns of activations from
// vy, results to s, bs floats apart per column. Any type but the one specialised below: llama.cpp's.
template <typename BLOC_TYPE, int64_t INTER_SIZE, int64_t NB_COLS, ggml_type PARAM_TYPE>
static bool frugal_gemv_columns(int n, float * s, size_t bs, const void * vx, const void * vy, int nr, int nc) {
    (void) n, (void) s, (void) bs, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
}

template <> bool frugal_gemv_columns<block_q4_0, 8, 8, GGML_TYPE_Q8_0>(int n, float * s, size_t bs, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_0)
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr < 2 || nr > 3 || n % QK8_0 != 0 || n / QK8_0 > FRUGAL_Q4_0X8_MAX_BLOCKS || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_0 repacked %d x %d times %d columns at once (a batch's last columns)\n", nc, n, nr);
        }
    }
    frugal_q4_0x8_matvec_columns(n / QK8_0, (const frugal_q4_0x8_block *) vx, nc / 8, (const frugal_q8_0_block *) vy, nr, s, bs);
    return true;
#else
    (void) n, (void) s, (void) bs, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

template <> bool frugal_gemv_columns<block_q4_K, 8, 8, GGML_TYPE_Q8_K>(int n, float * s, size_t bs, const void * vx, const void * vy, int nr, int nc) {
#if defined(FRUGAL_REPACKED_Q4_K)
    FRUGAL_ASSERT_KX8_LAYOUT(block_q4_Kx8, block_q8_K);
    const int mode = frugal_matvec_mode();
    if (mode == 0 || nr < 2 || nr > 3 || n % QK_K != 0 || nc % 8 != 0) {
        return false;
    }
    if (mode == 2) {
        static int traced;
        if (!__atomic_exchange_n(&traced, 1, __ATOMIC_RELAXED)) {
            fprintf(stderr, "frugal-matvec: Q4_K repacked %d x %d times %d columns at once (a batch's last columns)\n", nc, n, nr);
        }
    }
    frugal_q4_kx8_matvec_columns(n / QK_K, (const frugal_q4_kx8_block *) vx, nc / 8, (const frugal_q8_k_block *) vy, nr, s, bs);
    return true;
#else
    (void) n, (void) s, (void) bs, (void) vx, (void) vy, (void) nr, (void) nc;
    return false;
#endif
}

// llama.cpp's repacked copy of the weights in 2 MiB pages. Its buffer is ggml's aligned malloc (glibc's mmap for a size
// like this), which this kernel's transparent huge pages (madvise mode, the usual default) leave in 4 KiB pages; every
// decoded token reads all of it, and a read from 4 KiB pages runs slower for the TLB misses (TinyLlama Q4_K_M's 455 MiB
// of repacked Q4_K through frugal-repacked-q4-k.h, in-process alternation on Zen 3: 1.04-1.06x from 2 MiB pages).
// hook.py calls this in ggml_backend_cpu_repack_buffer_type_alloc_buffer right after the allocation, before the
// repacking writes a byte: the buffer's whole 2 MiB pages are advised MADV_HUGEPAGE, so they fault in as huge pages
// where the kernel has them (the rest, and a kernel without them, stay 4 KiB: the same memory either way). Frugal's
// engine turns it off with Model:HugePages=false (frugal_set_repacked_huge_pages(0), before the load).
static int frugal_repacked_huge_pages = 1;

extern "C" __attribute__((visibility("default"))) void frugal_set_repacked_huge_pages(int on);

void frugal_set_repacked_huge_pages(int on) {
    __atomic_store_n(&frugal_repacked_huge_pages, on != 0, __ATOMIC_RELAXED);
}

static void frugal_repacked_buffer_allocated(ggml_backend_buffer_t buffer) {
    if (!__atomic_load_n(&frugal_repacked_huge_pages, __ATOMIC_RELAXED)) {
        return;
    }
    const uintptr_t huge = (uintptr_t) 2 << 20;
    const uintptr_t base = (uintptr_t) ggml_backend_buffer_get_base(buffer);
    const uintptr_t start = (base + huge - 1) & ~(huge - 1);
    const uintptr_t end = (base + ggml_backend_buffer_get_size(buffer)) & ~(huge - 1);
    if (end <= start) {
        return;
    }
    const int advised = madvise((void *) start, end - start, MADV_HUGEPAGE);
    if (frugal_matvec_mode() == 2) {
        fprintf(stderr, "frugal-pages: repacked buffer of %zu MiB, %zu MiB of it advised 2 MiB pages%s\n", ggml_backend_buffer_get_size(buffer) >> 20,
                (size_t) (end - start) >> 20, advised == 0 ? "" : " (refused)");
    }
}
