"""Reads of case spaces, scoped to the actor: a space is seen only by the case's active
participants (parties, agents, the court's people on the case); everyone else gets "not found",
exactly as for a case that does not exist (ARCHITECTURE §4.4)."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from microcourt.cases import selectors as case_selectors
from microcourt.cases.models import COURT_ROLES, PARTY_ROLES, Case
from microcourt.core import fixedsql, pdf
from microcourt.core.actor import Actor
from microcourt.core.errors import NotFound

from . import policies
from .models import AckStatus, Message, Pin, ReadMark, Reminder, ReminderAck, Thread, ThreadKind

PAGE = 200  # messages per gap-fill answer; the client asks again with the last seq
# Who is in a space, and what a member may do there, is the policy's (``policies.py``).
Member = policies.Member


role_label = policies.role_label


def member_of(actor: Actor, case_id: int) -> tuple[Case, Member]:
    """The case and the actor's place in its space; ``NotFound`` for anyone who is not in it
    (a court's other staff see its docket, not its private chat)."""
    case = case_selectors.case_for(actor, case_id)
    return case, policies.membership(actor, case)


def space_for(actor: Actor, case_id: int) -> tuple[Actor, Case, Member]:
    """What every interface starts from: the actor bound to the case (so the ledger records
    the role it really acts in), the case, and the actor's place in its space."""
    case = case_selectors.case_for(actor, case_id)
    bound, member = policies.member_on(actor, case)
    return bound, case, member


def membership(actor: Actor, case: Case) -> Member:
    return policies.membership(actor, case)


def people(case: Case) -> tuple[list[dict], list[dict]]:
    """For the page: everyone with an account (for @mentions), and the parties (the court
    picks whose private line it writes to)."""
    everyone = case_selectors.participants_of(case)
    return (
        [
            {"user": p.user_id, "name": p.display_name, "role": p.get_role_display()}
            for p in everyone.exclude(user_id=None)
        ],
        [{"id": p.pk, "name": p.display_name} for p in everyone.filter(role__in=PARTY_ROLES)],
    )


def attachment_for(case: Case, member: Member, message_id: int) -> Message:
    """A message's attachment, in a thread the member sees."""
    message = Message.objects.filter(
        pk=message_id, case=case, thread__in=threads_for(case, member)
    ).first()
    if message is None or not message.attachment_path:
        raise NotFound(_("没有找到该附件"))
    return message


def threads_for(case: Case, member: Member) -> QuerySet[Thread]:
    qs = Thread.objects.filter(case=case)
    if member.court:
        return qs
    return qs.filter(
        Q(kind=ThreadKind.MAIN) | Q(kind=ThreadKind.COURT, party_id__in=member.party_ids)
    )


def thread_for(case: Case, member: Member, thread_id: int) -> Thread:
    thread = threads_for(case, member).filter(pk=thread_id).first()
    if thread is None:
        raise NotFound(_("没有找到该会话"))
    return thread


def audience(thread: Thread) -> set[int]:
    """The user ids who see the thread now (active participants only)."""
    people = case_selectors.participants_of(thread.case).exclude(user_id=None)
    if thread.kind == ThreadKind.COURT:
        people = people.filter(
            Q(role__in=COURT_ROLES) | Q(pk=thread.party_id) | Q(represents_id=thread.party_id)
        )
    return set(people.values_list("user_id", flat=True))


def messages_for(case: Case, member: Member, *, after: int = 0, limit: int = PAGE) -> list[Message]:
    """Messages after ``after`` in the threads the member sees, in sequence order.

    One fixed statement, messages joined to their threads: the ORM's version (a join and a
    subquery, built and compiled on every call), then a thread query and a raw one, cost
    several times as much as running them, on the API clients poll most
    (docs/benchmarks.md, request path). Which threads: ``threads_for``'s rule, stated again
    in SQL (the court side sees every thread of the case, everyone else the main one and the
    court lines of the parties they are or act for); the spaces tests hold the two to the
    same answers."""
    after = max(after, 0)
    if after >= 2**63:  # past any seq (and a number SQL could not bind)
        return []
    params: list = [case.pk, after, case.pk]
    sql = _MESSAGES_SQL
    if not member.court:
        parties = sorted(member.party_ids)
        sql += " AND (t.kind = %s"
        params.append(str(ThreadKind.MAIN))
        if parties:
            sql += f" OR (t.kind = %s AND t.party_id IN ({', '.join(['%s'] * len(parties))}))"
            params += [str(ThreadKind.COURT), *parties]
        sql += ")"
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} ORDER BY m.seq LIMIT %s", [*params, limit])
        fetched = cursor.fetchall()
    threads: dict[int, Thread] = {}
    width = fixedsql.width(Message)
    messages = []
    for row in fetched:
        message = fixedsql.instance(Message, row)
        thread = threads.get(message.thread_id)
        if thread is None:
            thread = threads[message.thread_id] = fixedsql.instance(Thread, row, start=width)
        message.thread = thread
        messages.append(message)
    return messages


