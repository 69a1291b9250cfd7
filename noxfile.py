"""Every task a reader or contributor runs: ``nox -s docs``, ``nox -s tests`` and friends."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nox

nox.options.sessions = ["tests"]
nox.options.reuse_existing_virtualenvs = True
nox.options.default_venv_backend = "venv"


def _probe_uv_quietly() -> None:
    """Let nox look for uv once, without logging "uv binary not found" in every session.

    The sessions use venv and pip, so a missing uv is nothing a contributor
    needs to hear about; nox caches the answer, and later probes stay silent.
    """
    from nox import virtualenv
    from nox.logger import logger

    find_uv = getattr(virtualenv, "find_uv", None)
    if find_uv is None:
        return
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        find_uv()
    finally:
        logger.setLevel(level)


_probe_uv_quietly()

ROOT = Path(__file__).resolve().parent
DOCS = ROOT / "docs"
BUILD = DOCS / "_build"
HTML = BUILD / "html"
DOCS_VENV = ROOT / ".nox" / "docs"  # nox -s pdf and epub reuse the venv of nox -s docs
LANGUAGES = ("en", "zh_CN")
# The package multiplies small matrices, where a second BLAS thread only adds
# synchronisation; on a shared two-core machine it made backward passes 20x slower.
ONE_BLAS_THREAD = {
    var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
}


def install_groups(session: nox.Session, *groups: str) -> None:
    """Install the package and dependency groups from pyproject.toml."""
    if sys.version_info < (3, 11):  # noqa: UP036 (nox itself may run on an older Python)
        # Sphinx 9 and myst-parser 5, which the book is pinned to, need 3.11;
        # say so before pip fails on the first pin with a less helpful message.
        session.error(
            f"the book needs Python 3.11 or newer; nox runs on {sys.version.split()[0]} "
            "(start it with a newer interpreter, e.g. python3.11 -m nox -s docs)"
        )
    args = [arg for g in groups for arg in ("--group", g)]
    session.install("--upgrade", "pip>=25.1")  # pip learned --group in 25.1
    session.install(*args, "-e", ".")


def install_kernel(session: nox.Session) -> None:
    """The python3 kernel that executes the pages, inside the session's venv.

    ipykernel warns on every start that its local TCP sockets are not
    encrypted; the pages run on this machine only, so the kernel logs errors
    alone and the build output stays readable.
    """
    session.run(
        "python",
        "-m",
        "ipykernel",
        "install",
        "--sys-prefix",
        "--name",
        "python3",
        "--display-name",
        "Python 3",
        silent=True,
    )
    spec = Path(session.virtualenv.location) / "share/jupyter/kernels/python3/kernel.json"
    kernel = json.loads(spec.read_text(encoding="utf-8"))
    if "--log-level=ERROR" not in kernel["argv"]:
        kernel["argv"].append("--log-level=ERROR")
    spec.write_text(json.dumps(kernel, indent=1), encoding="utf-8")


@nox.session
def docs(session: nox.Session) -> None:
    """Build the book in both languages (in parallel) and the root page."""
    install_groups(session, "docs")
    install_kernel(session)
    extra = session.posargs  # e.g. -E to rebuild everything
    # The two languages build side by side, each with its own kernel: one BLAS
    # thread per kernel, or the two oversubscribe the cores and small matrix
    # products slow down tenfold.
    env = {
        **os.environ,
        **ONE_BLAS_THREAD,
        "PYTHONWARNINGS": "error::DeprecationWarning:rnn_tutorial",
        "PYTHONUNBUFFERED": "1",  # progress lines as they happen, not at the end
    }
    bin_dir = Path(session.bin)
    BUILD.mkdir(parents=True, exist_ok=True)
    # Every page executes once for both languages, two pages at a time (one per
    # core), before Sphinx starts; Sphinx then reads the stored outputs.
    session.run(
        "python",
        str(DOCS / "_shared" / "execstore.py"),
        *(str(DOCS / lang) for lang in LANGUAGES),
        "--jobs",
        str(os.cpu_count() or 1),
        env=env,
    )
    procs = {}
    started = time.monotonic()
    for lang in LANGUAGES:
        # Sphinx's progress goes to stdout (read below for the page being
        # executed), its warnings and errors to stderr (shown at the end).
        cmd = [
            str(bin_dir / "sphinx-build"),
            "-b",
            "html",
            "-n",
            "-W",
            "--keep-going",
            "-d",
            str(BUILD / "doctrees" / lang),
            *extra,
            str(DOCS / lang),
            str(HTML / lang),
        ]
        session.log(" ".join(cmd))
        log = open(BUILD / f"sphinx-{lang}.log", "w", encoding="utf-8")  # noqa: SIM115
        progress = open(BUILD / f"sphinx-{lang}.progress", "w", encoding="utf-8")  # noqa: SIM115
        procs[lang] = (
            subprocess.Popen(cmd, stdout=progress, stderr=log, env=env),
            log,
            progress,
        )
    seconds = {}  # each language's wall time (CONTRIBUTING.md, "Build speed")
    readers = {lang: PageProgress(lang, BUILD / f"sphinx-{lang}.progress") for lang in procs}
    while len(seconds) < len(procs):
        for lang, (proc, *_) in procs.items():
            for line in readers[lang].new_lines():
                session.log(line)
            if lang not in seconds and proc.poll() is not None:
                seconds[lang] = time.monotonic() - started
        time.sleep(0.2)
    for reader in readers.values():
        for line in reader.new_lines():
            session.log(line)
        session.log(reader.summary())
    failed = []
    for lang, (proc, log, progress) in procs.items():
        proc.wait()
        log.close()
        progress.close()
        session.log(f"{lang}: sphinx-build took {seconds[lang]:.1f} s")
        output = (BUILD / f"sphinx-{lang}.log").read_text(encoding="utf-8")
        if output.strip():
            print(f"--- sphinx ({lang}): warnings and errors ---\n{output}", file=sys.stderr)
        if proc.returncode:
            failed.append(lang)
    if failed:
        session.error(f"the {' and '.join(failed)} build failed (see the log above)")
    session.run("python", str(DOCS / "_shared" / "site_root.py"), str(HTML))
    # every page's notebook in one zip per language, linked from every page
    session.run("python", str(DOCS / "_shared" / "notebooks_zip.py"), str(HTML))
    edition_check(session, "notebooks")
    session.run("python", str(DOCS / "_shared" / "check_build.py"), str(HTML))
    session.log(f"open {HTML / 'index.html'}")


class PageProgress:
    """What a language's Sphinx build is doing, read from its progress output.

    How many pages it reads again, and any page it has to execute itself
    because the execution store (docs/_shared/execstore.py, run first) did not
    hold it.
    """

    LINE = re.compile(
        r"^(?P<path>\S+?)\.(?:md|ipynb): (?P<what>Using cached notebook"
        r"|Executing notebook|Executed notebook in (?P<secs>[\d.]+) seconds)"
    )

    READ = re.compile(r"updating environment: (?:\[[^\]]*\] )?(\d+) added, (\d+) changed")

    def __init__(self, lang: str, path: Path) -> None:
        self.lang, self.path, self.offset = lang, path, 0
        self.read: int | None = None  # pages Sphinx reads again (new or changed)
        self.cached: list[str] = []
        self.executed: dict[str, float] = {}

    def new_lines(self) -> list[str]:
        if not self.path.is_file():
            return []
        with open(self.path, encoding="utf-8", errors="replace") as f:
            f.seek(self.offset)
            text = f.read()
        complete = text.rsplit("\n", 1)[0] + "\n" if "\n" in text else ""
        self.offset += len(complete.encode("utf-8"))
        out = []
        for line in complete.splitlines():
            if read := self.READ.search(line):
                self.read = int(read[1]) + int(read[2])
                out.append(f"{self.lang}: {self.read} pages new or changed since the last build")
            m = self.LINE.match(line.strip())
            if not m:
                continue
            page = Path(m["path"]).name
            if m["what"].startswith("Using cached"):
                self.cached.append(page)  # listed together in the summary
            elif m["what"].startswith("Executing"):
                out.append(f"{self.lang}: {page}: executing (its code changed or is not cached)")
            else:
                self.executed[page] = float(m["secs"])
                out.append(f"{self.lang}: {page}: executed in {float(m['secs']):.1f} s")
        return out

    def summary(self) -> str:
        # execstore ran the pages before Sphinx; a page runs here only when it was not
        # in the store (Sphinx started on its own, or a page edited during the build)
        ran = f" ({', '.join(self.executed)})" if self.executed else ""
        n = len(self.executed)
        return f"{self.lang}: outputs from the execution store, {n} pages run here{ran}"


@nox.session
def buildcheck(session: nox.Session) -> None:
    """One execution per page serves both languages: checked against executing a page alone."""
    if not (BUILD / ".execstore").is_dir():
        session.error("no book built yet: run nox -s docs first")
    install_groups(session, "docs")
    session.install("pytest==9.2.0")
    install_kernel(session)
    session.run(
        "pytest",
        "tests/build",
        "--confcutdir=tests/build",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env=ONE_BLAS_THREAD,
    )


def edition_sources(session: nox.Session, builder: str) -> None:
    """Run Sphinx's ``builder`` for both languages on the HTML build's doctrees.

    The pages are read (and executed) by ``nox -s docs``; this build runs in
    its venv and reuses its pickled environment and doctrees, so it executes
    nothing and reads nothing that has not changed since. Warnings are errors,
    as for the HTML.
    """
    sphinx = DOCS_VENV / "bin" / "sphinx-build"
    if not (HTML / "en" / "index.html").is_file() or not sphinx.is_file():
        session.error("no book built yet: run nox -s docs first")
    env = {**ONE_BLAS_THREAD}
    for lang in LANGUAGES:
        session.run(
            # -a: every page written again, so no page of an earlier build
            # (another version of the extension, say) is packed unseen
            *(str(sphinx), "-b", builder, "-a", "-n", "-W", "--keep-going", "-q"),
            *("-d", str(BUILD / "doctrees" / lang)),
            *session.posargs,
            str(DOCS / lang),
            str(BUILD / builder / lang),
            env=env,
            external=True,
        )


def edition_check(session: nox.Session, what: str) -> None:
    script = DOCS / "_shared" / "check_editions.py"
    session.run(sys.executable, str(script), what, str(BUILD), external=True)


@nox.session(venv_backend="none")
def pdf(session: nox.Session) -> None:
    """The book as PDF in both languages (XeLaTeX): docs/_build/html/<lang>/*.pdf.

    Needs TeX Live with xeCJK and the Noto CJK fonts (.ci/run installs them);
    run nox -s docs first.
    """
    started = time.monotonic()
    edition_sources(session, "latex")
    # The two languages typeset side by side through Sphinx's Makefile (latexmk
    # and xindy with the options Sphinx chose).
    procs = {}
    for lang in LANGUAGES:
        folder = BUILD / "latex" / lang
        log = open(folder / "make.log", "w", encoding="utf-8")  # noqa: SIM115
        cmd = ["make", "-C", str(folder), "LATEXMKOPTS=-interaction=nonstopmode -halt-on-error"]
        procs[lang] = (subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT), log)
    failed = []
    for lang, (proc, log) in procs.items():
        proc.wait()
        log.close()
        if proc.returncode:
            failed.append(lang)
            tail = (BUILD / "latex" / lang / "make.log").read_text(encoding="utf-8")[-3000:]
            print(f"--- LaTeX ({lang}) ---\n{tail}", file=sys.stderr)
    if failed:
        session.error(f"the {' and '.join(failed)} PDF failed (see the log above)")
    for lang in LANGUAGES:
        name = f"rnn_tutorial-{lang}.pdf"
        (HTML / lang / name).write_bytes((BUILD / "latex" / lang / name).read_bytes())
        session.log(f"{HTML / lang / name}")
    session.log(f"both PDFs in {time.monotonic() - started:.0f} s")
    edition_check(session, "pdf")


@nox.session(venv_backend="none")
def epub(session: nox.Session) -> None:
    """The book as ePub in both languages: docs/_build/html/<lang>/*.epub.

    Equations are SVG images (dvisvgm, from TeX Live); epubcheck validates
    both files. Run nox -s docs first.
    """
    started = time.monotonic()
    edition_sources(session, "epub")
    for lang in LANGUAGES:
        name = f"rnn_tutorial-{lang}.epub"
        (HTML / lang / name).write_bytes((BUILD / "epub" / lang / name).read_bytes())
        session.log(f"{HTML / lang / name}")
    session.log(f"both ePubs in {time.monotonic() - started:.0f} s")
    edition_check(session, "epub")


@nox.session
def tests(session: nox.Session) -> None:
    """Unit tests, gradient checks, doctests of the package and page parity."""
    install_groups(session, "test")
    # tests/parity needs torch and runs in its own session (nox -s parity).
    # tests/site and tests/notebooks read the built book: nox -s site, nox -s notebooks.
    session.run(
        "pytest",
        "--ignore=tests/parity",
        "--ignore=tests/build",
        "--ignore=tests/site",
        "--ignore=tests/notebooks",
        *session.posargs,
        env=ONE_BLAS_THREAD,
    )


TORCH = "torch==2.13.0"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def torch_source(session: nox.Session) -> list[str]:
    """pip options that make ``pip install torch`` take the CPU build.

    A machine whose pip configuration already offers the CPU wheel locally
    (find-links) uses it as it is; anywhere else the CPU index is added, and
    pip prefers its ``2.13.0+cpu`` to the CUDA build of the default index.
    """
    probe = session.run(
        *("python", "-m", "pip", "install", "--dry-run", "--no-deps", "--no-index"),
        *("--ignore-installed", TORCH),
        silent=True,
        success_codes=[0, 1],
    )
    return [] if "+cpu" in (probe or "") else ["--extra-index-url", TORCH_CPU_INDEX]


@nox.session
def parity(session: nox.Session) -> None:
    """Our RNN, LSTM and GRU against torch.nn (CPU build): outputs, states, all gradients."""
    install_groups(session, "test")
    session.install(TORCH, *torch_source(session))
    session.run(
        "python", "-c", "import torch; assert torch.version.cuda is None, 'not the CPU build'"
    )
    session.run("pytest", "tests/parity", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Time our RNN, LSTM and GRU against torch.nn (CPU); writes benchmarks/results/latest.json.

    Options go to the script after ``--``, e.g. ``nox -s bench -- --quick`` or
    ``nox -s bench -- --cells lstm --dtypes float32 --shapes 0 3 --threads 2``.
    """
    install_groups(session)
    session.install(TORCH, *torch_source(session))
    session.run("python", "benchmarks/recurrences.py", *session.posargs)


@nox.session
def doctests(session: nox.Session) -> None:
    """The package's docstring examples alone."""
    install_groups(session, "test")
    session.run("pytest", "src/rnn_tutorial", *session.posargs, env=ONE_BLAS_THREAD)


@nox.session
def lint(session: nox.Session) -> None:
    """ruff over the package, tests, noxfile and Sphinx configuration."""
    install_groups(session, "lint")
    session.run("ruff", "check", "src", "tests", "benchmarks", "noxfile.py", "docs")
    session.run("ruff", "format", "--check", "src", "tests", "benchmarks", "noxfile.py")


@nox.session(venv_backend="none")
def serve(session: nox.Session) -> None:
    """Serve the built book on http://127.0.0.1:8000 (run nox -s docs first)."""
    if not (HTML / "index.html").exists():
        session.error("no book built yet: run nox -s docs first")
    port = session.posargs[0] if session.posargs else "8000"
    # the book's 404.html for a missing page, as on GitHub Pages
    session.run(sys.executable, str(DOCS / "_shared" / "serve.py"), port, str(HTML))


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@nox.session
def site(session: nox.Session) -> None:
    """Every built page of both languages in headless Chromium (run nox -s docs first)."""
    if not (HTML / "en" / "index.html").is_file():
        session.error("no book built yet: run nox -s docs first")
    if not Path(CHROMIUM).is_file():
        session.error(f"no Chromium at {CHROMIUM}: apt-get install chromium fonts-noto-cjk")
    session.install("--upgrade", "pip>=25.1")
    session.install("--group", "site")
    # Playwright drives Debian's Chromium; it must never fetch a browser of its own.
    env = {"CHROMIUM": CHROMIUM, "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD": "1"}
    # --confcutdir: tests/conftest.py serves the unit tests (numpy), not these.
    session.run(
        "pytest",
        "tests/site",
        "--confcutdir=tests/site",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env=env,
    )


@nox.session
def notebooks(session: nox.Session) -> None:
    """Run every page's downloadable .ipynb in a fresh kernel that has only what a reader installs.

    The kernel lives in its own venv (``.nox/notebooks/reader``) with the
    package (not editable) and the ``reader`` group: matplotlib for the
    figures, jieba for the word-level section of the character-level page,
    sacrebleu for the captioning page's BLEU, ipykernel to run a notebook at all.
    """
    if not any((HTML / "en" / "_sources").glob("*.ipynb")):
        session.error("no notebooks built yet: run nox -s docs first")
    session.install("--upgrade", "pip>=25.1")
    session.install("--group", "notebooks")
    reader = Path(session.virtualenv.location) / "reader"
    python = reader / "bin" / "python"
    if not python.is_file():
        session.run(sys.executable, "-m", "venv", str(reader), silent=True, external=True)
    session.run(
        str(python), "-m", "pip", "install", "--quiet", "--upgrade", "pip>=25.1", external=True
    )
    # Not editable, so the kernel cannot find the package through this checkout;
    # reinstalled every time, since its version number does not change with its code.
    session.run(
        str(python), "-m", "pip", "install", "--quiet", "--group", "reader", ".", external=True
    )
    session.run(
        str(python),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--force-reinstall",
        "--no-deps",
        ".",
        external=True,
    )
    session.run(
        str(python),
        "-m",
        "ipykernel",
        "install",
        "--sys-prefix",
        "--name",
        "rnn-tutorial-reader",
        "--display-name",
        "rnn_tutorial reader",
        silent=True,
        external=True,
    )
    env = {
        "JUPYTER_PATH": str(reader / "share" / "jupyter"),
        "RNN_TUTORIAL_KERNEL": "rnn-tutorial-reader",
        "RNN_TUTORIAL_READER_PYTHON": str(python),
        **{var: "1" for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
    }
    session.run(
        "pytest",
        "tests/notebooks",
        "--confcutdir=tests/notebooks",
        "-p",
        "no:cacheprovider",
        *session.posargs,
        env=env,
    )


@nox.session(venv_backend="none")
def stamp(session: nox.Session) -> None:
    """Record that the en and zh_CN versions of the named pages are in step."""
    if not session.posargs:
        session.error("name the pages: nox -s stamp -- rnn_cell glossary")
    session.run(sys.executable, str(DOCS / "_shared" / "pagesync.py"), "stamp", *session.posargs)
