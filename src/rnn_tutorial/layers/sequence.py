r"""One recurrent layer, whichever the cell: the interface the wrappers build on.

A bidirectional layer, a stack of layers or an encoder-decoder does not care
whether its layers are vanilla RNNs, LSTMs or GRUs; it needs to start a layer
from a state, run it over a sequence, read its final state and send gradients
back. :func:`layer_forward` and :func:`layer_backward` give every cell that
one form. A layer's *state* is a tuple: ``(h,)`` for the RNN and the GRU,
``(h, c)`` for the LSTM, the order PyTorch returns ``h_n`` and ``c_n`` in.

=========  =====================  ==========================
cell       state                  options
=========  =====================  ==========================
``rnn``    ``(h,)``               ``activation="tanh"``
``lstm``   ``(h, c)``             (none)
``gru``    ``(h,)``               ``form="reset_after"``
=========  =====================  ==========================
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..cells.gru import _check_form, gru_backward, gru_forward
from ..cells.lstm import lstm_backward, lstm_forward
from ..cells.rnn import _check_activation, rnn_backward, rnn_forward
from ..params import init_gru, init_lstm, init_rnn
from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_cache,
    check_dtype,
    check_int,
    check_mapping,
)

__all__ = ["CELLS", "LayerCache", "init_layer", "layer_backward", "layer_forward", "zero_state"]

CELLS = ("rnn", "lstm", "gru")
_STATE_NAMES = {"rnn": ("h0",), "lstm": ("h0", "c0"), "gru": ("h0",)}


class LayerCache(NamedTuple):
    """What :func:`layer_backward` needs: the cell's name and its own cache."""

    cell: str
    cache: object


def _check_cell(cell) -> str:
    if cell not in CELLS:
        raise ValueError(f"cell must be one of {', '.join(map(repr, CELLS))}, got {cell!r}")
    return cell


def _options(cell: str, options: dict) -> dict:
    allowed = {"rnn": {"activation"}, "lstm": set(), "gru": {"form"}}[cell]
    unknown = sorted(set(options) - allowed)
    if unknown:
        has = ", ".join(sorted(allowed)) or "no options"
        raise ValueError(f"the {cell} cell takes {has}; got {', '.join(unknown)}")
    if "activation" in options:
        _check_activation(options["activation"])
    if "form" in options:
        _check_form(options["form"])
    return options


def init_layer(
    cell: str, D: int, H: int, *, rng: np.random.Generator, dtype=np.float64, forget_bias=1.0
) -> dict:
    """Weights of one layer of ``cell``, drawn by its own initialiser.

    ``forget_bias`` is used by the LSTM only.

    Examples
    --------
    >>> sorted(init_layer("lstm", 3, 4, rng=np.random.default_rng(0)))
    ['W_h', 'W_x', 'b']
    """
    _check_cell(cell)
    if cell == "rnn":
        return init_rnn(D, H, rng=rng, dtype=dtype)
    if cell == "lstm":
        return init_lstm(D, H, rng=rng, forget_bias=forget_bias, dtype=dtype)
    return init_gru(D, H, rng=rng, dtype=dtype)


def zero_state(cell: str, N: int, H: int, dtype=np.float64) -> tuple[np.ndarray, ...]:
    """The all-zero initial state of ``cell`` for a batch of ``N``: ``(h,)`` or ``(h, c)``.

    Examples
    --------
    >>> [s.shape for s in zero_state("lstm", 2, 3)]
    [(2, 3), (2, 3)]
    """
    names = _STATE_NAMES[_check_cell(cell)]
    N, H, dtype = check_int("N", N, low=0), check_int("H", H), check_dtype("dtype", dtype)
    return tuple(np.zeros((N, H), dtype=dtype) for _ in names)


def _hidden_size(cell: str, params: dict) -> int:
    check_mapping("params", params)
    key = "W_hh" if cell == "rnn" else "W_h"
    if key not in params:
        raise ValueError(f'params for the {cell} cell need "{key}"; got keys {sorted(params)}')
    return np.shape(params[key])[0]


