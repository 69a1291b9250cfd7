"""The embedding layer: lookup, finite-difference gradient, repeated and padding tokens."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    EmbeddingCache,
    embedding_backward,
    embedding_forward,
    init_embedding,
    numerical_gradient,
    relative_error,
)

V, D = 6, 3
TOKENS = np.array([[1, 4, 1, 0], [2, 1, 0, 0]])  # 1 three times, 0 (padding) three times


def test_lookup_picks_rows_like_one_hot_times_matrix():
    W = np.random.default_rng(0).standard_normal((V, D))
    out, _ = embedding_forward(TOKENS, W)
    one_hot = np.eye(V)[TOKENS]
    np.testing.assert_allclose(out, one_hot @ W, rtol=0, atol=1e-15)


def test_gradient_matches_finite_differences_with_repeated_tokens():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((V, D))
    G = rng.standard_normal((*TOKENS.shape, D))

    def loss(params):
        return float(np.sum(embedding_forward(TOKENS, params["W_embed"])[0] * G)), None

    _, cache = embedding_forward(TOKENS, W)
    dW = embedding_backward(G, cache)
    assert relative_error(dW, numerical_gradient(loss, {"W_embed": W}, "W_embed")) < 1e-8
    # row 1 appears three times: it collects all three upstream gradients
    np.testing.assert_allclose(dW[1], G[0, 0] + G[0, 2] + G[1, 1])
    assert np.all(dW[[3, 5]] == 0)  # tokens that never appear


def test_padding_row_gets_no_gradient_and_starts_at_zero():
    params = init_embedding(V, D, rng=np.random.default_rng(2), padding_idx=0)
    assert np.all(params["W_embed"][0] == 0)
    out, cache = embedding_forward(TOKENS, params["W_embed"], padding_idx=0)
    assert np.all(out[TOKENS == 0] == 0)
    dW = embedding_backward(np.ones((*TOKENS.shape, D)), cache)
    assert np.all(dW[0] == 0)
    np.testing.assert_allclose(dW[1], 3.0)


def test_inputs_are_not_changed():
    W = np.random.default_rng(3).standard_normal((V, D))
    tokens = TOKENS.copy()
    W_before = W.copy()
    out, cache = embedding_forward(tokens, W, padding_idx=0)
    out += 1.0  # the output is a new array, not a view of the table
    embedding_backward(np.ones_like(out), cache)
    assert np.array_equal(W, W_before) and np.array_equal(tokens, TOKENS)


@pytest.mark.parametrize(
    ("tokens", "W", "options", "name"),
    [
        ([[0, 6]], np.zeros((V, D)), {}, "tokens"),
        ([[-1, 0]], np.zeros((V, D)), {}, "tokens"),
        ([[0.5, 1.0]], np.zeros((V, D)), {}, "tokens"),
        ([[0, 1]], np.zeros(V), {}, "W_embed"),
        ([[0, 1]], np.full((V, D), np.nan), {}, "W_embed"),
        ([[0, 1]], np.zeros((V, D)), {"padding_idx": V}, "padding_idx"),
        ([[0, 1]], np.zeros((V, D)), {"padding_idx": True}, "padding_idx"),
    ],
)
def test_bad_input_names_the_argument(tokens, W, options, name):
    with pytest.raises(ValueError, match=message_with(arg(name))):
        embedding_forward(tokens, W, **options)


def test_backward_checks_its_arguments():
    _, cache = embedding_forward([[0, 1]], np.zeros((V, D)))
    assert isinstance(cache, EmbeddingCache)
    with pytest.raises(ValueError, match=message_with(arg("dout"), "(1, 2, 3)")):
        embedding_backward(np.zeros((1, 2, D + 1)), cache)
    with pytest.raises(ValueError, match=message_with(arg("cache"))):
        embedding_backward(np.zeros((1, 2, D)), ("not", "a", "cache"))
