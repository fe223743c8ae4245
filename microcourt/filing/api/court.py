"""The court's endpoints (the desk and its decisions) and the other side's invitation."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from microcourt.core.actor import actor_of
from microcourt.core.errors import InvalidInput
from microcourt.courts import selectors as court_selectors
from microcourt.payments import selectors as payment_selectors

from .. import actions, selectors
from ..schemas import (
    AcceptOut,
    CorrectionIn,
    FilingOut,
    InvitationAcceptIn,
    InvitationOut,
    NoteIn,
    QueueItemOut,
    RejectIn,
    TransferIn,
)
from .common import (
    FILING,
    _code,
    _local,
    _money,
    _target,
    filing_out,
    router,
)


def _queue_item(item: selectors.QueueItem) -> dict[str, Any]:
    filing = item.filing
    return {
        "number": filing.number,
        "status": filing.status,
        "submitted_at": _local(filing.submitted_at),
        "due_at": _local(filing.review_due_at),
        "days_left": item.days_left,
        "at_risk": item.at_risk,
        "overdue": item.overdue,
        "cause": filing.cause.name if filing.cause_id else None,
        "kind": filing.kind,
        "cross_region_from": _code(filing.receiving_court),
        "parties": [{"side": p.side, "kind": p.kind, "name": p.name} for p in filing.parties.all()],
    }


@router.get("/filing/desk", response=list[QueueItemOut])
def desk(request: HttpRequest, court: str = ""):
    """The filing officer's queue at ``court`` (its code): pending filings, the most urgent
    first (``days_left`` in court working days), then those awaiting corrections."""
    if not court.strip():
        raise InvalidInput(_("请选择法院"), fields={"court": _("请填写法院代字")})
    found = court_selectors.court(court.strip())
    return [_queue_item(item) for item in selectors.review_queue(actor_of(request), found)]


@router.post(f"{FILING}/accept", response=AcceptOut)
def filing_accept(request: HttpRequest, number: str, payload: NoteIn):
    """登记立案: the case is opened with its 案号; the fee order (if a fee is due on filing)
    is issued to the applicant; the other side is invited to link to the case."""
    filing = actions.filing_accept(
        filing=_target(request, number), actor=actor_of(request), note=str(payload.note or "")
    )
    case = filing.case
    order = payment_selectors.orders_for_case(case.pk).first()
    return {
        "number": filing.number,
        "status": filing.status,
        "case_id": case.pk,
        "case_number": case.number,
        "fee_order": None
        if order is None
        else {
            "number": order.number,
            "amount": _money(order.amount),
            "due_date": order.due_date,
            "status": order.status,
        },
    }


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            _("日期格式不正确"), fields={field: _("日期格式应为 2026-01-31")}
        ) from None


@router.post(f"{FILING}/correction", response=FilingOut)
def filing_request_correction(request: HttpRequest, number: str, payload: CorrectionIn):
    """The one-time correction notice: every item at once, with a deadline."""
    items = payload.items
    if items is not None and not isinstance(items, list):
        items = [items]
    filing = actions.filing_request_correction(
        filing=_target(request, number),
        actor=actor_of(request),
        items=items or [],
        deadline=_date(payload.deadline, "deadline"),
    )
    return filing_out(filing)


@router.post(f"{FILING}/reject", response=FilingOut)
def filing_reject(request: HttpRequest, number: str, payload: RejectIn):
    """不予受理, with written reasons."""
    filing = actions.filing_reject(
        filing=_target(request, number),
        actor=actor_of(request),
        reasons=str(payload.reasons or ""),
    )
    return filing_out(filing)


@router.post(f"{FILING}/transfer", response=FilingOut)
def filing_transfer(request: HttpRequest, number: str, payload: TransferIn):
    """移送 to the competent court (its code in ``target_court``)."""
    filing = actions.filing_transfer(
        filing=_target(request, number),
        actor=actor_of(request),
        target_court_code=str(payload.target_court or ""),
        reasons=str(payload.reasons or ""),
    )
    return filing_out(filing)


@router.post(f"{FILING}/forward", response=FilingOut)
def filing_forward(request: HttpRequest, number: str, payload: NoteIn):
    """跨域立案: the receiving court hands the filing to the competent court."""
    filing = actions.filing_forward(
        filing=_target(request, number), actor=actor_of(request), note=str(payload.note or "")
    )
    return filing_out(filing)


# --- the other side's link ----------------------------------------------------------------


@router.post("/filing/invitations/{token}/accept", response=InvitationOut)
def invitation_accept(request: HttpRequest, token: str, payload: InvitationAcceptIn):
    """Link to the case from the SMS link's token, as the party named (real-name verified),
    and say stage by stage whether to go online."""
    invitation = actions.invitation_accept(
        token=token, actor=actor_of(request), consent=payload.consent
    )
    return {
        "case_id": invitation.case_id,
        "case_number": invitation.case.number,
        "status": invitation.status,
        "linked_at": _local(invitation.linked_at),
    }
