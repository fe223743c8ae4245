"""Hearings (庭审): sessions of one or several cases, the seats of the people in them, the
room on the media server, the attendance log and the recording.

A ``Session`` is the platform's one meeting place (issue 16 §10): a 开庭 today, and the same
table for 证据交换, 调解 (one session per side when the mediator talks to each alone) and
creditors' meetings (``layout = broadcast``: most seats only watch and ask to speak).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from microcourt.core.crypto import EncryptedTextField
from microcourt.core.models import BaseModel


class SessionKind(models.TextChoices):
    HEARING = "hearing", _("开庭")
    PRETRIAL = "pretrial", _("庭前会议")
    EVIDENCE_EXCHANGE = "evidence_exchange", _("证据交换")
    JUDGMENT = "judgment", _("宣判")
    INQUIRY = "inquiry", _("询问")


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", _("已排期")
    OPEN = "open", _("进行中")
    RECESS = "recess", _("休庭")
    CLOSED = "closed", _("已闭庭")
    CANCELLED = "cancelled", _("已取消")


class Mode(models.TextChoices):
    """How a session, or one seat in it, takes place (在线诉讼规则第四条、第二十一条)."""

    ONLINE = "online", _("线上")
    OFFLINE = "offline", _("线下")
    MIXED = "mixed", _("线上线下结合")


class Layout(models.TextChoices):
    # Everyone may be seen and heard (a hearing, an exchange, a mediation).
    COURTROOM = "courtroom", _("法庭")
    # Most seats only watch and raise a hand to speak (creditors' meetings).
    BROADCAST = "broadcast", _("大会")


class Procedure(models.TextChoices):
    """How the session runs: live, or asynchronously (在线诉讼规则第二十条)."""

    LIVE = "live", _("同步审理")
    ASYNC = "async", _("异步审理")


class HearingStage(models.TextChoices):
    """The stages the judge marks and everyone sees (在线诉讼规则第二十二条; 民事诉讼法)."""

    NOT_STARTED = "not_started", _("尚未开庭")
    OPENING = "opening", _("宣布开庭")
    IDENTITY = "identity", _("核对身份")
    RIGHTS = "rights", _("告知权利义务·回避")
    INVESTIGATION = "investigation", _("法庭调查")
    EVIDENCE = "evidence", _("举证质证")
    DEBATE = "debate", _("法庭辩论")
    FINAL_STATEMENT = "final_statement", _("最后陈述")
    MEDIATION = "mediation", _("调解意愿")
    ADJOURNED = "adjourned", _("休庭/宣判")


class NonPublicGround(models.TextChoices):
    """Why a case may not be heard in public or broadcast (民事诉讼法第一百三十七条;
    在线诉讼规则第二十七条)."""

    NONE = "", _("无")
    STATE_SECRET = "state_secret", _("涉及国家秘密")
    PRIVACY = "privacy", _("涉及个人隐私")
    MINOR = "minor", _("涉及未成年人")
    TRADE_SECRET = "trade_secret", _("涉及商业秘密，当事人申请不公开")
    DIVORCE = "divorce", _("离婚案件，当事人申请不公开")
    OTHER_LAW = "other_law", _("法律规定不公开的其他情形")


class Session(BaseModel):
    """One sitting: of a case, or of several similar cases heard together (联审)."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="sessions", verbose_name=_("案件")
    )
    # 联审: the other cases heard in the same sitting, each with its own record.
    joint_cases = models.ManyToManyField(
        "cases.Case", through="SessionCase", related_name="joint_sessions", blank=True
    )
    kind = models.CharField(_("类型"), max_length=24, choices=SessionKind.choices)
    procedure = models.CharField(
        _("审理方式"), max_length=8, choices=Procedure.choices, default=Procedure.LIVE
    )
    layout = models.CharField(
        _("会场形式"), max_length=12, choices=Layout.choices, default=Layout.COURTROOM
    )
    mode = models.CharField(_("方式"), max_length=8, choices=Mode.choices, default=Mode.ONLINE)
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    duration_minutes = models.PositiveSmallIntegerField(_("预计时长（分钟）"), default=60)
    # The physical courtroom, for offline and mixed sessions.
    venue = models.CharField(_("法庭"), max_length=100, blank=True)
    status = models.CharField(
        _("状态"),
        max_length=12,
        choices=SessionStatus.choices,
        default=SessionStatus.SCHEDULED,
        db_index=True,
    )
    stage = models.CharField(
        _("庭审阶段"),
        max_length=20,
        choices=HearingStage.choices,
        default=HearingStage.NOT_STARTED,
    )
    # The clerk admits each person from the waiting room after checking identity.
    waiting_room = models.BooleanField(_("候审室"), default=True)
    locked = models.BooleanField(_("锁定法庭"), default=False)
    # Live broadcast to the public (/live/), set by the judge where the law allows.
    public = models.BooleanField(_("公开直播"), default=False)
    # Shown to everyone: the exhibit on screen and its page, the seat in the spotlight.
    exhibit = models.ForeignKey(
        "evidence.Exhibit",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("展示的证据"),
    )
    exhibit_page = models.PositiveIntegerField(_("展示页码"), default=1)
    spotlight = models.ForeignKey(
        "Seat",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("聚焦"),
    )
    # The Janus VideoRoom: allocated when the session is first opened, destroyed on close.
    room = models.PositiveBigIntegerField(_("房间号"), null=True, blank=True, unique=True)
    room_secret = EncryptedTextField(_("房间密钥"), blank=True, default="")
    opened_at = models.DateTimeField(_("开庭时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("闭庭时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("排期人"),
    )
    # Bumped on each change everyone must see; a client that missed an event re-reads.
    version = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("庭审")
        verbose_name_plural = _("庭审")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def ends_at(self):
        import datetime as dt

        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)


