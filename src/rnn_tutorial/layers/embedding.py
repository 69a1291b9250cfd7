r"""The embedding layer: a token id looks up one row of a table of vectors.

Multiplying a one-hot vector by a matrix picks one of its rows, so an
embedding is a dense layer on one-hot inputs without the arithmetic:
:math:`x_t = W_\text{embed}[w_t]`. Its gradient adds each step's upstream
gradient into the row of that step's token, so a token that appears twice
receives both contributions.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import as_float_array, check_cache, check_int, check_tokens

__all__ = ["EmbeddingCache", "embedding_backward", "embedding_forward"]


class EmbeddingCache(NamedTuple):
    """What :func:`embedding_backward` needs from the forward pass."""

    tokens: np.ndarray
    """The token ids, any shape ``(...)``."""
    table_shape: tuple
    """``(V, D)``, the shape of ``W_embed``."""
    dtype: np.dtype
    """The dtype of ``W_embed``."""
    padding_idx: int | None
    """The id whose row receives no gradient, or None."""


def _check_padding_idx(padding_idx, V: int) -> int | None:
    if padding_idx is None:
        return None
    return check_int("padding_idx", padding_idx, low=0, high=V - 1)


def embedding_forward(tokens, W_embed: np.ndarray, *, padding_idx: int | None = None):
    r"""Look up the vector of every token: ``out[...] = W_embed[tokens[...]]``.

    Parameters
    ----------
    tokens : array_like of int, shape (...)
        Token ids in ``[0, V)``, e.g. ``(N, T)`` for a batch of sequences.
    W_embed : ndarray, shape (V, D)
        One row per token.
    padding_idx : int, optional
        A token (the padding symbol) whose row gets no gradient, as in
        ``torch.nn.Embedding``; give it a row of zeros (:func:`init_embedding`
        does) and padded steps read zeros.

    Returns
    -------
    out : ndarray, shape (..., D)
    cache : EmbeddingCache

    Notes
    -----
    .. math::

        x_{n,t} = W_\text{embed}[w_{n,t}]

    Examples
    --------
    >>> W = np.arange(6.0).reshape(3, 2)
    >>> out, cache = embedding_forward([[2, 0]], W)
    >>> out.tolist()
    [[[4.0, 5.0], [0.0, 1.0]]]
    """
    W_embed = as_float_array("W_embed", W_embed)
    if W_embed.ndim != 2:
        raise ValueError(f"W_embed must be 2-D (V, D), got shape {W_embed.shape}")
    tokens = check_tokens("tokens", tokens, W_embed.shape[0])
    padding_idx = _check_padding_idx(padding_idx, W_embed.shape[0])
    out = W_embed[tokens]
    return out, EmbeddingCache(tokens, W_embed.shape, W_embed.dtype, padding_idx)


def embedding_backward(dout: np.ndarray, cache: EmbeddingCache) -> np.ndarray:
    r"""The gradient of the table: each token's row collects the gradients of its steps.

    Parameters
    ----------
    dout : ndarray, shape (..., D)
        :math:`\partial L / \partial x` for every looked-up vector.
    cache : EmbeddingCache
        From :func:`embedding_forward`.

    Returns
    -------
    dW_embed : ndarray, shape (V, D)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial W_\text{embed}[v]}
            = \sum_{(n,t):\, w_{n,t} = v} \frac{\partial L}{\partial x_{n,t}}

    ``np.add.at`` adds repeated indices one by one; plain fancy-index
    assignment ``dW[tokens] += dout`` would keep only one of them.

    Examples
    --------
    >>> out, cache = embedding_forward([1, 1, 0], np.zeros((3, 2)))
    >>> embedding_backward(np.ones((3, 2)), cache).tolist()
    [[1.0, 1.0], [2.0, 2.0], [0.0, 0.0]]
    """
    check_cache("cache", cache, EmbeddingCache, "embedding_forward")
    dout = as_float_array("dout", dout)
    expected = (*cache.tokens.shape, cache.table_shape[1])
    if dout.shape != expected:
        raise ValueError(f"dout has shape {dout.shape} but the lookup gave shape {expected}")
    dW_embed = np.zeros(cache.table_shape, dtype=np.result_type(cache.dtype, dout.dtype))
    np.add.at(dW_embed, cache.tokens, dout)
    if cache.padding_idx is not None:
        dW_embed[cache.padding_idx] = 0
    return dW_embed
