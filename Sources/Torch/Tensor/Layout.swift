/// Shape, strides (in elements) and offset of a tensor into its storage.
///
/// Views (`transpose`, `expand`, `view`, slicing) change only the layout and share storage.
struct Layout: Sendable, Equatable {
    var shape: [Int]
    var strides: [Int]
    var offset: Int

    init(shape: [Int], strides: [Int], offset: Int = 0) {
        self.shape = shape
        self.strides = strides
        self.offset = offset
    }

    /// A row-major contiguous layout for `shape`.
    init(contiguous shape: [Int]) {
        self.shape = shape
        self.strides = Layout.contiguousStrides(shape)
        self.offset = 0
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        // Vectors and scalars share one array: no allocation on the per-op fast path.
        if shape.count == 1 { return unitStrides }
        if shape.isEmpty { return [] }
        var strides = [Int](repeating: 1, count: shape.count)
        var acc = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = acc
            acc *= max(shape[i], 1)
        }
        return strides
    }

    private static let unitStrides = [1]

    var rank: Int { shape.count }
    var numel: Int { shape.reduce(1, *) }

    /// True when elements are laid out row-major without gaps (size-1 dims may have any stride).
    var isContiguous: Bool {
        var expected = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) where shape[i] != 1 {
            if strides[i] != expected { return false }
            expected *= shape[i]
        }
        return true
    }

    /// Storage offsets of every element in row-major order, visited without allocation.
    @inline(__always)
    func forEachOffset(_ body: (Int) -> Void) {
        let n = numel
        if n == 0 { return }
        if isContiguous {
            for i in 0..<n { body(offset + i) }
            return
        }
        let r = rank
        if r == 0 { body(offset); return }
        var index = [Int](repeating: 0, count: r)
        var pos = offset
        let last = r - 1
        let innerSize = shape[last], innerStride = strides[last]
        var done = 0
        while done < n {
            var p = pos
            for _ in 0..<innerSize { body(p); p += innerStride }
            done += innerSize
            // advance the outer index like an odometer
            var d = last - 1
            while d >= 0 {
                index[d] += 1
                pos += strides[d]
                if index[d] < shape[d] { break }
                pos -= strides[d] * shape[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

/// Shape helpers shared by ops.
enum Shape {
    /// Normalises a possibly negative dim, trapping with PyTorch's message when out of range.
    static func wrapDim(_ dim: Int, rank: Int) -> Int {
        let r = max(rank, 1)
        guard dim >= -r && dim < r else {
            fatalError("Dimension out of range (expected to be in range of [\(-r), \(r - 1)], but got \(dim))")
        }
        return dim < 0 ? dim + r : dim
    }

    /// Broadcast two shapes, as torch.broadcast_shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        if a == b { return a }  // the common case, without a new array
        let n = max(a.count, b.count)
        var out = [Int](repeating: 1, count: n)
        for i in 0..<n {
            let da = i < n - a.count ? 1 : a[i - (n - a.count)]
            let db = i < n - b.count ? 1 : b[i - (n - b.count)]
            if da == db || db == 1 { out[i] = da } else if da == 1 { out[i] = db } else {
                fatalError("The size of tensor a (\(da)) must match the size of tensor b (\(db)) at non-singleton dimension \(i)")
            }
        }
        return out
    }

    /// Whether `shape` broadcasts to exactly `target`.
    static func broadcasts(_ shape: [Int], to target: [Int]) -> Bool {
        guard shape.count <= target.count else { return false }
        return zip(shape.reversed(), target.reversed()).allSatisfy { $0 == $1 || $0 == 1 }
    }

    static func describe(_ shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }
}
