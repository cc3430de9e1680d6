import ArgumentParser
import Foundation
import Torch
import TorchVision
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train the course CNN on Fashion-MNIST.")

    @Option(help: "Passes over the training set.") var epochs = 1
    @Option(name: .customLong("batch-size"), help: "Images per batch.") var batchSize = 100
    @Option(help: "Learning rate of the first epoch.") var lr = 0.01
    @Option(name: .customLong("lr-decay"),
            help: "Factor on the learning rate after each epoch (StepLR, step 1); 1 keeps it constant.")
    var lrDecay = 0.5
    @Option(help: "adam or sgd.") var optimizer = "adam"
    @Option(help: "Seed of the default generator (PyTorch-identical streams).") var seed: UInt64 = 50
    @Option(help: "Threads for the kernels (default: all cores).") var threads: Int?
    @Option(help: "Directory with the Fashion-MNIST IDX files.") var data: String?
    @Option(help: "Run directory (default runs/<date-time>).") var output: String?
    @Option(help: "Continue from the checkpoint in this run directory.") var resume: String?
    @Option(help: "Use only the first N training images (and N/5 test images), for quick runs.") var limit: Int?

    func validate() throws {
        guard epochs >= 1 else { throw ValidationError("--epochs must be at least 1") }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1") }
        guard lr > 0 else { throw ValidationError("--lr must be positive") }
        guard lrDecay > 0 && lrDecay <= 1 else { throw ValidationError("--lr-decay must be in (0, 1]") }
        guard ["adam", "sgd"].contains(optimizer) else { throw ValidationError("--optimizer must be adam or sgd") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        // A private stream seeded like torch.manual_seed(seed): the same weights and batch order
        // as PyTorch, undisturbed by other threads; checkpoints save and restore its state.
        try reportingToolErrors { try withGenerator(Generator(seed: seed)) { try train() } }
    }

    private func train() throws {
        if let threads { setNumThreads(threads) }
        let root = try DataLocation.resolve(data)
        let (trainSet, testSet) = try DataLocation.load(root, limit: limit)
        print("data: \(root.path) (\(trainSet.count) training, \(testSet.count) test images)")

        let net = Network()
        let opt = TrainingRun.makeOptimizer(optimizer, for: net, lr: lr)
        var history: [EpochMetrics] = []
        var startEpoch = 1
        if let resume {
            let checkpoint = try Checkpoint.load(from: URL(fileURLWithPath: resume), into: net, optimizer: opt)
            history = checkpoint.history
            startEpoch = checkpoint.epoch + 1
            print("resumed from \(resume) after epoch \(checkpoint.epoch)")
        }
        let runDir = try RunDirectory.create(output ?? resume)
        print("run directory: \(runDir.path)")

        var run = TrainingRun(net: net, optimizer: opt, trainSet: trainSet, testSet: testSet, runDir: runDir,
                              batchSize: batchSize, history: history)
        run.schedule = (lr, lrDecay)
        history = try run.train(epochs: startEpoch...(startEpoch + epochs - 1))
        print(EpochMetrics.table(history))
        print(String(format: "test accuracy: %.4f", history.last?.testAccuracy ?? 0))
    }
}

/// One epoch's numbers, as printed in the summary table and written to metrics.csv.
struct EpochMetrics: Codable {
    var epoch: Int
    var loss: Double
    var trainAccuracy: Double
    var testAccuracy: Double
    var seconds: Double

    static func table(_ rows: [EpochMetrics]) -> String {
        var lines = ["epoch  loss     train acc  test acc  seconds",
                     "-----  -------  ---------  --------  -------"]
        for r in rows {
            lines.append(String(format: "%5d  %7.4f  %9.4f  %8.4f  %7.1f", r.epoch, r.loss, r.trainAccuracy, r.testAccuracy, r.seconds))
        }
        return lines.joined(separator: "\n")
    }

    static func csv(_ rows: [EpochMetrics]) -> String {
        (["epoch,loss,train_accuracy,test_accuracy,seconds"] + rows.map {
            "\($0.epoch),\($0.loss),\($0.trainAccuracy),\($0.testAccuracy),\($0.seconds)"
        }).joined(separator: "\n") + "\n"
    }
}

/// Accuracy and confusion matrix of a model on a dataset.
struct Evaluation {
    var accuracy: Double
    /// confusion[actual][predicted]
    var confusion: [[Int]]

    static func run<D: Dataset>(_ net: Module, on dataset: D, batchSize: Int = 1000) -> Evaluation {
        net.eval()
        defer { net.train() }
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        var correct = 0
        withNoGrad {
            for (images, labels) in DataLoader(dataset, batchSize: batchSize) {
                let predicted = net(images).argmax(dim: 1).scalars(as: Int.self)
                for (p, y) in zip(predicted, labels.scalars(as: Int.self)) {
                    confusion[y][p] += 1
                    if p == y { correct += 1 }
                }
            }
        }
        return Evaluation(accuracy: Double(correct) / Double(max(dataset.count, 1)), confusion: confusion)
    }
}

