"""The deep-RNN and dropout chapters' model: a stack of recurrent layers and a dense classifier."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..layers.dense import dense_backward, dense_forward
from ..layers.sequence import _check_cell
from ..layers.stacked import init_stack, stack_backward, stack_forward
from ..params import init_dense
from ..training.clipping import clip_global_norm
from ..training.losses import softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    as_float_array,
    check_batch,
    check_flag,
    check_int,
    check_mapping,
    check_positive,
    check_probability,
    check_rng,
    check_tokens,
)

__all__ = ["StackFitHistory", "StackedClassifier"]


class StackFitHistory(NamedTuple):
    """What :meth:`StackedClassifier.fit` records: mini-batch losses and evaluation curves."""

    batch_loss: np.ndarray
    """(steps,): the training-mode loss of each mini-batch, before its update."""
    steps: np.ndarray
    """(K,): the update counts at which both sets were evaluated (0 = before training)."""
    train_loss: np.ndarray
    """(K,): the evaluation-mode loss on the whole training set."""
    val_loss: np.ndarray
    """(K,): the evaluation-mode loss on the validation set."""


class StackedClassifier:
    r"""A stack of recurrent layers with a dense layer reading the top layer's final state.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
    D, H, V : int
        Input size, hidden size of every layer, number of classes.
    num_layers : int
    rng : numpy.random.Generator
        Draws the initial weights.
    dropout, variational, recurrent_dropout
        The dropout of :func:`stack_forward`, used in training mode only.
    **options
        ``activation`` for the RNN, ``form`` for the GRU.

    Attributes
    ----------
    params : dict
        Layer ``l``'s weights under ``"l<l>.<name>"`` (``"l0.W_x"`` …), then
        the output layer's ``W_hy`` (H, V) and ``b_y`` (V,): one flat dict, so
        that :class:`~rnn_tutorial.Adam` and :func:`~rnn_tutorial.grad_check`
        loop over its keys.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = StackedClassifier("lstm", 3, 8, 2, num_layers=2, dropout=0.3, rng=rng)
    >>> x = rng.normal(size=(5, 7, 3))
    >>> loss, grads = model.loss_and_grads(x, np.array([0, 1, 1, 0, 1]), train=True, rng=rng)
    >>> sorted(grads)[:4], model.predict(x).shape
    (['W_hy', 'b_y', 'l0.W_h', 'l0.W_x'], (5,))
    """

    def __init__(
        self,
        cell: str,
        D: int,
        H: int,
        V: int,
        *,
        num_layers: int,
        rng: np.random.Generator,
        dropout: float = 0.0,
        variational: bool = False,
        recurrent_dropout: float = 0.0,
        **options,
    ) -> None:
        self.cell = _check_cell(cell)
        self.num_layers = num_layers
        self.dropout = {
            "dropout": check_probability("dropout", dropout),
            "variational": check_flag("variational", variational),
            "recurrent_dropout": check_probability("recurrent_dropout", recurrent_dropout),
        }
        self.options = options
        layers = init_stack(cell, D, H, num_layers, rng=rng)
        self.params = {f"l{i}.{k}": v for i, layer in enumerate(layers) for k, v in layer.items()}
        self.params |= init_dense(H, V, rng=rng)
        self.optimizer: Adam | None = None

    def layers(self, params: dict | None = None) -> list[dict]:
        """The stack's weights as :func:`stack_forward` takes them, one dict per layer."""
        params = self.params if params is None else check_mapping("params", params)
        return [
            {k.split(".", 1)[1]: v for k, v in params.items() if k.startswith(f"l{i}.")}
            for i in range(self.num_layers)
        ]

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The logits in evaluation mode (no dropout), (N, V)."""
        hs, _, _ = stack_forward(self.cell, x, self.layers(), train=False, **self.options)
        return dense_forward(hs[:, -1], self.params)[0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable class of each sequence, (N,)."""
        return self.outputs(x).argmax(axis=-1)

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """The fraction of sequences :meth:`predict` gets right."""
        x, y = _check_xy(x, y, self.params["b_y"].shape[0])
        return float(np.mean(self.predict(x) == y))

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The mean cross-entropy in evaluation mode."""
        x, y = _check_xy(x, y, self.params["b_y"].shape[0])
        return softmax_cross_entropy(self.outputs(x), y, reduction="mean")[0]

    def loss_and_grads(self, x, y, *, train: bool, rng=None, params: dict | None = None):
        """The mean cross-entropy on a batch and its gradient for every key of :attr:`params`.

        In training mode (``train=True``) the stack's dropout masks are drawn
        with ``rng``; in evaluation mode there is no dropout.
        """
        params = self.params if params is None else params
        x, y = _check_xy(x, y, self.params["b_y"].shape[0])
        dropout = self.dropout if check_flag("train", train) else {}
        hs, _, cache = stack_forward(
            self.cell, x, self.layers(params), train=train, rng=rng, **dropout, **self.options
        )
        scores, dense_cache = dense_forward(hs[:, -1], params)
        loss, dscores = softmax_cross_entropy(scores, y, reduction="mean")
        dtop, grads = dense_backward(dscores, dense_cache)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = dtop  # only the top layer's final state feeds the output layer
        _, _, layer_grads = stack_backward(dhs, cache)
        for i, layer in enumerate(layer_grads):
            grads |= {f"l{i}.{k}": v for k, v in layer.items()}
        return loss, grads

    def fit(
        self,
        x,
        y,
        *,
        steps: int,
        rng: np.random.Generator,
        x_val=None,
        y_val=None,
        eval_every: int = 10,
        batch_size: int = 32,
        lr: float = 1e-2,
        clip: float | None = 1.0,
        keep_best: bool = False,
    ) -> StackFitHistory:
        """Train with Adam on mini-batches in training mode, evaluating both sets as it goes.

        Every ``eval_every`` updates (and before the first) the loss on the
        whole training set and on ``(x_val, y_val)`` is measured in
        evaluation mode, so the two curves compare like with like.

        With ``keep_best=True`` (early stopping) the weights of the evaluation
        with the lowest validation loss are kept: training runs all ``steps``
        updates, and at the end :attr:`params` are set back to those weights,
        the model at ``history.steps[history.val_loss.argmin()]``.
        """
        x, y = _check_xy(x, y, self.params["b_y"].shape[0])
        steps, rng = check_int("steps", steps, low=0), check_rng("rng", rng)
        eval_every, batch_size = (
            check_int("eval_every", eval_every),
            check_int("batch_size", batch_size),
        )
        if clip is not None:
            check_positive("clip", clip)
        if keep_best and x_val is None:
            raise ValueError("keep_best=True needs a validation set: pass x_val and y_val")
        if self.optimizer is None:
            self.optimizer = Adam(lr=lr)
        N = len(x)
        has_val = x_val is not None
        batch_loss, marks, train_curve, val_curve = np.empty(steps), [], [], []
        best = {}  # the weights at the lowest validation loss so far

        def evaluate(step):
            marks.append(step)
            train_curve.append(self.loss(x, y))
            val_curve.append(self.loss(x_val, y_val) if has_val else np.nan)
            if keep_best and val_curve[-1] <= min(val_curve):
                best.update({key: value.copy() for key, value in self.params.items()})

        evaluate(0)
        for step in range(steps):
            idx = rng.choice(N, size=min(batch_size, N), replace=False)
            loss, grads = self.loss_and_grads(x[idx], y[idx], train=True, rng=rng)
            if clip is not None:
                grads, _ = clip_global_norm(grads, clip)
            self.optimizer.step(self.params, grads)
            batch_loss[step] = loss
            if (step + 1) % eval_every == 0:
                evaluate(step + 1)
        if keep_best:
            for key, value in best.items():  # in place: the optimiser's state stays valid
                self.params[key][...] = value
        return StackFitHistory(
            batch_loss, np.array(marks), np.array(train_curve), np.array(val_curve)
        )


def _check_xy(x, y, V: int) -> tuple[np.ndarray, np.ndarray]:
    """``x`` (N, T, D) with N >= 1 (the loss is a mean) and classes ``y`` (N,) in [0, V)."""
    x = as_float_array("x", x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
    y = check_tokens("y", y, V)
    if y.shape != x.shape[:1]:
        raise ValueError(f"y has shape {y.shape} but x has shape {x.shape}, so y must be (N,)")
    return check_batch("x", x), y
