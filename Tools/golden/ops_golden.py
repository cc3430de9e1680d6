"""Writes Tests/TorchTests/Fixtures/ops.json: forward values, grad_fn names and gradients of the
Tensor API, as PyTorch computes them.

Each case names one op applied to small seeded inputs. The fixture records the inputs, every
output (shape, dtype, values, `type(out.grad_fn).__name__`), a fixed upstream gradient for each
output that requires grad (seeded randn), and the gradients that reach each input after
`torch.autograd.backward(outputs, upstream)`. Tests/TorchTests/OpsGoldenTests.swift maps each
case name to the same op written in Swift. Run from the package root:

    python3 Tools/golden/ops_golden.py
"""

import json
import math
import os

import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore", message="The use of `x.T`")
torch.manual_seed(0)
gen = torch.Generator().manual_seed(1234)
cases = []
F32, F64, I64, I32, U8, BOOL = torch.float32, torch.float64, torch.int64, torch.int32, torch.uint8, torch.bool


# ---------------------------------------------------------------- inputs


def rn(*shape, dtype=F32, grad=True):
    """Seeded normal values rounded to 3 decimals (short in JSON, exact enough in float32)."""
    t = torch.round(torch.randn(tuple(shape), generator=gen, dtype=F64) * 1000) / 1000
    return t.to(dtype).requires_grad_(grad and dtype.is_floating_point)


def pos(*shape, dtype=F32, grad=True):
    """Seeded values in [0.5, 2.5), for log, sqrt, division and pow bases."""
    t = torch.round((torch.rand(tuple(shape), generator=gen, dtype=F64) * 2 + 0.5) * 1000) / 1000
    return t.to(dtype).requires_grad_(grad)


def lit(values, dtype=F32, grad=None):
    t = torch.tensor(values, dtype=dtype)
    if grad is None:
        grad = dtype.is_floating_point
    return t.requires_grad_(grad)


def ints(*shape, low=-5, high=6, dtype=I64):
    return torch.randint(low, high, shape, generator=gen).to(dtype)


# ---------------------------------------------------------------- serialisation


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def flat_values(t):
    t = t.detach().reshape(-1)
    if t.dtype == BOOL:
        return [bool(v) for v in t.tolist()]
    if not t.dtype.is_floating_point:
        return [int(v) for v in t.tolist()]
    out = []
    for v in t.tolist():
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        elif t.dtype == F32:
            # shortest text that round-trips the float32 value
            out.append(float(str(np.float32(v))))
        else:
            out.append(v)
    return out


def encode(t, requires_grad=None):
    d = {"shape": list(t.shape), "dtype": dtype_name(t.dtype), "values": flat_values(t)}
    if requires_grad is not None:
        d["requires_grad"] = requires_grad
    return d


def add(name, fn, *inputs):
    assert all(c["name"] != name for c in cases), name
    leaves = [t.detach().clone().requires_grad_(t.requires_grad) for t in inputs]
    result = fn(*leaves)
    outs = list(result) if isinstance(result, (tuple, list)) else [result]
    case = {
        "name": name,
        "inputs": [encode(t, t.requires_grad) for t in inputs],
        "outputs": [encode(o) for o in outs],
        "grad_fns": [type(o.grad_fn).__name__ if o.grad_fn is not None else None for o in outs],
        "requires_grad": [bool(o.requires_grad) for o in outs],
    }
    upstream = [torch.round(torch.randn(o.shape, generator=gen, dtype=F64) * 1000).to(o.dtype) / 1000
                if o.requires_grad else None for o in outs]
    pairs = [(o, g) for o, g in zip(outs, upstream) if g is not None]
    if pairs:
        torch.autograd.backward([o for o, _ in pairs], [g for _, g in pairs])
    case["upstream"] = [encode(g) if g is not None else None for g in upstream]
    case["grads"] = [encode(t.grad) if t.grad is not None else None for t in leaves]
    cases.append(case)


# ---------------------------------------------------------------- elementwise arithmetic

