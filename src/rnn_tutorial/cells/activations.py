"""Element-wise nonlinearities and the softmax, written to be numerically stable."""

from __future__ import annotations

import numpy as np

from ..validation import as_float_array

__all__ = ["relu", "sigmoid", "softmax", "tanh"]


def sigmoid(z: np.ndarray) -> np.ndarray:
    r"""Logistic function :math:`\sigma(z) = 1 / (1 + e^{-z})`, stable for any ``z``.

    Parameters
    ----------
    z : ndarray
        Any shape.

    Returns
    -------
    ndarray
        Same shape as ``z``, values in [0, 1].

    Notes
    -----
    For negative ``z`` the equivalent form :math:`e^{z} / (1 + e^{z})` is used,
    so ``exp`` never overflows.

    Examples
    --------
    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    z = as_float_array("z", z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def tanh(z: np.ndarray) -> np.ndarray:
    r"""Hyperbolic tangent :math:`\tanh z`; its derivative is :math:`1 - \tanh^2 z`.

    Examples
    --------
    >>> print(round(float(tanh(0.6)), 3))
    0.537
    """
    return np.tanh(as_float_array("z", z))


def relu(z: np.ndarray) -> np.ndarray:
    r"""Rectified linear unit :math:`\max(z, 0)`.

    Examples
    --------
    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    return np.maximum(as_float_array("z", z), 0)


def softmax(z: np.ndarray) -> np.ndarray:
    r"""Softmax over the last axis, :math:`p_v = e^{z_v} / \sum_u e^{z_u}`.

    Parameters
    ----------
    z : ndarray, shape (..., V)
        Scores (logits); any leading axes (batch, time) are kept.

    Returns
    -------
    ndarray, shape (..., V)
        Probabilities that sum to 1 along the last axis.

    Notes
    -----
    The row maximum is subtracted first; softmax is unchanged by adding a
    constant to every score, and the largest exponent becomes :math:`e^0 = 1`.

    Examples
    --------
    >>> p = softmax(np.array([[1000.0, 1000.0], [0.0, np.log(3.0)]]))
    >>> p
    array([[0.5 , 0.5 ],
           [0.25, 0.75]])
    """
    z = as_float_array("z", z)
    if z.ndim < 1:
        raise ValueError(f"z must have a class axis (..., V), got a scalar {z!r}")
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)
