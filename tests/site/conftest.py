"""Fixtures for the browser checks of the built book (``nox -s site``).

The book is served from ``RNN_TUTORIAL_HTML`` (default ``docs/_build/html``) on
127.0.0.1 and read by Debian's Chromium (``CHROMIUM``, default
``/usr/bin/chromium``) through Playwright; Playwright's own browser downloads
are never used. Every request to a host other than 127.0.0.1 is aborted and
recorded, so the checks also prove that the book reads with the network off.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "docs" / "_shared"))
import serve  # noqa: E402

HTML = Path(os.environ.get("RNN_TUTORIAL_HTML", ROOT / "docs" / "_build" / "html")).resolve()
SCREENSHOTS = Path(os.environ.get("RNN_TUTORIAL_SCREENSHOTS", HTML.parent / "screenshots"))
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LANGS = ("en", "zh_CN")
# Without the background-networking flags Chromium phones home at every start.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
STATS = {"pages": 0, "checked": set(), "requests": 0, "blocked": [], "axe": {}, "seconds": {}}


def book_pages() -> list[str]:
    """Every HTML page of both languages, as paths relative to the html root."""
    if not (HTML / "en" / "index.html").is_file():
        raise pytest.UsageError(f"no book in {HTML}: run nox -s docs first")
    pages = []
    for lang in LANGS:
        for p in sorted((HTML / lang).rglob("*.html")):
            rel = p.relative_to(HTML / lang)
            if not rel.parts[0].startswith("_"):
                pages.append(f"{lang}/{rel.as_posix()}")
    return pages


@pytest.fixture(scope="session")
def base_url():
    server = serve.server(HTML, quiet=True)  # docs/_shared/serve.py, as nox -s serve
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(browser, base_url):
    """A fresh browser context that lets only requests to the local server through."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=base_url)

    def route(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            STATS["blocked"].append(url)
            route.abort()

    context.route("**/*", route)
    yield context
    context.close()


def pytest_terminal_summary(terminalreporter) -> None:
    if STATS["pages"]:
        by_lang = ", ".join(
            f"{lang} {sum(p.startswith(lang + '/') for p in STATS['checked'])}" for lang in LANGS
        )
        terminalreporter.write_line(
            f"site: {len(STATS['checked'])} book pages checked ({by_lang}), "
            f"{STATS['pages']} page loads, {STATS['requests']} requests checked, "
            f"{len(STATS['blocked'])} requests to other hosts"
        )
    if STATS["seconds"]:
        spent = ", ".join(f"{phase} {sec:.0f} s" for phase, sec in STATS["seconds"].items())
        terminalreporter.write_line(f"site: time per check, all pages: {spent}")
    for rule, urls in sorted(STATS["axe"].items()):
        terminalreporter.write_line(f"site: axe {rule} on {len(urls)} pages")
