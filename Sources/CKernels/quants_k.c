// K-quants: super-blocks of 256 with 6/8-bit sub-block scales (ggml-common.h); scalar dequantize and the
// reference dot against q8_K. Each type is decoded to integer quants plus per-sub-block integer scales,
// so the dot is d8 * (d * sum_j sc_j * sum(q * a) - dmin * sum_j m_j * bsum_j) as in ggml.
//   q2_K: scales[16] (4-bit sc | 4-bit m << 4), qs[64], fp16 d, dmin   x = d*sc*q - dmin*m, q in 0..3    2.625 bpw
//   q3_K: hmask[32], qs[64], scales[12] (16 x 6-bit, -32), fp16 d     x = d*sc*(q - 4*!hbit), q in 0..3  3.4375 bpw
//   q4_K: fp16 d, dmin, scales[12] (8 x 6-bit sc, m), qs[128]          x = d*sc*q - dmin*m, q in 0..15    4.5 bpw
//   q5_K: as q4_K plus qh[32] (bit 4)                                  q in 0..31                         5.5 bpw
//   q6_K: ql[128], qh[64], int8 scales[16], fp16 d                     x = d*sc*(q - 32), q in 0..63      6.5625 bpw
#include "quants_internal.h"
#pragma clang fp contract(off)  // bit-exact with ggml/gguf-py: no fused multiply-adds

void lk_q3k_scales(const uint8_t *packed, int8_t *out) {
    uint32_t aux[4];
    memcpy(aux, packed, 12);
    const uint32_t m1 = 0x03030303, m2 = 0x0f0f0f0f, tmp = aux[2];
    aux[2] = ((aux[0] >> 4) & m2) | (((tmp >> 4) & m1) << 4);
    aux[3] = ((aux[1] >> 4) & m2) | (((tmp >> 6) & m1) << 4);
    aux[0] = (aux[0] & m2) | (((tmp >> 0) & m1) << 4);
    aux[1] = (aux[1] & m2) | (((tmp >> 2) & m1) << 4);
    const int8_t *s = (const int8_t *)aux;
    for (int j = 0; j < 16; j++) out[j] = (int8_t)(s[j] - 32);
}

// ---- decoders: q[256] integer quants (offsets applied), sc[] / m[] integer sub-block scales ----
static void decode_q2_K(const block_q2_K *b, int8_t q[QKK], int sc[16], int m[16]) {
    for (int e = 0; e < QKK; e++) q[e] = (b->qs[(e / 128) * 32 + e % 32] >> (2 * ((e % 128) / 32))) & 3;
    for (int j = 0; j < 16; j++) { sc[j] = b->scales[j] & 0xF; m[j] = b->scales[j] >> 4; }
}

static void decode_q3_K(const block_q3_K *b, int8_t q[QKK], int sc[16]) {
    for (int e = 0; e < QKK; e++) {
        const int half = e / 128, shift = (e % 128) / 32, l = e % 32;
        const int lo = (b->qs[half * 32 + l] >> (2 * shift)) & 3;
        const int hbit = (b->hmask[l] >> (half * 4 + shift)) & 1;
        q[e] = (int8_t)(lo - (hbit ? 0 : 4));
    }
    int8_t s[16];
    lk_q3k_scales(b->scales, s);
    for (int j = 0; j < 16; j++) sc[j] = s[j];
}

static void decode_q45_K(const uint8_t *scales, const uint8_t *qs, const uint8_t *qh, int8_t q[QKK], int sc[8],
                         int m[8]) {
    for (int e = 0; e < QKK; e++) {
        const int g = e / 64, l = e % 32, high = (e % 64) / 32;
        int v = high ? qs[g * 32 + l] >> 4 : qs[g * 32 + l] & 0xF;
        if (qh) v |= ((qh[l] >> (2 * g + high)) & 1) << 4;
        q[e] = (int8_t)v;
    }
    for (int j = 0; j < 8; j++) {
        uint8_t s, mm;
        lk_scale_min_k4(j, scales, &s, &mm);
        sc[j] = s;
        m[j] = mm;
    }
}

static void decode_q6_K(const block_q6_K *b, int8_t q[QKK], int sc[16]) {
    for (int e = 0; e < QKK; e++) {
        const int n = e / 128, l = e % 32, quarter = (e % 128) / 32;  // quarter: ql lo/hi nibble, qh bit pair
        const uint8_t ql = b->ql[n * 64 + l + (quarter & 1) * 32];
        const int lo = (quarter & 2) ? ql >> 4 : ql & 0xF;
        const int hi = (b->qh[n * 32 + l] >> (2 * quarter)) & 3;
        q[e] = (int8_t)((lo | (hi << 4)) - 32);
    }
    for (int j = 0; j < 16; j++) sc[j] = b->scales[j];
}

// ---- dequantize ----
void lk_dequant_q2_K(const void *vx, float *y, int64_t k) {
    const block_q2_K *x = vx;
    int8_t q[QKK];
    int sc[16], m[16];
    for (int64_t i = 0; i < k / QKK; i++, y += QKK) {
        const float d = fp16(x[i].d), dmin = fp16(x[i].dmin);
        decode_q2_K(&x[i], q, sc, m);
        for (int e = 0; e < QKK; e++) y[e] = (d * sc[e / 16]) * q[e] - dmin * m[e / 16];
    }
}

