extension Tensor {
    /// A tensor sharing this one's storage with another layout (no copy).
    func viewing(_ layout: Layout) -> Tensor {
        Tensor(storage: storage, layout: layout, dtype: dtype)
    }

    /// A differentiable view: like `viewing`, and remembers the tensor owning the memory so that
    /// in-place ops through the view update that tensor's history.
    func makeView(_ layout: Layout) -> Tensor {
        let out = viewing(layout)
        out.viewBase = viewBase ?? self
        return out
    }

    /// Resolves one `-1` in a requested shape, trapping with PyTorch's message when impossible.
    func inferShape(_ requested: [Int]) -> [Int] {
        var shape = requested
        let known = requested.filter { $0 != -1 }.reduce(1, *)
        let unknown = requested.indices.filter { requested[$0] == -1 }
        if unknown.count > 1 { fatalError("only one dimension can be inferred") }
        if let u = unknown.first {
            guard known != 0, numel % known == 0 else {
                fatalError("shape '\(Shape.describe(requested))' is invalid for input of size \(numel)")
            }
            shape[u] = numel / known
        }
        for s in shape where s < 0 { fatalError("invalid shape dimension \(s)") }
        guard shape.reduce(1, *) == numel else {
            fatalError("shape '\(Shape.describe(requested))' is invalid for input of size \(numel)")
        }
        return shape
    }

    /// Strides for viewing this layout with `newShape` without copying, or nil (PyTorch's computeStride).
    func viewStrides(_ newShape: [Int]) -> [Int]? {
        if layout.isContiguous { return Layout.contiguousStrides(newShape) }
        if numel == 0 { return Layout.contiguousStrides(newShape) }
        let oldShape = layout.shape, oldStrides = layout.strides
        var newStrides = [Int](repeating: 0, count: newShape.count)
        var viewD = newShape.count - 1
        var chunkBase = oldStrides.last ?? 1
        var tensorNumel = 1, viewNumel = 1
        var tensorD = oldShape.count - 1
        while tensorD >= 0 {
            tensorNumel *= oldShape[tensorD]
            if tensorD == 0 || (oldShape[tensorD - 1] != 1 && oldStrides[tensorD - 1] != tensorNumel * chunkBase) {
                while viewD >= 0 && (viewNumel < tensorNumel || newShape[viewD] == 1) {
                    newStrides[viewD] = viewNumel * chunkBase
                    viewNumel *= newShape[viewD]
                    viewD -= 1
                }
                if viewNumel != tensorNumel { return nil }
                if tensorD > 0 {
                    chunkBase = oldStrides[tensorD - 1]
                    tensorNumel = 1
                    viewNumel = 1
                }
            }
            tensorD -= 1
        }
        return viewD == -1 ? newStrides : nil
    }