class SessionCase(models.Model):
    """A case heard in a joint session (联审), besides the session's own case."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="case_links")
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "case"], name="session_case_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id}: {self.case_id}"


class SeatRole(models.TextChoices):
    """The seat labels on screen (在线诉讼规则第二十四条)."""

    PRESIDING_JUDGE = "presiding_judge", _("审判长")
    JUDGE = "judge", _("审判员")
    ASSISTANT = "assistant", _("法官助理")
    CLERK = "clerk", _("书记员")
    MEDIATOR = "mediator", _("调解员")
    PLAINTIFF = "plaintiff", _("原告")
    DEFENDANT = "defendant", _("被告")
    THIRD_PARTY = "third_party", _("第三人")
    AGENT = "agent", _("代理人")
    WITNESS = "witness", _("证人")
    # The physical courtroom's camera in a mixed session: one publisher.
    COURTROOM = "courtroom", _("实体法庭")
    OBSERVER = "observer", _("旁听")


# The court's seats: no face check, no waiting room. The physical courtroom's camera is one
# (run from the clerk's account on the courtroom's computer).
COURT_SEATS = frozenset(
    {
        SeatRole.PRESIDING_JUDGE,
        SeatRole.JUDGE,
        SeatRole.ASSISTANT,
        SeatRole.CLERK,
        SeatRole.MEDIATOR,
        SeatRole.COURTROOM,
    }
)


class SeatStatus(models.TextChoices):
    INVITED = "invited", _("待入庭")
    WAITING = "waiting", _("候审中")
    ADMITTED = "admitted", _("已准许入庭")
    REMOVED = "removed", _("已请出")


class Participation(models.TextChoices):
    """How a person takes part: video, audio only, text only (deaf or low bandwidth),
    or in the physical courtroom."""

    VIDEO = "video", _("视频")
    AUDIO = "audio", _("仅音频")
    TEXT = "text", _("文字")
    OFFLINE = "offline", _("线下到庭")


class Seat(BaseModel):
    """A person's place in a session: their label, how they take part, whether the clerk has
    admitted them, and what the judge set for them (muted, camera off)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="seats")
    # The case the seat belongs to (a joint session seats several cases' parties).
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="+")
    participant = models.ForeignKey(
        "cases.CaseParticipant",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="seats",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearing_seats",
    )
    role = models.CharField(_("席位"), max_length=20, choices=SeatRole.choices)
    name = models.CharField(_("姓名"), max_length=200)
    participation = models.CharField(
        _("参加方式"), max_length=8, choices=Participation.choices, default=Participation.VIDEO
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SeatStatus.choices, default=SeatStatus.INVITED
    )
    # 在线诉讼规则第二十七条: the courtroom rules and the ban on private recording.
    rules_acknowledged_at = models.DateTimeField(_("确认庭审纪律"), null=True, blank=True)
    muted = models.BooleanField(_("静音"), default=False)
    camera_off = models.BooleanField(_("关闭摄像头"), default=False)
    # A witness waits outside until called and leaves after testifying (第二十六条).
    called = models.BooleanField(_("已传唤入庭"), default=False)
    hand_raised_at = models.DateTimeField(_("申请发言"), null=True, blank=True)
    # What this seat presents to Janus; issued on join, replaced when a second device joins.
    token = EncryptedTextField(blank=True, default="")
    device = models.CharField(max_length=64, blank=True)
    feed_id = models.BigIntegerField(null=True, blank=True)
    present = models.BooleanField(_("在线"), default=False)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["session", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user", "role"],
                condition=Q(user__isnull=False),
                name="seat_unique_user_role",
            )
        ]
        verbose_name = _("席位")
        verbose_name_plural = _("席位")

    def __str__(self) -> str:
        return f"{self.get_role_display()} {self.name}"

    @property
    def label(self) -> str:
        return f"{self.get_role_display()} {self.name}"


