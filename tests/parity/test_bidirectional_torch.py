"""Parity with PyTorch: our bidirectional layer against torch.nn.RNN/LSTM/GRU(bidirectional=True).

Each direction's weights are copied into the torch module through the
functions of :mod:`rnn_tutorial.layouts`, the backward direction's under the
``_reverse`` names. Then the output (forward half first), ``h_n`` (and
``c_n``) in torch's (2, N, H) layout, and every gradient (torch by autograd of
L = sum(out * G) + sum(h_n * G_h) [+ sum(c_n * G_c)], ours by
:func:`~rnn_tutorial.bidirectional_backward`) must agree to a relative error,
in norm, of 1e-5 in float32 and 1e-10 in float64.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnn_tutorial import (
    bidirectional_backward,
    bidirectional_forward,
    gru_to_torch,
    init_bidirectional,
    lstm_to_torch,
    relative_error,
    stack_directions,
    unstack_directions,
)
from rnn_tutorial.layouts import rnn_to_torch

N, T, D, H = 3, 7, 5, 6
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float32, np.float64]
IDS = ["float32", "float64"]
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TO_TORCH = {"rnn": rnn_to_torch, "lstm": lstm_to_torch, "gru": gru_to_torch}
SUFFIXES = ("", "_reverse")  # torch's names: forward direction, backward direction


def _grads_as_torch(cell, grads):
    """Our gradients under torch's names; RNN and LSTM add their two biases, so both get db."""
    if cell == "gru":
        return gru_to_torch(grads)
    weights = ("W_xh", "W_hh", "b_h") if cell == "rnn" else ("W_x", "W_h", "b")
    W_x, W_h, b = (grads[k] for k in weights)
    return {"weight_ih_l0": W_x.T, "weight_hh_l0": W_h.T, "bias_ih_l0": b, "bias_hh_l0": b}


def _with_biases(params, rng, dtype):
    return {
        k: rng.uniform(-0.5, 0.5, size=v.shape).astype(dtype) if k.startswith("b") else v
        for k, v in params.items()
    }


def bidirectional_parity(cell, dtype, seed=0, perturb=None, nonlinearity=None):
    rng = np.random.default_rng(seed)
    params = tuple(
        _with_biases(p, rng, dtype) for p in init_bidirectional(cell, D, H, rng=rng, dtype=dtype)
    )
    n_state = 2 if cell == "lstm" else 1
    x = rng.normal(size=(N, T, D)).astype(dtype)
    stacked0 = tuple(rng.normal(scale=0.5, size=(2, N, H)).astype(dtype) for _ in range(n_state))
    G = rng.normal(size=(N, T, 2 * H)).astype(dtype)
    G_state = tuple(rng.normal(size=(2, N, H)).astype(dtype) for _ in range(n_state))

    state = {}
    for p, suffix in zip(params, SUFFIXES, strict=True):
        state.update({k + suffix: v for k, v in TO_TORCH[cell](p).items()})
    if perturb is not None:
        state[perturb][0, 0] += 1e-3
    kwargs, options = {}, {}
    if nonlinearity is not None:  # the vanilla RNN's activation
        kwargs, options = {"nonlinearity": nonlinearity}, {"activation": nonlinearity}
    module = MODULES[cell](D, H, batch_first=True, bidirectional=True, **kwargs)
    module = module.to(TORCH_DTYPE[dtype])
    module.load_state_dict(
        {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in state.items()}
    )
    tx = torch.from_numpy(x).requires_grad_(True)
    t0 = tuple(torch.from_numpy(s).requires_grad_(True) for s in stacked0)
    out, t_final = module(tx, t0 if cell == "lstm" else t0[0])
    t_final = t_final if cell == "lstm" else (t_final,)
    loss = (out * torch.from_numpy(G)).sum() + sum(
        (s * torch.from_numpy(g)).sum() for s, g in zip(t_final, G_state, strict=True)
    )
    loss.backward()

    hs, final, cache = bidirectional_forward(
        cell, x, params, unstack_directions(stacked0), **options
    )
    dx, dstate0, grads = bidirectional_backward(G, cache, unstack_directions(G_state))
    assert hs.dtype == dx.dtype == np.dtype(dtype)
    pairs = {"output": (hs, out), "dx": (dx, tx.grad)}
    for name, ours, theirs, grad in zip(
        ("h", "c"), stack_directions(final), t_final, t0, strict=False
    ):
        pairs[f"{name}_n"] = (ours, theirs)
        pairs[f"d{name}0"] = (stack_directions(dstate0)[0 if name == "h" else 1], grad.grad)
    named = dict(module.named_parameters())
    for g, suffix in zip(grads, SUFFIXES, strict=True):
        for k, v in _grads_as_torch(cell, g).items():
            pairs[k + suffix] = (v, named[k + suffix].grad)
    assert len(pairs) == 2 + 2 * n_state + 8
    return {k: relative_error(a, b.detach().numpy()) for k, (a, b) in pairs.items()}


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_bidirectional(cell, dtype):
    errors = bidirectional_parity(cell, dtype)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_bidirectional_relu_rnn(dtype):
    errors = bidirectional_parity("rnn", dtype, nonlinearity="relu")
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_output_halves_and_h_n_follow_torch_layout(cell):
    # out[..., :H] is the forward direction, h_n[0] its state after the last step;
    # h_n[1] is the backward direction's state after the *first* step.
    rng = np.random.default_rng(1)
    params = init_bidirectional(cell, D, H, rng=rng)
    x = rng.normal(size=(N, T, D))
    hs, final, _ = bidirectional_forward(cell, x, params)
    h_n = stack_directions(final)[0]
    np.testing.assert_array_equal(h_n[0], hs[:, -1, :H])
    np.testing.assert_array_equal(h_n[1], hs[:, 0, H:])


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("weight", ["weight_hh_l0", "weight_hh_l0_reverse"])
def test_the_comparison_can_fail(cell, weight):
    # a wrong weight in either direction of torch's module must show
    errors = bidirectional_parity(cell, np.float64, perturb=weight)
    assert errors["output"] > 1e-8 and errors[weight] > 1e-8, errors
