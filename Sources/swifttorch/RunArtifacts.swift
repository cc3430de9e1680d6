import Foundation
import Torch
import TorchVision

/// What a training run leaves beside its checkpoint after each epoch: TensorBoard events
/// (scalars, weight histograms, a grid of test images), `loss.png`, `accuracy.png` and
/// `confusion.png`.
enum RunArtifacts {
    /// Called after every epoch's checkpoint is written.
    ///
    /// The epoch's scalars (`loss`, `accuracy/train`, `accuracy/test`) and a histogram of every
    /// parameter go to the run's event file at step = epoch; the run's first event file also gets
    /// `test images`, the first 64 test images as an 8x8 grid (a resumed run has it already).
    /// The charts are redrawn from the whole history each time.
    static func epochFinished(runDir: URL, net: Module, history: [EpochMetrics], evaluation: Evaluation,
                              testSet: IDXImageDataset) throws {
        guard let last = history.last else { return }
        let (writer, isFirstFile) = try writers.writer(for: runDir)
        let step = last.epoch
        writer.addScalar("loss", last.loss, step: step)
        writer.addScalar("accuracy/train", last.trainAccuracy, step: step)
        writer.addScalar("accuracy/test", last.testAccuracy, step: step)
        for (name, parameter) in net.namedParameters() {
            writer.addHistogram(name, parameter, step: step)
        }
        if isFirstFile && testSet.count > 0 {
            let samples = testSet.images[0..<min(64, testSet.count)].unsqueeze(1)  // uint8 [B, 1, 28, 28]
            writer.addImage("test images", makeGrid(samples, nrow: 8, padding: 2), step: step)
        }
        try writer.flush()

        let epochs = history.map { Double($0.epoch) }
        try write(Charts.lineChart(
            title: "training loss", xLabel: "epoch", yLabel: "loss",
            series: [.init(name: "loss", color: Charts.blue, points: Array(zip(epochs, history.map(\.loss))))]),
            to: runDir.appendingPathComponent("loss.png"))
        try write(Charts.lineChart(
            title: "accuracy", xLabel: "epoch", yLabel: "accuracy",
            series: [.init(name: "train", color: Charts.blue, points: Array(zip(epochs, history.map(\.trainAccuracy)))),
                     .init(name: "test", color: Charts.orange, points: Array(zip(epochs, history.map(\.testAccuracy))))],
            legendAtBottom: true),
            to: runDir.appendingPathComponent("accuracy.png"))
        try write(Charts.confusionMatrix(
            evaluation.confusion, classNames: FashionMNIST.classes,
            title: String(format: "confusion matrix, epoch %d (test accuracy %.4f)", last.epoch, evaluation.accuracy)),
            to: runDir.appendingPathComponent("confusion.png"))
    }

    private static func write(_ canvas: Canvas, to url: URL) throws {
        try canvas.write(to: url)
    }

    /// One event file per run directory and process: later epochs (and a `--resume` in the same
    /// process) append to it; a new process starts a new file, which TensorBoard reads alongside.
    private static let writers = WriterRegistry()

    private final class WriterRegistry: @unchecked Sendable {
        private let lock = NSLock()
        private var open: [String: SummaryWriter] = [:]

        /// The directory's writer, and whether it has just been made as the directory's first event file.
        func writer(for dir: URL) throws -> (SummaryWriter, isFirstFile: Bool) {
            lock.lock()
            defer { lock.unlock() }
            let key = dir.standardizedFileURL.path
            // A run directory deleted and made again (tests reuse names) needs a fresh file.
            if let writer = open[key], FileManager.default.fileExists(atPath: writer.fileURL.path) {
                return (writer, false)
            }
            let earlier = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? [])
                .contains { $0.hasPrefix("events.out.tfevents.") }
            let writer = try SummaryWriter(logDir: dir)
            open[key] = writer
            return (writer, !earlier)
        }
    }
}
