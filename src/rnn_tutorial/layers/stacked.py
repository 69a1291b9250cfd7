r"""Deep (stacked) recurrent networks: L layers of any cell, dropout between them.

Layer :math:`\ell` reads the outputs of layer :math:`\ell - 1` at the same
step and passes its own outputs up; layer 1 reads the input. Within a layer
the weights are shared across time, as in any recurrent layer; each layer
has its own. This is what TensorFlow's ``MultiRNNCell`` and PyTorch's
``num_layers`` build. Weights are a list of dicts, one per layer, in the
form :func:`~rnn_tutorial.layers.init_layer` makes; states are a list of
per-layer tuples ``(h,)`` or ``(h, c)``.

Dropout sits on the connections between layers only (Zaremba et al. 2014),
on the outputs of every layer but the last, as in PyTorch; with
``variational=True`` one mask per sequence is reused at every step, and
``recurrent_dropout`` adds Gal and Ghahramani's mask on :math:`h_{t-1}`
(see :mod:`rnn_tutorial.layers.dropout`).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..params import count_params
from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_cache,
    check_flag,
    check_int,
    check_lengths,
    check_probability,
    check_rng,
)
from .dropout import (
    DropoutCache,
    VariationalLayerCache,
    dropout_backward,
    dropout_forward,
    dropout_mask,
    variational_layer_backward,
    variational_layer_forward,
)
from .sequence import _check_cell, init_layer, layer_backward, layer_forward

__all__ = [
    "StackCache",
    "init_stack",
    "stack_backward",
    "stack_forward",
    "stack_param_counts",
]


def init_stack(
    cell: str,
    D: int,
    H: int,
    num_layers: int,
    *,
    rng: np.random.Generator,
    dtype=np.float64,
    forget_bias=1.0,
) -> list[dict]:
    """Weights of ``num_layers`` layers of ``cell``: the first reads D inputs, the others H.

    Examples
    --------
    >>> layers = init_stack("gru", 3, 4, 2, rng=np.random.default_rng(0))
    >>> [layer["W_x"].shape for layer in layers]
    [(3, 12), (4, 12)]
    """
    _check_cell(cell)
    check_int("num_layers", num_layers)
    return [
        init_layer(cell, D if layer == 0 else H, H, rng=rng, dtype=dtype, forget_bias=forget_bias)
        for layer in range(num_layers)
    ]


def stack_param_counts(layers: list[dict]) -> list[int]:
    r"""The number of weights in each layer of a stack.

    Layer 1 of a vanilla RNN has :math:`(D + H) H + H`, every later layer
    :math:`(H + H) H + H`; an LSTM four times and a GRU three times that
    (plus :math:`3H` for the GRU's second bias).

    Examples
    --------
    >>> stack_param_counts(init_stack("rnn", 3, 4, 3, rng=np.random.default_rng(0)))
    [32, 36, 36]
    """
    return [count_params(layer) for layer in _check_layers(layers)]


def _check_layers(layers) -> list[dict]:
    if not (isinstance(layers, (list, tuple)) and all(isinstance(p, dict) for p in layers)):
        raise ArgumentTypeError(
            f"layers must be a list of weight dicts, one per layer, got {type(layers).__name__}"
        )
    if not layers:
        raise ValueError("layers must hold at least one layer's weights, got an empty list")
    for ell, params in enumerate(layers):
        for key, value in params.items():
            as_float_array(f'layers[{ell}]["{key}"]', value)
    for ell in range(1, len(layers)):
        D, H = _inputs(layers[ell]), _hidden(layers[ell - 1])
        if D != H:
            raise ValueError(
                f"layers[{ell}] takes inputs of size D={D} but layers[{ell - 1}] "
                f"outputs H={H}; a layer above the first needs D = H"
            )
    return list(layers)


def _inputs(params: dict) -> int:
    key = "W_xh" if "W_xh" in params else "W_x"
    if key not in params:
        raise ValueError(f"a layer's weights need W_xh or W_x; got keys {sorted(params)}")
    return np.shape(params[key])[0]


def _check_masks(name, masks, count, shape_of):
    if masks is None:
        return None
    if not isinstance(masks, (list, tuple)) or len(masks) != count:
        got = len(masks) if isinstance(masks, (list, tuple)) else type(masks).__name__
        raise ValueError(f"{name} must be a list of {count} arrays, got {got}")
    out = []
    for i, mask in enumerate(masks):
        mask = as_float_array(f"{name}[{i}]", mask)
        ok, expected = shape_of(mask)
        if not ok:
            raise ValueError(f"{name}[{i}] has shape {mask.shape} but must be {expected}")
        out.append(mask)
    return out


class StackCache(NamedTuple):
    """What :func:`stack_backward` needs: each layer's cache and each dropout's mask."""

    layers: tuple
    """One ``LayerCache`` (or ``VariationalLayerCache``) per layer, bottom first."""
    between: tuple
    """One ``DropoutCache`` per connection between layers (L - 1 of them)."""


def stack_forward(
    cell: str,
    x: np.ndarray,
    layers: list[dict],
    states0=None,
    *,
    train: bool = False,
    dropout: float = 0.0,
    variational: bool = False,
    recurrent_dropout: float = 0.0,
    rng: np.random.Generator | None = None,
    masks=None,
    recurrent_masks=None,
    lengths=None,
    **options,
):
    r"""Run a stack of recurrent layers of ``cell`` over a sequence, dropout between them.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    x : ndarray, shape (N, T, D)
    layers : list of dict
        One weight dict per layer, bottom first (:func:`init_stack`).
    states0 : list of tuple, optional
        Each layer's initial state, ``(h0,)`` or ``(h0, c0)``; zeros when omitted.
    train : bool, default False
        Dropout acts in training mode only; in evaluation mode the stack is
        deterministic and ``masks`` are refused.
    dropout : float, default 0.0
        Probability of dropping each output of every layer but the last.
    variational : bool, default False
        Draw one between-layer mask per sequence, shape (N, 1, H), reused at
        every step, instead of a fresh one at every step, (N, T, H).
    recurrent_dropout : float, default 0.0
        Probability of dropping each unit of :math:`h_{t-1}` on its way back
        into its own layer, one mask per sequence and layer (variational;
        rnn and lstm cells only, see
        :func:`~rnn_tutorial.layers.dropout.variational_layer_forward`).
    rng : numpy.random.Generator, optional
        Draws the masks that are not given.
    masks : list of ndarray, optional
        The L - 1 between-layer masks to use, each (N, T, H) or (N, 1, H).
    recurrent_masks : list of ndarray, optional
        The L recurrent masks to use, each (N, H).
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; every layer stops there.
    **options
        ``activation`` for the RNN, ``form`` for the GRU.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
        The last layer's outputs (never dropped), zero past a sequence's end.
    states : list of tuple
        Each layer's final state, bottom first (in a padded batch, at each
        sequence's last valid step); ``np.stack([s[0] for s in
        states])`` is PyTorch's ``h_n``, (L, N, H).
    cache : StackCache

    Notes
    -----
    With :math:`h^{(0)}_t = x_t` and masks :math:`m^{(\ell)}`,

    .. math::

        h^{(\ell)}_t = \mathrm{cell}_\ell\bigl(m^{(\ell-1)}_t \odot h^{(\ell-1)}_t,\;
        h^{(\ell)}_{t-1}\bigr), \qquad \ell = 1, \dots, L,

    where :math:`m^{(0)} = 1` and the masks are 1 outside training.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> layers = init_stack("lstm", 3, 4, 2, rng=rng)
    >>> x = rng.normal(size=(2, 5, 3))
    >>> hs, states, cache = stack_forward("lstm", x, layers)
    >>> hs.shape, len(states), [s.shape for s in states[1]]
    ((2, 5, 4), 2, [(2, 4), (2, 4)])
    >>> hs_train, _, _ = stack_forward("lstm", x, layers, train=True, dropout=0.5, rng=rng)
    >>> bool(np.allclose(hs, hs_train))  # a different network in training mode
    False
    """
    x, layers, states0, masks, recurrent_masks, lengths = _stack_inputs(
        cell,
        x,
        layers,
        states0,
        train,
        masks,
        recurrent_masks,
        lengths,
        (dropout, recurrent_dropout, rng),
    )
    if train and masks is None and dropout:  # draw the masks not given
        N, T, H = x.shape[0], x.shape[1], _hidden(layers[-1])
        shape = (N, 1, H) if variational else (N, T, H)  # one mask per sequence, or per step
        masks = [dropout_mask(shape, dropout, rng=rng, dtype=x.dtype) for _ in layers[1:]]
    if train and recurrent_masks is None and recurrent_dropout:
        N, H = x.shape[0], _hidden(layers[-1])
        recurrent_masks = [
            dropout_mask((N, H), recurrent_dropout, rng=rng, dtype=x.dtype) for _ in layers
        ]

    inputs, states, layer_caches, between = x, [], [], []
    for ell, params in enumerate(layers):
        if recurrent_masks is None:
            hs, state, cache = layer_forward(
                cell, inputs, params, states0[ell], lengths=lengths, **options
            )
        else:  # the recurrent mask needs a loop over the steps
            hs, state, cache = variational_layer_forward(
                cell,
                inputs,
                params,
                states0[ell],
                mask=recurrent_masks[ell],
                lengths=lengths,
                **options,
            )
        states.append(state)
        layer_caches.append(cache)
        if ell < len(layers) - 1:  # dropout on the way up, never on the last layer's outputs
            drop = DropoutCache(None)
            if masks is not None:
                hs, drop = dropout_forward(hs, dropout, train=True, mask=masks[ell])
            between.append(drop)
        inputs = hs
    return inputs, states, StackCache(tuple(layer_caches), tuple(between))


def _stack_inputs(
    cell, x, layers, states0, train, masks, recurrent_masks, lengths, drop=(0.0, 0.0, None)
):
    """The arguments of :func:`stack_forward`, checked, with ``states0`` one entry per layer.

    ``drop`` is ``(dropout, recurrent_dropout, rng)``; ``rng`` must be a Generator
    when a mask is to be drawn.
    """
    dropout = check_probability("dropout", drop[0])
    recurrent_dropout = check_probability("recurrent_dropout", drop[1])
    _check_cell(cell)
    layers = _check_layers(layers)
    L = len(layers)
    x = as_float_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
    check_flag("train", train)
    if states0 is None:
        states0 = [None] * L
    elif not isinstance(states0, (list, tuple)) or len(states0) != L:
        got = len(states0) if isinstance(states0, (list, tuple)) else type(states0).__name__
        raise ValueError(f"states0 must be a list of {L} states, one per layer, got {got}")
    if not train and (masks is not None or recurrent_masks is not None):
        raise ValueError("masks and recurrent_masks are used in training mode only (train=True)")
    N, T, _ = x.shape
    H = _hidden(layers[-1])
    masks = _check_masks(
        "masks",
        masks,
        L - 1,
        lambda m: (m.shape in ((N, T, H), (N, 1, H)), f"({N}, {T}, {H}) or ({N}, 1, {H})"),
    )
    recurrent_masks = _check_masks(
        "recurrent_masks", recurrent_masks, L, lambda m: (m.shape == (N, H), f"({N}, {H})")
    )
    if train and ((dropout and masks is None) or (recurrent_dropout and recurrent_masks is None)):
        check_rng("rng", drop[2])
    return x, layers, states0, masks, recurrent_masks, check_lengths(lengths, N, T)


def _hidden(params: dict) -> int:
    key = "W_hh" if "W_hh" in params else "W_h"
    if key not in params:
        raise ValueError(f"a layer's weights need W_hh or W_h; got keys {sorted(params)}")
    return np.shape(params[key])[0]


def stack_backward(dhs: np.ndarray, cache: StackCache, dstates=None):
    r"""Backpropagation through a stack: through time in each layer, top layer first.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
        The gradient reaching the last layer's outputs.
    cache : StackCache
    dstates : list of tuple, optional
        The gradient reaching each layer's final state from outside the stack.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dstates0 : list of tuple
        The gradient of each layer's initial state.
    grads : list of dict
        Each layer's weight gradients, bottom first.

    Notes
    -----
    The gradient that layer :math:`\ell` sends to its input is the gradient of
    layer :math:`\ell - 1`'s dropped outputs; times the same mask, it is the
    gradient reaching those outputs from above.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> layers = init_stack("rnn", 3, 4, 2, rng=rng)
    >>> hs, states, cache = stack_forward("rnn", rng.normal(size=(2, 5, 3)), layers)
    >>> dx, dstates0, grads = stack_backward(np.ones_like(hs), cache)
    >>> dx.shape, len(dstates0), sorted(grads[1])
    ((2, 5, 3), 2, ['W_hh', 'W_xh', 'b_h'])
    """
    dstates = _stack_dstates(cache, dstates)
    L = len(cache.layers)
    grads, dstates0 = [None] * L, [None] * L
    dinputs = as_float_array("dhs", dhs)
    for ell in reversed(range(L)):
        layer_cache = cache.layers[ell]
        if isinstance(layer_cache, VariationalLayerCache):
            back = variational_layer_backward
        else:
            back = layer_backward
        dx, dstates0[ell], grads[ell] = back(dinputs, layer_cache, dstates[ell])
        dinputs = dropout_backward(dx, cache.between[ell - 1]) if ell > 0 else dx
    return dinputs, dstates0, grads


def _stack_dstates(cache, dstates) -> list:
    """``dstates`` of :func:`stack_backward`, checked, one entry per layer of ``cache``."""
    check_cache("cache", cache, StackCache, "stack_forward")
    L = len(cache.layers)
    if dstates is None:
        return [None] * L
    if not isinstance(dstates, (list, tuple)) or len(dstates) != L:
        got = len(dstates) if isinstance(dstates, (list, tuple)) else type(dstates).__name__
        raise ValueError(f"dstates must be a list of {L} states, one per layer, got {got}")
    return list(dstates)
