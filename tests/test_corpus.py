"""The prose of MyST pages: what the language model of the book is trained on.

Each kind of markup the book's pages use is checked on its own: it is either
kept as text (terms, links, headings, list items, directive bodies) or dropped
(front matter, code, options, labels, math, roles, tables). The real pages of
both languages must come out free of markup.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rnn_tutorial import myst_prose, read_prose

DOCS = Path(__file__).resolve().parents[1] / "docs"

FRONT = """---
jupytext:
  text_representation:
    extension: .md
kernelspec:
  name: python3
---
"""


def test_front_matter_labels_and_headings():
    page = FRONT + "(sec-demo)=\n# The RNN cell\n\n## One step\n\nText here.\n"
    assert myst_prose(page) == "The RNN cell\nOne step\nText here."


def test_a_page_without_front_matter_keeps_its_first_line():
    # only a block that opens the page is front matter
    assert myst_prose("Just text.\n---\nMore.\n---\n").startswith("Just text.")


def test_code_cells_and_plain_code_blocks_are_dropped_whole():
    page = (
        "Before.\n\n"
        "```{code-cell} python3\n---\nmystnb:\n  figure:\n    caption: A figure.\n---\n"
        "x = 1  # a comment\n```\n\n"
        "```python\nprint('code')\n```\n\n"
        "```\nplain\n```\n\n"
        "~~~text\nwavy\n~~~\n\n"
        "After.\n"
    )
    assert myst_prose(page) == "Before.\nAfter."


def test_literalinclude_bibliography_toctree_and_math_directives_are_dropped():
    page = (
        "```{literalinclude} ../../src/rnn_tutorial/cells/rnn.py\n:pyobject: rnn_forward\n"
        ":no-docstring:\n```\n\n"
        "```{bibliography}\n:filter: docname in docnames\n```\n\n"
        "```{toctree}\n:maxdepth: 2\n\npreface\n```\n\n"
        "```{math}\nx = y\n```\n\nKept."
    )
    assert myst_prose(page) == "Kept."


def test_prose_directives_keep_their_body_but_not_their_fence_or_options():
    page = (
        "```{exercise}\n:label: ex-demo\n\nCount the parameters.\n```\n\n"
        "```{solution-start} ex-demo\n:class: dropdown\n```\n\n"
        "The answer is twelve.\n\n"
        "```{solution-end}\n```\n\n"
        "```{prf:example} A title\n:label: example-demo\n\nAn example.\n```\n\n"
        ":::{note}\n---\nclass: tip\n---\nA note.\n:::\n"
    )
    assert myst_prose(page) == (
        "Count the parameters.\nThe answer is twelve.\nAn example.\nA note."
    )


def test_a_longer_fence_holds_a_shorter_one():
    page = "````markdown\n```{code-cell} python3\nx = 1\n```\nstill code\n````\n\nProse."
    assert myst_prose(page) == "Prose."


def test_code_inside_a_kept_directive_is_dropped():
    page = "````{exercise}\n:label: ex-a\n\nRun this:\n\n```python\nx = 1\n```\n\nThen stop.\n````"
    assert myst_prose(page) == "Run this:\nThen stop."


def test_display_math_on_one_line_and_on_several():
    page = (
        "Before.\n\n$$ h_t = \\tanh a_t $$ (eq-one)\n\n"
        "$$\n\\begin{aligned}\na &= b \\\\\nc &= d\n\\end{aligned}\n$$ (eq-two)\n\nAfter."
    )
    assert myst_prose(page) == "Before.\nAfter."


def test_roles_keep_terms_and_titles_and_drop_references():
    text = (
        "A {term}`recurrent neural network` keeps {term}`hidden states <hidden state>` "
        "(see {ref}`sec-rnn-cell`) and uses {eq}`eq-rnn-cell` {cite}`elman1990finding`; "
        "the slope is {glue:text}`tanh-slope-3` here, by {numref}`fig-rnn-cell`."
    )
    assert myst_prose(text) == (
        "A recurrent neural network keeps hidden states and uses; the slope is here, by."
    )


def test_inline_math_and_code_are_dropped_and_the_spaces_tidied():
    text = "The state $h_t$ has shape $(N, H)$, and `rnn_forward` returns ( $h$ ) it."
    assert myst_prose(text) == "The state has shape, and returns it."


def test_links_emphasis_lists_quotes_tables_and_comments():
    page = (
        "A [link](https://example.org) and ![an image](pic.png) with **bold** and *it*.\n\n"
        "- first item\n- second\n  item\n1. numbered\n\n"
        "> quoted\n\n"
        "| a | b |\n| --- | --- |\n| 1 | 2 |\n\n"
        "% a MyST comment\n<!-- an HTML comment -->\nEnd."
    )
    assert myst_prose(page) == (
        "A link and with bold and it.\nfirst item\nsecond item\nnumbered\nquoted\nEnd."
    )


def test_chinese_lines_join_without_spaces_and_keep_the_space_before_latin():
    text = "循环神经网络按\n时间步读取输入 $x_t$，\n每次一个 RNN\n单元（见 {ref}`sec-rnn-cell`）。"
    assert myst_prose(text) == "循环神经网络按时间步读取输入，每次一个 RNN 单元。"


def test_glossary_entries_keep_term_and_definition():
    page = "```{glossary}\n:sorted:\n\nhidden state\n  **隐藏状态** · The vector $h_t$.\n```"
    assert myst_prose(page) == "hidden state 隐藏状态 · The vector."


def test_not_a_str_is_a_value_error():
    with pytest.raises(ValueError, match="text must be a str, got bytes"):
        myst_prose(b"# bytes")


def test_read_prose_reads_the_pages_in_sorted_order_and_skips_sub_folders(tmp_path):
    (tmp_path / "b.md").write_text("# Second\n\nMore.", encoding="utf-8")
    (tmp_path / "a.md").write_text(FRONT + "First.", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("Not a page.", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.md").write_text("Nested.", encoding="utf-8")
    assert read_prose(tmp_path) == "First.\nSecond\nMore."
    assert read_prose(str(tmp_path)) == read_prose(tmp_path)


def test_read_prose_errors_name_the_folder(tmp_path):
    with pytest.raises(ValueError, match="holds no .md pages"):
        read_prose(tmp_path)
    with pytest.raises(ValueError, match="must be an existing folder"):
        read_prose(tmp_path / "missing")


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_the_book_pages_come_out_without_markup(lang):
    text = read_prose(DOCS / lang)
    assert len(text) > 1000
    markup = ("```", "{term}", "{ref}", "{eq}", "{cite}", "$", "(sec-", ":label:", "jupytext")
    for piece in markup:
        assert piece not in text, piece
    assert "import numpy" not in text
