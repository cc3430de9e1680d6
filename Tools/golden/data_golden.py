"""Writes Tests/TorchTests/Fixtures/dataloader.json: PyTorch's DataLoader(shuffle=True) batch
order for a 1,000-item dataset after manual_seed, two epochs, and random_split."""
import json
import os
import torch
from torch.utils.data import DataLoader, random_split

out = {}
for seed in [0, 50]:
    torch.manual_seed(seed)
    dl = DataLoader(list(range(1000)), batch_size=100, shuffle=True)
    epoch1 = [b.tolist() for b in dl][:3]
    epoch2 = [b.tolist() for b in dl][:3]
    out[f"seed{seed}"] = {"epoch1": epoch1, "epoch2": epoch2}
torch.manual_seed(7)
dl = DataLoader(list(range(10)), batch_size=4, shuffle=False)
out["noshuffle_then_rand"] = {"batches": [b.tolist() for b in dl], "rand": torch.rand(3).tolist()}
torch.manual_seed(3)
a, b = random_split(list(range(10)), [7, 3])
out["random_split"] = [list(a.indices), list(b.indices)]
path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures", "dataloader.json")
with open(path, "w") as f:
    json.dump(out, f)
