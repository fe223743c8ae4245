"""identity's writes (ARCHITECTURE §4.2), one module per entity: API tokens, real-name
verifications, a person's own data, organisations, lawyers and authorisations (授权委托书).
Import this package: ``from microcourt.identity import actions as identity_actions``."""

from ..logins import TooManyFailures
from .authorisations import authorisation_attach_case, authorisation_grant
from .lawyers import LICENCE_NUMBER_LENGTH, is_lawyer, lawyer_apply, lawyer_review
from .organisations import (
    organisation_authorise_employee,
    organisation_register,
    organisation_review,
    validate_uscc,
)
from .personal_data import identity_reveal, personal_data_export
from .tokens import (
    TOKEN_LIFETIME,
    BadCredentials,
    api_token_issue,
    api_token_revoke,
    api_token_user,
    api_tokens_revoke_all,
)
from .verifications import (
    MAX_FAILURES_PER_DAY,
    MAX_IMAGE_BYTES,
    Evidence,
    TooManyAttempts,
    failures_today,
    id_index,
    validate_resident_id,
    verification_by_id_card_and_face,
    verification_face_recheck,
    verification_in_person,
    verification_request_review,
    verification_review,
)

__all__ = [
    "LICENCE_NUMBER_LENGTH",
    "MAX_FAILURES_PER_DAY",
    "MAX_IMAGE_BYTES",
    "TOKEN_LIFETIME",
    "BadCredentials",
    "Evidence",
    "TooManyAttempts",
    "TooManyFailures",
    "api_token_issue",
    "api_token_revoke",
    "api_token_user",
    "api_tokens_revoke_all",
    "authorisation_attach_case",
    "authorisation_grant",
    "failures_today",
    "id_index",
    "identity_reveal",
    "is_lawyer",
    "lawyer_apply",
    "lawyer_review",
    "organisation_authorise_employee",
    "organisation_register",
    "organisation_review",
    "personal_data_export",
    "validate_resident_id",
    "validate_uscc",
    "verification_by_id_card_and_face",
    "verification_face_recheck",
    "verification_in_person",
    "verification_request_review",
    "verification_review",
]
