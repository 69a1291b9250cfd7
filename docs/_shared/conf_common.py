"""Sphinx configuration shared by both languages.

``docs/en/conf.py`` and ``docs/zh_CN/conf.py`` import everything from here and
set ``language``; whatever depends on the language is filled in by
:func:`_configure_language` once Sphinx has read it.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(__file__).resolve().parent
DOCS = SHARED.parent
BUILD = Path(os.environ.get("RNN_TUTORIAL_BUILD", DOCS / "_build")).resolve()

import sys

sys.path.insert(0, str(SHARED))  # the book's own Sphinx extensions

from site_root import base_url  # RNN_TUTORIAL_BASEURL: where the site is published

LANGUAGES = {"en": "English", "zh_CN": "中文"}
TITLES = {"en": "Recurrent Neural Networks in NumPy", "zh_CN": "用 NumPy 实现循环神经网络"}

project = "rnn_tutorial"
author = "The rnn_tutorial authors"
copyright = "2026, The rnn_tutorial authors"

extensions = [
    "myst_nb",
    "sphinx_copybutton",
    "sphinx_exercise",
    "sphinx_proof",
    "sphinx_togglebutton",
    "sphinxcontrib.bibtex",
    "sphinx-mathjax-offline",
    "pysource",  # docs/_shared/pysource.py: literalinclude :no-docstring:
    "cjk",  # docs/_shared/cjk.py: no stray spaces in hard-wrapped Chinese
    "execstore",  # docs/_shared/execstore.py: one execution of a page for both languages
    "exercises",  # docs/_shared/exercises.py: exercises titled in search, unique ids
    "glossary_terms",  # docs/_shared/glossary_terms.py: Chinese terms anchored by English name
    "sphinx.ext.imgmath",  # the ePub's equations as SVG (nox -s epub selects it)
    "editions",  # docs/_shared/editions.py: the PDF and ePub editions
    "citethis",  # docs/_shared/citethis.py: "cite this" under chapters and examples
]
html_math_renderer = "mathjax"

exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = [str(SHARED / "templates")]
html_static_path = [str(SHARED / "static")]
html_css_files = ["rnn_tutorial.css"]
html_favicon = str(SHARED / "static" / "favicon.svg")  # else every page load asks for /favicon.ico
html_js_files = ["language_switch.js", "search_snippets.js"]

# --- MyST and notebook execution -------------------------------------------
myst_enable_extensions = ["amsmath", "colon_fence", "dollarmath", "deflist", "substitution"]
myst_heading_anchors = 3
# "cache" is served by execstore: outputs stored once per page for both languages
# under docs/_build/.execstore, keyed by the code, the package and declared inputs.
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True
# myst-nb opens a jupyter-cache in "cache" mode even though execstore serves the
# outputs; keep its (empty) folder out of the published tree.
nb_execution_cache_path = str(BUILD / ".jupyter_cache")



# --- References ----------------------------------------------------------------
def _remember_pybtex_plugins() -> None:
    """Look each pybtex plugin up once per build, not once per formatted entry.

    sphinxcontrib-bibtex formats every cited entry on every build, and each
    format asks pybtex for its style and backend plugins, which scans the
    entry points of every installed package: a third of a no-change build.
    """
    import functools

    import pybtex.plugin

    if not hasattr(pybtex.plugin._load_entry_point, "cache_info"):
        pybtex.plugin._load_entry_point = functools.cache(pybtex.plugin._load_entry_point)


_remember_pybtex_plugins()

bibtex_bibfiles = [str(SHARED / "refs.bib")]
bibtex_default_style = "plain"
bibtex_reference_style = "author_year"

# --- HTML ----------------------------------------------------------------------
html_theme = "sphinx_book_theme"
html_theme_options = {
    "article_header_end": ["language-switch.html", "article-header-buttons.html"],
    "use_download_button": True,
    "show_toc_level": 2,
    "home_page_in_toc": True,
    "navigation_with_keys": False,
}
# The colour mode on a reader's first visit (pydata-sphinx-theme reads it from
# the context, not from the theme options): without it the theme's script logs
# "Got invalid theme mode" to the console when no mode is stored yet.
html_context = {"default_mode": "auto"}
html_last_updated_fmt = ""
html_show_sourcelink = False
html_copy_source = True
html_sourcelink_suffix = ""
# Chinese search: jieba cuts the pages into words, and the search box looks a
# query up as one word. Set per language below: the book's glossary terms as a
# jieba user dictionary (else 遗忘门 is cut into 遗忘 + 门 and finds no chapter).
html_search_options: dict[str, str] = {}

# Figures, tables and equations numbered per chapter (Fig. 2.1, (2.3)) so a
# citation names the same number in both languages.
numfig = True
numfig_secnum_depth = 1
math_numfig = True
math_eqref_format = "({number})"

nitpicky = True
suppress_warnings: list[str] = []


def _extensions_digest() -> str:
    """A hash of the book's own extensions: when one changes, every page is read again.

    Sphinx rereads the pages when a config value changes, but not when the code
    of a local extension does (cjk.py, exercises.py, glossary_terms.py ...).
    """
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(SHARED.glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


book_extensions_digest = _extensions_digest()
# sphinx-proof's "Proof Index" (prf-prf.html) lists the worked examples again;
# no page links to it, and the book has no other domain index.
html_domain_indices = False

# Interface words that the theme and the extensions leave in English, or word in
# a way a Chinese book does not ("解答 练习 5.1" is reordered in cjk.py). The
# theme's templates look the first group up in Sphinx's message catalogue.
INTERFACE = {
    "zh_CN": {
        "messages": {
            ("sphinx", "System Settings"): "跟随系统",
            ("sphinx", "Color mode"): "颜色模式",
            ("sphinx", "Toggle primary sidebar"): "显示或隐藏目录栏",
            ("sphinx", "Toggle secondary sidebar"): "显示或隐藏本页目录",
            ("proof", "Example"): "例",  # sphinx-proof says 例子 2.1; a book says 例 2.1
        },
        "author": "rnn_tutorial 项目组",
        "search_bar_text": "搜索本书…",
        "togglebutton_hint": "点击展开",
        "togglebutton_hint_hide": "点击收起",
        "nb_code_prompt_show": "显示代码",
        "nb_code_prompt_hide": "隐藏代码",
    },
    "en": {
        "messages": {},
        "author": author,
        "search_bar_text": "Search the book…",
        "togglebutton_hint": "Click to show",
        "togglebutton_hint_hide": "Click to hide",
        "nb_code_prompt_show": "Show code",
        "nb_code_prompt_hide": "Hide code",
    },
}


def _configure_language(app, config) -> None:
    lang = config.language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {lang!r}")
    other = next(code for code in LANGUAGES if code != lang)
    config.html_title = TITLES[lang]
    config.html_baseurl = f"{base_url()}{lang}/"  # canonical links, as in the sitemap
    config.html_context = {
        **config.html_context,
        "other_language": other,
        "other_language_name": LANGUAGES[other],
        "current_language_name": LANGUAGES[lang],
    }
    words = INTERFACE[lang]
    config.author = words["author"]
    config.copyright = copyright.replace(author, words["author"])
    config.html_theme_options = {
        **config.html_theme_options,
        "search_bar_text": words["search_bar_text"],
    }
    for name in ("togglebutton_hint", "togglebutton_hint_hide"):
        config[name] = words[name]
    for name in ("nb_code_prompt_show", "nb_code_prompt_hide"):
        config[name] = words[name]
    for catalog in {catalog for catalog, _ in words["messages"]}:
        messages = {msg: text for (cat, msg), text in words["messages"].items() if cat == catalog}
        _put_messages_first(app, catalog, messages)
    if lang == "zh_CN":
        # jieba announces loading its dictionary on stderr at the first search
        # index cut; a successful build prints nothing a contributor must read.
        import logging

        import jieba

        jieba.setLogLevel(logging.WARNING)
    if lang == "zh_CN" and not config.html_search_options:
        config.html_search_options = {"dict": str(_glossary_terms_for_jieba(DOCS / lang))}
    # myst-nb writes executed notebooks and their images next to the output
    # directory, in a folder the two languages would share (and publish);
    # give each language its own folder outside the published tree.
    import myst_nb.sphinx_ext

    myst_nb.sphinx_ext.OUTPUT_FOLDER = str(BUILD / ".jupyter_execute" / lang)


def _put_messages_first(app, catalog: str, messages: dict[str, str]) -> None:
    """Look interface words up in ``messages`` before the message ``catalog`` of Sphinx,
    the theme (catalog ``sphinx``) or an extension (sphinx-proof's ``proof``).

    The theme's zh catalogue leaves "System Settings" and "Color mode"
    untranslated, and its sidebar buttons carry no translation at all (the
    book's copies of those templates, in ``templates/components``, ask for one).
    """
    import gettext

    from sphinx import locale

    class Messages(gettext.NullTranslations):
        def gettext(self, message):
            if message in messages:
                return messages[message]
            return self._fallback.gettext(message) if self._fallback else message

    key = ("general", catalog)
    ours = Messages()
    theirs = locale.translators.get(key)
    if theirs is not None:
        ours.add_fallback(theirs)
    locale.translators[key] = ours
    if catalog == "sphinx":  # the templates translate through app.translator
        app.translator = ours


def _glossary_terms_for_jieba(folder: Path) -> Path:
    """Write the glossary's terms and their aliases as a jieba user dictionary; return its path.

    The terms are the unindented lines of the ``{glossary}`` block, the aliases
    the names an entry quotes after 也称 (丢弃法 for 暂退法); a high frequency
    makes jieba keep each one whole, so that searching it finds the entry.
    """
    import glossary_terms

    page = folder / "glossary.md"
    names = [*glossary_terms.terms(page), *glossary_terms.aliases(page)]
    out = BUILD / "jieba_terms" / f"{folder.name}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    words = "".join(f"{name} 100000\n" for name in dict.fromkeys(names) if " " not in name)
    if not out.is_file() or out.read_text(encoding="utf-8") != words:
        out.write_text(words, encoding="utf-8")
    return out


def _offer_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """Put the executed notebook of a page in ``_sources`` for the download button.

    sphinx-book-theme only does this when launch buttons are configured. The
    notebook myst-nb writes to its output folder has the page's cells but not
    their outputs (it saves the notebook as read); the outputs are merged in
    from the page's stored execution, so a reader gets what the page shows.
    """
    import execstore
    import nbformat

    if not getattr(app.builder, "copysource", False):
        return  # the ePub carries no page sources
    written = Path(myst_nb_output_folder(app)) / f"{pagename}.ipynb"
    if not written.is_file():
        return
    nb = nbformat.read(written, as_version=4)
    if any(cell.cell_type == "code" for cell in nb.cells):
        page = Path(app.env.doc2path(pagename))
        key = execstore.page_key(page)
        nb = execstore.merge_outputs(nb, execstore.load(key))
    nb.metadata.pop("source_map", None)  # myst-nb's line numbers, of no use to a reader
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def _accessible_citations(app, pagename, templatename, context, doctree) -> None:
    """Make the reference list a list of list items for screen readers.

    docutils writes the references as ``role="list"`` holding entries of role
    ``doc-biblioentry``, a role ARIA 1.3 deprecates; a screen reader then meets
    a list without items (axe: aria-required-children, critical).
    """
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _chinese_search_language():
    """Sphinx 9.0's Chinese search language, with the stemmer it actually ships.

    For Latin words in Chinese pages Sphinx puts the English stemmer into
    ``language_data.js`` but then sets ``window.Stemmer = ChineseStemmer``, a
    name that does not exist: every Chinese page threw a ReferenceError and
    the search page found nothing. The stemmer's name comes from
    ``language_name``.
    """
    from sphinx.search.zh import SearchChinese

    class SearchChineseEnglishStemmer(SearchChinese):
        language_name = "English"

        # jieba loads its whole dictionary (half a second) when given the
        # glossary's terms; a build that writes no page cuts no text, so the
        # terms are given at the first cut instead of when the index is set up
        def __init__(self, options: dict[str, str]) -> None:
            super().__init__({**options, "dict": ""})
            self._dict = options.get("dict")

        def split(self, input: str) -> list[str]:
            if self._dict:
                from sphinx.search.zh import jieba_load_userdict

                if Path(self._dict).is_file():
                    jieba_load_userdict(self._dict)
                self._dict = None
            return super().split(input)

    return SearchChineseEnglishStemmer


def myst_nb_output_folder(app) -> str:
    return app.env.mystnb_config.output_folder


class _NothingRead:
    """Skip two whole-book recomputations when a build has read no page.

    After every build, even one where nothing changed, sphinxcontrib-bibtex
    formats every cited entry again and Sphinx walks every doctree to number
    the figures: a third of a no-change build. Both results are kept in the
    pickled environment and depend only on the pages' doctrees and the
    configuration, and any change to either makes Sphinx read at least one
    page (or purge one). So when no page was read or purged, the kept
    results stand as they are.
    """

    def __init__(self, app):
        self.touched = False
        app.connect("env-purge-doc", self.touch)
        app.connect("env-before-read-docs", self.reading)

    def touch(self, app, env, docname):
        self.touched = True

    def reading(self, app, env, docnames):
        self.touched = self.touched or bool(docnames)

    def wrap(self, handler):
        def skipped_if_nothing_read(*args):
            return handler(*args) if self.touched else []

        return skipped_if_nothing_read


def _skip_when_nothing_read(app) -> None:
    from sphinx.environment.collectors.toctree import TocTreeCollector
    from sphinxcontrib.bibtex.domain import BibtexDomain

    guard = _NothingRead(app)
    # the bibliography: a domain method, looked up on the class at each build
    original = getattr(BibtexDomain, "_rnn_tutorial_env_updated", BibtexDomain.env_updated)
    BibtexDomain._rnn_tutorial_env_updated = original
    BibtexDomain.env_updated = guard.wrap(original)
    # the figure numbers: the collector's handler, connected before conf.py is read
    listeners = app.events.listeners["env-get-updated"]
    for i, listener in enumerate(listeners):
        if isinstance(getattr(listener.handler, "__self__", None), TocTreeCollector):
            listeners[i] = listener._replace(handler=guard.wrap(listener.handler))


def _keep_search_index_entries(app) -> None:
    """Keep the glossary's index entries in the search index of incremental builds.

    Sphinx 9 keeps the search index's index entries in its environment, but
    pickles the environment before the pages are written and fed to the index:
    a build that does not write a page loses that page's entries, so after a
    no-change build searching 困惑度 no longer led to the glossary entry
    (sphinx-doc/sphinx#12599). The entries each build wrote are saved beside
    the doctrees and given back to the next build; a page it writes again
    replaces its own.
    """
    import pickle

    saved = Path(app.doctreedir) / "search_index_entries.pickle"

    def give_back(app, env):
        try:
            entries = pickle.loads(saved.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError):
            return []
        for docname, listed in entries.items():
            if docname in env.all_docs:
                env._search_index_index_entries.setdefault(docname, listed)
        return []

    def save(app, exception):
        if exception is None and getattr(app.builder, "search", False):
            saved.write_bytes(pickle.dumps(app.env._search_index_index_entries))

    app.connect("env-updated", give_back)
    app.connect("build-finished", save)


BUDGET_LINE = {
    "en": (
        "The code on this page ran in {took} s when this book was built, two pages at a "
        "time on two cores; its budget is {limit} s.",
        "The code on this page has an execution budget of {limit} s.",
    ),
    "zh_CN": (
        "构建本书时，本页代码运行了 {took} 秒（在两个核上，两页同时执行）；"
        "执行预算为 {limit} 秒。",
        "本页代码的执行预算为 {limit} 秒。",
    ),
}


def _state_budget(app, doctree) -> None:
    """Under each page's title, the time its code took when the book was built, and its budget.

    The budget comes from the page's front matter (``rnn_tutorial: budget:``),
    the time from ``execstore``'s record of the execution the page shows; a
    page Sphinx had to execute itself states its budget alone.
    """
    import execstore
    from docutils import nodes

    page = Path(app.env.doc2path(app.env.docname))
    limit = execstore.budget(page)
    if not limit or not execstore.has_code(page):
        return
    took = execstore.read_timings().get(execstore._name(page))
    with_time, without = BUDGET_LINE[app.config.language]
    text = (with_time if took else without).format(took=took, limit=f"{limit:g}")
    top = next(iter(doctree.findall(nodes.section)), None)
    if top is not None and isinstance(top[0], nodes.title):
        top.insert(1, nodes.paragraph(text, text, classes=["page-budget"]))


def setup(app):
    app.add_config_value("book_extensions_digest", "", "env")
    app.connect("doctree-read", _state_budget)
    _skip_when_nothing_read(app)
    _keep_search_index_entries(app)
    app.connect("config-inited", _configure_language, priority=100)
    # before the theme builds its header buttons (priority 500)
    app.connect("html-page-context", _offer_notebook_download, priority=400)
    app.connect("html-page-context", _accessible_citations)
    app.add_search_language(_chinese_search_language())
    return {"parallel_read_safe": True, "parallel_write_safe": True}
