/*
 * The cache-blocked GEMM driver, written once and included by gemm.c for float and double
 * (C has no templates). Before including, define:
 *   ST_T                 element type
 *   ST_FN(name)          name mangling, e.g. name##_f32
 *   ST_MR, ST_NR         register tile of the micro-kernels
 *   ST_KC, ST_MC, ST_NC  cache blocks: a KC x NR panel of B stays in L1, an MC x KC block of
 *                        A in L2, a KC x NC block of B in L3 (the BLIS/GotoBLAS scheme)
 *   ST_KERNELS           kernel-set type (st_internal.h): micro-kernel and optional packers
 *   ST_FN(st_ukr)        its micro-kernel pointer type
 *   ST_DIRECT_N          when N is at most this, A is read in place, not packed
 *   ST_PAR_FLOPS         below this many flops a GEMM stays on one thread
 *
 * Every matrix is addressed through a (row stride, column stride) pair, so transposes cost
 * nothing but swapped strides.
 */

typedef struct {
    long M, N, K;
    const ST_T *A; long rsa, csa; /* A(i, p) = A[i*rsa + p*csa] */
    const ST_T *B; long rsb, csb; /* B(p, j) = B[p*rsb + j*csb] */
    ST_T *C; long rsc, csc;       /* C(i, j) = C[i*rsc + j*csc] */
    ST_T alpha, beta;
    long kstep;                   /* K block; depends on K only, so on no thread split */
    int packA;
    const ST_KERNELS *kern;
} ST_FN(gemm_problem);

/* Packs a kc x nc block of B into NR-wide panels, B(p, j) -> bp[panel][p*NR + j]. */
static void ST_FN(pack_b)(const ST_KERNELS *kern, long kc, long nc, const ST_T *restrict B,
                          long rsb, long csb, ST_T *restrict bp) {
    if (csb == 1) {
        /* Rows of B are contiguous: walk them in order (one stream the prefetcher follows)
         * and scatter each row across the panels. */
        long full = nc / ST_NR * ST_NR;
        for (long p = 0; p < kc; p++) {
            const ST_T *restrict s = B + p * rsb;
            ST_T *restrict d = bp + p * ST_NR;
            for (long j0 = 0; j0 < full; j0 += ST_NR, d += kc * ST_NR)
                for (long j = 0; j < ST_NR; j++) d[j] = s[j0 + j];
            if (full < nc) {
                for (long j = 0; j < nc - full; j++) d[j] = s[full + j];
                for (long j = nc - full; j < ST_NR; j++) d[j] = 0;
            }
        }
        return;
    }
    for (long j0 = 0; j0 < nc; j0 += ST_NR, bp += kc * ST_NR) {
        long nr = nc - j0 < ST_NR ? nc - j0 : ST_NR;
        const ST_T *restrict src = B + j0 * csb;
        if (rsb == 1 && nr == ST_NR && kern->pack_b_t) {
            kern->pack_b_t(kc, src, csb, bp); /* SIMD transposes */
        } else {
            /* Column j of the panel is contiguous in p when rsb == 1: read it in a stream. */
            for (long j = 0; j < nr; j++) {
                const ST_T *s = src + j * csb;
                for (long p = 0; p < kc; p++) bp[p * ST_NR + j] = s[p * rsb];
            }
            for (long j = nr; j < ST_NR; j++)
                for (long p = 0; p < kc; p++) bp[p * ST_NR + j] = 0;
        }
    }
}

