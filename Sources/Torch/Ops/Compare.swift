enum CompareOp { case eq, ne, lt, le, gt, ge }

extension Tensor {
    /// Elementwise comparison in the promoted dtype, giving a bool tensor (never requires grad).
    static func compare(_ op: CompareOp, _ a: Tensor, _ b: Tensor) -> Tensor {
        let compute = Promotion.resultType(a, b)
        let a = a.converted(to: compute), b = b.converted(to: compute)
        let out = Tensor(empty: Shape.broadcast(a.shape, b.shape), dtype: .bool)
        func run<T: ArithmeticElement>(_: T.Type) {
            switch op {
            case .eq: Kernels.binary(a, b, T.self, T.self, out: out) { $0 == $1 }
            case .ne: Kernels.binary(a, b, T.self, T.self, out: out) { $0 != $1 }
            case .lt: Kernels.binary(a, b, T.self, T.self, out: out) { T.less($0, $1) }
            case .le: Kernels.binary(a, b, T.self, T.self, out: out) { !T.less($1, $0) && $0 == $0 && $1 == $1 }
            case .gt: Kernels.binary(a, b, T.self, T.self, out: out) { T.less($1, $0) }
            case .ge: Kernels.binary(a, b, T.self, T.self, out: out) { !T.less($0, $1) && $0 == $0 && $1 == $1 }
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

    /// Elementwise `==`, as `torch.eq` (bool result).
    public func eq(_ other: Tensor) -> Tensor { Tensor.compare(.eq, self, other) }
    /// Elementwise `!=`, as `torch.ne`.
    public func ne(_ other: Tensor) -> Tensor { Tensor.compare(.ne, self, other) }
    /// Elementwise `<`, as `torch.lt`.
    public func lt(_ other: Tensor) -> Tensor { Tensor.compare(.lt, self, other) }
    /// Elementwise `<=`, as `torch.le`.
    public func le(_ other: Tensor) -> Tensor { Tensor.compare(.le, self, other) }
    /// Elementwise `>`, as `torch.gt`.
    public func gt(_ other: Tensor) -> Tensor { Tensor.compare(.gt, self, other) }
    /// Elementwise `>=`, as `torch.ge`.
    public func ge(_ other: Tensor) -> Tensor { Tensor.compare(.ge, self, other) }

    public func eq<S: TensorScalarOperand>(_ s: S) -> Tensor { eq(Tensor.wrapped(s, like: self)) }
    public func ne<S: TensorScalarOperand>(_ s: S) -> Tensor { ne(Tensor.wrapped(s, like: self)) }
    public func lt<S: TensorScalarOperand>(_ s: S) -> Tensor { lt(Tensor.wrapped(s, like: self)) }
    public func le<S: TensorScalarOperand>(_ s: S) -> Tensor { le(Tensor.wrapped(s, like: self)) }
    public func gt<S: TensorScalarOperand>(_ s: S) -> Tensor { gt(Tensor.wrapped(s, like: self)) }
    public func ge<S: TensorScalarOperand>(_ s: S) -> Tensor { ge(Tensor.wrapped(s, like: self)) }

    /// Elementwise comparison operators returning bool tensors (`x[x > 0]`).
    public static func > (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.gt(rhs) }
    public static func < (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.lt(rhs) }
    public static func >= (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.ge(rhs) }
    public static func <= (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.le(rhs) }
    public static func > <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.gt(rhs) }
    public static func < <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.lt(rhs) }
    public static func >= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.ge(rhs) }
    public static func <= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.le(rhs) }
    /// Elementwise equality as a bool tensor (Swift's `==` stays identity-free: use `.==`).
    public static func .== (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.eq(rhs) }
    public static func .!= (lhs: Tensor, rhs: Tensor) -> Tensor { lhs.ne(rhs) }
    public static func .== <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.eq(rhs) }
    public static func .!= <S: TensorScalarOperand>(lhs: Tensor, rhs: S) -> Tensor { lhs.ne(rhs) }

    /// Logical/bitwise and of bool (or integer) tensors, as `a & b`.
    public static func & (lhs: Tensor, rhs: Tensor) -> Tensor { logical(lhs, rhs) { $0 && $1 } }
    /// Logical/bitwise or of bool tensors, as `a | b`.
    public static func | (lhs: Tensor, rhs: Tensor) -> Tensor { logical(lhs, rhs) { $0 || $1 } }
    /// Logical xor of bool tensors, as `a ^ b`.
    public static func ^ (lhs: Tensor, rhs: Tensor) -> Tensor { logical(lhs, rhs) { $0 != $1 } }
    /// Logical not, as `~mask` / `torch.logical_not`.
    public static prefix func ~ (t: Tensor) -> Tensor { t.logicalNot() }

    private static func logical(_ a: Tensor, _ b: Tensor, _ f: (Bool, Bool) -> Bool) -> Tensor {
        let a = a.to(.bool), b = b.to(.bool)
        let out = Tensor(empty: Shape.broadcast(a.shape, b.shape), dtype: .bool)
        Kernels.binary(a, b, Bool.self, Bool.self, out: out, f)
        return out
    }

    /// Logical not, as `torch.logical_not` (bool result).
    public func logicalNot() -> Tensor {
        let out = Tensor(empty: shape, dtype: .bool)
        Kernels.unary(to(.bool), Bool.self, out: out) { !$0 }
        return out
    }

    /// True where `self` and `other` are within tolerance, as `torch.isclose`.
    public func isclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> Tensor {
        let a = to(.float64), b = other.to(.float64)
        let out = Tensor(empty: Shape.broadcast(a.shape, b.shape), dtype: .bool)
        Kernels.binary(a, b, Double.self, Double.self, out: out) { x, y in
            x == y || Swift.abs(x - y) <= atol + rtol * Swift.abs(y)
        }
        return out
    }

    /// Whether all elements are close, as `torch.allclose`.
    public func allclose(_ other: Tensor, rtol: Double = 1e-5, atol: Double = 1e-8) -> Bool {
        isclose(other, rtol: rtol, atol: atol).scalars(as: Bool.self).allSatisfy { $0 }
    }

    /// Whether shapes and all elements are equal, as `torch.equal`.
    public func equal(_ other: Tensor) -> Bool {
        shape == other.shape && eq(other).scalars(as: Bool.self).allSatisfy { $0 }
    }

    /// Picks from `input` where `condition` is true and from `other` elsewhere, as `torch.where`.
    public static func `where`(_ condition: Tensor, _ input: Tensor, _ other: Tensor) -> Tensor {
        let dtype = Promotion.resultType(input, other)
        let shape = Shape.broadcast(Shape.broadcast(condition.shape, input.shape), other.shape)
        let cond = condition.to(.bool).expand(shape)
        let a = input.to(dtype).expand(shape), b = other.to(dtype).expand(shape)
        let out = Tensor(empty: shape, dtype: dtype)
        func run<T: TensorElement>(_: T.Type) {
            let pc = cond.storage.pointer(as: Bool.self), pa = a.storage.pointer(as: T.self)
            let pb = b.storage.pointer(as: T.self), po = out.pointer(T.self)
            var ia: [Int] = [], ib: [Int] = []
            a.layout.forEachOffset { ia.append($0) }
            b.layout.forEachOffset { ib.append($0) }
            var i = 0
            cond.layout.forEachOffset { off in
                po[i] = pc[off] ? pa[ia[i]] : pb[ib[i]]
                i += 1
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
        let sc = cond.alias, si = input.alias, so = other.alias
        let needInput = input.requiresGradFlag, needOther = other.requiresGradFlag
        return record("WhereBackward0", out, inputs: [input, other], saving: [condition]) { g in
            let zero = Tensor.zerosLike(g)
            return [needInput ? reduceGrad(Tensor.where(sc, g, zero), to: si) : nil,
                    needOther ? reduceGrad(Tensor.where(sc, zero, g), to: so) : nil]
        }
    }
}


/// Picks from `input` where `condition` holds, else from `other`, as `torch.where`.
public func `where`(_ condition: Tensor, _ input: Tensor, _ other: Tensor) -> Tensor {
    Tensor.where(condition, input, other)
}
