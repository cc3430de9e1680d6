import Foundation
import Torch

/// Reads and writes PNG images (8-bit grey, grey+alpha, RGB and RGBA; non-interlaced), with
/// zlib from `Torch`'s ``zlibCompress(_:level:)`` and ``zlibDecompress(_:file:maxOutputBytes:expectedSize:)``.
///
/// Pixels are row-major and interleaved (`RGBRGB…`), `width * height * channels` bytes.
///
/// ```swift
/// let png = PNG.encode(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 0, 0, 255])
/// let image = try PNG.decode(png, file: "red-blue.png")   // (2, 1, 3, [255, 0, 0, 0, 0, 255])
/// ```
public enum PNG {
    /// The five per-row filters of PNG (filter method 0).
    public enum Filter: UInt8, CaseIterable, Sendable {
        case none = 0, sub = 1, up = 2, average = 3, paeth = 4
    }

    /// The 8 bytes every PNG file starts with.
    public static let signature: [UInt8] = [137, 80, 78, 71, 13, 10, 26, 10]

    /// The most raw (filtered) image bytes ``decode(_:file:)`` accepts: 1 GiB, so a forged
    /// header cannot ask for a giant allocation.
    public static let maxRawBytes = defaultMaxDecompressedBytes

    // MARK: Encoding

    /// Encodes 8-bit pixels as a PNG file.
    ///
    /// ```swift
    /// let grey = PNG.encode(width: 28, height: 28, channels: 1, pixels: digitBytes)
    /// try Data(grey).write(to: URL(fileURLWithPath: "digit.png"))
    /// ```
    /// - Parameters:
    ///   - channels: 1 (grey), 2 (grey+alpha), 3 (RGB) or 4 (RGBA).
    ///   - pixels: `width * height * channels` bytes, rows top to bottom.
    ///   - filter: One filter for every row, or nil to pick per row the filter with the smallest
    ///     sum of absolute differences (libpng's heuristic, usually the smallest file).
    ///   - level: zlib compression level, 0 to 9, or -1 for zlib's default.
    public static func encode(width: Int, height: Int, channels: Int, pixels: [UInt8],
                              filter: Filter? = nil, level: Int32 = -1) -> [UInt8] {
        precondition(width >= 1 && height >= 1 && width <= Int(Int32.max) && height <= Int(Int32.max),
                     "PNG.encode: width and height must be 1...\(Int32.max), got \(width)x\(height)")
        guard let colorType = colorType(channels: channels) else {
            preconditionFailure("PNG.encode: channels must be 1, 2, 3 or 4, got \(channels)")
        }
        let rowBytes = width * channels
        precondition(pixels.count == rowBytes * height,
                     "PNG.encode: \(pixels.count) bytes do not fill \(width)x\(height)x\(channels)")

        var raw = [UInt8](repeating: 0, count: height * (rowBytes + 1))
        var candidate = [UInt8](repeating: 0, count: rowBytes)
        pixels.withUnsafeBufferPointer { px in
            raw.withUnsafeMutableBufferPointer { out in
                candidate.withUnsafeMutableBufferPointer { scratch in
                    for y in 0..<height {
                        let row = px.baseAddress! + y * rowBytes
                        let prior = y > 0 ? row - rowBytes : nil
                        let target = out.baseAddress! + y * (rowBytes + 1) + 1
                        if let filter {
                            applyFilter(filter, row: row, prior: prior, count: rowBytes, bpp: channels, into: target)
                            target[-1] = filter.rawValue
                            continue
                        }
                        // Bytes read as signed: the filter with the smallest magnitudes compresses best.
                        // Up first: rows repeating the one above (plain backgrounds) score 0 and stop the search.
                        var bestScore = Int.max
                        for f in [Filter.up, .sub, .none, .average, .paeth] where bestScore > 0 {
                            let filtered = scratch.baseAddress!
                            applyFilter(f, row: row, prior: prior, count: rowBytes, bpp: channels, into: filtered)
                            var score = 0
                            var i = 0
                            while i < rowBytes && score < bestScore {
                                let v = Int(Int8(bitPattern: filtered[i]))
                                score += v < 0 ? -v : v
                                i += 1
                            }
                            if score < bestScore {
                                bestScore = score
                                target.update(from: scratch.baseAddress!, count: rowBytes)
                                target[-1] = f.rawValue
                            }
                        }
                    }
                }
            }
        }

        var out = signature
        var header: [UInt8] = []
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, colorType, 0, 0, 0]  // bit depth, colour type, compression, filter, interlace
        appendChunk("IHDR", header, to: &out)
        let compressed = zlibCompress(raw, level: level)
        // Several moderate IDAT chunks rather than one huge one, as encoders usually write.
        var offset = 0
        repeat {
            let end = min(offset + (1 << 20), compressed.count)
            appendChunk("IDAT", Array(compressed[offset..<end]), to: &out)
            offset = end
        } while offset < compressed.count
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Writes the `count` bytes at `row` filtered with `filter` to `out`; `prior` is the row
    /// above (nil for the first row) and `bpp` the bytes per pixel, at most `count`.
    static func applyFilter(_ filter: Filter, row: UnsafePointer<UInt8>, prior: UnsafePointer<UInt8>?,
                            count n: Int, bpp: Int, into out: UnsafeMutablePointer<UInt8>) {
        // One loop per filter, the first pixel apart (no left neighbour), so no per-byte branches.
        // `while` rather than `for in` over a Range: unoptimised (debug) builds would step the
        // range through generic calls, several times slower.
        var i = 0
        switch (filter, prior) {
        case (.none, _), (.up, nil):
            out.update(from: row, count: n)
        case (.sub, _), (.paeth, nil):  // with no row above, Paeth predicts the left neighbour
            out.update(from: row, count: bpp)
            i = bpp
            while i < n { out[i] = row[i] &- row[i - bpp]; i += 1 }
        case let (.up, p?):
            while i < n { out[i] = row[i] &- p[i]; i += 1 }
        case (.average, nil):
            out.update(from: row, count: bpp)
            i = bpp
            while i < n { out[i] = row[i] &- (row[i - bpp] >> 1); i += 1 }
        case let (.average, p?):
            while i < bpp { out[i] = row[i] &- (p[i] >> 1); i += 1 }
            while i < n { out[i] = row[i] &- UInt8((UInt16(row[i - bpp]) &+ UInt16(p[i])) >> 1); i += 1 }
        case let (.paeth, p?):
            while i < bpp { out[i] = row[i] &- p[i]; i += 1 }  // Paeth(0, b, 0) is b
            while i < n { out[i] = row[i] &- paeth(row[i - bpp], p[i], p[i - bpp]); i += 1 }
        }
    }

