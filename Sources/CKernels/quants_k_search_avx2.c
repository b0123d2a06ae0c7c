// AVX2 versions of the K-quant scale searches, bit-exact with the scalar ones in quants_k_quantize.c: each
// lane runs one sub-block's whole search (8 sub-blocks of a q4_K/q5_K super-block, 8 of q6_K's 16), so every
// lane does the scalar code's float operations in the scalar code's order (no FMA, no reassociation) and its
// data-dependent choices by masks. Vectorising across sub-blocks rather than within one keeps the sequential
// sums and the running min of make_qkx2_quants exact. These searches were ~2/3 of a SmolLM2 Q4_K_M run.
#include "quants_internal.h"
#if defined(__x86_64__)
#include <immintrin.h>
#pragma clang attribute push(__attribute__((target("avx2,fma,f16c"))), apply_to = function)
#pragma clang fp contract(off)

/// ggml's nearest_int on 8 lanes (the same mantissa trick, integer ops).
static inline __m256i nearest8(__m256 f) {
    const __m256 v = _mm256_add_ps(f, _mm256_set1_ps(12582912.f));
    return _mm256_sub_epi32(_mm256_and_si256(_mm256_castps_si256(v), _mm256_set1_epi32(0x007fffff)),
                            _mm256_set1_epi32(0x00400000));
}

static inline __m256 blend(__m256 a, __m256 b, __m256 mask) { return _mm256_blendv_ps(a, b, mask); }

