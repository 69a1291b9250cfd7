"""Check the PDF, ePub and notebook editions of both languages.

``python docs/_shared/check_editions.py pdf|epub|notebooks docs/_build``
(``nox -s pdf``, ``nox -s epub`` and ``nox -s docs`` run it). For each language:

- pdf: every chapter title of the table of contents (read from the toctrees of
  ``docs/<lang>/index.md``, so a new chapter is covered as soon as it is
  listed) is in the PDF's text (``pdftotext``); the LaTeX log has no missing
  character and no undefined reference or citation; every font is embedded,
  the CJK font among them (``pdffonts``);
- epub: Debian's ``epubcheck`` passes, every chapter is in the spine and
  its equations are SVG images;
- notebooks: the zip holds the README and the executed notebook of every page.

Exits non-zero with one line per problem.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

SHARED = Path(__file__).resolve().parent
DOCS = SHARED.parent
LANGUAGES = ("en", "zh_CN")
CJK_FONT = re.compile(r"Noto(Serif|Sans|SansMono)CJK", re.IGNORECASE)


def toctree_pages(lang: str) -> list[str]:
    """The documents the root page's toctrees list, in order."""
    text = (DOCS / lang / "index.md").read_text(encoding="utf-8")
    pages = []
    for block in re.findall(r"```\{toctree\}\n(.*?)```", text, flags=re.DOTALL):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith(":"):
                pages.append(line.split("<")[-1].rstrip(">").strip())
    return pages


def chapter_title(lang: str, page: str) -> str:
    """The first heading of a page, without MyST markup."""
    for line in (DOCS / lang / f"{page}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return re.sub(r"[`*]", "", line[2:]).strip()
    raise ValueError(f"{lang}/{page}.md has no '# ' heading")


def squeeze(text: str) -> str:
    """Text without whitespace or hyphenation, for a search across line breaks."""
    text = text.replace("\u00ad", "").replace("-\n", "-")
    return re.sub(r"\s+", "", text)


def check_pdf(build: Path, lang: str) -> list[str]:
    problems = []
    folder = build / "latex" / lang
    pdf = folder / f"rnn_tutorial-{lang}.pdf"
    if not pdf.is_file():
        return [f"{pdf}: missing"]
    text = squeeze(
        subprocess.run(
            ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
    )
    for page in toctree_pages(lang):
        title = chapter_title(lang, page)
        if squeeze(title) not in text:
            problems.append(f"{pdf.name}: chapter title {title!r} ({page}) not in the text")
    log = (folder / f"rnn_tutorial-{lang}.log").read_text(encoding="utf-8", errors="replace")
    for pattern in (
        r"Missing character: [^\n]*",
        r"LaTeX Warning: (Hyper )?[Rr]eference [^\n]*",
        r"LaTeX Warning: Citation [^\n]*",
        r"There were undefined references",
    ):
        for hit in sorted(set(re.findall(pattern, log))):
            problems.append(f"{pdf.name} log: {hit}")
    fonts = subprocess.run(
        ["pdffonts", str(pdf)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    names = [line.split()[0] for line in fonts]
    for line in fonts:
        # columns: name type encoding emb sub uni object ID; emb is 5th from the end
        if line.split()[-5] != "yes":
            problems.append(f"{pdf.name}: font {line.split()[0]} not embedded")
    if not any(CJK_FONT.search(name) for name in names):
        problems.append(f"{pdf.name}: no CJK font embedded (fonts: {', '.join(names)})")
    pages = re.search(
        r"Pages:\s+(\d+)",
        subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout,
    )
    print(
        f"{pdf}: {pages.group(1)} pages, {pdf.stat().st_size / 1e6:.1f} MB, "
        f"{len(toctree_pages(lang))} chapters found, {len(names)} fonts embedded"
    )
    return problems


def epubcheck() -> list[str]:
    """The command of Debian's epubcheck: a jar that /usr/bin/epubcheck links to."""
    found = shutil.which("epubcheck")
    if found is None:
        raise SystemExit("no epubcheck: apt-get install epubcheck")
    jar = Path(found).resolve()
    return ["java", "-jar", str(jar)] if jar.suffix == ".jar" else [str(jar)]


def check_epub(build: Path, lang: str) -> list[str]:
    epub = build / "epub" / lang / f"rnn_tutorial-{lang}.epub"
    if not epub.is_file():
        return [f"{epub}: missing"]
    problems = []
    result = subprocess.run([*epubcheck(), "--quiet", str(epub)], capture_output=True, text=True)
    if result.returncode:
        out = (result.stdout + result.stderr).strip().splitlines()
        problems += [f"{epub.name}: epubcheck: {line[:300]}" for line in out[:20]]
    with zipfile.ZipFile(epub) as z:
        names = set(z.namelist())
        for page in toctree_pages(lang):
            if f"{page}.xhtml" not in names:
                problems.append(f"{epub.name}: no chapter {page}")
        texts = {n: z.read(n).decode("utf-8") for n in names if n.endswith(".xhtml")}
    if not any('class="math"' in t and ".svg" in t for t in texts.values()):
        problems.append(f"{epub.name}: no equation as an SVG image")
    if any(re.search(r"<script[^>]*mathjax", t, re.IGNORECASE) for t in texts.values()) or any(
        "mathjax" in n.lower() for n in names
    ):
        problems.append(f"{epub.name}: a page still loads MathJax")
    print(
        f"{epub}: {epub.stat().st_size / 1e6:.1f} MB, {len(texts)} pages, epubcheck "
        + ("passed" if not result.returncode else "FAILED")
    )
    return problems


def check_notebooks(build: Path, lang: str) -> list[str]:
    archive = build / "html" / lang / f"rnn_tutorial-{lang}-notebooks.zip"
    if not archive.is_file():
        return [f"{archive}: missing"]
    with zipfile.ZipFile(archive) as z:
        names = set(z.namelist())
    folder = f"rnn_tutorial-{lang}-notebooks/"
    problems = [] if folder + "README.md" in names else [f"{archive.name}: no README.md"]
    for page in toctree_pages(lang):
        if (build / "html" / lang / "_sources" / f"{page}.ipynb").is_file() and (
            f"{folder}{page}.ipynb" not in names
        ):
            problems.append(f"{archive.name}: no {page}.ipynb")
    print(f"{archive}: {len(names)} files, {archive.stat().st_size / 1e6:.1f} MB")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 3 or argv[1] not in ("pdf", "epub", "notebooks"):
        print(__doc__, file=sys.stderr)
        return 2
    check = {"pdf": check_pdf, "epub": check_epub, "notebooks": check_notebooks}[argv[1]]
    problems = [p for lang in LANGUAGES for p in check(Path(argv[2]), lang)]
    for problem in problems:
        print(problem, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
