"""Compatibility for callers outside the app (demo): the court's documents are issued by
``actions.documents``. New code imports ``from microcourt.filing import actions``
(``actions.document_issue``)."""

from .actions.documents import TITLES, issue, issue_later, render

__all__ = ["TITLES", "issue", "issue_later", "render"]
