r"""The gated recurrent unit (GRU): one step, a whole sequence, their gradients, two forms.

Row convention: a step input ``x`` is ``(N, D)``, the state ``h`` is
``(N, H)``. The parameters are ``W_x (D, 3H)``, ``W_h (H, 3H)``,
``b_x (3H,)`` and ``b_h (3H,)``, whose column blocks of width H belong, in this
order, to the reset gate r, the update gate z and the candidate n (PyTorch's
order and names). Both forms below use the same dict and the same two gates,

.. math::

    r = \sigma(x W_{xr} + b_{xr} + h_{t-1} W_{hr} + b_{hr}), \qquad
    z = \sigma(x W_{xz} + b_{xz} + h_{t-1} W_{hz} + b_{hz}),

and the same final interpolation, :math:`h_t = (1 - z) \odot n + z \odot h_{t-1}`.
They differ only in *where the reset gate acts* in the candidate:

``form="reset_after"`` (PyTorch ``torch.nn.GRU``, cuDNN, Keras' default ``reset_after=True``)
    the reset gate scales the hidden state's affine map, bias included:
    :math:`n = \tanh(x W_{xn} + b_{xn} + r \odot (h_{t-1} W_{hn} + b_{hn}))`.
    One matrix product :math:`h_{t-1} W_h` serves all three blocks, which is
    why fast GPU kernels use it.

``form="textbook"`` (the original GRU of Cho et al. 2014, seed 002, Keras ``reset_after=False``)
    the reset gate scales the state before the matrix product:
    :math:`n = \tanh(x W_{xn} + b_{xn} + (r \odot h_{t-1}) W_{hn} + b_{hn})`.
    The candidate's product must wait for r.

With the same weights the two forms compute different functions. Where the
reset gate is fully open, :math:`r \equiv 1`, both candidates are
:math:`\tanh(x W_{xn} + b_{xn} + h_{t-1} W_{hn} + b_{hn})` and the forms agree.

**Which way round z goes.** Texts disagree on which side of the interpolation
z multiplies. PyTorch, cuDNN and Keras write
:math:`h_t = (1 - z) \odot n + z \odot h_{t-1}`, so :math:`z \to 1` *keeps*
the old state; seed 002 (like Chung et al. 2014) writes
:math:`h_t = (1 - z) \odot h_{t-1} + z \odot \tilde h`, so :math:`z \to 1`
*replaces* it. This package uses the first orientation in both forms. The two
are the same model: since :math:`\sigma(-a) = 1 - \sigma(a)`, negating the z
columns of ``W_x`` and ``W_h`` and the z blocks of ``b_x`` and ``b_h`` turns
one gate into the other, and
:func:`rnn_tutorial.layouts.gru_swap_update_convention` does exactly that.
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
    "GRUCache",
    "GRUStepCache",
    "gru_backward",
    "gru_forward",
    "gru_step_backward",
    "gru_step_forward",
]

# W_h first: its rows are the one place H appears on its own, so a W_x or bias
# of the wrong width is blamed on itself ("params["W_x"] ... must be (D, 3H)").
GRU_SPEC = {"W_h": ("H", "3H"), "W_x": ("D", "3H"), "b_x": ("3H",), "b_h": ("3H",)}
GRU_KEYS = ("W_x", "W_h", "b_x", "b_h")
FORMS = ("reset_after", "textbook")


class GRUStepCache(NamedTuple):
    """What :func:`gru_step_backward` needs from one forward step."""

    x: np.ndarray
    h_prev: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    hn: np.ndarray  # the hidden part of the candidate's pre-activation (see gru_step_forward)
    params: dict
    form: str = "reset_after"


class GRUCache(NamedTuple):
    """What :func:`gru_backward` needs, every array stored once and time-major.

    ``x[t]`` is the input of step t + 1, ``h[t]`` the state :math:`h_t`
    (``h[0]`` the initial one), ``gates[t]`` holds ``[r, z, n]`` of step t + 1
    side by side and ``hn[t]`` the hidden part of its candidate (see
    :func:`gru_step_forward`). :attr:`steps` rebuilds the per-step caches of
    :func:`gru_step_forward` as views. In a padded batch a sequence's state
    is carried unchanged past its end, so ``h[-1]`` holds every sequence's
    final state.
    """

    x: np.ndarray  # (T, N, D)
    h: np.ndarray  # (T + 1, N, H)
    gates: np.ndarray  # (T, N, 3H): r, z, n
    hn: np.ndarray  # (T, N, H)
    params: dict
    form: str = "reset_after"
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T

    @property
    def steps(self) -> list:
        """One :class:`GRUStepCache` per step, views into this cache's arrays."""
        H = self.h.shape[2]
        return [
            GRUStepCache(
                self.x[t],
                self.h[t],
                *(self.gates[t, :, k * H : (k + 1) * H] for k in range(3)),
                self.hn[t],
                self.params,
                self.form,
            )
            for t in range(len(self.x))
        ]


