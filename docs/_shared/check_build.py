"""Checks on the built book that no single page's build can make.

Run by ``nox -s docs`` after both languages are built; exits non-zero with a
list of problems. Usage: ``python docs/_shared/check_build.py docs/_build/html``.
"""

from __future__ import annotations

import json
import re
import sys
from html import unescape
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import glossary_terms  # noqa: E402

DOCS = Path(__file__).resolve().parents[1]

LANGS = ("en", "zh_CN")
# A term per language that the search must find, and a page it must lead to.
SEARCH_EXPECTATIONS = {
    "en": [("recurr", "sequences"), ("hidden", "rnn_cell")],
    "zh_CN": [("循环", "sequences"), ("隐藏", "rnn_cell"), ("参数", "sequences")],
}
# Chinese prose: no space between two Chinese characters, none next to full-width
# punctuation (the Chinese build removes them, docs/_shared/cjk.py); judged on
# the text of each paragraph, caption, heading and table cell, code and math aside.
CJK = r"\u3400-\u9fff\u3000-\u303f\uff00-\uffef"
PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
STRAY_SPACE = re.compile(rf"[{CJK}] +[{CJK}]|[{PUNCT}] +\S|\S +[{PUNCT}]")
BLOCKS = re.compile(
    r"<(p|dt|dd|li|figcaption|caption|th|td|h[1-6])\b[^>]*>([\s\S]*?)</\1>", re.IGNORECASE
)
NESTED_BLOCK = re.compile(r"<(?:p|div|ul|ol|dl|pre|table|blockquote)\b", re.IGNORECASE)
CODE_OR_MATH = re.compile(
    r"<(pre|script|style)\b[\s\S]*?</\1>|<code\b[\s\S]*?</code>"
    r"|<span class=\"[^\"]*\bmath\b[^\"]*\">[\s\S]*?</span>"
    r"|<div class=\"[^\"]*\bmath\b[\s\S]*?</div>"
)
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


def stray_spaces(page_html: str) -> list[str]:
    """Spaces in the Chinese prose of a built page, each with the text around it."""
    main = page_html.split("<main", 1)[-1].split("</main>", 1)[0]
    main = CODE_OR_MATH.sub("x", main)  # code and math read as a Latin word
    found = []
    for tag, block in BLOCKS.findall(main):
        if tag.lower() in ("li", "dd"):  # its own words, not those of the blocks inside
            block = NESTED_BLOCK.split(block, 1)[0]
        text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", block)))
        for m in STRAY_SPACE.finditer(text):
            found.append(text[max(0, m.start() - 12) : m.end() + 12])
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
        glossary = DOCS / lang / "glossary.md"
        if glossary.is_file():
            for alias, term in glossary_terms.aliases(glossary).items():
                words = [w.lower() for w in re.split(r"[\s\-]+", alias) if w]
                if not all("glossary" in pages_found(index, w) for w in words):
                    found.append(
                        f"{lang}: searching {alias!r} (another name for {term}) "
                        "does not find the glossary"
                    )
        for title, places in index.get("alltitles", {}).items():
            if not title.strip():
                anchors = ", ".join(str(anchor) for _, anchor in places[:5])
                found.append(f"{lang}: the search index lists {anchors} without a title")
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
            if lang == "zh_CN" and not page.name.startswith(("genindex", "search", "prf-")):
                for around in stray_spaces(text):
                    found.append(f"{lang}/{page}: a space in Chinese text: {around!r}")
            ids = re.findall(r'\sid="([^"]+)"', text)
            for dup in sorted({i for i in ids if ids.count(i) > 1}):
                found.append(f"{lang}/{page}: {ids.count(dup)} elements with id {dup!r}")
            if lang == "zh_CN":
                # word-for-word titles from the extensions (docs/_shared/exercises.py)
                for m in re.finditer(r"解答\s*练习\s*[\d.]+|例子\s*\d+(?:\.\d+)?", text):
                    found.append(f"{lang}/{page}: {m.group(0)!r} (write 练习 5.1 的解答, 例 2.1)")
            if lang == "zh_CN" and page.name == "glossary.html":
                # each entry anchored at its English name, as in the English glossary,
                # so that a link to it survives an edit and a change of language
                english = (html / "en" / page).read_text(encoding="utf-8")
                english_ids = set(re.findall(r'id="(term-[^"]+)"', english))
                for anchor in sorted(set(re.findall(r'id="(term-[^"]+)"', text))):
                    if re.fullmatch(r"term-\d+", anchor):
                        found.append(f"{lang}/{page}: an entry anchored by number ({anchor})")
                    elif anchor not in english_ids:
                        found.append(f"{lang}/{page}: #{anchor} is not an entry of en/{page}")
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
