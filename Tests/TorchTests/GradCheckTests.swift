import Foundation
import Testing

@testable import Torch

// Every differentiable op's backward against central finite differences in float64
// (eps 1e-6): |analytic - numeric| <= 1e-6 * max(1, |numeric|). The loss is
// sum_i <f(x)_i, w_i> with fixed, distinct weights w_i, so every output element matters.

private let eps = 1e-6
private let tolerance = 1e-6

/// Seeded float64 leaf in [lo, hi) (away from kinks: callers pick ranges that avoid them).
private func leaf(_ shape: [Int], _ seed: UInt64, _ lo: Double = -2, _ hi: Double = 2) -> Tensor {
    let u = Tensor.rand(shape, dtype: .float64, generator: Generator(seed: seed)).scalars(as: Double.self)
    return Tensor(shape: shape, scalars: u.map { lo + ($0 * (hi - lo)) }, requiresGrad: true)
}
private func positive(_ shape: [Int], _ seed: UInt64) -> Tensor { leaf(shape, seed, 0.5, 2.5) }
private func constant(_ values: [Double], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values, requiresGrad: true) }
private func mask(_ values: [Bool], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values) }
private func indices(_ values: [Int64], _ shape: [Int]) -> Tensor { Tensor(shape: shape, scalars: values) }

/// The scalar loss sum_i <outs_i, w_i>, with w_i[j] = cos(1.3 j + 0.7 i) + 1.5.
private func weightedLoss(_ outs: [Tensor]) -> Tensor {
    var loss = Tensor(0.0, dtype: .float64)
    for (i, o) in outs.enumerated() {
        let w = (0..<o.numel).map { Foundation.cos(1.3 * Double($0) + 0.7 * Double(i)) + 1.5 }
        loss = loss + (o * Tensor(shape: o.shape, scalars: w)).sum()
    }
    return loss
}

/// Differences between backward and central differences for `f` at `inputs`.
func gradCheck(_ inputs: [Tensor], _ f: ([Tensor]) -> [Tensor]) -> [String] {
    weightedLoss(f(inputs)).backward()
    var issues: [String] = []
    let values = inputs.map { $0.dtype == .float64 ? $0.scalars(as: Double.self) : [] }
    func evaluate(_ k: Int, _ j: Int, _ delta: Double) -> Double {
        var v = values[k]
        v[j] += delta
        var args = inputs.map { $0.detach() }
        args[k] = Tensor(shape: inputs[k].shape, scalars: v)
        return withNoGrad { weightedLoss(f(args)).item(as: Double.self) }
    }
    for (k, x) in inputs.enumerated() where x.requiresGrad {
        guard let g = x.grad else { issues.append("input \(k): no gradient"); continue }
        let analytic = g.scalars(as: Double.self)
        for j in 0..<x.numel {
            let numeric = (evaluate(k, j, eps) - evaluate(k, j, -eps)) / (2 * eps)
            if !(Swift.abs(analytic[j] - numeric) <= tolerance * Swift.max(1, Swift.abs(numeric))) {
                issues.append("input \(k) element \(j): backward \(analytic[j]), finite difference \(numeric)")
            }
        }
    }
    return issues
}

private struct GradCase: Sendable {
    let name: String
    let inputs: @Sendable () -> [Tensor]
    let f: @Sendable ([Tensor]) -> [Tensor]
}

