import Foundation

/// A reference-counted block of memory (64-byte aligned from 4 KiB up) shared by a tensor and its views.
///
/// The version counter is shared by every view of the storage, as in PyTorch: in-place ops bump
/// it, and autograd compares it with the version recorded when a tensor was saved for backward.
final class Storage: @unchecked Sendable {
    let data: UnsafeMutableRawPointer
    let byteCount: Int
    var version: Int = 0

    init(byteCount: Int) {
        self.byteCount = byteCount
        if let reused = StoragePool.take(byteCount) {
            data = reused
            return
        }
        // Small blocks take malloc's 16-byte alignment (enough for every dtype; no kernel
        // assumes more): posix_memalign costs about as much as the rest of a small op.
        data = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: byteCount < 4096 ? 16 : 64)
    }

    deinit {
        if !StoragePool.give(data, byteCount) { data.deallocate() }
    }

    @inline(__always)
    func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        data.assumingMemoryBound(to: T.self)
    }
}

/// Freed blocks of 64 KiB and more, kept by exact size for the next storage of that size. A
/// training step allocates the same activation and gradient sizes every time; without the pool
/// each large block goes back to the system (malloc's mmap/trim) and comes back as fresh pages
/// that fault in one by one (measured: 5% of an MLP step in page faults and zeroing). Like
/// PyTorch's caching allocators it holds memory after tensors die, at most ``capacity`` bytes.
enum StoragePool {
    /// Blocks smaller than this go straight to malloc, which reuses them cheaply itself.
    static let minimumBytes = 1 << 16
    /// The most bytes the pool keeps; a block that would exceed it is freed.
    nonisolated(unsafe) static var capacity = 256 << 20
    nonisolated(unsafe) private static var blocks: [Int: [UnsafeMutableRawPointer]] = [:]
    nonisolated(unsafe) private static var keptBytes = 0
    private static let lock = NSLock()

    /// Bytes held by the pool now.
    static var cachedBytes: Int {
        lock.lock(); defer { lock.unlock() }
        return keptBytes
    }

    static func take(_ bytes: Int) -> UnsafeMutableRawPointer? {
        guard bytes >= minimumBytes else { return nil }
        lock.lock(); defer { lock.unlock() }
        guard let block = blocks[bytes]?.popLast() else { return nil }
        keptBytes -= bytes
        return block
    }

    /// Keeps `block` for reuse; false when it is too small or the pool is full (the caller frees it).
    static func give(_ block: UnsafeMutableRawPointer, _ bytes: Int) -> Bool {
        guard bytes >= minimumBytes else { return false }
        lock.lock(); defer { lock.unlock() }
        guard keptBytes + bytes <= capacity else { return false }
        blocks[bytes, default: []].append(block)
        keptBytes += bytes
        return true
    }

    /// Frees every kept block, as `torch.cuda.empty_cache()` does for its pool.
    static func emptyCache() {
        lock.lock(); defer { lock.unlock() }
        for list in blocks.values { for block in list { block.deallocate() } }
        blocks = [:]
        keptBytes = 0
    }
}
