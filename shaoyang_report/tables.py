"""The template reader: a Document's table sections → placed cells.

Reads by labels and by the number of values each row must hold (from
``layouts.toml``), never by line position, so the same code reads cells one per line
(copied web pages), label-and-numbers lines (PDF text, markdown) and table grids
(HTML, Word): every reader hands it the same lines of cells.

Stages: :func:`split_sections` finds the report's headings; :func:`read_table` walks
one section's lines, matching row labels in printed order and giving each matched row
the values that follow it — only where that is certain (see :func:`read_table`); the
rest is reported as unplaced, never put on a row by guess. Page furniture printed
inside a table (``- 3 -``, a markdown rule ``|---|``) is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .document import BLANK, PAD, TEXT, VALUE, Document, Line, Token, is_furniture
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
        unplaced: Value tokens that could not be put on a row with certainty (blank
            cells are not listed: they hold no number).
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


def _match_late(text: str, rows: tuple[Row, ...], pos: int, placed: set[str]) -> int | None:
    """A row before ``pos`` not yet found whose label the text cell holds (printed out of order)."""
    rest = normalize(text)
    for i in range(pos):
        row = rows[i]
        if row.group or not row.columns or row.key in placed:
            continue
        if any((m := p.match(rest)) and m.end() > 0 for p in row.patterns):
            return i
    return None


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

    Rows are found by their labels, in printed order; each row takes the values that
    follow its label, as many as the format gives it. What counts as "follows" is kept
    to what is certain:

    * values on the same printed line (table row) as a row's label are that row's;
    * values on a line of their own (cells one per line, or numbers that a PDF set on
      the line below a long label) belong to the row being read — unless the reading
      has lost step (below);
    * values on a line that starts with text that is no label of the table are another
      row's, whose label is unknown: they are not placed (``unplaced``), and the reading
      has lost step;
    * a label printed out of the format's order is accepted for rows not yet found.

    The reading loses step when a row ends with the wrong number of values, a row is
    printed out of order, or a line's values follow an unknown label. Until a line holds
    a label and values together again, values on lines of their own are not placed:
    they could belong to more than one row. Text on a value line that is a piece of the
    current row's label or of a group label (PDF: a label broken over lines, a group
    label printed down the side of its rows) is not an unknown label.

    Args:
        doc: The document (for its name in messages).
        lines: The section's lines, heading excluded.
        section: The section key.
        table: The layout table the report's format prints there.
        allowed_shapes: The format's shapes for shaped rows.
        truncated: The document ends inside this section (an opening-only text):
            an incomplete last row is reported missing instead of raising.
        strict: Raise :class:`ReportFormatError` on a row with the wrong number of
            values, or values after an unknown label once the table's rows have begun;
            otherwise record it in ``problems`` and place none of those values.

    Raises:
        ReportFormatError: A row holds more or fewer values than the format says.
    """
    out = TableRead(section=section, table=table)
    rows = table.rows
    anchor = next((r for r in rows if r.anchor == "section"), None)
    row_texts = {r.key: normalize(r.label_zh) for r in rows}
    parents = {r.parent for r in rows if r.parent}
    frame_texts = [row_texts[r.key] for r in rows if r.group or r.key in parents]
    current: PlacedRow | None = None
    pos = 0
    in_step = True  # values on lines of their own may be placed on the current row

    def drop_values(values: list[Token]) -> None:
        out.unplaced.extend(t for t in values if t.kind == VALUE)

    def fail(where: str, message: str, placed: PlacedRow) -> None:
        nonlocal in_step
        if strict:
            raise ReportFormatError(doc.source, message, where)
        out.problems.append((where, message))
        drop_values(placed.values)
        out.rows.remove(placed)
        in_step = False

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
            drop_values(placed.values)
            out.rows.remove(placed)
            return
        fail(where, f"{label} has {n} values, expected {row.width}", placed)

    def harmless(stray: list[Token], row: PlacedRow | None) -> bool:
        """Whether text cells on a value line are pieces of known labels, not another row's label."""
        own = row_texts[row.row.key] if row is not None else ""
        for tok in stray:
            norm = normalize(tok.text)
            if norm and norm not in own and not any(norm in t for t in frame_texts):
                return False
        return True

    def awaiting_anchor() -> bool:
        """The table's label-less row is still to come: the first values are its."""
        return in_step and anchor is not None and not any(p.row is anchor for p in out.rows)

    pending: list[Token] = []  # recent text cells that matched no label (a broken label?)
    for line in lines:
        if is_furniture(line.text):
            continue
        on_line: PlacedRow | None = None  # the row whose label is on this line
        stray: list[Token] = []  # text cells on this line after its last label
        for tok in line.tokens:
            if tok.kind == PAD:
                continue
            if tok.kind == TEXT:
                found = _find_label(tok, pending, rows, pos, {p.row.key for p in out.rows})
                if found is None:
                    pending.append(tok)
                    del pending[:-_MAX_FRAGMENTS]
                    stray.append(tok)
                    continue
                hits, label, late = found
                pending.clear()
                for i in hits:
                    finish(current, rows[i], at_end=False)
                    current = PlacedRow(rows[i], label)
                    out.rows.append(current)
                    if not late:
                        pos = i + 1
                if late:
                    in_step = False
                on_line, stray = current, []
                continue
            # a value or a blank cell
            pending.clear()
            if on_line is not None and on_line is current and harmless(stray, on_line):
                target = current
                in_step = True
            elif stray and not harmless(stray, current) and not (current is None and awaiting_anchor()):
                # values after a label this reader does not know: another row's
                if tok.kind == VALUE:
                    if current is not None or out.rows:
                        message = (f"table {TABLE_NUMERALS[section]}: values after "
                                   f"'{''.join(t.text for t in stray)}', which is no row label of the format")
                        if strict:
                            raise ReportFormatError(doc.source, message, tok.location)
                        if not out.problems or out.problems[-1][1] != message:
                            out.problems.append((tok.location, message))
                    out.unplaced.append(tok)
                if current is not None:
                    finish(current, None, at_end=False)
                    current = None
                in_step = False
                continue
            else:
                target = current if in_step else None
            if target is None:
                if current is None and awaiting_anchor():
                    current = target = PlacedRow(anchor, None)
                    out.rows.append(current)
                else:
                    if tok.kind == VALUE:
                        out.unplaced.append(tok)
                    continue
            stray = []  # judged: what follows on this line continues this row
            if len(target.values) < target.row.width:
                target.values.append(tok)
            elif tok.kind == BLANK:
                continue  # an empty cell no row has room for (padding, a spacer row) holds no number
            elif target.values and len(target.values) == target.row.width:
                label = target.label.text if target.label else target.row.label_zh
                message = f"table {TABLE_NUMERALS[section]} row {label} has more than {target.row.width} values"
                if strict:
                    raise ReportFormatError(doc.source, message, tok.location)
                out.problems.append((tok.location, message))
                if tok.kind == VALUE:
                    out.unplaced.append(tok)
                in_step = False
            elif tok.kind == VALUE:
                out.unplaced.append(tok)
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
            out.missing.append((row.key, "the text ends before this row" if truncated else "row not found"))
    return out


def _find_label(
    tok: Token, pending: list[Token], rows: tuple[Row, ...], pos: int, placed: set[str]
) -> tuple[list[int], Token, bool] | None:
    """The rows a text cell labels: ``(row indices, label token, printed out of order)``.

    Tried in turn: the cell alone in printed order; the cell joined to the unmatched
    cells before it (a label broken across lines or pages); the same for a row not yet
    found that the format prints earlier.
    """
    hits = _match_labels(tok.text, rows, pos)
    if hits:
        return hits, tok, False
    joins = [(Token("".join(t.text for t in pending[k:]) + tok.text, pending[k].location, TEXT))
             for k in range(len(pending))]
    for joined in joins:
        hits = _match_labels(joined.text, rows, pos)
        if hits:
            return hits, joined, False
    for candidate in (tok, *joins):
        late = _match_late(candidate.text, rows, pos, placed)
        if late is not None:
            return [late], candidate, True
    return None
