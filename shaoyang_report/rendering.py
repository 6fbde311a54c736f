"""How lower objects show themselves through a higher layer, without importing it.

A :class:`~shaoyang_report.read.report.Report` or a
:class:`~shaoyang_report.corpus.corpus.Corpus` prints a headline (``repr``) and, in
Jupyter, a rich HTML display; both are drawn by :mod:`shaoyang_report.publish.display`,
a stage above them. The stages import only downward, so the display is wired from the
top: the package's ``__init__`` registers a text and an HTML renderer per class here,
and the objects' ``__repr__`` / ``_repr_html_`` look them up (as IPython's display
formatters are registered per type). A class with no renderer registered falls back to
a plain ``<ClassName>``.

Example:
    >>> class Thing:
    ...     def __repr__(self):
    ...         return render_text(self)
    >>> register(Thing, text=lambda thing: "a thing", html=lambda thing: "<b>a thing</b>")
    >>> repr(Thing()), render_html(Thing())
    ('a thing', '<b>a thing</b>')
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_TEXT: dict[type, Callable[[Any], str]] = {}
_HTML: dict[type, Callable[[Any], str]] = {}


def register(cls: type, *, text: Callable[[Any], str], html: Callable[[Any], str]) -> None:
    """Draw instances of ``cls`` with ``text`` (their ``repr``) and ``html`` (Jupyter's display)."""
    _TEXT[cls] = text
    _HTML[cls] = html


def _renderer(table: dict[type, Callable[[Any], str]], obj: object) -> Callable[[Any], str] | None:
    for cls in type(obj).__mro__:
        if cls in table:
            return table[cls]
    return None


def render_text(obj: object) -> str:
    """The registered plain-text drawing of ``obj``, else ``<ClassName>``."""
    fn = _renderer(_TEXT, obj)
    return fn(obj) if fn else f"<{type(obj).__name__}>"


def render_html(obj: object) -> str:
    """The registered HTML drawing of ``obj``, else its escaped plain-text drawing."""
    fn = _renderer(_HTML, obj)
    if fn:
        return fn(obj)
    import html

    return f"<pre>{html.escape(render_text(obj))}</pre>"
