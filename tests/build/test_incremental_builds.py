"""Incremental builds show what a clean build would: outputs and search index.

Run by ``nox -s buildcheck`` after ``nox -s docs``; each test runs
``sphinx-build`` on the built book again and leaves it as it found it.

- Sphinx reads a page again when its source changes; after an edit of the
  package (or of the prose the language model trains on) the page executes
  again with the same Markdown, and Sphinx kept showing the outputs of the
  last read. ``execstore`` records the key each page was read with and marks
  the page outdated when the current key differs.
- Sphinx 9 drops the index entries of every page it does not write again from
  the search index (sphinx-doc/sphinx#12599), so after a no-change build the
  glossary's terms were no longer found by the search box; ``conf_common``
  keeps them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS / "_shared"))

import execstore  # noqa: E402

BUILD = execstore.BUILD


def sphinx_build(lang: str) -> str:
    """Build ``lang`` again as ``nox -s docs`` does; Sphinx's progress, without colours."""
    sphinx = Path(sys.executable).with_name("sphinx-build")
    command = [str(sphinx), "-N", "-b", "html", "-n", "-W", "--keep-going"]
    command += ["-d", str(BUILD / "doctrees" / lang), str(DOCS / lang), str(BUILD / "html" / lang)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


def search_index(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("(") + 1 : text.rindex(")")])


@pytest.mark.parametrize("lang", ["en", "zh_CN"])
def test_a_no_change_build_keeps_the_search_index(lang):
    written = BUILD / "html" / lang / "searchindex.js"
    before = written.read_bytes()
    assert search_index(written)["indexentries"], "the glossary's entries should be searchable"
    sphinx_build(lang)
    assert written.read_bytes() == before


def test_a_page_whose_key_changed_is_read_again():
    keys = execstore.KEYS.read_text(encoding="utf-8")
    assert "reading sources... [" not in sphinx_build("en"), "no change: nothing to read"
    changed = json.loads(keys)
    changed["en/rnn_cell.md"] = "another execution"
    try:
        execstore.KEYS.write_text(json.dumps(changed), encoding="utf-8")
        read = sphinx_build("en")
    finally:
        execstore.KEYS.write_text(keys, encoding="utf-8")
    assert "reading sources... [100%] rnn_cell" in read
    sphinx_build("en")  # read with the right key again: the build matches the sources
