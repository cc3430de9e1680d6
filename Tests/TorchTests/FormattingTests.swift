import Foundation
import Testing

@testable import Torch

/// One fixture case written by Tools/golden/printing_golden.py from PyTorch's `str(tensor)`.
private struct PrintingCase: Decodable {
    let name: String
    let dtype: DType
    let shape: [Int]
    let values: FormatValues
    let requiresGrad: Bool
    let gradFn: String?
    let parameter: Bool
    let expected: String

    private enum CodingKeys: String, CodingKey {
        case name, dtype, shape, values, expected, parameter
        case requiresGrad = "requires_grad"
        case gradFn = "grad_fn"
    }

    /// A floating element: a JSON number, or "nan" / "inf" / "-inf" (JSON has no such numbers).
    private enum FloatText: Decodable {
        case number(Double), text(String)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let s = try? c.decode(String.self) { self = .text(s) } else { self = .number(try c.decode(Double.self)) }
        }
        var value: Double {
            switch self {
            case .number(let d): return d
            case .text("nan"): return .nan
            case .text("inf"): return .infinity
            case .text("-inf"): return -.infinity
            case .text(let s): fatalError("bad float in fixture: \(s)")
            }
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        let dtypeName = try c.decode(String.self, forKey: .dtype)
        guard let parsed = [DType.float32, .float64, .int64, .int32, .uint8, .bool]
            .first(where: { $0.description == dtypeName })
        else { throw DecodingError.dataCorruptedError(forKey: .dtype, in: c, debugDescription: dtypeName) }
        dtype = parsed
        shape = try c.decode([Int].self, forKey: .shape)
        switch dtype {
        case .float32:
            // The fixture holds repr() of the widened float32, so the Double is exactly the
            // float32 value; going through Float keeps it honest and widening is exact.
            let raw = try c.decode([FloatText].self, forKey: .values)
            values = .floating(raw.map { Double(Float($0.value)) })
        case .float64:
            values = .floating(try c.decode([FloatText].self, forKey: .values).map(\.value))
        case .int64, .int32, .uint8:
            values = .integer(try c.decode([Int64].self, forKey: .values))
        case .bool:
            values = .boolean(try c.decode([Bool].self, forKey: .values))
        }
        requiresGrad = try c.decode(Bool.self, forKey: .requiresGrad)
        gradFn = try c.decodeIfPresent(String.self, forKey: .gradFn)
        parameter = try c.decodeIfPresent(Bool.self, forKey: .parameter) ?? false
        expected = try c.decode(String.self, forKey: .expected)
    }

    /// What SwiftTorch prints for this case.
    func formatted() -> String {
        if parameter {
            return TensorFormatter.formatParameter(values, shape: shape, dtype: dtype, requiresGrad: requiresGrad)
        }
        return TensorFormatter.format(values, shape: shape, dtype: dtype,
                                      requiresGrad: requiresGrad, gradFnName: gradFn)
    }
}

private func loadPrintingCases() throws -> [PrintingCase] {
    let url = try #require(Bundle.module.url(forResource: "printing", withExtension: "json", subdirectory: "Fixtures"))
    return try JSONDecoder().decode([PrintingCase].self, from: Data(contentsOf: url))
}

@Suite("Tensor printing")
struct FormattingTests {
    @Test("every fixture case prints exactly as PyTorch")
    func matchesPyTorchFixture() throws {
        let cases = try loadPrintingCases()
        #expect(cases.count >= 80)
        for c in cases {
            #expect(c.formatted() == c.expected, "case \(c.name)")
        }
    }

    @Test("examples from the API documentation")
    func documentedExamples() {
        #expect(TensorFormatter.format(.floating([30, 40, 50]), shape: [3], dtype: .float32)
            == "tensor([30., 40., 50.])")
        #expect(TensorFormatter.format(.integer([1, 2, 3, 4]), shape: [2, 2], dtype: .int64)
            == "tensor([[1, 2],\n        [3, 4]])")
        #expect(TensorFormatter.format(.floating([3.5]), shape: [], dtype: .float32, requiresGrad: true)
            == "tensor(3.5000, requires_grad=True)")
        #expect(TensorFormatter.format(.floating([1, 2]), shape: [2], dtype: .float64, gradFnName: "MulBackward0")
            == "tensor([1., 2.], dtype=float64, grad_fn=<MulBackward0>)")
        #expect(TensorFormatter.format(.floating([]), shape: [0, 3], dtype: .float32) == "tensor([], size=(0, 3))")
        #expect(TensorFormatter.format(.floating([]), shape: [0], dtype: .float32) == "tensor([])")
        #expect(TensorFormatter.format(.boolean([true, false]), shape: [2], dtype: .bool) == "tensor([ True, False])")
        #expect(TensorFormatter.formatParameter(.floating([1, 2]), shape: [2], dtype: .float32)
            == "Parameter containing:\ntensor([1., 2.], requires_grad=True)")
    }
}
