// Checks frugal_quantize_q8_k (native/cpu/frugal-quantize-q8-k.h) against ggml's quantize_row_q8_K_ref (b10361's
// ggml-quants.c, copied below as libggml-base compiles it: no fused multiply-add), byte for byte over whole blocks,
// on rows of 1 to 22 blocks: random values at many scales, ties of the largest magnitude with opposite signs (either
// first, in one group of eight lanes and far apart), zeros (and -0), a single non-zero at every position, products
// exactly halfway between two integers, huge, tiny and denormal magnitudes (tiny enough that -127/max is -inf),
// infinities, NaNs with and without payloads, and random bit patterns. The output buffers start with the same bytes,
// so a block of zeros must leave its sums alone as the reference does. Built and run by Frugal.Cli.Tests
// (FrugalCpuKernelTests): cc -O2 -mavx2 -mfma -mf16c -ffp-contract=fast. Prints "ok CASES" and exits 0, else prints
// the first difference and exits 1.
#include "../frugal-quantize-q8-k.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_MATVEC_K)
#error "compile with -mavx2 -mfma -mf16c"
#endif

// libggml-base's build has no fused multiply-add: neither may the reference here, whatever -ffp-contract the harness is
// compiled with (FrugalCpuKernelTests uses GCC's default, fast, as ggml's build does, so the quantizer is compiled as
// it is in libggml-cpu).
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#define FRUGAL_UNFUSED
#else
#define FRUGAL_UNFUSED __attribute__((optimize("fp-contract=off")))
#endif

static inline FRUGAL_UNFUSED int nearest_int(float fval) {
    float val = fval + 12582912.f;
    int i;
    memcpy(&i, &val, sizeof(int));
    return (i & 0x007fffff) - 0x00400000;
}

static FRUGAL_UNFUSED void quantize_row_q8_K_ref(const float * x, frugal_q8_k_block * y, int64_t k) {
    const int64_t nb = k / 256;
    for (int i = 0; i < nb; i++) {
        float max = 0;
        float amax = 0;
        for (int j = 0; j < 256; ++j) {
            float ax = fabsf(x[j]);
            if (ax > amax) {
                amax = ax;
                max = x[j];
            }
        }
        if (!amax) {
            y[i].d = 0;
            memset(y[i].qs, 0, 256);
            x += 256;
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < 256; ++j) {
            int v = nearest_int(iscale * x[j]);
            y[i].qs[j] = v < 127 ? v : 127;
        }
        for (int j = 0; j < 16; ++j) {
            int sum = 0;
            for (int ii = 0; ii < 16; ++ii) {
                sum += y[i].qs[j * 16 + ii];
            }
            y[i].bsums[j] = sum;
        }
        y[i].d = 1 / iscale;
        x += 256;
    }
}

static uint32_t state = 12345;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }
static uint32_t next32(void) { return next() << 16 ^ next(); }

