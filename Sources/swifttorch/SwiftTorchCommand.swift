import ArgumentParser
import Torch

@main
struct SwiftTorchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swifttorch",
        abstract: "SwiftTorch: PyTorch's concepts, natively in Swift.",
        subcommands: [Train.self, Evaluate.self, Sweep.self, Predict.self, Demo.self])
}

struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a tutorial step by step, printing what PyTorch prints.")

    @Argument(help: "Which walkthrough: linear")
    var name: String = "linear"

    func validate() throws {
        guard name == "linear" else { throw ValidationError("unknown demo '\(name)'; available: linear") }
    }

    func run() throws {
        LinearWalkthrough.run { print($0) }
    }
}
