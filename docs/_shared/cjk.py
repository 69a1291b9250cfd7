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
        for node in list(self.document.findall(nodes.Text)):
            if isinstance(node.parent, nodes.literal_block | nodes.math_block | nodes.math):
                continue
            if "\n" in node:
                joined = join_cjk_lines(str(node))
                if joined != str(node):
                    node.parent.replace(node, nodes.Text(joined))


def setup(app):
    app.add_transform(JoinCJKLines)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
