"""Input checks that turn a wrong shape into a sentence a reader can act on.

Every public function checks its arguments here before any arithmetic, so a
mistake surfaces as ``ValueError: x has shape (4, 3) but params["W_xh"]
expects D=5`` instead of a broadcasting error from deep inside numpy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "Sizes",
    "as_float_array",
    "check_input",
    "check_lengths",
    "check_params",
    "check_tokens",
    "param_sizes",
]


class Sizes(dict):
    """Named sizes (``"N"``, ``"D"``, ``"H"`` …) with the argument each came from.

    Maps a size letter to ``(value, source)`` so that an error can say where
    the expected value was read, e.g. ``params["W_xh"] expects D=5``.
    """

    def value(self, letter: str) -> int:
        return self[letter][0]


def _shape_str(shape: Sequence[int]) -> str:
    return "(" + ", ".join(str(int(s)) for s in shape) + (",)" if len(shape) == 1 else ")")


def _letters_str(letters: Sequence[str]) -> str:
    return "(" + ", ".join(letters) + (",)" if len(letters) == 1 else ")")


def as_float_array(name: str, value, *, finite: bool = True) -> np.ndarray:
    """Return ``value`` as a floating ndarray, or raise naming the argument.

    Integer and boolean input is promoted to float64; float32 and float64 are
    kept, so a caller chooses the precision.

    Examples
    --------
    >>> as_float_array("x", [[1, 2]]).dtype
    dtype('float64')
    >>> as_float_array("x", [np.nan])
    Traceback (most recent call last):
    ...
    ValueError: x contains NaN or infinity
    """
    array = np.asarray(value)
    if array.dtype.kind not in "fiub":
        raise ValueError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if finite and not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinity")
    return array


def param_sizes(params: Mapping[str, np.ndarray], spec: Mapping[str, Sequence[str]]) -> Sizes:
    """Read the sizes named in ``spec`` off ``params`` and check they agree.

    Parameters
    ----------
    params : dict of str to ndarray
        The weights, e.g. ``{"W_xh": (D, H), "W_hh": (H, H), "b_h": (H,)}``.
    spec : dict of str to tuple of str
        The expected shape of each key in size letters, e.g.
        ``{"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)}``. A letter
        may also be an int-valued expression such as ``"4H"``: a multiple of a
        letter seen earlier or later in the spec.

    Returns
    -------
    Sizes
        Each letter with its value and the key it was first read from.

    Examples
    --------
    >>> p = {"W_xh": np.zeros((3, 2)), "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2)}
    >>> sizes = param_sizes(p, {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)})
    >>> sizes.value("D"), sizes.value("H")
    (3, 2)
    >>> p["W_hh"] = np.zeros((2, 5))
    >>> param_sizes(p, {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)})
    Traceback (most recent call last):
    ...
    ValueError: params["W_hh"] has shape (2, 5) but params["W_xh"] gives H=2, so it must be (2, 2)
    """
    if not isinstance(params, Mapping):
        raise ValueError(f"params must be a dict of arrays, got {type(params).__name__}")
    missing = [key for key in spec if key not in params]
    if missing:
        raise ValueError(
            f"params is missing {', '.join(repr(k) for k in missing)}; "
            f"it has {', '.join(repr(k) for k in params) or 'no keys'}"
        )
    sizes = Sizes()
    arrays = {key: as_float_array(f'params["{key}"]', params[key]) for key in spec}
    # First pass: read plain letters; second pass: check every dimension.
    for key, letters in spec.items():
        shape = arrays[key].shape
        if len(shape) != len(letters):
            raise ValueError(
                f'params["{key}"] must be {len(letters)}-D {_letters_str(letters)} '
                f"but has shape {_shape_str(shape)}"
            )
        for letter, size in zip(letters, shape, strict=True):
            base, factor = _split_multiple(letter)
            if base not in sizes and size % factor == 0:
                sizes[base] = (size // factor, f'params["{key}"]')
    for key, letters in spec.items():
        for letter, size in zip(letters, arrays[key].shape, strict=True):
            base, factor = _split_multiple(letter)
            if base not in sizes:
                raise ValueError(
                    f'params["{key}"] has shape {_shape_str(arrays[key].shape)}: its size {size} '
                    f"must be a multiple of {factor} ({letter})"
                )
    for key, letters in spec.items():
        shape = arrays[key].shape
        expected = tuple(
            sizes.value(_split_multiple(l)[0]) * _split_multiple(l)[1] for l in letters
        )
        if shape != expected:
            bad = next(l for l, s, e in zip(letters, shape, expected, strict=True) if s != e)
            base = _split_multiple(bad)[0]
            value, source = sizes[base]
            raise ValueError(
                f'params["{key}"] has shape {_shape_str(shape)} but {source} gives '
                f"{base}={value}, so it must be {_shape_str(expected)}"
            )
    return sizes


def check_params(
    params: Mapping[str, np.ndarray], spec: Mapping[str, Sequence[str]]
) -> tuple[dict, Sizes]:
    """:func:`param_sizes`, also returning the parameters as floating arrays.

    Returns
    -------
    params : dict of str to ndarray
        The keys of ``spec`` (other keys are dropped), each a floating array.
    sizes : Sizes

    Examples
    --------
    >>> p, sizes = check_params({"b_h": [1, 2]}, {"b_h": ("H",)})
    >>> p["b_h"], sizes.value("H")
    (array([1., 2.]), 2)
    """
    sizes = param_sizes(params, spec)
    return {
        key: as_float_array(f'params["{key}"]', params[key], finite=False) for key in spec
    }, sizes


def _split_multiple(letter: str) -> tuple[str, int]:
    """``"4H"`` -> ``("H", 4)``; ``"H"`` -> ``("H", 1)``."""
    digits = letter.rstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    return letter[len(digits) :], int(digits) if digits else 1


def check_input(
    name: str, value, letters: Sequence[str], sizes: Sizes, *, finite: bool = True
) -> np.ndarray:
    """Check an input's shape against known sizes, recording new ones.

    Parameters
    ----------
    name : str
        The argument's name as the caller wrote it, e.g. ``"x"`` or ``"h0"``.
    value : array_like
        The input.
    letters : tuple of str
        Its expected shape in size letters, e.g. ``("N", "T", "D")``.
    sizes : Sizes
        Sizes known so far (from the parameters or earlier inputs); letters
        not yet known are read from this input and added.
    finite : bool, default True
        Reject NaN and infinity.

    Returns
    -------
    ndarray
        ``value`` as a floating array.

    Examples
    --------
    >>> p = {"W_xh": np.zeros((5, 2)), "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2)}
    >>> sizes = param_sizes(p, {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)})
    >>> check_input("x", np.zeros((4, 3)), ("N", "D"), sizes)
    Traceback (most recent call last):
    ...
    ValueError: x has shape (4, 3) but params["W_xh"] expects D=5
    """
    array = as_float_array(name, value, finite=finite)
    if array.ndim != len(letters):
        raise ValueError(
            f"{name} must be {len(letters)}-D {_letters_str(letters)} "
            f"but has shape {_shape_str(array.shape)}"
        )
    for letter, size in zip(letters, array.shape, strict=True):
        if letter not in sizes:
            sizes[letter] = (size, name)
    for letter, size in zip(letters, array.shape, strict=True):
        value_, source = sizes[letter]
        if size != value_:
            verb = "expects" if source.startswith("params") else "has"
            raise ValueError(
                f"{name} has shape {_shape_str(array.shape)} but {source} {verb} {letter}={value_}"
            )
    return array


def check_sequence(params: Mapping[str, np.ndarray], spec, x, **states):
    """Check a layer's weights, its input sequence and its initial states together.

    ``x`` must be ``(N, T, D)`` with at least one step and every state
    ``(N, H)``, with N, D and H agreeing with each other and with the weights.

    Returns
    -------
    params : dict
    sizes : Sizes
    x : ndarray
    states : tuple of ndarray
        The states in the order they were given.

    Examples
    --------
    >>> spec = {"W_xh": ("D", "H"), "W_hh": ("H", "H"), "b_h": ("H",)}
    >>> params = {"W_xh": np.zeros((3, 2)), "W_hh": np.zeros((2, 2)), "b_h": np.zeros(2)}
    >>> _, _, x, (h0,) = check_sequence(params, spec, np.zeros((4, 5, 3)), h0=np.zeros((4, 2)))
    >>> x.shape, h0.shape
    ((4, 5, 3), (4, 2))
    >>> check_sequence(params, spec, np.zeros((4, 0, 3)), h0=np.zeros((4, 2)))
    Traceback (most recent call last):
    ...
    ValueError: x has shape (4, 0, 3): a sequence needs at least one step (T >= 1)
    """
    params, sizes = check_params(params, spec)
    x = check_input("x", x, ("N", "T", "D"), sizes)
    checked = tuple(check_input(name, state, ("N", "H"), sizes) for name, state in states.items())
    if x.shape[1] == 0:
        raise ValueError(f"x has shape {x.shape}: a sequence needs at least one step (T >= 1)")
    return params, sizes, x, checked


def check_lengths(lengths, N: int, T: int, *, name: str = "lengths") -> np.ndarray | None:
    """Check per-sequence lengths of a padded batch: ``None``, or N integers in ``[1, T]``.

    Examples
    --------
    >>> check_lengths([3, 1], 2, 3)
    array([3, 1])
    >>> check_lengths(None, 2, 3) is None
    True
    >>> check_lengths([3, 4], 2, 3)
    Traceback (most recent call last):
    ...
    ValueError: lengths must lie in [1, T=3], got 1 value(s) outside: [4]
    """
    if lengths is None:
        return None
    array = np.asarray(lengths)
    if array.dtype.kind not in "iu" or array.dtype == bool:
        raise ValueError(f"{name} must be integers, got dtype {array.dtype}")
    if array.shape != (N,):
        raise ValueError(
            f"{name} has shape {_shape_str(array.shape)} but the batch has N={N} sequences; "
            f"{name} must have shape ({N},)"
        )
    bad = array[(array < 1) | (array > T)]
    if bad.size:
        raise ValueError(
            f"{name} must lie in [1, T={T}], got {bad.size} value(s) outside: {bad[:5].tolist()}"
        )
    return array.astype(np.intp)


def check_tokens(name: str, tokens, V: int) -> np.ndarray:
    """Check an array of token ids: integers in ``[0, V)``; returns it as an int array.

    Examples
    --------
    >>> check_tokens("tokens", [[0, 2]], 3).tolist()
    [[0, 2]]
    >>> check_tokens("tokens", [[0, 3]], 3)
    Traceback (most recent call last):
    ...
    ValueError: tokens must be ids in [0, V=3), got values from 0 to 3
    """
    array = np.asarray(tokens)
    if array.dtype.kind not in "iu" or array.dtype == bool:
        raise ValueError(f"{name} must be integer token ids, got dtype {array.dtype}")
    if array.size and (array.min() < 0 or array.max() >= V):
        raise ValueError(
            f"{name} must be ids in [0, V={V}), got values from {array.min()} to {array.max()}"
        )
    return array.astype(np.intp, copy=False)
