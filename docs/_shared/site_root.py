"""The files at the root of the published site, beside ``en/`` and ``zh_CN/``.

Run by ``nox -s docs`` once both languages are built:
``python docs/_shared/site_root.py docs/_build/html``. It writes

- ``index.html``: sends a reader to the book in their browser's language;
- ``404.html``: GitHub Pages shows it for any missing address, at any depth,
  so its links are absolute paths under the site's base URL;
- ``sitemap.xml`` and ``robots.txt``: every page of both languages, each with
  its counterpart as the alternate language version;
- ``.nojekyll``: GitHub Pages publishes ``_static`` and ``_sources`` as they are.

The base URL comes from ``RNN_TUTORIAL_BASEURL`` (the deploy workflow sets it
to the Pages address); by default it is the address of ``nox -s serve``.
Nothing here touches the network.
"""

from __future__ import annotations

import html
import os
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit

SHARED = Path(__file__).resolve().parent
LANGS = {"en": "en", "zh_CN": "zh-CN"}  # folder -> hreflang
DEFAULT_BASEURL = "http://127.0.0.1:8000/"
# Pages a search engine has no use for.
NOT_IN_SITEMAP = {"search.html", "genindex.html"}


def base_url() -> str:
    """The address the site is published at, ending in ``/``."""
    url = os.environ.get("RNN_TUTORIAL_BASEURL", "").strip() or DEFAULT_BASEURL
    return url if url.endswith("/") else url + "/"


def book_pages(html_dir: Path, lang: str) -> list[str]:
    """The HTML pages of one language, relative to its folder (``lstm.html``)."""
    folder = html_dir / lang
    return sorted(
        p.relative_to(folder).as_posix()
        for p in folder.rglob("*.html")
        if not p.relative_to(folder).parts[0].startswith("_")
    )


def sitemap(html_dir: Path, base: str) -> str:
    pages = {lang: set(book_pages(html_dir, lang)) for lang in LANGS}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
        ' xmlns:xhtml="http://www.w3.org/1999/xhtml">',
    ]
    for lang in LANGS:
        for page in sorted(pages[lang] - NOT_IN_SITEMAP):
            lines.append(f"  <url><loc>{html.escape(base + lang + '/' + page)}</loc>")
            for other, hreflang in LANGS.items():
                if page in pages[other]:
                    href = html.escape(base + other + "/" + page)
                    lines.append(
                        f'    <xhtml:link rel="alternate" hreflang="{hreflang}" href="{href}"/>'
                    )
            lines.append("  </url>")
    lines.append("</urlset>")
    return "\n".join(lines) + "\n"


def not_found_page(base: str) -> str:
    root = urlsplit(base).path  # "/" or "/<repository>/"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="{root}favicon.svg" type="image/svg+xml">
<title>Page not found · 页面不存在</title>
<style>
  body {{ font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", sans-serif;
         max-width: 36rem; margin: 4rem auto; padding: 0 1rem; line-height: 1.6; color: #222; }}
  a {{ font-size: 1.15rem; }}
</style>
</head>
<body>
<main>
<h1>Page not found</h1>
<p>There is no page at this address in <i>Recurrent Neural Networks in NumPy</i>.
<a href="{root}en/index.html" hreflang="en">Go to the contents</a>.</p>
<section lang="zh-CN">
<h2>页面不存在</h2>
<p>《用 NumPy 实现循环神经网络》中没有这个地址的页面。
<a href="{root}zh_CN/index.html" hreflang="zh-CN">返回目录</a>。</p>
</section>
</main>
</body>
</html>
"""


def write_root(html_dir: Path) -> None:
    base = base_url()
    shutil.copyfile(SHARED / "root_index.html", html_dir / "index.html")
    shutil.copyfile(SHARED / "static" / "favicon.svg", html_dir / "favicon.svg")
    (html_dir / "404.html").write_text(not_found_page(base), encoding="utf-8")
    (html_dir / "sitemap.xml").write_text(sitemap(html_dir, base), encoding="utf-8")
    (html_dir / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {base}sitemap.xml\n", encoding="utf-8"
    )
    (html_dir / ".nojekyll").touch()
    print(f"site_root: index.html, 404.html, sitemap.xml, robots.txt for {base}")


if __name__ == "__main__":
    write_root(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/_build/html"))
