"""The captioner: CNN and caption-loss gradients, padding, head removal, decoding."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import (
    CAPTION_END,
    CAPTION_PAD,
    CAPTION_START,
    Captioner,
    attribute_loss,
    caption_forward,
    caption_loss,
    caption_start,
    caption_step,
    cnn_forward,
    decode_captions,
    grad_check,
    init_captioner,
    init_cnn,
    remove_head,
)

V, F, D, H = 7, 5, 3, 4
INPUTS = np.array([[CAPTION_START, 3, 4, 5], [CAPTION_START, 6, CAPTION_PAD, CAPTION_PAD]])
TARGETS = np.array([[3, 4, 5, CAPTION_END], [6, CAPTION_END, CAPTION_PAD, CAPTION_PAD]])


def test_cnn_classifier_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    params = init_cnn(6, rng=rng, channels=(2, 3))
    for key in params:  # non-zero biases, so that no ReLU sits at its kink by accident
        if key.startswith("b"):
            params[key] = rng.normal(scale=0.1, size=params[key].shape)
    images = rng.uniform(size=(2, 16, 16, 3))
    scenes = np.array([[0, 1, 2, 2], [3, 0, 1, 1]])
    errors = grad_check(
        lambda p: attribute_loss(images, scenes, p),
        params,
        num_checks=12,
        rng=np.random.default_rng(1),
    )
    assert max(errors.values()) < 1e-6, errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("every_step", [False, True])
def test_caption_loss_gradients_match_finite_differences(cell, every_step):
    rng = np.random.default_rng(2)
    params = init_captioner(cell, V, F, D, H, rng=rng, every_step=every_step)
    features = rng.normal(size=(2, F))
    errors = grad_check(lambda p: caption_loss(cell, features, INPUTS, TARGETS, p), params)
    assert max(errors.values()) < 1e-6, errors


def test_padding_changes_nothing():
    # the same two captions padded to length 4 or to length 7: same loss, same gradients
    params = init_captioner("lstm", V, F, D, H, rng=np.random.default_rng(3))
    features = np.random.default_rng(4).normal(size=(2, F))
    wide_inputs = np.pad(INPUTS, ((0, 0), (0, 3)))
    wide_targets = np.pad(TARGETS, ((0, 0), (0, 3)))
    loss, grads = caption_loss("lstm", features, INPUTS, TARGETS, params)
    wide_loss, wide_grads = caption_loss("lstm", features, wide_inputs, wide_targets, params)
    assert np.isclose(loss, wide_loss, rtol=1e-12)
    for key in grads:
        np.testing.assert_allclose(grads[key], wide_grads[key], rtol=1e-10, atol=1e-14)
    assert np.all(grads["W_embed"][CAPTION_PAD] == 0)


def test_loss_is_the_mean_over_real_tokens():
    # by hand: -log softmax at each of the 4 + 2 valid targets, divided by 6
    params = init_captioner("gru", V, F, D, H, rng=np.random.default_rng(5))
    features = np.random.default_rng(6).normal(size=(2, F))
    logits, _ = caption_forward("gru", features, INPUTS, params)
    total = 0.0
    for n, t in [(0, 0), (0, 1), (0, 2), (0, 3), (1, 0), (1, 1)]:
        z = logits[n, t]
        total += np.log(np.exp(z).sum()) - z[TARGETS[n, t]]
    loss, _ = caption_loss("gru", features, INPUTS, TARGETS, params)
    assert np.isclose(loss, total / 6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("every_step", [False, True])
def test_one_step_at_a_time_equals_the_teacher_forced_pass(cell, every_step):
    params = init_captioner(cell, V, F, D, H, rng=np.random.default_rng(7), every_step=every_step)
    features = np.random.default_rng(8).normal(size=(2, F))
    logits, _ = caption_forward(cell, features, INPUTS, params)
    state = caption_start(cell, features, params)
    for t in range(INPUTS.shape[1]):
        log_p, state = caption_step(cell, params, features, INPUTS[:, t], state)
        z = logits[:, t] - logits[:, t].max(axis=1, keepdims=True)
        np.testing.assert_allclose(
            log_p, z - np.log(np.exp(z).sum(axis=1, keepdims=True)), atol=1e-12
        )


def test_remove_head_leaves_the_feature_vector():
    params = init_cnn(6, rng=np.random.default_rng(9))
    body = remove_head(params)
    assert set(params) - set(body) == {"W_cls", "b_cls"}
    images = np.random.default_rng(10).uniform(size=(3, 16, 16, 3))
    np.testing.assert_array_equal(cnn_forward(images, body)[0], cnn_forward(images, params)[0])
    assert "W_cls" in params  # the original is not changed


def test_greedy_and_cold_sampling_agree_and_sampling_is_seeded():
    params = init_captioner("gru", V, F, D, H, rng=np.random.default_rng(11))
    features = np.random.default_rng(12).normal(size=(6, F))
    greedy = decode_captions("gru", features, params, max_len=8)
    cold = decode_captions(
        "gru", features, params, max_len=8, temperature=1e-4, rng=np.random.default_rng(0)
    )
    np.testing.assert_array_equal(greedy, cold)
    a, b = (
        decode_captions(
            "gru", features, params, max_len=8, temperature=1.0, rng=np.random.default_rng(1)
        )
        for _ in range(2)
    )
    np.testing.assert_array_equal(a, b)


def test_decoded_captions_stop_at_end_and_are_padded_after():
    params = init_captioner("lstm", V, F, D, H, rng=np.random.default_rng(13))
    params["b_y"][CAPTION_END] = 3.0  # make <end> likely
    out = decode_captions(
        "lstm",
        np.random.default_rng(14).normal(size=(5, F)),
        params,
        max_len=10,
        temperature=1.0,
        rng=np.random.default_rng(2),
    )
    for row in out:
        ends = np.flatnonzero(row == CAPTION_END)
        if len(ends):
            assert np.all(row[ends[0] + 1 :] == CAPTION_PAD)
    assert out.shape[1] <= 10


def test_training_lowers_the_loss_on_a_tiny_task():
    # two feature vectors, two different one-word captions: the decoder must tell them apart
    rng = np.random.default_rng(15)
    features = np.eye(2, F)
    inputs, targets = np.array([[1, 3], [1, 4]]), np.array([[3, 2], [4, 2]])
    model = Captioner("gru", V=V, F=F, D=D, H=8, rng=rng)
    losses = model.fit(features, inputs, targets, steps=150, batch_size=2, lr=0.05, rng=rng)
    assert losses[-1] < 0.05 < losses[0]
    np.testing.assert_array_equal(model.decode(features, max_len=4), [[3, 2], [4, 2]])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda p: caption_forward("gru", np.ones((2, F + 1)), INPUTS, p), ["features", "W_fh"]),
        (lambda p: caption_forward("gru", np.ones((3, F)), INPUTS, p), ["inputs", "(2, 4)"]),
        (lambda p: caption_forward("gru", np.ones((2, F)), INPUTS + V, p), ["inputs", "V=7"]),
        (
            lambda p: caption_loss("gru", np.ones((2, F)), INPUTS, TARGETS[:, :3], p),
            ["targets", "(2, 3)"],
        ),
        (
            lambda p: decode_captions(
                "gru", np.ones((2, F)), p, max_len=3, temperature=0.0, rng=np.random.default_rng(0)
            ),
            ["temperature"],
        ),
        (
            lambda p: decode_captions("gru", np.ones((2, F)), p, max_len=3, temperature=1.0),
            ["rng"],
        ),
    ],
)
def test_bad_input_is_named(call, words):
    params = init_captioner("gru", V, F, D, H, rng=np.random.default_rng(16))
    with pytest.raises(ValueError) as info:
        call(params)
    for word in words:
        assert word in str(info.value)


def _log_probability(cell, features, params, tokens):
    """log p(caption | image) by teacher forcing: the sum over its tokens, <end> included."""
    from rnn_tutorial import caption_forward as forward

    total = np.zeros(len(tokens))
    for n, row in enumerate(tokens):
        length = int(np.argmax(row == CAPTION_END)) + 1
        inputs = np.concatenate([[CAPTION_START], row[: length - 1]])[None]
        logits, _ = forward(cell, features[n : n + 1], inputs, params)
        z = logits[0] - logits[0].max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        total[n] = log_p[np.arange(length), row[:length]].sum()
    return total


@pytest.mark.parametrize("every_step", [False, True])
def test_beam_of_width_one_is_greedy_and_wider_beams_score_no_worse(every_step):
    from rnn_tutorial import caption_beam_search

    rng = np.random.default_rng(17)
    params = init_captioner("lstm", V, F, D, H, rng=rng, every_step=every_step)
    params["b_y"][CAPTION_END] = 1.0  # captions that end within max_len
    features = rng.normal(size=(6, F))
    greedy = decode_captions("lstm", features, params, max_len=12)
    one = caption_beam_search("lstm", features, params, beam_width=1, max_len=12)
    for row, beam_row in zip(greedy, one.tokens[:, 0], strict=True):
        length = int(np.argmax(row == CAPTION_END)) + 1
        np.testing.assert_array_equal(row[:length], beam_row[:length])
    wide = caption_beam_search("lstm", features, params, beam_width=4, max_len=12)
    assert wide.ended[:, 0].all() and one.ended[:, 0].all()
    greedy_score = _log_probability("lstm", features, params, greedy)
    np.testing.assert_allclose(one.scores[:, 0], greedy_score, atol=1e-10)
    np.testing.assert_allclose(
        wide.scores[:, 0],
        _log_probability("lstm", features, params, wide.tokens[:, 0]),
        atol=1e-10,
    )
    assert np.all(wide.scores[:, 0] >= greedy_score - 1e-12)
