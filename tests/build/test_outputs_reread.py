"""A page whose execution changed is read again, even when its Markdown did not change.

Sphinx reads a page again when its source changes; after an edit of the
package (or of the prose the language model trains on) the page executes
again but its Markdown is the same, and Sphinx kept showing the outputs of the
last read. ``execstore`` records the key each page was read with and marks the
page outdated when the current key differs. Run by ``nox -s buildcheck`` after
``nox -s docs``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parents[2] / "docs"
sys.path.insert(0, str(DOCS / "_shared"))

import execstore  # noqa: E402


def sphinx_build(lang: str) -> str:
    sphinx = Path(sys.executable).with_name("sphinx-build")
    build = execstore.BUILD
    command = [str(sphinx), "-N", "-b", "html", "-n", "-W", "--keep-going"]  # -N: no colours
    command += ["-d", str(build / "doctrees" / lang), str(DOCS / lang), str(build / "html" / lang)]
    return subprocess.run(command, check=True, capture_output=True, text=True).stdout


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
