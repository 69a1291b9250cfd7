r"""The long short-term memory (LSTM) layer: one step, a whole sequence, and their gradients.

Row convention, as everywhere in the package: a step input ``x`` is ``(N, D)``,
the states ``h`` and ``c`` are ``(N, H)``. The four gates share one fused
affine map, :math:`a = x W_x + h_{t-1} W_h + b` with ``W_x (D, 4H)``,
``W_h (H, 4H)`` and ``b (4H,)``, whose four column blocks of width H are, in
this order, the input gate i, the forget gate f, the candidate g and the
output gate o:

.. math::

    i = \sigma(a_i), \quad f = \sigma(a_f), \quad g = \tanh(a_g), \quad o = \sigma(a_o),
    \qquad c_t = f \odot c_{t-1} + i \odot g, \qquad h_t = o \odot \tanh(c_t)

The order i, f, g, o is also the order of PyTorch's ``torch.nn.LSTM`` and of
Keras' ``LSTM`` (which calls g "c"), so converting weights is a transpose at
most (see :mod:`rnn_tutorial.layouts`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..timeaxis import (
    _input_grads,
    _zero_past_end_time_major,
    batch_major,
    time_major,
)
from ..validation import (
    Sizes,
    check_cache,
    check_input,
    check_lengths,
    check_params,
    check_sequence,
)
from .activations import sigmoid

__all__ = [
    "LSTMCache",
    "LSTMStepCache",
    "lstm_backward",
    "lstm_forward",
    "lstm_step_backward",
    "lstm_step_forward",
]

# W_h first: its rows are the one place H appears on its own, so a W_x or b of
# the wrong gate width is blamed on itself ("params["W_x"] ... must be (D, 4H)").
LSTM_SPEC = {"W_h": ("H", "4H"), "W_x": ("D", "4H"), "b": ("4H",)}
LSTM_KEYS = ("W_x", "W_h", "b")


class LSTMStepCache(NamedTuple):
    """What :func:`lstm_step_backward` needs from one forward step."""

    x: np.ndarray
    h_prev: np.ndarray
    c_prev: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    tanh_c: np.ndarray
    params: dict


class LSTMCache(NamedTuple):
    """What :func:`lstm_backward` needs, every array stored once and time-major.

    ``x[t]`` is the input of step t + 1, ``h[t]`` and ``c[t]`` are the states
    :math:`h_t, c_t` (index 0 the initial ones), ``gates[t]`` holds
    ``[i, f, g, o]`` of step t + 1 side by side and ``tanh_c[t]`` its
    :math:`\\tanh(c_{t+1})`. :attr:`steps` rebuilds the per-step caches of
    :func:`lstm_step_forward` as views. In a padded batch a sequence's states
    are carried unchanged past its end, so ``h[-1]`` and ``c[-1]`` hold every
    sequence's final states.
    """

    x: np.ndarray  # (T, N, D)
    h: np.ndarray  # (T + 1, N, H)
    c: np.ndarray  # (T + 1, N, H)
    gates: np.ndarray  # (T, N, 4H): i, f, g, o
    tanh_c: np.ndarray  # (T, N, H)
    params: dict
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T

    @property
    def steps(self) -> list:
        """One :class:`LSTMStepCache` per step, views into this cache's arrays."""
        H = self.h.shape[2]
        return [
            LSTMStepCache(
                self.x[t],
                self.h[t],
                self.c[t],
                *(self.gates[t, :, k * H : (k + 1) * H] for k in range(4)),
                self.c[t + 1],
                self.tanh_c[t],
                self.params,
            )
            for t in range(len(self.x))
        ]


