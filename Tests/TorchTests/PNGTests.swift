import Foundation
import Testing
@testable import Torch
@testable import TorchVision

/// A small seeded generator (SplitMix64), so the random cases are the same on every run.
struct SeededBytes: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ n: Int) -> [UInt8] { (0..<n).map { _ in UInt8.random(in: 0...255, using: &self) } }
}

/// PNG chunks of a file: (type, data, offset of the chunk), up to the first that does not fit.
func pngChunks(_ png: [UInt8]) -> [(type: String, data: [UInt8], offset: Int)] {
    var chunks: [(String, [UInt8], Int)] = []
    var pos = 8
    while pos + 12 <= png.count {
        let length = Int(png[pos]) << 24 | Int(png[pos + 1]) << 16 | Int(png[pos + 2]) << 8 | Int(png[pos + 3])
        guard png.count - pos - 12 >= length else { break }   // a damaged length: stop here
        chunks.append((String(decoding: png[(pos + 4)..<(pos + 8)], as: UTF8.self),
                       Array(png[(pos + 8)..<(pos + 8 + length)]), pos))
        pos += 12 + length
    }
    return chunks
}

/// A PNG file assembled from chunks, each with its correct CRC.
func pngFile(_ chunks: [(String, [UInt8])]) -> [UInt8] {
    var out = PNG.signature
    for (type, data) in chunks {
        let t = Array(type.utf8)
        let crc = zlibCRC32(data, seed: zlibCRC32(t))
        out += be32(UInt32(data.count)) + t + data + be32(crc)
    }
    return out
}

func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

func ihdr(width: UInt32, height: UInt32, depth: UInt8 = 8, colorType: UInt8 = 0, interlace: UInt8 = 0) -> [UInt8] {
    be32(width) + be32(height) + [depth, colorType, 0, 0, interlace]
}

@Suite struct PNGTests {
    struct FixtureImage: Decodable {
        let name: String, png: String, width: Int, height: Int, channels: Int, pixels: String
    }

    static func hex(_ s: String) -> [UInt8] {
        var out: [UInt8] = []
        var i = s.startIndex
        while i < s.endIndex {
            let j = s.index(i, offsetBy: 2)
            out.append(UInt8(s[i..<j], radix: 16)!)
            i = j
        }
        return out
    }

    /// Files written by Tools/golden/png_golden.py (and checked there with Pillow): every filter
    /// type on first and later rows, 8- and 16-bit, grey to RGBA, palettes, split IDAT chunks.
    @Test func fixtureFilesDecodeAsPillowDoes() throws {
        let url = try #require(Bundle.module.url(forResource: "png_filters", withExtension: "json", subdirectory: "Fixtures"))
        let cases = try JSONDecoder().decode([FixtureImage].self, from: Data(contentsOf: url))
        #expect(cases.count == 29)
        for c in cases {
            let png = [UInt8](Data(base64Encoded: c.png)!)
            let image = try PNG.decode(png, file: c.name)
            #expect(image.width == c.width && image.height == c.height && image.channels == c.channels, "\(c.name)")
            #expect(image.pixels == Self.hex(c.pixels), "\(c.name): pixels differ")
        }
    }

    @Test func roundTripsEveryFilterChannelCountAndShape() throws {
        var rng = SeededBytes(seed: 5)
        for channels in 1...4 {
            for (width, height) in [(1, 1), (1, 7), (9, 1), (13, 11)] {
                let pixels = rng.bytes(width * height * channels)
                for filter in [nil] + PNG.Filter.allCases.map(Optional.some) {
                    let png = PNG.encode(width: width, height: height, channels: channels, pixels: pixels, filter: filter)
                    let back = try PNG.decode(png, file: "roundtrip.png")
                    #expect(back.width == width && back.height == height && back.channels == channels)
                    #expect(back.pixels == pixels, "channels \(channels) \(width)x\(height) filter \(String(describing: filter))")
                    if let filter {
                        // The rows really carry the requested filter.
                        let idat = pngChunks(png).filter { $0.type == "IDAT" }.flatMap(\.data)
                        let raw = try zlibDecompress(idat, file: "idat")
                        let stride = width * channels + 1
                        #expect((0..<height).allSatisfy { raw[$0 * stride] == filter.rawValue })
                    }
                }
            }
        }
    }

