"""Padded batches: the sequence kernels with ``lengths``.

The semantics are PyTorch's packed sequences: past its end a sequence keeps its
state, its outputs are zero, its final state is the one at its last valid step,
and padded positions receive and pass no gradient. Checked here against three
independent references: finite differences of the loss (float64), each
sequence run alone at its own length, and the plain step loops
(``rnn_tutorial.cells.step_loops``), which the fast kernels must equal to
1e-12 as they do without lengths. The comparison with ``torch.nn`` lives in
tests/parity/test_lengths_torch.py.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnn_tutorial as rt
from helpers import arg, message_with
from rnn_tutorial import grad_check, relative_error

N, T, D, H = 5, 7, 3, 4
LENGTHS = np.array([7, 3, 1, 5, 3])  # unsorted, repeated, one full and one of length 1
TOL_FD = 1e-7  # float64 centred differences: a right gradient is far below this
TOL = 1e-12  # two computations of the same numbers in float64

CELLS = [
    ("rnn", {"activation": "tanh"}),
    ("rnn", {"activation": "relu"}),
    ("lstm", {}),
    ("gru", {"form": "reset_after"}),
    ("gru", {"form": "textbook"}),
]
CELL_IDS = ["rnn-tanh", "rnn-relu", "lstm", "gru-reset_after", "gru-textbook"]
INIT = {"rnn": rt.init_rnn, "lstm": rt.init_lstm, "gru": rt.init_gru}


def _perturbed(params, rng, scale=0.4):
    # away from the initialisers' zero biases, so every term of the gradients matters
    return {k: v + rng.normal(scale=scale, size=v.shape) for k, v in params.items()}


def _run(cell, options, x, state0, params, lengths, *, steps=False):
    """``(hs, final_state, cache)`` of the fast kernel (or of the step loop) of ``cell``."""
    if cell == "rnn":
        fwd = rt.rnn_forward_steps if steps else rt.rnn_forward
        hs, cache = fwd(x, *state0, params, lengths=lengths, **options)
    elif cell == "lstm":
        fwd = rt.lstm_forward_steps if steps else rt.lstm_forward
        hs, cs, cache = fwd(x, *state0, params, lengths=lengths)
    else:
        fwd = rt.gru_forward_steps if steps else rt.gru_forward
        hs, cache = fwd(x, *state0, params, options["form"], lengths=lengths)
    if lengths is None:
        final = (hs[:, -1], cs[:, -1]) if cell == "lstm" else (hs[:, -1],)
    else:  # read at each sequence's last valid step, not from the cache
        last = (np.arange(len(lengths)), np.asarray(lengths) - 1)
        final = (hs[last], cs[last]) if cell == "lstm" else (hs[last],)
    return hs, final, cache


def _back(cell, dhs, cache, dc_last=None, *, steps=False):
    """``(dx, dstate0, grads)`` of the fast kernel (or of the step loop) of ``cell``."""
    if cell == "lstm":
        bwd = rt.lstm_backward_steps if steps else rt.lstm_backward
        dx, dh0, dc0, grads = bwd(dhs, cache, dc_last)
        return dx, (dh0, dc0), grads
    bwd = {"rnn": rt.rnn_backward, "gru": rt.gru_backward}[cell]
    if steps:
        bwd = {"rnn": rt.rnn_backward_steps, "gru": rt.gru_backward_steps}[cell]
    dx, dh0, grads = bwd(dhs, cache)
    return dx, (dh0,), grads


@pytest.fixture
def case(rng):
    def make(cell):
        params = _perturbed(INIT[cell](D, H, rng=rng), rng)
        state0 = tuple(rng.normal(size=(N, H)) for _ in range(2 if cell == "lstm" else 1))
        return {
            "params": params,
            "x": rng.normal(size=(N, T, D)),
            "state0": state0,
            "dhs": rng.normal(size=(N, T, H)),
            "dc_last": rng.normal(size=(N, H)),
        }

    return make


def _close(ours, reference, what, tol=TOL):
    assert ours.shape == reference.shape, what
    assert relative_error(ours, reference) <= tol, (what, relative_error(ours, reference))


# --------------------------------------------------------------------------- finite differences


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
def test_masked_backward_matches_finite_differences(rng, case, cell, options):
    # L = sum(R * hs) + sum(S * c_final): the outputs, and for the LSTM the final
    # cell state (dc_last), whose gradient must enter at each sequence's last step.
    c = case(cell)
    R = rng.normal(size=(N, T, H))
    S = rng.normal(size=(N, H))
    names = ("h0", "c0")[: len(c["state0"])]
    theta = {**c["params"], "x": c["x"], **dict(zip(names, c["state0"], strict=True))}

    def loss_fn(p):
        weights = {k: p[k] for k in c["params"]}
        state0 = tuple(p[name] for name in names)
        hs, _, cache = _run(cell, options, p["x"], state0, weights, LENGTHS)
        loss = np.sum(R * hs)
        dc_last = None
        if cell == "lstm":
            loss += np.sum(S * cache.c[-1])
            dc_last = S
        dx, dstate0, grads = _back(cell, R, cache, dc_last)
        return loss, {**grads, "x": dx, **dict(zip(names, dstate0, strict=True))}

    errors = grad_check(loss_fn, theta)
    assert max(errors.values()) < TOL_FD, errors


# --------------------------------------------------------------------------- each sequence alone


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
def test_padded_batch_equals_each_sequence_alone(case, cell, options):
    c = case(cell)
    dc_last = c["dc_last"] if cell == "lstm" else None
    hs, final, cache = _run(cell, options, c["x"], c["state0"], c["params"], LENGTHS)
    dx, dstate0, grads = _back(cell, c["dhs"], cache, dc_last)
    grads_sum = {key: np.zeros_like(value) for key, value in grads.items()}
    for n, length in enumerate(LENGTHS):
        alone = slice(n, n + 1)
        state0 = tuple(s[alone] for s in c["state0"])
        hs_n, final_n, cache_n = _run(
            cell, options, c["x"][alone, :length], state0, c["params"], None
        )
        _close(hs[alone, :length], hs_n, f"hs of sequence {n}")
        for a, b in zip(final, final_n, strict=True):
            _close(a[alone], b, f"final state of sequence {n}")
        dlast = None if dc_last is None else dc_last[alone]
        dx_n, dstate0_n, grads_n = _back(cell, c["dhs"][alone, :length], cache_n, dlast)
        _close(dx[alone, :length], dx_n, f"dx of sequence {n}")
        for a, b in zip(dstate0, dstate0_n, strict=True):
            _close(a[alone], b, f"dstate0 of sequence {n}")
        for key in grads_sum:
            grads_sum[key] += grads_n[key]
    for key, value in grads.items():
        _close(value, grads_sum[key], f"grads[{key!r}], summed over the sequences")


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
def test_final_state_is_carried_into_the_cache(case, cell, options):
    # The cache's last state is each sequence's final state: carried past its end.
    c = case(cell)
    _, final, cache = _run(cell, options, c["x"], c["state0"], c["params"], LENGTHS)
    np.testing.assert_array_equal(cache.h[-1], final[0])
    if cell == "lstm":
        np.testing.assert_array_equal(cache.c[-1], final[1])


# --------------------------------------------------------------------------- padded positions


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("steps", [False, True], ids=["fast", "step_loop"])
def test_padding_is_zero_and_garbage_in_it_changes_nothing(rng, case, cell, options, steps):
    c = case(cell)
    dc_last = c["dc_last"] if cell == "lstm" else None
    padded = ~rt.length_mask(LENGTHS, T)
    hs, final, cache = _run(cell, options, c["x"], c["state0"], c["params"], LENGTHS, steps=steps)
    dx, dstate0, grads = _back(cell, c["dhs"], cache, dc_last, steps=steps)
    assert np.all(hs[padded] == 0)
    assert np.all(dx[padded] == 0)
    if cell == "lstm":
        cs = rt.lstm_forward(c["x"], *c["state0"], c["params"], lengths=LENGTHS)[1]
        assert np.all(cs[padded] == 0)
    # large finite garbage in the padded inputs and in the gradients arriving there
    x, dhs = c["x"].copy(), c["dhs"].copy()
    x[padded] = rng.uniform(-1e3, 1e3, size=x[padded].shape)
    dhs[padded] = rng.uniform(-1e3, 1e3, size=dhs[padded].shape)
    hs_g, final_g, cache_g = _run(cell, options, x, c["state0"], c["params"], LENGTHS, steps=steps)
    dx_g, dstate0_g, grads_g = _back(cell, dhs, cache_g, dc_last, steps=steps)
    np.testing.assert_array_equal(hs_g, hs)
    np.testing.assert_array_equal(dx_g, dx)
    for a, b in zip(final_g + dstate0_g, final + dstate0, strict=True):
        np.testing.assert_array_equal(a, b)
    for key in grads:
        np.testing.assert_array_equal(grads_g[key], grads[key])


# --------------------------------------------------------------------------- fast = step loop


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("with_dc_last", [False, True])
def test_fast_kernels_match_the_step_loops(case, cell, options, with_dc_last):
    if with_dc_last and cell != "lstm":
        pytest.skip("dc_last is the LSTM's")
    c = case(cell)
    dc_last = c["dc_last"] if with_dc_last else None
    hs, final, cache = _run(cell, options, c["x"], c["state0"], c["params"], LENGTHS)
    hs_ref, final_ref, cache_ref = _run(
        cell, options, c["x"], c["state0"], c["params"], LENGTHS, steps=True
    )
    _close(hs, hs_ref, "hs")
    for a, b in zip(final, final_ref, strict=True):
        _close(a, b, "final state")
    out, ref = (
        _back(cell, c["dhs"], cache, dc_last),
        _back(cell, c["dhs"], cache_ref, dc_last, steps=True),
    )
    _close(out[0], ref[0], "dx")
    for a, b in zip(out[1], ref[1], strict=True):
        _close(a, b, "dstate0")
    assert out[2].keys() == ref[2].keys()
    for key in ref[2]:
        _close(out[2][key], ref[2][key], key)


@pytest.mark.parametrize(("cell", "options"), CELLS, ids=CELL_IDS)
@pytest.mark.parametrize("steps", [False, True], ids=["fast", "step_loop"])
def test_full_lengths_equal_no_lengths(case, cell, options, steps):
    c = case(cell)
    full = np.full(N, T)
    hs, final, cache = _run(cell, options, c["x"], c["state0"], c["params"], None, steps=steps)
    hs_full, final_full, cache_full = _run(
        cell, options, c["x"], c["state0"], c["params"], full, steps=steps
    )
    np.testing.assert_array_equal(hs_full, hs)
    out, out_full = (
        _back(cell, c["dhs"], cache, steps=steps),
        _back(cell, c["dhs"], cache_full, steps=steps),
    )
    np.testing.assert_array_equal(out_full[0], out[0])
    for key in out[2]:
        np.testing.assert_array_equal(out_full[2][key], out[2][key])


def test_float32_stays_float32(rng, case):
    c = case("lstm")
    params = {k: v.astype(np.float32) for k, v in c["params"].items()}
    x, h0 = c["x"].astype(np.float32), c["state0"][0].astype(np.float32)
    hs, cs, cache = rt.lstm_forward(x, h0, h0, params, lengths=LENGTHS)
    dx, dh0, dc0, grads = rt.lstm_backward(c["dhs"].astype(np.float32), cache, h0)
    assert {a.dtype for a in (hs, cs, dx, dh0, dc0, *grads.values())} == {np.dtype(np.float32)}


# --------------------------------------------------------------------------- bad lengths


BAD_LENGTHS = [
    (np.array([7, 3, 1, 5]), "shape"),
    (np.array([[7, 3, 1, 5, 3]]), "shape"),
    (np.array([7.0, 3, 1, 5, 3]), "integers"),
    (np.array([True] * 5), "integers"),
    (np.array([7, 3, 0, 5, 3]), "[1, T=7]"),
    (np.array([7, 3, 8, 5, 3]), "[1, T=7]"),
    (np.array([7, -3, 1, 5, 3]), "[1, T=7]"),
]


@pytest.mark.parametrize(("lengths", "says"), BAD_LENGTHS)
@pytest.mark.parametrize("steps", [False, True], ids=["fast", "step_loop"])
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bad_lengths_are_named(case, lengths, says, steps, cell):
    c = case(cell)
    options = {"form": "reset_after"} if cell == "gru" else {}
    with pytest.raises(ValueError, match=message_with(arg("lengths"), says)):
        _run(cell, options, c["x"], c["state0"], c["params"], lengths, steps=steps)
