// Tensor printing, a faithful port of PyTorch's torch/_tensor_str.py for dense CPU tensors
// with the default print options. It works on flat values plus a shape, so it does not
// depend on `Tensor` and can be tested against PyTorch's own output character for character.

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// Flat row-major element values of a tensor, for formatting.
///
/// Float32 elements are passed widened to `Double`, which is exactly what Python's
/// formatting sees after `tensor.tolist()`.
///
/// ```swift
/// let values = FormatValues.floating([30, 40, 50])
/// ```
enum FormatValues: Sendable {
    case floating([Double])
    case integer([Int64])
    case boolean([Bool])

    /// The number of elements.
    var count: Int {
        switch self {
        case .floating(let v): return v.count
        case .integer(let v): return v.count
        case .boolean(let v): return v.count
        }
    }
}

/// Turns tensor contents into the exact text PyTorch's `str(tensor)` produces.
///
/// ```swift
/// TensorFormatter.format(.floating([30, 40, 50]), shape: [3], dtype: .float32)
/// // "tensor([30., 40., 50.])"
/// ```
enum TensorFormatter {
    /// Digits after the decimal point (`PRINT_OPTS.precision`).
    static let precision = 4
    /// Tensors with more elements than this are summarised with `...` (`PRINT_OPTS.threshold`).
    static let threshold = 1000
    /// Items kept at each end of a summarised dimension (`PRINT_OPTS.edgeitems`).
    static let edgeItems = 3
    /// Target line width for wrapping (`PRINT_OPTS.linewidth`).
    static let lineWidth = 80

    /// Returns exactly what PyTorch's `str(tensor)` returns, except that dtypes are named
    /// without the `torch.` prefix.
    ///
    /// ```swift
    /// format(.integer([1, 2, 3, 4]), shape: [2, 2], dtype: .int64)
    /// // "tensor([[1, 2],\n        [3, 4]])"
    /// format(.floating([3.5]), shape: [], dtype: .float32, requiresGrad: true)
    /// // "tensor(3.5000, requires_grad=True)"
    /// format(.floating([1, 2]), shape: [2], dtype: .float64, gradFnName: "MulBackward0")
    /// // "tensor([1., 2.], dtype=float64, grad_fn=<MulBackward0>)"
    /// format(.floating([]), shape: [0, 3], dtype: .float32)
    /// // "tensor([], size=(0, 3))"
    /// ```
    /// - Parameters:
    ///   - values: the elements in row-major order; their count must equal the shape's product.
    ///   - gradFnName: the autograd node's name; when present it is shown instead of
    ///     `requires_grad=True`, as PyTorch does.
    ///   - prefix: `"tensor("` normally; continuation lines are indented by its length.
    static func format(_ values: FormatValues, shape: [Int], dtype: DType,
                       requiresGrad: Bool = false, gradFnName: String? = nil,
                       prefix: String = "tensor(") -> String {
        let numel = shape.reduce(1, *)
        precondition(values.count == numel,
                     "TensorFormatter: \(values.count) values for shape \(shape)")
        let indent = prefix.utf8.count
        var suffixes: [String] = []
        let body: String
        if numel == 0 {
            // NumPy-style: the shape is shown unless it is plain (0,), and the dtype is shown
            // unless it is the default float32, since there are no elements to infer it from.
            if shape.count != 1 { suffixes.append("size=" + tupleString(shape)) }
            if dtype != .float32 { suffixes.append(dtypeSuffix + "\(dtype)") }
            body = "[]"
        } else {
            // float32, int64 and bool are what literals produce, so PyTorch leaves them implicit.
            if dtype != .float32 && dtype != .int64 && dtype != .bool {
                suffixes.append(dtypeSuffix + "\(dtype)")
            }
            body = tensorBody(values, shape: shape, indent: indent)
        }
        if let gradFnName {
            suffixes.append("grad_fn=<\(gradFnName)>")
        } else if requiresGrad {
            suffixes.append("requires_grad=True")
        }
        return addSuffixes(prefix + body, suffixes, indent: indent)
    }

    /// PyTorch's `repr(nn.Parameter(...))`: `"Parameter containing:\n"` then the tensor.
    ///
    /// ```swift
    /// formatParameter(.floating([1, 2]), shape: [2], dtype: .float32)
    /// // "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    /// ```
    static func formatParameter(_ values: FormatValues, shape: [Int], dtype: DType,
                                requiresGrad: Bool = true) -> String {
        "Parameter containing:\n"
            + format(values, shape: shape, dtype: dtype, requiresGrad: requiresGrad)
    }

    // MARK: - Body

