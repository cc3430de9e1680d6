import CTorchKernels
import Foundation
import Dispatch

// The kernel boundary on the Swift side: strided loops over raw storage, and the one place
// where a dtype picks a Swift element type. Everything above works with Tensors.

/// Element types with arithmetic, for binary kernels.
protocol ArithmeticElement: TensorElement, Equatable {
    static func less(_ a: Self, _ b: Self) -> Bool
    static func add(_ a: Self, _ b: Self) -> Self
    static func sub(_ a: Self, _ b: Self) -> Self
    static func mul(_ a: Self, _ b: Self) -> Self
    static func div(_ a: Self, _ b: Self) -> Self
    static func power(_ a: Self, _ b: Self) -> Self
    static var zeroValue: Self { get }
    static var oneValue: Self { get }
}

extension ArithmeticElement where Self: Comparable {
    @inline(__always) static func less(_ a: Self, _ b: Self) -> Bool { a < b }
}

extension ArithmeticElement where Self: BinaryFloatingPoint {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a + b }
    @inline(__always) static func sub(_ a: Self, _ b: Self) -> Self { a - b }
    @inline(__always) static func mul(_ a: Self, _ b: Self) -> Self { a * b }
    @inline(__always) static func div(_ a: Self, _ b: Self) -> Self { a / b }
    static var zeroValue: Self { 0 }
    static var oneValue: Self { 1 }
}
extension Float: ArithmeticElement {
    @inline(__always) static func power(_ a: Float, _ b: Float) -> Float { powf(a, b) }
}
extension Double: ArithmeticElement {
    @inline(__always) static func power(_ a: Double, _ b: Double) -> Double { pow(a, b) }
}
extension ArithmeticElement where Self: FixedWidthInteger {
    @inline(__always) static func add(_ a: Self, _ b: Self) -> Self { a &+ b }
    @inline(__always) static func sub(_ a: Self, _ b: Self) -> Self { a &- b }
    @inline(__always) static func mul(_ a: Self, _ b: Self) -> Self { a &* b }
    @inline(__always) static func div(_ a: Self, _ b: Self) -> Self {
        if b == 0 { fatalError("ZeroDivisionError") }
        // floor division, as torch.floor_divide
        let q = a / b
        return (a % b != 0 && ((a < 0) != (b < 0))) ? q &- 1 : q
    }
    @inline(__always) static func power(_ a: Self, _ b: Self) -> Self {
        if b < 0 { return a == 1 ? 1 : 0 }
        var result: Self = 1, base = a, e = b
        while e > 0 {
            if e & 1 == 1 { result = result &* base }
            base = base &* base
            e >>= 1
        }
        return result
    }
    static var zeroValue: Self { 0 }
    static var oneValue: Self { 1 }
}
extension Int64: ArithmeticElement {}
extension Int32: ArithmeticElement {}
extension UInt8: ArithmeticElement {}
extension Bool: ArithmeticElement {
    @inline(__always) static func less(_ a: Bool, _ b: Bool) -> Bool { !a && b }
    @inline(__always) static func add(_ a: Bool, _ b: Bool) -> Bool { a || b }
    @inline(__always) static func sub(_ a: Bool, _ b: Bool) -> Bool { a != b }
    @inline(__always) static func mul(_ a: Bool, _ b: Bool) -> Bool { a && b }
    @inline(__always) static func div(_ a: Bool, _ b: Bool) -> Bool { a }
    @inline(__always) static func power(_ a: Bool, _ b: Bool) -> Bool { a || !b }
    static var zeroValue: Bool { false }
    static var oneValue: Bool { true }
}

/// Runs `body(t)` for every `t` in `0..<tasks` on the kernels' thread pool (`st_parallel_run`),
/// the calling thread included; returns when all are done. The C kernels use the same pool, so
/// Swift's and C's parallel loops never compete for the cores; a nested call runs its tasks in
/// order on the calling thread.
func parallelTasks(_ tasks: Int, _ body: (Int) -> Void) {
    if tasks <= 1 {
        if tasks == 1 { body(0) }
        return
    }
    withoutActuallyEscaping(body) { escapable in
        var task = escapable
        withUnsafeMutablePointer(to: &task) { pointer in
            st_parallel_run(tasks, { context, t in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(t)
            }, pointer)
        }
    }
}

