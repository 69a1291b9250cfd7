r"""Bidirectional recurrent layers: one layer reads left to right, another right to left.

Both directions are ordinary layers of :mod:`rnn_tutorial.layers` with their
own weights; the backward one reads the time-reversed sequence, and its outputs
are reversed again so that step :math:`t` of either half belongs to input
:math:`x_t`. Two ways to merge the halves:

- concatenation, :math:`[\,h_t \mid h'_t\,]`, the output of
  :func:`bidirectional_forward` (PyTorch's layout: forward half first);
- summed projections, :math:`o_t = h_t V + h'_t V' + b`
  (:func:`sum_projections_forward`), which equals a dense layer on the
  concatenation with the two matrices stacked.

Parameters, states and gradients come in pairs ``(forward, backward)``; each
member has the form :func:`~rnn_tutorial.layer_forward` uses, so any cell fits.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_cache,
    check_input,
    check_lengths,
    check_params,
)
from .sequence import LayerCache, init_layer, layer_backward, layer_forward

__all__ = [
    "BidirectionalCache",
    "SumProjectionsCache",
    "bidirectional_backward",
    "bidirectional_forward",
    "init_bidirectional",
    "reverse_time",
    "split_directions",
    "stack_directions",
    "sum_projections_backward",
    "sum_projections_forward",
    "unstack_directions",
]

DIRECTIONS = ("forward", "backward")


class BidirectionalCache(NamedTuple):
    """What :func:`bidirectional_backward` needs: each direction's layer cache, H, the lengths."""

    forward: LayerCache
    backward: LayerCache
    H: int
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T


class SumProjectionsCache(NamedTuple):
    """The two halves of the hidden states and the weights of :func:`sum_projections_forward`."""

    hs_fwd: np.ndarray
    hs_bwd: np.ndarray
    params: dict


SUM_SPEC = {"W_hy": ("H", "V"), "W_hy_bwd": ("H", "V"), "b_y": ("V",)}


def _pair(name: str, value, what: str) -> tuple:
    if not (isinstance(value, tuple | list) and len(value) == 2):
        got = f"{type(value).__name__}" + (
            f" of length {len(value)}" if isinstance(value, tuple | list) else ""
        )
        error = ValueError if isinstance(value, tuple | list) else ArgumentTypeError
        raise error(f"{name} must be a pair ({what} of the forward, of the backward), got {got}")
    return tuple(value)


def reverse_time(x: np.ndarray, lengths=None) -> np.ndarray:
    r"""``x`` with its time axis (axis 1 of ``(N, T, ...)``) reversed, within each length.

    Parameters
    ----------
    x : ndarray, shape (N, T, ...)
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length :math:`\ell_n`: steps
        :math:`0 \dots \ell_n - 1` are reversed and the padding stays at the
        end. None reverses all T steps.

    Returns
    -------
    ndarray, shape (N, T, ...)
        Applying it twice gives ``x`` back.

    Examples
    --------
    >>> reverse_time(np.arange(6).reshape(1, 3, 2))[0].tolist()
    [[4, 5], [2, 3], [0, 1]]
    >>> reverse_time(np.array([[1, 2, 3, 0], [4, 5, 0, 0]]), lengths=[3, 2]).tolist()
    [[3, 2, 1, 0], [5, 4, 0, 0]]
    """
    x = np.asarray(x)
    if x.dtype.kind not in "fiub" or x.ndim < 2:
        error = ValueError if x.dtype.kind in "fiub" else ArgumentTypeError
        raise error(f"x must be an array (N, T, ...) of numbers, got {x.dtype} of shape {x.shape}")
    if lengths is None:
        return x[:, ::-1]
    N, T = x.shape[:2]
    lengths = check_lengths(lengths, N, T)[:, None]
    t = np.arange(T)
    source = np.where(t < lengths, lengths - 1 - t, t)  # step t reads step l - 1 - t
    return x[np.arange(N)[:, None], source]


def init_bidirectional(
    cell: str, D: int, H: int, *, rng: np.random.Generator, dtype=np.float64, forget_bias=1.0
) -> tuple[dict, dict]:
    """Two independent layers of ``cell``: ``(params_fwd, params_bwd)``, drawn one after the other.

    Examples
    --------
    >>> fwd, bwd = init_bidirectional("rnn", 3, 4, rng=np.random.default_rng(0))
    >>> sorted(fwd) == sorted(bwd), bool(np.any(fwd["W_hh"] != bwd["W_hh"]))
    (True, True)
    """
    return tuple(
        init_layer(cell, D, H, rng=rng, dtype=dtype, forget_bias=forget_bias) for _ in DIRECTIONS
    )


