import Foundation

/// Zeroes elements with probability `p` in training mode (identity in eval mode), as `nn.Dropout`.
open class Dropout: Module, @unchecked Sendable {
    public let p: Double

    public init(p: Double = 0.5) {
        precondition(p >= 0 && p <= 1, "dropout probability has to be between 0 and 1, but got \(p)")
        self.p = p
        super.init()
    }

    open override func forward(_ input: Tensor) -> Tensor { dropout(input, p: p, training: training) }
    open override var extraRepr: String { "p=\(pyFloat(p)), inplace=False" }
}

/// Python's `repr(float)` for the simple values module reprs show (`0.5`, `1e-05`, `0.1`).
func pyFloat(_ v: Double) -> String {
    if v != 0 && Swift.abs(v) < 1e-4 {
        // Python switches to exponent form below 1e-4: 1e-05
        let exponent = Int((Foundation.log10(Swift.abs(v))).rounded(.down))
        let mantissa = v / Foundation.pow(10, Double(exponent))
        let m = mantissa == mantissa.rounded() ? String(Int(mantissa)) : String(mantissa)
        return "\(m)e-\(String(format: "%02d", -exponent))"
    }
    return v == v.rounded() && Swift.abs(v) < 1e16 ? String(format: "%.1f", v) : "\(v)"
}

/// Leaky ReLU, as `nn.LeakyReLU`.
open class LeakyReLU: Module, @unchecked Sendable {
    public let negativeSlope: Double
    public init(negativeSlope: Double = 0.01) { self.negativeSlope = negativeSlope; super.init() }
    open override func forward(_ input: Tensor) -> Tensor { leakyRelu(input, negativeSlope: negativeSlope) }
    open override var extraRepr: String { "negative_slope=\(pyFloat(negativeSlope))" }
}

/// GELU, as `nn.GELU` (`approximate: "none"` or `"tanh"`).
open class GELU: Module, @unchecked Sendable {
    public let approximate: String
    public init(approximate: String = "none") { self.approximate = approximate; super.init() }
    open override func forward(_ input: Tensor) -> Tensor { gelu(input, approximate: approximate) }
    open override var extraRepr: String { "approximate='\(approximate)'" }
}

/// Softmax over `dim`, as `nn.Softmax`.
open class Softmax: Module, @unchecked Sendable {
    public let dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    open override func forward(_ input: Tensor) -> Tensor { softmax(input, dim: dim) }
    open override var extraRepr: String { "dim=\(dim)" }
}

/// Log-softmax over `dim`, as `nn.LogSoftmax`.
open class LogSoftmax: Module, @unchecked Sendable {
    public let dim: Int
    public init(dim: Int) { self.dim = dim; super.init() }
    open override func forward(_ input: Tensor) -> Tensor { logSoftmax(input, dim: dim) }
    open override var extraRepr: String { "dim=\(dim)" }
}
