"""A Word copy of the year briefing (python-docx), for colleagues who pass documents on as Word files.

:func:`write_briefing_docx` writes what the HTML briefing says, in the same words: the
heading and what it covers, the headline table with its marks and their notes, what each
year's report holds, the charts as images (each with the lines under it), the findings,
and the sources (agency, year, completeness, URL). The pieces are the HTML briefing's own
(:mod:`~shaoyang_report.publish.year_briefing`), read back into rows and lines
(:func:`html_rows`, :func:`html_lines`): the two copies cannot say different things.
Chinese text is set in a CJK font (``w:eastAsia``), so Word and LibreOffice draw it as such.

Example:
    >>> import shaoyang_report as sr
    >>> from shaoyang_report.publish.year_briefing import agency_years
    >>> import tempfile, pathlib
    >>> b = agency_years(sr.read_reports("data/raw", progress=False), "邵阳市")
    >>> path = write_briefing_docx(b, pathlib.Path(tempfile.mkdtemp()) / "b.docx")
    >>> import docx
    >>> docx.Document(str(path)).paragraphs[0].text
    '邵阳市 政府信息公开工作年度报告：2019—2023年比较'
"""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

from shaoyang_report.publish import plotting, year_briefing
from shaoyang_report.publish.year_briefing import AgencyYears

#: The font Chinese text is set in (East Asian runs); Latin runs keep the document's.
CJK_FONT = "Noto Sans CJK SC"
#: Width of a chart and of a table in the document (cm): an A4 page's text width.
CHART_WIDTH_CM = 16.0
#: Width (cm) of half an em in a table's 8.5 pt text, and of a cell's left and right margins.
HALF_EM_CM, CELL_MARGINS_CM = 0.16, 0.45


class _Reader(HTMLParser):
    """Tables (rows of cell texts) and lines (paragraphs and list items) of an HTML piece."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tables: list[list[list[str]]] = []
        self.lines: list[str] = []
        self._cell: list[str] | None = None
        self._row: list[str] | None = None
        self._line: list[str] | None = None
        self._depth = 0  # open list items and paragraphs, outside tables

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append([])
        elif tag == "tr" and self.tables:
            self._row = []
            self.tables[-1].append(self._row)
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("p", "li") and self._cell is None:
            if self._line is not None and "".join(self._line).strip():
                self.lines.append("".join(self._line).strip())
            self._line = []
        elif tag == "br":
            self.handle_data(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            if self._row is not None:
                self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag in ("p", "li") and self._line is not None and self._cell is None:
            text = "".join(self._line).strip()
            if text:
                self.lines.append(text)
            self._line = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._line is not None:
            self._line.append(data)


def _read(html: object) -> _Reader:
    reader = _Reader()
    reader.feed(str(html))
    reader.close()
    return reader


def html_rows(html: object) -> list[list[str]]:
    """The first table of an HTML piece as rows of cell texts (the header row first); ``[]`` for none.

    Example:
        >>> html_rows("<table><tr><th>指标</th></tr><tr><td>7,591<sup>‡</sup></td></tr></table>")
        [['指标'], ['7,591‡']]
    """
    tables = _read(html).tables
    return tables[0] if tables else []


def html_lines(html: object) -> list[str]:
    """The paragraphs and list items of an HTML piece outside its tables, as texts.

    Example:
        >>> html_lines("<p>甲</p><ul><li>乙<b>丙</b></li></ul>")
        ['甲', '乙丙']
    """
    return _read(html).lines


def _cjk(document) -> None:
    """Set the document's styles' East Asian font, so that Chinese is drawn in a CJK face."""
    from docx.oxml.ns import qn

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        try:
            style = document.styles[name]
        except KeyError:
            continue
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        for script in ("w:eastAsia", "w:ascii", "w:hAnsi"):
            fonts.set(qn(script), CJK_FONT)


def _text_width(text: str) -> int:
    """A text's width in half-ems (a Chinese character is two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _unbroken(text: str) -> int:
    """The widest piece of a text a line may not break (a number, a Latin word; a Chinese character is one)."""
    pieces = re.findall(r"[^\s\u2e80-\u9fff\u3000-\u303f]+", text)  # a number with its （+12%） too
    return max([2 if re.search(r"[\u2e80-\u9fff]", text) else 0, *map(_text_width, pieces)])


