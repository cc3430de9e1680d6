extension Tensor {
    /// A tensor from a value or nested Swift arrays, as `torch.tensor(...)`.
    ///
    /// ```swift
    /// Tensor([1, 2, 3])                       // int64
    /// Tensor([1.5, 2.0])                      // float32
    /// Tensor([[1, 2], [3, 4]], dtype: .float64)
    /// Tensor(3.5)                             // 0-d
    /// ```
    public convenience init<T: TensorLiteralConvertible>(_ value: T, dtype: DType? = nil, requiresGrad: Bool = false) {
        var values: [Double] = []
        var shape: [Int] = []
        value._flatten(into: &values, shape: &shape, depth: 0)
        let dt = dtype ?? T._inferredDType
        self.init(empty: shape, dtype: dt)
        values.withUnsafeBufferPointer { buf in
            let src = Tensor(wrapping: buf, shape: shape)
            Kernels.copy(from: src, into: self)
        }
        if requiresGrad { requiresGrad_(true) }
    }

    /// A tensor with the given shape and flat row-major elements; the element type picks the dtype.
    ///
    /// ```swift
    /// let t = Tensor(shape: [2, 3], scalars: [Float](repeating: 1, count: 6))
    /// ```
    public convenience init<T: TensorElement>(shape: [Int], scalars: [T], requiresGrad: Bool = false) {
        let n = shape.reduce(1, *)
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(Shape.describe(shape))")
        guard n == scalars.count else {
            fatalError("shape \(Shape.describe(shape)) is invalid for input of size \(scalars.count)")
        }
        self.init(empty: shape, dtype: T.dtype)
        if T.self == Int.self {
            scalars.withUnsafeBufferPointer { buf in
                let p = pointer(Int64.self)
                for i in 0..<n { p[i] = buf[i].int64Value }
            }
        } else {
            scalars.withUnsafeBufferPointer { buf in
                UnsafeMutableRawPointer(pointer(T.self)).copyMemory(from: buf.baseAddress!, byteCount: n * T.dtype.itemSize)
            }
        }
        if requiresGrad { requiresGrad_(true) }
    }

    /// A temporary float64 tensor viewing a buffer (only valid inside the buffer's scope).
    private convenience init(wrapping buf: UnsafeBufferPointer<Double>, shape: [Int]) {
        let storage = Storage(byteCount: buf.count * 8)
        if buf.count > 0 {
            storage.data.copyMemory(from: buf.baseAddress!, byteCount: buf.count * 8)
        }
        self.init(storage: storage, layout: Layout(contiguous: shape), dtype: .float64)
    }

    // MARK: Factories

    /// A tensor filled with `value`, as `torch.full`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        Kernels.fill(t, value)
        if requiresGrad { t.requiresGrad_(true) }
        return t
    }

    /// A tensor filled with an integer `value`; int64 unless `dtype` says otherwise, as `torch.full`.
    public static func full(_ shape: [Int], _ value: Int, dtype: DType = .int64, requiresGrad: Bool = false) -> Tensor {
        full(shape, Double(value), dtype: dtype, requiresGrad: requiresGrad)
    }

    /// Zeros, as `torch.zeros`.
    public static func zeros(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 0.0, dtype: dtype, requiresGrad: requiresGrad)
    }
    /// Zeros, as `torch.zeros(2, 3)`.
    public static func zeros(_ shape: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        zeros(shape, dtype: dtype, requiresGrad: requiresGrad)
    }
    /// Ones, as `torch.ones`.
    public static func ones(_ shape: [Int], dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        full(shape, 1.0, dtype: dtype, requiresGrad: requiresGrad)
    }
    /// Ones, as `torch.ones(2, 3)`.
    public static func ones(_ shape: Int..., dtype: DType = .float32, requiresGrad: Bool = false) -> Tensor {
        ones(shape, dtype: dtype, requiresGrad: requiresGrad)
    }
    /// Uninitialised memory, as `torch.empty`.
    public static func empty(_ shape: [Int], dtype: DType = .float32) -> Tensor {
        Tensor(empty: shape, dtype: dtype)
    }
    /// Zeros shaped like `other`.
    public static func zerosLike(_ other: Tensor, dtype: DType? = nil) -> Tensor {
        zeros(other.shape, dtype: dtype ?? other.dtype)
    }
    /// Ones shaped like `other`.
    public static func onesLike(_ other: Tensor, dtype: DType? = nil) -> Tensor {
        ones(other.shape, dtype: dtype ?? other.dtype)
    }
    /// `value` shaped like `other`.
    public static func fullLike(_ other: Tensor, _ value: Double, dtype: DType? = nil) -> Tensor {
        full(other.shape, value, dtype: dtype ?? other.dtype)
    }

    /// The identity matrix, as `torch.eye(n, m)`.
    public static func eye(_ n: Int, _ m: Int? = nil, dtype: DType = .float32) -> Tensor {
        let cols = m ?? n
        let t = zeros([n, cols], dtype: dtype)
        let diag = Tensor(storage: t.storage, layout: Layout(shape: [Swift.min(n, cols)], strides: [cols + 1]), dtype: dtype)
        Kernels.fill(diag, 1)
        return t
    }

    /// Integers from `start` up to (not including) `end`, as `torch.arange` (int64).
    public static func arange(_ start: Int, _ end: Int, step: Int = 1, dtype: DType = .int64) -> Tensor {
        precondition(step != 0, "step must be nonzero")
        let n = Swift.max(0, (end - start + step - (step > 0 ? 1 : -1)) / step)
        return Tensor(shape: [n], scalars: (0..<n).map { Int64(start + $0 * step) }).to(dtype)
    }
    /// `0..<end`, as `torch.arange(end)`.
    public static func arange(_ end: Int, dtype: DType = .int64) -> Tensor { arange(0, end, dtype: dtype) }

    /// Floating values from `start` to `end` by `step`, as `torch.arange(0.0, 1.0, 0.1)` (float32).
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) -> Tensor {
        precondition(step != 0, "step must be nonzero")
        let n = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [n], scalars: (0..<n).map { start + Double($0) * step }).to(dtype)
    }

    /// `steps` evenly spaced values from `start` to `end`, as `torch.linspace`.
    public static func linspace(_ start: Double, _ end: Double, steps: Int, dtype: DType = .float32) -> Tensor {
        precondition(steps >= 0, "number of steps must be non-negative")
        let step = steps > 1 ? (end - start) / Double(steps - 1) : 0
        // PyTorch fills the first half from start and the second half from end, for symmetry.
        let half = steps / 2
        let values = (0..<steps).map { i in i < half ? start + step * Double(i) : end - step * Double(steps - i - 1) }
        return Tensor(shape: [steps], scalars: values).to(dtype)
    }

    // MARK: Random

    /// Uniform samples in [0, 1), as `torch.rand` (same stream as PyTorch for the same seed).
    public static func rand(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.uniform_(0, 1, generator: generator)
        if requiresGrad { t.requiresGrad_(true) }
        return t
    }
    /// Uniform samples in [0, 1), as `torch.rand(2, 3)`.
    public static func rand(_ shape: Int..., dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        rand(shape, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }
    /// Standard normal samples, as `torch.randn`.
    public static func randn(_ shape: [Int], dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        let t = Tensor(empty: shape, dtype: dtype)
        t.normal_(0, 1, generator: generator)
        if requiresGrad { t.requiresGrad_(true) }
        return t
    }
    /// Standard normal samples, as `torch.randn(2, 3)`.
    public static func randn(_ shape: Int..., dtype: DType = .float32, generator: Generator? = nil, requiresGrad: Bool = false) -> Tensor {
        randn(shape, dtype: dtype, generator: generator, requiresGrad: requiresGrad)
    }
    /// Random integers in `low..<high`, as `torch.randint(low, high, shape)` (int64).
    public static func randint(_ low: Int, _ high: Int, _ shape: [Int], generator: Generator? = nil) -> Tensor {
        precondition(low < high, "random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
        let g = generator ?? Generator.current
        let n = shape.reduce(1, *)
        return Tensor(shape: shape, scalars: g.randint(low: Int64(low), high: Int64(high), count: n))
    }
    /// A random permutation of `0..<n`, as `torch.randperm` (int64).
    public static func randperm(_ n: Int, generator: Generator? = nil) -> Tensor {
        let g = generator ?? Generator.current
        return Tensor(shape: [n], scalars: g.randperm(n))
    }
    /// Uniform samples shaped like `other`.
    public static func randLike(_ other: Tensor) -> Tensor { rand(other.shape, dtype: other.dtype) }
    /// Normal samples shaped like `other`.
    public static func randnLike(_ other: Tensor) -> Tensor { randn(other.shape, dtype: other.dtype) }

    /// Fills with uniform samples in [from, to), as `uniform_`.
    @discardableResult
    public func uniform_(_ from: Double = 0, _ to: Double = 1, generator: Generator? = nil) -> Tensor {
        fillRandom(generator) { g, t in
            switch t.dtype {
            case .float32: g.fillUniform(t.buffer(Float.self), from: from, to: to)
            case .float64: g.fillUniform(t.buffer(Double.self), from: from, to: to)
            default: fatalError("\"check_uniform_bounds\" not implemented for '\(dtypeName)'")
            }
        }
    }

    /// Fills with normal samples, as `normal_`.
    @discardableResult
    public func normal_(_ mean: Double = 0, _ std: Double = 1, generator: Generator? = nil) -> Tensor {
        precondition(std >= 0, "normal expects std >= 0.0, but found std \(std)")
        if !isContiguous && dtype.isFloatingPoint {
            // PyTorch's vectorised path needs contiguous memory: strided tensors draw one value
            // at a time, in memory order.
            checkInPlaceAllowed()
            let g = generator ?? Generator.current
            var offsets: [Int] = []
            layout.forEachOffset { offsets.append($0) }
            offsets.sort()
            func draw<T>(_: T.Type, _ fill: (UnsafeMutableBufferPointer<T>) -> Void) {
                let p = storage.pointer(as: T.self)
                for off in offsets { fill(UnsafeMutableBufferPointer(start: p + off, count: 1)) }
            }
            if dtype == .float32 {
                draw(Float.self) { g.fillNormal($0, mean: mean, std: std) }
            } else {
                draw(Double.self) { g.fillNormal($0, mean: mean, std: std) }
            }
            bumpVersion()
            return self
        }
        return fillRandom(generator) { g, t in
            switch t.dtype {
            case .float32: g.fillNormal(t.buffer(Float.self), mean: mean, std: std)
            case .float64: g.fillNormal(t.buffer(Double.self), mean: mean, std: std)
            default: fatalError("\"normal_kernel_cpu\" not implemented for '\(dtypeName)'")
            }
        }
    }

    /// Fills with 0/1 samples that are 1 with probability `p`, as `bernoulli_(p)`.
    @discardableResult
    public func bernoulli_(_ p: Double, generator: Generator? = nil) -> Tensor {
        precondition(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=\(p)")
        return fillRandom(generator) { g, t in
            switch t.dtype {
            case .float32: g.fillBernoulli(t.buffer(Float.self), p: p)
            case .float64: g.fillBernoulli(t.buffer(Double.self), p: p)
            default:
                let f = Tensor(empty: t.shape, dtype: .float32)
                g.fillBernoulli(f.buffer(Float.self), p: p)
                Kernels.copy(from: f, into: t)
            }
        }
    }

    /// Runs a contiguous fill into this tensor (through a temporary when it is strided).
    private func fillRandom(_ generator: Generator?, _ fill: (Generator, Tensor) -> Void) -> Tensor {
        checkInPlaceAllowed()
        let g = generator ?? Generator.current
        if isContiguous {
            fill(g, self)
        } else {
            let tmp = Tensor(empty: shape, dtype: dtype)
            fill(g, tmp)
            Kernels.copy(from: tmp, into: self)
        }
        bumpVersion()
        return self
    }

    /// The elements of a contiguous tensor as a mutable buffer.
    func buffer<T>(_: T.Type) -> UnsafeMutableBufferPointer<T> {
        UnsafeMutableBufferPointer(start: pointer(T.self), count: numel)
    }

    /// PyTorch's C++ type name used in "not implemented for" messages.
    var dtypeName: String {
        switch dtype {
        case .float32: return "Float"
        case .float64: return "Double"
        case .int64: return "Long"
        case .int32: return "Int"
        case .uint8: return "Byte"
        case .bool: return "Bool"
        }
    }
}
