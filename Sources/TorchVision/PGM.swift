import Foundation
import Torch

/// Netpbm images: PGM grey (`P2` plain text, `P5` binary) and, for colour, PPM (`P3`, `P6`),
/// with 8- or 16-bit samples.
///
/// ```swift
/// let image = try PGM.read(from: URL(fileURLWithPath: "shirt.pgm"))
/// print(image.width, image.height, image.channels)   // 28 28 1
/// ```
public enum PGM {
    /// A decoded image: `channels` (1 grey, 3 RGB) 8-bit samples per pixel, rows top to bottom.
    public struct Image: Sendable, Equatable {
        public let width: Int
        public let height: Int
        public let channels: Int
        /// `width * height * channels` samples scaled to 0...255, interleaved.
        public let pixels: [UInt8]

        public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
            precondition(width * height * channels == pixels.count, "PGM.Image: \(pixels.count) samples for \(width)x\(height)x\(channels)")
            self.width = width
            self.height = height
            self.channels = channels
            self.pixels = pixels
        }
    }

    /// The most pixels accepted, so a forged header cannot ask for a giant allocation.
    public static let maxPixels = 1 << 26

    /// Whether `bytes` start like a Netpbm grey or colour image (`P2`, `P3`, `P5`, `P6`).
    public static func isPGM(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == UInt8(ascii: "P") && [UInt8(ascii: "2"), UInt8(ascii: "3"), UInt8(ascii: "5"), UInt8(ascii: "6")].contains(bytes[1])
    }

    /// Reads and decodes a file; errors name it.
    public static func read(from url: URL) throws -> Image {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SerializationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data), file: url.path)
    }

    /// Decodes the bytes of a PGM/PPM file; `file` names it in errors.
    ///
    /// ```swift
    /// let image = try PGM.decode(Array("P2 2 1 255 0 255".utf8), file: "tiny.pgm")   // 2x1, black then white
    /// ```
    public static func decode(_ bytes: [UInt8], file: String) throws -> Image {
        func invalid(_ reason: String) -> SerializationError { .invalidImage(file: file, format: "PGM", reason: reason) }
        guard bytes.count >= 2, bytes[0] == UInt8(ascii: "P") else { throw invalid("no P2/P5 magic number") }
        let (plain, channels): (Bool, Int)
        switch bytes[1] {
        case UInt8(ascii: "2"): (plain, channels) = (true, 1)
        case UInt8(ascii: "5"): (plain, channels) = (false, 1)
        case UInt8(ascii: "3"): (plain, channels) = (true, 3)
        case UInt8(ascii: "6"): (plain, channels) = (false, 3)
        default: throw invalid("magic number P\(Character(Unicode.Scalar(bytes[1]))) is not P2, P3, P5 or P6")
        }
        var position = 2
        let width = try number(bytes, &position, "the width", invalid)
        let height = try number(bytes, &position, "the height", invalid)
        let maxValue = try number(bytes, &position, "the maximum value", invalid)
        guard width >= 1, height >= 1 else { throw invalid("size \(width)x\(height)") }
        guard width <= maxPixels, height <= maxPixels, width * height <= maxPixels else {
            throw invalid("size \(width)x\(height) is above the limit of \(maxPixels) pixels")
        }
        guard (1...65_535).contains(maxValue) else { throw invalid("maximum value \(maxValue) is not in 1...65535") }
        let count = width * height * channels
        var samples = [Int]()
        if plain {
            // Each sample takes at least a digit and a separator: check before reserving memory.
            guard count <= (bytes.count - position + 1) / 2 else {
                throw invalid("\(bytes.count - position) bytes cannot hold \(count) plain-text samples")
            }
            samples.reserveCapacity(count)
            for i in 0..<count {
                let v = try number(bytes, &position, "sample \(i + 1) of \(count)", invalid)
                guard v <= maxValue else { throw invalid("sample \(v) is above the maximum value \(maxValue)") }
                samples.append(v)
            }
        } else {
            // Exactly one whitespace byte separates the header from the raster.
            guard position < bytes.count, isSpace(bytes[position]) else {
                throw SerializationError.truncated(file: file, what: "the PGM raster", needed: 1, actual: 0)
            }
            position += 1
            let bytesPerSample = maxValue < 256 ? 1 : 2
            let needed = count * bytesPerSample
            guard bytes.count - position >= needed else {
                throw SerializationError.truncated(file: file, what: "the PGM raster", needed: needed, actual: bytes.count - position)
            }
            samples = (0..<count).map { i in
                bytesPerSample == 1 ? Int(bytes[position + i])
                    : Int(bytes[position + 2 * i]) << 8 | Int(bytes[position + 2 * i + 1])
            }
            if let bad = samples.first(where: { $0 > maxValue }) {
                throw invalid("sample \(bad) is above the maximum value \(maxValue)")
            }
        }
        let pixels = samples.map { UInt8((($0 * 255) + maxValue / 2) / maxValue) }
        return Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    private static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// The next decimal number, skipping whitespace and `#` comments.
    private static func number(_ bytes: [UInt8], _ position: inout Int, _ what: String,
                               _ invalid: (String) -> SerializationError) throws -> Int {
        while position < bytes.count {
            if isSpace(bytes[position]) {
                position += 1
            } else if bytes[position] == UInt8(ascii: "#") {
                while position < bytes.count, bytes[position] != 0x0A, bytes[position] != 0x0D { position += 1 }
            } else {
                break
            }
        }
        guard position < bytes.count else { throw invalid("the file ends before \(what)") }
        var value = 0, digits = 0
        while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
            value = value * 10 + Int(bytes[position] - UInt8(ascii: "0"))
            digits += 1
            position += 1
            guard value <= Int(Int32.max) else { throw invalid("\(what) is too large") }
        }
        guard digits > 0 else { throw invalid("expected a number for \(what)") }
        return value
    }
}
