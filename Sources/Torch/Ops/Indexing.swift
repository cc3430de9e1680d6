/// One component of a subscript: `t[0]`, `t[1..<3]`, `t[.all, 2]`, `t[.newAxis]`, `t[.ellipsis]`.
public struct TensorIndex: Sendable {
    enum Kind {
        case index(Int)
        case range(start: Int?, end: Int?, step: Int)
        case all
        case newAxis
        case ellipsis
    }
    let kind: Kind
    static func index(_ i: Int) -> TensorIndex { TensorIndex(kind: .index(i)) }
    static func range(start: Int?, end: Int?, step: Int) -> TensorIndex { TensorIndex(kind: .range(start: start, end: end, step: step)) }
}

/// Values usable inside a tensor subscript.
public protocol TensorIndexConvertible { var tensorIndex: TensorIndex { get } }
extension TensorIndex: TensorIndexConvertible { public var tensorIndex: TensorIndex { self } }
extension Int: TensorIndexConvertible { public var tensorIndex: TensorIndex { .index(self) } }
extension Range<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound, step: 1) } }
extension ClosedRange<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .range(start: lowerBound, end: upperBound + 1, step: 1) } }
extension PartialRangeFrom<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .range(start: lowerBound, end: nil, step: 1) } }
extension PartialRangeUpTo<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound, step: 1) } }
extension PartialRangeThrough<Int>: TensorIndexConvertible { public var tensorIndex: TensorIndex { .range(start: nil, end: upperBound + 1, step: 1) } }
extension StrideTo<Int>: TensorIndexConvertible {
    public var tensorIndex: TensorIndex {
        let parts = Array(self)
        let step = parts.count > 1 ? parts[1] - parts[0] : 1
        return .range(start: parts.first ?? 0, end: parts.isEmpty ? 0 : parts.last! + 1, step: step)
    }
}

extension Tensor {
    /// Basic indexing with integers, ranges, `.all`, `.newAxis` and `.ellipsis`; results are views.
    ///
    /// ```swift
    /// t[0]          // first row
    /// t[1..<3]      // rows 1 and 2
    /// t[.all, 2]    // third column
    /// t[0] = Tensor(5.0)   // writes through
    /// ```
    public subscript(_ indices: TensorIndexConvertible...) -> Tensor {
        get { index(indices.map { $0.tensorIndex }) }
        set { withNoGradIfLeaf { index(indices.map { $0.tensorIndex }).copy_(newValue) } }
    }

    /// Boolean-mask or integer-tensor indexing along the first dim, as `t[mask]` / `t[idx]`.
    public subscript(_ selector: Tensor) -> Tensor {
        get {
            if selector.dtype == .bool || selector.dtype == .uint8 { return maskedSelect(selector) }
            return indexTensor(selector)
        }
        set {
            if selector.dtype == .bool || selector.dtype == .uint8 {
                maskedFill_(selector, newValue)
            } else {
                indexPut_(selector, newValue)
            }
        }
    }

    private func withNoGradIfLeaf(_ body: () -> Void) {
        if isLeaf && requiresGradFlag { checkInPlaceAllowed() }
        body()
    }

    func index(_ indices: [TensorIndex]) -> Tensor {
        let consuming = indices.filter { if case .newAxis = $0.kind { return false }; if case .ellipsis = $0.kind { return false }; return true }.count
        guard consuming <= dim else {
            fatalError("too many indices for tensor of dimension \(dim)")
        }
        var expanded: [TensorIndex] = []
        for idx in indices {
            if case .ellipsis = idx.kind {
                expanded += [TensorIndex](repeating: TensorIndex(kind: .all), count: dim - consuming)
            } else {
                expanded.append(idx)
            }
        }
        var result = self
        var d = 0
        for idx in expanded {
            switch idx.kind {
            case .index(let i):
                result = result.select(d, i)
            case .range(let start, let end, let step):
                result = result.slice(d, start: start ?? 0, end: end, step: step)
                d += 1
            case .all:
                d += 1
            case .newAxis:
                result = result.unsqueeze(d)
                d += 1
            case .ellipsis:
                break
            }
        }
        return result
    }

    // MARK: gather / scatter

