// AVX-512 VL + VNNI fast paths: the same kernels as quants_avx2.c at 256-bit width with vpdpbusd for the
// u8 x s8 dots and 32 vector registers, which allows 4 x 4 rows x tokens tiles in lk_matmul_rows.
#include "quants_internal.h"
#if defined(__x86_64__)
#if !defined(LK_SIMDE)
#pragma clang attribute push(__attribute__((target("avx512f,avx512bw,avx512vl,avx512vnni,avx512dq,avx2,fma,f16c"))), apply_to = function)
#endif
#define GEMV_R 4
#define GEMM_R 2  // 16 accumulators, as the 4x4 tile had (32 registers)
#define GEMM_T 8
#define SMALL_R 2  // rows of the 2-4 token tile (decode steps): 8 accumulators, registers to spare
#define DOT_U8S8(u, s) _mm256_dpbusd_epi32(_mm256_setzero_si256(), (u), (s))
#include "quants_simd_legacy.h"
#include "quants_simd_k.h"
#define K_TILE_R 4
#define K_TILE_T 4
#define F_TILE_R 4
#define F_TILE_T 4
#include "quants_simd_ktile.h"
void lk_register_avx512(void) {
    register_legacy();
    register_k_and_activations();
    register_k_tiles();
    register_float_tiles();
}
#if !defined(LK_SIMDE)
#pragma clang attribute pop
#endif
#else
void lk_register_avx512(void) {}
#endif
