"""The recurrent cells: the vanilla RNN, the LSTM and the GRU, one step and whole sequences."""

from .activations import (
    relu,
    sigmoid,
    softmax,
    tanh,
)
from .gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from .lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from .rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from .step_loops import (
    StepCaches,
    gru_backward_steps,
    gru_forward_steps,
    lstm_backward_steps,
    lstm_forward_steps,
    rnn_backward_steps,
    rnn_forward_steps,
)

__all__ = [
    "gru_backward",
    "gru_backward_steps",
    "gru_forward",
    "gru_forward_steps",
    "gru_step_backward",
    "gru_step_forward",
    "GRUCache",
    "GRUStepCache",
    "lstm_backward",
    "lstm_backward_steps",
    "lstm_forward",
    "lstm_forward_steps",
    "lstm_step_backward",
    "lstm_step_forward",
    "LSTMCache",
    "LSTMStepCache",
    "relu",
    "rnn_backward",
    "rnn_backward_steps",
    "rnn_forward",
    "rnn_forward_steps",
    "rnn_step_backward",
    "rnn_step_forward",
    "RNNCache",
    "RNNStepCache",
    "sigmoid",
    "softmax",
    "StepCaches",
    "tanh",
]
