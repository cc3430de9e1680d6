import ArgumentParser
import Foundation
import Torch
import TorchVision
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Set by SIGINT: training finishes the current batch, writes a checkpoint and exits.
nonisolated(unsafe) var interruptRequested: sig_atomic_t = 0

/// Thrown when Ctrl-C stopped a run; its checkpoint is already written.
struct TrainingInterrupted: Error, CustomStringConvertible {
    let runDir: URL
    let epoch: Int
    var description: String { "interrupted: checkpoint of epoch \(epoch) written to \(runDir.path)" }
}

/// The training loop shared by `train` and `sweep`: epochs of Adam or SGD steps with a progress
/// bar, an evaluation, a checkpoint and the run artifacts after each epoch.
///
/// ```swift
/// var run = TrainingRun(net: net, optimizer: opt, trainSet: train, testSet: test, runDir: dir, batchSize: 100)
/// let history = try run.train(epochs: 1...2)
/// ```
struct TrainingRun {
    let net: Module
    let optimizer: Optimizer
    let trainSet: IDXImageDataset
    let testSet: IDXImageDataset
    let runDir: URL
    let batchSize: Int
    /// Whether the DataLoader reshuffles the training set every epoch.
    var shuffle = true
    /// Epochs already trained (from a resumed checkpoint); new epochs are appended.
    var history: [EpochMetrics] = []
    /// Put before "epoch N" on the progress bar (the sweep names its run there).
    var label = ""
    /// The learning rate of epoch 1 and its factor per later epoch, as `StepLR(stepSize: 1,
    /// gamma: lrDecay)`: epoch e trains at `lr` times `lrDecay` e-1 times over. Set from the epoch
    /// number, so a resumed run continues on the same schedule. `nil` leaves the optimizer's rate.
    var schedule: (lr: Double, lrDecay: Double)?

    /// The optimizer named on the command line (`adam` or `sgd`) over `net`'s parameters.
    static func makeOptimizer(_ name: String, for net: Module, lr: Double) -> Optimizer {
        name == "sgd" ? SGD(net.parameters(), lr: lr) : Adam(net.parameters(), lr: lr)
    }

    /// Routes Ctrl-C to ``interruptRequested``. SIGINT is also unblocked on this thread: a parent
    /// that spawns the tool with Foundation's `Process` on Linux passes on a mask blocking it
    /// (swift-corelibs-foundation issue 4772), which would make the tool deaf to Ctrl-C.
    static func catchInterrupts() {
        signal(SIGINT) { _ in interruptRequested = 1 }
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Trains the given epochs (numbered from 1) and returns the whole history. On Ctrl-C the
    /// current batch finishes, a checkpoint is written and ``TrainingInterrupted`` is thrown.
    @discardableResult
    mutating func train(epochs: ClosedRange<Int>) throws -> [EpochMetrics] {
        TrainingRun.catchInterrupts()
        let loader = DataLoader(trainSet, batchSize: batchSize, shuffle: shuffle, numWorkers: 1)
        for epoch in epochs {
            let started = Date()
            if let schedule {
                // One multiplication per past epoch, as StepLR's chained update rounds.
                var rate = schedule.lr
                for _ in 1..<epoch { rate *= schedule.lrDecay }
                for g in optimizer.paramGroups.indices { optimizer.paramGroups[g].lr = rate }
            }
            let progress = ProgressBar(total: loader.count, label: "\(label)epoch \(epoch)")
            var totalLoss = 0.0, correct = 0, seen = 0, batches = 0
            net.train()
            for (images, labels) in loader {
                let preds = net(images)
                let loss = crossEntropy(preds, labels)
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                let n = labels.shape[0]
                totalLoss += Double(loss.item()) * Double(n)
                correct += preds.argmax(dim: 1).eq(labels).sum().item(as: Int.self)
                seen += n
                batches += 1
                progress.update(done: batches, loss: totalLoss / Double(seen), accuracy: Double(correct) / Double(seen))
                if interruptRequested != 0 { break }
            }
            if interruptRequested != 0 {
                try Checkpoint.save(to: runDir, net: net, optimizer: optimizer, epoch: epoch - 1, history: history)
                let stop = TrainingInterrupted(runDir: runDir, epoch: epoch - 1)
                print("\n\(stop.description)")
                throw stop
            }
            let evaluation = Evaluation.run(net, on: testSet)
            history.append(EpochMetrics(epoch: epoch, loss: totalLoss / Double(max(seen, 1)),
                                        trainAccuracy: Double(correct) / Double(max(seen, 1)),
                                        testAccuracy: evaluation.accuracy,
                                        seconds: Date().timeIntervalSince(started)))
            try Checkpoint.save(to: runDir, net: net, optimizer: optimizer, epoch: epoch, history: history)
            try RunArtifacts.epochFinished(runDir: runDir, net: net, history: history, evaluation: evaluation, testSet: testSet)
        }
        return history
    }
}

/// Runs a command's body, turning the errors a user can cause into a message and an exit code
/// (1, or 130 after Ctrl-C) instead of a stack trace.
func reportingToolErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch is TrainingInterrupted {
        throw ExitCode(130)
    } catch let error as ToolError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode.failure
    } catch let error as SerializationError {
        FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
        throw ExitCode.failure
    }
}
