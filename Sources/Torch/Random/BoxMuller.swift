import Foundation

// PyTorch's chunked Box-Muller (NormalFill16 in ATen/native/cpu/DistributionTemplates.h):
// 16 uniforms become 8 (cos, sin) pairs; lane j pairs data[j] with data[j + 8].
// For float32 the result depends on which CPU kernel torch dispatches to: with AVX2 it uses
// avx_mathfun's Cephes polynomials, elsewhere the platform libm. Both are reproduced
// operation for operation, fusing exactly the multiply-adds the compiled torch fuses
// (read off its disassembly), because any other rounding changes the last bit.

/// Which build of PyTorch's CPU kernels to reproduce. torch compiles its random kernels once
/// per CPU capability and picks one at run time; the builds round differently.
enum CPUKernel: Sendable {
    /// x86-64 with AVX2 and FMA (AVX-512 machines run it too, this wheel has no AVX-512
    /// random kernels): float32 normals use avx_mathfun, and GCC fused every `a * b + c`.
    case avx2
    /// x86-64 "DEFAULT" capability: libm normals, and no FMA instructions to fuse with.
    case generic
    /// Other architectures (arm64): libm normals; the compilers fuse `a * b + c` there.
    case genericFused

    /// Whether `x * (to - from) + from` and `value * std + mean` are single-rounding FMAs.
    var fusesMultiplyAdd: Bool { self != .generic }

    /// What torch would pick here: AVX2 when the CPU has AVX2 and FMA, unless
    /// `ATEN_CPU_CAPABILITY=default` forces the generic kernels (as it does for torch).
    static let detected: CPUKernel = {
        #if arch(x86_64)
            if ProcessInfo.processInfo.environment["ATEN_CPU_CAPABILITY"]?.lowercased() == "default" {
                return .generic
            }
            return cpuHasAVX2AndFMA() ? .avx2 : .generic
        #else
            return .genericFused
        #endif
    }()

    private static func cpuHasAVX2AndFMA() -> Bool {
        #if os(Linux)
            guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
                  let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
            else { return false }
            let flags = Set(line.split(separator: " "))
            return flags.contains("avx2") && flags.contains("fma")
        #elseif canImport(Darwin)
            func sysctlFlag(_ name: String) -> Bool {
                var value: Int32 = 0
                var size = MemoryLayout<Int32>.size
                return sysctlbyname(name, &value, &size, nil, 0) == 0 && value != 0
            }
            return sysctlFlag("hw.optional.avx2_0") && sysctlFlag("hw.optional.fma")
        #else
            return false
        #endif
    }
}

enum BoxMuller {
    // 2π as torch writes it, `2.0f * c10::pi<double>`: a double, rounded to float for AVX2.
    private static let twoPi = 2.0 * Double.pi

    /// NormalFill16<float> with AVX2: Cephes log and sincos on each lane, then
    /// `_mm256_fmadd_ps` for std and mean.
    static func avx2Chunk(_ data: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        let twoPi = Float(Self.twoPi)
        for j in 0..<8 {
            let u1 = 1 - data[j]  // [0, 1) -> (0, 1] for the log
            let u2 = data[j + 8]
            let radius = (-2 * CephesFloat.log(u1)).squareRoot()
            let (sine, cosine) = CephesFloat.sinCos(twoPi * u2)
            data[j] = mean.addingProduct(radius * cosine, std)
            data[j + 8] = mean.addingProduct(radius * sine, std)
        }
    }

    /// Generic NormalFill16<float>: libm in float, except theta, which C++ computes in double
    /// (`2.0f * pi<double> * u2`) before storing it as float.
    static func scalarChunk(_ data: UnsafeMutablePointer<Float>, mean: Float, std: Float) {
        for j in 0..<8 {
            let u1 = 1 - data[j]
            let u2 = data[j + 8]
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let theta = Float(twoPi * Double(u2))
            data[j] = mean.addingProduct(radius * Foundation.cos(theta), std)
            data[j + 8] = mean.addingProduct(radius * Foundation.sin(theta), std)
        }
    }

    /// NormalFill16<double> (the same on every CPU kernel): libm in double, std::fma at the end.
    static func doubleChunk(_ data: UnsafeMutablePointer<Double>, mean: Double, std: Double) {
        for j in 0..<8 {
            let u1 = 1 - data[j]
            let u2 = data[j + 8]
            let radius = (-2 * Foundation.log(u1)).squareRoot()
            let theta = twoPi * u2
            data[j] = mean.addingProduct(radius * Foundation.cos(theta), std)
            data[j + 8] = mean.addingProduct(radius * Foundation.sin(theta), std)
        }
    }
}

