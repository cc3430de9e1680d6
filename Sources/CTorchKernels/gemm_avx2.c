/*
 * AVX2 + FMA micro-kernels (x86-64). Only these functions are compiled for AVX2, through
 * target attributes, so the target needs no -mavx2 and still runs on older CPUs: gemm.c
 * calls them only after st_cpu_has_avx2_fma() said yes.
 *
 * Float: a 6 x 16 tile in 12 ymm accumulators; each k step loads two B vectors and
 * broadcasts six A values (12 FMAs per 8 loads keeps both FMA pipes busy).
 * Double: the same shape with 4 lanes, a 6 x 8 tile.
 */
#if defined(__x86_64__) || defined(__i386__)

#include "st_internal.h"

#include <immintrin.h>

#define ST_AVX2 __attribute__((target("avx2,fma")))
#define ST_INLINE static inline __attribute__((always_inline))

/*
 * The k loops use the compiler builtins behind _mm256_fmadd_ps & co. SwiftPM builds debug
 * C at -O0, where every _mm256_* wrapper copies its vector arguments through memory in
 * 8-byte pieces: the kernel ran at 0.6 GFLOP/s. With the builtins it runs at ~10 GFLOP/s
 * in debug and identically (same instructions) when optimized. Adding -0.0 to a splat is
 * exact, so the compiler folds it into a plain broadcast.
 */
#define S_FMA(a, b, c)                                                                         \
    ((__m256)__builtin_ia32_vfmaddps256((__v8sf)(a), (__v8sf)(b), (__v8sf)(c)))
#define S_LOAD(p) (*(const __m256_u *)(p))
#define S_BCAST(p) ((__m256){-0.f, -0.f, -0.f, -0.f, -0.f, -0.f, -0.f, -0.f} + *(p))
#define D_FMA(a, b, c)                                                                         \
    ((__m256d)__builtin_ia32_vfmaddpd256((__v4df)(a), (__v4df)(b), (__v4df)(c)))
#define D_LOAD(p) (*(const __m256d_u *)(p))
#define D_BCAST(p) ((__m256d){-0., -0., -0., -0.} + *(p))

