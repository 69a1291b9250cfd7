"""SequenceModel and its training loop, and the mean squared error they use.

Every gradient is checked against centred finite differences in float64, for
each cell, each loss and both output modes; the training loop is checked for
what it records and for learning a task it must be able to learn quickly.
"""

from __future__ import annotations

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import (
    Adam,
    FitHistory,
    SequenceModel,
    first_symbol_recall,
    global_norm,
    grad_check,
    mse,
)

N, T, D, H, V = 3, 5, 4, 6, 2  # small and mostly different
TOL = 1e-6  # float64 centred differences: a right gradient is orders of magnitude below


def _targets(model, rng):
    if model.loss_name == "cross_entropy":
        shape = (N,) if model.output == "last" else (N, T)
        return rng.integers(0, V, size=shape)
    shape = (N, V) if model.output == "last" else (N, T, V)
    return rng.normal(size=shape)


# --------------------------------------------------------------------------- mse


def test_mse_value_and_gradient_by_hand():
    loss, d = mse(np.array([1.0, -2.0, 0.5]), np.array([0.0, 0.0, 0.5]))
    assert loss == pytest.approx((1 + 4 + 0) / 3, rel=1e-15)
    assert np.allclose(d, [2 / 3, -4 / 3, 0.0], rtol=0, atol=1e-15)
    loss, d = mse(np.array([1.0, -2.0]), np.zeros(2), reduction="sum")
    assert loss == 5.0 and np.array_equal(d, [2.0, -4.0])


def test_mse_gradient_check(rng):
    target = rng.normal(size=(3, 4, 2))

    def loss_fn(p):
        loss, d = mse(p["y"], target)
        return loss, {"y": d}

    err = grad_check(loss_fn, {"y": rng.normal(size=(3, 4, 2))})
    assert err["y"] < 1e-8


def test_mse_bad_input():
    with pytest.raises(ValueError, match=message_with(arg("targets"), "(2, 1)", "(2,)")):
        mse(np.zeros((2, 1)), np.zeros(2))
    with pytest.raises(ValueError, match=message_with(arg("reduction"))):
        mse(np.zeros(2), np.zeros(2), reduction="max")
    with pytest.raises(ValueError, match=message_with(arg("predictions"), "NaN")):
        mse(np.array([np.nan]), np.zeros(1))


# --------------------------------------------------------------------------- the model


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_parameters_of_each_cell(rng, cell):
    model = SequenceModel(cell, D, H, V, rng=rng)
    layer = {
        "rnn": {"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,)},
        "lstm": {"W_x": (D, 4 * H), "W_h": (H, 4 * H), "b": (4 * H,)},
        "gru": {"W_x": (D, 3 * H), "W_h": (H, 3 * H), "b_x": (3 * H,), "b_h": (3 * H,)},
    }[cell]
    expected = {**layer, "W_hy": (H, V), "b_y": (V,)}
    assert {k: v.shape for k, v in model.params.items()} == expected
    assert model.sizes == (D, H, V)
    assert cell in repr(model)


def test_forget_bias_reaches_the_lstm(rng):
    model = SequenceModel("lstm", D, H, V, rng=rng, forget_bias=2.5)
    assert np.all(model.params["b"][H : 2 * H] == 2.5)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
@pytest.mark.parametrize("output", ["last", "all"])
def test_full_model_gradient_check(rng, cell, loss, output):
    model = SequenceModel(cell, D, H, V, rng=rng, loss=loss, output=output)
    for key in model.params:  # move away from the initial zeros of b_y
        model.params[key] += rng.normal(scale=0.1, size=model.params[key].shape)
    x, y = rng.normal(size=(N, T, D)), _targets(model, rng)
    errors = grad_check(lambda p: model.loss_and_grads(x, y, params=p), model.params)
    assert max(errors.values()) < TOL, errors


def test_textbook_gru_gradient_check(rng):
    model = SequenceModel("gru", D, H, V, rng=rng, form="textbook")
    x, y = rng.normal(size=(N, T, D)), rng.integers(0, V, size=N)
    errors = grad_check(lambda p: model.loss_and_grads(x, y, params=p), model.params)
    assert max(errors.values()) < TOL, errors


def test_gru_forms_differ(rng):
    a = SequenceModel("gru", D, H, V, rng=np.random.default_rng(1), form="reset_after")
    b = SequenceModel("gru", D, H, V, rng=np.random.default_rng(1), form="textbook")
    x = rng.normal(size=(N, T, D))
    assert not np.allclose(a.outputs(x), b.outputs(x))


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_input_gradients_against_finite_differences(rng, cell):
    model = SequenceModel(cell, D, H, 1, rng=rng, loss="mse")
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, 1))
    dx = model.input_gradients(x, y)
    assert dx.shape == x.shape

    def loss_fn(p):
        return model.loss(p["x"], y), {"x": model.input_gradients(p["x"], y)}

    assert grad_check(loss_fn, {"x": x})["x"] < TOL


