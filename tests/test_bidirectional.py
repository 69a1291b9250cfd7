"""Bidirectional layers: gradients of every cell, the reversal, the merges, bad input.

Gradients are checked against centred finite differences in float64. The
reversal is checked against an independent construction (each backward state
is the last state of a plain layer run over the reversed suffix) and by which
inputs each half may depend on; a copy of the layer with the classic bug (the
backward outputs left in reversed order) must fail both checks.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import (
    BidirectionalCache,
    PositionClassifier,
    bidirectional_backward,
    bidirectional_forward,
    dense_forward,
    grad_check,
    init_bidirectional,
    masked_middle,
    reverse_time,
    split_directions,
    stack_directions,
    sum_projections_backward,
    sum_projections_forward,
    unstack_directions,
)
from rnn_tutorial.layers import init_layer, layer_forward

N, T, D, H = 2, 4, 3, 5
TOL = 1e-7
CASES = [
    ("rnn", {}),
    ("rnn", {"activation": "relu"}),
    ("lstm", {}),
    ("gru", {}),
    ("gru", {"form": "textbook"}),
]
STATE_KEYS = {"rnn": ("h0",), "lstm": ("h0", "c0"), "gru": ("h0",)}


def _problem(cell, rng):
    """Weights of both directions, inputs and initial states, in one flat dict for grad_check."""
    fwd, bwd = init_bidirectional(cell, D, H, rng=rng)
    p = {**{f"fwd.{k}": v for k, v in fwd.items()}, **{f"bwd.{k}": v for k, v in bwd.items()}}
    p["x"] = rng.normal(size=(N, T, D))
    for direction in ("fwd", "bwd"):
        for key in STATE_KEYS[cell]:
            p[f"{direction}.{key}"] = rng.normal(size=(N, H)) * 0.5
    return p


def _unpack(cell, p):
    layers = tuple(
        {
            k.split(".", 1)[1]: v
            for k, v in p.items()
            if k.startswith(d) and k[4:] not in ("h0", "c0")
        }
        for d in ("fwd.", "bwd.")
    )
    states = tuple(tuple(p[f"{d}.{k}"] for k in STATE_KEYS[cell]) for d in ("fwd", "bwd"))
    return layers, states


def _loss_fn(cell, options, rng):
    """A loss of the outputs *and* both final states, so every path is exercised."""
    n_state = len(STATE_KEYS[cell])
    w_hs = rng.normal(size=(N, T, 2 * H))
    w_state = tuple(tuple(rng.normal(size=(N, H)) for _ in range(n_state)) for _ in range(2))

    def loss_fn(p):
        layers, states = _unpack(cell, p)
        hs, state, cache = bidirectional_forward(cell, p["x"], layers, states, **options)
        loss = np.sum(w_hs * hs) + sum(
            np.sum(w * s)
            for ws, ss in zip(w_state, state, strict=True)
            for w, s in zip(ws, ss, strict=True)
        )
        dx, dstate0, (g_fwd, g_bwd) = bidirectional_backward(w_hs, cache, w_state)
        grads = {"x": dx}
        grads.update({f"fwd.{k}": v for k, v in g_fwd.items()})
        grads.update({f"bwd.{k}": v for k, v in g_bwd.items()})
        for d, ds in zip(("fwd", "bwd"), dstate0, strict=True):
            grads.update({f"{d}.{k}": v for k, v in zip(STATE_KEYS[cell], ds, strict=True)})
        return float(loss), grads

    return loss_fn


@pytest.mark.parametrize(("cell", "options"), CASES)
def test_every_gradient_matches_finite_differences(cell, options):
    rng = np.random.default_rng(5)
    errors = grad_check(_loss_fn(cell, options, rng), _problem(cell, rng))
    assert max(errors.values()) < TOL, errors


def _no_rereversal(cell, x, params):
    """The classic bug, written on purpose: the backward outputs left in reversed order."""
    hs_fwd, _, _ = layer_forward(cell, x, params[0])
    hs_rev, _, _ = layer_forward(cell, x[:, ::-1], params[1])
    return np.concatenate([hs_fwd, hs_rev], axis=-1)


def _by_construction(cell, x, params):
    """Each step built from scratch: h_t by reading x_1..x_t, h'_t by reading x_T..x_t."""
    out = np.empty(x.shape[:2] + (2 * H,))
    for t in range(x.shape[1]):
        out[:, t, :H] = layer_forward(cell, x[:, : t + 1], params[0])[1][0]
        out[:, t, H:] = layer_forward(cell, x[:, t:][:, ::-1], params[1])[1][0]
    return out


