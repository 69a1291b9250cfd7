r"""An encoder-decoder with attention, for any cell: every decoder step reads a context vector.

The encoder is the plain encoder-decoder's (:mod:`rnn_tutorial.models.seq2seq`):
a recurrent layer over the one-hot source, whose final state starts the
decoder. The decoder no longer depends on that state alone. Before each step
it attends over *all* the encoder's states with its current state as the query
(:func:`~rnn_tutorial.attention_forward`); the context vector enters the step
beside the previous symbol, and the output layer reads it beside the new
state:

.. math::

    c_t, a_t = \mathrm{attend}(s_{t-1}, h_{1..S}), \qquad
    s_t = \mathrm{cell}([e(y_{t-1}), c_t], s_{t-1}), \qquad
    z_t = [s_t, c_t] W_{hy} + b_y

Weights: the encoder under ``enc_`` (input size V), the decoder under
``dec_`` (input size V + H), the additive score under ``att_`` (``att_W_q``,
``att_W_k``, ``att_v``; none for the dot product) and the output layer
``W_hy`` (2H, V), ``b_y``.

Padded sources: ``lengths`` gives each source's length. The encoder stops at
each source's end (:func:`~rnn_tutorial.layer_forward` with ``lengths``): its
states past the end are zero and its final state, the decoder's start, is the
one at the last valid step. Attention never weighs a position past the end
(:func:`~rnn_tutorial.length_mask`). The padding symbols therefore change
nothing at all.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..decoding import BeamSearchResult, beam_search, log_softmax
from ..layers.attention import (
    AttentionCache,
    attention_backward,
    attention_forward,
    init_attention,
)
from ..layers.dense import DenseCache, dense_backward, dense_forward
from ..layers.sequence import (
    LayerCache,
    _check_cell,
    init_layer,
    layer_backward,
    layer_forward,
)
from ..params import init_dense
from ..timeaxis import length_mask
from ..training.losses import softmax_cross_entropy
from ..validation import (
    check_batch,
    check_cache,
    check_choice,
    check_input,
    check_mapping,
    param_sizes,
)
from .charlm import one_hot
from .seq2seq import (
    _SPECS,
    EncoderDecoder,
    _check_end,
    _check_int,
    _layer,
    _logit_sizes,
    _tokens,
    teacher_forcing_inputs,
)

__all__ = [
    "AttentionEncoderDecoder",
    "AttentionSeq2SeqCache",
    "attention_decode",
    "attention_seq2seq_backward",
    "attention_seq2seq_forward",
    "attention_seq2seq_loss",
    "init_attention_seq2seq",
]

SCORES = ("additive", "dot")


def init_attention_seq2seq(
    cell: str, V: int, H: int, *, score: str = "additive", rng, dtype=np.float64, forget_bias=1.0
) -> dict:
    """Weights of an attention encoder-decoder over ``V`` symbols with ``H`` units.

    Examples
    --------
    >>> params = init_attention_seq2seq("gru", 5, 8, rng=np.random.default_rng(0))
    >>> shapes = {k: v.shape for k, v in params.items() if not k.startswith("enc_")}
    >>> shapes  # doctest: +NORMALIZE_WHITESPACE
    {'dec_W_x': (13, 24), 'dec_W_h': (8, 24), 'dec_b_x': (24,), 'dec_b_h': (24,),
     'att_W_q': (8, 8), 'att_W_k': (8, 8), 'att_v': (8,), 'W_hy': (16, 5), 'b_y': (5,)}
    """
    V, H = _check_int("V", V, 2), _check_int("H", H, 1)
    check_choice("score", score, SCORES)
    params = {}
    for part, D in (("enc_", V), ("dec_", V + H)):
        layer = init_layer(cell, D, H, rng=rng, dtype=dtype, forget_bias=forget_bias)
        params.update({part + k: v for k, v in layer.items()})
    if score == "additive":
        params.update({"att_" + k: v for k, v in init_attention(H, rng=rng, dtype=dtype).items()})
    return {**params, **init_dense(2 * H, V, rng=rng, dtype=dtype)}


def _sizes(params: dict, cell: str) -> tuple[int, int]:
    """V and H, read off the output layer once every weight is checked (finite, one V, one H)."""
    check_mapping("params", params)
    if "W_hy" not in params or np.ndim(params["W_hy"]) != 2 or np.shape(params["W_hy"])[0] % 2:
        raise ValueError(
            'params need the output layer "W_hy" of shape (2H, V) (see init_attention_seq2seq)'
        )
    layer = _SPECS[_check_cell(cell)]
    spec = {"enc_" + k: tuple(l.replace("D", "V") for l in s) for k, s in layer.items()}
    spec |= {"dec_" + k: tuple(l.replace("D", "E") for l in s) for k, s in layer.items()}
    if any(k.startswith("att_") for k in params):  # additive scores have weights
        spec |= {"att_W_q": ("H", "H"), "att_W_k": ("H", "H"), "att_v": ("H",)}
    sizes = param_sizes(params, {**spec, "W_hy": ("2H", "V"), "b_y": ("V",)})
    V, H, E = sizes.value("V"), sizes.value("H"), sizes.value("E")
    if E != V + H:
        key = next(k for k in spec if spec[k][0] == "E")
        raise ValueError(
            f'params["{key}"] must have {V + H} rows for V={V} and H={H} '
            f"(see init_attention_seq2seq), got {np.shape(params[key])}"
        )
    return V, H


def _source_mask(lengths, source: np.ndarray):
    return None if lengths is None else length_mask(lengths, source.shape[1])


def _encode(cell, source, params, V, lengths=None, **options):
    """The encoder's states (N, S, H), final state and cache; each source stops at its length."""
    x = one_hot(source, V, dtype=np.result_type(params["W_hy"]))
    return layer_forward(cell, x, _layer(params, "enc_"), lengths=lengths, **options)


