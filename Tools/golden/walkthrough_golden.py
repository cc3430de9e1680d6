"""Writes Tests/TorchTests/Fixtures/walkthrough.txt: the tutorial "Callable Neural Networks -
Linear Layers in Depth" replayed in PyTorch, exactly as `swifttorch demo linear` must print it."""
import io
import os
import contextlib
import torch
import torch.nn as nn


def walkthrough():
    torch.manual_seed(50)
    print(">>> in_features = torch.tensor([1, 2, 3, 4], dtype=torch.float32)")
    in_features = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
    print(">>> weight_matrix = torch.tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype=torch.float32)")
    weight_matrix = torch.tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype=torch.float32)
    print(">>> weight_matrix.matmul(in_features)")
    print(weight_matrix.matmul(in_features))
    print(">>> fc = nn.Linear(in_features=4, out_features=3, bias=True)")
    fc = nn.Linear(in_features=4, out_features=3, bias=True)
    print(">>> fc")
    print(fc)
    print(">>> fc(in_features)")
    print(fc(in_features))
    print(">>> fc.weight = nn.Parameter(weight_matrix)")
    fc.weight = nn.Parameter(weight_matrix)
    print(">>> fc.weight")
    print(fc.weight)
    print(">>> fc(in_features)")
    print(fc(in_features))
    print(">>> fc = nn.Linear(in_features=4, out_features=3, bias=False)")
    fc = nn.Linear(in_features=4, out_features=3, bias=False)
    fc.weight = nn.Parameter(weight_matrix)
    print(">>> fc(in_features)")
    print(fc(in_features))
    print(">>> fc.register_forward_pre_hook(...); fc.register_forward_hook(...)")
    fc.register_forward_pre_hook(lambda m, inp: print("entering forward of Linear"))
    fc.register_forward_hook(lambda m, inp, out: print("leaving forward of Linear"))
    print(">>> fc(in_features)")
    print(fc(in_features))


if __name__ == "__main__":
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        walkthrough()
    text = buf.getvalue()
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures", "walkthrough.txt")
    with open(out, "w") as f:
        f.write(text)
    print(text, end="")
