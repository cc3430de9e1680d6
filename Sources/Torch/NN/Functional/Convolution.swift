import CTorchKernels
import Dispatch

// conv2d as PyTorch's CPU path computes it: im2col (C kernel) then one GEMM per image and
// group; backward reuses the same lowering (GEMMs for the weight and the columns, col2im for
// the input). Images are independent, so a batch is split across threads.

// MARK: Arguments

/// A size, stride, padding or dilation of a 2-d op: one `Int` for both dims, or `[Int]` with
/// one or two values (height, width), as PyTorch takes an `int` or a tuple.
///
/// ```swift
/// conv2d(x, weight: w, stride: 2)          // Int: both dims
/// conv2d(x, weight: w, stride: [2, 1])     // [Int]: height, width
/// maxPool2d(x, kernelSize: 2, stride: Int?.none)   // nil: the op's default
/// ```
public protocol IntOrPair {
    /// The values as given: one or two (empty when an optional argument is nil).
    var intOrPairValues: [Int] { get }
}

extension Int: IntOrPair {
    /// `[self]`: the same value for both dims.
    ///
    /// ```swift
    /// 3.intOrPairValues   // [3]
    /// ```
    public var intOrPairValues: [Int] { [self] }
}

extension Array: IntOrPair where Element == Int {
    /// The array itself.
    ///
    /// ```swift
    /// [2, 1].intOrPairValues   // [2, 1]
    /// ```
    public var intOrPairValues: [Int] { self }
}

extension Optional: IntOrPair where Wrapped: IntOrPair {
    /// The wrapped values, or `[]` for nil ("use the default").
    ///
    /// ```swift
    /// Int?.none.intOrPairValues   // []
    /// ```
    public var intOrPairValues: [Int] { self?.intOrPairValues ?? [] }
}

/// How a convolution pads its input, as the `padding` argument of `torch.nn.functional.conv2d`.
///
/// ```swift
/// conv2d(x, weight: w, padding: 1)        // explicit, both dims
/// conv2d(x, weight: w, padding: [1, 2])   // explicit, height and width
/// conv2d(x, weight: w, padding: "same")   // output as large as the input (stride 1 only)
/// conv2d(x, weight: w, padding: Conv2dPadding.valid)
/// ```
public enum Conv2dPadding: Sendable, Equatable {
    /// Zero padding of one value (both dims) or two values (height, width).
    case explicit([Int])
    /// Pads so the output has the input's size; extra padding goes right and bottom, as PyTorch.
    case same
    /// No padding.
    case valid
}

/// A value usable as conv2d's `padding`: `Int`, `[Int]`, `"same"`, `"valid"` or a `Conv2dPadding`.
///
/// ```swift
/// let p: some Conv2dPaddingArgument = "same"
/// conv2d(x, weight: w, padding: p)
/// ```
public protocol Conv2dPaddingArgument {
    /// The padding this value stands for.
    var conv2dPadding: Conv2dPadding { get }
}

extension Conv2dPadding: Conv2dPaddingArgument {
    /// The value itself.
    ///
    /// ```swift
    /// Conv2dPadding.same.conv2dPadding   // .same
    /// ```
    public var conv2dPadding: Conv2dPadding { self }
}

extension Int: Conv2dPaddingArgument {
    /// Explicit padding on both dims.
    ///
    /// ```swift
    /// 1.conv2dPadding   // .explicit([1])
    /// ```
    public var conv2dPadding: Conv2dPadding { .explicit([self]) }
}

extension Array: Conv2dPaddingArgument where Element == Int {
    /// Explicit padding `[height, width]` (or one value).
    ///
    /// ```swift
    /// [1, 2].conv2dPadding   // .explicit([1, 2])
    /// ```
    public var conv2dPadding: Conv2dPadding { .explicit(self) }
}

extension String: Conv2dPaddingArgument {
    /// `"same"` or `"valid"`; any other string traps as PyTorch: `Invalid padding string: 'x'`.
    ///
    /// ```swift
    /// "same".conv2dPadding   // .same
    /// ```
    public var conv2dPadding: Conv2dPadding {
        switch self {
        case "same": return .same
        case "valid": return .valid
        default: fatalError("Invalid padding string: '\(self)'")
        }
    }
}

