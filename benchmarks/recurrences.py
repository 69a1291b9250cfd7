"""Time our RNN, LSTM and GRU against torch.nn (CPU) in one process, on the same threads.

Variants, forward and forward+backward, float32 and float64:

- ``per_gate``: one weight matrix per gate, every product in the loop
  (``rnn_tutorial.cells.per_gate``; the RNN has a single affine map, so it has none);
- ``step_loop``: the fused step functions called once per step
  (``rnn_tutorial.cells.step_loops``), the code the chapters teach;
- ``fast``: the package's sequence functions (``rnn_forward`` ...);
- ``masked``: the same on a padded batch, ``lengths`` drawn uniformly from
  [T/2, T] with the first sequence full (GFLOP/s still count all T steps);
  the ``/ fast`` column is its median time over the unmasked one, the price
  of the lengths (the JSON also keeps the ratio of the fastest runs);
- ``torch``: ``torch.nn.RNN``/``LSTM``/``GRU``, batch-first, on the CPU.

All variants of one configuration are timed in turn, round after round, so a
load change on a shared machine hits them alike; the median of each is kept.
Memory comes from a heap that is never returned to the system (glibc's
``MALLOC_MMAP_MAX_=0``), so no variant pays for pages another one freed.
GFLOP/s count the matrix products only (``rnn_tutorial.book.performance``) and are
compared with a large square numpy matrix product timed in the same run.

    python benchmarks/recurrences.py                 # the full run, JSON to results/latest.json
    python benchmarks/recurrences.py --quick         # small shapes, a few seconds
    python benchmarks/recurrences.py --cells lstm --dtypes float32 --shapes 1
    python benchmarks/recurrences.py --variants fast masked --no-torch   # the price of lengths
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import sys
from pathlib import Path

SHAPES = [(1, 100, 64, 128), (32, 50, 64, 128), (64, 100, 128, 256), (128, 35, 256, 512)]
QUICK_SHAPES = [(1, 20, 16, 32), (16, 20, 32, 64)]
VARIANTS = ("per_gate", "step_loop", "fast", "masked", "torch")
RESULTS = Path(__file__).resolve().parent / "results"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--threads", type=int, default=1, help="threads for numpy and torch")
    parser.add_argument("--cells", nargs="+", default=["rnn", "lstm", "gru"])
    parser.add_argument("--dtypes", nargs="+", default=["float32", "float64"])
    parser.add_argument(
        "--shapes", nargs="+", type=int, help="indices (0-3) into the four (B, T, D, H) shapes"
    )
    parser.add_argument("--quick", action="store_true", help="two small shapes, few repeats")
    parser.add_argument("--no-torch", action="store_true", help="numpy variants only")
    parser.add_argument(
        "--variants", nargs="+", choices=VARIANTS[:-1], help="numpy variants to time (default all)"
    )
    parser.add_argument("--budget", type=float, default=1.5, help="seconds per configuration")
    parser.add_argument("--out", type=Path, help="JSON file (default results/latest.json)")
    return parser.parse_args(argv)


ARGS = parse_args()
# glibc's allocator hands large arrays out as fresh pages and moves its own
# thresholds after each free, so a function's time depended on what the
# function timed before it had freed (the same GRU pass: 648 ms beside itself,
# 737 ms beside the step loop). Every array now comes from one heap that is
# never given back, for every variant and torch alike. glibc reads these at
# start-up, so the script starts itself again once with them set.
ALLOCATOR = {"MALLOC_MMAP_MAX_": "0", "MALLOC_TRIM_THRESHOLD_": str(2**40)}
if any(os.environ.get(key) != value for key, value in ALLOCATOR.items()):
    os.environ.update(ALLOCATOR)
    os.execv(sys.executable, [sys.executable, *sys.argv])
# BLAS reads its thread count when numpy is first imported: set it before.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402

import rnn_tutorial as rt  # noqa: E402
from rnn_tutorial.book.performance import gemm_gflops, sequence_flops, side_by_side  # noqa: E402
from rnn_tutorial.cells import per_gate  # noqa: E402

INIT = {"rnn": rt.init_rnn, "lstm": rt.init_lstm, "gru": rt.init_gru}


def numpy_variants(cell, x, h0, params, lengths):
    """``{variant: (forward, forward_backward)}`` closures for our implementations."""
    dhs = np.ones((x.shape[0], x.shape[1], h0.shape[1]), dtype=x.dtype)
    if cell == "rnn":
        pairs = {
            "step_loop": (rt.rnn_forward_steps, rt.rnn_backward_steps),
            "fast": (rt.rnn_forward, rt.rnn_backward),
        }
    elif cell == "gru":
        pairs = {
            "per_gate": (per_gate.gru_forward_per_gate, per_gate.gru_backward_per_gate),
            "step_loop": (rt.gru_forward_steps, rt.gru_backward_steps),
            "fast": (rt.gru_forward, rt.gru_backward),
        }
    else:
        pairs = {
            "per_gate": (per_gate.lstm_forward_per_gate, per_gate.lstm_backward_per_gate),
            "step_loop": (rt.lstm_forward_steps, rt.lstm_backward_steps),
            "fast": (rt.lstm_forward, rt.lstm_backward),
        }
    states = (h0, h0) if cell == "lstm" else (h0,)
    out = {}
    for name, (forward, backward) in pairs.items():

        def fwd(forward=forward):
            return forward(x, *states, params)

        def fwd_bwd(forward=forward, backward=backward):
            *_, cache = forward(x, *states, params)
            return backward(dhs, cache)

        out[name] = (fwd, fwd_bwd)
    forward, backward = pairs["fast"]

    def masked_fwd():
        return forward(x, *states, params, lengths=lengths)

    def masked_fwd_bwd():
        *_, cache = forward(x, *states, params, lengths=lengths)
        return backward(dhs, cache)

    out["masked"] = (masked_fwd, masked_fwd_bwd)
    return out


def padded_lengths(B, T, rng):
    """Lengths of a padded batch: uniform in [T/2, T], the first sequence full (as padded)."""
    lengths = rng.integers(max(1, T // 2), T + 1, size=B)
    lengths[0] = T
    return lengths


def torch_variant(cell, x, h0, torch):
    """``(forward, forward_backward)`` for torch.nn on the CPU, input gradient included."""
    H = h0.shape[1]
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    dtype = {np.float32: torch.float32, np.float64: torch.float64}[x.dtype.type]
    layer = module(x.shape[2], H, batch_first=True).to(dtype)
    xt = torch.from_numpy(x).requires_grad_(True)
    state = torch.from_numpy(h0)[None]
    state = (state, state.clone()) if cell == "lstm" else state

    def fwd():
        with torch.no_grad():
            return layer(xt, state)

    def fwd_bwd():
        layer.zero_grad(set_to_none=True)
        xt.grad = None
        out, _ = layer(xt, state)
        out.backward(torch.ones_like(out))

    return fwd, fwd_bwd


def machine() -> dict:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "system": platform.platform(),
        "load_average_1min_before": load,
    }


def blas_name() -> str:
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]
        return f"{blas.get('name')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 (older numpy: no dict form)
        return "unknown"


def main() -> int:
    torch = None
    if not ARGS.no_torch:
        import torch

        torch.set_num_threads(ARGS.threads)
    shapes = QUICK_SHAPES if ARGS.quick else SHAPES
    if ARGS.shapes:
        shapes = [shapes[i] for i in ARGS.shapes]
    budget = 0.2 if ARGS.quick else ARGS.budget
    info = {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "blas": blas_name(),
            "torch": torch.__version__ if torch else None,
            "rnn_tutorial": rt.__version__,
        },
        "threads": ARGS.threads,
        "allocator": ALLOCATOR,
        "torch_threads": torch.get_num_threads() if torch else None,
    }
    print(
        f"threads: numpy {ARGS.threads}, torch {info['torch_threads']}; "
        f"numpy {np.__version__} ({info['versions']['blas']}), torch {info['versions']['torch']}"
    )
    print(f"machine: {info['machine']['cpu']}, {info['machine']['cores']} cores")
    peak = {dt: gemm_gflops(1024, np.dtype(dt)) for dt in ARGS.dtypes}
    print(
        "numpy GEMM peak (1024 x 1024): "
        + ", ".join(f"{k} {v:.1f} GFLOP/s" for k, v in peak.items())
    )
    rows = []
    head = f"{'cell':5} {'dtype':8} {'B':>4} {'T':>4} {'D':>4} {'H':>4} {'mode':8} "
    head += f"{'variant':10} {'median ms':>10} {'GFLOP/s':>8} {'% peak':>7} {'/ torch':>8}"
    head += f" {'min/torch':>9} {'/ fast':>7}"
    print(head)
    rng = np.random.default_rng(0)
    for cell in ARGS.cells:
        for dtype_name in ARGS.dtypes:
            dtype = np.dtype(dtype_name)
            for B, T, D, H in shapes:
                params = INIT[cell](D, H, rng=rng, dtype=dtype)
                x = rng.standard_normal((B, T, D)).astype(dtype)
                h0 = np.zeros((B, H), dtype=dtype)
                lengths = padded_lengths(B, T, rng)
                variants = numpy_variants(cell, x, h0, params, lengths)
                if ARGS.variants:
                    variants = {k: v for k, v in variants.items() if k in ARGS.variants}
                if torch is not None:
                    variants["torch"] = torch_variant(cell, x, h0, torch)
                for m, mode in enumerate(("forward", "forward+backward")):
                    fns = {name: pair[m] for name, pair in variants.items()}
                    times = side_by_side(fns, budget=budget)
                    medians = {name: median for name, (median, _) in times.items()}
                    fastest = {name: best for name, (_, best) in times.items()}
                    flops = sequence_flops(cell, B, T, D, H, backward=m == 1)
                    for name in VARIANTS:
                        if name not in medians:
                            continue
                        seconds = medians[name]
                        gflops = flops / seconds / 1e9
                        ratio = seconds / medians["torch"] if "torch" in medians else None
                        row = {
                            "cell": cell,
                            "dtype": dtype_name,
                            "B": B,
                            "T": T,
                            "D": D,
                            "H": H,
                            "mode": mode,
                            "variant": name,
                            "median_s": seconds,
                            "min_s": fastest[name],
                            "min_ratio_to_torch": (
                                fastest[name] / fastest["torch"] if "torch" in fastest else None
                            ),
                            "gflops": gflops,
                            "peak_share": gflops / peak[dtype_name],
                            "ratio_to_torch": ratio,
                        }
                        rows.append(row)
                        if name == "masked" and "fast" in medians:
                            row["lengths"] = lengths.tolist()
                            row["ratio_to_fast"] = seconds / medians["fast"]
                            row["min_ratio_to_fast"] = fastest[name] / fastest["fast"]
                        ratio_text = f"{ratio:8.2f}" if ratio is not None else f"{'':8}"
                        ratio_text += (
                            f" {row['min_ratio_to_torch']:9.2f}"
                            if ratio is not None
                            else f" {'':9}"
                        )
                        if name == "masked" and "ratio_to_fast" in row:
                            ratio_text += f" {row['ratio_to_fast']:7.3f}"
                        print(
                            f"{cell:5} {dtype_name:8} {B:4} {T:4} {D:4} {H:4} {mode[:8]:8} "
                            f"{name:10} {seconds * 1e3:10.2f} {gflops:8.2f} "
                            f"{100 * gflops / peak[dtype_name]:6.1f}% {ratio_text}",
                            flush=True,
                        )
    # the peak again at the end, the better of the two kept: a share above 100 %
    # would only say that the machine was busier when the peak was first measured
    peak_end = {dt: gemm_gflops(1024, np.dtype(dt)) for dt in ARGS.dtypes}
    print("numpy GEMM peak at the end: " + ", ".join(f"{k} {v:.1f}" for k, v in peak_end.items()))
    for row in rows:
        row["peak_share"] = row["gflops"] / max(peak[row["dtype"]], peak_end[row["dtype"]])
    info["gemm_peak_gflops"] = {dt: max(peak[dt], peak_end[dt]) for dt in peak}
    info["gemm_peak_gflops_start_end"] = {dt: [peak[dt], peak_end[dt]] for dt in peak}
    info["machine"]["load_average_1min_after"] = os.getloadavg()[0]
    info["results"] = rows
    out = ARGS.out or (
        None if ARGS.quick or ARGS.shapes or ARGS.no_torch else RESULTS / "latest.json"
    )
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
