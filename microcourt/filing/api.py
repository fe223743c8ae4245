"""The filing API: everything the wizard does, for a law firm's software to file a case (and
for the court's filing desk to decide it) without the pages.

Each endpoint parses its input, calls one action (or selector) and renders. A filing the
caller may not see answers 404 on every route, whatever the route would do; one the caller
may see but not decide (the applicant at /accept) answers 403."""

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from microcourt.assist.api import DEFAULT_MAX_UPLOAD_BYTES
from microcourt.cases.models import ParticipantRole
from microcourt.core import uploads
from microcourt.core.actor import Actor
from microcourt.core.crypto import mask
from microcourt.core.errors import DomainError, Forbidden, InvalidInput, NotFound
from microcourt.courts import selectors as court_selectors
from microcourt.payments import selectors as payment_selectors

from . import actions, autofill, invitations, review, rules, selectors
from .models import (
    CaseKind,
    Filing,
    FilingMaterial,
    FilingParty,
    FilingStatus,
    MaterialKind,
)
from .schemas import (
    AcceptOut,
    CauseOut,
    ClaimIn,
    ClaimOut,
    ComplaintIn,
    CorrectionIn,
    FilingOut,
    FilingPatchIn,
    FilingStartIn,
    FilingSummaryOut,
    InvitationAcceptIn,
    InvitationOut,
    KindOut,
    MaterialOut,
    NoteIn,
    PartyIn,
    PartyOut,
    QueueItemOut,
    RejectIn,
    TransferIn,
    WithdrawIn,
)

router = Router(tags=["filing"])

FILING = "/filing/filings/{number}"
GUESS_SIDES = ("", "plaintiff", "defendant", "third_party")


def _upload_body(field: str, description: str, **extra: dict) -> dict:
    """The published multipart body (parameters are optional in Python so that a missing
    file gets the platform's own message naming the field)."""
    upload = {"type": "string", "format": "binary", "description": description}
    schema = {
        "type": "object",
        "required": [field, *extra.pop("_required", [])],
        "properties": {field: upload, **extra},
    }
    return {"requestBody": {"content": {"multipart/form-data": {"schema": schema}}}}


# --- rendering ----------------------------------------------------------------------------


def _money(value: Decimal | None) -> str | None:
    return None if value is None else format(value, "f")


def _local(value: dt.datetime | None) -> dt.datetime | None:
    return None if value is None else timezone.localtime(value)


def _phone(value: str) -> str:
    return mask(value.removeprefix("+86")) if value else ""


def party_out(party: FilingParty, filing: Filing) -> dict[str, Any]:
    return {
        "id": party.pk,
        "side": party.side,
        "kind": party.kind,
        "name": party.name,
        "gender": party.gender,
        "birth_date": party.birth_date,
        "ethnicity": party.ethnicity,
        "id_number": mask(party.id_number),
        "uscc": party.uscc,
        "legal_representative": party.legal_representative,
        "phone": _phone(party.phone),
        "address": party.address,
        "service_address": party.service_address,
        "email": party.email,
        "service_address_confirmed": party.service_address_confirmed,
        "is_applicant": party.user_id is not None and party.user_id == filing.applicant_id,
        "position": party.position,
    }


def claim_out(claim) -> dict[str, Any]:
    return {
        "id": claim.pk,
        "text": claim.text,
        "amount": _money(claim.amount),
        "position": claim.position,
    }


def material_out(material: FilingMaterial) -> dict[str, Any]:
    return {
        "id": material.pk,
        "kind": material.kind,
        "name": material.name,
        "size": material.size,
        "mime": material.mime,
        "sha256": material.sha256,
        "generated": material.generated,
        "document_kind": material.document_kind,
        "created_at": _local(material.created_at),
    }


def _code(court) -> str | None:
    return court.code if court is not None else None


def receipt_out(filing: Filing) -> dict[str, Any]:
    return {
        "number": filing.number,
        "received_at": _local(filing.submitted_at),
        "content_digest": filing.content_digest,
        "review_due_at": _local(filing.review_due_at),
        "basis": filing.review_basis,
    }