add("add", lambda a, b: a + b, rn(2, 3), rn(2, 3))
add("add_broadcast_row", lambda a, b: a + b, rn(2, 3), rn(3))
add("add_broadcast_outer", lambda a, b: a + b, rn(2, 1), rn(1, 3))
add("add_broadcast_3d", lambda a, b: a + b, rn(2, 1, 4), rn(3, 1))
add("add_0d_tensor", lambda a, b: a + b, rn(2, 3), rn())
add("add_self", lambda a: a + a, rn(4))
add("add_alpha", lambda a, b: a.add(b, alpha=2), rn(2, 3), rn(3))
add("sub", lambda a, b: a - b, rn(2, 3), rn(2, 3))
add("sub_broadcast", lambda a, b: a - b, rn(3, 1), rn(4))
add("sub_alpha", lambda a, b: a.sub(b, alpha=0.5), rn(2, 3), rn(2, 3))
add("mul", lambda a, b: a * b, rn(2, 3), rn(2, 3))
add("mul_broadcast", lambda a, b: a * b, rn(4, 1), rn(3))
add("mul_self", lambda a: a * a, rn(5))
add("mul_one_requires_grad", lambda a, b: a * b, rn(2, 3), rn(2, 3, grad=False))
add("div", lambda a, b: a / b, rn(2, 3), pos(2, 3))
add("div_broadcast", lambda a, b: a / b, rn(2, 3), pos(2, 1))
add("add_scalar", lambda a: a + 2, rn(2, 3))
add("add_float_scalar", lambda a: a + 2.5, rn(2, 3))
add("radd_scalar", lambda a: 2 + a, rn(2, 3))
add("sub_scalar", lambda a: a - 2, rn(2, 3))
add("rsub_scalar", lambda a: 2 - a, rn(2, 3))
add("rsub_float_scalar", lambda a: 1.5 - a, rn(2, 3))
add("mul_scalar", lambda a: a * 3, rn(2, 3))
add("rmul_scalar", lambda a: 0.5 * a, rn(2, 3))
add("div_scalar", lambda a: a / 4, rn(2, 3))
add("rdiv_scalar", lambda a: 2 / a, pos(2, 3))
add("neg_operator", lambda a: -a, rn(2, 3))
add("maximum", lambda a, b: torch.maximum(a, b), rn(2, 3), rn(3))
add("minimum", lambda a, b: torch.minimum(a, b), rn(2, 3), rn(3))
add("maximum_ties", lambda a, b: torch.maximum(a, b), lit([1.0, 2.0, 3.0]), lit([1.0, 5.0, 3.0]))

# ---------------------------------------------------------------- pow

add("pow_2", lambda a: a.pow(2), rn(2, 3))
add("pow_3", lambda a: a ** 3, rn(2, 3))
add("pow_float", lambda a: a.pow(2.5), pos(2, 3))
add("pow_negative", lambda a: a.pow(-1.5), pos(2, 3))
add("pow_0", lambda a: a.pow(0), rn(2, 3))
add("pow_1", lambda a: a.pow(1), rn(2, 3))
add("pow_tensor", lambda a, b: a.pow(b), pos(2, 3), rn(2, 3))
add("pow_tensor_broadcast", lambda a, b: a.pow(b), pos(2, 3), rn(3))
add("pow_tensor_zero_base", lambda a, b: a.pow(b), lit([0.0, 0.0, 1.0, 2.0], F64), lit([2.0, 0.0, 3.0, 0.5], F64))
add("pow_scalar_base", lambda a: torch.pow(2, a), rn(2, 3))
add("pow_float_scalar_base", lambda a: torch.pow(1.5, a), rn(2, 3))
add("pow_int", lambda a: a.pow(2), ints(2, 3))
add("pow_int_float_exponent", lambda a: a.pow(0.5), ints(2, 3, low=0))
add("square", lambda a: a.square(), rn(2, 3))

# ---------------------------------------------------------------- unary math

