// See include/ctrainer.h. Every kernel is written once as an always-inline body and compiled twice: for
// AVX2+FMA (clang vectorises the loops, exp included, since it is plain arithmetic) and for baseline x86-64;
// the public function picks one at run time.
#include "ctrainer.h"
#include <math.h>
#include <string.h>

#define INLINE static inline __attribute__((always_inline))

// exp via 2^n · p(b), n = round(x / ln 2), b = x − n ln 2 (two-part), p a degree-5 polynomial (Cephes' expf
// coefficients). Branch-free so loops over it vectorise.
INLINE float exp_body(float x) {
    x = x < -87.0f ? -87.0f : (x > 88.0f ? 88.0f : x);
    const float magic = 0x1.8p23f;
    float z = x * 1.44269504088896341f + magic;
    float n = z - magic;
    float b = x - n * 0.693359375f;
    b = b - n * -2.12194440e-4f;
    float p = 1.9875691500e-4f;
    p = p * b + 1.3981999507e-3f;
    p = p * b + 8.3334519073e-3f;
    p = p * b + 4.1665795894e-2f;
    p = p * b + 1.6666665459e-1f;
    p = p * b + 5.0000001201e-1f;
    p = p * b * b + b + 1.0f;
    int32_t e = (int32_t)n + 127;
    uint32_t bits = (uint32_t)e << 23;
    float scale;
    memcpy(&scale, &bits, 4);
    return p * scale;
}

// Reductions with 8 partial results, so they vectorise without -ffast-math (the order is fixed, so results
// are the same on every run).
INLINE float max_of(const float *x, int64_t n) {
    float m[8];
    for (int k = 0; k < 8; k++) m[k] = x[0];
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) m[k] = x[j + k] > m[k] ? x[j + k] : m[k];
    float r = m[0];
    for (int k = 1; k < 8; k++) r = m[k] > r ? m[k] : r;
    for (; j < n; j++) r = x[j] > r ? x[j] : r;
    return r;
}

INLINE float dot_of(const float *a, const float *b, int64_t n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) s[k] += a[j + k] * b[j + k];
    float r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; j < n; j++) r += a[j] * b[j];
    return r;
}

INLINE float sum_of(const float *x, int64_t n) {
    float s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    int64_t j = 0;
    for (; j + 8 <= n; j += 8)
        for (int k = 0; k < 8; k++) s[k] += x[j + k];
    float r = ((s[0] + s[4]) + (s[1] + s[5])) + ((s[2] + s[6]) + (s[3] + s[7]));
    for (; j < n; j++) r += x[j];
    return r;
}

/// x ← exp(x − max) in place; returns the sum (two passes: the plain exp loop is what vectorises).
INLINE float exp_shifted_sum(float *x, float max, int64_t n) {
    for (int64_t j = 0; j < n; j++) x[j] = exp_body(x[j] - max);
    return sum_of(x, n);
}

INLINE void exp_range(const float *x, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) out[i] = exp_body(x[i]);
}

INLINE void softmax_causal(float *p, int64_t T, int64_t row0, int64_t row1) {
    for (int64_t i = row0; i < row1; i++) {
        float *row = p + i * T;
        const int64_t n = i + 1;
        const float inv = 1.0f / exp_shifted_sum(row, max_of(row, n), n);
        for (int64_t j = 0; j < n; j++) row[j] *= inv;
        for (int64_t j = n; j < T; j++) row[j] = 0;
    }
}

INLINE void softmax_causal_backward(const float *p, float *dp, int64_t T, float scale, int64_t row0, int64_t row1) {
    for (int64_t i = row0; i < row1; i++) {
        const float *pr = p + i * T;
        float *d = dp + i * T;
        const int64_t n = i + 1;
        const float dot = dot_of(pr, d, n);
        for (int64_t j = 0; j < n; j++) d[j] = pr[j] * (d[j] - dot) * scale;
        for (int64_t j = n; j < T; j++) d[j] = 0;
    }
}

