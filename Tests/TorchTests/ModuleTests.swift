import Foundation
import Testing
@testable import Torch
@testable import swifttorch

/// The fixture written by Tools/golden/module_golden.py.
nonisolated(unsafe) private let fixture: [String: Any] = {
    let url = Bundle.module.url(forResource: "modules", withExtension: "json", subdirectory: "Fixtures")!
    return try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}()

private func floats(_ any: Any?) -> [Float] { (any as! [Double]).map { Float($0) } }

private func expectClose(_ a: [Float], _ b: [Float], tol: Float = 1e-5, _ what: String = "") {
    #expect(a.count == b.count, "\(what): count \(a.count) vs \(b.count)")
    for (x, y) in zip(a, b) where Swift.abs(x - y) > tol * Swift.max(1, Swift.abs(y)) {
        Issue.record("\(what): \(a) vs \(b)")
        return
    }
}

private final class Net: Module, @unchecked Sendable {
    let fc1 = Linear(inFeatures: 4, outFeatures: 5)
    let fc2 = Linear(inFeatures: 5, outFeatures: 3)
    override func forward(_ t: Tensor) -> Tensor { fc2(relu(fc1(t))) }
}

private final class Outer: Module, @unchecked Sendable {
    let body = Sequential(Linear(inFeatures: 2, outFeatures: 3), Tanh())
    let head = Linear(inFeatures: 3, outFeatures: 1)
    let blocks = ModuleList([Identity(), Sigmoid()])
}

private func load(_ module: Module, _ params: [String: Any], shapes: [String: Any]) throws {
    var dict: [String: Tensor] = [:]
    for (k, v) in params {
        dict[k] = Tensor(shape: (shapes[k] as! [Int]), scalars: floats(v))
    }
    try module.loadStateDict(dict)
}

// Hooks mutate process-wide state (global hooks), so these run one at a time.
@Suite(.serialized) struct ModuleTests {
    @Test func walkthroughMatchesPyTorch() throws {
        let url = Bundle.module.url(forResource: "walkthrough", withExtension: "txt", subdirectory: "Fixtures")!
        let expected = try String(contentsOf: url, encoding: .utf8)
            .split(separator: "\n").filter { !$0.hasPrefix(">>>") }.map(String.init)
        var lines: [String] = []
        LinearWalkthrough.run { text in
            if !text.hasPrefix("> ") { lines += text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
        }
        #expect(lines == expected)
    }

    @Test func hookOrderMatchesPyTorch() {
        manualSeed(0)
        let fc = Linear(inFeatures: 3, outFeatures: 2)
        var events: [String] = []
        let g1 = registerModuleForwardPreHook { _, _ in events.append("global_pre"); return nil }
        let g2 = registerModuleForwardHook { _, _, _ in events.append("global_fwd"); return nil }
        defer { g1.remove(); g2.remove() }
        fc.registerForwardPreHook { _, _ in events.append("pre_a"); return nil }
        fc.registerForwardPreHook(prepend: true) { _, _ in events.append("pre_b_prepended"); return nil }
        fc.registerForwardPreHook { _, _ in events.append("pre_removed"); return nil }.remove()
        fc.registerForwardHook { _, _, _ in events.append("fwd_a"); return nil }
        fc.registerForwardHook(prepend: true) { _, _, _ in events.append("fwd_b_prepended"); return nil }
        fc.registerFullBackwardPreHook { _, _ in events.append("bwd_pre"); return nil }
        fc.registerFullBackwardHook { _, _, _ in events.append("bwd_a"); return nil }
        fc.registerFullBackwardHook(prepend: true) { _, _, _ in events.append("bwd_b_prepended"); return nil }
        let x = Tensor.ones([1, 3], requiresGrad: true)
        let y = fc(x)
        events.append("after_call")
        y.sum().backward()
        #expect(events == fixture["hook_order"] as! [String])
        #expect(y.gradFn?.name == fixture["hook_grad_fn"] as? String)
    }

    @Test func hookReplacementsMatchPyTorch() throws {
        let r = fixture["replace"] as! [String: Any]
        let fc = Linear(inFeatures: 3, outFeatures: 2)
        try fc.loadStateDict(["weight": Tensor(shape: [2, 3], scalars: floats(r["weight"])),
                              "bias": Tensor(shape: [2], scalars: floats(r["bias"]))])
        fc.registerForwardPreHook { _, input in input * 2 }
        fc.registerForwardHook { _, _, output in output + 1 }
        fc.registerFullBackwardPreHook { _, gradOutput in [gradOutput[0]! * 3] }
        fc.registerFullBackwardHook { _, gradInput, _ in [gradInput[0]! * 10] }
        let x = Tensor([[1.0, 2.0, 3.0]], requiresGrad: true)
        let y = fc(x)
        y.sum().backward()
        expectClose(y.scalars(as: Float.self), floats(r["y"]), "y")
        expectClose(x.grad!.scalars(as: Float.self), floats(r["x_grad"]), "x.grad")
        expectClose(fc.weight.grad!.scalars(as: Float.self), floats(r["w_grad"]), "weight.grad")
        expectClose(fc.bias!.grad!.scalars(as: Float.self), floats(r["b_grad"]), "bias.grad")
    }

    @Test func backwardHookGradientsOfTwoLayerNetwork() throws {
        let t = fixture["two_layer"] as! [String: Any]
        let net = Net()
        try load(net, t["params"] as! [String: Any], shapes: t["shapes"] as! [String: Any])
        var seen: [(String, [Tensor?], [Tensor?])] = []
        net.fc1.registerFullBackwardHook { _, gi, go in seen.append(("fc1", gi, go)); return nil }
        net.fc2.registerFullBackwardHook { _, gi, go in seen.append(("fc2", gi, go)); return nil }
        let x = Tensor(shape: [2, 4], scalars: floats(t["x"]))
        let y = net(x)
        (y * Tensor.arange(0.0, 6.0).reshape(2, 3)).sum().backward()
        let expected = t["events"] as! [[String: Any]]
        #expect(seen.map(\.0) == expected.map { $0["module"] as! String })
        for (got, want) in zip(seen, expected) {
            let wantIn = want["grad_input"] as! [Any]
            if wantIn[0] is NSNull { #expect(got.1[0] == nil) } else {
                expectClose(got.1[0]!.scalars(as: Float.self), floats(wantIn[0]), "\(got.0) grad_input")
            }
            expectClose(got.2[0]!.scalars(as: Float.self), floats((want["grad_output"] as! [Any])[0]), "\(got.0) grad_output")
        }
    }

    @Test func namesAndReprs() {
        #expect(Net().description == fixture["repr_net"] as! String)
        #expect(Sequential(Linear(inFeatures: 784, outFeatures: 256), ReLU(), Linear(inFeatures: 256, outFeatures: 10, bias: false)).description
            == fixture["repr_seq"] as! String)
        let outer = Outer()
        #expect(outer.description == fixture["repr_outer"] as! String)
        #expect(outer.namedParameters().map(\.name) == fixture["outer_names"] as! [String])
        #expect(outer.namedModules().map(\.name) == fixture["outer_modules"] as! [String])
        #expect(Net().namedParameters().map(\.name) == ["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"])
    }

