"""Writes Tests/TorchTests/Fixtures/pytorch_small.safetensors with the real `safetensors`
package, and pytorch_small.json describing what the file must decode to.

The JSON lists, per tensor, the safetensors dtype, the shape, the raw bytes in hex and the
values as strings (repr of each element: exact for floats, 64-bit ints and nan/inf alike), and
the file's tensor order, so the Swift side checks decoding and byte-exact encoding.
Only one metadata key is written: the reference writes metadata in hash order, so with more
keys its output is not deterministic.
Run from the package root:  pip install safetensors; python3 Tools/golden/safetensors_golden.py
"""

import json
import os
import struct

import safetensors
import torch
from safetensors.torch import save_file

torch.manual_seed(50)
nan, inf = float("nan"), float("inf")

tensors = {
    "fc.weight": torch.tensor([[0.5, -1.25, 3.0], [1e-45, -0.0, 65504.0]], dtype=torch.float32),
    "fc.bias": torch.tensor([nan, inf, -inf], dtype=torch.float32),
    "conv.weight": (torch.randn(2, 1, 2, 2) * 256).round() / 256,
    "double": torch.tensor([0.1, -2.5e-300, 1.7976931348623157e308], dtype=torch.float64),
    "scalar": torch.tensor(3.25, dtype=torch.float64),
    "steps": torch.tensor([-(2**63), 2**63 - 1, 0, 42], dtype=torch.int64),
    "num_batches_tracked": torch.tensor(7, dtype=torch.int64),
    "i32": torch.tensor([[-(2**31), 2**31 - 1], [5, -6]], dtype=torch.int32),
    "pixels": torch.tensor([0, 1, 127, 128, 255], dtype=torch.uint8),
    "mask": torch.tensor([[True, False], [False, True]]),
    "empty": torch.zeros(0, 3, dtype=torch.float32),
    "half": torch.tensor([1.0, -2.0, 0.5], dtype=torch.float16),
    "brain": torch.tensor([1.0, -3.0], dtype=torch.bfloat16),
    "int8": torch.tensor([-128, 127, 0], dtype=torch.int8),
    "int16": torch.tensor([-32768, 32767], dtype=torch.int16),
    "unicode.é": torch.tensor([9], dtype=torch.uint8),
}
metadata = {"format": "pt"}

SAFETENSORS_DTYPE = {
    torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32",
    torch.uint8: "U8", torch.bool: "BOOL", torch.float16: "F16", torch.bfloat16: "BF16",
    torch.int8: "I8", torch.int16: "I16",
}


def values(t):
    flat = t.reshape(-1)
    if t.dtype == torch.bfloat16 or t.dtype == torch.float16:
        flat = flat.to(torch.float32)
    if t.dtype == torch.bool:
        return ["1" if v else "0" for v in flat.tolist()]
    return [repr(v) for v in flat.tolist()]


here = os.path.dirname(os.path.abspath(__file__))
fixtures = os.path.join(here, "..", "..", "Tests", "TorchTests", "Fixtures")
path = os.path.join(fixtures, "pytorch_small.safetensors")
save_file(tensors, path, metadata=metadata)

with open(path, "rb") as f:
    blob = f.read()
n = struct.unpack("<Q", blob[:8])[0]
header = json.loads(blob[8:8 + n])
order = [k for k in header if k != "__metadata__"]

record = {
    "generator": f"safetensors {safetensors.__version__}, torch {torch.__version__}",
    "metadata": metadata,
    "order": order,
    "file_size": len(blob),
    "tensors": {
        name: {
            "dtype": SAFETENSORS_DTYPE[t.dtype],
            "shape": list(t.shape),
            "hex": t.contiguous().view(torch.uint8).numpy().tobytes().hex() if t.dim() > 0
            else t.reshape(1).view(torch.uint8).numpy().tobytes().hex(),
            "values": values(t),
        }
        for name, t in tensors.items()
    },
}
with open(os.path.join(fixtures, "pytorch_small.json"), "w") as f:
    json.dump(record, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {path} ({len(blob)} bytes) with order {order}")
