extension Tensor {
    /// Element values for the formatter, in row-major order.
    var formatValues: FormatValues {
        switch dtype {
        case .float32, .float64: return .floating(scalars(as: Double.self))
        case .bool: return .boolean(scalars(as: Bool.self))
        default: return .integer(scalars(as: Int64.self))
        }
    }
}
