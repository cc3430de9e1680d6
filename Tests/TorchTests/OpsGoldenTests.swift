import Foundation
import Testing

@testable import Torch

// Forward values, shapes, dtypes, grad_fn names and gradients of the Tensor API against
// PyTorch, from Fixtures/ops.json (written by Tools/golden/ops_golden.py). One helper checks
// every case, as tinygrad's helper_test_op; the table below is the Swift spelling of each op.

/// One tensor in the fixture: flat row-major values (bools as 0/1, "nan"/"inf" as text).
struct GoldenTensor: Decodable, Sendable {
    let shape: [Int]
    let dtype: DType
    let values: [Double]
    let requiresGrad: Bool

    private enum CodingKeys: String, CodingKey { case shape, dtype, values, requiresGrad = "requires_grad" }

    private enum Element: Decodable {
        case number(Double)
        init(from decoder: any Decoder) throws {
            let c = try decoder.singleValueContainer()
            if let b = try? c.decode(Bool.self) { self = .number(b ? 1 : 0); return }
            if let d = try? c.decode(Double.self) { self = .number(d); return }
            switch try c.decode(String.self) {
            case "nan": self = .number(.nan)
            case "inf": self = .number(.infinity)
            case "-inf": self = .number(-.infinity)
            case let s: throw DecodingError.dataCorruptedError(in: c, debugDescription: "bad value \(s)")
            }
        }
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        shape = try c.decode([Int].self, forKey: .shape)
        let name = try c.decode(String.self, forKey: .dtype)
        guard let parsed = [DType.float32, .float64, .int64, .int32, .uint8, .bool].first(where: { $0.description == name })
        else { throw DecodingError.dataCorruptedError(forKey: .dtype, in: c, debugDescription: name) }
        dtype = parsed
        values = try c.decode([Element].self, forKey: .values).map { if case .number(let d) = $0 { return d }; return 0 }
        requiresGrad = try c.decodeIfPresent(Bool.self, forKey: .requiresGrad) ?? false
    }

    /// A fresh leaf tensor with these values.
    func make() -> Tensor {
        let t: Tensor
        switch dtype {
        case .float32: t = Tensor(shape: shape, scalars: values.map { Float($0) })
        case .float64: t = Tensor(shape: shape, scalars: values)
        case .int64: t = Tensor(shape: shape, scalars: values.map { Int64($0) })
        case .int32: t = Tensor(shape: shape, scalars: values.map { Int32($0) })
        case .uint8: t = Tensor(shape: shape, scalars: values.map { UInt8($0) })
        case .bool: t = Tensor(shape: shape, scalars: values.map { $0 != 0 })
        }
        return requiresGrad ? t.requiresGrad_() : t
    }
}

struct GoldenCase: Decodable, Sendable {
    let name: String
    let inputs: [GoldenTensor]
    let outputs: [GoldenTensor]
    let gradFns: [String?]
    let requiresGrad: [Bool]
    let upstream: [GoldenTensor?]
    let grads: [GoldenTensor?]

    private enum CodingKeys: String, CodingKey {
        case name, inputs, outputs, upstream, grads
        case gradFns = "grad_fns", requiresGrad = "requires_grad"
    }
}

private struct GoldenFile: Decodable {
    let cases: [GoldenCase]
}

enum OpsFixture {
    static let cases: [GoldenCase] = {
        guard let url = Bundle.module.url(forResource: "ops", withExtension: "json", subdirectory: "Fixtures"),
              let data = try? Data(contentsOf: url),
              let file = try? JSONDecoder().decode(GoldenFile.self, from: data)
        else { return [] }
        return file.cases
    }()
    static var names: [String] { cases.map(\.name) }
}

