"""Input checks that turn a mistake into a sentence a reader can act on.

Every public function checks its arguments here before any arithmetic, so a
mistake surfaces as ``ValueError: x has shape (4, 3) but params["W_xh"]
expects D=5`` instead of a broadcasting error from deep inside numpy.

The policy, for every public function
-------------------------------------
What is checked, before any work:

- types: arrays are array-likes of real numbers, weights and gradients dicts
  of them, sizes ints, hyperparameters real numbers, flags ``bool``, ``rng`` a
  ``numpy.random.Generator``, ``dtype`` a floating dtype, a choice one of its
  names (``cell``, ``form``, ``activation``, ``reduction`` ...);
- ranks and sizes: every array against the size letters N, T, D, H, V of the
  weights and of the other inputs;
- finiteness: inputs, weights and incoming gradients hold no NaN or infinity;
- ranges: sizes >= 1 (N may be 0), probabilities in [0, 1), step sizes and
  ``eps`` > 0, token ids integers in [0, V);
- the kind of a cache: a backward function takes the cache of its own
  forward function.

What is accepted: lists and tuples wherever an array is; integer and boolean
arrays, converted to float64; float16, float32 and float64 kept, and the
arithmetic runs in ``np.result_type`` of the inputs and weights, so mixing
promotes to the wider type (forward and backward, step loops and fast
kernels alike). An empty batch (N = 0) runs and returns empty arrays where
nothing is averaged; a mean over nothing (a loss or a fit on N = 0) and a
sequence of T = 0 steps raise.

The message names the argument as the caller wrote it (``x``,
``params["W_xh"]``, ``dstate[1]``), says what it got and what was expected.
A wrong type raises :class:`ArgumentTypeError`, which is both a ``TypeError``
and a ``ValueError``; a wrong value raises ``ValueError``; so ``except
ValueError`` catches every bad input. No function changes its inputs, also
when it raises: an optimiser checks every gradient before it writes a weight.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Mapping, Sequence

import numpy as np

__all__ = [
    "ArgumentTypeError",
    "Sizes",
    "as_float_array",
    "check_batch",
    "check_cache",
    "check_choice",
    "check_dtype",
    "check_finite",
    "check_flag",
    "check_grads",
    "check_input",
    "check_int",
    "check_lengths",
    "check_mapping",
    "check_params",
    "check_positive",
    "check_probability",
    "check_real",
    "check_rng",
    "check_steps",
    "check_tokens",
    "param_sizes",
]


class ArgumentTypeError(TypeError, ValueError):
    """An argument of the wrong type; also a ``ValueError``, so one ``except`` catches all."""


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
    ValueError: x contains NaN or infinity (first at x[0])
    """
    try:
        array = np.asarray(value)
    except ValueError:  # ragged nested lists
        array = np.asarray(value, dtype=object)
    if array.dtype.kind not in "fiub":
        raise ArgumentTypeError(
            f"{name} must be an array of real numbers, got "
            + (f"dtype {array.dtype}" if array.dtype.kind != "O" else type(value).__name__)
        )
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    if finite:
        check_finite(name, array)
    return array


def check_finite(name: str, array: np.ndarray) -> np.ndarray:
    """Raise ``ValueError`` if ``array`` holds NaN or infinity, saying where."""
    if not np.isfinite(array).all():  # the method: no Python wrapper on a hot path
        bad = np.argwhere(~np.isfinite(array))[0]
        where = "[" + ", ".join(str(int(i)) for i in bad) + "]" if array.ndim else ""
        raise ValueError(f"{name} contains NaN or infinity (first at {name}{where})")
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
    check_mapping("params", params)
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


@functools.cache  # a handful of letters, read at every step of every layer
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
    return params, sizes, check_steps("x", x), checked


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
        raise ArgumentTypeError(f"{name} must be integers, got dtype {array.dtype}")
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


def check_steps(name: str, array: np.ndarray) -> np.ndarray:
    """A sequence ``(N, T, ...)`` with at least one step (T >= 1)."""
    if np.ndim(array) >= 2 and np.shape(array)[1] == 0:
        raise ValueError(
            f"{name} has shape {_shape_str(np.shape(array))}: a sequence needs at least one "
            "step (T >= 1)"
        )
    return array