def _attend_and_step(cell, y_prev, state, hs_enc, mask, params, **options):
    """One decoder step: attend with the state, then step on the symbol and the context.

    Returns the output layer's input ``[s_t, c_t]``, the new state, the
    weights and both caches.
    """
    c, a, attention_cache = attention_forward(state[0], hs_enc, _layer(params, "att_"), mask)
    x = np.concatenate([y_prev, c], axis=1)[:, None, :]  # one step: (N, 1, V + H)
    hs, state, step_cache = layer_forward(cell, x, _layer(params, "dec_"), state, **options)
    return np.concatenate([hs[:, 0], c], axis=1), state, a, attention_cache, step_cache


class AttentionSeq2SeqCache(NamedTuple):
    """What :func:`attention_seq2seq_backward` needs: every layer's and every step's caches."""

    encoder: LayerCache
    steps: list[LayerCache]
    attention: list[AttentionCache]
    dense: DenseCache
    encoder_shape: tuple[int, int, int]
    V: int


def attention_seq2seq_forward(
    cell: str, source, target, params: dict, *, end: int, lengths=None, **options
):
    r"""Scores for every target symbol under teacher forcing, and the attention weights.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    source : ndarray of int, shape (N, S)
    target : ndarray of int, shape (N, T)
    params : dict
        From :func:`init_attention_seq2seq`.
    end : int
        The end symbol, also the decoder's first input.
    lengths : ndarray of int, shape (N,), optional
        The sources' lengths :math:`\ell`: the encoder stops there, and
        attention ignores the positions past them.
    **options
        The cell's options.

    Returns
    -------
    logits : ndarray, shape (N, T, V)
    weights : ndarray, shape (N, T, S)
        The attention weights of every decoder step over the source positions.
    cache : AttentionSeq2SeqCache

    Notes
    -----
    .. math::

        (h_1, \dots, h_S) &= \mathrm{layer}_{\mathrm{enc}}(e(x_1), \dots, e(x_S)), \qquad
        s_0 = h_{\ell} \\
        c_t, a_t &= \mathrm{attend}(s_{t-1}, h_{1..S}), \qquad
        s_t = \mathrm{cell}_{\mathrm{dec}}([e(y_{t-1}), c_t], s_{t-1}) \\
        z_t &= [s_t, c_t] W_{hy} + b_y

    Examples
    --------
    >>> params = init_attention_seq2seq("lstm", 5, 8, rng=np.random.default_rng(0))
    >>> logits, weights, cache = attention_seq2seq_forward(
    ...     "lstm", [[1, 2, 4]], [[2, 1, 4]], params, end=4)
    >>> logits.shape, weights.shape, bool(np.allclose(weights.sum(axis=2), 1))
    ((1, 3, 5), (1, 3, 3), True)
    """
    V, H = _sizes(params, cell)
    end = _check_end(end, V)
    source, target = _tokens("source", source, V), _tokens("target", target, V)
    if source.shape[0] != target.shape[0]:
        raise ValueError(
            f"source has shape {source.shape} but target has shape {target.shape}; "
            "they must hold the same number of sequences N"
        )
    mask = _source_mask(lengths, source)
    hs_enc, state, enc_cache = _encode(cell, source, params, V, lengths, **options)
    y_in = one_hot(teacher_forcing_inputs(target, end), V, dtype=hs_enc.dtype)
    outputs, weights, steps, attention = [], [], [], []
    for t in range(target.shape[1]):
        out, state, a, attention_cache, step_cache = _attend_and_step(
            cell, y_in[:, t], state, hs_enc, mask, params, **options
        )
        outputs.append(out)
        weights.append(a)
        steps.append(step_cache)
        attention.append(attention_cache)
    logits, dense_cache = dense_forward(np.stack(outputs, axis=1), params)
    cache = AttentionSeq2SeqCache(enc_cache, steps, attention, dense_cache, hs_enc.shape, V)
    return logits, np.stack(weights, axis=1), cache


