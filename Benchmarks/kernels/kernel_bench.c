// Standalone test + benchmark for the CTorchKernels C target (no Swift needed).
//
// Build and run from the package root:
//   clang -O2 -I Sources/CTorchKernels/include Sources/CTorchKernels/*.c Benchmarks/kernels/kernel_bench.c -lpthread -lm -o /tmp/kernel_bench
//   /tmp/kernel_bench            # tests (SIMD and generic paths), then benchmarks
//   /tmp/kernel_bench --test     # tests only
//   /tmp/kernel_bench --bench    # benchmarks only
// Benchmarks/kernels/torch_mm_bench.py times the same shapes with PyTorch.
//
// The generic path is tested in a forked child with SWIFTTORCH_KERNEL=generic, because the
// kernel family is chosen once per process.

#include "CTorchKernels.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int failures = 0;
#define CHECK(cond, ...)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            failures++;                                                                       \
            if (failures < 20) { printf("FAIL %s:%d: ", __FILE__, __LINE__);                 \
                                 printf(__VA_ARGS__); printf("\n"); }                         \
        }                                                                                     \
    } while (0)

static unsigned long long rng_state = 88172645463325252ull;
static double urand(void) { /* xorshift64, uniform in [-1, 1) */
    rng_state ^= rng_state << 13, rng_state ^= rng_state >> 7, rng_state ^= rng_state << 17;
    return (double)(rng_state >> 11) / 4503599627370496.0 - 1.0;
}
static long irand(long lo, long hi) { return lo + (long)((urand() + 1) / 2 * (hi - lo + 1)); }

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- GEMM tests ------------------------------------------------------------------------- */

/* Reference in double, plus the sum of |terms| to scale the tolerance. */
static void ref_gemm(int ta, int tb, long M, long N, long K, double alpha, const float *A,
                     long lda, const float *B, long ldb, double beta, const float *C0, long ldc,
                     double *R, double *mag) {
    for (long i = 0; i < M; i++)
        for (long j = 0; j < N; j++) {
            double s = 0, m = 0;
            for (long p = 0; p < K; p++) {
                double a = ta ? A[p * lda + i] : A[i * lda + p];
                double b = tb ? B[j * ldb + p] : B[p * ldb + j];
                s += a * b, m += fabs(a * b);
            }
            double c = C0[i * ldc + j];
            R[i * N + j] = alpha * s + (beta == 0 ? 0 : beta * c);
            mag[i * N + j] = fabs(alpha) * m + (beta == 0 ? 0 : fabs(beta * c));
        }
}

