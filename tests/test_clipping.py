"""Gradient clipping: element-wise bounds, and global-norm rescaling that keeps the direction.

Expected values are hand calculations or properties computed here from the
concatenated gradient vector, never from the functions under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from helpers import arg, message_with
from rnn_tutorial import clip_elementwise, clip_global_norm, global_norm


def _flat(grads):
    """All the gradients as one vector, in key order: the vector whose norm is clipped."""
    return np.concatenate([np.ravel(grads[k]) for k in sorted(grads)])


@pytest.fixture
def grads(rng):
    # Entries of size about 10: many beyond the bound 5, many inside it.
    return {
        "W_xh": rng.normal(scale=10, size=(4, 6)),
        "W_hh": rng.normal(scale=10, size=(6, 6)),
        "b_h": rng.normal(scale=10, size=6),
    }


# --------------------------------------------------------------------------- element-wise


def test_elementwise_hand_values():
    clipped = clip_elementwise({"g": np.array([-7.0, -5.0, 0.5, 5.0, 12.0])}, limit=5.0)
    assert clipped["g"].tolist() == [-5.0, -5.0, 0.5, 5.0, 5.0]


def test_elementwise_bounds_hold_and_inside_entries_are_untouched(grads):
    limit = 5.0
    clipped = clip_elementwise(grads, limit)
    assert set(clipped) == set(grads)
    for key, g in grads.items():
        c = clipped[key]
        assert np.all(np.abs(c) <= limit), key
        inside = np.abs(g) <= limit
        assert np.array_equal(c[inside], g[inside]), key
        # Outside entries land on the bound with their own sign.
        assert np.array_equal(c[~inside], limit * np.sign(g[~inside])), key
        assert np.any(~inside) and np.any(inside), "the fixture must exercise both cases"


def test_elementwise_does_not_modify_its_input(grads):
    before = {k: v.copy() for k, v in grads.items()}
    clipped = clip_elementwise(grads, 1.0)
    for key in grads:
        assert np.array_equal(grads[key], before[key])
        assert clipped[key] is not grads[key]


def test_elementwise_changes_the_direction_global_norm_does_not():
    # g = (10, 1): clipped element-wise to (5, 1), cos = 51 / (sqrt(101) sqrt(26)) < 1;
    # rescaled to norm 5 it is (10, 1) * 5 / sqrt(101), cos = 1.
    g = {"g": np.array([10.0, 1.0])}
    e = clip_elementwise(g, 5.0)["g"]
    r, _ = clip_global_norm(g, 5.0)
    assert math.isclose(
        np.dot(e, g["g"]) / (np.linalg.norm(e) * math.sqrt(101)),
        51 / (math.sqrt(101) * math.sqrt(26)),
        rel_tol=1e-12,
    )
    assert np.allclose(r["g"], np.array([10.0, 1.0]) * 5 / math.sqrt(101), rtol=1e-14, atol=0)


def test_elementwise_keeps_float32():
    clipped = clip_elementwise({"g": np.array([9.0, -0.25], dtype=np.float32)}, 1.0)
    assert clipped["g"].dtype == np.float32


# --------------------------------------------------------------------------- global norm


def test_global_norm_hand_value():
    # sqrt(3^2 + 4^2 + 12^2) = 13, with the entries split over three arrays
    grads = {"a": np.array([[3.0]]), "b": np.array([4.0]), "c": np.array([0.0, -12.0])}
    assert global_norm(grads) == 13.0


def test_global_norm_is_the_norm_of_the_concatenated_vector(grads):
    assert math.isclose(global_norm(grads), np.linalg.norm(_flat(grads)), rel_tol=1e-14)


def test_global_norm_clipping_preserves_direction_and_caps_the_norm(grads):
    original = np.linalg.norm(_flat(grads))
    max_norm = original / 7  # well below the norm: clipping must act
    clipped, norm = clip_global_norm(grads, max_norm)
    assert math.isclose(norm, original, rel_tol=1e-14)  # the norm before clipping
    a, b = _flat(grads), _flat(clipped)
    cosine = np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b))
    assert math.isclose(cosine, 1.0, rel_tol=0, abs_tol=1e-12)
    assert math.isclose(np.linalg.norm(b), max_norm, rel_tol=1e-12)
    # Every array by the same factor max_norm / norm, derived from the definition.
    for key in grads:
        assert np.allclose(clipped[key], grads[key] * (max_norm / original), rtol=1e-14, atol=0)


@pytest.mark.parametrize("factor", [1.0, 1.5, 100.0])
def test_global_norm_clipping_below_or_at_the_cap_is_the_identity(grads, factor):
    cap = np.linalg.norm(_flat(grads)) * factor
    clipped, norm = clip_global_norm(grads, cap)
    for key in grads:
        assert np.array_equal(clipped[key], grads[key])
        assert clipped[key] is not grads[key]  # copies: the caller may modify them
    assert math.isclose(norm, np.linalg.norm(_flat(grads)), rel_tol=1e-14)


def test_global_norm_clipping_does_not_modify_its_input(grads):
    before = {k: v.copy() for k, v in grads.items()}
    clip_global_norm(grads, 1e-3)
    for key in grads:
        assert np.array_equal(grads[key], before[key])


def test_global_norm_clipping_keeps_float32():
    g = {"g": np.array([30.0, 40.0], dtype=np.float32)}
    clipped, norm = clip_global_norm(g, 5.0)
    assert clipped["g"].dtype == np.float32
    assert norm == 50.0
    assert np.allclose(clipped["g"], [3.0, 4.0], rtol=1e-6)


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [0, -1.0, np.nan, np.inf, "5", None, True])
def test_bad_limits_are_rejected(bad):
    g = {"g": np.ones(2)}
    with pytest.raises(ValueError, match=message_with(arg("limit"))):
        clip_elementwise(g, bad)
    with pytest.raises(ValueError, match=message_with(arg("max_norm"))):
        clip_global_norm(g, bad)


def test_non_finite_gradients_cannot_be_rescaled():
    with pytest.raises(ValueError, match=message_with("NaN")):
        clip_global_norm({"g": np.array([1.0, np.nan])}, 1.0)


def test_grads_must_be_a_dict_of_real_arrays():
    with pytest.raises(ValueError, match=message_with(arg("grads"), "dict")):
        global_norm([np.ones(2)])
    with pytest.raises(ValueError, match=message_with('grads["g"]', "dtype")):
        clip_elementwise({"g": np.array(["a", "b"])})
