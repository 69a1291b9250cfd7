"""Checks every diagram of the book must pass (imported as ``from figure_checks import ...``).

A diagram is language-free (math, numbers and a few tokens only, since the
caption carries the language), its labels do not overlap, nothing is cut off
at the figure's edge, and its smallest text is still readable at page width.
"""

from __future__ import annotations

import itertools

import matplotlib
from matplotlib.text import Text

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies

PAGE_WIDTH_PX = 700  # the book's text column at dpi 100
SMALLEST_PT = 11


def texts(fig) -> list[str]:
    """Every non-empty string shown in ``fig``."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


def is_language_free(line: str, allowed=frozenset()) -> bool:
    """Math (``$...$``), a number, or one of the ``allowed`` tokens."""
    line = line.strip()
    if len(line) >= 2 and line.startswith("$") and line.endswith("$"):
        return True
    try:
        float(line)
    except ValueError:
        return line in allowed
    return True


def assert_language_free(fig, allowed=frozenset()) -> None:
    shown = texts(fig)
    assert shown, "the figure shows no text at all"
    bad = [s for s in shown for line in s.splitlines() if not is_language_free(line, allowed)]
    assert not bad, f"text that is not math, a number or an allowed token: {bad}"


def assert_no_overlap(fig) -> None:
    renderer = fig.canvas.get_renderer()
    boxes = [
        (t.get_text(), t.get_window_extent(renderer))
        for t in fig.findobj(Text)
        if t.get_visible() and t.get_text().strip()
    ]
    for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
        assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def assert_nothing_clipped(fig, *, lines: bool = False) -> None:
    """Every label and shape (and line, if asked) lies inside the figure."""
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(1)  # one pixel of rounding
    artists = [t for t in fig.findobj(Text) if t.get_text().strip()]
    for ax in fig.axes:
        artists += list(ax.patches) + (list(ax.lines) if lines else [])
    for artist in artists:
        extent = artist.get_window_extent(renderer)
        assert inside.contains(extent.x0, extent.y0) and inside.contains(extent.x1, extent.y1), (
            artist
        )


def assert_readable_at_page_width(fig) -> None:
    """Shrunk to the text column, no text falls below 11 pt."""
    width_px = fig.get_size_inches()[0] * 100
    smallest = min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip())
    assert smallest * min(1.0, PAGE_WIDTH_PX / width_px) >= SMALLEST_PT