/* One random sgemm (and the same in dgemm) against the reference; returns 1 if it passed. */
static int check_gemm(int ta, int tb, long M, long N, long K, float alpha, float beta) {
    long lda = (ta ? M : K) + irand(0, 3), ldb = (tb ? K : N) + irand(0, 3);
    long ldc = N + irand(0, 3);
    long arows = ta ? K : M, brows = tb ? N : K;
    float *A = malloc(sizeof(float) * (arows * lda + 1)), *B = malloc(sizeof(float) * (brows * ldb + 1));
    float *C = malloc(sizeof(float) * (M * ldc + 1)), *C0 = malloc(sizeof(float) * (M * ldc + 1));
    double *Ad = malloc(sizeof(double) * (arows * lda + 1)), *Bd = malloc(sizeof(double) * (brows * ldb + 1));
    double *Cd = malloc(sizeof(double) * (M * ldc + 1));
    double *R = malloc(sizeof(double) * (M * N + 1)), *mag = malloc(sizeof(double) * (M * N + 1));
    for (long i = 0; i < arows * lda; i++) A[i] = (float)urand(), Ad[i] = A[i];
    for (long i = 0; i < brows * ldb; i++) B[i] = (float)urand(), Bd[i] = B[i];
    for (long i = 0; i < M * ldc; i++) C0[i] = beta == 0 ? NAN : (float)urand();
    memcpy(C, C0, sizeof(float) * M * ldc);
    for (long i = 0; i < M * ldc; i++) Cd[i] = C0[i];
    ref_gemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C0, ldc, R, mag);
    st_sgemm(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
    st_dgemm(ta, tb, M, N, K, alpha, Ad, lda, Bd, ldb, beta, Cd, ldc);
    int ok = 1;
    for (long i = 0; i < M && ok; i++) {
        for (long j = 0; j < N; j++) {
            double r = R[i * N + j], tol = 1e-6 * (mag[i * N + j] + 1) * (1 + sqrt((double)K));
            if (!(fabs(C[i * ldc + j] - r) <= tol) || !(fabs(Cd[i * ldc + j] - r) <= tol * 1e-7)) {
                CHECK(0, "gemm ta=%d tb=%d M=%ld N=%ld K=%ld alpha=%g beta=%g at (%ld,%ld): "
                      "s=%g d=%.17g ref=%.17g", ta, tb, M, N, K, alpha, beta, i, j,
                      C[i * ldc + j], Cd[i * ldc + j], r);
                ok = 0;
                break;
            }
        }
        /* The padding between rows of C must be untouched. */
        for (long j = N; j < ldc && ok; j++)
            if (memcmp(&C[i * ldc + j], &C0[i * ldc + j], sizeof(float)) != 0) {
                CHECK(0, "gemm wrote C padding at (%ld,%ld)", i, j);
                ok = 0;
            }
    }
    free(A), free(B), free(C), free(C0), free(Ad), free(Bd), free(Cd), free(R), free(mag);
    return ok;
}

static void test_gemm(void) {
    int ntests = 0, threads = st_get_num_threads();
    long fixed[][3] = {{1, 1, 1}, {6, 16, 1}, {7, 17, 3}, {5, 15, 300}, {12, 32, 256},
                       {13, 33, 257}, {2400, 6, 25}, {1600, 12, 150}, {128, 10, 256},
                       {6, 25, 2400}, {25, 6, 2400}, {2400, 25, 6}, {12, 150, 1600},
                       {128, 256, 10}, {10, 256, 128}, {121, 2049, 40}, {3, 700, 70},
                       {700, 3, 70}, {17, 16, 600}, {250, 250, 513}, {1, 300, 5}, {300, 1, 5}};
    float ab[][2] = {{1, 0}, {1, 1}, {-0.5f, 0}, {2, 0.25f}, {0, 0.5f}, {1, -1}};
    for (int f = 0; f < (int)(sizeof fixed / sizeof fixed[0]); f++)
        for (int t = 0; t < 4; t++) {
            float *x = ab[(f + t) % 6];
            check_gemm(t & 1, t >> 1, fixed[f][0], fixed[f][1], fixed[f][2], x[0], x[1]);
            ntests++;
        }
    for (int it = 0; it < 300; it++) {
        long M = irand(1, it % 3 ? 40 : 200), N = irand(1, it % 5 ? 40 : 300);
        long K = irand(0, it % 7 ? 50 : 600);
        float *x = ab[irand(0, 5)];
        check_gemm(it & 1, (it >> 1) & 1, M, N, K, x[0], x[1]);
        ntests++;
    }
    for (int nt = 1; nt <= 3; nt++) { /* the multithreaded split, with odd thread counts */
        st_set_num_threads(nt);
        check_gemm(0, 0, 301, 299, 97, 1, 0), check_gemm(1, 1, 37, 777, 300, 1, 1);
        check_gemm(0, 1, 999, 13, 200, 1, 0), check_gemm(1, 0, 11, 1000, 311, 1, 0);
        ntests += 4;
    }
    st_set_num_threads(threads);
    /* M or N zero must be a no-op; K zero scales C. */
    float c[4] = {1, 2, 3, 4};
    st_sgemm(0, 0, 2, 2, 0, 1, NULL, 1, NULL, 2, 0.5f, c, 2);
    CHECK(c[0] == 0.5f && c[3] == 2.0f, "K=0 must scale C by beta");
    st_sgemm(0, 0, 0, 2, 3, 1, NULL, 3, NULL, 2, 0, c, 2);
    CHECK(c[0] == 0.5f, "M=0 must not touch C");
    printf("  gemm: %d random and edge cases (all transpose pairs, float and double)\n", ntests);
}

