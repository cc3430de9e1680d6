import CZlib
import Foundation

/// The default cap on decompressed output: 1 GiB, well above Fashion-MNIST's 47 MB training images.
public let defaultMaxDecompressedBytes = 1 << 30

/// Returns `true` when `bytes` starts with the gzip magic `1f 8b`.
///
/// ```swift
/// isGzip([0x1f, 0x8b, 8, 0])   // true
/// ```
public func isGzip(_ bytes: [UInt8]) -> Bool {
    bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
}

/// Decompresses `data` if it is gzip (magic `1f 8b`); otherwise returns it unchanged.
///
/// Concatenated gzip members (as `cat a.gz b.gz` makes) are decompressed one after another.
/// Corrupt or truncated input throws ``SerializationError`` naming `file`; the output never
/// grows past `maxOutputBytes`, whatever the stream's size field claims.
///
/// ```swift
/// let raw = try gunzipIfNeeded(Array(try Data(contentsOf: url)), file: url.path)
/// ```
/// - Parameters:
///   - data: The file's bytes.
///   - file: The path to name in errors.
///   - maxOutputBytes: The most bytes decompression may produce before it throws.
public func gunzipIfNeeded(
    _ data: [UInt8], file: String, maxOutputBytes: Int = defaultMaxDecompressedBytes
) throws -> [UInt8] {
    guard isGzip(data) else { return data }
    return try gunzip(data, file: file, maxOutputBytes: maxOutputBytes)
}

/// `Data` form of ``gunzipIfNeeded(_:file:maxOutputBytes:)``.
public func gunzipIfNeeded(
    _ data: Data, file: String, maxOutputBytes: Int = defaultMaxDecompressedBytes
) throws -> [UInt8] {
    try gunzipIfNeeded([UInt8](data), file: file, maxOutputBytes: maxOutputBytes)
}

/// Compresses `data` into a single gzip member (RFC 1952), as `gzip -6` would.
///
/// ```swift
/// let packed = gzip(Array("hello".utf8))
/// let back = try gunzipIfNeeded(packed, file: "<memory>")   // "hello" again
/// ```
/// - Parameters:
///   - data: The bytes to compress.
///   - level: zlib compression level, 0 (store) to 9 (smallest); -1 means zlib's default (6).
public func gzip(_ data: [UInt8], level: Int32 = -1) -> [UInt8] {
    // windowBits 16 + MAX_WBITS asks zlib for a gzip wrapper instead of a zlib one.
    deflateAll(data, level: level, windowBits: 16 + MAX_WBITS, what: "gzip")
}

/// Compresses `data` into a zlib stream (RFC 1950), the format inside PNG's `IDAT` chunks.
///
/// ```swift
/// let packed = zlibCompress(Array("hello".utf8))
/// let back = try zlibDecompress(packed, file: "<memory>")   // "hello" again
/// ```
/// - Parameters:
///   - data: The bytes to compress.
///   - level: zlib compression level, 0 (store) to 9 (smallest); -1 means zlib's default (6).
public func zlibCompress(_ data: [UInt8], level: Int32 = -1) -> [UInt8] {
    deflateAll(data, level: level, windowBits: MAX_WBITS, what: "zlib")
}

/// Decompresses one zlib stream (RFC 1950), bounding both time and memory.
///
/// Corrupt or truncated input, or bytes after the stream's checksum, throw
/// ``SerializationError`` naming `file`; the output never grows past `maxOutputBytes`.
///
/// ```swift
/// let raw = try zlibDecompress(idat, file: "digit.png", maxOutputBytes: rows * (1 + rowBytes))
/// ```
/// - Parameters:
///   - data: The compressed bytes.
///   - file: The path to name in errors.
///   - maxOutputBytes: The most bytes decompression may produce before it throws.
///   - expectedSize: A hint for the first output buffer (e.g. a PNG's exact raw size); it is
///     clamped by `maxOutputBytes` and by deflate's maximum ratio, so a forged hint is harmless.
public func zlibDecompress(
    _ data: [UInt8], file: String, maxOutputBytes: Int = defaultMaxDecompressedBytes, expectedSize: Int? = nil
) throws -> [UInt8] {
    try inflateAll(data, wrapper: .zlib, file: file, maxOutputBytes: maxOutputBytes,
                   startCapacity: initialCapacity(hint: expectedSize ?? 1 << 16, compressed: data.count, limit: maxOutputBytes))
}

