"""Read one report: any source → Document → tables, metadata → tidy facts and checks.

Example:
    >>> import shaoyang_report as sr
    >>> report = sr.read_report("data/raw/shaoyang_city_2020.txt")
    >>> report.agency, report.year, report.template
    ('邵阳市', 2020, 'F2019')
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from functools import cached_property
from pathlib import Path

import pandas as pd

from shaoyang_report import dictionary
from shaoyang_report.check.checks import run_rules
from shaoyang_report.check.misreads import mark_misreads
from shaoyang_report.check.prose import prose_checks_records
from shaoyang_report.errors import ReportFormatError
from shaoyang_report.layout import TABLE_SECTIONS, Table, get_layout
from shaoyang_report.read.document import BLANK, VALUE, Document, Token
from shaoyang_report.read.entry import CallerHints, CatalogEntry
from shaoyang_report.read.format_labels import format_refusal
from shaoyang_report.read.identity import Identity, identity_fields, resolve_agency
from shaoyang_report.read.metadata import Metadata, read_metadata
from shaoyang_report.read.prose import extract_prose_facts, join_wrapped_lines, read_mentions
from shaoyang_report.read.readers import load_document
from shaoyang_report.read.readers.text_reader import text_document
from shaoyang_report.read.sections import split_sections
from shaoyang_report.read.statistics import StatisticsRead, early_format, read_statistics
from shaoyang_report.read.tables import TableRead, read_tables
from shaoyang_report.read.text import parse_cell
from shaoyang_report.rendering import render_html, render_text

MISSING_COLUMNS = ["report_id", "section", "item", "reason"]
UNPLACED_COLUMNS = ["report_id", "section", "raw", "location"]
PROBLEM_COLUMNS = ["report_id", "location", "message"]
#: The frames a report's rows are kept for (:meth:`Report.records`), in this order.
RECORD_FRAMES = ("facts", "checks", "missing", "unplaced", "problems")
# lines at the top of a report that may name its division (title, breadcrumbs, statistics period)
_CONTEXT_LINES = 12


class Report:
    """One parsed 政府信息公开工作年度报告.

    Attributes:
        report_id: Identifier used in every frame (the catalog's, else the file name
            without extension).
        source: The file name the report was read from.
        agency: Agency used for comparison: the caller's (``agency=``), else the catalog's
            name, else the printed one.
        agency_printed: Agency as printed (None when the text does not name it).
        year: Reporting year (printed; the caller's (``year=``), else the catalog's, when
            the text does not state it, or only lets it be inferred from prose or a
            publication date).
        catalog_entry: The catalog row of the report, if it was read with one.
        template: ``F2019`` or ``F2021``; ``F2008`` for a report before the national
            tables (prose, and the old statistics table where printed: facts of section
            ``statistics``).
        template_basis: ``table labels`` or ``year`` (see :class:`~shaoyang_report.read.metadata.Metadata`).
        title: The printed title or the sentence naming agency and year.
        published: The publication date printed above the first heading (a saved page's
            ``发布时间:2021-01-20``), or None.
        provenance: Where agency, year and format came from: ``{"agency", "agency_printed",
            "year", "format"}`` → :class:`~shaoyang_report.read.metadata.Evidence`
            ``(basis, location, inferred)`` or None, e.g. ``{"year": Evidence("publication
            date", "line 3", inferred=True), …}`` (see
            :meth:`~shaoyang_report.read.metadata.Metadata.provenance`).
        shapes: How shaped rows were printed (``{"other_processing": "row"}``).
        document: The :class:`~shaoyang_report.read.document.Document` read.
        identity: Which agency published it, one identity across printed names and years
            (:class:`~shaoyang_report.read.identity.Identity`: ``agency_id``,
            ``division_code``, ``division_level``, ``organ``, ``evidence``, ``ambiguous``,
            ``candidates``), resolved from ``agency`` with the report's own text as context.
    """

    def __init__(self, report_id: str, doc: Document, meta: Metadata, reads: dict[str, TableRead],
                 absent: list[str], catalog_entry: CatalogEntry | None = None,
                 prose_lines: list[tuple[str, str]] | None = None, aliases: Mapping[str, str] | None = None,
                 statistics: StatisticsRead | None = None) -> None:
        self.report_id = report_id
        self._aliases = aliases
        self.source = doc.source
        self.document = doc
        self.catalog_entry = catalog_entry
        self.agency_printed = meta.agency
        # for comparison: the caller's or the catalog's name, else the printed one in Simplified, without glosses
        self.agency = meta.compared_agency(catalog_entry)
        self.template = meta.template
        self.template_basis = meta.template_basis
        self.title = meta.title
        self.provenance = meta.provenance(catalog_entry)
        self.published = meta.published  # the date line above the first heading, if printed
        self.year = meta.used_year(catalog_entry)  # the text's; the caller's or catalog's where it states none
        self._reads = reads
        self._statistics = statistics or StatisticsRead()
        self._absent = absent
        self.shapes = {k: v for r in reads.values() for k, v in r.shapes.items()}
        self._prose = join_wrapped_lines(prose_lines or [])  # paragraphs, read once for both uses
        self._value_notes: list[tuple[str, str]] = []
        self._notes: list[tuple[str, str]] = list(meta.notes)  # about the report as a whole (its format, the caller's hints)
        self._records, self._value_problems = self._table_records()
        self._records += self._prose_records()

    @cached_property
    def identity(self) -> Identity:
        """Which agency published the report: its name resolved with the report's own text as context."""
        if not self.agency:
            return Identity("", None, evidence="the report names no agency", ambiguous=True)
        return resolve_agency(self.agency, self.identity_context(), self._aliases)

    def identity_context(self) -> tuple[str, ...]:
        """The texts that may name the report's division when its name does not: the name
        as printed, the title, the first lines, the catalog's file and URL."""
        head = []
        for line in self.document.lines:
            if line.text.strip():
                head.append(line.text)
                if len(head) == _CONTEXT_LINES:
                    break
        entry = self.catalog_entry
        found = (self.agency_printed or "", self.title or "", *head,
                 *((entry.local_file, entry.url) if entry else ()), self.source)
        return tuple(t for t in found if t)

    # ------------------------------------------------------------------ building
    def _base(self) -> dict:
        return {"report_id": self.report_id, "agency": self.agency, "year": self.year, "template": self.template}

    def _table_records(self) -> tuple[list[dict], list[tuple[str, str]]]:
        base = {**self._base(), "agency_printed": self.agency_printed}
        records, problems = [], []
        confidence = self.document.confidence  # OCR: location → recognition confidence (else empty)
        for section, read in self._reads.items():
            for placed in read.rows:
                row = placed.row
                for col, tok in zip(placed.columns, placed.values):
                    raw = "" if tok.kind == BLANK else tok.text
                    value, problem, note = parse_cell(raw, col.unit, default_unit=placed.header_unit,
                                                      unit_in_cell=col.unit_in_cell)
                    if problem:
                        problems.append((tok.location, problem))
                    if note:
                        self._value_notes.append((tok.location, note))
                    records.append({
                        **base,
                        "section": section,
                        "item": col.dims.get("item", row.key),
                        "measure": col.dims.get("measure", read.table.measure),
                        "applicant": col.dims.get("applicant"),
                        "value": value,
                        "unit": col.unit,
                        "is_total": col.is_total or row.is_total,
                        "row_label": placed.label.text if placed.label else "",
                        "raw": raw,
                        "location": tok.location,
                        "confidence": confidence.get(tok.location) if confidence else None,
                    })
        for cell in self._statistics.cells:  # the old statistics table (a report before 2019)
            records.append({**base, "section": "statistics", "item": cell.row, "measure": cell.measure,
                            "applicant": None, "value": cell.value, "unit": cell.unit, "is_total": False,
                            "row_label": cell.label, "raw": cell.raw, "location": cell.location, "confidence": None})
        return records, problems

    def _prose_records(self) -> list[dict]:
        base = {**self._base(), "agency_printed": self.agency_printed, "is_total": False, "row_label": ""}
        facts = [{**base, **fact} for fact in extract_prose_facts(self._prose, agency=self.agency_printed, year=self.year)]
        confidence = self.document.confidence
        if confidence:  # read by OCR: the confidence of the line the figure was read from
            for fact in facts:
                fact["confidence"] = confidence.get(str(fact.get("location", "")).split(", chars")[0])
        return facts

    # ------------------------------------------------------------------ frames
    @cached_property
    def facts(self) -> pd.DataFrame:
        """Tidy long frame, one row per published number (see the README's data dictionary)."""
        return dictionary.build_frame(self._records, "facts")

    @cached_property
    def _check_records(self) -> list[dict]:
        tables = {s: r.table for s, r in self._reads.items()}
        table_facts = [r for r in self._records if r["section"] in tables]
        checks = run_rules(table_facts, tables, self.shapes)
        if len(table_facts) < len(self._records):  # prose figures: cross-checks
            checks += [{**c, "difference": c["printed"] - c["expected"]} for c in prose_checks_records(self._records)]
        # OCR'd reports: which findings a one-digit misread would explain (nothing is corrected)
        return mark_misreads([{**self._base(), **c} for c in checks], self._records)

    @cached_property
    def checks(self) -> pd.DataFrame:
        """Every arithmetic check made, with status pass / fail / not_checkable."""
        return dictionary.build_frame(self._check_records, "checks")

    @property
    def findings(self) -> pd.DataFrame:
        """The checks that fail: where the report's numbers do not add up."""
        checks = self.checks
        return checks[checks["status"] == "fail"].reset_index(drop=True)

    @cached_property
    def _missing_records(self) -> list[dict]:
        rows = [{"report_id": self.report_id, "section": s, "item": None,
                 "reason": "table not in the text"} for s in self._absent]
        for section, read in self._reads.items():
            rows += [{"report_id": self.report_id, "section": section, "item": k, "reason": why}
                     for k, why in read.missing]
        return rows

    @cached_property
    def _unplaced_records(self) -> list[dict]:
        return [{"report_id": self.report_id, "section": s, "raw": t.text, "location": t.location}
                for s, read in self._reads.items() for t in read.unplaced] + [
            {"report_id": self.report_id, "section": "statistics", "raw": t.text, "location": t.location}
            for t in self._statistics.unplaced]

    @property
    def missing(self) -> pd.DataFrame:
        """Tables and rows the format requires that the text does not hold, with why."""
        return pd.DataFrame(self._missing_records, columns=MISSING_COLUMNS).astype("string")

    @property
    def unplaced(self) -> pd.DataFrame:
        """Numbers printed in a table section that could not be put on a row with certainty."""
        return pd.DataFrame(self._unplaced_records, columns=UNPLACED_COLUMNS).astype("string")

    @property
    def problems(self) -> list[tuple[str, str]]:
        """``(location, message)`` for cells or rows that could not be read as expected.

        A row whose values cannot be placed with certainty is listed here with its place,
        its numbers in :attr:`unplaced`; the rest of the report is kept.
        """
        return [p for r in self._reads.values() for p in r.problems] + list(self._value_problems) + list(
            self._statistics.problems)

    @property
    def notes(self) -> list[tuple[str, str]]:
        """``(location, message)``: what was read but is worth knowing.

        A label read with a one-character typo, values printed run into their label, a
        footnote mark or an encoding artifact beside a number, a block printed with the
        other format's headers, a table in another format than its year's.
        """
        return [*self._notes, *(n for r in self._reads.values() for n in r.notes), *self._value_notes]

    def records(self, frame: str) -> list[dict]:
        """The report's rows of one frame as dicts: what its frames are built from.

        A corpus keeps these (as columns) instead of the report.

        Args:
            frame: ``facts``, ``checks``, ``missing``, ``unplaced`` or ``problems``
                (``report_id, location, message`` for each of :attr:`problems`).

        Returns:
            One dict per row, keyed by the frame's columns. For facts, checks, missing
            and unplaced, the lists the report keeps (not copies): a frame not built yet
            is built from them as they are.

        Example:
            >>> report = read_report("data/raw/shaoyang_city_2020.txt")
            >>> len(report.records("facts")) == len(report.facts), report.records("problems")
            (True, [])
        """
        if frame == "facts":
            return self._records
        if frame == "checks":
            return self._check_records
        if frame == "missing":
            return self._missing_records
        if frame == "unplaced":
            return self._unplaced_records
        if frame == "problems":
            return [{"report_id": self.report_id, "location": where, "message": message}
                    for where, message in self.problems]
        raise ValueError(f"frame must be one of {RECORD_FRAMES}, not {frame!r}")

    @property
    def tables_read(self) -> list[str]:
        """Sections whose table was found in the text."""
        return list(self._reads)

    def expected_value_count(self, section: str) -> int:
        """How many values the format (in the shape this report used) puts in a table."""
        assert self.template is not None, "a report of a known format only"
        table = get_layout().table_for(self.template, section)
        return table.value_count(self.shapes)

    # ------------------------------------------------------------------ views
    def table(self, section: str) -> pd.DataFrame:
        """The printed table rebuilt as a wide frame with Chinese labels.

        Args:
            section: ``active_disclosure``, ``applications`` or ``review_litigation``.

        Returns:
            Rows in printed order (group labels included, empty), one column per printed
            column. Blank cells are NaN. Empty when the report lacks the table.
        """
        if section not in TABLE_SECTIONS:
            raise ValueError(f"section must be one of {TABLE_SECTIONS}, not {section!r}")
        return printed_table(self._records, self.template, section)

    def numbers_in_prose(self) -> pd.DataFrame:
        """Every number in the report's prose as a mention: its kind, topic, measure, metric and scope.

        Unlike :attr:`facts`, this lists every number: those whose meaning is not
        certain (``metric`` empty), approximate ones, dates, phone and document numbers
        (``kind``), and figures of a part, a sub-unit or a cumulative span (``scope``).
        The columns are declared in ``data/fields.csv`` (frame ``prose_numbers``); see
        :func:`~shaoyang_report.read.prose.read_mentions`.
        """
        rows = [{"report_id": self.report_id, **m}
                for m in read_mentions(self._prose, agency=self.agency_printed, year=self.year)]
        return dictionary.build_frame(rows, "prose_numbers")

    def summary(self) -> dict:
        """Counts an analyst checks first: values per table vs expected, findings, gaps.

        ``year_basis`` says where the year came from (``statistics period``, ``title``,
        ``opening sentence``, ``caller``, ``catalog``); weak evidence is marked: ``prose
        (inferred)``, ``publication date (inferred)``. ``blank_tables`` names the tables
        printed with every cell blank and no number unplaced (an empty template), comma-separated.
        """
        year_basis = self.provenance["year"]
        out = {"report_id": self.report_id, "agency": self.agency, "year": self.year,
               "year_basis": year_basis.describe() if year_basis else None, "template": self.template}
        tables = get_layout().prints_tables(self.template)
        for section in TABLE_SECTIONS:
            n = sum(1 for r in self._records if r["section"] == section)
            out[section] = f"{n}/{self.expected_value_count(section)}" if tables else str(n)
        out["prose"] = sum(1 for r in self._records if r["section"] == "prose")
        if self.template and not tables:  # a report before the national tables: the old table's values
            out["statistics"] = sum(1 for r in self._records if r["section"] == "statistics")
        status = Counter(c["status"] for c in self._check_records)
        out["findings"] = status["fail"]
        # of which a one-digit OCR misread (3↔8, 1↔7, 0↔6) more likely than the agency's arithmetic
        out["likely_misreads"] = sum(1 for c in self._check_records if c["likely_misread"])
        out["not_checkable"] = status["not_checkable"]
        out["missing"] = len(self._missing_records)
        out["unplaced"] = len(self._unplaced_records)
        out["problems"] = len(self.problems)
        out["ocr"] = ", ".join(self.document.ocr_pages)  # the pages read by OCR ("" for none)
        out.update(identity_fields(self.identity))
        # tables printed with every cell blank and no number (an empty template): "active_disclosure,…" ("" for none)
        out["blank_tables"] = ",".join(s for s in TABLE_SECTIONS if (raws := [r["raw"] for r in self._records if r[
            "section"] == s]) and not any(raws) and not any(u["section"] == s for u in self._unplaced_records))
        return out

    def __repr__(self) -> str:
        """The headline ``shaoyang-report check`` prints, then each finding and problem on one line."""
        return render_text(self)

    def _repr_html_(self) -> str:
        """The rich display in Jupyter: counts per table, findings, printed tables (escaped)."""
        return render_html(self)


def _cut_number(doc: Document) -> Token | None:
    """The last token of a text that ends inside a number (``75`` of a cut ``7591``).

    A copied text that stops in the middle of a table may stop inside a number; its
    last value is not certain unless something printed after it on its line (a space,
    ``|``) shows that the number ended there.
    """
    if doc.reader != "text":
        return None
    for line in reversed(doc.lines):
        if not line.text.strip():
            continue
        if line.tokens and line.tokens[-1].kind == VALUE and line.text.endswith(line.tokens[-1].text):
            return line.tokens[-1]
        return None
    return None


def parse_document(doc: Document, *, report_id: str | None = None, strict: bool | None = None,
                   catalog_entry: CatalogEntry | None = None, year: int | None = None, agency: str | None = None,
                   format: str | None = None, aliases: Mapping[str, str] | None = None) -> Report:
    """Turn a Document into a :class:`Report`.

    Args:
        doc: The document.
        report_id: Identifier for the frames; defaults to the source name without extension.
        strict: ``True``: raise at the first table row or cell that cannot be placed
            with certainty. ``False`` or ``None`` (default): read leniently — list such
            rows in ``report.problems`` and their numbers in ``report.unplaced``, and
            keep the rest of the report.
        catalog_entry: The report's catalog row: its report_id, the agency name used
            for comparison, and the year when the text does not state one.
        aliases: Printed agency name → agency id, overriding the resolver for the
            report's identity (see :func:`~shaoyang_report.read.identity.resolve_agency`).
        year, agency, format: What the caller says of the report, used as a catalog
            row is and before it: the agency for comparison, the year where the text
            states none or only lets one be inferred, the format (``F2019``, ``F2021``)
            where no table label only one format prints tells it. Where the text says
            otherwise, its own is kept and ``report.notes`` says so; ``report.provenance``
            gives the basis ``caller`` for what was taken.

    Raises:
        ReportFormatError: The text is not such a report, or a table is malformed.
        ValueError: ``year``, ``agency`` or ``format`` is not one (an unknown format).
    """
    strict = bool(strict)
    given = CallerHints.of(agency=agency, year=year, format=format)
    meta = read_metadata(doc, catalog_entry=catalog_entry, given=given)
    bounds = split_sections(doc)
    tables_found = [s for s in TABLE_SECTIONS if s in bounds]
    # a report before the national tables that prints no year: told by its old headings or statistics table
    early = early_format(doc) if meta.template is None or (meta.year is None and not bounds) else None
    if meta.template is None and early is not None:
        meta = replace(meta, template=early[0], template_basis=early[1])
    layout = get_layout()
    if meta.year is None and not bounds and early is None:  # (a year only the caller or the catalog gives makes no text a report)
        raise ReportFormatError(
            doc.source,
            "not a 政府信息公开工作年度报告: expected a title or statistics period naming the year "
            "(邵阳市2020年政府信息公开工作年度报告, 统计期限从2020年1月1日…), the table headings "
            "(二、主动公开政府信息情况 …), or the headings or statistics table of a report before 2019 "
            "(三、依申请公开政府信息情况, 附表 政府信息公开情况统计表 …)",
        )
    if meta.template is None:
        raise ReportFormatError(doc.source, format_refusal(doc, meta.used_year()))
    rid = report_id or (catalog_entry.report_id if catalog_entry else Path(doc.source).stem)
    if not layout.prints_tables(meta.template):  # before the national tables: its headings delimit prose
        statistics = read_statistics(doc, layout.formats[meta.template].statistics)
        prose_lines = [(ln.location, ln.text) for i, ln in enumerate(doc.lines)
                       if ln.text.strip() and i not in statistics.lines]
        return Report(rid, doc, meta, {}, [], catalog_entry, prose_lines, aliases, statistics)
    reads: dict[str, TableRead] = read_tables(doc, bounds, meta.template, strict=strict, cut=_cut_number(doc))
    absent = [s for s in TABLE_SECTIONS if s not in reads]
    in_tables = {i for s in tables_found for i in range(*bounds[s])}
    prose_lines = [(ln.location, ln.text) for i, ln in enumerate(doc.lines)
                   if ln.text.strip() and (i not in in_tables or _is_sentence(ln.text))]
    return Report(rid, doc, meta, reads, absent, catalog_entry, prose_lines, aliases)


def _is_sentence(text: str) -> bool:
    """A line inside a table's section that is a sentence, not a table line: the section's prose.

    ``二、主动公开政府信息情况`` may open with paragraphs stating figures
    (``1.主动公开情况。2025年,…公开…信息7条。``) before its table; a table line never
    ends a sentence (。) and a row never holds a cell separator.
    """
    return "。" in text and "|" not in text


def read_report(path: str | Path | list, *, report_id: str | None = None, strict: bool | None = None,
                catalog_entry: CatalogEntry | None = None, workers: int | None = None, year: int | None = None,
                agency: str | None = None, format: str | None = None,
                aliases: Mapping[str, str] | None = None) -> Report:
    """Read one report file (copied web-page text, or PDF/Word text) into a :class:`Report`.

    Args:
        path: The file; or several page images (``[p1.png, p2.png]``) of one report.
        report_id: Identifier for the frames; defaults to the file name without extension.
        strict: See :func:`parse_document`.
        catalog_entry: See :func:`parse_document`.
        year, agency, format: What the text lacks, the caller may say: see
            :func:`parse_document` (``read_report(path, year=2021, format="F2021")``).
        workers: Processes to OCR pages in, for a report read from images (scanned PDF
            pages, table pictures, image files); 1 (default) reads them here. A text
            report never starts them.
        aliases: See :func:`parse_document`.

    Raises:
        FileNotFoundError: The file does not exist (a
            :class:`~shaoyang_report.errors.ReportFileNotFoundError`, also a ``ReportFormatError``).
        ReportFormatError: The file is not such a report, or a table is malformed; the
            message names the file and the place.
        ValueError: ``year``, ``agency`` or ``format`` is not one.

    Example:
        >>> report = read_report("data/raw/shaoyang_city_2020.txt")
        >>> report.facts.query("item == 'administrative_permit'")[["measure", "value", "raw"]]
                    measure   value   raw
        6  prior_year_items  4089.0  4089
        7            change   -56.0   -56
        8         decisions  7591.0  7591
    """
    CallerHints.of(agency=agency, year=year, format=format)  # before reading
    if workers is None or workers == 1:
        doc = load_document(path)
    else:  # the OCR module itself is light: the engine is imported only when a page is an image
        from shaoyang_report.read.readers.ocr.pages import page_workers

        with page_workers(workers):
            doc = load_document(path)
    return parse_document(doc, report_id=report_id, strict=strict, catalog_entry=catalog_entry,
                          year=year, agency=agency, format=format, aliases=aliases)


def read_text(text: str, *, source: str = "<text>", report_id: str | None = None, strict: bool | None = None,
              year: int | None = None, agency: str | None = None, format: str | None = None) -> Report:
    """Read a report from a string (as :func:`read_report` reads a file; ``year``, ``agency``,
    ``format``: see :func:`parse_document`)."""
    return parse_document(text_document(text, source), report_id=report_id, strict=strict,
                          year=year, agency=agency, format=format)


def printed_table(records: list[dict], template: str | None, section: str) -> pd.DataFrame:
    """Rebuild one printed table (Chinese labels, printed order) from fact records.

    Args:
        records: Fact records of one report.
        template: The report's format.
        section: ``active_disclosure``, ``applications`` or ``review_litigation``.
    """
    facts = [r for r in records if r["section"] == section]
    if not template or not facts:
        return pd.DataFrame()
    table: Table = get_layout().table_for(template, section)
    wide = table.wide
    printed = {r["item"] for r in facts}
    row_order: list[tuple[str, str]] = []
    col_order: list[tuple[str | None, str]] = []
    for row in table.rows:
        # a block may print the other format's columns (alt_columns): kept as printed
        for col in (*row.columns, *(c for alt in row.alt_columns for c in alt.columns)):
            ck, cl = col.dims.get(wide), col.label_zh.split("·")[-1]
            if ck not in (k for k, _ in col_order):
                col_order.append((ck, cl))
            ik = col.dims.get("item")
            if ik and (ik, col.label_zh.split("·")[0]) not in row_order:
                row_order.append((ik, col.label_zh.split("·")[0]))
        if "item" not in (row.columns[0].dims if row.columns else {}):
            if row.key in printed or row.group or any(c.key in printed for c in table.children(row.key)):
                row_order.append((row.key, row.label_zh))
    grid = {(r["item"], r[wide]): r["value"] for r in facts}
    data = [[grid.get((ik, ck), math.nan) for ck, _ in col_order] for ik, _ in row_order]
    frame = pd.DataFrame(data, index=[lbl for _, lbl in row_order], columns=[lbl for _, lbl in col_order])
    frame.index.name = table.name_zh
    return frame.dropna(axis=1, how="all") if section == "active_disclosure" else frame
