// Greedy continuations through libllama, for scripts/peer-llamacpp greedy.
// Usage: peer-greedy MODEL N_PREDICT THREADS FLASH_ATTN(0|1) < prompts, one line of space-separated token ids each.
// Per prompt it prints "step K ID TOP1_LOGIT MARGIN" for K = 0..N_PREDICT-1 (argmax, ties -> lowest id; no stop at
// end-of-generation), then "top10 ID LOGIT LOGPROB ..." for the first generated position, then "end".
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "llama.h"

static void quiet(enum ggml_log_level level, const char *text, void *data) {
    (void)data;
    if (level >= GGML_LOG_LEVEL_WARN) fputs(text, stderr);
}

int main(int argc, char **argv) {
    if (argc != 5) { fprintf(stderr, "usage: %s MODEL N_PREDICT THREADS FLASH_ATTN\n", argv[0]); return 2; }
    const int n_predict = atoi(argv[2]), threads = atoi(argv[3]), flash = atoi(argv[4]);
    llama_log_set(quiet, NULL);
    llama_backend_init();
    struct llama_model_params mp = llama_model_default_params();
    struct llama_model *model = llama_model_load_from_file(argv[1], mp);
    if (!model) { fprintf(stderr, "%s: cannot load\n", argv[1]); return 1; }
    const int n_vocab = llama_vocab_n_tokens(llama_model_get_vocab(model));
    struct llama_context_params cp = llama_context_default_params();
    cp.n_ctx = 256; cp.n_batch = 256; cp.n_ubatch = 256;
    cp.n_threads = threads; cp.n_threads_batch = threads;
    cp.flash_attn_type = flash ? LLAMA_FLASH_ATTN_TYPE_ENABLED : LLAMA_FLASH_ATTN_TYPE_DISABLED;
    struct llama_context *ctx = llama_init_from_model(model, cp);
    if (!ctx) { fprintf(stderr, "cannot create a context\n"); return 1; }

    static char line[65536];
    llama_token prompt[4096];
    while (fgets(line, sizeof line, stdin)) {
        int n = 0;
        for (char *tok = strtok(line, " \n"); tok && n < 4096; tok = strtok(NULL, " \n")) prompt[n++] = atoi(tok);
        if (n == 0) continue;
        llama_memory_clear(llama_get_memory(ctx), true);
        if (llama_decode(ctx, llama_batch_get_one(prompt, n))) { fprintf(stderr, "decode failed\n"); return 1; }
        for (int step = 0; step < n_predict; step++) {
            const float *logits = llama_get_logits_ith(ctx, -1);
            int best = 0, second = -1;
            for (int i = 1; i < n_vocab; i++) {
                if (logits[i] > logits[best]) { second = best; best = i; }
                else if (second < 0 || logits[i] > logits[second]) second = i;
            }
            printf("step %d %d %.6f %.6f\n", step, best, logits[best], logits[best] - logits[second]);
            if (step == 0) {
                double sum = 0;
                for (int i = 0; i < n_vocab; i++) sum += exp((double)logits[i] - logits[best]);
                const double lse = logits[best] + log(sum);
                int top[10]; int k = 0;
                for (; k < 10; k++) {  // ten passes over the vocabulary: ties -> lowest id, as the fixtures
                    int pick = -1;
                    for (int i = 0; i < n_vocab; i++) {
                        int used = 0;
                        for (int j = 0; j < k; j++) used |= top[j] == i;
                        if (!used && (pick < 0 || logits[i] > logits[pick])) pick = i;
                    }
                    top[k] = pick;
                }
                printf("top10");
                for (int j = 0; j < 10; j++) printf(" %d %.6f %.6f", top[j], logits[top[j]], logits[top[j]] - lse);
                printf("\n");
            }
            llama_token next = best;
            if (step + 1 < n_predict && llama_decode(ctx, llama_batch_get_one(&next, 1))) {
                fprintf(stderr, "decode failed\n"); return 1;
            }
        }
        printf("end\n");
        fflush(stdout);
    }
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
