/// An n-dimensional array with reverse-mode automatic differentiation, like `torch.Tensor`.
///
/// Tensors are references, as in PyTorch: views share storage, and `grad`, `requiresGrad` and
/// `gradFn` belong to the object.
///
/// ```swift
/// let inFeatures = Tensor([1, 2, 3, 4], dtype: .float32)
/// let weightMatrix = Tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype: .float32)
/// print(weightMatrix.matmul(inFeatures))   // tensor([30., 40., 50.])
/// ```
public class Tensor: @unchecked Sendable, CustomStringConvertible {
    // The autograd fields below are read and written on every recorded op; their dynamic
    // exclusivity checks (swift_beginAccess) measured 5% of a small op, so they are off.
    let storage: Storage
    let layout: Layout
    /// The element type.
    public let dtype: DType

    @exclusivity(unchecked) var requiresGradFlag: Bool
    /// The graph node that produced this tensor (nil for leaves), as `tensor.grad_fn`.
    @exclusivity(unchecked) public internal(set) var gradFn: Node?
    /// Which output of `gradFn` this tensor is.
    @exclusivity(unchecked) var outputNr: Int = 0
    /// The accumulated gradient of a leaf (or of a tensor that called `retainGrad()`).
    @exclusivity(unchecked) public var grad: Tensor?
    @exclusivity(unchecked) var retainsGradFlag = false
    /// The AccumulateGrad node of a leaf that requires grad, made on its first recorded op and
    /// kept for the leaf's lifetime (it also holds the leaf's hooks). PyTorch caches it weakly
    /// and makes a new one whenever no graph holds the old; owning it saves a node per op, and
    /// the node points back unretained (see ``Node/variable``), so there is no cycle.
    @exclusivity(unchecked) var gradAccumulator: Node?
    /// Set on 0-d tensors made from Swift scalars; they rank lowest in type promotion.
    @exclusivity(unchecked) var isWrappedScalar = false
    /// For a differentiable view (`view`, `select`, `t()`, …), the tensor that owns the memory;
    /// in-place ops through the view rewrite that tensor's history (PyTorch's CopySlices).
    @exclusivity(unchecked) var viewBase: Tensor?

    deinit {
        // No graph holds this leaf any more (edges into its node hold it), but a node kept
        // elsewhere must not point at a dead tensor.
        gradAccumulator?.variableRef = nil
    }

    init(storage: Storage, layout: Layout, dtype: DType, requiresGrad: Bool = false) {
        self.storage = storage
        self.layout = layout
        self.dtype = dtype
        self.requiresGradFlag = requiresGrad
    }

    /// A new contiguous, uninitialised tensor.
    convenience init(empty shape: [Int], dtype: DType) {
        let layout = Layout(contiguous: shape)
        self.init(storage: Storage(byteCount: layout.numel * dtype.itemSize), layout: layout, dtype: dtype)
    }

    /// A new tensor sharing `other`'s storage and layout (used by `Parameter` and `detach`).
    init(sharing other: Tensor, requiresGrad: Bool) {
        storage = other.storage
        layout = other.layout
        dtype = other.dtype
        requiresGradFlag = requiresGrad
    }

    // MARK: Attributes

    /// The size of each dimension, as `tensor.shape`.
    public var shape: [Int] { layout.shape }
    /// The number of dimensions.
    public var dim: Int { layout.rank }
    /// The total number of elements.
    public var numel: Int { layout.numel }
    /// Strides in elements, as `tensor.stride()`.
    public var strides: [Int] { layout.strides }
    /// Whether elements are stored row-major without gaps.
    public var isContiguous: Bool { layout.isContiguous }
    /// Size of one dimension (negative dims count from the end).
    public func size(_ dim: Int) -> Int { layout.shape[Shape.wrapDim(dim, rank: self.dim)] }

    /// Whether autograd records operations on this tensor. Only leaves may be changed.
    public var requiresGrad: Bool {
        get { requiresGradFlag }
        set { requiresGrad_(newValue) }
    }

    /// True for tensors not produced by a recorded operation.
    public var isLeaf: Bool { gradFn == nil }

    /// Sets `requiresGrad` on a leaf and returns the same tensor, as `requires_grad_()`.
    @discardableResult
    public func requiresGrad_(_ flag: Bool = true) -> Tensor {
        if !isLeaf {
            if !flag {
                fatalError("you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().")
            }
            return self
        }
        if flag && !dtype.isFloatingPoint {
            fatalError("only Tensors of floating point dtype can require gradients")
        }
        requiresGradFlag = flag
        return self
    }

    // MARK: Raw access

    @inline(__always)
    func pointer<T>(_: T.Type) -> UnsafeMutablePointer<T> { storage.pointer(as: T.self) + layout.offset }

    /// Element values in row-major order, converted to `T`.
    ///
    /// ```swift
    /// Tensor([1, 2, 3]).scalars(as: Float.self)   // [1.0, 2.0, 3.0]
    /// ```
    public func scalars<T: TensorElement>(as: T.Type = T.self) -> [T] {
        let src = to(T.dtype).contiguous()
        let n = src.numel
        return [T](unsafeUninitializedCapacity: n) { buf, count in
            let p = src.storage.pointer(as: T.self) + src.layout.offset
            buf.baseAddress!.initialize(from: p, count: n)
            count = n
        }
    }

    /// The value of a one-element tensor as `Float`, as `tensor.item()`.
    public func item() -> Float { item(as: Float.self) }

    /// The value of a one-element tensor, converted to `T`.
    public func item<T: TensorElement>(as: T.Type) -> T {
        guard numel == 1 else {
            fatalError("a Tensor with \(numel) elements cannot be converted to Scalar")
        }
        return scalars(as: T.self)[0]
    }

    /// Exactly what PyTorch's `print(t)` shows, e.g. `tensor([30., 40., 50.])`.
    public var description: String {
        let values = withNoGrad { formatValues }
        return TensorFormatter.format(values, shape: shape, dtype: dtype,
                                      requiresGrad: requiresGradFlag, gradFnName: gradFn?.name)
    }

    /// Marks in-place modification for autograd's saved-tensor checks.
    func bumpVersion() { storage.version &+= 1 }
}
