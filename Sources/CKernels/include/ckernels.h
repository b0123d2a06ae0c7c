// Innermost loops of Lathe's kernels in C. Everything around them (threading, model code) is Swift.
// Types are ggml type ids (GGMLType raw values). Block layouts are ggml's (see ggml-common.h).
// Every fast path has a scalar twin (`*_ref`) that tests compare against. SIMD paths use
// per-function target attributes and runtime CPU dispatch, so a plain `swift build` runs at full speed.
#ifndef LATHE_CKERNELS_H
#define LATHE_CKERNELS_H
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

// ---- setup and conversions (quants_common.c) ----
/// Builds lookup tables (fp16 -> f32) and detects the CPU. Idempotent and thread-safe; call once at load.
void lk_init(void);
/// Name of the SIMD level in use ("avx512vnni", "avx2", "scalar").
const char *lk_simd_level(void);
float lk_fp16_to_fp32(uint16_t h);
uint16_t lk_fp32_to_fp16(float f);
float lk_bf16_to_fp32(uint16_t h);
uint16_t lk_fp32_to_bf16(float f);
void lk_fp16_to_fp32_row(const uint16_t *x, float *y, int64_t n);
void lk_fp32_to_fp16_row(const float *x, uint16_t *y, int64_t n);

// ---- block formats (quants_*.c) ----
/// Activation type that weight type `type` is dotted against (ggml's vec_dot_type):
/// Q4_0/Q5_0/Q8_0 -> Q8_0, Q4_1/Q5_1 -> Q8_1, K-quants -> Q8_K, F16 -> F16, BF16 -> BF16, F32 -> F32.
/// Returns -1 for an unsupported type.
int lk_vec_dot_type(int type);
/// Whether dequantize/vec_dot support `type`.
bool lk_supports(int type);
/// Dequantizes `k` values (k a multiple of the block size).
void lk_dequantize_row(int type, const void *x, float *y, int64_t k);
/// Quantizes `k` floats with the reference (bit-exact with ggml's quantize_row_*_ref) algorithm.
void lk_quantize_row_ref(int type, const float *x, void *y, int64_t k);
/// Whether the q4_K/q5_K/q6_K reference quantizers may run their scale searches with AVX2 (same bytes, faster;
/// on by default where the CPU has AVX2). For tests that compare the two paths.
void lk_set_k_search_simd(int enabled);
/// Quantizes activations for dotting (q8_0, q8_1, q8_K, f16, bf16, f32). May use SIMD; the result equals
/// lk_quantize_activations_ref's: the reference algorithm, except q8_0/q8_1, which follow llama.cpp's x86 path.
void lk_quantize_row(int type, const float *x, void *y, int64_t k);
/// The scalar twin of lk_quantize_row.
void lk_quantize_activations_ref(int type, const float *x, void *y, int64_t k);
/// Dot product of `n` elements: a weight row of `type` with an activation row of lk_vec_dot_type(type).
float lk_vec_dot(int type, int64_t n, const void *w, const void *a);
float lk_vec_dot_ref(int type, int64_t n, const void *w, const void *a);

/// out[t * out_stride + r] = dot(W row r, A row t) for r in [r0, r1), t in [0, nt).
/// W rows are `w_row_bytes` apart (type `type`, n elements); A rows (vec_dot_type) `a_row_bytes` apart.
/// The fast version may tile several rows x tokens to reuse loads.
void lk_matmul_rows(int type, int64_t n, const void *w, size_t w_row_bytes, int64_t r0, int64_t r1,
                    const void *a, size_t a_row_bytes, int64_t nt, float *out, int64_t out_stride);

// ---- f32 element-wise ops (ops.c) ----
float lk_dot_f32(const float *a, const float *b, int64_t n);
/// y += alpha * x
void lk_axpy_f32(float alpha, const float *x, float *y, int64_t n);
void lk_scale_f32(float *x, float s, int64_t n);
void lk_add_f32(const float *a, const float *b, float *out, int64_t n);
void lk_mul_f32(const float *a, const float *b, float *out, int64_t n);
/// out = x / sqrt(mean(x^2) + eps) * (weight + weight_offset)
void lk_rmsnorm_f32(const float *x, const float *weight, float weight_offset, float eps, float *out, int64_t n);
/// In-place softmax over n values; returns nothing.
void lk_softmax_f32(float *x, int64_t n);
/// out = silu(gate) * up
void lk_swiglu_f32(const float *gate, const float *up, float *out, int64_t n);
/// Scalar twins of lk_swiglu_f32 and of ggml's vectorised expf (one lane); `avx512` picks ggml's AVX-512
/// variant of the arithmetic (the default; LATHE_EXPV=avx2 selects the other).
void lk_swiglu_ref(const float *gate, const float *up, float *out, int64_t n, int avx512);
float lk_expv_ref(float x, int avx512);
/// out = gelu_tanh(gate) * up (ggml's GELU approximation)
void lk_geglu_f32(const float *gate, const float *up, float *out, int64_t n);
/// dot of an f32 query with an f16 key row
float lk_dot_f16_f32(const uint16_t *k, const float *q, int64_t n);
/// y += alpha * f16 row x
void lk_axpy_f16_f32(float alpha, const uint16_t *x, float *y, int64_t n);
/// Rotary position embedding of `n_heads` heads of one token, in place (see ops.c).
void lk_rope_f32(float *x, int64_t n_heads, int64_t head_dim, int64_t n_rot, float pos, float freq_base,
                 float freq_scale, int neox);
/// One query head over n cached fp16 positions with ggml flash-attention numerics (see ops.c).
void lk_attention_head(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride,
                       int64_t n, int64_t dk, int64_t dv, float scale, float *out);
/// The scalar twin of lk_attention_head (the oracle its SIMD path is tested against).
void lk_attention_head_ref(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v,
                           int64_t v_stride, int64_t n, int64_t dk, int64_t dv, float scale, float *out);
/// f32 -> fp16 row (round to nearest even), F16C when available.
void lk_f32_to_f16_row_fast(const float *x, uint16_t *y, int64_t n);
float lk_dot_f16_f16(const uint16_t *a, const uint16_t *b, int64_t n);
/// A spin-wait hint (x86 `pause`).
void lk_cpu_relax(void);
#endif
