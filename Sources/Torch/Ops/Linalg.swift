import CTorchKernels

extension Tensor {
    /// How a 2-D operand is handed to GEMM: transposed flag and leading dimension, copying only
    /// when neither dim is unit-stride.
    private func gemmOperand() -> (Tensor, trans: Int32, ld: Int) {
        let s = layout.strides
        if s[1] == 1 || shape[1] == 1 { return (self, 0, Swift.max(shape[0] == 1 ? shape[1] : s[0], 1, shape[1])) }
        if s[0] == 1 || shape[0] == 1 { return (self, 1, Swift.max(shape[1] == 1 ? shape[0] : s[1], 1, shape[0])) }
        let c = contiguousCopy()
        return (c, 0, Swift.max(shape[1], 1))
    }

    /// C = beta * C + A(MxK) · B(KxN) for 2-D float tensors (any strides) into contiguous `out`.
    static func gemmRaw(_ a: Tensor, _ b: Tensor, into out: Tensor, beta: Double = 0) {
        let m = a.shape[0], k = a.shape[1], n = b.shape[1]
        if m == 0 || n == 0 { return }
        if k == 0 { if beta == 0 { Kernels.fill(out, 0) }; return }
        let (ta, transA, lda) = a.gemmOperand()
        let (tb, transB, ldb) = b.gemmOperand()
        switch out.dtype {
        case .float32:
            st_sgemm(transA, transB, m, n, k, 1, ta.pointer(Float.self), lda, tb.pointer(Float.self), ldb,
                     Float(beta), out.pointer(Float.self), n)
        case .float64:
            st_dgemm(transA, transB, m, n, k, 1, ta.pointer(Double.self), lda, tb.pointer(Double.self), ldb,
                     beta, out.pointer(Double.self), n)
        default:
            // Integer matmul is rare: a plain loop in int64.
            let ai = a.converted(to: .int64).contiguousIfNeeded(), bi = b.converted(to: .int64).contiguousIfNeeded()
            let pa = ai.pointer(Int64.self), pb = bi.pointer(Int64.self)
            var acc = [Int64](repeating: 0, count: m * n)
            for i in 0..<m { for p in 0..<k { let x = pa[i * k + p]; for j in 0..<n { acc[i * n + j] &+= x &* pb[p * n + j] } } }
            let tmp = Tensor(shape: [m, n], scalars: acc)
            if beta != 0 { Kernels.copy(from: binaryRaw(.add, tmp, out, compute: .int64), into: out) }
            else { Kernels.copy(from: tmp, into: out) }
        }
    }

    static func mmRaw(_ a: Tensor, _ b: Tensor) -> Tensor {
        let dtype = Promotion.resultType(a, b)
        let out = Tensor(empty: [a.shape[0], b.shape[1]], dtype: dtype)
        gemmRaw(a.converted(to: dtype), b.converted(to: dtype), into: out)
        return out
    }

    /// Matrix product of two 2-D tensors, as `torch.mm`.
    public func mm(_ other: Tensor) -> Tensor {
        precondition(dim == 2, "self must be a matrix")
        precondition(other.dim == 2, "mat2 must be a matrix")
        guard shape[1] == other.shape[0] else {
            fatalError("mat1 and mat2 shapes cannot be multiplied (\(shape[0])x\(shape[1]) and \(other.shape[0])x\(other.shape[1]))")
        }
        let out = Tensor.mmRaw(self, other)
        let sa = alias, sb = other.alias
        let needA = requiresGradFlag, needB = other.requiresGradFlag
        return Tensor.record("MmBackward0", out, inputs: [self, other], saving: [self, other]) { g in
            [needA ? Tensor.mmMat1Backward(g, sa, sb).to(sa.dtype) : nil,
             needB ? Tensor.mmMat2Backward(g, sa, sb).to(sb.dtype) : nil]
        }
    }

    /// Whether a 2-D layout is a transposed contiguous matrix, as ATen's `is_column_major`.
    var isColumnMajor: Bool {
        dim == 2 && layout.strides[0] == 1 && (shape[1] == 1 || layout.strides[1] >= Swift.max(1, shape[0]))
    }

