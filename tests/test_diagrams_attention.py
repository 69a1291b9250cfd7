"""draw_attention: one decoder step reading every encoder state through its weight."""

from __future__ import annotations

import pytest
from matplotlib.patches import FancyArrowPatch

from figure_checks import (
    assert_language_free,
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
)
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import draw_attention


def shown(fig):
    return [t.get_text() for t in fig.axes[0].texts]


@pytest.mark.parametrize("S", [1, 4, 6])
def test_one_weight_per_source_position_and_the_decoder_step(S):
    fig = draw_attention(S)
    texts = shown(fig)
    assert sorted(t for t in texts if t.startswith("$h_")) == sorted(
        f"$h_{{{j}}}$" for j in range(1, S + 1)
    )
    assert sorted(t for t in texts if t.startswith("$a_")) == sorted(
        f"$a_{{t,{j}}}$" for j in range(1, S + 1)
    )
    for label in ("$c_t$", "$s_{t-1}$", "$s_t$", "$y_{t-1}$", "$y_t$"):
        assert texts.count(label) == 1, label
    arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    dashed = [p for p in arrows if p.get_linestyle() not in ("-", "solid")]
    assert len(dashed) == 1  # the query
    # S weighted arrows, sum -> c, query, s_{t-1} -> s_t, c -> s_t, y_{t-1} -> s_t, s_t -> y_t,
    # c -> y_t
    assert len(arrows) == S + 7


@pytest.mark.parametrize("S", [1, 4, 6])
def test_readable_unclipped_language_free(S):
    fig = draw_attention(S)
    assert_language_free(fig)
    assert_no_overlap(fig)
    assert_nothing_clipped(fig)
    assert_readable_at_page_width(fig)


def test_bad_size_is_named():
    with pytest.raises(ValueError, match=message_with(arg("S"), "7")):
        draw_attention(7)
    with pytest.raises(ValueError, match=message_with(arg("S"), "2.0")):
        draw_attention(2.0)
