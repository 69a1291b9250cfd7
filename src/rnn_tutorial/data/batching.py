"""Batches of sequences of different lengths: padding them to one length and bucketing them.

A batch of sequences is one array ``(N, T, ...)`` with every sequence padded
at its end to the longest length T, and the lengths ``(N,)`` beside it; the
recurrent layers take the lengths (``lengths=``) and the losses the mask
``length_mask(lengths, T)``. Sorting sequences by length before cutting the
batches (bucketing) keeps similar lengths together, so less of each batch is
padding.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from ..validation import ArgumentTypeError, check_int, check_rng, check_tokens

__all__ = ["bucket_by_length", "pad_sequences", "padding_share"]


def _batch_dtype(dtype) -> np.dtype:
    """A real numeric dtype for a padded batch (token ids or features)."""
    try:
        checked = np.dtype(dtype)
    except TypeError:
        checked = None
    if checked is None or checked.kind not in "fiu":
        raise ArgumentTypeError(f"dtype must be a real numeric dtype, got {dtype!r}")
    return checked


def _check_lengths(lengths) -> np.ndarray:
    """Sequence lengths: a 1-D array of integers >= 1."""
    lengths = np.asarray(lengths)
    if lengths.dtype.kind not in "iu":
        raise ArgumentTypeError(f"lengths must be integers, got dtype {lengths.dtype}")
    if lengths.ndim != 1 or (lengths.size and lengths.min() < 1):
        raise ValueError(f"lengths must be a 1-D array of integers >= 1, got {lengths.tolist()!r}")
    return lengths


def pad_sequences(seqs: Sequence, pad=0, *, dtype=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Pad sequences at their end to one length: ``(batch, lengths)``.

    Parameters
    ----------
    seqs : sequence of array_like
        N sequences, each of shape ``(T_n,)`` (token ids) or ``(T_n, D)``
        (feature vectors), with :math:`T_n \ge 1` and the same trailing shape.
    pad : scalar, default 0
        The value written after each sequence's end.
    dtype : numpy dtype, optional
        Of the batch; by default the common dtype of the sequences.

    Returns
    -------
    batch : ndarray, shape (N, T) or (N, T, D)
        With :math:`T = \max_n T_n`; ``batch[n, :T_n]`` is sequence n.
    lengths : ndarray of int, shape (N,)

    Examples
    --------
    >>> batch, lengths = pad_sequences([[5, 6, 7], [8]])
    >>> batch.tolist(), lengths.tolist()
    ([[5, 6, 7], [8, 0, 0]], [3, 1])
    >>> pad_sequences([np.ones((2, 3)), np.ones((1, 3))])[0].shape
    (2, 2, 3)
    """
    if isinstance(seqs, np.ndarray | str) or not isinstance(seqs, Sequence):
        raise ArgumentTypeError(
            f"seqs must be a list of sequences, got {type(seqs).__name__}; "
            "for an array that is already a batch, no padding is needed"
        )
    if len(seqs) == 0:
        raise ValueError("seqs is empty: there is nothing to pad")
    arrays = [np.asarray(s) for s in seqs]
    for n, a in enumerate(arrays):
        if a.dtype.kind not in "fiub":
            raise ArgumentTypeError(f"seqs[{n}] must hold numbers, got dtype {a.dtype}")
        if a.ndim not in (1, 2) or a.shape[0] == 0:
            raise ValueError(
                f"seqs[{n}] has shape {a.shape}; every sequence must be (T_n,) or (T_n, D) "
                "with T_n >= 1"
            )
        if a.shape[1:] != arrays[0].shape[1:]:
            raise ValueError(
                f"seqs[{n}] has shape {a.shape} but seqs[0] has shape {arrays[0].shape}; "
                "the sequences must agree on every axis but the first"
            )
    if not isinstance(pad, numbers.Number) or isinstance(pad, bool):
        raise ArgumentTypeError(f"pad must be a number, got {pad!r}")
    lengths = np.array([a.shape[0] for a in arrays], dtype=np.intp)
    dtype = np.result_type(*arrays) if dtype is None else _batch_dtype(dtype)
    batch = np.full((len(arrays), lengths.max(), *arrays[0].shape[1:]), pad, dtype=dtype)
    for n, a in enumerate(arrays):
        batch[n, : a.shape[0]] = a
    return batch, lengths


def bucket_by_length(
    lengths, batch_size: int, *, rng: np.random.Generator | None = None
) -> list[np.ndarray]:
    """Indices of batches of similar lengths: sort by length, cut, shuffle the batches.

    Parameters
    ----------
    lengths : array_like of int, shape (M,)
        The length of every sequence in the data set.
    batch_size : int
        Sequences per batch (the last batch may be smaller).
    rng : numpy.random.Generator, optional
        Shuffles the sequences before the (stable) sort, so that equal lengths
        are mixed, and the order of the batches. Without it the batches come
        shortest first and deterministic.

    Returns
    -------
    list of ndarray of int
        Each the indices of one batch; together every index once.

    Examples
    --------
    >>> [b.tolist() for b in bucket_by_length([5, 1, 4, 2], 2)]
    [[1, 3], [2, 0]]
    """
    lengths, batch_size = _check_lengths(lengths), check_int("batch_size", batch_size)
    if rng is not None:
        check_rng("rng", rng)
    order = np.arange(lengths.size) if rng is None else rng.permutation(lengths.size)
    order = order[np.argsort(lengths[order], kind="stable")]
    batches = [order[i : i + batch_size] for i in range(0, order.size, batch_size)]
    if rng is not None:
        batches = [batches[i] for i in rng.permutation(len(batches))]
    return batches


def padding_share(lengths, batches: Sequence[np.ndarray]) -> float:
    """The share of padded steps when ``lengths`` are batched as ``batches``.

    Each batch is padded to its longest sequence; the share is the number of
    padded steps over all steps computed.

    Examples
    --------
    Lengths 4 and 1 padded to 4, then 3 and 2 padded to 3: 3 + 1 of 8 + 6 steps.

    >>> round(padding_share([4, 1, 3, 2], [np.array([0, 1]), np.array([2, 3])]), 4)
    0.2857
    """
    lengths = _check_lengths(lengths)
    if isinstance(batches, str) or not isinstance(batches, Sequence):
        raise ArgumentTypeError(f"batches must be a list of index arrays, got {batches!r}")
    for i, b in enumerate(batches):
        check_tokens(f"batches[{i}]", b, lengths.size, ndim=1)
    computed = sum(int(lengths[b].max()) * len(b) for b in batches)
    return 1.0 - float(lengths.sum()) / computed