/// float32 values match PyTorch to rtol 1e-5 / atol 1e-6; float64 cases are held far tighter.
func goldenMismatch(_ actual: Tensor, _ expected: GoldenTensor, _ what: String) -> String? {
    if actual.shape != expected.shape { return "\(what): shape \(actual.shape), expected \(expected.shape)" }
    if actual.dtype != expected.dtype { return "\(what): dtype \(actual.dtype), expected \(expected.dtype)" }
    let (rtol, atol) = expected.dtype == .float64 ? (1e-10, 1e-12) : (1e-5, 1e-6)
    let got = actual.scalars(as: Double.self)
    for (i, (a, e)) in zip(got, expected.values).enumerated() {
        let same = a == e || (a.isNaN && e.isNaN) || (e.isFinite && Swift.abs(a - e) <= atol + rtol * Swift.abs(e))
        if !same { return "\(what): element \(i) is \(a), expected \(e) (all: \(got) vs \(expected.values))" }
    }
    return nil
}

/// Runs one fixture case through `op` and lists every difference from PyTorch.
func checkGoldenCase(_ c: GoldenCase, _ op: ([Tensor]) -> [Tensor]) -> [String] {
    var issues: [String] = []
    let inputs = c.inputs.map { $0.make() }
    let outputs = op(inputs)
    guard outputs.count == c.outputs.count else { return ["\(outputs.count) outputs, expected \(c.outputs.count)"] }
    for (i, (out, exp)) in zip(outputs, c.outputs).enumerated() {
        if let m = goldenMismatch(out, exp, "output \(i)") { issues.append(m) }
        if out.gradFn?.name != c.gradFns[i] {
            issues.append("output \(i): grad_fn \(out.gradFn?.name ?? "nil"), expected \(c.gradFns[i] ?? "nil")")
        }
        if out.requiresGrad != c.requiresGrad[i] {
            issues.append("output \(i): requiresGrad \(out.requiresGrad), expected \(c.requiresGrad[i])")
        }
    }
    // The fixed upstream gradient: out.backward(gradient: g), or the sum of <out_i, g_i> when
    // several outputs carry one (its gradient is the same as autograd.backward(outs, gs)).
    let seeded = zip(outputs, c.upstream).compactMap { o, g in g.map { (o, $0.make()) } }.filter { $0.0.requiresGrad }
    if seeded.count == 1 {
        seeded[0].0.backward(gradient: seeded[0].1)
    } else if seeded.count > 1 {
        seeded.map { ($0.0 * $0.1).sum() }.reduce(Tensor(0.0), +).backward()
    }
    for (i, (input, exp)) in zip(inputs, c.grads).enumerated() {
        switch (input.grad, exp) {
        case (nil, nil): break
        case (let g?, let e?): if let m = goldenMismatch(g, e, "grad of input \(i)") { issues.append(m) }
        case (nil, _?): issues.append("grad of input \(i) is nil, expected a gradient")
        case (_?, nil): issues.append("grad of input \(i) is set, expected nil")
        }
    }
    return issues
}

@Suite("Ops against PyTorch fixtures")
struct OpsGoldenTests {
    @Test("fixture loads and every case has a Swift op")
    func coverage() {
        #expect(OpsFixture.cases.count >= 300)
        let names = Set(OpsFixture.names)
        #expect(names.count == OpsFixture.cases.count, "duplicate case names")
        #expect(names.subtracting(goldenOps.keys).sorted() == [], "fixture cases without a Swift op")
        #expect(Set(goldenOps.keys).subtracting(names).sorted() == [], "Swift ops without a fixture case")
    }

    @Test("op matches PyTorch", arguments: OpsFixture.names)
    func matchesPyTorch(_ name: String) throws {
        let c = try #require(OpsFixture.cases.first { $0.name == name })
        let op = try #require(goldenOps[name], "no Swift op for \(name)")
        for issue in checkGoldenCase(c, op) { Issue.record("\(name): \(issue)") }
    }
}

// MARK: - The ops, by fixture case name

private typealias GoldenOp = @Sendable ([Tensor]) -> [Tensor]

