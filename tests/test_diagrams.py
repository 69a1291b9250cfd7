"""The book's diagrams: language-free, readable, and showing the numbers they are given."""

from __future__ import annotations

import subprocess
import sys

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from figure_checks import (
    assert_language_free,
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import (
    draw_io_patterns,
    draw_rnn_cell,
    draw_unrolled_rnn,
    draw_worked_example,
)

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies

# Tokens of the example sequences and the "=" between folded and unrolled: no words.
ALLOWED_TOKENS = {"RNN", "=", "A", "B", "C", "D", "_", "W", "X", "Y", "Z"}

XS = [1.0, 2.0]
HS = [[0.1234, -0.5678], [0.9, 0.25]]
YS = [0.4321, -0.05]

FIGURES = {
    "cell": draw_rnn_cell,
    "unrolled": draw_unrolled_rnn,
    "unrolled_no_outputs": lambda: draw_unrolled_rnn(3, show_outputs=False),
    "unrolled_tokens": lambda: draw_unrolled_rnn(5, labels=["A", "B", "C", "D", "_"]),
    "unrolled_numbers": lambda: draw_unrolled_rnn(2, labels=["$1$", "$2$"]),
    "io_patterns": draw_io_patterns,
    "worked_example": lambda: draw_worked_example(XS, HS, YS),
    "worked_example_wide_state": lambda: draw_worked_example(
        [1, -2.5], np.linspace(-1, 1, 10).reshape(2, 5), [0.1, -0.2]
    ),
}


@pytest.fixture(params=sorted(FIGURES))
def fig(request):
    return FIGURES[request.param]()


def test_returns_a_figure(fig):
    assert isinstance(fig, Figure)
    assert fig.axes


def test_no_words_outside_math(fig):
    assert_language_free(fig, ALLOWED_TOKENS)


def test_labels_do_not_overlap(fig):
    assert_no_overlap(fig)


def test_drawing_into_small_axes_scales_text_with_it():
    fig, ax = plt.subplots(figsize=(4, 2))
    assert draw_unrolled_rnn(ax=ax) is fig
    assert max(t.get_fontsize() for t in ax.texts) < 12
    assert_no_overlap(fig)
    fig, axes = plt.subplots(1, 4, figsize=(5, 1.5))
    draw_io_patterns(ax=axes)
    assert_no_overlap(fig)


def test_nothing_is_clipped(fig):
    """Every label and shape lies inside the figure, so the limits fit the drawing."""
    assert_nothing_clipped(fig)


def test_text_is_readable_at_page_width(fig):
    assert_readable_at_page_width(fig)


def test_matplotlib_is_imported_lazily():
    code = "import sys, rnn_tutorial.book.diagrams; assert 'matplotlib' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_cell_shows_the_equation_symbols():
    shown = set(texts(draw_rnn_cell()))
    for symbol in (r"$x_t$", r"$h_{t-1}$", r"$h_t$", r"$W_{xh}$", r"$W_{hh}$", r"$b_h$"):
        assert symbol in shown
    assert r"$\tanh$" in shown


def test_cell_draws_into_a_given_axes():
    fig, ax = plt.subplots()
    assert draw_rnn_cell(ax=ax) is fig
    assert len(fig.axes) == 1


@pytest.mark.parametrize("T", [1, 3, 6])
def test_unrolled_weights_are_written_at_every_step(T):
    shown = texts(draw_unrolled_rnn(T))
    # T steps plus the folded cell; W_hh once per step plus the loop
    assert shown.count(r"$W_{xh}$") == T + 1
    assert shown.count(r"$W_{hh}$") == T + 1
    assert shown.count(r"$W_{hy}$") == T + 1
    assert {f"$x_{{{t}}}$" for t in range(1, T + 1)} <= set(shown)
    assert {f"$y_{{{t}}}$" for t in range(1, T + 1)} <= set(shown)
    assert "$h_0$" in shown


def test_unrolled_without_outputs():
    shown = texts(draw_unrolled_rnn(3, show_outputs=False))
    assert r"$W_{hy}$" not in shown
    assert not any(s.startswith("$y_") for s in shown)


def test_unrolled_labels_replace_the_inputs():
    shown = texts(draw_unrolled_rnn(5, labels=["A", "B", "C", "D", "_"]))
    assert {"A", "B", "C", "D", "_"} <= set(shown)
    assert "$x_{1}$" not in shown


def test_unrolled_labels_must_match_T():
    with pytest.raises(ValueError, match=message_with(arg("labels"), "3", "T=4")):
        draw_unrolled_rnn(4, labels=["A", "B", "C"])


@pytest.mark.parametrize("T", [0, -1, 2.5, True])
def test_unrolled_T_must_be_a_positive_integer(T):
    with pytest.raises(ValueError, match=message_with(arg("T"))):
        draw_unrolled_rnn(T)


def test_io_patterns_has_four_panels_with_their_tokens():
    fig = draw_io_patterns()
    assert len(fig.axes) == 4
    titles = [[t.get_text() for t in ax.texts if "T_" in t.get_text()] for ax in fig.axes]
    assert titles == [
        [r"$T_x = T_y$"],
        [r"$T_x \to 1$"],
        [r"$1 \to T_y$"],
        [r"$T_x \to T_y$"],
    ]
    assert r"$\langle\mathrm{END}\rangle$" in texts(fig)
    encoder_decoder = [t.get_text() for t in fig.axes[3].texts]
    for token in "ABCDWXYZ":
        assert token in encoder_decoder
    assert encoder_decoder.count("_") == 2  # read at the end of the input, emitted at the end


def test_io_patterns_encoder_decoder_feeds_each_output_back():
    """Panel (d): a dashed arrow from each written symbol but the last to the next input."""
    fig = draw_io_patterns()
    ax = fig.axes[3]
    arrows = [p for p in ax.patches if p.get_gid() == "feedback"]
    at = {}  # symbol -> (output position, input position)
    for t in ax.texts:
        if t.get_text() in "WXYZ_" and t.get_text():
            at.setdefault(t.get_text(), []).append(t.get_position())
    emitted = ["W", "X", "Y", "Z"]  # "_" ends the answer and is fed nowhere
    assert len(arrows) == len(emitted)
    ends = sorted(arrow._posA_posB for arrow in arrows)  # (start, end) in data coordinates
    for (start, end), arrow, symbol in zip(ends, arrows, emitted, strict=True):
        (x_out, y_out), (x_in, y_in) = sorted(at[symbol], key=lambda xy: -xy[1])
        assert arrow.get_linestyle() == "--"
        assert start[1] > end[1] and start[0] < end[0]  # down and to the right
        assert abs(start[0] - x_out) < 0.3 and abs(start[1] - y_out) < 0.3
        assert abs(end[0] - x_in) < 0.3 and abs(end[1] - y_in) < 0.3
    assert_language_free(fig, allowed=set("ABCDWXYZ_"))
    assert_no_overlap(fig)


def test_io_patterns_draws_into_given_axes():
    fig, axes = plt.subplots(1, 4, figsize=(8.4, 2.1))
    assert draw_io_patterns(ax=axes) is fig
    with pytest.raises(ValueError, match=message_with(arg("ax"), "4", "3")):
        draw_io_patterns(ax=axes[:3])


def test_worked_example_shows_the_numbers_it_was_given():
    shown = texts(draw_worked_example(XS, HS, YS))
    joined = " ".join(shown)
    for number in ("0.123", "0.568", "0.900", "0.250", "0.432", "0.050"):
        assert number in joined
    assert "{-}0.568" in joined  # a unary minus, typeset tight
    assert {"$x_{1} = 1$", "$x_{2} = 2$", "$h_{1}$", "$h_{2}$", "$h_0$"} <= set(shown)


def test_worked_example_formats_every_state_entry():
    hs = np.arange(12).reshape(2, 6) / 7
    shown = " ".join(texts(draw_worked_example([0.5, 1.5], hs, [0.0, 1.0])))
    for value in hs.ravel():
        assert f"{value:.3f}" in shown


@pytest.mark.parametrize(
    ("xs", "hs", "ys", "pieces"),
    [
        ([1.0, 2.0], [[0.5, 0.4]], [0.3, 0.6], [arg("hs"), "1 rows", "2 steps"]),
        ([1.0, 2.0], [[0.5, 0.4]] * 3, [0.3, 0.6], [arg("hs"), "3 rows", "2 steps"]),
        ([1.0, 2.0], [[0.5, 0.4]] * 2, [0.3], [arg("ys"), "(1,)", "2 steps"]),
        ([1.0, 2.0], [[0.5, 0.4]] * 2, [[0.3], [0.6]], [arg("ys"), "(2, 1)"]),
        ([[1.0], [2.0]], [[0.5, 0.4]] * 2, [0.3, 0.6], [arg("xs"), "(2, 1)"]),
        ([1.0, 2.0], [0.5, 0.4], [0.3, 0.6], [arg("hs"), "(2,)"]),
        ([], np.zeros((0, 2)), [], [arg("xs"), "(0,)"]),
    ],
)
def test_worked_example_names_the_argument_with_a_wrong_shape(xs, hs, ys, pieces):
    with pytest.raises(ValueError, match=message_with(*pieces)):
        draw_worked_example(xs, hs, ys)
