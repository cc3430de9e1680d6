extension Tensor {
    /// Refuses in-place changes PyTorch refuses while recording: a leaf that requires grad, or a
    /// view of one.
    func checkInPlaceAllowed() {
        guard GradMode.isEnabled else { return }
        if isLeaf && requiresGradFlag {
            fatalError("a leaf Variable that requires grad is being used in an in-place operation.")
        }
        if let base = viewBase, base.isLeaf && base.requiresGradFlag {
            fatalError("a view of a leaf Variable that requires grad is being used in an in-place operation.")
        }
    }

    /// Makes `node`, an op whose input 0 was this tensor's old value, the history of this
    /// tensor after an in-place op. On a view the base takes it instead, as PyTorch's
    /// CopySlices: the base's gradient runs through `node` for the viewed elements and passes
    /// unchanged elsewhere; the view then reads its gradient out of the base's.
    func adoptHistory(_ node: Node) {
        guard let base = viewBase else {
            requiresGradFlag = true
            gradFn = node
            outputNr = 0
            return
        }
        let viewLayout = layout, baseLayout = base.layout
        let elements = base.storage.byteCount / base.dtype.itemSize
        // Fresh memory laid out like the base, so the view's layout addresses the same elements.
        func likeBase(_ dtype: DType) -> Tensor {
            Tensor(storage: Storage(byteCount: elements * dtype.itemSize), layout: baseLayout, dtype: dtype)
        }
        let copySlices = Node(name: "CopySlices", edges: [base.gradientEdge()] + node.nextEdges.dropFirst())
        copySlices.savedVersions = node.savedVersions
        let backward = node.backwardFn
        copySlices.backwardFn = { g in
            let result = likeBase(g.dtype)
            result.copyRaw(from: g)
            let slice = result.viewing(viewLayout)
            let grads = backward?(slice.contiguousCopy()) ?? []
            if let first = grads.first, let selfGrad = first { slice.copyRaw(from: selfGrad) } else { Kernels.fill(slice, 0) }
            return [result] + grads.dropFirst()
        }
        base.requiresGradFlag = true
        base.gradFn = copySlices
        base.outputNr = 0
        let asStrided = Node(name: "AsStridedBackward0", edges: [Node.Edge(node: copySlices, inputNr: 0)])
        asStrided.backwardFn = { g in
            let full = likeBase(g.dtype)
            Kernels.fill(full, 0)
            full.viewing(viewLayout).copyRaw(from: g)
            return [full]
        }
        requiresGradFlag = true
        gradFn = asStrided
        outputNr = 0
    }

    /// Converts to another dtype (a copy unless already that dtype), as `tensor.to(dtype)`.
    public func to(_ dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(empty: shape, dtype: dtype)
        Kernels.copy(from: self, into: out)
        let from = self.dtype
        return Tensor.record("ToCopyBackward0", out, inputs: [self]) { g in [g.to(from)] }
    }

    /// A copy with its own storage, as `tensor.clone()`.
    public func clone() -> Tensor {
        let out = contiguousCopy()
        return Tensor.record("CloneBackward0", out, inputs: [self]) { g in [g] }
    }

    /// The same data without autograd history, as `tensor.detach()`.
    public func detach() -> Tensor { Tensor(sharing: self, requiresGrad: false) }

    /// Applies an out-of-place op and writes the result into this tensor's memory, keeping
    /// autograd history as PyTorch's in-place ops do (the tensor's `gradFn` becomes the op's).
    private func applyInPlace(_ other: Tensor?, _ op: (Tensor) -> Tensor) -> Tensor {
        checkInPlaceAllowed()
        let recording = GradMode.isEnabled && (requiresGradFlag || (other?.requiresGradFlag ?? false))
        if !recording {
            let result = withNoGrad { op(self) }
            guard Shape.broadcast(result.shape, shape) == shape else {
                fatalError("output with shape \(Shape.describe(shape)) doesn't match the broadcast shape \(Shape.describe(result.shape))")
            }
            Kernels.copy(from: result, into: self)
            bumpVersion()
            return self
        }
        // Give the op a snapshot that carries this tensor's history, then take over the result's.
        let snapshot = contiguousCopy()
        snapshot.requiresGradFlag = requiresGradFlag
        snapshot.gradFn = gradFn
        snapshot.outputNr = outputNr
        let result = op(snapshot)
        guard result.shape == shape else {
            fatalError("output with shape \(Shape.describe(shape)) doesn't match the broadcast shape \(Shape.describe(result.shape))")
        }
        Kernels.copy(from: result, into: self)
        bumpVersion()
        if let node = result.gradFn { adoptHistory(node) }
        return self
    }

    /// Fast path: a contiguous same-dtype destination is written directly by the kernel.
    private func binaryInPlace(_ op: BinaryOp, _ other: Tensor, _ slow: (Tensor) -> Tensor) -> Tensor {
        let recording = GradMode.isEnabled && (requiresGradFlag || other.requiresGradFlag)
        if !recording && isContiguous && dtype.isFloatingPoint && Promotion.resultType(self, other) == dtype
            && Shape.broadcast(shape, other.shape) == shape {
            checkInPlaceAllowed()
            Tensor.binaryRaw(op, self, other, compute: dtype, into: self)
            bumpVersion()
            return self
        }
        return applyInPlace(other, slow)
    }

    /// In-place `self += alpha * other`, as `add_`.
    @discardableResult
    public func add_(_ other: Tensor, alpha: Double = 1) -> Tensor {
        if alpha != 1 { return add_(other * alpha) }
        return binaryInPlace(.add, other) { $0 + other }
    }
    /// In-place `self -= alpha * other`, as `sub_`.
    @discardableResult
    public func sub_(_ other: Tensor, alpha: Double = 1) -> Tensor {
        if alpha != 1 { return sub_(other * alpha) }
        return binaryInPlace(.sub, other) { $0 - other }
    }
    /// In-place product, as `mul_`.
    @discardableResult
    public func mul_(_ other: Tensor) -> Tensor { binaryInPlace(.mul, other) { $0 * other } }
    /// In-place division, as `div_`.
    @discardableResult
    public func div_(_ other: Tensor) -> Tensor { binaryInPlace(.div, other) { $0 / other } }
    @discardableResult
    public func add_<S: TensorScalarOperand>(_ s: S) -> Tensor { add_(Tensor.wrapped(s, like: self)) }
    @discardableResult
    public func sub_<S: TensorScalarOperand>(_ s: S) -> Tensor { sub_(Tensor.wrapped(s, like: self)) }
    @discardableResult
    public func mul_<S: TensorScalarOperand>(_ s: S) -> Tensor { mul_(Tensor.wrapped(s, like: self)) }
    @discardableResult
    public func div_<S: TensorScalarOperand>(_ s: S) -> Tensor { div_(Tensor.wrapped(s, like: self)) }
    /// In-place power, as `pow_`.
    @discardableResult
    public func pow_<S: TensorScalarOperand>(_ s: S) -> Tensor { applyInPlace(nil) { $0.pow(s) } }
    /// In-place clamp, as `clamp_`.
    @discardableResult
    public func clamp_(min: Double? = nil, max: Double? = nil) -> Tensor { applyInPlace(nil) { $0.clamp(min: min, max: max) } }
    /// In-place ReLU, as `relu_`.
    @discardableResult
    public func relu_() -> Tensor { applyInPlace(nil) { $0.relu() } }
    /// In-place negation, as `neg_`.
    @discardableResult
    public func neg_() -> Tensor { applyInPlace(nil) { $0.neg() } }
    /// In-place square root, as `sqrt_`.
    @discardableResult
    public func sqrt_() -> Tensor { applyInPlace(nil) { $0.sqrt() } }
    /// In-place exponential, as `exp_`.
    @discardableResult
    public func exp_() -> Tensor { applyInPlace(nil) { $0.exp() } }

    /// Fills with zeros, as `zero_`.
    @discardableResult
    public func zero_() -> Tensor { fill(0, name: "ZeroBackward0") }

    /// Fills with `value`, as `fill_`.
    @discardableResult
    public func fill_(_ value: Double) -> Tensor { fill(value, name: "FillBackward2") }

    private func fill(_ value: Double, name: String) -> Tensor {
        checkInPlaceAllowed()
        Kernels.fill(self, value)
        bumpVersion()
        if GradMode.isEnabled && requiresGradFlag {
            let node = Node(name: name, edges: [gradientEdge()])
            node.backwardFn = { g in [Tensor.zerosLike(g)] }
            adoptHistory(node)
        }
        return self
    }

    /// Copies `src` (broadcast, any dtype) into this tensor, as `copy_`.
    @discardableResult
    public func copy_(_ src: Tensor) -> Tensor {
        checkInPlaceAllowed()
        let broadcast = Shape.broadcast(shape, src.shape)
        guard broadcast == shape else {
            fatalError("output with shape \(Shape.describe(shape)) doesn't match the broadcast shape \(Shape.describe(broadcast))")
        }
        Kernels.copy(from: src, into: self)
        bumpVersion()
        // The old value no longer matters, so even a src without grad replaces the history.
        if GradMode.isEnabled && dtype.isFloatingPoint && (src.requiresGradFlag || requiresGradFlag) {
            let srcShape = src.shape, srcType = src.dtype, needSrc = src.requiresGradFlag
            let node = Node(name: "CopyBackwards", edges: [gradientEdge(), src.gradientEdge()])
            node.backwardFn = { g in [Tensor.zerosLike(g), needSrc ? g.sumToShape(srcShape).to(srcType) : nil] }
            adoptHistory(node)
        }
        return self
    }

    /// Detaches in place, as `detach_()`.
    @discardableResult
    public func detach_() -> Tensor {
        gradFn = nil
        requiresGradFlag = false
        viewBase = nil
        return self
    }

    /// Sets elements where `mask` is true to `value`, as `masked_fill_(mask, value)`.
    @discardableResult
    public func maskedFill_(_ mask: Tensor, _ value: Double) -> Tensor {
        applyInPlace(nil) { $0.maskedFill(mask, value) }
    }

    /// Sets elements where `mask` is true to a 0-d tensor's value, as `masked_fill_`.
    @discardableResult
    public func maskedFill_(_ mask: Tensor, _ value: Tensor) -> Tensor {
        applyInPlace(value) { $0.maskedFill(mask, value) }
    }
}

extension Tensor {
    /// This tensor in another dtype, without autograd (for kernels).
    func converted(to dtype: DType) -> Tensor {
        if dtype == self.dtype { return self }
        let out = Tensor(empty: shape, dtype: dtype)
        Kernels.copy(from: self, into: out)
        return out
    }
}
