"""Charts for the briefings: a CJK font that is really there, and year charts with caveats.

Matplotlib's default font (DejaVu Sans) has no Chinese glyphs: every label would be a
row of boxes (tofu) and a ``Glyph … missing from font(s)`` warning. :func:`cjk_font`
finds an installed CJK font through :mod:`matplotlib.font_manager` (Noto Sans CJK from
Debian's ``fonts-noto-cjk`` first), registering font files installed after matplotlib
built its font cache, and :func:`style` puts it first in the sans-serif list with
DejaVu Sans behind it for the few symbols a CJK font lacks.

Every chart shows how each number was obtained, as the tables do:

* filled circle / solid bar: printed in the year's own table;
* hollow circle / hatched bar (``///``): derived — year N−1's value read from year
  N's prior-year column (上一年项目数量, 上年结转);
* diamond / dotted bar (``...``): a figure stated in the report's prose (正文);
* ①②…: the indicator's comparability caveat, spelled out under the chart;
* a grey band with the reason (无报告, 仅开头 …) over a year with no value.

An indicator with no value in any year is not drawn, a panel left with none is dropped,
and a line under the chart names them; value labels never overlap (:mod:`.chart_labels`).

The chart functions take the long frame of :func:`shaoyang_report.compare_years` and
return a :class:`Chart` (rendered PNG + figure) that a notebook displays as an image.

Example:
    >>> import shaoyang_report as sr
    >>> from shaoyang_report.publish import plotting
    >>> cmp = sr.compare_years(sr.read_reports("data/raw", progress=False), agency="邵阳市")
    >>> chart = plotting.permits_and_penalties(cmp)
    >>> chart.png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
    True
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pandas as pd

from shaoyang_report.publish.chart_labels import LABELS_LEFT_OUT, ValueLabel, place_labels

#: CJK families in order of preference (Simplified Chinese faces first).
PREFERRED_FONTS = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Source Han Sans CN",
    "Noto Sans CJK JP", "Noto Sans CJK TC", "Source Han Sans", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Hiragino Sans GB",
    "Noto Serif CJK SC", "Arial Unicode MS",
)
#: File-name patterns of CJK fonts, looked for when matplotlib's cache predates them.
FONT_FILE_PATTERNS = ("NotoSansCJK*", "NotoSansSC*", "SourceHanSans*", "wqy-zenhei*", "wqy-microhei*",
                      "NotoSerifCJK*", "msyh*", "simhei*", "PingFang*")
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "~/.local/share/fonts", "~/.fonts",
             "/System/Library/Fonts", "/Library/Fonts", "C:/Windows/Fonts")
#: Characters every briefing chart draws; a font must have them all to be chosen.
_PROBE = "邵阳市政府信息公开年度报告行政许可处罚采购热线满意率无报告仅开头"

BASIS_PRINTED, BASIS_DERIVED, BASIS_PROSE = "printed", "derived", "prose"
BASIS_ZH = {BASIS_PRINTED: "表格所印数值", BASIS_DERIVED: "由次年报告“上一年”栏推得", BASIS_PROSE: "正文所述数字"}
#: Short reasons for a gap, as written on charts and in table cells.
WHY_SHORT = {
    "无该年报告": "无报告",
    "仅有报告开头部分": "仅开头",
    "该年格式无此项": "格式无此项",
    "报告未载明": "未载明",
    "报告中为空": "空白",
}
CAVEAT_MARKS = "①②③④⑤⑥⑦⑧⑨⑩"
#: How an indicator compares across years and formats (the crosswalk's ``comparability``; a row may have none).
COMPARABILITY_ZH: dict[str | None, str] = {"direct": "可直接比较", "caveat": "口径有差异", "prose": "正文数字",
                    "F2019 only": "仅F2019格式（2019—2020年）", "F2021 only": "仅F2021格式（2021年起）"}
_COLOURS = ("#1f5fa8", "#c8553d", "#2a9d8f", "#8a5a9e", "#e0a100", "#5c6b73")


class FontNotFoundError(RuntimeError):
    """No installed font can draw Chinese; charts would show boxes instead of text."""


def _has_glyphs(path: str, text: str = _PROBE) -> bool:
    from matplotlib.ft2font import FT2Font

    try:
        font = FT2Font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    charmap = font.get_charmap()
    return all(ord(ch) in charmap for ch in text)


def _font_files(dirs: Iterable[str] = FONT_DIRS) -> list[Path]:
    files: list[Path] = []
    for d in dirs:
        root = Path(d).expanduser()
        if root.is_dir():
            for pattern in FONT_FILE_PATTERNS:
                files += [p for p in root.rglob(pattern) if p.suffix.lower() in (".ttf", ".otf", ".ttc")]
    return sorted(set(files))


@cache
def cjk_font() -> str:
    """The family name of an installed font that draws Chinese.

    Looks in matplotlib's font list first; when none of :data:`PREFERRED_FONTS` is
    there (the font was installed after matplotlib built its cache), registers the
    CJK font files found under the usual font folders and looks again.

    Returns:
        A family name such as ``"Noto Sans CJK SC"``.

    Raises:
        FontNotFoundError: No CJK font is installed (on Debian:
            ``bash scripts/system-packages.sh fonts-noto-cjk``).
    """
    from matplotlib import font_manager

    def pick() -> str | None:
        by_name: dict[str, list[str]] = {}
        for entry in font_manager.fontManager.ttflist:
            by_name.setdefault(entry.name, []).append(entry.fname)
        for name in PREFERRED_FONTS:
            if any(_has_glyphs(f) for f in by_name.get(name, [])):
                return name
        return None

    found = pick()
    if found is None:
        for path in _font_files():
            try:
                font_manager.fontManager.addfont(str(path))
            except (OSError, RuntimeError, ValueError):
                continue
        found = pick()
    if found is None:
        raise FontNotFoundError(
            "no font that draws Chinese is installed, so chart labels would be boxes; install "
            "Noto Sans CJK (Debian: `bash scripts/system-packages.sh fonts-noto-cjk`)")
    return found


def style() -> dict:
    """Matplotlib settings for the briefing charts (CJK font first, no mathtext).

    ``text.parse_math`` is off so that a ``$`` in a report's text is drawn as a dollar
    sign, not parsed as a formula.
    """
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [cjk_font(), "DejaVu Sans"],
        "axes.unicode_minus": False,
        "text.parse_math": False,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.grid": True,
        "axes.grid.axis": "y",
        "grid.color": "#dddddd",
        "grid.linewidth": 0.6,
        "axes.titlesize": 12,
        "axes.titleweight": "bold",
        "font.size": 10,
        "legend.frameon": False,
        "savefig.dpi": 110,
        "figure.dpi": 110,
    }


def use_cjk_font() -> str:
    """Set the briefing style in matplotlib's global settings (for one's own charts).

    Returns:
        The CJK family chosen (see :func:`cjk_font`).
    """
    import matplotlib

    matplotlib.rcParams.update(style())
    return cjk_font()


@dataclass
class Chart:
    """A rendered chart: the PNG a notebook shows and the figure it came from.

    Attributes:
        png: The chart as PNG bytes (rendered with the CJK style).
        figure: The matplotlib figure, for further changes (re-render with :meth:`render`).
        title: The chart's title.
        footnotes: The caveat notes written under the chart.
        drawn: False when no indicator had a value in any year: the PNG holds the title
            and that line only, and a notebook shows the line as text.
    """

    png: bytes = field(repr=False)
    figure: object = field(repr=False)
    title: str = ""
    footnotes: list[str] = field(default_factory=list)
    drawn: bool = True

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_html_(self) -> str:
        """The PNG embedded as a data URI, with the title and caveats as its (escaped) alt text."""
        import base64
        import html

        if not self.drawn:
            return f'<p class="gap">{html.escape(self.title)}：{html.escape("；".join(self.footnotes))}。</p>'
        alt = html.escape("；".join([self.title, *self.footnotes]), quote=True)
        data = base64.b64encode(self.png).decode("ascii")
        return f'<img class="sr-chart" alt="{alt}" src="data:image/png;base64,{data}">'

    def render(self) -> bytes:
        """Render the figure again (after changing it) and keep the new PNG."""
        self.png = render_png(self.figure)
        return self.png

    def save(self, path: str | Path) -> Path:
        """Write the PNG to ``path``."""
        path = Path(path)
        path.write_bytes(self.png)
        return path


def render_png(figure) -> bytes:
    """Render a figure to PNG bytes with the CJK style in force."""
    import matplotlib

    with matplotlib.rc_context(style()):
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", bbox_inches="tight", facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------------------- data
def basis_kind(basis: object) -> str | None:
    """``printed``, ``derived`` or ``prose`` for a comparison row's ``basis`` (None: no value)."""
    if not isinstance(basis, str) or not basis:
        return None
    if basis.startswith("derived"):
        return BASIS_DERIVED
    if basis.startswith("prose"):
        return BASIS_PROSE
    return BASIS_PRINTED


