"""The built book as a reader meets it: every page of both languages in headless Chromium.

Run by ``nox -s site`` after ``nox -s docs``; never collected by ``nox -s tests``.
"""

from __future__ import annotations

import json
import re
import time
import xml.etree.ElementTree as ET
from contextlib import contextmanager
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
    ("zh_CN", "梯度裁剪", "truncated_bptt"),
    ("zh_CN", "重置门", "gru"),
    ("en", "forget gate", "lstm"),
    ("en", "recurrent", "sequences"),
    ("en", "gradient clipping", "truncated_bptt"),
    ("en", "reset gate", "gru"),
    ("zh_CN", "丢弃法", "glossary"),  # another name the glossary gives for 暂退法
]
SCREENSHOT_PAGES = [f"{lang}/{page}.html" for lang in LANGS for page in ("index", "lstm")]
PHONE = {"width": 390, "height": 844}  # a phone held upright


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


# Words of the interface (tooltips, button and menu labels, the search box)
# that carry Latin words and no Chinese. The language link names the other
# language on purpose; a citation's tooltip is the reference as published.
INTERFACE_WORDS = """() => {
  const hasLatinWord = (t) => /[A-Za-z]{3,}/.test(t) && !/[\\u4e00-\\u9fff]/.test(t);
  const found = new Set();
  const skip = (el) => el.closest('.language-switch, mjx-container, pre, code, .highlight,'
      + ' .dropdown-download-buttons')
    || (el.matches('a[title]') && el.closest('.cite, span[id^="id"], a.reference'));
  for (const el of document.querySelectorAll('[title], [aria-label], [placeholder]')) {
    if (skip(el)) continue;
    for (const attr of ['title', 'aria-label', 'placeholder']) {
      const v = el.getAttribute(attr);
      if (v && hasLatinWord(v)) found.add(`${el.tagName.toLowerCase()}[${attr}]: ${v}`);
    }
  }
  const labels = '.theme-switch-container, .dropdown-menu, button, summary, .toggle-button,'
    + ' .dropdown .summary-title, details > summary, .search-button__default-text';
  for (const el of document.querySelectorAll(labels)) {
    if (skip(el)) continue;
    const v = (el.innerText || el.textContent || '').trim();
    if (v && hasLatinWord(v) && !/^(Ctrl|⌘)/.test(v)) {
      found.add(`${el.tagName.toLowerCase()}: ${v}`);
    }
  }
  return Array.from(found);
}"""


# The book's images load eagerly; a lazy one (should a theme add it) gets its chance here.
IMAGES_SETTLED = """async () => Promise.all(Array.from(document.querySelectorAll('main img'))
  .map(img => { img.loading = 'eager'; return img.complete ? null : new Promise(done => {
    img.addEventListener('load', done, {once: true});
    img.addEventListener('error', done, {once: true}); }); }))"""


@contextmanager
def timed(phase: str):
    """Add the time spent in ``phase`` to the figures printed at the end."""
    start = time.monotonic()
    try:
        yield
    finally:
        STATS["seconds"][phase] = STATS["seconds"].get(phase, 0.0) + time.monotonic() - start


@pytest.mark.parametrize("path", PAGES)
def test_page(context, base_url, path):
    lang = path.split("/")[0]
    with timed("load"):
        page, problems = open_page(context, path)
    try:
        text = page.evaluate(TEXT_OUTSIDE_CODE)
        for m in RAW_TEX.finditer(text):
            around = text[max(0, m.start() - 40) : m.end() + 40]
            problems.append(f"raw TeX left in the text: ...{around!r}...")
        for error in page.eval_on_selector_all("mjx-merror", "els => els.map(e => e.textContent)"):
            problems.append(f"MathJax could not typeset a formula: {error!r}")
        page.evaluate(IMAGES_SETTLED)
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
        if not page.evaluate("() => !!document.querySelector('link[rel~=\"icon\"]')"):
            problems.append("no favicon declared (the browser asks for /favicon.ico)")
        if lang == "zh_CN":
            for words in page.evaluate(INTERFACE_WORDS):
                problems.append(f"interface text in English: {words!r}")
        with timed("downloads"):
            problems += check_downloads(page, path)
        with timed("axe"):
            problems += check_axe(page)
        with timed("language link"):
            problems += check_language_link(page, base_url, path)
    finally:
        page.close()
    STATS["checked"].add(path)
    assert not problems, f"{path}:\n  " + "\n  ".join(problems)


