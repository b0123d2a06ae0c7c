// SIMD body: register tiles of K_TILE_R rows x K_TILE_T tokens for q4_K and q6_K against q8_K (lk_matmul_rows),
// and F_TILE_R x F_TILE_T tiles for F32/F16/BF16 (both operands converted to f32 in registers);
// included after quants_simd_k.h. Per super-block each pair keeps an int32 sum of scale * maddubs(q, a)
// and adds it to a float accumulator once with d * d8; mins (q4_K) and the -32 offset (q6_K) use bsums.

static inline __attribute__((always_inline)) void q4_K_tile(const int R, const int T, int64_t nsb, const uint8_t *w,
                                                            size_t ws, const uint8_t *a, size_t as, float *out,
                                                            int64_t os) {
    const __m256i m4 = _mm256_set1_epi8(0x0F);
    __m256 acc[K_TILE_R][K_TILE_T];
    float macc[K_TILE_R][K_TILE_T];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) { acc[r][t] = _mm256_setzero_ps(); macc[r][t] = 0; }
    for (int64_t sb = 0; sb < nsb; sb++) {
        uint8_t sc[K_TILE_R][8], mn[K_TILE_R][8];
        const block_q4_K *wb[K_TILE_R];
        const block_q8_K *ab[K_TILE_T];
        for (int r = 0; r < R; r++) {
            wb[r] = (const block_q4_K *)(w + r * ws) + sb;
            lk_prefetch_block((const char *)wb[r] + 2 * R * ws, sizeof(block_q4_K));  // the tile after next
            for (int j = 0; j < 8; j++) lk_scale_min_k4(j, wb[r]->scales, &sc[r][j], &mn[r][j]);
        }
        for (int t = 0; t < T; t++) {
            ab[t] = (const block_q8_K *)(a + t * as) + sb;
            for (int r = 0; r < R; r++) {
                int summ = 0;
                for (int j = 0; j < 8; j++) summ += mn[r][j] * (ab[t]->bsums[2 * j] + ab[t]->bsums[2 * j + 1]);
                macc[r][t] += ab[t]->d * fp16(wb[r]->dmin) * (float)summ;
            }
        }
        __m256i sumi[K_TILE_R][K_TILE_T];
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++) sumi[r][t] = _mm256_setzero_si256();
        for (int g = 0; g < 4; g++) {
            __m256i lo[K_TILE_R], hi[K_TILE_R];
            for (int r = 0; r < R; r++) {
                const __m256i q = _mm256_loadu_si256((const __m256i *)(wb[r]->qs + 32 * g));
                lo[r] = _mm256_and_si256(q, m4);
                hi[r] = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
            }
            for (int t = 0; t < T; t++) {
                const __m256i alo = _mm256_loadu_si256((const __m256i *)(ab[t]->qs + 64 * g));
                const __m256i ahi = _mm256_loadu_si256((const __m256i *)(ab[t]->qs + 64 * g + 32));
                for (int r = 0; r < R; r++) {
                    const __m256i plo = _mm256_madd_epi16(_mm256_maddubs_epi16(lo[r], alo), _mm256_set1_epi16(sc[r][2 * g]));
                    const __m256i phi = _mm256_madd_epi16(_mm256_maddubs_epi16(hi[r], ahi), _mm256_set1_epi16(sc[r][2 * g + 1]));
                    sumi[r][t] = _mm256_add_epi32(sumi[r][t], _mm256_add_epi32(plo, phi));
                }
            }
        }
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++)
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(ab[t]->d * fp16(wb[r]->d)), _mm256_cvtepi32_ps(sumi[r][t]), acc[r][t]);
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) out[t * os + r] = hsum_ps(acc[r][t]) - macc[r][t];
}

