import Foundation
import Torch

/// A transform from a `[1, H, W]` float image in [0, 1] (after `toTensor`) to a tensor.
public typealias ImageTransform = @Sendable (Tensor) -> Tensor

/// Image transforms, as `torchvision.transforms`.
public enum Transforms {
    /// uint8 `[H, W]` (or `[N, H, W]`) to float32 `[1, H, W]` (`[N, 1, H, W]`) in [0, 1], as `ToTensor()`.
    public static let toTensor: ImageTransform = { image in
        let x = image.dtype == .uint8 ? image.to(.float32) / 255.0 : image
        return x.dim == 2 ? x.unsqueeze(0) : (x.dim == 3 && image.dtype == .uint8 ? x.unsqueeze(1) : x)
    }

    /// `(x - mean) / std` per channel, as `Normalize(mean, std)`.
    public static func normalize(mean: [Double], std: [Double]) -> ImageTransform {
        { x in
            let shape = [mean.count] + [Int](repeating: 1, count: 2)
            let m = Tensor(shape: shape, scalars: mean.map { Float($0) })
            let s = Tensor(shape: shape, scalars: std.map { Float($0) })
            return (x - m) / s
        }
    }

    /// Applies transforms in order, as `Compose([...])`.
    public static func compose(_ transforms: [ImageTransform]) -> ImageTransform {
        { x in transforms.reduce(x) { $1($0) } }
    }

    /// Flips the image left-right with probability `p`, as `RandomHorizontalFlip`.
    public static func randomHorizontalFlip(p: Double = 0.5, generator: Generator? = nil) -> ImageTransform {
        { x in
            let draw = Tensor.rand([1], dtype: .float64, generator: generator).item(as: Double.self)
            guard draw < p else { return x }
            let w = x.shape[x.dim - 1]
            return x.indexSelect(x.dim - 1, Tensor.arange(w - 1, -1, step: -1))
        }
    }

    /// Pads by `padding` zeros on each side, then crops `size` at a random position, as `RandomCrop`.
    public static func randomCrop(size: Int, padding: Int = 0, generator: Generator? = nil) -> ImageTransform {
        { x in
            let h = x.shape[x.dim - 2], w = x.shape[x.dim - 1]
            var shape = x.shape
            shape[x.dim - 2] = h + 2 * padding
            shape[x.dim - 1] = w + 2 * padding
            let padded = Tensor.zeros(shape, dtype: x.dtype)
            padded[.ellipsis, padding..<(padding + h), padding..<(padding + w)] = x
            let top = Tensor.randint(0, shape[x.dim - 2] - size + 1, [1], generator: generator).item(as: Int.self)
            let left = Tensor.randint(0, shape[x.dim - 1] - size + 1, [1], generator: generator).item(as: Int.self)
            return padded[.ellipsis, top..<(top + size), left..<(left + size)].contiguous()
        }
    }
}

/// MNIST-format image classification data read from IDX files (gzipped or not).
public struct IDXImageDataset: Dataset, @unchecked Sendable {
    /// All images, uint8 `[N, H, W]`.
    public let images: Tensor
    /// All labels, int64 `[N]`.
    public let labels: Tensor
    /// Applied to each `[1, H, W]` float image; nil keeps `toTensor`'s output.
    public let transform: ImageTransform?

    /// Reads `<prefix>-images-idx3-ubyte[.gz]` and `<prefix>-labels-idx1-ubyte[.gz]` from `root`.
    public init(root: URL, prefix: String, transform: ImageTransform?) throws {
        func find(_ stem: String) throws -> URL {
            for name in [stem + ".gz", stem] {
                let url = root.appendingPathComponent(name)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
            throw SerializationError.unreadable(file: root.appendingPathComponent(stem + ".gz").path, reason: "no such file (also tried without .gz)")
        }
        let (img, lab) = try IDXArray.readImagesAndLabels(images: try find("\(prefix)-images-idx3-ubyte"),
                                                          labels: try find("\(prefix)-labels-idx1-ubyte"))
        images = Tensor(shape: img.shape, scalars: img.bytes)
        labels = Tensor(shape: lab.shape, scalars: lab.bytes).to(.int64)
        self.transform = transform
    }

    /// A dataset over tensors already in memory (uint8 images `[N, H, W]`, int64 labels).
    public init(images: Tensor, labels: Tensor, transform: ImageTransform? = nil) {
        self.images = images
        self.labels = labels
        self.transform = transform
    }

    public var count: Int { images.shape[0] }

    public subscript(i: Int) -> (Tensor, Tensor) {
        let x = Transforms.toTensor(images[i])
        return (transform.map { $0(x) } ?? x, labels[i])
    }

    /// Converts a whole batch at once (one gather, one scale) when there is no per-image transform.
    public func batch(_ indices: [Int]) -> (Tensor, Tensor) {
        guard transform == nil else {
            let samples = indices.map { self[$0] }
            return (Tensor.stack(samples.map(\.0)), Tensor.stack(samples.map(\.1)))
        }
        let idx = Tensor(shape: [indices.count], scalars: indices.map(Int64.init))
        return withNoGrad { (Transforms.toTensor(images.indexSelect(0, idx)), labels.indexSelect(0, idx)) }
    }
}

/// Fashion-MNIST (Zalando, MIT licence): 28x28 grey images of 10 kinds of clothing, as
/// `torchvision.datasets.FashionMNIST(root, train, transform)`.
///
/// ```swift
/// let train = try FashionMNIST(root: "/usr/share/datasets/fashion-mnist", train: true)
/// ```
public struct FashionMNIST: Dataset, @unchecked Sendable {
    /// Class names in label order.
    public static let classes = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    /// The images and labels.
    public let data: IDXImageDataset

    /// Reads the train (60,000) or test (10,000) split from the IDX files in `root`.
    public init(root: URL, train: Bool = true, transform: ImageTransform? = nil) throws {
        data = try IDXImageDataset(root: root, prefix: train ? "train" : "t10k", transform: transform)
    }
    /// Reads from a directory path.
    public init(root: String, train: Bool = true, transform: ImageTransform? = nil) throws {
        try self.init(root: URL(fileURLWithPath: root), train: train, transform: transform)
    }

    public var count: Int { data.count }
    public subscript(i: Int) -> (Tensor, Tensor) { data[i] }
    public func batch(_ indices: [Int]) -> (Tensor, Tensor) { data.batch(indices) }
}

/// MNIST handwritten digits, read like ``FashionMNIST``.
public struct MNIST: Dataset, @unchecked Sendable {
    public static let classes = (0..<10).map(String.init)
    public let data: IDXImageDataset

    public init(root: URL, train: Bool = true, transform: ImageTransform? = nil) throws {
        data = try IDXImageDataset(root: root, prefix: train ? "train" : "t10k", transform: transform)
    }
    public init(root: String, train: Bool = true, transform: ImageTransform? = nil) throws {
        try self.init(root: URL(fileURLWithPath: root), train: train, transform: transform)
    }

    public var count: Int { data.count }
    public subscript(i: Int) -> (Tensor, Tensor) { data[i] }
    public func batch(_ indices: [Int]) -> (Tensor, Tensor) { data.batch(indices) }
}