    @Test func stateDictRoundTripAndErrors() throws {
        let a = Net(), b = Net()
        try b.loadStateDict(a.stateDict())
        for (name, p) in b.namedParameters() { #expect(p.equal(a.stateDict()[name]!)) }
        let bad = Linear(inFeatures: 4, outFeatures: 3)
        let before = bad.weight.clone()
        do {
            try bad.loadStateDict(["weight": Tensor.zeros(3, 5), "extra": Tensor.zeros(1)])
            Issue.record("expected an error")
        } catch let error as StateDictError {
            #expect(error.description == fixture["load_error"] as! String)
        }
        #expect(bad.weight.equal(before))  // nothing half-loaded
    }

    @Test func parameterAssignmentAndModes() {
        let fc = Linear(inFeatures: 4, outFeatures: 3)
        #expect(fc.weight.shape == [3, 4] && fc.weight.requiresGrad)
        let w = Parameter(Tensor.ones(3, 4))
        fc.weight = w
        #expect(fc.parameters()[0] === w)
        let net = Net().eval()
        #expect(net.modules().allSatisfy { !$0.training })
        net.train()
        #expect(net.fc1.training)
        net(Tensor.ones(2, 4)).sum().backward()
        net.zeroGrad()
        #expect(net.parameters().allSatisfy { $0.grad == nil })
        net.requiresGrad_(false)
        #expect(net.parameters().allSatisfy { !$0.requiresGrad })
    }

    @Test func linearGradFnNamesAndInit() {
        let fc = Linear(inFeatures: 4, outFeatures: 3)
        #expect(fc(Tensor.ones(2, 4)).gradFn?.name == "AddmmBackward0")
        #expect(fc(Tensor.ones(4)).gradFn?.name == "ViewBackward0")
        #expect(fc(Tensor.ones(2, 5, 4)).gradFn?.name == "ViewBackward0")
        let nb = Linear(inFeatures: 4, outFeatures: 3, bias: false)
        #expect(nb(Tensor.ones(2, 4)).gradFn?.name == "MmBackward0")
        #expect(nb(Tensor.ones(4)).gradFn?.name == "SqueezeBackward4")
        // init statistics: uniform in ±1/sqrt(fanIn), mean near 0
        let big = Linear(inFeatures: 400, outFeatures: 300)
        let w = big.weight.scalars(as: Float.self)
        let bound = 1 / Float(400).squareRoot()
        #expect(w.allSatisfy { Swift.abs($0) <= bound })
        #expect(Swift.abs(w.reduce(0, +) / Float(w.count)) < bound * 0.02)
        #expect(w.max()! > bound * 0.99 && w.min()! < -bound * 0.99)
    }

    @Test func hooksCostNothingWhenAbsent() {
        let fc = Linear(inFeatures: 4, outFeatures: 3)
        let x = Tensor.ones(4)
        #expect(fc(x).gradFn?.name == "ViewBackward0")  // no BackwardHookFunction node
    }
}
