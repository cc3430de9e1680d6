import Foundation

// Loss functions of torch.nn.functional. nll_loss, mse_loss and the two binary cross
// entropies are primitives with PyTorch's backward nodes; cross_entropy and l1_loss are
// composed from them exactly as ATen composes them, so their graphs match PyTorch's.

/// How a loss reduces its per-element values, as PyTorch's `reduction=` argument.
///
/// ```swift
/// mseLoss(x, y)                       // .mean: one value
/// mseLoss(x, y, reduction: .sum)      // one value, summed
/// mseLoss(x, y, reduction: .none)     // one value per element
/// ```
public enum Reduction: Sendable, Hashable {
    /// No reduction: a loss per element (per sample for class losses).
    case none
    /// The mean (for weighted class losses: divided by the sum of the weights used).
    case mean
    /// The sum.
    case sum
}

/// Applies `reduction` to per-element losses (untracked helper for primitives).
private func reduced(_ loss: Tensor, _ reduction: Reduction) -> Tensor {
    switch reduction {
    case .none: return loss
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    }
}

/// `weight` viewed to broadcast over dim `classDim` of an input with `rank` dims.
private func classWeightView(_ weight: Tensor, classDim: Int, rank: Int) -> Tensor {
    guard rank > 1 else { return weight }
    var shape = [Int](repeating: 1, count: rank)
    shape[classDim] = weight.numel
    return weight.reshape(shape)
}

// MARK: Cross entropy