/* The same GEMM at several thread counts must give identical bits. */
static void test_thread_invariance(void) {
    long shapes[][3] = {{512, 512, 512}, {1000, 300, 700}, {2400, 6, 25}, {6, 2400, 500},
                        {128, 10, 256}, {333, 1024, 129}, {50, 3000, 300}};
    int saved = st_get_num_threads(), n = 0;
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++)
        for (int t = 0; t < 4; t++) {
            long M = shapes[s][0], N = shapes[s][1], K = shapes[s][2];
            int ta = t & 1, tb = t >> 1;
            float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
            float *C0 = malloc(sizeof(float) * M * N), *C1 = malloc(sizeof(float) * M * N);
            float *C2 = malloc(sizeof(float) * M * N);
            for (long i = 0; i < M * K; i++) A[i] = (float)urand();
            for (long i = 0; i < K * N; i++) B[i] = (float)urand();
            for (long i = 0; i < M * N; i++) C0[i] = (float)urand();
            memcpy(C1, C0, sizeof(float) * M * N);
            st_set_num_threads(1);
            st_sgemm(ta, tb, M, N, K, 0.7f, A, ta ? M : K, B, tb ? K : N, 0.3f, C1, N);
            for (int nt = 2; nt <= 5; nt++) {
                memcpy(C2, C0, sizeof(float) * M * N);
                st_set_num_threads(nt);
                st_sgemm(ta, tb, M, N, K, 0.7f, A, ta ? M : K, B, tb ? K : N, 0.3f, C2, N);
                CHECK(memcmp(C1, C2, sizeof(float) * M * N) == 0,
                      "threads=%d changed bits for %ldx%ldx%ld ta=%d tb=%d", nt, M, N, K, ta, tb);
                n++;
            }
            free(C0);
            free(A), free(B), free(C1), free(C2);
        }
    st_set_num_threads(saved);
    printf("  gemm: %d thread-count comparisons bit-identical\n", n);
}

/* ---- Convolution helper tests ------------------------------------------------------------- */

