// SIMD body for the 32-element block formats (q4_0, q4_1, q5_0, q5_1, q8_0 against q8_0/q8_1), included by
// quants_avx2.c and quants_avx512.c under their target attributes. The including file defines:
//   DOT_U8S8(u, s)  sum of 4 adjacent u8*s8 products into 8 x int32 (maddubs+madd, or vpdpbusd)
//   GEMM_R, GEMM_T  rows x tokens per register tile of the GEMM (NAME##_gemm)
//   GEMV_R          rows per tile of NAME##_tile for one token (matrix-vector products, GEMM leftovers, the dot)
// Each weight block is decoded to 32 bytes once per tile and dotted with the tile's activation blocks:
// signed weights (q4_0, q5_0, q8_0) via |w| * sign(a, w); unsigned ones (q4_1, q5_1) directly, plus m * s.
#if defined(LK_SIMDE)  // test-only build that emulates the AVX-512 body on a machine without it (SIMDe)
#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#else
#include <immintrin.h>
#endif

/// Software prefetch of one weight block (its cache lines) that will be read soon: this VM's hardware
/// prefetcher does not keep up with a matrix-vector product's row streams (measured: 33 -> 54 tok/s).
static inline void lk_prefetch_block(const char *p, size_t bytes) {
    for (size_t o = 0; o < bytes; o += 64) _mm_prefetch(p + o, _MM_HINT_T0);
}

static inline float hsum_ps(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static inline int hsum_epi32(__m256i v) {
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
    return _mm_cvtsi128_si32(s);
}

/// 16 bytes of nibbles -> 32 bytes: element j < 16 is the low nibble of q[j], element j + 16 the high one.
static inline __m256i nibbles32(const uint8_t *q) {
    const __m128i t = _mm_loadu_si128((const __m128i *)q);
    const __m256i b = _mm256_set_m128i(_mm_srli_epi16(t, 4), t);
    return _mm256_and_si256(b, _mm256_set1_epi8(0x0F));
}

/// 32 bits -> 32 bytes, 0xFF where bit j is set.
static inline __m256i bits32(const uint8_t *x) {
    uint32_t v;
    memcpy(&v, x, 4);
    const __m256i shuf = _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0);
    __m256i bytes = _mm256_shuffle_epi8(_mm256_set1_epi32((int)v), shuf);
    bytes = _mm256_or_si256(bytes, _mm256_set1_epi64x(0x7fbfdfeff7fbfdfe));
    return _mm256_cmpeq_epi8(bytes, _mm256_set1_epi64x(-1));
}

// Weight decoders: 32 quants as bytes (signed types: q - offset as int8).
static inline __m256i dec_q4_0(const void *p) {
    return _mm256_sub_epi8(nibbles32(((const block_q4_0 *)p)->qs), _mm256_set1_epi8(8));
}
static inline __m256i dec_q4_1(const void *p) { return nibbles32(((const block_q4_1 *)p)->qs); }
static inline __m256i dec_q5_0(const void *p) {  // without bit 4, the nibble minus 16 is nibble | 0xF0
    const block_q5_0 *b = p;
    return _mm256_or_si256(nibbles32(b->qs), _mm256_andnot_si256(bits32(b->qh), _mm256_set1_epi8((char)0xF0)));
}
static inline __m256i dec_q5_1(const void *p) {
    const block_q5_1 *b = p;
    return _mm256_or_si256(nibbles32(b->qs), _mm256_and_si256(bits32(b->qh), _mm256_set1_epi8(0x10)));
}
static inline __m256i dec_q8_0(const void *p) { return _mm256_loadu_si256((const __m256i *)((const block_q8_0 *)p)->qs); }