add("exp", lambda a: a.exp(), rn(2, 3))
add("log", lambda a: a.log(), pos(2, 3))
add("sqrt", lambda a: a.sqrt(), pos(2, 3))
add("abs", lambda a: a.abs(), rn(2, 3))
add("neg", lambda a: a.neg(), rn(2, 3))
add("sigmoid", lambda a: a.sigmoid(), rn(2, 3))
add("tanh", lambda a: a.tanh(), rn(2, 3))
add("relu", lambda a: a.relu(), rn(2, 3))
add("relu_zero", lambda a: a.relu(), lit([-1.0, 0.0, 2.0]))
add("clamp", lambda a: a.clamp(-0.5, 0.5), rn(3, 4))
add("clamp_min", lambda a: a.clamp(min=0.1), rn(3, 4))
add("clamp_max", lambda a: a.clamp(max=0.1), rn(3, 4))
add("clamp_at_bounds", lambda a: a.clamp(-1, 1), lit([-2.0, -1.0, 0.0, 1.0, 2.0]))
add("reciprocal", lambda a: a.reciprocal(), pos(2, 3))
add("sin", lambda a: a.sin(), rn(2, 3))
add("cos", lambda a: a.cos(), rn(2, 3))
add("log1p", lambda a: a.log1p(), pos(2, 3))
add("expm1", lambda a: a.expm1(), rn(2, 3))
add("floor", lambda a: a.floor(), rn(2, 3))
add("ceil", lambda a: a.ceil(), rn(2, 3))
add("round", lambda a: a.round(), lit([0.5, 1.5, 2.5, -0.5, -1.7, 2.2]))
add("sign", lambda a: a.sign(), lit([-2.0, 0.0, 3.0]))
add("exp_float64", lambda a: a.exp(), rn(2, 3, dtype=F64))
add("abs_int", lambda a: a.abs(), ints(2, 3))
add("neg_int", lambda a: a.neg(), ints(2, 3))
add("relu_int", lambda a: a.relu(), ints(2, 3))
add("exp_int", lambda a: a.exp(), ints(2, 3))
add("sqrt_int", lambda a: a.sqrt(), ints(2, 3, low=0))
add("sigmoid_int", lambda a: a.sigmoid(), ints(2, 3))
add("clamp_int", lambda a: a.clamp(-2, 2), ints(2, 3))
add("clamp_int_float_bound", lambda a: a.clamp(min=0.5), ints(2, 3))
add("log_special", lambda a: a.log(), lit([0.0, -1.0, 1.0], grad=False))

# ---------------------------------------------------------------- reductions

