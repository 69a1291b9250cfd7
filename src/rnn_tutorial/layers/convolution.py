r"""Convolution and max pooling over images, forward and backward, with im2col.

An image batch is channels-last, ``(N, height, width, channels)``, so that a
convolution is one matrix product, like every other layer of the package:
:func:`im2col` lays every ``k x k`` patch of the (zero-padded) input out as
one row, and ``patches @ W`` then computes all output pixels at once.

- :func:`im2col` / :func:`col2im`: patches as rows, and their gradient added
  back onto the image.
- :func:`conv2d_forward` / :func:`conv2d_backward`: a ``k x k`` convolution,
  stride 1, zero padding ``k // 2`` ("same": the output has the input's height
  and width).
- :func:`maxpool2d_forward` / :func:`maxpool2d_backward`: the largest value of
  each non-overlapping ``2 x 2`` block.
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
    check_rng,
)

__all__ = [
    "Conv2dCache",
    "MaxPoolCache",
    "col2im",
    "conv2d_backward",
    "conv2d_forward",
    "im2col",
    "init_conv2d",
    "maxpool2d_backward",
    "maxpool2d_forward",
]


def _images(name: str, x) -> np.ndarray:
    x = as_float_array(name, x)
    if x.ndim != 4:
        raise ValueError(f"{name} must be 4-D (N, height, width, channels), got shape {x.shape}")
    return x


def _odd(name: str, k) -> int:
    """A kernel size: an odd integer >= 1, so the window has a centre."""
    if check_int(name, k) % 2 == 0:
        raise ValueError(f"{name} must be an odd integer >= 1, got {k!r}")
    return int(k)


def _check_col2im(dcols, shape, k) -> tuple[np.ndarray, tuple, int]:
    """col2im's arguments: a shape (N, height, width, channels) and one row per pixel."""
    k = _odd("k", k)
    if not isinstance(shape, tuple | list) or not all(
        isinstance(n, int | np.integer) for n in shape
    ):
        raise ArgumentTypeError(f"shape must be a tuple of 4 integers, got {shape!r}")
    if len(shape) != 4 or min(shape) < 0:
        raise ValueError(f"shape must be (N, height, width, channels) >= 0, got {shape!r}")
    n, rows, cols, channels = shape
    dcols = as_float_array("dcols", dcols)
    expected = (n * rows * cols, k * k * channels)
    if dcols.shape != expected:
        raise ValueError(
            f"dcols has shape {dcols.shape} but shape={tuple(shape)} and k={k} need {expected}"
        )
    return dcols, tuple(int(n) for n in shape), k


def im2col(x: np.ndarray, k: int) -> np.ndarray:
    r"""Every ``k x k`` patch of the zero-padded images as one row.

    Parameters
    ----------
    x : ndarray, shape (N, height, width, channels)
    k : int
        The patch size, odd; the images are padded with ``k // 2`` zeros on
        every side, so there is one patch per pixel.

    Returns
    -------
    ndarray, shape (N * height * width, k * k * channels)
        Row ``(n, i, j)`` holds the patch centred on pixel ``(i, j)`` of image
        ``n``, in the order (row offset, column offset, channel).

    Examples
    --------
    >>> x = np.arange(9.0).reshape(1, 3, 3, 1)
    >>> im2col(x, 3)[4].tolist()  # the patch around the centre pixel
    [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    """
    x = _images("x", x)
    k = _odd("k", k)
    p = k // 2
    padded = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (k, k), axis=(1, 2))
    # windows: (N, height, width, channels, k, k) -> rows (N, height, width, k, k, channels)
    return windows.transpose(0, 1, 2, 4, 5, 3).reshape(-1, k * k * x.shape[3])


def col2im(dcols: np.ndarray, shape: tuple, k: int) -> np.ndarray:
    r"""The gradient of :func:`im2col`: each patch's gradient added back where it was read.

    A pixel lies in up to ``k * k`` patches, so it collects up to ``k * k``
    contributions; the padding's share is dropped.

    Parameters
    ----------
    dcols : ndarray, shape (N * height * width, k * k * channels)
    shape : tuple
        ``(N, height, width, channels)``, the shape of the images.
    k : int

    Returns
    -------
    dx : ndarray, shape (N, height, width, channels)

    Examples
    --------
    >>> x = np.ones((1, 3, 3, 1))
    >>> col2im(np.ones_like(im2col(x, 3)), x.shape, 3)[0, :, :, 0].tolist()  # patches per pixel
    [[4.0, 6.0, 4.0], [6.0, 9.0, 6.0], [4.0, 6.0, 4.0]]
    """
    dcols, shape, k = _check_col2im(dcols, shape, k)
    n, rows, cols, channels = shape
    p = k // 2
    dpatches = dcols.reshape(n, rows, cols, k, k, channels)
    dpadded = np.zeros((n, rows + 2 * p, cols + 2 * p, channels), dtype=dcols.dtype)
    for i in range(k):
        for j in range(k):
            dpadded[:, i : i + rows, j : j + cols] += dpatches[:, :, :, i, j]
    return dpadded[:, p : p + rows, p : p + cols]


