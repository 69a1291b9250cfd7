"""Padded batches through the layers: layer, bidirectional, stacked and variational dropout.

Each layer with ``lengths`` is checked against finite differences of a loss
that reads every output and every final state (float64), against each sequence
run alone at its own length, and for garbage in the padding. The backward
direction of a bidirectional layer must read each sequence from its own last
step: run alone, a sequence has no padding, so the comparison with the
sequence alone checks that too.
"""

from __future__ import annotations

import numpy as np
import pytest

import rnn_tutorial as rt
from helpers import arg, message_with
from rnn_tutorial import grad_check, relative_error

N, T, D, H = 4, 6, 3, 4
LENGTHS = np.array([3, 6, 1, 4])
TOL_FD = 1e-7
TOL = 1e-12
CELLS = [
    ("rnn", {}),
    ("lstm", {}),
    ("gru", {"form": "reset_after"}),
    ("gru", {"form": "textbook"}),
]
CELL_IDS = ["rnn", "lstm", "gru-reset_after", "gru-textbook"]
KINDS = ["layer", "bidirectional", "stack", "stack-dropout", "variational"]


def _perturbed(params, rng, scale=0.4):
    return {k: v + rng.normal(scale=scale, size=v.shape) for k, v in params.items()}


def _flat(tree) -> list:
    """The arrays of a nested tuple/list of states, in order."""
    if isinstance(tree, (tuple, list)):
        return [a for item in tree for a in _flat(item)]
    return [tree]


def _unflat(like, arrays):
    """``arrays`` put back into the nesting of ``like``."""
    it = iter(arrays)

    def build(tree):
        if isinstance(tree, (tuple, list)):
            return type(tree)(build(item) for item in tree)
        return next(it)

    return build(like)


class Kind:
    """One kind of layer: its weights and its forward and backward with ``lengths``."""

    def __init__(self, kind, cell, options, rng):
        self.kind, self.cell, self.options = kind, cell, options
        if kind == "bidirectional":
            self.params = tuple(
                _perturbed(p, rng) for p in rt.init_bidirectional(cell, D, H, rng=rng)
            )
        elif kind.startswith("stack"):
            self.params = [_perturbed(p, rng) for p in rt.init_stack(cell, D, H, 2, rng=rng)]
        else:
            self.params = _perturbed(rt.init_layer(cell, D, H, rng=rng), rng)
        self.extra = {}
        if kind == "stack-dropout":  # fixed masks: a fresh one per step, one recurrent per layer
            self.extra = {
                "train": True,
                "masks": [rt.dropout_mask((N, T, H), 0.5, rng=rng)],
            }
            if cell != "gru":
                self.extra["recurrent_masks"] = [
                    rt.dropout_mask((N, H), 0.3, rng=rng) for _ in range(2)
                ]
        if kind == "variational":
            self.extra = {"mask": rt.dropout_mask((N, H), 0.3, rng=rng)}

    def forward(self, x, params, lengths):
        cell, options = self.cell, self.options
        if self.kind == "layer":
            return rt.layer_forward(cell, x, params, lengths=lengths, **options)
        if self.kind == "bidirectional":
            return rt.bidirectional_forward(cell, x, params, lengths=lengths, **options)
        if self.kind == "variational":
            return rt.variational_layer_forward(
                cell, x, params, lengths=lengths, **self.extra, **options
            )
        return rt.stack_forward(cell, x, params, lengths=lengths, **self.extra, **options)

    def backward(self, dhs, cache, dstate):
        back = {
            "layer": rt.layer_backward,
            "bidirectional": rt.bidirectional_backward,
            "variational": rt.variational_layer_backward,
        }.get(self.kind, rt.stack_backward)
        return back(dhs, cache, dstate)


def _kinds():
    for kind in KINDS:
        for (cell, options), cell_id in zip(CELLS, CELL_IDS, strict=True):
            if kind == "variational" and cell == "gru":
                continue  # refused: see variational_layer_forward
            yield pytest.param(kind, cell, options, id=f"{kind}-{cell_id}")


def _close(ours, reference, what, tol=TOL):
    assert np.shape(ours) == np.shape(reference), what
    assert relative_error(ours, reference) <= tol, (what, relative_error(ours, reference))