def bidirectional_forward(
    cell: str, x: np.ndarray, params, state0=None, *, lengths=None, **options
):
    r"""Run a bidirectional layer of ``cell`` over a sequence.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x : ndarray, shape (N, T, D)
    params : pair of dict
        ``(params_fwd, params_bwd)``: separate weights for each direction.
    state0 : pair of tuple, optional
        ``(state0_fwd, state0_bwd)``, each ``(h0,)`` or ``(h0, c0)``; zeros
        when omitted. The backward direction starts from its state at the
        *end* of the sequence.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; the backward direction
        then starts at each sequence's own last step.
    **options
        ``activation`` for the RNN, ``form`` for the GRU (both directions).

    Returns
    -------
    hs : ndarray, shape (N, T, 2H)
        ``hs[:, t, :H]`` is the forward state :math:`h_t`, which has read
        :math:`x_1 \dots x_t`; ``hs[:, t, H:]`` the backward state
        :math:`h'_t`, which has read :math:`x_T \dots x_t`.
    state : pair of tuple
        ``(state_fwd, state_bwd)``: the forward layer's state after
        :math:`x_T`, the backward layer's after :math:`x_1`.
        :func:`stack_directions` gives PyTorch's ``h_n`` (and ``c_n``).
    cache : BidirectionalCache

    Notes
    -----
    .. math::

        h_t = f(x_t, h_{t-1}), \qquad h'_t = f'(x_t, h'_{t+1}), \qquad
        y_t = [\,h_t \mid h'_t\,]

    The backward layer runs on the reversed sequence; its outputs come out in
    reversed order and are reversed back before the concatenation. In a
    padded batch each sequence is reversed within its own length
    (:func:`reverse_time`), so the padding stays at the end for both layers.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_bidirectional("gru", 3, 4, rng=rng)
    >>> x = rng.normal(size=(2, 5, 3))
    >>> hs, (s_fwd, s_bwd), cache = bidirectional_forward("gru", x, params)
    >>> hs.shape, bool(np.all(s_fwd[0] == hs[:, -1, :4])), bool(np.all(s_bwd[0] == hs[:, 0, 4:]))
    ((2, 5, 8), True, True)
    """
    params_fwd, params_bwd = _pair("params", params, "the weights")
    state0_fwd, state0_bwd = (
        (None, None) if state0 is None else _pair("state0", state0, "the state")
    )
    x, lengths = _sequence_and_lengths(x, lengths)
    hs_fwd, state_fwd, cache_fwd = layer_forward(
        cell, x, params_fwd, state0_fwd, lengths=lengths, **options
    )
    hs_rev, state_bwd, cache_bwd = layer_forward(
        cell, reverse_time(x, lengths), params_bwd, state0_bwd, lengths=lengths, **options
    )
    if hs_rev.shape != hs_fwd.shape:
        raise ValueError(
            f"the forward layer has H={hs_fwd.shape[-1]} but the backward layer has "
            f"H={hs_rev.shape[-1]}; the two directions need the same hidden size"
        )
    hs_bwd = reverse_time(hs_rev, lengths)  # re-reversed: step t is x_t's
    hs = np.concatenate([hs_fwd, hs_bwd], axis=-1)
    cache = BidirectionalCache(cache_fwd, cache_bwd, hs_fwd.shape[-1], lengths)
    return hs, (state_fwd, state_bwd), cache


def _sequence_and_lengths(x, lengths):
    """``x`` as a float (N, T, D) array and ``lengths`` checked against it."""
    x = as_float_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
    return x, check_lengths(lengths, x.shape[0], x.shape[1])


