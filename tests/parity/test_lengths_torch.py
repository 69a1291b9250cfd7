"""Parity with PyTorch's packed sequences: padded batches through our layers and torch.nn.

torch runs ``pack_padded_sequence(x, lengths, batch_first=True,
enforce_sorted=False)`` through ``torch.nn.RNN``/``LSTM``/``GRU`` and
``pad_packed_sequence`` back to (N, T, H); we run the padded batch with
``lengths``. The lengths are unsorted (torch sorts and unsorts internally,
initial states included). Three layers: one direction, bidirectional, and a
two-layer stack. Outputs, ``h_n`` (and ``c_n``) in torch's layout, and every
gradient (torch by autograd of L = sum(out * G) + sum(h_n * G_h)
[+ sum(c_n * G_c)], ours by our backward functions with the same G) must agree
to a relative error, in norm, of 1e-10 in float64 and 1e-5 in float32.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from rnn_tutorial import (
    bidirectional_backward,
    bidirectional_forward,
    gru_to_torch,
    init_bidirectional,
    init_layer,
    init_stack,
    layer_backward,
    layer_forward,
    lstm_to_torch,
    relative_error,
    stack_backward,
    stack_directions,
    stack_forward,
)
from rnn_tutorial.layouts import rnn_to_torch

N, T, D, H = 5, 7, 4, 6
LENGTHS = np.array([4, 7, 1, 5, 7])  # unsorted, with repeats, a length 1 and a full one
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float32, np.float64]
IDS = ["float32", "float64"]
MODULES = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
TO_TORCH = {"rnn": rnn_to_torch, "lstm": lstm_to_torch, "gru": gru_to_torch}
KINDS = ["one_direction", "bidirectional", "two_layers"]


def _as_torch(cell, params, *, grads=False):
    """Weights (or their gradients) of one layer under torch's ``_l0`` names.

    The RNN's and LSTM's two biases only ever add, so for gradients both get ours.
    """
    if cell == "gru" or not grads:
        return TO_TORCH[cell](params)
    W_x, W_h, b = (
        params[k] for k in (("W_xh", "W_hh", "b_h") if cell == "rnn" else ("W_x", "W_h", "b"))
    )
    return {"weight_ih_l0": W_x.T, "weight_hh_l0": W_h.T, "bias_ih_l0": b, "bias_hh_l0": b}


def _torch_names(cell, kind, params, *, grads=False):
    """All weights of a layer of ``kind`` (or their gradients) under torch's names."""
    if kind == "one_direction":
        return _as_torch(cell, params, grads=grads)
    out = {}
    for i, p in enumerate(params):
        for k, v in _as_torch(cell, p, grads=grads).items():
            out[
                k + "_reverse" if kind == "bidirectional" and i else k.replace("_l0", f"_l{i}")
            ] = v
    return out


def _with_biases(params, rng, dtype):
    return {
        k: rng.uniform(-0.5, 0.5, size=v.shape).astype(dtype) if k.startswith("b") else v
        for k, v in params.items()
    }


def _ours(cell, kind, x, params, states0, lengths, G, dstates):
    """Our forward and backward: ``(out, h_n[, c_n], dx, dh0[, dc0], grads)`` in torch's layout."""
    if kind == "one_direction":
        hs, state, cache = layer_forward(cell, x, params, states0[0], lengths=lengths)
        dx, dstate0, grads = layer_backward(G, cache, dstates[0])
        states, dstates0 = [state], [dstate0]
    elif kind == "bidirectional":
        hs, states, cache = bidirectional_forward(cell, x, params, tuple(states0), lengths=lengths)
        dx, dstates0, grads = bidirectional_backward(G, cache, tuple(dstates))
    else:
        hs, states, cache = stack_forward(cell, x, params, states0, lengths=lengths)
        dx, dstates0, grads = stack_backward(G, cache, dstates)
    stacked = stack_directions if kind == "bidirectional" else _stack_layers
    return hs, stacked(states), dx, stacked(dstates0), grads


