"""draw_bptt: the gradient's path through the unrolled network, language-free and readable."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch

from figure_checks import (
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import draw_bptt

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies

GRADIENT = "#CC79A7"
CARRIED = r"$dh_{\mathrm{next}}$"


def gradient_arrows(fig):
    return [
        p
        for ax in fig.axes
        for p in ax.patches
        if isinstance(p, FancyArrowPatch) and same_color(p.get_edgecolor(), GRADIENT)
    ]


@pytest.mark.parametrize("T", [1, 2, 4, 6])
def test_returns_a_language_free_figure(T):
    fig = draw_bptt(T)
    assert isinstance(fig, Figure)
    shown = texts(fig)
    assert shown
    assert all(s.startswith("$") and s.endswith("$") for s in shown), shown


@pytest.mark.parametrize("T", [1, 3, 4])
def test_every_step_has_its_nodes_and_gradient_labels(T):
    shown = texts(draw_bptt(T))
    for t in range(1, T + 1):
        for symbol in (f"$x_{{{t}}}$", f"$h_{{{t}}}$", f"$y_{{{t}}}$", f"$L_{{{t}}}$"):
            assert shown.count(symbol) == 1, symbol
        assert rf"$\partial L_{{{t}}}/\partial y_{{{t}}}$" in shown
    assert "$h_0$" in shown
    # one carried gradient into every state but the last, the last of them into h_0
    assert shown.count(CARRIED) == T - 1
    assert shown.count("$dh_0$") == 1


@pytest.mark.parametrize("T", [1, 4])
def test_the_backward_pass_is_highlighted(T):
    fig = draw_bptt(T)
    backward = gradient_arrows(fig)
    # per step: L_t -> y_t, y_t -> h_t and h_t -> h_{t-1}
    assert len(backward) == 3 * T
    forward = [
        p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch) and p not in backward
    ]
    # per step: x_t -> h_t, h_{t-1} -> h_t, h_t -> y_t, y_t -> L_t
    assert len(forward) == 4 * T
    assert min(p.get_linewidth() for p in backward) > max(p.get_linewidth() for p in forward)


def test_backward_arrows_point_back_in_time_and_down():
    fig = draw_bptt(3)
    for patch in gradient_arrows(fig):
        vertices = patch.get_path().vertices  # in data units, shaft and head
        x0, y0 = vertices[0]  # where the arrow starts
        x1, y1 = max(vertices, key=lambda v: np.hypot(*(v - vertices[0])))  # its tip
        assert x1 < x0 - 0.1 or (abs(x1 - x0) < 0.01 and y1 < y0 - 0.1)


def test_labels_do_not_overlap():
    for fig in (draw_bptt(4), draw_bptt(1)):
        assert_no_overlap(fig)


def test_nothing_is_clipped():
    assert_nothing_clipped(draw_bptt(4))


def test_text_is_readable_at_page_width():
    assert_readable_at_page_width(draw_bptt(4))


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(4, 2.5))
    assert draw_bptt(ax=ax) is fig
    assert len(fig.axes) == 1
    assert max(t.get_fontsize() for t in ax.texts) < 14  # scaled down with the drawing


@pytest.mark.parametrize("T", [0, -1, 2.5, True, "4"])
def test_T_must_be_a_positive_integer(T):
    with pytest.raises(ValueError, match=message_with(arg("T"))):
        draw_bptt(T)