    /// The gradient of `mat1` in `mat1 · mat2`, laid out column-major when `mat1` is, as ATen's
    /// `mm_mat1_backward` does.
    static func mmMat1Backward(_ g: Tensor, _ mat1: Tensor, _ mat2: Tensor) -> Tensor {
        mat1.isColumnMajor ? mmRaw(mat2, g.transposedView()).transposedView() : mmRaw(g, mat2.transposedView())
    }

    /// The gradient of `mat2` in `mat1 · mat2`, as ATen's `mm_mat2_backward`: for `linear`'s
    /// `weight.t()` it comes out column-major, so the weight's own gradient is contiguous and
    /// accumulating it is a plain copy rather than a strided transpose.
    static func mmMat2Backward(_ g: Tensor, _ mat1: Tensor, _ mat2: Tensor) -> Tensor {
        mat2.isColumnMajor ? mmRaw(g.transposedView(), mat1).transposedView() : mmRaw(mat1.transposedView(), g)
    }

    /// A 2-D transpose view without autograd.
    func transposedView() -> Tensor {
        viewing(Layout(shape: [shape[1], shape[0]], strides: [layout.strides[1], layout.strides[0]], offset: layout.offset))
    }

    /// `bias + mat1 · mat2`, as `torch.addmm` (what `linear` uses for 2-D input).
    public static func addmm(_ bias: Tensor, _ mat1: Tensor, _ mat2: Tensor) -> Tensor {
        guard mat1.dim == 2, mat2.dim == 2, mat1.shape[1] == mat2.shape[0] else {
            fatalError("mat1 and mat2 shapes cannot be multiplied (\(mat1.shape.map(String.init).joined(separator: "x")) and \(mat2.shape.map(String.init).joined(separator: "x")))")
        }
        let dtype = Promotion.resultType(mat1, mat2)
        let out = Tensor(empty: [mat1.shape[0], mat2.shape[1]], dtype: dtype)
        Kernels.copy(from: bias, into: out)
        gemmRaw(mat1.converted(to: dtype), mat2.converted(to: dtype), into: out, beta: 1)
        let s1 = mat1.alias, s2 = mat2.alias, biasShape = bias.shape, biasType = bias.dtype
        let need1 = mat1.requiresGradFlag, need2 = mat2.requiresGradFlag
        return record("AddmmBackward0", out, inputs: [bias, mat1, mat2], saving: [mat1, mat2]) { g in
            [reduceGrad(g, toShape: biasShape, dtype: biasType),
             need1 ? mmMat1Backward(g, s1, s2) : nil,
             need2 ? mmMat2Backward(g, s1, s2) : nil]
        }
    }

    /// Matrix-vector product, as `torch.mv`.
    public func mv(_ vec: Tensor) -> Tensor {
        precondition(dim == 2 && vec.dim == 1, "vector + matrix @ vector expected, got \(dim), \(vec.dim)")
        guard shape[1] == vec.shape[0] else {
            fatalError("size mismatch, got input (\(shape[0])), mat (\(shape[0])x\(shape[1])), vec (\(vec.shape[0]))")
        }
        let out = Tensor.mmRaw(self, vec.viewing(Layout(shape: [vec.shape[0], 1], strides: [vec.layout.strides[0], 1], offset: vec.layout.offset)))
        let result = out.viewing(Layout(contiguous: [shape[0]]))
        let sa = alias, sv = vec.alias
        let needA = requiresGradFlag, needV = vec.requiresGradFlag
        return Tensor.record("MvBackward0", result, inputs: [self, vec], saving: [self, vec]) { g in
            [needA ? Tensor.mmRaw(g.reshape([g.numel, 1]), sv.reshape([1, sv.numel])) : nil,
             needV ? Tensor.mmRaw(sa.transposedView(), g.reshape([g.numel, 1])).reshape([sv.numel]) : nil]
        }
    }

