/*
 * Portable micro-kernels in plain C: always correct, on any CPU, and the reference the SIMD
 * kernels are tested against. Fixed trip counts let the compiler vectorize the inner loops.
 */
#include "st_internal.h"

void st_sukr_generic(long k, const float *a, long rsa, long csa, const float *b, float *c,
                     long rsc, long csc, int m, int n, float alpha, float beta) {
    float acc[ST_SMR][ST_SNR] = {{0}};
    const float *row[ST_SMR];
    /* Rows past m re-read row 0, so no address outside A is touched. */
    for (int i = 0; i < ST_SMR; i++) row[i] = a + (i < m ? i : 0) * rsa;
    for (long p = 0; p < k; p++) {
        const float *bp = b + p * ST_SNR;
        for (int i = 0; i < ST_SMR; i++) {
            float ai = row[i][p * csa];
            for (int j = 0; j < ST_SNR; j++) acc[i][j] += ai * bp[j];
        }
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            float *cij = c + i * rsc + j * csc;
            float v = alpha * acc[i][j];
            *cij = beta == 0 ? v : v + beta * *cij;
        }
}

void st_dukr_generic(long k, const double *a, long rsa, long csa, const double *b, double *c,
                     long rsc, long csc, int m, int n, double alpha, double beta) {
    double acc[ST_DMR][ST_DNR] = {{0}};
    const double *row[ST_DMR];
    for (int i = 0; i < ST_DMR; i++) row[i] = a + (i < m ? i : 0) * rsa;
    for (long p = 0; p < k; p++) {
        const double *bp = b + p * ST_DNR;
        for (int i = 0; i < ST_DMR; i++) {
            double ai = row[i][p * csa];
            for (int j = 0; j < ST_DNR; j++) acc[i][j] += ai * bp[j];
        }
    }
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double *cij = c + i * rsc + j * csc;
            double v = alpha * acc[i][j];
            *cij = beta == 0 ? v : v + beta * *cij;
        }
}