_MESSAGES_SQL = (
    f"SELECT {fixedsql.columns(Message, 'm')}, {fixedsql.columns(Thread, 't')} "  # noqa: S608
    f"FROM {Message._meta.db_table} m JOIN {Thread._meta.db_table} t ON t.id = m.thread_id "
    "WHERE m.case_id = %s AND m.seq > %s AND t.case_id = %s"
)


def pins_for(case: Case, member: Member) -> list[Pin]:
    return list(
        Pin.objects.filter(
            case=case,
            unpinned_at__isnull=True,
            message__thread__in=threads_for(case, member),
        )
        .select_related("message")
        .order_by("-pinned_at")
    )


def read_marks(thread: Thread) -> dict[int, int]:
    return dict(ReadMark.objects.filter(thread=thread).values_list("user_id", "last_read_seq"))


def pending_reminders(case: Case, member: Member) -> list[ReminderAck]:
    """The key messages this member has still to acknowledge."""
    return list(
        ReminderAck.objects.filter(reminder__message__case=case, user_id=member.user_id)
        .exclude(status=AckStatus.ACKNOWLEDGED)
        .select_related("reminder__message")
    )


def reminders_due(now: dt.datetime | None = None) -> QuerySet[ReminderAck]:
    """Acknowledgements overdue and not yet escalated, for the escalation task."""
    now = now or timezone.now()
    return ReminderAck.objects.filter(
        status=AckStatus.PENDING, reminder__escalate_at__lte=now
    ).select_related("reminder__message", "user")


def reminder_of(message: Message) -> Reminder | None:
    return Reminder.objects.filter(message=message).first()


def message_out(message: Message) -> dict:
    """The one shape a message leaves in (API, websocket, page)."""
    return {
        "type": "message",
        "id": message.pk,
        "seq": message.seq,
        "thread": message.thread_id,
        "thread_kind": message.thread.kind,
        "kind": message.kind,
        "sender": message.sender_id,
        "sender_name": message.sender_name,
        "sender_role": message.sender_role,
        "sender_role_label": role_label(message.sender_role),
        "text": message.text,
        "attachment": (
            {
                "name": message.attachment_name,
                "mime": message.attachment_mime,
                "size": message.attachment_size,
                "url": f"/cases/{message.case_id}/space/files/{message.pk}/",
            }
            if message.attachment_path
            else None
        ),
        "digest": message.digest,
        "retracts": message.retracts_id,
        "created_at": timezone.localtime(message.created_at).isoformat(),
    }


# --- Export ---------------------------------------------------------------------------------


def export_html(case: Case, actor: Actor) -> str:
    """The space as the actor may see it, as the HTML of its PDF export: every thread the
    actor sees (the court sees all), each message with its time, sender, role, text or
    attachment name, and digest. A short read; the render happens later, outside any
    transaction (``actions.space_export``)."""
    member = policies.membership(actor, case)
    return _export_html(case, threads_for(case, member))


def dossier_html(case: Case) -> str:
    """The whole space, for the court's e-dossier (电子卷宗)."""
    return _export_html(case, Thread.objects.filter(case=case))


def export(case: Case, actor: Actor) -> bytes:
    """``export_html`` rendered (in a child process, within the render budget)."""
    return pdf.render(export_html(case, actor))


def dossier_pdf(case: Case) -> bytes:
    return pdf.render(dossier_html(case))


