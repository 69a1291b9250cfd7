"""The bidirectional chapter's model: a recurrent layer and a classifier at every step."""

from __future__ import annotations

import numbers

import numpy as np

from ..layers.bidirectional import (
    bidirectional_backward,
    bidirectional_forward,
    init_bidirectional,
    split_directions,
    sum_projections_backward,
    sum_projections_forward,
)
from ..layers.dense import dense_backward, dense_forward
from ..layers.sequence import layer_backward, layer_forward
from ..training.clipping import clip_global_norm
from ..training.losses import softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    ArgumentTypeError,
    as_float_array,
    check_batch,
    check_flag,
    check_int,
    check_rng,
    check_tokens,
)

__all__ = ["PositionClassifier"]


class PositionClassifier:
    r"""A recurrent layer, one- or two-directional, and a softmax classifier at every step.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    D, H, V : int
        Input size, hidden size per direction, number of classes.
    rng : numpy.random.Generator
    bidirectional : bool, default True
        Two directions merged by summed projections
        (:func:`sum_projections_forward`), or one left-to-right layer.

    Attributes
    ----------
    params : dict
        The forward layer's weights under ``fwd.`` keys, the backward layer's
        under ``bwd.`` keys (bidirectional only), and ``W_hy``, ``W_hy_bwd``
        (bidirectional only), ``b_y``. One flat dict, so that
        :class:`~rnn_tutorial.Adam` updates it.

    Notes
    -----
    With ``position=m`` the loss reads the scores of step ``m`` only; with
    ``position=None`` it averages over every step.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = PositionClassifier("gru", 3, 8, 4, rng=rng)
    >>> x = rng.normal(size=(5, 7, 3))
    >>> model.scores(x).shape
    (5, 7, 4)
    >>> loss, grads = model.loss_and_grads(x, np.array([0, 1, 2, 3, 0]), position=3)
    >>> sorted(grads) == sorted(model.params)
    True
    """

    def __init__(self, cell, D, H, V, *, rng, bidirectional=True, dtype=np.float64):
        check_rng("rng", rng)
        V = check_int("V", V)
        self.cell = cell
        self.bidirectional = check_flag("bidirectional", bidirectional)
        layers = init_bidirectional(cell, D, H, rng=rng, dtype=dtype)
        self.params = {f"fwd.{k}": v for k, v in layers[0].items()}
        scale = 1.0 / np.sqrt(H)
        self.params["W_hy"] = rng.normal(scale=scale, size=(H, V)).astype(dtype)
        if self.bidirectional:
            self.params.update({f"bwd.{k}": v for k, v in layers[1].items()})
            self.params["W_hy_bwd"] = rng.normal(scale=scale, size=(H, V)).astype(dtype)
        self.params["b_y"] = np.zeros(V, dtype=dtype)
        self.optimizer: Adam | None = None

    def _layer(self, prefix, params):
        return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}

    def _forward(self, x, params):
        if self.bidirectional:
            pair = (self._layer("fwd.", params), self._layer("bwd.", params))
            hs, _, cache = bidirectional_forward(self.cell, x, pair)
            hs_fwd, hs_bwd = split_directions(hs)
            o, out_cache = sum_projections_forward(hs_fwd, hs_bwd, params)
        else:
            hs, _, cache = layer_forward(self.cell, x, self._layer("fwd.", params))
            o, out_cache = dense_forward(hs, {k: params[k] for k in ("W_hy", "b_y")})
        return o, (cache, out_cache)

    def scores(self, x: np.ndarray) -> np.ndarray:
        """The scores at every step, shape (N, T, V)."""
        return self._forward(x, self.params)[0]

    @staticmethod
    def _at(scores, y, position):
        """The scores that ``y`` answers: those of one step, or of every step."""
        T = scores.shape[1]
        if position is not None:
            if not isinstance(position, numbers.Integral) or isinstance(position, bool):
                raise ArgumentTypeError(f"position must be None or an integer, got {position!r}")
            if not -T <= position < T:
                raise ValueError(
                    f"position must be None or a step in [0, T={T}), got {position!r}"
                )
            scores = scores[:, position]
        y = check_tokens("y", y, scores.shape[-1])
        if y.shape != scores.shape[:-1]:
            where = "of every step" if position is None else f"at position {position}"
            raise ValueError(
                f"y has shape {y.shape} but the answers {where} of x have shape "
                f"{scores.shape[:-1]}"
            )
        return scores, y

    def accuracy(self, x, y, position=None) -> float:
        """The fraction of right answers at ``position`` (or at every step when None)."""
        x = check_batch("x", as_float_array("x", x))  # the accuracy is a mean over the batch
        s, y = self._at(self.scores(x), y, position)
        return float(np.mean(s.argmax(-1) == y))

    def loss_and_grads(self, x, y, position=None, params=None):
        """The mean cross-entropy at ``position`` (every step when None) and its gradient."""
        params = self.params if params is None else params
        x = check_batch("x", as_float_array("x", x))  # the loss is a mean over the batch
        o, (cache, out_cache) = self._forward(x, params)
        scores, y = self._at(o, y, position)
        do = np.zeros_like(o)
        if position is None:
            loss, do = softmax_cross_entropy(scores, y, reduction="mean")
        else:  # only the answer at one step enters the loss
            loss, do[:, position] = softmax_cross_entropy(scores, y, reduction="mean")
        if self.bidirectional:
            dh_fwd, dh_bwd, grads = sum_projections_backward(do, out_cache)
            _, _, (g_fwd, g_bwd) = bidirectional_backward(
                np.concatenate([dh_fwd, dh_bwd], axis=-1), cache
            )
            grads.update({f"bwd.{k}": v for k, v in g_bwd.items()})
        else:
            dhs, grads = dense_backward(do, out_cache)
            _, _, g_fwd = layer_backward(dhs, cache)
        grads.update({f"fwd.{k}": v for k, v in g_fwd.items()})
        return float(loss), grads

    def fit(self, x, y, *, steps, rng, position=None, batch_size=64, lr=1e-2, clip=5.0):
        """Adam on random mini-batches, gradients clipped to a global norm; returns the losses."""
        steps, rng = check_int("steps", steps, low=0), check_rng("rng", rng)
        batch_size = check_int("batch_size", batch_size)
        x, y = check_batch("x", as_float_array("x", x)), check_tokens("y", y)
        if y.shape[:1] != x.shape[:1]:
            raise ValueError(f"y has shape {y.shape} but x has shape {x.shape}: N must agree")
        if self.optimizer is None:
            self.optimizer = Adam(lr=lr)
        self.optimizer.lr = Adam(lr=lr).lr  # checked like a new one
        losses = np.empty(steps)
        for step in range(steps):
            idx = rng.choice(len(x), size=min(batch_size, len(x)), replace=False)
            losses[step], grads = self.loss_and_grads(x[idx], y[idx], position)
            grads, _ = clip_global_norm(grads, clip)
            self.optimizer.step(self.params, grads)
        return losses