/// One lane of avx_mathfun.h's log256_ps and sincos256_ps (Cephes single precision), step by
/// step in the same order, with the same masks and the same fused multiply-adds as torch's
/// AVX2 build, so every rounding matches the SIMD code.
enum CephesFloat {
    // The C constants are double literals stored into float arrays: convert the same way.
    private static let sqrtHalf = Float(0.707106781186547524 as Double)
    private static let logP: [Float] = [
        7.0376836292E-2, -1.1514610310E-1, 1.1676998740E-1, -1.2420140846E-1, 1.4249322787E-1,
        -1.6668057665E-1, 2.0000714765E-1, -2.4999993993E-1, 3.3333331174E-1,
    ].map { Float($0 as Double) }
    private static let logQ1 = Float(-2.12194440e-4 as Double)
    private static let logQ2 = Float(0.693359375 as Double)
    private static let minusDP1 = Float(-0.78515625 as Double)
    private static let minusDP2 = Float(-2.4187564849853515625e-4 as Double)
    private static let minusDP3 = Float(-3.77489497744594108e-8 as Double)
    private static let sinP0 = Float(-1.9515295891E-4 as Double)
    private static let sinP1 = Float(8.3321608736E-3 as Double)
    private static let sinP2 = Float(-1.6666654611E-1 as Double)
    private static let cosP0 = Float(2.443315711809948E-005 as Double)
    private static let cosP1 = Float(-1.388731625493765E-003 as Double)
    private static let cosP2 = Float(4.166664568298827E-002 as Double)
    private static let fourOverPi = Float(1.27323954473516 as Double)

    /// log256_ps: NaN for x <= 0; denormals are clamped to the smallest normal first.
    static func log(_ input: Float) -> Float {
        let invalid = input <= 0
        var x = input > Float.leastNormalMagnitude ? input : Float.leastNormalMagnitude  // max_ps(x, min)
        let exponentBits = Int32(bitPattern: x.bitPattern >> 23) &- 0x7F
        // keep the mantissa, with the exponent of 0.5
        x = Float(bitPattern: (x.bitPattern & ~0x7F80_0000) | (0.5 as Float).bitPattern)
        var e = Float(exponentBits) + 1
        let below = x < sqrtHalf
        let tmp: Float = below ? x : 0
        x = x - 1
        e = e - (below ? 1 : 0)
        x = x + tmp
        let z = x * x
        var y = logP[0]
        for p in logP.dropFirst() { y = p.addingProduct(y, x) }
        y = y * x
        y = (e * logQ1).addingProduct(y, z)  // GCC fused y * z + e * q1, not the other product
        y = y.addingProduct(-z, 0.5)
        x = x + y
        x = x.addingProduct(e, logQ2)
        return invalid ? Float(bitPattern: x.bitPattern | 0xFFFF_FFFF) : x
    }

    /// sincos256_ps for one lane: (sin x, cos x).
    static func sinCos(_ input: Float) -> (sin: Float, cos: Float) {
        var signSin = input.bitPattern & 0x8000_0000
        var x = Float(bitPattern: input.bitPattern & 0x7FFF_FFFF)
        var y = x * fourOverPi
        // cvttps_epi32 gives 0x80000000 for out-of-range lanes; mirror it
        var j: Int32 = y.isFinite && abs(y) < 2_147_483_648 ? Int32(y) : Int32.min
        j = (j &+ 1) & ~1
        y = Float(j)
        let swapSignSin = UInt32(bitPattern: (j & 4) << 29)
        let polyMask = (j & 2) == 0
        x = x.addingProduct(y, minusDP1)
        x = x.addingProduct(y, minusDP2)
        x = x.addingProduct(y, minusDP3)
        let signCos = UInt32(bitPattern: (~(j &- 2) & 4) << 29)
        signSin ^= swapSignSin

        let z = x * x
        var c = cosP1.addingProduct(cosP0, z)
        c = cosP2.addingProduct(c, z)
        c = c * z
        c = (-(z * 0.5)).addingProduct(c, z)  // fused c * z - z * 0.5 (vfmsub)
        c = c + 1

        var s = sinP1.addingProduct(sinP0, z)
        s = sinP2.addingProduct(s, z)
        s = s * z
        s = x.addingProduct(s, x)

        // select with and/andnot masks, then add, exactly as the SIMD code (keeps signed zeros)
        let sinPart2: Float = polyMask ? s : 0
        let sinPart1: Float = polyMask ? 0 : c
        s = s - sinPart2
        c = c - sinPart1
        let sine = sinPart1 + sinPart2
        let cosine = c + s
        return (Float(bitPattern: sine.bitPattern ^ signSin), Float(bitPattern: cosine.bitPattern ^ signCos))
    }
}
