r"""A corpus cut into minibatches for a language model, and the n-gram baselines it must beat.

A corpus is one long array of token ids :math:`w_0, w_1, \dots`. A minibatch
for a language model is a pair of arrays ``(inputs, targets)`` of shape
(N, T): N pieces of T tokens and, for each, the T tokens that follow them one
position later. There are two common ways to cut them.

- *Sequential partitioning* splits the corpus into N long streams, one per
  row, and walks along them T tokens at a time, so that row n of batch k + 1
  continues row n of batch k; the hidden state can be carried from batch to
  batch.
- *Random partitioning* cuts the corpus into pieces of T tokens and deals
  them out in a random order, so that neighbouring batches are unrelated;
  each batch starts from a fresh state.

The baselines count: a unigram model predicts each token from its frequency
alone, a bigram model from the token before it.
"""

from __future__ import annotations

import numpy as np

from ..validation import as_float_array, check_int, check_real, check_rng, check_tokens

__all__ = [
    "bigram_log_probs",
    "ngram_perplexity",
    "random_partition",
    "sequential_partition",
    "unigram_log_probs",
]


def _positive_int(name: str, value) -> int:
    return check_int(name, value)


def _corpus(tokens) -> np.ndarray:
    tokens = check_tokens("tokens", tokens, ndim=1)
    if tokens.size and tokens.min() < 0:
        raise ValueError(f"tokens must be non-negative ids, got {tokens.min()}")
    return tokens


def sequential_partition(tokens, N: int, T: int, *, offset: int = 0):
    r"""Cut a corpus into N parallel streams and the streams into batches of T steps.

    Parameters
    ----------
    tokens : array_like of int, shape (L,)
        The corpus as token ids.
    N : int
        Streams, the batch size.
    T : int
        Steps per batch.
    offset : int, default 0
        Tokens skipped at the start; drawing it at random in ``[0, T)`` for
        every epoch moves the chunk boundaries from one epoch to the next.

    Returns
    -------
    X, Y : ndarray of int, shape (K, N, T)
        Batch k is ``(X[k], Y[k])``. Row n of ``X[k + 1]`` continues row n of
        ``X[k]``, and ``Y`` is ``X`` one token later. The tokens that do not
        fill a whole batch at the end of each stream are dropped.

    Notes
    -----
    With :math:`S = \lfloor (L - \text{offset} - 1) / N \rfloor` tokens per
    stream and :math:`K = \lfloor S / T \rfloor` batches,

    .. math::

        X_{k,n,t} = w_{\text{offset} + nS + kT + t}, \qquad
        Y_{k,n,t} = w_{\text{offset} + nS + kT + t + 1}

    Examples
    --------
    >>> X, Y = sequential_partition(np.arange(14), N=2, T=3)
    >>> X.tolist()  # stream 0 is 0..5, stream 1 is 6..11
    [[[0, 1, 2], [6, 7, 8]], [[3, 4, 5], [9, 10, 11]]]
    >>> Y[1].tolist()
    [[4, 5, 6], [10, 11, 12]]
    """
    tokens = _corpus(tokens)
    N, T = _positive_int("N", N), _positive_int("T", T)
    offset = check_int("offset", offset, low=0)
    S = (tokens.size - offset - 1) // N
    K = S // T
    if K < 1:
        raise ValueError(
            f"tokens has {tokens.size} ids, too few for one batch of N={N} streams of T={T} "
            f"steps after offset={offset} (it needs at least {offset + N * T + 1})"
        )
    inputs = tokens[offset : offset + N * S].reshape(N, S)[:, : K * T]
    targets = tokens[offset + 1 : offset + N * S + 1].reshape(N, S)[:, : K * T]
    X = inputs.reshape(N, K, T).transpose(1, 0, 2)
    Y = targets.reshape(N, K, T).transpose(1, 0, 2)
    return np.ascontiguousarray(X), np.ascontiguousarray(Y)


def random_partition(tokens, N: int, T: int, *, rng: np.random.Generator):
    r"""Cut a corpus into pieces of T tokens and deal them into batches in a random order.

    Parameters
    ----------
    tokens : array_like of int, shape (L,)
    N : int
        Pieces per batch.
    T : int
        Tokens per piece.
    rng : numpy.random.Generator
        Draws the offset of the first piece in ``[0, T)`` and the order of the
        pieces.

    Returns
    -------
    X, Y : ndarray of int, shape (K, N, T)
        Every row of every batch is a piece of the corpus and ``Y`` is ``X``
        one token later; neighbouring rows and batches are unrelated, so each
        batch starts from a fresh state. Pieces that do not fill a whole
        batch are dropped.

    Examples
    --------
    >>> X, Y = random_partition(np.arange(20), N=2, T=3, rng=np.random.default_rng(0))
    >>> X.shape[1:], bool(np.all(Y == X + 1)), bool(np.all(np.diff(X, axis=2) == 1))
    ((2, 3), True, True)
    """
    tokens = _corpus(tokens)
    N, T = _positive_int("N", N), _positive_int("T", T)
    rng = check_rng("rng", rng)
    offset = int(rng.integers(T))
    pieces = (tokens.size - offset - 1) // T
    K = pieces // N
    if K < 1:
        raise ValueError(
            f"tokens has {tokens.size} ids, too few for one batch of N={N} pieces of T={T} "
            f"tokens (it needs at least {N * T + T})"
        )
    starts = offset + T * rng.permutation(pieces)[: K * N]
    index = starts.reshape(K, N, 1) + np.arange(T)
    return tokens[index], tokens[index + 1]


