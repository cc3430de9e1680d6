import Foundation
import Testing
@testable import Torch
@testable import TorchVision
@testable import swifttorch

// MARK: A small reader of what SummaryWriter writes: TFRecord framing and protobuf fields.

enum EventFileError: Error { case truncated(Int), badLengthCRC(Int), badDataCRC(Int), badProto(String) }

/// The records of a TFRecord file, checking both masked CRC-32Cs of each; a partial record
/// at the end is an error.
func tfRecords(_ bytes: [UInt8]) throws -> [[UInt8]] {
    func le32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
    var records: [[UInt8]] = []
    var pos = 0
    while pos < bytes.count {
        guard bytes.count - pos >= 12 else { throw EventFileError.truncated(pos) }
        let length = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[pos + $1]) << (8 * $1) }
        guard CRC32C.unmasked(le32(pos + 8)) == CRC32C.checksum(Array(bytes[pos..<(pos + 8)])) else {
            throw EventFileError.badLengthCRC(pos)
        }
        guard UInt64(bytes.count - pos - 16) >= length else { throw EventFileError.truncated(pos) }
        let data = Array(bytes[(pos + 12)..<(pos + 12 + Int(length))])
        guard CRC32C.masked(CRC32C.checksum(data)) == le32(pos + 12 + Int(length)) else {
            throw EventFileError.badDataCRC(pos)
        }
        records.append(data)
        pos += 16 + Int(length)
    }
    return records
}

/// One protobuf field: its number, and its value as an integer (varint, fixed32, fixed64) or bytes.
struct ProtoField {
    var number: Int
    var integer: UInt64 = 0
    var bytes: [UInt8] = []
    var double: Double { Double(bitPattern: integer) }
    var float: Float { Float(bitPattern: UInt32(truncatingIfNeeded: integer)) }
    var string: String { String(decoding: bytes, as: UTF8.self) }
    var packedDoubles: [Double] {
        stride(from: 0, to: bytes.count, by: 8).map { i in
            Double(bitPattern: (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[i + $1]) << (8 * $1) })
        }
    }
}

func protoFields(_ b: [UInt8]) throws -> [ProtoField] {
    var fields: [ProtoField] = []
    var pos = 0
    func varint() throws -> UInt64 {
        var value: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard pos < b.count, shift < 64 else { throw EventFileError.badProto("varint at \(pos)") }
            let byte = b[pos]
            pos += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }
    func fixed(_ n: Int) throws -> UInt64 {
        guard pos + n <= b.count else { throw EventFileError.badProto("fixed at \(pos)") }
        defer { pos += n }
        return (0..<n).reduce(UInt64(0)) { $0 | UInt64(b[pos + $1]) << (8 * $1) }
    }
    while pos < b.count {
        let key = try varint()
        var field = ProtoField(number: Int(key >> 3))
        switch key & 7 {
        case 0: field.integer = try varint()
        case 1: field.integer = try fixed(8)
        case 5: field.integer = try fixed(4)
        case 2:
            let n = Int(try varint())
            guard pos + n <= b.count else { throw EventFileError.badProto("length at \(pos)") }
            field.bytes = Array(b[pos..<(pos + n)])
            pos += n
        default: throw EventFileError.badProto("wire type \(key & 7)")
        }
        fields.append(field)
    }
    return fields
}

/// An `Event` as far as the tests need it.
struct ParsedEvent {
    var wallTime = 0.0
    var step: Int64 = 0
    var fileVersion: String?
    var tag: String?
    var simpleValue: Float?
    var histogram: [ProtoField]?
    var image: [ProtoField]?

    init(_ record: [UInt8]) throws {
        for f in try protoFields(record) {
            switch f.number {
            case 1: wallTime = f.double
            case 2: step = Int64(bitPattern: f.integer)
            case 3: fileVersion = f.string
            case 5:
                // Summary.value (one per event here): tag 1, simple_value 2, image 4, histo 5.
                for v in try protoFields(f.bytes) where v.number == 1 {
                    for g in try protoFields(v.bytes) {
                        switch g.number {
                        case 1: tag = g.string
                        case 2: simpleValue = g.float
                        case 4: image = try protoFields(g.bytes)
                        case 5: histogram = try protoFields(g.bytes)
                        default: break
                        }
                    }
                }
            default: break
            }
        }
    }
}

func eventFiles(in dir: URL) throws -> [URL] {
    try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix("events.out.tfevents.") }
        .sorted().map { dir.appendingPathComponent($0) }
}

