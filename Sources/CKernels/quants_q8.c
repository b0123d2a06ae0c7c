// 8-bit blocks, scalar reference. q8_0/q8_1 are ggml's activation formats for the legacy weights (and q8_0
// is a weight format too); q8_K is the activation format of the K-quants.
//   q8_0: fp16 d, int8 qs[32]                          x = d * q, d = amax / 127, q = roundf(x / d)  8.5 bpw
//   q8_1: fp16 d, fp16 s = d * sum(q), int8 qs[32]     same quants as q8_0                           9.0 bpw
//   q8_K: f32 d, int8 qs[256], int16 bsums[16]         d = -max/127 of the signed absmax, q = nearest_int(x/d)
//         (clamped to 127), bsums = sums of 16 quants; an all-zero block is all zero (ggml leaves bsums unset).
#include "quants_internal.h"
#pragma clang fp contract(off)

static float absmax(const float *x, int n) {
    float amax = 0;
    for (int j = 0; j < n; j++) amax = LK_MAX(amax, fabsf(x[j]));
    return amax;
}

void lk_quant_q8_0_ref(const float *x, void *vy, int64_t k) {
    block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float d = absmax(x, QK) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        for (int j = 0; j < QK; j++) y[i].qs[j] = (int8_t)roundf(x[j] * id);
    }
}

void lk_quant_q8_1_ref(const float *x, void *vy, int64_t k) {
    block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float d = absmax(x, QK) / 127;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK; j++) {
            y[i].qs[j] = (int8_t)roundf(x[j] * id);
            sum += y[i].qs[j];
        }
        y[i].s = lk_fp32_to_fp16((float)sum * d);
    }
}

void lk_quant_q8_K_ref(const float *x, void *vy, int64_t k) {
    block_q8_K *y = vy;
    for (int64_t i = 0; i < k / QKK; i++, x += QKK) {
        float amax = 0, max = 0;
        for (int j = 0; j < QKK; j++)
            if (fabsf(x[j]) > amax) { amax = fabsf(x[j]); max = x[j]; }
        if (!amax) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -127.f / max;
        for (int j = 0; j < QKK; j++) y[i].qs[j] = (int8_t)LK_MIN(127, nearest_int(iscale * x[j]));
        for (int j = 0; j < QKK / 16; j++) {
            int sum = 0;
            for (int l = 0; l < 16; l++) sum += y[i].qs[j * 16 + l];
            y[i].bsums[j] = (int16_t)sum;
        }
        y[i].d = 1 / iscale;
    }
}

// Activation quantizers as llama.cpp runs them on x86 (ggml-cpu/arch/x86/quants.c, AVX/AVX2 path), which differ
// from the reference above: id = 127 / amax instead of 1 / d, and round-half-to-even instead of roundf. On
// ill-conditioned prompts a handful of such rounding differences moves logits by tenths, so the engine quantizes
// activations exactly like llama.cpp does; weights (the quantizer, gguf-py) keep the reference algorithm.
static inline int8_t q8_act(float v) { return (int8_t)(int)nearbyintf(v); }  // default mode: ties to even

void lk_quant_q8_0_act(const float *x, void *vy, int64_t k) {
    block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float amax = absmax(x, QK), d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        for (int j = 0; j < QK; j++) y[i].qs[j] = q8_act(x[j] * id);
    }
}

void lk_quant_q8_1_act(const float *x, void *vy, int64_t k) {
    block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float amax = absmax(x, QK), d = amax / 127.f, id = amax != 0.0f ? 127.f / amax : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        int sum = 0;
        for (int j = 0; j < QK; j++) sum += y[i].qs[j] = q8_act(x[j] * id);
        y[i].s = lk_fp32_to_fp16(d * (float)sum);
    }
}

void lk_dequant_q8_0(const void *vx, float *y, int64_t k) {
    const block_q8_0 *x = vx;
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d);
        for (int j = 0; j < QK; j++) y[j] = x[i].qs[j] * d;
    }
}

void lk_dequant_q8_1(const void *vx, float *y, int64_t k) {
    const block_q8_1 *x = vx;
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d);
        for (int j = 0; j < QK; j++) y[j] = x[i].qs[j] * d;
    }
}

void lk_dequant_q8_K(const void *vx, float *y, int64_t k) {
    const block_q8_K *x = vx;
    for (int64_t i = 0; i < k / QKK; i++, y += QKK)
        for (int j = 0; j < QKK; j++) y[j] = x[i].d * x[i].qs[j];
}

float lk_dot_q8_0_ref(int64_t n, const void *vw, const void *va) {
    const block_q8_0 *w = vw, *a = va;
    float s = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        int sumi = 0;
        for (int j = 0; j < QK; j++) sumi += w[i].qs[j] * a[i].qs[j];
        s += (float)sumi * (fp16(w[i].d) * fp16(a[i].d));
    }
    return s;
}
