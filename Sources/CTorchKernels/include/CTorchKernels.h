/*
 * CTorchKernels: the C kernels beneath SwiftTorch (GEMM, im2col/col2im, max-pool).
 *
 * The only public header of the target. Plain C, no SIMD types: the SIMD code lives in
 * the .c files and is chosen at run time, so callers never need special compiler flags.
 *
 * All matrices are row-major with explicit leading dimensions (row strides), so views
 * (transposes, slices) can be passed without copying.
 */
#ifndef CTORCHKERNELS_H
#define CTORCHKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------------------
 * Matrix multiply
 * ---------------------------------------------------------------------------------------- */

/**
 * Single-precision GEMM, row-major: C = alpha * op(A) * op(B) + beta * C.
 *
 * C is M x N with row stride ldc. op(A) is M x K: A[i*lda + k] when transA == 0,
 * A[k*lda + i] when transA != 0. op(B) is K x N: B[k*ldb + j] when transB == 0,
 * B[j*ldb + k] when transB != 0. When beta == 0 the old contents of C are ignored
 * (NaN included). When K == 0 or alpha == 0, C = beta * C.
 *
 * Large problems run on the thread pool (see st_set_num_threads); results are bit-identical
 * for any thread count. Example (C = A * B for 2x3 times 3x4):
 *   st_sgemm(0, 0, 2, 4, 3, 1.0f, A, 3, B, 4, 0.0f, C, 4);
 */
void st_sgemm(int transA, int transB, long M, long N, long K, float alpha, const float *A,
              long lda, const float *B, long ldb, float beta, float *C, long ldc);

/**
 * Double-precision GEMM with the same conventions as st_sgemm.
 * Example (C = A^T * B, A stored 3x2):
 *   st_dgemm(1, 0, 2, 4, 3, 1.0, A, 2, B, 4, 0.0, C, 4);
 */
void st_dgemm(int transA, int transB, long M, long N, long K, double alpha, const double *A,
              long lda, const double *B, long ldb, double beta, double *C, long ldc);

/**
 * Which GEMM micro-kernel family is in use: 0 portable C, 1 AVX2+FMA, 2 NEON.
 * Chosen once from the CPU; SWIFTTORCH_KERNEL=generic in the environment forces 0.
 * Example: if (st_kernel_isa() == 1) puts("avx2");
 */
int st_kernel_isa(void);

/* ------------------------------------------------------------------------------------------
 * Threads
 * ---------------------------------------------------------------------------------------- */

/** A task of a parallel job: fn(ctx, task) for task in [0, ntasks). */
typedef void (*st_task_fn)(void *ctx, long task);

/**
 * Runs fn(ctx, t) for every t in [0, ntasks) and returns when all have finished. The caller
 * runs tasks too; at most st_get_num_threads() threads take part and tasks are handed out as
 * threads come free, so ntasks may exceed the thread count. When the pool is already busy (a
 * nested call from inside a task, or a second thread calling at the same time) the tasks
 * simply run in order on the calling thread, so no caller ever waits on another's job.
 * Swift's parallel loops (parallelChunks, forEachChunk) run here too: one pool, no two
 * sets of threads competing for the cores. Example:
 *   static void task(void *ctx, long t) { ... }
 *   st_parallel_run(2, task, &args);
 */
void st_parallel_run(long ntasks, st_task_fn fn, void *ctx);

/**
 * Sets how many threads the kernels may use (n < 1 means 1). The default is the number of
 * online CPUs, or SWIFTTORCH_NUM_THREADS when that is set. Example: st_set_num_threads(2);
 */
void st_set_num_threads(int n);

/** The number of threads the kernels may use. Example: int n = st_get_num_threads(); */
int st_get_num_threads(void);

/* ------------------------------------------------------------------------------------------
 * Optimizer updates (float32, AVX2 + FMA; see Optim/FusedUpdates.swift for the formulas)
 *
 * Each returns 1 after updating elements [0, n), or 0 without touching anything when the CPU
 * has no AVX2/FMA: the caller then runs its portable loop, which rounds identically.
 * ---------------------------------------------------------------------------------------- */

/**
 * One SGD step per element (PyTorch's _single_tensor_sgd): g = maximize ? -g : g;
 * decay: g = fma(p, wd, g); momentum: b = fresh ? g : damped ? fma(g, keep, buf*mom) :
 * buf*mom + g, buf = b, g = nesterov ? fma(b, mom, g) : b; then p = fma(g, negLR, p).
 * Example: st_sgd_f32(p, g, NULL, n, -0.1f, 0, 0, 1, 0, 0, 0, 0, 0, 0);
 */
int st_sgd_f32(float *p, const float *g, float *buf, long n, float negLR, float wd, float mom,
               float keep, int decay, int momentum, int fresh, int damped, int nesterov,
               int maximize);

