// The 32-bit Mersenne Twister exactly as PyTorch's CPU generator runs it
// (ATen/core/MT19937RNGEngine.h): init_genrand seeding from the low 32 bits of the seed, and
// the same `left`/`next` bookkeeping, because torch.get_rng_state() exposes both.

/// The mt19937 engine behind ``Generator``; a plain value, so copying it snapshots the stream.
struct MT19937: Sendable {
    static let stateSize = 624
    static let shift = 397
    private static let matrixA: UInt32 = 0x9908_B0DF
    private static let upperMask: UInt32 = 0x8000_0000
    private static let lowerMask: UInt32 = 0x7FFF_FFFF

    /// The full 64-bit seed it was created with (torch's `initial_seed()`); only its low
    /// 32 bits reach the state.
    var seed: UInt64
    /// Draws left before the next twist; 1 right after seeding, so the first draw twists.
    var left: Int32
    var seeded: Bool
    /// Index of the next state word to temper.
    var next: UInt32
    var state: [UInt32]

    init(seed: UInt64) {
        self.seed = seed
        self.left = 1
        self.seeded = true
        self.next = 0
        var words = [UInt32](repeating: 0, count: Self.stateSize)
        words[0] = UInt32(truncatingIfNeeded: seed)
        for j in 1..<Self.stateSize {
            let previous = words[j - 1]
            words[j] = 1_812_433_253 &* (previous ^ (previous >> 30)) &+ UInt32(j)
        }
        self.state = words
    }

    /// Restores the raw fields, as torch.set_rng_state does (validity is checked by the caller).
    init(seed: UInt64, left: Int32, seeded: Bool, next: UInt32, state: [UInt32]) {
        self.seed = seed
        self.left = left
        self.seeded = seeded
        self.next = next
        self.state = state
    }

    /// The check torch applies before accepting a restored state ("Invalid mt19937 state").
    var isValid: Bool {
        seeded && left > 0 && Int(left) <= Self.stateSize && Int(next) <= Self.stateSize
            && state.count == Self.stateSize
    }

    @inline(__always)
    mutating func nextUInt32() -> UInt32 {
        left -= 1
        if left == 0 { twist() }
        var y = state[Int(next)]
        next &+= 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C_5680
        y ^= (y << 15) & 0xEFC6_0000
        y ^= y >> 18
        return y
    }

    /// Two draws, the first in the high half (detail::make64BitsFrom32Bits).
    @inline(__always)
    mutating func nextUInt64() -> UInt64 {
        let high = UInt64(nextUInt32())
        let low = UInt64(nextUInt32())
        return (high << 32) | low
    }

    private mutating func twist() {
        left = Int32(Self.stateSize)
        next = 0
        let n = Self.stateSize, m = Self.shift
        state.withUnsafeMutableBufferPointer { p in
            @inline(__always) func mixed(_ u: UInt32, _ v: UInt32) -> UInt32 {
                let bits = (u & Self.upperMask) | (v & Self.lowerMask)
                return (bits >> 1) ^ ((v & 1) != 0 ? Self.matrixA : 0)
            }
            for i in 0..<(n - m) { p[i] = p[i + m] ^ mixed(p[i], p[i + 1]) }
            for i in (n - m)..<(n - 1) { p[i] = p[i + m - n] ^ mixed(p[i], p[i + 1]) }
            p[n - 1] = p[m - 1] ^ mixed(p[n - 1], p[0])
        }
    }
}
