"""Shared fixtures for the unit tests.

Randomness comes from an explicit ``np.random.default_rng(seed)`` (DESIGN.md);
only the reproductions of the classic assignment use ``np.random.seed``, as it did.
"""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A fresh, seeded generator for every test, so tests do not depend on their order."""
    return np.random.default_rng(20240611)
