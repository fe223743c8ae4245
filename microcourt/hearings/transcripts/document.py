"""The record as a document (民事诉讼法第一百五十条; 在线诉讼规则第三十四条): the header (court,
案号, cause, time, online venue, panel, clerk, participants and how each attended), the stages
as the judge marked them, the lines, the corrections asked for and how each was decided, and
room for the signatures. And the 记明情况 page filed with it once everyone signed or refused."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from ..models import (
    COURT_SEATS,
    AttendanceKind,
    Participation,
    SeatRole,
    SessionKind,
)

FONT = "'WenQuanYi Micro Hei', sans-serif"
PANEL = (SeatRole.PRESIDING_JUDGE, SeatRole.JUDGE, SeatRole.MEDIATOR)
TITLES = {
    SessionKind.EVIDENCE_EXCHANGE: "证据交换笔录",
    SessionKind.PRETRIAL: "庭前会议笔录",
    SessionKind.INQUIRY: "询问笔录",
}


def title_of(session) -> str:
    return gettext(TITLES.get(session.kind, "庭审笔录"))


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _clock(value) -> str:
    return timezone.localtime(value).strftime("%H:%M:%S") if value else ""


def attended(seat, events) -> str:
    """How a person attended: online (video/audio/text), offline, or absent."""
    if seat.participation == Participation.OFFLINE:
        return gettext("线下到庭")
    joined = any(e.kind in (AttendanceKind.JOINED, AttendanceKind.REJOINED) for e in events)
    if not joined and seat.role not in COURT_SEATS:
        return gettext("未到庭")
    return gettext("在线出庭（%(how)s）") % {"how": seat.get_participation_display()}


def _page(body: str) -> str:
    return (
        "<html><head><meta charset='utf-8'><style>"
        f"@page {{ size: A4; margin: 18mm; @bottom-center {{ content: counter(page); }} }}"
        f"body {{ font-family: {FONT}; font-size: 11pt; line-height: 1.6; }}"
        "h1 { text-align: center; font-size: 18pt; margin: 0 0 4mm; }"
        "table.head { width: 100%; border-collapse: collapse; margin-bottom: 4mm; }"
        "table.head th { text-align: left; width: 22%; vertical-align: top; }"
        "table.head th, table.head td { border: 1px solid #888; padding: 2px 6px; }"
        "h2 { font-size: 12pt; margin: 4mm 0 1mm; border-bottom: 1px solid #ccc; }"
        "p.line { margin: 0 0 1mm; } span.t { color: #666; font-size: 9pt; }"
        "p.gap { color: #a00; } .c { font-size: 10pt; }"
        "</style></head><body>" + body + "</body></html>"
    )


def render_record(record, *, lines, case_record, stretches, corrections, revision) -> bytes:
    """The record's PDF at ``revision``."""
    from microcourt.core import pdf as renderer

    session, case = record.session, record.case
    seats = case_record.court_seats + case_record.seats
    by_seat: dict[int, list] = {}
    for event in case_record.attendance:
        by_seat.setdefault(event.seat_id, []).append(event)
    panel = [s for s in seats if s.role in PANEL]
    clerks = [s for s in seats if s.role == SeatRole.CLERK]
    others = [s for s in seats if s.role not in COURT_SEATS and s.role != SeatRole.OBSERVER]
    venue = gettext("微法院在线庭审（庭审编号 %(id)s）") % {"id": session.pk}
    if session.venue:
        venue += f"；{session.venue}"
    rows = [
        (gettext("法院"), case.court.name if case.court_id else ""),
        (gettext("案号"), case.number or ""),
        (gettext("案由"), case.cause or ""),
        (
            gettext("时间"),
            f"{_when(session.opened_at or session.starts_at)} — {_when(session.closed_at)}",
        ),
        (gettext("地点"), venue),
        (gettext("审判人员"), "、".join(s.label for s in panel)),
        (gettext("书记员"), "、".join(s.name for s in clerks)),
        (
            gettext("到庭情况"),
            "<br>".join(
                f"{escape(s.label)}：{escape(attended(s, by_seat.get(s.pk, [])))}" for s in others
            ),
        ),
    ]
    head = "".join(
        f"<tr><th>{escape(k)}</th><td>{v if k == gettext('到庭情况') else escape(v)}</td></tr>"
        for k, v in rows
    )
    body = [f"<h1>{escape(title_of(session))}</h1>", f"<table class='head'>{head}</table>"]
    if stretches:
        marks = "；".join(
            f"{_clock(s.start)} {escape(s.stage_label)}" for s in stretches if s.stage_label
        )
        body.append(f"<p class='c'>{escape(gettext('庭审阶段'))}：{marks}</p>")
    stage = None
    for line in lines:
        if line.stage != stage:
            stage = line.stage
            body.append(f"<h2>{escape(line.get_stage_display())}</h2>")
        if line.gap:
            text = f"【{line.get_gap_display()}】"
            css = "line gap"
        else:
            text = line.text
            css = "line"
        body.append(
            f"<p class='{css}'><span class='t'>{_clock(line.started_at)}</span> "
            f"<b>{escape(line.speaker)}</b>：{escape(text)}</p>"
        )
    if not lines:
        body.append(f"<p>{escape(gettext('（本次庭审没有记录到发言）'))}</p>")
    if corrections:
        body.append(f"<h2>{escape(gettext('笔录补正申请及处理'))}</h2>")
        for c in corrections:
            what = gettext("遗漏") if c.omission else gettext("差错")
            status = c.get_status_display()
            note = f"；{gettext('处理意见')}：{c.note}" if c.note else ""
            body.append(
                f"<p class='c'>{escape(c.requester_label)} {escape(_when(c.created_at))} "
                f"{escape(gettext('申请补正'))}（{escape(what)}）："
                f"“{escape(c.text)}”。{escape(str(status))}{escape(note)}</p>"
            )
    body.append(
        "<p class='c' style='margin-top:6mm'>"
        + escape(
            gettext(
                "以上笔录已由参加人在线阅读，对记录有遗漏或者差错的，可以申请补正；"
                "经在线签名确认的笔录与书面笔录具有同等效力（《民事诉讼法》第一百五十条；"
                "《人民法院在线诉讼规则》第三十四条）。"
            )
        )
        + "</p>"
    )
    body.append(
        f"<p class='c'>{escape(gettext('签名'))}："
        + "、".join(escape(s.label) for s in panel + clerks + others)
        + f"</p><p class='t'>{escape(gettext('版本'))} {revision} · "
        + f"{escape(gettext('生成于'))} {_when(timezone.now())}</p>"
    )
    with renderer.budget():
        return renderer.render(_page("".join(body)))