def gru_step_forward(x: np.ndarray, h_prev: np.ndarray, params: dict, form="reset_after"):
    r"""One step of the GRU, in the reset-after (PyTorch) or the textbook form.

    Parameters
    ----------
    x : ndarray, shape (N, D)
        The input at this step, one row per sequence in the batch.
    h_prev : ndarray, shape (N, H)
        The previous hidden state :math:`h_{t-1}`.
    params : dict
        ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b_x`` (3H,), ``b_h`` (3H,); the
        column blocks of width H belong to r, z, n in that order.
    form : {"reset_after", "textbook"}, default "reset_after"
        Where the reset gate acts: on :math:`h_{t-1} W_{hn} + b_{hn}` (PyTorch,
        cuDNN) or on :math:`h_{t-1}` before the product (Cho et al. 2014,
        seed 002). See the module docstring.

    Returns
    -------
    h : ndarray, shape (N, H)
        The new hidden state :math:`h_t`.
    cache : GRUStepCache
        ``(x, h_prev, r, z, n, hn, params, form)`` for :func:`gru_step_backward`,
        where ``hn`` is :math:`h_{t-1} W_{hn} + b_{hn}` (reset after) or
        :math:`(r \odot h_{t-1}) W_{hn} + b_{hn}` (textbook).

    Notes
    -----
    .. math::

        r &= \sigma(x_t W_{xr} + b_{xr} + h_{t-1} W_{hr} + b_{hr}) \\
        z &= \sigma(x_t W_{xz} + b_{xz} + h_{t-1} W_{hz} + b_{hz}) \\
        n &= \tanh(x_t W_{xn} + b_{xn} + r \odot (h_{t-1} W_{hn} + b_{hn}))
             \quad\text{(reset after)} \\
        n &= \tanh(x_t W_{xn} + b_{xn} + (r \odot h_{t-1}) W_{hn} + b_{hn})
             \quad\text{(textbook)} \\
        h_t &= (1 - z) \odot n + z \odot h_{t-1}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": rng.normal(size=6)}
    >>> x, h_prev = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    >>> h_after, _ = gru_step_forward(x, h_prev, params)
    >>> h_book, _ = gru_step_forward(x, h_prev, params, form="textbook")
    >>> h_after.shape, bool(np.allclose(h_after, h_book))  # same weights, different functions
    ((4, 2), False)
    """
    _check_form(form)
    params, sizes = check_params(params, GRU_SPEC)
    x = check_input("x", x, ("N", "D"), sizes)
    h_prev = check_input("h_prev", h_prev, ("N", "H"), sizes)
    H = sizes.value("H")
    W_hn, b_hn = params["W_h"][:, 2 * H :], params["b_h"][2 * H :]
    xr, xz, xn = np.split(x @ params["W_x"] + params["b_x"], 3, axis=1)
    hr, hz = np.split(h_prev @ params["W_h"][:, : 2 * H] + params["b_h"][: 2 * H], 2, axis=1)
    r = sigmoid(xr + hr)
    z = sigmoid(xz + hz)
    if form == "reset_after":
        hn = h_prev @ W_hn + b_hn
        n = np.tanh(xn + r * hn)
    else:
        hn = (r * h_prev) @ W_hn + b_hn
        n = np.tanh(xn + hn)
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x, h_prev, r, z, n, hn, params, form)


