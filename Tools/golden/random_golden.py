"""Writes Tests/TorchTests/Fixtures/random.json: PyTorch's CPU random streams, bit for bit.

Each case seeds a generator (the default one, or an explicit torch.Generator) and runs a list
of ops; every op records the exact bit patterns torch produced (float32 as UInt32, float64 as
UInt64, int64 as signed, all decimal strings). Results longer than 64 values are stored
compactly: first/last 20 patterns, their sum and position-weighted sum mod 2^64 (see pack).
The Swift test (GeneratorTests.swift) replays the same ops on Generator and compares exactly.

Some bits depend on the CPU kernel build torch dispatches to: with AVX2, float32 normal_ on
>= 16 elements uses avx_mathfun polynomials and GCC fused `x * (to - from) + from` and
`value * std + mean` into FMAs; the "default" build uses libm and no FMA. "cases" come from
this machine's build (recorded as "cpuKernel"); section "defaultKernel" repeats the affected
ops in a child process run with ATEN_CPU_CAPABILITY=default.

Run from the package root:  python3 Tools/golden/random_golden.py [--slow]
(--slow adds torch.randperm(214748364), the first size on randperm's random64 path, and
214748363, the last on the 32-bit path: about a minute and several GB of memory.)
"""

import hashlib
import json
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn.functional as F

MASK32 = (1 << 32) - 1
MASK64 = (1 << 64) - 1
COMPACT_OVER = 64  # results longer than this are summarised
INT64_MIN = -(1 << 63)


# ---------------------------------------------------------------------------------------------
# Reference mt19937 (init_genrand seeding, as at::mt19937 does) for the raw random()/random64()
# cases; checked against torch below, since torch has no op that returns raw draws.
class MT19937:
    def __init__(self, seed):
        self.mt = [0] * 624
        self.mt[0] = seed & MASK32
        for i in range(1, 624):
            prev = self.mt[i - 1]
            self.mt[i] = (1812433253 * (prev ^ (prev >> 30)) + i) & MASK32
        self.index = 624

    def twist(self):
        mt = self.mt
        for i in range(624):
            y = (mt[i] & 0x80000000) | (mt[(i + 1) % 624] & 0x7FFFFFFF)
            mt[i] = mt[(i + 397) % 624] ^ (y >> 1) ^ (0x9908B0DF if y & 1 else 0)
        self.index = 0

    def random(self):
        if self.index >= 624:
            self.twist()
        y = self.mt[self.index]
        self.index += 1
        y ^= y >> 11
        y ^= (y << 7) & 0x9D2C5680
        y ^= (y << 15) & 0xEFC60000
        y ^= y >> 18
        return y & MASK32

    def random64(self):
        hi = self.random()
        lo = self.random()
        return (hi << 32) | lo


def fnv64(words):
    """Word-wise FNV-1a (here over the state bytes; easy to mirror in Swift with &*)."""
    h = 0xCBF29CE484222325
    for w in words:
        h ^= w & MASK64
        h = (h * 0x100000001B3) & MASK64
    return h


def pack(words):
    """Full list of decimal strings, or a compact summary for long results.

    words: a list of Python ints or a numpy uint64/int64 array (huge results stay in numpy).
    The summary keeps first/last 20, the sum and the position-weighted sum sum((i+1)*w),
    both mod 2^64, over the words read as unsigned 64-bit.
    """
    n = len(words)
    if n <= COMPACT_OVER:
        return {"values": [str(int(w)) for w in words]}
    arr = np.asarray(words)
    unsigned = arr.view(np.uint64) if arr.dtype == np.int64 else arr.astype(np.uint64)
    total = weighted = 0
    for start in range(0, n, 1 << 22):  # chunks keep memory flat for 2^28-element results
        chunk = unsigned[start:start + (1 << 22)]
        index = np.arange(start + 1, start + 1 + len(chunk), dtype=np.uint64)
        total = (total + int(chunk.sum(dtype=np.uint64))) & MASK64
        weighted = (weighted + int((chunk * index).sum(dtype=np.uint64))) & MASK64
    return {
        "compact": {
            "count": n,
            "first": [str(int(w)) for w in arr[:20]],
            "last": [str(int(w)) for w in arr[-20:]],
            "sum": str(total),
            "weightedSum": str(weighted),
        }
    }


