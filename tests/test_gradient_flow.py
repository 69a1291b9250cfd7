"""Vanishing and exploding gradients, measured, against Jacobian products multiplied out here.

The reference is the chain rule written as matrices: for one row of the batch,
dL/dh_{k-1} = dL/dh_k J_k with J_k = diag(1 - h_k^2) W_hh^T, the states h_k
computed by a forward loop in this file, and the product formed explicitly.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    hidden_gradient_norms,
    jacobian_product_bound,
    scaled_recurrent_weights,
)

D, H = 3, 8


def _forward_states(x, h0, params, activation="tanh"):
    """h_1 .. h_T by the recurrence, written out here: (N, T, H)."""
    f = np.tanh if activation == "tanh" else (lambda a: np.maximum(a, 0))
    h, states = h0, []
    for t in range(x.shape[1]):
        h = f(x[:, t] @ params["W_xh"] + h @ params["W_hh"] + params["b_h"])
        states.append(h)
    return np.stack(states, axis=1)


def _jacobian_product_norms(x, h0, params, u, activation="tanh"):
    """||u J_t J_{t-1} ... J_{t-j+1}|| for j = 0..t, each row's matrices multiplied out."""
    hs = _forward_states(x, h0, params, activation)
    N, T, _ = hs.shape
    norms = np.zeros(T + 1)
    for n in range(N):
        product = np.eye(H)
        row_norms = [np.linalg.norm(u[n])]
        for k in reversed(range(T)):
            h = hs[n, k]
            slope = 1 - h**2 if activation == "tanh" else (h > 0).astype(float)
            J = np.diag(slope) @ params["W_hh"].T  # dh_{k-1} = dh_k J
            product = product @ J
            row_norms.append(np.linalg.norm(u[n] @ product))
        norms += np.array(row_norms) ** 2
    return np.sqrt(norms)  # Frobenius over the batch


def _params(rng, W_hh, input_scale=1.0):
    return {
        "W_xh": rng.normal(scale=input_scale, size=(D, H)),
        "W_hh": W_hh,
        "b_h": rng.normal(scale=input_scale, size=H) * 0.1,
    }


# ------------------------------------------------------------------------- the chain rule


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_norms_equal_the_explicit_jacobian_product(rng, activation):
    # A nonlinear regime (inputs of size 1, gaussian W_hh of spectral radius 1.2), so
    # the diag(f'(a)) factors differ from 1 and matter.
    W_hh = scaled_recurrent_weights(H, 1.2, rng=rng)
    params = _params(rng, W_hh)
    N, T = 2, 6
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(scale=0.5, size=(N, H))
    if activation == "relu":
        h0 = np.abs(h0)
    u = rng.normal(size=(N, H))
    u /= np.linalg.norm(u)
    norms = hidden_gradient_norms(params, x, h0, direction=u, activation=activation)
    expected = _jacobian_product_norms(x, h0, params, u, activation)
    assert norms.shape == (T + 1,)
    assert norms[0] == pytest.approx(1.0, rel=1e-14)
    assert np.allclose(norms, expected, rtol=1e-12, atol=0)
    hs = _forward_states(x, h0, params, activation)
    if activation == "tanh":
        assert np.min(1 - hs**2) < 0.5  # the slopes are far from 1: the regime is nonlinear
    else:
        assert np.any(hs == 0) and np.any(hs > 0)  # some units off, some on


def test_direction_is_normalised_and_defaults_to_ones(rng):
    params = _params(rng, scaled_recurrent_weights(H, 0.9, rng=rng))
    x, h0 = rng.normal(size=(2, 5, D)), np.zeros((2, H))
    default = hidden_gradient_norms(params, x, h0)
    ones = hidden_gradient_norms(params, x, h0, direction=7 * np.ones(H))
    assert np.array_equal(default, ones)
    assert np.allclose(default, _jacobian_product_norms(x, h0, params, np.ones((2, H)) / 4))


def test_t_measures_from_an_earlier_step(rng):
    params = _params(rng, scaled_recurrent_weights(H, 0.9, rng=rng))
    x, h0 = rng.normal(size=(1, 6, D)), np.zeros((1, H))
    early = hidden_gradient_norms(params, x, h0, t=3)
    assert early.shape == (4,)
    assert np.array_equal(early, hidden_gradient_norms(params, x[:, :3], h0))


# ------------------------------------------------------------------ vanishing and exploding


@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_norms_shrink_for_small_and_grow_for_large_recurrent_weights(rng, scale):
    # The regime: orthogonal W_hh times `scale`, so every singular value is `scale` and
    # the product of T maps multiplies any vector's norm by scale^T times the tanh
    # slopes. Inputs are tiny (1e-4) and h0 = 0, so every state stays small: for
    # scale 3 the state grows like 3^t * 1e-4 (under 0.1 after 6 steps), tanh' =
    # 1 - h^2 stays above 0.99 and does not hide the growth. With large inputs tanh
    # would saturate, its slope would go to 0 and the gradient would vanish even
    # for scale 3.
    T = 6
    W_hh = scaled_recurrent_weights(H, scale, rng=rng, kind="orthogonal")
    params = {"W_xh": rng.normal(scale=1e-4, size=(D, H)), "W_hh": W_hh, "b_h": np.zeros(H)}
    x, h0 = rng.normal(size=(1, T, D)), np.zeros((1, H))
    assert np.max(np.abs(_forward_states(x, h0, params))) < 0.1  # the regime holds
    norms = hidden_gradient_norms(params, x, h0)
    ratios = norms[1:] / norms[:-1]
    if scale < 1:
        assert np.all(ratios <= scale + 1e-12)  # each step back at most halves it
        assert norms[-1] < 0.5**T + 1e-12
    else:
        assert np.all(ratios > scale * 0.99)  # about 3 each step
        assert norms[-1] > (scale * 0.99) ** T
    # distance j costs scale^j up to the tanh slopes, which are 0.99 or more
    assert np.allclose(norms, scale ** np.arange(T + 1), rtol=0.05)