/// Cross entropy between logits and targets, as `torch.nn.functional.cross_entropy`.
///
/// `input` is `[N, C]`, `[N, C, d1, ...]` or unbatched `[C]`. `target` holds class indices
/// (int64, `[N]` or `[N, d1, ...]`) or class probabilities (floating, `input`'s shape).
/// Log-softmax is computed stably, so huge logits are fine. `weight` rescales classes,
/// `ignoreIndex` skips targets, `labelSmoothing` mixes in the uniform distribution.
/// ```swift
/// let logits = Tensor.randn([4, 5], requiresGrad: true)
/// let loss = crossEntropy(logits, Tensor([0, 3, 1, 4]))
/// let smoothed = crossEntropy(logits, Tensor([0, 3, 1, 4]), labelSmoothing: 0.1)
/// let soft = crossEntropy(logits, softmax(Tensor.randn(4, 5), dim: 1))
/// loss.backward()
/// ```
public func crossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                         reduction: Reduction = .mean, labelSmoothing: Double = 0) -> Tensor {
    let classDim = input.dim == 1 ? 0 : 1
    if input.shape == target.shape {
        guard target.dtype.isFloatingPoint else {
            fatalError("Expected floating point type for target with class probabilities, got \(target.dtypeName)")
        }
        guard ignoreIndex < 0 else { fatalError("ignore_index is not supported for floating point target") }
        return crossEntropyProbabilities(input, target, weight: weight, reduction: reduction, labelSmoothing: labelSmoothing)
    }
    guard labelSmoothing <= 1 else { fatalError("label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)") }
    let logp = logSoftmax(input, dim: classDim)
    let nll = nllLoss(logp, target, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
    guard labelSmoothing > 0 else { return nll }
    // cross_entropy_loss_label_smoothing: the uniform part, weighted like nll_loss
    let classes = logp.shape[classDim]
    var smooth = weight.map { w in -(logp * classWeightView(w, classDim: classDim, rank: logp.dim)).sum(dim: classDim) }
        ?? -logp.sum(dim: classDim)
    let ignored = target.eq(ignoreIndex)
    smooth = smooth.maskedFill(ignored, 0)
    let total: Tensor
    switch reduction {
    case .mean:
        if let weight {
            let kept = target.maskedSelect(~ignored).flatten()
            total = smooth.sum() / weight.gather(0, kept).sum()
        } else {
            total = smooth.sum() / (~ignored).sum()
        }
    case .sum: total = smooth.sum()
    case .none: total = smooth
    }
    return nll * (1 - labelSmoothing) + total * (labelSmoothing / Double(classes))
}

/// cross_entropy_loss_prob_target: `-(log_softmax(input) * target * weight)` reduced, where the
/// mean divides by the number of samples (elements over classes).
private func crossEntropyProbabilities(_ input: Tensor, _ target: Tensor, weight: Tensor?, reduction: Reduction,
                                       labelSmoothing: Double) -> Tensor {
    let classDim = input.dim == 1 ? 0 : 1
    let classes = input.shape[classDim]
    if let weight, weight.dim != 1 || weight.numel != classes {
        fatalError("cross_entropy: weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(Shape.describe(weight.shape))")
    }
    let logp = logSoftmax(input, dim: classDim)
    var t = target
    if labelSmoothing > 0 {
        guard labelSmoothing <= 1 else { fatalError("label_smoothing must be between 0.0 and 1.0. Got: \(labelSmoothing)") }
        t = target * (1 - labelSmoothing) + labelSmoothing / Double(classes)
    }
    var product = logp * t
    if let weight { product = product * classWeightView(weight, classDim: classDim, rank: input.dim) }
    switch reduction {
    case .mean:
        if input.numel == 0 { return (-product.sum()) * Double.nan }
        return -product.sum() / Double(input.numel / classes)
    case .sum: return -product.sum()
    case .none: return -product.sum(dim: classDim)
    }
}

// MARK: NLL loss

/// Negative log-likelihood of class indices under log-probabilities, as
/// `torch.nn.functional.nll_loss`; records `NllLossBackward0` (`NllLoss2DBackward0` for spatial input).
///
/// `input` is `[N, C]`, `[N, C, d1, ...]` or `[C]`; `target` is int64 (or uint8) `[N]`,
/// `[N, d1, ...]` or 0-d. With `.mean` the sum is divided by the total weight of the targets
/// that are not `ignoreIndex`.
/// ```swift
/// let logp = logSoftmax(Tensor.randn(3, 5), dim: 1)
/// let loss = nllLoss(logp, Tensor([1, 0, 4]), weight: Tensor([1, 2, 1, 1, 1.0]))
/// ```
public func nllLoss(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil, ignoreIndex: Int = -100,
                    reduction: Reduction = .mean) -> Tensor {
    guard input.dim >= 1 else { fatalError("Expected 1 or more dimensions (got \(input.dim))") }
    if input.dim != 1 && target.dim >= 1 && input.shape[0] != target.shape[0] {
        fatalError("Expected input batch_size (\(input.shape[0])) to match target batch_size (\(target.shape[0])).")
    }
    guard target.dtype == .int64 || target.dtype == .uint8 else {
        fatalError("expected target dtype to be Long or Byte, but got \(target.dtypeName)")
    }
    switch input.dim {
    case 1, 2:
        guard target.dim <= 1 else { fatalError("0D or 1D target tensor expected, multi-target not supported") }
        let noBatch = input.dim == 1 && target.dim == 0
        guard noBatch || input.shape[0] == target.shape[0] else {
            fatalError("size mismatch (got input: \(Shape.describe(input.shape)), target: \(Shape.describe(target.shape)))")
        }
        let classes = input.shape[input.dim - 1]
        if let weight, weight.numel != classes {
            fatalError("weight tensor should be defined either for all \(classes) classes or no classes but got weight tensor of shape: \(Shape.describe(weight.shape))")
        }
        let batch = input.dim == 1 ? 1 : input.shape[0]
        return NllLossOp.apply(input, target, weight, ignoreIndex, reduction, batch: batch, classes: classes,
                               spatial: 1, name: "NllLossBackward0")
    case 4:
        guard target.dim == 3 else {
            fatalError("only batches of spatial targets supported (3D tensors) but got targets of dimension: \(target.dim)")
        }
        let classes = input.shape[1]
        if let weight, weight.numel != classes {
            fatalError("weight tensor should be defined either for all or no classes")
        }
        let s = input.shape
        guard s[0] == target.shape[0] && s[2] == target.shape[1] && s[3] == target.shape[2] else {
            fatalError("size mismatch (got input: \(Shape.describe(s)) , target: \(Shape.describe(target.shape))")
        }
        return NllLossOp.apply(input, target, weight, ignoreIndex, reduction, batch: s[0], classes: classes,
                               spatial: s[2] * s[3], name: "NllLoss2DBackward0")
    default:
        // nll_loss_nd: 3-d and >4-d inputs go through the 2-d loss as [N, C, 1, -1]
        let n = input.shape[0], c = input.shape[1]
        let outShape = [n] + Array(input.shape.dropFirst(2))
        guard target.shape == outShape else {
            fatalError("Expected target size \(Shape.describe(outShape)), got \(Shape.describe(target.shape))")
        }
        let spatial = outShape.dropFirst().reduce(1, *)
        let x = input.contiguous().view([n, c, 1, spatial])
        let t = target.contiguous().view([n, 1, spatial])
        let loss = nllLoss(x, t, weight: weight, ignoreIndex: ignoreIndex, reduction: reduction)
        return reduction == .none ? loss.view(outShape) : loss
    }
}

enum NllLossOp {
    /// The loss over input [batch, classes, spatial] and target [batch, spatial] (contiguous).
    static func apply(_ input: Tensor, _ target: Tensor, _ weight: Tensor?, _ ignoreIndex: Int, _ reduction: Reduction,
                      batch: Int, classes: Int, spatial: Int, name: String) -> Tensor {
        guard input.dtype.isFloatingPoint else {
            fatalError("\"nll_loss_out_frame\" not implemented for '\(input.dtypeName)'")
        }
        let x = input.contiguousIfNeeded()
        let t = target.converted(to: .int64).contiguousIfNeeded()
        let w = weight.map { $0.detach().converted(to: .float64).contiguousIfNeeded() }
        let pt = t.pointer(Int64.self), pw = w?.pointer(Double.self)
        var losses = [Double](repeating: 0, count: batch * spatial)
        var totalWeight = 0.0, total = 0.0
        func gatherLosses<T: BinaryFloatingPoint>(_: T.Type) {
            let px = x.pointer(T.self)
            for n in 0..<batch {
                for s in 0..<spatial {
                    let cls = Int(pt[n * spatial + s])
                    if cls == ignoreIndex { continue }
                    guard cls >= 0 && cls < classes else { fatalError("Target \(cls) is out of bounds.") }
                    let wv = pw?[cls] ?? 1
                    let loss = -wv * Double(px[(n * classes + cls) * spatial + s])
                    losses[n * spatial + s] = loss
                    totalWeight += wv
                    total += loss
                }
            }
        }
        if input.dtype == .float32 { gatherLosses(Float.self) } else { gatherLosses(Double.self) }
        let out: Tensor
        switch reduction {
        case .none:
            out = Tensor(shape: target.shape, scalars: losses).to(input.dtype)
        case .sum:
            out = Tensor(shape: [], scalars: [total]).to(input.dtype)
        case .mean:
            out = Tensor(shape: [], scalars: [total / totalWeight]).to(input.dtype)
        }
        let inShape = input.shape, dtype = input.dtype, savedTarget = t.alias
        return Tensor.record(name, out, inputs: [input], saving: [target]) { g in
            let gy = g.converted(to: .float64).contiguousIfNeeded()
            let pg = gy.pointer(Double.self), pt = savedTarget.pointer(Int64.self)
            var grad = [Double](repeating: 0, count: batch * classes * spatial)
            for n in 0..<batch {
                for s in 0..<spatial {
                    let cls = Int(pt[n * spatial + s])
                    if cls == ignoreIndex { continue }
                    let scale: Double
                    switch reduction {
                    case .none: scale = pg[n * spatial + s]
                    case .sum: scale = pg[0]
                    case .mean: scale = pg[0] / totalWeight
                    }
                    grad[(n * classes + cls) * spatial + s] = -(pw?[cls] ?? 1) * scale
                }
            }
            _ = w  // keeps the weight copy alive for `pw`
            return [Tensor(shape: inShape, scalars: grad).to(dtype)]
        }
    }
}

// MARK: Regression losses

/// Mean squared error, as `torch.nn.functional.mse_loss`; records `MseLossBackward0`.
///
/// Shapes broadcast (PyTorch warns when they differ; so should you care).
/// ```swift
/// let loss = mseLoss(prediction, target)                    // mean of (prediction - target)²
/// let each = mseLoss(prediction, target, reduction: .none)
/// ```
public func mseLoss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let (diff, out) = withNoGrad { () -> (Tensor, Tensor) in
        let d = input - target
        return (d, reduced(d * d, reduction))
    }
    let si = input.alias, st = target.alias
    let needInput = input.requiresGradFlag, needTarget = target.requiresGradFlag
    return Tensor.record("MseLossBackward0", out, inputs: [input, target], saving: [input, target]) { g in
        var gi = diff * g * 2
        if reduction == .mean { gi = gi / Double(diff.numel) }
        return [needInput ? Tensor.reduceGrad(gi, to: si) : nil, needTarget ? Tensor.reduceGrad(-gi, to: st) : nil]
    }
}

