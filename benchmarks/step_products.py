"""The matrix products inside the time loop: numpy's BLAS against torch's, same shapes, one thread.

A fast recurrence spends most of its time in two products per step that no
reordering can batch: ``h_{t-1} W_h`` forward and ``da_t W_h^T`` backward, with
as many rows as the batch has sequences. This script times exactly those
products at the benchmark's largest shape, (N, T, D, H) = (128, 35, 256, 512),
with numpy (whose BLAS is OpenBLAS) and with ``torch.mm`` (torch's BLAS) side by
side, and prints each one's rate and the ratio of their times. A ratio above
1 is time the LSTM or GRU loses to torch.nn before any element-wise work: the
part of the gap in ``nox -s bench`` that is the BLAS library's, not ours.

Prints figures, asserts nothing. It needs torch: run it with the Python of
the venv ``nox -s bench`` (or ``nox -s parity``) made, e.g.
``.nox/bench/bin/python benchmarks/step_products.py [--budget SECONDS]``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[var] = "1"  # read when the libraries load: before the imports

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
from rnn_tutorial.book.performance import side_by_side  # noqa: E402

N, H = 128, 512
GATES = {"lstm": 4, "gru": 3}


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--budget", type=float, default=2.0, help="seconds per product")
    args = parser.parse_args(argv)
    import torch

    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    print(f"numpy {np.__version__}, torch {torch.__version__}; one thread each; N = {N}, H = {H}")
    print(
        f"{'':5} {'dtype':8} {'product':16} {'shape M x K x N':>16} {'numpy':>7} {'torch':>7} "
        f"{'numpy / torch':>14}"
    )
    for cell, gates in GATES.items():
        for dtype in (np.float32, np.float64):
            for name, (k, n) in (("h W_h", (H, gates * H)), ("da W_h^T", (gates * H, H))):
                a = rng.standard_normal((N, k)).astype(dtype)
                b = rng.standard_normal((k, n)).astype(dtype)
                out = np.empty((N, n), dtype=dtype)
                ta, tb = torch.from_numpy(a), torch.from_numpy(b)
                tout = torch.empty((N, n), dtype=ta.dtype)
                times = side_by_side(
                    {
                        "numpy": lambda a=a, b=b, out=out: np.matmul(a, b, out=out),
                        "torch": lambda a=ta, b=tb, out=tout: torch.mm(a, b, out=out),
                    },
                    budget=args.budget,
                    rounds=(5, 200),
                )
                flops = 2 * N * k * n
                rate = {key: flops / times[key][0] / 1e9 for key in times}
                print(
                    f"{cell:5} {np.dtype(dtype).name:8} {name:16} {f'{N} x {k} x {n}':>16} "
                    f"{rate['numpy']:7.0f} {rate['torch']:7.0f} "
                    f"{times['numpy'][0] / times['torch'][0]:14.2f}"
                )
    print("rates in GFLOP/s, from median times")


if __name__ == "__main__":
    main(sys.argv[1:])
