"""Value labels on the briefing's charts that never overlap one another nor cover a point.

Each chart collects its labels (:class:`ValueLabel`: the point, the text, the offsets it
may take in order of preference) while it draws, and :func:`place_labels` draws them once
the figure is laid out: each label takes the first offset (then, beside a line chart's
marker, its right or left) where it stays inside its axes and covers neither a label
already placed nor a marker. A label with no such place is left out; the chart then says
so under it (:data:`LABELS_LEFT_OUT`) and the briefing's tables give the value.

Example:
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(4, 3))
    >>> ax = fig.subplots()
    >>> _ = ax.plot([2023, 2024], [550, 9487], "o"), ax.set_ylim(0, 11000), ax.set_xlim(2022, 2025)
    >>> labels = [ValueLabel(ax, 2023, 550, "550", "k", ((0, 10),), marker=True),
    ...           ValueLabel(ax, 2023, 560, "560", "k", ((0, 10),), marker=True),
    ...           ValueLabel(ax, 2023, 570, "570", "k", ((0, 10),), marker=True),
    ...           ValueLabel(ax, 2023, 580, "580", "k", ((0, 10),), marker=True)]
    >>> place_labels(fig, labels)  # above, right, left: the fourth has no place left
    1
    >>> [t.xyann[0] > 0 for t in ax.texts]
    [False, True, False]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass
class ValueLabel:
    """A value's label, placed by :func:`place_labels` at the first offset where it covers no other.

    Attributes:
        ax: The axes it belongs to.
        x: The point's x (data).
        y: The point's y (data).
        text: The label.
        colour: Its colour.
        offsets: Offsets (points) of the label's centre from the point, in order of preference.
        size: Font size (points).
        marker: The point is drawn as a marker (a line chart's): no label covers it, and
            the label may also go to its right or left.
    """

    ax: object
    x: float
    y: float
    text: str
    colour: str
    offsets: tuple[tuple[float, float], ...]
    size: float = 8.0
    marker: bool = False


#: A label's width per character, in ems (digits, separators and % in the chart font, with a margin).
_CHAR_EM = 0.62
#: Half a marker's size (points): a line chart's point covers a square this far round it.
_MARKER_HALF = 4.5
#: The line under a chart when a label was left out.
LABELS_LEFT_OUT = "部分数值标签与其他标签重叠，未标出（数值见表格）"


def _label_box(label: ValueLabel, offset: tuple[float, float], scale: float) -> tuple[float, float, float, float]:
    """The label's box in display pixels (x0, y0, x1, y1) at an offset (points) from its point."""
    px, py = label.ax.transData.transform((label.x, label.y))  # type: ignore[attr-defined]
    width = len(label.text) * _CHAR_EM * label.size * scale
    height = 1.2 * label.size * scale
    cx, cy = px + offset[0] * scale, py + offset[1] * scale
    return cx - width / 2, cy - height / 2, cx + width / 2, cy + height / 2


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def place_labels(fig, labels: Sequence[ValueLabel]) -> int:
    """Draw the value labels where none covers another; return how many were left out.

    The figure is laid out first (its axes limits set), so that the labels' sizes in
    display pixels are known; each label takes the first of its offsets (then, beside a
    marker, its right and left) where its box stays inside its axes and overlaps neither a
    label already placed nor a marker, in the order given.
    """
    if not labels:
        return 0
    fig.draw_without_rendering()  # the layout (constrained) settles in two passes
    fig.draw_without_rendering()
    scale = fig.dpi / 72
    placed: list[tuple[float, float, float, float]] = []
    for label in labels:
        if label.marker:
            px, py = label.ax.transData.transform((label.x, label.y))  # type: ignore[attr-defined]
            half = _MARKER_HALF * scale
            placed.append((px - half, py - half, px + half, py + half))
    left_out = 0
    for label in labels:
        side = len(label.text) * _CHAR_EM * label.size / 2 + _MARKER_HALF + 2
        offsets = [*label.offsets, *(((side, 0.0), (-side, 0.0)) if label.marker else ())]
        frame = label.ax.bbox.extents  # type: ignore[attr-defined]
        for offset in offsets:
            box = _label_box(label, offset, scale)
            inside = frame[0] <= box[0] and box[2] <= frame[2] and frame[1] <= box[1] and box[3] <= frame[3]
            if inside and not any(_overlaps(box, other) for other in placed):
                placed.append(box)
                label.ax.annotate(label.text, (label.x, label.y), textcoords="offset points",  # type: ignore[attr-defined]
                                  xytext=offset, ha="center", va="center", fontsize=label.size,
                                  color=label.colour, zorder=4)
                break
        else:
            left_out += 1
    return left_out
