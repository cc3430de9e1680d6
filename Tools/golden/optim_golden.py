"""Writes Tests/TorchTests/Fixtures/optim.json: torch.optim trajectories and LR schedules.

Optimizers: each configuration trains two float32 (or float64) parameters, W [3, 4] and b [4], for ten
steps on loss = ((x @ W + b - y) ** 2).sum() with fixed x [5, 3] and y [5, 4], using the
single-tensor (foreach=False) path, PyTorch's default on CPU. For every step it records the
gradients the step used and the parameters after it; it also records the state_dict after
five steps (tensors flattened as state.<index>.<name>, plus param_groups) so the Swift test can
resume from PyTorch's own state. Float32 values are stored as JSON numbers (exact as doubles).

Schedulers: an SGD optimizer with two groups (lr 0.1 and 0.05) and get_last_lr() after
construction and after each of 30 steps (31 lists), for each scheduler (or chain of them).

OptimTests.swift replays all of it. Run from the package root:
    python3 Tools/golden/optim_golden.py
"""

import json
import os
import warnings

import torch

STEPS = 10
RESUME_AT = 5

torch.manual_seed(0)
W0 = torch.randn(3, 4)
B0 = torch.randn(4)
X = torch.randn(5, 3)
Y = torch.randn(5, 4)


def floats(t):
    return [float(v) for v in t.detach().reshape(-1).tolist()]


def tensor_entry(t):
    return {"shape": list(t.shape), "dtype": str(t.dtype).replace("torch.", ""), "values": floats(t)}


def loss_fn(w, b):
    return ((X.to(w.dtype).matmul(w) + b - Y.to(w.dtype)) ** 2).sum()


# name, optimizer class, keyword arguments, groups (None = one group of [W, b]), [dtype]
OPTIMIZERS = [
    ("sgd_plain", "SGD", {"lr": 0.01}, None),
    ("sgd_momentum", "SGD", {"lr": 0.01, "momentum": 0.9}, None),
    ("sgd_dampening", "SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3}, None),
    ("sgd_nesterov", "SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}, None),
    ("sgd_weight_decay", "SGD", {"lr": 0.01, "momentum": 0.8, "weight_decay": 0.1}, None),
    ("sgd_maximize", "SGD", {"lr": 0.001, "momentum": 0.5, "weight_decay": 0.2, "maximize": True}, None),
    ("sgd_groups", "SGD", {"lr": 0.01, "momentum": 0.9},
     [{"params": ["W"], "lr": 0.02, "nesterov": True}, {"params": ["b"], "momentum": 0.5, "dampening": 0.1}]),
    ("adam_plain", "Adam", {"lr": 0.01}, None),
    ("adam_weight_decay", "Adam", {"lr": 0.01, "weight_decay": 0.1}, None),
    ("adam_amsgrad", "Adam", {"lr": 0.02, "amsgrad": True}, None),
    ("adam_betas", "Adam", {"lr": 0.01, "betas": (0.3, 0.99), "eps": 1e-6}, None),
    ("adam_maximize", "Adam", {"lr": 0.001, "maximize": True, "weight_decay": 0.05}, None),
    ("adam_groups", "Adam", {"lr": 1e-3},
     [{"params": ["W"], "lr": 0.01}, {"params": ["b"], "lr": 0.05, "amsgrad": True}]),
    ("adamw", "AdamW", {"lr": 0.01}, None),
    ("adamw_amsgrad", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, None),
    ("sgd_float64", "SGD", {"lr": 0.01, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}, None, "float64"),
    ("adam_float64", "Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}, None, "float64"),
]


def jsonable(value):
    if isinstance(value, tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def state_entry(opt):
    sd = opt.state_dict()
    tensors = {}
    for index, entries in sd["state"].items():
        for name, t in entries.items():
            tensors[f"state.{index}.{name}"] = tensor_entry(t)
    groups = [{k: jsonable(v) for k, v in g.items()} for g in sd["param_groups"]]
    return {"tensors": tensors, "param_groups": groups}


def run_optimizer(name, kind, kwargs, groups, dtype="float32"):
    w = torch.nn.Parameter(W0.to(getattr(torch, dtype)).clone())
    b = torch.nn.Parameter(B0.to(getattr(torch, dtype)).clone())
    named = {"W": w, "b": b}
    cls = getattr(torch.optim, kind)
    if groups is None:
        params = [w, b]
    else:
        params = [dict(g, params=[named[n] for n in g["params"]]) for g in groups]
    opt = cls(params, foreach=False, **kwargs)
    steps = []
    resume = None
    for i in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(w, b)
        loss.backward()
        grads = {"W": floats(w.grad), "b": floats(b.grad)}
        opt.step()
        steps.append({"loss": float(loss.detach()), "grads": grads, "params": {"W": floats(w), "b": floats(b)}})
        if i + 1 == RESUME_AT:
            resume = state_entry(opt)
    return {
        "name": name,
        "optimizer": kind,
        "dtype": dtype,
        "kwargs": {k: jsonable(v) for k, v in kwargs.items()},
        "groups": groups,
        "steps": steps,
        "resume_at": RESUME_AT,
        "state_at_resume": resume,
        "final_state": state_entry(opt),
    }


# name, list of (scheduler class, keyword arguments) stepped together each epoch
SCHEDULERS = [
    ("step", [("StepLR", {"step_size": 7, "gamma": 0.5})]),
    ("step_default_gamma", [("StepLR", {"step_size": 4})]),
    ("multistep", [("MultiStepLR", {"milestones": [5, 12, 12, 20], "gamma": 0.3})]),
    ("exponential", [("ExponentialLR", {"gamma": 0.9})]),
    ("cosine", [("CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001})]),
    ("cosine_zero_min", [("CosineAnnealingLR", {"T_max": 7})]),
    ("chained_exponential_step", [("ExponentialLR", {"gamma": 0.95}), ("StepLR", {"step_size": 3, "gamma": 0.5})]),
]


def run_schedulers(name, specs):
    p = torch.nn.Parameter(torch.zeros(1))
    q = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [p], "lr": 0.1}, {"params": [q], "lr": 0.05}], lr=0.1)
    scheds = [getattr(torch.optim.lr_scheduler, cls)(opt, **kw) for cls, kw in specs]
    lrs = [list(scheds[-1].get_last_lr())]
    for _ in range(30):
        opt.step()  # no gradients: changes nothing, but keeps PyTorch's call order
        for s in scheds:
            s.step()
        lrs.append(list(scheds[-1].get_last_lr()))
    return {"name": name, "schedulers": [{"type": c, "kwargs": kw} for c, kw in specs], "lrs": lrs}


def main():
    warnings.simplefilter("error")  # any scheduler-order warning means the script is wrong
    out = {
        "torch_version": torch.__version__,
        "initial": {"W": tensor_entry(W0), "b": tensor_entry(B0), "x": tensor_entry(X), "y": tensor_entry(Y)},
        "optimizers": [run_optimizer(*c) for c in OPTIMIZERS],
        "schedulers": [run_schedulers(*c) for c in SCHEDULERS],
    }
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
    path = os.path.join(root, "Tests", "TorchTests", "Fixtures", "optim.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(out['optimizers'])} optimizer runs, {len(out['schedulers'])} schedules")


if __name__ == "__main__":
    main()
