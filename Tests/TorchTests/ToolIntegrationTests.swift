import Foundation
import Testing
@testable import Torch
@testable import swifttorch

private let dataDir = "/usr/share/datasets/fashion-mnist"
private let hasData = FileManager.default.fileExists(atPath: dataDir + "/train-images-idx3-ubyte.gz")

private func tempDir(_ name: String) -> String {
    let path = NSTemporaryDirectory() + "swifttorch-\(name)-\(UUID().uuidString)"
    return path
}

/// `swifttorch train/evaluate` end to end on a small subset of the real data (debug build).
@Suite(.serialized, .enabled(if: hasData, "needs Debian's dataset-fashion-mnist"))
struct ToolIntegrationTests {
    @Test func trainWritesRunDirectoryAndResumesExactly() throws {
        let straight = tempDir("straight"), resumed = tempDir("resumed")
        defer { try? FileManager.default.removeItem(atPath: straight); try? FileManager.default.removeItem(atPath: resumed) }
        let common = ["--data", dataDir, "--limit", "400", "--batch-size", "50", "--threads", "1"]
        try Train.parse(common + ["--epochs", "2", "--output", straight]).run()
        for file in ["model.safetensors", "optimizer.safetensors", "metrics.csv"] {
            #expect(FileManager.default.fileExists(atPath: straight + "/" + file), "\(file) missing")
        }
        let csv = try String(contentsOfFile: straight + "/metrics.csv", encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)  // header + 2 epochs

        try Train.parse(common + ["--epochs", "1", "--output", resumed]).run()
        try Train.parse(common + ["--epochs", "1", "--resume", resumed]).run()
        let a = try loadSafetensors(from: URL(fileURLWithPath: straight + "/model.safetensors"))
        let b = try loadSafetensors(from: URL(fileURLWithPath: resumed + "/model.safetensors"))
        for (name, t) in a {
            #expect(t.scalars(as: Float.self) == b[name]!.scalars(as: Float.self), "\(name) differs after resume")
        }
        // The saved names are PyTorch's state-dict names.
        #expect(Set(a.keys) == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                                "fc2.weight", "fc2.bias", "out.weight", "out.bias"])

        let net = Network()
        let opt = Adam(net.parameters(), lr: 0.01)
        _ = try Checkpoint.load(from: URL(fileURLWithPath: straight), into: net, optimizer: opt)
        // --lr-decay 0.5 (the default): epoch 2 trained at half the first epoch's rate.
        #expect(opt.paramGroups[0].lr == 0.005)
        let (_, test) = try DataLocation.load(URL(fileURLWithPath: dataDir), limit: 400)
        let report = Evaluate.report(Evaluation.run(net, on: test))
        #expect(report.hasPrefix("test accuracy: "))
        #expect(report.contains("Ankle boot"))
    }

    @Test func corruptCheckpointIsAThrownErrorNamingTheFile() throws {
        let dir = tempDir("corrupt")
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data([1, 2, 3, 4, 5, 6, 7, 8, 9]).write(to: URL(fileURLWithPath: dir + "/model.safetensors"))
        do {
            _ = try Checkpoint.load(from: URL(fileURLWithPath: dir), into: Network(), optimizer: nil)
            Issue.record("expected an error")
        } catch {
            #expect("\(error)".contains("model.safetensors"))
        }
    }
}
