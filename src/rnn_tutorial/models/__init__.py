"""Trained wholes: the character model, the sequence classifiers, the encoder-decoder."""

from .charlm import (
    CharRNN,
    TrainingHistory,
    Vocabulary,
    one_hot,
)
from .classifier import (
    FitHistory,
    SequenceModel,
)
from .language_model import (
    LanguageModel,
    LMCache,
    init_language_model,
    lm_backward,
    lm_forward,
    lm_loss,
)
from .position_classifier import (
    PositionClassifier,
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
from .stacked_classifier import (
    StackedClassifier,
    StackFitHistory,
)

__all__ = [
    "CharRNN",
    "decoding_accuracy",
    "EncoderDecoder",
    "FitHistory",
    "greedy_decode",
    "init_language_model",
    "init_seq2seq",
    "LanguageModel",
    "lm_backward",
    "lm_forward",
    "lm_loss",
    "LMCache",
    "one_hot",
    "PositionClassifier",
    "reversal_task",
    "seq2seq_backward",
    "seq2seq_forward",
    "seq2seq_loss",
    "Seq2SeqCache",
    "SequenceModel",
    "StackedClassifier",
    "StackFitHistory",
    "teacher_forcing_inputs",
    "TrainingHistory",
    "Vocabulary",
]
