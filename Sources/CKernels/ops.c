// f32 element-wise ops used by the engine between matmuls (norms, activations, attention dots).
// Plain C written for auto-vectorisation; hot ones get an AVX-512 version under a target attribute.
#include "ckernels.h"
#include <math.h>
#include <string.h>
#include <pthread.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

float lk_dot_f32(const float *a, const float *b, int64_t n) {
    float acc[16] = {0};
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 16; j++) acc[j] += a[i + j] * b[i + j];
    float s = 0;
    for (int j = 0; j < 16; j++) s += acc[j];
    for (; i < n; i++) s += a[i] * b[i];
    return s;
}

void lk_axpy_f32(float alpha, const float *x, float *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] += alpha * x[i];
}

void lk_scale_f32(float *x, float s, int64_t n) {
    for (int64_t i = 0; i < n; i++) x[i] *= s;
}

void lk_add_f32(const float *a, const float *b, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = a[i] + b[i];
}

void lk_mul_f32(const float *a, const float *b, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = a[i] * b[i];
}

// ggml computes the mean of squares in double (ggml_float) for rms_norm; we do the same to match it.
void lk_rmsnorm_f32(const float *x, const float *weight, float weight_offset, float eps, float *out, int64_t n) {
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) sum += (double)(x[i] * x[i]);
    const float mean = (float)(sum / (double)n);
    const float scale = 1.0f / sqrtf(mean + eps);
    if (weight) {
        for (int64_t i = 0; i < n; i++) out[i] = (x[i] * scale) * (weight[i] + weight_offset);
    } else {
        for (int64_t i = 0; i < n; i++) out[i] = x[i] * scale;
    }
}

void lk_softmax_f32(float *x, int64_t n) {
    float max = -INFINITY;
    for (int64_t i = 0; i < n; i++) if (x[i] > max) max = x[i];
    double sum = 0.0;
    for (int64_t i = 0; i < n; i++) { x[i] = expf(x[i] - max); sum += x[i]; }
    const float inv = (float)(1.0 / sum);
    for (int64_t i = 0; i < n; i++) x[i] *= inv;
}

// GELU, tanh approximation, as ggml_gelu: 0.5*x*(1 + tanh(sqrt(2/pi)*x*(1 + 0.044715*x^2))).
static inline float gelu_tanh(float x) {
    const float sqrt_2_over_pi = 0.79788456080286535587989211986876f;
    const float coef_a = 0.044715f;
    return 0.5f * x * (1.0f + tanhf(sqrt_2_over_pi * x * (1.0f + coef_a * x * x)));
}

// ggml evaluates GELU through a 64Ki-entry fp16 table (GGML_GELU_FP16): the input is rounded to fp16 and
// the output is fp16. We do the same so Gemma's activations match llama.cpp's bit for bit.
static uint16_t gelu_table[1 << 16];
static pthread_once_t gelu_once = PTHREAD_ONCE_INIT;
static void gelu_table_init(void) {
    for (int i = 0; i < (1 << 16); i++) gelu_table[i] = lk_fp32_to_fp16(gelu_tanh(lk_fp16_to_fp32((uint16_t)i)));
}

void lk_geglu_f32(const float *gate, const float *up, float *out, int64_t n) {
    pthread_once(&gelu_once, gelu_table_init);
    for (int64_t i = 0; i < n; i++) {
        const float x = gate[i];
        if (x <= -10.0f) out[i] = 0.0f;
        else if (x >= 10.0f) out[i] = x * up[i];
        else out[i] = lk_fp16_to_fp32(gelu_table[lk_fp32_to_fp16(x)]) * up[i];
    }
}

// Rotary embedding of one token's heads at position `pos`, as ggml_rope_ext with ext_factor 0:
// theta_i = pos * freq_scale * base^(-2i/n_rot), computed by repeated multiplication in float as ggml does.
// NORM rotates adjacent pairs (x[2i], x[2i+1]); NEOX rotates (x[i], x[i + n_rot/2]).
void lk_rope_f32(float *x, int64_t n_heads, int64_t head_dim, int64_t n_rot, float pos, float freq_base,
                 float freq_scale, int neox) {
    float cache[1024];
    const float theta_scale = powf(freq_base, -2.0f / (float)n_rot);
    float theta = pos;
    for (int64_t i0 = 0; i0 < n_rot && i0 < 1024; i0 += 2) {
        const float t = freq_scale * theta;
        cache[i0] = cosf(t);
        cache[i0 + 1] = sinf(t);
        theta *= theta_scale;
    }
    for (int64_t h = 0; h < n_heads; h++) {
        float *v = x + h * head_dim;
        for (int64_t i0 = 0; i0 < n_rot; i0 += 2) {
            const float c = cache[i0], s = cache[i0 + 1];
            const int64_t a = neox ? i0 / 2 : i0;
            const int64_t b = neox ? i0 / 2 + n_rot / 2 : i0 + 1;
            const float x0 = v[a], x1 = v[b];
            v[a] = x0 * c - x1 * s;
            v[b] = x0 * s + x1 * c;
        }
    }
}

