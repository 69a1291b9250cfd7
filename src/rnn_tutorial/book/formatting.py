"""Helpers for the book's executed pages that also work outside the book.

A page glues a computed number into its prose with :func:`glue`; in a
notebook downloaded from the book and run without myst-nb, the same call
simply shows the value.
"""

from __future__ import annotations

import numpy as np

__all__ = ["glue", "number", "sci", "vector"]

_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def glue(name: str, value, display: bool = False) -> None:
    """Make ``value`` available to the page's prose as ``{glue:text}`name```.

    Parameters
    ----------
    name : str
        The key the prose refers to, e.g. ``"two-dim-h1"``.
    value : object
        A number, string or array; its text form is what the prose shows
        (format it first, e.g. ``f"{x:.3f}"``, to choose the digits).
    display : bool, default False
        Also show the value in the cell's output.

    Examples
    --------
    >>> glue("answer", 42, display=True)  # without myst-nb: just shows it
    42
    """
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        if display:
            print(value)
        return
    myst_glue(name, value, display=display)


def sci(value: float, digits: int = 1) -> str:
    """A number in scientific notation as prose prints it: ``4.1 × 10⁻⁵``.

    With ``digits=0`` a mantissa of exactly 1 is dropped, so an order of
    magnitude reads ``10⁻¹⁶``.

    Examples
    --------
    >>> sci(4.12e-5), sci(1.1e-16), sci(9.7e-17, 0), sci(2e8, 0)
    ('4.1 × 10⁻⁵', '1.1 × 10⁻¹⁶', '10⁻¹⁶', '2 × 10⁸')
    """
    mantissa, exponent = f"{value:.{digits}e}".split("e")
    power = "10" + str(int(exponent)).translate(_SUPERSCRIPT)
    return power if mantissa in ("1", "-1") and digits == 0 else f"{mantissa} × {power}"


def number(value: float) -> str:
    """A number for the prose with two significant digits: ``0.23`` as it is, ``3.7 × 10⁻¹⁹``.

    Values from 0.01 to 100 are written out; smaller and larger ones in
    scientific notation (:func:`sci`).

    Examples
    --------
    >>> number(0.2349), number(0.04567), number(12.0), number(3.7e-19), number(0.0)
    ('0.23', '0.046', '12.00', '3.7 × 10⁻¹⁹', '0')
    """
    size = abs(value)
    if size == 0:
        return "0"
    if 0.1 <= size < 100:
        return f"{value:.2f}"
    if 0.01 <= size < 0.1:
        return f"{value:.3f}"
    return sci(value, 1)


def vector(v, digits: int = 4) -> str:
    """A vector, or a matrix row by row, as text: ``[0.5370, 0.4621]``, rows split by ``;``.

    Examples
    --------
    >>> vector(np.array([0.537050, 0.462117]), 3)
    '[0.537, 0.462]'
    >>> vector(np.array([[1.0, 2.0], [3.0, 4.0]]), 1)
    '[1.0, 2.0; 3.0, 4.0]'
    """
    rows = np.atleast_2d(v)
    return "[" + "; ".join(", ".join(f"{e:.{digits}f}" for e in row) for row in rows) + "]"
