/// The element type of a tensor, as `torch.dtype`.
///
/// ```swift
/// let t = Tensor([1, 2, 3])       // .int64
/// t.to(.float64).dtype            // .float64
/// ```
public enum DType: Sendable, Hashable, CustomStringConvertible {
    case float32, float64, int64, int32, uint8, bool

    /// Bytes per element.
    public var itemSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8, .bool: return 1
        }
    }

    /// True for `.float32` and `.float64`.
    public var isFloatingPoint: Bool { self == .float32 || self == .float64 }

    /// The name PyTorch prints after `dtype=` (without the `torch.` prefix).
    public var description: String {
        switch self {
        case .float32: return "float32"
        case .float64: return "float64"
        case .int64: return "int64"
        case .int32: return "int32"
        case .uint8: return "uint8"
        case .bool: return "bool"
        }
    }

    /// PyTorch's legacy type name, used in some error messages (`torch.FloatTensor`).
    var legacyName: String {
        switch self {
        case .float32: return "torch.FloatTensor"
        case .float64: return "torch.DoubleTensor"
        case .int64: return "torch.LongTensor"
        case .int32: return "torch.IntTensor"
        case .uint8: return "torch.ByteTensor"
        case .bool: return "torch.BoolTensor"
        }
    }

    /// Category rank for type promotion: bool < integral < floating.
    var category: Int {
        switch self {
        case .bool: return 0
        case .uint8, .int32, .int64: return 1
        case .float32, .float64: return 2
        }
    }

    /// The result type of combining two tensor dtypes, as `torch.promote_types`.
    public static func promote(_ a: DType, _ b: DType) -> DType {
        if a == b { return a }
        if a.category != b.category { return a.category > b.category ? a : b }
        switch a.category {
        case 2: return .float64  // float32 with float64
        case 1:
            // uint8 with int32 -> int32, anything with int64 -> int64
            if a == .int64 || b == .int64 { return .int64 }
            return .int32
        default: return .bool
        }
    }
}