static void test_im2col(void) {
    int n = 0;
    for (int it = 0; it < 60; it++) {
        long C = irand(1, 3), H = irand(1, 9), W = irand(1, 9), kh = irand(1, 4), kw = irand(1, 4);
        long ph = irand(0, 2), pw = irand(0, 2), sh = irand(1, 3), sw = irand(1, 3);
        long dh = irand(1, 2), dw = irand(1, 2);
        long oh = (H + 2 * ph - dh * (kh - 1) - 1), ow = (W + 2 * pw - dw * (kw - 1) - 1);
        if (oh < 0 || ow < 0) continue;
        oh = oh / sh + 1, ow = ow / sw + 1;
        long rows = C * kh * kw, L = oh * ow;
        float *img = malloc(sizeof(float) * C * H * W), *cols = malloc(sizeof(float) * rows * L);
        float *y = malloc(sizeof(float) * rows * L), *back = calloc(C * H * W, sizeof(float));
        double *imgd = malloc(sizeof(double) * C * H * W), *colsd = malloc(sizeof(double) * rows * L);
        double *yd = malloc(sizeof(double) * rows * L), *backd = calloc(C * H * W, sizeof(double));
        for (long i = 0; i < C * H * W; i++) img[i] = (float)urand(), imgd[i] = img[i];
        for (long i = 0; i < rows * L; i++) y[i] = (float)urand(), yd[i] = y[i];
        st_im2col_f32(img, C, H, W, kh, kw, ph, pw, sh, sw, dh, dw, cols);
        st_im2col_f64(imgd, C, H, W, kh, kw, ph, pw, sh, sw, dh, dw, colsd);
        for (long c = 0; c < C; c++)
            for (long i = 0; i < kh; i++)
                for (long j = 0; j < kw; j++)
                    for (long a = 0; a < oh; a++)
                        for (long b = 0; b < ow; b++) {
                            long r = (c * kh + i) * kw + j, h = a * sh - ph + i * dh, w = b * sw - pw + j * dw;
                            float want = (h >= 0 && h < H && w >= 0 && w < W) ? img[(c * H + h) * W + w] : 0;
                            CHECK(cols[r * L + a * ow + b] == want && colsd[r * L + a * ow + b] == want,
                                  "im2col mismatch");
                        }
        /* col2im is the adjoint: <im2col(x), y> == <x, col2im(y)>. */
        st_col2im_f32(y, C, H, W, kh, kw, ph, pw, sh, sw, dh, dw, back);
        st_col2im_f64(yd, C, H, W, kh, kw, ph, pw, sh, sw, dh, dw, backd);
        double lhs = 0, rhs = 0, rhsd = 0;
        for (long i = 0; i < rows * L; i++) lhs += (double)cols[i] * y[i];
        for (long i = 0; i < C * H * W; i++) rhs += (double)img[i] * back[i], rhsd += imgd[i] * backd[i];
        CHECK(fabs(lhs - rhs) < 1e-4 * (1 + fabs(lhs)) && fabs(lhs - rhsd) < 1e-9 * (1 + fabs(lhs)),
              "col2im is not the adjoint of im2col (%g vs %g)", lhs, rhs);
        free(img), free(cols), free(y), free(back), free(imgd), free(colsd), free(yd), free(backd);
        n++;
    }
    printf("  im2col/col2im: %d random geometries\n", n);
}

static void test_maxpool(void) {
    int n = 0;
    for (int it = 0; it < 60; it++) {
        long P = irand(1, 4), H = irand(1, 10), W = irand(1, 10), kh = irand(1, 3), kw = irand(1, 3);
        long sh = irand(1, 3), sw = irand(1, 3), dh = irand(1, 2), dw = irand(1, 2);
        long ph = irand(0, kh / 2), pw = irand(0, kw / 2);
        int ceil_mode = it & 1;
        long eh = H + 2 * ph - dh * (kh - 1) - 1, ew = W + 2 * pw - dw * (kw - 1) - 1;
        if (eh < 0 || ew < 0) continue;
        long oh = (ceil_mode ? (eh + sh - 1) / sh : eh / sh) + 1;
        long ow = (ceil_mode ? (ew + sw - 1) / sw : ew / sw) + 1;
        /* PyTorch drops a last window that would start inside the right padding. */
        if (ceil_mode && (oh - 1) * sh >= H + ph) oh--;
        if (ceil_mode && (ow - 1) * sw >= W + pw) ow--;
        float *x = malloc(sizeof(float) * P * H * W), *y = malloc(sizeof(float) * P * oh * ow);
        double *xd = malloc(sizeof(double) * P * H * W), *yd = malloc(sizeof(double) * P * oh * ow);
        int64_t *idx = malloc(sizeof(int64_t) * P * oh * ow), *idxd = malloc(sizeof(int64_t) * P * oh * ow);
        for (long i = 0; i < P * H * W; i++) x[i] = (float)irand(-3, 3), xd[i] = x[i]; /* ties */
        if (it % 5 == 0) x[irand(0, P * H * W - 1)] = NAN;
        for (long i = 0; i < P * H * W; i++) xd[i] = x[i];
        st_maxpool2d_f32(x, P, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, y, idx);
        st_maxpool2d_f64(xd, P, H, W, oh, ow, kh, kw, sh, sw, ph, pw, dh, dw, yd, idxd);
        for (long p = 0; p < P; p++)
            for (long a = 0; a < oh; a++)
                for (long b = 0; b < ow; b++) {
                    float best = -INFINITY;
                    long bi = -1;
                    for (long i = 0; i < kh; i++)
                        for (long j = 0; j < kw; j++) {
                            long h = a * sh - ph + i * dh, w = b * sw - pw + j * dw;
                            if (h < 0 || h >= H || w < 0 || w >= W) continue;
                            float v = x[p * H * W + h * W + w];
                            if (bi < 0) bi = h * W + w; /* PyTorch starts at the first tap */
                            if (v > best || isnan(v)) best = v, bi = h * W + w;
                        }
                    long o = p * oh * ow + a * ow + b;
                    int same = isnan(best) ? isnan(y[o]) && isnan(yd[o]) : (y[o] == best && yd[o] == best);
                    /* A window wholly in the padding gives -inf and PyTorch's out-of-plane index. */
                    CHECK(same && (bi < 0 || (idx[o] == bi && idxd[o] == bi)),
                          "maxpool mismatch at %ld", o);
                }
        float *gx = calloc(P * H * W, sizeof(float));
        double *gxd = calloc(P * H * W, sizeof(double));
        for (long o = 0; o < P * oh * ow; o++) y[o] = 1, yd[o] = 1;
        st_maxpool2d_backward_f32(y, idx, P, H, W, oh, ow, gx);
        st_maxpool2d_backward_f64(yd, idxd, P, H, W, oh, ow, gxd);
        double total = 0, want = 0;
        for (long i = 0; i < P * H * W; i++) total += gx[i] + gxd[i];
        for (long o = 0; o < P * oh * ow; o++) want += (idx[o] >= 0 && idx[o] < H * W) * 2;
        CHECK(total == want, "maxpool backward lost gradient");
        free(x), free(y), free(xd), free(yd), free(idx), free(idxd), free(gx), free(gxd);
        n++;
    }
    printf("  maxpool2d: %d random geometries (ties, NaN, ceil mode)\n", n);
}