    /// Inner product of two 1-D tensors, as `torch.dot`.
    public func dot(_ other: Tensor) -> Tensor {
        precondition(dim == 1 && other.dim == 1, "1D tensors expected, but got \(dim)D and \(other.dim)D tensors")
        guard numel == other.numel else {
            fatalError("inconsistent tensor size, expected tensor [\(numel)] and src [\(other.numel)] to have the same number of elements, but got \(numel) and \(other.numel) elements respectively")
        }
        let out = Tensor.mmRaw(reshapeRaw([1, numel]), other.reshapeRaw([numel, 1])).reshapeRaw([])
        let sa = alias, sb = other.alias
        return Tensor.record("DotBackward0", out, inputs: [self, other], saving: [self, other]) { g in
            [g * sb, g * sa]
        }
    }

    /// Batched matrix product of 3-D tensors, as `torch.bmm`.
    public func bmm(_ other: Tensor) -> Tensor {
        precondition(dim == 3, "batch1 must be a 3D tensor")
        precondition(other.dim == 3, "batch2 must be a 3D tensor")
        guard other.shape[0] == shape[0] && other.shape[1] == shape[2] else {
            fatalError("Expected size for first two dimensions of batch2 tensor to be: [\(shape[0]), \(shape[2])] but got: [\(other.shape[0]), \(other.shape[1])].")
        }
        let out = Tensor.bmmRaw(self, other)
        let sa = alias, sb = other.alias
        let needA = requiresGradFlag, needB = other.requiresGradFlag
        return Tensor.record("BmmBackward0", out, inputs: [self, other], saving: [self, other]) { g in
            [needA ? Tensor.bmmRaw(g, sb.transpose(1, 2)) : nil, needB ? Tensor.bmmRaw(sa.transpose(1, 2), g) : nil]
        }
    }

    static func bmmRaw(_ a: Tensor, _ b: Tensor) -> Tensor {
        let dtype = Promotion.resultType(a, b)
        let batch = a.shape[0], m = a.shape[1], n = b.shape[2]
        let out = Tensor(empty: [batch, m, n], dtype: dtype)
        let ac = a.converted(to: dtype), bc = b.converted(to: dtype)
        for i in 0..<batch {
            let dst = out.viewing(Layout(shape: [m, n], strides: [n, 1], offset: i * m * n))
            gemmRaw(ac.viewSelect(0, i), bc.viewSelect(0, i), into: dst)
        }
        return out
    }

