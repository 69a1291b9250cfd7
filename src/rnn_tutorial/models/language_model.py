r"""A minibatched language model: embedding, one recurrent layer of any cell, dense, softmax.

A batch holds N streams of T tokens, ``inputs`` and ``targets`` of shape
(N, T), the targets being the inputs shifted by one token. Each token looks up
its row of an embedding table, one recurrent layer (:func:`layer_forward`, so
the RNN, the LSTM or the GRU) reads the rows, and a dense layer scores every
symbol of the vocabulary for the next token. The loss is the mean
cross-entropy per token, whose exponential is the perplexity.

How a corpus is cut into such batches (sequential or random partitioning) is
the business of :mod:`rnn_tutorial.data.streams`; :meth:`LanguageModel.fit`
takes the batches it produces.
"""

from __future__ import annotations

import numbers
from typing import NamedTuple

import numpy as np

from ..cells.activations import softmax
from ..layers.dense import DenseCache, dense_backward, dense_forward
from ..layers.embedding import EmbeddingCache, embedding_backward, embedding_forward
from ..layers.sequence import LayerCache, _check_cell, init_layer, layer_backward, layer_forward
from ..params import init_dense, init_embedding
from ..training.clipping import clip_global_norm
from ..training.losses import softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    as_float_array,
    check_batch,
    check_cache,
    check_flag,
    check_input,
    check_int,
    check_positive,
    check_rng,
    check_steps,
    check_tokens,
    param_sizes,
)
from .seq2seq import _SPECS, _logit_sizes

__all__ = [
    "LMCache",
    "LanguageModel",
    "init_language_model",
    "lm_backward",
    "lm_forward",
    "lm_loss",
]

_OWN_KEYS = ("W_embed", "W_hy", "b_y")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _layer_params(params: dict) -> dict:
    """The recurrent layer's weights: everything but the embedding and the output layer."""
    return {key: value for key, value in params.items() if key not in _OWN_KEYS}


def _check_lm(params: dict, tokens, cell: str, name: str = "tokens") -> np.ndarray:
    """Check the weights (finite, one V, D and H) and return ``tokens`` as (N, T) ids in [0, V)."""
    layer = _SPECS[_check_cell(cell)]
    spec = {"W_embed": ("V", "D"), **layer, "W_hy": ("H", "V"), "b_y": ("V",)}
    V = param_sizes(params, spec).value("V")
    return check_steps(name, check_tokens(name, tokens, V, ndim=2))


def init_language_model(
    V: int, D: int, H: int, *, cell: str = "lstm", rng: np.random.Generator, dtype=np.float64
) -> dict:
    r"""Weights of a language model: embedding table, one recurrent layer, output layer.

    Parameters
    ----------
    V, D, H : int
        Vocabulary size, embedding size and hidden size.
    cell : {"rnn", "lstm", "gru"}, default "lstm"
    rng : numpy.random.Generator
    dtype : numpy dtype, default float64

    Returns
    -------
    dict
        ``W_embed`` (V, D) from :func:`init_embedding`, the layer's weights
        from :func:`init_layer`, and ``W_hy`` (H, V), ``b_y`` (V,) from
        :func:`init_dense`.

    Examples
    --------
    >>> params = init_language_model(10, 4, 8, cell="gru", rng=np.random.default_rng(0))
    >>> {key: value.shape for key, value in params.items()}  # doctest: +NORMALIZE_WHITESPACE
    {'W_embed': (10, 4), 'W_x': (4, 24), 'W_h': (8, 24), 'b_x': (24,), 'b_h': (24,),
     'W_hy': (8, 10), 'b_y': (10,)}
    """
    _check_cell(cell)
    params = init_embedding(V, D, rng=rng, dtype=dtype)
    params.update(init_layer(cell, D, H, rng=rng, dtype=dtype))
    params.update(init_dense(H, V, rng=rng, dtype=dtype))
    return params


class LMCache(NamedTuple):
    """What :func:`lm_backward` needs from :func:`lm_forward`."""

    embedding: EmbeddingCache
    layer: LayerCache
    dense: DenseCache


