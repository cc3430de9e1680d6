import ArgumentParser
import Foundation
import Torch
import TorchVision

struct Evaluate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Test accuracy, per-class precision/recall and the confusion matrix of a trained run.")

    @Argument(help: "Run directory holding model.safetensors.") var runDirectory: String
    @Option(help: "Directory with the Fashion-MNIST IDX files.") var data: String?
    @Option(help: "Use only the first N/5 test images.") var limit: Int?

    func run() throws {
        do {
            let net = Network()
            _ = try Checkpoint.load(from: URL(fileURLWithPath: runDirectory), into: net, optimizer: nil)
            let (_, testSet) = try DataLocation.load(try DataLocation.resolve(data), limit: limit)
            let result = Evaluation.run(net, on: testSet)
            print(Evaluate.report(result))
        } catch let error as ToolError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch let error as SerializationError {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            throw ExitCode.failure
        }
    }

    static func report(_ e: Evaluation) -> String {
        let names = FashionMNIST.classes
        var lines = [String(format: "test accuracy: %.4f", e.accuracy), "",
                     "class        precision  recall"]
        for c in 0..<10 {
            let predicted = (0..<10).reduce(0) { $0 + e.confusion[$1][c] }
            let actual = e.confusion[c].reduce(0, +)
            let precision = predicted > 0 ? Double(e.confusion[c][c]) / Double(predicted) : 0
            let recall = actual > 0 ? Double(e.confusion[c][c]) / Double(actual) : 0
            lines.append(names[c].padding(toLength: 12, withPad: " ", startingAt: 0)
                         + String(format: " %9.4f  %6.4f", precision, recall))
        }
        lines += ["", "confusion matrix (rows: actual, columns: predicted)"]
        lines.append("".padding(toLength: 12, withPad: " ", startingAt: 0)
                     + (0..<10).map { String(format: "%6d", $0) }.joined())
        for c in 0..<10 {
            lines.append(names[c].padding(toLength: 12, withPad: " ", startingAt: 0)
                         + e.confusion[c].map { String(format: "%6d", $0) }.joined())
        }
        return lines.joined(separator: "\n")
    }
}
