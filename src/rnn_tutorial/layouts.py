"""Conversions between our weight layout and the layouts of other texts and libraries.

Ours is batch-first rows, ``h = tanh(x @ W_xh + h_prev @ W_hh + b_h)``. The
classic step-by-step assignment stores examples in *columns*
(``a = tanh(Waa @ a_prev + Wax @ x + ba)``, shapes ``(n_a, m)``); PyTorch stores
``weight_ih_l0`` of shape (H, D) and two biases; the TensorFlow-style text
multiplies the concatenation ``[h_prev, x]`` by one matrix of shape (H + D, H).
Each is the same function of the same numbers, transposed or split.
"""

from __future__ import annotations

import numpy as np

from .validation import as_float_array

__all__ = [
    "concat_to_rnn",
    "rnn_from_assignment",
    "rnn_from_torch",
    "rnn_to_torch",
    "sequence_from_assignment",
    "sequence_to_assignment",
]


def rnn_from_assignment(parameters: dict) -> dict:
    """Our RNN and output weights from the classic assignment's column-convention dict.

    Parameters
    ----------
    parameters : dict
        ``Wax`` (n_a, n_x), ``Waa`` (n_a, n_a), ``ba`` (n_a, 1), and optionally
        ``Wya`` (n_y, n_a), ``by`` (n_y, 1).

    Returns
    -------
    dict
        ``W_xh = Wax.T`` (D, H), ``W_hh = Waa.T`` (H, H), ``b_h = ba[:, 0]``
        and, when present, ``W_hy = Wya.T``, ``b_y = by[:, 0]``.

    Notes
    -----
    Transposing :math:`a = \\tanh(W_{aa} a_{prev} + W_{ax} x + b_a)` gives
    :math:`a^\\top = \\tanh(a_{prev}^\\top W_{aa}^\\top + x^\\top W_{ax}^\\top + b_a^\\top)`:
    our row form with :math:`W_{hh} = W_{aa}^\\top` and :math:`W_{xh} = W_{ax}^\\top`.

    Examples
    --------
    >>> p = rnn_from_assignment({"Wax": np.zeros((5, 3)), "Waa": np.zeros((5, 5)),
    ...                          "ba": np.zeros((5, 1))})
    >>> {k: v.shape for k, v in p.items()}
    {'W_xh': (3, 5), 'W_hh': (5, 5), 'b_h': (5,)}
    """
    names = {"Wax": "W_xh", "Waa": "W_hh", "ba": "b_h", "Wya": "W_hy", "by": "b_y"}
    missing = [k for k in ("Wax", "Waa", "ba") if k not in parameters]
    if missing:
        raise ValueError(f"parameters is missing {', '.join(map(repr, missing))}")
    ours = {}
    for theirs, mine in names.items():
        if theirs in parameters:
            w = as_float_array(f'parameters["{theirs}"]', parameters[theirs])
            if w.ndim != 2:
                raise ValueError(f'parameters["{theirs}"] must be 2-D but has shape {w.shape}')
            ours[mine] = w[:, 0].copy() if theirs.startswith("b") else w.T.copy()
    return ours


def sequence_from_assignment(x: np.ndarray) -> np.ndarray:
    """A sequence ``(n_x, m, T_x)`` of the classic assignment as our ``(N, T, D)``.

    Examples
    --------
    >>> sequence_from_assignment(np.zeros((3, 10, 4))).shape
    (10, 4, 3)
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (n_x, m, T_x) but has shape {x.shape}")
    return x.transpose(1, 2, 0)


def sequence_to_assignment(x: np.ndarray) -> np.ndarray:
    """Our ``(N, T, H)`` as the classic assignment's ``(n_a, m, T_x)``.

    Examples
    --------
    >>> sequence_to_assignment(np.zeros((10, 4, 5))).shape
    (5, 10, 4)
    """
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(f"x must be 3-D (N, T, H) but has shape {x.shape}")
    return x.transpose(2, 0, 1)


def concat_to_rnn(w: np.ndarray, b: np.ndarray, *, H: int) -> dict:
    """Split the concatenated form ``tanh([h_prev, x] @ w + b)`` into our weights.

    Parameters
    ----------
    w : ndarray, shape (H + D, H)
        Rows for the previous state first, then rows for the input.
    b : ndarray, shape (H,)
    H : int
        The state size.

    Returns
    -------
    dict
        ``W_hh = w[:H]``, ``W_xh = w[H:]``, ``b_h = b``.

    Notes
    -----
    :math:`[h, x] \\begin{bmatrix} W_{hh} \\\\ W_{xh} \\end{bmatrix} = h W_{hh} + x W_{xh}`:
    a product with stacked blocks is the sum of the blocks' products.

    Examples
    --------
    >>> w = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
    >>> p = concat_to_rnn(w, np.array([0.1, -0.1]), H=2)
    >>> p["W_xh"]
    array([[0.5, 0.6]])
    """
    w = as_float_array("w", w)
    b = as_float_array("b", b)
    if w.ndim != 2 or w.shape[1] != H or w.shape[0] <= H:
        raise ValueError(
            f"w has shape {w.shape} but must be (H + D, H) = (H + D, {H}) with D >= 1"
        )
    if b.shape != (H,):
        raise ValueError(f"b has shape {b.shape} but H={H} needs ({H},)")
    return {"W_xh": w[H:].copy(), "W_hh": w[:H].copy(), "b_h": b.copy()}


def rnn_to_torch(params: dict) -> dict:
    """Our RNN weights in ``torch.nn.RNN``'s layout (as numpy arrays).

    PyTorch computes ``tanh(x @ weight_ih_l0.T + bias_ih_l0 + h @ weight_hh_l0.T
    + bias_hh_l0)``: its weights are ours transposed, and its two biases add up
    to our one. We put all of ``b_h`` in ``bias_ih_l0``.

    Examples
    --------
    >>> t = rnn_to_torch({"W_xh": np.zeros((3, 5)), "W_hh": np.zeros((5, 5)), "b_h": np.zeros(5)})
    >>> {k: v.shape for k, v in t.items()}
    {'weight_ih_l0': (5, 3), 'weight_hh_l0': (5, 5), 'bias_ih_l0': (5,), 'bias_hh_l0': (5,)}
    """
    return {
        "weight_ih_l0": params["W_xh"].T.copy(),
        "weight_hh_l0": params["W_hh"].T.copy(),
        "bias_ih_l0": params["b_h"].copy(),
        "bias_hh_l0": np.zeros_like(params["b_h"]),
    }


def rnn_from_torch(state: dict) -> dict:
    """Our RNN weights from ``torch.nn.RNN``'s layout; the two biases are summed.

    Examples
    --------
    >>> t = {"weight_ih_l0": np.ones((5, 3)), "weight_hh_l0": np.ones((5, 5)),
    ...      "bias_ih_l0": np.ones(5), "bias_hh_l0": np.ones(5)}
    >>> rnn_from_torch(t)["b_h"]
    array([2., 2., 2., 2., 2.])
    """
    return {
        "W_xh": np.asarray(state["weight_ih_l0"]).T.copy(),
        "W_hh": np.asarray(state["weight_hh_l0"]).T.copy(),
        "b_h": np.asarray(state["bias_ih_l0"]) + np.asarray(state["bias_hh_l0"]),
    }
