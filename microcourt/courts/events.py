"""Ledger entry codes of the courts app (block 3000–3999, see ``microcourt.ledger.events``),
and the notifications of case assignment (分案).

Codes are permanent: add new ones, never renumber or reuse one."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.notifications import templates as notification_templates


class LedgerEvent(models.IntegerChoices):
    COURT_SEED_LOADED = 3001, _("载入法院基础数据")
    COURT_CLOSURE_RECORDED = 3002, _("登记法院停止办公日")
    COURT_NAVIGATION_UPDATED = 3003, _("修改法院导航信息")
    # 分案: the case's division and how it reached its judge (or the head's queue).
    ASSIGNMENT_RULE_SET = 3010, _("设定分案规则")
    CASE_ASSIGNED = 3011, _("分案")
    CASE_REASSIGNED = 3012, _("变更承办法官")
    CASE_QUEUED = 3013, _("案件等待庭长分案")
    RECUSAL_GRANTED = 3014, _("决定回避")


# To the judge (and their assistant and clerk) a case was assigned to, and to the division
# heads when a case waits for them. In-app: the workbench is where they act on it.
CASE_ASSIGNED = "courts.case_assigned"
CASE_QUEUED = "courts.case_queued"

notification_templates.register(
    notification_templates.Event(
        CASE_ASSIGNED,
        "case",
        title=_("新分配的案件"),
        body=_("%(number)s %(title)s 已分配给您办理，请在工作台查看。"),
        params=("number", "title"),
        title_en="A case assigned to you",
        body_en="%(number)s %(title)s has been assigned to you; see it on your workbench.",
    ),
    notification_templates.Event(
        CASE_QUEUED,
        "case",
        title=_("案件等待分案"),
        body=_("%(number)s %(title)s 已受理，等待您分案。"),
        params=("number", "title"),
        title_en="A case waits for assignment",
        body_en="%(number)s %(title)s was accepted and waits for you to assign it.",
    ),
)
