r"""Synthetic scenes for image captioning: two coloured shapes, drawn and described.

A *scene* is two objects side by side, each a colour and a shape, written as
four integers ``(left colour, left shape, right colour, right shape)`` that
index :data:`COLOURS` and :data:`SHAPES`. :func:`draw_scenes` paints scenes as
small RGB images; :func:`describe` writes a caption for a scene with a small
grammar, in English or in Chinese, in one of :data:`PHRASINGS` ways (the left
object first or the right one, short or long), so that one image has several
right captions of different lengths; :func:`parse_caption` reads a caption
back into its scene, which is how a generated caption is scored.

:func:`scene_splits` draws the train, validation and test sets. The test set
holds out combinations never seen together in training: pairs of objects
that never stand side by side there (``kind == "pair"``) and two colour-shape
combinations that never appear at all (``kind == "object"``).
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ..validation import ArgumentTypeError, check_int, check_real, check_rng, check_tokens

__all__ = [
    "COLOURS",
    "HELD_OUT_OBJECTS",
    "LANGUAGES",
    "PHRASINGS",
    "SHAPES",
    "SceneSet",
    "caption_text",
    "caption_vocabulary",
    "caption_words",
    "describe",
    "draw_scenes",
    "encode_captions",
    "page_language",
    "parse_caption",
    "scene_splits",
]

COLOURS = ("red", "green", "blue", "yellow")
"""The colours, by index."""
SHAPES = ("circle", "square", "triangle")
"""The shapes, by index."""
LANGUAGES = ("en", "zh")
"""The caption languages: English and Chinese."""
PHRASINGS = 4
"""How many ways the grammar has to describe one scene."""
HELD_OUT_OBJECTS = ((0, 1), (2, 2))
"""(colour, shape) pairs absent from training: the red square and the blue triangle."""

_RGB = np.array([[0.9, 0.15, 0.1], [0.1, 0.75, 0.2], [0.15, 0.35, 0.95], [0.95, 0.85, 0.1]])
_SIZE, _OBJECT = 16, 7  # image and object side, in pixels

_WORDS = {
    "en": {"colour": COLOURS, "shape": SHAPES},
    "zh": {"colour": ("红色", "绿色", "蓝色", "黄色"), "shape": ("圆形", "正方形", "三角形")},
}
# one template per phrasing; "A" is the left object, "B" the right one
_TEMPLATES = {
    "en": (
        ("a", "A", "left", "of", "a", "B"),
        ("a", "B", "right", "of", "a", "A"),
        ("a", "A", "to", "the", "left", "of", "a", "B"),
        ("a", "A", "on", "the", "left", "and", "a", "B", "on", "the", "right"),
    ),
    "zh": (
        ("A", "在", "B", "的", "左边"),
        ("B", "在", "A", "的", "右边"),
        ("A", "位于", "B", "的", "左侧"),
        ("左边", "是", "A", "，", "右边", "是", "B"),
    ),
}
_SPECIALS = ("<pad>", "<start>", "<end>")


def _check_language(language) -> str:
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


def page_language(directory=None) -> str:
    """The caption language of a page run from ``directory``: ``"zh"`` in ``zh_CN``, else ``"en"``.

    The book's pages run from ``docs/en`` and ``docs/zh_CN``, so one code cell
    writes English captions on the English page and Chinese ones on the
    Chinese page. ``directory`` defaults to the working directory; nothing in
    it is read, only its name.

    Examples
    --------
    >>> page_language("docs/zh_CN"), page_language("docs/en"), page_language("/tmp")
    ('zh', 'en', 'en')
    """
    if directory is not None and not isinstance(directory, str | Path):
        raise ArgumentTypeError(f"directory must be a path or None, got {directory!r}")
    folder = Path.cwd() if directory is None else Path(directory)
    return "zh" if folder.name == "zh_CN" else "en"


def _object(colour: int, shape: int, language: str) -> tuple[str, ...]:
    colour_word, shape_word = _WORDS[language]["colour"][colour], _WORDS[language]["shape"][shape]
    return (colour_word, shape_word) if language == "en" else (colour_word, "的", shape_word)


def _check_words(name: str, words) -> list[str]:
    """A caption as a list of words (strings), not one string."""
    if isinstance(words, str) or not isinstance(words, list | tuple | np.ndarray):
        raise ArgumentTypeError(f"{name} must be a list of words, got {type(words).__name__}")
    if not all(isinstance(w, str) for w in words):
        raise ArgumentTypeError(f"{name} must hold strings, got {list(words)[:5]!r}")
    return [str(w) for w in words]


def _check_vocabulary(vocabulary) -> tuple[str, ...]:
    """A vocabulary from :func:`caption_vocabulary`: a sequence of distinct words."""
    if isinstance(vocabulary, str) or not isinstance(vocabulary, list | tuple):
        raise ArgumentTypeError(
            f"vocabulary must be a tuple of words (see caption_vocabulary), got "
            f"{type(vocabulary).__name__}"
        )
    return tuple(_check_words("vocabulary", vocabulary))


def _check_captions(captions) -> list[list[str]]:
    """At least one caption, each a list of words."""
    if isinstance(captions, str) or not isinstance(captions, list | tuple):
        raise ArgumentTypeError(f"captions must be a list of word lists, got {captions!r}")
    if not captions:
        raise ValueError("captions is empty: there is nothing to encode")
    return [_check_words(f"captions[{n}]", c) for n, c in enumerate(captions)]


def _check_scene(scene, name: str = "scene") -> tuple[int, int, int, int]:
    scene = tuple(int(v) for v in check_tokens(name, scene).ravel())
    limits = (len(COLOURS), len(SHAPES)) * 2
    if len(scene) != 4 or not all(0 <= v < n for v, n in zip(scene, limits, strict=True)):
        raise ValueError(
            f"{name} must be (left colour, left shape, right colour, right shape) with colours "
            f"in [0, {len(COLOURS)}) and shapes in [0, {len(SHAPES)}), got {scene}"
        )
    return scene


def describe(scene, phrasing: int, language: str) -> list[str]:
    """A caption of ``scene`` as a list of words, in the ``phrasing``-th way of the grammar.

    Parameters
    ----------
    scene : sequence of 4 int
        ``(left colour, left shape, right colour, right shape)``.
    phrasing : int
        In ``[0, PHRASINGS)``.
    language : {"en", "zh"}

    Examples
    --------
    >>> " ".join(describe((0, 0, 2, 1), 1, "en"))
    'a blue square right of a red circle'
    >>> "".join(describe((0, 0, 2, 1), 0, "zh"))
    '红色的圆形在蓝色的正方形的左边'
    """
    scene = _check_scene(scene)
    language = _check_language(language)
    check_int("phrasing", phrasing, low=0, high=PHRASINGS - 1)
    slots = {"A": _object(*scene[:2], language), "B": _object(*scene[2:], language)}
    words: list[str] = []
    for item in _TEMPLATES[language][phrasing]:
        words.extend(slots.get(item, (item,)))
    return words


def caption_text(words, language: str) -> str:
    """Words as text: separated by spaces in English, run together in Chinese.

    Examples
    --------
    >>> caption_text(["a", "red", "circle"], "en"), caption_text(["红色", "的", "圆形"], "zh")
    ('a red circle', '红色的圆形')
    """
    words = _check_words("words", words)
    return ("" if _check_language(language) == "zh" else " ").join(words)


def _match_object(words: list[str], language: str) -> tuple[tuple[int, int] | None, int]:
    """The (colour, shape) at the start of ``words`` and how many words it used."""
    names = _WORDS[language]
    needed = 2 if language == "en" else 3
    if len(words) < needed or (language == "zh" and words[1] != "的"):
        return None, 0
    colour, shape = words[0], words[needed - 1]
    if colour not in names["colour"] or shape not in names["shape"]:
        return None, 0
    return (names["colour"].index(colour), names["shape"].index(shape)), needed


def parse_caption(words, language: str) -> tuple[int, int, int, int] | None:
    """Read a caption back into its scene, or ``None`` if the grammar cannot produce it.

    Parameters
    ----------
    words : sequence of str
        The caption's words, without the start and end tokens.
    language : {"en", "zh"}

    Returns
    -------
    tuple of 4 int or None
        ``(left colour, left shape, right colour, right shape)``.

    Examples
    --------
    >>> parse_caption("a yellow triangle on the left and a red circle on the right".split(), "en")
    (3, 2, 0, 0)
    >>> parse_caption(["红色", "的", "圆形", "在", "蓝色", "的", "正方形", "的", "右边"], "zh")
    (2, 1, 0, 0)
    >>> parse_caption("a red circle left of".split(), "en") is None
    True
    """
    language = _check_language(language)
    words = _check_words("words", words)
    for template in _TEMPLATES[language]:
        found, position = {}, 0
        for item in template:
            if item in ("A", "B"):
                obj, used = _match_object(words[position:], language)
                if obj is None:
                    break
                found[item], position = obj, position + used
            elif position < len(words) and words[position] == item:
                position += 1
            else:
                break
        else:
            if position == len(words):
                return (*found["A"], *found["B"])
    return None


def _masks() -> np.ndarray:
    """(3, 7, 7) boolean masks of the circle, the square and the triangle."""
    i, j = np.mgrid[0:_OBJECT, 0:_OBJECT]
    c = (_OBJECT - 1) / 2
    circle = (i - c) ** 2 + (j - c) ** 2 <= (c + 0.5) ** 2
    square = np.ones((_OBJECT, _OBJECT), dtype=bool)
    triangle = np.abs(j - c) <= i / 2  # apex at the top
    return np.stack([circle, square, triangle])


def _check_scenes(scenes) -> np.ndarray:
    """Scenes as an (N, 4) int array, each a valid scene."""
    scenes = check_tokens("scenes", scenes, ndim=2)
    if scenes.shape[1] != 4:
        raise ValueError(f"scenes must be (N, 4), got shape {scenes.shape}")
    for n, scene in enumerate(scenes):
        _check_scene(scene, f"scenes[{n}]")
    return scenes


def draw_scenes(scenes, *, rng: np.random.Generator, noise: float = 0.05) -> np.ndarray:
    """Paint scenes as 16 x 16 RGB images, each object in its half at a random height.

    Parameters
    ----------
    scenes : array_like of int, shape (N, 4)
    rng : numpy.random.Generator
        Draws each object's position (any height, a column shift of 0 or 1
        within its half) and the pixel noise.
    noise : float, default 0.05
        Standard deviation of Gaussian noise added to every pixel, before
        clipping to [0, 1].

    Returns
    -------
    ndarray, shape (N, 16, 16, 3)
        Values in [0, 1]; the background is dark.

    Examples
    --------
    >>> images = draw_scenes([(0, 0, 2, 1)], rng=np.random.default_rng(0), noise=0.0)
    >>> images.shape, images[0, :, :8].max(axis=(0, 1)).tolist()  # the left half holds red
    ((1, 16, 16, 3), [0.9, 0.15, 0.1])
    """
    scenes = _check_scenes(scenes)
    rng, noise = check_rng("rng", rng), check_real("noise", noise, low=0)
    masks = _masks()
    N = len(scenes)
    images = np.zeros((N, _SIZE, _SIZE, 3))
    half = _SIZE // 2
    for n, scene in enumerate(scenes):
        for side in range(2):
            colour, shape = scene[2 * side], scene[2 * side + 1]
            top = rng.integers(0, _SIZE - _OBJECT + 1)
            left = side * half + rng.integers(0, half - _OBJECT + 1)
            patch = images[n, top : top + _OBJECT, left : left + _OBJECT]
            patch[masks[shape]] = _RGB[colour]
    if noise:
        images = np.clip(images + noise * rng.standard_normal(images.shape), 0.0, 1.0)
    return images


class SceneSet(NamedTuple):
    """One split: images, their scenes, the phrasing of each caption, and what is new in it."""

    images: np.ndarray
    """(N, 16, 16, 3)."""
    scenes: np.ndarray
    """(N, 4) int: left colour, left shape, right colour, right shape."""
    phrasings: np.ndarray
    """(N,) int, the phrasing of each image's training caption."""
    kinds: np.ndarray
    """(N,) str: ``"seen"`` (a combination seen in training), ``"pair"`` (two seen objects
    never side by side in training) or ``"object"`` (holds a held-out colour-shape pair)."""

    def captions(self, language: str) -> list[list[str]]:
        """Each image's caption, in its own phrasing."""
        return [
            describe(s, int(p), language) for s, p in zip(self.scenes, self.phrasings, strict=True)
        ]


