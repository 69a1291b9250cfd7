"""The English and Chinese trees hold the same pages, in step with each other.

See docs/_shared/pagesync.py for what "in step" means and how to stamp a page.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("pagesync", ROOT / "docs/_shared/pagesync.py")
pagesync = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pagesync)

NAMES = pagesync.page_names()
PAGES = sorted(NAMES["en"] | NAMES["zh_CN"])


def test_there_are_pages():
    assert {"index", "preface", "sequences", "rnn_cell", "glossary"} <= set(PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_page_exists_in_both_languages(name):
    missing = [lang for lang in pagesync.LANGS if name not in NAMES[lang]]
    assert not missing, f"{name}.md is missing from docs/{missing[0]}/"


@pytest.mark.parametrize("name", sorted(NAMES["en"] & NAMES["zh_CN"]))
def test_pages_in_step(name):
    problems = pagesync.differences(name)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", sorted(NAMES["en"] & NAMES["zh_CN"]))
def test_pages_are_notebooks_with_the_python3_kernel(name):
    for lang in pagesync.LANGS:
        text = (pagesync.DOCS / lang / f"{name}.md").read_text(encoding="utf-8")
        front, _ = pagesync.split_front_matter(text)
        assert "format_name: myst" in front and "name: python3" in front, (
            f"docs/{lang}/{name}.md needs the jupytext md:myst header with the python3 kernel"
        )


# The checker itself must be able to fail: each broken pair below is caught.
EN = """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  name: python3
---
(sec-a)=
# Title

Some prose. $$x$$ (eq-a)

```{code-cell} python3
---
mystnb:
  figure:
    caption: An English caption.
---
x = 1  # a comment
```
"""


def _differences(tmp_path, monkeypatch, en: str, zh: str, *, stamp: bool = True) -> list[str]:
    for lang, text in (("en", en), ("zh_CN", zh)):
        (tmp_path / lang).mkdir(exist_ok=True)
        (tmp_path / lang / "p.md").write_text(text, encoding="utf-8")
    monkeypatch.setattr(pagesync, "DOCS", tmp_path)
    if stamp:
        pagesync.stamp(["p"])
    return pagesync.differences("p")


def test_a_faithful_pair_passes(tmp_path, monkeypatch):
    zh = (
        EN.replace("Some prose.", "一些文字。")
        .replace("a comment", "注释")
        .replace("An English caption.", "中文图注。")
    )
    assert _differences(tmp_path, monkeypatch, EN, zh) == []


@pytest.mark.parametrize(
    "change, expected",
    [
        (("x = 1", "x = 2"), "code cell 1 differs"),
        (("(sec-a)=", "(sec-b)="), "labels differ"),
        (("# Title", "## Title"), "headings differ"),
        (("$$x$$ (eq-a)", "x"), "display math differ"),
    ],
)
def test_a_broken_pair_fails(tmp_path, monkeypatch, change, expected):
    zh = EN.replace(*change)
    problems = _differences(tmp_path, monkeypatch, EN, zh)
    assert any(expected in p for p in problems), problems


def test_comments_in_code_are_not_headings(tmp_path, monkeypatch):
    zh = EN.replace("x = 1  # a comment", "# 两行\n# 注释\nx = 1")
    assert _differences(tmp_path, monkeypatch, EN, zh) == []


def test_editing_one_language_after_stamping_fails(tmp_path, monkeypatch):
    assert _differences(tmp_path, monkeypatch, EN, EN) == []
    (tmp_path / "en" / "p.md").write_text(EN.replace("Some prose.", "Edited prose."), "utf-8")
    problems = pagesync.differences("p")
    assert any("the en page changed" in p for p in problems), problems


def test_an_unstamped_pair_fails(tmp_path, monkeypatch):
    problems = _differences(tmp_path, monkeypatch, EN, EN, stamp=False)
    assert any("no 'translation:' stamp" in p for p in problems), problems