/// Splits `count` items into chunks run on every core when the work is large enough.
@inline(__always)
func parallelChunks(_ count: Int, grain: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let threads = ThreadSettings.numThreads
    if count < 2 * grain || threads <= 1 {
        body(0..<count)
        return
    }
    let chunks = min(threads, (count + grain - 1) / grain)
    let per = (count + chunks - 1) / chunks
    // Chunks write disjoint ranges, so sharing the closure across threads is safe.
    parallelTasks(chunks) { c in
        let lo = c * per, hi = min(count, lo + per)
        if lo < hi { body(lo..<hi) }
    }
}

/// Visits element offsets of two broadcast operands and the flat output index.
@inline(__always)
func forEachBroadcast(shape: [Int], aStrides: [Int], aOffset: Int, bStrides: [Int], bOffset: Int,
                      _ body: (_ out: Int, _ a: Int, _ b: Int) -> Void) {
    let rank = shape.count
    let n = shape.reduce(1, *)
    if n == 0 { return }
    if rank == 0 { body(0, aOffset, bOffset); return }
    var index = [Int](repeating: 0, count: rank)
    var pa = aOffset, pb = bOffset
    let last = rank - 1
    let inner = shape[last], sa = aStrides[last], sb = bStrides[last]
    var out = 0
    while out < n {
        var ia = pa, ib = pb
        for _ in 0..<inner {
            body(out, ia, ib)
            out += 1; ia += sa; ib += sb
        }
        var d = last - 1
        while d >= 0 {
            index[d] += 1
            pa += aStrides[d]; pb += bStrides[d]
            if index[d] < shape[d] { break }
            pa -= aStrides[d] * shape[d]; pb -= bStrides[d] * shape[d]
            index[d] = 0
            d -= 1
        }
    }
}

/// Strides of `layout` broadcast to `shape` (0 where the dim is broadcast).
func broadcastStrides(_ layout: Layout, to shape: [Int]) -> [Int] {
    let shift = shape.count - layout.rank
    var strides = [Int](repeating: 0, count: shape.count)
    for i in 0..<layout.rank where layout.shape[i] != 1 || shape[i + shift] == 1 {
        strides[i + shift] = layout.shape[i] == 1 ? 0 : layout.strides[i]
    }
    return strides
}

enum Kernels {
    /// Elements below which a cheap elementwise op (add, compare, relu, a copy) stays on one
    /// thread. Split across threads, the loop calls the op's closure per element instead of
    /// inlining and vectorising it (measured 3-4x slower per element), so only very large
    /// tensors gain from a second core; ops costing many cycles per element (exp, tanh, …)
    /// pass ``expensiveGrain``.
    static let cheapGrain = 1 << 20
    /// The grain for ops such as exp, log or tanh, whose per-element cost dwarfs the call.
    static let expensiveGrain = 1 << 14

    /// out[i] = f(a[i], b[i]) over the broadcast shape; out is contiguous.
    @inline(__always)
    static func binary<A, B, O>(_ a: Tensor, _ b: Tensor, _ aType: A.Type, _ bType: B.Type, out: Tensor,
                                grain: Int = cheapGrain, _ f: (A, B) -> O) {
        let pa = a.storage.pointer(as: A.self), pb = b.storage.pointer(as: B.self)
        let po = out.pointer(O.self)
        let n = out.numel
        let la = a.layout, lb = b.layout
        if la.shape == out.shape && lb.shape == out.shape && la.isContiguous && lb.isContiguous {
            let xa = pa + la.offset, xb = pb + lb.offset
            parallelChunks(n, grain: grain) { r in for i in r { po[i] = f(xa[i], xb[i]) } }
        } else if lb.numel == 1 && la.shape == out.shape && la.isContiguous {
            let xa = pa + la.offset, s = pb[lb.offset]
            parallelChunks(n, grain: grain) { r in for i in r { po[i] = f(xa[i], s) } }
        } else if la.numel == 1 && lb.shape == out.shape && lb.isContiguous {
            let s = pa[la.offset], xb = pb + lb.offset
            parallelChunks(n, grain: grain) { r in for i in r { po[i] = f(s, xb[i]) } }
        } else {
            forEachBroadcast(shape: out.shape, aStrides: broadcastStrides(la, to: out.shape), aOffset: la.offset,
                             bStrides: broadcastStrides(lb, to: out.shape), bOffset: lb.offset) { o, ia, ib in
                po[o] = f(pa[ia], pb[ib])
            }
        }
    }

    /// out[i] = f(a[i]) for a contiguous result.
    @inline(__always)
    static func unary<A, O>(_ a: Tensor, _ aType: A.Type, out: Tensor, grain: Int = cheapGrain, _ f: (A) -> O) {
        let pa = a.storage.pointer(as: A.self), po = out.pointer(O.self)
        if a.layout.isContiguous {
            let xa = pa + a.layout.offset
            parallelChunks(out.numel, grain: grain) { r in for i in r { po[i] = f(xa[i]) } }
        } else {
            var o = 0
            a.layout.forEachOffset { off in po[o] = f(pa[off]); o += 1 }
        }
    }