add("sum", lambda a: a.sum(), rn(2, 3))
add("sum_dim0", lambda a: a.sum(0), rn(2, 3))
add("sum_dim1_keepdim", lambda a: a.sum(1, keepdim=True), rn(2, 3))
add("sum_neg_dim", lambda a: a.sum(-1), rn(2, 3, 4))
add("sum_dims", lambda a: a.sum((0, 2)), rn(2, 3, 4))
add("sum_dims_keepdim", lambda a: a.sum((0, 2), keepdim=True), rn(2, 3, 4))
add("sum_0d", lambda a: a.sum(), rn())
add("sum_int", lambda a: a.sum(), ints(2, 3))
add("sum_int32_dim", lambda a: a.sum(0), ints(2, 3, dtype=I32))
add("sum_bool", lambda a: a.sum(), lit([True, False, True], BOOL))
add("sum_transposed", lambda a: a.t().sum(0), rn(3, 2))
add("mean", lambda a: a.mean(), rn(2, 3))
add("mean_dim", lambda a: a.mean(1), rn(2, 3))
add("mean_dim_keepdim", lambda a: a.mean(0, keepdim=True), rn(2, 3))
add("mean_dims", lambda a: a.mean((1, 2)), rn(2, 3, 4))
add("prod", lambda a: a.prod(), rn(2, 3))
add("prod_dim", lambda a: a.prod(1), rn(2, 3))
add("prod_dim_keepdim", lambda a: a.prod(0, keepdim=True), rn(2, 3))
add("prod_one_zero", lambda a: a.prod(), lit([2.0, 0.0, 3.0, 4.0], F64))
add("prod_two_zeros", lambda a: a.prod(), lit([2.0, 0.0, 3.0, 0.0], F64))
add("prod_dim_zeros", lambda a: a.prod(1), lit([[1.0, 0.0, 2.0], [0.0, 0.0, 3.0], [1.0, 2.0, 3.0]], F64))
add("prod_int", lambda a: a.prod(), ints(2, 3))
add("max", lambda a: a.max(), rn(2, 3))
add("min", lambda a: a.min(), rn(2, 3))
add("max_ties", lambda a: a.max(), lit([1.0, 3.0, 3.0, 2.0]))
add("max_dim", lambda a: a.max(1), rn(2, 3))
add("max_dim_keepdim", lambda a: a.max(0, keepdim=True), rn(2, 3))
add("max_dim_ties", lambda a: a.max(1), lit([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]]))
add("min_dim", lambda a: a.min(0), rn(3, 2))
add("min_dim_neg", lambda a: a.min(-1, keepdim=True), rn(2, 3, 2))
add("max_int", lambda a: a.max(), ints(2, 3))
add("max_dim_int", lambda a: a.max(1), ints(2, 3))
add("max_nan", lambda a: a.max(), lit([1.0, float("nan"), 2.0], grad=False))
add("argmax", lambda a: a.argmax(), rn(2, 3))
add("argmax_dim", lambda a: a.argmax(1), rn(2, 3))
add("argmax_keepdim", lambda a: a.argmax(0, keepdim=True), rn(2, 3))
add("argmin", lambda a: a.argmin(), rn(2, 3))
add("argmin_dim", lambda a: a.argmin(-1), rn(2, 3))
add("argmax_ties", lambda a: a.argmax(), lit([1.0, 3.0, 3.0]))
add("std", lambda a: a.std(), rn(2, 3))
add("std_dim", lambda a: a.std(1), rn(2, 3))
add("std_dim_keepdim", lambda a: a.std(0, keepdim=True), rn(3, 2))
add("std_correction0", lambda a: a.std(correction=0), rn(2, 3))
add("var", lambda a: a.var(), rn(2, 3))
add("var_dim", lambda a: a.var(0), rn(3, 2))
add("var_dim_keepdim", lambda a: a.var(1, keepdim=True), rn(2, 3))
add("var_correction0_dim", lambda a: a.var(1, correction=0), rn(2, 3))
add("var_float64", lambda a: a.var(), rn(2, 3, dtype=F64))
add("logsumexp", lambda a: a.logsumexp(1), rn(2, 3))
add("logsumexp_keepdim", lambda a: a.logsumexp(0, keepdim=True), rn(2, 3))
add("logsumexp_large", lambda a: a.logsumexp(0), lit([1000.0, 1000.0, 990.0]))
add("logsumexp_neg_inf", lambda a: a.logsumexp(1), lit([[float("-inf"), 0.0], [float("-inf"), float("-inf")]], grad=False))

# ---------------------------------------------------------------- matmul

add("matmul_1d_1d", lambda a, b: a.matmul(b), rn(3), rn(3))
add("matmul_2d_1d", lambda a, b: a.matmul(b), rn(2, 3), rn(3))
add("matmul_1d_2d", lambda a, b: a.matmul(b), rn(3), rn(3, 4))
add("matmul_2d_2d", lambda a, b: a.matmul(b), rn(2, 3), rn(3, 4))
add("matmul_3d_2d", lambda a, b: a.matmul(b), rn(2, 3, 4), rn(4, 2))
add("matmul_3d_1d", lambda a, b: a.matmul(b), rn(2, 3, 4), rn(4))
add("matmul_3d_3d", lambda a, b: a.matmul(b), rn(2, 3, 4), rn(2, 4, 2))
add("matmul_batch_broadcast", lambda a, b: a.matmul(b), rn(2, 1, 3, 4), rn(3, 4, 2))
add("matmul_2d_3d", lambda a, b: a.matmul(b), rn(3, 4), rn(2, 4, 2))
add("matmul_1d_3d", lambda a, b: a.matmul(b), rn(4), rn(2, 4, 3))
add("matmul_4d_4d", lambda a, b: a.matmul(b), rn(1, 2, 3, 4), rn(2, 1, 4, 2))
add("matmul_squeezed_batch", lambda a, b: a.matmul(b), rn(1, 3, 4), rn(2, 4, 2))
add("matmul_permuted_constant_rhs", lambda a, b: a.permute(1, 0, 2).matmul(b), rn(3, 2, 4), rn(4, 2, grad=False))
add("matmul_int", lambda a, b: a.matmul(b), ints(2, 3), ints(3, 2))
add("matmul_float64", lambda a, b: a.matmul(b), rn(3, 3, dtype=F64), rn(3, 2, dtype=F64))
add("mm", lambda a, b: a.mm(b), rn(2, 3), rn(3, 4))
add("mm_transposed", lambda a, b: a.t().mm(b.t()), rn(3, 2), rn(4, 3))
add("mm_one_requires_grad", lambda a, b: a.mm(b), rn(2, 3, grad=False), rn(3, 4))
add("mv", lambda a, b: a.mv(b), rn(2, 3), rn(3))
add("bmm", lambda a, b: a.bmm(b), rn(2, 3, 4), rn(2, 4, 2))
add("dot", lambda a, b: a.dot(b), rn(4), rn(4))

