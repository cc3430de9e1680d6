"""Writes Tests/TorchTests/Fixtures/modules.json: hook event order and replacement semantics,
backward-hook gradients of a two-layer network, and module reprs, recorded from PyTorch."""
import json
import os
import torch
import torch.nn as nn
from torch.nn.modules.module import register_module_forward_pre_hook, register_module_forward_hook

out = {}

# --- hook order: all six kinds, prepend, removal, global hooks ---
torch.manual_seed(0)
fc = nn.Linear(3, 2)
events = []
g1 = register_module_forward_pre_hook(lambda m, i: events.append("global_pre"))
g2 = register_module_forward_hook(lambda m, i, o: events.append("global_fwd"))
fc.register_forward_pre_hook(lambda m, i: events.append("pre_a"))
fc.register_forward_pre_hook(lambda m, i: events.append("pre_b_prepended"), prepend=True)
h = fc.register_forward_pre_hook(lambda m, i: events.append("pre_removed"))
h.remove()
fc.register_forward_hook(lambda m, i, o: events.append("fwd_a"))
fc.register_forward_hook(lambda m, i, o: events.append("fwd_b_prepended"), prepend=True)
fc.register_full_backward_pre_hook(lambda m, go: events.append("bwd_pre"))
fc.register_full_backward_hook(lambda m, gi, go: events.append("bwd_a"))
fc.register_full_backward_hook(lambda m, gi, go: events.append("bwd_b_prepended"), prepend=True)
x = torch.ones(1, 3, requires_grad=True)
y = fc(x)
events.append("after_call")
y.sum().backward()
g1.remove(); g2.remove()
out["hook_order"] = events
out["hook_grad_fn"] = type(y.grad_fn).__name__

# --- replacement semantics ---
torch.manual_seed(0)
fc = nn.Linear(3, 2)
fc.register_forward_pre_hook(lambda m, i: (i[0] * 2,))
fc.register_forward_hook(lambda m, i, o: o + 1)
fc.register_full_backward_pre_hook(lambda m, go: (go[0] * 3,))
fc.register_full_backward_hook(lambda m, gi, go: (gi[0] * 10,))
x = torch.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
y = fc(x)
y.sum().backward()
out["replace"] = {
    "weight": fc.weight.detach().flatten().tolist(), "bias": fc.bias.detach().tolist(),
    "y": y.detach().flatten().tolist(), "x_grad": x.grad.flatten().tolist(),
    "w_grad": fc.weight.grad.flatten().tolist(), "b_grad": fc.bias.grad.tolist(),
}

# --- backward hooks on a two-layer network ---
torch.manual_seed(1)
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 5)
        self.fc2 = nn.Linear(5, 3)
    def forward(self, t):
        return self.fc2(torch.relu(self.fc1(t)))
net = Net()
seen = []
def rec(name):
    def hook(m, gi, go):
        seen.append({"module": name,
                     "grad_input": [None if g is None else g.flatten().tolist() for g in gi],
                     "grad_output": [None if g is None else g.flatten().tolist() for g in go]})
    return hook
net.fc1.register_full_backward_hook(rec("fc1"))
net.fc2.register_full_backward_hook(rec("fc2"))
x = torch.randn(2, 4)
y = net(x)
(y * torch.arange(6.0).reshape(2, 3)).sum().backward()
out["two_layer"] = {
    "params": {k: v.detach().flatten().tolist() for k, v in net.state_dict().items()},
    "shapes": {k: list(v.shape) for k, v in net.state_dict().items()},
    "x": x.flatten().tolist(), "events": seen,
}

# --- reprs ---
out["repr_net"] = repr(net)
out["repr_seq"] = repr(nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10, bias=False)))
class Outer(nn.Module):
    def __init__(self):
        super().__init__()
        self.body = nn.Sequential(nn.Linear(2, 3), nn.Tanh())
        self.head = nn.Linear(3, 1)
        self.blocks = nn.ModuleList([nn.Identity(), nn.Sigmoid()])
out["repr_outer"] = repr(Outer())
out["outer_names"] = [n for n, _ in Outer().named_parameters()]
out["outer_modules"] = [n for n, _ in Outer().named_modules()]
bad = nn.Linear(4, 3)
try:
    bad.load_state_dict({"weight": torch.zeros(3, 5), "extra": torch.zeros(1)})
except RuntimeError as e:
    out["load_error"] = str(e)

path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures", "modules.json")
with open(path, "w") as f:
    json.dump(out, f, indent=1)
