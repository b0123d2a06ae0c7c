// Setup and dispatch for the block formats: lk_init (fp16 table, CPU detection), fp16/bf16 conversions,
// the per-type traits table (block size, bytes, vec_dot_type, scalar and fast kernels) and lk_matmul_rows.
// The SIMD level can be lowered for testing with LATHE_SIMD=scalar|avx2.
#include "quants_internal.h"
#include <pthread.h>
#include <stdlib.h>
#include <stdatomic.h>

float lk_fp16_table[1 << 16];
lk_traits_t lk_traits[T_COUNT];
static const char *simd_level = "scalar";
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static atomic_int ready = 0;

// ---- fp16 / bf16 scalar conversions (IEEE binary16, round to nearest even; bf16 as ggml) ----
static float fp16_to_fp32_bits(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000) << 16;
    const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ff;
    uint32_t bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000 | (mant << 13);            // inf / nan
    } else if (exp != 0) {
        bits = sign | ((exp + 112) << 23) | (mant << 13);   // normal: rebias 15 -> 127
    } else {                                                 // zero / subnormal: mant * 2^-24
        float f = (float)mant * (1.0f / 16777216.0f);
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

float lk_fp16_to_fp32(uint16_t h) { return fp16_to_fp32_bits(h); }

uint16_t lk_fp32_to_fp16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    const uint32_t sign = (u >> 16) & 0x8000;
    u &= 0x7fffffff;
    if (u >= 0x47800000) {                                   // >= 65536, inf or nan
        if (u > 0x7f800000) return (uint16_t)(sign | 0x7e00 | ((u >> 13) & 0x3ff));
        return (uint16_t)(sign | 0x7c00);
    }
    if (u < 0x38800000) {                                    // below 2^-14: subnormal half, RNE by float add
        float a, magic;
        const uint32_t magic_bits = 126u << 23;              // 0.5: adding it leaves 2^-24 units in the mantissa
        memcpy(&a, &u, 4);
        memcpy(&magic, &magic_bits, 4);
        a += magic;
        uint32_t r;
        memcpy(&r, &a, 4);
        return (uint16_t)(sign | (r - magic_bits));
    }
    const uint32_t mant_odd = (u >> 13) & 1;                 // round half to even
    u += 0xc8000fffu + mant_odd;                             // rebias 127 -> 15 and add the rounding bias
    return (uint16_t)(sign | (u >> 13));
}

float lk_bf16_to_fp32(uint16_t h) {
    const uint32_t u = (uint32_t)h << 16;
    float f;
    memcpy(&f, &u, 4);
    return f;
}

uint16_t lk_fp32_to_bf16(float f) {
    uint32_t u;
    memcpy(&u, &f, 4);
    if ((u & 0x7fffffff) > 0x7f800000) return (uint16_t)((u >> 16) | 64);  // quiet nan
    return (uint16_t)((u + (0x7fff + ((u >> 16) & 1))) >> 16);
}

void lk_fp16_to_fp32_row(const uint16_t *x, float *y, int64_t n) {
    lk_ensure_init();
    for (int64_t i = 0; i < n; i++) y[i] = lk_fp16_table[x[i]];
}

void lk_fp32_to_fp16_row(const float *x, uint16_t *y, int64_t n) {
    for (int64_t i = 0; i < n; i++) y[i] = lk_fp32_to_fp16(x[i]);
}

// ---- traits ----
#define TRAITS(T, BLOCK, SIZE, DOT_TYPE, DEQ, QREF, DOT) \
    lk_traits[T] = (lk_traits_t){BLOCK, SIZE, DOT_TYPE, DEQ, QREF, QREF, DOT, DOT, NULL}

static void register_scalar(void) {
    TRAITS(T_F32, 1, 4, T_F32, lk_dequant_f32, lk_quant_f32, lk_dot_f32_ref);
    TRAITS(T_F16, 1, 2, T_F16, lk_dequant_f16, lk_quant_f16, lk_dot_f16_ref);
    TRAITS(T_BF16, 1, 2, T_BF16, lk_dequant_bf16, lk_quant_bf16, lk_dot_bf16_ref);
    TRAITS(T_Q4_0, QK, 2 + 16, T_Q8_0, lk_dequant_q4_0, lk_quant_q4_0_ref, lk_dot_q4_0_ref);
    TRAITS(T_Q4_1, QK, 2 + 2 + 16, T_Q8_1, lk_dequant_q4_1, lk_quant_q4_1_ref, lk_dot_q4_1_ref);
    TRAITS(T_Q5_0, QK, 2 + 4 + 16, T_Q8_0, lk_dequant_q5_0, lk_quant_q5_0_ref, lk_dot_q5_0_ref);
    TRAITS(T_Q5_1, QK, 2 + 2 + 4 + 16, T_Q8_1, lk_dequant_q5_1, lk_quant_q5_1_ref, lk_dot_q5_1_ref);
    TRAITS(T_Q8_0, QK, 2 + 32, T_Q8_0, lk_dequant_q8_0, lk_quant_q8_0_ref, lk_dot_q8_0_ref);
    TRAITS(T_Q8_1, QK, 2 + 2 + 32, -1, lk_dequant_q8_1, lk_quant_q8_1_ref, NULL);
    TRAITS(T_Q2_K, QKK, 16 + 64 + 2 + 2, T_Q8_K, lk_dequant_q2_K, lk_quant_q2_K_ref, lk_dot_q2_K_ref);
    TRAITS(T_Q3_K, QKK, 32 + 64 + 12 + 2, T_Q8_K, lk_dequant_q3_K, lk_quant_q3_K_ref, lk_dot_q3_K_ref);
    TRAITS(T_Q4_K, QKK, 2 + 2 + 12 + 128, T_Q8_K, lk_dequant_q4_K, lk_quant_q4_K_ref, lk_dot_q4_K_ref);
    TRAITS(T_Q5_K, QKK, 2 + 2 + 12 + 32 + 128, T_Q8_K, lk_dequant_q5_K, lk_quant_q5_K_ref, lk_dot_q5_K_ref);
    TRAITS(T_Q6_K, QKK, 128 + 64 + 16 + 2, T_Q8_K, lk_dequant_q6_K, lk_quant_q6_K_ref, lk_dot_q6_K_ref);
    TRAITS(T_Q8_K, QKK, 4 + 256 + 32, -1, lk_dequant_q8_K, lk_quant_q8_K_ref, NULL);
    lk_traits[T_Q8_0].quant = lk_quant_q8_0_act;  // activations: llama.cpp's x86 numerics (see quants_q8.c)
    lk_traits[T_Q8_1].quant = lk_quant_q8_1_act;
}

