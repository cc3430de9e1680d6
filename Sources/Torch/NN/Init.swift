import Foundation

/// Weight initialisation, as `torch.nn.init`: each function fills a tensor in place without
/// recording autograd and returns it.
///
/// Every random initialiser makes exactly the draws torch.nn.init makes (one `uniform_` or
/// `normal_` over the whole tensor, bounds computed in double the same way), so after the
/// same seed the tensor holds the same bits as in PyTorch.
/// ```swift
/// manualSeed(0)
/// let w = Tensor.empty([6, 1, 5, 5])
/// Init.kaimingUniform_(w, a: 5.0.squareRoot())   // as torch.nn.init.kaiming_uniform_(w, a=math.sqrt(5))
/// Init.zeros_(Tensor.empty([6]))
/// ```
public enum Init {
    /// Which fan the Kaiming initialisers preserve: `fan_in` (forward pass) or `fan_out` (backward).
    ///
    /// ```swift
    /// Init.kaimingNormal_(w, mode: .fanOut, nonlinearity: .relu)
    /// ```
    public enum FanMode: Sendable, Hashable {
        /// Preserve the variance of activations in the forward pass (`'fan_in'`).
        case fanIn
        /// Preserve the variance of gradients in the backward pass (`'fan_out'`).
        case fanOut
    }

    /// The nonlinearities `calculate_gain` knows.
    ///
    /// ```swift
    /// Init.calculateGain(.tanh)   // 5/3
    /// ```
    public enum Nonlinearity: Sendable, Hashable {
        case linear, conv1d, conv2d, conv3d, convTranspose1d, convTranspose2d, convTranspose3d
        case sigmoid, tanh, relu, leakyRelu, selu

        /// PyTorch's spelling.
        ///
        /// ```swift
        /// Init.Nonlinearity.leakyRelu.name   // "leaky_relu"
        /// ```
        public var name: String {
            switch self {
            case .linear: return "linear"
            case .conv1d: return "conv1d"
            case .conv2d: return "conv2d"
            case .conv3d: return "conv3d"
            case .convTranspose1d: return "conv_transpose1d"
            case .convTranspose2d: return "conv_transpose2d"
            case .convTranspose3d: return "conv_transpose3d"
            case .sigmoid: return "sigmoid"
            case .tanh: return "tanh"
            case .relu: return "relu"
            case .leakyRelu: return "leaky_relu"
            case .selu: return "selu"
            }
        }

        /// The nonlinearity with PyTorch's spelling, trapping as PyTorch on an unknown name.
        ///
        /// ```swift
        /// Init.Nonlinearity(named: "leaky_relu")   // .leakyRelu
        /// ```
        public init(named name: String) {
            let all: [Nonlinearity] = [.linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d,
                                       .convTranspose3d, .sigmoid, .tanh, .relu, .leakyRelu, .selu]
            guard let match = all.first(where: { $0.name == name }) else {
                fatalError("Unsupported nonlinearity \(name)")
            }
            self = match
        }
    }

    // MARK: Gains and fans

    /// The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`.
    ///
    /// Linear and convolution maps and sigmoid give 1, tanh 5/3, ReLU √2, SELU 3/4, and leaky
    /// ReLU √(2 / (1 + slope²)) with `param` as the slope (0.01 when nil).
    /// ```swift
    /// Init.calculateGain(.relu)                    // 1.4142135623730951
    /// Init.calculateGain(.leakyRelu, param: 0.2)
    /// ```
    public static func calculateGain(_ nonlinearity: Nonlinearity, param: Double? = nil) -> Double {
        switch nonlinearity {
        case .linear, .conv1d, .conv2d, .conv3d, .convTranspose1d, .convTranspose2d, .convTranspose3d, .sigmoid:
            return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu:
            let slope = param ?? 0.01
            // Python's negative_slope**2 is C pow, which this matches bit for bit
            return (2.0 / (1 + Foundation.pow(slope, 2))).squareRoot()
        case .selu: return 3.0 / 4
        }
    }

    /// `calculateGain` with PyTorch's name for the nonlinearity.
    ///
    /// ```swift
    /// Init.calculateGain("leaky_relu", param: 0.1)
    /// ```
    public static func calculateGain(_ nonlinearity: String, param: Double? = nil) -> Double {
        calculateGain(Nonlinearity(named: nonlinearity), param: param)
    }

    /// Fan-in and fan-out of a weight of at least 2 dims: `size(1)` and `size(0)` times the
    /// receptive field (the product of the remaining dims), as `_calculate_fan_in_and_fan_out`.
    ///
    /// ```swift
    /// Init.calculateFanInAndFanOut(Tensor.empty([6, 3, 5, 5]))   // (fanIn: 75, fanOut: 150)
    /// ```
    public static func calculateFanInAndFanOut(_ tensor: Tensor) -> (fanIn: Int, fanOut: Int) {
        guard tensor.dim >= 2 else {
            fatalError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
        }
        let receptive = tensor.shape.dropFirst(2).reduce(1, *)
        return (tensor.shape[1] * receptive, tensor.shape[0] * receptive)
    }