static inline __attribute__((always_inline)) void q6_K_tile(const int R, const int T, int64_t nsb, const uint8_t *w,
                                                            size_t ws, const uint8_t *a, size_t as, float *out,
                                                            int64_t os) {
    const __m256i m4 = _mm256_set1_epi8(0x0F), m3 = _mm256_set1_epi8(3);
    __m256 acc[K_TILE_R][K_TILE_T];
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();
    for (int64_t sb = 0; sb < nsb; sb++) {
        const block_q6_K *wb[K_TILE_R];
        const block_q8_K *ab[K_TILE_T];
        __m256i sumi[K_TILE_R][K_TILE_T];
        for (int r = 0; r < R; r++) {
            wb[r] = (const block_q6_K *)(w + r * ws) + sb;
            lk_prefetch_block((const char *)wb[r] + 2 * R * ws, sizeof(block_q6_K));
        }
        for (int t = 0; t < T; t++) {
            ab[t] = (const block_q8_K *)(a + t * as) + sb;
            for (int r = 0; r < R; r++) {
                int offset = 0;  // the quants are q - 32: subtract 32 * sum_j sc_j * bsum_j
                for (int j = 0; j < 16; j++) offset += wb[r]->scales[j] * ab[t]->bsums[j];
                sumi[r][t] = _mm256_setr_epi32(-32 * offset, 0, 0, 0, 0, 0, 0, 0);
            }
        }
        for (int step = 0; step < 8; step++) {  // step = 4 * half + k: 32 quants, sub-blocks 2 * step and + 1
            const int half = step / 4, k = step % 4;
            __m256i q[K_TILE_R], s[K_TILE_R];
            for (int r = 0; r < R; r++) {
                const __m256i ql = _mm256_loadu_si256((const __m256i *)(wb[r]->ql + 64 * half + 32 * (k & 1)));
                const __m256i qh = _mm256_loadu_si256((const __m256i *)(wb[r]->qh + 32 * half));
                const __m256i lo = (k & 2) ? _mm256_and_si256(_mm256_srli_epi16(ql, 4), m4) : _mm256_and_si256(ql, m4);
                const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(qh, 2 * k), m3);
                q[r] = _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));
                s[r] = scale_pair16(wb[r]->scales[2 * step], wb[r]->scales[2 * step + 1]);
            }
            for (int t = 0; t < T; t++) {
                const __m256i aq = _mm256_loadu_si256((const __m256i *)(ab[t]->qs + 32 * step));
                for (int r = 0; r < R; r++)
                    sumi[r][t] = _mm256_add_epi32(sumi[r][t], _mm256_madd_epi16(_mm256_maddubs_epi16(q[r], aq), s[r]));
            }
        }
        for (int r = 0; r < R; r++)
            for (int t = 0; t < T; t++)
                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(ab[t]->d * fp16(wb[r]->d)), _mm256_cvtepi32_ps(sumi[r][t]), acc[r][t]);
    }
    for (int r = 0; r < R; r++)
        for (int t = 0; t < T; t++) out[t * os + r] = hsum_ps(acc[r][t]);
}

/// Every row against T tokens (2 <= T < K_TILE_T, a constant after inlining): the same per-pair arithmetic as
/// the full tiles and the one-token dots (bit-identical), with each weight super-block decoded once.
#define K_ROWS(NAME)                                                                                                 \
    static inline __attribute__((always_inline)) void NAME##_rows(const int T, int64_t nsb, const uint8_t *w,      \
                                                                  size_t ws, int64_t nr, const uint8_t *a,          \
                                                                  size_t as, float *out, int64_t os) {              \
        int64_t r = 0;                                                                                              \
        for (; r + K_TILE_R <= nr; r += K_TILE_R) NAME##_tile(K_TILE_R, T, nsb, w + r * ws, ws, a, as, out + r, os); \
        for (; r < nr; r++) NAME##_tile(1, T, nsb, w + r * ws, ws, a, as, out + r, os);                             \
    }
K_ROWS(q4_K)
K_ROWS(q6_K)

#define K_GEMM(NAME)                                                                                                 \
    static void NAME##_gemm(int64_t n, const void *vw, size_t ws, int64_t nr, const void *va, size_t as, int64_t nt, \
                            float *out, int64_t os) {                                                               \
        const uint8_t *w = vw, *a = va;                                                                             \
        const int64_t nsb = n / QKK;                                                                                \
        int64_t t = 0;                                                                                              \
        for (; t + K_TILE_T <= nt; t += K_TILE_T) {                                                                 \
            int64_t r = 0;                                                                                          \
            for (; r + K_TILE_R <= nr; r += K_TILE_R)                                                               \
                NAME##_tile(K_TILE_R, K_TILE_T, nsb, w + r * ws, ws, a + t * as, as, out + t * os + r, os);         \
            for (; r < nr; r++) NAME##_tile(1, K_TILE_T, nsb, w + r * ws, ws, a + t * as, as, out + t * os + r, os); \
        }                                                                                                           \
        if (nt - t >= 2) /* leftover tokens (decode steps of few streams): one tile of all of them */            \
            switch (nt - t) {                                                                                       \
            case 2: NAME##_rows(2, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 2; break;               \
            case 3: NAME##_rows(3, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 3; break;               \
            case 4: NAME##_rows(4, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 4; break;               \
            case 5: NAME##_rows(5, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 5; break;               \
            case 6: NAME##_rows(6, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 6; break;               \
            default: NAME##_rows(7, nsb, w, ws, nr, a + t * as, as, out + t * os, os); t += 7; break;              \
            }                                                                                                       \
        for (; t < nt; t++) /* one token: the plain dots keep more in registers than a tile of rows */             \
            for (int64_t r = 0; r < nr; r++) out[t * os + r] = NAME##_dot(n, w + r * ws, a + t * as);               \
    }

