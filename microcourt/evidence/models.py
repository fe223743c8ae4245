"""Evidence: exhibits a party submits with its evidence list, objections to copies, the court's
decision on originals (在线诉讼规则第十二条、第十三条), and cross-examination periods with each
opposing party's opinion on the 三性 (第十四条、第十五条)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.cases.models import Case, CaseParticipant
from microcourt.core.models import BaseModel


class Kind(models.TextChoices):
    IMAGE = "image", _("图片")
    DOCUMENT = "document", _("文档")
    AUDIO = "audio", _("音频")
    VIDEO = "video", _("视频")
    CHAT = "chat", _("聊天记录")


class OriginalStatus(models.TextChoices):
    """Art. 12–13: an electronic copy may be used directly unless an original is required."""

    COPY = "copy", _("电子化材料")
    OBJECTED = "objected", _("对方有异议")
    REQUIRED = "required", _("需核对原件")
    VERIFIED = "verified", _("已核对原件")
    DEEMED = "deemed", _("视同原件")


class RequireReason(models.TextChoices):
    """在线诉讼规则第十二条第二款 (the four cases in which the court asks for the original)."""

    OBJECTION = "objection", _("对方当事人提出合理理由和依据认为与原件不一致")
    UNCLEAR = "unclear", _("电子化材料不完整、不清晰或格式不规范")
    ARCHIVE = "archive", _("卷宗、档案管理规定要求提供原件")
    COURT = "court", _("人民法院认为有必要提交原件")


class DeemedGround(models.TextChoices):
    """在线诉讼规则第十三条: the five ways an electronic copy meets the original-form rule."""

    NO_OBJECTION = "no_objection", _("对方当事人对一致性未提出异议")
    NOTARISED = "notarised", _("形成过程已经公证机构公证")
    USED_BEFORE = "used_before", _("已在之前诉讼中提交并经人民法院确认")
    COMPARED = "compared", _("已通过在线或线下方式与原件比对一致")
    OTHER_PROOF = "other_proof", _("有其他证据证明与原件一致")


class PreviewStatus(models.TextChoices):
    PENDING = "pending", _("生成中")
    READY = "ready", _("已生成")
    NONE = "none", _("无预览")
    FAILED = "failed", _("生成失败")


class PreviewFailure(models.TextChoices):
    """Why a preview failed (the file itself is kept and can be downloaded)."""

    TOO_MANY_PIXELS = "too_many_pixels", _("图片像素过多，无法生成预览")
    ZIP_BOMB = "zip_bomb", _("文档解压后过大，无法生成预览")
    MEMORY = "memory", _("生成预览所需内存超过上限")
    TIMEOUT = "timeout", _("生成预览超时")
    UNREADABLE = "unreadable", _("文件无法解析，无法生成预览")


class ExhibitCounter(models.Model):
    """The case's last exhibit number; locked to number the next one (never Max()+1)."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.last_number}"


class Exhibit(BaseModel):
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, related_name="exhibits", verbose_name=_("案件")
    )
    party = models.ForeignKey(
        CaseParticipant,
        on_delete=models.PROTECT,
        related_name="exhibits",
        verbose_name=_("提交方"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("提交人"),
    )
    submitted_by_role = models.CharField(_("提交人诉讼地位"), max_length=32)
    number = models.PositiveIntegerField(_("证据序号"))
    name = models.CharField(_("名称"), max_length=200)
    source = models.CharField(_("来源"), max_length=200)
    purpose = models.TextField(_("证明目的"))
    pages = models.PositiveIntegerField(_("页数"), default=1)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    mime = models.CharField(_("文件类型"), max_length=128)
    path = models.CharField(_("存储路径"), max_length=255)
    original_name = models.CharField(_("原文件名"), max_length=255)
    ledger_entry_id = models.BigIntegerField(_("存证记录"), null=True, blank=True)
    preview_status = models.CharField(
        _("预览"), max_length=16, choices=PreviewStatus.choices, default=PreviewStatus.PENDING
    )
    preview_path = models.CharField(_("预览图"), max_length=255, blank=True)
    preview_text = models.TextField(_("文字摘录"), blank=True)
    preview_failure = models.CharField(
        _("预览失败原因"), max_length=16, choices=PreviewFailure.choices, blank=True
    )
    court_only = models.BooleanField(_("仅法院可见"), default=False)
    original_status = models.CharField(
        _("原件状态"), max_length=16, choices=OriginalStatus.choices, default=OriginalStatus.COPY
    )
    required_reason = models.CharField(
        _("要求原件的情形"), max_length=16, choices=RequireReason.choices, blank=True
    )
    deemed_ground = models.CharField(
        _("视同原件的依据"), max_length=16, choices=DeemedGround.choices, blank=True
    )

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="exhibit_number_unique")
        ]
        verbose_name = _("证据")
        verbose_name_plural = _("证据")

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class Objection(BaseModel):
    """An opposing party's objection that the copy does not match the original (第十二条)."""

    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="objections")
    participant = models.ForeignKey(CaseParticipant, on_delete=models.PROTECT, related_name="+")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.TextField(_("理由和依据"))

    class Meta:
        ordering = ["created_at", "pk"]


class Mode(models.TextChoices):
    """在线诉讼规则第十四条."""

    SYNC = "sync", _("同步质证")
    ASYNC = "async", _("非同步质证")


class CrossExamination(BaseModel):
    """A period in which the opposing parties state their opinions on a set of exhibits."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="cross_examinations")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    exhibits = models.ManyToManyField(Exhibit, related_name="cross_examinations")
    proposed_mode = models.CharField(_("法官拟定方式"), max_length=8, choices=Mode.choices)
    mode = models.CharField(_("质证方式"), max_length=8, choices=Mode.choices)
    session_at = models.DateTimeField(_("同步质证时间"), null=True, blank=True)
    deadline = models.DateTimeField(_("质证期限"))
    reminded_at = models.DateTimeField(_("已提醒"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class ModePreference(BaseModel):
    cross_examination = models.ForeignKey(
        CrossExamination, on_delete=models.CASCADE, related_name="preferences"
    )
    participant = models.ForeignKey(CaseParticipant, on_delete=models.PROTECT, related_name="+")
    mode = models.CharField(_("意愿方式"), max_length=8, choices=Mode.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cross_examination", "participant"], name="mode_preference_unique"
            )
        ]


class Stance(models.TextChoices):
    AGREE = "agree", _("认可")
    DISAGREE = "disagree", _("不认可")
    PARTIAL = "partial", _("部分认可")


class Opinion(models.Model):
    """One opposing party's opinion on one exhibit's authenticity, legality and relevance."""

    cross_examination = models.ForeignKey(
        CrossExamination, on_delete=models.PROTECT, related_name="opinions"
    )
    exhibit = models.ForeignKey(Exhibit, on_delete=models.PROTECT, related_name="opinions")
    participant = models.ForeignKey(CaseParticipant, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    authenticity = models.CharField(_("真实性"), max_length=8, choices=Stance.choices)
    legality = models.CharField(_("合法性"), max_length=8, choices=Stance.choices)
    relevance = models.CharField(_("关联性"), max_length=8, choices=Stance.choices)
    reasons = models.TextField(_("理由"), blank=True)
    created_at = models.DateTimeField(_("发表时间"))

    class Meta:
        ordering = ["exhibit__number", "participant_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["cross_examination", "exhibit", "participant"], name="opinion_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.exhibit_id}/{self.participant_id}"
