// SIMD body for the K-quant dots (q4_K, q5_K, q6_K against q8_K), the activation quantizers (q8_0, q8_1,
// q8_K; bit-exact with the references) and f16 dots. Included after quants_simd_legacy.h.
// K dots: per 32 quants maddubs(q, a) -> int16 pairs, madd with the sub-block scale -> int32, summed per
// super-block, then one fma with d * d8; the mins (q4_K/q5_K) and the -32 offset (q6_K) come from bsums.

static inline __m256i scale_pair16(int lo, int hi) {  // int16 lanes 0-7 = lo, 8-15 = hi
    return _mm256_set_m128i(_mm_set1_epi16((short)hi), _mm_set1_epi16((short)lo));
}

static float q45_K_dot(int64_t n, const void *vw, const void *va, int five) {
    const block_q8_K *a = va;
    const size_t wsize = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
    const __m256i m4 = _mm256_set1_epi8(0x0F), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float macc = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        const uint8_t *blk = (const uint8_t *)vw + i * wsize;
        lk_prefetch_block((const char *)blk + 2 * (n / QKK) * wsize, wsize);  // two rows ahead
        const block_q4_K *w4 = (const block_q4_K *)blk;  // d, dmin, scales: same offsets in q4_K and q5_K
        const uint8_t *qs = five ? ((const block_q5_K *)blk)->qs : w4->qs;
        uint8_t sc[8], m[8];
        for (int j = 0; j < 8; j++) lk_scale_min_k4(j, w4->scales, &sc[j], &m[j]);
        int summ = 0;
        for (int j = 0; j < 8; j++) summ += m[j] * (a[i].bsums[2 * j] + a[i].bsums[2 * j + 1]);
        const __m256i hbits = five ? _mm256_loadu_si256((const __m256i *)((const block_q5_K *)blk)->qh)
                                   : _mm256_setzero_si256();
        __m256i sumi = _mm256_setzero_si256();
        for (int g = 0; g < 4; g++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)(qs + 32 * g));
            __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            if (five) {
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * g), one), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 2 * g + 1), one), 4));
            }
            const __m256i alo = _mm256_loadu_si256((const __m256i *)(a[i].qs + 64 * g));
            const __m256i ahi = _mm256_loadu_si256((const __m256i *)(a[i].qs + 64 * g + 32));
            const __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo, alo), _mm256_set1_epi16(sc[2 * g]));
            const __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi, ahi), _mm256_set1_epi16(sc[2 * g + 1]));
            sumi = _mm256_add_epi32(sumi, _mm256_add_epi32(plo, phi));
        }
        const float d = a[i].d * fp16(w4->d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        macc += a[i].d * fp16(w4->dmin) * (float)summ;
    }
    return hsum_ps(acc) - macc;
}

static float q4_K_dot(int64_t n, const void *w, const void *a) { return q45_K_dot(n, w, a, 0); }
static float q5_K_dot(int64_t n, const void *w, const void *a) { return q45_K_dot(n, w, a, 1); }

static float q6_K_dot(int64_t n, const void *vw, const void *va) {
    const block_q6_K *w = vw;
    const block_q8_K *a = va;
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QKK; i++) {
        lk_prefetch_block((const char *)(w + i + 2 * (n / QKK)), sizeof(block_q6_K));  // two rows ahead
        const int8_t *sc = w[i].scales;
        int offset = 0;  // sum(q * a) counts q in 0..63; the true quants are q - 32
        for (int j = 0; j < 16; j++) offset += sc[j] * a[i].bsums[j];
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = w[i].ql + 64 * half;
            const __m256i qh = _mm256_loadu_si256((const __m256i *)(w[i].qh + 32 * half));
            const __m256i l0 = _mm256_loadu_si256((const __m256i *)ql);
            const __m256i l1 = _mm256_loadu_si256((const __m256i *)(ql + 32));
            const __m256i lows[4] = {_mm256_and_si256(l0, m4), _mm256_and_si256(l1, m4),
                                     _mm256_and_si256(_mm256_srli_epi16(l0, 4), m4),
                                     _mm256_and_si256(_mm256_srli_epi16(l1, 4), m4)};
            for (int k = 0; k < 4; k++) {
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), m3);
                const __m256i q = _mm256_or_si256(lows[k], _mm256_slli_epi16(hi, 4));
                const __m256i aq = _mm256_loadu_si256((const __m256i *)(a[i].qs + 128 * half + 32 * k));
                const int j = 8 * half + 2 * k;
                const __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(q, aq), scale_pair16(sc[j], sc[j + 1]));
                sumi = _mm256_add_epi32(sumi, p);
            }
        }
        const float d = a[i].d * fp16(w[i].d);
        sumi = _mm256_sub_epi32(sumi, _mm256_setr_epi32(32 * offset, 0, 0, 0, 0, 0, 0, 0));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum_ps(acc);
}