    /// Untracked gather along `d` (index has the output's shape).
    func gatherRaw(_ d: Int, _ index: Tensor) -> Tensor {
        let out = Tensor(empty: index.shape, dtype: dtype)
        let idx = index.converted(to: .int64).contiguousIfNeeded()
        let pi = idx.pointer(Int64.self)
        let size = shape[d]
        func run<T: TensorElement>(_: T.Type) {
            let ps = storage.pointer(as: T.self), po = out.pointer(T.self)
            var o = 0
            forEachIndex(idx.shape) { coords in
                var off = layout.offset
                for k in 0..<coords.count where k != d { off += coords[k] * layout.strides[k] }
                let i = Int(pi[o])
                guard i >= -size && i < size else { fatalError("index \(i) is out of bounds for dimension \(d) with size \(size)") }
                off += (i < 0 ? i + size : i) * layout.strides[d]
                po[o] = ps[off]
                o += 1
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
        return out
    }

    /// Untracked `self[...index...] += src` along `d` (self must be contiguous).
    func scatterAddRaw(_ d: Int, _ index: Tensor, _ src: Tensor) {
        let idx = index.converted(to: .int64).contiguousIfNeeded()
        let s = src.converted(to: dtype).contiguousIfNeeded()
        let pi = idx.pointer(Int64.self)
        let size = shape[d]
        func run<T: TensorElement>(_: T.Type) {
            let pd = storage.pointer(as: T.self), psrc = s.pointer(T.self)
            var o = 0
            forEachIndex(idx.shape) { coords in
                var off = layout.offset
                for k in 0..<coords.count where k != d { off += coords[k] * layout.strides[k] }
                let i = Int(pi[o])
                guard i >= -size && i < size else { fatalError("index \(i) is out of bounds for dimension \(d) with size \(size)") }
                off += (i < 0 ? i + size : i) * layout.strides[d]
                pd[off] = T(fromDouble: pd[off].doubleValue + psrc[o].doubleValue)
                o += 1
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
    }

    /// Values along `dim` picked by `index`, as `torch.gather`.
    public func gather(_ dim: Int, _ index: Tensor) -> Tensor {
        let d = Shape.wrapDim(dim, rank: self.dim)
        precondition(index.dim == self.dim, "Index tensor must have the same number of dimensions as input tensor")
        let out = gatherRaw(d, index)
        let inShape = shape, idx = index.alias
        return Tensor.record("GatherBackward0", out, inputs: [self]) { g in
            let full = Tensor.zeros(inShape, dtype: g.dtype)
            full.scatterAddRaw(d, idx, g)
            return [full]
        }
    }

    /// Rows (or slices along `dim`) at `index`, as `torch.index_select`.
    public func indexSelect(_ dim: Int, _ index: Tensor) -> Tensor {
        let d = Shape.wrapDim(dim, rank: self.dim)
        precondition(index.dim <= 1, "index_select(): Index is supposed to be a vector")
        let idx = index.reshapeRaw([index.numel])
        var viewShape = [Int](repeating: 1, count: self.dim)
        viewShape[d] = idx.numel
        var outShape = shape
        outShape[d] = idx.numel
        let full = idx.reshapeRaw(viewShape).expand(outShape).contiguousCopy()
        let out = gatherRaw(d, full)
        let inShape = shape
        return Tensor.record("IndexSelectBackward0", out, inputs: [self]) { g in
            let result = Tensor.zeros(inShape, dtype: g.dtype)
            result.scatterAddRaw(d, full, g)
            return [result]
        }
    }

    private func indexTensor(_ index: Tensor) -> Tensor {
        let out = indexSelectRaw(index)
        let inShape = shape, idx = index.alias
        return Tensor.record("IndexBackward0", out, inputs: [self]) { g in
            let result = Tensor.zeros(inShape, dtype: g.dtype)
            result.indexAddRaw(idx, g)
            return [result]
        }
    }

    /// `self[index]` for an integer index tensor of any shape, without autograd.
    func indexSelectRaw(_ index: Tensor) -> Tensor {
        let flat = index.reshapeRaw([index.numel])
        let rows = flat.scalars(as: Int64.self)
        let n = shape[0]
        let rowShape = Array(shape.dropFirst())
        let out = Tensor(empty: index.shape + rowShape, dtype: dtype)
        let rowNumel = rowShape.reduce(1, *)
        for (k, r) in rows.enumerated() {
            let i = Int(r)
            guard i >= -n && i < n else { fatalError("index \(i) is out of bounds for dimension 0 with size \(n)") }
            let dst = out.viewing(Layout(shape: rowShape, strides: Layout.contiguousStrides(rowShape), offset: k * rowNumel))
            Kernels.copy(from: viewSelect(0, i < 0 ? i + n : i), into: dst)
        }
        return out
    }

    /// `self[index] += src` along dim 0 without autograd.
    func indexAddRaw(_ index: Tensor, _ src: Tensor) {
        let rows = index.reshapeRaw([index.numel]).scalars(as: Int64.self)
        let n = shape[0]
        let rowShape = Array(shape.dropFirst())
        let srcRows = src.reshapeRaw([rows.count] + rowShape)
        for (k, r) in rows.enumerated() {
            let i = Int(r) < 0 ? Int(r) + n : Int(r)
            let dst = viewSelect(0, i)
            Kernels.copy(from: Tensor.binaryRaw(.add, dst, srcRows.viewSelect(0, k), compute: dtype), into: dst)
        }
    }

    /// Elements where `mask` is true, flattened, as `torch.masked_select` / `t[mask]`.
    public func maskedSelect(_ mask: Tensor) -> Tensor {
        let m = mask.to(.bool)
        if m.shape == shape || (m.dim <= dim && Array(shape.prefix(m.dim)) == m.shape) {
            // t[mask] with a mask over leading dims keeps the trailing dims
            let flatMask = m.reshapeRaw([m.numel]).scalars(as: Bool.self)
            let picks = flatMask.enumerated().filter { $0.element }.map { Int64($0.offset) }
            let lead = m.numel
            let flatSelf = reshape([lead] + Array(shape.dropFirst(m.dim)))
            return flatSelf.indexTensor(Tensor(shape: [picks.count], scalars: picks))
        }
        let shapeB = Shape.broadcast(shape, m.shape)
        return expand(shapeB).maskedSelect(m.expand(shapeB))
    }

    /// Sets elements where `mask` is true to `value`, as `masked_fill_`.
    @discardableResult
    public func maskedFill_(_ mask: Tensor, _ value: Tensor) -> Tensor {
        let filled = Tensor.where(mask.to(.bool), value.to(dtype), self.detach())
        return copy_(filled)
    }

    /// A copy with elements where `mask` is true set to `value`, as `masked_fill`.
    public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
        Tensor.where(mask.to(.bool), Tensor.wrapped(value, like: self).to(dtype), self)
    }

    /// `self[index] = value` along dim 0, as `index_put_`.
    @discardableResult
    public func indexPut_(_ index: Tensor, _ value: Tensor) -> Tensor {
        checkInPlaceAllowed()
        let rows = index.reshapeRaw([index.numel]).scalars(as: Int64.self)
        let n = shape[0]
        let rowShape = Array(shape.dropFirst())
        let v = value.expand(index.shape + rowShape).reshapeRaw([rows.count] + rowShape)
        for (k, r) in rows.enumerated() {
            let i = Int(r)
            guard i >= -n && i < n else { fatalError("index \(i) is out of bounds for dimension 0 with size \(n)") }
            Kernels.copy(from: v.viewSelect(0, k), into: viewSelect(0, i < 0 ? i + n : i))
        }
        bumpVersion()
        return self
    }
}

/// Visits every coordinate of `shape` in row-major order.
func forEachIndex(_ shape: [Int], _ body: ([Int]) -> Void) {
    let n = shape.reduce(1, *)
    if n == 0 { return }
    var coords = [Int](repeating: 0, count: shape.count)
    for _ in 0..<n {
        body(coords)
        var d = shape.count - 1
        while d >= 0 {
            coords[d] += 1
            if coords[d] < shape[d] { break }
            coords[d] = 0
            d -= 1
        }
    }
}

extension TensorIndexConvertible where Self == TensorIndex {
    /// Every element along a dim, as `:` in `t[:, 2]`.
    public static var all: TensorIndex { TensorIndex(kind: .all) }
    /// A new size-1 dim, as `None` in `t[None]`.
    public static var newAxis: TensorIndex { TensorIndex(kind: .newAxis) }
    /// As many `.all` as needed, as `...` in `t[..., 0]`.
    public static var ellipsis: TensorIndex { TensorIndex(kind: .ellipsis) }
    /// `start..<end` stepping by `step`, as `t[start:end:step]`.
    public static func range(_ start: Int?, _ end: Int?, step: Int = 1) -> TensorIndex { TensorIndex(kind: .range(start: start, end: end, step: step)) }
}
