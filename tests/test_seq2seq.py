"""The encoder-decoder: gradients of every cell, teacher forcing, greedy decoding, bad input.

Gradients are checked against centred finite differences in float64; decoded
answers against models whose output is fixed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import grad_check
from rnn_tutorial.models.seq2seq import (
    EncoderDecoder,
    decoding_accuracy,
    greedy_decode,
    init_seq2seq,
    reversal_task,
    seq2seq_backward,
    seq2seq_forward,
    seq2seq_loss,
    teacher_forcing_inputs,
)

V, H, END = 5, 4, 4
CASES = [
    ("rnn", {}),
    ("rnn", {"activation": "relu"}),
    ("lstm", {}),
    ("gru", {}),
    ("gru", {"form": "textbook"}),
]
SOURCE = np.array([[0, 1, 2, END], [3, 3, 0, END]])
TARGET = np.array([[2, 1, 0, END, END], [0, 3, 3, END, END]])


@pytest.mark.parametrize(("cell", "options"), CASES)
def test_every_gradient_matches_finite_differences(cell, options):
    """The whole loss, encoder included: the decoder's dstate0 must reach the encoder."""
    rng = np.random.default_rng(4)
    params = init_seq2seq(cell, V, H, rng=rng)
    for key in params:  # biases away from zero, so no gradient is trivially zero
        params[key] = params[key] + 0.1 * rng.normal(size=params[key].shape)

    def loss_fn(p):
        return seq2seq_loss(cell, SOURCE, TARGET, p, end=END, **options)

    errors = grad_check(loss_fn, params)
    assert max(errors.values()) < 1e-7, errors
    _, grads = loss_fn(params)
    encoder = [k for k in grads if k.startswith("enc_")]
    assert encoder and all(np.abs(grads[k]).max() > 1e-6 for k in encoder)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_teacher_forcing_shapes_and_causality(cell):
    params = init_seq2seq(cell, V, H, rng=np.random.default_rng(0))
    logits, cache = seq2seq_forward(cell, SOURCE, TARGET, params, end=END)
    assert logits.shape == (2, 5, V)
    grads = seq2seq_backward(np.ones_like(logits), cache)
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in params.items()}
    # the score at position t reads target[:, :t] only: changing target[:, 2] moves t >= 3
    changed = TARGET.copy()
    changed[:, 2] = (changed[:, 2] + 1) % END
    logits2, _ = seq2seq_forward(cell, SOURCE, changed, params, end=END)
    np.testing.assert_array_equal(logits2[:, :3], logits[:, :3])
    assert np.abs(logits2[:, 3:] - logits[:, 3:]).max() > 1e-6
    # and the source matters through the encoder's final state alone
    logits3, _ = seq2seq_forward(cell, SOURCE[:, ::-1], TARGET, params, end=END)
    assert np.abs(logits3 - logits).max() > 1e-6


def test_teacher_forcing_inputs_shift_the_target_right_behind_the_end_symbol():
    np.testing.assert_array_equal(
        teacher_forcing_inputs(TARGET, END), [[4, 2, 1, 0, 4], [4, 0, 3, 3, 4]]
    )


def _constant_decoder(cell, symbol):
    """A model whose output layer ignores the state and always prefers ``symbol``."""
    params = init_seq2seq(cell, V, H, rng=np.random.default_rng(1))
    params["W_hy"][:] = 0.0
    params["b_y"][:] = 0.0
    params["b_y"][symbol] = 1.0
    return params


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_greedy_decoding_stops_at_the_end_symbol_or_at_max_len(cell):
    ends_at_once = greedy_decode(cell, SOURCE, _constant_decoder(cell, END), end=END, max_len=7)
    np.testing.assert_array_equal(ends_at_once, [[END], [END]])
    never_ends = greedy_decode(cell, SOURCE, _constant_decoder(cell, 2), end=END, max_len=7)
    np.testing.assert_array_equal(never_ends, np.full((2, 7), 2))


def test_greedy_decoding_feeds_each_symbol_back_and_pads_ended_answers():
    """A hand-built RNN decoder that writes the successor of its input: end -> 0 -> 1 -> ..."""
    params = init_seq2seq("rnn", V, V, rng=np.random.default_rng(0))
    params["dec_W_hh"][:] = 0.0
    params["dec_b_h"][:] = 0.0
    params["dec_W_xh"][:] = 3.0 * np.eye(V)  # h = tanh(3 e(input)): the input, one-hot
    params["W_hy"][:] = np.roll(np.eye(V), 1, axis=1)  # input k scores k + 1 (mod V)
    params["b_y"][:] = 0.0
    out = greedy_decode("rnn", SOURCE, params, end=END, max_len=9)
    np.testing.assert_array_equal(out, [[0, 1, 2, 3, END]] * 2)
    short = greedy_decode("rnn", SOURCE, params, end=END, max_len=2)
    np.testing.assert_array_equal(short, [[0, 1]] * 2)
    # another end symbol: the same chain, started from 2, now stops when it writes 2
    out = greedy_decode("rnn", [[0], [1]], params, end=2, max_len=9)
    np.testing.assert_array_equal(out, [[3, 4, 0, 1, 2]] * 2)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_greedy_answer_is_the_argmax_of_teacher_forcing_on_itself(cell):
    """Fed its own answer as the target, the teacher-forced scores pick that same answer.

    The answers end at different steps; every position after a row's end holds the end symbol.
    """
    params = init_seq2seq(cell, V, 16, rng=np.random.default_rng(7))
    params["W_hy"] *= 4.0  # sharper scores, so answers vary along the sequence
    source = np.random.default_rng(8).integers(0, V, size=(6, 3))
    out = greedy_decode(cell, source, params, end=END, max_len=6)
    logits, _ = seq2seq_forward(cell, source, out, params, end=END)
    first_end = np.where((out == END).any(axis=1), (out == END).argmax(axis=1), out.shape[1])
    assert len(set(first_end.tolist())) > 1
    for n, stop in enumerate(first_end):
        np.testing.assert_array_equal(logits[n, : stop + 1].argmax(axis=1), out[n, : stop + 1])
        assert np.all(out[n, stop:] == END)


