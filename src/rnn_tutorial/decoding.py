r"""Beam search: writing a sequence with any decoder step.

A model that writes sequences (the encoder-decoder, the captioner, the
attention decoder) exposes one *step*: a function from the last symbol written
and a state to the log-probabilities of the next symbol and the next state.
:func:`beam_search` drives any such step; greedy decoding is beam width 1.

The contract of a step, for ``M`` hypotheses at once (``M = N * B``: ``B``
hypotheses for each of ``N`` inputs, the ``B`` of input ``n`` in rows
``n*B .. n*B + B-1``)::

    log_probs, state = step(tokens, state)

- ``tokens``: int array ``(M,)``, the last symbol of each hypothesis;
- ``state``: a tuple of arrays whose first axis is ``M`` (``(h,)``, ``(h, c)``,
  or anything else the model needs, such as the encoder's outputs);
- ``log_probs``: float array ``(M, V)``, the log-probability of each next
  symbol (each row a log-softmax).

Beam search reorders the hypotheses by indexing every array of the state with
one index array along the first axis, so a step must keep that axis first.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .validation import (
    ArgumentTypeError,
    as_float_array,
    check_int,
    check_real,
    check_tokens,
)

__all__ = ["BeamSearchResult", "beam_search", "log_softmax"]


class BeamSearchResult(NamedTuple):
    """The ``B`` best hypotheses of every input, best first.

    Attributes
    ----------
    tokens : ndarray of int, shape (N, B, L)
        The symbols written, the end symbol included where a hypothesis
        ended; positions after a hypothesis's last symbol hold the end symbol.
        ``L`` is the longest hypothesis returned.
    scores : ndarray, shape (N, B)
        The sum of the log-probabilities of the symbols written (the end
        symbol included): the log-probability of the whole hypothesis.
    lengths : ndarray of int, shape (N, B)
        The number of symbols written, the end symbol included.
    ended : ndarray of bool, shape (N, B)
        Whether the hypothesis wrote the end symbol; False for one cut off at
        ``max_len``.
    """

    tokens: np.ndarray
    scores: np.ndarray
    lengths: np.ndarray
    ended: np.ndarray


def log_softmax(z: np.ndarray) -> np.ndarray:
    r"""Log-probabilities from scores over the last axis, :math:`z_v - \log \sum_u e^{z_u}`.

    What a decoder step returns: its output layer's scores turned into
    log-probabilities without forming the probabilities (the row maximum is
    subtracted first, so no exponent overflows).

    Examples
    --------
    >>> np.allclose(np.exp(log_softmax(np.array([[1000.0, 1000.0]]))), 0.5)
    True
    """
    z = as_float_array("z", z)
    if z.ndim < 1:
        raise ValueError(f"z must have a last axis of scores, got a scalar {float(z)!r}")
    shifted = z - z.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def _check_search(step, state, start, end, beam_width, max_len, alpha):
    """beam_search's arguments checked: (state, start tokens, B, max_len, alpha)."""
    if not callable(step):
        raise ArgumentTypeError(f"step must be callable, got {type(step).__name__}")
    state = _check_state(state)
    start = _start_tokens(start, state)
    N = start.shape[0]
    for i, s in enumerate(state):
        if s.shape[0] != N:
            raise ValueError(
                f"state[{i}] has shape {s.shape} but start holds N={N} symbols; every "
                "array of the state must have first axis N"
            )
    check_int("end", end, low=0)
    B = check_int("beam_width", beam_width)
    max_len = check_int("max_len", max_len)
    alpha = check_real("alpha", alpha, low=0)
    return state, start, B, max_len, alpha


def _check_step_output(log_probs, state, rows: int, end: int):
    """What ``step`` returned, checked: ``(log_probs, state)`` for ``rows`` hypotheses."""
    log_probs = np.asarray(log_probs)
    if log_probs.ndim != 2 or log_probs.shape[0] != rows or log_probs.shape[1] < 2:
        raise ValueError(
            f"step must return log_probs of shape (N*B, V) = ({rows}, V) with V >= 2, "
            f"got shape {log_probs.shape}"
        )
    V = log_probs.shape[1]
    if not end < V:
        raise ValueError(f"end must be a symbol in [0, {V}) for V={V}, got {end}")
    return log_probs, _check_state(state)


