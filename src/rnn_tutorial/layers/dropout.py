r"""Dropout for recurrent networks: inverted dropout, its masks, and variational recurrent dropout.

*Inverted* dropout keeps each unit with probability :math:`1 - p` and scales
the kept ones by :math:`1/(1 - p)` during training, so that evaluation is the
identity and nothing needs rescaling at test time. The mask is an explicit
array: it can be drawn by :func:`dropout_mask` or handed in, so a gradient
check can hold it fixed.

Where the mask goes decides what kind of dropout it is:

- a fresh mask at every step, on the connections *between* layers only
  (Zaremba et al. 2014): ``dropout_mask((N, T, H), p, rng=rng)``;
- one mask per sequence, reused at every step (Gal and Ghahramani 2016):
  ``dropout_mask((N, 1, H), p, rng=rng)``, which broadcasts over time;
- the same per-sequence mask on the recurrent connection :math:`h_{t-1}
  \to h_t` as well, which needs a loop over steps of its own:
  :func:`variational_layer_forward` and :func:`variational_layer_backward`.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..timeaxis import zero_past_end
from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_cache,
    check_dtype,
    check_flag,
    check_int,
    check_lengths,
    check_probability,
    check_rng,
)
from .sequence import (
    LayerCache,
    _check_cell,
    _hidden_size,
    check_state,
    layer_backward,
    layer_forward,
    zero_state,
)

__all__ = [
    "DropoutCache",
    "VariationalLayerCache",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "variational_layer_backward",
    "variational_layer_forward",
]


def _check_p(p) -> float:
    return check_probability("p", p)


def _check_rng(rng) -> np.random.Generator:
    return check_rng("rng", rng)


def _check_shape(shape) -> tuple:
    """A mask's shape: a tuple of integers >= 0 (or one integer)."""
    if isinstance(shape, int | np.integer) and not isinstance(shape, bool):
        shape = (shape,)
    if not isinstance(shape, tuple | list):
        raise ArgumentTypeError(f"shape must be a tuple of integers, got {shape!r}")
    return tuple(check_int(f"shape[{i}]", s, low=0) for i, s in enumerate(shape))


def _check_dropout(x, p, train, mask):
    """``dropout_forward``'s arguments, checked: ``(x, p, train, mask)``."""
    p = _check_p(p)
    x = as_float_array("x", x)
    if not check_flag("train", train):
        if mask is not None:
            raise ValueError("mask is used in training mode only; got a mask with train=False")
        return x, p, False, None
    if mask is not None:
        mask = as_float_array("mask", mask)
        if not _broadcasts_to(mask.shape, x.shape):
            raise ValueError(f"mask has shape {mask.shape} but x has shape {x.shape}")
    return x, p, True, mask


def _broadcasts_to(shape, target) -> bool:
    """Whether an array of ``shape`` broadcasts to ``target`` without growing it."""
    try:
        return np.broadcast_shapes(shape, target) == tuple(target)
    except ValueError:
        return False


def dropout_mask(shape, p: float, *, rng: np.random.Generator, dtype=np.float64) -> np.ndarray:
    r"""An inverted-dropout mask: 0 with probability ``p``, else :math:`1/(1-p)`.

    Parameters
    ----------
    shape : tuple of int
        ``(N, T, H)`` for a fresh mask at every step, ``(N, 1, H)`` for one
        mask per sequence that broadcasts over the steps, ``(N, H)`` for a
        single step or a recurrent state.
    p : float
        The probability of dropping a unit, in [0, 1).
    rng : numpy.random.Generator
    dtype : numpy dtype, default float64

    Returns
    -------
    ndarray of ``shape``

    Notes
    -----
    Each entry is :math:`m = b/(1-p)` with :math:`b \sim \mathrm{Bernoulli}(1-p)`,
    so :math:`\mathbb{E}[m] = 1`: the expected value of :math:`x \odot m`
    is :math:`x`.

    Examples
    --------
    >>> m = dropout_mask((2, 1, 4), 0.5, rng=np.random.default_rng(0))
    >>> m.shape, sorted(set(m.ravel().tolist())) <= [0.0, 2.0]
    ((2, 1, 4), True)
    """
    shape, p = _check_shape(shape), _check_p(p)
    rng, dtype = _check_rng(rng), check_dtype("dtype", dtype)
    keep = rng.random(shape) >= p
    return keep.astype(dtype) / np.asarray(1.0 - p, dtype=dtype)


class DropoutCache(NamedTuple):
    """The mask :func:`dropout_forward` applied, or None in evaluation mode."""

    mask: np.ndarray | None


