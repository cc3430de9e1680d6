"""PyTorch twin of Benchmarks/SwiftTorchBench: the same named workloads, timing rules and JSON lines.

Run: python3 Benchmarks/pytorch_twin.py --threads 2 [--quick] [--only sgemm,cnn] [--list]

Every workload here mirrors the Swift one of the same name (Benchmarks/SwiftTorchBench/
Workloads.swift and Epoch.swift); change both together. Timing (Harness.swift): calibrate the
calls per sample so that a sample lasts `target` seconds (this also warms up), then take `reps`
samples and report the median seconds per call.
"""
import argparse
import gzip
import json
import math
import os
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Timing:
    def __init__(self, quick):
        if quick:
            self.target, self.reps, self.slow_reps, self.slow_call = 0.005, 3, 1, 0.02
        else:
            self.target, self.reps, self.slow_reps, self.slow_call = 0.05, 7, 3, 0.1


def measure(opts, body):
    body()  # warm-up call, then calibration (see Harness.swift)
    n = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(n):
            body()
        elapsed = time.perf_counter() - t0
        if elapsed >= opts.target / 5 or n >= 1 << 24:
            break
        n *= 4
    per_call = elapsed / n
    inner = max(1, math.ceil(opts.target / per_call))
    reps = opts.slow_reps if per_call > opts.slow_call else opts.reps
    samples, cpu = [], []
    for _ in range(reps):
        c0, t0 = time.process_time(), time.perf_counter()
        for _ in range(inner):
            body()
        t1, c1 = time.perf_counter(), time.process_time()
        samples.append((t1 - t0) / inner)
        cpu.append((c1 - c0) / inner)
    samples.sort()
    cpu.sort()
    return dict(median_s=median(samples), min_s=samples[0], max_s=samples[-1], reps=reps, inner=inner,
                cpu_s=median(cpu))


