"""Parity with PyTorch: our stack against torch.nn.RNN/LSTM/GRU(num_layers=2, dropout=p).

The same random weights go into a two-layer, batch-first torch module (layer
``l`` under the ``_l<l>`` keys of :mod:`rnn_tutorial.layouts`). Outputs, the
final states in torch's layout (``h_n`` and ``c_n`` are (L, N, H), bottom layer
first) and every gradient (torch by autograd of L = sum(out * G) + sum(h_n * G_h)
[+ sum(c_n * G_c)], ours by :func:`stack_backward`) must agree to a relative
error, in norm, of 1e-5 in float32 and 1e-10 in float64.

Evaluation mode: torch ignores ``dropout``; so must :func:`stack_forward`
with ``train=False``.

Training mode: torch does not return its dropout mask, but it can be
recovered. On the CPU, torch's multi-layer RNN (``_VF.rnn_tanh``/``lstm``/
``gru``, ATen's ``apply_layer_stack``) turns a batch-first input time-major,
runs layer 0, and applies ``at::dropout(output, p, train)`` to the time-major
(T, N, H) output of every layer but the last, drawing its noise from the
global generator and nothing else. So ``torch.manual_seed(s)`` before the
forward pass and, after reseeding, ``F.dropout(ones(T, N, H), p, True)``
reproduce the very mask (values 0 and 1/(1 - p)); transposed to (N, T, H) it
is our ``masks[0]``. The test checks that this recovered mask is not trivial
and that a mask drawn from a different seed fails the comparison, so the
agreement cannot come from dropout doing nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnn_tutorial import gru_to_torch, lstm_to_torch, relative_error
from rnn_tutorial.layers.stacked import init_stack, stack_backward, stack_forward
from rnn_tutorial.layouts import rnn_to_torch

N, T, D, H, L = 3, 7, 5, 6, 2
P = 0.4
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float32, np.float64]
IDS = ["float32", "float64"]
TO_TORCH = {"rnn": rnn_to_torch, "lstm": lstm_to_torch, "gru": gru_to_torch}
MODULE = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}
OURS = {  # our weight key -> torch's, with the transposes of rnn_tutorial.layouts
    "rnn": {"W_xh": "weight_ih", "W_hh": "weight_hh", "b_h": "bias_ih"},
    "lstm": {"W_x": "weight_ih", "W_h": "weight_hh", "b": "bias_ih"},
    "gru": {"W_x": "weight_ih", "W_h": "weight_hh", "b_x": "bias_ih", "b_h": "bias_hh"},
}


def _torch_state(cell, layers):
    """Every layer's weights in torch's layout, layer ``l`` under the ``_l<l>`` keys."""
    state = {}
    for ell, params in enumerate(layers):
        state |= {k.replace("_l0", f"_l{ell}"): v for k, v in TO_TORCH[cell](params).items()}
    return state


def _with_biases(layers, rng, dtype):
    """Nonzero biases everywhere (the initialisers may leave some at constants)."""
    return [
        {
            k: rng.uniform(-0.5, 0.5, size=v.shape).astype(dtype) if k.startswith("b") else v
            for k, v in params.items()
        }
        for params in layers
    ]


def _leaf(array):
    return torch.from_numpy(np.ascontiguousarray(array)).requires_grad_(True)


def recovered_mask(seed, dtype):
    """The mask torch's stack drew after ``torch.manual_seed(seed)``, as our (N, T, H)."""
    torch.manual_seed(seed)
    ones = torch.ones(T, N, H, dtype=TORCH_DTYPE[dtype])  # time-major, as torch draws it
    return torch.nn.functional.dropout(ones, P, True).transpose(0, 1).numpy().copy()


