r"""What a recurrent layer costs: operation counts, a timer and the machine's matrix-product rate.

The matrix products dominate the arithmetic of every cell: a product of an
``(m, k)`` by a ``(k, n)`` matrix takes :math:`2mkn` floating-point operations
(one multiply and one add per term). The element-wise work (gates, states) is
:math:`O(NH)` per step against :math:`O(NH(D + H))` for the products, so the
counts here leave it out, as is usual when a rate in GFLOP/s is quoted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

__all__ = [
    "read_benchmark_results",
    "GATES",
    "gemm_gflops",
    "median_seconds",
    "sequence_flops",
    "side_by_side",
    "step_flops",
]

# Column blocks of the fused weight matrices: one affine map per gate or candidate.
GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def step_flops(cell: str, N: int, D: int, H: int) -> int:
    r"""Floating-point operations in the matrix products of one forward step.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    N, D, H : int
        Batch size, input size, hidden size.

    Returns
    -------
    int
        :math:`2 N (D + H) \cdot GH`, with G = 1, 4, 3 affine maps for the
        RNN, LSTM and GRU: the products :math:`x_t W_x` (``(N, D)`` by
        ``(D, GH)``) and :math:`h_{t-1} W_h` (``(N, H)`` by ``(H, GH)``).
        The GRU's two forms do the same products.

    Examples
    --------
    >>> step_flops("lstm", N=1, D=1, H=1)  # 2 * 1 * (1 + 1) * 4
    16
    """
    if cell not in GATES:
        raise ValueError(f"cell must be one of {sorted(GATES)}, got {cell!r}")
    return 2 * N * (D + H) * GATES[cell] * H


def sequence_flops(cell: str, N: int, T: int, D: int, H: int, *, backward: bool = False) -> int:
    r"""Floating-point operations in the matrix products of a whole sequence.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    N, T, D, H : int
        Batch size, steps, input size, hidden size.
    backward : bool, default False
        Count the backward pass too. It does twice the forward's products:
        for each forward product :math:`a = u W` it forms :math:`du = da\,W^\top`
        and :math:`dW = u^\top da`, of the same size.

    Returns
    -------
    int
        :math:`T` forward steps, times 3 with the backward pass.

    Examples
    --------
    >>> sequence_flops("rnn", N=2, T=10, D=3, H=4, backward=True)  # 3 * 10 * 2 * 2 * 7 * 4
    3360
    """
    return (3 if backward else 1) * T * step_flops(cell, N, D, H)


def median_seconds(fn: Callable[[], object], *, repeat: int = 5, warmup: int = 1) -> float:
    """The median wall-clock time of ``fn()`` over ``repeat`` calls, after ``warmup`` calls.

    The median rather than the mean or minimum: on a machine shared with other
    work, a few runs are slowed by others and the median ignores them.

    Examples
    --------
    >>> median_seconds(lambda: sum(range(100)), repeat=3) > 0
    True
    """
    if repeat < 1:
        raise ValueError(f"repeat must be at least 1, got {repeat}")
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


def side_by_side(fns: dict, *, budget: float = 1.0, rounds: tuple = (3, 25)) -> dict:
    """Time several functions in turn, round after round; each one's median and fastest seconds.

    On a machine shared with other work the load changes from one second to
    the next. Timing one function after the other spreads every change over
    all of them alike, so their ratios stay fair even when the absolute times
    do not. The order turns by one place each round: a function inherits the
    state its predecessor leaves (memory the allocator gave back to the
    system, caches), and a fixed order would charge that to the same one
    every time.

    Parameters
    ----------
    fns : dict of str to callable
        The functions to compare, called without arguments.
    budget : float, default 1.0
        Seconds to spend, roughly; the number of rounds follows from the
        duration of the first one.
    rounds : (int, int), default (3, 25)
        The fewest and the most rounds.

    Returns
    -------
    dict of str to (float, float)
        For each name, the median and the fastest time in seconds.

    Examples
    --------
    >>> times = side_by_side({"a": lambda: sum(range(10)), "b": lambda: sum(range(1000))})
    >>> sorted(times), times["a"][1] <= times["a"][0]
    (['a', 'b'], True)
    """
    for fn in fns.values():  # warm up caches, allocators and thread pools
        fn()
    times = {name: [] for name in fns}
    start = time.perf_counter()
    n_rounds = rounds[1]
    names = list(fns)
    for k in range(rounds[1]):
        for name in names[k % len(names) :] + names[: k % len(names)]:
            fn = fns[name]
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
        if k == 0:
            first = time.perf_counter() - start
            n_rounds = int(min(rounds[1], max(rounds[0], budget / max(first, 1e-9))))
        if k + 1 >= n_rounds:
            break
    return {name: (float(np.median(ts)), float(np.min(ts))) for name, ts in times.items()}


def gemm_gflops(n: int = 1024, dtype=np.float64, *, repeat: int = 7, rng=None) -> float:
    """The rate of numpy's matrix product on this machine: a square ``(n, n)`` product, in GFLOP/s.

    A large square product is the best case of the BLAS library numpy uses;
    the rate a recurrent layer reaches is judged as a share of it. The fastest
    of ``repeat`` runs is used: a peak is the best the machine does, and on a
    shared machine the slower runs measure the neighbours as well.

    Examples
    --------
    >>> gemm_gflops(64, repeat=2) > 0
    True
    """
    rng = np.random.default_rng(0) if rng is None else rng
    a, b = (rng.standard_normal((n, n)).astype(dtype) for _ in range(2))
    out = np.empty((n, n), dtype=dtype)
    np.matmul(a, b, out=out)  # warm up
    fastest = np.inf
    for _ in range(repeat):
        start = time.perf_counter()
        np.matmul(a, b, out=out)
        fastest = min(fastest, time.perf_counter() - start)
    return 2 * n**3 / fastest / 1e9


def read_benchmark_results(page_folder) -> dict:
    """The committed results of ``nox -s bench``, as the appendix reads them.

    The benchmark writes ``benchmarks/results/latest.json`` at the top of the
    book's source, two folders above a page in ``docs/<language>``.

    Parameters
    ----------
    page_folder : str or Path
        The folder the page runs in, ``docs/en`` or ``docs/zh_CN``.

    Returns
    -------
    dict
        The benchmark's JSON: ``date``, ``machine``, ``versions``,
        ``gemm_peak_gflops`` and the ``results`` rows.

    Examples
    --------
    >>> read_benchmark_results("/")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: page_folder '/' has no benchmarks/results/latest.json two folders up (...)
    """
    folder = Path(page_folder).resolve()
    candidate = folder.parent.parent / "benchmarks" / "results" / "latest.json"
    if len(folder.parents) < 2 or not candidate.is_file():
        raise ValueError(
            f"page_folder {str(page_folder)!r} has no benchmarks/results/latest.json two"
            " folders up (a notebook downloaded from the book that reads the book's own"
            " files runs from docs/en or docs/zh_CN of the book's source)"
        )
    return json.loads(candidate.read_text(encoding="utf-8"))
