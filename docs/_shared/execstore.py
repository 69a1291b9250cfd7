"""One execution of each page for both languages.

The English and Chinese versions of a page run the same code (their code cells
differ only in comments, which ``pagesync`` checks), so a page is executed once
and both languages read its outputs. An execution is stored under a key made of

- the page's code cells without comments, and their options (tags and the
  like; captions and alt text, written in the page's language, left out), as
  ``pagesync`` compares them;
- the package's code (``src/rnn_tutorial``, its syntax tree without
  docstrings), so that a changed function re-executes the pages that call it
  instead of leaving stale outputs, while a docstring or comment edit
  re-executes nothing;
- the files the page declares it reads, in its front matter::

      rnn_tutorial:
        inputs: ["../../benchmarks/results/latest.json"]  # globs, from the page's folder

  The performance appendix reads ``../../benchmarks/results/latest.json``,
  the same file for both languages, so it runs once. A declared file that
  changes re-executes the page;
- the prose of the pages it declares it reads as prose (``prose_inputs:``,
  globs as above), as ``rnn_tutorial.read_prose`` extracts it: the
  language-model page trains on its own edition's prose (and, for its
  word-level model, on the Chinese pages: ``"../zh_CN/*.md"``), so its key
  differs between the languages and it runs once in each, and an edit to
  another page's code or markup does not re-execute it.

Every page with code also declares its execution budget in seconds
(``budget: 20`` under ``rnn_tutorial:``). Two workers finish together only if
the longest pages start first, so pages are executed longest first: by the
time each took when last executed here (``timings.json`` in the store), or by
its budget on a fresh clone. A page that takes longer than its budget is
named in the output; time is not checked by any test (machines are shared).

``nox -s docs`` runs this module first (``python execstore.py docs/en
docs/zh_CN``): every page whose key is not stored is executed, two at a time
(one per core), each in its own folder as a reader would run it, and the
progress is printed. Each kernel is a fork of one process that has already
imported IPython's kernel, numpy, matplotlib and the package
(:mod:`kernelfork`), which saves every page those imports. Sphinx then finds
every execution stored; the client installed by :func:`setup` merges the
stored outputs into each page's cells (the page keeps its own code and
comments). A page that somehow is not stored yet (Sphinx run on its own) is
executed by that client, in a fresh kernel.
"""

from __future__ import annotations

import argparse
import ast
import functools
import hashlib
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

SHARED = Path(__file__).resolve().parent
DOCS = SHARED.parent
ROOT = DOCS.parent
PACKAGE = ROOT / "src" / "rnn_tutorial"
BUILD = Path(os.environ.get("RNN_TUTORIAL_BUILD", DOCS / "_build")).resolve()
STORE = BUILD / ".execstore"
TIMEOUT = 120  # seconds a cell may take, as nb_execution_timeout
MYST_EXTENSIONS = ["amsmath", "colon_fence", "dollarmath", "deflist", "substitution"]

sys.path.insert(0, str(SHARED))
import kernelfork  # noqa: E402
from pagesync import code_cells, split_front_matter  # noqa: E402

DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


class PageError(RuntimeError):
    """A page's cell raised: the build stops and names the page."""


def read_page(page: Path):
    """The page as myst-nb reads it: a notebook whose code cells are the page's cells."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = MdParserConfig(enable_extensions=set(MYST_EXTENSIONS))
    return read_myst_markdown_notebook(page.read_text(encoding="utf-8"), config, path=page)


def declared(page: Path) -> dict:
    """The ``rnn_tutorial:`` block of the page's front matter (inputs, budget)."""
    import yaml

    front, _ = split_front_matter(page.read_text(encoding="utf-8"))
    return (yaml.safe_load(front) or {}).get("rnn_tutorial") or {}


def budget(page: Path) -> float | None:
    """The page's declared execution budget in seconds, or None."""
    return declared(page).get("budget")


