"""Shared fixtures for the unit tests.

Randomness comes from an explicit ``np.random.default_rng(seed)`` (DESIGN.md);
only the reproductions of the classic assignment use ``np.random.seed``, as it did.
"""

from __future__ import annotations

import sys

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator for every test, so tests do not depend on their order."""
    return np.random.default_rng(20240611)


@pytest.fixture(autouse=True)
def close_figures():
    """Close every matplotlib figure a test opened (without importing pyplot otherwise)."""
    yield
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is not None:
        plt.close("all")