def layer_forward(cell: str, x: np.ndarray, params: dict, state0=None, *, lengths=None, **options):
    r"""Run one recurrent layer of ``cell`` over a sequence.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x : ndarray, shape (N, T, D)
    params : dict
        The cell's weights (see :func:`init_layer`).
    state0 : tuple of ndarray, optional
        ``(h0,)`` or ``(h0, c0)``, each (N, H); zeros when omitted.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length, :math:`1 \le \ell_n \le T`;
        None means every sequence has length T.
    **options
        ``activation`` for the RNN, ``form`` for the GRU.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The hidden state after every step, zero past a sequence's end.
    state : tuple of ndarray
        The final state, ``(h_T,)`` or ``(h_T, c_T)``; in a padded batch each
        sequence's state at its last valid step.
    cache : LayerCache

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_layer("lstm", 3, 4, rng=rng)
    >>> hs, (h, c), cache = layer_forward("lstm", rng.normal(size=(2, 5, 3)), params)
    >>> hs.shape, bool(np.all(h == hs[:, -1])), c.shape
    ((2, 5, 4), True, (2, 4))
    """
    options = _options(_check_cell(cell), options)
    x = as_float_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
    if state0 is None:
        H = _hidden_size(cell, params)
        state0 = zero_state(cell, x.shape[0], H, np.result_type(x, params[next(iter(params))]))
    state0 = check_state("state0", state0, cell, batch=x.shape[0])
    # the caches' last states are the final ones, carried past each sequence's end
    if cell == "rnn":
        hs, cache = rnn_forward(x, state0[0], params, lengths=lengths, **options)
        state = (cache.h[-1],)
    elif cell == "lstm":
        hs, _, cache = lstm_forward(x, *state0, params, lengths=lengths)
        state = (cache.h[-1], cache.c[-1])
    else:
        hs, cache = gru_forward(x, state0[0], params, lengths=lengths, **options)
        state = (cache.h[-1],)
    return hs, state, LayerCache(cell, cache)


def layer_backward(dhs: np.ndarray, cache: LayerCache, dstate=None):
    r"""Backpropagation through time for :func:`layer_forward`.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        The gradient reaching each step's output from above.
    cache : LayerCache
    dstate : tuple of ndarray, optional
        The gradient reaching the final state from outside the layer (a
        decoder that started from it, say), shaped like the state; the
        ``h`` part adds to ``dhs[:, -1]``, in a padded batch to each
        sequence's last valid step.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dstate0 : tuple of ndarray
        The gradient of the initial state, shaped like the state.
    grads : dict

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_layer("gru", 3, 4, rng=rng)
    >>> hs, state, cache = layer_forward("gru", rng.normal(size=(2, 5, 3)), params)
    >>> dx, (dh0,), grads = layer_backward(np.ones_like(hs), cache)
    >>> dx.shape, dh0.shape, sorted(grads)
    ((2, 5, 3), (2, 4), ['W_h', 'W_x', 'b_h', 'b_x'])
    """
    cell = check_cache("cache", cache, LayerCache, "layer_forward").cell
    dhs = as_float_array("dhs", dhs)
    if dstate is not None:
        dstate = check_state("dstate", dstate, cell, like=("dhs[:, -1]", dhs))
        dhs = dhs.astype(np.result_type(dhs, dstate[0]))  # a copy: the caller's dhs is kept
        lengths = cache.cache.lengths
        if lengths is None:
            dhs[:, -1] += dstate[0]
        else:  # a sequence's final state is its output at its last valid step
            dhs[np.arange(len(lengths)), lengths - 1] += dstate[0]
    if cell == "rnn":
        dx, dh0, grads = rnn_backward(dhs, cache.cache)
        return dx, (dh0,), grads
    if cell == "lstm":
        dc_last = None if dstate is None else dstate[1]
        dx, dh0, dc0, grads = lstm_backward(dhs, cache.cache, dc_last)
        return dx, (dh0, dc0), grads
    dx, dh0, grads = gru_backward(dhs, cache.cache)
    return dx, (dh0,), grads


def check_state(name: str, state, cell: str, *, like=None, batch: int | None = None) -> tuple:
    """A cell's state (or its gradient): a tuple of finite arrays, ``(h,)`` or ``(h, c)``.

    ``like=(label, array)`` also requires every entry to have the shape of
    ``array[:, -1]`` (a step of a sequence ``(N, T, H)``), ``label`` naming it.
    """
    names = _STATE_NAMES[cell]
    if not isinstance(state, tuple):
        raise ArgumentTypeError(
            f"{name} of the {cell} cell must be a tuple ({', '.join(names)}), "
            f"got {type(state).__name__}"
        )
    if len(state) != len(names):
        raise ValueError(
            f"{name} of the {cell} cell must be a tuple ({', '.join(names)}), "
            f"got a tuple of length {len(state)}"
        )
    state = tuple(as_float_array(f"{name}[{i}]", s) for i, s in enumerate(state))
    for i, s in enumerate(state):
        if batch is not None and (s.ndim != 2 or s.shape[0] != batch):
            raise ValueError(
                f"{name}[{i}] has shape {s.shape} but x has N={batch}; it must be (N, H)"
            )
    if like is not None:
        label, array = like
        if array.ndim != 3:
            raise ValueError(f"dhs must be 3-D (N, T, H) but has shape {array.shape}")
        for i, s in enumerate(state):
            if s.shape != array[:, -1].shape:
                raise ValueError(
                    f"{name}[{i}] has shape {s.shape} but {label} has shape {array[:, -1].shape}"
                )
    return state
