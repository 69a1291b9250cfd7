"""The vanilla (Elman) recurrent layer: one step, a whole sequence, and their gradients.

Row convention: a step input ``x`` is ``(N, D)``, a state ``h`` is ``(N, H)``
and the cell computes ``h = tanh(x @ W_xh + h_prev @ W_hh + b_h)``; the keyword
``activation="relu"`` swaps the tanh for ``max(a, 0)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..timeaxis import batch_major, past_end, time_major, zero_past_end
from ..validation import (
    Sizes,
    check_cache,
    check_input,
    check_lengths,
    check_params,
    check_sequence,
)

__all__ = [
    "RNNCache",
    "RNNStepCache",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
]

RNN_SPEC = {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)}
ACTIVATIONS = ("tanh", "relu")


class RNNStepCache(NamedTuple):
    """What :func:`rnn_step_backward` needs from one forward step."""

    x: np.ndarray
    h_prev: np.ndarray
    h: np.ndarray
    params: dict
    activation: str = "tanh"  # which derivative the backward step uses


class RNNCache(NamedTuple):
    """What :func:`rnn_backward` needs, every array stored once and time-major.

    ``x[t]`` (N, D) is the input of step t + 1 and ``h[t]`` (N, H) the state
    :math:`h_t`, so ``h[0]`` is the initial state and ``h[1:]`` the states the
    forward pass returned. Time-major storage makes each step's block
    contiguous and lets the weight gradients come from one matrix product over
    all steps. :attr:`steps` rebuilds the per-step caches of
    :func:`rnn_step_forward` as views. In a padded batch a sequence's state
    is carried unchanged past its end, so ``h[-1]`` holds every sequence's
    final state.
    """

    x: np.ndarray  # (T, N, D)
    h: np.ndarray  # (T + 1, N, H): h_0 ... h_T
    params: dict
    activation: str = "tanh"
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T

    @property
    def steps(self) -> list:
        """One :class:`RNNStepCache` per step, views into this cache's arrays."""
        return [
            RNNStepCache(self.x[t], self.h[t], self.h[t + 1], self.params, self.activation)
            for t in range(len(self.x))
        ]


def rnn_step_forward(x: np.ndarray, h_prev: np.ndarray, params: dict, *, activation="tanh"):
    r"""One step of the vanilla RNN: :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h)`.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        The input at this step, one row per sequence in the batch.
    h_prev : ndarray, shape (N, H)
        The previous hidden state :math:`h_{t-1}`.
    params : dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,).
    activation : {"tanh", "relu"}, default "tanh"
        The nonlinearity :math:`f`; ``"relu"`` is :math:`\max(a, 0)`.

    Returns
    -------
    h : ndarray, shape (N, H)
        The new hidden state :math:`h_t`.
    cache : RNNStepCache
        ``(x, h_prev, h, params, activation)`` for :func:`rnn_step_backward`.

    Notes
    -----
    .. math:: a_t = x_t W_{xh} + h_{t-1} W_{hh} + b_h, \qquad h_t = f(a_t)

    Examples
    --------
    >>> params = {"W_xh": np.array([[0.5, 0.6]]),
    ...           "W_hh": np.array([[0.1, 0.2], [0.3, 0.4]]),
    ...           "b_h": np.array([0.1, -0.1])}
    >>> h, cache = rnn_step_forward(np.array([[1.0]]), np.zeros((1, 2)), params)
    >>> np.round(h, 3)
    array([[0.537, 0.462]])
    >>> h, _ = rnn_step_forward(np.array([[-1.0]]), np.zeros((1, 2)), params, activation="relu")
    >>> h  # a = [-0.4, -0.7]: both negative, both cut to zero
    array([[0., 0.]])
    """
    _check_activation(activation)
    params, sizes = check_params(params, RNN_SPEC)
    x = check_input("x", x, ("N", "D"), sizes)
    h_prev = check_input("h_prev", h_prev, ("N", "H"), sizes)
    a = x @ params["W_xh"] + h_prev @ params["W_hh"] + params["b_h"]
    h = np.tanh(a) if activation == "tanh" else np.maximum(a, 0)
    return h, RNNStepCache(x, h_prev, h, params, activation)


