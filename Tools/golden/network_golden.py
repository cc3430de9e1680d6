"""Writes the course-network fixtures:
- Tests/TorchTests/Fixtures/network_seed50.safetensors: Network() state dict right after
  torch.manual_seed(50) (the init streams must match bit for bit);
- Tests/TorchTests/Fixtures/network_steps.safetensors: a fixed batch, its labels, the loss, and the
  parameters after each of three Adam(lr=0.01) steps;
- Tests/TorchTests/Fixtures/network_repr.txt: print(net)."""
import json
import os
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

HERE = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures")


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
