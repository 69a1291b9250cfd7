"""The book's helpers: numbers glued into pages, diagrams drawn by code, benchmark reading.

The diagrams (:mod:`rnn_tutorial.book.diagrams`) and benchmark helpers
(:mod:`rnn_tutorial.book.performance`) are imported from their modules, so
that ``import rnn_tutorial`` does not load matplotlib.
"""

from .formatting import glue, number, sci, vector

__all__ = ["glue", "number", "sci", "vector"]
