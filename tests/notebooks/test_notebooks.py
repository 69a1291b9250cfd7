"""Every page's downloadable notebook, run top to bottom as a reader would run it.

Run by ``nox -s notebooks`` after ``nox -s docs``; never collected by ``nox -s tests``.
The notebooks are the files the pages' download buttons serve
(``docs/_build/html/<lang>/_sources/<page>.ipynb``). Each runs in a fresh
kernel (``RNN_TUTORIAL_KERNEL``) from a venv that holds only what a reader
installs: the package itself and its ``reader`` dependency group (matplotlib,
jieba, ipykernel).

Where a notebook runs: a reader who downloads one notebook runs it in a folder
of their own. Every page runs there, except the pages that read the book's own
pages relative to the working directory (the character-level language model
trains on the book's prose; the performance appendix reads the committed
benchmark results). Those stop at their first cell that reads the
pages with a ValueError that says where to run them: from ``docs/en`` or
``docs/zh_CN`` of the book's source, where they run to the end.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
HTML = Path(os.environ.get("RNN_TUTORIAL_HTML", DOCS / "_build" / "html")).resolve()
KERNEL = os.environ.get("RNN_TUTORIAL_KERNEL", "python3")
READER_PYTHON = os.environ.get("RNN_TUTORIAL_READER_PYTHON")
LANGS = ("en", "zh_CN")
NOTEBOOKS = sorted(
    f"{lang}/{path.stem}" for lang in LANGS for path in (HTML / lang / "_sources").glob("*.ipynb")
)
# A page whose code reads files relative to the working directory.
READS_THE_BOOK = "Path.cwd()"


def code_of(nb) -> str:
    return "\n".join(cell.source for cell in nb.cells if cell.cell_type == "code")


def run(nb, cwd: Path):
    """Execute ``nb`` from a clean state in a new kernel started in ``cwd``."""
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    client = NotebookClient(
        nb, kernel_name=KERNEL, timeout=600, resources={"metadata": {"path": str(cwd)}}
    )
    client.execute()
    return nb


def test_every_page_offers_a_notebook():
    for lang in LANGS:
        pages = {p.stem for p in (DOCS / lang).glob("*.md")}
        offered = {n.split("/", 1)[1] for n in NOTEBOOKS if n.startswith(f"{lang}/")}
        assert offered == pages, f"{lang}: pages without a notebook: {sorted(pages - offered)}"


@pytest.mark.skipif(READER_PYTHON is None, reason="needs the reader venv of nox -s notebooks")
def test_the_kernel_has_only_what_a_reader_installs():
    probe = (
        "import importlib.util, rnn_tutorial;"
        "print(rnn_tutorial.__file__);"
        "print([m for m in ('sphinx', 'myst_nb', 'pytest', 'torch')"
        " if importlib.util.find_spec(m)])"
    )
    out = subprocess.run(
        [READER_PYTHON, "-c", probe], capture_output=True, text=True, check=True, cwd="/"
    ).stdout.splitlines()
    assert "site-packages" in Path(out[0]).parts, f"the kernel imports the checkout: {out[0]}"
    assert out[1] == "[]", f"the reader venv has {out[1]}"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_downloaded_notebook_runs_in_a_folder_of_its_own(name, tmp_path):
    lang, page = name.split("/")
    nb_file = tmp_path / f"{page}.ipynb"
    shutil.copyfile(HTML / lang / "_sources" / f"{page}.ipynb", nb_file)
    nb = nbformat.read(nb_file, as_version=4)
    if READS_THE_BOOK not in code_of(nb):
        run(nb, tmp_path)
        return
    # Alone in a folder, the page says where it must run ...
    with pytest.raises(CellExecutionError) as failure:
        run(nb, tmp_path)
    assert failure.value.ename == "ValueError"
    assert "runs from docs/en or docs/zh_CN of the book's source" in failure.value.evalue
    # ... and there, beside the book's pages, it runs to the end.
    for other in LANGS:
        shutil.copytree(
            DOCS / other, tmp_path / "docs" / other, ignore=shutil.ignore_patterns("*.py")
        )
    shutil.copytree(ROOT / "benchmarks" / "results", tmp_path / "benchmarks" / "results")
    folder = tmp_path / "docs" / lang
    shutil.copyfile(nb_file, folder / nb_file.name)
    run(nbformat.read(folder / nb_file.name, as_version=4), folder)
