import CTorchKernels

// 2-d pooling over [N, C, H, W] or unbatched [C, H, W] input, treated as N*C independent
// planes: max pooling through the C kernel, average pooling as plain loops.

// MARK: Public API

/// 2-d max pooling, as `torch.nn.functional.max_pool2d`; records `MaxPool2DWithIndicesBackward0`.
///
/// `stride` defaults to `kernelSize`. With `ceilMode` the output rounds up, but the last window
/// must start inside the input or the left padding, as in PyTorch.
/// ```swift
/// let x = Tensor.randn(1, 6, 24, 24)
/// let y = maxPool2d(x, kernelSize: 2)                      // [1, 6, 12, 12]
/// let z = maxPool2d(x, kernelSize: 3, stride: 2, padding: 1, ceilMode: true)
/// ```
public func maxPool2d(_ input: Tensor, kernelSize: some IntOrPair, stride: some IntOrPair = Int?.none,
                      padding: some IntOrPair = 0, dilation: some IntOrPair = 1, ceilMode: Bool = false) -> Tensor {
    maxPool2dWithIndices(input, kernelSize: kernelSize, stride: stride, padding: padding, dilation: dilation,
                         ceilMode: ceilMode).output
}

/// 2-d max pooling with `(height, width)` tuples, as `F.max_pool2d(x, (2, 3), (2, 1))`.
///
/// ```swift
/// let y = maxPool2d(x, kernelSize: (2, 3), stride: (2, 1))
/// ```
public func maxPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      dilation: (Int, Int) = (1, 1), ceilMode: Bool = false) -> Tensor {
    maxPool2dWithIndices(input, kernelSize: [kernelSize.0, kernelSize.1], stride: stride.map { [$0.0, $0.1] },
                         padding: [padding.0, padding.1], dilation: [dilation.0, dilation.1], ceilMode: ceilMode).output
}

/// 2-d max pooling that also returns the flat index `h * W + w` of each maximum in its input
/// plane, as `F.max_pool2d(..., return_indices=True)` / `F.max_pool2d_with_indices`.
///
/// ```swift
/// let (y, indices) = maxPool2dWithIndices(x, kernelSize: 2)   // indices: int64, y's shape
/// ```
public func maxPool2dWithIndices(_ input: Tensor, kernelSize: some IntOrPair, stride: some IntOrPair = Int?.none,
                                 padding: some IntOrPair = 0, dilation: some IntOrPair = 1,
                                 ceilMode: Bool = false) -> (output: Tensor, indices: Tensor) {
    let name = "max_pool2d"
    let k = poolPair(kernelSize.intOrPairValues, "\(name): kernel_size must either be a single int, or a tuple of two ints")
    let strideValues = stride.intOrPairValues
    let s = strideValues.isEmpty ? k : poolPair(strideValues, "\(name): stride must either be omitted, a single int, or a tuple of two ints")
    let p = poolPair(padding.intOrPairValues, "\(name): padding must either be a single int, or a tuple of two ints")
    let d = poolPair(dilation.intOrPairValues, "\(name): dilation must be either a single int, or a tuple of two ints")
    let geo = Pool2dGeometry(input, kernel: k, stride: s, padding: p, dilation: d, ceilMode: ceilMode)
    guard input.dtype.isFloatingPoint else {
        fatalError("\"max_pool2d\" not implemented for '\(input.dtypeName)'")
    }
    let x = input.contiguousIfNeeded()
    let out = Tensor(empty: geo.outputShape, dtype: input.dtype)
    let indices = Tensor(empty: geo.outputShape, dtype: .int64)
    let pi = indices.pointer(Int64.self)
    if input.dtype == .float32 {
        st_maxpool2d_f32(x.pointer(Float.self), geo.planes, geo.height, geo.width, geo.outH, geo.outW, geo.kernelH,
                         geo.kernelW, geo.strideH, geo.strideW, geo.padH, geo.padW, geo.dilationH, geo.dilationW,
                         out.pointer(Float.self), pi)
    } else {
        st_maxpool2d_f64(x.pointer(Double.self), geo.planes, geo.height, geo.width, geo.outH, geo.outW, geo.kernelH,
                         geo.kernelW, geo.strideH, geo.strideW, geo.padH, geo.padW, geo.dilationH, geo.dilationW,
                         out.pointer(Double.self), pi)
    }
    let savedIndices = indices.alias, inShape = input.shape
    let result = Tensor.record("MaxPool2DWithIndicesBackward0", out, inputs: [input], saving: [input]) { g in
        let gy = g.contiguousIfNeeded()
        let gx = Tensor.zeros(inShape, dtype: gy.dtype)
        let idx = savedIndices.pointer(Int64.self)
        if gy.dtype == .float32 {
            st_maxpool2d_backward_f32(gy.pointer(Float.self), idx, geo.planes, geo.height, geo.width, geo.outH,
                                      geo.outW, gx.pointer(Float.self))
        } else {
            st_maxpool2d_backward_f64(gy.pointer(Double.self), idx, geo.planes, geo.height, geo.width, geo.outH,
                                      geo.outW, gx.pointer(Double.self))
        }
        return [gx]
    }
    return (result, indices)
}