def _export_html(case: Case, threads: QuerySet[Thread]) -> str:
    # Two queries whatever the size of the space: the threads, then all their messages.
    threads_list = list(threads.select_related("party").order_by("pk"))
    by_thread: dict[int, list[dict]] = {t.pk: [] for t in threads_list}
    messages = (
        Message.objects.filter(thread__in=threads_list)
        .select_related("retracts")
        .order_by("thread_id", "seq")
    )
    for m in messages:
        by_thread[m.thread_id].append(
            {"m": m, "at": timezone.localtime(m.created_at), "role": role_label(m.sender_role)}
        )
    sections = [
        {
            "title": (
                thread.get_kind_display()
                if thread.kind == ThreadKind.MAIN
                else f"{thread.get_kind_display()}（{thread.party.display_name}）"
            ),
            "messages": by_thread[thread.pk],
        }
        for thread in threads_list
    ]
    return render_to_string(
        "spaces/export.html",
        {"case": case, "sections": sections, "generated_at": timezone.localtime()},
    )


def space_state(case, member) -> dict:
    """What a member's page and client start from: threads with read marks, pins, key
    messages to acknowledge, and everyone's read marks."""
    threads = list(threads_for(case, member).order_by("pk"))
    marks = dict(
        ReadMark.objects.filter(thread__in=threads, user_id=member.user_id).values_list(
            "thread_id", "last_read_seq"
        )
    )
    return {
        "case": case.pk,
        "me": member.user_id,
        "role": member.role,
        "court": member.court,
        "parties": sorted(member.party_ids),
        "threads": [
            {"id": t.pk, "kind": t.kind, "party": t.party_id, "last_read_seq": marks.get(t.pk, 0)}
            for t in threads
        ],
        "pins": [
            {"message": p.message_id, "seq": p.message.seq, "text": p.message.text}
            for p in pins_for(case, member)
        ],
        "pending_reminders": [a.reminder.message_id for a in pending_reminders(case, member)],
        # For the court: per key message, how many addressees have confirmed it.
        "reminders": (
            {str(k): v for k, v in reminder_counts(case).items()} if member.court else {}
        ),
        # Everyone's read marks in these threads, for "已读" under one's own messages.
        "reads": [
            {"thread": thread_id, "user": user_id, "seq": seq}
            for thread_id, user_id, seq in ReadMark.objects.filter(thread__in=threads).values_list(
                "thread_id", "user_id", "last_read_seq"
            )
        ],
    }


def reminder_counts(case: Case) -> dict[int, dict[str, int]]:
    """For the court's view: per key message, how many addressees have confirmed it."""
    counts: dict[int, dict[str, int]] = {}
    rows = ReminderAck.objects.filter(reminder__message__case=case).values_list(
        "reminder__message_id", "status"
    )
    for message_id, status in rows:
        entry = counts.setdefault(message_id, {"total": 0, "acknowledged": 0})
        entry["total"] += 1
        entry["acknowledged"] += status == AckStatus.ACKNOWLEDGED
    return counts


def reminder_status(case: Case, member: Member, message_id: int) -> list[dict]:
    """Who was asked to confirm a key message, who has, and who was texted (court only)."""
    policies.require_see_reminders(member)
    reminder = Reminder.objects.filter(message__case=case, message_id=message_id).first()
    if reminder is None:
        raise NotFound(_("没有找到该强提醒"))
    names = dict(case_selectors.participants_of(case).values_list("user_id", "display_name"))
    return [
        {
            "user": ack.user_id,
            "name": names.get(ack.user_id, ""),
            "acknowledged_at": ack.acknowledged_at,
            "escalated_at": ack.escalated_at,
        }
        for ack in reminder.acks.order_by("pk")
    ]


def unread_counts(user_id: int, case_ids: list[int]) -> dict[int, int]:
    """For the court's people on these cases (the workbench's 我的案件): per case, the
    messages in its space they have not read — past their read mark in each thread, not
    their own. The court's people on a case see every thread of its space."""
    from django.db.models import Count, F, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    if not case_ids:
        return {}
    mark = ReadMark.objects.filter(thread_id=OuterRef("thread_id"), user_id=user_id).values(
        "last_read_seq"
    )[:1]
    rows = (
        Message.objects.filter(case_id__in=case_ids)
        .exclude(sender_id=user_id)
        .annotate(mark=Coalesce(Subquery(mark), 0))
        .filter(seq__gt=F("mark"))
        .values("case_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["case_id"]: r["n"] for r in rows}
