"""softmax_cross_entropy against hand calculations.

One position: p = softmax(z), L = -ln p_y, dL/dz = p - onehot(y).
For z = [0, ln 3]: p = [1/4, 3/4], so target 1 gives L = -ln(3/4) and
dz = [1/4, 3/4 - 1] = [1/4, -1/4]; target 0 gives L = -ln(1/4) = ln 4 and
dz = [1/4 - 1, 3/4] = [-3/4, 3/4].
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from rnn_tutorial import softmax_cross_entropy

LN3 = math.log(3.0)


def test_one_row_target_1():
    loss, dz = softmax_cross_entropy(np.array([[0.0, LN3]]), np.array([1]))
    assert math.isclose(loss, -math.log(3 / 4), rel_tol=1e-14)
    assert np.allclose(dz, [[0.25, -0.25]], rtol=0, atol=1e-15)


def test_one_row_target_0():
    loss, dz = softmax_cross_entropy(np.array([[0.0, LN3]]), np.array([0]))
    assert math.isclose(loss, math.log(4.0), rel_tol=1e-14)
    assert np.allclose(dz, [[-0.75, 0.75]], rtol=0, atol=1e-15)


def test_loss_is_a_python_float():
    loss, _ = softmax_cross_entropy(np.array([[0.0, LN3]]), np.array([1]))
    assert type(loss) is float


def test_sum_and_mean_reductions():
    # Two positions: ln 4 (target 0) and -ln(3/4) = ln(4/3) (target 1).
    z = np.array([[0.0, LN3], [0.0, LN3]])
    y = np.array([0, 1])
    total = math.log(4.0) + math.log(4.0 / 3.0)
    loss_sum, dz_sum = softmax_cross_entropy(z, y, reduction="sum")
    loss_mean, dz_mean = softmax_cross_entropy(z, y, reduction="mean")
    assert math.isclose(loss_sum, total, rel_tol=1e-14)
    assert math.isclose(loss_mean, total / 2, rel_tol=1e-14)
    assert np.allclose(dz_sum, [[-0.75, 0.75], [0.25, -0.25]], rtol=0, atol=1e-15)
    assert np.allclose(dz_mean, [[-0.375, 0.375], [0.125, -0.125]], rtol=0, atol=1e-15)


def test_default_reduction_is_sum():
    z = np.zeros((3, 4))
    loss, _ = softmax_cross_entropy(z, np.array([0, 1, 2]))
    assert math.isclose(loss, 3 * math.log(4.0), rel_tol=1e-14)


def _hand_softmax(row):
    denom = sum(math.exp(v) for v in row)
    return [math.exp(v) / denom for v in row]


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_sequence_logits_against_scalar_loops(rng, reduction):
    N, T, V = 3, 4, 5
    z = rng.normal(size=(N, T, V))
    y = rng.integers(0, V, size=(N, T))
    total = 0.0
    expected_dz = np.empty((N, T, V))
    for n in range(N):
        for t in range(T):
            p = _hand_softmax(z[n, t])
            total += -math.log(p[y[n, t]])
            expected_dz[n, t] = [p[v] - (1.0 if v == y[n, t] else 0.0) for v in range(V)]
    if reduction == "mean":
        total /= N * T
        expected_dz /= N * T
    loss, dz = softmax_cross_entropy(z, y, reduction=reduction)
    assert dz.shape == (N, T, V)
    assert math.isclose(loss, total, rel_tol=1e-13)
    assert np.allclose(dz, expected_dz, rtol=0, atol=1e-14)


def test_gradient_is_p_minus_onehot_and_rows_sum_to_zero(rng):
    z = rng.normal(size=(6, 4))
    y = np.array([0, 1, 2, 3, 3, 0])
    _, dz = softmax_cross_entropy(z, y)
    onehot = np.eye(4)[y]
    p = np.array([_hand_softmax(row) for row in z])
    assert np.allclose(dz, p - onehot, rtol=0, atol=1e-14)
    assert np.allclose(dz.sum(axis=-1), 0.0, rtol=0, atol=1e-14)


def test_large_logits_are_stable():
    # z = [1000, 0]: p_1 = e^-1000 / (1 + e^-1000), so -ln p_1 = 1000 + ln(1 + e^-1000) = 1000
    # to double precision; target 0 gives ln(1 + e^-1000) = 0.
    z = np.array([[1000.0, 0.0], [1000.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise"):
            loss1, dz1 = softmax_cross_entropy(z[:1], np.array([1]))
            loss0, _ = softmax_cross_entropy(z[1:], np.array([0]))
    assert loss1 == 1000.0
    assert loss0 == 0.0
    assert np.allclose(dz1, [[1.0, -1.0]], rtol=0, atol=1e-15)


def test_input_logits_are_not_modified(rng):
    z = rng.normal(size=(3, 4))
    before = z.copy()
    softmax_cross_entropy(z, np.array([0, 1, 2]))
    assert np.array_equal(z, before)
