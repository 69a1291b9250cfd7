"""The LSTM layer: forward values, fused gates, gradients, bad input, initialisation, layouts.

The forward pass is checked against the gate equations written out here with
four separate weight matrices; every backward function against centred finite
differences in float64 (inputs and initial states included); the layouts
against the formulas PyTorch and Keras document. The classic assignment's
numbers are in test_lstm_classic.py, torch itself in tests/parity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import RAW_NUMPY_PHRASES, arg, message_with, size
from rnn_tutorial import (
    LSTMCache,
    LSTMStepCache,
    count_params,
    grad_check,
    init_lstm,
    lstm_backward,
    lstm_forward,
    lstm_from_torch,
    lstm_step_backward,
    lstm_step_forward,
    lstm_to_keras,
    lstm_to_torch,
)

N, T, D, H = 3, 4, 5, 6  # all different, so a "5" in a message can only mean D
TOL = 1e-7  # float64 centred differences: a right gradient is far below this
KEYS = ("W_x", "W_h", "b")


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))  # the plain formula: the test's inputs are moderate


@pytest.fixture
def gates(rng):
    """Four separate affine maps, one per gate, as the equations are first written."""
    return {
        name: {
            "W_x": rng.normal(scale=0.5, size=(D, H)),
            "W_h": rng.normal(scale=0.5, size=(H, H)),
            "b": rng.normal(scale=0.5, size=H),
        }
        for name in "ifgo"
    }


@pytest.fixture
def params(gates):
    """The same weights fused: blocks stacked side by side in the order i, f, g, o."""
    return {key: np.concatenate([gates[name][key] for name in "ifgo"], axis=-1) for key in KEYS}


# --------------------------------------------------------------------------- forward values


def test_fused_gates_equal_four_separate_affine_maps(rng, gates, params):
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))

    def affine(name):
        return x @ gates[name]["W_x"] + h_prev @ gates[name]["W_h"] + gates[name]["b"]

    i, f, o = _sigmoid(affine("i")), _sigmoid(affine("f")), _sigmoid(affine("o"))
    g = np.tanh(affine("g"))
    c_expected = f * c_prev + i * g
    h_expected = o * np.tanh(c_expected)

    h, c, cache = lstm_step_forward(x, h_prev, c_prev, params)
    assert np.allclose(c, c_expected, rtol=0, atol=1e-14)
    assert np.allclose(h, h_expected, rtol=0, atol=1e-14)
    for name, value in zip("ifgo", (i, f, g, o), strict=True):
        assert np.allclose(getattr(cache, name), value, rtol=0, atol=1e-14), name
    # One fused product is the four products side by side.
    fused = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    assert np.allclose(fused, np.hstack([affine(n) for n in "ifgo"]), rtol=0, atol=1e-14)


def test_step_forward_one_entry_by_scalar_arithmetic(rng, gates, params):
    # h[n, j] with every sum written out for one batch row and one unit.
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, params)
    n, j = 1, 4

    def pre(name):
        s = sum(x[n, d] * gates[name]["W_x"][d, j] for d in range(D))
        s += sum(h_prev[n, k] * gates[name]["W_h"][k, j] for k in range(H))
        return s + gates[name]["b"][j]

    def sig(a):
        return 1 / (1 + math.exp(-a))

    c_nj = sig(pre("f")) * c_prev[n, j] + sig(pre("i")) * math.tanh(pre("g"))
    assert math.isclose(c[n, j], c_nj, rel_tol=1e-13, abs_tol=1e-15)
    assert math.isclose(h[n, j], sig(pre("o")) * math.tanh(c_nj), rel_tol=1e-13, abs_tol=1e-15)


def test_forward_equals_a_loop_of_steps(rng, params):
    x, h0, c0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    hs, cs, cache = lstm_forward(x, h0, c0, params)
    assert hs.shape == cs.shape == (N, T, H)
    assert isinstance(cache, LSTMCache) and len(cache.steps) == T
    assert all(isinstance(step, LSTMStepCache) for step in cache.steps)
    h, c = h0, c0
    for t in range(T):
        h, c, _ = lstm_step_forward(x[:, t], h, c, params)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-15, err_msg=f"t={t}")
        np.testing.assert_allclose(cs[:, t], c, rtol=1e-12, atol=1e-15, err_msg=f"t={t}")


def test_cache_fields_are_named(rng, params):
    _, _, cache = lstm_step_forward(
        rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)), params
    )
    assert LSTMStepCache._fields == (
        "x",
        "h_prev",
        "c_prev",
        "i",
        "f",
        "g",
        "o",
        "c",
        "tanh_c",
        "params",
    )
    assert np.array_equal(cache.tanh_c, np.tanh(cache.c))


def test_gates_are_in_range_and_h_is_bounded(rng, params):
    x = rng.normal(scale=3, size=(N, T, D))
    hs, _, cache = lstm_forward(x, np.zeros((N, H)), np.zeros((N, H)), params)
    for step in cache.steps:
        for gate in (step.i, step.f, step.o):
            assert np.all((gate > 0) & (gate < 1))
        assert np.all(np.abs(step.g) < 1)
    assert np.all(np.abs(hs) < 1)


def test_a_closed_forget_gate_and_open_input_gate_copy_the_candidate(rng, params):
    # f = 0, i = 1: c_t = g, whatever c_{t-1} was; f = 1, i = 0: c_t = c_{t-1}.
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    c_prev = rng.normal(size=(N, H))
    p = {k: v.copy() for k, v in params.items()}
    p["b"][:H], p["b"][H : 2 * H] = 100.0, -100.0
    _, c, cache = lstm_step_forward(x, h_prev, c_prev, p)
    assert np.allclose(c, cache.g, rtol=0, atol=1e-12)
    p["b"][:H], p["b"][H : 2 * H] = -100.0, 100.0
    _, c, _ = lstm_step_forward(x, h_prev, c_prev, p)
    assert np.allclose(c, c_prev, rtol=0, atol=1e-12)


def test_float32_stays_float32(rng, params):
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    x = rng.normal(size=(N, T, D)).astype(np.float32)
    h0 = np.zeros((N, H), dtype=np.float32)
    hs, cs, cache = lstm_forward(x, h0, h0, p32)
    assert hs.dtype == cs.dtype == np.float32
    dx, dh0, dc0, grads = lstm_backward(np.ones_like(hs), cache)
    assert dx.dtype == dh0.dtype == dc0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


def test_extreme_pre_activations_do_not_overflow(rng, params):
    p = {k: v * 1e3 for k, v in params.items()}
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow to 0 is fine
        h, c, _ = lstm_step_forward(
            rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H)), p
        )
    assert np.all(np.isfinite(h)) and np.all(np.isfinite(c))


# --------------------------------------------------------------------------- gradient checks


@pytest.fixture
def step_problem(rng, params):
    p = {
        "x": rng.normal(size=(N, D)),
        "h_prev": rng.normal(size=(N, H)),
        "c_prev": rng.normal(size=(N, H)),
        **params,
    }
    return p, rng.normal(size=(N, H)), rng.normal(size=(N, H))


def test_lstm_step_backward(step_problem):
    # L = sum(h * G_h) + sum(c * G_c): dL/dh = G_h, and dL/dc = G_c reaches c directly.
    p, G_h, G_c = step_problem

    def loss_fn(q):
        h, c, cache = lstm_step_forward(q["x"], q["h_prev"], q["c_prev"], {k: q[k] for k in KEYS})
        dx, dh_prev, dc_prev, grads = lstm_step_backward(G_h, G_c, cache)
        loss = float(np.sum(h * G_h) + np.sum(c * G_c))
        return loss, {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **grads}

    errors = grad_check(loss_fn, p)
    assert set(errors) == {"x", "h_prev", "c_prev", *KEYS}
    assert max(errors.values()) < TOL, errors


def test_lstm_step_backward_with_dc_zero(step_problem):
    # The path c -> tanh(c) -> h alone: a backward pass missing it fails here.
    p, G_h, _ = step_problem

    def loss_fn(q):
        h, c, cache = lstm_step_forward(q["x"], q["h_prev"], q["c_prev"], {k: q[k] for k in KEYS})
        dx, dh_prev, dc_prev, grads = lstm_step_backward(G_h, np.zeros_like(c), cache)
        return float(np.sum(h * G_h)), {"x": dx, "h_prev": dh_prev, "c_prev": dc_prev, **grads}

    errors = grad_check(loss_fn, p)
    assert max(errors.values()) < TOL, errors


@pytest.fixture
def sequence_problem(rng, params):
    p = {
        "x": rng.normal(size=(N, T, D)),
        "h0": rng.normal(scale=0.5, size=(N, H)),
        "c0": rng.normal(scale=0.5, size=(N, H)),
        **params,
    }
    return p, rng.normal(size=(N, T, H)), rng.normal(size=(N, H))


@pytest.mark.parametrize("use_c_last", [True, False], ids=["with-dc_last", "without"])
def test_lstm_backward(sequence_problem, use_c_last):
    # L = sum over ALL steps of hs * G (+ the final cell state times G_c): every h_t
    # gets a gradient from above and from t + 1, every c_t from t + 1.
    p, G, G_c = sequence_problem

    def loss_fn(q):
        hs, cs, cache = lstm_forward(q["x"], q["h0"], q["c0"], {k: q[k] for k in KEYS})
        loss = np.sum(hs * G)
        if use_c_last:
            loss += np.sum(cs[:, -1] * G_c)
            dx, dh0, dc0, grads = lstm_backward(G, cache, dc_last=G_c)
        else:
            dx, dh0, dc0, grads = lstm_backward(G, cache)
        return float(loss), {"x": dx, "h0": dh0, "c0": dc0, **grads}

    errors = grad_check(loss_fn, p)
    assert set(errors) == {"x", "h0", "c0", *KEYS}
    assert max(errors.values()) < TOL, errors


def test_lstm_backward_equals_a_loop_of_step_backwards(sequence_problem):
    p, G, G_c = sequence_problem
    hs, cs, cache = lstm_forward(p["x"], p["h0"], p["c0"], p)
    dx, dh0, dc0, grads = lstm_backward(G, cache, dc_last=G_c)
    dh, dc = np.zeros((N, H)), G_c
    total = {k: 0.0 for k in KEYS}
    for t in reversed(range(T)):
        dx_t, dh, dc, step_grads = lstm_step_backward(G[:, t] + dh, dc, cache.steps[t])
        assert np.allclose(dx[:, t], dx_t, rtol=0, atol=1e-14), t
        total = {k: total[k] + step_grads[k] for k in KEYS}
    assert np.allclose(dh0, dh, rtol=0, atol=1e-14) and np.allclose(dc0, dc, rtol=0, atol=1e-14)
    for k in KEYS:
        assert np.allclose(grads[k], total[k], rtol=0, atol=1e-13), k


def test_the_checker_catches_a_backward_that_drops_the_carried_dc(sequence_problem):
    # The classic mistake: the cell state's own gradient is not carried to t - 1.
    p, G, _ = sequence_problem
    x, h0, c0 = p["x"], p["h0"], p["c0"]

    def wrong_loss_fn(w):
        hs, _, cache = lstm_forward(x, h0, c0, w)
        dh = np.zeros((N, H))
        grads = {k: np.zeros_like(w[k]) for k in KEYS}
        for t in reversed(range(T)):
            _, dh, _, g = lstm_step_backward(G[:, t] + dh, np.zeros((N, H)), cache.steps[t])
            grads = {k: grads[k] + g[k] for k in KEYS}
        return float(np.sum(hs * G)), grads

    errors = grad_check(wrong_loss_fn, {k: p[k] for k in KEYS})
    assert max(errors.values()) > 1e-3, errors


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("width", [4 * H + 1, 4 * H + 4, 3 * H])
def test_W_x_not_of_width_4H(rng, params, width):
    p = {**params, "W_x": rng.normal(size=(D, width))}
    expected = message_with(
        arg('params["W_x"]'), f"({D}, {width})", f"({D}, {4 * H})", size("H", H)
    )
    with pytest.raises(ValueError, match=expected):
        lstm_step_forward(np.zeros((N, D)), np.zeros((N, H)), np.zeros((N, H)), p)
    with pytest.raises(ValueError, match=expected):
        lstm_forward(np.zeros((N, T, D)), np.zeros((N, H)), np.zeros((N, H)), p)


def test_W_h_of_the_wrong_width(rng, params):
    p = {**params, "W_h": rng.normal(size=(H, 3 * H))}
    with pytest.raises(ValueError, match=message_with(arg('params["W_h"]'), f"({H}, {3 * H})")):
        lstm_step_forward(np.zeros((N, D)), np.zeros((N, H)), np.zeros((N, H)), p)


def test_b_of_the_wrong_length(params):
    p = {**params, "b": np.zeros(H)}
    expected = message_with(arg('params["b"]'), f"({H},)", f"({4 * H},)")
    with pytest.raises(ValueError, match=expected):
        lstm_step_forward(np.zeros((N, D)), np.zeros((N, H)), np.zeros((N, H)), p)


def test_missing_key(params):
    del params["b"]
    with pytest.raises(ValueError, match=message_with("'b'", "missing")):
        lstm_step_forward(np.zeros((N, D)), np.zeros((N, H)), np.zeros((N, H)), params)


@pytest.mark.parametrize(
    "name, shapes, pieces",
    [
        ("x", ((N, D + 1), (N, H), (N, H)), (f"({N}, {D + 1})", size("D", D))),
        ("h_prev", ((N, D), (N, H + 1), (N, H)), (f"({N}, {H + 1})", size("H", H))),
        ("c_prev", ((N, D), (N, H), (N, H + 1)), (f"({N}, {H + 1})", size("H", H))),
        ("c_prev", ((N, D), (N, H), (N + 1, H)), (f"({N + 1}, {H})", size("N", N))),
    ],
)
def test_step_forward_wrong_input_shapes(params, name, shapes, pieces):
    args = [np.zeros(s) for s in shapes]
    with pytest.raises(ValueError, match=message_with(arg(name), *pieces)) as info:
        lstm_step_forward(*args, params)
    assert not any(phrase in str(info.value) for phrase in RAW_NUMPY_PHRASES)


@pytest.mark.parametrize(
    "name, shapes, pieces",
    [
        ("x", ((N, T, D + 1), (N, H), (N, H)), (size("D", D),)),
        ("x", ((N, D), (N, H), (N, H)), ("3-D",)),
        ("h0", ((N, T, D), (N + 1, H), (N, H)), (size("N", N),)),
        ("c0", ((N, T, D), (N, H), (N, H - 1)), (size("H", H),)),
    ],
)
def test_forward_wrong_input_shapes(params, name, shapes, pieces):
    args = [np.zeros(s) for s in shapes]
    with pytest.raises(ValueError, match=message_with(arg(name), *pieces)):
        lstm_forward(*args, params)


def test_forward_needs_a_step(params):
    with pytest.raises(ValueError, match=message_with(arg("x"), "T >= 1")):
        lstm_forward(np.zeros((N, 0, D)), np.zeros((N, H)), np.zeros((N, H)), params)


def test_backward_wrong_gradient_shapes(rng, params):
    _, _, step = lstm_step_forward(
        rng.normal(size=(N, D)), np.zeros((N, H)), np.zeros((N, H)), params
    )
    with pytest.raises(ValueError, match=message_with(arg("dh"), size("H", H))):
        lstm_step_backward(np.zeros((N, H + 1)), np.zeros((N, H)), step)
    with pytest.raises(ValueError, match=message_with(arg("dc"), size("N", N))):
        lstm_step_backward(np.zeros((N, H)), np.zeros((N + 1, H)), step)
    _, _, cache = lstm_forward(
        rng.normal(size=(N, T, D)), np.zeros((N, H)), np.zeros((N, H)), params
    )
    with pytest.raises(ValueError, match=message_with(arg("dhs"), size("T", T))):
        lstm_backward(np.zeros((N, T + 1, H)), cache)
    with pytest.raises(ValueError, match=message_with(arg("dc_last"), size("H", H))):
        lstm_backward(np.zeros((N, T, H)), cache, dc_last=np.zeros((N, H + 2)))


# --------------------------------------------------------------------------- initialisation


def test_init_lstm_shapes_bounds_and_forget_bias():
    p = init_lstm(D, H, rng=np.random.default_rng(0))
    assert {k: v.shape for k, v in p.items()} == {
        "W_x": (D, 4 * H),
        "W_h": (H, 4 * H),
        "b": (4 * H,),
    }
    bound = 1 / math.sqrt(H)
    for key in KEYS:
        others = p[key] if key != "b" else np.delete(p[key], np.s_[H : 2 * H])
        assert np.all(np.abs(others) <= bound), key
    assert np.all(p["b"][H : 2 * H] == 1.0)  # the forget block (gates i, f, g, o)
    assert np.all(p["b"][:H] != 1.0) and np.all(p["b"][2 * H :] != 1.0)


def test_init_lstm_forget_bias_dtype_and_determinism():
    a = init_lstm(D, H, rng=np.random.default_rng(3), forget_bias=2.5, dtype=np.float32)
    b = init_lstm(D, H, rng=np.random.default_rng(3), forget_bias=2.5, dtype=np.float32)
    assert all(a[k].dtype == np.float32 and np.array_equal(a[k], b[k]) for k in KEYS)
    assert np.all(a["b"][H : 2 * H] == 2.5)


def test_forget_bias_one_starts_the_forget_gate_near_0_73(rng):
    # With zero inputs and states the forget gate is sigma(1) = 0.731...
    p = init_lstm(D, H, rng=rng)
    _, _, cache = lstm_step_forward(np.zeros((1, D)), np.zeros((1, H)), np.zeros((1, H)), p)
    assert np.allclose(cache.f, 1 / (1 + math.exp(-1)), rtol=0, atol=1e-15)


@pytest.mark.parametrize("bad", [{"D": 0}, {"H": -1}, {"H": 2.0}])
def test_init_lstm_rejects_bad_sizes(bad):
    sizes = {"D": D, "H": H, **bad}
    name = next(iter(bad))
    with pytest.raises(ValueError, match=message_with(arg(name), "positive integer")):
        init_lstm(sizes["D"], sizes["H"], rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- layouts


def test_shapes_match_keras_for_input_10_and_20_units():
    # Seed 002: keras.layers.LSTM(units=20) on inputs of size 10 has weights of shapes
    # (10, 80), (20, 80), (80,): kernel, recurrent_kernel, bias.
    p = init_lstm(10, 20, rng=np.random.default_rng(0))
    assert (p["W_x"].shape, p["W_h"].shape, p["b"].shape) == ((10, 80), (20, 80), (80,))
    kernel, recurrent_kernel, bias = lstm_to_keras(p)
    assert (kernel.shape, recurrent_kernel.shape, bias.shape) == ((10, 80), (20, 80), (80,))
    assert np.array_equal(kernel, p["W_x"]) and np.array_equal(recurrent_kernel, p["W_h"])
    assert np.array_equal(bias, p["b"])
    kernel[0, 0] = 99.0
    assert p["W_x"][0, 0] != 99.0  # copies


def test_torch_shapes_are_ours_transposed():
    p = init_lstm(10, 20, rng=np.random.default_rng(0))
    t = lstm_to_torch(p)
    assert t["weight_ih_l0"].shape == (80, 10) and np.array_equal(t["weight_ih_l0"], p["W_x"].T)
    assert t["weight_hh_l0"].shape == (80, 20) and np.array_equal(t["weight_hh_l0"], p["W_h"].T)
    assert np.array_equal(t["bias_ih_l0"], p["b"]) and not np.any(t["bias_hh_l0"])


def test_parameter_counts_ours_keras_torch():
    D_, H_ = 10, 20
    p = init_lstm(D_, H_, rng=np.random.default_rng(0))
    # Ours: four gates, each D*H input weights, H*H recurrent weights and H biases:
    # 4 (D H + H^2 + H) = 4 (200 + 400 + 20) = 2480.
    assert count_params(p) == 4 * (D_ * H_ + H_**2 + H_) == 2480
    # Keras: kernel 10*80 + recurrent_kernel 20*80 + bias 80 = 800 + 1600 + 80 = 2480.
    assert sum(w.size for w in lstm_to_keras(p)) == 2480
    # PyTorch: the same weights but two bias vectors per gate,
    # 4 (D H + H^2 + 2 H) = 4 (200 + 400 + 40) = 2560: 80 more, all redundant.
    assert count_params(lstm_to_torch(p)) == 4 * (D_ * H_ + H_**2 + 2 * H_) == 2560


@pytest.fixture
def torch_state(rng):
    return {
        "weight_ih_l0": rng.normal(scale=0.5, size=(4 * H, D)),
        "weight_hh_l0": rng.normal(scale=0.5, size=(4 * H, H)),
        "bias_ih_l0": rng.normal(size=4 * H),
        "bias_hh_l0": rng.normal(size=4 * H),
    }


def test_torch_formula_matches_our_step(rng, torch_state):
    # torch.nn.LSTM documents i, f, g, o = chunks of x W_ih^T + b_ih + h W_hh^T + b_hh.
    s = torch_state
    x, h_prev, c_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    a = x @ s["weight_ih_l0"].T + s["bias_ih_l0"] + h_prev @ s["weight_hh_l0"].T + s["bias_hh_l0"]
    i, f, g, o = (a[:, k * H : (k + 1) * H] for k in range(4))
    c_expected = _sigmoid(f) * c_prev + _sigmoid(i) * np.tanh(g)
    h_expected = _sigmoid(o) * np.tanh(c_expected)
    h, c, _ = lstm_step_forward(x, h_prev, c_prev, lstm_from_torch(s))
    assert np.allclose(c, c_expected, rtol=0, atol=1e-14)
    assert np.allclose(h, h_expected, rtol=0, atol=1e-14)


def test_torch_round_trips(rng, params, torch_state):
    back = lstm_from_torch(lstm_to_torch(params))
    assert all(np.array_equal(back[k], params[k]) for k in KEYS)
    # torch -> ours -> torch moves all the bias into bias_ih: the same function.
    again = lstm_to_torch(lstm_from_torch(torch_state))
    assert np.array_equal(
        again["bias_ih_l0"], torch_state["bias_ih_l0"] + torch_state["bias_hh_l0"]
    )
    assert np.array_equal(again["weight_hh_l0"], torch_state["weight_hh_l0"])


def test_from_torch_rejects_wrong_shapes(torch_state):
    bad = {**torch_state, "weight_ih_l0": np.zeros((4 * H + 1, D))}
    with pytest.raises(ValueError, match=message_with(arg('state["weight_ih_l0"]'), size("H", H))):
        lstm_from_torch(bad)
    bad = {**torch_state, "bias_hh_l0": np.zeros(3 * H)}
    with pytest.raises(ValueError, match=message_with(arg('state["bias_hh_l0"]'), f"({4 * H},)")):
        lstm_from_torch(bad)
    bad = {k: v for k, v in torch_state.items() if k != "bias_hh_l0"}
    with pytest.raises(ValueError, match=message_with("'bias_hh_l0'", "missing")):
        lstm_from_torch(bad)