class OfflineRequest(BaseModel):
    """A party's request to attend a session offline, with its reasons (在线诉讼规则第五条)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("待审查")
        GRANTED = "granted", _("已准许")
        REFUSED = "refused", _("不准许")

    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="offline_requests")
    reason = models.TextField(_("理由"), max_length=1000)
    status = models.CharField(
        _("状态"), max_length=8, choices=Status.choices, default=Status.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审查意见"), max_length=500, blank=True)


class AttendanceKind(models.TextChoices):
    ENTERED_WAITING = "waiting", _("进入候审室")
    ADMITTED = "admitted", _("准许入庭")
    JOINED = "joined", _("入庭")
    REJOINED = "rejoined", _("重新连接")
    DROPPED = "dropped", _("连接中断")
    LEFT = "left", _("离开")
    REMOVED = "removed", _("被请出法庭")
    REPLACED = "replaced", _("另一设备接替")
    ABSENT = "absent", _("未到庭")


class AttendanceCause(models.TextChoices):
    NONE = "", _("无")
    HANGUP = "hangup", _("主动挂断")
    PAGE_CLOSED = "page_closed", _("关闭页面")
    IGNORED_WARNING = "ignored_warning", _("经提醒未返回")
    ICE_FAILED = "ice_failed", _("媒体连接失败")
    SOCKET_LOST = "socket_lost", _("网络连接中断")
    JUDGE = "judge", _("审判长指令")
    SECOND_DEVICE = "second_device", _("另一设备登录")
    NEVER_JOINED = "never_joined", _("始终未入庭")


class AttendanceEvent(models.Model):
    """One line of the attendance log (在线诉讼规则第二十五条: 拒不到庭、中途退庭 are ruled on
    these facts). Append-only; each line is also a ledger entry."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="attendance")
    kind = models.CharField(_("事件"), max_length=10, choices=AttendanceKind.choices)
    cause = models.CharField(
        _("原因"), max_length=16, choices=AttendanceCause.choices, blank=True, default=""
    )
    at = models.DateTimeField(_("时间"), db_index=True)
    detail = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("出庭记录")
        verbose_name_plural = _("出庭记录")

    def __str__(self) -> str:
        return f"{self.seat_id} {self.kind} {self.cause}"


