"""Moved to ``identity.actions`` (issue 13: one package of writes). These names stay only
while other apps' imports move (filing, payments, workbench, demo and some tests still use
``identity.verification``); new code imports ``identity.actions``."""

from .actions import (  # noqa: F401
    MAX_FAILURES_PER_DAY,
    MAX_IMAGE_BYTES,
    Evidence,
    TooManyAttempts,
    failures_today,
    id_index,
    identity_reveal,
    personal_data_export,
    validate_resident_id,
    verification_by_id_card_and_face,
    verification_face_recheck,
    verification_in_person,
    verification_request_review,
    verification_review,
)