def filing_out(filing: Filing, *, receipt: bool = False) -> dict[str, Any]:
    parties = list(filing.parties.all())
    claims = list(filing.claims.all())
    amounts = [c.amount for c in claims if c.amount is not None]
    decisions = list(filing.decisions.select_related("court", "target_court"))
    return {
        "number": filing.number,
        "kind": filing.kind,
        "kind_label": str(filing.get_kind_display()),
        "status": filing.status,
        "status_label": str(filing.get_status_display()),
        "step": filing.step,
        "version": filing.version,
        "capacity": filing.capacity,
        "authorisation": filing.authorisation_id,
        "organisation": filing.organisation_id,
        "court": _code(filing.court),
        "court_name": filing.court.name if filing.court_id else None,
        "receiving_court": _code(filing.receiving_court),
        "appeal_of": filing.appeal_of.number if filing.appeal_of_id else None,
        "cause": filing.cause,
        "facts": filing.facts,
        "elements": filing.elements,
        "consent": filing.consent,
        "parties": [party_out(p, filing) for p in parties],
        "claims": [claim_out(c) for c in claims],
        "claims_total": _money(sum(amounts, start=Decimal("0.00"))) if amounts else None,
        "materials": [material_out(m) for m in filing.materials.filter(removed=False)],
        "decisions": [
            {
                "kind": d.kind,
                "label": str(d.get_kind_display()),
                "at": _local(d.at),
                "court": _code(d.court),
                "target_court": _code(d.target_court),
                "reasons": d.reasons,
                "items": d.items,
                "deadline": d.deadline,
            }
            for d in decisions
        ],
        "problems": (
            {k: str(v) for k, v in actions.problems(filing).items()}
            if filing.status in actions.EDITABLE
            else None
        ),
        "submitted_at": _local(filing.submitted_at),
        "review_due_at": _local(filing.review_due_at),
        "basis": filing.review_basis,
        "review_provisional": filing.review_provisional,
        "correction_due": filing.correction_due,
        "content_digest": filing.content_digest,
        "case_id": filing.case_id,
        "case_number": filing.case.number if filing.case_id else None,
        "created_at": _local(filing.created_at),
        "updated_at": _local(filing.updated_at),
        "receipt": receipt_out(filing) if receipt and filing.submitted_at else None,
    }


# --- who is asking ------------------------------------------------------------------------


def _citizen(request: HttpRequest) -> Actor:
    return Actor.citizen(request.auth)


def _visible(request: HttpRequest, number: str) -> Filing:
    """The filing if the caller may see it at all (applicant, or court staff it was
    submitted to); "not found" otherwise, so a stranger learns nothing."""
    return selectors.filing_for(_citizen(request), number)


def _target(request: HttpRequest, number: str) -> Filing:
    """The filing an action is about, scoped like ``_visible`` but without the joins: the
    action locks and re-reads it anyway (the joined read was a fifth of a filing's time)."""
    filing = (
        selectors.filings_for(_citizen(request))
        .filter(number=number)
        .select_related(None)
        .order_by()
        .first()
    )
    if filing is None:
        raise NotFound(_("没有找到该立案申请"))
    return filing


def _staff(request: HttpRequest, court, roles) -> Actor:
    """The caller acting in the first of ``roles`` they hold at ``court``."""
    if court is not None:
        for role in roles:
            try:
                return court_selectors.staff_actor(request.auth, court=court, role=role)
            except NotFound:
                continue
    raise Forbidden(_("您不是该法院的立案审查人员，不能办理此事项。"))


def _officer(request: HttpRequest, filing: Filing) -> Actor:
    return _staff(request, filing.court, selectors.OFFICER_ROLES)


def _renamed(error: DomainError, field: str) -> DomainError:
    """The auto-fill readers name their upload ``file``; the endpoint's field may differ."""
    if "file" in error.fields and field != "file":
        fields = {field if k == "file" else k: v for k, v in error.fields.items()}
        return type(error)(error.message, code=error.code, fields=fields)
    return error


# --- reference data -----------------------------------------------------------------------


class CauseFilter(Schema):
    q: str = ""
    category: str = ""


@router.get("/filing/causes", response=list[CauseOut])
@paginate
def causes(request: HttpRequest, filters: Query[CauseFilter]):
    """案由: search by name or keyword, optionally within one category."""
    return selectors.causes(q=filters.q.strip(), category=filters.category.strip())


