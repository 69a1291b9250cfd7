"""The book's PDF and ePub editions: LaTeX and ePub settings for both languages.

``nox -s pdf`` and ``nox -s epub`` build them from the same sources and the
same execution cache as the HTML; this extension fills in what depends on the
language once Sphinx has read it:

- the version (from ``CITATION.cff``) and the build date (``SOURCE_DATE_EPOCH``
  when set, so a rebuild of the same commit prints the same date);
- XeLaTeX with the FreeFont faces for Latin text and, in the Chinese edition,
  ctex/xeCJK with the Noto CJK faces, the frame (目录, 第 N 章, 图, 表,
  参考文献, 索引) in Chinese;
- the book's structure in LaTeX: the chapters before the numbered ones
  (preface) unnumbered, the numbered toctree numbered as in the HTML, the
  toctrees after it as appendices;
- ePub metadata, with equations as SVG images (``nox -s epub`` selects imgmath).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from pathlib import Path

from docutils import nodes
from sphinx import addnodes

SHARED = Path(__file__).resolve().parent
ROOT = SHARED.parent.parent
CITATION = ROOT / "CITATION.cff"

# The LaTeX author: an underscore outside math mode stops LaTeX at \maketitle.
LATEX_AUTHOR = r"The rnn\_tutorial authors"


def edition_basename(lang: str) -> str:
    """File name (without suffix) of a language's PDF, ePub and notebook zip."""
    return f"rnn_tutorial-{lang}"


def citation_metadata() -> dict:
    """``CITATION.cff`` as a dict (the version, title, authors of the book)."""
    import yaml

    return yaml.safe_load(CITATION.read_text(encoding="utf-8"))


def build_date() -> dt.date:
    """The date of this build: ``SOURCE_DATE_EPOCH`` if set, else today (UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.datetime.now(tz=dt.UTC).date()


LATEX_COMMON = {
    "papersize": "a4paper",
    "pointsize": "10pt",
    "figure_align": "htbp",
    # Long code and output lines wrap, at any character when they have to:
    # nothing runs past the right margin.
    "sphinxsetup": "verbatimwrapslines=true, verbatimforcewraps=true, "
    "verbatimmaxunderfull=2, verbatimmaxoverfull=0",
    "printindex": r"\footnotesize\raggedright\printindex",
}

# Glyphs FreeMono lacks (□ marks a hidden entry in some outputs); Noto Sans
# Mono CJK has them and is present wherever the Chinese edition builds.
FALLBACK_GLYPHS = r"""
\usepackage{newunicodechar}
\newfontfamily\rnnfallbackfont{Noto Sans Mono CJK SC}
\newunicodechar{□}{{\rnnfallbackfont □}}
\newunicodechar{■}{{\rnnfallbackfont ■}}
"""

# Chinese text appears in the English edition too (the word-level section of
# the character-level model, outputs); xeCJK sets it in the Noto CJK faces.
CJK_FONTS = r"""
\setCJKmainfont{Noto Serif CJK SC}[BoldFont={Noto Sans CJK SC Bold}]
\setCJKsansfont{Noto Sans CJK SC}
\setCJKmonofont{Noto Sans Mono CJK SC}
"""

# xeCJK adds no spaces inside code (fancyvrb), as Sphinx does for Chinese.
CJK_VERBATIM = r"\fvset{fontsize=\small,formatcom=\xeCJKVerbAddon}"

LATEX_BY_LANGUAGE = {
    "en": {
        "fontenc": "\\usepackage{fontspec}\n\\usepackage{xeCJK}",
        "fvset": CJK_VERBATIM,
        # Sphinx names the contents after the first toctree's caption
        # ("Getting started"); the book's contents are the Contents.
        # English quotes, dashes and ellipses in the Latin font (xeCJK
        # would set them as full-width CJK punctuation: "network’ s").
        "preamble": CJK_FONTS
        + r'\xeCJKDeclareCharClass{Default}{"2018,"2019,"201C,"201D,"2013,"2014,"2026}'
        + "\n"
        + FALLBACK_GLYPHS
        + r"\makeatletter\g@addto@macro\sphinxtableofcontentshook{\def\contentsname{Contents}}"
        + "\\makeatother\n",
    },
    "zh_CN": {
        # ctex loads xeCJK and sets the captions (目录, 图, 表, 参考文献, 索引) in
        # Chinese; its heading option stays off because sphinx.sty formats the
        # headings with titlesec, so the chapter opening is set here.
        "babel": "",
        "polyglossia": "",
        "fontenc": r"\usepackage{fontspec}",
        "fncychap": "",
        "fvset": CJK_VERBATIM,
        "preamble": r"""
\usepackage[UTF8,scheme=chinese,heading=false,fontset=none]{ctex}
"""
        + CJK_FONTS
        + r"""
