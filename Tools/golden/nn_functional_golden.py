"""Writes Tests/TorchTests/Fixtures/nn_functional.json: torch.nn.functional and torch.nn.init
results for the Swift tests in NNFunctionalTests.swift.

Each case stores its inputs, the op's arguments, PyTorch's output, the gradients of every
input that requires grad after output.backward(gradOutput), and the output's grad_fn name.
Tensors are {"shape", "dtype", "data"}; float32 data is written with 9 significant digits
(which round-trips a float), float64 with repr, non-finite values as "nan"/"inf"/"-inf".
Dropout and init results are stored as exact bit patterns (decimal UInt32/UInt64 strings).

Run from the package root:  python3 Tools/golden/nn_functional_golden.py
"""

import json
import math
import os
import struct

import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures", "nn_functional.json")


def number(v, dtype):
    if isinstance(v, bool) or isinstance(v, int):
        return v
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "inf" if v > 0 else "-inf"
    return float("%.9g" % v) if dtype == torch.float32 else v


def enc(t):
    t = t.detach()
    data = [number(v, t.dtype) for v in t.reshape(-1).tolist()]
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "data": data}


def bits(t):
    t = t.detach().contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return [str(struct.unpack("<I", struct.pack("<f", v))[0]) for v in t.tolist()]
    return [str(struct.unpack("<Q", struct.pack("<d", v))[0]) for v in t.tolist()]


cases = []


def case(name, op, fn, inputs, args, grad_inputs=None, extra=None):
    """Runs fn(**inputs) and records output, grad_fn and gradients of `grad_inputs`."""
    grad_inputs = grad_inputs if grad_inputs is not None else [k for k, v in inputs.items()
                                                               if v is not None and v.dtype.is_floating_point]
    live = {}
    for k, v in inputs.items():
        if v is None:
            continue
        c = v.detach().clone()
        if k in grad_inputs:
            c.requires_grad_(True)
        live[k] = c
    out = fn(**live)
    record = {"name": name, "op": op, "args": args, "inputs": {k: enc(v) for k, v in live.items()},
              "output": enc(out), "gradFn": type(out.grad_fn).__name__ if out.grad_fn is not None else None}
    if extra:
        record.update(extra(live, out))
    if grad_inputs and out.requires_grad:
        g = torch.randn(out.shape, dtype=out.dtype)
        out.backward(g)
        record["gradOutput"] = enc(g)
        record["grads"] = {k: enc(live[k].grad) for k in grad_inputs if live[k].grad is not None}
    cases.append(record)


def r(*shape, dtype=torch.float32):
    return torch.randn(*shape, dtype=dtype)


