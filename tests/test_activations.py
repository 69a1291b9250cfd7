"""Activations: values from hand calculation, symmetry, and numerical stability.

The pytest configuration turns warnings into errors; the stability tests also
say so locally and make numpy raise on overflow and invalid operations, so an
``exp(1000)`` inside would fail here whatever the configuration. (Underflow,
``exp(-1000) == 0``, is harmless and allowed.)
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnn_tutorial import relu, sigmoid, softmax, tanh


@pytest.fixture
def strict_numerics():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            yield


# --------------------------------------------------------------------------- sigmoid


def test_sigmoid_hand_values():
    # sigma(0) = 1/2; sigma(ln 3) = 1 / (1 + 1/3) = 3/4; sigma(-ln 3) = 1/4.
    z = np.array([0.0, math.log(3.0), -math.log(3.0)])
    assert np.allclose(sigmoid(z), [0.5, 0.75, 0.25], rtol=0, atol=1e-15)


def test_sigmoid_matches_the_scalar_formula_on_moderate_values(rng):
    z = rng.uniform(-30, 30, size=50)
    expected = [1.0 / (1.0 + math.exp(-v)) for v in z]
    assert np.allclose(sigmoid(z), expected, rtol=1e-14, atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_is_stable_at_plus_minus_1000(strict_numerics, dtype):
    s = sigmoid(np.array([-1000.0, -100.0, 100.0, 1000.0], dtype=dtype))
    assert np.all(np.isfinite(s))
    assert s[0] == 0.0 and s[-1] == 1.0
    # sigma(-100) = e^-100 / (1 + e^-100), about 3.7e-44: tiny but not lost in float64.
    if dtype == np.float64:
        assert math.isclose(s[1], math.exp(-100), rel_tol=1e-12)


def test_sigmoid_symmetry(rng):
    z = np.concatenate([rng.normal(scale=5, size=100), [0.0, 1e-12, 40.0, 700.0, 1000.0]])
    assert np.allclose(sigmoid(-z), 1.0 - sigmoid(z), rtol=0, atol=1e-15)


def test_sigmoid_keeps_shape_and_lies_in_the_unit_interval(rng):
    z = rng.normal(scale=10, size=(3, 4, 5))
    s = sigmoid(z)
    assert s.shape == z.shape
    assert np.all((s >= 0) & (s <= 1))


# --------------------------------------------------------------------------- tanh, relu


def test_tanh_hand_value_and_derivative_identity():
    # tanh 0.6 = (e^1.2 - 1) / (e^1.2 + 1), the first state of the worked example.
    e = math.exp(1.2)
    assert math.isclose(float(tanh(0.6)), (e - 1) / (e + 1), rel_tol=1e-15)
    # d/dz tanh z = 1 - tanh^2 z, checked with a centred difference.
    z, eps = 0.3, 1e-6
    numeric = (float(tanh(z + eps)) - float(tanh(z - eps))) / (2 * eps)
    assert math.isclose(numeric, 1 - float(tanh(z)) ** 2, rel_tol=1e-9)


def test_relu_hand_values():
    assert relu(np.array([-2.0, -0.0, 0.0, 0.5, 3.0])).tolist() == [0.0, 0.0, 0.0, 0.5, 3.0]


# --------------------------------------------------------------------------- softmax


def test_softmax_hand_value():
    # [0, ln 3] -> [1, 3] / 4.
    assert np.allclose(softmax(np.array([0.0, math.log(3.0)])), [0.25, 0.75], rtol=0, atol=1e-15)


def test_softmax_matches_the_scalar_formula(rng):
    z = rng.normal(size=(4, 6))
    for row, p in zip(z, softmax(z), strict=True):
        denom = sum(math.exp(v) for v in row)
        assert np.allclose(p, [math.exp(v) / denom for v in row], rtol=1e-13, atol=0)


def test_softmax_rows_sum_to_one(rng):
    p = softmax(rng.normal(scale=4, size=(20, 7)))
    assert np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    assert np.all(p > 0)


def test_softmax_is_unchanged_by_adding_a_constant_to_a_row(rng):
    z = rng.normal(size=(5, 4))
    shift = rng.normal(scale=50, size=(5, 1))
    assert np.allclose(softmax(z + shift), softmax(z), rtol=0, atol=1e-12)


def test_softmax_is_stable_at_1000(strict_numerics):
    p = softmax(np.array([[1000.0, 1000.0], [1000.0, 1000.0 + math.log(3.0)], [-1000.0, 0.0]]))
    assert np.allclose(p, [[0.5, 0.5], [0.25, 0.75], [0.0, 1.0]], rtol=0, atol=1e-12)


def test_softmax_over_the_last_axis_of_a_3d_array(rng):
    z = rng.normal(size=(2, 3, 4))
    p = softmax(z)
    assert p.shape == (2, 3, 4)
    assert np.allclose(p.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    # Not over another axis: sums along axis 1 are not all 1.
    assert not np.allclose(p.sum(axis=1), 1.0)
    for n in range(2):
        for t in range(3):
            denom = sum(math.exp(v) for v in z[n, t])
            expected = [math.exp(v) / denom for v in z[n, t]]
            assert np.allclose(p[n, t], expected, rtol=1e-13, atol=0)
