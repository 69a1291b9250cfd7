"""One execution serves both languages: the outputs are those each page would get on its own.

``nox -s docs`` executes a page once for both languages (docs/_shared/execstore.py)
when their code is the same apart from comments. Here a few Chinese pages are
executed on their own, with their own comments, as the build did before, and
every output (text, figures as PNG bytes, glued values) must equal the one the
page shows from the shared execution. Run by ``nox -s buildcheck`` after
``nox -s docs``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS / "_shared"))

import execstore  # noqa: E402
import kernelfork  # noqa: E402

PAGES = ["rnn_cell", "gradient_checking", "gru"]  # small pages with figures, glue and tables


def outputs(nb) -> list[str]:
    """Each code cell's outputs as JSON, consecutive stream pieces joined.

    How a kernel splits a cell's printing into stream messages depends on
    timing; the book joins them (``nb_merge_streams``), so only the joined
    text is what a reader sees.
    """
    cells = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        merged: list[dict] = []
        for out in cell.get("outputs", []):
            out = dict(out)
            last = merged[-1] if merged else None
            if (
                last is not None
                and out["output_type"] == "stream"
                and last["output_type"] == "stream"
                and last["name"] == out["name"]
            ):
                last["text"] += out["text"]
            else:
                merged.append(out)
        cells.append(json.dumps(merged, sort_keys=True))
    return cells


@pytest.mark.parametrize("name", ["rnn_cell", "vanishing_gradients"])
def test_a_forked_kernel_gives_what_a_fresh_kernel_gives(name, tmp_path, monkeypatch):
    """The build's kernels are forks of a process that imported the pages' modules."""
    page = DOCS / "en" / f"{name}.md"
    key = execstore.page_key(page)
    monkeypatch.delenv(kernelfork.ADDRESS, raising=False)
    monkeypatch.setattr(execstore, "STORE", tmp_path / "fresh")
    execstore.execute(page, key)
    fresh = execstore.load(key)

    monkeypatch.setattr(execstore, "STORE", tmp_path / "forked")
    server = kernelfork.start_server()
    try:
        execstore.execute(page, key)
    finally:
        forks = kernelfork.stop_server(server)
    assert forks == 1, "the page should have run in a forked kernel"
    assert outputs(execstore.load(key)) == outputs(fresh)


@pytest.mark.parametrize("name", PAGES)
def test_shared_execution_equals_own_execution(name, tmp_path, monkeypatch):
    en, zh = DOCS / "en" / f"{name}.md", DOCS / "zh_CN" / f"{name}.md"
    nb_zh = execstore.read_page(zh)
    key = execstore.page_key(zh)
    assert key == execstore.page_key(en), "the two languages should share one execution"
    assert execstore.stored(key).is_file(), "run nox -s docs first"
    shown = execstore.merge_outputs(nb_zh, execstore.load(key))

    # the Chinese page run by itself, in its own folder, into a separate store
    monkeypatch.setattr(execstore, "STORE", tmp_path)
    execstore.execute(zh, key)
    own = execstore.load(key)
    assert [c.source for c in own.cells] == [c.source for c in nb_zh.cells]  # its own comments
    assert outputs(shown) == outputs(own)
    assert any('"image/png"' in o or '"text/plain"' in o for o in outputs(own))


def test_a_docstring_or_comment_edit_in_the_package_keeps_every_key(tmp_path, monkeypatch):
    package = tmp_path / "rnn_tutorial"
    shutil.copytree(execstore.PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(execstore, "PACKAGE", package)
    before = execstore._package_digest()
    module = package / "cells" / "rnn.py"
    text = module.read_text(encoding="utf-8")
    function = re.search(r'\ndef \w+\(.*?:\n    r?"""', text, flags=re.S).end()  # opening quotes
    documented = (
        "# a new comment above the module docstring\n\n"
        + text[:function]
        + "An edited first line of a function's docstring.\n\n    "
        + text[function:]
    )
    module.write_text(documented, encoding="utf-8")
    assert execstore._package_digest() == before
    module.write_text(documented + "\nSTEP = 1  # new code\n", encoding="utf-8")
    assert execstore._package_digest() != before


def test_pages_that_read_their_edition_run_once_per_language():
    """The language model declares the prose it trains on, so each edition has its own key."""
    keys = {lang: execstore.page_key(DOCS / lang / "char_lm.md") for lang in ("en", "zh_CN")}
    assert keys["en"] != keys["zh_CN"]


def test_the_language_models_declare_the_chinese_pages_their_words_come_from():
    """Both language-model pages train a word-level model on the Chinese prose."""
    chinese = DOCS / "zh_CN" / "glossary.md"
    for lang in ("en", "zh_CN"):
        page = DOCS / lang / "char_lm.md"
        assert chinese in execstore.declared_inputs(page, "prose_inputs"), lang


def test_a_prose_input_keys_the_prose_not_the_code(tmp_path):
    """The language model re-executes when the prose it trains on changes, not the code."""
    page = tmp_path / "page.md"
    other = tmp_path / "other.md"
    page.write_text(
        '---\nrnn_tutorial:\n  prose_inputs: ["*.md"]\n---\n\n# T\n\n'
        "```{code-cell} ipython3\nprint(1)\n```\n",
        encoding="utf-8",
    )
    other.write_text("# Other\n\nA sentence.\n\n```{code-cell} ipython3\nx = 1\n```\n", "utf-8")
    before = execstore.page_key(page)
    other.write_text("# Other\n\nA sentence.\n\n```{code-cell} ipython3\nx = 2\n```\n")
    assert execstore.page_key(page) == before
    other.write_text("# Other\n\nAnother sentence.\n\n```{code-cell} ipython3\nx = 2\n```\n")
    after = execstore.page_key(page)
    assert after != before
    (tmp_path / "new.md").write_text("# New\n\nA sentence.\n", encoding="utf-8")
    assert execstore.page_key(page) != after  # a new page is new prose


