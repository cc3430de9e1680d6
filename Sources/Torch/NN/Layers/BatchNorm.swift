import Foundation

/// Batch normalisation over `[N, C]` / `[N, C, L]` (`BatchNorm1d`) or `[N, C, H, W]` (`BatchNorm2d`)
/// input, with running statistics used in eval mode, as `nn.BatchNorm*d`.
open class BatchNorm: Module, @unchecked Sendable {
    public let numFeatures: Int
    public let eps: Double
    public let momentum: Double
    public let affine: Bool
    public let trackRunningStats: Bool
    /// `[numFeatures]` scale (ones), or nil when not affine.
    public var weight: Parameter?
    /// `[numFeatures]` shift (zeros), or nil when not affine.
    public var bias: Parameter?
    @Buffer public var runningMean: Tensor?
    @Buffer public var runningVar: Tensor?
    @Buffer public var numBatchesTracked: Tensor?
    let expectedDims: Set<Int>

    init(numFeatures: Int, eps: Double, momentum: Double, affine: Bool, trackRunningStats: Bool, dims: Set<Int>) {
        self.numFeatures = numFeatures
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.trackRunningStats = trackRunningStats
        expectedDims = dims
        weight = affine ? Parameter(Tensor.ones(numFeatures)) : nil
        bias = affine ? Parameter(Tensor.zeros(numFeatures)) : nil
        runningMean = trackRunningStats ? Tensor.zeros(numFeatures) : nil
        runningVar = trackRunningStats ? Tensor.ones(numFeatures) : nil
        numBatchesTracked = trackRunningStats ? Tensor.zeros([], dtype: .int64) : nil
        super.init()
    }

    open override func forward(_ input: Tensor) -> Tensor {
        guard expectedDims.contains(input.dim) else {
            let want = expectedDims.sorted().map { "\($0)D" }.joined(separator: " or ")
            fatalError("expected \(want) input (got \(input.dim)D input)")
        }
        let useBatchStats = training || runningMean == nil
        if training, let n = numBatchesTracked {
            withNoGrad { _ = n.add_(1) }
        }
        return batchNorm(input, runningMean: runningMean, runningVar: runningVar,
                         weight: weight, bias: bias, training: useBatchStats, momentum: momentum, eps: eps)
    }

    open override var extraRepr: String {
        "\(numFeatures), eps=\(pyFloat(eps)), momentum=\(pyFloat(momentum)), affine=\(affine ? "True" : "False"), track_running_stats=\(trackRunningStats ? "True" : "False")"
    }
}

/// Batch normalisation of `[N, C]` or `[N, C, L]` input, as `nn.BatchNorm1d`.
open class BatchNorm1d: BatchNorm, @unchecked Sendable {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true, trackRunningStats: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, dims: [2, 3])
    }
}

/// Batch normalisation of `[N, C, H, W]` input, as `nn.BatchNorm2d`.
open class BatchNorm2d: BatchNorm, @unchecked Sendable {
    public init(_ numFeatures: Int, eps: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true, trackRunningStats: Bool = true) {
        super.init(numFeatures: numFeatures, eps: eps, momentum: momentum, affine: affine, trackRunningStats: trackRunningStats, dims: [4])
    }
}

