r"""One sequence model for all three cells, and a training loop with Adam.

:class:`SequenceModel` puts a dense layer on top of a vanilla RNN, an LSTM or
a GRU layer. With ``output="last"`` it reads only the final state, a
many-to-one model that answers once per sequence; with ``output="all"`` it
answers at every step. The loss is softmax cross-entropy against class
indices or the mean squared error against real values. Forward and backward
are the package's own functions, chosen by the cell's name:

=========  =============================================  =================================
cell       forward                                        backward
=========  =============================================  =================================
``rnn``    :func:`~rnn_tutorial.rnn_forward`              :func:`~rnn_tutorial.rnn_backward`
``lstm``   :func:`~rnn_tutorial.lstm_forward`             :func:`~rnn_tutorial.lstm_backward`
``gru``    :func:`~rnn_tutorial.gru_forward`              :func:`~rnn_tutorial.gru_backward`
=========  =============================================  =================================

so the three models of an experiment differ in nothing but the cell.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from ..cells.gru import gru_backward, gru_forward
from ..cells.lstm import lstm_backward, lstm_forward
from ..cells.rnn import rnn_backward, rnn_forward
from ..layers.dense import dense_backward, dense_forward
from ..params import init_dense, init_gru, init_lstm, init_rnn
from ..training.clipping import clip_global_norm, global_norm
from ..training.losses import mse, softmax_cross_entropy
from ..training.optim import Adam
from ..validation import (
    as_float_array,
    check_batch,
    check_int,
    check_mapping,
    check_positive,
    check_real,
    check_rng,
    check_tokens,
)

__all__ = ["FitHistory", "SequenceModel"]

CELLS = ("rnn", "lstm", "gru")
LOSSES = ("cross_entropy", "mse")
OUTPUTS = ("last", "all")
STOP_WINDOW = 10  # updates averaged by fit's stop_below


def _choice(name: str, value, allowed: tuple[str, ...]) -> str:
    if not (isinstance(value, str) and value in allowed):
        options = ", ".join(f'"{a}"' for a in allowed)
        raise ValueError(f"{name} must be one of {options}, got {value!r}")
    return value


def _classes(y) -> np.ndarray:
    """``y`` as integer class indices, or a ValueError naming it."""
    y = np.asarray(y)
    if y.size and y.dtype.kind not in "iu":
        raise ValueError(
            f"y must hold integer classes for a cross-entropy model, got dtype {y.dtype}"
        )
    return y


class FitHistory(NamedTuple):
    """What :meth:`SequenceModel.fit` records at every update."""

    loss: np.ndarray
    """(steps,): the mini-batch loss before each update."""
    grad_norm: np.ndarray
    """(steps,): the global norm of the gradient before clipping."""


class SequenceModel:
    r"""A recurrent layer (RNN, LSTM or GRU) with a dense output layer, and its training.

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        The recurrent layer: tanh RNN, LSTM (gates i, f, g, o) or GRU (r, z, n).
    D, H, V : int
        Input size, hidden size and output size (classes, or real outputs).
    rng : numpy.random.Generator
        Draws the initial weights (:func:`~rnn_tutorial.init_rnn`,
        :func:`~rnn_tutorial.init_lstm`, :func:`~rnn_tutorial.init_gru`,
        :func:`~rnn_tutorial.init_dense`).
    loss : {"cross_entropy", "mse"}, default "cross_entropy"
        Softmax cross-entropy against integer classes, or mean squared error
        against real targets; both averaged over the examples (and steps).
    output : {"last", "all"}, default "last"
        Answer from the final state only (many-to-one) or at every step.
    form : {"reset_after", "textbook"}, default "reset_after"
        The GRU's form (see :func:`~rnn_tutorial.gru_step_forward`); ignored
        by the other cells.
    forget_bias : float, default 1.0
        The LSTM's initial forget-gate bias; ignored by the other cells.
    dtype : numpy dtype, default float64

    Attributes
    ----------
    params : dict
        The layer's weights (``W_xh``, ``W_hh``, ``b_h`` for the RNN; ``W_x``,
        ``W_h``, ``b`` for the LSTM; ``W_x``, ``W_h``, ``b_x``, ``b_h`` for the
        GRU) and the output layer's ``W_hy`` (H, V) and ``b_y`` (V,).
    optimizer : Adam or None
        Created by the first :meth:`fit`; its moments carry over to later calls.

    Notes
    -----
    With ``output="last"`` and states :math:`h_1, \dots, h_T`,

    .. math::

        \hat y = h_T W_{hy} + b_y, \qquad
        L = \frac{1}{N} \sum_{n} \ell(\hat y_n, y_n)

    and the gradient enters backpropagation through time at the last step
    only: :math:`\partial L/\partial h_t = 0` from above for :math:`t < T`.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> model = SequenceModel("gru", D=3, H=8, V=2, rng=rng)
    >>> x = rng.normal(size=(5, 7, 3))
    >>> model.outputs(x).shape, model.predict(x).shape
    ((5, 2), (5,))
    >>> loss, grads = model.loss_and_grads(x, np.array([0, 1, 1, 0, 1]))
    >>> sorted(grads)
    ['W_h', 'W_hy', 'W_x', 'b_h', 'b_x', 'b_y']
    """

    def __init__(
        self,
        cell: str,
        D: int,
        H: int,
        V: int,
        *,
        rng: np.random.Generator,
        loss: str = "cross_entropy",
        output: str = "last",
        form: str = "reset_after",
        forget_bias: float = 1.0,
        dtype=np.float64,
    ) -> None:
        self.cell = _choice("cell", cell, CELLS)
        self.loss_name = _choice("loss", loss, LOSSES)
        self.output = _choice("output", output, OUTPUTS)
        self.form = _choice("form", form, ("reset_after", "textbook"))
        check_rng("rng", rng)
        if cell == "rnn":
            layer = init_rnn(D, H, rng=rng, dtype=dtype)
        elif cell == "lstm":
            layer = init_lstm(D, H, rng=rng, forget_bias=forget_bias, dtype=dtype)
        else:
            layer = init_gru(D, H, rng=rng, dtype=dtype)
        self.params = {**layer, **init_dense(H, V, rng=rng, dtype=dtype)}
        self.optimizer: Adam | None = None

    def __repr__(self) -> str:
        D, H, V = self.sizes
        return (
            f"SequenceModel({self.cell!r}, D={D}, H={H}, V={V}, loss={self.loss_name!r}, "
            f"output={self.output!r})"
        )

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(D, H, V)``, read off the weights."""
        H, V = self.params["W_hy"].shape
        D = self.params["W_xh" if self.cell == "rnn" else "W_x"].shape[0]
        return D, H, V

    # ------------------------------------------------------------------ forward and backward

    def states(self, x: np.ndarray, params: dict | None = None):
        """Run the recurrent layer from zero states.

        Parameters
        ----------
        x : ndarray, shape (N, T, D)
        params : dict, optional
            Weights to use instead of :attr:`params` (for gradient checking).

        Returns
        -------
        hs : ndarray, shape (N, T, H)
            The hidden state after every step.
        cache
            The cache of the cell's forward function.
        """
        params = self.params if params is None else check_mapping("params", params)
        x = as_float_array("x", x)
        if x.ndim != 3:
            raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
        _, H, _ = self.sizes
        h0 = np.zeros((x.shape[0], H), dtype=np.result_type(x, params["W_hy"]))
        if self.cell == "rnn":
            return rnn_forward(x, h0, params)
        if self.cell == "lstm":
            hs, _, cache = lstm_forward(x, h0, h0, params)
            return hs, cache
        return gru_forward(x, h0, params, form=self.form)

    def _layer_backward(self, dhs: np.ndarray, cache) -> tuple[np.ndarray, dict]:
        """``dx`` and the layer's weight gradients, through the cell's own backward."""
        if self.cell == "rnn":
            dx, _, grads = rnn_backward(dhs, cache)
        elif self.cell == "lstm":
            dx, _, _, grads = lstm_backward(dhs, cache)
        else:
            dx, _, grads = gru_backward(dhs, cache)
        return dx, grads

    def outputs(self, x: np.ndarray) -> np.ndarray:
        """The output layer's values: logits for cross-entropy, predictions for MSE.

        Returns
        -------
        ndarray, shape (N, V), or (N, T, V) with ``output="all"``
        """
        hs, _ = self.states(x)
        top = hs[:, -1] if self.output == "last" else hs
        return dense_forward(top, self.params)[0]

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The most probable class (cross-entropy) or the predicted values (MSE).

        Returns
        -------
        ndarray
            ``(N,)`` or ``(N, T)`` class indices, or the array of :meth:`outputs`.
        """
        scores = self.outputs(x)
        return scores.argmax(axis=-1) if self.loss_name == "cross_entropy" else scores

    def accuracy(self, x: np.ndarray, y: np.ndarray) -> float:
        """The fraction of answers :meth:`predict` gets right (cross-entropy models only).

        Examples
        --------
        >>> model = SequenceModel("rnn", 2, 4, 3, rng=np.random.default_rng(0))
        >>> model.params["W_hy"][:] = 0.0
        >>> model.params["b_y"][:] = [0.0, 1.0, 0.0]  # always answers class 1
        >>> model.accuracy(np.zeros((4, 5, 2)), np.array([1, 1, 0, 2]))
        0.5
        """
        if self.loss_name != "cross_entropy":
            raise ValueError('accuracy needs a classifier: this model has loss="mse"')
        x, y = self._check_xy(x, y)
        return float(np.mean(self.predict(x) == y))

    def loss_and_grads(self, x: np.ndarray, y: np.ndarray, params: dict | None = None):
        r"""The loss on a batch and its gradient for every weight.

        Parameters
        ----------
        x : ndarray, shape (N, T, D)
        y : ndarray
            Cross-entropy: integer classes ``(N,)``, or ``(N, T)`` with
            ``output="all"``. MSE: real targets ``(N, V)`` or ``(N, T, V)``.
        params : dict, optional
            Weights to use instead of :attr:`params`; pass the dict that
            :func:`~rnn_tutorial.grad_check` perturbs.

        Returns
        -------
        loss : float
            Averaged over the batch (and the steps, with ``output="all"``).
        grads : dict
            :math:`\partial L/\partial \theta` for every key of the weights.

        Notes
        -----
        Forward through the layer and the dense layer, then backward in
        reverse. With ``output="last"`` only the final state receives a
        gradient from above; the cell's backward function carries it to the
        earlier steps.
        """
        x, y = self._check_xy(x, y)
        loss, _, grads = self._forward_backward(x, y, params)
        return loss, grads

    def _check_xy(self, x, y) -> tuple[np.ndarray, np.ndarray]:
        """``x`` (N, T, D) with N >= 1 (the loss is a mean) and ``y`` of the matching shape."""
        x = as_float_array("x", x)
        if x.ndim != 3:
            raise ValueError(f"x must be 3-D (N, T, D) but has shape {x.shape}")
        check_batch("x", x)
        _, _, V = self.sizes
        shape = (x.shape[0],) if self.output == "last" else x.shape[:2]
        if self.loss_name == "cross_entropy":
            y = check_tokens("y", y, V)
        else:
            y, shape = as_float_array("y", y), (*shape, V)
        if y.shape != shape:
            raise ValueError(
                f"y has shape {y.shape} but x has shape {x.shape} (N={x.shape[0]}), "
                f"so y must be {shape}"
            )
        return x, y

    def input_gradients(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        r"""The gradient of the loss with respect to every input, :math:`\partial L/\partial x_t`.

        Parameters
        ----------
        x, y : ndarray
            As for :meth:`loss_and_grads`.

        Returns
        -------
        ndarray, shape (N, T, D)
            How strongly the loss responds to each step's input. For a
            many-to-one model its size at early steps is what reaches back
            through the recurrence, the quantity that vanishes in a vanilla
            RNN.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> model = SequenceModel("lstm", 2, 4, 1, rng=rng, loss="mse")
        >>> x, y = rng.normal(size=(3, 6, 2)), rng.normal(size=(3, 1))
        >>> model.input_gradients(x, y).shape
        (3, 6, 2)
        """
        x, y = self._check_xy(x, y)
        return self._forward_backward(x, y, self.params)[1]

    def _forward_backward(self, x, y, params):
        """Loss, ``dx`` and weight gradients: forward through both layers, then backward."""
        params = self.params if params is None else params
        hs, cache = self.states(x, params)
        top = hs[:, -1] if self.output == "last" else hs
        scores, dense_cache = dense_forward(top, params)
        if self.loss_name == "cross_entropy":
            targets = _classes(y)
            loss, dscores = softmax_cross_entropy(scores, targets, reduction="mean")
        else:
            loss, dscores = mse(scores, y, reduction="mean")
        dtop, dense_grads = dense_backward(dscores, dense_cache)
        if self.output == "last":
            dhs = np.zeros_like(hs)
            dhs[:, -1] = dtop  # only the final state feeds the output layer
        else:
            dhs = dtop
        dx, layer_grads = self._layer_backward(dhs, cache)
        return loss, dx, {**layer_grads, **dense_grads}

    def loss(self, x: np.ndarray, y: np.ndarray) -> float:
        """The loss alone, as :meth:`loss_and_grads` computes it, without the backward pass."""
        x, y = self._check_xy(x, y)
        scores = self.outputs(x)
        if self.loss_name == "cross_entropy":
            return softmax_cross_entropy(scores, _classes(y), reduction="mean")[0]
        return mse(scores, y, reduction="mean")[0]

    # ------------------------------------------------------------------ training

    def fit(
        self,
        x: np.ndarray,
        y: np.ndarray,
        *,
        steps: int,
        rng: np.random.Generator,
        batch_size: int | None = 32,
        lr: float = 1e-2,
        clip: float | None = None,
        stop_below: float | None = None,
    ) -> FitHistory:
        r"""Train with Adam on random mini-batches of ``(x, y)``.

        Parameters
        ----------
        x, y : ndarray
            The training set, as for :meth:`loss_and_grads`.
        steps : int
            Number of updates.
        rng : numpy.random.Generator
            Draws the mini-batches.
        batch_size : int or None, default 32
            Sequences per update, drawn without replacement anew for every
            update; None, or a size of at least N, for the whole training set
            every time.
        lr : float, default 1e-2
            Adam's learning rate.
        clip : float or None, default None
            Rescale the gradient to this global norm when it is longer
            (:func:`~rnn_tutorial.clip_global_norm`); None to not clip.
        stop_below : float or None, default None
            Stop early, once the mean loss of the last ``STOP_WINDOW`` (10)
            updates is below this value; None to always take ``steps`` updates.

        Returns
        -------
        FitHistory
            The mini-batch loss and the gradient norm of every update taken
            (fewer than ``steps`` when training stopped early).

        Notes
        -----
        One update is :meth:`loss_and_grads` on the batch, optional clipping,
        then :meth:`Adam.step <rnn_tutorial.Adam.step>`. The first call
        creates the optimiser; later calls continue with its moments.

        Examples
        --------
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(64, 3, 1))
        >>> y = (x[:, -1, 0] > 0).astype(int)  # the sign of the last input
        >>> model = SequenceModel("lstm", 1, 4, 2, rng=rng)
        >>> history = model.fit(x, y, steps=60, rng=rng, lr=0.05)
        >>> bool(history.loss[-10:].mean() < history.loss[:10].mean())
        True
        >>> model.accuracy(x, y) > 0.9
        True
        """
        steps, _ = check_int("steps", steps, low=0), check_rng("rng", rng)
        x, y = self._check_xy(x, y)
        N = x.shape[0]
        if batch_size is not None and check_int("batch_size", batch_size) >= N:
            batch_size = None  # the whole set, in its own order
        if clip is not None:
            check_positive("clip", clip)
        if stop_below is not None:
            check_real("stop_below", stop_below)
        if self.optimizer is None:
            self.optimizer = Adam(lr=lr)
        else:
            self.optimizer.lr = Adam(lr=lr).lr  # checked like a new one
        losses = np.empty(steps)
        norms = np.empty(steps)
        for step in range(steps):
            if batch_size is None:
                xb, yb = x, y
            else:
                idx = rng.choice(N, size=batch_size, replace=False)
                xb, yb = x[idx], y[idx]
            loss, grads = self.loss_and_grads(xb, yb)
            if clip is not None:  # the norm before clipping, computed once
                grads, norms[step] = clip_global_norm(grads, clip)
            else:
                norms[step] = global_norm(grads)
            self.optimizer.step(self.params, grads)
            losses[step] = loss
            taken = step + 1
            if (
                stop_below is not None
                and taken >= STOP_WINDOW
                and losses[taken - STOP_WINDOW : taken].mean() < stop_below
            ):
                return FitHistory(losses[:taken], norms[:taken])
        return FitHistory(losses, norms)