def dropout_forward(
    x: np.ndarray,
    p: float,
    *,
    train: bool,
    rng: np.random.Generator | None = None,
    mask: np.ndarray | None = None,
):
    r"""Inverted dropout: :math:`x \odot m` in training, :math:`x` itself in evaluation.

    Parameters
    ----------
    x : ndarray
        Any shape; typically (N, T, H), the outputs of a layer.
    p : float
        The probability of dropping a unit, in [0, 1).
    train : bool
        True to drop units, False for evaluation (the identity). There is no
        default: the mode is always stated.
    rng : numpy.random.Generator, optional
        Draws the mask in training mode when ``mask`` is not given.
    mask : ndarray, optional
        A mask to use instead of drawing one, broadcastable to ``x`` (a
        ``(N, 1, H)`` mask is one mask per sequence). Only in training mode.

    Returns
    -------
    y : ndarray, shaped like ``x``
    cache : DropoutCache

    Notes
    -----
    .. math:: y = x \odot m, \qquad \frac{\partial L}{\partial x} =
       \frac{\partial L}{\partial y} \odot m

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = np.ones((2, 3, 4))
    >>> y, _ = dropout_forward(x, 0.5, train=False)
    >>> bool(np.all(y == x))
    True
    >>> y, cache = dropout_forward(x, 0.5, train=True, rng=rng)
    >>> bool(np.all((y == 0) | (y == 2)))
    True
    """
    x, p, train, mask = _check_dropout(x, p, train, mask)
    if not train:
        return x, DropoutCache(None)
    if mask is None:
        mask = dropout_mask(x.shape, p, rng=_check_rng(rng), dtype=x.dtype)
    return x * mask, DropoutCache(mask)


def dropout_backward(dy: np.ndarray, cache: DropoutCache) -> np.ndarray:
    """The gradient through :func:`dropout_forward`: ``dy`` times the same mask.

    Examples
    --------
    >>> y, cache = dropout_forward(np.ones((1, 2)), 0.5, train=True, mask=np.array([[2.0, 0.0]]))
    >>> dropout_backward(np.ones((1, 2)), cache)
    array([[2., 0.]])
    """
    check_cache("cache", cache, DropoutCache, "dropout_forward")
    dy = as_float_array("dy", dy)
    if cache.mask is None:
        return dy
    if not _broadcasts_to(cache.mask.shape, dy.shape):
        raise ValueError(f"dy has shape {dy.shape} but the mask has shape {cache.mask.shape}")
    return dy * cache.mask


class VariationalLayerCache(NamedTuple):
    """What :func:`variational_layer_backward` needs: one cache per step, the mask, the lengths."""

    steps: tuple[LayerCache, ...]
    mask: np.ndarray
    lengths: np.ndarray | None = None  # (N,), or None when every sequence has length T


def variational_layer_forward(
    cell: str,
    x: np.ndarray,
    params: dict,
    state0=None,
    *,
    mask: np.ndarray,
    lengths=None,
    **options,
):
    r"""One recurrent layer whose fed-back state :math:`h_{t-1}` is dropped, one mask per sequence.

    Gal and Ghahramani's variational dropout on the recurrent connection:
    the *same* mask multiplies the hidden state fed back at every step. For
    the vanilla RNN and the LSTM the previous hidden state enters a step
    only through :math:`h_{t-1} W_h`, so masking the state before the step
    is exactly their form; the LSTM's memory cell :math:`c` is left alone.
    The GRU is refused: its :math:`h_{t-1}` also enters the update
    :math:`h_t = (1-z) \odot n + z \odot h_{t-1}`, which a mask on the state
    would drop too, something their form does not do.

    Parameters
    ----------
    cell : {"rnn", "lstm"}
    x : ndarray, shape (N, T, D)
    params : dict
    state0 : tuple of ndarray, optional
        ``(h0,)`` or ``(h0, c0)``; zeros when omitted.
    mask : ndarray, shape (N, H)
        The recurrent mask, e.g. ``dropout_mask((N, H), p, rng=rng)``; all
        ones gives the plain layer.
    lengths : array_like of int, shape (N,), optional
        For a padded batch, each sequence's length; past it a sequence keeps
        its state and its outputs are zero.
    **options
        ``activation`` for the RNN.

    Returns
    -------
    hs : ndarray, shape (N, T, H)
    state : tuple of ndarray
        The final state, unmasked (in a padded batch, at each sequence's
        last valid step).
    cache : VariationalLayerCache

    Notes
    -----
    One step of :func:`~rnn_tutorial.layers.layer_forward` at a time:

    .. math:: h_t, c_t = \mathrm{cell}(x_t,\; h_{t-1} \odot m,\; c_{t-1})

    Examples
    --------
    >>> from rnn_tutorial.layers import init_layer
    >>> rng = np.random.default_rng(0)
    >>> params = init_layer("lstm", 3, 4, rng=rng)
    >>> x = rng.normal(size=(2, 5, 3))
    >>> hs, _, _ = variational_layer_forward("lstm", x, params, mask=np.ones((2, 4)))
    >>> bool(np.allclose(hs, layer_forward("lstm", x, params)[0]))
    True
    """
    x, mask, state0, lengths = _variational_inputs(cell, x, params, mask, state0, lengths)
    valid = _valid_steps(lengths, *x.shape[:2])  # (N, T): steps inside their sequence
    outputs, caches = [], []
    state = state0
    for t in range(x.shape[1]):
        masked = (state[0] * mask, *state[1:])  # the same mask at every step; c is not masked
        hs_t, new, cache_t = layer_forward(cell, x[:, t : t + 1], params, masked, **options)
        inside = valid[:, t, None]  # past its end a sequence keeps its state
        state = tuple(np.where(inside, a, b) for a, b in zip(new, state, strict=True))
        outputs.append(hs_t)
        caches.append(cache_t)
    hs = zero_past_end(np.concatenate(outputs, axis=1), lengths)
    return hs, state, VariationalLayerCache(tuple(caches), mask, lengths)


