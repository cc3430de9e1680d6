extension Tensor {
    /// Concatenates along an existing dim, as `torch.cat`.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "torch.cat(): expected a non-empty list of Tensors")
        // 1-D empty tensors are skipped, as PyTorch's legacy rule
        let parts = tensors.filter { !($0.dim == 1 && $0.numel == 0) }
        guard let first = parts.first else { return tensors[0] }
        let d = Shape.wrapDim(dim, rank: first.dim)
        var dtype = first.dtype
        for t in parts.dropFirst() { dtype = Promotion.resultType(Tensor(empty: [0], dtype: dtype), t) }
        for (i, t) in parts.enumerated() {
            guard t.dim == first.dim else {
                fatalError("Tensors must have same number of dimensions: got \(first.dim) and \(t.dim)")
            }
            for k in 0..<t.dim where k != d && t.shape[k] != first.shape[k] {
                fatalError("Sizes of tensors must match except in dimension \(d). Expected size \(first.shape[k]) but got size \(t.shape[k]) for tensor number \(i) in the list.")
            }
        }
        var outShape = first.shape
        outShape[d] = parts.map { $0.shape[d] }.reduce(0, +)
        let out = Tensor(empty: outShape, dtype: dtype)
        var start = 0
        var ranges: [(Int, Int)] = []
        for t in parts {
            let len = t.shape[d]
            Kernels.copy(from: t, into: out.viewSlice(d, start, start + len, 1))
            ranges.append((start, start + len))
            start += len
        }
        let types = parts.map { $0.dtype }
        return record("CatBackward0", out, inputs: parts) { g in
            zip(ranges, types).map { r, t in g.viewSlice(d, r.0, r.1, 1).to(t) }
        }
    }

    /// Stacks along a new dim, as `torch.stack`.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack expects a non-empty TensorList")
        let d = Shape.wrapDim(dim, rank: tensors[0].dim + 1)
        for (i, t) in tensors.enumerated() where t.shape != tensors[0].shape {
            fatalError("stack expects each tensor to be equal size, but got \(Shape.describe(tensors[0].shape)) at entry 0 and \(Shape.describe(t.shape)) at entry \(i)")
        }
        let joined = withNoGrad { cat(tensors.map { $0.unsqueeze(d) }, dim: d) }
        return record("StackBackward0", joined, inputs: tensors) { g in
            (0..<tensors.count).map { g.select(d, $0) }
        }
    }

    /// Splits into pieces of `size` along `dim` (the last may be smaller), as `torch.split`.
    public func split(_ size: Int, dim: Int = 0) -> [Tensor] {
        precondition(size > 0, "split_size can only be 0 if dimension size is 0, but got dimension size of \(shape[Shape.wrapDim(dim, rank: self.dim)])")
        let d = Shape.wrapDim(dim, rank: self.dim)
        let n = shape[d]
        var sizes: [Int] = []
        var s = 0
        while s < n { sizes.append(Swift.min(size, n - s)); s += size }
        if n == 0 { sizes = [0] }
        return pieces(sizes, dim: d, name: "SplitBackward0")
    }

    /// Splits into pieces with the given sizes along `dim`, as `torch.split(t, [1, 3])`.
    public func split(sizes: [Int], dim: Int = 0) -> [Tensor] {
        let d = Shape.wrapDim(dim, rank: self.dim)
        guard sizes.reduce(0, +) == shape[d] else {
            fatalError("split_with_sizes expects split_sizes to sum exactly to \(shape[d]) (input tensor's size at dimension \(d)), but got split_sizes=\(Shape.describe(sizes))")
        }
        return pieces(sizes, dim: d, name: "SplitWithSizesBackward0")
    }

    /// Views of consecutive pieces along `d`, each recorded as `name`.
    private func pieces(_ sizes: [Int], dim d: Int, name: String) -> [Tensor] {
        var start = 0
        var result: [Tensor] = []
        let inShape = shape, dt = dtype
        for len in sizes {
            let s = start
            let view = makeView(viewSlice(d, s, s + len, 1).layout)
            result.append(Tensor.record(name, view, inputs: [self]) { g in
                let full = Tensor.zeros(inShape, dtype: dt)
                full.viewSlice(d, s, s + len, 1).copyRaw(from: g)
                return [full]
            })
            start += len
        }
        return result
    }

    /// Splits into `chunks` nearly equal pieces, as `torch.chunk`.
    public func chunk(_ chunks: Int, dim: Int = 0) -> [Tensor] {
        precondition(chunks > 0, "chunk expects `chunks` to be greater than 0, got: \(chunks)")
        let n = shape[Shape.wrapDim(dim, rank: self.dim)]
        return split(Swift.max(1, (n + chunks - 1) / chunks), dim: dim)
    }

    /// Slices along `dim`, as `torch.unbind`.
    public func unbind(dim: Int = 0) -> [Tensor] {
        let d = Shape.wrapDim(dim, rank: self.dim)
        let inShape = shape, dt = dtype
        return (0..<shape[d]).map { i in
            Tensor.record("UnbindBackward0", withNoGrad { select(d, i) }, inputs: [self]) { g in
                let full = Tensor.zeros(inShape, dtype: dt)
                full.viewSelect(d, i).copyRaw(from: g)
                return [full]
            }
        }
    }
}