/// Mean absolute error, as `torch.nn.functional.l1_loss` (composed as `abs(input - target)`
/// then the reduction, as PyTorch does).
///
/// ```swift
/// let loss = l1Loss(prediction, target, reduction: .sum)
/// ```
public func l1Loss(_ input: Tensor, _ target: Tensor, reduction: Reduction = .mean) -> Tensor {
    let loss = (input - target).abs()
    switch reduction {
    case .none: return loss
    case .mean: return loss.mean()
    case .sum: return loss.sum()
    }
}

// MARK: Binary cross entropy

/// Binary cross entropy between probabilities and targets, as
/// `torch.nn.functional.binary_cross_entropy`; records `BinaryCrossEntropyBackward0`.
///
/// Each log is clamped at -100, as PyTorch, so probabilities of exactly 0 or 1 give finite
/// losses. `weight` broadcasts to the target's shape.
/// ```swift
/// let p = sigmoid(Tensor.randn([4], requiresGrad: true))
/// let loss = binaryCrossEntropy(p, Tensor([1.0, 0.0, 1.0, 1.0]))
/// ```
public func binaryCrossEntropy(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                               reduction: Reduction = .mean) -> Tensor {
    guard target.shape == input.shape else {
        fatalError("Using a target size (torch.Size(\(Shape.describe(target.shape)))) that is different to the input size (torch.Size(\(Shape.describe(input.shape)))) is deprecated. Please ensure they have the same size.")
    }
    guard input.dtype.isFloatingPoint else {
        fatalError("\"binary_cross_entropy\" not implemented for '\(input.dtypeName)'")
    }
    let w = weight.map { $0.detach().expand(Shape.broadcast(target.shape, $0.shape)) }
    let loss = Tensor(empty: input.shape, dtype: input.dtype)
    let x = input.contiguousIfNeeded(), t = target.detach().to(input.dtype).contiguousIfNeeded()
    func run<T: BinaryFloatingPoint & ElementaryMath & ArithmeticElement>(_: T.Type) {
        Kernels.binary(x, t, T.self, T.self, out: loss, grain: Kernels.expensiveGrain) { (xv: T, tv: T) -> T in
            guard xv >= 0 && xv <= 1 else { fatalError("all elements of input should be between 0 and 1") }
            guard tv >= 0 && tv <= 1 else { fatalError("all elements of target should be between 0 and 1") }
            return (tv - 1) * Swift.max(T.log1pValue(-xv), -100) - tv * Swift.max(T.logValue(xv), -100)
        }
    }
    if input.dtype == .float32 { run(Float.self) } else { run(Double.self) }
    let out = withNoGrad { reduced(w.map { loss * $0 } ?? loss, reduction) }
    let sx = input.alias, st = target.alias, count = Double(input.numel)
    let needInput = input.requiresGradFlag, needTarget = target.requiresGradFlag
    return Tensor.record("BinaryCrossEntropyBackward0", out, inputs: [input, target], saving: [input, target]) { g in
        var scale = g
        if let w { scale = scale * w }
        if reduction == .mean { scale = scale / count }
        let gi = needInput ? scale * (sx - st) / ((1 - sx) * sx).clamp(min: 1e-12) : nil
        let gt = needTarget ? -(sx / (1 - sx)).log() * scale : nil
        return [gi.map { Tensor.reduceGrad($0, to: sx) }, gt.map { Tensor.reduceGrad($0, to: st) }]
    }
}

