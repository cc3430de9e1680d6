/*
 * Declarations shared between the .c files of CTorchKernels; not part of the public header.
 */
#ifndef ST_INTERNAL_H
#define ST_INTERNAL_H

#include "CTorchKernels.h"

/* ---- Thread pool (threadpool.c) ---------------------------------------------------------- */

/* st_task_fn and st_parallel_run are public (CTorchKernels.h): Swift's parallel loops use
 * the same pool, so two pools never compete for the cores. */

/*
 * A per-thread, 64-byte aligned scratch buffer of at least `bytes`, kept for reuse (GEMM
 * packing runs on every call and must not allocate). `slot` (0..3) names independent
 * buffers. Freed when the thread exits. Returns NULL only if allocation fails.
 */
void *st_scratch(int slot, size_t bytes);

/* ---- GEMM micro-kernels ---------------------------------------------------------------- */

/* Register tile sizes; every ISA uses the same so that packing and blocking are shared. */
#define ST_SMR 6
#define ST_SNR 16
#define ST_DMR 6
#define ST_DNR 8

/*
 * A micro-kernel computes one m x n tile (m <= MR, n <= NR) of
 *     C = alpha * A * B + beta * C            (beta == 0: C is only written)
 * over k steps, where A(i, p) = a[i*rsa + p*csa] (packed panels have rsa = 1, csa = MR; an
 * unpacked matrix is read in place) and B is a packed panel, B(p, j) = b[p*NR + j], zero
 * padded to NR columns. C(i, j) = c[i*rsc + j*csc]. Every element is accumulated by the same
 * sequence of fused (or, for the generic kernel, separate) multiply-adds in p order, whatever
 * the tile's position, which is what keeps results independent of the thread split.
 */
typedef void (*st_ukr_f32)(long k, const float *a, long rsa, long csa, const float *b,
                           float *c, long rsc, long csc, int m, int n, float alpha,
                           float beta);
typedef void (*st_ukr_f64)(long k, const double *a, long rsa, long csa, const double *b,
                           double *c, long rsc, long csc, int m, int n, double alpha,
                           double beta);

/*
 * Optional SIMD packers for the two transposing layouts, full panels only:
 *   pack_a_t: MR rows, row i at src + i*ld, contiguous in p  -> dst[p*MR + i]
 *   pack_b_t: NR columns, column j at src + j*ld, contiguous in p -> dst[p*NR + j]
 * NULL means the driver's plain C loops.
 */
typedef void (*st_pack_f32)(long kc, const float *src, long ld, float *dst);
typedef void (*st_pack_f64)(long kc, const double *src, long ld, double *dst);

/* What one instruction set contributes to the GEMM driver. */
typedef struct {
    st_ukr_f32 ukr;
    st_pack_f32 pack_a_t, pack_b_t;
} st_kernels_f32;
typedef struct {
    st_ukr_f64 ukr;
    st_pack_f64 pack_a_t, pack_b_t;
} st_kernels_f64;

void st_sukr_generic(long k, const float *a, long rsa, long csa, const float *b, float *c,
                     long rsc, long csc, int m, int n, float alpha, float beta);
void st_dukr_generic(long k, const double *a, long rsa, long csa, const double *b, double *c,
                     long rsc, long csc, int m, int n, double alpha, double beta);

#if defined(__x86_64__) || defined(__i386__)
int st_cpu_has_avx2_fma(void);
void st_sukr_avx2(long k, const float *a, long rsa, long csa, const float *b, float *c,
                  long rsc, long csc, int m, int n, float alpha, float beta);
void st_dukr_avx2(long k, const double *a, long rsa, long csa, const double *b, double *c,
                  long rsc, long csc, int m, int n, double alpha, double beta);
void st_spack_a_avx2(long kc, const float *src, long ld, float *dst);
void st_spack_b_avx2(long kc, const float *src, long ld, float *dst);
#endif

#if defined(__aarch64__)
void st_sukr_neon(long k, const float *a, long rsa, long csa, const float *b, float *c,
                  long rsc, long csc, int m, int n, float alpha, float beta);
void st_dukr_neon(long k, const double *a, long rsa, long csa, const double *b, double *c,
                  long rsc, long csc, int m, int n, double alpha, double beta);
#endif

#endif /* ST_INTERNAL_H */
