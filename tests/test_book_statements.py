"""Sentences about the book itself, checked against what the book and its package are.

Each test guards one kind of stale statement:

- the preface's list of chapters against the table of contents (``index.md``);
- the install command of the preface and the README against the ``reader``
  dependency group and the modules the pages import;
- the glossary's account of the GRU's two published forms against the chapter;
- one symbol, one meaning: the clipping threshold is ``c``, never ``\\theta``,
  which names the parameters;
- no page speaks of "the sources this book draws on" (a source is cited, or
  left out).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
LANGS = ("en", "zh_CN")
INSTALL = "pip install --group reader -e ."


def page(lang: str, name: str) -> str:
    return (DOCS / lang / f"{name}.md").read_text(encoding="utf-8")


def toctrees(lang: str) -> dict[str, list[str]]:
    """The entries of each toctree of ``index.md``, by the toctree's first option line."""
    trees = {}
    for body in re.findall(r"```\{toctree\}\n(.*?)```", page(lang, "index"), re.S):
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        options = [line for line in lines if line.startswith(":")]
        entries = [line for line in lines if not line.startswith(":")]
        trees[" ".join(options)] = entries
    return trees


def first_label(lang: str, name: str) -> str:
    match = re.search(r"^\((sec-[\w-]+)\)=", page(lang, name), re.M)
    assert match, f"docs/{lang}/{name}.md has no section label"
    return match.group(1)


def section(text: str, label: str) -> str:
    """The text from ``(label)=`` to the next section label."""
    start = text.index(f"({label})=")
    end = re.compile(r"^\(sec-[\w-]+\)=", re.M).search(text, start + len(label) + 3)
    return text[start : end.start() if end else len(text)]


@pytest.mark.parametrize("lang", LANGS)
def test_preface_lists_every_chapter_and_appendix_in_order(lang):
    trees = list(toctrees(lang).items())
    numbered = [i for i, (options, _) in enumerate(trees) if ":numbered:" in options]
    assert len(numbered) == 1, f"docs/{lang}/index.md should have one numbered toctree"
    # the chapters, and the appendix: the toctree that follows them
    (_, chapters), (_, appendix) = trees[numbered[0]], trees[numbered[0] + 1]
    chapters = [first_label(lang, name) for name in chapters + appendix]
    contents = section(page(lang, "preface"), "sec-preface-contents")
    mentioned = [label for label in re.findall(r"\{ref\}`(sec-[\w-]+)`", contents)]
    mentioned = [label for label in dict.fromkeys(mentioned) if label in chapters]
    assert mentioned == chapters, (
        f"docs/{lang}/preface.md, section sec-preface-contents, must name every chapter and "
        f"appendix of the table of contents once each, in its order:\n  toc:     {chapters}\n"
        f"  preface: {mentioned}"
    )
    for phrase in ("so far", "planned", "the plan", "目前已经写成", "后续章节的计划"):
        assert phrase not in contents.lower(), f"docs/{lang}/preface.md still says {phrase!r}"


def test_the_preface_contents_check_can_fail():
    """A list that leaves out a chapter is caught (the check above on a broken copy)."""
    contents = section(page("en", "preface"), "sec-preface-contents")
    broken = contents.replace("{ref}`sec-dropout`", "dropout")
    assert "sec-dropout" in re.findall(r"\{ref\}`(sec-[\w-]+)`", contents)
    assert "sec-dropout" not in re.findall(r"\{ref\}`(sec-[\w-]+)`", broken)


def reader_group() -> list[str]:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["dependency-groups"]["reader"]


def distribution_name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0].lower()


def imported_modules(lang: str) -> set[str]:
    """Top-level modules imported by the code cells of every page of one language."""
    jupytext = pytest.importorskip("jupytext")
    modules = set()
    for path in sorted((DOCS / lang).glob("*.md")):
        notebook = jupytext.read(path)
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            lines = cell.source.splitlines()
            source = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
            for node in ast.walk(ast.parse(source)):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    modules.add(node.module.split(".")[0])
    return modules


@pytest.mark.parametrize("lang", LANGS)
def test_what_the_pages_import_is_what_the_reader_group_installs(lang):
    provided = {distribution_name(r) for r in reader_group()} | {"numpy", "rnn_tutorial"}
    third_party = {m for m in imported_modules(lang) if m not in sys.stdlib_module_names}
    provided = {name.lower() for name in provided}  # ipython installs IPython
    missing = {m for m in third_party if m.lower() not in provided}
    assert not missing, (
        f"pages of docs/{lang} import {sorted(missing)}, which the reader dependency group of "
        "pyproject.toml does not install"
    )


@pytest.mark.parametrize(
    "path", ["docs/en/preface.md", "docs/zh_CN/preface.md", "README.md"], ids=str
)
def test_the_install_command_a_reader_is_given_installs_the_reader_group(path):
    text = (ROOT / path).read_text(encoding="utf-8")
    commands = re.findall(r"^pip install .*$", text, re.M)
    assert INSTALL in commands, f"{path} must give the command `{INSTALL}`"
    names = {distribution_name(r) for r in reader_group()}
    assert {"matplotlib", "jieba"} <= names, "the reader group lost a module the pages import"


