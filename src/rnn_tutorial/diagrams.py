r"""Diagrams of the book drawn from code: a cell, the unrolled network, I/O patterns, a worked run.

The figures carry no language: only math symbols (matplotlib mathtext such as
``r"$h_{t-1}$"``), numbers, the tokens of an example sequence and arrows. The
page writes the caption and the alt text in its own language.

matplotlib is imported inside the functions: the package needs only numpy at
run time and plotting is the optional extra ``rnn_tutorial[plot]``.

Every function takes ``ax=None`` and returns the matplotlib ``Figure``. Without
``ax`` it makes a figure sized to its drawing, in which one data unit is one
inch, so the text keeps its intended size (at least 11 pt when the figure is
shown about 700 px wide). With ``ax`` the whole drawing, text included, is
scaled to fit that axes, so a small axes gives small text.

Examples
--------
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> fig = draw_unrolled_rnn(T=3)
>>> sorted({t.get_text() for t in fig.axes[0].texts if not t.get_text().startswith("$")})
['=']
"""

from __future__ import annotations

from itertools import pairwise
from typing import NamedTuple

import numpy as np

from .validation import as_float_array

__all__ = [
    "PALETTE",
    "draw_io_patterns",
    "draw_rnn_cell",
    "draw_unrolled_rnn",
    "draw_worked_example",
]


def _tint(colour: str, amount: float) -> str:
    """``colour`` mixed with white: ``amount`` of the colour, the rest white."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(255 - amount * (255 - c)):02x}" for c in rgb)


# Okabe & Ito's colour-blind-safe palette; each role also has its own row, so
# colour is never the only cue.
PALETTE = {
    "input": "#0072B2",  # blue: x_t
    "hidden": "#009E73",  # bluish green: h_t and the cell
    "output": "#D55E00",  # vermillion: y_t
    "ink": "#222222",  # text, arrows, operators
}
_FILL = {role: _tint(PALETTE[role], 0.18) for role in ("input", "hidden", "output")}
_FILL["op"] = "#ffffff"
_EDGE = {**PALETTE, "op": PALETTE["ink"]}

FONT_SIZE = 14  # points; the figures stay under ~8.9 in wide, so >= 11 pt at 700 px
_LINE_WIDTH = 1.4
_HEAD = 13  # arrow-head size, points
_GAP = 0.07  # inches between an arrow and its label


class _Box(NamedTuple):
    """An axis-aligned box by its centre and size, with its edges for arrows."""

    x: float
    y: float
    w: float
    h: float

    @property
    def left(self):
        return (self.x - self.w / 2, self.y)

    @property
    def right(self):
        return (self.x + self.w / 2, self.y)

    @property
    def top(self):
        return (self.x, self.y + self.h / 2)

    @property
    def bottom(self):
        return (self.x, self.y - self.h / 2)


def _text_size(s: str, fontsize: float) -> tuple[float, float]:
    """Width and height in inches of one line of text, mathtext when it has ``$``."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    w, h, d = text_to_path.get_text_width_height_descent(
        s, FontProperties(size=fontsize), ismath="$" in s
    )
    return w / 72, max(h + d, 0.8 * fontsize) / 72