@router.get("/filing/kinds", response=list[KindOut])
def kinds(request: HttpRequest):
    """The case kinds one may file, with each side's label and the review period."""
    return [
        {
            "kind": kind,
            "label": str(CaseKind(kind).label),
            "type_code": rule.type_code,
            "sides": {side: str(ParticipantRole(role).label) for side, role in rule.sides.items()},
            "review": dataclasses.asdict(rule.review),
        }
        for kind, rule in rules.kind_rules().items()
    ]


# --- the applicant's filing ---------------------------------------------------------------


@router.post("/filing/filings", response={201: FilingOut})
def filing_start(request: HttpRequest, payload: FilingStartIn):
    """Open a new draft (申请编号 in the response's ``number``), empty or with its fields,
    parties and claims at once; any problem is named per field and nothing is saved."""
    data = payload.model_dump(by_alias=True, exclude_unset=True)
    kind = data.pop("kind", CaseKind.CIVIL_FIRST)
    parties, claims = data.pop("parties", []), data.pop("claims", [])
    actor = _citizen(request)
    if not (data or parties or claims):
        return Status(201, filing_out(actions.filing_start(actor=actor, kind=kind)))
    filing = actions.filing_create(
        actor=actor, kind=kind, changes=data, parties=parties, claims=claims
    )
    return Status(201, filing_out(filing))


@router.get("/filing/filings", response=list[FilingSummaryOut])
@paginate
def filing_list(request: HttpRequest):
    """The caller's own filings, most recently changed first."""
    return (
        selectors.filings_for(_citizen(request))
        .filter(applicant_id=request.auth.pk)
        .prefetch_related("parties")
    )


@router.get(FILING, response=FilingOut)
def filing_detail(request: HttpRequest, number: str):
    """The whole filing: parties (ID and phone numbers masked), claims, materials with their
    SHA-256, decisions, what still stops submission, and the 案号 once accepted."""
    return filing_out(_visible(request, number))


@router.patch(FILING, response=FilingOut)
def filing_update(request: HttpRequest, number: str, payload: FilingPatchIn):
    """Save any of the draft's fields. Send the ``version`` you read: if the draft was
    changed since (another device), the answer is 409 ``stale_draft`` and nothing changes."""
    changes = payload.model_dump(exclude_unset=True)
    version = changes.pop("version", None)
    if version is not None and (isinstance(version, bool) or not str(version).isdigit()):
        raise InvalidInput(_("版本号不正确"), fields={"version": _("请提交读取到的版本号（整数）")})
    filing = actions.filing_update(
        filing=_target(request, number),
        actor=_citizen(request),
        changes=changes,
        version=None if version is None else int(version),
    )
    return filing_out(filing)


def _party_data(payload: PartyIn) -> tuple[str, dict[str, Any]]:
    data = payload.model_dump(by_alias=True)
    side = data.pop("side") or ""
    return str(side), data


@router.post(f"{FILING}/parties", response={201: PartyOut})
def party_add(request: HttpRequest, number: str, payload: PartyIn):
    """Name a party. ``self: true`` names the caller from their verified identity."""
    filing = _target(request, number)
    side, data = _party_data(payload)
    party = actions.party_save(filing=filing, actor=_citizen(request), side=side, data=data)
    return Status(201, party_out(party, filing))


@router.put(f"{FILING}/parties/{{party_id}}", response=PartyOut)
def party_change(request: HttpRequest, number: str, party_id: int, payload: PartyIn):
    """Replace a party's details (send every field, as for a new party)."""
    filing = _target(request, number)
    side, data = _party_data(payload)
    party = actions.party_save(
        filing=filing, actor=_citizen(request), side=side, data=data, party_id=party_id
    )
    return party_out(party, filing)


@router.delete(f"{FILING}/parties/{{party_id}}", response={204: None})
def party_remove(request: HttpRequest, number: str, party_id: int):
    actions.party_remove(
        filing=_target(request, number), actor=_citizen(request), party_id=party_id
    )
    return Status(204, None)


@router.post(f"{FILING}/claims", response={201: ClaimOut})
def claim_add(request: HttpRequest, number: str, payload: ClaimIn):
    """A 诉讼请求; ``amount`` in yuan as a string when it asks for money."""
    claim = actions.claim_save(
        filing=_target(request, number),
        actor=_citizen(request),
        text=payload.text,
        amount=payload.amount,
    )
    return Status(201, claim_out(claim))


