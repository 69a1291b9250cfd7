"""Inverted dropout: the identity in evaluation, unbiased in training, masks held fixed for checks.

The statistical tests draw many masks and compare their averages with the
Bernoulli values they must have, within five standard deviations computed
from the binomial variance; with the fixed seeds they are deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import grad_check
from rnn_tutorial.layers import init_layer, layer_forward
from rnn_tutorial.layers.dropout import (
    dropout_backward,
    dropout_forward,
    dropout_mask,
    variational_layer_backward,
    variational_layer_forward,
)

N, T, D, H = 2, 4, 3, 5


def test_evaluation_mode_is_the_identity():
    x = np.random.default_rng(0).normal(size=(N, T, H))
    y, cache = dropout_forward(x, 0.7, train=False, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(y, x)
    assert cache.mask is None
    dy = np.ones_like(x) * 3.0
    np.testing.assert_array_equal(dropout_backward(dy, cache), dy)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_training_mode_keeps_the_expectation(p):
    n = 200_000
    x = np.full((n,), 1.7)
    y, cache = dropout_forward(x, p, train=True, rng=np.random.default_rng(2))
    dropped = np.mean(y == 0)
    # the fraction dropped is a binomial proportion: std sqrt(p (1 - p) / n)
    assert abs(dropped - p) < 5 * np.sqrt(p * (1 - p) / n)
    # each kept entry is x / (1 - p); the mean's std is x sqrt(p / ((1 - p) n))
    assert set(np.unique(y)) <= {0.0, 1.7 / (1 - p)}
    assert abs(y.mean() - 1.7) < 5 * 1.7 * np.sqrt(p / ((1 - p) * n))


def test_zero_probability_drops_nothing():
    x = np.random.default_rng(0).normal(size=(N, T, H))
    y, _ = dropout_forward(x, 0.0, train=True, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(y, x)


def test_a_per_sequence_mask_is_constant_over_time():
    rng = np.random.default_rng(3)
    mask = dropout_mask((N, 1, H), 0.5, rng=rng)
    y, _ = dropout_forward(np.ones((N, 7, H)), 0.5, train=True, mask=mask)
    assert np.all(y == y[:, :1]) and np.any(y == 0) and np.any(y == 2)


def test_dropout_gradient_with_a_fixed_mask():
    rng = np.random.default_rng(4)
    mask = dropout_mask((N, T, H), 0.4, rng=rng)
    w = rng.normal(size=(N, T, H))

    def loss_fn(p):
        y, cache = dropout_forward(p["x"], 0.4, train=True, mask=mask)
        return float(np.sum(w * np.tanh(y))), {
            "x": dropout_backward(w * (1 - np.tanh(y) ** 2), cache)
        }

    errors = grad_check(loss_fn, {"x": rng.normal(size=(N, T, H))})
    assert errors["x"] < 1e-8


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_variational_recurrent_layer_gradients(cell):
    rng = np.random.default_rng(5)
    params = init_layer(cell, D, H, rng=rng)
    mask = dropout_mask((N, H), 0.4, rng=rng)
    n_state = 2 if cell == "lstm" else 1
    w_hs = rng.normal(size=(N, T, H))
    w_state = tuple(rng.normal(size=(N, H)) for _ in range(n_state))
    p = dict(params, x=rng.normal(size=(N, T, D)))
    for j in range(n_state):
        p[f"s{j}"] = rng.normal(size=(N, H)) * 0.5

    def loss_fn(p):
        weights = {k: v for k, v in p.items() if k in params}
        state0 = tuple(p[f"s{j}"] for j in range(n_state))
        hs, state, cache = variational_layer_forward(cell, p["x"], weights, state0, mask=mask)
        loss = np.sum(w_hs * hs) + sum(np.sum(w * s) for w, s in zip(w_state, state, strict=True))
        dx, dstate0, grads = variational_layer_backward(w_hs, cache, w_state)
        return float(loss), {**grads, "x": dx, **{f"s{j}": d for j, d in enumerate(dstate0)}}

    errors = grad_check(loss_fn, p)
    assert max(errors.values()) < 1e-7, errors


def test_an_all_ones_recurrent_mask_is_the_plain_layer():
    rng = np.random.default_rng(6)
    params = init_layer("lstm", D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, (h, c), _ = variational_layer_forward("lstm", x, params, mask=np.ones((N, H)))
    expected, (h_e, c_e), _ = layer_forward("lstm", x, params)
    np.testing.assert_allclose(hs, expected, rtol=1e-13)
    np.testing.assert_allclose(c, c_e, rtol=1e-13)


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    x = np.ones((N, T, H))
    with pytest.raises(ValueError, match=r"p must be a finite real number in \[0, 1\), got -0.1"):
        dropout_forward(x, -0.1, train=True, rng=rng)
    with pytest.raises(ValueError, match="train must be True or False, got 'yes'"):
        dropout_forward(x, 0.5, train="yes", rng=rng)
    with pytest.raises(ValueError, match="mask is used in training mode only"):
        dropout_forward(x, 0.5, train=False, mask=np.ones_like(x))
    with pytest.raises(
        ValueError, match=r"mask has shape \(2, 4, 3\) but x has shape \(2, 4, 5\)"
    ):
        dropout_forward(x, 0.5, train=True, mask=np.ones((N, T, 3)))
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        dropout_forward(x, 0.5, train=True)
    with pytest.raises(ValueError, match="cache must be the DropoutCache of dropout_forward"):
        dropout_backward(x, None)
    params = init_layer("rnn", D, H, rng=rng)
    with pytest.raises(
        ValueError, match=r"mask has shape \(3, 5\) but must be \(N, H\) = \(2, 5\)"
    ):
        variational_layer_forward("rnn", np.ones((N, T, D)), params, mask=np.ones((3, H)))
    with pytest.raises(ValueError, match="the gru's h_{t-1} also enters its interpolation"):
        variational_layer_forward(
            "gru", np.ones((N, T, D)), init_layer("gru", D, H, rng=rng), mask=np.ones((N, H))
        )
    hs, _, cache = variational_layer_forward(
        "rnn", np.ones((N, T, D)), params, mask=np.ones((N, H))
    )
    with pytest.raises(ValueError, match=r"dhs has shape \(2, 3, 5\) but the layer's outputs"):
        variational_layer_backward(hs[:, :3], cache)