    private static func correctFan(_ tensor: Tensor, _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = calculateFanInAndFanOut(tensor)
        return mode == .fanIn ? fanIn : fanOut
    }

    // MARK: Fills

    /// Fills with samples from U(a, b), as `torch.nn.init.uniform_`.
    ///
    /// ```swift
    /// Init.uniform_(w, a: -0.1, b: 0.1)
    /// ```
    @discardableResult
    public static func uniform_(_ tensor: Tensor, a: Double = 0, b: Double = 1, generator: Generator? = nil) -> Tensor {
        withNoGrad { tensor.uniform_(a, b, generator: generator) }
    }

    /// Fills with samples from N(mean, std²), as `torch.nn.init.normal_`.
    ///
    /// ```swift
    /// Init.normal_(w, mean: 0, std: 0.02)
    /// ```
    @discardableResult
    public static func normal_(_ tensor: Tensor, mean: Double = 0, std: Double = 1, generator: Generator? = nil) -> Tensor {
        withNoGrad { tensor.normal_(mean, std, generator: generator) }
    }

    /// Fills with `value`, as `torch.nn.init.constant_`.
    ///
    /// ```swift
    /// Init.constant_(bias, 0.1)
    /// ```
    @discardableResult
    public static func constant_(_ tensor: Tensor, _ value: Double) -> Tensor {
        withNoGrad { tensor.fill_(value) }
    }

    /// Fills with zeros, as `torch.nn.init.zeros_`.
    ///
    /// ```swift
    /// Init.zeros_(bias)
    /// ```
    @discardableResult
    public static func zeros_(_ tensor: Tensor) -> Tensor { constant_(tensor, 0) }

    /// Fills with ones, as `torch.nn.init.ones_`.
    ///
    /// ```swift
    /// Init.ones_(norm.weight)
    /// ```
    @discardableResult
    public static func ones_(_ tensor: Tensor) -> Tensor { constant_(tensor, 1) }

    // MARK: Xavier (Glorot)

    /// Xavier/Glorot uniform: U(-a, a) with a = gain · √(6 / (fanIn + fanOut)), as
    /// `torch.nn.init.xavier_uniform_`.
    ///
    /// ```swift
    /// Init.xavierUniform_(w, gain: Init.calculateGain(.tanh))
    /// ```
    @discardableResult
    public static func xavierUniform_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil) -> Tensor {
        let (fanIn, fanOut) = calculateFanInAndFanOut(tensor)
        let std = gain * (2.0 / Double(fanIn + fanOut)).squareRoot()
        let a = 3.0.squareRoot() * std
        return uniform_(tensor, a: -a, b: a, generator: generator)
    }

    /// Xavier/Glorot normal: N(0, std²) with std = gain · √(2 / (fanIn + fanOut)), as
    /// `torch.nn.init.xavier_normal_`.
    ///
    /// ```swift
    /// Init.xavierNormal_(w)
    /// ```
    @discardableResult
    public static func xavierNormal_(_ tensor: Tensor, gain: Double = 1, generator: Generator? = nil) -> Tensor {
        let (fanIn, fanOut) = calculateFanInAndFanOut(tensor)
        let std = gain * (2.0 / Double(fanIn + fanOut)).squareRoot()
        return normal_(tensor, mean: 0, std: std, generator: generator)
    }

    // MARK: Kaiming (He)

    /// Kaiming/He uniform: U(-bound, bound) with bound = √3 · gain / √fan, as
    /// `torch.nn.init.kaiming_uniform_`. `a` is the leaky-ReLU slope passed to `calculateGain`.
    /// Zero-element tensors are left alone, as PyTorch (which warns).
    ///
    /// ```swift
    /// Init.kaimingUniform_(w, a: 5.0.squareRoot())      // what Linear and Conv2d do
    /// Init.kaimingUniform_(w, mode: .fanOut, nonlinearity: .relu)
    /// ```
    @discardableResult
    public static func kaimingUniform_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                       nonlinearity: Nonlinearity = .leakyRelu, generator: Generator? = nil) -> Tensor {
        if tensor.shape.contains(0) { return tensor }
        let fan = correctFan(tensor, mode)
        let gain = calculateGain(nonlinearity, param: a)
        let std = gain / Double(fan).squareRoot()
        let bound = 3.0.squareRoot() * std
        return uniform_(tensor, a: -bound, b: bound, generator: generator)
    }

    /// Kaiming/He normal: N(0, std²) with std = gain / √fan, as `torch.nn.init.kaiming_normal_`.
    ///
    /// ```swift
    /// Init.kaimingNormal_(w, mode: .fanOut, nonlinearity: .relu)
    /// ```
    @discardableResult
    public static func kaimingNormal_(_ tensor: Tensor, a: Double = 0, mode: FanMode = .fanIn,
                                      nonlinearity: Nonlinearity = .leakyRelu, generator: Generator? = nil) -> Tensor {
        if tensor.shape.contains(0) { return tensor }
        let fan = correctFan(tensor, mode)
        let gain = calculateGain(nonlinearity, param: a)
        let std = gain / Double(fan).squareRoot()
        return normal_(tensor, mean: 0, std: std, generator: generator)
    }
}