def bit_words(t):
    """Bit patterns as a numpy array: uint32 for float32, uint64 for float64, int64 as is."""
    t = t.contiguous().reshape(-1)
    if t.dtype == torch.float32:
        return t.view(torch.int32).numpy().view(np.uint32)
    if t.dtype == torch.float64:
        return t.view(torch.int64).numpy().view(np.uint64)
    if t.dtype == torch.int64:
        return t.numpy()
    raise ValueError(t.dtype)


def state_record(g, full):
    raw = bytes((torch.get_rng_state() if g is None else g.get_state()).tolist())
    assert len(raw) == 5056
    rec = {"length": len(raw), "head": list(raw[:64]), "fnv": str(fnv64(raw)),
           "sha256": hashlib.sha256(raw).hexdigest()}
    if full:
        rec["hex"] = raw.hex()
    return rec


DTYPES = {"float32": torch.float32, "float64": torch.float64}


def run_op(g, op):
    """Runs one op on generator g (None = torch.default_generator) and fills in its result."""
    kw = {} if g is None else {"generator": g}
    kind = op["op"]
    if kind == "rand":
        t = torch.empty(op["n"], dtype=DTYPES[op["dtype"]])
        if "from" in op:
            t.uniform_(op["from"], op["to"], **kw)
        else:
            t = torch.rand(op["n"], dtype=DTYPES[op["dtype"]], **kw)
        op.update(pack(bit_words(t)))
    elif kind == "randn":
        if "mean" in op:
            t = torch.empty(op["n"], dtype=DTYPES[op["dtype"]]).normal_(op["mean"], op["std"], **kw)
        else:
            t = torch.randn(op["n"], dtype=DTYPES[op["dtype"]], **kw)
        op.update(pack(bit_words(t)))
    elif kind == "bernoulli":
        t = torch.empty(op["n"], dtype=DTYPES[op["dtype"]]).bernoulli_(op["p"], **kw)
        op.update(pack(bit_words(t)))
    elif kind == "dropout":
        # F.dropout on CPU is noise.bernoulli_(1 - p) then a scale; record the keep mask, which
        # the Swift side draws with fillBernoulli(p: 1 - p). Only the default generator.
        assert g is None
        out = F.dropout(torch.ones(op["n"]), op["p"], training=True)
        op.update(pack(bit_words((out != 0).to(torch.float32))))
    elif kind == "randint":
        t = torch.randint(op["low"], op["high"], (op["n"],), **kw)
        assert t.dtype == torch.int64
        op.update(pack(bit_words(t)))
    elif kind == "randperm":
        t = torch.randperm(op["n"], **kw)
        op.update(pack(bit_words(t)))
    elif kind == "random":
        t = torch.empty(op["n"], dtype=torch.int64)
        if "from" in op:
            t.random_(op["from"], op.get("to"), **kw)
        else:
            t.random_(**kw)
        op.update(pack(bit_words(t)))
    elif kind == "state":
        op.update(state_record(g, op.get("full", False)))
    elif kind == "setState":
        state = torch.tensor(list(bytes.fromhex(op["hex"])), dtype=torch.uint8)
        torch.set_rng_state(state) if g is None else g.set_state(state)
    elif kind == "manualSeed":
        torch.manual_seed(op["seed"]) if g is None else g.manual_seed(op["seed"])
    elif kind == "initialSeed":
        op["value"] = str(torch.initial_seed() if g is None else g.initial_seed())
    else:
        raise ValueError(kind)
    return op


