import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One tensor as the safetensors format stores it: a dtype name, a shape and raw little-endian
/// bytes in row-major order.
///
/// ```swift
/// let entry = SafetensorsEntry(dtype: "F32", shape: [2], bytes: [0, 0, 128, 63, 0, 0, 0, 64])  // [1, 2]
/// ```
public struct SafetensorsEntry: Sendable, Equatable {
    /// The safetensors dtype name: `"F32"`, `"F64"`, `"I64"`, `"I32"`, `"U8"`, `"BOOL"`, `"F16"`, ...
    public var dtype: String
    /// The tensor's shape; `[]` for a 0-d tensor.
    public var shape: [Int]
    /// The element bytes, little-endian, row-major; `product(shape) * elementSize` of them.
    public var bytes: [UInt8]

    /// Creates an entry; ``SafetensorsFormat`` validates it when encoding.
    public init(dtype: String, shape: [Int], bytes: [UInt8]) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }
}

/// Reads and writes the safetensors file format byte for byte as the reference `safetensors`
/// package does: an 8-byte little-endian header length N, N bytes of JSON padded with spaces
/// to a multiple of 8, then the data buffer, with tensors ordered by descending dtype rank, then
/// by name. Metadata keys are written sorted (the reference writes them in hash order).
enum SafetensorsFormat {
    /// The reference implementation refuses headers above 100 MB; so do we.
    static let maxHeaderBytes = 100_000_000
    /// JSON nesting deeper than this is never a valid header, and recursion must stay bounded.
    static let maxJSONDepth = 64

    /// Rank (the reference enum's declaration order, which the writer sorts by) and bits per element.
    static let dtypes: [String: (rank: Int, bits: Int)] = [
        "BOOL": (0, 8), "F4": (1, 4), "F6_E2M3": (2, 6), "F6_E3M2": (3, 6), "U8": (4, 8), "I8": (5, 8),
        "F8_E5M2": (6, 8), "F8_E4M3": (7, 8), "F8_E8M0": (8, 8), "F8_E4M3FNUZ": (9, 8), "F8_E5M2FNUZ": (10, 8),
        "I16": (11, 16), "U16": (12, 16), "F16": (13, 16), "BF16": (14, 16), "I32": (15, 32), "U32": (16, 32),
        "F32": (17, 32), "C64": (18, 64), "F64": (19, 64), "I64": (20, 64), "U64": (21, 64),
    ]

    /// Byte count of a tensor, or nil when it overflows or is not a whole number of bytes.
    static func byteCount(dtype bits: Int, shape: [Int]) -> Int? {
        var elements = 1
        for dim in shape {
            guard dim >= 0 else { return nil }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            if overflow { return nil }
            elements = product
        }
        let (totalBits, overflow) = elements.multipliedReportingOverflow(by: bits)
        guard !overflow, totalBits % 8 == 0 else { return nil }
        return totalBits / 8
    }

    // MARK: Encoding

