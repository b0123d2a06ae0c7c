// Internal to CKernels: ggml block layouts (ggml-common.h), the fp16 table and the per-type traits table
// that the public lk_* entry points dispatch through. Byte layouts are pinned with static_asserts.
#ifndef LATHE_QUANTS_INTERNAL_H
#define LATHE_QUANTS_INTERNAL_H
#include "ckernels.h"
#include <assert.h>
#include <string.h>
#include <math.h>

#define QK 32    // elements per block of the "legacy" formats (q4_0 ... q8_1)
#define QKK 256  // elements per K-quant super-block

enum { T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q4_1 = 3, T_Q5_0 = 6, T_Q5_1 = 7, T_Q8_0 = 8, T_Q8_1 = 9,
       T_Q2_K = 10, T_Q3_K = 11, T_Q4_K = 12, T_Q5_K = 13, T_Q6_K = 14, T_Q8_K = 15, T_BF16 = 30, T_COUNT = 31 };

typedef uint16_t lk_half;
typedef struct { lk_half d; uint8_t qs[QK / 2]; } block_q4_0;
typedef struct { lk_half d, m; uint8_t qs[QK / 2]; } block_q4_1;
typedef struct { lk_half d; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_0;
typedef struct { lk_half d, m; uint8_t qh[4]; uint8_t qs[QK / 2]; } block_q5_1;
typedef struct { lk_half d; int8_t qs[QK]; } block_q8_0;
typedef struct { lk_half d, s; int8_t qs[QK]; } block_q8_1;  // s = d * sum(qs)
typedef struct { uint8_t scales[QKK / 16]; uint8_t qs[QKK / 4]; lk_half d, dmin; } block_q2_K;
typedef struct { uint8_t hmask[QKK / 8]; uint8_t qs[QKK / 4]; uint8_t scales[12]; lk_half d; } block_q3_K;
typedef struct { lk_half d, dmin; uint8_t scales[12]; uint8_t qs[QKK / 2]; } block_q4_K;
typedef struct { lk_half d, dmin; uint8_t scales[12]; uint8_t qh[QKK / 8]; uint8_t qs[QKK / 2]; } block_q5_K;
typedef struct { uint8_t ql[QKK / 2]; uint8_t qh[QKK / 4]; int8_t scales[QKK / 16]; lk_half d; } block_q6_K;
typedef struct { float d; int8_t qs[QKK]; int16_t bsums[QKK / 16]; } block_q8_K;

static_assert(sizeof(block_q4_0) == 2 + 16, "q4_0");
static_assert(sizeof(block_q4_1) == 2 + 2 + 16, "q4_1");
static_assert(sizeof(block_q5_0) == 2 + 4 + 16, "q5_0");
static_assert(sizeof(block_q5_1) == 2 + 2 + 4 + 16, "q5_1");
static_assert(sizeof(block_q8_0) == 2 + 32, "q8_0");
static_assert(sizeof(block_q8_1) == 2 + 2 + 32, "q8_1");
static_assert(sizeof(block_q2_K) == 16 + 64 + 2 + 2, "q2_K");
static_assert(sizeof(block_q3_K) == 32 + 64 + 12 + 2, "q3_K");
static_assert(sizeof(block_q4_K) == 2 + 2 + 12 + 128, "q4_K");
static_assert(sizeof(block_q5_K) == 2 + 2 + 12 + 32 + 128, "q5_K");
static_assert(sizeof(block_q6_K) == 128 + 64 + 16 + 2, "q6_K");
static_assert(sizeof(block_q8_K) == 4 + 256 + 32, "q8_K");

/// fp16 -> f32 for all 65536 bit patterns; filled by lk_init. Per-block scales go through it (see
/// PERFORMANCE-NOTES: converting with vpinsrw/vcvtph2ps creates a false dependency on the accumulator).
extern float lk_fp16_table[1 << 16];
static inline float fp16(lk_half h) { return lk_fp16_table[h]; }
void lk_ensure_init(void);

typedef void (*lk_dequant_fn)(const void *x, float *y, int64_t k);
typedef void (*lk_quant_fn)(const float *x, void *y, int64_t k);
typedef float (*lk_dot_fn)(int64_t n, const void *w, const void *a);
/// out[t * out_stride + r] for r in [0, nr), t in [0, nt): rows `ws` bytes apart, tokens `as` bytes apart.
typedef void (*lk_gemm_fn)(int64_t n, const void *w, size_t ws, int64_t nr, const void *a, size_t as, int64_t nt,
                           float *out, int64_t out_stride);

typedef struct {
    int block, size, dot_type;
    lk_dequant_fn dequant;
    lk_quant_fn quant_ref, quant;   // quant: fastest bit-exact version (activation types), else = quant_ref
    lk_dot_fn dot_ref, dot;         // dot: fastest version
    lk_gemm_fn gemm;                // optional tiled kernel for lk_matmul_rows (NULL: rows x tokens of `dot`)
} lk_traits_t;
extern lk_traits_t lk_traits[T_COUNT];

/// ggml's nearest_int: round half to even through the float mantissa, |f| <= 4194303.
static inline int nearest_int(float f) {
    float v = f + 12582912.f;
    int i;
    memcpy(&i, &v, sizeof i);
    return (i & 0x007fffff) - 0x00400000;
}
#define LK_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LK_MAX(a, b) ((a) > (b) ? (a) : (b))

// ---- per-family entry points (registered in quants_common.c) ----
// quants_float.c
void lk_dequant_f32(const void *, float *, int64_t); void lk_dequant_f16(const void *, float *, int64_t);
void lk_dequant_bf16(const void *, float *, int64_t);
void lk_quant_f32(const float *, void *, int64_t); void lk_quant_f16(const float *, void *, int64_t);
void lk_quant_bf16(const float *, void *, int64_t);
float lk_dot_f32_ref(int64_t, const void *, const void *); float lk_dot_f16_ref(int64_t, const void *, const void *);
float lk_dot_bf16_ref(int64_t, const void *, const void *);
// quants_q4_q5.c
void lk_dequant_q4_0(const void *, float *, int64_t); void lk_dequant_q4_1(const void *, float *, int64_t);
void lk_dequant_q5_0(const void *, float *, int64_t); void lk_dequant_q5_1(const void *, float *, int64_t);
void lk_quant_q4_0_ref(const float *, void *, int64_t); void lk_quant_q4_1_ref(const float *, void *, int64_t);
void lk_quant_q5_0_ref(const float *, void *, int64_t); void lk_quant_q5_1_ref(const float *, void *, int64_t);
float lk_dot_q4_0_ref(int64_t, const void *, const void *); float lk_dot_q4_1_ref(int64_t, const void *, const void *);
float lk_dot_q5_0_ref(int64_t, const void *, const void *); float lk_dot_q5_1_ref(int64_t, const void *, const void *);
// quants_q8.c
void lk_quant_q8_0_act(const float *, void *, int64_t); void lk_quant_q8_1_act(const float *, void *, int64_t);
void lk_dequant_q8_0(const void *, float *, int64_t); void lk_dequant_q8_1(const void *, float *, int64_t);
void lk_dequant_q8_K(const void *, float *, int64_t);
void lk_quant_q8_0_ref(const float *, void *, int64_t); void lk_quant_q8_1_ref(const float *, void *, int64_t);
void lk_quant_q8_K_ref(const float *, void *, int64_t);
float lk_dot_q8_0_ref(int64_t, const void *, const void *);
// quants_k.c (dequantize, dot) and quants_k_quantize.c (reference quantizers)
void lk_dequant_q2_K(const void *, float *, int64_t); void lk_dequant_q3_K(const void *, float *, int64_t);
void lk_dequant_q4_K(const void *, float *, int64_t); void lk_dequant_q5_K(const void *, float *, int64_t);
void lk_dequant_q6_K(const void *, float *, int64_t);
void lk_quant_q2_K_ref(const float *, void *, int64_t); void lk_quant_q3_K_ref(const float *, void *, int64_t);
void lk_quant_q4_K_ref(const float *, void *, int64_t); void lk_quant_q5_K_ref(const float *, void *, int64_t);
void lk_quant_q6_K_ref(const float *, void *, int64_t);
float lk_dot_q2_K_ref(int64_t, const void *, const void *); float lk_dot_q3_K_ref(int64_t, const void *, const void *);
float lk_dot_q4_K_ref(int64_t, const void *, const void *); float lk_dot_q5_K_ref(int64_t, const void *, const void *);
float lk_dot_q6_K_ref(int64_t, const void *, const void *);
/// Unpacks the 6-bit scales and mins of a q4_K/q5_K super-block (ggml's get_scale_min_k4), j in 0..7.
static inline void lk_scale_min_k4(int j, const uint8_t *q, uint8_t *d, uint8_t *m) {
    if (j < 4) {
        *d = q[j] & 63;
        *m = q[j + 4] & 63;
    } else {
        *d = (q[j + 4] & 0xF) | ((q[j - 4] >> 6) << 4);
        *m = (q[j + 4] >> 4) | ((q[j - 0] >> 6) << 4);
    }
}
// K-quant scale searches shared by the reference quantizers (quants_k_quantize.c).
float lk_make_qx_quants(int n, int nmax, const float *x, int8_t *L);
float lk_make_qkx2_quants(int n, int nmax, const float *x, const float *weights, uint8_t *L, float *the_min,
                          uint8_t *Laux, float rmin, float rdelta, int nstep, bool use_mad);
/// AVX2 versions of the searches, 8 sub-blocks at a time (quants_k_search_avx2.c), used when lk_k_search_simd().
void lk_q45_search_avx2(const float *x, int nmax, float rmin, int nstep, uint8_t *L, float *scales, float *mins);
void lk_qx16_search_avx2(const float *x, int nmax, int8_t *L, float *scales);
int lk_k_search_simd(void);
/// Unpacks the 16 6-bit signed scales of a q3_K super-block (minus 32).
void lk_q3k_scales(const uint8_t *packed, int8_t *out);

// SIMD registrations (quants_avx2.c, quants_avx512.c): patch lk_traits with fast versions.
void lk_register_avx2(void);
void lk_register_avx512(void);
#endif
