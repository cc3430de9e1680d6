enum ReduceOp { case sum, prod, max, min, argmax, argmin }

extension Tensor {
    /// Reduces `dims` with `op` (no autograd). Sums and products of integers give int64;
    /// arg-reductions give int64 indices into the (flattened) reduced dims.
    static func reduceRaw(_ op: ReduceOp, _ input: Tensor, dims: [Int], keepDim: Bool) -> Tensor {
        let rank = input.dim
        let reduced = Set(dims)
        let kept = (0..<rank).filter { !reduced.contains($0) }
        let outShapeKeep = (0..<rank).map { reduced.contains($0) ? 1 : input.shape[$0] }
        let outShape = keepDim ? outShapeKeep : kept.map { input.shape[$0] }
        let outer = kept.map { input.shape[$0] }.reduce(1, *)
        let inner = dims.map { input.shape[$0] }.reduce(1, *)
        if inner == 0 && (op == .max || op == .min || op == .argmax || op == .argmin) && outer > 0 {
            fatalError("\(op)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let outType: DType
        switch op {
        case .sum, .prod: outType = input.dtype.isFloatingPoint ? input.dtype : .int64
        case .max, .min: outType = input.dtype
        case .argmax, .argmin: outType = .int64
        }
        let out = Tensor(empty: outShape, dtype: outType)
        // Reducing leading dims of contiguous data: accumulate whole rows (bias gradients).
        if op == .sum && input.isContiguous && input.dtype.isFloatingPoint && dims == Array(0..<dims.count) {
            Kernels.fill(out, 0)
            if input.dtype == .float32 {
                sumRows(input.pointer(Float.self), out.pointer(Float.self), rows: inner, cols: outer)
            } else {
                sumRows(input.pointer(Double.self), out.pointer(Double.self), rows: inner, cols: outer)
            }
            return out
        }
        // Move reduced dims last so each output reads one contiguous run.
        let src = input.permuteRaw(kept + dims).contiguousIfNeeded()
        func run<T: ArithmeticElement>(_: T.Type) {
            let p = src.pointer(T.self)
            switch op {
            case .sum:
                if T.dtype.isFloatingPoint {
                    let o = out.pointer(T.self)
                    parallelChunks(outer, grain: Swift.max(1, 16384 / Swift.max(inner, 1))) { r in
                        for i in r {
                            var acc = 0.0
                            let row = p + i * inner
                            for j in 0..<inner { acc += row[j].doubleValue }
                            o[i] = T(fromDouble: acc)
                        }
                    }
                } else {
                    let o = out.pointer(Int64.self)
                    for i in 0..<outer {
                        var acc: Int64 = 0
                        for j in 0..<inner { acc &+= p[i * inner + j].int64Value }
                        o[i] = acc
                    }
                }
            case .prod:
                if T.dtype.isFloatingPoint {
                    let o = out.pointer(T.self)
                    for i in 0..<outer {
                        var acc = T.oneValue
                        for j in 0..<inner { acc = T.mul(acc, p[i * inner + j]) }
                        o[i] = acc
                    }
                } else {
                    let o = out.pointer(Int64.self)
                    for i in 0..<outer {
                        var acc: Int64 = 1
                        for j in 0..<inner { acc &*= p[i * inner + j].int64Value }
                        o[i] = acc
                    }
                }
            case .max, .min, .argmax, .argmin:
                let wantMax = op == .max || op == .argmax
                var best = [Int](repeating: 0, count: outer)
                for i in 0..<outer {
                    let row = p + i * inner
                    var bi = 0
                    var bv = row[0]
                    if bv == bv {  // NaN wins at once
                        for j in 1..<Swift.max(inner, 1) {
                            let v = row[j]
                            if v != v { bi = j; break }
                            if wantMax ? T.less(bv, v) : T.less(v, bv) { bv = v; bi = j }
                        }
                    }
                    best[i] = bi
                }
                if op == .max || op == .min {
                    let o = out.pointer(T.self)
                    for i in 0..<outer { o[i] = p[i * inner + best[i]] }
                } else {
                    let o = out.pointer(Int64.self)
                    for i in 0..<outer { o[i] = Int64(best[i]) }
                }
            }
        }
        switch src.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        case .int64: run(Int64.self)
        case .int32: run(Int32.self)
        case .uint8: run(UInt8.self)
        case .bool: run(Bool.self)
        }
        return out
    }

    private static func sumRows<T: BinaryFloatingPoint>(_ p: UnsafeMutablePointer<T>, _ o: UnsafeMutablePointer<T>, rows: Int, cols: Int) {
        for r in 0..<rows {
            let row = p + r * cols
            for c in 0..<cols { o[c] += row[c] }
        }
    }

    func permuteRaw(_ dims: [Int]) -> Tensor {
        viewing(Layout(shape: dims.map { shape[$0] }, strides: dims.map { layout.strides[$0] }, offset: layout.offset))
    }
    func contiguousIfNeeded() -> Tensor { isContiguous ? self : contiguousCopy() }

    func normalizedDims(_ dims: [Int]) -> [Int] {
        let d = dims.map { Shape.wrapDim($0, rank: dim) }.sorted()
        for i in 1..<Swift.max(d.count, 1) where d[i] == d[i - 1] {
            fatalError("dim \(d[i]) appears multiple times in the list of dims")
        }
        return d
    }

    /// Broadcasts a reduced gradient back to the input's shape.
    static func unreduce(_ g: Tensor, dims: [Int], keepDim: Bool, to shape: [Int]) -> Tensor {
        var g = g
        if !keepDim { for d in dims { g = g.unsqueeze(d) } }
        return g.expand(shape)
    }

    // MARK: sum, mean, prod

    /// Sum of all elements, as `torch.sum` (integers sum to int64).
    public func sum() -> Tensor {
        let out = Tensor.reduceRaw(.sum, self, dims: Array(0..<dim), keepDim: false)
        let inShape = shape
        return Tensor.record("SumBackward0", out, inputs: [self]) { g in [g.expand(inShape)] }
    }
    /// Sum over `dim`, as `tensor.sum(dim, keepdim)`.
    public func sum(dim: Int, keepDim: Bool = false) -> Tensor { sum(dims: [dim], keepDim: keepDim) }
    /// Sum over several dims.
    public func sum(dims: [Int], keepDim: Bool = false) -> Tensor {
        let d = normalizedDims(dims)
        let out = Tensor.reduceRaw(.sum, self, dims: d, keepDim: keepDim)
        let inShape = shape
        return Tensor.record("SumBackward1", out, inputs: [self]) { g in [Tensor.unreduce(g, dims: d, keepDim: keepDim, to: inShape)] }
    }

    private func requireFloatForMean() {
        guard dtype.isFloatingPoint else {
            fatalError("mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: \(dtypeName)")
        }
    }

    /// Mean of all elements, as `torch.mean`.
    public func mean() -> Tensor {
        requireFloatForMean()
        let n = numel
        let out = Tensor.reduceRaw(.sum, self, dims: Array(0..<dim), keepDim: false)
        Tensor.binaryRaw(.div, out, Tensor.full([], Double(n), dtype: dtype), compute: dtype, into: out)
        let inShape = shape
        return Tensor.record("MeanBackward0", out, inputs: [self]) { g in [(g / Double(n)).expand(inShape)] }
    }
    /// Mean over `dim`.
    public func mean(dim: Int, keepDim: Bool = false) -> Tensor { mean(dims: [dim], keepDim: keepDim) }
    /// Mean over several dims.
    public func mean(dims: [Int], keepDim: Bool = false) -> Tensor {
        requireFloatForMean()
        let d = normalizedDims(dims)
        let n = d.map { shape[$0] }.reduce(1, *)
        let out = Tensor.reduceRaw(.sum, self, dims: d, keepDim: keepDim)
        Tensor.binaryRaw(.div, out, Tensor.full([], Double(n), dtype: dtype), compute: dtype, into: out)
        let inShape = shape
        return Tensor.record("MeanBackward1", out, inputs: [self]) { g in
            [Tensor.unreduce(g / Double(n), dims: d, keepDim: keepDim, to: inShape)]
        }
    }

    /// Product of all elements, as `torch.prod`.
    public func prod() -> Tensor {
        let out = Tensor.reduceRaw(.prod, self, dims: Array(0..<dim), keepDim: false)
        let sa = alias, so = out.alias
        return Tensor.record("ProdBackward0", out, inputs: [self], saving: [self, out]) { g in
            [Tensor.prodBackward(g, sa, so, dims: Array(0..<sa.dim), keepDim: false)]
        }
    }
    /// Product over `dim`.
    public func prod(dim: Int, keepDim: Bool = false) -> Tensor {
        let d = [Shape.wrapDim(dim, rank: self.dim)]
        let out = Tensor.reduceRaw(.prod, self, dims: d, keepDim: keepDim)
        let sa = alias, so = out.alias
        return Tensor.record("ProdBackward1", out, inputs: [self], saving: [self, out]) { g in
            [Tensor.prodBackward(g, sa, so, dims: d, keepDim: keepDim)]
        }
    }

    /// d prod / dx_i = product of the other elements, computed safely when some x are zero.
    static func prodBackward(_ g: Tensor, _ x: Tensor, _ out: Tensor, dims: [Int], keepDim: Bool) -> Tensor {
        let isZero = x.eq(0)
        let ge = unreduce(g, dims: dims, keepDim: keepDim, to: x.shape)
        let oe = unreduce(out, dims: dims, keepDim: keepDim, to: x.shape)
        let nonZeroProd = unreduce(Tensor.where(isZero, Tensor.onesLike(x), x).prod(dims: dims), dims: dims, keepDim: false, to: x.shape)
        let zeroCount = unreduce(isZero.sum(dims: dims, keepDim: false), dims: dims, keepDim: false, to: x.shape)
        let others = Tensor.where(isZero, Tensor.where(zeroCount.eq(1), nonZeroProd, Tensor.zerosLike(x)),
                                  oe / Tensor.where(isZero, Tensor.onesLike(x), x))
        return ge * others
    }

    func prod(dims: [Int]) -> Tensor {
        var r = self
        for d in dims.sorted(by: >) { r = Tensor.reduceRaw(.prod, r, dims: [d], keepDim: true) }
        return r.reshape(shape.enumerated().filter { !dims.contains($0.offset) }.map { $0.element })
    }

    // MARK: max, min, arg

    /// Largest element, as `torch.max(t)` (NaN propagates).
    public func max() -> Tensor { extremum(.max, name: "MaxBackward1") }
    /// Smallest element, as `torch.min(t)`.
    public func min() -> Tensor { extremum(.min, name: "MinBackward1") }

    private func extremum(_ op: ReduceOp, name: String) -> Tensor {
        guard numel > 0 else {
            fatalError("\(op)(): Expected reduction dim to be specified for input.numel() == 0. Specify the reduction dim with the 'dim' argument.")
        }
        let out = Tensor.reduceRaw(op, reshapeRaw([numel]), dims: [0], keepDim: false)
        let sa = alias, so = out.alias
        return Tensor.record(name, out, inputs: [self], saving: [self, out]) { g in
            // evenly shared among ties, as PyTorch
            let mask = sa.eq(so).to(g.dtype)
            return [mask * (g / mask.sum())]
        }
    }

    /// Largest values along `dim` and their indices, as `torch.max(t, dim)`.
    public func max(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        extremum(dim: dim, keepDim: keepDim, .argmax, name: "MaxBackward0")
    }
    /// Smallest values along `dim` and their indices, as `torch.min(t, dim)`.
    public func min(dim: Int, keepDim: Bool = false) -> (values: Tensor, indices: Tensor) {
        extremum(dim: dim, keepDim: keepDim, .argmin, name: "MinBackward0")
    }

    private func extremum(dim: Int, keepDim: Bool, _ op: ReduceOp, name: String) -> (values: Tensor, indices: Tensor) {
        let d = Shape.wrapDim(dim, rank: self.dim)
        let src = self.dim == 0 ? reshapeRaw([1]) : self
        let indices = Tensor.reduceRaw(op, src, dims: [d], keepDim: true)
        let values = src.gatherRaw(d, indices)
        let outIdx = keepDim || self.dim == 0 ? indices.reshapeRaw(keepDim ? indices.shape : shape) : indices.squeezeRaw(d)
        let outVal = keepDim || self.dim == 0 ? values.reshapeRaw(keepDim ? values.shape : shape) : values.squeezeRaw(d)
        let inShape = shape
        let result = Tensor.record(name, outVal, inputs: [self], saving: [outIdx]) { g in
            let gk = keepDim || inShape.isEmpty ? g : g.unsqueeze(d)
            let full = Tensor.zeros(inShape.isEmpty ? [1] : inShape, dtype: g.dtype)
            full.scatterAddRaw(d, indices, gk.reshape(indices.shape))
            return [inShape.isEmpty ? full.reshape([]) : full]
        }
        return (result, outIdx)
    }

    /// Index of the largest element (flattened) or along `dim`, as `torch.argmax`.
    public func argmax(dim: Int? = nil, keepDim: Bool = false) -> Tensor { argExtremum(.argmax, dim, keepDim) }
    /// Index of the smallest element (flattened) or along `dim`, as `torch.argmin`.
    public func argmin(dim: Int? = nil, keepDim: Bool = false) -> Tensor { argExtremum(.argmin, dim, keepDim) }

    private func argExtremum(_ op: ReduceOp, _ dim: Int?, _ keepDim: Bool) -> Tensor {
        guard let dim else {
            let r = Tensor.reduceRaw(op, reshapeRaw([numel]), dims: [0], keepDim: false)
            return keepDim ? r.reshapeRaw([Int](repeating: 1, count: self.dim)) : r
        }
        if self.dim == 0 { return Tensor.zeros([], dtype: .int64) }
        return Tensor.reduceRaw(op, self, dims: [Shape.wrapDim(dim, rank: self.dim)], keepDim: keepDim)
    }

    // MARK: var, std

    /// Variance over all elements with Bessel's correction, as `torch.var`.
    public func `var`(correction: Int = 1) -> Tensor { variance(dims: Array(0..<dim), correction: correction, keepDim: false, std: false) }
    /// Variance over `dim`.
    public func `var`(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        variance(dims: [dim], correction: correction, keepDim: keepDim, std: false)
    }
    /// Standard deviation over all elements, as `torch.std`.
    public func std(correction: Int = 1) -> Tensor { variance(dims: Array(0..<dim), correction: correction, keepDim: false, std: true) }
    /// Standard deviation over `dim`.
    public func std(dim: Int, correction: Int = 1, keepDim: Bool = false) -> Tensor {
        variance(dims: [dim], correction: correction, keepDim: keepDim, std: true)
    }

    private func variance(dims: [Int], correction: Int, keepDim: Bool, std: Bool) -> Tensor {
        requireFloatForMean()
        let d = normalizedDims(dims)
        let n = d.map { shape[$0] }.reduce(1, *)
        let x = detach()
        let centered = x - x.mean(dims: d, keepDim: true)
        let denom = Double(Swift.max(n - correction, 0))
        let v = (centered * centered).sum(dims: d, keepDim: keepDim) / denom
        let out = std ? v.sqrt() : v
        let sc = centered.alias, so = out.alias
        return Tensor.record(std ? "StdBackward0" : "VarBackward0", out, inputs: [self], saving: [self]) { g in
            var gv = Tensor.unreduce(g, dims: d, keepDim: keepDim, to: sc.shape)
            if std { gv = gv / Tensor.unreduce(so * 2, dims: d, keepDim: keepDim, to: sc.shape) }
            else { gv = gv * 1 }
            return [gv * sc * (2 / denom)]
        }
    }

    /// log(sum(exp(x))) over `dim`, computed stably, as `torch.logsumexp`.
    public func logsumexp(dim: Int, keepDim: Bool = false) -> Tensor {
        let d = Shape.wrapDim(dim, rank: self.dim)
        let out = withNoGrad { () -> Tensor in
            let m = Tensor.reduceRaw(.max, self, dims: [d], keepDim: true)
            let finiteMax = Tensor.where(m.abs().eq(Double.infinity), Tensor.zerosLike(m), m)
            let r = (self - finiteMax).exp().sum(dim: d, keepDim: true).log() + finiteMax
            return keepDim ? r : r.squeezeRaw(d)
        }
        let sa = alias, so = out.alias
        return Tensor.record("LogsumexpBackward0", out, inputs: [self], saving: [self, out]) { g in
            // d/dx logsumexp(x) = softmax(x) = exp(x - out)
            [(keepDim ? g : g.unsqueeze(d)) * (sa - (keepDim ? so : so.unsqueeze(d))).exp()]
        }
    }

    func reshapeRaw(_ shape: [Int]) -> Tensor {
        let src = contiguousIfNeeded()
        return src.viewing(Layout(shape: shape, strides: Layout.contiguousStrides(shape), offset: src.layout.offset))
    }
    func squeezeRaw(_ d: Int) -> Tensor {
        var s = shape; s.remove(at: d)
        return reshapeRaw(s)
    }
}

/// Sum of all elements.
public func sum(_ t: Tensor) -> Tensor { t.sum() }
/// Mean of all elements.
public func mean(_ t: Tensor) -> Tensor { t.mean() }
