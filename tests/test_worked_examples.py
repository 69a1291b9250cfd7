"""Published worked examples reproduced with our batch-first package.

1. The two-dimensional-state example of a TensorFlow book: weights over the
   concatenation [h_{t-1}, x_t], expected values derived here by hand with
   ``math.tanh`` on scalars, and checked against the book's printed figures.
2. The classic numpy "Building your Recurrent Neural Network - Step by Step"
   assignment (column convention, examples in columns), whose recipes use
   ``np.random.seed(1)`` and ``np.random.randn``; we keep them exactly, convert
   to our layout, and convert the results back before comparing with the
   published numbers.
"""

# The assignment's recipes use the legacy global generator; DESIGN.md allows it here.
# ruff: noqa: NPY002

from __future__ import annotations

import math

import numpy as np
import pytest

from rnn_tutorial import (
    count_params,
    dense_forward,
    rnn_forward,
    rnn_step_forward,
    softmax,
)
from rnn_tutorial.layouts import (
    concat_to_rnn,
    rnn_from_assignment,
    sequence_from_assignment,
    sequence_to_assignment,
)

# --------------------------------------------------------------------------- the TensorFlow book

W_RNN = [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]]  # rows 0-1 multiply h_{t-1}, row 2 multiplies x_t
B_RNN = [0.1, -0.1]
W_OUTPUT = [[1.0], [2.0]]
B_OUTPUT = 0.1
INPUTS = [1.0, 2.0]


def _by_hand():
    """The example worked on scalars, every term written out."""
    # Step 1: h_0 = [0, 0], x_1 = 1.
    a1 = [0 * 0.1 + 0 * 0.3 + 1 * 0.5 + 0.1, 0 * 0.2 + 0 * 0.4 + 1 * 0.6 - 0.1]  # [0.6, 0.5]
    h1 = [math.tanh(a1[0]), math.tanh(a1[1])]
    y1 = h1[0] * 1.0 + h1[1] * 2.0 + 0.1
    # Step 2: x_2 = 2.
    a2 = [
        h1[0] * 0.1 + h1[1] * 0.3 + 2 * 0.5 + 0.1,
        h1[0] * 0.2 + h1[1] * 0.4 + 2 * 0.6 - 0.1,
    ]
    h2 = [math.tanh(a2[0]), math.tanh(a2[1])]
    y2 = h2[0] * 1.0 + h2[1] * 2.0 + 0.1
    return a1, h1, y1, a2, h2, y2


def _ours():
    rnn = concat_to_rnn(np.array(W_RNN), np.array(B_RNN), H=2)
    dense = {"W_hy": np.array(W_OUTPUT), "b_y": np.array([B_OUTPUT])}
    x = np.array(INPUTS).reshape(1, 2, 1)  # N = 1 sequence, T = 2 steps, D = 1
    hs, _ = rnn_forward(x, np.zeros((1, 2)), rnn)
    ys, _ = dense_forward(hs, dense)
    return rnn, dense, hs, ys


def test_hand_calculation_pre_activations():
    a1, _, _, a2, _, _ = _by_hand()
    assert a1 == pytest.approx([0.6, 0.5], abs=1e-15)
    # 0.0537 + 0.1386 + 1.1 and 0.1074 + 0.1848 + 1.1
    assert a2 == pytest.approx([1.2923, 1.3923], abs=1e-4)


def test_tensorflow_book_states_and_outputs_match_the_hand_calculation():
    _, h1, y1, _, h2, y2 = _by_hand()
    _, _, hs, ys = _ours()
    assert hs.shape == (1, 2, 2) and ys.shape == (1, 2, 1)
    assert np.allclose(hs[0], [h1, h2], rtol=0, atol=1e-15)
    assert np.allclose(ys[0, :, 0], [y1, y2], rtol=0, atol=1e-15)


def test_tensorflow_book_published_rounded_values():
    _, _, hs, ys = _ours()
    # Step 1: state [0.537, 0.462], output 1.56; step 2: state [0.860, 0.884], output 2.73.
    assert [round(float(v), 3) for v in hs[0, 0]] == [0.537, 0.462]
    assert round(float(ys[0, 0, 0]), 2) == 1.56
    assert [round(float(v), 3) for v in hs[0, 1]] == [0.860, 0.884]
    assert round(float(ys[0, 1, 0]), 2) == 2.73


def test_tensorflow_book_step_by_step_with_the_cell():
    rnn, dense, hs, ys = _ours()
    h = np.zeros((1, 2))
    for t, x_t in enumerate(INPUTS):
        h, _ = rnn_step_forward(np.array([[x_t]]), h, rnn)
        y, _ = dense_forward(h, dense)
        assert np.array_equal(h, hs[:, t]) and np.array_equal(y, ys[:, t])