INLINE void cross_entropy(float *logits, const int32_t *targets, int64_t rows, int64_t V, float *losses) {
    for (int64_t r = 0; r < rows; r++) {
        float *row = logits + r * V;
        const float inv = 1.0f / exp_shifted_sum(row, max_of(row, V), V);
        for (int64_t j = 0; j < V; j++) row[j] *= inv;
        const int32_t t = targets[r];
        if (t >= 0) {
            const float q = row[t] > 1.17549435e-38f ? row[t] : 1.17549435e-38f;
            losses[r] = -logf(q);
        } else {
            losses[r] = 0;
        }
    }
}

INLINE void swiglu(const float *gate, const float *up, float *out, int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        out[i] = g / (1.0f + exp_body(-g)) * up[i];
    }
}

INLINE void swiglu_backward(const float *dout, const float *gate, const float *up, float *dgate, float *dup,
                            int64_t n) {
    for (int64_t i = 0; i < n; i++) {
        const float g = gate[i];
        const float sig = 1.0f / (1.0f + exp_body(-g));
        dup[i] = dout[i] * g * sig;
        dgate[i] = dout[i] * up[i] * sig * (1.0f + g * (1.0f - sig));
    }
}

#if defined(__x86_64__)
#define FAST __attribute__((target("avx2,fma")))
static int has_avx2_fma(void) {
    static int cached = -1;
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}
#define DISPATCH(fast, slow) do { if (has_avx2_fma()) fast; else slow; } while (0)
#else
#define FAST
#define DISPATCH(fast, slow) slow
#endif

FAST static void exp_fast(const float *x, float *o, int64_t n) { exp_range(x, o, n); }
static void exp_slow(const float *x, float *o, int64_t n) { exp_range(x, o, n); }
void lt_exp_f32(const float *x, float *out, int64_t n) { DISPATCH(exp_fast(x, out, n), exp_slow(x, out, n)); }

FAST static void sc_fast(float *p, int64_t T, int64_t a, int64_t b) { softmax_causal(p, T, a, b); }
static void sc_slow(float *p, int64_t T, int64_t a, int64_t b) { softmax_causal(p, T, a, b); }
void lt_softmax_causal_f32(float *p, int64_t T, int64_t row0, int64_t row1) {
    DISPATCH(sc_fast(p, T, row0, row1), sc_slow(p, T, row0, row1));
}

FAST static void scb_fast(const float *p, float *d, int64_t T, float s, int64_t a, int64_t b) {
    softmax_causal_backward(p, d, T, s, a, b);
}
static void scb_slow(const float *p, float *d, int64_t T, float s, int64_t a, int64_t b) {
    softmax_causal_backward(p, d, T, s, a, b);
}
void lt_softmax_causal_backward_f32(const float *p, float *dp, int64_t T, float scale, int64_t row0, int64_t row1) {
    DISPATCH(scb_fast(p, dp, T, scale, row0, row1), scb_slow(p, dp, T, scale, row0, row1));
}

FAST static void ce_fast(float *l, const int32_t *t, int64_t r, int64_t V, float *o) { cross_entropy(l, t, r, V, o); }
static void ce_slow(float *l, const int32_t *t, int64_t r, int64_t V, float *o) { cross_entropy(l, t, r, V, o); }
void lt_cross_entropy_f32(float *logits, const int32_t *targets, int64_t rows, int64_t V, float *losses) {
    DISPATCH(ce_fast(logits, targets, rows, V, losses), ce_slow(logits, targets, rows, V, losses));
}

FAST static void sw_fast(const float *g, const float *u, float *o, int64_t n) { swiglu(g, u, o, n); }
static void sw_slow(const float *g, const float *u, float *o, int64_t n) { swiglu(g, u, o, n); }
void lt_swiglu_f32(const float *gate, const float *up, float *out, int64_t n) {
    DISPATCH(sw_fast(gate, up, out, n), sw_slow(gate, up, out, n));
}

FAST static void swb_fast(const float *d, const float *g, const float *u, float *dg, float *du, int64_t n) {
    swiglu_backward(d, g, u, dg, du, n);
}
static void swb_slow(const float *d, const float *g, const float *u, float *dg, float *du, int64_t n) {
    swiglu_backward(d, g, u, dg, du, n);
}
void lt_swiglu_backward_f32(const float *dout, const float *gate, const float *up, float *dgate, float *dup,
                            int64_t n) {
    DISPATCH(swb_fast(dout, gate, up, dgate, dup, n), swb_slow(dout, gate, up, dgate, dup, n));
}
