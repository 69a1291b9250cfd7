"""How a page shows its figures: the plotting code folded behind a toggle.

A figure cell's matplotlib calls (often thirty lines of axes, labels and
colours) stood between the computation and its figure. A cell that draws a
figure now carries ``tags: [hide-input]``: the reader sees the figure, the
plotting code is one click away, and the computation it plots stays in a
visible cell before it. Checked on every page of both languages.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
PAGES = sorted(p for lang in ("en", "zh_CN") for p in (DOCS / lang).glob("*.md"))
CELL = re.compile(r"```\{code-cell\}[^\n]*\n(.*?)\n```", re.DOTALL)
PLOTS = re.compile(r"\bplt\.|\bax\w*\.(?:plot|set_|semilogy|semilogx|bar|imshow|legend)")


def figure_cells(text: str):
    for m in CELL.finditer(text):
        body = m.group(1)
        if not body.startswith("---\n"):
            continue
        options, code = body[4:].split("\n---", 1)
        if "figure:" in options and PLOTS.search(code):
            yield text.count("\n", 0, m.start()) + 1, options


@pytest.mark.parametrize("page", PAGES, ids=[f"{p.parent.name}/{p.stem}" for p in PAGES])
def test_plotting_code_is_folded(page):
    text = page.read_text(encoding="utf-8")
    shown = [line for line, options in figure_cells(text) if "hide-input" not in options]
    assert not shown, f"{page.name}: figure cells at lines {shown} show their plotting code"


def test_the_check_sees_a_figure_cell():
    cell = (
        "```{code-cell} python3\n---\nmystnb:\n  figure:\n    name: fig-x\n---\n"
        "fig, ax = plt.subplots()\nax.plot([1, 2])\n```"
    )
    found = [options for _, options in figure_cells(cell)]
    assert found == ["mystnb:\n  figure:\n    name: fig-x"]
