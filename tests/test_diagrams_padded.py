"""draw_padded_batch: language-free, every row padded after its own length, the mask beside it."""

from __future__ import annotations

import pytest
from matplotlib.patches import FancyBboxPatch

from figure_checks import (
    assert_language_free,
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from rnn_tutorial.book.diagrams import draw_padded_batch


def test_language_free_with_the_tokens_the_pads_and_the_mask():
    fig = draw_padded_batch([[7, 8, 9], [6]])
    assert_language_free(fig)
    shown = texts(fig)
    # batch 7 8 9 / 6 0 0, mask 1 1 1 / 1 0 0, lengths 3 and 1
    assert sorted(shown) == sorted(
        [
            "$X$",
            "$T_n$",
            "$M$",
            "7",
            "8",
            "9",
            "6",
            "0",
            "0",
            "1",
            "1",
            "1",
            "1",
            "0",
            "0",
            "3",
            "1",
        ]
    )


def test_padded_cells_are_dashed_and_only_they():
    fig = draw_padded_batch([[1, 2, 3, 4], [5, 6]], pad=9)
    boxes = [p for p in fig.axes[0].patches if isinstance(p, FancyBboxPatch)]
    dashed = [p for p in boxes if p.get_linestyle() == "--"]
    assert len(boxes) == 2 * 2 * 4  # batch and mask, 2 rows of 4
    assert len(dashed) == 2 * 2  # the two pads of row 2, in the batch and in the mask
    assert texts(fig).count("9") == 2


def test_bad_arguments():
    with pytest.raises(ValueError, match="seqs must be"):
        draw_padded_batch("abc")
    with pytest.raises(ValueError, match="T_n >= 1"):
        draw_padded_batch([[1], []])


@pytest.mark.parametrize("seqs", [[[1]], [[3, 1, 4, 1, 5], [9, 2, 6], [5, 3, 5, 8], [9, 7]]])
def test_labels_do_not_overlap_and_nothing_is_clipped(seqs):
    fig = draw_padded_batch(seqs)
    assert_no_overlap(fig)
    assert_nothing_clipped(fig)


def test_text_is_readable_at_page_width():
    assert_readable_at_page_width(draw_padded_batch())
