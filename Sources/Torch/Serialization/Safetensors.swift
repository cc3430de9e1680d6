import Foundation

extension DType {
    /// The safetensors dtype code (`F32`, `I64`, …).
    var safetensorsCode: String {
        switch self {
        case .float32: return "F32"
        case .float64: return "F64"
        case .int64: return "I64"
        case .int32: return "I32"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        }
    }

    init?(safetensorsCode code: String) {
        switch code {
        case "F32": self = .float32
        case "F64": self = .float64
        case "I64": self = .int64
        case "I32": self = .int32
        case "U8": self = .uint8
        case "BOOL": self = .bool
        default: return nil
        }
    }
}

extension Tensor {
    /// Little-endian raw bytes of the elements in row-major order.
    func rawBytes() -> [UInt8] {
        let c = contiguousIfNeeded()
        let count = c.numel * c.dtype.itemSize
        return [UInt8](UnsafeRawBufferPointer(start: UnsafeRawPointer(c.storage.data) + c.layout.offset * c.dtype.itemSize, count: count))
    }

    /// A tensor from little-endian raw bytes.
    convenience init(rawBytes: [UInt8], shape: [Int], dtype: DType) {
        self.init(empty: shape, dtype: dtype)
        rawBytes.withUnsafeBytes { src in
            if let base = src.baseAddress, !rawBytes.isEmpty {
                storage.data.copyMemory(from: base, byteCount: rawBytes.count)
            }
        }
    }
}

/// Writes tensors to a safetensors file (atomically: temp file + rename), as
/// `safetensors.torch.save_file`.
///
/// ```swift
/// try saveSafetensors(net.stateDict(), to: URL(fileURLWithPath: "model.safetensors"))
/// ```
public func saveSafetensors(_ tensors: [String: Tensor], to url: URL, metadata: [String: String]? = nil) throws {
    var entries: [String: SafetensorsEntry] = [:]
    for (name, t) in tensors {
        entries[name] = SafetensorsEntry(dtype: t.dtype.safetensorsCode, shape: t.shape, bytes: withNoGrad { t.rawBytes() })
    }
    let bytes = try SafetensorsFormat.encode(entries, metadata: metadata, file: url.path)
    try SafetensorsFormat.write(bytes, to: url)
}

/// Reads every tensor of a safetensors file, as `safetensors.torch.load_file`. Throws a
/// ``SerializationError`` naming the file for anything malformed.
public func loadSafetensors(from url: URL) throws -> [String: Tensor] {
    try loadSafetensorsWithMetadata(from: url).tensors
}

/// Reads every tensor and the string metadata of a safetensors file.
public func loadSafetensorsWithMetadata(from url: URL) throws -> (tensors: [String: Tensor], metadata: [String: String]?) {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw SerializationError.unreadable(file: url.path, reason: error.localizedDescription)
    }
    let (entries, metadata) = try SafetensorsFormat.decode([UInt8](data), file: url.path)
    var tensors: [String: Tensor] = [:]
    for (name, entry) in entries {
        guard let dtype = DType(safetensorsCode: entry.dtype) else {
            throw SerializationError.unsupportedDType(file: url.path, tensor: name, dtype: entry.dtype)
        }
        tensors[name] = Tensor(rawBytes: entry.bytes, shape: entry.shape, dtype: dtype)
    }
    return (tensors, metadata)
}
