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

from ..validation import as_float_array

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


def _pattern(s, title, n, inputs, outputs, gap=0.11, feedback=()):
    """One I/O pattern: ``n`` hidden states in a row, inputs and outputs at the given columns.

    ``inputs`` and ``outputs`` map a column to the text of its box ("" for none);
    ``feedback`` lists columns whose output is the next column's input, drawn as
    a dashed arrow from the output box down to that input box.
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
    in_boxes, out_boxes = {}, {}
    for col, x in enumerate(xs):
        h = s.box(x, y_h, "hidden", w=size, h=size)
        if prev is not None:
            s.arrow(prev.right, h.left, head_size=9)
        prev = h
        if col in inputs:
            text = inputs[col] or None
            xb = in_boxes[col] = s.box(x, y_in, "input", text, w=size, h=size, pad=0.1)
            s.arrow(xb.top, h.bottom, head_size=9)
        if col in outputs:
            text = outputs[col] or None
            yb = out_boxes[col] = s.box(x, y_out, "output", text, w=widths[col], h=size, pad=0.1)
            s.arrow(h.top, yb.bottom, head_size=9)
    for col in feedback:  # the output of this column is the input of the next
        written, read = out_boxes[col], in_boxes[col + 1]
        start = (written.right[0], written.bottom[1])
        arrow = s.arrow(start, (read.left[0], read.top[1]), head_size=7)
        arrow.set_linestyle("--")
        arrow.set_gid("feedback")
    s.text(xs[-1] / 2, y_out + size / 2 + 0.16, title, va="bottom")


def draw_io_patterns(ax=None):
    r"""Draw the four input/output patterns of a recurrent network, side by side.

    From left to right: many-to-many with equal lengths (:math:`T_x = T_y`, e.g.
    tagging every input), many-to-one (:math:`T_x \to 1`, e.g. classifying a
    sequence), one-to-many (:math:`1 \to T_y`, e.g. a caption for an image,
    ending in :math:`\langle\mathrm{END}\rangle`) and encoder-decoder
    (:math:`T_x \to T_y`: read ``A B C D _``, then emit ``W X Y Z _``, each
    output fed back as the next input along a dashed arrow). Inputs are at
    the bottom, hidden states in the middle, outputs at the top.

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
    first_output = len(read) - 1
    _pattern(
        sheets[3],
        r"$T_x \to T_y$",
        len(fed_back),
        dict(enumerate(fed_back)),
        {first_output + i: out for i, out in enumerate(emit)},
        gap=0.14,  # room between the columns for the dashed arrows
        feedback=range(first_output, first_output + len(emit) - 1),
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


# The gradient's colour in draw_bptt: Okabe & Ito's reddish purple, on thick
# arrows, so the backward pass stands out from the thin grey forward one.
_GRADIENT = "#CC79A7"
_FORWARD = _tint(PALETTE["ink"], 0.35)


def draw_bptt(T: int = 4, ax=None):
    r"""Draw backpropagation through time: the unrolled network with its gradients flowing back.

    The forward pass is drawn light: :math:`x_t \to h_t`, :math:`h_{t-1} \to h_t`,
    :math:`h_t \to y_t \to L_t`. The backward pass is drawn in thick, coloured
    arrows: from every loss term :math:`L_t` down to :math:`y_t` (labelled
    :math:`\partial L_t/\partial y_t`) and on to :math:`h_t`, and along the
    chain of states from :math:`h_T` back to :math:`h_0` (labelled
    :math:`dh_{\mathrm{next}}`). Every state but the last thus receives two
    gradients, one from its own output and one from the step after it.

    Parameters
    ----------
    T : int, default 4
        The number of time steps (1 or more).
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure about ``1.45 T + 1.3`` inches wide.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``T`` is not a positive integer.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_bptt(T=3)
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> texts.count(r"$dh_{\mathrm{next}}$")  # h_3 -> h_2 and h_2 -> h_1
    2
    >>> r"$\partial L_{3}/\partial y_{3}$" in texts
    True
    """
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y_in, y_h, y_out, y_loss = 0.0, 1.05, 2.35, 3.5
    off = 0.12  # a forward arrow and its backward partner run side by side
    box_w, box_h = 0.62, 0.5

    def forward(start, end):
        patch = s.arrow(start, end, head_size=11)
        patch.set_color(_FORWARD)
        patch.set_linewidth(1.0)

    def backward(start, end, label=None, side="right"):
        patch = s.arrow(start, end, head_size=15)
        patch.set_color(_GRADIENT)
        patch.set_linewidth(2.6)
        patch.set_zorder(3.5)
        if label is not None:
            mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
            if side == "right":
                s.text(mx + _GAP, my, label, ha="left")
            else:  # below
                s.text(mx, my - _GAP, label, va="top")

    carried = r"$dh_{\mathrm{next}}$"
    first = r"$dh_0$"
    dy_labels = [rf"$\partial L_{{{t}}}/\partial y_{{{t}}}$" for t in range(1, T + 1)]
    widest_dy = max(_text_size(label, s.fontsize)[0] for label in dy_labels)
    widest_dh = max(_text_size(label, s.fontsize)[0] for label in (carried, first))
    # Wide enough for a gradient label beside each vertical arrow and under each horizontal one.
    pitch = max(box_w + widest_dh + 0.3, off + _GAP + widest_dy + off + 0.25)

    prev = s.box(0.0, y_h, "hidden", "$h_0$", w=0.55, h=box_h, dashed=True)
    for t in range(1, T + 1):
        x = 0.55 / 2 + pitch - box_w / 2 + (t - 1) * pitch
        h = s.box(x, y_h, "hidden", f"$h_{{{t}}}$", w=box_w, h=box_h)
        xb = s.box(x, y_in, "input", f"$x_{{{t}}}$")
        yb = s.box(x, y_out, "output", f"$y_{{{t}}}$")
        lb = s.box(x, y_loss, "op", f"$L_{{{t}}}$")
        forward(xb.top, h.bottom)
        forward((x - off, h.top[1]), (x - off, yb.bottom[1]))
        forward((x - off, yb.top[1]), (x - off, lb.bottom[1]))
        forward((prev.right[0], y_h + off), (h.left[0], y_h + off))
        backward((x + off, lb.bottom[1]), (x + off, yb.top[1]), dy_labels[t - 1])
        backward((x + off, yb.bottom[1]), (x + off, h.top[1]))
        label = first if t == 1 else carried
        backward((h.left[0], y_h - off), (prev.right[0], y_h - off), label, side="below")
        prev = h
    return _finish([s], created)


__all__.append("draw_bptt")


def _op_node(sheet, x, y, kind, r=0.16):
    """A round operator node drawn from lines, so it needs no font: ``"plus"`` or ``"odot"``."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    ax = sheet.ax
    ax.add_patch(
        Circle(
            (x, y),
            r,
            facecolor=_FILL["op"],
            edgecolor=_EDGE["op"],
            linewidth=_LINE_WIDTH,
            zorder=3.2,
        )
    )
    if kind == "plus":
        for dx, dy in ((0.6 * r, 0), (0, 0.6 * r)):
            ax.add_line(
                Line2D(
                    [x - dx, x + dx],
                    [y - dy, y + dy],
                    color=PALETTE["ink"],
                    linewidth=_LINE_WIDTH,
                    zorder=3.3,
                )
            )
    else:  # odot: the element-wise product, a dot in the circle
        ax.add_patch(Circle((x, y), 0.22 * r, color=PALETTE["ink"], zorder=3.3))
    sheet.include(x - r, y - r, x + r, y + r)
    return _Box(x, y, 2 * r, 2 * r)


def draw_lstm_cell(ax=None):
    r"""Draw one LSTM cell: four gates, the cell state on top, the hidden state below.

    The cell state runs straight along the top, :math:`c_{t-1} \to c_t`: it is
    multiplied (:math:`\odot`) by the forget gate :math:`f_t` and then gets
    :math:`i_t \odot g_t` added (:math:`\oplus`), and nothing else touches it.
    Below, :math:`h_{t-1}` (from the left) and :math:`x_t` (from below) feed
    the four gate boxes, :math:`\sigma` for :math:`f_t`, :math:`i_t` and
    :math:`o_t` and :math:`\tanh` for the candidate :math:`g_t`, in the order
    in which they act on the cell state, left to right. On the right
    :math:`\tanh(c_t)` is multiplied by :math:`o_t` to give :math:`h_t`, which
    leaves to the right (the next step) and upward (the next layer or the
    output).

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure of about 8.0 x 5.2 inches.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_lstm_cell()
    >>> texts = {t.get_text() for t in fig.axes[0].texts}
    >>> sorted(s for s in texts if s.endswith("_t$"))
    ['$c_t$', '$f_t$', '$g_t$', '$h_t$', '$i_t$', '$o_t$', '$x_t$']
    """
    from matplotlib.patches import Circle
    from matplotlib.path import Path

    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y_c, y_mid, y_gate, y_bus = 3.0, 2.05, 1.15, 0.4  # the cell state, i * g, gates, input bus
    x_f, x_i, x_g, x_o, x_out = 0.9, 1.9, 2.9, 3.9, 4.9  # gate columns; the tanh(c) column
    fork_x, right = 5.65, 6.2  # where h_t splits; the cell's right edge
    s.box(right / 2, 1.75, "hidden", w=right, h=3.5, zorder=1)  # the cell, under everything
    dot = dict(color=PALETTE["ink"], zorder=3.3)

    # The cell state: a straight line along the top, touched only by * f and + i g.
    times_f = _op_node(s, x_f, y_c, "odot")
    plus = _op_node(s, x_g, y_c, "plus")
    s.text(-0.42, y_c, r"$c_{t-1}$", ha="right")
    s.arrow((-0.36, y_c), times_f.left)
    s.arrow(times_f.right, plus.left)
    s.arrow(plus.right, (right + 0.55, y_c))
    s.text(right + 0.62, y_c, r"$c_t$", ha="left")

    # The input bus: h_{t-1} from the left and x_t from below, fed to every gate.
    s.text(-0.42, y_bus, r"$h_{t-1}$", ha="right")
    s.arrow((-0.36, y_bus), (x_o, y_bus), head=False)
    x_box = s.box(0.3, -0.6, "input", r"$x_t$")
    s.arrow(x_box.top, (0.3, y_bus), head=False)
    ax.add_patch(Circle((0.3, y_bus), 0.045, **dot))
    gates = {}
    for x, name, fn in (
        (x_f, "f", r"$\sigma$"),
        (x_i, "i", r"$\sigma$"),
        (x_g, "g", r"$\tanh$"),
        (x_o, "o", r"$\sigma$"),
    ):
        gates[name] = s.box(x, y_gate, "op", fn, w=0.62, h=0.44)
        s.arrow((x, y_bus), gates[name].bottom)
        if x != x_o:
            ax.add_patch(Circle((x, y_bus), 0.045, **dot))

    # f_t up to the cell state; i_t and g_t meet, and their product goes up to the +.
    s.arrow(gates["f"].top, times_f.bottom, r"$f_t$")
    times_ig = _op_node(s, x_g, y_mid, "odot")
    s.arrow(gates["g"].top, times_ig.bottom, r"$g_t$")
    corner = (x_i, y_mid)
    s.arrow(None, None, path=Path([gates["i"].top, corner, times_ig.left]))
    s.text(x_i + _GAP, (gates["i"].top[1] + y_mid) / 2, r"$i_t$", ha="left")
    s.arrow(times_ig.top, plus.bottom)

    # The output: tanh(c_t), times o_t, is h_t.
    ax.add_patch(Circle((x_out, y_c), 0.045, **dot))
    squash = s.box(x_out, y_mid, "op", r"$\tanh$", w=0.72, h=0.44)
    s.arrow((x_out, y_c), squash.top)
    times_o = _op_node(s, x_out, y_gate, "odot")
    s.arrow(squash.bottom, times_o.top)
    s.arrow(gates["o"].right, times_o.left, r"$o_t$", side="below")
    s.arrow(times_o.right, (fork_x, y_gate), head=False)
    ax.add_patch(Circle((fork_x, y_gate), 0.045, **dot))
    s.arrow((fork_x, y_gate), (right + 0.55, y_gate))
    s.text(right + 0.62, y_gate, r"$h_t$", ha="left")
    s.arrow((fork_x, y_gate), (fork_x, 3.95))
    s.text(fork_x, 4.02, r"$h_t$", va="bottom")
    return _finish([s], created)


__all__.append("draw_lstm_cell")


def draw_gru_cell(ax=None, *, form: str = "reset_after"):
    r"""Draw one GRU cell: two gates, the candidate and the interpolation of the state.

    The state :math:`h_{t-1}` runs along the top, is scaled by the update gate
    (:math:`z \odot h_{t-1}`), receives :math:`(1 - z) \odot n` at a
    :math:`\oplus` node and leaves as :math:`h_t`, to the right (the next step)
    and upward (the output layer or the next layer); this is
    :math:`h_t = (1 - z) \odot n + z \odot h_{t-1}`, the orientation of
    :func:`rnn_tutorial.gru_step_forward`. Below it, :math:`h_{t-1}` and
    :math:`x_t` meet on one line that feeds the two :math:`\sigma` boxes, the
    reset gate r and the update gate z; each box applies its own affine map
    and then :math:`\sigma`. The candidate's :math:`\tanh` box takes
    :math:`x_t` from below (with its own affine map) and, from the left, the
    hidden part of its pre-activation, where the two published forms differ:
    with ``form="reset_after"`` the box :math:`\cdot W_{hn} + b_{hn}` comes
    before the reset gate's :math:`\odot`, :math:`r \odot (h_{t-1} W_{hn} + b_{hn})`;
    with ``form="textbook"`` it comes after, :math:`(r \odot h_{t-1}) W_{hn} + b_{hn}`.
    The path of :math:`z` up to the state crosses that line without joining it.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure of about 7.5 x 5.5 inches.
    form : {"reset_after", "textbook"}, default "reset_after"
        Which GRU to draw, as in :func:`rnn_tutorial.gru_step_forward`.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``form`` is not one of the two names.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_gru_cell()
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> texts.count(r"$\sigma$"), texts.count(r"$\tanh$")
    (2, 1)
    >>> draw_gru_cell(form="cuDNN")
    Traceback (most recent call last):
    ...
    ValueError: form must be "reset_after" or "textbook", got 'cuDNN'
    """
    from matplotlib.lines import Line2D
    from matplotlib.patches import Circle

    from ..cells.gru import _check_form

    _check_form(form)  # the same two names, and the same message, as the cell itself
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    r_node = 0.16  # the radius of _op_node's circles

    def joint(x, y):
        """A dot where a line branches."""
        ax.add_patch(Circle((x, y), 0.045, color=PALETTE["ink"], zorder=3.3))

    def line(*points, head=True):
        """A polyline through ``points``, with an arrow head on its last segment."""
        for a, b in zip(points[:-2], points[1:-1], strict=True):
            s.arrow(a, b, head=False)
        return s.arrow(points[-2], points[-1], head=head)

    # Heights: the x_t branch, the shared input line, the gates, the candidate's
    # hidden path, the (1 - z) line and the state.
    y_x, y_in, y_gate, y_reset, y_mix, y_state = 0.3, 0.75, 1.42, 2.15, 2.8, 3.4
    x_drop, x_in, x_z, x_mix = 0.3, 0.7, 3.55, 4.75
    top = y_state + 0.35
    s.box(2.75, top / 2, "hidden", w=5.5, h=top, zorder=1)

    # The state line: h_{t-1} -> (z *) -> (+) -> h_t.
    s.text(-0.45, y_state, r"$h_{t-1}$", ha="right")
    keep = _op_node(s, x_z, y_state, "odot")
    add = _op_node(s, x_mix, y_state, "plus")
    s.arrow((-0.38, y_state), keep.left)
    s.arrow(keep.right, add.left)
    joint(x_drop, y_state)
    fork = (5.15, y_state)
    s.arrow(add.right, fork, head=False)
    joint(*fork)
    s.arrow(fork, (6.3, y_state))
    s.text(6.37, y_state, r"$h_t$", ha="left")
    s.arrow(fork, (fork[0], top + 0.5))
    s.text(fork[0], top + 0.57, r"$h_t$", va="bottom")

    # h_{t-1} goes down the left side; x_t joins it on the line feeding both gates.
    joint(x_drop, y_reset)
    line((x_drop, y_state), (x_drop, y_in), (x_z, y_in), head=False)
    x_box = s.box(x_in, -0.65, "input", r"$x_t$")
    s.arrow(x_box.top, (x_in, y_in), head=False)
    joint(x_in, y_in)
    joint(x_in, y_x)

    # The reset path into the candidate: the affine map before or after r's product.
    affine_text = r"$\cdot\, W_{hn} + b_{hn}$"
    affine_w = _text_size(affine_text, s.fontsize)[0] + 0.2
    if form == "reset_after":
        x_affine, x_reset = x_drop + 0.35 + affine_w / 2, x_drop + 0.7 + affine_w + r_node
    else:
        x_reset, x_affine = x_drop + 0.85 + r_node, x_drop + 1.2 + 2 * r_node + affine_w / 2
    affine = s.box(x_affine, y_reset, "op", affine_text, w=affine_w, h=0.44)
    reset = _op_node(s, x_reset, y_reset, "odot")
    first, second = (affine, reset) if form == "reset_after" else (reset, affine)
    s.arrow((x_drop, y_reset), first.left)
    s.arrow(first.right, second.left)

    # The gates, each an affine map of [h_{t-1}, x_t] and a sigmoid.
    r_box = s.box(x_reset, y_gate, "op", r"$\sigma$", w=0.55, h=0.44)
    z_box = s.box(x_z, y_gate, "op", r"$\sigma$", w=0.55, h=0.44)
    joint(x_reset, y_in)
    s.arrow((x_reset, y_in), r_box.bottom)
    s.arrow((x_z, y_in), z_box.bottom)
    s.arrow(r_box.top, reset.bottom)
    s.text(x_reset + _GAP, (r_box.top[1] + reset.bottom[1]) / 2, "$r$", ha="left")

    # The candidate n = tanh(x_t W_xn + b_xn + the reset path).
    cand = s.box(x_mix, y_reset, "op", r"$\tanh$", w=0.72, h=0.44)
    s.arrow(second.right, cand.left)
    # Where the line of z crosses this one, z's line is broken: a short stretch
    # of it is covered in the cell's colour and this line drawn again on top.
    for xs, ys, colour, width, z in (
        ([x_z, x_z], [y_reset - 0.09, y_reset + 0.09], _FILL["hidden"], 4 * _LINE_WIDTH, 3.05),
        ([x_z - 0.1, x_z + 0.1], [y_reset, y_reset], PALETTE["ink"], _LINE_WIDTH, 3.1),
    ):
        ax.add_line(Line2D(xs, ys, color=colour, linewidth=width, zorder=z))
    line((x_in, y_x), (x_mix, y_x), cand.bottom)

    # z scales the old state; 1 - z scales the candidate; the sum is h_t.
    mix = _op_node(s, x_mix, y_mix, "odot")
    one_minus = s.box((x_z + x_mix) / 2, y_mix, "op", "$1-$", w=0.5, h=0.4)
    s.arrow(z_box.top, keep.bottom)
    s.text(x_z - _GAP, (z_box.top[1] + y_reset) / 2, "$z$", ha="right")
    joint(x_z, y_mix)
    s.arrow((x_z, y_mix), one_minus.left)
    s.arrow(one_minus.right, mix.left)
    s.arrow(cand.top, mix.bottom)
    s.text(x_mix + _GAP, (cand.top[1] + mix.bottom[1]) / 2, "$n$", ha="left")
    s.arrow(mix.top, add.bottom)
    return _finish([s], created)


__all__.append("draw_gru_cell")


# ---------------------------------------------------------------------- bidirectional RNN


def draw_bidirectional_rnn(T: int = 4, ax=None, *, labels=None):
    r"""Draw a bidirectional RNN unrolled over ``T`` steps.

    Two chains read the same inputs: the forward states :math:`h_t` pass
    left to right from :math:`h_0`, the backward states :math:`h'_t` right to
    left from :math:`h'_{T+1}`. Every output :math:`y_t` has an arrow from
    both, one per direction; the two chains share no arrow and no weight.

    Parameters
    ----------
    T : int, default 4
        The number of time steps (1 or more).
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure about ``1.5 T + 1.5`` inches wide.
    labels : sequence of str, optional
        The input labels, one per step; by default :math:`x_1, \dots, x_T`.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_bidirectional_rnn(T=3)
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> texts.count("$h'_{2}$"), "$h'_{4}$" in texts, "$h_{0}$" in texts
    (1, True, True)
    """
    if isinstance(T, bool) or not isinstance(T, int | np.integer) or T < 1:
        raise ValueError(f"T must be a positive integer, got {T!r}")
    inputs = _step_labels(labels, T, "$x_{{{}}}$")
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y_in, y_fwd, y_bwd, y_out = 0.0, 1.3, 2.5, 3.8
    shift = 0.3  # the two chains sit either side of the column, so no arrow crosses a box
    widest = max(_text_size(label, s.fontsize)[0] for label in inputs)
    pitch = max(1.55, widest + 0.9)
    columns = [1.2 + t * pitch for t in range(T)]
    fwd, bwd = [], []
    for t, x in enumerate(columns, start=1):
        xb = s.box(x, y_in, "input", inputs[t - 1])
        h = s.box(x - shift, y_fwd, "hidden", f"$h_{{{t}}}$", w=0.62, h=0.5)
        hb = s.box(x + shift, y_bwd, "hidden", f"$h'_{{{t}}}$", w=0.62, h=0.5)
        yb = s.box(x, y_out, "output", f"$y_{{{t}}}$")
        s.arrow((xb.top[0] - 0.1, xb.top[1]), h.bottom)
        s.arrow((xb.top[0] + 0.1, xb.top[1]), hb.bottom)
        s.arrow(h.top, (yb.bottom[0] - 0.1, yb.bottom[1]))
        s.arrow(hb.top, (yb.bottom[0] + 0.1, yb.bottom[1]))
        fwd.append(h)
        bwd.append(hb)
    start = s.box(
        columns[0] - pitch + shift, y_fwd, "hidden", "$h_{0}$", w=0.55, h=0.5, dashed=True
    )
    end = s.box(
        columns[-1] + pitch - shift,
        y_bwd,
        "hidden",
        f"$h'_{{{T + 1}}}$",
        w=0.7,
        h=0.5,
        dashed=True,
    )
    for a, b in pairwise([start, *fwd]):
        s.arrow(a.right, b.left)
    for a, b in pairwise([*bwd, end]):
        s.arrow(b.left, a.right)
    return _finish([s], created)


__all__.append("draw_bidirectional_rnn")


# ----------------------------------------------------------------------------- encoder-decoder


def _symbols(name: str, symbols) -> list[str]:
    if isinstance(symbols, str):
        symbols = list(symbols)
    symbols = list(symbols)
    if not symbols or not all(isinstance(s, str) and s.strip() for s in symbols):
        raise ValueError(
            f"{name} must be a non-empty sequence of non-blank strings, got {symbols!r}"
        )
    return symbols


def draw_encoder_decoder(source="ABCD", target="WXYZ", *, end="_", ax=None):
    r"""Draw an encoder-decoder unrolled: the source read to its end, then the answer written.

    Left, the encoder's states :math:`h_1, \dots, h_S` read the source and
    then the end symbol, with no output. Its last state is the decoder's
    initial state :math:`s_0` (the thick arrow). Right, the decoder's states
    :math:`s_1, s_2, \dots` read the end symbol first and then, along the
    dashed arrows, the symbol written one step before; they write the target
    and finally the end symbol.

    Parameters
    ----------
    source, target : str or sequence of str, default "ABCD" and "WXYZ"
        The symbols, one per step, without the end symbol.
    end : str, default "_"
        The end symbol.
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure sized to the drawing.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    ValueError
        If ``source``, ``target`` or ``end`` is empty or not made of strings.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_encoder_decoder("ABC", "XY")
    >>> texts = [t.get_text() for t in fig.axes[0].texts]
    >>> texts.count("_")  # read by the encoder, read first and written last by the decoder
    3
    >>> "$s_0 = h_{4}$" in texts
    True
    """
    source, target = _symbols("source", source), _symbols("target", target)
    (end,) = _symbols("end", [end])
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    y_in, y_h, y_out = 0.0, 1.3, 2.6
    read, fed, written = [*source, end], [end, *target], [*target, end]
    widest = max(_text_size(t, s.fontsize)[0] for t in read + fed)
    box_w = 0.56
    pitch = max(0.82, widest + 0.45)  # ten columns for "ABCD" stay under 9 inches
    handoff = rf"$s_0 = h_{{{len(read)}}}$"
    # the hand-off arrow is longer than the others, to hold its label
    gap = max(0.0, _text_size(handoff, s.fontsize)[0] + 0.3 - (pitch - box_w))

    prev = None
    for j, symbol in enumerate(read):
        h = s.box(j * pitch, y_h, "hidden", f"$h_{{{j + 1}}}$", w=box_w, h=0.5)
        s.arrow(s.box(j * pitch, y_in, "input", symbol).top, h.bottom)
        if prev is not None:
            s.arrow(prev.right, h.left)
        prev = h

    x0 = len(read) * pitch + gap
    written_before = None
    for t, (symbol_in, symbol_out) in enumerate(zip(fed, written, strict=True)):
        x = x0 + t * pitch
        state = s.box(x, y_h, "hidden", f"$s_{{{t + 1}}}$", w=box_w, h=0.5)
        x_box = s.box(x, y_in, "input", symbol_in)
        y_box = s.box(x, y_out, "output", symbol_out)
        s.arrow(x_box.top, state.bottom)
        s.arrow(state.top, y_box.bottom)
        if t == 0:  # the encoder's final state starts the decoder
            patch = s.arrow(prev.right, state.left, handoff, side="above")
            patch.set_linewidth(3 * _LINE_WIDTH)
            patch.set_color(PALETTE["hidden"])
        else:
            s.arrow(prev.right, state.left)
            # the symbol written at the step before is this step's input
            start = (written_before.right[0], written_before.bottom[1])
            s.arrow(start, (x_box.left[0], x_box.top[1])).set_linestyle("--")
        prev, written_before = state, y_box
    return _finish([s], created)


__all__.append("draw_encoder_decoder")


# ------------------------------------------------------------------ attention


def draw_attention(S: int = 4, ax=None):
    r"""Draw one decoder step with attention: every encoder state weighed, summed, read.

    Bottom, the encoder's states :math:`h_1, \dots, h_S`. Each sends its state
    to the sum node along an arrow labelled with its weight :math:`a_{t,j}`;
    the dashed arrow from the previous decoder state :math:`s_{t-1}` (the
    query) to the sum node marks that the weights are computed from it. The
    sum is the context vector :math:`c_t`, which enters the decoder's step
    :math:`s_t` beside the previous symbol :math:`y_{t-1}` and reaches the
    output :math:`y_t` too.

    Parameters
    ----------
    S : int, default 4
        Source positions, 1 to 6.
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the drawing.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_attention(3)
    >>> sorted(t.get_text() for t in fig.axes[0].texts if t.get_text().startswith("$a"))
    ['$a_{t,1}$', '$a_{t,2}$', '$a_{t,3}$']
    """
    if not (isinstance(S, int | np.integer) and not isinstance(S, bool) and 1 <= S <= 6):
        raise ValueError(f"S must be an integer from 1 to 6, got {S!r}")
    created = ax is None
    if created:
        ax = _new_axes()[0]
    sheet = _Sheet(ax)
    pitch, y_h, y_sum, y_c = 1.0, 0.0, 1.9, 2.9
    middle = (S - 1) * pitch / 2
    total = _op_node(sheet, middle, y_sum, "plus", r=0.2)
    for j in range(S):
        h = sheet.box(j * pitch, y_h, "hidden", f"$h_{{{j + 1}}}$", w=0.56, h=0.5)
        end = total.x + (h.x - total.x) * 0.12, total.y - total.h / 2
        sheet.arrow(h.top, end)
        # the weight beside the arrow, a third of the way up, where the arrows are apart
        lx = h.x + (end[0] - h.x) * 0.3
        ly = h.top[1] + (end[1] - h.top[1]) * 0.3
        sheet.text(lx - _GAP, ly, f"$a_{{t,{j + 1}}}$", ha="right")
    context = sheet.box(middle, y_c, "hidden", "$c_t$", w=0.56, h=0.5)
    sheet.arrow((total.x, total.y + total.h / 2), context.bottom)
    x_dec = max(middle, (S - 1) * pitch) + 1.6
    previous = sheet.box(x_dec, y_sum, "hidden", "$s_{t-1}$", w=0.7, h=0.5)
    state = sheet.box(x_dec, y_c, "hidden", "$s_t$", w=0.7, h=0.5)
    sheet.arrow((previous.left[0], previous.y), (total.x + total.w / 2, total.y)).set_linestyle(
        "--"
    )
    sheet.arrow(previous.top, state.bottom)
    sheet.arrow(context.right, state.left)
    symbol = sheet.box(x_dec + 1.25, y_c, "input", "$y_{t-1}$")
    sheet.arrow(symbol.left, state.right)
    output = sheet.box(x_dec, y_c + 1.1, "output", "$y_t$")
    sheet.arrow(state.top, output.bottom)
    sheet.arrow(context.top, (output.left[0], output.y))
    return _finish([sheet], created)


__all__.append("draw_attention")


# ------------------------------------------------------------------ stacked layers and dropout

STACK_DROPOUT = ("none", "between", "non_recurrent")


def draw_stacked_rnn(L: int = 3, T: int = 4, ax=None, *, dropout: str = "none"):
    r"""Draw a stack of ``L`` recurrent layers unrolled over ``T`` steps.

    Row :math:`\ell` is layer :math:`\ell`, started from :math:`h^{(\ell)}_0`;
    its horizontal arrows are the recurrence :math:`h^{(\ell)}_{t-1} \to
    h^{(\ell)}_t`, with the same weights :math:`W^{(\ell)}` at every step. The
    vertical arrows carry :math:`h^{(\ell-1)}_t` up to layer :math:`\ell` at the
    same step. Arrows where dropout acts are dashed; the recurrent arrows are
    always solid.

    Parameters
    ----------
    L, T : int, default 3 and 4
        Layers and time steps (1 or more each).
    ax : matplotlib Axes, optional
        Where to draw; by default a new figure sized to the drawing.
    dropout : {"none", "between", "non_recurrent"}, default "none"
        Which arrows to dash: none; those between recurrent layers (PyTorch's
        ``num_layers`` dropout, :func:`~rnn_tutorial.layers.stacked.stack_forward`);
        or every non-recurrent arrow, the input's and the output's included
        (Zaremba et al. 2014).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from matplotlib.patches import FancyArrowPatch
    >>> fig = draw_stacked_rnn(L=2, T=3, dropout="between")
    >>> arrows = [p for p in fig.axes[0].patches if isinstance(p, FancyArrowPatch)]
    >>> sum(a.get_linestyle() == "--" for a in arrows)  # layer 1 to layer 2, at 3 steps
    3
    """
    for name, value in (("L", L), ("T", T)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if dropout not in STACK_DROPOUT:
        raise ValueError(f"dropout must be one of {', '.join(STACK_DROPOUT)}, got {dropout!r}")
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    pitch_x, pitch_y = 1.35, 1.05
    x_first = 1.25

    def vertical(start, end, dashed):
        patch = s.arrow(start, end)
        if dashed:
            patch.set_linestyle("--")

    rows = []
    for ell in range(1, L + 1):
        y = ell * pitch_y
        prev = s.box(0.0, y, "hidden", f"$h^{{({ell})}}_0$", w=0.72, h=0.5, dashed=True)
        row = []
        for t in range(1, T + 1):
            h = s.box(
                x_first + (t - 1) * pitch_x, y, "hidden", f"$h^{{({ell})}}_{{{t}}}$", w=0.72, h=0.5
            )
            s.arrow(prev.right, h.left)  # the recurrence: never dropped
            row.append(h)
            prev = h
        rows.append(row)
    for t in range(T):
        x = x_first + t * pitch_x
        xb = s.box(x, 0.0, "input", f"$x_{{{t + 1}}}$")
        vertical(xb.top, rows[0][t].bottom, dropout == "non_recurrent")
        for ell in range(1, L):
            vertical(rows[ell - 1][t].top, rows[ell][t].bottom, dropout != "none")
        yb = s.box(x, (L + 1) * pitch_y, "output", f"$y_{{{t + 1}}}$")
        vertical(rows[-1][t].top, yb.bottom, dropout == "non_recurrent")
    return _finish([s], created)


__all__ += ["STACK_DROPOUT", "draw_stacked_rnn"]


# ----------------------------------------------------------------------------- padded batch


def draw_padded_batch(seqs=((3, 1, 4, 1, 5), (9, 2, 6), (5, 3, 5, 8), (9, 7)), ax=None, *, pad=0):
    r"""Draw a padded batch of token sequences, its lengths and its mask.

    On the left the batch :math:`X` of shape (N, T): row n holds sequence n
    and, after its end, the value ``pad`` in dashed cells. Beside it the
    lengths :math:`T_n`, and on the right the mask :math:`M` of
    :func:`~rnn_tutorial.length_mask`, 1 at the valid positions and 0 at the
    padded ones.

    Parameters
    ----------
    seqs : sequence of sequences of int
        The token ids of every sequence, each at least one long.
    ax : matplotlib Axes, optional
        Where to draw. By default a new figure sized to the drawing.
    pad : int, default 0
        The padding value written after each sequence.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> fig = draw_padded_batch([[7, 8, 9], [4]])
    >>> shown = [t.get_text() for t in fig.axes[0].texts]
    >>> shown.count("0"), shown.count("1")  # 2 pads, 2 mask zeros; 4 mask ones, length 1
    (4, 5)
    """
    from ..data.batching import pad_sequences
    from ..timeaxis import length_mask

    if isinstance(seqs, str) or not all(np.ndim(s) == 1 for s in seqs):
        raise ValueError("seqs must be a list of 1-D sequences of token ids")
    batch, lengths = pad_sequences([list(s) for s in seqs], pad=pad)
    mask = length_mask(lengths, batch.shape[1])
    N, T = batch.shape
    created = ax is None
    if created:
        ax = _new_axes()[0]
    s = _Sheet(ax)
    cell, gap = 0.5, 0.06
    step = cell + gap
    x_lengths = T * step + 0.45
    x_mask = x_lengths + 0.75
    top = (N - 1) * step
    s.text((T - 1) * step / 2, top + 0.55, "$X$")
    s.text(x_lengths, top + 0.55, "$T_n$")
    s.text(x_mask + (T - 1) * step / 2, top + 0.55, "$M$")
    for n in range(N):
        y = top - n * step
        for t in range(T):
            valid = bool(mask[n, t])
            s.box(
                t * step,
                y,
                "input" if valid else "op",
                str(batch[n, t]),
                w=cell,
                h=cell,
                dashed=not valid,
            )
            s.box(
                x_mask + t * step,
                y,
                "hidden" if valid else "op",
                "1" if valid else "0",
                w=cell,
                h=cell,
                dashed=not valid,
            )
        s.text(x_lengths, y, str(lengths[n]))
    return _finish([s], created)


__all__.append("draw_padded_batch")
