"""Stacked layers of every cell: gradients, the dropout layout between layers, parameter counts.

Every gradient, with and without fixed dropout masks, is checked against
centred finite differences in float64. Expected outputs are rebuilt from
single layers (:func:`layer_forward`) or from the step functions by hand,
never from :func:`stack_forward` itself.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import (
    StackedClassifier,
    grad_check,
    init_stack,
    rnn_step_forward,
    stack_backward,
    stack_forward,
    stack_param_counts,
)
from rnn_tutorial.layers import layer_forward, zero_state
from rnn_tutorial.layers.dropout import dropout_mask

N, T, D, H, L = 2, 4, 3, 5, 3
TOL = 1e-7
CASES = [
    ("rnn", {}),
    ("rnn", {"activation": "relu"}),
    ("lstm", {}),
    ("gru", {}),
    ("gru", {"form": "textbook"}),
]


def _flat(layers, states0):
    """One dict for grad_check: every layer's weights and initial state under ``l<i>.`` keys."""
    p = {f"l{i}.{k}": v for i, layer in enumerate(layers) for k, v in layer.items()}
    for i, state in enumerate(states0):
        for j, s in enumerate(state):
            p[f"l{i}.s{j}"] = s
    return p


def _loss_fn(cell, options, rng, masks=None, recurrent_masks=None):
    """A scalar loss of the top outputs *and* every layer's final state."""
    n_state = 2 if cell == "lstm" else 1
    w_hs = rng.normal(size=(N, T, H))
    w_states = [tuple(rng.normal(size=(N, H)) for _ in range(n_state)) for _ in range(L)]
    train = masks is not None or recurrent_masks is not None

    def loss_fn(p):
        layers = [
            {k.split(".", 1)[1]: v for k, v in p.items() if k.startswith(f"l{i}.W")}
            | {k.split(".", 1)[1]: v for k, v in p.items() if k.startswith(f"l{i}.b")}
            for i in range(L)
        ]
        states0 = [tuple(p[f"l{i}.s{j}"] for j in range(n_state)) for i in range(L)]
        hs, states, cache = stack_forward(
            cell,
            p["x"],
            layers,
            states0,
            train=train,
            masks=masks,
            recurrent_masks=recurrent_masks,
            **options,
        )
        loss = np.sum(w_hs * hs) + sum(
            np.sum(w * s)
            for ws, st in zip(w_states, states, strict=True)
            for w, s in zip(ws, st, strict=True)
        )
        dx, dstates0, grads = stack_backward(w_hs, cache, w_states)
        out = {"x": dx}
        for i in range(L):
            out |= {f"l{i}.{k}": v for k, v in grads[i].items()}
            out |= {f"l{i}.s{j}": d for j, d in enumerate(dstates0[i])}
        return float(loss), out

    return loss_fn


def _problem(cell, seed=3):
    rng = np.random.default_rng(seed)
    layers = init_stack(cell, D, H, L, rng=rng)
    n_state = 2 if cell == "lstm" else 1
    states0 = [tuple(rng.normal(size=(N, H)) * 0.5 for _ in range(n_state)) for _ in range(L)]
    p = _flat(layers, states0)
    p["x"] = rng.normal(size=(N, T, D))
    return rng, p


@pytest.mark.parametrize(("cell", "options"), CASES)
def test_stack_gradients_match_finite_differences(cell, options):
    rng, p = _problem(cell)
    errors = grad_check(_loss_fn(cell, options, rng), p)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize(("cell", "options"), CASES)
@pytest.mark.parametrize("shape", [(N, T, H), (N, 1, H)], ids=["per-step", "variational"])
def test_stack_gradients_with_fixed_between_layer_masks(cell, options, shape):
    rng, p = _problem(cell)
    masks = [dropout_mask(shape, 0.4, rng=rng) for _ in range(L - 1)]
    assert all(np.any(m == 0) for m in masks)  # some units really are dropped
    errors = grad_check(_loss_fn(cell, options, rng, masks=masks), p, num_checks=12, rng=rng)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize(("cell", "options"), [c for c in CASES if c[0] != "gru"])
