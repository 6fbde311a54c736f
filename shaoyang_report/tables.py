"""The template reader: a Document's table sections → placed cells.

Reads by labels and by the number of values each row must hold (from
``layouts.toml``), never by line position, so the same code reads cells one per line
(copied web pages), label-and-numbers lines (PDF/Word text) and table grids (HTML).

Stages: :func:`split_sections` finds the report's headings; :func:`read_table` walks
one section's tokens, matching row labels in printed order and giving each matched row
the values that follow it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import BLANK, PAD, TEXT, VALUE, Document, Line, Token
from .errors import ReportFormatError
from .layout import Row, Table, get_layout
from .text import normalize

# Chinese numbers of the printed tables, for messages.
TABLE_NUMERALS = {"active_disclosure": "二", "applications": "三", "review_litigation": "四"}
# How many consecutive unmatched text cells may be joined to find a broken label.
_MAX_FRAGMENTS = 4


@dataclass(slots=True)
class PlacedRow:
    """A row found in the document with the tokens of its values."""

    row: Row
    label: Token | None
    values: list[Token] = field(default_factory=list)


@dataclass(slots=True)
class TableRead:
    """What was read from one table section.

    Attributes:
        section: ``active_disclosure``, ``applications`` or ``review_litigation``.
        table: The layout table used.
        rows: Rows found, in printed order, with their value tokens.
        shapes: For rows printable in two shapes, which one this report used
            (``{"other_processing": "row"}``).
        unplaced: Value tokens that belong to no row.
        missing: ``(row key, reason)`` for expected rows not found.
        problems: ``(where, message)`` for rows whose value count is wrong
            (only collected when reading with ``strict=False``).
    """

    section: str
    table: Table
    rows: list[PlacedRow] = field(default_factory=list)
    shapes: dict[str, str] = field(default_factory=dict)
    unplaced: list[Token] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def find_heading(norm: str) -> str | None:
    """The section a normalised line is the heading of, if it is one."""
    layout = get_layout()
    if not norm or len(norm) > layout.max_heading_chars:
        return None
    for section in layout.section_order:
        for pattern in layout.section_patterns[section]:
            if pattern.match(norm):
                return section
    return None


def split_sections(doc: Document) -> dict[str, tuple[int, int]]:
    """Line ranges ``[start, end)`` of each section heading found, in printed order.

    A heading is taken only after the previous section's heading, so a table row such
    as ``四、结转下年度继续办理`` is never read as heading 四.
    """
    order = get_layout().section_order
    found: list[tuple[str, int]] = []
    for i, line in enumerate(doc.lines):
        section = find_heading(normalize(line.text.replace("|", "")))
        if section is None:
            continue
        if found and order.index(section) <= order.index(found[-1][0]):
            continue
        found.append((section, i))
    bounds = {}
    for k, (section, start) in enumerate(found):
        end = found[k + 1][1] if k + 1 < len(found) else len(doc.lines)
        bounds[section] = (start, end)
    return bounds


def _match_labels(text: str, rows: tuple[Row, ...], start: int) -> list[int]:
    """Indices of the rows whose labels a text cell holds, in order, from ``start``."""
    rest = normalize(text)
    hits: list[int] = []
    pos = start
    while rest:
        for i in range(pos, len(rows)):
            m = next((m for p in rows[i].patterns if (m := p.match(rest))), None)
            if m is not None and m.end() > 0:
                hits.append(i)
                rest = rest[m.end():]
                pos = i + 1
                break
        else:
            break
    return hits


def read_table(
    doc: Document,
    lines: list[Line],
    section: str,
    table: Table,
    allowed_shapes: dict[str, tuple[str, ...]],
    *,
    truncated: bool = False,
    strict: bool = True,
) -> TableRead:
    """Place the values of one table section on the table's rows.

    Args:
        doc: The document (for its name in messages).
        lines: The section's lines, heading excluded.
        section: The section key.
        table: The layout table the report's format prints there.
        allowed_shapes: The format's shapes for shaped rows.
        truncated: The document ends inside this section (an opening-only text):
            an incomplete last row is reported missing instead of raising.
        strict: Raise :class:`ReportFormatError` on a row with the wrong number of
            values; otherwise record it in ``problems`` and place none of its values.

    Raises:
        ReportFormatError: A row holds more or fewer values than the format says.
    """
    out = TableRead(section=section, table=table)
    rows = table.rows
    tokens = [t for line in lines for t in line.tokens if t.kind != PAD]
    anchor = next((r for r in rows if r.anchor == "section"), None)
    current: PlacedRow | None = None
    pos = 0

    def fail(where: str, message: str, placed: PlacedRow) -> None:
        if strict:
            raise ReportFormatError(doc.source, message, where)
        out.problems.append((where, message))
        out.unplaced.extend(placed.values)
        out.rows.remove(placed)

    def finish(placed: PlacedRow | None, next_row: Row | None, at_end: bool) -> None:
        if placed is None:
            return
        row, n = placed.row, len(placed.values)
        where = placed.label.location if placed.label else (placed.values[0].location if placed.values else "")
        label = f"table {TABLE_NUMERALS[section]} row {placed.label.text if placed.label else row.label_zh}"
        if n == row.width and n:
            if row.shape_of:
                out.shapes[row.shape_of] = "row"
            return
        if n == 0 and (row.group or (row.shape_of and next_row is not None and next_row.parent == row.key)):
            if row.shape_of:
                out.shapes[row.shape_of] = "group"
            return
        if at_end and truncated:
            out.missing.append((row.key, f"the text ends after {n} of its {row.width} values"))
            out.unplaced.extend(placed.values)
            out.rows.remove(placed)
            return
        fail(where, f"{label} has {n} values, expected {row.width}", placed)

    pending: list[Token] = []  # recent text cells that matched no label (a broken label?)
    for tok in tokens:
        if tok.kind in (VALUE, BLANK):
            pending.clear()
            if current is None and anchor is not None and not any(p.row is anchor for p in out.rows):
                current = PlacedRow(anchor, None)
                out.rows.append(current)
            if current is not None and len(current.values) < current.row.width:
                current.values.append(tok)
            elif current is not None and current.values and len(current.values) == current.row.width:
                label = current.label.text if current.label else current.row.label_zh
                message = f"table {TABLE_NUMERALS[section]} row {label} has more than {current.row.width} values"
                if strict:
                    raise ReportFormatError(doc.source, message, tok.location)
                out.problems.append((tok.location, message))
                out.unplaced.append(tok)
            else:
                out.unplaced.append(tok)
            continue
        if tok.kind != TEXT:
            continue
        hits = _match_labels(tok.text, rows, pos)
        label = tok
        if not hits and pending:
            # A label broken across lines or pages: join it with the fragments before.
            for k in range(len(pending)):
                joined = "".join(t.text for t in pending[k:]) + tok.text
                hits = _match_labels(joined, rows, pos)
                if hits:
                    label = Token(joined, pending[k].location, TEXT)
                    break
        if not hits:
            pending.append(tok)
            del pending[:-_MAX_FRAGMENTS]
            continue
        pending.clear()
        for i in hits:
            finish(current, rows[i], at_end=False)
            current = PlacedRow(rows[i], label)
            out.rows.append(current)
            pos = i + 1
    finish(current, None, at_end=True)

    for row_key, choices in allowed_shapes.items():
        if row_key in out.shapes and out.shapes[row_key] not in choices:
            raise ReportFormatError(
                doc.source,
                f"table {TABLE_NUMERALS[section]} prints {row_key} as a {out.shapes[row_key]}, "
                f"which this format does not (expected {' or '.join(choices)})",
            )
    shapes = {k: out.shapes.get(k, v[0]) for k, v in allowed_shapes.items()}
    printed = {p.row.key for p in out.rows}
    missing_keys = {k for k, _ in out.missing}
    for row in table.expected_rows(shapes):
        if row.key not in printed and row.key not in missing_keys:
            out.missing.append((row.key, "row not found"))
    return out
