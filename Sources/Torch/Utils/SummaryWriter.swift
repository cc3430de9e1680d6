import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes TensorBoard event files, as `torch.utils.tensorboard.SummaryWriter`.
///
/// Each writer owns one file, `events.out.tfevents.<time>.<host>.<pid>.<n>` in `logDir`, made of
/// TFRecord-framed `Event` protobufs that TensorBoard reads directly. Summaries are queued in
/// memory and appended to the file by ``flush()`` (also after every `maxQueue` events and on
/// ``close()``), so the file on disk always ends with whole records.
///
/// ```swift
/// let writer = try SummaryWriter(logDir: URL(fileURLWithPath: "runs/exp1"))
/// for epoch in 1...3 {
///     writer.addScalar("loss", 1.0 / Double(epoch), step: epoch)
///     writer.addHistogram("fc.weight", fc.weight, step: epoch)
/// }
/// try writer.close()     // then: tensorboard --logdir runs
/// ```
public final class SummaryWriter: @unchecked Sendable {
    /// The directory the event file lives in.
    public let logDir: URL
    /// The event file this writer appends to.
    public let fileURL: URL
    /// Queued events that trigger an automatic flush.
    public let maxQueue: Int

    private let lock = NSLock()
    private var pending: [UInt8] = []
    private var pendingEvents = 0
    /// An error from an automatic flush, reported by the next ``flush()`` or ``close()``.
    private var deferredError: Error?
    private var isClosed = false

    /// Creates `logDir` if needed and starts a new event file in it with the
    /// `brain.Event:2` version record.
    ///
    /// ```swift
    /// let writer = try SummaryWriter(logDir: runDir)
    /// ```
    /// - Parameters:
    ///   - logDir: Where the event file goes (TensorBoard's `--logdir`, or a run below it).
    ///   - filenameSuffix: Appended to the file name, as PyTorch's `filename_suffix`.
    ///   - maxQueue: How many events to hold before appending them to the file.
    /// - Throws: ``SerializationError/unwritable(file:reason:)`` if the directory or file cannot be made.
    public init(logDir: URL, filenameSuffix: String = "", maxQueue: Int = 10) throws {
        precondition(maxQueue >= 1, "maxQueue must be at least 1")
        self.logDir = logDir
        self.maxQueue = maxQueue
        let name = String(format: "events.out.tfevents.%010ld.", Int(Date().timeIntervalSince1970))
            + "\(SummaryWriter.hostName()).\(getpid()).\(SummaryWriter.nextFileNumber())" + filenameSuffix
        fileURL = logDir.appendingPathComponent(name)
        do {
            try FileManager.default.createDirectory(at: logDir, withIntermediateDirectories: true)
        } catch {
            throw SerializationError.unwritable(file: logDir.path, reason: error.localizedDescription)
        }
        var event = ProtobufWriter()
        event.double(1, Date().timeIntervalSince1970)
        event.string(3, "brain.Event:2")
        guard FileManager.default.createFile(atPath: fileURL.path, contents: Data(TFRecord.frame(event.bytes))) else {
            throw SerializationError.unwritable(file: fileURL.path, reason: "the file could not be created")
        }
    }

    deinit {
        try? flush()
    }

    // MARK: Summaries

    /// Logs one number under `tag` at `step`, as `add_scalar`.
    ///
    /// ```swift
    /// writer.addScalar("accuracy/test", 0.8731, step: epoch)
    /// ```
    /// - Parameter walltime: Seconds since 1970; the current time when nil.
    public func addScalar(_ tag: String, _ value: Double, step: Int, walltime: Double? = nil) {
        var summaryValue = ProtobufWriter()
        summaryValue.string(1, tag)
        summaryValue.float(2, Float(value))
        append(summaryValue, step: step, walltime: walltime)
    }

    /// Logs the distribution of a tensor's values under `tag`, as `add_histogram` with its
    /// default (TensorBoard's) bins.
    ///
    /// ```swift
    /// for (name, p) in net.namedParameters() { writer.addHistogram(name, p, step: epoch) }
    /// ```
    /// Values that are not finite are left out; a tensor with no finite value logs nothing.
    public func addHistogram(_ tag: String, _ values: Tensor, step: Int, walltime: Double? = nil) {
        addHistogram(tag, withNoGrad { values.detach().scalars(as: Double.self) }, step: step, walltime: walltime)
    }

    /// Logs the distribution of `values` under `tag`, as the `Tensor` form does.
    public func addHistogram(_ tag: String, _ values: [Double], step: Int, walltime: Double? = nil) {
        guard let histogram = Histogram(values) else { return }
        var summaryValue = ProtobufWriter()
        summaryValue.string(1, tag)
        summaryValue.message(5, histogram.proto)
        append(summaryValue, step: step, walltime: walltime)
    }

    /// Logs an encoded image (PNG bytes, e.g. from TorchVision's `PNG.encode`) under `tag`, as
    /// `add_image` does after encoding.
    ///
    /// ```swift
    /// let png = PNG.encode(width: 242, height: 242, channels: 3, pixels: grid)
    /// writer.addImage("images", png: png, width: 242, height: 242, channels: 3, step: 1)
    /// ```
    /// - Parameter channels: 1 (grey), 3 (RGB) or 4 (RGBA), TensorBoard's `colorspace`.
    public func addImage(_ tag: String, png: [UInt8], width: Int, height: Int, channels: Int, step: Int,
                         walltime: Double? = nil) {
        precondition([1, 2, 3, 4].contains(channels), "addImage: channels must be 1 to 4, got \(channels)")
        var image = ProtobufWriter()
        image.int64(1, Int64(height))
        image.int64(2, Int64(width))
        image.int64(3, Int64(channels))
        image.bytes(4, png)
        var summaryValue = ProtobufWriter()
        summaryValue.string(1, tag)
        summaryValue.message(4, image)
        append(summaryValue, step: step, walltime: walltime)
    }