def read_by_ocr(basis: object) -> bool:
    """Whether a comparison row's value is made of numbers read by OCR (its basis ends ``(OCR)``)."""
    return isinstance(basis, str) and basis.endswith("(OCR)")


def has_caveat(row: Mapping) -> bool:
    """Whether an indicator's comparison across years carries a caveat."""
    caveat = row.get("caveat_zh")
    return row.get("comparability") != "direct" or (isinstance(caveat, str) and bool(caveat))


def caveat_note(row: Mapping) -> str:
    """The caveat of an indicator in one Chinese phrase (comparability, then the note)."""
    comparability = COMPARABILITY_ZH.get(row.get("comparability"), str(row.get("comparability")))
    caveat = row.get("caveat_zh")
    return f"{comparability}：{caveat}" if isinstance(caveat, str) and caveat else comparability


def caveat_marks(comparison: pd.DataFrame, indicators: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """Footnote marks for the indicators that carry a caveat, one mark per distinct note.

    Args:
        comparison: The output of :func:`shaoyang_report.compare_years`.
        indicators: Indicator keys in the order they are shown.

    Returns:
        ``(marks, notes)``: indicator → mark (①, ②, …), and the notes in mark order
        (``"① 正文数字：正文所述数字，各年表述与口径可能不同"``).
    """
    first = comparison.drop_duplicates("indicator").set_index("indicator")
    by_note: dict[str, str] = {}
    marks: dict[str, str] = {}
    for key in indicators:
        if key in first.index and has_caveat(first.loc[key].to_dict()):
            note = caveat_note(first.loc[key].to_dict())
            if note not in by_note:
                by_note[note] = CAVEAT_MARKS[len(by_note) % len(CAVEAT_MARKS)]
            marks[key] = by_note[note]
    return marks, [f"{mark} {note}" for note, mark in by_note.items()]


def _series(comparison: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = comparison[comparison.indicator == indicator].sort_values("year")
    if rows.empty:
        raise KeyError(f"indicator {indicator!r} is not in the comparison")
    return rows


def _years(comparison: pd.DataFrame) -> list[int]:
    return sorted(int(y) for y in comparison.year.unique())


def _gap_reasons(comparison: pd.DataFrame, indicators: Sequence[str]) -> dict[int, str]:
    """Years where none of ``indicators`` has a value, with the commonest reason."""
    rows = comparison[comparison.indicator.isin(list(indicators))]
    gaps = {}
    for year, group in rows.groupby("year"):
        if group.value.notna().any():
            continue
        reasons = group.why_missing_zh.dropna()
        reason = reasons.mode().iloc[0] if len(reasons) else "无数据"
        gaps[int(year)] = WHY_SHORT.get(reason, reason)
    return gaps


def _fmt(value: float, unit: str) -> str:
    if unit == "%":
        return f"{value:.2f}%"
    if float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.2f}"


# ---------------------------------------------------------------------------- drawing
def _new_figure(panels: int, height: float = 3.6):
    from matplotlib.figure import Figure

    width = 10.0 if panels > 1 else 9.0
    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]
    return fig, list(axes)


