"""Every page's executed notebook of one language in one zip, with a README.

Run by ``nox -s docs`` once both languages are built:
``python docs/_shared/notebooks_zip.py docs/_build/html``. For each language it
writes ``<lang>/rnn_tutorial-<lang>-notebooks.zip`` beside the pages (the
download menu of every page and the root page link it), holding the folder
``rnn_tutorial-<lang>-notebooks/`` with the notebooks the pages offer one by
one (with the outputs the book shows) and a README in the language that says
how to install and run them. The files keep a fixed date, so the same
notebooks give the same zip.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

SHARED = Path(__file__).resolve().parent
DOCS = SHARED.parent
sys.path.insert(0, str(SHARED))

from check_editions import chapter_title, toctree_pages  # noqa: E402

README = {
    "en": """# {title}: the notebooks

Every page of the book as a Jupyter notebook, with the outputs the book shows
(version {version}). Each runs top to bottom in a fresh kernel.

## Install

You need Python 3.11 or newer. In a clone of the book's repository:

```bash
pip install ".[plot]" jieba jupyterlab
```

This installs the `rnn_tutorial` package (NumPy is its only requirement),
matplotlib for the figures, jieba for the word-level section of the
character-level model, and JupyterLab.

## Run

```bash
unzip {zipname}
jupyter lab {folder}/
```

Open a notebook and choose *Run > Run All Cells*.

Two notebooks read files of the book's repository and say so in their first
cell that does: the character-level language model trains on the book's own
pages, and the performance appendix reads the committed benchmark results.
Copy those two into `docs/en` of the clone and run them there.

## Contents

{contents}
""",
    "zh_CN": """# {title}：全部笔记本

本书每一页对应的 Jupyter 笔记本，含书中所示的输出（版本 {version}）。
每个笔记本都可以在新的内核中从头到尾运行。

## 安装

需要 Python 3.11 或更新版本。在本书代码仓库的克隆中运行：

```bash
pip install ".[plot]" jieba jupyterlab
```

这会安装 `rnn_tutorial` 包（唯一的依赖是 NumPy）、用于绘图的 matplotlib、
字符级语言模型一章中分词所用的 jieba，以及 JupyterLab。

## 运行

```bash
unzip {zipname}
jupyter lab {folder}/
```

打开一个笔记本，选择“Run > Run All Cells”（运行全部单元格）。

有两个笔记本要读取仓库中的文件，会在读取的单元格中说明：字符级语言模型以本书
自己的页面为训练语料，性能附录读取仓库中的基准测试结果。请把这两个笔记本复制到
克隆中的 `docs/zh_CN` 目录，在那里运行。

## 目录

{contents}
""",
}

TITLES = {"en": "Recurrent Neural Networks in NumPy", "zh_CN": "用 NumPy 实现循环神经网络"}
FIXED_DATE = (2026, 1, 1, 0, 0, 0)


def version() -> str:
    import re

    text = (DOCS.parent / "CITATION.cff").read_text(encoding="utf-8")
    return re.search(r"^version:\s*(\S+)", text, flags=re.MULTILINE).group(1)


def write_zip(html_dir: Path, lang: str) -> Path:
    sources = html_dir / lang / "_sources"
    folder = f"rnn_tutorial-{lang}-notebooks"
    target = html_dir / lang / f"{folder}.zip"
    pages = [p for p in toctree_pages(lang) if (sources / f"{p}.ipynb").is_file()]
    if not pages:
        raise SystemExit(f"no notebooks in {sources}: build the book first")
    contents = "\n".join(f"- `{p}.ipynb`: {chapter_title(lang, p)}" for p in pages)
    readme = README[lang].format(
        title=TITLES[lang],
        version=version(),
        zipname=target.name,
        folder=folder,
        contents=contents,
    )
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as z:
        files = {"README.md": readme.encode("utf-8")}
        files.update({f"{p}.ipynb": (sources / f"{p}.ipynb").read_bytes() for p in pages})
        for name, data in files.items():
            info = zipfile.ZipInfo(f"{folder}/{name}", FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return target


if __name__ == "__main__":
    html = Path(sys.argv[1])
    for lang in ("en", "zh_CN"):
        print(write_zip(html, lang))
