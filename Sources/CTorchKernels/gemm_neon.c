/*
 * NEON micro-kernels (AArch64). Same tiles as the AVX2 kernels: 6 x 16 floats in 24 q
 * registers, 6 x 8 doubles in 24. Each element gets the same fused multiply-add sequence
 * as on x86, so results match the AVX2 path bit for bit.
 */
#if defined(__aarch64__)

#include "st_internal.h"

#include <arm_neon.h>

void st_sukr_neon(long k, const float *a, long rsa, long csa, const float *b, float *c,
                  long rsc, long csc, int m, int n, float alpha, float beta) {
    const float *row[ST_SMR];
    for (int i = 0; i < ST_SMR; i++) row[i] = a + (i < m ? i : 0) * rsa;
    float32x4_t acc[ST_SMR][4];
    for (int i = 0; i < ST_SMR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f32(0);
    for (long p = 0; p < k; p++, b += ST_SNR) {
        float32x4_t b0 = vld1q_f32(b), b1 = vld1q_f32(b + 4);
        float32x4_t b2 = vld1q_f32(b + 8), b3 = vld1q_f32(b + 12);
        for (int i = 0; i < ST_SMR; i++) {
            float32x4_t t = vdupq_n_f32(row[i][p * csa]);
            acc[i][0] = vfmaq_f32(acc[i][0], t, b0);
            acc[i][1] = vfmaq_f32(acc[i][1], t, b1);
            acc[i][2] = vfmaq_f32(acc[i][2], t, b2);
            acc[i][3] = vfmaq_f32(acc[i][3], t, b3);
        }
    }
    float tile[ST_SMR][ST_SNR];
    for (int i = 0; i < ST_SMR; i++)
        for (int v = 0; v < 4; v++) vst1q_f32(tile[i] + 4 * v, acc[i][v]);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *cij = c + i * rsc + j * csc;
            float v = alpha * tile[i][j];
            *cij = beta == 0 ? v : __builtin_fmaf(beta, *cij, v);
        }
}

void st_dukr_neon(long k, const double *a, long rsa, long csa, const double *b, double *c,
                  long rsc, long csc, int m, int n, double alpha, double beta) {
    const double *row[ST_DMR];
    for (int i = 0; i < ST_DMR; i++) row[i] = a + (i < m ? i : 0) * rsa;
    float64x2_t acc[ST_DMR][4];
    for (int i = 0; i < ST_DMR; i++)
        for (int v = 0; v < 4; v++) acc[i][v] = vdupq_n_f64(0);
    for (long p = 0; p < k; p++, b += ST_DNR) {
        float64x2_t b0 = vld1q_f64(b), b1 = vld1q_f64(b + 2);
        float64x2_t b2 = vld1q_f64(b + 4), b3 = vld1q_f64(b + 6);
        for (int i = 0; i < ST_DMR; i++) {
            float64x2_t t = vdupq_n_f64(row[i][p * csa]);
            acc[i][0] = vfmaq_f64(acc[i][0], t, b0);
            acc[i][1] = vfmaq_f64(acc[i][1], t, b1);
            acc[i][2] = vfmaq_f64(acc[i][2], t, b2);
            acc[i][3] = vfmaq_f64(acc[i][3], t, b3);
        }
    }
    double tile[ST_DMR][ST_DNR];
    for (int i = 0; i < ST_DMR; i++)
        for (int v = 0; v < 4; v++) vst1q_f64(tile[i] + 2 * v, acc[i][v]);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double *cij = c + i * rsc + j * csc;
            double v = alpha * tile[i][j];
            *cij = beta == 0 ? v : __builtin_fma(beta, *cij, v);
        }
}

#else
/* Keeps this translation unit non-empty on other architectures (ISO C requires it). */
typedef int st_gemm_neon_unused;
#endif
