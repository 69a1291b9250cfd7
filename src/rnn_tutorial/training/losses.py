"""Losses with their gradients."""

from __future__ import annotations

import numpy as np

from ..validation import ArgumentTypeError, as_float_array, check_choice, check_tokens

__all__ = ["softmax_cross_entropy"]


def _check_mask(mask, shape: tuple) -> np.ndarray | None:
    """``None``, or a boolean array of the targets' shape."""
    if mask is None:
        return None
    m = np.asarray(mask)
    if m.dtype != bool:
        raise ArgumentTypeError(
            f"mask must be booleans (True at valid positions), got dtype {m.dtype}"
        )
    if m.shape != shape:
        raise ValueError(f"mask has shape {m.shape} but the targets have shape {shape}")
    return m


def softmax_cross_entropy(
    logits: np.ndarray, targets: np.ndarray, *, reduction: str = "sum", mask=None
) -> tuple[float, np.ndarray]:
    r"""Cross-entropy of softmax probabilities against integer targets, and its gradient.

    Parameters
    ----------
    logits : ndarray, shape (..., V)
        Unnormalised scores, e.g. ``(N, V)`` for one step or ``(N, T, V)`` for
        a sequence.
    targets : ndarray of int, shape (...)
        The index of the correct class at every position, in ``[0, V)``.
    reduction : {"sum", "mean"}, default "sum"
        ``"sum"`` adds the loss of every position, the total loss
        :math:`L = \sum_t L_t` of a sequence; ``"mean"`` divides it by the
        number of positions counted (the valid ones when ``mask`` is given),
        so a batch's loss does not depend on how much of it is padding.
    mask : ndarray of bool, shape (...), optional
        ``True`` at the positions that count, e.g. ``length_mask(lengths, T)``
        for a padded batch; the others add nothing to the loss and get a zero
        gradient, and their targets may be any integer (a padding id).

    Returns
    -------
    loss : float
        The reduced loss.
    dlogits : ndarray, shape (..., V)
        :math:`\partial L / \partial z`.

    Notes
    -----
    With :math:`p = \operatorname{softmax}(z)` and target :math:`y`, the loss
    of one position is :math:`-\log p_y` and its gradient is
    :math:`p - \mathrm{onehot}(y)`. The log-probability is computed as
    :math:`z_y - \max z - \log \sum_v e^{z_v - \max z}`, which never takes the
    log of zero.

    Examples
    --------
    >>> loss, dz = softmax_cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> bool(np.isclose(loss, 2 * np.log(4)))
    True
    >>> dz[0]
    array([-0.75,  0.25,  0.25,  0.25])

    Padded positions do not count, and the mean is over the valid ones:

    >>> mask = np.array([[True, False]])
    >>> loss, dz = softmax_cross_entropy(np.zeros((1, 2, 4)), np.array([[1, -1]]),
    ...                                  reduction="mean", mask=mask)
    >>> bool(np.isclose(loss, np.log(4))), bool(np.all(dz[0, 1] == 0))
    (True, True)
    """
    z = as_float_array("logits", logits)
    if z.ndim < 1:
        raise ValueError("logits must have a class axis (..., V), got a scalar")
    y = check_tokens("targets", targets)
    if y.shape != z.shape[:-1]:
        raise ValueError(
            f"targets has shape {y.shape} but logits has shape {z.shape}; "
            f"targets must have shape {z.shape[:-1]} (one class index per position)"
        )
    check_tokens("targets", y)
    m = _check_mask(mask, y.shape)
    if m is not None:
        y = np.where(m, y, 0)  # padded targets may be anything; they are not read
    check_tokens("targets", y, z.shape[-1])
    _check_reduction(reduction, y.size if m is None else int(m.sum()), "targets")

    shifted = z - z.max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    picked = np.take_along_axis(log_p, y[..., None], axis=-1)[..., 0]
    if m is not None:
        picked = np.where(m, picked, 0.0)
    loss = -picked.sum()

    dz = np.exp(log_p)  # the softmax, without computing it a second time
    np.put_along_axis(dz, y[..., None], np.take_along_axis(dz, y[..., None], axis=-1) - 1, -1)
    if m is not None:
        dz *= m[..., None]
    count = y.size if m is None else int(m.sum())
    if reduction == "mean":
        loss, dz = loss / count, dz / count
    return float(loss), dz


def mse(
    predictions: np.ndarray, targets: np.ndarray, *, reduction: str = "mean", mask=None
) -> tuple[float, np.ndarray]:
    r"""Mean squared error of real-valued predictions, and its gradient.

    Parameters
    ----------
    predictions : ndarray, shape (...)
        The model's outputs, e.g. ``(N, V)`` for one value per sequence or
        ``(N, T, V)`` for one per step.
    targets : ndarray, same shape as ``predictions``
        The values to predict.
    reduction : {"mean", "sum"}, default "mean"
        ``"mean"`` averages the squared errors over every entry, the usual
        mean squared error; ``"sum"`` adds them.
    mask : ndarray of bool, optional
        ``True`` where an entry counts: the predictions' shape, or that shape
        without its last axis (one flag per position, e.g. ``(N, T)`` for
        ``(N, T, V)`` predictions). Entries outside the mask add nothing and
        get a zero gradient; ``"mean"`` divides by the entries inside it.

    Returns
    -------
    loss : float
        The reduced loss.
    dpredictions : ndarray, same shape as ``predictions``
        :math:`\partial L / \partial \hat y`.

    Notes
    -----
    Over the :math:`M` entries,

    .. math::

        L = \frac{1}{M} \sum_{m=1}^{M} (\hat y_m - y_m)^2, \qquad
        \frac{\partial L}{\partial \hat y_m} = \frac{2}{M} (\hat y_m - y_m)

    and without the :math:`1/M` for ``"sum"``.

    Examples
    --------
    >>> loss, d = mse(np.array([[1.0], [3.0]]), np.array([[0.0], [1.0]]))
    >>> loss  # (1 + 4) / 2
    2.5
    >>> d
    array([[1.],
           [2.]])
    """
    p = as_float_array("predictions", predictions)
    y = as_float_array("targets", targets)
    if y.shape != p.shape:
        raise ValueError(
            f"targets has shape {y.shape} but predictions has shape {p.shape}; "
            "they must have the same shape"
        )
    m = None
    if mask is not None:
        m = np.asarray(mask)
        if m.shape == p.shape[:-1] and m.shape != p.shape:
            m = m[..., None]
        m = _check_mask(m, p.shape if m.shape == p.shape else m.shape)
        if m.shape != p.shape:
            raise ValueError(
                f"mask has shape {np.shape(mask)} but the predictions have shape {p.shape}; "
                f"it must have shape {p.shape} or {p.shape[:-1]}"
            )
    count = p.size if m is None else int(m.sum())
    _check_reduction(reduction, count, "targets")
    error = p - y if m is None else np.where(m, p - y, 0.0)
    loss = float(np.sum(error * error))
    d = 2 * error
    if reduction == "mean":
        loss, d = loss / count, d / count
    return loss, d


__all__ += ["mse"]


def _check_reduction(reduction, size: int, name: str) -> None:
    """``"sum"`` or ``"mean"``; a mean needs at least one position to average over."""
    check_choice("reduction", reduction, ("sum", "mean"))
    if reduction == "mean" and size == 0:
        raise ValueError(
            f'{name} is empty: reduction="mean" over no positions is undefined '
            '(0/0); pass at least one position, or reduction="sum"'
        )