/// Expands one or two values to (height, width), with PyTorch's message for other counts.
func conv2dPair(_ values: [Int], _ name: String) -> (Int, Int) {
    switch values.count {
    case 1: return (values[0], values[0])
    case 2: return (values[0], values[1])
    default:
        fatalError("expected \(name) to be a single integer value or a list of 2 values to match the convolution dimensions, but got \(name)=\(Shape.describe(values))")
    }
}

// MARK: Public API

/// 2-d convolution (cross-correlation) over `[N, C, H, W]` or unbatched `[C, H, W]` input,
/// as `torch.nn.functional.conv2d`; records `ConvolutionBackward0`.
///
/// `weight` is `[outChannels, C / groups, kH, kW]`, `bias` is `[outChannels]`. `stride`,
/// `dilation` are an `Int` or `[Int]`; `padding` also takes `"same"` or `"valid"`.
/// ```swift
/// let x = Tensor.randn(100, 1, 28, 28)
/// let w = Tensor.randn([6, 1, 5, 5], requiresGrad: true)
/// let y = conv2d(x, weight: w, bias: Tensor.zeros(6))      // [100, 6, 24, 24]
/// let z = conv2d(x, weight: w, stride: 2, padding: "valid", dilation: [1, 2])
/// ```
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: some IntOrPair = 1,
                   padding: some Conv2dPaddingArgument = 0, dilation: some IntOrPair = 1,
                   groups: Int = 1) -> Tensor {
    Conv2dOp.apply(input, weight, bias, stride: stride.intOrPairValues, padding: padding.conv2dPadding,
                   dilation: dilation.intOrPairValues, groups: groups)
}

/// 2-d convolution with `(height, width)` tuples, as `F.conv2d(x, w, stride=(2, 1), padding=(1, 0))`.
///
/// ```swift
/// let y = conv2d(x, weight: w, stride: (2, 1), padding: (1, 0))
/// ```
public func conv2d(_ input: Tensor, weight: Tensor, bias: Tensor? = nil, stride: (Int, Int),
                   padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1) -> Tensor {
    Conv2dOp.apply(input, weight, bias, stride: [stride.0, stride.1], padding: .explicit([padding.0, padding.1]),
                   dilation: [dilation.0, dilation.1], groups: groups)
}

// MARK: Geometry

/// Sizes of one conv2d problem (symmetric padding; asymmetric "same" pads the input first).
struct Conv2dGeometry: Sendable {
    var batch, inChannels, height, width: Int
    var outChannels, kernelH, kernelW: Int
    var strideH, strideW, padH, padW, dilationH, dilationW: Int
    var groups: Int

    var outH: Int { (height + 2 * padH - dilationH * (kernelH - 1) - 1) / strideH + 1 }
    var outW: Int { (width + 2 * padW - dilationW * (kernelW - 1) - 1) / strideW + 1 }
    /// Output positions per image: the GEMM's N.
    var spatial: Int { outH * outW }
    var groupIn: Int { inChannels / groups }
    var groupOut: Int { outChannels / groups }
    /// Rows of one group's columns: the GEMM's K.
    var groupRows: Int { groupIn * kernelH * kernelW }
    var colRows: Int { inChannels * kernelH * kernelW }
    var imageSize: Int { inChannels * height * width }
    var outImageSize: Int { outChannels * spatial }
    /// A 1x1 kernel with unit stride and no padding: the image is its own column matrix.
    var isPointwise: Bool { kernelH == 1 && kernelW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0 }
    var flopsPerImage: Double { 2 * Double(outChannels) * Double(groupRows) * Double(spatial) }

    /// How many threads to split the batch over. Only small images are split: their GEMMs
    /// (< 2 MFLOP) and im2col (< 2^17 entries) stay single-threaded in the C kernels, so the
    /// kernels' own thread pool never nests inside ours; large images are threaded there.
    var imageChunks: Int {
        let threads = ThreadSettings.numThreads
        guard threads > 1, batch > 1, flopsPerImage * Double(batch) >= 1e6 else { return 1 }
        guard flopsPerImage < 2e6 && colRows * spatial < 1 << 17 else { return 1 }
        return Swift.min(threads, batch)
    }
}