def declared_inputs(page: Path, kind: str = "inputs") -> list[Path]:
    """The files the page's front matter says it reads (``inputs`` or ``prose_inputs``), sorted."""
    patterns = declared(page).get(kind, [])
    files: set[Path] = set()
    for pattern in patterns:
        # normalised, so that ../zh_CN/x.md from docs/zh_CN is the page's own x.md
        matched = sorted(
            Path(os.path.normpath(p)) for p in page.parent.glob(pattern) if p.is_file()
        )
        if not matched:
            raise PageError(f"{page}: declared {kind} {pattern!r} matches no file")
        files.update(matched)
    return sorted(files)


@functools.cache
def _prose_digest(text: str) -> bytes:
    """The prose of one page, as ``rnn_tutorial.read_prose`` reads it: not its code or markup."""
    from rnn_tutorial.data.corpus import myst_prose

    return hashlib.sha256(myst_prose(text).encode()).digest()


def _package_digest() -> str:
    """The package's code: each module's syntax tree, without docstrings or positions.

    A page's outputs depend on what the package does, not on how it is
    documented, so an edited docstring, doctest or comment re-executes no page
    (comments are not in the tree; line numbers are left out of it). No output
    of the book shows a package file's lines (a traceback would); a page that
    did would declare the package's files among its inputs.
    """
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(PACKAGE).as_posix().encode())
        digest.update(_code_digest(path.read_bytes()))
    return digest.hexdigest()


@functools.cache
def _code_digest(source: bytes) -> bytes:
    """One module's code; each source parsed once per process (Sphinx asks for every page)."""
    tree = ast.parse(source)
    for node in ast.walk(tree):
        if isinstance(node, DOCUMENTED) and node.body and is_docstring(node.body[0]):
            node.body = node.body[1:] or [ast.Pass()]
    return hashlib.sha256(ast.dump(tree).encode()).digest()


def is_docstring(statement) -> bool:
    """Whether a statement of a module, class or function body is its docstring."""
    return (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    )


def has_code(page: Path) -> bool:
    return bool(code_cells(page.read_text(encoding="utf-8")))


def page_key(page: Path, package: str | None = None) -> str:
    """The key of a page's execution: its code without comments, the package, its inputs."""
    digest = hashlib.sha256()
    digest.update((package or _package_digest()).encode())
    for options, code in code_cells(page.read_text(encoding="utf-8")):
        digest.update(b"\0cell\0" + "\n".join(options).encode() + b"\0" + code.encode())
    for path in declared_inputs(page):
        digest.update(b"\0input\0" + os.path.relpath(path, page.parent).encode())
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    for path in declared_inputs(page, "prose_inputs"):
        digest.update(b"\0prose\0" + os.path.relpath(path, page.parent).encode())
        digest.update(_prose_digest(path.read_text(encoding="utf-8")))
    return digest.hexdigest()[:32]


def stored(key: str) -> Path:
    return STORE / f"{key}.ipynb"


def execute(page: Path, key: str) -> float:
    """Run the page in its own folder and store the executed notebook; the seconds taken."""
    import nbformat
    from jupyter_cache.executors.utils import single_nb_execution

    nb = read_page(page)
    result = single_nb_execution(
        nb,
        cwd=str(page.parent),
        timeout=TIMEOUT,
        allow_errors=False,
        meta_override=True,
        kernel_manager_class=kernelfork.manager_class(),
    )
    if result.err is not None:
        raise PageError(f"{page}: a cell raised {type(result.err).__name__}\n{result.exc_string}")
    STORE.mkdir(parents=True, exist_ok=True)
    partial = stored(key).with_suffix(f".{os.getpid()}.tmp")
    nbformat.write(nb, partial)
    partial.replace(stored(key))  # atomic: a reader never sees half a notebook
    return result.time


