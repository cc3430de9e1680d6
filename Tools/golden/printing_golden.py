"""Writes Tests/TorchTests/Fixtures/printing.json: PyTorch's str(tensor) for many tensors.

Each case carries the flat row-major values, so the Swift side can rebuild exactly what
torch._tensor_str sees and compare TensorFormatter.format against `expected`.
Run from the package root:  python3 Tools/golden/printing_golden.py
"""

import json
import math
import os

import torch

torch.manual_seed(50)
cases = []


def dtype_name(dtype):
    return str(dtype).replace("torch.", "")


def flat_values(t):
    vals = t.detach().reshape(-1).tolist()
    if not t.dtype.is_floating_point:
        return vals  # ints or bools, exact in JSON
    out = []
    for v in vals:
        # JSON has no non-finite numbers; repr(float) round-trips the exact value
        # (for float32 it is the exact widened value, so Float(Double(text)) is exact).
        if math.isnan(v):
            out.append("nan")
        elif math.isinf(v):
            out.append("inf" if v > 0 else "-inf")
        else:
            out.append(v)
    return out


def add(name, t, parameter=False):
    if parameter:
        t = torch.nn.Parameter(t)
    grad_fn = type(t.grad_fn).__name__ if t.grad_fn is not None else None
    cases.append({
        "name": name,
        "dtype": dtype_name(t.dtype),
        "shape": list(t.shape),
        "values": flat_values(t),
        "requires_grad": bool(t.requires_grad),
        "grad_fn": grad_fn,
        "parameter": parameter,
        "expected": str(t).replace("torch.", ""),
    })


def dyadic(*shape, scale=1.0):
    """Random float32 values that are multiples of 1/256: short in JSON, still varied."""
    return (torch.randn(*shape) * scale * 256).round() / 256


nan, inf = float("nan"), float("inf")

# 0-d tensors
add("scalar_float", torch.tensor(3.5))
add("scalar_int_valued_float", torch.tensor(3.0))
add("scalar_zero", torch.tensor(0.0))
add("scalar_neg_zero", torch.tensor(-0.0))
add("scalar_nan", torch.tensor(nan))
add("scalar_inf", torch.tensor(-inf))
add("scalar_large", torch.tensor(1e10))
add("scalar_small", torch.tensor(1.5e-5))
add("scalar_big_integral", torch.tensor(123456789.0))
add("scalar_int", torch.tensor(7))
add("scalar_int_negative", torch.tensor(-42))
add("scalar_bool", torch.tensor(True))
add("scalar_float64", torch.tensor(2.0 / 3.0, dtype=torch.float64))
add("scalar_uint8", torch.tensor(200, dtype=torch.uint8))
add("scalar_int32", torch.tensor(-5, dtype=torch.int32))
add("scalar_requires_grad", torch.tensor(1.25, requires_grad=True))
x = torch.randn(4, requires_grad=True)
add("scalar_grad_fn_sum", x.sum())
add("scalar_grad_fn_mean_f64", torch.randn(3, dtype=torch.float64, requires_grad=True).mean())

# 1-D basics
add("api_example", torch.tensor([30.0, 40.0, 50.0]))
add("int_vector", torch.tensor([1, 2, 3]))
add("int_vector_negative", torch.tensor([-1, 20, -300, 4000]))
add("int64_extremes", torch.tensor([-9223372036854775808, 0, 9223372036854775807]))
add("bool_vector", torch.tensor([True, False, True]))
add("bool_all_true", torch.tensor([True, True]))
add("uint8_vector", torch.tensor([0, 7, 255], dtype=torch.uint8))
add("int32_vector", torch.tensor([-2147483648, 5, 2147483647], dtype=torch.int32))
add("float_random", torch.randn(5))
add("float_random_scaled", torch.rand(8) * 100)
add("float_mixed_sign", torch.tensor([-1.5, 0.25, 3.125, -0.0625]))
add("float_integer_valued_neg", torch.tensor([-3.0, 0.0, 12.0, 7.0]))
add("float_neg_zero_int_mode", torch.tensor([-0.0, 1.0, 2.0]))
add("float_neg_zero_fixed", torch.tensor([-0.0, 0.5]))
add("float_all_zero", torch.zeros(4))
add("float_all_neg_zero", torch.tensor([-0.0, -0.0]))
add("float_nan_inf_int", torch.tensor([nan, 1.0, inf, -inf]))
add("float_nan_inf_fixed", torch.tensor([1.5, nan, -inf, 2.25]))
add("float_only_nonfinite", torch.tensor([nan, inf, -inf]))
add("float_nan_zero", torch.tensor([nan, 0.0]))
add("sci_large", torch.tensor([1e10, 1.0, 2.5]))
add("sci_large_int_mode", torch.tensor([1e10, 1.0]))
add("sci_small", torch.tensor([1e-5, 0.5]))
add("sci_ratio", torch.tensor([-1e-3, 5.0]))
add("ratio_exactly_1000_int", torch.tensor([1000.0, 1.0]))
add("ratio_exactly_1000_fixed", torch.tensor([1.5, 1500.0]))
add("ratio_just_over_1000", torch.tensor([1.0, 1001.0]))
add("max_at_1e8", torch.tensor([1e8, 1e6]))
add("max_over_1e8", torch.tensor([1.1e8, 1e6]))
add("min_at_1e-4", torch.tensor([1e-4, 0.01], dtype=torch.float64))
add("min_below_1e-4", torch.tensor([9e-5, 0.01], dtype=torch.float64))
add("sci_with_nan_inf", torch.tensor([1e-5, nan, 1.0, -inf]))
add("sci_huge_exponent", torch.tensor([1e300, -1e-300, 1.0], dtype=torch.float64))
add("sci_float32_extremes", torch.tensor([3.4e38, 1.2e-38, -1.0]))
add("float32_subnormal", torch.tensor([1e-45, 1.0]))
add("rounding_half_even", torch.tensor([0.00005, 1.00015, 2.12345, 0.12355], dtype=torch.float64))
add("rounding_float32_tenths", torch.tensor([0.1, 0.2, 0.3, 0.7]))
add("float64_vector", torch.tensor([1.0, 2.0], dtype=torch.float64))
add("float64_random", torch.randn(6, dtype=torch.float64))
add("big_integer_floats", torch.tensor([99999999.0, 12345678.0, -5.0e7]))