def lm_forward(params: dict, tokens, state0=None, *, cell: str = "lstm"):
    r"""Scores for the next token after every token of a batch.

    Parameters
    ----------
    params : dict
        From :func:`init_language_model`.
    tokens : ndarray of int, shape (N, T)
        Token ids in ``[0, V)``.
    state0 : tuple of ndarray, optional
        The layer's initial state, ``(h0,)`` or ``(h0, c0)``, each (N, H);
        zeros when omitted.
    cell : {"rnn", "lstm", "gru"}, default "lstm"

    Returns
    -------
    logits : ndarray, shape (N, T, V)
    state : tuple of ndarray
        The state after the last token, to start the next chunk from.
    cache : LMCache

    Notes
    -----
    .. math::

        x_t = W_\text{embed}[w_t], \qquad
        h_t = \text{cell}(x_t, h_{t-1}), \qquad
        y_t = h_t W_{hy} + b_y

    Examples
    --------
    >>> params = init_language_model(10, 4, 8, rng=np.random.default_rng(0))
    >>> logits, (h, c), cache = lm_forward(params, np.array([[1, 2, 3]]))
    >>> logits.shape, h.shape
    ((1, 3, 10), (1, 8))
    """
    return _lm_forward(params, _check_lm(params, tokens, cell), state0, cell)


def _lm_forward(params: dict, tokens: np.ndarray, state0, cell: str):
    """:func:`lm_forward` for weights and tokens already checked."""
    x, embedding_cache = embedding_forward(tokens, params["W_embed"])
    hs, state, layer_cache = layer_forward(cell, x, _layer_params(params), state0)
    logits, dense_cache = dense_forward(hs, params)
    return logits, state, LMCache(embedding_cache, layer_cache, dense_cache)


def lm_backward(dlogits: np.ndarray, cache: LMCache) -> dict:
    r"""Gradients of every weight of the language model; :func:`lm_forward` in reverse.

    The initial state is treated as a constant (its gradient is dropped):
    training carries it over from the previous chunk without differentiating
    through it, which is truncated backpropagation through time.

    Parameters
    ----------
    dlogits : ndarray, shape (N, T, V)
    cache : LMCache

    Returns
    -------
    grads : dict
        The keys of the params.

    Examples
    --------
    >>> params = init_language_model(10, 4, 8, rng=np.random.default_rng(0))
    >>> logits, state, cache = lm_forward(params, np.array([[1, 2, 3]]))
    >>> grads = lm_backward(np.ones_like(logits), cache)
    >>> sorted(grads) == sorted(params)
    True
    """
    check_cache("cache", cache, LMCache, "lm_forward")
    dlogits = check_input("dlogits", dlogits, ("N", "T", "V"), _logit_sizes(cache))
    return _lm_backward(dlogits, cache)


def _lm_backward(dlogits: np.ndarray, cache: LMCache) -> dict:
    """:func:`lm_backward` for a gradient already checked against the cache."""
    dhs, dense_grads = dense_backward(dlogits, cache.dense)
    dx, _, layer_grads = layer_backward(dhs, cache.layer)
    dW_embed = embedding_backward(dx, cache.embedding)
    return {"W_embed": dW_embed, **layer_grads, **dense_grads}


def lm_loss(params: dict, inputs, targets, state0=None, *, cell: str = "lstm", mask=None):
    r"""Mean cross-entropy per token of a batch, its gradients and the final state.

    Parameters
    ----------
    params : dict
        From :func:`init_language_model`.
    inputs, targets : ndarray of int, shape (N, T)
        The tokens read and the tokens to predict (the inputs shifted by one).
    state0 : tuple of ndarray, optional
        The initial state; zeros when omitted.
    cell : {"rnn", "lstm", "gru"}, default "lstm"
    mask : ndarray of bool, shape (N, T), optional
        ``True`` at the positions that count; the mean is over those.

    Returns
    -------
    loss : float
        :math:`\bar L`, in nats per token; :math:`\exp \bar L` is the perplexity.
    grads : dict
        :math:`\partial \bar L / \partial \theta` for every key of ``params``.
    state : tuple of ndarray
        The state after the last input.

    Notes
    -----
    Over the M counted positions,

    .. math::

        \bar L = -\frac{1}{M} \sum_{n,t} \log p_{n,t}(w_{n,t+1}),
        \qquad \text{PPL} = \exp \bar L

    Examples
    --------
    An untrained model with zero output weights guesses uniformly: its
    perplexity is exactly V.

    >>> params = init_language_model(10, 4, 8, rng=np.random.default_rng(0))
    >>> params["W_hy"][:] = 0
    >>> loss, grads, state = lm_loss(params, np.array([[1, 2]]), np.array([[2, 3]]))
    >>> float(np.exp(loss))
    10.0
    """
    check_batch("inputs", np.asarray(inputs))  # the loss is a mean over the batch
    inputs = _check_lm(params, inputs, cell, "inputs")
    logits, state, cache = _lm_forward(params, inputs, state0, cell)
    targets = check_tokens("targets", targets)
    if targets.shape != logits.shape[:2]:
        raise ValueError(
            f"targets has shape {targets.shape} but inputs has shape {logits.shape[:2]}; "
            "they must have the same shape (N, T)"
        )
    loss, dlogits = softmax_cross_entropy(logits, targets, reduction="mean", mask=mask)
    return loss, _lm_backward(dlogits, cache), state