    /// Same data, new shape, no copy; refuses incompatible strides as `torch.view` does.
    public func view(_ shape: [Int]) -> Tensor {
        let newShape = inferShape(shape)
        guard let strides = viewStrides(newShape) else {
            fatalError("view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
        }
        let out = makeView(Layout(shape: newShape, strides: strides, offset: layout.offset))
        let inShape = self.shape
        return Tensor.record("ViewBackward0", out, inputs: [self]) { g in [g.reshape(inShape)] }
    }
    /// `view(2, 3)` with variadic sizes.
    public func view(_ shape: Int...) -> Tensor { view(shape) }

    /// A view when strides allow, otherwise a copy, as `torch.reshape`.
    public func reshape(_ shape: [Int]) -> Tensor {
        let newShape = inferShape(shape)
        if viewStrides(newShape) != nil { return view(newShape) }
        let copy = contiguous()
        let out = copy.detach().viewing(Layout(contiguous: newShape))
        let inShape = copy.shape
        return Tensor.record("UnsafeViewBackward0", out, inputs: [copy]) { g in [g.reshape(inShape)] }
    }
    /// `reshape(-1, 12)` with variadic sizes.
    public func reshape(_ shape: Int...) -> Tensor { reshape(shape) }

    /// Flattens dims `startDim...endDim` into one, as `torch.flatten`.
    public func flatten(startDim: Int = 0, endDim: Int = -1) -> Tensor {
        if dim == 0 { return reshape([1]) }
        let s = Shape.wrapDim(startDim, rank: dim), e = Shape.wrapDim(endDim, rank: dim)
        precondition(s <= e, "flatten() has invalid args: start_dim cannot come after end_dim")
        if s == e { return self }
        let middle = shape[s...e].reduce(1, *)
        return reshape(Array(shape[..<s]) + [middle] + Array(shape[(e + 1)...]))
    }

    /// Removes size-1 dims (all, or just `dim`), as `torch.squeeze`.
    public func squeeze(_ dim: Int? = nil) -> Tensor {
        var keep: [Int]
        if let d = dim {
            let d = Shape.wrapDim(d, rank: self.dim)
            keep = Array(0..<self.dim)
            if self.dim > 0 && shape[d] == 1 { keep.remove(at: d) }
        } else {
            keep = (0..<self.dim).filter { shape[$0] != 1 }
        }
        let out = makeView(Layout(shape: keep.map { shape[$0] }, strides: keep.map { layout.strides[$0] }, offset: layout.offset))
        let inShape = shape
        return Tensor.record(dim == nil ? "SqueezeBackward0" : "SqueezeBackward1", out, inputs: [self]) { g in [g.reshape(inShape)] }
    }

    /// Inserts a size-1 dim at `dim`, as `torch.unsqueeze`.
    public func unsqueeze(_ dim: Int) -> Tensor {
        let d = Shape.wrapDim(dim, rank: self.dim + 1)
        var shape = self.shape, strides = layout.strides
        let stride = d < self.dim ? shape[d] * strides[d] : 1
        shape.insert(1, at: d)
        strides.insert(stride, at: d)
        let out = makeView(Layout(shape: shape, strides: strides, offset: layout.offset))
        return Tensor.record("UnsqueezeBackward0", out, inputs: [self]) { g in [g.squeeze(d)] }
    }

    /// Reorders dims, as `torch.permute`.
    public func permute(_ dims: [Int]) -> Tensor {
        precondition(dims.count == dim, "permute(sparse_coo): number of dimensions in the tensor input does not match the length of the desired ordering of dimensions i.e. input.dim() = \(dim) is not equal to len(dims) = \(dims.count)")
        let d = dims.map { Shape.wrapDim($0, rank: dim) }
        precondition(Set(d).count == d.count, "permute(): duplicate dims are not allowed.")
        let out = makeView(Layout(shape: d.map { shape[$0] }, strides: d.map { layout.strides[$0] }, offset: layout.offset))
        var inverse = [Int](repeating: 0, count: d.count)
        for (i, p) in d.enumerated() { inverse[p] = i }
        return Tensor.record("PermuteBackward0", out, inputs: [self]) { g in [g.permute(inverse)] }
    }
    /// `permute(1, 0)` with variadic dims.
    public func permute(_ dims: Int...) -> Tensor { permute(dims) }

    /// Swaps two dims, as `torch.transpose`.
    public func transpose(_ dim0: Int, _ dim1: Int) -> Tensor {
        let a = Shape.wrapDim(dim0, rank: dim), b = Shape.wrapDim(dim1, rank: dim)
        var shape = self.shape, strides = layout.strides
        shape.swapAt(a, b)
        strides.swapAt(a, b)
        let out = makeView(Layout(shape: shape, strides: strides, offset: layout.offset))
        return Tensor.record("TransposeBackward0", out, inputs: [self]) { g in [g.transpose(a, b)] }
    }

    /// Transpose of a matrix (≤ 2-D), as `tensor.t()`.
    public func t() -> Tensor {
        precondition(dim <= 2, "t() expects a tensor with <= 2 dimensions, but self is \(dim)D")
        if dim < 2 { return Tensor.record("TBackward0", makeView(layout), inputs: [self]) { g in [g] } }
        let out = makeView(Layout(shape: [shape[1], shape[0]], strides: [layout.strides[1], layout.strides[0]], offset: layout.offset))
        return Tensor.record("TBackward0", out, inputs: [self]) { g in [g.t()] }
    }

    /// All dims reversed, as `tensor.T` (a permutation even for 0-d and 1-D tensors).
    public var T: Tensor { permute(Array((0..<dim).reversed())) }

    /// Broadcasts size-1 dims to `shape` without copying, as `torch.expand` (-1 keeps a size).
    public func expand(_ shape: [Int]) -> Tensor {
        precondition(shape.count >= dim, "expand: the number of sizes provided (\(shape.count)) must be greater or equal to the number of dimensions in the tensor (\(dim))")
        if shape == self.shape { return self }
        let shift = shape.count - dim
        var newShape = shape, strides = [Int](repeating: 0, count: shape.count)
        for i in 0..<shape.count {
            if i < shift {
                precondition(shape[i] >= 0, "The expanded size of the tensor (-1) isn't allowed in a leading, non-existing dimension \(i)")
                continue
            }
            let old = self.shape[i - shift]
            if shape[i] == -1 { newShape[i] = old }
            if old == newShape[i] {
                strides[i] = layout.strides[i - shift]
            } else if old == 1 {
                strides[i] = 0
            } else {
                fatalError("The expanded size of the tensor (\(newShape[i])) must match the existing size (\(old)) at non-singleton dimension \(i).  Target sizes: \(Shape.describe(shape)).  Tensor sizes: \(Shape.describe(self.shape))")
            }
        }
        let out = makeView(Layout(shape: newShape, strides: strides, offset: layout.offset))
        let inShape = self.shape
        return Tensor.record("ExpandBackward0", out, inputs: [self]) { g in [g.sumToShape(inShape)] }
    }
    /// `expand(3, 4)` with variadic sizes.
    public func expand(_ shape: Int...) -> Tensor { expand(shape) }
    /// Expands to `other`'s shape.
    public func expandAs(_ other: Tensor) -> Tensor { expand(other.shape) }

    /// The sub-tensor at `index` along `dim`, dropping that dim, as `tensor.select`.
    public func select(_ dim: Int, _ index: Int) -> Tensor {
        precondition(self.dim > 0, "select() cannot be applied to a 0-dim tensor.")
        let d = Shape.wrapDim(dim, rank: self.dim)
        let size = shape[d]
        guard index >= -size && index < size else {
            fatalError("select(): index \(index) out of range for tensor of size \(Shape.describe(self.shape)) at dimension \(d)")
        }
        let i = index < 0 ? index + size : index
        var shape = self.shape, strides = layout.strides
        let offset = layout.offset + i * strides[d]
        shape.remove(at: d)
        strides.remove(at: d)
        let out = makeView(Layout(shape: shape, strides: strides, offset: offset))
        let inShape = self.shape, dt = dtype
        return Tensor.record("SelectBackward0", out, inputs: [self]) { g in
            let full = Tensor.zeros(inShape, dtype: dt)
            full.viewSelect(d, i).copyRaw(from: g)
            return [full]
        }
    }

    /// Elements `start..<end` stepping by `step` along `dim`, as slicing `t[start:end:step]`.
    public func slice(_ dim: Int, start: Int = 0, end: Int? = nil, step: Int = 1) -> Tensor {
        precondition(step > 0, "slice step must be positive")
        let d = Shape.wrapDim(dim, rank: self.dim)
        let size = shape[d]
        func clampIndex(_ v: Int) -> Int { Swift.min(Swift.max(v < 0 ? v + size : v, 0), size) }
        let s = clampIndex(start), e = Swift.max(s, clampIndex(end ?? size))
        var shape = self.shape, strides = layout.strides
        shape[d] = (e - s + step - 1) / step
        let offset = layout.offset + s * strides[d]
        strides[d] *= step
        let out = makeView(Layout(shape: shape, strides: strides, offset: offset))
        let inShape = self.shape, dt = dtype
        return Tensor.record("SliceBackward0", out, inputs: [self]) { g in
            let full = Tensor.zeros(inShape, dtype: dt)
            full.viewSlice(d, s, e, step).copyRaw(from: g)
            return [full]
        }
    }

    /// `length` elements from `start` along `dim`, as `torch.narrow`.
    public func narrow(_ dim: Int, start: Int, length: Int) -> Tensor {
        slice(dim, start: start, end: start + length)
    }

    // Untracked views used inside backward functions.
    func viewSelect(_ d: Int, _ i: Int) -> Tensor {
        var shape = self.shape, strides = layout.strides
        let offset = layout.offset + i * strides[d]
        shape.remove(at: d); strides.remove(at: d)
        return viewing(Layout(shape: shape, strides: strides, offset: offset))
    }
    func viewSlice(_ d: Int, _ s: Int, _ e: Int, _ step: Int) -> Tensor {
        var shape = self.shape, strides = layout.strides
        shape[d] = (e - s + step - 1) / step
        let offset = layout.offset + s * strides[d]
        strides[d] *= step
        return viewing(Layout(shape: shape, strides: strides, offset: offset))
    }

    /// Contiguous data: this tensor when already contiguous, else a copy, as `tensor.contiguous()`.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let out = contiguousCopy()
        return Tensor.record("CloneBackward0", out, inputs: [self]) { g in [g] }
    }

    /// A contiguous copy without autograd.
    func contiguousCopy() -> Tensor {
        let out = Tensor(empty: shape, dtype: dtype)
        Kernels.copy(from: self, into: out)
        return out
    }

    /// Copies `src` into this tensor's elements with no autograd or version bookkeeping.
    func copyRaw(from src: Tensor) { Kernels.copy(from: src, into: self) }
}
