"""Joins the JSON lines of SwiftTorchBench and pytorch_twin.py into the comparison table.

Run by Scripts/bench-vs-pytorch:
    python3 Benchmarks/bench_table.py OUT.json RESULTS.jsonl [--note TEXT]
Prints the table (workload, threads, SwiftTorch median, PyTorch median, ratio PyTorch/SwiftTorch,
GFLOP/s of each, and the ratio of median CPU seconds per call) and writes OUT.json with the rows,
the raw lines, date and machine. A ratio above 1 means SwiftTorch is faster. The CPU-time ratio
is the steadier one on a loaded machine at 1 thread; with 2 threads it also counts spinning.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess


def fmt_time(s):
    if s is None:
        return "-"
    if s < 1e-6:
        return f"{s * 1e9:.0f} ns"
    if s < 1e-3:
        return f"{s * 1e6:.1f} us"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def machine():
    model, cores = platform.processor() or platform.machine(), os.cpu_count()
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return f"{model}, {cores} cores, {platform.system()} {platform.release()}"


def versions():
    out = {}
    try:
        import torch
        out["torch"] = torch.__version__
    except Exception:
        pass
    try:
        out["swift"] = subprocess.run(["swift", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    except Exception:
        pass
    return out


def combine_rounds(raw):
    """One record per (impl, workload, threads): with several rounds (--rounds), the median over
    the rounds of each round's median (wall and CPU seconds), GFLOP/s rescaled to it, the
    smallest minimum; the check of the first round (rounds must agree, like thread counts)."""
    groups = {}
    for r in raw:
        groups.setdefault((r["impl"], r["workload"], r["threads"]), []).append(r)
    by = {}
    for key, recs in groups.items():
        c = dict(recs[0])
        c["rounds"] = len(recs)
        c["median_s"] = statistics.median(r["median_s"] for r in recs)
        c["min_s"] = min(r.get("min_s", r["median_s"]) for r in recs)
        cpus = [r["cpu_s"] for r in recs if r.get("cpu_s")]
        if cpus:
            c["cpu_s"] = statistics.median(cpus)
        if recs[0].get("gflops"):
            c["gflops"] = recs[0]["gflops"] * recs[0]["median_s"] / c["median_s"]
        for k in ("peak_rss_mib", "rss_loaded_mib"):
            if k in recs[0]:
                c[k] = max(r[k] for r in recs if k in r)
        checks = {r.get("check") for r in recs}
        if len(checks) > 1:
            c["round_checks_differ"] = sorted(map(repr, checks))
        by[key] = c
    return by


def main():
    p = argparse.ArgumentParser()
    p.add_argument("out")
    p.add_argument("lines")
    p.add_argument("--note", default="")
    args = p.parse_args()

    raw = []
    with open(args.lines) as f:
        for line in f:
            line = line.strip()
            if line.startswith("{"):
                raw.append(json.loads(line))
    by = combine_rounds(raw)
    order = []
    for r in raw:
        if r["workload"] not in order:
            order.append(r["workload"])
    threads = sorted({r["threads"] for r in raw})

    rows = []
    for w in order:
        for t in threads:
            s, pt = by.get(("swifttorch", w, t)), by.get(("pytorch", w, t))
            if not s and not pt:
                continue
            row = dict(workload=w, threads=t,
                       swifttorch_s=s and s["median_s"], pytorch_s=pt and pt["median_s"],
                       ratio=(pt["median_s"] / s["median_s"]) if s and pt else None,
                       cpu_ratio=(pt["cpu_s"] / s["cpu_s"]) if s and pt and s.get("cpu_s") and pt.get("cpu_s") else None,
                       swifttorch_gflops=s and s.get("gflops"), pytorch_gflops=pt and pt.get("gflops"))
            for impl, rec in (("swifttorch", s), ("pytorch", pt)):
                if rec and "peak_rss_mib" in rec:
                    row[f"{impl}_peak_rss_mib"] = rec["peak_rss_mib"]
                    row[f"{impl}_accuracy"] = rec.get("accuracy")
            rows.append(row)

    # Values that must not depend on the thread count (checksums, losses after fixed steps).
    consistency = {}
    for impl in ("swifttorch", "pytorch"):
        for w in order:
            checks = {t: by[(impl, w, t)].get("check") for t in threads if (impl, w, t) in by}
            checks = {t: c for t, c in checks.items() if c is not None}
            if len(checks) > 1:
                consistency.setdefault(impl, {})[w] = "identical" if len(set(checks.values())) == 1 else \
                    "differs: " + ", ".join(f"{t} thr {c!r}" for t, c in checks.items())

    hdr = (f"{'workload':<28} {'thr':>3}  {'SwiftTorch':>10}  {'PyTorch':>10}  {'PT/ST':>6}  {'ST GFLOP/s':>10}  "
           f"{'PT GFLOP/s':>10}  {'cpu PT/ST':>9}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        ratio = f"{r['ratio']:.2f}" if r["ratio"] else "-"
        cpu_ratio = f"{r['cpu_ratio']:.2f}" if r["cpu_ratio"] else "-"
        sg = f"{r['swifttorch_gflops']:.1f}" if r["swifttorch_gflops"] else ""
        pg = f"{r['pytorch_gflops']:.1f}" if r["pytorch_gflops"] else ""
        print(f"{r['workload']:<28} {r['threads']:>3}  {fmt_time(r['swifttorch_s']):>10}  {fmt_time(r['pytorch_s']):>10}  "
              f"{ratio:>6}  {sg:>10}  {pg:>10}  {cpu_ratio:>9}")
    for r in rows:
        if "swifttorch_peak_rss_mib" in r or "pytorch_peak_rss_mib" in r:
            st, pt = r.get("swifttorch_peak_rss_mib"), r.get("pytorch_peak_rss_mib")
            print(f"peak RSS of {r['workload']} at {r['threads']} thread(s): SwiftTorch "
                  f"{st and round(st)} MiB, PyTorch {pt and round(pt)} MiB; accuracy after the epoch: "
                  f"SwiftTorch {r.get('swifttorch_accuracy')}, PyTorch {r.get('pytorch_accuracy')}")
    for impl, checks in consistency.items():
        bad = {w: c for w, c in checks.items() if c != "identical"}
        print(f"{impl}: results across thread counts: "
              + ("identical for all " + str(len(checks)) + " checked workloads" if not bad else
                 "; ".join(f"{w} {c}" for w, c in bad.items())))

    result = dict(date=datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
                  machine=machine(), versions=versions(), note=args.note,
                  ratio="time PyTorch / time SwiftTorch (above 1: SwiftTorch faster)",
                  rows=rows, consistency=consistency, raw=raw)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
