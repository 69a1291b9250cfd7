"""Finite-difference gradient checking for any loss written against a params dict."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import numpy as np

from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_int,
    check_mapping,
    check_positive,
    check_rng,
)

__all__ = ["grad_check", "numerical_gradient", "relative_error"]

LossFn = Callable[[dict], tuple[float, Mapping[str, np.ndarray]]]


def relative_error(analytic: np.ndarray, numeric: np.ndarray) -> float:
    r"""Relative error :math:`\|a - n\| / \max(\|a\| + \|n\|, \epsilon)` of two gradients.

    The norms are Euclidean over all the entries compared, and
    :math:`\epsilon = 10^{-12}` only guards against dividing by zero. Relative rather
    than absolute, so that a gradient of size :math:`10^{-6}` and one of size
    :math:`10^{3}` are judged alike; over the whole array rather than entry by
    entry, so that an entry that is nearly zero, whose finite difference is
    mostly rounding error, does not decide the verdict.

    Examples
    --------
    >>> round(relative_error(np.array([1.0]), np.array([1.01])), 6)  # 0.01 / 2.01
    0.004975
    >>> relative_error(np.array([3.0, 4.0]), np.array([3.0, 4.0]))
    0.0
    """
    a = as_float_array("analytic", analytic).astype(np.float64)
    n = as_float_array("numeric", numeric).astype(np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic has shape {a.shape} but numeric has shape {n.shape}")
    if a.size == 0:
        return 0.0
    scale = max(np.linalg.norm(a) + np.linalg.norm(n), 1e-12)
    return float(np.linalg.norm(a - n) / scale)


def numerical_gradient(
    loss_fn: LossFn,
    params: dict,
    key: str,
    *,
    indices: Sequence[tuple[int, ...]] | None = None,
    eps: float = 1e-6,
) -> np.ndarray:
    r"""Centred finite-difference estimate of :math:`\partial L/\partial\,\mathrm{params[key]}`.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> (loss, grads)``; only ``loss`` is used here.
    params : dict of str to ndarray
        Perturbed in place one entry at a time and restored.
    key : str
        Which array to differentiate.
    indices : sequence of index tuples, optional
        Entries to estimate; all entries when omitted.
    eps : float, default 1e-6
        The step :math:`\varepsilon`.

    Returns
    -------
    ndarray
        Same shape as ``params[key]``; entries not in ``indices`` are NaN.

    Notes
    -----
    .. math:: \frac{\partial L}{\partial \theta_i} \approx
              \frac{L(\theta + \varepsilon e_i) - L(\theta - \varepsilon e_i)}{2\varepsilon}

    The error of the centred difference is :math:`O(\varepsilon^2)`, against
    :math:`O(\varepsilon)` for a one-sided difference.

    Examples
    --------
    >>> def loss_fn(p):
    ...     return float(np.sum(p["w"] ** 3)), {"w": 3 * p["w"] ** 2}
    >>> numerical_gradient(loss_fn, {"w": np.array([1.0, 2.0])}, "w").round(6)
    array([ 3., 12.])
    """
    _check_loss_fn(loss_fn, params)
    eps = check_positive("eps", eps)
    if not isinstance(key, str) or key not in params:
        raise ValueError(f"key {key!r} is not in params; it has {', '.join(map(repr, params))}")
    theta = params[key]
    if getattr(theta, "dtype", None) != np.float64:
        raise ValueError(
            f'gradient checking needs float64: params["{key}"] is '
            f"{getattr(theta, 'dtype', type(theta).__name__)}, "
            "whose rounding error swamps the finite difference"
        )
    numeric = np.full(theta.shape, np.nan)
    if indices is None:
        indices = list(np.ndindex(theta.shape))
    for i in indices:
        original = theta[i]
        try:  # restore the weight even if loss_fn raises
            theta[i] = original + eps
            loss_plus = loss_fn(params)[0]
            theta[i] = original - eps
            loss_minus = loss_fn(params)[0]
        finally:
            theta[i] = original
        numeric[i] = (loss_plus - loss_minus) / (2 * eps)
    return numeric


def grad_check(
    loss_fn: LossFn,
    params: dict,
    *,
    num_checks: int | None = None,
    rng: np.random.Generator | None = None,
    eps: float = 1e-6,
) -> dict[str, float]:
    r"""Compare a function's analytic gradients with centred finite differences.

    Parameters
    ----------
    loss_fn : callable
        ``loss_fn(params) -> (loss, grads)`` with ``grads`` a dict of the same
        keys and shapes as ``params``. Anything may be put in ``params`` to be
        checked, inputs and initial states included: the checker only needs
        the loss to depend on it and the function to return its gradient.
    params : dict of str to float64 ndarray
    num_checks : int, optional
        How many randomly chosen entries of each array to check; all when
        omitted. A few are enough: a wrong formula is almost never wrong in
        only a handful of entries.
    rng : numpy.random.Generator, optional
        Chooses the entries when ``num_checks`` is given.
    eps : float, default 1e-6

    Returns
    -------
    dict of str to float
        For every key, the relative error (:func:`relative_error`) of the
        checked entries. Around 1e-7 or below in float64 means the
        gradient is right; 1e-3 or above means it is wrong.

    Examples
    --------
    >>> def loss_fn(p):
    ...     return float(np.sum(np.sin(p["w"]))), {"w": np.cos(p["w"])}
    >>> err = grad_check(loss_fn, {"w": np.linspace(0, 1, 5)})
    >>> err["w"] < 1e-8
    True
    """
    _check_loss_fn(loss_fn, params)
    for key, theta in params.items():
        as_float_array(f'params["{key}"]', theta)
    if num_checks is not None:
        num_checks = check_int("num_checks", num_checks)
    if rng is not None:
        check_rng("rng", rng)
    eps = check_positive("eps", eps)
    _, grads = loss_fn(params)
    missing = [k for k in params if k not in grads]
    if missing:
        raise ValueError(f"loss_fn returned no gradient for {', '.join(map(repr, missing))}")
    errors = {}
    for key, theta in params.items():
        if np.shape(grads[key]) != theta.shape:
            raise ValueError(
                f'grads["{key}"] has shape {np.shape(grads[key])} but params["{key}"] '
                f"has shape {theta.shape}"
            )
        all_indices = list(np.ndindex(theta.shape))
        if num_checks is not None and num_checks < len(all_indices):
            rng = rng if rng is not None else np.random.default_rng(0)
            chosen = rng.choice(len(all_indices), size=num_checks, replace=False)
            indices = [all_indices[i] for i in chosen]
        else:
            indices = all_indices
        numeric = numerical_gradient(loss_fn, params, key, indices=indices, eps=eps)
        picked = tuple(np.array(indices).T) if theta.ndim else ()
        errors[key] = relative_error(np.asarray(grads[key])[picked], numeric[picked])
    return errors


def _check_loss_fn(loss_fn, params) -> None:
    if not callable(loss_fn):
        raise ArgumentTypeError(
            f"loss_fn must be a function params -> (loss, grads), got {type(loss_fn).__name__}"
        )
    check_mapping("params", params)