def median(xs):
    c = len(xs)
    return xs[c // 2] if c % 2 else (xs[c // 2 - 1] + xs[c // 2]) / 2


def emit(fields):
    print(json.dumps(fields), flush=True)


def proc_status_mib(field):
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int("".join(ch for ch in line.split(":", 1)[1] if ch.isdigit())) / 1024
    except OSError:
        pass
    return None


def reset_peak_rss():
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def checksum(t):
    with torch.no_grad():
        return t.double().sum().item()


sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tools", "golden"))
from course_network import Network as CourseNetwork  # noqa: E402  (the same module the fixtures use)


def training_steps(setup):
    """A training-step workload from setup() -> (net, opt, x, y): the timed call, and a check
    that is the loss after three steps from a fresh setup."""
    net, opt, x, y = setup()

    def check():
        net, opt, x, y = setup()
        for _ in range(3):
            loss = train_step(net, opt, x, y).item()
        return loss
    return (lambda: train_step(net, opt, x, y)), check


def train_step(net, opt, x, y):
    loss = F.cross_entropy(net(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss


# Each workload: name, flops per call (or None), and make() -> (run, check or None).
def all_workloads():
    wl = []

    for n in [64, 128, 256, 512, 1024, 2048]:
        def make(n=n):
            torch.manual_seed(0)
            a, b = torch.randn(n, n), torch.randn(n, n)
            return (lambda: torch.mm(a, b)), (lambda: checksum(torch.mm(a, b)))
        wl.append((f"sgemm_{n}", 2.0 * n * n * n, make))

    for m, n, k in [(2400, 6, 25), (1600, 12, 150), (128, 10, 256)]:
        def make(m=m, n=n, k=k):
            torch.manual_seed(0)
            a, b = torch.randn(m, k), torch.randn(k, n)
            return (lambda: torch.mm(a, b)), (lambda: checksum(torch.mm(a, b)))
        wl.append((f"mm_{m}x{n}x{k}", 2.0 * m * n * k, make))

    def make_add_grad():
        torch.manual_seed(0)
        a, b = torch.randn(4, requires_grad=True), torch.randn(4, requires_grad=True)
        return (lambda: a + b), None
    wl.append(("add4_autograd", None, make_add_grad))

    def make_add_nograd():
        torch.manual_seed(0)
        a, b = torch.randn(4), torch.randn(4)
        return (lambda: a + b), None
    wl.append(("add4_nograd", None, make_add_nograd))

    def make_linear_call():
        in_features = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
        weight_matrix = torch.tensor([[1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 6]], dtype=torch.float32)
        fc = nn.Linear(in_features=4, out_features=3, bias=False)
        fc.weight = nn.Parameter(weight_matrix)
        return (lambda: fc(in_features)), (lambda: checksum(fc(in_features)))
    wl.append(("linear4x3_call", None, make_linear_call))

    def make_linear_fb():
        torch.manual_seed(0)
        fc = nn.Linear(784, 256)
        x, gy = torch.randn(128, 784), torch.randn(128, 256)

        def run():
            fc.zero_grad()
            fc(x).backward(gy)

        def check():
            run()
            return checksum(fc.weight.grad)
        return run, check
    wl.append(("linear784x256_fwd_bwd_b128", 2.0 * 2 * 128 * 784 * 256, make_linear_fb))

    def make_mlp():
        def setup():
            torch.manual_seed(0)
            net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
            opt = torch.optim.SGD(net.parameters(), lr=0.01)
            return net, opt, torch.randn(128, 784), torch.randint(0, 10, (128,))
        return training_steps(setup)
    wl.append(("mlp_sgd_step_b128", 3.0 * 2 * 128 * (784 * 256 + 256 * 10), make_mlp))

    for name, shape, out, input_grad in [("conv1", (100, 1, 28, 28), 6, False), ("conv2", (100, 6, 12, 12), 12, True)]:
        side = shape[2] - 4
        flops = 2.0 * shape[0] * out * shape[1] * 25 * side * side

        def make_fwd(shape=shape, out=out):
            torch.manual_seed(0)
            conv = nn.Conv2d(shape[1], out, 5)
            x = torch.randn(*shape)

            def run():
                with torch.no_grad():
                    return conv(x)

            def check():
                with torch.no_grad():
                    return checksum(conv(x))
            return run, check
        wl.append((f"{name}_fwd_b100", flops, make_fwd))

        def make_fb(shape=shape, out=out, side=side, input_grad=input_grad):
            torch.manual_seed(0)
            conv = nn.Conv2d(shape[1], out, 5)
            x = torch.randn(*shape, requires_grad=input_grad)
            gy = torch.randn(shape[0], out, side, side)

            def run():
                conv.zero_grad()
                x.grad = None
                conv(x).backward(gy)

            def check():
                run()
                return checksum(conv.weight.grad)
            return run, check
        wl.append((f"{name}_fwd_bwd_b100", flops * (3 if input_grad else 2), make_fb))

    def make_cnn():
        def setup():
            torch.manual_seed(50)
            net = CourseNetwork()
            opt = torch.optim.Adam(net.parameters(), lr=0.01)
            return net, opt, torch.rand(100, 1, 28, 28), torch.randint(0, 10, (100,))
        return training_steps(setup)
    wl.append(("cnn_adam_step_b100", None, make_cnn))
    return wl


EPOCH = "epoch_fashion_mnist"


def read_idx(directory, stem, magic):
    for path in (f"{directory}/{stem}.gz", f"{directory}/{stem}"):
        if os.path.exists(path):
            with open(path, "rb") as f:
                raw = f.read()
            if raw[:2] == b"\x1f\x8b":
                raw = gzip.decompress(raw)
            got, = struct.unpack(">I", raw[:4])
            assert got == magic, f"{path}: not an IDX file of the expected kind"
            dims = raw[3]
            shape = struct.unpack(f">{dims}I", raw[4:4 + 4 * dims])
            return torch.frombuffer(bytearray(raw[4 + 4 * dims:]), dtype=torch.uint8).reshape(shape)
    raise FileNotFoundError(f"{directory}/{stem}(.gz)")


class IDXImages(torch.utils.data.Dataset):
    """uint8 images gathered and scaled per batch (the sampler yields index lists), as SwiftTorch's batch()."""

    def __init__(self, directory, limit):
        self.images = read_idx(directory, "train-images-idx3-ubyte", 0x0803)[:limit]
        self.labels = read_idx(directory, "train-labels-idx1-ubyte", 0x0801)[:limit].long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, indices):
        idx = torch.tensor(indices)
        return (self.images[idx].float() / 255.0).unsqueeze(1), self.labels[idx]


def run_epoch(directory, limit, threads):
    torch.manual_seed(50)
    data = IDXImages(directory, limit)
    net = CourseNetwork()
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    sampler = torch.utils.data.BatchSampler(torch.utils.data.RandomSampler(data), batch_size=100, drop_last=False)
    loader = torch.utils.data.DataLoader(data, batch_size=None, sampler=sampler)
    rss_loaded = proc_status_mib("VmRSS") or 0
    t0, c0 = time.perf_counter(), time.process_time()
    total_loss, correct, batches = 0.0, 0, 0
    for images, labels in loader:
        preds = net(images)
        loss = F.cross_entropy(preds, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        total_loss += loss.item()
        correct += preds.argmax(dim=1).eq(labels).sum().item()
        batches += 1
    seconds, cpu_seconds = time.perf_counter() - t0, time.process_time() - c0
    emit(dict(impl="pytorch", workload=EPOCH, threads=threads, median_s=seconds, min_s=seconds, max_s=seconds,
              reps=1, inner=1, cpu_s=cpu_seconds, images=len(data), batches=batches, check=total_loss,
              accuracy=correct / len(data), rss_loaded_mib=rss_loaded, peak_rss_mib=proc_status_mib("VmHWM") or 0))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--threads", type=int, default=torch.get_num_threads())
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", action="append", default=[])
    p.add_argument("--list", action="store_true")
    p.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    p.add_argument("--epoch-images", type=int)
    args = p.parse_args()
    filters = [f for group in args.only for f in group.split(",") if f]

    def selected(name):
        return not filters or any(name == f or name.startswith(f) for f in filters)

    workloads = all_workloads()
    if args.list:
        for name, _, _ in workloads:
            print(name)
        print(EPOCH)
        return
    torch.set_num_threads(args.threads)
    opts = Timing(args.quick)
    for name, flops, make in workloads:
        if not selected(name):
            continue
        print(f"pytorch {name} (threads {args.threads})", file=sys.stderr)
        run, check = make()
        check_value = check() if check else None
        m = measure(opts, run)
        fields = dict(impl="pytorch", workload=name, threads=args.threads, **m)
        if flops:
            fields["gflops"] = flops / m["median_s"] * 1e-9
        if check_value is not None:
            fields["check"] = check_value
        emit(fields)
    if selected(EPOCH):
        print(f"pytorch {EPOCH} (threads {args.threads})", file=sys.stderr)
        reset_peak_rss()
        limit = args.epoch_images or (1000 if args.quick else None)
        run_epoch(args.data, limit, args.threads)


if __name__ == "__main__":
    main()
