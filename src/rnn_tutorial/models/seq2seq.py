r"""An encoder-decoder of two recurrent layers, for any cell: training and greedy decoding.

The *encoder* reads the source symbols, the end symbol last (``A B C D _``),
and produces no output; its final state summarises the whole source. That
state starts the *decoder*, which writes the answer one symbol at a time: its
first input is the end symbol, each later input is the symbol it wrote the
step before, and it stops when it writes the end symbol.

Symbols enter both layers one-hot, so ``x @ W_x`` picks one row of ``W_x``:
the row is the symbol's embedding. The weights are one flat dict, so that an
optimiser or :func:`~rnn_tutorial.grad_check` can loop over it: the
encoder's layer under ``enc_`` (``enc_W_x``, ``enc_W_h``, ...), the
decoder's under ``dec_``, and the output layer ``W_hy``, ``b_y``. The layers
run through :func:`~rnn_tutorial.layer_forward`, so the cell is an argument
and the state is ``(h,)`` or ``(h, c)`` as the cell has it.

- :func:`seq2seq_forward` / :func:`seq2seq_backward`: training with teacher
  forcing, where the decoder reads the *correct* previous symbol.
- :func:`greedy_decode`: testing without it, the decoder reading its own
  most probable previous symbol; :func:`beam_decode` keeps the ``B`` most
  probable answers instead (:func:`~rnn_tutorial.beam_search` over
  :func:`decoder_step`).
- :func:`decoding_accuracy`: per-symbol and whole-sequence accuracy.
- :func:`reversal_task`: a toy task, writing a digit string backwards.
- :class:`EncoderDecoder`: the weights with Adam, for an experiment.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..cells.gru import GRU_SPEC
from ..cells.lstm import LSTM_SPEC
from ..cells.rnn import RNN_SPEC
from ..decoding import BeamSearchResult, beam_search, log_softmax
from ..layers.dense import DenseCache, dense_backward, dense_forward
from ..layers.sequence import (
    LayerCache,
    _check_cell,
    init_layer,
    layer_backward,
    layer_forward,
)
from ..params import init_dense
from ..training.clipping import clip_global_norm, global_norm
from ..training.losses import softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    Sizes,
    check_batch,
    check_cache,
    check_input,
    check_int,
    check_mapping,
    check_rng,
    check_tokens,
    param_sizes,
)
from .charlm import one_hot
from .classifier import FitHistory

__all__ = [
    "EncoderDecoder",
    "Seq2SeqCache",
    "beam_decode",
    "decoder_step",
    "decoding_accuracy",
    "greedy_decode",
    "init_seq2seq",
    "reversal_task",
    "seq2seq_backward",
    "seq2seq_forward",
    "seq2seq_loss",
    "teacher_forcing_inputs",
]

_PARTS = ("enc_", "dec_")
_SPECS = {"rnn": RNN_SPEC, "lstm": LSTM_SPEC, "gru": GRU_SPEC}


def _check_int(name: str, value, low: int) -> int:
    return check_int(name, value, low=low)


def _vocabulary(params: dict, cell: str) -> int:
    """V, read off ``params``, once every key the ``cell`` encoder-decoder needs is there."""
    check_mapping("params", params)
    spec = _SPECS[_check_cell(cell)]
    missing = [k for k in ("W_hy", "b_y") if k not in params]
    missing += [part + key for part in _PARTS for key in spec if part + key not in params]
    if missing:
        raise ValueError(
            f"params of a {cell} encoder-decoder are missing "
            f"{', '.join(map(repr, missing))} (see init_seq2seq); it has {sorted(params)}"
        )
    V = np.shape(params["W_hy"])[1] if np.ndim(params["W_hy"]) == 2 else -1
    for part in _PARTS:
        key = part + ("W_xh" if cell == "rnn" else "W_x")
        if np.shape(params[key])[:1] != (V,):
            raise ValueError(
                f'params["{key}"] has shape {np.shape(params[key])} but params["W_hy"] has '
                f"shape {np.shape(params['W_hy'])}: one-hot inputs need V={V} rows"
            )
    layers = {part + k: tuple(l.replace("D", "V") for l in letters)
              for part in _PARTS for k, letters in spec.items()}  # fmt: skip
    param_sizes(params, {**layers, "W_hy": ("H", "V"), "b_y": ("V",)})  # finite, one V, one H
    return V


def _layer(params: dict, part: str) -> dict:
    """The weights of one layer, without their prefix."""
    return {k[len(part) :]: v for k, v in params.items() if k.startswith(part)}


def _tokens(name: str, tokens, V: int | None) -> np.ndarray:
    """``tokens`` as an (N, T) integer array of symbols in [0, V), T >= 1."""
    tokens = check_tokens(name, tokens, V, ndim=2)
    if tokens.shape[1] < 1:
        raise ValueError(f"{name} must be 2-D (N, T) with T >= 1, got shape {tokens.shape}")
    return tokens


def _check_end(end, V: int | None) -> int:
    """The end symbol: an integer id in [0, V) (V unknown: >= 0)."""
    check_int("end", end, low=0)
    if V is not None and end >= V:
        raise ValueError(f"end must be a symbol in [0, {V}) for V={V}, got {end!r}")
    return int(end)


def init_seq2seq(
    cell: str, V: int, H: int, *, rng: np.random.Generator, dtype=np.float64, forget_bias=1.0
) -> dict:
    """Weights of an encoder-decoder over ``V`` symbols: two layers of ``cell`` and the output.

    Examples
    --------
    >>> params = init_seq2seq("gru", 5, 8, rng=np.random.default_rng(0))
    >>> sorted(params)  # doctest: +NORMALIZE_WHITESPACE
    ['W_hy', 'b_y', 'dec_W_h', 'dec_W_x', 'dec_b_h', 'dec_b_x',
     'enc_W_h', 'enc_W_x', 'enc_b_h', 'enc_b_x']
    """
    V, H = _check_int("V", V, 2), _check_int("H", H, 1)
    params = {}
    for part in _PARTS:
        layer = init_layer(cell, V, H, rng=rng, dtype=dtype, forget_bias=forget_bias)
        params.update({part + k: v for k, v in layer.items()})
    return {**params, **init_dense(H, V, rng=rng, dtype=dtype)}


def teacher_forcing_inputs(target: np.ndarray, end: int) -> np.ndarray:
    """The decoder's inputs under teacher forcing: the end symbol, then the target shifted right.

    Examples
    --------
    >>> teacher_forcing_inputs(np.array([[3, 2, 1, 0, 9]]), end=9)
    array([[9, 3, 2, 1, 0]])
    """
    target, end = _tokens("target", target, None), _check_end(end, None)
    start = np.full((target.shape[0], 1), end, dtype=target.dtype)
    return np.concatenate([start, target[:, :-1]], axis=1)


class Seq2SeqCache(NamedTuple):
    """What :func:`seq2seq_backward` needs: the three layers' caches and the encoder's shape."""

    encoder: LayerCache
    decoder: LayerCache
    dense: DenseCache
    encoder_shape: tuple[int, int, int]


def seq2seq_forward(cell: str, source, target, params: dict, *, end: int, **options):
    r"""Scores for every target symbol, the decoder reading the correct previous one.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    source : ndarray of int, shape (N, S)
        The source symbols, normally ending with the end symbol.
    target : ndarray of int, shape (N, T)
        The symbols the decoder should write, the end symbol last.
    params : dict
        From :func:`init_seq2seq`.
    end : int
        The end symbol; it is also the decoder's first input.
    **options
        The cell's options (``activation``, ``form``), for both layers.

    Returns
    -------
    logits : ndarray, shape (N, T, V)
        The decoder's scores for the symbol at every target position.
    cache : Seq2SeqCache

    Notes
    -----
    With :math:`e(\cdot)` the one-hot vector of a symbol and
    :math:`y_0 = \_` the end symbol,

    .. math::

        (h^{\mathrm{enc}}_S, \dots) &= \mathrm{layer}_{\mathrm{enc}}(e(x_1), \dots, e(x_S)) \\
        s_0 &= h^{\mathrm{enc}}_S, \qquad
        s_t = \mathrm{cell}_{\mathrm{dec}}(e(y_{t-1}), s_{t-1}) \\
        z_t &= s_t W_{hy} + b_y

    Teacher forcing is the choice :math:`y_{t-1}` = the correct symbol.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_seq2seq("lstm", 5, 8, rng=rng)
    >>> logits, cache = seq2seq_forward("lstm", [[1, 2, 4]], [[2, 1, 4]], params, end=4)
    >>> logits.shape
    (1, 3, 5)
    """
    V = _vocabulary(params, cell)
    end = _check_end(end, V)
    source, target = _tokens("source", source, V), _tokens("target", target, V)
    if source.shape[0] != target.shape[0]:
        raise ValueError(
            f"source has shape {source.shape} but target has shape {target.shape}; "
            "they must hold the same number of sequences N"
        )
    dtype = np.result_type(params["W_hy"])
    x_enc = one_hot(source, V, dtype=dtype)
    hs_enc, state, enc_cache = layer_forward(cell, x_enc, _layer(params, "enc_"), **options)
    x_dec = one_hot(teacher_forcing_inputs(target, end), V, dtype=dtype)
    hs_dec, _, dec_cache = layer_forward(cell, x_dec, _layer(params, "dec_"), state, **options)
    logits, dense_cache = dense_forward(hs_dec, params)
    return logits, Seq2SeqCache(enc_cache, dec_cache, dense_cache, hs_enc.shape)


def seq2seq_backward(dlogits: np.ndarray, cache: Seq2SeqCache) -> dict:
    r"""Gradients of every weight, from the gradient of the decoder's scores.

    The decoder's backward pass returns the gradient of its initial state;
    that state was the encoder's final state, so it enters the encoder's
    backward pass as ``dstate`` (both ``h`` and, for the LSTM, ``c``). The
    encoder's outputs fed nothing, so their gradient is zero.

    Returns
    -------
    dict
        The same keys as the weights.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> params = init_seq2seq("rnn", 4, 6, rng=rng)
    >>> logits, cache = seq2seq_forward("rnn", [[0, 1, 3]], [[1, 0, 3]], params, end=3)
    >>> grads = seq2seq_backward(np.ones_like(logits), cache)
    >>> sorted(grads) == sorted(params)
    True
    """
    check_cache("cache", cache, Seq2SeqCache, "seq2seq_forward")
    dlogits = check_input("dlogits", dlogits, ("N", "T", "V"), _logit_sizes(cache))
    dhs_dec, grads = dense_backward(dlogits, cache.dense)
    _, dstate, dec_grads = layer_backward(dhs_dec, cache.decoder)
    dhs_enc = np.zeros(cache.encoder_shape, dtype=dhs_dec.dtype)
    _, _, enc_grads = layer_backward(dhs_enc, cache.encoder, dstate)
    grads.update({"enc_" + k: v for k, v in enc_grads.items()})
    grads.update({"dec_" + k: v for k, v in dec_grads.items()})
    return grads


def seq2seq_loss(cell: str, source, target, params: dict, *, end: int, **options):
    """Mean cross-entropy over every target symbol under teacher forcing, and its gradients.

    Returns
    -------
    loss : float
    grads : dict

    Examples
    --------
    >>> params = init_seq2seq("gru", 4, 6, rng=np.random.default_rng(0))
    >>> loss, grads = seq2seq_loss("gru", [[0, 1, 3]], [[1, 0, 3]], params, end=3)
    >>> bool(abs(loss - np.log(4)) < 0.5)  # near chance before training
    True
    """
    check_batch("source", np.asarray(source))  # the loss is a mean over the batch
    logits, cache = seq2seq_forward(cell, source, target, params, end=end, **options)
    loss, dlogits = softmax_cross_entropy(logits, np.asarray(target), reduction="mean")
    return loss, seq2seq_backward(dlogits, cache)


def decoder_step(cell: str, params: dict, **options):
    """The decoder as a step of :func:`~rnn_tutorial.beam_search`: symbols in, log-probs out.

    Returns
    -------
    callable
        ``log_probs, state = step(tokens, state)`` with ``tokens`` (M,),
        ``state`` the decoder's ``(h,)`` or ``(h, c)`` with rows (M, H) and
        ``log_probs`` (M, V).

    Examples
    --------
    >>> params = init_seq2seq("gru", 4, 6, rng=np.random.default_rng(0))
    >>> step = decoder_step("gru", params)
    >>> log_probs, (h,) = step(np.array([3, 0]), (np.zeros((2, 6)),))
    >>> log_probs.shape, bool(np.allclose(np.exp(log_probs).sum(axis=1), 1.0))
    ((2, 4), True)
    """
    V = _vocabulary(params, cell)
    dtype = np.result_type(params["W_hy"])
    decoder = _layer(params, "dec_")

    def step(tokens, state):
        x = one_hot(tokens[:, None], V, dtype=dtype)  # one step: (M, 1, V)
        hs, state, _ = layer_forward(cell, x, decoder, state, **options)
        logits, _ = dense_forward(hs[:, 0], params)
        return log_softmax(logits), state

    return step


def beam_decode(
    cell: str,
    source,
    params: dict,
    *,
    end: int,
    max_len: int,
    beam_width: int,
    alpha: float = 0.0,
    **options,
) -> BeamSearchResult:
    """The ``beam_width`` most probable answers of each source (:func:`~rnn_tutorial.beam_search`).

    The encoder's final state starts the decoder, whose first input is the end symbol.

    Returns
    -------
    BeamSearchResult
        ``tokens`` (N, B, L), best answer first, and their log-probabilities.

    Examples
    --------
    >>> params = init_seq2seq("lstm", 4, 6, rng=np.random.default_rng(0))
    >>> result = beam_decode("lstm", [[0, 1, 3]], params, end=3, max_len=5, beam_width=2)
    >>> result.tokens.shape[:2], bool(result.scores[0, 0] >= result.scores[0, 1])
    ((1, 2), True)
    """
    V = _vocabulary(params, cell)
    end = _check_end(end, V)
    max_len = _check_int("max_len", max_len, 1)
    source = _tokens("source", source, V)
    dtype = np.result_type(params["W_hy"])
    x_enc = one_hot(source, V, dtype=dtype)
    _, state, _ = layer_forward(cell, x_enc, _layer(params, "enc_"), **options)
    step = decoder_step(cell, params, **options)
    return beam_search(
        step, state, start=end, end=end, beam_width=beam_width, max_len=max_len, alpha=alpha
    )


def greedy_decode(cell: str, source, params: dict, *, end: int, max_len: int, **options):
    """Decode without teacher forcing: each step reads the symbol written the step before.

    Greedy decoding is beam search of width 1 (:func:`beam_decode`): at every
    step the single answer is extended by its most probable symbol.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    source : ndarray of int, shape (N, S)
    params : dict
        From :func:`init_seq2seq`.
    end : int
        The end symbol: the decoder's first input, and the symbol that stops it.
    max_len : int
        The most symbols written per sequence, the end symbol included; a
        decoder that never writes the end symbol stops here.
    **options
        The cell's options.

    Returns
    -------
    ndarray of int, shape (N, L)
        The symbols written, ``L <= max_len``. A sequence's answer runs up to
        and including its first end symbol; later positions hold the end
        symbol too. Decoding stops as soon as every sequence has ended.

    Examples
    --------
    >>> params = init_seq2seq("lstm", 4, 6, rng=np.random.default_rng(0))
    >>> greedy_decode("lstm", [[0, 1, 3], [2, 2, 3]], params, end=3, max_len=5).shape[1] <= 5
    True
    """
    result = beam_decode(cell, source, params, end=end, max_len=max_len, beam_width=1, **options)
    return result.tokens[:, 0]


def _answers(tokens: np.ndarray, end: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's length up to and including its first end symbol, and whether it has one."""
    is_end = tokens == end
    has_end = is_end.any(axis=1)
    first = is_end.argmax(axis=1) if tokens.shape[1] else np.zeros(len(tokens), dtype=int)
    lengths = np.where(has_end, first + 1, tokens.shape[1])
    return lengths, has_end


