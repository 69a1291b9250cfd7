"""The captioning scenes: deterministic, captions that parse back, held-out combinations."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_tutorial import (
    COLOURS,
    HELD_OUT_OBJECTS,
    PHRASINGS,
    SHAPES,
    caption_text,
    caption_vocabulary,
    describe,
    draw_scenes,
    encode_captions,
    page_language,
    parse_caption,
    scene_splits,
)


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (scene_splits(40, 8, 8, seed=s) for s in (5, 5, 6))
    for name in a:
        for field in ("images", "scenes", "phrasings", "kinds"):
            np.testing.assert_array_equal(getattr(a[name], field), getattr(b[name], field))
    assert not np.array_equal(a["train"].images, c["train"].images)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_caption_parses_back_to_its_scene(language):
    scenes = np.array(np.meshgrid(range(4), range(3), range(4), range(3))).reshape(4, -1).T
    lengths = set()
    for scene in scenes:
        for phrasing in range(PHRASINGS):
            words = describe(scene, phrasing, language)
            lengths.add(len(words))
            assert parse_caption(words, language) == tuple(scene)
    assert len(lengths) >= 2  # captions differ in length


def test_hand_written_captions():
    # read by a person, not produced by describe
    assert parse_caption("a green square right of a yellow circle".split(), "en") == (3, 0, 1, 1)
    assert parse_caption("a blue triangle to the left of a red square".split(), "en") == (
        2,
        2,
        0,
        1,
    )
    zh = ["左边", "是", "黄色", "的", "三角形", "，", "右边", "是", "绿色", "的", "圆形"]
    assert parse_caption(zh, "zh") == (3, 2, 1, 0)
    assert caption_text(describe((0, 0, 2, 1), 3, "en"), "en") == (
        "a red circle on the left and a blue square on the right"
    )
    assert caption_text(describe((0, 0, 2, 1), 1, "zh"), "zh") == "蓝色的正方形在红色的圆形的右边"


@pytest.mark.parametrize(
    "words",
    [
        "a red circle left of".split(),
        "a red circle left of a blue square square".split(),
        "a red red left of a blue square".split(),
        "a red circle right of a blue square on the right".split(),
        [],
    ],
)
def test_broken_captions_do_not_parse(words):
    assert parse_caption(words, "en") is None


def test_images_show_the_colours_on_their_sides():
    images = draw_scenes([(0, 1, 2, 0), (3, 2, 1, 1)], rng=np.random.default_rng(0), noise=0.0)
    red, blue, yellow, green = (
        [0.9, 0.15, 0.1],
        [0.15, 0.35, 0.95],
        [0.95, 0.85, 0.1],
        [0.1, 0.75, 0.2],
    )
    for image, left, right in ((images[0], red, blue), (images[1], yellow, green)):
        for half, colour in ((image[:, :8], left), (image[:, 8:], right)):
            pixels = half.reshape(-1, 3)
            lit = pixels[pixels.max(axis=1) > 0]
            np.testing.assert_allclose(lit, np.tile(colour, (len(lit), 1)))
            assert 15 <= len(lit) <= 49  # one 7 x 7 object


def test_square_fills_more_than_circle_more_than_triangle():
    images = draw_scenes([(0, 1, 0, 0), (0, 2, 0, 2)], rng=np.random.default_rng(1), noise=0.0)
    area = (images.max(axis=3) > 0).reshape(2, 16, 2, 8).sum(axis=(1, 3))
    assert area[0, 0] > area[0, 1] > area[1, 0] == area[1, 1]


def test_test_split_holds_out_what_it_says():
    splits = scene_splits(600, 50, 100, seed=0)
    train = {tuple(s) for s in splits["train"].scenes}
    train_objects = {tuple(s[:2]) for s in splits["train"].scenes} | {
        tuple(s[2:]) for s in splits["train"].scenes
    }
    assert not train_objects & set(HELD_OUT_OBJECTS)
    assert len(train_objects) == len(COLOURS) * len(SHAPES) - len(HELD_OUT_OBJECTS)
    test = splits["test"]
    for scene, kind in zip(test.scenes, test.kinds, strict=True):
        assert tuple(scene) not in train
        objects = {tuple(scene[:2]), tuple(scene[2:])}
        if kind == "object":
            assert objects & set(HELD_OUT_OBJECTS)
        else:
            assert kind == "pair" and objects <= train_objects
    assert set(test.kinds.tolist()) == {"pair", "object"}
    assert set(splits["validation"].kinds.tolist()) == {"seen"}


def test_vocabulary_and_encoding():
    for language in ("en", "zh"):
        vocab = caption_vocabulary(language)
        assert vocab[:3] == ("<pad>", "<start>", "<end>") and len(set(vocab)) == len(vocab)
    vocab = caption_vocabulary("en")
    inputs, targets = encode_captions([["a", "red"], ["a", "red", "circle", "left"]], vocab)
    a, red, circle, left = (vocab.index(w) for w in ("a", "red", "circle", "left"))
    assert inputs.tolist() == [[1, a, red, 0, 0], [1, a, red, circle, left]]
    assert targets.tolist() == [[a, red, 2, 0, 0], [a, red, circle, left, 2]]
    with pytest.raises(ValueError, match="not in the vocabulary"):
        encode_captions([["a", "purple"]], vocab)


def test_page_language_follows_the_folder():
    assert page_language("/x/docs/zh_CN") == "zh"
    assert page_language("/x/docs/en") == "en"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: describe((0, 5, 0, 0), 0, "en"), ["scene", "shapes"]),
        (lambda: describe((0, 0, 0, 0), 4, "en"), ["phrasing", "4"]),
        (lambda: describe((0, 0, 0, 0), 0, "fr"), ["language", "'fr'"]),
        (lambda: draw_scenes([[0, 0]], rng=np.random.default_rng(0)), ["scenes", "(N, 4)"]),
        (lambda: draw_scenes([[0, 0, 0, 0]], rng=0), ["rng", "Generator"]),
        (lambda: scene_splits(0, 1, 1, seed=0), ["n_train", "0"]),
    ],
)
def test_bad_input_is_named(call, words):
    with pytest.raises(ValueError) as info:
        call()
    for word in words:
        assert word in str(info.value)
