import Foundation
import Testing
@testable import Torch
@testable import swifttorch

private func fixtureURL(_ name: String, _ ext: String) -> URL {
    Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures")!
}

/// The course network end to end against Tools/golden/network_golden.py.
@Suite(.serialized) struct NetworkTests {
    @Test func initialisationAfterSeed50IsBitIdenticalToPyTorch() throws {
        let expected = try loadSafetensors(from: fixtureURL("network_seed50", "safetensors"))
        let net = withGenerator(Generator(seed: 50)) { Network() }
        let state = net.stateDict()
        #expect(Set(state.keys) == Set(expected.keys))
        for (name, want) in expected {
            let got = try #require(state[name])
            #expect(got.shape == want.shape, "\(name)")
            let a = got.scalars(as: Float.self).map(\.bitPattern), b = want.scalars(as: Float.self).map(\.bitPattern)
            #expect(a == b, "\(name) differs from PyTorch's bits")
        }
        #expect(net.description == (try String(contentsOf: fixtureURL("network_repr", "txt"), encoding: .utf8)))
    }

    @Test func lossAndThreeAdamStepsMatchPyTorch() throws {
        let weights = try loadSafetensors(from: fixtureURL("network_seed50", "safetensors"))
        let steps = try loadSafetensors(from: fixtureURL("network_steps", "safetensors"))
        let net = Network()
        try net.loadStateDict(weights)
        let opt = Adam(net.parameters(), lr: 0.01)
        let images = steps["images"]!, labels = steps["labels"]!
        for step in 0..<3 {
            let loss = crossEntropy(net(images), labels)
            let want = steps["loss\(step)"]!.item()
            // float32 through two convolutions and three GEMMs: 1e-5 relative
            #expect(Swift.abs(loss.item() - want) <= 1e-5 * Swift.abs(want), "step \(step): \(loss.item()) vs \(want)")
            opt.zeroGrad()
            loss.backward()
            opt.step()
            for (name, p) in net.namedParameters() {
                let got = p.scalars(as: Float.self), w = steps["step\(step).\(name)"]!.scalars(as: Float.self)
                let worst = zip(got, w).map { Swift.abs($0 - $1) / Swift.max(Swift.abs($1), 1e-3) }.max() ?? 0
                #expect(worst <= 1e-4, "step \(step) \(name): relative error \(worst)")
            }
        }
    }
}
