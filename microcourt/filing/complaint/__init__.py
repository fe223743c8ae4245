"""诉状助手: element-style (要素式) questions per cause of action that produce a standard
民事起诉状 as PDF and DOCX for the user to review and confirm. No models: it runs before a
filing application exists, and the filing app stores what the user confirms."""

from .document import AgentInfo, Claim, ComplaintDocument, PartyInfo, build
from .elements import TEMPLATES, Question, Template, clean_answers, questions_for
from .render import render_docx, render_pdf

__all__ = [
    "TEMPLATES",
    "AgentInfo",
    "Claim",
    "ComplaintDocument",
    "PartyInfo",
    "Question",
    "Template",
    "build",
    "clean_answers",
    "questions_for",
    "render_docx",
    "render_pdf",
]