@pytest.mark.parametrize(("kind", "cell", "options"), list(_kinds()))
def test_masked_layer_backward_matches_finite_differences(rng, kind, cell, options):
    # L = sum(R * hs) + sum_i sum(S_i * final_state_i): every output and every final state.
    layer = Kind(kind, cell, options, rng)
    x = rng.normal(size=(N, T, D))
    hs, state, _ = layer.forward(x, layer.params, LENGTHS)
    R = rng.normal(size=hs.shape)
    S = [rng.normal(size=a.shape) for a in _flat(state)]
    weights = _flat(layer.params) if kind != "layer" and kind != "variational" else None
    if weights is None:
        theta = {**layer.params, "x": x}
    else:
        theta = {f"w{i}": w for i, w in enumerate(_flat([list(p.values()) for p in weights]))}
        theta["x"] = x
    keys = [list(p) for p in (weights or [])]

    def params_of(p):
        if weights is None:
            return {k: p[k] for k in layer.params}
        flat = [p[f"w{i}"] for i in range(len(theta) - 1)]
        dicts, i = [], 0
        for names in keys:
            dicts.append(dict(zip(names, flat[i : i + len(names)], strict=True)))
            i += len(names)
        return type(layer.params)(dicts)

    def loss_fn(p):
        hs, state, cache = layer.forward(p["x"], params_of(p), LENGTHS)
        loss = np.sum(R * hs) + sum(np.sum(s * a) for s, a in zip(S, _flat(state), strict=True))
        dx, _, grads = layer.backward(R, cache, _unflat(state, S))
        if weights is None:
            return loss, {**grads, "x": dx}
        flat = _flat([list(g[k] for k in names) for g, names in zip(grads, keys, strict=True)])
        return loss, {**{f"w{i}": g for i, g in enumerate(flat)}, "x": dx}

    errors = grad_check(loss_fn, theta)
    assert max(errors.values()) < TOL_FD, errors


@pytest.mark.parametrize(("kind", "cell", "options"), list(_kinds()))
def test_padded_layer_equals_each_sequence_alone(rng, kind, cell, options):
    layer = Kind(kind, cell, options, rng)
    x = rng.normal(size=(N, T, D))
    hs, state, cache = layer.forward(x, layer.params, LENGTHS)
    dhs = rng.normal(size=hs.shape)
    dstate = _unflat(state, [rng.normal(size=a.shape) for a in _flat(state)])
    dx, dstate0, grads = layer.backward(dhs, cache, dstate)
    grads_sum = [np.zeros_like(g) for g in _flat_grads(grads)]
    for n, length in enumerate(LENGTHS):
        alone = slice(n, n + 1)
        extra = _rows(layer.extra, alone, length)
        saved, layer.extra = layer.extra, extra
        hs_n, state_n, cache_n = layer.forward(x[alone, :length], layer.params, None)
        dstate_n = _unflat(state, [a[alone] for a in _flat(dstate)])
        dx_n, dstate0_n, grads_n = layer.backward(dhs[alone, :length], cache_n, dstate_n)
        layer.extra = saved
        _close(hs[alone, :length], hs_n, f"hs of sequence {n}")
        _close(dx[alone, :length], dx_n, f"dx of sequence {n}")
        for a, b in zip(_flat(state), _flat(state_n), strict=True):
            _close(a[alone], b, f"final state of sequence {n}")
        for a, b in zip(_flat(dstate0), _flat(dstate0_n), strict=True):
            _close(a[alone], b, f"dstate0 of sequence {n}")
        for total, g in zip(grads_sum, _flat_grads(grads_n), strict=True):
            total += g
    for a, b in zip(_flat_grads(grads), grads_sum, strict=True):
        _close(a, b, "a weight gradient, summed over the sequences")


def _flat_grads(grads) -> list:
    dicts = [grads] if isinstance(grads, dict) else list(grads)
    return [g[k] for g in dicts for k in sorted(g)]


def _rows(extra: dict, alone: slice, length: int) -> dict:
    """The fixed dropout masks of one sequence, cut to its length."""
    out = dict(extra)
    if "masks" in extra:
        out["masks"] = [m[alone, :length] for m in extra["masks"]]
    if "recurrent_masks" in extra:
        out["recurrent_masks"] = [m[alone] for m in extra["recurrent_masks"]]
    if "mask" in extra:
        out["mask"] = extra["mask"][alone]
    return out


