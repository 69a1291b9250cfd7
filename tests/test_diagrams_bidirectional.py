"""draw_bidirectional_rnn: language-free, both chains, arrows in opposite directions."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from figure_checks import (
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from rnn_tutorial.book.diagrams import draw_bidirectional_rnn


def position(fig, s):
    (text,) = [t for t in fig.axes[0].texts if t.get_text() == s]
    return text.get_position()


def test_language_free_with_every_state_once():
    fig = draw_bidirectional_rnn(T=3)
    assert isinstance(fig, Figure)
    shown = texts(fig)
    assert all(s.startswith("$") and s.endswith("$") for s in shown), shown
    for t in (1, 2, 3):
        for s in (f"$x_{{{t}}}$", f"$h_{{{t}}}$", f"$h'_{{{t}}}$", f"$y_{{{t}}}$"):
            assert shown.count(s) == 1, s
    assert "$h_{0}$" in shown and "$h'_{4}$" in shown


def test_the_chains_run_in_opposite_directions():
    fig = draw_bidirectional_rnn(T=3)
    # horizontal arrows: the forward chain points right, the backward chain left
    y_fwd = position(fig, "$h_{1}$")[1]
    y_bwd = position(fig, "$h'_{1}$")[1]
    rightward = leftward = 0
    for patch in fig.axes[0].patches:
        if not isinstance(patch, FancyArrowPatch):
            continue
        (x0, y0), (x1, y1) = patch._posA_posB
        if y0 == y1 == y_fwd:
            rightward += x1 > x0
        if y0 == y1 == y_bwd:
            leftward += x1 < x0
    assert rightward == 3 and leftward == 3  # h_0 -> h_1 -> h_2 -> h_3; h'_4 -> ... -> h'_1
    # 2 arrows up from every input, 2 into every output, 3 + 3 along the chains
    assert sum(isinstance(p, FancyArrowPatch) for p in fig.axes[0].patches) == 4 * 3 + 6


def test_bad_arguments():
    with pytest.raises(ValueError, match="T must be a positive integer, got 0"):
        draw_bidirectional_rnn(T=0)
    with pytest.raises(ValueError, match="labels has 2 entries but T=3"):
        draw_bidirectional_rnn(T=3, labels=["a", "b"])


@pytest.mark.parametrize("T", [1, 4])
def test_labels_do_not_overlap_and_nothing_is_clipped(T):
    fig = draw_bidirectional_rnn(T)
    assert_no_overlap(fig)
    assert_nothing_clipped(fig)


def test_text_is_readable_at_page_width():
    assert_readable_at_page_width(draw_bidirectional_rnn(4))