/// q2_K and q3_K: 2-bit quants in four shifts of each 32-byte half; q3_K adds hmask bit (4 * half + shift)
/// as bit 2 and its true quants are that minus 4. Sub-block scales per 16 quants.
static float q23_K_dot(int64_t n, const void *vw, const void *va, int three) {
    const block_q8_K *a = va;
    const __m256i m3 = _mm256_set1_epi8(3), one = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    float macc = 0;
    for (int64_t i = 0; i < n / QKK; i++) {
        const block_q2_K *w2 = (const block_q2_K *)vw + i;
        const block_q3_K *w3 = (const block_q3_K *)vw + i;
        int8_t sc[16];
        int summ = 0;  // q2_K: sum_j m_j * bsum_j; q3_K: sum_j sc_j * bsum_j (the -4 offset)
        if (three) {
            lk_q3k_scales(w3->scales, sc);
            for (int j = 0; j < 16; j++) summ += sc[j] * a[i].bsums[j];
        } else {
            for (int j = 0; j < 16; j++) { sc[j] = (int8_t)(w2->scales[j] & 0xF); summ += (w2->scales[j] >> 4) * a[i].bsums[j]; }
        }
        const __m256i hm = three ? _mm256_loadu_si256((const __m256i *)w3->hmask) : _mm256_setzero_si256();
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const __m256i q = _mm256_loadu_si256((const __m256i *)((three ? w3->qs : w2->qs) + 32 * half));
            for (int shift = 0; shift < 4; shift++) {
                __m256i u = _mm256_and_si256(_mm256_srli_epi16(q, 2 * shift), m3);
                if (three)
                    u = _mm256_or_si256(u, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hm, 4 * half + shift), one), 2));
                const __m256i aq = _mm256_loadu_si256((const __m256i *)(a[i].qs + 128 * half + 32 * shift));
                const int j = 8 * half + 2 * shift;
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(_mm256_maddubs_epi16(u, aq), scale_pair16(sc[j], sc[j + 1])));
            }
        }
        const float d = a[i].d * fp16(three ? w3->d : w2->d);
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
        macc += three ? d * (float)(4 * summ) : a[i].d * fp16(w2->dmin) * (float)summ;
    }
    return hsum_ps(acc) - macc;
}

static float q2_K_dot(int64_t n, const void *w, const void *a) { return q23_K_dot(n, w, a, 0); }
static float q3_K_dot(int64_t n, const void *w, const void *a) { return q23_K_dot(n, w, a, 1); }

// ---- activation quantizers ----
static inline float absmax32(const float *x) {
    const __m256 nz = _mm256_set1_ps(-0.0f);
    __m256 m = _mm256_andnot_ps(nz, _mm256_loadu_ps(x));
    for (int j = 8; j < 32; j += 8) m = _mm256_max_ps(m, _mm256_andnot_ps(nz, _mm256_loadu_ps(x + j)));
    __m128 s = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    s = _mm_max_ps(s, _mm_movehl_ps(s, s));
    s = _mm_max_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Quantizes 32 floats as round-half-even(x * id) into int8 qs (llama.cpp's x86 path); returns the sum.
static inline int q8_block(const float *x, float id, int8_t *qs) {
    const __m256 vid = _mm256_set1_ps(id);
    __m256i i0 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x), vid));
    __m256i i1 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8), vid));
    __m256i i2 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 16), vid));
    __m256i i3 = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 24), vid));
    const int sum = hsum_epi32(_mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3)));
    i0 = _mm256_packs_epi32(i0, i1);  // lanes interleave per 128 bits; the permute below restores order
    i2 = _mm256_packs_epi32(i2, i3);
    i0 = _mm256_packs_epi16(i0, i2);
    i0 = _mm256_permutevar8x32_epi32(i0, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256((__m256i *)qs, i0);
    return sum;
}

