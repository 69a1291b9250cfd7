"""Gradient checks: every backward pass against centred finite differences, in float64.

Inputs and initial states are put in the params dict handed to the checker,
so dx, dh_prev and dh0 are checked as well as the weights. The checker itself
is checked twice: against a centred-difference loop written here, and by
negative tests in which a deliberately wrong gradient must be caught.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_tutorial import (
    dense_backward,
    dense_forward,
    grad_check,
    numerical_gradient,
    relative_error,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    softmax_cross_entropy,
)

TOL = 1e-7  # float64, centred difference: a right gradient is far below this
WRONG = 1e-3  # a wrong one is far above
# The sequence loss sums T * N cross-entropies (|L| about 19) while its smallest
# gradient entries are about 4e-3. The centred difference's rounding error,
# |L| * 2**-52 / eps, is 2e-9 at eps = 1e-6: 2.6e-7 relative to such an entry,
# above TOL for a right gradient. eps = 1e-5 balances it against the truncation
# error eps**2 |L'''| and keeps both near 1e-10.
SEQ_EPS = 1e-5
RNN_KEYS = ("W_xh", "W_hh", "b_h")
DENSE_KEYS = ("W_hy", "b_y")


def _pick(p, keys):
    return {k: p[k] for k in keys}


# --------------------------------------------------------------------------- our own checker


def centred_difference(f, theta, eps=1e-6):
    """dF/dtheta by (F(theta + eps e_i) - F(theta - eps e_i)) / (2 eps), written out here."""
    grad = np.zeros_like(theta)
    flat, out = theta.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        keep = flat[i]
        flat[i] = keep + eps
        plus = f()
        flat[i] = keep - eps
        minus = f()
        flat[i] = keep
        out[i] = (plus - minus) / (2 * eps)
    return grad


def test_relative_error_hand_values():
    # |1 - 1.01| / (1 + 1.01) = 0.01 / 2.01; identical arrays give 0; both zero gives 0.
    assert math.isclose(relative_error(np.array([1.0]), np.array([1.01])), 0.01 / 2.01)
    assert relative_error(np.array([3.0, -2.0]), np.array([3.0, -2.0])) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    # Norms over the whole array: |(0, 1)| / (|(1, 2)| + |(1, 3)|) = 1 / (sqrt 5 + sqrt 10).
    expected = 1 / (math.sqrt(5) + math.sqrt(10))
    assert math.isclose(relative_error(np.array([1.0, 2.0]), np.array([1.0, 3.0])), expected)


def test_numerical_gradient_of_a_cubic_matches_the_derivative(rng):
    # d/dw sum(w^3) = 3 w^2, derived by hand.
    w = rng.normal(size=(3, 4))

    def loss_fn(p):
        return float(np.sum(p["w"] ** 3)), {"w": 3 * p["w"] ** 2}

    numeric = numerical_gradient(loss_fn, {"w": w}, "w")
    # Error bound: truncation eps^2 |f'''| / 6 = 1e-12, rounding |L| 2^-52 / eps ~ 1e-9.
    assert np.allclose(numeric, 3 * w**2, rtol=1e-7, atol=1e-8)
    assert not np.allclose(numeric, 3.001 * w**2, rtol=1e-7, atol=1e-8)


def test_numerical_gradient_restores_params(rng):
    w = rng.normal(size=5)
    before = w.copy()
    numerical_gradient(lambda p: (float(np.sum(np.sin(p["w"]))), {}), {"w": w}, "w")
    assert np.array_equal(w, before)


def test_the_package_checker_agrees_with_a_hand_written_loop_on_rnn_step(rng):
    N, D, H = 3, 4, 5
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    params = {
        "W_xh": rng.normal(scale=0.5, size=(D, H)),
        "W_hh": rng.normal(scale=0.5, size=(H, H)),
        "b_h": rng.normal(size=H),
    }
    G = rng.normal(size=(N, H))  # L = sum(h * G), so dL/dh = G

    def loss():
        h, _ = rnn_step_forward(x, h_prev, params)
        return float(np.sum(h * G))

    h, cache = rnn_step_forward(x, h_prev, params)
    dx, dh_prev, grads = rnn_step_backward(G, cache)
    for name, theta, analytic in [
        ("x", x, dx),
        ("h_prev", h_prev, dh_prev),
        *[(k, params[k], grads[k]) for k in RNN_KEYS],
    ]:
        numeric = centred_difference(loss, theta)
        err = np.max(
            np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
        )
        assert err < TOL, (name, err)
        # and the package's numerical gradient is the same estimate
        box = {"x": x, "h_prev": h_prev, **params}

        def loss_fn(p):
            return loss(), {}

        assert np.allclose(numerical_gradient(loss_fn, box, name), numeric, rtol=0, atol=1e-9)


# --------------------------------------------------------------------------- rnn_step_backward


def _step_loss_fn(G):
    """L = sum(h * G) with x and h_prev inside the params dict."""

    def loss_fn(p):
        h, cache = rnn_step_forward(p["x"], p["h_prev"], _pick(p, RNN_KEYS))
        dx, dh_prev, grads = rnn_step_backward(G, cache)
        return float(np.sum(h * G)), {"x": dx, "h_prev": dh_prev, **grads}

    return loss_fn


@pytest.fixture
def step_problem(rng):
    N, D, H = 3, 4, 5
    p = {
        "x": rng.normal(size=(N, D)),
        "h_prev": rng.normal(size=(N, H)),
        "W_xh": rng.normal(scale=0.5, size=(D, H)),
        "W_hh": rng.normal(scale=0.5, size=(H, H)),
        "b_h": rng.normal(scale=0.5, size=H),
    }
    return p, rng.normal(size=(N, H))


def test_rnn_step_backward(step_problem):
    p, G = step_problem
    errors = grad_check(_step_loss_fn(G), p)
    assert set(errors) == {"x", "h_prev", "W_xh", "W_hh", "b_h"}
    assert max(errors.values()) < TOL, errors


def test_rnn_step_backward_gradient_shapes(step_problem):
    p, G = step_problem
    _, grads = _step_loss_fn(G)(p)
    for key, value in grads.items():
        assert value.shape == p[key].shape, key


# --------------------------------------------------------------------------- rnn_backward (BPTT)


def _sequence_loss_fn(targets, reduction="sum"):
    """L = sum over every step of softmax_cross_entropy(dense_forward(hs)).

    The loss reads every h_t, so the gradient reaching h_t is the output's plus
    the one carried back from t+1: a backward pass that dropped the carry fails.
    """

    def loss_fn(p):
        hs, rnn_cache = rnn_forward(p["x"], p["h0"], _pick(p, RNN_KEYS))
        logits, dense_cache = dense_forward(hs, _pick(p, DENSE_KEYS))
        loss, dlogits = softmax_cross_entropy(logits, targets, reduction=reduction)
        dhs, dense_grads = dense_backward(dlogits, dense_cache)
        dx, dh0, rnn_grads = rnn_backward(dhs, rnn_cache)
        return loss, {"x": dx, "h0": dh0, **rnn_grads, **dense_grads}

    return loss_fn


@pytest.fixture
def sequence_problem(rng):
    N, T, D, H, V = 2, 5, 3, 4, 3
    p = {
        "x": rng.normal(size=(N, T, D)),
        "h0": rng.normal(scale=0.5, size=(N, H)),
        "W_xh": rng.normal(scale=0.8, size=(D, H)),
        "W_hh": rng.normal(scale=0.8, size=(H, H)),
        "b_h": rng.normal(scale=0.5, size=H),
        "W_hy": rng.normal(size=(H, V)),
        "b_y": rng.normal(size=V),
    }
    return p, rng.integers(0, V, size=(N, T))


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_rnn_backward_through_a_loss_over_all_steps(sequence_problem, reduction):
    p, targets = sequence_problem
    errors = grad_check(_sequence_loss_fn(targets, reduction), p, eps=SEQ_EPS)
    assert set(errors) == {"x", "h0", "W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert max(errors.values()) < TOL, errors


def test_rnn_backward_loss_at_the_last_step_only_reaches_the_first_input(rng):
    # Only h_T is scored, so every other step's gradient comes through the carry.
    N, T, D, H = 2, 4, 3, 5
    p = {
        "x": rng.normal(size=(N, T, D)),
        "h0": rng.normal(size=(N, H)),
        "W_xh": rng.normal(scale=0.7, size=(D, H)),
        "W_hh": rng.normal(scale=0.7, size=(H, H)),
        "b_h": rng.normal(scale=0.3, size=H),
    }
    G = rng.normal(size=(N, H))

    def loss_fn(q):
        hs, cache = rnn_forward(q["x"], q["h0"], _pick(q, RNN_KEYS))
        dhs = np.zeros_like(hs)
        dhs[:, -1] = G
        dx, dh0, grads = rnn_backward(dhs, cache)
        return float(np.sum(hs[:, -1] * G)), {"x": dx, "h0": dh0, **grads}

    errors = grad_check(loss_fn, p)
    assert max(errors.values()) < TOL, errors
    _, grads = loss_fn(p)
    assert np.all(np.abs(grads["x"][:, 0]) > 0)


# --------------------------------------------------------------------------- dense, loss


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
def test_dense_backward(rng, shape):
    V = 3
    p = {
        "h": rng.normal(size=shape),
        "W_hy": rng.normal(size=(shape[-1], V)),
        "b_y": rng.normal(size=V),
    }
    G = rng.normal(size=(*shape[:-1], V))

    def loss_fn(q):
        y, cache = dense_forward(q["h"], _pick(q, DENSE_KEYS))
        dh, grads = dense_backward(G, cache)
        return float(np.sum(y * G)), {"h": dh, **grads}

    errors = grad_check(loss_fn, p)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("reduction", ["sum", "mean"])
@pytest.mark.parametrize("shape", [(5, 4), (2, 3, 4)])
def test_softmax_cross_entropy_dlogits(rng, shape, reduction):
    targets = rng.integers(0, shape[-1], size=shape[:-1])

    def loss_fn(q):
        loss, dz = softmax_cross_entropy(q["z"], targets, reduction=reduction)
        return loss, {"z": dz}

    errors = grad_check(loss_fn, {"z": rng.normal(scale=2, size=shape)})
    assert errors["z"] < TOL, errors


def test_grad_check_with_sampled_entries(sequence_problem, rng):
    p, targets = sequence_problem
    errors = grad_check(_sequence_loss_fn(targets), p, num_checks=3, rng=rng, eps=SEQ_EPS)
    assert max(errors.values()) < TOL, errors


# --------------------------------------------------------------------------- the checker can fail


def test_grad_check_catches_gradients_scaled_by_1_01(sequence_problem):
    p, targets = sequence_problem
    right = _sequence_loss_fn(targets)

    def scaled(q):
        loss, grads = right(q)
        return loss, {k: 1.01 * g for k, g in grads.items()}

    errors = grad_check(scaled, p, eps=SEQ_EPS)
    # |1.01 g - g| / (2.01 |g|) = 0.01 / 2.01, about 5e-3, in every key.
    assert min(errors.values()) > WRONG, errors


def test_grad_check_catches_dW_hh_computed_with_h_t_instead_of_h_prev(step_problem):
    p, G = step_problem

    def wrong(q):
        h, cache = rnn_step_forward(q["x"], q["h_prev"], _pick(q, RNN_KEYS))
        dx, dh_prev, grads = rnn_step_backward(G, cache)
        da = G * (1 - cache.h**2)
        grads = dict(grads, W_hh=cache.h.T @ da)  # the classic slip: h_t for h_{t-1}
        return float(np.sum(h * G)), {"x": dx, "h_prev": dh_prev, **grads}

    errors = grad_check(wrong, p)
    assert errors["W_hh"] > WRONG, errors
    assert max(errors[k] for k in ("x", "h_prev", "W_xh", "b_h")) < TOL, errors


def test_grad_check_catches_bptt_that_drops_the_carried_gradient(sequence_problem):
    p, targets = sequence_problem

    def truncated(q):
        hs, rnn_cache = rnn_forward(q["x"], q["h0"], _pick(q, RNN_KEYS))
        logits, dense_cache = dense_forward(hs, _pick(q, DENSE_KEYS))
        loss, dlogits = softmax_cross_entropy(logits, targets)
        dhs, dense_grads = dense_backward(dlogits, dense_cache)
        grads = {k: np.zeros_like(q[k]) for k in RNN_KEYS}
        dx = np.zeros_like(q["x"])
        for t, step in enumerate(rnn_cache.steps):
            dx[:, t], dh_prev, g = rnn_step_backward(dhs[:, t], step)  # no dh_next added
            for k in RNN_KEYS:
                grads[k] += g[k]
            if t == 0:
                dh0 = dh_prev
        return loss, {"x": dx, "h0": dh0, **grads, **dense_grads}

    errors = grad_check(truncated, p, eps=SEQ_EPS)
    for key in ("x", "W_xh", "W_hh", "b_h"):
        assert errors[key] > WRONG, errors
    # The output layer's gradients do not involve the carry and stay right.
    assert max(errors["W_hy"], errors["b_y"]) < TOL, errors


def test_grad_check_refuses_float32():
    def loss_fn(p):
        return float(np.sum(p["w"] ** 2)), {"w": 2 * p["w"]}

    with pytest.raises(ValueError, match=r"(?s)(?=.*float64)(?=.*float32)(?=.*w)"):
        grad_check(loss_fn, {"w": np.ones(3, dtype=np.float32)})


def test_grad_check_refuses_a_missing_or_misshapen_gradient():
    with pytest.raises(ValueError, match=r"(?s)(?=.*'v')"):
        grad_check(lambda p: (0.0, {"w": np.zeros(2)}), {"w": np.ones(2), "v": np.ones(2)})
    with pytest.raises(ValueError, match=r"(?s)(?=.*\(3,\))(?=.*\(2,\))"):
        grad_check(lambda p: (0.0, {"w": np.zeros(3)}), {"w": np.ones(2)})
