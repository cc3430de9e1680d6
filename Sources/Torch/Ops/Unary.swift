import Foundation

enum UnaryOp {
    case neg, exp, log, sqrt, abs, sigmoid, tanh, relu, reciprocal, sign, sin, cos, log1p, expm1, floor, ceil, round
}

extension Tensor {
    /// Applies a float math function elementwise (integers are promoted to float32 first).
    static func unaryRaw(_ op: UnaryOp, _ a: Tensor) -> Tensor {
        let keepsIntegers: Bool
        switch op {
        case .neg, .abs, .relu, .sign, .floor, .ceil, .round: keepsIntegers = true
        default: keepsIntegers = false
        }
        if !a.dtype.isFloatingPoint {
            if keepsIntegers {
                if op == .neg && a.dtype == .bool {
                    fatalError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.")
                }
                let out = Tensor(empty: a.shape, dtype: a.dtype)
                let src = a.to(.int64)
                let tmp = Tensor(empty: a.shape, dtype: .int64)
                Kernels.unary(src, Int64.self, out: tmp) { (x: Int64) -> Int64 in
                    switch op {
                    case .neg: return 0 &- x
                    case .abs: return x < 0 ? 0 &- x : x
                    case .relu: return x < 0 ? 0 : x
                    case .sign: return x > 0 ? 1 : (x < 0 ? -1 : 0)
                    default: return x
                    }
                }
                Kernels.copy(from: tmp, into: out)
                return out
            }
            return unaryRaw(op, a.to(.float32))
        }
        let out = Tensor(empty: a.shape, dtype: a.dtype)
        func run<T: BinaryFloatingPoint & ArithmeticElement & ElementaryMath>(_: T.Type) {
            switch op {
            case .neg: Kernels.unary(a, T.self, out: out) { -$0 }
            case .exp: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.expValue($0) }
            case .log: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.logValue($0) }
            case .sqrt: Kernels.unary(a, T.self, out: out) { $0.squareRoot() }
            case .abs: Kernels.unary(a, T.self, out: out) { Swift.abs($0) }
            case .sigmoid: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { 1 / (1 + T.expValue(-$0)) }
            case .tanh: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.tanhValue($0) }
            case .relu: Kernels.unary(a, T.self, out: out) { $0 > 0 ? $0 : ($0 != $0 ? $0 : 0) }
            case .reciprocal: Kernels.unary(a, T.self, out: out) { 1 / $0 }
            case .sign: Kernels.unary(a, T.self, out: out) { $0 > 0 ? 1 : ($0 < 0 ? -1 : $0) }
            case .sin: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.sinValue($0) }
            case .cos: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.cosValue($0) }
            case .log1p: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.log1pValue($0) }
            case .expm1: Kernels.unary(a, T.self, out: out, grain: Kernels.expensiveGrain) { T.expm1Value($0) }
            case .floor: Kernels.unary(a, T.self, out: out) { $0.rounded(.down) }
            case .ceil: Kernels.unary(a, T.self, out: out) { $0.rounded(.up) }
            case .round: Kernels.unary(a, T.self, out: out) { $0.rounded(.toNearestOrEven) }
            }
        }
        if a.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return out
    }

    /// Negation, as `torch.neg`.
    public func neg() -> Tensor {
        let out = Tensor.unaryRaw(.neg, self)
        return Tensor.record("NegBackward0", out, inputs: [self]) { g in [-g] }
    }

    /// Elementwise e^x, as `torch.exp`.
    public func exp() -> Tensor {
        let out = Tensor.unaryRaw(.exp, self)
        let so = out.alias
        return Tensor.record("ExpBackward0", out, inputs: [self], saving: [out]) { g in [g * so] }
    }

    /// Natural logarithm, as `torch.log`.
    public func log() -> Tensor {
        let out = Tensor.unaryRaw(.log, self)
        let sa = alias
        return Tensor.record("LogBackward0", out, inputs: [self], saving: [self]) { g in [g / sa] }
    }

    /// log(1 + x), as `torch.log1p`.
    public func log1p() -> Tensor {
        let out = Tensor.unaryRaw(.log1p, self)
        let sa = alias
        return Tensor.record("Log1PBackward0", out, inputs: [self], saving: [self]) { g in [g / (sa + 1)] }
    }

    /// e^x - 1, as `torch.expm1`.
    public func expm1() -> Tensor {
        let out = Tensor.unaryRaw(.expm1, self)
        let so = out.alias
        return Tensor.record("Expm1Backward0", out, inputs: [self], saving: [out]) { g in [g * (so + 1)] }
    }

    /// Square root, as `torch.sqrt`.
    public func sqrt() -> Tensor {
        let out = Tensor.unaryRaw(.sqrt, self)
        let so = out.alias
        return Tensor.record("SqrtBackward0", out, inputs: [self], saving: [out]) { g in [g / (so * 2)] }
    }

    /// Absolute value, as `torch.abs`.
    public func abs() -> Tensor {
        let out = Tensor.unaryRaw(.abs, self)
        let sa = alias
        return Tensor.record("AbsBackward0", out, inputs: [self], saving: [self]) { g in [g * Tensor.unaryRaw(.sign, sa)] }
    }

    /// Sign (-1, 0 or 1), as `torch.sign`.
    public func sign() -> Tensor {
        let out = Tensor.unaryRaw(.sign, self)
        return Tensor.record("SignBackward0", out, inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }

    /// Logistic sigmoid, as `torch.sigmoid`.
    public func sigmoid() -> Tensor {
        let out = Tensor.unaryRaw(.sigmoid, self)
        let so = out.alias
        return Tensor.record("SigmoidBackward0", out, inputs: [self], saving: [out]) { g in [g * so * (1 - so)] }
    }

    /// Hyperbolic tangent, as `torch.tanh`.
    public func tanh() -> Tensor {
        let out = Tensor.unaryRaw(.tanh, self)
        let so = out.alias
        return Tensor.record("TanhBackward0", out, inputs: [self], saving: [out]) { g in [g * (1 - so * so)] }
    }

    /// Rectified linear unit, as `torch.relu`.
    public func relu() -> Tensor {
        let out = Tensor.unaryRaw(.relu, self)
        let so = out.alias
        return Tensor.record("ReluBackward0", out, inputs: [self], saving: [out]) { g in
            [Tensor.thresholdBackward(g, so)]
        }
    }

    /// g where out > 0, else 0 (ReLU's backward, fused).
    static func thresholdBackward(_ g: Tensor, _ out: Tensor) -> Tensor {
        let result = Tensor(empty: Shape.broadcast(g.shape, out.shape), dtype: g.dtype)
        if g.dtype == .float32 {
            Kernels.binary(g, out.to(.float32), Float.self, Float.self, out: result) { $1 > 0 ? $0 : 0 }
        } else {
            Kernels.binary(g.to(.float64), out.to(.float64), Double.self, Double.self, out: result) { $1 > 0 ? $0 : 0 }
        }
        return result
    }

    /// 1 / x, as `torch.reciprocal`.
    public func reciprocal() -> Tensor {
        let out = Tensor.unaryRaw(.reciprocal, self)
        let so = out.alias
        return Tensor.record("ReciprocalBackward0", out, inputs: [self], saving: [out]) { g in [-g * so * so] }
    }

    /// Sine, as `torch.sin`.
    public func sin() -> Tensor {
        let out = Tensor.unaryRaw(.sin, self)
        let sa = alias
        return Tensor.record("SinBackward0", out, inputs: [self], saving: [self]) { g in [g * sa.cos()] }
    }

    /// Cosine, as `torch.cos`.
    public func cos() -> Tensor {
        let out = Tensor.unaryRaw(.cos, self)
        let sa = alias
        return Tensor.record("CosBackward0", out, inputs: [self], saving: [self]) { g in [-g * sa.sin()] }
    }

    /// Rounds down, as `torch.floor` (zero gradient).
    public func floor() -> Tensor {
        Tensor.record("FloorBackward0", Tensor.unaryRaw(.floor, self), inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// Rounds up, as `torch.ceil` (zero gradient).
    public func ceil() -> Tensor {
        Tensor.record("CeilBackward0", Tensor.unaryRaw(.ceil, self), inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }
    /// Rounds half to even, as `torch.round` (zero gradient).
    public func round() -> Tensor {
        Tensor.record("RoundBackward0", Tensor.unaryRaw(.round, self), inputs: [self]) { g in [Tensor.zerosLike(g)] }
    }

    /// Squares elementwise, as `torch.square`.
    public func square() -> Tensor { pow(2) }

    /// Clamps into `[min, max]`, as `torch.clamp` (either bound may be nil).
    public func clamp(min lo: Double? = nil, max hi: Double? = nil) -> Tensor {
        precondition(lo != nil || hi != nil, "torch.clamp: At least one of 'min' or 'max' must not be None")
        // Bounds promote like Swift scalars: a fractional bound makes an integer tensor float.
        let fractional = [lo, hi].contains { $0.map { $0 != $0.rounded() } ?? false }
        let compute = Promotion.resultType([Promotion.operand(self),
                                            .init(dtype: fractional ? .float64 : .int64, isZeroDim: true, isWrappedScalar: true)])
        var out = self.detach().converted(to: compute)
        if let lo { out = Tensor.binaryRaw(.maximum, out, Tensor.wrapped(lo, like: out), compute: compute) }
        if let hi {
            // PyTorch applies max last, so min > max gives max everywhere
            out = Tensor.binaryRaw(.minimum, out, Tensor.wrapped(hi, like: out), compute: compute)
        }
        let sa = alias
        return Tensor.record("ClampBackward1", out, inputs: [self], saving: [self]) { g in
            var mask = Tensor.onesLike(sa, dtype: .bool)
            if let lo { mask = mask & sa.ge(lo) }
            if let hi { mask = mask & sa.le(hi) }
            return [g * mask.to(g.dtype)]
        }
    }
    /// Clamps into `[min, max]`, as `torch.clamp(t, lo, hi)`.
    public func clamp(_ lo: Double, _ hi: Double) -> Tensor { clamp(min: lo, max: hi) }
}

/// Math functions dispatched statically for Float and Double.
protocol ElementaryMath {
    static func expValue(_ x: Self) -> Self
    static func logValue(_ x: Self) -> Self
    static func tanhValue(_ x: Self) -> Self
    static func sinValue(_ x: Self) -> Self
    static func cosValue(_ x: Self) -> Self
    static func log1pValue(_ x: Self) -> Self
    static func expm1Value(_ x: Self) -> Self
}
extension Float: ElementaryMath {
    @inline(__always) static func expValue(_ x: Float) -> Float { Foundation.exp(x) }
    @inline(__always) static func logValue(_ x: Float) -> Float { Foundation.log(x) }
    @inline(__always) static func tanhValue(_ x: Float) -> Float { Foundation.tanh(x) }
    @inline(__always) static func sinValue(_ x: Float) -> Float { Foundation.sin(x) }
    @inline(__always) static func cosValue(_ x: Float) -> Float { Foundation.cos(x) }
    @inline(__always) static func log1pValue(_ x: Float) -> Float { Foundation.log1p(x) }
    @inline(__always) static func expm1Value(_ x: Float) -> Float { Foundation.expm1(x) }
}
extension Double: ElementaryMath {
    @inline(__always) static func expValue(_ x: Double) -> Double { Foundation.exp(x) }
    @inline(__always) static func logValue(_ x: Double) -> Double { Foundation.log(x) }
    @inline(__always) static func tanhValue(_ x: Double) -> Double { Foundation.tanh(x) }
    @inline(__always) static func sinValue(_ x: Double) -> Double { Foundation.sin(x) }
    @inline(__always) static func cosValue(_ x: Double) -> Double { Foundation.cos(x) }
    @inline(__always) static func log1pValue(_ x: Double) -> Double { Foundation.log1p(x) }
    @inline(__always) static func expm1Value(_ x: Double) -> Double { Foundation.expm1(x) }
}

/// Elementwise e^x.
public func exp(_ t: Tensor) -> Tensor { t.exp() }
/// Natural logarithm.
public func log(_ t: Tensor) -> Tensor { t.log() }
/// Square root.
public func sqrt(_ t: Tensor) -> Tensor { t.sqrt() }
/// Absolute value.
public func abs(_ t: Tensor) -> Tensor { t.abs() }
/// Logistic sigmoid, as `torch.sigmoid`.
public func sigmoid(_ t: Tensor) -> Tensor { t.sigmoid() }
/// Hyperbolic tangent, as `torch.tanh`.
public func tanh(_ t: Tensor) -> Tensor { t.tanh() }
/// Rectified linear unit, as `torch.relu` / `F.relu`.
public func relu(_ t: Tensor) -> Tensor { t.relu() }
/// Clamps into `[min, max]`, as `torch.clamp`.
public func clamp(_ t: Tensor, min: Double? = nil, max: Double? = nil) -> Tensor { t.clamp(min: min, max: max) }