static void quant_q8_0(const float *x, void *vy, int64_t k) {
    block_q8_0 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float amax = absmax32(x), d = amax / 127.f;
        y[i].d = lk_fp32_to_fp16(d);
        q8_block(x, amax != 0.0f ? 127.f / amax : 0.0f, y[i].qs);
    }
}

static void quant_q8_1(const float *x, void *vy, int64_t k) {
    block_q8_1 *y = vy;
    for (int64_t i = 0; i < k / QK; i++, x += QK) {
        const float amax = absmax32(x), d = amax / 127.f;
        y[i].d = lk_fp32_to_fp16(d);
        const int sum = q8_block(x, amax != 0.0f ? 127.f / amax : 0.0f, y[i].qs);
        y[i].s = lk_fp32_to_fp16(d * (float)sum);
    }
}

static void quant_q8_K(const float *x, void *vy, int64_t k) {
    block_q8_K *y = vy;
    for (int64_t i = 0; i < k / QKK; i++, x += QKK) {
        float amax = 0;
        for (int j = 0; j < QKK; j += 32) amax = LK_MAX(amax, absmax32(x + j));
        if (!amax) {
            memset(&y[i], 0, sizeof y[i]);
            continue;
        }
        int first = 0;  // the first element of largest magnitude decides the sign, as in the reference
        while (first < QKK - 1 && fabsf(x[first]) != amax) first++;
        const float iscale = -127.f / x[first];
        const __m256 vs = _mm256_set1_ps(iscale);
        for (int j = 0; j < QKK; j += 32) {
            __m256i v[4];
            for (int u = 0; u < 4; u++)
                v[u] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8 * u), vs)),
                                        _mm256_set1_epi32(127));
            y[i].bsums[j / 16] = (int16_t)hsum_epi32(_mm256_add_epi32(v[0], v[1]));
            y[i].bsums[j / 16 + 1] = (int16_t)hsum_epi32(_mm256_add_epi32(v[2], v[3]));
            __m256i p = _mm256_packs_epi16(_mm256_packs_epi32(v[0], v[1]), _mm256_packs_epi32(v[2], v[3]));
            p = _mm256_permutevar8x32_epi32(p, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256((__m256i *)(y[i].qs + j), p);
        }
        y[i].d = 1 / iscale;
    }
}

// ---- float dots ----
static float f16_dot(int64_t n, const void *vw, const void *va) {
    const uint16_t *x = vw, *y = va;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))),
                               _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i))), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8))),
                               _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(y + i + 8))), acc1);
    }
    float s = hsum_ps(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += fp16(x[i]) * fp16(y[i]);
    return s;
}

static float f32_dot(int64_t n, const void *vw, const void *va) {
    const float *x = vw, *y = va;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), acc0);
        acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), acc1);
    }
    float s = hsum_ps(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += x[i] * y[i];
    return s;
}

static inline __m256 bf16x8(const uint16_t *p) {
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)p)), 16));
}

static float bf16_dot(int64_t n, const void *vw, const void *va) {
    const uint16_t *x = vw, *y = va;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        acc0 = _mm256_fmadd_ps(bf16x8(x + i), bf16x8(y + i), acc0);
        acc1 = _mm256_fmadd_ps(bf16x8(x + i + 8), bf16x8(y + i + 8), acc1);
    }
    float s = hsum_ps(_mm256_add_ps(acc0, acc1));
    for (; i < n; i++) s += lk_bf16_to_fp32(x[i]) * lk_bf16_to_fp32(y[i]);
    return s;
}

static void register_k_and_activations(void) {
    lk_traits[T_BF16].dot = bf16_dot;
    lk_traits[T_Q2_K].dot = q2_K_dot;
    lk_traits[T_Q3_K].dot = q3_K_dot;
    lk_traits[T_Q4_K].dot = q4_K_dot;
    lk_traits[T_Q5_K].dot = q5_K_dot;
    lk_traits[T_Q6_K].dot = q6_K_dot;
    lk_traits[T_Q8_0].quant = quant_q8_0;
    lk_traits[T_Q8_1].quant = quant_q8_1;
    lk_traits[T_Q8_K].quant = quant_q8_K;
    lk_traits[T_F16].dot = f16_dot;
    lk_traits[T_F32].dot = f32_dot;
}
