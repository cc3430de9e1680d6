import Foundation
import Testing

@testable import Torch
@testable import TorchVision

// Byte-level file formats: gzip, safetensors and IDX. None of these tests needs Tensor.

/// Deterministic generator (SplitMix64) so every fuzz run sees the same inputs.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.utf8)
    return stride(from: 0, to: digits.count, by: 2).map {
        UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16)!
    }
}

private func littleEndian<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.littleEndian) { Array($0) } }
}

/// A safetensors file image built by hand, for forging headers the encoder would refuse.
private func rawSafetensors(header: String, data: [UInt8] = []) -> [UInt8] {
    littleEndian([UInt64(header.utf8.count)]) + Array(header.utf8) + data
}

/// A small valid IDX file: magic 0x00000800 | rank, big-endian dims, then the payload.
private func idxFile(shape: [Int], payload: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0, 0, 8, UInt8(shape.count)]
    for dim in shape { out += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: UInt32(dim) >> $0) } }
    return out + payload
}

/// Applies a random truncation and/or a few random byte changes.
private func mutate(_ original: [UInt8], using rng: inout SplitMix64) -> [UInt8] {
    var data = original
    if Bool.random(using: &rng) { data.removeLast(Int.random(in: 0...data.count, using: &rng)) }
    if !data.isEmpty {
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            let i = Int.random(in: 0..<data.count, using: &rng)
            data[i] = Bool.random(using: &rng)
                ? UInt8.random(in: 0...255, using: &rng) : data[i] ^ (1 << UInt8.random(in: 0..<8, using: &rng))
        }
    }
    return data
}