    /// Serialises `entries` (and optional string metadata) into a safetensors file image.
    ///
    /// Throws ``SerializationError`` for an unknown dtype, a byte count that disagrees with the
    /// shape, or the reserved name `__metadata__`; `file` only names the target in those errors.
    static func encode(
        _ entries: [String: SafetensorsEntry], metadata: [String: String]? = nil, file: String = "<memory>"
    ) throws -> [UInt8] {
        var ordered: [(name: String, entry: SafetensorsEntry, rank: Int)] = []
        ordered.reserveCapacity(entries.count)
        var dataSize = 0
        for (name, entry) in entries {
            guard name != "__metadata__" else {
                throw SerializationError.invalidHeader(file: file, reason: "tensor name '__metadata__' is reserved")
            }
            guard let info = dtypes[entry.dtype] else {
                throw SerializationError.unknownDType(file: file, tensor: name, dtype: entry.dtype)
            }
            guard entry.shape.allSatisfy({ $0 >= 0 }) else {
                throw SerializationError.invalidHeader(
                    file: file, reason: "tensor '\(name)' has a negative dimension in shape \(entry.shape)")
            }
            guard let expected = byteCount(dtype: info.bits, shape: entry.shape) else {
                throw SerializationError.shapeOverflow(file: file, tensor: name, shape: entry.shape)
            }
            guard expected == entry.bytes.count else {
                throw SerializationError.byteCountMismatch(
                    file: file, tensor: name, dtype: entry.dtype, shape: entry.shape,
                    expected: expected, actual: entry.bytes.count)
            }
            dataSize += expected
            ordered.append((name, entry, info.rank))
        }
        // The reference sorts by descending dtype (widest alignment first), then by name as bytes.
        ordered.sort { a, b in
            a.rank != b.rank ? a.rank > b.rank : a.name.utf8.lexicographicallyPrecedes(b.name.utf8)
        }

        var header: [UInt8] = []
        header.append(UInt8(ascii: "{"))
        var first = true
        if let metadata {
            header.append(contentsOf: Array("\"__metadata__\":{".utf8))
            let keys = metadata.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            for (index, key) in keys.enumerated() {
                if index > 0 { header.append(UInt8(ascii: ",")) }
                appendJSONString(key, to: &header)
                header.append(UInt8(ascii: ":"))
                appendJSONString(metadata[key]!, to: &header)
            }
            header.append(UInt8(ascii: "}"))
            first = false
        }
        var offset = 0
        for item in ordered {
            if !first { header.append(UInt8(ascii: ",")) }
            first = false
            appendJSONString(item.name, to: &header)
            let shape = item.entry.shape.map(String.init).joined(separator: ",")
            let end = offset + item.entry.bytes.count
            header.append(contentsOf: Array(
                ":{\"dtype\":\"\(item.entry.dtype)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(end)]}".utf8))
            offset = end
        }
        header.append(UInt8(ascii: "}"))
        // Padding keeps the data buffer 8-byte aligned, as the reference writer does.
        header.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - header.count % 8) % 8))

        var out: [UInt8] = []
        out.reserveCapacity(8 + header.count + dataSize)
        withUnsafeBytes(of: UInt64(header.count).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: header)
        for item in ordered { out.append(contentsOf: item.entry.bytes) }
        return out
    }

    /// Escapes a string as serde_json does: `"` `\` and control characters only, `\u00XX` in
    /// lowercase hex, everything else (including non-ASCII) as raw UTF-8.
    static func appendJSONString(_ string: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x08: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0C: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: Array("\\u00".utf8))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0xF)])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    // MARK: Decoding

    /// Parses and fully validates a safetensors file image.
    ///
    /// Every check the reference performs is made here, so a forged file throws a
    /// ``SerializationError`` naming `file` before anything larger than the file is allocated.
    static func decode(
        _ bytes: [UInt8], file: String
    ) throws -> (entries: [String: SafetensorsEntry], metadata: [String: String]?) {
        guard bytes.count >= 8 else {
            throw SerializationError.truncated(file: file, what: "the header length", needed: 8, actual: bytes.count)
        }
        var length: UInt64 = 0
        for i in (0..<8).reversed() { length = length << 8 | UInt64(bytes[i]) }
        guard length <= UInt64(maxHeaderBytes) else {
            throw SerializationError.headerTooLarge(file: file, length: length, limit: maxHeaderBytes)
        }
        let headerEnd = 8 + Int(length)
        guard headerEnd <= bytes.count else {
            throw SerializationError.headerLengthExceedsFile(file: file, length: length, fileSize: bytes.count)
        }
        let headerBytes = bytes[8..<headerEnd]
        guard isValidUTF8(headerBytes) else {
            throw SerializationError.invalidHeader(file: file, reason: "not valid UTF-8")
        }
        var parser = HeaderJSONParser(bytes: headerBytes, maxDepth: maxJSONDepth)
        let root: HeaderJSON
        do { root = try parser.parseDocument() } catch let error as HeaderJSONParser.Failure {
            throw SerializationError.invalidHeader(file: file, reason: error.message)
        }
        guard case .object(let members) = root else {
            throw SerializationError.invalidHeader(file: file, reason: "the header is not a JSON object")
        }

        var metadata: [String: String]?
        var layouts: [(name: String, dtype: String, shape: [Int], begin: Int, end: Int)] = []
        var seen = Set<String>()
        for (name, value) in members {
            guard seen.insert(name).inserted else {
                throw SerializationError.duplicateTensor(file: file, tensor: name)
            }
            if name == "__metadata__" {
                metadata = try decodeMetadata(value, file: file)
                continue
            }
            layouts.append(try decodeTensorInfo(name: name, value, file: file))
        }

        // Offsets must tile the buffer in order; the reference sorts by offsets before checking.
        layouts.sort { ($0.begin, $0.end) < ($1.begin, $1.end) }
        let bufferSize = bytes.count - headerEnd
        var position = 0
        for layout in layouts {
            guard layout.begin == position else {
                let reason = layout.begin < position
                    ? "begins at \(layout.begin), overlapping the previous tensor that ends at \(position)"
                    : "begins at \(layout.begin), leaving a gap after byte \(position)"
                throw SerializationError.invalidOffsets(file: file, tensor: layout.name, reason: reason)
            }
            guard layout.end >= layout.begin else {
                throw SerializationError.invalidOffsets(
                    file: file, tensor: layout.name, reason: "end \(layout.end) is before begin \(layout.begin)")
            }
            guard layout.end <= bufferSize else {
                throw SerializationError.invalidOffsets(
                    file: file, tensor: layout.name,
                    reason: "end \(layout.end) is past the data buffer of \(bufferSize) bytes")
            }
            let bits = dtypes[layout.dtype]!.bits
            guard let expected = byteCount(dtype: bits, shape: layout.shape) else {
                throw SerializationError.shapeOverflow(file: file, tensor: layout.name, shape: layout.shape)
            }
            guard expected == layout.end - layout.begin else {
                throw SerializationError.byteCountMismatch(
                    file: file, tensor: layout.name, dtype: layout.dtype, shape: layout.shape,
                    expected: expected, actual: layout.end - layout.begin)
            }
            position = layout.end
        }
        guard position == bufferSize else {
            throw SerializationError.bufferSizeMismatch(file: file, covered: position, actual: bufferSize)
        }

        var entries: [String: SafetensorsEntry] = [:]
        entries.reserveCapacity(layouts.count)
        for layout in layouts {
            let slice = bytes[(headerEnd + layout.begin)..<(headerEnd + layout.end)]
            entries[layout.name] = SafetensorsEntry(dtype: layout.dtype, shape: layout.shape, bytes: Array(slice))
        }
        return (entries, metadata)
    }

    /// Checks UTF-8 without building a String (`String(validating:)` needs macOS 15).
    private static func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    private static func decodeMetadata(_ value: HeaderJSON, file: String) throws -> [String: String] {
        guard case .object(let pairs) = value else {
            throw SerializationError.invalidHeader(file: file, reason: "__metadata__ is not an object of strings")
        }
        var result: [String: String] = [:]
        for (key, item) in pairs {
            guard case .string(let text) = item else {
                throw SerializationError.invalidHeader(
                    file: file, reason: "__metadata__ value for '\(key)' is not a string")
            }
            result[key] = text
        }
        return result
    }

    private static func decodeTensorInfo(
        name: String, _ value: HeaderJSON, file: String
    ) throws -> (name: String, dtype: String, shape: [Int], begin: Int, end: Int) {
        func invalid(_ reason: String) -> SerializationError {
            .invalidHeader(file: file, reason: "tensor '\(name)': \(reason)")
        }
        guard case .object(let fields) = value else { throw invalid("entry is not an object") }
        var dtype: String?, shape: [Int]?, offsets: [Int]?
        // Unknown fields are ignored, as serde does for the reference's TensorInfo.
        for (key, field) in fields {
            switch key {
            case "dtype":
                guard case .string(let text) = field else { throw invalid("dtype is not a string") }
                dtype = text
            case "shape":
                guard case .array(let dims) = field else { throw invalid("shape is not an array") }
                shape = try dims.map { dim in
                    guard case .integer(let n) = dim else { throw invalid("shape holds a non-integer") }
                    guard n <= UInt64(Int.max) else { throw invalid("shape dimension \(n) is too large") }
                    return Int(n)
                }
            case "data_offsets":
                guard case .array(let pair) = field, pair.count == 2 else {
                    throw invalid("data_offsets is not a [begin, end] pair")
                }
                offsets = try pair.map { item in
                    guard case .integer(let n) = item else { throw invalid("data_offsets holds a non-integer") }
                    guard n <= UInt64(Int.max) else { throw invalid("data offset \(n) is too large") }
                    return Int(n)
                }
            default:
                continue
            }
        }
        guard let dtype else { throw invalid("missing dtype") }
        guard let shape else { throw invalid("missing shape") }
        guard let offsets else { throw invalid("missing data_offsets") }
        guard dtypes[dtype] != nil else {
            throw SerializationError.unknownDType(file: file, tensor: name, dtype: dtype)
        }
        return (name, dtype, shape, offsets[0], offsets[1])
    }

    // MARK: Writing files

    /// Writes `bytes` to `url` atomically: a temporary file in the same directory is written,
    /// flushed to disk and renamed over the target, so a crash never leaves a half-written file.
    static func write(_ bytes: [UInt8], to url: URL) throws {
        let path = url.path
        let directory = url.deletingLastPathComponent().path
        let temporary = directory + "/." + url.lastPathComponent + ".tmp-" + UUID().uuidString
        func failure(_ what: String) -> SerializationError {
            .unwritable(file: path, reason: "\(what): \(String(cString: strerror(errno)))")
        }
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var closed = false
        defer {
            if !closed { _ = close(fd) }
        }
        do {
            try bytes.withUnsafeBytes { buffer in
                var written = 0
                while written < buffer.count {
                    let n = posixWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                    if n < 0 {
                        if errno == EINTR { continue }
                        throw failure("write failed")
                    }
                    written += n
                }
            }
            guard fsync(fd) == 0 else { throw failure("fsync failed") }
            closed = true
            guard close(fd) == 0 else { throw failure("close failed") }
            guard rename(temporary, path) == 0 else { throw failure("rename failed") }
            // Flushing the directory makes the rename itself survive a power loss; best effort.
            let directoryFD = open(directory, O_RDONLY)
            if directoryFD >= 0 {
                _ = fsync(directoryFD)
                _ = close(directoryFD)
            }
        } catch {
            _ = unlink(temporary)
            throw error
        }
    }
}

