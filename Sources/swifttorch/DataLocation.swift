import Foundation
import Torch
import TorchVision

/// Why the tool could not start: a clear message for the user, no stack trace.
struct ToolError: Error, CustomStringConvertible {
    let description: String
}

/// Finds the Fashion-MNIST IDX files, in order: `--data DIR`, `$SWIFTTORCH_DATA`,
/// `./data/fashion-mnist`, `/usr/share/datasets/fashion-mnist` (Debian's `dataset-fashion-mnist`),
/// and otherwise the embedded default: the test split shipped with the tool, split 8,000 / 2,000.
enum DataLocation {
    static let candidates = ["./data/fashion-mnist", "/usr/share/datasets/fashion-mnist"]

    /// How to get the full data set; said when it is missing.
    static let fullSetHint = "for the full set, `apt-get install dataset-fashion-mnist` (Debian/Ubuntu) or put the four "
        + "IDX files from https://github.com/zalandoresearch/fashion-mnist in ./data/fashion-mnist (or pass --data DIR)"

    /// The embedded split: 8,000 training and 2,000 test images, always the same ones.
    static let embeddedTrainCount = 8_000
    static let embeddedTestCount = 2_000
    static let embeddedSplitSeed: UInt64 = 42

    /// The data directory to use; `searching` replaces the usual places (tests pass `[]`).
    static func resolve(_ explicit: String?, searching places: [String] = candidates,
                        environment: [String: String] = ProcessInfo.processInfo.environment) throws -> URL {
        if let explicit { return URL(fileURLWithPath: explicit) }
        if let env = environment["SWIFTTORCH_DATA"], !env.isEmpty {
            return URL(fileURLWithPath: env)
        }
        for path in places where FileManager.default.fileExists(atPath: path + "/train-images-idx3-ubyte.gz")
            || FileManager.default.fileExists(atPath: path + "/train-images-idx3-ubyte") {
            return URL(fileURLWithPath: path)
        }
        if let embedded = embeddedRoot { return embedded }
        throw ToolError(description: """
            Fashion-MNIST not found. Looked in $SWIFTTORCH_DATA, \(places.joined(separator: ", ")), \
            and the embedded copy is missing beside the executable; \(fullSetHint).
            """)
    }

    /// The train and test splits, optionally cut to the first `limit` training samples and
    /// `limit / 5` test samples (for quick runs). The embedded data is split 8,000 / 2,000 first.
    static func load(_ root: URL, limit: Int?) throws -> (train: IDXImageDataset, test: IDXImageDataset) {
        var train: IDXImageDataset, test: IDXImageDataset
        if isEmbedded(root) {
            (train, test) = try loadEmbedded(root)
            FileHandle.standardError.write(Data(("note: Fashion-MNIST not found; using the embedded test split "
                + "(10,000 images) as 8,000 training / 2,000 test images; \(fullSetHint).\n").utf8))
        } else {
            train = try FashionMNIST(root: root, train: true).data
            test = try FashionMNIST(root: root, train: false).data
        }
        if let limit {
            train = IDXImageDataset(images: train.images[0..<min(limit, train.count)], labels: train.labels[0..<min(limit, train.count)])
            let testLimit = max(1, limit / 5)
            test = IDXImageDataset(images: test.images[0..<min(testLimit, test.count)], labels: test.labels[0..<min(testLimit, test.count)])
        }
        return (train, test)
    }

    /// The embedded test split cut into 8,000 training and 2,000 test images by a fixed generator.
    static func loadEmbedded(_ root: URL? = nil) throws -> (train: IDXImageDataset, test: IDXImageDataset) {
        guard let root = root ?? embeddedRoot else {
            throw ToolError(description: "the embedded Fashion-MNIST copy is missing beside the executable; \(fullSetHint)")
        }
        let all = try FashionMNIST(root: root, train: false).data
        let parts = randomSplit(all, lengths: [embeddedTrainCount, all.count - embeddedTrainCount],
                                generator: Generator(seed: embeddedSplitSeed))
        // Gathered into plain datasets, so the rest of the tool sees the same type as for the full set.
        func gather(_ subset: Subset<IDXImageDataset>) -> IDXImageDataset {
            let idx = Tensor(shape: [subset.indices.count], scalars: subset.indices.map(Int64.init))
            return IDXImageDataset(images: all.images.indexSelect(0, idx), labels: all.labels.indexSelect(0, idx))
        }
        return (gather(parts[0]), gather(parts[1]))
    }

    static func isEmbedded(_ url: URL) -> Bool {
        guard let embedded = embeddedRoot else { return false }
        return embedded.standardizedFileURL.resolvingSymlinksInPath().path == url.standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// The `Resources` folder of the tool's resource bundle, looked up without `Bundle.module`,
    /// which would stop the program when the bundle is missing.
    static let embeddedRoot: URL? = {
        var places: [URL] = [Bundle.main.bundleURL]
        if let exe = Bundle.main.executableURL?.resolvingSymlinksInPath() { places.append(exe.deletingLastPathComponent()) }
        // In tests the tool's code lives in the test bundle, beside the resource bundles.
        let own = Bundle(for: Network.self).bundleURL
        places += [own, own.deletingLastPathComponent()]
        for place in places {
            for name in ["SwiftTorch_swifttorch.resources", "SwiftTorch_swifttorch.bundle"] {
                let bundleURL = place.appendingPathComponent(name)
                for candidate in [bundleURL.appendingPathComponent("Resources"),
                                  bundleURL.appendingPathComponent("Contents/Resources/Resources")]
                where FileManager.default.fileExists(atPath: candidate.appendingPathComponent("t10k-images-idx3-ubyte.gz").path) {
                    return candidate
                }
            }
        }
        return nil
    }()
}