/// log(sigmoid(x)) = min(x, 0) - log1p(exp(-|x|)), finite for any x (untracked).
private func logSigmoid(_ x: Tensor) -> Tensor {
    x.clamp(max: 0) - (-x.abs()).exp().log1p()
}

/// Binary cross entropy on logits, as `torch.nn.functional.binary_cross_entropy_with_logits`;
/// records `BinaryCrossEntropyWithLogitsBackward0`.
///
/// Uses `log(sigmoid(x))` computed stably, so huge logits are fine. `posWeight` weighs the
/// positive term per class (broadcast over the last dim), `weight` each element.
/// ```swift
/// let logits = Tensor.randn([4, 3], requiresGrad: true)
/// let loss = binaryCrossEntropyWithLogits(logits, Tensor.rand(4, 3), posWeight: Tensor([1.0, 2.0, 3.0]))
/// ```
public func binaryCrossEntropyWithLogits(_ input: Tensor, _ target: Tensor, weight: Tensor? = nil,
                                         posWeight: Tensor? = nil, reduction: Reduction = .mean) -> Tensor {
    guard target.shape == input.shape else {
        fatalError("Target size (torch.Size(\(Shape.describe(target.shape)))) must be the same as input size (torch.Size(\(Shape.describe(input.shape))))")
    }
    let x = input.detach(), t = target.detach()
    let w = weight?.detach(), pw = posWeight?.detach()
    let out = withNoGrad { () -> Tensor in
        var ls = logSigmoid(x)
        if let pw { ls = ls * ((pw - 1) * t + 1) }
        var loss = (1 - t) * x - ls
        if let w { loss = loss * w }
        return reduced(loss, reduction)
    }
    let count = Double(input.numel)
    let needInput = input.requiresGradFlag, needTarget = target.requiresGradFlag
    return Tensor.record("BinaryCrossEntropyWithLogitsBackward0", out, inputs: [input, target], saving: [input, target]) { g in
        var scale = g
        if let w { scale = scale * w }
        if reduction == .mean { scale = scale / count }
        var gi: Tensor?, gt: Tensor?
        if needInput {
            if let pw {
                let pt = pw * t
                gi = ((pt + 1 - t) * x.sigmoid() - pt) * scale
            } else {
                gi = (x.sigmoid() - t) * scale
            }
        }
        if needTarget {
            gt = (pw.map { logSigmoid(-x) - logSigmoid(x) * $0 } ?? -x) * scale
        }
        return [gi.map { Tensor.reduceGrad($0, to: x) }, gt.map { Tensor.reduceGrad($0, to: t) }]
    }
}