def _check_state(state) -> tuple[np.ndarray, ...]:
    if not isinstance(state, tuple):
        raise ArgumentTypeError(
            f"state must be a tuple of arrays whose first axis is the batch, "
            f"got {type(state).__name__}"
        )
    state = tuple(np.asarray(s) for s in state)
    for i, s in enumerate(state):
        if s.ndim < 1:
            raise ValueError(f"state[{i}] must have a first (batch) axis, got a scalar")
    return state


def _start_tokens(start, state: tuple[np.ndarray, ...]) -> np.ndarray:
    """``start`` as an (N,) int array; N from the state when ``start`` is one symbol."""
    if isinstance(start, numbers.Integral) and not isinstance(start, bool):
        check_int("start", start, low=0)
        if not state:
            raise ValueError("start must be an (N,) array of symbols when the state is empty")
        return np.full(state[0].shape[0], int(start))
    start = check_tokens("start", start, ndim=1)
    if start.shape[0] < 1 or start.min() < 0:
        raise ValueError(f"start must hold N >= 1 symbols >= 0, got {start.tolist()}")
    return start


def _normalise(scores, lengths, alpha: float):
    """Length-normalised scores ``scores / lengths**alpha`` (``alpha = 0``: the scores)."""
    return scores / np.maximum(lengths, 1) ** alpha