    // MARK: Writing

    /// Appends every queued event to the file.
    ///
    /// - Throws: ``SerializationError/unwritable(file:reason:)`` if the file cannot be written,
    ///   including a failure of an earlier automatic flush.
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        try flushLocked()
    }

    /// Flushes and stops accepting events; later summaries are ignored.
    public func close() throws {
        lock.lock()
        defer { lock.unlock() }
        try flushLocked()
        isClosed = true
    }

    private func append(_ summaryValue: ProtobufWriter, step: Int, walltime: Double?) {
        var summary = ProtobufWriter()
        summary.message(1, summaryValue)
        var event = ProtobufWriter()
        event.double(1, walltime ?? Date().timeIntervalSince1970)
        event.int64(2, Int64(step))
        event.message(5, summary)
        lock.lock()
        defer { lock.unlock() }
        guard !isClosed else { return }
        pending += TFRecord.frame(event.bytes)
        pendingEvents += 1
        if pendingEvents >= maxQueue {
            do { try flushLocked() } catch { deferredError = deferredError ?? error }
        }
    }

    private func flushLocked() throws {
        if let error = deferredError {
            deferredError = nil
            throw error
        }
        guard !pending.isEmpty else { return }
        do {
            // Opened per flush, so an idle writer holds no file descriptor.
            let handle = try FileHandle(forWritingTo: fileURL)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: pending)
        } catch {
            throw SerializationError.unwritable(file: fileURL.path, reason: error.localizedDescription)
        }
        pending.removeAll(keepingCapacity: true)
        pendingEvents = 0
    }

    // MARK: File names

    private nonisolated(unsafe) static var fileCounter = 0
    private static let counterLock = NSLock()

    /// A per-process number, so two writers made in the same second get different files.
    private static func nextFileNumber() -> Int {
        counterLock.lock()
        defer { counterLock.unlock() }
        fileCounter += 1
        return fileCounter - 1
    }

    private static func hostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(cString: buffer).filter { $0 != "/" }
        return name.isEmpty ? "localhost" : name
    }
}

extension SummaryWriter {
    /// TensorBoard's (and PyTorch's) default histogram bin edges: ±1e-12 growing by 10% up to
    /// ±1e20, with 0 between them.
    public static let defaultBins: [Double] = {
        var positive: [Double] = []
        var v = 1e-12
        while v < 1e20 {
            positive.append(v)
            v *= 1.1
        }
        return positive.reversed().map { -$0 } + [0] + positive
    }()

    /// A `HistogramProto` computed the way PyTorch's `make_histogram` does: counts per bin
    /// (left-closed, the last bin closed), trimmed to the occupied range plus one empty bin on
    /// the left, each bucket labelled by its right edge.
    public struct Histogram: Equatable, Sendable {
        public var min: Double
        public var max: Double
        public var num: Double
        public var sum: Double
        public var sumSquares: Double
        /// The right edge of each bucket.
        public var bucketLimit: [Double]
        /// How many values fell in each bucket.
        public var bucket: [Double]

        /// Bins the finite values of `values`; nil when none is finite or all lie outside `bins`.
        ///
        /// ```swift
        /// let h = SummaryWriter.Histogram([0.5, 1, 2])!
        /// h.num   // 3
        /// ```
        public init?(_ values: [Double], bins: [Double] = SummaryWriter.defaultBins) {
            precondition(bins.count >= 2, "a histogram needs at least two bin edges")
            var counts = [Double](repeating: 0, count: bins.count - 1)
            var lo = Double.infinity, hi = -Double.infinity, total = 0.0, squares = 0.0, n = 0
            for v in values where v.isFinite {
                lo = Swift.min(lo, v)
                hi = Swift.max(hi, v)
                total += v
                squares += v * v
                n += 1
                guard v >= bins[0], v <= bins[bins.count - 1] else { continue }
                // The last edge not above v starts v's bin; the top edge belongs to the last bin.
                var a = 0, b = bins.count
                while b - a > 1 {
                    let mid = (a + b) / 2
                    if bins[mid] <= v { a = mid } else { b = mid }
                }
                counts[Swift.min(a, counts.count - 1)] += 1
            }
            guard n > 0, let first = counts.firstIndex(where: { $0 > 0 }),
                  let last = counts.lastIndex(where: { $0 > 0 }) else { return nil }
            min = lo
            max = hi
            num = Double(n)
            sum = total
            sumSquares = squares
            // One empty bucket on the left, so TensorBoard also knows the leftmost edge.
            bucketLimit = Array(bins[first...(last + 1)])
            bucket = (first > 0 ? [counts[first - 1]] : [0]) + counts[first...last]
        }

        var proto: ProtobufWriter {
            var p = ProtobufWriter()
            p.double(1, min)
            p.double(2, max)
            p.double(3, num)
            p.double(4, sum)
            p.double(5, sumSquares)
            p.packedDoubles(6, bucketLimit)
            p.packedDoubles(7, bucket)
            return p
        }
    }
}
