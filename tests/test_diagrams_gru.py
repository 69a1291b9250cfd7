"""draw_gru_cell: both GRU forms, language-free, readable, drawn where the reset acts."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure

from figure_checks import (
    assert_no_overlap,
    assert_nothing_clipped,
    assert_readable_at_page_width,
    texts,
)
from helpers import arg, message_with
from rnn_tutorial.book.diagrams import draw_gru_cell

matplotlib.use("Agg")  # pyplot picks its backend on first use, so this still applies

FORMS = ("reset_after", "textbook")
AFFINE = r"$\cdot\, W_{hn} + b_{hn}$"


def shown_text(fig, s):
    (text,) = [t for t in fig.axes[0].texts if t.get_text() == s]
    return text


@pytest.mark.parametrize("form", FORMS)
def test_returns_a_language_free_figure(form):
    fig = draw_gru_cell(form=form)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 1
    shown = texts(fig)
    assert all(s.startswith("$") and s.endswith("$") for s in shown), shown


@pytest.mark.parametrize("form", FORMS)
def test_shows_the_symbols_of_the_equations(form):
    shown = texts(draw_gru_cell(form=form))
    for symbol in ("$x_t$", "$h_{t-1}$", "$r$", "$z$", "$n$", "$1-$", AFFINE):
        assert shown.count(symbol) == 1, symbol
    assert shown.count("$h_t$") == 2  # to the next step and upward
    assert shown.count(r"$\sigma$") == 2  # the reset and the update gate
    assert shown.count(r"$\tanh$") == 1  # the candidate


def test_the_forms_differ_in_where_the_reset_acts():
    """Reset after: the affine map of h, then r's product; textbook: the other way round."""
    positions = {}
    for form in FORMS:
        fig = draw_gru_cell(form=form)
        affine = shown_text(fig, AFFINE).get_position()
        r_label = shown_text(fig, "$r$").get_position()  # beside the arrow into r's product
        assert abs(affine[1] - shown_text(fig, r"$\tanh$").get_position()[1]) < 1e-9
        positions[form] = affine[0] - r_label[0]
    assert positions["reset_after"] < 0 < positions["textbook"]


@pytest.mark.parametrize("form", FORMS)
def test_labels_do_not_overlap(form):
    assert_no_overlap(draw_gru_cell(form=form))


@pytest.mark.parametrize("form", FORMS)
def test_nothing_is_clipped(form):
    assert_nothing_clipped(draw_gru_cell(form=form), lines=True)


@pytest.mark.parametrize("form", FORMS)
def test_text_is_readable_at_page_width(form):
    assert_readable_at_page_width(draw_gru_cell(form=form))


def test_both_forms_have_the_same_size():
    sizes = [tuple(draw_gru_cell(form=form).get_size_inches()) for form in FORMS]
    assert sizes[0] == pytest.approx(sizes[1])


def test_draws_into_a_given_axes():
    fig, ax = plt.subplots(figsize=(4, 3))
    assert draw_gru_cell(ax=ax, form="textbook") is fig
    assert len(fig.axes) == 1
    assert max(t.get_fontsize() for t in ax.texts) < 14  # scaled down with the drawing


@pytest.mark.parametrize("form", ["cuDNN", "reset_before", "", None, 1])
def test_form_must_be_one_of_the_two_names(form):
    with pytest.raises(ValueError, match=message_with(arg("form"), "reset_after", "textbook")):
        draw_gru_cell(form=form)
