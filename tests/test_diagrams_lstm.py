"""draw_lstm_cell: the LSTM cell, language-free, with every symbol of its equations."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure
from matplotlib.patches import Circle, FancyArrowPatch

from figure_checks import (
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from rnn_tutorial.book.diagrams import draw_lstm_cell

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies


def test_returns_a_language_free_figure():
    fig = draw_lstm_cell()
    assert isinstance(fig, Figure)
    shown = texts(fig)
    assert shown
    assert all(s.startswith("$") and s.endswith("$") for s in shown), shown


def test_shows_every_symbol_of_the_equations():
    shown = texts(draw_lstm_cell())
    for symbol in ("$c_{t-1}$", "$c_t$", "$h_{t-1}$", "$x_t$", "$f_t$", "$i_t$", "$g_t$", "$o_t$"):
        assert shown.count(symbol) == 1, symbol
    assert shown.count("$h_t$") == 2  # to the next step and upward
    # three gates squashed by sigma; tanh for the candidate and for the cell state
    assert shown.count(r"$\sigma$") == 3
    assert shown.count(r"$\tanh$") == 2


def test_operator_nodes_are_drawn_without_a_font():
    fig = draw_lstm_cell()
    ax = fig.axes[0]
    nodes = [p for p in ax.patches if isinstance(p, Circle) and p.get_radius() > 0.1]
    # f * c_{t-1}, the + on the cell state, i * g, o * tanh(c)
    assert len(nodes) == 4
    plus_strokes = [line for line in ax.lines if len(line.get_xdata()) == 2]
    assert len(plus_strokes) == 2  # one + node, two strokes
    assert not any(s in {"+", "*", "x", "×", "⊙"} for s in texts(fig))


def test_cell_state_runs_straight_along_the_top():
    fig = draw_lstm_cell()
    ax = fig.axes[0]
    renderer = fig.canvas.get_renderer()
    label = {t.get_text(): t for t in ax.texts}
    y_c = label["$c_{t-1}$"].get_position()[1]
    assert label["$c_t$"].get_position()[1] == y_c
    # c_{t-1} -> (*) -> (+) -> c_t: three horizontal arrows at the height of the labels
    extent = label["$c_{t-1}$"].get_window_extent(renderer)
    y_px = (extent.y0 + extent.y1) / 2
    arrows = [p for p in ax.patches if isinstance(p, FancyArrowPatch)]
    on_line = [
        p
        for p in arrows
        if (e := p.get_window_extent(renderer)).width > 2 * e.height and e.y0 <= y_px <= e.y1
    ]
    assert len(on_line) == 3
    # the gates sit below the cell state
    gates_y = [t.get_position()[1] for t in ax.texts if t.get_text() == r"$\sigma$"]
    assert len(gates_y) == 3 and max(gates_y) < y_c


def test_labels_do_not_overlap():
    assert_no_overlap(draw_lstm_cell())


def test_nothing_is_clipped():
    assert_nothing_clipped(draw_lstm_cell())


def test_text_is_readable_at_page_width():
    assert_readable_at_page_width(draw_lstm_cell())


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(4, 2.5))
    assert draw_lstm_cell(ax=ax) is fig
    assert len(fig.axes) == 1
    assert max(t.get_fontsize() for t in ax.texts) < 14  # scaled down with the drawing
