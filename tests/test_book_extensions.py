"""The book's own Sphinx extensions in docs/_shared."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "docs" / "_shared"))

import cjk  # noqa: E402
import pysource  # noqa: E402
from docutils import nodes  # noqa: E402


def test_line_breaks_between_chinese_characters_are_removed():
    assert cjk.join_cjk_lines("循环\n神经网络") == "循环神经网络"
    assert cjk.join_cjk_lines("状态。\n下一步") == "状态。下一步"  # full-width punctuation
    assert cjk.join_cjk_lines("NumPy\n实现") == "NumPy\n实现"  # Latin next to CJK keeps its space
    assert cjk.join_cjk_lines("two\nwords") == "two\nwords"
    assert cjk.join_cjk_lines("猜测。\nsoftmax") == "猜测。softmax"  # no space after 。
    assert cjk.join_cjk_lines("x\n（见上）") == "x（见上）"  # nor before （


def test_a_break_next_to_a_resolved_reference_is_judged_by_its_title():
    """「梯度消失与梯度爆炸\n一章」: the reference's text is Chinese, so the break goes."""
    para = nodes.paragraph()
    para += nodes.Text("见")
    para += nodes.reference("", "", nodes.inline("", "梯度消失与梯度爆炸"), refuri="v.html")
    para += nodes.Text("\n一章；")
    para += nodes.Text("\n")
    para += nodes.Text("")  # the parser leaves empty text nodes; look past them
    para += nodes.reference("", "", nodes.inline("", "图 10.2"), refuri="w.html#fig")
    doc = nodes.document(None, None)
    doc += nodes.section("", para)
    cjk.JoinCJKLines.run(SimpleNamespace(config=SimpleNamespace(language="zh_CN"), document=doc))
    assert para.astext() == "见梯度消失与梯度爆炸一章；图 10.2"


def test_a_break_held_in_its_own_text_node_is_judged_by_its_neighbours():
    para = nodes.paragraph()
    for piece in ("小型 NumPy 包", "\n", "实现。", "\n", "当页面", "\n"):
        para += nodes.Text(piece)
    para += nodes.literal("", "", nodes.Text("code"))
    doc = nodes.document(None, None)
    doc += nodes.section("", para)
    # the transform reads only the language and the document
    cjk.JoinCJKLines.run(SimpleNamespace(config=SimpleNamespace(language="zh_CN"), document=doc))
    # The first two breaks sit between CJK characters; the last one before code stays.
    assert [str(t) for t in para.children[:6]] == [
        "小型 NumPy 包",
        "",
        "实现。",
        "",
        "当页面",
        "\n",
    ]


def test_strip_docstrings_keeps_the_code():
    source = '''    def f(x):
        """Summary.

        More.
        """
        return x + 1
'''
    assert pysource.strip_docstrings(source) == "    def f(x):\n        return x + 1\n"