# ---- conv2d -------------------------------------------------------------------------------
def conv(name, x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    args = {"stride": stride if isinstance(stride, list) else [stride],
            "padding": padding if isinstance(padding, (list, str)) else [padding],
            "dilation": dilation if isinstance(dilation, list) else [dilation], "groups": groups}
    case(name, "conv2d", lambda input, weight, bias=None: F.conv2d(input, weight, bias, stride, padding, dilation, groups),
         {"input": x, "weight": w, "bias": b}, args)


conv("conv basic", r(2, 1, 8, 8), r(3, 1, 3, 3), r(3))
conv("conv stride 2 padding 1", r(2, 2, 7, 7), r(4, 2, 3, 3), r(4), stride=2, padding=1)
conv("conv same dilation 2", r(1, 2, 6, 6), r(3, 2, 3, 3), r(3), padding="same", dilation=2)
conv("conv same even kernel (asymmetric)", r(2, 2, 5, 6), r(2, 2, 4, 2), padding="same")
conv("conv valid", r(1, 3, 6, 5), r(2, 3, 2, 3), r(2), padding="valid")
conv("conv groups 2 rect stride", r(2, 4, 6, 6), r(6, 2, 3, 3), r(6), stride=[2, 1], padding=[1, 0], groups=2)
conv("conv depthwise", r(1, 3, 5, 5), r(3, 1, 3, 3), None, padding=1, groups=3)
conv("conv unbatched", r(2, 5, 5), r(3, 2, 3, 3), r(3), padding=1)
conv("conv pointwise", r(2, 3, 4, 4), r(5, 3, 1, 1), r(5))
conv("conv dilation stride padding mixed", r(2, 2, 9, 8), r(3, 2, 3, 2), r(3), stride=[1, 2], padding=[2, 1], dilation=[2, 1])
conv("conv float64", r(1, 2, 5, 5, dtype=torch.float64), r(2, 2, 3, 3, dtype=torch.float64), r(2, dtype=torch.float64), padding=1)
# over 1 MFLOP in small images: the batch is split across threads
conv("conv batch 4 (threaded)", r(4, 8, 12, 12), r(16, 8, 3, 3), r(16), padding=1)

# ---- pooling ------------------------------------------------------------------------------
def maxpool(name, x, k, s=None, p=0, d=1, ceil=False):
    args = {"kernelSize": k if isinstance(k, list) else [k], "stride": [] if s is None else (s if isinstance(s, list) else [s]),
            "padding": p if isinstance(p, list) else [p], "dilation": d if isinstance(d, list) else [d], "ceilMode": ceil}
    case(name, "maxPool2d", lambda input: F.max_pool2d(input, k, s, p, d, ceil), {"input": x}, args,
         extra=lambda live, out: {"indices": enc(F.max_pool2d(live["input"].detach(), k, s, p, d, ceil, return_indices=True)[1])})


maxpool("max k2", r(2, 3, 6, 6), 2)
maxpool("max k3 s2 p1", r(1, 2, 7, 7), 3, 2, 1)
maxpool("max ceil drops last window", r(1, 1, 5, 5), 2, 2, 1, ceil=True)
maxpool("max ceil k3 s2", r(1, 2, 8, 8), 3, 2, 0, ceil=True)
maxpool("max dilation 2", r(1, 2, 7, 7), 3, 1, 0, 2)
maxpool("max unbatched rect", r(2, 5, 5), [2, 3], [1, 2])
maxpool("max ties", torch.randint(0, 3, (1, 1, 4, 4)).float(), 2, 1)
maxpool("max float64 padding dilation ceil", r(1, 2, 6, 7, dtype=torch.float64), 3, 2, 1, 2, ceil=True)


def avgpool(name, x, k, s=None, p=0, ceil=False, cip=True, div=None):
    args = {"kernelSize": k if isinstance(k, list) else [k], "stride": [] if s is None else (s if isinstance(s, list) else [s]),
            "padding": p if isinstance(p, list) else [p], "ceilMode": ceil, "countIncludePad": cip, "divisorOverride": div}
    case(name, "avgPool2d", lambda input: F.avg_pool2d(input, k, s, p, ceil, cip, div), {"input": x}, args)


avgpool("avg k2", r(2, 2, 6, 6), 2)
avgpool("avg k3 s2 p1 include pad", r(1, 2, 7, 7), 3, 2, 1)
avgpool("avg k3 s2 p1 exclude pad", r(1, 2, 7, 7), 3, 2, 1, cip=False)
avgpool("avg ceil include pad", r(1, 1, 5, 5), 2, 2, 1, ceil=True)
avgpool("avg ceil exclude pad", r(1, 1, 6, 6), 3, 2, 1, ceil=True, cip=False)
avgpool("avg divisor override", r(1, 2, 4, 4), 2, div=3)
avgpool("avg unbatched rect", r(2, 5, 6), [2, 3], [1, 2])


def adaptive(name, x, size):
    case(name, "adaptiveAvgPool2d", lambda input: F.adaptive_avg_pool2d(input, size), {"input": x},
         {"outputSize": size if isinstance(size, list) else [size]})


adaptive("adaptive 7x9 to 3x4", r(2, 3, 7, 9), [3, 4])
adaptive("adaptive global", r(1, 2, 5, 5), 1)
adaptive("adaptive unbatched 4", r(2, 6, 6), 4)
adaptive("adaptive upsample", r(1, 1, 3, 5), [5, 7])
adaptive("adaptive identity", r(1, 2, 4, 4), 4)

# ---- batch norm ---------------------------------------------------------------------------
def bn(name, x, rm, rv, w, b, training, momentum=0.1, eps=1e-5):
    state = {}

    def fn(input, weight=None, bias=None, runningMean=None, runningVar=None):
        state["rm"] = None if runningMean is None else runningMean.detach().clone()
        state["rv"] = None if runningVar is None else runningVar.detach().clone()
        return F.batch_norm(input, state["rm"], state["rv"], weight, bias, training, momentum, eps)

    def extra(live, out):
        e = {}
        if state["rm"] is not None:
            e["runningMeanAfter"] = enc(state["rm"])
            e["runningVarAfter"] = enc(state["rv"])
        return e

    case(name, "batchNorm", fn, {"input": x, "weight": w, "bias": b, "runningMean": rm, "runningVar": rv},
         {"training": training, "momentum": momentum, "eps": eps},
         grad_inputs=[k for k, v in {"input": x, "weight": w, "bias": b}.items() if v is not None], extra=extra)


bn("bn train 2d", r(4, 3), torch.zeros(3), torch.ones(3), r(3), r(3), True)
bn("bn train 4d", r(3, 2, 4, 4), r(2), torch.rand(2) + 0.5, r(2), r(2), True)
bn("bn train no affine no stats", r(3, 2, 4, 4), None, None, None, None, True)
bn("bn eval 4d", r(3, 2, 4, 4), r(2), torch.rand(2) + 0.5, r(2), r(2), False)
bn("bn train 3d momentum eps", r(2, 3, 5), r(3), torch.rand(3) + 0.5, r(3), None, True, 0.3, 1e-3)
bn("bn train float64", r(4, 2, 3, dtype=torch.float64), torch.zeros(2, dtype=torch.float64),
   torch.ones(2, dtype=torch.float64), r(2, dtype=torch.float64), r(2, dtype=torch.float64), True)

# ---- softmax and activations --------------------------------------------------------------
for name, x, dim in [("2d dim 1", r(3, 5), 1), ("2d dim 0", r(3, 5), 0), ("3d dim 1", r(2, 3, 4), 1),
                     ("3d dim -1", r(2, 3, 4), -1),
                     ("large logits", torch.tensor([[1000.0, 0.0, -1000.0], [1e4, 1e4, -1e4], [88.0, 89.0, 90.0]]), 1),
                     ("float64", r(3, 4, dtype=torch.float64), 1)]:
    case("softmax " + name, "softmax", lambda input, dim=dim: F.softmax(input, dim), {"input": x}, {"dim": dim})
    case("logSoftmax " + name, "logSoftmax", lambda input, dim=dim: F.log_softmax(input, dim), {"input": x}, {"dim": dim})

edges = torch.cat([r(20) * 3, torch.tensor([-1.0, 1.0, 0.0, -0.5, 2.0])]).reshape(5, 5)
case("leakyRelu default", "leakyRelu", lambda input: F.leaky_relu(input), {"input": edges}, {"negativeSlope": 0.01})
case("leakyRelu 0.2", "leakyRelu", lambda input: F.leaky_relu(input, 0.2), {"input": edges}, {"negativeSlope": 0.2})
case("gelu none", "gelu", lambda input: F.gelu(input), {"input": edges}, {"approximate": "none"})
case("gelu tanh", "gelu", lambda input: F.gelu(input, approximate="tanh"), {"input": edges}, {"approximate": "tanh"})
case("gelu float64", "gelu", lambda input: F.gelu(input), {"input": edges.double()}, {"approximate": "none"})
case("silu", "silu", lambda input: F.silu(input), {"input": edges}, {})
case("hardtanh default", "hardtanh", lambda input: F.hardtanh(input), {"input": edges}, {"minVal": -1.0, "maxVal": 1.0})
case("hardtanh -0.5 2", "hardtanh", lambda input: F.hardtanh(input, -0.5, 2.0), {"input": edges}, {"minVal": -0.5, "maxVal": 2.0})

# ---- losses -------------------------------------------------------------------------------
REDS = ["mean", "sum", "none"]


def loss(name, op, fn, inputs, args, grad_inputs=None):
    for red in REDS:
        a = dict(args)
        a["reduction"] = red
        case(f"{name} {red}", op, lambda red=red, **kw: fn(reduction=red, **kw), inputs, a, grad_inputs)


logits = r(5, 4)
classes = torch.tensor([0, 3, 1, 1, 2])
cw = torch.rand(4) + 0.5
loss("ce indices", "crossEntropy", lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction),
     {"input": logits, "target": classes}, {})
