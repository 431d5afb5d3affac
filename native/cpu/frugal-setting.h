// A FRUGAL_CPU_* environment setting of Frugal's CPU backend, read the same way by every hook (frugal-hook.c in
// ggml-cpu.c, frugal-attention-hook.c in ops.cpp, frugal-repack-hook.c in arch/x86/repack.cpp,
// frugal-repack-columns-hook.c in repack.cpp: four translation units, each keeping what it read).
#pragma once

#include <stdlib.h>
#include <string.h>

// 0 for "off", 2 for "trace", 1 when unset or anything else.
static inline int frugal_setting(const char * name) {
    const char * value = getenv(name);
    return value == NULL ? 1 : strcmp(value, "off") == 0 ? 0 : strcmp(value, "trace") == 0 ? 2 : 1;
}

// frugal_setting(name), read the first time into *cache (-1 until then) and kept.
static inline int frugal_setting_once(const char * name, int * cache) {
    int m = __atomic_load_n(cache, __ATOMIC_RELAXED);
    if (m < 0) {
        m = frugal_setting(name);
        __atomic_store_n(cache, m, __ATOMIC_RELAXED);
    }
    return m;
}

// FRUGAL_CPU_MATVEC, read once (each translation unit its own copy): 0 leaves every product to ggml (the same library
// measured both ways), 2 also prints a line to stderr the first time a hook computes one of each kind, 1 otherwise.
static inline int frugal_matvec_mode(void) {
    static int mode = -1;
    return frugal_setting_once("FRUGAL_CPU_MATVEC", &mode);
}