def gru_step_backward(dh: np.ndarray, cache: GRUStepCache):
    r"""Gradients of one GRU step (either form), given :math:`\partial L/\partial h_t`.

    Parameters
    ----------
    dh : ndarray, shape (N, H)
        The total gradient reaching :math:`h_t`: from this step's output and
        from step :math:`t+1`.
    cache : GRUStepCache
        From :func:`gru_step_forward`; it records the form.

    Returns
    -------
    dx : ndarray, shape (N, D)
    dh_prev : ndarray, shape (N, H)
        The gradient carried back to :math:`h_{t-1}`, along all its paths:
        directly through :math:`z \odot h_{t-1}`, through the candidate and
        through both gates.
    grads : dict
        ``W_x``, ``W_h``, ``b_x``, ``b_h``, summed over the batch.

    Notes
    -----
    The forward equations read from the bottom up, with :math:`a_n` the
    candidate's pre-activation and :math:`\mathit{hn}` its hidden part:

    .. math::

        dn &= dh \odot (1 - z), \quad dz = dh \odot (h_{t-1} - n), \quad
        dh_{t-1} \mathrel{+}= dh \odot z \\
        da_n &= dn \odot (1 - n^2) \\
        \text{reset after:}\quad d\mathit{hn} &= da_n \odot r, \quad
        dr = da_n \odot \mathit{hn}, \quad dh_{t-1} \mathrel{+}= d\mathit{hn}\, W_{hn}^\top,
        \quad dW_{hn} = h_{t-1}^\top d\mathit{hn} \\
        \text{textbook:}\quad d\mathit{hn} &= da_n, \quad
        d(r \odot h_{t-1}) = d\mathit{hn}\, W_{hn}^\top, \quad
        dr = d(r \odot h_{t-1}) \odot h_{t-1}, \quad
        dh_{t-1} \mathrel{+}= d(r \odot h_{t-1}) \odot r, \\
        &\quad dW_{hn} = (r \odot h_{t-1})^\top d\mathit{hn} \\
        da_r &= dr \odot r(1 - r), \quad da_z = dz \odot z(1 - z), \quad
        dh_{t-1} \mathrel{+}= [da_r, da_z]\, [W_{hr}, W_{hz}]^\top \\
        dx &= [da_r, da_z, da_n]\, W_x^\top, \quad
        dW_x = x_t^\top [da_r, da_z, da_n], \quad db_x = \textstyle\sum_n [da_r, da_z, da_n],
        \quad db_h = \textstyle\sum_n [da_r, da_z, d\mathit{hn}]

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> h, cache = gru_step_forward(rng.normal(size=(4, 3)), np.zeros((4, 2)), params)
    >>> dx, dh_prev, grads = gru_step_backward(np.ones_like(h), cache)
    >>> dx.shape, dh_prev.shape, {k: v.shape for k, v in grads.items()}
    ((4, 3), (4, 2), {'W_x': (3, 6), 'W_h': (2, 6), 'b_x': (6,), 'b_h': (6,)})
    """
    x, h_prev, r, z, n, hn, params, form = check_cache(
        "cache", cache, GRUStepCache, "gru_step_forward"
    )
    dh = check_input("dh", dh, ("N", "H"), _cached_sizes(h_prev))
    H = h_prev.shape[1]
    W_hn = params["W_h"][:, 2 * H :]
    dn = dh * (1 - z)
    dz = dh * (h_prev - n)
    dh_prev = dh * z  # the direct path h_t = ... + z h_{t-1}
    da_n = dn * (1 - n**2)
    if form == "reset_after":
        dhn = da_n * r
        dr = da_n * hn
        dh_prev += dhn @ W_hn.T
        dW_hn = h_prev.T @ dhn
    else:
        dhn = da_n
        drh = dhn @ W_hn.T  # gradient of the product r * h_prev
        dr = drh * h_prev
        dh_prev += drh * r
        dW_hn = (r * h_prev).T @ dhn
    da_rz = np.hstack([dr * r * (1 - r), dz * z * (1 - z)])
    dh_prev += da_rz @ params["W_h"][:, : 2 * H].T
    da_x = np.hstack([da_rz, da_n])  # gradient of x W_x + b_x, all three blocks
    dx = da_x @ params["W_x"].T
    grads = {
        "W_x": x.T @ da_x,
        "W_h": np.hstack([h_prev.T @ da_rz, dW_hn]),
        "b_x": da_x.sum(axis=0),
        "b_h": np.concatenate([da_rz.sum(axis=0), dhn.sum(axis=0)]),
    }
    return dx, dh_prev, grads


