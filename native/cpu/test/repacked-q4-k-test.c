// Checks frugal_q4_kx8_matvec, frugal_q4_kx8_matvec_columns and frugal_q4_kx8_matmul
// (native/cpu/frugal-repacked-q4-k.h): Q4_K rows repacked eight at a time the way llama.cpp repacks them at load
// (block_q4_Kx8, written here from that layout: d and dmin of the eight rows, each sub-block's eight rows' scales and
// mins packed like one Q4_K block packs its sub-blocks', the quants interleaved eight bytes at a time) times Q8_K
// activations — one column, and columns four at a time in llama.cpp's interleaved layout (block_q8_Kx4: quants eight
// bytes at a time, 16-sums four at a time), and two or three plain Q8_K columns at once (frugal_q4_kx8_matvec_columns,
// each column equal bit for bit to the one-column kernel's) — against a scalar model of the kernel's arithmetic: per
// row and super-block the exact integer sums of scale * (quants . activations) and of min * (the activations' 32-sums),
// each taken with its scaled d and dmin by a fused multiply-add. Every result must be equal bit for bit, for row groups
// of 1 to 32 (the four streams and the groups left over) and 1 to 11 super-blocks a row, and a prompt's columns equal
// to that column alone. Quants, scales and mins take every value their bits can hold, the activations -128..127; one
// case sets everything to its extreme (the largest 16-bit sums the kernel forms). Tiles of 4 KiB here
// (FRUGAL_KX8_TILE_BYTES), so a matrix takes several. Built and run by Frugal.Cli.Tests (FrugalCpuKernelTests): cc -O2
// -mavx2 -mfma -mf16c -ffp-contract=off. Prints "ok CASES" and exits 0, else prints the first difference and exits 1.
#define FRUGAL_KX8_TILE_BYTES 4096
#include "../frugal-repacked-q4-k.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !defined(FRUGAL_REPACKED_Q4_K)
#error "compile with -mavx2 -mfma -mf16c"
#endif

static uint32_t state = 4321;
static uint32_t next(void) { state = state * 1664525u + 1013904223u; return state >> 8; }

// ggml's get_scale_min_k4: sub-block j's 6-bit scale and min.
static void scale_min(int j, const uint8_t * q, int * scale, int * min) {
    if (j < 4) {
        *scale = q[j] & 63;
        *min = q[j + 4] & 63;
    } else {
        *scale = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *min = (q[j + 4] >> 4) | ((q[j] >> 6) << 4);
    }
}

// Eight 6-bit scales and mins packed the Q4_K way (the inverse of scale_min).
static void pack_scales_mins(const int scale[8], const int min[8], uint8_t out[12]) {
    for (int r = 0; r < 4; ++r) {
        out[r] = (uint8_t) ((scale[r] & 63) | ((scale[r + 4] >> 4) << 6));
        out[r + 4] = (uint8_t) ((min[r] & 63) | ((min[r + 4] >> 4) << 6));
        out[r + 8] = (uint8_t) ((scale[r + 4] & 15) | ((min[r + 4] & 15) << 4));
    }
}

// llama.cpp's block_q4_Kx8 of eight rows' super-blocks.
static void repack(const frugal_q4_k_block * const in[8], frugal_q4_kx8_block * out) {
    for (int r = 0; r < 8; ++r) {
        out->d[r] = in[r]->d;
        out->dmin[r] = in[r]->dmin;
    }
    for (int g = 0; g < 8; ++g) {
        int scale[8], min[8];
        for (int r = 0; r < 8; ++r) {
            scale_min(g, in[r]->scales, &scale[r], &min[r]);
        }
        pack_scales_mins(scale, min, out->scales + 12 * g);
    }
    for (int c = 0; c < 16; ++c) {
        for (int r = 0; r < 8; ++r) {
            memcpy(out->qs + 64 * c + 8 * r, in[r]->qs + 8 * c, 8);
        }
    }
}

