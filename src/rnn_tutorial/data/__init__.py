"""Data the book trains on: its own prose as a corpus, and synthetic tasks."""

from .corpus import (
    myst_prose,
    read_prose,
)
from .tasks import (
    adding_problem,
    first_symbol_recall,
    masked_middle,
    sine_windows,
)

__all__ = [
    "adding_problem",
    "first_symbol_recall",
    "masked_middle",
    "myst_prose",
    "read_prose",
    "sine_windows",
]
