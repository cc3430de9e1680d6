import ArgumentParser
import Foundation
import Torch
import TorchVision

/// `swifttorch sweep`: the course's RunBuilder and RunManager. Trains one run per combination of
/// the listed hyperparameters, each from the same seed, and ranks them by test accuracy.
struct Sweep: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train every combination of learning rates, batch sizes and shuffling; rank them by test accuracy.",
        discussion: """
            Combinations run in the order of itertools.product (the last list varies fastest), each \
            from the same seed, each in its own run directory inside the sweep directory. The results \
            table is printed and saved as results.csv, results.json and results.md.
            """)

    @Option(help: "Learning rates, comma-separated.") var lr = CommaSeparated<Double>([0.01])
    @Option(name: .customLong("batch-size"), help: "Batch sizes, comma-separated.") var batchSize = CommaSeparated<Int>([100])
    @Option(help: "Whether to shuffle the training set each epoch: true, false or both (true,false).")
    var shuffle = CommaSeparated<Bool>([true])
    @Option(help: "Passes over the training set in each run.") var epochs = 1
    @Option(help: "adam or sgd.") var optimizer = "adam"
    @Option(help: "Seed each run starts from.") var seed: UInt64 = 50
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Directory with the Fashion-MNIST IDX files.") var data: String?
    @Option(help: "Sweep directory (default runs/sweep-<date-time>).") var output: String?
    @Option(help: "Use only the first N training images (and N/5 test images), for quick runs.") var limit: Int?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard lr.values.allSatisfy({ $0 > 0 }) else { throw ValidationError("--lr values must be positive") }
        guard batchSize.values.allSatisfy({ $0 >= 1 }) else { throw ValidationError("--batch-size values must be at least 1") }
        guard ["adam", "sgd"].contains(optimizer) else { throw ValidationError("--optimizer must be adam or sgd") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1") }
    }

    /// One combination, as RunBuilder's `Run(lr=..., batch_size=..., shuffle=...)`.
    struct Combination: Equatable {
        var lr: Double
        var batchSize: Int
        var shuffle: Bool
    }

    /// Every combination, the last list varying fastest (`itertools.product`).
    var combinations: [Combination] {
        lr.values.flatMap { lr in
            batchSize.values.flatMap { bs in shuffle.values.map { Combination(lr: lr, batchSize: bs, shuffle: $0) } }
        }
    }

    func run() throws {
        try reportingToolErrors { _ = try sweep() }
    }

    /// Runs the sweep and returns the results, best first.
    func sweep() throws -> [SweepResult] {
        if let threads { setNumThreads(threads) }
        let root = try DataLocation.resolve(data)
        let (trainSet, testSet) = try DataLocation.load(root, limit: limit)
        print("data: \(root.path) (\(trainSet.count) training, \(testSet.count) test images)")
        let sweepDir = try RunDirectory.create(output, prefix: "sweep-")
        let runs = combinations
        print("sweep directory: \(sweepDir.path) (\(runs.count) runs)")

        var results: [SweepResult] = []
        for (i, combo) in runs.enumerated() {
            let number = i + 1
            let name = String(format: "%02d", number) + "-lr\(combo.lr)-bs\(combo.batchSize)-"
                + (combo.shuffle ? "shuffle" : "noshuffle")
            let runDir = try RunDirectory.create(sweepDir.appendingPathComponent(name).path)
            print("run \(number)/\(runs.count): lr=\(combo.lr) batch_size=\(combo.batchSize) shuffle=\(combo.shuffle) -> \(runDir.path)")
            let started = Date()
            let history: [EpochMetrics]
            do {
                // A fresh generator with the same seed for every run: the same initial weights and
                // the same random streams (as torch.manual_seed(seed) before each run).
                history = try withGenerator(Generator(seed: seed)) {
                    let net = Network()
                    var training = TrainingRun(
                        net: net, optimizer: TrainingRun.makeOptimizer(optimizer, for: net, lr: combo.lr),
                        trainSet: trainSet, testSet: testSet, runDir: runDir, batchSize: combo.batchSize,
                        shuffle: combo.shuffle, label: "run \(number)/\(runs.count) ")
                    return try training.train(epochs: 1...epochs)
                }
            } catch let stop as TrainingInterrupted {
                if !results.isEmpty { try SweepResult.write(results, to: sweepDir) }
                print("sweep stopped after \(results.count) of \(runs.count) runs")
                throw stop
            }
            let last = history[history.count - 1]
            results.append(SweepResult(
                run: number, directory: name, lr: combo.lr, batchSize: combo.batchSize, shuffle: combo.shuffle,
                epochs: epochs, loss: last.loss, trainAccuracy: last.trainAccuracy, testAccuracy: last.testAccuracy,
                runSeconds: Date().timeIntervalSince(started),
                epochSeconds: history.map(\.seconds).reduce(0, +) / Double(history.count)))
            print(String(format: "run %d: test accuracy %.4f", number, last.testAccuracy))
            // Written after every run, so a stopped sweep keeps what it finished.
            try SweepResult.write(results, to: sweepDir)
        }
        let ranked = SweepResult.ranked(results)
        print("")
        print(SweepResult.table(ranked))
        print("results: \(sweepDir.path)/results.{csv,json,md}")
        return ranked
    }
}