def lstm_step_forward(x: np.ndarray, h_prev: np.ndarray, c_prev: np.ndarray, params: dict):
    r"""One step of the LSTM: four gates from one fused affine map, then the two states.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        The input at this step, one row per sequence in the batch.
    h_prev : ndarray, shape (N, H)
        The previous hidden state :math:`h_{t-1}`.
    c_prev : ndarray, shape (N, H)
        The previous cell state :math:`c_{t-1}`.
    params : dict
        ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,); the column blocks of
        width H belong to the gates i, f, g, o in that order.

    Returns
    -------
    h : ndarray, shape (N, H)
        The new hidden state :math:`h_t`, the layer's output.
    c : ndarray, shape (N, H)
        The new cell state :math:`c_t`.
    cache : LSTMStepCache
        ``(x, h_prev, c_prev, i, f, g, o, c, tanh_c, params)`` for
        :func:`lstm_step_backward`.

    Notes
    -----
    .. math::

        a &= x_t W_x + h_{t-1} W_h + b = [a_i, a_f, a_g, a_o] \\
        i &= \sigma(a_i), \quad f = \sigma(a_f), \quad g = \tanh(a_g), \quad o = \sigma(a_o) \\
        c_t &= f \odot c_{t-1} + i \odot g \\
        h_t &= o \odot \tanh(c_t)

    The forget gate f decides how much of the old cell state survives, the
    input gate i how much of the candidate g is written, the output gate o
    how much of the squashed cell state is shown as :math:`h_t`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> h, c, cache = lstm_step_forward(rng.normal(size=(4, 3)), np.zeros((4, 2)),
    ...                                 np.zeros((4, 2)), params)
    >>> h.shape, c.shape
    ((4, 2), (4, 2))
    >>> bool(np.all(np.abs(h) < 1))  # o in (0, 1) times tanh(c) in (-1, 1)
    True
    """
    params, sizes = check_params(params, LSTM_SPEC)
    x = check_input("x", x, ("N", "D"), sizes)
    h_prev = check_input("h_prev", h_prev, ("N", "H"), sizes)
    c_prev = check_input("c_prev", c_prev, ("N", "H"), sizes)
    a = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(a_i), sigmoid(a_f), np.tanh(a_g), sigmoid(a_o)
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, LSTMStepCache(x, h_prev, c_prev, i, f, g, o, c, tanh_c, params)


def lstm_step_backward(dh: np.ndarray, dc: np.ndarray, cache: LSTMStepCache):
    r"""Gradients of one LSTM step, given the gradients reaching :math:`h_t` and :math:`c_t`.

    Parameters
    ----------
    dh : ndarray, shape (N, H)
        The total gradient reaching :math:`h_t`: from this step's output and
        from step :math:`t+1`.
    dc : ndarray, shape (N, H)
        The gradient reaching :math:`c_t` directly, carried back from step
        :math:`t+1` (zeros at the last step unless the final cell state is
        used). The path from :math:`c_t` through :math:`h_t` is added here.
    cache : LSTMStepCache
        From :func:`lstm_step_forward`.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
        The gradient carried back to :math:`h_{t-1}`.
    dc_prev : ndarray, shape (N, H)
        The gradient carried back to :math:`c_{t-1}`.
    grads : dict
        ``W_x``, ``W_h``, ``b``, summed over the batch.

    Notes
    -----
    The forward equations read from the bottom up. The cell state feeds
    :math:`h_t` through :math:`\tanh`, so its total gradient is the carried
    one plus that path; every gate's pre-activation gradient then uses the
    derivative of its own nonlinearity, written with the gate's value
    (:math:`\sigma' = \sigma(1 - \sigma)`, :math:`\tanh' = 1 - \tanh^2`):

    .. math::

        do &= dh \odot \tanh(c_t) \\
        dc_t &= dc + dh \odot o \odot (1 - \tanh^2(c_t)) \\
        df &= dc_t \odot c_{t-1}, \quad dc_{t-1} = dc_t \odot f, \quad
        di = dc_t \odot g, \quad dg = dc_t \odot i \\
        da &= [di \odot i(1 - i),\; df \odot f(1 - f),\; dg \odot (1 - g^2),\;
              do \odot o(1 - o)] \\
        dx &= da\, W_x^\top, \quad dh_{t-1} = da\, W_h^\top, \quad
        dW_x = x_t^\top da, \quad dW_h = h_{t-1}^\top da, \quad db = \textstyle\sum_n da

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> h, c, cache = lstm_step_forward(rng.normal(size=(4, 3)), np.zeros((4, 2)),
    ...                                 np.zeros((4, 2)), params)
    >>> dx, dh_prev, dc_prev, grads = lstm_step_backward(np.ones_like(h), np.zeros_like(c), cache)
    >>> dx.shape, dh_prev.shape, dc_prev.shape, {k: v.shape for k, v in grads.items()}
    ((4, 3), (4, 2), (4, 2), {'W_x': (3, 8), 'W_h': (2, 8), 'b': (8,)})
    """
    x, h_prev, c_prev, i, f, g, o, c, tanh_c, params = check_cache(
        "cache", cache, LSTMStepCache, "lstm_step_forward"
    )
    sizes = _cached_sizes(c)
    dh = check_input("dh", dh, ("N", "H"), sizes)
    dc = check_input("dc", dc, ("N", "H"), sizes)
    do = dh * tanh_c
    dc_t = dc + dh * o * (1 - tanh_c**2)  # carried gradient plus the path through h = o tanh(c)
    df = dc_t * c_prev
    dc_prev = dc_t * f
    di = dc_t * g
    dg = dc_t * i
    da = np.hstack([di * i * (1 - i), df * f * (1 - f), dg * (1 - g**2), do * o * (1 - o)])
    dx = da @ params["W_x"].T
    dh_prev = da @ params["W_h"].T
    grads = {"W_x": x.T @ da, "W_h": h_prev.T @ da, "b": da.sum(axis=0)}
    return dx, dh_prev, dc_prev, grads


