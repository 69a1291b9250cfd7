"""The fast sequence kernels against the plain loops over the step functions.

``rnn_forward``/``lstm_forward``/``gru_forward`` and their backward partners
compute the input products for all steps at once, keep the states time-major
and form the weight gradients after the loop; ``rnn_tutorial.cells.step_loops``
calls the checked step functions one step at a time, which the step tests and
gradient checks establish independently. The two must agree to float
rounding: 1e-12 relative (in norm) in float64, for every output, state and
gradient. The gate-by-gate versions of ``rnn_tutorial.cells.per_gate`` answer to the
same standard.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnn_tutorial as rt
from rnn_tutorial import relative_error
from rnn_tutorial.book import performance
from rnn_tutorial.cells import per_gate

N, T, D, H = 4, 9, 5, 7
TOL = 1e-12


def _close(ours, reference, what):
    assert ours.shape == reference.shape, what
    assert relative_error(ours, reference) <= TOL, (what, relative_error(ours, reference))


def _perturbed(params, rng, scale=0.4):
    # away from the initialisers' zero biases, so every term of the gradients matters
    return {k: v + rng.normal(scale=scale, size=v.shape) for k, v in params.items()}


@pytest.fixture
def data(rng):
    return {
        "x": rng.normal(size=(N, T, D)),
        "h0": rng.normal(size=(N, H)),
        "c0": rng.normal(size=(N, H)),
        "dhs": rng.normal(size=(N, T, H)),
        "dc_last": rng.normal(size=(N, H)),
    }


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("zero_h0", [False, True])
def test_rnn_matches_the_step_loop(rng, data, activation, zero_h0):
    params = _perturbed(rt.init_rnn(D, H, rng=rng), rng)
    h0 = np.zeros((N, H)) if zero_h0 else data["h0"]
    hs, cache = rt.rnn_forward(data["x"], h0, params, activation=activation)
    hs_ref, cache_ref = rt.rnn_forward_steps(data["x"], h0, params, activation=activation)
    _close(hs, hs_ref, "hs")
    dx, dh0, grads = rt.rnn_backward(data["dhs"], cache)
    dx_ref, dh0_ref, grads_ref = rt.rnn_backward_steps(data["dhs"], cache_ref)
    _close(dx, dx_ref, "dx")
    _close(dh0, dh0_ref, "dh0")
    assert grads.keys() == grads_ref.keys()
    for key in grads_ref:
        _close(grads[key], grads_ref[key], key)


@pytest.mark.parametrize("with_dc_last", [False, True])
def test_lstm_matches_the_step_loop(rng, data, with_dc_last):
    params = _perturbed(rt.init_lstm(D, H, rng=rng), rng)
    dc_last = data["dc_last"] if with_dc_last else None
    hs, cs, cache = rt.lstm_forward(data["x"], data["h0"], data["c0"], params)
    hs_ref, cs_ref, cache_ref = rt.lstm_forward_steps(data["x"], data["h0"], data["c0"], params)
    _close(hs, hs_ref, "hs")
    _close(cs, cs_ref, "cs")
    out = rt.lstm_backward(data["dhs"], cache, dc_last)
    ref = rt.lstm_backward_steps(data["dhs"], cache_ref, dc_last)
    for name, a, b in zip(("dx", "dh0", "dc0"), out[:3], ref[:3], strict=True):
        _close(a, b, name)
    assert out[3].keys() == ref[3].keys()
    for key in ref[3]:
        _close(out[3][key], ref[3][key], key)


@pytest.mark.parametrize("form", ["reset_after", "textbook"])
def test_gru_matches_the_step_loop(rng, data, form):
    params = _perturbed(rt.init_gru(D, H, rng=rng), rng)
    hs, cache = rt.gru_forward(data["x"], data["h0"], params, form)
    hs_ref, cache_ref = rt.gru_forward_steps(data["x"], data["h0"], params, form)
    _close(hs, hs_ref, "hs")
    dx, dh0, grads = rt.gru_backward(data["dhs"], cache)
    dx_ref, dh0_ref, grads_ref = rt.gru_backward_steps(data["dhs"], cache_ref)
    _close(dx, dx_ref, "dx")
    _close(dh0, dh0_ref, "dh0")
    assert grads.keys() == grads_ref.keys()
    for key in grads_ref:
        _close(grads[key], grads_ref[key], key)


def _steps_agree(steps, steps_ref):
    assert len(steps) == len(steps_ref)
    for step, ref in zip(steps, steps_ref, strict=True):
        assert step._fields == ref._fields
        for name, a, b in zip(step._fields, step, ref, strict=True):
            if isinstance(b, np.ndarray):
                _close(a, b, name)
            elif name != "params":
                assert a == b, name


def test_cache_steps_are_the_step_caches(rng, data):
    # Pages and helpers read cache.steps; the views must hold what the step functions kept.
    p = _perturbed(rt.init_rnn(D, H, rng=rng), rng)
    _steps_agree(
        rt.rnn_forward(data["x"], data["h0"], p)[1].steps,
        rt.rnn_forward_steps(data["x"], data["h0"], p)[1].steps,
    )
    p = _perturbed(rt.init_lstm(D, H, rng=rng), rng)
    _steps_agree(
        rt.lstm_forward(data["x"], data["h0"], data["c0"], p)[2].steps,
        rt.lstm_forward_steps(data["x"], data["h0"], data["c0"], p)[2].steps,
    )
    p = _perturbed(rt.init_gru(D, H, rng=rng), rng)
    for form in ("reset_after", "textbook"):
        _steps_agree(
            rt.gru_forward(data["x"], data["h0"], p, form)[1].steps,
            rt.gru_forward_steps(data["x"], data["h0"], p, form)[1].steps,
        )


def test_states_are_stored_once(rng, data):
    # hs is a view of the cache's state array, not a second copy of it.
    p = rt.init_rnn(D, H, rng=rng)
    hs, cache = rt.rnn_forward(data["x"], data["h0"], p)
    assert np.shares_memory(hs, cache.h)
    hs, cs, cache = rt.lstm_forward(data["x"], data["h0"], data["c0"], rt.init_lstm(D, H, rng=rng))
    assert np.shares_memory(hs, cache.h) and np.shares_memory(cs, cache.c)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_float32_stays_float32_and_agrees(rng, data, cell):
    init = {"rnn": rt.init_rnn, "lstm": rt.init_lstm, "gru": rt.init_gru}[cell]
    params = {k: v.astype(np.float32) for k, v in _perturbed(init(D, H, rng=rng), rng).items()}
    x, h0, dhs = (data[k].astype(np.float32) for k in ("x", "h0", "dhs"))
    if cell == "lstm":
        hs, _, cache = rt.lstm_forward(x, h0, h0, params)
        hs_ref, _, cache_ref = rt.lstm_forward_steps(x, h0, h0, params)
        grads, grads_ref = (
            rt.lstm_backward(dhs, cache)[3],
            rt.lstm_backward_steps(dhs, cache_ref)[3],
        )
    else:
        fwd, bwd = {
            "rnn": (rt.rnn_forward, rt.rnn_backward),
            "gru": (rt.gru_forward, rt.gru_backward),
        }[cell]
        fwd_ref, bwd_ref = {
            "rnn": (rt.rnn_forward_steps, rt.rnn_backward_steps),
            "gru": (rt.gru_forward_steps, rt.gru_backward_steps),
        }[cell]
        hs, cache = fwd(x, h0, params)
        hs_ref, cache_ref = fwd_ref(x, h0, params)
        grads, grads_ref = bwd(dhs, cache)[2], bwd_ref(dhs, cache_ref)[2]
    assert hs.dtype == np.float32 and all(g.dtype == np.float32 for g in grads.values())
    assert relative_error(hs, hs_ref) < 1e-5
    for key in grads_ref:
        assert relative_error(grads[key], grads_ref[key]) < 1e-5, key


def test_non_contiguous_input_is_read_correctly(rng, data):
    # a time-reversed view, as a bidirectional layer would pass it
    p = _perturbed(rt.init_lstm(D, H, rng=rng), rng)
    x = data["x"][:, ::-1]
    hs, _, _ = rt.lstm_forward(x, data["h0"], data["c0"], p)
    hs_ref, _, _ = rt.lstm_forward_steps(np.ascontiguousarray(x), data["h0"], data["c0"], p)
    _close(hs, hs_ref, "hs")


def test_per_gate_versions_match_the_fused_kernels(rng, data):
    p = _perturbed(rt.init_lstm(D, H, rng=rng), rng)
    hs, cs, cache = rt.lstm_forward(data["x"], data["h0"], data["c0"], p)
    hs_g, cs_g, cache_g = per_gate.lstm_forward_per_gate(data["x"], data["h0"], data["c0"], p)
    _close(hs_g, hs, "hs")
    _close(cs_g, cs, "cs")
    out, out_g = (
        rt.lstm_backward(data["dhs"], cache),
        per_gate.lstm_backward_per_gate(data["dhs"], cache_g),
    )
    for a, b in zip(out_g[:3], out[:3], strict=True):
        _close(a, b, "dx, dh0, dc0")
    for key in out[3]:
        _close(out_g[3][key], out[3][key], key)
    p = _perturbed(rt.init_gru(D, H, rng=rng), rng)
    hs, cache = rt.gru_forward(data["x"], data["h0"], p)
    hs_g, cache_g = per_gate.gru_forward_per_gate(data["x"], data["h0"], p)
    _close(hs_g, hs, "hs")
    out, out_g = (
        rt.gru_backward(data["dhs"], cache),
        per_gate.gru_backward_per_gate(data["dhs"], cache_g),
    )
    for a, b in zip(out_g[:2], out[:2], strict=True):
        _close(a, b, "dx, dh0")
    for key in out[2]:
        _close(out_g[2][key], out[2][key], key)


def test_flop_counts_follow_the_product_shapes():
    # An LSTM step: (N, D) @ (D, 4H) and (N, H) @ (H, 4H), 2 flops per multiply-add.
    N_, D_, H_ = 3, 5, 7
    assert (
        performance.step_flops("lstm", N_, D_, H_) == 2 * N_ * D_ * 4 * H_ + 2 * N_ * H_ * 4 * H_
    )
    assert (
        performance.sequence_flops("gru", N_, 10, D_, H_, backward=True)
        == 3 * 10 * 2 * N_ * (D_ + H_) * 3 * H_
    )
    with pytest.raises(ValueError, match="cell"):
        performance.step_flops("transformer", 1, 1, 1)