def bidirectional_backward(dhs: np.ndarray, cache: BidirectionalCache, dstate=None):
    r"""Backpropagation through time for :func:`bidirectional_forward`.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, 2H)
        The gradient reaching each step's concatenated output.
    cache : BidirectionalCache
    dstate : pair of tuple, optional
        Gradients reaching the final states ``(state_fwd, state_bwd)``.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
        The sum of what both directions send to each input.
    dstate0 : pair of tuple
        Gradients of ``(state0_fwd, state0_bwd)``.
    grads : pair of dict
        ``(grads_fwd, grads_bwd)``, keyed like the two parameter dicts.

    Notes
    -----
    Each half of ``dhs`` goes to its own layer. The backward layer's steps
    ran in reversed order, so its half is reversed before its backward pass
    and its ``dx`` reversed after it (within each sequence's length).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_bidirectional("lstm", 3, 4, rng=rng)
    >>> hs, state, cache = bidirectional_forward("lstm", rng.normal(size=(2, 5, 3)), params)
    >>> dx, (ds_fwd, ds_bwd), (g_fwd, g_bwd) = bidirectional_backward(np.ones_like(hs), cache)
    >>> dx.shape, [s.shape for s in ds_bwd], sorted(g_bwd)
    ((2, 5, 3), [(2, 4), (2, 4)], ['W_h', 'W_x', 'b'])
    """
    check_cache("cache", cache, BidirectionalCache, "bidirectional_forward")
    dhs = as_float_array("dhs", dhs)
    H = cache.H
    if dhs.ndim != 3 or dhs.shape[-1] != 2 * H:
        raise ValueError(f"dhs must have shape (N, T, 2H) with 2H={2 * H}, got {dhs.shape}")
    dstate_fwd, dstate_bwd = (
        (None, None) if dstate is None else _pair("dstate", dstate, "the gradient")
    )
    lengths = cache.lengths
    dx_fwd, dstate0_fwd, grads_fwd = layer_backward(dhs[..., :H], cache.forward, dstate_fwd)
    dx_rev, dstate0_bwd, grads_bwd = layer_backward(
        reverse_time(dhs[..., H:], lengths), cache.backward, dstate_bwd
    )
    dx = dx_fwd + reverse_time(dx_rev, lengths)
    return dx, (dstate0_fwd, dstate0_bwd), (grads_fwd, grads_bwd)