DOWNLOADS = """() => Array.from(
  document.querySelectorAll('.dropdown-download-buttons a[href]')).map(a => a.href)"""


def check_downloads(page, path: str) -> list[str]:
    """The download menu offers the page as .md and as an executed .ipynb, both served."""
    if path.endswith(("search.html", "genindex.html")) or "/prf-" in path:
        return []  # generated pages: no source to download
    links = page.evaluate(DOWNLOADS)
    found = []
    for suffix in (".ipynb", ".md"):
        urls = [u for u in links if u.endswith(suffix)]
        if not urls:
            found.append(f"no {suffix} download (menu offers {links})")
            continue
        response = page.request.get(urls[0])
        STATS["requests"] += 1
        if not response.ok:
            found.append(f"{suffix} download: HTTP {response.status} for {urls[0]}")
        elif suffix == ".ipynb":
            nb = json.loads(response.body())
            code = [c for c in nb["cells"] if c["cell_type"] == "code"]
            if nb["nbformat"] != 4 or nb["metadata"]["kernelspec"]["name"] != "python3":
                found.append(f"{urls[0]} is not a python3 notebook (nbformat 4)")
            elif any(c["execution_count"] is None for c in code if "".join(c["source"]).strip()):
                found.append(f"{urls[0]} is not the executed notebook")
        elif not response.text().startswith("---\njupytext:"):
            found.append(f"{urls[0]} is not the page's MyST source")
    # the whole book of the page's language: PDF, ePub, every notebook in a zip
    lang = path.split("/")[0]
    for name in (
        f"rnn_tutorial-{lang}.pdf",
        f"rnn_tutorial-{lang}.epub",
        f"rnn_tutorial-{lang}-notebooks.zip",
    ):
        urls = [u for u in links if u.endswith(f"/{lang}/{name}")]
        if not urls:
            found.append(f"no {name} in the download menu")
        elif name.endswith(".zip"):  # PDF and ePub: nox -s pdf / epub, checked there
            response = page.request.head(urls[0])
            STATS["requests"] += 1
            if not response.ok:
                found.append(f"{name}: HTTP {response.status}")
    return found


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
    with page.expect_navigation(wait_until="domcontentloaded"):
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
        # the snippets are fetched page by page after the list appears
        page.wait_for_function(
            "() => document.querySelectorAll('#search-results p.context').length > 0",
            timeout=20_000,
        )
        page.wait_for_load_state("networkidle")
        snippets = page.eval_on_selector_all(
            "#search-results p.context", "els => els.map(p => p.textContent)"
        )
        chrome = page.evaluate(THEME_MENU_WORDS)
    finally:
        page.close()
    pages = {h.split("?")[0].split("#")[0].removesuffix(".html") for h in hits}
    assert expected in pages, f"{lang}: searching {term!r} lists {sorted(pages)}"
    assert not problems, problems
    for snippet in snippets:
        assert not RAW_TEX.search(snippet), f"raw TeX in a search snippet: {snippet!r}"
        assert not any(w in snippet for w in chrome), f"theme menu in a snippet: {snippet!r}"


# The colour-mode menu's words ("System Settings Light Dark"), which a snippet
# taken from the whole <main> element used to begin with.
THEME_MENU_WORDS = """() => Array.from(
  document.querySelectorAll('.theme-switch-container .dropdown-item'))
  .map(b => b.textContent.trim()).filter(t => t.length > 1)"""