def _frame_years(ax, years: list[int], gaps: Mapping[int, str]) -> None:
    from matplotlib.transforms import blended_transform_factory

    ax.set_xticks(years, [f"{y}年" for y in years])
    ax.set_xlim(years[0] - 0.6, years[-1] + 0.6)
    trans = blended_transform_factory(ax.transData, ax.transAxes)
    for year, reason in gaps.items():
        ax.axvspan(year - 0.45, year + 0.45, color="#eeeeee", zorder=0, lw=0)
        ax.text(year, 0.5, reason, transform=trans, ha="center", va="center", color="#777777",
                fontsize=9, rotation=90)


def format_break(comparison: pd.DataFrame) -> int | None:
    """The first year of the national tables, when the comparison holds years before it too (else None).

    Years before it are reports before 2019 (F2008: prose and the old statistics table);
    the charts mark the break (``2019年起全国统一格式``).
    """
    from shaoyang_report.layout import get_layout

    layout = get_layout()
    if "template" not in comparison:
        return None
    table_years = [int(y) for y, t in zip(comparison.year, comparison.template) if isinstance(t, str)
                   and t in layout.formats and layout.prints_tables(t)]
    first = min(table_years, default=None) or min((min(f.years) for f in layout.table_formats.values()), default=None)
    if first is None or not any(int(y) < first for y in comparison.year) or not any(int(y) >= first for y in comparison.year):
        return None
    return first


