"""Online filing (网上立案): causes of action, filing applications with their parties,
claims and materials, the court's decisions, and defendants' invitations to link to a case.

A filing is the applicant's until submitted; the court then decides it within the legal
clock (民诉法第一百二十六条; 登记立案规定第八条). Acceptance creates the case in ``cases``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedJSONField, EncryptedTextField
from microcourt.core.models import BaseModel
from microcourt.core.money import MoneyField
from microcourt.courts.models import Court


class CauseCategory(models.TextChoices):
    CIVIL = "civil", _("民事")
    ADMINISTRATIVE = "administrative", _("行政")
    CRIMINAL = "criminal", _("刑事自诉")


class CauseOfAction(models.Model):
    """A 案由 from 《民事案件案由规定》 (and the administrative / private-prosecution lists).
    Data, not code: court administrators add, correct and retire causes in the admin."""

    name = models.CharField(_("案由"), max_length=100, unique=True)
    category = models.CharField(
        _("类别"), max_length=16, choices=CauseCategory.choices, default=CauseCategory.CIVIL
    )
    # Which 要素式 complaint assistant fits this cause (empty: free-form complaint only).
    assistant = models.CharField(_("诉状助手模板"), max_length=32, blank=True)
    keywords = models.CharField(_("检索词"), max_length=200, blank=True)
    rank = models.PositiveIntegerField(_("常用排序"), default=1000)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["rank", "name"]
        verbose_name = _("案由")
        verbose_name_plural = _("案由")

    def __str__(self) -> str:
        return self.name


class CaseKind(models.TextChoices):
    """What the applicant asks the court for. Each maps to a 类型代字, party labels and a
    review period (see ``rules.py``)."""

    CIVIL_FIRST = "civil_first", _("民事一审")
    ADMIN_FIRST = "admin_first", _("行政一审")
    PRIVATE_PROSECUTION = "private_prosecution", _("刑事自诉")
    ENFORCEMENT = "enforcement", _("申请执行")
    PRESERVATION = "preservation", _("诉前财产保全")
    JUDICIAL_CONFIRMATION = "judicial_confirmation", _("申请司法确认")
    PAYMENT_ORDER = "payment_order", _("申请支付令")
    APPEAL = "appeal", _("上诉")


class FilerCapacity(models.TextChoices):
    SELF = "self", _("本人起诉")
    AGENT = "agent", _("代理人代为起诉")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人代表单位起诉")


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    # 跨域立案: received at another court's service centre, waiting to be forwarded.
    AWAITING_FORWARD = "awaiting_forward", _("待协作法院转交")
    SUBMITTED = "submitted", _("待审核")
    CORRECTION_REQUESTED = "correction_requested", _("待补正")
    ACCEPTED = "accepted", _("已立案")
    REJECTED = "rejected", _("不予受理")
    WITHDRAWN = "withdrawn", _("已撤回")


class Filing(BaseModel):
    """A filing application (立案申请), from the first wizard step to the court's decision."""

    number = models.CharField(_("申请编号"), max_length=24, unique=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="filings",
        verbose_name=_("申请人账号"),
    )
    capacity = models.CharField(
        _("起诉身份"), max_length=24, choices=FilerCapacity.choices, default=FilerCapacity.SELF
    )
    authorisation = models.ForeignKey(
        "identity.Authorisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("授权委托"),
    )
    organisation = models.ForeignKey(
        "identity.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("代表的单位"),
    )
    court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filings",
        verbose_name=_("受诉法院"),
    )
    # 跨域立案: the court whose service centre received the filing for ``court``.
    receiving_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="received_filings",
        verbose_name=_("协作法院"),
    )
    kind = models.CharField(
        _("案件类型"), max_length=32, choices=CaseKind.choices, default=CaseKind.CIVIL_FIRST
    )
    appeal_of = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
        verbose_name=_("原审案件"),
    )
    cause = models.ForeignKey(
        CauseOfAction,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("案由"),
    )
    facts = models.TextField(_("事实与理由"), blank=True)
    # The 要素式 answers of the complaint assistant, as the user typed them.
    elements = models.JSONField(_("要素"), default=dict, blank=True)
    # Stage → bool: consent to go online for each stage (在线诉讼规则第四条).
    consent = models.JSONField(_("在线诉讼意愿"), default=dict, blank=True)
    step = models.CharField(_("填写到"), max_length=24, default="capacity")
    status = models.CharField(
        _("状态"), max_length=24, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # The legal clock: runs from ``clock_started_at`` (receipt, forwarding, transfer, or the
    # arrival of corrections) to ``review_due`` (inclusive; Beijing date or exact time).
    clock_started_at = models.DateTimeField(_("审查期限起算"), null=True, blank=True)
    review_due_at = models.DateTimeField(_("审查期限届满"), null=True, blank=True)
    review_basis = models.CharField(_("期限依据"), max_length=200, blank=True)
    review_provisional = models.BooleanField(_("期限为暂定"), default=False)
    correction_due = models.DateField(_("补正期限"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filing",
        verbose_name=_("案件"),
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    # SHA-256 of the content as last submitted (parties, claims, facts, material hashes):
    # what the court decides on, recorded in the ledger with each decision.
    content_digest = models.CharField(max_length=71, blank=True)
    # Optimistic lock for drafts edited on two devices at once.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-updated_at", "-pk"]
        indexes = [models.Index(fields=["court", "status", "review_due_at"])]
        verbose_name = _("立案申请")
        verbose_name_plural = _("立案申请")

    def __str__(self) -> str:
        return self.number


class PartySide(models.TextChoices):
    """The side a party is on; its label depends on the case kind (原告/申请人/上诉人 …)."""

    CLAIMANT = "claimant", _("原告方")
    RESPONDENT = "respondent", _("被告方")
    THIRD_PARTY = "third_party", _("第三人")


class PartyKind(models.TextChoices):
    NATURAL = "natural", _("自然人")
    LEGAL = "legal", _("法人")
    OTHER = "other", _("非法人组织")


class FilingParty(BaseModel):
    """A party named in a filing. Contact details and numbers are personal data: encrypted
    at rest and masked on screen (ARCHITECTURE §5)."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="parties", verbose_name=_("立案申请")
    )
    side = models.CharField(_("诉讼地位"), max_length=16, choices=PartySide.choices)
    kind = models.CharField(_("类型"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("姓名或名称"), max_length=200)
    gender = models.CharField(_("性别"), max_length=8, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=16, blank=True)
    id_number = EncryptedTextField(_("公民身份号码"), blank=True)
    uscc = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    legal_representative = models.CharField(_("法定代表人或负责人"), max_length=100, blank=True)
    phone = EncryptedTextField(_("联系电话"), blank=True)
    address = EncryptedTextField(_("住所"), blank=True)
    service_address = EncryptedTextField(_("送达地址"), blank=True)
    email = EncryptedTextField(_("电子邮箱"), blank=True)
    # 送达地址确认书: the party (or the filer, for their own side) confirmed the address.
    service_address_confirmed = models.BooleanField(_("已确认送达地址"), default=False)
    # The account of the party when the filer is that party (本人起诉).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("账号"),
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["filing", "side", "position", "pk"]
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")

    def __str__(self) -> str:
        return f"{self.name}（{self.get_side_display()}）"


class FilingClaim(BaseModel):
    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="claims", verbose_name=_("立案申请")
    )
    text = models.CharField(_("诉讼请求"), max_length=500)
    amount = MoneyField(_("金额"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["filing", "position", "pk"]
        verbose_name = _("诉讼请求")
        verbose_name_plural = _("诉讼请求")

    def __str__(self) -> str:
        return self.text


class MaterialKind(models.TextChoices):
    COMPLAINT = "complaint", _("起诉状（申请书）")
    IDENTITY = "identity", _("身份证明")
    AUTHORISATION = "authorisation", _("授权委托书")
    EVIDENCE = "evidence", _("证据材料")
    CORRECTION = "correction", _("补正材料")
    COURT_DOCUMENT = "court_document", _("法院文书")
    OTHER = "other", _("其他材料")


class FilingMaterial(BaseModel):
    """An uploaded or generated file, stored content-addressed before it is acknowledged."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="materials", verbose_name=_("立案申请")
    )
    kind = models.CharField(_("材料类型"), max_length=24, choices=MaterialKind.choices)
    name = models.CharField(_("名称"), max_length=200)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField(_("大小"))
    mime = models.CharField(_("文件类型"), max_length=100)
    path = models.CharField(max_length=300)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    # A generated complaint or court document, not a user's upload.
    generated = models.BooleanField(_("系统生成"), default=False)
    removed = models.BooleanField(_("已移除"), default=False)
    # Court documents: which one, and the decision it records (one of each per decision).
    document_kind = models.CharField(_("文书种类"), max_length=16, blank=True)
    decision = models.ForeignKey(
        "FilingDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documents",
        verbose_name=_("审查记录"),
    )

    class Meta:
        ordering = ["filing", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["decision", "document_kind"],
                condition=Q(decision__isnull=False),
                name="one_document_of_a_kind_per_decision",
            )
        ]
        verbose_name = _("立案材料")
        verbose_name_plural = _("立案材料")

    def __str__(self) -> str:
        return self.name

    @property
    def digest(self) -> str:
        return f"sha256:{self.sha256}"


class DecisionKind(models.TextChoices):
    SUBMITTED = "submitted", _("提交申请")
    FORWARDED = "forwarded", _("跨域转交")
    CORRECTION = "correction", _("一次性补正通知")
    CORRECTED = "corrected", _("提交补正")
    ACCEPTED = "accepted", _("登记立案")
    REJECTED = "rejected", _("裁定不予受理")
    TRANSFERRED = "transferred", _("移送有管辖权的法院")
    WITHDRAWN = "withdrawn", _("撤回申请")


class FilingDecision(models.Model):
    """Every step of a filing after the draft, in order: the filing's own timeline and the
    court's written reasons. Append-only."""

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("立案申请")
    )
    kind = models.CharField(_("事项"), max_length=16, choices=DecisionKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    court = models.ForeignKey(
        Court, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True)
    reasons = models.TextField(_("理由"), blank=True)
    # Correction notices: the list of every item to correct (登记立案规定第七条: one time).
    items = models.JSONField(_("补正事项"), default=list, blank=True)
    deadline = models.DateField(_("期限"), null=True, blank=True)
    target_court = models.ForeignKey(
        Court,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("移送至"),
    )
    # On submission: the whole content as submitted, so what the court saw is never lost.
    # It names the parties (ID numbers, phones, addresses): sealed like other personal data.
    snapshot = EncryptedJSONField(_("提交内容"), default=dict, blank=True)

    class Meta:
        ordering = ["filing", "at", "pk"]
        verbose_name = _("立案审查记录")
        verbose_name_plural = _("立案审查记录")

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("FilingDecision is append-only")
        super().save(*args, **kwargs)


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("已通知")
    LINKED = "linked", _("已关联案件")
    EXPIRED = "expired", _("逾期未关联（线下进行）")


class CaseInvitation(BaseModel):
    """在线诉讼规则第十条: a defendant (or other party) is told of the case and may verify
    their identity and link to it within 3 days; otherwise their part stays offline. The
    link carries a random token; only its hash is stored."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="invitations", verbose_name=_("案件")
    )
    participant = models.ForeignKey(
        "cases.CaseParticipant",
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("当事人"),
    )
    party = models.ForeignKey(
        FilingParty, on_delete=models.PROTECT, related_name="+", verbose_name=_("立案当事人")
    )
    token_hash = models.CharField(max_length=64, unique=True)
    phone = EncryptedTextField(_("手机号"), blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.SENT
    )
    expires_at = models.DateTimeField(_("关联期限"))
    linked_at = models.DateTimeField(_("关联时间"), null=True, blank=True)
    linked_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("关联账号"),
    )

    class Meta:
        ordering = ["case", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant"],
                condition=Q(status="sent"),
                name="one_open_invitation_per_participant",
            )
        ]
        verbose_name = _("关联案件邀请")
        verbose_name_plural = _("关联案件邀请")
