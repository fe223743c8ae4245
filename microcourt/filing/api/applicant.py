"""The applicant's endpoints: drafts, parties, claims, materials, the complaint assistant,
auto-fill, submission and withdrawal."""

import dataclasses
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Query, Schema, Status, UploadedFile
from ninja.pagination import paginate

from microcourt.assist.api import DEFAULT_MAX_UPLOAD_BYTES
from microcourt.core import uploads
from microcourt.core.actor import actor_of
from microcourt.core.errors import DomainError, InvalidInput, NotFound
from microcourt.core.pagination import Pages

from .. import actions, autofill, rules, selectors
from ..models import (
    CaseKind,
    MaterialKind,
)
from ..schemas import (
    CauseOut,
    ClaimIn,
    ClaimOut,
    ComplaintIn,
    FilingOut,
    FilingPartyOut,
    FilingPatchIn,
    FilingStartIn,
    FilingSummaryOut,
    KindOut,
    MaterialOut,
    PartyIn,
    WithdrawIn,
)
from .common import (
    FILING,
    GUESS_SIDES,
    _renamed,
    _target,
    _upload_body,
    _visible,
    claim_out,
    filing_out,
    material_out,
    party_out,
    router,
)


class CauseFilter(Schema):
    q: str = ""
    category: str = ""


@router.get("/filing/causes", response=list[CauseOut])
@paginate(Pages)
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
            "sides": selectors.side_labels(kind),
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
    actor = actor_of(request)
    if not (data or parties or claims):
        return Status(201, filing_out(actions.filing_start(actor=actor, kind=kind)))
    filing = actions.filing_create(
        actor=actor, kind=kind, changes=data, parties=parties, claims=claims
    )
    return Status(201, filing_out(filing))


@router.get("/filing/filings", response=list[FilingSummaryOut])
@paginate(Pages)
def filing_list(request: HttpRequest):
    """The caller's own filings, most recently changed first."""
    actor = actor_of(request)
    return (
        selectors.filings_for(actor).filter(applicant_id=actor.user_id).prefetch_related("parties")
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
        actor=actor_of(request),
        changes=changes,
        version=None if version is None else int(version),
    )
    return filing_out(filing)


def _party_data(payload: PartyIn) -> tuple[str, dict[str, Any]]:
    data = payload.model_dump(by_alias=True)
    side = data.pop("side") or ""
    return str(side), data


@router.post(f"{FILING}/parties", response={201: FilingPartyOut})
def party_add(request: HttpRequest, number: str, payload: PartyIn):
    """Name a party. ``self: true`` names the caller from their verified identity."""
    filing = _target(request, number)
    side, data = _party_data(payload)
    party = actions.party_save(filing=filing, actor=actor_of(request), side=side, data=data)
    return Status(201, party_out(party, filing))


@router.put(f"{FILING}/parties/{{party_id}}", response=FilingPartyOut)
def party_change(request: HttpRequest, number: str, party_id: int, payload: PartyIn):
    """Replace a party's details (send every field, as for a new party)."""
    filing = _target(request, number)
    side, data = _party_data(payload)
    party = actions.party_save(
        filing=filing, actor=actor_of(request), side=side, data=data, party_id=party_id
    )
    return party_out(party, filing)


@router.delete(f"{FILING}/parties/{{party_id}}", response={204: None})
def party_remove(request: HttpRequest, number: str, party_id: int):
    actions.party_remove(
        filing=_target(request, number), actor=actor_of(request), party_id=party_id
    )
    return Status(204, None)


@router.post(f"{FILING}/claims", response={201: ClaimOut})
def claim_add(request: HttpRequest, number: str, payload: ClaimIn):
    """A 诉讼请求; ``amount`` in yuan as a string when it asks for money."""
    claim = actions.claim_save(
        filing=_target(request, number),
        actor=actor_of(request),
        text=payload.text,
        amount=payload.amount,
    )
    return Status(201, claim_out(claim))


@router.put(f"{FILING}/claims/{{claim_id}}", response=ClaimOut)
def claim_change(request: HttpRequest, number: str, claim_id: int, payload: ClaimIn):
    claim = actions.claim_save(
        filing=_target(request, number),
        actor=actor_of(request),
        text=payload.text,
        amount=payload.amount,
        claim_id=claim_id,
    )
    return claim_out(claim)


@router.delete(f"{FILING}/claims/{{claim_id}}", response={204: None})
def claim_remove(request: HttpRequest, number: str, claim_id: int):
    actions.claim_remove(
        filing=_target(request, number), actor=actor_of(request), claim_id=claim_id
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
        actor=actor_of(request),
        kind=kind,
        upload=file,
        name=name,
    )
    return Status(201, material_out(material))


@router.get(
    f"{FILING}/materials/{{material_id}}",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "the material's bytes, with its type and name",
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        }
    },
)
def material_download(request: HttpRequest, number: str, material_id: int):
    """A material's bytes. The filer's side and the court read every material; the other
    side of the accepted case only what is served on it (the complaint, evidence, the
    evidence notice), never identity papers; anyone else gets 404."""
    found = selectors.material_for(actor_of(request), number, material_id)
    try:
        handle = default_storage.open(found.path, "rb")
    except (FileNotFoundError, OSError):
        raise NotFound(_("没有找到该材料")) from None
    return FileResponse(handle, as_attachment=True, filename=found.name, content_type=found.mime)


@router.delete(f"{FILING}/materials/{{material_id}}", response={204: None})
def material_remove(request: HttpRequest, number: str, material_id: int):
    """Take an upload out of the draft (the stored file is kept)."""
    actions.material_remove(
        filing=_target(request, number), actor=actor_of(request), material_id=material_id
    )
    return Status(204, None)


@router.post(f"{FILING}/complaint", response=FilingOut)
def complaint_generate(request: HttpRequest, number: str, payload: ComplaintIn):
    """The complaint assistant: 要素式 answers → 民事起诉状 (PDF and Word), the claims and
    the facts, for review before submitting."""
    filing = actions.complaint_generate(
        filing=_target(request, number), actor=actor_of(request), answers=payload.answers
    )
    return filing_out(filing)


@router.post(f"{FILING}/submit", response=FilingOut)
def filing_submit(request: HttpRequest, number: str):
    """Submit to the court. Everything still missing is listed at once (400, ``fields``);
    on success ``receipt`` is the dated 收件凭证 and the court's clock is running."""
    filing = actions.filing_submit(filing=_target(request, number), actor=actor_of(request))
    return filing_out(filing, receipt=True)


@router.post(f"{FILING}/withdraw", response=FilingOut)
def filing_withdraw(request: HttpRequest, number: str, payload: WithdrawIn):
    """Withdraw a draft or a filing the court has not decided yet (body ``{}`` or
    ``{"reason": …}``)."""
    filing = actions.filing_withdraw(
        filing=_target(request, number), actor=actor_of(request), reason=str(payload.reason or "")
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
