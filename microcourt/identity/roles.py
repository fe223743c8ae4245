"""Organisational roles (ARCHITECTURE §4.4). Per-case roles live on cases.CaseParticipant."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgRole(models.TextChoices):
    JUDGE = "judge", _("法官")
    JUDGE_ASSISTANT = "judge_assistant", _("法官助理")
    CLERK = "clerk", _("书记员")
    FILING_OFFICER = "filing_officer", _("立案法官")
    # 庭长: assigns the division's cases (分案) and supervises them.
    DIVISION_HEAD = "division_head", _("庭长")
    MEDIATOR = "mediator", _("调解员")
    ENFORCEMENT_OFFICER = "enforcement_officer", _("执行员")
    COURT_ADMIN = "court_admin", _("法院管理员")
    # External roles: not court employees, but they act in the court's system.
    BANKRUPTCY_ADMINISTRATOR = "bankruptcy_administrator", _("破产管理人")
    SHARED_COURT_STAFF = "shared_court_staff", _("共享法庭工作人员")


EXTERNAL_ROLES = frozenset({OrgRole.BANKRUPTCY_ADMINISTRATOR, OrgRole.SHARED_COURT_STAFF})