#if defined(__x86_64__)
#define LK_AVX512 __attribute__((target("avx512f,avx512vl,fma,f16c")))
LK_AVX512 static float dot_f16_f32_avx512(const uint16_t *k, const float *q, int64_t n) {
    __m512 acc0 = _mm512_setzero_ps(), acc1 = _mm512_setzero_ps();
    int64_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m512 k0 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(k + i)));
        __m512 k1 = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(k + i + 16)));
        acc0 = _mm512_fmadd_ps(k0, _mm512_loadu_ps(q + i), acc0);
        acc1 = _mm512_fmadd_ps(k1, _mm512_loadu_ps(q + i + 16), acc1);
    }
    float s = _mm512_reduce_add_ps(_mm512_add_ps(acc0, acc1));
    for (; i < n; i++) s += lk_fp16_to_fp32(k[i]) * q[i];
    return s;
}

LK_AVX512 static void axpy_f16_f32_avx512(float alpha, const uint16_t *x, float *y, int64_t n) {
    const __m512 a = _mm512_set1_ps(alpha);
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        __m512 xv = _mm512_cvtph_ps(_mm256_loadu_si256((const __m256i *)(x + i)));
        _mm512_storeu_ps(y + i, _mm512_fmadd_ps(a, xv, _mm512_loadu_ps(y + i)));
    }
    for (; i < n; i++) y[i] += alpha * lk_fp16_to_fp32(x[i]);
}

static int has_avx512(void) {
    static int cached = -1;
    if (cached < 0) cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl");
    return cached;
}
#endif

float lk_dot_f16_f32(const uint16_t *k, const float *q, int64_t n) {
#if defined(__x86_64__)
    if (has_avx512()) return dot_f16_f32_avx512(k, q, n);
#endif
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += lk_fp16_to_fp32(k[i]) * q[i];
    return s;
}

void lk_axpy_f16_f32(float alpha, const uint16_t *x, float *y, int64_t n) {
#if defined(__x86_64__)
    if (has_avx512()) { axpy_f16_f32_avx512(alpha, x, y, n); return; }
#endif
    for (int64_t i = 0; i < n; i++) y[i] += alpha * lk_fp16_to_fp32(x[i]);
}

// One query head against n cached positions, with the numerics of ggml's CPU flash attention (which
// llama.cpp uses by default): q rounded to fp16, fp16·fp16 dots in f32, online softmax, and the value
// accumulator kept in fp16 (rounded after every multiply-add), divided by the softmax sum at the end.
static void attention_head_scalar(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v,
                                  int64_t v_stride, int64_t n, int64_t dk, int64_t dv, float scale, float *out) {
    uint16_t q16[1024], acc[1024];
    lk_fp32_to_fp16_row(q, q16, dk);
    for (int64_t d = 0; d < dv; d++) acc[d] = 0;
    float S = 0.0f, M = -INFINITY;
    for (int64_t ic = 0; ic < n; ic++) {
        const uint16_t *kr = k + ic * k_stride;
        const uint16_t *vr = v + ic * v_stride;
        float s = lk_dot_f16_f16(kr, q16, dk) * scale;
        const float Mold = M;
        float ms = 1.0f, vs = 1.0f;
        if (s > M) {
            M = s;
            ms = expf(Mold - M);
            for (int64_t d = 0; d < dv; d++) acc[d] = lk_fp32_to_fp16(lk_fp16_to_fp32(acc[d]) * ms);
        } else {
            vs = expf(s - M);
        }
        for (int64_t d = 0; d < dv; d++)
            acc[d] = lk_fp32_to_fp16(fmaf(lk_fp16_to_fp32(vr[d]), vs, lk_fp16_to_fp32(acc[d])));
        S = S * ms + vs;
    }
    const float inv = S == 0.0f ? 0.0f : 1.0f / S;
    for (int64_t d = 0; d < dv; d++) out[d] = lk_fp16_to_fp32(acc[d]) * inv;
}

#if defined(__x86_64__)
#define LK_F16C __attribute__((target("avx2,fma,f16c")))
// The same computation 8 lanes at a time; the fp16 accumulator is kept as floats that are rounded
// through fp16 (vcvtps2ph, round to nearest even) after every update, exactly as the scalar version.
LK_F16C static inline __m256 round_f16(__m256 x) {
    return _mm256_cvtph_ps(_mm256_cvtps_ph(x, _MM_FROUND_TO_NEAREST_INT));
}

