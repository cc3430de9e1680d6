import CTorchKernels
import Foundation

// Single-pass optimizer updates over raw contiguous storage: no temporaries per parameter per
// step, and the same float operations, in the same order, as PyTorch's single-tensor
// (foreach=False) CPU path. PyTorch's CPU kernels round as follows (checked against torch
// 2.13, AVX2 build): `add(x, alpha:)`, `addcmul` and `lerp` are fused multiply-adds;
// `mul` by a scalar, division by a scalar and `addcdiv` are not. Python-float scalars are
// rounded to the tensor's dtype once, as ATen's `opmath` conversion does.

/// Element types the fused updates run on.
protocol FusedUpdateElement: BinaryFloatingPoint {}
extension Float: FusedUpdateElement {}
extension Double: FusedUpdateElement {}

extension FusedUpdateElement {
    /// `a * b + c` rounded once, as C's `fma(a, b, c)` and ATen's `vec::fmadd`. On x86-64,
    /// whose baseline target lacks FMA, this is a call to libm's `fmaf` (glibc picks the FMA
    /// instruction at load time); it measured faster than exact emulation in Double.
    @inline(__always)
    static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { c.addingProduct(a, b) }
}

/// The scalars of one SGD step for a parameter group.
struct SGDScalars {
    var lr: Double
    var momentum: Double
    var dampening: Double
    var weightDecay: Double
    var nesterov: Bool
    var maximize: Bool
}

/// The scalars of one Adam/AdamW step for a parameter group, before bias correction.
struct AdamScalars {
    var lr: Double
    var beta1: Double
    var beta2: Double
    var eps: Double
    var weightDecay: Double
    var decoupledWeightDecay: Bool
    var amsgrad: Bool
    var maximize: Bool
}

enum FusedUpdates {
    /// Whether float32 updates may run the AVX2 loops of optim.c (they round identically; a
    /// test turns this off to compare the two paths bit for bit).
    nonisolated(unsafe) static var nativeLoops = true

    /// One SGD update of `param` in place (PyTorch's `_single_tensor_sgd`, per element):
    ///
    ///     g = maximize ? -grad : grad
    ///     if weight_decay != 0: g = g.add(param, alpha=weight_decay)
    ///     if momentum != 0:
    ///         buf = g.clone() on the first step, else buf.mul_(momentum).add_(g, alpha=1-dampening)
    ///         g = nesterov ? g.add(buf, alpha=momentum) : buf
    ///     param.add_(g, alpha=-lr)
    ///
    /// `buffer` is written (not read) when `freshBuffer` is true.
    static func sgd(param: Tensor, grad: Tensor, buffer: Tensor?, freshBuffer: Bool, _ s: SGDScalars) {
        let g = operand(grad, like: param, name: "grad")
        if let buffer { checkState(buffer, like: param, name: "momentum_buffer") }
        updateInPlace(param) { p in
            let n = p.numel
            switch p.dtype {
            case .float32:
                sgdLoop(Float.self, p: p.pointer(Float.self), g: g.pointer(Float.self),
                        buf: buffer?.pointer(Float.self), fresh: freshBuffer, n: n, s)
            case .float64:
                sgdLoop(Double.self, p: p.pointer(Double.self), g: g.pointer(Double.self),
                        buf: buffer?.pointer(Double.self), fresh: freshBuffer, n: n, s)
            default:
                fatalError("SGD supports float32 and float64 parameters, got \(p.dtype)")
            }
        }
        buffer?.bumpVersion()
    }

