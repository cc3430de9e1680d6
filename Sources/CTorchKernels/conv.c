/*
 * im2col / col2im for Conv2d lowered to GEMM, in PyTorch's layout: cols[C*kh*kw][outH*outW]
 * with rows ordered (channel, kernel row, kernel column).
 *
 * For each (channel, tap) row the output columns whose input column lands inside the image
 * form one contiguous range, computed once, so the inner loops have no bounds tests.
 * Channels are independent (distinct rows of cols, distinct planes of img), which is how
 * large images are split across threads.
 */
#include "st_internal.h"

#include <string.h>

/* Below this many cols entries a thread wake-up costs more than the copy. */
#define ST_CONV_PAR_ELEMS (1L << 17)

typedef struct {
    long C, H, W, kh, kw, padH, padW, strideH, strideW, dilH, dilW, outH, outW;
    long chunk; /* channels per task */
    const void *src;
    void *dst;
} st_conv_geom;

/* First output index o with o*stride + off >= 0, and the end of those with ... < size. */
static void st_valid_range(long n_out, long stride, long off, long size, long *lo, long *hi) {
    long l = off >= 0 ? 0 : (-off + stride - 1) / stride;
    long h = size - off <= 0 ? 0 : (size - off + stride - 1) / stride;
    if (h > n_out) h = n_out;
    if (l > h) l = h;
    *lo = l, *hi = h;
}

/* The loops are the same for both types and both directions; ST_CONV_BODY(T, FORWARD)
 * expands into the body of a task over channels [c0, c1). */
#define ST_CONV_BODY(T, FORWARD)                                                              \
    const st_conv_geom *g = ctx;                                                              \
    long c0 = t * g->chunk, c1 = c0 + g->chunk < g->C ? c0 + g->chunk : g->C;                 \
    long L = g->outH * g->outW;                                                               \
    for (long c = c0; c < c1; c++)                                                            \
        for (long i = 0; i < g->kh; i++)                                                      \
            for (long j = 0; j < g->kw; j++) {                                                \
                long row = (c * g->kh + i) * g->kw + j;                                       \
                long hoff = i * g->dilH - g->padH, woff = j * g->dilW - g->padW;              \
                long hlo, hhi, wlo, whi;                                                      \
                st_valid_range(g->outH, g->strideH, hoff, g->H, &hlo, &hhi);                  \
                st_valid_range(g->outW, g->strideW, woff, g->W, &wlo, &whi);                  \
                for (long oh = 0; oh < g->outH; oh++) {                                       \
                    long o = row * L + oh * g->outW;                                          \
                    if (FORWARD) {                                                            \
                        T *d = (T *)g->dst + o;                                               \
                        if (oh < hlo || oh >= hhi) {                                          \
                            memset(d, 0, sizeof(T) * (size_t)g->outW);                        \
                            continue;                                                         \
                        }                                                                     \
                        const T *s = (const T *)g->src;                                       \
                        long base = (c * g->H + oh * g->strideH + hoff) * g->W + woff;        \
                        for (long ow = 0; ow < wlo; ow++) d[ow] = 0;                          \
                        if (g->strideW == 1)                                                  \
                            memcpy(d + wlo, s + base + wlo, sizeof(T) * (size_t)(whi - wlo)); \
                        else                                                                  \
                            for (long ow = wlo; ow < whi; ow++)                               \
                                d[ow] = s[base + ow * g->strideW];                            \
                        for (long ow = whi; ow < g->outW; ow++) d[ow] = 0;                    \
                    } else {                                                                  \
                        if (oh < hlo || oh >= hhi) continue;                                  \
                        const T *s = (const T *)g->src + o;                                   \
                        T *d = (T *)g->dst;                                                   \
                        long base = (c * g->H + oh * g->strideH + hoff) * g->W + woff;        \
                        for (long ow = wlo; ow < whi; ow++)                                   \
                            d[base + ow * g->strideW] += s[ow];                               \
                    }                                                                         \
                }                                                                             \
            }

static void st_im2col_task_f32(void *ctx, long t) { ST_CONV_BODY(float, 1) }
static void st_im2col_task_f64(void *ctx, long t) { ST_CONV_BODY(double, 1) }
static void st_col2im_task_f32(void *ctx, long t) { ST_CONV_BODY(float, 0) }
static void st_col2im_task_f64(void *ctx, long t) { ST_CONV_BODY(double, 0) }

static void st_conv_run(st_task_fn task, const void *src, void *dst, long C, long H, long W,
                        long kh, long kw, long padH, long padW, long strideH, long strideW,
                        long dilH, long dilW) {
    long outH = (H + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
    long outW = (W + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
    if (C <= 0 || outH <= 0 || outW <= 0) return;
    long threads = st_get_num_threads();
    long work = C * kh * kw * outH * outW;
    long tasks = work < ST_CONV_PAR_ELEMS ? 1 : threads < C ? threads : C;
    long chunk = (C + tasks - 1) / tasks;
    st_conv_geom g = {C, H, W, kh, kw, padH, padW, strideH, strideW, dilH, dilW,
                      outH, outW, chunk, src, dst};
    tasks = (C + chunk - 1) / chunk;
    if (tasks == 1) task(&g, 0);
    else st_parallel_run(tasks, task, &g);
}

void st_im2col_f32(const float *img, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, float *cols) {
    st_conv_run(st_im2col_task_f32, img, cols, C, H, W, kh, kw, padH, padW, strideH, strideW,
                dilH, dilW);
}

void st_im2col_f64(const double *img, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, double *cols) {
    st_conv_run(st_im2col_task_f64, img, cols, C, H, W, kh, kw, padH, padW, strideH, strideW,
                dilH, dilW);
}

void st_col2im_f32(const float *cols, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, float *img) {
    st_conv_run(st_col2im_task_f32, cols, img, C, H, W, kh, kw, padH, padW, strideH, strideW,
                dilH, dilW);
}

void st_col2im_f64(const double *cols, long C, long H, long W, long kh, long kw, long padH,
                   long padW, long strideH, long strideW, long dilH, long dilW, double *img) {
    st_conv_run(st_col2im_task_f64, cols, img, C, H, W, kh, kw, padH, padW, strideH, strideW,
                dilH, dilW);
}