LK_F16C static void attention_head_f16c(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v,
                                        int64_t v_stride, int64_t n, int64_t dk, int64_t dv, float scale,
                                        float *out) {
    float qf[1024] __attribute__((aligned(32)));
    float acc[1024] __attribute__((aligned(32)));
    for (int64_t d = 0; d < dk; d += 8) _mm256_store_ps(qf + d, round_f16(_mm256_loadu_ps(q + d)));
    for (int64_t d = 0; d < dv; d += 8) _mm256_store_ps(acc + d, _mm256_setzero_ps());
    float S = 0.0f, M = -INFINITY;
    for (int64_t ic = 0; ic < n; ic++) {
        const uint16_t *kr = k + ic * k_stride;
        const uint16_t *vr = v + ic * v_stride;
        __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
        int64_t d = 0;
        for (; d + 16 <= dk; d += 16) {
            s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kr + d))), _mm256_load_ps(qf + d), s0);
            s1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kr + d + 8))), _mm256_load_ps(qf + d + 8), s1);
        }
        for (; d < dk; d += 8)
            s0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(kr + d))), _mm256_load_ps(qf + d), s0);
        __m256 sum8 = _mm256_add_ps(s0, s1);
        __m128 sum4 = _mm_add_ps(_mm256_castps256_ps128(sum8), _mm256_extractf128_ps(sum8, 1));
        sum4 = _mm_add_ps(sum4, _mm_movehl_ps(sum4, sum4));
        sum4 = _mm_add_ss(sum4, _mm_shuffle_ps(sum4, sum4, 1));
        const float s = _mm_cvtss_f32(sum4) * scale;
        const float Mold = M;
        float ms = 1.0f, vs = 1.0f;
        if (s > M) {
            M = s;
            ms = expf(Mold - M);
            const __m256 m8 = _mm256_set1_ps(ms);
            for (int64_t e = 0; e < dv; e += 8)
                _mm256_store_ps(acc + e, round_f16(_mm256_mul_ps(_mm256_load_ps(acc + e), m8)));
        } else {
            vs = expf(s - M);
        }
        const __m256 v8 = _mm256_set1_ps(vs);
        for (int64_t e = 0; e < dv; e += 8) {
            const __m256 vv = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(vr + e)));
            _mm256_store_ps(acc + e, round_f16(_mm256_fmadd_ps(vv, v8, _mm256_load_ps(acc + e))));
        }
        S = S * ms + vs;
    }
    const __m256 inv = _mm256_set1_ps(S == 0.0f ? 0.0f : 1.0f / S);
    for (int64_t e = 0; e < dv; e += 8) _mm256_storeu_ps(out + e, _mm256_mul_ps(_mm256_load_ps(acc + e), inv));
}

LK_F16C static void f32_to_f16_row_f16c(const float *x, uint16_t *y, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(y + i), _mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) y[i] = lk_fp32_to_fp16(x[i]);
}

static int has_f16c(void) {
    static int cached = -1;
    if (cached < 0)
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
    return cached;
}
#endif

void lk_attention_head(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v, int64_t v_stride,
                       int64_t n, int64_t dk, int64_t dv, float scale, float *out) {
#if defined(__x86_64__)
    if (has_f16c() && dk % 8 == 0 && dv % 8 == 0 && dk <= 1024 && dv <= 1024) {
        attention_head_f16c(q, k, k_stride, v, v_stride, n, dk, dv, scale, out);
        return;
    }
#endif
    attention_head_scalar(q, k, k_stride, v, v_stride, n, dk, dv, scale, out);
}

void lk_attention_head_ref(const float *q, const uint16_t *k, int64_t k_stride, const uint16_t *v,
                           int64_t v_stride, int64_t n, int64_t dk, int64_t dv, float scale, float *out) {
    attention_head_scalar(q, k, k_stride, v, v_stride, n, dk, dv, scale, out);
}

void lk_f32_to_f16_row_fast(const float *x, uint16_t *y, int64_t n) {
#if defined(__x86_64__)
    if (has_f16c()) { f32_to_f16_row_f16c(x, y, n); return; }
#endif
    lk_fp32_to_fp16_row(x, y, n);
}

float lk_dot_f16_f16(const uint16_t *a, const uint16_t *b, int64_t n) {
    float s = 0;
    for (int64_t i = 0; i < n; i++) s += lk_fp16_to_fp32(a[i]) * lk_fp16_to_fp32(b[i]);
    return s;
}

void lk_cpu_relax(void) {
#if defined(__x86_64__)
    _mm_pause();
#endif
}
