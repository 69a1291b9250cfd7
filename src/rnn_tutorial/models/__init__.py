"""Trained wholes: the character model, the sequence classifiers, the encoder-decoders."""

from .attention_seq2seq import (
    AttentionEncoderDecoder,
    AttentionSeq2SeqCache,
    attention_decode,
    attention_decoder_step,
    attention_seq2seq_backward,
    attention_seq2seq_forward,
    attention_seq2seq_loss,
    init_attention_seq2seq,
)
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
from .position_classifier import (
    PositionClassifier,
)
from .seq2seq import (
    EncoderDecoder,
    Seq2SeqCache,
    beam_decode,
    decoder_step,
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
    "attention_decode",
    "attention_decoder_step",
    "attention_seq2seq_backward",
    "attention_seq2seq_forward",
    "attention_seq2seq_loss",
    "AttentionEncoderDecoder",
    "AttentionSeq2SeqCache",
    "beam_decode",
    "CharRNN",
    "decoder_step",
    "decoding_accuracy",
    "EncoderDecoder",
    "FitHistory",
    "greedy_decode",
    "init_attention_seq2seq",
    "init_seq2seq",
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
