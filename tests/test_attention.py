"""Attention: gradients by finite differences (float64, padded sources), masks, decoding.

Expected values come from centred finite differences, from a hand-computed
softmax, and from the teacher-forced pass that a decoded answer must agree with.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    attention_backward,
    attention_decode,
    attention_forward,
    attention_seq2seq_forward,
    attention_seq2seq_loss,
    grad_check,
    init_attention,
    init_attention_seq2seq,
    length_mask,
)

N, T, H = 3, 5, 4
LENGTHS = np.array([5, 2, 3])
SCORES = ["additive", "dot"]


def _inputs(seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, H)), rng.normal(size=(N, T, H)), rng


def _params(score, rng):
    if score == "dot":
        return {}
    p = init_attention(H, rng=rng)
    return {k: 2.0 * v for k, v in p.items()}  # larger weights: tanh off its linear part


@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize("masked", [False, True])
def test_attention_gradients_match_finite_differences(score, masked):
    """L = sum(c * G): the query, the encoder states and every weight, with padded positions."""
    s, hs, rng = _inputs(1)
    params = _params(score, rng)
    G = rng.normal(size=(N, H))
    mask = length_mask(LENGTHS, T) if masked else None

    def loss_fn(p):
        weights = {k: p[k] for k in params}
        c, _, cache = attention_forward(p["s"], p["hs"], weights, mask)
        ds, dhs, grads = attention_backward(G, cache)
        return float(np.sum(c * G)), {**grads, "s": ds, "hs": dhs}

    errors = grad_check(loss_fn, {**params, "s": s, "hs": hs})
    assert max(errors.values()) < 1e-7, errors
    if masked:  # padded encoder states get no gradient at all
        _, grads = loss_fn({**params, "s": s, "hs": hs})
        assert np.all(grads["hs"][~mask] == 0)


@pytest.mark.parametrize("score", SCORES)
def test_padded_positions_get_weight_zero_and_rows_sum_to_one(score):
    s, hs, rng = _inputs(2)
    params = _params(score, rng)
    mask = length_mask(LENGTHS, T)
    c, a, _ = attention_forward(s, hs, params, mask)
    assert np.all(a[~mask] == 0.0)  # exactly zero, not small
    np.testing.assert_allclose(a.sum(axis=1), 1.0, rtol=0, atol=1e-15)
    # the padded states may hold anything: changing them changes nothing
    hs_changed = hs.copy()
    hs_changed[~mask] = 1e3
    c2, a2, _ = attention_forward(s, hs_changed, params, mask)
    np.testing.assert_array_equal(a2, a)
    np.testing.assert_array_equal(c2, c)


def test_dot_product_weights_by_hand():
    """s = (1, 0), h = (2, 0), (0, 0), (1, 0): scores 2, 0, 1; the last position padded."""
    s = np.array([[1.0, 0.0]])
    hs = np.array([[[2.0, 0.0], [0.0, 0.0], [1.0, 0.0]]])
    mask = np.array([[True, True, False]])
    c, a, _ = attention_forward(s, hs, {}, mask)
    expected = np.array([np.e**2, 1.0, 0.0]) / (np.e**2 + 1.0)
    np.testing.assert_allclose(a[0], expected, rtol=1e-15)
    np.testing.assert_allclose(c[0], [2.0 * expected[0], 0.0], rtol=1e-15)


def test_additive_score_by_hand():
    """H = 1: e_j = v tanh(s w_q + h_j w_k); two positions."""
    params = {"W_q": np.array([[0.5]]), "W_k": np.array([[2.0]]), "v": np.array([3.0])}
    s, hs = np.array([[1.0]]), np.array([[[0.0], [1.0]]])
    _, a, _ = attention_forward(s, hs, params)
    e = 3.0 * np.tanh(0.5 + 2.0 * np.array([0.0, 1.0]))
    np.testing.assert_allclose(a[0], np.exp(e) / np.exp(e).sum(), rtol=1e-14)


CELLS = [("rnn", {}), ("lstm", {}), ("gru", {}), ("gru", {"form": "textbook"})]
V, END = 5, 4
SOURCE = np.array([[0, 1, 2, END], [3, END, 0, 0], [2, 2, END, 1]])  # padded after END
SOURCE_LENGTHS = np.array([4, 2, 3])
TARGET = np.array([[2, 1, 0, END], [3, END, END, END], [2, 2, END, END]])


@pytest.mark.parametrize("score", SCORES)
@pytest.mark.parametrize(("cell", "options"), CELLS)
def test_whole_model_gradients_match_finite_differences(cell, options, score):
    rng = np.random.default_rng(4)
    params = init_attention_seq2seq(cell, V, H, score=score, rng=rng)
    for key in params:  # away from zero, so no gradient is trivially zero
        params[key] = params[key] + 0.3 * rng.normal(size=params[key].shape)

    def loss_fn(p):
        return attention_seq2seq_loss(
            cell, SOURCE, TARGET, p, end=END, lengths=SOURCE_LENGTHS, **options
        )

    errors = grad_check(loss_fn, params, num_checks=12, rng=np.random.default_rng(5))
    assert max(errors.values()) < 1e-6, errors
    _, grads = loss_fn(params)
    assert all(np.abs(grads[k]).max() > 1e-6 for k in grads)


def test_model_weights_ignore_padding():
    rng = np.random.default_rng(6)
    params = init_attention_seq2seq("gru", V, H, rng=rng)
    _, weights, _ = attention_seq2seq_forward(
        "gru", SOURCE, TARGET, params, end=END, lengths=SOURCE_LENGTHS
    )
    mask = length_mask(SOURCE_LENGTHS, SOURCE.shape[1])
    assert weights.shape == (3, 4, 4)
    assert np.all(weights[~np.broadcast_to(mask[:, None, :], weights.shape)] == 0)
    np.testing.assert_allclose(weights.sum(axis=2), 1.0, atol=1e-15)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_padding_symbols_change_nothing(cell):
    """The encoder stops at each source's length and attention ignores the rest."""
    params = init_attention_seq2seq(cell, V, H, rng=np.random.default_rng(9))
    changed = SOURCE.copy()
    changed[1, 2:] = [1, 3]  # row 1 has length 2
    changed[2, 3] = 0  # row 2 has length 3
    first = attention_seq2seq_forward(
        cell, SOURCE, TARGET, params, end=END, lengths=SOURCE_LENGTHS
    )
    second = attention_seq2seq_forward(
        cell, changed, TARGET, params, end=END, lengths=SOURCE_LENGTHS
    )
    np.testing.assert_array_equal(first[0], second[0])  # logits
    np.testing.assert_array_equal(first[1], second[1])  # weights
    # and the same row alone, unpadded, gives the same answer to rounding
    alone, weights_alone, _ = attention_seq2seq_forward(
        cell, SOURCE[1:2, :2], TARGET[1:2], params, end=END
    )
    np.testing.assert_allclose(alone[0], first[0][1], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(weights_alone[0], first[1][1, :, :2], rtol=1e-12, atol=1e-15)
    answers, _, _ = attention_decode(
        cell, changed, params, end=END, max_len=5, lengths=SOURCE_LENGTHS, beam_width=2
    )
    answers_ref, _, _ = attention_decode(
        cell, SOURCE, params, end=END, max_len=5, lengths=SOURCE_LENGTHS, beam_width=2
    )
    np.testing.assert_array_equal(answers, answers_ref)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_greedy_answer_and_weights_agree_with_teacher_forcing_on_itself(cell):
    """Fed its own greedy answer, the teacher-forced pass picks it again, with the same weights."""
    rng = np.random.default_rng(7)
    params = init_attention_seq2seq(cell, V, 8, rng=rng)
    params["W_hy"] *= 4.0
    source = rng.integers(0, V, size=(6, 4))
    answers, weights, result = attention_decode(cell, source, params, end=END, max_len=6)
    logits, forced_weights, _ = attention_seq2seq_forward(cell, source, answers, params, end=END)
    np.testing.assert_array_equal(weights, forced_weights)
    for n in range(6):
        stop = result.lengths[n, 0]
        np.testing.assert_array_equal(logits[n, :stop].argmax(axis=1), answers[n, :stop])
    # width 3 returns answers at least as probable as greedy's, scores ranked
    _, _, wide = attention_decode(cell, source, params, end=END, max_len=6, beam_width=3)
    assert np.all(wide.scores[:, 0] >= result.scores[:, 0] - 1e-12)
    assert np.all(np.diff(wide.scores, axis=1) <= 1e-12)


def test_beam_scores_are_the_teacher_forced_log_probabilities():
    rng = np.random.default_rng(8)
    params = init_attention_seq2seq("lstm", V, 8, rng=rng)
    source = rng.integers(0, V, size=(2, 3))
    _, _, result = attention_decode("lstm", source, params, end=END, max_len=5, beam_width=3)
    for b in range(3):
        tokens = result.tokens[:, b]
        logits, _, _ = attention_seq2seq_forward("lstm", source, tokens, params, end=END)
        logp = logits - np.log(np.exp(logits).sum(axis=2, keepdims=True))
        for n in range(2):
            L = result.lengths[n, b]
            expected = logp[n, np.arange(L), tokens[n, :L]].sum()
            assert result.scores[n, b] == pytest.approx(expected, abs=1e-10)


def test_bad_input_is_named():
    s, hs, rng = _inputs(0)
    params = init_attention(H, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("hs"), "(3, 5)", "N=3")):
        attention_forward(s, hs[:, :, 0], params)
    with pytest.raises(ValueError, match=message_with(arg("mask"), "(3, 5)", "(3, 4)")):
        attention_forward(s, hs, params, np.ones((3, 4), dtype=bool))
    with pytest.raises(ValueError, match="at least one valid position"):
        attention_forward(s, hs, params, np.zeros((3, 5), dtype=bool))
    with pytest.raises(ValueError, match=message_with(arg("params"), "W_q", "bias")):
        attention_forward(s, hs, {"W_q": 1, "bias": 2})
    with pytest.raises(ValueError, match=message_with('params["W_q"]', "(4, 4)", "(3, 3)")):
        attention_forward(s[:, :3], hs, params)
    with pytest.raises(ValueError, match=message_with("dot-product", "(3, 3)", "(3, 5, 4)")):
        attention_forward(s[:, :3], hs, {})
    with pytest.raises(ValueError, match=message_with(arg("cache"), "tuple")):
        attention_backward(s, (1, 2))
    with pytest.raises(ValueError, match=message_with(arg("score"), "cosine")):
        init_attention_seq2seq("gru", V, H, score="cosine", rng=rng)
    seq_params = init_attention_seq2seq("gru", V, H, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("lengths"))):
        attention_seq2seq_forward("gru", SOURCE, TARGET, seq_params, end=END, lengths=[9, 1, 1])
    before = s.copy()
    attention_forward(s, hs, params)
    np.testing.assert_array_equal(s, before)
