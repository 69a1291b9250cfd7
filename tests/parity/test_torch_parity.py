"""Parity with PyTorch: our RNN, LSTM and GRU against torch.nn.RNN/LSTM/GRU.

The same random weights are copied into the torch module through the
functions of :mod:`rnn_tutorial.layouts`; then outputs, final states and every
gradient (torch by autograd of L = sum(hs * G) + sum(h_n * G_h) [+ sum(c_n * G_c)],
ours by the backward functions) must agree to a relative error, in norm, of
1e-5 in float32 and 1e-10 in float64.

torch is imported unconditionally: this folder runs only in ``nox -s parity``,
which installs it, and a missing torch must fail there, never skip. The
regular test session leaves the folder out (``--ignore=tests/parity``).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnn_tutorial import (
    gru_backward,
    gru_forward,
    gru_to_torch,
    init_gru,
    init_lstm,
    init_rnn,
    lstm_backward,
    lstm_forward,
    lstm_to_torch,
    relative_error,
    rnn_backward,
    rnn_forward,
)
from rnn_tutorial.layouts import rnn_to_torch

N, T, D, H = 3, 7, 5, 6
TOLERANCE = {np.float32: 1e-5, np.float64: 1e-10}
TORCH_DTYPE = {np.float32: torch.float32, np.float64: torch.float64}
DTYPES = [np.float32, np.float64]
IDS = ["float32", "float64"]


def _module(cls, state, dtype, **kwargs):
    """A one-layer, batch-first torch module holding our weights."""
    module = cls(D, H, batch_first=True, **kwargs).to(TORCH_DTYPE[dtype])
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v, dtype=dtype)) for k, v in state.items()}
    module.load_state_dict(tensors, strict=True)
    return module


def _leaf(array):
    return torch.from_numpy(np.ascontiguousarray(array)).requires_grad_(True)


def _problem(rng, dtype):
    """Inputs, initial states and the loss weights, all in the dtype under test."""

    def draw(*shape, scale=1.0):
        return rng.normal(scale=scale, size=shape).astype(dtype)

    return {
        "x": draw(N, T, D),
        "h0": draw(N, H, scale=0.5),
        "c0": draw(N, H, scale=0.5),
        "G": draw(N, T, H),  # dL/dhs
        "G_h": draw(N, H),  # dL/dh_n: the final state is also used
        "G_c": draw(N, H),  # dL/dc_n (LSTM)
    }


def _with_biases(params, rng, dtype):
    """Nonzero biases everywhere (the initialisers may leave some at constants)."""
    out = dict(params)
    for key in params:
        if key.startswith("b"):
            out[key] = rng.uniform(-0.5, 0.5, size=params[key].shape).astype(dtype)
    return out


def _errors(pairs):
    """Relative error in norm for each named (ours, torch) pair."""
    return {
        name: relative_error(ours, theirs.detach().numpy())
        for name, (ours, theirs) in pairs.items()
    }


def rnn_parity(dtype, nonlinearity="tanh", seed=0):
    rng = np.random.default_rng(seed)
    params = _with_biases(init_rnn(D, H, rng=rng, dtype=dtype), rng, dtype)
    p = _problem(rng, dtype)
    module = _module(torch.nn.RNN, rnn_to_torch(params), dtype, nonlinearity=nonlinearity)
    x, h0 = _leaf(p["x"]), _leaf(p["h0"])
    out, h_n = module(x, h0[None])
    loss = (out * torch.from_numpy(p["G"])).sum() + (h_n[0] * torch.from_numpy(p["G_h"])).sum()
    loss.backward()

    hs, cache = rnn_forward(p["x"], p["h0"], params, activation=nonlinearity)
    dhs = p["G"].copy()
    dhs[:, -1] += p["G_h"]  # h_n is hs[:, -1]: its gradient joins the last step's
    dx, dh0, grads = rnn_backward(dhs, cache)
    assert hs.dtype == dx.dtype == np.dtype(dtype)
    g = dict(module.named_parameters())
    return _errors(
        {
            "hs": (hs, out),
            "h_n": (hs[:, -1], h_n[0]),
            "dx": (dx, x.grad),
            "dh0": (dh0, h0.grad),
            "weight_ih_l0": (grads["W_xh"].T, g["weight_ih_l0"].grad),
            "weight_hh_l0": (grads["W_hh"].T, g["weight_hh_l0"].grad),
            "bias_ih_l0": (grads["b_h"], g["bias_ih_l0"].grad),  # either bias: dL/db_h
            "bias_hh_l0": (grads["b_h"], g["bias_hh_l0"].grad),
        }
    )


def lstm_parity(dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = _with_biases(init_lstm(D, H, rng=rng, dtype=dtype), rng, dtype)
    p = _problem(rng, dtype)
    module = _module(torch.nn.LSTM, lstm_to_torch(params), dtype)
    x, h0, c0 = _leaf(p["x"]), _leaf(p["h0"]), _leaf(p["c0"])
    out, (h_n, c_n) = module(x, (h0[None], c0[None]))
    loss = (
        (out * torch.from_numpy(p["G"])).sum()
        + (h_n[0] * torch.from_numpy(p["G_h"])).sum()
        + (c_n[0] * torch.from_numpy(p["G_c"])).sum()
    )
    loss.backward()

    hs, cs, cache = lstm_forward(p["x"], p["h0"], p["c0"], params)
    dhs = p["G"].copy()
    dhs[:, -1] += p["G_h"]
    dx, dh0, dc0, grads = lstm_backward(dhs, cache, dc_last=p["G_c"])
    assert hs.dtype == dx.dtype == np.dtype(dtype)
    g = dict(module.named_parameters())
    return _errors(
        {
            "hs": (hs, out),
            "h_n": (hs[:, -1], h_n[0]),
            "c_n": (cs[:, -1], c_n[0]),
            "dx": (dx, x.grad),
            "dh0": (dh0, h0.grad),
            "dc0": (dc0, c0.grad),
            "weight_ih_l0": (grads["W_x"].T, g["weight_ih_l0"].grad),
            "weight_hh_l0": (grads["W_h"].T, g["weight_hh_l0"].grad),
            "bias_ih_l0": (grads["b"], g["bias_ih_l0"].grad),
            "bias_hh_l0": (grads["b"], g["bias_hh_l0"].grad),
        }
    )


def gru_parity(dtype, seed=0):
    rng = np.random.default_rng(seed)
    params = init_gru(D, H, rng=rng, dtype=dtype)
    p = _problem(rng, dtype)
    module = _module(torch.nn.GRU, gru_to_torch(params), dtype)
    x, h0 = _leaf(p["x"]), _leaf(p["h0"])
    out, h_n = module(x, h0[None])
    loss = (out * torch.from_numpy(p["G"])).sum() + (h_n[0] * torch.from_numpy(p["G_h"])).sum()
    loss.backward()

    hs, cache = gru_forward(p["x"], p["h0"], params, form="reset_after")
    dhs = p["G"].copy()
    dhs[:, -1] += p["G_h"]
    dx, dh0, grads = gru_backward(dhs, cache)
    assert hs.dtype == dx.dtype == np.dtype(dtype)
    g = dict(module.named_parameters())
    return _errors(
        {
            "hs": (hs, out),
            "h_n": (hs[:, -1], h_n[0]),
            "dx": (dx, x.grad),
            "dh0": (dh0, h0.grad),
            "weight_ih_l0": (grads["W_x"].T, g["weight_ih_l0"].grad),
            "weight_hh_l0": (grads["W_h"].T, g["weight_hh_l0"].grad),
            "bias_ih_l0": (grads["b_x"], g["bias_ih_l0"].grad),  # two distinct biases
            "bias_hh_l0": (grads["b_h"], g["bias_hh_l0"].grad),
        }
    )


def test_torch_is_the_cpu_build():
    assert torch.__version__.startswith("2.13.0")
    assert torch.version.cuda is None


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn(dtype, nonlinearity):
    errors = rnn_parity(dtype, nonlinearity)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_lstm(dtype):
    errors = lstm_parity(dtype)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("dtype", DTYPES, ids=IDS)
def test_gru(dtype):
    errors = gru_parity(dtype)
    assert max(errors.values()) <= TOLERANCE[dtype], errors


@pytest.mark.parametrize("cell", [rnn_parity, lstm_parity, gru_parity])
def test_the_comparison_can_fail(cell, monkeypatch):
    # A wrong weight in torch must show: perturb one recurrent weight by 1e-3.
    original = _module

    def perturbed(cls, state, dtype, **kwargs):
        state = {k: v.copy() for k, v in state.items()}
        state["weight_hh_l0"][0, 0] += 1e-3
        return original(cls, state, dtype, **kwargs)

    monkeypatch.setitem(globals(), "_module", perturbed)
    errors = cell(np.float64)
    assert errors["hs"] > 1e-8 and errors["weight_hh_l0"] > 1e-8, errors


# ------------------------------------------------------------------ embedding with padding_idx


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_embedding_matches_torch_with_padding_idx(dtype):
    from rnn_tutorial import embedding_backward, embedding_forward, init_embedding

    rng = np.random.default_rng(7)
    W = init_embedding(9, 4, rng=rng, padding_idx=0, dtype=dtype)["W_embed"]
    tokens = np.array([[3, 3, 0, 8], [1, 0, 0, 3]])
    G = rng.standard_normal((2, 4, 4)).astype(dtype)
    emb = torch.nn.Embedding(9, 4, padding_idx=0, dtype=TORCH_DTYPE[dtype])
    with torch.no_grad():
        emb.weight.copy_(torch.from_numpy(W))
    out_t = emb(torch.from_numpy(tokens))
    (out_t * torch.from_numpy(G)).sum().backward()
    out, cache = embedding_forward(tokens, W, padding_idx=0)
    dW = embedding_backward(G, cache)
    tol = 1e-6 if dtype == np.float32 else 1e-12
    assert relative_error(out, out_t.detach().numpy()) < tol
    assert relative_error(dW, emb.weight.grad.numpy()) < tol
    assert np.all(dW[0] == 0) and np.all(emb.weight.grad.numpy()[0] == 0)
