"""The character-level language model: vocabulary, one-hot inputs, training, sampling.

Training is judged by properties (the loss falls far below that of a uniform
guess, the smooth loss follows its recurrence), never by frozen numbers; the
model's loss is gradient-checked in float64 through its own params dict.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import CharRNN, TrainingHistory, Vocabulary, grad_check, one_hot

HELLO = "hello world " * 50
TOL = 1e-7
SEQ_EPS = 1e-5  # a loss summed over many characters: see test_gradients.py


@pytest.fixture(scope="module")
def trained():
    """A small model trained once on the repetitive corpus, shared by several tests."""
    vocab = Vocabulary.from_text(HELLO)
    model = CharRNN(vocab, 16, rng=np.random.default_rng(0))
    # 1000 steps: the smooth loss keeps 0.999^1000 = 37 % of its starting value, so it
    # can only fall well below log V after about this many updates, however good the fit.
    history = model.train(vocab.encode(HELLO), seq_length=10, steps=1000)
    return vocab, model, history


# --------------------------------------------------------------------------- vocabulary


def test_round_trip_and_sorted_unique_symbols():
    text = "循环神经网络, RNN: h_t = tanh(...)。"
    vocab = Vocabulary.from_text(text)
    assert vocab.decode(vocab.encode(text)) == text
    assert vocab.chars == tuple(sorted(set(text)))
    assert len(vocab) == len(set(text))
    indices = vocab.encode(text)
    assert indices.dtype.kind == "i" and indices.shape == (len(text),)
    assert all(vocab.chars[i] == ch for i, ch in zip(indices, text, strict=True))


def test_unknown_characters_are_a_value_error_naming_them():
    vocab = Vocabulary.from_text("hello")
    with pytest.raises(ValueError, match=message_with("'z'", "'q'", 'unknown="?"')) as info:
        vocab.encode("hazeq")
    assert not isinstance(info.value, KeyError)
    assert "'a'" in str(info.value)  # every unknown character, in order of appearance


def test_many_unknown_characters_show_the_first_few_and_the_count():
    vocab = Vocabulary.from_text("a")
    with pytest.raises(ValueError, match=message_with("7 characters", "'b'", "'f'")) as info:
        vocab.encode("bcdefgh")
    assert "'h'" not in str(info.value)


def test_unknown_symbol_maps_every_unknown_character():
    vocab = Vocabulary.from_text("abcab", unknown="?")
    assert "?" in vocab and len(vocab) == 4
    q = vocab.chars.index("?")
    assert vocab.encode("axzb").tolist() == [vocab.chars.index("a"), q, q, vocab.chars.index("b")]
    assert vocab.decode(vocab.encode("axzb")) == "a??b"
    # A reserved symbol that already occurs in the text is not added twice.
    assert len(Vocabulary.from_text("a?b", unknown="?")) == 3


def test_bad_unknown_symbols_are_rejected():
    with pytest.raises(ValueError, match=message_with(arg("unknown"), "single character")):
        Vocabulary.from_text("abc", unknown="<unk>")
    with pytest.raises(ValueError, match=message_with("empty")):
        Vocabulary.from_text("")


def test_token_vocabulary_has_the_same_api():
    tokens = ["the", "cat", "sat", "on", "the", "mat"]
    vocab = Vocabulary.from_tokens(tokens, separator=" ")
    assert len(vocab) == 5 and vocab.chars == ("cat", "mat", "on", "sat", "the")
    assert vocab.decode(vocab.encode(tokens)) == "the cat sat on the mat"
    with pytest.raises(ValueError, match=message_with("'dog'", "<unk>")):
        vocab.encode(["the", "dog"])
    with pytest.raises(ValueError, match=message_with("list of tokens")):
        vocab.encode("the cat")
    with pytest.raises(ValueError, match=message_with(arg("tokens"), "jieba")):
        Vocabulary.from_tokens("the cat")
    unk = Vocabulary.from_tokens(tokens, unknown="<unk>", separator=" ")
    assert unk.decode(unk.encode(["the", "dog"])) == "the <unk>"


def test_chinese_word_tokens_join_without_spaces():
    # As jieba would cut 我们喜欢数学: the page makes the tokens, the package does not.
    tokens = ["我们", "喜欢", "数学"]
    vocab = Vocabulary.from_tokens(tokens)
    assert vocab.decode(vocab.encode(tokens)) == "我们喜欢数学"


def test_decode_rejects_bad_indices():
    vocab = Vocabulary.from_text("abc")
    with pytest.raises(ValueError, match=message_with(arg("indices"), "V=3")):
        vocab.decode([0, 3])
    with pytest.raises(ValueError, match=message_with(arg("indices"), "integers")):
        vocab.decode([0.0, 1.0])
    assert vocab.decode([]) == ""


# --------------------------------------------------------------------------- one-hot


def test_one_hot_against_a_loop(rng):
    idx = rng.integers(0, 6, size=(3, 4))
    x = one_hot(idx, 6)
    assert x.shape == (3, 4, 6) and x.dtype == np.float64
    for n in range(3):
        for t in range(4):
            expected = [1.0 if v == idx[n, t] else 0.0 for v in range(6)]
            assert x[n, t].tolist() == expected


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match=message_with(arg("indices"), "V=3")):
        one_hot(np.array([[0, 3]]), 3)
    with pytest.raises(ValueError, match=message_with(arg("indices"), "integers")):
        one_hot(np.array([[0.5]]), 3)
    with pytest.raises(ValueError, match=message_with(arg("V"))):
        one_hot(np.array([[0]]), 0)


# --------------------------------------------------------------------------- the model's loss


def test_model_shapes():
    vocab = Vocabulary.from_text("abcdefg")
    model = CharRNN(vocab, 5, rng=np.random.default_rng(0))
    shapes = {k: v.shape for k, v in model.params.items()}
    assert shapes == {"W_xh": (7, 5), "W_hh": (5, 5), "b_h": (5,), "W_hy": (5, 7), "b_y": (7,)}


def test_uniform_output_gives_T_log_V():
    vocab = Vocabulary.from_text("abcde")
    model = CharRNN(vocab, 4, rng=np.random.default_rng(0))
    model.params["W_hy"][:] = 0  # every prediction uniform over V = 5
    loss, _, _ = model.loss_and_grads(vocab.encode("abcd"), vocab.encode("bcde"))
    assert math.isclose(loss, 4 * math.log(5), rel_tol=1e-14)


def test_language_model_loss_gradient_check():
    vocab = Vocabulary.from_text("the quick brown fox")
    model = CharRNN(vocab, 6, rng=np.random.default_rng(1))
    rng = np.random.default_rng(2)
    for key in ("b_h", "b_y"):  # zero at initialisation: give them values that matter
        model.params[key][:] = rng.normal(scale=0.5, size=model.params[key].shape)
    data = vocab.encode("the quick brown fox")
    h0 = rng.normal(scale=0.5, size=(1, 6))

    def loss_fn(p):
        assert p is model.params  # the checker perturbs the model's own arrays
        loss, grads, _ = model.loss_and_grads(data[:-1], data[1:], h0)
        return loss, grads

    errors = grad_check(loss_fn, model.params, eps=SEQ_EPS)
    assert set(errors) == {"W_xh", "W_hh", "b_h", "W_hy", "b_y"}
    assert max(errors.values()) < TOL, errors


# --------------------------------------------------------------------------- training


def test_training_lowers_the_loss_far_below_a_uniform_guess(trained):
    vocab, _, history = trained
    log_V = math.log(len(vocab))
    assert isinstance(history, TrainingHistory)
    assert history.loss.shape == history.smooth_loss.shape == (1000,)
    # the corpus is periodic: the next character is determined by the last few
    assert history.loss[-50:].mean() / 10 < 0.1 * log_V
    assert history.smooth_loss[-1] / 10 < 0.5 * log_V
    assert history.loss[0] / 10 > 0.5 * log_V  # and it did start high


def test_smooth_loss_follows_its_recurrence(trained):
    vocab, _, history = trained
    smooth = 10 * math.log(len(vocab))  # -log(1/V) per character, seq_length = 10
    expected = []
    for loss in history.loss:
        smooth = 0.999 * smooth + 0.001 * loss
        expected.append(smooth)
    assert np.allclose(history.smooth_loss, expected, rtol=1e-12, atol=0)


def test_hidden_state_is_carried_between_chunks_and_reset_at_wrap_around():
    # lr = 1e-300 keeps the weights unchanged, so each chunk's loss can be recomputed.
    # 31 symbols, seq_length 10: chunks at 0, 10, 20 (targets up to index 30), then wrap.
    text = "abcdefghij" * 3 + "a"
    vocab = Vocabulary.from_text(text)
    data = vocab.encode(text)
    model = CharRNN(vocab, 8, rng=np.random.default_rng(0))
    expected, h = [], np.zeros((1, 8))
    for start in (0, 10, 20):
        loss, _, h = model.loss_and_grads(
            data[start : start + 10], data[start + 1 : start + 11], h
        )
        expected.append(loss)
    history = model.train(data, seq_length=10, steps=5, lr=1e-300)
    assert np.allclose(history.loss, expected + expected[:2], rtol=1e-12, atol=0)
    # Without the carried state the second chunk's loss differs.
    alone, _, _ = model.loss_and_grads(data[10:20], data[11:21])
    assert not math.isclose(alone, expected[1], rel_tol=1e-6)


def test_adagrad_memory_carries_over_between_calls():
    vocab = Vocabulary.from_text(HELLO)
    model = CharRNN(vocab, 8, rng=np.random.default_rng(0))
    data = vocab.encode(HELLO)
    model.train(data, seq_length=10, steps=3)
    first = {k: v.copy() for k, v in model.optimizer.memory.items()}
    model.train(data, seq_length=10, steps=3)
    assert all(np.all(model.optimizer.memory[k] >= first[k]) for k in first)
    assert any(np.any(model.optimizer.memory[k] > first[k]) for k in first)


def test_log_every_records_samples():
    vocab = Vocabulary.from_text(HELLO)
    model = CharRNN(vocab, 8, rng=np.random.default_rng(0))
    history = model.train(
        vocab.encode(HELLO),
        seq_length=10,
        steps=7,
        log_every=3,
        rng=np.random.default_rng(1),
        sample_length=15,
    )
    assert [step for step, _ in history.samples] == [0, 3, 6]
    assert all(len(text) == 15 and set(text) <= set(vocab.chars) for _, text in history.samples)


def test_training_bad_input():
    vocab = Vocabulary.from_text("abc")
    model = CharRNN(vocab, 4, rng=np.random.default_rng(0))
    data = vocab.encode("abcabcabc")
    with pytest.raises(ValueError, match=message_with(arg("data"), "9", "seq_length=25", "26")):
        model.train(data, steps=1)  # 9 symbols cannot fill a chunk of 25 plus a target
    with pytest.raises(ValueError, match=message_with(arg("data"), "integer")):
        model.train("abcabc", steps=1, seq_length=2)
    with pytest.raises(ValueError, match=message_with(arg("steps"))):
        model.train(data, steps=0, seq_length=2)
    with pytest.raises(ValueError, match=message_with(arg("log_every"), arg("rng"))):
        model.train(data, steps=1, seq_length=2, log_every=1)
    with pytest.raises(ValueError, match=message_with(arg("data"), "V=3")):
        model.train(np.array([0, 1, 2, 3]), steps=1, seq_length=2)
    with pytest.raises(ValueError, match=message_with(arg("clip"))):
        model.train(data, steps=1, seq_length=2, clip=-5.0)
    with pytest.raises(ValueError, match=message_with(arg("log_every"))):
        model.train(data, steps=1, seq_length=2, log_every=0, rng=np.random.default_rng(0))
    with pytest.raises(ValueError, match=message_with(arg("vocab"))):
        CharRNN("abc", 4, rng=np.random.default_rng(0))


# --------------------------------------------------------------------------- sampling


def test_sample_returns_n_characters_from_the_vocabulary(trained):
    vocab, model, _ = trained
    for n in (0, 1, 40):
        text = model.sample("h", n, rng=np.random.default_rng(5))
        assert len(text) == n and set(text) <= set(vocab.chars)
    a = model.sample("he", 30, rng=np.random.default_rng(5))
    assert a == model.sample("he", 30, rng=np.random.default_rng(5))  # rng decides
    # a seed index is the same seed as its character
    by_index = model.sample(vocab.chars.index("h"), 30, rng=np.random.default_rng(5))
    assert by_index == model.sample("h", 30, rng=np.random.default_rng(5))


def test_trained_model_continues_the_pattern_at_low_temperature(trained):
    _, model, _ = trained
    assert model.sample("hello", 13, temperature=0.05, rng=np.random.default_rng(0)) == (
        " world hello "
    )


def test_temperature_divides_the_logits():
    # W_hy = 0 makes every step's logits b_y = log(w), so each draw is from
    # softmax(b_y / tau) = w^(1/tau) / sum(w^(1/tau)), computed here by hand; the
    # frequencies of n draws must lie within 5 binomial standard deviations of it
    # (about 0.05), while the probabilities of the three temperatures differ by 0.1
    # or more, so multiplying by tau instead of dividing would fail.
    vocab = Vocabulary.from_text("abc")
    model = CharRNN(vocab, 4, rng=np.random.default_rng(0))
    model.params["W_hy"][:] = 0
    w = np.array([1.0, 2.0, 5.0])
    model.params["b_y"][:] = np.log(w)
    n = 2000
    for tau in (1.0, 0.5, 3.0):
        p = w ** (1 / tau) / np.sum(w ** (1 / tau))
        text = model.sample("a", n, temperature=tau, rng=np.random.default_rng(7))
        freq = np.array([text.count(c) for c in "abc"]) / n
        assert np.all(np.abs(freq - p) < 5 * np.sqrt(p * (1 - p) / n)), (tau, freq, p)
        if tau != 1.0:
            wrong = w**tau / np.sum(w**tau)
            assert np.max(np.abs(freq - wrong)) > 0.1, (tau, freq, wrong)


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "1", None])
def test_temperature_must_be_positive(trained, bad):
    _, model, _ = trained
    with pytest.raises(ValueError, match=message_with(arg("temperature"))):
        model.sample("h", 5, temperature=bad, rng=np.random.default_rng(0))


def test_sample_bad_seeds(trained):
    vocab, model, _ = trained
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=message_with(arg("seed"), "'z'", "'x'")):
        model.sample("hez x", 5, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("seed"), f"V={len(vocab)}")):
        model.sample(len(vocab), 5, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("seed"), "empty")):
        model.sample("", 5, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("rng"))):
        model.sample("h", 5, rng=None)
    with pytest.raises(ValueError, match=message_with(arg("n"))):
        model.sample("h", -1, rng=rng)


def test_word_level_model_samples_tokens():
    tokens = ["to", "be", "or", "not", "to", "be"] * 5
    vocab = Vocabulary.from_tokens(tokens, separator=" ")
    model = CharRNN(vocab, 8, rng=np.random.default_rng(0))
    model.train(vocab.encode(tokens), seq_length=5, steps=20)
    text = model.sample(["to", "be"], 6, rng=np.random.default_rng(0))
    words = text.split(" ")
    assert len(words) == 6 and set(words) <= set(vocab.chars)
    assert len(model.sample("or", 2, rng=np.random.default_rng(0)).split(" ")) == 2
