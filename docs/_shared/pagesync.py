"""Keep the English and Chinese pages in step.

Every page exists as ``docs/en/NAME.md`` and ``docs/zh_CN/NAME.md``. They must
have the same code (comments aside), the same labels, the same headings and
directives in the same order; and the Chinese page records, in its front
matter, the hashes of both pages' bodies at the moment they were last brought
into step::

    translation:
      en: 3f2a…   # body of docs/en/NAME.md
      zh_CN: 91bc…  # body of this page

Editing either page changes its hash, so the test fails until someone has
looked at the other page and run ``nox -s stamp -- NAME``.

Run as a script: ``python docs/_shared/pagesync.py check`` lists every
difference; ``python docs/_shared/pagesync.py stamp NAME [NAME ...]`` records
the current hashes of those pages.
"""

from __future__ import annotations

import hashlib
import io
import re
import sys
import tokenize
from pathlib import Path

DOCS = Path(__file__).resolve().parents[1]
LANGS = ("en", "zh_CN")
STAMP_KEY = "translation"

FRONT_MATTER = re.compile(r"\A---\n(.*?\n)---\n", re.S)
LABEL = re.compile(r"^\(([^)\s]+)\)=\s*$", re.M)
OPTION_LABEL = re.compile(r"^:(?:label|name):\s*(\S+)\s*$", re.M)
HEADING = re.compile(r"^(#{1,6})\s", re.M)
DIRECTIVE = re.compile(r"^(?:```+|:::+)\{([\w:-]+)\}", re.M)
LANGUAGE_OPTION = re.compile(r"^\s*(caption|alt):")
CODE_DIRECTIVES = ("```{code-cell}", "```{code-block}", "```{code}")
FENCE = re.compile(r"^(```+|~~~+)", re.M)


def page_names() -> dict[str, set[str]]:
    """The page names (paths without ``.md``, relative to each tree) per language."""
    return {
        lang: {
            p.relative_to(DOCS / lang).with_suffix("").as_posix()
            for p in (DOCS / lang).rglob("*.md")
            if not any(part.startswith(("_", ".")) for part in p.relative_to(DOCS / lang).parts)
        }
        for lang in LANGS
    }


def split_front_matter(text: str) -> tuple[str, str]:
    """``(front matter without the --- lines, body)``."""
    m = FRONT_MATTER.match(text)
    return (m.group(1), text[m.end() :]) if m else ("", text)


def body_hash(text: str) -> str:
    """A short hash of the page body: everything after the front matter."""
    body = "\n".join(line.rstrip() for line in split_front_matter(text)[1].strip().splitlines())
    return hashlib.sha256(body.encode()).hexdigest()[:16]


def read_stamp(text: str) -> dict[str, str]:
    """The ``translation:`` hashes recorded in a page's front matter."""
    front, _ = split_front_matter(text)
    m = re.search(rf"^{STAMP_KEY}:\n((?:[ \t]+\S.*\n)+)", front, re.M)
    if not m:
        return {}
    return dict(re.findall(r"^\s+(\w+):\s*(\w+)\s*$", m.group(1), re.M))


def write_stamp(text: str, stamp: dict[str, str]) -> str:
    """``text`` with its ``translation:`` block replaced by ``stamp``."""
    block = f"{STAMP_KEY}:\n" + "".join(f"  {k}: {v}\n" for k, v in stamp.items())
    front, body = split_front_matter(text)
    front = re.sub(rf"^{STAMP_KEY}:\n(?:[ \t]+\S.*\n)+", "", front, flags=re.M)
    return f"---\n{front}{block}---\n{body}"


def code_cells(text: str) -> list[tuple[tuple[str, ...], str]]:
    """Each ``{code-cell}`` as (its option lines, its code without comments)."""
    cells = []
    for m in re.finditer(r"^```\{code-cell\}[^\n]*\n(.*?)^```\s*$", text, re.M | re.S):
        lines = m.group(1).splitlines()
        options: list[str] = []
        if lines and lines[0].strip() == "---":
            end = lines.index("---", 1)
            options, lines = lines[1:end], lines[end + 1 :]
        else:
            while lines and lines[0].startswith(":"):
                options.append(lines.pop(0))
        # captions and alt text are the only options written in the page's language
        options = [o.strip() for o in options if not LANGUAGE_OPTION.match(o)]
        cells.append((tuple(options), strip_comments("\n".join(lines))))
    return cells


