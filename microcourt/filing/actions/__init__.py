"""The filing app's writes (ARCHITECTURE §4.2), one module per thing written: the draft, its
parties, claims and materials, the complaint assistant, submission, the court's decisions,
acceptance, the other side's invitations and the court's documents. Import this package, not
its parts: ``from microcourt.filing import actions`` (every name below is public).

Who may do each is ``policies``; the actions call its guards, so a rule holds for the page,
the API and a direct call alike."""

from ._common import (
    CONSENT_STAGES,
    EDITABLE,
    MAX_CLAIMS,
    MAX_FACTS,
    MAX_MATERIALS,
    MAX_PARTIES,
    STEPS,
    notify_applicant,
)
from .acceptance import cases_deem_withdrawn, filing_accept
from .claims import claim_remove, claim_save
from .complaints import complaint_generate
from .decisions import (
    DEFAULT_CORRECTION_DAYS,
    MAX_CORRECTION_DAYS,
    filing_forward,
    filing_reject,
    filing_request_correction,
    filing_transfer,
)
from .documents import issue as document_issue
from .documents import issue_later as documents_issue_later
from .drafts import filing_create, filing_start, filing_update
from .invitations import (
    invitation_accept,
    invitation_send,
    invitations_expire,
    link_url,
    participant_link_verified,
)
from .materials import material_add, material_remove, material_store, max_upload_bytes
from .parties import party_remove, party_save
from .submission import filing_submit, filing_withdraw, start_clock

__all__ = [
    "CONSENT_STAGES",
    "DEFAULT_CORRECTION_DAYS",
    "EDITABLE",
    "MAX_CLAIMS",
    "MAX_CORRECTION_DAYS",
    "MAX_FACTS",
    "MAX_MATERIALS",
    "MAX_PARTIES",
    "STEPS",
    "cases_deem_withdrawn",
    "claim_remove",
    "claim_save",
    "complaint_generate",
    "document_issue",
    "documents_issue_later",
    "filing_accept",
    "filing_create",
    "filing_forward",
    "filing_reject",
    "filing_request_correction",
    "filing_start",
    "filing_submit",
    "filing_transfer",
    "filing_update",
    "filing_withdraw",
    "invitation_accept",
    "invitation_send",
    "invitations_expire",
    "link_url",
    "material_add",
    "material_remove",
    "material_store",
    "max_upload_bytes",
    "notify_applicant",
    "participant_link_verified",
    "party_remove",
    "party_save",
    "start_clock",
]