static float bits(uint32_t u) {
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

// A value in (-1, 1) times 2^e.
static float random_value(int e) { return ldexpf(((float) (next() % 2000001) - 1000000.0f) * 1e-6f, e); }

static int cases;

// Quantizes x (blocks * 256 floats) both ways into buffers of the same starting bytes; 1 and the difference if they
// differ.
static int check(const char * what, const float * x, int blocks) {
    const size_t bytes = (size_t) blocks * sizeof(frugal_q8_k_block);
    frugal_q8_k_block * want = malloc(bytes);
    frugal_q8_k_block * got = malloc(bytes);
    for (size_t b = 0; b < bytes; ++b) {
        ((uint8_t *) want)[b] = ((uint8_t *) got)[b] = (uint8_t) next();
    }
    quantize_row_q8_K_ref(x, want, (int64_t) blocks * 256);
    frugal_quantize_q8_k(x, got, (int64_t) blocks * 256);
    for (int i = 0; i < blocks; ++i) {
        if (memcmp(&want[i], &got[i], sizeof want[i]) != 0) {
            int j = 0;
            while (j < 256 && want[i].qs[j] == got[i].qs[j]) {
                ++j;
            }
            printf("%s differs: %d blocks, block %d: d %.9g want %.9g, first byte that differs %d (%d, want %d)\n", what, blocks, i,
                   got[i].d, want[i].d, j, j < 256 ? got[i].qs[j] : 0, j < 256 ? want[i].qs[j] : 0);
            free(want);
            free(got);
            return 1;
        }
    }
    free(want);
    free(got);
    ++cases;
    return 0;
}

// One block from `fill`, checked alone and as the middle block of three random ones.
static int check_block(const char * what, const float block[256]) {
    float x[3 * 256];
    for (int j = 0; j < 3 * 256; ++j) {
        x[j] = random_value(0);
    }
    memcpy(x + 256, block, 256 * sizeof(float));
    return check(what, block, 1) || check(what, x, 3);
}

int main(void) {
    static float x[22 * 256];
    float b[256];
    // Random rows: each block at its own scale, from denormal to near the largest float.
    const int block_counts[] = {1, 2, 3, 8, 16, 22};
    const int exponents[] = {-140, -126, -120, -60, -10, 0, 10, 60, 120, 127};
    for (size_t bi = 0; bi < sizeof block_counts / sizeof *block_counts; ++bi) {
        for (size_t ei = 0; ei < sizeof exponents / sizeof *exponents; ++ei) {
            for (int round = 0; round < 4; ++round) {
                for (int j = 0; j < block_counts[bi] * 256; ++j) {
                    x[j] = random_value(exponents[ei] + (round == 3 ? (int) (next() % 21) - 10 : 0));
                }
                if (check("random", x, block_counts[bi])) {
                    return 1;
                }
            }
        }
    }
    // Ties: m and -m at positions p < q, either sign first, among smaller values.
    const int positions[][2] = {{0, 1}, {0, 255}, {3, 5}, {7, 8}, {31, 32}, {100, 200}, {254, 255}, {8, 40}};
    for (size_t pi = 0; pi < sizeof positions / sizeof *positions; ++pi) {
        for (int first = -1; first <= 1; first += 2) {
            for (int j = 0; j < 256; ++j) {
                b[j] = random_value(0) * 0.5f;
            }
            b[positions[pi][0]] = 0.75f * (float) first;
            b[positions[pi][1]] = -0.75f * (float) first;
            if (check_block("tie", b)) {
                return 1;
            }
            b[(positions[pi][1] + 1) % 256] = 0.75f * (float) first; // a third
            if (check_block("tie of three", b)) {
                return 1;
            }
        }
    }
    // Zeros, -0, and one non-zero (either sign, tiny or not) at every position.
    for (int j = 0; j < 256; ++j) {
        b[j] = 0.0f;
    }
    if (check_block("zeros", b)) {
        return 1;
    }
    for (int j = 0; j < 256; ++j) {
        b[j] = j % 3 == 0 ? -0.0f : 0.0f;
    }
    if (check_block("zeros and -0", b)) {
        return 1;
    }
    for (int p = 0; p < 256; ++p) {
        for (int j = 0; j < 256; ++j) {
            b[j] = 0.0f;
        }
        b[p] = p % 2 == 0 ? -3.5f : (p % 3 == 0 ? 1e-44f : 2.0f);
        if (check_block("one non-zero", b)) {
            return 1;
        }
    }
    // Halfway: max -127 (iscale 1), 127 (iscale -1) and 254 (iscale -0.5) with every k + 0.5 in range.
    const float maxima[] = {-127.0f, 127.0f, 254.0f};
    for (int mi = 0; mi < 3; ++mi) {
        const float step = fabsf(maxima[mi]) / 127.0f;
        b[0] = maxima[mi];
        for (int j = 1; j < 256; ++j) {
            b[j] = step * ((float) ((j - 1) % 254 - 127) + 0.5f);
        }
        if (check_block("halfway", b)) {
            return 1;
        }
    }
    // Products that round to a halfway point (the reference rounds iscale * x, then adds: a fused multiply-add would
    // round the exact product instead): x = (k + 0.5) / iscale and its neighbours, with an iscale that is not a power
    // of two.
    const float odd_maxima[] = {-100.3f, 0.0371f, 3.3e-5f};
    for (int mi = 0; mi < 3; ++mi) {
        const float iscale = -127.f / odd_maxima[mi];
        b[0] = odd_maxima[mi];
        for (int j = 1; j < 256; ++j) {
            b[j] = ((float) ((j - 1) / 5 % 50 * 5 - 125) + 0.5f) / iscale;
            for (int step = (j - 1) % 5 - 2; step != 0; step += step < 0 ? 1 : -1) {
                b[j] = nextafterf(b[j], step < 0 ? -INFINITY : INFINITY);
            }
        }
        if (check_block("rounded to halfway", b)) {
            return 1;
        }
    }
    // Extremes: the largest floats, tiny and denormal maxima (-127/max overflows below ~3.7e-37), mixtures of both.
    const float extremes[][2] = {{FLT_MAX, 1.0f}, {-FLT_MAX, FLT_MAX}, {3e38f, 1e-45f}, {1e-30f, 1e-40f}, {4e-37f, 1e-38f},
                                 {3.7e-37f, 1e-39f}, {1e-38f, 1e-45f}, {1e-45f, 0.0f}, {-1e-45f, 1e-45f}, {2e-45f, -1e-45f},
                                 {1.17549435e-38f, 5e-39f}};
    for (size_t ei = 0; ei < sizeof extremes / sizeof *extremes; ++ei) {
        for (int j = 0; j < 256; ++j) {
            b[j] = j % 5 == 0 ? extremes[ei][0] * (j % 2 == 0 ? 1.0f : -1.0f) : extremes[ei][1] * random_value(0);
        }
        if (check_block("extreme", b)) {
            return 1;
        }
    }
    // Infinities and NaNs (the default one, -NaN, NaNs with payloads), alone and among values.
    const uint32_t specials[] = {0x7f800000u, 0xff800000u, 0x7fc00000u, 0xffc00000u, 0x7fc00001u, 0x7fa5a5a5u, 0xffffffffu, 0x7fc0007fu};
    for (size_t si = 0; si < sizeof specials / sizeof *specials; ++si) {
        for (int j = 0; j < 256; ++j) {
            b[j] = random_value(0);
        }
        b[next() % 256] = bits(specials[si]);
        if (check_block("special among values", b)) {
            return 1;
        }
        for (int j = 0; j < 256; ++j) {
            b[j] = j % 7 == 0 ? bits(specials[si]) : 0.0f;
        }
        if (check_block("special among zeros", b)) {
            return 1;
        }
    }
    // Random bit patterns: any float at all.
    for (int round = 0; round < 200; ++round) {
        for (int j = 0; j < 256; ++j) {
            b[j] = bits(next32());
        }
        if (check_block("bits", b)) {
            return 1;
        }
    }
    printf("ok %d\n", cases);
    return 0;
}