class _Sheet:
    """An axes drawn in inches, remembering the extent of everything put on it.

    Text is measured without a renderer, so the extent (and hence the axes
    limits and the figure size) is known before anything is drawn on screen.
    """

    def __init__(self, ax, fontsize: float = FONT_SIZE):
        self.ax = ax
        self.fontsize = fontsize
        self.x0 = self.y0 = np.inf
        self.x1 = self.y1 = -np.inf

    def include(self, x0, y0, x1, y1):
        self.x0, self.y0 = min(self.x0, x0), min(self.y0, y0)
        self.x1, self.y1 = max(self.x1, x1), max(self.y1, y1)

    def text(self, x, y, s, *, ha="center", va="center", fontsize=None):
        fontsize = fontsize or self.fontsize
        w, h = _text_size(s, fontsize)
        left = {"left": x, "center": x - w / 2, "right": x - w}[ha]
        bottom = {"bottom": y, "center": y - h / 2, "top": y - h}[va]
        self.include(left, bottom, left + w, bottom + h)
        return self.ax.text(
            x, y, s, ha=ha, va=va, fontsize=fontsize, color=PALETTE["ink"], zorder=4
        )

    def box(self, x, y, role, text=None, *, w=0.6, h=0.42, dashed=False, pad=0.14, zorder=2):
        """A rounded box for ``role`` (a key of ``_FILL``), grown to fit its text."""
        from matplotlib.patches import FancyBboxPatch

        if text is not None:
            w = max(w, _text_size(text, self.fontsize)[0] + pad)
        self.ax.add_patch(
            FancyBboxPatch(
                (x - w / 2, y - h / 2),
                w,
                h,
                boxstyle=f"round,pad=0,rounding_size={min(w * 0.18, h * 0.18, 0.12):.3f}",
                facecolor=_FILL[role],
                edgecolor=_EDGE[role],
                linewidth=_LINE_WIDTH,
                linestyle="--" if dashed else "-",
                zorder=zorder,
            )
        )
        self.include(x - w / 2, y - h / 2, x + w / 2, y + h / 2)
        if text is not None:
            self.text(x, y, text)
        return _Box(x, y, w, h)

    def arrow(
        self, start, end, label=None, *, side="right", head=True, path=None, head_size=_HEAD
    ):
        """An arrow (or a plain line) from ``start`` to ``end``, its label beside the midpoint."""
        from matplotlib.patches import FancyArrowPatch

        style = "-|>" if head else "-"
        kw = dict(
            arrowstyle=style,
            mutation_scale=head_size,
            color=PALETTE["ink"],
            linewidth=_LINE_WIDTH,
            shrinkA=0,
            shrinkB=0,
            zorder=3,
        )
        patch = FancyArrowPatch(path=path, **kw) if path else FancyArrowPatch(start, end, **kw)
        self.ax.add_patch(patch)
        if path is None:
            self.include(*np.minimum(start, end), *np.maximum(start, end))
        if label is not None:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            dx, dy, ha, va = {
                "right": (_GAP, 0, "left", "center"),
                "left": (-_GAP, 0, "right", "center"),
                "above": (0, _GAP, "center", "bottom"),
                "below": (0, -_GAP, "center", "top"),
            }[side]
            self.text(mx + dx, my + dy, label, ha=ha, va=va)
        return patch

    def finish(self, margin=0.06):
        """Set the limits to the drawing's extent; return its (width, height) in inches."""
        x0, y0, x1, y1 = self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin
        self.ax.set_xlim(x0, x1)
        self.ax.set_ylim(y0, y1)
        self.ax.set_aspect("equal")
        self.ax.set_axis_off()
        return x1 - x0, y1 - y0


def _new_axes(n=1):
    """A pyplot figure with ``n`` axes; their size and place are set by :func:`_fit`."""
    import matplotlib.pyplot as plt

    fig = plt.figure(figsize=(6.0, 3.0))
    return [fig.add_axes((0, 0, 1, 1)) for _ in range(n)]


def _fit(fig, sizes, gap=0.3):
    """Lay out axes of the given (width, height) in inches in a row, sizing the figure."""
    width = sum(w for w, _ in sizes) + gap * (len(sizes) - 1)
    height = max(h for _, h in sizes)
    fig.set_size_inches(width, height)
    left = 0.0
    for ax, (w, h) in zip(fig.axes, sizes, strict=True):
        ax.set_position((left / width, (height - h) / 2 / height, w / width, h / height))
        left += w + gap