/// q45_scales' per-sub-block part for one 256-value super-block: weights, then make_qkx2_quants(32, nmax, ...,
/// rmin, 0.1, nstep, use_mad = false) for the 8 sub-blocks at once. Writes L (256), scales and mins (8).
void lk_q45_search_avx2(const float *x, int nmax, float rmin, int nstep, uint8_t *L, float *scales, float *mins) {
    float xt[32][8], wt[32][8];  // [element][sub-block]
    for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 32; ++i) xt[i][j] = x[32 * j + i];
    __m256 sum_x2 = _mm256_setzero_ps();
    for (int i = 0; i < 32; ++i) {
        const __m256 v = _mm256_loadu_ps(xt[i]);
        sum_x2 = _mm256_add_ps(sum_x2, _mm256_mul_ps(v, v));
    }
    const __m256 av_x = _mm256_sqrt_ps(_mm256_div_ps(sum_x2, _mm256_set1_ps(32)));
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    for (int i = 0; i < 32; ++i)
        _mm256_storeu_ps(wt[i], _mm256_add_ps(av_x, _mm256_and_ps(_mm256_loadu_ps(xt[i]), abs_mask)));

    __m256 mn = _mm256_loadu_ps(xt[0]), mx = mn;
    __m256 sum_w = _mm256_loadu_ps(wt[0]);
    __m256 sum_x = _mm256_mul_ps(sum_w, mn);
    for (int i = 1; i < 32; ++i) {
        const __m256 v = _mm256_loadu_ps(xt[i]), w = _mm256_loadu_ps(wt[i]);
        mn = blend(mn, v, _mm256_cmp_ps(v, mn, _CMP_LT_OQ));
        mx = blend(mx, v, _mm256_cmp_ps(v, mx, _CMP_GT_OQ));
        sum_w = _mm256_add_ps(sum_w, w);
        sum_x = _mm256_add_ps(sum_x, _mm256_mul_ps(w, v));
    }
    const __m256 zero = _mm256_setzero_ps();
    mn = blend(mn, zero, _mm256_cmp_ps(mn, zero, _CMP_GT_OQ));
    const __m256 flat = _mm256_cmp_ps(mx, mn, _CMP_EQ_OQ);  // lanes whose search is L = 0, scale 0
    const __m256i vmax = _mm256_set1_epi32(nmax), izero = _mm256_setzero_si256();

    __m256 iscale = _mm256_div_ps(_mm256_set1_ps((float)nmax), _mm256_sub_ps(mx, mn));
    __m256 scale = _mm256_div_ps(_mm256_set1_ps(1), iscale);
    __m256i Lv[32];
    __m256 best_error = zero;
    for (int i = 0; i < 32; ++i) {
        const __m256 v = _mm256_loadu_ps(xt[i]);
        Lv[i] = _mm256_min_epi32(vmax, _mm256_max_epi32(izero, nearest8(_mm256_mul_ps(iscale, _mm256_sub_ps(v, mn)))));
        __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(scale, _mm256_cvtepi32_ps(Lv[i])), mn), v);
        diff = _mm256_mul_ps(diff, diff);
        best_error = _mm256_add_ps(best_error, _mm256_mul_ps(_mm256_loadu_ps(wt[i]), diff));
    }
    __m256i Laux[32];
    for (int is = 0; is <= nstep; ++is) {
        const float numerator = rmin + 0.1f * is + nmax;
        iscale = _mm256_div_ps(_mm256_set1_ps(numerator), _mm256_sub_ps(mx, mn));
        __m256 sum_l = zero, sum_l2 = zero, sum_xl = zero;
        for (int i = 0; i < 32; ++i) {
            const __m256 v = _mm256_loadu_ps(xt[i]), w = _mm256_loadu_ps(wt[i]);
            Laux[i] = _mm256_min_epi32(vmax, _mm256_max_epi32(izero, nearest8(_mm256_mul_ps(iscale, _mm256_sub_ps(v, mn)))));
            const __m256 l = _mm256_cvtepi32_ps(Laux[i]);
            const __m256 wl = _mm256_mul_ps(w, l);
            sum_l = _mm256_add_ps(sum_l, wl);
            sum_l2 = _mm256_add_ps(sum_l2, _mm256_mul_ps(wl, l));
            sum_xl = _mm256_add_ps(sum_xl, _mm256_mul_ps(wl, v));
        }
        const __m256 D = _mm256_sub_ps(_mm256_mul_ps(sum_w, sum_l2), _mm256_mul_ps(sum_l, sum_l));
        const __m256 positive = _mm256_cmp_ps(D, zero, _CMP_GT_OQ);
        __m256 this_scale = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sum_w, sum_xl), _mm256_mul_ps(sum_x, sum_l)), D);
        __m256 this_min = _mm256_div_ps(_mm256_sub_ps(_mm256_mul_ps(sum_l2, sum_x), _mm256_mul_ps(sum_l, sum_xl)), D);
        const __m256 min_positive = _mm256_cmp_ps(this_min, zero, _CMP_GT_OQ);
        this_min = blend(this_min, zero, min_positive);
        this_scale = blend(this_scale, _mm256_div_ps(sum_xl, sum_l2), min_positive);
        __m256 cur_error = zero;
        for (int i = 0; i < 32; ++i) {
            const __m256 v = _mm256_loadu_ps(xt[i]);
            __m256 diff = _mm256_sub_ps(_mm256_add_ps(_mm256_mul_ps(this_scale, _mm256_cvtepi32_ps(Laux[i])), this_min), v);
            diff = _mm256_mul_ps(diff, diff);
            cur_error = _mm256_add_ps(cur_error, _mm256_mul_ps(_mm256_loadu_ps(wt[i]), diff));
        }
        const __m256 better = _mm256_andnot_ps(flat, _mm256_and_ps(positive, _mm256_cmp_ps(cur_error, best_error, _CMP_LT_OQ)));
        if (_mm256_testz_ps(better, better)) continue;
        const __m256i take = _mm256_castps_si256(better);
        for (int i = 0; i < 32; ++i) Lv[i] = _mm256_blendv_epi8(Lv[i], Laux[i], take);
        best_error = blend(best_error, cur_error, better);
        scale = blend(scale, this_scale, better);
        mn = blend(mn, this_min, better);
    }
    // Flat sub-blocks: L = 0, scale 0, the_min = -min.
    scale = blend(scale, zero, flat);
    const __m256i flat_i = _mm256_castps_si256(flat);
    int32_t lanes[8];
    for (int i = 0; i < 32; ++i) {
        _mm256_storeu_si256((__m256i *)lanes, _mm256_blendv_epi8(Lv[i], izero, flat_i));
        for (int j = 0; j < 8; ++j) L[32 * j + i] = (uint8_t)lanes[j];
    }
    _mm256_storeu_ps(scales, scale);
    _mm256_storeu_ps(mins, _mm256_xor_ps(mn, _mm256_set1_ps(-0.f)));  // -min, as the scalar code negates
}