# Long rows: wrapping at 80 columns
add("wrap_float", torch.randn(50))
add("wrap_int_valued_float", torch.arange(100).float())
add("wrap_int", torch.arange(200) * 37 - 3000)
add("wrap_sci", torch.randn(30) * 1e5)
add("wrap_bool", torch.rand(40) > 0.5)
add("wrap_uint8", torch.randint(0, 256, (60,), dtype=torch.uint8))
add("wrap_float64_nan", torch.tensor([float(i) / 7 if i % 9 else nan for i in range(40)], dtype=torch.float64))

# Summarisation (> 1000 elements)
add("summ_int_1d", torch.arange(2000))
add("summ_float_1d", dyadic(1001))
add("summ_bool_1d", torch.arange(1200) % 3 == 0)
add("summ_float_1d_width_from_edges", torch.cat([torch.tensor([1.5, 2.5, 3.5]), torch.full((1000,), 123456.75), torch.tensor([4.5, 5.5, 6.5])]))
add("summ_2d", dyadic(40, 40))
add("summ_2d_int", torch.randint(-500, 500, (50, 30)))
add("summ_2d_rows_only", dyadic(250, 5, scale=10))
add("summ_2d_cols_only", dyadic(5, 300))
add("summ_2d_small_rows_long", torch.arange(1010).reshape(2, 505).float() / 4)
add("summ_3d", dyadic(7, 8, 20))
add("summ_4d", dyadic(8, 2, 8, 8))
add("summ_sci", torch.cat([torch.tensor([1e-6]), torch.ones(1100), torch.tensor([1e6])]))

# 2-D and higher
add("int_matrix", torch.tensor([[1, 2], [3, 4]]))
add("float_matrix", torch.randn(3, 4))
add("float_matrix_wrap", torch.randn(10, 20))
add("float_matrix_int_valued", torch.tensor([[1.0, -2.0, 300.0], [4.0, 5.0, 6.0]]))
add("float64_matrix", torch.randn(3, 3, dtype=torch.float64))
add("uint8_matrix", torch.randint(0, 256, (4, 4), dtype=torch.uint8))
add("int32_matrix", torch.randint(-1000, 1000, (3, 5), dtype=torch.int32))
add("bool_matrix", torch.rand(3, 3) > 0.5)
add("matrix_one_column", torch.randn(4, 1))
add("matrix_one_row", torch.randn(1, 4))
add("tensor_3d", torch.randn(2, 3, 4))
add("tensor_3d_int", torch.arange(8).reshape(2, 2, 2))
add("tensor_3d_wrap", torch.randn(2, 2, 15) * 1000)
add("tensor_4d", torch.randn(2, 2, 2, 3))
add("tensor_4d_mid", dyadic(3, 4, 5, 6))
add("tensor_5d", torch.arange(32).reshape(2, 2, 2, 2, 2).float())
add("tensor_4d_bool", torch.rand(1, 2, 1, 3) > 0.3)

