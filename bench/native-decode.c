// native-decode: prompt and decode speed of a llama.cpp build with no .NET in the process — llama-bench's method
// (random token ids; a prompt of P tokens in one batch from an empty cache; then N tokens one at a time), for when
// llama-bench itself is not built (its common library takes long to compile on a busy machine). Never part of ./test.
// Build and run: bench/native-llama.sh prints the library folder LIB;
//   cc -O2 bench/native-decode.c -I SRC/include -I SRC/ggml/include -L LIB -lllama -Wl,-rpath,LIB -o native-decode
//   native-decode MODEL [PROMPT=128] [DECODE=64] [THREADS=1] [REPACK=1] [KV=f16|q8_0] [AT=empty|after] [SEQS=1]
// AT=empty (llama-bench's way) decodes from an empty cache, positions 0..DECODE-1; AT=after decodes after the prompt,
// positions PROMPT..PROMPT+DECODE-1, as `frugal bench` does (each token then attends over the prompt too: a few per
// cent more work a token at these lengths).
// SEQS > 1 decodes that many sequences together, one token of each a step (as `frugal serve` does for several users;
// with AT=after each starts from a copy of the prompt's cache): DECODE steps, decode_step_ms the wall time of one.
// Prints one JSON line: tokens per wall second and per CPU second of the calling thread (with one thread llama.cpp
// computes on it), so a busy machine's waits for the core do not count against the library; the peak resident set
// and the anonymous and file-backed parts at the end.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "llama.h"

// A "Key:   N kB" line of /proc/self/status, in MiB (-1 when absent).
static long status_mib(const char * key) {
    FILE * f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, strlen(key)) == 0) { kb = atol(line + strlen(key) + 1); break; }
    }
    if (f) fclose(f);
    return kb < 0 ? -1 : kb / 1024;
}

static double now(clockid_t clock) {
    struct timespec t;
    clock_gettime(clock, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char ** argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: native-decode MODEL [PROMPT] [DECODE] [THREADS] [REPACK] [KV] [AT] [SEQS]\n");
        return 2;
    }
    const int prompt = argc > 2 ? atoi(argv[2]) : 128;
    const int decode = argc > 3 ? atoi(argv[3]) : 64;
    const int threads = argc > 4 ? atoi(argv[4]) : 1;
    const int repack = argc > 5 ? atoi(argv[5]) : 1;
    const int kv_q8 = argc > 6 && strcmp(argv[6], "q8_0") == 0;
    const int after = argc > 7 && strcmp(argv[7], "after") == 0;
    const int seqs = argc > 8 && atoi(argv[8]) > 1 ? atoi(argv[8]) : 1;

    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    mp.n_gpu_layers = 0;
    mp.use_extra_bufts = repack != 0;
    struct llama_model * model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "native-decode: cannot load %s\n", argv[1]); return 1; }
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 2048;
    cp.n_batch = 512;
    cp.n_ubatch = 512;
    cp.n_seq_max = seqs;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    if (kv_q8) { cp.type_k = GGML_TYPE_Q8_0; cp.type_v = GGML_TYPE_Q8_0; cp.flash_attn_type = LLAMA_FLASH_ATTN_TYPE_ENABLED; }
    struct llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "native-decode: cannot create a context\n"); return 1; }
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));

    llama_token * tokens = malloc(sizeof(llama_token) * (prompt > 1 ? prompt : 1));
    srand(42);
    for (int i = 0; i < prompt; i++) tokens[i] = rand() % n_vocab;

    // One warm-up token, as llama-bench does, then the measured runs from an empty cache.
    llama_token warm = tokens[0];
    llama_decode(ctx, llama_batch_get_one(&warm, 1));
    llama_synchronize(ctx);
    llama_memory_clear(llama_get_memory(ctx), true);

    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_THREAD_CPUTIME_ID);
    for (int at = 0; at < prompt; at += 512) { // in batches of n_batch
        const int n = prompt - at < 512 ? prompt - at : 512;
        if (llama_decode(ctx, llama_batch_get_one(tokens + at, n)) != 0) { fprintf(stderr, "native-decode: prompt failed\n"); return 1; }
    }
    llama_synchronize(ctx);
    double pw = now(CLOCK_MONOTONIC) - w0, pc = now(CLOCK_THREAD_CPUTIME_ID) - c0;

    if (!after) llama_memory_clear(llama_get_memory(ctx), true);
    for (int q = 1; q < seqs && after; q++) llama_memory_seq_cp(llama_get_memory(ctx), 0, q, -1, -1);
    struct llama_batch step = llama_batch_init(seqs, 0, 1);
    llama_token t = tokens[0];
    w0 = now(CLOCK_MONOTONIC); c0 = now(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < decode; i++) {
        if (seqs == 1) {
            // llama_batch_get_one places the token after the sequence's last position (the prompt's, with AT=after).
            if (llama_decode(ctx, llama_batch_get_one(&t, 1)) != 0) { fprintf(stderr, "native-decode: decode failed\n"); return 1; }
        } else {
            step.n_tokens = seqs;
            for (int q = 0; q < seqs; q++) {
                step.token[q] = q == 0 ? t : rand() % n_vocab;
                step.pos[q] = (after ? prompt : 0) + i;
                step.n_seq_id[q] = 1;
                step.seq_id[q][0] = q;
                step.logits[q] = 1;
            }
            if (llama_decode(ctx, step) != 0) { fprintf(stderr, "native-decode: decode failed\n"); return 1; }
        }
        llama_synchronize(ctx);
        t = rand() % n_vocab;
    }
    double dw = now(CLOCK_MONOTONIC) - w0, dc = now(CLOCK_THREAD_CPUTIME_ID) - c0;

    printf("{\"prompt_tokens\":%d,\"decode_tokens\":%d,\"decode_seqs\":%d,\"decode_step_ms\":%.2f,\"decode_at\":\"%s\",\"threads\":%d,\"repack\":%d,\"kv\":\"%s\","
           "\"prompt_tokens_per_second\":%.3f,\"prompt_tokens_per_cpu_second\":%.3f,"
           "\"decode_tokens_per_second\":%.3f,\"decode_tokens_per_cpu_second\":%.3f,"
           "\"peak_rss_mib\":%ld,\"anonymous_mib\":%ld,\"file_mib\":%ld}\n",
           prompt, decode, seqs, 1000 * dw / decode, after ? "after" : "empty", threads, repack, kv_q8 ? "q8_0" : "f16", prompt / pw, prompt / pc,
           decode * seqs / dw, decode * seqs / dc,
           status_mib("VmHWM:"), status_mib("RssAnon:"), status_mib("RssFile:"));
    llama_batch_free(step);
    llama_free(ctx);
    llama_model_free(model);
    free(tokens);
    return 0;
}
