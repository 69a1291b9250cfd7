"""Checks on the built book that no single page's build can make.

Run by ``nox -s docs`` after both languages are built; exits non-zero with a
list of problems. Usage: ``python docs/_shared/check_build.py docs/_build/html``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

LANGS = ("en", "zh_CN")
# A term per language that the search must find, and a page it must lead to.
SEARCH_EXPECTATIONS = {
    "en": [("recurr", "sequences"), ("hidden", "rnn_cell")],
    "zh_CN": [("循环", "sequences"), ("隐藏", "rnn_cell"), ("参数", "sequences")],
}
EXTERNAL = re.compile(
    r"""(?:src|href)=["'](?:https?:)?//(?!localhost|127\.0\.0\.1)[^"']+\.(?:js|css|woff2?)\b"""
)


def load_search_index(html: Path, lang: str) -> dict:
    text = (html / lang / "searchindex.js").read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


def pages_found(index: dict, term: str) -> set[str]:
    """Pages whose text or headings contain ``term`` (as Sphinx's search finds them)."""
    found = set()
    for table in ("terms", "titleterms"):
        hits = index[table].get(term, [])
        hits = [hits] if isinstance(hits, int) else hits
        found |= {index["docnames"][i] for i in hits}
    return found


def problems(html: Path) -> list[str]:
    found = []
    for lang in LANGS:
        if not (html / lang / "index.html").is_file():
            return [f"{html / lang} has no index.html: build the book first (nox -s docs)"]
    for lang, expectations in SEARCH_EXPECTATIONS.items():
        index = load_search_index(html, lang)
        for term, page in expectations:
            if page not in pages_found(index, term):
                found.append(f"{lang}: searching {term!r} does not find the {page} page")
    pages = {
        lang: {
            p.relative_to(html / lang)
            for p in (html / lang).rglob("*.html")
            if not p.relative_to(html / lang).parts[0].startswith("_")
        }
        for lang in LANGS
    }
    for lang in LANGS:
        other = LANGS[1 - LANGS.index(lang)]
        for page in sorted(pages[lang] - pages[other]):
            found.append(
                f"{lang}/{page} has no counterpart in {other}/: its language link is dead"
            )
        for page in sorted(pages[lang]):
            text = (html / lang / page).read_text(encoding="utf-8")
            if 'class="btn btn-sm language-switch"' not in text and page.name not in (
                "search.html",
                "genindex.html",
            ):
                found.append(f"{lang}/{page} has no language link")
            for m in EXTERNAL.finditer(text):
                found.append(f"{lang}/{page} loads {m.group(0)} from the network")
        if not (html / lang / "_static/mathjax/tex-chtml.js").is_file():
            found.append(f"{lang}: MathJax is not shipped in _static/mathjax")
    return found


def main(argv: list[str]) -> int:
    html = Path(argv[0] if argv else "docs/_build/html")
    found = problems(html)
    for p in found:
        print(f"check_build: {p}", file=sys.stderr)
    if not found:
        print(f"check_build: {html}: search, language links and offline assets are fine")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