# --------------------------------------------------------------------------- scalars and kinds


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(name: str, value, *, low: int = 1, high: int | None = None) -> int:
    """An integer in ``[low, high]`` (``True`` is not a size).

    Examples
    --------
    >>> check_int("H", 4)
    4
    >>> check_int("H", 2.5)
    Traceback (most recent call last):
    ...
    rnn_tutorial.validation.ArgumentTypeError: H must be a positive integer, got 2.5
    """
    if high is not None:
        bounds = f"an integer in {low}..{high}"
    else:
        bounds = {0: "a non-negative integer", 1: "a positive integer"}.get(
            low, f"an integer >= {low}"
        )
    if not _is_int(value):
        raise ArgumentTypeError(f"{name} must be {bounds}, got {value!r}")
    if value < low or (high is not None and value > high):
        raise ValueError(f"{name} must be {bounds}, got {value!r}")
    return int(value)


def check_real(
    name: str, value, *, low: float | None = None, high: float | None = None, open_low=False,
    open_high=False,
) -> float:  # fmt: skip
    """A finite real number in the interval given (ends closed unless ``open_*``).

    Examples
    --------
    >>> check_real("forget_bias", 1)
    1.0
    >>> check_real("p", 1.0, low=0, high=1, open_high=True)
    Traceback (most recent call last):
    ...
    ValueError: p must be a finite real number in [0, 1), got 1.0
    """
    interval = ""
    if low is not None or high is not None:
        left = "(" if open_low or low is None else "["
        right = ")" if open_high or high is None else "]"
        lo = "-inf" if low is None else f"{low:g}"
        hi = "inf" if high is None else f"{high:g}"
        interval = f" in {left}{lo}, {hi}{right}"
    text = f"{name} must be a finite real number{interval}, got {value!r}"
    if not _is_real(value):
        raise ArgumentTypeError(text)
    ok = bool(np.isfinite(value))
    if ok and low is not None:
        ok = value > low if open_low else value >= low
    if ok and high is not None:
        ok = value < high if open_high else value <= high
    if not ok:
        raise ValueError(text)
    return float(value)


def check_positive(name: str, value) -> float:
    """A finite real number > 0 (a learning rate, an ``eps``, a clipping threshold)."""
    text = f"{name} must be a positive finite number, got {value!r}"
    if not _is_real(value):
        raise ArgumentTypeError(text)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(text)
    return float(value)


def check_probability(name: str, value) -> float:
    """A drop probability in [0, 1)."""
    return check_real(name, value, low=0, high=1, open_high=True)


def check_choice(name: str, value, choices: Sequence[str]) -> str:
    """One of the names in ``choices``.

    Examples
    --------
    >>> check_choice("cell", "lstm", ("rnn", "lstm", "gru"))
    'lstm'
    >>> check_choice("cell", "LSTM", ("rnn", "lstm", "gru"))
    Traceback (most recent call last):
    ...
    ValueError: cell must be one of 'rnn', 'lstm', 'gru', got 'LSTM'
    """
    if not (isinstance(value, str) and value in choices):
        raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}, got {value!r}")
    return value


def check_flag(name: str, value) -> bool:
    """``True`` or ``False`` (not 1, not ``"yes"``)."""
    if not isinstance(value, bool | np.bool_):
        raise ArgumentTypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def check_rng(name: str, value) -> np.random.Generator:
    """A ``numpy.random.Generator``: randomness is always passed explicitly.

    Examples
    --------
    >>> check_rng("rng", 42)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rnn_tutorial.validation.ArgumentTypeError: rng must be a numpy.random.Generator, got int ...
    """
    if not isinstance(value, np.random.Generator):
        seed = value if _is_int(value) else "seed"
        raise ArgumentTypeError(
            f"{name} must be a numpy.random.Generator, got {type(value).__name__} "
            f"(pass np.random.default_rng({seed}))"
        )
    return value


def check_dtype(name: str, value) -> np.dtype:
    """A real floating dtype (float16, float32 or float64), as a ``np.dtype``.

    Examples
    --------
    >>> check_dtype("dtype", "float32")
    dtype('float32')
    >>> check_dtype("dtype", int)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rnn_tutorial.validation.ArgumentTypeError: dtype must be a floating dtype (...), got int64
    """
    try:
        dtype = np.dtype(value)
    except TypeError:
        dtype = None
    if dtype is None or dtype.kind != "f" or value is None:
        got = dtype if dtype is not None and value is not None else repr(value)
        raise ArgumentTypeError(
            f"{name} must be a floating dtype (np.float16, np.float32 or np.float64), got {got}"
        )
    return dtype