# ---------------------------------------------------------------- views

add("reshape", lambda a: a.reshape(6, 4), rn(2, 3, 4))
add("reshape_infer", lambda a: a.reshape(-1, 2), rn(2, 3, 4))
add("reshape_noncontiguous", lambda a: a.t().reshape(-1), rn(3, 4))
add("reshape_0d", lambda a: a.reshape(1, 1), rn())
add("view", lambda a: a.view(4, 6), rn(2, 3, 4))
add("view_infer", lambda a: a.view(3, -1), rn(2, 3, 4))
add("view_of_transposed_split_dim", lambda a: a.t().view(2, 2, 3), rn(3, 4))
add("flatten", lambda a: a.flatten(), rn(2, 3, 4))
add("flatten_start1", lambda a: a.flatten(1), rn(2, 3, 4))
add("flatten_range", lambda a: a.flatten(0, 1), rn(2, 3, 4))
add("flatten_0d", lambda a: a.flatten(), rn())
add("squeeze", lambda a: a.squeeze(), rn(1, 3, 1, 2))
add("squeeze_dim", lambda a: a.squeeze(2), rn(1, 3, 1, 2))
add("squeeze_dim_not_one", lambda a: a.squeeze(1), rn(1, 3, 1, 2))
add("unsqueeze", lambda a: a.unsqueeze(0), rn(2, 3))
add("unsqueeze_neg", lambda a: a.unsqueeze(-1), rn(2, 3))
add("unsqueeze_middle", lambda a: a.unsqueeze(1), rn(2, 3))
add("permute", lambda a: a.permute(2, 0, 1), rn(2, 3, 4))
add("transpose", lambda a: a.transpose(0, 2), rn(2, 3, 4))
add("transpose_neg", lambda a: a.transpose(-1, -2), rn(2, 3, 4))
add("t", lambda a: a.t(), rn(2, 3))
add("t_1d", lambda a: a.t(), rn(3))
add("T", lambda a: a.T, rn(2, 3))
add("T_1d", lambda a: a.T, rn(3))
add("expand", lambda a: a.expand(3, 4), rn(3, 1))
add("expand_new_dims", lambda a: a.expand(2, 3, 4), rn(3, 1))
add("expand_keep", lambda a: a.expand(-1, 4), rn(3, 1))
add("contiguous_transposed", lambda a: a.t().contiguous(), rn(2, 3))
add("contiguous_noop", lambda a: a.contiguous() * 1, rn(2, 3))
add("select", lambda a: a.select(1, 2), rn(2, 3, 4))
add("narrow", lambda a: a.narrow(1, 1, 2), rn(2, 4))
add("unbind", lambda a: a.unbind(1), rn(2, 3))
add("view_then_op", lambda a: a.t().reshape(2, 3) * 2, rn(3, 2))

# ---------------------------------------------------------------- cat, stack, split, chunk

