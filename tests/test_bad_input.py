"""Every public function refuses bad input clearly, and changes none of its inputs.

The cases are generated from ``TABLE`` in ``tests/bad_input_table.py``: one
entry per public function (and per public method worth calling on its own),
holding a valid call and the kinds of mistake that apply to each argument.
Each bad value must raise the kind's exception type (``TypeError`` for a wrong
type, ``ValueError`` for a wrong value) with a message that names the
argument; no call may change its inputs, whether it returns or raises; and an
empty batch (N = 0) or sequence (T = 0) either runs (no NaN in the result) or
raises a ValueError naming an argument, as the entry declares.

Adding a public function
------------------------
A public name without an entry fails ``test_every_public_function_has_an_entry``.
Add to ``TABLE`` in ``tests/bad_input_table.py``::

    "embedding_forward": E(
        lambda N=2, T=3: call(rt.embedding_forward, tokens=ids(N, T, V), W_embed=arr(V, D)),
        bad={"tokens": "tokens rank", "W_embed": "array nan rank"},
        empty={"N": "ok", "T": "ok"},
    ),

``build`` returns the function and its arguments by name; if it takes ``N``
or ``T``, ``empty`` says what size 0 does (``"ok"`` or ``"raises"``). ``bad``
maps an argument to kinds from ``KINDS`` (``array nan rank width batch params
grads rng dtype count prob positive real choice flag cache tokens symbol``) or
to a list of ``(bad value, exception type)``. ``mutates`` lists arguments
changed by design (an optimiser's ``params``). A new keyword of an existing
function (e.g. ``lengths=``) gets its own key in that entry's ``bad``.

``python tests/bad_input_table.py -v`` counts how every case ends, against
whatever ``rnn_tutorial`` is importable.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import rnn_tutorial as rt
from bad_input_table import (
    TABLE,
    cases,
    public_functions,
    public_methods,
    run_bad,
    run_empty,
    run_valid,
)
from helpers import arg, message_with


def test_every_public_function_has_an_entry():
    missing = [name for name in public_functions() if name not in TABLE]
    assert not missing, (
        f"no bad-input entry for {', '.join(missing)}: add one to TABLE in "
        "tests/bad_input_table.py (a valid call, the kinds of mistake per argument and, "
        "for batch or sequence inputs, what N = 0 and T = 0 do); see that file's docstring"
    )


def test_every_public_method_has_an_entry():
    missing = [name for name in public_methods() if name not in TABLE]
    assert not missing, (
        f"no bad-input entry for {', '.join(missing)}: add one to TABLE in "
        "tests/bad_input_table.py, keyed by 'Class.method'; see that file's docstring"
    )


def test_every_entry_is_a_public_name():
    for key in TABLE:
        owner, _, method = key.partition(".")
        assert owner in rt.__all__, f"{key} is not public"
        assert not method or hasattr(getattr(rt, owner), method), key


@pytest.mark.parametrize("key", sorted(TABLE))
def test_entry_declares_empty_sizes(key):
    entry = TABLE[key]
    sizes = {p for p in inspect.signature(entry.build).parameters if p in ("N", "T")}
    assert sizes == set(entry.empty), (
        f"{key}: its call builder takes {sorted(sizes)}, so 'empty' must say what each of "
        f"them = 0 does ('ok' or 'raises'); it declares {sorted(entry.empty)}"
    )
    assert set(entry.empty.values()) <= {"ok", "raises"}
    fn, kwargs = entry.build()
    assert set(entry.bad) <= set(inspect.signature(fn).parameters), key


@pytest.mark.parametrize("key", sorted(TABLE))
def test_valid_call_returns_and_changes_no_input(key):
    result, detail = run_valid(key)
    assert result == "clear", f"{key}: {result}: {detail}"


@pytest.mark.parametrize("case", cases(), ids=lambda c: f"{c[0]}-{c[1]}-{c[2]}")
def test_bad_input_is_refused_clearly(case):
    result, detail = run_bad(*case)
    assert result == "clear", f"{case}: {result}: {detail}"


EMPTY = [(key, size) for key, entry in TABLE.items() for size in entry.empty]


@pytest.mark.parametrize("case", EMPTY, ids=lambda c: f"{c[0]}-{c[1]}0")
def test_empty_batch_or_sequence_has_its_declared_behaviour(case):
    result, detail = run_empty(*case)
    assert result == "clear", f"{case}: {result}: {detail}"


def test_the_matrix_is_large():
    """A guard against a table that silently stops generating cases."""
    assert len(public_functions()) >= 160
    assert len(cases()) >= 2600


# --------------------------------------------------------------------------- issue 11's bugs


def _rnn(rng, D=3, H=4):
    return rt.init_rnn(D, H, rng=rng)


@pytest.mark.parametrize("activation", ["tanh", "relu"])
def test_rnn_forward_runs_on_an_empty_batch(activation):
    params = _rnn(np.random.default_rng(0))
    hs, cache = rt.rnn_forward(
        np.zeros((0, 5, 3)), np.zeros((0, 4)), params, activation=activation
    )
    assert hs.shape == (0, 5, 4)
    dx, dh0, grads = rt.rnn_backward(np.zeros((0, 5, 4)), cache)
    assert dx.shape == (0, 5, 3) and dh0.shape == (0, 4)
    assert all(np.all(g == 0) for g in grads.values())  # no sequence, no gradient
    hs, state, _ = rt.layer_forward("rnn", np.zeros((0, 5, 3)), params)
    assert hs.shape == (0, 5, 4) and state[0].shape == (0, 4)
    hs, states, _ = rt.stack_forward(
        "rnn", np.zeros((0, 5, 3)), [params, _rnn(np.random.default_rng(1), 4)]
    )
    assert hs.shape == (0, 5, 4) and len(states) == 2


def test_numerical_gradient_restores_the_weight_when_the_loss_raises():
    params = {"w": np.array([1.0, 2.0, 3.0])}
    calls = []

    def loss_fn(p):
        calls.append(p["w"].copy())
        if len(calls) == 2:
            raise RuntimeError("the loss failed")
        return float(np.sum(p["w"] ** 2)), {"w": 2 * p["w"]}

    with pytest.raises(RuntimeError, match="the loss failed"):
        rt.numerical_gradient(loss_fn, params, "w")
    assert calls[1][0] == 1.0 - 1e-6  # it failed while the weight was nudged down
    np.testing.assert_array_equal(params["w"], [1.0, 2.0, 3.0])


@pytest.mark.parametrize("make", [lambda: rt.Adagrad(eps=0), lambda: rt.Adam(eps=0)])
def test_optimisers_refuse_eps_zero(make):
    with pytest.raises(ValueError, match=message_with(arg("eps"), "0")):
        make()


@pytest.mark.parametrize("init", [rt.init_rnn, rt.init_lstm, rt.init_gru])
def test_init_checks_rng_dtype_and_sizes(init):
    for rng in (None, 42):
        with pytest.raises(TypeError, match=message_with(arg("rng"), "Generator")):
            init(3, 4, rng=rng)
    with pytest.raises(TypeError, match=message_with(arg("dtype"), "floating")):
        init(3, 4, rng=np.random.default_rng(0), dtype=int)
    with pytest.raises(TypeError, match=message_with(arg("H"), "True")):
        init(3, True, rng=np.random.default_rng(0))
    for make in (
        lambda: rt.CharRNN(rt.Vocabulary("ab"), 4, rng=None),
        lambda: rt.EncoderDecoder("gru", 5, 4, end=4, rng=42),
        lambda: rt.init_stack("gru", 3, 4, 2, rng=None),
    ):
        with pytest.raises(TypeError, match=message_with(arg("rng"))):
            make()


def test_a_mean_over_an_empty_batch_raises():
    with pytest.raises(ValueError, match=message_with(arg("targets"), "mean")):
        rt.softmax_cross_entropy(np.zeros((0, 5)), np.zeros(0, dtype=int), reduction="mean")
    loss, dz = rt.softmax_cross_entropy(np.zeros((0, 5)), np.zeros(0, dtype=int))
    assert loss == 0.0 and dz.shape == (0, 5)  # a sum over nothing is 0
    model = rt.SequenceModel("gru", 3, 4, 5, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("x"), "N >= 1")):
        model.loss_and_grads(np.zeros((0, 2, 3)), np.zeros(0, dtype=int))
    with pytest.raises(ValueError, match=message_with(arg("x"), "N >= 1")):
        model.fit(
            np.zeros((0, 2, 3)), np.zeros(0, dtype=int), steps=1, rng=np.random.default_rng(0)
        )

    def loss_fn(p):
        return float(np.sum(p["w"] ** 2)), {"w": 2 * p["w"]}

    with pytest.raises(ValueError, match=message_with(arg("num_checks"), "0")):
        rt.grad_check(loss_fn, {"w": np.ones(3)}, num_checks=0)


def test_teacher_forcing_and_decoding_accuracy_check_their_input():
    target = np.array([[1, 2, 4], [3, 0, 4]])
    with pytest.raises(TypeError, match=message_with(arg("end"), "2.7")):
        rt.teacher_forcing_inputs(target, 2.7)
    with pytest.raises(TypeError, match=message_with(arg("target"))):
        rt.teacher_forcing_inputs(target * 0.5, 4)
    np.testing.assert_array_equal(rt.teacher_forcing_inputs(target, 4), [[4, 1, 2], [4, 3, 0]])
    # an empty answer is wrong at every symbol: both accuracies are 0
    per_symbol, whole = rt.decoding_accuracy(np.zeros((2, 0), dtype=int), target, end=4)
    assert (per_symbol, whole) == (0.0, 0.0)


def test_layer_backward_takes_integer_dhs_with_a_dstate():
    rng = np.random.default_rng(0)
    _, _, cache = rt.layer_forward(
        "lstm", rng.normal(size=(2, 3, 3)), rt.init_layer("lstm", 3, 4, rng=rng)
    )
    dhs = np.ones((2, 3, 4), dtype=int)
    dstate = (rng.normal(size=(2, 4)), rng.normal(size=(2, 4)))
    dx_int, _, grads_int = rt.layer_backward(dhs, cache, dstate)
    dx, _, grads = rt.layer_backward(dhs.astype(float), cache, dstate)
    np.testing.assert_array_equal(dx_int, dx)
    assert dhs.dtype.kind == "i" and np.all(dhs == 1)  # the caller's array is kept


def test_messages_name_the_right_argument():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 3, 3))
    _, _, cache = rt.layer_forward("lstm", x, rt.init_layer("lstm", 3, 4, rng=rng))
    with pytest.raises(ValueError, match=message_with(arg("dstate[1]"), "NaN")):
        rt.layer_backward(np.zeros((2, 3, 4)), cache, (np.zeros((2, 4)), np.full((2, 4), np.nan)))
    params = rt.init_layer("rnn", 3, 4, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("mask"), "(2, 5)", "(2, 4)")) as error:
        rt.variational_layer_forward("rnn", x, params, mask=np.ones((2, 5)))
    assert "h0" not in str(error.value)
    source = np.array([[1, 2, 4], [3, 0, 4]])
    s2s = rt.init_seq2seq("gru", 5, 4, rng=rng)
    logits, s2s_cache = rt.seq2seq_forward("gru", source, source, s2s, end=4)
    with pytest.raises(ValueError, match=message_with(arg("dlogits"))):
        rt.seq2seq_backward(logits[..., :4], s2s_cache)
    without = {k: v for k, v in s2s.items() if k != "dec_W_h"}
    with pytest.raises(ValueError, match=message_with("'dec_W_h'", "init_seq2seq")):
        rt.seq2seq_forward("gru", source, source, without, end=4)
    layers = [rt.init_layer("gru", 3, 4, rng=rng), rt.init_layer("gru", 5, 4, rng=rng)]
    with pytest.raises(ValueError, match=message_with(arg("layers[1]"), "D=5", "H=4")):
        rt.stack_forward("gru", x, layers)


def test_one_policy_for_nan_and_for_the_kind_of_a_cache():
    grads = {"W": np.array([1.0, np.nan])}
    for clip in (lambda g: rt.clip_elementwise(g, 1.0), lambda g: rt.clip_global_norm(g, 1.0)):
        with pytest.raises(ValueError, match=message_with(arg('grads["W"]'), "NaN")):
            clip(grads)
    hs = np.zeros((2, 3, 4))
    params = {"W_hy": np.zeros((4, 5)), "W_hy_bwd": np.zeros((4, 5)), "b_y": np.zeros(5)}
    with pytest.raises(ValueError, match=message_with(arg("hs_fwd"), "NaN")):
        rt.sum_projections_forward(np.full_like(hs, np.nan), hs, params)
    with pytest.raises(ValueError, match=message_with('params["b_y"]', "(6,)", "V=5")):
        rt.sum_projections_forward(hs, hs, {**params, "b_y": np.zeros(6)})
    with pytest.raises(ValueError, match=message_with('params["W_hy_bwd"]', "(4, 6)")):
        rt.sum_projections_forward(hs, hs, {**params, "W_hy_bwd": np.zeros((4, 6))})
    _, drop = rt.dropout_forward(hs, 0.5, train=True, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("dy"), "NaN")):
        rt.dropout_backward(np.full_like(hs, np.nan), drop)
    rng = np.random.default_rng(0)
    _, _, lstm_cache = rt.lstm_forward(
        rng.normal(size=(2, 3, 3)), np.zeros((2, 4)), np.zeros((2, 4)), rt.init_lstm(3, 4, rng=rng)
    )
    with pytest.raises(TypeError, match=message_with(arg("cache"), "RNNCache", "LSTMCache")):
        rt.rnn_backward(np.zeros((2, 3, 4)), lstm_cache)
    with pytest.raises(ValueError, match=message_with(arg("x"), "(3,)")):
        rt.reverse_time(np.arange(3))
    with pytest.raises(TypeError, match=message_with(arg("params"))):
        rt.count_params([np.zeros(3)])
    from rnn_tutorial import layouts

    with pytest.raises(ValueError, match=message_with(arg("params"), "W_xh")):
        layouts.rnn_to_torch({})


@pytest.mark.parametrize("make", [lambda: rt.SGD(0.1), lambda: rt.Adagrad(), lambda: rt.Adam()])
def test_optimisers_refuse_nan_gradients_before_writing_any_weight(make):
    rng = np.random.default_rng(0)
    params = rt.init_rnn(3, 4, rng=rng)
    before = {k: v.copy() for k, v in params.items()}
    grads = {k: np.ones_like(v) for k, v in params.items()}
    grads["b_h"] = np.array([0.0, np.inf, 0.0, 0.0])  # the last key: the others come first
    optimiser = make()
    with pytest.raises(ValueError, match=message_with(arg('grads["b_h"]'), "NaN or infinity")):
        optimiser.step(params, grads)
    for key in params:
        np.testing.assert_array_equal(params[key], before[key])


def test_read_prose_names_a_file_that_is_not_utf8(tmp_path):
    (tmp_path / "a.md").write_text("Fine.", encoding="utf-8")
    (tmp_path / "b.md").write_bytes("Caf\xe9".encode("latin-1"))
    with pytest.raises(ValueError, match=message_with(arg("directory"), "b.md", "UTF-8")):
        rt.read_prose(tmp_path)


def test_step_loops_and_fast_kernels_follow_one_dtype_rule():
    """Forward: the result type of every input and weight. Backward: of the gradient and the
    cached states. The step loops and the fast kernels agree on both."""
    rng = np.random.default_rng(0)
    params = {k: v.astype(np.float32) for k, v in rt.init_rnn(3, 4, rng=rng).items()}
    params["b_h"] = params["b_h"].astype(np.float64)  # one float64 weight promotes everything
    x, h0 = rng.normal(size=(2, 5, 3)).astype(np.float32), np.zeros((2, 4), np.float32)
    hs_fast, cache_fast = rt.rnn_forward(x, h0, params)
    hs_steps, cache_steps = rt.rnn_forward_steps(x, h0, params)
    assert hs_fast.dtype == hs_steps.dtype == np.float64
    params64 = rt.init_rnn(3, 4, rng=rng)
    x64 = rng.normal(size=(2, 5, 3))
    _, cache_fast = rt.rnn_forward(x64, np.zeros((2, 4)), params64)
    _, cache_steps = rt.rnn_forward_steps(x64, np.zeros((2, 4)), params64)
    dhs = np.ones((2, 5, 4), dtype=np.float32)
    for backward, cache in ((rt.rnn_backward, cache_fast), (rt.rnn_backward_steps, cache_steps)):
        dx, dh0, grads = backward(dhs, cache)
        assert dx.dtype == dh0.dtype == grads["W_hh"].dtype == np.float64
    for cell in ("lstm", "gru"):
        p = rt.init_layer(cell, 3, 4, rng=rng)
        state = (np.zeros((2, 4)),) * (2 if cell == "lstm" else 1)
        fast = getattr(rt, f"{cell}_forward")(x64, *state, p)
        steps = getattr(rt, f"{cell}_forward_steps")(x64, *state, p)
        out = getattr(rt, f"{cell}_backward")(dhs, fast[-1])
        out_steps = getattr(rt, f"{cell}_backward_steps")(dhs, steps[-1])
        assert out[0].dtype == out_steps[0].dtype == np.float64