private func scratchDirectory(_ name: String) -> URL {
    URL(fileURLWithPath: NSTemporaryDirectory() + "swifttorch-\(name)-\(UUID().uuidString)")
}

// MARK: Tests

struct TensorBoardFixture: Decodable {
    struct CRC: Decodable { let hex: String, crc: UInt32, masked: UInt32 }
    struct Histogram: Decodable {
        let name: String, values: [Double], min: Double, max: Double, num: Double, sum: Double
        let sum_squares: Double, bucket_limit: [Double], bucket: [Double]
    }
    struct Record: Decodable {
        let kind: String, tag: String, step: Int, walltime: Double, record: String
        let value: Double?, values: [Double]?, png_hex: String?, width: Int?, height: Int?, channels: Int?
    }
    let crc32c: [CRC]
    let histograms: [Histogram]
    let records: [Record]

    static func load() throws -> TensorBoardFixture {
        let url = try #require(Bundle.module.url(forResource: "tensorboard", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(TensorBoardFixture.self, from: Data(contentsOf: url))
    }
}

@Suite struct SummaryWriterTests {
    @Test func crc32cKnownVectors() throws {
        // RFC 3720 appendix B.4, and tensorboard's own crc32c on the fixture's inputs.
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
        #expect(CRC32C.checksum([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum((0..<32).map(UInt8.init)) == 0x46DD_794E)
        #expect(CRC32C.checksum((0..<32).reversed().map(UInt8.init)) == 0x113F_DB5C)
        for c in try TensorBoardFixture.load().crc32c {
            let bytes = PNGTests.hex(c.hex)
            #expect(CRC32C.checksum(bytes) == c.crc, "\(c.hex.prefix(16))")
            #expect(CRC32C.masked(CRC32C.checksum(bytes)) == c.masked)
            #expect(CRC32C.unmasked(c.masked) == c.crc)
        }
    }

