import Foundation
import Testing

@testable import Torch

// Replays Fixtures/nn_functional.json (written by Tools/golden/nn_functional_golden.py):
// outputs, grad_fn names and the gradients of every input after output.backward(gradOutput)
// for conv2d, pooling, batch norm, softmax, activations, losses and dropout.
// Tolerances: float32 rtol 1e-4 / atol 1e-5 (PyTorch sums in other orders, e.g. oneDNN
// convolution); float64 rtol 1e-9 / atol 1e-12. Dropout outputs must match bit for bit.

/// A JSON value decoded with JSONDecoder, whose number parsing is correctly rounded
/// (JSONSerialization on Linux is off by an ulp for some 17-digit doubles).
private enum FixtureJSON: Decodable {
    case null, bool(Bool), number(Double), string(String), array([FixtureJSON]), object([String: FixtureJSON])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() { self = .null }
        else if let b = try? c.decode(Bool.self) { self = .bool(b) }
        else if let d = try? c.decode(Double.self) { self = .number(d) }
        else if let s = try? c.decode(String.self) { self = .string(s) }
        else if let a = try? c.decode([FixtureJSON].self) { self = .array(a) }
        else { self = .object(try c.decode([String: FixtureJSON].self)) }
    }

    /// As Foundation values: Double, Bool, String, [Any], [String: Any], NSNull.
    var any: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let d): return d
        case .string(let s): return s
        case .array(let a): return a.map(\.any)
        case .object(let o): return o.mapValues(\.any)
        }
    }
}

/// The parsed fixture, loaded once.
final class NNFixture: @unchecked Sendable {
    static let shared = NNFixture()
    let root: [String: Any]

    private init() {
        let url = Bundle.module.url(forResource: "nn_functional", withExtension: "json", subdirectory: "Fixtures")!
        root = try! JSONDecoder().decode(FixtureJSON.self, from: Data(contentsOf: url)).any as! [String: Any]
    }

    var cases: [[String: Any]] { root["cases"] as? [[String: Any]] ?? [] }
    func cases(_ ops: Set<String>) -> [[String: Any]] { cases.filter { ops.contains($0["op"] as? String ?? "") } }

    /// A fixture number: JSON numbers, or "nan" / "inf" / "-inf".
    static func double(_ any: Any) -> Double {
        if let d = any as? Double { return d }
        switch any as? String {
        case "nan": return .nan
        case "inf": return .infinity
        case "-inf": return -.infinity
        default: return .nan
        }
    }

    static func int(_ any: Any?) -> Int? { (any as? Double).map { Int($0) } }
    static func ints(_ any: Any?) -> [Int] { (any as? [Any])?.map { Int(double($0)) } ?? [] }

    /// A fixture tensor {"shape", "dtype", "data"} as a fresh leaf.
    static func tensor(_ any: Any?) -> Tensor? {
        guard let dict = any as? [String: Any], let data = dict["data"] as? [Any],
              let dtype = dict["dtype"] as? String else { return nil }
        let shape = ints(dict["shape"]), values = data.map(double)
        switch dtype {
        case "float32": return Tensor(shape: shape, scalars: values.map { Float($0) })
        case "float64": return Tensor(shape: shape, scalars: values)
        default: return Tensor(shape: shape, scalars: values.map { Int64($0) })
        }
    }
}

/// The first element where `actual` and `expected` differ beyond the dtype's tolerance.
func nnMismatch(_ actual: Tensor?, _ expected: Tensor, _ what: String) -> String? {
    guard let actual else { return "\(what): missing" }
    if actual.shape != expected.shape { return "\(what): shape \(actual.shape), expected \(expected.shape)" }
    if actual.dtype != expected.dtype { return "\(what): dtype \(actual.dtype), expected \(expected.dtype)" }
    let (rtol, atol) = expected.dtype == .float64 ? (1e-9, 1e-12) : (1e-4, 1e-5)
    let a = actual.scalars(as: Double.self), e = expected.scalars(as: Double.self)
    for i in 0..<a.count {
        let same = a[i] == e[i] || (a[i].isNaN && e[i].isNaN)
            || (e[i].isFinite && Swift.abs(a[i] - e[i]) <= atol + rtol * Swift.abs(e[i]))
        if !same { return "\(what): element \(i) is \(a[i]), expected \(e[i])" }
    }
    return nil
}

