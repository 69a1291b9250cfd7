"""Parameter initialisation and counting."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .validation import (
    as_float_array,
    check_dtype,
    check_int,
    check_mapping,
    check_real,
    check_rng,
)

__all__ = ["count_params", "init_dense", "init_embedding", "init_gru", "init_lstm", "init_rnn"]


def _check_sizes(rng, dtype, **sizes: int) -> None:
    """The sizes are integers >= 1, ``rng`` a Generator, ``dtype`` a floating dtype."""
    for name, value in sizes.items():
        check_int(name, value)
    check_rng("rng", rng)
    check_dtype("dtype", dtype)


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
    _check_sizes(rng, dtype, D=D, H=H)
    bound = 1 / np.sqrt(H)
    shapes = {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,)}
    return {k: rng.uniform(-bound, bound, size=s).astype(dtype) for k, s in shapes.items()}


def init_lstm(
    D: int, H: int, *, rng: np.random.Generator, forget_bias: float = 1.0, dtype=np.float64
) -> dict:
    r"""Weights of an LSTM layer: uniform :math:`\pm 1/\sqrt{H}` as PyTorch, forget bias raised.

    Every entry of ``W_x``, ``W_h`` and ``b`` is drawn uniform on
    :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`, the default of ``torch.nn.LSTM``; then
    the forget gate's block of the bias, ``b[H:2H]``, is set to ``forget_bias``.

    Parameters
    ----------
    D, H : int
        Input and hidden sizes.
    rng : numpy.random.Generator
        The source of randomness, e.g. ``np.random.default_rng(0)``.
    forget_bias : float, default 1.0
        The value of every forget-gate bias.
    dtype : numpy dtype, default float64

    Returns
    -------
    dict
        ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,), gates i, f, g, o.

    Notes
    -----
    With a bias near zero the forget gate starts at :math:`\sigma(0) = 0.5`,
    so the cell state halves at every step and both the memory and the
    gradient along :math:`dc_{t-1} = dc_t \odot f` shrink like
    :math:`2^{-k}` over k steps: the network starts out unable to remember.
    A bias of 1 starts the gate near :math:`\sigma(1) \approx 0.73`, remembering
    by default until training learns what to forget. Gers, Schmidhuber and
    Cummins (2000, "Learning to forget: continual prediction with LSTM")
    introduced the forget gate and started it open, with a positive bias, for
    this reason; Jozefowicz, Zaremba and Sutskever (2015, "An empirical
    exploration of recurrent network architectures") found that a forget
    bias of 1 closes the gap between the LSTM and the GRU. Keras does it by
    default (``unit_forget_bias=True``); PyTorch does not.

    Examples
    --------
    >>> p = init_lstm(10, 20, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W_x': (10, 80), 'W_h': (20, 80), 'b': (80,)}
    >>> bool(np.all(p["b"][20:40] == 1.0)), bool(np.all(np.abs(p["b"][:20]) <= 20**-0.5))
    (True, True)
    """
    _check_sizes(rng, dtype, D=D, H=H)
    forget_bias = check_real("forget_bias", forget_bias)
    bound = 1 / np.sqrt(H)
    shapes = {"W_x": (D, 4 * H), "W_h": (H, 4 * H), "b": (4 * H,)}
    params = {k: rng.uniform(-bound, bound, size=s).astype(dtype) for k, s in shapes.items()}
    params["b"][H : 2 * H] = forget_bias  # gates i, f, g, o: the second block is f
    return params


def init_gru(D: int, H: int, *, rng: np.random.Generator, dtype=np.float64) -> dict:
    r"""Weights of a GRU layer, every entry uniform on :math:`\pm 1/\sqrt{H}` as in PyTorch.

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
        ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b_x`` (3H,), ``b_h`` (3H,), gates r, z, n.

    Examples
    --------
    >>> p = init_gru(10, 20, rng=np.random.default_rng(0))
    >>> {k: v.shape for k, v in p.items()}
    {'W_x': (10, 60), 'W_h': (20, 60), 'b_x': (60,), 'b_h': (60,)}
    """
    _check_sizes(rng, dtype, D=D, H=H)
    bound = 1 / np.sqrt(H)
    shapes = {"W_x": (D, 3 * H), "W_h": (H, 3 * H), "b_x": (3 * H,), "b_h": (3 * H,)}
    return {k: rng.uniform(-bound, bound, size=s).astype(dtype) for k, s in shapes.items()}


def init_dense(H: int, V: int, *, rng: np.random.Generator, dtype=np.float64) -> dict:
    r"""Weights of the output layer: ``W_hy`` uniform on :math:`\pm 1/\sqrt{H}`, ``b_y`` zero.

    Examples
    --------
    >>> p = init_dense(4, 6, rng=np.random.default_rng(0))
    >>> p["W_hy"].shape, p["b_y"].shape
    ((4, 6), (6,))
    """
    _check_sizes(rng, dtype, H=H, V=V)
    bound = 1 / np.sqrt(H)
    return {
        "W_hy": rng.uniform(-bound, bound, size=(H, V)).astype(dtype),
        "b_y": np.zeros(V, dtype=dtype),
    }


def init_embedding(
    V: int, D: int, *, rng: np.random.Generator, padding_idx: int | None = None, dtype=np.float64
) -> dict:
    r"""An embedding table drawn as ``torch.nn.Embedding`` draws it: standard normal entries.

    Parameters
    ----------
    V, D : int
        Vocabulary size and embedding size.
    rng : numpy.random.Generator
    padding_idx : int, optional
        The padding token, whose row starts (and, since it gets no gradient,
        stays) at zero.
    dtype : numpy dtype, default float64

    Returns
    -------
    dict
        ``W_embed`` (V, D).

    Examples
    --------
    >>> p = init_embedding(5, 3, rng=np.random.default_rng(0), padding_idx=0)
    >>> p["W_embed"].shape, p["W_embed"][0].tolist()
    ((5, 3), [0.0, 0.0, 0.0])
    """
    _check_sizes(rng, dtype, V=V, D=D)
    if padding_idx is not None:
        check_int("padding_idx", padding_idx, low=0, high=V - 1)
    W_embed = rng.standard_normal((V, D)).astype(dtype)
    if padding_idx is not None:
        W_embed[padding_idx] = 0
    return {"W_embed": W_embed}


def count_params(params: Mapping[str, np.ndarray]) -> int:
    """Total number of scalars in a parameter dict.

    Examples
    --------
    >>> count_params(init_rnn(1, 2, rng=np.random.default_rng(0)))  # (n + x) n + n
    8
    """
    check_mapping("params", params)
    for key, value in params.items():
        as_float_array(f'params["{key}"]', value, finite=False)
    return int(sum(np.size(v) for v in params.values()))