add("cat", lambda a, b: torch.cat([a, b]), rn(2, 3), rn(1, 3))
add("cat_dim1", lambda a, b: torch.cat([a, b], 1), rn(2, 3), rn(2, 2))
add("cat_neg_dim", lambda a, b, c: torch.cat([a, b, c], -1), rn(2, 1), rn(2, 2), rn(2, 3))
add("cat_mixed_dtype", lambda a, b: torch.cat([a, b]), rn(2), ints(3))
add("cat_one_requires_grad", lambda a, b: torch.cat([a, b]), rn(2), rn(2, grad=False))
add("stack", lambda a, b: torch.stack([a, b]), rn(2, 3), rn(2, 3))
add("stack_dim1", lambda a, b, c: torch.stack([a, b, c], 1), rn(2, 3), rn(2, 3), rn(2, 3))
add("stack_neg_dim", lambda a, b: torch.stack([a, b], -1), rn(2, 3), rn(2, 3))
add("split", lambda a: a.split(2), rn(4, 3))
add("split_uneven", lambda a: a.split(2), rn(5, 3))
add("split_dim1", lambda a: a.split(2, 1), rn(2, 5))
add("split_sizes", lambda a: a.split([1, 3]), rn(4, 2))
add("chunk", lambda a: a.chunk(3), rn(6, 2))
add("chunk_uneven", lambda a: a.chunk(3), rn(5, 2))
add("chunk_fewer", lambda a: a.chunk(3, 1), rn(2, 4))
add("split_partial_use", lambda a: a.split(2)[1] * 3, rn(4, 3))

# ---------------------------------------------------------------- subscripts and index ops

add("index_int", lambda a: a[1], rn(3, 4))
add("index_neg_int", lambda a: a[-1], rn(3, 4))
add("index_two_ints", lambda a: a[1, 2], rn(3, 4))
add("index_range", lambda a: a[1:3], rn(4, 3))
add("index_range_step", lambda a: a[0:5:2], rn(5, 3))
add("index_range_from", lambda a: a[1:, :2], rn(3, 4))
add("index_all_int", lambda a: a[:, 2], rn(3, 4))
add("index_ellipsis", lambda a: a[..., 1], rn(2, 3, 4))
add("index_new_axis", lambda a: a[None], rn(2, 3))
add("index_mask", lambda a, m: a[m], rn(3, 4), lit([[True, False, True, False], [False] * 4, [True] * 4], BOOL))
add("index_mask_rows", lambda a, m: a[m], rn(3, 4), lit([True, False, True], BOOL))
add("index_mask_from_compare", lambda a: a[a > 0], rn(3, 4))
add("index_tensor", lambda a, i: a[i], rn(4, 3), lit([2, 0, 2], I64))
add("index_tensor_2d", lambda a, i: a[i], rn(4, 3), lit([[0, 1], [3, 3]], I64))
add("index_tensor_neg", lambda a, i: a[i], rn(4), lit([-1, 0], I64))
add("gather_dim0", lambda a, i: a.gather(0, i), rn(3, 4), lit([[0, 1, 2, 0], [2, 2, 1, 0]], I64))
add("gather_dim1", lambda a, i: a.gather(1, i), rn(3, 4), lit([[0, 0], [3, 1], [2, 2]], I64))
add("gather_neg_dim", lambda a, i: a.gather(-1, i), rn(2, 3), lit([[2], [0]], I64))
add("index_select", lambda a, i: a.index_select(0, i), rn(4, 3), lit([3, 0, 3], I64))
add("index_select_dim1", lambda a, i: a.index_select(1, i), rn(2, 4), lit([1, 1, 0], I64))
add("where", lambda c, a, b: torch.where(c, a, b), lit([[True, False, True], [False, False, True]], BOOL), rn(2, 3), rn(2, 3))
add("where_broadcast", lambda c, a, b: torch.where(c, a, b), lit([[True], [False]], BOOL), rn(3), rn())
add("where_mixed_dtype", lambda c, a, b: torch.where(c, a, b), lit([True, False, True], BOOL), rn(3), ints(3))
add("masked_fill", lambda a, m: a.masked_fill(m, -1.0), rn(2, 3), lit([[True, False, False], [False, True, False]], BOOL))

# ---------------------------------------------------------------- comparisons

for op in ["eq", "ne", "lt", "le", "gt", "ge"]:
    add(f"{op}_tensor", lambda a, b, op=op: getattr(a, op)(b), lit([1.0, 2.0, 3.0, float("nan")]), lit([2.0, 2.0, 1.0, 1.0]))
    add(f"{op}_scalar", lambda a, op=op: getattr(a, op)(2), lit([1.0, 2.0, 3.0]))