def test_a_declared_input_changes_the_key(tmp_path):
    page = tmp_path / "page.md"
    data = tmp_path / "data.json"
    page.write_text(
        "---\nkernelspec:\n  name: python3\n  display_name: Python 3\nrnn_tutorial:\n"
        '  inputs: ["data.json"]\n---\n\n# T\n\n```{code-cell} ipython3\nprint(1)\n```\n',
        encoding="utf-8",
    )
    data.write_text("1", encoding="utf-8")
    before = execstore.page_key(page)
    data.write_text("2", encoding="utf-8")
    after = execstore.page_key(page)
    assert before != after
    # comments do not change it; code does
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("print(1)", "print(1)  # a comment"), encoding="utf-8")
    assert execstore.page_key(page) == after
    page.write_text(text.replace("print(1)", "print(2)"), encoding="utf-8")
    assert execstore.page_key(page) != after


def test_merge_keeps_the_page_code_and_takes_the_outputs():
    nb = execstore.read_page(DOCS / "zh_CN" / "rnn_cell.md")
    done = copy.deepcopy(nb)
    for i, cell in enumerate(c for c in done.cells if c.cell_type == "code"):
        cell.source = "# another language\n" + cell.source
        cell.outputs = [{"output_type": "stream", "name": "stdout", "text": f"{i}\n"}]
    merged = execstore.merge_outputs(nb, done)
    code = [c for c in merged.cells if c.cell_type == "code"]
    assert [c.source for c in code] == [c.source for c in nb.cells if c.cell_type == "code"]
    assert [c.outputs[0]["text"] for c in code] == [f"{i}\n" for i in range(len(code))]


def test_every_page_with_code_declares_the_same_budget_in_both_languages():
    for en in sorted((DOCS / "en").glob("*.md")):
        zh = DOCS / "zh_CN" / en.name
        if not execstore.has_code(en):
            continue
        limit = execstore.budget(en)
        assert isinstance(limit, int | float) and limit > 0, (
            f"{en.name}: no budget: in front matter"
        )
        assert execstore.budget(zh) == limit, f"{en.name}: the zh_CN page declares another budget"


def test_the_longest_executions_start_first(tmp_path):
    pages = {}
    for name, limit in (("short", 5), ("long", 30), ("middle", 12), ("timed", 5)):
        page = tmp_path / f"{name}.md"
        page.write_text(
            f"---\nrnn_tutorial:\n  budget: {limit}\n---\n# {name}\n", encoding="utf-8"
        )
        pages[name] = [page]
    # a page timed here before is placed by its time (40 s), not by its budget (5 s)
    order = execstore.longest_first(pages, {execstore._name(pages["timed"][0]): 40.0})
    assert order == ["timed", "long", "middle", "short"]


# "The page's budget is 20 seconds", "within its budget of 20 seconds",
# "本页的执行预算是在双核机器上 20 秒", "没有超出 20 秒的预算", "本页的预算是 10 秒"
STATED_BUDGET = re.compile(
    r"budget (?:is|of)\s+(\d+)\s+s|预算是[^0-9。；]*?(\d+) 秒|超出 (\d+) 秒的预算"
)


def test_a_budget_stated_in_the_prose_is_the_declared_one():
    checked = 0
    for lang in ("en", "zh_CN"):
        for page in sorted((DOCS / lang).glob("*.md")):
            text = page.read_text(encoding="utf-8")
            for match in STATED_BUDGET.finditer(text):
                stated = int(next(g for g in match.groups() if g))
                assert stated == execstore.budget(page), (
                    f"{lang}/{page.name} states a budget of {stated} s, "
                    f"its front matter {execstore.budget(page)} s"
                )
                checked += 1
    assert checked >= 8  # the pages that state one: attention, captioning, char_lm, padded_batches


def test_every_page_with_code_states_its_time_and_budget_under_its_title():
    """The line under the title: the time the build measured, and the declared budget."""
    line = {
        "en": r'<p class="page-budget">The code on this page ran in ([\d.]+) s when this book '
        r"was built, two pages at a time on two cores; its budget is (\d+) s\.</p>",
        "zh_CN": r'<p class="page-budget">构建本书时，本页代码运行了 ([\d.]+) 秒（在两个核上，'
        r"两页同时执行）；执行预算为 (\d+) 秒。</p>",
    }
    timings = execstore.read_timings()
    for lang, pattern in line.items():
        for page in sorted((DOCS / lang).glob("*.md")):
            html = (execstore.BUILD / "html" / lang / f"{page.stem}.html").read_text("utf-8")
            stated = re.findall(pattern, html)
            if not execstore.has_code(page):
                assert not stated, page
                continue
            assert len(stated) == 1, f"{page}: no time and budget under the title"
            took, limit = stated[0]
            assert int(limit) == execstore.budget(page), page
            assert float(took) == timings[execstore._name(page)], page
            under_title = re.search(r'</h1>\s*<p class="page-budget">', html)
            assert under_title, f"{page}: the line is not under the title"