/// Calls the Swift spelling of the case's op.
private func runOp(_ c: [String: Any], _ inputs: [String: Tensor]) -> Tensor {
    let args = c["args"] as? [String: Any] ?? [:]
    let x = inputs["input"]!
    func double(_ key: String, _ fallback: Double) -> Double { args[key].map(NNFixture.double) ?? fallback }
    func bool(_ key: String) -> Bool { args[key] as? Bool ?? false }
    var reduction: Reduction {
        switch args["reduction"] as? String {
        case "none": return .none
        case "sum": return .sum
        default: return .mean
        }
    }
    switch c["op"] as? String ?? "" {
    case "conv2d":
        let padding = (args["padding"] as? String).map { $0.conv2dPadding } ?? .explicit(NNFixture.ints(args["padding"]))
        return conv2d(x, weight: inputs["weight"]!, bias: inputs["bias"], stride: NNFixture.ints(args["stride"]),
                      padding: padding, dilation: NNFixture.ints(args["dilation"]), groups: NNFixture.int(args["groups"]) ?? 1)
    case "maxPool2d":
        return maxPool2d(x, kernelSize: NNFixture.ints(args["kernelSize"]), stride: NNFixture.ints(args["stride"]),
                         padding: NNFixture.ints(args["padding"]), dilation: NNFixture.ints(args["dilation"]),
                         ceilMode: bool("ceilMode"))
    case "avgPool2d":
        return avgPool2d(x, kernelSize: NNFixture.ints(args["kernelSize"]), stride: NNFixture.ints(args["stride"]),
                         padding: NNFixture.ints(args["padding"]), ceilMode: bool("ceilMode"),
                         countIncludePad: bool("countIncludePad"), divisorOverride: NNFixture.int(args["divisorOverride"]))
    case "adaptiveAvgPool2d":
        return adaptiveAvgPool2d(x, outputSize: NNFixture.ints(args["outputSize"]))
    case "batchNorm":
        return batchNorm(x, runningMean: inputs["runningMean"], runningVar: inputs["runningVar"], weight: inputs["weight"],
                         bias: inputs["bias"], training: bool("training"), momentum: double("momentum", 0.1),
                         eps: double("eps", 1e-5))
    case "softmax": return softmax(x, dim: NNFixture.int(args["dim"]) ?? -1)
    case "logSoftmax": return logSoftmax(x, dim: NNFixture.int(args["dim"]) ?? -1)
    case "leakyRelu": return leakyRelu(x, negativeSlope: double("negativeSlope", 0.01))
    case "gelu": return gelu(x, approximate: args["approximate"] as? String ?? "none")
    case "silu": return silu(x)
    case "hardtanh": return hardtanh(x, minVal: double("minVal", -1), maxVal: double("maxVal", 1))
    case "dropout":
        let seed = UInt64(NNFixture.int(args["seed"]) ?? 0)
        return dropout(x, p: double("p", 0.5), generator: Generator(seed: seed))
    case "crossEntropy":
        return crossEntropy(x, inputs["target"]!, weight: inputs["weight"], ignoreIndex: NNFixture.int(args["ignoreIndex"]) ?? -100,
                            reduction: reduction, labelSmoothing: double("labelSmoothing", 0))
    case "nllLoss":
        return nllLoss(x, inputs["target"]!, weight: inputs["weight"], ignoreIndex: NNFixture.int(args["ignoreIndex"]) ?? -100,
                       reduction: reduction)
    case "mseLoss": return mseLoss(x, inputs["target"]!, reduction: reduction)
    case "l1Loss": return l1Loss(x, inputs["target"]!, reduction: reduction)
    case "binaryCrossEntropy":
        return binaryCrossEntropy(x, inputs["target"]!, weight: inputs["weight"], reduction: reduction)
    case "binaryCrossEntropyWithLogits":
        return binaryCrossEntropyWithLogits(x, inputs["target"]!, weight: inputs["weight"], posWeight: inputs["posWeight"],
                                            reduction: reduction)
    case let op:
        fatalError("unknown op \(op)")
    }
}

