"""Writes the course-network fixtures:
- Tests/TorchTests/Fixtures/network_seed50.safetensors: Network() state dict right after
  torch.manual_seed(50) (the init streams must match bit for bit);
- Tests/TorchTests/Fixtures/network_steps.safetensors: a fixed batch, its labels, the loss, and the
  parameters after each of three Adam(lr=0.01) steps;
- Tests/TorchTests/Fixtures/network_repr.txt: print(net)."""
import json
import os
import sys
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from course_network import Network  # noqa: E402

torch.manual_seed(50)
net = Network()
save_file({k: v.contiguous() for k, v in net.state_dict().items()}, os.path.join(HERE, "network_seed50.safetensors"))

torch.manual_seed(1)
images = torch.rand(16, 1, 28, 28)
labels = torch.randint(0, 10, (16,))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
steps = {"images": images, "labels": labels}
for step in range(3):
    loss = F.cross_entropy(net(images), labels)
    steps[f"loss{step}"] = loss.detach().reshape(1)
    opt.zero_grad()
    loss.backward()
    opt.step()
    for k, v in net.state_dict().items():
        steps[f"step{step}.{k}"] = v.detach().clone().contiguous()
save_file(steps, os.path.join(HERE, "network_steps.safetensors"))
print("repr:", repr(net))
with open(os.path.join(HERE, "network_repr.txt"), "w") as f:
    f.write(repr(net))