def merge_outputs(nb, executed):
    """``nb`` with the outputs of ``executed`` in its code cells; its own code and options kept."""
    import copy

    merged = copy.deepcopy(nb)
    code = [cell for cell in executed.cells if cell.cell_type == "code"]
    targets = [cell for cell in merged.cells if cell.cell_type == "code"]
    if len(code) != len(targets):
        raise PageError(
            f"the stored execution has {len(code)} code cells, the page {len(targets)}"
        )
    for cell, done in zip(targets, code, strict=True):
        cell.outputs = done.outputs
        cell.execution_count = done.execution_count
    for key in ("kernelspec", "language_info"):
        if key in executed.metadata:
            merged.metadata[key] = executed.metadata[key]
    return merged


def load(key: str):
    import nbformat

    return nbformat.read(stored(key), as_version=4)


# ---------------------------------------------------------------- the pre-build step


def pages(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        for page in sorted(folder.rglob("*.md")):
            rel = page.relative_to(folder)
            if not any(part.startswith(("_", ".")) for part in rel.parts):
                found.append(page)
    return found


def _label(page: Path) -> str:
    return f"{page.stem} ({page.parent.name})"


def _run(page: str, key: str) -> tuple[str, float]:
    return page, execute(Path(page), key)


TIMINGS = STORE / "timings.json"  # seconds each page took when last executed here
KEYS = STORE / "keys.json"  # each page's key, for Sphinx to compare with the one it read


def _read_json(path: Path) -> dict:
    """A dictionary the store keeps by page path relative to docs/; empty if there is none."""
    import json

    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _write_json(path: Path, data: dict) -> None:
    import json

    STORE.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def read_timings() -> dict[str, float]:
    return _read_json(TIMINGS)


def read_keys() -> dict[str, str]:
    return _read_json(KEYS)


def current_key(page: Path, keys: dict[str, str] | None = None) -> str:
    """The page's key as execstore last computed it (``keys``, read from keys.json), else now."""
    keys = read_keys() if keys is None else keys
    return keys.get(_name(page)) or page_key(page)


def _name(page: Path) -> str:
    return page.relative_to(DOCS).as_posix() if page.is_relative_to(DOCS) else str(page)


def longest_first(todo: dict[str, list[Path]], timings: dict[str, float]) -> list[str]:
    """The keys to execute, the longest expected execution first (last time, else budget)."""

    def expected(key: str) -> float:
        page = todo[key][0]
        return timings.get(_name(page)) or budget(page) or 0.0

    return sorted(todo, key=expected, reverse=True)


def execute_all(folders: list[Path], jobs: int) -> int:
    """Execute every page not yet stored, ``jobs`` at a time; print what ran and what was kept."""
    started = time.monotonic()
    package = _package_digest()
    by_key: dict[str, list[Path]] = {}
    for page in pages(folders):
        if has_code(page):
            by_key.setdefault(page_key(page, package), []).append(page)
    todo = {key: group for key, group in by_key.items() if not stored(key).is_file()}
    kept = sum(len(group) for key, group in by_key.items() if key not in todo)
    print(
        f"execstore: {len(by_key)} executions for {sum(map(len, by_key.values()))} pages; "
        f"{kept} pages from the store, {len(todo)} to execute ({jobs} at a time)",
        flush=True,
    )
    failed = []
    timings = read_timings()
    server = kernelfork.start_server() if todo and kernelfork.enabled() else None
    forks = 0
    try:
        failed = _execute(todo, jobs, timings)
    finally:
        if server is not None:
            forks = kernelfork.stop_server(server)
    _write_json(TIMINGS, timings)
    _write_json(KEYS, {_name(page): key for key, group in by_key.items() for page in group})
    for message in failed:
        print(message, file=sys.stderr)
    how = f" ({forks} kernels forked from one that had imported the pages' modules)" * bool(forks)
    print(f"execstore: done in {time.monotonic() - started:.1f} s{how}", flush=True)
    return 1 if failed else 0


def _execute(todo: dict[str, list[Path]], jobs: int, timings: dict[str, float]) -> list[str]:
    """Execute the pages of ``todo``, ``jobs`` at a time; record their times; the failures."""
    failed = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = {
            pool.submit(_run, str(todo[key][0]), key): todo[key]
            for key in longest_first(todo, timings)
        }
        for future in as_completed(futures):
            group = futures[future]
            names = ", ".join(_label(p) for p in group)
            try:
                _, seconds = future.result()
            except PageError as error:
                failed.append(str(error))
                print(f"execstore: FAILED {names}", flush=True)
                continue
            limit = budget(group[0])
            over = f", over its budget of {limit} s" if limit and seconds > limit else ""
            print(f"execstore: executed {names} in {seconds:.1f} s{over}", flush=True)
            timings.update({_name(page): round(seconds, 1) for page in group})
    return failed


# ---------------------------------------------------------------- inside Sphinx


def _store_client_factory():
    from myst_nb.core.execute.base import ExecutionError, NotebookClientBase

    class NotebookClientStore(NotebookClientBase):
        """Outputs from the store, executing (and storing) the page if it is missing."""

        def start_client(self):
            page = Path(self.path)
            key = page_key(page)
            runtime = None
            if not stored(key).is_file():
                self.logger.info("Executing notebook (not in the store)")
                try:
                    runtime = execute(page, key)
                except PageError as error:
                    self.logger.warning(str(error), subtype="exec")
                    raise ExecutionError(str(page)) from error
            self._notebook = merge_outputs(self.notebook, load(key))
            self.exec_metadata = {
                "mtime": stored(key).stat().st_mtime,
                "runtime": runtime,
                "method": "cache",
                "succeeded": True,
                "error": None,
                "traceback": None,
            }

    return NotebookClientStore


def setup(app):
    """Serve every page's outputs from the store (``nb_execution_mode = "cache"``)."""
    import myst_nb.sphinx_
    from myst_nb.core.execute.base import NotebookClientBase

    original = myst_nb.sphinx_.create_client
    client = _store_client_factory()

    def create_client(notebook, source, nb_config, logger, read_fmt=None):
        if nb_config.execution_mode != "cache" or not Path(source).is_file():
            return original(notebook, source, nb_config, logger, read_fmt)
        if not any(cell.cell_type == "code" for cell in notebook.cells):
            return NotebookClientBase(notebook, Path(source), nb_config, logger)  # nothing to run
        return client(notebook, Path(source), nb_config, logger)

    myst_nb.sphinx_.create_client = create_client
    app.connect("doctree-read", _remember_key)
    app.connect("env-get-outdated", _outputs_changed)
    app.connect("env-purge-doc", lambda app, env, docname: _keys(env).pop(docname, None))
    app.connect(
        "env-merge-info", lambda app, env, docnames, other: _keys(env).update(_keys(other))
    )
    return {"parallel_read_safe": True, "parallel_write_safe": True}


# Sphinx reads a page again when its source changes, not when its stored outputs
# do: after an edit of the package every page executes again, and a page whose
# Markdown did not change would keep the outputs of the last read. So each page
# is read with the key of the execution it shows, and read again when the
# current key differs.


def _keys(env) -> dict[str, str]:
    if not hasattr(env, "rnn_tutorial_keys"):
        env.rnn_tutorial_keys = {}
    return env.rnn_tutorial_keys


def _page(env, docname: str) -> Path:
    return Path(env.doc2path(docname))


def _remember_key(app, doctree) -> None:
    docname = app.env.docname
    page = _page(app.env, docname)
    if has_code(page):
        _keys(app.env)[docname] = current_key(page)


def _outputs_changed(app, env, added, changed, removed) -> list[str]:
    read_with, keys = _keys(env), read_keys()
    stale = []
    for docname in sorted(env.found_docs - set(added) - set(changed)):
        page = _page(env, docname)
        if has_code(page) and read_with.get(docname) != current_key(page, keys):
            stale.append(docname)
    return stale


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path, help="docs/en docs/zh_CN")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args(argv)
    return execute_all([f.resolve() for f in args.folders], max(1, args.jobs))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
