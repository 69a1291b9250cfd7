"""The vanilla RNN layer: forward values, shapes, dtypes, parameters.

Gradients are checked in test_gradients.py, published examples in
test_worked_examples.py, bad input in test_validation.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_tutorial import (
    RNNCache,
    RNNStepCache,
    count_params,
    dense_backward,
    dense_forward,
    init_dense,
    init_rnn,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

N, T, D, H = 3, 5, 4, 6


@pytest.fixture
def params(rng):
    return {
        "W_xh": rng.normal(scale=0.5, size=(D, H)),
        "W_hh": rng.normal(scale=0.5, size=(H, H)),
        "b_h": rng.normal(scale=0.5, size=H),
    }


# --------------------------------------------------------------------------- forward values


def test_step_forward_against_scalar_loops(rng, params):
    # h[n, j] = tanh(sum_d x[n, d] W_xh[d, j] + sum_k h_prev[n, k] W_hh[k, j] + b_h[j])
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    h, _ = rnn_step_forward(x, h_prev, params)
    W_xh, W_hh, b_h = params["W_xh"], params["W_hh"], params["b_h"]
    for n in range(N):
        for j in range(H):
            a = sum(x[n, d] * W_xh[d, j] for d in range(D))
            a += sum(h_prev[n, k] * W_hh[k, j] for k in range(H))
            a += b_h[j]
            assert math.isclose(h[n, j], math.tanh(a), rel_tol=1e-13, abs_tol=1e-15)


def test_forward_equals_a_loop_of_steps(rng, params):
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, cache = rnn_forward(x, h0, params)
    assert hs.shape == (N, T, H)
    h = h0
    for t in range(T):
        h, _ = rnn_step_forward(x[:, t], h, params)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-15, err_msg=f"t={t}")
    assert isinstance(cache, RNNCache) and len(cache.steps) == T


def test_forward_states_feed_back(rng, params):
    # The state really is carried: a different h0 changes every later state.
    x = rng.normal(size=(N, T, D))
    hs_a, _ = rnn_forward(x, np.zeros((N, H)), params)
    hs_b, _ = rnn_forward(x, np.ones((N, H)), params)
    assert np.all(np.abs(hs_a - hs_b).max(axis=(0, 2)) > 0)


def test_batch_rows_are_independent(rng, params):
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, _ = rnn_forward(x, h0, params)
    for n in range(N):
        alone, _ = rnn_forward(x[n : n + 1], h0[n : n + 1], params)
        assert np.allclose(alone[0], hs[n], rtol=0, atol=1e-15)


def test_step_cache_is_a_named_tuple_holding_the_step(rng, params):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    h, cache = rnn_step_forward(x, h_prev, params)
    assert isinstance(cache, RNNStepCache)
    assert cache._fields == ("x", "h_prev", "h", "params", "activation")
    assert np.array_equal(cache.x, x) and np.array_equal(cache.h_prev, h_prev)
    assert cache.h is h


def test_forward_and_backward_do_not_modify_their_inputs(rng, params):
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    dhs = rng.normal(size=(N, T, H))
    copies = [a.copy() for a in (x, h0, dhs, *params.values())]
    hs, cache = rnn_forward(x, h0, params)
    rnn_backward(dhs, cache)
    for before, after in zip(copies, (x, h0, dhs, *params.values()), strict=True):
        assert np.array_equal(before, after)


def test_backward_shapes(rng, params):
    hs, cache = rnn_forward(rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), params)
    dx, dh0, grads = rnn_backward(rng.normal(size=hs.shape), cache)
    assert dx.shape == (N, T, D) and dh0.shape == (N, H)
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in params.items()}


def test_backward_with_one_step_equals_step_backward(rng, params):
    x, h0 = rng.normal(size=(N, 1, D)), rng.normal(size=(N, H))
    dh = rng.normal(size=(N, H))
    _, cache = rnn_forward(x, h0, params)
    dx, dh0, grads = rnn_backward(dh[:, None], cache)
    _, step_cache = rnn_step_forward(x[:, 0], h0, params)
    dx1, dh_prev1, grads1 = rnn_step_backward(dh, step_cache)
    assert np.allclose(dx[:, 0], dx1) and np.allclose(dh0, dh_prev1)
    for key in grads:
        assert np.allclose(grads[key], grads1[key]), key


def test_step_backward_hand_formula_one_unit():
    # N = D = H = 1: h = tanh(a), a = x w + h_prev u + b, dh = g.
    # dL/da = g (1 - h^2); dx = dL/da w; dh_prev = dL/da u; dw = x dL/da; du = h_prev dL/da.
    x, h_prev, w, u, b, g = 0.7, -0.4, 0.9, 0.3, 0.1, 2.0
    a = x * w + h_prev * u + b
    h = math.tanh(a)
    da = g * (1 - h * h)
    params = {"W_xh": np.array([[w]]), "W_hh": np.array([[u]]), "b_h": np.array([b])}
    _, cache = rnn_step_forward(np.array([[x]]), np.array([[h_prev]]), params)
    dx, dh_prev, grads = rnn_step_backward(np.array([[g]]), cache)
    assert math.isclose(dx[0, 0], da * w, rel_tol=1e-14)
    assert math.isclose(dh_prev[0, 0], da * u, rel_tol=1e-14)
    assert math.isclose(grads["W_xh"][0, 0], x * da, rel_tol=1e-14)
    assert math.isclose(grads["W_hh"][0, 0], h_prev * da, rel_tol=1e-14)
    assert math.isclose(grads["b_h"][0], da, rel_tol=1e-14)


# --------------------------------------------------------------------------- dtypes


def test_float32_in_float32_out(rng):
    p32 = init_rnn(D, H, rng=rng, dtype=np.float32)
    x = rng.normal(size=(N, T, D)).astype(np.float32)
    h0 = np.zeros((N, H), dtype=np.float32)
    h, step_cache = rnn_step_forward(x[:, 0], h0, p32)
    assert h.dtype == np.float32
    hs, cache = rnn_forward(x, h0, p32)
    assert hs.dtype == np.float32
    dx, dh0, grads = rnn_backward(np.ones_like(hs), cache)
    assert dx.dtype == np.float32 and dh0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())
    dx1, dh_prev1, grads1 = rnn_step_backward(np.ones_like(h), step_cache)
    assert dx1.dtype == dh_prev1.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads1.values())
    d32 = init_dense(H, 2, rng=rng, dtype=np.float32)
    y, dcache = dense_forward(hs, d32)
    assert y.dtype == np.float32
    dh, dgrads = dense_backward(np.ones_like(y), dcache)
    assert dh.dtype == np.float32 and all(g.dtype == np.float32 for g in dgrads.values())


def test_float32_forward_agrees_with_float64_to_float32_precision(rng):
    p64 = init_rnn(D, H, rng=rng)
    p32 = {k: v.astype(np.float32) for k, v in p64.items()}
    x = rng.normal(size=(N, T, D))
    hs64, _ = rnn_forward(x, np.zeros((N, H)), p64)
    hs32, _ = rnn_forward(x.astype(np.float32), np.zeros((N, H), np.float32), p32)
    assert np.allclose(hs32, hs64, rtol=0, atol=1e-5)
    assert not np.array_equal(hs32.astype(np.float64), hs64)


def test_integer_input_is_promoted_to_float64(params):
    hs, _ = rnn_forward(np.ones((N, T, D), dtype=int), np.zeros((N, H), dtype=int), params)
    assert hs.dtype == np.float64
    ref, _ = rnn_forward(np.ones((N, T, D)), np.zeros((N, H)), params)
    assert np.array_equal(hs, ref)


def test_integer_params_work_in_backward_as_in_forward():
    # Validation promotes integer arrays ("Integer and boolean input is promoted to
    # float64") and the forward pass accepts them. Backward must then accept them
    # too and give the gradients of the float64 promotion, not a numpy casting error
    # from `grads[key] += ...` on integer accumulators.
    p_int = {
        "W_xh": np.array([[1, 0]]),
        "W_hh": np.array([[1, 0], [0, 1]]),
        "b_h": np.array([0, 1]),
    }
    p_float = {k: v.astype(np.float64) for k, v in p_int.items()}
    x, h0 = np.full((1, 3, 1), 0.5), np.zeros((1, 2))
    hs_int, cache_int = rnn_forward(x, h0, p_int)
    hs_float, cache_float = rnn_forward(x, h0, p_float)
    assert np.array_equal(hs_int, hs_float)
    dx_i, dh0_i, g_i = rnn_backward(np.ones_like(hs_int), cache_int)
    dx_f, dh0_f, g_f = rnn_backward(np.ones_like(hs_float), cache_float)
    assert np.allclose(dx_i, dx_f) and np.allclose(dh0_i, dh0_f)
    for key in g_f:
        assert g_i[key].dtype.kind == "f" and np.allclose(g_i[key], g_f[key]), key


def test_params_as_nested_lists_work_or_give_a_clear_error():
    # Validation reads lists (as_float_array); if the layer then cannot use them it
    # must say so naming params, not fail inside numpy (np.result_type) or with
    # AttributeError ('list' object has no attribute 'T') in the backward pass.
    p = {"W_xh": [[0.5, 0.6]], "W_hh": [[0.1, 0.2], [0.3, 0.4]], "b_h": [0.1, -0.1]}
    x, h0 = np.array([[[1.0], [2.0]]]), np.zeros((1, 2))
    try:
        hs, cache = rnn_forward(x, h0, p)
        rnn_backward(np.ones_like(hs), cache)
        h, step_cache = rnn_step_forward(x[:, 0], h0, p)
        rnn_step_backward(np.ones_like(h), step_cache)
    except ValueError as error:
        assert "params" in str(error)


def test_zero_length_sequence_is_rejected_or_handled(rng, params):
    # T = 0: either rnn_forward refuses it with a ValueError, or the pair works and
    # the backward pass returns zero gradients (no step touched anything). An
    # IndexError from `cache.steps[0]` is neither.
    x = np.zeros((N, 0, D))
    try:
        hs, cache = rnn_forward(x, np.zeros((N, H)), params)
    except ValueError as error:
        assert "T" in str(error) or "x" in str(error)
        return
    assert hs.shape == (N, 0, H)
    dx, dh0, grads = rnn_backward(np.zeros((N, 0, H)), cache)
    assert dx.shape == (N, 0, D)
    assert np.array_equal(dh0, np.zeros((N, H)))
    assert all(not np.any(g) for g in grads.values())


# --------------------------------------------------------------------------- parameters


def test_init_rnn_shapes_dtype_and_bound(rng):
    D_, H_ = 7, 16
    p = init_rnn(D_, H_, rng=rng)
    assert {k: v.shape for k, v in p.items()} == {
        "W_xh": (D_, H_),
        "W_hh": (H_, H_),
        "b_h": (H_,),
    }
    assert all(v.dtype == np.float64 for v in p.values())
    values = np.concatenate([v.ravel() for v in p.values()])
    bound = 1 / math.sqrt(H_)  # 0.25, the torch.nn.RNN default; not 1/sqrt(D) = 0.378
    assert np.all(np.abs(values) <= bound)
    # 400 uniform draws on [-0.25, 0.25]: the largest magnitude is within 1% of the
    # bound with probability 1 - 0.99**400 > 0.98 (and is with this seed); a
    # narrower bound such as 1/H = 0.0625 would fail.
    assert np.abs(values).max() > 0.99 * bound
    assert values.min() < 0 < values.max()
    assert np.all(np.abs(p["b_h"]) > 0)  # the bias is drawn too, not zero


def test_init_rnn_float32_and_reproducible():
    a = init_rnn(3, 4, rng=np.random.default_rng(5), dtype=np.float32)
    b = init_rnn(3, 4, rng=np.random.default_rng(5), dtype=np.float32)
    assert all(v.dtype == np.float32 for v in a.values())
    assert all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("bad", [0, -2, 2.5, "3"])
def test_init_rnn_rejects_bad_sizes(rng, bad):
    with pytest.raises(ValueError, match=r"(?s)(?=.*\bH\b)(?=.*positive integer)"):
        init_rnn(3, bad, rng=rng)


def test_init_dense_shapes_bound_and_zero_bias(rng):
    p = init_dense(9, 4, rng=rng)
    assert p["W_hy"].shape == (9, 4) and p["b_y"].shape == (4,)
    assert np.all(np.abs(p["W_hy"]) <= 1 / 3)
    assert np.array_equal(p["b_y"], np.zeros(4))


def test_count_params_hand_counts(rng):
    # D=4, H=6: W_xh 4*6 + W_hh 6*6 + b_h 6 = 24 + 36 + 6 = 66.
    assert count_params(init_rnn(4, 6, rng=rng)) == 66
    # H=6, V=3: W_hy 6*3 + b_y 3 = 21.
    assert count_params(init_dense(6, 3, rng=rng)) == 21
    assert count_params({}) == 0
    assert isinstance(count_params(init_rnn(1, 1, rng=rng)), int)
