"""Small helpers shared by the test modules (imported as ``from helpers import ...``)."""

from __future__ import annotations

import re


def message_with(*pieces: str) -> str:
    """A regex for ``pytest.raises(match=...)`` that requires every piece, in any order.

    Each piece is a literal (escaped) unless it starts with ``re:``. Requiring the
    argument's name *and* both sizes means a raw numpy error (``operands could not
    be broadcast together``, itself a ValueError) can never satisfy the match.
    """
    parts = []
    for piece in pieces:
        pattern = piece[3:] if piece.startswith("re:") else re.escape(piece)
        parts.append(f"(?=.*{pattern})")
    return "(?s)^" + "".join(parts)


def arg(name: str) -> str:
    """A piece for :func:`message_with`: the argument's name as a whole word."""
    return rf"re:(?<![\w\"])({re.escape(name)})(?![\w\"])"


def size(letter: str, value: int) -> str:
    """A piece for :func:`message_with`: a size such as ``D=5`` (spaces allowed around ``=``)."""
    return rf"re:\b{letter}\s*=\s*{value}\b"


RAW_NUMPY_PHRASES = (
    "could not be broadcast",
    "matmul",
    "core dimension",
    "not aligned",
    "index out of",
    "Cannot cast",
)
"""Fragments of numpy's own error messages: none may reach a reader of our functions."""
