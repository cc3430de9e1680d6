import Foundation
import Testing

@testable import Torch

// torch.nn.init after the same seed gives the same bits (fixture "init" section of
// nn_functional.json), plus distribution statistics and autograd hygiene.

private func initCase(_ c: [String: Any]) -> [String] {
    let shape = NNFixture.ints(c["shape"])
    let dtype: DType = c["dtype"] as? String == "float64" ? .float64 : .float32
    let args = c["args"] as? [String: Any] ?? [:]
    func double(_ key: String, _ fallback: Double) -> Double { args[key].map(NNFixture.double) ?? fallback }
    let g = Generator(seed: UInt64(NNFixture.int(c["seed"]) ?? 0))
    // torch rounds differently per CPU build (FMA, avx_mathfun): replay the recorded one
    g.cpuKernel = NNFixture.shared.root["cpuKernel"] as? String == "avx2" ? .avx2 : .generic
    let mode: Init.FanMode = args["mode"] as? String == "fan_out" ? .fanOut : .fanIn
    let nonlinearity = Init.Nonlinearity(named: args["nonlinearity"] as? String ?? "leaky_relu")
    let t = Tensor.empty(shape, dtype: dtype)
    switch c["op"] as? String ?? "" {
    case "kaimingUniform_":
        Init.kaimingUniform_(t, a: double("a", 0), mode: mode, nonlinearity: nonlinearity, generator: g)
    case "kaimingNormal_":
        Init.kaimingNormal_(t, a: double("a", 0), mode: mode, nonlinearity: nonlinearity, generator: g)
    case "xavierUniform_": Init.xavierUniform_(t, gain: double("gain", 1), generator: g)
    case "xavierNormal_": Init.xavierNormal_(t, gain: double("gain", 1), generator: g)
    case "uniform_": Init.uniform_(t, a: double("a", 0), b: double("b", 1), generator: g)
    case "normal_": Init.normal_(t, mean: double("mean", 0), std: double("std", 1), generator: g)
    case "constant_": Init.constant_(t, double("value", 0))
    case "zeros_": Init.zeros_(t)
    case "ones_": Init.ones_(t)
    case "linearLike":
        // Linear.reset_parameters on strided views: weight, then bias, from one generator
        let columns = shape[1]
        Init.kaimingUniform_(t[.all, 0..<(columns - 1)], a: 5.0.squareRoot(), generator: g)
        let bound = 1 / Double(columns - 1).squareRoot()
        Init.uniform_(t[.all, columns - 1], a: -bound, b: bound, generator: g)
    case let op: return ["unknown op \(op)"]
    }
    let got = dtype == .float32 ? t.scalars(as: Float.self).map { String($0.bitPattern) }
        : t.scalars(as: Double.self).map { String($0.bitPattern) }
    let expected = c["bits"] as? [String] ?? []
    guard got != expected else { return [] }
    let first = zip(got, expected).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? -1
    return ["bits differ from torch (first at \(first)): \(t)"]
}

@Suite("nn.init")
struct InitTests {
    @Test("same bits as torch.nn.init after the same seed",
          arguments: (NNFixture.shared.root["init"] as? [[String: Any]] ?? []).map { $0["name"] as! String })
    func bitExact(_ name: String) {
        let c = (NNFixture.shared.root["init"] as! [[String: Any]]).first { $0["name"] as? String == name }!
        let issues = initCase(c)
        #expect(issues.isEmpty, "\(name): \(issues.joined(separator: "; "))")
    }

    @Test("calculateGain equals torch.nn.init.calculate_gain exactly")
    func gains() {
        let gains = NNFixture.shared.root["gains"] as? [[String: Any]] ?? []
        #expect(gains.count >= 10)
        for entry in gains {
            let name = entry["nonlinearity"] as! String
            let param = entry["param"].flatMap { $0 is NSNull ? nil : NNFixture.double($0) }
            #expect(Init.calculateGain(name, param: param) == NNFixture.double(entry["gain"]!), "\(name) \(String(describing: param))")
        }
        #expect(Init.calculateGain(.relu) == 2.0.squareRoot())
        #expect(Init.Nonlinearity(named: "conv_transpose3d") == .convTranspose3d)
    }

    @Test("fan in and fan out count the receptive field")
    func fans() {
        #expect(Init.calculateFanInAndFanOut(Tensor.empty([6, 3, 5, 5])) == (fanIn: 75, fanOut: 150))
        #expect(Init.calculateFanInAndFanOut(Tensor.empty([10, 20])) == (fanIn: 20, fanOut: 10))
    }

    @Test("distributions have the documented bounds and moments")
    func statistics() {
        let g = Generator(seed: 123)
        let w = Tensor.empty([256, 512])
        Init.kaimingUniform_(w, a: 5.0.squareRoot(), generator: g)
        let bound = 3.0.squareRoot() * Init.calculateGain(.leakyRelu, param: 5.0.squareRoot()) / 512.0.squareRoot()
        let v = w.scalars(as: Double.self)
        #expect(v.allSatisfy { Swift.abs($0) <= bound })
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        #expect(Swift.abs(mean) < 0.01 * bound)
        #expect(Swift.abs(variance / (bound * bound / 3) - 1) < 0.02)

        Init.kaimingNormal_(w, mode: .fanOut, nonlinearity: .relu, generator: g)
        let n = w.scalars(as: Double.self)
        let std = (n.map { $0 * $0 }.reduce(0, +) / Double(n.count)).squareRoot()
        #expect(Swift.abs(std / (2.0.squareRoot() / 256.0.squareRoot()) - 1) < 0.02)

        Init.xavierNormal_(w, gain: 2, generator: g)
        let x = w.scalars(as: Double.self)
        let xstd = (x.map { $0 * $0 }.reduce(0, +) / Double(x.count)).squareRoot()
        #expect(Swift.abs(xstd / (2 * (2.0 / 768).squareRoot()) - 1) < 0.02)

        Init.xavierUniform_(w, generator: g)
        let a = 3.0.squareRoot() * (2.0 / 768).squareRoot()
        #expect(w.scalars(as: Double.self).allSatisfy { Swift.abs($0) <= a })
    }

    @Test("initialising a parameter records no graph and keeps it a leaf")
    func noGrad() {
        let p = Tensor.empty([4, 3]).requiresGrad_()
        Init.kaimingUniform_(p, generator: Generator(seed: 1))
        Init.constant_(p, 0.5)
        #expect(p.isLeaf && p.requiresGrad && p.gradFn == nil)
        #expect(p.scalars(as: Float.self).allSatisfy { $0 == 0.5 })
        let empty = Tensor.empty([0, 3])
        #expect(Init.kaimingNormal_(empty) === empty)
    }
}
