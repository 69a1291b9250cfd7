"""Optimisers: one or two steps against values worked out by hand from the update rules.

Each expected value is the update rule written out in the test with Python
floats (or its closed form), not a call to the optimiser under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import SGD, Adagrad, Adam

EPS = 1e-8


# --------------------------------------------------------------------------- SGD


def test_sgd_hand_values_and_in_place():
    w = np.array([1.0, 2.0])
    params = {"w": w}
    opt = SGD(lr=0.1)
    opt.step(params, {"w": np.array([10.0, -10.0])})
    assert params["w"] is w  # updated in place, not replaced
    assert np.allclose(w, [0.0, 3.0], rtol=0, atol=1e-15)  # 1 - 0.1 * 10, 2 + 0.1 * 10
    opt.step(params, {"w": np.array([1.0, 1.0])})
    assert np.allclose(w, [-0.1, 2.9], rtol=0, atol=1e-15)


def test_sgd_loops_over_every_key():
    params = {"W": np.ones((2, 2)), "b": np.zeros(3)}
    SGD(lr=0.5).step(params, {"W": np.full((2, 2), 2.0), "b": np.array([1.0, -2.0, 4.0])})
    assert np.array_equal(params["W"], np.zeros((2, 2)))
    assert np.array_equal(params["b"], np.array([-0.5, 1.0, -2.0]))


# --------------------------------------------------------------------------- Adagrad


def test_adagrad_two_steps_by_hand():
    # w = 1, lr = 0.1. Step 1: g = 2, m = 4, w = 1 - 0.1 * 2 / sqrt(4 + eps) ~ 0.9.
    # Step 2: g = 1, m = 5, w = 0.9 - 0.1 / sqrt(5) ~ 0.855278640450.
    params = {"w": np.array([1.0])}
    opt = Adagrad(lr=0.1)
    opt.step(params, {"w": np.array([2.0])})
    w1 = 1 - 0.1 * 2 / math.sqrt(4 + EPS)
    assert math.isclose(params["w"][0], w1, rel_tol=1e-15)
    assert math.isclose(w1, 0.9, rel_tol=1e-9)
    opt.step(params, {"w": np.array([1.0])})
    w2 = w1 - 0.1 * 1 / math.sqrt(5 + EPS)
    assert math.isclose(params["w"][0], w2, rel_tol=1e-15)
    assert math.isclose(w2, 0.855278640450, rel_tol=1e-9)
    assert opt.memory["w"].tolist() == [5.0]  # 2^2 + 1^2


def test_adagrad_memory_lives_across_calls_and_slows_repeated_steps():
    # The same gradient g n times: step n moves lr * g / sqrt(n g^2) = lr / sqrt(n).
    params = {"w": np.array([0.0])}
    opt = Adagrad(lr=1.0)
    positions = [0.0]
    for _ in range(4):
        opt.step(params, {"w": np.array([3.0])})
        positions.append(params["w"][0])
    moves = -np.diff(positions)
    assert np.allclose(moves, 1 / np.sqrt([1, 2, 3, 4]), rtol=1e-8)


def test_adagrad_keys_have_separate_memories():
    params = {"a": np.array([0.0]), "b": np.array([0.0])}
    opt = Adagrad(lr=1.0)
    opt.step(params, {"a": np.array([10.0]), "b": np.array([0.0])})
    opt.step(params, {"a": np.array([0.0]), "b": np.array([1.0])})
    # b's first non-zero gradient moves it by lr * 1 / sqrt(1), untouched by a's history.
    assert math.isclose(params["b"][0], -1 / math.sqrt(1 + EPS), rel_tol=1e-15)


# --------------------------------------------------------------------------- Adam


def test_adam_first_step_moves_each_entry_by_about_lr_times_sign(rng):
    # Bias-corrected: m_hat = g and v_hat = g^2 at t = 1, so the step is lr g / (|g| + eps):
    # about lr whatever the gradient's size.
    lr = 1e-2
    g = np.array([1e3, -5.0, 1e-3, -1e-2, 7.0])
    params = {"w": rng.normal(size=5)}
    before = params["w"].copy()
    Adam(lr=lr).step(params, {"w": g})
    move = params["w"] - before
    assert np.allclose(move, -lr * np.sign(g), rtol=1e-4, atol=0)  # eps / |g| <= 1e-5
    assert np.allclose(move, -lr * g / (np.abs(g) + EPS), rtol=1e-12, atol=0)


def test_adam_two_steps_by_hand():
    # beta1 = 0.9, beta2 = 0.999, lr = 0.1; g1 = 1, g2 = 3.
    # t=1: m = 0.1,  v = 0.001,  m_hat = 1, v_hat = 1, step = 0.1 / (1 + eps)
    # t=2: m = 0.09 + 0.3 = 0.39, v = 0.000999 + 0.009 = 0.009999,
    #      m_hat = 0.39 / 0.19, v_hat = 0.009999 / 0.001999, step = 0.1 m_hat / (sqrt(v_hat) + eps)
    params = {"w": np.array([0.0])}
    opt = Adam(lr=0.1)
    opt.step(params, {"w": np.array([1.0])})
    w1 = -0.1 * 1 / (1 + EPS)
    assert math.isclose(params["w"][0], w1, rel_tol=1e-12)
    opt.step(params, {"w": np.array([3.0])})
    m_hat, v_hat = 0.39 / 0.19, 0.009999 / 0.001999
    w2 = w1 - 0.1 * m_hat / (math.sqrt(v_hat) + EPS)
    assert math.isclose(params["w"][0], w2, rel_tol=1e-12)
    assert math.isclose(w2, -0.1 - 0.0917781, rel_tol=1e-6)  # 2.0526316 / 2.2365150
    assert opt.t == 2
    assert math.isclose(opt.m["w"][0], 0.39, rel_tol=1e-14)
    assert math.isclose(opt.v["w"][0], 0.009999, rel_tol=1e-14)


def test_adam_without_bias_correction_would_be_ten_times_shorter():
    # The uncorrected first step is lr * 0.1 g / (sqrt(0.001) |g|) = lr * 3.16: the
    # correction matters, and the test below would fail without it.
    params = {"w": np.array([0.0])}
    Adam(lr=1.0).step(params, {"w": np.array([4.0])})
    assert math.isclose(abs(params["w"][0]), 1.0, rel_tol=1e-8)
    assert not math.isclose(abs(params["w"][0]), 0.1 / math.sqrt(0.001), rel_tol=1e-2)


# --------------------------------------------------------------------------- shared behaviour


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Adagrad(), lambda: Adam()])
def test_mismatched_grads_are_named(make):
    params = {"W_hh": np.zeros((3, 3)), "b_h": np.zeros(3)}
    opt = make()
    with pytest.raises(ValueError, match=message_with('grads["W_hh"]', "(3, 2)", "(3, 3)")):
        opt.step(params, {"W_hh": np.zeros((3, 2)), "b_h": np.zeros(3)})
    with pytest.raises(ValueError, match=message_with("'b_h'", arg("grads"))):
        opt.step(params, {"W_hh": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=message_with("'W_xh'", arg("grads"))):
        opt.step(params, {"W_hh": np.zeros((3, 3)), "b_h": np.zeros(3), "W_xh": np.zeros(2)})
    # nothing was updated by the refused steps
    assert not np.any(params["W_hh"]) and not np.any(params["b_h"])


@pytest.mark.parametrize("make", [lambda: SGD(0.1), lambda: Adagrad(), lambda: Adam()])
def test_integer_params_cannot_be_updated_in_place(make):
    with pytest.raises(ValueError, match=message_with('params["w"]', "floating")):
        make().step({"w": np.array([1, 2])}, {"w": np.array([0.5, 0.5])})


@pytest.mark.parametrize(
    "make, name",
    [
        (lambda: SGD(0), "lr"),
        (lambda: SGD(-1.0), "lr"),
        (lambda: Adagrad(lr=np.nan), "lr"),
        (lambda: Adagrad(eps=-1e-8), "eps"),
        (lambda: Adam(beta1=1.0), "beta1"),
        (lambda: Adam(beta2=-0.1), "beta2"),
        (lambda: Adam(lr="0.1"), "lr"),
    ],
)
def test_bad_hyperparameters_are_rejected(make, name):
    with pytest.raises(ValueError, match=message_with(arg(name))):
        make()


def test_state_for_a_key_must_keep_its_shape():
    opt = Adagrad()
    opt.step({"w": np.zeros(2)}, {"w": np.ones(2)})
    with pytest.raises(ValueError, match=message_with('params["w"]', "(3,)", "(2,)")):
        opt.step({"w": np.zeros(3)}, {"w": np.ones(3)})