def _mark_break(ax, year: int | None) -> None:
    """A dashed line before the first year of the national tables, labelled ``2019年起全国统一格式`` along it."""
    if year is None:
        return
    from matplotlib.transforms import blended_transform_factory

    ax.axvline(year - 0.5, color="#555555", lw=1.0, ls="--", zorder=1)
    # along the line, from the top: between the two years' bands, clear of the panel's title
    ax.text(year - 0.48, 0.98, f"{year}年起全国统一格式", transform=blended_transform_factory(ax.transData, ax.transAxes),
            ha="left", va="top", rotation=90, color="#444444", fontsize=7.5, zorder=5,
            bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.85})


def _basis_legend(fig, kinds: set[str | None], bars: bool) -> None:
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    handles: list[Patch | Line2D] = []
    for kind in (BASIS_PRINTED, BASIS_DERIVED, BASIS_PROSE):
        if kind not in kinds:
            continue
        if bars:
            hatch = {BASIS_PRINTED: None, BASIS_DERIVED: "///", BASIS_PROSE: "..."}[kind]
            face = "#888888" if kind == BASIS_PRINTED else "white"
            handles.append(Patch(facecolor=face, edgecolor="#555555", hatch=hatch, label=BASIS_ZH[kind]))
        else:
            marker = "D" if kind == BASIS_PROSE else "o"
            face = "white" if kind == BASIS_DERIVED else "#555555"
            handles.append(Line2D([], [], ls="none", marker=marker, markersize=7, markerfacecolor=face,
                                  markeredgecolor="#555555", label=BASIS_ZH[kind]))
    if handles:
        fig.legend(handles=handles, loc="outside upper right", ncols=len(handles), fontsize=9)


def _footnotes(fig, notes: Sequence[str]) -> None:
    if notes:
        fig.text(0.0, -0.01, "\n".join(notes), ha="left", va="top", fontsize=8, color="#444444",
                 transform=fig.transFigure, linespacing=1.5)


def _label(comparison: pd.DataFrame, key: str, marks: Mapping[str, str]) -> str:
    name = _series(comparison, key).name_zh.iloc[0]
    return f"{name}{marks.get(key, '')}"


def _draw_lines(ax, comparison: pd.DataFrame, indicators: Sequence[str], marks: Mapping[str, str],
                colours: Iterable[str], labels: list[ValueLabel]) -> tuple[set[str | None], list]:
    from matplotlib.lines import Line2D

    kinds: set[str | None] = set()  # None: a value of no known basis
    handles: list = []
    above, below = (0.0, 10.0), (0.0, -10.5)
    for i, (key, colour) in enumerate(zip(indicators, colours)):
        rows = _series(comparison, key)
        unit = rows.unit.iloc[0]
        points = [(int(r.year), float(r.value), basis_kind(r.basis)) for r in rows.itertuples() if not math.isnan(r.value)]
        by_year = {y: (v, k) for y, v, k in points}
        for (y0, v0, k0), (y1, v1, k1) in zip(points, points[1:]):
            if y1 == y0 + 1:
                dashed = k0 != BASIS_PRINTED or k1 != BASIS_PRINTED
                ax.plot([y0, y1], [v0, v1], color=colour, lw=1.6, ls="--" if dashed else "-", zorder=2)
        for year, (value, kind) in by_year.items():
            kinds.add(kind)
            ax.plot([year], [value], ls="none", marker="D" if kind == BASIS_PROSE else "o", markersize=7,
                    markerfacecolor="white" if kind == BASIS_DERIVED else colour, markeredgecolor=colour,
                    markeredgewidth=1.6, zorder=3)
            # alternate the first choice above / below the point; placed later, where no other label is
            labels.append(ValueLabel(ax, year, value, _fmt(value, unit), colour,
                                     (below, above) if i % 2 == 1 else (above, below), marker=True))
        handles.append(Line2D([], [], color=colour, lw=1.6, label=_label(comparison, key, marks)))
    return kinds, handles


#: The hatching of a bar by the basis of its value (a printed one: none).
_HATCHES: dict[str | None, str] = {BASIS_DERIVED: "///", BASIS_PROSE: "..."}


