"""Moving the time axis: the sequence kernels work time-major, the package's API is batch-first.

A batch-first sequence ``(N, T, D)`` keeps one sequence's steps together; the
recurrent kernels want the opposite, every step's ``(N, D)`` block contiguous,
so that a step is ``a[t]`` and all steps together are one ``(T * N, D)``
matrix for a single product.

A padded batch carries the length of each sequence; :func:`length_mask`
turns the lengths into the ``(N, T)`` mask of valid steps that losses take.
"""

from __future__ import annotations

import numpy as np

from .validation import as_float_array, check_int, check_lengths

__all__ = [
    "batch_major",
    "length_mask",
    "past_end",
    "time_major",
    "zero_past_end",
]


def time_major(x: np.ndarray, dtype=None, *, ones: bool = False) -> np.ndarray:
    """A contiguous ``(T, N, D)`` copy of a batch-first ``(N, T, D)`` array.

    With ``ones=True`` the copy is ``(T, N, D + 1)``, a column of ones after
    the D features, so that ``x @ vstack([W, b])`` adds the bias inside the
    matrix product instead of in a pass of its own.

    Examples
    --------
    >>> x = np.arange(6.0).reshape(1, 3, 2)
    >>> time_major(x).shape, time_major(x)[2, 0].tolist()
    ((3, 1, 2), [4.0, 5.0])
    >>> time_major(x, ones=True)[2, 0].tolist()
    [4.0, 5.0, 1.0]
    """
    if not ones:
        return np.ascontiguousarray(np.swapaxes(x, 0, 1), dtype=dtype)
    N, T, D = x.shape
    xs = np.empty((T, N, D + 1), dtype=x.dtype if dtype is None else dtype)
    xs[:, :, :D] = np.swapaxes(x, 0, 1)
    xs[:, :, D] = 1
    return xs


def _with_ones(xs: np.ndarray) -> np.ndarray | None:
    """The ``(T, N, D + 1)`` array ``[x, 1]`` of which ``xs`` is the x part, or None.

    :func:`time_major` with ``ones=True`` makes such an array; the sequence
    kernels cache its x part and find the column of ones again here.

    Examples
    --------
    >>> x1 = time_major(np.ones((2, 3, 4)), ones=True)
    >>> _with_ones(x1[:, :, :4]) is x1, _with_ones(time_major(np.ones((2, 3, 4))))
    (True, None)
    """
    base = xs.base
    T, N, D = xs.shape
    if (
        isinstance(base, np.ndarray)
        and base.shape == (T, N, D + 1)
        and base.dtype == xs.dtype
        and base.flags.c_contiguous
        and xs.__array_interface__["data"][0] == base.__array_interface__["data"][0]
        and xs.strides == base.strides
        and np.all(base[:, :, D] == 1)
    ):
        return base
    return None