int st_cpu_has_avx2_fma(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

/* ---- float ------------------------------------------------------------------------------- */

/* c[0:n] = alpha*acc (+ beta*c[0:n]) for a contiguous row piece, n may be < 8 or <= 0. */
ST_INLINE ST_AVX2 void s_update(float *c, __m256 acc, int n, __m256 va, __m256 vb,
                                int beta0) {
    __m256 v = _mm256_mul_ps(va, acc);
    if (n >= 8) {
        if (!beta0) v = _mm256_fmadd_ps(vb, _mm256_loadu_ps(c), v);
        _mm256_storeu_ps(c, v);
    } else if (n > 0) {
        /* The lanes past n may lie outside C. A masked load is cheap; a masked store
         * (vmaskmovps) is slow on AMD Zen, so store 4 + 2 + 1 lanes as needed. */
        if (!beta0) {
            __m256i mask = _mm256_cmpgt_epi32(_mm256_set1_epi32(n),
                                              _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
            v = _mm256_fmadd_ps(vb, _mm256_maskload_ps(c, mask), v);
        }
        __m128 x = _mm256_castps256_ps128(v);
        if (n >= 4) {
            _mm_storeu_ps(c, x);
            x = _mm256_extractf128_ps(v, 1), c += 4, n -= 4;
        }
        if (n >= 2) {
            _mm_storel_pi((__m64 *)c, x);
            x = _mm_movehl_ps(x, x), c += 2, n -= 2;
        }
        if (n >= 1) _mm_store_ss(c, x);
    }
}

/* One k step: two B vectors (one when NV == 1), six broadcasts of A(i, p) at A##i. */
#define S_STEP(NV, A0, A1, A2, A3, A4, A5)                                                     \
    {                                                                                          \
        __m256 b0 = S_LOAD(b), t;                                                              \
        __m256 b1 = NV == 2 ? S_LOAD(b + 8) : b0;                                              \
        t = S_BCAST(A0);                                                                       \
        c00 = S_FMA(t, b0, c00);                                                               \
        if (NV == 2) c01 = S_FMA(t, b1, c01);                                                  \
        t = S_BCAST(A1);                                                                       \
        c10 = S_FMA(t, b0, c10);                                                               \
        if (NV == 2) c11 = S_FMA(t, b1, c11);                                                  \
        t = S_BCAST(A2);                                                                       \
        c20 = S_FMA(t, b0, c20);                                                               \
        if (NV == 2) c21 = S_FMA(t, b1, c21);                                                  \
        t = S_BCAST(A3);                                                                       \
        c30 = S_FMA(t, b0, c30);                                                               \
        if (NV == 2) c31 = S_FMA(t, b1, c31);                                                  \
        t = S_BCAST(A4);                                                                       \
        c40 = S_FMA(t, b0, c40);                                                               \
        if (NV == 2) c41 = S_FMA(t, b1, c41);                                                  \
        t = S_BCAST(A5);                                                                       \
        c50 = S_FMA(t, b0, c50);                                                               \
        if (NV == 2) c51 = S_FMA(t, b1, c51);                                                  \
        b += ST_SNR;                                                                           \
    }

/*
 * nv: ymm vectors per row (1 when n <= 8, halving the work for thin C). packed: a full
 * 6-row panel (rsa = 1, csa = 6), walked with one pointer; otherwise six row pointers and
 * a stride. (Clang allocates registers badly when one loop serves both.)
 */
ST_INLINE ST_AVX2 void s_kernel(long k, const float *a, long rsa, long csa, const float *b,
                                float *c, long rsc, long csc, int m, int n, float alpha,
                                float beta, const int nv, const int packed) {
    if (csc == 1)
        for (int i = 0; i < m; i++) _mm_prefetch((const char *)(c + i * rsc), _MM_HINT_T0);
    __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
    __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
    __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
    __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
    __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
    __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();
    if (packed) {
        for (long p = 0; p < k; p++, a += ST_SMR)
            S_STEP(nv, a, a + 1, a + 2, a + 3, a + 4, a + 5)
    } else {
        /* Unpacked A has only m rows: point the missing ones at row 0 (never stored). */
        const float *a0 = a, *a1 = a + (m > 1) * rsa, *a2 = a + (m > 2) * 2 * rsa;
        const float *a3 = a + (m > 3) * 3 * rsa, *a4 = a + (m > 4) * 4 * rsa;
        const float *a5 = a + (m > 5) * 5 * rsa;
        for (long p = 0, o = 0; p < k; p++, o += csa) /* csa may be 0: a broadcast view */
            S_STEP(nv, a0 + o, a1 + o, a2 + o, a3 + o, a4 + o, a5 + o)
    }
    /* Always spill the tile and update C from memory: keeping the accumulators live into
     * several store paths made clang spill inside the k loop (a 3x slowdown). */
    float tile[ST_SMR][ST_SNR] __attribute__((aligned(32)));
    _mm256_store_ps(tile[0], c00), _mm256_store_ps(tile[0] + 8, c01);
    _mm256_store_ps(tile[1], c10), _mm256_store_ps(tile[1] + 8, c11);
    _mm256_store_ps(tile[2], c20), _mm256_store_ps(tile[2] + 8, c21);
    _mm256_store_ps(tile[3], c30), _mm256_store_ps(tile[3] + 8, c31);
    _mm256_store_ps(tile[4], c40), _mm256_store_ps(tile[4] + 8, c41);
    _mm256_store_ps(tile[5], c50), _mm256_store_ps(tile[5] + 8, c51);
    int beta0 = beta == 0;
    if (csc == 1) {
        __m256 va = _mm256_set1_ps(alpha), vb = _mm256_set1_ps(beta);
        for (int i = 0; i < m; i++) {
            s_update(c + i * rsc, _mm256_load_ps(tile[i]), n, va, vb, beta0);
            if (nv == 2)
                s_update(c + i * rsc + 8, _mm256_load_ps(tile[i] + 8), n - 8, va, vb, beta0);
        }
        return;
    }
    /* Strided C (the C^T path): scalar updates with the same rounding as the vector path
     * (one multiply by alpha, one fused multiply-add with beta). */
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *cij = c + i * rsc + j * csc;
            __m128 v = _mm_mul_ss(_mm_set_ss(alpha), _mm_set_ss(tile[i][j]));
            if (!beta0) v = _mm_fmadd_ss(_mm_set_ss(beta), _mm_set_ss(*cij), v);
            *cij = _mm_cvtss_f32(v);
        }
}

/* One function per variant: inlined into a single function, clang's register allocator
 * spilled accumulators inside the hot loop. */
#define S_VARIANT(NAME, NV, PACKED)                                                            \
    static __attribute__((noinline)) ST_AVX2 void NAME(                                        \
        long k, const float *a, long rsa, long csa, const float *b, float *c, long rsc,        \
        long csc, int m, int n, float alpha, float beta) {                                     \
        s_kernel(k, a, rsa, csa, b, c, rsc, csc, m, n, alpha, beta, NV, PACKED);               \
    }
S_VARIANT(s_kernel_2p, 2, 1)
S_VARIANT(s_kernel_2s, 2, 0)
S_VARIANT(s_kernel_1p, 1, 1)
S_VARIANT(s_kernel_1s, 1, 0)

ST_AVX2 void st_sukr_avx2(long k, const float *a, long rsa, long csa, const float *b,
                          float *c, long rsc, long csc, int m, int n, float alpha,
                          float beta) {
    /* Full packed panels get the one-pointer loop; an edge panel (m < 6) takes the general
     * path, which never reads past row m - 1 even if A only looks packed. */
    int packed = rsa == 1 && csa == ST_SMR && m == ST_SMR;
    st_ukr_f32 f = n > 8 ? (packed ? s_kernel_2p : s_kernel_2s)
                         : (packed ? s_kernel_1p : s_kernel_1s);
    f(k, a, rsa, csa, b, c, rsc, csc, m, n, alpha, beta);
}

/* ---- float packing (the transposing layouts) --------------------------------------------- */

/* In-place transpose of an 8 x 8 block held as 8 rows: unpack, shuffle, then swap 128-bit
 * halves (the _mm256_unpack/shuffle/permute2f128 sequence, written as shufflevector so it
 * stays cheap at -O0). */
#define S_SHUF(a, b, ...) __builtin_shufflevector((a), (b), __VA_ARGS__)
ST_INLINE ST_AVX2 void s_transpose8(__m256 r[8]) {
    __m256 t0 = S_SHUF(r[0], r[1], 0, 8, 1, 9, 4, 12, 5, 13);
    __m256 t1 = S_SHUF(r[0], r[1], 2, 10, 3, 11, 6, 14, 7, 15);
    __m256 t2 = S_SHUF(r[2], r[3], 0, 8, 1, 9, 4, 12, 5, 13);
    __m256 t3 = S_SHUF(r[2], r[3], 2, 10, 3, 11, 6, 14, 7, 15);
    __m256 t4 = S_SHUF(r[4], r[5], 0, 8, 1, 9, 4, 12, 5, 13);
    __m256 t5 = S_SHUF(r[4], r[5], 2, 10, 3, 11, 6, 14, 7, 15);
    __m256 t6 = S_SHUF(r[6], r[7], 0, 8, 1, 9, 4, 12, 5, 13);
    __m256 t7 = S_SHUF(r[6], r[7], 2, 10, 3, 11, 6, 14, 7, 15);
    __m256 u0 = S_SHUF(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13);
    __m256 u1 = S_SHUF(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    __m256 u2 = S_SHUF(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13);
    __m256 u3 = S_SHUF(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    __m256 u4 = S_SHUF(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13);
    __m256 u5 = S_SHUF(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    __m256 u6 = S_SHUF(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13);
    __m256 u7 = S_SHUF(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    r[0] = S_SHUF(u0, u4, 0, 1, 2, 3, 8, 9, 10, 11);
    r[4] = S_SHUF(u0, u4, 4, 5, 6, 7, 12, 13, 14, 15);
    r[1] = S_SHUF(u1, u5, 0, 1, 2, 3, 8, 9, 10, 11);
    r[5] = S_SHUF(u1, u5, 4, 5, 6, 7, 12, 13, 14, 15);
    r[2] = S_SHUF(u2, u6, 0, 1, 2, 3, 8, 9, 10, 11);
    r[6] = S_SHUF(u2, u6, 4, 5, 6, 7, 12, 13, 14, 15);
    r[3] = S_SHUF(u3, u7, 0, 1, 2, 3, 8, 9, 10, 11);
    r[7] = S_SHUF(u3, u7, 4, 5, 6, 7, 12, 13, 14, 15);
}

/* A panel of 6 rows, each contiguous in p: dst[p*6 + i] = src[i*ld + p] (A not transposed). */
ST_AVX2 void st_spack_a_avx2(long kc, const float *src, long ld, float *dst) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 r[8];
        for (int i = 0; i < ST_SMR; i++) r[i] = S_LOAD(src + i * ld + p);
        r[6] = r[7] = (__m256){0};
        s_transpose8(r);
        /* Each 8-wide store spills 2 lanes into the next step, which the next store
         * overwrites; the last one stores exactly 6 so nothing lands past the panel. */
        float *d = dst + p * ST_SMR;
        for (int q = 0; q < 7; q++) *(__m256_u *)(d + q * ST_SMR) = r[q];
        _mm_storeu_ps(d + 7 * ST_SMR, _mm256_castps256_ps128(r[7]));
        _mm_storel_pi((__m64 *)(d + 7 * ST_SMR + 4), _mm256_extractf128_ps(r[7], 1));
    }
    for (; p < kc; p++)
        for (int i = 0; i < ST_SMR; i++) dst[p * ST_SMR + i] = src[i * ld + p];
}

/* A panel of 16 columns, each contiguous in p: dst[p*16 + j] = src[j*ld + p] (B transposed). */
ST_AVX2 void st_spack_b_avx2(long kc, const float *src, long ld, float *dst) {
    long p = 0;
    for (; p + 8 <= kc; p += 8) {
        __m256 lo[8], hi[8];
        for (int j = 0; j < 8; j++) {
            lo[j] = S_LOAD(src + j * ld + p);
            hi[j] = S_LOAD(src + (j + 8) * ld + p);
        }
        s_transpose8(lo);
        s_transpose8(hi);
        for (int q = 0; q < 8; q++) {
            *(__m256_u *)(dst + (p + q) * ST_SNR) = lo[q];
            *(__m256_u *)(dst + (p + q) * ST_SNR + 8) = hi[q];
        }
    }
    for (; p < kc; p++)
        for (int j = 0; j < ST_SNR; j++) dst[p * ST_SNR + j] = src[j * ld + p];
}

/* ---- double ------------------------------------------------------------------------------ */

ST_INLINE ST_AVX2 void d_update(double *c, __m256d acc, int n, __m256d va, __m256d vb,
                                int beta0) {
    __m256d v = _mm256_mul_pd(va, acc);
    if (n >= 4) {
        if (!beta0) v = _mm256_fmadd_pd(vb, _mm256_loadu_pd(c), v);
        _mm256_storeu_pd(c, v);
    } else if (n > 0) {
        if (!beta0) {
            __m256i mask =
                _mm256_cmpgt_epi64(_mm256_set1_epi64x(n), _mm256_setr_epi64x(0, 1, 2, 3));
            v = _mm256_fmadd_pd(vb, _mm256_maskload_pd(c, mask), v);
        }
        __m128d x = _mm256_castpd256_pd128(v);
        if (n >= 2) {
            _mm_storeu_pd(c, x);
            x = _mm256_extractf128_pd(v, 1), c += 2, n -= 2;
        }
        if (n >= 1) _mm_store_sd(c, x);
    }
}

#define D_STEP(NV, A0, A1, A2, A3, A4, A5)                                                     \
    {                                                                                          \
        __m256d b0 = D_LOAD(b), t;                                                             \
        __m256d b1 = NV == 2 ? D_LOAD(b + 4) : b0;                                             \
        t = D_BCAST(A0);                                                                       \
        c00 = D_FMA(t, b0, c00);                                                               \
        if (NV == 2) c01 = D_FMA(t, b1, c01);                                                  \
        t = D_BCAST(A1);                                                                       \
        c10 = D_FMA(t, b0, c10);                                                               \
        if (NV == 2) c11 = D_FMA(t, b1, c11);                                                  \
        t = D_BCAST(A2);                                                                       \
        c20 = D_FMA(t, b0, c20);                                                               \
        if (NV == 2) c21 = D_FMA(t, b1, c21);                                                  \
        t = D_BCAST(A3);                                                                       \
        c30 = D_FMA(t, b0, c30);                                                               \
        if (NV == 2) c31 = D_FMA(t, b1, c31);                                                  \
        t = D_BCAST(A4);                                                                       \
        c40 = D_FMA(t, b0, c40);                                                               \
        if (NV == 2) c41 = D_FMA(t, b1, c41);                                                  \
        t = D_BCAST(A5);                                                                       \
        c50 = D_FMA(t, b0, c50);                                                               \
        if (NV == 2) c51 = D_FMA(t, b1, c51);                                                  \
        b += ST_DNR;                                                                           \
    }

/* The double twin of s_kernel: 6 x 8 tile, nv = 1 when n <= 4. */
ST_INLINE ST_AVX2 void d_kernel(long k, const double *a, long rsa, long csa, const double *b,
                                double *c, long rsc, long csc, int m, int n, double alpha,
                                double beta, const int nv, const int packed) {
    __m256d c00 = _mm256_setzero_pd(), c01 = _mm256_setzero_pd();
    __m256d c10 = _mm256_setzero_pd(), c11 = _mm256_setzero_pd();
    __m256d c20 = _mm256_setzero_pd(), c21 = _mm256_setzero_pd();
    __m256d c30 = _mm256_setzero_pd(), c31 = _mm256_setzero_pd();
    __m256d c40 = _mm256_setzero_pd(), c41 = _mm256_setzero_pd();
    __m256d c50 = _mm256_setzero_pd(), c51 = _mm256_setzero_pd();
    if (packed) {
        for (long p = 0; p < k; p++, a += ST_DMR)
            D_STEP(nv, a, a + 1, a + 2, a + 3, a + 4, a + 5)
    } else {
        const double *a0 = a, *a1 = a + (m > 1) * rsa, *a2 = a + (m > 2) * 2 * rsa;
        const double *a3 = a + (m > 3) * 3 * rsa, *a4 = a + (m > 4) * 4 * rsa;
        const double *a5 = a + (m > 5) * 5 * rsa;
        for (long p = 0, o = 0; p < k; p++, o += csa)
            D_STEP(nv, a0 + o, a1 + o, a2 + o, a3 + o, a4 + o, a5 + o)
    }
    double tile[ST_DMR][ST_DNR] __attribute__((aligned(32)));
    _mm256_store_pd(tile[0], c00), _mm256_store_pd(tile[0] + 4, c01);
    _mm256_store_pd(tile[1], c10), _mm256_store_pd(tile[1] + 4, c11);
    _mm256_store_pd(tile[2], c20), _mm256_store_pd(tile[2] + 4, c21);
    _mm256_store_pd(tile[3], c30), _mm256_store_pd(tile[3] + 4, c31);
    _mm256_store_pd(tile[4], c40), _mm256_store_pd(tile[4] + 4, c41);
    _mm256_store_pd(tile[5], c50), _mm256_store_pd(tile[5] + 4, c51);
    int beta0 = beta == 0;
    if (csc == 1) {
        __m256d va = _mm256_set1_pd(alpha), vb = _mm256_set1_pd(beta);
        for (int i = 0; i < m; i++) {
            d_update(c + i * rsc, _mm256_load_pd(tile[i]), n, va, vb, beta0);
            if (nv == 2)
                d_update(c + i * rsc + 4, _mm256_load_pd(tile[i] + 4), n - 4, va, vb, beta0);
        }
        return;
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double *cij = c + i * rsc + j * csc;
            __m128d v = _mm_mul_sd(_mm_set_sd(alpha), _mm_set_sd(tile[i][j]));
            if (!beta0) v = _mm_fmadd_sd(_mm_set_sd(beta), _mm_set_sd(*cij), v);
            *cij = _mm_cvtsd_f64(v);
        }
}

#define D_VARIANT(NAME, NV, PACKED)                                                            \
    static __attribute__((noinline)) ST_AVX2 void NAME(                                        \
        long k, const double *a, long rsa, long csa, const double *b, double *c, long rsc,     \
        long csc, int m, int n, double alpha, double beta) {                                   \
        d_kernel(k, a, rsa, csa, b, c, rsc, csc, m, n, alpha, beta, NV, PACKED);               \
    }
D_VARIANT(d_kernel_2p, 2, 1)
D_VARIANT(d_kernel_2s, 2, 0)
D_VARIANT(d_kernel_1p, 1, 1)
D_VARIANT(d_kernel_1s, 1, 0)

ST_AVX2 void st_dukr_avx2(long k, const double *a, long rsa, long csa, const double *b,
                          double *c, long rsc, long csc, int m, int n, double alpha,
                          double beta) {
    int packed = rsa == 1 && csa == ST_DMR && m == ST_DMR;
    st_ukr_f64 f = n > 4 ? (packed ? d_kernel_2p : d_kernel_2s)
                         : (packed ? d_kernel_1p : d_kernel_1s);
    f(k, a, rsa, csa, b, c, rsc, csc, m, n, alpha, beta);
}

#else
/* Keeps this translation unit non-empty on other architectures (ISO C requires it). */
typedef int st_gemm_avx2_unused;
#endif