void lk_dequant_q3_K(const void *vx, float *y, int64_t k) {
    const block_q3_K *x = vx;
    int8_t q[QKK];
    int sc[16];
    for (int64_t i = 0; i < k / QKK; i++, y += QKK) {
        const float d = fp16(x[i].d);
        decode_q3_K(&x[i], q, sc);
        for (int e = 0; e < QKK; e++) y[e] = (d * sc[e / 16]) * q[e];
    }
}

void lk_dequant_q4_K(const void *vx, float *y, int64_t k) {
    const block_q4_K *x = vx;
    int8_t q[QKK];
    int sc[8], m[8];
    for (int64_t i = 0; i < k / QKK; i++, y += QKK) {
        const float d = fp16(x[i].d), dmin = fp16(x[i].dmin);
        decode_q45_K(x[i].scales, x[i].qs, NULL, q, sc, m);
        for (int e = 0; e < QKK; e++) y[e] = (d * sc[e / 32]) * q[e] - dmin * m[e / 32];
    }
}

void lk_dequant_q5_K(const void *vx, float *y, int64_t k) {
    const block_q5_K *x = vx;
    int8_t q[QKK];
    int sc[8], m[8];
    for (int64_t i = 0; i < k / QKK; i++, y += QKK) {
        const float d = fp16(x[i].d), dmin = fp16(x[i].dmin);
        decode_q45_K(x[i].scales, x[i].qs, x[i].qh, q, sc, m);
        for (int e = 0; e < QKK; e++) y[e] = (d * sc[e / 32]) * q[e] - dmin * m[e / 32];
    }
}

void lk_dequant_q6_K(const void *vx, float *y, int64_t k) {
    const block_q6_K *x = vx;
    int8_t q[QKK];
    int sc[16];
    for (int64_t i = 0; i < k / QKK; i++, y += QKK) {
        const float d = fp16(x[i].d);
        decode_q6_K(&x[i], q, sc);
        for (int e = 0; e < QKK; e++) y[e] = (d * sc[e / 16]) * q[e];
    }
}

// ---- reference dots against q8_K ----
/// sum_j sc[j] * sum(q * a) over sub-blocks of `len` elements.
static int scaled_isum(const int8_t q[QKK], const int8_t a[QKK], const int *sc, int len) {
    int total = 0;
    for (int j = 0; j < QKK / len; j++) {
        int s = 0;
        for (int l = 0; l < len; l++) s += q[j * len + l] * a[j * len + l];
        total += sc[j] * s;
    }
    return total;
}

float lk_dot_q2_K_ref(int64_t n, const void *vw, const void *va) {
    const block_q2_K *w = vw;
    const block_q8_K *a = va;
    int8_t q[QKK];
    int sc[16], m[16];
    float s = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        decode_q2_K(&w[i], q, sc, m);
        int summ = 0;
        for (int j = 0; j < 16; j++) summ += m[j] * a[i].bsums[j];
        const int sumi = scaled_isum(q, a[i].qs, sc, 16);
        s += a[i].d * (fp16(w[i].d) * (float)sumi - fp16(w[i].dmin) * (float)summ);
    }
    return s;
}

float lk_dot_q3_K_ref(int64_t n, const void *vw, const void *va) {
    const block_q3_K *w = vw;
    const block_q8_K *a = va;
    int8_t q[QKK];
    int sc[16];
    float s = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        decode_q3_K(&w[i], q, sc);
        s += a[i].d * fp16(w[i].d) * (float)scaled_isum(q, a[i].qs, sc, 16);
    }
    return s;
}

static float dot_q45_K(const block_q8_K *a, const int8_t q[QKK], const int sc[8], const int m[8], float d,
                       float dmin) {
    int summ = 0;
    for (int j = 0; j < 8; j++) summ += m[j] * (a->bsums[2 * j] + a->bsums[2 * j + 1]);
    return a->d * (d * (float)scaled_isum(q, a->qs, sc, 32) - dmin * (float)summ);
}

float lk_dot_q4_K_ref(int64_t n, const void *vw, const void *va) {
    const block_q4_K *w = vw;
    const block_q8_K *a = va;
    int8_t q[QKK];
    int sc[8], m[8];
    float s = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        decode_q45_K(w[i].scales, w[i].qs, NULL, q, sc, m);
        s += dot_q45_K(&a[i], q, sc, m, fp16(w[i].d), fp16(w[i].dmin));
    }
    return s;
}

float lk_dot_q5_K_ref(int64_t n, const void *vw, const void *va) {
    const block_q5_K *w = vw;
    const block_q8_K *a = va;
    int8_t q[QKK];
    int sc[8], m[8];
    float s = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        decode_q45_K(w[i].scales, w[i].qs, w[i].qh, q, sc, m);
        s += dot_q45_K(&a[i], q, sc, m, fp16(w[i].d), fp16(w[i].dmin));
    }
    return s;
}

float lk_dot_q6_K_ref(int64_t n, const void *vw, const void *va) {
    const block_q6_K *w = vw;
    const block_q8_K *a = va;
    int8_t q[QKK];
    int sc[16];
    float s = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        decode_q6_K(&w[i], q, sc);
        s += a[i].d * fp16(w[i].d) * (float)scaled_isum(q, a[i].qs, sc, 16);
    }
    return s;
}
