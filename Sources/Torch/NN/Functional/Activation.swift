import Foundation

// Activation functions of torch.nn.functional: softmax and log-softmax along a dim (stable:
// the row maximum is subtracted first), pointwise nonlinearities, and dropout.

// MARK: Softmax

/// Softmax along `dim`, as `torch.nn.functional.softmax`; records `SoftmaxBackward0`.
///
/// The row maximum is subtracted before `exp`, so large logits do not overflow.
/// `dtype` converts the input first, as PyTorch's `dtype=` argument.
/// ```swift
/// let p = softmax(Tensor([[1.0, 2.0, 3.0]]), dim: 1)   // tensor([[0.0900, 0.2447, 0.6652]])
/// ```
public func softmax(_ input: Tensor, dim: Int, dtype: DType? = nil) -> Tensor {
    SoftmaxOp.apply(dtype.map { input.to($0) } ?? input, dim: dim, log: false)
}

/// Log-softmax along `dim`, as `torch.nn.functional.log_softmax`; records `LogSoftmaxBackward0`.
///
/// Computed as `x - max - log(sum(exp(x - max)))`, stable for huge logits.
/// ```swift
/// let logp = logSoftmax(Tensor([[1000.0, 0.0]]), dim: 1)   // tensor([[0., -1000.]])
/// ```
public func logSoftmax(_ input: Tensor, dim: Int, dtype: DType? = nil) -> Tensor {
    SoftmaxOp.apply(dtype.map { input.to($0) } ?? input, dim: dim, log: true)
}

extension Tensor {
    /// Softmax along `dim`, as `tensor.softmax(dim)`.
    ///
    /// ```swift
    /// let p = logits.softmax(dim: -1)
    /// ```
    public func softmax(dim: Int) -> Tensor { SoftmaxOp.apply(self, dim: dim, log: false) }

    /// Log-softmax along `dim`, as `tensor.log_softmax(dim)`.
    ///
    /// ```swift
    /// let logp = logits.logSoftmax(dim: 1)
    /// ```
    public func logSoftmax(dim: Int) -> Tensor { SoftmaxOp.apply(self, dim: dim, log: true) }
}

enum SoftmaxOp {
    static func apply(_ input: Tensor, dim: Int, log: Bool) -> Tensor {
        let d = Shape.wrapDim(dim, rank: input.dim)
        guard input.dtype.isFloatingPoint else {
            fatalError("\"\(log ? "log_softmax" : "softmax")_lastdim_kernel_impl\" not implemented for '\(input.dtypeName)'")
        }
        let shape = input.shape
        let size = input.dim == 0 ? 1 : shape[d]
        let inner = input.dim == 0 ? 1 : shape[(d + 1)...].reduce(1, *)
        let outer = input.dim == 0 ? 1 : shape[..<d].reduce(1, *)
        let x = input.contiguousIfNeeded()
        let out = Tensor(empty: shape, dtype: input.dtype)
        if input.dtype == .float32 {
            forward(x.pointer(Float.self), out.pointer(Float.self), outer, size, inner, log)
        } else {
            forward(x.pointer(Double.self), out.pointer(Double.self), outer, size, inner, log)
        }
        let so = out.alias
        return Tensor.record(log ? "LogSoftmaxBackward0" : "SoftmaxBackward0", out, inputs: [input], saving: [out]) { g in
            let gy = g.contiguousIfNeeded()
            let gx = Tensor(empty: shape, dtype: gy.dtype)
            let y = so.to(gy.dtype)
            if gy.dtype == .float32 {
                backward(gy.pointer(Float.self), y.pointer(Float.self), gx.pointer(Float.self), outer, size, inner, log)
            } else {
                backward(gy.pointer(Double.self), y.pointer(Double.self), gx.pointer(Double.self), outer, size, inner, log)
            }
            return [gx]
        }
    }

    /// Rows of `size` elements `inner` apart; inner loops run over contiguous `inner` runs.
    static func forward<T: BinaryFloatingPoint & ElementaryMath>(
        _ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ outer: Int, _ size: Int, _ inner: Int, _ log: Bool
    ) {
        guard size > 0 else { return }
        let grain = Swift.max(1, 16384 / Swift.max(1, size * inner))
        parallelChunks(outer, grain: grain) { range in
            let maxima = UnsafeMutablePointer<T>.allocate(capacity: inner)
            let sums = UnsafeMutablePointer<T>.allocate(capacity: inner)
            defer { maxima.deallocate(); sums.deallocate() }
            for o in range {
                let src = x + o * size * inner, dst = y + o * size * inner
                maxima.update(from: src, count: inner)
                for k in 1..<size {
                    let row = src + k * inner
                    for i in 0..<inner where row[i] > maxima[i] { maxima[i] = row[i] }
                }
                sums.update(repeating: 0, count: inner)
                for k in 0..<size {
                    let row = src + k * inner, out = dst + k * inner
                    for i in 0..<inner {
                        let e = T.expValue(row[i] - maxima[i])
                        if !log { out[i] = e }
                        sums[i] += e
                    }
                }
                if log {
                    // (x - max) - log(sum), in that order: x - (max + log(sum)) would round
                    // log(sum) away at large max
                    for i in 0..<inner { sums[i] = T.logValue(sums[i]) }
                    for k in 0..<size {
                        let row = src + k * inner, out = dst + k * inner
                        for i in 0..<inner { out[i] = (row[i] - maxima[i]) - sums[i] }
                    }
                } else {
                    for i in 0..<inner { sums[i] = 1 / sums[i] }
                    for k in 0..<size {
                        let out = dst + k * inner
                        for i in 0..<inner { out[i] *= sums[i] }
                    }
                }
            }
        }
    }

