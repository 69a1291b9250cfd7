"""The prose of MyST Markdown pages, as plain text to train a language model on.

The book's character-level language model learns from the book itself: every
page of one language, with the machinery taken out. :func:`myst_prose` keeps
the sentences a reader reads and drops what only Sphinx reads (front matter,
code, directive fences and options, labels, math, roles, tables and inline
markup); :func:`read_prose` does this for every page of a directory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from ..validation import ArgumentTypeError

__all__ = ["myst_prose", "read_prose"]

# Directives whose body is code, data or a list of pages: dropped whole. The
# body of any other directive (exercise, example, glossary, note, ...) is prose.
NOT_PROSE = frozenset(
    {
        "bibliography",
        "code",
        "code-block",
        "code-cell",
        "csv-table",
        "eval-rst",
        "glue",
        "glue:figure",
        "glue:math",
        "include",
        "list-table",
        "literalinclude",
        "math",
        "raw",
        "sourcecode",
        "table",
        "toctree",
    }
)

CJK = "\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
"""Chinese characters and full-width punctuation (the book's ``cjk.py`` uses the same)."""

FRONT_MATTER = re.compile(r"\A---\n.*?\n---[ \t]*(?:\n|\Z)", re.S)
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,}|:{3,})(.*)$")
DIRECTIVE_NAME = re.compile(r"^\{([^}]+)\}")
LABEL_LINE = re.compile(r"^\([^)\s]+\)=\s*$")
TABLE_LINE = re.compile(r"^\s*\|")
LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
HEADING = re.compile(r"^\s{0,3}#{1,6}\s+")
COMMENT_LINE = re.compile(r"^\s*%")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# {term}`hidden states <hidden state>` -> the text before the target
ROLE_WITH_TITLE = re.compile(r"\{[\w:.-]+\}`([^`<]*?)\s*<[^`>]*>`")
TERM_ROLE = re.compile(r"\{term\}`([^`]*)`")
OTHER_ROLE = re.compile(r"\{[\w:.-]+\}`[^`]*`")  # {ref}, {eq}, {cite}, {glue:text}, ...
INLINE_MATH = re.compile(r"(?<!\\)\$[^$\n]+?(?<!\\)\$")
INLINE_CODE = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)")
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
EMPHASIS = re.compile(r"(\*{1,3}|_{2,3})(?=\S)(.+?)(?<=\S)\1")
SPACES = re.compile(r"[ \t]+")
CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
SPACE_BEFORE = re.compile(rf"[ \t]+(?=[,.;:!?)\]{CJK_PUNCTUATION}])")
SPACE_AFTER = re.compile(rf"(?<=[(\[{CJK_PUNCTUATION}])[ \t]+")
SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{CJK}])[ \t]+(?=[{CJK}])")
# brackets emptied by dropping what they held, "see" and "见" included
EMPTY_BRACKETS = re.compile(r"\((?:see|see also|cf\.)?\s*\)|（(?:见|参见)?\s*）|\[\s*\]")
CJK_CHAR = re.compile(rf"[{CJK}]")


def myst_prose(text: str) -> str:
    r"""The prose of one MyST Markdown page, one paragraph per line.

    Parameters
    ----------
    text : str
        The page's source.

    Returns
    -------
    str
        The paragraphs, headings and list items of the page, each on one line,
        joined by ``"\n"``.

    Notes
    -----
    Dropped: the front matter; fenced code blocks and the directives whose body
    is not prose (``code-cell``, ``literalinclude``, ``math``, ``bibliography``,
    ``toctree``, ...); the fence, arguments and options of every other
    directive, whose body is kept; labels ``(sec-...)=``; display math
    ``$$ ... $$`` and inline math ``$...$``; inline code; tables; comments;
    cross-references, citations and glued values. Kept: the text of
    ``{term}`` roles and of links, headings without their ``#``, list items
    without their markers, emphasis without its stars.

    A hard-wrapped paragraph is joined with a space, except between two
    Chinese characters (or full-width punctuation), where Chinese puts none.
    What dropping leaves behind (a space before a comma or between two Chinese
    characters, empty brackets) is tidied away; the space between Chinese and
    Latin text stays.

    Examples
    --------
    >>> page = '''---
    ... jupytext: {}
    ... ---
    ... (sec-demo)=
    ... # A {term}`hidden state <hidden state>`
    ...
    ... The state $h_t$ is kept {cite}`elman1990finding`.
    ... It has *H* entries.
    ...
    ... ```{code-cell} python3
    ... print("not prose")
    ... ```
    ... '''
    >>> print(myst_prose(page))
    A hidden state
    The state is kept. It has H entries.
    >>> print(myst_prose("循环神经网络按\n时间步读取 $x_t$，每次一个。"))
    循环神经网络按时间步读取，每次一个。
    """
    if not isinstance(text, str):
        raise ArgumentTypeError(f"text must be a str, got {type(text).__name__}")
    text = FRONT_MATTER.sub("", text.replace("\r\n", "\n"), count=1)
    text = HTML_COMMENT.sub("", text)
    paragraphs: list[str] = []
    current: list[str] = []

    def end_paragraph() -> None:
        if current:
            paragraphs.append(_clean(_join_lines(current)))
            current.clear()

    # Each open fence: (character, length, keep its body as prose?)
    stack: list[tuple[str, int, bool]] = []
    in_options = False  # just after a kept directive's opening fence
    in_yaml = False  # inside a ``---`` options block of a directive
    in_math = False
    for line in text.split("\n"):
        fence = FENCE.match(line)
        if stack and not stack[-1][2]:  # inside a dropped block: wait for its closing fence
            char, length, _ = stack[-1]
            if fence and fence.group(1)[0] == char[0] and len(fence.group(1)) >= length:
                if not fence.group(2).strip():
                    stack.pop()
            continue
        if in_yaml:
            in_yaml = line.strip() != "---"
            continue
        if in_options:
            if line.strip() == "---":
                in_yaml = True
                continue
            if line.lstrip().startswith(":") and not line.lstrip().startswith("::"):
                continue
            in_options = False
        if fence:
            marker, info = fence.group(1), fence.group(2).strip()
            if not info and stack and stack[-1][0][0] == marker[0] and len(marker) >= stack[-1][1]:
                end_paragraph()  # the closing fence of a kept directive
                stack.pop()
                continue
            end_paragraph()
            name = DIRECTIVE_NAME.match(info)
            keep = bool(name) and name.group(1) not in NOT_PROSE
            stack.append((marker, len(marker), keep))
            in_options = keep
            continue
        stripped = line.strip()
        if in_math:
            in_math = not stripped.startswith("$$") and "$$" not in stripped
            continue
        if stripped.startswith("$$"):
            end_paragraph()
            # one-line display math ends on the same line; otherwise wait for the closing $$
            in_math = stripped.count("$$") < 2
            continue
        if not stripped:
            end_paragraph()
            continue
        if LABEL_LINE.match(stripped) or TABLE_LINE.match(line) or COMMENT_LINE.match(line):
            end_paragraph()
            continue
        if HEADING.match(line):
            end_paragraph()
            current.append(HEADING.sub("", line))
            end_paragraph()
            continue
        if LIST_MARKER.match(line):
            end_paragraph()
            line = LIST_MARKER.sub("", line)
        current.append(line.strip().removeprefix(">").strip())
    end_paragraph()
    return "\n".join(p for p in paragraphs if p)