def split_directions(hs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forward and backward halves ``hs[..., :H]``, ``hs[..., H:]`` of a concatenated output.

    Examples
    --------
    >>> fwd, bwd = split_directions(np.arange(4.0).reshape(1, 1, 4))
    >>> fwd.tolist(), bwd.tolist()
    ([[[0.0, 1.0]]], [[[2.0, 3.0]]])
    """
    hs = as_float_array("hs", hs, finite=False)
    if hs.ndim < 1 or hs.shape[-1] % 2:
        raise ValueError(f"hs must end in an even size 2H, got shape {hs.shape}")
    H = hs.shape[-1] // 2
    return hs[..., :H], hs[..., H:]


def stack_directions(state) -> tuple[np.ndarray, ...]:
    """PyTorch's ``h_n`` (and ``c_n``), each (2, N, H), from ``(state_fwd, state_bwd)``.

    Row 0 is the forward direction, row 1 the backward one.

    Examples
    --------
    >>> h_f, c_f, h_b, c_b = (np.full((3, 4), v) for v in range(4))
    >>> h_n, c_n = stack_directions(((h_f, c_f), (h_b, c_b)))
    >>> h_n.shape, h_n[:, 0, 0].tolist(), c_n[:, 0, 0].tolist()
    ((2, 3, 4), [0, 2], [1, 3])
    """
    state_fwd, state_bwd = _pair("state", state, "the state")
    for i, part in enumerate((state_fwd, state_bwd)):
        if not isinstance(part, tuple | list):
            raise ArgumentTypeError(f"state[{i}] must be a tuple of arrays, got {part!r}")
    if len(state_fwd) != len(state_bwd):
        raise ValueError(f"state[0] has {len(state_fwd)} arrays but state[1] has {len(state_bwd)}")
    for j, (f, b) in enumerate(zip(state_fwd, state_bwd, strict=True)):
        if np.shape(f) != np.shape(b):
            raise ValueError(
                f"state[0][{j}] has shape {np.shape(f)} but state[1][{j}] has shape {np.shape(b)}"
            )
    return tuple(np.stack([f, b]) for f, b in zip(state_fwd, state_bwd, strict=True))


def unstack_directions(stacked) -> tuple[tuple, tuple]:
    """The inverse of :func:`stack_directions`: ``(h_n,)`` or ``(h_n, c_n)`` to a pair of states.

    Examples
    --------
    >>> state_fwd, state_bwd = unstack_directions((np.zeros((2, 3, 4)),))
    >>> len(state_fwd), state_bwd[0].shape
    (1, (3, 4))
    """
    if not isinstance(stacked, tuple | list):
        raise ArgumentTypeError(
            f"stacked must be a tuple of (2, N, H) arrays, got {type(stacked).__name__}"
        )
    arrays = tuple(as_float_array(f"stacked[{i}]", a) for i, a in enumerate(stacked))
    for a in arrays:
        if a.ndim != 3 or a.shape[0] != 2:
            raise ValueError(f"each stacked state must have shape (2, N, H), got {a.shape}")
    return tuple(a[0] for a in arrays), tuple(a[1] for a in arrays)


def sum_projections_forward(hs_fwd: np.ndarray, hs_bwd: np.ndarray, params: dict):
    r"""The other merge: project each direction with its own matrix and add.

    Parameters
    ----------
    hs_fwd, hs_bwd : ndarray, shape (..., H)
        The two halves (see :func:`split_directions`).
    params : dict
        ``W_hy`` (H, V) for the forward states, ``W_hy_bwd`` (H, V) for the
        backward states, ``b_y`` (V,).

    Returns
    -------
    o : ndarray, shape (..., V)
        The scores before the output function :math:`g` (a softmax, say).
    cache : SumProjectionsCache

    Notes
    -----
    .. math::

        o_t = h_t V + h'_t V' + b = [\,h_t \mid h'_t\,]
        \begin{bmatrix} V \\ V' \end{bmatrix} + b

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = {"W_hy": rng.normal(size=(4, 2)), "W_hy_bwd": rng.normal(size=(4, 2))}
    >>> p["b_y"] = np.zeros(2)
    >>> h_f, h_b = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    >>> o, _ = sum_projections_forward(h_f, h_b, p)
    >>> bool(np.allclose(o, np.hstack([h_f, h_b]) @ np.vstack([p["W_hy"], p["W_hy_bwd"]])))
    True
    """
    params, sizes = check_params(params, SUM_SPEC)
    letters = ("N", "T", "H") if np.ndim(hs_fwd) == 3 else ("N", "H")
    hs_fwd = check_input("hs_fwd", hs_fwd, letters, sizes)
    hs_bwd = check_input("hs_bwd", hs_bwd, letters, sizes)
    o = hs_fwd @ params["W_hy"] + hs_bwd @ params["W_hy_bwd"] + params["b_y"]
    return o, SumProjectionsCache(hs_fwd, hs_bwd, params)


def sum_projections_backward(do: np.ndarray, cache: SumProjectionsCache):
    """Gradients of :func:`sum_projections_forward`: ``(dhs_fwd, dhs_bwd, grads)``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> p = {"W_hy": rng.normal(size=(4, 2)), "W_hy_bwd": rng.normal(size=(4, 2))}
    >>> p["b_y"] = np.zeros(2)
    >>> h_f, h_b = rng.normal(size=(3, 5, 4)), rng.normal(size=(3, 5, 4))
    >>> o, cache = sum_projections_forward(h_f, h_b, p)
    >>> dh_f, dh_b, grads = sum_projections_backward(np.ones_like(o), cache)
    >>> dh_f.shape, grads["W_hy_bwd"].shape, grads["b_y"].tolist()
    ((3, 5, 4), (4, 2), [15.0, 15.0])
    """
    hs_fwd, hs_bwd, params = check_cache(
        "cache", cache, SumProjectionsCache, "sum_projections_forward"
    )
    do = as_float_array("do", do)
    V = np.shape(params["b_y"])[0]
    if do.shape != hs_fwd.shape[:-1] + (V,):
        raise ValueError(
            f"do has shape {do.shape} but the scores have shape {hs_fwd.shape[:-1] + (V,)}"
        )
    H = hs_fwd.shape[-1]
    grads = {
        "W_hy": hs_fwd.reshape(-1, H).T @ do.reshape(-1, V),
        "W_hy_bwd": hs_bwd.reshape(-1, H).T @ do.reshape(-1, V),
        "b_y": do.reshape(-1, V).sum(axis=0),
    }
    return do @ params["W_hy"].T, do @ params["W_hy_bwd"].T, grads
