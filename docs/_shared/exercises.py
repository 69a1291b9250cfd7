"""Exercises, worked examples (sphinx-exercise, sphinx-proof) and search as a reader meets them.

Four repairs, each for every page:

* **Search titles.** sphinx-exercise and sphinx-proof leave the number out of
  a title node (the HTML writer adds "Exercise 5.1" from the figure numbers),
  so Sphinx's search indexed every exercise under an empty title, and a worked
  example as " (Two steps)". The index is given the title the page shows.
* **Searched text.** The index holds the words a reader sees: the code of a
  cell whose input is folded away (``hide-input``) and the TeX source of the
  formulas (``\\frac``, ``W_{hh}``) are left out of it.
* **Unique ids.** Every exercise and solution wraps its body in a section with
  the same id (``exercise-content``, ``solution-content``): a page with three
  exercises had three elements of one id. Each takes its exercise's label.
* **Chinese word order.** 「练习 5.1 的解答」, not 「解答 练习 5.1」.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.search import IndexBuilder
from sphinx.transforms.post_transforms import SphinxPostTransform

_word_collector = IndexBuilder._word_collector


def _shown_title(env, section: nodes.Element, own: str) -> str | None:
    """The title a page shows ("Exercise 5.1 (subtitle)") for an exercise or example, else None."""
    own = own.strip()
    kind = type(section).__name__
    if kind != "exercise_enumerable_node" and "countertype" not in section.attributes:
        return None  # neither a numbered exercise nor a sphinx-proof example
    if not section["ids"]:
        return None
    if own and not own.startswith("("):
        return None  # the title already reads as the page shows it
    target = section["ids"][0]
    counter = "exercise" if kind == "exercise_enumerable_node" else section.get("countertype")
    for numbers in env.toc_fignumbers.values():
        if target in numbers.get(counter, {}):
            number = ".".join(map(str, numbers[counter][target]))
            break
    else:
        return None
    if kind == "exercise_enumerable_node":
        label = env.config.numfig_format["exercise"] % number
    else:
        from sphinx_proof.domain import translate

        label = f"{translate(section.get('realtype', counter).title())} {number}"
    return f"{label} {own}".strip()


def word_collector(self: IndexBuilder, doctree: nodes.document):
    """Sphinx's words and titles of a page, with each exercise and example titled as shown."""
    store = _word_collector(self, doctree)
    titles = []
    for title, anchor in store.titles:
        section = doctree.ids.get(anchor) if anchor else None
        env = doctree.settings.env
        shown = _shown_title(env, section, title) if section is not None else None
        if shown is not None:
            title = shown
            store.title_words.extend(self.lang.split(shown))
        titles.append((title, anchor))
    store.titles = titles
    return store


class UniqueContentIds(SphinxPostTransform):
    """``ex-clip-threshold-content`` instead of one ``exercise-content`` per exercise."""

    default_priority = 860  # after sphinx-exercise has moved the solutions into place (22)
    SHARED_IDS = ("exercise-content", "solution-content")

    def run(self, **kwargs) -> None:
        for section in list(self.document.findall(nodes.section)):
            shared = [i for i in section["ids"] if i in self.SHARED_IDS]
            if not shared:
                continue
            owner = section.parent
            while owner is not None and not owner.get("ids"):
                owner = owner.parent
            unique = f"{owner['ids'][0]}-content" if owner is not None else ""
            ids = [unique if i in self.SHARED_IDS else i for i in section["ids"]]
            section["ids"] = [i for i in ids if i]


class SolutionTitleOrder(SphinxPostTransform):
    """「练习 5.1 的解答」, not sphinx-exercise's word-for-word 「解答 练习 5.1」.

    The extension builds the title as the word for "solution" followed by a
    link to the exercise; Chinese names the exercise first.
    """

    default_priority = 850  # after sphinx-exercise has built the titles (21)

    def run(self, **kwargs) -> None:
        if not (self.config.language or "").startswith("zh"):
            return
        for admonition in self.document.findall(nodes.Element):
            if type(admonition).__name__ != "solution_node" or not admonition.children:
                continue
            title = admonition.children[0]
            if not isinstance(title, nodes.title) or len(title.children) != 2:
                continue
            word, link = title.children
            if not isinstance(word, nodes.Text) or not isinstance(link, nodes.reference):
                continue
            for text in link.findall(nodes.Text):
                text.parent.replace(text, nodes.Text(str(text).lstrip()))
                break
            title.children = [link, nodes.Text(f" 的{str(word).strip()}")]
            for child in title.children:
                child.parent = title
            admonition["title"] = title.astext()


class SearchWhatReadersSee(SphinxPostTransform):
    """Mark folded code and TeX ``no-search``: Sphinx's index skips such nodes."""

    default_priority = 870

    def run(self, **kwargs) -> None:
        for node in self.document.findall(nodes.Element):
            parent = node.parent
            folded = (
                "cell_input" in node["classes"]
                and isinstance(parent, nodes.Element)
                and "tag_hide-input" in parent["classes"]
            )
            if folded or isinstance(node, (nodes.math, nodes.math_block)):
                node["classes"].append("no-search")


def setup(app):
    app.add_post_transform(SearchWhatReadersSee)
    app.add_post_transform(UniqueContentIds)
    app.add_post_transform(SolutionTitleOrder)
    IndexBuilder._word_collector = word_collector
    return {"parallel_read_safe": True, "parallel_write_safe": True}