/// 2-d average pooling, as `torch.nn.functional.avg_pool2d`; records `AvgPool2DBackward0`.
///
/// With `countIncludePad` the divisor counts padding (not the ceil-mode overhang);
/// `divisorOverride` replaces the divisor.
/// ```swift
/// let y = avgPool2d(x, kernelSize: 2)
/// let z = avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, ceilMode: true, countIncludePad: false)
/// ```
public func avgPool2d(_ input: Tensor, kernelSize: some IntOrPair, stride: some IntOrPair = Int?.none,
                      padding: some IntOrPair = 0, ceilMode: Bool = false, countIncludePad: Bool = true,
                      divisorOverride: Int? = nil) -> Tensor {
    let name = "avg_pool2d"
    let k = poolPair(kernelSize.intOrPairValues, "\(name): kernel_size must either be a single int, or a tuple of two ints")
    let strideValues = stride.intOrPairValues
    let s = strideValues.isEmpty ? k : poolPair(strideValues, "\(name): stride must either be omitted, a single int, or a tuple of two ints")
    let p = poolPair(padding.intOrPairValues, "\(name): padding must either be a single int, or a tuple of two ints")
    if let divisorOverride, divisorOverride == 0 { fatalError("divisor must be not zero") }
    let geo = Pool2dGeometry(input, kernel: k, stride: s, padding: p, dilation: (1, 1), ceilMode: ceilMode)
    guard input.dtype.isFloatingPoint else {
        fatalError("\"avg_pool2d_out_frame\" not implemented for '\(input.dtypeName)'")
    }
    let x = input.contiguousIfNeeded()
    let out = Tensor(empty: geo.outputShape, dtype: input.dtype)
    if input.dtype == .float32 {
        AvgPool.forward(x.pointer(Float.self), out.pointer(Float.self), geo, countIncludePad, divisorOverride)
    } else {
        AvgPool.forward(x.pointer(Double.self), out.pointer(Double.self), geo, countIncludePad, divisorOverride)
    }
    let inShape = input.shape
    return Tensor.record("AvgPool2DBackward0", out, inputs: [input]) { g in
        let gy = g.contiguousIfNeeded()
        let gx = Tensor.zeros(inShape, dtype: gy.dtype)
        if gy.dtype == .float32 {
            AvgPool.backward(gy.pointer(Float.self), gx.pointer(Float.self), geo, countIncludePad, divisorOverride)
        } else {
            AvgPool.backward(gy.pointer(Double.self), gx.pointer(Double.self), geo, countIncludePad, divisorOverride)
        }
        return [gx]
    }
}

/// 2-d average pooling with `(height, width)` tuples, as `F.avg_pool2d(x, (2, 3))`.
///
/// ```swift
/// let y = avgPool2d(x, kernelSize: (2, 3), stride: (1, 1), padding: (1, 1))
/// ```
public func avgPool2d(_ input: Tensor, kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                      ceilMode: Bool = false, countIncludePad: Bool = true, divisorOverride: Int? = nil) -> Tensor {
    avgPool2d(input, kernelSize: [kernelSize.0, kernelSize.1], stride: stride.map { [$0.0, $0.1] },
              padding: [padding.0, padding.1], ceilMode: ceilMode, countIncludePad: countIncludePad,
              divisorOverride: divisorOverride)
}