def stack_parity(cell, dtype, *, train, mask_seed=None, seed=0):
    rng = np.random.default_rng(seed)
    layers = _with_biases(init_stack(cell, D, H, L, rng=rng, dtype=dtype), rng, dtype)
    lstm = cell == "lstm"

    def draw(*shape, scale=1.0):
        return rng.normal(scale=scale, size=shape).astype(dtype)

    x_np, h0_np, c0_np = draw(N, T, D), draw(L, N, H, scale=0.5), draw(L, N, H, scale=0.5)
    G, G_h, G_c = draw(N, T, H), draw(L, N, H), draw(L, N, H)

    module = MODULE[cell](D, H, num_layers=L, dropout=P, batch_first=True)
    module = module.to(TORCH_DTYPE[dtype])
    state = {
        k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in _torch_state(cell, layers).items()
    }
    module.load_state_dict(state, strict=True)
    module.train(train)
    x, h0, c0 = _leaf(x_np), _leaf(h0_np), _leaf(c0_np)
    torch.manual_seed(seed)
    out, hidden = module(x, (h0, c0) if lstm else h0)
    h_n, c_n = hidden if lstm else (hidden, None)
    loss = (out * torch.from_numpy(G)).sum() + (h_n * torch.from_numpy(G_h)).sum()
    if lstm:
        loss = loss + (c_n * torch.from_numpy(G_c)).sum()
    loss.backward()

    masks = None
    if train:
        masks = [recovered_mask(seed if mask_seed is None else mask_seed, dtype)]
        assert np.any(masks[0] == 0) and np.any(masks[0] > 0)
    states0 = [(h0_np[ell], c0_np[ell]) if lstm else (h0_np[ell],) for ell in range(L)]
    hs, states, cache = stack_forward(cell, x_np, layers, states0, train=train, masks=masks)
    dstates = [(G_h[ell], G_c[ell]) if lstm else (G_h[ell],) for ell in range(L)]
    dx, dstates0, grads = stack_backward(G, cache, dstates)
    assert hs.dtype == dx.dtype == np.dtype(dtype)

    g = dict(module.named_parameters())
    pairs = {
        "out": (hs, out),
        "h_n": (np.stack([s[0] for s in states]), h_n),
        "dx": (dx, x.grad),
        "dh0": (np.stack([d[0] for d in dstates0]), h0.grad),
    }
    if lstm:
        pairs["c_n"] = (np.stack([s[1] for s in states]), c_n)
        pairs["dc0"] = (np.stack([d[1] for d in dstates0]), c0.grad)
    for ell in range(L):
        for ours, theirs in OURS[cell].items():
            grad = grads[ell][ours]
            pairs[f"{theirs}_l{ell}"] = (
                grad.T if grad.ndim == 2 else grad,
                g[f"{theirs}_l{ell}"].grad,
            )
        if cell != "gru":  # torch's second bias only ever adds to the first: same gradient
            bias = "b_h" if cell == "rnn" else "b"
            pairs[f"bias_hh_l{ell}"] = (grads[ell][bias], g[f"bias_hh_l{ell}"].grad)
    return {
        name: relative_error(ours, theirs.detach().numpy())
        for name, (ours, theirs) in pairs.items()
    }


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_evaluation_mode(cell, dtype):
    errors = stack_parity(cell, dtype, train=False)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_training_mode_with_the_recovered_mask(cell, dtype):
    errors = stack_parity(cell, dtype, train=True)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_another_mask_fails_the_comparison(cell):
    errors = stack_parity(cell, np.float64, train=True, mask_seed=99)
    assert errors["out"] > 1e-3 and errors["weight_ih_l1"] > 1e-3, errors
    # the bottom layer's forward pass never sees the mask, its gradient does (from above)
    assert errors["weight_ih_l0"] > 1e-3


def test_training_mode_really_drops():
    """torch in training mode differs from evaluation mode: the dropout is on."""
    x = np.random.default_rng(0).normal(size=(N, T, D))
    module = torch.nn.LSTM(D, H, num_layers=L, dropout=P, batch_first=True).double()
    module.train()
    a, _ = module(torch.from_numpy(x))
    module.eval()
    b, _ = module(torch.from_numpy(x))
    assert not torch.allclose(a, b)