# Empty tensors
add("empty_float", torch.zeros(0))
add("empty_float_2d", torch.zeros(0, 3))
add("empty_int", torch.zeros(0, dtype=torch.int64))
add("empty_int_2d", torch.zeros(0, 3, dtype=torch.int64))
add("empty_bool", torch.zeros(0, dtype=torch.bool))
add("empty_float64", torch.zeros(0, dtype=torch.float64))
add("empty_3d", torch.zeros(2, 0, 3))
add("empty_uint8_2d", torch.zeros(3, 0, dtype=torch.uint8))
add("empty_requires_grad", torch.zeros(0, requires_grad=True))
add("empty_2d_requires_grad_f64", torch.zeros(0, 2, dtype=torch.float64, requires_grad=True))

# Autograd suffixes
add("requires_grad_vector", torch.tensor([1.0, 2.0], requires_grad=True))
add("requires_grad_matrix", torch.randn(3, 4, requires_grad=True))
add("requires_grad_float64", torch.tensor([1.0, 2.5], dtype=torch.float64, requires_grad=True))
x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
add("grad_fn_mul", x * 2)
add("grad_fn_add", x + 1)
add("grad_fn_float64_mul", torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True) * 2)
x = torch.randn(3, 4, requires_grad=True)
add("grad_fn_matrix", x * 2)
add("grad_fn_matmul", x @ torch.randn(4, 2))
add("grad_fn_relu", torch.relu(x))
# Rows long enough that the suffix no longer fits on the last line.
x = torch.randn(11, requires_grad=True)
add("suffix_wraps_grad_fn", x * 3)
add("suffix_wraps_requires_grad", torch.randn(11, requires_grad=True))
add("suffix_wraps_dtype_and_grad", torch.randn(9, dtype=torch.float64, requires_grad=True) * 2)
add("suffix_dtype_wraps_int32", torch.arange(20, dtype=torch.int32) * 1000)
add("suffix_boundary_8", (torch.arange(8).float() + 0.5).requires_grad_())
add("suffix_boundary_9", (torch.arange(9).float() + 0.5).requires_grad_())
# Lengths around the point where ", requires_grad=True" stops fitting after "])".
for n in (5, 6, 7):
    add(f"suffix_fit_{n}", (torch.arange(n).float() * 10 + 0.25).requires_grad_())
add("suffix_fit_int32_dtype", torch.arange(14, dtype=torch.int32) * 100000)
add("suffix_fit_multiline", (torch.arange(16).float() * 0.5).requires_grad_())
# Suffix wrapping is decided with PyTorch's "dtype=torch.float64" length, not the shorter name.
for n in (3, 4, 5, 6, 7):
    add(f"suffix_fit_float64_{n}", torch.arange(n, dtype=torch.float64) / 3)
    add(f"suffix_fit_float64_grad_{n}", (torch.arange(n, dtype=torch.float64) / 3).requires_grad_())
for n in (8, 9, 10):
    add(f"suffix_fit_uint8_{n}", torch.arange(n, dtype=torch.uint8) * 25)
x = dyadic(30, 40).requires_grad_()
add("summ_grad_fn", x * 2)

# Seeded random mix: shapes, magnitudes and dtypes chosen at random.
gen = torch.Generator().manual_seed(1234)
for k in range(40):
    rank = int(torch.randint(1, 5, (), generator=gen))
    shape = [int(torch.randint(1, 7, (), generator=gen)) for _ in range(rank)]
    kind = k % 5
    if kind == 0:
        t = torch.randint(-10**int(torch.randint(1, 10, (), generator=gen)), 10**6, shape, generator=gen)
    else:
        scale = 10.0 ** float(torch.randint(-6, 10, (), generator=gen))
        dtype = torch.float64 if kind == 4 else torch.float32
        t = torch.randn(shape, generator=gen, dtype=dtype) * scale
        if kind == 2:
            t = t.round()
        if kind == 3 and t.numel() > 2:
            t.view(-1)[0] = float("nan")
            t.view(-1)[-1] = float("-inf")
    add(f"random_{k}", t)

# Parameters
add("parameter_vector", torch.tensor([1.0, 2.0]), parameter=True)
add("parameter_matrix", torch.randn(3, 4), parameter=True)
add("parameter_float64", torch.randn(2, 2, dtype=torch.float64), parameter=True)
add("parameter_scalar", torch.tensor(0.5), parameter=True)

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
path = os.path.join(root, "Tests", "TorchTests", "Fixtures", "printing.json")
os.makedirs(os.path.dirname(path), exist_ok=True)
with open(path, "w") as f:
    # One case per line: compact, yet diffs stay readable.
    f.write("[\n" + ",\n".join(json.dumps(c, separators=(",", ":")) for c in cases) + "\n]\n")
print(f"wrote {len(cases)} cases to {os.path.normpath(path)} ({os.path.getsize(path)} bytes)")