/// Average pooling to a fixed output size, as `torch.nn.functional.adaptive_avg_pool2d`;
/// records `AdaptiveAvgPool2DBackward0` (a 1x1 output is a mean, `MeanBackward1`, as in PyTorch).
///
/// Output cell `i` of a dim averages input `floor(i * In / Out) ..< ceil((i + 1) * In / Out)`.
/// ```swift
/// let y = adaptiveAvgPool2d(Tensor.randn(2, 3, 7, 9), outputSize: [3, 4])   // [2, 3, 3, 4]
/// let g = adaptiveAvgPool2d(x, outputSize: 1)                                // global average
/// ```
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: some IntOrPair) -> Tensor {
    let values = outputSize.intOrPairValues
    guard values.count == 1 || values.count == 2 else { fatalError("adaptive_avg_pool2d: output_size must be 2") }
    let (oh, ow) = values.count == 1 ? (values[0], values[0]) : (values[0], values[1])
    guard input.dim == 3 || input.dim == 4 else {
        fatalError("adaptive_avg_pool2d(): Expected 3D or 4D tensor, but got \(Shape.describe(input.shape))")
    }
    for i in 1..<input.dim where input.shape[i] == 0 {
        fatalError("adaptive_avg_pool2d(): Expected input to have non-zero size for non-batch dimensions, but input has sizes \(Shape.describe(input.shape)) with dimension \(i) being empty")
    }
    guard oh >= 0 && ow >= 0 else {
        fatalError("adaptive_avg_pool2d: elements of output_size must be greater than or equal to 0 but received {\(oh), \(ow)}")
    }
    guard input.dtype.isFloatingPoint else {
        fatalError("\"adaptive_avg_pool2d\" not implemented for '\(input.dtypeName)'")
    }
    if oh == 1 && ow == 1 { return input.mean(dims: [-1, -2], keepDim: true) }
    let h = input.shape[input.dim - 2], w = input.shape[input.dim - 1]
    let planes = input.shape.dropLast(2).reduce(1, *)
    let outShape = Array(input.shape.dropLast(2)) + [oh, ow]
    let x = input.contiguousIfNeeded()
    let out = Tensor(empty: outShape, dtype: input.dtype)
    let geo = AdaptiveGeometry(planes: planes, height: h, width: w, outH: oh, outW: ow)
    if input.dtype == .float32 {
        AdaptiveAvgPool.forward(x.pointer(Float.self), out.pointer(Float.self), geo)
    } else {
        AdaptiveAvgPool.forward(x.pointer(Double.self), out.pointer(Double.self), geo)
    }
    let inShape = input.shape
    return Tensor.record("AdaptiveAvgPool2DBackward0", out, inputs: [input]) { g in
        let gy = g.contiguousIfNeeded()
        let gx = Tensor.zeros(inShape, dtype: gy.dtype)
        if gy.dtype == .float32 {
            AdaptiveAvgPool.backward(gy.pointer(Float.self), gx.pointer(Float.self), geo)
        } else {
            AdaptiveAvgPool.backward(gy.pointer(Double.self), gx.pointer(Double.self), geo)
        }
        return [gx]
    }
}

/// Adaptive average pooling with an `(height, width)` tuple.
///
/// ```swift
/// let y = adaptiveAvgPool2d(x, outputSize: (5, 7))
/// ```
public func adaptiveAvgPool2d(_ input: Tensor, outputSize: (Int, Int)) -> Tensor {
    adaptiveAvgPool2d(input, outputSize: [outputSize.0, outputSize.1])
}

// MARK: Geometry

/// Expands one or two pooling values to (height, width), trapping with `message` otherwise.
func poolPair(_ values: [Int], _ message: String) -> (Int, Int) {
    switch values.count {
    case 1: return (values[0], values[0])
    case 2: return (values[0], values[1])
    default: fatalError(message)
    }
}

