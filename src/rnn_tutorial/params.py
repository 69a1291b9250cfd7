"""Parameter initialisation and counting."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

__all__ = ["count_params", "init_dense", "init_rnn"]


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if not (isinstance(value, int | np.integer) and value > 0):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def init_rnn(D: int, H: int, *, rng: np.random.Generator, dtype=np.float64) -> dict:
    r"""Weights of a vanilla RNN layer, drawn as PyTorch draws them.

    Every entry is uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`, the default
    of ``torch.nn.RNN``, so a pre-activation starts with a spread that does
    not depend on H and tanh starts unsaturated.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes.
    rng : numpy.random.Generator
        The source of randomness, e.g. ``np.random.default_rng(0)``.
    dtype : numpy dtype, default float64

    Returns
    -------
    dict
        ``W_xh`` (D, H), ``W_hh`` (H, H), ``b_h`` (H,).

    Examples
    --------
    >>> p = init_rnn(3, 4, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W_xh': (3, 4), 'W_hh': (4, 4), 'b_h': (4,)}
    """
    _check_sizes(D=D, H=H)
    bound = 1 / np.sqrt(H)
    shapes = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,)}
    return {k: rng.uniform(-bound, bound, size=s).astype(dtype) for k, s in shapes.items()}


def init_dense(H: int, V: int, *, rng: np.random.Generator, dtype=np.float64) -> dict:
    r"""Weights of the output layer: ``W_hy`` uniform on :math:`\pm 1/\sqrt{H}`, ``b_y`` zero.

    Examples
    --------
    >>> p = init_dense(4, 6, rng=np.random.default_rng(0))
    >>> p["W_hy"].shape, p["b_y"].shape
    ((4, 6), (6,))
    """
    _check_sizes(H=H, V=V)
    bound = 1 / np.sqrt(H)
    return {
        "W_hy": rng.uniform(-bound, bound, size=(H, V)).astype(dtype),
        "b_y": np.zeros(V, dtype=dtype),
    }


def count_params(params: Mapping[str, np.ndarray]) -> int:
    """Total number of scalars in a parameter dict.

    Examples
    --------
    >>> count_params(init_rnn(1, 2, rng=np.random.default_rng(0)))  # (n + x) n + n
    8
    """
    return int(sum(np.size(v) for v in params.values()))