def _check_answers(predicted, target, end):
    """``decoding_accuracy``'s arguments, checked: ``(predicted, target, end)``."""
    predicted = check_tokens("predicted", predicted, ndim=2)
    target, end = check_tokens("target", target, ndim=2), _check_end(end, None)
    check_batch("target", target)  # the accuracies are means over the batch
    if predicted.shape[0] != target.shape[0]:
        raise ValueError(
            f"predicted has shape {predicted.shape} but target has shape {target.shape}; "
            "they must hold the same number of sequences N"
        )
    if not _answers(target, end)[1].all():
        raise ValueError(f"every row of target must contain the end symbol {end}")
    return predicted, target, end


def decoding_accuracy(predicted, target, *, end: int) -> tuple[float, float]:
    """Per-symbol and whole-sequence accuracy of decoded answers.

    Parameters
    ----------
    predicted : ndarray of int, shape (N, L)
        As :func:`greedy_decode` returns it.
    target : ndarray of int, shape (N, T)
        The correct answers, each ending with its first end symbol.
    end : int

    Returns
    -------
    per_symbol : float
        The fraction of target symbols, end symbols included, written at the
        right position; a position the answer did not reach, or reached
        after its own end, counts as wrong.
    whole_sequence : float
        The fraction of answers exactly equal to the target, up to the end.

    Examples
    --------
    >>> target = np.array([[1, 2, 9], [3, 4, 9]])
    >>> decoding_accuracy(np.array([[1, 2, 9], [3, 9, 9]]), target, end=9)
    (0.6666666666666666, 0.5)
    """
    predicted, target, end = _check_answers(predicted, target, end)
    T = target.shape[1]
    pred_len, _ = _answers(predicted, end)
    target_len, _ = _answers(target, end)
    # the answer as written, cut at its end and padded with -1 (never right) to T
    cut = np.full((predicted.shape[0], T), -1)
    width = min(T, predicted.shape[1])
    cut[:, :width] = predicted[:, :width]
    cut[np.arange(T) >= pred_len[:, None]] = -1
    counted = np.arange(T) < target_len[:, None]
    right = (cut == target) & counted
    per_symbol = right.sum() / counted.sum()
    whole = (right.sum(axis=1) == target_len) & (pred_len == target_len)
    return float(per_symbol), float(whole.mean())


