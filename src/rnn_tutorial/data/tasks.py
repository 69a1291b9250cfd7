r"""Synthetic sequence tasks that test memory: recall over a lag, the adding problem, sin(x).

Each generator draws its data from an explicit ``rng`` and returns batch-first
arrays, inputs ``(N, T, D)`` ready for :func:`~rnn_tutorial.rnn_forward`,
:func:`~rnn_tutorial.lstm_forward` or :func:`~rnn_tutorial.gru_forward`:

- :func:`first_symbol_recall`: one of ``vocab_size`` symbols, then ``lag``
  distractors; the answer is the first symbol. Nothing between the symbol and
  the answer helps, so the task measures memory over exactly ``lag`` steps.
- :func:`adding_problem`: the sum of the two numbers marked in a sequence of
  random numbers (Hochreiter and Schmidhuber 1997).
- :func:`sine_windows`: windows of a sampled :math:`\sin x` and the value
  that follows each window.
- :func:`xor_recall`: whether the two numbers of the first step have
  different signs, answered after ``T - 1`` distracting steps.
"""

from __future__ import annotations

import numpy as np

from ..validation import check_dtype, check_int, check_positive, check_real, check_rng

__all__ = ["adding_problem", "first_symbol_recall", "sine_windows", "xor_recall"]


def _check_int(name: str, value, low: int) -> int:
    return check_int(name, value, low=low)


def _check_real(name: str, value, *, positive: bool = False) -> float:
    return check_positive(name, value) if positive else check_real(name, value)


def _check_rng(rng) -> np.random.Generator:
    return check_rng("rng", rng)


