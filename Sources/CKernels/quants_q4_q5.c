// Legacy 4/5-bit blocks of 32 (ggml-common.h), scalar reference: quantize (bit-exact with ggml's
// quantize_row_*_ref), dequantize, and the dot against the activation type. Element j of a block is the
// low nibble of qs[j] for j < 16 and the high nibble of qs[j-16] otherwise; q5 adds bit j of qh as bit 4.
//   q4_0: fp16 d, qs[16]          x = d * (q - 8)         4.5 bpw   (dot with q8_0)
//   q4_1: fp16 d, m, qs[16]       x = d * q + m           5.0 bpw   (dot with q8_1)
//   q5_0: fp16 d, qh[4], qs[16]   x = d * (q - 16)        5.5 bpw   (dot with q8_0)
//   q5_1: fp16 d, m, qh[4], qs    x = d * q + m           6.0 bpw   (dot with q8_1)
#include "quants_internal.h"
#include <float.h>
#pragma clang fp contract(off)  // the reference must not fuse x * id + 8.5f into an fma (ggml does not)

/// Signed max-magnitude value of a block (the first one on ties, as ggml).
static float signed_absmax(const float *x, int n) {
    float amax = 0, max = 0;
    for (int j = 0; j < n; j++)
        if (amax < fabsf(x[j])) { amax = fabsf(x[j]); max = x[j]; }
    return max;
}

/// float -> int the way x86's cvttss2si converts (NaN and out-of-range give INT32_MIN). C leaves the
/// conversion of inf/NaN undefined, and clang's vectorised code then differs from ggml's scalar x86 build and
/// from numpy (gguf-py) on blocks whose scale under- or overflows (f32 subnormals, values near FLT_MAX).
static inline int32_t trunc_i32(float v) {
    return (v != v || v >= 2147483648.0f || v < -2147483648.0f) ? INT32_MIN : (int32_t)v;
}

static void min_max(const float *x, int n, float *mn, float *mx) {
    float lo = FLT_MAX, hi = -FLT_MAX;
    for (int j = 0; j < n; j++) {
        if (x[j] < lo) lo = x[j];
        if (x[j] > hi) hi = x[j];
    }
    *mn = lo;
    *mx = hi;
}

void lk_quant_q4_0_ref(const float *x, void *vy, int64_t k) {
    block_q4_0 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float d = signed_absmax(x, QK) / -8;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        for (int j = 0; j < QK / 2; j++) {
            const uint8_t q0 = LK_MIN(15, (int8_t)trunc_i32(x[j] * id + 8.5f));
            const uint8_t q1 = LK_MIN(15, (int8_t)trunc_i32(x[j + QK / 2] * id + 8.5f));
            y[i].qs[j] = q0 | (uint8_t)(q1 << 4);
        }
    }
}

void lk_quant_q4_1_ref(const float *x, void *vy, int64_t k) {
    block_q4_1 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        float mn, mx;
        min_max(x, QK, &mn, &mx);
        const float d = (mx - mn) / 15;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        y[i].m = lk_fp32_to_fp16(mn);
        for (int j = 0; j < QK / 2; j++) {
            const uint8_t q0 = LK_MIN(15, (int8_t)trunc_i32((x[j] - mn) * id + 0.5f));
            const uint8_t q1 = LK_MIN(15, (int8_t)trunc_i32((x[j + QK / 2] - mn) * id + 0.5f));
            y[i].qs[j] = q0 | (uint8_t)(q1 << 4);
        }
    }
}

void lk_quant_q5_0_ref(const float *x, void *vy, int64_t k) {
    block_q5_0 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float d = signed_absmax(x, QK) / -16;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        uint32_t qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            const uint8_t q0 = LK_MIN(31, (int8_t)trunc_i32(x[j] * id + 16.5f));
            const uint8_t q1 = LK_MIN(31, (int8_t)trunc_i32(x[j + QK / 2] * id + 16.5f));
            y[i].qs[j] = (q0 & 0x0F) | (uint8_t)((q1 & 0x0F) << 4);
            qh |= ((q0 & 0x10u) >> 4) << j;
            qh |= ((q1 & 0x10u) >> 4) << (j + QK / 2);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}

