r"""Measuring how a gradient shrinks or grows as it flows back through time.

Backward, one step of the RNN maps the gradient reaching :math:`h_k` to the
one reaching :math:`h_{k-1}`: :math:`dh_{k-1} = (dh_k \odot f'(a_k))\,W_{hh}^\top`.
Over many steps the product of these maps decides whether the influence of an
early state on a late loss vanishes or explodes. These functions measure it
with the package's own backward step; they do not compute anything new.
"""

from __future__ import annotations

import numbers

import numpy as np

from ..cells.rnn import RNN_SPEC, rnn_forward, rnn_step_backward
from ..validation import (
    as_float_array,
    check_batch,
    check_choice,
    check_dtype,
    check_input,
    check_int,
    check_params,
    check_real,
    check_rng,
)

__all__ = ["hidden_gradient_norms", "jacobian_product_bound", "scaled_recurrent_weights"]

KINDS = ("gaussian", "orthogonal", "identity")


def _unit_direction(direction, shape) -> np.ndarray:
    """``direction`` (ones when None) broadcast to the state's ``shape`` (N, H), norm 1."""
    N, H = shape
    u = np.ones((N, H)) if direction is None else as_float_array("direction", direction)
    if u.shape not in ((N, H), (H,)):
        raise ValueError(
            f"direction has shape {u.shape} but h0 has shape {shape}; it must be (N, H) = "
            f"({N}, {H}) or (H,) = ({H},)"
        )
    u = np.broadcast_to(u, (N, H))
    size = np.linalg.norm(u)
    if not (np.isfinite(size) and size > 0):
        raise ValueError(f"direction must be finite and not all zeros, got norm {size}")
    return u / size


