"""The built book as a reader meets it: every page of both languages in headless Chromium.

Run by ``nox -s site`` after ``nox -s docs``; never collected by ``nox -s tests``.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import HTML, LANGS, SCREENSHOTS, STATS, book_pages

PAGES = book_pages()
CJK = re.compile(r"[\u4e00-\u9fff]")
# TeX that MathJax should have turned into math; searched in the text outside code.
RAW_TEX = re.compile(r"\\\(|\\\)|\\\[|\\\]|\$\$|\\begin\{|\\frac\b|\\mathbf\b")
# axe rules switched off, each with the reason (theme markup we cannot change).
AXE_DISABLED: dict[str, str] = {}
# A term per language that the search box must find, and the page it must list.
SEARCHES = [
    ("zh_CN", "遗忘门", "lstm"),
    ("zh_CN", "循环", "sequences"),
    ("en", "forget gate", "lstm"),
    ("en", "recurrent", "sequences"),
]
SCREENSHOT_PAGES = [f"{lang}/{page}.html" for lang in LANGS for page in ("index", "lstm")]


def axe_script() -> Path:
    """axe-core as shipped inside the axe-playwright-python wheel (no network)."""
    import axe_playwright_python

    return Path(axe_playwright_python.__file__).with_name("axe.min.js")


def open_page(context, path: str):
    """Load ``path``; return the page and the list of problems seen while loading it."""
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: msg.type == "error" and problems.append(f"console error: {msg.text}"),
    )
    page.on("pageerror", lambda exc: problems.append(f"uncaught exception: {exc}"))
    page.on(
        "requestfailed",
        lambda req: problems.append(f"request failed: {req.url} ({req.failure})"),
    )

    def response(resp):
        STATS["requests"] += 1
        if resp.status >= 400:
            problems.append(f"HTTP {resp.status}: {resp.url}")

    page.on("response", response)
    page.goto(f"/{path}", wait_until="load")
    page.wait_for_load_state("networkidle")
    # MathJax typesets after load; wait until it has finished.
    page.evaluate(
        "async () => { if (window.MathJax && MathJax.startup && MathJax.startup.promise)"
        " await MathJax.startup.promise; }"
    )
    STATS["pages"] += 1
    return page, problems


TEXT_OUTSIDE_CODE = """() => {
  const main = document.querySelector('main') || document.body;
  const copy = main.cloneNode(true);
  copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight, textarea')
      .forEach(e => e.remove());
  return copy.textContent;
}"""

IMAGES = """() => Array.from(document.querySelectorAll('main img')).map(img => ({
  src: img.getAttribute('src'), alt: img.getAttribute('alt'),
  loaded: img.complete && img.naturalWidth > 0,
}))"""


@pytest.mark.parametrize("path", PAGES)
def test_page(context, base_url, path):
    lang = path.split("/")[0]
    page, problems = open_page(context, path)
    try:
        text = page.evaluate(TEXT_OUTSIDE_CODE)
        for m in RAW_TEX.finditer(text):
            problems.append(f"raw TeX left in the text: ...{text[max(0, m.start() - 40) : m.end() + 40]!r}...")
        for img in page.evaluate(IMAGES):
            page.locator(f'main img[src="{img["src"]}"]').first.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        for img in page.evaluate(IMAGES):
            if not img["loaded"]:
                problems.append(f"image does not load: {img['src']}")
            alt = (img["alt"] or "").strip()
            if not alt:
                problems.append(f"image without alt text: {img['src']}")
            elif lang == "zh_CN" and not CJK.search(alt):
                problems.append(f"alt text not in Chinese: {img['src']}: {alt!r}")
            elif lang == "en" and CJK.search(alt):
                problems.append(f"alt text not in English: {img['src']}: {alt!r}")
        problems += check_axe(page)
        problems += check_language_link(page, base_url, path)
    finally:
        page.close()
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


def check_axe(page) -> list[str]:
    page.add_script_tag(path=str(axe_script()))
    rules = {rule: {"enabled": False} for rule in AXE_DISABLED}
    result = page.evaluate(
        # preload: false -- axe would fetch the theme's @import-ed stylesheet again,
        # resolving "../basic.css" against the page instead of the stylesheet (a
        # 404 that no reader's browser makes); only css-orientation-lock needs it.
        "async (rules) => await axe.run(document,"
        " {resultTypes: ['violations'], rules, preload: false})",
        rules,
    )
    found = []
    for v in result["violations"]:
        STATS["axe"].setdefault(f"{v['id']} ({v['impact']})", set()).add(page.url)
        if v["impact"] == "critical":
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            found.append(f"axe {v['id']} (critical): {v['help']} at {targets}")
    return found


def check_language_link(page, base_url: str, path: str) -> list[str]:
    """Click the language link (from a section anchor when the page has one)."""
    if path.endswith(("search.html", "genindex.html")):
        return []
    lang, rel = path.split("/", 1)
    other = LANGS[1 - LANGS.index(lang)]
    anchor = page.evaluate(
        "() => { const s = document.querySelectorAll('main section[id]');"
        " return s.length > 1 ? s[1].id : ''; }"
    )
    if anchor:
        page.evaluate("(a) => { window.location.hash = a; }", anchor)
    link = page.locator("a.language-switch").first
    if link.count() == 0:
        return ["no language link"]
    with page.expect_navigation():
        link.click()
    expected = f"{base_url}/{other}/{rel}" + (f"#{anchor}" if anchor else "")
    found = []
    if page.url != expected:
        found.append(f"language link lands on {page.url}, expected {expected}")
    if anchor and page.locator(f'[id="{anchor}"]').count() == 0:
        found.append(f"the counterpart {other}/{rel} has no section #{anchor}")
    if page.title() == "" or "404" in page.title():
        found.append(f"the counterpart {other}/{rel} does not load")
    return found


@pytest.mark.parametrize(("lang", "term", "expected"), SEARCHES)
def test_search(context, lang, term, expected):
    page, problems = open_page(context, f"{lang}/search.html?q={term}")
    try:
        page.wait_for_function(
            "() => { const s = document.querySelector('#search-results .search-summary');"
            " return s && s.textContent.trim().length > 0; }",
            timeout=20_000,
        )
        hits = page.eval_on_selector_all(
            "#search-results ul.search li a", "els => els.map(a => a.getAttribute('href'))"
        )
    finally:
        page.close()
    pages = {h.split("?")[0].split("#")[0].removesuffix(".html") for h in hits}
    assert expected in pages, f"{lang}: searching {term!r} lists {sorted(pages)}"
    assert not problems, problems


@pytest.mark.parametrize("path", SCREENSHOT_PAGES)
def test_screenshot(context, path):
    page, problems = open_page(context, path)
    try:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        out = SCREENSHOTS / (path.replace("/", "-").removesuffix(".html") + ".png")
        page.screenshot(path=str(out), full_page=False)
    finally:
        page.close()
    assert out.stat().st_size > 0
    assert not problems, problems


def test_root_page(context):
    """The root page sends a reader on to one of the books."""
    page, problems = open_page(context, "index.html?stay")
    try:
        hrefs = page.eval_on_selector_all("a", "els => els.map(a => a.getAttribute('href'))")
    finally:
        page.close()
    assert {"en/index.html", "zh_CN/index.html"} <= set(hrefs)
    assert not problems, problems
    assert (HTML / "en" / "index.html").is_file()
