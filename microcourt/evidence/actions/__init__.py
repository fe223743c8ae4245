"""Evidence writes, one module per entity: exhibits (submission, court-only, previews),
originals (objections and the court's decisions, 在线诉讼规则第十二条、第十三条) and
cross-examination (第十四条、第十五条). Each checks its ``policies`` guard and writes its
ledger entry; ``from microcourt.evidence import actions`` keeps working."""

from .cross_examination import (
    REMIND_BEFORE,
    cross_examination_open,
    decide_mode,
    mode_prefer,
    opinion_give,
    reminders_send,
)
from .exhibits import (
    court_only_viewed,
    exhibit_set_court_only,
    exhibit_submit,
    log_view,
    preview_make,
)
from .originals import objection_raise, original_confirm, original_require

__all__ = [
    "REMIND_BEFORE",
    "court_only_viewed",
    "cross_examination_open",
    "decide_mode",
    "exhibit_set_court_only",
    "exhibit_submit",
    "log_view",
    "mode_prefer",
    "objection_raise",
    "opinion_give",
    "original_confirm",
    "original_require",
    "preview_make",
    "reminders_send",
]
