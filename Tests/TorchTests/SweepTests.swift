import ArgumentParser
import Foundation
import Testing
@testable import Torch
@testable import TorchVision
@testable import swifttorch

private let dataDir = "/usr/share/datasets/fashion-mnist"
private let hasData = FileManager.default.fileExists(atPath: dataDir + "/train-images-idx3-ubyte.gz")

private func sweepScratchDirectory(_ name: String) -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory() + "swifttorch-\(name)-\(UUID().uuidString)")
}

@Suite struct SweepOptionTests {
    @Test func combinationsFollowItertoolsProduct() throws {
        let sweep = try Sweep.parse(["--lr", "0.01,0.001", "--batch-size", "100,1000", "--shuffle", "true,false"])
        let got = sweep.combinations.map { "\($0.lr)/\($0.batchSize)/\($0.shuffle)" }
        #expect(got == ["0.01/100/true", "0.01/100/false", "0.01/1000/true", "0.01/1000/false",
                        "0.001/100/true", "0.001/100/false", "0.001/1000/true", "0.001/1000/false"])
        let single = try Sweep.parse([])
        #expect(single.combinations == [Sweep.Combination(lr: 0.01, batchSize: 100, shuffle: true)])
        #expect(try Sweep.parse(["--shuffle", "FALSE"]).combinations.map(\.shuffle) == [false])
    }

    @Test func badListsAreRejected() {
        for arguments in [["--lr", "0.01,abc"], ["--shuffle", "maybe"], ["--batch-size", "100,"], ["--lr", "-1"],
                          ["--batch-size", "0"], ["--epochs", "0"]] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try Sweep.parse(arguments) }
        }
    }

    @Test func trainOptionsAreValidated() throws {
        #expect(try Train.parse([]).lrDecay == 0.5)
        #expect(try Train.parse(["--lr-decay", "1"]).lrDecay == 1)
        for arguments in [["--lr-decay", "0"], ["--lr-decay", "1.5"], ["--lr", "0"], ["--epochs", "0"],
                          ["--optimizer", "rmsprop"], ["--threads", "0"]] {
            #expect(throws: (any Error).self, "\(arguments)") { _ = try Train.parse(arguments) }
        }
    }

    @Test func resultsAreRankedByTestAccuracyAndRendered() throws {
        func result(_ run: Int, _ acc: Double) -> SweepResult {
            SweepResult(run: run, directory: "r\(run)", lr: 0.01, batchSize: 100, shuffle: run % 2 == 0, epochs: 1,
                        loss: 0.5, trainAccuracy: 0.8, testAccuracy: acc, runSeconds: 2, epochSeconds: 1)
        }
        let ranked = SweepResult.ranked([result(1, 0.7), result(2, 0.9), result(3, 0.7), result(4, 0.8)])
        #expect(ranked.map(\.run) == [2, 4, 1, 3])
        let table = SweepResult.table(ranked).split(separator: "\n")
        #expect(table.count == 6)
        for header in ["run", "lr", "batch size", "shuffle", "epochs", "loss", "train acc", "test acc", "run time", "epoch duration"] {
            #expect(table[0].contains(header))
        }
        #expect(table[2].hasPrefix("  2"))
        #expect(SweepResult.markdown(ranked).split(separator: "\n").count == 6)
        let decoded = try JSONDecoder().decode([SweepResult].self, from: SweepResult.json(ranked))
        #expect(decoded == ranked)
    }
}