def _depends_only_on_its_side(layer, cell, x, params, t0=1) -> bool:
    """A change of x_{t0} may move the forward half at t >= t0, the backward half at t <= t0."""
    hs = layer(cell, x, params)
    x2 = x.copy()
    x2[:, t0] += 1.0
    moved = np.abs(layer(cell, x2, params) - hs) > 0
    forward_ok = not moved[:, :t0, :H].any() and moved[:, t0:, :H].any()
    backward_ok = not moved[:, t0 + 1 :, H:].any() and moved[:, : t0 + 1, H:].any()
    return forward_ok and backward_ok


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_each_half_is_its_direction_read_to_that_step(cell):
    rng = np.random.default_rng(0)
    params = init_bidirectional(cell, D, H, rng=rng)
    x = rng.normal(size=(N, T, D))

    def ours(cell, x, params):
        return bidirectional_forward(cell, x, params)[0]

    np.testing.assert_allclose(
        ours(cell, x, params), _by_construction(cell, x, params), rtol=1e-12
    )
    assert _depends_only_on_its_side(ours, cell, x, params)
    # the same checks catch the bug they are meant for
    assert not np.allclose(_no_rereversal(cell, x, params), _by_construction(cell, x, params))
    assert not _depends_only_on_its_side(_no_rereversal, cell, x, params)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_final_states_and_torch_layout(cell):
    rng = np.random.default_rng(1)
    params = init_bidirectional(cell, D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, state, _ = bidirectional_forward(cell, x, params)
    stacked = stack_directions(state)
    assert len(stacked) == len(STATE_KEYS[cell])
    assert stacked[0].shape == (2, N, H)
    np.testing.assert_array_equal(stacked[0][0], hs[:, -1, :H])  # forward: after x_T
    np.testing.assert_array_equal(stacked[0][1], hs[:, 0, H:])  # backward: after x_1
    back = unstack_directions(stacked)
    for a, b in zip(back, state, strict=True):
        for u, v in zip(a, b, strict=True):
            np.testing.assert_array_equal(u, v)


def test_directions_have_separate_weights():
    rng = np.random.default_rng(2)
    fwd, bwd = init_bidirectional("lstm", D, H, rng=rng)
    assert all(not np.shares_memory(fwd[k], bwd[k]) for k in fwd)
    assert all(not np.array_equal(fwd[k], bwd[k]) for k in ("W_x", "W_h"))


def test_sum_of_projections_is_a_dense_layer_on_the_concatenation():
    rng = np.random.default_rng(3)
    p = {
        "W_hy": rng.normal(size=(H, 4)),
        "W_hy_bwd": rng.normal(size=(H, 4)),
        "b_y": rng.normal(size=4),
    }
    hs = rng.normal(size=(N, T, 2 * H))
    o, _ = sum_projections_forward(*split_directions(hs), p)
    stacked = {"W_hy": np.vstack([p["W_hy"], p["W_hy_bwd"]]), "b_y": p["b_y"]}
    np.testing.assert_allclose(o, dense_forward(hs, stacked)[0], rtol=1e-12)


def test_sum_of_projections_gradients():
    rng = np.random.default_rng(4)
    G = rng.normal(size=(N, T, 4))
    p = {
        "W_hy": rng.normal(size=(H, 4)),
        "W_hy_bwd": rng.normal(size=(H, 4)),
        "b_y": rng.normal(size=4),
        "hf": rng.normal(size=(N, T, H)),
        "hb": rng.normal(size=(N, T, H)),
    }

    def loss_fn(q):
        o, cache = sum_projections_forward(q["hf"], q["hb"], q)
        dhf, dhb, grads = sum_projections_backward(G, cache)
        return float(np.sum(G * o)), {**grads, "hf": dhf, "hb": dhb}

    errors = grad_check(loss_fn, p)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("bidirectional", [True, False])
@pytest.mark.parametrize("position", [None, 2])
def test_position_classifier_gradients(bidirectional, position):
    rng = np.random.default_rng(6)
    model = PositionClassifier("gru", D, H, 3, rng=rng, bidirectional=bidirectional)
    x = rng.normal(size=(N, T, D))
    y = rng.integers(3, size=(N, T) if position is None else (N,))
    errors = grad_check(lambda q: model.loss_and_grads(x, y, position, params=q), model.params)
    assert max(errors.values()) < TOL, errors


def test_masked_middle_answer_is_the_larger_neighbour():
    x, y = masked_middle(50, 7, vocab_size=5, rng=np.random.default_rng(0))
    s = x.argmax(-1)
    assert np.all(s[:, 3] == 5)  # the mask symbol
    assert np.all(x.sum(-1) == 1)
    assert np.all(y == np.maximum(s[:, 2], s[:, 4]))


def test_reverse_time():
    x = np.arange(2 * 3).reshape(2, 3, 1)
    assert reverse_time(x)[:, :, 0].tolist() == [[2, 1, 0], [5, 4, 3]]


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    params = init_bidirectional("gru", D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    with pytest.raises(ValueError, match=r"params must be a pair .* got dict"):
        bidirectional_forward("gru", x, params[0])
    with pytest.raises(ValueError, match=r"state0 must be a pair .* got tuple of length 1"):
        bidirectional_forward("gru", x, params, (np.zeros((N, H)),))
    with pytest.raises(ValueError, match=r"x must be 3-D \(N, T, D\) but has shape \(4, 3\)"):
        bidirectional_forward("gru", x[0], params)
    mixed = (params[0], init_layer("gru", D, H + 1, rng=rng))
    with pytest.raises(ValueError, match="forward layer has H=5 but the backward layer has H=6"):
        bidirectional_forward("gru", x, mixed)
    with pytest.raises(ValueError, match="cell must be one of"):
        bidirectional_forward("elman", x, params)
    hs, _, cache = bidirectional_forward("gru", x, params)
    assert isinstance(cache, BidirectionalCache)
    with pytest.raises(
        ValueError, match=r"dhs must have shape \(N, T, 2H\) with 2H=10, got \(2, 4, 5\)"
    ):
        bidirectional_backward(hs[..., :H], cache)
    with pytest.raises(ValueError, match="cache must be the BidirectionalCache"):
        bidirectional_backward(hs, cache.forward)
    with pytest.raises(ValueError, match=r"hs must end in an even size 2H, got shape \(2, 4, 5\)"):
        split_directions(hs[..., :H])
    with pytest.raises(ValueError, match=r"must have shape \(2, N, H\), got \(3, 2, 5\)"):
        unstack_directions((np.zeros((3, N, H)),))
    p = {"W_hy": np.zeros((H, 2)), "W_hy_bwd": np.zeros((H + 1, 2)), "b_y": np.zeros(2)}
    with pytest.raises(
        ValueError, match=r'params\["W_hy_bwd"\] has shape \(6, 2\) but params\["W_hy"\] gives H=5'
    ):
        sum_projections_forward(hs[..., :H], hs[..., H:], p)
    good = {**p, "W_hy_bwd": np.zeros((H, 2))}
    with pytest.raises(ValueError, match=r'hs_bwd has shape \(2, 4, 4\) but params\["W_hy"\]'):
        sum_projections_forward(hs[..., :H], hs[..., H + 1 :], good)
    with pytest.raises(ValueError, match="length must be odd"):
        masked_middle(3, 4, rng=rng)
    with pytest.raises(ValueError, match="vocab_size must be an integer >= 2, got 1"):
        masked_middle(3, 5, vocab_size=1, rng=rng)


def test_position_classifier_bad_input_is_named():
    rng = np.random.default_rng(0)
    model = PositionClassifier("rnn", D, H, 3, rng=rng)
    x = rng.normal(size=(N, T, D))
    with pytest.raises(ValueError, match=r"position must be None or a step in \[0, T=4\), got 4"):
        model.loss_and_grads(x, np.zeros(N, dtype=int), position=4)
    with pytest.raises(
        ValueError,
        match=r"y has shape \(2,\) but the answers of every step of x have shape \(2, 4\)",
    ):
        model.accuracy(x, np.zeros(N, dtype=int))
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator, got int"):
        PositionClassifier("rnn", D, H, 3, rng=0)
    with pytest.raises(ValueError, match="cell must be one of"):
        PositionClassifier("elman", D, H, 3, rng=rng)


def test_position_classifier_learns_what_a_step_shows():
    # the class of every step is the sign of its own input: both models must learn it
    rng = np.random.default_rng(1)
    x = rng.normal(size=(200, 5, 1))
    y = (x[..., 0] > 0).astype(int)
    for bidirectional in (False, True):
        model = PositionClassifier("gru", 1, 4, 2, rng=rng, bidirectional=bidirectional)
        losses = model.fit(x, y, steps=80, rng=rng, batch_size=32, lr=0.05)
        assert losses[-10:].mean() < 0.5 * losses[:10].mean()
        assert model.accuracy(x, y) > 0.9