def test_tensorflow_book_parameter_count():
    # (n + x) n + n with state size n = 2 and input size x = 1: (2 + 1) * 2 + 2 = 8.
    rnn, dense, _, _ = _ours()
    assert count_params(rnn) == (2 + 1) * 2 + 2 == 8
    # The output layer adds n * 1 + 1 = 3.
    assert count_params(dense) == 3


# ------------------------------------------------------------------------- the classic assignment


def _to_ours(Waa, Wax, Wya, ba, by):
    ours = rnn_from_assignment({"Waa": Waa, "Wax": Wax, "Wya": Wya, "ba": ba, "by": by})
    rnn = {k: ours[k] for k in ("W_xh", "W_hh", "b_h")}
    dense = {k: ours[k] for k in ("W_hy", "b_y")}
    return rnn, dense


def test_assignment_rnn_cell_forward():
    np.random.seed(1)
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    Waa = np.random.randn(5, 5)
    Wax = np.random.randn(5, 3)
    Wya = np.random.randn(2, 5)
    ba = np.random.randn(5, 1)
    by = np.random.randn(2, 1)

    rnn, dense = _to_ours(Waa, Wax, Wya, ba, by)
    h, _ = rnn_step_forward(xt.T, a_prev.T, rnn)  # ours: rows are examples
    logits, _ = dense_forward(h, dense)
    a_next = h.T  # back to columns: (n_a, m)
    yt_pred = softmax(logits).T  # softmax over classes = our last axis = their axis 0

    assert a_next.shape == (5, 10) and yt_pred.shape == (2, 10)
    published_a_next_4 = [
        0.59584544, 0.18141802, 0.61311866, 0.99808218, 0.85016201,
        0.99980978, -0.18887155, 0.99815551, 0.6531151, 0.82872037,
    ]  # fmt: skip
    published_yt_pred_1 = [
        0.9888161, 0.01682021, 0.21140899, 0.36817467, 0.98988387,
        0.88945212, 0.36920224, 0.9966312, 0.9982559, 0.17746526,
    ]  # fmt: skip
    # Printed to 8 decimals (7 where the last digit is 0): half a unit in the 8th is 5e-9,
    # in the 7th 5e-8.
    assert np.allclose(a_next[4], published_a_next_4, rtol=0, atol=5e-8)
    assert np.allclose(yt_pred[1], published_yt_pred_1, rtol=0, atol=5e-8)


def test_assignment_rnn_forward():
    np.random.seed(1)
    x = np.random.randn(3, 10, 4)  # (n_x, m, T_x)
    a0 = np.random.randn(5, 10)
    Waa = np.random.randn(5, 5)
    Wax = np.random.randn(5, 3)
    Wya = np.random.randn(2, 5)
    ba = np.random.randn(5, 1)
    by = np.random.randn(2, 1)

    rnn, dense = _to_ours(Waa, Wax, Wya, ba, by)
    hs, cache = rnn_forward(sequence_from_assignment(x), a0.T, rnn)  # (m, T_x, n_a)
    logits, _ = dense_forward(hs, dense)
    a = sequence_to_assignment(hs)  # (n_a, m, T_x)
    y_pred = sequence_to_assignment(softmax(logits))  # (n_y, m, T_x)
    # The assignment's caches[1] is the input sequence x; ours holds it step by step.
    x_from_cache = np.stack([step.x for step in cache.steps], axis=-1).transpose(1, 0, 2)

    assert a.shape == (5, 10, 4) and y_pred.shape == (2, 10, 4)
    assert x_from_cache.shape == (3, 10, 4)
    assert np.allclose(
        a[4][1], [-0.99999375, 0.77911235, -0.99861469, -0.99833267], rtol=0, atol=5e-9
    )
    assert np.allclose(
        y_pred[1][3], [0.79560373, 0.86224861, 0.11118257, 0.81515947], rtol=0, atol=5e-9
    )
    assert np.allclose(
        x_from_cache[1][3], [-1.1425182, -0.34934272, -0.20889423, 0.58662319], rtol=0, atol=5e-8
    )


def test_assignment_softmax_is_over_the_class_axis(rng):
    # Sanity of the conversion: in the column convention every column of y_pred sums to 1.
    logits_columns = rng.normal(size=(2, 10))
    p = softmax(logits_columns.T).T
    assert np.allclose(p.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    assert not np.allclose(p.sum(axis=1), 1.0)
