/// Why a file could not be read or written.
///
/// Every case carries the path of the file it is about, and `description` reads as one
/// plain sentence that starts with that path, so a user can act on it without a debugger:
///
/// ```swift
/// do { _ = try loadSafetensors(from: url) } catch let error as SerializationError {
///     print(error)   // model.safetensors: header length 9999999 exceeds file size 120
/// }
/// ```
public enum SerializationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file (or its temporary sibling) could not be written or moved into place.
    case unwritable(file: String, reason: String)
    /// The file ends before a structure that must be there; `needed` and `actual` are byte counts.
    case truncated(file: String, what: String, needed: Int, actual: Int)

    // MARK: gzip

    /// The gzip stream is damaged (bad header, bad deflate data, CRC or length check failed).
    case corruptGzip(file: String, reason: String)
    /// The gzip stream ends before its trailer.
    case truncatedGzip(file: String)
    /// Decompressing would produce more than the caller's limit (a zip bomb or a forged size).
    case decompressedTooLarge(file: String, limit: Int)
    /// A zlib stream (RFC 1950, as inside PNG) is damaged or truncated.
    case corruptZlib(file: String, reason: String)

    // MARK: images

    /// An image file (`format` is "PNG" or "PGM") is malformed or uses a feature this reader lacks.
    case invalidImage(file: String, format: String, reason: String)

    // MARK: safetensors

    /// The 8-byte header length is above the reference implementation's 100 MB cap.
    case headerTooLarge(file: String, length: UInt64, limit: Int)
    /// The 8-byte header length points past the end of the file.
    case headerLengthExceedsFile(file: String, length: UInt64, fileSize: Int)
    /// The header is not valid UTF-8 or not the JSON the format requires.
    case invalidHeader(file: String, reason: String)
    /// A tensor entry names a dtype this reader does not know.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A tensor has a dtype the library can read but not turn into a `Tensor`.
    case unsupportedDType(file: String, tensor: String, dtype: String)
    /// A tensor's `data_offsets` are reversed, overlap, leave a gap, or leave the buffer.
    case invalidOffsets(file: String, tensor: String, reason: String)
    /// The product of a tensor's shape times its element size does not fit in an `Int`.
    case shapeOverflow(file: String, tensor: String, shape: [Int])
    /// A tensor's byte count disagrees with its dtype and shape.
    case byteCountMismatch(file: String, tensor: String, dtype: String, shape: [Int], expected: Int, actual: Int)
    /// The tensors' data does not cover the data buffer exactly.
    case bufferSizeMismatch(file: String, covered: Int, actual: Int)
    /// Two tensors share one name.
    case duplicateTensor(file: String, tensor: String)
    /// A tensor that the caller needs is not in the file.
    case missingTensor(file: String, tensor: String)

    // MARK: IDX (MNIST-style files)

    /// The 4-byte magic number is not the expected one.
    case wrongMagic(file: String, found: UInt32, expected: UInt32, kind: String)
    /// The IDX element type is not unsigned bytes (0x08).
    case unsupportedElementType(file: String, typeCode: UInt8)
    /// The dimension list is unusable (zero dimensions, too many, or a product that overflows).
    case invalidDimensions(file: String, reason: String)
    /// The payload length is not the product of the dimensions.
    case payloadSizeMismatch(file: String, dims: [Int], expected: Int, actual: Int)
    /// An images file and a labels file disagree on how many items they hold.
    case countMismatch(imagesFile: String, labelsFile: String, images: Int, labels: Int)

    /// One sentence naming the file and what is wrong with it.
    public var description: String {
        switch self {
        case let .unreadable(file, reason):
            return "\(file): cannot be read: \(reason)"
        case let .unwritable(file, reason):
            return "\(file): cannot be written: \(reason)"
        case let .truncated(file, what, needed, actual):
            return "\(file): truncated: \(what) needs \(needed) bytes but only \(actual) remain"
        case let .corruptGzip(file, reason):
            return "\(file): corrupt gzip data: \(reason)"
        case let .truncatedGzip(file):
            return "\(file): gzip stream is truncated (ends before its trailer)"
        case let .decompressedTooLarge(file, limit):
            return "\(file): decompressed data exceeds the limit of \(limit) bytes"
        case let .corruptZlib(file, reason):
            return "\(file): corrupt zlib data: \(reason)"
        case let .invalidImage(file, format, reason):
            return "\(file): invalid \(format) image: \(reason)"
        case let .headerTooLarge(file, length, limit):
            return "\(file): header length \(length) exceeds the maximum of \(limit) bytes"
        case let .headerLengthExceedsFile(file, length, fileSize):
            return "\(file): header length \(length) exceeds file size \(fileSize)"
        case let .invalidHeader(file, reason):
            return "\(file): invalid safetensors header: \(reason)"
        case let .unknownDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has unknown dtype '\(dtype)'"
        case let .unsupportedDType(file, tensor, dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype), which SwiftTorch tensors do not support"
        case let .invalidOffsets(file, tensor, reason):
            return "\(file): tensor '\(tensor)' has invalid data_offsets: \(reason)"
        case let .shapeOverflow(file, tensor, shape):
            return "\(file): tensor '\(tensor)' shape \(shape) is too large (its byte count overflows)"
        case let .byteCountMismatch(file, tensor, dtype, shape, expected, actual):
            return "\(file): tensor '\(tensor)' (\(dtype), shape \(shape)) needs \(expected) bytes but has \(actual)"
        case let .bufferSizeMismatch(file, covered, actual):
            return "\(file): tensor data covers \(covered) bytes but the data buffer holds \(actual)"
        case let .duplicateTensor(file, tensor):
            return "\(file): tensor name '\(tensor)' appears more than once"
        case let .missingTensor(file, tensor):
            return "\(file): no tensor named '\(tensor)'"
        case let .wrongMagic(file, found, expected, kind):
            return "\(file): wrong magic number \(hex32(found)), expected \(hex32(expected)) (\(kind))"
        case let .unsupportedElementType(file, typeCode):
            return "\(file): IDX element type 0x\(String(typeCode, radix: 16, uppercase: false)) is not supported "
                + "(only 0x08, unsigned byte)"
        case let .invalidDimensions(file, reason):
            return "\(file): invalid IDX dimensions: \(reason)"
        case let .payloadSizeMismatch(file, dims, expected, actual):
            return "\(file): dimensions \(dims) need \(expected) data bytes but the file has \(actual)"
        case let .countMismatch(imagesFile, labelsFile, images, labels):
            return "\(labelsFile): labels count \(labels) does not match images count \(images) in \(imagesFile)"
        }
    }
}

/// Formats a magic number the way the IDX documentation writes it: `0x00000803`.
private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: false)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}
