"""Ledger codes of hearings (block 12000–12999)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class LedgerEvent(models.IntegerChoices):
    SCHEDULED = 12001, _("排期")
    RESCHEDULED = 12002, _("改期")
    CANCELLED = 12003, _("取消庭审")
    SUMMONS_SERVED = 12004, _("送达传票/出庭通知书")
    OPENED = 12005, _("开庭")
    RECESSED = 12006, _("休庭")
    RESUMED = 12007, _("续庭")
    CLOSED = 12008, _("闭庭")
    STAGE = 12009, _("庭审阶段")
    CONTROL = 12010, _("庭审控制")
    ADMITTED = 12011, _("准许入庭")
    REMOVED = 12012, _("请出法庭")
    ATTENDANCE = 12013, _("出庭记录")
    JOIN_TOKEN = 12014, _("发放入庭凭证")
    RULES_ACKNOWLEDGED = 12015, _("确认庭审纪律")
    EXHIBIT_SHOWN = 12016, _("当庭展示证据")
    WITNESS_CALLED = 12017, _("传唤证人入庭")
    WITNESS_EXCUSED = 12018, _("证人退庭")
    RECORDING_READY = 12019, _("庭审录像生成")
    RECORDING_FAILED = 12020, _("庭审录像生成失败")
    # 12021 is not used: each party confirms a recording by signing its confirmation
    # (signing's own ledger entry names the request; recording.py reads those).
    RECORDING_VIEWED = 12022, _("观看庭审录像")
    RECORDING_DOWNLOAD_ALLOWED = 12023, _("准许下载庭审录像")
    PUBLIC_SET = 12024, _("设置公开直播")
    PUBLICITY_SET = 12025, _("设置不公开理由")
    OFFLINE_REQUESTED = 12026, _("申请线下参加")
    OFFLINE_DECIDED = 12027, _("审查线下参加申请")
    ASYNC_DEADLINE = 12028, _("异步审理期限")
    ASYNC_POSTED = 12029, _("异步审理陈述")
    PARTICIPATION_SET = 12030, _("设置参加方式")
    WITNESS_ADDED = 12031, _("通知证人出庭")
    # Public hearings and other modes (publicity, async trial): 12101–12119.
    NO_BROADCAST_REQUESTED = 12101, _("申请不公开直播")
    NO_BROADCAST_DECIDED = 12102, _("审查不公开直播申请")
    ASYNC_APPLIED = 12103, _("申请异步审理")
    ASYNC_CONSENTED = 12104, _("对异步审理表示意见")
    ASYNC_CONDITIONS = 12105, _("认定异步审理条件")
    JOINT_FOCUS = 12106, _("联审：当前审理的案件")
    # Read-only public viewing through the Streaming plugin (broadcast): 12120–12139.
    BROADCAST_STARTED = 12120, _("开始网络直播")
    BROADCAST_STOPPED = 12121, _("停止网络直播")
    # 庭审笔录 (transcripts, issue 17): 12200–12259.
    TRANSCRIPT_EDITED = 12200, _("修改笔录")
    TRANSCRIPT_LIVE_SET = 12201, _("设置当事人实时查看笔录")
    TRANSCRIPT_SENT = 12202, _("笔录送交阅读签名")
    TRANSCRIPT_RESENT = 12203, _("笔录更正后重新送交")
    TRANSCRIPT_SIGNED = 12204, _("签署笔录")
    TRANSCRIPT_REFUSED = 12205, _("拒绝签署笔录")
    TRANSCRIPT_CORRECTION_REQUESTED = 12206, _("申请补正笔录")
    TRANSCRIPT_CORRECTION_DECIDED = 12207, _("处理笔录补正申请")
    TRANSCRIPT_COMPLETED = 12208, _("笔录签署完毕归档")
    TRANSCRIPT_RECORDING_CONSENT = 12209, _("同意以录音录像代替笔录")
    TRANSCRIPT_STANDS_IN = 12210, _("以录音录像代替笔录")
    TRANSCRIPT_READ = 12211, _("阅读笔录")
    TRANSCRIPT_LINE_ADDED = 12212, _("语音识别笔录行")
