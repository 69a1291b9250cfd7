"""The vanilla (Elman) recurrent layer: one step, a whole sequence, and their gradients.

Row convention: a step input ``x`` is ``(N, D)``, a state ``h`` is ``(N, H)``
and the cell computes ``h = tanh(x @ W_xh + h_prev @ W_hh + b_h)``; the keyword
``activation="relu"`` swaps the tanh for ``max(a, 0)``.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .validation import Sizes, check_input, check_params

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
    """What :func:`rnn_backward` needs: one :class:`RNNStepCache` per time step."""

    steps: list


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
    x, h_prev, h, params, activation = cache
    dh = check_input("dh", dh, ("N", "H"), _cached_sizes(h, "h"))
    da = dh * (1 - h**2) if activation == "tanh" else dh * (h > 0)
    dx = da @ params["W_xh"].T
    dh_prev = da @ params["W_hh"].T
    grads = {"W_xh": x.T @ da, "W_hh": h_prev.T @ da, "b_h": da.sum(axis=0)}
    return dx, dh_prev, grads


def rnn_forward(x: np.ndarray, h0: np.ndarray, params: dict, *, activation="tanh"):
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

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step; ``hs[:, t]`` is :math:`h_{t+1}`
        when the steps are counted from 1, and ``hs[:, -1]`` the final state.
    cache : RNNCache

    Notes
    -----
    .. math:: h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \quad t = 1, \dots, T

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
    params, sizes = check_params(params, RNN_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h0 = check_input("h0", h0, ("N", "H"), sizes)
    N, T, _ = x.shape
    if T == 0:
        raise ValueError(f"x has shape {x.shape}: a sequence needs at least one step (T >= 1)")
    hs = np.empty((N, T, sizes.value("H")), dtype=np.result_type(x, h0, params["W_hh"]))
    steps = []
    h = h0
    for t in range(T):
        h, step = rnn_step_forward(x[:, t], h, params, activation=activation)
        hs[:, t] = h
        steps.append(step)
    return hs, RNNCache(steps)


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
    steps = cache.steps
    T = len(steps)
    N, H = steps[0].h.shape
    sizes = Sizes(
        N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_hh"]')
    )
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    dx = np.empty((N, T, steps[0].x.shape[1]), dtype=dhs.dtype)
    grads = {key: np.zeros_like(steps[0].params[key], dtype=dhs.dtype) for key in RNN_SPEC}
    dh_next = np.zeros((N, H), dtype=dhs.dtype)
    for t in reversed(range(T)):
        dx[:, t], dh_next, step_grads = rnn_step_backward(dhs[:, t] + dh_next, steps[t])
        for key in grads:
            grads[key] += step_grads[key]
    return dx, dh_next, grads


def _check_activation(activation) -> None:
    if not (isinstance(activation, str) and activation in ACTIVATIONS):
        raise ValueError(f'activation must be "tanh" or "relu", got {activation!r}')


def _cached_sizes(h: np.ndarray, name: str) -> Sizes:
    """Sizes an incoming gradient must match: those of the cached state."""
    return Sizes(N=(h.shape[0], f"the cached {name}"), H=(h.shape[1], f"the cached {name}"))