/// The CRC-32 of `data` (the ISO-HDLC polynomial used by gzip, zip and PNG), computed by zlib.
///
/// Pass a previous result as `seed` to continue a running checksum.
///
/// ```swift
/// zlibCRC32(Array("123456789".utf8))   // 0xCBF43926
/// ```
public func zlibCRC32(_ data: [UInt8], seed: UInt32 = 0) -> UInt32 {
    data.withUnsafeBufferPointer { buffer in
        var crc = uLong(seed)
        var offset = 0
        // zlib takes a 32-bit length, so feed very large inputs in slices.
        repeat {
            let chunk = min(buffer.count - offset, Int(UInt32.max))
            crc = crc32(crc, buffer.baseAddress.map { $0 + offset }, uInt(chunk))
            offset += chunk
        } while offset < buffer.count
        return UInt32(truncatingIfNeeded: crc)
    }
}

/// Deflates `data` in one pass; `windowBits` picks the wrapper (gzip or zlib).
private func deflateAll(_ data: [UInt8], level: Int32, windowBits: Int32, what: String) -> [UInt8] {
    precondition((-1...9).contains(level), "\(what) level must be -1...9, got \(level)")
    var stream = z_stream()
    let initStatus = deflateInit2_(
        &stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY,
        ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
    // Only running out of memory or a bad level can fail here; neither is recoverable input.
    precondition(initStatus == Z_OK, "deflateInit2 failed with status \(initStatus)")
    defer { deflateEnd(&stream) }

    // deflateBound is exact enough to finish in one pass for a single input chunk; the loop
    // below still grows the buffer, so a bound that is too small only costs a reallocation.
    let bound = Int(deflateBound(&stream, uLong(min(data.count, Int(UInt32.max)))))
    var output = [UInt8](repeating: 0, count: max(bound, 64))
    var produced = 0
    var consumed = 0
    data.withUnsafeBufferPointer { input in
        while true {
            if produced == output.count { output.append(contentsOf: repeatElement(0, count: output.count)) }
            let chunk = min(input.count - consumed, Int(UInt32.max))
            let isLast = consumed + chunk == input.count
            stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
            stream.avail_in = uInt(chunk)
            let (status, used, wrote) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int, Int) in
                let space = min(out.count - produced, Int(UInt32.max))
                stream.next_out = out.baseAddress! + produced
                stream.avail_out = uInt(space)
                let status = deflate(&stream, isLast ? Z_FINISH : Z_NO_FLUSH)
                return (status, chunk - Int(stream.avail_in), space - Int(stream.avail_out))
            }
            consumed += used
            produced += wrote
            if status == Z_STREAM_END { break }
            precondition(status == Z_OK || status == Z_BUF_ERROR, "deflate failed with status \(status)")
        }
    }
    output.removeSubrange(produced...)
    return output
}

/// The two framings of deflate data that zlib reads: gzip (RFC 1952) and zlib (RFC 1950).
private enum DeflateWrapper {
    case gzip, zlib

    var windowBits: Int32 { self == .gzip ? 16 + MAX_WBITS : MAX_WBITS }

    func corrupt(_ file: String, _ reason: String) -> SerializationError {
        self == .gzip ? .corruptGzip(file: file, reason: reason) : .corruptZlib(file: file, reason: reason)
    }

    func truncated(_ file: String) -> SerializationError {
        self == .gzip ? .truncatedGzip(file: file) : .corruptZlib(file: file, reason: "stream is truncated (ends before its checksum)")
    }
}

/// Decompresses gzip data with zlib's inflate, bounding both time and memory.
///
/// Each round either consumes input or produces output, or the stream is reported truncated,
/// so the loop always ends. The output buffer starts at the trailer's ISIZE hint, clamped by the
/// limit and by deflate's maximum ratio (about 1032:1), so a forged ISIZE cannot allocate much.
func gunzip(_ data: [UInt8], file: String, maxOutputBytes: Int) throws -> [UInt8] {
    try inflateAll(data, wrapper: .gzip, file: file, maxOutputBytes: maxOutputBytes,
                   startCapacity: initialCapacity(for: data, limit: maxOutputBytes))
}