/// One register tile: R rows x T tokens over nb blocks. R, T are constants after inlining.
#define LEGACY_TILE(NAME, WBLOCK, ABLOCK, DECODE, SIGNED, HAS_MIN)                                                  \
    static inline __attribute__((always_inline)) void NAME##_tile(                                                  \
        const int R, const int T, int64_t nb, const uint8_t *w, size_t ws, const uint8_t *a, size_t as, float *out, \
        int64_t os) {                                                                                               \
        __m256 acc[GEMV_R][1];                                                                                      \
        float macc[GEMV_R][1];                                                                                      \
        for (int r = 0; r < R; r++)                                                                                 \
            for (int t = 0; t < T; t++) { acc[r][t] = _mm256_setzero_ps(); macc[r][t] = 0; }                        \
        for (int64_t b = 0; b < nb; b++) {                                                                          \
            __m256i wq[GEMV_R], wu[GEMV_R];                                                                         \
            float wd[GEMV_R], wm[GEMV_R];                                                                           \
            for (int r = 0; r < R; r++) {                                                                           \
                const WBLOCK *blk = (const WBLOCK *)(w + r * ws) + b;                                               \
                _mm_prefetch((const char *)blk + 2 * R * ws, _MM_HINT_T0); /* the tile after next */             \
                wq[r] = DECODE(blk);                                                                                \
                wu[r] = SIGNED ? _mm256_sign_epi8(wq[r], wq[r]) : wq[r];                                            \
                wd[r] = fp16(blk->d);                                                                               \
                wm[r] = HAS_MIN ? fp16(((const uint16_t *)blk)[1]) : 0.0f;                                          \
            }                                                                                                       \
            for (int t = 0; t < T; t++) {                                                                           \
                const ABLOCK *ab = (const ABLOCK *)(a + t * as) + b;                                                \
                const __m256i aq = _mm256_loadu_si256((const __m256i *)ab->qs);                                     \
                const float ad = fp16(ab->d);                                                                       \
                const float asum = HAS_MIN ? fp16(((const uint16_t *)ab)[1]) : 0.0f;                                \
                for (int r = 0; r < R; r++) {                                                                       \
                    const __m256i s = SIGNED ? _mm256_sign_epi8(aq, wq[r]) : aq;                                    \
                    const __m256 p = _mm256_cvtepi32_ps(DOT_U8S8(wu[r], s));                                        \
                    acc[r][t] = _mm256_fmadd_ps(p, _mm256_set1_ps(wd[r] * ad), acc[r][t]);                          \
                    if (HAS_MIN) macc[r][t] += wm[r] * asum;                                                        \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        for (int r = 0; r < R; r++)                                                                                 \
            for (int t = 0; t < T; t++) out[t * os + r] = hsum_ps(acc[r][t]) + macc[r][t];                          \
    }                                                                                                               \
    static float NAME##_dot(int64_t n, const void *w, const void *a) {                                              \
        float out;                                                                                                  \
        NAME##_tile(1, 1, n / QK, w, 0, a, 0, &out, 1);                                                             \
        return out;                                                                                                 \
    }

/// Thread-local scratch for the per-call float copies of block scales (grown as needed, kept for the thread).
static _Thread_local float *legacy_scratch;
static _Thread_local size_t legacy_scratch_count;
static float *legacy_scratch_floats(size_t count) {
    if (legacy_scratch_count < count) {
        free(legacy_scratch);
        legacy_scratch = aligned_alloc(64, (count * sizeof(float) + 63) / 64 * 64);
        legacy_scratch_count = count;
    }
    return legacy_scratch;
}

/// The small-token tile for decode steps of 2-4 tokens: SMALL_R rows x T tokens, each weight block decoded
/// once and dotted with every token. Per (row, token) pair it is NAME##_tile's arithmetic exactly (int32 dot,
/// one fma with the float product wd * ad, the min term as its own fma chain, hsum + min last), so a token's
/// outputs do not depend on how many others share the step. The tokens' scales come as floats, 4 per block
/// (adf, asf: [block][4]); a row's 4 products wd * ad are one 4-lane multiply, broadcast from memory per pair,
/// and its min terms one 4-lane fma (lane = token).
#define LEGACY_SMALL(NAME, WBLOCK, ABLOCK, DECODE, SIGNED, HAS_MIN)                                                 \
    static inline __attribute__((always_inline)) void NAME##_stile(const int R, const int T, int64_t nb,            \
        const uint8_t *w, size_t ws, const uint8_t *a, size_t as, const float *adf, const float *asf, float *out,   \
        int64_t os) {                                                                                               \
        __m256 acc[SMALL_R][4];                                                                                     \
        __m128 macc[SMALL_R];                                                                                       \
        for (int r = 0; r < R; r++) {                                                                               \
            macc[r] = _mm_setzero_ps();                                                                             \
            for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();                                            \
        }                                                                                                           \
        for (int64_t b = 0; b < nb; b++) {                                                                          \
            __m256i wq[SMALL_R], wu[SMALL_R];                                                                       \
            float sc[SMALL_R][4];                                                                                   \
            const __m128 adv = _mm_loadu_ps(adf + 4 * b);                                                           \
            for (int r = 0; r < R; r++) {                                                                           \
                const WBLOCK *blk = (const WBLOCK *)(w + r * ws) + b;                                               \
                _mm_prefetch((const char *)blk + 2 * R * ws, _MM_HINT_T0);                                          \
                wq[r] = DECODE(blk);                                                                                \
                wu[r] = SIGNED ? _mm256_sign_epi8(wq[r], wq[r]) : wq[r];                                            \
                _mm_storeu_ps(sc[r], _mm_mul_ps(_mm_set1_ps(fp16(blk->d)), adv));                                   \
                if (HAS_MIN)                                                                                        \
                    macc[r] = _mm_fmadd_ps(_mm_set1_ps(fp16(((const uint16_t *)blk)[1])), _mm_loadu_ps(asf + 4 * b), \
                                           macc[r]);                                                                \
            }                                                                                                       \
            for (int t = 0; t < T; t++) {                                                                           \
                const __m256i aq = _mm256_loadu_si256((const __m256i *)((const ABLOCK *)(a + t * as) + b)->qs);     \
                for (int r = 0; r < R; r++) {                                                                       \
                    const __m256i s = SIGNED ? _mm256_sign_epi8(aq, wq[r]) : aq;                                    \
                    const __m256 p = _mm256_cvtepi32_ps(DOT_U8S8(wu[r], s));                                        \
                    acc[r][t] = _mm256_fmadd_ps(p, _mm256_broadcast_ss(&sc[r][t]), acc[r][t]);                      \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        for (int r = 0; r < R; r++) {                                                                               \
            float m[4];                                                                                             \
            _mm_storeu_ps(m, macc[r]);                                                                              \
            for (int t = 0; t < T; t++) out[t * os + r] = hsum_ps(acc[r][t]) + (HAS_MIN ? m[t] : 0.0f);            \
        }                                                                                                           \
    }                                                                                                               \
    static void NAME##_small(int64_t nb, const uint8_t *w, size_t ws, int64_t nr, const uint8_t *a, size_t as,      \
                             int T, float *out, int64_t os) {                                                       \
        float *adf = legacy_scratch_floats((size_t)8 * nb), *asf = adf + 4 * nb;                                    \
        for (int64_t b = 0; b < nb; b++)                                                                            \
            for (int t = 0; t < 4; t++) {                                                                           \
                const ABLOCK *ab = (const ABLOCK *)(a + (t < T ? t : 0) * as) + b;                                  \
                adf[4 * b + t] = t < T ? fp16(ab->d) : 0.0f;                                                        \
                asf[4 * b + t] = t < T && HAS_MIN ? fp16(((const uint16_t *)ab)[1]) : 0.0f;                         \
            }                                                                                                       \
        int64_t r = 0;                                                                                              \
        switch (T) {                                                                                                \
        case 2:                                                                                                     \
            for (; r + SMALL_R <= nr; r += SMALL_R)                                                                 \
                NAME##_stile(SMALL_R, 2, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);                         \
            for (; r < nr; r++) NAME##_stile(1, 2, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);               \
            break;                                                                                                  \
        case 3:                                                                                                     \
            for (; r + SMALL_R <= nr; r += SMALL_R)                                                                 \
                NAME##_stile(SMALL_R, 3, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);                         \
            for (; r < nr; r++) NAME##_stile(1, 3, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);               \
            break;                                                                                                  \
        default:                                                                                                    \
            for (; r + SMALL_R <= nr; r += SMALL_R)                                                                 \
                NAME##_stile(SMALL_R, 4, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);                         \
            for (; r < nr; r++) NAME##_stile(1, 4, nb, w + r * ws, ws, a, as, adf, asf, out + r, os);               \
        }                                                                                                           \
    }

/// The GEMM tile: GEMM_R rows x GEMM_T tokens with every scale already a float (wd: [row][block],
/// ad: [token][block]), so the loop is decode, int8 dot, convert, scale, accumulate. Per pair and block it
/// computes what NAME##_tile does (the same int32 dot, (wd * ad) rounded once, one fma), so results are
/// bit-identical; the q4_1/q5_1 min term is summed beforehand into `out` (the same fma chain) and added last.
#define LEGACY_GEMM(NAME, WBLOCK, ABLOCK, DECODE, SIGNED, HAS_MIN)                                                       \
    static inline __attribute__((always_inline)) void NAME##_gtile(int64_t nb, const uint8_t *w, size_t ws,        \
        const uint8_t *a, size_t as, const float *wd, const float *ad, float *out,                                 \
        int64_t os) {                                                                                               \
        __m256 acc[GEMM_R][GEMM_T];                                                                                 \
        for (int r = 0; r < GEMM_R; r++)                                                                            \
            for (int t = 0; t < GEMM_T; t++) acc[r][t] = _mm256_setzero_ps();                                       \
        for (int64_t b = 0; b < nb; b++) {                                                                          \
            __m256i wq[GEMM_R];                                                                                     \
            __m256 wdv[GEMM_R];                                                                                     \
            for (int r = 0; r < GEMM_R; r++) {                                                                      \
                const WBLOCK *blk = (const WBLOCK *)(w + r * ws) + b;                                               \
                _mm_prefetch((const char *)blk + 2 * GEMM_R * ws, _MM_HINT_T0);                                     \
                wq[r] = DECODE(blk);                                                                                \
                wdv[r] = _mm256_broadcast_ss(wd + r * nb + b);                                                      \
            }                                                                                                       \
            for (int t = 0; t < GEMM_T; t++) {                                                                      \
                const __m256i aq = _mm256_loadu_si256((const __m256i *)((const ABLOCK *)(a + t * as) + b)->qs);     \
                const __m256 adv = _mm256_broadcast_ss(ad + t * nb + b);                                            \
                for (int r = 0; r < GEMM_R; r++) {                                                                  \
                    const __m256i d = SIGNED ? DOT_U8S8(_mm256_sign_epi8(wq[r], wq[r]), _mm256_sign_epi8(aq, wq[r])) \
                                             : DOT_U8S8(wq[r], aq);                                                 \
                    acc[r][t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(d), _mm256_mul_ps(wdv[r], adv), acc[r][t]);      \
                }                                                                                                   \
            }                                                                                                       \
        }                                                                                                           \
        for (int r = 0; r < GEMM_R; r++)                                                                            \
            for (int t = 0; t < GEMM_T; t++)                                                                        \
                out[t * os + r] = hsum_ps(acc[r][t]) + (HAS_MIN ? out[t * os + r] : 0.0f);                          \
    }                                                                                                               \
    static void NAME##_gemm(int64_t n, const void *vw, size_t ws, int64_t nr, const void *va, size_t as, int64_t nt, \
                            float *out, int64_t os) {                                                               \
        const uint8_t *w = vw, *a = va;                                                                             \
        /* no full token tile (decoding): skip the scale copies and go straight to the matrix-vector path */       \
        const int64_t nb = n / QK, ntf = nt / GEMM_T * GEMM_T, nrf = ntf ? nr / GEMM_R * GEMM_R : 0;                \
        float *wd = legacy_scratch_floats((size_t)(2 * nrf + 2 * ntf) * nb);                                        \
        float *wm = wd + nrf * nb, *ad = wm + nrf * nb, *as_t = ad + ntf * nb;                                      \
        for (int64_t r = 0; r < nrf; r++)                                                                           \
            for (int64_t b = 0; b < nb; b++) {                                                                      \
                const WBLOCK *blk = (const WBLOCK *)(w + r * ws) + b;                                               \
                wd[r * nb + b] = fp16(blk->d);                                                                      \
                if (HAS_MIN) wm[r * nb + b] = fp16(((const uint16_t *)blk)[1]);                                     \
            }                                                                                                       \
        for (int64_t t = 0; t < ntf; t++)                                                                           \
            for (int64_t b = 0; b < nb; b++) {                                                                      \
                const ABLOCK *ab = (const ABLOCK *)(a + t * as) + b;                                                \
                ad[t * nb + b] = fp16(ab->d);                                                                       \
                if (HAS_MIN) as_t[b * ntf + t] = fp16(((const uint16_t *)ab)[1]);                                   \
            }                                                                                                       \
        int64_t t = 0;                                                                                              \
        for (; t < ntf; t += GEMM_T) {                                                                              \
            if (HAS_MIN) /* the min term of each pair: the fma chain of NAME##_tile, GEMM_T tokens per vector */    \
                for (int64_t r = 0; r < nrf; r++) {                                                                 \
                    float m[GEMM_T];                                                                                \
                    for (int k = 0; k < GEMM_T; k++) m[k] = 0.0f;                                                   \
                    for (int64_t b = 0; b < nb; b++)                                                                \
                        for (int k = 0; k < GEMM_T; k++) m[k] = fmaf(wm[r * nb + b], as_t[b * ntf + t + k], m[k]); \
                    for (int k = 0; k < GEMM_T; k++) out[(t + k) * os + r] = m[k];                                  \
                }                                                                                                   \
            int64_t r = 0;                                                                                          \
            for (; r < nrf; r += GEMM_R)                                                                            \
                NAME##_gtile(nb, w + r * ws, ws, a + t * as, as, wd + r * nb, ad + t * nb, \
                             out + t * os + r, os);                                                                 \
            for (; r < nr; r++) /* leftover rows (fewer than GEMM_R) */                                          \
                for (int k = 0; k < GEMM_T; k++)                                                                    \
                    NAME##_tile(1, 1, nb, w + r * ws, ws, a + (t + k) * as, as, out + (t + k) * os + r, os);        \
        }                                                                                                           \
        /* leftover tokens (every decode step of fewer than GEMM_T streams): tiles of 2-4 tokens, as even */     \
        /* as possible (5 = 3 + 2, 7 = 4 + 3), so each weight block is decoded once per tile; one token alone */   \
        /* takes the matrix-vector path */                                                                          \
        while (nt - t >= 2) {                                                                                       \
            const int64_t left = nt - t, k = left <= 4 ? left : (left + 1) / 2 <= 4 ? (left + 1) / 2 : 4;         \
            NAME##_small(nb, w, ws, nr, a + t * as, as, (int)k, out + t * os, os);                                  \
            t += k;                                                                                                 \
        }                                                                                                           \
        for (; t < nt; t++) {                                                                                       \
            int64_t r = 0;                                                                                          \
            for (; r + GEMV_R <= nr; r += GEMV_R)                                                                   \
                NAME##_tile(GEMV_R, 1, nb, w + r * ws, ws, a + t * as, as, out + t * os + r, os);                   \
            for (; r < nr; r++) NAME##_tile(1, 1, nb, w + r * ws, ws, a + t * as, as, out + t * os + r, os);        \
        }                                                                                                           \
    }