# Content that a reader on a phone cannot see. A box may scroll sideways when
# its content is wider than the room it has (a long equation, a 99-character
# line of code), but not (1) run off the screen without a scroll box of its
# own, (2) clip content that would fit if something beside it did not take
# its room, or
# (3) scroll beside its equation number, which then reads as the equation's
# end: "+ b" under "(8.1)".
HIDDEN_ON_PHONE = """() => {
  const width = document.documentElement.clientWidth;
  const article = document.querySelector('article.bd-article') || document.body;
  const pad = getComputedStyle(article);
  const column = article.clientWidth - parseFloat(pad.paddingLeft) - parseFloat(pad.paddingRight);
  const found = [];
  const name = (el) => {
    const box = el.closest('[id]');
    return `${el.tagName.toLowerCase()}${box ? ' in #' + box.id : ''}`;
  };
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const scrollBox = (el) => {
    for (let a = el; a && a !== article; a = a.parentElement) if (scrolls(a)) return a;
    return null;
  };
  const boxes = document.querySelectorAll(
    'main mjx-container[display="true"], main div.highlight pre, main table,'
    + ' main figure img, main .cell_output img, main .cell_output pre');
  for (const el of boxes) {
    if (!el.offsetParent) continue;  // inside a closed toggle
    const box = scrollBox(el);
    const edge = (box || el).getBoundingClientRect().right;
    if (edge > width + 1) {
      found.push(`${name(el)} reaches ${Math.round(edge)} px on a ${width} px screen`);
      continue;
    }
    const clip = box || (['hidden', 'clip'].includes(getComputedStyle(el).overflowX) ? el : null);
    if (clip && clip.scrollWidth > clip.clientWidth + 1) {
      // the width the box could have had: its parent's, unless something sits beside it
      const parent = clip.parentElement;
      const ps = getComputedStyle(parent);
      const room = Math.min(column,
        parent.clientWidth - parseFloat(ps.paddingLeft) - parseFloat(ps.paddingRight));
      if (clip.scrollWidth <= room + 1 && room > clip.getBoundingClientRect().width + 1) {
        found.push(`${name(el)} hides ${clip.scrollWidth - clip.clientWidth} px of content`
          + ` that would fit its ${Math.round(room)} px but for what sits beside it`);
      }
    }
  }
  for (const eqno of document.querySelectorAll('main div.math > span.eqno')) {
    const maths = eqno.parentElement.querySelector('mjx-container');
    if (!maths) continue;
    const a = eqno.getBoundingClientRect();
    const b = maths.getBoundingClientRect();
    const beside = a.top < b.bottom - 1 && b.top < a.bottom - 1;
    const overlap = beside && a.left < b.right - 1 && b.left < a.right - 1;
    const label = eqno.textContent.replace('#', '').trim();
    if (overlap) found.push(`equation number ${label} covers its equation`);
    else if (beside && maths.scrollWidth > maths.clientWidth + 1) {
      found.push(`equation ${label} scrolls beside its number, which hides its end`);
    }
  }
  return found;
}"""


@pytest.mark.parametrize("path", PAGES)
def test_phone(browser, base_url, path):
    """At 390 px no equation, figure, table or code block hides part of its content."""
    context = browser.new_context(
        viewport=PHONE, base_url=base_url, is_mobile=True, has_touch=True
    )
    context.route(
        "**/*",
        lambda route: (
            route.continue_() if route.request.url.startswith(base_url) else route.abort()
        ),
    )
    try:
        with timed("phone"):
            page, _ = open_page(context, path)
            hidden = page.evaluate(HIDDEN_ON_PHONE)
            if path.endswith("/lstm.html"):
                SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                out = SCREENSHOTS / (path.replace("/", "-").removesuffix(".html") + "-phone.png")
                page.screenshot(path=str(out), full_page=False)
            page.close()
    finally:
        context.close()
    assert not hidden, f"{path} at {PHONE['width']} px:\n  " + "\n  ".join(hidden)


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


def test_not_found_page(context, base_url):
    """A missing address shows the 404 page (as GitHub Pages does); its links lead home."""
    for lang in LANGS:
        page, problems = open_page(context, f"{lang}/no-such-chapter.html")
        try:
            assert "404" in page.title() or "not found" in page.title().lower()
            link = page.locator(f'a[href$="{lang}/index.html"]').first
            with page.expect_navigation():
                link.click()
            assert page.url == f"{base_url}/{lang}/index.html"
        finally:
            page.close()
        # the one request that fails here is the missing page itself
        expected = {
            f"HTTP 404: {base_url}/{lang}/no-such-chapter.html",
            "console error: Failed to load resource: the server responded with a status"
            " of 404 (Not Found)",
        }
        assert [p for p in problems if p not in expected] == []


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def test_sitemap_lists_every_page_with_its_counterpart():
    urls = ET.parse(HTML / "sitemap.xml").getroot().findall(f"{SITEMAP}url")
    listed = {}
    for url in urls:
        loc = url.find(f"{SITEMAP}loc").text
        alternates = {a.get("hreflang"): a.get("href") for a in url.findall(f"{XHTML}link")}
        listed[loc] = alternates
    base = next(iter(listed)).rsplit("/en/", 1)[0] + "/"
    expected = {f"{base}{p}" for p in PAGES if not p.endswith(("/search.html", "/genindex.html"))}
    assert set(listed) == expected
    for loc, alternates in listed.items():
        rel = loc.removeprefix(base).split("/", 1)[1]
        assert alternates == {"en": f"{base}en/{rel}", "zh-CN": f"{base}zh_CN/{rel}"}, loc
    robots = (HTML / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {base}sitemap.xml" in robots