def check_mapping(name: str, value) -> Mapping:
    """A dict (any ``Mapping``), e.g. of weights or of gradients."""
    if not isinstance(value, Mapping):
        raise ArgumentTypeError(f"{name} must be a dict of arrays, got {type(value).__name__}")
    return value


def check_grads(name: str, grads, params: Mapping | None = None) -> dict:
    """A dict of finite floating gradients, each shaped as its weight in ``params``.

    Returns the gradients as floating arrays, keyed as given.
    """
    check_mapping(name, grads)
    arrays = {key: as_float_array(f'{name}["{key}"]', g) for key, g in grads.items()}
    if params is not None:
        for key, theta in params.items():
            if key in arrays and arrays[key].shape != np.shape(theta):
                raise ValueError(
                    f'{name}["{key}"] has shape {_shape_str(arrays[key].shape)} but '
                    f'params["{key}"] has shape {_shape_str(np.shape(theta))}'
                )
    return arrays


def check_cache(name: str, value, kind: type, producer: str):
    """The cache of ``producer`` (a NamedTuple of type ``kind``), not another cell's.

    Examples
    --------
    >>> from typing import NamedTuple
    >>> class RNNCache(NamedTuple):
    ...     h: object
    >>> check_cache("cache", (1, 2), RNNCache, "rnn_forward")
    Traceback (most recent call last):
    ...
    rnn_tutorial.validation.ArgumentTypeError: cache must be the RNNCache of rnn_forward, got tuple
    """
    if not isinstance(value, kind):
        raise ArgumentTypeError(
            f"{name} must be the {kind.__name__} of {producer}, got {type(value).__name__}"
        )
    return value


def check_tokens(name: str, value, V: int | None = None, *, ndim: int | None = None) -> np.ndarray:
    """An integer array of token ids in [0, V), of rank ``ndim`` when given.

    Examples
    --------
    >>> check_tokens("targets", [[0, 4]], 5)
    array([[0, 4]])
    >>> check_tokens("targets", [[0, 5]], 5)
    Traceback (most recent call last):
    ...
    ValueError: targets must hold ids in [0, 5) for V=5, got 0..5
    """
    try:
        tokens = np.asarray(value)
    except ValueError:
        tokens = np.asarray(value, dtype=object)
    if tokens.size == 0 and tokens.dtype.kind in "fb":
        tokens = tokens.astype(np.int64)  # [] is float64 to numpy, and no id is wrong
    if tokens.dtype.kind not in "iu":
        raise ArgumentTypeError(
            f"{name} must hold integers (token or class ids), got "
            + (f"dtype {tokens.dtype}" if tokens.dtype.kind != "O" else type(value).__name__)
        )
    if ndim is not None and tokens.ndim != ndim:
        letters = ("N", "T")[:ndim] if ndim <= 2 else ("N", "T") + ("?",) * (ndim - 2)
        raise ValueError(
            f"{name} must be {ndim}-D {_letters_str(letters)} but has shape "
            f"{_shape_str(tokens.shape)}"
        )
    if V is not None and tokens.size and (tokens.min() < 0 or tokens.max() >= V):
        raise ValueError(
            f"{name} must hold ids in [0, {V}) for V={V}, got {tokens.min()}..{tokens.max()}"
        )
    return tokens


def check_batch(name: str, array: np.ndarray) -> np.ndarray:
    """At least one sequence (N >= 1), where a result is a mean or a maximum over the batch.

    Examples
    --------
    >>> check_batch("x", np.zeros((0, 3, 2)))
    Traceback (most recent call last):
    ...
    ValueError: x has shape (0, 3, 2): a mean over the batch needs at least one sequence (N >= 1)
    """
    if np.ndim(array) and np.shape(array)[0] == 0:
        raise ValueError(
            f"{name} has shape {_shape_str(np.shape(array))}: a mean over the batch needs at "
            "least one sequence (N >= 1)"
        )
    return array
