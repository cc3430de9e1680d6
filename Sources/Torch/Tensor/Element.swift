/// A Swift type that can be a tensor element: `Float`, `Double`, `Int64`, `Int32`, `UInt8`,
/// `Bool` (and `Int`, stored as int64).
///
/// ```swift
/// let t = Tensor(shape: [2], scalars: [1.5, 2.5] as [Float])
/// t.scalars(as: Double.self)   // [1.5, 2.5]
/// ```
public protocol TensorElement: Sendable {
    /// The dtype a tensor built from this type gets.
    static var dtype: DType { get }
    /// Converts from a floating value, as a C cast does (truncation for integers).
    init(fromDouble value: Double)
    /// Converts from an integer value (wrapping for narrower types, as PyTorch does).
    init(fromInt64 value: Int64)
    var doubleValue: Double { get }
    var int64Value: Int64 { get }
}

extension Float: TensorElement {
    public static var dtype: DType { .float32 }
    @inline(__always) public init(fromDouble value: Double) { self = Float(value) }
    @inline(__always) public init(fromInt64 value: Int64) { self = Float(value) }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public var int64Value: Int64 { self.isFinite ? Int64(self) : 0 }
}

extension Double: TensorElement {
    public static var dtype: DType { .float64 }
    @inline(__always) public init(fromDouble value: Double) { self = value }
    @inline(__always) public init(fromInt64 value: Int64) { self = Double(value) }
    @inline(__always) public var doubleValue: Double { self }
    @inline(__always) public var int64Value: Int64 { self.isFinite ? Int64(self) : 0 }
}

extension Int64: TensorElement {
    public static var dtype: DType { .int64 }
    @inline(__always) public init(fromDouble value: Double) { self = value.isFinite ? Int64(value) : 0 }
    @inline(__always) public init(fromInt64 value: Int64) { self = value }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public var int64Value: Int64 { self }
}

extension Int: TensorElement {
    public static var dtype: DType { .int64 }
    @inline(__always) public init(fromDouble value: Double) { self = value.isFinite ? Int(value) : 0 }
    @inline(__always) public init(fromInt64 value: Int64) { self = Int(value) }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public var int64Value: Int64 { Int64(self) }
}

extension Int32: TensorElement {
    public static var dtype: DType { .int32 }
    @inline(__always) public init(fromDouble value: Double) { self = Int32(truncatingIfNeeded: Int64(fromDouble: value)) }
    @inline(__always) public init(fromInt64 value: Int64) { self = Int32(truncatingIfNeeded: value) }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public var int64Value: Int64 { Int64(self) }
}

extension UInt8: TensorElement {
    public static var dtype: DType { .uint8 }
    @inline(__always) public init(fromDouble value: Double) { self = UInt8(truncatingIfNeeded: Int64(fromDouble: value)) }
    @inline(__always) public init(fromInt64 value: Int64) { self = UInt8(truncatingIfNeeded: value) }
    @inline(__always) public var doubleValue: Double { Double(self) }
    @inline(__always) public var int64Value: Int64 { Int64(self) }
}

extension Bool: TensorElement {
    public static var dtype: DType { .bool }
    @inline(__always) public init(fromDouble value: Double) { self = value != 0 }
    @inline(__always) public init(fromInt64 value: Int64) { self = value != 0 }
    @inline(__always) public var doubleValue: Double { self ? 1 : 0 }
    @inline(__always) public var int64Value: Int64 { self ? 1 : 0 }
}

/// A value (or nested array of values) a tensor can be built from: `Tensor([[1, 2], [3, 4]])`.
public protocol TensorLiteralConvertible {
    /// Appends this value's shape (outermost first) and flat elements.
    func _flatten(into values: inout [Double], shape: inout [Int], depth: Int)
    /// The dtype PyTorch infers for this literal (int64 for integers, float32 for floats).
    static var _inferredDType: DType { get }
}

extension Int: TensorLiteralConvertible {
    public func _flatten(into values: inout [Double], shape: inout [Int], depth: Int) { values.append(Double(self)) }
    public static var _inferredDType: DType { .int64 }
}
extension Double: TensorLiteralConvertible {
    public func _flatten(into values: inout [Double], shape: inout [Int], depth: Int) { values.append(self) }
    public static var _inferredDType: DType { .float32 }
}
extension Float: TensorLiteralConvertible {
    public func _flatten(into values: inout [Double], shape: inout [Int], depth: Int) { values.append(Double(self)) }
    public static var _inferredDType: DType { .float32 }
}
extension Bool: TensorLiteralConvertible {
    public func _flatten(into values: inout [Double], shape: inout [Int], depth: Int) { values.append(self ? 1 : 0) }
    public static var _inferredDType: DType { .bool }
}
extension Array: TensorLiteralConvertible where Element: TensorLiteralConvertible {
    public func _flatten(into values: inout [Double], shape: inout [Int], depth: Int) {
        if shape.count == depth {
            shape.append(count)
        } else if shape[depth] != count {
            fatalError("expected sequence of length \(shape[depth]) at dim \(depth) (got \(count))")
        }
        for e in self { e._flatten(into: &values, shape: &shape, depth: depth + 1) }
    }
    public static var _inferredDType: DType { Element._inferredDType }
}
