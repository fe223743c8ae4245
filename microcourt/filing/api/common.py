"""The filing router, its output shapes (personal data masked) and how requests become actors."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router

from microcourt.core.actor import actor_of
from microcourt.core.crypto import mask
from microcourt.core.errors import DomainError, NotFound

from .. import actions, selectors
from ..models import (
    Filing,
    FilingMaterial,
    FilingParty,
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
            {k: str(v) for k, v in selectors.problems(filing).items()}
            if filing.status in actions.EDITABLE
            else None
        ),
        "jurisdiction_hints": (
            [
                {"court": h.court.code, "court_name": h.court.name, "reason": h.reason}
                for h in selectors.jurisdiction_hints(filing)
            ]
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


def _visible(request: HttpRequest, number: str) -> Filing:
    """The filing if the caller may see it at all (``policies.visible_q``); "not found"
    otherwise, so a stranger learns nothing."""
    return selectors.filing_for(actor_of(request), number)


def _target(request: HttpRequest, number: str) -> Filing:
    """The filing an action is about, scoped like ``_visible`` but without the joins: the
    action locks and re-reads it anyway (the joined read was a fifth of a filing's time)."""
    filing = (
        selectors.filings_for(actor_of(request))
        .filter(number=number)
        .select_related(None)
        .order_by()
        .first()
    )
    if filing is None:
        raise NotFound(_("没有找到该立案申请"))
    return filing


def _renamed(error: DomainError, field: str) -> DomainError:
    """The auto-fill readers name their upload ``file``; the endpoint's field may differ."""
    if "file" in error.fields and field != "file":
        fields = {field if k == "file" else k: v for k, v in error.fields.items()}
        return type(error)(error.message, code=error.code, fields=fields)
    return error


# --- reference data -----------------------------------------------------------------------
