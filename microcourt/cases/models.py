"""The case record: type codes, 案号 counters, cases, participants with their case roles, and
consent to online litigation per stage (ARCHITECTURE §3, §4.4)."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.core.models import BaseModel
from microcourt.core.money import MoneyField
from microcourt.courts.models import Court

# 《关于人民法院案件案号的若干规定》第七条: a type code has at most three Chinese characters.
TYPE_CODE = re.compile(r"[\u4e00-\u9fff]{1,3}")


def validate_type_code(value: str) -> None:
    if not TYPE_CODE.fullmatch(value or ""):
        raise ValidationError(
            _("类型代字应为一至三个汉字。"), code="invalid_type_code", params={"value": value}
        )


class CaseType(models.Model):
    """A 类型代字 (民初, 执, 破申 …). Data, not code: administrators correct and add them,
    because most codes here were read from third-party sources rather than the official
    《人民法院案件类型及其代字标准》 (rules.md B.4); ``official`` marks the confirmed ones."""

    code = models.CharField(
        _("类型代字"), max_length=3, unique=True, validators=[validate_type_code]
    )
    name = models.CharField(_("案件类型"), max_length=64)
    official = models.BooleanField(
        _("已核对官方标准"),
        default=False,
        help_text=_("仅对照官方文件核实过的代字勾选。"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("案件类型代字")
        verbose_name_plural = _("案件类型代字")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class CaseNumberCounter(models.Model):
    """The last serial given per court, type and filing year (案号规定第九条、第十条).
    Serials come from locking this row, never from ``Max()+1`` (ARCHITECTURE §4.9)."""

    court = models.ForeignKey(Court, on_delete=models.PROTECT, verbose_name=_("法院"))
    case_type = models.ForeignKey(CaseType, on_delete=models.PROTECT, verbose_name=_("案件类型"))
    year = models.PositiveSmallIntegerField(_("收案年度"))
    last_serial = models.PositiveIntegerField(_("已用最大序号"), default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["court", "case_type", "year"], name="case_number_counter_unique"
            )
        ]
        verbose_name = _("案号计数器")
        verbose_name_plural = _("案号计数器")

    def __str__(self) -> str:
        return f"{self.year} {self.court_id} {self.case_type_id}: {self.last_serial}"


class CaseStatus(models.TextChoices):
    FILED = "filed", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    IN_TRIAL = "in_trial", _("审理中")
    CLOSED = "closed", _("已结案")
    WITHDRAWN = "withdrawn", _("已撤回")


class CaseProcedure(models.TextChoices):
    """The trial procedure of a first-instance case (民事诉讼法第十二章、第十三章). Blank until the
    judge decides it (``cases.actions.case_procedure_set``)."""

    UNDECIDED = "", _("未确定")
    ORDINARY = "ordinary", _("普通程序")
    SUMMARY = "summary", _("简易程序")
    SMALL_CLAIMS = "small_claims", _("小额诉讼程序")


class Case(BaseModel):
    """A case. It has a 案号 from acceptance on; before that only its id."""

    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, related_name="cases", verbose_name=_("法院")
    )
    case_type = models.ForeignKey(
        CaseType, on_delete=models.PROTECT, related_name="cases", verbose_name=_("案件类型")
    )
    # 收案年度: the year (in China's time) the court received the case; the 案号 uses it.
    year = models.PositiveSmallIntegerField(_("收案年度"))
    serial = models.PositiveIntegerField(_("案件编号"), null=True, blank=True)
    number = models.CharField(_("案号"), max_length=64, unique=True, null=True, blank=True)
    title = models.CharField(_("案件名称"), max_length=200)
    cause = models.CharField(_("案由"), max_length=100)
    status = models.CharField(
        _("状态"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.FILED
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("登记人"),
    )
    filed_at = models.DateTimeField(_("收案时间"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    amount_claimed = MoneyField(_("诉讼请求金额"), null=True, blank=True)
    procedure = models.CharField(
        _("审理程序"), max_length=16, choices=CaseProcedure.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-filed_at", "-pk"]
        constraints = [
            # 案号规定第三条: every case number is unique; the parts are too.
            models.UniqueConstraint(
                fields=["court", "case_type", "year", "serial"],
                condition=Q(serial__isnull=False),
                name="case_serial_unique",
            )
        ]
        verbose_name = _("案件")
        verbose_name_plural = _("案件")

    def __str__(self) -> str:
        return self.number or self.title


class ParticipantRole(models.TextChoices):
    PLAINTIFF = "plaintiff", _("原告")
    DEFENDANT = "defendant", _("被告")
    THIRD_PARTY = "third_party", _("第三人")
    APPELLANT = "appellant", _("上诉人")
    APPELLEE = "appellee", _("被上诉人")
    APPLICANT = "applicant", _("申请人")
    RESPONDENT = "respondent", _("被申请人")
    AGENT = "agent", _("诉讼代理人")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")
    JUDGE = "judge", _("承办法官")
    CLERK = "clerk", _("书记员")
    JUDGE_ASSISTANT = "judge_assistant", _("法官助理")
    MEDIATOR = "mediator", _("调解员")


R = ParticipantRole
# Parties in their own right: they consent, are served and may be represented.
PARTY_ROLES = frozenset(
    {R.PLAINTIFF, R.DEFENDANT, R.THIRD_PARTY, R.APPELLANT, R.APPELLEE, R.APPLICANT, R.RESPONDENT}
)
# Act for a party named in ``represents``.
REPRESENTATIVE_ROLES = frozenset({R.AGENT, R.LEGAL_REPRESENTATIVE})
# The court's people on this case: always a user account.
COURT_ROLES = frozenset({R.JUDGE, R.CLERK, R.JUDGE_ASSISTANT, R.MEDIATOR})


class CaseParticipant(BaseModel):
    """A person or organisation in a case with a case role (ARCHITECTURE §4.4). Offline
    parties have no account: ``user`` is empty and only ``display_name`` names them."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="participants", verbose_name=_("案件")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_participations",
        verbose_name=_("用户"),
    )
    organisation = models.ForeignKey(
        "identity.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_participations",
        verbose_name=_("单位"),
    )
    display_name = models.CharField(_("名称"), max_length=200)
    role = models.CharField(_("诉讼地位"), max_length=32, choices=ParticipantRole.choices)
    represents = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="representatives",
        verbose_name=_("代理的当事人"),
    )
    active = models.BooleanField(_("有效"), default=True)
    joined_at = models.DateTimeField(_("加入时间"), default=timezone.now)

    class Meta:
        ordering = ["case", "pk"]
        constraints = [
            # One active role per account, but an agent may act for several parties.
            models.UniqueConstraint(
                fields=["case", "user", "role"],
                condition=Q(active=True, user__isnull=False, represents__isnull=True),
                name="case_participant_unique_active",
            ),
            models.UniqueConstraint(
                fields=["case", "user", "role", "represents"],
                condition=Q(active=True, user__isnull=False, represents__isnull=False),
                name="case_participant_unique_active_agent",
            ),
        ]
        verbose_name = _("诉讼参与人")
        verbose_name_plural = _("诉讼参与人")

    def __str__(self) -> str:
        return f"{self.display_name}（{self.get_role_display()}）"


