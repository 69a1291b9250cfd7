"""The classic numpy assignment's LSTM, reproduced with our batch-first package.

The assignment ("Building your Recurrent Neural Network - Step by Step", seeds
000 and 004) works in columns: examples are columns, ``xt`` is (n_x, m), the
states are (n_a, m), and every gate multiplies the stacked column
``[a_prev; xt]`` by a matrix of shape (n_a, n_a + n_x). Its test cells draw
everything with ``np.random.randn`` after ``np.random.seed(1)`` and print a few
rows of the results.

Those printed LSTM rows are *not* in our seeds (seed 000 prints only the RNN's
numbers, seed 004 stops at the LSTM cell's docstring). So the expected values
come from a second, independent implementation written below: a direct
transcription of the assignment's column-convention equations, with one
matrix per gate acting on the concatenation, whose own backward pass is first
checked against finite differences. Our package must agree with it through
:func:`rnn_tutorial.lstm_from_assignment`.
"""

# The assignment's recipes use the legacy global generator; DESIGN.md allows it here.
# ruff: noqa: NPY002

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    dense_forward,
    lstm_forward,
    lstm_from_assignment,
    lstm_step_backward,
    lstm_step_forward,
    softmax,
)
from rnn_tutorial.layouts import sequence_from_assignment, sequence_to_assignment

ATOL = 1e-12  # the same float64 arithmetic in a different order
GATE_KEYS = ("Wf", "bf", "Wi", "bi", "Wo", "bo", "Wc", "bc")


# --------------------------------------------------------------------------- the column reference


def _sigmoid(a):
    return 1 / (1 + np.exp(-a))