/// Runs one case and lists every difference from PyTorch.
private func check(_ c: [String: Any]) -> [String] {
    var issues: [String] = []
    let gradKeys = Set((c["grads"] as? [String: Any])?.keys.map { $0 } ?? [])
    var inputs: [String: Tensor] = [:]
    for (key, value) in c["inputs"] as? [String: Any] ?? [:] {
        let t = NNFixture.tensor(value)!
        if gradKeys.contains(key) { t.requiresGrad_() }
        inputs[key] = t
    }
    let out = runOp(c, inputs)
    if let m = nnMismatch(out, NNFixture.tensor(c["output"])!, "output") { issues.append(m) }
    // Composite losses divide by a Python number (DivBackward1); Swift has one division node.
    if let name = c["gradFn"] as? String, name != "DivBackward1", out.gradFn?.name != name {
        issues.append("grad_fn \(out.gradFn?.name ?? "nil"), expected \(name)")
    }
    if let indices = NNFixture.tensor(c["indices"]) {
        let args = c["args"] as? [String: Any] ?? [:]
        let (_, got) = maxPool2dWithIndices(inputs["input"]!.detach(), kernelSize: NNFixture.ints(args["kernelSize"]),
                                            stride: NNFixture.ints(args["stride"]), padding: NNFixture.ints(args["padding"]),
                                            dilation: NNFixture.ints(args["dilation"]), ceilMode: args["ceilMode"] as? Bool ?? false)
        if got.scalars(as: Int64.self) != indices.scalars(as: Int64.self) { issues.append("indices \(got) vs \(indices)") }
    }
    for key in ["runningMean", "runningVar"] {
        if let expected = NNFixture.tensor(c[key + "After"]), let m = nnMismatch(inputs[key], expected, key) {
            issues.append(m)
        }
    }
    if let bits = c["outputBits"] as? [String] {
        let got = out.dtype == .float32 ? out.scalars(as: Float.self).map { String($0.bitPattern) }
            : out.scalars(as: Double.self).map { String($0.bitPattern) }
        if got != bits { issues.append("output bits differ from torch: \(out)") }
    }
    if let g = NNFixture.tensor(c["gradOutput"]) {
        out.backward(gradient: g)
        for (key, value) in c["grads"] as? [String: Any] ?? [:] {
            if let m = nnMismatch(inputs[key]?.grad, NNFixture.tensor(value)!, "grad \(key)") { issues.append(m) }
        }
    }
    return issues
}

private func names(_ ops: Set<String>) -> [String] { NNFixture.shared.cases(ops).map { $0["name"] as! String } }

private func run(_ name: String) {
    guard let c = NNFixture.shared.cases.first(where: { $0["name"] as? String == name }) else {
        Issue.record("no case \(name)")
        return
    }
    let issues = check(c)
    #expect(issues.isEmpty, "\(name): \(issues.joined(separator: "; "))")
}

@Suite("nn.functional against PyTorch")
struct NNFunctionalTests {
    @Test("conv2d", arguments: names(["conv2d"]))
    func convolution(_ name: String) { run(name) }

    @Test("pooling", arguments: names(["maxPool2d", "avgPool2d", "adaptiveAvgPool2d"]))
    func pooling(_ name: String) { run(name) }

    @Test("batch norm, with running statistics after the step", arguments: names(["batchNorm"]))
    func normalization(_ name: String) { run(name) }

    @Test("softmax, log-softmax and pointwise activations",
          arguments: names(["softmax", "logSoftmax", "leakyRelu", "gelu", "silu", "hardtanh"]))
    func activations(_ name: String) { run(name) }

    @Test("dropout masks after the same seed, bit for bit", arguments: names(["dropout"]))
    func dropoutMasks(_ name: String) { run(name) }