def run_case(case):
    """case: name, generator ("default" | "explicit"), seed (None = unseeded Generator()), ops."""
    if case["generator"] == "default":
        g = None
        torch.manual_seed(case["seed"])
    else:
        g = torch.Generator()
        if case["seed"] is not None:
            g.manual_seed(case["seed"])
    for op in case["ops"]:
        run_op(g, op)
    if case["seed"] is not None:
        case["seed"] = str(case["seed"])
    return case


# ---------------------------------------------------------------------------------------------
SEEDS = [0, 1, 50, 12345]
SIZES = [1, 7, 15, 16, 17, 1000]
KINDS = [
    {"op": "rand", "dtype": "float32"},
    {"op": "rand", "dtype": "float64"},
    {"op": "rand", "dtype": "float32", "from": -2.5, "to": 3.75},
    {"op": "rand", "dtype": "float64", "from": -2.5, "to": 3.75},
    {"op": "rand", "dtype": "float32", "from": 0.1, "to": 0.3},
    {"op": "randn", "dtype": "float32"},
    {"op": "randn", "dtype": "float64"},
    {"op": "randn", "dtype": "float32", "mean": 1.5, "std": 0.25},
    {"op": "randn", "dtype": "float64", "mean": -3.0, "std": 2.5},
    {"op": "bernoulli", "dtype": "float32", "p": 0.3},
    {"op": "bernoulli", "dtype": "float64", "p": 0.3},
    {"op": "randint", "low": 0, "high": 10},
    {"op": "randint", "low": -5, "high": 1000003},
    {"op": "randint", "low": 0, "high": (1 << 28) - 1},   # last range on the 32-bit path
    {"op": "randint", "low": 0, "high": 1 << 28},         # first range on the 64-bit path
    {"op": "randint", "low": -(1 << 40), "high": 1 << 40},
    {"op": "random"},
    {"op": "random", "from": -7, "to": 12},
    {"op": "random", "from": 3},
    {"op": "random", "from": INT64_MIN},
]
PERM_SIZES = [0, 1, 2, 5, 7, 16, 100, 1000]


def is_float32_vector_normal(op):
    return op["op"] == "randn" and op["dtype"] == "float32" and op["n"] >= 16


def single_cases():
    cases = []
    for seed in SEEDS:
        for kind in KINDS:
            for n in SIZES:
                op = dict(kind, n=n)
                cases.append({"name": f"{kind['op']} seed {seed} n {n}", "generator": "default",
                              "seed": seed, "ops": [op]})
        for n in PERM_SIZES:
            cases.append({"name": f"randperm seed {seed} n {n}", "generator": "default",
                          "seed": seed, "ops": [{"op": "randperm", "n": n}]})
    for kind in [{"op": "rand", "dtype": "float32"}, {"op": "randn", "dtype": "float32"},
                 {"op": "randn", "dtype": "float64"}, {"op": "bernoulli", "dtype": "float32", "p": 0.3},
                 {"op": "randint", "low": 0, "high": 10}, {"op": "randperm"}]:
        cases.append({"name": f"{kind['op']} large", "generator": "explicit", "seed": 0,
                      "ops": [dict(kind, n=100000)]})
    return cases


