"""Full and truncated BPTT, and the ReLU variant of the RNN step.

Full BPTT is checked against centred finite differences. Truncated BPTT is
checked against what it claims to compute: the finite-difference gradient of
the sum of chunk losses with every chunk's initial state frozen at the value
the forward pass gave it.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    dense_backward,
    dense_forward,
    grad_check,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
    sequence_loss_and_grads,
    softmax_cross_entropy,
    truncated_bptt_chunks,
    truncated_bptt_grads,
)

TOL = 1e-7
WRONG = 1e-3
# The loss sums N * T cross-entropies (|L| about 30) while small gradient entries
# are about 1e-3: at eps = 1e-6 the rounding error |L| 2^-52 / eps would be 7e-9,
# too close to TOL relative to them; eps = 1e-5 keeps it and the truncation
# error eps^2 |L'''| both near 1e-10 (as in test_gradients.py).
SEQ_EPS = 1e-5
MODEL_KEYS = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
N, T, D, H, V = 2, 7, 3, 4, 5


@pytest.fixture
def problem(rng):
    params = {
        "W_xh": rng.normal(scale=0.8, size=(D, H)),
        "W_hh": rng.normal(scale=0.8, size=(H, H)),
        "b_h": rng.normal(scale=0.5, size=H),
        "W_hy": rng.normal(size=(H, V)),
        "b_y": rng.normal(size=V),
    }
    x = rng.normal(size=(N, T, D))
    targets = rng.integers(0, V, size=(N, T))
    h0 = rng.normal(scale=0.5, size=(N, H))
    return x, targets, h0, params


def full_bptt(x, targets, h0, params):
    """Full BPTT composed here from the layer functions, the definition of the gradient."""
    hs, rnn_cache = rnn_forward(x, h0, {k: params[k] for k in ("W_xh", "W_hh", "b_h")})
    logits, dense_cache = dense_forward(hs, {k: params[k] for k in ("W_hy", "b_y")})
    loss, dlogits = softmax_cross_entropy(logits, targets)
    dhs, dense_grads = dense_backward(dlogits, dense_cache)
    _, dh0, rnn_grads = rnn_backward(dhs, rnn_cache)
    return loss, {**rnn_grads, **dense_grads}, hs, dh0


# --------------------------------------------------------------------------- chunks


@pytest.mark.parametrize(
    "T_, L, expected",
    [
        (10, 4, [(0, 4), (4, 8), (8, 10)]),
        (8, 4, [(0, 4), (4, 8)]),
        (3, 25, [(0, 3)]),
        (1, 1, [(0, 1)]),
    ],
)
def test_chunks_hand_values(T_, L, expected):
    assert list(truncated_bptt_chunks(T_, L)) == expected


@pytest.mark.parametrize("T_, L", [(0, 5), (5, 0), (5, -2), (5, 2.5)])
def test_bad_chunk_arguments_fail_at_the_call(T_, L):
    # Not only when the first chunk is asked for: a generator would defer the error.
    with pytest.raises(ValueError, match=r"T|seq_length"):
        truncated_bptt_chunks(T_, L)


# --------------------------------------------------------------------------- full BPTT


def test_sequence_loss_and_grads_is_full_bptt(problem):
    x, targets, h0, params = problem
    loss, grads, h_last, dh0 = sequence_loss_and_grads(x, targets, h0, params)
    ref_loss, ref_grads, hs, ref_dh0 = full_bptt(x, targets, h0, params)
    assert loss == ref_loss
    assert np.array_equal(h_last, hs[:, -1]) and np.array_equal(dh0, ref_dh0)
    assert set(grads) == set(MODEL_KEYS)
    for key in MODEL_KEYS:
        assert np.array_equal(grads[key], ref_grads[key]), key


def test_sequence_loss_with_zero_output_weights_is_T_N_log_V(problem):
    # Every step predicts the uniform distribution: L = N T log V, derived by hand.
    x, targets, h0, params = problem
    params = dict(params, W_hy=np.zeros((H, V)), b_y=np.zeros(V))
    loss, *_ = sequence_loss_and_grads(x, targets, h0, params)
    assert math.isclose(loss, N * T * math.log(V), rel_tol=1e-14)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_sequence_loss_and_grads_gradient_check(problem, activation):
    x, targets, h0, params = problem
    if activation == "relu":
        _assert_away_from_the_kink(x, h0, params)

    def loss_fn(p):
        loss, grads, _, dh0 = sequence_loss_and_grads(
            x, targets, p["h0"], {k: p[k] for k in MODEL_KEYS}, activation=activation
        )
        return loss, {**grads, "h0": dh0}

    errors = grad_check(loss_fn, {**params, "h0": h0}, eps=SEQ_EPS)
    assert set(errors) == {*MODEL_KEYS, "h0"}
    assert max(errors.values()) < TOL, errors


def _relu_preactivations(x, h0, params):
    """a_t = x_t W_xh + h_{t-1} W_hh + b_h with h_t = max(a_t, 0), written out here."""
    h, pre = h0, []
    for t in range(x.shape[1]):
        a = x[:, t] @ params["W_xh"] + h @ params["W_hh"] + params["b_h"]
        pre.append(a)
        h = np.maximum(a, 0)
    return np.stack(pre, axis=1)


def _assert_away_from_the_kink(x, h0, params):
    # A finite difference straddling a = 0 would measure half of each slope, so the
    # check is only meaningful when no pre-activation moves across 0 when one entry is
    # moved by SEQ_EPS: that moves a pre-activation by about SEQ_EPS times an input or
    # state entry (all below 5 here), so a margin of 1e-4 is enough. The check also
    # only exercises the mask if some units are off and some on.
    a = _relu_preactivations(x, h0, params)
    assert np.max(np.abs(x)) < 5 and np.max(np.abs(np.maximum(a, 0))) < 5
    assert np.min(np.abs(a)) > 1e-4
    assert np.any(a < 0) and np.any(a > 0)


# --------------------------------------------------------------------------- ReLU step


def test_relu_forward_against_a_loop(problem):
    x, _, h0, params = problem
    rnn_params = {k: params[k] for k in ("W_xh", "W_hh", "b_h")}
    hs, _ = rnn_forward(x, h0, rnn_params, activation="relu")
    assert np.allclose(hs, np.maximum(_relu_preactivations(x, h0, params), 0), rtol=0, atol=1e-14)


def test_relu_step_backward_hand_formula_one_unit():
    # N = D = H = 1, h = max(a, 0) with a = x w + h_prev u + b; dL/da = g where a > 0, else 0.
    params = {"W_xh": np.array([[0.9]]), "W_hh": np.array([[0.3]]), "b_h": np.array([0.1])}
    g = 2.0
    for x, expected_da in [(0.7, g), (-0.7, 0.0)]:
        a = x * 0.9 + (-0.4) * 0.3 + 0.1  # 0.63 - 0.12 + 0.1 = 0.61, or -0.65: unit off
        assert (a > 0) == (expected_da > 0)
        _, cache = rnn_step_forward(np.array([[x]]), np.array([[-0.4]]), params, activation="relu")
        dx, dh_prev, grads = rnn_step_backward(np.array([[g]]), cache)
        assert math.isclose(dx[0, 0], expected_da * 0.9, abs_tol=1e-15)
        assert math.isclose(dh_prev[0, 0], expected_da * 0.3, abs_tol=1e-15)
        assert math.isclose(grads["W_xh"][0, 0], x * expected_da, abs_tol=1e-15)
        assert math.isclose(grads["W_hh"][0, 0], -0.4 * expected_da, abs_tol=1e-15)
        assert math.isclose(grads["b_h"][0], expected_da, abs_tol=1e-15)


def test_relu_backward_with_the_tanh_derivative_is_caught(problem):
    # The cache records the activation; a backward pass that ignored it and used
    # 1 - h^2 must fail the gradient check (so the check above can fail).
    x, targets, h0, params = problem
    _assert_away_from_the_kink(x, h0, params)
    rnn_keys = ("W_xh", "W_hh", "b_h")

    def wrong(p):
        hs, cache = rnn_forward(x, h0, {k: p[k] for k in rnn_keys}, activation="relu")
        logits, dense_cache = dense_forward(hs, {k: p[k] for k in ("W_hy", "b_y")})
        loss, dlogits = softmax_cross_entropy(logits, targets)
        dhs, dense_grads = dense_backward(dlogits, dense_cache)
        _, _, rnn_grads = rnn_backward(dhs, cache._replace(activation="tanh"))
        return loss, {**rnn_grads, **dense_grads}

    errors = grad_check(wrong, dict(params), eps=SEQ_EPS)
    assert min(errors[k] for k in rnn_keys) > WRONG, errors


def test_explicit_tanh_is_the_default_bit_for_bit(problem):
    x, _, h0, params = problem
    rnn_params = {k: params[k] for k in ("W_xh", "W_hh", "b_h")}
    hs_default, cache_default = rnn_forward(x, h0, rnn_params)
    hs_tanh, cache_tanh = rnn_forward(x, h0, rnn_params, activation="tanh")
    assert np.array_equal(hs_default, hs_tanh)
    assert cache_default.activation == "tanh"
    assert all(step.activation == "tanh" for step in cache_default.steps)
    dhs = np.ones_like(hs_default)
    a, b = rnn_backward(dhs, cache_default), rnn_backward(dhs, cache_tanh)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])


@pytest.mark.parametrize("bad", ["sigmoid", "ReLU", None, np.tanh])
def test_unknown_activation_is_rejected(problem, bad):
    x, targets, h0, params = problem
    rnn_params = {k: params[k] for k in ("W_xh", "W_hh", "b_h")}
    match = message_with(arg("activation"), "tanh", "relu")
    with pytest.raises(ValueError, match=match):
        rnn_step_forward(x[:, 0], h0, rnn_params, activation=bad)
    with pytest.raises(ValueError, match=match):
        rnn_forward(x, h0, rnn_params, activation=bad)
    with pytest.raises(ValueError, match=match):
        sequence_loss_and_grads(x, targets, h0, params, activation=bad)


# --------------------------------------------------------------------------- truncated BPTT


@pytest.mark.parametrize("seq_length", [T, T + 10])
def test_one_chunk_is_full_bptt_exactly(problem, seq_length):
    x, targets, h0, params = problem
    loss, grads, h_last = truncated_bptt_grads(x, targets, h0, params, seq_length)
    ref_loss, ref_grads, hs, _ = full_bptt(x, targets, h0, params)
    assert loss == ref_loss
    assert np.array_equal(h_last, hs[:, -1])
    for key in MODEL_KEYS:
        assert np.array_equal(grads[key], ref_grads[key]), key


@pytest.mark.parametrize("seq_length", [1, 2, 3])
def test_chunks_start_from_the_previous_chunks_last_state(problem, seq_length):
    x, targets, h0, params = problem
    _, _, hs, _ = full_bptt(x, targets, h0, params)  # the untruncated forward pass
    # Each chunk recomputed on its own, from the state the whole-sequence forward pass
    # reached just before it: the sum must be what truncated_bptt_grads returns.
    expected_loss, expected = 0.0, {k: np.zeros_like(params[k]) for k in MODEL_KEYS}
    for start in range(0, T, seq_length):
        stop = min(start + seq_length, T)
        h_start = h0 if start == 0 else hs[:, start - 1]
        loss, grads, h_last, _ = sequence_loss_and_grads(
            x[:, start:stop], targets[:, start:stop], h_start, params
        )
        assert np.allclose(h_last, hs[:, stop - 1], rtol=0, atol=1e-12)
        expected_loss += loss
        for key in MODEL_KEYS:
            expected[key] += grads[key]
    loss, grads, h_last = truncated_bptt_grads(x, targets, h0, params, seq_length)
    assert math.isclose(loss, expected_loss, rel_tol=1e-12)
    assert np.allclose(h_last, hs[:, -1], rtol=0, atol=1e-12)
    for key in MODEL_KEYS:
        assert np.allclose(grads[key], expected[key], rtol=1e-12, atol=1e-12), key


def test_truncated_loss_is_the_full_loss_but_the_recurrent_gradient_is_not(problem):
    x, targets, h0, params = problem
    loss, grads, _ = truncated_bptt_grads(x, targets, h0, params, 3)
    ref_loss, ref_grads, _, _ = full_bptt(x, targets, h0, params)
    assert math.isclose(loss, ref_loss, rel_tol=1e-12)  # the forward pass is not truncated
    # The output layer never sees the carried gradient: same gradient either way.
    for key in ("W_hy", "b_y"):
        assert np.allclose(grads[key], ref_grads[key], rtol=1e-12, atol=1e-12), key
    # The recurrent weights lose every path longer than a chunk.
    for key in ("W_xh", "W_hh", "b_h"):
        assert not np.allclose(grads[key], ref_grads[key], rtol=1e-3, atol=1e-6), key


def test_truncated_gradient_is_the_gradient_with_chunk_starts_held_constant(problem):
    # What truncated BPTT computes, checked by finite differences: the gradient of
    # sum_c L_c(theta; h_start(c)) with each h_start(c) frozen at its forward value.
    x, targets, h0, params = problem
    seq_length = 3
    _, _, hs, _ = full_bptt(x, targets, h0, params)
    starts = {s: (h0 if s == 0 else hs[:, s - 1].copy()) for s in range(0, T, seq_length)}

    def frozen_loss_fn(p):
        total = 0.0
        for s, h_start in starts.items():
            e = min(s + seq_length, T)
            total += sequence_loss_and_grads(x[:, s:e], targets[:, s:e], h_start, p)[0]
        return total, truncated_bptt_grads(x, targets, h0, p, seq_length)[1]

    errors = grad_check(frozen_loss_fn, dict(params), eps=SEQ_EPS)
    assert max(errors.values()) < TOL, errors


# --------------------------------------------------------------------------- bad input


def test_targets_of_the_wrong_shape_name_both_shapes(problem):
    x, targets, h0, params = problem
    with pytest.raises(ValueError, match=message_with(arg("targets"), "(2, 6)", "(2, 7, 3)")):
        sequence_loss_and_grads(x, targets[:, :6], h0, params)
    with pytest.raises(ValueError, match=message_with(arg("targets"), "integer")):
        truncated_bptt_grads(x, targets.astype(float), h0, params, 3)


def test_output_layer_of_the_wrong_size_is_named(problem):
    x, targets, h0, params = problem
    bad = dict(params, W_hy=np.zeros((H + 1, V)))
    with pytest.raises(ValueError, match=message_with('params["W_hy"]', f"H={H}")):
        sequence_loss_and_grads(x, targets, h0, bad)
    missing = {k: v for k, v in params.items() if k != "b_y"}
    with pytest.raises(ValueError, match=message_with("'b_y'")):
        truncated_bptt_grads(x, targets, h0, missing, 3)
