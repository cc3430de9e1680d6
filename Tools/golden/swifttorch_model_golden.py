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

sys.path.insert(0, os.path.dirname(__file__))
HERE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures")

import torch.nn as nn
import torch.nn.functional as F


class Network(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(in_channels=1, out_channels=6, kernel_size=5)
        self.conv2 = nn.Conv2d(in_channels=6, out_channels=12, kernel_size=5)
        self.fc1 = nn.Linear(in_features=12 * 4 * 4, out_features=120)
        self.fc2 = nn.Linear(in_features=120, out_features=60)
        self.out = nn.Linear(in_features=60, out_features=10)

    def forward(self, t):
        t = F.max_pool2d(F.relu(self.conv1(t)), kernel_size=2, stride=2)
        t = F.max_pool2d(F.relu(self.conv2(t)), kernel_size=2, stride=2)
        t = F.relu(self.fc1(t.reshape(-1, 12 * 4 * 4)))
        return self.out(F.relu(self.fc2(t)))


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