def sequence_cases(captured_state_hex):
    cases = []
    for gen in ["default", "explicit"]:
        for seed in [0, 12345]:
            full = gen == "default" and seed == 0  # full state bytes once; hashes elsewhere
            ops = [
                {"op": "rand", "dtype": "float32", "n": 5},
                {"op": "randn", "dtype": "float32", "n": 20},
                {"op": "randperm", "n": 7},
                {"op": "randn", "dtype": "float64", "n": 3},   # scalar path: leaves a cached normal
                {"op": "state", "full": full},
                {"op": "randn", "dtype": "float32", "n": 1},   # consumes the cached (double) normal
                {"op": "randn", "dtype": "float64", "n": 2, "mean": 0.5, "std": 3.0},
                {"op": "randn", "dtype": "float32", "n": 1},
                {"op": "state", "full": full},
                {"op": "randn", "dtype": "float32", "n": 32},  # vector path ignores the cache
                {"op": "randn", "dtype": "float64", "n": 1},
                {"op": "rand", "dtype": "float64", "n": 3},
                {"op": "randint", "low": 0, "high": 100, "n": 9},
                {"op": "bernoulli", "dtype": "float32", "n": 17, "p": 0.5},
                {"op": "random", "n": 4},
                {"op": "state"},
                {"op": "initialSeed"},
                {"op": "manualSeed", "seed": 777},
                {"op": "initialSeed"},
                {"op": "state"},
                {"op": "randn", "dtype": "float32", "n": 15},
                {"op": "state"},
            ]
            cases.append({"name": f"sequence {gen} seed {seed}", "generator": gen, "seed": seed,
                          "ops": ops})
    # Draw across many twists, then check the state, for long-running streams.
    cases.append({"name": "long stream", "generator": "explicit", "seed": 50, "ops": [
        {"op": "rand", "dtype": "float64", "n": 5000}, {"op": "randn", "dtype": "float32", "n": 9},
        {"op": "randperm", "n": 3000}, {"op": "state"}]})
    # Restore a state torch wrote (with a cached normal), then keep drawing.
    for gen in ["default", "explicit"]:
        cases.append({"name": f"setState {gen}", "generator": gen, "seed": 999, "ops": [
            {"op": "setState", "hex": captured_state_hex},
            {"op": "state"}, {"op": "initialSeed"},
            {"op": "randn", "dtype": "float32", "n": 1},
            {"op": "randn", "dtype": "float64", "n": 4},
            {"op": "rand", "dtype": "float32", "n": 4},
            {"op": "state"}]})
    # Seeds wider than 32 bits: the engine uses the low 32, initial_seed keeps all 64.
    for seed in [(1 << 32) + 5, MASK64, 5]:
        cases.append({"name": f"wide seed {seed}", "generator": "explicit", "seed": seed, "ops": [
            {"op": "initialSeed"}, {"op": "rand", "dtype": "float32", "n": 5}, {"op": "state"}]})
    # An unseeded torch.Generator() starts from default_rng_seed_val.
    cases.append({"name": "unseeded Generator()", "generator": "explicit", "seed": None, "ops": [
        {"op": "initialSeed"}, {"op": "state", "full": True},
        {"op": "rand", "dtype": "float32", "n": 5}, {"op": "randn", "dtype": "float64", "n": 3}]})
    # Dropout masks (default generator only; F.dropout has no generator argument).
    for n in [10, 1000]:
        cases.append({"name": f"dropout n {n}", "generator": "default", "seed": 5, "ops": [
            {"op": "dropout", "n": n, "p": 0.3}]})
    return cases


def raw_cases():
    """random()/random64() from the reference engine, after checking it against torch.rand."""
    cases = []
    for seed in [0, 12345]:
        ref = MT19937(seed)
        r32 = [ref.random() for _ in range(700)]  # crosses the first 624-word twist
        r64 = [ref.random64() for _ in range(20)]
        g = torch.Generator().manual_seed(seed)
        got = torch.rand(700, generator=g)
        want = torch.tensor([(v & 0xFFFFFF) / 16777216.0 for v in r32], dtype=torch.float32)
        assert torch.equal(got, want), "reference mt19937 disagrees with torch"
        got64 = torch.rand(20, dtype=torch.float64, generator=g)
        want64 = torch.tensor([(v & ((1 << 53) - 1)) / 2.0 ** 53 for v in r64], dtype=torch.float64)
        assert torch.equal(got64, want64), "reference random64 disagrees with torch"
        cases.append({"name": f"raw seed {seed}", "seed": str(seed),
                      "random32": pack(np.array(r32, dtype=np.uint64)),
                      "random64": pack(np.array(r64, dtype=np.uint64))})
    return cases


