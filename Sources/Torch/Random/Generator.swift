import Foundation

/// A pseudo-random number generator that reproduces PyTorch's CPU generator bit for bit.
///
/// It is the same 32-bit Mersenne Twister, seeded the same way, and its fills follow PyTorch's
/// CPU kernels for a contiguous tensor, so the same seed gives the same numbers:
/// ```swift
/// let g = Generator(seed: 0)
/// var x = [Float](repeating: 0, count: 3)
/// x.withUnsafeMutableBufferPointer { g.fillUniform($0) }   // [0.4963, 0.7682, 0.0885], as torch.rand(3)
/// ```
/// All methods take an internal lock, so one generator can be shared between threads.
public final class Generator: @unchecked Sendable {
    /// PyTorch's `default_rng_seed_val`: the seed of a fresh `torch.Generator()`.
    static let defaultSeed: UInt64 = 67_280_421_310_721
    /// Size of `torch.get_rng_state()`: sizeof(CPUGeneratorImplState).
    static let stateByteCount = 5056

    private let lock = NSLock()
    private var engine: MT19937
    // Box-Muller makes two normals; scalar draws keep the second one here (torch's
    // next_double_normal_sample). The float one is never drawn on CPU, only carried in the state.
    private var nextDoubleNormal: Double?
    private var nextFloatNormal: Float?
    private var kernel: CPUKernel

    /// Creates a generator seeded with `seed`, like `torch.Generator().manual_seed(seed)`.
    ///
    /// ```swift
    /// let g = Generator()            // torch.Generator(): initialSeed == 67280421310721
    /// let h = Generator(seed: 42)    // torch.Generator().manual_seed(42)
    /// ```
    public init(seed: UInt64 = 67_280_421_310_721) {
        engine = MT19937(seed: seed)
        kernel = CPUKernel.detected
    }

    /// The global generator used when no generator is passed (`torch.default_generator`).
    ///
    /// Like PyTorch's, it starts from a non-deterministic seed; call ``manualSeed(_:)`` for
    /// reproducible streams.
    /// ```swift
    /// manualSeed(50)
    /// let first = Generator.default.random()
    /// ```
    public static let `default` = Generator(seed: UInt64.random(in: .min ... .max))

    // MARK: Seeding and state

    /// Re-seeds the generator and drops any cached normal sample, as `manual_seed`.
    ///
    /// ```swift
    /// let g = Generator()
    /// g.manualSeed(0)   // g.random() == 2357136044, the first mt19937 output for seed 0
    /// ```
    public func manualSeed(_ seed: UInt64) {
        locked {
            engine = MT19937(seed: seed)
            nextDoubleNormal = nil
            nextFloatNormal = nil
        }
    }

    /// Re-seeds from a non-deterministic source and returns the new seed, as `Generator.seed()`.
    ///
    /// ```swift
    /// let s = Generator.default.seed()   // Generator.default.initialSeed == s
    /// ```
    @discardableResult
    public func seed() -> UInt64 {
        let seed = UInt64.random(in: .min ... .max)
        manualSeed(seed)
        return seed
    }

    /// The seed last set (all 64 bits, although the engine uses only the low 32), as `initial_seed()`.
    ///
    /// ```swift
    /// Generator(seed: 7).initialSeed   // 7
    /// ```
    public var initialSeed: UInt64 { locked { engine.seed } }

