/// CRC-32C (Castagnoli), the checksum that frames TFRecord files such as TensorBoard event logs.
///
/// ```swift
/// CRC32C.checksum(Array("123456789".utf8))          // 0xE3069283
/// CRC32C.masked(CRC32C.checksum(record))            // what a TFRecord stores
/// ```
public enum CRC32C {
    /// The reflected Castagnoli polynomial 0x1EDC6F41.
    static let polynomial: UInt32 = 0x82F6_3B78

    /// Eight 256-entry tables for slicing-by-8: table k advances a byte through k more zero bytes.
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ polynomial : crc >> 1 }
            t[i] = crc
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// The CRC-32C of `bytes`; pass an earlier result as `seed` to continue a running checksum.
    ///
    /// ```swift
    /// let whole = CRC32C.checksum(a + b)
    /// let same = CRC32C.checksum(b, seed: CRC32C.checksum(a))   // == whole
    /// ```
    public static func checksum(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBufferPointer { checksum($0, seed: seed) }
    }

    /// The CRC-32C of the bytes in `buffer`, continuing from `seed`.
    public static func checksum(_ buffer: UnsafeBufferPointer<UInt8>, seed: UInt32 = 0) -> UInt32 {
        var crc = ~seed
        var i = 0
        let n = buffer.count
        tables.withUnsafeBufferPointer { t in
            // Eight bytes per round; the tail goes a byte at a time.
            while i + 8 <= n {
                let lo = crc ^ (UInt32(buffer[i]) | UInt32(buffer[i + 1]) << 8
                                | UInt32(buffer[i + 2]) << 16 | UInt32(buffer[i + 3]) << 24)
                crc = t[7 * 256 + Int(lo & 0xFF)] ^ t[6 * 256 + Int((lo >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((lo >> 16) & 0xFF)] ^ t[4 * 256 + Int(lo >> 24)]
                    ^ t[3 * 256 + Int(buffer[i + 4])] ^ t[2 * 256 + Int(buffer[i + 5])]
                    ^ t[1 * 256 + Int(buffer[i + 6])] ^ t[Int(buffer[i + 7])]
                i += 8
            }
            while i < n {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(buffer[i])) & 0xFF)]
                i += 1
            }
        }
        return ~crc
    }

    /// TFRecord's masking of a CRC (rotate right by 15, add a constant), which keeps a CRC of
    /// data that itself holds CRCs from being weak.
    ///
    /// ```swift
    /// CRC32C.masked(0)   // 0xA282EAD8
    /// ```
    public static func masked(_ crc: UInt32) -> UInt32 {
        ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    /// Reverses ``masked(_:)``.
    public static func unmasked(_ maskedCRC: UInt32) -> UInt32 {
        let rotated = maskedCRC &- 0xA282_EAD8
        return (rotated >> 17) | (rotated << 15)
    }
}