\makeatletter
\newcommand{\rnnchapterlabel}{第\,\thechapter\,章}
\g@addto@macro\appendix{\renewcommand{\rnnchapterlabel}{附录\,\thechapter}}
\makeatother
\titleformat{\chapter}[display]{\normalfont\sffamily\bfseries}%
  {\huge\rnnchapterlabel}{16pt}{\Huge}
\titleformat{name=\chapter,numberless}[display]{\normalfont\sffamily\bfseries}%
  {}{0pt}{\Huge}
"""
        + FALLBACK_GLYPHS,
    },
}


def _configure(app, config) -> None:
    lang = config.language
    meta = citation_metadata()
    title = config.html_title or meta["title"]
    config.version = config.release = str(meta["version"])
    # The title page's date: the build's (Sphinx reads SOURCE_DATE_EPOCH too).
    config.today_fmt = {"en": "Built %Y-%m-%d", "zh_CN": "构建于 %Y-%m-%d"}[lang]
    base = edition_basename(lang)

    # every HTML page says which text it is: version and build date
    stamp_line = {
        "en": f"Version {config.version}, built {build_date().isoformat()}",
        "zh_CN": f"版本 {config.version}，构建于 {build_date().isoformat()}",
    }[lang]
    footer = config.html_theme_options.get("extra_footer", "")
    config.html_theme_options = {
        **config.html_theme_options,
        "extra_footer": f'{footer}<p class="book-version">{stamp_line}</p>',
    }

    config.latex_engine = "xelatex"
    config.latex_documents = [(config.root_doc, f"{base}.tex", title, LATEX_AUTHOR, "manual")]
    # the title page says which text this is: version and build date
    stamp = {
        "en": {"releasename": "Version"},
        "zh_CN": {"releasename": "版本"},
    }[lang]
    config.latex_elements = {
        **LATEX_COMMON,
        **LATEX_BY_LANGUAGE[lang],
        **stamp,
        **config.latex_elements,
    }
    config.latex_domain_indices = False  # no "Proof Index" page
    config.latex_show_urls = "no"
    config.latex_show_pagerefs = False

    config.epub_basename = base
    config.epub_title = title
    config.epub_author = meta["authors"][0]["name"]
    config.epub_publisher = meta["authors"][0]["name"]
    config.epub_copyright = config.copyright
    config.epub_language = lang.replace("_", "-")  # zh-CN, as ePub (BCP 47) wants
    # epubcheck wants the NCX's uid (epub_uid) to be the OPF's identifier
    config.epub_identifier = config.epub_uid = f"{base}-{config.version}"
    config.epub_scheme = "unknown"
    config.epub_show_urls = "no"
    config.epub_use_index = False
    config.epub_exclude_files = ["search.html", "genindex.html", "404.html", ".buildinfo.bak"]
    config.imgmath_image_format = "svg"
    config.imgmath_use_preview = True  # depth: inline equations sit on the baseline
    config.imgmath_embed = False
    config.imgmath_font_size = 13
    config.imgmath_latex_preamble = r"\usepackage{amsmath,amssymb,bm}"


def _latex_book_structure(app, doctree, docname) -> None:
    """Number the chapters of the LaTeX edition as the HTML does.

    The root document's toctrees come in order; the ones before the first
    ``:numbered:`` toctree (the preface) give unnumbered chapters, the numbered
    ones numbered chapters, the ones after it appendices (A, B, ...). Runs on
    the whole book, once the LaTeX builder has put the chapters in the place
    of the root document's toctrees.
    """
    if app.builder.name != "latex" or docname != app.config.root_doc:
        return
    numbered = [
        bool(toctree.get("numbered"))
        for toctree in app.env.get_doctree(docname).findall(addnodes.toctree)
    ]
    inside_chapters = {
        id(node)
        for part in doctree.findall(addnodes.start_of_file)
        for node in part.findall(nodes.compound)
    }
    wrappers = [
        node
        for node in doctree.findall(nodes.compound)
        if "toctree-wrapper" in node["classes"] and id(node) not in inside_chapters
    ]
    _label_exercises(doctree)
    _drop_empty_sections(doctree)
    if len(wrappers) != len(numbered) or True not in numbered:
        return
    first = numbered.index(True)
    # The root page's own text greets a web reader; the book opens with the
    # title page and the contents instead.
    for node in list(wrappers[0].parent.children):
        if isinstance(node, nodes.paragraph):
            node.parent.remove(node)
    # the depth Sphinx chose, saved before the first change
    save = r"\edef\rnnsecnumdepth{\the\value{secnumdepth}}" + "\n"
    wrappers[0].parent.insert(
        wrappers[0].parent.index(wrappers[0]), nodes.raw("", save, format="latex")
    )
    for i, wrapper in enumerate(wrappers):
        if i < first:
            latex = r"\setcounter{secnumdepth}{-1}"
        elif numbered[i]:
            latex = r"\setcounter{secnumdepth}{\rnnsecnumdepth}"
        elif i == numbered.index(False, first):
            latex = r"\setcounter{secnumdepth}{\rnnsecnumdepth}\appendix"
        else:
            continue
        wrapper.parent.insert(
            wrapper.parent.index(wrapper), nodes.raw("", latex + "\n", format="latex")
        )


def _label_exercises(doctree) -> None:
    """Give every exercise the LaTeX label its solution's "Solution to" link names.

    sphinx-exercise labels an exercise ``exercise:<label>`` in LaTeX while the
    link of its solution points at ``<document>:<label>``: without this the
    PDF has a dead link and an undefined reference per solution.
    """
    from sphinx_exercise.nodes import exercise_enumerable_node, exercise_node

    # inline_all_toctrees moves a chapter's nodes into a start_of_file node
    # without resetting their parents: walk down from each one instead.
    docname_of = {}
    for part in doctree.findall(addnodes.start_of_file):  # outer before inner
        for node in part.findall(
            lambda n: isinstance(n, (exercise_node, exercise_enumerable_node))
        ):
            docname_of[node] = part["docname"]
    for node, doc in docname_of.items():
        if node.get("label"):
            target = f"\\phantomsection\\label{{\\detokenize{{{doc}:{node['label']}}}}}"
            node.parent.insert(node.parent.index(node), nodes.raw("", target, format="latex"))


def _drop_empty_sections(doctree) -> None:
    """Remove the sections left with a title alone.

    A chapter's "References" section holds its bibliography in the HTML; the
    PDF gathers all references in one bibliography at the end of the book,
    which leaves the chapter's section empty.
    """
    for section in list(doctree.findall(nodes.section)):
        rest = [c for c in section.children if not isinstance(c, (nodes.title, nodes.target))]
        if not rest and section.parent is not None:
            section.parent.remove(section)


def _render_all_math(app, builder) -> None:
    """Typeset every equation of the ePub in one LaTeX run before the pages are written.

    imgmath runs LaTeX and dvisvgm once per equation, over a thousand times
    per language; here all of them go into one document (one ``preview``
    page each), one ``latex`` and one ``dvisvgm`` make every SVG, saved under
    the name imgmath gives it, with the depth it records, so imgmath finds
    them all made. An equation this misses imgmath still renders itself.
    """
    if builder.name != "epub":
        return
    import hashlib
    import subprocess
    import tempfile

    from sphinx.ext import imgmath
    from sphinx.util.math import wrap_displaymath

    config = app.config
    wanted = {}
    for docname in sorted(app.env.found_docs):
        for node in app.env.get_doctree(docname).findall(
            lambda n: isinstance(n, (nodes.math, nodes.math_block))
        ):
            if isinstance(node, nodes.math):
                math = "$" + node.astext() + "$"
            elif node.get("no-wrap", node.get("nowrap", False)):
                math = node.astext()
            else:
                math = wrap_displaymath(node.astext(), None, False)
            macro = imgmath.generate_latex_macro("svg", math, config, app.confdir)
            name = hashlib.sha1(macro.encode(), usedforsecurity=False).hexdigest() + ".svg"
            target = builder.outdir / builder.imagedir / "math" / name
            if not target.is_file():
                wanted[target] = math
    if not wanted:
        return
    template = imgmath.generate_latex_macro("svg", "@@MATH@@", config, app.confdir)
    head, rest = template.split(r"\begin{preview}", 1)
    page, _ = rest.split(r"\end{document}", 1)
    body = "".join(r"\begin{preview}" + page.replace("@@MATH@@", m) for m in wanted.values())
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / "math.tex").write_text(head + body + "\\end{document}\n", encoding="utf-8")
        latex = [config.imgmath_latex, "--interaction=nonstopmode", *config.imgmath_latex_args]
        subprocess.run([*latex, "math.tex"], cwd=folder, capture_output=True, check=False)
        if not (folder / "math.dvi").is_file():
            return
        run = subprocess.run(
            [
                config.imgmath_dvisvgm,
                *config.imgmath_dvisvgm_args,
                "-p",
                "1-",
                "-o",
                "%p.svg",
                "math.dvi",
            ],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
        svgs = sorted(folder.glob("*.svg"), key=lambda f: int(f.stem))
        depths = [
            imgmath.depthsvg_re.match(line)
            for line in run.stderr.splitlines()
            if imgmath.depthsvg_re.match(line)
        ]
        if len(svgs) != len(wanted) or len(depths) != len(wanted):
            return  # a page went missing: leave the equations to imgmath
        for target, svg, depth in zip(wanted, svgs, depths, strict=True):
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(svg.read_bytes())
            imgmath.write_svg_depth(target, round(float(depth.group(1)) * 100 / 72.27))


EDITION_LINKS = {
    # suffix, label, tooltip, icon
    "en": [
        (".pdf", "Book (PDF)", "The whole book as PDF", "fas fa-book"),
        (".epub", "Book (ePub)", "The whole book as ePub", "fas fa-book-open"),
        (
            "-notebooks.zip",
            "All notebooks (.zip)",
            "Every page's notebook in one zip",
            "fas fa-file-zipper",
        ),
    ],
    "zh_CN": [
        (".pdf", "全书 PDF", "下载全书 PDF 版", "fas fa-book"),
        (".epub", "全书 ePub", "下载全书 ePub 版", "fas fa-book-open"),
        (
            "-notebooks.zip",
            "全部笔记本（.zip）",
            "下载全部页面的笔记本压缩包",
            "fas fa-file-zipper",
        ),
    ],
}


def _offer_editions(app, pagename, templatename, context, doctree) -> None:
    """Add the book's PDF, ePub and notebooks zip to every page's download menu."""
    if app.builder.name != "html":
        return
    base = edition_basename(app.config.language)
    for group in context.get("header_buttons", []):
        if group.get("label") == "download-buttons":
            for suffix, text, tooltip, icon in EDITION_LINKS[app.config.language]:
                group["buttons"].append(
                    {
                        "type": "link",
                        "url": context["pathto"](base + suffix, 1),
                        "text": text,
                        "tooltip": tooltip,
                        "icon": icon,
                        "label": "download-edition-" + suffix.strip(".-").replace(".", "-"),
                    }
                )


def _valid_epub_pages(app, pagename, templatename, context, doctree) -> None:
    """Make each ePub page valid XHTML for epubcheck.

    The HTML can afford what browsers forgive: paragraphs inside the
    ``<summary>`` of a folded code cell (myst-nb) and one ``id`` given to every
    exercise's and solution's content (sphinx-exercise). In the ePub the
    summaries hold spans, and a repeated id gets a suffix (-2, -3, ...).
    """
    if app.builder.name != "epub":
        return
    # myst-nb's stylesheet uses selectors (:has, :is) and empty custom
    # properties that epubcheck's CSS parser rejects; the ePub's own
    # stylesheet sets code and outputs plainly.
    context["css_files"] = [
        css for css in context.get("css_files", []) if "mystnb." not in str(css)
    ]
    if not context.get("body"):
        return
    body = re.sub(
        r"<summary\b[^>]*>.*?</summary>",
        lambda m: re.sub(r"<(/?)p\b", r"<\1span", m.group(0)),
        context["body"],
        flags=re.DOTALL,
    )
    seen: dict[str, int] = {}

    def unique(match: re.Match) -> str:
        seen[match.group(1)] = seen.get(match.group(1), 0) + 1
        n = seen[match.group(1)]
        return match.group(0) if n == 1 else f' id="{match.group(1)}-{n}"'

    context["body"] = re.sub(r' id="([^"]+)"', unique, body)


def _no_mathjax_in_epub(app, builder) -> None:
    """The ePub's static files as its pages link them.

    sphinx-mathjax-offline copies MathJax into every output folder once a
    build ends; the ePub, whose equations are images, must not pack it.
    """
    if builder.name == "epub":
        shutil.rmtree(builder.outdir / "_static" / "mathjax", ignore_errors=True)
        for css in (builder.outdir / "_static").glob("mystnb.*.css"):
            css.unlink()  # left by myst-nb after an earlier build
        # sphinx-exercise and sphinx-proof copy their stylesheets once the
        # build ends, after the ePub is packed: copy them before it is.
        import sphinx_exercise
        import sphinx_proof

        sphinx_exercise.copy_asset_files(app, None)
        sphinx_proof.copy_asset_files(app, None)


def setup(app):
    # The ePub builder looks up epub_math_renderer before html_math_renderer:
    # equations as SVG images there, MathJax in the HTML. No rebuild of the
    # environment depends on it, so the ePub reuses the HTML's doctrees.
    app.add_config_value("epub_math_renderer", "imgmath", "", types=frozenset({str}))
    app.connect("config-inited", _configure, priority=200)
    app.connect("doctree-resolved", _latex_book_structure)
    app.connect("html-page-context", _valid_epub_pages, priority=900)
    app.connect("write-started", _no_mathjax_in_epub)
    # after sphinx-book-theme has made the download menu (priority 501)
    app.connect("html-page-context", _offer_editions, priority=600)
    app.connect("write-started", _render_all_math)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
