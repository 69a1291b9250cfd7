"""A "cite this" block under every chapter and every worked example.

Generated, never typed: the book's title, authors and version come from
``CITATION.cff``, the build date from the build (``SOURCE_DATE_EPOCH`` when
set), the chapter number and title from the table of contents, and the anchor
from the example's label, in both languages (the two books share file names
and labels). In the PDF the plain reference adds the page (``\\pageref``).

The blocks are added when a page is written (``doctree-resolved``), so they
change no doctree: the PDF and the ePub, which reuse the HTML's doctrees,
carry them too.
"""

from __future__ import annotations

from docutils import nodes
from editions import build_date, citation_metadata
from sphinx import addnodes

BOOK = {"en": "Recurrent Neural Networks in NumPy", "zh_CN": "用 NumPy 实现循环神经网络"}
HEADINGS = {
    "en": {"chapter": "Cite this chapter", "example": "Cite this example"},
    "zh_CN": {"chapter": "引用本章", "example": "引用本例"},
}


def plain_reference(lang, kind, title, number, version, date, url, other_url) -> str:
    """The reference as a reader would write it, in the page's language."""
    authors = citation_metadata()["authors"][0]["name"]
    if lang == "zh_CN":
        where = f"第 {number} 章" if kind == "chapter" else f"第 {number} 章中的例子"
        return (
            f"{authors}.《{title}》，{where}，载于《{BOOK[lang]}》，版本 {version}"
            f"（构建于 {date}）。{url}（英文版：{other_url}）"
        )
    where = f"chapter {number}" if kind == "chapter" else f"an example in chapter {number}"
    return (
        f"{authors}. “{title}”, {where}. In {BOOK[lang]}, version {version} "
        f"(built {date}). {url} (Chinese edition: {other_url})"
    )


def bibtex(lang, key, title, version, date, url, other_url) -> str:
    authors = citation_metadata()["authors"][0]["name"]
    other = "Chinese edition" if lang == "en" else "English edition"
    return (
        f"@incollection{{{key},\n"
        f"  title     = {{{title}}},\n"
        f"  booktitle = {{{BOOK[lang]}}},\n"
        f"  author    = {{{{{authors}}}}},\n"
        f"  year      = {{{date[:4]}}},\n"
        f"  edition   = {{{version}}},\n"
        f"  url       = {{{url}}},\n"
        f"  note      = {{Built {date}. {other}: {other_url}}},\n"
        f"}}"
    )


def cite_block(app, kind, docname, title, number, anchor, latex_label) -> nodes.Element:
    lang = app.config.language
    other = "zh_CN" if lang == "en" else "en"
    site = app.config.html_baseurl[: -len(lang) - 1]  # .../en/ -> .../
    fragment = f"#{anchor}" if anchor else ""
    url = f"{site}{lang}/{docname}.html{fragment}"
    other_url = f"{site}{other}/{docname}.html{fragment}"
    version = str(citation_metadata()["version"])
    date = build_date().isoformat()
    key = f"rnn_tutorial_{docname}" + (f"_{anchor}" if anchor else "")
    key = key.replace("-", "_")

    box = nodes.admonition(classes=["cite-this", "dropdown"])
    box += nodes.title(text=HEADINGS[lang][kind])
    text = plain_reference(lang, kind, title, number, version, date, url, other_url)
    para = nodes.paragraph(text=text)
    if app.builder.name == "latex":
        page = {"en": r" PDF p.~\pageref{%s}.", "zh_CN": r"PDF 第~\pageref{%s}~页。"}[lang]
        para += nodes.raw("", page % latex_label, format="latex")
    box += para
    code = bibtex(lang, key, title, version, date, url, other_url)
    block = nodes.literal_block(code, code, language="bibtex")
    box += block
    return box


def _chapter_number(env, docname) -> str | None:
    numbers = env.toc_secnumbers.get(docname, {})
    first = numbers.get("") or next(iter(numbers.values()), None)
    return ".".join(map(str, first[:1])) if first else None


def _add_blocks(app, doctree, docname) -> None:
    from sphinx_proof.nodes import example_node

    env = app.env
    if app.builder.name == "latex":
        parts = [(p["docname"], p) for p in doctree.findall(addnodes.start_of_file)]
    else:
        parts = [(docname, doctree)]
    for doc, part in parts:
        number = _chapter_number(env, doc)
        if number is None:
            continue  # preface, appendix, glossary: not numbered chapters
        title = env.titles[doc].astext()
        for i, example in enumerate(list(part.findall(example_node))):
            label = (example.get("ids") or [example.get("label", "")])[0]
            name = example.children[0].astext() if example.children else title
            name = name.strip().removeprefix("(").removesuffix(")")  # sphinx-proof's "(title)"
            latex_label = f"rnncite:{doc}:{i}"
            if app.builder.name == "latex":
                example.parent.insert(
                    example.parent.index(example),
                    nodes.raw("", rf"\phantomsection\label{{{latex_label}}}", format="latex"),
                )
            example.parent.insert(
                example.parent.index(example) + 1,
                cite_block(app, "example", doc, name, number, label, latex_label),
            )
        top = next(iter(part.findall(nodes.section)), None)
        if top is not None:
            latex_label = f"rnncite:{doc}"
            if app.builder.name == "latex":
                top.insert(1, nodes.raw("", rf"\label{{{latex_label}}}", format="latex"))
            # after the chapter's opening, before its first section
            first = next((c for c in top.children if isinstance(c, nodes.section)), None)
            at = top.index(first) if first is not None else len(top.children)
            top.insert(at, cite_block(app, "chapter", doc, title, number, None, latex_label))


def setup(app):
    # after the editions' own LaTeX structure (same event, later)
    app.connect("doctree-resolved", _add_blocks, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
