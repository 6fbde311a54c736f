"""One agency, one line: which reports are the same agency, its name, and finding it by any name.

Reports are compared by their agency's identity (``corpus.reports.agency_id``, see
:mod:`shaoyang_report.read.identity`), not by the name each prints: 洪泽区人民政府 (2023)
and 淮安市洪泽区人民政府 (2024) are one agency, ``320813/人民政府``. A report whose name
could not be resolved to one agency (ambiguous, or naming no division) is compared as
an agency of its own (``unresolved:<report_id>``): never merged with another on a guess.
An analyst merges such reports by naming them in the catalog or in an
``agency_aliases.csv``.

Example:
    >>> import pandas as pd
    >>> reports = pd.DataFrame({"report_id": ["a", "b", "c"], "agency": ["洪泽区人民政府", "淮安市洪泽区人民政府", "审计局"],
    ...                         "agency_id": ["320813/人民政府", "320813/人民政府", None], "year": [2023, 2024, 2023]})
    >>> agency_keys(reports)
    ['320813/人民政府', '320813/人民政府', 'unresolved:c']
    >>> agency_names(reports)["320813/人民政府"]
    '淮安市洪泽区人民政府'
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from shaoyang_report.read.identity import clean_name, resolve_agency

if TYPE_CHECKING:
    from shaoyang_report.corpus.corpus import Corpus

#: The key of a report whose agency could not be resolved: compared on its own.
UNRESOLVED = "unresolved:"
_LISTED = 20  # agencies named in an error message


def agency_keys(reports: pd.DataFrame) -> list[str | None]:
    """The key each report is compared under: its ``agency_id``; ``unresolved:<report_id>``
    when its name resolved to no single agency; None when it names no agency at all."""
    if not len(reports):
        return []
    ids = reports["agency_id"].tolist() if "agency_id" in reports else [None] * len(reports)
    names = reports["agency"].tolist() if "agency" in reports else [None] * len(reports)
    out: list[str | None] = []
    for rid, agency_id, name in zip(reports["report_id"].tolist(), ids, names):
        if isinstance(agency_id, str) and agency_id:
            out.append(agency_id)
        elif isinstance(name, str) and name:
            out.append(UNRESOLVED + str(rid))
        else:
            out.append(None)
    return out


def agency_names(reports: pd.DataFrame) -> dict[str, str]:
    """Key → the name it is shown with: the ``agency`` of its latest report (catalog's, else printed)."""
    names: dict[str, tuple[float, str]] = {}
    years = reports["year"].tolist() if "year" in reports else [None] * len(reports)
    for key, name, year in zip(agency_keys(reports), reports.get("agency", pd.Series(dtype=object)).tolist(), years):
        if key is None or not isinstance(name, str):
            continue
        when = float(year) if year is not None and not pd.isna(year) else float("-inf")
        if key not in names or when >= names[key][0]:
            names[key] = (when, name)
    return {key: name for key, (_, name) in names.items()}


def find_agency(reports: pd.DataFrame, name: str | None) -> str:
    """The key of the agency ``name`` means: an agency id, a name any of its reports prints or
    its catalog gives, or any name of it the resolver reads (``洪泽区`` for 淮安市洪泽区人民政府).

    Args:
        reports: ``corpus.reports``.
        name: The agency; None when the reports hold one agency.

    Raises:
        ValueError: The name fits no agency of the reports, or several (the message lists
            them, with their ids, so the caller can name one).
    """
    keys = agency_keys(reports)
    names = agency_names(reports)
    present = sorted({k for k in keys if k is not None})

    def listing(ks) -> str:
        shown = ", ".join(f"{names.get(k, k)} ({k})" for k in ks[:_LISTED])
        return shown + (f" … and {len(ks) - _LISTED} more" if len(ks) > _LISTED else "")

    if name is None:
        if len(present) != 1:
            raise ValueError(f"name the agency to compare; the corpus holds {listing(present)}")
        return present[0]
    if name in present:
        return name
    wanted = clean_name(name)
    by_name = set()
    for key, agency, printed in zip(keys, reports.get("agency", pd.Series([None] * len(reports))).tolist(),
                                    reports.get("agency_printed", pd.Series([None] * len(reports))).tolist()):
        if key is not None and any(isinstance(n, str) and clean_name(n) == wanted for n in (agency, printed)):
            by_name.add(key)
    if len(by_name) == 1:
        return by_name.pop()
    if len(by_name) > 1:
        raise ValueError(f"{name!r} names several agencies in the corpus: {listing(sorted(by_name))}; "
                         "name one by its id, or make them one in agency_aliases.csv")
    found = resolve_agency(name)
    if found.agency_id in present:
        return found.agency_id
    among = [c for c in found.candidates if c in present]
    if found.ambiguous and found.candidates:  # reports whose names are as ambiguous as this one
        among += sorted({k for k, n in zip(keys, reports.get("agency", pd.Series([None] * len(reports))).tolist())
                         if k is not None and k.startswith(UNRESOLVED) and isinstance(n, str)
                         and resolve_agency(n).candidates == found.candidates})
    if len(among) == 1:
        return among[0]
    if among:
        raise ValueError(f"{name!r} is ambiguous: it fits {listing(among)}; name one by its id")
    if found.ambiguous and found.candidates:
        raise ValueError(f"{name!r} is ambiguous ({', '.join(found.candidates[:_LISTED])}) and no report of it is in "
                         f"the corpus; it holds {listing(present)}")
    raise ValueError(f"no report of {name!r} in the corpus; it holds {listing(present)}")


def agency_reports(reports: pd.DataFrame, agency: str | None) -> pd.DataFrame:
    """The reports of one agency, named by any of its names or its id (all reports when None).

    Raises:
        ValueError: As :func:`find_agency`.
    """
    if agency is None or not len(reports):
        return reports
    key = find_agency(reports, agency)
    return reports[[k == key for k in agency_keys(reports)]]


def comparable_pairs(reports: pd.DataFrame) -> dict[str, int]:
    """Key → how many pairs of consecutive years its reports cover (2019–2020 and 2020–2021: 2)."""
    years: dict[str, set[int]] = {}
    for key, year in zip(agency_keys(reports), reports["year"].tolist() if len(reports) else []):
        if key is not None and year is not None and not pd.isna(year):
            years.setdefault(key, set()).add(int(year))
    return {k: sum(1 for y in ys if y + 1 in ys) for k, ys in years.items()}


#: Columns of :func:`agencies`.
AGENCY_COLUMNS = ["agency", "agency_printed", "agency_id", "division_code", "division", "division_level", "organ",
                  "agency_evidence", "agency_ambiguous", "agency_candidates", "reports", "years"]


def agencies(corpus: Corpus) -> pd.DataFrame:
    """Every name the corpus's reports go by, the agency id it resolved to, and why.

    One row per name used for comparison (the catalog's, else the printed one) and
    printed name: ``agency, agency_printed, agency_id, division_code, division,
    division_level, organ, agency_evidence, agency_ambiguous, agency_candidates``, the
    number of ``reports`` and their ``years``. An ambiguous name has no id and lists its
    candidates: add it to an ``agency_aliases.csv`` (``name, agency_id``) to decide.

    Example:
        >>> import shaoyang_report as sr
        >>> table = sr.agencies(sr.read_reports("data/raw", progress=False))
        >>> table[table.agency == "邵阳市"].agency_id.unique().tolist()  # printed 邵阳市, 邵阳市人民政府, or not at all
        ['430500/人民政府']
    """
    reports = corpus.reports
    if not len(reports):
        return pd.DataFrame(columns=AGENCY_COLUMNS)
    frame = reports.reindex(columns=[c for c in AGENCY_COLUMNS[:-2]] + ["report_id", "year"])
    keys = AGENCY_COLUMNS[:-2]
    rows = []
    for _, group in frame.groupby(keys[:3], dropna=False, sort=False):
        first = group.iloc[0]
        years = sorted({int(y) for y in group.year if not pd.isna(y)})
        rows.append({**{k: first[k] for k in keys}, "reports": len(group), "years": ", ".join(map(str, years))})
    out = pd.DataFrame(rows, columns=AGENCY_COLUMNS)
    return out.sort_values(["agency_id", "agency", "agency_printed"], na_position="last").reset_index(drop=True)