loss("ce weight", "crossEntropy",
     lambda input, target, weight, reduction: F.cross_entropy(input, target, weight=weight, reduction=reduction),
     {"input": logits, "target": classes, "weight": cw}, {}, ["input"])
loss("ce ignore weight", "crossEntropy",
     lambda input, target, weight, reduction: F.cross_entropy(input, target, weight=weight, ignore_index=1, reduction=reduction),
     {"input": logits, "target": classes, "weight": cw}, {"ignoreIndex": 1}, ["input"])
loss("ce smoothing", "crossEntropy",
     lambda input, target, reduction: F.cross_entropy(input, target, label_smoothing=0.1, reduction=reduction),
     {"input": logits, "target": classes}, {"labelSmoothing": 0.1})
loss("ce smoothing weight ignore", "crossEntropy",
     lambda input, target, weight, reduction: F.cross_entropy(input, target, weight=weight, ignore_index=3,
                                                              label_smoothing=0.25, reduction=reduction),
     {"input": logits, "target": classes, "weight": cw}, {"ignoreIndex": 3, "labelSmoothing": 0.25}, ["input"])
probs = torch.softmax(r(5, 4), 1)
loss("ce probabilities", "crossEntropy", lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction),
     {"input": logits, "target": probs}, {})
loss("ce probabilities weight smoothing", "crossEntropy",
     lambda input, target, weight, reduction: F.cross_entropy(input, target, weight=weight, label_smoothing=0.2,
                                                              reduction=reduction),
     {"input": logits, "target": probs, "weight": cw}, {"labelSmoothing": 0.2}, ["input", "target"])
