r"""LSTM and GRU written gate by gate: one weight matrix per gate, every product inside the loop.

The way the equations are often first written: each gate has its own
:math:`W_{x\cdot}` and :math:`W_{h\cdot}`, each step forms all of its products
separately, and the backward pass adds every step's weight gradients as it
goes. It computes the same numbers as :func:`~rnn_tutorial.lstm_forward`
and :func:`~rnn_tutorial.gru_forward` (reset-after form) and is kept as
the slow end of the performance appendix's comparison: it shows what fusing the
gates and hoisting the products out of the loop gain.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..validation import check_input, check_params
from .activations import sigmoid
from .gru import GRU_SPEC
from .lstm import LSTM_SPEC

__all__ = [
    "PerGateCache",
    "gru_backward_per_gate",
    "gru_forward_per_gate",
    "lstm_backward_per_gate",
    "lstm_forward_per_gate",
    "split_gates",
]


class PerGateCache(NamedTuple):
    """The inputs, states and gate values of every step, and the per-gate weights."""

    x: np.ndarray  # (N, T, D)
    states: list  # one dict of arrays per step
    weights: dict  # gate name -> (W_x, W_h, b) or (W_x, W_h, b_x, b_h)


def split_gates(params: dict, names: str) -> dict:
    """Cut fused weights into one set per gate, in the order of ``names``.

    Examples
    --------
    >>> p = {"W_x": np.ones((3, 8)), "W_h": np.ones((2, 8)), "b": np.zeros(8)}
    >>> {k: [w.shape for w in v] for k, v in split_gates(p, "ifgo").items()}["o"]
    [(3, 2), (2, 2), (2,)]
    """
    H = params["W_h"].shape[0]
    return {
        gate: tuple(w[..., k * H : (k + 1) * H] for w in params.values())
        for k, gate in enumerate(names)
    }


def lstm_forward_per_gate(x, h0, c0, params):
    """:func:`~rnn_tutorial.lstm_forward`, gate by gate; the cache is a :class:`PerGateCache`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 8)), "W_h": rng.normal(size=(2, 8)),
    ...           "b": np.zeros(8)}
    >>> hs, cs, _ = lstm_forward_per_gate(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)),
    ...                                   np.zeros((4, 2)), params)
    >>> hs.shape
    (4, 5, 2)
    """
    params, sizes = check_params(params, LSTM_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h = check_input("h0", h0, ("N", "H"), sizes)
    c = check_input("c0", c0, ("N", "H"), sizes)
    weights = split_gates({k: params[k] for k in ("W_x", "W_h", "b")}, "ifgo")
    hs, cs, states = [], [], []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        a = {gate: x_t @ W_x + h @ W_h + b for gate, (W_x, W_h, b) in weights.items()}
        i, f, g, o = sigmoid(a["i"]), sigmoid(a["f"]), np.tanh(a["g"]), sigmoid(a["o"])
        c_prev, h_prev = c, h
        c = f * c_prev + i * g
        h = o * np.tanh(c)
        states.append({"h_prev": h_prev, "c_prev": c_prev, "i": i, "f": f, "g": g, "o": o, "c": c})
        hs.append(h)
        cs.append(c)
    return np.stack(hs, axis=1), np.stack(cs, axis=1), PerGateCache(x, states, weights)


def lstm_backward_per_gate(dhs, cache):
    """:func:`~rnn_tutorial.lstm_backward`, gate by gate, weight gradients summed per step."""
    x, states, weights = cache
    grads = {gate: [np.zeros_like(w) for w in ws] for gate, ws in weights.items()}
    dx = np.zeros_like(x)
    dh = np.zeros_like(states[0]["h_prev"])
    dc = np.zeros_like(dh)
    for t in reversed(range(x.shape[1])):
        s = states[t]
        dh = dh + dhs[:, t]
        tanh_c = np.tanh(s["c"])
        dc = dc + dh * s["o"] * (1 - tanh_c**2)
        da = {
            "i": dc * s["g"] * s["i"] * (1 - s["i"]),
            "f": dc * s["c_prev"] * s["f"] * (1 - s["f"]),
            "g": dc * s["i"] * (1 - s["g"] ** 2),
            "o": dh * tanh_c * s["o"] * (1 - s["o"]),
        }
        dc = dc * s["f"]
        dh = np.zeros_like(dh)
        for gate, (W_x, W_h, _) in weights.items():
            dx[:, t] += da[gate] @ W_x.T
            dh += da[gate] @ W_h.T
            grads[gate][0] += x[:, t].T @ da[gate]
            grads[gate][1] += s["h_prev"].T @ da[gate]
            grads[gate][2] += da[gate].sum(axis=0)
    fused = {
        key: np.concatenate([grads[g][k] for g in "ifgo"], axis=-1)
        for k, key in enumerate(("W_x", "W_h", "b"))
    }
    return dx, dh, dc, fused


def gru_forward_per_gate(x, h0, params):
    """:func:`~rnn_tutorial.gru_forward` (reset-after form), gate by gate.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = {"W_x": rng.normal(size=(3, 6)), "W_h": rng.normal(size=(2, 6)),
    ...           "b_x": np.zeros(6), "b_h": np.zeros(6)}
    >>> hs, _ = gru_forward_per_gate(rng.normal(size=(4, 5, 3)), np.zeros((4, 2)), params)
    >>> hs.shape
    (4, 5, 2)
    """
    params, sizes = check_params(params, GRU_SPEC)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    h = check_input("h0", h0, ("N", "H"), sizes)
    weights = split_gates({k: params[k] for k in ("W_x", "W_h", "b_x", "b_h")}, "rzn")
    hs, states = [], []
    for t in range(x.shape[1]):
        x_t = x[:, t]
        xa = {gate: x_t @ W_x + b_x for gate, (W_x, _, b_x, _) in weights.items()}
        ha = {gate: h @ W_h + b_h for gate, (_, W_h, _, b_h) in weights.items()}
        r, z = sigmoid(xa["r"] + ha["r"]), sigmoid(xa["z"] + ha["z"])
        n = np.tanh(xa["n"] + r * ha["n"])
        states.append({"h_prev": h, "r": r, "z": z, "n": n, "hn": ha["n"]})
        h = (1 - z) * n + z * h
        hs.append(h)
    return np.stack(hs, axis=1), PerGateCache(x, states, weights)


def gru_backward_per_gate(dhs, cache):
    """:func:`~rnn_tutorial.gru_backward` (reset-after form), gate by gate."""
    x, states, weights = cache
    grads = {gate: [np.zeros_like(w) for w in ws] for gate, ws in weights.items()}
    dx = np.zeros_like(x)
    dh = np.zeros_like(states[0]["h_prev"])
    for t in reversed(range(x.shape[1])):
        s = states[t]
        dh = dh + dhs[:, t]
        da_n = dh * (1 - s["z"]) * (1 - s["n"] ** 2)
        dax = {
            "r": da_n * s["hn"] * s["r"] * (1 - s["r"]),
            "z": dh * (s["h_prev"] - s["n"]) * s["z"] * (1 - s["z"]),
            "n": da_n,
        }
        dah = {**dax, "n": da_n * s["r"]}
        dh = dh * s["z"]
        for gate, (W_x, W_h, _, _) in weights.items():
            dx[:, t] += dax[gate] @ W_x.T
            dh += dah[gate] @ W_h.T
            grads[gate][0] += x[:, t].T @ dax[gate]
            grads[gate][1] += s["h_prev"].T @ dah[gate]
            grads[gate][2] += dax[gate].sum(axis=0)
            grads[gate][3] += dah[gate].sum(axis=0)
    fused = {
        key: np.concatenate([grads[g][k] for g in "rzn"], axis=-1)
        for k, key in enumerate(("W_x", "W_h", "b_x", "b_h"))
    }
    return dx, dh, fused