add("gt_broadcast", lambda a, b: a > b, rn(2, 3), rn(2, 1, grad=False))
add("lt_int_float_scalar", lambda a: a < 2.5, lit([1, 2, 3], I64))
add("eq_int_float", lambda a, b: a == b, lit([1, 2, 3], I64), lit([1.0, 2.5, 3.0]))
add("ge_uint8_int", lambda a, b: a >= b, lit([0, 5, 255], U8), lit([1, 5, -1], I32))

# ---------------------------------------------------------------- in-place ops (on a clone)

add("add_", lambda a, b: a.clone().add_(b), rn(2, 3), rn(3))
add("add_alpha_", lambda a, b: a.clone().add_(b, alpha=-2), rn(2, 3), rn(2, 3))
add("sub_", lambda a, b: a.clone().sub_(b), rn(2, 3), rn(2, 3))
add("mul_", lambda a, b: a.clone().mul_(b), rn(2, 3), rn(2, 1))
add("div_", lambda a, b: a.clone().div_(b), rn(2, 3), pos(2, 3))
add("add_scalar_", lambda a: a.clone().add_(2), rn(2, 3))
add("mul_scalar_", lambda a: a.clone().mul_(1.5), rn(2, 3))
add("pow_", lambda a: a.clone().pow_(2), rn(2, 3))
add("clamp_", lambda a: a.clone().clamp_(-0.5, 0.5), rn(2, 3))
add("relu_", lambda a: a.clone().relu_(), rn(2, 3))
add("neg_", lambda a: a.clone().neg_(), rn(2, 3))
add("sqrt_", lambda a: a.clone().sqrt_(), pos(2, 3))
add("exp_", lambda a: a.clone().exp_(), rn(2, 3))
add("zero_", lambda a: a.clone().zero_(), rn(2, 3))
add("fill_", lambda a: a.clone().fill_(2.5), rn(2, 3))
add("copy_", lambda a, b: a.clone().copy_(b), rn(2, 3), rn(3))
add("iadd_chain", lambda a, b: (a * 2).add_(b).mul_(b), rn(2, 3), rn(2, 3))
add("inplace_then_op", lambda a: a.clone().mul_(2).exp(), rn(2, 3))
add("add_int_", lambda a, b: a.clone().add_(b), ints(2, 3), ints(3))


def setitem(a, key, value):
    a = a.clone()
    a[key] = value
    return a


add("setitem_int", lambda a, v: setitem(a, 1, v), rn(3, 4), rn(4))
add("setitem_range", lambda a, v: setitem(a, slice(0, 2), v), rn(3, 4), rn(4))
add("setitem_column", lambda a, v: setitem(a, (slice(None), 1), v), rn(3, 4), rn(3))
add("setitem_mask", lambda a, m: setitem(a, m, 0.0), rn(2, 3), lit([[True, False, True], [False, False, True]], BOOL))
add("setitem_index", lambda a, i, v: setitem(a, i, v), rn(4, 2), lit([0, 2], I64), rn(2, 2))
add("masked_fill_", lambda a, m: a.clone().masked_fill_(m, 7.0), rn(2, 3), lit([[True, False, True], [False, False, True]], BOOL))
add("masked_fill_tensor_value", lambda a, m, v: a.masked_fill(m, v), rn(2, 3), lit([[True, False, True], [False, False, True]], BOOL), rn())
add("setitem_scalar", lambda a: setitem(a, 0, 5.0), rn(2, 3))
add("index_put_", lambda a, i, v: a.clone().index_put_((i,), v), rn(3, 2), lit([2, 0], I64), rn(2))


def on_view(a, fn):
    """An in-place op through a view of a non-leaf: the base's history becomes CopySlices."""
    t = a * 1
    fn(t)
    return t


add("inplace_on_view", lambda a, b: on_view(a, lambda t: t[0].mul_(b)), rn(3, 4), rn(4))
add("inplace_on_transposed_view", lambda a, b: on_view(a, lambda t: t.t().add_(b)), rn(3, 2), rn(3))
add("copy_into_view", lambda a, b: on_view(a, lambda t: t[:, 1].copy_(b)), rn(3, 4), rn(3))
add("fill_view", lambda a: on_view(a, lambda t: t[1].fill_(0.5)), rn(3, 4))
add("zero_slice", lambda a: on_view(a, lambda t: t[1:3].zero_()), rn(4, 2))
add("view_after_inplace", lambda a: (lambda t: (t, t.mul_(2))[0])((a * 1)[1]), rn(3, 2))

