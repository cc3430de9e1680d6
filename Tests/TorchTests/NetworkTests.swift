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

    /// The SwiftTorch -> PyTorch direction: `swifttorch_model.safetensors` is a checkpoint exactly as
    /// `swifttorch train` writes it; Tools/golden/swifttorch_model_golden.py loads it into PyTorch's
    /// network (strict) and records the logits on a fixed batch.
    @Test func checkpointWrittenBySwiftTorchLoadsInPyTorch() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("st-model-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        // Weights three Adam steps into training (PyTorch's, so they are the same on every platform).
        let steps = try loadSafetensors(from: fixtureURL("network_steps", "safetensors"))
        let trained = Dictionary(uniqueKeysWithValues: steps.compactMap { name, t in
            name.hasPrefix("step2.") ? (String(name.dropFirst(6)), t) : nil
        })
        let net = try withGenerator(Generator(seed: 7)) {
            let net = Network()
            try net.loadStateDict(trained)
            let history = [EpochMetrics(epoch: 1, loss: 0.5, trainAccuracy: 0.8, testAccuracy: 0.81, seconds: 1.5)]
            try Checkpoint.save(to: dir, net: net, optimizer: Adam(net.parameters(), lr: 0.01), epoch: 1, history: history)
            return net
        }
        let written = try Data(contentsOf: dir.appendingPathComponent("model.safetensors"))
        if let out = ProcessInfo.processInfo.environment["SWIFTTORCH_WRITE_FIXTURES"] {
            try written.write(to: URL(fileURLWithPath: out).appendingPathComponent("swifttorch_model.safetensors"))
        }
        // SwiftTorch still writes these very bytes, so what PyTorch read is what `train` saves.
        #expect(written == (try Data(contentsOf: fixtureURL("swifttorch_model", "safetensors"))))

        let fromPyTorch = try loadSafetensors(from: fixtureURL("swifttorch_model_pytorch", "safetensors"))
        let images = steps["images"]!
        let logits = withNoGrad { net(images) }
        let want = fromPyTorch["logits"]!
        #expect(logits.shape == want.shape)
        let worst = zip(logits.scalars(as: Float.self), want.scalars(as: Float.self)).map { Swift.abs($0 - $1) }.max() ?? .infinity
        #expect(worst <= 1e-5, "largest logit difference from PyTorch: \(worst)")  // float32, two convs and three GEMMs
        #expect(logits.argmax(dim: 1).scalars(as: Int64.self) == fromPyTorch["predictions"]!.scalars(as: Int64.self))
    }
}