    /// Matrix product with NumPy-style broadcasting, as `torch.matmul` (all its forms).
    ///
    /// ```swift
    /// weightMatrix.matmul(inFeatures)   // 2-D · 1-D
    /// ```
    /// The forms and their graphs follow ATen's `_matmul_impl`: a batch against a matrix or
    /// vector is folded into one `mm`/`mv`; other batched forms broadcast and run `bmm`.
    public func matmul(_ other: Tensor) -> Tensor {
        let d1 = dim, d2 = other.dim
        precondition(d1 > 0 && d2 > 0, "both arguments to matmul need to be at least 1D, but they are \(d1)D and \(d2)D")
        switch (d1, d2) {
        case (1, 1): return dot(other)
        case (2, 1): return mv(other)
        case (1, 2):
            guard shape[0] == other.shape[0] else {
                fatalError("mat1 and mat2 shapes cannot be multiplied (1x\(shape[0]) and \(other.shape[0])x\(other.shape[1]))")
            }
            let r = unsqueeze(0).mm(other)
            let out = r.detach().viewing(Layout(contiguous: [other.shape[1]]))
            return Tensor.record("SqueezeBackward4", out, inputs: [r]) { g in [g.reshape([1, g.numel])] }
        case (2, 2): return mm(other)
        default: break
        }
        if shouldFold(other) {
            // [..., n, k] · [k, m] as one [batch * n, k] · [k, m]; a 1-D or 2-D left operand is
            // handled transposed: (B^T · A^T)^T.
            let transpose = d2 > d1
            let t1 = transpose ? other.transpose(-2, -1) : self
            let t2 = !transpose ? other : (d1 == 2 ? t() : self)
            var outShape = Array(t1.shape.dropLast())
            let folded = t1.reshape([outShape.reduce(1, *), t1.shape[t1.dim - 1]])
            if t2.dim == 2 {
                outShape.append(t2.shape[1])
                let out = Tensor.unsafeView(folded.mm(t2), outShape)
                return transpose ? out.transpose(-2, -1).contiguous() : out
            }
            return Tensor.unsafeView(folded.mv(t2), outShape)
        }
        let n = d1 > 1 ? shape[d1 - 2] : 1, m1 = shape[d1 - 1]
        let m2 = d2 > 1 ? other.shape[d2 - 2] : other.shape[0], p = d2 > 1 ? other.shape[d2 - 1] : 1
        let batch1 = Array(shape.prefix(Swift.max(d1 - 2, 0))), batch2 = Array(other.shape.prefix(Swift.max(d2 - 2, 0)))
        if d1 == 3 && d2 == 3 && batch1[0] != batch2[0] {
            if batch1[0] == 1 && requiresGradFlag { return squeeze(0).matmul(other) }
            if batch2[0] == 1 && other.requiresGradFlag { return matmul(other.squeeze(0)) }
        }
        var outShape = Shape.broadcast(batch1, batch2)
        let batch = outShape.reduce(1, *)
        let a = expand(outShape + [n, m1]).reshape([batch, n, m1])
        let vectorRHS = d2 == 1
        let b = vectorRHS ? other.expand(outShape + [m2]).reshape([batch, m2]).unsqueeze(2)
                          : other.expand(outShape + [m2, p]).reshape([batch, m2, p])
        if d1 > 1 { outShape.append(n) }
        if d2 > 1 { outShape.append(p) }
        return Tensor.unsafeView(vectorRHS ? a.bmm(b).squeeze(-1) : a.bmm(b), outShape)
    }

    /// ATen's `should_fold`: fold the batch into rows when that needs no copy, or when the
    /// smaller operand requires grad (a smaller graph in backward).
    private func shouldFold(_ other: Tensor) -> Bool {
        let selfLarger = dim >= other.dim
        var shape1 = selfLarger ? shape : other.shape, strides1 = selfLarger ? layout.strides : other.layout.strides
        if !selfLarger {  // other transposed in its last two dims
            shape1.swapAt(shape1.count - 1, shape1.count - 2)
            strides1.swapAt(strides1.count - 1, strides1.count - 2)
        }
        let dimT2 = selfLarger ? other.dim : dim
        guard shape1.count >= 3 && dimT2 <= 2 else { return false }
        if (selfLarger ? other : self).requiresGradFlag { return true }
        if dim == 2 { return false }
        if shape1.contains(0) { return true }
        for i in 0..<(shape1.count - 2) where strides1[i] != strides1[i + 1] * shape1[i + 1] { return false }
        return true
    }

    /// `r` (contiguous) seen with another shape, as ATen's `_unsafe_view`: not a view for autograd.
    static func unsafeView(_ r: Tensor, _ shape: [Int]) -> Tensor {
        let r = r.contiguous()
        let out = r.detach().viewing(Layout(shape: shape, strides: Layout.contiguousStrides(shape), offset: r.layout.offset))
        let rShape = r.shape
        return record("UnsafeViewBackward0", out, inputs: [r]) { g in [g.reshape(rShape)] }
    }
}

/// Matrix product with broadcasting, as `torch.matmul`.
public func matmul(_ a: Tensor, _ b: Tensor) -> Tensor { a.matmul(b) }
/// Matrix product of 2-D tensors, as `torch.mm`.
public func mm(_ a: Tensor, _ b: Tensor) -> Tensor { a.mm(b) }
/// Batched matrix product, as `torch.bmm`.
public func bmm(_ a: Tensor, _ b: Tensor) -> Tensor { a.bmm(b) }
/// Inner product, as `torch.dot`.
public func dot(_ a: Tensor, _ b: Tensor) -> Tensor { a.dot(b) }
