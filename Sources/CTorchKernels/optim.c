/*
 * Float32 SGD and Adam updates with AVX2 + FMA, for Optim/FusedUpdates.swift. Swift code
 * built without target flags turns every fused multiply-add into a libm `fmaf` call (it was
 * 20% of an MLP training step); here the same operations, in the same order, are 8-wide
 * vfmadd/vmul/vdiv/vsqrt, each rounded exactly as the scalar Swift loop (and PyTorch's AVX2
 * kernels) round them, so results are bit-identical to the portable path. The functions
 * return 0 when the CPU lacks AVX2/FMA (or off x86-64, or with SWIFTTORCH_KERNEL=generic);
 * the caller then runs its Swift loop.
 */
#include "st_internal.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

/* Every multiply and add rounds on its own unless written as an fma: the compiler must not
 * fuse `buf * mom + g` (clang contracts within an expression by default). */
#pragma STDC FP_CONTRACT OFF
#if defined(__clang__)
#pragma clang fp contract(off)
#endif

#define ST_AVX2 __attribute__((target("avx2,fma")))

/* The GEMM's choice: AVX2+FMA present and SWIFTTORCH_KERNEL=generic not set. */
static int st_optim_isa(void) { return st_kernel_isa() == 1; }

ST_AVX2 static void st_sgd_avx2(float *p, const float *g, float *buf, long n, float negLR,
                                float wd, float mom, float keep, int decay, int momentum,
                                int fresh, int damped, int nesterov, int maximize) {
    const __m256 vneg = _mm256_set1_ps(negLR), vwd = _mm256_set1_ps(wd);
    const __m256 vmom = _mm256_set1_ps(mom), vkeep = _mm256_set1_ps(keep);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), pi = _mm256_loadu_ps(p + i);
        if (maximize) gi = _mm256_xor_ps(gi, sign);
        if (decay) gi = _mm256_fmadd_ps(pi, vwd, gi);
        if (momentum) {
            __m256 b;
            if (fresh) b = gi;
            else if (damped) b = _mm256_fmadd_ps(gi, vkeep, _mm256_mul_ps(_mm256_loadu_ps(buf + i), vmom));
            else b = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(buf + i), vmom), gi);
            _mm256_storeu_ps(buf + i, b);
            gi = nesterov ? _mm256_fmadd_ps(b, vmom, gi) : b;
        }
        _mm256_storeu_ps(p + i, _mm256_fmadd_ps(gi, vneg, pi));
    }
    for (; i < n; i++) {
        float gi = maximize ? -g[i] : g[i];
        if (decay) gi = __builtin_fmaf(p[i], wd, gi);
        if (momentum) {
            float b;
            if (fresh) b = gi;
            else if (damped) b = __builtin_fmaf(gi, keep, buf[i] * mom);
            else b = buf[i] * mom + gi;
            buf[i] = b;
            gi = nesterov ? __builtin_fmaf(b, mom, gi) : b;
        }
        p[i] = __builtin_fmaf(gi, negLR, p[i]);
    }
}

int st_sgd_f32(float *p, const float *g, float *buf, long n, float negLR, float wd, float mom,
               float keep, int decay, int momentum, int fresh, int damped, int nesterov,
               int maximize) {
    if (!st_optim_isa()) return 0;
    st_sgd_avx2(p, g, buf, n, negLR, wd, mom, keep, decay, momentum && buf, fresh, damped,
                nesterov, maximize);
    return 1;
}

