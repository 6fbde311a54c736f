"""Stage 5, publish: HTML briefings (notebooks run by nbconvert), charts and the workbook.

One module per briefing builds its notebook's sections —
:mod:`~shaoyang_report.publish.year_briefing` (01), :mod:`~shaoyang_report.publish.audit`
(02), :mod:`~shaoyang_report.publish.explorer` (03), :mod:`~shaoyang_report.publish.agencies`
(04) — from the templates and helpers of :mod:`~shaoyang_report.publish.html`;
:mod:`~shaoyang_report.publish.display` draws a report or a corpus in Jupyter,
:mod:`~shaoyang_report.publish.plotting` draws charts whose Chinese labels render,
:mod:`~shaoyang_report.publish.workbook` writes the Excel workbook.
:mod:`~shaoyang_report.publish.loading` reads the corpus once for every notebook,
:mod:`~shaoyang_report.publish.notebooks` runs the notebooks and exports them as HTML, and
:mod:`~shaoyang_report.publish.build` is the ``briefing`` command's job.

Entry: :func:`write_workbook` (and ``shaoyang-report briefing``).
"""

from shaoyang_report.publish.workbook import write_workbook

__all__ = ["write_workbook"]