def _variational_inputs(cell, x, params, mask, state0, lengths):
    """The arguments of :func:`variational_layer_forward`, checked; zero states when omitted."""
    if _check_cell(cell) == "gru":
        raise ValueError(
            "variational recurrent dropout takes the rnn or lstm cell: the gru's h_{t-1} "
            "also enters its interpolation (1 - z) n + z h_{t-1}, which a mask on the state "
            "would drop too"
        )
    x = as_float_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
    if x.shape[1] == 0:
        raise ValueError(f"x has shape {x.shape}: a sequence needs at least one step (T >= 1)")
    mask = as_float_array("mask", mask)
    N, H = x.shape[0], _hidden_size(cell, params)
    if mask.shape != (N, H):
        raise ValueError(
            f"mask has shape {mask.shape} but must be (N, H) = ({N}, {H}): N from x, H from params"
        )
    if state0 is None:
        state0 = zero_state(cell, N, H, np.result_type(x, mask))
    state0 = check_state("state0", state0, cell)
    if state0[0].shape != mask.shape:
        raise ValueError(f"mask has shape {mask.shape} but state0[0] has shape {state0[0].shape}")
    return x, mask, state0, check_lengths(lengths, x.shape[0], x.shape[1])


def _valid_steps(lengths: np.ndarray | None, N: int, T: int) -> np.ndarray:
    """The ``(N, T)`` mask of steps inside their sequence: all True when ``lengths`` is None."""
    return np.ones((N, T), dtype=bool) if lengths is None else np.arange(T) < lengths[:, None]


def variational_layer_backward(dhs: np.ndarray, cache: VariationalLayerCache, dstate=None):
    r"""Backpropagation through time for :func:`variational_layer_forward`.

    The gradient reaching :math:`h_{t-1}` through the recurrence is the
    gradient of the masked state times the mask,
    :math:`\partial L/\partial h_{t-1} \mathrel{+}= m \odot \partial L/\partial(h_{t-1} \odot m)`.

    Parameters
    ----------
    dhs : ndarray, shape (N, T, H)
    cache : VariationalLayerCache
    dstate : tuple of ndarray, optional
        The gradient reaching the final state from outside the layer.

    Returns
    -------
    dx : ndarray, shape (N, T, D)
    dstate0 : tuple of ndarray
    grads : dict

    Examples
    --------
    >>> from rnn_tutorial.layers import init_layer
    >>> rng = np.random.default_rng(0)
    >>> params = init_layer("rnn", 3, 4, rng=rng)
    >>> mask = np.array([[2.0, 0.0, 2.0, 0.0]])
    >>> x = rng.normal(size=(1, 5, 3))
    >>> hs, _, cache = variational_layer_forward("rnn", x, params, mask=mask)
    >>> dx, (dh0,), grads = variational_layer_backward(np.ones_like(hs), cache)
    >>> dh0[0, [1, 3]].tolist()  # dropped units pass no gradient back
    [0.0, 0.0]
    """
    check_cache("cache", cache, VariationalLayerCache, "variational_layer_forward")
    dhs = as_float_array("dhs", dhs)
    T = len(cache.steps)
    N, H = cache.mask.shape
    if dhs.shape != (N, T, H):
        raise ValueError(
            f"dhs has shape {dhs.shape} but the layer's outputs have shape ({N}, {T}, {H})"
        )
    dhs = zero_past_end(dhs, cache.lengths)  # the outputs past a sequence's end were zeros
    valid = _valid_steps(cache.lengths, N, T)
    dxs = [None] * T
    grads: dict = {}
    for t in reversed(range(T)):
        valid_t = valid[:, t, None]
        # past its end a sequence sends nothing into the step and carries its gradient by
        d_in = None if dstate is None else tuple(np.where(valid_t, d, 0) for d in dstate)
        dx_t, dmasked, grads_t = layer_backward(dhs[:, t : t + 1], cache.steps[t], d_in)
        dxs[t] = dx_t
        for key, value in grads_t.items():
            grads[key] = grads[key] + value if key in grads else value
        d_out = (dmasked[0] * cache.mask, *dmasked[1:])
        if dstate is not None:
            d_out = tuple(
                np.where(valid_t, new, old) for new, old in zip(d_out, dstate, strict=True)
            )
        dstate = d_out
    return np.concatenate(dxs, axis=1), dstate, grads