    /// softmax: gx = y * (g - sum(g * y)); log-softmax: gx = g - exp(y) * sum(g).
    static func backward<T: BinaryFloatingPoint & ElementaryMath>(
        _ g: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>,
        _ outer: Int, _ size: Int, _ inner: Int, _ log: Bool
    ) {
        guard size > 0 else { return }
        let grain = Swift.max(1, 16384 / Swift.max(1, size * inner))
        parallelChunks(outer, grain: grain) { range in
            let sums = UnsafeMutablePointer<T>.allocate(capacity: inner)
            defer { sums.deallocate() }
            for o in range {
                let base = o * size * inner
                sums.update(repeating: 0, count: inner)
                for k in 0..<size {
                    let gr = g + base + k * inner, yr = y + base + k * inner
                    for i in 0..<inner { sums[i] += log ? gr[i] : gr[i] * yr[i] }
                }
                for k in 0..<size {
                    let gr = g + base + k * inner, yr = y + base + k * inner, out = gx + base + k * inner
                    if log {
                        for i in 0..<inner { out[i] = gr[i] - T.expValue(yr[i]) * sums[i] }
                    } else {
                        for i in 0..<inner { out[i] = yr[i] * (gr[i] - sums[i]) }
                    }
                }
            }
        }
    }
}

// MARK: Pointwise

/// Float element types with the math pointwise activations need.
protocol ActivationScalar: BinaryFloatingPoint & ElementaryMath & ArithmeticElement {
    static func erfValue(_ x: Self) -> Self
}
extension Float: ActivationScalar {
    @inline(__always) static func erfValue(_ x: Float) -> Float { Foundation.erf(x) }
}
extension Double: ActivationScalar {
    @inline(__always) static func erfValue(_ x: Double) -> Double { Foundation.erf(x) }
}

enum PointwiseActivation {
    case leakyRelu(Double), geluErf, geluTanh, silu, hardtanh(Double, Double)

    var nodeName: String {
        switch self {
        case .leakyRelu: return "LeakyReluBackward0"
        case .geluErf, .geluTanh: return "GeluBackward0"
        case .silu: return "SiluBackward0"
        case .hardtanh: return "HardtanhBackward0"
        }
    }

    // Constants of PyTorch's CPU GELU kernels.
    static let sqrtHalf = 0.70710678118654752440  // M_SQRT1_2
    static let erfBeta = 1.12837916709551257390 * 0.70710678118654752440 * 0.5  // M_2_SQRTPI * M_SQRT1_2 * 0.5
    static let tanhBeta = 1.41421356237309504880 * 1.12837916709551257390 * 0.5  // M_SQRT2 * M_2_SQRTPI * 0.5
    static let kappa = 0.044715

    /// PyTorch's kernel name in "not implemented for" messages.
    var kernelName: String {
        switch self {
        case .leakyRelu: return "leaky_relu_cpu"
        case .geluErf, .geluTanh: return "GeluKernelImpl"
        case .silu: return "silu_cpu"
        case .hardtanh: return "clamp_cpu"
        }
    }

    @inline(__always)
    func value<T: ActivationScalar>(_ x: T) -> T {
        switch self {
        case .leakyRelu(let slope): return x > 0 ? x : x * T(slope)
        case .geluErf: return x * 0.5 * (1 + T.erfValue(x * T(Self.sqrtHalf)))
        case .geluTanh:
            let inner = T(Self.tanhBeta) * (x + T(Self.kappa) * x * x * x)
            return 0.5 * x * (1 + T.tanhValue(inner))
        case .silu: return x / (1 + T.expValue(-x))
        case .hardtanh(let lo, let hi): return x < T(lo) ? T(lo) : (x > T(hi) ? T(hi) : x)
        }
    }

    @inline(__always)
    func derivative<T: ActivationScalar>(_ g: T, _ x: T) -> T {
        switch self {
        case .leakyRelu(let slope): return x > 0 ? g : g * T(slope)
        case .geluErf:
            let cdf = 0.5 * (1 + T.erfValue(x * T(Self.sqrtHalf)))
            let pdf = T.expValue(-0.5 * x * x) * T(Self.erfBeta)
            return g * (cdf + x * pdf)
        case .geluTanh:
            let x2 = x * x
            let inner = T(Self.tanhBeta) * (x + T(Self.kappa) * x2 * x)
            let t = T.tanhValue(inner)
            let left = 0.5 * x, right = 1 + t
            let dInner = T(Self.tanhBeta) * (1 + 3 * T(Self.kappa) * x2)
            return g * (0.5 * right + left * (1 - t * t) * dInner)
        case .silu:
            let s = 1 / (1 + T.expValue(-x))
            return g * s * (1 + x * (1 - s))
        case .hardtanh(let lo, let hi): return (x <= T(lo) || x >= T(hi)) ? 0 : g
        }
    }