def _draw_bars(ax, comparison: pd.DataFrame, indicators: Sequence[str], marks: Mapping[str, str],
               colours: Iterable[str], labels: list[ValueLabel], stacked: bool = False) -> tuple[set[str | None], list]:
    from matplotlib.patches import Patch

    kinds: set[str | None] = set()  # None: a value of no known basis
    handles: list = []
    n = len(indicators)
    width = 0.7 if stacked else 0.8 / n
    bottoms: dict[int, float] = {}
    for i, (key, colour) in enumerate(zip(indicators, colours)):
        rows = _series(comparison, key)
        unit = rows.unit.iloc[0]
        for r in rows.itertuples():
            if math.isnan(r.value):
                continue
            kind = basis_kind(r.basis)
            kinds.add(kind)
            year = int(r.year)
            x = year if stacked else year - 0.4 + width * (i + 0.5)
            bottom = bottoms.get(year, 0.0) if stacked else 0.0
            hatch = _HATCHES.get(kind)
            ax.bar(x, r.value, width=width * 0.95, bottom=bottom, color="white" if hatch else colour,
                   edgecolor=colour, hatch=hatch, linewidth=1.2, zorder=2)
            if stacked:
                bottoms[year] = bottom + r.value
                if r.value >= 4:
                    labels.append(ValueLabel(ax, x, bottom + r.value / 2, _fmt(r.value, unit),
                                             "black" if hatch else "white", ((0.0, 0.0),), size=7))
            else:
                labels.append(ValueLabel(ax, x, r.value, _fmt(r.value, unit), colour, ((0.0, 8.0), (0.0, 18.0))))
        handles.append(Patch(color=colour, label=_label(comparison, key, marks)))
    return kinds, handles


def year_chart(
    comparison: pd.DataFrame,
    panels: Mapping[str, Sequence[str]],
    *,
    title: str,
    kind: str = "line",
    stacked: bool = False,
    percent: bool = False,
) -> Chart:
    """One chart of indicators over the years, one panel per group.

    Args:
        comparison: The long frame of :func:`shaoyang_report.compare_years` (one agency).
        panels: Panel title → indicator keys drawn in it.
        title: The chart's title (drawn above the panels).
        kind: ``line`` (markers by how each value was obtained) or ``bar``.
        stacked: Stack the bars (for shares that add up to 100%).
        percent: The axis is a percentage (0–100); panels whose indicators are all in
            % are drawn so anyway.

    Returns:
        The rendered :class:`Chart`.

    Raises:
        KeyError: An indicator is not in the comparison.
    """
    import matplotlib
    from matplotlib.ticker import FuncFormatter

    years = _years(comparison)
    for keys in panels.values():
        for key in keys:
            _series(comparison, key)  # an unknown indicator is an error, not an empty panel
    drawn_panels, no_value = drawable_panels(comparison, panels)
    every = [k for keys in drawn_panels.values() for k in keys]
    marks, notes = caveat_marks(comparison, every)
    if no_value:
        names = comparison.drop_duplicates("indicator").set_index("indicator").name_zh
        notes = [*notes, f"各年均无数值、未绘出：{'、'.join(str(names[k]) for k in no_value)}"]
    with matplotlib.rc_context(style()):
        if not drawn_panels:  # nothing to draw: the title and the line saying so
            from matplotlib.figure import Figure

            fig = Figure(figsize=(9.0, 0.5), layout="constrained")
            fig.suptitle(title, x=0.0, ha="left", fontsize=13, fontweight="bold")
            _footnotes(fig, notes)
            return Chart(png=render_png(fig), figure=fig, title=title, footnotes=notes, drawn=False)
        fig, axes = _new_figure(len(drawn_panels), height=3.8 if len(drawn_panels) > 1 else 3.4)
        kinds: set[str | None] = set()
        labels: list[ValueLabel] = []
        for ax, (panel_title, keys) in zip(axes, drawn_panels.items()):
            colours = iter(_COLOURS)
            if kind == "bar":
                drawn, handles = _draw_bars(ax, comparison, keys, marks, colours, labels, stacked=stacked)
            else:
                drawn, handles = _draw_lines(ax, comparison, keys, marks, colours, labels)
            kinds |= drawn
            _frame_years(ax, years, _gap_reasons(comparison, keys))
            _mark_break(ax, format_break(comparison))
            ax.set_title(panel_title, loc="left", fontsize=10.5)
            rows = comparison[comparison.indicator.isin(list(keys))]
            values = rows.value.dropna()
            in_percent = percent or set(rows.unit) == {"%"}
            top = 100 if stacked and in_percent else (values.max() if len(values) else 1)
            if values.empty:  # nothing to draw: no value axis, the grey bands say why
                ax.set_ylim(0, 1)
                ax.set_yticks([])
            elif stacked and in_percent:
                ax.set_ylim(0, 102)
            elif in_percent:
                ax.set_ylim(0, max(110.0, top * 1.1))
            else:
                ax.set_ylim(0, top * 1.22 or 1)
            if in_percent and not values.empty:
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}%"))
            else:
                ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:,.0f}"))
            ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.09), fontsize=8.5, ncols=min(len(keys), 3))
        fig.suptitle(title, x=0.0, ha="left", fontsize=13, fontweight="bold")
        _basis_legend(fig, kinds - {None}, bars=(kind == "bar"))
        if place_labels(fig, labels):
            notes = [*notes, LABELS_LEFT_OUT]
        _footnotes(fig, notes)
    return Chart(png=render_png(fig), figure=fig, title=title, footnotes=notes)


