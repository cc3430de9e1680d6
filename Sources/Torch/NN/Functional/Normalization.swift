import Foundation

// Batch normalization over dim 1 of [N, C, *] input, as PyTorch's native_batch_norm on CPU:
// statistics are accumulated in Double (acc_type<float> is double on CPU), the running
// variance is updated with the unbiased variance, and the output is x * alpha + beta with
// alpha = invstd * weight and beta = bias - mean * alpha per channel.

/// Batch normalization, as `torch.nn.functional.batch_norm`; records `NativeBatchNormBackward0`.
///
/// In training the batch statistics normalize the input and, when given, `runningMean` and
/// `runningVar` are updated in place: `running = (1 - momentum) * running + momentum * stat`,
/// with the unbiased variance. In evaluation the running statistics are used.
/// ```swift
/// let x = Tensor.randn(8, 3, 4, 4)
/// let mean = Tensor.zeros(3), variance = Tensor.ones(3)
/// let y = batchNorm(x, runningMean: mean, runningVar: variance, weight: Tensor.ones(3),
///                   bias: Tensor.zeros(3), training: true)   // mean, variance updated
/// let z = batchNorm(x, runningMean: mean, runningVar: variance)   // evaluation
/// ```
public func batchNorm(_ input: Tensor, runningMean: Tensor?, runningVar: Tensor?, weight: Tensor? = nil,
                      bias: Tensor? = nil, training: Bool = false, momentum: Double = 0.1,
                      eps: Double = 1e-5) -> Tensor {
    guard input.dim >= 2 else {
        fatalError("batch_norm: expected input of at least 2 dimensions [N, C, *], but got input of size \(Shape.describe(input.shape))")
    }
    let shape = input.shape
    let channels = shape[1]
    if training {
        let perChannel = shape[0] * shape[2...].reduce(1, *)
        guard perChannel != 1 else {
            fatalError("Expected more than 1 value per channel when training, got input size torch.Size(\(Shape.describe(shape)))")
        }
    }
    for (name, t) in [("running_mean", runningMean), ("running_var", runningVar), ("weight", weight), ("bias", bias)] {
        if let t, t.numel != channels { fatalError("\(name) should contain \(channels) elements not \(t.numel)") }
    }
    guard input.dtype.isFloatingPoint else {
        fatalError("\"batch_norm\" not implemented for '\(input.dtypeName)'")
    }
    guard training || (runningMean != nil && runningVar != nil) else {
        fatalError("running_mean must be defined in evaluation mode")
    }
    let geo = BatchNormGeometry(batch: shape[0], channels: channels, spatial: shape[2...].reduce(1, *))
    let x = input.contiguousIfNeeded()
    let w = weight.map { t in withNoGrad { t.to(.float64).contiguousIfNeeded() } }
    let b = bias.map { t in withNoGrad { t.to(.float64).contiguousIfNeeded() } }
    var mean = [Double](repeating: 0, count: channels), invstd = [Double](repeating: 0, count: channels)
    var varianceSum = [Double](repeating: 0, count: channels)
    let out = Tensor(empty: shape, dtype: input.dtype)
    if training {
        if input.dtype == .float32 {
            BatchNormKernels.statistics(x.pointer(Float.self), geo, &mean, &varianceSum)
        } else {
            BatchNormKernels.statistics(x.pointer(Double.self), geo, &mean, &varianceSum)
        }
        let count = Double(geo.batch * geo.spatial)
        for c in 0..<channels { invstd[c] = 1 / (varianceSum[c] / count + eps).squareRoot() }
        // running = momentum * stat + (1 - momentum) * running, in double, as PyTorch
        if let runningMean {
            let old = runningMean.scalars(as: Double.self)
            updateInPlace(runningMean, (0..<channels).map { momentum * mean[$0] + (1 - momentum) * old[$0] })
        }
        if let runningVar {
            let old = runningVar.scalars(as: Double.self)
            updateInPlace(runningVar, (0..<channels).map {
                momentum * (varianceSum[$0] / (count - 1)) + (1 - momentum) * old[$0]
            })
        }
    } else {
        mean = runningMean!.scalars(as: Double.self)
        invstd = runningVar!.scalars(as: Double.self).map { 1 / ($0 + eps).squareRoot() }
    }
    let pw = w?.pointer(Double.self), pb = b?.pointer(Double.self)
    let alpha = (0..<channels).map { c in invstd[c] * (pw?[c] ?? 1) }
    let beta = (0..<channels).map { c in (pb?[c] ?? 0) - mean[c] * alpha[c] }
    if input.dtype == .float32 {
        BatchNormKernels.transform(x.pointer(Float.self), out.pointer(Float.self), geo, alpha, beta)
    } else {
        BatchNormKernels.transform(x.pointer(Double.self), out.pointer(Double.self), geo, alpha, beta)
    }

    var inputs = [input]
    if let weight { inputs.append(weight) }
    if let bias { inputs.append(bias) }
    let savedX = x.alias, needInput = input.requiresGradFlag
    let needWeight = weight?.requiresGradFlag ?? false, needBias = bias?.requiresGradFlag ?? false
    let hasWeight = weight != nil, hasBias = bias != nil, inputDType = input.dtype
    let scale = (0..<channels).map { c in pw?[c] ?? 1 }
    let savedMean = mean, savedInvstd = invstd
    let saving = [input] + (weight.map { [$0] } ?? [])
    return Tensor.record("NativeBatchNormBackward0", out, inputs: inputs, saving: saving) { g in
        let gy = g.contiguousIfNeeded().to(inputDType)
        var gradWeight = [Double](repeating: 0, count: channels), gradBias = gradWeight
        let gx = needInput ? Tensor(empty: shape, dtype: inputDType) : nil
        if inputDType == .float32 {
            BatchNormKernels.backward(gy.pointer(Float.self), savedX.pointer(Float.self), gx?.pointer(Float.self), geo,
                                      savedMean, savedInvstd, scale, training, &gradWeight, &gradBias)
        } else {
            BatchNormKernels.backward(gy.pointer(Double.self), savedX.pointer(Double.self), gx?.pointer(Double.self), geo,
                                      savedMean, savedInvstd, scale, training, &gradWeight, &gradBias)
        }
        var grads: [Tensor?] = [gx]
        if hasWeight { grads.append(needWeight ? Tensor(shape: [channels], scalars: gradWeight).to(inputDType) : nil) }
        if hasBias { grads.append(needBias ? Tensor(shape: [channels], scalars: gradBias).to(inputDType) : nil) }
        return grads
    }
}