extension Conv2dGeometry {
    /// Slices the batch is cut into for the weight and bias gradients, each summed into its own
    /// buffer and then added in slice order. Set by the problem's size alone, never by the thread
    /// count, so the gradients have the same bits on any number of threads (the threads share
    /// out the slices). Large images keep one slice: their GEMMs thread inside, over M and N.
    var gradientChunks: Int {
        guard batch > 1, flopsPerImage * Double(batch) >= 1e6 else { return 1 }
        guard flopsPerImage < 2e6 && colRows * spatial < 1 << 17 else { return 1 }
        return Swift.min(Conv2dGeometry.maxGradientChunks, batch)
    }

    /// The most slices a small-image gradient is split into (and so the most threads it uses).
    static let maxGradientChunks = 8
}

/// The float types the conv kernels support, with their C entry points.
protocol ConvScalar: BinaryFloatingPoint & ArithmeticElement {
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Self>, _ lda: Int, _ b: UnsafePointer<Self>, _ ldb: Int,
                     _ beta: Self, _ c: UnsafeMutablePointer<Self>, _ ldc: Int)
    static func im2col(_ image: UnsafePointer<Self>, _ g: Conv2dGeometry, _ cols: UnsafeMutablePointer<Self>)
    static func col2im(_ cols: UnsafePointer<Self>, _ g: Conv2dGeometry, _ image: UnsafeMutablePointer<Self>)
}

extension Float: ConvScalar {
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
                     _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        st_sgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
    }
    @inline(__always)
    static func im2col(_ image: UnsafePointer<Float>, _ g: Conv2dGeometry, _ cols: UnsafeMutablePointer<Float>) {
        st_im2col_f32(image, g.inChannels, g.height, g.width, g.kernelH, g.kernelW, g.padH, g.padW,
                      g.strideH, g.strideW, g.dilationH, g.dilationW, cols)
    }
    @inline(__always)
    static func col2im(_ cols: UnsafePointer<Float>, _ g: Conv2dGeometry, _ image: UnsafeMutablePointer<Float>) {
        st_col2im_f32(cols, g.inChannels, g.height, g.width, g.kernelH, g.kernelW, g.padH, g.padW,
                      g.strideH, g.strideW, g.dilationH, g.dilationW, image)
    }
}

extension Double: ConvScalar {
    @inline(__always)
    static func gemm(_ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int,
                     _ a: UnsafePointer<Double>, _ lda: Int, _ b: UnsafePointer<Double>, _ ldb: Int,
                     _ beta: Double, _ c: UnsafeMutablePointer<Double>, _ ldc: Int) {
        st_dgemm(transA ? 1 : 0, transB ? 1 : 0, m, n, k, 1, a, lda, b, ldb, beta, c, ldc)
    }
    @inline(__always)
    static func im2col(_ image: UnsafePointer<Double>, _ g: Conv2dGeometry, _ cols: UnsafeMutablePointer<Double>) {
        st_im2col_f64(image, g.inChannels, g.height, g.width, g.kernelH, g.kernelW, g.padH, g.padW,
                      g.strideH, g.strideW, g.dilationH, g.dilationW, cols)
    }
    @inline(__always)
    static func col2im(_ cols: UnsafePointer<Double>, _ g: Conv2dGeometry, _ image: UnsafeMutablePointer<Double>) {
        st_col2im_f64(cols, g.inChannels, g.height, g.width, g.kernelH, g.kernelW, g.padH, g.padW,
                      g.strideH, g.strideW, g.dilationH, g.dilationW, image)
    }
}

/// Runs `body(chunk, images)` over `chunks` even slices of `0..<count`, on the kernels' thread
/// pool when chunks > 1 (chunks may outnumber the threads; they are handed out as threads free up).
func forEachChunk(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    if chunks <= 1 {
        body(0, 0..<count)
        return
    }
    let per = (count + chunks - 1) / chunks
    // Chunks touch disjoint images and their own scratch, so sharing the closure is safe.
    parallelTasks(chunks) { c in
        let lo = c * per, hi = Swift.min(count, lo + per)
        if lo < hi { body(c, lo..<hi) }
    }
}

// MARK: Kernels

enum Conv2dOp {
    /// The columns are kept for the weight gradient (measured faster than redoing im2col in
    /// backward for LeNet-sized layers); above this size they are recomputed instead.
    static let maxSavedColumnBytes = 64 << 20

