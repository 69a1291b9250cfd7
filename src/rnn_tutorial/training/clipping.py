"""Gradient clipping: the two remedies for exploding gradients.

Element-wise clipping bounds every entry, as the minimal character-level RNN
does with ``np.clip(dparam, -5, 5)``; it is cheap but changes the gradient's
direction. Global-norm clipping rescales all the arrays together, so the
direction is kept and only the step length is capped.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from ..validation import check_grads, check_positive

__all__ = ["clip_elementwise", "clip_global_norm", "global_norm"]


def _arrays(grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    return check_grads("grads", grads)


def _check_positive(name: str, value) -> float:
    return check_positive(name, value)


def clip_elementwise(grads: Mapping[str, np.ndarray], limit: float = 5.0) -> dict:
    r"""Clip every entry of every gradient to :math:`[-\text{limit}, \text{limit}]`.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients, e.g. from :func:`~rnn_tutorial.rnn_backward`.
    limit : float, default 5.0
        The bound; 5 is the value of the minimal character-level RNN.

    Returns
    -------
    dict of str to ndarray
        New arrays with the same keys; ``grads`` is not modified.

    Notes
    -----
    .. math:: g_i \leftarrow \min(\max(g_i, -c), c)

    Entries inside the bound are untouched and those outside are cut, so the
    clipped gradient generally points in a different direction. NaN stays NaN.

    Examples
    --------
    >>> clipped = clip_elementwise({"b_h": np.array([-7.0, 0.5, 12.0])})
    >>> clipped["b_h"]
    array([-5. ,  0.5,  5. ])
    """
    limit = _check_positive("limit", limit)
    return {key: np.clip(g, -limit, limit) for key, g in _arrays(grads).items()}


def global_norm(grads: Mapping[str, np.ndarray]) -> float:
    r"""The Euclidean norm of all the gradients taken together as one long vector.

    Notes
    -----
    .. math:: \lVert g \rVert = \sqrt{\textstyle\sum_{\text{key}} \sum_i g_{\text{key}, i}^2}

    Examples
    --------
    >>> global_norm({"W_hh": np.array([[3.0]]), "b_h": np.array([4.0])})
    5.0
    """
    # Accumulate in float64: the squares of float32 gradients can lose digits.
    total = sum(float(np.sum(np.square(g, dtype=np.float64))) for g in _arrays(grads).values())
    return float(np.sqrt(total))


def clip_global_norm(grads: Mapping[str, np.ndarray], max_norm: float) -> tuple[dict, float]:
    r"""Rescale all the gradients together so that their global norm is at most ``max_norm``.

    Parameters
    ----------
    grads : dict of str to ndarray
    max_norm : float
        The largest global norm allowed (:func:`global_norm`).

    Returns
    -------
    clipped : dict of str to ndarray
        New arrays with the same keys; ``grads`` is not modified. When the
        norm is already at most ``max_norm`` they are copies of ``grads``.
    norm : float
        The global norm *before* clipping, worth logging: a sudden jump is an
        exploding gradient.

    Notes
    -----
    .. math::

        g \leftarrow g \cdot \frac{\text{max\_norm}}{\lVert g \rVert}
        \quad \text{when } \lVert g \rVert > \text{max\_norm}

    Every array is multiplied by the same factor, so the direction of the
    whole gradient is unchanged; only its length is capped.

    Examples
    --------
    >>> clipped, norm = clip_global_norm({"W_hh": np.array([[3.0]]), "b_h": np.array([4.0])}, 1.0)
    >>> norm, clipped["W_hh"], clipped["b_h"]
    (5.0, array([[0.6]]), array([0.8]))
    """
    max_norm = _check_positive("max_norm", max_norm)
    arrays = _arrays(grads)
    norm = global_norm(arrays)
    if not np.isfinite(norm):
        raise ValueError(f"grads contain NaN or infinity (global norm {norm}); nothing to rescale")
    if norm <= max_norm:
        return {key: g.copy() for key, g in arrays.items()}, norm
    scale = max_norm / norm
    # A Python float keeps float32 gradients float32 and promotes integers to float64.
    return {key: g * scale for key, g in arrays.items()}, norm
