"""draw_stacked_rnn: the grid of layers and steps, dashed exactly where dropout acts."""

from __future__ import annotations

import pytest
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from figure_checks import assert_no_overlap, assert_nothing_clipped, assert_readable_at_page_width
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import STACK_DROPOUT, draw_stacked_rnn


def arrows(fig):
    """(start, end, dashed) of every arrow, start and end in inches."""
    out = []
    for patch in fig.axes[0].patches:
        if isinstance(patch, FancyArrowPatch):
            (x0, y0), (x1, y1) = patch._posA_posB  # the end points it was made with
            out.append(((x0, y0), (x1, y1), patch.get_linestyle() == "--"))
    return out


def test_language_free_and_every_state_shown():
    fig = draw_stacked_rnn(L=3, T=4)
    shown = [t.get_text() for t in fig.findobj(Text) if t.get_text().strip()]
    assert all(s.startswith("$") and s.endswith("$") for s in shown), shown
    for ell in range(1, 4):
        for t in range(0, 5):
            assert shown.count(f"$h^{{({ell})}}_{{{t}}}$" if t else f"$h^{{({ell})}}_0$") == 1


@pytest.mark.parametrize(
    ("dropout", "dashed_vertical"),
    [("none", 0), ("between", 2 * 4), ("non_recurrent", 4 * 4)],
)
def test_recurrent_arrows_are_solid_and_dropout_dashes_the_right_vertical_ones(
    dropout, dashed_vertical
):
    L, T = 3, 4
    found = arrows(draw_stacked_rnn(L=L, T=T, dropout=dropout))
    horizontal = [a for a in found if abs(a[0][1] - a[1][1]) < 1e-9]
    vertical = [a for a in found if abs(a[0][0] - a[1][0]) < 1e-9]
    assert len(horizontal) == L * T and len(vertical) == (L + 1) * T
    assert not any(dashed for *_, dashed in horizontal)  # never on t-1 -> t
    assert sum(dashed for *_, dashed in vertical) == dashed_vertical


@pytest.mark.parametrize("dropout", STACK_DROPOUT)
def test_labels_do_not_overlap_and_nothing_is_clipped(dropout):
    fig = draw_stacked_rnn(dropout=dropout)
    assert_no_overlap(fig)
    assert_nothing_clipped(fig)


def test_text_is_readable_at_page_width():
    assert_readable_at_page_width(draw_stacked_rnn(L=3, T=4))


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match=message_with(arg("L"), "positive integer", "0")):
        draw_stacked_rnn(L=0)
    with pytest.raises(ValueError, match=message_with(arg("T"), "positive integer")):
        draw_stacked_rnn(T=2.0)
    with pytest.raises(ValueError, match=message_with(arg("dropout"), "between", "recurrent")):
        draw_stacked_rnn(dropout="recurrent")