def lstm_forward(x: np.ndarray, h0: np.ndarray, c0: np.ndarray, params: dict, *, lengths=None):
    r"""Run the LSTM over a whole sequence, the same weights at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        A batch of N sequences of T steps.
    h0, c0 : ndarray, shape (N, H)
        The initial hidden and cell states (often zeros).
    params : dict
        ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,), gates i, f, g, o.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length, :math:`1 \le \ell_n \le T`;
        None means every sequence has length T.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step; ``hs[:, -1]`` is the final one.
    cs : ndarray, shape (N, T, H)
        The cell state after every step; ``cs[:, -1]`` is the final one.
        Both are views of the cache's state arrays: copy before changing in place.
        With ``lengths``, new arrays whose steps past a sequence's end are
        zero; the final states are then ``cache.h[-1]`` and ``cache.c[-1]``.
    cache : LSTMCache

    Notes
    -----
    The numbers of :func:`lstm_step_forward` for :math:`t = 1, \dots, T`
    (as :func:`~rnn_tutorial.lstm_forward_steps` computes them),
    faster: :math:`x_t W_x + b` for all steps is one matrix product before
    the loop (``b`` rides in it as the weight of a column of ones next to
    :math:`x_t`), the loop multiplies only :math:`h_{t-1} W_h`, and all four
    gates go through one ``tanh`` using :math:`\sigma(a) = (1 + \tanh(a/2))/2`
    (the halving is folded into the sigmoid gates' columns of the weights,
    which is exact in binary floating point).

    With ``lengths`` this is PyTorch's packed sequence: past step
    :math:`\ell_n` sequence n keeps both states and its outputs are zero.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> hs, cs, cache = lstm_forward(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)),
    ...                              np.zeros((4, 2)), params)
    >>> hs.shape, cs.shape, len(cache.steps)
    ((4, 5, 2), (4, 5, 2), 5)
    """
    params, sizes, x, (h0, c0) = check_sequence(params, LSTM_SPEC, x, h0=h0, c0=c0)
    N, T, D = x.shape
    H = sizes.value("H")
    lengths = check_lengths(lengths, N, T)
    first_end = T if lengths is None else lengths.min(initial=T)
    dtype = np.result_type(x, h0, c0, *params.values())
    scale = _gate_scale(H, dtype)
    W_x, W_h, b = (params[key].astype(dtype, copy=False) * scale for key in LSTM_KEYS)
    xs1 = time_major(x, dtype, ones=True)  # [x_t, 1]: b rides in the product
    gates = (xs1.reshape(T * N, D + 1) @ np.vstack([W_x, b])).reshape(T, N, 4 * H)
    h = np.empty((T + 1, N, H), dtype=dtype)
    c = np.empty_like(h)
    tanh_c = np.empty((T, N, H), dtype=dtype)
    h[0], c[0] = h0, c0
    hW = np.empty((N, 4 * H), dtype=dtype)
    ig = np.empty((N, H), dtype=dtype)
    for t in range(T):
        a = gates[t]
        np.matmul(h[t], W_h, out=hW)
        a += hW
        np.tanh(a, out=a)  # halved a for i, f, o: sigma(a) = tanh(a/2)/2 + 1/2
        for sig in (a[:, : 2 * H], a[:, 3 * H :]):  # i, f and o; g is the tanh itself
            sig *= 0.5
            sig += 0.5
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        np.multiply(f, c[t], out=c[t + 1])
        np.multiply(i, g, out=ig)
        c[t + 1] += ig
        np.tanh(c[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[t + 1])
        if t >= first_end:  # a sequence past its end keeps its states (only those rows)
            ended = np.flatnonzero(lengths <= t)
            h[t + 1, ended] = h[t, ended]
            c[t + 1, ended] = c[t, ended]
    cache = LSTMCache(xs1[:, :, :D], h, c, gates, tanh_c, params, lengths)
    hs, cs = (
        (s[1:] if lengths is None else _zero_past_end_time_major(s[1:], lengths)) for s in (h, c)
    )
    return hs.transpose(1, 0, 2), cs.transpose(1, 0, 2), cache  # outputs past an end: 0


def lstm_backward(dhs: np.ndarray, cache: LSTMCache, dc_last: np.ndarray | None = None):
    r"""Backpropagation through time for :func:`lstm_forward`.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        :math:`\partial L/\partial h_t` from the layers above at every step,
        *not* including the gradient that flows back through the recurrence;
        that part is added here.
    cache : LSTMCache
        From :func:`lstm_forward`.
    dc_last : ndarray, shape (N, H), optional
        :math:`\partial L/\partial c_T` when the final cell state is used
        outside the layer (e.g. handed to a decoder); zeros when omitted.
        In a padded batch it reaches each sequence's last valid step.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
        Zero at the steps past a sequence's end.
    dh0 : ndarray, shape (N, H)
    dc0 : ndarray, shape (N, H)
    grads : dict
        ``W_x``, ``W_h``, ``b``, summed over batch and time.

    Notes
    -----
    Two gradients travel backwards, one per state. From :math:`t = T` down
    to 1, step :math:`t` receives :math:`\mathrm{dhs}_t + dh_{\text{next}}`
    for :math:`h_t` and :math:`dc_{\text{next}}` for :math:`c_t`, and hands
    :math:`dh_{t-1}`, :math:`dc_{t-1}` to the step before. The path
    :math:`dc_{t-1} = dc_t \odot f` is the "conveyor belt": multiplied only by
    the forget gate, never by a weight matrix.

    The equations of :func:`lstm_step_backward`, with the stored
    :math:`h_t = o \odot \tanh(c_t)` saving passes:
    :math:`dh \odot o \odot (1 - \tanh^2 c_t) = dh \odot o - (dh \odot h_t) \odot \tanh c_t`
    and :math:`do \odot o(1 - o) = (dh \odot h_t) \odot (1 - o)`. The loop keeps
    the pre-activation gradients :math:`da_t` of all steps, and ``dx`` and
    the weight gradients are one matrix product each after it (``db`` is
    the last row of the product for ``W_x``, through the column of ones).

    In a padded batch (``lengths`` in the cache) the gradient reaching a
    step past a sequence's end is dropped, and ``dc_last`` enters at the
    sequence's last valid step :math:`\ell_n`, where its final cell state was
    made.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> hs, cs, cache = lstm_forward(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)),
    ...                              np.zeros((4, 2)), params)
    >>> dx, dh0, dc0, grads = lstm_backward(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, dc0.shape, grads["W_h"].shape
    ((4, 5, 3), (4, 2), (4, 2), (2, 8))
    """
    xs, h, c, gates, tanh_c, params, lengths = check_cache(
        "cache", cache, LSTMCache, "lstm_forward"
    )
    T, N, D = xs.shape
    H = h.shape[2]
    sizes = Sizes(N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_h"]'))
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    first_end = T if lengths is None else lengths.min(initial=T)
    dtype = np.result_type(dhs, h)
    dc = np.zeros((N, H), dtype=dtype)
    dc_at = None  # padded batch: dc_last enters at each sequence's last valid step
    if dc_last is not None:
        dc_last = check_input("dc_last", dc_last, ("N", "H"), sizes)
        dtype = np.result_type(dtype, dc_last)
        dc = np.array(dc_last if lengths is None else dc, dtype=dtype)
        if lengths is not None:
            dc_at = np.zeros((T, N, H), dtype=dtype)
            dc_at[lengths - 1, np.arange(N)] = dc_last
    W_x = params["W_x"].astype(dtype, copy=False)
    W_h_T = np.ascontiguousarray(params["W_h"].T, dtype=dtype)  # BLAS is faster on it than on .T
    da = np.empty((T, N, 4 * H), dtype=dtype)
    dh = np.zeros((N, H), dtype=dtype)
    dh_h = np.empty((N, H), dtype=dtype)
    tmp = np.empty((N, H), dtype=dtype)
    one_minus = np.empty((N, 2 * H), dtype=dtype)
    for t in reversed(range(T)):
        a, d = gates[t], da[t]
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        di, df, dg, do = d[:, :H], d[:, H : 2 * H], d[:, 2 * H : 3 * H], d[:, 3 * H :]
        dh += dhs[:, t]
        if t >= first_end:  # the gradient reaching a step past a sequence's end is dropped
            dh[np.flatnonzero(lengths <= t)] = 0
        if dc_at is not None:
            dc += dc_at[t]
        # h_t = o tanh(c_t) is stored, so dh o (1 - tanh^2 c_t) = dh o - (dh h_t) tanh c_t
        # and do o (1 - o) = (dh h_t)(1 - o): dh h_t serves both
        np.multiply(dh, h[t + 1], out=dh_h)
        np.subtract(1, o, out=do)
        do *= dh_h  # da_o
        np.multiply(dh, o, out=tmp)
        dc += tmp
        np.multiply(dh_h, tanh_c[t], out=tmp)
        dc -= tmp  # dc_t: carried plus the path through h_t
        np.multiply(dc, g, out=di)
        np.multiply(dc, c[t], out=df)
        np.multiply(dc, i, out=dg)
        dc *= f  # dc_{t-1}
        np.subtract(1, a[:, : 2 * H], out=one_minus)
        d[:, : 2 * H] *= one_minus
        d[:, : 2 * H] *= a[:, : 2 * H]  # da_i, da_f: sigma' = sigma (1 - sigma)
        np.multiply(g, g, out=tmp)
        np.subtract(1, tmp, out=tmp)
        dg *= tmp  # da_g: tanh' = 1 - g^2
        np.matmul(d, W_h_T, out=dh)
    da = da.reshape(T * N, 4 * H)
    dW_x, db = _input_grads(xs, da)
    grads = {"W_x": dW_x, "W_h": h[:-1].reshape(T * N, H).T @ da, "b": db}
    dx = batch_major((da @ W_x.T).reshape(T, N, D))
    return dx, dh, dc, grads


def _gate_scale(H: int, dtype) -> np.ndarray:
    """Column factors that halve the sigmoid gates' inputs: sigma(a) = tanh(a/2)/2 + 1/2."""
    scale = np.full(4 * H, 0.5, dtype=dtype)
    scale[2 * H : 3 * H] = 1  # the candidate g is a plain tanh
    return scale


def _cached_sizes(c: np.ndarray) -> Sizes:
    """Sizes an incoming gradient must match: those of the cached cell state."""
    return Sizes(N=(c.shape[0], "the cached c"), H=(c.shape[1], "the cached c"))