enum RunDirectory {
    /// Creates `path`, or `runs/<prefix><date-time>` when it is nil.
    static func create(_ path: String?, prefix: String = "") throws -> URL {
        let dir: URL
        if let path {
            dir = URL(fileURLWithPath: path)
        } else {
            let f = DateFormatter()
            f.dateFormat = "yyyy-MM-dd_HH-mm-ss"
            dir = URL(fileURLWithPath: "runs/" + prefix + f.string(from: Date()))
        }
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        } catch {
            throw ToolError(description: "cannot create run directory \(dir.path): \(error.localizedDescription)")
        }
        return dir
    }
}

/// Model weights (`model.safetensors`, PyTorch's state-dict names), optimizer state
/// (`optimizer.safetensors`) and `metrics.csv`; each file is written atomically (temporary file,
/// then rename), so a killed run leaves whole files.
///
/// The pair stays consistent too: the optimizer state goes to a pending file first, then
/// `model.safetensors` (which carries the epoch) commits the checkpoint, then the pending file
/// is renamed into place. Killed between the two, `load` takes the pending file.
enum Checkpoint {
    struct Loaded {
        var epoch: Int
        var history: [EpochMetrics]
    }

    static let pendingOptimizerName = ".optimizer.pending.safetensors"
    /// The epoch a file belongs to, in the optimizer file's metadata.
    static let epochKey = "checkpoint_epoch"

    static func save(to dir: URL, net: Module, optimizer: Optimizer, epoch: Int, history: [EpochMetrics]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // the same bytes on every platform
        let historyJSON = String(decoding: try encoder.encode(history), as: UTF8.self)
        // The generator state makes a resumed run shuffle exactly as an uninterrupted one.
        let rng = Data(Generator.current.getState()).base64EncodedString()
        let state = optimizer.stateDict()
        let pending = dir.appendingPathComponent(pendingOptimizerName)
        try saveSafetensors(state.tensors, to: pending, metadata: state.metadata.merging([epochKey: String(epoch)]) { $1 })
        try saveSafetensors(net.stateDict(), to: dir.appendingPathComponent("model.safetensors"),
                            metadata: ["epoch": String(epoch), "history": historyJSON, "rng_state": rng])
        try replace(dir.appendingPathComponent("optimizer.safetensors"), with: pending)
        let csv = dir.appendingPathComponent("metrics.csv")
        do {
            try Data(EpochMetrics.csv(history).utf8).write(to: csv, options: .atomic)
        } catch {
            throw SerializationError.unwritable(file: csv.path, reason: error.localizedDescription)
        }
    }

    /// Atomically renames `source` over `destination` (rename(2) replaces an existing file).
    private static func replace(_ destination: URL, with source: URL) throws {
        guard rename(source.path, destination.path) == 0 else {
            throw SerializationError.unwritable(file: destination.path, reason: "rename failed: \(String(cString: strerror(errno)))")
        }
    }

    static func load(from dir: URL, into net: Module, optimizer: Optimizer?) throws -> Loaded {
        let modelURL = dir.appendingPathComponent("model.safetensors")
        let (weights, metadata) = try loadSafetensorsWithMetadata(from: modelURL)
        do {
            try net.loadStateDict(weights)
        } catch let error as StateDictError {
            throw ToolError(description: "\(modelURL.path): \(error.description)")
        }
        let epoch = Int(metadata?["epoch"] ?? "") ?? 0
        if let optimizer {
            var optURL = dir.appendingPathComponent("optimizer.safetensors")
            let pending = dir.appendingPathComponent(pendingOptimizerName)
            // A save killed after committing the model leaves this epoch's optimizer state pending.
            if let pendingEpoch = try? loadSafetensorsWithMetadata(from: pending).metadata?[epochKey],
               pendingEpoch == String(epoch) {
                optURL = pending
            }
            let (tensors, optMeta) = try loadSafetensorsWithMetadata(from: optURL)
            if let optEpoch = optMeta?[epochKey], optEpoch != String(epoch) {
                throw ToolError(description: "\(optURL.path) is from epoch \(optEpoch) but \(modelURL.lastPathComponent) "
                                + "from epoch \(epoch); the checkpoint is inconsistent")
            }
            do {
                try optimizer.loadStateDict(OptimizerState(tensors: tensors, metadata: optMeta ?? [:]))
            } catch {
                throw ToolError(description: "\(optURL.path): \(error)")
            }
        }
        if optimizer != nil, let rng = metadata?["rng_state"], let bytes = Data(base64Encoded: rng),
           bytes.count == Generator.current.getState().count {
            Generator.current.setState([UInt8](bytes))
        }
        let history = (metadata?["history"]).flatMap { try? JSONDecoder().decode([EpochMetrics].self, from: Data($0.utf8)) } ?? []
        return Loaded(epoch: epoch, history: history)
    }
}