    @Test("losses", arguments: names(["crossEntropy", "nllLoss", "mseLoss", "l1Loss", "binaryCrossEntropy",
                                      "binaryCrossEntropyWithLogits"]))
    func losses(_ name: String) { run(name) }

    @Test("the fixture covers every op")
    func coverage() {
        #expect(NNFixture.shared.cases.count >= 100)
    }

    @Test("argument spellings: Int, [Int], tuples, strings and nil stride agree")
    func argumentSpellings() {
        let g = Generator(seed: 1)
        let x = Tensor.randn([2, 4, 9, 9], generator: g), w = Tensor.randn([6, 2, 3, 3], generator: g)
        let a = conv2d(x, weight: w, stride: 2, padding: 1, dilation: 1, groups: 2)
        let b = conv2d(x, weight: w, stride: [2, 2], padding: [1, 1], dilation: [1], groups: 2)
        let c = conv2d(x, weight: w, stride: (2, 2), padding: (1, 1), groups: 2)
        #expect(a.equal(b) && a.equal(c))
        let same = conv2d(x, weight: w, padding: "same", groups: 2)
        #expect(same.shape == [2, 6, 9, 9])
        #expect(conv2d(x, weight: w, padding: "valid", groups: 2).equal(conv2d(x, weight: w, groups: 2)))
        let p1 = maxPool2d(x, kernelSize: 2), p2 = maxPool2d(x, kernelSize: [2, 2], stride: 2), p3 = maxPool2d(x, kernelSize: (2, 2))
        #expect(p1.equal(p2) && p1.equal(p3) && p1.shape == [2, 4, 4, 4])
        let nilStride: Int? = nil
        #expect(avgPool2d(x, kernelSize: 3, stride: nilStride).equal(avgPool2d(x, kernelSize: (3, 3), stride: (3, 3))))
        #expect(adaptiveAvgPool2d(x, outputSize: (3, 3)).equal(avgPool2d(x, kernelSize: 3)))
    }

    @Test("conv2d without grad keeps no graph; unbatched input squeezes as PyTorch")
    func convGraph() {
        let x = Tensor.randn([3, 6, 6], generator: Generator(seed: 2))
        let w = Tensor.randn([4, 3, 3, 3], generator: Generator(seed: 3), requiresGrad: true)
        let y = conv2d(x, weight: w, padding: 1)
        #expect(y.shape == [4, 6, 6] && y.gradFn?.name == "SqueezeBackward1")
        let z = withNoGrad { conv2d(x.unsqueeze(0), weight: w) }
        #expect(z.gradFn == nil && !z.requiresGrad)
    }

    @Test("threaded conv2d (batch split across threads) equals image-by-image results")
    func convThreads() {
        let g = Generator(seed: 4)
        let x = Tensor.randn([16, 3, 16, 16], generator: g)
        let w = Tensor.randn([8, 3, 3, 3], generator: g, requiresGrad: true)
        let b = Tensor.randn([8], generator: g, requiresGrad: true)
        let geo = Conv2dGeometry(batch: 16, inChannels: 3, height: 16, width: 16, outChannels: 8, kernelH: 3, kernelW: 3,
                                 strideH: 1, strideW: 1, padH: 1, padW: 1, dilationH: 1, dilationW: 1, groups: 1)
        #expect(geo.imageChunks == Swift.min(getNumThreads(), 16))
        let y = conv2d(x, weight: w, bias: b, padding: 1)
        let gy = Tensor.randn(y.shape, generator: g)
        y.backward(gradient: gy)
        let gw = w.grad!, gb = b.grad!
        w.grad = nil; b.grad = nil
        for n in 0..<16 {
            let yn = conv2d(x[n..<(n + 1)], weight: w, bias: b, padding: 1)
            #expect(nnMismatch(yn, y[n..<(n + 1)].contiguous(), "image \(n)") == nil)
            yn.backward(gradient: gy[n..<(n + 1)].contiguous())
        }
        #expect(nnMismatch(w.grad, gw, "weight grad") == nil)
        #expect(nnMismatch(b.grad, gb, "bias grad") == nil)
    }