private let gradCases: [GradCase] = {
    var cases: [GradCase] = []
    func add(_ name: String, _ inputs: @escaping @Sendable () -> [Tensor], _ f: @escaping @Sendable ([Tensor]) -> Tensor) {
        cases.append(GradCase(name: name, inputs: inputs, f: { [f($0)] }))
    }
    func multi(_ name: String, _ inputs: @escaping @Sendable () -> [Tensor], _ f: @escaping @Sendable ([Tensor]) -> [Tensor]) {
        cases.append(GradCase(name: name, inputs: inputs, f: f))
    }

    // elementwise, broadcasting, scalars on either side
    add("add broadcast", { [leaf([2, 3], 1), leaf([3], 2)] }) { $0[0] + $0[1] }
    add("add 0-d", { [leaf([2, 3], 3), leaf([], 4)] }) { $0[0] + $0[1] }
    add("sub broadcast outer", { [leaf([3, 1], 5), leaf([1, 4], 6)] }) { $0[0] - $0[1] }
    add("mul broadcast 3-D", { [leaf([2, 1, 3], 7), leaf([4, 1], 8)] }) { $0[0] * $0[1] }
    add("mul self", { [leaf([4], 9)] }) { $0[0] * $0[0] }
    add("div broadcast", { [leaf([2, 3], 10), positive([2, 1], 11)] }) { $0[0] / $0[1] }
    add("scalars", { [leaf([2, 3], 12)] }) { (2 - $0[0]) * 3 + $0[0] / 4 - 1.5 }
    add("scalar divided by tensor", { [positive([5], 13)] }) { 2 / $0[0] }
    add("add alpha", { [leaf([3], 14), leaf([3], 15)] }) { $0[0].add($0[1], alpha: -2.5) }
    add("maximum minimum", { [leaf([2, 3], 16), leaf([3], 17)] }) { $0[0].maximum($0[1]) + $0[0].minimum($0[1]) * 2 }
    add("pow 2", { [leaf([2, 3], 18)] }) { $0[0].pow(2) }
    add("pow 2.5", { [positive([2, 3], 19)] }) { $0[0].pow(2.5) }
    add("pow -1.5", { [positive([2, 3], 20)] }) { $0[0].pow(-1.5) }
    add("pow tensor both sides", { [positive([2, 3], 21), leaf([3], 22)] }) { $0[0].pow($0[1]) }
    add("pow scalar base", { [leaf([2, 3], 23)] }) { Tensor.pow(2, $0[0]) + Tensor.pow(0.5, $0[0]) }
    add("pow zero base", { [constant([0, 1, 2], [3]), constant([2, 3, 0.5], [3])] }) { $0[0].pow($0[1]) }

    // unary math
    add("exp", { [leaf([2, 3], 24)] }) { $0[0].exp() }
    add("log", { [positive([2, 3], 25)] }) { $0[0].log() }
    add("sqrt", { [positive([2, 3], 26)] }) { $0[0].sqrt() }
    add("abs", { [constant([-1.5, 0.5, 2, -0.25], [4])] }) { $0[0].abs() }
    add("neg", { [leaf([3], 27)] }) { -$0[0] }
    add("sigmoid", { [leaf([2, 3], 28)] }) { $0[0].sigmoid() }
    add("tanh", { [leaf([2, 3], 29)] }) { $0[0].tanh() }
    add("relu", { [constant([-1.5, 0.5, 2, -0.25, 1], [5])] }) { $0[0].relu() }
    add("clamp", { [constant([-1.5, -0.2, 0.3, 0.9, 2], [5])] }) { $0[0].clamp(-0.5, 0.5) + $0[0].clamp(min: 0) + $0[0].clamp(max: 1) }
    add("reciprocal", { [positive([2, 3], 30)] }) { $0[0].reciprocal() }
    add("sin cos", { [leaf([2, 3], 31)] }) { $0[0].sin() * $0[0].cos() }
    add("log1p expm1", { [positive([2, 3], 32)] }) { $0[0].log1p() + $0[0].expm1() }
    add("softmax composed", { [leaf([2, 4], 33)] }) { $0[0].exp() / $0[0].exp().sum(dim: 1, keepDim: true) }

    // reductions
    add("sum", { [leaf([2, 3], 34)] }) { $0[0].sum() }
    add("sum dims keepDim", { [leaf([2, 3, 4], 35)] }) { $0[0].sum(dims: [0, 2], keepDim: true) }
    add("sum negative dim", { [leaf([2, 3], 36)] }) { $0[0].sum(dim: -1) }
    add("broadcast then reduce", { [leaf([3, 1], 37), leaf([4], 38)] }) { ($0[0] * $0[1]).sum(dim: 0) }
    add("mean", { [leaf([2, 3], 39)] }) { $0[0].mean() + $0[0].mean(dim: 0).sum() * 2 }
    add("mean dims keepDim", { [leaf([2, 3, 2], 40)] }) { $0[0].mean(dims: [1, 2], keepDim: true) }
    add("prod", { [leaf([2, 3], 41)] }) { $0[0].prod() }
    add("prod dim keepDim", { [leaf([2, 3], 42)] }) { $0[0].prod(dim: 1, keepDim: true) }
    add("prod one zero", { [constant([2, 0, 3, -1.5], [4])] }) { $0[0].prod() }
    add("prod two zeros", { [constant([2, 0, 3, 0], [4])] }) { $0[0].prod() }
    add("prod dim with zeros", { [constant([1, 0, 2, 0, 0, 3, 1.5, 2, 3], [3, 3])] }) { $0[0].prod(dim: 1) }
    add("max min", { [leaf([2, 3], 43)] }) { $0[0].max() + $0[0].min() * 2 }
    multi("max dim", { [leaf([3, 4], 44)] }) { [$0[0].max(dim: 1).values] }
    multi("min dim keepDim", { [leaf([3, 4], 45)] }) { [$0[0].min(dim: 0, keepDim: true).values] }
    add("std", { [leaf([2, 3], 46)] }) { $0[0].std() }
    add("std dim keepDim", { [leaf([3, 4], 47)] }) { $0[0].std(dim: 1, keepDim: true) }
    add("var", { [leaf([2, 3], 48)] }) { $0[0].var() }
    add("var dim correction 0", { [leaf([3, 4], 49)] }) { $0[0].var(dim: 0, correction: 0) }
    add("logsumexp", { [leaf([3, 4], 50)] }) { $0[0].logsumexp(dim: 1) }
    add("logsumexp keepDim", { [leaf([3, 4], 51)] }) { $0[0].logsumexp(dim: 0, keepDim: true) }

    // matmul in every form
    let forms: [(String, [Int], [Int])] = [
        ("1-D·1-D", [3], [3]), ("2-D·1-D", [2, 3], [3]), ("1-D·2-D", [3], [3, 4]), ("2-D·2-D", [2, 3], [3, 4]),
        ("3-D·2-D", [2, 3, 4], [4, 2]), ("3-D·1-D", [2, 3, 4], [4]), ("3-D·3-D", [2, 3, 4], [2, 4, 2]),
        ("broadcast batch", [2, 1, 3, 4], [3, 4, 2]), ("2-D·3-D", [3, 4], [2, 4, 2]), ("1-D·3-D", [4], [2, 4, 3]),
        ("4-D·4-D", [1, 2, 3, 4], [2, 1, 4, 2]),
    ]
    for (i, form) in forms.enumerated() {
        add("matmul \(form.0)", { [leaf(form.1, 60 + UInt64(i)), leaf(form.2, 80 + UInt64(i))] }) { $0[0].matmul($0[1]) }
    }
    add("mm", { [leaf([2, 3], 100), leaf([3, 4], 101)] }) { $0[0].mm($0[1]) }
    add("mm transposed operands", { [leaf([3, 2], 102), leaf([4, 3], 103)] }) { $0[0].t().mm($0[1].t()) }
    add("mv", { [leaf([2, 3], 104), leaf([3], 105)] }) { $0[0].mv($0[1]) }
    add("bmm", { [leaf([2, 3, 4], 106), leaf([2, 4, 2], 107)] }) { $0[0].bmm($0[1]) }
    add("dot", { [leaf([4], 108), leaf([4], 109)] }) { $0[0].dot($0[1]) }
    add("matmul of views", { [leaf([4, 3], 110), leaf([2, 4], 111)] }) { $0[0].t().matmul($0[1].t()) }

    // views
    add("reshape", { [leaf([2, 3, 2], 120)] }) { $0[0].reshape(3, 4) }
    add("reshape non-contiguous", { [leaf([3, 4], 121)] }) { $0[0].t().reshape(-1) }
    add("view", { [leaf([2, 6], 122)] }) { $0[0].view(3, -1) }
    add("flatten", { [leaf([2, 3, 2], 123)] }) { $0[0].flatten(startDim: 1) }
    add("squeeze unsqueeze", { [leaf([1, 3, 1], 124)] }) { $0[0].squeeze().unsqueeze(0).squeeze(0).unsqueeze(-1) }
    add("permute", { [leaf([2, 3, 4], 125)] }) { $0[0].permute(2, 0, 1) }
    add("transpose", { [leaf([2, 3, 4], 126)] }) { $0[0].transpose(0, 2) }
    add("t and T", { [leaf([2, 3], 127)] }) { $0[0].t() + $0[0].T }
    add("expand", { [leaf([3, 1], 128)] }) { $0[0].expand(2, 3, 4) }
    add("contiguous", { [leaf([3, 4], 129)] }) { $0[0].t().contiguous() }
    add("select narrow slice", { [leaf([4, 5], 130)] }) { $0[0].select(1, 2) + $0[0].narrow(1, start: 1, length: 1).squeeze(1) + $0[0][.all, .range(0, 5, step: 2)].sum(dim: 1) }
    multi("unbind", { [leaf([3, 2], 131)] }) { $0[0].unbind(dim: 0) }

    // join and split
    add("cat", { [leaf([2, 3], 140), leaf([1, 3], 141)] }) { Tensor.cat([$0[0], $0[1]]) }
    add("cat dim 1", { [leaf([2, 1], 142), leaf([2, 3], 143), leaf([2, 2], 144)] }) { Tensor.cat($0, dim: 1) }
    add("stack", { [leaf([2, 3], 145), leaf([2, 3], 146)] }) { Tensor.stack($0, dim: 1) }
    multi("split", { [leaf([5, 2], 147)] }) { $0[0].split(2) }
    multi("split sizes dim 1", { [leaf([2, 5], 148)] }) { $0[0].split(sizes: [1, 4], dim: 1) }
    multi("chunk", { [leaf([6, 2], 149)] }) { $0[0].chunk(3) }
    add("split partly used", { [leaf([4, 2], 150)] }) { $0[0].split(2)[1] * 2 }

    // subscripts and index ops
    add("subscript int", { [leaf([3, 4], 160)] }) { $0[0][1] + $0[0][-1] }
    add("subscript range", { [leaf([4, 3], 161)] }) { $0[0][1..<3] }
    add("subscript all", { [leaf([3, 4], 162)] }) { $0[0][.all, 2] }
    add("subscript mask", { [leaf([3, 4], 163)] }) { $0[0][mask([true, false, true, true, false, false, true, false, false, true, true, false], [3, 4])] }
    add("subscript mask rows", { [leaf([3, 2], 164)] }) { $0[0][mask([true, false, true], [3])] }
    add("subscript index tensor", { [leaf([4, 3], 165)] }) { $0[0][indices([2, 0, 2, -1], [4])] }
    add("gather", { [leaf([3, 4], 166)] }) { $0[0].gather(1, indices([0, 0, 3, 1, 2, 2], [3, 2])) }
    add("gather dim 0", { [leaf([3, 2], 167)] }) { $0[0].gather(0, indices([2, 0, 2, 2], [2, 2])) }
    add("indexSelect", { [leaf([4, 3], 168)] }) { $0[0].indexSelect(0, indices([3, 0, 3], [3])) }
    add("indexSelect dim 1", { [leaf([2, 4], 169)] }) { $0[0].indexSelect(1, indices([1, 1, 0], [3])) }
    add("where", { [leaf([2, 3], 170), leaf([3], 171)] }) { Tensor.where(mask([true, false, false, true, true, false], [2, 3]), $0[0], $0[1]) }
    add("where with 0-d", { [leaf([2, 3], 172), leaf([], 173)] }) { Tensor.where($0[0] > 0, $0[0], $0[1]) }
    add("maskedFill", { [leaf([2, 3], 174)] }) { $0[0].maskedFill(mask([true, false, false, true, true, false], [2, 3]), 2) }

    // in-place ops, through clones and views
    add("in-place chain", { [leaf([2, 3], 180), leaf([3], 181)] }) { $0[0].clone().mul_($0[1]).add_($0[1]).div_(2) }
    add("in-place unary", { [positive([2, 3], 182)] }) { $0[0].clone().sqrt_().exp_() }
    add("setitem", { [leaf([3, 4], 183), leaf([4], 184)] }) { let a = $0[0] * 1; a[1] = $0[1]; return a }
    add("setitem column", { [leaf([3, 4], 185), leaf([3], 186)] }) { let a = $0[0] * 1; a[.all, 2] = $0[1] * 2; return a }
    add("setitem mask", { [leaf([2, 3], 187), leaf([], 188)] }) { let a = $0[0] * 1; a[mask([true, false, true, false, false, true], [2, 3])] = $0[1]; return a }
    add("setitem index", { [leaf([4, 2], 189), leaf([2, 2], 190)] }) { let a = $0[0] * 1; a[indices([3, 1], [2])] = $0[1]; return a }
    add("in-place on a view", { [leaf([3, 4], 191), leaf([4], 192)] }) { let a = $0[0] * 1; a[0].mul_($0[1]); return a }
    add("in-place on a transposed view", { [leaf([3, 2], 193), leaf([3], 197)] }) { let a = $0[0] * 1; a.t().mul_($0[1]); return a * 2 }
    add("maskedFill_ with a tensor value", { [leaf([2, 3], 194), leaf([], 198)] }) { $0[0].clone().maskedFill_(mask([true, false, false, true, true, false], [2, 3]), $0[1]) }
    add("copy_", { [leaf([2, 3], 195), leaf([3], 196)] }) { $0[0].clone().copy_($0[1]) * $0[0] }
    return cases
}()

@Suite("Gradients against finite differences")
struct GradCheckTests {
    @Test("backward matches central differences", arguments: gradCases.map(\.name))
    func matchesFiniteDifferences(_ name: String) throws {
        let c = try #require(gradCases.first { $0.name == name })
        for issue in gradCheck(c.inputs(), c.f) { Issue.record("\(name): \(issue)") }
    }

    @Test("the checker catches a wrong backward")
    func catchesWrongGradient() {
        // detach() hides one factor from autograd, so backward gives x where d(x*x)/dx = 2x
        #expect(!gradCheck([leaf([3], 199)]) { [$0[0].detach() * $0[0]] }.isEmpty)
    }

    @Test("case names are unique")
    func uniqueNames() {
        #expect(Set(gradCases.map(\.name)).count == gradCases.count)
    }
}