def _stack_layers(states):
    """``[(h, c), ...]`` per layer to torch's ``(h_n, c_n)``, each (L, N, H)."""
    return tuple(np.stack(arrays) for arrays in zip(*states, strict=True))


def packed_parity(cell, kind, dtype, seed=0, our_lengths=None):
    rng = np.random.default_rng(seed)
    if kind == "one_direction":
        params = _with_biases(init_layer(cell, D, H, rng=rng, dtype=dtype), rng, dtype)
    elif kind == "bidirectional":
        params = tuple(
            _with_biases(p, rng, dtype)
            for p in init_bidirectional(cell, D, H, rng=rng, dtype=dtype)
        )
    else:
        params = [
            _with_biases(p, rng, dtype) for p in init_stack(cell, D, H, 2, rng=rng, dtype=dtype)
        ]
    L = 1 if kind == "one_direction" else 2  # rows of h_n
    S = 2 if cell == "lstm" else 1  # arrays in a state

    def draw(*shape, scale=1.0):
        return rng.normal(scale=scale, size=shape).astype(dtype)

    x_np = draw(N, T, D)
    states0_np = [draw(L, N, H, scale=0.5) for _ in range(S)]  # torch's (h0[, c0])
    G = draw(N, T, H * (2 if kind == "bidirectional" else 1))
    G_states = [draw(L, N, H) for _ in range(S)]

    module = MODULES[cell](
        D,
        H,
        num_layers=2 if kind == "two_layers" else 1,
        bidirectional=kind == "bidirectional",
        batch_first=True,
    ).to(TORCH_DTYPE[dtype])
    state_dict = {
        k: torch.from_numpy(np.ascontiguousarray(v))
        for k, v in _torch_names(cell, kind, params).items()
    }
    module.load_state_dict(state_dict, strict=True)
    x = torch.from_numpy(x_np).requires_grad_(True)
    states0 = [torch.from_numpy(s).requires_grad_(True) for s in states0_np]
    packed = pack_padded_sequence(
        x, torch.from_numpy(LENGTHS), batch_first=True, enforce_sorted=False
    )
    out_packed, hidden = module(packed, tuple(states0) if cell == "lstm" else states0[0])
    out, _ = pad_packed_sequence(out_packed, batch_first=True, total_length=T)
    hidden = hidden if cell == "lstm" else (hidden,)
    loss = (out * torch.from_numpy(G)).sum()
    for h, g in zip(hidden, G_states, strict=True):
        loss = loss + (h * torch.from_numpy(g)).sum()
    loss.backward()

    ours_states0 = [tuple(s[row] for s in states0_np) for row in range(L)]
    ours_dstates = [tuple(g[row] for g in G_states) for row in range(L)]
    lengths = LENGTHS if our_lengths is None else our_lengths
    hs, state_n, dx, dstate0, grads = _ours(
        cell, kind, x_np, params, ours_states0, lengths, G, ours_dstates
    )
    assert hs.dtype == dx.dtype == np.dtype(dtype)

    pairs = {"out": (hs, out), "dx": (dx, x.grad)}
    names = ("h_n", "c_n")[:S]
    for name, ours, theirs in zip(names, state_n, hidden, strict=True):
        pairs[name] = (ours, theirs)
    for name, ours, theirs in zip(("dh0", "dc0")[:S], dstate0, states0, strict=True):
        pairs[name] = (ours, theirs.grad)
    named = dict(module.named_parameters())
    for name, grad in _torch_names(cell, kind, grads, grads=True).items():
        pairs[name] = (grad, named[name].grad)
    return {
        name: relative_error(ours, theirs.detach().numpy())
        for name, (ours, theirs) in pairs.items()
    }


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_packed_sequences_match_torch(cell, kind, dtype):
    errors = packed_parity(cell, kind, dtype)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("kind", KINDS)
def test_ignoring_the_lengths_fails_the_comparison(kind):
    # Torch packs at LENGTHS; ours told every sequence is full must disagree: the test can tell.
    errors = packed_parity("lstm", kind, np.float64, our_lengths=np.full(N, T))
    assert errors["out"] > 1e-3 and errors["h_n"] > 1e-3 and errors["dx"] > 1e-3, errors