def rnn_step_backward(dh: np.ndarray, cache: RNNStepCache):
    r"""Gradients of one RNN step, given :math:`\partial L/\partial h_t`.

    Parameters
    ----------
    dh : ndarray, shape (N, H)
        The total gradient reaching :math:`h_t`: from this step's output and
        from step :math:`t+1`.
    cache : RNNStepCache
        From :func:`rnn_step_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
        The gradient carried back to :math:`h_{t-1}`.
    grads : dict
        ``W_xh``, ``W_hh``, ``b_h``, summed over the batch.

    Notes
    -----
    The forward equations read in reverse, with
    :math:`\tanh'(a) = 1 - \tanh^2(a) = 1 - h_t^2` (for ReLU, :math:`f'(a)` is
    1 where :math:`h_t > 0` and 0 elsewhere):

    .. math::

        da &= dh \odot (1 - h_t^2) \\
        dx &= da\, W_{xh}^\top, \qquad dh_{t-1} = da\, W_{hh}^\top \\
        dW_{xh} &= x_t^\top da, \qquad dW_{hh} = h_{t-1}^\top da, \qquad db_h = \textstyle\sum_n da

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(3, 4)), "W_hh": rng.normal(size=(4, 4)),
    ...           "b_h": np.zeros(4)}
    >>> h, cache = rnn_step_forward(rng.normal(size=(2, 3)), np.zeros((2, 4)), params)
    >>> dx, dh_prev, grads = rnn_step_backward(np.ones_like(h), cache)
    >>> dx.shape, dh_prev.shape, sorted(grads)
    ((2, 3), (2, 4), ['W_hh', 'W_xh', 'b_h'])
    """
    x, h_prev, h, params, activation = check_cache(
        "cache", cache, RNNStepCache, "rnn_step_forward"
    )
    dh = check_input("dh", dh, ("N", "H"), _cached_sizes(h, "h"))
    da = dh * (1 - h**2) if activation == "tanh" else dh * (h > 0)
    dx = da @ params["W_xh"].T
    dh_prev = da @ params["W_hh"].T
    grads = {"W_xh": x.T @ da, "W_hh": h_prev.T @ da, "b_h": da.sum(axis=0)}
    return dx, dh_prev, grads


def rnn_forward(x: np.ndarray, h0: np.ndarray, params: dict, *, activation="tanh", lengths=None):
    r"""Run the RNN over a whole sequence, the same weights at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        A batch of N sequences of T steps.
    h0 : ndarray, shape (N, H)
        The initial state (often zeros).
    params : dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,).
    activation : {"tanh", "relu"}, default "tanh"
        The nonlinearity of every step (see :func:`rnn_step_forward`).
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length, :math:`1 \le \ell_n \le T`;
        None means every sequence has length T.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step; ``hs[:, t]`` is :math:`h_{t+1}`
        when the steps are counted from 1, and ``hs[:, -1]`` the final state.
        A view of the cache's state array: copy it before changing it in place.
        With ``lengths``, a new array whose steps past a sequence's end are
        zero; the final states are then ``cache.h[-1]``.
    cache : RNNCache

    Notes
    -----
    .. math:: h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \quad t = 1, \dots, T

    The same numbers as :func:`~rnn_tutorial.rnn_forward_steps`,
    computed faster: the input term :math:`x_t W_{xh} + b_h` of all steps is
    one matrix product before the loop, the loop keeps only
    :math:`h_{t-1} W_{hh}`, the input is checked once, and the states are
    written into one preallocated array.

    With ``lengths`` this is PyTorch's packed sequence: past step
    :math:`\ell_n` sequence n keeps its state, :math:`h_t = h_{t-1}`, and
    its outputs are zero.

    Examples
    --------
    >>> params = {"W_xh": np.array([[0.5, 0.6]]),
    ...           "W_hh": np.array([[0.1, 0.2], [0.3, 0.4]]),
    ...           "b_h": np.array([0.1, -0.1])}
    >>> hs, cache = rnn_forward(np.array([[[1.0], [2.0]]]), np.zeros((1, 2)), params)
    >>> np.round(hs, 3)
    array([[[0.537, 0.462],
            [0.86 , 0.884]]])
    """
    _check_activation(activation)
    params, sizes, x, (h0,) = check_sequence(params, RNN_SPEC, x, h0=h0)
    N, T, D = x.shape
    lengths = check_lengths(lengths, N, T)
    ended, first_end = past_end(lengths, T), T if lengths is None else lengths.min(initial=T)
    dtype = np.result_type(x, h0, *params.values())
    W_xh, W_hh, b_h = (params[key].astype(dtype, copy=False) for key in RNN_SPEC)
    xs = time_major(x, dtype)
    h = np.empty((T + 1, N, sizes.value("H")), dtype=dtype)
    h[0] = h0
    np.matmul(
        xs.reshape(T * N, D), W_xh, out=h[1:].reshape(T * N, sizes.value("H"))
    )  # all input terms
    h[1:] += b_h
    hW = np.empty_like(h[0])
    for t in range(T):
        np.matmul(h[t], W_hh, out=hW)
        a = h[t + 1]  # holds x_t W_xh + b_h, becomes h_t
        a += hW
        if activation == "tanh":
            np.tanh(a, out=a)
        else:
            np.maximum(a, 0, out=a)
        if t >= first_end:  # a sequence past its end keeps its state
            np.copyto(a, h[t], where=ended[t])
    hs = h[1:] if lengths is None else np.where(ended, 0, h[1:])  # outputs past an end: 0
    return hs.transpose(1, 0, 2), RNNCache(xs, h, params, activation, lengths)