    // MARK: Decoding

    /// Decodes a PNG file's bytes to 8-bit pixels.
    ///
    /// Grey, grey+alpha, RGB and RGBA come back with 1, 2, 3 and 4 channels; palette images come
    /// back as RGB, or RGBA when they carry transparency (`tRNS`); 16-bit samples keep their high
    /// byte. Every chunk's CRC is checked.
    ///
    /// ```swift
    /// let (width, height, channels, pixels) = try PNG.decode(bytes, file: "shirt.png")
    /// ```
    /// - Throws: ``SerializationError`` naming `file` when the data is truncated, damaged
    ///   (bad signature, CRC, zlib data, filter type) or uses a feature this reader lacks
    ///   (interlacing, bit depths below 8).
    public static func decode(_ bytes: [UInt8], file: String) throws
        -> (width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        func invalid(_ reason: String) -> SerializationError {
            .invalidImage(file: file, format: "PNG", reason: reason)
        }
        guard bytes.count >= signature.count else {
            throw SerializationError.truncated(file: file, what: "the PNG signature", needed: 8, actual: bytes.count)
        }
        guard Array(bytes[0..<8]) == signature else { throw invalid("the file does not start with the PNG signature") }

        var header: (width: Int, height: Int, depth: Int, colorType: UInt8)?
        var palette: [UInt8] = []
        var paletteAlpha: [UInt8] = []
        var idat: [UInt8] = []
        var sawIDAT = false
        var sawIEND = false
        var pos = 8
        while pos < bytes.count {
            guard bytes.count - pos >= 12 else {
                throw SerializationError.truncated(file: file, what: "the PNG chunk at offset \(pos)",
                                                   needed: 12, actual: bytes.count - pos)
            }
            let length = Int(readBigEndian32(bytes, pos))
            let typeBytes = Array(bytes[(pos + 4)..<(pos + 8)])
            guard typeBytes.allSatisfy({ (65...90).contains($0) || (97...122).contains($0) }) else {
                throw invalid("bad chunk type \(typeBytes) at offset \(pos)")
            }
            let type = String(decoding: typeBytes, as: UTF8.self)
            guard length <= Int(Int32.max) else { throw invalid("chunk '\(type)' claims \(length) bytes") }
            guard bytes.count - pos - 12 >= length else {
                throw SerializationError.truncated(file: file, what: "PNG chunk '\(type)'",
                                                   needed: length + 12, actual: bytes.count - pos)
            }
            let data = Array(bytes[(pos + 8)..<(pos + 8 + length)])
            let storedCRC = readBigEndian32(bytes, pos + 8 + length)
            guard zlibCRC32(data, seed: zlibCRC32(typeBytes)) == storedCRC else {
                throw invalid("CRC mismatch in chunk '\(type)' at offset \(pos)")
            }
            pos += 12 + length

            if header == nil && type != "IHDR" { throw invalid("the first chunk is '\(type)', not 'IHDR'") }
            switch type {
            case "IHDR":
                guard header == nil else { throw invalid("more than one IHDR chunk") }
                header = try parseHeader(data, invalid: invalid)
            case "PLTE":
                guard data.count % 3 == 0, (3...768).contains(data.count) else {
                    throw invalid("PLTE chunk of \(data.count) bytes (needs 1 to 256 RGB entries)")
                }
                palette = data
            case "tRNS":
                paletteAlpha = data
            case "IDAT":
                idat += data
                sawIDAT = true
            case "IEND":
                sawIEND = true
            default:
                // Bit 5 of the first letter clear (upper case) marks a chunk a decoder must understand.
                if typeBytes[0] & 0x20 == 0 { throw invalid("unknown critical chunk '\(type)'") }
            }
            if sawIEND { break }
        }
        guard let header else { throw invalid("no IHDR chunk") }
        guard sawIDAT else { throw invalid("no IDAT chunk (no image data)") }
        guard sawIEND else {
            throw SerializationError.truncated(file: file, what: "the PNG IEND chunk", needed: 12, actual: 0)
        }

        let (width, height, depth, colorType) = header
        let samples = [0: 1, 2: 3, 3: 1, 4: 2, 6: 4][Int(colorType)]!
        let bpp = samples * depth / 8
        let (rowBytes, o1) = width.multipliedReportingOverflow(by: bpp)
        let (rawSize, o2) = (rowBytes + 1).multipliedReportingOverflow(by: height)
        guard !o1, !o2, rawSize <= maxRawBytes else {
            throw invalid("\(width)x\(height) pixels exceed the reader's limit of \(maxRawBytes) bytes")
        }
        if colorType == 3 && palette.isEmpty { throw invalid("palette image without a PLTE chunk") }

        var raw: [UInt8]
        do {
            raw = try zlibDecompress(idat, file: file, maxOutputBytes: rawSize, expectedSize: rawSize)
        } catch SerializationError.decompressedTooLarge {
            throw invalid("image data decompresses to more than the \(rawSize) bytes \(width)x\(height) needs")
        }
        guard raw.count == rawSize else {
            throw invalid("image data holds \(raw.count) bytes but \(width)x\(height) needs \(rawSize)")
        }
        try unfilter(&raw, rowBytes: rowBytes, height: height, bpp: bpp, invalid: invalid)

        // Strip the filter bytes, keep the high byte of 16-bit samples, expand palettes.
        let step = depth / 8
        let outSamples = samples
        var pixels = [UInt8](repeating: 0, count: width * height * outSamples)
        raw.withUnsafeBufferPointer { r in
            pixels.withUnsafeMutableBufferPointer { p in
                var k = 0
                for y in 0..<height {
                    var i = y * (rowBytes + 1) + 1
                    for _ in 0..<(width * outSamples) {
                        p[k] = r[i]
                        k += 1
                        i += step
                    }
                }
            }
        }
        if colorType == 3 {
            let entries = palette.count / 3
            let channels = paletteAlpha.isEmpty ? 3 : 4
            var expanded = [UInt8](repeating: 0, count: width * height * channels)
            for (j, index) in pixels.enumerated() {
                let e = Int(index)
                guard e < entries else { throw invalid("palette index \(e) but the palette has \(entries) entries") }
                expanded[j * channels] = palette[3 * e]
                expanded[j * channels + 1] = palette[3 * e + 1]
                expanded[j * channels + 2] = palette[3 * e + 2]
                if channels == 4 { expanded[j * channels + 3] = e < paletteAlpha.count ? paletteAlpha[e] : 255 }
            }
            return (width, height, channels, expanded)
        }
        return (width, height, outSamples, pixels)
    }