static int run_tests(const char *label) {
    failures = 0;
    printf("tests [%s, isa=%d, threads=%d]\n", label, st_kernel_isa(), st_get_num_threads());
    test_gemm();
    test_thread_invariance();
    test_im2col();
    test_maxpool();
    printf("  %s: %s (%d failures)\n", label, failures ? "FAILED" : "ok", failures);
    return failures;
}

/* ---- Benchmarks --------------------------------------------------------------------------- */

/* Best-of-15 time of one sgemm, in seconds. Short trials (about 1 ms) and the minimum keep
 * the figure meaningful on a machine shared with other work. */
static double time_sgemm(int ta, int tb, long M, long N, long K, float *A, float *B, float *C) {
    double flops = 2.0 * M * N * K, best = 1e30;
    long reps = (long)(1e8 / flops) + 1;
    for (long r = 0; r < 2; r++)
        st_sgemm(ta, tb, M, N, K, 1, A, ta ? M : K, B, tb ? K : N, 0, C, N);
    for (int trial = 0; trial < 15; trial++) {
        double t0 = now();
        for (long r = 0; r < reps; r++)
            st_sgemm(ta, tb, M, N, K, 1, A, ta ? M : K, B, tb ? K : N, 0, C, N);
        double t = (now() - t0) / reps;
        if (t < best) best = t;
    }
    return best;
}

