"""Stage 4, compare: the same indicators side by side across years.

Entry: :func:`compare_years`.
"""

from shaoyang_report.compare.agencies import compare_agencies
from shaoyang_report.compare.scorecard import scorecard
from shaoyang_report.compare.years import (
    compare_years,
    comparison_table,
    cross_year_checks,
    indicator_table,
)

__all__ = ["compare_agencies", "compare_years", "comparison_table", "cross_year_checks", "indicator_table", "scorecard"]
