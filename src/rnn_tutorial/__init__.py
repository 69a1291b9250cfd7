"""rnn_tutorial: recurrent neural networks in numpy, the package behind the book.

Batch-first rows everywhere: a step input is ``(N, D)``, a state ``(N, H)``,
a sequence ``(N, T, D)``; layers compute ``x @ W``. Weights live in dicts named
after the book's symbols, and every forward function has a backward partner
that takes the cache it returned.
"""

from .activations import relu, sigmoid, softmax, tanh
from .bidirectional import (
    BidirectionalCache,
    PositionClassifier,
    SumProjectionsCache,
    bidirectional_backward,
    bidirectional_forward,
    init_bidirectional,
    masked_middle,
    reverse_time,
    split_directions,
    stack_directions,
    sum_projections_backward,
    sum_projections_forward,
    unstack_directions,
)
from .bptt import sequence_loss_and_grads, truncated_bptt_chunks, truncated_bptt_grads
from .charlm import CharRNN, TrainingHistory, Vocabulary, one_hot
from .clipping import clip_elementwise, clip_global_norm, global_norm
from .corpus import myst_prose, read_prose
from .dense import DenseCache, dense_backward, dense_forward
from .dropout import (
    DropoutCache,
    VariationalLayerCache,
    dropout_backward,
    dropout_forward,
    dropout_mask,
    variational_layer_backward,
    variational_layer_forward,
)
from .gradcheck import grad_check, numerical_gradient, relative_error
from .gradient_flow import (
    hidden_gradient_norms,
    jacobian_product_bound,
    scaled_recurrent_weights,
)
from .gru import (
    GRUCache,
    GRUStepCache,
    gru_backward,
    gru_forward,
    gru_step_backward,
    gru_step_forward,
)
from .layers import LayerCache, init_layer, layer_backward, layer_forward, zero_state
from .layouts import (
    gru_from_torch,
    gru_swap_update_convention,
    gru_to_torch,
    lstm_from_assignment,
    lstm_from_torch,
    lstm_to_keras,
    lstm_to_torch,
)
from .losses import softmax_cross_entropy
from .lstm import (
    LSTMCache,
    LSTMStepCache,
    lstm_backward,
    lstm_forward,
    lstm_step_backward,
    lstm_step_forward,
)
from .optim import SGD, Adagrad, Adam
from .params import count_params, init_dense, init_gru, init_lstm, init_rnn
from .rnn import (
    RNNCache,
    RNNStepCache,
    rnn_backward,
    rnn_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from .seq2seq import (
    EncoderDecoder,
    Seq2SeqCache,
    decoding_accuracy,
    greedy_decode,
    init_seq2seq,
    reversal_task,
    seq2seq_backward,
    seq2seq_forward,
    seq2seq_loss,
    teacher_forcing_inputs,
)
from .stacked import (
    StackCache,
    StackedClassifier,
    StackFitHistory,
    init_stack,
    stack_backward,
    stack_forward,
    stack_param_counts,
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

__version__ = "0.1.0"

__all__ = [
    "Adagrad",
    "Adam",
    "BidirectionalCache",
    "CharRNN",
    "DenseCache",
    "DropoutCache",
    "EncoderDecoder",
    "GRUCache",
    "GRUStepCache",
    "LSTMCache",
    "LSTMStepCache",
    "LayerCache",
    "PositionClassifier",
    "RNNCache",
    "RNNStepCache",
    "SGD",
    "Seq2SeqCache",
    "StackCache",
    "StackFitHistory",
    "StackedClassifier",
    "StepCaches",
    "SumProjectionsCache",
    "TrainingHistory",
    "VariationalLayerCache",
    "Vocabulary",
    "bidirectional_backward",
    "bidirectional_forward",
    "clip_elementwise",
    "clip_global_norm",
    "count_params",
    "decoding_accuracy",
    "dense_backward",
    "dense_forward",
    "dropout_backward",
    "dropout_forward",
    "dropout_mask",
    "global_norm",
    "grad_check",
    "greedy_decode",
    "gru_backward",
    "gru_backward_steps",
    "gru_forward",
    "gru_forward_steps",
    "gru_from_torch",
    "gru_step_backward",
    "gru_step_forward",
    "gru_swap_update_convention",
    "gru_to_torch",
    "hidden_gradient_norms",
    "init_bidirectional",
    "init_dense",
    "init_gru",
    "init_layer",
    "init_lstm",
    "init_rnn",
    "init_seq2seq",
    "init_stack",
    "jacobian_product_bound",
    "layer_backward",
    "layer_forward",
    "lstm_backward",
    "lstm_backward_steps",
    "lstm_forward",
    "lstm_forward_steps",
    "lstm_from_assignment",
    "lstm_from_torch",
    "lstm_step_backward",
    "lstm_step_forward",
    "lstm_to_keras",
    "lstm_to_torch",
    "masked_middle",
    "myst_prose",
    "numerical_gradient",
    "one_hot",
    "read_prose",
    "relative_error",
    "relu",
    "reversal_task",
    "reverse_time",
    "rnn_backward",
    "rnn_backward_steps",
    "rnn_forward",
    "rnn_forward_steps",
    "rnn_step_backward",
    "rnn_step_forward",
    "scaled_recurrent_weights",
    "seq2seq_backward",
    "seq2seq_forward",
    "seq2seq_loss",
    "sequence_loss_and_grads",
    "sigmoid",
    "softmax",
    "softmax_cross_entropy",
    "split_directions",
    "stack_backward",
    "stack_directions",
    "stack_forward",
    "stack_param_counts",
    "sum_projections_backward",
    "sum_projections_forward",
    "tanh",
    "teacher_forcing_inputs",
    "truncated_bptt_chunks",
    "truncated_bptt_grads",
    "unstack_directions",
    "variational_layer_backward",
    "variational_layer_forward",
    "zero_state",
]

# Synthetic memory tasks, the mean squared error, and one trainable model for all three cells.
from .losses import mse  # noqa: E402
from .tasks import adding_problem, first_symbol_recall, sine_windows  # noqa: E402
from .training import FitHistory, SequenceModel  # noqa: E402

__all__ += [
    "FitHistory",
    "SequenceModel",
    "adding_problem",
    "first_symbol_recall",
    "mse",
    "sine_windows",
]
