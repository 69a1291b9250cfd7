"""Parity with PyTorch: attention and the attention encoder-decoder, written with torch tensors.

torch has no additive-attention module, so the computation is written again
with torch operations (``torch.tanh``, ``masked_fill`` with ``-inf``,
``torch.softmax``) and differentiated by ``torch.autograd``; ours runs
through :func:`~rnn_tutorial.attention_forward` / :func:`attention_backward`
and, for the whole model, :func:`~rnn_tutorial.attention_seq2seq_loss`. In
float64, outputs, attention weights and every gradient must agree to a
relative error, in norm, of 1e-10, with padded source positions.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rnn_tutorial import (
    attention_backward,
    attention_forward,
    attention_seq2seq_forward,
    attention_seq2seq_loss,
    init_attention,
    init_attention_seq2seq,
    length_mask,
    relative_error,
)

N, T, H = 4, 6, 5
LENGTHS = np.array([6, 2, 4, 1])
TOLERANCE = 1e-10


def _t(x):
    return torch.tensor(np.asarray(x), dtype=torch.float64, requires_grad=True)


def torch_attention(s, hs, params, mask):
    """The same equations in torch: scores, a softmax that ignores padding, the context."""
    if params:
        u = torch.tanh((s @ params["W_q"])[:, None, :] + hs @ params["W_k"])
        e = u @ params["v"]
    else:
        e = torch.einsum("nh,nth->nt", s, hs)
    a = torch.softmax(e.masked_fill(~torch.from_numpy(mask), float("-inf")), dim=1)
    return torch.einsum("nt,nth->nh", a, hs), a


def assert_close(ours, theirs, what):
    theirs = theirs.detach().numpy()
    assert ours.shape == theirs.shape, what
    error = relative_error(ours, theirs)
    assert error <= TOLERANCE, f"{what}: relative error {error:.2e}"


@pytest.mark.parametrize("score", ["additive", "dot"])
def test_attention_layer_against_torch_autograd(score):
    rng = np.random.default_rng(0)
    s, hs, G = rng.normal(size=(N, H)), rng.normal(size=(N, T, H)), rng.normal(size=(N, H))
    params = init_attention(H, rng=rng) if score == "additive" else {}
    params = {k: 2.0 * v for k, v in params.items()}
    mask = length_mask(LENGTHS, T)

    c, a, cache = attention_forward(s, hs, params, mask)
    ds, dhs, grads = attention_backward(G, cache)

    s_t, hs_t = _t(s), _t(hs)
    params_t = {k: _t(v) for k, v in params.items()}
    c_t, a_t = torch_attention(s_t, hs_t, params_t, mask)
    (c_t * torch.from_numpy(G)).sum().backward()

    assert_close(c, c_t, "context")
    assert_close(a, a_t, "weights")
    assert np.all(a_t.detach().numpy()[~mask] == 0) and np.all(a[~mask] == 0)
    assert_close(ds, s_t.grad, "ds")
    assert_close(dhs, hs_t.grad, "dhs")
    for k in params:
        assert_close(grads[k], params_t[k].grad, f"d{k}")


def torch_attention_seq2seq_loss(source, target, params, mask, end):
    """The whole model with a vanilla (tanh) RNN cell, step by step in torch.

    The encoder stops at each source's length, as ``pack_padded_sequence``
    would make it: past the end its state is carried unchanged and its outputs
    are zero.
    """
    V = params["W_hy"].shape[1]
    eye = torch.eye(V, dtype=torch.float64)
    att = {k[4:]: v for k, v in params.items() if k.startswith("att_")}
    h = torch.zeros(source.shape[0], params["enc_W_hh"].shape[0], dtype=torch.float64)
    states = []
    for t in range(source.shape[1]):
        x = eye[source[:, t]]
        h_new = torch.tanh(x @ params["enc_W_xh"] + h @ params["enc_W_hh"] + params["enc_b_h"])
        valid = torch.from_numpy(mask[:, t : t + 1])
        h = torch.where(valid, h_new, h)
        states.append(torch.where(valid, h_new, torch.zeros_like(h_new)))
    hs = torch.stack(states, dim=1)
    previous = np.concatenate([np.full((target.shape[0], 1), end), target[:, :-1]], axis=1)
    s, logits, weights = h, [], []
    for t in range(target.shape[1]):
        c, a = torch_attention(s, hs, att, mask)
        x = torch.cat([eye[previous[:, t]], c], dim=1)
        s = torch.tanh(x @ params["dec_W_xh"] + s @ params["dec_W_hh"] + params["dec_b_h"])
        logits.append(torch.cat([s, c], dim=1) @ params["W_hy"] + params["b_y"])
        weights.append(a)
    logits = torch.stack(logits, dim=1)
    loss = torch.nn.functional.cross_entropy(
        logits.reshape(-1, V), torch.from_numpy(target.reshape(-1))
    )
    return loss, logits, torch.stack(weights, dim=1)


@pytest.mark.parametrize("score", ["additive", "dot"])
def test_attention_encoder_decoder_against_torch_autograd(score):
    rng = np.random.default_rng(1)
    V, end = 6, 5
    params = init_attention_seq2seq("rnn", V, H, score=score, rng=rng)
    params = {k: v + 0.2 * rng.normal(size=v.shape) for k, v in params.items()}
    source = rng.integers(0, end, size=(N, T))
    source[np.arange(N), LENGTHS - 1] = end  # each source ends with the end symbol, then padding
    target = np.concatenate([rng.integers(0, end, size=(N, 3)), np.full((N, 1), end)], axis=1)
    mask = length_mask(LENGTHS, T)

    loss, grads = attention_seq2seq_loss("rnn", source, target, params, end=end, lengths=LENGTHS)
    logits, weights, _ = attention_seq2seq_forward(
        "rnn", source, target, params, end=end, lengths=LENGTHS
    )

    params_t = {k: _t(v) for k, v in params.items()}
    loss_t, logits_t, weights_t = torch_attention_seq2seq_loss(source, target, params_t, mask, end)
    loss_t.backward()

    assert abs(loss - loss_t.item()) <= TOLERANCE * abs(loss)
    assert_close(logits, logits_t, "logits")
    assert_close(weights, weights_t, "weights")
    assert sorted(grads) == sorted(params)
    for k in params:
        assert_close(grads[k], params_t[k].grad, f"d{k}")