@pytest.mark.parametrize(("kind", "cell", "options"), list(_kinds()))
def test_layer_padding_is_zero_and_garbage_changes_nothing(rng, kind, cell, options):
    layer = Kind(kind, cell, options, rng)
    padded = ~rt.length_mask(LENGTHS, T)
    x = rng.normal(size=(N, T, D))
    hs, state, cache = layer.forward(x, layer.params, LENGTHS)
    dhs = rng.normal(size=hs.shape)
    dstate = _unflat(state, [rng.normal(size=a.shape) for a in _flat(state)])
    dx, dstate0, grads = layer.backward(dhs, cache, dstate)
    assert np.all(hs[padded] == 0) and np.all(dx[padded] == 0)
    x_g, dhs_g = x.copy(), dhs.copy()
    x_g[padded] = rng.uniform(-1e3, 1e3, size=x_g[padded].shape)
    dhs_g[padded] = rng.uniform(-1e3, 1e3, size=dhs_g[padded].shape)
    hs_g, state_g, cache_g = layer.forward(x_g, layer.params, LENGTHS)
    dx_g, dstate0_g, grads_g = layer.backward(dhs_g, cache_g, dstate)
    for a, b in zip(
        [hs_g, dx_g, *_flat(state_g), *_flat(dstate0_g), *_flat_grads(grads_g)],
        [hs, dx, *_flat(state), *_flat(dstate0), *_flat_grads(grads)],
        strict=True,
    ):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize(("kind", "cell", "options"), list(_kinds()))
def test_full_lengths_equal_no_lengths(rng, kind, cell, options):
    layer = Kind(kind, cell, options, rng)
    x = rng.normal(size=(N, T, D))
    hs, state, cache = layer.forward(x, layer.params, None)
    hs_f, state_f, cache_f = layer.forward(x, layer.params, np.full(N, T))
    dhs = rng.normal(size=hs.shape)
    out, out_f = layer.backward(dhs, cache, None), layer.backward(dhs, cache_f, None)
    np.testing.assert_array_equal(hs_f, hs)
    for a, b in zip(_flat(state_f), _flat(state), strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(out_f[0], out[0])
    for a, b in zip(_flat_grads(out_f[2]), _flat_grads(out[2]), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------- reverse_time


def test_reverse_time_within_lengths_by_hand():
    x = np.array([[1, 2, 3, 0], [4, 5, 0, 0], [6, 0, 0, 0], [7, 8, 9, 10]])
    expected = [[3, 2, 1, 0], [5, 4, 0, 0], [6, 0, 0, 0], [10, 9, 8, 7]]
    assert rt.reverse_time(x, [3, 2, 1, 4]).tolist() == expected
    assert rt.reverse_time(x).tolist() == [row[::-1] for row in x.tolist()]


def test_reverse_time_is_its_own_inverse_and_keeps_the_padding(rng):
    x = rng.normal(size=(N, T, D))
    once = rt.reverse_time(x, LENGTHS)
    np.testing.assert_array_equal(rt.reverse_time(once, LENGTHS), x)
    padded = ~rt.length_mask(LENGTHS, T)
    np.testing.assert_array_equal(once[padded], x[padded])
    for n, length in enumerate(LENGTHS):
        np.testing.assert_array_equal(once[n, :length], x[n, :length][::-1])


def test_bidirectional_backward_state_is_after_the_first_step(rng):
    # The backward layer's final state is the one after reading x_1; run by hand.
    params = rt.init_bidirectional("rnn", D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    _, (_, (h_bwd,)), _ = rt.bidirectional_forward("rnn", x, params, lengths=LENGTHS)
    p = params[1]
    for n, length in enumerate(LENGTHS):
        h = np.zeros(H)
        for t in reversed(range(length)):
            h = np.tanh(x[n, t] @ p["W_xh"] + h @ p["W_hh"] + p["b_h"])
        np.testing.assert_allclose(h_bwd[n], h, rtol=1e-13, atol=1e-15)


# --------------------------------------------------------------------------- bad lengths


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("lengths", "says"),
    [
        (np.array([3, 6, 1]), "shape"),
        (np.array([3, 6, 1, 0]), "[1, T=6]"),
        (np.array([3, 7, 1, 4]), "[1, T=6]"),
        (np.array([3.0, 6, 1, 4]), "integers"),
    ],
)
def test_bad_lengths_are_named(rng, kind, lengths, says):
    layer = Kind(kind, "lstm", {}, rng)
    with pytest.raises(ValueError, match=message_with(arg("lengths"), says)):
        layer.forward(rng.normal(size=(N, T, D)), layer.params, lengths)


def test_reverse_time_bad_lengths_are_named():
    with pytest.raises(ValueError, match=message_with(arg("lengths"), "[1, T=3]")):
        rt.reverse_time(np.zeros((2, 3, 1)), [0, 3])