static void bench(void) {
    struct { long M, N, K; int ta, tb; } shapes[] = {
        {256, 256, 256, 0, 0}, {512, 512, 512, 0, 0}, {1024, 1024, 1024, 0, 0},
        {2048, 2048, 2048, 0, 0}, {1024, 1024, 1024, 1, 0}, {1024, 1024, 1024, 0, 1},
        {2400, 6, 25, 0, 0}, {2400, 6, 25, 1, 0}, {2400, 6, 25, 0, 1},
        {2400, 25, 6, 0, 0}, {6, 25, 2400, 0, 0}, {6, 25, 2400, 0, 1}, {6, 25, 2400, 1, 0},
        {1600, 12, 150, 0, 0}, {1600, 12, 150, 1, 0}, {1600, 12, 150, 0, 1},
        {1600, 150, 12, 0, 0}, {12, 150, 1600, 0, 0}, {12, 150, 1600, 0, 1}, {12, 150, 1600, 1, 0},
        {128, 10, 256, 0, 0}, {128, 10, 256, 1, 0}, {128, 10, 256, 0, 1},
        {128, 256, 10, 0, 0}, {10, 256, 128, 0, 0}, {10, 256, 128, 1, 0},
    };
    int saved = st_get_num_threads();
    printf("sgemm benchmarks (isa=%d), GFLOP/s and microseconds per call\n", st_kernel_isa());
    printf("%-22s %16s %16s\n", "MxNxK op", "1 thread", "2 threads");
    for (int s = 0; s < (int)(sizeof shapes / sizeof shapes[0]); s++) {
        long M = shapes[s].M, N = shapes[s].N, K = shapes[s].K;
        float *A = malloc(sizeof(float) * M * K), *B = malloc(sizeof(float) * K * N);
        float *C = malloc(sizeof(float) * M * N);
        for (long i = 0; i < M * K; i++) A[i] = (float)urand();
        for (long i = 0; i < K * N; i++) B[i] = (float)urand();
        char name[64];
        snprintf(name, sizeof name, "%ldx%ldx%ld %c%c", M, N, K, shapes[s].ta ? 'T' : 'N',
                 shapes[s].tb ? 'T' : 'N');
        printf("%-22s", name);
        for (int nt = 1; nt <= 2; nt++) {
            st_set_num_threads(nt);
            double t = time_sgemm(shapes[s].ta, shapes[s].tb, M, N, K, A, B, C);
            printf("  %6.1f %7.1fus", 2.0 * M * N * K / t * 1e-9, t * 1e6);
        }
        printf("\n");
        fflush(stdout);
        free(A), free(B), free(C);
    }
    /* Double is used for gradient checks; a couple of sizes show it is not a bottleneck. */
    long dsizes[] = {256, 1024};
    for (int s = 0; s < 2; s++) {
        long n = dsizes[s];
        double *A = malloc(sizeof(double) * n * n), *B = malloc(sizeof(double) * n * n);
        double *C = malloc(sizeof(double) * n * n);
        for (long i = 0; i < n * n; i++) A[i] = urand(), B[i] = urand();
        printf("dgemm %ldx%ldx%ld NN   ", n, n, n);
        for (int nt = 1; nt <= 2; nt++) {
            st_set_num_threads(nt);
            double best = 1e30;
            for (int trial = 0; trial < 7; trial++) {
                double t0 = now();
                st_dgemm(0, 0, n, n, n, 1, A, n, B, n, 0, C, n);
                double t = now() - t0;
                if (t < best) best = t;
            }
            printf("  %6.1f %7.1fus", 2.0 * n * n * n / best * 1e-9, best * 1e6);
        }
        printf("\n");
        free(A), free(B), free(C);
    }
    st_set_num_threads(saved);
}

int main(int argc, char **argv) {
    int test = 1, run_bench = 1;
    if (argc > 1 && strcmp(argv[1], "--test") == 0) run_bench = 0;
    if (argc > 1 && strcmp(argv[1], "--bench") == 0) test = 0;
    int status = 0;
    if (test) {
        /* Fork before any kernel call, so the child chooses its kernel family afresh. */
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            setenv("SWIFTTORCH_KERNEL", "generic", 1);
            exit(run_tests("generic") ? 1 : 0);
        }
        int child = 0;
        waitpid(pid, &child, 0);
        status |= !(WIFEXITED(child) && WEXITSTATUS(child) == 0);
        if (run_tests("default")) status = 1;
        printf("%s\n", status ? "SOME TESTS FAILED" : "all tests passed");
    }
    if (run_bench) bench();
    return status;
}
