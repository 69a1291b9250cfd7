"""Moving the time axis: the sequence kernels work time-major, the package's API is batch-first.

A batch-first sequence ``(N, T, D)`` keeps one sequence's steps together; the
recurrent kernels want the opposite, every step's ``(N, D)`` block contiguous,
so that a step is ``a[t]`` and all steps together are one ``(T * N, D)``
matrix for a single product.
"""

from __future__ import annotations

import numpy as np

__all__ = ["batch_major", "time_major"]


def time_major(x: np.ndarray, dtype=None) -> np.ndarray:
    """A contiguous ``(T, N, D)`` copy of a batch-first ``(N, T, D)`` array.

    Examples
    --------
    >>> x = np.arange(6.0).reshape(1, 3, 2)
    >>> time_major(x).shape, time_major(x)[2, 0].tolist()
    ((3, 1, 2), [4.0, 5.0])
    """
    return np.ascontiguousarray(np.swapaxes(x, 0, 1), dtype=dtype)


def batch_major(xs: np.ndarray) -> np.ndarray:
    """A contiguous ``(N, T, D)`` copy of a time-major ``(T, N, D)`` array.

    Examples
    --------
    >>> xs = np.arange(6.0).reshape(3, 1, 2)
    >>> batch_major(xs)[0, 2].tolist()
    [4.0, 5.0]
    """
    return np.ascontiguousarray(np.swapaxes(xs, 0, 1))