class Stage(models.TextChoices):
    """The stages a party consents to separately (在线诉讼规则第一条、第四条)."""

    FILING = "filing", _("立案")
    MEDIATION = "mediation", _("调解")
    EVIDENCE_EXCHANGE = "evidence_exchange", _("证据交换")
    HEARING = "hearing", _("庭审")
    SERVICE = "service", _("送达")
    ENFORCEMENT = "enforcement", _("执行")


class ConsentSource(models.TextChoices):
    # 在线诉讼规则第四条: a party who files online has consented (to filing).
    FILED_ONLINE = "filed_online", _("网上立案视为同意")
    PLATFORM = "platform", _("平台内确认")
    WRITTEN = "written", _("书面确认")
    PHONE = "phone", _("电话确认")
    COURT_RECORD = "court_record", _("法院记录")
    # 在线诉讼规则第十条: not linked to the case within 3 days of the notice, so offline.
    NO_RESPONSE = "no_response", _("逾期未关联案件")


class StageConsent(models.Model):
    """One statement of a party's consent (or refusal) to go online at one stage.

    Append-only: a change of mind is a new row, so the history stays (在线诉讼规则第五条
    asks when consent was withdrawn). The latest row per participant and stage counts."""

    participant = models.ForeignKey(
        CaseParticipant,
        on_delete=models.CASCADE,
        related_name="consents",
        verbose_name=_("诉讼参与人"),
    )
    stage = models.CharField(_("诉讼环节"), max_length=32, choices=Stage.choices)
    online = models.BooleanField(_("同意在线进行"))
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now, db_index=True)
    source = models.CharField(_("来源"), max_length=32, choices=ConsentSource.choices)

    class Meta:
        ordering = ["participant", "stage", "recorded_at", "pk"]
        verbose_name = _("在线诉讼同意")
        verbose_name_plural = _("在线诉讼同意")

    def __str__(self) -> str:
        return f"{self.participant_id} {self.stage} {'online' if self.online else 'offline'}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("StageConsent is append-only: record a new row instead")
        super().save(*args, **kwargs)