class LanguageModel:
    """A language model over token ids, trained on minibatches of N streams with Adam.

    Parameters
    ----------
    V, D, H : int
        Vocabulary size, embedding size and hidden size.
    cell : {"rnn", "lstm", "gru"}, default "lstm"
    rng : numpy.random.Generator
        Draws the initial weights.
    lr : float, default 0.01
        Adam's learning rate.
    dtype : numpy dtype, default float32
        float32 is about twice as fast as float64 here and precise enough
        for training; gradient checks use float64.

    Attributes
    ----------
    params : dict
        From :func:`init_language_model`.
    optimizer : Adam
        Its moments carry over from one :meth:`fit` to the next.

    Examples
    --------
    >>> data = np.tile(np.arange(5), 40)  # 0 1 2 3 4 0 1 2 ...
    >>> X = data[:195].reshape(3, 13, 5).transpose(1, 0, 2)  # 13 batches of 3 streams
    >>> Y = data[1:196].reshape(3, 13, 5).transpose(1, 0, 2)
    >>> model = LanguageModel(5, 4, 8, rng=np.random.default_rng(0), lr=0.05)
    >>> losses = np.concatenate([model.fit(X, Y) for _ in range(10)])
    >>> bool(losses[-1] < 0.1 < np.log(5) < losses[0] + 0.1)
    True
    >>> model.sample([0], 6, rng=np.random.default_rng(0)).tolist()
    [1, 2, 3, 4, 0, 1]
    """

    def __init__(
        self,
        V: int,
        D: int,
        H: int,
        *,
        cell: str = "lstm",
        rng: np.random.Generator,
        lr: float = 0.01,
        dtype=np.float32,
    ):
        self.cell = _check_cell(cell)
        self.params = init_language_model(V, D, H, cell=cell, rng=rng, dtype=dtype)
        self.optimizer = Adam(lr=lr)

    @property
    def V(self) -> int:
        return self.params["W_embed"].shape[0]

    def _check_batches(self, X, Y) -> tuple[np.ndarray, np.ndarray]:
        X = check_tokens("X", X, self.V)
        Y = check_tokens("Y", Y, self.V)
        if X.ndim != 3 or X.shape != Y.shape or X.shape[0] == 0:
            raise ValueError(
                f"X and Y must be batches of the same shape (K, N, T) with K >= 1, "
                f"got shapes {X.shape} and {Y.shape}"
            )
        return X, Y

    def fit(self, X, Y, *, carry_state: bool = True, clip: float = 1.0, lr=None) -> np.ndarray:
        """One pass over the batches ``(X[k], Y[k])``: one Adam update for each.

        Parameters
        ----------
        X, Y : ndarray of int, shape (K, N, T)
            K batches of inputs and targets, e.g. from
            :func:`~rnn_tutorial.sequential_partition` or
            :func:`~rnn_tutorial.random_partition`.
        carry_state : bool, default True
            Start each batch from the state the previous one ended in (for
            sequential partitioning, where stream n of batch k + 1 continues
            stream n of batch k); False starts every batch from zeros (for
            random partitioning).
        clip : float, default 1.0
            The largest global gradient norm (:func:`~rnn_tutorial.clip_global_norm`).
        lr : array_like of float, shape (K,), optional
            Adam's learning rate for each batch, e.g. a schedule that decays
            over training; the optimiser keeps the last one. None keeps the
            optimiser's rate for every batch.

        Returns
        -------
        ndarray, shape (K,)
            The mean loss per token of every batch, before its update.

        Examples
        --------
        A rate that falls linearly over four batches:

        >>> data = np.tile(np.arange(5), 40)
        >>> X, Y = data[:160].reshape(4, 2, 20), data[1:161].reshape(4, 2, 20)
        >>> model = LanguageModel(5, 4, 8, rng=np.random.default_rng(0))
        >>> losses = model.fit(X, Y, lr=0.05 * (1 - np.arange(4) / 4))
        >>> losses.shape, model.optimizer.lr
        ((4,), 0.0125)
        """
        X, Y = self._check_batches(X, Y)
        check_flag("carry_state", carry_state)
        check_positive("clip", clip)
        return self._fit(X, Y, carry_state, clip, self._check_rates(lr, len(X)))

    def _check_rates(self, lr, K: int) -> np.ndarray:
        """fit's ``lr`` as K positive rates; the optimiser's own rate K times when None."""
        if lr is None:
            return np.full(K, self.optimizer.lr)
        rates = as_float_array("lr", lr)
        if rates.shape != (K,) or not np.all(rates > 0):
            raise ValueError(
                f"lr must hold one positive learning rate per batch, shape ({K},), "
                f"got shape {rates.shape}" + (f" with minimum {rates.min()}" if rates.size else "")
            )
        return rates

    def _fit(self, X, Y, carry_state, clip, lr):
        losses = np.empty(len(X))
        state = None  # zeros
        for k, (inputs, targets) in enumerate(zip(X, Y, strict=True)):
            if not carry_state:
                state = None
            losses[k], grads, state = lm_loss(self.params, inputs, targets, state, cell=self.cell)
            grads, _ = clip_global_norm(grads, clip)
            self.optimizer.lr = float(lr[k])
            self.optimizer.step(self.params, grads)
        return losses

    def mean_loss(self, X, Y) -> float:
        """The mean cross-entropy per token over batches, the state carried through them.

        :math:`\\exp` of it is the perplexity. Nothing is updated.

        Parameters
        ----------
        X, Y : ndarray of int, shape (K, N, T)

        Returns
        -------
        float
            In nats per token.
        """
        X, Y = self._check_batches(X, Y)
        total, state = 0.0, None
        for inputs, targets in zip(X, Y, strict=True):
            logits, state, _ = lm_forward(self.params, inputs, state, cell=self.cell)
            loss, _ = softmax_cross_entropy(logits, targets, reduction="sum")
            total += loss
        return total / X.size

    def _check_sample(self, seed, n, temperature, rng) -> np.ndarray:
        """sample's arguments checked; returns ``seed`` as a 1-D array of ids."""
        seed = check_tokens("seed", seed, self.V, ndim=1)
        if seed.size == 0:
            raise ValueError(f"seed must hold at least one token id, got shape {seed.shape}")
        check_int("n", n, low=0), check_positive("temperature", temperature), check_rng("rng", rng)
        return seed

    def sample(self, seed, n: int, *, temperature: float = 1.0, rng) -> np.ndarray:
        """Draw ``n`` tokens after the tokens of ``seed``, one at a time.

        Parameters
        ----------
        seed : sequence of int
            At least one token id; the model reads them first.
        n : int
            How many tokens to draw.
        temperature : float, default 1.0
            The scores are divided by it before the softmax.
        rng : numpy.random.Generator

        Returns
        -------
        ndarray of int, shape (n,)
        """
        seed = self._check_sample(seed, n, temperature, rng)
        logits, state, _ = lm_forward(self.params, seed[None], cell=self.cell)
        out = np.empty(n, dtype=np.intp)
        for i in range(n):
            p = softmax(logits[0, -1].astype(np.float64) / temperature)
            out[i] = rng.choice(self.V, p=p)
            logits, state, _ = lm_forward(self.params, out[None, i : i + 1], state, cell=self.cell)
        return out
