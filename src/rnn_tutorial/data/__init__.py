"""Data the book trains on: its own prose as a corpus, and synthetic tasks."""

from .batching import bucket_by_length, pad_sequences, padding_share
from .corpus import (
    myst_prose,
    read_prose,
)
from .scenes import (
    COLOURS,
    HELD_OUT_OBJECTS,
    LANGUAGES,
    PHRASINGS,
    SHAPES,
    SceneSet,
    caption_text,
    caption_vocabulary,
    caption_words,
    describe,
    draw_scenes,
    encode_captions,
    page_language,
    parse_caption,
    scene_splits,
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
    xor_recall,
)

__all__ = [
    "adding_problem",
    "bigram_log_probs",
    "bucket_by_length",
    "caption_text",
    "caption_vocabulary",
    "caption_words",
    "COLOURS",
    "describe",
    "draw_scenes",
    "encode_captions",
    "first_symbol_recall",
    "HELD_OUT_OBJECTS",
    "LANGUAGES",
    "masked_middle",
    "myst_prose",
    "ngram_perplexity",
    "pad_sequences",
    "padding_share",
    "page_language",
    "parse_caption",
    "PHRASINGS",
    "read_prose",
    "scene_splits",
    "SceneSet",
    "SHAPES",
    "random_partition",
    "sequential_partition",
    "sine_windows",
    "unigram_log_probs",
    "xor_recall",
]