def _finish(sheets, created, gap=0.3):
    """Close the drawing: limits on every sheet, and the figure sized to fit when we made it.

    In axes the caller gave, the drawing is scaled to fit, so text, lines and
    arrow heads are scaled by the same factor (one for all sheets) to stay in
    proportion with the boxes.
    """
    from matplotlib.patches import FancyArrowPatch

    sizes = [sheet.finish() for sheet in sheets]
    fig = sheets[0].ax.figure
    if created:
        _fit(fig, sizes, gap)
        return fig
    fig_w, fig_h = fig.get_size_inches()
    scale = min(
        min(pos.width * fig_w / w, pos.height * fig_h / h)
        for (w, h), pos in zip(sizes, (sheet.ax.get_position() for sheet in sheets), strict=True)
    )
    for sheet in sheets:
        for text in sheet.ax.texts:
            text.set_fontsize(text.get_fontsize() * scale)
        for artist in [*sheet.ax.patches, *sheet.ax.lines]:
            artist.set_linewidth(artist.get_linewidth() * scale)
            if isinstance(artist, FancyArrowPatch):  # the head; a box's rounding is in inches
                artist.set_mutation_scale(artist.get_mutation_scale() * scale)
    return fig


def _self_loop(sheet, box, label, arm=0.36, spread=0.13, r=0.07):
    """A rounded loop leaving ``box`` on the right and coming back into it: the recurrence."""
    from matplotlib.path import Path

    x, ya, yb = box.right[0], box.y + spread, box.y - spread
    xo = x + arm
    verts = [
        (x, ya),
        (xo - r, ya),
        (xo, ya),
        (xo, ya - r),
        (xo, yb + r),
        (xo, yb),
        (xo - r, yb),
        (x, yb),
    ]
    L, C = Path.LINETO, Path.CURVE3
    sheet.arrow(None, None, path=Path(verts, [Path.MOVETO, L, C, C, L, C, C, L]))
    sheet.include(x, yb, xo, ya)
    sheet.text(xo + _GAP, box.y, label, ha="left")


