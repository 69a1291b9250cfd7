"""The bad-input table: every public function, a valid call, and the mistakes that apply to it.

``tests/test_bad_input.py`` turns this table into test cases; run this file as a
script (``python tests/bad_input_table.py``) to count how each case ends,
against whatever ``rnn_tutorial`` is importable.

Adding a public function
------------------------
Add one entry to ``TABLE`` under the function's public name (a class's name
stands for its constructor; ``"Class.method"`` adds a method):

.. code-block:: python

    "embedding_forward": E(
        lambda N=2, T=3: call(rt.embedding_forward, tokens=ids(N, T, V), W_embed=arr(V, D)),
        bad={"tokens": "tokens rank", "W_embed": "array nan rank"},
        empty={"N": "ok", "T": "ok"},
    ),

- ``build`` returns ``(function, arguments by name)`` for a call that must
  succeed. If it takes ``N`` (batch) or ``T`` (steps), ``empty`` must say what
  a call with that size 0 does: ``"ok"`` (returns, with no NaN in the result)
  or ``"raises"`` (a ValueError naming an argument).
- ``bad`` maps an argument to the kinds of mistake that apply (``KINDS``
  below, separated by spaces), or to a list of ``(bad value, exception type)``
  for mistakes particular to that function.
- ``mutates`` names arguments the function changes by design (an optimiser's
  ``params``); they must still be unchanged when the call raises.

Each bad value must raise the kind's exception type with a message that names
the argument (``params["W_xh"]`` names ``params``), and no call may change its
inputs, whether it returns or raises.
"""

from __future__ import annotations

import copy
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

import rnn_tutorial as rt

D, H, V = 3, 4, 5
NAN = float("nan")