    @Test("2x2 stride-2 max pool (the vector path) keeps the general rule: first max on ties, last NaN, -inf",
          arguments: [(6, 8), (7, 11), (24, 24), (2, 10), (3, 2)])
    func maxPool2x2FastPath(height: Int, width: Int) {
        let g = Generator(seed: UInt64(height * 100 + width))
        // Few distinct values, so ties are everywhere; some NaN and -inf.
        let palette: [Double] = [0, 1, 2, -1, .nan, -.infinity, 1, 2]
        let count = 3 * 2 * height * width
        let picks = Tensor.randint(0, palette.count, [count], generator: g).scalars(as: Int64.self)
        let values = picks.map { palette[Int($0)] }
        let outH = height / 2, outW = width / 2
        for dtype in [DType.float32, .float64] {
            let x = Tensor(shape: [3, 2, height, width], scalars: values).to(dtype)
            let (y, idx) = maxPool2dWithIndices(x, kernelSize: 2, stride: 2)
            let got = y.to(.float64).scalars(as: Double.self), gotIdx = idx.scalars(as: Int64.self)
            for p in 0..<6 {
                for oh in 0..<outH {
                    for ow in 0..<outW {
                        var best = -Double.infinity, at = (2 * oh) * width + 2 * ow
                        for ih in (2 * oh)..<(2 * oh + 2) {
                            for iw in (2 * ow)..<(2 * ow + 2) {
                                let v = values[p * height * width + ih * width + iw]
                                if v > best || v.isNaN { best = v; at = ih * width + iw }
                            }
                        }
                        let o = (p * outH + oh) * outW + ow
                        #expect(got[o].bitPattern == best.bitPattern || (got[o].isNaN && best.isNaN),
                                "\(dtype) plane \(p) (\(oh), \(ow)): \(got[o]) vs \(best)")
                        #expect(gotIdx[o] == Int64(at), "\(dtype) plane \(p) (\(oh), \(ow)) index")
                    }
                }
            }
        }
    }

    @Test("conv2d forward and gradients have the same bits on 1 and 2 threads")
    func convThreadCountInvariance() {
        let g = Generator(seed: 12)
        let x = Tensor.randn([100, 6, 12, 12], generator: g)  // the course network's conv2
        let w = Tensor.randn([12, 6, 5, 5], generator: g), b = Tensor.randn([12], generator: g)
        let gy = Tensor.randn([100, 12, 8, 8], generator: g)
        func run(threads: Int) -> [[Float]] {
            let saved = getNumThreads()
            setNumThreads(threads)
            defer { setNumThreads(saved) }
            let xi = x.detach().requiresGrad_(), wi = w.detach().requiresGrad_(), bi = b.detach().requiresGrad_()
            let y = conv2d(xi, weight: wi, bias: bi)
            y.backward(gradient: gy)
            return [y, xi.grad!, wi.grad!, bi.grad!].map { $0.scalars(as: Float.self) }
        }
        let one = run(threads: 1), two = run(threads: 2)
        for (name, (a, b)) in zip(["output", "input grad", "weight grad", "bias grad"], zip(one, two)) {
            #expect(a.map(\.bitPattern) == b.map(\.bitPattern), "\(name) differs between 1 and 2 threads")
        }
    }

    @Test("dropout: identity when not training or p == 0, zeros when p == 1")
    func dropoutEdges() {
        let x = Tensor.randn([5], requiresGrad: true)
        #expect(dropout(x, p: 0.5, training: false) === x)
        #expect(dropout(x, p: 0) === x)
        let zero = dropout(x, p: 1)
        #expect(zero.scalars(as: Float.self) == [0, 0, 0, 0, 0] && zero.gradFn?.name == "MulBackward0")
    }

    @Test("softmax and log-softmax stay finite for huge logits")
    func stableSoftmax() {
        let x = Tensor([[1e30, 0, -1e30], [3e38, 3e38, 1]] as [[Double]])
        #expect(softmax(x, dim: 1).scalars(as: Float.self) == [1, 0, 0, 0.5, 0.5, 0])
        let l = logSoftmax(x, dim: 1).scalars(as: Float.self)
        #expect(l[0] == 0 && l[1] == -1e30 && Swift.abs(l[3] + 0.6931472) < 1e-6)
        let loss = crossEntropy(Tensor([[1e4, -1e4]]), Tensor([1]))
        #expect(loss.item() == 2e4)
    }
}