@router.put(f"{FILING}/claims/{{claim_id}}", response=ClaimOut)
def claim_change(request: HttpRequest, number: str, claim_id: int, payload: ClaimIn):
    claim = actions.claim_save(
        filing=_target(request, number),
        actor=_citizen(request),
        text=payload.text,
        amount=payload.amount,
        claim_id=claim_id,
    )
    return claim_out(claim)


@router.delete(f"{FILING}/claims/{{claim_id}}", response={204: None})
def claim_remove(request: HttpRequest, number: str, claim_id: int):
    actions.claim_remove(
        filing=_target(request, number), actor=_citizen(request), claim_id=claim_id
    )
    return Status(204, None)


@router.post(
    f"{FILING}/materials",
    response={201: MaterialOut},
    openapi_extra=_upload_body(
        "file",
        "PDF, Word (.docx), JPG, PNG or WebP; its real type is read from the content",
        kind={"type": "string", "enum": sorted(set(MaterialKind.values) - {"court_document"})},
        name={"type": "string", "description": "default: the file's name"},
        _required=["kind"],
    ),
)
def material_add(
    request: HttpRequest,
    number: str,
    kind: Form[str] = "",
    name: Form[str] = "",
    file: File[UploadedFile | None] = None,
):
    """Upload a material (multipart ``kind``, ``file``, optional ``name``). The file is
    stored under its SHA-256 before this answers; ``sha256`` in the answer is that hash."""
    material = actions.material_add(
        filing=_target(request, number),
        actor=_citizen(request),
        kind=kind,
        upload=file,
        name=name,
    )
    return Status(201, material_out(material))


@router.delete(f"{FILING}/materials/{{material_id}}", response={204: None})
def material_remove(request: HttpRequest, number: str, material_id: int):
    """Take an upload out of the draft (the stored file is kept)."""
    actions.material_remove(
        filing=_target(request, number), actor=_citizen(request), material_id=material_id
    )
    return Status(204, None)


@router.post(f"{FILING}/complaint", response=FilingOut)
def complaint_generate(request: HttpRequest, number: str, payload: ComplaintIn):
    """The complaint assistant: 要素式 answers → 民事起诉状 (PDF and Word), the claims and
    the facts, for review before submitting."""
    filing = actions.complaint_generate(
        filing=_target(request, number), actor=_citizen(request), answers=payload.answers
    )
    return filing_out(filing)


@router.post(f"{FILING}/submit", response=FilingOut)
def filing_submit(request: HttpRequest, number: str):
    """Submit to the court. Everything still missing is listed at once (400, ``fields``);
    on success ``receipt`` is the dated 收件凭证 and the court's clock is running."""
    filing = actions.filing_submit(filing=_target(request, number), actor=_citizen(request))
    return filing_out(filing, receipt=True)


@router.post(f"{FILING}/withdraw", response=FilingOut)
def filing_withdraw(request: HttpRequest, number: str, payload: WithdrawIn):
    """Withdraw a draft or a filing the court has not decided yet (body ``{}`` or
    ``{"reason": …}``)."""
    filing = actions.filing_withdraw(
        filing=_target(request, number), actor=_citizen(request), reason=str(payload.reason or "")
    )
    return filing_out(filing)


# --- auto-fill ----------------------------------------------------------------------------


def _guess_side(side: str) -> str:
    if side not in GUESS_SIDES:
        raise InvalidInput(
            _("诉讼地位不正确"), fields={"side": _("可选 plaintiff、defendant、third_party")}
        )
    return side