LEGACY_TILE(q4_0, block_q4_0, block_q8_0, dec_q4_0, 1, 0)
LEGACY_TILE(q4_1, block_q4_1, block_q8_1, dec_q4_1, 0, 1)
LEGACY_TILE(q5_0, block_q5_0, block_q8_0, dec_q5_0, 1, 0)
LEGACY_TILE(q5_1, block_q5_1, block_q8_1, dec_q5_1, 0, 1)
LEGACY_TILE(q8_0, block_q8_0, block_q8_0, dec_q8_0, 1, 0)
LEGACY_SMALL(q4_0, block_q4_0, block_q8_0, dec_q4_0, 1, 0)
LEGACY_SMALL(q4_1, block_q4_1, block_q8_1, dec_q4_1, 0, 1)
LEGACY_SMALL(q5_0, block_q5_0, block_q8_0, dec_q5_0, 1, 0)
LEGACY_SMALL(q5_1, block_q5_1, block_q8_1, dec_q5_1, 0, 1)
LEGACY_SMALL(q8_0, block_q8_0, block_q8_0, dec_q8_0, 1, 0)
LEGACY_GEMM(q4_0, block_q4_0, block_q8_0, dec_q4_0, 1, 0)
LEGACY_GEMM(q4_1, block_q4_1, block_q8_1, dec_q4_1, 0, 1)
LEGACY_GEMM(q5_0, block_q5_0, block_q8_0, dec_q5_0, 1, 0)
LEGACY_GEMM(q5_1, block_q5_1, block_q8_1, dec_q5_1, 0, 1)
LEGACY_GEMM(q8_0, block_q8_0, block_q8_0, dec_q8_0, 1, 0)

static void register_legacy(void) {
    lk_traits[T_Q4_0].dot = q4_0_dot; lk_traits[T_Q4_0].gemm = q4_0_gemm;
    lk_traits[T_Q4_1].dot = q4_1_dot; lk_traits[T_Q4_1].gemm = q4_1_gemm;
    lk_traits[T_Q5_0].dot = q5_0_dot; lk_traits[T_Q5_0].gemm = q5_0_gemm;
    lk_traits[T_Q5_1].dot = q5_1_dot; lk_traits[T_Q5_1].gemm = q5_1_gemm;
    lk_traits[T_Q8_0].dot = q8_0_dot; lk_traits[T_Q8_0].gemm = q8_0_gemm;
}
