"""Sphinx configuration shared by both languages.

``docs/en/conf.py`` and ``docs/zh_CN/conf.py`` import everything from here and
set ``language``; whatever depends on the language is filled in by
:func:`_configure_language` once Sphinx has read it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

SHARED = Path(__file__).resolve().parent
DOCS = SHARED.parent
BUILD = Path(os.environ.get("RNN_TUTORIAL_BUILD", DOCS / "_build")).resolve()

import sys

sys.path.insert(0, str(SHARED))  # the book's own Sphinx extensions

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
]

exclude_patterns = ["_build", "**.ipynb_checkpoints", "README.md"]
templates_path = [str(SHARED / "templates")]
html_static_path = [str(SHARED / "static")]
html_css_files = ["rnn_tutorial.css"]
html_js_files = ["language_switch.js"]

# --- MyST and notebook execution -------------------------------------------
myst_enable_extensions = ["amsmath", "colon_fence", "dollarmath", "deflist", "substitution"]
myst_heading_anchors = 3
nb_execution_mode = "cache"
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_execution_timeout = 120
nb_merge_streams = True
nb_execution_cache_path = ""  # set per language below, outside the source tree

# --- References ----------------------------------------------------------------
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
    # Without it the theme's script logs "Got invalid theme mode" to the
    # console on a reader's first visit (no mode stored yet).
    "default_mode": "auto",
}
html_last_updated_fmt = ""
html_show_sourcelink = False
html_copy_source = True
html_sourcelink_suffix = ""
# jieba's dictionary is loaded once on import; the empty path stops Sphinx
# loading the same dictionary a second time as a "user dictionary".
html_search_options = {"dict": ""}

# Figures, tables and equations numbered per chapter (Fig. 2.1, (2.3)) so a
# citation names the same number in both languages.
numfig = True
numfig_secnum_depth = 1
math_numfig = True
math_eqref_format = "({number})"

nitpicky = True
suppress_warnings: list[str] = []


def _configure_language(app, config) -> None:
    lang = config.language
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {lang!r}")
    other = next(code for code in LANGUAGES if code != lang)
    config.html_title = TITLES[lang]
    config.html_context = {
        **config.html_context,
        "other_language": other,
        "other_language_name": LANGUAGES[other],
        "current_language_name": LANGUAGES[lang],
    }
    if not config.nb_execution_cache_path:
        config.nb_execution_cache_path = str(BUILD / ".jupyter_cache" / lang)
    # myst-nb writes executed notebooks and their images next to the output
    # directory, in a folder the two languages would share (and publish);
    # give each language its own folder outside the published tree.
    import myst_nb.sphinx_ext

    myst_nb.sphinx_ext.OUTPUT_FOLDER = str(BUILD / ".jupyter_execute" / lang)


def _offer_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """Put the executed notebook of a page in ``_sources`` for the download button.

    sphinx-book-theme only does this when launch buttons are configured; the
    book offers the ``.ipynb`` (with outputs) on every page that has code.
    """
    executed = Path(myst_nb_output_folder(app)) / f"{pagename}.ipynb"
    if not executed.is_file():
        return
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def myst_nb_output_folder(app) -> str:
    return app.env.mystnb_config.output_folder


def setup(app):
    app.connect("config-inited", _configure_language, priority=100)
    # before the theme builds its header buttons (priority 500)
    app.connect("html-page-context", _offer_notebook_download, priority=400)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
