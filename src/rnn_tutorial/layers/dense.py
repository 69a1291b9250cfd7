"""The dense output layer ``y = h @ W_hy + b_y`` applied at every step."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import Sizes, check_cache, check_input, check_params

__all__ = ["DenseCache", "dense_backward", "dense_forward"]

DENSE_SPEC = {"W_hy": ("H", "V"), "b_y": ("V",)}


class DenseCache(NamedTuple):
    """What :func:`dense_backward` needs: the layer's input and weights."""

    h: np.ndarray
    params: dict


def dense_forward(h: np.ndarray, params: dict) -> tuple[np.ndarray, DenseCache]:
    r"""Affine output layer on the last axis: :math:`y = h W_{hy} + b_y`.

    Parameters
    ----------
    h : ndarray, shape (N, H) or (N, T, H)
        Hidden states of one step or of a whole sequence.
    params : dict
        ``W_hy`` of shape (H, V) and ``b_y`` of shape (V,).

    Returns
    -------
    y : ndarray, shape (N, V) or (N, T, V)
        Scores (logits); apply :func:`~rnn_tutorial.softmax` for probabilities.
    cache : DenseCache

    Examples
    --------
    >>> p = {"W_hy": np.array([[1.0], [2.0]]), "b_y": np.array([0.1])}
    >>> y, _ = dense_forward(np.array([[0.5, 0.25]]), p)
    >>> y
    array([[1.1]])
    """
    params, sizes = check_params(params, DENSE_SPEC)
    h = np.asarray(h)
    letters = ("N", "T", "H") if h.ndim == 3 else ("N", "H")
    h = check_input("h", h, letters, sizes)
    y = h @ params["W_hy"] + params["b_y"]
    return y, DenseCache(h, params)


def dense_backward(dy: np.ndarray, cache: DenseCache) -> tuple[np.ndarray, dict]:
    r"""Gradients of the dense layer.

    Parameters
    ----------
    dy : ndarray, shape (N, V) or (N, T, V)
        :math:`\partial L / \partial y`.
    cache : DenseCache
        From :func:`dense_forward`.

    Returns
    -------
    dh : ndarray, shape of ``h``
    grads : dict
        ``W_hy`` and ``b_y``, summed over every leading axis (batch and time).

    Notes
    -----
    :math:`\partial L/\partial h = \partial L/\partial y\, W_{hy}^\top`,
    :math:`\partial L/\partial W_{hy} = \sum h^\top \partial L/\partial y`,
    :math:`\partial L/\partial b_y = \sum \partial L/\partial y`.

    Examples
    --------
    >>> p = {"W_hy": np.ones((2, 3)), "b_y": np.zeros(3)}
    >>> y, cache = dense_forward(np.ones((4, 5, 2)), p)
    >>> dh, grads = dense_backward(np.ones_like(y), cache)
    >>> dh.shape, grads["W_hy"].shape, grads["b_y"].tolist()
    ((4, 5, 2), (2, 3), [20.0, 20.0, 20.0])
    """
    h, params = check_cache("cache", cache, DenseCache, "dense_forward")
    H, V = params["W_hy"].shape
    dy = check_input("dy", dy, tuple("NTV"[: h.ndim - 1]) + ("V",), _sizes_of(h, V))
    dh = dy @ params["W_hy"].T
    dW_hy = h.reshape(-1, H).T @ dy.reshape(-1, V)
    db_y = dy.reshape(-1, V).sum(axis=0)
    return dh, {"W_hy": dW_hy, "b_y": db_y}


def _sizes_of(h: np.ndarray, V: int) -> Sizes:
    """Sizes a gradient arriving at the layer's output must match."""
    sizes = Sizes(N=(h.shape[0], "the cached h"), V=(V, 'params["W_hy"]'))
    if h.ndim == 3:
        sizes["T"] = (h.shape[1], "the cached h")
    return sizes