/// Inflates every member of a gzip file, or the one stream of zlib data.
private func inflateAll(
    _ data: [UInt8], wrapper: DeflateWrapper, file: String, maxOutputBytes: Int, startCapacity: Int
) throws -> [UInt8] {
    precondition(maxOutputBytes >= 0, "maxOutputBytes must not be negative")
    var stream = z_stream()
    guard inflateInit2_(&stream, wrapper.windowBits, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
        throw wrapper.corrupt(file, "zlib could not start inflating")
    }
    defer { inflateEnd(&stream) }

    var output = [UInt8](repeating: 0, count: startCapacity)
    var produced = 0
    var consumed = 0

    try data.withUnsafeBufferPointer { input in
        memberLoop: while true {
            // One gzip member per pass; a member ends at Z_STREAM_END.
            while true {
                if produced == output.count {
                    if output.count >= maxOutputBytes {
                        // At the limit: any further byte proves the output is too large.
                        if try inflateProducesMore(&stream, input: input, consumed: &consumed, file: file, wrapper: wrapper) {
                            throw SerializationError.decompressedTooLarge(file: file, limit: maxOutputBytes)
                        }
                        break  // the member ended exactly at the limit
                    }
                    let grown = min(max(output.count * 2, 1 << 16), maxOutputBytes)
                    output.append(contentsOf: repeatElement(0, count: grown - output.count))
                }
                let chunk = min(input.count - consumed, Int(UInt32.max))
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                stream.avail_in = uInt(chunk)
                let (status, used, wrote) = output.withUnsafeMutableBufferPointer { out -> (Int32, Int, Int) in
                    let space = min(out.count - produced, Int(UInt32.max))
                    stream.next_out = out.baseAddress.map { $0 + produced }
                    stream.avail_out = uInt(space)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, chunk - Int(stream.avail_in), space - Int(stream.avail_out))
                }
                consumed += used
                produced += wrote
                switch status {
                case Z_STREAM_END:
                    break
                case Z_OK, Z_BUF_ERROR:
                    // Output room is always offered, so a round without progress means the
                    // input ran out before the stream ended; throwing here rules out a spin.
                    if used == 0 && wrote == 0 { throw wrapper.truncated(file) }
                    continue
                default:
                    throw wrapper.corrupt(file, zlibMessage(stream, status: status))
                }
                break
            }
            // Another member may follow; anything else after the trailer is damage.
            let rest = input.count - consumed
            if rest == 0 { break memberLoop }
            if wrapper == .zlib {
                throw wrapper.corrupt(file, "\(rest) unexpected bytes after the end of the zlib stream")
            }
            if rest >= 2 && input[consumed] == 0x1f && input[consumed + 1] == 0x8b {
                guard inflateReset(&stream) == Z_OK else {
                    throw SerializationError.corruptGzip(file: file, reason: "zlib could not reset between members")
                }
                continue memberLoop
            }
            throw SerializationError.corruptGzip(file: file, reason: "\(rest) unexpected bytes after the gzip trailer")
        }
    }
    output.removeSubrange(produced...)
    return output
}

/// Runs inflate into a one-byte scratch buffer and reports whether any output appeared.
/// Used only at the output limit, to tell "ended exactly here" from "would keep going".
private func inflateProducesMore(
    _ stream: inout z_stream, input: UnsafeBufferPointer<UInt8>, consumed: inout Int, file: String,
    wrapper: DeflateWrapper
) throws -> Bool {
    var scratch: UInt8 = 0
    while true {
        let chunk = min(input.count - consumed, Int(UInt32.max))
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
        stream.avail_in = uInt(chunk)
        let status = withUnsafeMutablePointer(to: &scratch) { pointer -> Int32 in
            stream.next_out = pointer
            stream.avail_out = 1
            return inflate(&stream, Z_NO_FLUSH)
        }
        let used = chunk - Int(stream.avail_in)
        consumed += used
        if stream.avail_out == 0 { return true }
        switch status {
        case Z_STREAM_END: return false
        case Z_OK: if used == 0 { throw wrapper.truncated(file) }
        case Z_BUF_ERROR: throw wrapper.truncated(file)
        default: throw wrapper.corrupt(file, zlibMessage(stream, status: status))
        }
    }
}

/// A starting size for the output buffer: the trailer's ISIZE (size mod 2^32) when plausible.
private func initialCapacity(for data: [UInt8], limit: Int) -> Int {
    guard data.count >= 18 else { return min(limit, 1 << 16) }
    let n = data.count
    let isize = Int(data[n - 4]) | Int(data[n - 3]) << 8 | Int(data[n - 2]) << 16 | Int(data[n - 1]) << 24
    // Deflate cannot expand more than ~1032x, so anything beyond that is a lie worth ignoring.
    let plausible = min(isize, data.count.multipliedReportingOverflow(by: 1032).overflow ? Int.max : data.count * 1032)
    return min(max(plausible, 1 << 12), limit)
}

/// A starting size for zlib output: the caller's hint, clamped by the limit and deflate's ratio.
private func initialCapacity(hint: Int, compressed: Int, limit: Int) -> Int {
    let ratioBound = compressed.multipliedReportingOverflow(by: 1032)
    let plausible = min(max(hint, 0), ratioBound.overflow ? Int.max : ratioBound.partialValue + 64)
    return min(max(plausible, 1 << 12), limit)
}

/// zlib's own message when it set one (e.g. "incorrect data check"), else the status name.
private func zlibMessage(_ stream: z_stream, status: Int32) -> String {
    if let message = stream.msg { return String(cString: message) }
    switch status {
    case Z_NEED_DICT: return "stream needs a preset dictionary"
    case Z_DATA_ERROR: return "invalid deflate data"
    case Z_MEM_ERROR: return "out of memory"
    case Z_STREAM_ERROR: return "inconsistent stream state"
    default: return "zlib status \(status)"
    }
}