GLOSSARY_GRU = {"en": ("gated recurrent unit", "update gate"), "zh_CN": ("门控循环单元", "更新门")}
CHUNG_ORIENTATION = r"h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t"


def glossary_entry(lang: str, term: str) -> str:
    text = page(lang, "glossary")
    match = re.search(rf"^{re.escape(term)}\n(?:\S.*\n)*?((?:  .*\n|\n(?=  ))+)", text, re.M)
    assert match, f"no glossary entry {term!r} in docs/{lang}/glossary.md"
    return match.group(1)


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_keeps_the_two_gru_differences_apart(lang):
    """Where r acts (sec-gru-forms) and which way z points (sec-gru-orientation) are separate.

    The package's ``form="textbook"`` updates with h = (1 - z) n + z h_prev, so the
    glossary may not attribute the other orientation to the textbook form.
    """
    gru, update = (glossary_entry(lang, term) for term in GLOSSARY_GRU[lang])
    assert "sec-gru-forms" in gru and "sec-gru-orientation" in gru
    assert "sec-gru-orientation" in update
    textbook = re.compile(r"textbook form|教科书形式|教科书写法")
    for entry in (gru, update):
        for sentence in re.split(r"(?<=[.;。；])\s*", entry.replace("\n", " ")):
            if textbook.search(sentence):
                assert CHUNG_ORIENTATION not in sentence, (
                    f"docs/{lang}/glossary.md gives the textbook form the other orientation of "
                    f"z: {sentence}"
                )


def test_textbook_form_updates_with_z_on_the_old_state():
    """What the glossary says of form="textbook", computed by hand from its gates."""
    import numpy as np

    import rnn_tutorial as rt

    rng = np.random.default_rng(0)
    params = rt.init_gru(3, 4, rng=rng)
    x, h = rng.normal(size=(2, 3)), rng.normal(size=(2, 4))
    h_new, cache = rt.gru_step_forward(x, h, params, form="textbook")
    W_x, W_h, b_x, b_h = (params[k] for k in ("W_x", "W_h", "b_x", "b_h"))
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    r = sig(x @ W_x[:, :4] + b_x[:4] + h @ W_h[:, :4] + b_h[:4])
    z = sig(x @ W_x[:, 4:8] + b_x[4:8] + h @ W_h[:, 4:8] + b_h[4:8])
    n = np.tanh(x @ W_x[:, 8:] + b_x[8:] + (r * h) @ W_h[:, 8:] + b_h[8:])
    assert np.allclose(h_new, (1 - z) * n + z * h)
    assert not np.allclose(h_new, (1 - z) * h + z * n)


THRESHOLD_THETA = re.compile(
    r"\\rVert\s*(?:>|\\ge|\\geq|\\le|<)\s*\\theta"  # |g| > theta
    r"|\\theta\s*\\?,?\s*g\s*/"  # theta g / |g|
)


@pytest.mark.parametrize("lang", LANGS)
def test_theta_names_the_parameters_never_the_clipping_threshold(lang):
    """The clipping threshold is c (truncated BPTT chapter, glossary); theta is the weights."""
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted((DOCS / lang).glob("*.md"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if THRESHOLD_THETA.search(line)
    ]
    assert not offenders, "theta used as a threshold:\n" + "\n".join(offenders)
    clipping = glossary_entry(lang, "gradient clipping" if lang == "en" else "梯度裁剪")
    assert r"\lVert g \rVert > c" in clipping


def test_the_theta_check_can_fail():
    assert THRESHOLD_THETA.search(r"whenever $\lVert g \rVert > \theta$")
    assert THRESHOLD_THETA.search(r"$g \leftarrow \theta\, g / \lVert g \rVert$")
    assert not THRESHOLD_THETA.search(r"$\theta \leftarrow \theta - \eta\, g$")


SOURCE_PHRASES = ("this book draws on", "sources this book", "本书所依据", "本书取材")


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_points_at_the_books_own_sources(lang):
    offenders = [
        f"{path.name}:{number}"
        for path in sorted((DOCS / lang).glob("*.md"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if any(phrase in line for phrase in SOURCE_PHRASES)
    ]
    assert not offenders, f"uncited mention of the book's sources at {offenders}"


OPTIMISERS = re.compile(r"\brt\.(SGD|Adagrad|Adam)\(|\.fit\(|\bAdam\b|\bAdagrad\b")


@pytest.mark.parametrize("lang", LANGS)
def test_the_optimisers_are_explained_before_their_first_use(lang):
    """No chapter before the optimisers chapter (toctree order) uses SGD, Adagrad or Adam."""
    trees = list(toctrees(lang).items())
    (chapters,) = [entries for options, entries in trees if ":numbered:" in options]
    assert "optimizers" in chapters, f"docs/{lang}/index.md lost the optimisers chapter"
    earlier = chapters[: chapters.index("optimizers")]
    users = [name for name in earlier if OPTIMISERS.search(page(lang, name))]
    assert not users, f"{users} use an optimiser before the chapter that explains it"
