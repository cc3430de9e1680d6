import Foundation
import Testing

@testable import Torch

// Backward of every nn.functional op against central finite differences in float64, through
// the shared `gradCheck` helper (GradCheckTests.swift: eps 1e-6, |analytic - numeric| <=
// 1e-6 * max(1, |numeric|)). Inputs stay away from kinks (max ties, ReLU-like corners).

/// Seeded float64 leaf with values in [lo, hi).
private func uniformLeaf(_ shape: [Int], _ seed: UInt64, _ lo: Double = -2, _ hi: Double = 2) -> Tensor {
    let u = Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)).scalars(as: Double.self)
    return Tensor(shape: shape, scalars: u.map { lo + $0 * (hi - lo) }, requiresGrad: true)
}
private func classTargets(_ values: [Int64], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values) }

private struct NNGradCase: Sendable {
    let name: String
    let inputs: @Sendable () -> [Tensor]
    let f: @Sendable ([Tensor]) -> Tensor
}

private let nnGradCases: [NNGradCase] = {
    var cases: [NNGradCase] = []
    func add(_ name: String, _ inputs: @escaping @Sendable () -> [Tensor], _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        cases.append(NNGradCase(name: name, inputs: inputs, f: f))
    }

    // conv2d
    add("conv2d bias", { [uniformLeaf([2, 2, 5, 5], 1), uniformLeaf([3, 2, 3, 3], 2), uniformLeaf([3], 3)] }) {
        conv2d($0[0], weight: $0[1], bias: $0[2])
    }
    add("conv2d stride padding dilation", { [uniformLeaf([1, 2, 7, 6], 4), uniformLeaf([2, 2, 3, 2], 5)] }) {
        conv2d($0[0], weight: $0[1], stride: [2, 1], padding: [2, 1], dilation: [2, 1])
    }
    add("conv2d groups", { [uniformLeaf([2, 4, 4, 4], 6), uniformLeaf([4, 2, 2, 2], 7), uniformLeaf([4], 8)] }) {
        conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1, groups: 2)
    }
    add("conv2d same, even kernel", { [uniformLeaf([1, 2, 4, 5], 9), uniformLeaf([2, 2, 2, 4], 10)] }) {
        conv2d($0[0], weight: $0[1], padding: "same")
    }
    add("conv2d pointwise", { [uniformLeaf([2, 3, 3, 3], 11), uniformLeaf([2, 3, 1, 1], 12), uniformLeaf([2], 13)] }) {
        conv2d($0[0], weight: $0[1], bias: $0[2])
    }
    add("conv2d unbatched", { [uniformLeaf([2, 4, 4], 14), uniformLeaf([3, 2, 3, 3], 15)] }) {
        conv2d($0[0], weight: $0[1], padding: 1)
    }
    add("conv2d batch 8", { [uniformLeaf([8, 1, 4, 4], 16), uniformLeaf([2, 1, 3, 3], 17), uniformLeaf([2], 18)] }) {
        conv2d($0[0], weight: $0[1], bias: $0[2])
    }

    // pooling
    add("maxPool2d k2", { [uniformLeaf([2, 2, 4, 4], 20)] }) { maxPool2d($0[0], kernelSize: 2) }
    add("maxPool2d padding dilation ceil", { [uniformLeaf([1, 2, 7, 6], 21)] }) {
        maxPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, dilation: [2, 1], ceilMode: true)
    }
    add("avgPool2d include pad", { [uniformLeaf([1, 2, 5, 5], 22)] }) {
        avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true)
    }
    add("avgPool2d exclude pad", { [uniformLeaf([1, 2, 5, 5], 23)] }) {
        avgPool2d($0[0], kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)
    }
    add("avgPool2d divisor override", { [uniformLeaf([2, 4, 4], 24)] }) {
        avgPool2d($0[0], kernelSize: [2, 3], stride: 1, divisorOverride: 5)
    }
    add("adaptiveAvgPool2d", { [uniformLeaf([1, 2, 5, 7], 25)] }) { adaptiveAvgPool2d($0[0], outputSize: [3, 4]) }
    add("adaptiveAvgPool2d global", { [uniformLeaf([2, 2, 3, 3], 26)] }) { adaptiveAvgPool2d($0[0], outputSize: 1) }

    // batch norm
    add("batchNorm train", { [uniformLeaf([3, 2, 2, 2], 30), uniformLeaf([2], 31), uniformLeaf([2], 32)] }) {
        batchNorm($0[0], runningMean: Tensor.zeros([2], dtype: .float64), runningVar: Tensor.ones([2], dtype: .float64),
                  weight: $0[1], bias: $0[2], training: true)
    }
    add("batchNorm train 2-D, no affine", { [uniformLeaf([4, 3], 33)] }) {
        batchNorm($0[0], runningMean: nil, runningVar: nil, training: true)
    }
    add("batchNorm eval", { [uniformLeaf([2, 3, 4], 34), uniformLeaf([3], 35), uniformLeaf([3], 36)] }) {
        batchNorm($0[0], runningMean: Tensor([0.1, -0.2, 0.3], dtype: .float64),
                  runningVar: Tensor([0.5, 1.5, 2.0], dtype: .float64), weight: $0[1], bias: $0[2])
    }

    // softmax and activations
    add("softmax dim 1", { [uniformLeaf([2, 3, 4], 40)] }) { softmax($0[0], dim: 1) }
    add("softmax last dim", { [uniformLeaf([3, 5], 41)] }) { softmax($0[0], dim: -1) }
    add("logSoftmax dim 0", { [uniformLeaf([3, 4], 42)] }) { logSoftmax($0[0], dim: 0) }
    add("logSoftmax dim 2", { [uniformLeaf([2, 2, 5], 43)] }) { logSoftmax($0[0], dim: 2) }
    add("leakyRelu", { [uniformLeaf([3, 4], 44)] }) { leakyRelu($0[0], negativeSlope: 0.2) }
    add("gelu erf", { [uniformLeaf([3, 4], 45, -4, 4)] }) { gelu($0[0]) }
    add("gelu tanh", { [uniformLeaf([3, 4], 46, -4, 4)] }) { gelu($0[0], approximate: "tanh") }
    add("silu", { [uniformLeaf([3, 4], 47, -4, 4)] }) { silu($0[0]) }
    add("hardtanh", { [Tensor([-2.5, -0.9, -0.3, 0.2, 0.7, 1.4, 1.9, 3.0], dtype: .float64, requiresGrad: true)] }) {
        hardtanh($0[0], minVal: -1, maxVal: 1.5)
    }
    add("dropout (same mask each call)", { [uniformLeaf([4, 5], 48)] }) {
        dropout($0[0], p: 0.3, generator: Generator(seed: 9))
    }

    // losses
    let targets = classTargets([0, 3, 1, 1, 2], [5])
    add("crossEntropy", { [uniformLeaf([5, 4], 50)] }) { crossEntropy($0[0], targets) }
    add("crossEntropy weight ignore sum", { [uniformLeaf([5, 4], 51)] }) {
        crossEntropy($0[0], targets, weight: Tensor([0.5, 1.0, 2.0, 1.5], dtype: .float64), ignoreIndex: 1, reduction: .sum)
    }
    add("crossEntropy label smoothing weight", { [uniformLeaf([5, 4], 52)] }) {
        crossEntropy($0[0], targets, weight: Tensor([0.5, 1.0, 2.0, 1.5], dtype: .float64), ignoreIndex: 3,
                     labelSmoothing: 0.2)
    }
    add("crossEntropy probabilities", { [uniformLeaf([3, 4], 53), uniformLeaf([3, 4], 54, 0, 1)] }) {
        crossEntropy($0[0], $0[1], reduction: .none, labelSmoothing: 0.1)
    }
    add("crossEntropy spatial", { [uniformLeaf([2, 3, 2, 2], 55)] }) {
        crossEntropy($0[0], classTargets([0, 2, 1, 1, 2, 0, 0, 1], [2, 2, 2]))
    }
    add("crossEntropy 3-d none", { [uniformLeaf([2, 3, 4], 56)] }) {
        crossEntropy($0[0], classTargets([0, 2, 1, 1, 2, 0, 0, 1], [2, 4]), reduction: .none)
    }
    add("nllLoss weight", { [uniformLeaf([5, 4], 57)] }) {
        nllLoss($0[0], targets, weight: Tensor([0.5, 1.0, 2.0, 1.5], dtype: .float64))
    }
    add("mseLoss", { [uniformLeaf([3, 4], 60), uniformLeaf([3, 4], 61)] }) { mseLoss($0[0], $0[1]) }
    add("mseLoss broadcast none", { [uniformLeaf([3, 4], 62), uniformLeaf([4], 63)] }) {
        mseLoss($0[0], $0[1], reduction: .none)
    }
    add("l1Loss", { [uniformLeaf([3, 4], 64), uniformLeaf([3, 4], 65)] }) { l1Loss($0[0], $0[1], reduction: .sum) }
    add("binaryCrossEntropy weight", { [uniformLeaf([3, 4], 66, 0.1, 0.9), uniformLeaf([3, 4], 67, 0, 1)] }) {
        binaryCrossEntropy($0[0], $0[1], weight: Tensor([1.0, 0.5, 2.0, 1.5], dtype: .float64))
    }
    add("binaryCrossEntropyWithLogits", { [uniformLeaf([3, 4], 68, -5, 5), uniformLeaf([3, 4], 69, 0, 1)] }) {
        binaryCrossEntropyWithLogits($0[0], $0[1], reduction: .sum)
    }
    add("binaryCrossEntropyWithLogits weight posWeight", { [uniformLeaf([3, 4], 70, -5, 5), uniformLeaf([3, 4], 71, 0, 1)] }) {
        binaryCrossEntropyWithLogits($0[0], $0[1], weight: Tensor([[1.0], [0.5], [2.0]], dtype: .float64),
                                     posWeight: Tensor([1.0, 3.0, 0.5, 2.0], dtype: .float64), reduction: .none)
    }
    return cases
}()

@Suite("nn.functional gradients against finite differences (float64)")
struct NNGradCheckTests {
    @Test("backward matches central differences", arguments: nnGradCases.map(\.name))
    func check(_ name: String) {
        let c = nnGradCases.first { $0.name == name }!
        let issues = gradCheck(c.inputs()) { [c.f($0)] }
        #expect(issues.isEmpty, "\(name): \(issues.prefix(5).joined(separator: "; "))")
    }
}