def test_stack_gradients_with_fixed_recurrent_masks(cell, options):
    rng, p = _problem(cell)
    masks = [dropout_mask((N, 1, H), 0.3, rng=rng) for _ in range(L - 1)]
    recurrent = [dropout_mask((N, H), 0.4, rng=rng) for _ in range(L)]
    loss_fn = _loss_fn(cell, options, rng, masks=masks, recurrent_masks=recurrent)
    errors = grad_check(loss_fn, p, num_checks=12, rng=rng)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_each_layer_reads_the_one_below_and_keeps_its_own_weights(cell):
    rng = np.random.default_rng(0)
    layers = init_stack(cell, D, H, L, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, states, _ = stack_forward(cell, x, layers)
    inputs = x
    for i, params in enumerate(layers):
        inputs, state, _ = layer_forward(cell, inputs, params)
        for ours, expected in zip(states[i], state, strict=True):
            np.testing.assert_array_equal(ours, expected)
    np.testing.assert_array_equal(hs, inputs)
    for key in layers[1]:  # layers 2 and 3 have the same shapes but their own weights
        assert not np.allclose(layers[1][key], layers[2][key]) or key.startswith("b")


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_evaluation_mode_ignores_dropout(cell):
    rng = np.random.default_rng(1)
    layers = init_stack(cell, D, H, L, rng=rng)
    x = rng.normal(size=(N, T, D))
    plain, _, _ = stack_forward(cell, x, layers)
    kwargs = {"recurrent_dropout": 0.5} if cell != "gru" else {}
    evaluated, _, cache = stack_forward(
        cell, x, layers, train=False, dropout=0.5, variational=True, rng=rng, **kwargs
    )
    np.testing.assert_array_equal(evaluated, plain)
    assert all(c.mask is None for c in cache.between)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_dropout_never_touches_the_recurrence(cell):
    """Zaremba's layout: layer 1 runs exactly as alone; layer 2 differs only through its input."""
    rng = np.random.default_rng(2)
    layers = init_stack(cell, D, H, 2, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, states, cache = stack_forward(cell, x, layers, train=True, dropout=0.6, rng=rng)
    mask = cache.between[0].mask
    assert mask.shape == (N, T, H) and np.any(mask == 0) and np.any(mask > 0)
    hs1, state1, _ = layer_forward(cell, x, layers[0])
    for ours, expected in zip(states[0], state1, strict=True):
        np.testing.assert_array_equal(ours, expected)
    hs2, _, _ = layer_forward(cell, hs1 * mask, layers[1])
    np.testing.assert_array_equal(hs, hs2)
    # a single layer has no connection between layers, so nothing to drop
    one, _, _ = stack_forward(cell, x, layers[:1], train=True, dropout=0.9, rng=rng)
    np.testing.assert_array_equal(one, hs1)


def test_variational_between_layer_masks_are_constant_over_time():
    rng = np.random.default_rng(3)
    layers = init_stack("lstm", D, H, L, rng=rng)
    x = rng.normal(size=(N, 6, D))
    _, _, cache = stack_forward(
        "lstm", x, layers, train=True, dropout=0.5, variational=True, rng=rng
    )
    for drop in cache.between:
        full = np.broadcast_to(drop.mask, (N, 6, H))
        assert np.all(full == full[:, :1])
        assert np.any(full == 0)
    _, _, cache = stack_forward("lstm", x, layers, train=True, dropout=0.5, rng=rng)
    assert not np.all(cache.between[0].mask == cache.between[0].mask[:, :1])


def test_recurrent_mask_reproduces_a_hand_written_loop():
    rng = np.random.default_rng(4)
    layers = init_stack("rnn", D, H, 1, rng=rng)
    x = rng.normal(size=(N, T, D))
    m = dropout_mask((N, H), 0.5, rng=rng)
    hs, _, _ = stack_forward("rnn", x, layers, train=True, recurrent_masks=[m])
    h = zero_state("rnn", N, H)[0]
    for t in range(T):
        h, _ = rnn_step_forward(x[:, t], h * m, layers[0])
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-13, atol=0)


def test_parameter_counts_follow_the_formulas():
    rng = np.random.default_rng(0)
    expected = {
        "rnn": lambda d: (d + H) * H + H,
        "lstm": lambda d: 4 * ((d + H) * H + H),
        "gru": lambda d: 3 * ((d + H) * H + 2 * H),
    }
    for cell, count in expected.items():
        layers = init_stack(cell, D, H, L, rng=rng)
        assert stack_param_counts(layers) == [count(D)] + [count(H)] * (L - 1)


def test_bad_input_is_named():
    rng = np.random.default_rng(0)
    layers = init_stack("gru", D, H, L, rng=rng)
    x = rng.normal(size=(N, T, D))
    with pytest.raises(ValueError, match="num_layers must be a positive integer, got 0"):
        init_stack("gru", D, H, 0, rng=rng)
    with pytest.raises(ValueError, match="layers must hold at least one"):
        stack_forward("gru", x, [])
    with pytest.raises(
        ValueError, match="states0 must be a list of 3 states, one per layer, got 2"
    ):
        stack_forward("gru", x, layers, [zero_state("gru", N, H)] * 2)
    with pytest.raises(ValueError, match="masks must be a list of 2 arrays, got 3"):
        stack_forward("gru", x, layers, train=True, masks=[np.ones((N, T, H))] * 3)
    with pytest.raises(
        ValueError,
        match=r"masks\[1\] has shape \(2, 4, 4\) but must be \(2, 4, 5\) or \(2, 1, 5\)",
    ):
        stack_forward("gru", x, layers, train=True, masks=[np.ones((N, T, H)), np.ones((N, T, 4))])
    with pytest.raises(ValueError, match="used in training mode only"):
        stack_forward("gru", x, layers, masks=[np.ones((N, T, H))] * 2)
    with pytest.raises(ValueError, match="train must be True or False, got 1"):
        stack_forward("gru", x, layers, train=1)
    with pytest.raises(
        ValueError, match=r"dropout must be a finite real number in \[0, 1\), got 1.0"
    ):
        stack_forward("gru", x, layers, train=True, dropout=1.0, rng=rng)
    with pytest.raises(ValueError, match="rng must be a numpy.random.Generator"):
        stack_forward("gru", x, layers, train=True, dropout=0.5)
    with pytest.raises(ValueError, match="variational recurrent dropout takes the rnn or lstm"):
        stack_forward("gru", x, layers, train=True, recurrent_dropout=0.5, rng=rng)
    hs, _, cache = stack_forward("gru", x, layers)
    with pytest.raises(
        ValueError, match="dstates must be a list of 3 states, one per layer, got 1"
    ):
        stack_backward(hs, cache, [(hs[:, -1],)])
    with pytest.raises(ValueError, match="cache must be the StackCache of stack_forward"):
        stack_backward(hs, cache.layers)


@pytest.mark.parametrize(
    ("cell", "dropout"),
    [
        ("gru", {}),
        ("gru", {"dropout": 0.4}),
        ("lstm", {"dropout": 0.4, "variational": True, "recurrent_dropout": 0.3}),
    ],
)
def test_classifier_gradients_with_masks_fixed_by_the_seed(cell, dropout):
    rng = np.random.default_rng(7)
    model = StackedClassifier(cell, D, H, 3, num_layers=2, rng=rng, **dropout)
    x, y = rng.normal(size=(N, T, D)), np.array([0, 2])

    def loss_fn(p):  # a fresh generator with the same seed draws the same masks every call
        return model.loss_and_grads(x, y, train=True, rng=np.random.default_rng(11), params=p)

    errors = grad_check(loss_fn, dict(model.params), num_checks=10, rng=rng)
    assert max(errors.values()) < TOL, errors
    if dropout:  # training mode is not evaluation mode
        train_loss, _ = loss_fn(model.params)
        assert abs(train_loss - model.loss(x, y)) > 1e-6


def test_classifier_fit_records_both_curves_in_evaluation_mode():
    rng = np.random.default_rng(8)
    model = StackedClassifier("rnn", D, H, 2, num_layers=2, rng=rng, dropout=0.3)
    x, y = rng.normal(size=(16, T, D)), rng.integers(0, 2, 16)
    x_val, y_val = rng.normal(size=(8, T, D)), rng.integers(0, 2, 8)
    start = model.loss(x_val, y_val)
    history = model.fit(x, y, steps=20, rng=rng, x_val=x_val, y_val=y_val, eval_every=5)
    assert history.batch_loss.shape == (20,)
    np.testing.assert_array_equal(history.steps, [0, 5, 10, 15, 20])
    assert history.val_loss[0] == start
    assert history.train_loss[-1] == model.loss(x, y)
    assert history.train_loss[-1] < history.train_loss[0]


def test_classifier_keep_best_returns_the_weights_of_the_lowest_validation_loss():
    """Early stopping: the kept model is the one a run stopped at that update would give."""

    def run(steps, keep_best):
        rng = np.random.default_rng(9)
        model = StackedClassifier("gru", D, H, 3, num_layers=2, rng=rng, dropout=0.2)
        data = np.random.default_rng(10)
        x, x_val = data.normal(size=(16, T, D)), data.normal(size=(60, T, D))
        y, y_val = (x[:, -1, 0] > 0).astype(int), (x_val[:, -1, 0] > 0).astype(int)
        y = np.where(data.random(16) < 0.4, data.integers(0, 3, 16), y)  # noisy: overfits
        history = model.fit(
            x,
            y,
            steps=steps,
            rng=np.random.default_rng(11),
            x_val=x_val,
            y_val=y_val,
            eval_every=5,
            lr=0.05,
            keep_best=keep_best,
        )
        return model, history, (x_val, y_val)

    model, history, val = run(60, keep_best=True)
    best_step = int(history.steps[history.val_loss.argmin()])
    assert 0 < best_step < 60  # the validation loss rose again before the end
    assert model.loss(*val) == pytest.approx(history.val_loss.min(), abs=1e-12)
    stopped, _, _ = run(best_step, keep_best=False)
    for key in model.params:
        np.testing.assert_allclose(model.params[key], stopped.params[key], atol=1e-12)
    last, _, _ = run(60, keep_best=False)
    assert last.loss(*val) > model.loss(*val)


def test_classifier_keep_best_needs_a_validation_set():
    model = StackedClassifier("rnn", D, H, 2, num_layers=1, rng=np.random.default_rng(0))
    x, y = np.zeros((4, T, D)), np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="keep_best"):
        model.fit(x, y, steps=2, rng=np.random.default_rng(0), keep_best=True)