/// Checks the stderr of an exit test for PyTorch's message.
private func expectTorchMessage(_ result: ExitTest.Result?, _ message: String,
                                sourceLocation: SourceLocation = #_sourceLocation) {
    guard let result else { return }  // the exit expectation itself already failed
    let text = String(decoding: result.standardErrorContent, as: UTF8.self)
    #expect(text.contains(message), "stderr was: \(text)", sourceLocation: sourceLocation)
}

// Misuse traps with PyTorch's message (each case runs in a child process).
@Suite("nn.functional error messages match PyTorch")
struct NNFunctionalErrorTests {
    @Test func convChannels() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 1, 28, 28), weight: Tensor.zeros(6, 2, 5, 5))
        }
        expectTorchMessage(r, "Given groups=1, weight of size [6, 2, 5, 5], expected input[1, 1, 28, 28] to have 2 channels, but got 1 channels instead")
    }

    @Test func convKernelTooLarge() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 1, 3, 3), weight: Tensor.zeros(6, 1, 5, 5))
        }
        expectTorchMessage(r, "Calculated padded input size per channel: (3 x 3). Kernel size: (5 x 5). Kernel size can't be greater than actual input size")
    }

    @Test func convPaddingString() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 4, 8, 8), weight: Tensor.zeros(6, 4, 3, 3), stride: 2, padding: "same")
        }
        expectTorchMessage(r, "padding='same' is not supported for strided convolutions")
    }

    @Test func convBias() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = conv2d(Tensor.zeros(1, 4, 8, 8), weight: Tensor.zeros(6, 2, 3, 3), bias: Tensor.zeros(5), groups: 2)
        }
        expectTorchMessage(r, "Given weight of size [6, 2, 3, 3], expected bias to be 1-dimensional with 6 elements, but got bias of size [5] instead")
    }

    @Test func poolOutputTooSmall() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = maxPool2d(Tensor.zeros(1, 1, 2, 2), kernelSize: 3)
        }
        expectTorchMessage(r, "Given input size: (1x2x2). Calculated output size: (1x0x0). Output size is too small")
    }

    @Test func poolPadding() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = avgPool2d(Tensor.zeros(1, 1, 4, 4), kernelSize: 3, padding: 2)
        }
        expectTorchMessage(r, "pad should be at most half of effective kernel size, but got pad=2, kernel_size=3 and dilation=1")
    }

    @Test func targetOutOfBounds() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros(3, 5), Tensor([0, 5, 1]))
        }
        expectTorchMessage(r, "Target 5 is out of bounds.")
    }

    @Test func batchSizeMismatch() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros(3, 5), Tensor([0, 1]))
        }
        expectTorchMessage(r, "Expected input batch_size (3) to match target batch_size (2).")
    }

    @Test func probabilityTargetType() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = crossEntropy(Tensor.zeros(3, 5), Tensor.zeros([3, 5], dtype: .int64))
        }
        expectTorchMessage(r, "Expected floating point type for target with class probabilities, got Long")
    }

    @Test func bceTargetSize() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = binaryCrossEntropy(Tensor.zeros(3), Tensor.zeros(3, 1))
        }
        expectTorchMessage(r, "Using a target size (torch.Size([3, 1])) that is different to the input size (torch.Size([3])) is deprecated. Please ensure they have the same size.")
    }

    @Test func batchNormSingleValue() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = batchNorm(Tensor.zeros(1, 3), runningMean: nil, runningVar: nil, training: true)
        }
        expectTorchMessage(r, "Expected more than 1 value per channel when training, got input size torch.Size([1, 3])")
    }

    @Test func fanOfVector() async {
        let r = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            Init.kaimingUniform_(Tensor.empty([3]))
        }
        expectTorchMessage(r, "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    }
}
