// Reference quantizers for q4_K, q5_K (8 sub-blocks of 32 with 6-bit scale and min) and q6_K (16 sub-blocks
// of 16 with int8 scales), bit-exact with ggml's quantize_row_q{4,5,6}_K_ref. Layouts: quants_k.c. The
// per-sub-block scale searches run 8 sub-blocks at a time with AVX2 where available (quants_k_search_avx2.c).
#include "quants_internal.h"
#pragma clang fp contract(off)  // float expressions evaluate exactly as ggml writes them

#define GROUP_MAX_EPS 1e-15f

/// Sub-block scales and mins of a q4_K/q5_K super-block; stores 6-bit scales, d and dmin into the block.
static void q45_scales(const float *x, int nmax, float rmin, int nstep, uint8_t *L, uint8_t *packed,
                       lk_half *d_out, lk_half *dmin_out) {
    uint8_t Laux[32];
    float weights[32], mins[QKK / 32], scales[QKK / 32];
    float max_scale = 0, max_min = 0;
    const int simd = lk_k_search_simd();
    if (simd) lk_q45_search_avx2(x, nmax, rmin, nstep, L, scales, mins);
    for (int j = 0; j < QKK / 32; ++j) {
        if (simd) {
            if (scales[j] > max_scale) max_scale = scales[j];
            if (mins[j] > max_min) max_min = mins[j];
            continue;
        }
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += x[32 * j + l] * x[32 * j + l];
        const float av_x = sqrtf(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = av_x + fabsf(x[32 * j + l]);
        scales[j] = lk_make_qkx2_quants(32, nmax, x + 32 * j, weights, L + 32 * j, &mins[j], Laux, rmin, 0.1f, nstep,
                                        false);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    for (int j = 0; j < QKK / 32; ++j) {
        uint8_t ls = (uint8_t)nearest_int(inv_scale * scales[j]);
        uint8_t lm = (uint8_t)nearest_int(inv_min * mins[j]);
        ls = LK_MIN(63, ls);
        lm = LK_MIN(63, lm);
        if (j < 4) {
            packed[j] = ls;
            packed[j + 4] = lm;
        } else {
            packed[j + 4] = (ls & 0xF) | (uint8_t)((lm & 0xF) << 4);
            packed[j - 4] |= (uint8_t)((ls >> 4) << 6);
            packed[j - 0] |= (uint8_t)((lm >> 4) << 6);
        }
    }
    *d_out = lk_fp32_to_fp16(max_scale / 63.f);
    *dmin_out = lk_fp32_to_fp16(max_min / 63.f);
}

/// Requantizes with the rounded scales: L in [0, nmax].
static void q45_requantize(const float *x, const uint8_t *packed, lk_half d16, lk_half dmin16, int nmax, uint8_t *L) {
    for (int j = 0; j < QKK / 32; ++j) {
        uint8_t sc, m;
        lk_scale_min_k4(j, packed, &sc, &m);
        const float d = fp16(d16) * sc;
        if (!d) continue;
        const float dm = fp16(dmin16) * m;
        for (int ii = 0; ii < 32; ++ii) {
            const int l = nearest_int((x[32 * j + ii] + dm) / d);
            L[32 * j + ii] = (uint8_t)LK_MAX(0, LK_MIN(nmax, l));
        }
    }
}

void lk_quant_q4_K_ref(const float *x, void *vy, int64_t k) {
    block_q4_K *y = vy;
    uint8_t L[QKK];
    for (int64_t i = 0; i < k / QKK; i++, x += QKK) {
        memset(y[i].scales, 0, 12);
        q45_scales(x, 15, -1.f, 20, L, y[i].scales, &y[i].d, &y[i].dmin);
        q45_requantize(x, y[i].scales, y[i].d, y[i].dmin, 15, L);
        uint8_t *q = y[i].qs;
        for (int j = 0; j < QKK; j += 64, q += 32)
            for (int l = 0; l < 32; ++l) q[l] = L[j + l] | (uint8_t)(L[j + l + 32] << 4);
    }
}

void lk_quant_q5_K_ref(const float *x, void *vy, int64_t k) {
    block_q5_K *y = vy;
    uint8_t L[QKK];
    for (int64_t i = 0; i < k / QKK; i++, x += QKK) {
        memset(y[i].scales, 0, 12);
        q45_scales(x, 31, -0.5f, 15, L, y[i].scales, &y[i].d, &y[i].dmin);
        q45_requantize(x, y[i].scales, y[i].d, y[i].dmin, 31, L);
        uint8_t *qh = y[i].qh, *ql = y[i].qs;
        memset(qh, 0, QKK / 8);
        uint8_t m1 = 1, m2 = 2;
        for (int n = 0; n < QKK; n += 64, ql += 32) {
            for (int j = 0; j < 32; ++j) {
                int l1 = L[n + j], l2 = L[n + j + 32];
                if (l1 > 15) { l1 -= 16; qh[j] |= m1; }
                if (l2 > 15) { l2 -= 16; qh[j] |= m2; }
                ql[j] = (uint8_t)(l1 | (l2 << 4));
            }
            m1 <<= 2;
            m2 <<= 2;
        }
    }
}

void lk_quant_q6_K_ref(const float *x, void *vy, int64_t k) {
    block_q6_K *y = vy;
    int8_t L[QKK];
    float scales[QKK / 16];
    for (int64_t i = 0; i < k / QKK; i++, x += QKK) {
        float max_scale = 0, max_abs_scale = 0;
        const int simd = lk_k_search_simd();
        if (simd) {
            lk_qx16_search_avx2(x, 32, L, scales);
            lk_qx16_search_avx2(x + 128, 32, L + 128, scales + 8);
        }
        for (int ib = 0; ib < QKK / 16; ++ib) {
            const float scale = simd ? scales[ib] : lk_make_qx_quants(16, 32, x + 16 * ib, L + 16 * ib);
            scales[ib] = scale;
            if (fabsf(scale) > max_abs_scale) { max_abs_scale = fabsf(scale); max_scale = scale; }
        }
        if (max_abs_scale < GROUP_MAX_EPS) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        const float iscale = -128.f / max_scale;
        y[i].d = lk_fp32_to_fp16(1 / iscale);
        for (int ib = 0; ib < QKK / 16; ++ib) y[i].scales[ib] = (int8_t)LK_MIN(127, nearest_int(iscale * scales[ib]));
        for (int j = 0; j < QKK / 16; ++j) {
            const float d = fp16(y[i].d) * y[i].scales[j];
            if (!d) continue;
            for (int ii = 0; ii < 16; ++ii) {
                const int l = nearest_int(x[16 * j + ii] / d);
                L[16 * j + ii] = (int8_t)(LK_MAX(-32, LK_MIN(31, l)) + 32);
            }
        }
        uint8_t *ql = y[i].ql, *qh = y[i].qh;
        for (int j = 0; j < QKK; j += 128, ql += 64, qh += 32) {
            for (int l = 0; l < 32; ++l) {
                const uint8_t q1 = L[j + l] & 0xF, q2 = L[j + l + 32] & 0xF;
                const uint8_t q3 = L[j + l + 64] & 0xF, q4 = L[j + l + 96] & 0xF;
                ql[l] = q1 | (uint8_t)(q3 << 4);
                ql[l + 32] = q2 | (uint8_t)(q4 << 4);
                qh[l] = (uint8_t)((L[j + l] >> 4) | ((L[j + l + 32] >> 4) << 2) | ((L[j + l + 64] >> 4) << 4) |
                                  ((L[j + l + 96] >> 4) << 6));
            }
        }
    }
}