private let goldenOps: [String: GoldenOp] = {
    var t: [String: GoldenOp] = [:]
    func op(_ name: String, _ f: @escaping @Sendable ([Tensor]) -> Tensor) { t[name] = { [f($0)] } }
    func multi(_ name: String, _ f: @escaping GoldenOp) { t[name] = f }
    func setitem(_ name: String, _ f: @escaping @Sendable (Tensor, [Tensor]) -> Void) {
        t[name] = { x in let a = x[0].clone(); f(a, x); return [a] }
    }

    // elementwise arithmetic
    for name in ["add", "add_broadcast_row", "add_broadcast_outer", "add_broadcast_3d", "add_0d_tensor"] {
        op(name) { $0[0] + $0[1] }
    }
    op("add_self") { $0[0] + $0[0] }
    op("add_alpha") { $0[0].add($0[1], alpha: 2) }
    op("sub") { $0[0] - $0[1] }
    op("sub_broadcast") { $0[0] - $0[1] }
    op("sub_alpha") { $0[0].sub($0[1], alpha: 0.5) }
    for name in ["mul", "mul_broadcast", "mul_one_requires_grad"] { op(name) { $0[0] * $0[1] } }
    op("mul_self") { $0[0] * $0[0] }
    op("div") { $0[0] / $0[1] }
    op("div_broadcast") { $0[0] / $0[1] }
    op("add_scalar") { $0[0] + 2 }
    op("add_float_scalar") { $0[0] + 2.5 }
    op("radd_scalar") { 2 + $0[0] }
    op("sub_scalar") { $0[0] - 2 }
    op("rsub_scalar") { 2 - $0[0] }
    op("rsub_float_scalar") { 1.5 - $0[0] }
    op("mul_scalar") { $0[0] * 3 }
    op("rmul_scalar") { 0.5 * $0[0] }
    op("div_scalar") { $0[0] / 4 }
    op("rdiv_scalar") { 2 / $0[0] }
    op("neg_operator") { -$0[0] }
    op("maximum") { $0[0].maximum($0[1]) }
    op("maximum_ties") { $0[0].maximum($0[1]) }
    op("minimum") { $0[0].minimum($0[1]) }

    // pow
    op("pow_2") { $0[0].pow(2) }
    op("pow_3") { $0[0].pow(3) }
    op("pow_float") { $0[0].pow(2.5) }
    op("pow_negative") { $0[0].pow(-1.5) }
    op("pow_0") { $0[0].pow(0) }
    op("pow_1") { $0[0].pow(1) }
    for name in ["pow_tensor", "pow_tensor_broadcast", "pow_tensor_zero_base"] { op(name) { $0[0].pow($0[1]) } }
    op("pow_scalar_base") { Tensor.pow(2, $0[0]) }
    op("pow_float_scalar_base") { Tensor.pow(1.5, $0[0]) }
    op("pow_int") { $0[0].pow(2) }
    op("pow_int_float_exponent") { $0[0].pow(0.5) }
    op("square") { $0[0].square() }

    // unary math
    op("exp") { $0[0].exp() }
    op("exp_float64") { $0[0].exp() }
    op("exp_int") { $0[0].exp() }
    op("log") { $0[0].log() }
    op("log_special") { $0[0].log() }
    op("sqrt") { $0[0].sqrt() }
    op("sqrt_int") { $0[0].sqrt() }
    op("abs") { $0[0].abs() }
    op("abs_int") { $0[0].abs() }
    op("neg") { $0[0].neg() }
    op("neg_int") { $0[0].neg() }
    op("sigmoid") { $0[0].sigmoid() }
    op("sigmoid_int") { $0[0].sigmoid() }
    op("tanh") { $0[0].tanh() }
    op("relu") { $0[0].relu() }
    op("relu_zero") { $0[0].relu() }
    op("relu_int") { $0[0].relu() }
    op("clamp") { $0[0].clamp(-0.5, 0.5) }
    op("clamp_min") { $0[0].clamp(min: 0.1) }
    op("clamp_max") { $0[0].clamp(max: 0.1) }
    op("clamp_at_bounds") { $0[0].clamp(-1, 1) }
    op("clamp_int") { $0[0].clamp(-2, 2) }
    op("clamp_int_float_bound") { $0[0].clamp(min: 0.5) }
    op("reciprocal") { $0[0].reciprocal() }
    op("sin") { $0[0].sin() }
    op("cos") { $0[0].cos() }
    op("log1p") { $0[0].log1p() }
    op("expm1") { $0[0].expm1() }
    op("floor") { $0[0].floor() }
    op("ceil") { $0[0].ceil() }
    op("round") { $0[0].round() }
    op("sign") { $0[0].sign() }

    // reductions
    for name in ["sum", "sum_0d", "sum_int", "sum_bool"] { op(name) { $0[0].sum() } }
    op("sum_dim0") { $0[0].sum(dim: 0) }
    op("sum_dim1_keepdim") { $0[0].sum(dim: 1, keepDim: true) }
    op("sum_neg_dim") { $0[0].sum(dim: -1) }
    op("sum_dims") { $0[0].sum(dims: [0, 2]) }
    op("sum_dims_keepdim") { $0[0].sum(dims: [0, 2], keepDim: true) }
    op("sum_int32_dim") { $0[0].sum(dim: 0) }
    op("sum_transposed") { $0[0].t().sum(dim: 0) }
    op("mean") { $0[0].mean() }
    op("mean_dim") { $0[0].mean(dim: 1) }
    op("mean_dim_keepdim") { $0[0].mean(dim: 0, keepDim: true) }
    op("mean_dims") { $0[0].mean(dims: [1, 2]) }
    for name in ["prod", "prod_one_zero", "prod_two_zeros", "prod_int"] { op(name) { $0[0].prod() } }
    op("prod_dim") { $0[0].prod(dim: 1) }
    op("prod_dim_zeros") { $0[0].prod(dim: 1) }
    op("prod_dim_keepdim") { $0[0].prod(dim: 0, keepDim: true) }
    for name in ["max", "max_ties", "max_int", "max_nan"] { op(name) { $0[0].max() } }
    op("min") { $0[0].min() }
    @Sendable func pair(_ r: (values: Tensor, indices: Tensor)) -> [Tensor] { [r.values, r.indices] }
    for name in ["max_dim", "max_dim_ties", "max_dim_int"] { multi(name) { pair($0[0].max(dim: 1)) } }
    multi("max_dim_keepdim") { pair($0[0].max(dim: 0, keepDim: true)) }
    multi("min_dim") { pair($0[0].min(dim: 0)) }
    multi("min_dim_neg") { pair($0[0].min(dim: -1, keepDim: true)) }
    op("argmax") { $0[0].argmax() }
    op("argmax_ties") { $0[0].argmax() }
    op("argmax_dim") { $0[0].argmax(dim: 1) }
    op("argmax_keepdim") { $0[0].argmax(dim: 0, keepDim: true) }
    op("argmin") { $0[0].argmin() }
    op("argmin_dim") { $0[0].argmin(dim: -1) }
    op("std") { $0[0].std() }
    op("std_dim") { $0[0].std(dim: 1) }
    op("std_dim_keepdim") { $0[0].std(dim: 0, keepDim: true) }
    op("std_correction0") { $0[0].std(correction: 0) }
    op("var") { $0[0].var() }
    op("var_float64") { $0[0].var() }
    op("var_dim") { $0[0].var(dim: 0) }
    op("var_dim_keepdim") { $0[0].var(dim: 1, keepDim: true) }
    op("var_correction0_dim") { $0[0].var(dim: 1, correction: 0) }
    op("logsumexp") { $0[0].logsumexp(dim: 1) }
    op("logsumexp_keepdim") { $0[0].logsumexp(dim: 0, keepDim: true) }
    op("logsumexp_large") { $0[0].logsumexp(dim: 0) }
    op("logsumexp_neg_inf") { $0[0].logsumexp(dim: 1) }

    // matmul in every form
    for name in ["matmul_1d_1d", "matmul_2d_1d", "matmul_1d_2d", "matmul_2d_2d", "matmul_3d_2d", "matmul_3d_1d",
                 "matmul_3d_3d", "matmul_batch_broadcast", "matmul_2d_3d", "matmul_1d_3d", "matmul_4d_4d",
                 "matmul_int", "matmul_float64", "matmul_squeezed_batch"] {
        op(name) { $0[0].matmul($0[1]) }
    }
    op("matmul_permuted_constant_rhs") { $0[0].permute(1, 0, 2).matmul($0[1]) }
    op("mm") { $0[0].mm($0[1]) }
    op("mm_one_requires_grad") { $0[0].mm($0[1]) }
    op("mm_transposed") { $0[0].t().mm($0[1].t()) }
    op("mv") { $0[0].mv($0[1]) }
    op("bmm") { $0[0].bmm($0[1]) }
    op("dot") { $0[0].dot($0[1]) }

    // views
    op("reshape") { $0[0].reshape(6, 4) }
    op("reshape_infer") { $0[0].reshape(-1, 2) }
    op("reshape_noncontiguous") { $0[0].t().reshape(-1) }
    op("reshape_0d") { $0[0].reshape(1, 1) }
    op("view") { $0[0].view(4, 6) }
    op("view_infer") { $0[0].view(3, -1) }
    op("view_of_transposed_split_dim") { $0[0].t().view(2, 2, 3) }
    op("flatten") { $0[0].flatten() }
    op("flatten_0d") { $0[0].flatten() }
    op("flatten_start1") { $0[0].flatten(startDim: 1) }
    op("flatten_range") { $0[0].flatten(startDim: 0, endDim: 1) }
    op("squeeze") { $0[0].squeeze() }
    op("squeeze_dim") { $0[0].squeeze(2) }
    op("squeeze_dim_not_one") { $0[0].squeeze(1) }
    op("unsqueeze") { $0[0].unsqueeze(0) }
    op("unsqueeze_neg") { $0[0].unsqueeze(-1) }
    op("unsqueeze_middle") { $0[0].unsqueeze(1) }
    op("permute") { $0[0].permute(2, 0, 1) }
    op("transpose") { $0[0].transpose(0, 2) }
    op("transpose_neg") { $0[0].transpose(-1, -2) }
    op("t") { $0[0].t() }
    op("t_1d") { $0[0].t() }
    op("T") { $0[0].T }
    op("T_1d") { $0[0].T }
    op("expand") { $0[0].expand(3, 4) }
    op("expand_new_dims") { $0[0].expand(2, 3, 4) }
    op("expand_keep") { $0[0].expand(-1, 4) }
    op("contiguous_transposed") { $0[0].t().contiguous() }
    op("contiguous_noop") { $0[0].contiguous() * 1 }
    op("select") { $0[0].select(1, 2) }
    op("narrow") { $0[0].narrow(1, start: 1, length: 2) }
    multi("unbind") { $0[0].unbind(dim: 1) }
    op("view_then_op") { $0[0].t().reshape(2, 3) * 2 }

    // cat, stack, split, chunk
    for name in ["cat", "cat_mixed_dtype", "cat_one_requires_grad"] { op(name) { Tensor.cat([$0[0], $0[1]]) } }
    op("cat_dim1") { Tensor.cat([$0[0], $0[1]], dim: 1) }
    op("cat_neg_dim") { Tensor.cat($0, dim: -1) }
    op("stack") { Tensor.stack($0) }
    op("stack_dim1") { Tensor.stack($0, dim: 1) }
    op("stack_neg_dim") { Tensor.stack($0, dim: -1) }
    multi("split") { $0[0].split(2) }
    multi("split_uneven") { $0[0].split(2) }
    multi("split_dim1") { $0[0].split(2, dim: 1) }
    multi("split_sizes") { $0[0].split(sizes: [1, 3]) }
    multi("chunk") { $0[0].chunk(3) }
    multi("chunk_uneven") { $0[0].chunk(3) }
    multi("chunk_fewer") { $0[0].chunk(3, dim: 1) }
    op("split_partial_use") { $0[0].split(2)[1] * 3 }

    // subscripts and index ops
    op("index_int") { $0[0][1] }
    op("index_neg_int") { $0[0][-1] }
    op("index_two_ints") { $0[0][1, 2] }
    op("index_range") { $0[0][1..<3] }
    op("index_range_step") { $0[0][.range(0, 5, step: 2)] }
    op("index_range_from") { $0[0][1..., ..<2] }
    op("index_all_int") { $0[0][.all, 2] }
    op("index_ellipsis") { $0[0][.ellipsis, 1] }
    op("index_new_axis") { $0[0][.newAxis] }
    for name in ["index_mask", "index_mask_rows", "index_tensor", "index_tensor_2d", "index_tensor_neg"] {
        op(name) { $0[0][$0[1]] }
    }
    op("index_mask_from_compare") { $0[0][$0[0] > 0] }
    op("gather_dim0") { $0[0].gather(0, $0[1]) }
    op("gather_dim1") { $0[0].gather(1, $0[1]) }
    op("gather_neg_dim") { $0[0].gather(-1, $0[1]) }
    op("index_select") { $0[0].indexSelect(0, $0[1]) }
    op("index_select_dim1") { $0[0].indexSelect(1, $0[1]) }
    for name in ["where", "where_broadcast", "where_mixed_dtype"] { op(name) { Tensor.where($0[0], $0[1], $0[2]) } }
    op("masked_fill") { $0[0].maskedFill($0[1], -1.0) }

    // comparisons
    op("eq_tensor") { $0[0].eq($0[1]) }
    op("ne_tensor") { $0[0].ne($0[1]) }
    op("lt_tensor") { $0[0].lt($0[1]) }
    op("le_tensor") { $0[0].le($0[1]) }
    op("gt_tensor") { $0[0].gt($0[1]) }
    op("ge_tensor") { $0[0].ge($0[1]) }
    op("eq_scalar") { $0[0].eq(2) }
    op("ne_scalar") { $0[0].ne(2) }
    op("lt_scalar") { $0[0].lt(2) }
    op("le_scalar") { $0[0].le(2) }
    op("gt_scalar") { $0[0].gt(2) }
    op("ge_scalar") { $0[0].ge(2) }
    op("gt_broadcast") { $0[0] > $0[1] }
    op("lt_int_float_scalar") { $0[0] < 2.5 }
    op("eq_int_float") { $0[0] .== $0[1] }
    op("ge_uint8_int") { $0[0] >= $0[1] }

    // in-place ops, on a clone as PyTorch requires for leaves
    op("add_") { $0[0].clone().add_($0[1]) }
    op("add_int_") { $0[0].clone().add_($0[1]) }
    op("add_alpha_") { $0[0].clone().add_($0[1], alpha: -2) }
    op("sub_") { $0[0].clone().sub_($0[1]) }
    op("mul_") { $0[0].clone().mul_($0[1]) }
    op("div_") { $0[0].clone().div_($0[1]) }
    op("add_scalar_") { $0[0].clone().add_(2) }
    op("mul_scalar_") { $0[0].clone().mul_(1.5) }
    op("pow_") { $0[0].clone().pow_(2) }
    op("clamp_") { $0[0].clone().clamp_(min: -0.5, max: 0.5) }
    op("relu_") { $0[0].clone().relu_() }
    op("neg_") { $0[0].clone().neg_() }
    op("sqrt_") { $0[0].clone().sqrt_() }
    op("exp_") { $0[0].clone().exp_() }
    op("zero_") { $0[0].clone().zero_() }
    op("fill_") { $0[0].clone().fill_(2.5) }
    op("copy_") { $0[0].clone().copy_($0[1]) }
    op("iadd_chain") { ($0[0] * 2).add_($0[1]).mul_($0[1]) }
    op("inplace_then_op") { $0[0].clone().mul_(2).exp() }
    setitem("setitem_int") { a, x in a[1] = x[1] }
    setitem("setitem_range") { a, x in a[0..<2] = x[1] }
    setitem("setitem_column") { a, x in a[.all, 1] = x[1] }
    setitem("setitem_mask") { a, x in a[x[1]] = Tensor(0.0) }
    setitem("setitem_index") { a, x in a[x[1]] = x[2] }
    setitem("masked_fill_") { a, x in a.maskedFill_(x[1], 7.0) }
    setitem("setitem_scalar") { a, _ in a[0] = Tensor(5.0) }
    setitem("index_put_") { a, x in a.indexPut_(x[1], x[2]) }
    op("masked_fill_tensor_value") { $0[0].maskedFill($0[1], $0[2]) }
    // in-place ops through views of a non-leaf move the base's history to CopySlices
    @Sendable func onView(_ x: Tensor, _ body: (Tensor) -> Void) -> Tensor { let t = x * 1; body(t); return t }
    op("inplace_on_view") { x in onView(x[0]) { $0[0].mul_(x[1]) } }
    op("inplace_on_transposed_view") { x in onView(x[0]) { $0.t().add_(x[1]) } }
    op("copy_into_view") { x in onView(x[0]) { $0[.all, 1].copy_(x[1]) } }
    op("fill_view") { x in onView(x[0]) { $0[1].fill_(0.5) } }
    op("zero_slice") { x in onView(x[0]) { $0[1..<3].zero_() } }
    op("view_after_inplace") { x in (x[0] * 1)[1].mul_(2) }

    // dtype conversion and copies
    op("to_float64") { $0[0].to(.float64) }
    op("to_float32") { $0[0].to(.float32) }
    op("int_to_float32") { $0[0].to(.float32) }
    op("to_int64") { $0[0].to(.int64) }
    op("to_bool") { $0[0].to(.bool) }
    op("to_uint8_wrap") { $0[0].to(.uint8) }
    op("clone") { $0[0].clone() }
    op("detach") { $0[0].detach() }

    // type promotion
    for name in ["promote_int64_float32", "promote_uint8_int32", "promote_bool_uint8", "promote_bool_bool",
                 "promote_float32_float64", "promote_float32_dim_float64_0d", "promote_int64_dim_float64_0d",
                 "promote_int32_dim_int64_0d", "promote_uint8_dim_int64_0d", "promote_0d_0d"] {
        op(name) { $0[0] + $0[1] }
    }
    for name in ["promote_bool_mul_int", "promote_int32_int64", "promote_0d_float32_dim_int"] {
        op(name) { $0[0] * $0[1] }
    }
    op("promote_int_float_scalar") { $0[0] + 2.5 }
    op("promote_int_int_scalar") { $0[0] * 3 }
    op("promote_uint8_int_scalar_wraps") { $0[0] + 300 }
    op("promote_bool_int_scalar") { $0[0] + 1 }
    op("promote_bool_float_scalar") { $0[0] * 1.5 }
    op("promote_float64_float_scalar") { $0[0] * 1.5 }
    op("promote_int_div_int") { $0[0] / $0[1] }
    op("promote_int_div_scalar") { $0[0] / 2 }
    op("promote_int32_div_float64_0d") { $0[0] / $0[1] }
    op("promote_0d_int_float_scalar") { $0[0] + 0.5 }
    op("promote_int_rsub_scalar") { 10 - $0[0] }
    op("promote_int_sub_float_0d") { $0[0] - $0[1] }
    return t
}()