def gen(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def arr(*shape: int, seed: int = 0) -> np.ndarray:
    return gen(seed).normal(size=shape)


def ids(*shape: int, high: int = V, seed: int = 0) -> np.ndarray:
    return gen(seed).integers(0, high, size=shape)


def call(fn, **kwargs):
    return fn, kwargs


# --------------------------------------------------------------------------- kinds of mistake


class Foreign:
    """Marker: replace a cache by the cache of another function."""


def _with_nan(v):
    a = np.array(v, dtype=float)
    a.flat[0] = NAN
    return a


def _with_inf(v):
    a = np.array(v, dtype=float)
    a.flat[-1] = np.inf
    return a


def _grow(v, axis):
    a = np.asarray(v)
    pad = np.take(a, [0], axis=axis) if a.shape[axis] else np.zeros_like(a).repeat(1, axis)
    return np.concatenate([a, pad], axis=axis)


def _dict_missing(d):
    d = dict(d)
    d.pop(next(iter(d)))
    return d


def _dict_nan(d):
    d = dict(d)
    key = next(iter(d))
    d[key] = _with_nan(d[key])
    return d


def _with_inf_dict(d):
    d = dict(d)
    key = list(d)[-1]
    d[key] = _with_inf(d[key])
    return d


def _dict_shape(d):
    d = dict(d)
    key = next(iter(d))
    d[key] = np.asarray(d[key])[..., None]
    return d


def _tokens_high(v):
    a = np.array(v)
    a.flat[0] = 10**6
    return a


def _tokens_negative(v):
    a = np.array(v)
    a.flat[0] = -1
    return a


# kind -> function of the valid value giving [(bad value, expected exception type)]
KINDS = {
    "array": lambda v: [("abc", TypeError), (None, TypeError)],
    "text": lambda v: [("abc", TypeError)],
    "nan": lambda v: [(_with_nan(v), ValueError), (_with_inf(v), ValueError)],
    "rank": lambda v: [(np.asarray(v)[..., None], ValueError)],
    "width": lambda v: [(_grow(v, -1), ValueError)],
    "batch": lambda v: [(_grow(v, 0), ValueError)],
    "params": lambda v: [
        ("abc", TypeError),
        (_dict_missing(v), ValueError),
        (_dict_nan(v), ValueError),
        (_dict_shape(v), ValueError),
    ],
    "grads": lambda v: [
        ([1.0], TypeError),
        (_dict_nan(v), ValueError),
        (_with_inf_dict(v), ValueError),
    ],
    "step_grads": lambda v: [
        *KINDS["grads"](v),
        (_dict_shape(v), ValueError),
        (_dict_missing(v), ValueError),
    ],
    "rng": lambda v: [(None, TypeError), (42, TypeError), (np.random.RandomState(0), TypeError)],
    "dtype": lambda v: [(int, TypeError), ("banana", TypeError), (np.complex128, TypeError)],
    "count": lambda v: [
        (0, ValueError),
        (-1, ValueError),
        (True, TypeError),
        (2.5, TypeError),
        ("3", TypeError),
    ],
    "prob": lambda v: [
        (-0.1, ValueError),
        (1.0, ValueError),
        (NAN, ValueError),
        ("0.5", TypeError),
    ],
    "positive": lambda v: [
        (0.0, ValueError),
        (-1.0, ValueError),
        (NAN, ValueError),
        (np.inf, ValueError),
        ("1", TypeError),
    ],
    "real": lambda v: [(NAN, ValueError), ("1", TypeError)],
    "choice": lambda v: [("bogus", ValueError), (None, ValueError)],
    "flag": lambda v: [("yes", TypeError), (None, TypeError)],
    "cache": lambda v: [(Foreign, TypeError), (None, TypeError), ((1, 2), TypeError)],
    "tokens": lambda v: [
        (_tokens_high(v), ValueError),
        (_tokens_negative(v), ValueError),
        (np.asarray(v) + 0.5, TypeError),
        ("abc", TypeError),
    ],
    "symbol": lambda v: [
        (10**6, ValueError),
        (-1, ValueError),
        (2.7, TypeError),
        (None, TypeError),
    ],
}


@dataclass
class E:
    """One public function's entry: a valid call and the mistakes that apply to it."""

    build: Any
    bad: dict = field(default_factory=dict)
    empty: dict = field(default_factory=dict)
    mutates: tuple = ()


def foreign_cache(value):
    """A cache that belongs to another function than the one ``value`` came from."""
    if isinstance(value, rt.LSTMCache):
        _, cache = rt.rnn_forward(arr(2, 3, D), arr(2, H), rt.init_rnn(D, H, rng=gen()))
        return cache
    _, _, cache = rt.lstm_forward(
        arr(2, 3, D), arr(2, H), arr(2, H), rt.init_lstm(D, H, rng=gen())
    )
    return cache


# --------------------------------------------------------------------------- valid calls

SEQ = "array nan rank width batch"
SEQ_NO_STATE = "array nan rank width"  # a larger batch is no mistake when no state is given
STEP = "array nan rank width batch"
GRAD = "array nan rank width batch"


def _rnn(N):
    return rt.init_rnn(D, H, rng=gen())


def _lstm_cache_step(N):
    return rt.lstm_step_forward(arr(N, D), arr(N, H), arr(N, H), rt.init_lstm(D, H, rng=gen()))


def _layer(cell, N, T):
    return rt.layer_forward(cell, arr(N, T, D), rt.init_layer(cell, D, H, rng=gen()))


def _stack(N, T):
    layers = rt.init_stack("lstm", D, H, 2, rng=gen())
    return rt.stack_forward("lstm", arr(N, T, D), layers)


def _variational(N, T):
    params = rt.init_layer("lstm", D, H, rng=gen())
    mask = rt.dropout_mask((N, H), 0.5, rng=gen())
    return rt.variational_layer_forward("lstm", arr(N, T, D), params, mask=mask)


def _bidir(N, T):
    return rt.bidirectional_forward(
        "rnn", arr(N, T, D), rt.init_bidirectional("rnn", D, H, rng=gen())
    )


def _sum_params():
    return {"W_hy": arr(H, V), "W_hy_bwd": arr(H, V, seed=1), "b_y": np.zeros(V)}


def _s2s_params():
    return rt.init_seq2seq("gru", V, H, rng=gen())


def _s2s_data(N, T):
    src = ids(N, T, high=V - 1)
    tgt = np.concatenate([src[:, ::-1][:, : max(T - 1, 0)], np.full((N, 1), V - 1)], axis=1)
    return src, tgt


def _vocab():
    return rt.Vocabulary("abcde")


def _charrnn():
    return rt.CharRNN(_vocab(), H, rng=gen())


def _seqmodel():
    return rt.SequenceModel("gru", D, H, V, rng=gen())


def _stacked():
    return rt.StackedClassifier("lstm", D, H, V, num_layers=2, rng=gen())


def _position():
    return rt.PositionClassifier("gru", D, H, V, rng=gen())


def _encdec():
    return rt.EncoderDecoder("gru", V, H, end=V - 1, rng=gen())


def _quadratic_loss(params):
    return float(np.sum(params["w"] ** 2)), {"w": 2 * params["w"]}


def _utf8_dir():
    folder = Path(tempfile.mkdtemp())
    (folder / "page.md").write_text("# Title\n\nSome prose here.\n", encoding="utf-8")
    return folder


def _latin1_dir():
    folder = Path(tempfile.mkdtemp())
    (folder / "page.md").write_bytes("# Titre\n\nCaf\xe9 cr\xe8me.\n".encode("latin-1"))
    return folder


def _torch_gru():
    return rt.gru_to_torch(rt.init_gru(D, H, rng=gen()))


def _torch_lstm():
    return rt.lstm_to_torch(rt.init_lstm(D, H, rng=gen()))


def _assignment_lstm():
    shapes = {
        "Wf": (H, H + D),
        "bf": (H, 1),
        "Wi": (H, H + D),
        "bi": (H, 1),
        "Wc": (H, H + D),
        "bc": (H, 1),
        "Wo": (H, H + D),
        "bo": (H, 1),
    }
    return {k: arr(*s, seed=i) for i, (k, s) in enumerate(shapes.items())}


CELL = {"cell": "choice"}
INIT = {"D": "count", "H": "count", "rng": "rng", "dtype": "dtype"}

TABLE: dict[str, E] = {
    # ----------------------------------------------------------------- cells
    "rnn_step_forward": E(
        lambda N=2: call(
            rt.rnn_step_forward, x=arr(N, D), h_prev=arr(N, H), params=_rnn(N), activation="tanh"
        ),
        bad={"x": STEP, "h_prev": STEP, "params": "params", "activation": "choice"},
        empty={"N": "ok"},
    ),
    "rnn_step_backward": E(
        lambda N=2: call(
            rt.rnn_step_backward,
            dh=arr(N, H),
            cache=rt.rnn_step_forward(arr(N, D), arr(N, H), _rnn(N))[1],
        ),
        bad={"dh": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "rnn_forward": E(
        lambda N=2, T=3: call(
            rt.rnn_forward, x=arr(N, T, D), h0=arr(N, H), params=_rnn(N), activation="tanh"
        ),
        bad={"x": SEQ, "h0": STEP, "params": "params", "activation": "choice"},
        empty={"N": "ok", "T": "raises"},
    ),
    "rnn_backward": E(
        lambda N=2: call(
            rt.rnn_backward,
            dhs=arr(N, 3, H),
            cache=rt.rnn_forward(arr(N, 3, D), arr(N, H), _rnn(N))[1],
        ),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "rnn_forward_steps": E(
        lambda N=2, T=3: call(
            rt.rnn_forward_steps, x=arr(N, T, D), h0=arr(N, H), params=_rnn(N), activation="relu"
        ),
        bad={"x": SEQ, "h0": STEP, "params": "params", "activation": "choice"},
        empty={"N": "ok", "T": "raises"},
    ),
    "rnn_backward_steps": E(
        lambda N=2: call(
            rt.rnn_backward_steps,
            dhs=arr(N, 3, H),
            cache=rt.rnn_forward_steps(arr(N, 3, D), arr(N, H), _rnn(N))[1],
        ),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "lstm_step_forward": E(
        lambda N=2: call(
            rt.lstm_step_forward,
            x=arr(N, D),
            h_prev=arr(N, H),
            c_prev=arr(N, H),
            params=rt.init_lstm(D, H, rng=gen()),
        ),
        bad={"x": STEP, "h_prev": STEP, "c_prev": STEP, "params": "params"},
        empty={"N": "ok"},
    ),
    "lstm_step_backward": E(
        lambda N=2: call(
            rt.lstm_step_backward, dh=arr(N, H), dc=arr(N, H), cache=_lstm_cache_step(N)[2]
        ),
        bad={"dh": GRAD, "dc": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "lstm_forward": E(
        lambda N=2, T=3: call(
            rt.lstm_forward,
            x=arr(N, T, D),
            h0=arr(N, H),
            c0=arr(N, H),
            params=rt.init_lstm(D, H, rng=gen()),
        ),
        bad={"x": SEQ, "h0": STEP, "c0": STEP, "params": "params"},
        empty={"N": "ok", "T": "raises"},
    ),
    "lstm_backward": E(
        lambda N=2: call(
            rt.lstm_backward,
            dhs=arr(N, 3, H),
            dc_last=arr(N, H),
            cache=rt.lstm_forward(
                arr(N, 3, D), arr(N, H), arr(N, H), rt.init_lstm(D, H, rng=gen())
            )[2],
        ),
        bad={"dhs": GRAD, "dc_last": "text nan rank width batch", "cache": "cache"},
        empty={"N": "ok"},
    ),
    "lstm_forward_steps": E(
        lambda N=2, T=3: call(
            rt.lstm_forward_steps,
            x=arr(N, T, D),
            h0=arr(N, H),
            c0=arr(N, H),
            params=rt.init_lstm(D, H, rng=gen()),
        ),
        bad={"x": SEQ, "h0": STEP, "c0": STEP, "params": "params"},
        empty={"N": "ok", "T": "raises"},
    ),
    "lstm_backward_steps": E(
        lambda N=2: call(
            rt.lstm_backward_steps,
            dhs=arr(N, 3, H),
            dc_last=arr(N, H),
            cache=rt.lstm_forward_steps(
                arr(N, 3, D), arr(N, H), arr(N, H), rt.init_lstm(D, H, rng=gen())
            )[2],
        ),
        bad={"dhs": GRAD, "dc_last": "text nan rank width batch", "cache": "cache"},
        empty={"N": "ok"},
    ),
    "gru_step_forward": E(
        lambda N=2: call(
            rt.gru_step_forward,
            x=arr(N, D),
            h_prev=arr(N, H),
            params=rt.init_gru(D, H, rng=gen()),
            form="textbook",
        ),
        bad={"x": STEP, "h_prev": STEP, "params": "params", "form": "choice"},
        empty={"N": "ok"},
    ),
    "gru_step_backward": E(
        lambda N=2: call(
            rt.gru_step_backward,
            dh=arr(N, H),
            cache=rt.gru_step_forward(arr(N, D), arr(N, H), rt.init_gru(D, H, rng=gen()))[1],
        ),
        bad={"dh": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "gru_forward": E(
        lambda N=2, T=3: call(
            rt.gru_forward,
            x=arr(N, T, D),
            h0=arr(N, H),
            params=rt.init_gru(D, H, rng=gen()),
            form="reset_after",
        ),
        bad={"x": SEQ, "h0": STEP, "params": "params", "form": "choice"},
        empty={"N": "ok", "T": "raises"},
    ),
    "gru_backward": E(
        lambda N=2: call(
            rt.gru_backward,
            dhs=arr(N, 3, H),
            cache=rt.gru_forward(arr(N, 3, D), arr(N, H), rt.init_gru(D, H, rng=gen()))[1],
        ),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "gru_forward_steps": E(
        lambda N=2, T=3: call(
            rt.gru_forward_steps,
            x=arr(N, T, D),
            h0=arr(N, H),
            params=rt.init_gru(D, H, rng=gen()),
            form="textbook",
        ),
        bad={"x": SEQ, "h0": STEP, "params": "params", "form": "choice"},
        empty={"N": "ok", "T": "raises"},
    ),
    "gru_backward_steps": E(
        lambda N=2: call(
            rt.gru_backward_steps,
            dhs=arr(N, 3, H),
            cache=rt.gru_forward_steps(arr(N, 3, D), arr(N, H), rt.init_gru(D, H, rng=gen()))[1],
        ),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "relu": E(lambda N=2: call(rt.relu, z=arr(N, H)), bad={"z": "array nan"}, empty={"N": "ok"}),
    "sigmoid": E(
        lambda N=2: call(rt.sigmoid, z=arr(N, H)), bad={"z": "array nan"}, empty={"N": "ok"}
    ),
    "tanh": E(lambda N=2: call(rt.tanh, z=arr(N, H)), bad={"z": "array nan"}, empty={"N": "ok"}),
    "softmax": E(
        lambda N=2: call(rt.softmax, z=arr(N, V)),
        bad={"z": [("abc", TypeError), (_with_nan(arr(2, V)), ValueError), (1.0, ValueError)]},
        empty={"N": "ok"},
    ),
    # ----------------------------------------------------------------- params
    "init_rnn": E(lambda: call(rt.init_rnn, D=D, H=H, rng=gen(), dtype=np.float32), bad=INIT),
    "init_lstm": E(
        lambda: call(rt.init_lstm, D=D, H=H, rng=gen(), forget_bias=1.0, dtype=np.float64),
        bad={**INIT, "forget_bias": "real"},
    ),
    "init_gru": E(lambda: call(rt.init_gru, D=D, H=H, rng=gen(), dtype=np.float64), bad=INIT),
    "init_dense": E(
        lambda: call(rt.init_dense, H=H, V=V, rng=gen(), dtype=np.float64),
        bad={"H": "count", "V": "count", "rng": "rng", "dtype": "dtype"},
    ),
    "count_params": E(
        lambda: call(rt.count_params, params=_rnn(2)),
        bad={"params": [([np.zeros(3)], TypeError), ("abc", TypeError), ({"W": "x"}, TypeError)]},
    ),
    # ----------------------------------------------------------------- layers
    "dense_forward": E(
        lambda N=2, T=3: call(
            rt.dense_forward, h=arr(N, T, H), params=rt.init_dense(H, V, rng=gen())
        ),
        bad={"h": "array nan width", "params": "params"},
        empty={"N": "ok", "T": "ok"},
    ),
    "dense_backward": E(
        lambda N=2: call(
            rt.dense_backward,
            dy=arr(N, 3, V),
            cache=rt.dense_forward(arr(N, 3, H), rt.init_dense(H, V, rng=gen()))[1],
        ),
        bad={"dy": GRAD, "cache": [(None, TypeError), ((1, 2), TypeError)]},
        empty={"N": "ok"},
    ),
    "dropout_forward": E(
        lambda N=2, T=3: call(rt.dropout_forward, x=arr(N, T, H), p=0.5, train=True, rng=gen()),
        bad={"x": "array nan", "p": "prob", "train": "flag", "rng": "rng"},
        empty={"N": "ok", "T": "ok"},
    ),
    "dropout_backward": E(
        lambda N=2: call(
            rt.dropout_backward,
            dy=arr(N, 3, H),
            cache=rt.dropout_forward(arr(N, 3, H), 0.5, train=True, rng=gen())[1],
        ),
        bad={"dy": "array nan batch", "cache": [(None, TypeError), ((1, 2), TypeError)]},
        empty={"N": "ok"},
    ),
    "dropout_mask": E(
        lambda: call(rt.dropout_mask, shape=(2, H), p=0.25, rng=gen(), dtype=np.float32),
        bad={
            "shape": [((-1, 2), ValueError), ("ab", TypeError), ((2.5,), TypeError)],
            "p": "prob",
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "init_layer": E(
        lambda: call(rt.init_layer, cell="lstm", D=D, H=H, rng=gen(), dtype=np.float64),
        bad={**CELL, **INIT},
    ),
    "zero_state": E(
        lambda: call(rt.zero_state, cell="lstm", N=2, H=H, dtype=np.float64),
        bad={
            **CELL,
            "N": [(-1, ValueError), (True, TypeError), (2.5, TypeError)],
            "H": "count",
            "dtype": "dtype",
        },
    ),
    "layer_forward": E(
        lambda N=2, T=3: call(
            rt.layer_forward,
            cell="rnn",
            x=arr(N, T, D),
            params=rt.init_layer("rnn", D, H, rng=gen()),
            state0=(arr(N, H),),
        ),
        bad={
            **CELL,
            "x": SEQ,
            "params": "params",
            "state0": [
                ((arr(2, H), arr(2, H)), ValueError),
                (arr(2, H), TypeError),
                ((_with_nan(arr(2, H)),), ValueError),
            ],
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "layer_backward": E(
        lambda N=2: call(
            rt.layer_backward,
            dhs=arr(N, 3, H),
            cache=_layer("lstm", N, 3)[2],
            dstate=(arr(N, H), arr(N, H)),
        ),
        bad={
            "dhs": GRAD,
            "cache": [(None, TypeError), ((1, 2), TypeError)],
            "dstate": [
                ((arr(2, H),), ValueError),
                (arr(2, H), TypeError),
                ((arr(2, H), _with_nan(arr(2, H))), ValueError),
                ((arr(2, H), arr(3, H)), ValueError),
            ],
        },
        empty={"N": "ok"},
    ),
    "init_bidirectional": E(
        lambda: call(rt.init_bidirectional, cell="gru", D=D, H=H, rng=gen(), dtype=np.float64),
        bad={**CELL, **INIT},
    ),
    "bidirectional_forward": E(
        lambda N=2, T=3: call(
            rt.bidirectional_forward,
            cell="rnn",
            x=arr(N, T, D),
            params=rt.init_bidirectional("rnn", D, H, rng=gen()),
        ),
        bad={
            **CELL,
            "x": SEQ_NO_STATE,
            "params": [
                ("abc", TypeError),
                ((_rnn(2),), ValueError),
                ((_rnn(2), _dict_nan(_rnn(2))), ValueError),
            ],
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "bidirectional_backward": E(
        lambda N=2: call(rt.bidirectional_backward, dhs=arr(N, 3, 2 * H), cache=_bidir(N, 3)[2]),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "reverse_time": E(
        lambda N=2, T=3: call(rt.reverse_time, x=arr(N, T, D)),
        bad={"x": [(arr(3), ValueError), ("abc", TypeError)]},
        empty={"N": "ok", "T": "ok"},
    ),
    "split_directions": E(
        lambda N=2: call(rt.split_directions, hs=arr(N, 3, 2 * H)),
        bad={"hs": [(arr(2, 3, 5), ValueError), ("abc", TypeError), (None, TypeError)]},
        empty={"N": "ok"},
    ),
    "stack_directions": E(
        lambda: call(rt.stack_directions, state=((arr(2, H), arr(2, H)), (arr(2, H), arr(2, H)))),
        bad={
            "state": [
                ("abc", TypeError),
                (((arr(2, H),), (arr(2, H), arr(2, H))), ValueError),
                (((arr(2, H),), (arr(3, H),)), ValueError),
            ]
        },
    ),
    "unstack_directions": E(
        lambda: call(rt.unstack_directions, stacked=(arr(2, 2, H),)),
        bad={"stacked": [((arr(3, 2, H),), ValueError), ("abc", TypeError), (None, TypeError)]},
    ),
    "sum_projections_forward": E(
        lambda N=2, T=3: call(
            rt.sum_projections_forward,
            hs_fwd=arr(N, T, H),
            hs_bwd=arr(N, T, H, seed=1),
            params=_sum_params(),
        ),
        bad={
            "hs_fwd": "array nan width",
            "hs_bwd": "array nan width",
            "params": [
                *KINDS["params"](_sum_params()),
                ({**_sum_params(), "b_y": np.zeros(V + 1)}, ValueError),
                ({**_sum_params(), "W_hy_bwd": arr(H, V + 1)}, ValueError),
            ],
        },
        empty={"N": "ok", "T": "ok"},
    ),
    "sum_projections_backward": E(
        lambda N=2: call(
            rt.sum_projections_backward,
            do=arr(N, 3, V),
            cache=rt.sum_projections_forward(arr(N, 3, H), arr(N, 3, H), _sum_params())[1],
        ),
        bad={"do": GRAD, "cache": [(None, TypeError), ((1, 2), TypeError)]},
        empty={"N": "ok"},
    ),
    "init_stack": E(
        lambda: call(
            rt.init_stack, cell="gru", D=D, H=H, num_layers=2, rng=gen(), dtype=np.float64
        ),
        bad={**CELL, **INIT, "num_layers": "count"},
    ),
    "stack_param_counts": E(
        lambda: call(rt.stack_param_counts, layers=rt.init_stack("rnn", D, H, 2, rng=gen())),
        bad={"layers": [("abc", TypeError), ([], ValueError), ([{"W": "x"}], TypeError)]},
    ),
    "stack_forward": E(
        lambda N=2, T=3: call(
            rt.stack_forward,
            cell="lstm",
            x=arr(N, T, D),
            layers=rt.init_stack("lstm", D, H, 2, rng=gen()),
            train=True,
            dropout=0.5,
            rng=gen(),
        ),
        bad={
            **CELL,
            "x": SEQ_NO_STATE,
            "dropout": "prob",
            "train": "flag",
            "rng": "rng",
            "layers": [
                ("abc", TypeError),
                ([], ValueError),
                (
                    [
                        rt.init_layer("lstm", D, H, rng=gen()),
                        rt.init_layer("lstm", H + 1, H, rng=gen()),
                    ],
                    ValueError,
                ),
            ],
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "stack_backward": E(
        lambda N=2: call(rt.stack_backward, dhs=arr(N, 3, H), cache=_stack(N, 3)[2]),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "variational_layer_forward": E(
        lambda N=2, T=3: call(
            rt.variational_layer_forward,
            cell="rnn",
            x=arr(N, T, D),
            params=rt.init_layer("rnn", D, H, rng=gen()),
            mask=rt.dropout_mask((N, H), 0.5, rng=gen()),
        ),
        bad={**CELL, "x": SEQ, "params": "params", "mask": "array nan rank width batch"},
        empty={"N": "ok", "T": "raises"},
    ),
    "variational_layer_backward": E(
        lambda N=2: call(
            rt.variational_layer_backward, dhs=arr(N, 3, H), cache=_variational(N, 3)[2]
        ),
        bad={"dhs": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    # ----------------------------------------------------------------- layouts
    "gru_to_torch": E(
        lambda: call(rt.gru_to_torch, params=rt.init_gru(D, H, rng=gen())),
        bad={"params": "params"},
    ),
    "gru_from_torch": E(
        lambda: call(rt.gru_from_torch, state=_torch_gru()), bad={"state": "params"}
    ),
    "gru_swap_update_convention": E(
        lambda: call(rt.gru_swap_update_convention, params=rt.init_gru(D, H, rng=gen())),
        bad={"params": "params"},
    ),
    "lstm_to_torch": E(
        lambda: call(rt.lstm_to_torch, params=rt.init_lstm(D, H, rng=gen())),
        bad={"params": "params"},
    ),
    "lstm_from_torch": E(
        lambda: call(rt.lstm_from_torch, state=_torch_lstm()), bad={"state": "params"}
    ),
    "lstm_to_keras": E(
        lambda: call(rt.lstm_to_keras, params=rt.init_lstm(D, H, rng=gen())),
        bad={"params": "params"},
    ),
    "lstm_from_assignment": E(
        lambda: call(rt.lstm_from_assignment, parameters=_assignment_lstm()),
        bad={"parameters": "params"},
    ),
    # ----------------------------------------------------------------- training
    "softmax_cross_entropy": E(
        lambda N=2, T=3: call(
            rt.softmax_cross_entropy, logits=arr(N, T, V), targets=ids(N, T), reduction="mean"
        ),
        bad={"logits": "array nan", "targets": "tokens", "reduction": "choice"},
        empty={"N": "raises", "T": "raises"},
    ),
    "mse": E(
        lambda N=2: call(
            rt.mse, predictions=arr(N, V), targets=arr(N, V, seed=1), reduction="mean"
        ),
        bad={
            "predictions": "array nan width",
            "targets": "array nan width",
            "reduction": "choice",
        },
        empty={"N": "raises"},
    ),
    "SGD": E(lambda: call(rt.SGD, lr=0.1), bad={"lr": "positive"}),
    "Adagrad": E(
        lambda: call(rt.Adagrad, lr=0.1, eps=1e-8), bad={"lr": "positive", "eps": "positive"}
    ),
    "Adam": E(
        lambda: call(rt.Adam, lr=0.1, beta1=0.9, beta2=0.99, eps=1e-8),
        bad={
            "lr": "positive",
            "eps": "positive",
            "beta1": [(1.0, ValueError), (-0.1, ValueError), (NAN, ValueError)],
            "beta2": [(1.5, ValueError), ("x", TypeError)],
        },
    ),
    "SGD.step": E(
        lambda: call(rt.SGD(0.1).step, params=_rnn(2), grads=rt.init_rnn(D, H, rng=gen(1))),
        bad={"params": [("abc", TypeError)], "grads": "step_grads"},
        mutates=("params",),
    ),
    "Adagrad.step": E(
        lambda: call(rt.Adagrad().step, params=_rnn(2), grads=rt.init_rnn(D, H, rng=gen(1))),
        bad={"grads": "step_grads"},
        mutates=("params",),
    ),
    "Adam.step": E(
        lambda: call(rt.Adam().step, params=_rnn(2), grads=rt.init_rnn(D, H, rng=gen(1))),
        bad={"grads": "step_grads"},
        mutates=("params",),
    ),
    "clip_elementwise": E(
        lambda: call(rt.clip_elementwise, grads=_rnn(2), limit=0.1),
        bad={"grads": "grads", "limit": "positive"},
    ),
    "clip_global_norm": E(
        lambda: call(rt.clip_global_norm, grads=_rnn(2), max_norm=0.1),
        bad={"grads": "grads", "max_norm": "positive"},
    ),
    "global_norm": E(lambda: call(rt.global_norm, grads=_rnn(2)), bad={"grads": "grads"}),
    "relative_error": E(
        lambda: call(rt.relative_error, analytic=arr(3, 2), numeric=arr(3, 2, seed=1)),
        bad={"analytic": "array nan width", "numeric": "array nan width"},
    ),
    "numerical_gradient": E(
        lambda: call(
            rt.numerical_gradient, loss_fn=_quadratic_loss, params={"w": arr(3)}, key="w", eps=1e-6
        ),
        bad={
            "loss_fn": [("abc", TypeError)],
            "key": [("v", ValueError), (3, ValueError)],
            "eps": "positive",
            "params": [("abc", TypeError)],
        },
    ),
    "grad_check": E(
        lambda: call(
            rt.grad_check,
            loss_fn=_quadratic_loss,
            params={"w": arr(3)},
            num_checks=2,
            rng=gen(),
            eps=1e-6,
        ),
        bad={
            "loss_fn": [("abc", TypeError)],
            "num_checks": "count",
            "rng": [(42, TypeError), (np.random.RandomState(0), TypeError)],
            "eps": "positive",
            "params": [("abc", TypeError), ({"w": _with_nan(arr(3))}, ValueError)],
        },
    ),
    "sequence_loss_and_grads": E(
        lambda N=2, T=3: call(
            rt.sequence_loss_and_grads,
            x=arr(N, T, D),
            targets=ids(N, T),
            h0=arr(N, H),
            params={**_rnn(N), **rt.init_dense(H, V, rng=gen())},
        ),
        bad={
            "x": SEQ,
            "targets": "tokens",
            "h0": STEP,
            "params": "params",
            "activation": "choice",
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "truncated_bptt_grads": E(
        lambda N=2, T=5: call(
            rt.truncated_bptt_grads,
            x=arr(N, T, D),
            targets=ids(N, T),
            h0=arr(N, H),
            params={**_rnn(N), **rt.init_dense(H, V, rng=gen())},
            seq_length=2,
        ),
        bad={
            "x": SEQ,
            "targets": "tokens",
            "h0": STEP,
            "params": "params",
            "seq_length": "count",
            "activation": "choice",
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "truncated_bptt_chunks": E(
        lambda: call(rt.truncated_bptt_chunks, T=7, seq_length=3),
        bad={"T": "count", "seq_length": "count"},
    ),
    "hidden_gradient_norms": E(
        lambda N=2, T=3: call(
            rt.hidden_gradient_norms,
            params=_rnn(N),
            x=arr(N, T, D),
            h0=arr(N, H),
            t=2,
            direction=arr(H),
            activation="tanh",
        ),
        bad={
            "params": "params",
            "x": SEQ,
            "h0": STEP,
            "activation": "choice",
            "t": [(0, ValueError), (9, ValueError), (1.5, TypeError)],
            "direction": "text nan width",
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "jacobian_product_bound": E(
        lambda N=2, T=3: call(
            rt.jacobian_product_bound,
            params=_rnn(N),
            x=arr(N, T, D),
            h0=arr(N, H),
            t=2,
            activation="relu",
        ),
        bad={
            "params": "params",
            "x": SEQ,
            "h0": STEP,
            "activation": "choice",
            "t": [(0, ValueError), (9, ValueError), (1.5, TypeError)],
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "scaled_recurrent_weights": E(
        lambda: call(
            rt.scaled_recurrent_weights,
            H=H,
            scale=0.9,
            rng=gen(),
            kind="orthogonal",
            dtype=np.float64,
        ),
        bad={
            "H": "count",
            "scale": [(-1.0, ValueError), (NAN, ValueError), ("1", TypeError)],
            "rng": "rng",
            "kind": "choice",
            "dtype": "dtype",
        },
    ),
    # ----------------------------------------------------------------- models
    "one_hot": E(
        lambda N=2, T=3: call(rt.one_hot, indices=ids(N, T), V=V, dtype=np.float32),
        bad={"indices": "tokens", "V": "count", "dtype": "dtype"},
        empty={"N": "ok", "T": "ok"},
    ),
    "Vocabulary": E(
        lambda: call(rt.Vocabulary, symbols="abcde", unknown=None, level="char"),
        bad={
            "symbols": [(3, TypeError), ("", ValueError), (None, TypeError)],
            "level": "choice",
        },
    ),
    "Vocabulary.encode": E(
        lambda: call(_vocab().encode, text="abba"),
        bad={"text": [(3, TypeError), ("abz", ValueError)]},
    ),
    "Vocabulary.decode": E(
        lambda T=3: call(_vocab().decode, indices=ids(T)),
        bad={"indices": "tokens"},
        empty={"T": "ok"},
    ),
    "CharRNN": E(
        lambda: call(rt.CharRNN, vocab=_vocab(), H=H, rng=gen(), dtype=np.float64),
        bad={"vocab": [("abc", TypeError)], "H": "count", "rng": "rng", "dtype": "dtype"},
    ),
    "CharRNN.loss_and_grads": E(
        lambda T=6: call(_charrnn().loss_and_grads, inputs=ids(T), targets=ids(T, seed=1)),
        bad={"inputs": "tokens", "targets": "tokens"},
        empty={"T": "raises"},
    ),
    "CharRNN.train": E(
        lambda: call(_charrnn().train, data=ids(30), steps=2, seq_length=5, lr=0.1, rng=gen()),
        bad={
            "data": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "seq_length": "count",
            "lr": "positive",
        },
    ),
    "CharRNN.sample": E(
        lambda: call(_charrnn().sample, seed="ab", n=5, temperature=0.5, rng=gen()),
        bad={
            "seed": [(2.5, TypeError), ("", ValueError), ("z", ValueError)],
            "n": [(-1, ValueError), (2.5, TypeError)],
            "temperature": "positive",
            "rng": "rng",
        },
    ),
    "SequenceModel": E(
        lambda: call(
            rt.SequenceModel,
            cell="gru",
            D=D,
            H=H,
            V=V,
            rng=gen(),
            loss="cross_entropy",
            output="last",
            dtype=np.float64,
        ),
        bad={
            **CELL,
            "D": "count",
            "H": "count",
            "V": "count",
            "rng": "rng",
            "loss": "choice",
            "output": "choice",
            "dtype": "dtype",
        },
    ),
    "SequenceModel.loss_and_grads": E(
        lambda N=2, T=3: call(_seqmodel().loss_and_grads, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "SequenceModel.fit": E(
        lambda N=4: call(
            _seqmodel().fit, x=arr(N, 3, D), y=ids(N), steps=2, rng=gen(), batch_size=2
        ),
        bad={
            "x": SEQ,
            "y": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
        },
        empty={"N": "raises"},
    ),
    "SequenceModel.predict": E(
        lambda N=2, T=3: call(_seqmodel().predict, x=arr(N, T, D)),
        bad={"x": SEQ_NO_STATE},
        empty={"N": "ok", "T": "raises"},
    ),
    "StackedClassifier": E(
        lambda: call(
            rt.StackedClassifier, cell="lstm", D=D, H=H, V=V, num_layers=2, rng=gen(), dropout=0.2
        ),
        bad={
            **CELL,
            "D": "count",
            "H": "count",
            "V": "count",
            "num_layers": "count",
            "rng": "rng",
            "dropout": "prob",
        },
    ),
    "StackedClassifier.loss_and_grads": E(
        lambda N=2, T=3: call(_stacked().loss_and_grads, x=arr(N, T, D), y=ids(N), train=False),
        bad={"x": SEQ, "y": "tokens", "train": "flag"},
        empty={"N": "raises", "T": "raises"},
    ),
    "PositionClassifier": E(
        lambda: call(
            rt.PositionClassifier, cell="gru", D=D, H=H, V=V, rng=gen(), bidirectional=True
        ),
        bad={
            **CELL,
            "D": "count",
            "H": "count",
            "V": "count",
            "rng": "rng",
            "bidirectional": "flag",
        },
    ),
    "PositionClassifier.loss_and_grads": E(
        lambda N=2, T=3: call(_position().loss_and_grads, x=arr(N, T, D), y=ids(N, T)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "init_seq2seq": E(
        lambda: call(rt.init_seq2seq, cell="lstm", V=V, H=H, rng=gen(), dtype=np.float64),
        bad={**CELL, "V": "count", "H": "count", "rng": "rng", "dtype": "dtype"},
    ),
    "teacher_forcing_inputs": E(
        lambda N=2, T=3: call(rt.teacher_forcing_inputs, target=ids(N, T), end=V - 1),
        bad={
            "target": [(arr(2, 3), TypeError), (ids(6), ValueError), ("abc", TypeError)],
            "end": [(2.7, TypeError), (-1, ValueError), (None, TypeError)],
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "seq2seq_forward": E(
        lambda N=2, T=3: call(
            rt.seq2seq_forward,
            cell="gru",
            source=_s2s_data(N, T)[0],
            target=_s2s_data(N, T)[1],
            params=_s2s_params(),
            end=V - 1,
        ),
        bad={**CELL, "source": "tokens", "target": "tokens", "params": "params", "end": "symbol"},
        empty={"N": "ok", "T": "raises"},
    ),
    "seq2seq_loss": E(
        lambda N=2, T=3: call(
            rt.seq2seq_loss,
            cell="gru",
            source=_s2s_data(N, T)[0],
            target=_s2s_data(N, T)[1],
            params=_s2s_params(),
            end=V - 1,
        ),
        bad={**CELL, "source": "tokens", "target": "tokens", "params": "params", "end": "symbol"},
        empty={"N": "raises", "T": "raises"},
    ),
    "seq2seq_backward": E(
        lambda N=2: call(
            rt.seq2seq_backward,
            dlogits=arr(N, 3, V),
            cache=rt.seq2seq_forward("gru", *_s2s_data(N, 3), _s2s_params(), end=V - 1)[1],
        ),
        bad={"dlogits": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "greedy_decode": E(
        lambda N=2, T=3: call(
            rt.greedy_decode,
            cell="gru",
            source=_s2s_data(N, T)[0],
            params=_s2s_params(),
            end=V - 1,
            max_len=4,
        ),
        bad={
            **CELL,
            "source": "tokens",
            "params": "params",
            "end": "symbol",
            "max_len": "count",
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "decoding_accuracy": E(
        lambda N=2, T=3: call(
            rt.decoding_accuracy, predicted=ids(N, T), target=_s2s_data(N, 3)[1], end=V - 1
        ),
        bad={
            "predicted": [(arr(2, 3), TypeError), (ids(2), ValueError), (ids(3, 3), ValueError)],
            "target": [(arr(2, 3), TypeError), (ids(2, 3, high=V - 1), ValueError)],
            "end": [(2.7, TypeError), (None, TypeError)],
        },
        empty={"N": "raises", "T": "ok"},
    ),
    "reversal_task": E(
        lambda: call(rt.reversal_task, n=3, length=4, digits=V - 1, rng=gen()),
        bad={"n": "count", "length": "count", "digits": "count", "rng": "rng"},
    ),
    "EncoderDecoder": E(
        lambda: call(rt.EncoderDecoder, cell="gru", V=V, H=H, end=V - 1, rng=gen()),
        bad={**CELL, "V": "count", "H": "count", "end": "symbol", "rng": "rng"},
    ),
    "EncoderDecoder.loss_and_grads": E(
        lambda N=2, T=3: call(
            _encdec().loss_and_grads, source=_s2s_data(N, T)[0], target=_s2s_data(N, T)[1]
        ),
        bad={"source": "tokens", "target": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "EncoderDecoder.fit": E(
        lambda N=4: call(
            _encdec().fit,
            source=_s2s_data(N, 3)[0],
            target=_s2s_data(N, 3)[1],
            steps=2,
            rng=gen(),
            batch_size=2,
        ),
        bad={
            "source": "tokens",
            "target": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
        },
        empty={"N": "raises"},
    ),
    "EncoderDecoder.decode": E(
        lambda N=2, T=3: call(_encdec().decode, source=_s2s_data(N, T)[0], max_len=4),
        bad={"source": "tokens", "max_len": "count"},
        empty={"N": "ok", "T": "raises"},
    ),
    "EncoderDecoder.accuracy": E(
        lambda N=2, T=3: call(
            _encdec().accuracy, source=_s2s_data(N, T)[0], target=_s2s_data(N, T)[1], max_len=4
        ),
        bad={
            "source": "tokens",
            "target": [(arr(2, 3), TypeError), (ids(2), ValueError)],
            "max_len": "count",
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "PositionClassifier.scores": E(
        lambda N=2, T=3: call(_position().scores, x=arr(N, T, D)),
        bad={"x": SEQ_NO_STATE},
        empty={"N": "ok", "T": "raises"},
    ),
    "PositionClassifier.accuracy": E(
        lambda N=2, T=3: call(_position().accuracy, x=arr(N, T, D), y=ids(N), position=1),
        bad={"x": SEQ, "y": "tokens", "position": [(9, ValueError), (1.5, TypeError)]},
        empty={"N": "raises", "T": "raises"},
    ),
    "PositionClassifier.fit": E(
        lambda N=4: call(
            _position().fit, x=arr(N, 3, D), y=ids(N, 3), steps=2, rng=gen(), batch_size=2
        ),
        bad={
            "x": SEQ,
            "y": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
        },
        empty={"N": "raises"},
    ),
    "SequenceModel.accuracy": E(
        lambda N=2, T=3: call(_seqmodel().accuracy, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "SequenceModel.loss": E(
        lambda N=2, T=3: call(_seqmodel().loss, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "SequenceModel.input_gradients": E(
        lambda N=2, T=3: call(_seqmodel().input_gradients, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "SequenceModel.outputs": E(
        lambda N=2, T=3: call(_seqmodel().outputs, x=arr(N, T, D)),
        bad={"x": SEQ_NO_STATE},
        empty={"N": "ok", "T": "raises"},
    ),
    "SequenceModel.states": E(
        lambda N=2, T=3: call(_seqmodel().states, x=arr(N, T, D), params=_seqmodel().params),
        bad={"x": SEQ_NO_STATE, "params": "params"},
        empty={"N": "ok", "T": "raises"},
    ),
    "StackedClassifier.accuracy": E(
        lambda N=2, T=3: call(_stacked().accuracy, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "StackedClassifier.loss": E(
        lambda N=2, T=3: call(_stacked().loss, x=arr(N, T, D), y=ids(N)),
        bad={"x": SEQ, "y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "StackedClassifier.outputs": E(
        lambda N=2, T=3: call(_stacked().outputs, x=arr(N, T, D)),
        bad={"x": SEQ_NO_STATE},
        empty={"N": "ok", "T": "raises"},
    ),
    "StackedClassifier.predict": E(
        lambda N=2, T=3: call(_stacked().predict, x=arr(N, T, D)),
        bad={"x": SEQ_NO_STATE},
        empty={"N": "ok", "T": "raises"},
    ),
    "StackedClassifier.layers": E(
        lambda: call(_stacked().layers, params=_stacked().params),
        bad={"params": [("abc", TypeError), ([1], TypeError)]},
    ),
    "StackedClassifier.fit": E(
        lambda N=4: call(
            _stacked().fit,
            x=arr(N, 3, D),
            y=ids(N),
            steps=2,
            rng=gen(),
            batch_size=2,
            x_val=arr(2, 3, D, seed=1),
            y_val=ids(2, seed=1),
        ),
        bad={
            "x": SEQ,
            "y": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
            "eval_every": "count",
        },
        empty={"N": "raises"},
    ),
    "Vocabulary.from_text": E(
        lambda: call(rt.Vocabulary.from_text, text="abc", unknown="?"),
        bad={
            "text": [(3, TypeError), (None, TypeError)],
            "unknown": [("ab", ValueError), (3, TypeError)],
        },
    ),
    "Vocabulary.from_tokens": E(
        lambda: call(
            rt.Vocabulary.from_tokens, tokens=["to", "be"], unknown="<unk>", separator=" "
        ),
        bad={
            "tokens": [
                (3, TypeError),
                ("to be", TypeError),
                ([1, 2], TypeError),
            ],
            "unknown": [(3, TypeError)],
            "separator": [(3, TypeError)],
        },
    ),
    # ----------------------------------------------------------------- data
    "adding_problem": E(
        lambda: call(rt.adding_problem, n=3, T=4, rng=gen(), dtype=np.float32),
        bad={
            "n": "count",
            "T": [(1, ValueError), (-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "first_symbol_recall": E(
        lambda: call(
            rt.first_symbol_recall,
            n=3,
            lag=4,
            vocab_size=4,
            n_distractors=2,
            rng=gen(),
            dtype=np.float64,
        ),
        bad={
            "n": "count",
            "lag": [(-1, ValueError), (2.5, TypeError)],
            "vocab_size": "count",
            "n_distractors": "count",
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "masked_middle": E(
        lambda: call(rt.masked_middle, n=3, length=5, vocab_size=4, rng=gen(), dtype=np.float64),
        bad={
            "n": "count",
            "length": "count",
            "vocab_size": "count",
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "sine_windows": E(
        lambda: call(rt.sine_windows, n=3, window=4, step=0.1, start=0.0, dtype=np.float64),
        bad={
            "n": "count",
            "window": "count",
            "step": "positive",
            "start": "real",
            "dtype": "dtype",
        },
    ),
    "myst_prose": E(
        lambda: call(rt.myst_prose, text="# Title\n\nSome prose.\n"),
        bad={"text": [(3, TypeError), (None, TypeError), (b"bytes", TypeError)]},
    ),
    "read_prose": E(
        lambda: call(rt.read_prose, directory=_utf8_dir()),
        bad={
            "directory": [
                (_latin1_dir(), ValueError),
                ("/no/such/folder", ValueError),
                (3, TypeError),
            ]
        },
    ),
}


# --------------------------------------------------------------------------- later chapters
# padded batches, the language model, decoding, captioning and attention

CV, F, CD = 6, 3, 2  # caption vocabulary, image features, caption embedding width
LENGTHS = [
    (np.array([3, 3, 3]), ValueError),  # one length too many
    (np.array([3.0, 2.0]), TypeError),
    (np.array([0, 3]), ValueError),
    (np.array([4, 3]), ValueError),  # longer than T
    (np.array([-1, 3]), ValueError),
]
MASK = [
    (np.ones((2, 4), dtype=bool), ValueError),
    (np.ones((2, 3)), TypeError),
    ("abc", TypeError),
]
TABLE["rnn_forward"].bad["lengths"] = LENGTHS
TABLE["lstm_forward"].bad["lengths"] = LENGTHS
TABLE["gru_forward"].bad["lengths"] = LENGTHS
TABLE["layer_forward"].bad["lengths"] = LENGTHS
TABLE["bidirectional_forward"].bad["lengths"] = LENGTHS
TABLE["stack_forward"].bad["lengths"] = LENGTHS
TABLE["variational_layer_forward"].bad["lengths"] = LENGTHS
TABLE["softmax_cross_entropy"].bad["mask"] = MASK
TABLE["mse"].bad["mask"] = [(np.ones((2, V + 1), dtype=bool), ValueError), *MASK[1:]]


def _lm():
    return rt.init_language_model(V, D, H, cell="gru", rng=gen())


def _lm_model():
    return rt.LanguageModel(V, D, H, cell="gru", rng=gen(), lr=0.05)


def _stream(n=40):
    return np.tile(np.arange(V), n // V + 1)[:n]


def _att():
    return rt.init_attention(H, rng=gen())


def _att_s2s():
    return rt.init_attention_seq2seq("gru", V, H, rng=gen())


def _att_model():
    return rt.AttentionEncoderDecoder("gru", V, H, end=V - 1, rng=gen())


def _att_state(N):
    return (arr(N, H), arr(N, 3, H), np.ones((N, 3), dtype=bool))


def _dec_state(N):
    return (arr(N, H),)


def _table_step(tokens, state):
    return np.tile(np.log([0.6, 0.3, 0.1]), (len(tokens), 1)), state


def _cnn():
    return rt.init_cnn(8, rng=gen())


def _images(N):
    return gen().uniform(size=(N, 16, 16, 3))


def _scenes(N):
    return ids(N, 4, high=3)


def _captioner():
    return rt.init_captioner("gru", CV, F, CD, H, rng=gen())


def _captioner_model():
    return rt.Captioner("gru", V=CV, F=F, D=CD, H=H, rng=gen())


def _captions(N, T):
    return ids(N, T, high=CV), ids(N, T, high=CV, seed=1)


def _conv(N):
    W, b = rt.init_conv2d(3, 2, 4, rng=gen())
    return rt.conv2d_forward(arr(N, 5, 5, 2), W, b)


def _embedding(N, T):
    return rt.embedding_forward(ids(N, T), arr(V, D))


CORPUS = [(-_stream(), ValueError), (_stream() + 0.5, TypeError), ("abc", TypeError)]
PADDING = [(10**6, ValueError), (-1, ValueError), (2.7, TypeError), ("0", TypeError)]
WORDS = ["a", "red", "circle", "left", "of", "a", "blue", "square"]
LANGUAGE = {"language": [("fr", ValueError), (None, ValueError), (3, ValueError)]}

TABLE |= {
    # ----------------------------------------------------------------- padded batches
    "length_mask": E(
        lambda: call(rt.length_mask, lengths=np.array([3, 1]), T=3),
        bad={
            "lengths": [(np.array([3.0, 1.0]), TypeError), (np.array([4, 1]), ValueError)],
            "T": "count",
        },
    ),
    "past_end": E(
        lambda: call(rt.past_end, lengths=np.array([3, 1]), T=3),
        bad={
            "lengths": [(np.array([3.0, 1.0]), TypeError), (np.array([4, 1]), ValueError)],
            "T": "count",
        },
    ),
    "zero_past_end": E(
        lambda N=2, T=3: call(
            rt.zero_past_end, hs=arr(N, T, H), lengths=np.minimum(np.arange(1, N + 1), max(T, 1))
        ),
        bad={
            "hs": [*KINDS["array"](None), *KINDS["nan"](arr(2, 3, H)), (arr(2), ValueError)],
            "lengths": LENGTHS,
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "pad_sequences": E(
        lambda: call(rt.pad_sequences, seqs=[[5, 6, 7], [8]], pad=0),
        bad={
            "seqs": [("abc", TypeError), ([], ValueError), ([[1], "ab"], TypeError)],
            "pad": [("x", TypeError)],
            "dtype": [("banana", TypeError), (np.complex128, TypeError)],
        },
    ),
    "bucket_by_length": E(
        lambda: call(rt.bucket_by_length, lengths=[5, 1, 4, 2], batch_size=2, rng=gen()),
        bad={
            "lengths": [([5.5, 1], TypeError), ([0, 2], ValueError), ("ab", TypeError)],
            "batch_size": "count",
            "rng": [(42, TypeError)],
        },
    ),
    "padding_share": E(
        lambda: call(
            rt.padding_share, lengths=[4, 1, 3, 2], batches=[np.array([0, 1]), np.array([2, 3])]
        ),
        bad={
            "lengths": [([4.5, 1, 3, 2], TypeError), ([0, 1, 3, 2], ValueError)],
            "batches": [([np.array([0, 9])], ValueError), ("ab", TypeError)],
        },
    ),
    "init_embedding": E(
        lambda: call(rt.init_embedding, V=V, D=D, rng=gen(), padding_idx=0, dtype=np.float64),
        bad={"V": "count", "D": "count", "rng": "rng", "dtype": "dtype", "padding_idx": PADDING},
    ),
    "embedding_forward": E(
        lambda N=2, T=3: call(rt.embedding_forward, tokens=ids(N, T), W_embed=arr(V, D)),
        bad={"tokens": "tokens", "W_embed": "array nan rank", "padding_idx": PADDING},
        empty={"N": "ok", "T": "ok"},
    ),
    "embedding_backward": E(
        lambda N=2: call(rt.embedding_backward, dout=arr(N, 3, D), cache=_embedding(N, 3)[1]),
        bad={"dout": "array nan rank width batch", "cache": "cache"},
        empty={"N": "ok"},
    ),
    # ----------------------------------------------------------------- token streams
    "sequential_partition": E(
        lambda: call(rt.sequential_partition, tokens=_stream(), N=2, T=3, offset=1),
        bad={
            "tokens": CORPUS,
            "N": "count",
            "T": "count",
            "offset": [(-1, ValueError), (2.5, TypeError), (10**6, ValueError)],
        },
    ),
    "random_partition": E(
        lambda: call(rt.random_partition, tokens=_stream(), N=2, T=3, rng=gen()),
        bad={"tokens": CORPUS, "N": "count", "T": "count", "rng": "rng"},
    ),
    "unigram_log_probs": E(
        lambda: call(rt.unigram_log_probs, tokens=_stream(), V=V),
        bad={"tokens": "tokens", "V": "count"},
    ),
    "bigram_log_probs": E(
        lambda: call(rt.bigram_log_probs, tokens=_stream(), V=V, lam=0.9),
        bad={
            "tokens": "tokens",
            "V": "count",
            "lam": [(1.5, ValueError), (-0.1, ValueError), (NAN, ValueError), ("1", TypeError)],
        },
    ),
    "ngram_perplexity": E(
        lambda N=2, T=3: call(
            rt.ngram_perplexity,
            log_probs=np.log(np.full(V, 1 / V)),
            X=ids(N, T),
            Y=ids(N, T, seed=1),
        ),
        bad={"log_probs": "array nan", "X": "tokens", "Y": "tokens"},
        empty={"N": "raises", "T": "raises"},
    ),
    "xor_recall": E(
        lambda: call(rt.xor_recall, n=3, T=4, rng=gen(), dtype=np.float64),
        bad={
            "n": "count",
            "T": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    # ----------------------------------------------------------------- language model
    "init_language_model": E(
        lambda: call(rt.init_language_model, V=V, D=D, H=H, cell="gru", rng=gen()),
        bad={"V": "count", "D": "count", "H": "count", **CELL, "rng": "rng", "dtype": "dtype"},
    ),
    "lm_forward": E(
        lambda N=2, T=3: call(rt.lm_forward, params=_lm(), tokens=ids(N, T), cell="gru"),
        bad={
            "params": "params",
            "tokens": "tokens",
            **CELL,
            "state0": [((arr(3, H),), ValueError), ("abc", TypeError)],
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "lm_backward": E(
        lambda N=2: call(
            rt.lm_backward,
            dlogits=arr(N, 3, V),
            cache=rt.lm_forward(_lm(), ids(N, 3), cell="gru")[2],
        ),
        bad={"dlogits": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "lm_loss": E(
        lambda N=2, T=3: call(
            rt.lm_loss,
            params=_lm(),
            inputs=ids(N, T),
            targets=ids(N, T, seed=1),
            cell="gru",
            mask=np.ones((N, T), dtype=bool),
        ),
        bad={"params": "params", "inputs": "tokens", "targets": "tokens", **CELL, "mask": MASK},
        empty={"N": "raises", "T": "raises"},
    ),
    "LanguageModel": E(
        lambda: call(rt.LanguageModel, V=V, D=D, H=H, cell="gru", rng=gen(), lr=0.05),
        bad={
            "V": "count",
            "D": "count",
            "H": "count",
            **CELL,
            "rng": "rng",
            "lr": "positive",
            "dtype": "dtype",
        },
    ),
    "LanguageModel.fit": E(
        lambda: call(
            _lm_model().fit,
            X=ids(2, 2, 3),
            Y=ids(2, 2, 3, seed=1),
            carry_state=True,
            clip=1.0,
            lr=[0.05, 0.01],
        ),
        bad={
            "X": "tokens rank",
            "Y": "tokens",
            "carry_state": "flag",
            "clip": "positive",
            "lr": [([0.05], ValueError), ([0.05, -1.0], ValueError), (["a", "b"], TypeError)],
        },
    ),
    "LanguageModel.mean_loss": E(
        lambda: call(_lm_model().mean_loss, X=ids(2, 2, 3), Y=ids(2, 2, 3, seed=1)),
        bad={"X": "tokens rank", "Y": "tokens"},
    ),
    "LanguageModel.sample": E(
        lambda: call(_lm_model().sample, seed=[0, 1], n=4, temperature=1.0, rng=gen()),
        bad={
            "seed": [([10**6], ValueError), ([1.5], TypeError), ([], ValueError)],
            "n": [(-1, ValueError), (True, TypeError), (2.5, TypeError), ("3", TypeError)],
            "temperature": "positive",
            "rng": "rng",
        },
    ),
    # ----------------------------------------------------------------- decoding
    "log_softmax": E(
        lambda N=2: call(rt.log_softmax, z=arr(N, V)),
        bad={"z": [("abc", TypeError), (_with_nan(arr(2, V)), ValueError), (1.0, ValueError)]},
        empty={"N": "ok"},
    ),
    "beam_search": E(
        lambda: call(
            rt.beam_search,
            step=_table_step,
            state=(np.zeros((2, 1)),),
            start=1,
            end=1,
            beam_width=2,
            max_len=3,
            alpha=0.0,
        ),
        bad={
            "step": [("abc", TypeError)],
            "state": [("abc", TypeError)],
            "start": [(2.5, TypeError), (-1, ValueError)],
            "end": "symbol",
            "beam_width": "count",
            "max_len": "count",
            "alpha": "real",
        },
    ),
    "decoder_step": E(
        lambda: call(rt.decoder_step, cell="gru", params=_s2s_params()),
        bad={**CELL, "params": "params"},
    ),
    "beam_decode": E(
        lambda N=2, T=3: call(
            rt.beam_decode,
            cell="gru",
            source=_s2s_data(N, T)[0],
            params=_s2s_params(),
            end=V - 1,
            max_len=4,
            beam_width=2,
        ),
        bad={
            **CELL,
            "source": "tokens",
            "params": "params",
            "end": "symbol",
            "max_len": "count",
            "beam_width": "count",
            "alpha": "real",
        },
        empty={"N": "ok", "T": "raises"},
    ),
    # ----------------------------------------------------------------- attention
    "init_attention": E(
        lambda: call(rt.init_attention, H=H, rng=gen(), dtype=np.float64),
        bad={"H": "count", "rng": "rng", "dtype": "dtype"},
    ),
    "attention_forward": E(
        lambda N=2, T=3: call(
            rt.attention_forward,
            s=arr(N, H),
            hs=arr(N, T, H, seed=1),
            params=_att(),
            mask=np.ones((N, T), dtype=bool),
        ),
        bad={"s": STEP, "hs": "array nan rank width batch", "params": "params", "mask": MASK},
        empty={"N": "ok", "T": "raises"},
    ),
    "attention_backward": E(
        lambda N=2: call(
            rt.attention_backward,
            dc=arr(N, H),
            cache=rt.attention_forward(arr(N, H), arr(N, 3, H, seed=1), _att())[2],
        ),
        bad={"dc": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "init_attention_seq2seq": E(
        lambda: call(rt.init_attention_seq2seq, cell="gru", V=V, H=H, score="additive", rng=gen()),
        bad={
            **CELL,
            "V": "count",
            "H": "count",
            "score": "choice",
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "attention_seq2seq_forward": E(
        lambda N=2, T=3: call(
            rt.attention_seq2seq_forward,
            cell="gru",
            source=_s2s_data(N, T)[0],
            target=_s2s_data(N, T)[1],
            params=_att_s2s(),
            end=V - 1,
            lengths=np.full(N, max(T, 1)),
        ),
        bad={
            **CELL,
            "source": "tokens",
            "target": "tokens",
            "params": "params",
            "end": "symbol",
            "lengths": LENGTHS,
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "attention_seq2seq_backward": E(
        lambda N=2: call(
            rt.attention_seq2seq_backward,
            dlogits=arr(N, 3, V),
            cache=rt.attention_seq2seq_forward("gru", *_s2s_data(N, 3), _att_s2s(), end=V - 1)[2],
        ),
        bad={"dlogits": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "attention_seq2seq_loss": E(
        lambda N=2, T=3: call(
            rt.attention_seq2seq_loss,
            cell="gru",
            source=_s2s_data(N, T)[0],
            target=_s2s_data(N, T)[1],
            params=_att_s2s(),
            end=V - 1,
        ),
        bad={
            **CELL,
            "source": "tokens",
            "target": "tokens",
            "params": "params",
            "end": "symbol",
            "lengths": LENGTHS,
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "attention_decoder_step": E(
        lambda: call(rt.attention_decoder_step, cell="gru", params=_att_s2s()),
        bad={**CELL, "params": "params"},
    ),
    "attention_decode": E(
        lambda N=2, T=3: call(
            rt.attention_decode,
            cell="gru",
            source=_s2s_data(N, T)[0],
            params=_att_s2s(),
            end=V - 1,
            max_len=4,
            beam_width=2,
        ),
        bad={
            **CELL,
            "source": "tokens",
            "params": "params",
            "end": "symbol",
            "max_len": "count",
            "beam_width": "count",
            "alpha": "real",
            "lengths": LENGTHS,
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "AttentionEncoderDecoder": E(
        lambda: call(rt.AttentionEncoderDecoder, cell="gru", V=V, H=H, end=V - 1, rng=gen()),
        bad={**CELL, "V": "count", "H": "count", "end": "symbol", "rng": "rng", "score": "choice"},
    ),
    "AttentionEncoderDecoder.loss_and_grads": E(
        lambda N=2, T=3: call(
            _att_model().loss_and_grads, source=_s2s_data(N, T)[0], target=_s2s_data(N, T)[1]
        ),
        bad={"source": "tokens", "target": "tokens", "params": KINDS["params"](_att_s2s())},
        empty={"N": "raises", "T": "raises"},
    ),
    "AttentionEncoderDecoder.decode": E(
        lambda N=2, T=3: call(_att_model().decode, source=_s2s_data(N, T)[0], max_len=4),
        bad={"source": "tokens", "max_len": "count", "beam_width": "count", "alpha": "real"},
        empty={"N": "ok", "T": "raises"},
    ),
    "AttentionEncoderDecoder.attend": E(
        lambda N=2, T=3: call(_att_model().attend, source=_s2s_data(N, T)[0], max_len=4),
        bad={"source": "tokens", "max_len": "count", "beam_width": "count"},
        empty={"N": "ok", "T": "raises"},
    ),
    # ----------------------------------------------------------------- convolution
    "im2col": E(
        lambda N=2: call(rt.im2col, x=arr(N, 4, 4, 2), k=3),
        bad={"x": "array nan rank", "k": [(0, ValueError), (2, ValueError), (2.5, TypeError)]},
        empty={"N": "ok"},
    ),
    "col2im": E(
        lambda N=2: call(rt.col2im, dcols=arr(N * 16, 18), shape=(N, 4, 4, 2), k=3),
        bad={
            "dcols": "array nan rank width",
            "shape": [("ab", TypeError), ((2, 4, 4), ValueError)],
            "k": [(0, ValueError), (2.5, TypeError)],
        },
        empty={"N": "ok"},
    ),
    "init_conv2d": E(
        lambda: call(rt.init_conv2d, k=3, channels_in=2, channels_out=4, rng=gen()),
        bad={
            "k": "count",
            "channels_in": "count",
            "channels_out": "count",
            "rng": "rng",
            "dtype": "dtype",
        },
    ),
    "conv2d_forward": E(
        lambda N=2: call(
            rt.conv2d_forward,
            x=arr(N, 5, 5, 2),
            W=rt.init_conv2d(3, 2, 4, rng=gen())[0],
            b=np.zeros(4),
        ),
        bad={"x": "array nan rank width", "W": "array nan rank width", "b": "array nan width"},
        empty={"N": "ok"},
    ),
    "conv2d_backward": E(
        lambda N=2: call(rt.conv2d_backward, dout=arr(N, 5, 5, 4), cache=_conv(N)[1]),
        bad={"dout": "array nan rank width batch", "cache": "cache"},
        empty={"N": "ok"},
    ),
    "maxpool2d_forward": E(
        lambda N=2: call(rt.maxpool2d_forward, x=arr(N, 4, 4, 2)),
        bad={
            "x": [
                *KINDS["array"](None),
                *KINDS["nan"](arr(2, 4, 4, 2)),
                (arr(2, 4, 4), ValueError),
                (arr(2, 5, 4, 2), ValueError),
            ]
        },
        empty={"N": "ok"},
    ),
    "maxpool2d_backward": E(
        lambda N=2: call(
            rt.maxpool2d_backward,
            dout=arr(N, 2, 2, 2),
            cache=rt.maxpool2d_forward(arr(N, 4, 4, 2))[1],
        ),
        bad={"dout": "array nan rank width batch", "cache": "cache"},
        empty={"N": "ok"},
    ),
    # ----------------------------------------------------------------- scenes
    "describe": E(
        lambda: call(rt.describe, scene=(0, 0, 2, 1), phrasing=1, language="en"),
        bad={
            "scene": [((0, 0, 2), ValueError), ((9, 0, 2, 1), ValueError), ("abcd", TypeError)],
            "phrasing": [(99, ValueError), (1.5, TypeError)],
            **LANGUAGE,
        },
    ),
    "draw_scenes": E(
        lambda N=2: call(rt.draw_scenes, scenes=_scenes(N), rng=gen(), noise=0.05),
        bad={
            "scenes": [
                (ids(2, 3), ValueError),
                (ids(2, 4, high=99), ValueError),
                (arr(2, 4), TypeError),
            ],
            "rng": "rng",
            "noise": [(-1.0, ValueError), (NAN, ValueError), ("1", TypeError)],
        },
        empty={"N": "ok"},
    ),
    "caption_text": E(
        lambda: call(rt.caption_text, words=["a", "red", "circle"], language="en"),
        bad={"words": [("a red", TypeError), ([1, 2], TypeError)], **LANGUAGE},
    ),
    "caption_vocabulary": E(lambda: call(rt.caption_vocabulary, language="en"), bad=LANGUAGE),
    "caption_words": E(
        lambda: call(
            rt.caption_words, tokens=[3, 11, 15, 2, 0], vocabulary=rt.caption_vocabulary("en")
        ),
        bad={
            "tokens": [([10**6], ValueError), ([-1], ValueError), ([1.5], TypeError)],
            "vocabulary": [("abc", TypeError), (None, TypeError)],
        },
    ),
    "encode_captions": E(
        lambda: call(
            rt.encode_captions,
            captions=[["a", "red", "circle"], ["a"]],
            vocabulary=rt.caption_vocabulary("en"),
        ),
        bad={
            "captions": [("abc", TypeError), ([["zebra"]], ValueError), ([], ValueError)],
            "vocabulary": [("abc", TypeError), (None, TypeError)],
        },
    ),
    "parse_caption": E(
        lambda: call(rt.parse_caption, words=WORDS, language="en"),
        bad={"words": [("a red", TypeError), ([1, 2], TypeError)], **LANGUAGE},
    ),
    "page_language": E(
        lambda: call(rt.page_language, directory="docs/zh_CN"),
        bad={"directory": [(3, TypeError)]},
    ),
    "scene_splits": E(
        lambda: call(rt.scene_splits, n_train=6, n_validation=2, n_test=2, seed=0),
        bad={
            "n_train": "count",
            "n_validation": "count",
            "n_test": "count",
            "seed": [(-1, ValueError), (2.5, TypeError), (None, TypeError)],
            "held_out_pairs": "prob",
        },
    ),
    # ----------------------------------------------------------------- captioner
    "init_cnn": E(
        lambda: call(rt.init_cnn, F=8, rng=gen(), channels=(8, 16), classes=(4, 3, 4, 3)),
        bad={
            "F": "count",
            "rng": "rng",
            "dtype": "dtype",
            "channels": [((8,), ValueError), ((0, 16), ValueError), ("ab", TypeError)],
            "classes": [((4, 0, 4, 3), ValueError), ("ab", TypeError)],
        },
    ),
    "remove_head": E(
        lambda: call(rt.remove_head, params=_cnn()),
        bad={"params": [("abc", TypeError), ({}, ValueError)]},
    ),
    "cnn_forward": E(
        lambda N=2: call(rt.cnn_forward, images=_images(N), params=_cnn()),
        bad={"images": "array nan rank width", "params": "params"},
        empty={"N": "ok"},
    ),
    "cnn_backward": E(
        lambda N=2: call(
            rt.cnn_backward, df=arr(N, 8), cache=rt.cnn_forward(_images(N), _cnn())[1]
        ),
        bad={"df": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "attribute_loss": E(
        lambda N=2: call(rt.attribute_loss, images=_images(N), scenes=_scenes(N), params=_cnn()),
        bad={
            "images": "array nan rank width batch",
            "params": "params",
            "scenes": [
                (ids(2, 3), ValueError),
                (ids(2, 4, high=99), ValueError),
                (arr(2, 4), TypeError),
            ],
        },
        empty={"N": "raises"},
    ),
    "attribute_accuracy": E(
        lambda N=2: call(
            rt.attribute_accuracy, images=_images(N), scenes=_scenes(N), params=_cnn()
        ),
        bad={
            "images": "array nan rank width batch",
            "params": "params",
            "scenes": [
                (ids(2, 3), ValueError),
                (ids(2, 4, high=99), ValueError),
                (arr(2, 4), TypeError),
            ],
        },
        empty={"N": "raises"},
    ),
    "fit_cnn": E(
        lambda N=4: call(
            rt.fit_cnn,
            params=_cnn(),
            images=_images(N),
            scenes=_scenes(N),
            epochs=1,
            rng=gen(),
            batch_size=2,
        ),
        bad={
            "params": "params",
            "images": "array nan rank width batch",
            "scenes": [(ids(4, 3), ValueError), (arr(4, 4), TypeError)],
            "epochs": [(-1, ValueError), (True, TypeError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
            "lr": "positive",
        },
        empty={"N": "raises"},
        mutates=("params",),
    ),
    "init_captioner": E(
        lambda: call(rt.init_captioner, cell="gru", V=CV, F=F, D=CD, H=H, rng=gen()),
        bad={
            **CELL,
            "V": "count",
            "F": "count",
            "D": "count",
            "H": "count",
            "rng": "rng",
            "every_step": "flag",
            "dtype": "dtype",
        },
    ),
    "caption_start": E(
        lambda N=2: call(rt.caption_start, cell="gru", features=arr(N, F), params=_captioner()),
        bad={**CELL, "features": "array nan rank width", "params": "params"},
        empty={"N": "ok"},
    ),
    "caption_forward": E(
        lambda N=2, T=3: call(
            rt.caption_forward,
            cell="gru",
            features=arr(N, F),
            inputs=_captions(N, T)[0],
            params=_captioner(),
        ),
        bad={
            **CELL,
            "features": "array nan rank width batch",
            "inputs": "tokens",
            "params": "params",
        },
        empty={"N": "ok", "T": "raises"},
    ),
    "caption_backward": E(
        lambda N=2: call(
            rt.caption_backward,
            dlogits=arr(N, 3, CV),
            cache=rt.caption_forward("gru", arr(N, F), _captions(N, 3)[0], _captioner())[1],
        ),
        bad={"dlogits": GRAD, "cache": "cache"},
        empty={"N": "ok"},
    ),
    "caption_loss": E(
        lambda N=2, T=3: call(
            rt.caption_loss,
            cell="gru",
            features=arr(N, F),
            inputs=_captions(N, T)[0],
            targets=_captions(N, T)[1],
            params=_captioner(),
        ),
        bad={
            **CELL,
            "features": "array nan rank width batch",
            "inputs": "tokens",
            "targets": "tokens",
            "params": "params",
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "caption_step": E(
        lambda N=2: call(
            rt.caption_step,
            cell="gru",
            params=_captioner(),
            features=arr(N, F),
            tokens=ids(N, high=CV),
            state=rt.caption_start("gru", arr(N, F), _captioner()),
        ),
        bad={
            **CELL,
            "params": "params",
            "features": "array nan rank width batch",
            "tokens": "tokens",
            "state": [("abc", TypeError), ((arr(3, H),), ValueError)],
        },
        empty={"N": "ok"},
    ),
    "decode_captions": E(
        lambda N=2: call(
            rt.decode_captions,
            cell="gru",
            features=arr(N, F),
            params=_captioner(),
            max_len=4,
            temperature=1.0,
            rng=gen(),
        ),
        bad={
            **CELL,
            "features": "array nan rank width",
            "params": "params",
            "max_len": "count",
            "temperature": "positive",
            "rng": [(42, TypeError)],
        },
        empty={"N": "ok"},
    ),
    "caption_beam_search": E(
        lambda N=2: call(
            rt.caption_beam_search,
            cell="gru",
            features=arr(N, F),
            params=_captioner(),
            beam_width=2,
            max_len=4,
        ),
        bad={
            **CELL,
            "features": "array nan rank width",
            "params": "params",
            "beam_width": "count",
            "max_len": "count",
            "alpha": "real",
        },
        empty={"N": "ok"},
    ),
    "Captioner": E(
        lambda: call(rt.Captioner, cell="gru", V=CV, F=F, D=CD, H=H, rng=gen()),
        bad={
            **CELL,
            "V": "count",
            "F": "count",
            "D": "count",
            "H": "count",
            "rng": "rng",
            "every_step": "flag",
        },
    ),
    "Captioner.loss_and_grads": E(
        lambda N=2, T=3: call(
            _captioner_model().loss_and_grads,
            features=arr(N, F),
            inputs=_captions(N, T)[0],
            targets=_captions(N, T)[1],
        ),
        bad={
            "features": "array nan rank width batch",
            "inputs": "tokens",
            "targets": "tokens",
            "params": KINDS["params"](_captioner()),
        },
        empty={"N": "raises", "T": "raises"},
    ),
    "Captioner.fit": E(
        lambda N=4: call(
            _captioner_model().fit,
            features=arr(N, F),
            inputs=_captions(N, 3)[0],
            targets=_captions(N, 3)[1],
            steps=2,
            rng=gen(),
            batch_size=2,
        ),
        bad={
            "features": "array nan rank width batch",
            "inputs": "tokens",
            "targets": "tokens",
            "steps": [(-1, ValueError), (2.5, TypeError)],
            "rng": "rng",
            "batch_size": "count",
            "lr": "positive",
            "clip": "positive",
        },
        empty={"N": "raises"},
    ),
    "Captioner.decode": E(
        lambda N=2: call(_captioner_model().decode, features=arr(N, F), max_len=4),
        bad={
            "features": "array nan rank width",
            "max_len": "count",
            "temperature": "positive",
            "rng": [(42, TypeError)],
        },
        empty={"N": "ok"},
    ),
    "Captioner.beam": E(
        lambda N=2: call(_captioner_model().beam, features=arr(N, F), beam_width=2, max_len=4),
        bad={
            "features": "array nan rank width",
            "beam_width": "count",
            "max_len": "count",
            "alpha": "real",
        },
        empty={"N": "ok"},
    ),
}


# --------------------------------------------------------------------------- running a case


def public_methods() -> list[str]:
    """``"Class.method"`` for every public method of a public class."""
    names = []
    for name in public_functions():
        obj = getattr(rt, name)
        if isinstance(obj, type):
            names += [
                f"{name}.{m}"
                for m, member in vars(obj).items()
                if not m.startswith("_")
                and callable(getattr(obj, m))
                and not isinstance(member, property)
            ]
    return names


def public_functions() -> list[str]:
    """Every public name that is called: functions and classes, not caches or constants."""
    names = []
    for name in rt.__all__:
        obj = getattr(rt, name)
        if not callable(obj):
            continue  # a constant (ATTRIBUTE_SIZES, CAPTION_END ...): nothing to call
        if isinstance(obj, type) and issubclass(obj, tuple) and hasattr(obj, "_fields"):
            continue  # a NamedTuple: a cache or a history, built by the functions
        names.append(name)
    return names


def bad_values(entry: E, name: str, kinds) -> list:
    fn, kwargs = entry.build()
    valid = kwargs.get(name)
    if isinstance(kinds, str):
        return [case for kind in kinds.split() for case in KINDS[kind](valid)]
    return list(kinds)


def cases() -> list[tuple[str, str, int]]:
    """``(entry, argument, index)`` of every bad-input case."""
    out = []
    for key, entry in TABLE.items():
        for arg, kinds in entry.bad.items():
            out.extend((key, arg, i) for i in range(len(bad_values(entry, arg, kinds))))
    return out


def names_argument(message: str, arg: str) -> bool:
    return re.search(rf"(?<![\w\"]){re.escape(arg)}(?![\w\"])", message) is not None


def same(a, b) -> bool:
    """Structural equality that treats NaN as equal to NaN and skips generators and models."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (
            isinstance(a, np.ndarray)
            and isinstance(b, np.ndarray)
            and a.dtype == b.dtype
            and a.shape == b.shape
            and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc")
        )
    if isinstance(a, dict):
        return isinstance(b, dict) and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, (str, bytes, int, float, type(None))):
        return a == b or (a != a and b != b)
    return True  # generators, paths, functions, models: not data the call should preserve


def has_nan(value) -> bool:
    if isinstance(value, np.ndarray):
        return value.dtype.kind in "fc" and bool(np.isnan(value).any())
    if isinstance(value, float):
        return value != value
    if isinstance(value, dict):
        return any(has_nan(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_nan(v) for v in value)
    return False


def run(fn, kwargs, *, expect=None, arg=None, mutates=()):
    """How one call ends, and a detail string.

    ``"clear"``: the expected exception, naming the argument (or a valid call
    returning no NaN); ``"class"``: a message naming the argument but the other
    exception class; ``"raw"``: any other error; ``"silent"``: a bad input
    accepted, or NaN returned; ``"mutated"``: an input changed.
    """
    before = copy.deepcopy(kwargs)
    try:
        result = fn(**kwargs)
        if expect is None and hasattr(result, "__iter__") and not isinstance(result, (str, dict)):
            result = list(result) if not isinstance(result, tuple) else result
    except Exception as error:  # noqa: BLE001 (classifying every way a call can end)
        text = f"{type(error).__name__}: {error}"
        changed = [k for k in kwargs if not same(kwargs[k], before[k])]
        if changed:
            return "mutated", f"{text} (changed {', '.join(changed)})"
        if expect is None:
            return "raw", text
        if not names_argument(str(error), arg) or not isinstance(error, (ValueError, TypeError)):
            return "raw", text
        if not isinstance(error, expect):
            return "class", text  # a clear message, but ValueError for a type or the reverse
        return "clear", text
    changed = [k for k in kwargs if k not in mutates and not same(kwargs[k], before[k])]
    if changed:
        return "mutated", f"changed {', '.join(changed)}"
    if expect is not None:
        return "silent", f"returned {type(result).__name__}"
    if has_nan(result):
        return "silent", "returned NaN"
    return "clear", "returned"


def run_bad(key: str, arg: str, index: int):
    entry = TABLE[key]
    bad, expect = bad_values(entry, arg, entry.bad[arg])[index]
    fn, kwargs = entry.build()
    if bad is Foreign:
        bad = foreign_cache(kwargs[arg])
    kwargs[arg] = bad
    return run(fn, kwargs, expect=expect, arg=arg)


def run_empty(key: str, size: str):
    entry = TABLE[key]
    outcome = entry.empty[size]
    try:
        fn, kwargs = entry.build(**{size: 0})
    except Exception as error:  # noqa: BLE001
        return "raw", f"building the call failed: {type(error).__name__}: {error}"
    if outcome == "ok":
        return run(fn, kwargs, mutates=entry.mutates)
    result, detail = run(fn, kwargs, expect=ValueError, arg="")
    if result == "clear" and not any(names_argument(detail, a) for a in kwargs):
        return "raw", detail
    return result, detail


def run_valid(key: str):
    entry = TABLE[key]
    fn, kwargs = entry.build()
    return run(fn, kwargs, mutates=entry.mutates)


def tally() -> dict:
    counts: dict = {}
    examples: dict = {}
    all_runs = [("valid", k, run_valid(k)) for k in TABLE]
    all_runs += [("bad", c, run_bad(*c)) for c in cases()]
    all_runs += [("empty", (k, s), run_empty(k, s)) for k, e in TABLE.items() for s in e.empty]
    for group, case, (result, detail) in all_runs:
        counts[(group, result)] = counts.get((group, result), 0) + 1
        examples.setdefault(result, []).append((case, detail))
    return counts, examples


if __name__ == "__main__":
    import warnings

    warnings.simplefilter("ignore")
    counts, examples = tally()
    covered = [n for n in public_functions() if n in TABLE]
    print(f"public functions: {len(public_functions())}, in the table: {len(covered)}")
    print(f"table entries (with methods): {len(TABLE)}")
    for (group, result), n in sorted(counts.items()):
        print(f"{group:6s} {result:8s} {n}")
    if "-v" in sys.argv:
        for result, items in examples.items():
            if result == "clear":
                continue
            for case, detail in items:
                print(f"{result:8s} {case} {detail[:160]}")
