/// A collection of `(input, target)` samples, as `torch.utils.data.Dataset`.
///
/// ```swift
/// struct Squares: Dataset {
///     var count: Int { 100 }
///     subscript(i: Int) -> (Tensor, Tensor) { (Tensor([Float(i)]), Tensor([Float(i * i)])) }
/// }
/// ```
public protocol Dataset {
    /// Number of samples.
    var count: Int { get }
    /// The sample at `i` (0-based).
    subscript(i: Int) -> (Tensor, Tensor) { get }
    /// A whole batch at once; the default stacks single samples (override for speed).
    func batch(_ indices: [Int]) -> (Tensor, Tensor)
}

extension Dataset {
    public func batch(_ indices: [Int]) -> (Tensor, Tensor) {
        let samples = indices.map { self[$0] }
        return withNoGrad { (Tensor.stack(samples.map(\.0)), Tensor.stack(samples.map(\.1))) }
    }
}

/// Samples taken from the first dimension of tensors, as `TensorDataset(inputs, targets)`.
public struct TensorDataset: Dataset {
    public let inputs: Tensor
    public let targets: Tensor

    public init(_ inputs: Tensor, _ targets: Tensor) {
        precondition(inputs.shape.first == targets.shape.first, "Size mismatch between tensors")
        self.inputs = inputs
        self.targets = targets
    }

    public var count: Int { inputs.shape.first ?? 0 }
    public subscript(i: Int) -> (Tensor, Tensor) { (inputs[i], targets[i]) }
    public func batch(_ indices: [Int]) -> (Tensor, Tensor) {
        let idx = Tensor(shape: [indices.count], scalars: indices.map(Int64.init))
        return withNoGrad { (inputs.indexSelect(0, idx), targets.indexSelect(0, idx)) }
    }
}

/// The samples of `dataset` at `indices`, as `torch.utils.data.Subset`.
public struct Subset<Base: Dataset>: Dataset {
    public let dataset: Base
    public let indices: [Int]

    public init(_ dataset: Base, indices: [Int]) {
        self.dataset = dataset
        self.indices = indices
    }

    public var count: Int { indices.count }
    public subscript(i: Int) -> (Tensor, Tensor) { dataset[indices[i]] }
    public func batch(_ batchIndices: [Int]) -> (Tensor, Tensor) { dataset.batch(batchIndices.map { indices[$0] }) }
}

/// Several datasets one after another, as `torch.utils.data.ConcatDataset`.
public struct ConcatDataset: Dataset {
    public let datasets: [any Dataset]
    private let offsets: [Int]

    public init(_ datasets: [any Dataset]) {
        self.datasets = datasets
        var acc = 0
        offsets = datasets.map { d in defer { acc += d.count }; return acc }
    }

    public var count: Int { datasets.reduce(0) { $0 + $1.count } }
    public subscript(i: Int) -> (Tensor, Tensor) {
        precondition(i >= 0 && i < count, "index \(i) out of range for dataset of size \(count)")
        let d = offsets.lastIndex { $0 <= i }!
        return datasets[d][i - offsets[d]]
    }
}

/// Splits `dataset` into random non-overlapping subsets of the given lengths, drawing the
/// permutation as `torch.utils.data.random_split` does.
public func randomSplit<D: Dataset>(_ dataset: D, lengths: [Int], generator: Generator? = nil) -> [Subset<D>] {
    precondition(lengths.reduce(0, +) == dataset.count, "Sum of input lengths does not equal the length of the input dataset!")
    let perm = Tensor.randperm(dataset.count, generator: generator).scalars(as: Int64.self).map(Int.init)
    var start = 0
    return lengths.map { n in
        defer { start += n }
        return Subset(dataset, indices: Array(perm[start..<start + n]))
    }
}
