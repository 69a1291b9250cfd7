"""How long the book takes to build, in the five situations a contributor meets.

Prints figures and asserts nothing about time (CONTRIBUTING.md, "Build speed").
Each situation runs ``nox -R -s docs`` (the docs venv reused, nothing
installed), so create the venv once first with ``nox -s docs``:

1. clean: ``docs/_build`` removed, so every page of both languages executes;
2. no change: nothing edited since the last build;
3. prose: one sentence of one English page edited; only the page that reads
   the prose executes (the English language model, which trains on it);
4. code: one code cell of the same page edited; that page executes once for
   both languages, and the English language model again (the page is prose
   it reads);
5. docstring: one line of a docstring in the package edited; no page
   executes (the pages that show that module's code are read again).

Executions are counted in the execution store (one notebook per execution,
shared by both languages where their code is the same), so the prose case
shows that only the language model ran, and the code case that the edited
page ran once.
The edited page is restored afterwards, and rebuilt so that the build matches
the sources again.

Usage: ``python benchmarks/build_speed.py [--repeat N] [--page NAME] [--no-clean]``
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUILD = ROOT / "docs" / "_build"
LANGS = ("en", "zh_CN")


def executions() -> int:
    """Executed notebooks held in the execution store (docs/_shared/execstore.py)."""
    return len(list((BUILD / ".execstore").glob("*.ipynb")))


def build() -> tuple[float, dict[str, float], int]:
    """Run ``nox -R -s docs``; return its wall time, each language's, and executions."""
    before = executions()
    start = time.monotonic()
    out = subprocess.run(
        [sys.executable, "-m", "nox", "-R", "-s", "docs"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.monotonic() - start
    if out.returncode:
        sys.exit(f"nox -s docs failed:\n{out.stdout}\n{out.stderr}")
    per_lang = {
        m[1]: float(m[2])
        for m in re.finditer(r"(en|zh_CN): sphinx-build took ([\d.]+) s", out.stderr)
    }
    return wall, per_lang, executions() - before


def edit_prose(text: str) -> str:
    """End the first sentence of plain prose differently."""
    lines = text.split("\n")
    fence = False
    for i, line in enumerate(lines):
        if line.startswith("```"):
            fence = not fence
        if not fence and re.match(r"^[A-Za-z].*[a-z]\.$", line):
            lines[i] = line[:-1] + ", as a benchmark edit says."
            return "\n".join(lines)
    raise SystemExit("no plain sentence found to edit")


def edit_code(text: str) -> str:
    """Add one statement to the end of the first code cell."""
    start = text.index("```{code-cell}")
    end = text.index("\n```", start + 3)
    return text[:end] + "\n_ = 'benchmark edit'" + text[end:]


def edit_docstring(text: str) -> str:
    """Add a sentence to the first function docstring of a package module."""
    start = re.search(r'\ndef \w+\(.*?:\n    r?"""', text, flags=re.S).end()  # opening quotes
    end = text.index("\n", start)
    return text[:end] + " A benchmark edit." + text[end:]


def report(name: str, wall: float, per_lang: dict[str, float], executed: int) -> None:
    langs = ", ".join(f"{lang} {per_lang.get(lang, float('nan')):5.1f} s" for lang in LANGS)
    print(f"{name:<10} nox -R -s docs {wall:6.1f} s  (sphinx-build: {langs}; ran: {executed})")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--page", default="rnn_cell", help="the English page to edit")
    parser.add_argument("--no-clean", action="store_true", help="skip the clean builds")
    args = parser.parse_args()
    if not (ROOT / ".nox" / "docs").is_dir():
        sys.exit("create the docs venv first: nox -s docs")
    print(
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} on {os.cpu_count()} cores"
    )
    page = ROOT / "docs" / "en" / f"{args.page}.md"
    original = page.read_text(encoding="utf-8")
    module = ROOT / "src" / "rnn_tutorial" / "cells" / "rnn.py"
    module_text = module.read_text(encoding="utf-8")
    for _ in range(args.repeat):
        if not args.no_clean:
            shutil.rmtree(BUILD, ignore_errors=True)
            report("clean", *build())
        report("no change", *build())
        try:
            page.write_text(edit_prose(original), encoding="utf-8")
            report("prose", *build())
            page.write_text(edit_code(original), encoding="utf-8")
            report("code cell", *build())
            page.write_text(original, encoding="utf-8")
            module.write_text(edit_docstring(module_text), encoding="utf-8")
            report("docstring", *build())
        finally:
            page.write_text(original, encoding="utf-8")
            module.write_text(module_text, encoding="utf-8")
        build()  # back to the sources as they are
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} at the end")


if __name__ == "__main__":
    main()