ST_AVX2 static void st_adam_avx2(float *p, const float *g, float *m, float *v, float *vmax,
                                 long n, const st_adam_scalars_f32 *k) {
    const __m256 vscale = _mm256_set1_ps(k->paramScale), vwd = _mm256_set1_ps(k->weightDecay);
    const __m256 vcoef = _mm256_set1_ps(k->lerpCoefficient), vbeta2 = _mm256_set1_ps(k->beta2);
    const __m256 vc2 = _mm256_set1_ps(k->oneMinusBeta2), vbc2 = _mm256_set1_ps(k->biasCorrection2Sqrt);
    const __m256 veps = _mm256_set1_ps(k->eps), vstep = _mm256_set1_ps(k->negStepSize);
    const __m256 sign = _mm256_set1_ps(-0.0f);
    const int coupled = k->coupledDecay, decoupled = k->decoupledDecay;
    const int small = k->smallWeight, amsgrad = k->amsgrad && vmax, maximize = k->maximize;
    long i = 0;
    for (; i + 8 <= n; i += 8) {
        __m256 gi = _mm256_loadu_ps(g + i), pi = _mm256_loadu_ps(p + i);
        if (maximize) gi = _mm256_xor_ps(gi, sign);
        if (coupled) gi = _mm256_fmadd_ps(pi, vwd, gi);
        if (decoupled) pi = _mm256_mul_ps(pi, vscale);
        __m256 mi = _mm256_loadu_ps(m + i);
        __m256 mNew = _mm256_fmadd_ps(vcoef, _mm256_sub_ps(gi, mi), small ? mi : gi);
        _mm256_storeu_ps(m + i, mNew);
        __m256 vNew = _mm256_fmadd_ps(_mm256_mul_ps(vc2, gi), gi,
                                      _mm256_mul_ps(_mm256_loadu_ps(v + i), vbeta2));
        _mm256_storeu_ps(v + i, vNew);
        __m256 second = vNew;
        if (amsgrad) {
            /* torch.maximum: a NaN in either wins (the old one first), else the larger. */
            __m256 old = _mm256_loadu_ps(vmax + i);
            __m256 big = _mm256_blendv_ps(vNew, old, _mm256_cmp_ps(old, vNew, _CMP_GT_OQ));
            big = _mm256_blendv_ps(big, vNew, _mm256_cmp_ps(vNew, vNew, _CMP_UNORD_Q));
            big = _mm256_blendv_ps(big, old, _mm256_cmp_ps(old, old, _CMP_UNORD_Q));
            _mm256_storeu_ps(vmax + i, big);
            second = big;
        }
        __m256 denom = _mm256_add_ps(_mm256_div_ps(_mm256_sqrt_ps(second), vbc2), veps);
        _mm256_storeu_ps(p + i, _mm256_add_ps(pi, _mm256_div_ps(_mm256_mul_ps(vstep, mNew), denom)));
    }
    for (; i < n; i++) {
        float gi = maximize ? -g[i] : g[i], pi = p[i];
        if (coupled) gi = __builtin_fmaf(pi, k->weightDecay, gi);
        if (decoupled) pi = pi * k->paramScale;
        float mi = m[i];
        float mNew = __builtin_fmaf(k->lerpCoefficient, gi - mi, small ? mi : gi);
        m[i] = mNew;
        float vNew = __builtin_fmaf(k->oneMinusBeta2 * gi, gi, v[i] * k->beta2);
        v[i] = vNew;
        float second = vNew;
        if (amsgrad) {
            float old = vmax[i];
            float big = old != old ? old : (vNew != vNew ? vNew : (old > vNew ? old : vNew));
            vmax[i] = big;
            second = big;
        }
        float denom = __builtin_sqrtf(second) / k->biasCorrection2Sqrt + k->eps;
        p[i] = pi + (k->negStepSize * mNew) / denom;
    }
}

int st_adam_f32(float *p, const float *g, float *m, float *v, float *vmax, long n,
                const st_adam_scalars_f32 *k) {
    if (!st_optim_isa()) return 0;
    st_adam_avx2(p, g, m, v, vmax, n, k);
    return 1;
}

#else

int st_sgd_f32(float *p, const float *g, float *buf, long n, float negLR, float wd, float mom,
               float keep, int decay, int momentum, int fresh, int damped, int nesterov,
               int maximize) {
    (void)p, (void)g, (void)buf, (void)n, (void)negLR, (void)wd, (void)mom, (void)keep;
    (void)decay, (void)momentum, (void)fresh, (void)damped, (void)nesterov, (void)maximize;
    return 0;
}

int st_adam_f32(float *p, const float *g, float *m, float *v, float *vmax, long n,
                const st_adam_scalars_f32 *k) {
    (void)p, (void)g, (void)m, (void)v, (void)vmax, (void)n, (void)k;
    return 0;
}

#endif