// llama.cpp's block_q8_Kx4 of four columns' super-blocks.
static void interleave(const frugal_q8_k_block * const in[4], frugal_q8_kx4_block * out) {
    for (int c = 0; c < 4; ++c) {
        out->d[c] = in[c]->d;
        for (int t = 0; t < 32; ++t) {
            memcpy(out->qs + 32 * t + 8 * c, in[c]->qs + 8 * t, 8);
        }
        for (int h = 0; h < 4; ++h) {
            for (int k = 0; k < 4; ++k) {
                out->bsums[16 * h + 4 * c + k] = in[c]->bsums[4 * h + k];
            }
        }
    }
}

// The kernel's arithmetic for one row.
static float model(int blocks, const frugal_q4_k_block * x, const frugal_q8_k_block * y) {
    float acc = 0.0f;
    for (int i = 0; i < blocks; ++i) {
        int32_t sumi = 0, mins = 0;
        for (int g = 0; g < 8; ++g) {
            int scale, min;
            scale_min(g, x[i].scales, &scale, &min);
            int32_t dot = 0;
            for (int w = 0; w < 32; ++w) {
                const uint8_t byte = x[i].qs[32 * (g / 2) + w];
                dot += (g % 2 == 0 ? byte & 15 : byte >> 4) * y[i].qs[32 * g + w];
            }
            sumi += scale * dot;
            mins += min * (y[i].bsums[2 * g] + y[i].bsums[2 * g + 1]);
        }
        const float d = _cvtsh_ss(x[i].d) * y[i].d, dmin = _cvtsh_ss(x[i].dmin) * y[i].d;
        acc = fmaf(d, (float) sumi, acc);
        acc = fmaf(-dmin, (float) mins, acc);
    }
    return acc;
}

static uint16_t random_half(void) { return _cvtss_sh((float) (next() % 2000 + 1) * 1e-4f, 0); }

static void fill_activations(frugal_q8_k_block * y, int blocks, int extreme) {
    for (int i = 0; i < blocks; ++i) {
        y[i].d = extreme ? 1.0f : (float) (next() % 1000 + 1) * 1e-4f;
        for (int k = 0; k < 256; ++k) {
            y[i].qs[k] = (int8_t) (extreme ? -128 : (int) (next() % 256) - 128);
        }
        for (int k = 0; k < 16; ++k) {
            int sum = 0;
            for (int l = 0; l < 16; ++l) {
                sum += y[i].qs[16 * k + l];
            }
            y[i].bsums[k] = (int16_t) sum;
        }
    }
}

static int cases;

