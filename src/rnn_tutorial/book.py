"""Helpers for the book's executed pages that also work outside the book.

A page glues a computed number into its prose with :func:`glue`; in a
notebook downloaded from the book and run without myst-nb, the same call
simply shows the value.
"""

from __future__ import annotations

__all__ = ["glue"]


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