    static func apply(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?, stride: [Int], padding: Conv2dPadding,
                      dilation: [Int], groups: Int) -> Tensor {
        guard input.dim == 3 || input.dim == 4 else {
            fatalError("Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: \(Shape.describe(input.shape))")
        }
        if input.dim == 3 {
            let out = apply(input.unsqueeze(0), weight, bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
            return out.squeeze(0)
        }
        let (sh, sw) = conv2dPair(stride, "stride")
        let (dh, dw) = conv2dPair(dilation, "dilation")
        guard weight.dim == 4 else {
            fatalError("Expected \(weight.dim)-dimensional input for \(weight.dim)-dimensional weight \(Shape.describe(weight.shape)), but got 4-dimensional input of size \(Shape.describe(input.shape)) instead")
        }
        let kh = weight.shape[2], kw = weight.shape[3]
        var ph = 0, pw = 0, extraH = 0, extraW = 0
        switch padding {
        case .explicit(let p): (ph, pw) = conv2dPair(p, "padding")
        case .valid: break
        case .same:
            guard sh == 1 && sw == 1 else { fatalError("padding='same' is not supported for strided convolutions") }
            // PyTorch pads total // 2 on both sides and the odd remainder on the right/bottom.
            let totalH = dh * (kh - 1), totalW = dw * (kw - 1)
            ph = totalH / 2; pw = totalW / 2
            extraH = totalH - 2 * ph; extraW = totalW - 2 * pw
        }
        guard groups > 0 else { fatalError("non-positive groups is not supported") }
        guard sh > 0 && sw > 0 else { fatalError("non-positive stride is not supported") }
        guard ph >= 0 && pw >= 0 else { fatalError("negative padding is not supported") }
        guard dh > 0 && dw > 0 else { fatalError("dilation should be greater than zero, but got \(Shape.describe([dh, dw]))") }
        guard input.dtype.isFloatingPoint else {
            fatalError("\"slow_conv2d_cpu\" not implemented for '\(input.dtypeName)'")
        }
        guard weight.dtype == input.dtype else {
            fatalError("expected scalar type \(input.dtypeName) but found \(weight.dtypeName)")
        }
        let outChannels = weight.shape[0]
        guard outChannels % groups == 0 else {
            fatalError("Given groups=\(groups), expected weight to be divisible by \(groups) at dimension 0, but got weight of size [\(Shape.describe(weight.shape))] instead")
        }
        let channels = input.shape[1]
        guard channels == weight.shape[1] * groups else {
            fatalError("Given groups=\(groups), weight of size \(Shape.describe(weight.shape)), expected input\(Shape.describe(input.shape)) to have \(weight.shape[1] * groups) channels, but got \(channels) channels instead")
        }
        let paddedH = input.shape[2] + 2 * ph + extraH, paddedW = input.shape[3] + 2 * pw + extraW
        let effH = dh * (kh - 1) + 1, effW = dw * (kw - 1) + 1
        guard paddedH >= effH && paddedW >= effW else {
            fatalError("Calculated padded input size per channel: (\(paddedH) x \(paddedW)). Kernel size: (\(effH) x \(effW)). Kernel size can't be greater than actual input size")
        }
        if let bias {
            guard bias.dim == 1 && bias.shape[0] == outChannels else {
                fatalError("Given weight of size \(Shape.describe(weight.shape)), expected bias to be 1-dimensional with \(outChannels) elements, but got bias of size \(Shape.describe(bias.shape)) instead")
            }
            guard bias.dtype == input.dtype else {
                fatalError("expected scalar type \(input.dtypeName) but found \(bias.dtypeName)")
            }
        }

        let asymmetric = extraH != 0 || extraW != 0
        let x = asymmetric ? padBottomRight(input.contiguousIfNeeded(), extraH, extraW) : input.contiguousIfNeeded()
        let geo = Conv2dGeometry(batch: x.shape[0], inChannels: channels, height: x.shape[2], width: x.shape[3],
                                 outChannels: outChannels, kernelH: kh, kernelW: kw, strideH: sh, strideW: sw,
                                 padH: ph, padW: pw, dilationH: dh, dilationW: dw, groups: groups)
        let w = weight.contiguousIfNeeded()
        let b = bias?.contiguousIfNeeded()
        let recording = GradMode.isEnabled
            && (input.requiresGradFlag || weight.requiresGradFlag || (bias?.requiresGradFlag ?? false))
        let colBytes = geo.batch * geo.colRows * geo.spatial * input.dtype.itemSize
        let saveColumns = recording && weight.requiresGradFlag && !geo.isPointwise && colBytes <= maxSavedColumnBytes
        let (out, cols) = forward(x, w, b, geo, saveColumns: saveColumns)
        guard recording else { return out }

        let needInput = input.requiresGradFlag, needWeight = weight.requiresGradFlag
        let needBias = bias?.requiresGradFlag ?? false
        let inH = input.shape[2], inW = input.shape[3]
        let savedX = x.alias, savedW = w.alias, hasBias = bias != nil
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        return Tensor.record("ConvolutionBackward0", out, inputs: inputs, saving: [input, weight]) { g in
            var (gx, gw, gb) = backward(g.contiguousIfNeeded(), savedX, savedW, cols, geo, needInput: needInput,
                                        needWeight: needWeight, needBias: needBias)
            if asymmetric, let full = gx {
                gx = full.viewSlice(2, 0, inH, 1).viewSlice(3, 0, inW, 1).contiguousCopy()
            }
            return hasBias ? [gx, gw, gb] : [gx, gw]
        }
    }

    /// A copy of `x` with `extraH` zero rows below and `extraW` zero columns to the right.
    static func padBottomRight(_ x: Tensor, _ extraH: Int, _ extraW: Int) -> Tensor {
        let s = x.shape
        let out = Tensor.zeros([s[0], s[1], s[2] + extraH, s[3] + extraW], dtype: x.dtype)
        Kernels.copy(from: x, into: out.viewSlice(2, 0, s[2], 1).viewSlice(3, 0, s[3], 1))
        return out
    }

    /// y[n] = W · im2col(x[n]) + b for every image; also returns the columns when asked to keep them.
    static func forward(_ x: Tensor, _ w: Tensor, _ b: Tensor?, _ geo: Conv2dGeometry,
                        saveColumns: Bool) -> (Tensor, Tensor?) {
        let out = Tensor(empty: [geo.batch, geo.outChannels, geo.outH, geo.outW], dtype: x.dtype)
        let cols = saveColumns ? Tensor(empty: [geo.batch, geo.colRows, geo.spatial], dtype: x.dtype) : nil
        func run<T: ConvScalar>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), py = out.pointer(T.self)
            let pb = b?.pointer(T.self), pc = cols?.pointer(T.self)
            let l = geo.spatial, rows = geo.colRows
            forEachChunk(geo.batch, chunks: geo.imageChunks) { _, images in
                let scratch = (pc == nil && !geo.isPointwise) ? UnsafeMutablePointer<T>.allocate(capacity: rows * l) : nil
                defer { scratch?.deallocate() }
                for n in images {
                    let image = px + n * geo.imageSize
                    let columns: UnsafePointer<T>
                    if geo.isPointwise {
                        columns = UnsafePointer(image)
                    } else {
                        let dst = pc.map { $0 + n * rows * l } ?? scratch!
                        T.im2col(image, geo, dst)
                        columns = UnsafePointer(dst)
                    }
                    forwardImage(columns, pw, pb, py + n * geo.outImageSize, geo)
                }
            }
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (out, cols)
    }