# ---------------------------------------------------------------- dtype conversion and copies

add("to_float64", lambda a: a.to(F64), rn(2, 3))
add("to_float32", lambda a: a.to(F32), rn(2, 3, dtype=F64))
add("to_int64", lambda a: a.to(I64), lit([1.7, -1.7, 2.5]))
add("to_bool", lambda a: a.to(BOOL), lit([0.0, 0.5, -2.0], grad=False))
add("int_to_float32", lambda a: a.to(F32), ints(4))
add("to_uint8_wrap", lambda a: a.to(U8), lit([-1, 256, 3], I64))
add("clone", lambda a: a.clone(), rn(2, 3))
add("detach", lambda a: a.detach(), rn(2, 3))

# ---------------------------------------------------------------- type promotion

add("promote_int64_float32", lambda a, b: a + b, ints(3), rn(3, grad=False))
add("promote_uint8_int32", lambda a, b: a + b, lit([1, 200, 255], U8), lit([1, -2, 3], I32))
add("promote_bool_uint8", lambda a, b: a + b, lit([True, False, True], BOOL), lit([1, 2, 255], U8))
add("promote_bool_bool", lambda a, b: a + b, lit([True, False, False], BOOL), lit([True, True, False], BOOL))
add("promote_bool_mul_int", lambda a, b: a * b, lit([True, False], BOOL), lit([3, 4], I64))
add("promote_int32_int64", lambda a, b: a * b, lit([1, 2], I32), lit([3, 4], I64))
add("promote_float32_float64", lambda a, b: a + b, rn(3), rn(3, dtype=F64))
add("promote_float32_dim_float64_0d", lambda a, b: a + b, rn(3), rn(dtype=F64))
add("promote_int64_dim_float64_0d", lambda a, b: a + b, ints(3), rn(dtype=F64, grad=False))
add("promote_int32_dim_int64_0d", lambda a, b: a + b, lit([1, 2], I32), lit(5, I64))
add("promote_uint8_dim_int64_0d", lambda a, b: a + b, lit([1, 250], U8), lit(10, I64))
add("promote_0d_0d", lambda a, b: a + b, lit(3, I32), lit(2.5, F64, grad=False))
add("promote_0d_float32_dim_int", lambda a, b: a * b, lit(1.5), ints(3))
add("promote_int_float_scalar", lambda a: a + 2.5, ints(3))
add("promote_int_int_scalar", lambda a: a * 3, lit([1, 2], I32))
add("promote_uint8_int_scalar_wraps", lambda a: a + 300, lit([1, 2], U8))
add("promote_bool_int_scalar", lambda a: a + 1, lit([True, False], BOOL))
add("promote_bool_float_scalar", lambda a: a * 1.5, lit([True, False], BOOL))
add("promote_float64_float_scalar", lambda a: a * 1.5, rn(3, dtype=F64))
add("promote_int_div_int", lambda a, b: a / b, lit([1, 5, -7], I64), lit([2, 2, 2], I64))
add("promote_int_div_scalar", lambda a: a / 2, lit([1, 5, -7], I64))
add("promote_int32_div_float64_0d", lambda a, b: a / b, lit([1, 5], I32), lit(2.0, F64, grad=False))
add("promote_0d_int_float_scalar", lambda a: a + 0.5, lit(2, I64))
add("promote_int_rsub_scalar", lambda a: 10 - a, lit([1, 2], I32))
add("promote_int_sub_float_0d", lambda a, b: a - b, lit([1, 2], I64), lit(0.25, F32, grad=False))

os.makedirs("Tests/TorchTests/Fixtures", exist_ok=True)
with open("Tests/TorchTests/Fixtures/ops.json", "w") as f:
    json.dump({"torch_version": torch.__version__, "rtol": 1e-5, "atol": 1e-6, "cases": cases}, f,
              separators=(",", ":"))
print(f"wrote {len(cases)} cases, {os.path.getsize('Tests/TorchTests/Fixtures/ops.json')} bytes")
