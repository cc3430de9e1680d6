extension Tensor {
    /// Refuses in-place changes PyTorch refuses: a leaf that requires grad, while recording.
    func checkInPlaceAllowed() {
        if GradMode.isEnabled && isLeaf && requiresGradFlag {
            fatalError("a leaf Variable that requires grad is being used in an in-place operation.")
        }
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
        requiresGradFlag = result.requiresGradFlag
        gradFn = result.gradFn
        outputNr = result.outputNr
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
    public func zero_() -> Tensor { fill_(0) }

    /// Fills with `value`, as `fill_`.
    @discardableResult
    public func fill_(_ value: Double) -> Tensor {
        checkInPlaceAllowed()
        Kernels.fill(self, value)
        bumpVersion()
        if GradMode.isEnabled && requiresGradFlag && !isLeaf {
            let node = Node(name: "FillBackward0", edges: [gradientEdge()])
            let inShape = shape
            node.backwardFn = { _ in [Tensor.zeros(inShape)] }
            gradFn = node
            outputNr = 0
        }
        return self
    }

    /// Copies `src` (broadcast, any dtype) into this tensor, as `copy_`.
    @discardableResult
    public func copy_(_ src: Tensor) -> Tensor {
        checkInPlaceAllowed()
        _ = Shape.broadcast(shape, src.shape)
        Kernels.copy(from: src, into: self)
        bumpVersion()
        if GradMode.isEnabled && src.requiresGradFlag {
            let srcShape = src.shape, srcType = src.dtype
            let node = Node(name: "CopyBackwards", edges: [gradientEdge(), src.gradientEdge()])
            node.backwardFn = { g in [Tensor.zerosLike(g), g.sumToShape(srcShape).to(srcType)] }
            requiresGradFlag = true
            gradFn = node
            outputNr = 0
        }
        return self
    }

    /// Detaches in place, as `detach_()`.
    @discardableResult
    public func detach_() -> Tensor {
        gradFn = nil
        requiresGradFlag = false
        return self
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
