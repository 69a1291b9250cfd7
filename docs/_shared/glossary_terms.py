"""The terms of a glossary page and the other names its entries give for them.

Used for Chinese search (the jieba user dictionary, so that a term or an
alias is indexed as one word) and by ``check_build.py`` (every alias finds
the glossary).
"""

from __future__ import annotations

import re
from pathlib import Path

# 也称“丢弃法”“随机失活”; 也叫“权值共享”或“权重共享”
ALIAS_SENTENCE = re.compile(r"(?:也称|也叫|又称|亦称|或称|也称作|也叫作)([^。；]*)")
QUOTED = re.compile(r"“([^”]+)”")


def glossary_block(page: Path) -> str:
    text = page.read_text(encoding="utf-8")
    return text.split("```{glossary}", 1)[1].split("\n```", 1)[0]


def terms(page: Path) -> list[str]:
    """The terms: the unindented lines of the ``{glossary}`` block."""
    lines = glossary_block(page).splitlines()
    return [line.strip() for line in lines if line and not line[0].isspace()]


def entries(page: Path) -> list[str]:
    """The first term of each entry (长短期记忆网络, not the LSTM beside it), in page order."""
    first, previous_was_term = [], False
    for line in glossary_block(page).splitlines():
        is_term = bool(line) and not line[0].isspace()
        if is_term and not previous_was_term:
            first.append(line.strip())
        previous_was_term = is_term
    return first


def aliases(page: Path) -> dict[str, str]:
    """Other names an entry gives for its term ("也称“丢弃法”"), mapped to the term."""
    found: dict[str, str] = {}
    term = ""
    for line in glossary_block(page).splitlines():
        if line and not line[0].isspace():
            term = line.strip()
            continue
        for sentence in ALIAS_SENTENCE.findall(line):
            for name in QUOTED.findall(sentence):
                found.setdefault(name, term)
    return found


TERM_ID = re.compile(r"term-\d+$")


def english_ids(app, doctree) -> None:
    """Anchor each Chinese glossary entry at its English name: ``#term-dropout``.

    Sphinx makes an anchor from a term's text, and a Chinese term has no ASCII
    to make one from, so it numbered them in order (``#term-14``): a link to
    an entry broke when an entry was added above it. The entry's first words
    are its English name in bold (``**dropout** · ...``), the same name the
    English glossary is anchored at, so an anchor also survives a change of
    language.
    """
    from docutils import nodes
    from sphinx.util.nodes import _make_id

    if not (app.config.language or "").startswith("zh"):
        return
    std = app.env.domains.standard_domain
    for item in doctree.findall(nodes.definition_list_item):
        terms = [t for t in item.children if isinstance(t, nodes.term)]
        definition = next((d for d in item.children if isinstance(d, nodes.definition)), None)
        if not terms or definition is None:
            continue
        strong = next(definition.findall(nodes.strong), None)
        if strong is None:
            continue
        new = _make_id(f"term-{strong.astext()}")  # as Sphinx anchors the English entry
        for term in terms:
            old = term["ids"][0] if term["ids"] else ""
            # only the numbered anchors; "LSTM" beside 长短期记忆网络 keeps term-lstm
            if not TERM_ID.match(old) or new in doctree.ids:
                continue
            term["ids"] = [new]
            doctree.ids.pop(old, None)
            doctree.ids[new] = term
            for index in term.findall(lambda n: n.tagname == "index"):
                index["entries"] = [(*e[:2], new, *e[3:]) for e in index["entries"]]
            # what std._note_term recorded for the numbered anchor, now for the new one
            docname = app.env.current_document.docname
            std.objects["term", term.astext()] = (docname, new)
            std._terms[term.astext().lower()] = (docname, new)


def setup(app):
    app.connect("doctree-read", english_ids)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