K_GEMM(q4_K)
K_GEMM(q6_K)

static void register_k_tiles(void) {
    lk_traits[T_Q4_K].gemm = q4_K_gemm;
    lk_traits[T_Q6_K].gemm = q6_K_gemm;
}

// ---- float types: F_TILE_R rows x F_TILE_T tokens of 8-wide fmas (tails in scalar) ----
static inline __m256 load8_f32(const void *p, int64_t i) { return _mm256_loadu_ps((const float *)p + i); }
static inline __m256 load8_f16(const void *p, int64_t i) {
    return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)((const uint16_t *)p + i)));
}
static inline __m256 load8_bf16(const void *p, int64_t i) { return bf16x8((const uint16_t *)p + i); }
static inline float load1_f32(const void *p, int64_t i) { return ((const float *)p)[i]; }
static inline float load1_f16(const void *p, int64_t i) { return fp16(((const uint16_t *)p)[i]); }
static inline float load1_bf16(const void *p, int64_t i) { return lk_bf16_to_fp32(((const uint16_t *)p)[i]); }

#define FLOAT_GEMM(NAME)                                                                                             \
    static inline __attribute__((always_inline)) void NAME##_tile(const int R, const int T, int64_t n,              \
                                                                  const uint8_t *w, size_t ws, const uint8_t *a,     \
                                                                  size_t as, float *out, int64_t os) {               \
        __m256 acc[F_TILE_R][F_TILE_T];                                                                             \
        for (int r = 0; r < R; r++)                                                                                 \
            for (int t = 0; t < T; t++) acc[r][t] = _mm256_setzero_ps();                                            \
        int64_t i = 0;                                                                                              \
        for (; i + 8 <= n; i += 8) {                                                                                \
            __m256 wv[F_TILE_R];                                                                                    \
            for (int r = 0; r < R; r++) wv[r] = load8_##NAME(w + r * ws, i);                                        \
            for (int t = 0; t < T; t++) {                                                                           \
                const __m256 av = load8_##NAME(a + t * as, i);                                                      \
                for (int r = 0; r < R; r++) acc[r][t] = _mm256_fmadd_ps(wv[r], av, acc[r][t]);                      \
            }                                                                                                       \
        }                                                                                                           \
        for (int r = 0; r < R; r++)                                                                                 \
            for (int t = 0; t < T; t++) {                                                                           \
                float s = hsum_ps(acc[r][t]);                                                                       \
                for (int64_t j = i; j < n; j++) s += load1_##NAME(w + r * ws, j) * load1_##NAME(a + t * as, j);     \
                out[t * os + r] = s;                                                                                \
            }                                                                                                       \
    }                                                                                                               \
    static void NAME##_gemm(int64_t n, const void *vw, size_t ws, int64_t nr, const void *va, size_t as, int64_t nt, \
                            float *out, int64_t os) {                                                               \
        const uint8_t *w = vw, *a = va;                                                                             \
        int64_t t = 0;                                                                                              \
        for (; t + F_TILE_T <= nt; t += F_TILE_T) {                                                                 \
            int64_t r = 0;                                                                                          \
            for (; r + F_TILE_R <= nr; r += F_TILE_R)                                                               \
                NAME##_tile(F_TILE_R, F_TILE_T, n, w + r * ws, ws, a + t * as, as, out + t * os + r, os);           \
            for (; r < nr; r++) NAME##_tile(1, F_TILE_T, n, w + r * ws, ws, a + t * as, as, out + t * os + r, os);  \
        }                                                                                                           \
        for (; t < nt; t++) {                                                                                       \
            int64_t r = 0;                                                                                          \
            for (; r + 4 <= nr; r += 4) NAME##_tile(4, 1, n, w + r * ws, ws, a + t * as, as, out + t * os + r, os); \
            for (; r < nr; r++) NAME##_tile(1, 1, n, w + r * ws, ws, a + t * as, as, out + t * os + r, os);         \
        }                                                                                                           \
    }

FLOAT_GEMM(f32)
FLOAT_GEMM(f16)
FLOAT_GEMM(bf16)

static void register_float_tiles(void) {
    lk_traits[T_F32].gemm = f32_gemm;
    lk_traits[T_F16].gemm = f16_gemm;
    lk_traits[T_BF16].gemm = bf16_gemm;
}