/// POSIX `write`, named apart from `SafetensorsFormat.write` so the call is unambiguous.
private func posixWrite(_ fd: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    return Glibc.write(fd, pointer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, pointer, count)
    #else
    return Darwin.write(fd, pointer, count)
    #endif
}

// MARK: - A small strict JSON parser for headers

/// The JSON values a header can hold. Object members keep file order so duplicates are visible.
enum HeaderJSON: Equatable {
    case object([(String, HeaderJSON)])
    case array([HeaderJSON])
    case string(String)
    /// A plain non-negative integer that fits in UInt64 (offsets and dimensions).
    case integer(UInt64)
    /// Any other JSON number, kept as text; headers never need its value.
    case number(String)
    case bool(Bool)
    case null

    static func == (lhs: HeaderJSON, rhs: HeaderJSON) -> Bool {
        switch (lhs, rhs) {
        case let (.object(a), .object(b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        case let (.array(a), .array(b)): return a == b
        case let (.string(a), .string(b)): return a == b
        case let (.integer(a), .integer(b)): return a == b
        case let (.number(a), .number(b)): return a == b
        case let (.bool(a), .bool(b)): return a == b
        case (.null, .null): return true
        default: return false
        }
    }
}

/// RFC 8259 parser over UTF-8 bytes with a depth limit, so hostile input cannot overflow the stack.
struct HeaderJSONParser {
    struct Failure: Error { let message: String }

    let bytes: ArraySlice<UInt8>
    let maxDepth: Int
    var index: Int

    init(bytes: ArraySlice<UInt8>, maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.index = bytes.startIndex
    }

    /// Parses one value and allows only whitespace after it (the spaces that pad headers).
    mutating func parseDocument() throws -> HeaderJSON {
        let value = try parseValue(depth: 0)
        skipWhitespace()
        guard index == bytes.endIndex else { throw fail("unexpected characters after the JSON value") }
        return value
    }

    private func fail(_ message: String) -> Failure {
        Failure(message: "\(message) at byte \(index - bytes.startIndex)")
    }

    private mutating func skipWhitespace() {
        while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    private mutating func parseValue(depth: Int) throws -> HeaderJSON {
        guard depth < maxDepth else { throw fail("JSON nested deeper than \(maxDepth) levels") }
        skipWhitespace()
        guard index < bytes.endIndex else { throw fail("unexpected end of JSON") }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            index += 1
            var members: [(String, HeaderJSON)] = []
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "}") { index += 1; return .object(members) }
            while true {
                skipWhitespace()
                guard index < bytes.endIndex, bytes[index] == UInt8(ascii: "\"") else {
                    throw fail("expected a string key")
                }
                let key = try parseString()
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                members.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                if try endOfContainer(UInt8(ascii: "}")) { return .object(members) }
            }
        case UInt8(ascii: "["):
            index += 1
            var items: [HeaderJSON] = []
            skipWhitespace()
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "]") { index += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                if try endOfContainer(UInt8(ascii: "]")) { return .array(items) }
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"): try expectWord("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectWord("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectWord("null"); return .null
        default:
            return try parseNumber()
        }
    }

    /// After a member or item: `,` continues (returns false), `close` ends (returns true).
    private mutating func endOfContainer(_ close: UInt8) throws -> Bool {
        guard index < bytes.endIndex else { throw fail("unexpected end of JSON") }
        if bytes[index] == UInt8(ascii: ",") { index += 1; return false }
        if bytes[index] == close { index += 1; return true }
        throw fail("expected ',' or '\(Character(Unicode.Scalar(close)))'")
    }

    private mutating func expect(_ byte: UInt8) throws {
        guard index < bytes.endIndex, bytes[index] == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))'")
        }
        index += 1
    }

    private mutating func expectWord(_ word: String) throws {
        for byte in word.utf8 { try expect(byte) }
    }

    private mutating func parseNumber() throws -> HeaderJSON {
        let start = index
        func isDigit(_ i: Int) -> Bool { i < bytes.endIndex && bytes[i] >= 0x30 && bytes[i] <= 0x39 }
        var plain = true
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index += 1; plain = false }
        guard isDigit(index) else { throw fail("invalid JSON value") }
        if bytes[index] == 0x30 { index += 1 } else { while isDigit(index) { index += 1 } }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index += 1; plain = false
            guard isDigit(index) else { throw fail("invalid number") }
            while isDigit(index) { index += 1 }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1; plain = false
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard isDigit(index) else { throw fail("invalid number") }
            while isDigit(index) { index += 1 }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if plain, let value = UInt64(text) { return .integer(value) }
        return .number(text)
    }

    /// Parses a string starting at its opening quote; input is already known to be valid UTF-8.
    private mutating func parseString() throws -> String {
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard index < bytes.endIndex else { throw fail("unterminated string") }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.endIndex else { throw fail("unterminated escape") }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        try expect(UInt8(ascii: "\\"))
                        try expect(UInt8(ascii: "u"))
                        let low = try parseHex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("unpaired surrogate in string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("unpaired surrogate in string")
                    }
                    utf8.append(contentsOf: Array(String(Character(Unicode.Scalar(scalar)!)).utf8))
                default:
                    throw fail("invalid escape in string")
                }
            case 0..<0x20:
                throw fail("control character in string")
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func parseHex4() throws -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.endIndex, let digit = hexValue(bytes[index]) else { throw fail("invalid \\u escape") }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    private func hexValue(_ byte: UInt8) -> UInt32? {
        switch byte {
        case 0x30...0x39: return UInt32(byte - 0x30)
        case 0x41...0x46: return UInt32(byte - 0x41 + 10)
        case 0x61...0x66: return UInt32(byte - 0x61 + 10)
        default: return nil
        }
    }
}