/* Packs an mc x kc block of A into MR-tall panels, A(i, p) -> ap[panel][p*MR + i]. */
static void ST_FN(pack_a)(const ST_KERNELS *kern, long mc, long kc, const ST_T *restrict A,
                          long rsa, long csa, ST_T *restrict ap) {
    for (long i0 = 0; i0 < mc; i0 += ST_MR, ap += kc * ST_MR) {
        long mr = mc - i0 < ST_MR ? mc - i0 : ST_MR;
        const ST_T *restrict src = A + i0 * rsa;
        if (rsa == 1) {
            for (long p = 0; p < kc; p++) {
                const ST_T *restrict s = src + p * csa;
                ST_T *restrict d = ap + p * ST_MR;
                if (mr == ST_MR) { /* a fixed trip count the compiler unrolls */
                    for (long i = 0; i < ST_MR; i++) d[i] = s[i];
                } else {
                    for (long i = 0; i < mr; i++) d[i] = s[i];
                    for (long i = mr; i < ST_MR; i++) d[i] = 0;
                }
            }
        } else if (csa == 1 && mr == ST_MR && kern->pack_a_t) {
            kern->pack_a_t(kc, src, rsa, ap); /* SIMD transposes */
        } else {
            for (long i = 0; i < mr; i++) {
                const ST_T *s = src + i * rsa;
                for (long p = 0; p < kc; p++) ap[p * ST_MR + i] = s[p * csa];
            }
            for (long i = mr; i < ST_MR; i++)
                for (long p = 0; p < kc; p++) ap[p * ST_MR + i] = 0;
        }
    }
}

/* Used only if scratch allocation fails: slow but needs no memory. */
static void ST_FN(gemm_naive)(const ST_FN(gemm_problem) *pr, long m0, long m1, long n0,
                              long n1) {
    for (long i = m0; i < m1; i++)
        for (long j = n0; j < n1; j++) {
            ST_T acc = 0;
            for (long p = 0; p < pr->K; p++)
                acc += pr->A[i * pr->rsa + p * pr->csa] * pr->B[p * pr->rsb + j * pr->csb];
            ST_T *c = pr->C + i * pr->rsc + j * pr->csc;
            *c = pr->beta == 0 ? pr->alpha * acc : pr->alpha * acc + pr->beta * *c;
        }
}

/* Computes the block C[m0:m1, n0:n1] on the calling thread. */
static void ST_FN(gemm_block)(const ST_FN(gemm_problem) *pr, long m0, long m1, long n0,
                              long n1) {
    const long K = pr->K, kstep = pr->kstep;
    long nmax = n1 - n0 < ST_NC ? n1 - n0 : ST_NC;
    nmax = (nmax + ST_NR - 1) / ST_NR * ST_NR;
    ST_T *bp = st_scratch(0, sizeof(ST_T) * (size_t)(kstep * nmax));
    ST_T *ap = pr->packA ? st_scratch(1, sizeof(ST_T) * (size_t)(ST_MC * kstep)) : NULL;
    if (!bp || (pr->packA && !ap)) {
        ST_FN(gemm_naive)(pr, m0, m1, n0, n1);
        return;
    }
    const ST_FN(st_ukr) ukr = pr->kern->ukr;
    for (long jc = n0; jc < n1; jc += ST_NC) {
        long nc = n1 - jc < ST_NC ? n1 - jc : ST_NC;
        for (long pc = 0; pc < K; pc += kstep) {
            long kc = K - pc < kstep ? K - pc : kstep;
            /* The first K block applies beta; later ones accumulate into C. */
            ST_T beta = pc == 0 ? pr->beta : (ST_T)1;
            ST_FN(pack_b)(pr->kern, kc, nc, pr->B + pc * pr->rsb + jc * pr->csb, pr->rsb,
                          pr->csb, bp);
            for (long ic = m0; ic < m1; ic += ST_MC) {
                long mc = m1 - ic < ST_MC ? m1 - ic : ST_MC;
                const ST_T *a = pr->A + ic * pr->rsa + pc * pr->csa;
                long rsa = pr->rsa, csa = pr->csa, panel = ST_MR * rsa;
                if (pr->packA) {
                    ST_FN(pack_a)(pr->kern, mc, kc, a, rsa, csa, ap);
                    a = ap, rsa = 1, csa = ST_MR, panel = ST_MR * kc;
                }
                for (long jr = 0; jr < nc; jr += ST_NR) {
                    int nr = (int)(nc - jr < ST_NR ? nc - jr : ST_NR);
                    const ST_T *b = bp + jr * kc;
                    ST_T *c = pr->C + ic * pr->rsc + (jc + jr) * pr->csc;
                    for (long ir = 0; ir < mc; ir += ST_MR) {
                        int mr = (int)(mc - ir < ST_MR ? mc - ir : ST_MR);
                        ukr(kc, a + (ir / ST_MR) * panel, rsa, csa, b, c + ir * pr->rsc,
                            pr->rsc, pr->csc, mr, nr, pr->alpha, beta);
                    }
                }
            }
        }
    }
}