@Suite struct EmbeddedDataTests {
    @Test func fallbackIsTheTestSplitCutInto8000And2000() throws {
        let root = try #require(DataLocation.embeddedRoot, "the swifttorch resource bundle is missing")
        // Nothing anywhere else: resolve falls back to the embedded copy.
        #expect(try DataLocation.resolve(nil, searching: [], environment: [:]) == root)
        #expect(DataLocation.isEmbedded(root))
        #expect(!DataLocation.isEmbedded(URL(fileURLWithPath: dataDir)))

        let (train, test) = try DataLocation.load(root, limit: nil)
        #expect(train.count == 8_000)
        #expect(test.count == 2_000)
        #expect(train.images.shape == [8_000, 28, 28] && train.images.dtype == .uint8)
        #expect(Set(test.labels.scalars(as: Int.self)) == Set(0..<10))
        // The same split every time (a fixed generator, whatever the current one is).
        let again = try withGenerator(Generator(seed: 1)) { try DataLocation.loadEmbedded(root) }
        #expect(again.train.labels.scalars(as: Int64.self) == train.labels.scalars(as: Int64.self))
        #expect(again.test.images.scalars(as: UInt8.self) == test.images.scalars(as: UInt8.self))
        // Together they are the whole test split, each image once.
        let all = try FashionMNIST(root: root, train: false).data
        #expect(all.labels.sum().item(as: Int.self)
                == train.labels.sum().item(as: Int.self) + test.labels.sum().item(as: Int.self))
        #expect(try DataLocation.load(root, limit: 300).train.count == 300)

        let licence = try String(contentsOf: root.appendingPathComponent("LICENSE"), encoding: .utf8)
        #expect(licence.contains("Zalando SE") && licence.contains("MIT License"))
    }
}

/// `swifttorch sweep` end to end on a small subset of the real data.
@Suite(.serialized, .enabled(if: hasData, "needs Debian's dataset-fashion-mnist"))
struct SweepIntegrationTests {
    @Test func sweepTrainsEveryCombinationAndSavesRankedResults() throws {
        let dir = sweepScratchDirectory("sweep")
        let single = sweepScratchDirectory("single")
        defer { try? FileManager.default.removeItem(at: dir); try? FileManager.default.removeItem(at: single) }
        let sweep = try Sweep.parse(["--data", dataDir, "--limit", "300", "--lr", "0.01,0.001", "--batch-size", "100",
                                     "--shuffle", "true,false", "--epochs", "1", "--threads", "1", "--output", dir.path])
        let results = try sweep.sweep()
        #expect(results.count == 4)
        #expect(results == SweepResult.ranked(results))
        #expect(zip(results, results.dropFirst()).allSatisfy { $0.testAccuracy >= $1.testAccuracy })
        #expect(Set(results.map { "\($0.lr)/\($0.shuffle)" }) == ["0.01/true", "0.01/false", "0.001/true", "0.001/false"])
        for r in results {
            #expect(r.runSeconds > 0 && r.epochSeconds > 0 && r.epochs == 1 && r.loss.isFinite)
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(r.directory + "/model.safetensors").path))
        }

        // The three result files, ranked as the printed table.
        let csv = try String(contentsOf: dir.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 5)
        #expect(csv[0].hasPrefix("run,lr,batch_size,shuffle,epochs,loss,train_accuracy,test_accuracy,run_seconds,epoch_seconds"))
        #expect(csv.dropFirst().map { Int($0.split(separator: ",")[0])! } == results.map(\.run))
        let json = try JSONDecoder().decode([SweepResult].self, from: Data(contentsOf: dir.appendingPathComponent("results.json")))
        #expect(json.map(\.run) == results.map(\.run))
        let markdown = try String(contentsOf: dir.appendingPathComponent("results.md"), encoding: .utf8)
        #expect(markdown.hasPrefix("| run | lr | batch size | shuffle | epochs | loss | train acc | test acc |"))
        #expect(markdown.split(separator: "\n").count == 6)

        // Every run starts from the same seed, and --shuffle reaches the DataLoader: run 1 (shuffled)
        // is exactly `train` with the same settings; run 2 (same lr, not shuffled) differs.
        try Train.parse(["--data", dataDir, "--limit", "300", "--epochs", "1", "--batch-size", "100", "--lr", "0.01",
                         "--threads", "1", "--output", single.path]).run()
        func weights(_ url: URL) throws -> [Float] {
            let dict = try loadSafetensors(from: url.appendingPathComponent("model.safetensors"))
            return dict.keys.sorted().flatMap { dict[$0]!.scalars(as: Float.self) }
        }
        let byRun = Dictionary(uniqueKeysWithValues: results.map { ($0.run, dir.appendingPathComponent($0.directory)) })
        #expect(try weights(byRun[1]!) == weights(single))
        #expect(try weights(byRun[2]!) != weights(byRun[1]!))
        #expect(results.first { $0.run == 2 }!.shuffle == false)
    }
}
