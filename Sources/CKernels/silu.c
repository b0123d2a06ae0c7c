// SwiGLU as llama.cpp computes it on x86: silu(g) * up with silu(x) = x / (1 + expv(-x)), where expv is ggml's
// vectorised expf (adapted from ARM's optimized routines; within ~1.5 ulp of expf, but not equal to libm's).
// The engine quantizes the product to Q8 right after, so a 1-ulp difference here sometimes flips a quant and
// moves logits by tenths several tokens later; matching the exact arithmetic keeps us bit-identical longer.
// ggml has two variants: AVX2 (result k * j + k) and AVX-512 (scalef(1 + j', n)); they can differ by 1 ulp.
// The reference fixtures were produced on an AVX-512 machine, so that variant is the default; both are
// computed here with AVX2+FMA (lane-wise identical) and have a scalar fmaf twin for tests and old CPUs.
#include "ckernels.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

static inline float bits_to_float(uint32_t u) { float f; memcpy(&f, &u, 4); return f; }
static inline uint32_t float_to_bits(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

// Shared first steps: n = round(x / ln2), b = x - n * ln2 (two-part), then the polynomial.
#define EXPV_C0 0x1.ffffecp-1f
#define EXPV_C1 0x1.fffdb6p-2f
#define EXPV_C2 0x1.555e66p-3f
#define EXPV_C3 0x1.573e2ep-5f
#define EXPV_C4 0x1.0e4020p-7f

/// One lane of ggml_v_expf (scalar twin; `avx512` picks that variant's final assembly).
float lk_expv_ref(float x, int avx512) {
    const float r = 0x1.8p23f;
    const float z = fmaf(x, 0x1.715476p+0f, r);
    const float n = z - r;
    const float b = fmaf(-n, 0x1.7f7d1cp-20f, fmaf(-n, 0x1.62e4p-1f, x));
    const float u = b * b;
    const float p = fmaf(fmaf(EXPV_C4, b, EXPV_C3), u, fmaf(EXPV_C2, b, EXPV_C1));
    if (avx512) {
        const float j = fmaf(p, u, fmaf(EXPV_C0, b, 1.0f));
        if (fabsf(n) > 192) return n <= 0 ? 0.0f : INFINITY;
        return ldexpf(j, (int)n);  // scalef: exact scaling by 2^n
    }
    const float j = fmaf(p, u, EXPV_C0 * b);
    const uint32_t e = float_to_bits(z) << 23;
    const float k = bits_to_float(e + float_to_bits(1.0f));
    if (!(fabsf(n) > 126)) return fmaf(j, k, k);
    const uint32_t g = n <= 0 ? 0x82000000u : 0;
    const float s1 = bits_to_float(g + 0x7f000000u), s2 = bits_to_float(e - g);
    if (fabsf(n) > 192) return s1 * s1;
    return fmaf(s2, j, s2) * s1;
}

static int expv_variant(void) {  // 1 = AVX-512 arithmetic (default), 0 = AVX2; LATHE_EXPV=avx2 overrides
    static int cached = -1;
    if (cached < 0) {
        const char *v = getenv("LATHE_EXPV");
        cached = !(v && strcmp(v, "avx2") == 0);
    }
    return cached;
}

void lk_swiglu_ref(const float *gate, const float *up, float *out, int64_t n, int avx512) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        // ggml's vector loop covers whole vectors (16 lanes with AVX-512, 8 with AVX2); the tail uses libm expf.
        const int64_t lanes = avx512 ? 16 : 8;
        const float e = i < n / lanes * lanes ? lk_expv_ref(0.0f - g, avx512) : expf(-g);
        out[i] = (g / (1.0f + e)) * up[i];
    }
}