def _table(document, rows: list[list[str]], size: float = 8.5) -> None:
    """A table of texts, its first row bold (the header); columns as wide as their texts need, within the page."""
    from docx.shared import Cm, Pt

    if not rows:
        return
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.autofit = False
    cells = [[r[j] for r in rows if j < len(r)] or [""] for j in range(width)]
    # a number or a word is never broken: a column is at least as wide as its longest one; the rest of the
    # page's width goes to the columns whose texts are longer than that, as they need it
    least = [max(_unbroken(text) for text in column) + 2 for column in cells]
    needs = [max(least[j], min(max(_text_width(t) for t in column), 40) + 2) for j, column in enumerate(cells)]
    floor = [HALF_EM_CM * m + CELL_MARGINS_CM for m in least]
    if sum(floor) >= CHART_WIDTH_CM:  # no room to share out: as wide as the words need, scaled to the page
        widths = [CHART_WIDTH_CM * f / sum(floor) for f in floor]
    else:
        more = [n - m for n, m in zip(needs, least)]
        share = [k / sum(more) if sum(more) else 1 / width for k in more]
        widths = [f + (CHART_WIDTH_CM - sum(floor)) * k for f, k in zip(floor, share)]
    for j, column in enumerate(table.columns):  # the grid (LibreOffice lays out by it) and each cell (Word)
        column.width = Cm(widths[j])
    for i, row in enumerate(rows):
        for j in range(width):
            cell = table.cell(i, j)
            cell.width = Cm(widths[j])
            cell.text = ""
            run = cell.paragraphs[0].add_run(row[j] if j < len(row) else "")
            run.font.size = Pt(size)
            run.bold = i == 0


def _notes(document, lines: list[str], size: float = 8.5) -> None:
    from docx.shared import Pt

    for line in lines:
        run = document.add_paragraph().add_run(line)
        run.font.size = Pt(size)


def write_briefing_docx(b: AgencyYears, path: str | Path) -> Path:
    """Write the Word copy of an agency's year briefing.

    Args:
        b: The agency's years (:func:`~shaoyang_report.publish.year_briefing.agency_years`).
        path: The ``.docx`` file to write (written beside and renamed into place).

    Returns:
        The path written.
    """
    import docx
    from docx.shared import Cm

    from shaoyang_report.atomic import write_bytes

    document = docx.Document()
    _cjk(document)
    document.add_heading(f"{b.agency} 政府信息公开工作年度报告：{b.years[0]}—{b.years[-1]}年比较", level=0)
    for line in html_lines(year_briefing.title(b)):
        document.add_paragraph(line)

    document.add_heading("要点：最近一年与上一年", level=1)
    headline = year_briefing.headline(b)
    _table(document, html_rows(headline))
    _notes(document, html_lines(headline))

    document.add_heading("各年有哪些数据", level=1)
    _table(document, html_rows(year_briefing.coverage(b)))

    document.add_heading("图表", level=1)
    for name in plotting.BRIEFING_CHARTS:
        chart = year_briefing.chart(b, name)
        if chart.drawn:
            document.add_picture(io.BytesIO(chart.png), width=Cm(CHART_WIDTH_CM))
        else:
            document.add_paragraph(f"{chart.title}：{'；'.join(chart.footnotes)}。")

    document.add_heading("勾稽问题：报告自身算不平的地方", level=1)
    document.add_paragraph("按报告原样引用，不作更正：各项之和与报告印出的总数不一致之处如下。")
    _notes(document, html_lines(year_briefing.findings(b)), size=10)

    document.add_heading("来源", level=1)
    rows = [["机构", "年份", "完整程度", "网址"]]
    rows += [[str(r[0]), str(r[1]), str(r[2]), r[5]] for r in html_rows(year_briefing.sources(b))[1:] if len(r) >= 6]
    _table(document, rows)
    document.add_paragraph("数字均按报告原样引用，不作更正。各标记的含义见“要点”表下的说明。")

    buffer = io.BytesIO()
    document.save(buffer)
    return write_bytes(Path(path), buffer.getvalue())
