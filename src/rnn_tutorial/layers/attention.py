r"""Attention: a weighted average of the encoder's states, the weights chosen by the decoder.

At every step the decoder's state :math:`s` (the *query*) scores each encoder
state :math:`h_j` (the *keys*, which are also the *values*), a softmax over the
source positions turns the scores into weights, and the weighted sum of the
encoder states is the *context vector*:

.. math::

    e_j = \mathrm{score}(s, h_j), \qquad
    a_j = \frac{\exp e_j}{\sum_{k \,\mathrm{valid}} \exp e_k}, \qquad
    c = \sum_j a_j h_j

Two scores behind one interface, chosen by the weights passed:

- additive (Bahdanau, Cho and Bengio 2015), ``params = {"W_q", "W_k", "v"}``:
  :math:`e_j = v^\top \tanh(s W_q + h_j W_k)`;
- dot product (Luong, Pham and Manning 2015), ``params = {}``:
  :math:`e_j = s \cdot h_j`.

Padded source positions (``mask[n, j]`` False) get weight exactly 0: their
scores are replaced by :math:`-\infty` before the softmax.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_cache,
    check_dtype,
    check_int,
    check_mapping,
    check_rng,
    check_steps,
)

__all__ = ["AttentionCache", "attention_backward", "attention_forward", "init_attention"]

_ADDITIVE = ("W_q", "W_k", "v")


class AttentionCache(NamedTuple):
    """What :func:`attention_backward` needs from :func:`attention_forward`.

    ``q``, ``k`` and ``u`` are the additive score's intermediates and ``None``
    for the dot product.
    """

    s: np.ndarray  # (N, H) the query, the decoder's state
    hs: np.ndarray  # (N, T, H) the encoder's states
    params: dict
    q: np.ndarray | None  # (N, H)     s W_q
    k: np.ndarray | None  # (N, T, H)  h_j W_k
    u: np.ndarray | None  # (N, T, H)  tanh(q + k_j)
    weights: np.ndarray  # (N, T)     a_j


def init_attention(H: int, *, rng: np.random.Generator, dtype=np.float64) -> dict:
    r"""Weights of the additive score: ``W_q``, ``W_k`` (H, H) and ``v`` (H,).

    Uniform on :math:`\pm 1/\sqrt{H}`. The dot-product score has no weights:
    pass ``{}`` instead.

    Examples
    --------
    >>> p = init_attention(4, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W_q': (4, 4), 'W_k': (4, 4), 'v': (4,)}
    """
    H, rng, dtype = check_int("H", H), check_rng("rng", rng), check_dtype("dtype", dtype)
    bound = 1 / np.sqrt(H)
    return {
        "W_q": rng.uniform(-bound, bound, size=(H, H)).astype(dtype),
        "W_k": rng.uniform(-bound, bound, size=(H, H)).astype(dtype),
        "v": rng.uniform(-bound, bound, size=H).astype(dtype),
    }


def _score_kind(params) -> str:
    check_mapping("params", params)
    if not params:
        return "dot"
    if sorted(params) != sorted(_ADDITIVE):
        raise ValueError(
            f"params must be {{}} (dot-product score) or hold exactly {list(_ADDITIVE)} "
            f"(additive score), got keys {sorted(params)}"
        )
    return "additive"


def _check(s, hs, params, mask):
    """The query, the states and the mask, checked against each other and the weights."""
    s, hs = as_float_array("s", s), as_float_array("hs", hs)
    if s.ndim != 2:
        raise ValueError(f"s must be 2-D (N, H), got shape {s.shape}")
    if hs.ndim != 3 or hs.shape[0] != s.shape[0]:
        raise ValueError(
            f"hs has shape {hs.shape} but s has shape {s.shape}; hs must be (N, T, H) "
            f"with N={s.shape[0]}"
        )
    kind = _score_kind(params)
    if kind == "dot" and hs.shape[2] != s.shape[1]:
        raise ValueError(
            f"the dot-product score needs s and hs of one size H, got s {s.shape} "
            f"and hs {hs.shape}"
        )
    if kind == "additive":
        W_q, W_k, v = (as_float_array(f'params["{k}"]', params[k]) for k in _ADDITIVE)
        if W_q.shape != (s.shape[1], v.shape[0]) or W_k.shape != (hs.shape[2], v.shape[0]):
            raise ValueError(
                f'params["W_q"] {W_q.shape}, params["W_k"] {W_k.shape} and params["v"] '
                f"{v.shape} do not fit s {s.shape} and hs {hs.shape}: W_q must be "
                f"({s.shape[1]}, H), W_k ({hs.shape[2]}, H) and v (H,)"
            )
    if mask is None:
        mask = np.ones(hs.shape[:2], dtype=bool)
    check_steps("hs", hs)
    mask = np.asarray(mask)
    if mask.dtype != bool:
        raise ArgumentTypeError(
            f"mask must be a boolean array of shape (N, T) = {hs.shape[:2]}, got "
            f"{mask.dtype} array of shape {mask.shape}"
        )
    if mask.shape != hs.shape[:2]:
        raise ValueError(
            f"mask must be a boolean array of shape (N, T) = {hs.shape[:2]}, got "
            f"{mask.dtype} array of shape {mask.shape}"
        )
    if not mask.any(axis=1).all():
        raise ValueError("mask must leave at least one valid position in every row (N, T)")
    return s, hs, kind, mask


def _masked_softmax(e: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Softmax over the last axis where ``mask`` is True; exactly 0 where it is False."""
    e = np.where(mask, e, -np.inf)
    z = np.exp(e - e.max(axis=-1, keepdims=True))  # exp(-inf) = 0
    return z / z.sum(axis=-1, keepdims=True)


def attention_forward(s, hs, params: dict, mask=None):
    r"""The context vector of one decoder step: the encoder's states averaged by attention.

    Parameters
    ----------
    s : ndarray, shape (N, H)
        The query: the decoder's state.
    hs : ndarray, shape (N, T, H)
        The encoder's states at the T source positions (keys and values).
    params : dict
        ``{"W_q" (H, H), "W_k" (H, H), "v" (H,)}`` for the additive score
        (see :func:`init_attention`), ``{}`` for the dot product.
    mask : ndarray of bool, shape (N, T), optional
        True at the valid source positions (:func:`~rnn_tutorial.length_mask`);
        all valid when omitted.

    Returns
    -------
    context : ndarray, shape (N, H)
    weights : ndarray, shape (N, T)
        The attention weights: each row sums to 1, padded positions are 0.
    cache : AttentionCache

    Notes
    -----
    Additive score, one line per equation below:

    .. math::

        q = s W_q, \qquad k_j = h_j W_k, \qquad u_j = \tanh(q + k_j), \qquad
        e_j = u_j \cdot v \\
        a = \mathrm{softmax}_{j \,\mathrm{valid}}(e), \qquad c = \sum_j a_j h_j

    The dot-product score is :math:`e_j = s \cdot h_j`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> hs = rng.normal(size=(2, 4, 3))
    >>> mask = np.array([[True, True, True, True], [True, True, False, False]])
    >>> c, a, cache = attention_forward(rng.normal(size=(2, 3)), hs, {}, mask)
    >>> c.shape, a[1, 2:].tolist(), bool(np.allclose(a.sum(axis=1), 1))
    ((2, 3), [0.0, 0.0], True)
    """
    s, hs, kind, mask = _check(s, hs, params, mask)
    q = k = u = None
    if kind == "additive":
        q = s @ params["W_q"]
        k = hs @ params["W_k"]
        u = np.tanh(q[:, None, :] + k)
        e = u @ params["v"]
    else:
        e = (hs @ s[:, :, None])[:, :, 0]
    a = _masked_softmax(e, mask)
    c = (a[:, None, :] @ hs)[:, 0, :]
    return c, a, AttentionCache(s, hs, params, q, k, u, a)


def attention_backward(dc, cache: AttentionCache):
    r"""Gradients of :func:`attention_forward`: the query, the encoder's states, the weights.

    Parameters
    ----------
    dc : ndarray, shape (N, H)
        Gradient of the loss with respect to the context vector.
    cache : AttentionCache

    Returns
    -------
    ds : ndarray, shape (N, H)
    dhs : ndarray, shape (N, T, H)
        Both routes: as values (through :math:`c`) and as keys (through the scores).
    grads : dict
        ``dW_q``, ``dW_k``, ``dv`` under the weights' keys; empty for the dot product.

    Notes
    -----
    The forward equations in reverse (:math:`\odot` elementwise):

    .. math::

        \frac{\partial L}{\partial a_j} = dc \cdot h_j, \qquad
        de_j = a_j \Big(da_j - \sum_k a_k \, da_k\Big) \\
        dv = \sum_j u_j \, de_j, \qquad
        du_j = de_j \, v \odot (1 - u_j^2), \qquad
        dq = \sum_j du_j, \qquad dk_j = du_j

    A padded position has :math:`a_j = 0`, so :math:`de_j = 0`: no gradient
    reaches it through the scores, and none through the values.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_attention(3, rng=rng)
    >>> s, hs = rng.normal(size=(2, 3)), rng.normal(size=(2, 4, 3))
    >>> c, a, cache = attention_forward(s, hs, params)
    >>> ds, dhs, grads = attention_backward(np.ones_like(c), cache)
    >>> ds.shape, dhs.shape, sorted(grads)
    ((2, 3), (2, 4, 3), ['W_k', 'W_q', 'v'])
    """
    check_cache("cache", cache, AttentionCache, "attention_forward")
    dc = as_float_array("dc", dc)
    if dc.shape != cache.s.shape[:1] + cache.hs.shape[2:]:
        raise ValueError(
            f"dc has shape {dc.shape} but the context has shape "
            f"{cache.s.shape[:1] + cache.hs.shape[2:]}"
        )
    s, hs, params, q, k, u, a = cache
    dhs = a[:, :, None] * dc[:, None, :]  # c = sum_j a_j h_j, the values' route
    da = (hs @ dc[:, :, None])[:, :, 0]
    de = a * (da - (a * da).sum(axis=1, keepdims=True))
    if u is None:  # dot product: e_j = s . h_j
        ds = (de[:, None, :] @ hs)[:, 0, :]
        dhs = dhs + de[:, :, None] * s[:, None, :]
        return ds, dhs, {}
    dv = de.reshape(-1) @ u.reshape(-1, u.shape[2])
    du = de[:, :, None] * params["v"] * (1 - u**2)
    dq = du.sum(axis=1)
    dk = du
    dW_q = s.T @ dq
    dW_k = hs.reshape(-1, hs.shape[2]).T @ dk.reshape(-1, dk.shape[2])
    ds = dq @ params["W_q"].T
    dhs = dhs + dk @ params["W_k"].T
    return ds, dhs, {"W_q": dW_q, "W_k": dW_k, "v": dv}