def test_saturated_tanh_vanishes_even_for_large_weights(rng):
    # The other side of the regime above: big inputs saturate tanh, 1 - h^2 ~ 0.
    W_hh = scaled_recurrent_weights(H, 3.0, rng=rng, kind="orthogonal")
    params = {"W_xh": rng.normal(scale=10, size=(D, H)), "W_hh": W_hh, "b_h": np.zeros(H)}
    x = rng.normal(size=(1, 6, D))
    norms = hidden_gradient_norms(params, x, np.zeros((1, H)))
    assert norms[-1] < 1e-2


# --------------------------------------------------------------------------- the bound


def test_bound_holds_and_is_at_most_the_weight_norm_power(rng):
    W_hh = scaled_recurrent_weights(H, 1.1, rng=rng)
    params = _params(rng, W_hh)
    x, h0 = rng.normal(size=(3, 8, D)), rng.normal(scale=0.3, size=(3, H))
    norms = hidden_gradient_norms(params, x, h0)
    bound = jacobian_product_bound(params, x, h0)
    assert bound[0] == 1.0
    assert np.all(norms <= bound * (1 + 1e-12))
    sigma = np.linalg.svd(W_hh, compute_uv=False)[0]  # |tanh'| <= 1
    assert np.all(bound <= sigma ** np.arange(9) * (1 + 1e-12))


def test_bound_is_tight_for_orthogonal_weights_in_the_linear_regime(rng):
    W_hh = scaled_recurrent_weights(H, 0.7, rng=rng, kind="orthogonal")
    params = {"W_xh": rng.normal(scale=1e-6, size=(D, H)), "W_hh": W_hh, "b_h": np.zeros(H)}
    x, h0 = rng.normal(size=(1, 5, D)), np.zeros((1, H))
    bound = jacobian_product_bound(params, x, h0)
    assert np.allclose(bound, 0.7 ** np.arange(6), rtol=1e-9)
    assert np.allclose(hidden_gradient_norms(params, x, h0), bound, rtol=1e-9)


# --------------------------------------------------------------------------- the weights


@pytest.mark.parametrize("scale", [0.5, 1.0, 3.0])
def test_scaled_weights(rng, scale):
    Q = scaled_recurrent_weights(H, scale, rng=rng, kind="orthogonal")
    assert np.allclose(Q @ Q.T, scale**2 * np.eye(H), rtol=0, atol=1e-12)
    G = scaled_recurrent_weights(H, scale, rng=rng, kind="gaussian")
    assert math.isclose(np.abs(np.linalg.eigvals(G)).max(), scale, rel_tol=1e-10)
    assert np.array_equal(scaled_recurrent_weights(H, scale, kind="identity"), scale * np.eye(H))


def test_scaled_weights_are_reproducible_and_typed():
    a = scaled_recurrent_weights(5, 2.0, rng=np.random.default_rng(3), kind="orthogonal")
    b = scaled_recurrent_weights(5, 2.0, rng=np.random.default_rng(3), kind="orthogonal")
    assert np.array_equal(a, b)
    W = scaled_recurrent_weights(5, 1.0, rng=np.random.default_rng(3), dtype=np.float32)
    assert W.dtype == np.float32


def test_scaled_weights_bad_input():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=message_with(arg("kind"), "'orthogonal'")):
        scaled_recurrent_weights(4, 1.0, rng=rng, kind="uniform")
    with pytest.raises(ValueError, match=message_with(arg("rng"))):
        scaled_recurrent_weights(4, 1.0, kind="orthogonal")
    with pytest.raises(ValueError, match=message_with(arg("scale"))):
        scaled_recurrent_weights(4, -1.0, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("H"))):
        scaled_recurrent_weights(0, 1.0, rng=rng)


def test_measurement_bad_input(rng):
    params = _params(rng, np.eye(H))
    x, h0 = rng.normal(size=(2, 4, D)), np.zeros((2, H))
    with pytest.raises(ValueError, match=message_with(arg("t"), "T=4")):
        hidden_gradient_norms(params, x, h0, t=5)
    with pytest.raises(ValueError, match=message_with(arg("t"))):
        jacobian_product_bound(params, x, h0, t=0)
    with pytest.raises(ValueError, match=message_with(arg("direction"), "(3,)", f"({H},)")):
        hidden_gradient_norms(params, x, h0, direction=np.ones(3))
    with pytest.raises(ValueError, match=message_with(arg("direction"), "zeros")):
        hidden_gradient_norms(params, x, h0, direction=np.zeros(H))
    with pytest.raises(ValueError, match=message_with(arg("x"), "D=3")):
        hidden_gradient_norms(params, x[..., :2], h0)
