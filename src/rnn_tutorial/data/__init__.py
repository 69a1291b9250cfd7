"""Data the book trains on: its own prose as a corpus, and synthetic tasks."""

from .batching import bucket_by_length, pad_sequences, padding_share
from .corpus import (
    myst_prose,
    read_prose,
)
from .streams import (
    bigram_log_probs,
    ngram_perplexity,
    random_partition,
    sequential_partition,
    unigram_log_probs,
)
from .tasks import (
    adding_problem,
    first_symbol_recall,
    masked_middle,
    sine_windows,
)

__all__ = [
    "adding_problem",
    "bigram_log_probs",
    "bucket_by_length",
    "first_symbol_recall",
    "masked_middle",
    "myst_prose",
    "ngram_perplexity",
    "pad_sequences",
    "padding_share",
    "random_partition",
    "read_prose",
    "sequential_partition",
    "sine_windows",
    "unigram_log_probs",
]
