"""The minibatched language model, the two ways of cutting a corpus, and the n-gram baselines."""

from __future__ import annotations

import numpy as np
import pytest

import rnn_tutorial as rt


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_lm_loss_gradient_matches_finite_differences(cell):
    # The whole loss: embedding, recurrent layer, dense, masked mean cross-entropy,
    # started from a non-zero state, in float64 against centred differences.
    rng = np.random.default_rng(0)
    V, D, H, N, T = 7, 3, 4, 2, 5
    params = rt.init_language_model(V, D, H, cell=cell, rng=rng)
    inputs = rng.integers(V, size=(N, T))
    targets = rng.integers(V, size=(N, T))
    mask = np.ones((N, T), dtype=bool)
    mask[1, 3:] = False
    state0 = tuple(rng.normal(size=(N, H)) * 0.5 for _ in rt.zero_state(cell, N, H))

    def loss_fn(p):
        loss, grads, _ = rt.lm_loss(p, inputs, targets, state0, cell=cell, mask=mask)
        return loss, grads

    errors = rt.grad_check(loss_fn, params)
    assert set(errors) == set(params)
    assert max(errors.values()) < 1e-6, errors


def test_lm_loss_is_mean_cross_entropy_per_token():
    # Zero output weights and biases: every prediction is uniform, so the mean
    # loss per token is log V and the perplexity V, whatever the inputs.
    rng = np.random.default_rng(1)
    params = rt.init_language_model(11, 4, 6, cell="gru", rng=rng)
    params["W_hy"][:] = 0
    inputs, targets = rng.integers(11, size=(2, 3, 4))
    loss, _, _ = rt.lm_loss(params, inputs, targets, cell="gru")
    assert np.exp(loss) == pytest.approx(11.0)


def test_lm_forward_carries_state_like_one_long_sequence():
    # Two chunks with the state carried give the scores of the whole sequence.
    rng = np.random.default_rng(2)
    params = rt.init_language_model(9, 3, 5, cell="lstm", rng=rng)
    tokens = rng.integers(9, size=(2, 8))
    whole, _, _ = rt.lm_forward(params, tokens, cell="lstm")
    first, state, _ = rt.lm_forward(params, tokens[:, :5], cell="lstm")
    second, _, _ = rt.lm_forward(params, tokens[:, 5:], state, cell="lstm")
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, atol=1e-12)


def test_sequential_partition_by_hand():
    X, Y = rt.sequential_partition(np.arange(20), N=3, T=2, offset=1)
    # S = (20 - 1 - 1) // 3 = 6 tokens per stream: 1..6, 7..12, 13..18; K = 3
    assert X.shape == (3, 3, 2)
    assert X[0].tolist() == [[1, 2], [7, 8], [13, 14]]
    assert X[2].tolist() == [[5, 6], [11, 12], [17, 18]]
    assert Y[2].tolist() == [[6, 7], [12, 13], [18, 19]]


def test_random_partition_pieces_are_disjoint_and_aligned():
    X, Y = rt.random_partition(np.arange(101), N=4, T=5, rng=np.random.default_rng(3))
    starts = X[:, :, 0].ravel()
    assert len(set(starts.tolist())) == starts.size  # no piece twice
    assert len(set((starts % 5).tolist())) == 1  # one offset for all pieces
    assert np.all(np.diff(X, axis=2) == 1) and np.all(Y == X + 1)


def test_ngram_baselines_by_hand():
    tokens = np.array([0, 1, 0, 2, 0, 1])  # counts 3, 2, 1; L = 6, V = 3
    np.testing.assert_allclose(np.exp(rt.unigram_log_probs(tokens, 3)), [4 / 9, 3 / 9, 2 / 9])
    P = np.exp(rt.bigram_log_probs(tokens, 3, lam=0.5))
    # pairs: 0->1 twice, 0->2 once; 1->0 once; 2->0 once
    uni = np.array([4, 3, 2]) / 9
    np.testing.assert_allclose(P[0], 0.5 * np.array([0, 2 / 3, 1 / 3]) + 0.5 * uni)
    np.testing.assert_allclose(P[1], 0.5 * np.array([1, 0, 0]) + 0.5 * uni)
    np.testing.assert_allclose(P.sum(axis=1), 1.0)
    ppl = rt.ngram_perplexity(np.log(P), np.array([[0, 1]]), np.array([[1, 0]]))
    assert ppl == pytest.approx(np.exp(-(np.log(P[0, 1]) + np.log(P[1, 0])) / 2))


