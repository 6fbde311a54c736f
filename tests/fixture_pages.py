"""Build the Shaoyang 2020 report as a government CMS web page and as a Word file.

The content is taken from the bundled text (``data/raw/shaoyang_city_2020.txt``): its
prose lines become paragraphs and its table cells (one per line, ending `` |``) become
table grids in the shape such sites publish them — merged header cells, group labels
as rowspans over their sub-rows, captions spanning the table, an empty cell (``&nbsp;``)
beside a short label, full-width punctuation in labels — wrapped in the site's
navigation, a metadata table (``索引号 | 发布机构 | 文件名称``), scripts and styles.

Nothing here knows the report's numbers: they are copied from the text, so the HTML,
Word and text renderings must give the same facts.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

from conftest import RAW

from shaoyang_report.read.text import is_value

SOURCE = RAW / "shaoyang_city_2020.txt"
_FULL_WIDTH = str.maketrans({"(": "（", ")": "）", ",": "，", ":": "："})


@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    header: bool = False


def _blocks(text: str) -> list[tuple[str, object]]:
    """The text as ``("p", line)`` and ``("cells", [cell texts])`` blocks."""
    blocks: list[tuple[str, object]] = []
    for line in text.splitlines():
        stripped = line.rstrip()
        if stripped.endswith("|"):
            if stripped.strip("|") == "":
                continue  # padding for cells a row lacks
            cell = stripped[:-1].strip()
            if blocks and blocks[-1][0] == "cells":
                blocks[-1][1].append(cell)
            else:
                blocks.append(("cells", [cell]))
        elif stripped:
            blocks.append(("p", stripped))
    return blocks


def _fw(text: str) -> str:
    return text.translate(_FULL_WIDTH)


def _active_disclosure(cells: list[str]) -> list[list[Cell]]:
    """Table 二: a caption row per 第二十条 block, a header row, item rows; 4 columns."""
    rows: list[list[Cell]] = []
    i = 0
    while i < len(cells):
        cell = cells[i]
        if cell.startswith("第二十条"):
            rows.append([Cell(_fw(cell), colspan=4, header=True)])
            i += 1
        elif cell == "信息内容":
            j = i + 1
            while not (j + 1 < len(cells) and is_value(cells[j + 1])):
                j += 1  # the header ends where an item label followed by a value starts
            measures = cells[i + 1:j]
            row = [Cell(cell, header=True)] + [Cell(m, header=True) for m in measures]
            row[-1].colspan = 4 - len(measures)
            rows.append(row)
            i = j
        else:
            j = i + 1
            while j < len(cells) and is_value(cells[j]):
                j += 1
            row = [Cell(cell)] + [Cell(v) for v in cells[i + 1:j]]
            row[-1].colspan = 4 - (j - i - 1)
            rows.append(row)
            i = j
    return rows


def _applications(cells: list[str]) -> list[list[Cell]]:
    """Table 三: 3 label columns + 7 applicant columns, groups as rowspans."""
    note, applicants_head, natural, legal, total = cells[0:5]
    kinds = cells[5:10]
    rows = [
        [Cell(_fw(note), rowspan=3, colspan=3, header=True), Cell(applicants_head, colspan=7, header=True)],
        [Cell(natural, rowspan=2, header=True), Cell(legal, colspan=5, header=True), Cell(total, rowspan=2, header=True)],
        [Cell(k, header=True) for k in kinds],
    ]
    # (label, values or None) in printed order
    items: list[tuple[str, list[str] | None]] = []
    i = 10
    while i < len(cells):
        j = i + 1
        while j < len(cells) and is_value(cells[j]):
            j += 1
        items.append((cells[i], cells[i + 1:j] or None))
        i = j
    body: list[list[Cell]] = []
    group_row = None
    for label, values in items:
        text = _fw(label)
        if label.startswith(("一、", "二、", "四、")):
            body.append([Cell(text, colspan=3)] + [Cell(v) for v in values])
        elif label.startswith("三、"):
            body.append([Cell(text)])  # joins the next row; its rowspan is set below
        elif label[0] in "(（" and values is None:
            group_row = Cell(text, rowspan=0)
            body.append([group_row])  # joins its first sub-row below
        elif label[0] in "(（":
            if label.startswith("(七)"):
                row = [Cell(text), Cell("\u00a0")]  # a short label beside an empty cell
            else:
                row = [Cell(text, colspan=2)]
            body.append(row + [Cell(v) for v in values])
            group_row = None
        else:  # 1.… under the current group
            body.append([Cell(text)] + [Cell(v) for v in values])
            group_row.rowspan += 1
    # merge each label-only row into the row below (a rowspan starts on its first sub-row)
    merged: list[list[Cell]] = []
    pending: list[Cell] = []
    for row in body:
        if len(row) == 1:  # a group label: it spans its sub-rows, starting on the first
            pending.append(row[0])
            continue
        merged.append(pending + row)
        pending = []
    outcome = next(c for r in merged for c in r if c.text.startswith("三、"))
    outcome.rowspan = sum(1 for r in merged if not r[0].text.startswith(("一、", "二、", "四、")))
    return rows + merged


def _review_litigation(cells: list[str]) -> list[list[Cell]]:
    """Table 四: two header levels over 15 columns, then the one row of values."""
    texts = [c for c in cells if not is_value(c)]
    values = [c for c in cells if is_value(c)]
    review, litigation = texts[0:2]
    review_measures = texts[2:7]
    direct, after = texts[7:9]
    measures = texts[9:19]
    return [
        [Cell(review, colspan=5, header=True), Cell(litigation, colspan=10, header=True)],
        [Cell(m, rowspan=2, header=True) for m in review_measures]
        + [Cell(direct, colspan=5, header=True), Cell(after, colspan=5, header=True)],
        [Cell(m, header=True) for m in measures],
        [Cell(v) for v in values],
    ]


def report_model(text: str | None = None) -> list[tuple[str, object]]:
    """The report as ``("title"|"h"|"p", text)`` and ``("table", rows)`` blocks."""
    text = text if text is not None else SOURCE.read_text("utf-8")
    builders = iter([_active_disclosure, _applications, _review_litigation])
    out: list[tuple[str, object]] = []
    for k, (kind, content) in enumerate(_blocks(text)):
        if kind == "cells":
            out.append(("table", next(builders)(content)))
        elif k == 0:
            out.append(("title", content))
        elif content[:2] in ("一、", "二、", "三、", "四、", "五、", "六、") or content.startswith("("):
            out.append(("h", _fw(content)))
        else:
            out.append(("p", content))
    return out


# --------------------------------------------------------------------------- HTML

_HEAD = """<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" />
<title>{title}_邵阳市人民政府</title>
<link rel="stylesheet" href="/css/style.css" />
<style type="text/css">
  .nav li {{ float: left; }} td {{ border: 1px solid #000; }}
  .content p {{ text-indent: 2em; }} /* 二、主动公开政府信息情况 行政许可 1 2 3 */
</style>
<script type="text/javascript">
  var _hmt = _hmt || [];
  var report = "三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量 999 9 9 9 9 9 999";
  document.write("<p>四、结转下年度继续办理 7 7 7 7 7 7 7</p>");
</script>
</head>
<body>
<div class="header">
  <div class="top-nav"><ul>
    <li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li><li><a href="/zwfw/">政务服务</a></li>
    <li><a href="/hdjl/">互动交流</a></li><li><a href="/zjsy/">走进邵阳</a></li>
  </ul></div>
  <form class="search" action="/search"><input type="text" name="q" value="搜索" /><button>搜索</button></form>
</div>
<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政府信息公开年报</div>
<table class="xxgk-info" width="100%">
  <tr><td>索&nbsp;&nbsp;引&nbsp;&nbsp;号：</td><td>430500000/2021-00123</td><td>发布机构：</td><td>邵阳市人民政府办公室</td></tr>
  <tr><td>文件名称：</td><td colspan="3">{title}</td></tr>
  <tr><td>发布日期：</td><td>2021-01-29</td><td>文&nbsp;&nbsp;&nbsp;&nbsp;号：</td><td>&nbsp;</td></tr>
</table>
<div class="article">
<h1 class="title">{title}</h1>
<div class="info">来源：邵阳市人民政府办公室&nbsp;&nbsp;发布时间：2021-01-29 09:30&nbsp;&nbsp;<span id="fontsize">字号：<a>大</a> <a>中</a> <a>小</a></span></div>
<div class="content" id="zoom">
"""

_FOOT = """</div>
</div>
<div class="footer"><p>主办：邵阳市人民政府办公室　网站标识码：4305000001　湘ICP备05000001号</p></div>
<script>window.onload = function () {{ var x = "（七）总计 1 2 3 4 5 6 7"; }};</script>
<noscript>六、其他需要报告的事项 请启用脚本 12345</noscript>
</body>
</html>
"""


def _html_table(rows: list[list[Cell]]) -> str:
    out = ['<table border="1" cellspacing="0" cellpadding="0" width="600" style="border-collapse:collapse"><tbody>']
    for row in rows:
        out.append("<tr>")
        for cell in row:
            tag = "th" if cell.header else "td"
            attrs = (f' rowspan="{cell.rowspan}"' if cell.rowspan > 1 else "") + (
                f' colspan="{cell.colspan}"' if cell.colspan > 1 else "")
            text = "&nbsp;" if cell.text == "\u00a0" else html.escape(cell.text)
            out.append(f'<{tag}{attrs} valign="middle"><p style="text-align:center">'
                       f'<span style="font-family:宋体;font-size:12px">{text}</span></p></{tag}>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def shaoyang_html(charset: str = "utf-8") -> str:
    """The Shaoyang 2020 report as its CMS page (the charset goes into the page's meta)."""
    model = report_model()
    title = next(t for k, t in model if k == "title")
    parts = [_HEAD.format(charset=charset, title=html.escape(title))]
    for kind, content in model:
        if kind == "title":
            continue
        if kind == "h":
            parts.append(f"<p><strong>{html.escape(content)}</strong></p>")
        elif kind == "p":
            parts.append(f'<p style="text-indent:2em"><span style="font-size:16px">{html.escape(content)}</span></p>')
        else:
            parts.append(_html_table(content))
    parts.append(_FOOT.format())
    return "\n".join(parts)


def write_html(path: Path, encoding: str = "utf-8") -> Path:
    """Save the page as a browser would, in ``encoding`` (``utf-8`` or ``gb18030``)."""
    charset = "gb2312" if encoding.lower() in ("gb18030", "gbk", "gb2312") else encoding
    path.write_bytes(shaoyang_html(charset).encode(encoding))
    return path


# --------------------------------------------------------------------------- Word

def write_docx(path: Path) -> Path:
    """Save the report as a Word file: title, paragraphs, and the tables with merged cells."""
    import docx

    word = docx.Document()
    for kind, content in report_model():
        if kind == "title":
            word.add_heading(content, level=1)
        elif kind in ("h", "p"):
            word.add_paragraph(content)
        else:
            _docx_table(word, content)
    word.save(str(path))
    return path


def _docx_table(word, rows: list[list[Cell]]) -> None:
    placed: list[tuple[int, int, Cell]] = []
    taken: set[tuple[int, int]] = set()
    width = 0
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            placed.append((r, c, cell))
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken.add((r + dr, c + dc))
            c += cell.colspan
        width = max(width, c)
    table = word.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    for r, c, cell in placed:
        target = table.cell(r, c)
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(table.cell(r + cell.rowspan - 1, c + cell.colspan - 1))
        target.text = "" if cell.text == "\u00a0" else cell.text