private func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("serfmt-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

// MARK: - gzip

@Suite("SerializationFormat gzip")
struct SerializationFormatGzipTests {
    @Test func roundTripsAndPassesPlainDataThrough() throws {
        var rng = SplitMix64(state: 1)
        let random = (0..<5000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let repetitive = [UInt8]((0..<300_000).map { UInt8($0 % 7) })
        for input in [[], [42], random, repetitive] {
            let packed = gzip(input)
            #expect(isGzip(packed))
            #expect(try gunzipIfNeeded(packed, file: "x.gz") == input)
        }
        #expect(gzip(repetitive).count < 5000)
        #expect(try gunzipIfNeeded([1, 2, 3], file: "plain") == [1, 2, 3])
        #expect(try gunzipIfNeeded(Data([0x1f]), file: "one byte") == [0x1f])
    }

    @Test func readsPythonGzipIncludingConcatenatedMembers() throws {
        // gzip.compress(b'SwiftTorch reads gzip. ' * 3, mtime=0) and gzip.compress(b'second member', mtime=0)
        let first = bytes(hex: "1f8b08000000000002030b2ecf4c2b09c92f4ace50284a4d4c295648afca2cd0530826491800ea13795c45000000")
        let second = bytes(hex: "1f8b08000000000002032b4e4dcecf4b51c84dcd4d4a2d02002474fa9f0d000000")
        let text = String(repeating: "SwiftTorch reads gzip. ", count: 3)
        #expect(try gunzipIfNeeded(first, file: "a.gz") == Array(text.utf8))
        #expect(try gunzipIfNeeded(first + second, file: "ab.gz") == Array((text + "second member").utf8))
        #expect(throws: SerializationError.self) { try gunzipIfNeeded(first + [0, 1, 2], file: "junk.gz") }
    }

    @Test func capsOutputAgainstZipBombs() throws {
        let bomb = gzip([UInt8](repeating: 0, count: 4 << 20))  // 4 MiB of zeros in ~4 KB
        #expect(throws: SerializationError.decompressedTooLarge(file: "bomb.gz", limit: 1 << 20)) {
            try gunzipIfNeeded(bomb, file: "bomb.gz", maxOutputBytes: 1 << 20)
        }
        // Exactly at the limit is allowed; one byte under is not.
        #expect(try gunzipIfNeeded(bomb, file: "bomb.gz", maxOutputBytes: 4 << 20).count == 4 << 20)
        #expect(throws: SerializationError.self) { try gunzipIfNeeded(bomb, file: "bomb.gz", maxOutputBytes: (4 << 20) - 1) }
        #expect(throws: SerializationError.self) { try gunzipIfNeeded(gzip([7]), file: "tiny.gz", maxOutputBytes: 0) }
    }

    @Test func forgedSizeTruncationAndCorruptionThrow() throws {
        let payload = [UInt8]((0..<2000).map { UInt8($0 % 251) })
        var forged = gzip(payload)
        for i in forged.count - 4..<forged.count { forged[i] = 0xFF }  // ISIZE claims 4 GiB
        #expect(throws: SerializationError.self) { try gunzipIfNeeded(forged, file: "forged.gz") }

        let packed = gzip(payload)
        for cut in 2..<packed.count {
            #expect(throws: SerializationError.self) { try gunzipIfNeeded(Array(packed[..<cut]), file: "cut.gz") }
        }
        var badCRC = packed
        badCRC[packed.count - 8] ^= 0x01
        let error = #expect(throws: SerializationError.self) { try gunzipIfNeeded(badCRC, file: "crc.gz") }
        #expect(error?.description.hasPrefix("crc.gz: corrupt gzip data") == true)
    }
}

// MARK: - safetensors

/// The golden file's description, written by Tools/golden/safetensors_golden.py.
private struct GoldenFile: Decodable {
    struct Entry: Decodable { let dtype: String; let shape: [Int]; let hex: String; let values: [String] }
    let metadata: [String: String]
    let order: [String]
    let tensors: [String: Entry]
}

private func fixtureURL(_ name: String, _ ext: String) throws -> URL {
    try #require(Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "Fixtures"))
}

/// Reads element `i` of a little-endian buffer as `T`.
private func element<T: FixedWidthInteger>(_ bytes: [UInt8], _ i: Int, as: T.Type) -> T {
    var value = T.zero
    for k in 0..<MemoryLayout<T>.size { value |= T(truncatingIfNeeded: bytes[i * MemoryLayout<T>.size + k]) << (8 * k) }
    return value
}

@Suite("SerializationFormat safetensors")
struct SerializationFormatSafetensorsTests {
    private let sampleEntries: [String: SafetensorsEntry] = [
        "w": SafetensorsEntry(dtype: "F32", shape: [2, 2], bytes: littleEndian([Float(1), -2, 0.5, 3].map(\.bitPattern))),
        "d": SafetensorsEntry(dtype: "F64", shape: [], bytes: littleEndian([Double.pi.bitPattern])),
        "n": SafetensorsEntry(dtype: "I64", shape: [2], bytes: littleEndian([Int64.min, Int64.max])),
        "i": SafetensorsEntry(dtype: "I32", shape: [1, 1, 1], bytes: littleEndian([Int32(-5)])),
        "u": SafetensorsEntry(dtype: "U8", shape: [3], bytes: [0, 128, 255]),
        "b": SafetensorsEntry(dtype: "BOOL", shape: [2], bytes: [1, 0]),
        "e": SafetensorsEntry(dtype: "F32", shape: [0, 4], bytes: []),
        "h": SafetensorsEntry(dtype: "F16", shape: [1], bytes: [0, 0x3c]),
        "quote\"\\\n\u{1}é": SafetensorsEntry(dtype: "U8", shape: [1], bytes: [9]),
    ]

    @Test func roundTrips() throws {
        for metadata in [nil, [:], ["format": "pt", "b": "x\ty\"z"]] as [[String: String]?] {
            let encoded = try SafetensorsFormat.encode(sampleEntries, metadata: metadata)
            let headerLength = Int(element(encoded, 0, as: UInt64.self))
            #expect(headerLength % 8 == 0)
            let decoded = try SafetensorsFormat.decode(encoded, file: "m.safetensors")
            #expect(decoded.entries == sampleEntries)
            #expect(decoded.metadata == metadata)
        }
        let empty = try SafetensorsFormat.encode([:])
        #expect(empty == [8, 0, 0, 0, 0, 0, 0, 0] + Array("{}      ".utf8))
        #expect(try SafetensorsFormat.decode(empty, file: "e").entries.isEmpty)
    }

    @Test func decodesPyTorchFixture() throws {
        let golden = try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: fixtureURL("pytorch_small", "json")))
        let file = [UInt8](try Data(contentsOf: fixtureURL("pytorch_small", "safetensors")))
        let (entries, metadata) = try SafetensorsFormat.decode(file, file: "pytorch_small.safetensors")
        #expect(metadata == golden.metadata)
        #expect(Set(entries.keys) == Set(golden.tensors.keys))
        for (name, expected) in golden.tensors {
            let entry = try #require(entries[name])
            #expect(entry.dtype == expected.dtype, "\(name)")
            #expect(entry.shape == expected.shape, "\(name)")
            #expect(entry.bytes == bytes(hex: expected.hex), "\(name)")
            let count = expected.shape.reduce(1, *)
            #expect(expected.values.count == count, "\(name)")
            for (i, text) in expected.values.enumerated() {
                switch entry.dtype {
                case "F32":
                    let value = Float(bitPattern: element(entry.bytes, i, as: UInt32.self))
                    let want = Float(Double(text)!)
                    #expect(value == want || (value.isNaN && want.isNaN), "\(name)[\(i)]")
                case "F64":
                    let value = Double(bitPattern: element(entry.bytes, i, as: UInt64.self))
                    #expect(value == Double(text)!, "\(name)[\(i)]")
                case "I64": #expect(element(entry.bytes, i, as: Int64.self) == Int64(text)!, "\(name)[\(i)]")
                case "I32": #expect(element(entry.bytes, i, as: Int32.self) == Int32(text)!, "\(name)[\(i)]")
                case "I16": #expect(element(entry.bytes, i, as: Int16.self) == Int16(text)!, "\(name)[\(i)]")
                case "I8": #expect(Int8(bitPattern: entry.bytes[i]) == Int8(text)!, "\(name)[\(i)]")
                case "U8", "BOOL": #expect(entry.bytes[i] == UInt8(text)!, "\(name)[\(i)]")
                case "BF16":  // bfloat16 is the top half of a float32
                    let value = Float(bitPattern: UInt32(element(entry.bytes, i, as: UInt16.self)) << 16)
                    #expect(value == Float(Double(text)!), "\(name)[\(i)]")
                default: break  // F16: bytes checked above
                }
            }
        }
    }

    @Test func encodesPyTorchFixtureByteForByte() throws {
        let golden = try JSONDecoder().decode(GoldenFile.self, from: Data(contentsOf: fixtureURL("pytorch_small", "json")))
        let file = [UInt8](try Data(contentsOf: fixtureURL("pytorch_small", "safetensors")))
        let entries = golden.tensors.mapValues { SafetensorsEntry(dtype: $0.dtype, shape: $0.shape, bytes: bytes(hex: $0.hex)) }
        let encoded = try SafetensorsFormat.encode(entries, metadata: golden.metadata)
        // Report the first differing byte rather than two kilobyte-long arrays.
        let firstDifference = zip(encoded, file).enumerated().first { $0.element.0 != $0.element.1 }?.offset
            ?? (encoded.count == file.count ? nil : min(encoded.count, file.count))
        #expect(firstDifference == nil, "encoding differs from the reference writer at byte \(firstDifference ?? -1)")
    }

    @Test func encodeRejectsInconsistentEntries() throws {
        #expect(throws: SerializationError.unknownDType(file: "<memory>", tensor: "x", dtype: "F128")) {
            try SafetensorsFormat.encode(["x": SafetensorsEntry(dtype: "F128", shape: [1], bytes: [0])])
        }
        let mismatch = SerializationError.byteCountMismatch(
            file: "<memory>", tensor: "x", dtype: "F32", shape: [2], expected: 8, actual: 4)
        #expect(throws: mismatch) {
            try SafetensorsFormat.encode(["x": SafetensorsEntry(dtype: "F32", shape: [2], bytes: [0, 0, 0, 0])])
        }
        #expect(throws: SerializationError.self) {
            try SafetensorsFormat.encode(["__metadata__": SafetensorsEntry(dtype: "U8", shape: [0], bytes: [])])
        }
        #expect(throws: SerializationError.self) {
            try SafetensorsFormat.encode(["x": SafetensorsEntry(dtype: "U8", shape: [-1], bytes: [])])
        }
    }

    @Test func forgedHeadersThrowQuicklyWithClearMessages() throws {
        func decodeError(_ file: [UInt8]) -> SerializationError? {
            do { _ = try SafetensorsFormat.decode(file, file: "model.safetensors"); return nil } catch {
                return error as? SerializationError
            }
        }
        let valid = try SafetensorsFormat.encode(sampleEntries)
        var huge = valid
        huge.replaceSubrange(0..<8, with: littleEndian([UInt64(0xFFFF_FFFF)]))
        #expect(decodeError(huge) == .headerTooLarge(file: "model.safetensors", length: 0xFFFF_FFFF, limit: 100_000_000))
        huge.replaceSubrange(0..<8, with: littleEndian([UInt64.max]))
        #expect(decodeError(huge) != nil)
        var long = [UInt8](repeating: 32, count: 120)
        long.replaceSubrange(0..<8, with: littleEndian([UInt64(9_999_999)]))
        #expect(decodeError(long)?.description == "model.safetensors: header length 9999999 exceeds file size 120")
        #expect(decodeError([1, 2, 3]) == .truncated(file: "model.safetensors", what: "the header length", needed: 8, actual: 3))

        let cases: [(String, [UInt8])] = [
            (#"{"a":{"dtype":"U8","shape":[4294967295,4294967295,4294967295],"data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}}"#, [UInt8](repeating: 0, count: 8)),
            (#"{"a":{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,18446744073709551615]}}"#, [0]),
            (#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}"#, [0]),             // past the buffer
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}"#, [0, 0]),          // buffer not covered
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, [0, 0]),          // gap at the start
            (#"{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},"b":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}"#, [0, 0]),
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[1,0]}}"#, [0]),
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"a":{"dtype":"U8","shape":[0],"data_offsets":[1,1]}}"#, [0]),
            (#"{"a":{"dtype":"X9","shape":[1],"data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"U8","shape":[1.5],"data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"U8","data_offsets":[0,1]}}"#, [0]),
            (#"{"a":{"dtype":"F4","shape":[3],"data_offsets":[0,1]}}"#, [0]),            // 12 bits
            (#"{"__metadata__":{"k":1}}"#, []),
            (#"{"a":1}"#, []),
            (#"[1,2]"#, []),
            (#"{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}} x"#, [0]),
            (#"{"a\ud800":{}}"#, []),
            (#"{"a""#, []),
            (String(repeating: "[", count: 100_000), []),                                   // deep nesting
        ]
        for (header, data) in cases {
            #expect(decodeError(rawSafetensors(header: header, data: data)) != nil, "\(header.prefix(80))")
        }
        #expect(decodeError(littleEndian([UInt64(2)]) + [0xC3, 0x28])
            == .invalidHeader(file: "model.safetensors", reason: "not valid UTF-8"))

        // Tolerated like the reference: unknown fields, whitespace, escapes and key order.
        let lenient = rawSafetensors(
            header: #" { "b" : {"shape":[],"data_offsets":[1,2],"dtype":"U8","x":[null,true,{"y":-1.5e3}]}, "#
                + #""\u0061":{"dtype":"U8","shape":[1],"data_offsets":[0,1]} }  "#,
            data: [5, 6])
        let decoded = try SafetensorsFormat.decode(lenient, file: "lenient")
        #expect(decoded.entries["a"]?.bytes == [5] && decoded.entries["b"]?.bytes == [6] && decoded.metadata == nil)
    }

    @Test func survivesRandomTruncationsAndByteFlips() throws {
        let valid = try SafetensorsFormat.encode(sampleEntries, metadata: ["format": "pt"])
        var rng = SplitMix64(state: 7)
        var accepted = 0
        for _ in 0..<3000 {
            let data = mutate(valid, using: &rng)
            guard let decoded = try? SafetensorsFormat.decode(data, file: "fuzz.safetensors") else { continue }
            accepted += 1
            for entry in decoded.entries.values {
                let bits = try #require(SafetensorsFormat.dtypes[entry.dtype]).bits
                #expect(SafetensorsFormat.byteCount(dtype: bits, shape: entry.shape) == entry.bytes.count)
            }
        }
        #expect(accepted > 0)  // flips inside tensor data keep the file valid
    }

    @Test func writesAtomically() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let url = directory.appendingPathComponent("model.safetensors")
        let first = try SafetensorsFormat.encode(sampleEntries)
        try SafetensorsFormat.write(first, to: url)
        try SafetensorsFormat.write([1, 2, 3], to: url)  // replaces, never appends
        #expect([UInt8](try Data(contentsOf: url)) == [1, 2, 3])
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["model.safetensors"])
        let missing = directory.appendingPathComponent("no/such/dir/x.safetensors")
        #expect(throws: SerializationError.self) { try SafetensorsFormat.write(first, to: missing) }
    }
}

// MARK: - IDX

@Suite("SerializationFormat IDX")
struct SerializationFormatIDXTests {
    private let labels = idxFile(shape: [6], payload: [0, 1, 2, 9, 3, 4])
    private let images = idxFile(shape: [6, 2, 3], payload: (0..<36).map { UInt8($0 * 7) })

    @Test func decodesPlainAndGzipped() throws {
        for data in [labels, gzip(labels)] {
            let array = try IDXArray.decode(data, file: "labels", expectedMagic: IDXArray.labelsMagic)
            #expect(array == IDXArray(shape: [6], bytes: [0, 1, 2, 9, 3, 4]))
        }
        let array = try IDXArray.decode(gzip(images), file: "images", expectedMagic: IDXArray.imagesMagic)
        #expect(array.shape == [6, 2, 3] && array.bytes.count == 36 && array.bytes[35] == UInt8(truncatingIfNeeded: 35 * 7))
    }

    @Test func rejectsBadFilesWithClearMessages() throws {
        func decodeError(_ data: [UInt8], expecting magic: UInt32? = nil) -> SerializationError? {
            do { _ = try IDXArray.decode(data, file: "train-images-idx3-ubyte.gz", expectedMagic: magic); return nil } catch {
                return error as? SerializationError
            }
        }
        #expect(decodeError(labels, expecting: IDXArray.imagesMagic)?.description
            == "train-images-idx3-ubyte.gz: wrong magic number 0x00000801, expected 0x00000803 (IDX images)")
        #expect(decodeError([0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0])
            == .unsupportedElementType(file: "train-images-idx3-ubyte.gz", typeCode: 0x0D))
        #expect(decodeError([0, 0, 8, 0]) != nil)
        #expect(decodeError([0, 0, 8]) != nil)
        #expect(decodeError([0, 0, 8, 3, 0, 0, 0, 1]) != nil)
        #expect(decodeError(Array(labels.dropLast()))
            == .payloadSizeMismatch(file: "train-images-idx3-ubyte.gz", dims: [6], expected: 6, actual: 5))
        #expect(decodeError(labels + [0]) != nil)
        // Forged dimensions must fail on arithmetic alone, before any allocation.
        #expect(decodeError([0, 0, 8, 1, 0xFF, 0xFF, 0xFF, 0xFF, 1, 2]) == .payloadSizeMismatch(
            file: "train-images-idx3-ubyte.gz", dims: [0xFFFF_FFFF], expected: 0xFFFF_FFFF, actual: 2))
        let forged3D: [UInt8] = [0, 0, 8, 3] + [UInt8](repeating: 0xFF, count: 12) + [1, 2, 3]
        #expect(decodeError(forged3D) != nil)
        #expect(decodeError(gzip(forged3D)) != nil)
    }

    @Test func survivesRandomTruncationsAndByteFlips() throws {
        var rng = SplitMix64(state: 11)
        for original in [labels, images, gzip(labels), gzip(images)] {
            for _ in 0..<800 {
                let data = mutate(original, using: &rng)
                if let array = try? IDXArray.decode(data, file: "fuzz") {
                    #expect(array.shape.reduce(1, *) == array.bytes.count)
                }
            }
        }
    }

    @Test func readsImagesAndLabelsFromFilesAndChecksCounts() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let imagesURL = directory.appendingPathComponent("images-idx3-ubyte.gz")
        let labelsURL = directory.appendingPathComponent("labels-idx1-ubyte")
        let shortLabelsURL = directory.appendingPathComponent("short-labels-idx1-ubyte")
        try Data(gzip(images)).write(to: imagesURL)
        try Data(labels).write(to: labelsURL)
        try Data(idxFile(shape: [5], payload: [1, 2, 3, 4, 5])).write(to: shortLabelsURL)

        let pair = try IDXArray.readImagesAndLabels(images: imagesURL, labels: labelsURL)
        #expect(pair.images.shape == [6, 2, 3] && pair.labels.shape == [6])
        let mismatch = SerializationError.countMismatch(
            imagesFile: imagesURL.path, labelsFile: shortLabelsURL.path, images: 6, labels: 5)
        #expect(throws: mismatch) {
            try IDXArray.readImagesAndLabels(images: imagesURL, labels: shortLabelsURL)
        }
        #expect(throws: SerializationError.self) { try IDXArray.readImagesAndLabels(images: labelsURL, labels: labelsURL) }
        #expect(throws: SerializationError.self) { try IDXArray.read(from: directory.appendingPathComponent("missing")) }
    }

    private static let fashionMNIST = "/usr/share/datasets/fashion-mnist"

    @Test(.enabled(if: FileManager.default.fileExists(atPath: fashionMNIST + "/t10k-images-idx3-ubyte.gz")))
    func readsRealFashionMNISTTestSplit() throws {
        let root = URL(fileURLWithPath: Self.fashionMNIST)
        let (images, labels) = try IDXArray.readImagesAndLabels(
            images: root.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
            labels: root.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        #expect(images.shape == [10000, 28, 28] && images.bytes.count == 10000 * 28 * 28)
        #expect(labels.shape == [10000])
        #expect(labels.bytes.allSatisfy { $0 <= 9 })
        #expect(Set(labels.bytes).count == 10)
        #expect(images.bytes.contains(255) && images.bytes.contains(0))
    }
}
