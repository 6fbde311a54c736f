"""Stage 5, publish: HTML briefings (notebooks run by nbconvert), charts and the workbook.

:mod:`~shaoyang_report.publish.briefing` builds the notebooks' sections and the
``briefing`` command, :mod:`~shaoyang_report.publish.plotting` draws charts whose Chinese
labels render, :mod:`~shaoyang_report.publish.workbook` writes the Excel workbook.

Entry: :func:`write_workbook` (and ``shaoyang-report briefing``).
"""

from shaoyang_report.publish.workbook import write_workbook

__all__ = ["write_workbook"]