def default_kernel_child():
    """Runs in a child with ATEN_CPU_CAPABILITY=default: the ops whose bits differ from the
    AVX2 build (float32 vector-path normals; uniform_ and scalar normal_ with an unfused a*b+c)."""
    cases = []
    for seed in SEEDS:
        ops = []
        for n in [16, 17, 31, 1000]:
            for mean, std in [(0.0, 1.0), (1.5, 0.25)]:
                ops.append({"op": "randn", "dtype": "float32", "n": n, "mean": mean, "std": std})
        for dtype in ["float32", "float64"]:
            for n in [7, 1000]:
                ops.append({"op": "rand", "dtype": dtype, "n": n, "from": -2.5, "to": 3.75})
            ops.append({"op": "randn", "dtype": dtype, "n": 15, "mean": -3.0, "std": 2.5})
        ops.append({"op": "state"})
        cases.append(run_case({"name": f"default kernel seed {seed}", "generator": "explicit",
                               "seed": seed, "ops": ops}))
    json.dump({"capability": torch.backends.cpu.get_cpu_capability(), "cases": cases}, sys.stdout)


def main():
    if "--child-default-kernel" in sys.argv:
        default_kernel_child()
        return
    capability = torch.backends.cpu.get_cpu_capability()

    g = torch.Generator().manual_seed(31)
    torch.rand(3, generator=g)
    torch.randn(5, generator=g)  # odd count on the scalar path: a normal stays cached
    captured = bytes(g.get_state().tolist()).hex()

    cases = [run_case(c) for c in single_cases() + sequence_cases(captured)]
    slow = []
    if "--slow" in sys.argv:
        n = (1 << 32) // 20  # first n on randperm's random64 path (n >= UINT32_MAX / 20)
        slow.append(run_case({"name": "randperm huge", "generator": "explicit", "seed": 0,
                              "ops": [{"op": "randperm", "n": n}]}))
        slow.append(run_case({"name": "randperm largest small-path n", "generator": "explicit",
                              "seed": 0, "ops": [{"op": "randperm", "n": n - 1}]}))

    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    child = subprocess.run([sys.executable, __file__, "--child-default-kernel"], env=env,
                           check=True, capture_output=True, text=True)
    default_kernel = json.loads(child.stdout)
    assert default_kernel["capability"] == "DEFAULT"

    fixture = {
        "torch": torch.__version__,
        "capability": capability,
        # Which torch kernel build produced "cases" (the Swift side pins it: CPUKernel).
        "cpuKernel": "avx2" if capability in ("AVX2", "AVX512") else "generic",
        "defaultSeed": str(torch.Generator().initial_seed()),
        "stateLength": len(torch.get_rng_state()),
        "cases": cases,
        "raw": raw_cases(),
        "defaultKernel": default_kernel["cases"],
        "slow": slow,
    }
    out = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TorchTests", "Fixtures",
                       "random.json")
    with open(out, "w") as f:
        # one case per line keeps diffs readable and the file small
        f.write("{\n")
        items = list(fixture.items())
        for i, (key, value) in enumerate(items):
            comma = "," if i + 1 < len(items) else ""
            if isinstance(value, list):
                f.write(f"{json.dumps(key)}: [\n")
                for j, item in enumerate(value):
                    sep = "," if j + 1 < len(value) else ""
                    f.write(json.dumps(item, separators=(",", ":")) + sep + "\n")
                f.write(f"]{comma}\n")
            else:
                f.write(f"{json.dumps(key)}: {json.dumps(value)}{comma}\n")
        f.write("}\n")
    print(f"wrote {os.path.normpath(out)} ({os.path.getsize(out)} bytes, {len(cases)} cases)")


if __name__ == "__main__":
    main()
