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

/* No memcpy calls: the compiler would turn the short row copies back into them. */
#if defined(__clang__)
#define ST_NO_MEMCPY __attribute__((no_builtin("memcpy")))
#else
#define ST_NO_MEMCPY
#endif

/*
 * Short contiguous copies and adds, written with vector intrinsics so that no memcpy call
 * is made per row: a LeNet-sized im2col copies rows of 8-24 values, ~180,000 of them per
 * batch, and a libc call each cost more than the copying (measured: 60% of conv2's time).
 */
#if defined(__x86_64__) || defined(__i386__)
#include <emmintrin.h>
ST_NO_MEMCPY static inline void st_copy_f32(float *restrict d, const float *restrict s, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) _mm_storeu_ps(d + i, _mm_loadu_ps(s + i));
    for (; i < n; i++) d[i] = s[i];
}
ST_NO_MEMCPY static inline void st_copy_f64(double *restrict d, const double *restrict s, long n) {
    long i = 0;
    for (; i + 2 <= n; i += 2) _mm_storeu_pd(d + i, _mm_loadu_pd(s + i));
    if (i < n) d[i] = s[i];
}
static inline void st_addto_f32(float *restrict d, const float *restrict s, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4)
        _mm_storeu_ps(d + i, _mm_add_ps(_mm_loadu_ps(d + i), _mm_loadu_ps(s + i)));
    for (; i < n; i++) d[i] += s[i];
}
static inline void st_addto_f64(double *restrict d, const double *restrict s, long n) {
    long i = 0;
    for (; i + 2 <= n; i += 2)
        _mm_storeu_pd(d + i, _mm_add_pd(_mm_loadu_pd(d + i), _mm_loadu_pd(s + i)));
    if (i < n) d[i] += s[i];
}
#elif defined(__aarch64__)
#include <arm_neon.h>
ST_NO_MEMCPY static inline void st_copy_f32(float *restrict d, const float *restrict s, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vld1q_f32(s + i));
    for (; i < n; i++) d[i] = s[i];
}
ST_NO_MEMCPY static inline void st_copy_f64(double *restrict d, const double *restrict s, long n) {
    long i = 0;
    for (; i + 2 <= n; i += 2) vst1q_f64(d + i, vld1q_f64(s + i));
    if (i < n) d[i] = s[i];
}
static inline void st_addto_f32(float *restrict d, const float *restrict s, long n) {
    long i = 0;
    for (; i + 4 <= n; i += 4) vst1q_f32(d + i, vaddq_f32(vld1q_f32(d + i), vld1q_f32(s + i)));
    for (; i < n; i++) d[i] += s[i];
}
static inline void st_addto_f64(double *restrict d, const double *restrict s, long n) {
    long i = 0;
    for (; i + 2 <= n; i += 2) vst1q_f64(d + i, vaddq_f64(vld1q_f64(d + i), vld1q_f64(s + i)));
    if (i < n) d[i] += s[i];
}
#else
static inline void st_copy_f32(float *d, const float *s, long n) { memcpy(d, s, sizeof(float) * (size_t)n); }
static inline void st_copy_f64(double *d, const double *s, long n) { memcpy(d, s, sizeof(double) * (size_t)n); }
static inline void st_addto_f32(float *restrict d, const float *restrict s, long n) { for (long i = 0; i < n; i++) d[i] += s[i]; }
static inline void st_addto_f64(double *restrict d, const double *restrict s, long n) { for (long i = 0; i < n; i++) d[i] += s[i]; }
#endif

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

/* The loops are the same for both types and both directions; ST_CONV_BODY(T, SUF, FORWARD)
 * expands into the body of a task over channels [c0, c1). The geometry is read into locals
 * first: the vector stores may alias anything, and would otherwise force every field to be
 * reloaded from memory per row. */
