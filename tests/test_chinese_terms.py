"""One term per idea in the Chinese edition, and a glossary in pinyin order.

The Chinese pages are read as a whole book: a reader who meets 练习 in one
chapter and 习题 in the next wonders whether they are different things. Each
pair below is a variant the pages once used and the term the book settled on;
the check runs over every Chinese page, so a new chapter is covered at once.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ZH = ROOT / "docs" / "zh_CN"
sys.path.insert(0, str(ROOT / "docs" / "_shared"))

import glossary_terms  # noqa: E402

# variant (regular expression) -> the book's term
VARIANTS = {
    r"习题": "练习 (the exercises at the end of a chapter)",
    r"(?<!代码)单元格": "代码单元格 (a notebook cell; 单元 is the RNN cell)",
    r"代码单元(?!格)": "代码单元格 (a notebook cell; 单元 is the RNN cell)",
    r"程序包": "包 (the book's Python package)",
    r"爆炸梯度": "梯度爆炸 (the phenomenon) or 爆炸的梯度 (one such gradient)",
    r"叫做": "叫作",
    r"编码器\s*[–—]\s*解码器": "编码器-解码器 (a hyphen, as in the glossary)",
    r"例子\s*\d": "例 2.1 (a worked example's number)",
}
PAGES = sorted(ZH.glob("*.md"))


def prose(page: Path) -> str:
    """The page without its front matter (the translation stamp is hex)."""
    text = page.read_text(encoding="utf-8")
    return text.split("\n---\n", 1)[1] if text.startswith("---\n") else text


@pytest.mark.parametrize("page", PAGES, ids=[p.stem for p in PAGES])
def test_one_term_per_idea(page):
    text = prose(page)
    found = []
    for variant, term in VARIANTS.items():
        for m in re.finditer(variant, text):
            line = text.count("\n", 0, m.start()) + 1
            found.append(f"line {line}: {m.group(0)!r} -> {term}")
    assert not found, f"{page.name}:\n  " + "\n  ".join(found)


def test_variants_are_caught():
    """Each pattern matches the variant it names and not the term that replaces it."""
    samples = {
        "本章的习题": True,
        "本章的练习": False,
        "下面的单元格": True,
        "下面的代码单元": True,
        "下面的代码单元格": False,
        "门控循环单元": False,
        "程序包中的": True,
        "包中的": False,
        "这个爆炸梯度": True,
        "梯度爆炸": False,
        "编码器–解码器": True,
        "编码器-解码器": False,
    }
    for text, is_variant in samples.items():
        assert any(re.search(v, text) for v in VARIANTS) == is_variant, text


# Readings for the first characters of terms that pypinyin, reading the
# character alone, would give wrongly: 长短期 is cháng, 重置 is chóng.
READINGS = {"长": "chang2", "重": "chong2"}


def pinyin_key(term: str) -> list[str]:
    """Syllable by syllable, letters then tone (编 biān before 变 biàn), as a dictionary sorts."""
    from pypinyin import Style, lazy_pinyin

    syllables = lazy_pinyin(term, style=Style.TONE3, neutral_tone_with_five=True)
    if term and term[0] in READINGS:
        syllables[0] = READINGS[term[0]]
    # a Latin term (Adam, softmax 函数) sorts by its letters among the syllables
    return [s.lower() for s in syllables]


def test_glossary_entries_are_in_pinyin_order():
    page = ZH / "glossary.md"
    entries = glossary_terms.entries(page)  # the first term of each entry
    keys = [pinyin_key(term) for term in entries]
    out_of_order = [
        f"{entries[i + 1]} comes after {entries[i]}"
        for i in range(len(keys) - 1)
        if keys[i + 1] < keys[i]
    ]
    assert not out_of_order, out_of_order


def test_quick_reference_table_follows_the_entries():
    page = ZH / "glossary.md"
    text = page.read_text(encoding="utf-8")
    table = text.split("| --- | --- |", 1)[1].split("\n\n", 1)[0]
    rows = re.findall(r"^\| \{term\}`([^`]+)`", table, re.MULTILINE)
    assert rows == glossary_terms.entries(page)
