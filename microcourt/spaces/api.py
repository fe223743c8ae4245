"""The case space API (/api/v1/cases/{case_id}/space…). Anyone not in the space gets 404;
each call acts as the caller is bound to the case (a judge as judge, a party as citizen)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Router, Status, UploadedFile

from microcourt.core import apiout
from microcourt.core.actor import actor_of

from . import actions, selectors
from .schemas import MessageOut, OkOut, ReadIn, ReminderAckOut, SpaceOut, ThreadReadOut

router = Router(tags=["spaces"])

SPACE = "/cases/{case_id}/space"


def _space(request: HttpRequest, case_id: int):
    """(actor bound to the case, case, member)."""
    return selectors.space_for(actor_of(request), case_id)


@router.get(SPACE, response=SpaceOut)
def space(request: HttpRequest, case_id: int):
    """The member's threads, read marks, pinned notices and key messages to acknowledge."""
    _actor, case, member = _space(request, case_id)
    return selectors.space_state(case, member)


@router.get(f"{SPACE}/messages", response=list[MessageOut])
def messages(request: HttpRequest, case_id: int, after: int = 0):
    """Messages after ``after`` (a seq), oldest first, at most 200: ask again with the last."""
    _actor, case, member = _space(request, case_id)
    page = []
    for message in selectors.messages_for(case, member, after=after):
        out = selectors.message_out(message)
        del out["type"]  # the websocket's event type; not part of MessageOut
        page.append(out)
    # Built in MessageOut's shape already: rendered without a second validation (core.apiout).
    return apiout.json_response(request, page, list[MessageOut])


@router.post(f"{SPACE}/messages", response={201: MessageOut})
def message_post(
    request: HttpRequest,
    case_id: int,
    text: Form[str] = "",
    thread: Form[str] = "main",
    party: Form[int | None] = None,
    mentions: Form[str] = "",
    file: File[UploadedFile | None] = None,
):
    """Post text, or a file (image, voice note, PDF, DOCX; the type is read from the content).
    ``thread`` is ``main`` or ``court`` (联系法官; the court names the ``party``); ``mentions``
    is a comma-separated list of user ids."""
    actor, case, _member = _space(request, case_id)
    ids = [int(x) for x in mentions.split(",") if x.strip().isascii() and x.strip().isdigit()]
    message = actions.message_post(
        case=case, actor=actor, text=text, upload=file, thread=thread, party=party, mentions=ids
    )
    return Status(201, selectors.message_out(message))


@router.post(f"{SPACE}/messages/{{message_id}}/retract", response={201: MessageOut})
def message_retract(request: HttpRequest, case_id: int, message_id: int):
    actor, case, _member = _space(request, case_id)
    message = actions.message_retract(case=case, actor=actor, message_id=message_id)
    return Status(201, selectors.message_out(message))


@router.post(f"{SPACE}/messages/{{message_id}}/pin", response=OkOut)
def message_pin(request: HttpRequest, case_id: int, message_id: int):
    actor, case, _member = _space(request, case_id)
    actions.message_pin(case=case, actor=actor, message_id=message_id)
    return {"ok": True}


@router.delete(f"{SPACE}/messages/{{message_id}}/pin", response=OkOut)
def message_unpin(request: HttpRequest, case_id: int, message_id: int):
    actor, case, _member = _space(request, case_id)
    actions.message_unpin(case=case, actor=actor, message_id=message_id)
    return {"ok": True}


@router.post(f"{SPACE}/messages/{{message_id}}/reminder", response=OkOut)
def reminder_set(request: HttpRequest, case_id: int, message_id: int):
    """强提醒 (court only): each addressee must acknowledge; SMS after the delay."""
    actor, case, _member = _space(request, case_id)
    actions.reminder_set(case=case, actor=actor, message_id=message_id)
    return {"ok": True}


@router.get(f"{SPACE}/messages/{{message_id}}/reminder", response=list[ReminderAckOut])
def reminder_status(request: HttpRequest, case_id: int, message_id: int):
    """Who was asked to confirm a key message, who has, and who was texted (court only)."""
    _actor, case, member = _space(request, case_id)
    return selectors.reminder_status(case, member, message_id)


@router.post(f"{SPACE}/messages/{{message_id}}/ack", response=OkOut)
def reminder_acknowledge(request: HttpRequest, case_id: int, message_id: int):
    actor, case, _member = _space(request, case_id)
    actions.reminder_acknowledge(case=case, actor=actor, message_id=message_id)
    return {"ok": True}


@router.post(f"{SPACE}/threads/{{thread_id}}/read", response=ThreadReadOut)
def read_mark(request: HttpRequest, case_id: int, thread_id: int, payload: ReadIn):
    actor, case, _member = _space(request, case_id)
    mark = actions.read_mark(case=case, actor=actor, thread_id=thread_id, seq=payload.seq)
    return {"thread": mark.thread_id, "last_read_seq": mark.last_read_seq}


@router.get(f"{SPACE}/export", response={200: None})
def export(request: HttpRequest, case_id: int):
    """The space the caller sees, as a PDF (the court: everything)."""
    actor, case, _member = _space(request, case_id)
    response = HttpResponse(
        actions.space_export(case=case, actor=actor), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'attachment; filename="space-{case.pk}.pdf"'
    return response