def _input_grads(xs: np.ndarray, da: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gradients of ``x @ W + b`` for all steps: ``(x^T da, sum of da)``.

    ``xs`` is the time-major ``(T, N, D)`` input, ``da`` the ``(T * N, width)``
    pre-activation gradients. When ``xs`` is the x part of :func:`time_major`'s
    ``[x, 1]``, the bias gradient is the last row of one product.

    Examples
    --------
    >>> xs, da = np.ones((2, 3, 4)), np.ones((6, 5))
    >>> [g.tolist()[0] for g in _input_grads(xs, da)]
    [[6.0, 6.0, 6.0, 6.0, 6.0], 6.0]
    >>> [g.shape for g in _input_grads(time_major(np.ones((3, 2, 4)), ones=True)[:, :, :4], da)]
    [(4, 5), (5,)]
    """
    T, N, D = xs.shape
    xs1 = _with_ones(xs)
    if xs1 is None:
        return xs.reshape(T * N, D).T @ da, da.sum(axis=0)
    dW, db = np.split(xs1.reshape(T * N, D + 1).T @ da, [D])
    return dW, db[0]


def batch_major(xs: np.ndarray) -> np.ndarray:
    """A contiguous ``(N, T, D)`` copy of a time-major ``(T, N, D)`` array.

    Examples
    --------
    >>> xs = np.arange(6.0).reshape(3, 1, 2)
    >>> batch_major(xs)[0, 2].tolist()
    [4.0, 5.0]
    """
    return np.ascontiguousarray(np.swapaxes(xs, 0, 1))


def _checked_lengths(lengths, T) -> np.ndarray:
    """``lengths`` as N integers in [1, T], for a padded length ``T`` >= 1."""
    T = check_int("T", T)
    lengths = np.asarray(lengths)
    if lengths.ndim != 1:
        raise ValueError(f"lengths must be 1-D (N,), got shape {lengths.shape}")
    return check_lengths(lengths, lengths.shape[0], T)


def length_mask(lengths, T: int) -> np.ndarray:
    r"""The ``(N, T)`` boolean mask of a padded batch: ``mask[n, t]`` is ``t < lengths[n]``.

    Parameters
    ----------
    lengths : array_like of int, shape (N,)
        Each sequence's length, :math:`1 \le \ell_n \le T`.
    T : int
        The padded length.

    Returns
    -------
    ndarray of bool, shape (N, T)

    Examples
    --------
    >>> length_mask([3, 1], 4).astype(int)
    array([[1, 1, 1, 0],
           [1, 0, 0, 0]])
    """
    lengths = _checked_lengths(lengths, T)
    return np.arange(T) < lengths[:, None]


def past_end(lengths: np.ndarray | None, T: int) -> np.ndarray | None:
    """Time-major ``(T, N, 1)`` mask, True where step t lies past the end of sequence n.

    ``lengths`` must already be checked (:func:`~rnn_tutorial.validation.check_lengths`);
    ``None`` (every sequence has length T) gives ``None``. The trailing axis
    broadcasts over a step's ``(N, H)`` block.

    Examples
    --------
    >>> past_end(np.array([3, 1]), 3)[:, :, 0].astype(int)
    array([[0, 0],
           [0, 1],
           [0, 1]])
    """
    if lengths is None:
        return None
    lengths = _checked_lengths(lengths, T)
    return (np.arange(T)[:, None] >= lengths)[:, :, None]


def zero_past_end(hs: np.ndarray, lengths: np.ndarray | None) -> np.ndarray:
    """``hs`` (N, T, ...) with every position past its sequence's end set to zero.

    ``lengths`` must already be checked; ``None`` returns ``hs`` itself.

    Examples
    --------
    >>> zero_past_end(np.ones((2, 3, 1)), np.array([3, 1]))[:, :, 0]
    array([[1., 1., 1.],
           [1., 0., 0.]])
    """
    if lengths is None:
        return hs
    hs = as_float_array("hs", hs)
    if hs.ndim < 2:
        raise ValueError(f"hs must be (N, T, ...) with at least 2 axes, got shape {hs.shape}")
    lengths = check_lengths(lengths, hs.shape[0], hs.shape[1])
    out = hs.copy()  # a plain copy, then zeros only where padding is: cheaper than np.where
    for n in np.flatnonzero(lengths < hs.shape[1]):
        out[n, lengths[n] :] = 0
    return out


def _zero_past_end_time_major(states: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """A copy of time-major ``states`` (T, N, ...) with every step past a sequence's end zero.

    ``lengths`` must already be checked. The sequence kernels' outputs in a
    padded batch: their state arrays carry each final state to the end.

    Examples
    --------
    >>> _zero_past_end_time_major(np.ones((3, 2, 1)), np.array([3, 1]))[:, :, 0]
    array([[1., 1.],
           [1., 0.],
           [1., 0.]])
    """
    out = states.copy()
    for n in np.flatnonzero(lengths < states.shape[0]):
        out[lengths[n] :, n] = 0
    return out
