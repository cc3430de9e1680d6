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
        // Small blocks take malloc's 16-byte alignment (enough for every dtype; no kernel
        // assumes more): posix_memalign costs about as much as the rest of a small op.
        data = UnsafeMutableRawPointer.allocate(byteCount: max(byteCount, 1), alignment: byteCount < 4096 ? 16 : 64)
    }

    deinit { data.deallocate() }

    @inline(__always)
    func pointer<T>(as: T.Type) -> UnsafeMutablePointer<T> {
        data.assumingMemoryBound(to: T.self)
    }
}