def unigram_log_probs(tokens, V: int) -> np.ndarray:
    r"""Log-probabilities of a unigram model with add-one smoothing.

    Parameters
    ----------
    tokens : array_like of int, shape (L,)
        The training text, ids in ``[0, V)``.
    V : int
        The vocabulary size.

    Returns
    -------
    ndarray, shape (V,)
        :math:`\log p(w)`.

    Notes
    -----
    With :math:`c(w)` the count of :math:`w` in the L training tokens,

    .. math:: p(w) = \frac{c(w) + 1}{L + V}

    so a symbol never seen in training keeps a small probability.

    Examples
    --------
    >>> np.exp(unigram_log_probs([0, 0, 1], 3)).round(3).tolist()  # 3/6, 2/6, 1/6
    [0.5, 0.333, 0.167]
    """
    V = _positive_int("V", V)
    tokens = check_tokens("tokens", _corpus(tokens), V)
    counts = np.bincount(tokens, minlength=V)
    return np.log((counts + 1) / (tokens.size + V))


def bigram_log_probs(tokens, V: int, *, lam: float = 0.9) -> np.ndarray:
    r"""Log-probabilities of a bigram model interpolated with the add-one unigram.

    Parameters
    ----------
    tokens : array_like of int, shape (L,)
        The training text, ids in ``[0, V)``.
    V : int
    lam : float in [0, 1], default 0.9
        The weight of the bigram counts.

    Returns
    -------
    ndarray, shape (V, V)
        Row v holds :math:`\log p(w \mid v)` for every next token w.

    Notes
    -----
    With :math:`c(v, w)` the count of the pair v w and :math:`c(v)` the count
    of v as the first of a pair,

    .. math::

        p(w \mid v) = \lambda \frac{c(v, w)}{c(v)} + (1 - \lambda)\, p(w)

    where :math:`p(w)` is :func:`unigram_log_probs`; a v that never starts a
    pair gets :math:`p(w)` alone. Every row sums to one and no probability is
    zero, so a pair never seen in training is not infinitely surprising.

    Examples
    --------
    >>> P = np.exp(bigram_log_probs([0, 1, 0, 1, 1], 2, lam=1.0))
    >>> P.tolist()  # after 0 always 1; after 1, 0 and 1 equally often
    [[0.0, 1.0], [0.5, 0.5]]
    """
    V = _positive_int("V", V)
    tokens = check_tokens("tokens", _corpus(tokens), V)
    lam = check_real("lam", lam, low=0, high=1)
    unigram = np.exp(unigram_log_probs(tokens, V))
    pairs = np.bincount(tokens[:-1] * V + tokens[1:], minlength=V * V).reshape(V, V)
    starts = pairs.sum(axis=1, keepdims=True)
    weight = np.where(starts > 0, lam, 0.0)
    conditional = pairs / np.maximum(starts, 1)
    with np.errstate(divide="ignore"):  # lam = 1 may leave zeros: log 0 = -inf
        return np.log(weight * conditional + (1 - weight) * unigram)


def ngram_perplexity(log_probs, X, Y) -> float:
    r"""The perplexity of a unigram or bigram model on the targets of batches.

    Parameters
    ----------
    log_probs : ndarray, shape (V,) or (V, V)
        From :func:`unigram_log_probs` or :func:`bigram_log_probs`.
    X, Y : ndarray of int, same shape
        Inputs and targets, e.g. from :func:`sequential_partition`: the
        targets scored are exactly those a language model is scored on.

    Returns
    -------
    float
        :math:`\exp(-\frac{1}{M}\sum \log p(y \mid x))` over the M targets.

    Examples
    --------
    >>> ngram_perplexity(np.log(np.full(4, 0.25)), np.array([[0, 1]]), np.array([[1, 2]]))
    4.0
    """
    log_probs = as_float_array("log_probs", log_probs, finite=False)
    if np.isnan(log_probs).any() or (log_probs > 0).any():
        raise ValueError("log_probs must be log-probabilities (<= 0, no NaN)")
    if log_probs.ndim not in (1, 2) or (
        log_probs.ndim == 2 and log_probs.shape[0] != log_probs.shape[1]
    ):
        raise ValueError(f"log_probs must have shape (V,) or (V, V), got {log_probs.shape}")
    V = log_probs.shape[-1]
    X, Y = check_tokens("X", X, V), check_tokens("Y", Y, V)
    if X.shape != Y.shape or Y.size == 0:
        raise ValueError(
            f"X and Y must have the same non-empty shape, got {X.shape} and {Y.shape}"
        )
    picked = log_probs[Y] if log_probs.ndim == 1 else log_probs[X, Y]
    return float(np.exp(-picked.mean()))