def beam_search(
    step: Callable,
    state: tuple,
    *,
    start,
    end: int,
    beam_width: int,
    max_len: int,
    alpha: float = 0.0,
) -> BeamSearchResult:
    r"""The ``beam_width`` most probable sequences a decoder step writes, for ``N`` inputs at once.

    Parameters
    ----------
    step : callable
        ``log_probs, state = step(tokens, state)``: see the module's contract.
        ``tokens`` is ``(N*B,)``, every array of ``state`` has first axis
        ``N*B``, ``log_probs`` is ``(N*B, V)``.
    state : tuple of ndarray
        The initial state of each input, every array with first axis ``N``;
        each is repeated ``B`` times before the first step.
    start : int or ndarray of int, shape (N,)
        The first symbol the step reads (the same for every input, or one
        per input).
    end : int
        The symbol that ends a hypothesis.
    beam_width : int
        ``B``, the hypotheses kept per input (at least 1).
    max_len : int
        The most symbols a hypothesis writes, the end symbol included.
    alpha : float, default 0.0
        Length normalisation: hypotheses are ranked by
        :math:`\log p(y) / |y|^{\alpha}`. ``0`` ranks by probability (short
        answers favoured), ``1`` by mean log-probability per symbol.

    Returns
    -------
    BeamSearchResult
        ``tokens (N, B, L)``, ``scores (N, B)``, ``lengths (N, B)``,
        ``ended (N, B)``, the hypotheses of each input ranked best first.
        Where fewer than ``B`` hypotheses of finite score exist (a small
        ``V`` or ``max_len``), the missing rows have score ``-inf`` and
        length 0.

    Notes
    -----
    A hypothesis :math:`y_{1..t}` has score
    :math:`s(y_{1..t}) = \sum_{k=1}^{t} \log p(y_k \mid y_{<k})`. For each
    input, starting from the single hypothesis of no symbols, each step

    1. extends each of the :math:`B` live hypotheses by every symbol, scoring
       :math:`s(y_{1..t}) = s(y_{1..t-1}) + \log p(y_t \mid y_{<t})`, and ranks
       the :math:`BV` extensions;
    2. sets aside as *finished* those among the :math:`B` best that end with
       the end symbol, ranked by :math:`s / |y|^{\alpha}`;
    3. keeps the :math:`B` best extensions that do not end as the live
       hypotheses (among the :math:`2B` best there are always :math:`B`,
       since each live hypothesis has one end extension).

    An input is done when it has :math:`B` finished hypotheses and no live one
    can still beat the :math:`B`-th of them: log-probabilities are at most
    0, so a live score :math:`s` can only fall, and its normalised score can
    reach at most :math:`s / \mathrm{max\_len}^{\alpha}`. The search stops
    when every input is done or after ``max_len`` symbols, when the live
    hypotheses join the finished ones as cut off.

    With ``beam_width=1`` and ``alpha=0`` this is greedy decoding: the one
    live hypothesis is extended by its most probable symbol (ties to the
    lowest symbol), and the search stops when that symbol is the end symbol.

    Examples
    --------
    A step that ignores its input and state: symbol 0 with probability 0.6,
    symbol 1 (the end symbol) with 0.4.

    >>> table = np.log([0.6, 0.4])
    >>> step = lambda tokens, state: (np.tile(table, (len(tokens), 1)), state)
    >>> result = beam_search(step, (np.zeros(1),), start=1, end=1, beam_width=2, max_len=3)
    >>> result.tokens[0].tolist()
    [[1, 1], [0, 1]]
    >>> np.allclose(np.exp(result.scores[0]), [0.4, 0.6 * 0.4])
    True
    """
    state, start, B, max_len, alpha = _check_search(
        step, state, start, end, beam_width, max_len, alpha
    )
    N = start.shape[0]

    rows = np.arange(N)[:, None] * B  # first row of each input's hypotheses
    tokens = np.repeat(start, B)  # (N*B,) last symbol of each live hypothesis
    state = tuple(np.repeat(s, B, axis=0) for s in state)
    scores = np.tile(np.r_[0.0, np.full(B - 1, -np.inf)], N)  # one live hypothesis at first
    history = np.empty((N * B, 0), dtype=int)  # symbols written by each live hypothesis
    finished: list[list[tuple]] = [[] for _ in range(N)]  # (normalised, score, symbols, ended)
    done = np.zeros(N, dtype=bool)
    for t in range(1, max_len + 1):
        log_probs, state = step(tokens, state)
        log_probs, state = _check_step_output(log_probs, state, N * B, end)
        V = log_probs.shape[1]
        # 1. every extension of every live hypothesis, the 2B best of each input
        extended = (scores[:, None] + log_probs).reshape(N, B * V)
        best = np.argsort(-extended, axis=1, kind="stable")[:, : 2 * B]
        best_scores = np.take_along_axis(extended, best, axis=1)
        parent, symbol = rows + best // V, best % V  # (N, 2B) row of the parent, new symbol
        # 2. set aside the end extensions among the B best
        ends = (symbol[:, :B] == end) & np.isfinite(best_scores[:, :B]) & ~done[:, None]
        for n, k in zip(*np.nonzero(ends), strict=True):
            symbols = np.append(history[parent[n, k]], end)
            normalised = _normalise(best_scores[n, k], t, alpha)
            finished[n].append((normalised, best_scores[n, k], symbols, True))
        # 3. the B best extensions that do not end stay live
        live = np.argsort(symbol == end, axis=1, kind="stable")[:, :B]
        parent = np.take_along_axis(parent, live, axis=1).ravel()
        tokens = np.take_along_axis(symbol, live, axis=1).ravel()
        scores = np.take_along_axis(best_scores, live, axis=1).ravel()
        history = np.concatenate([history[parent], tokens[:, None]], axis=1)
        state = tuple(s[parent] for s in state)
        # an input is done when no live hypothesis can beat its B-th finished one
        bound = scores.reshape(N, B).max(axis=1) / max_len**alpha
        for n in np.nonzero(~done)[0]:
            if len(finished[n]) >= B:
                kth = sorted((f[0] for f in finished[n]), reverse=True)[B - 1]
                done[n] = bound[n] <= kth
        if done.all():
            break
    else:  # max_len reached: the live hypotheses are cut off
        for n in np.nonzero(~done)[0]:
            for row in range(n * B, n * B + B):
                if np.isfinite(scores[row]):
                    normalised = _normalise(scores[row], max_len, alpha)
                    finished[n].append((normalised, scores[row], history[row], False))
    return _ranked(finished, B, end)


def _ranked(finished: list[list[tuple]], B: int, end: int) -> BeamSearchResult:
    """The B best finished hypotheses of each input, as arrays padded with the end symbol."""
    N = len(finished)
    ranked = []
    for hypotheses in finished:
        order = sorted(range(len(hypotheses)), key=lambda i: -hypotheses[i][0])  # stable
        ranked.append([hypotheses[i] for i in order[:B]])
    L = max((len(h[2]) for hyps in ranked for h in hyps), default=1)
    tokens = np.full((N, B, L), end, dtype=int)
    scores = np.full((N, B), -np.inf)
    lengths = np.zeros((N, B), dtype=int)
    ended = np.zeros((N, B), dtype=bool)
    for n, hyps in enumerate(ranked):
        for b, (_, score, symbols, has_end) in enumerate(hyps):
            tokens[n, b, : len(symbols)] = symbols
            scores[n, b], lengths[n, b], ended[n, b] = score, len(symbols), has_end
    return BeamSearchResult(tokens, scores, lengths, ended)