typedef struct {
    const ST_FN(gemm_problem) *pr;
    long tn, mstep, nstep;
} ST_FN(gemm_split);

static void ST_FN(gemm_task)(void *ctx, long t) {
    const ST_FN(gemm_split) *s = ctx;
    long m0 = (t / s->tn) * s->mstep, n0 = (t % s->tn) * s->nstep;
    long m1 = m0 + s->mstep < s->pr->M ? m0 + s->mstep : s->pr->M;
    long n1 = n0 + s->nstep < s->pr->N ? n0 + s->nstep : s->pr->N;
    if (m0 < m1 && n0 < n1) ST_FN(gemm_block)(s->pr, m0, m1, n0, n1);
}

/* C = beta * C, with beta == 0 writing exact zeros (old NaNs must not survive). */
static void ST_FN(scale_c)(long M, long N, ST_T beta, ST_T *C, long ldc) {
    for (long i = 0; i < M; i++) {
        ST_T *c = C + i * ldc;
        if (beta == 0) for (long j = 0; j < N; j++) c[j] = 0;
        else if (beta != 1) for (long j = 0; j < N; j++) c[j] *= beta;
    }
}

static void ST_FN(gemm)(int transA, int transB, long M, long N, long K, ST_T alpha,
                        const ST_T *A, long lda, const ST_T *B, long ldb, ST_T beta, ST_T *C,
                        long ldc, const ST_KERNELS *kern) {
    if (M <= 0 || N <= 0) return;
    if (K <= 0 || alpha == 0) {
        ST_FN(scale_c)(M, N, beta, C, ldc);
        return;
    }
    ST_FN(gemm_problem) pr = {M, N, K, A, transA ? 1 : lda, transA ? lda : 1,
                              B, transB ? 1 : ldb, transB ? ldb : 1, C, ldc, 1,
                              alpha, beta, 0, 0, kern};
    pr.packA = pr.N > ST_DIRECT_N;
    long kblocks = (K + ST_KC - 1) / ST_KC;
    pr.kstep = (K + kblocks - 1) / kblocks;

    /* Split C into tm x tn thread blocks, aligned to the register tile, choosing the split
     * with the least per-thread work (padded tile area plus packing). */
    long threads = st_get_num_threads();
    double flops = 2.0 * (double)M * (double)N * (double)K;
    if (flops < ST_PAR_FLOPS) threads = 1;
    else if (threads > flops / (ST_PAR_FLOPS / 2)) threads = (long)(flops / (ST_PAR_FLOPS / 2));
    long best_tm = 1, best_tn = 1;
    double best = -1;
    for (long tm = threads; tm >= 1; tm--) {
        long tn = threads / tm;
        long ms = ((pr.M + tm - 1) / tm + ST_MR - 1) / ST_MR * ST_MR;
        long ns = ((pr.N + tn - 1) / tn + ST_NR - 1) / ST_NR * ST_NR;
        double cost = (double)ms * ns + 4.0 * (ns + (pr.packA ? ms : 0));
        if (best < 0 || cost < best) best = cost, best_tm = tm, best_tn = tn;
    }
    ST_FN(gemm_split) split = {&pr, best_tn,
                               ((pr.M + best_tm - 1) / best_tm + ST_MR - 1) / ST_MR * ST_MR,
                               ((pr.N + best_tn - 1) / best_tn + ST_NR - 1) / ST_NR * ST_NR};
    if (best_tm * best_tn == 1) ST_FN(gemm_block)(&pr, 0, pr.M, 0, pr.N);
    else st_parallel_run(best_tm * best_tn, ST_FN(gemm_task), &split);
}
