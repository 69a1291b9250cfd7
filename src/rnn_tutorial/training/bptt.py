"""Backpropagation through time over a whole sequence, and truncated to chunks.

The model is the many-to-many network of the book: an RNN layer, the dense
output layer at every step and softmax cross-entropy against the next target,
summed over steps and batch. Truncated BPTT cuts a long sequence into chunks
of ``seq_length`` steps, as the minimal character-level RNN does: the hidden
state is carried from one chunk to the next, its gradient is not.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ..cells.rnn import RNN_SPEC, rnn_backward, rnn_forward
from ..layers.dense import DENSE_SPEC, dense_backward, dense_forward
from ..validation import check_input, check_int, check_params, check_steps, check_tokens
from .losses import softmax_cross_entropy

__all__ = ["sequence_loss_and_grads", "truncated_bptt_chunks", "truncated_bptt_grads"]

MODEL_SPEC = {**RNN_SPEC, **DENSE_SPEC}


def truncated_bptt_chunks(T: int, seq_length: int) -> Iterator[tuple[int, int]]:
    """The ``(start, stop)`` steps of each chunk of a sequence of ``T`` steps.

    Parameters
    ----------
    T : int
        The length of the whole sequence.
    seq_length : int
        Steps per chunk; the last chunk is shorter when ``seq_length`` does
        not divide ``T``.

    Returns
    -------
    iterator of (int, int)
        ``x[:, start:stop]`` is the chunk; the chunks cover ``0 .. T`` in order.

    Examples
    --------
    >>> list(truncated_bptt_chunks(10, 4))
    [(0, 4), (4, 8), (8, 10)]
    """
    T, seq_length = check_int("T", T), check_int("seq_length", seq_length)
    # Checked above, before the first chunk is asked for, so a bad argument fails at the call.
    return ((start, min(start + seq_length, T)) for start in range(0, T, seq_length))


def sequence_loss_and_grads(x, targets, h0, params, *, activation="tanh"):
    r"""Loss and gradients of RNN + dense + softmax cross-entropy over one sequence.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        The inputs, e.g. one-hot characters.
    targets : ndarray of int, shape (N, T)
        The class index to predict at every step, in ``[0, V)``.
    h0 : ndarray, shape (N, H)
        The initial state.
    params : dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (H, V), ``b_y`` (V,).
    activation : {"tanh", "relu"}, default "tanh"
        The RNN's nonlinearity.

    Returns
    -------
    loss : float
        :math:`L = \sum_{n, t} -\log p_{n, t}[y_{n, t}]`, summed over batch and steps.
    grads : dict
        :math:`\partial L/\partial \theta` for the five keys of ``params``.
    h_last : ndarray, shape (N, H)
        The final state :math:`h_T`, to carry into the next chunk.
    dh0 : ndarray, shape (N, H)
        :math:`\partial L/\partial h_0`: where truncated BPTT stops.

    Notes
    -----
    The forward pass and the backward pass read in reverse:

    .. math::

        h_t = f(x_t W_{xh} + h_{t-1} W_{hh} + b_h), \quad
        z_t = h_t W_{hy} + b_y, \quad
        L = \textstyle\sum_t -\log \operatorname{softmax}(z_t)_{y_t}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(3, 4)), "W_hh": rng.normal(size=(4, 4)),
    ...           "b_h": np.zeros(4), "W_hy": np.zeros((4, 5)), "b_y": np.zeros(5)}
    >>> x, targets = rng.normal(size=(2, 6, 3)), rng.integers(0, 5, size=(2, 6))
    >>> loss, grads, h_last, dh0 = sequence_loss_and_grads(x, targets, np.zeros((2, 4)), params)
    >>> bool(np.isclose(loss, 2 * 6 * np.log(5)))  # zero output weights: uniform over V = 5
    True
    >>> sorted(grads), h_last.shape
    (['W_hh', 'W_hy', 'W_xh', 'b_h', 'b_y'], (2, 4))
    """
    params, sizes = check_params(params, MODEL_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    targets = _check_targets(targets, x.shape)
    hs, rnn_cache = rnn_forward(x, h0, params, activation=activation)
    logits, dense_cache = dense_forward(hs, params)
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction="sum")
    dhs, dense_grads = dense_backward(dlogits, dense_cache)
    _, dh0, rnn_grads = rnn_backward(dhs, rnn_cache)
    return loss, {**rnn_grads, **dense_grads}, hs[:, -1], dh0


def truncated_bptt_grads(x, targets, h0, params, seq_length, *, activation="tanh"):
    r"""Truncated BPTT: loss and gradients summed over chunks of ``seq_length`` steps.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
    targets : ndarray of int, shape (N, T)
    h0 : ndarray, shape (N, H)
    params : dict
        As for :func:`sequence_loss_and_grads`.
    seq_length : int
        Steps per chunk.
    activation : {"tanh", "relu"}, default "tanh"

    Returns
    -------
    loss : float
        The loss of the whole sequence (the forward pass is not truncated).
    grads : dict
        The *sum of the chunk gradients*, each chunk treating its initial
        state as a constant.
    h_last : ndarray, shape (N, H)
        The state after the last step.

    Notes
    -----
    Each chunk :math:`c` starts from the state the previous chunk ended in,
    so the forward pass is that of the whole sequence. Backward, the chunk's
    :math:`\partial L_c/\partial h_{\text{start}}` is thrown away instead of
    being passed to the previous chunk, so a loss term never reaches weights
    through steps before its own chunk:

    .. math::

        g_{\text{truncated}} = \sum_c \frac{\partial L_c}{\partial \theta}
        \Big|_{h_{\text{start}(c)} \text{ constant}}

    This is exact BPTT when one chunk covers the sequence, and otherwise
    misses every dependence longer than a chunk: the price paid for memory
    and time that no longer grow with :math:`T`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(3, 4)), "W_hh": rng.normal(size=(4, 4)),
    ...           "b_h": np.zeros(4), "W_hy": rng.normal(size=(4, 5)), "b_y": np.zeros(5)}
    >>> x, targets = rng.normal(size=(2, 6, 3)), rng.integers(0, 5, size=(2, 6))
    >>> h0 = np.zeros((2, 4))
    >>> full, full_grads, _, _ = sequence_loss_and_grads(x, targets, h0, params)
    >>> loss, grads, h_last = truncated_bptt_grads(x, targets, h0, params, seq_length=4)
    >>> bool(np.isclose(loss, full))  # the same forward pass ...
    True
    >>> bool(np.allclose(grads["W_hh"], full_grads["W_hh"]))  # ... but a shorter backward one
    False
    """
    params, sizes = check_params(params, MODEL_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h = check_input("h0", h0, ("N", "H"), sizes)
    check_steps("x", x)
    targets = _check_targets(targets, x.shape)
    total = 0.0
    dtype = np.result_type(x, *params.values())
    grads = {key: np.zeros_like(value, dtype=dtype) for key, value in params.items()}
    for start, stop in truncated_bptt_chunks(x.shape[1], seq_length):
        # h is the previous chunk's last state, a constant here: its dh0 is dropped.
        loss, chunk_grads, h, _ = sequence_loss_and_grads(
            x[:, start:stop], targets[:, start:stop], h, params, activation=activation
        )
        total += loss
        for key in grads:
            grads[key] += chunk_grads[key]
    return total, grads, h


def _check_targets(targets, x_shape) -> np.ndarray:
    y = check_tokens("targets", targets)
    if y.shape != x_shape[:2]:
        raise ValueError(
            f"targets has shape {y.shape} but x has shape {x_shape}; "
            f"targets must be (N, T) = {x_shape[:2]}, one class index per step"
        )
    return y
