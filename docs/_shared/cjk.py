"""Join hard-wrapped Chinese lines without inserting a space.

A line break inside a paragraph becomes a space in HTML. Between two Chinese
characters that space is wrong (Chinese has no spaces between words), so in
the Chinese build a newline between two CJK characters (or CJK punctuation)
is removed; every other newline stays and renders as a space, as in English.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms import SphinxTransform

CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
CJK_NEWLINE = re.compile(rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])")


def join_cjk_lines(text: str) -> str:
    """``text`` with line breaks between two CJK characters removed.

    >>> join_cjk_lines("循环\\n神经网络 and\\nmore")
    '循环神经网络 and\\nmore'
    """
    return CJK_NEWLINE.sub("", text)


class JoinCJKLines(SphinxTransform):
    default_priority = 800

    def apply(self, **kwargs) -> None:
        if not (self.config.language or "").startswith("zh"):
            return
        for block in self.document.findall(nodes.TextElement):
            if isinstance(block, SKIP) or isinstance(block.parent, nodes.TextElement):
                continue
            # The parser may keep a line break as a text node of its own, so
            # judge each break by the characters on both sides, across nodes;
            # inline code and math count as Latin neighbours (a space stays).
            pieces = list(_pieces(block))
            for i, node in enumerate(pieces):
                if not isinstance(node, nodes.Text) or "\n" not in node:
                    continue
                before = _edge(pieces[i - 1], -1) if i else ""
                after = _edge(pieces[i + 1], 0) if i + 1 < len(pieces) else ""
                joined = join_cjk_lines(before + str(node) + after)
                joined = joined[len(before) : len(joined) - len(after)]
                if joined != str(node):
                    # Text nodes compare as strings: find this one by identity
                    siblings = node.parent.children
                    position = next(k for k, c in enumerate(siblings) if c is node)
                    siblings[position] = pieces[i] = nodes.Text(joined)
                    pieces[i].parent = node.parent


def _pieces(node: nodes.Node):
    """Text nodes and atomic inline code/math, in reading order."""
    for child in node.children:
        if isinstance(child, SKIP):
            yield child
        elif isinstance(child, nodes.Text):
            yield child
        else:
            yield from _pieces(child)


def _edge(piece: nodes.Node, index: int) -> str:
    if isinstance(piece, SKIP):
        return "x"  # a Latin stand-in for code or math
    return str(piece)[index:][:1] if str(piece) else ""


SKIP = (nodes.literal_block, nodes.literal, nodes.math_block, nodes.math, nodes.raw)


def setup(app):
    app.add_transform(JoinCJKLines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