loss("ce spatial", "crossEntropy", lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction),
     {"input": r(2, 4, 3, 3), "target": torch.randint(0, 4, (2, 3, 3))}, {})
loss("ce 3d", "crossEntropy", lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction),
     {"input": r(2, 4, 5), "target": torch.randint(0, 4, (2, 5))}, {})
case("ce unbatched", "crossEntropy", lambda input, target: F.cross_entropy(input, target),
     {"input": r(4), "target": torch.tensor(2)}, {"reduction": "mean"})
loss("ce huge logits", "crossEntropy", lambda input, target, reduction: F.cross_entropy(input, target, reduction=reduction),
     {"input": torch.tensor([[1e4, -1e4, 0.0, 5e3], [-3e4, 2e4, 2e4, 0.0], [100.0, 90.0, 80.0, -100.0]]),
      "target": torch.tensor([1, 2, 0])}, {})
loss("nll weight ignore", "nllLoss",
     lambda input, target, weight, reduction: F.nll_loss(input, target, weight=weight, ignore_index=0, reduction=reduction),
     {"input": F.log_softmax(r(5, 4), 1), "target": classes, "weight": cw}, {"ignoreIndex": 0}, ["input"])
loss("nll 4d", "nllLoss", lambda input, target, reduction: F.nll_loss(input, target, reduction=reduction),
     {"input": r(2, 3, 2, 4), "target": torch.randint(0, 3, (2, 2, 4))}, {})
loss("mse", "mseLoss", lambda input, target, reduction: F.mse_loss(input, target, reduction=reduction),
     {"input": r(3, 4), "target": r(3, 4)}, {})
loss("l1", "l1Loss", lambda input, target, reduction: F.l1_loss(input, target, reduction=reduction),
     {"input": r(3, 4), "target": r(3, 4)}, {})
p = torch.sigmoid(r(3, 4))
loss("bce", "binaryCrossEntropy", lambda input, target, reduction: F.binary_cross_entropy(input, target, reduction=reduction),
     {"input": p, "target": torch.rand(3, 4)}, {})
loss("bce weight", "binaryCrossEntropy",
     lambda input, target, weight, reduction: F.binary_cross_entropy(input, target, weight=weight, reduction=reduction),
     {"input": p, "target": torch.randint(0, 2, (3, 4)).float(), "weight": torch.rand(4)}, {}, ["input", "target"])
loss("bce clamped log", "binaryCrossEntropy",
     lambda input, target, reduction: F.binary_cross_entropy(input, target, reduction=reduction),
     {"input": torch.tensor([0.0, 1.0, 0.0, 1.0, 0.5]), "target": torch.tensor([1.0, 0.0, 0.0, 1.0, 1.0])}, {}, ["input"])
logit_in = torch.cat([r(8) * 2, torch.tensor([100.0, -100.0, 1e4, -1e4])]).reshape(3, 4)
loss("bce logits", "binaryCrossEntropyWithLogits",
     lambda input, target, reduction: F.binary_cross_entropy_with_logits(input, target, reduction=reduction),
     {"input": logit_in, "target": torch.rand(3, 4)}, {})
loss("bce logits weight posWeight", "binaryCrossEntropyWithLogits",
     lambda input, target, weight, posWeight, reduction: F.binary_cross_entropy_with_logits(
         input, target, weight=weight, pos_weight=posWeight, reduction=reduction),
     {"input": logit_in, "target": torch.rand(3, 4), "weight": torch.rand(3, 1), "posWeight": torch.rand(4) * 3},
     {}, ["input", "target"])

# ---- dropout: masks after manual_seed must match bit for bit --------------------------------
for seed, prob, shape, dtype in [(0, 0.5, (4, 5), torch.float32), (1, 0.2, (3, 7, 3), torch.float32),
                                 (3, 0.9, (50,), torch.float32), (5, 0.3, (10,), torch.float64),
                                 (7, 1.0, (6,), torch.float32)]:
    x = r(*shape, dtype=dtype)
    torch.manual_seed(seed)
    case(f"dropout seed {seed} p {prob}", "dropout", lambda input, prob=prob: F.dropout(input, prob), {"input": x},
         {"p": prob, "seed": seed}, extra=lambda live, out: {"outputBits": bits(out)})