/// PyTorch's pooling_output_shape: floor (or ceil) division, where in ceil mode the last
/// window must start inside the input or the left padding.
func pooledSize(_ input: Int, kernel: Int, pad: Int, stride: Int, dilation: Int, ceilMode: Bool) -> Int {
    guard stride != 0 else { fatalError("stride should not be zero") }
    guard pad >= 0 else { fatalError("pad must be non-negative, but got pad: \(pad)") }
    guard pad <= ((kernel - 1) * dilation + 1) / 2 else {
        fatalError("pad should be at most half of effective kernel size, but got pad=\(pad), kernel_size=\(kernel) and dilation=\(dilation)")
    }
    let numerator = input + 2 * pad - dilation * (kernel - 1) - 1 + (ceilMode ? stride - 1 : 0)
    // div_rtn: division rounding toward negative infinity
    var q = numerator / stride
    if (numerator % stride != 0) && ((numerator < 0) != (stride < 0)) { q -= 1 }
    var size = q + 1
    if ceilMode && (size - 1) * stride >= input + pad { size -= 1 }
    return size
}

/// Sizes of a 2-d pooling problem over `planes` contiguous H x W planes, checked as PyTorch does.
struct Pool2dGeometry: Sendable {
    let planes, height, width, outH, outW: Int
    let kernelH, kernelW, strideH, strideW, padH, padW, dilationH, dilationW: Int
    let outputShape: [Int]

    init(_ input: Tensor, kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
         ceilMode: Bool) {
        guard input.dim == 3 || input.dim == 4 else {
            fatalError("non-empty 3D or 4D (batch mode) tensor expected for input")
        }
        let s = input.shape, r = input.dim
        height = s[r - 2]; width = s[r - 1]
        planes = s.dropLast(2).reduce(1, *)
        (kernelH, kernelW) = kernel
        (strideH, strideW) = stride
        (padH, padW) = padding
        (dilationH, dilationW) = dilation
        outH = pooledSize(height, kernel: kernelH, pad: padH, stride: strideH, dilation: dilationH, ceilMode: ceilMode)
        outW = pooledSize(width, kernel: kernelW, pad: padW, stride: strideW, dilation: dilationW, ceilMode: ceilMode)
        // pool2d_shape_check
        guard kernelW > 0 && kernelH > 0 else {
            fatalError("kernel size should be greater than zero, but got kH: \(kernelH) kW: \(kernelW)")
        }
        guard strideW > 0 && strideH > 0 else {
            fatalError("stride should be greater than zero, but got dH: \(strideH) dW: \(strideW)")
        }
        guard dilationH > 0 && dilationW > 0 else {
            fatalError("dilation should be greater than zero, but got dilationH: \(dilationH) dilationW: \(dilationW)")
        }
        let validDims = s[1] != 0 && s[2] != 0
        guard (r == 3 && s[0] != 0 && validDims) || (r == 4 && validDims && s[3] != 0) else {
            fatalError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but got:\(Shape.describe(s))")
        }
        guard kernelW / 2 >= padW && kernelH / 2 >= padH else {
            fatalError("pad should be smaller than or equal to half of kernel size, but got padW = \(padW), padH = \(padH), kW = \(kernelW), kH = \(kernelH)")
        }
        let channels = s[r - 3]
        guard outW >= 1 && outH >= 1 else {
            fatalError("Given input size: (\(channels)x\(height)x\(width)). Calculated output size: (\(channels)x\(outH)x\(outW)). Output size is too small")
        }
        outputShape = Array(s.dropLast(2)) + [outH, outW]
    }
}

// MARK: Average pooling kernels

enum AvgPool {
    /// Window bounds of one output along a dim: clipped [start, end) and the padded size.
    @inline(__always)
    static func window(_ o: Int, stride: Int, pad: Int, kernel: Int, size: Int) -> (Int, Int, Int) {
        let start = o * stride - pad
        let end = Swift.min(start + kernel, size + pad)
        return (Swift.max(start, 0), Swift.min(end, size), end - start)
    }