def test_last_output_ignores_nothing_but_reads_only_the_final_state(rng):
    model = SequenceModel("lstm", D, H, V, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, _ = model.states(x)
    expected = hs[:, -1] @ model.params["W_hy"] + model.params["b_y"]
    assert np.allclose(model.outputs(x), expected, rtol=0, atol=1e-14)
    all_steps = SequenceModel("lstm", D, H, V, rng=np.random.default_rng(0), output="all")
    assert all_steps.outputs(x).shape == (N, T, V)


def test_predict_and_accuracy(rng):
    model = SequenceModel("rnn", D, H, 3, rng=rng)
    model.params["W_hy"][:] = 0.0
    model.params["b_y"][:] = [0.0, 0.0, 1.0]
    x = rng.normal(size=(4, T, D))
    assert np.array_equal(model.predict(x), [2, 2, 2, 2])
    assert model.accuracy(x, np.array([2, 0, 2, 1])) == 0.5
    regression = SequenceModel("rnn", D, H, 2, rng=rng, loss="mse")
    assert np.array_equal(regression.predict(x), regression.outputs(x))


def test_loss_matches_loss_and_grads(rng):
    for loss in ("cross_entropy", "mse"):
        model = SequenceModel("gru", D, H, V, rng=rng, loss=loss)
        x, y = rng.normal(size=(N, T, D)), _targets(model, rng)
        assert model.loss(x, y) == pytest.approx(model.loss_and_grads(x, y)[0], rel=1e-14)


def test_float32_model_keeps_float32(rng):
    model = SequenceModel("lstm", D, H, V, rng=rng, dtype=np.float32)
    x = rng.normal(size=(N, T, D)).astype(np.float32)
    loss, grads = model.loss_and_grads(x, rng.integers(0, V, size=N))
    assert all(g.dtype == np.float32 for g in grads.values())


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [({"cell": "elman"}, "cell"), ({"loss": "hinge"}, "loss"), ({"output": "first"}, "output")],
)
def test_bad_choices(rng, kwargs, name):
    args = {"cell": "rnn", **kwargs}
    with pytest.raises(ValueError, match=message_with(arg(name), "rnn" if name == "cell" else "")):
        SequenceModel(args.pop("cell"), D, H, V, rng=rng, **args)


def test_bad_form_and_rng():
    with pytest.raises(ValueError, match=message_with(arg("form"))):
        SequenceModel("gru", D, H, V, rng=np.random.default_rng(0), form="cudnn")
    with pytest.raises(ValueError, match=message_with(arg("rng"))):
        SequenceModel("gru", D, H, V, rng=0)


def test_wrong_input_size_names_x(rng):
    model = SequenceModel("lstm", D, H, V, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("x"), "D=4")):
        model.outputs(rng.normal(size=(N, T, D + 1)))
    with pytest.raises(ValueError, match=message_with(arg("x"), "(N, T, D)")):
        model.outputs(rng.normal(size=(N, D)))


def test_wrong_targets(rng):
    model = SequenceModel("rnn", D, H, V, rng=rng)
    x = rng.normal(size=(N, T, D))
    with pytest.raises(ValueError, match=message_with(arg("y"), "integer")):
        model.loss_and_grads(x, np.zeros(N))
    with pytest.raises(ValueError, match=message_with(arg("y"), "(3, 5)")):
        model.loss_and_grads(x, np.zeros((N, T), dtype=int))
    regression = SequenceModel("rnn", D, H, V, rng=rng, loss="mse")
    with pytest.raises(ValueError, match=message_with("accuracy", "mse")):
        regression.accuracy(x, np.zeros((N, V)))
    with pytest.raises(ValueError, match=message_with(arg("y"), "(4,)", "(3,)")):
        model.accuracy(x, np.zeros(4, dtype=int))


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"steps": -1}, "steps"),
        ({"steps": 2.0}, "steps"),
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 2.5}, "batch_size"),
        ({"clip": 0.0}, "clip"),
        ({"stop_below": float("nan")}, "stop_below"),
        ({"lr": -1.0}, "lr"),
        ({"rng": 1}, "rng"),
    ],
)
def test_fit_bad_arguments(rng, kwargs, name):
    model = SequenceModel("rnn", D, H, V, rng=rng)
    x, y = rng.normal(size=(8, T, D)), rng.integers(0, V, size=8)
    args = {"steps": 2, "rng": rng, **kwargs}
    with pytest.raises(ValueError, match=message_with(arg(name))):
        model.fit(x, y, **args)


