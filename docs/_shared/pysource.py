"""``literalinclude`` with a ``:no-docstring:`` flag.

The pages show each algorithm straight from the package with
``literalinclude :pyobject:``; the docstring (parameters, shapes, doctest
examples) is for the API reader, and the page explains the same things in
prose, so the book can drop it and show the code alone.
"""

from __future__ import annotations

import ast
import textwrap

from docutils import nodes
from docutils.parsers.rst import directives
from execstore import is_docstring
from sphinx.directives.code import LiteralInclude


def strip_docstrings(source: str) -> str:
    """``source`` without the docstrings of the functions and classes it defines."""
    code = textwrap.dedent(source)
    lines = code.splitlines(keepends=True)
    drop: set[int] = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) and node.body:
            first = node.body[0]
            if is_docstring(first):
                drop.update(range(first.lineno - 1, first.end_lineno))
    kept = "".join(line for i, line in enumerate(lines) if i not in drop)
    indent = source[: len(source) - len(source.lstrip(" "))]
    return textwrap.indent(kept, indent) if indent else kept


class BookLiteralInclude(LiteralInclude):
    option_spec = {**LiteralInclude.option_spec, "no-docstring": directives.flag}

    def run(self):
        strip = "no-docstring" in self.options
        self.options.pop("no-docstring", None)
        result = super().run()
        if strip:
            for block in (n for node in result for n in node.findall(nodes.literal_block)):
                text = strip_docstrings(block.astext())
                block.rawsource = text
                block.children = [nodes.Text(text)]
        return result


def setup(app):
    app.add_directive("literalinclude", BookLiteralInclude, override=True)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
