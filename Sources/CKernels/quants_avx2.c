// AVX2 + FMA + F16C fast paths (maddubs/madd int8 dots), selected at run time by lk_init. The kernels
// themselves are in quants_simd_legacy.h, quants_simd_k.h and quants_simd_ktile.h, shared with the AVX-512 VNNI build.
#include "quants_internal.h"
#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#define GEMV_R 4
#define GEMM_R 1  // measured (AVX2, 1 thread, q4_1 1536x576 x 512 tokens): 1x8 ~1.4-1.9x the 2x4 tile (no spills)
#define GEMM_T 8
#define SMALL_R 2  // rows of the 2-4 token tile (decode steps): 8 accumulators, registers to spare
#define DOT_U8S8(u, s) _mm256_madd_epi16(_mm256_maddubs_epi16((u), (s)), _mm256_set1_epi16(1))
#include "quants_simd_legacy.h"
#include "quants_simd_k.h"
#define K_TILE_R 1  // 1x8 measured ~1.5x the 2x2 tile for q4_K/q6_K x 512 tokens (one thread)
#define K_TILE_T 8
#define F_TILE_R 4
#define F_TILE_T 2
#include "quants_simd_ktile.h"
void lk_register_avx2(void) {
    register_legacy();
    register_k_and_activations();
    register_k_tiles();
    register_float_tiles();
}
#pragma clang attribute pop
#else
void lk_register_avx2(void) {}
#endif