    @Test func adaptiveFilteringPicksSmallFiltersForSmoothImages() throws {
        // A horizontal gradient: Sub makes every byte but the first equal to 1.
        let width = 64, height = 16
        let pixels = (0..<(width * height)).map { UInt8($0 % width) }
        let png = PNG.encode(width: width, height: height, channels: 1, pixels: pixels)
        let raw = try zlibDecompress(pngChunks(png).filter { $0.type == "IDAT" }.flatMap(\.data), file: "idat")
        #expect(raw[0] == PNG.Filter.sub.rawValue || raw[0] == PNG.Filter.paeth.rawValue)
        #expect(try PNG.decode(png, file: "gradient.png").pixels == pixels)
        #expect(png.count < PNG.encode(width: width, height: height, channels: 1, pixels: pixels, filter: PNG.Filter.none).count + 16)
    }

    @Test func malformedFilesThrowErrorsNamingTheFile() throws {
        let good = PNG.encode(width: 3, height: 2, channels: 3, pixels: Array(0..<18))
        let idat = pngChunks(good).filter { $0.type == "IDAT" }.flatMap(\.data)
        func raw(_ rows: [[UInt8]]) -> [UInt8] { zlibCompress(rows.flatMap { $0 }) }
        var badCRC = good
        badCRC[pngChunks(good)[1].offset + 10] ^= 1   // inside IDAT's data
        let cases: [(String, [UInt8], String)] = [
            ("empty", [], "truncated"),
            ("signature", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0B] + good.dropFirst(8), "PNG signature"),
            ("crc", badCRC, "CRC mismatch in chunk 'IDAT'"),
            ("truncated", Array(good.dropLast(5)), "truncated"),
            ("no IEND", pngFile([("IHDR", ihdr(width: 3, height: 2, colorType: 2)), ("IDAT", idat)]), "IEND"),
            ("IHDR not first", pngFile([("IDAT", idat), ("IHDR", ihdr(width: 3, height: 2, colorType: 2)), ("IEND", [])]), "not 'IHDR'"),
            ("zero width", pngFile([("IHDR", ihdr(width: 0, height: 2)), ("IDAT", idat), ("IEND", [])]), "width 0"),
            ("bit depth", pngFile([("IHDR", ihdr(width: 3, height: 2, depth: 4)), ("IDAT", idat), ("IEND", [])]), "bit depth 4"),
            ("colour type", pngFile([("IHDR", ihdr(width: 3, height: 2, colorType: 5)), ("IDAT", idat), ("IEND", [])]), "colour type 5"),
            ("interlaced", pngFile([("IHDR", ihdr(width: 3, height: 2, interlace: 1)), ("IDAT", idat), ("IEND", [])]), "interlaced"),
            ("no IDAT", pngFile([("IHDR", ihdr(width: 3, height: 2)), ("IEND", [])]), "no IDAT"),
            ("critical chunk", pngFile([("IHDR", ihdr(width: 1, height: 1)), ("ABCD", [1]), ("IDAT", raw([[0, 9]])), ("IEND", [])]),
             "unknown critical chunk 'ABCD'"),
            ("filter type", pngFile([("IHDR", ihdr(width: 2, height: 2)), ("IDAT", raw([[0, 1, 2], [7, 3, 4]])), ("IEND", [])]),
             "row 1 has unknown filter type 7"),
            ("short data", pngFile([("IHDR", ihdr(width: 2, height: 2)), ("IDAT", raw([[0, 1, 2]])), ("IEND", [])]),
             "holds 3 bytes but 2x2 needs 6"),
            ("long data", pngFile([("IHDR", ihdr(width: 1, height: 1)), ("IDAT", raw([[0, 1], [0, 2]])), ("IEND", [])]),
             "more than the 2 bytes"),
            ("bad zlib", pngFile([("IHDR", ihdr(width: 1, height: 1)), ("IDAT", [0x78, 0x9C, 0xFF, 0xFF]), ("IEND", [])]),
             "corrupt zlib data"),
            ("palette without PLTE", pngFile([("IHDR", ihdr(width: 1, height: 1, colorType: 3)), ("IDAT", raw([[0, 0]])), ("IEND", [])]),
             "without a PLTE"),
            ("palette index", pngFile([("IHDR", ihdr(width: 1, height: 1, colorType: 3)), ("PLTE", [1, 2, 3]),
                                      ("IDAT", raw([[0, 5]])), ("IEND", [])]), "palette index 5"),
            ("huge", pngFile([("IHDR", ihdr(width: 0x7FFF_FFFF, height: 0x7FFF_FFFF, colorType: 6)), ("IDAT", raw([[0]])), ("IEND", [])]),
             "exceed the reader's limit"),
        ]
        for (name, bytes, fragment) in cases {
            do {
                _ = try PNG.decode(bytes, file: "/tmp/\(name).png")
                Issue.record("\(name): expected an error")
            } catch let error as SerializationError {
                #expect(error.description.hasPrefix("/tmp/\(name).png: "), "\(name): \(error)")
                #expect(error.description.contains(fragment), "\(name): \(error)")
            }
        }
    }

    /// Every truncation and thousands of byte flips (some with the chunk CRCs repaired, so the
    /// damage reaches IHDR, zlib and the filters): an error or an image, never a crash or hang.
    @Test func fuzzedFilesNeverCrash() throws {
        var rng = SeededBytes(seed: 11)
        let original = PNG.encode(width: 6, height: 5, channels: 4, pixels: rng.bytes(6 * 5 * 4))
        var outcomes = (errors: 0, images: 0)
        func attempt(_ bytes: [UInt8]) {
            do {
                let image = try PNG.decode(bytes, file: "fuzz.png")
                #expect(image.pixels.count == image.width * image.height * image.channels)
                outcomes.images += 1
            } catch let error as SerializationError {
                #expect(error.description.hasPrefix("fuzz.png: "))
                outcomes.errors += 1
            } catch {
                Issue.record("unexpected error type \(error)")
            }
        }
        for length in 0..<original.count { attempt(Array(original[0..<length])) }
        for round in 0..<3000 {
            var bytes = original
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
            if round % 2 == 1 {
                // Repair the CRCs so the damage gets past the chunk check.
                bytes = pngFile(pngChunks(bytes).map { ($0.type, $0.data) })
            }
            attempt(bytes)
        }
        #expect(outcomes.errors > 1000)
    }

    @Test func zlibHelpersRoundTripAndReportDamage() throws {
        let text = Array(String(repeating: "swifttorch ", count: 100).utf8)
        let packed = zlibCompress(text, level: 9)
        #expect(packed.count < text.count / 5)
        #expect(packed[0] == 0x78)  // a zlib header, not gzip's 1f 8b
        #expect(try zlibDecompress(packed, file: "z") == text)
        #expect(try zlibDecompress(zlibCompress([]), file: "z") == [])
        #expect(zlibCRC32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(zlibCRC32(Array("6789".utf8), seed: zlibCRC32(Array("12345".utf8))) == 0xCBF4_3926)
        #expect(throws: SerializationError.corruptZlib(file: "z", reason: "stream is truncated (ends before its checksum)")) {
            try zlibDecompress(Array(packed.dropLast(3)), file: "z")
        }
        #expect(throws: SerializationError.corruptZlib(file: "z", reason: "2 unexpected bytes after the end of the zlib stream")) {
            try zlibDecompress(packed + [1, 2], file: "z")
        }
        #expect(throws: SerializationError.decompressedTooLarge(file: "z", limit: 100)) {
            try zlibDecompress(packed, file: "z", maxOutputBytes: 100)
        }
        #expect(try zlibDecompress(packed, file: "z", maxOutputBytes: text.count) == text)
        // gzip still works after sharing its code with zlib.
        #expect(try gunzipIfNeeded(gzip(text), file: "g") == text)
    }

    @Test func pngFilesAreWrittenAndReadBack() throws {
        let url = URL(fileURLWithPath: NSTemporaryDirectory() + "swifttorch-png-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: url) }
        try PNG.write(to: url, width: 2, height: 2, channels: 1, pixels: [0, 85, 170, 255])
        let image = try PNG.read(from: url)
        #expect(image.width == 2 && image.height == 2 && image.channels == 1 && image.pixels == [0, 85, 170, 255])
        #expect(throws: SerializationError.self) { try PNG.read(from: url.appendingPathExtension("missing")) }
    }
}

