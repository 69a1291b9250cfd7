"""A character-level language model in the manner of the minimal character-level RNN.

The text is cut into chunks of ``seq_length`` characters; each character, one-hot,
is the input at one step and the next character is that step's target. The
hidden state is carried from chunk to chunk, gradients are clipped element-wise
and Adagrad updates the weights. The same model reads words when the
vocabulary is built from tokens (for Chinese, from ``jieba.lcut(text)``; the
page calls jieba, the package does not depend on it).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence
from typing import NamedTuple

import numpy as np

from ..cells.activations import softmax
from ..cells.rnn import rnn_step_forward
from ..layers.dense import dense_forward
from ..params import init_dense, init_rnn
from ..training.bptt import sequence_loss_and_grads
from ..training.clipping import clip_elementwise
from ..training.optim import Adagrad
from ..validation import (
    ArgumentTypeError,
    check_dtype,
    check_int,
    check_positive,
    check_rng,
    check_steps,
    check_tokens,
)

__all__ = ["CharRNN", "TrainingHistory", "Vocabulary", "one_hot"]

SHOWN = 5  # unknown symbols quoted in an error message


def _is_int(value) -> bool:
    """An integer, numpy's included, but not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


class Vocabulary:
    """The symbols of a text and their indices: characters, or tokens such as words.

    Build one with :meth:`from_text` (characters) or :meth:`from_tokens`
    (words or any other strings). The symbols are sorted, so the same text
    always gives the same indices.

    Parameters
    ----------
    symbols : iterable of str
        The distinct symbols; they are sorted and duplicates dropped.
    unknown : str, optional
        A symbol that stands for every symbol not in the vocabulary at
        encoding time; it is added to the vocabulary. Without it, encoding an
        unknown symbol is an error.
    level : {"char", "token"}, default "char"
        ``"char"``: :meth:`encode` takes a string and :meth:`decode` joins
        characters. ``"token"``: :meth:`encode` takes a list of tokens.
    separator : str, default ""
        What :meth:`decode` puts between tokens ("" for Chinese words, " " for
        space-separated words).

    Examples
    --------
    >>> vocab = Vocabulary.from_text("hello")
    >>> vocab.chars, len(vocab)
    (('e', 'h', 'l', 'o'), 4)
    >>> vocab.encode("hole")
    array([1, 3, 2, 0])
    >>> vocab.decode([1, 0, 2, 2, 3])
    'hello'
    """

    def __init__(
        self, symbols: Iterable[str], *, unknown=None, level="char", separator=""
    ) -> None:
        if level not in ("char", "token"):
            raise ValueError(f'level must be "char" or "token", got {level!r}')
        if not isinstance(symbols, Iterable):
            raise ArgumentTypeError(
                f"symbols must be an iterable of str, got {type(symbols).__name__}"
            )
        symbols = set(symbols)
        if not all(isinstance(s, str) for s in symbols):
            bad = next(s for s in symbols if not isinstance(s, str))
            raise ArgumentTypeError(
                f"every symbol must be a str, got {bad!r} ({type(bad).__name__})"
            )
        if level == "char" and any(len(s) != 1 for s in symbols):
            bad = next(s for s in symbols if len(s) != 1)
            raise ValueError(f'a "char" vocabulary holds single characters, got {bad!r}')
        if not isinstance(separator, str):
            raise ArgumentTypeError(f"separator must be a str, got {separator!r}")
        if unknown is not None:
            if not isinstance(unknown, str) or (level == "char" and len(unknown) != 1):
                what = "a single character" if level == "char" else "a str"
                error = ValueError if isinstance(unknown, str) else ArgumentTypeError
                raise error(f"unknown must be {what}, got {unknown!r}")
            symbols.add(unknown)
        if not symbols:
            raise ValueError("symbols is empty: a vocabulary needs at least one symbol")
        self.level = level
        self.separator = separator
        self.unknown = unknown
        self._symbols = tuple(sorted(symbols))
        self._index = {s: i for i, s in enumerate(self._symbols)}

    @classmethod
    def from_text(cls, text: str, *, unknown=None) -> Vocabulary:
        """The characters of ``text``, sorted.

        Examples
        --------
        >>> vocab = Vocabulary.from_text("abcab", unknown="?")
        >>> vocab.chars
        ('?', 'a', 'b', 'c')
        >>> vocab.decode(vocab.encode("cxa"))
        'c?a'
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"text must be a str, got {type(text).__name__}")
        return cls(text, unknown=unknown, level="char")

    @classmethod
    def from_tokens(cls, tokens: Iterable[str], *, unknown=None, separator="") -> Vocabulary:
        """The distinct tokens of a token list (e.g. ``jieba.lcut(text)``), sorted.

        Examples
        --------
        >>> vocab = Vocabulary.from_tokens(["我们", "喜欢", "我们", "数学"], unknown="<unk>")
        >>> len(vocab), vocab.encode(["我们", "数学"]).tolist()
        (4, [2, 3])
        >>> vocab.decode(vocab.encode(["我们", "爱", "数学"]))
        '我们<unk>数学'
        """
        if isinstance(tokens, str) or not isinstance(tokens, Iterable):
            got = "one str" if isinstance(tokens, str) else type(tokens).__name__
            raise ArgumentTypeError(
                f"tokens must be a list of str, got {got}; for characters use "
                "Vocabulary.from_text, for words pass e.g. jieba.lcut(text)"
            )
        tokens = list(tokens)
        bad = [t for t in tokens if not isinstance(t, str)]
        if bad:
            raise ArgumentTypeError(
                f"tokens must all be str, got {bad[0]!r} ({type(bad[0]).__name__})"
            )
        return cls(tokens, unknown=unknown, level="token", separator=separator)

    @property
    def chars(self) -> tuple[str, ...]:
        """The symbols in index order (characters, or tokens for a token vocabulary)."""
        return self._symbols

    def __len__(self) -> int:
        return len(self._symbols)

    def __contains__(self, symbol) -> bool:
        return symbol in self._index

    def __repr__(self) -> str:
        return f"Vocabulary(V={len(self)}, level={self.level!r}, unknown={self.unknown!r})"

    def encode(self, text) -> np.ndarray:
        """The index of every character of ``text`` (every token, for a token vocabulary).

        Raises
        ------
        ValueError
            If a symbol is not in the vocabulary and no ``unknown`` symbol was
            set; the message lists the unknown symbols.

        Examples
        --------
        >>> Vocabulary.from_text("abc").encode("abzzy")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        ValueError: text has 2 characters not in the vocabulary: 'z', 'y'; build it with ...
        """
        if self.level == "char":
            if not isinstance(text, str):
                raise ArgumentTypeError(f"text must be a str, got {type(text).__name__}")
            return self._indices(text, "text")
        if isinstance(text, str):
            raise ValueError("this vocabulary holds tokens: pass a list of tokens, not a str")
        return self._indices(list(text), "tokens")

    def decode(self, indices) -> str:
        """The text of a sequence of indices; tokens are joined with ``separator``.

        Examples
        --------
        >>> Vocabulary.from_tokens(["to", "be", "or", "not"], separator=" ").decode([3, 2, 0])
        'to or be'
        """
        idx = check_tokens("indices", indices, len(self), ndim=1)
        return self.separator.join(self._symbols[i] for i in idx.tolist())

    def _indices(self, symbols: Sequence[str], name: str) -> np.ndarray:
        """Look every symbol up, mapping or reporting the unknown ones."""
        index = self._index
        unknown = list(dict.fromkeys(s for s in symbols if s not in index))  # first-seen order
        if unknown and self.unknown is None:
            word = "character" if self.level == "char" else "token"
            shown = ", ".join(map(repr, unknown[:SHOWN]))
            more = f" (the first {SHOWN} shown)" if len(unknown) > SHOWN else ""
            how = {
                "char": 'from_text(text, unknown="?")',
                "token": 'from_tokens(tokens, unknown="<unk>")',
            }[self.level]
            raise ValueError(
                f"{name} has {len(unknown)} {word}{'s' if len(unknown) > 1 else ''} not in the "
                f"vocabulary: {shown}{more}; build it with Vocabulary.{how} to map every "
                f"unknown {word} to that reserved symbol"
            )
        fallback = index.get(self.unknown)
        return np.array([index.get(s, fallback) for s in symbols], dtype=np.int64)


def one_hot(indices, V: int, *, dtype=np.float64) -> np.ndarray:
    """One-hot vectors: a 1 at each index, 0 elsewhere, on a new last axis of size V.

    Parameters
    ----------
    indices : ndarray of int, shape (N, T)
        Any shape works; the result has the same shape plus a last axis.
    V : int
        The vocabulary size.
    dtype : numpy dtype, default float64

    Returns
    -------
    ndarray, shape (N, T, V)

    Examples
    --------
    >>> one_hot(np.array([[2, 0]]), 3)
    array([[[0., 0., 1.],
            [1., 0., 0.]]])
    """
    V, dtype = check_int("V", V), check_dtype("dtype", dtype)
    idx = check_tokens("indices", indices, V)
    return np.eye(V, dtype=dtype)[idx.astype(np.intp)]


class TrainingHistory(NamedTuple):
    """What :meth:`CharRNN.train` records at every update."""

    loss: np.ndarray
    """(steps,): the loss of each chunk, summed over its ``seq_length`` characters."""
    smooth_loss: np.ndarray
    """(steps,): the running average ``0.999 * smooth + 0.001 * loss``."""
    samples: list
    """``(step, text)`` pairs drawn every ``log_every`` steps."""


class CharRNN:
    """A vanilla-RNN language model over a :class:`Vocabulary`, trained by truncated BPTT.

    Parameters
    ----------
    vocab : Vocabulary
        Its size V is the input and the output size.
    H : int
        The hidden size.
    rng : numpy.random.Generator
        Draws the initial weights (:func:`~rnn_tutorial.init_rnn`,
        :func:`~rnn_tutorial.init_dense`).
    dtype : numpy dtype, default float64

    Attributes
    ----------
    params : dict
        ``W_xh`` (V, H), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (H, V), ``b_y`` (V,).
    optimizer : Adagrad or None
        Created by the first :meth:`train`; its memory carries over to later calls.

    Examples
    --------
    >>> text = "hello world " * 20
    >>> vocab = Vocabulary.from_text(text)
    >>> model = CharRNN(vocab, 16, rng=np.random.default_rng(0))
    >>> history = model.train(vocab.encode(text), seq_length=10, steps=300)
    >>> bool(history.smooth_loss[-1] < history.smooth_loss[0])
    True
    >>> len(model.sample("h", 12, rng=np.random.default_rng(1)))
    12
    """

    def __init__(self, vocab: Vocabulary, H: int, *, rng: np.random.Generator, dtype=np.float64):
        if not isinstance(vocab, Vocabulary):
            raise ArgumentTypeError(f"vocab must be a Vocabulary, got {type(vocab).__name__}")
        self.vocab = vocab
        V = len(vocab)
        self.params = {
            **init_rnn(V, H, rng=rng, dtype=dtype),
            **init_dense(H, V, rng=rng, dtype=dtype),
        }
        self.optimizer: Adagrad | None = None

    @property
    def H(self) -> int:
        return self.params["W_hh"].shape[0]

    def loss_and_grads(self, inputs, targets, h0=None):
        """Loss and gradients over one chunk of indices, as :meth:`train` computes them.

        Parameters
        ----------
        inputs, targets : ndarray of int, shape (N, T) or (T,)
            The input symbols and the symbols to predict (usually ``inputs``
            shifted by one).
        h0 : ndarray, shape (N, H), optional
            The initial state; zeros when omitted.

        Returns
        -------
        loss : float
        grads : dict
            Unclipped gradients for the keys of :attr:`params`.
        h_last : ndarray, shape (N, H)

        Examples
        --------
        >>> vocab = Vocabulary.from_text("abc")
        >>> model = CharRNN(vocab, 4, rng=np.random.default_rng(0))
        >>> loss, grads, h = model.loss_and_grads(vocab.encode("ab"), vocab.encode("bc"))
        >>> grads["W_xh"].shape, h.shape
        ((3, 4), (1, 4))
        """
        V = len(self.vocab)
        inputs, targets = check_tokens("inputs", inputs, V), check_tokens("targets", targets, V)
        if inputs.ndim == 1:
            inputs, targets = inputs[None], targets[None]
        check_steps("inputs", inputs)
        if h0 is None:
            h0 = np.zeros((inputs.shape[0], self.H), dtype=self.params["W_hh"].dtype)
        x = one_hot(inputs, len(self.vocab), dtype=self.params["W_xh"].dtype)
        loss, grads, h_last, _ = sequence_loss_and_grads(x, targets, h0, self.params)
        return loss, grads, h_last

    def train(
        self,
        data,
        *,
        steps: int,
        seq_length: int = 25,
        lr: float = 0.1,
        clip: float | None = 5.0,
        rng: np.random.Generator | None = None,
        log_every: int | None = None,
        sample_length: int = 200,
    ) -> TrainingHistory:
        r"""Train by truncated BPTT over consecutive chunks of ``data``, with Adagrad.

        Parameters
        ----------
        data : ndarray of int, shape (L,)
            The whole text as indices (:meth:`Vocabulary.encode`).
        steps : int
            Number of updates, one per chunk.
        seq_length : int, default 25
            Characters per chunk: the truncation length.
        lr : float, default 0.1
            Adagrad's learning rate.
        clip : float or None, default 5.0
            Clip every gradient entry to ``[-clip, clip]``; None to not clip.
        rng : numpy.random.Generator, optional
            Draws the samples; needed when ``log_every`` is given.
        log_every : int, optional
            Every this many steps, record a sample of ``sample_length`` symbols
            drawn from the current state.
        sample_length : int, default 200

        Returns
        -------
        TrainingHistory
            The loss of every chunk, the smooth loss, and the samples.

        Notes
        -----
        Step :math:`n` reads ``data[p : p + seq_length]`` and predicts
        ``data[p + 1 : p + seq_length + 1]``, starting from the state the
        previous chunk ended in (a constant: its gradient is not carried), then
        moves ``p`` on by ``seq_length``. When the next chunk would run past
        the end, ``p`` returns to 0 and the state to zeros. (The original
        program wraps one chunk early, when the chunk would exactly reach the
        end.) The smooth loss starts at :math:`\text{seq\_length} \cdot \log V`,
        the loss of a uniform guess, and follows

        .. math:: \bar L \leftarrow 0.999\,\bar L + 0.001\,L_n

        Each call starts at the beginning of ``data`` with a zero state and a
        fresh smooth loss; the weights and Adagrad's memory carry over.
        """
        V = len(self.vocab)
        data = check_tokens("data", data, V, ndim=1)  # vocab.encode(text)
        steps, seq_length = check_int("steps", steps), check_int("seq_length", seq_length)
        if data.size < seq_length + 1:
            raise ValueError(
                f"data has {data.size} symbols but seq_length={seq_length} needs at least "
                f"{seq_length + 1} (inputs plus the target one step ahead)"
            )
        if clip is not None:
            check_positive("clip", clip)
        if log_every is not None:  # log_every draws samples with rng
            log_every = check_int("log_every", log_every)
            check_rng("rng (log_every draws samples)", rng)
        optimizer = Adagrad(lr=lr)
        if self.optimizer is not None:
            optimizer.memory = self.optimizer.memory  # the sums of squares carry over
        self.optimizer = optimizer

        dtype = self.params["W_hh"].dtype
        eye = np.eye(V, dtype=dtype)  # row i is the one-hot vector of symbol i
        losses, smooth_losses, samples = np.empty(steps), np.empty(steps), []
        smooth = np.log(V) * seq_length  # -log(1/V) per character: a uniform guess
        p, h = 0, None
        for n in range(steps):
            if h is None or p + seq_length + 1 > data.size:
                p, h = 0, np.zeros((1, self.H), dtype=dtype)
            if log_every is not None and n % log_every == 0:
                text = self.sample(int(data[p]), sample_length, rng=rng, h0=h)
                samples.append((n, text))
            x = eye[data[None, p : p + seq_length]]
            targets = data[None, p + 1 : p + seq_length + 1]
            loss, grads, h, _ = sequence_loss_and_grads(x, targets, h, self.params)
            if clip is not None:
                grads = clip_elementwise(grads, clip)
            optimizer.step(self.params, grads)
            smooth = 0.999 * smooth + 0.001 * loss
            losses[n], smooth_losses[n] = loss, smooth
            p += seq_length
        return TrainingHistory(losses, smooth_losses, samples)

    def sample(self, seed, n: int, *, temperature: float = 1.0, rng, h0=None) -> str:
        r"""Generate ``n`` symbols after feeding ``seed`` through the network.

        Parameters
        ----------
        seed : str, int or list of str
            The text to start from (for a token vocabulary a str is one token
            and a list is several), or the index of one symbol. A symbol not
            in the vocabulary is an error, unless the vocabulary maps unknown
            symbols (``unknown=``).
        n : int
            How many symbols to generate; the seed is not included.
        temperature : float, default 1.0
            Divides the logits before the softmax: below 1 sharpens the
            distribution towards its most likely symbol, above 1 flattens it
            towards uniform.
        rng : numpy.random.Generator
            Draws each symbol.
        h0 : ndarray, shape (1, H) or (H,), optional
            The state before the seed; zeros when omitted.

        Returns
        -------
        str
            The generated symbols, joined (:meth:`Vocabulary.decode`).

        Notes
        -----
        .. math:: p_t = \operatorname{softmax}(z_t / \tau), \qquad
                  s_{t+1} \sim p_t, \qquad x_{t+1} = \mathrm{onehot}(s_{t+1})

        Examples
        --------
        >>> vocab = Vocabulary.from_text("abc")
        >>> model = CharRNN(vocab, 4, rng=np.random.default_rng(0))
        >>> text = model.sample("ab", 5, rng=np.random.default_rng(0))
        >>> len(text), set(text) <= set(vocab.chars)
        (5, True)
        >>> model.sample("ab", 5, temperature=0, rng=np.random.default_rng(0))
        Traceback (most recent call last):
        ...
        ValueError: temperature must be a positive finite number, got 0
        """
        temperature, n = check_positive("temperature", temperature), check_int("n", n, low=0)
        rng = check_rng("rng", rng)
        seed_indices = self._seed_indices(seed)
        V, H = len(self.vocab), self.H
        dtype = self.params["W_hh"].dtype
        if h0 is None:
            h = np.zeros((1, H), dtype=dtype)
        else:
            h = np.asarray(h0)
            if h.shape not in ((1, H), (H,)):
                raise ValueError(f"h0 has shape {h.shape} but the model has H={H}: use (1, {H})")
            h = h.reshape(1, H)
        eye = np.eye(V, dtype=dtype)
        rnn_params = {k: self.params[k] for k in ("W_xh", "W_hh", "b_h")}
        dense_params = {k: self.params[k] for k in ("W_hy", "b_y")}
        for ix in seed_indices:
            h, _ = rnn_step_forward(eye[ix][None], h, rnn_params)
        out = []
        for i in range(n):
            logits, _ = dense_forward(h, dense_params)
            # float64 so that the probabilities sum to 1 as tightly as rng.choice requires
            probs = softmax(logits[0].astype(np.float64) / temperature)
            ix = int(rng.choice(V, p=probs))
            out.append(ix)
            if i < n - 1:
                h, _ = rnn_step_forward(eye[ix][None], h, rnn_params)
        return self.vocab.decode(np.array(out, dtype=np.int64))

    def _seed_indices(self, seed) -> list[int]:
        """The seed as a non-empty list of indices, or a ValueError saying what is wrong."""
        V = len(self.vocab)
        if _is_int(seed):
            if not 0 <= seed < V:
                raise ValueError(f"seed index must lie in [0, {V}) for V={V}, got {seed}")
            return [int(seed)]
        if isinstance(seed, str) and self.vocab.level == "token":
            seed = [seed]
        if self.vocab.level == "char" and not isinstance(seed, str):
            raise ArgumentTypeError(f"seed must be a str or an index, got {type(seed).__name__}")
        if len(seed) == 0:
            raise ValueError("seed is empty: give at least one symbol to start from")
        return self.vocab._indices(seed if isinstance(seed, str) else list(seed), "seed").tolist()