def test_fit_needs_as_many_targets_as_sequences(rng):
    model = SequenceModel("rnn", D, H, V, rng=rng)
    with pytest.raises(ValueError, match=message_with(arg("y"), "N=8")):
        model.fit(rng.normal(size=(8, T, D)), np.zeros(7, dtype=int), steps=1, rng=rng)


# --------------------------------------------------------------------------- training


def test_fit_records_each_update_and_keeps_the_optimizer(rng):
    model = SequenceModel("gru", D, H, V, rng=rng)
    x, y = rng.normal(size=(16, T, D)), rng.integers(0, V, size=16)
    history = model.fit(x, y, steps=5, rng=np.random.default_rng(1), batch_size=4)
    assert isinstance(history, FitHistory)
    assert history.loss.shape == (5,) and history.grad_norm.shape == (5,)
    assert isinstance(model.optimizer, Adam) and model.optimizer.t == 5
    optimizer = model.optimizer
    model.fit(x, y, steps=3, rng=rng, lr=0.001)
    assert model.optimizer is optimizer and optimizer.t == 8 and optimizer.lr == 0.001


def test_fit_records_the_loss_and_norm_of_the_batch_it_used(rng):
    x, y = rng.normal(size=(16, T, D)), rng.integers(0, V, size=16)
    model = SequenceModel("lstm", D, H, V, rng=np.random.default_rng(5))
    twin = SequenceModel("lstm", D, H, V, rng=np.random.default_rng(5))
    history = model.fit(x, y, steps=1, rng=np.random.default_rng(7), batch_size=4)
    idx = np.random.default_rng(7).choice(16, size=4, replace=False)
    loss, grads = twin.loss_and_grads(x[idx], y[idx])
    assert history.loss[0] == pytest.approx(loss, rel=1e-14)
    assert history.grad_norm[0] == pytest.approx(global_norm(grads), rel=1e-14)


def test_full_batch_training_is_deterministic(rng):
    x, y = rng.normal(size=(6, T, D)), rng.integers(0, V, size=6)
    runs = []
    for batch_size in (None, 6, 32):  # a batch of at least N is the whole set
        model = SequenceModel("rnn", D, H, V, rng=np.random.default_rng(2))
        runs.append(
            model.fit(
                x, y, steps=4, rng=np.random.default_rng(batch_size or 0), batch_size=batch_size
            )
        )
    assert np.array_equal(runs[0].loss, runs[1].loss)
    assert np.array_equal(runs[0].loss, runs[2].loss)


def test_clipping_bounds_the_gradient_adam_sees(rng, monkeypatch):
    model = SequenceModel("rnn", D, H, V, rng=rng)
    x, y = rng.normal(size=(8, T, D)), rng.integers(0, V, size=8)
    seen = []
    original = Adam.step

    def spy(self, params, grads):
        seen.append(global_norm(grads))
        original(self, params, grads)

    monkeypatch.setattr(Adam, "step", spy)
    history = model.fit(x, y, steps=3, rng=rng, clip=1e-3)
    assert np.all(history.grad_norm > 1e-3)  # recorded before clipping
    assert np.allclose(seen, 1e-3)


def test_stop_below_ends_training_early(rng):
    x, y = rng.normal(size=(32, 3, 1)), rng.integers(0, 2, size=32)
    model = SequenceModel("rnn", 1, 4, 2, rng=rng)
    history = model.fit(x, y, steps=50, rng=rng, stop_below=10.0)  # any loss is below 10
    assert len(history.loss) == 10  # the first moment the 10-update mean exists


@pytest.mark.parametrize("cell", ["lstm", "gru"])
def test_gated_cells_learn_recall_at_a_small_lag_quickly(cell):
    rng = np.random.default_rng(0)
    x_train, y_train = first_symbol_recall(500, 5, vocab_size=4, rng=rng)
    x_test, y_test = first_symbol_recall(300, 5, vocab_size=4, rng=rng)
    model = SequenceModel(cell, x_train.shape[2], 16, 4, rng=np.random.default_rng(1))
    assert model.accuracy(x_test, y_test) < 0.5  # not solved before training
    model.fit(x_train, y_train, steps=150, rng=rng, lr=0.02, clip=1.0)
    assert model.accuracy(x_test, y_test) > 0.95


def test_regression_learns_the_next_value_of_a_line(rng):
    x = rng.uniform(-1, 1, size=(64, 1, 1)) * np.array([1.0, 2.0, 3.0])[None, :, None]
    y = 4 * x[:, 0]  # continues 1x, 2x, 3x with 4x
    model = SequenceModel("lstm", 1, 8, 1, rng=rng, loss="mse")
    before = model.loss(x, y)
    model.fit(x, y, steps=200, rng=rng, lr=0.02)
    assert model.loss(x, y) < before / 20