// `groups` groups of eight rows of `blocks` super-blocks, times `columns` columns (a multiple of four) alone and four at a
// time.
static int check(int groups, int blocks, int columns, int extreme) {
    const int rows = 8 * groups;
    frugal_q4_k_block * x = malloc(sizeof(frugal_q4_k_block) * rows * blocks);
    frugal_q4_kx8_block * xr = malloc(sizeof(frugal_q4_kx8_block) * groups * blocks);
    frugal_q8_k_block * y = malloc(sizeof(frugal_q8_k_block) * columns * blocks);
    frugal_q8_kx4_block * yr = calloc((size_t) columns / 4 * blocks, sizeof(frugal_q8_kx4_block));
    float * out = malloc(sizeof(float) * (rows + 1) * (columns + 1));
    for (int k = 0; k < rows * blocks; ++k) {
        x[k].d = extreme ? _cvtss_sh(1.0f, 0) : random_half();
        x[k].dmin = extreme ? _cvtss_sh(1.0f, 0) : random_half();
        for (int b = 0; b < 12; ++b) {
            x[k].scales[b] = (uint8_t) (extreme ? 0xff : next());
        }
        for (int b = 0; b < 128; ++b) {
            x[k].qs[b] = (uint8_t) (extreme ? 0xff : next());
        }
    }
    for (int g = 0; g < groups; ++g) {
        for (int i = 0; i < blocks; ++i) {
            const frugal_q4_k_block * in[8];
            for (int r = 0; r < 8; ++r) {
                in[r] = &x[(8 * g + r) * blocks + i];
            }
            repack(in, &xr[g * blocks + i]);
        }
    }
    fill_activations(y, columns * blocks, extreme);
    for (int cg = 0; cg < columns / 4; ++cg) {
        for (int i = 0; i < blocks; ++i) {
            const frugal_q8_k_block * in[4];
            for (int c = 0; c < 4; ++c) {
                in[c] = &y[(4 * cg + c) * blocks + i];
            }
            interleave(in, &yr[cg * blocks + i]);
        }
    }
    int failed = 0;
    // One column at a time: the row after the last stays untouched.
    for (int c = 0; c < columns && !failed; ++c) {
        out[rows] = -1.0f;
        frugal_q4_kx8_matvec(blocks, xr, groups, y + c * blocks, out);
        for (int r = 0; r < rows && !failed; ++r) {
            const float expected = model(blocks, x + r * blocks, y + c * blocks);
            if (memcmp(&expected, &out[r], sizeof(float)) != 0) {
                printf("matvec: %d groups, %d blocks, column %d, row %d: %.9g, expected %.9g\n", groups, blocks, c, r, out[r], expected);
                failed = 1;
            }
        }
        if (!failed && out[rows] != -1.0f) {
            printf("matvec: %d groups, %d blocks: wrote past the last row\n", groups, blocks);
            failed = 1;
        }
    }
    ++cases;
    // Two and three plain Q8_K columns at once (a decode step's sequences), results rows + 1 apart: each column equal
    // bit for bit to the one-column kernel's result for it alone, the float after each column's results untouched.
    for (int few = 2; few <= 3 && !failed; ++few) {
        float * alone = malloc(sizeof(float) * rows);
        for (int k = 0; k < (rows + 1) * few; ++k) {
            out[k] = -1.0f;
        }
        frugal_q4_kx8_matvec_columns(blocks, xr, groups, y, few, out, (size_t) rows + 1);
        for (int c = 0; c < few && !failed; ++c) {
            frugal_q4_kx8_matvec(blocks, xr, groups, y + c * blocks, alone);
            for (int r = 0; r <= rows && !failed; ++r) {
                const float expected = r == rows ? -1.0f : alone[r];
                const float got = out[c * (rows + 1) + r];
                if (memcmp(&expected, &got, sizeof(float)) != 0) {
                    printf("columns: %d groups, %d blocks, %d columns, column %d, row %d: %.9g, one column alone %.9g\n", groups, blocks, few, c, r, got,
                           expected);
                    failed = 1;
                }
            }
        }
        free(alone);
        ++cases;
    }
    // Four columns at a time, results rows + 1 apart (the float between one column's results and the next untouched).
    if (!failed) {
        for (int k = 0; k < (rows + 1) * columns; ++k) {
            out[k] = -1.0f;
        }
        frugal_q4_kx8_matmul(blocks, xr, groups, yr, columns / 4, out, (size_t) rows + 1);
        for (int c = 0; c < columns && !failed; ++c) {
            for (int r = 0; r <= rows && !failed; ++r) {
                const float expected = r == rows ? -1.0f : model(blocks, x + r * blocks, y + c * blocks);
                const float got = out[c * (rows + 1) + r];
                if (memcmp(&expected, &got, sizeof(float)) != 0) {
                    printf("matmul: %d groups, %d blocks, %d columns, column %d, row %d: %.9g, expected %.9g\n", groups, blocks, columns, c, r, got, expected);
                    failed = 1;
                }
            }
        }
        ++cases;
    }
    free(x);
    free(xr);
    free(y);
    free(yr);
    free(out);
    return failed;
}

int main(void) {
    static const int groups[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 32};
    static const int blocks[] = {1, 2, 8, 11};
    static const int columns[] = {4, 8, 12};
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; ++g) {
        for (size_t b = 0; b < sizeof blocks / sizeof blocks[0]; ++b) {
            if (check(groups[g], blocks[b], columns[(g + b) % 3], 0)) {
                return 1;
            }
        }
    }
    if (check(5, 3, 4, 1)) {
        return 1;
    }
    printf("ok %d\n", cases);
    return 0;
}
