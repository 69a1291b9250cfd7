"""A build that changes nothing writes the same search index as the build before it.

Sphinx 9 drops the index entries of every page it does not write again from
the search index (sphinx-doc/sphinx#12599), so after a no-change build the
glossary's terms were no longer found by the search box; ``conf_common``
keeps them. Run by ``nox -s buildcheck`` after ``nox -s docs``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BUILD = Path(os.environ.get("RNN_TUTORIAL_BUILD", DOCS / "_build")).resolve()


def index(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_no_change_build_keeps_the_search_index(lang):
    written = BUILD / "html" / lang / "searchindex.js"
    before = written.read_bytes()
    assert index(written)["indexentries"], "the glossary's index entries should be searchable"
    sphinx_build = Path(sys.executable).with_name("sphinx-build")
    command = [str(sphinx_build), "-q", "-b", "html", "-n", "-W", "--keep-going"]
    command += ["-d", str(BUILD / "doctrees" / lang), str(DOCS / lang), str(BUILD / "html" / lang)]
    subprocess.run(command, check=True)
    assert written.read_bytes() == before