    func apply(_ input: Tensor) -> Tensor {
        guard input.dtype.isFloatingPoint else {
            fatalError("\"\(kernelName)\" not implemented for '\(input.dtypeName)'")
        }
        let out = Tensor(empty: input.shape, dtype: input.dtype)
        if input.dtype == .float32 {
            Kernels.unary(input, Float.self, out: out) { value($0) }
        } else {
            Kernels.unary(input, Double.self, out: out) { value($0) }
        }
        let sa = input.alias
        return Tensor.record(nodeName, out, inputs: [input], saving: [input]) { g in
            let gy = g.contiguousIfNeeded()
            let x = sa.contiguousIfNeeded().to(gy.dtype)
            let gx = Tensor(empty: gy.shape, dtype: gy.dtype)
            if gy.dtype == .float32 {
                Kernels.binary(gy, x, Float.self, Float.self, out: gx) { derivative($0, $1) }
            } else {
                Kernels.binary(gy, x, Double.self, Double.self, out: gx) { derivative($0, $1) }
            }
            return [gx]
        }
    }
}

/// Leaky ReLU, `x > 0 ? x : negativeSlope * x`, as `F.leaky_relu`; records `LeakyReluBackward0`.
///
/// ```swift
/// leakyRelu(Tensor([-2.0, 3.0]))                      // tensor([-0.0200,  3.0000])
/// leakyRelu(Tensor([-2.0, 3.0]), negativeSlope: 0.2)  // tensor([-0.4000,  3.0000])
/// ```
public func leakyRelu(_ input: Tensor, negativeSlope: Double = 0.01) -> Tensor {
    PointwiseActivation.leakyRelu(negativeSlope).apply(input)
}

/// Gaussian error linear unit, as `F.gelu`; records `GeluBackward0`.
///
/// `approximate: "none"` is `x * Φ(x)` with the exact normal CDF (erf); `"tanh"` is the tanh
/// approximation `0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³)))`.
/// ```swift
/// gelu(Tensor([1.0]))                        // tensor([0.8413])
/// gelu(Tensor([1.0]), approximate: "tanh")   // tensor([0.8412])
/// ```
public func gelu(_ input: Tensor, approximate: String = "none") -> Tensor {
    switch approximate {
    case "none": return PointwiseActivation.geluErf.apply(input)
    case "tanh": return PointwiseActivation.geluTanh.apply(input)
    default: fatalError("approximate argument must be either none or tanh.")
    }
}

/// Sigmoid linear unit (swish), `x * sigmoid(x)`, as `F.silu`; records `SiluBackward0`.
///
/// ```swift
/// silu(Tensor([1.0]))   // tensor([0.7311])
/// ```
public func silu(_ input: Tensor) -> Tensor { PointwiseActivation.silu.apply(input) }

/// Clamps to `[minVal, maxVal]`, as `F.hardtanh`; records `HardtanhBackward0` (the gradient
/// is zero at and beyond the bounds, as PyTorch).
///
/// ```swift
/// hardtanh(Tensor([-2.0, 0.5, 3.0]))   // tensor([-1.0000,  0.5000,  1.0000])
/// ```
public func hardtanh(_ input: Tensor, minVal: Double = -1, maxVal: Double = 1) -> Tensor {
    PointwiseActivation.hardtanh(minVal, maxVal).apply(input)
}

// MARK: Dropout

/// Zeroes each element with probability `p` and scales the rest by `1 / (1 - p)` in training,
/// as `torch.nn.functional.dropout` on CPU; returns `input` itself when not training or `p == 0`.
///
/// The mask is drawn exactly as PyTorch does (`bernoulli_(1 - p)` on a tensor shaped like the
/// input, divided by `1 - p`), so the same seed zeroes the same elements. `p == 1` draws nothing.
/// ```swift
/// manualSeed(0)
/// let y = dropout(Tensor.ones(8), p: 0.5)   // same mask as torch after torch.manual_seed(0)
/// let z = dropout(x, p: 0.5, training: false)   // z === x
/// ```
public func dropout(_ input: Tensor, p: Double = 0.5, training: Bool = true, generator: Generator? = nil) -> Tensor {
    guard p >= 0 && p <= 1 else {
        fatalError("dropout probability has to be between 0 and 1, but got \(p)")
    }
    if p == 0 || !training || input.numel == 0 { return input }
    if p == 1 { return input * Tensor.zeros([], dtype: input.dtype) }
    let noise = Tensor(empty: input.shape, dtype: input.dtype)
    withNoGrad {
        noise.bernoulli_(1 - p, generator: generator)
        noise.div_(1 - p)
    }
    return input * noise
}