def hidden_gradient_norms(params, x, h0, *, t=None, direction=None, activation="tanh"):
    r"""Norms of :math:`\partial L/\partial h_k` for a loss that reads only the state :math:`h_t`.

    Parameters
    ----------
    params : dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,).
    x : ndarray, shape (N, T, D)
        Inputs; the first ``t`` steps are used.
    h0 : ndarray, shape (N, H)
        The initial state :math:`h_0`.
    t : int, optional
        The step whose state the loss reads, ``1 <= t <= T``; default ``T``.
    direction : ndarray, shape (N, H) or (H,), optional
        :math:`u`, scaled here to Frobenius norm 1; default all ones.
    activation : {"tanh", "relu"}, default "tanh"

    Returns
    -------
    ndarray, shape (t + 1,)
        Entry ``j`` is :math:`\lVert \partial L/\partial h_{t-j} \rVert` (Frobenius
        over the batch), ordered by the distance ``j = t - k``; entry 0 is 1 and
        the last is the gradient reaching :math:`h_0`.

    Notes
    -----
    The loss is :math:`L = \langle u, h_t \rangle` with :math:`\lVert u \rVert = 1`,
    so the gradient injected at step :math:`t` is :math:`u` and zero at every
    other step. Walking :func:`~rnn_tutorial.rnn_step_backward` back over the
    cached steps gives the carried gradient at each earlier state:

    .. math::

        \frac{\partial L}{\partial h_{k-1}} =
        \Big(\frac{\partial L}{\partial h_k} \odot f'(a_k)\Big) W_{hh}^\top

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(scale=0.01, size=(2, 8)), "b_h": np.zeros(8),
    ...           "W_hh": scaled_recurrent_weights(8, 0.5, rng=rng, kind="orthogonal")}
    >>> norms = hidden_gradient_norms(params, rng.normal(size=(1, 10, 2)), np.zeros((1, 8)))
    >>> norms.shape, bool(np.all(np.diff(norms) < 0))  # each step back at most halves it
    ((11,), True)
    """
    params, sizes = check_params(params, RNN_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h0 = check_input("h0", h0, ("N", "H"), sizes)
    check_batch("x", x)  # the bound is a maximum over the batch
    t = _check_t(t, x.shape[1])
    dh = _unit_direction(direction, h0.shape)  # dL/dh_t: the only gradient injected
    _, cache = rnn_forward(x[:, :t], h0, params, activation=activation)
    norms = np.empty(t + 1)
    norms[0] = np.linalg.norm(dh)
    for j, step in enumerate(reversed(cache.steps), start=1):
        _, dh, _ = rnn_step_backward(dh, step)  # dL/dh_{t-j}: carried only, nothing added
        norms[j] = np.linalg.norm(dh)
    return norms


def jacobian_product_bound(params, x, h0, *, t=None, activation="tanh"):
    r"""Upper bounds on :func:`hidden_gradient_norms`: products of largest singular values.

    Parameters
    ----------
    params, x, h0, t, activation
        As for :func:`hidden_gradient_norms`.

    Returns
    -------
    ndarray, shape (t + 1,)
        Entry ``j`` is :math:`\prod_{k=t-j+1}^{t} s_k` (entry 0 is 1), where
        :math:`s_k` is the largest singular value of the step's Jacobian
        :math:`J_k = \operatorname{diag}(f'(a_k))\,W_{hh}^\top`, taken over the
        rows of the batch. ``hidden_gradient_norms(...)[j]`` never exceeds it.

    Notes
    -----
    :math:`\lVert v J \rVert \le \sigma_{\max}(J) \lVert v \rVert` for each step,
    so :math:`\lVert \partial L/\partial h_{t-j} \rVert \le \prod s_k`. Since
    :math:`|f'| \le 1` for tanh and ReLU, :math:`s_k \le \sigma_{\max}(W_{hh})`:
    when the largest singular value of :math:`W_{hh}` is below 1 the gradient
    must vanish geometrically with distance.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_xh": rng.normal(size=(2, 8)), "b_h": np.zeros(8),
    ...           "W_hh": scaled_recurrent_weights(8, 0.9, rng=rng, kind="orthogonal")}
    >>> x, h0 = rng.normal(size=(1, 10, 2)), np.zeros((1, 8))
    >>> bound = jacobian_product_bound(params, x, h0)
    >>> bool(np.all(hidden_gradient_norms(params, x, h0) <= bound + 1e-12))
    True
    >>> bool(np.all(bound[1:] <= 0.9 ** np.arange(1, 11) + 1e-12))
    True
    """
    params, sizes = check_params(params, RNN_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h0 = check_input("h0", h0, ("N", "H"), sizes)
    check_batch("x", x)  # the bound is a maximum over the batch
    t = _check_t(t, x.shape[1])
    hs, _ = rnn_forward(x[:, :t], h0, params, activation=activation)
    slopes = 1 - hs**2 if activation == "tanh" else (hs > 0).astype(hs.dtype)  # f'(a_k)
    # J_k for every row of the batch at once: (N, t, H, H), then its 2-norm.
    jacobians = slopes[..., None] * params["W_hh"].T
    largest = np.linalg.norm(jacobians, ord=2, axis=(-2, -1)).max(axis=0)  # (t,)
    return np.concatenate([[1.0], np.cumprod(largest[::-1])])


def scaled_recurrent_weights(H, scale, *, rng=None, kind="gaussian", dtype=np.float64):
    r"""A recurrent matrix :math:`W_{hh}` of a chosen size, for gradient-flow experiments.

    Parameters
    ----------
    H : int
        The state size.
    scale : float
        The spectral radius (largest :math:`|\lambda|`) of the result; for
        ``"orthogonal"`` and ``"identity"`` also every singular value.
    rng : numpy.random.Generator, optional
        Needed by ``"gaussian"`` and ``"orthogonal"``.
    kind : {"gaussian", "orthogonal", "identity"}, default "gaussian"
        ``"gaussian"``: i.i.d. normal entries rescaled to spectral radius
        ``scale``; ``"orthogonal"``: ``scale`` times a random orthogonal
        matrix (QR of a Gaussian one); ``"identity"``: ``scale`` times
        :math:`I`, the initialisation of the IRNN.
    dtype : numpy dtype, default float64

    Returns
    -------
    ndarray, shape (H, H)

    Notes
    -----
    For an orthogonal :math:`Q`, :math:`\lVert v\,cQ \rVert = c \lVert v \rVert` for
    every :math:`v`: each step back multiplies the gradient's norm by exactly
    :math:`c` (times :math:`f'`), which makes the vanishing (:math:`c < 1`)
    and exploding (:math:`c > 1`) cases clean. A Gaussian matrix is not
    normal: its largest singular value is about twice its spectral radius for
    large H, so a short product can grow even when ``scale`` is below 1.

    Examples
    --------
    >>> W = scaled_recurrent_weights(6, 0.5, rng=np.random.default_rng(0), kind="orthogonal")
    >>> bool(np.allclose(np.linalg.svd(W, compute_uv=False), 0.5))
    True
    >>> W = scaled_recurrent_weights(6, 1.5, rng=np.random.default_rng(0))
    >>> round(float(np.abs(np.linalg.eigvals(W)).max()), 10)
    1.5
    """
    H, scale = check_int("H", H), check_real("scale", scale, low=0)
    kind, dtype = check_choice("kind", kind, KINDS), check_dtype("dtype", dtype)
    if kind == "identity":
        return (scale * np.eye(H)).astype(dtype)
    check_rng("rng", rng)  # the other kinds draw random numbers
    G = rng.normal(size=(H, H))
    if kind == "gaussian":
        return (G * (scale / np.abs(np.linalg.eigvals(G)).max())).astype(dtype)
    Q, R = np.linalg.qr(G)
    Q = Q * np.sign(np.diag(R))  # fix the column signs: Q is then uniformly distributed
    return (scale * Q).astype(dtype)


def _check_t(t, T: int) -> int:
    if t is None:
        return T
    if not isinstance(t, numbers.Integral) or isinstance(t, bool):
        return check_int("t", t)  # raises: not an integer
    if not 1 <= t <= T:
        raise ValueError(f"t must be an integer step in 1..T = 1..{T} (x has T={T}), got {t!r}")
    return int(t)
