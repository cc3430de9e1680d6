"""PyTorch twin of Benchmarks/kernels/kernel_bench.c: times torch.mm on the same shapes.

Run: python3 Benchmarks/kernels/torch_mm_bench.py
Prints GFLOP/s and microseconds per call at 1 and 2 threads, in the C harness's format.
"""
import time

import torch

# (M, N, K, transA, transB): op(A) is M x K, op(B) is K x N, as in st_sgemm.
SHAPES = [
    (256, 256, 256, 0, 0), (512, 512, 512, 0, 0), (1024, 1024, 1024, 0, 0),
    (2048, 2048, 2048, 0, 0), (1024, 1024, 1024, 1, 0), (1024, 1024, 1024, 0, 1),
    (2400, 6, 25, 0, 0), (2400, 6, 25, 1, 0), (2400, 6, 25, 0, 1),
    (2400, 25, 6, 0, 0), (6, 25, 2400, 0, 0), (6, 25, 2400, 0, 1), (6, 25, 2400, 1, 0),
    (1600, 12, 150, 0, 0), (1600, 12, 150, 1, 0), (1600, 12, 150, 0, 1),
    (1600, 150, 12, 0, 0), (12, 150, 1600, 0, 0), (12, 150, 1600, 0, 1), (12, 150, 1600, 1, 0),
    (128, 10, 256, 0, 0), (128, 10, 256, 1, 0), (128, 10, 256, 0, 1),
    (128, 256, 10, 0, 0), (10, 256, 128, 0, 0), (10, 256, 128, 1, 0),
]


def time_mm(M, N, K, ta, tb):
    """Best-of-15 seconds per torch.mm call, with transposes as strided views (no copies).

    Short trials (about 1 ms) and the minimum, as in kernel_bench.c.
    """
    a = torch.randn(K, M).t() if ta else torch.randn(M, K)
    b = torch.randn(N, K).t() if tb else torch.randn(K, N)
    c = torch.empty(M, N)
    flops = 2.0 * M * N * K
    reps = int(1e8 / flops) + 1
    for _ in range(2):
        torch.mm(a, b, out=c)
    best = float("inf")
    for _ in range(15):
        t0 = time.perf_counter()
        for _ in range(reps):
            torch.mm(a, b, out=c)
        best = min(best, (time.perf_counter() - t0) / reps)
    return best


def main():
    print(f"torch {torch.__version__} mm benchmarks, GFLOP/s and microseconds per call")
    print(f"{'MxNxK op':<22} {'1 thread':>16} {'2 threads':>16}")
    for M, N, K, ta, tb in SHAPES:
        line = f"{M}x{N}x{K} {'T' if ta else 'N'}{'T' if tb else 'N'}"
        line = f"{line:<22}"
        for threads in (1, 2):
            torch.set_num_threads(threads)
            t = time_mm(M, N, K, ta, tb)
            line += f"  {2.0 * M * N * K / t * 1e-9:6.1f} {t * 1e6:7.1f}us"
        print(line, flush=True)


if __name__ == "__main__":
    main()