    /// The bracketed contents (`_tensor_str`) of a non-empty tensor.
    static func tensorBody(_ values: FormatValues, shape: [Int], indent: Int) -> String {
        let summarize = values.count > threshold
        var strides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) {
            strides[d] = strides[d + 1] * shape[d + 1]
        }
        // Widths and modes come only from the elements that will be shown
        // (`get_summarized_data`), so hidden outliers do not widen the columns.
        var shown: [Int] = []
        shown.reserveCapacity(summarize ? 64 : values.count)
        collectShown(shape: shape, strides: strides, dim: 0, offset: 0,
                     summarize: summarize, into: &shown)
        let formatter = ElementFormatter(values, shown: shown)
        if shape.isEmpty { return formatter.format(0) }
        return render(formatter, shape: shape, strides: strides, dim: 0, offset: 0,
                      indent: indent, summarize: summarize)
    }

    /// Indices kept along a dimension of size `n`; `nil` marks where `...` goes.
    static func keptIndices(_ n: Int, summarize: Bool) -> [Int?] {
        guard summarize && n > 2 * edgeItems else { return Array(0..<n) }
        return Array(0..<edgeItems) + [nil] + Array((n - edgeItems)..<n)
    }

    /// Appends the flat indices of every element that will be printed, in row-major order.
    private static func collectShown(shape: [Int], strides: [Int], dim: Int, offset: Int,
                                     summarize: Bool, into shown: inout [Int]) {
        if dim == shape.count {
            shown.append(offset)
            return
        }
        for case let i? in keptIndices(shape[dim], summarize: summarize) {
            collectShown(shape: shape, strides: strides, dim: dim + 1,
                         offset: offset + i * strides[dim], summarize: summarize, into: &shown)
        }
    }

    /// `_tensor_str_with_formatter` for the sub-tensor starting at `dim`, `offset`.
    private static func render(_ formatter: ElementFormatter, shape: [Int], strides: [Int],
                               dim: Int, offset: Int, indent: Int, summarize: Bool) -> String {
        let kept = keptIndices(shape[dim], summarize: summarize)
        if dim == shape.count - 1 {
            // `_vector_str`: as many elements per line as fit, counting ", " after each.
            let elementLength = formatter.maxWidth + 2
            let perLine = max(1, (lineWidth - indent) / elementLength)
            let items = kept.map { i in
                i.map { formatter.format(offset + $0 * strides[dim]) } ?? " ..."
            }
            var lines: [String] = []
            var start = 0
            while start < items.count {
                let end = min(start + perLine, items.count)
                lines.append(items[start..<end].joined(separator: ", "))
                start = end
            }
            return "[" + lines.joined(separator: ",\n" + spaces(indent + 1)) + "]"
        }
        let slices = kept.map { i in
            i.map {
                render(formatter, shape: shape, strides: strides, dim: dim + 1,
                       offset: offset + $0 * strides[dim], indent: indent + 1,
                       summarize: summarize)
            } ?? "..."
        }
        // Blocks of rank r are separated by r - 1 newlines: blank lines between matrices.
        let rank = shape.count - dim
        let separator = "," + String(repeating: "\n", count: rank - 1) + spaces(indent + 1)
        return "[" + slices.joined(separator: separator) + "]"
    }

    // MARK: - Suffixes

    /// `_add_suffixes`: appends `, suffix` items, moving one to a new line when it would
    /// pass the line width.
    static func addSuffixes(_ text: String, _ suffixes: [String], indent: Int) -> String {
        var result = text
        // PyTorch computes len - rfind("\n") + 1, i.e. the last line's length plus 2
        // (rfind gives -1 without a newline); kept as is so wrapping happens at the same point.
        let utf8 = Array(text.utf8)
        let lastNewline = utf8.lastIndex(of: UInt8(ascii: "\n")) ?? -1
        var lastLineLength = utf8.count - lastNewline + 1
        for suffix in suffixes {
            // PyTorch measures `dtype=torch.float64`; we print it without `torch.` but wrap
            // exactly where PyTorch does, so measure the name as PyTorch spells it.
            let torchPrefix = suffix.hasPrefix(dtypeSuffix) ? "torch.".utf8.count : 0
            let length = suffix.utf8.count + torchPrefix
            if lastLineLength + length + 2 > lineWidth {
                result += ",\n" + spaces(indent) + suffix
                lastLineLength = indent + length
            } else {
                result += ", " + suffix
                lastLineLength += length + 2
            }
        }
        return result + ")"
    }

    /// Starts the suffix naming a non-default dtype.
    static let dtypeSuffix = "dtype="

    /// Python's `str(tuple(shape))`: `(0, 3)`, `(0,)`, `()`.
    static func tupleString(_ shape: [Int]) -> String {
        let items = shape.map(String.init).joined(separator: ", ")
        return "(" + items + (shape.count == 1 ? ",)" : ")")
    }

    static func spaces(_ n: Int) -> String { String(repeating: " ", count: max(0, n)) }
}