@Suite struct CanvasTests {
    @Test func fontCoversPrintableASCII() {
        for ascii in 32..<127 {
            let glyph = BitmapFont.glyph(Character(Unicode.Scalar(UInt8(ascii))))
            #expect(glyph.count == BitmapFont.height + BitmapFont.descent)
            #expect(glyph.allSatisfy { $0 < 32 })
            #expect(ascii == 32 || glyph.contains { $0 != 0 }, "glyph \(ascii) is blank")
        }
        #expect(BitmapFont.glyph("A") == [0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11, 0, 0])
        #expect(BitmapFont.glyph("é") == BitmapFont.glyph("\u{7F}"))  // the box for anything else
        // Descenders hang below the baseline.
        #expect(BitmapFont.glyph("g")[8] != 0 && BitmapFont.glyph("a")[8] == 0)
    }

    @Test func textIsDrawnWhereItIsAnchored() {
        var canvas = Canvas(width: 40, height: 30)
        canvas.drawText("I", x: 20, y: 15, color: .black, scale: 2, align: .center, verticalAlign: .middle)
        #expect(Canvas.textSize("I", scale: 2) == (10, 14))
        // "I" is .###. on top: columns 1...3 at scale 2 start at x = 20 - 5 + 2.
        let top = 15 - 7
        #expect(canvas[15 + 2, top] == .black && canvas[15 + 7, top + 1] == .black)
        #expect(canvas[15, top] == .white && canvas[15 + 8, top] == .white)
        // The stem: column 2 on the rows below.
        #expect(canvas[15 + 4, top + 4] == .black && canvas[15 + 2, top + 4] == .white)
        #expect(Canvas.textSize("abc", scale: 1).width == 17)
    }