def rnn_backward(dhs: np.ndarray, cache: RNNCache):
    r"""Backpropagation through time for :func:`rnn_forward`.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        :math:`\partial L/\partial h_t` from the layers above (e.g. the output
        layer) at every step, *not* including the gradient that flows back
        through the recurrence; that part is added here.
    cache : RNNCache
        From :func:`rnn_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
        Zero at the steps past a sequence's end.
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W_xh``, ``W_hh``, ``b_h``, summed over batch and time.

    Notes
    -----
    Walking from :math:`t = T` down to 1, the gradient reaching
    :math:`h_t` is the one from above plus the one carried back from step
    :math:`t+1`, and the weights, shared by every step, collect the sum:

    .. math::

        \frac{\partial L}{\partial h_t} = \mathrm{dhs}_t + dh_{\text{next}}, \qquad
        \frac{\partial L}{\partial W} = \sum_t \frac{\partial L}{\partial W}\Big|_t

    The loop keeps only what must be sequential, :math:`da_t` and
    :math:`dh_{t-1} = da_t W_{hh}^\top`; the sums over time of the weight
    gradients and all of ``dx`` are single matrix products after it.

    In a padded batch (``lengths`` in the cache) the gradient reaching a
    step past a sequence's end is dropped: that step's output was a constant
    zero. Walking back from :math:`t = T`, such a sequence then carries
    nothing until its last valid step, so the loop needs no test of its own.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(3, 4)), "W_hh": rng.normal(size=(4, 4)),
    ...           "b_h": np.zeros(4)}
    >>> hs, cache = rnn_forward(rng.normal(size=(2, 5, 3)), np.zeros((2, 4)), params)
    >>> dx, dh0, grads = rnn_backward(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, grads["W_hh"].shape
    ((2, 5, 3), (2, 4), (4, 4))
    """
    xs, h, params, activation, lengths = check_cache("cache", cache, RNNCache, "rnn_forward")
    T, N, D = xs.shape
    H = h.shape[2]
    sizes = Sizes(
        N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_hh"]')
    )
    dhs = zero_past_end(check_input("dhs", dhs, ("N", "T", "H"), sizes), lengths)
    dtype = np.result_type(dhs, h)
    W_xh, W_hh = (params[key].astype(dtype, copy=False) for key in ("W_xh", "W_hh"))
    W_hh_T = W_hh.T
    da = np.empty((T, N, H), dtype=dtype)
    dh = np.zeros((N, H), dtype=dtype)
    slope = np.empty((N, H), dtype=dtype)
    for t in reversed(range(T)):
        np.add(dhs[:, t], dh, out=da[t])
        if activation == "tanh":
            np.multiply(h[t + 1], h[t + 1], out=slope)
            np.subtract(1, slope, out=slope)  # tanh' = 1 - h_t^2
            da[t] *= slope
        else:
            da[t] *= h[t + 1] > 0
        np.matmul(da[t], W_hh_T, out=dh)
    da = da.reshape(T * N, H)
    grads = {
        "W_xh": xs.reshape(T * N, D).T @ da,
        "W_hh": h[:-1].reshape(T * N, H).T @ da,
        "b_h": da.sum(axis=0),
    }
    dx = batch_major((da @ W_xh.T).reshape(T, N, D))
    return dx, dh, grads


def _check_activation(activation) -> None:
    if not (isinstance(activation, str) and activation in ACTIVATIONS):
        raise ValueError(f'activation must be "tanh" or "relu", got {activation!r}')


def _cached_sizes(h: np.ndarray, name: str) -> Sizes:
    """Sizes an incoming gradient must match: those of the cached state."""
    return Sizes(N=(h.shape[0], f"the cached {name}"), H=(h.shape[1], f"the cached {name}"))
