"""The synthetic tasks: shapes, the property each task is built on, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import adding_problem, first_symbol_recall, sine_windows

# --------------------------------------------------------------------------- first-symbol recall


@pytest.mark.parametrize("lag", [0, 1, 7])
def test_recall_shapes_and_one_hot(rng, lag):
    x, y = first_symbol_recall(50, lag, vocab_size=3, n_distractors=5, rng=rng)
    assert x.shape == (50, lag + 1, 8) and x.dtype == np.float64
    assert y.shape == (50,) and y.dtype.kind == "i"
    assert np.array_equal(x.sum(axis=2), np.ones((50, lag + 1)))  # one symbol per step
    assert set(np.unique(x)) <= {0.0, 1.0}


def test_recall_answer_is_the_first_symbol_and_only_there(rng):
    x, y = first_symbol_recall(400, 6, vocab_size=4, n_distractors=2, rng=rng)
    symbols = x.argmax(axis=2)
    assert np.array_equal(symbols[:, 0], y)
    assert np.all((symbols[:, 0] >= 0) & (symbols[:, 0] < 4))
    assert np.all((symbols[:, 1:] >= 4) & (symbols[:, 1:] < 6))  # distractors only


def test_recall_draws_every_symbol_about_equally_often(rng):
    _, y = first_symbol_recall(8000, 2, vocab_size=4, rng=rng)
    counts = np.bincount(y, minlength=4)
    assert np.all(np.abs(counts / 8000 - 0.25) < 0.03)


def test_recall_distractors_vary_between_sequences(rng):
    x, _ = first_symbol_recall(200, 10, rng=rng)
    distractors = x[:, 1:].argmax(axis=2)
    assert len({tuple(row) for row in distractors}) > 190  # not one fixed pattern


def test_recall_is_reproducible_from_the_seed():
    a = first_symbol_recall(5, 4, rng=np.random.default_rng(3))
    b = first_symbol_recall(5, 4, rng=np.random.default_rng(3))
    assert all(np.array_equal(u, v) for u, v in zip(a, b, strict=True))


def test_recall_dtype_is_honoured(rng):
    x, _ = first_symbol_recall(2, 3, rng=rng, dtype=np.float32)
    assert x.dtype == np.float32


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"lag": -1}, "lag"),
        ({"lag": 2.5}, "lag"),
        ({"vocab_size": 1}, "vocab_size"),
        ({"n_distractors": 0}, "n_distractors"),
        ({"n": True}, "n"),
    ],
)
def test_recall_bad_sizes(rng, kwargs, name):
    args = {"n": 3, "lag": 2, **kwargs}
    with pytest.raises(ValueError, match=message_with(arg(name))):
        first_symbol_recall(args.pop("n"), args.pop("lag"), rng=rng, **args)


def test_recall_needs_a_generator():
    with pytest.raises(ValueError, match=message_with(arg("rng"), "default_rng")):
        first_symbol_recall(3, 2, rng=0)


# --------------------------------------------------------------------------- adding problem


def test_adding_shapes_and_markers(rng):
    x, y = adding_problem(300, 11, rng=rng)
    assert x.shape == (300, 11, 2) and y.shape == (300, 1)
    markers = x[:, :, 1]
    assert np.array_equal(markers.sum(axis=1), np.full(300, 2.0))
    assert np.array_equal(markers[:, :5].sum(axis=1), np.ones(300))  # one in the first half
    assert np.array_equal(markers[:, 5:].sum(axis=1), np.ones(300))  # one in the second


def test_adding_target_is_the_sum_of_the_marked_values(rng):
    x, y = adding_problem(200, 8, rng=rng)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert np.all((values >= 0) & (values < 1))
    assert np.allclose(y[:, 0], (values * markers).sum(axis=1), rtol=0, atol=1e-15)
    assert np.all((y >= 0) & (y < 2))


def test_adding_constant_guess_has_mse_one_sixth(rng):
    _, y = adding_problem(40000, 20, rng=rng)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.005


def test_adding_shortest_sequence_marks_both_steps(rng):
    x, _ = adding_problem(10, 2, rng=rng)
    assert np.array_equal(x[:, :, 1], np.ones((10, 2)))


@pytest.mark.parametrize(("n", "T", "name"), [(0, 5, "n"), (4, 1, "T"), (4, 3.0, "T")])
def test_adding_bad_sizes(rng, n, T, name):
    with pytest.raises(ValueError, match=message_with(arg(name))):
        adding_problem(n, T, rng=rng)


# --------------------------------------------------------------------------- sine windows


def test_sine_windows_shapes_and_targets():
    x, y, positions = sine_windows(40, 6, step=0.25, start=1.0)
    assert x.shape == (40, 6, 1) and y.shape == (40, 1) and positions.shape == (40,)
    assert np.allclose(positions, 1.0 + 0.25 * (np.arange(40) + 6))
    assert np.allclose(y[:, 0], np.sin(positions), rtol=0, atol=1e-15)


def test_sine_windows_slide_one_sample_at_a_time():
    x, y, positions = sine_windows(30, 4, step=0.1)
    for k in range(30):
        grid = 0.1 * np.arange(k, k + 4)
        assert np.allclose(x[k, :, 0], np.sin(grid), rtol=0, atol=1e-15)
    # the target of window k is the last input of window k + 1
    assert np.array_equal(y[:-1, 0], x[1:, -1, 0])


def test_sine_windows_from_separate_stretches_share_no_sample():
    _, _, train = sine_windows(100, 10, step=0.1, start=0.0)
    x_test, _, _ = sine_windows(50, 10, step=0.1, start=train[-1] + 0.1)
    first_test_input = train[-1] + 0.1
    assert first_test_input > train[-1]
    assert np.isclose(x_test[0, 0, 0], np.sin(first_test_input))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"n": 0}, "n"),
        ({"window": 0}, "window"),
        ({"step": 0.0}, "step"),
        ({"step": -0.1}, "step"),
        ({"step": float("nan")}, "step"),
        ({"start": float("inf")}, "start"),
    ],
)
def test_sine_windows_bad_arguments(kwargs, name):
    args = {"n": 5, "window": 3, **kwargs}
    with pytest.raises(ValueError, match=message_with(arg(name))):
        sine_windows(args.pop("n"), args.pop("window"), **args)


def test_xor_recall_answers_whether_the_first_signs_differ():
    from rnn_tutorial import xor_recall

    x, y = xor_recall(2000, 5, rng=np.random.default_rng(0))
    assert x.shape == (2000, 5, 2) and y.shape == (2000,)
    assert x.min() >= -1 and x.max() < 1
    # by hand: quadrants 2 and 4 of the first step's pair, nothing from later steps
    a, b = x[:, 0, 0], x[:, 0, 1]
    expected = ((a > 0) & (b < 0)) | ((a < 0) & (b > 0))
    assert np.array_equal(y, expected.astype(int))
    assert 0.45 < y.mean() < 0.55  # balanced: guessing scores about 0.5
    # no linear function of the first step separates the classes: the best
    # least-squares linear fit of y from (a, b, 1) is no better than the mean
    A = np.column_stack([a, b, np.ones_like(a)])
    coef, *_ = np.linalg.lstsq(A, y, rcond=None)
    assert np.mean((A @ coef > 0.5) == y) < 0.56


@pytest.mark.parametrize("n, T", [(0, 3), (3, 0), (2.5, 3), (True, 3)])
def test_xor_recall_rejects_bad_sizes(n, T):
    from rnn_tutorial import xor_recall

    with pytest.raises(ValueError, match="must be a positive integer"):
        xor_recall(n, T, rng=np.random.default_rng(0))
