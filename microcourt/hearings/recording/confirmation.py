"""The confirmation document (录音录像规定第九条): one page stating the session, the file,
its duration and SHA-256, which each party and the court's people sign through a signature
request to confirm the recording's integrity check value."""

from __future__ import annotations

from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext


def render(session, sha256: str, size: int, duration: float) -> bytes:
    """A page stating the session, the file, its duration and SHA-256: what each person
    signs to confirm the recording (录音录像规定第九条)."""
    from microcourt.core import pdf as pdf_render

    case = session.case
    rows = [
        (gettext("案号"), case.number or case.title),
        (gettext("案由"), case.cause or ""),
        (gettext("庭审"), f"{session.get_kind_display()} #{session.pk}"),
        (
            gettext("开庭时间"),
            timezone.localtime(session.opened_at).strftime("%Y-%m-%d %H:%M")
            if session.opened_at
            else "",
        ),
        (
            gettext("闭庭时间"),
            timezone.localtime(session.closed_at).strftime("%Y-%m-%d %H:%M")
            if session.closed_at
            else "",
        ),
        (gettext("录像文件"), f"{sha256}.mp4"),
        (gettext("时长"), _hms(duration)),
        (gettext("大小"), f"{size:,} B"),
        ("SHA-256", sha256),
    ]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in rows)
    statement = gettext(
        "本人已知悉上述庭审录音录像文件及其完整性校验值（SHA-256），确认该录像为本次庭审的"
        "完整记录（《最高人民法院关于人民法院庭审录音录像的若干规定》第九条）。"
    )
    html = (
        "<html><body style=\"font-family: 'WenQuanYi Micro Hei'; font-size: 12pt\">"
        f'<h2 style="text-align:center">{escape(gettext("庭审录像确认书"))}</h2>'
        f"<p>{escape(case.court.name if case.court_id else '')}</p>"
        '<table style="width:100%; border-collapse:collapse" border="1" cellpadding="6">'
        f"{body}</table><p>{escape(statement)}</p>"
        f'<p style="margin-top:3em">{escape(gettext("确认人（签名）："))}</p>'
        "</body></html>"
    )
    with pdf_render.budget():
        return pdf_render.render(html)


def _hms(seconds: float) -> str:
    seconds = round(seconds)
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