#if defined(__x86_64__)
#define LK_FMA __attribute__((target("avx2,fma")))
LK_FMA static inline __m256 expv8(__m256 x, int avx512) {
    const __m256 r = _mm256_set1_ps(0x1.8p23f);
    const __m256 z = _mm256_fmadd_ps(x, _mm256_set1_ps(0x1.715476p+0f), r);
    const __m256 n = _mm256_sub_ps(z, r);
    const __m256 b = _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.7f7d1cp-20f),
                                      _mm256_fnmadd_ps(n, _mm256_set1_ps(0x1.62e4p-1f), x));
    const __m256 u = _mm256_mul_ps(b, b);
    const __m256 p = _mm256_fmadd_ps(_mm256_fmadd_ps(_mm256_set1_ps(EXPV_C4), b, _mm256_set1_ps(EXPV_C3)), u,
                                     _mm256_fmadd_ps(_mm256_set1_ps(EXPV_C2), b, _mm256_set1_ps(EXPV_C1)));
    const __m256 absn = _mm256_andnot_ps(_mm256_set1_ps(-0.0f), n);
    if (avx512) {
        const __m256 j = _mm256_fmadd_ps(p, u, _mm256_fmadd_ps(_mm256_set1_ps(EXPV_C0), b, _mm256_set1_ps(1.0f)));
        if (_mm256_movemask_ps(_mm256_cmp_ps(absn, _mm256_set1_ps(126), _CMP_GT_OQ))) {
            float lane[8], nl[8];  // rare: scaling near the exponent limits; do it lane by lane
            _mm256_storeu_ps(lane, j);
            _mm256_storeu_ps(nl, n);
            for (int i = 0; i < 8; i++) lane[i] = fabsf(nl[i]) > 192 ? (nl[i] <= 0 ? 0.0f : INFINITY) : ldexpf(lane[i], (int)nl[i]);
            return _mm256_loadu_ps(lane);
        }
        // 2^n as float bits (n integral, |n| <= 126): the product is exact, as scalef's is.
        const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
        return _mm256_mul_ps(j, _mm256_castsi256_ps(e));
    }
    const __m256 j = _mm256_fmadd_ps(p, u, _mm256_mul_ps(_mm256_set1_ps(EXPV_C0), b));
    const __m256i e = _mm256_slli_epi32(_mm256_castps_si256(z), 23);
    const __m256 k = _mm256_castsi256_ps(_mm256_add_epi32(e, _mm256_castps_si256(_mm256_set1_ps(1))));
    if (!_mm256_movemask_ps(_mm256_cmp_ps(absn, _mm256_set1_ps(126), _CMP_GT_OQ))) return _mm256_fmadd_ps(j, k, k);
    float xl[8], out[8];
    _mm256_storeu_ps(xl, x);
    for (int i = 0; i < 8; i++) out[i] = lk_expv_ref(xl[i], 0);
    return _mm256_loadu_ps(out);
}

LK_FMA static void swiglu_fma(const float *gate, const float *up, float *out, int64_t n, int avx512) {
    const int64_t lanes = avx512 ? 16 : 8, vec_end = n / lanes * lanes;
    int64_t i = 0;
    for (; i < vec_end; i += 8) {
        const __m256 g = _mm256_loadu_ps(gate + i);
        const __m256 e = expv8(_mm256_sub_ps(_mm256_setzero_ps(), g), avx512);
        const __m256 s = _mm256_div_ps(g, _mm256_add_ps(_mm256_set1_ps(1), e));
        _mm256_storeu_ps(out + i, _mm256_mul_ps(s, _mm256_loadu_ps(up + i)));
    }
    for (; i < n; i++) out[i] = (gate[i] / (1.0f + expf(-gate[i]))) * up[i];
}
#endif

void lk_swiglu_f32(const float *gate, const float *up, float *out, int64_t n) {
#if defined(__x86_64__)
    static int has_fma = -1;
    if (has_fma < 0) has_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (has_fma) {
        swiglu_fma(gate, up, out, n, expv_variant());
        return;
    }
#endif
    lk_swiglu_ref(gate, up, out, n, expv_variant());
}
