"""Convolution and max pooling: against direct loops, finite differences and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import (
    col2im,
    conv2d_backward,
    conv2d_forward,
    grad_check,
    im2col,
    init_conv2d,
    maxpool2d_backward,
    maxpool2d_forward,
)


def direct_conv(x, W, b):
    """The definition, one output pixel at a time."""
    k = W.shape[0]
    p = k // 2
    n, rows, cols, _ = x.shape
    padded = np.zeros((n, rows + 2 * p, cols + 2 * p, x.shape[3]))
    padded[:, p : p + rows, p : p + cols] = x
    out = np.zeros((n, rows, cols, W.shape[3]))
    for i in range(rows):
        for j in range(cols):
            for c in range(W.shape[3]):
                out[:, i, j, c] = (padded[:, i : i + k, j : j + k] * W[..., c]).sum(axis=(1, 2, 3))
    return out + b


@pytest.mark.parametrize("k", [1, 3, 5])
def test_convolution_equals_the_direct_sum(k):
    rng = np.random.default_rng(k)
    x = rng.normal(size=(2, 6, 5, 3))
    W, b = rng.normal(size=(k, k, 3, 4)), rng.normal(size=4)
    out, _ = conv2d_forward(x, W, b)
    np.testing.assert_allclose(out, direct_conv(x, W, b), rtol=0, atol=1e-12)


def test_im2col_and_col2im_are_adjoint():
    # <im2col(x), C> == <x, col2im(C)> for all x, C: col2im is the transpose of im2col
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 4, 5, 3))
    C = rng.normal(size=im2col(x, 3).shape)
    assert np.isclose(np.sum(im2col(x, 3) * C), np.sum(x * col2im(C, x.shape, 3)))


def test_convolution_gradients_match_finite_differences():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(2, 5, 4, 2))
    W, b = init_conv2d(3, 2, 3, rng=rng)
    G = rng.normal(size=(2, 5, 4, 3))

    def loss(p):
        out, cache = conv2d_forward(p["x"], p["W"], p["b"])
        dx, dW, db = conv2d_backward(G, cache)
        return float(np.sum(out * G)), {"x": dx, "W": dW, "b": db}

    errors = grad_check(loss, {"x": x, "W": W, "b": rng.normal(size=3)})
    assert max(errors.values()) < 1e-8, errors


def test_pooling_takes_the_block_maximum():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(3, 6, 4, 2))
    out, _ = maxpool2d_forward(x)
    for i in range(3):
        for j in range(2):
            np.testing.assert_array_equal(
                out[:, i, j], x[:, 2 * i : 2 * i + 2, 2 * j : 2 * j + 2].max(axis=(1, 2))
            )


def test_pooling_gradient_matches_finite_differences():
    rng = np.random.default_rng(3)
    G = rng.normal(size=(2, 2, 3, 2))

    def loss(p):
        out, cache = maxpool2d_forward(p["x"])
        return float(np.sum(out * G)), {"x": maxpool2d_backward(G, cache)}

    errors = grad_check(loss, {"x": rng.normal(size=(2, 4, 6, 2))})
    assert errors["x"] < 1e-8


def test_pooling_gradient_goes_to_one_maximum_per_block():
    x = np.zeros((1, 2, 2, 1))  # a tie: all four equal
    out, cache = maxpool2d_forward(x)
    dx = maxpool2d_backward(np.ones_like(out), cache)
    assert dx.sum() == 1.0 and dx[0, 0, 0, 0] == 1.0


def test_inputs_are_not_changed():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(1, 4, 4, 2))
    W, b = init_conv2d(3, 2, 2, rng=rng)
    copies = [a.copy() for a in (x, W, b)]
    out, cache = conv2d_forward(x, W, b)
    conv2d_backward(np.ones_like(out), cache)
    maxpool2d_backward(np.ones((1, 2, 2, 2)), maxpool2d_forward(x)[1])
    for before, after in zip(copies, (x, W, b), strict=True):
        np.testing.assert_array_equal(before, after)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: conv2d_forward(np.zeros((2, 4, 4)), np.zeros((3, 3, 1, 1)), np.zeros(1)),
            ["x", "4-D", "(2, 4, 4)"],
        ),
        (
            lambda: conv2d_forward(np.zeros((1, 4, 4, 2)), np.zeros((3, 3, 1, 1)), np.zeros(1)),
            ["x", "W", "channels_in"],
        ),
        (
            lambda: conv2d_forward(np.zeros((1, 4, 4, 1)), np.zeros((2, 2, 1, 1)), np.zeros(1)),
            ["W", "odd"],
        ),
        (
            lambda: conv2d_forward(np.zeros((1, 4, 4, 1)), np.zeros((3, 3, 1, 2)), np.zeros(1)),
            ["b", "(2,)"],
        ),
        (lambda: maxpool2d_forward(np.zeros((1, 3, 4, 1))), ["even", "(1, 3, 4, 1)"]),
        (lambda: conv2d_backward(np.zeros(1), "cache"), ["cache", "Conv2dCache"]),
        (lambda: maxpool2d_backward(np.zeros(1), None), ["cache", "MaxPoolCache"]),
    ],
)
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)