/** The per-step scalars of st_adam_f32, each already rounded to float. */
typedef struct {
    float paramScale, weightDecay, lerpCoefficient, beta2, oneMinusBeta2;
    float biasCorrection2Sqrt, eps, negStepSize;
    int coupledDecay, decoupledDecay, smallWeight, amsgrad, maximize;
} st_adam_scalars_f32;

/**
 * One Adam/AdamW step per element (PyTorch's _single_tensor_adam): g = maximize ? -g : g;
 * coupled decay g = fma(p, wd, g), decoupled p = p * paramScale; m = fma(coef, g - m,
 * smallWeight ? m : g); v = fma(oneMinusBeta2 * g, g, v * beta2); amsgrad vmax = max(vmax, v)
 * (NaN wins); p = p + (negStepSize * m) / (sqrt(v or vmax) / biasCorrection2Sqrt + eps).
 * Example: st_adam_f32(p, g, m, v, NULL, n, &scalars);
 */
int st_adam_f32(float *p, const float *g, float *m, float *v, float *vmax, long n,
                const st_adam_scalars_f32 *k);

/* ------------------------------------------------------------------------------------------
 * Convolution helpers (one image at a time; PyTorch's layouts)
 *
 * outH = (H + 2*padH - dilH*(kh-1) - 1) / strideH + 1, and likewise outW.
 * ---------------------------------------------------------------------------------------- */

/**
 * Unfolds one image img[C][H][W] into cols[C*kh*kw][outH*outW] (as torch.nn.functional.unfold);
 * taps that fall in the zero padding are written as 0. Conv2d forward is then
 * weight[Cout][C*kh*kw] * cols. Example (3x3 kernel, padding 1, stride 1):
 *   st_im2col_f32(img, C, H, W, 3, 3, 1, 1, 1, 1, 1, 1, cols);
 */
void st_im2col_f32(const float *img, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, float *cols);

/** Double version of st_im2col_f32. */
void st_im2col_f64(const double *img, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, double *cols);

/**
 * The adjoint of st_im2col_f32 (as torch.nn.functional.fold): ADDS each entry of
 * cols[C*kh*kw][outH*outW] into img[C][H][W]; taps in the padding are dropped. The caller
 * zeroes img first. Used for the input gradient of Conv2d. Example:
 *   memset(img, 0, C*H*W*sizeof(float));
 *   st_col2im_f32(cols, C, H, W, 3, 3, 1, 1, 1, 1, 1, 1, img);
 */
void st_col2im_f32(const float *cols, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, float *img);

/** Double version of st_col2im_f32. */
void st_col2im_f64(const double *cols, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, double *img);

/* ------------------------------------------------------------------------------------------
 * Max pooling 2d over `planes` = N*C contiguous planes of H x W
 * ---------------------------------------------------------------------------------------- */

/**
 * Max-pool forward, as torch.nn.functional.max_pool2d(return_indices=True). The caller
 * computes outH/outW (this is where ceil_mode enters). For each output, `indices` gets the
 * flat index ih*W + iw of the maximum inside its input plane; the first maximum wins ties,
 * a NaN wins over numbers (the last NaN, as in PyTorch). Padding counts as -inf; a window
 * wholly in the padding gives -inf and, as in PyTorch, an index outside the plane.
 * Example (2x2, stride 2):
 *   st_maxpool2d_f32(x, N*C, H, W, H/2, W/2, 2, 2, 2, 2, 0, 0, 1, 1, y, idx);
 */
void st_maxpool2d_f32(const float *input, long planes, long H, long W, long outH, long outW,
                      long kh, long kw, long strideH, long strideW, long padH, long padW,
                      long dilH, long dilW, float *output, int64_t *indices);

/** Double version of st_maxpool2d_f32. */
void st_maxpool2d_f64(const double *input, long planes, long H, long W, long outH, long outW,
                      long kh, long kw, long strideH, long strideW, long padH, long padW,
                      long dilH, long dilW, double *output, int64_t *indices);

/**
 * Max-pool backward: ADDS gradOutput[p][o] into gradInput[p][indices[p][o]] for every plane p
 * and output o, skipping indices outside the plane. The caller zeroes gradInput first.
 * Example:
 *   st_maxpool2d_backward_f32(gy, idx, N*C, H, W, outH, outW, gx);
 */
void st_maxpool2d_backward_f32(const float *gradOutput, const int64_t *indices, long planes,
                               long H, long W, long outH, long outW, float *gradInput);

/** Double version of st_maxpool2d_backward_f32. */
void st_maxpool2d_backward_f64(const double *gradOutput, const int64_t *indices, long planes,
                               long H, long W, long outH, long outW, double *gradInput);

#ifdef __cplusplus
}
#endif

#endif /* CTORCHKERNELS_H */
