"""The SwiftTorch -> PyTorch direction of the safetensors interchange (issue 5).

Reads Tests/TorchTests/Fixtures/swifttorch_model.safetensors -- a `model.safetensors` exactly as
`swifttorch train` writes it (state dict plus the epoch/history/rng_state metadata), written by
SwiftTorch itself: NetworkTests regenerates it with SWIFTTORCH_WRITE_FIXTURES=1 and otherwise
checks that SwiftTorch still writes these exact bytes. PyTorch's `safetensors` package loads it
into the course network with strict=True, and the logits on the fixed batch of
network_steps.safetensors are written to swifttorch_model_pytorch.safetensors, which the Swift
test compares with SwiftTorch's own forward pass.
Run from the package root:  python3 Tools/golden/swifttorch_model_golden.py
"""
import os
import sys

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from course_network import Network  # noqa: E402
HERE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures")

torch.set_num_threads(1)  # PyTorch's conv sums differ with the thread count; one thread is reproducible
path = os.path.join(HERE, "swifttorch_model.safetensors")
with safe_open(path, framework="pt") as f:
    metadata = f.metadata()
    assert set(metadata) >= {"epoch", "history", "rng_state"}, metadata
net = Network()
net.load_state_dict(load_file(path), strict=True)
batch = load_file(os.path.join(HERE, "network_steps.safetensors"))
with torch.no_grad():
    logits = net(batch["images"])
save_file({"logits": logits.contiguous(), "predictions": logits.argmax(dim=1)},
          os.path.join(HERE, "swifttorch_model_pytorch.safetensors"),
          metadata={"generator": f"torch {torch.__version__}", "epoch": metadata["epoch"]})
print("PyTorch loaded", path, "epoch", metadata["epoch"], "predictions", logits.argmax(dim=1).tolist())