    @inline(__always)
    private static func sgdLoop<T: FusedUpdateElement>(_: T.Type, p: UnsafeMutablePointer<T>, g: UnsafeMutablePointer<T>,
                                                        buf: UnsafeMutablePointer<T>?, fresh: Bool, n: Int, _ s: SGDScalars) {
        let negLR = T(-s.lr), wd = T(s.weightDecay), mom = T(s.momentum), keep = T(1 - s.dampening)
        let maximize = s.maximize
        parallelChunks(n) { range in
            // float32 on AVX2/FMA: the same operations 8 at a time in C (optim.c).
            if T.self == Float.self && nativeLoops {
                let pf = UnsafeMutableRawPointer(p).assumingMemoryBound(to: Float.self) + range.lowerBound
                let gf = UnsafeRawPointer(g).assumingMemoryBound(to: Float.self) + range.lowerBound
                let bf = buf.map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: Float.self) + range.lowerBound }
                let momentum = s.momentum != 0 && buf != nil
                if st_sgd_f32(pf, gf, bf, range.count, Float(-s.lr), Float(s.weightDecay), Float(s.momentum),
                              Float(1 - s.dampening), s.weightDecay != 0 ? 1 : 0, momentum ? 1 : 0, fresh ? 1 : 0,
                              1 - s.dampening != 1 ? 1 : 0, s.nesterov ? 1 : 0, maximize ? 1 : 0) != 0 {
                    return
                }
            }
            // Each flag that guards an fma is a literal inside the loop (see withLiteral).
            @inline(__always) func run(decay: Bool, momentum: Bool, fresh: Bool, damped: Bool, nesterov: Bool) {
                for i in range {
                    var gi = maximize ? -g[i] : g[i]
                    if decay { gi = T.fusedMultiplyAdd(p[i], wd, gi) }
                    if momentum, let buf {
                        let b: T
                        if fresh {
                            b = gi
                        } else if damped {
                            b = T.fusedMultiplyAdd(gi, keep, buf[i] * mom)
                        } else {
                            // fma(g, 1, x) == x + g exactly: the same bits without a libm call.
                            b = buf[i] * mom + gi
                        }
                        buf[i] = b
                        gi = nesterov ? T.fusedMultiplyAdd(b, mom, gi) : b
                    }
                    p[i] = T.fusedMultiplyAdd(gi, negLR, p[i])
                }
            }
            withLiteral(s.weightDecay != 0) { decay in
                if s.momentum == 0 || buf == nil {
                    run(decay: decay, momentum: false, fresh: false, damped: false, nesterov: false)
                    return
                }
                withLiteral(fresh) { fresh in
                    withLiteral(keep != 1) { damped in
                        withLiteral(s.nesterov) { nesterov in
                            run(decay: decay, momentum: true, fresh: fresh, damped: damped, nesterov: nesterov)
                        }
                    }
                }
            }
        }
    }

    /// Calls `body` with `flag` as a literal, so that after inlining each branch is compiled
    /// without the test. LLVM otherwise turns `flag ? fma(...) : x` into an unconditional libm
    /// call on x86-64 (it measured 2x slower on SGD with momentum).
    @inline(__always)
    private static func withLiteral(_ flag: Bool, _ body: (Bool) -> Void) {
        if flag { body(true) } else { body(false) }
    }

    /// One Adam/AdamW update of `param` in place at step number `step` (already incremented),
    /// PyTorch's `_single_tensor_adam` (capturable=False), per element:
    ///
    ///     g = maximize ? -grad : grad
    ///     if weight_decay != 0:
    ///         decoupled ? param.mul_(1 - lr * weight_decay) : (g = g.add(param, alpha=weight_decay))
    ///     exp_avg.lerp_(g, 1 - beta1)
    ///     exp_avg_sq.mul_(beta2).addcmul_(g, g, value=1 - beta2)
    ///     step_size = lr / (1 - beta1 ** step);  bc2_sqrt = (1 - beta2 ** step) ** 0.5
    ///     if amsgrad: torch.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
    ///     denom = ((amsgrad ? max_exp_avg_sq : exp_avg_sq).sqrt() / bc2_sqrt).add_(eps)
    ///     param.addcdiv_(exp_avg, denom, value=-step_size)
    static func adam(param: Tensor, grad: Tensor, expAvg: Tensor, expAvgSq: Tensor, maxExpAvgSq: Tensor?,
                     step: Double, _ s: AdamScalars) {
        let g = operand(grad, like: param, name: "grad")
        checkState(expAvg, like: param, name: "exp_avg")
        checkState(expAvgSq, like: param, name: "exp_avg_sq")
        if s.amsgrad {
            guard let maxExpAvgSq else { fatalError("amsgrad needs max_exp_avg_sq state") }
            checkState(maxExpAvgSq, like: param, name: "max_exp_avg_sq")
        }
        // Python-float scalars, computed in Double exactly as adam.py does.
        let biasCorrection1 = 1 - pow(s.beta1, step)
        let biasCorrection2 = 1 - pow(s.beta2, step)
        let stepSize = s.lr / biasCorrection1
        let biasCorrection2Sqrt = pow(biasCorrection2, 0.5)
        let k = AdamKernelScalars(
            decay: s.weightDecay != 0, decoupled: s.decoupledWeightDecay,
            paramScale: 1 - s.lr * s.weightDecay, weightDecay: s.weightDecay,
            lerpWeight: 1 - s.beta1, beta2: s.beta2, oneMinusBeta2: 1 - s.beta2,
            biasCorrection2Sqrt: biasCorrection2Sqrt, eps: s.eps, negStepSize: -stepSize,
            amsgrad: s.amsgrad, maximize: s.maximize)
        updateInPlace(param) { p in
            let n = p.numel
            switch p.dtype {
            case .float32:
                adamLoop(Float.self, p: p.pointer(Float.self), g: g.pointer(Float.self), m: expAvg.pointer(Float.self),
                         v: expAvgSq.pointer(Float.self), vmax: maxExpAvgSq?.pointer(Float.self), n: n, k)
            case .float64:
                adamLoop(Double.self, p: p.pointer(Double.self), g: g.pointer(Double.self), m: expAvg.pointer(Double.self),
                         v: expAvgSq.pointer(Double.self), vmax: maxExpAvgSq?.pointer(Double.self), n: n, k)
            default:
                fatalError("Adam supports float32 and float64 parameters, got \(p.dtype)")
            }
        }
        expAvg.bumpVersion()
        expAvgSq.bumpVersion()
        if s.amsgrad { maxExpAvgSq?.bumpVersion() }
    }

    /// The Double scalars of one Adam step; each is rounded to the element type once.
    struct AdamKernelScalars {
        var decay: Bool
        var decoupled: Bool
        var paramScale: Double
        var weightDecay: Double
        var lerpWeight: Double
        var beta2: Double
        var oneMinusBeta2: Double
        var biasCorrection2Sqrt: Double
        var eps: Double
        var negStepSize: Double
        var amsgrad: Bool
        var maximize: Bool
    }

    @inline(__always)
    private static func adamLoop<T: FusedUpdateElement>(_: T.Type, p: UnsafeMutablePointer<T>, g: UnsafeMutablePointer<T>,
                                                         m: UnsafeMutablePointer<T>, v: UnsafeMutablePointer<T>,
                                                         vmax: UnsafeMutablePointer<T>?, n: Int, _ k: AdamKernelScalars) {
        let scale = T(k.paramScale), wd = T(k.weightDecay)
        let weight = T(k.lerpWeight), beta2 = T(k.beta2), c2 = T(k.oneMinusBeta2)
        // ATen's lerp: fma(w, end - start, start) for |w| < 0.5, else fma(w - 1, end - start, end).
        let smallWeight = weight.magnitude < T(0.5), weightMinusOne = weight - 1
        let bc2 = T(k.biasCorrection2Sqrt), eps = T(k.eps), negStep = T(k.negStepSize)
        let decay = k.decay, decoupled = k.decoupled, amsgrad = k.amsgrad && vmax != nil, maximize = k.maximize
        let coupledDecay = decay && !decoupled, decoupledDecay = decay && decoupled
        // lerp's coefficient and base, picked once: a single fma either way.
        let lerpCoefficient = smallWeight ? weight : weightMinusOne
        var cScalars = st_adam_scalars_f32(
            paramScale: Float(k.paramScale), weightDecay: Float(k.weightDecay),
            lerpCoefficient: Float(lerpCoefficient), beta2: Float(k.beta2), oneMinusBeta2: Float(k.oneMinusBeta2),
            biasCorrection2Sqrt: Float(k.biasCorrection2Sqrt), eps: Float(k.eps), negStepSize: Float(k.negStepSize),
            coupledDecay: coupledDecay ? 1 : 0, decoupledDecay: decoupledDecay ? 1 : 0,
            smallWeight: smallWeight ? 1 : 0, amsgrad: amsgrad ? 1 : 0, maximize: maximize ? 1 : 0)
        parallelChunks(n) { range in
            // float32 on AVX2/FMA: the same operations 8 at a time in C (optim.c).
            if T.self == Float.self && nativeLoops {
                let lo = range.lowerBound
                func f(_ x: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<Float> {
                    UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self) + lo
                }
                if st_adam_f32(f(p), f(g), f(m), f(v), vmax.map(f), range.count, &cScalars) != 0 { return }
            }
            @inline(__always) func run(coupledDecayStep: Bool) {
                for i in range {
                    var gi = maximize ? -g[i] : g[i]
                    var pi = p[i]
                    if coupledDecayStep { gi = T.fusedMultiplyAdd(pi, wd, gi) }
                    if decoupledDecay { pi = pi * scale }
                    let mi = m[i]
                    let mNew = T.fusedMultiplyAdd(lerpCoefficient, gi - mi, smallWeight ? mi : gi)
                    m[i] = mNew
                    let vNew = T.fusedMultiplyAdd(c2 * gi, gi, v[i] * beta2)
                    v[i] = vNew
                    var second = vNew
                    if amsgrad, let vmax {
                        // torch.maximum: NaN propagates
                        let old = vmax[i]
                        let biggest = old.isNaN ? old : (vNew.isNaN ? vNew : (old > vNew ? old : vNew))
                        vmax[i] = biggest
                        second = biggest
                    }
                    let denom = second.squareRoot() / bc2 + eps
                    p[i] = pi + (negStep * mNew) / denom
                }
            }
            withLiteral(coupledDecay) { run(coupledDecayStep: $0) }
        }
    }

    // MARK: Operands

    /// `t` as a contiguous tensor of `param`'s dtype and shape (a copy only when needed).
    private static func operand(_ t: Tensor, like param: Tensor, name: String) -> Tensor {
        guard t.shape == param.shape else {
            fatalError("\(name) has shape \(Shape.describe(t.shape)), but its parameter has shape \(Shape.describe(param.shape))")
        }
        if t.isContiguous && t.dtype == param.dtype { return t }
        let out = Tensor(empty: param.shape, dtype: param.dtype)
        Kernels.copy(from: t, into: out)
        return out
    }

    /// State the kernels write through raw pointers must be contiguous, of the parameter's
    /// dtype and size; state set by hand or loaded is checked here rather than trusted.
    private static func checkState(_ t: Tensor, like param: Tensor, name: String) {
        guard t.isContiguous && t.dtype == param.dtype && t.numel == param.numel else {
            fatalError("optimizer state '\(name)' must be a contiguous \(param.dtype) tensor with \(param.numel) elements, got \(t.dtype) \(Shape.describe(t.shape))")
        }
    }

    /// Runs `body` on `param`'s memory when contiguous, else on a copy written back afterwards.
    private static func updateInPlace(_ param: Tensor, _ body: (Tensor) -> Void) {
        if param.isContiguous {
            body(param)
        } else {
            let work = param.contiguousCopy()
            body(work)
            Kernels.copy(from: work, into: param)
        }
        param.bumpVersion()
    }
}
