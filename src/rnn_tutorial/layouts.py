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

from .cells.gru import GRU_SPEC
from .cells.lstm import LSTM_SPEC
from .cells.rnn import RNN_SPEC
from .validation import as_float_array, check_mapping, check_params

__all__ = [
    "concat_to_rnn",
    "gru_from_torch",
    "gru_swap_update_convention",
    "gru_to_torch",
    "lstm_from_assignment",
    "lstm_from_torch",
    "lstm_to_keras",
    "lstm_to_torch",
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
    check_mapping("parameters", parameters)
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
    params, _ = check_params(params, RNN_SPEC)
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


# --------------------------------------------------------------------------- LSTM and GRU
#
# PyTorch's torch.nn.LSTM and torch.nn.GRU stack their gates in the same
# order as ours (i, f, g, o and r, z, n), so their weights are ours
# transposed, block for block. Keras' LSTM keeps our row layout and order.


def _torch_state(state: dict, gates: int) -> dict:
    """The four arrays of a one-layer PyTorch state dict, checked against each other."""
    keys = ("weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0")
    check_mapping("state", state)
    missing = [k for k in keys if k not in state]
    if missing:
        raise ValueError(f"state is missing {', '.join(map(repr, missing))}")
    arrays = {k: as_float_array(f'state["{k}"]', np.asarray(state[k])) for k in keys}
    w_hh = arrays["weight_hh_l0"]
    if w_hh.ndim != 2 or w_hh.shape[0] != gates * w_hh.shape[1]:
        raise ValueError(f'state["weight_hh_l0"] has shape {w_hh.shape} but must be ({gates}H, H)')
    H = w_hh.shape[1]
    expected = {"bias_ih_l0": (gates * H,), "bias_hh_l0": (gates * H,)}
    w_ih = arrays["weight_ih_l0"]
    if w_ih.ndim != 2 or w_ih.shape[0] != gates * H:
        raise ValueError(
            f'state["weight_ih_l0"] has shape {w_ih.shape} but state["weight_hh_l0"] '
            f"gives H={H}, so it must be ({gates * H}, D)"
        )
    for key, shape in expected.items():
        if arrays[key].shape != shape:
            raise ValueError(
                f'state["{key}"] has shape {arrays[key].shape} but state["weight_hh_l0"] '
                f"gives H={H}, so it must be {shape}"
            )
    return arrays


def lstm_to_torch(params: dict) -> dict:
    """Our LSTM weights in ``torch.nn.LSTM``'s layout (as numpy arrays).

    PyTorch computes the four gates from ``x @ weight_ih_l0.T + bias_ih_l0 +
    h @ weight_hh_l0.T + bias_hh_l0`` with the blocks in the order i, f, g, o,
    ours too: ``weight_ih_l0`` (4H, D) is ``W_x.T`` and ``weight_hh_l0``
    (4H, H) is ``W_h.T``. Its two biases only ever appear as a sum, so all of
    ``b`` goes in ``bias_ih_l0`` and ``bias_hh_l0`` is zero.

    Examples
    --------
    >>> p = {"W_x": np.zeros((10, 80)), "W_h": np.zeros((20, 80)), "b": np.zeros(80)}
    >>> {k: v.shape for k, v in lstm_to_torch(p).items()}
    {'weight_ih_l0': (80, 10), 'weight_hh_l0': (80, 20), 'bias_ih_l0': (80,), 'bias_hh_l0': (80,)}
    """
    params, _ = check_params(params, LSTM_SPEC)
    return {
        "weight_ih_l0": params["W_x"].T.copy(),
        "weight_hh_l0": params["W_h"].T.copy(),
        "bias_ih_l0": params["b"].copy(),
        "bias_hh_l0": np.zeros_like(params["b"]),
    }


def lstm_from_torch(state: dict) -> dict:
    """Our LSTM weights from ``torch.nn.LSTM``'s layout; the two biases are summed.

    Parameters
    ----------
    state : dict
        ``weight_ih_l0`` (4H, D), ``weight_hh_l0`` (4H, H), ``bias_ih_l0``
        (4H,), ``bias_hh_l0`` (4H,), as numpy arrays (e.g.
        ``{k: v.detach().numpy() for k, v in lstm.state_dict().items()}``).

    Returns
    -------
    dict
        ``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b = bias_ih_l0 + bias_hh_l0``.

    Examples
    --------
    >>> t = {"weight_ih_l0": np.ones((8, 3)), "weight_hh_l0": np.ones((8, 2)),
    ...      "bias_ih_l0": np.ones(8), "bias_hh_l0": np.ones(8)}
    >>> p = lstm_from_torch(t)
    >>> p["W_x"].shape, p["W_h"].shape, p["b"][:3]
    ((3, 8), (2, 8), array([2., 2., 2.]))
    """
    s = _torch_state(state, 4)
    return {
        "W_x": s["weight_ih_l0"].T.copy(),
        "W_h": s["weight_hh_l0"].T.copy(),
        "b": s["bias_ih_l0"] + s["bias_hh_l0"],
    }


def lstm_to_keras(params: dict) -> list:
    """Our LSTM weights as Keras' ``LSTM.get_weights()``: ``[kernel, recurrent_kernel, bias]``.

    Keras works in rows as we do, ``x @ kernel + h @ recurrent_kernel + bias``,
    with the gate blocks in the order i, f, c, o, where its c is our
    candidate g. So the three arrays are ours, copied: ``kernel`` (D, 4H),
    ``recurrent_kernel`` (H, 4H), ``bias`` (4H,); with input 10 and 20 units,
    (10, 80), (20, 80) and (80,).

    Examples
    --------
    >>> p = {"W_x": np.zeros((10, 80)), "W_h": np.zeros((20, 80)), "b": np.zeros(80)}
    >>> [w.shape for w in lstm_to_keras(p)]
    [(10, 80), (20, 80), (80,)]
    """
    params, _ = check_params(params, LSTM_SPEC)
    return [params["W_x"].copy(), params["W_h"].copy(), params["b"].copy()]


def gru_to_torch(params: dict) -> dict:
    """Our GRU weights in ``torch.nn.GRU``'s layout (as numpy arrays).

    PyTorch's GRU is our ``form="reset_after"`` with the blocks in the same
    order r, z, n: ``weight_ih_l0`` (3H, D) is ``W_x.T``, ``weight_hh_l0``
    (3H, H) is ``W_h.T``. Unlike the LSTM's, the two biases are *not*
    interchangeable: ``b_hn`` sits inside :math:`r \\odot (h W_{hn} + b_{hn})`
    and ``b_xn`` outside it. So ``b_x`` is ``bias_ih_l0`` and ``b_h`` is
    ``bias_hh_l0``, nothing summed.

    Examples
    --------
    >>> p = {"W_x": np.zeros((10, 60)), "W_h": np.zeros((20, 60)),
    ...      "b_x": np.zeros(60), "b_h": np.zeros(60)}
    >>> {k: v.shape for k, v in gru_to_torch(p).items()}
    {'weight_ih_l0': (60, 10), 'weight_hh_l0': (60, 20), 'bias_ih_l0': (60,), 'bias_hh_l0': (60,)}
    """
    params, _ = check_params(params, GRU_SPEC)
    return {
        "weight_ih_l0": params["W_x"].T.copy(),
        "weight_hh_l0": params["W_h"].T.copy(),
        "bias_ih_l0": params["b_x"].copy(),
        "bias_hh_l0": params["b_h"].copy(),
    }


def gru_from_torch(state: dict) -> dict:
    """Our GRU weights (for ``form="reset_after"``) from ``torch.nn.GRU``'s layout.

    Returns
    -------
    dict
        ``W_x = weight_ih_l0.T`` (D, 3H), ``W_h = weight_hh_l0.T`` (H, 3H),
        ``b_x = bias_ih_l0``, ``b_h = bias_hh_l0``.

    Examples
    --------
    >>> t = {"weight_ih_l0": np.ones((6, 3)), "weight_hh_l0": np.ones((6, 2)),
    ...      "bias_ih_l0": np.ones(6), "bias_hh_l0": np.zeros(6)}
    >>> {k: v.shape for k, v in gru_from_torch(t).items()}
    {'W_x': (3, 6), 'W_h': (2, 6), 'b_x': (6,), 'b_h': (6,)}
    """
    s = _torch_state(state, 3)
    return {
        "W_x": s["weight_ih_l0"].T.copy(),
        "W_h": s["weight_hh_l0"].T.copy(),
        "b_x": s["bias_ih_l0"].copy(),
        "b_h": s["bias_hh_l0"].copy(),
    }


def gru_swap_update_convention(params: dict) -> dict:
    """The same GRU written with the other orientation of the update gate.

    Our cells compute :math:`h' = (1 - z) \\odot n + z \\odot h` (PyTorch's
    orientation); seed 002 writes :math:`h' = (1 - z) \\odot h + z \\odot \\tilde h`.
    Because :math:`\\sigma(-a) = 1 - \\sigma(a)`, negating the z block of every
    parameter (columns H:2H of ``W_x`` and ``W_h``, entries H:2H of ``b_x``
    and ``b_h``) turns z into :math:`1 - z` and leaves r and n untouched.
    Hence weights written for the seed's equations, converted here, give the
    same states in our cell, and the other way round: the swap is its own
    inverse.

    Parameters
    ----------
    params : dict
        ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b_x`` (3H,), ``b_h`` (3H,).

    Returns
    -------
    dict
        New arrays, the z blocks negated.

    Examples
    --------
    >>> p = {"W_x": np.ones((1, 3)), "W_h": np.ones((1, 3)),
    ...      "b_x": np.ones(3), "b_h": np.ones(3)}
    >>> gru_swap_update_convention(p)["W_x"]  # H = 1: blocks r | z | n
    array([[ 1., -1.,  1.]])
    """
    params, sizes = check_params(params, GRU_SPEC)
    H = sizes.value("H")
    swapped = {key: value.copy() for key, value in params.items()}
    for key in swapped:
        swapped[key][..., H : 2 * H] *= -1  # the z block: the last axis is the gate axis
    return swapped


def lstm_from_assignment(parameters: dict) -> dict:
    """Our LSTM (and output) weights from the classic assignment's column-convention dict.

    Parameters
    ----------
    parameters : dict
        ``Wf``, ``Wi``, ``Wc``, ``Wo``, each (n_a, n_a + n_x) acting on the
        stacked column :math:`[a_{prev}; x]`; ``bf``, ``bi``, ``bc``, ``bo``,
        each (n_a, 1); optionally ``Wy`` (n_y, n_a) and ``by`` (n_y, 1).

    Returns
    -------
    dict
        ``W_x`` (n_x, 4 n_a), ``W_h`` (n_a, 4 n_a), ``b`` (4 n_a,) and, when
        ``Wy`` and ``by`` are given, ``W_hy = Wy.T`` and ``b_y = by[:, 0]``.
        One dict, as :func:`rnn_from_assignment` returns: it can be handed as
        it is to :func:`~rnn_tutorial.lstm_step_forward`, which reads only its
        keys, and the output layer's keys to
        :func:`~rnn_tutorial.dense_forward`.

    Notes
    -----
    The assignment's "update gate" (``Wi``, ``bi``) is our input gate i and
    its first tanh (``Wc``, ``bc``, the candidate :math:`\\tilde c`) our g.
    Each of its matrices splits into the columns that multiply
    :math:`a_{prev}` (the first n_a) and those that multiply x (the rest);
    transposing :math:`W [a_{prev}; x] + b` to rows gives
    :math:`a_{prev}^\\top W_{:, :n_a}^\\top + x^\\top W_{:, n_a:}^\\top + b^\\top`,
    so those transposed blocks, stacked in the order i, f, g, o, are our
    ``W_h`` and ``W_x``.

    Examples
    --------
    >>> n_a, n_x = 5, 3
    >>> theirs = {k: np.zeros((n_a, n_a + n_x)) for k in ("Wf", "Wi", "Wc", "Wo")}
    >>> theirs.update({k: np.zeros((n_a, 1)) for k in ("bf", "bi", "bc", "bo")})
    >>> {k: v.shape for k, v in lstm_from_assignment(theirs).items()}
    {'W_x': (3, 20), 'W_h': (5, 20), 'b': (20,)}
    """
    gates = (("Wi", "bi"), ("Wf", "bf"), ("Wc", "bc"), ("Wo", "bo"))  # our order i, f, g, o
    check_mapping("parameters", parameters)
    missing = [k for pair in gates for k in pair if k not in parameters]
    if missing:
        raise ValueError(f"parameters is missing {', '.join(map(repr, missing))}")
    keys = [k for pair in gates for k in pair]
    arrays = {k: as_float_array(f'parameters["{k}"]', parameters[k]) for k in keys}
    W_f = arrays["Wf"]
    if W_f.ndim != 2 or W_f.shape[1] <= W_f.shape[0]:
        raise ValueError(
            f'parameters["Wf"] has shape {W_f.shape} but must be (n_a, n_a + n_x) with n_x >= 1'
        )
    n_a = W_f.shape[0]
    for w_key, b_key in gates:
        if arrays[w_key].shape != W_f.shape:
            raise ValueError(
                f'parameters["{w_key}"] has shape {arrays[w_key].shape} but parameters["Wf"] '
                f"has shape {W_f.shape}"
            )
        if arrays[b_key].shape != (n_a, 1):
            raise ValueError(
                f'parameters["{b_key}"] has shape {arrays[b_key].shape} but parameters["Wf"] '
                f"gives n_a={n_a}, so it must be ({n_a}, 1)"
            )
    ours = {
        "W_x": np.hstack([arrays[w][:, n_a:].T for w, _ in gates]),
        "W_h": np.hstack([arrays[w][:, :n_a].T for w, _ in gates]),
        "b": np.concatenate([arrays[b][:, 0] for _, b in gates]),
    }
    if "Wy" in parameters and "by" in parameters:
        ours["W_hy"] = as_float_array('parameters["Wy"]', parameters["Wy"]).T.copy()
        ours["b_y"] = as_float_array('parameters["by"]', parameters["by"])[:, 0].copy()
    return ours
