r"""Whole-sequence forward and backward passes written as plain loops over the step functions.

These are the sequence functions the chapters teach: each time step calls the
checked step function (:func:`~rnn_tutorial.rnn_step_forward` and friends)
and keeps that step's cache, so the code reads exactly like the equations.
The package's :func:`~rnn_tutorial.rnn_forward`, :func:`~rnn_tutorial.lstm_forward`
and :func:`~rnn_tutorial.gru_forward` (and their backward partners) compute
the same numbers faster (see the performance appendix); the tests compare the
two to float rounding, so these loops are also the reference the fast kernels
answer to.

Each takes an optional ``lengths`` for a padded batch. Past its end a sequence
keeps its state (``h = np.where(valid_t, h_new, h)``), its outputs are zero,
and on the way back a step past the end passes no gradient into the cell and
carries the state's gradient unchanged.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..timeaxis import length_mask
from ..validation import (
    ArgumentTypeError,
    Sizes,
    check_cache,
    check_input,
    check_lengths,
    check_sequence,
)
from .gru import (
    GRU_KEYS,
    GRU_SPEC,
    GRUStepCache,
    _check_form,
    gru_step_backward,
    gru_step_forward,
)
from .lstm import LSTM_KEYS, LSTM_SPEC, LSTMStepCache, lstm_step_backward, lstm_step_forward
from .rnn import RNN_SPEC, RNNStepCache, _check_activation, rnn_step_backward, rnn_step_forward

__all__ = [
    "StepCaches",
    "gru_backward_steps",
    "gru_forward_steps",
    "lstm_backward_steps",
    "lstm_forward_steps",
    "rnn_backward_steps",
    "rnn_forward_steps",
]


class StepCaches(NamedTuple):
    """What a ``*_backward_steps`` function needs: the step caches, one per time step."""

    steps: list
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T


def _valid_steps(lengths, N: int, T: int) -> tuple[np.ndarray | None, np.ndarray]:
    """``lengths`` checked, and the ``(N, T)`` mask of valid steps (all True when None)."""
    lengths = check_lengths(lengths, N, T)
    valid = np.ones((N, T), dtype=bool) if lengths is None else length_mask(lengths, T)
    return lengths, valid


def rnn_forward_steps(
    x: np.ndarray, h0: np.ndarray, params: dict, *, activation="tanh", lengths=None
):
    r"""Run the RNN over a sequence by calling :func:`rnn_step_forward` at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        A batch of N sequences of T steps.
    h0 : ndarray, shape (N, H)
        The initial state (often zeros).
    params : dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,).
    activation : {"tanh", "relu"}, default "tanh"
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; None means T for all.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step; ``hs[:, -1]`` is the final state.
        Zero past a sequence's end, whose final state is ``hs[n, lengths[n] - 1]``.
    cache : StepCaches
        One :class:`~rnn_tutorial.cells.rnn.RNNStepCache` per step.

    Notes
    -----
    .. math:: h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \quad t = 1, \dots, T

    and, in a padded batch, :math:`h_t = h_{t-1}` past step :math:`\ell_n`.

    Examples
    --------
    >>> params = {"W_xh": np.array([[0.5, 0.6]]),
    ...           "W_hh": np.array([[0.1, 0.2], [0.3, 0.4]]),
    ...           "b_h": np.array([0.1, -0.1])}
    >>> hs, cache = rnn_forward_steps(np.array([[[1.0], [2.0]]]), np.zeros((1, 2)), params)
    >>> np.round(hs, 3)
    array([[[0.537, 0.462],
            [0.86 , 0.884]]])
    >>> hs, cache = rnn_forward_steps(np.array([[[1.0], [2.0]]]), np.zeros((1, 2)), params,
    ...                               lengths=[1])
    >>> np.round(hs, 3)  # one valid step, then padding
    array([[[0.537, 0.462],
            [0.   , 0.   ]]])
    """
    _check_activation(activation)
    params, sizes, x, (h0,) = check_sequence(params, RNN_SPEC, x, h0=h0)
    N, T, _ = x.shape
    lengths, valid = _valid_steps(lengths, N, T)
    hs = np.empty((N, T, sizes.value("H")), dtype=np.result_type(x, h0, *params.values()))
    steps = []
    h = h0
    for t in range(T):
        h_new, step = rnn_step_forward(x[:, t], h, params, activation=activation)
        h = np.where(valid[:, t, None], h_new, h)  # kept past a sequence's end
        hs[:, t] = h
        steps.append(step)
    hs[~valid] = 0  # and its outputs are zero
    return hs, StepCaches(steps, lengths)


def rnn_backward_steps(dhs: np.ndarray, cache: StepCaches):
    r"""Backpropagation through time for :func:`rnn_forward_steps`, one step function per step.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        :math:`\partial L/\partial h_t` from the layers above at every step,
        *not* including the gradient that flows back through the recurrence.
    cache : StepCaches
        From :func:`rnn_forward_steps`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W_xh``, ``W_hh``, ``b_h``, summed over batch and time.

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial h_t} = \mathrm{dhs}_t + dh_{\text{next}}, \qquad
        \frac{\partial L}{\partial W} = \sum_t \frac{\partial L}{\partial W}\Big|_t

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(3, 4)), "W_hh": rng.normal(size=(4, 4)),
    ...           "b_h": np.zeros(4)}
    >>> hs, cache = rnn_forward_steps(rng.normal(size=(2, 5, 3)), np.zeros((2, 4)), params)
    >>> dx, dh0, grads = rnn_backward_steps(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, grads["W_hh"].shape
    ((2, 5, 3), (2, 4), (4, 4))
    """
    steps = _steps(cache, RNNStepCache, "rnn_forward_steps")
    T = len(steps)
    N, H = steps[0].h.shape
    sizes = Sizes(
        N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_hh"]')
    )
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    _, valid = _valid_steps(cache.lengths, N, T)
    dtype = np.result_type(dhs, steps[0].h)
    dx = np.empty((N, T, steps[0].x.shape[1]), dtype=dtype)
    grads = {key: np.zeros_like(steps[0].params[key], dtype=dtype) for key in RNN_SPEC}
    dh_next = np.zeros((N, H), dtype=dtype)
    for t in reversed(range(T)):
        valid_t = valid[:, t, None]
        dh = np.where(valid_t, dhs[:, t] + dh_next, 0)  # none into a padded step
        dx[:, t], dh_prev, step_grads = rnn_step_backward(dh, steps[t])
        dh_next = np.where(valid_t, dh_prev, dh_next)  # a padded step passes it on
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, grads


def lstm_forward_steps(
    x: np.ndarray, h0: np.ndarray, c0: np.ndarray, params: dict, *, lengths=None
):
    r"""Run the LSTM over a sequence by calling :func:`lstm_step_forward` at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    h0, c0 : ndarray, shape (N, H)
        The initial hidden and cell states.
    params : dict
        ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,), gates i, f, g, o.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; None means T for all.

    Returns
    -------
    hs, cs : ndarray, shape (N, T, H)
        The hidden and cell states after every step, zero past a sequence's end.
    cache : StepCaches
        One :class:`~rnn_tutorial.cells.lstm.LSTMStepCache` per step.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> hs, cs, cache = lstm_forward_steps(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)),
    ...                                    np.zeros((4, 2)), params)
    >>> hs.shape, cs.shape, len(cache.steps)
    ((4, 5, 2), (4, 5, 2), 5)
    """
    params, sizes, x, (h0, c0) = check_sequence(params, LSTM_SPEC, x, h0=h0, c0=c0)
    N, T, _ = x.shape
    lengths, valid = _valid_steps(lengths, N, T)
    dtype = np.result_type(x, h0, c0, *params.values())
    hs = np.empty((N, T, sizes.value("H")), dtype=dtype)
    cs = np.empty_like(hs)
    steps = []
    h, c = h0, c0
    for t in range(T):
        h_new, c_new, step = lstm_step_forward(x[:, t], h, c, params)
        h = np.where(valid[:, t, None], h_new, h)  # both kept past the end
        c = np.where(valid[:, t, None], c_new, c)
        hs[:, t], cs[:, t] = h, c
        steps.append(step)
    hs[~valid], cs[~valid] = 0, 0  # and its outputs are zero
    return hs, cs, StepCaches(steps, lengths)


def lstm_backward_steps(dhs: np.ndarray, cache: StepCaches, dc_last: np.ndarray | None = None):
    r"""Backpropagation through time for :func:`lstm_forward_steps`, one step function per step.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        :math:`\partial L/\partial h_t` from the layers above at every step.
    cache : StepCaches
        From :func:`lstm_forward_steps`.
    dc_last : ndarray, shape (N, H), optional
        :math:`\partial L/\partial c_T`, the final cell state's gradient; zeros
        when omitted.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0, dc0 : ndarray, shape (N, H)
    grads : dict
        ``W_x``, ``W_h``, ``b``, summed over batch and time.

    Notes
    -----
    Step :math:`t` receives :math:`\mathrm{dhs}_t + dh_{\text{next}}` for
    :math:`h_t` and :math:`dc_{\text{next}}` for :math:`c_t`, and hands
    :math:`dh_{t-1}`, :math:`dc_{t-1}` to the step before.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> hs, cs, cache = lstm_forward_steps(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)),
    ...                                    np.zeros((4, 2)), params)
    >>> dx, dh0, dc0, grads = lstm_backward_steps(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, dc0.shape, grads["W_h"].shape
    ((4, 5, 3), (4, 2), (4, 2), (2, 8))
    """
    steps = _steps(cache, LSTMStepCache, "lstm_forward_steps")
    T = len(steps)
    N, H = steps[0].c.shape
    sizes = Sizes(N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_h"]'))
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    dtype = np.result_type(dhs, steps[0].c)
    if dc_last is not None:
        dc_last = check_input("dc_last", dc_last, ("N", "H"), sizes)
        dtype = np.result_type(dtype, dc_last)
    _, valid = _valid_steps(cache.lengths, N, T)
    dx = np.empty((N, T, steps[0].x.shape[1]), dtype=dtype)
    grads = {key: np.zeros_like(steps[0].params[key], dtype=dtype) for key in LSTM_KEYS}
    dh_next = np.zeros((N, H), dtype=dtype)
    dc_next = np.zeros((N, H), dtype=dtype) if dc_last is None else dc_last
    for t in reversed(range(T)):
        valid_t = valid[:, t, None]
        dh = np.where(valid_t, dhs[:, t] + dh_next, 0)  # none into a padded step
        dc = np.where(valid_t, dc_next, 0)
        dx[:, t], dh_prev, dc_prev, step_grads = lstm_step_backward(dh, dc, steps[t])
        dh_next = np.where(valid_t, dh_prev, dh_next)  # a padded step passes both on
        dc_next = np.where(valid_t, dc_prev, dc_next)
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, dc_next, grads


def gru_forward_steps(
    x: np.ndarray, h0: np.ndarray, params: dict, form="reset_after", *, lengths=None
):
    r"""Run the GRU over a sequence by calling :func:`gru_step_forward` at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    h0 : ndarray, shape (N, H)
    params : dict
        ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b_x`` (3H,), ``b_h`` (3H,), gates r, z, n.
    form : {"reset_after", "textbook"}, default "reset_after"
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; None means T for all.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        Zero past a sequence's end.
    cache : StepCaches
        One :class:`~rnn_tutorial.cells.gru.GRUStepCache` per step.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> hs, cache = gru_forward_steps(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)), params)
    >>> hs.shape, len(cache.steps)
    ((4, 5, 2), 5)
    """
    _check_form(form)
    params, sizes, x, (h0,) = check_sequence(params, GRU_SPEC, x, h0=h0)
    N, T, _ = x.shape
    lengths, valid = _valid_steps(lengths, N, T)
    hs = np.empty((N, T, sizes.value("H")), dtype=np.result_type(x, h0, *params.values()))
    steps = []
    h = h0
    for t in range(T):
        h_new, step = gru_step_forward(x[:, t], h, params, form)
        h = np.where(valid[:, t, None], h_new, h)  # kept past a sequence's end
        hs[:, t] = h
        steps.append(step)
    hs[~valid] = 0  # and its outputs are zero
    return hs, StepCaches(steps, lengths)


def gru_backward_steps(dhs: np.ndarray, cache: StepCaches):
    r"""Backpropagation through time for :func:`gru_forward_steps` (either form).

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
    cache : StepCaches
        From :func:`gru_forward_steps`; each step records its form.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W_x``, ``W_h``, ``b_x``, ``b_h``, summed over batch and time.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> hs, cache = gru_forward_steps(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)), params,
    ...                               form="textbook")
    >>> dx, dh0, grads = gru_backward_steps(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, grads["W_h"].shape
    ((4, 5, 3), (4, 2), (2, 6))
    """
    steps = _steps(cache, GRUStepCache, "gru_forward_steps")
    T = len(steps)
    N, H = steps[0].h_prev.shape
    sizes = Sizes(N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_h"]'))
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    _, valid = _valid_steps(cache.lengths, N, T)
    dtype = np.result_type(dhs, steps[0].h_prev)
    dx = np.empty((N, T, steps[0].x.shape[1]), dtype=dtype)
    grads = {key: np.zeros_like(steps[0].params[key], dtype=dtype) for key in GRU_KEYS}
    dh_next = np.zeros((N, H), dtype=dtype)
    for t in reversed(range(T)):
        valid_t = valid[:, t, None]
        dh = np.where(valid_t, dhs[:, t] + dh_next, 0)  # none into a padded step
        dx[:, t], dh_prev, step_grads = gru_step_backward(dh, steps[t])
        dh_next = np.where(valid_t, dh_prev, dh_next)  # a padded step passes it on
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, grads


def _steps(cache, kind: type, producer: str) -> list:
    """The per-step caches of ``producer``, or a TypeError naming ``cache``."""
    check_cache("cache", cache, StepCaches, producer)
    if not cache.steps or not all(isinstance(step, kind) for step in cache.steps):
        got = type(cache.steps[0]).__name__ if cache.steps else "no steps"
        raise ArgumentTypeError(
            f"cache must be the StepCaches of {producer}, whose steps are "
            f"{kind.__name__}; got steps of {got}"
        )
    return cache.steps