def read_prose(directory) -> str:
    r"""The prose of every ``*.md`` page in ``directory``, in sorted file order.

    Parameters
    ----------
    directory : str or path-like
        A folder of MyST Markdown pages, e.g. ``docs/en``; sub-folders are not read.

    Returns
    -------
    str
        :func:`myst_prose` of each page, in the order of the sorted file
        names, joined by ``"\n"``.

    Raises
    ------
    ValueError
        If ``directory`` is not a folder or holds no ``.md`` file.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     _ = (Path(folder) / "b.md").write_text("# Second\n\nMore $x$ text.", encoding="utf-8")
    ...     _ = (Path(folder) / "a.md").write_text("First page.", encoding="utf-8")
    ...     print(read_prose(folder))
    First page.
    Second
    More text.
    """
    pages = _markdown_pages(directory)
    texts = (myst_prose(_read_utf8(page)) for page in pages)
    return "\n".join(text for text in texts if text)


def _markdown_pages(directory) -> list[Path]:
    """The ``*.md`` files of ``directory``, sorted; an error if it is no folder or has none."""
    if not isinstance(directory, str | os.PathLike):
        raise ArgumentTypeError(
            f"directory must be a str or path-like, got {type(directory).__name__}"
        )
    folder = Path(directory)
    if not folder.is_dir():
        raise ValueError(f"directory must be an existing folder, got {str(directory)!r}")
    pages = sorted(folder.glob("*.md"))
    if not pages:
        raise ValueError(
            f"directory {str(folder)!r} holds no .md pages (a notebook downloaded from the"
            " book that reads the book's own pages runs from docs/en or docs/zh_CN of"
            " the book's source)"
        )
    return pages


def _read_utf8(page: Path) -> str:
    try:
        return page.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ValueError(
            f"directory holds {str(page)!r}, which is not UTF-8 text ({error.reason} at byte "
            f"{error.start}); save it as UTF-8"
        ) from error


def _join_lines(lines: list[str]) -> str:
    """The lines of one paragraph as one line: a space between them, none between CJK."""
    out = lines[0]
    for line in lines[1:]:
        if not line:
            continue
        if out and CJK_CHAR.match(out[-1]) and CJK_CHAR.match(line[0]):
            out += line
        else:
            out += " " + line
    return out


def _clean(paragraph: str) -> str:
    """One paragraph with roles, math, code and inline markup taken out."""
    p = ROLE_WITH_TITLE.sub(r"\1", paragraph)
    p = TERM_ROLE.sub(r"\1", p)
    p = OTHER_ROLE.sub("", p)
    p = INLINE_MATH.sub("", p)
    p = INLINE_CODE.sub("", p)
    p = IMAGE.sub("", p)
    p = LINK.sub(r"\1", p)
    p = EMPHASIS.sub(r"\2", p)
    p = EMPTY_BRACKETS.sub("", p)
    p = SPACES.sub(" ", p)
    p = SPACE_BEFORE.sub("", p)
    p = SPACE_AFTER.sub("", p)
    p = SPACE_BETWEEN_CJK.sub("", p)
    return p.strip()