    @Test func linesAreAntialiasedAndClipped() throws {
        var canvas = Canvas(width: 20, height: 20)
        canvas.drawLine(from: (0, 10.5), to: (20, 10.5), color: .black, width: 1)
        #expect(canvas[5, 10] == .black && canvas[5, 8] == .white)
        canvas.drawLine(from: (-50, -50), to: (-10, -20), color: .black, width: 3)   // off the canvas: nothing
        canvas.drawLine(from: (100, 100), to: (300, 300), color: .black, width: 3)
        canvas.fillCircle(center: (5, 5), radius: 2, color: .init(255, 0, 0))
        #expect(canvas[4, 4] == .init(255, 0, 0))
        let edge = canvas[6, 3]
        #expect(edge != .white && edge != .init(255, 0, 0))   // partly covered
        let png = canvas.png()
        #expect(try PNG.decode(png, file: "canvas.png").pixels == canvas.pixels)
    }

    @Test func makeGridLaysOutImagesAsTorchvision() {
        // Three 2x2 one-channel images, 2 per row, padding 1: [3, 2*3+1, 2*3+1], grey copied to RGB.
        let images = Tensor(shape: [3, 1, 2, 2], scalars: (1...12).map(Float.init))
        let grid = makeGrid(images, nrow: 2, padding: 1, padValue: 0.5)
        #expect(grid.shape == [3, 7, 7])
        let g = grid.scalars(as: Float.self)
        func at(_ c: Int, _ y: Int, _ x: Int) -> Float { g[(c * 7 + y) * 7 + x] }
        #expect(at(0, 1, 1) == 1 && at(0, 1, 2) == 2 && at(0, 2, 1) == 3 && at(0, 2, 2) == 4)
        #expect(at(2, 1, 4) == 5 && at(1, 4, 1) == 9 && at(1, 5, 2) == 12)
        #expect(at(0, 0, 0) == 0.5 && at(0, 4, 4) == 0.5 && at(0, 3, 3) == 0.5)
        // uint8 keeps its dtype; one image comes back unpadded, as torchvision does.
        let bytes = Tensor(shape: [2, 2, 2], scalars: [UInt8](1...8))
        #expect(makeGrid(bytes).dtype == .uint8 && makeGrid(bytes).shape == [3, 6, 10])
        #expect(makeGrid(bytes[0..<1]).shape == [3, 2, 2])
        let pixels = imagePixels(Tensor(shape: [3, 1, 2], scalars: [Float]([0, 1, 0.5, 0.25, -1, 2])))
        #expect(pixels.width == 2 && pixels.height == 1 && pixels.channels == 3)
        #expect(pixels.pixels == [0, 128, 0, 255, 64, 255])
    }
}