def _add(total: dict, grads: dict, prefix: str) -> None:
    for k, v in grads.items():
        total[prefix + k] = total[prefix + k] + v if prefix + k in total else v


def attention_seq2seq_backward(dlogits, cache: AttentionSeq2SeqCache) -> dict:
    r"""Gradients of every weight: back through the steps, each through its attention.

    At step :math:`t` the gradient of :math:`[s_t, c_t]` splits in two; the
    context's part, with what the decoder's input passes back, goes through
    the attention to the query :math:`s_{t-1}` and to every encoder state.
    The encoder's states collect the gradients of all steps, and its final
    state also receives the gradient of :math:`s_0`.

    Examples
    --------
    >>> params = init_attention_seq2seq("rnn", 4, 6, rng=np.random.default_rng(0))
    >>> logits, _, cache = attention_seq2seq_forward("rnn", [[0, 1, 3]], [[1, 3]], params, end=3)
    >>> sorted(attention_seq2seq_backward(np.ones_like(logits), cache)) == sorted(params)
    True
    """
    check_cache("cache", cache, AttentionSeq2SeqCache, "attention_seq2seq_forward")
    dlogits = check_input("dlogits", dlogits, ("N", "T", "V"), _logit_sizes(cache))
    douts, grads = dense_backward(dlogits, cache.dense)
    H, V = cache.encoder_shape[2], cache.V
    dhs_enc = np.zeros(cache.encoder_shape, dtype=douts.dtype)
    dstate = None  # nothing reaches the last state from later steps
    for t in reversed(range(len(cache.steps))):
        ds_t, dc = douts[:, t, :H], douts[:, t, H:]
        dx, dstate, g_dec = layer_backward(ds_t[:, None, :], cache.steps[t], dstate)
        dc = dc + dx[:, 0, V:]
        dquery, dhs, g_att = attention_backward(dc, cache.attention[t])
        dstate = (dstate[0] + dquery, *dstate[1:])
        dhs_enc = dhs_enc + dhs
        _add(grads, g_dec, "dec_")
        _add(grads, g_att, "att_")
    _, _, g_enc = layer_backward(dhs_enc, cache.encoder, dstate)
    _add(grads, g_enc, "enc_")
    return grads


def attention_seq2seq_loss(
    cell: str, source, target, params: dict, *, end: int, lengths=None, **options
):
    """Mean cross-entropy over every target symbol under teacher forcing, and its gradients.

    Examples
    --------
    >>> params = init_attention_seq2seq("gru", 4, 6, rng=np.random.default_rng(0))
    >>> loss, grads = attention_seq2seq_loss("gru", [[0, 1, 3]], [[1, 0, 3]], params, end=3)
    >>> bool(abs(loss - np.log(4)) < 0.5)  # near chance before training
    True
    """
    check_batch("source", np.asarray(source))  # the loss is a mean over the batch
    logits, _, cache = attention_seq2seq_forward(
        cell, source, target, params, end=end, lengths=lengths, **options
    )
    loss, dlogits = softmax_cross_entropy(logits, np.asarray(target), reduction="mean")
    return loss, attention_seq2seq_backward(dlogits, cache)


def attention_decoder_step(cell: str, params: dict, **options):
    """The attention decoder as a step of :func:`~rnn_tutorial.beam_search`.

    Its state is the cell's state followed by the encoder's states (N, S, H)
    and the source mask (N, S), so that beam search reorders them all alike.

    Examples
    --------
    >>> params = init_attention_seq2seq("gru", 4, 6, rng=np.random.default_rng(0))
    >>> step = attention_decoder_step("gru", params)
    >>> state = (np.zeros((2, 6)), np.zeros((2, 3, 6)), np.ones((2, 3), dtype=bool))
    >>> log_probs, state = step(np.array([3, 0]), state)
    >>> log_probs.shape, len(state)
    ((2, 4), 3)
    """
    V, _ = _sizes(params, cell)
    dtype = np.result_type(params["W_hy"])

    def step(tokens, state):
        *cell_state, hs_enc, mask = state
        y_prev = one_hot(tokens, V, dtype=dtype)
        out, cell_state, _, _, _ = _attend_and_step(
            cell, y_prev, tuple(cell_state), hs_enc, mask, params, **options
        )
        logits, _ = dense_forward(out, params)
        return log_softmax(logits), (*cell_state, hs_enc, mask)

    return step