    /// Reads and decodes a PNG file.
    ///
    /// ```swift
    /// let image = try PNG.read(from: URL(fileURLWithPath: "runs/x/confusion.png"))
    /// ```
    public static func read(from url: URL) throws -> (width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SerializationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data), file: url.path)
    }

    /// Encodes `pixels` and writes the file atomically (a temporary file moved into place).
    ///
    /// ```swift
    /// try PNG.write(to: url, width: 2, height: 2, channels: 1, pixels: [0, 85, 170, 255])
    /// ```
    public static func write(to url: URL, width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        let bytes = encode(width: width, height: height, channels: channels, pixels: pixels)
        do { try Data(bytes).write(to: url, options: .atomic) } catch {
            throw SerializationError.unwritable(file: url.path, reason: error.localizedDescription)
        }
    }

    // MARK: Helpers

    private static func parseHeader(_ data: [UInt8], invalid: (String) -> SerializationError) throws
        -> (width: Int, height: Int, depth: Int, colorType: UInt8) {
        guard data.count == 13 else { throw invalid("IHDR chunk of \(data.count) bytes, expected 13") }
        let width = Int(readBigEndian32(data, 0)), height = Int(readBigEndian32(data, 4))
        guard (1...Int(Int32.max)).contains(width), (1...Int(Int32.max)).contains(height) else {
            throw invalid("width \(width) and height \(height) must be 1 to \(Int32.max)")
        }
        let depth = Int(data[8]), colorType = data[9]
        guard [0, 2, 3, 4, 6].contains(colorType) else { throw invalid("unknown colour type \(colorType)") }
        guard depth == 8 || (depth == 16 && colorType != 3) else {
            throw invalid("bit depth \(depth) with colour type \(colorType) is not supported (only 8, or 16 without a palette)")
        }
        guard data[10] == 0 else { throw invalid("unknown compression method \(data[10])") }
        guard data[11] == 0 else { throw invalid("unknown filter method \(data[11])") }
        guard data[12] == 0 else {
            throw invalid(data[12] == 1 ? "Adam7 interlaced images are not supported" : "unknown interlace method \(data[12])")
        }
        return (width, height, depth, colorType)
    }

    /// Undoes the per-row filters in place; each row starts with its filter-type byte.
    private static func unfilter(_ raw: inout [UInt8], rowBytes: Int, height: Int, bpp: Int,
                                 invalid: (String) -> SerializationError) throws {
        let stride = rowBytes + 1
        try raw.withUnsafeMutableBufferPointer { r in
            for y in 0..<height {
                let start = y * stride
                guard let filter = Filter(rawValue: r[start]) else {
                    throw invalid("row \(y) has unknown filter type \(r[start])")
                }
                let row = start + 1, prior = start + 1 - stride
                switch filter {
                case .none:
                    break
                case .sub:
                    for i in bpp..<rowBytes { r[row + i] &+= r[row + i - bpp] }
                case .up:
                    guard y > 0 else { break }
                    for i in 0..<rowBytes { r[row + i] &+= r[prior + i] }
                case .average:
                    for i in 0..<rowBytes {
                        let a = i >= bpp ? Int(r[row + i - bpp]) : 0
                        let b = y > 0 ? Int(r[prior + i]) : 0
                        r[row + i] &+= UInt8((a + b) / 2)
                    }
                case .paeth:
                    for i in 0..<rowBytes {
                        let a = i >= bpp ? r[row + i - bpp] : 0
                        let b = y > 0 ? r[prior + i] : 0
                        let c = i >= bpp && y > 0 ? r[prior + i - bpp] : 0
                        r[row + i] &+= paeth(a, b, c)
                    }
                }
            }
        }
    }

    /// The Paeth predictor: whichever of left, above and upper-left is closest to `a + b - c`.
    @inline(__always)
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        // pa = |p - a| = |b - c| and so on; spelled out because generic `abs` is slow unoptimised.
        let bc = Int(b) - Int(c), ac = Int(a) - Int(c)
        let pa = bc < 0 ? -bc : bc, pb = ac < 0 ? -ac : ac
        let pc = bc + ac < 0 ? -(bc + ac) : bc + ac
        if pa <= pb && pa <= pc { return a }
        return pb <= pc ? b : c
    }

    private static func colorType(channels: Int) -> UInt8? {
        [1: 0, 2: 4, 3: 2, 4: 6][channels]
    }

    private static func appendChunk(_ type: String, _ data: [UInt8], to out: inout [UInt8]) {
        let typeBytes = Array(type.utf8)
        appendBigEndian(UInt32(data.count), to: &out)
        out += typeBytes
        out += data
        appendBigEndian(zlibCRC32(data, seed: zlibCRC32(typeBytes)), to: &out)
    }

    private static func appendBigEndian(_ value: UInt32, to out: inout [UInt8]) {
        out += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    private static func readBigEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }
}