def render_note(record, *, signers, refusals, corrections) -> bytes:
    """记明情况: who signed and when, who refused and why, the corrections after signing."""
    from microcourt.core import pdf as renderer

    session, case = record.session, record.case
    body = [
        f"<h1>{escape(title_of(session))}{escape(gettext('签名情况'))}</h1>",
        f"<p>{escape(case.number or '')} {escape(case.cause or '')}</p>",
        f"<h2>{escape(gettext('签名'))}</h2>",
    ]
    for s in signers:
        if s.status == "signed":
            body.append(
                f"<p class='c'>{escape(s.label)}：{escape(gettext('已签名'))} "
                f"{escape(_when(s.signed_at))}</p>"
            )
    if refusals:
        body.append(f"<h2>{escape(gettext('拒绝签名'))}</h2>")
        for s in refusals:
            body.append(
                f"<p class='c'>{escape(s.label)}"
                f"（{escape(gettext('第 %(n)s 版') % {'n': s.revision})}）："
                f"{escape(gettext('拒绝签名'))} {escape(_when(s.refused_at))}；"
                f"{escape(gettext('理由'))}：{escape(s.reason or gettext('未说明'))}</p>"
            )
    if corrections:
        body.append(f"<h2>{escape(gettext('补正申请'))}</h2>")
        for c in corrections:
            body.append(
                f"<p class='c'>{escape(c.requester_label)}：“{escape(c.text)}”"
                f" {escape(str(c.get_status_display()))}"
                + (f"；{escape(c.note)}" if c.note else "")
                + "</p>"
            )
    body.append(
        "<p class='c'>"
        + escape(
            gettext(
                "拒绝签名的，记明情况附卷（《民事诉讼法》第一百五十条）。本页由系统在全部参加人"
                "签名或拒绝签名后生成，与笔录一并归入电子卷宗。"
            )
        )
        + "</p>"
    )
    with renderer.budget():
        return renderer.render(_page("".join(body)))
