/*
 * Public GEMM entry points: pick the micro-kernel family once, then run the shared blocked
 * driver (gemm_driver.h) instantiated for float and double.
 */
#include "st_internal.h"

#include <stdlib.h>
#include <string.h>

/* ---- Kernel family ----------------------------------------------------------------------- */

static int st_isa = -1; /* -1: not chosen yet */

static int st_detect_isa(void) {
    const char *env = getenv("SWIFTTORCH_KERNEL");
    if (env && strcmp(env, "generic") == 0) return 0;
#if defined(__x86_64__) || defined(__i386__)
    if (st_cpu_has_avx2_fma()) return 1;
#elif defined(__aarch64__)
    return 2; /* NEON (Advanced SIMD) is part of every AArch64 CPU */
#endif
    return 0;
}

int st_kernel_isa(void) {
    int isa = __atomic_load_n(&st_isa, __ATOMIC_RELAXED);
    if (isa < 0) {
        /* Racing first callers compute the same answer, so a plain store is enough. */
        isa = st_detect_isa();
        __atomic_store_n(&st_isa, isa, __ATOMIC_RELAXED);
    }
    return isa;
}

/* ---- Driver instances -------------------------------------------------------------------- */

/* Below ~2 MFLOP (about 25 us on one core) waking a second thread costs more than it saves. */
#define ST_PAR_FLOPS 2.0e6
/* No C^T = B^T A^T swap for a few-row C: the swapped problem has few columns, which fill the
 * 16-wide register tile poorly and store C strided. Measured without the swap (best of 7,
 * one core): conv1's 6x576x25 3.6 us vs 5.3, 6x2400x25 15.5 vs 21.6, 12x4096x64 (A^T) 123 vs
 * 233, 3x1000x100 23 vs 31; only tiny A^T shapes lose a little (10x60x100: 3.4 vs 2.9). */
/* With at most this many columns an A panel is reused too few times (N / NR) to repay
 * packing it, so A is read in place (measured: 1600x32x150 +18%, 2400x25x6 +12%). */
#define ST_DIRECT_N 48

#define ST_T float
#define ST_FN(name) name##_f32
#define ST_MR ST_SMR
#define ST_NR ST_SNR
#define ST_KC 256
#define ST_MC 120
#define ST_NC 2048
#define ST_KERNELS st_kernels_f32
#include "gemm_driver.h"
#undef ST_T
#undef ST_FN
#undef ST_MR
#undef ST_NR
#undef ST_KC
#undef ST_MC
#undef ST_NC
#undef ST_KERNELS

#define ST_T double
#define ST_FN(name) name##_f64
#define ST_MR ST_DMR
#define ST_NR ST_DNR
#define ST_KC 256
#define ST_MC 96
#define ST_NC 1024 /* 2 MB of packed B per thread, as for float */
#define ST_KERNELS st_kernels_f64
#include "gemm_driver.h"

static const st_kernels_f32 st_generic_f32 = {st_sukr_generic, NULL, NULL};
static const st_kernels_f64 st_generic_f64 = {st_dukr_generic, NULL, NULL};
#if defined(__x86_64__) || defined(__i386__)
static const st_kernels_f32 st_avx2_f32 = {st_sukr_avx2, st_spack_a_avx2, st_spack_b_avx2};
static const st_kernels_f64 st_avx2_f64 = {st_dukr_avx2, NULL, NULL};
#endif
#if defined(__aarch64__)
static const st_kernels_f32 st_neon_f32 = {st_sukr_neon, NULL, NULL};
static const st_kernels_f64 st_neon_f64 = {st_dukr_neon, NULL, NULL};
#endif

void st_sgemm(int transA, int transB, long M, long N, long K, float alpha, const float *A,
              long lda, const float *B, long ldb, float beta, float *C, long ldc) {
    const st_kernels_f32 *kern = &st_generic_f32;
    switch (st_kernel_isa()) {
#if defined(__x86_64__) || defined(__i386__)
    case 1: kern = &st_avx2_f32; break;
#endif
#if defined(__aarch64__)
    case 2: kern = &st_neon_f32; break;
#endif
    default: break;
    }
    gemm_f32(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, kern);
}

void st_dgemm(int transA, int transB, long M, long N, long K, double alpha, const double *A,
              long lda, const double *B, long ldb, double beta, double *C, long ldc) {
    const st_kernels_f64 *kern = &st_generic_f64;
    switch (st_kernel_isa()) {
#if defined(__x86_64__) || defined(__i386__)
    case 1: kern = &st_avx2_f64; break;
#endif
#if defined(__aarch64__)
    case 2: kern = &st_neon_f64; break;
#endif
    default: break;
    }
    gemm_f64(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, kern);
}
