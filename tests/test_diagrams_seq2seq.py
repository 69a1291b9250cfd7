"""draw_encoder_decoder: the source read to its end, the answer written and fed back."""

from __future__ import annotations

import pytest
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from figure_checks import assert_no_overlap, assert_nothing_clipped, assert_readable_at_page_width
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import draw_encoder_decoder


def texts(fig):
    return [t.get_text() for t in fig.axes[0].texts]


def test_shows_the_seed_example_with_no_words():
    fig = draw_encoder_decoder()
    assert isinstance(fig, Figure)
    shown = texts(fig)
    # A B C D _ read; _ W X Y Z fed to the decoder; W X Y Z _ written
    for symbol in "ABCD":
        assert shown.count(symbol) == 1, symbol
    for symbol in "WXYZ":
        assert shown.count(symbol) == 2, symbol
    assert shown.count("_") == 3
    states = [f"$h_{{{t}}}$" for t in range(1, 6)] + [f"$s_{{{t}}}$" for t in range(1, 6)]
    assert sorted(s for s in shown if s.startswith("$") and s != "$s_0 = h_{5}$") == sorted(states)
    assert "$s_0 = h_{5}$" in shown
    # language-free: one-letter symbols and math only
    assert all(len(s) == 1 or (s.startswith("$") and s.endswith("$")) for s in shown)
    assert fig.get_size_inches()[0] < 9.0


def test_one_dashed_feedback_arrow_per_symbol_written_before_the_end():
    fig = draw_encoder_decoder("ABC", "XY")
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    dashed = [p for p in arrows if p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 2  # X fed back, then Y
    # and the hand-off is the one thick arrow
    widths = sorted(p.get_linewidth() for p in arrows)
    assert widths[-1] > 2 * widths[-2]


def test_bad_symbols_are_named():
    with pytest.raises(ValueError, match=message_with(arg("source"))):
        draw_encoder_decoder("", "XY")
    with pytest.raises(ValueError, match=message_with(arg("target"))):
        draw_encoder_decoder("AB", ["X", 3])
    with pytest.raises(ValueError, match=message_with(arg("end"))):
        draw_encoder_decoder("AB", "XY", end=" ")


@pytest.mark.parametrize(("source", "target"), [("ABCD", "WXYZ"), ("A", "X")])
def test_labels_do_not_overlap_and_nothing_is_clipped(source, target):
    fig = draw_encoder_decoder(source, target)
    assert_no_overlap(fig)
    assert_nothing_clipped(fig)
    assert_readable_at_page_width(fig)
