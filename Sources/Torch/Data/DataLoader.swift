import Foundation

/// Batches of a dataset, optionally shuffled and loaded ahead on background threads, as
/// `torch.utils.data.DataLoader`. Shuffling draws from the generator exactly as PyTorch's
/// `RandomSampler` does, so the same seed gives the same batch order as PyTorch.
///
/// ```swift
/// let loader = DataLoader(trainSet, batchSize: 100, shuffle: true)
/// for (images, labels) in loader { ... }
/// ```
public struct DataLoader<D: Dataset>: Sequence {
    public let dataset: D
    public let batchSize: Int
    public let shuffle: Bool
    public let dropLast: Bool
    public let numWorkers: Int
    public let generator: Torch.Generator?

    public init(_ dataset: D, batchSize: Int = 1, shuffle: Bool = false, dropLast: Bool = false,
                numWorkers: Int = 0, generator: Torch.Generator? = nil) {
        precondition(batchSize > 0, "batch_size should be a positive integer value, but got batch_size=\(batchSize)")
        precondition(numWorkers >= 0, "num_workers option should be non-negative")
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.dropLast = dropLast
        self.numWorkers = numWorkers
        self.generator = generator
    }

    /// Number of batches per epoch.
    public var count: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The sample order of one epoch, drawing from the generator as PyTorch does: a base seed
    /// for the iterator, then the sampler's seed, then `randperm` on a fresh generator.
    func epochOrder() -> [Int] {
        let g = generator ?? Torch.Generator.current
        var seeds = [Int64](repeating: 0, count: 2)
        seeds.withUnsafeMutableBufferPointer { g.fillRandom(UnsafeMutableBufferPointer(rebasing: $0[0..<1])) }
        guard shuffle else { return Array(0..<dataset.count) }
        seeds.withUnsafeMutableBufferPointer { g.fillRandom(UnsafeMutableBufferPointer(rebasing: $0[1..<2])) }
        let sampler = Torch.Generator(seed: UInt64(bitPattern: seeds[1]))
        return sampler.randperm(dataset.count).map(Int.init)
    }

    public func makeIterator() -> Iterator {
        let order = epochOrder()
        var batches: [[Int]] = stride(from: 0, to: order.count, by: batchSize).map {
            Array(order[$0..<Swift.min($0 + batchSize, order.count)])
        }
        if dropLast, let last = batches.last, last.count < batchSize { batches.removeLast() }
        return Iterator(dataset: dataset, batches: batches, workers: numWorkers)
    }

    /// Yields collated batches; with workers, later batches are prepared while one is used.
    public final class Iterator: IteratorProtocol, @unchecked Sendable {
        private let dataset: D
        private let batches: [[Int]]
        private var position = 0
        private let workers: Int
        private var ready: [Int: (Tensor, Tensor)] = [:]
        private var scheduled = 0
        private let lock = NSCondition()
        private let queue = DispatchQueue(label: "swifttorch.dataloader", attributes: .concurrent)

        init(dataset: D, batches: [[Int]], workers: Int) {
            self.dataset = dataset
            self.batches = batches
            self.workers = workers
        }

        public func next() -> (Tensor, Tensor)? {
            guard position < batches.count else { return nil }
            defer { position += 1 }
            if workers == 0 { return dataset.batch(batches[position]) }
            // Keep up to 2 * workers batches in flight, in order.
            while scheduled < Swift.min(batches.count, position + 2 * workers) {
                let i = scheduled
                scheduled += 1
                queue.async { [self] in
                    let b = withNoGrad { dataset.batch(batches[i]) }
                    lock.lock()
                    ready[i] = b
                    lock.broadcast()
                    lock.unlock()
                }
            }
            lock.lock()
            defer { lock.unlock() }
            while ready[position] == nil { lock.wait() }
            return ready.removeValue(forKey: position)
        }
    }
}