def gru_forward(x: np.ndarray, h0: np.ndarray, params: dict, form="reset_after", *, lengths=None):
    r"""Run the GRU over a whole sequence, the same weights at every step.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        A batch of N sequences of T steps.
    h0 : ndarray, shape (N, H)
        The initial state (often zeros).
    params : dict
        ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b_x`` (3H,), ``b_h`` (3H,), gates r, z, n.
    form : {"reset_after", "textbook"}, default "reset_after"
        See :func:`gru_step_forward`.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length, :math:`1 \le \ell_n \le T`;
        None means every sequence has length T.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step; ``hs[:, -1]`` is the final one.
        A view of the cache's state array: copy it before changing it in place.
        With ``lengths``, a new array whose steps past a sequence's end are
        zero; the final states are then ``cache.h[-1]``.
    cache : GRUCache

    Notes
    -----
    The numbers of :func:`gru_step_forward` for :math:`t = 1, \dots, T`
    (as :func:`~rnn_tutorial.gru_forward_steps` computes them),
    faster: :math:`x_t W_x` plus every bias the reset gate does not scale
    (:math:`b_x` and the r, z blocks of :math:`b_h`) for all steps is one
    matrix product before the loop (the biases ride in it as the weights of a
    column of ones next to :math:`x_t`), the loop multiplies only by
    :math:`W_h` (once in the reset-after form, twice in the textbook form,
    whose candidate product waits for r), and both gates r, z go through one
    ``tanh`` using :math:`\sigma(a) = (1 + \tanh(a/2))/2`.

    With ``lengths`` this is PyTorch's packed sequence: past step
    :math:`\ell_n` sequence n keeps its state and its outputs are zero.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> hs, cache = gru_forward(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)), params)
    >>> hs.shape, len(cache.steps)
    ((4, 5, 2), 5)
    """
    _check_form(form)
    params, sizes, x, (h0,) = check_sequence(params, GRU_SPEC, x, h0=h0)
    N, T, D = x.shape
    H = sizes.value("H")
    lengths = check_lengths(lengths, N, T)
    first_end = T if lengths is None else lengths.min(initial=T)
    dtype = np.result_type(x, h0, *params.values())
    # halve the r and z columns (exact): sigma(a) = tanh(a/2)/2 + 1/2
    scale = np.ones(3 * H, dtype=dtype)
    scale[: 2 * H] = 0.5
    W_x, W_h, b_x, b_h = (params[key].astype(dtype, copy=False) * scale for key in GRU_KEYS)
    # b_hr, b_hz join b_x (r and z see only the sum); b_hn stays apart, inside r * (...)
    b = b_x + np.concatenate([b_h[: 2 * H], np.zeros(H, dtype=dtype)])
    xs1 = time_major(x, dtype, ones=True)  # [x_t, 1]: the bias rides in the product
    gates = (xs1.reshape(T * N, D + 1) @ np.vstack([W_x, b])).reshape(T, N, 3 * H)
    h = np.empty((T + 1, N, H), dtype=dtype)
    h[0] = h0
    hn = np.empty((T, N, H), dtype=dtype)
    tmp = np.empty((N, H), dtype=dtype)
    b_hn = b_h[2 * H :]
    if form == "reset_after":
        hW = np.empty((N, 3 * H), dtype=dtype)
    else:
        hW = np.empty((N, 2 * H), dtype=dtype)
        W_hrz, W_hn = W_h[:, : 2 * H], W_h[:, 2 * H :]
    for t in range(T):
        a = gates[t]
        rz, r, z, n = a[:, : 2 * H], a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        if form == "reset_after":
            np.matmul(h[t], W_h, out=hW)
            rz += hW[:, : 2 * H]
            np.add(hW[:, 2 * H :], b_hn, out=hn[t])
        else:
            np.matmul(h[t], W_hrz, out=hW)
            rz += hW
        np.tanh(rz, out=rz)
        rz *= 0.5
        rz += 0.5  # now r, z
        if form == "reset_after":
            np.multiply(r, hn[t], out=tmp)
            n += tmp
        else:
            np.multiply(r, h[t], out=tmp)
            np.matmul(tmp, W_hn, out=hn[t])
            hn[t] += b_hn
            n += hn[t]
        np.tanh(n, out=n)
        np.subtract(h[t], n, out=tmp)
        tmp *= z
        np.add(n, tmp, out=h[t + 1])  # (1 - z) n + z h_{t-1}
        if t >= first_end:  # a sequence past its end keeps its state (only those rows)
            ended = np.flatnonzero(lengths <= t)
            h[t + 1, ended] = h[t, ended]
    xs = xs1[:, :, :D]
    hs = h[1:] if lengths is None else _zero_past_end_time_major(h[1:], lengths)  # 0 past an end
    return hs.transpose(1, 0, 2), GRUCache(xs, h, gates, hn, params, form, lengths)