void lk_quant_q5_1_ref(const float *x, void *vy, int64_t k) {
    block_q5_1 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        float mn, mx;
        min_max(x, QK, &mn, &mx);
        const float d = (mx - mn) / 31;
        const float id = d ? 1.0f / d : 0.0f;
        y[i].d = lk_fp32_to_fp16(d);
        y[i].m = lk_fp32_to_fp16(mn);
        uint32_t qh = 0;
        for (int j = 0; j < QK / 2; j++) {
            const uint8_t q0 = (uint8_t)trunc_i32((x[j] - mn) * id + 0.5f);
            const uint8_t q1 = (uint8_t)trunc_i32((x[j + QK / 2] - mn) * id + 0.5f);
            y[i].qs[j] = (q0 & 0x0F) | (uint8_t)((q1 & 0x0F) << 4);
            qh |= ((q0 & 0x10u) >> 4) << j;
            qh |= ((q1 & 0x10u) >> 4) << (j + QK / 2);
        }
        memcpy(y[i].qh, &qh, 4);
    }
}

/// The 32 unsigned quants of a 4/5-bit block (0..15 or 0..31).
static inline void unpack(const uint8_t *qs, const uint8_t *qhp, int q[QK]) {
    uint32_t qh = 0;
    if (qhp) memcpy(&qh, qhp, 4);
    for (int j = 0; j < QK / 2; j++) {
        q[j] = (qs[j] & 0x0F) | (int)(((qh >> j) & 1) << 4);
        q[j + QK / 2] = (qs[j] >> 4) | (int)(((qh >> (j + QK / 2)) & 1) << 4);
    }
}

void lk_dequant_q4_0(const void *vx, float *y, int64_t k) {
    const block_q4_0 *x = vx;
    int q[QK];
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d);
        unpack(x[i].qs, NULL, q);
        for (int j = 0; j < QK; j++) y[j] = (q[j] - 8) * d;
    }
}

void lk_dequant_q4_1(const void *vx, float *y, int64_t k) {
    const block_q4_1 *x = vx;
    int q[QK];
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d), m = fp16(x[i].m);
        unpack(x[i].qs, NULL, q);
        for (int j = 0; j < QK; j++) y[j] = q[j] * d + m;
    }
}

void lk_dequant_q5_0(const void *vx, float *y, int64_t k) {
    const block_q5_0 *x = vx;
    int q[QK];
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d);
        unpack(x[i].qs, x[i].qh, q);
        for (int j = 0; j < QK; j++) y[j] = (q[j] - 16) * d;
    }
}

void lk_dequant_q5_1(const void *vx, float *y, int64_t k) {
    const block_q5_1 *x = vx;
    int q[QK];
    for (int64_t i = 0; i < k / QK; i++, y += QK) {
        const float d = fp16(x[i].d), m = fp16(x[i].m);
        unpack(x[i].qs, x[i].qh, q);
        for (int j = 0; j < QK; j++) y[j] = q[j] * d + m;
    }
}

// dot = sum_blocks d_w * d_a * sum(q_w * q_a) (+ m_w * s_a for the _1 types, s_a = d_a * sum(q_a)).
static inline int isum(const int q[QK], int offset, const int8_t *a) {
    int s = 0;
    for (int j = 0; j < QK; j++) s += (q[j] - offset) * a[j];
    return s;
}

float lk_dot_q4_0_ref(int64_t n, const void *vw, const void *va) {
    const block_q4_0 *w = vw;
    const block_q8_0 *a = va;
    int q[QK];
    float s = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        unpack(w[i].qs, NULL, q);
        s += (float)isum(q, 8, a[i].qs) * (fp16(w[i].d) * fp16(a[i].d));
    }
    return s;
}

float lk_dot_q4_1_ref(int64_t n, const void *vw, const void *va) {
    const block_q4_1 *w = vw;
    const block_q8_1 *a = va;
    int q[QK];
    float s = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        unpack(w[i].qs, NULL, q);
        s += (float)isum(q, 0, a[i].qs) * (fp16(w[i].d) * fp16(a[i].d)) + fp16(w[i].m) * fp16(a[i].s);
    }
    return s;
}

float lk_dot_q5_0_ref(int64_t n, const void *vw, const void *va) {
    const block_q5_0 *w = vw;
    const block_q8_0 *a = va;
    int q[QK];
    float s = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        unpack(w[i].qs, w[i].qh, q);
        s += (float)isum(q, 16, a[i].qs) * (fp16(w[i].d) * fp16(a[i].d));
    }
    return s;
}

float lk_dot_q5_1_ref(int64_t n, const void *vw, const void *va) {
    const block_q5_1 *w = vw;
    const block_q8_1 *a = va;
    int q[QK];
    float s = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        unpack(w[i].qs, w[i].qh, q);
        s += (float)isum(q, 0, a[i].qs) * (fp16(w[i].d) * fp16(a[i].d)) + fp16(w[i].m) * fp16(a[i].s);
    }
    return s;
}