    /// The full generator state, byte for byte as `torch.get_rng_state()` (5056 bytes).
    ///
    /// Layout (CPUGeneratorImplState, little-endian): seed u64, left i32, seeded i32, next u64,
    /// 624 state words widened to u64, then normal_x, normal_y (the cached double normal),
    /// normal_rho as f64, normal_is_valid i32, padding, the cached float normal f32 and its flag.
    /// ```swift
    /// let saved = g.getState()
    /// let a = g.random()
    /// g.setState(saved)        // g.random() == a again
    /// ```
    public func getState() -> [UInt8] {
        let (engine, double, float) = locked { (self.engine, nextDoubleNormal, nextFloatNormal) }
        var bytes = [UInt8](repeating: 0, count: Self.stateByteCount)
        bytes.withUnsafeMutableBytes { raw in
            func put<T: FixedWidthInteger>(_ value: T, at offset: Int) {
                raw.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self)
            }
            put(engine.seed, at: 0)
            put(engine.left, at: 8)
            put(Int32(engine.seeded ? 1 : 0), at: 12)
            put(UInt64(engine.next), at: 16)
            for (i, word) in engine.state.enumerated() { put(UInt64(word), at: 24 + 8 * i) }
            // normal_x (5016) and normal_rho (5032) are legacy fields torch always writes as 0.
            if let double {
                put(double.bitPattern, at: 5024)
                put(Int32(1), at: 5040)
            }
            if let float {
                put(float.bitPattern, at: 5048)
                put(UInt8(1), at: 5052)
            }
        }
        return bytes
    }

    /// Restores a state from ``getState()`` or from `torch.get_rng_state()`, as `set_rng_state`.
    ///
    /// Traps, with PyTorch's message, on a wrong length or an invalid engine state.
    /// ```swift
    /// let g = Generator(seed: 1)
    /// g.setState(Generator(seed: 2).getState())   // now draws as a generator seeded with 2
    /// ```
    public func setState(_ state: [UInt8]) {
        precondition(
            state.count == Self.stateByteCount,
            "Expected a CPUGeneratorImplState of size \(Self.stateByteCount) but found the input RNG state size to be \(state.count)")
        let (restored, double, float) = state.withUnsafeBytes { raw in
            func get<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
                T(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: T.self))
            }
            let words = (0..<MT19937.stateSize).map {
                UInt32(truncatingIfNeeded: get(UInt64.self, at: 24 + 8 * $0))
            }
            let restored = MT19937(
                seed: get(UInt64.self, at: 0), left: get(Int32.self, at: 8),
                seeded: get(Int32.self, at: 12) != 0,
                next: UInt32(truncatingIfNeeded: get(UInt64.self, at: 16)), state: words)
            let double = get(Int32.self, at: 5040) != 0
                ? Double(bitPattern: get(UInt64.self, at: 5024)) : nil
            let float = get(UInt8.self, at: 5052) != 0
                ? Float(bitPattern: get(UInt32.self, at: 5048)) : nil
            return (restored, double, float)
        }
        precondition(restored.isValid, "Invalid mt19937 state")
        locked {
            engine = restored
            nextDoubleNormal = double
            nextFloatNormal = float
        }
    }

    // MARK: Raw draws

    /// The next 32-bit output of the Mersenne Twister (`CPUGeneratorImpl::random()`).
    ///
    /// ```swift
    /// Generator(seed: 0).random()   // 2357136044
    /// ```
    public func random() -> UInt32 { withEngine { $0.nextUInt32() } }

    /// Two 32-bit outputs joined, the first in the high half (`CPUGeneratorImpl::random64()`).
    ///
    /// ```swift
    /// Generator(seed: 0).random64()   // 2357136044 << 32 | 2546248239
    /// ```
    public func random64() -> UInt64 { withEngine { $0.nextUInt64() } }

    // MARK: Uniform

    /// Fills `out` with uniform samples in [from, to), as `uniform_` / `torch.rand` on float32.
    ///
    /// One 32-bit draw per element, of which the low 24 bits are used.
    /// ```swift
    /// var w = [Float](repeating: 0, count: 4)
    /// w.withUnsafeMutableBufferPointer { g.fillUniform($0, from: -0.5, to: 0.5) }
    /// ```
    public func fillUniform(_ out: UnsafeMutableBufferPointer<Float>, from: Double = 0, to: Double = 1) {
        checkUniformBounds(from, to, lowest: -Double(Float.greatestFiniteMagnitude),
                           max: Double(Float.greatestFiniteMagnitude), dtype: "float")
        let low = Float(from), high = Float(to)
        let fused = cpuKernel.fusesMultiplyAdd
        withEngine { engine in
            for i in out.indices {
                let value = Self.uniformFloat(engine.nextUInt32(), low, high, fused: fused)
                // torch maps a value that rounded up to `to` back to `from`
                out[i] = value == high ? low : value
            }
        }
    }

    /// Fills `out` with uniform samples in [from, to), as `uniform_` / `torch.rand` on float64.
    ///
    /// One 64-bit draw per element, of which the low 53 bits are used.
    /// ```swift
    /// var w = [Double](repeating: 0, count: 4)
    /// w.withUnsafeMutableBufferPointer { g.fillUniform($0) }
    /// ```
    public func fillUniform(_ out: UnsafeMutableBufferPointer<Double>, from: Double = 0, to: Double = 1) {
        checkUniformBounds(from, to, lowest: -Double.greatestFiniteMagnitude,
                           max: Double.greatestFiniteMagnitude, dtype: "double")
        let fused = cpuKernel.fusesMultiplyAdd
        withEngine { engine in
            for i in out.indices {
                let value = Self.uniformDouble(engine.nextUInt64(), from, to, fused: fused)
                out[i] = value == to ? from : value
            }
        }
    }

    // MARK: Normal

    /// Fills `out` with normal samples, as `normal_(mean, std)` / `torch.randn` on float32.
    ///
    /// Like PyTorch, 16 or more elements go through the chunked Box-Muller kernel (float
    /// uniforms, 16 at a time, the last chunk redrawn when the count is not a multiple of 16);
    /// fewer use scalar double Box-Muller with the cached second sample.
    /// ```swift
    /// var w = [Float](repeating: 0, count: 32)
    /// w.withUnsafeMutableBufferPointer { g.fillNormal($0, mean: 0, std: 0.02) }
    /// ```
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Float>, mean: Double = 0, std: Double = 1) {
        precondition(std >= 0, "normal expects std >= 0.0, but found std \(std)")
        let n = out.count
        let kernel = cpuKernel
        guard n >= 16 else {
            withEngine { engine in
                for i in 0..<n {
                    out[i] = Float(normalSample(&engine, mean: mean, std: std, fused: kernel.fusesMultiplyAdd))
                }
            }
            return
        }
        let m = Float(mean), s = Float(std)
        let chunk: (UnsafeMutablePointer<Float>) -> Void = kernel == .avx2
            ? { BoxMuller.avx2Chunk($0, mean: m, std: s) }
            : { BoxMuller.scalarChunk($0, mean: m, std: s) }
        withEngine { engine in
            for i in 0..<n { out[i] = Self.unitFloat(engine.nextUInt32()) }
            let base = out.baseAddress!
            for i in stride(from: 0, to: n - 15, by: 16) { chunk(base + i) }
            if n % 16 != 0 {
                // the tail is redone with 16 fresh uniforms over the last 16 slots
                for i in (n - 16)..<n { out[i] = Self.unitFloat(engine.nextUInt32()) }
                chunk(base + n - 16)
            }
        }
    }

    /// Fills `out` with normal samples, as `normal_(mean, std)` / `torch.randn` on float64.
    ///
    /// ```swift
    /// var w = [Double](repeating: 0, count: 5)
    /// w.withUnsafeMutableBufferPointer { g.fillNormal($0) }
    /// ```
    public func fillNormal(_ out: UnsafeMutableBufferPointer<Double>, mean: Double = 0, std: Double = 1) {
        precondition(std >= 0, "normal expects std >= 0.0, but found std \(std)")
        let n = out.count
        guard n >= 16 else {
            let fused = cpuKernel.fusesMultiplyAdd
            withEngine { engine in
                for i in 0..<n { out[i] = normalSample(&engine, mean: mean, std: std, fused: fused) }
            }
            return
        }
        withEngine { engine in
            for i in 0..<n { out[i] = Self.unitDouble(engine.nextUInt64()) }
            let base = out.baseAddress!
            for i in stride(from: 0, to: n - 15, by: 16) {
                BoxMuller.doubleChunk(base + i, mean: mean, std: std)
            }
            if n % 16 != 0 {
                for i in (n - 16)..<n { out[i] = Self.unitDouble(engine.nextUInt64()) }
                BoxMuller.doubleChunk(base + n - 16, mean: mean, std: std)
            }
        }
    }

    /// One draw of at::normal_distribution<double>: Box-Muller on two 53-bit uniforms,
    /// returning the cosine branch and caching the sine branch for the next call.
    /// Call with the lock held (from `withEngine`).
    private func normalSample(_ engine: inout MT19937, mean: Double, std: Double, fused: Bool) -> Double {
        let sample: Double
        if let cached = nextDoubleNormal {
            nextDoubleNormal = nil
            sample = cached
        } else {
            let u1 = Self.unitDouble(engine.nextUInt64())
            let u2 = Self.unitDouble(engine.nextUInt64())
            let r = (-2.0 * log1p(-u2)).squareRoot()
            let theta = 2.0 * Double.pi * u1
            nextDoubleNormal = r * sin(theta)
            sample = r * cos(theta)
        }
        return fused ? mean.addingProduct(sample, std) : sample * std + mean
    }

    // MARK: Integers

    /// `count` integers uniform in `low..<high`, as `torch.randint(low, high, (count,))`.
    ///
    /// Ranges below 2^28 use one 32-bit draw per value, wider ones a 64-bit draw (then `%`).
    /// ```swift
    /// Generator(seed: 0).randint(low: 0, high: 10, count: 5)   // [4, 9, 3, 0, 3], as torch.randint(0, 10, (5,))
    /// ```
    public func randint(low: Int64, high: Int64, count: Int) -> [Int64] {
        precondition(low < high, "random_ expects 'from' to be less than 'to', but got from=\(low) >= to=\(high)")
        precondition(count >= 0, "randint expects a non-negative count, got \(count)")
        var out = [Int64](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer {
            fillFromTo($0, range: UInt64(bitPattern: high &- low), base: low)
        }
        return out
    }

    /// A random permutation of `0..<n`, as `torch.randperm(n)` on CPU.
    ///
    /// Below 2^32/20 it is PyTorch's swap shuffle with 32-bit draws; from there on the
    /// "inside-out" Fisher-Yates with 64-bit draws, exactly as torch switches.
    /// ```swift
    /// Generator(seed: 0).randperm(4)   // [0, 1, 3, 2], as torch.randperm(4) after manual_seed(0)
    /// ```
    public func randperm(_ n: Int) -> [Int64] {
        precondition(n >= 0, "n must be non-negative, got\(n)")
        var out = [Int64](repeating: 0, count: n)
        out.withUnsafeMutableBufferPointer { r in
            withEngine { engine in
                if n < Int(UInt32.max / 20) {
                    for i in 0..<n { r[i] = Int64(i) }
                    var i = 0
                    while i < n - 1 {
                        let z = Int(engine.nextUInt32()) % (n - i)
                        r.swapAt(i, i + z)
                        i += 1
                    }
                } else {
                    for i in 0..<n {
                        let z = Int(engine.nextUInt64() % UInt64(i + 1))
                        r[i] = r[z]
                        r[z] = Int64(i)
                    }
                }
            }
        }
        return out
    }

    /// Fills `out` as `tensor.random_()` on int64: uniform in `0...Int64.max`, one 64-bit draw each.
    ///
    /// ```swift
    /// var w = [Int64](repeating: 0, count: 3)
    /// w.withUnsafeMutableBufferPointer { g.fillRandom($0) }
    /// ```
    public func fillRandom(_ out: UnsafeMutableBufferPointer<Int64>) {
        withEngine { engine in
            for i in out.indices { out[i] = Int64(engine.nextUInt64() & UInt64(Int64.max)) }
        }
    }

    /// Fills `out` as `tensor.random_(from, to)` on int64: uniform in `from..<to`, or, with
    /// `to == nil`, in `from...Int64.max` (the full 64-bit range when `from == Int64.min`).
    ///
    /// ```swift
    /// var w = [Int64](repeating: 0, count: 3)
    /// w.withUnsafeMutableBufferPointer { g.fillRandom($0, from: -7, to: 12) }
    /// ```
    public func fillRandom(_ out: UnsafeMutableBufferPointer<Int64>, from: Int64, to: Int64?) {
        if let to {
            precondition(from < to, "random_ expects 'from' to be less than 'to', but got from=\(from) >= to=\(to)")
            fillFromTo(out, range: UInt64(bitPattern: to &- from), base: from)
        } else if from != .min {
            fillFromTo(out, range: UInt64(Int64.max) &- UInt64(bitPattern: from) &+ 1, base: from)
        } else {
            withEngine { engine in
                for i in out.indices { out[i] = Int64(bitPattern: engine.nextUInt64()) }
            }
        }
    }

    /// at::uniform_int_from_to_distribution: `draw % range + base`, wrapping like the C++.
    private func fillFromTo(_ out: UnsafeMutableBufferPointer<Int64>, range: UInt64, base: Int64) {
        let offset = UInt64(bitPattern: base)
        withEngine { engine in
            if range >= 1 << 28 {
                for i in out.indices {
                    out[i] = Int64(bitPattern: engine.nextUInt64() % range &+ offset)
                }
            } else {
                for i in out.indices {
                    out[i] = Int64(bitPattern: UInt64(engine.nextUInt32()) % range &+ offset)
                }
            }
        }
    }

    // MARK: Bernoulli

    /// Fills `out` with 1 (probability `p`) or 0, as `bernoulli_(p)` on float32.
    ///
    /// Each element compares a 53-bit double uniform with `p`. `dropout(x, p)` on CPU draws
    /// exactly this with `1 - p` over a tensor shaped like `x`.
    /// ```swift
    /// var mask = [Float](repeating: 0, count: 8)
    /// mask.withUnsafeMutableBufferPointer { g.fillBernoulli($0, p: 0.7) }  // keep mask of dropout(p: 0.3)
    /// ```
    public func fillBernoulli(_ out: UnsafeMutableBufferPointer<Float>, p: Double) {
        precondition(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=\(p)")
        withEngine { engine in
            for i in out.indices { out[i] = Self.unitDouble(engine.nextUInt64()) < p ? 1 : 0 }
        }
    }

    /// Fills `out` with 1 (probability `p`) or 0, as `bernoulli_(p)` on float64.
    ///
    /// ```swift
    /// var mask = [Double](repeating: 0, count: 8)
    /// mask.withUnsafeMutableBufferPointer { g.fillBernoulli($0, p: 0.5) }
    /// ```
    public func fillBernoulli(_ out: UnsafeMutableBufferPointer<Double>, p: Double) {
        precondition(p >= 0 && p <= 1, "bernoulli_ expects p to be in [0, 1], but got p=\(p)")
        withEngine { engine in
            for i in out.indices { out[i] = Self.unitDouble(engine.nextUInt64()) < p ? 1 : 0 }
        }
    }

    // MARK: Helpers

    /// transformation::uniform_real<float> on [0, 1): 24 random bits times 2^-24.
    @inline(__always)
    static func unitFloat(_ draw: UInt32) -> Float {
        Float(draw & 0xFF_FFFF) * (1.0 / 16_777_216.0)
    }

    /// transformation::uniform_real<double> on [0, 1): 53 random bits times 2^-53.
    @inline(__always)
    static func unitDouble(_ draw: UInt64) -> Double {
        Double(draw & 0x1F_FFFF_FFFF_FFFF) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// uniform_real<float> on [from, to): `x * (to - from) + from`, one rounding where torch fuses it.
    @inline(__always)
    static func uniformFloat(_ draw: UInt32, _ from: Float, _ to: Float, fused: Bool) -> Float {
        let x = unitFloat(draw)
        return fused ? from.addingProduct(x, to - from) : x * (to - from) + from
    }

    /// uniform_real<double> on [from, to), as `uniformFloat`.
    @inline(__always)
    static func uniformDouble(_ draw: UInt64, _ from: Double, _ to: Double, fused: Bool) -> Double {
        let x = unitDouble(draw)
        return fused ? from.addingProduct(x, to - from) : x * (to - from) + from
    }

    /// The argument checks of torch's uniform_impl_, with its messages.
    private func checkUniformBounds(_ from: Double, _ to: Double, lowest: Double, max: Double, dtype: String) {
        precondition(from >= lowest && from <= max,
                     "from is out of bounds for \(dtype). Expected from in [\(lowest), \(max)], got \(from)")
        precondition(to >= lowest && to <= max,
                     "to is out of bounds for \(dtype). Expected to in [\(lowest), \(max)], got \(to)")
        precondition(from <= to, "uniform_ expects to return a [from, to) range, but found from=\(from) > to=\(to)")
        precondition(to - from <= max,
                     "uniform_ expects to-from <= std::numeric_limits<\(dtype)>::max(), but found to=\(to) and from=\(from) which result in to-from to exceed the limit")
    }

    @inline(__always)
    private func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body()
    }

    /// Runs `body` on the engine under the lock, with one exclusive access for the whole loop.
    @inline(__always)
    private func withEngine<T>(_ body: (inout MT19937) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&engine)
    }

    /// Which torch CPU kernel build to reproduce (detected; tests pin it to match fixtures).
    var cpuKernel: CPUKernel {
        get { locked { kernel } }
        set { locked { kernel = newValue } }
    }
}

/// Seeds the default generator, as `torch.manual_seed(seed)` (inside ``withGenerator(_:_:)``,
/// the generator installed there).
///
/// ```swift
/// manualSeed(0)
/// let x = Tensor.rand(3)   // tensor([0.4963, 0.7682, 0.0885]), as in PyTorch
/// ```
public func manualSeed(_ seed: UInt64) {
    Generator.current.manualSeed(seed)
}

/// The seed of the default generator, as `torch.initial_seed()`.
///
/// ```swift
/// manualSeed(3)
/// initialSeed()   // 3
/// ```
public func initialSeed() -> UInt64 {
    Generator.default.initialSeed
}

/// The default generator's state, as `torch.get_rng_state()` (5056 bytes).
///
/// ```swift
/// let saved = getRngState()
/// setRngState(saved)
/// ```
public func getRngState() -> [UInt8] {
    Generator.default.getState()
}

/// Restores the default generator's state, as `torch.set_rng_state(state)`.
///
/// ```swift
/// setRngState(getRngState())
/// ```
public func setRngState(_ state: [UInt8]) {
    Generator.default.setState(state)
}
