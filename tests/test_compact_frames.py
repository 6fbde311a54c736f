"""The corpus frames as compact as the store: the same values as each report's own frames, texts held once.

``corpus.facts``, ``.checks`` and ``.findings`` keep their texts as categories on the
store's dictionaries; cast back (``public_dtypes``) they are, field by field, the frames
each report gives on its own (``read_report(...).facts`` stacked), on the real reports and
on 1,000 generated ones that all differ.
"""

from __future__ import annotations

from types import SimpleNamespace

import generated_reports as g
import pandas as pd
import pytest
from conftest import SHARED_REPORTS

import shaoyang_report as sr
from shaoyang_report import dictionary
from shaoyang_report.corpus.columns import FRAMES, count_by, public_dtypes, to_pandas

TEXTS = ("report_id", "agency", "section", "item", "measure", "applicant", "unit", "row_label", "raw", "location")


def _stacked(reports: list, frame: str) -> pd.DataFrame:
    """Each report's own records of a frame (built into the data dictionary's dtypes), stacked."""
    records = [row for r in reports for row in getattr(r, "checks" if frame == "findings" else frame)
               if frame != "findings" or row["status"] == "fail"]
    return dictionary.build_frame(records, "checks" if frame == "findings" else frame)


def _records(report: sr.Report) -> SimpleNamespace:
    return SimpleNamespace(facts=report.facts.to_dict("records"), checks=report.checks.to_dict("records"))


def _assert_same_values(corpus, reports: list) -> None:
    """``reports``: each report's ``facts`` and ``checks`` as records, in the corpus's order."""
    for frame in ("facts", "checks", "findings"):
        compact = getattr(corpus, frame)
        want = _stacked(reports, frame)
        assert list(compact.columns) == list(want.columns)
        got = public_dtypes(compact)
        for column in want.columns:  # field by field, so a difference names its column
            pd.testing.assert_series_equal(got[column], want[column], obj=f"{frame}.{column}")
        assert got.equals(want)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    folder = tmp_path_factory.mktemp("generated")
    layouts = ("cells", "rows", "plain")
    for seed in range(1000):  # as the benchmark makes its distinct corpus
        report = g.generate(seed, ("F2019", "F2021")[seed % 2], blank_rate=(0.0, 0.1, 0.3)[seed % 3])
        text = g.to_text(g.text_lines(report, layouts[seed % 3], filler=("blank", "pad")[seed % 2]))
        (folder / f"g{seed:05d}.txt").write_text(text, encoding="utf-8")
    return folder


def test_real_reports_frames_hold_the_values_of_each_report():
    corpus = sr.read_reports(SHARED_REPORTS, progress=False)
    assert len(corpus) > 50 and len(corpus.findings)
    _assert_same_values(corpus, corpus.parsed)  # each report's records as the corpus keeps them
    # typed from the Shaoyang 2020 document: 行政许可 处理决定数量 7591, 行政处罚 1614
    facts = corpus.facts
    city = facts[(facts.report_id == "shaoyang_city_2020") & (facts.measure == "decisions")]
    assert city.set_index("row_label").value[["行政许可", "行政处罚"]].tolist() == [7591, 1614]


def test_generated_reports_frames_hold_the_values_of_each_report(generated):
    corpus = sr.read_reports(generated, progress=False)
    assert len(corpus) == 1000 and corpus.errors.empty
    # each report read on its own (no catalog here: the same agency and id as in the corpus)
    _assert_same_values(corpus, [_records(sr.read_report(generated / f"{rid}.txt")) for rid in corpus.report_ids])
    for frame in FRAMES:  # every frame, cast back, is the one built the old way from the same columns
        assert public_dtypes(getattr(corpus, frame)).equals(to_pandas(corpus.to_arrow(frame), frame))


def test_texts_are_held_once_and_findings_name_only_their_own(generated):
    corpus = sr.read_reports(generated, progress=False)
    facts, findings = corpus.facts, corpus.findings
    assert all(isinstance(facts[c].dtype, pd.CategoricalDtype) for c in TEXTS)
    assert facts.report_id.cat.categories.size == facts.report_id.nunique() > 990
    assert str(facts.year.dtype) == "Int64" and str(facts.value.dtype) == "float64"
    # a count by rule lists only the rules that fail (no empty categories carried over from the checks)
    counts = findings.rule.value_counts()
    assert (counts > 0).all() and set(counts.index) == set(findings.rule.astype(str))
    # far below the ~280 bytes a row the Python strings took
    assert facts.memory_usage(deep=True).sum() / len(facts) < 120


def test_every_page_section_is_built_from_a_compact_corpus_of_many_reports(generated, tmp_path):
    """Lookups in counts grouped on a category column of ~1,000 texts: the audit page's per-report
    table once raised ``OverflowError: Python integer 545 out of bounds for int8`` (pandas'
    ``CategoricalIndex`` lookup) on this corpus, where the 24-report page tests could not."""
    from shaoyang_report.publish import agencies, audit, year_briefing

    corpus = sr.read_reports(generated, progress=False)
    for section in (audit.audit_summary, audit.audit_findings, audit.audit_cross_year, audit.audit_overview,
                    audit.audit_missing, audit.audit_unplaced, audit.audit_sources, year_briefing.sources):
        assert str(section(corpus)), section.__name__
    audit.write_audit(corpus, tmp_path)
    panel = agencies.agency_panel(corpus)
    for section in (agencies.panel_table, agencies.scorecard_table, agencies.findings_by_agency):
        assert str(section(panel)), section.__name__
    # the checks of 200 of the reports that could not be made, counted on the category column, as on plain texts
    some = corpus.reports.report_id.iloc[::5].tolist()
    checks = corpus.checks
    counted = count_by(checks[(checks.status == "not_checkable") & checks.report_id.isin(some)], "report_id")
    plain = public_dtypes(checks)
    want = plain[(plain.status == "not_checkable") & plain.report_id.isin(some)].groupby("report_id").size()
    assert counted == {str(k): int(n) for k, n in want.items()} and len(counted) > 150