static void init_once_body(void) {
    for (uint32_t h = 0; h < (1u << 16); h++) lk_fp16_table[h] = fp16_to_fp32_bits((uint16_t)h);
    register_scalar();
    const char *want = getenv("LATHE_SIMD");
    const int allow_avx2 = !(want && strcmp(want, "scalar") == 0);
    const int allow_avx512 = allow_avx2 && !(want && strcmp(want, "avx2") == 0);
#if defined(__x86_64__)
    __builtin_cpu_init();
    const int has_avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") &&
                         __builtin_cpu_supports("f16c");
    const int has_avx512 = has_avx2 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                           __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni") &&
                           __builtin_cpu_supports("avx512dq");
    if (has_avx2 && allow_avx2) {
        lk_register_avx2();
        simd_level = "avx2";
    }
    if (has_avx512 && allow_avx512) {
        lk_register_avx512();
        simd_level = "avx512vnni";
    }
#else
    (void)allow_avx2; (void)allow_avx512;
#endif
    atomic_store_explicit(&ready, 1, memory_order_release);
}

void lk_init(void) { pthread_once(&init_once, init_once_body); }

void lk_ensure_init(void) {
    if (__builtin_expect(!atomic_load_explicit(&ready, memory_order_acquire), 0)) lk_init();
}

const char *lk_simd_level(void) {
    lk_ensure_init();
    return simd_level;
}

static const lk_traits_t *traits(int type) {
    lk_ensure_init();
    if (type < 0 || type >= T_COUNT || lk_traits[type].dequant == NULL) return NULL;
    return &lk_traits[type];
}

int lk_vec_dot_type(int type) {
    const lk_traits_t *t = traits(type);
    return t ? t->dot_type : -1;
}

bool lk_supports(int type) { return traits(type) != NULL; }

void lk_dequantize_row(int type, const void *x, float *y, int64_t k) {
    const lk_traits_t *t = traits(type);
    if (t) t->dequant(x, y, k);
}

void lk_quantize_row_ref(int type, const float *x, void *y, int64_t k) {
    const lk_traits_t *t = traits(type);
    if (t) t->quant_ref(x, y, k);
}

void lk_quantize_activations_ref(int type, const float *x, void *y, int64_t k) {
    switch (type) {
    case T_Q8_0: lk_quant_q8_0_act(x, y, k); break;
    case T_Q8_1: lk_quant_q8_1_act(x, y, k); break;
    default: lk_quantize_row_ref(type, x, y, k);
    }
}

void lk_quantize_row(int type, const float *x, void *y, int64_t k) {
    const lk_traits_t *t = traits(type);
    if (t) t->quant(x, y, k);
}

float lk_vec_dot(int type, int64_t n, const void *w, const void *a) {
    const lk_traits_t *t = traits(type);
    return t && t->dot ? t->dot(n, w, a) : 0.0f;
}

float lk_vec_dot_ref(int type, int64_t n, const void *w, const void *a) {
    const lk_traits_t *t = traits(type);
    return t && t->dot_ref ? t->dot_ref(n, w, a) : 0.0f;
}

void lk_matmul_rows(int type, int64_t n, const void *w, size_t w_row_bytes, int64_t r0, int64_t r1,
                    const void *a, size_t a_row_bytes, int64_t nt, float *out, int64_t out_stride) {
    const lk_traits_t *t = traits(type);
    if (!t || !t->dot || r1 <= r0 || nt <= 0) return;
    const uint8_t *wb = (const uint8_t *)w + (size_t)r0 * w_row_bytes;
    if (t->gemm) {
        t->gemm(n, wb, w_row_bytes, r1 - r0, a, a_row_bytes, nt, out + r0, out_stride);
        return;
    }
    // One weight row stays in L1 while the activation rows stream past it.
    for (int64_t r = r0; r < r1; r++, wb += w_row_bytes) {
        const uint8_t *ab = (const uint8_t *)a;
        for (int64_t tok = 0; tok < nt; tok++, ab += a_row_bytes) out[tok * out_stride + r] = t->dot(n, wb, ab);
    }
}
