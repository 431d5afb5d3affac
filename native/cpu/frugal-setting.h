// A FRUGAL_CPU_* environment setting of Frugal's CPU backend, read the same way by both hooks (frugal-hook.c in
// ggml-cpu.c, frugal-attention-hook.c in ops.cpp: two translation units, each keeping what it read).
#pragma once

#include <stdlib.h>
#include <string.h>

// 0 for "off", 2 for "trace", 1 when unset or anything else.
static inline int frugal_setting(const char * name) {
    const char * value = getenv(name);
    return value == NULL ? 1 : strcmp(value, "off") == 0 ? 0 : strcmp(value, "trace") == 0 ? 2 : 1;
}