def reversal_task(n: int, length: int, *, digits: int = 10, rng: np.random.Generator):
    """Digit strings and the same strings written backwards, each followed by the end symbol.

    The symbols are the digits ``0 .. digits-1`` and the end symbol ``digits``,
    so ``V = digits + 1``.

    Returns
    -------
    source, target : ndarray of int, shape (n, length + 1)

    Examples
    --------
    >>> source, target = reversal_task(2, 4, rng=np.random.default_rng(0))
    >>> source[0].tolist(), target[0].tolist()
    ([8, 6, 5, 2, 10], [2, 5, 6, 8, 10])
    """
    n, length = _check_int("n", n, 1), _check_int("length", length, 1)
    digits = _check_int("digits", digits, 1)
    check_rng("rng", rng)
    strings = rng.integers(0, digits, size=(n, length))
    ends = np.full((n, 1), digits)
    return np.hstack([strings, ends]), np.hstack([strings[:, ::-1], ends])


class EncoderDecoder:
    """An encoder-decoder's weights, trained with teacher forcing and Adam, decoded by beam search.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    V, H : int
        Number of symbols (the end symbol included) and hidden size of both layers.
    end : int
        The end symbol.
    rng : numpy.random.Generator
        Draws the initial weights.
    **options
        The cell's options (``activation``, ``form``).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> source, target = reversal_task(200, 2, digits=3, rng=rng)
    >>> model = EncoderDecoder("gru", 4, 16, end=3, rng=rng)
    >>> history = model.fit(source, target, steps=150, lr=0.05, rng=rng)
    >>> model.accuracy(source, target)[1]  # whole sequences right
    1.0
    """

    def __init__(self, cell: str, V: int, H: int, *, end: int, rng, **options) -> None:
        self.params = init_seq2seq(cell, V, H, rng=rng)
        self.cell, self.end, self.options = cell, _check_end(end, V), options
        self.optimizer: Adam | None = None

    def loss_and_grads(self, source, target, params: dict | None = None):
        """Teacher-forced mean cross-entropy and its gradients (:func:`seq2seq_loss`)."""
        params = self.params if params is None else params
        return seq2seq_loss(self.cell, source, target, params, end=self.end, **self.options)

    def decode(self, source, max_len: int, beam_width: int = 1, alpha: float = 0.0) -> np.ndarray:
        """The best answer of a beam search (:func:`beam_decode`); greedy at width 1."""
        result = beam_decode(
            self.cell,
            source,
            self.params,
            end=self.end,
            max_len=max_len,
            beam_width=beam_width,
            alpha=alpha,
            **self.options,
        )
        return result.tokens[:, 0]

    def accuracy(
        self, source, target, max_len: int | None = None, beam_width: int = 1, alpha: float = 0.0
    ) -> tuple[float, float]:
        """Per-symbol and whole-sequence accuracy of decoded answers (greedy by default).

        ``max_len`` is twice the target's length by default.
        """
        max_len = 2 * np.shape(target)[1] if max_len is None else max_len
        answers = self.decode(source, max_len, beam_width, alpha)
        return decoding_accuracy(answers, target, end=self.end)

    def fit(
        self, source, target, *, steps: int, rng, batch_size: int = 32, lr=1e-2, clip=1.0
    ) -> FitHistory:
        """Adam on random mini-batches, the gradient clipped to a global norm of ``clip``."""
        steps, batch_size = _check_int("steps", steps, 0), _check_int("batch_size", batch_size, 1)
        check_rng("rng", rng)
        source, target = _tokens("source", source, None), _tokens("target", target, None)
        check_batch("source", source)
        if source.ndim != 2 or target.ndim != 2 or source.shape[0] != target.shape[0]:
            raise ValueError(
                f"source has shape {source.shape} and target has shape {target.shape}; both "
                "must be 2-D (N, T) with the same number of sequences N"
            )
        if self.optimizer is None:
            self.optimizer = Adam(lr=lr)
        losses, norms = np.empty(steps), np.empty(steps)
        N = source.shape[0]
        for step in range(steps):
            idx = rng.choice(N, size=min(batch_size, N), replace=False)
            losses[step], grads = self.loss_and_grads(source[idx], target[idx])
            if clip is not None:  # the norm before clipping, computed once
                grads, norms[step] = clip_global_norm(grads, clip)
            else:
                norms[step] = global_norm(grads)
            self.optimizer.step(self.params, grads)
        return FitHistory(losses, norms)


def _logit_sizes(cache: Seq2SeqCache) -> Sizes:
    """The sizes ``dlogits`` must have: those of the logits ``seq2seq_forward`` returned."""
    N, T = cache.dense.h.shape[:2]
    V = cache.dense.params["W_hy"].shape[1]
    return Sizes(N=(N, "the cached target"), T=(T, "the cached target"), V=(V, 'params["W_hy"]'))
