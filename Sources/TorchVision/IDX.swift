import Foundation
import Torch

/// An array read from an IDX file, the format of MNIST and Fashion-MNIST: a shape and its
/// unsigned bytes in row-major order.
///
/// ```swift
/// let images = try IDXArray.read(from: root.appendingPathComponent("t10k-images-idx3-ubyte.gz"))
/// print(images.shape)   // [10000, 28, 28]
/// ```
public struct IDXArray: Sendable, Equatable {
    /// The dimensions, outermost first (`[count]` for labels, `[count, rows, cols]` for images).
    public let shape: [Int]
    /// The elements, row-major, `shape.reduce(1, *)` of them.
    public let bytes: [UInt8]

    /// Creates an array; `bytes.count` must equal the product of `shape`.
    public init(shape: [Int], bytes: [UInt8]) {
        precondition(shape.allSatisfy { $0 >= 0 } && shape.reduce(1, *) == bytes.count,
                     "IDXArray: \(bytes.count) bytes do not fill shape \(shape)")
        self.shape = shape
        self.bytes = bytes
    }

    /// The IDX magic number of unsigned-byte labels (1-D).
    public static let labelsMagic: UInt32 = 0x0000_0801
    /// The IDX magic number of unsigned-byte images (3-D).
    public static let imagesMagic: UInt32 = 0x0000_0803
    /// The most dimensions accepted; real files use 1 to 4, and the cap bounds a forged header.
    static let maxDimensions = 16

    /// Reads an IDX file of unsigned bytes (element type 0x08), gzipped or not.
    ///
    /// Gzip is recognised by its magic bytes, so a `.gz` name is not required. Throws
    /// ``SerializationError`` naming the file when the magic, dimensions or payload size are wrong.
    ///
    /// ```swift
    /// let labels = try IDXArray.read(from: URL(fileURLWithPath: "t10k-labels-idx1-ubyte.gz"))
    /// ```
    public static func read(from url: URL) throws -> IDXArray {
        try read(from: url, expectedMagic: nil)
    }

    /// Decodes the bytes of an IDX file (gzipped or not); `file` names it in errors.
    ///
    /// ```swift
    /// let array = try IDXArray.decode([0, 0, 8, 1, 0, 0, 0, 2, 7, 9], file: "labels")   // shape [2]
    /// ```
    /// - Parameters:
    ///   - data: The file's bytes.
    ///   - file: The path to name in errors.
    ///   - expectedMagic: When set, the magic number the file must have
    ///     (``labelsMagic`` or ``imagesMagic``).
    ///   - maxDecompressedBytes: The most bytes gzip decompression may produce.
    public static func decode(
        _ data: [UInt8], file: String, expectedMagic: UInt32? = nil,
        maxDecompressedBytes: Int = defaultMaxDecompressedBytes
    ) throws -> IDXArray {
        let raw = try gunzipIfNeeded(data, file: file, maxOutputBytes: maxDecompressedBytes)
        guard raw.count >= 4 else {
            throw SerializationError.truncated(file: file, what: "the IDX magic number", needed: 4, actual: raw.count)
        }
        let magic = readBigEndian32(raw, at: 0)
        if let expectedMagic, magic != expectedMagic {
            throw SerializationError.wrongMagic(
                file: file, found: magic, expected: expectedMagic, kind: kindName(expectedMagic))
        }
        // The magic is 0x00 0x00, then the element type, then the number of dimensions.
        guard raw[0] == 0, raw[1] == 0 else {
            throw SerializationError.wrongMagic(
                file: file, found: magic, expected: 0x0000_0800 | UInt32(raw[3]), kind: "IDX files start with 00 00")
        }
        guard raw[2] == 0x08 else { throw SerializationError.unsupportedElementType(file: file, typeCode: raw[2]) }
        let rank = Int(raw[3])
        guard (1...maxDimensions).contains(rank) else {
            throw SerializationError.invalidDimensions(
                file: file, reason: "\(rank) dimensions (expected 1 to \(maxDimensions))")
        }
        let headerSize = 4 + 4 * rank
        guard raw.count >= headerSize else {
            throw SerializationError.truncated(
                file: file, what: "the \(rank) IDX dimensions", needed: headerSize - 4, actual: raw.count - 4)
        }
        var shape: [Int] = []
        var count = 1
        for axis in 0..<rank {
            let dim = Int(readBigEndian32(raw, at: 4 + 4 * axis))
            shape.append(dim)
            let (product, overflow) = count.multipliedReportingOverflow(by: dim)
            guard !overflow else {
                throw SerializationError.invalidDimensions(file: file, reason: "the product of \(shape)... overflows")
            }
            count = product
        }
        let payload = raw.count - headerSize
        // Compare before slicing: a forged dimension must fail here, without allocating.
        guard payload == count else {
            throw SerializationError.payloadSizeMismatch(file: file, dims: shape, expected: count, actual: payload)
        }
        return IDXArray(shape: shape, bytes: Array(raw[headerSize...]))
    }

    /// Reads an images file and a labels file and checks that they describe the same items.
    ///
    /// The images must be 3-D (magic 0x00000803) and the labels 1-D (magic 0x00000801).
    ///
    /// ```swift
    /// let (images, labels) = try IDXArray.readImagesAndLabels(
    ///     images: root.appendingPathComponent("train-images-idx3-ubyte.gz"),
    ///     labels: root.appendingPathComponent("train-labels-idx1-ubyte.gz"))
    /// ```
    public static func readImagesAndLabels(images: URL, labels: URL) throws -> (images: IDXArray, labels: IDXArray) {
        let imageArray = try read(from: images, expectedMagic: imagesMagic)
        let labelArray = try read(from: labels, expectedMagic: labelsMagic)
        guard imageArray.shape[0] == labelArray.shape[0] else {
            throw SerializationError.countMismatch(
                imagesFile: images.path, labelsFile: labels.path,
                images: imageArray.shape[0], labels: labelArray.shape[0])
        }
        return (imageArray, labelArray)
    }

    private static func read(from url: URL, expectedMagic: UInt32?) throws -> IDXArray {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw SerializationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try decode([UInt8](data), file: url.path, expectedMagic: expectedMagic)
    }

    private static func kindName(_ magic: UInt32) -> String {
        switch magic {
        case imagesMagic: return "IDX images"
        case labelsMagic: return "IDX labels"
        default: return "IDX"
        }
    }

    private static func readBigEndian32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8
            | UInt32(bytes[offset + 3])
    }
}