def strip_comments(code: str) -> str:
    """Python source without comments, trailing spaces or blank lines."""
    try:
        tokens = [t for t in tokenize.generate_tokens(io.StringIO(code + "\n").readline)]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _normalise(code)
    comment_at = {t.start[0]: t.start[1] for t in tokens if t.type == tokenize.COMMENT}
    lines = code.splitlines()
    for row, col in comment_at.items():
        lines[row - 1] = lines[row - 1][:col]
    return _normalise("\n".join(lines))


def _normalise(code: str) -> str:
    return "\n".join(line.rstrip() for line in code.splitlines() if line.strip())


def outside_code(text: str) -> str:
    """The page with fenced code removed (so ``#`` comments are not headings)."""
    out, fence = [], None
    for line in text.splitlines():
        m = FENCE.match(line)
        # plain fences and code directives hold code, not MyST headings
        is_code = not line.startswith(("```{", ":::{")) or line.startswith(CODE_DIRECTIVES)
        if fence is None and m and is_code:
            fence = m.group(1)
            continue
        if fence is not None:
            if line.strip() == fence:
                fence = None
            continue
        out.append(line)
    return "\n".join(out)


def structure(text: str) -> dict[str, list]:
    """What must agree between the two languages, besides the code."""
    _, body = split_front_matter(text)
    prose = outside_code(body)
    code_free = re.sub(r"^```\{code-cell\}.*?^```\s*$", "", body, flags=re.M | re.S)
    return {
        "labels": LABEL.findall(body) + OPTION_LABEL.findall(body),
        "headings": [len(h) for h in HEADING.findall(prose)],
        "directives": DIRECTIVE.findall(code_free),
        "display math": [body.count("$$") // 2],
    }


def differences(name: str) -> list[str]:
    """Every way the two versions of page ``name`` are out of step."""
    en = (DOCS / "en" / f"{name}.md").read_text(encoding="utf-8")
    zh = (DOCS / "zh_CN" / f"{name}.md").read_text(encoding="utf-8")
    problems = []
    en_cells, zh_cells = code_cells(en), code_cells(zh)
    if len(en_cells) != len(zh_cells):
        problems.append(f"{name}: {len(en_cells)} code cells in en, {len(zh_cells)} in zh_CN")
    for i, (a, b) in enumerate(zip(en_cells, zh_cells, strict=False)):
        if a != b:
            problems.append(f"{name}: code cell {i + 1} differs (options or code, comments aside)")
    s_en, s_zh = structure(en), structure(zh)
    for key in s_en:
        if s_en[key] != s_zh[key]:
            problems.append(f"{name}: {key} differ: en {s_en[key]} vs zh_CN {s_zh[key]}")
    stamp = read_stamp(zh)
    now = {"en": body_hash(en), "zh_CN": body_hash(zh)}
    if not stamp:
        problems.append(
            f"{name}: zh_CN page has no '{STAMP_KEY}:' stamp; run nox -s stamp -- {name}"
        )
    else:
        for lang in LANGS:
            if stamp.get(lang) != now[lang]:
                other = "zh_CN" if lang == "en" else "en"
                problems.append(
                    f"{name}: the {lang} page changed since the pages were last brought into "
                    f"step; update the {other} page to match, then run nox -s stamp -- {name}"
                )
    return problems


def stamp(names: list[str]) -> None:
    for name in names:
        en_path, zh_path = DOCS / "en" / f"{name}.md", DOCS / "zh_CN" / f"{name}.md"
        zh = zh_path.read_text(encoding="utf-8")
        hashes = {"en": body_hash(en_path.read_text(encoding="utf-8")), "zh_CN": body_hash(zh)}
        zh_path.write_text(write_stamp(zh, hashes), encoding="utf-8")
        print(f"stamped {name}: {hashes}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["stamp"] and len(argv) > 1:
        stamp([a.removesuffix(".md") for a in argv[1:]])
        return 0
    if argv[:1] == ["check"]:
        names = page_names()
        problems = [
            f"only in {lang}: {n}"
            for lang in LANGS
            for n in names[lang] - names["zh_CN" if lang == "en" else "en"]
        ]
        for name in sorted(names["en"] & names["zh_CN"]):
            problems += differences(name)
        print("\n".join(problems) or "all pages in step")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
