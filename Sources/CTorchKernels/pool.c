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

/*
 * The common case, a 2x2 window with stride 2 and no padding or dilation whose windows all
 * lie inside the image: the same taps in the same order (row by row) and the same rule
 * (`v > best || isnan(v)`), with the geometry in locals and no clipping. Taking the first
 * tap as the start is the general loop's -inf start: a -inf first tap keeps its index there
 * too. On x86-64, four outputs at a time with SSE2 (always present there).
 */
#define ST_POOL2_TAP(v, off)                                                                  \
    if ((v) > best || isnan(v)) best = (v), bi = (off);

#define ST_POOL2_SCALAR(T)                                                                    \
    {                                                                                         \
        const T *r0 = x + 2 * oh * W + 2 * ow, *r1 = r0 + W;                                  \
        T best = r0[0];                                                                       \
        long bi = 0;                                                                          \
        ST_POOL2_TAP(r0[1], 1)                                                                \
        ST_POOL2_TAP(r1[0], W)                                                                \
        ST_POOL2_TAP(r1[1], W + 1)                                                            \
        y[oh * outW + ow] = best;                                                             \
        ind[oh * outW + ow] = 2 * oh * W + 2 * ow + bi;                                       \
    }

#if defined(__x86_64__)
#include <emmintrin.h>

/* best/idx take v/off in the lanes where v > best or v is NaN. */
static inline void st_pool2_tap4(__m128 v, __m128i off, __m128 *best, __m128i *idx) {
    __m128 m = _mm_or_ps(_mm_cmpgt_ps(v, *best), _mm_cmpunord_ps(v, v));
    __m128i mi = _mm_castps_si128(m);
    *best = _mm_or_ps(_mm_and_ps(m, v), _mm_andnot_ps(m, *best));
    *idx = _mm_or_si128(_mm_and_si128(mi, off), _mm_andnot_si128(mi, *idx));
}
#endif

static void st_pool_fwd2_f32(void *ctx, long t) {
    const st_pool_geom *g = ctx;
    const long W = g->W, outH = g->outH, outW = g->outW, plane = g->H * g->W;
    long p0 = t * g->chunk, p1 = p0 + g->chunk < g->planes ? p0 + g->chunk : g->planes;
    for (long p = p0; p < p1; p++) {
        const float *x = (const float *)g->in + p * plane;
        float *y = (float *)g->out + p * outH * outW;
        int64_t *ind = g->idx + p * outH * outW;
        for (long oh = 0; oh < outH; oh++) {
            long ow = 0;
#if defined(__x86_64__)
            const __m128i lanes = _mm_setr_epi32(0, 2, 4, 6), zero = _mm_setzero_si128();
            const __m128i one = _mm_set1_epi32(1), offW = _mm_set1_epi32((int)W);
            const __m128i offW1 = _mm_set1_epi32((int)W + 1);
            for (; ow + 4 <= outW; ow += 4) {
                const float *r0 = x + 2 * oh * W + 2 * ow, *r1 = r0 + W;
                __m128 a0 = _mm_loadu_ps(r0), a1 = _mm_loadu_ps(r0 + 4);
                __m128 b0 = _mm_loadu_ps(r1), b1 = _mm_loadu_ps(r1 + 4);
                __m128 best = _mm_shuffle_ps(a0, a1, _MM_SHUFFLE(2, 0, 2, 0));
                __m128i idx = zero;
                st_pool2_tap4(_mm_shuffle_ps(a0, a1, _MM_SHUFFLE(3, 1, 3, 1)), one, &best, &idx);
                st_pool2_tap4(_mm_shuffle_ps(b0, b1, _MM_SHUFFLE(2, 0, 2, 0)), offW, &best, &idx);
                st_pool2_tap4(_mm_shuffle_ps(b0, b1, _MM_SHUFFLE(3, 1, 3, 1)), offW1, &best, &idx);
                idx = _mm_add_epi32(idx, _mm_add_epi32(lanes, _mm_set1_epi32((int)(2 * oh * W + 2 * ow))));
                _mm_storeu_ps(y + oh * outW + ow, best);
                _mm_storeu_si128((__m128i *)(ind + oh * outW + ow), _mm_unpacklo_epi32(idx, zero));
                _mm_storeu_si128((__m128i *)(ind + oh * outW + ow + 2), _mm_unpackhi_epi32(idx, zero));
            }
#endif
            for (; ow < outW; ow++) ST_POOL2_SCALAR(float)
        }
    }
}

static void st_pool_fwd2_f64(void *ctx, long t) {
    const st_pool_geom *g = ctx;
    const long W = g->W, outH = g->outH, outW = g->outW, plane = g->H * g->W;
    long p0 = t * g->chunk, p1 = p0 + g->chunk < g->planes ? p0 + g->chunk : g->planes;
    for (long p = p0; p < p1; p++) {
        const double *x = (const double *)g->in + p * plane;
        double *y = (double *)g->out + p * outH * outW;
        int64_t *ind = g->idx + p * outH * outW;
        for (long oh = 0; oh < outH; oh++)
            for (long ow = 0; ow < outW; ow++) ST_POOL2_SCALAR(double)
    }
}

/* Whether the 2x2/stride-2 path applies: every window whole, indices fit in 32 bits. */
static int st_pool_is_2x2(const st_pool_geom *g) {
    return g->kh == 2 && g->kw == 2 && g->strideH == 2 && g->strideW == 2 && g->padH == 0 &&
           g->padW == 0 && g->dilH == 1 && g->dilW == 1 && 2 * g->outH <= g->H &&
           2 * g->outW <= g->W && g->H * g->W < (1L << 31);
}
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
    st_pool_run(st_pool_is_2x2(&g) ? st_pool_fwd2_f32 : st_pool_fwd_f32, &g,
                planes * outH * outW * kh * kw);
}

void st_maxpool2d_f64(const double *input, long planes, long H, long W, long outH, long outW,
                      long kh, long kw, long strideH, long strideW, long padH, long padW,
                      long dilH, long dilW, double *output, int64_t *indices) {
    st_pool_geom g = {planes, H, W, outH, outW, kh, kw, strideH, strideW, padH, padW,
                      dilH, dilW, 0, input, output, NULL, indices};
    st_pool_run(st_pool_is_2x2(&g) ? st_pool_fwd2_f64 : st_pool_fwd_f64, &g,
                planes * outH * outW * kh * kw);
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