def test_training_lowers_the_loss_of_a_repeating_text():
    data = np.tile(np.arange(6), 60)
    X, Y = rt.sequential_partition(data, N=4, T=6)
    model = rt.LanguageModel(6, 4, 12, cell="gru", rng=np.random.default_rng(0), lr=0.05)
    before = model.mean_loss(X, Y)
    for _ in range(8):
        model.fit(X, Y)
    assert model.mean_loss(X, Y) < 0.1 < np.log(6) < before + 0.2


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: rt.sequential_partition(np.arange(5), N=3, T=2), "too few"),
        (lambda: rt.sequential_partition(np.arange(50), N=0, T=2), "N must be"),
        (lambda: rt.sequential_partition(np.arange(50.0), N=2, T=2), "tokens must hold integers"),
        (lambda: rt.random_partition(np.arange(50), N=2, T=2, rng=3), "rng must be"),
        (lambda: rt.bigram_log_probs([0, 1], 2, lam=1.5), "lam must be"),
        (lambda: rt.unigram_log_probs([0, 5], 3), r"tokens must hold ids in \[0, 3\) for V=3"),
        (lambda: rt.ngram_perplexity(np.zeros((2, 3)), [[0]], [[0]]), "log_probs must"),
        (lambda: rt.lm_forward({"W_x": 1}, [[0]]), "W_embed"),
        (
            lambda: rt.init_language_model(3, 2, 2, cell="cnn", rng=np.random.default_rng(0)),
            "cell",
        ),
    ],
)
def test_bad_input_names_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_fit_checks_before_updating():
    model = rt.LanguageModel(5, 2, 3, rng=np.random.default_rng(0))
    before = {key: value.copy() for key, value in model.params.items()}
    X = np.zeros((2, 1, 3), dtype=int)
    with pytest.raises(ValueError, match="X and Y"):
        model.fit(X, X[:1])
    with pytest.raises(ValueError, match="Y must hold ids"):
        model.fit(X, X + 7)
    with pytest.raises(ValueError, match="clip"):
        model.fit(X, X, clip=0)
    with pytest.raises(ValueError, match="temperature"):
        model.sample([0], 3, temperature=0, rng=np.random.default_rng(0))
    assert all(np.array_equal(before[k], model.params[k]) for k in before)


def test_fit_uses_one_learning_rate_per_batch():
    data = np.tile(np.arange(5), 20)
    X, Y = rt.random_partition(data, N=2, T=4, rng=np.random.default_rng(1))
    X, Y = X[:3], Y[:3]
    rates = np.array([0.05, 0.02, 0.01])
    scheduled = rt.LanguageModel(5, 3, 4, rng=np.random.default_rng(0), dtype=np.float64)
    scheduled.fit(X, Y, carry_state=False, lr=rates)
    # the same updates one batch at a time, each with its rate set by hand
    by_hand = rt.LanguageModel(5, 3, 4, rng=np.random.default_rng(0), dtype=np.float64)
    for k, rate in enumerate(rates):
        by_hand.optimizer.lr = rate
        by_hand.fit(X[k : k + 1], Y[k : k + 1], carry_state=False)
    for key, value in scheduled.params.items():
        np.testing.assert_allclose(value, by_hand.params[key], rtol=1e-12, atol=1e-15)
    assert scheduled.optimizer.lr == 0.01
    # Adam's step is about lr in size, so a negligible rate leaves the weights as they were
    still = rt.LanguageModel(5, 3, 4, rng=np.random.default_rng(0), dtype=np.float64)
    before = {key: value.copy() for key, value in still.params.items()}
    still.fit(X, Y, lr=np.full(3, 1e-12))
    assert all(np.max(np.abs(still.params[k] - before[k])) < 1e-10 for k in before)


@pytest.mark.parametrize(
    ("lr", "match"),
    [
        ([0.1, 0.1], r"lr must hold one positive learning rate per batch, shape \(3,\)"),
        ([0.1, 0.0, 0.1], "positive"),
        (0.1, r"shape \(3,\)"),
        ([0.1, np.nan, 0.1], "lr contains NaN"),
    ],
)
def test_fit_rejects_bad_learning_rates(lr, match):
    model = rt.LanguageModel(5, 2, 3, rng=np.random.default_rng(0))
    before = {key: value.copy() for key, value in model.params.items()}
    X = np.zeros((3, 1, 2), dtype=int)
    with pytest.raises(ValueError, match=match):
        model.fit(X, X, lr=lr)
    assert all(np.array_equal(before[k], model.params[k]) for k in before)