/// Overwrites a running statistic with new values (no autograd), bumping its version.
private func updateInPlace(_ t: Tensor, _ values: [Double]) {
    Kernels.copy(from: Tensor(shape: t.shape, scalars: values), into: t)
    t.bumpVersion()
}

/// Sizes of a batch norm problem: input viewed as [batch, channels, spatial].
struct BatchNormGeometry: Sendable {
    let batch, channels, spatial: Int
    var grain: Int { Swift.max(1, 65536 / Swift.max(1, batch * spatial)) }
}

enum BatchNormKernels {
    /// Per-channel mean and sum of squared deviations (two passes, in Double).
    static func statistics<T: BinaryFloatingPoint>(_ x: UnsafeMutablePointer<T>, _ g: BatchNormGeometry,
                                                   _ mean: inout [Double], _ varianceSum: inout [Double]) {
        let count = Double(g.batch * g.spatial)
        mean.withUnsafeMutableBufferPointer { means in
            varianceSum.withUnsafeMutableBufferPointer { sums in
                let means = means, sums = sums
                parallelChunks(g.channels, grain: g.grain) { range in
                    for c in range {
                        var s = 0.0
                        for n in 0..<g.batch {
                            let row = x + (n * g.channels + c) * g.spatial
                            for i in 0..<g.spatial { s += Double(row[i]) }
                        }
                        let m = s / count
                        var v = 0.0
                        for n in 0..<g.batch {
                            let row = x + (n * g.channels + c) * g.spatial
                            for i in 0..<g.spatial {
                                let d = Double(row[i]) - m
                                v += d * d
                            }
                        }
                        means[c] = m
                        sums[c] = v
                    }
                }
            }
        }
    }

    /// y = x * alpha[c] + beta[c].
    static func transform<T: BinaryFloatingPoint>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                  _ g: BatchNormGeometry, _ alpha: [Double], _ beta: [Double]) {
        parallelChunks(g.batch * g.channels, grain: Swift.max(1, 32768 / Swift.max(1, g.spatial))) { range in
            for row in range {
                let c = row % g.channels
                let a = T(alpha[c]), b = T(beta[c])
                let src = x + row * g.spatial, dst = y + row * g.spatial
                for i in 0..<g.spatial { dst[i] = src[i] * a + b }
            }
        }
    }

    /// Input, weight and bias gradients. Training: gx = (g - mean(g) - xc * k) * invstd * w with
    /// xc = x - mean and k = sum(g * xc) * invstd² / count; evaluation: gx = g * invstd * w.
    static func backward<T: BinaryFloatingPoint>(_ gy: UnsafeMutablePointer<T>, _ x: UnsafeMutablePointer<T>,
                                                 _ gx: UnsafeMutablePointer<T>?, _ g: BatchNormGeometry,
                                                 _ mean: [Double], _ invstd: [Double], _ weight: [Double],
                                                 _ training: Bool, _ gradWeight: inout [Double],
                                                 _ gradBias: inout [Double]) {
        let count = Double(g.batch * g.spatial)
        gradWeight.withUnsafeMutableBufferPointer { gws in
            gradBias.withUnsafeMutableBufferPointer { gbs in
                let gws = gws, gbs = gbs
                parallelChunks(g.channels, grain: g.grain) { range in
                    for c in range {
                        let m = mean[c]
                        var sumG = 0.0, dot = 0.0
                        for n in 0..<g.batch {
                            let off = (n * g.channels + c) * g.spatial
                            for i in 0..<g.spatial {
                                let gv = Double(gy[off + i])
                                sumG += gv
                                dot += gv * (Double(x[off + i]) - m)
                            }
                        }
                        gws[c] = dot * invstd[c]
                        gbs[c] = sumG
                        guard let gx else { continue }
                        let scale = invstd[c] * weight[c]
                        if training {
                            let k = dot * invstd[c] * invstd[c] / count, gradMean = sumG / count
                            for n in 0..<g.batch {
                                let off = (n * g.channels + c) * g.spatial
                                for i in 0..<g.spatial {
                                    let xc = Double(x[off + i]) - m
                                    gx[off + i] = T((Double(gy[off + i]) - gradMean - xc * k) * scale)
                                }
                            }
                        } else {
                            let s = T(scale)
                            for n in 0..<g.batch {
                                let off = (n * g.channels + c) * g.spatial
                                for i in 0..<g.spatial { gx[off + i] = gy[off + i] * s }
                            }
                        }
                    }
                }
            }
        }
    }
}
