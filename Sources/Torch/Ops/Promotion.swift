/// PyTorch's result-type rules: dimensioned tensors outrank 0-d tensors, which outrank Swift
/// scalars ("wrapped numbers"), unless a lower-ranked operand is of a higher category.
enum Promotion {
    struct Operand {
        let dtype: DType
        let isZeroDim: Bool
        let isWrappedScalar: Bool
    }

    static func resultType(_ operands: [Operand]) -> DType {
        var dimResult: DType?, zeroResult: DType?, wrappedResult: DType?
        func promote(_ a: DType?, _ b: DType) -> DType { a.map { DType.promote($0, b) } ?? b }
        for op in operands {
            if op.isWrappedScalar {
                // A Swift Double counts as the default float dtype, an Int as int64.
                let current: DType = op.dtype.isFloatingPoint ? .float32 : (op.dtype == .bool ? .bool : .int64)
                wrappedResult = promote(wrappedResult, current)
            } else if op.isZeroDim {
                zeroResult = promote(zeroResult, op.dtype)
            } else {
                dimResult = promote(dimResult, op.dtype)
            }
        }
        return combine(dimResult, combine(zeroResult, wrappedResult))!
    }

    private static func combine(_ higher: DType?, _ lower: DType?) -> DType? {
        guard let higher else { return lower }
        guard let lower else { return higher }
        if higher.isFloatingPoint { return higher }
        if higher == .bool || lower.isFloatingPoint { return DType.promote(higher, lower) }
        return higher
    }

    static func resultType(_ a: Tensor, _ b: Tensor) -> DType {
        // Equal dtypes promote to themselves unless both are wrapped scalars (whose categories
        // rank differently); this skips the operand array on every binary op.
        if a.dtype == b.dtype && !(a.isWrappedScalar && b.isWrappedScalar) { return a.dtype }
        return resultType([operand(a), operand(b)])
    }

    static func operand(_ t: Tensor) -> Operand {
        Operand(dtype: t.dtype, isZeroDim: t.dim == 0, isWrappedScalar: t.isWrappedScalar)
    }
}

/// A Swift scalar on one side of a tensor op.
public protocol TensorScalarOperand {
    /// The value as Double, for filling a wrapped 0-d tensor.
    var operandValue: Double { get }
    /// int64 for integers, float for floating values, bool for Bool.
    static var operandDType: DType { get }
}
extension Int: TensorScalarOperand {
    public var operandValue: Double { Double(self) }
    public static var operandDType: DType { .int64 }
}
extension Double: TensorScalarOperand {
    public var operandValue: Double { self }
    public static var operandDType: DType { .float64 }
}
extension Float: TensorScalarOperand {
    public var operandValue: Double { Double(self) }
    public static var operandDType: DType { .float64 }
}

extension Tensor {
    /// A 0-d tensor holding a Swift scalar, marked so that type promotion ranks it lowest.
    static func wrapped<S: TensorScalarOperand>(_ s: S, like other: Tensor) -> Tensor {
        let dtype = Promotion.resultType([Promotion.operand(other),
                                          .init(dtype: S.operandDType, isZeroDim: true, isWrappedScalar: true)])
        let t = Tensor(empty: [], dtype: dtype)
        Kernels.fill(t, s.operandValue)
        t.isWrappedScalar = true
        return t
    }
}
