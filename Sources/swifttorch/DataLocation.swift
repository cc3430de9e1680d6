import Foundation
import Torch
import TorchVision

/// Why the tool could not start: a clear message for the user, no stack trace.
struct ToolError: Error, CustomStringConvertible {
    let description: String
}

/// Finds the Fashion-MNIST IDX files, in order: `--data DIR`, `$SWIFTTORCH_DATA`,
/// `./data/fashion-mnist`, `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`).
enum DataLocation {
    static let candidates = ["./data/fashion-mnist", "/usr/share/datasets/fashion-mnist"]

    static func resolve(_ explicit: String?) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = ProcessInfo.processInfo.environment["SWIFTTORCH_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        for path in candidates where FileManager.default.fileExists(atPath: path + "/train-images-idx3-ubyte.gz")
            || FileManager.default.fileExists(atPath: path + "/train-images-idx3-ubyte") {
            return URL(fileURLWithPath: path)
        }
        throw ToolError(description: """
            Fashion-MNIST not found. Looked in $SWIFTTORCH_DATA, \(candidates.joined(separator: ", ")).
            Get the IDX files with `apt-get install dataset-fashion-mnist` (Debian/Ubuntu), or download
            train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
            t10k-labels-idx1-ubyte.gz from https://github.com/zalandoresearch/fashion-mnist into
            ./data/fashion-mnist, or pass --data DIR.
            """)
    }

    /// The train and test splits, optionally cut to the first `limit` samples (for quick runs).
    static func load(_ root: URL, limit: Int?) throws -> (train: IDXImageDataset, test: IDXImageDataset) {
        var train = try FashionMNIST(root: root, train: true).data
        var test = try FashionMNIST(root: root, train: false).data
        if let limit {
            train = IDXImageDataset(images: train.images[0..<min(limit, train.count)], labels: train.labels[0..<min(limit, train.count)])
            let testLimit = max(1, limit / 5)
            test = IDXImageDataset(images: test.images[0..<min(testLimit, test.count)], labels: test.labels[0..<min(testLimit, test.count)])
        }
        return (train, test)
    }
}
