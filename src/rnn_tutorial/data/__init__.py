"""Data the book trains on: its own prose as a corpus, and synthetic tasks."""

from .batching import bucket_by_length, pad_sequences, padding_share
from .corpus import (
    myst_prose,
    read_prose,
)
from .tasks import (
    adding_problem,
    first_symbol_recall,
    masked_middle,
    sine_windows,
    xor_recall,
)

__all__ = [
    "adding_problem",
    "bucket_by_length",
    "first_symbol_recall",
    "masked_middle",
    "myst_prose",
    "pad_sequences",
    "padding_share",
    "read_prose",
    "sine_windows",
    "xor_recall",
]
