"""Stage 2, check: the format's sum rules (勾稽关系) run on one report's tables.

Disagreements become findings; published numbers are never corrected. Cross-year checks
(carry-forward) live with the comparison, :mod:`shaoyang_report.compare`.

Entry: :func:`run_rules`.
"""

from shaoyang_report.check.checks import run_rules, summarize

__all__ = ["run_rules", "summarize"]
