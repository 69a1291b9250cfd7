"""Conversions to and from the layouts of other texts and libraries.

Each test computes the other layout's formula directly, as that text or library
writes it, and compares it with our layer on the converted weights.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import rnn_forward, rnn_step_forward
from rnn_tutorial.layouts import (
    concat_to_rnn,
    rnn_from_assignment,
    rnn_from_torch,
    rnn_to_torch,
    sequence_from_assignment,
    sequence_to_assignment,
)

N, T, D, H = 3, 4, 2, 5


# --------------------------------------------------------------------------- PyTorch


@pytest.fixture
def torch_state(rng):
    return {
        "weight_ih_l0": rng.normal(size=(H, D)),
        "weight_hh_l0": rng.normal(size=(H, H)),
        "bias_ih_l0": rng.normal(size=H),
        "bias_hh_l0": rng.normal(size=H),
    }


def test_torch_formula_matches_our_step(rng, torch_state):
    # torch.nn.RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    s = torch_state
    expected = np.tanh(
        x @ s["weight_ih_l0"].T + s["bias_ih_l0"] + h @ s["weight_hh_l0"].T + s["bias_hh_l0"]
    )
    ours, _ = rnn_step_forward(x, h, rnn_from_torch(s))
    assert np.allclose(ours, expected, rtol=0, atol=1e-14)


def test_from_torch_sums_the_two_biases(torch_state):
    p = rnn_from_torch(torch_state)
    assert np.array_equal(p["b_h"], torch_state["bias_ih_l0"] + torch_state["bias_hh_l0"])
    assert np.array_equal(p["W_xh"], torch_state["weight_ih_l0"].T)
    assert np.array_equal(p["W_hh"], torch_state["weight_hh_l0"].T)
    assert p["W_xh"].shape == (D, H)


def test_ours_to_torch_and_back_is_the_identity(rng):
    p = {
        "W_xh": rng.normal(size=(D, H)),
        "W_hh": rng.normal(size=(H, H)),
        "b_h": rng.normal(size=H),
    }
    t = rnn_to_torch(p)
    assert t["weight_ih_l0"].shape == (H, D) and t["weight_hh_l0"].shape == (H, H)
    back = rnn_from_torch(t)
    assert set(back) == set(p)
    for key in p:
        assert np.array_equal(back[key], p[key]), key


def test_torch_and_back_keeps_the_function(rng, torch_state):
    # The bias split is not unique, so torch -> ours -> torch need not return the
    # same arrays; it must return the same function.
    again = rnn_to_torch(rnn_from_torch(torch_state))
    x, h = rng.normal(size=(N, D)), rng.normal(size=(N, H))

    def torch_step(s):
        a = x @ s["weight_ih_l0"].T + s["bias_ih_l0"] + h @ s["weight_hh_l0"].T + s["bias_hh_l0"]
        return np.tanh(a)

    assert np.allclose(torch_step(again), torch_step(torch_state), rtol=0, atol=1e-14)


def test_to_torch_copies(rng):
    p = {"W_xh": rng.normal(size=(D, H)), "W_hh": rng.normal(size=(H, H)), "b_h": np.zeros(H)}
    t = rnn_to_torch(p)
    t["weight_ih_l0"][0, 0] = 99.0
    t["bias_ih_l0"][0] = 99.0
    assert p["W_xh"][0, 0] != 99.0 and p["b_h"][0] == 0.0


# --------------------------------------------------------------------------- concatenated form


def test_concat_to_rnn_matches_the_concatenated_formula(rng):
    w = rng.normal(size=(H + D, H))
    b = rng.normal(size=H)
    x, h_prev = rng.normal(size=(N, D)), rng.normal(size=(N, H))
    expected = np.tanh(np.concatenate([h_prev, x], axis=1) @ w + b)
    ours, _ = rnn_step_forward(x, h_prev, concat_to_rnn(w, b, H=H))
    assert np.allclose(ours, expected, rtol=0, atol=1e-14)


def test_concat_to_rnn_over_a_sequence(rng):
    w = rng.normal(scale=0.5, size=(H + D, H))
    b = rng.normal(size=H)
    x, h = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, _ = rnn_forward(x, h, concat_to_rnn(w, b, H=H))
    for t in range(T):
        h = np.tanh(np.concatenate([h, x[:, t]], axis=1) @ w + b)
        assert np.allclose(hs[:, t], h, rtol=0, atol=1e-14), t


def test_concat_to_rnn_split_and_copy():
    w = np.arange(8.0).reshape(4, 2)  # H = 2: rows 0-1 multiply h_prev, rows 2-3 x
    p = concat_to_rnn(w, np.array([1.0, 2.0]), H=2)
    assert p["W_hh"].tolist() == [[0.0, 1.0], [2.0, 3.0]]
    assert p["W_xh"].tolist() == [[4.0, 5.0], [6.0, 7.0]]
    p["W_hh"][0, 0] = 99.0
    assert w[0, 0] == 0.0


@pytest.mark.parametrize("shape", [(2, 2), (5, 3), (6,)])
def test_concat_to_rnn_rejects_a_wrong_w(shape):
    with pytest.raises(ValueError, match=r"(?s)(?=.*\bw\b)(?=.*H \+ D)"):
        concat_to_rnn(np.zeros(shape), np.zeros(2), H=2)


def test_concat_to_rnn_rejects_a_wrong_b():
    with pytest.raises(ValueError, match=r"(?s)(?=.*\bb\b)(?=.*\(3,\))(?=.*\(2,\))"):
        concat_to_rnn(np.zeros((3, 2)), np.zeros(3), H=2)


# ------------------------------------------------------------------------- the classic assignment


@pytest.fixture
def assignment_params(rng):
    n_a, n_x, n_y = H, D, 3
    return {
        "Wax": rng.normal(size=(n_a, n_x)),
        "Waa": rng.normal(scale=0.5, size=(n_a, n_a)),
        "ba": rng.normal(size=(n_a, 1)),
        "Wya": rng.normal(size=(n_y, n_a)),
        "by": rng.normal(size=(n_y, 1)),
    }


def test_rnn_from_assignment_gives_the_column_convention_states(rng, assignment_params):
    # Column convention, examples in columns: a<t> = tanh(Waa a<t-1> + Wax x<t> + ba).
    P = assignment_params
    x = rng.normal(size=(D, N, T))  # (n_x, m, T_x)
    a0 = rng.normal(size=(H, N))  # (n_a, m)
    a = a0
    expected = np.empty((H, N, T))
    for t in range(T):
        a = np.tanh(P["Waa"] @ a + P["Wax"] @ x[:, :, t] + P["ba"])
        expected[:, :, t] = a
    ours = rnn_from_assignment(P)
    rnn = {k: ours[k] for k in ("W_xh", "W_hh", "b_h")}
    hs, _ = rnn_forward(sequence_from_assignment(x), a0.T, rnn)
    assert np.allclose(sequence_to_assignment(hs), expected, rtol=0, atol=1e-14)


def test_rnn_from_assignment_names_and_shapes(assignment_params):
    ours = rnn_from_assignment(assignment_params)
    assert {k: v.shape for k, v in ours.items()} == {
        "W_xh": (D, H),
        "W_hh": (H, H),
        "b_h": (H,),
        "W_hy": (H, 3),
        "b_y": (3,),
    }
    assert np.array_equal(ours["W_hy"], assignment_params["Wya"].T)
    assert np.array_equal(ours["b_y"], assignment_params["by"][:, 0])


def test_rnn_from_assignment_without_output_weights(assignment_params):
    del assignment_params["Wya"], assignment_params["by"]
    assert set(rnn_from_assignment(assignment_params)) == {"W_xh", "W_hh", "b_h"}


def test_rnn_from_assignment_missing_key(assignment_params):
    del assignment_params["Waa"]
    with pytest.raises(ValueError, match=r"(?s)(?=.*'Waa')(?=.*missing)"):
        rnn_from_assignment(assignment_params)


def test_rnn_from_assignment_1d_bias(assignment_params):
    assignment_params["ba"] = np.zeros(H)
    with pytest.raises(ValueError, match=r"(?s)(?=.*ba)(?=.*2-D)(?=.*\(5,\))"):
        rnn_from_assignment(assignment_params)


def test_sequence_layout_index_mapping_and_round_trip(rng):
    x = rng.normal(size=(D, N, T))  # (n_x, m, T_x)
    ours = sequence_from_assignment(x)
    assert ours.shape == (N, T, D)
    for d in range(D):
        for n in range(N):
            for t in range(T):
                assert ours[n, t, d] == x[d, n, t]
    assert np.array_equal(sequence_to_assignment(ours), x)


@pytest.mark.parametrize("convert", [sequence_from_assignment, sequence_to_assignment])
def test_sequence_layouts_need_3d(convert):
    with pytest.raises(ValueError, match=r"(?s)(?=.*\bx\b)(?=.*3-D)(?=.*\(3, 4\))"):
        convert(np.zeros((3, 4)))