/// Chooses how every element of one tensor is written and how wide the column is
/// (PyTorch's `_Formatter`), from the elements that will be shown.
struct ElementFormatter {
    /// How elements are written.
    enum Mode: Equatable {
        /// Integers and bools: Python's `str(value)`.
        case plain
        /// Floats that are all integral: `30.` (`{:.0f}` plus a point).
        case integral
        /// Floats with `precision` decimals: `3.5000`.
        case fixed
        /// Floats in scientific notation: `1.0000e+10`.
        case scientific
    }

    let values: FormatValues
    let mode: Mode
    /// Every element is left-padded with spaces to this width.
    let maxWidth: Int

    /// Decides the mode and width from the flat indices in `shown`.
    init(_ values: FormatValues, shown: [Int]) {
        self.values = values
        let precision = TensorFormatter.precision
        switch values {
        case .integer, .boolean:
            mode = .plain
            var width = 1
            for i in shown { width = max(width, Self.plainString(values, i).utf8.count) }
            maxWidth = width
        case .floating(let all):
            // Zeros and non-finite values take no part in choosing the mode or width;
            // if nothing else is left, PyTorch keeps int mode with width 1.
            let picked = shown.map { all[$0] }.filter { $0.isFinite && $0 != 0 }
            guard !picked.isEmpty else {
                mode = .integral
                maxWidth = 1
                return
            }
            var minAbs = Double.infinity, maxAbs = 0.0
            var integral = true
            for v in picked {
                minAbs = min(minAbs, abs(v))
                maxAbs = max(maxAbs, abs(v))
                if v != v.rounded(.up) { integral = false }
            }
            let scientific = maxAbs / minAbs > 1000 || maxAbs > 1e8 || minAbs < 1e-4
            var width = 1
            if scientific {
                mode = .scientific
                for v in picked { width = max(width, Self.cFormat(v, "e", precision).utf8.count) }
            } else if integral {
                mode = .integral
                // +1 for the point appended to every finite value.
                for v in picked { width = max(width, Self.cFormat(v, "f", 0).utf8.count + 1) }
            } else {
                mode = .fixed
                for v in picked {
                    width = max(width, Self.cFormat(v, "f", precision).utf8.count)
                }
            }
            maxWidth = width
        }
    }

    /// The element at flat index `i`, padded on the left to `maxWidth`.
    func format(_ i: Int) -> String {
        let text: String
        switch (mode, values) {
        case (.scientific, .floating(let v)):
            text = Self.cFormat(v[i], "e", TensorFormatter.precision)
        case (.integral, .floating(let v)):
            // The point tells floats from ints; nan and inf get none.
            text = v[i].isFinite ? Self.cFormat(v[i], "f", 0) + "." : Self.cFormat(v[i], "f", 0)
        case (.fixed, .floating(let v)):
            text = Self.cFormat(v[i], "f", TensorFormatter.precision)
        default:
            text = Self.plainString(values, i)
        }
        let pad = maxWidth - text.utf8.count
        return pad > 0 ? String(repeating: " ", count: pad) + text : text
    }

    /// Python's `str()` of an int or bool element.
    static func plainString(_ values: FormatValues, _ i: Int) -> String {
        switch values {
        case .integer(let v): return String(v[i])
        case .boolean(let v): return v[i] ? "True" : "False"
        case .floating(let v): return String(v[i])
        }
    }

    /// Python's `"{:.<precision><conversion>}".format(x)` for `conversion` "f" or "e".
    ///
    /// C's printf rounds exactly like Python (correctly, ties to even on the binary value);
    /// non-finite values are spelt by hand because C may write `-nan` where Python writes `nan`.
    static func cFormat(_ x: Double, _ conversion: String, _ precision: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        // "%.4f" of the largest double needs 315 characters, so 512 always suffices.
        var buffer = [CChar](repeating: 0, count: 512)
        let spec = "%.\(precision)\(conversion)"
        let written = withVaList([x]) { args in
            buffer.withUnsafeMutableBufferPointer { out in
                vsnprintf(out.baseAddress, out.count, spec, args)
            }
        }
        precondition(written >= 0 && written < buffer.count, "cFormat: formatting failed")
        return String(decoding: buffer[0..<Int(written)].map { UInt8(bitPattern: $0) },
                      as: UTF8.self)
    }
}
