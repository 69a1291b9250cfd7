"""The cell-agnostic layer interface: gradients of every cell through it, states, bad input.

Every gradient, the initial state's and the one arriving at the final state
included, is checked against centred finite differences in float64.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import grad_check
from rnn_tutorial.layers import init_layer, layer_backward, layer_forward, zero_state

N, T, D, H = 2, 4, 3, 5
TOL = 1e-7
CASES = [
    ("rnn", {}),
    ("rnn", {"activation": "relu"}),
    ("lstm", {}),
    ("gru", {}),
    ("gru", {"form": "textbook"}),
]


def _loss_fn(cell, options, rng):
    """A scalar loss of the outputs *and* the final state, so dstate is exercised."""
    n_state = 2 if cell == "lstm" else 1
    w_hs = rng.normal(size=(N, T, H))
    w_state = [rng.normal(size=(N, H)) for _ in range(n_state)]

    def loss_fn(p):
        weights = {k: v for k, v in p.items() if k not in ("x", "h0", "c0")}
        state0 = (p["h0"], p["c0"]) if cell == "lstm" else (p["h0"],)
        hs, state, cache = layer_forward(cell, p["x"], weights, state0, **options)
        loss = np.sum(w_hs * hs) + sum(np.sum(w * s) for w, s in zip(w_state, state, strict=True))
        dx, dstate0, grads = layer_backward(w_hs, cache, tuple(w_state))
        grads = {**grads, "x": dx, "h0": dstate0[0]}
        if cell == "lstm":
            grads["c0"] = dstate0[1]
        return float(loss), grads

    return loss_fn


@pytest.mark.parametrize(("cell", "options"), CASES)
def test_every_gradient_matches_finite_differences(cell, options):
    rng = np.random.default_rng(3)
    params = init_layer(cell, D, H, rng=rng)
    params["x"] = rng.normal(size=(N, T, D))
    params["h0"] = rng.normal(size=(N, H)) * 0.5
    if cell == "lstm":
        params["c0"] = rng.normal(size=(N, H)) * 0.5
    errors = grad_check(_loss_fn(cell, options, rng), params)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_final_state_is_the_last_step_and_zero_start_is_the_default(cell):
    rng = np.random.default_rng(0)
    params = init_layer(cell, D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, state, _ = layer_forward(cell, x, params)
    hs0, state0, _ = layer_forward(cell, x, params, zero_state(cell, N, H))
    np.testing.assert_array_equal(hs, hs0)
    np.testing.assert_array_equal(state[0], hs[:, -1])
    assert len(state) == (2 if cell == "lstm" else 1)
    # one step by hand from a zero state: h_1 = tanh(x_1 W_xh + b_h) for the RNN
    if cell == "rnn":
        expected = np.tanh(x[:, 0] @ params["W_xh"] + params["b_h"])
        np.testing.assert_allclose(hs[:, 0], expected, rtol=1e-12)


def test_unknown_cell_and_options_are_named():
    rng = np.random.default_rng(0)
    params = init_layer("gru", D, H, rng=rng)
    x = np.zeros((N, T, D))
    with pytest.raises(ValueError, match="cell must be one of 'rnn', 'lstm', 'gru', got 'elman'"):
        layer_forward("elman", x, params)
    with pytest.raises(ValueError, match="the gru cell takes form; got activation"):
        layer_forward("gru", x, params, activation="relu")
    with pytest.raises(ValueError, match="the lstm cell takes no options; got form"):
        layer_forward("lstm", x, init_layer("lstm", D, H, rng=rng), form="textbook")


def test_wrong_state_and_dstate_are_named():
    rng = np.random.default_rng(0)
    params = init_layer("lstm", D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    with pytest.raises(ValueError, match=r"state0 of the lstm cell must be a tuple \(h0, c0\)"):
        layer_forward("lstm", x, params, (np.zeros((N, H)),))
    with pytest.raises(ValueError, match="state0 of the lstm cell"):
        layer_forward("lstm", x, params, np.zeros((N, H)))
    hs, _, cache = layer_forward("lstm", x, params)
    with pytest.raises(
        ValueError, match=r"dstate\[0\] has shape \(2, 4\) but dhs\[:, -1\] has shape \(2, 5\)"
    ):
        layer_backward(hs, cache, (np.zeros((N, 4)), np.zeros((N, 4))))
    with pytest.raises(ValueError, match="cache must be the LayerCache"):
        layer_backward(hs, cache.cache)
    with pytest.raises(ValueError, match=r"x must be 3-D \(N, T, D\) but has shape \(4, 3\)"):
        layer_forward("lstm", x[0], params)