/// make_qx_quants(16, nmax, ..., rmse_type 1) for 8 consecutive 16-value sub-blocks of q6_K at once.
void lk_qx16_search_avx2(const float *x, int nmax, int8_t *L, float *scales) {
    float xt[16][8];
    for (int j = 0; j < 8; ++j)
        for (int i = 0; i < 16; ++i) xt[i][j] = x[16 * j + i];
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    const __m256 zero = _mm256_setzero_ps();
    __m256 mx = zero, amax = zero;
    for (int i = 0; i < 16; ++i) {
        const __m256 v = _mm256_loadu_ps(xt[i]), ax = _mm256_and_ps(v, abs_mask);
        const __m256 bigger = _mm256_cmp_ps(ax, amax, _CMP_GT_OQ);
        amax = blend(amax, ax, bigger);
        mx = blend(mx, v, bigger);
    }
    const __m256 tiny = _mm256_cmp_ps(amax, _mm256_set1_ps(1e-15f), _CMP_LT_OQ);  // GROUP_MAX_EPS: L = 0, scale 0
    const __m256i lo = _mm256_set1_epi32(-nmax), hi = _mm256_set1_epi32(nmax - 1);
    __m256 iscale = _mm256_div_ps(_mm256_set1_ps((float)-nmax), mx);
    __m256i Lv[16];
    __m256 sumlx = zero, suml2 = zero;
    for (int i = 0; i < 16; ++i) {
        const __m256 v = _mm256_loadu_ps(xt[i]);
        Lv[i] = _mm256_min_epi32(hi, _mm256_max_epi32(lo, nearest8(_mm256_mul_ps(iscale, v))));
        const __m256 l = _mm256_cvtepi32_ps(Lv[i]), w = _mm256_mul_ps(v, v);
        sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(_mm256_mul_ps(w, v), l));
        suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, l), l));
    }
    // scale = suml2 ? sumlx / suml2 : 0
    __m256 scale = blend(zero, _mm256_div_ps(sumlx, suml2), _mm256_cmp_ps(suml2, zero, _CMP_NEQ_UQ));
    __m256 best = _mm256_mul_ps(scale, sumlx);
    for (int is = -9; is <= 9; ++is) {
        if (is == 0) continue;
        iscale = _mm256_div_ps(_mm256_set1_ps(-(nmax + 0.1f * is)), mx);
        __m256i Lt[16];
        sumlx = suml2 = zero;
        for (int i = 0; i < 16; ++i) {
            const __m256 v = _mm256_loadu_ps(xt[i]);
            Lt[i] = _mm256_min_epi32(hi, _mm256_max_epi32(lo, nearest8(_mm256_mul_ps(iscale, v))));
            const __m256 l = _mm256_cvtepi32_ps(Lt[i]), w = _mm256_mul_ps(v, v);
            sumlx = _mm256_add_ps(sumlx, _mm256_mul_ps(_mm256_mul_ps(w, v), l));
            suml2 = _mm256_add_ps(suml2, _mm256_mul_ps(_mm256_mul_ps(w, l), l));
        }
        const __m256 better = _mm256_and_ps(_mm256_cmp_ps(suml2, zero, _CMP_GT_OQ),
                                            _mm256_cmp_ps(_mm256_mul_ps(sumlx, sumlx), _mm256_mul_ps(best, suml2), _CMP_GT_OQ));
        if (_mm256_testz_ps(better, better)) continue;
        const __m256i take = _mm256_castps_si256(better);
        for (int i = 0; i < 16; ++i) Lv[i] = _mm256_blendv_epi8(Lv[i], Lt[i], take);
        const __m256 s = _mm256_div_ps(sumlx, suml2);
        scale = blend(scale, s, better);
        best = blend(best, _mm256_mul_ps(s, sumlx), better);
    }
    scale = blend(scale, zero, tiny);
    const __m256i tiny_i = _mm256_castps_si256(tiny), offset = _mm256_set1_epi32(nmax);
    int32_t lanes[8];
    for (int i = 0; i < 16; ++i) {
        // Stored + nmax; tiny lanes store 0 (the scalar code's L = 0 without the offset).
        _mm256_storeu_si256((__m256i *)lanes, _mm256_blendv_epi8(_mm256_add_epi32(Lv[i], offset), _mm256_setzero_si256(), tiny_i));
        for (int j = 0; j < 8; ++j) L[16 * j + i] = (int8_t)lanes[j];
    }
    _mm256_storeu_ps(scales, scale);
}
#pragma clang attribute pop
#else
void lk_q45_search_avx2(const float *x, int nmax, float rmin, int nstep, uint8_t *L, float *scales, float *mins) {
    (void)x, (void)nmax, (void)rmin, (void)nstep, (void)L, (void)scales, (void)mins;  // lk_k_search_simd() is 0 here
}
void lk_qx16_search_avx2(const float *x, int nmax, int8_t *L, float *scales) { (void)x, (void)nmax, (void)L, (void)scales; }
#endif