def init_conv2d(
    k: int, channels_in: int, channels_out: int, *, rng: np.random.Generator, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    r"""Weights of a ``k x k`` convolution, He-normal for a ReLU after it, and zero biases.

    Returns
    -------
    W : ndarray, shape (k, k, channels_in, channels_out)
        Entries drawn from :math:`\mathcal N(0, 2 / (k^2 \cdot \text{channels\_in}))`.
    b : ndarray, shape (channels_out,)

    Examples
    --------
    >>> W, b = init_conv2d(3, 2, 4, rng=np.random.default_rng(0))
    >>> W.shape, b.shape
    ((3, 3, 2, 4), (4,))
    """
    k, channels_in = check_int("k", k), check_int("channels_in", channels_in)
    channels_out = check_int("channels_out", channels_out)
    rng, dtype = check_rng("rng", rng), check_dtype("dtype", dtype)
    fan_in = k * k * channels_in
    W = rng.standard_normal((k, k, channels_in, channels_out)) * np.sqrt(2 / fan_in)
    return W.astype(dtype), np.zeros(channels_out, dtype=dtype)


class Conv2dCache(NamedTuple):
    """What :func:`conv2d_backward` needs from the forward pass."""

    cols: np.ndarray
    """The patches, ``(N * height * width, k * k * channels_in)``."""
    W: np.ndarray
    """The kernel, ``(k, k, channels_in, channels_out)``."""
    x_shape: tuple
    """``(N, height, width, channels_in)``."""


def _check_conv(x, W, b):
    """``x``, ``W``, ``b`` as float arrays whose shapes fit one convolution."""
    x = _images("x", x)
    W, b = as_float_array("W", W), as_float_array("b", b)
    if W.ndim != 4 or W.shape[0] != W.shape[1] or W.shape[0] % 2 == 0:
        raise ValueError(
            f"W must be 4-D (k, k, channels_in, channels_out) with k odd, got shape {W.shape}"
        )
    if W.shape[2] != x.shape[3]:
        raise ValueError(
            f"x has shape {x.shape} but W has shape {W.shape}: channels_in={x.shape[3]} "
            f"!= {W.shape[2]}"
        )
    if b.shape != (W.shape[3],):
        raise ValueError(
            f"b has shape {b.shape} but W has shape {W.shape}: expected ({W.shape[3]},)"
        )
    return x, W, b


def conv2d_forward(x, W: np.ndarray, b: np.ndarray):
    r"""A ``k x k`` convolution with stride 1 and "same" zero padding.

    Parameters
    ----------
    x : ndarray, shape (N, height, width, channels_in)
    W : ndarray, shape (k, k, channels_in, channels_out)
    b : ndarray, shape (channels_out,)

    Returns
    -------
    out : ndarray, shape (N, height, width, channels_out)
    cache : Conv2dCache

    Notes
    -----
    With :math:`P` the patch matrix of :func:`im2col` and :math:`W` reshaped
    to :math:`(k^2 \cdot \text{channels\_in}, \text{channels\_out})`,

    .. math::

        \text{out}_{n,i,j,c} = b_c + \sum_{u,v,c'} x_{n,i+u-p,j+v-p,c'} W_{u,v,c',c}
        \quad\Longleftrightarrow\quad \text{out} = P W + b

    (a cross-correlation, as in every deep-learning library).

    Examples
    --------
    >>> W = np.zeros((3, 3, 1, 1)); W[1, 1] = 1.0  # the identity kernel
    >>> x = np.random.default_rng(0).normal(size=(2, 4, 4, 1))
    >>> out, cache = conv2d_forward(x, W, np.zeros(1))
    >>> out.shape, bool(np.allclose(out, x))
    ((2, 4, 4, 1), True)
    """
    x, W, b = _check_conv(x, W, b)
    k, n, rows, cols = W.shape[0], *x.shape[:3]
    P = im2col(x, k)
    out = P @ W.reshape(-1, W.shape[3]) + b
    return out.reshape(n, rows, cols, W.shape[3]), Conv2dCache(P, W, x.shape)


def conv2d_backward(dout: np.ndarray, cache: Conv2dCache):
    r"""Gradients of a convolution: the forward product read in reverse.

    Parameters
    ----------
    dout : ndarray, shape (N, height, width, channels_out)
    cache : Conv2dCache

    Returns
    -------
    dx : ndarray, shape (N, height, width, channels_in)
    dW : ndarray, shape (k, k, channels_in, channels_out)
    db : ndarray, shape (channels_out,)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial W} = P^\top \delta, \qquad
        \frac{\partial L}{\partial b} = \textstyle\sum_\text{rows} \delta, \qquad
        \frac{\partial L}{\partial P} = \delta W^\top
        \;\xrightarrow{\;\text{col2im}\;}\; \frac{\partial L}{\partial x}

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> W, b = init_conv2d(3, 2, 4, rng=rng)
    >>> out, cache = conv2d_forward(rng.normal(size=(2, 5, 5, 2)), W, b)
    >>> [g.shape for g in conv2d_backward(np.ones_like(out), cache)]
    [(2, 5, 5, 2), (3, 3, 2, 4), (4,)]
    """
    check_cache("cache", cache, Conv2dCache, "conv2d_forward")
    dout = as_float_array("dout", dout)
    expected = (*cache.x_shape[:3], cache.W.shape[3])
    if dout.shape != expected:
        raise ValueError(f"dout has shape {dout.shape} but the convolution gave {expected}")
    k, channels_out = cache.W.shape[0], cache.W.shape[3]
    delta = dout.reshape(-1, channels_out)
    dW = (cache.cols.T @ delta).reshape(cache.W.shape)
    db = delta.sum(axis=0)
    dP = delta @ cache.W.reshape(-1, channels_out).T
    dx = col2im(dP, cache.x_shape, k)
    return dx, dW, db


class MaxPoolCache(NamedTuple):
    """What :func:`maxpool2d_backward` needs: where each block's maximum was."""

    winner: np.ndarray
    """``(N, height / 2, width / 2, channels)``, the index 0..3 of the maximum in its block."""
    x_shape: tuple
    """``(N, height, width, channels)``."""


def _blocks(x: np.ndarray) -> np.ndarray:
    """(N, height, width, channels) -> (N, height/2, width/2, channels, 4), one 2x2 block a row."""
    n, rows, cols, channels = x.shape
    b = x.reshape(n, rows // 2, 2, cols // 2, 2, channels)
    return b.transpose(0, 1, 3, 5, 2, 4).reshape(n, rows // 2, cols // 2, channels, 4)


def maxpool2d_forward(x):
    r"""Max pooling over non-overlapping ``2 x 2`` blocks, halving height and width.

    Parameters
    ----------
    x : ndarray, shape (N, height, width, channels)
        Height and width even.

    Returns
    -------
    out : ndarray, shape (N, height / 2, width / 2, channels)
    cache : MaxPoolCache

    Notes
    -----
    .. math::

        \text{out}_{n,i,j,c} = \max_{u, v \in \{0, 1\}} x_{n,2i+u,2j+v,c}

    Examples
    --------
    >>> x = np.array([[1.0, 2, 5, 0], [3, 4, 1, 1], [0, 0, 2, 2], [0, 9, 2, 2]])
    >>> out, cache = maxpool2d_forward(x.reshape(1, 4, 4, 1))
    >>> out[0, :, :, 0].tolist()
    [[4.0, 5.0], [9.0, 2.0]]
    """
    x = _images("x", x)
    if x.shape[1] % 2 or x.shape[2] % 2:
        raise ValueError(f"x must have even height and width, got shape {x.shape}")
    blocks = _blocks(x)
    winner = blocks.argmax(axis=-1)
    out = np.take_along_axis(blocks, winner[..., None], axis=-1)[..., 0]
    return out, MaxPoolCache(winner, x.shape)


def maxpool2d_backward(dout: np.ndarray, cache: MaxPoolCache) -> np.ndarray:
    r"""The gradient of max pooling: each block's gradient goes to its maximum alone.

    Parameters
    ----------
    dout : ndarray, shape (N, height / 2, width / 2, channels)
    cache : MaxPoolCache

    Returns
    -------
    dx : ndarray, shape (N, height, width, channels)

    Notes
    -----
    .. math::

        \frac{\partial L}{\partial x_{n,2i+u,2j+v,c}} =
        \begin{cases} \partial L / \partial\, \text{out}_{n,i,j,c}
        & \text{if } (u, v) \text{ is the block's first maximum} \\
        0 & \text{otherwise} \end{cases}

    Examples
    --------
    >>> x = np.array([[1.0, 2], [4, 3]]).reshape(1, 2, 2, 1)
    >>> out, cache = maxpool2d_forward(x)
    >>> maxpool2d_backward(np.ones_like(out), cache)[0, :, :, 0].tolist()
    [[0.0, 0.0], [1.0, 0.0]]
    """
    check_cache("cache", cache, MaxPoolCache, "maxpool2d_forward")
    dout = as_float_array("dout", dout)
    if dout.shape != cache.winner.shape:
        raise ValueError(f"dout has shape {dout.shape} but the pooling gave {cache.winner.shape}")
    n, rows, cols, channels = cache.x_shape
    dblocks = np.zeros((*dout.shape, 4), dtype=dout.dtype)
    np.put_along_axis(dblocks, cache.winner[..., None], dout[..., None], axis=-1)
    d = dblocks.reshape(n, rows // 2, cols // 2, channels, 2, 2).transpose(0, 1, 4, 2, 5, 3)
    return d.reshape(n, rows, cols, channels)
