"""draw_bptt: the gradient's path through the unrolled network, language-free and readable."""

from __future__ import annotations

import itertools

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import same_color
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch
from matplotlib.text import Text

from helpers import arg, message_with
from rnn_tutorial.diagrams import draw_bptt

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies

GRADIENT = "#CC79A7"
CARRIED = r"$dh_{\mathrm{next}}$"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(fig):
    """Every non-empty string shown in ``fig``."""
    return [t.get_text() for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()]


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
        renderer = fig.canvas.get_renderer()
        boxes = [
            (t.get_text(), t.get_window_extent(renderer))
            for t in fig.findobj(Text)
            if t.get_visible() and t.get_text().strip()
        ]
        for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
            assert not box_a.overlaps(box_b), f"{a!r} overlaps {b!r}"


def test_nothing_is_clipped():
    fig = draw_bptt(4)
    renderer = fig.canvas.get_renderer()
    inside = fig.bbox.padded(1)  # one pixel of rounding
    artists = [t for t in fig.findobj(Text) if t.get_text().strip()]
    artists += list(fig.axes[0].patches)
    for artist in artists:
        extent = artist.get_window_extent(renderer)
        assert inside.contains(extent.x0, extent.y0) and inside.contains(extent.x1, extent.y1), (
            artist
        )


def test_text_is_readable_at_page_width():
    fig = draw_bptt(4)
    width_px = fig.get_size_inches()[0] * 100
    smallest = min(t.get_fontsize() for t in fig.findobj(Text) if t.get_text().strip())
    assert smallest * min(1.0, 700 / width_px) >= 11


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(4, 2.5))
    assert draw_bptt(ax=ax) is fig
    assert len(fig.axes) == 1
    assert max(t.get_fontsize() for t in ax.texts) < 14  # scaled down with the drawing


@pytest.mark.parametrize("T", [0, -1, 2.5, True, "4"])
def test_T_must_be_a_positive_integer(T):
    with pytest.raises(ValueError, match=message_with(arg("T"))):
        draw_bptt(T)