#define ST_CONV_BODY(T, SUF, FORWARD)                                                         \
    const st_conv_geom *g = ctx;                                                              \
    const long C = g->C, H = g->H, W = g->W, kh = g->kh, kw = g->kw;                          \
    const long padH = g->padH, padW = g->padW, strideH = g->strideH, strideW = g->strideW;    \
    const long dilH = g->dilH, dilW = g->dilW, outH = g->outH, outW = g->outW;                \
    const T *const src = (const T *)g->src;                                                   \
    T *const dst = (T *)g->dst;                                                               \
    long c0 = t * g->chunk, c1 = c0 + g->chunk < C ? c0 + g->chunk : C;                       \
    long L = outH * outW;                                                                     \
    /* The valid output ranges depend on the tap only: computed once (they divide). */        \
    long hr[2 * kh], wr[2 * kw];                                                              \
    for (long i = 0; i < kh; i++)                                                             \
        st_valid_range(outH, strideH, i * dilH - padH, H, &hr[2 * i], &hr[2 * i + 1]);        \
    for (long j = 0; j < kw; j++)                                                             \
        st_valid_range(outW, strideW, j * dilW - padW, W, &wr[2 * j], &wr[2 * j + 1]);        \
    for (long c = c0; c < c1; c++)                                                            \
        for (long i = 0; i < kh; i++)                                                         \
            for (long j = 0; j < kw; j++) {                                                   \
                long row = (c * kh + i) * kw + j;                                             \
                long hoff = i * dilH - padH, woff = j * dilW - padW;                          \
                const long hlo = hr[2 * i], hhi = hr[2 * i + 1];                              \
                const long wlo = wr[2 * j], whi = wr[2 * j + 1];                              \
                const long n = whi - wlo;                                                     \
                for (long oh = 0; oh < outH; oh++) {                                          \
                    long o = row * L + oh * outW;                                             \
                    long base = (c * H + oh * strideH + hoff) * W + woff;                     \
                    if (FORWARD) {                                                            \
                        T *d = dst + o;                                                       \
                        if (oh < hlo || oh >= hhi) {                                          \
                            for (long ow = 0; ow < outW; ow++) d[ow] = 0;                     \
                            continue;                                                         \
                        }                                                                     \
                        for (long ow = 0; ow < wlo; ow++) d[ow] = 0;                          \
                        if (strideW == 1)                                                     \
                            st_copy_##SUF(d + wlo, src + base + wlo, n);                      \
                        else                                                                  \
                            for (long ow = wlo; ow < whi; ow++)                               \
                                d[ow] = src[base + ow * strideW];                             \
                        for (long ow = whi; ow < outW; ow++) d[ow] = 0;                       \
                    } else {                                                                  \
                        if (oh < hlo || oh >= hhi) continue;                                  \
                        const T *s = src + o;                                                 \
                        if (strideW == 1)                                                     \
                            st_addto_##SUF(dst + base + wlo, s + wlo, n);                     \
                        else                                                                  \
                            for (long ow = wlo; ow < whi; ow++)                               \
                                dst[base + ow * strideW] += s[ow];                            \
                    }                                                                         \
                }                                                                             \
            }

ST_NO_MEMCPY static void st_im2col_task_f32(void *ctx, long t) { ST_CONV_BODY(float, f32, 1) }
ST_NO_MEMCPY static void st_im2col_task_f64(void *ctx, long t) { ST_CONV_BODY(double, f64, 1) }
static void st_col2im_task_f32(void *ctx, long t) { ST_CONV_BODY(float, f32, 0) }
static void st_col2im_task_f64(void *ctx, long t) { ST_CONV_BODY(double, f64, 0) }

static void st_conv_run(st_task_fn task, const void *src, void *dst, long C, long H, long W,
                        long kh, long kw, long padH, long padW, long strideH, long strideW,
                        long dilH, long dilW) {
    long outH = (H + 2 * padH - dilH * (kh - 1) - 1) / strideH + 1;
    long outW = (W + 2 * padW - dilW * (kw - 1) - 1) / strideW + 1;
    if (C <= 0 || kh <= 0 || kw <= 0 || outH <= 0 || outW <= 0) return;
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
