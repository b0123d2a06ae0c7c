// Float element types: F32 (4 bytes), F16 (IEEE binary16, 2 bytes, round to nearest even, as numpy/F16C),
// BF16 (top 16 bits of an f32, round to nearest even, NaN forced quiet: ggml_compute_fp32_to_bf16).
// Block size 1; vec_dot_type is the type itself. Scalar references; fast dots live in quants_avx2.c.
#include "quants_internal.h"

void lk_dequant_f32(const void *x, float *y, int64_t k) { memcpy(y, x, (size_t)k * 4); }
void lk_quant_f32(const float *x, void *y, int64_t k) { memcpy(y, x, (size_t)k * 4); }

void lk_dequant_f16(const void *x, float *y, int64_t k) {
    const uint16_t *h = x;
    for (int64_t i = 0; i < k; i++) y[i] = fp16(h[i]);
}

void lk_quant_f16(const float *x, void *y, int64_t k) { lk_fp32_to_fp16_row(x, y, k); }

void lk_dequant_bf16(const void *x, float *y, int64_t k) {
    const uint16_t *h = x;
    for (int64_t i = 0; i < k; i++) y[i] = lk_bf16_to_fp32(h[i]);
}

void lk_quant_bf16(const float *x, void *y, int64_t k) {
    uint16_t *h = y;
    for (int64_t i = 0; i < k; i++) h[i] = lk_fp32_to_bf16(x[i]);
}

// Dots accumulate in double, like ggml's scalar ggml_vec_dot_f16 (ggml_float).
float lk_dot_f32_ref(int64_t n, const void *w, const void *a) {
    const float *x = w, *y = a;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)x[i] * (double)y[i];
    return (float)s;
}

float lk_dot_f16_ref(int64_t n, const void *w, const void *a) {
    const uint16_t *x = w, *y = a;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)(fp16(x[i]) * fp16(y[i]));
    return (float)s;
}

float lk_dot_bf16_ref(int64_t n, const void *w, const void *a) {
    const uint16_t *x = w, *y = a;
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += (double)(lk_bf16_to_fp32(x[i]) * lk_bf16_to_fp32(y[i]));
    return (float)s;
}