def _image(image: UploadedFile | None) -> bytes:
    limit = int(getattr(settings, "OCR_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))
    data = uploads.read_limited(image, field="image", max_bytes=limit)
    uploads.sniff(data, field="image", allowed=uploads.IMAGES)
    return data


IMAGE_BODY = _upload_body(
    "image",
    "JPG, PNG or WebP, at most 8 MB",
    side={"type": "string", "enum": list(GUESS_SIDES)},
)


@router.post("/filing/autofill/id-card", response=dict[str, Any], openapi_extra=IMAGE_BODY)
def autofill_id_card(
    request: HttpRequest, side: Form[str] = "", image: File[UploadedFile | None] = None
):
    """A party read from the portrait side of an ID card, for the user to confirm. The
    photo is read in memory and discarded."""
    side = _guess_side(side)
    try:
        return autofill.party_from_id_card(_image(image), side=side).as_dict()
    except DomainError as exc:
        raise _renamed(exc, "image") from None


@router.post("/filing/autofill/business-licence", response=dict[str, Any], openapi_extra=IMAGE_BODY)
def autofill_business_licence(
    request: HttpRequest, side: Form[str] = "", image: File[UploadedFile | None] = None
):
    """An organisation read from a business licence (营业执照), for the user to confirm."""
    side = _guess_side(side)
    try:
        return autofill.party_from_business_licence(_image(image), side=side).as_dict()
    except DomainError as exc:
        raise _renamed(exc, "image") from None


@router.post(
    "/filing/autofill/complaint",
    response=dict[str, Any],
    openapi_extra=_upload_body("file", "the complaint: a PDF, or a photo (JPG, PNG, WebP)"),
)
def autofill_complaint(request: HttpRequest, file: File[UploadedFile | None] = None):
    """Parties, claims (amounts as strings) and facts read from a complaint, for the user to
    confirm. Nothing is stored: upload the complaint as a material to file it."""
    data = uploads.read_limited(file, field="file", max_bytes=settings.FILING_MAX_UPLOAD_BYTES)
    mime = uploads.sniff(data, field="file", allowed=uploads.DOCUMENTS)
    return autofill.complaint_from_file(data, mime).as_dict()


# --- the court's filing desk --------------------------------------------------------------


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
    try:
        actor = _staff(request, found, selectors.OFFICER_ROLES)
    except Forbidden:
        raise NotFound(_("没有找到该法院的立案审查任务")) from None
    return [_queue_item(item) for item in selectors.review_queue(actor, found)]


@router.post(f"{FILING}/accept", response=AcceptOut)
def filing_accept(request: HttpRequest, number: str, payload: NoteIn):
    """登记立案: the case is opened with its 案号; the fee order (if a fee is due on filing)
    is issued to the applicant; the other side is invited to link to the case."""
    filing = _target(request, number)
    filing = review.filing_accept(
        filing=filing, actor=_officer(request, filing), note=str(payload.note or "")
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
    filing = _target(request, number)
    if filing.status == FilingStatus.AWAITING_FORWARD:
        actor = _staff(request, filing.receiving_court, selectors.RECEIVING_ROLES)
    else:
        actor = _officer(request, filing)
    items = payload.items
    if items is not None and not isinstance(items, list):
        items = [items]
    filing = review.filing_request_correction(
        filing=filing,
        actor=actor,
        items=items or [],
        deadline=_date(payload.deadline, "deadline"),
    )
    return filing_out(filing)


@router.post(f"{FILING}/reject", response=FilingOut)
def filing_reject(request: HttpRequest, number: str, payload: RejectIn):
    """不予受理, with written reasons."""
    filing = _target(request, number)
    filing = review.filing_reject(
        filing=filing, actor=_officer(request, filing), reasons=str(payload.reasons or "")
    )
    return filing_out(filing)


@router.post(f"{FILING}/transfer", response=FilingOut)
def filing_transfer(request: HttpRequest, number: str, payload: TransferIn):
    """移送 to the competent court (its code in ``target_court``)."""
    filing = _target(request, number)
    filing = review.filing_transfer(
        filing=filing,
        actor=_officer(request, filing),
        target_court_code=str(payload.target_court or ""),
        reasons=str(payload.reasons or ""),
    )
    return filing_out(filing)


@router.post(f"{FILING}/forward", response=FilingOut)
def filing_forward(request: HttpRequest, number: str, payload: NoteIn):
    """跨域立案: the receiving court hands the filing to the competent court."""
    filing = _target(request, number)
    actor = _staff(request, filing.receiving_court, selectors.RECEIVING_ROLES)
    filing = review.filing_forward(filing=filing, actor=actor, note=str(payload.note or ""))
    return filing_out(filing)


# --- the other side's link ----------------------------------------------------------------


@router.post("/filing/invitations/{token}/accept", response=InvitationOut)
def invitation_accept(request: HttpRequest, token: str, payload: InvitationAcceptIn):
    """Link to the case from the SMS link's token, as the party named (real-name verified),
    and say stage by stage whether to go online."""
    invitation = invitations.invitation_accept(
        token=token, actor=_citizen(request), consent=payload.consent
    )
    return {
        "case_id": invitation.case_id,
        "case_number": invitation.case.number,
        "status": invitation.status,
        "linked_at": _local(invitation.linked_at),
    }
