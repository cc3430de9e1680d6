import Foundation

/// `y = x Aᵀ + b`, as `torch.nn.functional.linear`; the `gradFn` is named as PyTorch names it
/// (`AddmmBackward0` for 2-D input with bias, `MmBackward0` without, …).
///
/// ```swift
/// let y = linear(x, weight: w, bias: b)
/// ```
public func linear(_ input: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
    precondition(weight.dim == 2, "linear(): weight must be 2-D, got \(weight.dim)-D")
    let wt = weight.t()
    switch (input.dim, bias) {
    case (2, let b?):
        return Tensor.addmm(b, input, wt)
    case (1, let b?):
        let r = Tensor.addmm(b, input.unsqueeze(0), wt)
        return r.view([weight.shape[0]])
    case (let d, let b?) where d > 2:
        let lead = Array(input.shape.dropLast())
        let r = Tensor.addmm(b, input.reshape([-1, input.shape[d - 1]]), wt)
        return r.view(lead + [weight.shape[0]])
    default:
        return input.matmul(wt)
    }
}

/// A fully connected layer, as `nn.Linear`: weight `[outFeatures, inFeatures]`, optional bias,
/// initialised by PyTorch's rule (kaiming-uniform with a = √5, bias uniform in ±1/√inFeatures).
///
/// ```swift
/// let fc = Linear(inFeatures: 4, outFeatures: 3)
/// fc.weight = Parameter(weightMatrix)
/// fc(inFeatures)
/// ```
open class Linear: Module, @unchecked Sendable {
    public let inFeatures: Int
    public let outFeatures: Int
    /// The `[outFeatures, inFeatures]` weight; assign a new `Parameter` to replace it.
    public var weight: Parameter
    /// The `[outFeatures]` bias, or nil.
    public var bias: Parameter?

    public init(inFeatures: Int, outFeatures: Int, bias: Bool = true, dtype: DType = .float32) {
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        weight = Parameter(Tensor.empty([outFeatures, inFeatures], dtype: dtype))
        self.bias = bias ? Parameter(Tensor.empty([outFeatures], dtype: dtype)) : nil
        super.init()
        resetParameters()
    }

    /// Re-draws the weights exactly as `nn.Linear.reset_parameters` does.
    public func resetParameters() {
        withNoGrad {
            // kaiming_uniform_(weight, a=sqrt(5)): gain = sqrt(2 / (1 + a^2)), bound = sqrt(3) * gain / sqrt(fan_in)
            let fanIn = Double(inFeatures)
            let gain = (2.0 / (1 + 5.0)).squareRoot()
            let std = fanIn > 0 ? gain / fanIn.squareRoot() : 0
            let bound = 3.0.squareRoot() * std
            weight.uniform_(-bound, bound)
            if let bias {
                let b = fanIn > 0 ? 1 / fanIn.squareRoot() : 0
                bias.uniform_(-b, b)
            }
        }
    }

    open override func forward(_ input: Tensor) -> Tensor {
        linear(input, weight: weight, bias: bias)
    }

    open override var extraRepr: String {
        "in_features=\(inFeatures), out_features=\(outFeatures), bias=\(bias == nil ? "False" : "True")"
    }
}

/// Returns its input unchanged, as `nn.Identity`.
open class Identity: Module, @unchecked Sendable {
    public override init() { super.init() }
    open override func forward(_ input: Tensor) -> Tensor { input }
}
