"""Join hard-wrapped Chinese lines without inserting a space.

A line break inside a paragraph becomes a space in HTML. Between two Chinese
characters that space is wrong (Chinese has no spaces between words), so in
the Chinese build a newline between two CJK characters (or CJK punctuation)
is removed, and so is one next to Chinese punctuation (no space follows 。
or precedes （); every other newline stays and renders as a space, as in English.
A space the source wrote in those places goes too (``参见 {term}`序列与循环`。``).

The join runs after cross-references are resolved, so that a reference whose
text is Chinese (a chapter title, 图 10.2) counts as Chinese: before resolution
it holds its target name (``sec-vanishing``), which looks Latin.
"""

from __future__ import annotations

import re

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

CJK = r"\u2e80-\u9fff\u3000-\u303f\uff00-\uffef"
# Full-width punctuation: 。，、；：？！（）「」《》 and the like
PUNCT = r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65"
CJK_NEWLINE = re.compile(
    rf"(?<=[{CJK}])[ \t]*\n[ \t]*(?=[{CJK}])"
    rf"|(?<=[{PUNCT}])[ \t]*\n[ \t]*(?=\S)"
    rf"|(?<=\S)[ \t]*\n[ \t]*(?=[{PUNCT}])"
)
# A space between two Chinese characters, or next to Chinese punctuation.
CJK_SPACE = re.compile(
    rf"(?<=[{CJK}])[ \t]+(?=[{CJK}])|(?<=[{PUNCT}])[ \t]+(?=\S)|(?<=\S)[ \t]+(?=[{PUNCT}])"
)


def join_cjk_lines(text: str) -> str:
    """``text`` with line breaks between two CJK characters removed.

    >>> join_cjk_lines("循环\\n神经网络 and\\nmore")
    '循环神经网络 and\\nmore'
    >>> join_cjk_lines("猜测。\\nsoftmax 与\\nx\\n（见上）")
    '猜测。softmax 与\\nx（见上）'
    """
    return CJK_NEWLINE.sub("", text)


def drop_cjk_spaces(text: str) -> str:
    """``text`` without spaces between Chinese characters or next to Chinese punctuation.

    A source writes ``参见 {term}`序列与循环`。``; once the reference shows its
    Chinese title the space sits between two Chinese characters.

    >>> drop_cjk_spaces("参见 序列与循环 。 softmax 与 x")
    '参见序列与循环。softmax 与 x'
    """
    return CJK_SPACE.sub("", join_cjk_lines(text))


class JoinCJKLines(SphinxPostTransform):
    default_priority = 900  # after every reference, citation and glue is resolved

    def run(self, **kwargs) -> None:
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
                if not isinstance(node, nodes.Text) or not re.search(r"\s", node):
                    continue
                before = next((e for p in reversed(pieces[:i]) if (e := _edge(p, -1))), "")
                after = next((e for p in pieces[i + 1 :] if (e := _edge(p, 0))), "")
                joined = drop_cjk_spaces(before + str(node) + after)
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
    app.add_post_transform(JoinCJKLines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
