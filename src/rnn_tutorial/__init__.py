"""rnn_tutorial: recurrent neural networks in numpy, the package behind the book.

Batch-first rows everywhere: a step input is ``(N, D)``, a state ``(N, H)``,
a sequence ``(N, T, D)``; layers compute ``x @ W``. Weights live in dicts named
after the book's symbols, and every forward function has a backward partner
that takes the cache it returned.
"""

from .activations import relu, sigmoid, softmax, tanh
from .dense import DenseCache, dense_backward, dense_forward
from .gradcheck import grad_check, numerical_gradient, relative_error
from .losses import softmax_cross_entropy
from .params import count_params, init_dense, init_rnn
from .rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)

__version__ = "0.1.0"

__all__ = [
    "DenseCache",
    "RNNCache",
    "RNNStepCache",
    "count_params",
    "dense_backward",
    "dense_forward",
    "grad_check",
    "init_dense",
    "init_rnn",
    "numerical_gradient",
    "relative_error",
    "relu",
    "rnn_backward",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_step_forward",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "tanh",
]