/// A comma-separated list on the command line: `--lr 0.01,0.001`.
struct CommaSeparated<Value: LosslessStringConvertible>: ExpressibleByArgument {
    var values: [Value]

    init(_ values: [Value]) { self.values = values }

    init?(argument: String) {
        var values: [Value] = []
        for part in argument.split(separator: ",", omittingEmptySubsequences: false) {
            let text = part.trimmingCharacters(in: .whitespaces)
            guard let value = Value(Value.self == Bool.self ? text.lowercased() : text) else { return nil }
            values.append(value)
        }
        guard !values.isEmpty else { return nil }
        self.values = values
    }

    var defaultValueDescription: String { values.map(\.description).joined(separator: ",") }
}

/// One finished run of a sweep: its hyperparameters and final numbers, a row of the results table.
struct SweepResult: Codable, Equatable {
    var run: Int
    /// The run directory's name inside the sweep directory.
    var directory: String
    var lr: Double
    var batchSize: Int
    var shuffle: Bool
    var epochs: Int
    /// Mean training loss of the last epoch.
    var loss: Double
    var trainAccuracy: Double
    var testAccuracy: Double
    /// Wall time of the whole run, from building the network to the last checkpoint.
    var runSeconds: Double
    /// Mean wall time of one epoch (training and evaluation).
    var epochSeconds: Double

    enum CodingKeys: String, CodingKey {
        case run, directory, lr, batchSize = "batch_size", shuffle, epochs, loss, trainAccuracy = "train_accuracy"
        case testAccuracy = "test_accuracy", runSeconds = "run_seconds", epochSeconds = "epoch_seconds"
    }

    /// Best test accuracy first; ties keep run order.
    static func ranked(_ results: [SweepResult]) -> [SweepResult] {
        results.sorted { $0.testAccuracy != $1.testAccuracy ? $0.testAccuracy > $1.testAccuracy : $0.run < $1.run }
    }

    static let headers = ["run", "lr", "batch size", "shuffle", "epochs", "loss", "train acc", "test acc",
                          "run time (s)", "epoch duration (s)"]

    var cells: [String] {
        ["\(run)", "\(lr)", "\(batchSize)", "\(shuffle)", "\(epochs)", String(format: "%.4f", loss),
         String(format: "%.4f", trainAccuracy), String(format: "%.4f", testAccuracy),
         String(format: "%.1f", runSeconds), String(format: "%.1f", epochSeconds)]
    }

    /// The results as an aligned text table (numbers right-aligned).
    static func table(_ results: [SweepResult]) -> String {
        let rows = results.map(\.cells)
        let widths = headers.indices.map { c in ([headers[c]] + rows.map { $0[c] }).map(\.count).max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.indices.map { String(repeating: " ", count: widths[$0] - cells[$0].count) + cells[$0] }
                .joined(separator: "  ")
        }
        return ([line(headers), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")]
                + rows.map(line)).joined(separator: "\n")
    }

    static func markdown(_ results: [SweepResult]) -> String {
        (["| " + headers.joined(separator: " | ") + " |",
          "|" + headers.map { _ in "---:|" }.joined()]
         + results.map { "| " + $0.cells.joined(separator: " | ") + " |" }).joined(separator: "\n") + "\n"
    }

    static func csv(_ results: [SweepResult]) -> String {
        (["run,lr,batch_size,shuffle,epochs,loss,train_accuracy,test_accuracy,run_seconds,epoch_seconds,directory"]
         + results.map { r in
             "\(r.run),\(r.lr),\(r.batchSize),\(r.shuffle),\(r.epochs),\(r.loss),\(r.trainAccuracy),"
                 + "\(r.testAccuracy),\(r.runSeconds),\(r.epochSeconds),\(r.directory)"
         }).joined(separator: "\n") + "\n"
    }

    static func json(_ results: [SweepResult]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(results)
    }

    /// Writes results.csv, results.json and results.md (ranked) into the sweep directory, each atomically.
    static func write(_ results: [SweepResult], to dir: URL) throws {
        let ranked = ranked(results)
        let files: [(String, Data)] = [("results.csv", Data(csv(ranked).utf8)), ("results.json", try json(ranked)),
                                       ("results.md", Data(markdown(ranked).utf8))]
        for (name, data) in files {
            let url = dir.appendingPathComponent(name)
            do {
                try data.write(to: url, options: .atomic)
            } catch {
                throw ToolError(description: "cannot write \(url.path): \(error.localizedDescription)")
            }
        }
    }
}
