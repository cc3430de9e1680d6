/*
 * 2d max pooling over N*C contiguous planes, matching PyTorch's CPU kernel: windows clipped
 * to the image (padding acts as -inf), the first maximum wins ties, any NaN wins (the last
 * one seen, as in PyTorch), and indices are flat offsets ih*W + iw within the plane.
 * A window lying wholly in the padding yields -inf and an index outside the plane, as in
 * PyTorch; backward skips such indices. Planes are independent, which is how the work is
 * split across threads.
 */
#include "st_internal.h"

#include <math.h>

/* Below this many window taps a thread wake-up costs more than the pooling. */
#define ST_POOL_PAR_TAPS (1L << 16)

typedef struct {
    long planes, H, W, outH, outW, kh, kw, strideH, strideW, padH, padW, dilH, dilW;
    long chunk; /* planes per task */
    const void *in;
    void *out;
    const int64_t *cidx;
    int64_t *idx;
} st_pool_geom;

#define ST_POOL_FORWARD(T)                                                                    \
    const st_pool_geom *g = ctx;                                                              \
    long p0 = t * g->chunk, p1 = p0 + g->chunk < g->planes ? p0 + g->chunk : g->planes;       \
    for (long p = p0; p < p1; p++) {                                                          \
        const T *x = (const T *)g->in + p * g->H * g->W;                                      \
        T *y = (T *)g->out + p * g->outH * g->outW;                                           \
        int64_t *ind = g->idx + p * g->outH * g->outW;                                        \
        for (long oh = 0; oh < g->outH; oh++) {                                               \
            long ih0 = oh * g->strideH - g->padH;                                             \
            long ih1 = ih0 + (g->kh - 1) * g->dilH + 1;                                       \
            if (ih1 > g->H) ih1 = g->H;                                                       \
            while (ih0 < 0) ih0 += g->dilH;                                                   \
            for (long ow = 0; ow < g->outW; ow++) {                                           \
                long iw0 = ow * g->strideW - g->padW;                                         \
                long iw1 = iw0 + (g->kw - 1) * g->dilW + 1;                                   \
                if (iw1 > g->W) iw1 = g->W;                                                   \
                while (iw0 < 0) iw0 += g->dilW;                                               \
                long best_i = ih0 * g->W + iw0;                                               \
                T best = -INFINITY;                                                           \
                for (long ih = ih0; ih < ih1; ih += g->dilH)                                  \
                    for (long iw = iw0; iw < iw1; iw += g->dilW) {                            \
                        T v = x[ih * g->W + iw];                                              \
                        if (v > best || isnan(v)) best = v, best_i = ih * g->W + iw;          \
                    }                                                                         \
                y[oh * g->outW + ow] = best;                                                  \
                ind[oh * g->outW + ow] = best_i;                                              \
            }                                                                                 \
        }                                                                                     \
    }

#define ST_POOL_BACKWARD(T)                                                                   \
    const st_pool_geom *g = ctx;                                                              \
    long p0 = t * g->chunk, p1 = p0 + g->chunk < g->planes ? p0 + g->chunk : g->planes;       \
    long L = g->outH * g->outW;                                                               \
    for (long p = p0; p < p1; p++) {                                                          \
        const T *gy = (const T *)g->in + p * L;                                               \
        const int64_t *ind = g->cidx + p * L;                                                 \
        T *gx = (T *)g->out + p * g->H * g->W;                                                \
        for (long o = 0; o < L; o++)                                                          \
            if (ind[o] >= 0 && ind[o] < g->H * g->W) gx[ind[o]] += gy[o];                     \
    }

static void st_pool_fwd_f32(void *ctx, long t) { ST_POOL_FORWARD(float) }
static void st_pool_fwd_f64(void *ctx, long t) { ST_POOL_FORWARD(double) }
static void st_pool_bwd_f32(void *ctx, long t) { ST_POOL_BACKWARD(float) }
static void st_pool_bwd_f64(void *ctx, long t) { ST_POOL_BACKWARD(double) }

static void st_pool_run(st_task_fn task, st_pool_geom *g, long taps) {
    if (g->planes <= 0 || g->outH <= 0 || g->outW <= 0) return;
    long threads = st_get_num_threads();
    long tasks = taps < ST_POOL_PAR_TAPS ? 1 : threads < g->planes ? threads : g->planes;
    g->chunk = (g->planes + tasks - 1) / tasks;
    tasks = (g->planes + g->chunk - 1) / g->chunk;
    if (tasks == 1) task(g, 0);
    else st_parallel_run(tasks, task, g);
}

void st_maxpool2d_f32(const float *input, long planes, long H, long W, long outH, long outW,
                      long kh, long kw, long strideH, long strideW, long padH, long padW,
                      long dilH, long dilW, float *output, int64_t *indices) {
    st_pool_geom g = {planes, H, W, outH, outW, kh, kw, strideH, strideW, padH, padW,
                      dilH, dilW, 0, input, output, NULL, indices};
    st_pool_run(st_pool_fwd_f32, &g, planes * outH * outW * kh * kw);
}

void st_maxpool2d_f64(const double *input, long planes, long H, long W, long outH, long outW,
                      long kh, long kw, long strideH, long strideW, long padH, long padW,
                      long dilH, long dilW, double *output, int64_t *indices) {
    st_pool_geom g = {planes, H, W, outH, outW, kh, kw, strideH, strideW, padH, padW,
                      dilH, dilW, 0, input, output, NULL, indices};
    st_pool_run(st_pool_fwd_f64, &g, planes * outH * outW * kh * kw);
}

void st_maxpool2d_backward_f32(const float *gradOutput, const int64_t *indices, long planes,
                               long H, long W, long outH, long outW, float *gradInput) {
    st_pool_geom g = {planes, H, W, outH, outW, 1, 1, 1, 1, 0, 0, 1, 1, 0,
                      gradOutput, gradInput, indices, NULL};
    st_pool_run(st_pool_bwd_f32, &g, planes * outH * outW * 4);
}

void st_maxpool2d_backward_f64(const double *gradOutput, const int64_t *indices, long planes,
                               long H, long W, long outH, long outW, double *gradInput) {
    st_pool_geom g = {planes, H, W, outH, outW, 1, 1, 1, 1, 0, 0, 1, 1, 0,
                      gradOutput, gradInput, indices, NULL};
    st_pool_run(st_pool_bwd_f64, &g, planes * outH * outW * 4);
}
