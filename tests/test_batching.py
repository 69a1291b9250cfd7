"""Padding, length masks, bucketing, and the masked losses a padded batch needs."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    bucket_by_length,
    length_mask,
    mse,
    numerical_gradient,
    pad_sequences,
    padding_share,
    relative_error,
    softmax_cross_entropy,
)


def test_pad_sequences_tokens_and_vectors():
    batch, lengths = pad_sequences([[3, 1, 2], [7], [4, 4]], pad=9)
    assert batch.tolist() == [[3, 1, 2], [7, 9, 9], [4, 4, 9]]
    assert lengths.tolist() == [3, 1, 2]
    seqs = [np.ones((2, 4)), 2 * np.ones((3, 4))]
    batch, lengths = pad_sequences(seqs)
    assert batch.shape == (2, 3, 4) and lengths.tolist() == [2, 3]
    assert np.all(batch[0, 2] == 0) and np.all(batch[1] == 2)


def test_length_mask_round_trips_with_pad_sequences():
    seqs = [[1, 2, 3, 4], [5], [6, 7]]
    batch, lengths = pad_sequences(seqs)
    mask = length_mask(lengths, batch.shape[1])
    assert [batch[n][mask[n]].tolist() for n in range(3)] == seqs


@pytest.mark.parametrize(
    ("lengths", "T", "pieces"),
    [
        ([0, 2], 3, ["lengths", "[1, T=3]"]),
        ([2, 4], 3, ["lengths", "[1, T=3]"]),
        ([-1, 2], 3, ["lengths", "[1, T=3]"]),
        ([1.0, 2.0], 3, ["lengths", "integers"]),
        ([[1, 2]], 3, ["lengths", "(N,)"]),
        ([1, 2], 0, ["T", "positive"]),
    ],
)
def test_length_mask_refuses_bad_lengths(lengths, T, pieces):
    with pytest.raises(ValueError, match=message_with(arg(pieces[0]), pieces[1])):
        length_mask(lengths, T)


def test_pad_sequences_refuses_bad_input():
    with pytest.raises(ValueError, match=message_with(arg("seqs"))):
        pad_sequences([])
    with pytest.raises(ValueError, match=message_with("seqs[1]", "T_n >= 1")):
        pad_sequences([[1], []])
    with pytest.raises(ValueError, match=message_with("seqs[1]", "seqs[0]")):
        pad_sequences([np.ones((2, 3)), np.ones((2, 4))])


def test_bucketing_keeps_every_index_once_and_reduces_padding():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 40, size=200)
    buckets = bucket_by_length(lengths, 16, rng=np.random.default_rng(1))
    assert sorted(np.concatenate(buckets).tolist()) == list(range(200))
    assert all(len(b) <= 16 for b in buckets)
    random = [np.arange(200)[i : i + 16] for i in range(0, 200, 16)]
    assert padding_share(lengths, buckets) < padding_share(lengths, random)
    # buckets are runs of the sorted lengths: no two buckets' length ranges interleave
    ranges = sorted((lengths[b].min(), lengths[b].max()) for b in buckets)
    assert all(hi <= lo_next for (_, hi), (lo_next, _) in zip(ranges, ranges[1:], strict=False))


def test_padding_share_by_hand():
    # lengths 5, 2 padded to 5 (3 padded of 10), 1 alone (0 of 1): 3 of 11
    assert padding_share([5, 2, 1], [np.array([0, 1]), np.array([2])]) == pytest.approx(3 / 11)


def test_masked_cross_entropy_equals_loss_over_valid_positions_only():
    rng = np.random.default_rng(2)
    logits = rng.standard_normal((3, 4, 5))
    lengths = np.array([4, 1, 2])
    targets = rng.integers(5, size=(3, 4))
    targets[length_mask(lengths, 4) == 0] = -1  # padding ids, never read
    mask = length_mask(lengths, 4)
    loss, dz = softmax_cross_entropy(logits, targets, reduction="mean", mask=mask)
    # hand computation: -log softmax at each valid position, averaged over the 7 of them
    total = 0.0
    for n in range(3):
        for t in range(lengths[n]):
            z = logits[n, t]
            total += -(z[targets[n, t]] - np.log(np.exp(z).sum()))
    assert loss == pytest.approx(total / 7, rel=1e-12)
    assert np.all(dz[~mask] == 0)

    def f(p):
        return softmax_cross_entropy(p["z"], targets, reduction="mean", mask=mask)[0], None

    assert relative_error(dz, numerical_gradient(f, {"z": logits.copy()}, "z")) < 1e-7


def test_masked_mse_by_hand_and_gradient():
    p = np.array([[[1.0], [2.0], [5.0]]])
    y = np.array([[[0.0], [0.0], [0.0]]])
    mask = np.array([[True, True, False]])
    loss, d = mse(p, y, mask=mask)
    assert loss == pytest.approx((1 + 4) / 2)
    np.testing.assert_allclose(d[0, :, 0], [1.0, 2.0, 0.0])
    loss_sum, _ = mse(p, y, mask=mask, reduction="sum")
    assert loss_sum == pytest.approx(5.0)


def test_masked_losses_refuse_bad_masks():
    with pytest.raises(ValueError, match=message_with(arg("mask"), "(2, 3)")):
        softmax_cross_entropy(
            np.zeros((2, 3, 4)), np.zeros((2, 3), int), mask=np.ones((2, 2), bool)
        )
    with pytest.raises(ValueError, match=message_with(arg("mask"), "bool")):
        softmax_cross_entropy(np.zeros((2, 3, 4)), np.zeros((2, 3), int), mask=np.ones((2, 3)))
    with pytest.raises(ValueError, match=message_with("mean", "no")):
        softmax_cross_entropy(
            np.zeros((1, 2, 4)),
            np.zeros((1, 2), int),
            reduction="mean",
            mask=np.zeros((1, 2), bool),
        )