def _all_scenes() -> np.ndarray:
    ranges = (range(len(COLOURS)), range(len(SHAPES))) * 2
    return np.array(list(itertools.product(*ranges)))


def scene_splits(
    n_train: int, n_validation: int, n_test: int, *, seed: int, held_out_pairs: float = 0.15
) -> dict[str, SceneSet]:
    """Train, validation and test sets of captioned scenes, the same for the same seed.

    Parameters
    ----------
    n_train, n_validation, n_test : int
        Images per split.
    seed : int
        Seeds everything: which pairs are held out, the scenes, the phrasings
        and the drawing.
    held_out_pairs : float, default 0.15
        The share of pairs of seen objects that never stand together in
        training or validation.

    Returns
    -------
    dict of SceneSet
        ``"train"`` and ``"validation"`` draw from the same scenes (kind
        ``"seen"``, different images). ``"test"`` holds only combinations
        absent from training, half of kind ``"pair"`` and half of kind
        ``"object"``.

    Examples
    --------
    >>> splits = scene_splits(50, 10, 10, seed=0)
    >>> splits["train"].images.shape, sorted(set(splits["test"].kinds.tolist()))
    ((50, 16, 16, 3), ['object', 'pair'])
    """
    for name, value in (("n_train", n_train), ("n_validation", n_validation), ("n_test", n_test)):
        check_int(name, value)
    check_int("seed", seed, low=0)
    check_real("held_out_pairs", held_out_pairs, low=0, high=1, open_low=True, open_high=True)
    rng = np.random.default_rng(seed)
    scenes = _all_scenes()
    held = np.array([(c, s) in HELD_OUT_OBJECTS for c, s in scenes[:, :2]]) | np.array(
        [(c, s) in HELD_OUT_OBJECTS for c, s in scenes[:, 2:]]
    )
    seen = np.flatnonzero(~held)
    pair_held = rng.choice(seen, size=round(held_out_pairs * len(seen)), replace=False)
    seen = np.setdiff1d(seen, pair_held)
    pools = {"seen": seen, "pair": pair_held, "object": np.flatnonzero(held)}

    def draw(n: int, plan: list[tuple[str, int]]) -> SceneSet:
        kinds = np.concatenate([np.full(k, kind) for kind, k in plan])
        chosen = np.concatenate([rng.choice(pools[kind], size=k) for kind, k in plan])
        picked = scenes[chosen]
        phrasings = rng.integers(0, PHRASINGS, size=n)
        return SceneSet(draw_scenes(picked, rng=rng), picked, phrasings, kinds)

    return {
        "train": draw(n_train, [("seen", n_train)]),
        "validation": draw(n_validation, [("seen", n_validation)]),
        "test": draw(n_test, [("pair", n_test // 2), ("object", n_test - n_test // 2)]),
    }


def caption_vocabulary(language: str) -> tuple[str, ...]:
    """Every word the grammar uses in ``language``, after ``<pad>``, ``<start>`` and ``<end>``.

    The index of a word is its token id, so ``<pad>`` is 0, ``<start>`` 1 and ``<end>`` 2.

    Examples
    --------
    >>> vocab = caption_vocabulary("en")
    >>> vocab[:4], len(vocab)
    (('<pad>', '<start>', '<end>', 'a'), 18)
    """
    language = _check_language(language)
    words: list[str] = []
    for template in _TEMPLATES[language]:
        words.extend(w for w in template if w not in ("A", "B"))
    words.extend(_WORDS[language]["colour"] + _WORDS[language]["shape"])
    if language == "zh":
        words.append("的")
    return _SPECIALS + tuple(dict.fromkeys(words))


def caption_words(tokens, vocabulary) -> list[str]:
    """The words of a written caption: the ids up to its first ``<end>``, without specials.

    Examples
    --------
    >>> caption_words([3, 11, 15, 2, 0, 0], caption_vocabulary("en"))
    ['a', 'red', 'circle']
    """
    vocabulary = _check_vocabulary(vocabulary)
    words = []
    for token in check_tokens("tokens", tokens, len(vocabulary), ndim=1):
        if token == 2:
            break
        if token >= len(_SPECIALS):
            words.append(vocabulary[token])
    return words


def encode_captions(captions, vocabulary) -> tuple[np.ndarray, np.ndarray]:
    """Captions as padded token ids: the decoder's inputs and its targets.

    Parameters
    ----------
    captions : list of list of str
    vocabulary : sequence of str
        From :func:`caption_vocabulary`.

    Returns
    -------
    inputs : ndarray of int, shape (N, T)
        ``<start>`` then the words, padded with ``<pad>`` (id 0).
    targets : ndarray of int, shape (N, T)
        The words then ``<end>``, padded with ``<pad>``; ``T`` is the longest
        caption's length plus one.

    Examples
    --------
    >>> vocab = caption_vocabulary("en")
    >>> inputs, targets = encode_captions([["a", "red", "circle"], ["a"]], vocab)
    >>> inputs.tolist(), targets.tolist()
    ([[1, 3, 11, 15], [1, 3, 0, 0]], [[3, 11, 15, 2], [3, 2, 0, 0]])
    """
    captions, vocabulary = _check_captions(captions), _check_vocabulary(vocabulary)
    index = {w: i for i, w in enumerate(vocabulary)}
    unknown = sorted({w for c in captions for w in c if w not in index})
    if unknown:
        raise ValueError(f"captions hold words not in the vocabulary: {unknown}")
    T = max(len(c) for c in captions) + 1
    inputs = np.zeros((len(captions), T), dtype=np.intp)
    targets = np.zeros((len(captions), T), dtype=np.intp)
    for n, caption in enumerate(captions):
        ids = [index[w] for w in caption]
        inputs[n, : len(ids) + 1] = [1, *ids]
        targets[n, : len(ids) + 1] = [*ids, 2]
    return inputs, targets