def _softmax_columns(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def column_cell_forward(xt, a_prev, c_prev, P):
    """One LSTM step in the assignment's convention: examples in columns."""
    concat = np.vstack([a_prev, xt])  # (n_a + n_x, m)
    ft = _sigmoid(P["Wf"] @ concat + P["bf"])  # forget gate
    it = _sigmoid(P["Wi"] @ concat + P["bi"])  # the assignment's "update gate"
    cct = np.tanh(P["Wc"] @ concat + P["bc"])  # candidate c~
    c_next = ft * c_prev + it * cct
    ot = _sigmoid(P["Wo"] @ concat + P["bo"])
    a_next = ot * np.tanh(c_next)
    yt = _softmax_columns(P["Wy"] @ a_next + P["by"])
    return a_next, c_next, yt, (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, P)


def column_forward(x, a0, P):
    """The assignment's lstm_forward: x (n_x, m, T_x) -> a, y, c over all steps."""
    n_x, m, T_x = x.shape
    n_a, n_y = P["Wy"].shape[1], P["Wy"].shape[0]
    a, c, y = np.zeros((n_a, m, T_x)), np.zeros((n_a, m, T_x)), np.zeros((n_y, m, T_x))
    a_next, c_next = a0, np.zeros((n_a, m))  # the assignment starts the cell state at zero
    for t in range(T_x):
        a_next, c_next, yt, _ = column_cell_forward(x[:, :, t], a_next, c_next, P)
        a[:, :, t], c[:, :, t], y[:, :, t] = a_next, c_next, yt
    return a, y, c


def column_cell_backward(da_next, dc_next, cache):
    """The assignment's lstm_cell_backward, each gate's gradient written out in full."""
    a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, P = cache
    n_a = a_next.shape[0]
    through_h = ot * (1 - np.tanh(c_next) ** 2) * da_next  # c_next's gradient via a_next
    dot = da_next * np.tanh(c_next) * ot * (1 - ot)
    dcct = (dc_next * it + through_h * it) * (1 - cct**2)
    dit = (dc_next * cct + through_h * cct) * it * (1 - it)
    dft = (dc_next * c_prev + through_h * c_prev) * ft * (1 - ft)
    concat = np.vstack([a_prev, xt])
    grads = {
        "dWf": dft @ concat.T,
        "dWi": dit @ concat.T,
        "dWc": dcct @ concat.T,
        "dWo": dot @ concat.T,
        "dbf": dft.sum(axis=1, keepdims=True),
        "dbi": dit.sum(axis=1, keepdims=True),
        "dbc": dcct.sum(axis=1, keepdims=True),
        "dbo": dot.sum(axis=1, keepdims=True),
    }
    pairs = ((P["Wf"], dft), (P["Wi"], dit), (P["Wc"], dcct), (P["Wo"], dot))
    grads["da_prev"] = sum(W[:, :n_a].T @ d for W, d in pairs)
    grads["dxt"] = sum(W[:, n_a:].T @ d for W, d in pairs)
    grads["dc_prev"] = dc_next * ft + through_h * ft
    return grads


# --------------------------------------------------------------------------- the recipes


def _draw_parameters(n_a=5, n_x=3, n_y=2):
    """The parameter draws of the assignment's test cells, in their order."""
    P = {}
    for key in GATE_KEYS:
        P[key] = np.random.randn(n_a, n_a + n_x) if key[0] == "W" else np.random.randn(n_a, 1)
    P["Wy"] = np.random.randn(n_y, n_a)
    P["by"] = np.random.randn(n_y, 1)
    return P


def cell_recipe():
    np.random.seed(1)
    xt = np.random.randn(3, 10)
    a_prev = np.random.randn(5, 10)
    c_prev = np.random.randn(5, 10)
    return xt, a_prev, c_prev, _draw_parameters()


def forward_recipe():
    np.random.seed(1)
    x = np.random.randn(3, 10, 7)
    a0 = np.random.randn(5, 10)
    return x, a0, _draw_parameters()


def cell_backward_recipe():
    xt, a_prev, c_prev, P = cell_recipe()
    da_next = np.random.randn(5, 10)
    dc_next = np.random.randn(5, 10)
    return xt, a_prev, c_prev, P, da_next, dc_next


def _ours(P):
    ours = lstm_from_assignment(P)
    return {k: ours[k] for k in ("W_x", "W_h", "b")}, {k: ours[k] for k in ("W_hy", "b_y")}


# --------------------------------------------------------------------------- the reference itself


def test_the_recipe_draw_order_and_shapes():
    xt, a_prev, c_prev, P = cell_recipe()
    assert xt.shape == (3, 10) and a_prev.shape == c_prev.shape == (5, 10)
    assert list(P) == [*GATE_KEYS, "Wy", "by"]
    assert P["Wf"].shape == (5, 8) and P["bf"].shape == (5, 1) and P["Wy"].shape == (2, 5)
    np.random.seed(1)
    assert np.array_equal(np.random.randn(3, 10), xt)  # the first draw is xt


def test_the_column_reference_backward_matches_finite_differences():
    # L = sum(a_next * da_next) + sum(c_next * dc_next): the gradients the reference's
    # backward returns are then dL/d(everything), checked here by centred differences.
    xt, a_prev, c_prev, P, da_next, dc_next = cell_backward_recipe()

    def loss():
        a_next, c_next, _, _ = column_cell_forward(xt, a_prev, c_prev, P)
        return float(np.sum(a_next * da_next) + np.sum(c_next * dc_next))

    *_, cache = column_cell_forward(xt, a_prev, c_prev, P)
    analytic = column_cell_backward(da_next, dc_next, cache)
    targets = {"dxt": xt, "da_prev": a_prev, "dc_prev": c_prev}
    targets.update({f"d{k}": P[k] for k in GATE_KEYS})
    eps = 1e-6
    for name, theta in targets.items():
        numeric = np.zeros_like(theta)
        for idx in np.ndindex(theta.shape):
            keep = theta[idx]
            theta[idx] = keep + eps
            plus = loss()
            theta[idx] = keep - eps
            minus = loss()
            theta[idx] = keep
            numeric[idx] = (plus - minus) / (2 * eps)
        err = np.linalg.norm(analytic[name] - numeric) / (
            np.linalg.norm(analytic[name]) + np.linalg.norm(numeric)
        )
        assert err < 1e-7, (name, err)


# ------------------------------------------------------------------------ our package against it


def test_lstm_cell_forward():
    xt, a_prev, c_prev, P = cell_recipe()
    a_ref, c_ref, y_ref, _ = column_cell_forward(xt, a_prev, c_prev, P)

    lstm, dense = _ours(P)
    h, c, _ = lstm_step_forward(xt.T, a_prev.T, c_prev.T, lstm)  # ours: rows are examples
    logits, _ = dense_forward(h, dense)
    a_next, c_next, yt = h.T, c.T, softmax(logits).T  # back to columns

    assert a_next.shape == (5, 10) and c_next.shape == (5, 10) and yt.shape == (2, 10)
    # The rows the assignment prints: a_next[4], c_next[2], yt[1].
    assert np.allclose(a_next[4], a_ref[4], rtol=0, atol=ATOL)
    assert np.allclose(c_next[2], c_ref[2], rtol=0, atol=ATOL)
    assert np.allclose(yt[1], y_ref[1], rtol=0, atol=ATOL)
    # And everything else too.
    assert np.allclose(a_next, a_ref, rtol=0, atol=ATOL)
    assert np.allclose(c_next, c_ref, rtol=0, atol=ATOL)
    assert np.allclose(yt, y_ref, rtol=0, atol=ATOL)


def test_lstm_forward():
    x, a0, P = forward_recipe()
    a_ref, y_ref, c_ref = column_forward(x, a0, P)

    lstm, dense = _ours(P)
    hs, cs, _ = lstm_forward(sequence_from_assignment(x), a0.T, np.zeros((10, 5)), lstm)
    logits, _ = dense_forward(hs, dense)
    a, c = sequence_to_assignment(hs), sequence_to_assignment(cs)  # (n_a, m, T_x)
    y = sequence_to_assignment(softmax(logits))  # (n_y, m, T_x)

    assert a.shape == c.shape == (5, 10, 7) and y.shape == (2, 10, 7)
    # The entries the assignment prints: a[4][3][6], y[1][4][3], c[1][2][1].
    assert a[4][3][6] == pytest.approx(a_ref[4][3][6], abs=ATOL)
    assert y[1][4][3] == pytest.approx(y_ref[1][4][3], abs=ATOL)
    assert c[1][2][1] == pytest.approx(c_ref[1][2][1], abs=ATOL)
    for ours, ref in ((a, a_ref), (y, y_ref), (c, c_ref)):
        assert np.allclose(ours, ref, rtol=0, atol=ATOL)


def test_lstm_cell_backward():
    xt, a_prev, c_prev, P, da_next, dc_next = cell_backward_recipe()
    *_, cache_ref = column_cell_forward(xt, a_prev, c_prev, P)
    ref = column_cell_backward(da_next, dc_next, cache_ref)

    lstm, _ = _ours(P)
    _, _, cache = lstm_step_forward(xt.T, a_prev.T, c_prev.T, lstm)
    # The assignment's da_next, dc_next are our dh, dc transposed; its dc_prev, like
    # ours, includes the path from c_next through tanh into a_next.
    dx, dh_prev, dc_prev, grads = lstm_step_backward(da_next.T, dc_next.T, cache)

    n_a = 5
    ours = {"dxt": dx.T, "da_prev": dh_prev.T, "dc_prev": dc_prev.T}
    # Back to the assignment's per-gate matrices over [a_prev; x]: our block k of
    # W_h (rows for a_prev) and of W_x (rows for x), transposed, side by side.
    for k, gate in enumerate("ifco"):  # our order i, f, g, o; the assignment calls g "c"
        block = slice(k * n_a, (k + 1) * n_a)
        ours[f"dW{gate}"] = np.hstack([grads["W_h"][:, block].T, grads["W_x"][:, block].T])
        ours[f"db{gate}"] = grads["b"][block][:, None]

    # The entries the assignment prints.
    printed = {
        "dxt": (1, 2),
        "da_prev": (2, 3),
        "dc_prev": (2, 3),
        "dWf": (3, 1),
        "dWi": (1, 2),
        "dWc": (3, 1),
        "dWo": (1, 2),
        "dbf": (4,),
        "dbi": (4,),
        "dbc": (4,),
        "dbo": (4,),
    }
    for name, index in printed.items():
        assert ours[name].shape == ref[name].shape, name
        assert np.allclose(ours[name][index], ref[name][index], rtol=0, atol=ATOL), name
        assert np.allclose(ours[name], ref[name], rtol=0, atol=ATOL), name


# --------------------------------------------------------------------------- the conversion


def test_lstm_from_assignment_blocks():
    _, _, _, P = cell_recipe()
    ours = lstm_from_assignment(P)
    assert {k: v.shape for k, v in ours.items()} == {
        "W_x": (3, 20),
        "W_h": (5, 20),
        "b": (20,),
        "W_hy": (5, 2),
        "b_y": (2,),
    }
    # Block 0 is the assignment's update gate (our i), block 2 its Wc (our g).
    assert np.array_equal(ours["W_h"][:, 0:5], P["Wi"][:, :5].T)
    assert np.array_equal(ours["W_x"][:, 5:10], P["Wf"][:, 5:].T)
    assert np.array_equal(ours["W_x"][:, 10:15], P["Wc"][:, 5:].T)
    assert np.array_equal(ours["b"][15:20], P["bo"][:, 0])
    assert np.array_equal(ours["W_hy"], P["Wy"].T)


def test_lstm_from_assignment_without_output_layer():
    _, _, _, P = cell_recipe()
    del P["Wy"], P["by"]
    assert set(lstm_from_assignment(P)) == {"W_x", "W_h", "b"}


def test_lstm_from_assignment_bad_input():
    _, _, _, P = cell_recipe()
    with pytest.raises(ValueError, match=message_with("'Wc'", "missing")):
        lstm_from_assignment({k: v for k, v in P.items() if k != "Wc"})
    with pytest.raises(
        ValueError, match=message_with(arg('parameters["Wo"]'), "(5, 7)", "(5, 8)")
    ):
        lstm_from_assignment({**P, "Wo": np.zeros((5, 7))})
    with pytest.raises(ValueError, match=message_with(arg('parameters["bi"]'), "(5,)", "(5, 1)")):
        lstm_from_assignment({**P, "bi": np.zeros(5)})
    with pytest.raises(ValueError, match=message_with(arg('parameters["Wf"]'), "n_a + n_x")):
        lstm_from_assignment({**P, "Wf": np.zeros((5, 5))})