    @Test func crc32cSlicingMatchesTheBitwiseDefinition() {
        func bitwise(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for b in bytes {
                crc ^= UInt32(b)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        var rng = SeededBytes(seed: 3)
        for length in 0..<70 {
            let bytes = rng.bytes(length)
            #expect(CRC32C.checksum(bytes) == bitwise(bytes), "length \(length)")
            let cut = length / 3
            #expect(CRC32C.checksum(Array(bytes[cut...]), seed: CRC32C.checksum(Array(bytes[..<cut]))) == bitwise(bytes))
        }
    }

    /// The records SummaryWriter writes are byte for byte those of TensorBoard's protobuf classes
    /// and RecordWriter (Tools/golden/tensorboard_golden.py).
    @Test func recordsMatchTensorBoardByteForByte() throws {
        let fixture = try TensorBoardFixture.load()
        let dir = scratchDirectory("tb-bytes")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try SummaryWriter(logDir: dir)
        for r in fixture.records {
            switch r.kind {
            case "scalar": writer.addScalar(r.tag, r.value!, step: r.step, walltime: r.walltime)
            case "histogram": writer.addHistogram(r.tag, r.values!, step: r.step, walltime: r.walltime)
            default: writer.addImage(r.tag, png: PNGTests.hex(r.png_hex!), width: r.width!, height: r.height!,
                                     channels: r.channels!, step: r.step, walltime: r.walltime)
            }
        }
        try writer.close()
        let bytes = [UInt8](try Data(contentsOf: writer.fileURL))
        let records = try tfRecords(bytes)
        #expect(records.count == 1 + fixture.records.count)
        let versionRecordSize = 16 + records[0].count
        #expect(Array(bytes[versionRecordSize...]) == fixture.records.flatMap { PNGTests.hex($0.record) })
    }

    @Test func histogramsMatchPyTorch() throws {
        for h in try TensorBoardFixture.load().histograms {
            let mine = try #require(SummaryWriter.Histogram(h.values), "\(h.name)")
            #expect(mine.bucketLimit == h.bucket_limit, "\(h.name)")
            #expect(mine.bucket == h.bucket, "\(h.name)")
            #expect(mine.min == h.min && mine.max == h.max && mine.num == h.num, "\(h.name)")
            #expect(abs(mine.sum - h.sum) <= 1e-9 * max(1, abs(h.sum)), "\(h.name)")
            #expect(abs(mine.sumSquares - h.sum_squares) <= 1e-9 * max(1, abs(h.sum_squares)), "\(h.name)")
        }
        #expect(SummaryWriter.Histogram([]) == nil)
        #expect(SummaryWriter.Histogram([.nan, .infinity]) == nil)
        #expect(SummaryWriter.Histogram([1, .nan])?.num == 1)
        #expect(SummaryWriter.defaultBins.count == 1549 && SummaryWriter.defaultBins[774] == 0)
    }

    @Test func eventFileParsesBackAcrossFlushes() throws {
        let dir = scratchDirectory("tb-parse")
        defer { try? FileManager.default.removeItem(at: dir) }
        let writer = try SummaryWriter(logDir: dir.appendingPathComponent("nested/run"))
        #expect(writer.fileURL.lastPathComponent.hasPrefix("events.out.tfevents."))
        let weights = Tensor(shape: [2, 3], scalars: [Float]([-0.5, 0.25, 0, 1, 2, -3]))
        let png = PNG.encode(width: 2, height: 1, channels: 1, pixels: [0, 255])
        for step in 1...3 {
            writer.addScalar("loss", 1 / Double(step), step: step)
            writer.addHistogram("fc.weight", weights * Float(step), step: step)
            // Each flush leaves a file that reads back whole.
            try writer.flush()
            let events = try tfRecords([UInt8](Data(contentsOf: writer.fileURL))).map(ParsedEvent.init)
            #expect(events.count == 1 + 2 * step)
        }
        writer.addImage("samples", png: png, width: 2, height: 1, channels: 1, step: 3)
        writer.addScalar("step -1", 5, step: -1)
        try writer.close()
        writer.addScalar("after close", 1, step: 9)   // ignored
        try writer.flush()

        let events = try tfRecords([UInt8](Data(contentsOf: writer.fileURL))).map(ParsedEvent.init)
        #expect(events.count == 9)
        #expect(events[0].fileVersion == "brain.Event:2")
        #expect(abs(events[0].wallTime - Date().timeIntervalSince1970) < 600)
        let losses = events.filter { $0.tag == "loss" }
        #expect(losses.map(\.step) == [1, 2, 3])
        #expect(losses.map(\.simpleValue) == [1, 0.5, Float(1.0 / 3.0)])
        let histograms = events.filter { $0.tag == "fc.weight" }
        let last = try #require(histograms.last?.histogram)
        func field(_ n: Int) -> ProtoField { last.first { $0.number == n }! }
        #expect(field(1).double == -9 && field(2).double == 6 && field(3).double == 6)   // min, max, num
        #expect(field(4).double == -0.75 && field(5).double == 9 * 14.3125)             // sum, sum of squares
        #expect(field(7).packedDoubles.reduce(0, +) == 6)
        #expect(field(6).packedDoubles.count == field(7).packedDoubles.count)
        let image = try #require(events.first { $0.tag == "samples" }?.image)
        #expect(image.map(\.number) == [1, 2, 3, 4])
        #expect(image.map(\.integer).prefix(3) == [1, 2, 1])            // height, width, colourspace
        #expect(try PNG.decode(image[3].bytes, file: "event image").pixels == [0, 255])
        #expect(events.last?.step == -1)

        // A second writer in the same directory gets its own file.
        let other = try SummaryWriter(logDir: dir.appendingPathComponent("nested/run"))
        try other.close()
        #expect(try eventFiles(in: dir.appendingPathComponent("nested/run")).count == 2)
    }

    @Test func queuedEventsAreWrittenWithoutAnExplicitFlush() throws {
        let dir = scratchDirectory("tb-queue")
        defer { try? FileManager.default.removeItem(at: dir) }
        var url: URL
        do {
            let writer = try SummaryWriter(logDir: dir, maxQueue: 2)
            url = writer.fileURL
            writer.addScalar("a", 1, step: 1)
            #expect(try tfRecords([UInt8](Data(contentsOf: url))).count == 1)
            writer.addScalar("a", 2, step: 2)
            #expect(try tfRecords([UInt8](Data(contentsOf: url))).count == 3)
            writer.addScalar("a", 3, step: 3)
        }
        // deinit flushed the last one.
        #expect(try tfRecords([UInt8](Data(contentsOf: url))).count == 4)
        #expect(throws: SerializationError.self) {
            try SummaryWriter(logDir: URL(fileURLWithPath: "/proc/swifttorch-cannot-write-here"))
        }
    }

    /// What `swifttorch train` leaves after each epoch, without training: one event file per
    /// process with scalars and histograms per epoch and the image grid once, and the charts.
    @Test func runArtifactsAfterTwoEpochs() throws {
        let dir = scratchDirectory("artifacts")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        manualSeed(50)
        let net = Network()
        var rng = SeededBytes(seed: 9)
        let testSet = IDXImageDataset(images: Tensor(shape: [70, 28, 28], scalars: rng.bytes(70 * 28 * 28)),
                                      labels: Tensor(shape: [70], scalars: (0..<70).map { Int64($0 % 10) }))
        var confusion = [[Int]](repeating: [Int](repeating: 0, count: 10), count: 10)
        for i in 0..<10 { confusion[i][i] = 5; confusion[i][(i + 1) % 10] = 2 }
        let evaluation = Evaluation(accuracy: 50.0 / 70, confusion: confusion)
        var history: [EpochMetrics] = []
        for epoch in 1...2 {
            history.append(EpochMetrics(epoch: epoch, loss: 1.5 / Double(epoch), trainAccuracy: 0.5 + 0.1 * Double(epoch),
                                        testAccuracy: 0.45 + 0.1 * Double(epoch), seconds: 1))
            try RunArtifacts.epochFinished(runDir: dir, net: net, history: history, evaluation: evaluation, testSet: testSet)
        }
        let files = try eventFiles(in: dir)
        #expect(files.count == 1)
        let events = try tfRecords([UInt8](Data(contentsOf: files[0]))).map(ParsedEvent.init)
        #expect(events.filter { $0.tag == "accuracy/test" }.map(\.step) == [1, 2])
        #expect(events.filter { $0.tag == "accuracy/test" }.map(\.simpleValue) == [Float(0.55), Float(0.65)])
        #expect(events.filter { $0.tag == "loss" }.map(\.simpleValue) == [1.5, 0.75])
        #expect(events.filter { $0.histogram != nil && $0.step == 2 }.compactMap(\.tag) == net.namedParameters().map(\.name))
        let images = events.filter { $0.image != nil }
        #expect(images.count == 1 && images[0].tag == "test images" && images[0].step == 1)
        let grid = try PNG.decode(try #require(images.first?.image?[3].bytes), file: "grid")
        #expect(grid.width == 242 && grid.height == 242 && grid.channels == 3)   // 8x8 of 28x28, padding 2
        #expect(grid.pixels[(2 * 242 + 2) * 3] == testSet.images[0, 0, 0].item(as: UInt8.self))

        for (name, size) in [("loss.png", (800, 500)), ("accuracy.png", (800, 500))] {
            let png = try PNG.read(from: dir.appendingPathComponent(name))
            #expect(png.width == size.0 && png.height == size.1 && png.channels == 3, "\(name)")
            #expect(Set(png.pixels).count > 10, "\(name) looks blank")
        }
        let heatmap = try PNG.read(from: dir.appendingPathComponent("confusion.png"))
        #expect(heatmap.width > 560 && heatmap.height > 560)
    }

    @Test func chartTicksAreRound() {
        let ticks = Charts.niceTicks(0.31, 0.87)
        #expect(ticks.count == 7 && abs(ticks[0] - 0.3) < 1e-12 && abs(ticks[6] - 0.9) < 1e-12)
        #expect(Charts.niceTicks(0.69, 1.68).map { Charts.tickLabel($0, step: 0.2) } == ["0.6", "0.8", "1.0", "1.2", "1.4", "1.6", "1.8"])
        #expect(Charts.niceTicks(0.31, 0.87).map { Charts.tickLabel($0, step: 0.1) } == ["0.3", "0.4", "0.5", "0.6", "0.7", "0.8", "0.9"])
        #expect(Charts.integerTicks(1, 1) == [1])
        #expect(Charts.integerTicks(1, 30) == [5, 10, 15, 20, 25, 30])
        #expect(Charts.tickLabel(-0.0001, step: 0.1) == "0.0")
        #expect(Charts.tickLabel(1200, step: 200) == "1200")
        // One epoch, or a flat line, still makes a chart.
        let single = Charts.lineChart(title: "t", xLabel: "epoch", yLabel: "loss",
                                      series: [.init(name: "loss", color: Charts.blue, points: [(1, 0.5)])])
        #expect(single.width == 800)
        let empty = Charts.confusionMatrix([[0, 0], [0, 0]], classNames: ["a", "b"], title: "empty")
        #expect(empty.width > 100)
    }
}