def gru_backward(dhs: np.ndarray, cache: GRUCache):
    r"""Backpropagation through time for :func:`gru_forward` (either form).

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        :math:`\partial L/\partial h_t` from the layers above at every step,
        *not* including the gradient that flows back through the recurrence;
        that part is added here.
    cache : GRUCache
        From :func:`gru_forward`.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
        Zero at the steps past a sequence's end.
    dh0 : ndarray, shape (N, H)
    grads : dict
        ``W_x``, ``W_h``, ``b_x``, ``b_h``, summed over batch and time.

    Notes
    -----
    As for the vanilla RNN: from :math:`t = T` down to 1, step :math:`t`
    receives :math:`\mathrm{dhs}_t + dh_{\text{next}}`, and the shared
    weights collect the sum of every step's gradient. The equations are those
    of :func:`gru_step_backward`; the loop keeps the pre-activation gradients
    of all steps, and ``dx`` and the weight gradients are one matrix product
    each after it. In a padded batch (``lengths`` in the cache) the gradient
    reaching a step past a sequence's end is dropped, as in
    :func:`~rnn_tutorial.rnn_backward`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> hs, cache = gru_forward(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)), params,
    ...                         form="textbook")
    >>> dx, dh0, grads = gru_backward(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, grads["W_h"].shape
    ((4, 5, 3), (4, 2), (2, 6))
    """
    xs, h, gates, hn, params, form, lengths = check_cache("cache", cache, GRUCache, "gru_forward")
    T, N, D = xs.shape
    H = h.shape[2]
    sizes = Sizes(N=(N, "the cached states"), T=(T, "the cached sequence"), H=(H, 'params["W_h"]'))
    dhs = check_input("dhs", dhs, ("N", "T", "H"), sizes)
    first_end = T if lengths is None else lengths.min(initial=T)
    dtype = np.result_type(dhs, h)
    W_x = params["W_x"].astype(dtype, copy=False)
    W_h_T = np.ascontiguousarray(params["W_h"].T, dtype=dtype)  # BLAS is faster on it than on .T
    W_hrz_T, W_hn_T = W_h_T[: 2 * H], W_h_T[2 * H :]
    # one buffer [da_n, da_r, da_z, dhn]: its first three blocks are the gradient of
    # x W_x + b_x (columns n, r, z), its last three that of the hidden affine map
    # (r, z, n, reset after); textbook: dhn = da_n, the fourth block is not needed
    width = 4 * H if form == "reset_after" else 3 * H
    da = np.empty((T, N, width), dtype=dtype)
    dh = np.zeros((N, H), dtype=dtype)
    direct = np.empty((N, H), dtype=dtype)
    tmp = np.empty((N, H), dtype=dtype)
    slope = np.empty((N, 2 * H), dtype=dtype)
    for t in reversed(range(T)):
        a, d = gates[t], da[t]
        rz, r, z, n = a[:, : 2 * H], a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        d_n, d_rz, d_r, d_z = d[:, :H], d[:, H : 3 * H], d[:, H : 2 * H], d[:, 2 * H : 3 * H]
        dh += dhs[:, t]
        if t >= first_end:  # the gradient reaching a step past a sequence's end is dropped
            dh[np.flatnonzero(lengths <= t)] = 0
        np.multiply(dh, z, out=direct)  # the direct path h_t = ... + z h_{t-1}
        np.subtract(dh, direct, out=tmp)  # dn = dh (1 - z)
        np.multiply(n, n, out=d_n)
        np.subtract(1, d_n, out=d_n)
        d_n *= tmp  # da_n
        np.subtract(h[t], n, out=d_z)
        d_z *= dh  # dz
        if form == "reset_after":
            np.multiply(d_n, r, out=d[:, 3 * H :])  # dhn
            np.multiply(d_n, hn[t], out=d_r)  # dr
        else:
            np.matmul(d_n, W_hn_T, out=tmp)  # gradient of the product r * h_{t-1}
            np.multiply(tmp, h[t], out=d_r)  # dr
            tmp *= r
            direct += tmp
        np.subtract(1, rz, out=slope)
        d_rz *= slope
        d_rz *= rz  # [da_r, da_z]: sigma' = sigma (1 - sigma)
        if form == "reset_after":
            np.matmul(d[:, H:], W_h_T, out=dh)  # [da_r, da_z, dhn] W_h^T
        else:
            np.matmul(d_rz, W_hrz_T, out=dh)
        dh += direct
    da = da.reshape(T * N, width)
    da_x = da[:, : 3 * H]  # columns n, r, z
    h_prev = h[:-1].reshape(T * N, H)
    dW_x, db_x = _input_grads(xs, da_x)
    dW_x, db_x = (np.concatenate([g[..., H:], g[..., :H]], axis=-1) for g in (dW_x, db_x))
    if form == "reset_after":
        dW_h = h_prev.T @ da[:, H:]
        db_h = np.concatenate([db_x[: 2 * H], da[:, 3 * H :].sum(axis=0)])
    else:
        rh = (gates[:, :, :H] * h[:-1]).reshape(T * N, H)  # r * h_{t-1}, recomputed
        dW_h = np.hstack([h_prev.T @ da[:, H:], rh.T @ da[:, :H]])
        db_h = db_x.copy()  # the same numbers, its own array
    grads = {"W_x": dW_x, "W_h": dW_h, "b_x": db_x, "b_h": db_h}
    W_x_nrz = np.hstack([W_x[:, 2 * H :], W_x[:, : 2 * H]])  # W_x's columns in da's order
    dx = batch_major((da_x @ W_x_nrz.T).reshape(T, N, D))
    return dx, dh, grads


def _check_form(form) -> None:
    if not (isinstance(form, str) and form in FORMS):
        raise ValueError(f'form must be "reset_after" or "textbook", got {form!r}')


def _cached_sizes(h: np.ndarray) -> Sizes:
    """Sizes an incoming gradient must match: those of the cached state."""
    return Sizes(N=(h.shape[0], "the cached h_prev"), H=(h.shape[1], "the cached h_prev"))