def drawable_panels(comparison: pd.DataFrame, panels: Mapping[str, Sequence[str]]
                    ) -> tuple[dict[str, list[str]], list[str]]:
    """The panels with what they can draw: the indicators with a value in some year; and those with none.

    Returns:
        ``(panels, no_value)``: panel title → its indicators that have a value (a panel
        left with none is dropped), and the indicators with no value in any year, in order.
    """
    has_value = set(comparison.loc[comparison.value.notna(), "indicator"])
    kept: dict[str, list[str]] = {}
    no_value: list[str] = []
    for panel_title, keys in panels.items():
        drawn = [k for k in keys if k in has_value]
        no_value += [k for k in keys if k not in has_value]
        if drawn:
            kept[panel_title] = drawn
    return kept, no_value


# ---------------------------------------------------------------------------- the briefing's charts
def _agency_title(comparison: pd.DataFrame, topic: str, agency: str | None) -> str:
    years = _years(comparison)
    prefix = f"{agency} " if agency else ""
    return f"{prefix}{topic}（{years[0]}—{years[-1]}年）"


def permits_and_penalties(comparison: pd.DataFrame, agency: str | None = None) -> Chart:
    """行政许可、行政处罚: decisions (处理决定数) and, for F2019 years, the number of items."""
    return year_chart(comparison, {
        "处理决定数（件）": ["permit_decisions", "penalty_decisions", "coercion_decisions"],
        "事项数（项）": ["permit_items", "penalty_items", "coercion_items"],
    }, title=_agency_title(comparison, "行政许可、行政处罚与行政强制", agency))


def procurement(comparison: pd.DataFrame, agency: str | None = None) -> Chart:
    """政府集中采购: projects and total amount (万元), as bars."""
    return year_chart(comparison, {
        "采购总金额（万元）": ["procurement_amount"],
        "采购项目数（个）": ["procurement_projects"],
    }, title=_agency_title(comparison, "政府集中采购", agency), kind="bar")


def hotline(comparison: pd.DataFrame, agency: str | None = None) -> Chart:
    """12345 hotline satisfaction and mailbox completion rates (figures from the prose)."""
    return year_chart(comparison, {
        "满意率与办结率（%）": ["hotline_satisfaction", "mailbox_completion_rate"],
        "来电、工单与信件数": ["hotline_calls", "hotline_work_orders", "mailbox_received"],
    }, title=_agency_title(comparison, "12345热线与市长信箱", agency))


def applications(comparison: pd.DataFrame, agency: str | None = None) -> Chart:
    """依申请公开: requests received, carried over, handled and carried forward, per year."""
    return year_chart(comparison, {
        "申请数（件）": ["applications_received", "applications_carried_over", "applications_handled",
                    "applications_carried_forward"],
    }, title=_agency_title(comparison, "政府信息公开申请", agency), kind="bar")


def outcomes(comparison: pd.DataFrame, agency: str | None = None) -> Chart:
    """How requests were answered: each outcome's share of （七）总计, stacked per year."""
    return year_chart(comparison, {
        "各类办理结果占本年度办理结果总计的比例": ["share_granted", "share_partially_granted", "share_withheld",
                                 "share_unavailable", "share_not_processed", "share_other"],
    }, title=_agency_title(comparison, "申请办理结果构成", agency), kind="bar", stacked=True, percent=True)


#: The briefing's charts in the order the year-comparison notebook shows them.
BRIEFING_CHARTS = {
    "permits_and_penalties": permits_and_penalties,
    "procurement": procurement,
    "hotline": hotline,
    "applications": applications,
    "outcomes": outcomes,
}