class RecordingStatus(models.TextChoices):
    PENDING = "pending", _("待录制")
    RECORDING = "recording", _("录制中")
    PAUSED = "paused", _("暂停（休庭）")
    PROCESSING = "processing", _("合成中")
    READY = "ready", _("已生成")
    FAILED = "failed", _("生成失败")


class Recording(BaseModel):
    """The session's audio-video record (录音录像规定第一条、第三条、第四条、第九条)."""

    session = models.OneToOneField(Session, on_delete=models.CASCADE, related_name="recording")
    status = models.CharField(
        _("状态"), max_length=12, choices=RecordingStatus.choices, default=RecordingStatus.PENDING
    )
    # Where Janus writes this room's .mjr files, and the merged video (storage name).
    rec_dir = models.CharField(max_length=500, blank=True)
    file = models.CharField(_("文件"), max_length=500, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.BigIntegerField(default=0)
    duration_seconds = models.FloatField(null=True, blank=True)
    # [{"start": iso, "end": iso|null}], one per stretch recorded between recesses.
    segments = models.JSONField(default=list)
    failure = models.CharField(max_length=300, blank=True)
    # The court's permission to download the raw file, per user id (otherwise watch only).
    download_allowed = models.JSONField(default=list)

    class Meta:
        verbose_name = _("庭审录像")
        verbose_name_plural = _("庭审录像")


class CasePublicity(BaseModel):
    """Whether a case may be heard in public and broadcast: the ground that forbids it, and a
    party's request not to broadcast it (在线诉讼规则第二十七条)."""

    case = models.OneToOneField("cases.Case", on_delete=models.CASCADE, related_name="publicity")
    ground = models.CharField(
        _("不公开理由"), max_length=16, choices=NonPublicGround.choices, blank=True, default=""
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )


class LiveView(models.Model):
    """A viewer of a public broadcast, for the cap (one row per viewer key while watching)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="live_views")
    viewer = models.CharField(max_length=64)
    last_seen_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "viewer"], name="live_view_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.viewer}"


class AsyncStagePost(BaseModel):
    """异步审理 (在线诉讼规则第二十条): one participant's contribution to one stage, as video or
    text, within the judge's deadline."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="async_posts")
    seat = models.ForeignKey(Seat, on_delete=models.CASCADE, related_name="async_posts")
    stage = models.CharField(_("阶段"), max_length=20, choices=HearingStage.choices)
    text = models.TextField(_("陈述"), blank=True, max_length=20000)
    video = models.CharField(_("视频"), max_length=500, blank=True)
    video_sha256 = models.CharField(max_length=64, blank=True)


class AsyncStageDeadline(models.Model):
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="async_deadlines")
    stage = models.CharField(_("阶段"), max_length=20, choices=HearingStage.choices)
    due_at = models.DateTimeField(_("截止时间"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "stage"], name="async_deadline_unique")
        ]

    def __str__(self) -> str:
        return f"{self.session_id} {self.stage} {self.due_at:%Y-%m-%d %H:%M}"


# -- 庭审笔录 (transcripts; issue 17) ------------------------------------------------------
# The transcript's models live in ``transcripts/models.py`` (this module would pass 600
# lines); imported here so that Django finds them as the hearings app's.

from .transcripts.models import (  # noqa: E402, F401
    CorrectionStatus,
    RecordingConsent,
    SignerStatus,
    TranscriptCorrection,
    TranscriptGap,
    TranscriptLine,
    TranscriptLineVersion,
    TranscriptRecord,
    TranscriptSigner,
    TranscriptStatus,
)