def first_symbol_recall(
    n: int,
    lag: int,
    *,
    vocab_size: int = 4,
    n_distractors: int = 4,
    rng: np.random.Generator,
    dtype=np.float64,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Sequences whose first symbol must be recalled after ``lag`` distractor steps.

    Parameters
    ----------
    n : int
        Number of sequences N.
    lag : int
        Number of distractor steps after the symbol to remember; every
        sequence has :math:`T = \text{lag} + 1` steps.
    vocab_size : int, default 4
        Number of symbols that can be asked for, V. The answer is one of them.
    n_distractors : int, default 4
        Number of further symbols that only ever appear as distractors.
    rng : numpy.random.Generator
        Draws the symbols.
    dtype : numpy dtype, default float64

    Returns
    -------
    x : ndarray, shape (N, lag + 1, vocab_size + n_distractors)
        One-hot inputs: at step 1 one of the symbols ``0 .. V - 1``, at steps
        2 to T distractors ``V .. V + n_distractors - 1``, each drawn
        uniformly and independently.
    y : ndarray of int, shape (N,)
        The index of the first symbol, in ``[0, V)``.

    Notes
    -----
    The last input says nothing about the answer, nor does any other after
    the first, so a model can do better than chance, :math:`1/V`, only by
    carrying the first symbol across ``lag`` steps. The distractors change
    from sequence to sequence, so they cannot be memorised instead.

    Examples
    --------
    >>> x, y = first_symbol_recall(3, 5, vocab_size=4, rng=np.random.default_rng(0))
    >>> x.shape, y.shape
    ((3, 6, 8), (3,))
    >>> bool(np.all(x[:, 0].argmax(axis=1) == y))  # the answer is the first symbol
    True
    >>> bool(np.all(x[:, 1:].argmax(axis=2) >= 4))  # every later symbol is a distractor
    True
    """
    n = _check_int("n", n, 1)
    lag = _check_int("lag", lag, 0)
    vocab_size = _check_int("vocab_size", vocab_size, 2)
    n_distractors = _check_int("n_distractors", n_distractors, 1)
    rng, dtype = _check_rng(rng), check_dtype("dtype", dtype)
    V = vocab_size
    y = rng.integers(0, V, size=n)
    symbols = np.empty((n, lag + 1), dtype=np.intp)
    symbols[:, 0] = y
    symbols[:, 1:] = rng.integers(V, V + n_distractors, size=(n, lag))
    x = np.eye(V + n_distractors, dtype=dtype)[symbols]
    return x, y.astype(np.int64)


def adding_problem(
    n: int, T: int, *, rng: np.random.Generator, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    r"""The adding problem: add the two numbers that carry a marker.

    Parameters
    ----------
    n : int
        Number of sequences N.
    T : int
        Steps per sequence, at least 2.
    rng : numpy.random.Generator
        Draws the numbers and the marked positions.
    dtype : numpy dtype, default float64

    Returns
    -------
    x : ndarray, shape (N, T, 2)
        Channel 0 holds numbers drawn uniformly from [0, 1); channel 1 is 1 at
        two steps and 0 elsewhere, one marked step in the first half
        (``t < T // 2``) and one in the second.
    y : ndarray, shape (N, 1)
        The sum of the two marked numbers, in [0, 2).

    Notes
    -----
    Predicting the constant 1, the mean of the target, gives a mean squared
    error equal to the target's variance, that of a sum of two independent
    uniform numbers: :math:`2 \cdot 1/12 = 1/6`. A model beats this baseline
    only if it remembers the first marked number until the second arrives,
    on average about :math:`T/2` steps later.

    Examples
    --------
    >>> x, y = adding_problem(4, 10, rng=np.random.default_rng(0))
    >>> x.shape, y.shape
    ((4, 10, 2), (4, 1))
    >>> x[:, :, 1].sum(axis=1)
    array([2., 2., 2., 2.])
    >>> bool(np.allclose(y[:, 0], (x[:, :, 0] * x[:, :, 1]).sum(axis=1)))
    True
    """
    n = _check_int("n", n, 1)
    T = _check_int("T", T, 2)
    rng, dtype = _check_rng(rng), check_dtype("dtype", dtype)
    values = rng.random((n, T))
    half = T // 2
    first = rng.integers(0, half, size=n)
    second = rng.integers(half, T, size=n)
    markers = np.zeros((n, T))
    rows = np.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = np.stack([values, markers], axis=-1).astype(dtype)
    y = (values[rows, first] + values[rows, second])[:, None].astype(dtype)
    return x, y


def xor_recall(
    n: int, T: int, *, rng: np.random.Generator, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray]:
    r"""Remember the first step and answer a nonlinear question about it: do its signs differ?

    Parameters
    ----------
    n : int
        Number of sequences N.
    T : int
        Steps per sequence, at least 1; steps 2 to T are distractors.
    rng : numpy.random.Generator
        Draws every number.
    dtype : numpy dtype, default float64

    Returns
    -------
    x : ndarray, shape (N, T, 2)
        Two numbers per step, drawn uniformly from [-1, 1).
    y : ndarray, shape (N,), int
        1 where the two numbers of the first step have different signs, else 0.

    Notes
    -----
    .. math:: y = [\operatorname{sign} x_{1,1} \neq \operatorname{sign} x_{1,2}]

    The answer is the exclusive or of two signs: no linear function of
    :math:`x_1` separates the classes, so the network must both carry
    :math:`x_1` across the distractors and apply a nonlinear map to it. The
    classes are balanced in expectation, so guessing scores 0.5.

    Examples
    --------
    >>> x, y = xor_recall(5, 4, rng=np.random.default_rng(0))
    >>> x.shape, y.shape
    ((5, 4, 2), (5,))
    >>> bool(np.array_equal(y, (x[:, 0, 0] * x[:, 0, 1] < 0).astype(int)))
    True
    """
    n = _check_int("n", n, 1)
    T = _check_int("T", T, 1)
    rng, dtype = _check_rng(rng), check_dtype("dtype", dtype)
    x = rng.uniform(-1.0, 1.0, size=(n, T, 2))
    y = ((x[:, 0, 0] < 0) != (x[:, 0, 1] < 0)).astype(np.int64)
    return x.astype(dtype), y


def sine_windows(
    n: int, window: int, *, step: float = 0.1, start: float = 0.0, dtype=np.float64
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Windows of a sampled :math:`\sin x`, each with the next sample as its target.

    Parameters
    ----------
    n : int
        Number of windows N.
    window : int
        Samples per window, T.
    step : float, default 0.1
        The sampling interval :math:`\Delta` on the x axis.
    start : float, default 0.0
        The position of the first sample, :math:`x_0`.
    dtype : numpy dtype, default float64

    Returns
    -------
    x : ndarray, shape (N, window, 1)
        Window k holds :math:`\sin x_k, \dots, \sin x_{k + T - 1}` with
        :math:`x_j = x_0 + j \Delta`.
    y : ndarray, shape (N, 1)
        The sample after each window, :math:`\sin x_{k + T}`.
    positions : ndarray, shape (N,)
        :math:`x_{k + T}`, where each target lies on the x axis.

    Notes
    -----
    The curve is sampled once at :math:`n + T` evenly spaced points and the
    windows slide over it one sample at a time, so consecutive windows
    overlap in all but one sample. Training windows and test windows taken
    from different stretches of the axis (different ``start``) never share a
    sample.

    Examples
    --------
    >>> x, y, positions = sine_windows(5, 3, step=0.5)
    >>> x.shape, y.shape, positions.shape
    ((5, 3, 1), (5, 1), (5,))
    >>> bool(np.allclose(y[:, 0], np.sin(positions)))
    True
    >>> bool(np.allclose(x[1:, :, 0], np.concatenate([x[:-1, 1:, 0], y[:-1]], axis=1)))
    True
    """
    n = _check_int("n", n, 1)
    window = _check_int("window", window, 1)
    step = _check_real("step", step, positive=True)
    start, dtype = _check_real("start", start), check_dtype("dtype", dtype)
    grid = start + step * np.arange(n + window)
    samples = np.sin(grid)
    k = np.arange(n)[:, None] + np.arange(window)[None, :]
    x = samples[k][..., None].astype(dtype)
    y = samples[window:][:, None].astype(dtype)
    return x, y, grid[window:]


# ------------------------------------------------ the bidirectional chapter's task


def _check_task(n, length, vocab_size, rng) -> None:
    for name, value, low in (("n", n, 1), ("length", length, 3), ("vocab_size", vocab_size, 2)):
        check_int(name, value, low=low)
    if length % 2 == 0:
        raise ValueError(f"length must be odd so that the sequence has a middle, got {length}")
    check_rng("rng", rng)


def masked_middle(
    n: int, length: int, *, vocab_size: int = 4, rng: np.random.Generator, dtype=np.float64
):
    r"""Sequences whose middle symbol is hidden and must be filled in from both neighbours.

    Every sequence holds ``length`` (odd) random symbols :math:`0 \dots V-1`,
    except the middle one, which is the larger of its neighbours,
    :math:`\max(x_{m-1}, x_{m+1})`, and is replaced in the input by an extra
    *mask* symbol. The answer depends on the symbol *after* the gap as much
    as on the one before, so a model that reads left to right must guess:
    its best accuracy at the gap is :math:`(V + 1) / 2V`.

    Parameters
    ----------
    n : int
        Number of sequences N.
    length : int
        T, odd and at least 3; the gap is at ``m = T // 2``.
    vocab_size : int, default 4
        V symbols; the inputs are one-hot over V + 1 (the last is the mask).
    rng : numpy.random.Generator
    dtype : numpy dtype, default float64

    Returns
    -------
    x : ndarray, shape (N, T, V + 1)
        One-hot inputs, the mask at step ``m``.
    y : ndarray of int, shape (N,)
        The hidden middle symbols.

    Examples
    --------
    >>> x, y = masked_middle(2, 5, vocab_size=3, rng=np.random.default_rng(0))
    >>> x.shape, y.shape, x[:, 2].argmax(-1).tolist()
    ((2, 5, 4), (2,), [3, 3])
    >>> s = x.argmax(-1)
    >>> bool(np.all(y == np.maximum(s[:, 1], s[:, 3])))
    True
    """
    _check_task(n, length, vocab_size, rng)
    dtype = check_dtype("dtype", dtype)
    m = length // 2
    symbols = rng.integers(vocab_size, size=(n, length))
    y = np.maximum(symbols[:, m - 1], symbols[:, m + 1])
    symbols[:, m] = vocab_size  # the mask
    x = np.eye(vocab_size + 1, dtype=dtype)[symbols]
    return x, y