    static func forward<T: BinaryFloatingPoint>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                _ g: Pool2dGeometry, _ countIncludePad: Bool, _ divisor: Int?) {
        let grain = Swift.max(1, 32768 / Swift.max(1, g.outH * g.outW * g.kernelH * g.kernelW))
        parallelChunks(g.planes, grain: grain) { range in
            for p in range {
                let src = x + p * g.height * g.width, dst = y + p * g.outH * g.outW
                for oh in 0..<g.outH {
                    let (h0, h1, ph) = window(oh, stride: g.strideH, pad: g.padH, kernel: g.kernelH, size: g.height)
                    for ow in 0..<g.outW {
                        let (w0, w1, pw) = window(ow, stride: g.strideW, pad: g.padW, kernel: g.kernelW, size: g.width)
                        if h0 >= h1 || w0 >= w1 { dst[oh * g.outW + ow] = 0; continue }
                        var sum: T = 0
                        for h in h0..<h1 {
                            let row = src + h * g.width
                            for w in w0..<w1 { sum += row[w] }
                        }
                        let count = divisor ?? (countIncludePad ? ph * pw : (h1 - h0) * (w1 - w0))
                        dst[oh * g.outW + ow] = sum / T(count)
                    }
                }
            }
        }
    }

    static func backward<T: BinaryFloatingPoint>(_ gy: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>,
                                                 _ g: Pool2dGeometry, _ countIncludePad: Bool, _ divisor: Int?) {
        let grain = Swift.max(1, 32768 / Swift.max(1, g.outH * g.outW * g.kernelH * g.kernelW))
        parallelChunks(g.planes, grain: grain) { range in
            for p in range {
                let src = gy + p * g.outH * g.outW, dst = gx + p * g.height * g.width
                for oh in 0..<g.outH {
                    let (h0, h1, ph) = window(oh, stride: g.strideH, pad: g.padH, kernel: g.kernelH, size: g.height)
                    for ow in 0..<g.outW {
                        let (w0, w1, pw) = window(ow, stride: g.strideW, pad: g.padW, kernel: g.kernelW, size: g.width)
                        if h0 >= h1 || w0 >= w1 { continue }
                        let count = divisor ?? (countIncludePad ? ph * pw : (h1 - h0) * (w1 - w0))
                        let v = src[oh * g.outW + ow] / T(count)
                        for h in h0..<h1 {
                            let row = dst + h * g.width
                            for w in w0..<w1 { row[w] += v }
                        }
                    }
                }
            }
        }
    }
}

/// Sizes of an adaptive pooling problem.
struct AdaptiveGeometry: Sendable {
    let planes, height, width, outH, outW: Int
}

enum AdaptiveAvgPool {
    /// Input range averaged by output `o`: floor(o * size / out) ..< ceil((o + 1) * size / out).
    @inline(__always)
    static func range(_ o: Int, _ out: Int, _ size: Int) -> (Int, Int) {
        ((o * size) / out, ((o + 1) * size + out - 1) / out)
    }

    static func forward<T: BinaryFloatingPoint>(_ x: UnsafeMutablePointer<T>, _ y: UnsafeMutablePointer<T>,
                                                _ g: AdaptiveGeometry) {
        let grain = Swift.max(1, 32768 / Swift.max(1, g.height * g.width))
        parallelChunks(g.planes, grain: grain) { planes in
            for p in planes {
                let src = x + p * g.height * g.width, dst = y + p * g.outH * g.outW
                for oh in 0..<g.outH {
                    let (h0, h1) = range(oh, g.outH, g.height)
                    for ow in 0..<g.outW {
                        let (w0, w1) = range(ow, g.outW, g.width)
                        var sum: T = 0
                        for h in h0..<h1 {
                            let row = src + h * g.width
                            for w in w0..<w1 { sum += row[w] }
                        }
                        dst[oh * g.outW + ow] = sum / T((h1 - h0) * (w1 - w0))
                    }
                }
            }
        }
    }

    static func backward<T: BinaryFloatingPoint>(_ gy: UnsafeMutablePointer<T>, _ gx: UnsafeMutablePointer<T>,
                                                 _ g: AdaptiveGeometry) {
        let grain = Swift.max(1, 32768 / Swift.max(1, g.height * g.width))
        parallelChunks(g.planes, grain: grain) { planes in
            for p in planes {
                let src = gy + p * g.outH * g.outW, dst = gx + p * g.height * g.width
                for oh in 0..<g.outH {
                    let (h0, h1) = range(oh, g.outH, g.height)
                    for ow in 0..<g.outW {
                        let (w0, w1) = range(ow, g.outW, g.width)
                        let v = src[oh * g.outW + ow] / T((h1 - h0) * (w1 - w0))
                        for h in h0..<h1 {
                            let row = dst + h * g.width
                            for w in w0..<w1 { row[w] += v }
                        }
                    }
                }
            }
        }
    }
}