def test_decoding_accuracy_by_hand():
    target = np.array([[1, 2, 3, 9], [1, 2, 3, 9], [5, 9, 9, 9]])
    predicted = np.array(
        [
            [1, 2, 3, 9, 9],  # right
            [1, 2, 9, 9, 9],  # stopped one symbol early: 2 of 4 right
            [5, 5, 9, 9, 9],  # one symbol too many: 1 of 2 right
        ]
    )
    per_symbol, whole = decoding_accuracy(predicted, target, end=9)
    assert per_symbol == pytest.approx((4 + 2 + 1) / 10)
    assert whole == pytest.approx(1 / 3)
    # an answer that never ends is never a whole-sequence match
    assert decoding_accuracy(np.array([[1, 2, 3]]), target[:1], end=9) == (0.75, 0.0)


def test_reversal_task():
    source, target = reversal_task(50, 6, digits=7, rng=np.random.default_rng(0))
    assert source.shape == target.shape == (50, 7)
    assert np.all(source[:, -1] == 7) and np.all(target[:, -1] == 7)
    np.testing.assert_array_equal(target[:, :-1], source[:, -2::-1])
    assert source[:, :-1].max() < 7


def test_a_small_model_learns_to_reverse():
    rng = np.random.default_rng(0)
    source, target = reversal_task(300, 3, digits=4, rng=rng)
    model = EncoderDecoder("gru", 5, 24, end=4, rng=rng)
    history = model.fit(source, target, steps=300, lr=0.03, rng=rng)
    assert history.loss[-20:].mean() < 0.1 * history.loss[:5].mean()
    test_source, test_target = reversal_task(200, 3, digits=4, rng=np.random.default_rng(9))
    assert model.accuracy(test_source, test_target)[1] > 0.9


def test_bad_input_is_named():
    params = init_seq2seq("lstm", V, H, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("source"), "(4,)")):
        seq2seq_forward("lstm", np.zeros(4, dtype=int), TARGET, params, end=END)
    with pytest.raises(ValueError, match=message_with(arg("target"), "float")):
        seq2seq_forward("lstm", SOURCE, TARGET * 1.0, params, end=END)
    with pytest.raises(ValueError, match=message_with(arg("source"), "[0, 5)", "V=5")):
        seq2seq_forward("lstm", SOURCE + 1, TARGET, params, end=END)
    with pytest.raises(ValueError, match=message_with(arg("source"), "(2, 4)", "(3, 5)")):
        seq2seq_forward("lstm", SOURCE, np.vstack([TARGET, TARGET[:1]]), params, end=END)
    with pytest.raises(ValueError, match=message_with(arg("end"), "V=5", "7")):
        seq2seq_forward("lstm", SOURCE, TARGET, params, end=7)
    with pytest.raises(ValueError, match=message_with(arg("max_len"), "0")):
        greedy_decode("lstm", SOURCE, params, end=END, max_len=0)
    with pytest.raises(ValueError, match="cell must be one of"):
        seq2seq_forward("elman", SOURCE, TARGET, params, end=END)
    wrong = {**params, "enc_W_x": params["enc_W_x"][:3]}
    with pytest.raises(ValueError, match=message_with('"enc_W_x"', "(3, 16)", "V=5")):
        seq2seq_forward("lstm", SOURCE, TARGET, wrong, end=END)
    with pytest.raises(ValueError, match=message_with(arg("cache"), "tuple")):
        seq2seq_backward(np.zeros((2, 5, V)), (1, 2))
    with pytest.raises(ValueError, match=message_with(arg("target"), "end symbol 9")):
        decoding_accuracy(np.array([[1, 9]]), np.array([[1, 2]]), end=9)
    with pytest.raises(ValueError, match=message_with(arg("predicted"), "(2, 2)", "(1, 2)")):
        decoding_accuracy(np.array([[1, 9], [1, 9]]), np.array([[1, 9]]), end=9)
    with pytest.raises(ValueError, match=message_with(arg("rng"))):
        reversal_task(3, 2, rng=0)
    model = EncoderDecoder("rnn", V, H, end=END, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("rng"), "int")):
        model.fit(SOURCE, TARGET, steps=1, rng=3)
    with pytest.raises(ValueError, match=message_with(arg("source"), "(2, 4)", "(1, 5)")):
        model.fit(SOURCE, TARGET[:1], steps=1, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("end"), "V=5")):
        EncoderDecoder("rnn", V, H, end=V, rng=np.random.default_rng(0))
