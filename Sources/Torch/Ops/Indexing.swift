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
        // writes through a view, so the history moves to this tensor as PyTorch's CopySlices
        set { index(indices.map { $0.tensorIndex }).copy_(newValue) }
    }

    /// Boolean-mask or integer-tensor indexing along the first dims, as `t[mask]` / `t[idx]`.
    ///
    /// ```swift
    /// t[t > 0]            // the positive elements
    /// t[t < 0] = Tensor(0.0)
    /// ```
    public subscript(_ selector: Tensor) -> Tensor {
        get {
            if selector.dtype == .bool || selector.dtype == .uint8 {
                checkMaskShape(selector)
                return maskedSelect(selector)
            }
            return indexTensor(selector)
        }
        set {
            if selector.dtype == .bool || selector.dtype == .uint8 {
                checkMaskShape(selector)
                let positions = maskPositions(selector)
                indexPut(at: positions, leadingDims: selector.dim,
                         resultShape: [positions.count] + shape.dropFirst(selector.dim), newValue)
            } else {
                indexPut_(selector, newValue)
            }
        }
    }

    /// A mask indexes the leading dims, whose sizes it must match.
    private func checkMaskShape(_ mask: Tensor) {
        guard mask.dim <= dim else { fatalError("too many indices for tensor of dimension \(dim)") }
        for i in 0..<mask.dim where mask.shape[i] != shape[i] {
            fatalError("The shape of the mask \(Shape.describe(mask.shape)) at index \(i) does not match the shape of the indexed tensor \(Shape.describe(shape)) at index \(i)")
        }
    }

    /// Coordinates (over the mask's dims) of the true elements of `mask`, in row-major order.
    private func maskPositions(_ mask: Tensor) -> [[Int]] {
        let flags = mask.to(.bool).scalars(as: Bool.self)
        var positions: [[Int]] = []
        var i = 0
        forEachIndex(mask.shape) { coords in
            if flags[i] { positions.append(coords) }
            i += 1
        }
        return positions
    }

    /// The sub-tensor at coordinates `p` over the leading dims (an untracked view).
    func subTensor(_ p: [Int]) -> Tensor {
        var t = self
        for c in p { t = t.viewSelect(0, c) }
        return t
    }

    /// Writes `value`, broadcast to `resultShape` (one row per position, then the trailing dims),
    /// into the sub-tensors at `positions`, recording `IndexPutBackward0` as `index_put_` does.
    @discardableResult
    private func indexPut(at positions: [[Int]], leadingDims: Int, resultShape: [Int], _ value: Tensor) -> Tensor {
        checkInPlaceAllowed()
        guard Shape.broadcasts(value.shape, to: resultShape) else {
            fatalError("shape mismatch: value tensor of shape \(Shape.describe(value.shape)) cannot be broadcast to indexing result of shape \(Shape.describe(resultShape))")
        }
        let rowsShape = [positions.count] + shape.dropFirst(leadingDims)
        let rows = Tensor(empty: resultShape, dtype: dtype)
        Kernels.copy(from: value, into: rows)
        let flatRows = rows.viewing(Layout(contiguous: rowsShape))
        for (k, p) in positions.enumerated() { Kernels.copy(from: flatRows.viewSelect(0, k), into: subTensor(p)) }
        bumpVersion()
        guard GradMode.isEnabled && dtype.isFloatingPoint && (requiresGradFlag || value.requiresGradFlag) else { return self }
        let node = Node(name: "IndexPutBackward0", edges: [gradientEdge(), value.gradientEdge()])
        let sv = value.alias
        node.backwardFn = { g in
            let gSelf = g.contiguousCopy()
            let gRows = Tensor(empty: rowsShape, dtype: g.dtype)
            // every listed position receives its gradient, even when a later one overwrote it
            for (k, p) in positions.enumerated() { Kernels.copy(from: gSelf.subTensor(p), into: gRows.viewSelect(0, k)) }
            for p in positions { Kernels.fill(gSelf.subTensor(p), 0) }
            return [gSelf, Tensor.reduceGrad(gRows.viewing(Layout(contiguous: resultShape)), to: sv)]
        }
        adoptHistory(node)
        return self
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
                let size = result.shape[d]
                guard i >= -size && i < size else {
                    fatalError("index \(i) is out of bounds for dimension \(d) with size \(size)")
                }
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
        for i in idx.scalars(as: Int64.self) where i < 0 || Int(i) >= shape[d] {
            fatalError("INDICES element is out of DATA bounds, id=\(i) axis_dim=\(shape[d])")
        }
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

    /// A copy with elements where `mask` is true set to `value`, as `masked_fill`.
    ///
    /// ```swift
    /// scores.maskedFill(padding, -Double.infinity)
    /// ```
    public func maskedFill(_ mask: Tensor, _ value: Double) -> Tensor {
        maskedFill(mask, Tensor.wrapped(value, like: self))
    }

    /// A copy with elements where `mask` is true set to a 0-d tensor's value (differentiable in
    /// both), as `masked_fill(mask, tensor)`.
    public func maskedFill(_ mask: Tensor, _ value: Tensor) -> Tensor {
        precondition(value.dim == 0, "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with \(value.dim) dimension(s).")
        let m = mask.to(.bool)
        let out = withNoGrad { Tensor.where(m, value.to(dtype), detach()) }
        guard out.shape == shape else {
            fatalError("output with shape \(Shape.describe(shape)) doesn't match the broadcast shape \(Shape.describe(out.shape))")
        }
        let sm = m.alias, sv = value.alias, needValue = value.requiresGradFlag
        // a Swift scalar is a constant (MaskedFillBackward0); a tensor value gets a gradient too
        if value.isWrappedScalar {
            return Tensor.record("MaskedFillBackward0", out, inputs: [self], saving: [m]) { g in
                [Tensor.where(sm, Tensor.zerosLike(g), g)]
            }
        }
        return Tensor.record("MaskedFillBackward1", out, inputs: [self, value], saving: [m]) { g in
            let zero = Tensor.zerosLike(g)
            return [Tensor.where(sm, zero, g), needValue ? Tensor.where(sm, g, zero).sum().to(sv.dtype) : nil]
        }
    }

    /// `self[index] = value` along dim 0, as `index_put_`.
    @discardableResult
    public func indexPut_(_ index: Tensor, _ value: Tensor) -> Tensor {
        let n = shape[0]
        let positions = index.reshapeRaw([index.numel]).scalars(as: Int64.self).map { r -> [Int] in
            let i = Int(r)
            guard i >= -n && i < n else { fatalError("index \(i) is out of bounds for dimension 0 with size \(n)") }
            return [i < 0 ? i + n : i]
        }
        return indexPut(at: positions, leadingDims: 1, resultShape: index.shape + shape.dropFirst(), value)
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
