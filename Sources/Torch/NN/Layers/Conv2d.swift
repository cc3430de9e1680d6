/// Draws `weight` (and `bias`) as PyTorch's Linear and ConvNd `reset_parameters` do:
/// kaiming-uniform with a = √5 for the weight, uniform in ±1/√fanIn for the bias.
func resetLikePyTorch(weight: Tensor, bias: Tensor?, fanIn: Int) {
    withNoGrad {
        let fan = Double(fanIn)
        let gain = (2.0 / (1 + 5.0)).squareRoot()
        let std = fan > 0 ? gain / fan.squareRoot() : 0
        let bound = 3.0.squareRoot() * std
        weight.uniform_(-bound, bound)
        if let bias {
            let b = fan > 0 ? 1 / fan.squareRoot() : 0
            bias.uniform_(-b, b)
        }
    }
}

/// Python's repr of a pair as PyTorch prints module arguments: `(5, 5)`.
func pairRepr(_ p: (Int, Int)) -> String { "(\(p.0), \(p.1))" }

/// A 2-d convolution layer, as `nn.Conv2d`: weight `[out, in / groups, kH, kW]`, optional bias,
/// PyTorch's default initialisation and repr.
///
/// ```swift
/// let conv1 = Conv2d(inChannels: 1, outChannels: 6, kernelSize: 5)
/// print(conv1)   // Conv2d(1, 6, kernel_size=(5, 5), stride=(1, 1))
/// ```
open class Conv2d: Module, @unchecked Sendable {
    public let inChannels: Int
    public let outChannels: Int
    public let kernelSize: (Int, Int)
    public let stride: (Int, Int)
    public let padding: Conv2dPadding
    public let dilation: (Int, Int)
    public let groups: Int
    /// `[outChannels, inChannels / groups, kH, kW]`.
    public var weight: Parameter
    /// `[outChannels]`, or nil.
    public var bias: Parameter?

    /// - Parameters: sizes as an `Int` (both dims) or `[h, w]`; `padding` also `"same"`/`"valid"`.
    public init(inChannels: Int, outChannels: Int, kernelSize: some IntOrPair, stride: some IntOrPair = 1,
                padding: some Conv2dPaddingArgument = 0, dilation: some IntOrPair = 1, groups: Int = 1,
                bias: Bool = true, dtype: DType = .float32) {
        precondition(groups > 0, "groups must be a positive integer")
        precondition(inChannels % groups == 0, "in_channels must be divisible by groups")
        precondition(outChannels % groups == 0, "out_channels must be divisible by groups")
        func pair(_ v: [Int]) -> (Int, Int) { v.count == 1 ? (v[0], v[0]) : (v[0], v[1]) }
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.kernelSize = pair(kernelSize.intOrPairValues)
        self.stride = pair(stride.intOrPairValues)
        self.padding = padding.conv2dPadding
        self.dilation = pair(dilation.intOrPairValues)
        self.groups = groups
        weight = Parameter(Tensor.empty([outChannels, inChannels / groups, self.kernelSize.0, self.kernelSize.1], dtype: dtype))
        self.bias = bias ? Parameter(Tensor.empty([outChannels], dtype: dtype)) : nil
        super.init()
        resetParameters()
    }

    /// Re-draws the weights exactly as `nn.Conv2d.reset_parameters` does.
    public func resetParameters() {
        resetLikePyTorch(weight: weight, bias: bias, fanIn: inChannels / groups * kernelSize.0 * kernelSize.1)
    }

    open override func forward(_ input: Tensor) -> Tensor {
        let pad: Conv2dPadding = padding
        return conv2d(input, weight: weight, bias: bias, stride: [stride.0, stride.1], padding: pad,
                      dilation: [dilation.0, dilation.1], groups: groups)
    }

    open override var extraRepr: String {
        var s = "\(inChannels), \(outChannels), kernel_size=\(pairRepr(kernelSize)), stride=\(pairRepr(stride))"
        switch padding {
        case .explicit(let p):
            let pp = p.count == 1 ? (p[0], p[0]) : (p[0], p[1])
            if pp != (0, 0) { s += ", padding=\(pairRepr(pp))" }
        case .same: s += ", padding=same"
        case .valid: s += ", padding=valid"
        }
        if dilation != (1, 1) { s += ", dilation=\(pairRepr(dilation))" }
        if groups != 1 { s += ", groups=\(groups)" }
        if bias == nil { s += ", bias=False" }
        return s
    }
}
