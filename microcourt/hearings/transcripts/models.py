"""The 庭审笔录's data (issue 17): the lines speech recognition writes, every version of each,
the record of each case of a session with its signers and correction requests, and the
parties' consent that the recording stand in for it. Part of the hearings app's models
(imported by ``hearings.models``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from microcourt.core.models import BaseModel

from ..models import HearingStage, Seat, Session


class TranscriptGap(models.TextChoices):
    """Why a stretch of speech has no text: the record says so instead of staying silent."""

    NONE = "", _("无")
    FAILED = "failed", _("此处语音未能识别")
    TIMEOUT = "timeout", _("此处语音识别超时")
    DROPPED = "dropped", _("此处音频中断")


class TranscriptLine(BaseModel):
    """One utterance of the hearing as speech recognition wrote it (互联网法院规定第二十条;
    录音录像规定第六条) and the clerk corrected it. ``engine_text`` is the engine's text, the
    first version, never changed; ``text`` is the current one; every change is a
    ``TranscriptLineVersion``. ``(session, source, source_ms)`` makes a worker's retry
    idempotent."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="transcript_lines")
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="transcript_lines"
    )
    # The seat's case (a joint session); None for the court's seats (every case's record).
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # The seat's label when the line was spoken (审判长 陈法官, 原告 张三): a snapshot.
    speaker = models.CharField(_("发言人"), max_length=240)
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"))
    text = models.TextField(_("内容"), blank=True, max_length=20000)
    engine_text = models.TextField(_("识别原文"), blank=True, max_length=20000)
    engine = models.CharField(_("识别引擎"), max_length=100, blank=True)
    # Where the audio came from (a feed id, "correction" for a line added by a correction).
    source = models.CharField(max_length=100)
    source_ms = models.BigIntegerField()
    gap = models.CharField(
        _("未识别原因"), max_length=8, choices=TranscriptGap.choices, blank=True, default=""
    )
    stage = models.CharField(_("庭审阶段"), max_length=20, choices=HearingStage.choices)
    edited = models.BooleanField(_("已修改"), default=False)

    class Meta:
        ordering = ["started_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "source", "source_ms"], name="transcript_line_source_unique"
            )
        ]
        verbose_name = _("笔录行")
        verbose_name_plural = _("笔录行")

    def __str__(self) -> str:
        return f"{self.speaker}: {self.text[:30]}"


class TranscriptLineVersion(models.Model):
    """Every version of a line: the engine's first (``by`` empty), then each edit with who
    and when. Append-only."""

    line = models.ForeignKey(TranscriptLine, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True, max_length=20000)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    by_name = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    # Why: "" for the clerk's edit, "correction:<id>" for an accepted correction.
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["line", "number"]
        constraints = [
            models.UniqueConstraint(fields=["line", "number"], name="transcript_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.line_id} v{self.number}"


class TranscriptStatus(models.TextChoices):
    DRAFTING = "drafting", _("记录中")
    READING = "reading", _("阅读签名中")
    SIGNED = "signed", _("已签署")
    # 录音录像规定第八条: in summary procedure, with the parties' consent.
    STANDS_IN = "stands_in", _("以录音录像代替笔录")


class TranscriptRecord(BaseModel):
    """The 庭审笔录 of one case of a session (a joint session has one per case): its state,
    the PDF sent for reading and signing, and whether the parties may read it live."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="transcripts")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        _("状态"),
        max_length=10,
        choices=TranscriptStatus.choices,
        default=TranscriptStatus.DRAFTING,
        db_index=True,
    )
    # The judge's switch: the parties read the transcript while the hearing goes on.
    live_visible = models.BooleanField(_("当事人可实时查看"), default=False)
    # Each send (and re-send after a correction decision) is a new revision.
    revision = models.PositiveIntegerField(default=0)
    pdf_path = models.CharField(max_length=500, blank=True)
    pdf_sha256 = models.CharField(max_length=64, blank=True)
    # The PDF with the signatures so far: each signer signs the previous signer's output.
    head_path = models.CharField(max_length=500, blank=True)
    head_sha256 = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(_("送交阅读时间"), null=True, blank=True)
    due_on = models.DateField(_("阅读签名期限"), null=True, blank=True)
    completed_at = models.DateTimeField(_("签署完毕时间"), null=True, blank=True)
    # The 记明情况 page (who signed, who refused and why), filed with the record.
    note_path = models.CharField(max_length=500, blank=True)
    note_sha256 = models.CharField(max_length=64, blank=True)
    stands_in_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "case"], name="transcript_record_unique")
        ]
        verbose_name = _("庭审笔录")
        verbose_name_plural = _("庭审笔录")

    def __str__(self) -> str:
        return f"{self.session_id}/{self.case_id} {self.status}"


class SignerStatus(models.TextChoices):
    PENDING = "pending", _("待签名")
    SIGNED = "signed", _("已签名")
    REFUSED = "refused", _("拒绝签名")
    SUPERSEDED = "superseded", _("已更新（需重新签名）")


class TranscriptSigner(models.Model):
    """One person asked to read and sign one revision of the record (民事诉讼法第一百五十条):
    signed through a signature request, or refused with the reason (记明情况附卷)."""

    record = models.ForeignKey(TranscriptRecord, on_delete=models.CASCADE, related_name="signers")
    revision = models.PositiveIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    seat = models.ForeignKey(
        Seat, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("身份"), max_length=240)
    status = models.CharField(
        _("状态"), max_length=10, choices=SignerStatus.choices, default=SignerStatus.PENDING
    )
    request = models.ForeignKey(
        "signing.SignatureRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    refused_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("拒签理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["record", "revision", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "revision", "user"], name="transcript_signer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.record_id} r{self.revision} {self.label} {self.status}"


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("待处理")
    ACCEPTED = "accepted", _("已补正")
    REFUSED = "refused", _("不予补正")


class TranscriptCorrection(BaseModel):
    """A participant's request to correct an error or an omission in the record (民事诉讼法
    第一百五十条); the clerk accepts it (the line changes, a new version) or refuses it with a
    note. Both stay in the record."""

    record = models.ForeignKey(
        TranscriptRecord, on_delete=models.CASCADE, related_name="corrections"
    )
    # The line in error; for an omission, the line after which something is missing (or none).
    line = models.ForeignKey(
        TranscriptLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    omission = models.BooleanField(_("遗漏"), default=False)
    text = models.TextField(_("应记载为"), max_length=2000)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requester_label = models.CharField(max_length=240)
    revision = models.PositiveIntegerField()
    status = models.CharField(
        _("状态"), max_length=10, choices=CorrectionStatus.choices, default=CorrectionStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("处理意见"), max_length=500, blank=True)
    # Filed after the record was signed: kept as a note beside it, the signed PDF unchanged.
    after_signing = models.BooleanField(default=False)

    class Meta:
        ordering = ["record", "pk"]


class RecordingConsent(models.Model):
    """A party's consent that the recording stand in for the written record (录音录像规定
    第八条: summary procedure only)."""

    record = models.ForeignKey(
        TranscriptRecord, on_delete=models.CASCADE, related_name="recording_consents"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=240)
    at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["record", "user"], name="recording_consent_unique")
        ]

    def __str__(self) -> str:
        return f"{self.record_id} {self.label}"
