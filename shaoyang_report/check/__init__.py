"""Stage 2, check: one report's tables against the format's sum rules (勾稽关系), and the
figures stated in its prose against the tables and each other.

Disagreements become findings; published numbers are never corrected. Cross-year checks
(carry-forward) live with the comparison, :mod:`shaoyang_report.compare`.

Entry: :func:`run_rules`, :func:`prose_checks`.
"""

from shaoyang_report.check.checks import run_rules, summarize
from shaoyang_report.check.prose import prose_checks

__all__ = ["prose_checks", "run_rules", "summarize"]
