"""The GRU layer in both forms: forward values, gradients, the forms compared, bad input, layouts.

Each form's equations are written out here with separate per-gate matrices,
the seed's orientation of the update gate included, and compared with the
package; every backward function is checked against centred finite
differences in float64. torch.nn.GRU itself is in tests/parity.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import RAW_NUMPY_PHRASES, arg, message_with, size
from rnn_tutorial import (
    GRUCache,
    GRUStepCache,
    count_params,
    grad_check,
    gru_backward,
    gru_forward,
    gru_from_torch,
    gru_step_backward,
    gru_step_forward,
    gru_swap_update_convention,
    gru_to_torch,
    init_gru,
    init_lstm,
)

N, T, D, H = 3, 4, 5, 6  # all different, so a "5" in a message can only mean D
TOL = 1e-7
KEYS = ("W_x", "W_h", "b_x", "b_h")
FORMS = ("reset_after", "textbook")


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


@pytest.fixture
def gates(rng):
    """Separate weights per gate r, z, n, each with an input and a hidden bias."""
    return {
        name: {
            "W_x": rng.normal(scale=0.5, size=(D, H)),
            "W_h": rng.normal(scale=0.5, size=(H, H)),
            "b_x": rng.normal(scale=0.5, size=H),
            "b_h": rng.normal(scale=0.5, size=H),
        }
        for name in "rzn"
    }


@pytest.fixture
def params(gates):
    return {key: np.concatenate([gates[name][key] for name in "rzn"], axis=-1) for key in KEYS}


def _reference_step(x, h, G, form, *, seed_orientation=False):
    """The GRU written gate by gate from the per-gate weights G."""

    def gate(name):
        return x @ G[name]["W_x"] + G[name]["b_x"] + h @ G[name]["W_h"] + G[name]["b_h"]

    r, z = _sigmoid(gate("r")), _sigmoid(gate("z"))
    x_part = x @ G["n"]["W_x"] + G["n"]["b_x"]
    if form == "reset_after":  # PyTorch: r scales h W_hn + b_hn, bias included
        n = np.tanh(x_part + r * (h @ G["n"]["W_h"] + G["n"]["b_h"]))
    else:  # textbook: r scales h before the product
        n = np.tanh(x_part + (r * h) @ G["n"]["W_h"] + G["n"]["b_h"])
    if seed_orientation:  # seed 002: h_t = (1 - z) h_{t-1} + z h~
        return (1 - z) * h + z * n
    return (1 - z) * n + z * h  # PyTorch's orientation, the package's


# --------------------------------------------------------------------------- forward values


@pytest.mark.parametrize("form", FORMS)
def test_step_forward_against_the_equations_gate_by_gate(rng, gates, params, form):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    h, cache = gru_step_forward(x, h_prev, params, form=form)
    assert np.allclose(h, _reference_step(x, h_prev, gates, form), rtol=0, atol=1e-14)
    assert isinstance(cache, GRUStepCache) and cache.form == form


def test_reset_after_one_entry_by_scalar_arithmetic(rng, gates, params):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    h, _ = gru_step_forward(x, h_prev, params)
    n_, j = 2, 3

    def dot_x(name):
        return sum(x[n_, d] * gates[name]["W_x"][d, j] for d in range(D)) + gates[name]["b_x"][j]

    def dot_h(name):
        return (
            sum(h_prev[n_, k] * gates[name]["W_h"][k, j] for k in range(H)) + gates[name]["b_h"][j]
        )

    def sig(a):
        return 1 / (1 + math.exp(-a))

    r, z = sig(dot_x("r") + dot_h("r")), sig(dot_x("z") + dot_h("z"))
    cand = math.tanh(dot_x("n") + r * dot_h("n"))
    assert math.isclose(h[n_, j], (1 - z) * cand + z * h_prev[n_, j], rel_tol=1e-13)


@pytest.mark.parametrize("form", FORMS)
def test_forward_equals_a_loop_of_steps(rng, params, form):
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, cache = gru_forward(x, h0, params, form=form)
    assert hs.shape == (N, T, H)
    assert isinstance(cache, GRUCache) and len(cache.steps) == T
    h = h0
    for t in range(T):
        h, step = gru_step_forward(x[:, t], h, params, form=form)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-15, err_msg=f"t={t}")
        assert cache.steps[t].form == form


@pytest.mark.parametrize("form", FORMS)
def test_update_gate_keeps_or_replaces_the_state(rng, params, form):
    # z -> 1 keeps h_{t-1} (PyTorch's orientation); z -> 0 gives the candidate n.
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    p = {k: v.copy() for k, v in params.items()}
    p["b_x"][H : 2 * H] = 100.0
    h, _ = gru_step_forward(x, h_prev, p, form=form)
    assert np.allclose(h, h_prev, rtol=0, atol=1e-12)
    p["b_x"][H : 2 * H] = -100.0
    h, cache = gru_step_forward(x, h_prev, p, form=form)
    assert np.allclose(h, cache.n, rtol=0, atol=1e-12)


@pytest.mark.parametrize("form", FORMS)
def test_float32_stays_float32(rng, params, form):
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    x = rng.normal(size=(N, T, D)).astype(np.float32)
    hs, cache = gru_forward(x, np.zeros((N, H), dtype=np.float32), p32, form=form)
    assert hs.dtype == np.float32
    dx, dh0, grads = gru_backward(np.ones_like(hs), cache)
    assert dx.dtype == dh0.dtype == np.float32
    assert all(g.dtype == np.float32 for g in grads.values())


# --------------------------------------------------------------------------- the two forms


def test_the_two_forms_differ_for_the_same_weights(rng, params):
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    after, _ = gru_forward(x, h0, params, form="reset_after")
    book, _ = gru_forward(x, h0, params, form="textbook")
    assert np.max(np.abs(after - book)) > 1e-2


def test_the_two_forms_agree_when_the_reset_gate_is_open(rng, params):
    # r = 1 everywhere (a large positive reset bias): r (h W_hn + b_hn) = (r h) W_hn + b_hn.
    p = {k: v.copy() for k, v in params.items()}
    p["b_x"][:H] = 60.0  # sigma(60) = 1 - 9e-27: exactly 1.0 in float64
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    after, cache = gru_forward(x, h0, p, form="reset_after")
    book, _ = gru_forward(x, h0, p, form="textbook")
    assert all(np.all(step.r == 1.0) for step in cache.steps)
    assert np.allclose(after, book, rtol=0, atol=1e-14)


def test_the_two_forms_agree_when_the_state_is_zero_and_b_hn_is_zero(rng, params):
    # Another derived case: with h_{t-1} = 0 and b_hn = 0 both candidates are tanh(x W_xn + b_xn).
    p = {k: v.copy() for k, v in params.items()}
    p["b_h"][2 * H :] = 0.0
    x = rng.normal(size=(N, D))
    after, _ = gru_step_forward(x, np.zeros((N, H)), p, form="reset_after")
    book, _ = gru_step_forward(x, np.zeros((N, H)), p, form="textbook")
    assert np.allclose(after, book, rtol=0, atol=1e-15)


@pytest.mark.parametrize("form", FORMS)
def test_swapping_the_update_convention_is_the_seed_orientation(rng, gates, params, form):
    # Weights written for h_t = (1 - z) h_{t-1} + z h~ (seed 002), converted, run in
    # our cell (h_t = (1 - z) n + z h_{t-1}) give the same states.
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    ours, _ = gru_forward(x, h0, gru_swap_update_convention(params), form=form)
    h = h0
    for t in range(T):
        h = _reference_step(x[:, t], h, gates, form, seed_orientation=True)
        assert np.allclose(ours[:, t], h, rtol=0, atol=1e-14), t
    # Unconverted, the orientation matters: the states differ.
    plain, _ = gru_forward(x, h0, params, form=form)
    assert np.max(np.abs(plain - ours)) > 1e-2


def test_swap_negates_only_the_z_blocks_and_is_its_own_inverse(params):
    swapped = gru_swap_update_convention(params)
    for key in KEYS:
        a, b = params[key], swapped[key]
        assert np.array_equal(b[..., H : 2 * H], -a[..., H : 2 * H]), key
        assert np.array_equal(b[..., :H], a[..., :H]) and np.array_equal(
            b[..., 2 * H :], a[..., 2 * H :]
        )
    twice = gru_swap_update_convention(swapped)
    assert all(np.array_equal(twice[k], params[k]) for k in KEYS)
    before = {k: v.copy() for k, v in params.items()}
    swapped["W_x"][0, 0] = 99.0
    assert all(np.array_equal(params[k], before[k]) for k in KEYS)  # copies, input untouched


def test_swap_turns_z_into_one_minus_z(rng, params):
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    _, plain = gru_step_forward(x, h_prev, params)
    _, swapped = gru_step_forward(x, h_prev, gru_swap_update_convention(params))
    assert np.allclose(swapped.z, 1 - plain.z, rtol=0, atol=1e-15)
    assert np.array_equal(swapped.r, plain.r) and np.array_equal(swapped.n, plain.n)


# --------------------------------------------------------------------------- gradient checks


@pytest.mark.parametrize("form", FORMS)
def test_gru_step_backward(rng, params, form):
    p = {"x": rng.normal(size=(N, D)), "h_prev": rng.normal(size=(N, H)), **params}
    G = rng.normal(size=(N, H))

    def loss_fn(q):
        h, cache = gru_step_forward(q["x"], q["h_prev"], {k: q[k] for k in KEYS}, form=form)
        dx, dh_prev, grads = gru_step_backward(G, cache)
        return float(np.sum(h * G)), {"x": dx, "h_prev": dh_prev, **grads}

    errors = grad_check(loss_fn, p)
    assert set(errors) == {"x", "h_prev", *KEYS}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("form", FORMS)
def test_gru_backward(rng, params, form):
    # L = sum over ALL steps of hs * G.
    p = {"x": rng.normal(size=(N, T, D)), "h0": rng.normal(scale=0.5, size=(N, H)), **params}
    G = rng.normal(size=(N, T, H))

    def loss_fn(q):
        hs, cache = gru_forward(q["x"], q["h0"], {k: q[k] for k in KEYS}, form=form)
        dx, dh0, grads = gru_backward(G, cache)
        return float(np.sum(hs * G)), {"x": dx, "h0": dh0, **grads}

    errors = grad_check(loss_fn, p)
    assert set(errors) == {"x", "h0", *KEYS}
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("form", FORMS)
def test_the_checker_tells_the_forms_apart(rng, params, form):
    # The other form's backward pass on this form's forward: a real difference, caught.
    other = FORMS[1 - FORMS.index(form)]
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    G = rng.normal(size=(N, T, H))

    def wrong_loss_fn(w):
        hs, cache = gru_forward(x, h0, w, form=form)
        _, _, grads = gru_backward(G, cache._replace(form=other))
        return float(np.sum(hs * G)), grads

    errors = grad_check(wrong_loss_fn, {k: params[k] for k in KEYS})
    assert errors["W_h"] > 1e-3, errors


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("form", ["reset-after", "Textbook", "", None, 1])
def test_bad_form(rng, params, form):
    with pytest.raises(ValueError, match=message_with(arg("form"), "reset_after", "textbook")):
        gru_step_forward(np.zeros((N, D)), np.zeros((N, H)), params, form=form)
    with pytest.raises(ValueError, match=message_with(arg("form"), repr(form))):
        gru_forward(np.zeros((N, T, D)), np.zeros((N, H)), params, form=form)


@pytest.mark.parametrize("width", [3 * H + 1, 4 * H, 2 * H])
def test_W_x_not_of_width_3H(rng, params, width):
    p = {**params, "W_x": rng.normal(size=(D, width))}
    expected = message_with(
        arg('params["W_x"]'), f"({D}, {width})", f"({D}, {3 * H})", size("H", H)
    )
    with pytest.raises(ValueError, match=expected):
        gru_step_forward(np.zeros((N, D)), np.zeros((N, H)), p)


@pytest.mark.parametrize("key", ["b_x", "b_h"])
def test_biases_of_the_wrong_length(params, key):
    p = {**params, key: np.zeros(4 * H)}
    expected = message_with(arg(f'params["{key}"]'), f"({4 * H},)", f"({3 * H},)")
    with pytest.raises(ValueError, match=expected):
        gru_forward(np.zeros((N, T, D)), np.zeros((N, H)), p)


def test_a_missing_second_bias_is_named(params):
    # A PyTorch-less habit: one bias only. The message names what is missing.
    del params["b_h"]
    with pytest.raises(ValueError, match=message_with("'b_h'", "missing")):
        gru_step_forward(np.zeros((N, D)), np.zeros((N, H)), params)


@pytest.mark.parametrize(
    "name, x_shape, h_shape, piece",
    [
        ("x", (N, D + 1), (N, H), size("D", D)),
        ("h_prev", (N, D), (N, H + 1), size("H", H)),
        ("h_prev", (N, D), (N + 2, H), size("N", N)),
    ],
)
def test_step_forward_wrong_input_shapes(params, name, x_shape, h_shape, piece):
    with pytest.raises(ValueError, match=message_with(arg(name), piece)) as info:
        gru_step_forward(np.zeros(x_shape), np.zeros(h_shape), params)
    assert not any(phrase in str(info.value) for phrase in RAW_NUMPY_PHRASES)


def test_forward_wrong_input_shapes_and_empty_sequence(params):
    with pytest.raises(ValueError, match=message_with(arg("x"), size("D", D))):
        gru_forward(np.zeros((N, T, D - 1)), np.zeros((N, H)), params)
    with pytest.raises(ValueError, match=message_with(arg("h0"), size("H", H))):
        gru_forward(np.zeros((N, T, D)), np.zeros((N, H - 1)), params)
    with pytest.raises(ValueError, match=message_with(arg("x"), "T >= 1")):
        gru_forward(np.zeros((N, 0, D)), np.zeros((N, H)), params)


def test_backward_wrong_gradient_shapes(rng, params):
    _, step = gru_step_forward(rng.normal(size=(N, D)), np.zeros((N, H)), params)
    with pytest.raises(ValueError, match=message_with(arg("dh"), size("H", H))):
        gru_step_backward(np.zeros((N, H + 1)), step)
    _, cache = gru_forward(rng.normal(size=(N, T, D)), np.zeros((N, H)), params)
    with pytest.raises(ValueError, match=message_with(arg("dhs"), size("N", N))):
        gru_backward(np.zeros((N + 1, T, H)), cache)


# --------------------------------------------------------------------------- init and layouts


def test_init_gru_shapes_and_bounds():
    p = init_gru(D, H, rng=np.random.default_rng(0))
    assert {k: v.shape for k, v in p.items()} == {
        "W_x": (D, 3 * H),
        "W_h": (H, 3 * H),
        "b_x": (3 * H,),
        "b_h": (3 * H,),
    }
    assert all(np.all(np.abs(v) <= 1 / math.sqrt(H)) for v in p.values())
    p32 = init_gru(D, H, rng=np.random.default_rng(0), dtype=np.float32)
    assert all(v.dtype == np.float32 for v in p32.values())


def test_parameter_counts_gru_against_lstm_and_torch():
    D_, H_ = 10, 20
    gru = init_gru(D_, H_, rng=np.random.default_rng(0))
    # Three blocks (r, z, n) with two bias vectors each: 3 (D H + H^2 + 2 H)
    # = 3 (200 + 400 + 40) = 1920, exactly torch.nn.GRU's count.
    assert count_params(gru) == 3 * (D_ * H_ + H_**2 + 2 * H_) == 1920
    assert count_params(gru_to_torch(gru)) == 1920
    # The LSTM has four blocks and one bias vector: 4 (200 + 400 + 20) = 2480.
    assert count_params(init_lstm(D_, H_, rng=np.random.default_rng(0))) == 2480
    # Weights alone (no biases): GRU is exactly 3/4 of the LSTM.
    assert 3 * (D_ * H_ + H_**2) * 4 == 4 * (D_ * H_ + H_**2) * 3


def test_torch_layout_shapes_and_round_trip(params):
    t = gru_to_torch(params)
    assert {k: v.shape for k, v in t.items()} == {
        "weight_ih_l0": (3 * H, D),
        "weight_hh_l0": (3 * H, H),
        "bias_ih_l0": (3 * H,),
        "bias_hh_l0": (3 * H,),
    }
    assert np.array_equal(t["weight_ih_l0"], params["W_x"].T)
    assert np.array_equal(t["bias_hh_l0"], params["b_h"])  # kept apart, not summed
    back = gru_from_torch(t)
    assert all(np.array_equal(back[k], params[k]) for k in KEYS)


def test_torch_formula_matches_our_reset_after_step(rng):
    # torch.nn.GRU: r = sigma(W_ir x + b_ir + W_hr h + b_hr), z likewise,
    # n = tanh(W_in x + b_in + r * (W_hn h + b_hn)), h' = (1 - z) * n + z * h.
    s = {
        "weight_ih_l0": rng.normal(scale=0.5, size=(3 * H, D)),
        "weight_hh_l0": rng.normal(scale=0.5, size=(3 * H, H)),
        "bias_ih_l0": rng.normal(size=3 * H),
        "bias_hh_l0": rng.normal(size=3 * H),
    }
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    gi = x @ s["weight_ih_l0"].T + s["bias_ih_l0"]
    gh = h @ s["weight_hh_l0"].T + s["bias_hh_l0"]
    r = _sigmoid(gi[:, :H] + gh[:, :H])
    z = _sigmoid(gi[:, H : 2 * H] + gh[:, H : 2 * H])
    n = np.tanh(gi[:, 2 * H :] + r * gh[:, 2 * H :])
    expected = (1 - z) * n + z * h
    ours, _ = gru_step_forward(x, h, gru_from_torch(s))
    assert np.allclose(ours, expected, rtol=0, atol=1e-14)
    # Summing the two biases, as one may for the LSTM, would change the function.
    merged = {**gru_from_torch(s)}
    merged["b_x"], merged["b_h"] = merged["b_x"] + merged["b_h"], np.zeros(3 * H)
    wrong, _ = gru_step_forward(x, h, merged)
    assert np.max(np.abs(wrong - expected)) > 1e-3


def test_from_torch_rejects_an_lstm_state(rng):
    lstm_like = {
        "weight_ih_l0": np.zeros((4 * H, D)),
        "weight_hh_l0": np.zeros((4 * H, H)),
        "bias_ih_l0": np.zeros(4 * H),
        "bias_hh_l0": np.zeros(4 * H),
    }
    with pytest.raises(ValueError, match=message_with(arg('state["weight_hh_l0"]'), "(3H, H)")):
        gru_from_torch(lstm_like)