def attention_decode(
    cell: str,
    source,
    params: dict,
    *,
    end: int,
    max_len: int,
    beam_width: int = 1,
    alpha: float = 0.0,
    lengths=None,
    **options,
) -> tuple[np.ndarray, np.ndarray, BeamSearchResult]:
    """Decode by beam search (greedy at width 1), with the attention weights of every step.

    Returns
    -------
    answers : ndarray of int, shape (N, L)
        The best answer of each source, padded with the end symbol.
    weights : ndarray, shape (N, L, S)
        The attention weights of every step that wrote it.
    result : BeamSearchResult
        All ``beam_width`` answers and their log-probabilities.

    Notes
    -----
    The weights are those of a teacher-forced pass over the answer itself:
    the decoder reads the same symbols in the same order as when it wrote
    them, so every step computes the same state and the same weights.

    Examples
    --------
    >>> params = init_attention_seq2seq("lstm", 4, 6, rng=np.random.default_rng(0))
    >>> answers, weights, _ = attention_decode("lstm", [[0, 1, 3]], params, end=3, max_len=4)
    >>> weights.shape == answers.shape + (3,)
    True
    """
    V, _ = _sizes(params, cell)
    end = _check_end(end, V)
    source = _tokens("source", source, V)
    result = _attention_beam(
        cell, source, params, end, max_len, beam_width, alpha, lengths, options
    )
    answers = result.tokens[:, 0]
    _, weights, _ = attention_seq2seq_forward(
        cell, source, answers, params, end=end, lengths=lengths, **options
    )
    return answers, weights, result


def _attention_beam(cell, source, params, end, max_len, beam_width, alpha, lengths, options):
    """The beam search of :func:`attention_decode`, without the pass that reads off the weights."""
    V, _ = _sizes(params, cell)
    end = _check_end(end, V)
    source = _tokens("source", source, V)
    mask = _source_mask(lengths, source)
    if mask is None:
        mask = np.ones(source.shape, dtype=bool)
    hs_enc, state, _ = _encode(cell, source, params, V, lengths, **options)
    return beam_search(
        attention_decoder_step(cell, params, **options),
        (*state, hs_enc, mask),
        start=end,
        end=end,
        beam_width=beam_width,
        max_len=max_len,
        alpha=alpha,
    )


class AttentionEncoderDecoder(EncoderDecoder):
    """An attention encoder-decoder's weights, trained like :class:`EncoderDecoder`.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    V, H : int
    end : int
    rng : numpy.random.Generator
    score : {"additive", "dot"}
    **options
        The cell's options.

    Examples
    --------
    >>> from rnn_tutorial.models.seq2seq import reversal_task
    >>> rng = np.random.default_rng(0)
    >>> source, target = reversal_task(200, 3, digits=3, rng=rng)
    >>> model = AttentionEncoderDecoder("gru", 4, 16, end=3, rng=rng)
    >>> history = model.fit(source, target, steps=150, lr=0.05, rng=rng)
    >>> model.accuracy(source, target)[1]  # whole sequences right
    1.0
    """

    def __init__(
        self, cell: str, V: int, H: int, *, end: int, rng, score: str = "additive", **options
    ) -> None:
        self.params = init_attention_seq2seq(cell, V, H, score=score, rng=rng)
        self.cell, self.end, self.options = cell, _check_end(end, V), options
        self.optimizer = None

    def loss_and_grads(self, source, target, params: dict | None = None):
        """Teacher-forced mean cross-entropy and its gradients (:func:`attention_seq2seq_loss`)."""
        params = self.params if params is None else params
        return attention_seq2seq_loss(
            self.cell, source, target, params, end=self.end, **self.options
        )

    def decode(self, source, max_len: int, beam_width: int = 1, alpha: float = 0.0) -> np.ndarray:
        """The best answer of a beam search (:func:`attention_decode`); greedy at width 1.

        The answers alone: the teacher-forced pass that reads off the weights is left out.
        """
        options = self.options
        result = _attention_beam(
            self.cell, source, self.params, self.end, max_len, beam_width, alpha, None, options
        )
        return result.tokens[:, 0]

    def attend(self, source, max_len: int, beam_width: int = 1):
        """Decoded answers and the attention weights of every step (:func:`attention_decode`)."""
        answers, weights, _ = attention_decode(
            self.cell,
            source,
            self.params,
            end=self.end,
            max_len=max_len,
            beam_width=beam_width,
            **self.options,
        )
        return answers, weights
