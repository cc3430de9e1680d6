/// Python's repr of an `int or tuple` module argument: `2` or `(2, 3)`.
func intOrPairRepr(_ v: [Int]) -> String { v.count == 1 ? "\(v[0])" : "(" + v.map(String.init).joined(separator: ", ") + ")" }

/// 2-d max pooling, as `nn.MaxPool2d` (stride defaults to the kernel size).
///
/// ```swift
/// let pool = MaxPool2d(kernelSize: 2, stride: 2)
/// print(pool)   // MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)
/// ```
open class MaxPool2d: Module, @unchecked Sendable {
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public let dilation: [Int]
    public let ceilMode: Bool

    public init(kernelSize: some IntOrPair, stride: some IntOrPair = Int?.none, padding: some IntOrPair = 0,
                dilation: some IntOrPair = 1, ceilMode: Bool = false) {
        self.kernelSize = kernelSize.intOrPairValues
        let s = stride.intOrPairValues
        self.stride = s.isEmpty ? self.kernelSize : s
        self.padding = padding.intOrPairValues
        self.dilation = dilation.intOrPairValues
        self.ceilMode = ceilMode
        super.init()
    }

    open override func forward(_ input: Tensor) -> Tensor {
        maxPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation, ceilMode: ceilMode)
    }

    open override var extraRepr: String {
        "kernel_size=\(intOrPairRepr(kernelSize)), stride=\(intOrPairRepr(stride)), padding=\(intOrPairRepr(padding)), dilation=\(intOrPairRepr(dilation)), ceil_mode=\(ceilMode ? "True" : "False")"
    }
}

/// 2-d average pooling, as `nn.AvgPool2d`.
open class AvgPool2d: Module, @unchecked Sendable {
    public let kernelSize: [Int]
    public let stride: [Int]
    public let padding: [Int]
    public let ceilMode: Bool
    public let countIncludePad: Bool

    public init(kernelSize: some IntOrPair, stride: some IntOrPair = Int?.none, padding: some IntOrPair = 0,
                ceilMode: Bool = false, countIncludePad: Bool = true) {
        self.kernelSize = kernelSize.intOrPairValues
        let s = stride.intOrPairValues
        self.stride = s.isEmpty ? self.kernelSize : s
        self.padding = padding.intOrPairValues
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        super.init()
    }

    open override func forward(_ input: Tensor) -> Tensor {
        avgPool2d(input, kernelSize: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                  countIncludePad: countIncludePad)
    }

    open override var extraRepr: String {
        "kernel_size=\(intOrPairRepr(kernelSize)), stride=\(intOrPairRepr(stride)), padding=\(intOrPairRepr(padding))"
    }
}

/// Average pooling to a fixed output size, as `nn.AdaptiveAvgPool2d`.
open class AdaptiveAvgPool2d: Module, @unchecked Sendable {
    public let outputSize: [Int]

    public init(outputSize: some IntOrPair) {
        self.outputSize = outputSize.intOrPairValues
        super.init()
    }

    open override func forward(_ input: Tensor) -> Tensor { adaptiveAvgPool2d(input, outputSize: outputSize) }
    open override var extraRepr: String { "output_size=\(intOrPairRepr(outputSize))" }
}

