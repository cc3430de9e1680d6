import Foundation

enum BinaryOp {
    case add, sub, mul, div, pow, maximum, minimum, floorDivide
}

extension Tensor {
    /// Computes `op` elementwise with broadcasting in dtype `compute` (no autograd).
    /// `into` may be a contiguous tensor of the result's shape and dtype, even `a` itself.
    @discardableResult
    static func binaryRaw(_ op: BinaryOp, _ a: Tensor, _ b: Tensor, compute: DType, into: Tensor? = nil) -> Tensor {
        let a = a.converted(to: compute), b = b.converted(to: compute)
        let out = into ?? Tensor(empty: Shape.broadcast(a.shape, b.shape), dtype: compute)
        func run<T: ArithmeticElement>(_: T.Type) {
            switch op {
            case .add: Kernels.binary(a, b, T.self, T.self, out: out) { T.add($0, $1) }
            case .sub: Kernels.binary(a, b, T.self, T.self, out: out) { T.sub($0, $1) }
            case .mul: Kernels.binary(a, b, T.self, T.self, out: out) { T.mul($0, $1) }
            case .div, .floorDivide: Kernels.binary(a, b, T.self, T.self, out: out) { T.div($0, $1) }
            case .pow: Kernels.binary(a, b, T.self, T.self, out: out, grain: Kernels.expensiveGrain) { T.power($0, $1) }
            // NaN propagates, as torch.maximum
            case .maximum: Kernels.binary(a, b, T.self, T.self, out: out) { x, y in x != x ? x : (y != y ? y : (T.less(y, x) ? x : y)) }
            case .minimum: Kernels.binary(a, b, T.self, T.self, out: out) { x, y in x != x ? x : (y != y ? y : (T.less(x, y) ? x : y)) }
            }
        }
        switch compute {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
        return out
    }

    /// Sums a broadcast gradient back to `input`'s shape and dtype.
    static func reduceGrad(_ grad: Tensor, to input: Tensor) -> Tensor {
        reduceGrad(grad, toShape: input.shape, dtype: input.dtype)
    }

    /// `reduceGrad(_:to:)` for backward functions that need only the input's shape and dtype,
    /// so they keep no tensor alive (and allocate no alias).
    static func reduceGrad(_ grad: Tensor, toShape shape: [Int], dtype: DType) -> Tensor {
        var g = grad
        if g.shape != shape { g = g.sumToShape(shape) }
        if g.dtype != dtype { g = g.to(dtype) }
        return g
    }

    /// Sums leading and broadcast (size-1) dims so the result has `shape`.
    func sumToShape(_ target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = dim - target.count
        var dims = Array(0..<lead)
        for (i, s) in target.enumerated() where s == 1 && shape[lead + i] != 1 { dims.append(lead + i) }
        var r = dims.isEmpty ? self : sum(dims: dims, keepDim: true)
        if lead > 0 { r = r.reshape(target) }
        return r.shape == target ? r : r.reshape(target)
    }

    static func arith(_ op: BinaryOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        var compute = Promotion.resultType(a, b)
        if op == .div && !compute.isFloatingPoint { compute = .float32 }
        if op == .sub && compute == .bool {
            fatalError("Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.")
        }
        let out = binaryRaw(op, a, b, compute: compute)
        guard GradMode.isEnabled && (a.requiresGradFlag || b.requiresGradFlag) else { return out }
        let needA = a.requiresGradFlag, needB = b.requiresGradFlag
        // add and sub read only the inputs' shapes and dtypes in backward
        let shapeA = a.shape, dtypeA = a.dtype, shapeB = b.shape, dtypeB = b.dtype
        switch op {
        case .add:
            // no gradient is computed for an input that does not need one (a scalar, a constant)
            return record("AddBackward0", out, inputs: [a, b]) { g in
                [needA ? reduceGrad(g, toShape: shapeA, dtype: dtypeA) : nil,
                 needB ? reduceGrad(g, toShape: shapeB, dtype: dtypeB) : nil]
            }
        case .sub:
            return record("SubBackward0", out, inputs: [a, b]) { g in
                [needA ? reduceGrad(g, toShape: shapeA, dtype: dtypeA) : nil,
                 needB ? reduceGrad(-g, toShape: shapeB, dtype: dtypeB) : nil]
            }
        default: break
        }
        let sa = a.alias, sb = b.alias
        switch op {
        case .add, .sub, .floorDivide:
            return out  // add and sub returned above; floor division has no gradient
        case .mul:
            return record("MulBackward0", out, inputs: [a, b], saving: [a, b]) { g in
                [needA ? reduceGrad(g * sb, to: sa) : nil,
                 needB ? reduceGrad(g * sa, to: sb) : nil]
            }
        case .div:
            return record("DivBackward0", out, inputs: [a, b], saving: [a, b]) { g in
                [needA ? reduceGrad(g / sb, to: sa) : nil,
                 needB ? reduceGrad(-g * sa / (sb * sb), to: sb) : nil]
            }
        case .pow:
            let so = out.alias
            if b.isWrappedScalar {
                return record("PowBackward0", out, inputs: [a], saving: [a]) { g in
                    let e = sb.item(as: Double.self)
                    if e == 0 { return [Tensor.zerosLike(sa)] }
                    return [g * e * sa.pow(e - 1)]
                }
            }
            if a.isWrappedScalar {
                return record("PowBackward2", out, inputs: [b], saving: [b, out]) { g in
                    [reduceGrad(g * so * Foundation.log(sa.item(as: Double.self)), to: sb)]
                }
            }
            return record("PowBackward1", out, inputs: [a, b], saving: [a, b, out]) { g in
                // d/da a^b = b a^(b-1), defined as 0 where b == 0 (even at a == 0)
                let ga = needA ? reduceGrad(Tensor.where(sb.eq(0), Tensor.zerosLike(g), g * sb * sa.pow(sb - 1)), to: sa) : nil
                // d/db a^b = a^b log a, defined as 0 where a == 0 and b >= 0
                let safe = Tensor.where(sa.eq(0) & sb.ge(0), Tensor.zerosLike(so), so * sa.log())
                let gb = needB ? reduceGrad(g * safe, to: sb) : nil
                return [ga, gb]
            }
        case .maximum, .minimum:
            let name = op == .maximum ? "MaximumBackward0" : "MinimumBackward0"
            return record(name, out, inputs: [a, b], saving: [a, b]) { g in
                // ties share the gradient equally, as PyTorch
                let pick = op == .maximum ? sa.gt(sb) : sa.lt(sb)
                let tie = sa.eq(sb).to(g.dtype) * 0.5
                let wa = pick.to(g.dtype) + tie
                return [needA ? reduceGrad(g * wa, to: sa) : nil, needB ? reduceGrad(g * (1 - wa), to: sb) : nil]
            }
        }
    }

    // MARK: Operators

    /// Elementwise sum with broadcasting, as `a + b`.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { arith(.add, lhs, rhs) }
    /// Elementwise difference with broadcasting.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { arith(.sub, lhs, rhs) }
    /// Elementwise product with broadcasting.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { arith(.mul, lhs, rhs) }
    /// Elementwise true division with broadcasting (integers divide as floats).
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { arith(.div, lhs, rhs) }

    public static func + <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { arith(.add, lhs, wrapped(rhs, like: lhs)) }
    public static func + <S: TensorScalarOperand>(lhs: S, rhs: Tensor) -> Tensor { arith(.add, rhs, wrapped(lhs, like: rhs)) }
    public static func - <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { arith(.sub, lhs, wrapped(rhs, like: lhs)) }
    public static func * <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { arith(.mul, lhs, wrapped(rhs, like: lhs)) }
    public static func * <S: TensorScalarOperand>(lhs: S, rhs: Tensor) -> Tensor { arith(.mul, rhs, wrapped(lhs, like: rhs)) }
    public static func / <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { arith(.div, lhs, wrapped(rhs, like: lhs)) }

    /// `scalar - tensor`, recorded as PyTorch's `RsubBackward1`.
    public static func - <S: TensorScalarOperand>(lhs: S, rhs: Tensor) -> Tensor {
        let s = wrapped(lhs, like: rhs)
        let out = binaryRaw(.sub, s, rhs, compute: Promotion.resultType(rhs, s))
        let shape = rhs.shape, dtype = rhs.dtype
        return record("RsubBackward1", out, inputs: [rhs]) { g in [reduceGrad(-g, toShape: shape, dtype: dtype)] }
    }

    /// `scalar / tensor`, computed as PyTorch does: `reciprocal(tensor) * scalar`.
    public static func / <S: TensorScalarOperand>(lhs: S, rhs: Tensor) -> Tensor {
        rhs.reciprocal() * lhs
    }

    /// Negation, as `-t`.
    public static prefix func - (t: Tensor) -> Tensor { t.neg() }

    /// In-place addition, as PyTorch's `t += other`.
    public static func += (lhs: Tensor, rhs: Tensor) { lhs.add_(rhs) }
    public static func -= (lhs: Tensor, rhs: Tensor) { lhs.sub_(rhs) }
    public static func *= (lhs: Tensor, rhs: Tensor) { lhs.mul_(rhs) }
    public static func /= (lhs: Tensor, rhs: Tensor) { lhs.div_(rhs) }
    public static func += <S: TensorScalarOperand>(lhs: Tensor, rhs: S) { lhs.add_(wrapped(rhs, like: lhs)) }
    public static func -= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) { lhs.sub_(wrapped(rhs, like: lhs)) }
    public static func *= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) { lhs.mul_(wrapped(rhs, like: lhs)) }
    public static func /= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) { lhs.div_(wrapped(rhs, like: lhs)) }

    // MARK: Methods

    /// `self + alpha * other`, as `torch.add`.
    public func add(_ other: Tensor, alpha: Double = 1) -> Tensor { alpha == 1 ? self + other : self + other * alpha }
    /// `self - alpha * other`, as `torch.sub`.
    public func sub(_ other: Tensor, alpha: Double = 1) -> Tensor { alpha == 1 ? self - other : self - other * alpha }
    /// Elementwise product, as `torch.mul`.
    public func mul(_ other: Tensor) -> Tensor { self * other }
    /// Elementwise true division, as `torch.div`.
    public func div(_ other: Tensor) -> Tensor { self / other }

    /// Elementwise power with a tensor exponent, as `torch.pow`.
    public func pow(_ exponent: Tensor) -> Tensor { Tensor.arith(.pow, self, exponent) }
    /// Elementwise power with a scalar exponent, as `t ** 2`.
    public func pow<S: TensorScalarOperand>(_ exponent: S) -> Tensor {
        var e = Tensor.wrapped(exponent, like: self)
        // integer tensors raised to a float power become float
        if !dtype.isFloatingPoint && S.operandDType.isFloatingPoint { e = e.to(.float32); e.isWrappedScalar = true }
        return Tensor.arith(.pow, self, e)
    }
    /// `base ** tensor` for a scalar base, as `torch.pow(2, t)`.
    public static func pow<S: TensorScalarOperand>(_ base: S, _ exponent: Tensor) -> Tensor {
        Tensor.arith(.pow, wrapped(base, like: exponent), exponent)
    }
    /// Elementwise maximum, as `torch.maximum`.
    public func maximum(_ other: Tensor) -> Tensor { Tensor.arith(.maximum, self, other) }
    /// Elementwise minimum, as `torch.minimum`.
    public func minimum(_ other: Tensor) -> Tensor { Tensor.arith(.minimum, self, other) }
    /// Floor division, as `torch.floor_divide` (no gradient).
    public func floorDivide(_ other: Tensor) -> Tensor {
        Tensor.binaryRaw(.floorDivide, self, other, compute: Promotion.resultType(self, other))
    }
}

/// Elementwise power, as `torch.pow`.
public func pow(_ base: Tensor, _ exponent: Tensor) -> Tensor { base.pow(exponent) }
/// Elementwise power with a scalar exponent.
public func pow<S: TensorScalarOperand>(_ base: Tensor, _ exponent: S) -> Tensor { base.pow(exponent) }