# ---- init: the same bits after the same seed ------------------------------------------------
init_cases = []


def init(name, op, shape, fn, args, seed, dtype=torch.float32):
    g = torch.Generator().manual_seed(seed)
    t = torch.empty(shape, dtype=dtype)
    fn(t, g)
    init_cases.append({"name": name, "op": op, "shape": list(shape), "dtype": str(dtype).replace("torch.", ""),
                       "args": args, "seed": seed, "bits": bits(t)})


nn_init = torch.nn.init
init("kaiming_uniform_ default", "kaimingUniform_", (6, 1, 5, 5), lambda t, g: nn_init.kaiming_uniform_(t, generator=g), {}, 1)
init("kaiming_uniform_ a=sqrt5", "kaimingUniform_", (10, 20), lambda t, g: nn_init.kaiming_uniform_(t, a=math.sqrt(5), generator=g),
     {"a": math.sqrt(5)}, 2)
init("kaiming_uniform_ fan_out relu", "kaimingUniform_", (12, 6, 5, 5),
     lambda t, g: nn_init.kaiming_uniform_(t, mode="fan_out", nonlinearity="relu", generator=g),
     {"mode": "fan_out", "nonlinearity": "relu"}, 3)
init("kaiming_uniform_ float64", "kaimingUniform_", (4, 6), lambda t, g: nn_init.kaiming_uniform_(t, generator=g), {}, 4,
     torch.float64)
init("kaiming_normal_ fan_out relu", "kaimingNormal_", (8, 4, 3, 3),
     lambda t, g: nn_init.kaiming_normal_(t, mode="fan_out", nonlinearity="relu", generator=g),
     {"mode": "fan_out", "nonlinearity": "relu"}, 5)
init("kaiming_normal_ small (scalar path)", "kaimingNormal_", (3, 4), lambda t, g: nn_init.kaiming_normal_(t, a=0.1, generator=g),
     {"a": 0.1}, 6)
init("xavier_uniform_ tanh gain", "xavierUniform_", (5, 7),
     lambda t, g: nn_init.xavier_uniform_(t, gain=nn_init.calculate_gain("tanh"), generator=g),
     {"gain": nn_init.calculate_gain("tanh")}, 7)
init("xavier_normal_", "xavierNormal_", (20, 10), lambda t, g: nn_init.xavier_normal_(t, generator=g), {}, 8)
init("xavier_normal_ float64", "xavierNormal_", (5, 6), lambda t, g: nn_init.xavier_normal_(t, gain=2.0, generator=g),
     {"gain": 2.0}, 9, torch.float64)
init("uniform_", "uniform_", (4, 4), lambda t, g: nn_init.uniform_(t, -2.0, 3.0, generator=g), {"a": -2.0, "b": 3.0}, 10)
init("normal_ tail", "normal_", (33,), lambda t, g: nn_init.normal_(t, 1.0, 0.5, generator=g), {"mean": 1.0, "std": 0.5}, 11)
init("constant_", "constant_", (2, 3), lambda t, g: nn_init.constant_(t, 0.25), {"value": 0.25}, 0)
init("zeros_", "zeros_", (3,), lambda t, g: nn_init.zeros_(t), {}, 0)
init("ones_", "ones_", (2, 2), lambda t, g: nn_init.ones_(t), {}, 0)


def linear_like(t, g):
    # Linear.reset_parameters: weight then bias from the same generator
    nn_init.kaiming_uniform_(t[:, :-1], a=math.sqrt(5), generator=g)
    bound = 1 / math.sqrt(t.shape[1] - 1)
    nn_init.uniform_(t[:, -1], -bound, bound, generator=g)


init("linear weight then bias (strided views)", "linearLike", (7, 5), linear_like, {}, 12)

gains = []
for name, param in [("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
                    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", math.sqrt(5)), ("selu", None),
                    ("conv_transpose2d", None)]:
    gains.append({"nonlinearity": name, "param": param, "gain": nn_init.calculate_gain(name, param)})

capability = torch.backends.cpu.get_cpu_capability()
root = {"torch": torch.__version__, "capability": capability,
        "cpuKernel": "avx2" if capability in ("AVX2", "AVX512") else "generic",
        "cases": cases, "init": init_cases, "gains": gains}
with open(OUT, "w") as f:
    json.dump(root, f, separators=(",", ":"))
print(f"wrote {len(cases)} cases, {len(init_cases)} init cases, {os.path.getsize(OUT)} bytes to {os.path.normpath(OUT)}")