    @inline(__always)
    static func forwardImage<T: ConvScalar>(_ cols: UnsafePointer<T>, _ pw: UnsafeMutablePointer<T>,
                                            _ pb: UnsafeMutablePointer<T>?, _ y: UnsafeMutablePointer<T>,
                                            _ geo: Conv2dGeometry) {
        let l = geo.spatial, k = geo.groupRows, m = geo.groupOut
        var beta: T = 0
        if let pb {
            for co in 0..<geo.outChannels { (y + co * l).update(repeating: pb[co], count: l) }
            beta = 1
        }
        for g in 0..<geo.groups {
            T.gemm(false, false, m, l, k, pw + g * m * k, k, cols + g * k * l, l, beta, y + g * m * l, l)
        }
    }

    /// Sum of `count` values with eight running sums, so the adds do not wait on each other.
    @inline(__always)
    static func rowSum<T: ConvScalar>(_ p: UnsafePointer<T>, _ count: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var i = 0
        while i + 8 <= count {
            s0 += p[i]; s1 += p[i + 1]; s2 += p[i + 2]; s3 += p[i + 3]
            s4 += p[i + 4]; s5 += p[i + 5]; s6 += p[i + 6]; s7 += p[i + 7]
            i += 8
        }
        while i < count { s0 += p[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    /// Gradients of input, weight and bias from the output gradient `gy` (contiguous).
    static func backward(_ gy: Tensor, _ x: Tensor, _ w: Tensor, _ cols: Tensor?, _ geo: Conv2dGeometry,
                         needInput: Bool, needWeight: Bool, needBias: Bool) -> (Tensor?, Tensor?, Tensor?) {
        let gx = needInput ? Tensor(empty: x.shape, dtype: x.dtype) : nil
        let gw = needWeight ? Tensor.zeros(w.shape, dtype: w.dtype) : nil
        let gb = needBias ? Tensor.zeros([geo.outChannels], dtype: w.dtype) : nil
        // Weight and bias gradients are sums over images: slice the batch by size, not by threads.
        let chunks = needWeight || needBias ? geo.gradientChunks : geo.imageChunks
        let l = geo.spatial, rows = geo.colRows, m = geo.groupOut, k = geo.groupRows
        let wSize = geo.outChannels * k
        func run<T: ConvScalar>(_: T.Type) {
            let px = x.pointer(T.self), pw = w.pointer(T.self), pgy = gy.pointer(T.self)
            let pgx = gx?.pointer(T.self), pc = cols?.pointer(T.self)
            // One weight/bias accumulator per chunk; chunk 0 writes straight into the result.
            var partials: [UnsafeMutablePointer<T>?] = (0..<chunks).map { c in
                guard c > 0, needWeight || needBias else { return nil }
                let p = UnsafeMutablePointer<T>.allocate(capacity: wSize + geo.outChannels)
                p.initialize(repeating: 0, count: wSize + geo.outChannels)
                return p
            }
            let pgw0 = gw?.pointer(T.self), pgb0 = gb?.pointer(T.self)
            partials.withUnsafeMutableBufferPointer { parts in
                let parts = parts
                forEachChunk(geo.batch, chunks: chunks) { c, images in
                    let accW = c == 0 ? pgw0 : parts[c].map { $0 }
                    let accB = c == 0 ? pgb0 : parts[c].map { $0 + wSize }
                    let needCols = needWeight && pc == nil && !geo.isPointwise
                    let scratch = needCols ? UnsafeMutablePointer<T>.allocate(capacity: rows * l) : nil
                    let gcols = needInput && !geo.isPointwise ? UnsafeMutablePointer<T>.allocate(capacity: rows * l) : nil
                    defer { scratch?.deallocate(); gcols?.deallocate() }
                    for n in images {
                        let gyn = UnsafePointer(pgy + n * geo.outImageSize)
                        let image = px + n * geo.imageSize
                        if needBias, let accB {
                            for co in 0..<geo.outChannels { accB[co] += rowSum(gyn + co * l, l) }
                        }
                        if needWeight, let accW {
                            let columns: UnsafePointer<T>
                            if geo.isPointwise {
                                columns = UnsafePointer(image)
                            } else if let pc {
                                columns = UnsafePointer(pc + n * rows * l)
                            } else {
                                T.im2col(image, geo, scratch!)
                                columns = UnsafePointer(scratch!)
                            }
                            for g in 0..<geo.groups {
                                T.gemm(false, true, m, k, l, gyn + g * m * l, l, columns + g * k * l, l, 1,
                                       accW + g * m * k, k)
                            }
                        }
                        if needInput, let pgx {
                            let gxn = pgx + n * geo.imageSize
                            if geo.isPointwise {
                                for g in 0..<geo.groups {
                                    T.gemm(true, false, k, l, m, pw + g * m * k, k, gyn + g * m * l, l, 0,
                                           gxn + g * k * l, l)
                                }
                            } else {
                                for g in 0..<geo.groups {
                                    T.gemm(true, false, k, l, m, pw + g * m * k, k, gyn + g * m * l, l, 0,
                                           gcols! + g * k * l, l)
                                }
                                gxn.update(repeating: 0, count: geo.imageSize)
                                T.col2im(gcols!, geo, gxn)
                            }
                        }
                    }
                }
            }
            for c in 1..<Swift.max(chunks, 1) {
                guard let part = partials[c] else { continue }
                if let pgw0 { for i in 0..<wSize { pgw0[i] += part[i] } }
                if let pgb0 { for i in 0..<geo.outChannels { pgb0[i] += part[wSize + i] } }
                part.deallocate()
            }
            partials.removeAll()
        }
        if x.dtype == .float32 { run(Float.self) } else { run(Double.self) }
        return (gx, gw, gb)
    }
}