def draw_rnn_cell(ax=None):
    r"""Draw one vanilla RNN cell: :math:`h_t = \tanh(x_t W_{xh} + h_{t-1} W_{hh} + b_h)`.

    :math:`h_{t-1}` enters from the left and :math:`x_t` from below, each
    multiplied by its weight matrix (written on the arrow); a :math:`\oplus`
    node adds them and :math:`b_h`, :math:`\tanh` squashes the sum, and
    :math:`h_t` leaves to the right (the next step) and upward (the output
    layer or the next layer).

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure of about 4.8 x 3.7 inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_rnn_cell()
    >>> len(fig.axes)
    1
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y = 0.75  # the height of the h path through the cell
    cell = (0.0, 0.0, 3.0, 1.75)  # left, bottom, right, top
    s.box(1.5, 0.875, "hidden", w=3.0, h=1.75, zorder=1)  # under the arrows that cross it

    # The adder: a circle with a plus drawn as two lines, so it needs no font.
    plus, r = _Box(0.95, y, 0.34, 0.34), 0.17
    ax.add_patch(
        Circle(
            (plus.x, plus.y),
            r,
            facecolor=_FILL["op"],
            edgecolor=_EDGE["op"],
            linewidth=_LINE_WIDTH,
            zorder=2,
        )
    )
    for dx, dy in ((0.1, 0), (0, 0.1)):
        ax.add_line(
            Line2D(
                [plus.x - dx, plus.x + dx],
                [plus.y - dy, plus.y + dy],
                color=PALETTE["ink"],
                linewidth=_LINE_WIDTH,
                zorder=3,
            )
        )
    squash = s.box(2.0, y, "op", r"$\tanh$", w=0.72, h=0.44)
    s.arrow(plus.right, squash.left)

    # Into the adder: h_{t-1} W_hh from the left, x_t W_xh from below, b_h from above.
    # The weights are written inside the cell, where the products are formed.
    s.text(-0.45, y, r"$h_{t-1}$", ha="right")
    s.arrow((-0.38, y), plus.left)
    s.text((cell[0] + plus.left[0]) / 2, y + _GAP, r"$W_{hh}$", va="bottom")
    x = s.box(plus.x, -0.9, "input", r"$x_t$")
    s.arrow(x.top, plus.bottom)
    s.text(plus.x + _GAP, (cell[1] + plus.bottom[1]) / 2, r"$W_{xh}$", ha="left")
    s.text(plus.x, 1.47, r"$b_h$")
    s.arrow((plus.x, 1.3), plus.top)

    # Out of the cell: one h_t, sent both to the next step and upward.
    fork = (2.65, y)
    s.arrow(squash.right, fork, head=False)
    ax.add_patch(Circle(fork, 0.045, color=PALETTE["ink"], zorder=3))
    s.arrow(fork, (3.55, y))
    s.text(3.62, y, r"$h_t$", ha="left")
    s.arrow(fork, (fork[0], 2.2))
    s.text(fork[0], 2.27, r"$h_t$", va="bottom")
    return _finish([s], created)


def _step_labels(labels, T, default):
    if labels is None:
        return [default.format(t) for t in range(1, T + 1)]
    labels = list(labels)
    if len(labels) != T:
        raise ValueError(f"labels has {len(labels)} entries but T={T}")
    return labels


def draw_unrolled_rnn(T: int = 4, ax=None, *, show_outputs: bool = True, labels=None):
    r"""Draw the RNN folded (a cell with a loop) and unrolled over ``T`` steps.

    The unrolled chain starts from :math:`h_0` and repeats the same cell:
    :math:`x_t` below, :math:`y_t` above, and :math:`W_{xh}`, :math:`W_{hh}`,
    :math:`W_{hy}` on the arrows of *every* step, because the weights are shared
    across time.

    Parameters
    ----------
    T : int, default 4
        The number of time steps to unroll (1 or more).
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure about ``1.1 T + 3.1`` inches wide.
    show_outputs : bool, default True
        Draw the outputs :math:`y_t` and the :math:`W_{hy}` arrows.
    labels : sequence of str, optional
        The input labels, one per step, e.g. ``["$1$", "$2$"]`` or
        ``["A", "B", "C", "D", "_"]``. By default :math:`x_1, \dots, x_T`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``T`` is not a positive integer or ``labels`` does not have ``T`` entries.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_unrolled_rnn(T=3, labels=["A", "B", "C"])
    >>> len(fig.axes)
    1
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> texts.count("$W_{hh}$")  # the loop, then h_0 -> h_1 -> h_2 -> h_3
    4
    """
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    inputs = _step_labels(labels, T, "$x_{{{}}}$")
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y_in, y_h, y_out = 0.0, 1.3, 2.6

    def column(x, x_label, h_label, y_label):
        h = s.box(x, y_h, "hidden", h_label, w=0.62, h=0.5)
        xb = s.box(x, y_in, "input", x_label)
        s.arrow(xb.top, h.bottom, r"$W_{xh}$")
        if show_outputs:
            yb = s.box(x, y_out, "output", y_label)
            s.arrow(h.top, yb.bottom, r"$W_{hy}$")
        return h

    # Folded: one cell whose state feeds back into itself.
    folded = column(-2.15, "$x_t$", "$h_t$", "$y_t$")
    _self_loop(s, folded, r"$W_{hh}$")
    s.text(-0.58, y_h, "=", fontsize=FONT_SIZE + 6)

    # Unrolled: h_0, then the same cell T times. The pitch grows for wide labels.
    widest = max(_text_size(label, s.fontsize)[0] for label in inputs)
    pitch = max(1.1, widest + 0.65)
    prev = s.box(0.0, y_h, "hidden", "$h_0$", w=0.55, h=0.5, dashed=True)
    for t in range(1, T + 1):
        h = column(1.15 + (t - 1) * pitch, inputs[t - 1], f"$h_{{{t}}}$", f"$y_{{{t}}}$")
        s.arrow(prev.right, h.left, r"$W_{hh}$", side="above")
        prev = h
    return _finish([s], created)


def _pattern(s, title, n, inputs, outputs, gap=0.11):
    """One I/O pattern: ``n`` hidden states in a row, inputs and outputs at the given columns.

    ``inputs`` and ``outputs`` map a column to the text of its box ("" for none).
    """
    y_in, y_h, y_out = 0.0, 0.62, 1.24
    size = 0.28
    widths = [size] * n
    for col, text in outputs.items():
        if text:
            widths[col] = max(size, _text_size(text, s.fontsize)[0] + 0.14)
    # One pitch per panel, wide enough for its widest neighbouring pair of boxes.
    pitch = max([size + gap] + [(a + b) / 2 + 0.1 for a, b in pairwise(widths)])
    xs = [col * pitch for col in range(n)]
    prev = None
    for col, x in enumerate(xs):
        h = s.box(x, y_h, "hidden", w=size, h=size)
        if prev is not None:
            s.arrow(prev.right, h.left, head_size=9)
        prev = h
        if col in inputs:
            text = inputs[col] or None
            xb = s.box(x, y_in, "input", text, w=size, h=size, pad=0.1)
            s.arrow(xb.top, h.bottom, head_size=9)
        if col in outputs:
            text = outputs[col] or None
            yb = s.box(x, y_out, "output", text, w=widths[col], h=size, pad=0.1)
            s.arrow(h.top, yb.bottom, head_size=9)
    s.text(xs[-1] / 2, y_out + size / 2 + 0.16, title, va="bottom")


def draw_io_patterns(ax=None):
    r"""Draw the four input/output patterns of a recurrent network, side by side.

    From left to right: many-to-many with equal lengths (:math:`T_x = T_y`, e.g.
    tagging every input), many-to-one (:math:`T_x \to 1`, e.g. classifying a
    sequence), one-to-many (:math:`1 \to T_y`, e.g. a caption for an image,
    ending in :math:`\langle\mathrm{END}\rangle`) and encoder-decoder
    (:math:`T_x \to T_y`: read ``A B C D _``, then emit ``W X Y Z _``, each
    output fed back as the next input). Inputs are at the bottom, hidden
    states in the middle, outputs at the top.

    Parameters
    ----------
    ax : sequence of 4 matplotlib Axes, optional
        Where to draw the four panels. By default a new 1 x 4 figure about
        8.4 inches wide.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``ax`` is given but is not 4 axes.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_io_patterns()
    >>> len(fig.axes)
    4
    """
    created = ax is None
    if created:
        axes = _new_axes(4)
    else:
        axes = list(np.ravel(np.asarray(ax, dtype=object)))
        if len(axes) != 4:
            raise ValueError(f"ax must be 4 axes (one per panel), got {len(axes)}")
    sheets = [_Sheet(a, FONT_SIZE - 0.5) for a in axes]
    n = 3
    every = dict.fromkeys(range(n), "")
    _pattern(sheets[0], r"$T_x = T_y$", n, every, every)
    _pattern(sheets[1], r"$T_x \to 1$", n, every, {n - 1: ""})
    _pattern(
        sheets[2], r"$1 \to T_y$", n, {0: ""}, {**every, n - 1: r"$\langle\mathrm{END}\rangle$"}
    )
    read, emit = ["A", "B", "C", "D", "_"], ["W", "X", "Y", "Z", "_"]
    fed_back = read + emit[:-1]  # the decoder reads its own previous output
    _pattern(
        sheets[3],
        r"$T_x \to T_y$",
        len(fed_back),
        dict(enumerate(fed_back)),
        {len(read) - 1 + i: out for i, out in enumerate(emit)},
    )
    return _finish(sheets, created, gap=0.2)


def _number(value, fixed=True):
    """``value`` for mathtext: 3 decimals (``fixed``) or at most 3, with a unary minus.

    A bare ``-`` after a comma would be typeset as a binary minus, with space
    around it; ``{-}`` keeps it tight. A value that rounds to zero loses its sign.
    """
    value = float(value)
    if fixed:
        text = f"{value:.3f}"
    else:
        text = np.format_float_positional(value, precision=3, trim="-")
    if text.lstrip("-").strip("0.") == "":
        text = text.lstrip("-")
    return text.replace("-", "{-}")


def _vector_lines(v, per_line=2):
    """``v`` as mathtext lines such as ``$[0.537,\\ 0.462]$``, ``per_line`` entries a line."""
    entries = [_number(e) for e in v]
    rows = [entries[i : i + per_line] for i in range(0, len(entries), per_line)]
    lines = [r",\ ".join(row) for row in rows]
    lines = [line + ("," if i < len(lines) - 1 else "") for i, line in enumerate(lines)]
    lines[0] = "[" + lines[0]
    lines[-1] += "]"
    return [f"${line}$" for line in lines]


def draw_worked_example(xs, hs, ys, ax=None):
    r"""Draw a short run of the RNN with its numbers: inputs, states and outputs, step by step.

    Each step shows :math:`x_t` (below), the state :math:`h_t` with its entries
    to 3 decimals (in the cell) and :math:`y_t` (above), with
    :math:`h_0 \to h_1 \to \dots` along the middle. The numbers are whatever the
    page computed with the package; nothing is fixed here.

    Parameters
    ----------
    xs : array_like, shape (T,)
        The scalar input at each step.
    hs : array_like, shape (T, H)
        The state after each step: ``hs[t - 1]`` is :math:`h_t`.
    ys : array_like, shape (T,)
        The scalar output at each step.
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure sized to the numbers.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If the arrays do not have the shapes above or disagree on ``T``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_worked_example([1.0, 2.0], [[0.537, 0.462], [0.86, 0.884]], [0.3, 0.61])
    >>> "$[0.537,\\ 0.462]$" in [t.get_text() for t in fig.axes[0].texts]
    True
    >>> draw_worked_example([1.0, 2.0], [[0.5, 0.4]], [0.3, 0.6])
    Traceback (most recent call last):
    ...
    ValueError: hs has 1 rows but xs has 2 steps
    """
    xs, hs, ys = (as_float_array(n, v) for n, v in (("xs", xs), ("hs", hs), ("ys", ys)))
    if xs.ndim != 1 or len(xs) == 0:
        raise ValueError(f"xs must have shape (T,) with T >= 1, got shape {xs.shape}")
    T = len(xs)
    if hs.ndim != 2 or hs.shape[1] == 0:
        raise ValueError(f"hs must have shape (T, H), got shape {hs.shape}")
    if hs.shape[0] != T:
        raise ValueError(f"hs has {hs.shape[0]} rows but xs has {T} steps")
    if ys.shape != (T,):
        raise ValueError(f"ys has shape {ys.shape} but xs has {T} steps, expected ({T},)")

    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    line = 1.25 * s.fontsize / 72
    states = [_vector_lines(h) for h in hs]
    n_lines = 1 + max(len(v) for v in states)
    cell_h = n_lines * line + 0.14
    cell_w = max(_text_size(v, s.fontsize)[0] for lines in states for v in lines) + 0.24
    y_in, y_h = 0.0, 0.21 + 0.7 + cell_h / 2
    y_out = y_h + cell_h / 2 + 0.7 + 0.21
    pitch = cell_w + 0.75
    prev = s.box(-0.75 - 0.55 / 2, y_h, "hidden", "$h_0$", w=0.55, h=0.5, dashed=True)
    for t in range(1, T + 1):
        x = (t - 1) * pitch + cell_w / 2
        h = s.box(x, y_h, "hidden", w=cell_w, h=cell_h)
        top = y_h + (n_lines - 1) * line / 2
        for i, text in enumerate([f"$h_{{{t}}}$", *states[t - 1]]):
            s.text(x, top - i * line, text)
        s.arrow(prev.right, h.left, r"$W_{hh}$", side="above")
        xb = s.box(x, y_in, "input", f"$x_{{{t}}} = {_number(xs[t - 1], fixed=False)}$")
        s.arrow(xb.top, h.bottom, r"$W_{xh}$")
        yb = s.box(x, y_out, "output", f"$y_{{{t}}} = {_number(ys[t - 1])}$")
        s.arrow(h.top, yb.bottom, r"$W_{hy}$")
        prev = h
    return _finish([s], created)