    /// Writes `src` (broadcast to dst's shape, any dtype) into `dst`'s (possibly strided) elements.
    static func copy(from src: Tensor, into dst: Tensor) {
        func typed<S: TensorElement, D: TensorElement>(_: S.Type, _: D.Type) {
            let ps = src.storage.pointer(as: S.self), pd = dst.storage.pointer(as: D.self)
            let convert: (S) -> D
            if S.self == D.self {
                convert = { unsafeBitCast($0, to: D.self) }
            } else if S.dtype.isFloatingPoint {
                convert = { D(fromDouble: $0.doubleValue) }
            } else {
                convert = { D(fromInt64: $0.int64Value) }
            }
            if src.layout.isContiguous && dst.layout.isContiguous && src.shape == dst.shape {
                let xs = ps + src.layout.offset, xd = pd + dst.layout.offset
                if S.self == D.self {
                    UnsafeMutableRawPointer(xd).copyMemory(from: xs, byteCount: dst.numel * D.dtype.itemSize)
                } else {
                    parallelChunks(dst.numel, grain: cheapGrain) { r in for i in r { xd[i] = convert(xs[i]) } }
                }
                return
            }
            forEachBroadcast(shape: dst.shape, aStrides: dst.layout.strides, aOffset: dst.layout.offset,
                             bStrides: broadcastStrides(src.layout, to: dst.shape), bOffset: src.layout.offset) { _, id, isrc in
                pd[id] = convert(ps[isrc])
            }
        }
        func withDst<S: TensorElement>(_ s: S.Type) {
            switch dst.dtype {
            case .float32: typed(s, Float.self)
            case .float64: typed(s, Double.self)
            case .int64: typed(s, Int64.self)
            case .int32: typed(s, Int32.self)
            case .uint8: typed(s, UInt8.self)
            case .bool: typed(s, Bool.self)
            }
        }
        switch src.dtype {
        case .float32: withDst(Float.self)
        case .float64: withDst(Double.self)
        case .int64: withDst(Int64.self)
        case .int32: withDst(Int32.self)
        case .uint8: withDst(UInt8.self)
        case .bool: withDst(Bool.self)
        }
    }

    /// Fills every element of `dst` with `value`.
    static func fill(_ dst: Tensor, _ value: Double) {
        func typed<T: TensorElement>(_: T.Type) {
            let v = T.dtype.isFloatingPoint ? T(fromDouble: value) : T(fromInt64: Int64(fromDouble: value))
            let p = dst.storage.pointer(as: T.self)
            if dst.layout.isContiguous {
                (p + dst.layout.offset).update(repeating: v, count: dst.numel)
            } else {
                dst.layout.forEachOffset { p[$0] = v }
            }
        }
        switch dst.dtype {
        case .float32: typed(Float.self)
        case .float64: typed(Double.self)
        case .int64: typed(Int64.self)
        case .int32: typed(Int32.self)
        case .uint8: typed(UInt8.self)
        case .bool: typed(Bool.self)
        }
    }
}

/// Calls `body` with the Swift element type of an arithmetic dtype: the single dtype switch
/// for generic kernels.
@inline(__always)
func withArithmeticType<R>(_ dtype: DType, _ body: (any ArithmeticElement.Type) -> R) -> R {
    switch dtype {
    case .float32: return body(Float.self)
    case .float64: return body(Double.self)
    case .int64: return body(Int64.self)
    case .int32: return body(Int32.self)
    case .uint8: return body(UInt8.self)
    case .bool: return body(Bool.self)
    }
}

/// Thread count used by SwiftTorch's parallel kernels, as `torch.set_num_threads`.
public enum ThreadSettings {
    /// The online CPUs, or `SWIFTTORCH_NUM_THREADS` when set: the C kernels' own default.
    nonisolated(unsafe) static var numThreads: Int = Int(st_get_num_threads())
}

/// Sets the number of threads used for parallel kernels, as `torch.set_num_threads`.
public func setNumThreads(_ n: Int) {
    precondition(n >= 1, "Number of threads must be positive")
    ThreadSettings.numThreads = n
    st_set_num_threads(Int32(n))
}

/// The number of threads used for parallel kernels, as `torch.get_num_threads()`.
public func getNumThreads() -> Int { ThreadSettings.numThreads }
